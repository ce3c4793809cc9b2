//! Statistics of one outcome's draws (docs/model.md §6.3): mean with its standard error
//! and interval, quantiles with distribution-free order-statistic intervals, the tail mean
//! (`cvar`) with a batch-means standard error, exceedance probabilities with Wilson
//! intervals, and a histogram.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::accumulate::{Moments, Sketch};
use super::StatisticsSettings;

/// A quantile estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantile {
    /// Level `p`.
    pub p: f64,
    /// `x_(⌈n p⌉)`, the inverse of the empirical CDF (Hyndman-Fan type 1).
    pub value: f64,
    /// Order-statistic interval `(x_(j), x_(k))`.
    pub ci: (f64, f64),
}

/// The tail mean above the quantile at `level` (CVaR, Acerbi-Tasche for discrete samples).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TailMean {
    /// Level α.
    pub level: f64,
    /// `E[X | X in the upper 1 - α tail]`.
    pub value: f64,
    /// Batch-means standard error.
    pub se: f64,
    /// Interval `value ± t · se` (Student t with batches - 1 degrees of freedom).
    pub ci: (f64, f64),
}

/// The probability of exceeding a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Exceedance {
    /// The threshold.
    pub threshold: f64,
    /// Share of draws strictly above it.
    pub probability: f64,
    /// Wilson score interval.
    pub ci: (f64, f64),
}

/// Counts in equal bins between the smallest and largest draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// Bin edges (bins + 1).
    pub edges: Vec<f64>,
    /// Draws per bin.
    pub counts: Vec<u64>,
}

/// Statistics of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Outcome name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Draws.
    pub count: u64,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Standard error of the mean: `sd / √n` for iid draws, or the spread of the replicate
    /// means over `√R` for replicated designs.
    pub se: f64,
    /// Replicates behind `se` (1: iid).
    pub replicates: u64,
    /// Whether quantiles and the tail mean come from the streaming sketch (relative
    /// accuracy `SKETCH_ACCURACY`; no tail-mean interval).
    pub sketched: bool,
    /// Interval `mean ± t · se`.
    pub mean_ci: (f64, f64),
    /// Smallest draw.
    pub min: f64,
    /// Largest draw.
    pub max: f64,
    /// Quantiles.
    pub quantiles: Vec<Quantile>,
    /// Tail mean.
    pub cvar: TailMean,
    /// Exceedance probabilities.
    pub exceedance: Vec<Exceedance>,
    /// Histogram.
    pub histogram: Histogram,
}

fn t_quantile(confidence: f64, dof: f64) -> f64 {
    let p = 0.5 + confidence / 2.0;
    if dof < 1.0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, dof).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

/// The Wilson score interval of `k` events in `n` trials at normal quantile `z`.
fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / (1.0 + z2 / nf);
    // The interval always contains p; rounding could leave it out at 0 and 1.
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

/// A censored outcome (docs/model.md §5.5): an event (a stock-out, a recovery) that happens within
/// the run in some draws, at a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Censored {
    /// Outcome name.
    pub name: String,
    /// Draws.
    pub count: u64,
    /// Draws in which the event happened.
    pub events: u64,
    /// Share of draws with the event.
    pub probability: f64,
    /// Wilson score interval.
    pub ci: (f64, f64),
    /// Statistics of the time, given the event; `None` without events.
    pub given: Option<Summary>,
    /// Quantiles of the time over all draws at the settings' levels, `(p, time)`: `None`
    /// when at that level the event has not happened within the run.
    pub unconditional: Vec<(f64, Option<f64>)>,
}

/// Summarises a censored outcome: `draws` hold the time of the event, or NaN where it did
/// not happen within the run.
///
/// ```
/// use shortfall::montecarlo::{censored, StatisticsSettings};
/// let draws = [3.0, f64::NAN, 5.0, f64::NAN];
/// let c = censored("stock-out", "week", &draws, &StatisticsSettings::default());
/// assert_eq!((c.events, c.probability), (2, 0.5));
/// assert_eq!(c.given.unwrap().quantiles[1].value, 3.0);   // the conditional median
/// assert_eq!(c.unconditional[1], (0.5, Some(5.0)));        // x_(2) of 3, 5, -, -
/// assert_eq!(c.unconditional[2], (0.95, None));            // not within the run
/// ```
pub fn censored(name: &str, unit: &str, draws: &[f64], settings: &StatisticsSettings) -> Censored {
    let times: Vec<f64> = draws.iter().copied().filter(|t| !t.is_nan()).collect();
    let (n, k) = (draws.len() as u64, times.len() as u64);
    Censored {
        name: name.into(),
        count: n,
        events: k,
        probability: if n > 0 { k as f64 / n as f64 } else { f64::NAN },
        ci: if n > 0 {
            wilson(k, n, z_quantile(settings.confidence))
        } else {
            (f64::NAN, f64::NAN)
        },
        given: (k > 0).then(|| summarise(name, unit, &times, settings)),
        unconditional: {
            let mut sorted = times.clone();
            sorted.sort_by(f64::total_cmp);
            settings
                .quantiles
                .iter()
                .map(|&p| {
                    // x_(⌈n p⌉) with the draws without the event last.
                    let j = ((n as f64 * p).ceil() as usize).max(1);
                    (p, sorted.get(j - 1).copied())
                })
                .collect()
        },
    }
}

fn z_quantile(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + confidence / 2.0)
}

/// The Acerbi-Tasche tail mean of sorted values at level α:
/// `[ (⌈nα⌉/n - α) x_(⌈nα⌉) + (1/n) Σ_{i > ⌈nα⌉} x_(i) ] / (1 - α)`.
fn tail_mean(sorted: &[f64], alpha: f64) -> f64 {
    let n = sorted.len() as f64;
    let k = ((n * alpha).ceil() as usize).clamp(1, sorted.len());
    let above: f64 = sorted[k..].iter().sum();
    ((k as f64 / n - alpha) * sorted[k - 1] + above / n) / (1.0 - alpha)
}

