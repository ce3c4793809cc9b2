//! Scenario files and named runs: a file names the scenario, how to run it (Monte Carlo
//! and dynamic settings, what a run in time reports), the dataset it runs on and the
//! figures observed in history (docs/scenarios.md); [`run_named`] runs one and sets each
//! observed figure beside the simulated one ([`history`], docs/validation.md).

pub mod history;

pub use history::{run_named, Comparison, NamedRun, Observable, Observed, Sample};

use serde::{Deserialize, Serialize};

use crate::engine::DynamicSettings;
use crate::error::{Error, Location, Result};
use crate::montecarlo::{Paths, Settings};
use crate::scenario::ScenarioSpec;

/// A scenario file: the scenario, its Monte Carlo settings, and for a named scenario the
/// embedded dataset it runs on and how to run it in time (docs/scenarios.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The embedded dataset (`rare_earths_2024` when absent; `data::embedded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// The scenario.
    pub scenario: ScenarioSpec,
    /// How to run it.
    #[serde(default)]
    pub monte_carlo: Settings,
    /// The dynamic engine's settings, for a run in time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic: Option<DynamicSettings>,
    /// What a run in time reports (`montecarlo::run_paths`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Paths>,
    /// Figures observed in history, to compare with the run ([`run_named`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<Observed>,
}

impl ScenarioFile {
    /// Parses a TOML scenario file; errors carry the field path.
    ///
    /// # Errors
    /// [`Error::Toml`] with the path and line, then every error of
    /// [`ScenarioSpec::validate`].
    pub fn from_toml(text: &str, file: &str) -> Result<Self> {
        let de = toml::Deserializer::parse(text).map_err(|e| Error::Toml {
            file: file.into(),
            message: e.to_string(),
        })?;
        let parsed: Self = serde_path_to_error::deserialize(de).map_err(|e| Error::Toml {
            file: file.into(),
            message: format!("at `{}`: {}", e.path(), e.inner()),
        })?;
        parsed.validate(file)?;
        Ok(parsed)
    }

    /// Validates the scenario, with paths from the file's root (`scenario.horizon`).
    fn validate(&self, file: &str) -> Result<()> {
        self.monte_carlo.validate(file)?;
        match self.scenario.validate() {
            Err(Error::InvalidField { field, reason, .. }) => Err(Error::InvalidField {
                field: format!("scenario.{field}"),
                reason,
                location: Location::new(file, None),
            }),
            other => other.map(|_| ()),
        }
    }

    /// Parses a JSON scenario file; errors carry the field path.
    ///
    /// # Errors
    /// [`Error::Json`] with the path, then every error of [`ScenarioSpec::validate`].
    pub fn from_json(text: &str, file: &str) -> Result<Self> {
        let parsed: Self = crate::data::from_json(text, file)?;
        parsed.validate(file)?;
        Ok(parsed)
    }

    /// A named scenario of `scenarios/`, embedded in the crate (docs/scenarios.md):
    /// `us_plus8_embargo`, `april_2025_licensing`, `october_2025_expansion` or
    /// `japan_2010`.
    ///
    /// ```
    /// use shortfall::runs::ScenarioFile;
    /// let seed = ScenarioFile::named("us_plus8_embargo")?.with_draws(500);
    /// assert_eq!(seed.monte_carlo.draws, 500);
    /// assert_eq!(seed.scenario.restrictions[0].exporters, ["CN"]);
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unknown`] for another name; parse errors name the file.
    pub fn named(name: &str) -> Result<Self> {
        macro_rules! files {
            ($($name:literal),*) => {
                match name {
                    $($name => Self::from_toml(
                        include_str!(concat!("../../scenarios/", $name, ".toml")),
                        concat!("scenarios/", $name, ".toml"),
                    ),)*
                    other => Err(Error::Unknown(format!(
                        "no named scenario `{other}` (known: {})",
                        [$($name),*].join(", ")
                    ))),
                }
            };
        }
        files!(
            "us_plus8_embargo",
            "april_2025_licensing",
            "october_2025_expansion",
            "japan_2010"
        )
    }

    /// The same file with `draws` Monte Carlo draws (a knob for notebooks).
    pub fn with_draws(mut self, draws: u64) -> Self {
        self.monte_carlo.draws = draws;
        self
    }

    /// The embedded dataset the file names (`rare_earths_2024` when it names none).
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an unknown name.
    pub fn data(&self) -> Result<crate::data::Dataset> {
        crate::data::embedded(self.dataset.as_deref().unwrap_or("rare_earths_2024"))
    }

    /// Reads a `.toml` or `.json` scenario file.
    ///
    /// # Errors
    /// [`Error::Io`], parse and validation errors.
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let (name, text) = crate::data::read_text(path)?;
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Self::from_json(&text, &name),
            _ => Self::from_toml(&text, &name),
        }
    }
}
