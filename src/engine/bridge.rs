//! From lost final uses to GDP (docs/model.md §7.4): the static cascade's final-use
//! shortfalls become capacity losses of the sectors of a monetary multi-regional table,
//! whose dynamic engine gives output and value added lost by region and sector.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CascadeWorkspace, Dynamic, DynamicSettings, DynamicWorkspace, Engine, StaticCascade};
use crate::error::{Error, Result};
use crate::network::{Accounts, Network, NodeId, ProductId, RegionId};
use crate::scenario::{CapacityLoss, Realization};

/// How final uses of the physical network map to sectors of a monetary table
/// (docs/model.md §7.4; `data/mrio_2022/bridge.toml` for the embedded table).
///
/// ```
/// let bridge = shortfall::engine::BridgeSpec::mrio_2022()?;
/// assert_eq!(bridge.rest, "RW");
/// assert!(bridge.weights.iter().all(|w| (0.0..=1.0).contains(&w.weight)));
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeSpec {
    /// The table region of every physical region not mapped and not in the table.
    pub rest: String,
    /// Physical region code to table region code (a physical region with a table
    /// region's code maps to it unless listed).
    #[serde(default)]
    pub region_map: BTreeMap<String, String>,
    /// Weights `w_{R,u,s}`.
    pub weights: Vec<BridgeWeight>,
}

/// The share of sector `sector`'s output in table region `region` that stops when the
/// physical final use `product` is wholly short.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeWeight {
    /// Table region code.
    pub region: String,
    /// A product of the physical network with final use.
    pub product: String,
    /// Table sector.
    pub sector: String,
    /// In [0, 1].
    pub weight: f64,
}

impl BridgeSpec {
    /// The bridge of the embedded `rare_earths_2024` data to the embedded table
    /// ([`crate::data::mrio_2022`]).
    ///
    /// # Errors
    /// Never for the shipped file (tested); [`Error::Toml`] otherwise.
    pub fn mrio_2022() -> Result<Self> {
        Self::from_toml(
            include_str!("../../data/mrio_2022/bridge.toml"),
            "data/mrio_2022/bridge.toml",
        )
    }

    /// Parses a bridge from TOML; errors carry the field path.
    ///
    /// # Errors
    /// [`Error::Toml`] with the path, and [`Error::InvalidField`] for a weight outside
    /// [0, 1].
    pub fn from_toml(text: &str, file: &str) -> Result<Self> {
        let spec: Self = crate::data::from_toml(text, file)?;
        for (i, w) in spec.weights.iter().enumerate() {
            if !(0.0..=1.0).contains(&w.weight) {
                return Err(Error::field(
                    file,
                    format!("weights[{i}].weight"),
                    format!("{} must lie in [0, 1]", w.weight),
                ));
            }
        }
        Ok(spec)
    }
}

/// The static cascade bridged to a monetary table (docs/model.md §7.4): an [`Engine`] on
/// the physical network whose outcome is the table's output and value added lost.
#[derive(Debug, Clone)]
pub struct Bridged {
    cascade: StaticCascade,
    table: Network,
    dynamic: Dynamic,
    template: Realization,
    /// Per table region: the physical regions mapped to it.
    groups: Vec<Vec<RegionId>>,
    /// (table region, physical product, index into the template's losses, weight).
    uses: Vec<(usize, ProductId, usize, f64)>,
    /// Per table node: value added per unit of output.
    va_share: Vec<f64>,
    /// The table node of each capacity loss of the template.
    loss_nodes: Vec<NodeId>,
    /// Years the table runs.
    run_length: f64,
    /// The table's step, years.
    dt: f64,
}

/// What a bridged run gives, per industry of the table (`region * sectors + sector`),
/// money of the table over the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BridgeOutcome {
    /// Table regions.
    pub regions: Vec<String>,
    /// Table sectors.
    pub sectors: Vec<String>,
    /// The capacity loss `Δ` each industry took.
    pub capacity_loss: Vec<f64>,
    /// Output lost (signed: negative where an industry made more).
    pub output_lost: Vec<f64>,
    /// Value added lost (signed).
    pub value_added_lost: Vec<f64>,
    /// The direct value added lost, `v Δ x₀ h`.
    pub direct: Vec<f64>,
}

