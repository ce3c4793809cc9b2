//! The validation table (docs/validation.md §9): every named scenario's out-of-sample
//! figures (validation and held out) beside their simulated 90% intervals, the share
//! inside held against the binomial band for their number, and the interval score of each
//! episode.

use serde::Serialize;

use super::{history::Sample, run_named, NamedRun, Observable, ScenarioFile};
use crate::error::Result;
use crate::report::{displayed_as_report, number, Cell, Report, Table};

/// The nominal coverage of the simulated intervals (P5 to P95).
pub const COVERAGE: f64 = 0.9;

/// One out-of-sample figure scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// What was observed, with its source.
    pub what: String,
    /// `weeks` (a stoppage), `share` (a cut or shortfall) or `price` (relative to
    /// baseline).
    pub unit: &'static str,
    /// Its correlation group within the episode.
    pub group: String,
    /// Whether the observed window overlaps the simulated 90% interval.
    pub inside: bool,
    /// The interval score at α = 0.1 (docs/validation.md §9), in the figure's unit.
    pub score: f64,
}

/// An episode: a named scenario's out-of-sample figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    /// The named scenario.
    pub name: String,
    /// Its scored figures.
    pub figures: Vec<Figure>,
}

impl Episode {
    /// Correlation groups, and the share of each group's figures inside.
    pub fn groups(&self) -> Vec<(String, f64)> {
        let mut names: Vec<&String> = self.figures.iter().map(|f| &f.group).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|g| {
                let of: Vec<&Figure> = self.figures.iter().filter(|f| &f.group == g).collect();
                let inside = of.iter().filter(|f| f.inside).count() as f64 / of.len() as f64;
                (g.clone(), inside)
            })
            .collect()
    }

    /// The mean interval score of its figures in `unit`; `None` without any.
    pub fn mean_score(&self, unit: &str) -> Option<f64> {
        let scores: Vec<f64> = (self.figures.iter())
            .filter(|f| f.unit == unit)
            .map(|f| f.score)
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    }
}

/// The validation table: every episode, and the coverage over all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// The episodes with out-of-sample figures.
    pub episodes: Vec<Episode>,
}

impl Validation {
    /// The number of independent figures (correlation groups) and how many are inside
    /// (each group counts its share of figures inside).
    pub fn coverage(&self) -> (usize, f64) {
        let groups: Vec<f64> = (self.episodes.iter())
            .flat_map(|e| e.groups().into_iter().map(|g| g.1))
            .collect();
        (groups.len(), groups.iter().sum())
    }
}

