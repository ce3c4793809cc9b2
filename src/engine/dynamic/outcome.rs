//! The paths a dynamic run records (docs/model.md §5.5).

use std::sync::Arc;

use serde::Serialize;

use super::{Dynamic, Plan};
use crate::engine::outcome::Labels;
use crate::engine::MarketId;
use crate::network::{Network, NodeId, ProductId, RegionId};
use crate::report::{displayed_as_report, Cell, Report, Table};

/// What a step hands to the outcome.
pub(super) struct StepRecord<'a> {
    pub x: &'a [f64],
    pub demand: &'a [f64],
    pub alpha: &'a [f64],
    pub stock: &'a [f64],
    pub received: &'a [f64],
    pub arrived: &'a [f64],
    /// Per slot, the part of `arrived` from the firms' origins (empty without firms).
    pub arrived_o: &'a [f64],
    pub served: &'a [f64],
    pub cut: &'a [f64],
    /// Per product: shipments to input slots blocked and kept, and blocked volume
    /// diverted.
    pub kept: &'a [f64],
    pub diverted: &'a [f64],
    /// Per node: share of non-cut demands served and tagged share of deliveries to
    /// targets; κ per product.
    pub free: &'a [f64],
    pub share: &'a [f64],
    pub kappa: &'a [f64],
    pub final_release: &'a [f64],
    /// Per `(region, product)`: final demand asked this step over its baseline (1 plus
    /// the backlog's share).
    pub fd_scale: &'a [f64],
    /// Shares of the remaining final-use gap deferred and met by another technology.
    pub deferrable: f64,
    pub substitutable: f64,
    /// Per slot: the factor on its coefficient this step (thrifting, §5.7, times the
    /// market step's, §7.5).
    pub theta: &'a [f64],
    /// The slots whose factor may be below 1.
    pub reduced: &'a [usize],
    /// Per switching node of the plan: the preferred input it replaced this step, and
    /// what arrived of its switch orders (§5.7).
    pub switch_moved: &'a [f64],
    pub switch_got: &'a [f64],
    /// Per node: rebuilding demand asked this step (empty without rebuilding, §5.13);
    /// per rebuilding event: its stock left after the step.
    pub rebuild_asked: &'a [f64],
    pub rebuild_left: &'a [f64],
}

