//! The outcome of one static-cascade run (docs/model.md §4.6), and its bloc aggregates.

use std::sync::Arc;

use serde::Serialize;

use crate::network::{Network, ProductId, RegionId};
use crate::report::{displayed_as_report, Cell, Report, Table};

/// Labels for display, shared by every outcome of one workspace (cloned once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Labels {
    pub regions: Vec<String>,
    pub products: Vec<String>,
    pub units: Vec<String>,
    pub final_use: Vec<bool>,
}

impl Labels {
    pub fn of(net: &Network) -> Self {
        Self {
            regions: net.regions().iter().map(|r| r.code.clone()).collect(),
            products: net.products().iter().map(|p| p.id.clone()).collect(),
            units: net.products().iter().map(|p| p.unit.clone()).collect(),
            final_use: net.products().iter().map(|p| p.final_use).collect(),
        }
    }
}

/// What one realization does, over its horizon. Tables indexed `[region][product]` are
/// flat, `region * products + product`; quantities are in each product's unit over the
/// horizon unless named `_share`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticOutcome {
    #[serde(skip)]
    pub(crate) labels: Arc<Labels>,
    /// The horizon, years.
    pub horizon: f64,
    /// Realised output minus baseline output over the horizon, per node (signed).
    pub output_change: Vec<f64>,
    /// What a region's users (producers and final use) were scheduled to receive.
    pub absorption_baseline: Vec<f64>,
    /// `Σ_users max(0, scheduled - received)`, final use after demand response; excludes
    /// unallocated residuals.
    pub absorption_shortfall: Vec<f64>,
    /// Scheduled final use (after any demand shift).
    pub final_baseline: Vec<f64>,
    /// Final-use shortfall after demand response.
    pub final_shortfall: Vec<f64>,
    /// Deficit of unallocated residual use (products with no real final use), reported
    /// apart from headline shortfalls.
    pub unallocated_shortfall: Vec<f64>,
    /// Final-use deficit deferred (backlog).
    pub backlog: Vec<f64>,
    /// Final-use deficit met by another technology.
    pub substituted: Vec<f64>,
    /// Tonnes of a preferred input that producers replaced by a substitute, by region and
    /// the preferred input (substitution groups, docs/model.md §4.9).
    pub switched: Vec<f64>,
    /// Inputs received above a producer's baseline schedule (for an expansion).
    pub expansion_input: Vec<f64>,
    /// Inputs received and not used (`received - a · output`), by the region and input.
    pub stranded: Vec<f64>,
    /// Own stock released, by region and product.
    pub stock_released: Vec<f64>,
    /// Per product: blocked volume kept by the exporter.
    pub kept: Vec<f64>,
    /// Per product: blocked volume diverted into the pool.
    pub diverted: Vec<f64>,
    /// Per product: blocked volume that still arrived through third countries (λ).
    pub leaked: Vec<f64>,
    /// Per product: tagged processed volume offered (the base of the κ gate).
    pub processed: Vec<f64>,
    /// Per product: tagged processed volume that reached targets (at most κ · processed).
    pub processed_leaked: Vec<f64>,
    /// Per product: all tagged volume that target claims received, raw or processed (the
    /// property: at most κ · processed).
    pub tagged_to_targets: Vec<f64>,
    /// Per product: incremental supply and diverted volume no claim took.
    pub surplus: Vec<f64>,
    /// Passes of the sweeps the recycling loops took to converge (1 without loops;
    /// docs/model.md §1.9).
    pub recycling_passes: usize,
    /// The last pass's largest relative change of a recycled flow's bound (at most
    /// `tolerance::RECYCLING` when the loops converged).
    pub recycling_residual: f64,
    /// Per product: what joint outputs' hosts allowed and they did not make (co-products
    /// disposed of, content not recovered; docs/model.md §1.8).
    pub joint_surplus: Vec<f64>,
    /// Per product: realised production over the horizon.
    pub production: Vec<f64>,
    /// Per product: received by all users (deliveries, own stock and pool).
    pub received: Vec<f64>,
    /// Per (node, input), aligned with `Network::inputs` node by node: received over the
    /// horizon.
    pub received_inputs: Vec<f64>,
    /// Per product: incremental supply added to the pool (restoration and expansion).
    pub incremental: Vec<f64>,
    /// Per region: what the losses are worth at baseline prices (docs/model.md §7.3);
    /// `None` without prices.
    pub value: Option<ValueLost>,
    /// The market step's prices and what they did (docs/model.md §7.1); `None` without
    /// a market step.
    pub market: Option<MarketOutcome>,
}

