//! Sampling designs (docs/model.md §6.5): plain, Latin hypercube and scrambled Sobol', with
//! independent randomisations (replicates), and a Gaussian copula for correlated inputs
//! (Iman-Conover under Latin hypercube).

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::streams::{mix, uniform};
use super::Settings;
use crate::error::{Error, Result};
use crate::scenario::ParamSlot;

/// How the uniforms of the draws are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Independent uniforms per (draw, parameter).
    #[default]
    Plain,
    /// Latin hypercube: in each replicate, every parameter's N draws fall one in each of N
    /// equal strata.
    LatinHypercube,
    /// Owen-scrambled Sobol' points (`sobol_burley`): at most 2^16 points a replicate and
    /// 256 parameters.
    Sobol,
}

/// A Spearman rank correlation between two uncertain fields, by path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// A field path (`restrictions[0].severity`).
    pub a: String,
    /// Another.
    pub b: String,
    /// Target Spearman correlation in (-1, 1).
    pub spearman: f64,
}

/// Largest Sobol' replicate: `sobol_burley` gives 2^16 points.
pub const SOBOL_MAX_POINTS: u64 = 1 << 16;
/// Largest number of Sobol' dimensions (uncertain parameters).
pub const SOBOL_MAX_DIMENSIONS: usize = 256;
/// Largest draws x parameters table kept for Iman-Conover (Latin hypercube with
/// correlations): 50 million uniforms, 400 MB.
pub const IMAN_CONOVER_LIMIT: u64 = 50_000_000;

/// Maps a draw index to the uniforms of its uncertain parameters.
#[derive(Debug, Clone)]
pub(crate) struct Sampler {
    design: Design,
    seed: u64,
    keys: Vec<u64>,
    replicates: u64,
    /// Draws per replicate (Latin hypercube: the strata; Sobol': points).
    per_replicate: u64,
    /// Lower Cholesky factor of the normal-score correlation (plain and Sobol').
    cholesky: Option<DMatrix<f64>>,
    /// Latin hypercube with correlations: every draw's uniforms, rearranged by
    /// Iman-Conover, `draws x parameters`.
    table: Option<Vec<f64>>,
}

fn invalid(field: &str, reason: String) -> Error {
    Error::field("settings", format!("monte_carlo.{field}"), reason)
}

/// The target normal-score correlation matrix: Spearman `ρ_s` becomes Pearson
/// `2 sin(π ρ_s / 6)` between normal scores; checked positive definite.
fn target_matrix(
    slots: &[ParamSlot],
    correlations: &[Correlation],
) -> Result<Option<DMatrix<f64>>> {
    if correlations.is_empty() {
        return Ok(None);
    }
    let k = slots.len();
    let mut c = DMatrix::<f64>::identity(k, k);
    for (i, corr) in correlations.iter().enumerate() {
        let find = |p: &str| {
            slots
                .iter()
                .position(|s| s.path.to_string() == p)
                .ok_or_else(|| {
                    invalid(
                        &format!("correlations[{i}]"),
                        format!("`{p}` is not an uncertain field of the scenario"),
                    )
                })
        };
        let (a, b) = (find(&corr.a)?, find(&corr.b)?);
        if a == b || !(corr.spearman > -1.0 && corr.spearman < 1.0) {
            return Err(invalid(
                &format!("correlations[{i}].spearman"),
                format!(
                    "{} must lie in (-1, 1) between two different fields",
                    corr.spearman
                ),
            ));
        }
        let r = 2.0 * (std::f64::consts::PI * corr.spearman / 6.0).sin();
        c[(a, b)] = r;
        c[(b, a)] = r;
    }
    if c.clone().cholesky().is_none() {
        return Err(invalid(
            "correlations",
            "the correlation matrix (after converting Spearman to Pearson) is not positive \
             definite"
                .into(),
        ));
    }
    Ok(Some(c))
}

