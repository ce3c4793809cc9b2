//! The dynamic engine: ARIO in time steps on the network (docs/model.md §5).
//!
//! Each step, every node produces what its capacity, its demand and its input inventories
//! allow, splits its output over its customers' orders and final demand in proportion to
//! demand, and orders inputs for the next step to replace what it used and close part of
//! the gap to its target inventories. Restrictions cut deliveries to targets while they
//! last; targets re-route the blocked part of their orders to suppliers with spare
//! capacity; strategic stockpiles release to their region's users. Modes (design §5):
//! [`Mode::Ario`] reproduces BoARIO 0.7.2 on monetary tables; [`Mode::Standard`] is the
//! default for physical chains; [`Mode::StaticEquivalent`] reproduces the static engine
//! step by step for consistency tests.

mod outcome;
mod step;

pub use outcome::DynamicOutcome;
pub use step::DynamicWorkspace;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::restricted::{Restricted, NONE};
use super::{field_error, Engine};
use crate::error::{Error, Location, Result};
use crate::network::{Accounts, Network, NodeId, NodeKind, Sink};
use crate::scenario::{Allocation, Disposal, Realization};

/// How the engine steps (docs/model.md §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// BoARIO's model for agreement tests: capacity `α·(1 - Δ)·x₀`, rates linear in
    /// `Δt/τ`, an input received in one step is used from the next.
    Ario,
    /// The default: capacity loss taken on capacity, spare capacity ramped in on physical
    /// chains, rates `1 - exp(-Δt/τ)`, inputs delivered within the step in topological
    /// order on acyclic chains (or after an explicit transport lag).
    #[default]
    Standard,
    /// The static engine step by step (design §5): orders at the baseline schedule,
    /// output `min(schedule, capacity, inputs received / a)` within the step, no
    /// inventories, stockpiles, overproduction or re-routing. Acyclic chains only.
    StaticEquivalent,
}

/// How a node splits an input's order over its suppliers (docs/model.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orders {
    /// Baseline shares weighted by each supplier's capacity ratio (BoARIO's `alt`).
    #[default]
    Alt,
    /// Baseline shares (BoARIO's `noalt`).
    NoAlt,
}

/// The length of a step.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A day, a year / 365.
    #[default]
    Day,
    /// A week, 7 days.
    Week,
    /// A month, a year / 12.
    Month,
    /// Any number of days (the step-size test halves the largest step the data allow).
    Days(f64),
}

impl Step {
    /// The step in days.
    pub fn days(self) -> f64 {
        match self {
            Step::Day => 1.0,
            Step::Week => 7.0,
            Step::Month => 365.0 / 12.0,
            Step::Days(d) => d,
        }
    }

    /// The step in years.
    pub fn years(self) -> f64 {
        self.days() / 365.0
    }
}

/// The engine's parameters; the defaults are BoARIO's (docs/model.md §5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DynamicSettings {
    /// Ario, standard or static-equivalent.
    pub mode: Mode,
    /// The step.
    pub step: Step,
    /// Steps in the run, unless the scenario gives `run_length`.
    pub steps: usize,
    /// Target input inventory, days of use at planned output (`s_p`), for every input.
    pub inventory_days: f64,
    /// Per-product overrides of `inventory_days`, by product id.
    pub inventory_days_by_product: BTreeMap<String, f64>,
    /// Share of the target below which an inventory constrains output (`ψ`).
    pub psi: f64,
    /// Characteristic time to restore inventories, days (`τ_inv`).
    pub restoration_days: f64,
    /// Maximum overproduction factor (`α_max`); capacity of a monetary table's industry.
    pub alpha_max: f64,
    /// Characteristic time of overproduction, days (`τ_α`).
    pub alpha_days: f64,
    /// How orders are split over suppliers.
    pub orders: Orders,
    /// Transport lag in the standard mode, days, a whole number of steps (0: delivery
    /// within the step on acyclic chains, one step on cyclic tables).
    pub transport_lag_days: f64,
    /// Inputs with `a` at most this (per step in ario mode, as BoARIO compares) never
    /// constrain output.
    pub input_threshold: f64,
    /// A stockpile releases only when its region's users lack more than this share of
    /// their baseline use of the product in a step (0: at any shortage).
    pub release_threshold: f64,
}

