//! The network laid out for stepping (docs/model.md §5.6), built once per engine.

use super::super::resolved::{Resolved, NONE};
use super::{setting_error, DynamicSettings, Mode};
use crate::error::{Error, Result};
use crate::network::{Accounts, Network, NodeId, NodeKind, Sink};
use crate::scenario::{Disposal, Realization};

/// A strategic stockpile: a region's stock of a product and the users it releases to.
#[derive(Debug, Clone)]
pub(super) struct Pile {
    /// Region and product.
    pub(super) region: usize,
    pub(super) product: usize,
    /// Level before any perturbation, product units.
    pub(super) level: f64,
    /// The region's users: input slots (a range of `Plan::pile_slots`) and final-demand
    /// edges of real final use (a range of `Plan::pile_fd`).
    pub(super) slots: std::ops::Range<usize>,
    pub(super) fd: std::ops::Range<usize>,
    /// The users' baseline use per step (slots and final use).
    pub(super) baseline: f64,
}

/// The network laid out for stepping (docs/model.md §5.6): nodes in processing order;
/// input slots `(node, input product)` with the edges that feed each slot contiguous; final
/// demand edges per supplier; restrictions per edge; stockpiles.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// The network's node at each internal index: products in topological order on
    /// acyclic chains, the processing order. Every per-node array of the plan and the
    /// workspace is in internal order.
    pub(super) node_at: Vec<NodeId>,
    /// The internal index of each network node.
    pub(super) pos: Vec<u32>,
    /// Product of each node.
    pub(super) product: Vec<u32>,
    /// Baseline output per step.
    pub(super) x0: Vec<f64>,
    /// Capacity per step before losses, perturbation and ramp (`α_max·x₀` on monetary
    /// tables).
    pub(super) cap0: Vec<f64>,
    /// Per node: the internal index of its host and its yield, for a joint output
    /// (docs/model.md §1.8); `(NONE, 0)` otherwise.
    pub(super) host: Vec<(u32, f64)>,
    /// Whether any node is a joint output.
    pub(super) joint: bool,
    /// Whether the node's headroom is scaled by the perturbation and may ramp up: a
    /// producer that is not a restricting exporter's node of a restricted product.
    pub(super) expands: Vec<bool>,
    /// Per node: the restriction that cuts its shipments, as the pair `restriction·P +
    /// product` (NONE if none; one at most per diverting node), whether it diverts, and
    /// whether its region is a target.
    pub(super) node_cut_of: Vec<u32>,
    pub(super) diverting: Vec<bool>,
    pub(super) target: Vec<bool>,
    /// Baseline final demand of targets per node, per step: on cut edges, and all.
    pub(super) fd_cut0: Vec<f64>,
    pub(super) fd_target0: Vec<f64>,
    /// Whether any restriction diverts: freed volume then carries tags (§5.7).
    pub(super) tags: bool,
    pub(super) slot_start: Vec<usize>,
    /// Input per unit of output.
    pub(super) a: Vec<f64>,
    /// Target cover in steps.
    pub(super) cover: Vec<f64>,
    /// Whether the input can constrain output.
    pub(super) binds: Vec<bool>,
    /// Input product and `(region, product)` index of each slot.
    pub(super) slot_product: Vec<u32>,
    pub(super) slot_sink: Vec<u32>,
    /// Whether a restriction may cut one of the slot's feeding edges.
    pub(super) slot_cut: Vec<bool>,
    /// Whether the slot's region is in the priority class of `bloc_first`, and whether
    /// it is a target.
    pub(super) slot_first: Vec<bool>,
    pub(super) slot_target: Vec<bool>,
    /// Baseline receipt per step.
    pub(super) sched: Vec<f64>,
    pub(super) run_start: Vec<usize>,
    /// Supplier of each feeding edge, its baseline flow per step, its restriction (as the
    /// pair `restriction·P + product`).
    pub(super) src: Vec<u32>,
    pub(super) z0: Vec<f64>,
    pub(super) cut_of: Vec<u32>,
    pub(super) fd_start: Vec<usize>,
    /// `(region, product)` index of each final-demand edge, its baseline per step, its
    /// restriction, and whether it is real final use (not an unallocated residual).
    pub(super) fd_sink: Vec<u32>,
    pub(super) fd_node: Vec<u32>,
    pub(super) y0: Vec<f64>,
    pub(super) fd_cut_of: Vec<u32>,
    pub(super) fd_real: Vec<bool>,
    /// Whether the final-demand edge's region is a target (κ gates tagged volume to it).
    pub(super) fd_target: Vec<bool>,
    /// Total baseline final demand per node, per step.
    pub(super) fd0: Vec<f64>,
    /// Stockpiles grouped by product (`pile_start`), and their users' slots and
    /// final-demand edges.
    pub(super) piles: Vec<Pile>,
    pub(super) pile_start: Vec<usize>,
    pub(super) pile_slots: Vec<u32>,
    pub(super) pile_fd: Vec<u32>,
    /// Runs of consecutive nodes (internal order) making one product.
    pub(super) blocks: Vec<(u32, std::ops::Range<usize>)>,
    /// Steps an input travels: 0 within the step, 1 BoARIO's lag, more with a transport lag.
    pub(super) lag: usize,
    /// Per edge, whether its supplier is in the firms' origins (docs/model.md §5.5); empty
    /// without firms.
    pub(super) watch: Vec<bool>,
    /// The firms of the scenario the plan was built for (their cover scale is drawn per
    /// run).
    pub(super) firms: Option<crate::scenario::Firms<f64>>,
    /// The shortest lag a run may draw: 1 on a cyclic table (delivery within the step
    /// needs an order of products), else 0.
    pub(super) min_lag: usize,
    /// Switching nodes of substitution groups (docs/model.md §5.7), and per node the CSR
    /// start into them (internal order).
    pub(super) switches: Vec<PlanSwitch>,
    pub(super) switch_start: Vec<usize>,
    /// Overproduction follows ARIO (monetary tables, or the ario mode).
    pub(super) overproduction: bool,
    pub(super) monetary: bool,
    pub(super) r_inv: f64,
    pub(super) r_alpha: f64,
    /// The step, years.
    pub(super) dt: f64,
    pub(super) steps: usize,
    pub(super) products: usize,
}