/// Paths of one dynamic run: per step, every node's output, demand and overproduction
/// factor, every input inventory, the absorption and final-use shortfall per (region,
/// product), stockpile levels, and each product's balance. Quantities are per step in
/// each product's unit. Read nodes and inventories through the accessors (the engine keeps
/// nodes in its own order); tables by (region, product) are flat,
/// `step * width + region * products + product`.
#[derive(Clone, PartialEq, Serialize)]
pub struct DynamicOutcome {
    #[serde(skip)]
    pub(super) labels: Arc<Labels>,
    /// The step, days.
    pub step_days: f64,
    /// Steps in the run.
    pub steps: usize,
    /// `ψ`: an inventory below `ψ` times its target constrains output.
    pub psi: f64,
    /// `(region, product)` of each node, in the engine's order.
    nodes: Vec<(RegionId, ProductId)>,
    /// The engine's index of each network node.
    pos: Vec<u32>,
    /// Inventory slots of each node (engine order), the input product of each slot, and
    /// its baseline (target) inventory.
    slot_start: Vec<usize>,
    slot_input: Vec<ProductId>,
    inventory_target: Vec<f64>,
    baseline_output: Vec<f64>,
    output: Vec<f64>,
    demand: Vec<f64>,
    alpha: Vec<f64>,
    inventory: Vec<f64>,
    /// Baseline final use per step, `[region][product]` (real final use only:
    /// unallocated residuals are left out, as in the static engine).
    pub final_baseline: Vec<f64>,
    /// Final use not served, `[step][region][product]`, after stockpile release.
    pub final_shortfall: Vec<f64>,
    /// Baseline absorption per step (input slots and final use), `[region][product]`.
    pub absorption_baseline: Vec<f64>,
    /// `Σ_users max(0, baseline - received)`, `[step][region][product]`, before stockpile
    /// release (released volume is reported in `released`).
    pub absorption_shortfall: Vec<f64>,
    /// Final-use gap deferred to the next step (demand response), `[step][region][product]`.
    pub backlog: Vec<f64>,
    /// Preferred input replaced by a substitute per step, `[step][region][product]`
    /// (substitution groups, §5.7); empty without groups.
    pub switched: Vec<f64>,
    /// Final-use gap met by another technology, `[step][region][product]`.
    pub substituted: Vec<f64>,
    /// What producers lacked of their inputs, `[step][region][product]` (the input part
    /// of `absorption_shortfall`), and their baseline receipt per step.
    pub input_shortfall: Vec<f64>,
    /// See `input_shortfall`.
    pub input_baseline: Vec<f64>,
    /// Stockpiles: `(region, product)`, floor, and level at the end of each step
    /// `[step][pile]`.
    piles: Vec<(RegionId, ProductId)>,
    pile_floor: Vec<f64>,
    pile_start: Vec<f64>,
    pile_level: Vec<f64>,
    /// Per step and product `[step][product]`: output, shipped to input slots, to final
    /// use, blocked and kept by exporters, released from stockpiles.
    pub produced: Vec<f64>,
    /// See `produced`.
    pub to_users: Vec<f64>,
    /// See `produced`.
    pub to_final: Vec<f64>,
    /// See `produced`.
    pub kept: Vec<f64>,
    /// See `produced`.
    pub released: Vec<f64>,
    /// Per step and product: delivered to rebuilding (docs/model.md §5.13; empty without
    /// a rebuilding event), part of the balance with `to_users`, `to_final` and `kept`.
    pub to_rebuild: Vec<f64>,
    /// Per step and rebuilding event `[step][event]`: the rebuilding stock left after the
    /// step (read with [`DynamicOutcome::rebuild_left`]).
    rebuild_left: Vec<f64>,
    /// Per step and product: blocked volume diverted to non-targets (`divert`).
    pub diverted: Vec<f64>,
    /// With a market step (docs/model.md §7.5), the price in force per step, market and
    /// product, `[step][market][product]` (read with [`DynamicOutcome::price`]); empty
    /// without one.
    pub prices: Vec<f64>,
    /// With a market step, final demand priced out per step, `[step][region][product]`
    /// (negative where a price below baseline drew demand in); empty without one.
    pub priced_out: Vec<f64>,
    /// With firms (docs/model.md §5.5): per step what arrived at the region's producers
    /// of each input, `[step][region][product]`, the part of it from the firms' origins,
    /// and that part's baseline per step `[region][product]`; empty without firms.
    pub(super) arrived_all: Vec<f64>,
    pub(super) arrived_origin: Vec<f64>,
    pub(super) origin_baseline: Vec<f64>,
    /// The scenario's firms, with this run's cover scale.
    pub(super) firms: Option<crate::scenario::Firms<f64>>,
}

/// A summary, not a dump (a run's paths run to steps x nodes numbers); `Display` shows
/// the tables.
impl std::fmt::Debug for DynamicOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicOutcome")
            .field("steps", &self.steps)
            .field("step_days", &self.step_days)
            .field("nodes", &self.nodes.len())
            .field("stockpiles", &self.piles.len())
            .finish_non_exhaustive()
    }
}

