//! One step of the dynamic engine, in BoARIO's order (docs/model.md §5.3).
//!
//! Orders are not stored per edge: the order a slot placed on a feeding edge last step is
//! `z₀·ρ_prev[supplier]·m·factor[slot]` (baseline flow, the supplier's capacity ratio then,
//! the re-routing multiplier of a restricted edge, the slot's order factor), so each step
//! reads every edge's baseline flow and supplier once to receive and weigh, and once more,
//! from cache, to place the next orders (docs/model.md §5.6).

use super::super::resolved::NONE;
use super::pricing::Pricing;
use super::{Dynamic, DynamicOutcome, Mode, Orders, Plan};
use crate::network::Network;
use crate::scenario::Realization;

/// The cut of restriction `k` (0 for no restriction).
fn restricted_cut(cut: &[f64], k: u32) -> f64 {
    if k == NONE {
        0.0
    } else {
        cut[k as usize]
    }
}

/// What the realization sets for the whole run: capacity base and additions, the cut of
/// each restriction, the ramp of spare capacity, demand response, the κ gate.
#[derive(Debug, Clone)]
struct RunState {
    /// Per node: capacity base of this run (headroom perturbation applied).
    cap_base: Vec<f64>,
    /// Per node: capacity added this step (new plants online).
    added: Vec<f64>,
    /// The ramp `ρ` of spare capacity this step (0 before the shocks start).
    rho: f64,
    /// Demand response of this run (§4.6).
    deferrable: f64,
    substitutable: f64,
    /// Per restriction and product (`restriction·P + product`): the cut `σ(1 - λ)` this
    /// step and last, times the market's leakage factor (§7.5).
    cut: Vec<f64>,
    cut_prev: Vec<f64>,
    /// Per product: the κ gate of this run, the smallest of the restrictions' (§4.5),
    /// opened by the market's leakage factor (§7.5).
    kappa: Vec<f64>,
    /// Per slot: the thrifting factor `θ̄` this step (1 where none applies, §5.7) and the
    /// coefficient `a·θ̄` every use, order and target reads.
    theta: Vec<f64>,
    coef: Vec<f64>,
}

/// Production (docs/model.md §5.3): per node, demand, output, capacity and the share
/// served.
#[derive(Debug, Clone)]
struct Production {
    /// Overproduction factor per node.
    alpha: Vec<f64>,
    /// Total demand addressed to each node this step: orders plus final demand.
    demand: Vec<f64>,
    /// Orders for the next step, summed per supplier.
    next: Vec<f64>,
    /// Realised and planned output, capacity, share of demand served, loss.
    x: Vec<f64>,
    xopt: Vec<f64>,
    cap: Vec<f64>,
    served: Vec<f64>,
    loss: Vec<f64>,
    /// Per node, read together by every customer: `[served·ρ_prev, ρ]`.
    pair: Vec<[f64; 2]>,
    /// The capacity ratio of last step.
    ratio_prev: Vec<f64>,
    /// Per node: final demand asked this step.
    fd_now: Vec<f64>,
}

/// Re-routing (docs/model.md §5.7): spare capacity offered and the re-routed orders, per
/// node and per product.
#[derive(Debug, Clone)]
struct Pool {
    /// Per node: spare capacity offered to re-routed orders this step, and the re-routed
    /// orders addressed to it (part of `demand`).
    spare: Vec<f64>,
    pool_demand: Vec<f64>,
    /// Per product: total spare capacity this step and last; re-routed orders placed
    /// this step and last; the share of last step's re-routed orders served (accumulated
    /// as the product's nodes produce).
    pool_spare: Vec<f64>,
    pool_orders: Vec<f64>,
    pool_orders_prev: Vec<f64>,
    pool_served: Vec<f64>,
    /// Per product: the re-routed orders of the priority class (`bloc_first`), this step
    /// and last.
    pool_first: Vec<f64>,
    pool_first_prev: Vec<f64>,
}

/// Diversion and tags (docs/model.md §5.7, §4.5): shares served, orders and demand of
/// targets and on cut edges, tagged receipts.
#[derive(Debug, Clone)]
struct Tags {
    /// Per node, with `divert` (§5.7): the share of non-cut demands served (above the
    /// share of cut ones when the node diverts), and the tagged (freed) share of its
    /// deliveries to non-targets and to targets: freed volume goes to non-targets first.
    free: Vec<f64>,
    share_n: Vec<f64>,
    share_t: Vec<f64>,
    /// Per node: orders from targets addressed to it this step, and for the next; final
    /// demand of targets this step.
    demand_target: Vec<f64>,
    next_target: Vec<f64>,
    fd_target_now: Vec<f64>,
    /// Per node: orders on cut edges addressed to it this step, and for the next; placed
    /// in full, and placed for the allowed share only (by targets that re-routed); final
    /// demand of targets on cut edges this step.
    demand_cut: Vec<f64>,
    next_cut: Vec<f64>,
    demand_cut_rerouted: Vec<f64>,
    next_cut_rerouted: Vec<f64>,
    fd_cut_now: Vec<f64>,
    /// Per slot: tagged volume received this step.
    tagged: Vec<f64>,
    /// Per product this step: blocked volume diverted to non-targets.
    diverted: Vec<f64>,
}

/// Orders (docs/model.md §5.3): per slot, the weights of its suppliers and last step's
/// order.
#[derive(Debug, Clone)]
struct OrderState {
    /// Per slot: the sums of its feeding edges' order weights `z₀·ρ`, all and blocked.
    weight: Vec<f64>,
    blocked: Vec<f64>,
    /// Per slot: order factor, whether the blocked part was re-routed, the re-routed
    /// order, and the total order, of last step.
    factor: Vec<f64>,
    rerouted: Vec<bool>,
    pool_order: Vec<f64>,
    ordered: Vec<f64>,
}

/// Receipts and inventories (docs/model.md §5.3): per slot, what arrived, what is held,
/// what is in transit.
#[derive(Debug, Clone)]
struct Receipts {
    /// Input inventory per slot.
    stock: Vec<f64>,
    /// Per slot: what was shipped to it this step, and what it had asked for it; the step
    /// (plus one) whose receipt `received` holds.
    received: Vec<f64>,
    /// What reached each slot this step: `received` without a transport lag, what was
    /// shipped `lag` steps ago with one (the outcome counts arrivals).
    arrived: Vec<f64>,
    fed: Vec<usize>,
    asked: Vec<f64>,
    /// Per product, this step: shipments to input slots blocked and kept by exporters.
    kept: Vec<f64>,
    /// Inputs in transit, `lag - 1` steps per slot, oldest first at `pipe_at`.
    pipe: Vec<f64>,
    pipe_at: usize,
    /// With firms (docs/model.md §5.5), the part of `received`, `arrived` and `pipe` from
    /// the firms' origins; empty without.
    received_o: Vec<f64>,
    arrived_o: Vec<f64>,
    pipe_o: Vec<f64>,
}

