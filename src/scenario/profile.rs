//! Time profiles: how a restriction's severity and leakage, and substitution, change over
//! the restriction (docs/model.md §3.3).

use serde::{Deserialize, Serialize};

/// A multiplier on a field over time since the restriction started: `from` until `delay`
/// years, then linear to `to` over `over` years, then `to`. Licences approved at a rising
/// rate are a severity ramp from 1 down; spare capacity that comes in after a lag is a
/// substitution ramp from 0 up.
///
/// ```
/// use shortfall::scenario::Ramp;
/// let approvals = Ramp { from: 1.0, to: 0.4, delay: 0.1, over: 0.2 };
/// assert_eq!(approvals.at(0.05), 1.0);
/// assert!((approvals.at(0.2) - 0.7).abs() < 1e-12);
/// assert_eq!(approvals.at(0.5), 0.4);
/// // The mean over the first half year: 0.1 at 1, 0.2 falling to 0.4, 0.2 at 0.4.
/// assert!((Ramp::mean(Some(&approvals), None, 0.0, 0.5) - (0.1 + 0.2 * 0.7 + 0.08) / 0.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    /// The multiplier at the start, in [0, 1].
    pub from: f64,
    /// The multiplier at the end of the ramp, in [0, 1].
    pub to: f64,
    /// Years from the restriction's start until the ramp begins.
    #[serde(default)]
    pub delay: f64,
    /// Years the ramp takes (0: a step at `delay`).
    #[serde(default)]
    pub over: f64,
}

impl Ramp {
    /// The same multiplier at all times.
    pub fn constant(value: f64) -> Self {
        Self {
            from: value,
            to: value,
            delay: 0.0,
            over: 0.0,
        }
    }

    /// The multiplier `t` years after the restriction's start.
    pub fn at(&self, t: f64) -> f64 {
        if t <= self.delay {
            self.from
        } else if t >= self.delay + self.over {
            self.to
        } else {
            self.from + (self.to - self.from) * (t - self.delay) / self.over
        }
    }

    /// The mean over `[a, b]` of `f(t)·g(t)` (an absent profile is 1): exact for these
    /// piecewise-linear profiles (Simpson's rule between their kinks). At `a = b`, the
    /// value there.
    pub fn mean(f: Option<&Ramp>, g: Option<&Ramp>, a: f64, b: f64) -> f64 {
        let value = |t: f64| f.map_or(1.0, |r| r.at(t)) * g.map_or(1.0, |r| r.at(t));
        if b <= a {
            return value(a);
        }
        // At most two kinks per profile: a fixed array keeps the engines allocation-free.
        let mut cuts = [b; 6];
        cuts[0] = a;
        let mut n = 2;
        for r in [f, g].into_iter().flatten() {
            for t in [r.delay, r.delay + r.over] {
                if t > a && t < b {
                    cuts[n - 1] = t;
                    cuts[n] = b;
                    n += 1;
                }
            }
        }
        let cuts = &mut cuts[..n];
        cuts.sort_by(f64::total_cmp);
        let integral: f64 = cuts
            .windows(2)
            .map(|w| {
                (w[1] - w[0]) / 6.0 * (value(w[0]) + 4.0 * value((w[0] + w[1]) / 2.0) + value(w[1]))
            })
            .sum();
        integral / (b - a)
    }

    /// Checks the multipliers are in [0, 1] and the times non-negative and finite.
    pub(crate) fn problem(&self) -> Option<String> {
        let shares = [("from", self.from), ("to", self.to)];
        let times = [("delay", self.delay), ("over", self.over)];
        shares
            .iter()
            .find(|(_, v)| !(0.0..=1.0).contains(v))
            .map(|(k, v)| format!("{k} = {v} is outside [0, 1]"))
            .or_else(|| {
                times
                    .iter()
                    .find(|(_, v)| !(v.is_finite() && *v >= 0.0))
                    .map(|(k, v)| format!("{k} = {v} must be a non-negative number of years"))
            })
    }
}
