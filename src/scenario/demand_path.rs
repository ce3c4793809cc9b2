//! Final demand in time (docs/model.md §5.7, final-demand paths): a multiplier per step on
//! what a region's final users ask of one product or of every product.

use serde::{Deserialize, Serialize};

use super::spec::MAX_MULTIPLIER;

/// The last step a final-demand path may reach.
pub const MAX_PATH_END: usize = 1_000_000;

/// A multiplier per step on the final demand of a region, for one product or all of them
/// (docs/model.md §5.7). Step `from_step + k` asks `path[k]` times its demand; the last
/// value holds through step `until_step - 1` when `until_step` is given; every other step
/// asks its demand unchanged. Several paths on one demand multiply. The dynamic engine
/// reads it; the static engine refuses it (its constant change is `demand_shifts`).
///
/// ```
/// use shortfall::scenario::DemandPath;
/// // BoARIO's hand-driven run: reg3's final demand at 0.8 for steps 10 to 99.
/// let path = DemandPath { region: "reg3".into(), product: None, from_step: 10,
///                         path: vec![0.8], until_step: Some(100) };
/// assert!(path.problem().is_none());
/// assert_eq!((path.at(9), path.at(10), path.at(99), path.at(100)), (1.0, 0.8, 0.8, 1.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandPath {
    /// Region code of the final users.
    pub region: String,
    /// Product id; absent: every product the region's final users buy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The first step the path applies to (0: the first step of the run).
    #[serde(default)]
    pub from_step: usize,
    /// Multipliers, one per step from `from_step`, each in [0, 1e6].
    pub path: Vec<f64>,
    /// With it, the last multiplier holds up to this step (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_step: Option<usize>,
}

impl DemandPath {
    /// The multiplier at step `t` (1 outside the path).
    pub fn at(&self, t: usize) -> f64 {
        let Some(k) = t.checked_sub(self.from_step) else {
            return 1.0;
        };
        match self.path.get(k) {
            Some(&v) => v,
            None if t < self.until_step.unwrap_or(0) => self.path.last().copied().unwrap_or(1.0),
            None => 1.0,
        }
    }

    /// The step after the last the path changes (its end).
    pub fn end(&self) -> usize {
        (self.from_step + self.path.len()).max(self.until_step.unwrap_or(0))
    }

    /// What is wrong with it, if anything: (field, reason).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.path.is_empty() {
            return Some(("path", "an empty path: give at least one multiplier".into()));
        }
        if let Some(v) = self
            .path
            .iter()
            .find(|v| !(v.is_finite() && (0.0..=MAX_MULTIPLIER).contains(*v)))
        {
            return Some((
                "path",
                format!("multiplier {v} is outside [0, {MAX_MULTIPLIER:e}]"),
            ));
        }
        if let Some(until) = self.until_step {
            if until < self.from_step + self.path.len() {
                return Some((
                    "until_step",
                    format!(
                        "{until} ends before the path does (step {})",
                        self.from_step + self.path.len()
                    ),
                ));
            }
        }
        if self.end() > MAX_PATH_END {
            return Some((
                "until_step",
                format!("the path ends after step {MAX_PATH_END}"),
            ));
        }
        None
    }
}