/// A switching node's slots and group (docs/model.md §5.7).
#[derive(Debug, Clone, Copy)]
pub(super) struct PlanSwitch {
    /// The preferred input's slot and the substitute's.
    pub p_slot: usize,
    pub s_slot: usize,
    /// Index into `adaptation.substitution_groups`.
    pub group: usize,
    /// The substitute product.
    pub substitute: usize,
}

impl Plan {
    /// Steps an input travels in a run of `r`: its `transport_lag_days` rounded to whole
    /// steps (at least [`Plan::min_lag`], at most [`MAX_LAG_STEPS`]), else the plan's
    /// (docs/model.md §5.4).
    pub(super) fn run_lag(&self, r: &Realization) -> usize {
        r.transport_lag_days.map_or(self.lag, |days| {
            let steps = (days / 365.0 / self.dt).round();
            (steps.min(MAX_LAG_STEPS as f64) as usize).max(self.min_lag)
        })
    }

    /// The baseline receipts per step of `region`'s producers of `product`, from all
    /// suppliers and from the firms' origins.
    pub(super) fn receipts_of(
        &self,
        region: crate::network::RegionId,
        product: crate::network::ProductId,
    ) -> (f64, f64) {
        let sink = (region.index() * self.products + product.index()) as u32;
        (0..self.sched.len())
            .filter(|&s| self.slot_sink[s] == sink)
            .fold((0.0, 0.0), |(a, o), s| {
                (a + self.sched[s], o + self.sched_o(s))
            })
    }

    /// A slot's baseline receipt per step from the firms' origins (docs/model.md §5.5).
    pub(super) fn sched_o(&self, slot: usize) -> f64 {
        let run = self.run_start[slot]..self.run_start[slot + 1];
        run.filter(|&e| self.watch[e]).map(|e| self.z0[e]).sum()
    }