impl DynamicOutcome {
    pub(super) fn new(net: &Network, engine: &Dynamic) -> Self {
        let p = &engine.plan;
        let steps = p.steps;
        let (nn, ns, np) = (p.x0.len(), p.a.len(), p.products);
        let nodes: Vec<_> = p
            .node_at
            .iter()
            .map(|&n| (net.node(n).region, net.node(n).product))
            .collect();
        let nrp = net.regions().len() * np;
        let mut final_baseline = vec![0.0; nrp];
        let mut absorption_baseline = vec![0.0; nrp];
        for (k, &i) in p.fd_sink.iter().enumerate() {
            if p.fd_real[k] {
                final_baseline[i as usize] += p.y0[k];
                absorption_baseline[i as usize] += p.y0[k];
            }
        }
        let mut input_baseline = vec![0.0; nrp];
        for (s, &i) in p.slot_sink.iter().enumerate() {
            absorption_baseline[i as usize] += p.sched[s];
            input_baseline[i as usize] += p.sched[s];
        }
        let watching = p.firms.is_some();
        let mut origin_baseline = vec![0.0; if watching { nrp } else { 0 }];
        if watching {
            for (s, &i) in p.slot_sink.iter().enumerate() {
                origin_baseline[i as usize] += p.sched_o(s);
            }
        }
        // Tables of the market step, only with one.
        let sized = |n: usize| vec![0.0; if engine.pricing.is_some() { n } else { 0 }];
        let inventory_target = (0..nn)
            .flat_map(|f| {
                (p.slot_start[f]..p.slot_start[f + 1]).map(move |s| p.a[s] * p.x0[f] * p.cover[s])
            })
            .collect();
        Self {
            labels: Arc::new(Labels::of(net)),
            step_days: engine.settings.step.days(),
            steps,
            psi: engine.settings.psi,
            pos: p.pos.clone(),
            slot_start: p.slot_start.clone(),
            slot_input: p.slot_product.iter().map(|&k| ProductId(k)).collect(),
            inventory_target,
            baseline_output: p.x0.clone(),
            output: vec![0.0; steps * nn],
            demand: vec![0.0; steps * nn],
            alpha: vec![1.0; steps * nn],
            inventory: vec![0.0; steps * ns],
            final_baseline,
            final_shortfall: vec![0.0; steps * nrp],
            absorption_baseline,
            absorption_shortfall: vec![0.0; steps * nrp],
            input_shortfall: vec![0.0; steps * nrp],
            backlog: vec![0.0; steps * nrp],
            switched: if p.switches.is_empty() {
                Vec::new()
            } else {
                vec![0.0; steps * nrp]
            },
            substituted: vec![0.0; steps * nrp],
            input_baseline,
            piles: p
                .piles
                .iter()
                .map(|pile| (RegionId(pile.region as u32), ProductId(pile.product as u32)))
                .collect(),
            pile_floor: vec![0.0; p.piles.len()],
            pile_start: vec![0.0; p.piles.len()],
            pile_level: vec![0.0; steps * p.piles.len()],
            produced: vec![0.0; steps * np],
            to_users: vec![0.0; steps * np],
            to_final: vec![0.0; steps * np],
            kept: vec![0.0; steps * np],
            released: vec![0.0; steps * np],
            to_rebuild: vec![
                0.0;
                if engine.rebuild.is_empty() {
                    0
                } else {
                    steps * np
                }
            ],
            rebuild_left: vec![0.0; steps * engine.rebuild.events()],
            diverted: vec![0.0; steps * np],
            prices: sized(3 * steps * np),
            priced_out: sized(steps * nrp),
            arrived_all: vec![0.0; if watching { steps * nrp } else { 0 }],
            arrived_origin: vec![0.0; if watching { steps * nrp } else { 0 }],
            origin_baseline,
            firms: p.firms.clone(),
            nodes,
        }
    }

    pub(super) fn clear(
        &mut self,
        floors: &[f64],
        levels: &[f64],
        r: &crate::scenario::Realization,
    ) {
        self.released.fill(0.0);
        if let (Some(firms), Some(drawn)) = (self.firms.as_mut(), r.firms.as_ref()) {
            firms.cover_scale = drawn.cover_scale;
        }
        self.pile_floor.copy_from_slice(floors);
        self.pile_start.copy_from_slice(levels);
    }

