//! The market step in time (docs/model.md §7.5): one price per market and product per
//! step, the levers it sets for the next step (users' demand, the ramp of spare capacity,
//! leakage and κ, stock release), and the update from what the market's users asked and
//! got. The markets and the levers' formulas are §7.1's (`src/engine/market.rs`).

use super::outcome::MarketStep;
use super::plan::Plan;
use crate::engine::market::{factor_at, leak_gap, next_price, supply_factor, MarketId, Markets};
use crate::engine::resolved::Resolved;
use crate::engine::resolved::NONE;
use crate::error::Result;
use crate::network::Network;
use crate::scenario::Realization;

const MARKETS: usize = MarketId::ALL.len();

/// Where each of the engine's users and suppliers trades, built once per engine. Every
/// index `m·P + k` names market `m` of product `k`.
#[derive(Debug, Clone)]
pub(super) struct PricePlan {
    markets: Markets,
    /// Input slots of listed products: (slot, market of the slot's region).
    pub slots: Vec<(u32, u32)>,
    /// Producers of listed products: (node, market of its region).
    sellers: Vec<(u32, u32)>,
    /// Final users of listed products: ((region, product) index, its market).
    sinks: Vec<(u32, u32)>,
    /// Per (region, product) index: its market.
    sink: Vec<u32>,
    /// Per node (internal order): the market of its region for its product.
    node: Vec<u32>,
    /// Per stockpile: the market of its region.
    pile: Vec<u32>,
    /// The share of a full tâtonnement step taken per time step: `1 - exp(-Δt/T)`, or
    /// 1/4 without `T`.
    adjust: f64,
    /// Precautionary buying (§7.6): the bloc's producers' slots of restricted inputs, the
    /// extra cover in steps, and the step of the announcement.
    front: Vec<u32>,
    extra: f64,
    announced: usize,
    /// Per product: whether a restriction names it; the step the shocks start.
    restricted: Vec<bool>,
    start: usize,
}

impl PricePlan {
    /// The markets of `scenario` laid out in the plan's order (docs/model.md §7.5).
    ///
    /// # Errors
    /// An unknown product in `market.products`.
    pub fn new(
        net: &Network,
        scenario: &Realization,
        resolved: &Resolved,
        plan: &Plan,
    ) -> Result<Self> {
        let markets = Markets::new(net, scenario, resolved)?;
        let np = plan.products;
        let at = |region: usize, k: usize| (markets.of(region, k).index() * np + k) as u32;
        let region_of = |f: usize| net.node(plan.node_at[f]).region.index();
        let node: Vec<u32> = (0..plan.x0.len())
            .map(|f| at(region_of(f), plan.product[f] as usize))
            .collect();
        let mut slots = Vec::new();
        for f in 0..plan.x0.len() {
            for slot in plan.slot_start[f]..plan.slot_start[f + 1] {
                let k = plan.slot_product[slot] as usize;
                if markets.entry[k].is_some() {
                    slots.push((slot as u32, at(region_of(f), k)));
                }
            }
        }
        let sellers = (0..plan.x0.len())
            .filter(|&f| {
                let (n, k) = (plan.node_at[f], plan.product[f] as usize);
                markets.entry[k].is_some()
                    && net.node(n).kind == crate::network::NodeKind::Producer
                    && markets.offers_unused(region_of(f), k)
            })
            .map(|f| (f as u32, node[f]))
            .collect();
        let nrp = net.regions().len() * np;
        let sink: Vec<u32> = (0..nrp).map(|i| at(i / np, i % np)).collect();
        let sinks = (0..nrp)
            .filter(|i| markets.entry[i % np].is_some())
            .map(|i| (i as u32, sink[i]))
            .collect();
        let pile = (plan.piles.iter())
            .map(|pile| at(pile.region, pile.product))
            .collect();
        let (mut front, mut extra, mut announced) = (Vec::new(), 0.0, 0);
        let start = (scenario.start.unwrap_or(0.0) / plan.dt).round() as usize;
        if let Some(c) = scenario.market.as_ref().and_then(|m| m.precaution.as_ref()) {
            for f in 0..plan.x0.len() {
                for slot in plan.slot_start[f]..plan.slot_start[f + 1] {
                    let k = plan.slot_product[slot] as usize;
                    if markets.of(region_of(f), k) == MarketId::Bloc {
                        front.push(slot as u32);
                    }
                }
            }
            extra = c.days / (plan.dt * 365.0);
            announced = (start as f64 - (c.lead / plan.dt).round()).max(0.0) as usize;
        }
        let mut restricted = vec![false; np];
        for x in &scenario.restrictions {
            for p in &x.products {
                if let Some(k) = net.product_id(p) {
                    restricted[k.index()] = true;
                }
            }
        }
        let adjust = match scenario.market.as_ref().and_then(|m| m.adjust_days) {
            // A quarter of the step: the most that settles without cycling when the
            // market's demand was placed a step earlier (docs/model.md §7.5).
            None => 0.25,
            Some(days) if days > 0.0 => 1.0 - (-plan.dt * 365.0 / days).exp(),
            Some(_) => 1.0,
        };
        Ok(Self {
            markets,
            slots,
            sellers,
            sinks,
            sink,
            node,
            pile,
            adjust,
            front,
            extra,
            announced,
            restricted,
            start,
        })
    }

