//! Monte Carlo over dynamic paths (docs/model.md §5.10): for a group of regions
//! and one product, quantile bands per step (a fan chart's data), the distribution of each
//! member's cumulative shortfall, and censored outcomes (running out, stockpile stock-out,
//! recovery, a low-cover firm's first stoppage) with their probability and quantiles.

use serde::{Deserialize, Serialize};

use super::outcomes::RECOVERED_FOR;
use super::{run_on, Censored, Measure, OutcomeSpec, Settings, StatisticsSettings, Summary};
use crate::engine::{Dynamic, DynamicSettings, Engine};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::report::{displayed_as_report, number, Cell, Report, Table};
use crate::scenario::{ScenarioSpec, Targets};

/// What a dynamic Monte Carlo run reports on: a group of regions, one product, and
/// optionally the cover of the firm whose first stoppage is reported. It is the `[paths]`
/// table of a scenario file.
///
/// ```
/// use shortfall::montecarlo::Paths;
/// let paths: Paths = toml::from_str(r#"
///     group = { bloc = "US+8" }
///     product = "ndfeb_magnet_dy"
///     stoppage_cover_days = 14
/// "#).unwrap();
/// assert_eq!(paths.stoppage_cover_days, Some(14.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    /// The regions reported, each and together.
    pub group: Targets,
    /// The product (an input of the members' producers, for running out and stoppages).
    pub product: String,
    /// Days of cover of a low-cover firm (a low quantile of firms' cover, docs/model.md §5.5): adds
    /// its first stoppage (`DynamicOutcome::first_stoppage`) per member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stoppage_cover_days: Option<f64>,
}

impl Paths {
    /// The group and product, without a stoppage.
    pub fn new(group: Targets, product: impl Into<String>) -> Self {
        Self {
            group,
            product: product.into(),
            stoppage_cover_days: None,
        }
    }
}

/// One step of the fan chart: the group's absorption shortfall in that step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FanStep {
    /// The step.
    pub step: usize,
    /// Mean over draws.
    pub mean: f64,
    /// 5%, 50% and 95% quantiles over draws.
    pub p05: f64,
    /// See `p05`.
    pub p50: f64,
    /// See `p05`.
    pub p95: f64,
}

/// What a dynamic Monte Carlo run gives for a group of regions and one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathResults {
    /// Scenario name.
    pub scenario: String,
    /// The product and its unit.
    pub product: String,
    /// See `product`.
    pub unit: String,
    /// The group (`US+8`) and its members' codes.
    pub group: String,
    /// See `group`.
    pub members: Vec<String>,
    /// The step, days, and steps per run.
    pub step_days: f64,
    /// See `step_days`.
    pub steps: usize,
    /// Draws and seed.
    pub draws: u64,
    /// See `draws`.
    pub seed: u64,
    /// The group's baseline absorption of the product per step.
    pub baseline_per_step: f64,
    /// The group's absorption shortfall per step: quantile bands.
    pub fan: Vec<FanStep>,
    /// Cumulative absorption shortfall over the run, per member then the group (summed
    /// per draw).
    pub cumulative: Vec<Summary>,
    /// Per member: the first step a producer was input-constrained on the product
    /// (inventory below `ψ` times target: output cut, `cover_left_days` of cover left).
    pub input_constrained: Vec<Censored>,
    /// Per member: the first step a producer's inventory of the product was empty (below
    /// 1% of its target).
    pub inventory_empty: Vec<Censored>,
    /// Days of cover a producer holds when it becomes input-constrained: `ψ` times its
    /// target days of the product.
    pub cover_left_days: f64,
    /// Per member: the first step its stockpile of the product stood at its floor.
    pub stock_out: Vec<Censored>,
    /// Per member: the first step from which its shortfall stayed below 1% of baseline
    /// for four steps, after one of at least 1%.
    pub recovery: Vec<Censored>,
    /// Per member, with `stoppage_cover_days`: the first step a firm with that cover
    /// stops; the cover in days.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub first_stoppage: Vec<Censored>,
    /// See `first_stoppage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stoppage_cover_days: Option<f64>,
    /// Per member, with the scenario's `firms` for the product (docs/model.md §5.5): the
    /// first step by which firms holding 5% of its use have stopped (the 5th-percentile
    /// firm).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub firm_stoppage: Vec<Censored>,
    /// Per member, with firms: the share of its use in firms that stop within the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub firms_stopped: Vec<Summary>,
    /// What the run did that is probably not what was meant (a restriction that cuts no
    /// flow of the network).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The uncertain parameters, in traversal order, and their values per draw
    /// (`draws x params`, row-major; not serialised).
    #[serde(skip)]
    pub params: Vec<crate::scenario::FieldPath>,
    /// See `params`.
    #[serde(skip)]
    pub param_values: Vec<f64>,
}

