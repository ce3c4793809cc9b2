//! Values for a dataset (docs/model.md §7): prices, final goods and the market step, kept
//! apart from scenarios so that every scenario on the same data reads the same figures
//! (`scenarios/values/`; sources in docs/data.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::scenario::{Market, Param, ScenarioSpec};

/// Prices, final goods and the market step of a dataset.
///
/// ```
/// use shortfall::runs::{ScenarioFile, ValuesFile};
/// let mut seed = ScenarioFile::named("us_plus8_embargo")?;
/// ValuesFile::named("rare_earths_2024")?.apply(&mut seed.scenario);
/// assert_eq!(seed.scenario.prices["ndfeb_magnet_dy"], 66000.0);
/// assert!(seed.scenario.market.is_some());
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuesFile {
    /// Money per unit of each product at baseline.
    #[serde(default)]
    pub prices: BTreeMap<String, f64>,
    /// Money of final goods per unit of a product's final use.
    #[serde(default)]
    pub final_goods: BTreeMap<String, f64>,
    /// The market step, with uncertain elasticities.
    #[serde(default)]
    pub market: Option<Market<Param>>,
}

impl ValuesFile {
    /// Parses a TOML values file; errors carry the field path.
    ///
    /// # Errors
    /// [`Error::Toml`] with the path, and every error of [`ScenarioSpec::validate`] for
    /// the values, named from the file's root (`market.products[0].lag`).
    pub fn from_toml(text: &str, file: &str) -> Result<Self> {
        let parsed: Self = crate::data::from_toml(text, file)?;
        let mut probe = ScenarioSpec {
            horizon: Param::Fixed(1.0),
            ..ScenarioSpec::default()
        };
        parsed.apply(&mut probe);
        match probe.validate() {
            Err(Error::InvalidField { field, reason, .. }) => Err(Error::InvalidField {
                field,
                reason,
                location: Location::new(file, None),
            }),
            Err(other) => Err(other),
            Ok(_) => Ok(parsed),
        }
    }

    /// The values of an embedded dataset: `rare_earths_2024`.
    ///
    /// # Errors
    /// [`Error::Unknown`] for another name.
    pub fn named(dataset: &str) -> Result<Self> {
        match dataset {
            "rare_earths_2024" => Self::from_toml(
                include_str!("../../scenarios/values/rare_earths_2024.toml"),
                "scenarios/values/rare_earths_2024.toml",
            ),
            other => Err(Error::Unknown(format!(
                "no values for the dataset `{other}` (known: rare_earths_2024)"
            ))),
        }
    }

    /// Sets a scenario's prices, final goods and market step to these. A product the
    /// scenario's adaptation already answers on the users' side (a thrifted input, the
    /// preferred input of a substitution group, docs/model.md §3.4) keeps its supply
    /// response and loses its demand response (`max_fall` 0), so that the two are not
    /// counted twice (docs/data.md).
    pub fn apply(&self, spec: &mut ScenarioSpec) {
        spec.prices = self.prices.clone();
        spec.final_goods = self.final_goods.clone();
        spec.market = self.market.clone();
        let adapted: Vec<&str> = (spec.adaptation.thrifting.iter().map(|t| t.input.as_str()))
            .chain(
                spec.adaptation
                    .substitution_groups
                    .iter()
                    .map(|g| g.input.as_str()),
            )
            .collect();
        if let Some(market) = spec.market.as_mut() {
            for p in &mut market.products {
                if adapted.contains(&p.product.as_str()) {
                    p.max_fall = Param::Fixed(0.0);
                }
            }
        }
    }
}