/// Summarises one outcome's draws (in draw order), iid.
///
/// ```
/// use shortfall::montecarlo::{summarise, StatisticsSettings};
/// let draws: Vec<f64> = (1..=100).map(f64::from).collect();
/// let s = summarise("x", "t", &draws, &StatisticsSettings::default());
/// assert_eq!(s.mean, 50.5);
/// assert_eq!(s.quantiles[1].value, 50.0);                  // x_(⌈0.5 · 100⌉)
/// assert!((s.cvar.value - 98.0).abs() < 1e-12);            // mean of 96..100
/// ```
pub fn summarise(name: &str, unit: &str, draws: &[f64], settings: &StatisticsSettings) -> Summary {
    let mut moments = Moments::new(settings.exceed.len());
    for &x in draws {
        moments.push(x, &settings.exceed);
    }
    summarise_with(name, unit, &moments, Some(draws), None, &[], settings)
}

/// Summarises from the run's accumulators: `exact` draws in draw order (exact mode) or the
/// sketch (streaming mode), and the replicate means (empty or one: iid).
pub(crate) fn summarise_with(
    name: &str,
    unit: &str,
    moments: &Moments,
    exact: Option<&[f64]>,
    sketch: Option<&Sketch>,
    replicate_means: &[f64],
    settings: &StatisticsSettings,
) -> Summary {
    let n = moments.count as usize;
    let nf = n as f64;
    let c = settings.confidence;
    let (mean, sd, min, max) = (moments.mean, moments.sd(), moments.min, moments.max);
    let reps = replicate_means.len();
    let (se, t) = if reps > 1 {
        let rm = replicate_means.iter().sum::<f64>() / reps as f64;
        let var = replicate_means
            .iter()
            .map(|x| (x - rm).powi(2))
            .sum::<f64>()
            / (reps as f64 - 1.0);
        ((var / reps as f64).sqrt(), t_quantile(c, reps as f64 - 1.0))
    } else {
        (sd / nf.sqrt(), t_quantile(c, nf - 1.0))
    };
    let z = z_quantile(c);
    let sorted = exact.map(|d| {
        let mut v = d.to_vec();
        v.sort_unstable_by(f64::total_cmp);
        v
    });
    let rank = |k: f64| -> f64 {
        let k = (k.max(1.0) as usize).min(n.max(1));
        match (&sorted, sketch) {
            (Some(v), _) => v[k - 1],
            (None, Some(s)) => s.rank(k as u64),
            (None, None) => f64::NAN,
        }
    };
    let quantiles = settings
        .quantiles
        .iter()
        .map(|&p| {
            let half = z * (nf * p * (1.0 - p)).sqrt();
            Quantile {
                p,
                value: rank((nf * p).ceil()),
                ci: (
                    rank((nf * p - half).floor()),
                    rank((nf * p + half).ceil() + 1.0),
                ),
            }
        })
        .collect();
    let alpha = settings.cvar;
    let cvar = match (&sorted, exact) {
        (Some(sorted), Some(draws)) => {
            let value = tail_mean(sorted, alpha);
            let b = settings.batches.max(2).min(n.max(2));
            let size = n / b;
            let (se, ci) = if size >= 1 {
                let batch: Vec<f64> = (0..b)
                    .map(|i| {
                        let mut chunk = draws[i * size..(i + 1) * size].to_vec();
                        chunk.sort_unstable_by(f64::total_cmp);
                        tail_mean(&chunk, alpha)
                    })
                    .collect();
                let bm = batch.iter().sum::<f64>() / b as f64;
                let var = batch.iter().map(|x| (x - bm).powi(2)).sum::<f64>() / (b as f64 - 1.0);
                let se = (var / b as f64).sqrt();
                let t = t_quantile(c, b as f64 - 1.0);
                (se, (value - t * se, value + t * se))
            } else {
                (f64::NAN, (f64::NAN, f64::NAN))
            };
            TailMean {
                level: alpha,
                value,
                se,
                ci,
            }
        }
        _ => TailMean {
            level: alpha,
            value: sketch.map_or(f64::NAN, |s| s.tail_mean(alpha)),
            se: f64::NAN,
            ci: (f64::NAN, f64::NAN),
        },
    };
    let exceedance = settings
        .exceed
        .iter()
        .zip(&moments.exceed)
        .map(|(&threshold, &k)| Exceedance {
            threshold,
            probability: k as f64 / nf,
            ci: wilson(k, n as u64, z),
        })
        .collect();
    let bins = settings.bins.max(1);
    let width = (max - min) / bins as f64;
    let edges = (0..=bins).map(|i| min + width * i as f64).collect();
    let mut counts = vec![0u64; bins];
    let bin = |x: f64| {
        let i = if width > 0.0 {
            ((x - min) / width) as usize
        } else {
            0
        };
        i.min(bins - 1)
    };
    match (exact, sketch) {
        (Some(d), _) => d.iter().for_each(|&x| counts[bin(x)] += 1),
        (None, Some(s)) => {
            for (v, c) in s.ascending() {
                counts[bin(v.clamp(min, max))] += c;
            }
        }
        (None, None) => {}
    }
    Summary {
        name: name.into(),
        unit: unit.into(),
        count: n as u64,
        mean,
        sd,
        se,
        replicates: reps.max(1) as u64,
        sketched: exact.is_none(),
        mean_ci: (mean - t * se, mean + t * se),
        min,
        max,
        quantiles,
        cvar,
        exceedance,
        histogram: Histogram { edges, counts },
    }
}
