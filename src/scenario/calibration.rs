//! Calibration with degrees of freedom left (docs/model.md §3.3): one two-phase shape
//! shared by several series (refusals rising from 0 to a peak, held, falling to 0), a peak
//! per series, fitted by least squares to more windows than parameters, with the residual
//! spread and the parameters' standard errors.

use nalgebra::{DMatrix, DVector};

use super::{Phase, Ramp};
use crate::error::{Error, Result};

/// The longest rise the grid tries, days.
const MAX_RISE_DAYS: usize = 90;

/// The latest end of a window a fit takes, years: the grid of whole days grows with the
/// square of the span, and calibration windows are months.
pub const MAX_FIT_YEARS: f64 = 2.0;

/// A shared two-phase fit: every series `s` has the profile `peak_s·u(τ)`, `u` rising from
/// 0 at `τ = 0` to 1 at `rise`, held until `fall_from`, falling to 0 over `fall_over`
/// (times in years).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedFit {
    /// Years the refusals take to reach their peak.
    pub rise: f64,
    /// Years from the start until they begin to fall.
    pub fall_from: f64,
    /// Years the fall takes.
    pub fall_over: f64,
    /// The peak of each series, in [0, 1].
    pub peaks: Vec<f64>,
    /// Fitted minus observed, per series and window.
    pub residuals: Vec<Vec<f64>>,
    /// Windows minus parameters (3 + one peak per series).
    pub dof: usize,
    /// The residuals' root mean square.
    pub rms: f64,
    /// `sqrt(SS / dof)`; `None` when nothing is left (`dof = 0`).
    pub sigma: Option<f64>,
    /// Standard errors of `[rise, fall_from, fall_over, peaks...]` from the residual
    /// spread and the Jacobian at the fit (the square roots of the diagonal of
    /// `σ²(JᵀJ)⁻¹`); `None` without degrees of freedom, with a singular `JᵀJ`, or with a
    /// parameter at a bound of its domain (where the linearisation does not hold).
    pub se: Option<Vec<f64>>,
    /// The covariance of the fall's start and length, `cov(fall_from, fall_over)`, with
    /// the standard errors.
    pub fall_covariance: Option<f64>,
}

