//! The dynamic engine: ARIO in time steps on the network (docs/model.md §5).
//!
//! Each step, every node produces what its capacity, its demand and its input inventories
//! allow, splits its output over its customers' orders and final demand in proportion to
//! demand, and orders inputs for the next step to replace what it used and close part of
//! the gap to its target inventories. Restrictions cut deliveries to targets while they
//! last; targets re-route the blocked part of their orders to suppliers with spare
//! capacity; strategic stockpiles release to their region's users. Modes (docs/model.md §5.4):
//! [`Mode::Ario`] reproduces BoARIO 0.7.2 on monetary tables; [`Mode::Standard`] is the
//! default for physical chains; [`Mode::StaticEquivalent`] reproduces the static engine
//! step by step for consistency tests.

mod demand;
mod firms;
mod outcome;
mod plan;
mod pricing;
mod rebuild;
mod step;

pub use firms::COVER_CELLS;
pub use outcome::DynamicOutcome;
pub use plan::{MAX_LAG_STEPS, MAX_RUN_STEPS};
pub use step::DynamicWorkspace;

use demand::DemandPlan;
use plan::{Plan, Served};
use pricing::PricePlan;
use rebuild::RebuildPlan;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::resolved::Resolved;
use super::{node_at, BuiltFor, Engine};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::scenario::{Disposal, EventKind, Realization};

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
    /// The static engine step by step (docs/model.md §5.8): orders at the baseline schedule,
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
///     capacity_losses: vec![CapacityLoss { item: Default::default(), region: "CN".into(), product: "oxide".into(), share: 0.5 }],
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
    /// Final demand in time: the scenario's demand shifts and paths, and paths added
    /// with [`Dynamic::with_demand_path`] (§5.7).
    demand: DemandPlan,
    /// Rebuilding events (§5.13).
    rebuild: RebuildPlan,
    /// The internal index of each capacity addition's node.
    addition_nodes: Vec<usize>,
    /// Thrifted slots: (slot, index into `adaptation.thrifting`) (§5.7).
    thrifted: Vec<(usize, usize)>,
    /// Slots whose coefficient may fall below `a` (thrifting, §5.7; the market step,
    /// §7.5), sorted: the outcome counts their shortfall against the lower need.
    reduced: Vec<usize>,
    /// The market step in time (§7.5), with `scenario.market`.
    pricing: Option<PricePlan>,
    /// The network and the scenario structure the engine was built for.
    built_for: BuiltFor,
    /// How many restrictions the scenario has.
    restrictions: usize,
    /// Restrictions that cut no flow of the network.
    warnings: Vec<String>,
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

fn setting_error(field: &str, reason: String) -> Error {
    Error::field("dynamic settings", field, reason)
}

/// Why the static-equivalent mode refuses rebuilding and final demand that changes.
const REBUILDING_STATIC: &str =
    "rebuilding in the static-equivalent mode (it has no demand to add to)";
const DEMAND_STATIC: &str =
    "final demand that changes in the static-equivalent mode (its orders are the baseline \
     schedule)";

/// A scenario field this engine does not model: refused, never ignored.
fn unmodelled(field: &str, why: &str) -> Error {
    Error::field(
        "scenario",
        field,
        format!("{why}: not modelled by the dynamic engine (docs/model.md §5.8)"),
    )
}

