//! Blocs: named groups of regions whose figures are summed per product and per draw.

use serde::{Deserialize, Serialize};

use super::{Network, RegionId};
use crate::error::{Error, Result};

/// The United States and its eight partners of the motivating scenario.
pub const US_PLUS_8: [&str; 9] = ["US", "JP", "SG", "KR", "GB", "NL", "AE", "AU", "IL"];

/// The 27 member states of the European Union (ISO 3166-1 alpha-2).
pub const EU_27: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// A named set of region codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bloc {
    /// Name (`US+8`).
    pub name: String,
    /// Member region codes.
    pub members: Vec<String>,
}

impl Bloc {
    /// A user-defined bloc.
    pub fn new(
        name: impl Into<String>,
        members: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            members: members.into_iter().map(Into::into).collect(),
        }
    }

    /// The United States, Japan, Singapore, South Korea, the United Kingdom, the Netherlands,
    /// the United Arab Emirates, Australia and Israel.
    ///
    /// ```
    /// let bloc = shortfall::network::Bloc::us_plus_8();
    /// assert_eq!(bloc.members.len(), 9);
    /// assert!(bloc.contains("IL"));
    /// ```
    pub fn us_plus_8() -> Self {
        Self::new("US+8", US_PLUS_8)
    }

    /// The EU member states present in `net` (a network rarely models all 27).
    pub fn eu(net: &Network) -> Self {
        Self::new(
            "EU",
            EU_27.iter().filter(|c| net.region_id(c).is_some()).copied(),
        )
    }

    /// Whether `code` is a member.
    pub fn contains(&self, code: &str) -> bool {
        self.members.iter().any(|m| m == code)
    }

    /// The members' ids in `net`.
    ///
    /// # Errors
    /// [`Error::UnknownBlocMember`] naming the first member absent from `net`.
    pub fn resolve(&self, net: &Network) -> Result<Vec<RegionId>> {
        self.members
            .iter()
            .map(|code| {
                net.region_id(code).ok_or_else(|| Error::UnknownBlocMember {
                    bloc: self.name.clone(),
                    code: code.clone(),
                })
            })
            .collect()
    }
}
