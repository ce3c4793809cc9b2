//! One step of the dynamic engine, in BoARIO's order (docs/model.md §5.3).
//!
//! Orders are not stored per edge: the order a slot placed on a feeding edge last step is
//! `z₀·ρ_prev[supplier]·factor[slot]` (baseline flow, the supplier's capacity ratio then,
//! the slot's order factor), so each step reads every edge's baseline flow and supplier
//! once to receive and weigh, and once more, from cache, to place the next orders
//! (docs/model.md §5.6).

use super::{Dynamic, DynamicOutcome, Mode, Orders, Plan};
use crate::network::Network;
use crate::scenario::Realization;

/// The state of a dynamic run and the outcome it records; built once per engine and
/// network, reused by every run without allocating.
#[derive(Debug, Clone)]
pub struct DynamicWorkspace {
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
    /// Per node, read together by every customer: `[served·ρ_prev, ρ]`, what a feeding
    /// edge delivers per unit of baseline flow and order factor, and the capacity ratio
    /// weighting this step's orders (1 without `alt`).
    pair: Vec<[f64; 2]>,
    /// The capacity ratio of last step.
    ratio_prev: Vec<f64>,
    /// Input inventory per slot.
    stock: Vec<f64>,
    /// Per slot: the sum of its feeding edges' order weights `z₀·ρ` this step.
    weight: Vec<f64>,
    /// Per slot: the order factor of last step's orders.
    factor: Vec<f64>,
    /// Inputs in transit, `lag - 1` steps per slot, oldest first at `pipe_at`.
    pipe: Vec<f64>,
    pipe_at: usize,
    /// The step about to run.
    t: usize,
    outcome: DynamicOutcome,
}

impl DynamicWorkspace {
    pub(super) fn new(net: &Network, engine: &Dynamic) -> Self {
        let p = &engine.plan;
        let (nn, ns) = (p.x0.len(), p.a.len());
        Self {
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
            stock: vec![0.0; ns],
            weight: vec![0.0; ns],
            factor: vec![1.0; ns],
            pipe: vec![0.0; ns * p.lag.saturating_sub(1)],
            pipe_at: 0,
            t: 0,
            outcome: DynamicOutcome::new(net, engine),
        }
    }

    /// The outcome of the last run.
    pub fn outcome(&self) -> &DynamicOutcome {
        &self.outcome
    }

    /// Puts the economy at its baseline: inventories at target, last step's orders at
    /// baseline flows.
    pub(super) fn start(&mut self, engine: &Dynamic) {
        let p = &engine.plan;
        self.alpha.fill(1.0);
        self.loss.fill(0.0);
        self.x.copy_from_slice(&p.x0);
        self.ratio_prev.fill(1.0);
        self.factor.fill(1.0);
        self.next.fill(0.0);
        self.demand.copy_from_slice(&p.fd0);
        for (&from, z) in p.src.iter().zip(&p.z0) {
            self.demand[from as usize] += z;
        }
        let lag = p.lag.saturating_sub(1);
        for f in 0..p.x0.len() {
            for s in p.slot_start[f]..p.slot_start[f + 1] {
                self.stock[s] = p.a[s] * p.x0[f] * p.cover[s];
                let baseline: f64 = p.z0[p.run_start[s]..p.run_start[s + 1]].iter().sum();
                self.pipe[s * lag..(s + 1) * lag].fill(baseline);
            }
        }
        self.pipe_at = 0;
        self.t = 0;
        self.outcome.clear();
    }