/// The quantile levels the tables of a run in time show, as P5, P50 and P95.
const TABLE_LEVELS: [f64; 3] = [0.05, 0.5, 0.95];

/// Runs `spec` through the dynamic engine, through the Monte Carlo front door
/// ([`run_with`](super::run_with)), with one outcome kind per figure: each member's and the group's
/// cumulative absorption shortfall of the product, each member's first input-constrained
/// step, stockpile stock-out, recovery and (with a cover) first stoppage, and the group's
/// shortfall per step; and reports them as a run in time.
///
/// # Errors
/// Every error of [`run_with`](super::run_with) and of [`Dynamic::new`]; [`Error::InvalidField`] for an
/// unknown product or group, a cover that is not a positive number of days, chosen
/// outcomes or a stopping rule (run those through [`run_with`](super::run_with));
/// [`Error::Unsupported`] in streaming mode (censored outcomes need every draw).
pub fn run_paths(
    net: &Network,
    spec: &ScenarioSpec,
    dynamic: &DynamicSettings,
    settings: &Settings,
    paths: &Paths,
) -> Result<PathResults> {
    settings.validate("settings")?;
    // What a run in time does not model is refused by name, never ignored: chosen
    // outcomes and the stopping rule go through the front door (`run_with`).
    for (set, field) in [
        (!settings.outcomes.is_empty(), "monte_carlo.outcomes"),
        (settings.stop.is_some(), "monte_carlo.stop"),
    ] {
        if set {
            return Err(Error::field(
                "settings",
                field,
                "a run in time reports its [paths] (fan chart, cumulative shortfall, censored \
                 events) and runs the draws it is given; for chosen outcomes and a stopping \
                 rule on the dynamic engine, run `montecarlo::run_with` with \
                 `EngineChoice::Dynamic` (`run_scenario --engine dynamic`)",
            ));
        }
    }
    if settings.streaming {
        return Err(Error::Unsupported(
            "dynamic paths need every draw: run them in exact mode".into(),
        ));
    }
    let invalid =
        |field: &str, reason: String| Error::field("paths", format!("paths.{field}"), reason);
    let product = paths.product.as_str();
    let k = net
        .product_id(product)
        .ok_or_else(|| invalid("product", net.unknown_product(product)))?;
    let cover = paths.stoppage_cover_days;
    if let Some(c) = cover.filter(|c| !(c.is_finite() && *c > 0.0)) {
        return Err(invalid(
            "stoppage_cover_days",
            format!("{c} is not a positive number of days"),
        ));
    }
    let group = &paths.group;
    let members = group.resolve(net, "paths.group")?;
    let codes: Vec<String> = members
        .iter()
        .map(|&r| net.region(r).code.clone())
        .collect();
    let m = codes.len();
    // The outcome kinds, in this order: cumulative per member, then the group; run-out,
    // stock-out and recovery per member; first stoppage per member (with a cover); the
    // group's shortfall per step.
    let each = |measure: Measure| {
        (codes.iter())
            .map(move |c| OutcomeSpec::new(measure, Targets::List(vec![c.clone()]), product))
    };
    let mut outcomes: Vec<OutcomeSpec> = each(Measure::Absorption).collect();
    outcomes.push(OutcomeSpec::new(
        Measure::Absorption,
        group.clone(),
        product,
    ));
    outcomes.extend(each(Measure::InputConstrained));
    outcomes.extend(each(Measure::InventoryEmpty));
    outcomes.extend(each(Measure::StockOut));
    outcomes.extend(each(Measure::Recovery));
    if let Some(c) = cover {
        outcomes.extend(each(Measure::FirstStoppage).map(|o| OutcomeSpec {
            cover_days: Some(c),
            ..o
        }));
    }
    // With the scenario's firms for this product (docs/model.md §5.5): the 5th-percentile
    // firm's stoppage per member (events), after the per-step outcomes the share of use in
    // firms that stop.
    let firms = spec.firms.as_ref().is_some_and(|f| f.product == product);
    if firms {
        outcomes.extend(each(Measure::FirmStoppage));
    }
    outcomes.push(OutcomeSpec::new(
        Measure::AbsorptionPerStep,
        group.clone(),
        product,
    ));
    if firms {
        outcomes.extend(each(Measure::FirmsStopped));
    }
    // The tables show P5, P50 and P95 whatever levels the settings ask for: those three
    // first, then the others (written to JSON, labelled by level).
    let statistics = StatisticsSettings {
        quantiles: TABLE_LEVELS
            .into_iter()
            .chain(
                (settings.statistics.quantiles.iter().copied())
                    .filter(|q| !TABLE_LEVELS.contains(q)),
            )
            .collect(),
        ..settings.statistics.clone()
    };
    let run = Settings {
        outcomes,
        statistics,
        ..settings.clone()
    };
    // The dynamic engine through the front door, kept to read the group's baseline per
    // step and the number of steps (built once).
    let kept = std::cell::OnceCell::new();
    let build = |n: &Network, median: &crate::scenario::Realization| {
        let engine = Dynamic::new(n, median, dynamic.clone())?;
        let _ = kept.set(engine.clone());
        Ok(engine)
    };
    let mut r = run_on(std::slice::from_ref(net), spec, &run, build, None)?;
    let built = kept
        .into_inner()
        .ok_or_else(|| Error::NothingToRun("no network to run on".into()))?;
    let steps = built.steps();
    let baseline_per_step = {
        let ws = built.workspace(net);
        let o = ws.outcome();
        members
            .iter()
            .map(|&r| o.absorption_baseline_per_step(r, k))
            .sum()
    };
    let mut fan = r.outcomes.split_off(m + 1);
    let mut firms_stopped = if firms {
        fan.split_off(fan.len() - m)
    } else {
        Vec::new()
    };
    for (s, c) in firms_stopped.iter_mut().zip(&codes) {
        s.name = format!("{c} use in firms that stop");
    }
    let fan = fan
        .into_iter()
        .enumerate()
        .map(|(t, s)| FanStep {
            step: t,
            mean: s.mean,
            p05: s.quantiles[0].value,
            p50: s.quantiles[1].value,
            p95: s.quantiles[2].value,
        })
        .collect();
    let mut cumulative = r.outcomes;
    for (s, name) in cumulative
        .iter_mut()
        .zip(codes.iter().chain([&group.label()]))
    {
        s.name = name.clone();
    }
    let mut events = r.events.into_iter();
    let mut censor = |what: &str| -> Vec<Censored> {
        (codes.iter())
            .zip(events.by_ref())
            .map(|(c, mut e)| {
                e.name = format!("{c} {what}");
                if let Some(g) = e.given.as_mut() {
                    g.name = e.name.clone();
                }
                e
            })
            .collect()
    };
    let input_constrained = censor("input-constrained");
    let inventory_empty = censor("inventory empty");
    let stock_out = censor("stockpile out");
    let recovery = censor("recovers");
    let first_stoppage = if cover.is_some() {
        censor("first stoppage")
    } else {
        Vec::new()
    };
    let firm_stoppage = if firms {
        censor("firms stop")
    } else {
        Vec::new()
    };
    Ok(PathResults {
        scenario: spec.name.clone(),
        product: product.into(),
        unit: net.product(k).unit.clone(),
        group: group.label(),
        members: codes,
        step_days: dynamic.step.days(),
        steps,
        draws: r.draws,
        seed: r.seed,
        baseline_per_step,
        fan,
        cumulative,
        input_constrained,
        inventory_empty,
        cover_left_days: dynamic.psi
            * (dynamic.inventory_days_by_product.get(product))
                .copied()
                .unwrap_or(dynamic.inventory_days),
        stock_out,
        recovery,
        first_stoppage,
        stoppage_cover_days: cover,
        firm_stoppage,
        firms_stopped,
        warnings: r.warnings,
        params: r.simulation.params,
        param_values: r.simulation.param_values,
    })
}

