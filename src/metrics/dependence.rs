//! Dependence: net import reliance, bloc self-sufficiency, direct origin of supply
//! (docs/model.md §2.2).

use serde::Serialize;

use super::concentration::receipts_by_origin;
use super::{touched_by, Shares, Undefined};
use crate::error::Result;
use crate::network::{Network, ProductId, RegionId};
use crate::report::{displayed_as_report, Cell, Report, Table};

/// Production, imports and exports of `product` for a set of regions, trade with the
/// set's own members netted out.
fn balance(net: &Network, members: &[RegionId], product: ProductId) -> (f64, f64, f64) {
    let inside = |r: RegionId| members.contains(&r);
    let (mut production, mut imports, mut exports) = (0.0, 0.0, 0.0);
    for &n in net.nodes_of(product) {
        let from = net.node(n).region;
        if inside(from) {
            production += net.output(n);
        }
        for e in net.out_edges(n) {
            let to = net.sink_region(e.to);
            match (inside(from), inside(to)) {
                (true, false) => exports += e.flow,
                (false, true) => imports += e.flow,
                _ => {}
            }
        }
    }
    (production, imports, exports)
}

/// Net import reliance (USGS): `(imports - exports) / apparent consumption`, apparent
/// consumption = production + imports - exports (stock changes omitted). Negative for a
/// net exporter.
///
/// ```
/// use shortfall::metrics::net_import_reliance;
/// let net = shortfall::network::toy_chain();
/// let (us, magnet) = (net.require_region("US")?, net.require_product("magnet")?);
/// // The US makes 8 t of magnets and imports 34 t: reliance 34 / 42.
/// assert!((net_import_reliance(&net, us, magnet).unwrap() - 34.0 / 42.0).abs() < 1e-12);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Undefined::NoConsumption`] when apparent consumption is not positive.
pub fn net_import_reliance(
    net: &Network,
    region: RegionId,
    product: ProductId,
) -> Result<f64, Undefined> {
    let (p, i, e) = balance(net, &[region], product);
    let consumption = p + i - e;
    if consumption <= 0.0 {
        return Err(Undefined::NoConsumption);
    }
    Ok((i - e) / consumption)
}

/// Bloc self-sufficiency: bloc production / bloc apparent consumption, intra-bloc trade
/// netted out. Above one for a net-exporting bloc.
///
/// # Errors
/// [`Undefined::NoConsumption`] when the bloc's apparent consumption is not positive.
pub fn bloc_self_sufficiency(
    net: &Network,
    members: &[RegionId],
    product: ProductId,
) -> Result<f64, Undefined> {
    let (p, i, e) = balance(net, members, product);
    let consumption = p + i - e;
    if consumption <= 0.0 {
        return Err(Undefined::NoConsumption);
    }
    Ok(p / consumption)
}

/// Shares by origin of what a region's users receive of a product, domestic production
/// included (origin basis).
///
/// # Errors
/// [`Undefined::NoSupply`] when the region receives none of the product.
pub fn direct_origins(
    net: &Network,
    region: RegionId,
    product: ProductId,
) -> Result<Shares, Undefined> {
    Shares::of(receipts_by_origin(net, region, product))
}

/// The direct share of `origin` in a region's supply of a product.
///
/// # Errors
/// [`Undefined::NoSupply`] when the region receives none of the product.
pub fn direct_share(
    net: &Network,
    region: RegionId,
    product: ProductId,
    origin: RegionId,
) -> Result<f64, Undefined> {
    direct_origins(net, region, product).map(|s| s.of_region(origin))
}

/// How much each of a set of regions depends on one origin, product by product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependenceTable {
    /// The origin depended on.
    pub origin: String,
    /// One row per (region, product).
    pub rows: Vec<DependenceRow>,
}

/// One (region, product) row of a [`DependenceTable`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependenceRow {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// What the region's users receive a year, product units.
    pub supply: f64,
    /// Unit.
    pub unit: String,
    /// Direct share of the origin in that supply.
    pub direct: Result<f64, Undefined>,
    /// Share of that supply whose chain passed through the origin at any stage.
    pub touched: Result<f64, Undefined>,
    /// Net import reliance.
    pub net_import_reliance: Result<f64, Undefined>,
    /// Share of the supply figure resting on estimates.
    pub estimated: f64,
}

impl DependenceTable {
    /// Dependence of `regions` on `origin` for `products` (pairs where the region receives
    /// none of the product are left out).
    ///
    /// # Errors
    /// [`crate::Error::CyclicRecipes`] on a cyclic table (the touched-by share needs an
    /// acyclic chain).
    ///
    /// ```
    /// use shortfall::metrics::DependenceTable;
    /// let net = shortfall::network::toy_chain();
    /// let (us, cn) = (net.require_region("US")?, net.require_region("CN")?);
    /// let t = DependenceTable::of(&net, &[us], &[net.require_product("magnet")?], cn)?;
    /// let row = &t.rows[0];
    /// assert!((row.direct.unwrap() - 34.0 / 42.0).abs() < 1e-12);
    /// // US magnets are made from Chinese oxide too: touched >= direct.
    /// assert!(row.touched.unwrap() > row.direct.unwrap());
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    pub fn of(
        net: &Network,
        regions: &[RegionId],
        products: &[ProductId],
        origin: RegionId,
    ) -> Result<Self> {
        let touched = touched_by(net, origin)?;
        let mut rows = Vec::new();
        for &r in regions {
            for &p in products {
                let (mut supply, mut estimated) = (0.0, 0.0);
                for &n in net.nodes_of(p) {
                    for e in net.out_edges(n) {
                        if net.sink_region(e.to) == r {
                            supply += e.flow;
                            estimated += e.estimate;
                        }
                    }
                }
                if supply == 0.0 {
                    continue;
                }
                rows.push(DependenceRow {
                    region: net.region(r).code.clone(),
                    product: net.product(p).id.clone(),
                    supply,
                    unit: net.product(p).unit.clone(),
                    direct: direct_share(net, r, p, origin),
                    touched: touched.supply_share(net, r, p),
                    net_import_reliance: net_import_reliance(net, r, p),
                    estimated: estimated / supply,
                });
            }
        }
        Ok(Self {
            origin: net.region(origin).code.clone(),
            rows,
        })
    }
}

impl Report for DependenceTable {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            format!("Dependence on {}", self.origin),
            &[
                "region",
                "product",
                "supply",
                "unit",
                "direct share",
                "touched-by share",
                "net import reliance",
                "rests on estimates",
            ],
        );
        let share = |r: &Result<f64, Undefined>| r.map_or(Cell::Empty, Cell::Share);
        for row in &self.rows {
            t.row(vec![
                Cell::Text(row.region.clone()),
                Cell::Text(row.product.clone()),
                Cell::Number(row.supply),
                Cell::Text(row.unit.clone()),
                share(&row.direct),
                share(&row.touched),
                share(&row.net_import_reliance),
                Cell::Share(row.estimated),
            ]);
        }
        t.note(format!(
            "direct: share of {0} in what the region's users receive (origin basis); touched-by: \
             share whose chain passed through {0} at any stage (docs/model.md §2.3)",
            self.origin
        ));
        vec![t]
    }
}

displayed_as_report!(DependenceTable);