/// What the losses of a run are worth, per region, money at baseline prices (docs/model.md
/// §7.3). Gross output and value added are never summed with each other or with final
/// goods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueLost {
    /// `Σ_n p_k·max(0, h x_n - Q_n)` over the region's nodes of priced products (the former
    /// `value_of_lost_output`): counts an input again in each product made from it.
    pub gross_output_lost: Vec<f64>,
    /// `Σ_n v_n·(h x_n - Q_n)`, `v_n` value added per unit at baseline: GDP lost within
    /// the network, signed (negative where output rises above baseline; thrift adds none,
    /// docs/model.md §7.3). `None` when a price it needs is missing (the engine's warning
    /// names it).
    pub value_added_lost: Option<Vec<f64>>,
    /// The value of the final goods the region's final-use shortfalls stop (products with
    /// `final_goods`), apart from value added.
    pub final_goods_lost: Vec<f64>,
}

/// The market step's result (docs/model.md §7.1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketOutcome {
    /// `market * products + product`: the price relative to baseline after the last pass
    /// (1 where a market has no users).
    pub prices: Vec<f64>,
    /// Per (region, product): final demand the price removed (`(1 - d)·s`), apart from
    /// shortfalls.
    pub priced_out: Vec<f64>,
    /// Per (region, product): the demand factor `d` of its market: final users' (a
    /// producer's recipe takes it at most 1).
    pub demand_factor: Vec<f64>,
    /// Passes of the sweeps run, over all cascades and recycling passes (the cost: a run
    /// without the market step takes one per cascade, or its recycling passes).
    pub cascades: usize,
    /// After the last pass, the largest `|ln(D/A)|` over markets whose price lies strictly
    /// inside `(floor, choke)`: 0 when they clear.
    pub residual: f64,
    /// Per (region, product): front-loaded stock used (precautionary buying, §7.6).
    pub front_loaded: Vec<f64>,
}

impl MarketOutcome {
    pub(crate) fn new(nr: usize, np: usize) -> Self {
        Self {
            prices: vec![1.0; 3 * np],
            priced_out: vec![0.0; nr * np],
            demand_factor: vec![1.0; nr * np],
            cascades: 0,
            residual: 0.0,
            front_loaded: vec![0.0; nr * np],
        }
    }
}

impl StaticOutcome {
    pub(crate) fn new(net: &Network) -> Self {
        let (nr, np, nn) = (net.regions().len(), net.products().len(), net.nodes().len());
        let rp = || vec![0.0; nr * np];
        let p = || vec![0.0; np];
        Self {
            labels: Arc::new(Labels::of(net)),
            horizon: 0.0,
            output_change: vec![0.0; nn],
            absorption_baseline: rp(),
            absorption_shortfall: rp(),
            final_baseline: rp(),
            final_shortfall: rp(),
            unallocated_shortfall: rp(),
            backlog: rp(),
            substituted: rp(),
            switched: rp(),
            expansion_input: rp(),
            stranded: rp(),
            stock_released: rp(),
            kept: p(),
            diverted: p(),
            leaked: p(),
            processed: p(),
            processed_leaked: p(),
            tagged_to_targets: p(),
            surplus: p(),
            joint_surplus: p(),
            recycling_passes: 1,
            recycling_residual: 0.0,
            production: p(),
            received: p(),
            received_inputs: vec![0.0; net.node_ids().map(|n| net.inputs(n).len()).sum()],
            incremental: p(),
            value: None,
            market: None,
        }
    }

    /// Number of regions of the network.
    pub fn regions(&self) -> usize {
        self.labels.regions.len()
    }

    /// The index of (region, product) in the flat tables.
    pub(crate) fn index(&self, region: RegionId, product: ProductId) -> usize {
        region.index() * self.labels.products.len() + product.index()
    }

