//! History: named scenarios held against the record (docs/validation.md): a scenario file's
//! `[[observed]]` figures, each with its source and whether it calibrated the scenario or
//! validates it, beside the simulated median and 90% interval, inside or outside.

use serde::{Deserialize, Serialize};

use super::ScenarioFile;
use super::{price_paths, PricePaths};
use crate::error::{Error, Result};
use crate::montecarlo::{run_paths, PathResults};
use crate::report::{displayed_as_report, number, Cell, Report, Table};
use crate::scenario::ScenarioSpec;

/// Whether an observed figure was used to set the scenario or is held out to test it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sample {
    /// In sample: the scenario's parameters were fitted to it.
    Calibration,
    /// From the calibration period but left out of the fit.
    NotFitted,
    /// From the calibrated series, after the fitted months, used for nothing else: a test
    /// of the fitted profile (declared before the run).
    HeldOut,
    /// The figures another named scenario tests, held against an alternative hypothesis:
    /// reported beside it, not counted again in the validation table.
    Alternative,
    /// Out of sample: declared before the run, used for nothing else.
    Validation,
    /// Compared, but the scenario's judgement-set parameters were chosen with it known:
    /// neither a fit nor a test.
    Illustration,
}

/// What the model gives for an observed figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Observable {
    /// Weeks from the run's start to the end of the step at which a low-cover firm of the
    /// region stops (`[paths] stoppage_cover_days`; docs/model.md §5.5).
    FirstStoppageWeeks {
        /// Region code, a member of `[paths] group`.
        region: String,
    },
    /// Weeks from the run's start to the end of the step by which firms holding 5% of the
    /// region's use have stopped (the scenario's `firms`; docs/model.md §5.5).
    FirmStoppageWeeks {
        /// Region code, a member of `[paths] group`.
        region: String,
    },
    /// A product's price in one market at a step, relative to its baseline: the market
    /// step in time (docs/model.md §7.5), P5-P95 over draws of `runs::price_paths` (the
    /// scenario needs a market step, from its values file).
    Price {
        /// `rest`, `bloc` or `origin` (docs/model.md §7.1).
        market: crate::engine::MarketId,
        /// The product.
        product: String,
        /// The step, from 0.
        step: usize,
    },
    /// Weeks from the run's start to the end of the first step at which a producer of the
    /// region is input-constrained on the `[paths]` product: its inventory below `ψ` of its
    /// target, so its output is cut (docs/model.md §5.5).
    ConstrainedWeeks {
        /// Region code, a member of `[paths] group`.
        region: String,
    },
    /// The group's absorption shortfall of the product in a step, as a share of its
    /// baseline absorption per step.
    StepShortfall {
        /// The step, from 0.
        step: usize,
    },
    /// A restriction's mean cut `σ(t)·(1 - λ(t))` over days `[from, to]` after its start
    /// (docs/model.md §3.3), at the 5%, 50% and 95% quantiles of severity (and the 95%,
    /// 50%, 5% of leakage).
    Cut {
        /// Index of the restriction.
        restriction: usize,
        /// Days after the restriction's start, `[from, to]`.
        days: (f64, f64),
    },
}

/// One observed figure of a scenario file's `[[observed]]` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// What was observed, with its source.
    pub what: String,
    /// Calibration or validation.
    pub sample: Sample,
    /// How the model measures it.
    pub measure: Observable,
    /// The observed value, or the window it lies in, `[low, high]`.
    pub observed: (f64, f64),
    /// Figures whose simulated values share their draws closely (the same mechanism in one
    /// run) name one group and count once in the coverage test (docs/validation.md);
    /// absent: a group of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// An observed figure beside the simulated one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The observation.
    pub observed: Observed,
    /// Simulated 5%, 50% and 95% quantiles; `None` where the event happens after the run.
    pub simulated: [Option<f64>; 3],
    /// Whether the observed window overlaps the simulated 90% interval.
    pub inside: bool,
}

/// A named scenario's run in time and its comparisons with the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedRun {
    /// The dynamic Monte Carlo results.
    pub paths: PathResults,
    /// Each observed figure beside the simulated one.
    pub comparisons: Vec<Comparison>,
}