impl Default for DynamicSettings {
    fn default() -> Self {
        Self {
            mode: Mode::Standard,
            step: Step::Day,
            steps: 365,
            inventory_days: 90.0,
            inventory_days_by_product: BTreeMap::new(),
            psi: 0.8,
            restoration_days: 60.0,
            alpha_max: 1.25,
            alpha_days: 365.0,
            orders: Orders::Alt,
            transport_lag_days: 0.0,
            input_threshold: 1e-5,
            release_threshold: 0.0,
        }
    }
}

/// The time-stepped engine (see the module docs). Build it once per network and scenario
/// structure; [`Engine::run`] runs one realization into a [`DynamicWorkspace`].
///
/// ```
/// use shortfall::engine::{Dynamic, DynamicSettings, Engine, Step};
/// use shortfall::scenario::{CapacityLoss, Realization};
/// let net = shortfall::network::toy_chain();
/// let shock = Realization {
///     horizon: 0.5,
///     start: Some(2.0 / 52.0),
///     run_length: Some(1.0),
///     capacity_losses: vec![CapacityLoss { region: "CN".into(), product: "oxide".into(), share: 0.5 }],
///     ..Realization::default()
/// };
/// let settings = DynamicSettings { step: Step::Week, ..DynamicSettings::default() };
/// let engine = Dynamic::new(&net, &shock, settings)?;
/// let mut ws = engine.workspace(&net);
/// engine.run(&net, &shock, &mut ws)?;
/// let us = net.require_region("US")?;
/// let magnet = net.require_product("magnet")?;
/// assert!(ws.outcome().cumulative_final_shortfall(us, magnet) > 0.0);
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Clone)]
pub struct Dynamic {
    settings: DynamicSettings,
    plan: Plan,
    /// The internal index of each of the scenario's capacity losses' node.
    loss_nodes: Vec<usize>,
    /// Explicit capacity-loss paths: internal node index, loss per step (0 after the end).
    loss_paths: Vec<(usize, Vec<f64>)>,
    /// The internal index of each capacity addition's node.
    addition_nodes: Vec<usize>,
    /// The structure the engine was built for: restrictions, capacity losses, run length.
    shape: Shape,
}

/// The structure of a scenario an engine was built for: its realizations must share it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Shape {
    restrictions: usize,
    losses: usize,
    additions: usize,
    run_length: Option<f64>,
}

impl Shape {
    fn of(r: &Realization) -> Self {
        Self {
            restrictions: r.restrictions.len(),
            losses: r.capacity_losses.len(),
            additions: r.capacity_additions.len(),
            run_length: r.run_length,
        }
    }
}

/// A summary, not a dump: the plan holds every edge.
impl std::fmt::Debug for Dynamic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dynamic")
            .field("settings", &self.settings)
            .field("steps", &self.plan.steps)
            .field("nodes", &self.plan.x0.len())
            .field("input_slots", &self.plan.a.len())
            .field("feeding_edges", &self.plan.src.len())
            .field("stockpiles", &self.plan.piles.len())
            .finish_non_exhaustive()
    }
}

/// A strategic stockpile: a region's stock of a product and the users it releases to.
#[derive(Debug, Clone)]
struct Pile {
    /// Region and product, and their `(region, product)` index.
    region: usize,
    product: usize,
    sink: usize,
    /// Level before any perturbation, product units.
    level: f64,
    /// The region's users: input slots (a range of `Plan::pile_slots`) and final-demand
    /// edges of real final use (a range of `Plan::pile_fd`).
    slots: std::ops::Range<usize>,
    fd: std::ops::Range<usize>,
    /// The users' baseline use per step (slots and final use).
    baseline: f64,
}

