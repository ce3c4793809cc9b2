//! The Monte Carlo front door, generic over the engine: a scenario's draws through the
//! static cascade or the dynamic engine, its chosen outcomes (the same [`OutcomeSpec`]s
//! for both, read through the [`Shortfalls`](crate::engine::Shortfalls) view), the
//! stopping rule, network variants, progress and streaming; results are statistics per
//! outcome and rank sensitivities, shown as tables and written as JSON or CSV.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::design::{Design, Sampler};
use super::driver::simulate_range;
use super::outcomes::{resolve_all, OutcomeSpec};
use super::sensitivity::{pearson, prcc_of_ranks, ranks, Sensitivity};
use super::statistics::{censored, summarise_with, Censored, Summary};
use super::{Progress, Settings, Simulation, StopRule};
use crate::engine::{Dynamic, DynamicSettings, Engine, Shortfalls, StaticCascade};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::report::{displayed_as_report, Cell, Report, Table};
use crate::scenario::{Realization, ScenarioSpec};

/// The results of a run: what was run, statistics per outcome, sensitivities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McResults {
    /// Scenario name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// Draws.
    pub draws: u64,
    /// Threads used (results do not depend on it).
    pub threads: usize,
    /// The horizon as specified (a number or a distribution), years.
    pub horizon: String,
    /// Which engine ran, and what its figures count
    /// ([`STATIC_DEFINITION`](crate::engine::STATIC_DEFINITION) or
    /// [`DYNAMIC_DEFINITION`](crate::engine::DYNAMIC_DEFINITION)).
    pub engine: String,
    /// One summary per outcome (over the run, or per step), in the order asked.
    pub outcomes: Vec<Summary>,
    /// One entry per event in time (censored: its probability within the run and its step
    /// given it happens), in the order asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Censored>,
    /// One entry per (uncertain parameter, outcome).
    pub sensitivity: Vec<Sensitivity>,
    /// What the run did that is probably not what was meant (a restriction that cuts no
    /// flow of the network).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The raw draws (not serialised).
    #[serde(skip)]
    pub simulation: Simulation,
}