/// Final demand and stockpiles (docs/model.md §5.7): release, backlog scale, stockpile
/// levels.
#[derive(Debug, Clone)]
struct FinalDemand {
    /// Per `(region, product)`: stockpile release to final use this step, and final
    /// demand asked this step over its baseline (its multiplier in time plus the deferred
    /// backlog's share, times the market step's demand factor), and the multiplier in
    /// time alone (final-demand paths and demand shifts, §5.7).
    final_release: Vec<f64>,
    fd_scale: Vec<f64>,
    fd_mult: Vec<f64>,
    /// Per stockpile: level and floor of this run.
    pile_level: Vec<f64>,
    pile_floor: Vec<f64>,
}

/// The state of a dynamic run and the outcome it records; built once per engine and
/// network, reused by every run without allocating.
#[derive(Clone)]
pub struct DynamicWorkspace {
    run: RunState,
    nodes: Production,
    pool: Pool,
    tags: Tags,
    orders: OrderState,
    receipts: Receipts,
    final_demand: FinalDemand,
    switching: Switching,
    rebuilding: Rebuilding,
    /// The market step in time (§7.5), with `scenario.market`.
    pricing: Option<Pricing>,
    /// The step about to run.
    t: usize,
    /// Steps an input travels in this run: the plan's, or the realization's
    /// `transport_lag_days` (docs/model.md §5.4).
    lag: usize,
    /// The fingerprint of the network it is sized for.
    network: u64,
    outcome: DynamicOutcome,
}

/// Substitution groups (docs/model.md §5.7), per switching node of the plan: the
/// substitute held for switching (its units), the switch order placed this step and last,
/// what arrived for it this step, the preferred input it replaced this step, and the
/// limit `ℓ̄` this step.
#[derive(Debug, Clone)]
struct Switching {
    stock: Vec<f64>,
    order: Vec<f64>,
    order_prev: Vec<f64>,
    got: Vec<f64>,
    moved: Vec<f64>,
    limit: Vec<f64>,
    /// Units of the substitute per unit of the preferred input, this run.
    ratio: Vec<f64>,
}

/// Rebuilding (docs/model.md §5.13): each event's stock per supplier (flat), and per node
/// the rebuilding demand asked this step and a scratch sum of loss; each event's stock
/// summed. Empty without rebuilding.
#[derive(Debug, Clone)]
struct Rebuilding {
    left: Vec<f64>,
    asked: Vec<f64>,
    acc: Vec<f64>,
    left_sum: Vec<f64>,
}

/// A summary, not a dump: the workspace holds every path of the run.
impl std::fmt::Debug for DynamicWorkspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicWorkspace")
            .field("nodes", &self.nodes.x.len())
            .field("input_slots", &self.receipts.stock.len())
            .field("steps_run", &self.t)
            .finish_non_exhaustive()
    }
}

impl DynamicWorkspace {
    pub(super) fn new(net: &Network, engine: &Dynamic) -> Self {
        let p = &engine.plan;
        let (nn, ns, np) = (p.x0.len(), p.a.len(), p.products);
        let nk = engine.restrictions;
        let rebuilding = &engine.rebuild;
        let per_node = if rebuilding.is_empty() { 0 } else { nn };
        Self {
            rebuilding: Rebuilding {
                left: vec![0.0; rebuilding.len()],
                asked: vec![0.0; per_node],
                acc: vec![0.0; per_node],
                left_sum: vec![0.0; rebuilding.events()],
            },
            switching: Switching {
                stock: vec![0.0; p.switches.len()],
                order: vec![0.0; p.switches.len()],
                order_prev: vec![0.0; p.switches.len()],
                got: vec![0.0; p.switches.len()],
                moved: vec![0.0; p.switches.len()],
                limit: vec![0.0; p.switches.len()],
                ratio: vec![1.0; p.switches.len()],
            },
            run: RunState {
                cap_base: vec![0.0; nn],
                added: vec![0.0; nn],
                rho: 0.0,
                deferrable: 0.0,
                substitutable: 0.0,
                cut: vec![0.0; nk * np],
                cut_prev: vec![0.0; nk * np],
                kappa: vec![1.0; np],
                theta: vec![1.0; ns],
                coef: p.a.clone(),
            },
            nodes: Production {
                alpha: vec![1.0; nn],
                demand: vec![0.0; nn],
                next: vec![0.0; nn],
                x: vec![0.0; nn],
                xopt: vec![0.0; nn],
                cap: vec![0.0; nn],
                served: vec![0.0; nn],
                loss: vec![0.0; nn],
                pair: vec![[0.0, 1.0]; nn],
                ratio_prev: vec![1.0; nn],
                fd_now: vec![0.0; nn],
            },
            pool: Pool {
                spare: vec![0.0; nn],
                pool_demand: vec![0.0; nn],
                pool_spare: vec![0.0; np],
                pool_orders: vec![0.0; np],
                pool_orders_prev: vec![0.0; np],
                pool_served: vec![0.0; np],
                pool_first: vec![0.0; np],
                pool_first_prev: vec![0.0; np],
            },
            tags: Tags {
                free: vec![1.0; nn],
                share_n: vec![0.0; nn],
                share_t: vec![0.0; nn],
                demand_target: vec![0.0; nn],
                next_target: vec![0.0; nn],
                fd_target_now: vec![0.0; nn],
                demand_cut: vec![0.0; nn],
                next_cut: vec![0.0; nn],
                demand_cut_rerouted: vec![0.0; nn],
                next_cut_rerouted: vec![0.0; nn],
                fd_cut_now: vec![0.0; nn],
                tagged: vec![0.0; ns],
                diverted: vec![0.0; np],
            },
            orders: OrderState {
                weight: vec![0.0; ns],
                blocked: vec![0.0; ns],
                factor: vec![1.0; ns],
                rerouted: vec![false; ns],
                pool_order: vec![0.0; ns],
                ordered: vec![0.0; ns],
            },
            receipts: Receipts {
                stock: vec![0.0; ns],
                received: vec![0.0; ns],
                arrived: vec![0.0; ns],
                fed: vec![0; ns],
                asked: vec![0.0; ns],
                kept: vec![0.0; np],
                pipe: vec![0.0; ns * p.lag.saturating_sub(1)],
                pipe_at: 0,
                received_o: vec![0.0; if p.watch.is_empty() { 0 } else { ns }],
                arrived_o: vec![0.0; if p.watch.is_empty() { 0 } else { ns }],
                pipe_o: Vec::new(),
            },
            final_demand: FinalDemand {
                final_release: vec![0.0; net.regions().len() * np],
                fd_scale: vec![1.0; net.regions().len() * np],
                fd_mult: vec![1.0; net.regions().len() * np],
                pile_level: vec![0.0; p.piles.len()],
                pile_floor: vec![0.0; p.piles.len()],
            },
            pricing: (engine.pricing.as_ref()).map(|plan| Pricing::new(plan, np, ns)),
            t: 0,
            lag: p.lag,
            network: net.fingerprint(),
            outcome: DynamicOutcome::new(net, engine),
        }
    }

    /// The outcome of the last run.
    pub fn outcome(&self) -> &DynamicOutcome {
        &self.outcome
    }

    /// The fingerprint of the network this workspace is sized for.
    pub(super) fn network(&self) -> u64 {
        self.network
    }

