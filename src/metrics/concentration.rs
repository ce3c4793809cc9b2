//! Concentration of supply: HHI, normalised HHI, CR1, CR3, Shannon entropy, effective
//! number of suppliers, and the governance-weighted HHI (docs/model.md §2.1).

use serde::Serialize;

use super::{Shares, Undefined};
use crate::network::{Network, ProductId, RegionId};
use crate::report::{displayed_as_report, Cell, Report, Table};

/// Concentration measures of one set of shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    /// The shares, largest first, each in (0, 1], summing to one.
    pub shares: Shares,
    /// Herfindahl-Hirschman index `Σ s_i²`, in [1/n, 1].
    pub hhi: f64,
    /// `(HHI - 1/n) / (1 - 1/n)`, defined for n >= 2 suppliers with a positive share.
    pub hhi_normalised: Result<f64, Undefined>,
    /// Largest share.
    pub cr1: f64,
    /// Sum of the three largest shares.
    pub cr3: f64,
    /// Shannon entropy `-Σ s_i ln s_i` (natural logarithm, nats).
    pub entropy: f64,
    /// `1 / HHI`.
    pub effective_suppliers: f64,
}

impl Concentration {
    /// Concentration of `(region, quantity)` pairs; zero quantities are dropped.
    ///
    /// ```
    /// use shortfall::metrics::Concentration;
    /// use shortfall::network::RegionId;
    /// let c = Concentration::of([(RegionId(0), 60.0), (RegionId(1), 30.0), (RegionId(2), 10.0)])
    ///     .unwrap();
    /// assert!((c.hhi - 0.46).abs() < 1e-12);          // 0.36 + 0.09 + 0.01
    /// assert!((c.hhi_points() - 4600.0).abs() < 1e-9);
    /// assert!((c.cr1 - 0.6).abs() < 1e-12);
    /// assert!((c.hhi_normalised.unwrap() - (0.46 - 1.0 / 3.0) / (2.0 / 3.0)).abs() < 1e-12);
    /// ```
    ///
    /// # Errors
    /// [`Undefined::NoSupply`] when nothing is positive; [`Undefined::InvalidQuantity`]
    /// for a negative or non-finite quantity.
    pub fn of(quantities: impl IntoIterator<Item = (RegionId, f64)>) -> Result<Self, Undefined> {
        let shares = Shares::of(quantities)?;
        let s: Vec<f64> = shares.iter().map(|(_, s)| s).collect();
        let n = s.len();
        let hhi: f64 = s.iter().map(|x| x * x).sum();
        let hhi_normalised = if n >= 2 {
            let inv = 1.0 / n as f64;
            Ok(((hhi - inv) / (1.0 - inv)).clamp(0.0, 1.0))
        } else {
            Err(Undefined::SingleSupplier)
        };
        Ok(Self {
            hhi,
            hhi_normalised,
            cr1: s[0],
            cr3: s.iter().take(3).sum(),
            entropy: 0.0 - s.iter().map(|x| x * x.ln()).sum::<f64>(),
            effective_suppliers: 1.0 / hhi,
            shares,
        })
    }

    /// HHI on the 0..10,000 scale.
    pub fn hhi_points(&self) -> f64 {
        self.hhi * 10_000.0
    }
}

/// Production of one or more products (in the same unit, such as light and heavy ore in
/// t REO) by region; producers with their recycled and co-product items, while
/// secondary supply and other closing items are left out (model.md §2.1, §1.10).
pub fn production_by_region(net: &Network, products: &[ProductId]) -> Vec<(RegionId, f64)> {
    let mut by = vec![0.0; net.regions().len()];
    for &p in products {
        for &n in net.nodes_of(p) {
            if net.node(n).kind.is_production() {
                by[net.node(n).region.index()] += net.output(n);
            }
        }
    }
    indexed(by)
}

/// Exports of a product by origin region (origin basis: re-exports are counted at their
/// origin).
pub fn exports_by_region(net: &Network, product: ProductId) -> Vec<(RegionId, f64)> {
    let mut by = vec![0.0; net.regions().len()];
    for &n in net.nodes_of(product) {
        let from = net.node(n).region;
        for e in net.out_edges(n) {
            if net.sink_region(e.to) != from {
                by[from.index()] += e.flow;
            }
        }
    }
    indexed(by)
}