/// Runs a scenario through the static cascade: `settings.draws` draws, the chosen outcomes
/// (or the defaults of [`OutcomeSpec::defaults`]), statistics and sensitivities.
///
/// ```
/// use shortfall::montecarlo::run;
/// use shortfall::runs::ScenarioFile;
/// let file = ScenarioFile::from_toml(r#"
///     [scenario]
///     horizon = 0.25
///     [[scenario.restrictions]]
///     exporters = ["CN"]
///     products = ["magnet"]
///     targets = { list = ["US"] }
///     severity = { uniform = { low = 0.5, high = 1.0 } }
///     [monte_carlo]
///     draws = 2000
/// "#, "inline.toml")?;
/// let net = shortfall::network::toy_chain();
/// let results = run(&net, &file.scenario, &file.monte_carlo, None)?;
/// let magnets = &results.outcomes[1];           // US final-use share of magnets
/// assert!(magnets.mean > 0.0 && magnets.max <= 34.0 / 42.0 / 4.0 + 1e-12);
/// assert_eq!(results.sensitivity[1].parameter, "restrictions[0].severity");
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// Every error of the scenario, the outcomes and the engine.
pub fn run(
    net: &Network,
    spec: &ScenarioSpec,
    settings: &Settings,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<McResults> {
    run_variants(std::slice::from_ref(net), spec, settings, progress)
}

/// The static cascade on one of several network variants per draw: structural
/// alternatives built once before the run (docs/model.md §3.2), chosen by the scenario's
/// `perturbation.variant` (an index into `nets`, typically a `choice`). Outcomes are
/// resolved by code in each variant.
///
/// # Errors
/// Every error of [`run`], and [`Error::InvalidField`] when a draw's variant is not an
/// index into `nets`.
pub fn run_variants(
    nets: &[Network],
    spec: &ScenarioSpec,
    settings: &Settings,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<McResults> {
    run_with(nets, spec, settings, &EngineChoice::Static, progress)
}

/// The engine a Monte Carlo run uses.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineChoice {
    /// The static cascade (docs/model.md §4).
    Static,
    /// The dynamic engine with these settings (docs/model.md §5).
    Dynamic(DynamicSettings),
}

/// The Monte Carlo front door: `settings.draws` draws of `spec` on `nets` (one network,
/// or variants chosen per draw by `perturbation.variant`) through the chosen engine, with
/// the chosen outcomes (or the defaults of [`OutcomeSpec::defaults`]), the stopping rule,
/// streaming, statistics and sensitivities (docs/model.md §6). Both engines' outcomes are
/// read through the same view ([`Shortfalls`]); the results say which engine ran and what
/// its figures count.
///
/// ```
/// use shortfall::engine::DynamicSettings;
/// use shortfall::montecarlo::{run_with, EngineChoice};
/// use shortfall::runs::ScenarioFile;
/// let file = ScenarioFile::from_toml(r#"
///     [scenario]
///     horizon = 0.25
///     [[scenario.restrictions]]
///     exporters = ["CN"]
///     products = ["magnet"]
///     targets = { list = ["US"] }
///     severity = { uniform = { low = 0.5, high = 1.0 } }
///     [monte_carlo]
///     draws = 200
/// "#, "inline.toml")?;
/// let net = shortfall::network::toy_chain();
/// let dynamic = EngineChoice::Dynamic(DynamicSettings::default());
/// let results = run_with(&[net], &file.scenario, &file.monte_carlo, &dynamic, None)?;
/// assert!(results.engine.starts_with("dynamic engine"));
/// assert!(results.outcomes[0].mean > 0.0);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// Every error of the settings, the scenario, the outcomes and the engine (the dynamic
/// engine refuses fields it does not model by name, docs/model.md §5.8), and
/// [`Error::InvalidField`] when a draw's variant is not an index into `nets`.
pub fn run_with(
    nets: &[Network],
    spec: &ScenarioSpec,
    settings: &Settings,
    engine: &EngineChoice,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<McResults> {
    match engine {
        EngineChoice::Static => run_on(nets, spec, settings, StaticCascade::new, progress),
        EngineChoice::Dynamic(d) => run_on(
            nets,
            spec,
            settings,
            |net, median| Dynamic::new(net, median, d.clone()),
            progress,
        ),
    }
}

/// The front door for any engine, yours included (docs/architecture.md, "Add an engine"):
/// [`run_with`] with an engine `build` makes per network from the scenario's median. The
/// engine's outcome answers the [`Shortfalls`] view (and [`Timing`](crate::engine::Timing)
/// for outcome kinds in time).
///
/// # Errors
/// Every error of [`run_with`], and of `build`.
pub fn run_on<E: Engine<Outcome: Shortfalls>>(
    nets: &[Network],
    spec: &ScenarioSpec,
    settings: &Settings,
    build: impl Fn(&Network, &Realization) -> Result<E>,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<McResults> {
    settings.validate("settings")?;
    let Some(net) = nets.first() else {
        return Err(Error::NothingToRun("no network to run on".into()));
    };
    // The scenario first: its own errors (an unknown bloc in a restriction) are named
    // there, not in the default outcomes built from it.
    let slots = spec.validate()?;
    let median = spec.median();
    let engines = nets
        .iter()
        .map(|n| build(n, &median))
        .collect::<Result<Vec<_>>>()?;
    let specs = if settings.outcomes.is_empty() {
        OutcomeSpec::defaults(net, spec)
    } else {
        settings.outcomes.clone()
    };
    if specs.is_empty() {
        return Err(Error::NothingToRun(
            "no outcomes: name some in monte_carlo.outcomes (the defaults need a restriction)"
                .into(),
        ));
    }
    let engine = Variants { nets, engines };
    // Outcomes are resolved against each variant, and against the engine's view of time
    // (a measure in time is refused by name on the static cascade).
    let sample = engine.workspace(net);
    let definition = engine.outcome(&sample).definition();
    let resolved = (nets.iter().enumerate())
        .map(|(i, n)| resolve_all(n, &specs, engine.engines[i].outcome(&sample.1[i]).timing()))
        .collect::<Result<Vec<_>>>()?;
    drop(sample);
    let outcomes = &resolved[0];
    // Events (censored) need every draw, and the stopping rule reads the others.
    let continuous: Vec<usize> = (0..outcomes.len())
        .filter(|&k| !outcomes[k].is_event())
        .collect();
    if settings.streaming && continuous.len() < outcomes.len() {
        return Err(Error::field(
            "settings",
            "monte_carlo.streaming",
            "events in time (input_constrained, inventory_empty, stock_out, recovery, first_stoppage) need every draw: \
             run them in exact mode",
        ));
    }
    let extract = |ws: &<Variants<'_, E> as Engine>::Workspace, out: &mut [f64]| {
        let o = engine.outcome(ws);
        for (r, x) in resolved[ws.0].iter().zip(out.iter_mut()) {
            *x = r.value(o);
        }
    };
    let run_batch = |sampler: &Sampler, range| {
        let parts = (slots.as_slice(), sampler);
        let n = outcomes.len();
        simulate_range(
            net, &engine, spec, parts, range, n, &extract, settings, progress,
        )
    };
    let sim = match &settings.stop {
        None => run_batch(&Sampler::new(&slots, settings)?, (0, settings.draws))?,
        Some(stop) => stopping(settings, stop, &slots, &continuous, run_batch)?,
    };
    // Statistics in a local pool of the same size as the draws'.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(sim.threads)
        .build()
        .map_err(|e| Error::ThreadPool(e.to_string()))?;
    let (summaries, events, sensitivity) =
        pool.install(|| statistics(&sim, outcomes, &continuous, settings));
    Ok(McResults {
        scenario: spec.name.clone(),
        seed: sim.seed,
        draws: sim.draws,
        threads: sim.threads,
        horizon: match &spec.horizon {
            crate::scenario::Param::Fixed(h) => format!("{h}"),
            crate::scenario::Param::Dist(d) => d.to_string(),
        },
        engine: definition.into(),
        outcomes: summaries,
        events,
        sensitivity,
        warnings: engine.engines[0].warnings().to_vec(),
        simulation: sim,
    })
}

/// An engine over network variants: each draw runs on the variant its
/// `perturbation.variant` names (the first when it names none).
struct Variants<'a, E> {
    nets: &'a [Network],
    engines: Vec<E>,
}

impl<E: Engine> Engine for Variants<'_, E> {
    type Workspace = (usize, Vec<E::Workspace>);
    type Outcome = E::Outcome;

    fn workspace(&self, _: &Network) -> Self::Workspace {
        let ws = self
            .engines
            .iter()
            .zip(self.nets)
            .map(|(e, n)| e.workspace(n))
            .collect();
        (0, ws)
    }

    fn outcome<'w>(&self, ws: &'w Self::Workspace) -> &'w E::Outcome {
        self.engines[ws.0].outcome(&ws.1[ws.0])
    }

    fn run(&self, _: &Network, r: &Realization, ws: &mut Self::Workspace) -> Result<()> {
        let Some(v) = r.perturbation.variant else {
            ws.0 = 0;
            return self.engines[0].run(&self.nets[0], r, &mut ws.1[0]);
        };
        let i = v.round() as usize;
        if v.fract() != 0.0 || i >= self.nets.len() {
            return Err(Error::field(
                "scenario",
                "perturbation.variant",
                format!(
                    "{v} is not the index of one of the {} network variants",
                    self.nets.len()
                ),
            ));
        }
        ws.0 = i;
        self.engines[i].run(&self.nets[i], r, &mut ws.1[i])
    }
}

