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
pub use results::{run, run_variants, McResults};
pub use sensitivity::{prcc, spearman, Sensitivity};
pub use statistics::{
    censored, summarise, Censored, Exceedance, Histogram, Quantile, Summary, TailMean,
};
pub use streams::{param_rng, uniform, DrawRng};

use serde::{Deserialize, Serialize};

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
        }
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