/// The network laid out for stepping (docs/model.md §5.6): nodes in processing order;
/// input slots `(node, input product)` with the edges that feed each slot contiguous; final
/// demand edges per supplier; restrictions per edge; stockpiles.
#[derive(Debug, Clone)]
struct Plan {
    /// The network's node at each internal index: products in topological order on
    /// acyclic chains, the processing order. Every per-node array of the plan and the
    /// workspace is in internal order.
    node_at: Vec<NodeId>,
    /// The internal index of each network node.
    pos: Vec<u32>,
    /// Product of each node.
    product: Vec<u32>,
    /// Baseline output per step.
    x0: Vec<f64>,
    /// Capacity per step before losses, perturbation and ramp (`α_max·x₀` on monetary
    /// tables).
    cap0: Vec<f64>,
    /// Whether the node's headroom is scaled by the perturbation and may ramp up: a
    /// producer that is not a restricting exporter's node of a restricted product.
    expands: Vec<bool>,
    /// Per node: the restriction that cuts its shipments (NONE if none; one at most per
    /// diverting node), whether it diverts, and whether its region is a target.
    node_cut_of: Vec<u32>,
    diverting: Vec<bool>,
    target: Vec<bool>,
    /// Baseline final demand of targets cut per node, per step.
    fd_cut0: Vec<f64>,
    /// Whether any restriction diverts: freed volume then carries tags (§5.7).
    tags: bool,
    slot_start: Vec<usize>,
    /// Input per unit of output.
    a: Vec<f64>,
    /// Target cover in steps.
    cover: Vec<f64>,
    /// Whether the input can constrain output.
    binds: Vec<bool>,
    /// Input product and `(region, product)` index of each slot.
    slot_product: Vec<u32>,
    slot_sink: Vec<u32>,
    /// Whether a restriction may cut one of the slot's feeding edges.
    slot_cut: Vec<bool>,
    /// Whether the slot's region is in the priority class of `bloc_first`, and whether
    /// it is a target.
    slot_first: Vec<bool>,
    slot_target: Vec<bool>,
    /// Baseline receipt per step.
    sched: Vec<f64>,
    run_start: Vec<usize>,
    /// Supplier of each feeding edge, its baseline flow per step, its restriction.
    src: Vec<u32>,
    z0: Vec<f64>,
    cut_of: Vec<u32>,
    fd_start: Vec<usize>,
    /// `(region, product)` index of each final-demand edge, its baseline per step, its
    /// restriction, and whether it is real final use (not an unallocated residual).
    fd_sink: Vec<u32>,
    fd_node: Vec<u32>,
    y0: Vec<f64>,
    fd_cut_of: Vec<u32>,
    fd_real: Vec<bool>,
    /// Whether the final-demand edge's region is a target (κ gates tagged volume to it).
    fd_target: Vec<bool>,
    /// Total baseline final demand per node, per step.
    fd0: Vec<f64>,
    /// Stockpiles grouped by product (`pile_start`), and their users' slots and
    /// final-demand edges.
    piles: Vec<Pile>,
    pile_start: Vec<usize>,
    pile_slots: Vec<u32>,
    pile_fd: Vec<u32>,
    /// Runs of consecutive nodes (internal order) making one product.
    blocks: Vec<(u32, std::ops::Range<usize>)>,
    /// Steps an input travels: 0 within the step, 1 BoARIO's lag, more with a transport lag.
    lag: usize,
    /// Overproduction follows ARIO (monetary tables, or the ario mode).
    overproduction: bool,
    monetary: bool,
    r_inv: f64,
    r_alpha: f64,
    /// The step, years.
    dt: f64,
    steps: usize,
    products: usize,
}

fn setting_error(field: &str, reason: String) -> Error {
    Error::InvalidField {
        field: field.into(),
        reason,
        location: Location::new("dynamic settings", None),
    }
}

/// A scenario field this engine does not model: refused, never ignored.
fn unmodelled(field: &str, why: &str) -> Error {
    field_error(
        field.into(),
        format!("{why}: not modelled by the dynamic engine (docs/model.md §5.8)"),
    )
}

impl Dynamic {
    /// Checks the settings and resolves the scenario's structure against `net`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a setting outside its domain (naming it), a scenario
    /// field this engine does not model (naming the field and the engine: demand shifts,
    /// divert, processing leakage, `bloc_first`, demand response, recipe perturbations,
    /// network variants, prices; in the static-equivalent mode also stock release and
    /// substitution), an unknown region or product, or a capacity loss on a node that
    /// does not exist; [`Error::CyclicRecipes`] for the static-equivalent mode on a cyclic
    /// table; [`Error::StepTooLong`] when the step exceeds half the shortest inventory
    /// cover.
    pub fn new(net: &Network, scenario: &Realization, settings: DynamicSettings) -> Result<Self> {
        scenario.validate()?;
        check_modelled(scenario, settings.mode)?;
        if settings.mode == Mode::StaticEquivalent {
            net.require_acyclic()?;
        }
        let restricted = Restricted::new(net, scenario)?;
        let plan = Plan::new(net, scenario, &settings, &restricted)?;
        let loss_nodes = scenario
            .capacity_losses
            .iter()
            .enumerate()
            .map(|(i, c)| {
                node(net, &c.region, &c.product, &format!("capacity_losses[{i}]"))
                    .map(|n| plan.pos[n.index()] as usize)
            })
            .collect::<Result<_>>()?;
        let addition_nodes = super::addition_nodes(net, scenario)?
            .iter()
            .map(|n| plan.pos[n.index()] as usize)
            .collect();
        Ok(Self {
            settings,
            plan,
            loss_nodes,
            loss_paths: Vec::new(),
            addition_nodes,
            shape: Shape::of(scenario),
        })
    }

