//! A Monte Carlo run of the static cascade and its results: statistics per outcome and
//! rank sensitivities, shown as tables and written as JSON or CSV.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::outcomes::{resolve_all, OutcomeSpec};
use super::sensitivity::{pearson, prcc_of_ranks, ranks, Sensitivity};
use super::statistics::{summarise, Summary};
use super::{simulate, Progress, Settings, Simulation};
use crate::data::write_atomic;
use crate::engine::{Engine, StaticCascade};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::report::{displayed_as_report, Cell, Report, Table};
use crate::scenario::ScenarioSpec;

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
    /// One summary per outcome.
    pub outcomes: Vec<Summary>,
    /// One entry per (uncertain parameter, outcome).
    pub sensitivity: Vec<Sensitivity>,
    /// The raw draws (not serialised).
    #[serde(skip)]
    pub simulation: Simulation,
}

/// Runs a scenario through the static cascade: `settings.draws` draws, the chosen outcomes
/// (or the defaults of [`OutcomeSpec::defaults`]), statistics and sensitivities.
///
/// ```
/// use shortfall::montecarlo::run;
/// use shortfall::scenario::ScenarioFile;
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
    let specs = if settings.outcomes.is_empty() {
        OutcomeSpec::defaults(net, spec)
    } else {
        settings.outcomes.clone()
    };
    if specs.is_empty() {
        return Err(Error::InvalidArgument(
            "no outcomes: name some in monte_carlo.outcomes (the defaults need a restriction)"
                .into(),
        ));
    }
    let outcomes = resolve_all(net, &specs)?;
    spec.validate()?;
    let engine = StaticCascade::new(net, &spec.median())?;
    let extract = |ws: &<StaticCascade as Engine>::Workspace, out: &mut [f64]| {
        for (o, v) in outcomes.iter().zip(out.iter_mut()) {
            *v = o.value(ws.outcome());
        }
    };
    let sim = simulate(
        net,
        &engine,
        spec,
        outcomes.len(),
        extract,
        settings,
        progress,
    )?;
    // Statistics in a local pool of the same size as the draws'.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(sim.threads)
        .build()
        .map_err(|e| Error::InvalidArgument(format!("thread pool: {e}")))?;
    let (summaries, sensitivity) = pool.install(|| statistics(&sim, &outcomes, settings));
    Ok(McResults {
        scenario: spec.name.clone(),
        seed: sim.seed,
        draws: sim.draws,
        threads: sim.threads,
        horizon: match &spec.horizon {
            crate::scenario::Param::Fixed(h) => format!("{h}"),
            crate::scenario::Param::Dist(d) => serde_json::to_string(d).unwrap_or_default(),
        },
        outcomes: summaries,
        sensitivity,
        simulation: sim,
    })
}

/// Summaries and sensitivities of every outcome, in parallel across outcomes.
fn statistics(
    sim: &Simulation,
    outcomes: &[super::outcomes::Resolved],
    settings: &Settings,
) -> (Vec<Summary>, Vec<Sensitivity>) {
    let columns: Vec<Vec<f64>> = (0..outcomes.len())
        .map(|k| sim.outcome(k).collect())
        .collect();
    let params: Vec<Vec<f64>> = (0..sim.params.len())
        .map(|j| sim.param(j).collect())
        .collect();
    let summaries: Vec<Summary> = columns
        .par_iter()
        .zip(outcomes)
        .map(|(col, o)| summarise(&o.name, &o.unit, col, &settings.statistics))
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
    (summaries, sensitivity)
}

impl McResults {
    /// Writes the results atomically: `.json` (everything but the raw draws) or `.csv`
    /// (the summary table).
    ///
    /// # Errors
    /// [`Error::Io`], and [`Error::InvalidArgument`] for another extension.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(self).map_err(|e| Error::Json {
                file: path.display().to_string(),
                path: String::new(),
                message: e.to_string(),
            })?,
            Some("csv") => self.tables()[0].to_csv()?,
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "{}: results are written as .json or .csv",
                    path.display()
                )))
            }
        };
        write_atomic(path, text.as_bytes())
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
                columns.push(format!("P{}", (q.p * 100.0).round()));
            }
            columns.push(format!("CVaR {}", pct(first.cvar.level)));
        }
        let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut t = Table::new(
            format!(
                "{}: {} draws, seed {}, horizon {} y",
                if self.scenario.is_empty() {
                    "Scenario"
                } else {
                    &self.scenario
                },
                self.draws,
                self.seed,
                self.horizon
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
        vec![t, s]
    }
}

displayed_as_report!(McResults);
