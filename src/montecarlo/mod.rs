//! Monte Carlo: uncertain scenarios drawn reproducibly, run in parallel chunks, summarised
//! with honest error bars and rank sensitivities (docs/model.md §6).
//!
//! The driver owns draws, seeds, chunks, threads and progress; an engine computes one
//! realization. Each draw's parameters come from streams keyed by (seed, draw, parameter
//! path), chunks have a fixed size and are merged in chunk order, so results are bitwise
//! identical whatever the thread count.

mod accumulate;
mod design;
mod driver;
mod outcomes;
mod paths;
mod results;
mod sensitivity;
mod statistics;
mod streams;

pub use accumulate::{Moments, Sketch, SKETCH_ACCURACY, SKETCH_ZERO};
pub use design::{Correlation, Design, IMAN_CONOVER_LIMIT, SOBOL_MAX_DIMENSIONS, SOBOL_MAX_POINTS};
pub use driver::{simulate, Progress, Simulation, CHUNK};
pub use outcomes::{Measure, OutcomeSpec};
pub use paths::{run_paths, FanStep, PathResults, Paths};
pub use results::{run, run_on, run_variants, run_with, EngineChoice, McResults, STOP_LEAST};
pub use sensitivity::{prcc, spearman, Sensitivity};
pub use statistics::{
    censored, summarise, Censored, Exceedance, Histogram, Quantile, Summary, TailMean,
};
pub use streams::{param_rng, uniform, DrawRng};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The most draws a run takes (at a microsecond a draw, about three hours).
pub const MAX_DRAWS: u64 = 10_000_000_000;

/// The most threads a run starts.
pub const MAX_THREADS: usize = 256;

/// The most histogram bins, and the most batches of the tail mean's standard error.
pub const MAX_BINS: usize = 100_000;

/// How to run a scenario: draws, seed, threads, outcomes and statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Number of draws.
    pub draws: u64,
    /// The seed of every stream.
    pub seed: u64,
    /// Threads (a local pool); `None` uses every core.
    pub threads: Option<usize>,
    /// Outcomes to summarise; empty means every final-use product and every restricted
    /// product's absorption, for the first restriction's targets as one bloc.
    pub outcomes: Vec<OutcomeSpec>,
    /// Statistics to report.
    pub statistics: StatisticsSettings,
    /// Sampling design.
    pub design: Design,
    /// Independent randomisations of the design (default 10 for Latin hypercube and
    /// Sobol', 1 for plain); the standard error of the mean is then the replicate one.
    pub replicates: Option<usize>,
    /// Spearman rank correlations between uncertain fields (a Gaussian copula).
    pub correlations: Vec<Correlation>,
    /// Keep no draws: moments and exceedances from the same accumulators as exact mode,
    /// quantiles from a sketch (bounded memory; no sensitivities).
    pub streaming: bool,
    /// Run in batches until the relative standard error is small enough.
    pub stop: Option<StopRule>,
    /// Most memory an exact-mode run may hold for its draws, GiB (absent: half the
    /// machine's memory); above it the run is refused before it starts, with a pointer to
    /// `streaming`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit_gib: Option<f64>,
}

/// The stopping rule: batches of draws until the relative standard error
/// (`se / |mean|`) of every outcome is at most `relative_se`, or `max_draws` are done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopRule {
    /// Target relative standard error.
    pub relative_se: f64,
    /// Draws a batch (plain); Sobol' doubles the draws each batch instead.
    #[serde(default = "default_batch")]
    pub batch: u64,
    /// Most draws.
    pub max_draws: u64,
}

fn default_batch() -> u64 {
    10_000
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            draws: 10_000,
            seed: 42,
            threads: None,
            outcomes: Vec::new(),
            statistics: StatisticsSettings::default(),
            design: Design::Plain,
            replicates: None,
            correlations: Vec::new(),
            streaming: false,
            stop: None,
            memory_limit_gib: None,
        }
    }
}