/// Runs batches until every outcome's relative standard error is at most the target
/// (docs/model.md §6.7): plain sampling in batches of `stop.batch` draws, Sobol' doubling
/// the points of every replicate; refused with Latin hypercube (a hypercube cannot be
/// extended).
fn stopping(
    settings: &Settings,
    stop: &StopRule,
    slots: &[crate::scenario::ParamSlot],
    continuous: &[usize],
    mut run_batch: impl FnMut(&Sampler, (u64, u64)) -> Result<Simulation>,
) -> Result<Simulation> {
    let invalid = |reason: String| Error::field("settings", "monte_carlo.stop", reason);
    if stop.relative_se.is_nan()
        || stop.relative_se <= 0.0
        || stop.max_draws == 0
        || stop.batch == 0
    {
        return Err(invalid(
            "relative_se, batch and max_draws must be positive".into(),
        ));
    }
    let reps = settings.replicates.unwrap_or(match settings.design {
        Design::Plain => 1,
        _ => 10,
    }) as u64;
    let first =
        match settings.design {
            Design::LatinHypercube => return Err(invalid(
                "a Latin hypercube cannot be extended: use plain or Sobol' with a stopping rule"
                    .into(),
            )),
            Design::Sobol => {
                if reps == 0
                    || !settings.draws.is_multiple_of(reps)
                    || !(settings.draws / reps).is_power_of_two()
                {
                    return Err(invalid(format!(
                        "Sobol' stops only at powers of two: draws / replicates = {} / {reps} \
                     must be a power of two",
                        settings.draws
                    )));
                }
                settings.draws
            }
            Design::Plain => stop.batch.min(stop.max_draws),
        };
    // The sampler is sized for the most draws the rule may reach (Sobol' limits).
    let sized = Settings {
        draws: stop.max_draws.max(first) / reps * reps,
        ..settings.clone()
    };
    let sampler = Sampler::new(slots, &sized)?;
    let mut sim = run_batch(&sampler, (0, first))?;
    loop {
        let done = sim.draws;
        // A standard error from a handful of draws says nothing (from one it is 0): the
        // rule may stop only from `STOP_LEAST` draws on.
        let precise = done >= STOP_LEAST
            && continuous.iter().all(|&k| {
                let m = &sim.moments[k];
                let se = if reps > 1 {
                    let means = sim.replicate_means(k);
                    let mean = means.iter().sum::<f64>() / reps as f64;
                    (means.iter().map(|x| (x - mean).powi(2)).sum::<f64>()
                        / ((reps - 1) as f64 * reps as f64))
                        .sqrt()
                } else {
                    m.sd() / (m.count as f64).sqrt()
                };
                se <= stop.relative_se * m.mean.abs()
            });
        let next = match settings.design {
            Design::Sobol => done * 2,
            _ => done + stop.batch,
        };
        if precise || next > stop.max_draws {
            return Ok(sim);
        }
        sim.extend(run_batch(&sampler, (done, next))?);
    }
}