    /// Absorption shortfall of a region and product over the horizon.
    pub fn absorption_shortfall(&self, region: RegionId, product: ProductId) -> f64 {
        self.absorption_shortfall[self.index(region, product)]
    }

    /// Final-use shortfall of a region and product over the horizon.
    pub fn final_shortfall(&self, region: RegionId, product: ProductId) -> f64 {
        self.final_shortfall[self.index(region, product)]
    }

    /// Units of the preferred input `product` that `region`'s producers replaced by a
    /// substitute over the horizon (substitution groups, docs/model.md §4.9).
    pub fn switched(&self, region: RegionId, product: ProductId) -> f64 {
        self.switched[self.index(region, product)]
    }

    /// Absorption shortfall as a share of the *annual* baseline (a fixed denominator);
    /// `None` where the baseline is zero.
    pub fn absorption_share(&self, region: RegionId, product: ProductId) -> Option<f64> {
        let i = self.index(region, product);
        share(
            self.absorption_shortfall[i],
            self.absorption_baseline[i] / self.horizon,
        )
    }

    /// Final-use shortfall as a share of the annual baseline; `None` where it is zero.
    pub fn final_share(&self, region: RegionId, product: ProductId) -> Option<f64> {
        let i = self.index(region, product);
        share(
            self.final_shortfall[i],
            self.final_baseline[i] / self.horizon,
        )
    }

    /// Figures of a bloc, summed over members within each product.
    pub fn bloc(&self, members: &[RegionId]) -> BlocFigures {
        let np = self.labels.products.len();
        let mut b = BlocFigures {
            absorption_baseline: vec![0.0; np],
            absorption_shortfall: vec![0.0; np],
            final_baseline: vec![0.0; np],
            final_shortfall: vec![0.0; np],
        };
        for &r in members {
            for p in 0..np {
                let i = r.index() * np + p;
                b.absorption_baseline[p] += self.absorption_baseline[i];
                b.absorption_shortfall[p] += self.absorption_shortfall[i];
                b.final_baseline[p] += self.final_baseline[i];
                b.final_shortfall[p] += self.final_shortfall[i];
            }
        }
        b
    }

    /// Gross output lost by a set of regions, money at baseline prices (docs/model.md
    /// §7.3); `None` without prices. Not GDP: see [`StaticOutcome::value_added_lost`].
    pub fn gross_output_lost(&self, members: &[RegionId]) -> Option<f64> {
        (self.value.as_ref()).map(|v| members.iter().map(|r| v.gross_output_lost[r.index()]).sum())
    }

    /// Value added (GDP) lost by a set of regions within the network, money at baseline
    /// prices; `None` without a price for every product and input (docs/model.md §7.3).
    pub fn value_added_lost(&self, members: &[RegionId]) -> Option<f64> {
        let v = self.value.as_ref()?.value_added_lost.as_ref()?;
        Some(members.iter().map(|r| v[r.index()]).sum())
    }

    /// The value of the final goods a set of regions' final-use shortfalls stop, money;
    /// `None` without prices. Never add it to value added.
    pub fn final_goods_lost(&self, members: &[RegionId]) -> Option<f64> {
        (self.value.as_ref()).map(|v| members.iter().map(|r| v.final_goods_lost[r.index()]).sum())
    }

    /// The price of `product` in `market` relative to baseline after the market step;
    /// `None` without one.
    pub fn price(&self, market: super::MarketId, product: ProductId) -> Option<f64> {
        let np = self.labels.products.len();
        (self.market.as_ref()).map(|m| m.prices[market.index() * np + product.index()])
    }

    /// Final demand of a region for a product that the market step's price removed.
    pub fn priced_out(&self, region: RegionId, product: ProductId) -> f64 {
        let i = self.index(region, product);
        self.market.as_ref().map_or(0.0, |m| m.priced_out[i])
    }