impl Dynamic {
    /// Checks the settings and resolves the scenario's structure against `net`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a setting outside its domain (naming it), a scenario
    /// field this engine does not model (naming the field and the engine:
    /// recipe multipliers, network variants, prices and values, allocation by value, the
    /// market step outside the standard mode or on a monetary table; substitution groups
    /// outside the standard mode with delivery within the step; in the static-equivalent
    /// mode also `divert`, stock release, substitution and demand response; docs/model.md
    /// §5.8, §7.5), an unknown region or product, or a capacity loss on a node that does
    /// not exist; [`Error::CyclicRecipes`] for the static-equivalent mode on a cyclic
    /// table; [`Error::StepTooLong`] when the step exceeds half the shortest inventory
    /// cover.
    pub fn new(net: &Network, scenario: &Realization, settings: DynamicSettings) -> Result<Self> {
        scenario.validate()?;
        check_modelled(scenario, settings.mode)?;
        if settings.mode == Mode::StaticEquivalent {
            net.require_acyclic()?;
        }
        // The structure both engines share (restrictions, targets, priority class, the
        // nodes of losses and additions), laid out in the engine's node order.
        let resolved = Resolved::new(net, scenario)?;
        let plan = Plan::new(net, scenario, &settings, &resolved)?;
        if let Some(firms) = &plan.firms {
            firms::check(net, &plan, firms)?;
        }
        // Switching orders from the substitute's pool within the step (§5.7).
        if !plan.switches.is_empty()
            && (plan.lag != 0
                || settings.mode != Mode::Standard
                || scenario.transport_lag_days.is_some())
        {
            return Err(unmodelled(
                "adaptation.substitution_groups",
                "a substitution group outside the standard mode with delivery within the step",
            ));
        }
        let at = |n: &crate::network::NodeId| plan.pos[n.index()] as usize;
        let loss_nodes = resolved.losses.iter().map(at).collect();
        let addition_nodes = resolved.additions.iter().map(at).collect();
        let thrifted: Vec<(usize, usize)> = (resolved.adapting.thrifted.iter())
            .map(|&(n, m, i)| {
                let k = net.inputs(n).iter().position(|x| x.product == m);
                (plan.slot_start[at(&n)] + k.unwrap_or(0), i)
            })
            .collect();
        let demand = DemandPlan::new(net, &plan, scenario)?;
        let mut warnings = resolved.warnings.clone();
        let pricing = match &scenario.market {
            Some(_) if plan.monetary => {
                return Err(unmodelled(
                    "market",
                    "the market step on a monetary table (its supply response is \
                     overproduction, docs/model.md §7.5)",
                ))
            }
            Some(_) => {
                let pricing = PricePlan::new(net, scenario, &resolved, &plan)?;
                warnings.extend_from_slice(pricing.warnings());
                Some(pricing)
            }
            None => None,
        };
        let mut reduced: Vec<usize> = thrifted.iter().map(|&(slot, _)| slot).collect();
        if let Some(pricing) = &pricing {
            reduced.extend(pricing.slots.iter().map(|&(slot, _)| slot as usize));
        }
        reduced.sort_unstable();
        reduced.dedup();
        let ario = settings.mode == Mode::Ario;
        let mut engine = Self {
            settings,
            plan,
            loss_nodes,
            loss_paths: Vec::new(),
            demand,
            rebuild: RebuildPlan::new(ario),
            addition_nodes,
            thrifted,
            reduced,
            pricing,
            built_for: BuiltFor::new("the dynamic engine", net, scenario),
            restrictions: scenario.restrictions.len(),
            warnings,
        };
        for (i, event) in scenario.boario_events.iter().enumerate() {
            engine.add_event(net, event, &format!("boario_events[{i}]"))?;
        }
        Ok(engine)
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
        let n = node_at(net, region, product, "loss path")?;
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

    /// Adds a final-demand path (docs/model.md §5.7): a multiplier per step on the final
    /// demand of a region, for one product or all of them. It multiplies any other path
    /// or demand shift on the same demand.
    ///
    /// ```
    /// use shortfall::engine::{Dynamic, DynamicSettings, Engine};
    /// use shortfall::scenario::{DemandPath, Realization};
    /// let net = shortfall::data::rare_earths_2024().network;
    /// let none = Realization { horizon: 1.0, ..Realization::default() };
    /// let settings = DynamicSettings { steps: 20, ..DynamicSettings::default() };
    /// let fall = DemandPath { region: "US".into(), product: Some("ev_motor".into()),
    ///                         from_step: 5, path: vec![0.5], until_step: Some(10) };
    /// let engine = Dynamic::new(&net, &none, settings)?.with_demand_path(&net, fall)?;
    /// let mut ws = engine.workspace(&net);
    /// engine.run(&net, &none, &mut ws)?;
    /// let ev = net.node_id(net.require_region("US")?, net.require_product("ev_motor")?).unwrap();
    /// let out = ws.outcome();
    /// assert!(out.output(ev, 7) < 0.6 * out.output(ev, 0));
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an unknown region or product, a region without final
    /// use of the product (or of any product), or a path outside its domain
    /// ([`DemandPath::problem`](crate::scenario::DemandPath::problem)); the
    /// static-equivalent mode, whose orders are the baseline schedule.
    pub fn with_demand_path(
        mut self,
        net: &Network,
        path: crate::scenario::DemandPath,
    ) -> Result<Self> {
        if self.settings.mode == Mode::StaticEquivalent {
            return Err(unmodelled("demand path", DEMAND_STATIC));
        }
        self.demand.add(net, &self.plan, path, "demand path")?;
        Ok(self)
    }

    /// Adds a capacity-loss path written as a BoARIO event, with BoARIO's timing
    /// (docs/model.md §5.12; [`BoarioEvent::loss_path`](crate::scenario::BoarioEvent::loss_path)).
    ///
    /// # Errors
    /// As [`BoarioEvent::loss_path`](crate::scenario::BoarioEvent::loss_path).
    pub fn with_boario_event(
        mut self,
        net: &Network,
        event: &crate::scenario::BoarioEvent,
    ) -> Result<Self> {
        self.add_event(net, event, "event")?;
        Ok(self)
    }

    /// A BoARIO event, named at `field`: a rebuilding event to the rebuilding plan
    /// (§5.13), any other as its loss path (§5.12).
    fn add_event(
        &mut self,
        net: &Network,
        event: &crate::scenario::BoarioEvent,
        field: &str,
    ) -> Result<()> {
        if event.kind != EventKind::Rebuild {
            let path = event.loss_path_at(net, self.plan.steps, field)?;
            let n = event.industry_at(net, field)?;
            self.loss_paths
                .push((self.plan.pos[n.index()] as usize, path));
            return Ok(());
        }
        if self.settings.mode == Mode::StaticEquivalent {
            return Err(unmodelled(field, REBUILDING_STATIC));
        }
        (self.rebuild).add(net, &self.plan, event, field, &mut self.warnings)
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
        return Err(unmodelled("prices", "values (docs/model.md §7.3)"));
    }
    if !r.final_goods.is_empty() {
        return Err(unmodelled("final_goods", "values (docs/model.md §7.3)"));
    }
    if r.firms.is_some()
        && (r.market.is_some()
            || !r.adaptation.thrifting.is_empty()
            || !r.adaptation.substitution_groups.is_empty())
    {
        return Err(unmodelled(
            "firms",
            "firms beside thrifting, substitution groups or the market step (they change \
             what a firm needs, and the firms' stoppages count arrivals against baseline \
             receipts, docs/model.md §5.5)",
        ));
    }
    if r.transport_lag_days.is_some() && mode != Mode::Standard {
        return Err(unmodelled(
            "transport_lag_days",
            "a transport lag outside the standard mode (the ario mode has BoARIO's one-step \
             lag, the static-equivalent mode none)",
        ));
    }
    if r.market.is_some() && mode != Mode::Standard {
        return Err(unmodelled(
            "market",
            "the market step outside the standard mode (docs/model.md §7.5)",
        ));
    }
    if !r.mitigation.rationing.is_proportional() {
        return Err(unmodelled(
            "mitigation.rationing",
            "allocation by value (docs/model.md §7.2)",
        ));
    }

    if mode == Mode::StaticEquivalent {
        let rebuilding = (r.boario_events.iter())
            .filter(|e| e.kind == EventKind::Rebuild)
            .count();
        if rebuilding > 0 {
            return Err(unmodelled("boario_events", REBUILDING_STATIC));
        }
        let in_time = [
            ("demand_shifts", r.demand_shifts.len()),
            ("demand_paths", r.demand_paths.len()),
        ];
        if let Some((field, _)) = in_time.iter().find(|(_, n)| *n > 0) {
            return Err(unmodelled(field, DEMAND_STATIC));
        }
        for (field, v) in [
            ("mitigation.deferrable", m.deferrable),
            ("mitigation.substitutable", m.substitutable),
        ] {
            if v != 0.0 {
                return Err(unmodelled(
                    field,
                    "demand response in the static-equivalent mode",
                ));
            }
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

impl Engine for Dynamic {
    type Workspace = DynamicWorkspace;
    type Outcome = DynamicOutcome;

    fn outcome<'w>(&self, ws: &'w DynamicWorkspace) -> &'w DynamicOutcome {
        ws.outcome()
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn workspace(&self, net: &Network) -> DynamicWorkspace {
        DynamicWorkspace::new(net, self)
    }

    /// Fewer draws per chunk when a run is costly (docs/model.md §6.2): about 2³² steps
    /// times edges and nodes per chunk, between 1 and [`super::DRAWS_PER_CHUNK`] draws,
    /// so that a thousand runs of a large table spread over the threads.
    fn draws_per_chunk(&self) -> u64 {
        let work = (self.plan.steps as u64).max(1)
            * (self.plan.src.len() + self.plan.x0.len() + self.plan.y0.len()).max(1) as u64;
        ((1u64 << 32) / work).clamp(1, super::DRAWS_PER_CHUNK)
    }

    fn run(&self, net: &Network, r: &Realization, ws: &mut DynamicWorkspace) -> Result<()> {
        self.built_for.check(net, ws.network(), r)?;
        r.validate()?;
        check_modelled(r, self.settings.mode)?;
        ws.start(self, r);
        for _ in 0..self.plan.steps {
            ws.advance(self, r);
        }
        Ok(())
    }
}