/// What `region`'s users receive of a product, by origin region, domestic production
/// included (origin basis).
pub(crate) fn receipts_by_origin(
    net: &Network,
    region: RegionId,
    product: ProductId,
) -> Vec<(RegionId, f64)> {
    let mut by = vec![0.0; net.regions().len()];
    for &n in net.nodes_of(product) {
        for e in net.out_edges(n) {
            if net.sink_region(e.to) == region {
                by[net.node(n).region.index()] += e.flow;
            }
        }
    }
    indexed(by)
}

/// Imports of a product into `region` by origin (origin basis).
pub fn imports_by_origin(
    net: &Network,
    region: RegionId,
    product: ProductId,
) -> Vec<(RegionId, f64)> {
    let mut by = receipts_by_origin(net, region, product);
    by[region.index()].1 = 0.0;
    by
}

pub(crate) fn indexed(by: Vec<f64>) -> Vec<(RegionId, f64)> {
    by.into_iter()
        .enumerate()
        .map(|(r, q)| (RegionId(r as u32), q))
        .collect()
}

/// Concentration of production of one or more products in the same unit.
///
/// ```
/// use shortfall::metrics::production_concentration;
/// let data = shortfall::data::rare_earths_2024();
/// let net = &data.network;
/// let ores = [net.require_product("re_ore_light")?, net.require_product("re_ore_heavy")?];
/// let mine = production_concentration(net, &ores).unwrap();
/// assert!((mine.hhi - 0.50).abs() < 0.02); // 2024 mine output, USGS
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Undefined::NoSupply`] when nothing is produced.
pub fn production_concentration(
    net: &Network,
    products: &[ProductId],
) -> Result<Concentration, Undefined> {
    Concentration::of(production_by_region(net, products))
}

/// Concentration of exports of a product.
///
/// # Errors
/// [`Undefined::NoSupply`] when nothing is exported.
pub fn export_concentration(net: &Network, product: ProductId) -> Result<Concentration, Undefined> {
    Concentration::of(exports_by_region(net, product))
}

/// Concentration of a region's import sources of a product.
///
/// # Errors
/// [`Undefined::NoSupply`] when the region imports none of it.
pub fn import_concentration(
    net: &Network,
    region: RegionId,
    product: ProductId,
) -> Result<Concentration, Undefined> {
    Concentration::of(imports_by_origin(net, region, product))
}

/// Governance-weighted HHI of the EU criticality method, `Σ s_i² · g_i`, with `g` on
/// 0..10 (higher = riskier), and the share of supply whose score was imputed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GovernanceWeighted {
    /// `Σ s_i² · g_i`, on 0..10.
    pub value: f64,
    /// Share of supply from regions without a score (aggregates), which were given the
    /// supply-weighted mean score of the scored regions.
    pub imputed_share: f64,
}

/// Governance-weighted concentration of production of a product (model.md §2.4).
///
/// ```
/// use shortfall::metrics::governance_weighted;
/// let data = shortfall::data::rare_earths_2024();
/// let net = &data.network;
/// let g = governance_weighted(net, net.require_product("ndfeb_magnet_dy")?).unwrap();
/// // 91% of Dy/Tb-bearing magnets come from China (score 5.67): about 0.91² x 5.67.
/// assert!((g.value - 4.7).abs() < 0.1);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Undefined::NoSupply`] when nothing is produced, [`Undefined::NoGovernanceScore`]
/// when no producer has a score.
pub fn governance_weighted(
    net: &Network,
    product: ProductId,
) -> Result<GovernanceWeighted, Undefined> {
    let c = production_concentration(net, &[product])?;
    let (mut scored, mut weight, mut imputed) = (0.0, 0.0, 0.0);
    for (r, s) in c.shares.iter() {
        match net.region(r).governance {
            Some(g) => {
                scored += s * g;
                weight += s;
            }
            None => imputed += s,
        }
    }
    if weight == 0.0 {
        return Err(Undefined::NoGovernanceScore);
    }
    let mean = scored / weight;
    let value = c
        .shares
        .iter()
        .map(|(r, s)| s * s * net.region(r).governance.unwrap_or(mean))
        .sum();
    Ok(GovernanceWeighted {
        value,
        imputed_share: imputed,
    })
}

