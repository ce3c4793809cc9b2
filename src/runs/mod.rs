//! Scenario files and named runs: a file names the scenario, how to run it (Monte Carlo
//! and dynamic settings, what a run in time reports), the dataset it runs on and the
//! figures observed in history (docs/scenarios.md); [`run_named`] runs one and sets each
//! observed figure beside the simulated one ([`history`], docs/validation.md).

pub mod history;
mod money;
mod prices;
mod score;
mod values;

pub use history::{run_named, Comparison, NamedRun, Observable, Observed, Sample};
pub use money::{gdp, money, Band, Gdp, Money, MoneyRow, PriceRow};
pub use prices::{price_paths, PricePaths};
pub use score::{
    binomial_band, interval_score, score, validation, Episode, Figure, Validation, COVERAGE,
};
pub use values::ValuesFile;

use serde::{Deserialize, Serialize};

use crate::engine::DynamicSettings;
use crate::error::{Error, Location, Result};
use crate::montecarlo::{Paths, Settings};
use crate::scenario::ScenarioSpec;

/// The named scenarios of `scenarios/`, embedded in the crate: name and text.
macro_rules! named {
    ($($name:literal),*) => {
        &[$(($name, include_str!(concat!("../../scenarios/", $name, ".toml")))),*]
    };
}

/// The named scenarios (docs/scenarios.md), in the order the docs list them.
pub const NAMED: &[(&str, &str)] = named!(
    "us_plus8_embargo",
    "april_2025_licensing",
    "october_2025_expansion",
    "japan_2010",
    "japan_2010_quota",
    "japan_2026",
    "myanmar_2024",
    "mp_2025",
    "us_plus8_embargo_2027",
    "antimony_2024",
    "antimony_us_plus8_embargo",
    "graphite_2023",
    "graphite_us_plus8_embargo",
    "gallium_germanium_2023",
    "gallium_germanium_ban_2024",
    "gallium_germanium_us_plus8_embargo"
);

/// The 1-based line of a TOML scenario file where the field `path` is written
/// (`scenario.restrictions[0].targets[0]`): the `[[scenario.restrictions]]` table of that
/// index, then the line of its key. `None` where the file writes the field another way
/// (an inline table, a dotted key) and it cannot be found.
///
/// ```
/// let text = "[scenario]\nhorizon = 1\n[[scenario.restrictions]]\nexporters = [\"CN\"]\n\
///             [[scenario.restrictions]]\nexporters = [\"CN\"]\ntargets = { list = [\"JPN\"] }\n";
/// let line = shortfall::runs::line_of(text, "scenario.restrictions[1].targets[0]");
/// assert_eq!(line, Some(7));
/// assert_eq!(shortfall::runs::line_of(text, "scenario.horizon"), Some(2));
/// assert_eq!(shortfall::runs::line_of(text, "monte_carlo.draws"), None);
/// let text = "[monte_carlo]\ndraws = 10\n[[monte_carlo.outcomes]]\nproduct = \"zinc\"\n";
/// assert_eq!(shortfall::runs::line_of(text, "monte_carlo.outcomes[0].product"), Some(4));
/// ```
pub fn line_of(text: &str, path: &str) -> Option<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let header = |i: usize| lines[i].trim_start().starts_with('[');
    let (mut from, mut to) = (0, lines.len());
    let mut table = String::new();
    let segments: Vec<&str> = path.split('.').collect();
    let (last, tables) = segments.split_last()?;
    let mut found_table = None;
    for seg in tables {
        let (name, index) = split_index(seg);
        table = if table.is_empty() {
            name.to_string()
        } else {
            format!("{table}.{name}")
        };
        let wanted = match index {
            Some(_) => format!("[[{table}]]"),
            None => format!("[{table}]"),
        };
        // A table's sub-tables follow its own block: look from its header to the end.
        let at = (from..lines.len())
            .filter(|&i| lines[i].trim() == wanted)
            .nth(index.unwrap_or(0))?;
        from = at + 1;
        to = (from..lines.len())
            .find(|&i| header(i))
            .unwrap_or(lines.len());
        found_table = Some(at);
    }
    let (key, _) = split_index(last);
    (from..to)
        .find(|&i| {
            let l = lines[i].trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .or(found_table)
        .map(|i| i as u64 + 1)
}

/// A field error in `file` without a line, given the line of `text` that writes the field.
fn at_line(e: Error, file: &str, text: impl FnOnce() -> String) -> Error {
    match e {
        Error::InvalidField {
            field,
            reason,
            location,
        } if location.file == file && location.line.is_none() => Error::InvalidField {
            location: Location::new(file, line_of(&text(), &field)),
            field,
            reason,
        },
        other => other,
    }
}

/// `restrictions[2]` as `("restrictions", Some(2))`.
fn split_index(segment: &str) -> (&str, Option<usize>) {
    match segment.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
        None => (segment, None),
    }
}

/// A scenario file: the scenario, its Monte Carlo settings, and for a named scenario the
/// embedded dataset it runs on and how to run it in time (docs/scenarios.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The embedded dataset (`rare_earths_2024` when absent; `data::embedded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// A named values file of `scenarios/values/` applied to the scenario when the file is
    /// read (prices, final goods and the market step; [`ValuesFile::named`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
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
        let mut parsed: Self = crate::data::from_toml(text, file)?;
        parsed.apply_values(file)?;
        parsed
            .validate(file)
            .map_err(|e| at_line(e, file, || text.to_string()))?;
        Ok(parsed)
    }

    /// Applies the named values file, if any, to the scenario.
    fn apply_values(&mut self, file: &str) -> Result<()> {
        if let Some(name) = &self.values {
            let values = ValuesFile::named(name).map_err(|e| {
                Error::field("scenario file", "values", e.to_string()).in_file(file)
            })?;
            values.apply(&mut self.scenario);
        }
        Ok(())
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

    /// An error found while running the file at `path` (an unknown code, an overlap),
    /// moved into the file ([`Error::in_file`]) and, where the file is TOML and the
    /// field can be found in it, at its line ([`line_of`]).
    pub fn locate(e: Error, path: &std::path::Path) -> Error {
        let file = path.display().to_string();
        let text = || std::fs::read_to_string(path).unwrap_or_default();
        at_line(e.in_file(&file), &file, text)
    }

    /// Parses a JSON scenario file; errors carry the field path.
    ///
    /// # Errors
    /// [`Error::Json`] with the path, then every error of [`ScenarioSpec::validate`].
    pub fn from_json(text: &str, file: &str) -> Result<Self> {
        let mut parsed: Self = crate::data::from_json(text, file)?;
        parsed.apply_values(file)?;
        parsed.validate(file)?;
        Ok(parsed)
    }

    /// A named scenario of `scenarios/`, embedded in the crate (docs/scenarios.md):
    /// `us_plus8_embargo`, `april_2025_licensing`, `october_2025_expansion`, `japan_2010`
    /// or `us_plus8_embargo_2027`.
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
        let (file, text) = (NAMED.iter())
            .find(|(n, _)| *n == name)
            .map(|(n, text)| (format!("scenarios/{n}.toml"), *text))
            .ok_or_else(|| {
                let known: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
                Error::Unknown(format!(
                    "no named scenario `{name}` (known: {})",
                    known.join(", ")
                ))
            })?;
        Self::from_toml(text, &file)
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
