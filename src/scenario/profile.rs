//! Time profiles: how a restriction's severity and leakage, and substitution, change over
//! the restriction (docs/model.md §3.3).

use serde::{Deserialize, Serialize};

/// A multiplier on a field over time since the restriction started: `from` until `delay`
/// years, then linear to `to` over `over` years, then `to`; with a second phase `then`,
/// from `to` at `then.delay` linear to `then.to` over `then.over` years. Licences approved
/// at a rising rate are a severity ramp from 1 down; spare capacity that comes in after a
/// lag is a substitution ramp from 0 up; refusals that build up as pre-declared shipments
/// run out and then fall as licences come are two phases (docs/model.md §3.3).
///
/// ```
/// use shortfall::scenario::Ramp;
/// let approvals = Ramp { from: 1.0, to: 0.4, delay: 0.1, over: 0.2, then: None };
/// assert_eq!(approvals.at(0.05), 1.0);
/// assert!((approvals.at(0.2) - 0.7).abs() < 1e-12);
/// assert_eq!(approvals.at(0.5), 0.4);
/// // The mean over the first half year: 0.1 at 1, 0.2 falling to 0.4, 0.2 at 0.4.
/// assert!((Ramp::mean(Some(&approvals), None, 0.0, 0.5) - (0.1 + 0.2 * 0.7 + 0.08) / 0.5).abs() < 1e-12);
/// ```
///
/// Two phases: refusals rise from 0 to 0.8 over the first 0.1 year, hold, then fall to 0
/// over 0.1 year from 0.2.
///
/// ```
/// use shortfall::scenario::{Phase, Ramp};
/// let refusals = Ramp {
///     from: 0.0, to: 0.8, delay: 0.0, over: 0.1,
///     then: Some(Phase { to: 0.0, delay: 0.2, over: 0.1 }),
/// };
/// assert!((refusals.at(0.05) - 0.4).abs() < 1e-12);
/// assert_eq!(refusals.at(0.15), 0.8);
/// assert!((refusals.at(0.25) - 0.4).abs() < 1e-12);
/// // Over 0.4 year: triangles of 0.04 each, 0.08 held at 0.8, nothing after 0.3.
/// let mean = Ramp::mean(Some(&refusals), None, 0.0, 0.4);
/// assert!((mean - (0.04 + 0.08 + 0.04) / 0.4).abs() < 1e-12);
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
    /// A second phase after the first ends; absent: `to` from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Phase>,
}