    /// Marks the edges whose supplier is one of the firms' origins (docs/model.md §5.5).
    fn watch_origins(&mut self, net: &Network, firms: &crate::scenario::Firms<f64>) -> Result<()> {
        let field = |f: String, why: String| Error::field("scenario", f, why);
        let mut origin = vec![false; net.regions().len()];
        for (i, code) in firms.origins.iter().enumerate() {
            let r = (net.region_id(code))
                .ok_or_else(|| field(format!("firms.origins[{i}]"), net.unknown_region(code)))?;
            origin[r.index()] = true;
        }
        for (i, c) in firms.classes.iter().enumerate() {
            if net.region_id(&c.region).is_none() {
                let why = net.unknown_region(&c.region);
                return Err(field(format!("firms.classes[{i}].region"), why));
            }
        }
        self.watch = (self.src.iter())
            .map(|&i| origin[net.node(self.node_at[i as usize]).region.index()])
            .collect();
        self.firms = Some(firms.clone());
        Ok(())
    }

    pub(super) fn new(
        net: &Network,
        scenario: &Realization,
        s: &DynamicSettings,
        restricted: &Resolved,
    ) -> Result<Self> {
        check_settings(s)?;
        let (step_days, dt) = (s.step.days(), s.step.years());
        let steps = run_steps(scenario, s)?;
        let days = cover_days(net, s)?;
        let lag = lag(net, s, step_days)?;
        // Internal order: products in topological order, so the within-step sweep reads
        // every array front to back (docs/model.md §5.6).
        let node_at: Vec<NodeId> = net
            .product_order()
            .iter()
            .flat_map(|&p| net.nodes_of(p).iter().copied())
            .collect();
        let mut p = Plan::empty(net, scenario, s, &node_at, (dt, steps, lag));
        let threshold = match s.mode {
            Mode::Ario => s.input_threshold * dt,
            Mode::Standard => s.input_threshold,
            Mode::StaticEquivalent => 0.0,
        };
        let mut feeding: Vec<(u32, u32, f64, u32)> = Vec::new();
        for &n in &node_at {
            p.add_node(net, scenario, s, restricted, n)?;
            p.add_slots(
                net,
                restricted,
                n,
                (&days, step_days, threshold),
                &mut feeding,
            );
            p.add_final_use(net, restricted, n);
        }
        p.node_at = node_at;
        p.index(net);
        p.cut_by_product();
        let rate = |days: f64| match s.mode {
            Mode::Ario => step_days / days,
            _ => 1.0 - (-step_days / days).exp(),
        };
        p.r_inv = rate(s.restoration_days);
        p.r_alpha = rate(s.alpha_days);
        if let Some(firms) = &scenario.firms {
            p.watch_origins(net, firms)?;
        }
        Ok(p)
    }

    /// A plan with the run's constants and empty tables sized for the nodes.
    fn empty(
        net: &Network,
        scenario: &Realization,
        s: &DynamicSettings,
        node_at: &[NodeId],
        (dt, steps, lag): (f64, usize, usize),
    ) -> Self {
        let monetary = net.accounts() == Accounts::Monetary;
        let np = net.products().len();
        let nn = node_at.len();
        let mut pos = vec![0u32; nn];
        for (k, n) in node_at.iter().enumerate() {
            pos[n.index()] = k as u32;
        }
        Plan {
            pos,
            product: Vec::with_capacity(nn),
            x0: Vec::with_capacity(nn),
            cap0: Vec::with_capacity(nn),
            host: Vec::with_capacity(nn),
            joint: !net.joint_outputs().is_empty(),
            expands: Vec::with_capacity(nn),
            node_cut_of: Vec::with_capacity(nn),
            diverting: Vec::with_capacity(nn),
            target: Vec::with_capacity(nn),
            fd_cut0: Vec::with_capacity(nn),
            fd_target0: Vec::with_capacity(nn),
            tags: scenario
                .restrictions
                .iter()
                .any(|x| x.disposal == Disposal::Divert),
            slot_start: vec![0],
            a: vec![],
            cover: vec![],
            binds: vec![],
            slot_product: vec![],
            slot_sink: vec![],
            slot_cut: vec![],
            slot_first: vec![],
            slot_target: vec![],
            sched: vec![],
            run_start: vec![0],
            src: vec![],
            z0: vec![],
            cut_of: vec![],
            fd_start: vec![0],
            fd_sink: vec![],
            fd_node: vec![],
            y0: vec![],
            fd_cut_of: vec![],
            fd_real: vec![],
            fd_target: vec![],
            fd0: vec![],
            piles: vec![],
            pile_start: vec![0],
            pile_slots: vec![],
            pile_fd: vec![],
            blocks: vec![],
            lag,
            min_lag: usize::from(!net.is_acyclic()),
            watch: Vec::new(),
            firms: None,
            switches: vec![],
            switch_start: vec![0],
            overproduction: monetary || s.mode == Mode::Ario,
            monetary,
            r_inv: 0.0,
            r_alpha: 0.0,
            dt,
            steps,
            products: np,
            node_at: Vec::new(),
        }
    }