/// The central 90% band of the number inside among `n` independent figures each inside
/// with probability `p`: the largest `low` with `P(X < low) <= 0.05` and the smallest
/// `high` with `P(X > high) <= 0.05` (for 20 figures at 0.9: 16 to 20).
///
/// ```
/// assert_eq!(shortfall::runs::binomial_band(20, 0.9), (16, 20));
/// assert_eq!(shortfall::runs::binomial_band(0, 0.9), (0, 0));
/// ```
pub fn binomial_band(n: usize, p: f64) -> (usize, usize) {
    // pmf by recurrence in logs: stable for any n this table meets.
    let ln_choose = |k: usize| -> f64 {
        (1..=k)
            .map(|i| ((n - k + i) as f64).ln() - (i as f64).ln())
            .sum()
    };
    let pmf: Vec<f64> = (0..=n)
        .map(|k| (ln_choose(k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp())
        .collect();
    let mut below = 0.0;
    let mut low = 0;
    for (k, q) in pmf.iter().enumerate() {
        // `below` is P(X < k).
        if below <= 0.05 + 1e-12 {
            low = k;
        }
        below += q;
    }
    let mut above = 0.0;
    let mut high = n;
    for k in (0..=n).rev() {
        // `above` is P(X > k).
        if above <= 0.05 + 1e-12 {
            high = k;
        }
        above += pmf[k];
    }
    (low, high)
}

/// The interval score of a window `[lo, hi]` against the interval `[l, u]` at level `α`
/// (Gneiting & Raftery 2007): `(u - l) + (2/α)(l - y)⁺ + (2/α)(y - u)⁺`, with `y` the
/// point of the window nearest the interval (a window that overlaps it pays its width
/// only).
///
/// ```
/// use shortfall::runs::interval_score;
/// // A point interval inside the observed window pays nothing.
/// assert_eq!(interval_score((6.0, 6.0), (5.0, 7.0), 0.1), 0.0);
/// // An interval of width 2 that misses the window by 1 pays 2 + 20 x 1.
/// assert!((interval_score((6.0, 8.0), (3.0, 5.0), 0.1) - 22.0).abs() < 1e-12);
/// ```
pub fn interval_score((l, u): (f64, f64), (lo, hi): (f64, f64), alpha: f64) -> f64 {
    let below = (l - hi).max(0.0);
    let above = (lo - u).max(0.0);
    (u - l) + 2.0 / alpha * (below + above)
}

/// Runs every named scenario with out-of-sample figures and scores them.
///
/// # Errors
/// Every error of [`run_named`].
pub fn validation() -> Result<Validation> {
    let mut episodes = Vec::new();
    for (name, _) in super::NAMED {
        let file = ScenarioFile::named(name)?;
        if !file.observed.iter().any(|o| tested(o.sample)) {
            continue;
        }
        let run = run_named(&file)?;
        episodes.push(score(name, &run));
    }
    Ok(Validation { episodes })
}

/// Whether a figure tests the model (declared before the run, used for nothing else).
fn tested(sample: Sample) -> bool {
    matches!(sample, Sample::Validation | Sample::HeldOut)
}

/// Scores one named run's out-of-sample figures; an event after the run has its end as
/// its value (a lower bound on the score).
pub fn score(name: &str, run: &NamedRun) -> Episode {
    let end = run.paths.steps as f64 * run.paths.step_days / 7.0;
    let figures = (run.comparisons.iter())
        .enumerate()
        .filter(|(_, c)| tested(c.observed.sample))
        .map(|(i, c)| {
            let unit = match c.observed.measure {
                Observable::FirstStoppageWeeks { .. }
                | Observable::FirmStoppageWeeks { .. }
                | Observable::ConstrainedWeeks { .. } => "weeks",
                Observable::Price { .. } => "price",
                _ => "share",
            };
            let [l, _, u] = c.simulated.map(|v| v.unwrap_or(end));
            Figure {
                what: c.observed.what.clone(),
                unit,
                group: (c.observed.group.clone()).unwrap_or_else(|| format!("figure {i}")),
                inside: c.inside,
                score: interval_score((l, u), c.observed.observed, 1.0 - COVERAGE),
            }
        })
        .collect();
    Episode {
        name: name.to_string(),
        figures,
    }
}

impl Report for Validation {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Validation: out-of-sample figures against the simulated 90% intervals",
            &[
                "episode",
                "figures",
                "independent",
                "inside",
                "coverage",
                "score, weeks",
                "score, share",
                "score, price",
            ],
        );
        let score = |v: Option<f64>| v.map_or(Cell::Empty, |s| Cell::Text(number(s)));
        for e in &self.episodes {
            let groups = e.groups();
            let inside: f64 = groups.iter().map(|g| g.1).sum();
            t.row(vec![
                Cell::Text(e.name.clone()),
                Cell::Text(e.figures.len().to_string()),
                Cell::Text(groups.len().to_string()),
                Cell::Text(number(inside)),
                Cell::Share(inside / groups.len() as f64),
                score(e.mean_score("weeks")),
                score(e.mean_score("share")),
                score(e.mean_score("price")),
            ]);
        }
        let (n, inside) = self.coverage();
        let (low, high) = binomial_band(n, COVERAGE);
        let figures: usize = self.episodes.iter().map(|e| e.figures.len()).sum();
        t.row(vec![
            Cell::Text("all".into()),
            Cell::Text(figures.to_string()),
            Cell::Text(n.to_string()),
            Cell::Text(number(inside)),
            Cell::Share(if n > 0 { inside / n as f64 } else { 0.0 }),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
        let verdict = if (low as f64) <= inside.floor() && inside.floor() <= high as f64 {
            "within"
        } else {
            "outside"
        };
        t.note(format!(
            "inside: the observed window overlaps the simulated P5-P95; correlated figures \
             (one group) count once, with their share inside; score: the mean interval score; for {n} independent figures at \
             90% coverage the central 90% band is {low} to {high} inside: the count, \
             {inside} rounded down, is {verdict} it; interval score at α = 0.1: width plus \
             20 times the miss, an event after the run at the run's end (docs/validation.md \
             §9)",
            inside = number(inside),
        ));
        let mut f = Table::new(
            "Validation: each figure",
            &[
                "episode",
                "figure",
                "group",
                "unit",
                "inside",
                "interval score",
            ],
        );
        for e in &self.episodes {
            for x in &e.figures {
                f.row(vec![
                    Cell::Text(e.name.clone()),
                    Cell::Text(x.what.clone()),
                    Cell::Text(x.group.clone()),
                    Cell::Text(x.unit.into()),
                    Cell::Text(if x.inside { "inside" } else { "outside" }.into()),
                    Cell::Text(number(x.score)),
                ]);
            }
        }
        vec![t, f]
    }
}

displayed_as_report!(Validation);
