//! Accumulators merged in chunk order (docs/model.md §6.2, §6.6): moments and exceedance
//! counts, the same in exact and streaming modes, and a quantile sketch with integer
//! bucket counts for streaming mode.

use std::collections::BTreeMap;

use serde::Serialize;

/// Count, mean, sum of squared deviations, extremes and exceedance counts of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moments {
    /// Draws.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Smallest draw.
    pub min: f64,
    /// Largest draw.
    pub max: f64,
    /// Draws strictly above each threshold.
    pub exceed: Vec<u64>,
}

impl Moments {
    /// Empty, for `thresholds` exceedance counts.
    pub fn new(thresholds: usize) -> Self {
        Self {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            exceed: vec![0; thresholds],
        }
    }

    /// Adds one draw (Welford).
    pub fn push(&mut self, x: f64, thresholds: &[f64]) {
        self.count += 1;
        let d = x - self.mean;
        self.mean += d / self.count as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        for (c, t) in self.exceed.iter_mut().zip(thresholds) {
            *c += u64::from(x > *t);
        }
    }

    /// Merges the moments of later draws (Chan et al.); merging in a fixed order makes the
    /// result independent of threads.
    pub fn merge(&mut self, other: &Self) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        let n = (self.count + other.count) as f64;
        let delta = other.mean - self.mean;
        self.mean += delta * other.count as f64 / n;
        self.m2 += other.m2 + delta * delta * self.count as f64 * other.count as f64 / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        for (a, b) in self.exceed.iter_mut().zip(&other.exceed) {
            *a += b;
        }
    }

    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        if self.count > 1 {
            (self.m2 / (self.count - 1) as f64).sqrt()
        } else {
            0.0
        }
    }
}

/// Relative accuracy of the streaming quantile sketch: a reported quantile is within this
/// share of the exact one (values below [`SKETCH_ZERO`] in magnitude count as zero).
pub const SKETCH_ACCURACY: f64 = 0.005;
/// Magnitudes below this count as zero in the sketch.
pub const SKETCH_ZERO: f64 = 1e-12;

/// A quantile sketch with relative accuracy [`SKETCH_ACCURACY`] (logarithmic buckets,
/// `γ = (1 + α)/(1 - α)`, as DDSketch): integer counts, so merging is exact and
/// order-free, and memory is bounded by the range of magnitudes, not the number of draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sketch {
    count: u64,
    zero: u64,
    positive: BTreeMap<i32, u64>,
    negative: BTreeMap<i32, u64>,
}

fn ln_gamma() -> f64 {
    ((1.0 + SKETCH_ACCURACY) / (1.0 - SKETCH_ACCURACY)).ln()
}

impl Default for Sketch {
    fn default() -> Self {
        Self::new()
    }
}

impl Sketch {
    /// Empty.
    pub fn new() -> Self {
        Self {
            count: 0,
            zero: 0,
            positive: BTreeMap::new(),
            negative: BTreeMap::new(),
        }
    }

    /// Adds one draw.
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let a = x.abs();
        if a < SKETCH_ZERO || !a.is_finite() {
            self.zero += 1;
            return;
        }
        let i = (a.ln() / ln_gamma()).ceil() as i32;
        let side = if x > 0.0 {
            &mut self.positive
        } else {
            &mut self.negative
        };
        *side.entry(i).or_insert(0) += 1;
    }

    /// Adds another sketch's counts.
    pub fn merge(&mut self, other: &Self) {
        self.count += other.count;
        self.zero += other.zero;
        for (k, v) in &other.positive {
            *self.positive.entry(*k).or_insert(0) += v;
        }
        for (k, v) in &other.negative {
            *self.negative.entry(*k).or_insert(0) += v;
        }
    }

    fn value(i: i32) -> f64 {
        let g = ln_gamma().exp();
        2.0 * g.powi(i) / (g + 1.0)
    }

    /// Buckets in increasing order of value: (representative value, count).
    pub(crate) fn ascending(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.negative
            .iter()
            .rev()
            .map(|(i, c)| (-Self::value(*i), *c))
            .chain(std::iter::once((0.0, self.zero)))
            .chain(self.positive.iter().map(|(i, c)| (Self::value(*i), *c)))
    }

    /// The draw of rank `k` (1-based) in increasing order, to the sketch's accuracy.
    pub fn rank(&self, k: u64) -> f64 {
        let mut seen = 0;
        for (v, c) in self.ascending() {
            seen += c;
            if seen >= k {
                return v;
            }
        }
        f64::NAN
    }

    /// The tail mean above level α (Acerbi-Tasche on the bucket values).
    pub fn tail_mean(&self, alpha: f64) -> f64 {
        let n = self.count as f64;
        let k = (n * alpha).ceil() as u64;
        let mut seen = 0u64;
        let mut sum = 0.0;
        let mut at_k = f64::NAN;
        for (v, c) in self.ascending() {
            let before = seen;
            seen += c;
            if seen > k {
                sum += v * (seen - before.max(k)) as f64;
            }
            if before < k && seen >= k {
                at_k = v;
            }
        }
        ((k as f64 / n - alpha) * at_k + sum / n) / (1.0 - alpha)
    }

    /// Buckets in use (the sketch's memory).
    pub fn buckets(&self) -> usize {
        self.positive.len() + self.negative.len() + 1
    }
}