    /// Puts the economy at its baseline: inventories at target, last step's orders at
    /// baseline flows, capacities and stockpiles of this realization.
    pub(super) fn start(&mut self, engine: &Dynamic, r: &Realization) {
        let p = &engine.plan;
        for f in 0..p.x0.len() {
            let (x0, cap0) = (p.x0[f], p.cap0[f]);
            // Data uncertainty (§3.2): headroom scaled outside the restricting nodes.
            self.run.cap_base[f] = if p.expands[f] && !p.monetary {
                r.perturbation.capacity(x0, cap0)
            } else {
                cap0
            };
        }
        self.nodes.alpha.fill(1.0);
        self.nodes.loss.fill(0.0);
        engine.rebuild.start(&mut self.rebuilding.left);
        self.rebuilding.asked.fill(0.0);
        self.run.added.fill(0.0);
        self.nodes.x.copy_from_slice(&p.x0);
        self.nodes.ratio_prev.fill(1.0);
        self.pool.pool_demand.fill(0.0);
        self.pool.pool_orders_prev.fill(0.0);
        self.pool.pool_first_prev.fill(0.0);
        self.run.cut_prev.fill(0.0);
        self.orders.factor.fill(1.0);
        self.orders.rerouted.fill(false);
        self.orders.pool_order.fill(0.0);
        self.nodes.next.fill(0.0);
        self.final_demand.fd_scale.fill(1.0);
        self.run.deferrable = r.mitigation.deferrable;
        self.run.substitutable = r.mitigation.substitutable;
        self.nodes.fd_now.copy_from_slice(&p.fd0);
        self.tags.fd_cut_now.copy_from_slice(&p.fd_cut0);
        self.tags.fd_target_now.copy_from_slice(&p.fd_target0);
        if !engine.demand.is_empty() {
            // Step 0's final demand in time (§5.7).
            let fd = &mut self.final_demand;
            engine
                .demand
                .fill(0, window(p, r).contains(&0), r, &mut fd.fd_mult);
            fd.fd_scale.copy_from_slice(&fd.fd_mult);
            self.ask_final(p);
        }
        self.nodes.demand.copy_from_slice(&self.nodes.fd_now);
        self.tags.demand_cut.fill(0.0);
        self.tags.next_cut.fill(0.0);
        self.tags.demand_cut_rerouted.fill(0.0);
        self.tags.next_cut_rerouted.fill(0.0);
        for ((&from, z), &k) in p.src.iter().zip(&p.z0).zip(&p.cut_of) {
            self.nodes.demand[from as usize] += z;
            if k != NONE {
                self.tags.demand_cut[from as usize] += z;
            }
        }
        self.tags.share_n.fill(0.0);
        self.tags.share_t.fill(0.0);
        self.tags.next_target.fill(0.0);
        self.tags.demand_target.fill(0.0);
        for f in 0..p.x0.len() {
            for slot in p.slot_start[f]..p.slot_start[f + 1] {
                if p.slot_target[slot] {
                    let run = p.run_start[slot]..p.run_start[slot + 1];
                    for (&i, z) in p.src[run.clone()].iter().zip(&p.z0[run]) {
                        self.tags.demand_target[i as usize] += z;
                    }
                }
            }
        }
        self.tags.tagged.fill(0.0);
        self.run.kappa.fill(r.kappa());
        if let (Some(pricing), Some(plan)) = (&mut self.pricing, &engine.pricing) {
            pricing.start(plan, r, since_start(p, r, 0));
        }
        self.lag = p.run_lag(r);
        let lag = self.lag.saturating_sub(1);
        // A lag drawn longer than any before grows the pipeline (the one allocation of a
        // run after the workspace is built; docs/model.md §5.6).
        self.receipts.pipe.resize(p.a.len() * lag, 0.0);
        let watching = !p.watch.is_empty();
        if watching {
            self.receipts.pipe_o.resize(p.a.len() * lag, 0.0);
        }
        for f in 0..p.x0.len() {
            for s in p.slot_start[f]..p.slot_start[f + 1] {
                self.receipts.stock[s] = p.a[s] * p.x0[f] * p.cover[s];
                self.orders.ordered[s] = p.sched[s];
                self.receipts.pipe[s * lag..(s + 1) * lag].fill(p.sched[s]);
                if watching {
                    self.receipts.pipe_o[s * lag..(s + 1) * lag].fill(p.sched_o(s));
                }
            }
        }
        let scale = r.perturbation.stocks.unwrap_or(1.0);
        for (i, pile) in p.piles.iter().enumerate() {
            let level = pile.level * scale;
            self.final_demand.pile_level[i] = level;
            self.final_demand.pile_floor[i] = (1.0 - r.mitigation.stock_release_share) * level;
        }
        self.receipts.fed.fill(0);
        self.receipts.pipe_at = 0;
        for v in [
            &mut self.switching.stock,
            &mut self.switching.order,
            &mut self.switching.order_prev,
            &mut self.switching.got,
            &mut self.switching.moved,
        ] {
            v.fill(0.0);
        }
        self.t = 0;
        self.outcome.clear(
            &self.final_demand.pile_floor,
            &self.final_demand.pile_level,
            r,
        );
    }

    /// The ramp `ρ` of spare capacity in the standard mode on physical chains: the
    /// scenario's substitution (with its profile) for nodes that may expand, 0 for
    /// restricting nodes; with a market step, `min(1, ρ·p^ε_s)` (§7.5).
    fn ramp(&self, engine: &Dynamic, f: usize) -> f64 {
        if let Some(plan) = &engine.pricing {
            if plan.front_loading(&engine.plan, f, self.t) {
                return 1.0;
            }
        }
        if !engine.plan.expands[f] {
            return 0.0;
        }
        match (&self.pricing, &engine.pricing) {
            (Some(pricing), Some(plan)) => (self.run.rho * pricing.ramp(plan, f)).min(1.0),
            _ => self.run.rho,
        }
    }

    /// Runs one step (docs/model.md §5.3).
    pub(super) fn advance(&mut self, engine: &Dynamic, r: &Realization) {
        self.set_shocks(engine, r);
        self.receipts.kept.fill(0.0);
        self.tags.diverted.fill(0.0);
        if engine.settings.mode == Mode::StaticEquivalent {
            self.advance_static(engine);
        } else {
            self.advance_ario(engine, r);
        }
        self.run.cut_prev.copy_from_slice(&self.run.cut);
        self.t += 1;
    }