impl SharedFit {
    /// Fits the shape and peaks to `series` (windows `(a, b, mean)` in years since the
    /// start): times on a grid of whole days (a rise of at most 90 days, everything
    /// within the last window's end), peaks in closed form per shape (the mean over a
    /// window is linear in the peak) clamped to [0, 1], the least sum of squares over all
    /// windows winning.
    ///
    /// ```
    /// use shortfall::scenario::SharedFit;
    /// let truth = SharedFit { rise: 20.0 / 365.0, fall_from: 50.0 / 365.0, fall_over: 30.0 / 365.0,
    ///     peaks: vec![0.8, 0.95], residuals: vec![], dof: 0, rms: 0.0, sigma: None, se: None,
    ///     fall_covariance: None };
    /// let months: Vec<Vec<(f64, f64, f64)>> = (0..2).map(|s| (0..4).map(|m| {
    ///     let (a, b) = (m as f64 * 30.0 / 365.0, (m + 1) as f64 * 30.0 / 365.0);
    ///     (a, b, truth.mean(s, a, b))
    /// }).collect()).collect();
    /// let fit = SharedFit::fit(&months)?;
    /// assert!(fit.rms < 1e-12 && fit.dof == 3);
    /// assert!((fit.rise * 365.0 - 20.0).abs() < 1e-6 && (fit.peaks[1] - 0.95).abs() < 1e-9);
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] without series, for an empty series, a window that is
    /// empty, negative, not finite or whose mean is outside [0, 1], or one that ends after
    /// [`MAX_FIT_YEARS`].
    pub fn fit(series: &[Vec<(f64, f64, f64)>]) -> Result<Self> {
        let bad = |why: String| Err(Error::InvalidSetting(why));
        if series.is_empty() || series.iter().any(Vec::is_empty) {
            return bad("a shared fit needs at least one series, each of one window".into());
        }
        if let Some(w) = (series.iter().flatten())
            .find(|(a, b, m)| !(*a >= 0.0 && b > a && (0.0..=1.0).contains(m)))
        {
            return bad(format!(
                "window {w:?}: expected 0 <= a < b and a mean in [0, 1]"
            ));
        }
        let end = series.iter().flatten().map(|w| w.1).fold(0.0, f64::max);
        if end > MAX_FIT_YEARS {
            return bad(format!(
                "a window ends {end} years after the start; a fit takes windows within \
                 {MAX_FIT_YEARS} years"
            ));
        }
        let days = (end * 365.0).ceil() as usize;
        let day = 1.0 / 365.0;
        let mut best: Option<(f64, [f64; 3], Vec<f64>)> = None;
        for rise in 0..=days.min(MAX_RISE_DAYS) {
            for from in rise..=days {
                for over in 0..=days - from {
                    let times = [rise as f64 * day, from as f64 * day, over as f64 * day];
                    let (ss, peaks) = peaks_for(series, times);
                    if best.as_ref().is_none_or(|b| ss < b.0 - 1e-15) {
                        best = Some((ss, times, peaks));
                    }
                }
            }
        }
        let Some((ss, [rise, fall_from, fall_over], peaks)) = best else {
            return bad("no shape fits".into());
        };
        let mut fit = SharedFit {
            rise,
            fall_from,
            fall_over,
            peaks,
            residuals: Vec::new(),
            dof: 0,
            rms: 0.0,
            sigma: None,
            se: None,
            fall_covariance: None,
        };
        fit.residuals = (series.iter().enumerate())
            .map(|(s, w)| w.iter().map(|&(a, b, m)| fit.mean(s, a, b) - m).collect())
            .collect();
        let n: usize = series.iter().map(Vec::len).sum();
        let k = 3 + series.len();
        fit.dof = n.saturating_sub(k);
        fit.rms = (ss / n as f64).sqrt();
        if fit.dof > 0 {
            let sigma = (ss / fit.dof as f64).sqrt();
            fit.sigma = Some(sigma);
            if let Some((se, cov)) = fit.standard_errors(series, sigma) {
                fit.se = Some(se);
                fit.fall_covariance = Some(cov);
            }
        }
        Ok(fit)
    }

    /// The profile of series `s`, a [`Ramp`] with a second phase.
    pub fn ramp(&self, s: usize) -> Ramp {
        Ramp {
            from: 0.0,
            to: self.peaks[s],
            delay: 0.0,
            over: self.rise,
            then: Some(Phase {
                to: 0.0,
                delay: self.fall_from,
                over: self.fall_over,
            }),
        }
    }

    /// The mean of series `s`'s profile over `[a, b]` years.
    pub fn mean(&self, s: usize, a: f64, b: f64) -> f64 {
        Ramp::mean(Some(&self.ramp(s)), None, a, b)
    }

    /// The standard deviation of a multiplier on the profile's times that carries the
    /// fit's uncertainty about when refusals end: the standard error of the fall's
    /// midpoint `fall_from + fall_over/2` over its value, with the two times' covariance
    /// (docs/model.md §3.3); `None` without standard errors.
    pub fn timing_sd(&self) -> Option<f64> {
        let (se, cov) = (self.se.as_ref()?, self.fall_covariance?);
        let mid = self.fall_from + self.fall_over / 2.0;
        let var = se[1] * se[1] + se[2] * se[2] / 4.0 + cov;
        Some(var.max(0.0).sqrt() / mid)
    }

    /// `σ²(JᵀJ)⁻¹` by central differences of the residuals (a day for times, 10⁻⁴ for
    /// peaks): the standard errors and the covariance of the fall's start and length;
    /// `None` when `JᵀJ` is singular.
    fn standard_errors(
        &self,
        series: &[Vec<(f64, f64, f64)>],
        sigma: f64,
    ) -> Option<(Vec<f64>, f64)> {
        let theta: Vec<f64> = [self.rise, self.fall_from, self.fall_over]
            .into_iter()
            .chain(self.peaks.iter().copied())
            .collect();
        let residuals = |t: &[f64]| -> Vec<f64> {
            let fit = SharedFit {
                rise: t[0].max(0.0),
                fall_from: t[1].max(t[0].max(0.0)),
                fall_over: t[2].max(0.0),
                peaks: t[3..].to_vec(),
                ..self.clone()
            };
            (series.iter().enumerate())
                .flat_map(|(s, w)| w.iter().map(move |&(a, b, m)| (s, a, b, m)))
                .map(|(s, a, b, m)| fit.mean(s, a, b) - m)
                .collect()
        };
        let n: usize = series.iter().map(Vec::len).sum();
        let mut j = DMatrix::zeros(n, theta.len());
        for p in 0..theta.len() {
            let h = if p < 3 { 1.0 / 365.0 } else { 1e-4 };
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[p] += h;
            down[p] -= h;
            let d = DVector::from_vec(residuals(&up)) - DVector::from_vec(residuals(&down));
            j.set_column(p, &(d / (2.0 * h)));
        }
        // At a bound of its domain (a rise or fall of no length, a fall starting at the
        // peak, a clamped peak) the linearisation does not hold: no errors are claimed.
        let at_bound = self.rise <= 0.0
            || self.fall_over <= 0.0
            || self.fall_from <= self.rise
            || self.peaks.iter().any(|&p| p <= 0.0 || p >= 1.0);
        if at_bound {
            return None;
        }
        let inverse = (j.transpose() * &j).try_inverse()?;
        if (0..theta.len()).any(|p| inverse[(p, p)] <= 0.0) {
            return None;
        }
        let se: Vec<f64> = (0..theta.len())
            .map(|p| sigma * inverse[(p, p)].sqrt())
            .collect();
        let cov = sigma * sigma * inverse[(1, 2)];
        (se.iter().all(|v| v.is_finite()) && cov.is_finite()).then_some((se, cov))
    }
}

/// For given times, each series' best peak (closed form, clamped) and the sum of squares.
fn peaks_for(series: &[Vec<(f64, f64, f64)>], [rise, from, over]: [f64; 3]) -> (f64, Vec<f64>) {
    let unit = Ramp {
        from: 0.0,
        to: 1.0,
        delay: 0.0,
        over: rise,
        then: Some(Phase {
            to: 0.0,
            delay: from,
            over,
        }),
    };
    let mut ss = 0.0;
    let peaks = series
        .iter()
        .map(|windows| {
            let u: Vec<f64> = (windows.iter())
                .map(|&(a, b, _)| Ramp::mean(Some(&unit), None, a, b))
                .collect();
            let (num, den) = (windows.iter().zip(&u))
                .fold((0.0, 0.0), |(n, d), (w, u)| (n + u * w.2, d + u * u));
            let peak = if den > 0.0 {
                (num / den).clamp(0.0, 1.0)
            } else {
                0.0
            };
            ss += (windows.iter().zip(&u))
                .map(|(w, u)| (peak * u - w.2).powi(2))
                .sum::<f64>();
            peak
        })
        .collect();
    (ss, peaks)
}