/// Concentration of production and exports of every product: the first table an
/// economist asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationTable {
    /// One row per product, in chain order.
    pub rows: Vec<ConcentrationRow>,
}

/// One product's row of a [`ConcentrationTable`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationRow {
    /// Product id.
    pub product: String,
    /// Unit.
    pub unit: String,
    /// Top producer's code.
    pub top_producer: Option<String>,
    /// Production concentration.
    pub production: Result<Concentration, Undefined>,
    /// Export concentration (origin basis).
    pub exports: Result<Concentration, Undefined>,
    /// Governance-weighted HHI of production.
    pub governance: Result<GovernanceWeighted, Undefined>,
    /// Share of production (producers only) whose figure is an estimate.
    pub estimated: f64,
}

impl ConcentrationTable {
    /// Every product of `net`.
    ///
    /// ```
    /// let net = shortfall::network::toy_chain();
    /// let t = shortfall::metrics::ConcentrationTable::of(&net);
    /// assert_eq!(t.rows.len(), 3);
    /// assert!(t.to_string().contains("magnet"));
    /// ```
    pub fn of(net: &Network) -> Self {
        let rows = net
            .product_order()
            .iter()
            .map(|&p| {
                let production = production_concentration(net, &[p]);
                let (mut total, mut estimated) = (0.0, 0.0);
                for &n in net.nodes_of(p) {
                    let node = net.node(n);
                    if node.kind.is_production() {
                        total += net.output(n);
                        if node.estimated {
                            estimated += net.output(n);
                        }
                    }
                }
                ConcentrationRow {
                    product: net.product(p).id.clone(),
                    unit: net.product(p).unit.clone(),
                    top_producer: production
                        .as_ref()
                        .ok()
                        .and_then(|c| c.shares.iter().next())
                        .map(|(r, _)| net.region(r).code.clone()),
                    exports: export_concentration(net, p),
                    governance: governance_weighted(net, p),
                    estimated: if total > 0.0 { estimated / total } else { 0.0 },
                    production,
                }
            })
            .collect();
        Self { rows }
    }
}

impl Report for ConcentrationTable {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Concentration of production and exports",
            &[
                "product",
                "largest",
                "CR1",
                "CR3",
                "HHI",
                "HHI norm.",
                "eff. n",
                "entropy",
                "export HHI",
                "HHI x WGI",
                "estimated",
            ],
        );
        let num = |r: &Result<f64, Undefined>| r.as_ref().map_or(Cell::Empty, |v| Cell::Number(*v));
        for row in &self.rows {
            let p = row.production.as_ref();
            t.row(vec![
                Cell::Text(row.product.clone()),
                row.top_producer.clone().map_or(Cell::Empty, Cell::Text),
                p.map_or(Cell::Empty, |c| Cell::Share(c.cr1)),
                p.map_or(Cell::Empty, |c| Cell::Share(c.cr3)),
                p.map_or(Cell::Empty, |c| Cell::Number(c.hhi)),
                p.map_or(Cell::Empty, |c| num(&c.hhi_normalised)),
                p.map_or(Cell::Empty, |c| Cell::Number(c.effective_suppliers)),
                p.map_or(Cell::Empty, |c| Cell::Number(c.entropy)),
                row.exports
                    .as_ref()
                    .map_or(Cell::Empty, |c| Cell::Number(c.hhi)),
                row.governance
                    .as_ref()
                    .map_or(Cell::Empty, |g| Cell::Number(g.value)),
                Cell::Share(row.estimated),
            ]);
        }
        t.note("HHI on 0..1 (x 10,000 for points); '-' = undefined (no supply, one supplier, no score)");
        t.note("production with recycled and co-product items, secondary supply left out; exports on an origin basis");
        t.note(
            "largest: the top producer; HHI norm.: (HHI - 1/n)/(1 - 1/n) over n producers; \
             eff. n: effective number of producers, 1/HHI; entropy in nats; HHI x WGI: governance-weighted, 0-10; \
             estimated: the share of production that rests on estimates (docs/model.md §2)",
        );
        vec![t]
    }
}

displayed_as_report!(ConcentrationTable);