    /// The scenario's cuts and losses inside its window, and the explicit loss paths, the
    /// larger where both apply.
    fn set_shocks(&mut self, engine: &Dynamic, r: &Realization) {
        let p = &engine.plan;
        for &f in &engine.loss_nodes {
            self.nodes.loss[f] = 0.0;
        }
        for (f, _) in &engine.loss_paths {
            self.nodes.loss[*f] = 0.0;
        }
        engine.rebuild.clear_loss(&mut self.nodes.loss);
        let window = window(p, r);
        let (start, inside) = (window.start, window.contains(&self.t));
        // Profiles enter as their means over the step, in years since the start (§3.3).
        let since = (self.t as f64 - start as f64) * p.dt;
        let (a, b) = (since, since + p.dt);
        // Per restriction and product: the cut, times the leakage factor of the market
        // step (1 without one), as a quota on the bloc's priced demand (§7.5).
        let np = p.products;
        for (cuts, x) in self
            .run
            .cut
            .chunks_exact_mut(np.max(1))
            .zip(&r.restrictions)
        {
            let c = if inside { x.cut(a, b) } else { 0.0 };
            match &self.pricing {
                Some(pricing) => {
                    for (k, (cut, g)) in cuts.iter_mut().zip(&pricing.gap).enumerate() {
                        *cut = pricing.quota(k, c * g);
                    }
                }
                None => cuts.fill(c),
            }
        }
        if let Some(pricing) = &self.pricing {
            let kappa = r.kappa();
            for (k, &g) in self.run.kappa.iter_mut().zip(&pricing.gap) {
                *k = crate::engine::market::opened_kappa(kappa, g);
            }
        }
        self.run.rho = if self.t >= start {
            r.mitigation.substitution_mean(a, b)
        } else {
            0.0
        };
        if inside {
            for (c, &f) in r.capacity_losses.iter().zip(&engine.loss_nodes) {
                self.nodes.loss[f] = self.nodes.loss[f].max(c.share);
            }
        }
        for (f, path) in &engine.loss_paths {
            let v = path.get(self.t).copied().unwrap_or(0.0);
            self.nodes.loss[*f] = self.nodes.loss[*f].max(v);
        }
        if !engine.rebuild.is_empty() {
            // Rebuilding (§5.13): the loss from the stock left, and its demand this step.
            let b = &mut self.rebuilding;
            b.asked.fill(0.0);
            (engine.rebuild).shocks(
                self.t,
                &b.left,
                &mut b.acc,
                &mut b.asked,
                &mut self.nodes.loss,
            );
            for (d, asked) in self.nodes.demand.iter_mut().zip(&b.asked) {
                *d += asked;
            }
        }
        // Substitution groups (§5.7): the step's mean limit, from the start on.
        let switching = &mut self.switching;
        for ((limit, ratio), w) in (switching.limit.iter_mut())
            .zip(switching.ratio.iter_mut())
            .zip(&p.switches)
        {
            let group = &r.adaptation.substitution_groups[w.group];
            *ratio = group.ratio;
            *limit = if self.t >= start {
                group.limit_mean(a, b)
            } else {
                0.0
            };
        }
        if let (Some(pricing), Some(plan)) = (&mut self.pricing, &engine.pricing) {
            pricing.precaution(plan, self.t);
        }
        // The market step's thrift (§7.5) multiplies thrifting's (§5.7).
        if let Some(plan) = &engine.pricing {
            for &(slot, _) in &plan.slots {
                self.run.theta[slot as usize] = 1.0;
            }
        }
        // Thrifting (§5.7): from the start on, the step's mean factor; it does not reverse.
        for &(slot, i) in &engine.thrifted {
            let theta = if self.t >= start {
                r.adaptation.thrifting[i].factor(a, b)
            } else {
                1.0
            };
            self.run.theta[slot] = theta;
            self.run.coef[slot] = p.a[slot] * theta;
        }
        if let (Some(pricing), Some(plan)) = (&self.pricing, &engine.pricing) {
            for &(slot, m) in &plan.slots {
                let slot = slot as usize;
                self.run.theta[slot] *= pricing.thrift(m);
                self.run.coef[slot] = p.a[slot] * self.run.theta[slot];
            }
        }
        for &f in &engine.addition_nodes {
            self.run.added[f] = 0.0;
        }
        for (c, &f) in r.capacity_additions.iter().zip(&engine.addition_nodes) {
            if self.t >= start + (c.from / p.dt).round() as usize {
                self.run.added[f] += c.capacity * p.dt;
            }
        }
    }

    /// The static engine's sweep A with `h = Δt` (docs/model.md §5.8, static-equivalent mode).
    fn advance_static(&mut self, engine: &Dynamic) {
        let p = &engine.plan;
        let t = self.t;
        for f in 0..p.x0.len() {
            let mut out =
                p.x0[f].min((1.0 - self.nodes.loss[f]) * self.run.cap_base[f] + self.run.added[f]);
            if p.joint {
                out = out.min(self.joint_bound(p, f));
            }
            for slot in p.slot_start[f]..p.slot_start[f + 1] {
                let run = p.run_start[slot]..p.run_start[slot + 1];
                let (mut got, mut blocked, mut from_origins) = (0.0, 0.0, 0.0);
                for e in run {
                    let shipped = p.z0[e] * self.nodes.served[p.src[e] as usize];
                    let cut = restricted_cut(&self.run.cut, p.cut_of[e]);
                    got += shipped * (1.0 - cut);
                    blocked += shipped * cut;
                    if p.watch.get(e).copied().unwrap_or(false) {
                        from_origins += shipped * (1.0 - cut);
                    }
                }
                if let Some(o) = self.receipts.received_o.get_mut(slot) {
                    *o = from_origins;
                }
                self.receipts.received[slot] = got;
                self.receipts.asked[slot] = p.sched[slot];
                self.receipts.kept[p.slot_product[slot] as usize] += blocked;
                out = out.min(got / self.run.coef[slot]);
            }
            self.nodes.x[f] = out;
            self.nodes.served[f] = if p.x0[f] > 0.0 {
                (out / p.x0[f]).min(1.0)
            } else {
                0.0
            };
            self.tags.free[f] = self.nodes.served[f];
        }
        self.record(engine, t);
    }

