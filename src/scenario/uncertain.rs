//! Uncertain parameters: a fixed value or a distribution (docs/model.md §6.1).
//!
//! A parameter is written in a file either as a number (`severity = 0.8`) or as a tagged
//! distribution (`severity = { beta = { alpha = 8, beta = 2 } }`). Every distribution maps
//! an open-interval uniform `u` in (0, 1) to a value through its inverse CDF (statrs), so
//! plain sampling and stratified designs use the same mapping.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use statrs::distribution::{ContinuousCDF, LogNormal, Normal, Triangular};

use super::quantile;

/// A parameter: a fixed number or a distribution.
///
/// ```
/// use shortfall::scenario::{Dist, Param};
/// let p: Param = toml::from_str::<std::collections::BTreeMap<String, Param>>(
///     "x = { pert = { low = 0.5, mode = 0.8, high = 1.0 } }",
/// ).unwrap()["x"].clone();
/// assert!(matches!(p, Param::Dist(Dist::Pert { .. })));
/// let median = p.quantile(0.5);
/// assert!(median > 0.7 && median < 0.85);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// A fixed value.
    Fixed(f64),
    /// A distribution.
    Dist(Dist),
}

impl Default for Param {
    fn default() -> Self {
        Param::Fixed(0.0)
    }
}

impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Fixed(v)
    }
}

/// The distributions a parameter can follow (named `Dist`, so it does not shadow the
/// `Distribution` traits of `rand` and `statrs` in a notebook that imports the prelude).
/// It prints readably: `triangular(low 0.25, mode 0.5, high 1)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Uniform on [low, high].
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Triangular on [low, high] with a mode.
    Triangular {
        /// Lower bound.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        high: f64,
    },
    /// PERT (a scaled beta with shape 4): `α = 1 + 4 (mode - low)/(high - low)`,
    /// `β = 1 + 4 (high - mode)/(high - low)`.
    Pert {
        /// Lower bound.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        high: f64,
    },
    /// Beta(α, β) on [0, 1].
    Beta {
        /// Shape α > 0.
        alpha: f64,
        /// Shape β > 0.
        beta: f64,
    },
    /// Normal(mean, sd): unbounded support.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation > 0.
        sd: f64,
    },
    /// A normal truncated to [low, high], by inverse CDF on the normal.
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Its standard deviation > 0.
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Lognormal: `ln X ~ Normal(mu, sigma)`; support (0, inf).
    Lognormal {
        /// Mean of `ln X`.
        mu: f64,
        /// Standard deviation of `ln X` > 0.
        sigma: f64,
    },
    /// Gamma(shape, rate); support [0, inf).
    Gamma {
        /// Shape > 0.
        shape: f64,
        /// Rate > 0.
        rate: f64,
    },
    /// 1 with probability p, else 0.
    Bernoulli {
        /// Probability in [0, 1].
        p: f64,
    },
    /// One of `values`, with `weights` (default equal).
    Choice {
        /// The values.
        values: Vec<f64>,
        /// Non-negative weights, as many as values, not all zero.
        #[serde(default)]
        weights: Vec<f64>,
    },
    /// An empirical distribution: each listed value equally likely (inverse CDF of the
    /// sorted list).
    Empirical {
        /// The values (at least one).
        values: Vec<f64>,
    },
}

/// Why a distribution's parameters are invalid: the parameter's name and the reason.
pub(crate) type Invalid = (&'static str, String);

impl std::fmt::Display for Dist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::report::number as n;
        let name = self.name();
        match self {
            Dist::Uniform { low, high } => write!(f, "{name}(low {}, high {})", n(*low), n(*high)),
            Dist::Triangular { low, mode, high } | Dist::Pert { low, mode, high } => write!(
                f,
                "{name}(low {}, mode {}, high {})",
                n(*low),
                n(*mode),
                n(*high)
            ),
            Dist::Beta { alpha, beta } => {
                write!(f, "{name}(alpha {}, beta {})", n(*alpha), n(*beta))
            }
            Dist::Normal { mean, sd } => write!(f, "{name}(mean {}, sd {})", n(*mean), n(*sd)),
            Dist::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => write!(
                f,
                "{name}(mean {}, sd {}, low {}, high {})",
                n(*mean),
                n(*sd),
                n(*low),
                n(*high)
            ),
            Dist::Lognormal { mu, sigma } => {
                write!(f, "{name}(mu {}, sigma {})", n(*mu), n(*sigma))
            }
            Dist::Gamma { shape, rate } => {
                write!(f, "{name}(shape {}, rate {})", n(*shape), n(*rate))
            }
            Dist::Bernoulli { p } => write!(f, "{name}(p {})", n(*p)),
            Dist::Choice { values, .. } | Dist::Empirical { values } => {
                write!(f, "{name}({} values)", values.len())
            }
        }
    }
}

