//! One step of the dynamic engine, in BoARIO's order (docs/model.md §7.3).

use super::{Dynamic, DynamicOutcome, Mode, Orders};
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
    /// Input inventory per slot.
    stock: Vec<f64>,
    /// Orders per feeding edge (placed last step).
    orders: Vec<f64>,
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
            stock: vec![0.0; ns],
            orders: vec![0.0; p.z0.len()],
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

    /// Puts the economy at its baseline: inventories at target, orders at baseline flows.
    pub(super) fn start(&mut self, engine: &Dynamic) {
        let p = &engine.plan;
        self.alpha.fill(1.0);
        self.loss.fill(0.0);
        self.x.copy_from_slice(&p.x0);
        self.orders.copy_from_slice(&p.z0);
        self.demand.copy_from_slice(&p.fd0);
        for (e, &from) in p.src.iter().enumerate() {
            self.demand[from as usize] += p.z0[e];
        }
        let lag = p.lag.saturating_sub(1);
        for s in 0..p.a.len() {
            let f = slot_node(p, s);
            self.stock[s] = p.a[s] * p.x0[f] * p.cover[s];
            let baseline: f64 = p.z0[p.run_start[s]..p.run_start[s + 1]].iter().sum();
            self.pipe[s * lag..(s + 1) * lag].fill(baseline);
        }
        self.pipe_at = 0;
        self.t = 0;
        self.outcome.clear();
    }

    /// Runs one step (docs/model.md §7.3): losses, overproduction, capacity, production
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
        for f in 0..p.x0.len() {
            let (x0, keep) = (p.x0[f], 1.0 - self.loss[f]);
            self.cap[f] = match (s.mode, p.overproduction) {
                (Mode::Ario, _) => self.alpha[f] * keep * x0,
                (Mode::Standard, true) => (self.alpha[f] * x0).min(keep * p.cap0[f]),
                (Mode::Standard, false) => {
                    (x0 + s.spare_ramp * (p.cap0[f] - x0)).min(keep * p.cap0[f])
                }
            };
        }
        if p.lag == 0 {
            // Within the step: every supplier has produced before its customers receive.
            for &f in &p.order {
                let f = f as usize;
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    self.stock[slot] += self.received(p, slot);
                }
                self.produce(engine, f);
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    self.stock[slot] -= p.a[slot] * self.x[f];
                }
            }
        } else {
            for f in 0..p.x0.len() {
                self.produce(engine, f);
            }
            let lag = p.lag - 1;
            for f in 0..p.x0.len() {
                for slot in p.slot_start[f]..p.slot_start[f + 1] {
                    let mut arriving = self.received(p, slot);
                    if lag > 0 {
                        let at = slot * lag + self.pipe_at;
                        arriving = std::mem::replace(&mut self.pipe[at], arriving);
                    }
                    self.stock[slot] += arriving - p.a[slot] * self.x[f];
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
        self.place_orders(engine);
        self.t += 1;
    }

    /// The scenario's losses inside its window and the explicit paths, the larger where
    /// both apply.
    fn set_losses(&mut self, engine: &Dynamic, r: &Realization) {
        let p = &engine.plan;
        for &n in &engine.loss_nodes {
            self.loss[n.index()] = 0.0;
        }
        for (n, _) in &engine.loss_paths {
            self.loss[n.index()] = 0.0;
        }
        let end = p.start + (r.horizon / p.dt).round() as usize;
        if (p.start..end).contains(&self.t) {
            for (c, n) in r.capacity_losses.iter().zip(&engine.loss_nodes) {
                self.loss[n.index()] = self.loss[n.index()].max(c.share);
            }
        }
        for (n, path) in &engine.loss_paths {
            let v = path.get(self.t).copied().unwrap_or(0.0);
            self.loss[n.index()] = self.loss[n.index()].max(v);
        }
    }

    /// What a slot receives this step: each feeding order times its supplier's served
    /// share (proportional rationing over all demands).
    fn received(&self, p: &super::Plan, slot: usize) -> f64 {
        let run = p.run_start[slot]..p.run_start[slot + 1];
        p.src[run.clone()]
            .iter()
            .zip(&self.orders[run])
            .map(|(&i, o)| o * self.served[i as usize])
            .sum()
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
    }

    /// Orders for the next step: replace what was used and close the share `r_inv` of the
    /// gap to target, split over suppliers (`alt`: weighted by the ratio of capacity now
    /// to capacity at the start).
    fn place_orders(&mut self, engine: &Dynamic) {
        let p = &engine.plan;
        let alt = engine.settings.orders == Orders::Alt;
        self.next.fill(0.0);
        for f in 0..p.x0.len() {
            for slot in p.slot_start[f]..p.slot_start[f + 1] {
                let goal = p.a[slot] * self.xopt[f] * p.cover[slot];
                let gap = (goal - self.stock[slot]).max(0.0) * p.r_inv;
                let total = p.a[slot] * self.x[f] + gap;
                let run = p.run_start[slot]..p.run_start[slot + 1];
                let weight = |e: usize| {
                    let i = p.src[e] as usize;
                    if alt && p.cap_ref[i] > 0.0 {
                        p.z0[e] * self.cap[i] / p.cap_ref[i]
                    } else {
                        p.z0[e]
                    }
                };
                let sum: f64 = run.clone().map(weight).sum();
                let base: f64 = p.z0[run.clone()].iter().sum();
                for e in run {
                    let share = if sum > 0.0 {
                        weight(e) / sum
                    } else if base > 0.0 {
                        p.z0[e] / base
                    } else {
                        0.0
                    };
                    self.orders[e] = total * share;
                    self.next[p.src[e] as usize] += self.orders[e];
                }
            }
        }
        for (d, (n, fd)) in self.demand.iter_mut().zip(self.next.iter().zip(&p.fd0)) {
            *d = n + fd;
        }
    }
}

/// The node a slot belongs to.
fn slot_node(p: &super::Plan, slot: usize) -> usize {
    p.slot_start.partition_point(|&s| s <= slot) - 1
}