    /// Re-indexes every restriction reference from restriction `r` to the pair `r·P + k`
    /// of the restriction and the product `k` it cuts, so a cut can differ by product
    /// (the market step's leakage, docs/model.md §7.5).
    fn cut_by_product(&mut self) {
        let np = self.products as u32;
        let pair = |r: u32, k: u32| if r == NONE { NONE } else { r * np + k };
        for (f, c) in self.node_cut_of.iter_mut().enumerate() {
            *c = pair(*c, self.product[f]);
        }
        for slot in 0..self.a.len() {
            for e in self.run_start[slot]..self.run_start[slot + 1] {
                self.cut_of[e] = pair(self.cut_of[e], self.slot_product[slot]);
            }
        }
        for (e, c) in self.fd_cut_of.iter_mut().enumerate() {
            *c = pair(*c, self.product[self.fd_node[e] as usize]);
        }
    }

    /// A node's output, capacity and flags (docs/model.md §5.2, §5.7): whether it may
    /// expand, whether its region is a target, and the one restriction that cuts its
    /// sales (a diverting exporter's node takes one).
    fn add_node(
        &mut self,
        net: &Network,
        scenario: &Realization,
        s: &DynamicSettings,
        restricted: &Resolved,
        n: NodeId,
    ) -> Result<()> {
        let (p, dt) = (self, s.step.years());
        let node = net.node(n);
        let x = net.output(n) * dt;
        p.product.push(node.product.0);
        p.x0.push(x);
        p.cap0.push(if p.monetary {
            s.alpha_max * x
        } else {
            node.capacity * dt
        });
        p.expands
            .push(node.kind == NodeKind::Producer && !restricted.restricting[n.index()]);
        p.host.push(
            net.host(n)
                .map_or((NONE, 0.0), |(h, y)| (p.pos[h.index()], y)),
        );
        p.target.push(restricted.target[node.region.index()]);
        let mut cut_of = NONE;
        for ei in net.out_range(n) {
            let k = restricted.edge[ei];
            if k == NONE || k == cut_of {
                continue;
            }
            let divert = |k: u32| scenario.restrictions[k as usize].disposal == Disposal::Divert;
            if cut_of != NONE && (divert(k) || divert(cut_of)) {
                return Err(Error::field(
                    "scenario",
                    format!("restrictions[{k}]"),
                    format!(
                        "{} in {} is cut by restrictions[{cut_of}] too; a diverting \
                         exporter's node takes one restriction in the dynamic engine",
                        net.product(node.product).id,
                        net.region(node.region).code
                    ),
                ));
            }
            cut_of = k;
        }
        p.node_cut_of.push(cut_of);
        p.diverting.push(
            cut_of != NONE && scenario.restrictions[cut_of as usize].disposal == Disposal::Divert,
        );
        Ok(())
    }