    /// Records step `t` (before stockpile release).
    pub(super) fn record(
        &mut self,
        t: usize,
        p: &Plan,
        s: &StepRecord<'_>,
        market: Option<MarketStep<'_>>,
    ) {
        let (nn, ns, np) = (s.x.len(), s.stock.len(), p.products);
        let nrp = self.final_baseline.len();
        self.output[t * nn..(t + 1) * nn].copy_from_slice(s.x);
        self.demand[t * nn..(t + 1) * nn].copy_from_slice(s.demand);
        self.alpha[t * nn..(t + 1) * nn].copy_from_slice(s.alpha);
        self.inventory[t * ns..(t + 1) * ns].copy_from_slice(s.stock);
        let row = t * np..(t + 1) * np;
        self.kept[row.clone()].copy_from_slice(s.kept);
        self.diverted[row.clone()].copy_from_slice(s.diverted);
        let (produced, to_users, to_final, kept) = (
            &mut self.produced[row.clone()],
            &mut self.to_users[row.clone()],
            &mut self.to_final[row.clone()],
            &mut self.kept[row],
        );
        produced.fill(0.0);
        to_users.fill(0.0);
        to_final.fill(0.0);
        if !s.rebuild_asked.is_empty() {
            let to_rebuild = &mut self.to_rebuild[t * np..(t + 1) * np];
            to_rebuild.fill(0.0);
            for (f, asked) in s.rebuild_asked.iter().enumerate() {
                to_rebuild[p.product[f] as usize] += s.served[f] * asked;
            }
            let ne = s.rebuild_left.len();
            self.rebuild_left[t * ne..(t + 1) * ne].copy_from_slice(s.rebuild_left);
        }
        let short = &mut self.final_shortfall[t * nrp..(t + 1) * nrp];
        let absorbed = &mut self.absorption_shortfall[t * nrp..(t + 1) * nrp];
        let inputs = &mut self.input_shortfall[t * nrp..(t + 1) * nrp];
        short.fill(0.0);
        absorbed.fill(0.0);
        inputs.fill(0.0);
        for f in 0..nn {
            let k = p.product[f] as usize;
            produced[k] += s.x[f];
            let served = super::Served {
                served: s.served[f],
                free: s.free[f],
                tagged: s.share[f],
                kappa: s.kappa[k],
            };
            for e in p.fd_start[f]..p.fd_start[f + 1] {
                let sink = p.fd_sink[e] as usize;
                let asked = if p.fd_real[e] {
                    p.y0[e] * s.fd_scale[sink]
                } else {
                    p.y0[e]
                };
                let (delivered, held) = p.final_delivery(e, asked, served, s.cut);
                to_final[k] += delivered;
                kept[k] += held;
                if p.fd_real[e] {
                    short[sink] += asked - delivered;
                }
            }
        }
        if let Some(market) = market {
            let width = market.prices.len();
            self.prices[t * width..(t + 1) * width].copy_from_slice(market.prices);
            let priced_out = &mut self.priced_out[t * nrp..(t + 1) * nrp];
            market.record(s, &self.final_baseline, short, priced_out);
        }
        // Stockpile release, then demand response (§4.6): of the remaining gap, the
        // deferrable share is asked again next step, the substitutable share is met by
        // another technology, the rest is the final-use shortfall.
        let backlog = &mut self.backlog[t * nrp..(t + 1) * nrp];
        let substituted = &mut self.substituted[t * nrp..(t + 1) * nrp];
        for i in 0..nrp {
            let gap = (short[i] - s.final_release[i]).max(0.0);
            backlog[i] = s.deferrable * gap;
            substituted[i] = s.substitutable * gap;
            short[i] = gap - backlog[i] - substituted[i];
            absorbed[i] += short[i];
        }
        for (slot, (&got, &came)) in s.received.iter().zip(s.arrived).enumerate() {
            let gap = (p.sched[slot] - came).max(0.0);
            let sink = p.slot_sink[slot] as usize;
            absorbed[sink] += gap;
            inputs[sink] += gap;
            to_users[p.slot_product[slot] as usize] += got;
        }
        if !self.arrived_all.is_empty() {
            let all = &mut self.arrived_all[t * nrp..(t + 1) * nrp];
            let origin = &mut self.arrived_origin[t * nrp..(t + 1) * nrp];
            all.fill(0.0);
            origin.fill(0.0);
            for (slot, (&came, &came_o)) in s.arrived.iter().zip(s.arrived_o).enumerate() {
                let sink = p.slot_sink[slot] as usize;
                all[sink] += came;
                origin[sink] += came_o;
            }
        }
        // §5.7: a thrifted slot lacks only what its thrifted need is short of.
        for &slot in s.reduced {
            let (sched, came) = (p.sched[slot], s.arrived[slot]);
            let change = (s.theta[slot] * sched - came).max(0.0) - (sched - came).max(0.0);
            let sink = p.slot_sink[slot] as usize;
            absorbed[sink] += change;
            inputs[sink] += change;
        }
        // §5.7: a preferred input's shortfall is net of what a substitute replaced; what
        // arrived for switching was shipped to users of the substitute.
        for (i, w) in p.switches.iter().enumerate() {
            let (ps, sink) = (w.p_slot, p.slot_sink[w.p_slot] as usize);
            let gap = (s.theta[ps] * p.sched[ps] - s.arrived[ps]).max(0.0);
            let replaced = gap.min(s.switch_moved[i]);
            absorbed[sink] -= replaced;
            inputs[sink] -= replaced;
            self.switched[t * nrp + sink] += s.switch_moved[i];
            to_users[w.substitute] += s.switch_got[i];
        }
    }

