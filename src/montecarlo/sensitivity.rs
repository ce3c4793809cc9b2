//! Sensitivity from the draws already made (docs/model.md §6.4): Spearman rank correlation
//! and partial rank correlation (PRCC) of each uncertain parameter with each outcome.

use nalgebra::DMatrix;
use serde::Serialize;

/// One parameter's sensitivity for one outcome (a tornado chart's bar).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The parameter's path.
    pub parameter: String,
    /// The outcome's name.
    pub outcome: String,
    /// Spearman rank correlation; `None` where a variable is constant.
    pub spearman: Option<f64>,
    /// Partial rank correlation, controlling for the other parameters; `None` where
    /// undefined (a constant variable, or ranks that are collinear).
    pub prcc: Option<f64>,
}

/// Ranks, ties given their average rank.
pub(crate) fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

pub(crate) fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// Spearman's rank correlation of two samples.
///
/// ```
/// let r = shortfall::montecarlo::spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 25.0, 100.0]);
/// assert_eq!(r, Some(1.0));
/// ```
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    pearson(&ranks(a), &ranks(b))
}

/// Partial rank correlation of each of `params` with `outcome`: from the inverse `P` of
/// the correlation matrix of the ranks of (params..., outcome),
/// `PRCC_i = -P[i,y] / √(P[i,i] P[y,y])`.
pub fn prcc(params: &[Vec<f64>], outcome: &[f64]) -> Vec<Option<f64>> {
    let ranked: Vec<Vec<f64>> = params.iter().map(|p| ranks(p)).collect();
    prcc_of_ranks(&ranked, &ranks(outcome))
}

/// [`prcc`] on samples already ranked.
pub(crate) fn prcc_of_ranks(params: &[Vec<f64>], outcome: &[f64]) -> Vec<Option<f64>> {
    let k = params.len();
    let mut cols: Vec<&[f64]> = params.iter().map(Vec::as_slice).collect();
    cols.push(outcome);
    let mut c = DMatrix::<f64>::identity(k + 1, k + 1);
    for i in 0..=k {
        for j in 0..i {
            match pearson(cols[i], cols[j]) {
                Some(r) => {
                    c[(i, j)] = r;
                    c[(j, i)] = r;
                }
                None => return vec![None; k],
            }
        }
    }
    let Some(p) = c.try_inverse() else {
        return vec![None; k];
    };
    (0..k)
        .map(|i| {
            let d = p[(i, i)] * p[(k, k)];
            (d > 0.0).then(|| (-p[(i, k)] / d.sqrt()).clamp(-1.0, 1.0))
        })
        .collect()
}
