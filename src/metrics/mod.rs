//! Metrics that need no simulation: concentration, dependence and traced content
//! (docs/model.md §2).

mod concentration;
mod dependence;
mod leontief;
mod traced;

pub use concentration::{
    export_concentration, exports_by_region, governance_weighted, import_concentration,
    imports_by_origin, production_by_region, production_concentration, Concentration,
    ConcentrationRow, ConcentrationTable, GovernanceWeighted,
};
pub use dependence::{
    bloc_self_sufficiency, direct_origins, direct_share, net_import_reliance, DependenceRow,
    DependenceTable,
};
pub use leontief::{Leontief, DENSE_LIMIT};
pub use traced::{
    content, content_by_origin, content_by_origin_dense, touched_by, touched_by_content,
    ContentByOrigin, TouchedBy, BY_ORIGIN_LIMIT,
};

use serde::Serialize;

use crate::network::RegionId;

/// Why a metric has no value. Metrics return this instead of NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[non_exhaustive]
pub enum Undefined {
    /// Nothing is supplied (all quantities zero).
    #[error("undefined: no supply")]
    NoSupply,
    /// Apparent consumption is zero or negative.
    #[error("undefined: no apparent consumption")]
    NoConsumption,
    /// Only one supplier has a positive share (normalised HHI).
    #[error("undefined: a single supplier")]
    SingleSupplier,
    /// The traced content is zero, so origin shares have no denominator.
    #[error("undefined: no content")]
    NoContent,
    /// No supplier has a governance score.
    #[error("undefined: no governance score")]
    NoGovernanceScore,
    /// A quantity is negative or not finite.
    #[error("undefined: a quantity is negative or not finite")]
    InvalidQuantity,
}

/// Shares of a total by region, largest first (ties by region id), zeros dropped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shares(Vec<(RegionId, f64)>);

impl Shares {
    /// Shares of the positive quantities.
    ///
    /// # Errors
    /// [`Undefined::NoSupply`] when none is positive, [`Undefined::InvalidQuantity`] for
    /// a negative or non-finite quantity.
    pub fn of(quantities: impl IntoIterator<Item = (RegionId, f64)>) -> Result<Self, Undefined> {
        let mut q: Vec<(RegionId, f64)> = Vec::new();
        for (r, v) in quantities {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Undefined::InvalidQuantity);
            }
            if v > 0.0 {
                q.push((r, v));
            }
        }
        let total: f64 = q.iter().map(|(_, v)| v).sum();
        if total == 0.0 {
            return Err(Undefined::NoSupply);
        }
        for (_, v) in &mut q {
            *v /= total;
        }
        q.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(Self(q))
    }

    /// `(region, share)` pairs, largest first.
    pub fn iter(&self) -> impl Iterator<Item = (RegionId, f64)> + '_ {
        self.0.iter().copied()
    }

    /// The share of one region (zero if absent).
    pub fn of_region(&self, region: RegionId) -> f64 {
        self.0
            .iter()
            .find(|(r, _)| *r == region)
            .map_or(0.0, |(_, s)| *s)
    }

    /// Number of regions with a positive share.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true: shares exist only for a positive total.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