    /// The final-use gap deferred at step `t` of `(region, product)` index `sink`.
    pub(super) fn deferred(&self, t: usize, sink: usize) -> f64 {
        self.backlog[t * self.final_baseline.len() + sink]
    }

    pub(super) fn record_release(&mut self, t: usize, product: usize, amount: f64) {
        let np = self.labels.products.len();
        self.released[t * np + product] += amount;
    }

    pub(super) fn record_piles(&mut self, t: usize, levels: &[f64]) {
        let n = levels.len();
        self.pile_level[t * n..(t + 1) * n].copy_from_slice(levels);
    }

    fn at(&self, n: NodeId, t: usize) -> usize {
        t * self.nodes.len() + self.pos[n.index()] as usize
    }

    pub(super) fn index(&self, region: RegionId, product: ProductId) -> usize {
        region.index() * self.labels.products.len() + product.index()
    }

    /// The price of `product` in `market` in force at step `t`, relative to baseline
    /// (docs/model.md §7.5); `None` without a market step.
    pub fn price(&self, market: MarketId, product: ProductId, t: usize) -> Option<f64> {
        let np = self.labels.products.len();
        let i = (t * MarketId::ALL.len() + market.index()) * np + product.index();
        self.prices.get(i).copied()
    }

    /// The price path of `product` in `market`, one price per step; `None` without a
    /// market step.
    pub fn price_path(&self, market: MarketId, product: ProductId) -> Option<Vec<f64>> {
        (0..self.steps)
            .map(|t| self.price(market, product, t))
            .collect()
    }

    /// Final demand of `product` in `region` priced out over the run (docs/model.md §7.5;
    /// 0 without a market step).
    pub fn cumulative_priced_out(&self, region: RegionId, product: ProductId) -> f64 {
        let i = self.index(region, product);
        let nrp = self.final_baseline.len();
        (self.priced_out.iter().skip(i).step_by(nrp.max(1))).sum()
    }

    /// Baseline output of a node, per step.
    pub fn baseline_output(&self, n: NodeId) -> f64 {
        self.baseline_output[self.pos[n.index()] as usize]
    }

    /// Output of a node at step `t`, per step.
    pub fn output(&self, n: NodeId, t: usize) -> f64 {
        self.output[self.at(n, t)]
    }

    /// Output of a node at step `t` minus its baseline, per step.
    pub fn output_change(&self, n: NodeId, t: usize) -> f64 {
        self.output(n, t) - self.baseline_output(n)
    }

    /// Demand addressed to a node at step `t` (orders placed the step before, re-routed
    /// orders, and final demand), per step.
    pub fn demand(&self, n: NodeId, t: usize) -> f64 {
        self.demand[self.at(n, t)]
    }

    /// The overproduction factor of a node at step `t` (1 where overproduction does not
    /// apply).
    pub fn alpha(&self, n: NodeId, t: usize) -> f64 {
        self.alpha[self.at(n, t)]
    }

    fn slot(&self, n: NodeId, input: ProductId) -> Option<usize> {
        let k = self.pos[n.index()] as usize;
        (self.slot_start[k]..self.slot_start[k + 1]).find(|&s| self.slot_input[s] == input)
    }

    /// A node's inventory of `input` at the end of step `t`; `None` if it uses none.
    pub fn inventory(&self, n: NodeId, input: ProductId, t: usize) -> Option<f64> {
        let s = self.slot(n, input)?;
        Some(self.inventory[t * self.slot_input.len() + s])
    }