impl PathResults {
    /// Writes the results atomically: `.json` (everything) or `.csv` (the members'
    /// table).
    ///
    /// # Errors
    /// [`Error::Io`], and [`Error::WrongExtension`] for another extension.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        crate::report::write(self, path.as_ref())
    }

    /// A member's first step given that the event happens, as a quantile `p` of the
    /// condition.
    fn conditional(c: &Censored, p: usize) -> Cell {
        c.given
            .as_ref()
            .map_or(Cell::Empty, |s| Cell::Number(s.quantiles[p].value))
    }
}

impl Report for PathResults {
    fn tables(&self) -> Vec<Table> {
        let weeks = self.step_days / 7.0;
        let stoppage = !self.first_stoppage.is_empty();
        let mut header = vec![
            "region",
            "P50",
            "P5",
            "P95",
            "P(constrained), CI",
            "week",
            "P(empty)",
            "week",
            "P(stock out)",
            "P(recovers)",
        ];
        if stoppage {
            header.extend(["P(stop)", "stop week"]);
        }
        let firms = !self.firm_stoppage.is_empty();
        if firms {
            header.extend(["P(5% of firms stop)", "week", "use in firms that stop"]);
        }
        let mut t = Table::new(
            format!(
                "{}: {} over {} steps of {} (dynamic engine), {} draws, seed {}",
                if self.scenario.is_empty() {
                    "Dynamic run"
                } else {
                    &self.scenario
                },
                self.product,
                self.steps,
                crate::report::days(self.step_days),
                self.draws,
                self.seed
            ),
            &header,
        );
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        // A step `t` ends `(t + 1)` steps after the run's start.
        let week = |step: f64| (step + 1.0) * weeks;
        for (j, code) in self.members.iter().enumerate() {
            let s = &self.cumulative[j];
            let run = &self.input_constrained[j];
            let in_weeks = |c: &Censored| match Self::conditional(c, 1) {
                Cell::Number(step) => Cell::Number(week(step)),
                other => other,
            };
            let empty = &self.inventory_empty[j];
            let mut row = vec![
                Cell::Text(code.clone()),
                Cell::Number(s.quantiles[1].value),
                Cell::Number(s.quantiles[0].value),
                Cell::Number(s.quantiles[2].value),
                Cell::Text(format!(
                    "{} ({:.1}-{:.1})",
                    pct(run.probability),
                    100.0 * run.ci.0,
                    100.0 * run.ci.1
                )),
                in_weeks(run),
                Cell::Share(empty.probability),
                in_weeks(empty),
                Cell::Share(self.stock_out[j].probability),
                Cell::Share(self.recovery[j].probability),
            ];
            if let Some(c) = self.first_stoppage.get(j) {
                row.push(Cell::Share(c.probability));
                row.push(c.given.as_ref().map_or(Cell::Empty, |g| {
                    let q = |i: usize| number(week(g.quantiles[i].value));
                    Cell::Text(format!("{} ({}-{})", q(1), q(0), q(2)))
                }));
            }
            if let (Some(c), Some(u)) = (self.firm_stoppage.get(j), self.firms_stopped.get(j)) {
                row.push(Cell::Share(c.probability));
                row.push(c.given.as_ref().map_or(Cell::Empty, |g| {
                    let q = |i: usize| number(week(g.quantiles[i].value));
                    Cell::Text(format!("{} ({}-{})", q(1), q(0), q(2)))
                }));
                let q = |i: usize| pct(u.quantiles[i].value);
                row.push(Cell::Text(format!("{} ({}-{})", q(1), q(0), q(2))));
            }
            t.row(row);
        }
        // The group's row, unless the group is its one member.
        if self.members.len() > 1 {
            let g = &self.cumulative[self.members.len()];
            let mut row = vec![
                Cell::Text(self.group.clone()),
                Cell::Number(g.quantiles[1].value),
                Cell::Number(g.quantiles[0].value),
                Cell::Number(g.quantiles[2].value),
            ];
            row.resize(header.len(), Cell::Empty);
            t.row(row);
        }
        t.note(format!(
            "P50, P5, P95: cumulative absorption shortfall in {} over the run, counted before stockpile \
             release (dynamic engine, docs/model.md §5.5); constrained: a producer's \
             inventory below ψ of its target, so its output is cut, with {} days of cover \
             left (CI: 95% interval); empty: below 1% of its target; week: the median given \
             it happens; recovers: below 1% of baseline for {RECOVERED_FOR} steps after a \
             shortfall, within the run; week = (step + 1) x {} weeks; docs/model.md §5.10",
            self.unit,
            number(self.cover_left_days),
            number(weeks)
        ));
        if let Some(c) = self.stoppage_cover_days {
            t.note(format!(
                "stop: a firm holding {} days of the product stops when its region's \
                 receipts have fallen short by that cover; stop week: P50 (P5-P95) given \
                 it happens (docs/model.md §5.5)",
                number(c)
            ));
        }
        if firms {
            t.note(
                "5% of firms stop: the first step by which firms holding 5% of the region's \
                 use of the product have stopped, firms differing in cover and in the share \
                 they buy from the origins; week: P50 (P5-P95) given it happens; use in firms \
                 that stop: P50 (P5-P95) within the run (docs/model.md §5.5)",
            );
        }
        for w in &self.warnings {
            t.note(format!("warning: {w}"));
        }
        let mut f = Table::new(
            format!(
                "{} shortfall of {} per step (fan chart)",
                self.group, self.product
            ),
            &["step", "mean", "P5", "P50", "P95"],
        );
        let every = (self.steps / 13).max(1);
        for s in self.fan.iter().step_by(every) {
            f.row(vec![
                Cell::Text(s.step.to_string()),
                Cell::Number(s.mean),
                Cell::Number(s.p05),
                Cell::Number(s.p50),
                Cell::Number(s.p95),
            ]);
        }
        vec![t, f]
    }
}

displayed_as_report!(PathResults);