    /// A node's input slots (docs/model.md §5.2): per input, its coefficient, cover,
    /// whether it binds, its suppliers' runs with their baseline flows and restrictions.
    fn add_slots(
        &mut self,
        net: &Network,
        restricted: &Resolved,
        n: NodeId,
        (days, step_days, threshold): (&[f64], f64, f64),
        feeding: &mut Vec<(u32, u32, f64, u32)>,
    ) {
        let p = self;
        let (np, dt) = (p.products, p.dt);
        let node = net.node(n);
        let priority = &restricted.priority;
        feeding.clear();
        for &ei in net.in_edge_indices(n) {
            let e = &net.edges()[ei];
            let product = net.node(e.from).product.0;
            let from = p.pos[e.from.index()];
            feeding.push((product, from, e.flow * dt, restricted.edge[ei]));
        }
        feeding.sort_by_key(|&(product, from, _, _)| (product, from));
        let first = p.a.len();
        let sink = |product: usize| (node.region.index() * np + product) as u32;
        // Substitution groups (§5.7): a switching node also holds a slot of its
        // substitute, with no baseline flow where the recipe has none.
        let switches = || restricted.adapting.switches.iter().filter(|w| w.node == n);
        let recipe = || net.inputs(n).iter().map(|i| (i.product, i.per_unit));
        let added: Vec<_> = switches()
            .map(|w| w.substitute)
            .filter(|&k| recipe().all(|(m, _)| m != k))
            .map(|k| (k, 0.0))
            .collect();
        let slots: Vec<_> = recipe().chain(added).collect();
        for &(k, per_unit) in &slots {
            p.a.push(per_unit);
            p.cover.push(days[k.index()] / step_days);
            p.binds.push(per_unit > threshold);
            p.slot_product.push(k.0);
            p.slot_sink.push(sink(k.index()));
            let at = feeding.partition_point(|f| f.0 < k.0);
            let (mut cut, mut sched) = (false, 0.0);
            for &(_, from, flow, r) in feeding[at..].iter().take_while(|f| f.0 == k.0) {
                p.src.push(from);
                p.z0.push(flow);
                p.cut_of.push(r);
                cut |= r != NONE;
                sched += flow;
            }
            p.slot_cut.push(cut);
            p.slot_first.push(priority[node.region.index()]);
            p.slot_target.push(restricted.target[node.region.index()]);
            p.sched.push(sched);
            p.run_start.push(p.src.len());
        }
        let slot_of = |m| first + slots.iter().position(|&(k, _)| k == m).unwrap_or(0);
        for w in switches() {
            p.switches.push(PlanSwitch {
                p_slot: slot_of(w.preferred),
                s_slot: slot_of(w.substitute),
                group: w.group,
                substitute: w.substitute.index(),
            });
        }
        p.switch_start.push(p.switches.len());
        p.slot_start.push(p.a.len());
    }

    /// A node's sales to final use (docs/model.md §5.2): per edge, its baseline, region
    /// and restriction; the node's totals, cut and to targets.
    fn add_final_use(&mut self, net: &Network, restricted: &Resolved, n: NodeId) {
        let p = self;
        let (np, dt) = (p.products, p.dt);
        let node = net.node(n);
        let (mut total, mut cut_total, mut target_total) = (0.0, 0.0, 0.0);
        for ei in net.out_range(n) {
            let e = &net.edges()[ei];
            if let Sink::FinalUse(r) = e.to {
                if restricted.edge[ei] != NONE {
                    cut_total += e.flow * dt;
                }
                if restricted.target[r.index()] {
                    target_total += e.flow * dt;
                }
                p.fd_sink
                    .push((r.index() * np + node.product.index()) as u32);
                p.y0.push(e.flow * dt);
                p.fd_node.push(p.x0.len() as u32 - 1);
                p.fd_cut_of.push(restricted.edge[ei]);
                p.fd_real.push(net.product(node.product).final_use);
                p.fd_target.push(restricted.target[r.index()]);
                total += e.flow * dt;
            }
        }
        p.fd0.push(total);
        p.fd_cut0.push(cut_total);
        p.fd_target0.push(target_total);
        p.fd_start.push(p.y0.len());
    }