    /// The stock of rebuilding event `event` left after step `t` (docs/model.md §5.13), in
    /// table units; events in the order of the scenario's `boario_events` and then of
    /// [`Dynamic::with_boario_event`](super::Dynamic::with_boario_event), rebuilding ones
    /// only.
    ///
    /// # Panics
    /// If there is no such event or step.
    pub fn rebuild_left(&self, event: usize, t: usize) -> f64 {
        let ne = self.rebuild_left.len() / self.steps.max(1);
        assert!(event < ne, "rebuilding event {event} of {ne}");
        self.rebuild_left[t * ne + event]
    }

    /// Final use of `product` in `region` not served at step `t`.
    pub fn final_shortfall(&self, region: RegionId, product: ProductId, t: usize) -> f64 {
        self.final_shortfall[t * self.final_baseline.len() + self.index(region, product)]
    }

    /// Units of the preferred input `product` that `region`'s producers replaced by a
    /// substitute at step `t` (substitution groups, docs/model.md §5.7).
    pub fn switched(&self, region: RegionId, product: ProductId, t: usize) -> f64 {
        let i = t * self.final_baseline.len() + self.index(region, product);
        self.switched.get(i).copied().unwrap_or(0.0)
    }

    /// Final use of `product` in `region` not served over the run.
    pub fn cumulative_final_shortfall(&self, region: RegionId, product: ProductId) -> f64 {
        (0..self.steps)
            .map(|t| self.final_shortfall(region, product, t))
            .sum()
    }

    /// The largest one-step final-use shortfall and its step (the first, on ties).
    pub fn peak_final_shortfall(&self, region: RegionId, product: ProductId) -> (f64, usize) {
        (0..self.steps)
            .map(|t| (self.final_shortfall(region, product, t), t))
            .fold(
                (0.0, 0),
                |best, (v, t)| if v > best.0 { (v, t) } else { best },
            )
    }

    /// What `region`'s users (producers and final use) lacked of `product` at step `t`.
    pub fn absorption_shortfall(&self, region: RegionId, product: ProductId, t: usize) -> f64 {
        self.absorption_shortfall[t * self.final_baseline.len() + self.index(region, product)]
    }

    /// `region`'s baseline absorption of `product` per step.
    pub fn absorption_baseline_per_step(&self, region: RegionId, product: ProductId) -> f64 {
        self.absorption_baseline[self.index(region, product)]
    }

    /// What `region`'s producers receive of `product` per step at baseline (their inputs).
    pub fn input_baseline_per_step(&self, region: RegionId, product: ProductId) -> f64 {
        self.input_baseline[self.index(region, product)]
    }

    /// `region`'s baseline final use of `product` per step.
    pub fn final_baseline_per_step(&self, region: RegionId, product: ProductId) -> f64 {
        self.final_baseline[self.index(region, product)]
    }

    /// The same over the run.
    pub fn cumulative_absorption_shortfall(&self, region: RegionId, product: ProductId) -> f64 {
        (0..self.steps)
            .map(|t| self.absorption_shortfall(region, product, t))
            .sum()
    }

    /// The level of `region`'s stockpile of `product` at the end of step `t`; `None`
    /// without a stockpile.
    pub fn stockpile(&self, region: RegionId, product: ProductId, t: usize) -> Option<f64> {
        let i = self.piles.iter().position(|&k| k == (region, product))?;
        Some(self.pile_level[t * self.piles.len() + i])
    }

    /// The first step at whose end `region`'s stockpile of `product` stood at its release
    /// floor (it ran out, docs/model.md §5.5); `None` if it never did, or there is none, or it may
    /// release nothing.
    pub fn stock_out(&self, region: RegionId, product: ProductId) -> Option<usize> {
        let i = self.piles.iter().position(|&k| k == (region, product))?;
        let (n, floor, initial) = (self.piles.len(), self.pile_floor[i], self.pile_start[i]);
        if initial <= floor {
            return None;
        }
        let tolerance = crate::tolerance::STEADY * initial;
        (0..self.steps).find(|&t| self.pile_level[t * n + i] <= floor + tolerance)
    }