    /// Runs one step (docs/model.md §5.3): losses, overproduction, capacity, production
    /// and delivery, final demand, orders for the next step.
    pub(super) fn advance(&mut self, engine: &Dynamic, r: &Realization) {
        let p = &engine.plan;
        let s = &engine.settings;
        let t = self.t;
        self.set_losses(engine, r);
        if p.overproduction && t > 0 {
            for f in 0..p.x0.len() {
                let d = self.demand[f];
                let scarcity = if d != 0.0 { (d - self.x[f]) / d } else { 0.0 };
                let a = self.alpha[f];
                let mut change = (s.alpha_max - a) * scarcity * p.r_alpha;
                if scarcity == 0.0 {
                    change += (1.0 - a) * p.r_alpha;
                }
                self.alpha[f] = (a + change).max(1.0);
            }
        }
        let alt = s.orders == Orders::Alt;
        for f in 0..p.x0.len() {
            let (x0, keep) = (p.x0[f], 1.0 - self.loss[f]);
            self.cap[f] = match (s.mode, p.overproduction) {
                (Mode::Ario, _) => self.alpha[f] * keep * x0,
                (Mode::Standard, true) => (self.alpha[f] * x0).min(keep * p.cap0[f]),
                (Mode::Standard, false) => {
                    (x0 + s.spare_ramp * (p.cap0[f] - x0)).min(keep * p.cap0[f])
                }
            };
            self.pair[f][1] = if alt && p.cap_ref[f] > 0.0 {
                self.cap[f] / p.cap_ref[f]
            } else {
                1.0
            };
        }
        if p.lag == 0 {
            // Within the step: every supplier has produced before its customers receive.
            for f in 0..p.x0.len() {
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    self.stock[slot] += self.feed(p, slot);
                }
                self.produce(engine, f);
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    self.stock[slot] -= p.a[slot] * self.x[f];
                    self.order(p, f, slot);
                }
            }
        } else {
            for f in 0..p.x0.len() {
                self.produce(engine, f);
            }
            let lag = p.lag - 1;
            for f in 0..p.x0.len() {
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    let mut arriving = self.feed(p, slot);
                    if lag > 0 {
                        let at = slot * lag + self.pipe_at;
                        arriving = std::mem::replace(&mut self.pipe[at], arriving);
                    }
                    self.stock[slot] += arriving - p.a[slot] * self.x[f];
                    self.order(p, f, slot);
                }
            }
            if lag > 0 {
                self.pipe_at = (self.pipe_at + 1) % lag;
            }
        }
        self.outcome.record(
            t,
            &self.x,
            &self.demand,
            &self.alpha,
            &self.stock,
            |short| {
                for f in 0..p.x0.len() {
                    let unmet = 1.0 - self.served[f];
                    for k in p.fd_start[f]..p.fd_start[f + 1] {
                        short[p.fd_sink[k] as usize] += p.y0[k] * unmet;
                    }
                }
            },
        );
        for (d, (n, fd)) in self.demand.iter_mut().zip(self.next.iter_mut().zip(&p.fd0)) {
            *d = *n + fd;
            *n = 0.0;
        }
        for (prev, pair) in self.ratio_prev.iter_mut().zip(&self.pair) {
            *prev = pair[1];
        }
        self.t += 1;
    }

    /// The scenario's losses inside its window and the explicit paths, the larger where
    /// both apply.
    fn set_losses(&mut self, engine: &Dynamic, r: &Realization) {
        let p = &engine.plan;
        let at = |n: &crate::network::NodeId| p.pos[n.index()] as usize;
        for n in &engine.loss_nodes {
            self.loss[at(n)] = 0.0;
        }
        for (n, _) in &engine.loss_paths {
            self.loss[at(n)] = 0.0;
        }
        let end = p.start + (r.horizon / p.dt).round() as usize;
        if (p.start..end).contains(&self.t) {
            for (c, n) in r.capacity_losses.iter().zip(&engine.loss_nodes) {
                self.loss[at(n)] = self.loss[at(n)].max(c.share);
            }
        }
        for (n, path) in &engine.loss_paths {
            let v = path.get(self.t).copied().unwrap_or(0.0);
            self.loss[at(n)] = self.loss[at(n)].max(v);
        }
    }

    /// What a slot receives this step (each of last step's orders times its supplier's
    /// served share: proportional rationing over all demands), and, stored, the sum of its
    /// feeding edges' order weights `z₀·ρ` for this step's orders. One pass over the
    /// slot's edges.
    fn feed(&mut self, p: &Plan, slot: usize) -> f64 {
        let run = p.run_start[slot]..p.run_start[slot + 1];
        let (mut received, mut weight) = (0.0, 0.0);
        for (&i, &z) in p.src[run.clone()].iter().zip(&p.z0[run]) {
            let [delivers, ratio] = self.pair[i as usize];
            received += z * delivers;
            weight += z * ratio;
        }
        self.weight[slot] = weight;
        received * self.factor[slot]
    }

    /// Output: planned `min(D, capacity)`, cut by the scarcest input below `ψ` of its
    /// target.
    fn produce(&mut self, engine: &Dynamic, f: usize) {
        let p = &engine.plan;
        let xopt = self.demand[f].min(self.cap[f]);
        let mut ratio: f64 = 1.0;
        for slot in p.slot_start[f]..p.slot_start[f + 1] {
            let need = engine.settings.psi * p.a[slot] * xopt * p.cover[slot];
            if p.binds[slot] && need > 0.0 && self.stock[slot] < need {
                ratio = ratio.min(self.stock[slot] / need);
            }
        }
        self.xopt[f] = xopt;
        self.x[f] = xopt * ratio;
        let d = self.demand[f];
        self.served[f] = if d > 0.0 { self.x[f] / d } else { 0.0 };
        self.pair[f][0] = self.served[f] * self.ratio_prev[f];
    }

    /// A slot's orders for the next step: replace what was used and close the share
    /// `r_inv` of the gap to target, split over suppliers in proportion to `z₀·ρ` (with
    /// `alt`, `ρ` is capacity now over capacity at the start; nothing is ordered when no
    /// supplier has capacity, as in BoARIO), added to each supplier's next demand.
    fn order(&mut self, p: &Plan, f: usize, slot: usize) {
        let goal = p.a[slot] * self.xopt[f] * p.cover[slot];
        let gap = (goal - self.stock[slot]).max(0.0) * p.r_inv;
        let total = p.a[slot] * self.x[f] + gap;
        let weight = self.weight[slot];
        let factor = if weight > 0.0 { total / weight } else { 0.0 };
        self.factor[slot] = factor;
        let run = p.run_start[slot]..p.run_start[slot + 1];
        for (&i, &z) in p.src[run.clone()].iter().zip(&p.z0[run]) {
            self.next[i as usize] += z * self.pair[i as usize][1] * factor;
        }
    }
}