    /// Adds a capacity-loss path for one node: the share of capacity lost at each step
    /// from the first (0 after the path ends). Where a scenario loss also applies, the
    /// larger counts (as BoARIO combines losses).
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an unknown node or a share outside [0, 1].
    pub fn with_loss_path(
        mut self,
        net: &Network,
        region: &str,
        product: &str,
        path: Vec<f64>,
    ) -> Result<Self> {
        let n = node(net, region, product, "loss path")?;
        if let Some(v) = path.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(setting_error(
                "loss path",
                format!("share {v} for {product} in {region} is outside [0, 1]"),
            ));
        }
        self.loss_paths
            .push((self.plan.pos[n.index()] as usize, path));
        Ok(self)
    }

    /// The settings.
    pub fn settings(&self) -> &DynamicSettings {
        &self.settings
    }

    /// Steps in a run.
    pub fn steps(&self) -> usize {
        self.plan.steps
    }
}

/// Refuses, by name, every scenario field the engine does not model in `mode`.
fn check_modelled(r: &Realization, mode: Mode) -> Result<()> {
    if !r.demand_shifts.is_empty() {
        return Err(unmodelled("demand_shifts", "a demand shift"));
    }
    if mode == Mode::StaticEquivalent {
        if let Some(i) = r
            .restrictions
            .iter()
            .position(|x| x.disposal == Disposal::Divert)
        {
            return Err(unmodelled(
                &format!("restrictions[{i}].disposal"),
                "`divert` in the static-equivalent mode",
            ));
        }
    }
    let m = &r.mitigation;
    let p = &r.perturbation;
    if !p.recipes.is_empty() {
        return Err(unmodelled("perturbation.recipes", "a recipe multiplier"));
    }
    if p.variant.is_some() {
        return Err(unmodelled("perturbation.variant", "network variants"));
    }
    if !r.prices.is_empty() {
        return Err(unmodelled("prices", "value of lost output"));
    }
    if mode == Mode::StaticEquivalent {
        if m.deferrable != 0.0 || m.substitutable != 0.0 {
            return Err(unmodelled(
                "mitigation.deferrable",
                "demand response in the static-equivalent mode",
            ));
        }
        if m.stock_release_share != 0.0 {
            return Err(unmodelled(
                "mitigation.stock_release_share",
                "stock release in the static-equivalent mode",
            ));
        }
        if m.substitution != 0.0 {
            return Err(unmodelled(
                "mitigation.substitution",
                "substitution in the static-equivalent mode (ρ = 0 there)",
            ));
        }
    }
    Ok(())
}

fn node(net: &Network, region: &str, product: &str, field: &str) -> Result<NodeId> {
    let (r, p) = (net.region_id(region), net.product_id(product));
    r.zip(p)
        .and_then(|(r, p)| net.node_id(r, p))
        .ok_or_else(|| field_error(field.into(), format!("{region} makes no {product}")))
}