    /// The first step after a shortfall of at least 1% of baseline absorption of
    /// `product` in `region` from which it stayed below 1% for `consecutive` steps (the
    /// recovery of docs/model.md §5.5); `None` if there was no such shortfall or no recovery within the run.
    pub fn recovery(
        &self,
        region: RegionId,
        product: ProductId,
        consecutive: usize,
    ) -> Option<usize> {
        let i = self.index(region, product);
        let base = self.absorption_baseline[i];
        let nrp = self.final_baseline.len();
        let short = |t: usize| self.absorption_shortfall[t * nrp + i] >= 0.01 * base;
        let hit = (0..self.steps).find(|&t| short(t))?;
        let need = consecutive.max(1);
        (hit + 1..self.steps).find(|&t| t + need <= self.steps && (t..t + need).all(|u| !short(u)))
    }

    /// Heterogeneous cover within a node (docs/model.md §5.5), as post-processing: a firm holding
    /// `cover_days` of its use of `input` stops at the first step at whose end the
    /// cumulative shortfall of the region's producers' receipts of `input` exceeds that
    /// cover (`cover_days` times their daily baseline receipt). With `cover_days` a low
    /// quantile of the firms' cover, this is the first stoppage. `None` if never.
    pub fn first_stoppage(
        &self,
        region: RegionId,
        input: ProductId,
        cover_days: f64,
    ) -> Option<usize> {
        let i = self.index(region, input);
        let nrp = self.final_baseline.len();
        let cover = cover_days / self.step_days * self.input_baseline[i];
        if cover.is_nan() || self.input_baseline[i] <= 0.0 {
            return None;
        }
        let mut lacking = 0.0;
        (0..self.steps).find(|&t| {
            lacking += self.input_shortfall[t * nrp + i];
            lacking > cover
        })
    }

    /// The first step at which a node of `region` holding `input` had less than `ψ`
    /// times its target inventory (it is input-constrained, docs/model.md §5.5); `None` if never.
    pub fn first_constrained(&self, region: RegionId, input: ProductId) -> Option<usize> {
        self.first_below(region, input, self.psi)
    }

    /// The first step at which a producer of `region` holds less than 1% of its target
    /// inventory of `input` ([`crate::engine::EMPTY`]): its inventory is empty.
    pub fn first_empty(&self, region: RegionId, input: ProductId) -> Option<usize> {
        self.first_below(region, input, crate::engine::EMPTY)
    }

    /// The first step at which a producer of `region` holds less than `share` of its target
    /// inventory of `input`.
    fn first_below(&self, region: RegionId, input: ProductId, share: f64) -> Option<usize> {
        let ns = self.slot_input.len();
        let slots: Vec<usize> = (0..self.nodes.len())
            .filter(|&k| self.nodes[k].0 == region)
            .flat_map(|k| self.slot_start[k]..self.slot_start[k + 1])
            .filter(|&s| self.slot_input[s] == input && self.inventory_target[s] > 0.0)
            .collect();
        (0..self.steps).find(|&t| {
            slots
                .iter()
                .any(|&s| self.inventory[t * ns + s] < share * self.inventory_target[s])
        })
    }
}