    /// One stockpile per (region, product) with a positive stock, with its region's users
    /// of the product: input slots and final-demand edges; piles grouped by product. Also
    /// the blocks of nodes of one product.
    fn index(&mut self, net: &Network) {
        let (np, nrp) = (self.products, net.regions().len() * self.products);
        let group = |keys: &[u32], width: usize, keep: &dyn Fn(usize) -> bool| {
            let mut start = vec![0usize; width + 1];
            for (i, &k) in keys.iter().enumerate() {
                if keep(i) {
                    start[k as usize + 1] += 1;
                }
            }
            for w in 0..width {
                start[w + 1] += start[w];
            }
            let mut at = start.clone();
            let mut items = vec![0u32; start[width]];
            for (i, &k) in keys.iter().enumerate() {
                if keep(i) {
                    items[at[k as usize]] = i as u32;
                    at[k as usize] += 1;
                }
            }
            (start, items)
        };
        let (slot_start_by_sink, slots_by_sink) = group(&self.slot_sink, nrp, &|_| true);
        let real = self.fd_real.clone();
        let (fd_start_by_sink, fd_by_sink) = group(&self.fd_sink, nrp, &|e| real[e]);
        for k in 0..np {
            for r in 0..net.regions().len() {
                let level = net.stock(
                    crate::network::RegionId(r as u32),
                    crate::network::ProductId(k as u32),
                );
                if level <= 0.0 {
                    continue;
                }
                let sink = r * np + k;
                let slots = slot_start_by_sink[sink]..slot_start_by_sink[sink + 1];
                let fd = fd_start_by_sink[sink]..fd_start_by_sink[sink + 1];
                let first = self.pile_slots.len();
                self.pile_slots.extend_from_slice(&slots_by_sink[slots]);
                let fd_first = self.pile_fd.len();
                self.pile_fd.extend_from_slice(&fd_by_sink[fd]);
                let baseline = self.pile_slots[first..]
                    .iter()
                    .map(|&s| self.sched[s as usize])
                    .chain(
                        self.pile_fd[fd_first..]
                            .iter()
                            .map(|&e| self.y0[e as usize]),
                    )
                    .sum();
                self.piles.push(Pile {
                    region: r,
                    product: k,
                    level,
                    slots: first..self.pile_slots.len(),
                    fd: fd_first..self.pile_fd.len(),
                    baseline,
                });
            }
            self.pile_start.push(self.piles.len());
        }
        // Blocks of consecutive nodes making one product (internal order).
        let mut f = 0;
        while f < self.product.len() {
            let k = self.product[f];
            let end = f + self.product[f..].iter().take_while(|&&q| q == k).count();
            self.blocks.push((k, f..end));
            f = end;
        }
    }
}

impl Plan {
    /// What final-demand edge `e` of node `f` delivers of `asked` and what is held back
    /// (blocked by a cut, or tagged volume beyond the κ gate; §5.7): the node serves the
    /// share `served` of cut edges and `free` of the others; the share `tagged` of a
    /// delivery is freed volume, of which at most `κ` reaches a target.
    pub(super) fn final_delivery(
        &self,
        e: usize,
        asked: f64,
        f: Served,
        cut: &[f64],
    ) -> (f64, f64) {
        match self.fd_cut_of[e] {
            NONE => {
                let shipped = asked * f.free;
                let gated = if self.fd_target[e] {
                    shipped * f.tagged * (1.0 - f.kappa)
                } else {
                    0.0
                };
                (shipped - gated, gated)
            }
            k => {
                let shipped = asked * f.served;
                let cut = cut[k as usize];
                (shipped * (1.0 - cut), shipped * cut)
            }
        }
    }
}

/// How a node served its demands in a step (§5.7).
#[derive(Debug, Clone, Copy)]
pub(in crate::engine) struct Served {
    /// Share of cut orders served.
    pub served: f64,
    /// Share of the other demands served (more than `served` when the node diverts).
    pub free: f64,
    /// Share of a delivery that is freed volume.
    pub tagged: f64,
    /// The κ gate.
    pub kappa: f64,
}

/// The most steps a dynamic run takes (about 55 years in days; every path is kept per
/// step).
pub const MAX_RUN_STEPS: usize = 20_000;

/// The most steps a transport lag takes (the pipeline holds a slot's shipments per step).
pub const MAX_LAG_STEPS: usize = 1_000;

/// Every dynamic setting within its domain, named.
fn check_settings(s: &DynamicSettings) -> Result<()> {
    let positive = [
        ("inventory_days", s.inventory_days),
        ("restoration_days", s.restoration_days),
        ("alpha_days", s.alpha_days),
    ];
    for (field, v) in positive {
        if !(v.is_finite() && v > 0.0) {
            return Err(setting_error(field, format!("{v} must be positive")));
        }
    }
    let shares = [("psi", s.psi), ("release_threshold", s.release_threshold)];
    for (field, v) in shares {
        if !(0.0..=1.0).contains(&v) {
            return Err(setting_error(field, format!("{v} is outside [0, 1]")));
        }
    }
    if !(s.alpha_max.is_finite() && s.alpha_max >= 1.0) {
        return Err(setting_error(
            "alpha_max",
            format!("{} is below 1", s.alpha_max),
        ));
    }
    if !(s.input_threshold.is_finite() && s.input_threshold >= 0.0) {
        return Err(setting_error(
            "input_threshold",
            "must be non-negative".into(),
        ));
    }
    let step_days = s.step.days();
    if !(step_days.is_finite() && step_days > 0.0) {
        return Err(setting_error(
            "step",
            format!("{step_days} days must be positive"),
        ));
    }
    Ok(())
}