/// The fewest draws after which the stopping rule may stop (docs/model.md §6.7).
pub const STOP_LEAST: u64 = 100;

/// Summaries and (exact mode) sensitivities of every outcome, in parallel across outcomes.
fn statistics(
    sim: &Simulation,
    outcomes: &[super::outcomes::Resolved],
    continuous: &[usize],
    settings: &Settings,
) -> (Vec<Summary>, Vec<Censored>, Vec<Sensitivity>) {
    let mut all: Vec<Vec<f64>> = if sim.is_exact() {
        (0..outcomes.len())
            .map(|k| sim.outcome(k).collect())
            .collect()
    } else {
        Vec::new()
    };
    // Events: the probability within the run and the step given it happens.
    let events: Vec<Censored> = (0..outcomes.len())
        .filter(|k| !continuous.contains(k))
        .map(|k| {
            let o = &outcomes[k];
            censored(&o.name, &o.unit, &all[k], &settings.statistics)
        })
        .collect();
    // The other outcomes' columns, moved out in order.
    let columns: Vec<Vec<f64>> = if sim.is_exact() {
        continuous
            .iter()
            .map(|&k| std::mem::take(&mut all[k]))
            .collect()
    } else {
        Vec::new()
    };
    let outcomes: Vec<&super::outcomes::Resolved> =
        continuous.iter().map(|&k| &outcomes[k]).collect();
    let summaries: Vec<Summary> = (0..continuous.len())
        .into_par_iter()
        .map(|j| {
            let (k, o) = (continuous[j], outcomes[j]);
            let means = if sim.replicates > 1 {
                sim.replicate_means(k)
            } else {
                Vec::new()
            };
            summarise_with(
                &o.name,
                &o.unit,
                &sim.moments[k],
                columns.get(j).map(Vec::as_slice),
                sim.sketches.as_ref().map(|s| &s[k]),
                &means,
                &settings.statistics,
            )
        })
        .collect();
    if !sim.is_exact() {
        return (summaries, events, Vec::new());
    }
    let params: Vec<Vec<f64>> = (0..sim.params.len())
        .map(|j| sim.param(j).collect())
        .collect();
    // Each column is ranked once; Spearman is the Pearson correlation of ranks.
    let param_ranks: Vec<Vec<f64>> = params.par_iter().map(|p| ranks(p)).collect();
    let sensitivity: Vec<Sensitivity> = columns
        .par_iter()
        .zip(outcomes)
        .flat_map_iter(|(col, o)| {
            let ranked = ranks(col);
            let partial = prcc_of_ranks(&param_ranks, &ranked);
            let param_ranks = &param_ranks;
            sim.params
                .iter()
                .enumerate()
                .map(move |(j, path)| Sensitivity {
                    parameter: path.to_string(),
                    outcome: o.name.clone(),
                    spearman: pearson(&param_ranks[j], &ranked),
                    prcc: partial[j],
                })
        })
        .collect();
    (summaries, events, sensitivity)
}

impl McResults {
    /// Writes the results atomically: `.json` (everything but the raw draws) or `.csv`
    /// (the summary table).
    ///
    /// # Errors
    /// [`Error::Io`], and [`Error::WrongExtension`] for another extension.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::report::write(self, path.as_ref())
    }
}

