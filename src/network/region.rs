//! Regions: countries and aggregates such as the rest of the world.

use serde::{Deserialize, Serialize};

/// Index of a region in its network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RegionId(pub u32);

impl RegionId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A country, or an aggregate of countries (flagged, so rankings can say so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Code (ISO 3166-1 alpha-2 for countries, `RW` for the rest of the world).
    pub code: String,
    /// Name for display.
    pub name: String,
    /// True for aggregates (rest of world): they are flagged in rankings.
    #[serde(default)]
    pub aggregate: bool,
    /// Governance score on 0..10, higher = riskier (EU criticality method), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<f64>,
}

impl Region {
    /// A country with a code and a name, no aggregate flag, no governance score.
    ///
    /// ```
    /// let cn = shortfall::network::Region::new("CN", "China");
    /// assert_eq!(cn.code, "CN");
    /// assert!(!cn.aggregate);
    /// ```
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            name: name.into(),
            aggregate: false,
            governance: None,
        }
    }

    /// The same region flagged as an aggregate.
    pub fn aggregate(mut self) -> Self {
        self.aggregate = true;
        self
    }
}