impl Plan {
    fn new(
        net: &Network,
        scenario: &Realization,
        s: &DynamicSettings,
        restricted: &Restricted,
    ) -> Result<Self> {
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
        let dt = s.step.years();
        let steps = match scenario.run_length {
            Some(years) => (years / dt).round() as usize,
            None => s.steps,
        };
        if steps == 0 {
            return Err(setting_error(
                "steps",
                "a run needs at least one step".into(),
            ));
        }
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
        let lag = lag(net, s, step_days)?;

        let monetary = net.accounts() == Accounts::Monetary;
        // Internal order: products in topological order, so the within-step sweep reads
        // every array front to back (docs/model.md §5.6).
        let node_at: Vec<NodeId> = net
            .product_order()
            .iter()
            .flat_map(|&p| net.nodes_of(p).iter().copied())
            .collect();
        let nn = node_at.len();
        let mut pos = vec![0u32; nn];
        for (k, n) in node_at.iter().enumerate() {
            pos[n.index()] = k as u32;
        }
        let threshold = match s.mode {
            Mode::Ario => s.input_threshold * dt,
            Mode::Standard => s.input_threshold,
            Mode::StaticEquivalent => 0.0,
        };
        let mut p = Plan {
            pos,
            product: Vec::with_capacity(nn),
            x0: Vec::with_capacity(nn),
            cap0: Vec::with_capacity(nn),
            expands: Vec::with_capacity(nn),
            node_cut_of: Vec::with_capacity(nn),
            diverting: Vec::with_capacity(nn),
            target: Vec::with_capacity(nn),
            fd_cut0: Vec::with_capacity(nn),
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
            overproduction: monetary || s.mode == Mode::Ario,
            monetary,
            r_inv: 0.0,
            r_alpha: 0.0,
            dt,
            steps,
            products: np,
            node_at: Vec::new(),
        };
        let mut priority = vec![false; net.regions().len()];
        if let Allocation::BlocFirst(targets) = &scenario.mitigation.allocation {
            for r in targets.resolve(net, "mitigation.allocation")? {
                priority[r.index()] = true;
            }
        }
        let mut feeding: Vec<(u32, u32, f64, u32)> = Vec::new();
        for &n in &node_at {
            let node = net.node(n);
            let x = net.output(n) * dt;
            p.product.push(node.product.0);
            p.x0.push(x);
            p.cap0.push(if monetary {
                s.alpha_max * x
            } else {
                node.capacity * dt
            });
            p.expands
                .push(node.kind == NodeKind::Producer && !restricted.restricting[n.index()]);
            p.target.push(restricted.target[node.region.index()]);
            let mut cut_of = NONE;
            for ei in net.out_range(n) {
                let k = restricted.edge[ei];
                if k == NONE || k == cut_of {
                    continue;
                }
                let divert =
                    |k: u32| scenario.restrictions[k as usize].disposal == Disposal::Divert;
                if cut_of != NONE && (divert(k) || divert(cut_of)) {
                    return Err(field_error(
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
                cut_of != NONE
                    && scenario.restrictions[cut_of as usize].disposal == Disposal::Divert,
            );
            feeding.clear();
            for &ei in net.in_edge_indices(n) {
                let e = &net.edges()[ei];
                let product = net.node(e.from).product.0;
                let from = p.pos[e.from.index()];
                feeding.push((product, from, e.flow * dt, restricted.edge[ei]));
            }
            feeding.sort_by_key(|&(product, from, _, _)| (product, from));
            let sink = |product: usize| (node.region.index() * np + product) as u32;
            for input in net.inputs(n) {
                let k = input.product;
                p.a.push(input.per_unit);
                p.cover.push(days[k.index()] / step_days);
                p.binds.push(input.per_unit > threshold);
                p.slot_product.push(k.0);
                p.slot_sink.push(sink(k.index()));
                let first = feeding.partition_point(|f| f.0 < k.0);
                let (mut cut, mut sched) = (false, 0.0);
                for &(_, from, flow, r) in feeding[first..].iter().take_while(|f| f.0 == k.0) {
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
            p.slot_start.push(p.a.len());
            let (mut total, mut cut_total) = (0.0, 0.0);
            for ei in net.out_range(n) {
                let e = &net.edges()[ei];
                if let Sink::FinalUse(r) = e.to {
                    if restricted.edge[ei] != NONE {
                        cut_total += e.flow * dt;
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
            p.fd_start.push(p.y0.len());
        }
        p.node_at = node_at;
        p.index(net);
        let rate = |days: f64| match s.mode {
            Mode::Ario => step_days / days,
            _ => 1.0 - (-step_days / days).exp(),
        };
        p.r_inv = rate(s.restoration_days);
        p.r_alpha = rate(s.alpha_days);
        Ok(p)
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
                    sink,
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
pub(super) struct Served {
    /// Share of cut orders served.
    pub served: f64,
    /// Share of the other demands served (more than `served` when the node diverts).
    pub free: f64,
    /// Share of a delivery that is freed volume.
    pub tagged: f64,
    /// The κ gate.
    pub kappa: f64,
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

impl Engine for Dynamic {
    type Workspace = DynamicWorkspace;

    fn workspace(&self, net: &Network) -> DynamicWorkspace {
        DynamicWorkspace::new(net, self)
    }

    fn run(&self, _: &Network, r: &Realization, ws: &mut DynamicWorkspace) -> Result<()> {
        let shape = Shape::of(r);
        if shape != self.shape {
            return Err(field_error(
                "scenario".into(),
                format!("{shape:?}: the engine was built for {:?}", self.shape),
            ));
        }
        r.validate()?;
        check_modelled(r, self.settings.mode)?;
        ws.start(self, r);
        for _ in 0..self.plan.steps {
            ws.advance(self, r);
        }
        Ok(())
    }
}