/// Runs a named scenario file: its `scenario` on its `dataset`, through the dynamic engine
/// with its `[dynamic]` settings, reporting its `[paths]` and comparing its
/// `[[observed]]` figures.
///
/// ```
/// use shortfall::runs::ScenarioFile;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/japan_2010.toml");
/// let mut file = ScenarioFile::read(path)?;
/// file.monte_carlo.draws = 100;
/// let run = shortfall::runs::run_named(&file)?;
/// assert_eq!(run.comparisons.len(), file.observed.len());
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidField`] when `[paths]` is missing or an observation names a region
/// outside the group, a missing restriction or step, or a first stoppage without
/// `stoppage_cover_days`; every error of [`run_paths`].
pub fn run_named(file: &ScenarioFile) -> Result<NamedRun> {
    let data = file.data()?;
    let paths = file
        .paths
        .as_ref()
        .ok_or_else(|| invalid("paths", "a named run needs a [paths] table".into()))?;
    let dynamic = file.dynamic.clone().unwrap_or_default();
    // The engine prices, it does not value: a values file's prices and final goods are set
    // aside for the run in time, as `price_paths` does (docs/model.md §7.5).
    let mut spec = file.scenario.clone();
    spec.prices.clear();
    spec.final_goods.clear();
    let results = run_paths(&data.network, &spec, &dynamic, &file.monte_carlo, paths)?;
    // Price paths, one Monte Carlo run per product observed (the same draws and seed).
    let mut prices: Vec<PricePaths> = Vec::new();
    for o in &file.observed {
        if let Observable::Price { product, .. } = &o.measure {
            if !prices.iter().any(|p| &p.product == product) {
                let p = price_paths(
                    &data.network,
                    &file.scenario,
                    &file.monte_carlo,
                    dynamic.clone(),
                    product,
                )?;
                prices.push(p);
            }
        }
    }
    let comparisons = file
        .observed
        .iter()
        .enumerate()
        .map(|(i, o)| compare(i, o, &file.scenario, &results, &prices))
        .collect::<Result<_>>()?;
    Ok(NamedRun {
        paths: results,
        comparisons,
    })
}

fn invalid(field: &str, reason: String) -> Error {
    Error::field("scenario file", field, reason)
}

fn compare(
    i: usize,
    o: &Observed,
    spec: &ScenarioSpec,
    r: &PathResults,
    prices: &[PricePaths],
) -> Result<Comparison> {
    let field = |f: &str| format!("observed[{i}].measure.{f}");
    let simulated =
        match &o.measure {
            Observable::FirstStoppageWeeks { region }
            | Observable::FirmStoppageWeeks { region }
            | Observable::ConstrainedWeeks { region } => {
                let j = r.members.iter().position(|m| m == region).ok_or_else(|| {
                    invalid(&field("region"), format!("`{region}` is not in the group"))
                })?;
                let (events, need) = match &o.measure {
                    Observable::FirstStoppageWeeks { .. } => (
                        &r.first_stoppage,
                        "a first stoppage needs [paths] stoppage_cover_days",
                    ),
                    Observable::ConstrainedWeeks { .. } => (&r.input_constrained, "no member"),
                    _ => (
                        &r.firm_stoppage,
                        "a firms' stoppage needs the scenario's `firms` for the [paths] product",
                    ),
                };
                let c = events
                    .get(j)
                    .ok_or_else(|| invalid(&field("region"), need.into()))?;
                let weeks = r.step_days / 7.0;
                let q = |p: usize| c.unconditional[p].1.map(|step| (step + 1.0) * weeks);
                [q(0), q(1), q(2)]
            }
            Observable::Price {
                market,
                product,
                step,
            } => {
                let paths = (prices.iter())
                    .find(|p| &p.product == product)
                    .ok_or_else(|| {
                        invalid(&field("product"), format!("no price path of `{product}`"))
                    })?;
                let band = paths.path(*market).get(*step).ok_or_else(|| {
                    invalid(&field("step"), format!("the run has {} steps", r.steps))
                })?;
                [Some(band[0]), Some(band[1]), Some(band[2])]
            }
            Observable::StepShortfall { step } => {
                let s = r.fan.get(*step).ok_or_else(|| {
                    invalid(&field("step"), format!("the run has {} steps", r.steps))
                })?;
                let share = |v: f64| Some(v / r.baseline_per_step);
                [share(s.p05), share(s.p50), share(s.p95)]
            }
            Observable::Cut { restriction, days } => {
                spec.restrictions.get(*restriction).ok_or_else(|| {
                    invalid(
                        &field("restriction"),
                        format!("the scenario has {} restrictions", spec.restrictions.len()),
                    )
                })?;
                // The cut in every draw, from the draw's severity, leakage and timing.
                let mut cuts = cuts_per_draw(spec, r, *restriction, *days);
                cuts.sort_by(f64::total_cmp);
                let q = |p: f64| {
                    let n = cuts.len();
                    (n > 0).then(|| cuts[((p * (n - 1) as f64).round() as usize).min(n - 1)])
                };
                [q(0.05), q(0.5), q(0.95)]
            }
        };
    let (low, high) = o.observed;
    // A missing quantile is an event after the run: beyond every observed date.
    let inside = simulated[0].is_some_and(|a| a <= high) && simulated[2].is_none_or(|b| b >= low);
    Ok(Comparison {
        observed: o.clone(),
        simulated,
        inside,
    })
}

/// A restriction's mean cut over `days` after its start in each draw of `r`: the median
/// scenario with the draw's values of the restriction's uncertain fields.
fn cuts_per_draw(
    spec: &ScenarioSpec,
    r: &PathResults,
    restriction: usize,
    days: (f64, f64),
) -> Vec<f64> {
    use crate::scenario::FieldPath;
    let median = spec.median().restrictions[restriction].clone();
    let k = r.params.len();
    let column = |path: FieldPath| r.params.iter().position(|&p| p == path);
    let (severity, leakage, timing) = (
        column(FieldPath::Severity(restriction)),
        column(FieldPath::Leakage(restriction)),
        column(FieldPath::Timing(restriction)),
    );
    (0..r.draws as usize)
        .map(|d| {
            let row = &r.param_values[d * k..(d + 1) * k];
            let mut at = median.clone();
            if let Some(j) = severity {
                at.severity = row[j];
            }
            if let Some(j) = leakage {
                at.leakage = row[j];
            }
            if let Some(j) = timing {
                at.timing = Some(row[j]);
            }
            at.cut(days.0 / 365.0, days.1 / 365.0)
        })
        .collect()
}

impl Report for NamedRun {
    fn tables(&self) -> Vec<Table> {
        let mut tables = self.paths.tables();
        if self.comparisons.is_empty() {
            return tables;
        }
        let mut t = Table::new(
            format!("{}: held against the record", self.paths.scenario),
            &[
                "observed",
                "sample",
                "observed value",
                "simulated P50",
                "90% interval",
                "inside / fit",
            ],
        );
        let show = |v: Option<f64>| v.map_or("after the run".to_string(), number);
        for c in &self.comparisons {
            let (low, high) = c.observed.observed;
            t.row(vec![
                Cell::Text(c.observed.what.clone()),
                Cell::Text(
                    match c.observed.sample {
                        Sample::Calibration => "calibration",
                        Sample::NotFitted => "not fitted",
                        Sample::HeldOut => "held out",
                        Sample::Alternative => "alternative",
                        Sample::Validation => "validation",
                        Sample::Illustration => "illustration",
                    }
                    .into(),
                ),
                Cell::Text(if low == high {
                    number(low)
                } else {
                    format!("{}-{}", number(low), number(high))
                }),
                Cell::Text(show(c.simulated[1])),
                Cell::Text(format!("{}-{}", show(c.simulated[0]), show(c.simulated[2]))),
                Cell::Text(match (c.observed.sample, c.simulated[1]) {
                    // A fitted figure shows its residual, not a test.
                    (Sample::Calibration, Some(p50)) => {
                        format!("residual {:+.3}", p50 - (low + high) / 2.0)
                    }
                    _ if c.inside => "inside".into(),
                    _ => "outside".into(),
                }),
            ]);
        }
        t.note(
            "weeks from the run's start; shares of baseline; inside: the observed window \
             overlaps the simulated 90% interval; a calibration figure shows P50 - observed \
             (docs/validation.md)",
        );
        tables.push(t);
        tables
    }
}

displayed_as_report!(NamedRun);

impl NamedRun {
    /// Writes the run atomically: `.json` (everything) or `.csv` (the members' table).
    ///
    /// # Errors
    /// [`Error::Io`], and [`Error::WrongExtension`] for another extension.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        crate::report::write(self, path.as_ref())
    }
}