impl Sampler {
    /// A sampler for `settings` over `slots` (the uncertain fields).
    pub fn new(slots: &[ParamSlot], settings: &Settings) -> Result<Self> {
        let draws = settings.draws;
        let replicates = match settings.design {
            Design::Plain => settings.replicates.unwrap_or(1),
            _ => settings.replicates.unwrap_or(10),
        } as u64;
        if replicates == 0 || !draws.is_multiple_of(replicates) {
            return Err(invalid(
                "replicates",
                format!("{replicates} replicates must divide the {draws} draws"),
            ));
        }
        let per_replicate = draws / replicates;
        if settings.design == Design::Sobol {
            if per_replicate > SOBOL_MAX_POINTS {
                return Err(invalid(
                    "draws",
                    format!(
                        "{per_replicate} Sobol' points a replicate; sobol_burley gives at most \
                         {SOBOL_MAX_POINTS}: use more replicates"
                    ),
                ));
            }
            if slots.len() > SOBOL_MAX_DIMENSIONS {
                return Err(invalid(
                    "design",
                    format!("{} uncertain fields; Sobol' takes at most 256", slots.len()),
                ));
            }
        }
        let target = target_matrix(slots, &settings.correlations)?;
        if target.is_some() && slots.len() > SOBOL_MAX_DIMENSIONS {
            return Err(invalid(
                "correlations",
                format!(
                    "{} uncertain fields; correlated inputs take at most {SOBOL_MAX_DIMENSIONS}",
                    slots.len()
                ),
            ));
        }
        let mut sampler = Self {
            design: settings.design,
            seed: settings.seed,
            keys: slots.iter().map(|s| s.key).collect(),
            replicates,
            per_replicate,
            cholesky: None,
            table: None,
        };
        if let Some(c) = target {
            if settings.design == Design::LatinHypercube {
                if draws.saturating_mul(slots.len() as u64) > IMAN_CONOVER_LIMIT {
                    return Err(invalid(
                        "correlations",
                        format!(
                            "Latin hypercube with correlations keeps draws x parameters \
                             uniforms, at most {IMAN_CONOVER_LIMIT}"
                        ),
                    ));
                }
                let least = iman_conover_least(slots.len());
                if per_replicate < least {
                    return Err(invalid(
                        "correlations",
                        format!(
                            "Latin hypercube with correlations needs at least {least} draws per \
                             replicate for {} uncertain fields (here {per_replicate}: {draws} \
                             draws in {replicates} replicates); take more draws or fewer \
                             replicates",
                            slots.len()
                        ),
                    ));
                }
                sampler.table = Some(sampler.iman_conover(&c).map_err(|r| {
                    invalid(
                        "correlations",
                        format!(
                            "replicate {r}: the rank scores of its {per_replicate} draws are \
                             too nearly collinear to correlate; take more draws per replicate"
                        ),
                    )
                })?);
            } else {
                sampler.cholesky = c.cholesky().map(|l| l.l());
            }
        }
        Ok(sampler)
    }

    /// Replicates.
    pub fn replicates(&self) -> u64 {
        self.replicates
    }

    /// Replicate of draw `d`: draws are interleaved, `d = i · R + r`.
    pub fn replicate_of(&self, d: u64) -> u64 {
        d % self.replicates
    }