    /// Whether node `f` may run at full capacity at step `t`: between the announcement of
    /// a precautionary-buying scenario and the start, every maker of a restricted product
    /// sells what it can (docs/model.md §7.6).
    pub fn front_loading(&self, plan: &Plan, f: usize, t: usize) -> bool {
        self.extra > 0.0
            && !self.front.is_empty()
            && (self.announced..self.start).contains(&t)
            && self.restricted[plan.product[f] as usize]
            && (plan.expands[f] || plan.node_cut_of[f] != NONE)
    }

    /// Listed products that cross no border, as warnings.
    pub fn warnings(&self) -> &[String] {
        &self.markets.warnings
    }
}

/// The prices of a run and the levers they set; sized once per workspace.
#[derive(Debug, Clone)]
pub(super) struct Pricing {
    /// Per market and product: the price in force this step.
    pub price: Vec<f64>,
    /// Per market and product: users' factor `d` on their schedule this step.
    demand: Vec<f64>,
    /// Per market and product: the factor on the ramp `ρ` of its expanding nodes.
    supply: Vec<f64>,
    /// Per market and product: whether its stockpiles may release.
    open: Vec<bool>,
    /// Per product: the leakage factor `g`.
    pub gap: Vec<f64>,
    /// Per (region, product): final users' `d` this step.
    pub sink: Vec<f64>,
    /// Per market and product, this step: what its users asked and got.
    asked: Vec<f64>,
    got: Vec<f64>,
    /// Per product, this step: what diverting exporters made for blocked orders and sold
    /// to nobody.
    pub surplus: Vec<f64>,
    /// Per (region, product), this step: what final users asked and got.
    final_asked: Vec<f64>,
    final_got: Vec<f64>,
    /// Per slot with precautionary buying (§7.6), else empty: extra cover this step, in
    /// steps.
    pub extra: Vec<f64>,
}

impl Pricing {
    pub fn new(plan: &PricePlan, products: usize, slots: usize) -> Self {
        let width = MARKETS * products;
        Self {
            price: vec![1.0; width],
            demand: vec![1.0; width],
            supply: vec![1.0; width],
            open: vec![true; width],
            gap: vec![1.0; products],
            sink: vec![1.0; plan.sink.len()],
            asked: vec![0.0; width],
            got: vec![0.0; width],
            surplus: vec![0.0; products],
            final_asked: vec![0.0; plan.sink.len()],
            final_got: vec![0.0; plan.sink.len()],
            extra: if plan.front.is_empty() {
                Vec::new()
            } else {
                vec![0.0; slots]
            },
        }
    }

    /// Every price at baseline, the levers they set, nothing asked yet.
    pub fn start(&mut self, plan: &PricePlan, r: &Realization, tau: f64) {
        self.price.fill(1.0);
        self.asked.fill(0.0);
        self.got.fill(0.0);
        self.surplus.fill(0.0);
        self.levers(plan, r, tau);
    }

    /// The levers of the prices in force, `τ` years after the shocks' start (§7.5).
    fn levers(&mut self, plan: &PricePlan, r: &Realization, tau: f64) {
        let Some(market) = &r.market else { return };
        let np = self.gap.len();
        for (k, entry) in plan.markets.entry.iter().enumerate() {
            let Some(e) = entry.map(|i| &market.products[i]) else {
                continue;
            };
            let eps = e.demand_elasticity_at(tau);
            let bloc = self.price[MarketId::Bloc.index() * np + k];
            for m in MarketId::ALL {
                let i = m.index() * np + k;
                let p = self.price[i];
                self.demand[i] = factor_at(p, eps, e.max_fall);
                self.supply[i] = supply_factor(p.max(bloc), Some(e));
                self.open[i] = p >= e.release_at;
            }
            let origin = self.price[MarketId::Origin.index() * np + k];
            self.gap[k] = leak_gap(origin, bloc, market.leakage_elasticity);
        }
        for &(i, m) in &plan.sinks {
            self.sink[i as usize] = self.demand[m as usize];
        }
    }