/// Steps in the run: the scenario's `run_length` in steps, or the settings' `steps`.
fn run_steps(scenario: &Realization, s: &DynamicSettings) -> Result<usize> {
    let (step_days, dt) = (s.step.days(), s.step.years());
    let steps = match scenario.run_length {
        Some(years) => {
            let steps = (years / dt).round();
            if !(steps.is_finite() && steps <= MAX_RUN_STEPS as f64) {
                return Err(Error::field(
                    "scenario",
                    "run_length",
                    format!(
                        "{years} years is {steps} steps of {step_days} days; a run takes at \
                         most {MAX_RUN_STEPS} steps"
                    ),
                ));
            }
            steps as usize
        }
        None => s.steps,
    };
    if steps == 0 || steps > MAX_RUN_STEPS {
        return Err(setting_error(
            "steps",
            format!("{steps} steps: a run takes 1 to {MAX_RUN_STEPS} steps"),
        ));
    }
    Ok(steps)
}

/// Days of cover of each product's inventories; a step longer than half the shortest
/// cover of a held input is refused (inventories would empty within a step), except in
/// the static-equivalent mode.
fn cover_days(net: &Network, s: &DynamicSettings) -> Result<Vec<f64>> {
    let step_days = s.step.days();
    let np = net.products().len();
    let mut days = vec![s.inventory_days; np];
    for (id, &d) in &s.inventory_days_by_product {
        let p = net.product_id(id).ok_or_else(|| {
            setting_error(
                "inventory_days_by_product",
                format!("unknown product `{id}`"),
            )
        })?;
        if !(d.is_finite() && d > 0.0) {
            return Err(setting_error(
                "inventory_days_by_product",
                format!("{d} days for {id} must be positive"),
            ));
        }
        days[p.index()] = d;
    }
    // Only inputs actually held count towards the shortest cover.
    let mut held = vec![false; np];
    for n in net.node_ids() {
        for i in net.inputs(n) {
            held[i.product.index()] = true;
        }
    }
    let shortest = (0..np)
        .filter(|&p| held[p])
        .min_by(|&a, &b| days[a].total_cmp(&days[b]));
    if let (Some(p), false) = (shortest, s.mode == Mode::StaticEquivalent) {
        if step_days > days[p] / 2.0 {
            return Err(Error::StepTooLong {
                step_days,
                product: net.products()[p].id.clone(),
                cover_days: days[p],
            });
        }
    }
    Ok(days)
}

/// Steps an input travels (docs/model.md §5.4).
fn lag(net: &Network, s: &DynamicSettings, step_days: f64) -> Result<usize> {
    let steps = s.transport_lag_days / step_days;
    if !(steps.is_finite() && steps >= 0.0 && (steps - steps.round()).abs() < 1e-9) {
        return Err(setting_error(
            "transport_lag_days",
            format!(
                "{} days is not a whole number of {step_days}-day steps",
                s.transport_lag_days
            ),
        ));
    }
    if steps > MAX_LAG_STEPS as f64 {
        return Err(setting_error(
            "transport_lag_days",
            format!(
                "{} days is {steps} steps; a lag takes at most {MAX_LAG_STEPS} steps",
                s.transport_lag_days
            ),
        ));
    }
    let steps = steps.round() as usize;
    match s.mode {
        Mode::Ario | Mode::StaticEquivalent if steps > 0 => Err(setting_error(
            "transport_lag_days",
            "a transport lag is for the standard mode (the ario mode has BoARIO's one-step \
             lag, the static-equivalent mode none)"
                .into(),
        )),
        Mode::Ario => Ok(1),
        Mode::StaticEquivalent => Ok(0),
        Mode::Standard if net.is_acyclic() => Ok(steps),
        Mode::Standard => Ok(steps.max(1)),
    }
}