    /// A step of the ario and standard modes.
    fn advance_ario(&mut self, engine: &Dynamic, r: &Realization) {
        let p = &engine.plan;
        let s = &engine.settings;
        let t = self.t;
        if p.overproduction && t > 0 {
            for f in 0..p.x0.len() {
                let d = self.nodes.demand[f];
                let scarcity = if d != 0.0 {
                    (d - self.nodes.x[f]) / d
                } else {
                    0.0
                };
                let a = self.nodes.alpha[f];
                let mut change = (s.alpha_max - a) * scarcity * p.r_alpha;
                if scarcity == 0.0 {
                    change += (1.0 - a) * p.r_alpha;
                }
                self.nodes.alpha[f] = (a + change).max(1.0);
            }
        }
        let alt = s.orders == Orders::Alt;
        self.pool.pool_spare.fill(0.0);
        for f in 0..p.x0.len() {
            let (x0, keep, base) = (p.x0[f], 1.0 - self.nodes.loss[f], self.run.cap_base[f]);
            // Capacity, and capacity without the loss: their ratio weighs `alt` orders.
            let (cap, nominal) = match (s.mode, p.overproduction) {
                (Mode::Standard, false) => {
                    let ramped = x0 + self.ramp(engine, f) * (base - x0);
                    (ramped.min(keep * base), ramped)
                }
                (Mode::Standard, true) => ((self.nodes.alpha[f] * x0).min(keep * base), x0),
                _ => (self.nodes.alpha[f] * keep * x0, x0),
            };
            // New capacity (§5.7) adds to both, fully usable.
            let (cap, nominal) = (cap + self.run.added[f], nominal + self.run.added[f]);
            self.nodes.cap[f] = cap;
            self.nodes.pair[f][1] = if alt && nominal > 0.0 {
                cap / nominal
            } else {
                1.0
            };
            // Spare capacity beyond baseline output takes re-routed orders (§5.7).
            self.pool.spare[f] = if p.expands[f] {
                (self.nodes.cap[f] - x0).max(0.0)
            } else {
                0.0
            };
            self.pool.pool_spare[p.product[f] as usize] += self.pool.spare[f];
        }
        self.pool.pool_served.fill(0.0);
        self.final_demand.final_release.fill(0.0);
        if self.lag == 0 {
            // Within the step, product by product in topological order: a product's users
            // receive once all its makers have produced, and its stockpiles release to them
            // before they produce.
            // Slots are fed in node order (memory order) unless a stockpile needed their
            // receipts first.
            let stamp = t + 1;
            for (k, nodes) in &p.blocks {
                for f in nodes.clone() {
                    for slot in p.slot_start[f]..p.slot_start[f + 1] {
                        if self.receipts.fed[slot] != stamp {
                            self.receipts.received[slot] = self.feed(p, slot);
                        }
                        self.receipts.stock[slot] += self.receipts.received[slot];
                    }
                    let switching = if p.switches.is_empty() {
                        0..0
                    } else {
                        p.switch_start[f]..p.switch_start[f + 1]
                    };
                    if !switching.is_empty() {
                        self.switch_in(p, f, switching.clone());
                    }
                    self.produce(engine, f, true);
                    for slot in p.slot_start[f]..p.slot_start[f + 1] {
                        self.receipts.stock[slot] -= self.run.coef[slot] * self.nodes.x[f];
                        self.order(p, f, slot);
                    }
                    if !switching.is_empty() {
                        self.switch_order(p, f, switching);
                    }
                }
                let k = *k as usize;
                for pile in p.pile_start[k]..p.pile_start[k + 1] {
                    if self.final_demand.pile_level[pile] <= self.final_demand.pile_floor[pile]
                        || !self.releases(engine, pile)
                    {
                        continue;
                    }
                    for &slot in &p.pile_slots[p.piles[pile].slots.clone()] {
                        let slot = slot as usize;
                        self.receipts.received[slot] = self.feed(p, slot);
                        self.receipts.fed[slot] = stamp;
                    }
                    self.release(engine, r, t, pile);
                }
            }
        } else {
            for f in 0..p.x0.len() {
                self.produce(engine, f, false);
            }
            let lag = self.lag - 1;
            for f in 0..p.x0.len() {
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    let got = self.feed(p, slot);
                    self.receipts.received[slot] = got;
                    let at = slot * lag + self.receipts.pipe_at;
                    let arriving = if lag > 0 {
                        std::mem::replace(&mut self.receipts.pipe[at], got)
                    } else {
                        got
                    };
                    self.receipts.arrived[slot] = arriving;
                    if let Some(got_o) = self.receipts.received_o.get(slot).copied() {
                        self.receipts.arrived_o[slot] = if lag > 0 {
                            std::mem::replace(&mut self.receipts.pipe_o[at], got_o)
                        } else {
                            got_o
                        };
                    }
                    self.receipts.stock[slot] += arriving - self.run.coef[slot] * self.nodes.x[f];
                    self.order(p, f, slot);
                }
            }
            if lag > 0 {
                self.receipts.pipe_at = (self.receipts.pipe_at + 1) % lag;
            }
        }
        if self.lag > 0 {
            for pile in 0..p.piles.len() {
                self.release(engine, r, t, pile);
            }
        }
        if !engine.rebuild.is_empty() {
            let b = &mut self.rebuilding;
            engine.rebuild.deliver(t, &self.nodes.served, &mut b.left);
            for (sum, v) in b
                .left_sum
                .iter_mut()
                .zip(engine.rebuild.left_by_event(&b.left))
            {
                *sum = v;
            }
        }
        self.record(engine, t);
        self.outcome.record_piles(t, &self.final_demand.pile_level);
        self.clear_markets(engine, r, t);
        // Re-routed orders go to spare capacity, in proportion to it and at most all of
        // it; what exceeds it is lost (the inventory gap orders it again).
        for f in 0..p.x0.len() {
            let k = p.product[f] as usize;
            self.pool.pool_demand[f] = if self.pool.pool_spare[k] > 0.0 {
                self.pool.pool_orders[k].min(self.pool.pool_spare[k]) * self.pool.spare[f]
                    / self.pool.pool_spare[k]
            } else {
                0.0
            };
            self.nodes.next[f] += self.pool.pool_demand[f];
        }
        self.defer(engine, r, t);
        for (d, (n, fd)) in self
            .nodes
            .demand
            .iter_mut()
            .zip(self.nodes.next.iter_mut().zip(&self.nodes.fd_now))
        {
            *d = *n + fd;
            *n = 0.0;
        }
        for (prev, pair) in self.nodes.ratio_prev.iter_mut().zip(&self.nodes.pair) {
            *prev = pair[1];
        }
        if p.tags {
            std::mem::swap(&mut self.tags.demand_cut, &mut self.tags.next_cut);
            std::mem::swap(
                &mut self.tags.demand_cut_rerouted,
                &mut self.tags.next_cut_rerouted,
            );
            std::mem::swap(&mut self.tags.demand_target, &mut self.tags.next_target);
            self.tags.next_target.fill(0.0);
            self.tags.next_cut.fill(0.0);
            self.tags.next_cut_rerouted.fill(0.0);
        }
        self.pool
            .pool_orders_prev
            .copy_from_slice(&self.pool.pool_orders);
        self.pool.pool_orders.fill(0.0);
        std::mem::swap(&mut self.switching.order_prev, &mut self.switching.order);
        self.switching.order.fill(0.0);
        self.pool
            .pool_first_prev
            .copy_from_slice(&self.pool.pool_first);
        self.pool.pool_first.fill(0.0);
    }

    /// What was shipped to a slot this step: each of last step's orders times its
    /// supplier's served share (proportional rationing over all demands) and, on a
    /// restricted edge, `1 - cut`; plus its re-routed order times the share of re-routed
    /// orders served. Stores the sums of the slot's order weights `z₀·ρ`, all and on
    /// restricted edges times the cut, for this step's orders. One pass over the edges.
    fn feed(&mut self, p: &Plan, slot: usize) -> f64 {
        let run = p.run_start[slot]..p.run_start[slot + 1];
        self.receipts.asked[slot] = self.orders.ordered[slot];
        let (mut received, mut weight, mut blocked, mut kept) = (0.0, 0.0, 0.0, 0.0);
        let mut tagged = 0.0;
        // From the firms' origins (§5.5): what the watched edges add to `received`.
        let mut from_origins = 0.0;
        let watching = !p.watch.is_empty();
        if p.slot_cut[slot] || p.tags {
            let gate = p.slot_target[slot];
            for e in run {
                let before = received;
                let i = p.src[e] as usize;
                let [delivers, ratio] = self.nodes.pair[i];
                // The share of a delivery that is freed volume (`divert`, §5.7).
                let (share_n, share_t) = if p.tags {
                    (self.tags.share_n[i], self.tags.share_t[i])
                } else {
                    (0.0, 0.0)
                };
                weight += p.z0[e] * ratio;
                if p.cut_of[e] == NONE {
                    let freed = p.z0[e] * delivers * if gate { share_t } else { share_n };
                    if gate {
                        // At most κ of freed volume reaches a target; it is untagged then.
                        let kappa = self.run.kappa[p.slot_product[slot] as usize];
                        let held = freed * (1.0 - kappa);
                        received += p.z0[e] * delivers - held;
                        kept += held;
                    } else {
                        received += p.z0[e] * delivers;
                        tagged += freed;
                    }
                } else {
                    let (now, then) = (
                        restricted_cut(&self.run.cut, p.cut_of[e]),
                        restricted_cut(&self.run.cut_prev, p.cut_of[e]),
                    );
                    let placed = if self.orders.rerouted[slot] {
                        1.0 - then
                    } else {
                        1.0
                    };
                    // A target that re-routed ordered only the allowed part: it passes in
                    // full unless the cut rose since. Cut orders get the cut share served.
                    let allowed = placed.min(1.0 - now);
                    let base = delivers * (1.0 - share_n);
                    received += p.z0[e] * base * allowed;
                    kept += p.z0[e] * base * (placed - allowed);
                    blocked += p.z0[e] * ratio * now;
                }
                if watching && p.watch[e] {
                    from_origins += received - before;
                }
            }
        } else {
            let edges = p.src[run.clone()].iter().zip(&p.z0[run.clone()]);
            for (e, (&i, &z)) in run.zip(edges) {
                let [delivers, ratio] = self.nodes.pair[i as usize];
                received += z * delivers;
                weight += z * ratio;
                if watching && p.watch[e] {
                    from_origins += z * delivers;
                }
            }
        }

        self.tags.tagged[slot] = tagged * self.orders.factor[slot];
        self.orders.weight[slot] = weight;
        self.orders.blocked[slot] = blocked;
        let k = p.slot_product[slot] as usize;
        self.receipts.kept[k] += kept * self.orders.factor[slot];
        let pooled = self.orders.pool_order[slot] * self.pool_share(p, slot);
        if watching {
            // Re-routed orders replace blocked orders to the restricting suppliers: what the
            // pool serves counts with the firms' origins (docs/model.md §5.5).
            self.receipts.received_o[slot] = from_origins * self.orders.factor[slot] + pooled;
        }
        received * self.orders.factor[slot] + pooled
    }

    /// The share of last step's re-routed orders of the slot's class that the pool of its
    /// product served: the priority class first (`bloc_first`), pro rata within each class.
    fn pool_share(&self, p: &Plan, slot: usize) -> f64 {
        let k = p.slot_product[slot] as usize;
        let (served, all, first) = (
            self.pool.pool_served[k],
            self.pool.pool_orders_prev[k],
            self.pool.pool_first_prev[k],
        );
        let to_first = served.min(first);
        let (class_served, class_orders) = if p.slot_first[slot] {
            (to_first, first)
        } else {
            (served - to_first, all - first)
        };
        if class_orders > 0.0 {
            class_served / class_orders
        } else {
            0.0
        }
    }

    /// §5.7 substitution groups, before a switching node produces: what arrived of its
    /// switch orders leaves the substitute's slot for the switch stock; of it, the node
    /// takes as its preferred input, at `1/k`, what its inventory lacks of target, at most
    /// the limit's share of its baseline use this step.
    #[inline(never)]
    fn switch_in(&mut self, p: &Plan, f: usize, switching: std::ops::Range<usize>) {
        for i in switching {
            let w = p.switches[i];
            let got = self.switching.order_prev[i] * self.pool_share(p, w.s_slot);
            self.receipts.received[w.s_slot] -= got;
            self.receipts.stock[w.s_slot] -= got;
            self.switching.got[i] = got;
            self.switching.stock[i] += got;
            let (ps, ratio) = (w.p_slot, self.switching.ratio[i]);
            let allowance = self.switching.limit[i] * self.run.coef[ps] * p.x0[f];
            let lacking =
                (self.run.coef[ps] * p.x0[f] * p.cover[ps] - self.receipts.stock[ps]).max(0.0);
            let moved = (self.switching.stock[i] / ratio)
                .min(allowance)
                .min(lacking);
            self.switching.stock[i] -= moved * ratio;
            self.receipts.stock[ps] += moved;
            self.switching.moved[i] = moved;
        }
    }

    /// §5.7 substitution groups, after a switching node ordered: when its preferred input
    /// arrived short of what it asked, it orders `k` times the shortfall of the substitute
    /// from the substitute's pool of spare capacity, up to a switch stock of the limit's
    /// share of its target inventory.
    #[inline(never)]
    fn switch_order(&mut self, p: &Plan, f: usize, switching: std::ops::Range<usize>) {
        for i in switching {
            let w = p.switches[i];
            let (ps, ratio) = (w.p_slot, self.switching.ratio[i]);
            let short = (self.receipts.asked[ps] - self.receipts.received[ps]).max(0.0);
            let target = self.switching.limit[i] * self.run.coef[ps] * p.x0[f] * p.cover[ps];
            let room = (ratio * target - self.switching.stock[i]).max(0.0);
            let order = if self.pool.pool_spare[w.substitute] > 0.0 {
                (ratio * short).min(room)
            } else {
                0.0
            };
            self.switching.order[i] = order;
            self.orders.pool_order[w.s_slot] += order;
            self.pool.pool_orders[w.substitute] += order;
            if p.slot_first[w.s_slot] {
                self.pool.pool_first[w.substitute] += order;
            }
        }
    }

    /// Output: planned `min(D, capacity)`, cut by the scarcest input below `ψ` of its
    /// target. With lagged delivery (ario) the inventory compared is the level at the
    /// start of the step; with delivery within the step, what is shipped during the step
    /// arrives on average at its middle, so the level compared is the start level plus
    /// half the step's receipt, and output never uses more than is at hand
    /// (docs/model.md §5.4).
    fn produce(&mut self, engine: &Dynamic, f: usize, within: bool) {
        let p = &engine.plan;
        let mut xopt = self.nodes.demand[f].min(self.nodes.cap[f]);
        if p.joint {
            xopt = xopt.min(self.joint_bound(p, f));
        }
        let mut ratio: f64 = 1.0;
        for slot in p.slot_start[f]..p.slot_start[f + 1] {
            let need = engine.settings.psi * self.run.coef[slot] * xopt * p.cover[slot];
            let level = if within {
                let use_all = self.run.coef[slot] * xopt;
                if use_all > self.receipts.stock[slot] {
                    ratio = ratio.min(self.receipts.stock[slot].max(0.0) / use_all);
                }
                self.receipts.stock[slot] - 0.5 * self.receipts.received[slot]
            } else {
                self.receipts.stock[slot]
            };
            if p.binds[slot] && need > 0.0 && level < need {
                ratio = ratio.min(level.max(0.0) / need);
            }
        }
        self.nodes.xopt[f] = xopt;
        self.nodes.x[f] = xopt * ratio;
        // Regular orders and final demand first, pro rata; re-routed orders get only
        // output beyond them (they are served from spare capacity, docs/model.md §5.7).
        let regular = self.nodes.demand[f] - self.pool.pool_demand[f];
        let x = self.nodes.x[f];
        self.nodes.served[f] = if regular > 0.0 {
            (x / regular).min(1.0)
        } else {
            0.0
        };
        if let Some(&asked) = self.rebuilding.asked.get(f) {
            if asked > 0.0 && engine.rebuild.ario() {
                // BoARIO's inventory target (§5.13): at the demand left after
                // distribution, so rebuilding served does not count.
                let left = self.nodes.demand[f] - self.nodes.served[f] * asked;
                self.nodes.xopt[f] = left.min(self.nodes.cap[f]);
            }
        }
        let (q, k) = (self.nodes.served[f], p.product[f] as usize);
        let beyond = (x - regular).max(0.0);
        let (mut free, mut share_n, mut share_t) = (q, 0.0, 0.0);
        if p.tags {
            if p.diverting[f] {
                // Divert (§5.7): the blocked part of cut orders goes to the node's other
                // demands not served; the rest of it stays unsold.
                let k_cut = p.node_cut_of[f] as usize;
                let (cut, placed) = (self.run.cut[k_cut], 1.0 - self.run.cut_prev[k_cut]);
                let (full, part) = (self.tags.demand_cut[f], self.tags.demand_cut_rerouted[f]);
                let cut_demand = full + part + self.tags.fd_cut_now[f];
                let blocked_part = if placed > 0.0 {
                    part * (placed - placed.min(1.0 - cut)) / placed
                } else {
                    0.0
                };
                let blocked = q * ((full + self.tags.fd_cut_now[f]) * cut + blocked_part);
                let open = (regular - cut_demand).max(0.0);
                let diverted = blocked.min((1.0 - q) * open);
                if open > 0.0 {
                    free = q + diverted / open;
                }
                if free > 0.0 {
                    share_n = (free - q) / free;
                }
                self.tags.diverted[k] += diverted;
                self.receipts.kept[k] -= diverted;
                // Made for blocked orders and sold to nobody: the origin's surplus (§7.5).
                if let Some(pricing) = &mut self.pricing {
                    pricing.surplus[k] += blocked - diverted;
                }
            } else if !p.target[f] {
                // Processed freed volume: output tagged in the largest tagged share among
                // its inputs, delivered to non-targets first, the rest to targets.
                let mut share: f64 = 0.0;
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    if self.receipts.received[slot] > 0.0 {
                        share = share.max(self.tags.tagged[slot] / self.receipts.received[slot]);
                    }
                }
                let tagged = share.min(1.0) * x;
                let to_targets = self.tags.demand_target[f] + self.tags.fd_target_now[f];
                let (to_n, to_t) = (q * (regular - to_targets).max(0.0), q * to_targets + beyond);
                if to_n > 0.0 {
                    share_n = tagged.min(to_n) / to_n;
                }
                if to_t > 0.0 {
                    share_t = ((tagged - to_n).max(0.0) / to_t).min(1.0);
                }
            }
        }
        self.tags.free[f] = free;
        self.tags.share_n[f] = share_n;
        self.tags.share_t[f] = share_t;
        self.nodes.pair[f][0] = free * self.nodes.ratio_prev[f];
        // Output beyond regular demand serves re-routed orders, all from targets: freed
        // volume in it passes the κ gate.
        let held = beyond * share_t * (1.0 - self.run.kappa[k]);
        self.pool.pool_served[k] += beyond - held;
        self.receipts.kept[k] += held;
    }

    /// A joint output's bound this step, its yield times its host's output (the host
    /// produced earlier in the step: its product comes first, docs/model.md §1.8);
    /// infinite for any other node.
    #[inline(always)]
    fn joint_bound(&self, p: &Plan, f: usize) -> f64 {
        match p.host[f] {
            (NONE, _) => f64::INFINITY,
            (host, per_unit) => per_unit * self.nodes.x[host as usize],
        }
    }

    /// A slot's orders for the next step: replace what was used and close the share
    /// `r_inv` of the gap to target, split over suppliers in proportion to `z₀·ρ` (with
    /// `alt`, `ρ` is capacity now over capacity at the start; nothing is ordered when no
    /// supplier has capacity, as in BoARIO). A target re-routes the part of its orders a
    /// restriction would block to spare capacity, when there is any.
    fn order(&mut self, p: &Plan, f: usize, slot: usize) {
        // §7.6: precautionary buying raises the cover ordered for, not the `ψ` test's.
        let extra = self
            .pricing
            .as_ref()
            .map_or(0.0, |x| x.extra.get(slot).map_or(0.0, |e| *e));
        let goal = self.run.coef[slot] * self.nodes.xopt[f] * (p.cover[slot] + extra);
        let gap = (goal - self.receipts.stock[slot]).max(0.0) * p.r_inv;
        let total = self.run.coef[slot] * self.nodes.x[f] + gap;
        self.orders.ordered[slot] = total;
        let weight = self.orders.weight[slot];
        let factor = if weight > 0.0 { total / weight } else { 0.0 };
        self.orders.factor[slot] = factor;
        let k = p.slot_product[slot] as usize;
        let reroute = self.orders.blocked[slot] > 0.0 && self.pool.pool_spare[k] > 0.0;
        self.orders.rerouted[slot] = reroute;
        self.orders.pool_order[slot] = if reroute {
            factor * self.orders.blocked[slot]
        } else {
            0.0
        };
        self.pool.pool_orders[k] += self.orders.pool_order[slot];
        if p.slot_first[slot] {
            self.pool.pool_first[k] += self.orders.pool_order[slot];
        }
        let run = p.run_start[slot]..p.run_start[slot + 1];
        if p.tags && p.slot_cut[slot] {
            for e in run.clone() {
                if p.cut_of[e] != NONE {
                    let i = p.src[e] as usize;
                    let order = p.z0[e] * self.nodes.pair[i][1] * factor;
                    if reroute {
                        let placed = 1.0 - restricted_cut(&self.run.cut, p.cut_of[e]);
                        self.tags.next_cut_rerouted[i] += order * placed;
                    } else {
                        self.tags.next_cut[i] += order;
                    }
                }
            }
        }
        if p.tags && p.slot_target[slot] {
            for e in run.clone() {
                let i = p.src[e] as usize;
                let placed = if reroute {
                    1.0 - restricted_cut(&self.run.cut, p.cut_of[e])
                } else {
                    1.0
                };
                self.tags.next_target[i] += p.z0[e] * self.nodes.pair[i][1] * factor * placed;
            }
        }
        if reroute {
            for e in run {
                let i = p.src[e] as usize;
                let kept = 1.0 - restricted_cut(&self.run.cut, p.cut_of[e]);
                self.nodes.next[i] += p.z0[e] * self.nodes.pair[i][1] * factor * kept;
            }
        } else {
            for (&i, &z) in p.src[run.clone()].iter().zip(&p.z0[run]) {
                self.nodes.next[i as usize] += z * self.nodes.pair[i as usize][1] * factor;
            }
        }
    }

    /// Stockpile release (docs/model.md §5.7): when a region's users of a product got
    /// less than they ordered (slots) or asked (final use), its stockpile releases the
    /// deficit, at most the rate, down to its floor, pro rata to the deficits: into the
    /// slots' inventories, and to final use.
    fn release(&mut self, engine: &Dynamic, r: &Realization, t: usize, pile: usize) {
        let p = &engine.plan;
        let info = &p.piles[pile];
        let slots = &p.pile_slots[info.slots.clone()];
        let deficit_of = |s: usize| (self.receipts.asked[s] - self.receipts.received[s]).max(0.0);
        let mut final_gap = 0.0;
        for &e in &p.pile_fd[info.fd.clone()] {
            let e = e as usize;
            let asked = p.y0[e] * self.final_demand.fd_scale[p.fd_sink[e] as usize];
            let (delivered, _) = p.final_delivery(
                e,
                asked,
                self.served_by(p, p.fd_node[e] as usize),
                &self.run.cut,
            );
            final_gap += asked - delivered;
        }
        let deficit: f64 = slots.iter().map(|&s| deficit_of(s as usize)).sum::<f64>() + final_gap;
        let room = self.final_demand.pile_level[pile] - self.final_demand.pile_floor[pile];
        if deficit <= engine.settings.release_threshold * info.baseline
            || room <= 0.0
            || !self.releases(engine, pile)
        {
            return;
        }
        let rate = r
            .mitigation
            .release_rate
            .map_or(f64::INFINITY, |v| v * p.dt);
        let amount = deficit.min(room).min(rate);
        let share = amount / deficit;
        for &s in slots {
            self.receipts.stock[s as usize] += deficit_of(s as usize) * share;
        }
        self.final_demand.final_release[info.region * p.products + info.product] +=
            final_gap * share;
        self.final_demand.pile_level[pile] -= amount;
        self.outcome.record_release(t, info.product, amount);
        if let (Some(pricing), Some(plan)) = (&mut self.pricing, &engine.pricing) {
            pricing.released(plan, pile, amount - final_gap * share);
        }
    }

    /// Whether a stockpile may release at this step's price (§7.5; always without a
    /// market step).
    fn releases(&self, engine: &Dynamic, pile: usize) -> bool {
        match (&self.pricing, &engine.pricing) {
            (Some(pricing), Some(plan)) => pricing.releases(plan, pile),
            _ => true,
        }
    }

    /// The market step at the end of step `t` (§7.5): what each market's users asked and
    /// got, the prices of the next step and their levers.
    fn clear_markets(&mut self, engine: &Dynamic, r: &Realization, t: usize) {
        let (Some(pricing), Some(plan)) = (&mut self.pricing, &engine.pricing) else {
            return;
        };
        let p = &engine.plan;
        let slots = (&self.receipts.asked[..], &self.receipts.received[..]);
        let nodes = (&p.x0[..], &self.nodes.cap[..], &self.nodes.demand[..]);
        pricing.count(plan, slots, nodes);
        let tau = (since_start(p, r, t), since_start(p, r, t + 1));
        pricing.update(plan, r, tau);
    }

    /// Final demand of the next step (§5.7): its multiplier in time (final-demand paths
    /// and demand shifts), plus the deferred backlog, asked again on each final-demand edge
    /// of its (region, product) in proportion to the baseline, times the market step's
    /// demand factor (§7.5).
    fn defer(&mut self, engine: &Dynamic, r: &Realization, t: usize) {
        let market = self.pricing.as_ref().map(|pricing| &pricing.sink[..]);
        let in_time = !engine.demand.is_empty();
        if self.run.deferrable == 0.0 && market.is_none() && !in_time {
            return;
        }
        let p = &engine.plan;
        let fd = &mut self.final_demand;
        if in_time {
            let next = t + 1;
            engine
                .demand
                .fill(next, window(p, r).contains(&next), r, &mut fd.fd_mult);
        }
        for (i, scale) in fd.fd_scale.iter_mut().enumerate() {
            let base = self.outcome.final_baseline[i];
            *scale = fd.fd_mult[i];
            if base > 0.0 && self.run.deferrable != 0.0 {
                *scale += self.outcome.deferred(t, i) / base;
            }
            // The market step's demand factor (§7.5).
            if let Some(d) = market {
                *scale *= d[i];
            }
        }
        self.ask_final(p);
    }

    /// What final users ask of each node this step, from `fd_scale`: in all, on cut edges
    /// and by targets.
    fn ask_final(&mut self, p: &Plan) {
        for f in 0..p.x0.len() {
            let (mut all, mut cut, mut target) = (0.0, 0.0, 0.0);
            for e in p.fd_start[f]..p.fd_start[f + 1] {
                let asked = if p.fd_real[e] {
                    p.y0[e] * self.final_demand.fd_scale[p.fd_sink[e] as usize]
                } else {
                    p.y0[e]
                };
                all += asked;
                if p.fd_cut_of[e] != NONE {
                    cut += asked;
                }
                if p.fd_target[e] {
                    target += asked;
                }
            }
            self.nodes.fd_now[f] = all;
            self.tags.fd_cut_now[f] = cut;
            self.tags.fd_target_now[f] = target;
        }
    }

    /// How node `f` served its demands this step.
    fn served_by(&self, p: &Plan, f: usize) -> super::Served {
        super::Served {
            served: self.nodes.served[f],
            free: self.tags.free[f],
            tagged: self.tags.share_t[f],
            kappa: self.run.kappa[p.product[f] as usize],
        }
    }

    /// Records the step: paths, shortfalls, and the product balance of the step.
    fn record(&mut self, engine: &Dynamic, t: usize) {
        let p = &engine.plan;
        let step = super::outcome::StepRecord {
            x: &self.nodes.x,
            demand: &self.nodes.demand,
            alpha: &self.nodes.alpha,
            stock: &self.receipts.stock,
            received: &self.receipts.received,
            arrived: if self.lag > 1 {
                &self.receipts.arrived
            } else {
                &self.receipts.received
            },
            arrived_o: if self.lag > 1 {
                &self.receipts.arrived_o
            } else {
                &self.receipts.received_o
            },
            served: &self.nodes.served,
            cut: &self.run.cut,
            kept: &self.receipts.kept,
            diverted: &self.tags.diverted,
            free: &self.tags.free,
            share: &self.tags.share_t,
            kappa: &self.run.kappa,
            final_release: &self.final_demand.final_release,
            fd_scale: &self.final_demand.fd_scale,
            deferrable: self.run.deferrable,
            substitutable: self.run.substitutable,
            theta: &self.run.theta,
            reduced: &engine.reduced,
            switch_moved: &self.switching.moved,
            switch_got: &self.switching.got,
            rebuild_asked: &self.rebuilding.asked,
            rebuild_left: &self.rebuilding.left_sum,
        };
        let market = self.pricing.as_mut().map(Pricing::step);
        self.outcome.record(t, p, &step, market);
    }
}

/// The steps of the scenario's window: from its start for its horizon.
fn window(p: &Plan, r: &Realization) -> std::ops::Range<usize> {
    let start = (r.start.unwrap_or(0.0) / p.dt).round() as usize;
    start..start + (r.horizon / p.dt).round() as usize
}

/// Years from the shocks' start to the middle of step `t` (0 before the start, §7.5).
fn since_start(p: &Plan, r: &Realization, t: usize) -> f64 {
    let start = (r.start.unwrap_or(0.0) / p.dt).round();
    ((t as f64 - start + 0.5) * p.dt).max(0.0)
}
