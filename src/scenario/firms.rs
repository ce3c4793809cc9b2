//! Firms within a region (docs/model.md §5.5): how a region's users of an input differ in
//! their days of cover and in the share of their purchases from given origins, so that a
//! firm buying only from the restricting exporter in a region that mostly does not can
//! stop first.

use serde::{Deserialize, Serialize};

/// The firms of every region: a lognormal spread of cover, scaled per run, and sourcing
/// classes by region (docs/model.md §5.5).
///
/// ```
/// use shortfall::scenario::{FirmClass, Firms};
/// let firms = Firms::<f64> {
///     product: "magnet".into(),
///     origins: vec!["CN".into()],
///     cover_days: (14.0, 84.0),
///     cover_scale: 1.0,
///     classes: vec![FirmClass { region: "JP".into(), weight: 0.1, origin_share: 1.0 }],
/// };
/// assert!(firms.problem().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de> + From<f64>")
)]
pub struct Firms<P> {
    /// The input the firms use (a product id): `ndfeb_magnet_dy`.
    pub product: String,
    /// The origins (region codes) whose share of purchases differs across firms: the
    /// restricting exporters.
    pub origins: Vec<String>,
    /// Firms' days of cover of the input at their 5th and 95th percentiles: lognormal
    /// across the firms of every class.
    pub cover_days: (f64, f64),
    /// A multiplier on every firm's cover, drawn per run (the level of cover is uncertain,
    /// its spread across firms is the population); absent: 1.
    #[serde(default = "one")]
    pub cover_scale: P,
    /// Sourcing classes: a share of a region's use of the input in firms that buy a given
    /// share from the origins. The rest of the region's use is one class whose share makes
    /// the region's mean its data's (a region without classes is that one class).
    #[serde(default)]
    pub classes: Vec<FirmClass>,
}

fn one<P: From<f64>>() -> P {
    P::from(1.0)
}

/// Firms holding `weight` of a region's use of the input, buying `origin_share` of it
/// from the origins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirmClass {
    /// Region code.
    pub region: String,
    /// Share of the region's baseline use of the input, in (0, 1].
    pub weight: f64,
    /// Share of these firms' purchases from the origins, in [0, 1].
    pub origin_share: f64,
}

impl<P> Firms<P> {
    /// The first field outside its domain, as `(field, reason)`: origins empty, covers not
    /// `0 < p05 <= p95` finite, a weight outside (0, 1] or a region's weights above 1, a
    /// share outside [0, 1]. (The scale is checked with every drawn field.)
    pub fn problem(&self) -> Option<(String, String)> {
        if self.origins.is_empty() {
            return Some(("origins".into(), "an empty list: name the origins".into()));
        }
        let (low, high) = self.cover_days;
        if !(low.is_finite() && high.is_finite() && low > 0.0 && low <= high) {
            return Some((
                "cover_days".into(),
                format!("[{low}, {high}]: expected 0 < 5th percentile <= 95th, in days"),
            ));
        }
        for (i, c) in self.classes.iter().enumerate() {
            if !(c.weight > 0.0 && c.weight <= 1.0) {
                let why = format!("{} is outside (0, 1]", c.weight);
                return Some((format!("classes[{i}].weight"), why));
            }
            if !(0.0..=1.0).contains(&c.origin_share) {
                let why = format!("{} is outside [0, 1]", c.origin_share);
                return Some((format!("classes[{i}].origin_share"), why));
            }
            let total: f64 = (self.classes.iter())
                .filter(|d| d.region == c.region)
                .map(|d| d.weight)
                .sum();
            if total > 1.0 + 1e-12 {
                let why = format!(
                    "the classes of {} hold {total} of its use, more than 1",
                    c.region
                );
                return Some((format!("classes[{i}].weight"), why));
            }
        }
        None
    }

    /// The same firms with the scale mapped.
    pub(crate) fn with_scale<Q>(&self, cover_scale: Q) -> Firms<Q> {
        Firms {
            product: self.product.clone(),
            origins: self.origins.clone(),
            cover_days: self.cover_days,
            cover_scale,
            classes: self.classes.clone(),
        }
    }
}