    pub(crate) fn reset(&mut self, horizon: f64, priced: bool, value_added: bool) {
        self.horizon = horizon;
        self.recycling_passes = 1;
        self.recycling_residual = 0.0;
        for v in [
            &mut self.output_change,
            &mut self.absorption_baseline,
            &mut self.absorption_shortfall,
            &mut self.final_baseline,
            &mut self.final_shortfall,
            &mut self.unallocated_shortfall,
            &mut self.backlog,
            &mut self.substituted,
            &mut self.switched,
            &mut self.expansion_input,
            &mut self.stranded,
            &mut self.stock_released,
            &mut self.kept,
            &mut self.diverted,
            &mut self.leaked,
            &mut self.processed,
            &mut self.processed_leaked,
            &mut self.tagged_to_targets,
            &mut self.surplus,
            &mut self.joint_surplus,
            &mut self.production,
            &mut self.received,
            &mut self.received_inputs,
            &mut self.incremental,
        ] {
            v.fill(0.0);
        }
        let nr = self.labels.regions.len();
        match (&mut self.value, priced) {
            (Some(v), true) => {
                v.gross_output_lost.fill(0.0);
                v.final_goods_lost.fill(0.0);
                if let Some(a) = v.value_added_lost.as_mut() {
                    a.fill(0.0);
                }
            }
            (slot, true) => {
                *slot = Some(ValueLost {
                    gross_output_lost: vec![0.0; nr],
                    value_added_lost: value_added.then(|| vec![0.0; nr]),
                    final_goods_lost: vec![0.0; nr],
                })
            }
            (slot, false) => *slot = None,
        }
    }
}

fn share(x: f64, base: f64) -> Option<f64> {
    (base > 0.0).then(|| x / base)
}

/// A bloc's figures per product (sums over members, per run).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlocFigures {
    /// Scheduled absorption over the horizon, per product.
    pub absorption_baseline: Vec<f64>,
    /// Absorption shortfall, per product.
    pub absorption_shortfall: Vec<f64>,
    /// Scheduled final use, per product.
    pub final_baseline: Vec<f64>,
    /// Final-use shortfall, per product.
    pub final_shortfall: Vec<f64>,
}

impl Report for StaticOutcome {
    fn tables(&self) -> Vec<Table> {
        let l = &self.labels;
        let np = l.products.len();
        let mut t = Table::new(
            format!(
                "Static cascade: shortfalls over a horizon of {}",
                crate::report::years(self.horizon)
            ),
            &[
                "region",
                "product",
                "unit",
                "absorption shortfall",
                "share of annual use",
                "final-use shortfall",
                "share of annual final use",
            ],
        );
        for (r, region) in l.regions.iter().enumerate() {
            for p in 0..np {
                let i = r * np + p;
                let noise = crate::tolerance::FIXED_POINT * self.absorption_baseline[i];
                if self.absorption_shortfall[i] <= noise && self.final_shortfall[i] <= noise {
                    continue;
                }
                let annual = |base: f64| share(1.0, base / self.horizon);
                let a = annual(self.absorption_baseline[i]).map_or(Cell::Empty, |k| {
                    Cell::Share(k * self.absorption_shortfall[i])
                });
                let f = annual(self.final_baseline[i])
                    .map_or(Cell::Empty, |k| Cell::Share(k * self.final_shortfall[i]));
                t.row(vec![
                    Cell::Text(region.clone()),
                    Cell::Text(l.products[p].clone()),
                    Cell::Text(l.units[p].clone()),
                    Cell::Number(self.absorption_shortfall[i]),
                    a,
                    Cell::Number(self.final_shortfall[i]),
                    f,
                ]);
            }
        }
        t.note("only (region, product) pairs with a shortfall are listed; docs/model.md §4");
        let mut v = Table::new(
            "Volumes by product over the horizon",
            &[
                "product",
                "unit",
                "production",
                "kept",
                "diverted",
                "leaked",
                "incremental",
                "surplus",
            ],
        );
        for p in 0..np {
            v.row(vec![
                Cell::Text(l.products[p].clone()),
                Cell::Text(l.units[p].clone()),
                Cell::Number(self.production[p]),
                Cell::Number(self.kept[p]),
                Cell::Number(self.diverted[p]),
                Cell::Number(self.leaked[p]),
                Cell::Number(self.incremental[p]),
                Cell::Number(self.surplus[p]),
            ]);
        }
        vec![t, v]
    }
}

displayed_as_report!(StaticOutcome);
