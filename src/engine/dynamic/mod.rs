//! The dynamic engine: ARIO in time steps on the network (docs/model.md §5).
//!
//! Each step, every node produces what its capacity, its demand and its input inventories
//! allow, splits its output over its customers' orders and final demand in proportion to
//! demand, and orders inputs for the next step to replace what it used and close part of
//! the gap to its target inventories. Two modes (design §5): [`Mode::Ario`] reproduces
//! BoARIO 0.7.2 on monetary tables; [`Mode::Standard`] is the default for physical chains.

mod outcome;
mod step;

pub use outcome::DynamicOutcome;
pub use step::DynamicWorkspace;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{field_error, Engine};
use crate::error::{Error, Location, Result};
use crate::network::{Accounts, Network, NodeId, Sink};
use crate::scenario::{Mitigation, Perturbation, Realization};

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
}

impl Step {
    /// The step in days.
    pub fn days(self) -> f64 {
        match self {
            Step::Day => 1.0,
            Step::Week => 7.0,
            Step::Month => 365.0 / 12.0,
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
    /// Ario or standard.
    pub mode: Mode,
    /// The step.
    pub step: Step,
    /// Steps in the run.
    pub steps: usize,
    /// First step of the scenario's shocks; they last `horizon` (rounded to whole steps).
    pub start: usize,
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
    /// Share `ρ` of a physical node's spare capacity in use (standard mode), in [0, 1].
    pub spare_ramp: f64,
    /// Inputs with `a` at most this (per step in ario mode, as BoARIO compares) never
    /// constrain output.
    pub input_threshold: f64,
}

impl Default for DynamicSettings {
    fn default() -> Self {
        Self {
            mode: Mode::Standard,
            step: Step::Day,
            steps: 365,
            start: 0,
            inventory_days: 90.0,
            inventory_days_by_product: BTreeMap::new(),
            psi: 0.8,
            restoration_days: 60.0,
            alpha_max: 1.25,
            alpha_days: 365.0,
            orders: Orders::Alt,
            transport_lag_days: 0.0,
            spare_ramp: 0.0,
            input_threshold: 1e-5,
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
///     capacity_losses: vec![CapacityLoss { region: "CN".into(), product: "oxide".into(), share: 0.5 }],
///     ..Realization::default()
/// };
/// let settings = DynamicSettings { step: Step::Week, steps: 52, start: 2, ..DynamicSettings::default() };
/// let engine = Dynamic::new(&net, &shock, settings)?;
/// let mut ws = engine.workspace(&net);
/// engine.run(&net, &shock, &mut ws)?;
/// let us = net.require_region("US")?;
/// let magnet = net.require_product("magnet")?;
/// assert!(ws.outcome().cumulative_final_shortfall(us, magnet) > 0.0);
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Dynamic {
    settings: DynamicSettings,
    plan: Plan,
    /// The node of each of the scenario's capacity losses.
    loss_nodes: Vec<NodeId>,
    /// Explicit capacity-loss paths: node, loss per step (0 after the end).
    loss_paths: Vec<(NodeId, Vec<f64>)>,
}

/// The network laid out for stepping: input slots `(node, input product)` with the edges
/// that feed each slot contiguous, and final-demand edges per supplier.
#[derive(Debug, Clone)]
struct Plan {
    /// The network's node at each internal index: products in topological order on
    /// acyclic chains, the processing order. Every per-node array of the plan and the
    /// workspace is in internal order.
    node_at: Vec<NodeId>,
    /// The internal index of each network node.
    pos: Vec<u32>,
    /// Baseline output per step.
    x0: Vec<f64>,
    /// Capacity per step before losses (`α_max·x₀` on monetary tables).
    cap0: Vec<f64>,
    /// Capacity at the start of a run, the reference of `alt` orders' capacity ratio.
    cap_ref: Vec<f64>,
    slot_start: Vec<usize>,
    /// Input per unit of output.
    a: Vec<f64>,
    /// Target cover in steps.
    cover: Vec<f64>,
    /// Whether the input can constrain output.
    binds: Vec<bool>,
    run_start: Vec<usize>,
    /// Supplier of each feeding edge, and its baseline flow per step.
    src: Vec<u32>,
    z0: Vec<f64>,
    fd_start: Vec<usize>,
    /// `(region, product)` index of each final-demand edge, and its baseline per step.
    fd_sink: Vec<u32>,
    y0: Vec<f64>,
    /// Total baseline final demand per node, per step.
    fd0: Vec<f64>,
    /// Steps an input travels: 0 within the step, 1 BoARIO's lag, more with a transport lag.
    lag: usize,
    /// Overproduction follows ARIO (monetary tables, or the ario mode).
    overproduction: bool,
    r_inv: f64,
    r_alpha: f64,
    /// The step, years.
    dt: f64,
    /// First step of the scenario's shocks.
    start: usize,
}

fn setting_error(field: &str, reason: String) -> Error {
    Error::InvalidField {
        field: field.into(),
        reason,
        location: Location::new("dynamic settings", None),
    }
}

impl Dynamic {
    /// Checks the settings and resolves the scenario's structure against `net`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a setting outside its domain (naming it), a scenario
    /// field this engine does not model yet (restrictions, demand shifts, mitigation,
    /// perturbations, prices: the error names the engine), or a capacity loss on a node that
    /// does not exist; [`Error::StepTooLong`] when the step exceeds half the shortest
    /// inventory cover.
    pub fn new(net: &Network, scenario: &Realization, settings: DynamicSettings) -> Result<Self> {
        scenario.validate()?;
        let unmodelled = [
            ("restrictions", !scenario.restrictions.is_empty()),
            ("demand_shifts", !scenario.demand_shifts.is_empty()),
            ("mitigation", scenario.mitigation != Mitigation::default()),
            (
                "perturbation",
                scenario.perturbation != Perturbation::default(),
            ),
            ("prices", !scenario.prices.is_empty()),
        ];
        if let Some((field, _)) = unmodelled.iter().find(|(_, set)| *set) {
            return Err(field_error(
                (*field).into(),
                "the dynamic engine does not model this field yet (docs/model.md §5.8)".into(),
            ));
        }
        let plan = Plan::new(net, &settings)?;
        let loss_nodes = scenario
            .capacity_losses
            .iter()
            .enumerate()
            .map(|(i, c)| node(net, &c.region, &c.product, &format!("capacity_losses[{i}]")))
            .collect::<Result<_>>()?;
        Ok(Self {
            settings,
            plan,
            loss_nodes,
            loss_paths: Vec::new(),
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
        self.loss_paths.push((n, path));
        Ok(self)
    }

    /// The settings.
    pub fn settings(&self) -> &DynamicSettings {
        &self.settings
    }
}

fn node(net: &Network, region: &str, product: &str, field: &str) -> Result<NodeId> {
    let (r, p) = (net.region_id(region), net.product_id(product));
    r.zip(p)
        .and_then(|(r, p)| net.node_id(r, p))
        .ok_or_else(|| field_error(field.into(), format!("{region} makes no {product}")))
}

impl Plan {
    fn new(net: &Network, s: &DynamicSettings) -> Result<Self> {
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
        let shares = [("psi", s.psi), ("spare_ramp", s.spare_ramp)];
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
        if s.steps == 0 {
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
        let step_days = s.step.days();
        // Only inputs actually held count towards the shortest cover.
        let held = |p: usize| {
            net.nodes().iter().enumerate().any(|(n, _)| {
                net.inputs(NodeId(n as u32))
                    .iter()
                    .any(|i| i.product.index() == p)
            })
        };
        if let Some(p) = (0..np)
            .filter(|&p| held(p))
            .min_by(|&a, &b| days[a].total_cmp(&days[b]))
        {
            if step_days > days[p] / 2.0 {
                return Err(Error::StepTooLong {
                    step_days,
                    product: net.product(crate::network::ProductId(p as u32)).id.clone(),
                    cover_days: days[p],
                });
            }
        }
        let lag_steps = s.transport_lag_days / step_days;
        if !(lag_steps.is_finite()
            && lag_steps >= 0.0
            && (lag_steps - lag_steps.round()).abs() < 1e-9)
        {
            return Err(setting_error(
                "transport_lag_days",
                format!(
                    "{} days is not a whole number of {step_days}-day steps",
                    s.transport_lag_days
                ),
            ));
        }
        let lag = match s.mode {
            Mode::Ario if lag_steps > 0.0 => {
                return Err(setting_error(
                    "transport_lag_days",
                    "the ario mode has BoARIO's one-step lag; a transport lag is for the \
                     standard mode"
                        .into(),
                ))
            }
            Mode::Ario => 1,
            Mode::Standard if net.is_acyclic() => lag_steps.round() as usize,
            Mode::Standard => (lag_steps.round() as usize).max(1),
        };

        let dt = s.step.years();
        let monetary = net.accounts() == Accounts::Monetary;
        let overproduction = monetary || s.mode == Mode::Ario;
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
        };
        let (mut x0, mut cap0, mut cap_ref) = (vec![], vec![], vec![]);
        let (mut slot_start, mut a, mut cover, mut binds) = (vec![0], vec![], vec![], vec![]);
        let (mut run_start, mut src, mut z0) = (vec![0], vec![], vec![]);
        let (mut fd_start, mut fd_sink, mut y0, mut fd0) = (vec![0], vec![], vec![], vec![]);
        let mut feeding: Vec<(u32, u32, f64)> = Vec::new();
        for &n in &node_at {
            let x = net.output(n) * dt;
            let cap = if monetary {
                s.alpha_max * x
            } else {
                net.node(n).capacity * dt
            };
            x0.push(x);
            cap0.push(cap);
            cap_ref.push(if overproduction {
                x
            } else {
                x + s.spare_ramp * (cap - x)
            });
            feeding.clear();
            feeding.extend(net.in_edges(n).map(|e| {
                let product = net.node(e.from).product.0;
                (product, pos[e.from.index()], e.flow * dt)
            }));
            feeding.sort_by_key(|&(product, from, _)| (product, from));
            for input in net.inputs(n) {
                a.push(input.per_unit);
                cover.push(days[input.product.index()] / step_days);
                binds.push(input.per_unit > threshold);
                let first = feeding.partition_point(|f| f.0 < input.product.0);
                for &(_, from, flow) in feeding[first..]
                    .iter()
                    .take_while(|f| f.0 == input.product.0)
                {
                    src.push(from);
                    z0.push(flow);
                }
                run_start.push(src.len());
            }
            slot_start.push(a.len());
            let mut total = 0.0;
            for e in net.out_edges(n) {
                if let Sink::FinalUse(r) = e.to {
                    fd_sink.push((r.index() * np + net.node(n).product.index()) as u32);
                    y0.push(e.flow * dt);
                    total += e.flow * dt;
                }
            }
            fd0.push(total);
            fd_start.push(y0.len());
        }
        let rate = |days: f64| match s.mode {
            Mode::Ario => step_days / days,
            Mode::Standard => 1.0 - (-step_days / days).exp(),
        };
        Ok(Self {
            node_at,
            pos,
            x0,
            cap0,
            cap_ref,
            slot_start,
            a,
            cover,
            binds,
            run_start,
            src,
            z0,
            fd_start,
            fd_sink,
            y0,
            fd0,
            lag,
            overproduction,
            r_inv: rate(s.restoration_days),
            r_alpha: rate(s.alpha_days),
            dt,
            start: s.start,
        })
    }
}

impl Engine for Dynamic {
    type Workspace = DynamicWorkspace;

    fn workspace(&self, net: &Network) -> DynamicWorkspace {
        DynamicWorkspace::new(net, self)
    }

    fn run(&self, _: &Network, r: &Realization, ws: &mut DynamicWorkspace) -> Result<()> {
        if r.capacity_losses.len() != self.loss_nodes.len() {
            return Err(field_error(
                "capacity_losses".into(),
                format!(
                    "{} entries, the engine was built for {}",
                    r.capacity_losses.len(),
                    self.loss_nodes.len()
                ),
            ));
        }
        for (i, c) in r.capacity_losses.iter().enumerate() {
            if !(0.0..=1.0).contains(&c.share) {
                return Err(field_error(
                    format!("capacity_losses[{i}].share"),
                    format!("{} is outside [0, 1]", c.share),
                ));
            }
        }
        ws.start(self);
        for _ in 0..self.settings.steps {
            ws.advance(self, r);
        }
        Ok(())
    }
}