/// The second phase of a [`Ramp`]: from the first phase's `to`, held until `delay` years
/// after the restriction's start (at least the first phase's end), linear to `to` over
/// `over` years, then `to`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// The multiplier at the end, in [0, 1].
    pub to: f64,
    /// Years from the restriction's start until the phase begins.
    pub delay: f64,
    /// Years the phase takes (0: a step at `delay`).
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
            then: None,
        }
    }

    /// The same profile with every time multiplied by `k` (a restriction's `timing`,
    /// docs/model.md §3.3).
    pub fn stretched(&self, k: f64) -> Self {
        Self {
            delay: self.delay * k,
            over: self.over * k,
            then: self.then.map(|p| Phase {
                delay: p.delay * k,
                over: p.over * k,
                ..p
            }),
            ..*self
        }
    }

    /// The pieces: `(start, from, to, over)` of the first phase and, with one, the second.
    fn phases(&self) -> [(f64, f64, f64, f64); 2] {
        let first = (self.delay, self.from, self.to, self.over);
        let second = self
            .then
            .map_or(first, |p| (p.delay, self.to, p.to, p.over));
        [first, second]
    }

    /// The multiplier `t` years after the restriction's start.
    pub fn at(&self, t: f64) -> f64 {
        let [first, second] = self.phases();
        let phase = if t > second.0 { second } else { first };
        let (delay, from, to, over) = phase;
        if t <= delay {
            from
        } else if t >= delay + over {
            to
        } else {
            from + (to - from) * (t - delay) / over
        }
    }

    /// The multiplier just after `t`: the limit from the right, which differs from
    /// [`Ramp::at`] only at a step (`over = 0`), where it is the step's end at its instant.
    pub fn after(&self, t: f64) -> f64 {
        let [first, second] = self.phases();
        let (delay, from, to, over) = if t >= second.0 { second } else { first };
        if t < delay {
            from
        } else if t >= delay + over {
            to
        } else {
            // Within the chosen phase's ramp (not `at`, which at the second phase's start
            // would read the first phase: a step into a ramp at one instant).
            from + (to - from) * (t - delay) / over
        }
    }

    /// The times where the profile may kink.
    fn kinks(&self) -> [f64; 4] {
        let end = self.delay + self.over;
        let (a, b) = self
            .then
            .map_or((end, end), |p| (p.delay, p.delay + p.over));
        [self.delay, end, a, b]
    }

    /// The mean over `[a, b]` of `f(t)·g(t)` (an absent profile is 1): exact for these
    /// piecewise-linear profiles (Simpson's rule between their kinks, each piece's ends
    /// taken as limits from inside the piece, so a step counts from where it happens;
    /// docs/model.md §3.3). At `a = b`, the value there.
    ///
    /// ```
    /// use shortfall::scenario::Ramp;
    /// // A step from 0 to 1 at half a year: the mean over the year is one half.
    /// let step = Ramp { from: 0.0, to: 1.0, delay: 0.5, over: 0.0, then: None };
    /// assert!((Ramp::mean(Some(&step), None, 0.0, 1.0) - 0.5).abs() < 1e-15);
    /// ```
    pub fn mean(f: Option<&Ramp>, g: Option<&Ramp>, a: f64, b: f64) -> f64 {
        let value = |t: f64| f.map_or(1.0, |r| r.at(t)) * g.map_or(1.0, |r| r.at(t));
        let after = |t: f64| f.map_or(1.0, |r| r.after(t)) * g.map_or(1.0, |r| r.after(t));
        if b <= a {
            return value(a);
        }
        // At most four kinks per profile: a fixed array keeps the engines allocation-free.
        let mut cuts = [b; 10];
        cuts[0] = a;
        let mut n = 2;
        for r in [f, g].into_iter().flatten() {
            for t in r.kinks() {
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
                (w[1] - w[0]) / 6.0 * (after(w[0]) + 4.0 * value((w[0] + w[1]) / 2.0) + value(w[1]))
            })
            .sum();
        integral / (b - a)
    }

    /// Fits a ramp ending at `to` to observed means over windows `(a, b, mean)` (years since
    /// the start; docs/validation.md): least squares over `from`, `delay` and `over`, the
    /// times on a grid of whole days up to the last window's end, `from` in closed form
    /// (the mean over a window is affine in it) clamped to [0, 1]. Returns the ramp and
    /// the root mean square of its residuals.
    ///
    /// ```
    /// use shortfall::scenario::Ramp;
    /// let truth = Ramp { from: 0.8, to: 0.0, delay: 30.0 / 365.0, over: 45.0 / 365.0, then: None };
    /// let months: Vec<(f64, f64, f64)> = [(0.0, 30.0), (30.0, 60.0), (60.0, 90.0), (90.0, 120.0)]
    ///     .iter()
    ///     .map(|&(a, b)| (a / 365.0, b / 365.0, Ramp::mean(Some(&truth), None, a / 365.0, b / 365.0)))
    ///     .collect();
    /// let (fit, rms) = Ramp::fit(&months, 0.0)?;
    /// assert!(rms < 1e-12 && (fit.from - 0.8).abs() < 1e-9);
    /// assert!((fit.delay * 365.0 - 30.0).abs() < 1e-6 && (fit.over * 365.0 - 45.0).abs() < 1e-6);
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::InvalidSetting`] without windows, or for a window that is empty,
    /// negative or whose mean is outside [0, 1], one that ends after two years
    /// (`MAX_FIT_YEARS`), or `to` outside [0, 1].
    pub fn fit(windows: &[(f64, f64, f64)], to: f64) -> crate::Result<(Ramp, f64)> {
        let bad = |why: String| Err(crate::Error::InvalidSetting(why));
        if windows.is_empty() {
            return bad("a ramp is fitted to at least one window".into());
        }
        if !(0.0..=1.0).contains(&to) {
            return bad(format!("to = {to} is outside [0, 1]"));
        }
        if let Some(w) = windows
            .iter()
            .find(|(a, b, m)| !(*a >= 0.0 && b > a && (0.0..=1.0).contains(m)))
        {
            return bad(format!(
                "window {w:?}: expected 0 <= a < b and a mean in [0, 1]"
            ));
        }
        let end = windows.iter().map(|w| w.1).fold(0.0, f64::max);
        if end > super::calibration::MAX_FIT_YEARS {
            return bad(format!(
                "a window ends {end} years after the start; a fit takes windows within {} years",
                super::calibration::MAX_FIT_YEARS
            ));
        }
        let days = (end * 365.0).ceil() as usize;
        let mut best = (Ramp::constant(to), f64::INFINITY);
        for delay in 0..=days {
            for over in 0..=days - delay {
                let shape = Ramp {
                    from: 1.0,
                    to: 0.0,
                    delay: delay as f64 / 365.0,
                    over: over as f64 / 365.0,
                    then: None,
                };
                // mean = from·W + to·(1 - W), W the mean of the shape over the window.
                let w: Vec<f64> = windows
                    .iter()
                    .map(|&(a, b, _)| Ramp::mean(Some(&shape), None, a, b))
                    .collect();
                let (num, den) = windows.iter().zip(&w).fold((0.0, 0.0), |(n, d), (o, w)| {
                    (n + w * (o.2 - to * (1.0 - w)), d + w * w)
                });
                let from = if den > 0.0 {
                    (num / den).clamp(0.0, 1.0)
                } else {
                    to
                };
                let ss: f64 = windows
                    .iter()
                    .zip(&w)
                    .map(|(o, w)| (from * w + to * (1.0 - w) - o.2).powi(2))
                    .sum();
                if ss < best.1 - 1e-15 {
                    best = (Ramp { from, to, ..shape }, ss);
                }
            }
        }
        Ok((best.0, (best.1 / windows.len() as f64).sqrt()))
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
            .or_else(|| {
                let p = self.then?;
                let end = self.delay + self.over;
                if !(0.0..=1.0).contains(&p.to) {
                    Some(format!("then.to = {} is outside [0, 1]", p.to))
                } else if !(p.over.is_finite() && p.over >= 0.0) {
                    Some(format!("then.over = {} must be a non-negative number of years", p.over))
                } else if !(p.delay.is_finite() && p.delay >= end) {
                    Some(format!(
                        "then.delay = {} must be at least the first phase's end, delay + over = {end}",
                        p.delay
                    ))
                } else {
                    None
                }
            })
    }
}