impl Report for DynamicOutcome {
    fn tables(&self) -> Vec<Table> {
        let l = &self.labels;
        let np = l.products.len();
        let per_year = 365.0 / self.step_days;
        let mut t = Table::new(
            format!(
                "Dynamic engine: shortfalls over {} steps of {}",
                self.steps,
                crate::report::days(self.step_days)
            ),
            &[
                "region",
                "product",
                "unit",
                "absorption shortfall",
                "share of annual use",
                "final-use shortfall",
                "share of annual final use",
                "peak final-use step",
            ],
        );
        for (i, &base) in self.absorption_baseline.iter().enumerate() {
            let (r, p) = (RegionId((i / np) as u32), ProductId((i % np) as u32));
            let absorbed = self.cumulative_absorption_shortfall(r, p);
            let total = self.cumulative_final_shortfall(r, p);
            let noise = crate::tolerance::STEADY * base * self.steps as f64;
            if base == 0.0 || (absorbed <= noise && total <= noise) {
                continue;
            }
            let final_base = self.final_baseline[i];
            let (_, at) = self.peak_final_shortfall(r, p);
            t.row(vec![
                Cell::Text(l.regions[r.index()].clone()),
                Cell::Text(l.products[p.index()].clone()),
                Cell::Text(l.units[p.index()].clone()),
                Cell::Number(absorbed),
                Cell::Share(absorbed / (base * per_year)),
                Cell::Number(total),
                if final_base > 0.0 {
                    Cell::Share(total / (final_base * per_year))
                } else {
                    Cell::Empty
                },
                if total > noise {
                    Cell::Text(at.to_string())
                } else {
                    Cell::Empty
                },
            ]);
        }
        t.note("only pairs with a shortfall are listed; docs/model.md §5.5");
        let nn = self.nodes.len();
        let mut o = Table::new(
            "Output: the ten largest falls below baseline",
            &["region", "product", "lowest output / baseline", "at step"],
        );
        let mut falls: Vec<(f64, usize, usize)> = (0..nn)
            .filter(|&n| self.baseline_output[n] > 0.0)
            .map(|n| {
                let (low, at) = (0..self.steps).map(|t| (self.output[t * nn + n], t)).fold(
                    (f64::INFINITY, 0),
                    |b, (v, t)| if v < b.0 { (v, t) } else { b },
                );
                (low / self.baseline_output[n], at, n)
            })
            .filter(|&(ratio, _, _)| ratio < 1.0 - crate::tolerance::STEADY)
            .collect();
        falls.sort_by(|a, b| a.0.total_cmp(&b.0));
        for &(ratio, at, n) in falls.iter().take(10) {
            let (r, p) = self.nodes[n];
            o.row(vec![
                Cell::Text(l.regions[r.index()].clone()),
                Cell::Text(l.products[p.index()].clone()),
                Cell::Share(ratio),
                Cell::Text(at.to_string()),
            ]);
        }
        let mut s = Table::new(
            "Stockpiles",
            &[
                "region",
                "product",
                "unit",
                "floor",
                "lowest level",
                "ran out at step",
            ],
        );
        for (i, &(r, p)) in self.piles.iter().enumerate() {
            let n = self.piles.len();
            let low = (0..self.steps)
                .map(|t| self.pile_level[t * n + i])
                .fold(f64::INFINITY, f64::min);
            s.row(vec![
                Cell::Text(l.regions[r.index()].clone()),
                Cell::Text(l.products[p.index()].clone()),
                Cell::Text(l.units[p.index()].clone()),
                Cell::Number(self.pile_floor[i]),
                Cell::Number(low),
                self.stock_out(r, p)
                    .map_or(Cell::Empty, |t| Cell::Text(t.to_string())),
            ]);
        }
        vec![t, o, s]
    }
}

displayed_as_report!(DynamicOutcome);

/// The market step's part of a step's record (docs/model.md §7.5): the prices in force
/// and, per `(region, product)`, final users' demand factor `d` (part of `fd_scale`); it
/// fills what final users asked and got, for the price update.
pub(super) struct MarketStep<'a> {
    pub prices: &'a [f64],
    pub demand: &'a [f64],
    pub asked: &'a mut [f64],
    pub got: &'a mut [f64],
}

impl MarketStep<'_> {
    /// Per `(region, product)` with baseline final use `baseline`: what final users asked
    /// and got (deliveries and stockpile release), the demand priced out, and the
    /// shortfall counted against at most the schedule. `short` holds what final users
    /// lacked of what they asked, before stockpile release.
    fn record(
        self,
        s: &StepRecord<'_>,
        baseline: &[f64],
        short: &mut [f64],
        priced_out: &mut [f64],
    ) {
        let d = self.demand;
        for (i, short) in short.iter_mut().enumerate() {
            let asked = baseline[i] * s.fd_scale[i];
            self.asked[i] = asked;
            self.got[i] = (asked - *short + s.final_release[i]).min(asked);
            if d[i] > 0.0 {
                priced_out[i] = asked * (1.0 - d[i]) / d[i];
            }
            // Asked above the schedule at a low price: short of the schedule only.
            if d[i] > 1.0 {
                *short = (*short - asked * (1.0 - 1.0 / d[i])).max(0.0);
            }
        }
    }
}