    /// Precautionary buying at step `t` (§7.6): the bloc's producers' extra cover from the
    /// announcement on.
    pub fn precaution(&mut self, plan: &PricePlan, t: usize) {
        let extra = if t >= plan.announced { plan.extra } else { 0.0 };
        for &slot in &plan.front {
            self.extra[slot as usize] = extra;
        }
    }

    /// A producer's factor on its coefficient for the input of market `m`: `min(1, d)`.
    pub fn thrift(&self, m: u32) -> f64 {
        self.demand[m as usize].min(1.0)
    }

    /// The cut on flows of product `k` to the bloc, from the restriction's cut `c`
    /// (times the leakage factor): it allows a volume, `1 - c` of the baseline, so a bloc
    /// whose price cut its demand to `d < 1` has `max(0, 1 - (1 - c)/d)` of its orders
    /// cut (docs/model.md §7.5).
    pub fn quota(&self, k: usize, c: f64) -> f64 {
        let d = self.demand[MarketId::Bloc.index() * self.gap.len() + k].min(1.0);
        if d < 1.0 {
            (1.0 - (1.0 - c) / d).max(0.0)
        } else {
            c
        }
    }

    /// The factor on the ramp of node `f`.
    pub fn ramp(&self, plan: &PricePlan, f: usize) -> f64 {
        self.supply[plan.node[f] as usize]
    }

    /// Whether stockpile `pile` may release at this step's price.
    pub fn releases(&self, plan: &PricePlan, pile: usize) -> bool {
        self.open[plan.pile[pile] as usize]
    }

    /// Counts what a stockpile released into its region's users' inventories.
    pub fn released(&mut self, plan: &PricePlan, pile: usize, amount: f64) {
        self.got[plan.pile[pile] as usize] += amount;
    }

    /// What the outcome's record of a step reads and fills (docs/model.md §7.5).
    pub fn step(&mut self) -> MarketStep<'_> {
        MarketStep {
            prices: &self.price,
            demand: &self.sink,
            asked: &mut self.final_asked,
            got: &mut self.final_got,
        }
    }

    /// The market's users' demands of the step: each listed slot's orders due and
    /// receipts, each final user's asked demand and what it got (deliveries and stock
    /// released to it, as the step's record filled them), and producers' baseline output
    /// nobody asked for.
    pub fn count(
        &mut self,
        plan: &PricePlan,
        (asked, received): (&[f64], &[f64]),
        (x0, cap, demand): (&[f64], &[f64], &[f64]),
    ) {
        for &(slot, m) in &plan.slots {
            self.asked[m as usize] += asked[slot as usize];
            self.got[m as usize] += received[slot as usize];
        }
        // What a producer could make at baseline and nobody asked for is on offer in its
        // region's market.
        for &(f, m) in &plan.sellers {
            let f = f as usize;
            let unused = x0[f].min(cap[f]) - demand[f];
            if unused > 0.0 {
                self.got[m as usize] += unused;
            }
        }
        for &(i, m) in &plan.sinks {
            self.asked[m as usize] += self.final_asked[i as usize];
            self.got[m as usize] += self.final_got[i as usize];
        }
    }

    /// The price update at the end of a step (docs/model.md §7.5), from what was counted
    /// at elasticity `ε(τ)`; then the levers for the next step at `τ_next`.
    pub fn update(&mut self, plan: &PricePlan, r: &Realization, (tau, tau_next): (f64, f64)) {
        let Some(market) = &r.market else { return };
        let np = self.gap.len();
        for (k, entry) in plan.markets.entry.iter().enumerate() {
            let Some(e) = entry.map(|i| &market.products[i]) else {
                continue;
            };
            let slope = (e.demand_elasticity_at(tau) + e.supply) / plan.adjust;
            for m in MarketId::ALL {
                let i = m.index() * np + k;
                let mut supply = self.got[i];
                if m == MarketId::Origin {
                    supply += self.surplus[k];
                }
                self.price[i] = next_price(
                    self.price[i],
                    self.asked[i],
                    supply,
                    slope,
                    market.floor,
                    market.choke,
                );
            }
        }
        self.asked.fill(0.0);
        self.got.fill(0.0);
        self.surplus.fill(0.0);
        self.levers(plan, r, tau_next);
    }
}