impl Settings {
    /// Checks every setting against its domain before any work starts; errors name the
    /// field (`monte_carlo.statistics.confidence`) in `file`.
    ///
    /// # Errors
    /// [`Error::InvalidField`]: draws outside 1..=[`MAX_DRAWS`], threads above
    /// [`MAX_THREADS`], a quantile level outside [0, 1], a confidence or tail-mean level
    /// outside (0, 1), bins or batches outside 1..=[`MAX_BINS`] (batches at least 2), an
    /// exceedance threshold that is not finite, a stopping rule whose target is not a
    /// positive number or whose batch or maximum is 0, the same pair of fields correlated
    /// twice, a memory limit that is not positive.
    pub fn validate(&self, file: &str) -> Result<()> {
        let bad = |field: &str, reason: String| {
            Err(Error::field("settings", format!("monte_carlo.{field}"), reason).in_file(file))
        };
        if !(1..=MAX_DRAWS).contains(&self.draws) {
            return bad(
                "draws",
                format!("{} is outside 1..={MAX_DRAWS}", self.draws),
            );
        }
        if let Some(t) = self.threads.filter(|t| *t > MAX_THREADS) {
            return bad(
                "threads",
                format!("{t} is above the most, {MAX_THREADS} (0: every core)"),
            );
        }
        let st = &self.statistics;
        if let Some((i, q)) = st
            .quantiles
            .iter()
            .enumerate()
            .find(|(_, q)| !(0.0..=1.0).contains(*q))
        {
            return bad(
                &format!("statistics.quantiles[{i}]"),
                format!("{q} is not a probability in [0, 1]"),
            );
        }
        for (field, v) in [("confidence", st.confidence), ("cvar", st.cvar)] {
            if !(v > 0.0 && v < 1.0) {
                return bad(
                    &format!("statistics.{field}"),
                    format!("{v} is outside (0, 1)"),
                );
            }
        }
        if !(1..=MAX_BINS).contains(&st.bins) {
            return bad(
                "statistics.bins",
                format!("{} is outside 1..={MAX_BINS}", st.bins),
            );
        }
        if !(2..=MAX_BINS).contains(&st.batches) {
            return bad(
                "statistics.batches",
                format!("{} is outside 2..={MAX_BINS}", st.batches),
            );
        }
        if let Some((i, x)) = st.exceed.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return bad(
                &format!("statistics.exceed[{i}]"),
                format!("{x} is not a finite threshold"),
            );
        }
        if let Some(stop) = &self.stop {
            if !(stop.relative_se.is_finite() && stop.relative_se > 0.0) {
                return bad(
                    "stop.relative_se",
                    format!("{} is not a positive number", stop.relative_se),
                );
            }
            if stop.batch < results::STOP_LEAST {
                return bad(
                    "stop.batch",
                    format!(
                        "{}: precision is checked after each batch, and a batch takes at least \
                         {} draws (a standard error from fewer is noise)",
                        stop.batch,
                        results::STOP_LEAST
                    ),
                );
            }
            if stop.max_draws == 0 || stop.max_draws > MAX_DRAWS {
                return bad(
                    "stop.max_draws",
                    format!("{} is outside 1..={MAX_DRAWS}", stop.max_draws),
                );
            }
        }
        let mut pairs = std::collections::HashMap::new();
        for (i, c) in self.correlations.iter().enumerate() {
            let pair = if c.a <= c.b {
                (&c.a, &c.b)
            } else {
                (&c.b, &c.a)
            };
            if let Some(j) = pairs.insert(pair, i) {
                return bad(
                    &format!("correlations[{i}]"),
                    format!(
                        "{} and {} are already correlated in correlations[{j}]",
                        c.a, c.b
                    ),
                );
            }
        }
        if let Some(m) = self
            .memory_limit_gib
            .filter(|m| !(m.is_finite() && *m > 0.0))
        {
            return bad(
                "memory_limit_gib",
                format!("{m} is not a positive number of GiB"),
            );
        }
        Ok(())
    }
}

/// Which statistics, at which levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatisticsSettings {
    /// Quantile levels.
    pub quantiles: Vec<f64>,
    /// Level of the tail mean (`cvar`).
    pub cvar: f64,
    /// Confidence of every interval.
    pub confidence: f64,
    /// Batches for the batch-means standard error of the tail mean (at least 30).
    pub batches: usize,
    /// Thresholds whose exceedance probability is reported.
    pub exceed: Vec<f64>,
    /// Histogram bins between the smallest and largest draw.
    pub bins: usize,
}

impl Default for StatisticsSettings {
    fn default() -> Self {
        Self {
            quantiles: vec![0.05, 0.5, 0.95],
            cvar: 0.95,
            confidence: 0.95,
            batches: 30,
            exceed: Vec::new(),
            bins: 20,
        }
    }
}