impl Dist {
    /// Its own name, the tag in files.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Uniform { .. } => "uniform",
            Self::Triangular { .. } => "triangular",
            Self::Pert { .. } => "pert",
            Self::Beta { .. } => "beta",
            Self::Normal { .. } => "normal",
            Self::TruncatedNormal { .. } => "truncated_normal",
            Self::Lognormal { .. } => "lognormal",
            Self::Gamma { .. } => "gamma",
            Self::Bernoulli { .. } => "bernoulli",
            Self::Choice { .. } => "choice",
            Self::Empirical { .. } => "empirical",
        }
    }

    /// Checks the distribution's own parameters.
    pub(crate) fn check(&self) -> Result<(), Invalid> {
        let finite = |name, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err((name, format!("{v} is not finite")))
            }
        };
        let positive = |name, v: f64| {
            finite(name, v)?;
            if v > 0.0 {
                Ok(())
            } else {
                Err((name, format!("{v} must be positive")))
            }
        };
        // A bounded domain where the quantile function converges and is accurate.
        let within = |name, v: f64, (low, high): (f64, f64)| {
            if (low..=high).contains(&v) {
                Ok(())
            } else {
                Err((name, format!("{v} is outside [{low:e}, {high:e}]")))
            }
        };
        let shape = |name, v: f64| within(name, v, quantile::SHAPE_DOMAIN);
        let ordered = |low: f64, high: f64| {
            finite("low", low)?;
            finite("high", high)?;
            if !(high - low).is_finite() {
                Err((
                    "high",
                    format!("the range {low} to {high} is too wide to represent"),
                ))
            } else if low < high {
                Ok(())
            } else {
                Err(("high", format!("{high} must exceed low = {low}")))
            }
        };
        let mode_within = |low: f64, mode: f64, high: f64| {
            ordered(low, high)?;
            if (low..=high).contains(&mode) {
                Ok(())
            } else {
                Err(("mode", format!("{mode} must lie in [{low}, {high}]")))
            }
        };
        match *self {
            Self::Uniform { low, high } => ordered(low, high),
            Self::Triangular { low, mode, high } | Self::Pert { low, mode, high } => {
                mode_within(low, mode, high)
            }
            Self::Beta { alpha, beta } => shape("alpha", alpha).and(shape("beta", beta)),
            Self::Normal { mean, sd } => finite("mean", mean).and(positive("sd", sd)),
            Self::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                finite("mean", mean)?;
                positive("sd", sd)?;
                ordered(low, high)?;
                let n = Normal::new(mean, sd).map_err(|e| ("sd", e.to_string()))?;
                if n.cdf(high) - n.cdf(low) < 1e-12 {
                    return Err(("low", "the interval holds no probability mass".into()));
                }
                Ok(())
            }
            Self::Lognormal { mu, sigma } => finite("mu", mu).and(positive("sigma", sigma)),
            Self::Gamma { shape: k, rate: r } => {
                shape("shape", k).and(within("rate", r, quantile::RATE_DOMAIN))
            }
            Self::Bernoulli { p } => {
                if (0.0..=1.0).contains(&p) {
                    Ok(())
                } else {
                    Err(("p", format!("{p} must lie in [0, 1]")))
                }
            }
            Self::Choice {
                ref values,
                ref weights,
            } => {
                if values.is_empty() {
                    return Err(("values", "at least one value".into()));
                }
                if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                    return Err(("values", format!("{v} is not finite")));
                }
                if !weights.is_empty() {
                    if weights.len() != values.len() {
                        return Err((
                            "weights",
                            format!("{} weights for {} values", weights.len(), values.len()),
                        ));
                    }
                    let total: f64 = weights.iter().sum();
                    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
                        || !(total.is_finite() && total > 0.0)
                    {
                        return Err((
                            "weights",
                            "non-negative, not all zero, with a finite sum".into(),
                        ));
                    }
                }
                Ok(())
            }
            Self::Empirical { ref values } => {
                if values.is_empty() {
                    return Err(("values", "at least one value".into()));
                }
                if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                    return Err(("values", format!("{v} is not finite")));
                }
                // Files are sorted when read; a list built in code must come sorted.
                if values.is_sorted() {
                    Ok(())
                } else {
                    Err(("values", "must be in ascending order".into()))
                }
            }
        }
    }

    /// The closed hull of the support: every draw lies in it.
    pub fn support(&self) -> (f64, f64) {
        let hull = |v: &[f64]| {
            v.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(*x), b.max(*x))
                })
        };
        match *self {
            Self::Uniform { low, high }
            | Self::Triangular { low, high, .. }
            | Self::Pert { low, high, .. }
            | Self::TruncatedNormal { low, high, .. } => (low, high),
            Self::Beta { .. } | Self::Bernoulli { .. } => (0.0, 1.0),
            Self::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Self::Lognormal { .. } => (0.0, f64::INFINITY),
            Self::Gamma { .. } => (0.0, f64::INFINITY),
            Self::Choice { ref values, .. } | Self::Empirical { ref values } => hull(values),
        }
    }

    /// The value at probability `u` (the inverse CDF); `u` is clamped into the open
    /// interval (0, 1) first, since statrs refuses the ends. Invalid parameters (which
    /// `ScenarioSpec::validate` refuses) give NaN.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(f64::EPSILON / 2.0, 1.0 - f64::EPSILON / 2.0);
        // Parameters were checked, so the constructors cannot fail; a NaN marks a bug.
        match *self {
            Self::Uniform { low, high } => low + u * (high - low),
            Self::Triangular { low, mode, high } => {
                Triangular::new(low, high, mode).map_or(f64::NAN, |d| d.inverse_cdf(u))
            }
            Self::Pert { low, mode, high } => {
                let w = high - low;
                // 4 d / w, rounded as it always was, unless 4 d overflows.
                let part = |d: f64| match 4.0 * d / w {
                    v if v.is_finite() => v,
                    _ => 4.0 * (d / w),
                };
                let (a, b) = (1.0 + part(mode - low), 1.0 + part(high - mode));
                low + w * quantile::beta(a, b, u)
            }
            Self::Beta { alpha, beta } => quantile::beta(alpha, beta, u),
            Self::Normal { mean, sd } => {
                Normal::new(mean, sd).map_or(f64::NAN, |d| d.inverse_cdf(u))
            }
            Self::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => match Normal::new(mean, sd) {
                Ok(n) => {
                    let (a, b) = (n.cdf(low), n.cdf(high));
                    n.inverse_cdf(a + u * (b - a)).clamp(low, high)
                }
                Err(_) => f64::NAN,
            },
            Self::Lognormal { mu, sigma } => {
                LogNormal::new(mu, sigma).map_or(f64::NAN, |d| d.inverse_cdf(u))
            }
            Self::Gamma { shape, rate } => quantile::gamma(shape, u) / rate,
            Self::Bernoulli { p } => f64::from(u > 1.0 - p),
            Self::Choice {
                ref values,
                ref weights,
            } => {
                if weights.is_empty() {
                    values[((u * values.len() as f64) as usize).min(values.len() - 1)]
                } else {
                    let total: f64 = weights.iter().sum();
                    let mut acc = 0.0;
                    for (v, w) in values.iter().zip(weights) {
                        acc += w / total;
                        if u < acc {
                            return *v;
                        }
                    }
                    values[values.len() - 1]
                }
            }
            Self::Empirical { ref values } => {
                // The k-th smallest with k = ceil(u n) (inverse empirical CDF); validation
                // sorts the values (`ScenarioSpec::validate`).
                let n = values.len();
                values[((u * n as f64).ceil() as usize).clamp(1, n) - 1]
            }
        }
    }
}

impl Param {
    /// Whether the parameter is uncertain (a distribution).
    pub fn is_uncertain(&self) -> bool {
        matches!(self, Param::Dist(_))
    }

    /// The value at probability `u` (a fixed value ignores `u`).
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Param::Fixed(v) => *v,
            Param::Dist(d) => d.quantile(u),
        }
    }

    /// The closed hull of the support.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Param::Fixed(v) => (*v, *v),
            Param::Dist(d) => d.support(),
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamVisitor;
        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a distribution such as { beta = { alpha = 8, beta = 2 } }")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                Ok(Param::Fixed(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::Fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::Fixed(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Param, A::Error> {
                // Deserialised through the map itself, so field paths reach inside; the
                // enum reads one tag, and a second one is refused, not ignored.
                let mut dist = Dist::deserialize(de::value::MapAccessDeserializer::new(&mut map))?;
                if let Some(other) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a second distribution `{other}` in one parameter: give one"
                    )));
                }
                // Empirical values are kept sorted (the inverse CDF reads them in order).
                if let Dist::Empirical { values } = &mut dist {
                    values.sort_by(f64::total_cmp);
                }
                Ok(Param::Dist(dist))
            }
        }
        deserializer.deserialize_any(ParamVisitor)
    }
}