impl Report for McResults {
    fn tables(&self) -> Vec<Table> {
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        let mut columns = vec![
            "outcome".to_string(),
            "unit".into(),
            "mean".into(),
            "± se".into(),
        ];
        if let Some(first) = self.outcomes.first() {
            for q in &first.quantiles {
                columns.push(crate::report::percentile_label(q.p));
            }
            columns.push(format!("CVaR {}", pct(first.cvar.level)));
        }
        let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut t = Table::new(
            format!(
                "{}: {} draws, seed {}, horizon {} (years), {}",
                if self.scenario.is_empty() {
                    "Scenario"
                } else {
                    &self.scenario
                },
                self.draws,
                self.seed,
                self.horizon,
                // The engine's name: its definition up to the colon.
                self.engine.split(':').next().unwrap_or_default()
            ),
            &headers,
        );
        for s in &self.outcomes {
            let share = s.unit.starts_with("share");
            let cell = |v: f64| {
                if share {
                    Cell::Share(v)
                } else {
                    Cell::Number(v)
                }
            };
            let mut row = vec![
                Cell::Text(s.name.clone()),
                Cell::Text(s.unit.clone()),
                cell(s.mean),
                Cell::Number(s.se),
            ];
            row.extend(s.quantiles.iter().map(|q| cell(q.value)));
            row.push(cell(s.cvar.value));
            t.row(row);
        }
        t.note(format!(
            "quantiles are x_(ceil(n p)); intervals in the JSON output; {} thread(s), results \
             identical for any thread count",
            self.threads
        ));
        t.note(&self.engine);
        for w in &self.warnings {
            t.note(format!("warning: {w}"));
        }
        if self.draws < 2 {
            t.note("one draw: no standard error, and no interval (null in the JSON output)");
        }
        if let Some(s) = self.outcomes.first() {
            if s.replicates > 1 {
                t.note(format!(
                    "standard errors from {} independent replicates",
                    s.replicates
                ));
            }
            if s.sketched {
                t.note(format!(
                    "streaming mode: quantiles and CVaR from a sketch within {}% of the exact \
                     values; no sensitivities",
                    super::SKETCH_ACCURACY * 100.0
                ));
            }
        }
        let mut tables = vec![t];
        // Events in time: the probability within the run, the step given it happens.
        if !self.events.is_empty() {
            let mut e = Table::new(
                "Events in time: the probability within the run, and the step given it happens",
                &[
                    "event",
                    "unit",
                    "P(event)",
                    "95% interval",
                    "P50",
                    "P5",
                    "P95",
                ],
            );
            for c in &self.events {
                let q = |i: usize| {
                    c.given
                        .as_ref()
                        .and_then(|g| g.quantiles.get(i))
                        .map_or(Cell::Empty, |q| Cell::Number(q.value))
                };
                let level = |p: f64| {
                    (c.given.as_ref())
                        .and_then(|g| g.quantiles.iter().position(|q| q.p == p))
                        .map_or(Cell::Empty, q)
                };
                let pct = |v: f64| format!("{:.1}%", 100.0 * v);
                e.row(vec![
                    Cell::Text(c.name.clone()),
                    Cell::Text(c.given.as_ref().map_or(String::new(), |g| g.unit.clone())),
                    Cell::Share(c.probability),
                    Cell::Text(format!("{}-{}", pct(c.ci.0), pct(c.ci.1))),
                    level(0.5),
                    level(0.05),
                    level(0.95),
                ]);
            }
            e.note(
                "steps count from 0 (step t ends t + 1 steps after the start); quantiles of the \
                 step among the draws in which the event happens (docs/model.md §5.5); the \
                 earliest member for a group",
            );
            tables.push(e);
        }
        // Exceedance probabilities, when the settings ask for thresholds.
        if self.outcomes.iter().any(|o| !o.exceedance.is_empty()) {
            let mut e = Table::new(
                "Exceedance: the probability that an outcome is above each threshold",
                &["outcome", "threshold", "P(above)", "95% interval"],
            );
            for o in &self.outcomes {
                let share = o.unit.starts_with("share");
                for x in &o.exceedance {
                    let pct = |v: f64| format!("{:.1}%", 100.0 * v);
                    e.row(vec![
                        Cell::Text(o.name.clone()),
                        if share {
                            Cell::Share(x.threshold)
                        } else {
                            Cell::Number(x.threshold)
                        },
                        Cell::Share(x.probability),
                        Cell::Text(format!("{}-{}", pct(x.ci.0), pct(x.ci.1))),
                    ]);
                }
            }
            e.note("interval: Wilson score; thresholds in each outcome's unit");
            tables.push(e);
        }
        let mut s = Table::new(
            "Sensitivity: rank correlation of each uncertain parameter with each outcome",
            &["outcome", "parameter", "Spearman", "PRCC"],
        );
        for x in &self.sensitivity {
            let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
            s.row(vec![
                Cell::Text(x.outcome.clone()),
                Cell::Text(x.parameter.clone()),
                num(x.spearman),
                num(x.prcc),
            ]);
        }
        tables.push(s);
        tables
    }
}

displayed_as_report!(McResults);