    /// The independent (uncorrelated) uniform of parameter `j` in draw `d`.
    fn raw(&self, d: u64, j: usize) -> f64 {
        let key = self.keys[j];
        let (r, i) = (d % self.replicates, d / self.replicates);
        match self.design {
            Design::Plain => uniform(self.seed, d, key),
            Design::LatinHypercube => {
                let n = self.per_replicate;
                let stratum = permute(i, n, mix(self.seed ^ mix(key ^ mix(r))));
                (stratum as f64 + uniform(self.seed, d, key)) / n as f64
            }
            Design::Sobol => {
                let seed = mix(self.seed ^ mix(r ^ 0x0005_0b01)) as u32;
                let x = sobol_burley::sample(i as u32, j as u32, seed) as f64;
                (x + 0.5 / (1u64 << 24) as f64).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON)
            }
        }
    }

    /// Fills `out` with draw `d`'s uniforms, one per uncertain field, in (0, 1).
    pub fn uniforms(&self, d: u64, out: &mut [f64]) {
        let k = self.keys.len();
        if let Some(table) = &self.table {
            out.copy_from_slice(&table[d as usize * k..(d as usize + 1) * k]);
            return;
        }
        for (j, u) in out.iter_mut().enumerate() {
            *u = self.raw(d, j);
        }
        if let Some(l) = &self.cholesky {
            let n = Normal::standard();
            let mut z = [0.0f64; SOBOL_MAX_DIMENSIONS];
            for j in 0..k {
                z[j] = n.inverse_cdf(out[j]);
            }
            for (i, u) in out.iter_mut().enumerate() {
                let zi: f64 = (0..=i).map(|j| l[(i, j)] * z[j]).sum();
                *u = n.cdf(zi).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
            }
        }
    }

    /// Iman-Conover: in each replicate, the Latin hypercube columns are rearranged so
    /// their ranks follow normal scores with the target correlation; each column keeps its
    /// values, so its strata are untouched.
    fn iman_conover(&self, target: &DMatrix<f64>) -> Result<Vec<f64>, u64> {
        let (k, n, reps) = (
            self.keys.len(),
            self.per_replicate as usize,
            self.replicates,
        );
        let normal = Normal::standard();
        let mut table = vec![0.0; n * reps as usize * k];
        let scores: Vec<f64> = (1..=n)
            .map(|i| normal.inverse_cdf(i as f64 / (n as f64 + 1.0)))
            .collect();
        for r in 0..reps {
            // Scores in a keyed random order per column.
            let mut s = DMatrix::<f64>::zeros(n, k);
            for j in 0..k {
                let key = mix(self.seed ^ mix(self.keys[j] ^ mix(r ^ 0x1c)));
                for i in 0..n {
                    s[(i, j)] = scores[permute(i as u64, n as u64, key) as usize];
                }
            }
            let e = correlation(&s);
            let (Some(p), Some(q)) = (e.cholesky(), target.clone().cholesky()) else {
                return Err(r);
            };
            let p_inv = p
                .l()
                .try_inverse()
                .unwrap_or_else(|| DMatrix::identity(k, k));
            let t = &s * p_inv.transpose() * q.l().transpose();
            for j in 0..k {
                let mut values: Vec<f64> =
                    (0..n as u64).map(|i| self.raw(i * reps + r, j)).collect();
                values.sort_by(f64::total_cmp);
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by(|&a, &b| t[(a, j)].total_cmp(&t[(b, j)]));
                for (rank, &i) in order.iter().enumerate() {
                    let d = i as u64 * reps + r;
                    table[d as usize * k + j] = values[rank];
                }
            }
        }
        Ok(table)
    }
}

/// The fewest draws per replicate a correlated Latin hypercube takes with `k` uncertain
/// fields: twice the fields and at least 10 (fewer leave the rank scores singular or so
/// nearly so that the correlation cannot be imposed).
pub fn iman_conover_least(k: usize) -> u64 {
    (2 * k as u64).max(10)
}

/// Pearson correlation matrix of the columns.
fn correlation(m: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = (m.nrows(), m.ncols());
    let means: Vec<f64> = (0..k).map(|j| m.column(j).sum() / n as f64).collect();
    let mut c = DMatrix::<f64>::identity(k, k);
    for a in 0..k {
        for b in 0..a {
            let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
            for i in 0..n {
                let (x, y) = (m[(i, a)] - means[a], m[(i, b)] - means[b]);
                sab += x * y;
                saa += x * x;
                sbb += y * y;
            }
            let r = sab / (saa * sbb).sqrt();
            c[(a, b)] = r;
            c[(b, a)] = r;
        }
    }
    c
}

/// A keyed permutation of `0..n` without storing it: a 4-round Feistel network on the
/// smallest even power of two at least `n`, cycle-walking until the image falls below `n`.
pub(crate) fn permute(i: u64, n: u64, key: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let bits = (64 - (n - 1).leading_zeros()).div_ceil(2) as u64;
    let half = (1u64 << bits) - 1;
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> bits, x & half);
        for round in 0..4u64 {
            let f = mix(r ^ key.rotate_left(round as u32 * 16) ^ round) & half;
            (l, r) = (r, l ^ f);
        }
        x = (l << bits) | r;
        if x < n {
            return x;
        }
    }
}
