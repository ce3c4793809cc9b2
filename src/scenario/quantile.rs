//! Quantile functions with a guaranteed iteration bound, for the beta and gamma
//! distributions (docs/model.md §6.1). statrs's own inverse CDFs loop without a bound on
//! some shapes (beta 1e7, subnormal shapes, gamma 1e300) and lose accuracy in the lower
//! tail of small shapes; these invert statrs's CDFs by safeguarded Newton steps instead.

use statrs::distribution::{Beta, ContinuousCDF};
use statrs::function::beta::{checked_beta_reg, ln_beta};
use statrs::function::gamma::{checked_gamma_lr, ln_gamma};

/// The shapes (beta's α and β, gamma's shape) a file may give: inside it, the quantiles
/// converge within [`MAX_STEPS`] steps and invert the CDF to 1e-9 of `min(u, 1 - u)`
/// (`tests/quantiles.rs` checks the edges).
pub const SHAPE_DOMAIN: (f64, f64) = (1e-3, 1e6);

/// The rates a gamma may have: the quantile is that of rate 1, divided by the rate.
pub const RATE_DOMAIN: (f64, f64) = (1e-100, 1e100);

/// The most steps an inversion takes.
pub const MAX_STEPS: usize = 200;

/// The shapes on which statrs's own beta inverse CDF is kept, for speed and so that the
/// draws of the shipped scenarios (PERT shapes lie in [1, 5]) stay bitwise what they were:
/// it converges and is accurate there (`tests/quantiles.rs`).
const STATRS_BETA: (f64, f64) = (1.0, 1e3);

/// The value at probability `u` in (0, 1) of Beta(a, b), both shapes in
/// [`SHAPE_DOMAIN`].
pub(crate) fn beta(a: f64, b: f64, u: f64) -> f64 {
    let within = |s: f64| (STATRS_BETA.0..=STATRS_BETA.1).contains(&s);
    if within(a) && within(b) {
        if let Ok(d) = Beta::new(a, b) {
            return d.inverse_cdf(u);
        }
    }
    let ln_b = ln_beta(a, b);
    let cdf = |x: f64| checked_beta_reg(a, b, x.clamp(0.0, 1.0)).unwrap_or(f64::NAN);
    let pdf = |x: f64| ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b).exp();
    invert(u, cdf, pdf, 0.0, 1.0, a / (a + b))
}

/// The value at probability `u` in (0, 1) of Gamma(shape, 1), the shape in
/// [`SHAPE_DOMAIN`].
pub(crate) fn gamma(shape: f64, u: f64) -> f64 {
    let ln_g = ln_gamma(shape);
    let cdf = |x: f64| {
        if x > 0.0 {
            checked_gamma_lr(shape, x).unwrap_or(1.0)
        } else {
            0.0
        }
    };
    let pdf = |x: f64| ((shape - 1.0) * x.ln() - x - ln_g).exp();
    // An upper bracket: the mean plus 40 standard deviations and a margin, doubled until
    // it holds `u` (a bounded number of times: the tail beyond is below 1e-300).
    let mut hi = shape + 40.0 * shape.sqrt() + 50.0;
    for _ in 0..64 {
        if cdf(hi) >= u {
            break;
        }
        hi *= 2.0;
    }
    invert(u, cdf, pdf, 0.0, hi, shape.min(hi / 2.0))
}

/// Inverts an increasing continuous `cdf` on `[lo, hi]`: Newton steps from `x0` with the
/// density `pdf`, each replaced by a bisection (geometric where the bracket spans orders of
/// magnitude, so tiny quantiles are found) when it leaves the bracket or stalls; stops when
/// a step moves less than 4 ulps or after [`MAX_STEPS`].
fn invert(
    u: f64,
    cdf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
    mut lo: f64,
    mut hi: f64,
    x0: f64,
) -> f64 {
    let mid = |lo: f64, hi: f64| {
        // From zero, bisect the orders of magnitude down to 1e-300.
        let floor = if lo > 0.0 {
            lo
        } else {
            1e-300_f64.min(hi / 8.0)
        };
        if hi > 4.0 * floor {
            (floor * hi).sqrt()
        } else {
            lo + (hi - lo) / 2.0
        }
    };
    let mut x = if x0 > lo && x0 < hi { x0 } else { mid(lo, hi) };
    for _ in 0..MAX_STEPS {
        let f = cdf(x) - u;
        if f == 0.0 || f.is_nan() {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let d = pdf(x);
        let newton = x - f / d;
        let next = if d.is_finite() && d > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            mid(lo, hi)
        };
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs() || hi - lo <= f64::MIN_POSITIVE {
            return next;
        }
        x = next;
    }
    x
}