impl BridgeOutcome {
    /// Value added lost by a table region over its sectors; `None` for an unknown code.
    pub fn region_value_added_lost(&self, region: &str) -> Option<f64> {
        let r = self.regions.iter().position(|c| c == region)?;
        let ns = self.sectors.len();
        Some(self.value_added_lost[r * ns..(r + 1) * ns].iter().sum())
    }

    /// The direct value added lost by a table region.
    pub fn region_direct(&self, region: &str) -> Option<f64> {
        let r = self.regions.iter().position(|c| c == region)?;
        let ns = self.sectors.len();
        Some(self.direct[r * ns..(r + 1) * ns].iter().sum())
    }
}

/// The workspace of a bridged run.
#[derive(Debug, Clone)]
pub struct BridgeWorkspace {
    cascade: CascadeWorkspace,
    dynamic: DynamicWorkspace,
    realization: Realization,
    outcome: BridgeOutcome,
}

impl BridgeWorkspace {
    /// The physical run's outcome.
    pub fn physical(&self) -> &super::StaticOutcome {
        self.cascade.outcome()
    }

    /// The table's run in time.
    pub fn table_run(&self) -> &super::DynamicOutcome {
        self.dynamic.outcome()
    }
}

impl Bridged {
    /// Builds the bridge for `scenario` on `net` to `table`, the table running for
    /// `run_length` years in `settings`' steps (capacity losses over the scenario's
    /// horizon from the first step).
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a table that is not monetary, a region, sector or
    /// product the bridge names and the network or table lacks, a product without final
    /// use, or two weights on the same (region, product, sector); every error of
    /// [`StaticCascade::new`] and [`Dynamic::new`].
    pub fn new(
        net: &Network,
        scenario: &Realization,
        table: &Network,
        spec: &BridgeSpec,
        settings: DynamicSettings,
        run_length: f64,
    ) -> Result<Self> {
        let bad = |field: String, reason: String| Error::field("bridge", field, reason);
        if table.accounts() != Accounts::Monetary {
            return Err(bad(
                "table".into(),
                "the bridge runs a monetary table (docs/model.md §5.1)".into(),
            ));
        }
        let cascade = StaticCascade::new(net, scenario)?;
        let table_region = |code: &str, field: String| {
            table
                .region_id(code)
                .ok_or_else(|| bad(field, format!("{code} is not a region of the table")))
        };
        let rest = table_region(&spec.rest, "rest".into())?;
        let mut groups = vec![Vec::new(); table.regions().len()];
        for (k, v) in &spec.region_map {
            net.require_region(k).map_err(|_| {
                bad(
                    format!("region_map.{k}"),
                    format!("{k} is not a region of the network"),
                )
            })?;
            table_region(v, format!("region_map.{k}"))?;
        }
        for (i, region) in net.regions().iter().enumerate() {
            let to = match spec.region_map.get(&region.code) {
                Some(code) => table_region(code, format!("region_map.{}", region.code))?,
                None => table.region_id(&region.code).unwrap_or(rest),
            };
            groups[to.index()].push(RegionId(i as u32));
        }
        let mut template = Realization {
            name: format!("{} (bridged)", scenario.name),
            horizon: scenario.horizon,
            run_length: Some(run_length),
            ..Realization::default()
        };
        let mut uses = Vec::new();
        let mut seen: Vec<(usize, ProductId, usize)> = Vec::new();
        for (i, w) in spec.weights.iter().enumerate() {
            let at = |f: &str| format!("weights[{i}].{f}");
            let r = table_region(&w.region, at("region"))?;
            let p = net.require_product(&w.product).map_err(|_| {
                bad(
                    at("product"),
                    format!("{} is not a product of the network", w.product),
                )
            })?;
            if !net.product(p).final_use {
                return Err(bad(
                    at("product"),
                    format!("{} has no final use", w.product),
                ));
            }
            let s = table.product_id(&w.sector).ok_or_else(|| {
                bad(
                    at("sector"),
                    format!("{} is not a sector of the table", w.sector),
                )
            })?;
            if seen.contains(&(r.index(), p, s.index())) {
                return Err(bad(
                    at("sector"),
                    "a second weight on the same region, product and sector".into(),
                ));
            }
            seen.push((r.index(), p, s.index()));
            let k = match (template.capacity_losses.iter())
                .position(|c| c.region == w.region && c.product == w.sector)
            {
                Some(k) => k,
                None => {
                    template.capacity_losses.push(CapacityLoss {
                        item: Default::default(),
                        region: w.region.clone(),
                        product: w.sector.clone(),
                        share: 0.0,
                    });
                    template.capacity_losses.len() - 1
                }
            };
            uses.push((r.index(), p, k, w.weight));
        }
        let dt = settings.step.years();
        let dynamic = Dynamic::new(table, &template, settings)?;
        let loss_nodes = (template.capacity_losses.iter())
            .map(|c| {
                let r = table_region(&c.region, "weights".into())?;
                let s = table.require_product(&c.product)?;
                table.node_id(r, s).ok_or_else(|| {
                    bad(
                        "weights".into(),
                        format!("the table has no {} in {}", c.product, c.region),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let va_share = table
            .node_ids()
            .map(|n| {
                let x = table.output(n);
                let inputs: f64 = table.in_edges(n).map(|e| e.flow).sum();
                if x > 0.0 {
                    1.0 - inputs / x
                } else {
                    0.0
                }
            })
            .collect();
        Ok(Self {
            cascade,
            table: table.clone(),
            dynamic,
            template,
            groups,
            uses,
            va_share,
            loss_nodes,
            run_length,
            dt,
        })
    }

    /// The table it runs.
    pub fn table(&self) -> &Network {
        &self.table
    }
}

impl Engine for Bridged {
    type Workspace = BridgeWorkspace;
    type Outcome = BridgeOutcome;

    fn workspace(&self, net: &Network) -> BridgeWorkspace {
        let t = &self.table;
        let ni = t.regions().len() * t.products().len();
        BridgeWorkspace {
            cascade: self.cascade.workspace(net),
            dynamic: self.dynamic.workspace(t),
            realization: self.template.clone(),
            outcome: BridgeOutcome {
                regions: t.regions().iter().map(|r| r.code.clone()).collect(),
                sectors: t.products().iter().map(|p| p.id.clone()).collect(),
                capacity_loss: vec![0.0; ni],
                output_lost: vec![0.0; ni],
                value_added_lost: vec![0.0; ni],
                direct: vec![0.0; ni],
            },
        }
    }

    fn outcome<'w>(&self, ws: &'w BridgeWorkspace) -> &'w BridgeOutcome {
        &ws.outcome
    }

    fn warnings(&self) -> &[String] {
        self.cascade.warnings()
    }

    fn run(&self, net: &Network, r: &Realization, ws: &mut BridgeWorkspace) -> Result<()> {
        // §7.4 step 1: the physical run and its shortfall shares.
        self.cascade.run(net, r, &mut ws.cascade)?;
        let o = ws.cascade.outcome();
        let np = net.products().len();
        for loss in &mut ws.realization.capacity_losses {
            loss.share = 0.0;
        }
        // Step 2: capacity losses, Σ_u w φ, at most 1.
        for &(region, p, k, w) in &self.uses {
            let (mut short, mut base) = (0.0, 0.0);
            for g in &self.groups[region] {
                let i = g.index() * np + p.index();
                short += o.final_shortfall[i];
                base += o.final_baseline[i];
            }
            let phi = if base > 0.0 { short / base } else { 0.0 };
            let loss = &mut ws.realization.capacity_losses[k].share;
            *loss = (*loss + w * phi).min(1.0);
        }
        // Step 3: the table in time, the losses over the horizon.
        ws.realization.horizon = r.horizon.min(self.run_length);
        self.dynamic
            .run(&self.table, &ws.realization, &mut ws.dynamic)?;
        let d = ws.dynamic.outcome();
        let out = &mut ws.outcome;
        let ns = self.table.products().len();
        let at = |n: NodeId| {
            let node = self.table.node(n);
            node.region.index() * ns + node.product.index()
        };
        out.capacity_loss.fill(0.0);
        for (loss, &n) in ws.realization.capacity_losses.iter().zip(&self.loss_nodes) {
            out.capacity_loss[at(n)] = loss.share;
        }
        // The losses hold over whole steps (§5.7): the direct loss counts those.
        let horizon = (ws.realization.horizon / self.dt).round() * self.dt;
        for n in self.table.node_ids() {
            let (i, v) = (at(n), self.va_share[n.index()]);
            let base = d.baseline_output(n);
            let lost: f64 = (0..d.steps).map(|t| base - d.output(n, t)).sum();
            out.output_lost[i] = lost;
            out.value_added_lost[i] = v * lost;
            out.direct[i] = v * out.capacity_loss[i] * self.table.output(n) * horizon;
        }
        Ok(())
    }
}
