//! Files: builder tables as CSV, whole networks as JSON and TOML, atomic writes, and the
//! embedded datasets.

mod embedded;
mod monetary;
mod tables;

pub use embedded::{
    antimony_2024, embedded, gallium_germanium_2024, graphite_2024, japan_2010, rare_earths_2024,
    Dataset, Source, DATASETS,
};
pub use monetary::{mrio_2022, network_from_pymrio, read_pymrio, PymrioFiles};
pub use tables::{
    joint_from_str, read_closures, read_joint, read_tables, tables_from_strs, TableFiles,
};

use std::path::Path;

use crate::error::{Error, Result};
use crate::network::Network;

/// Parses a network from JSON; errors give the field path (`flows[3].flow`).
///
/// # Errors
/// [`Error::Json`] for malformed documents, and every validation error of
/// [`Network::new`].
pub fn network_from_json(text: &str, file: &str) -> Result<Network> {
    from_json(text, file)
}

/// One JSON document of `T` and nothing after it (a UTF-8 byte-order mark is skipped);
/// errors give the field path.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let de = &mut serde_json::Deserializer::from_str(text);
    let json = |path: String, message: String| Error::Json {
        file: file.into(),
        path,
        message,
    };
    let value = serde_path_to_error::deserialize(&mut *de)
        .map_err(|e| json(e.path().to_string(), e.into_inner().to_string()))?;
    de.end()
        .map_err(|e| json(".".into(), format!("data after the document: {e}")))?;
    Ok(value)
}

/// Parses a TOML document into `T`; errors name the file and the field path.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let de = toml::Deserializer::parse(text).map_err(|e| Error::Toml {
        file: file.into(),
        message: e.to_string(),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| Error::Toml {
        file: file.into(),
        message: format!("at `{}`: {}", e.path(), e.inner()),
    })
}

/// Parses a network from TOML.
///
/// # Errors
/// [`Error::Toml`] (naming line and key) and every validation error of [`Network::new`].
pub fn network_from_toml(text: &str, file: &str) -> Result<Network> {
    toml::from_str(text).map_err(|e| Error::Toml {
        file: file.into(),
        message: e.to_string(),
    })
}

/// The network as JSON (floats round-trip exactly).
///
/// # Errors
/// None in practice; serialisation of a validated network does not fail.
pub fn network_to_json(net: &Network) -> Result<String> {
    serde_json::to_string_pretty(net).map_err(|e| Error::Json {
        file: "<memory>".into(),
        path: String::new(),
        message: e.to_string(),
    })
}

/// The network as TOML.
///
/// # Errors
/// None in practice; serialisation of a validated network does not fail.
pub fn network_to_toml(net: &Network) -> Result<String> {
    toml::to_string(net).map_err(|e| Error::Toml {
        file: "<memory>".into(),
        message: e.to_string(),
    })
}

/// The text of a file and its name for messages.
pub(crate) fn read_text(path: &Path) -> Result<(String, String)> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    Ok((path.display().to_string(), text))
}

/// Reads a network from a `.json` or `.toml` file, or from a folder of the builder's CSV
/// tables (`regions.csv`, `products.csv`, `production.csv`, `trade.csv`, `recipes.csv`,
/// optionally `stocks.csv`, `closures.csv` and `joint.csv`; docs/model.md §1.6). A folder whose
/// balances do not close gets every failed check, each with the line of `closures.csv`
/// that would close it with a labelled estimate (docs/model.md §1.4).
///
/// ```
/// let net = shortfall::data::read_network(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/notebooks/my_chain"))?;
/// assert!(net.region_id("AA").is_some());
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`], parse, build and validation errors, and [`Error::WrongExtension`] for
/// another extension.
pub fn read_network(path: impl AsRef<Path>) -> Result<Network> {
    let path = path.as_ref();
    if path.is_dir() {
        return Ok(read_folder(path)?.network);
    }
    let (name, text) = read_text(path)?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => network_from_json(&text, &name),
        Some("toml") => network_from_toml(&text, &name),
        _ => Err(Error::WrongExtension(format!(
            "{name}: a network file ends in .json or .toml"
        ))),
    }
}

/// Builds a network from a folder of the builder's CSV tables (docs/model.md §1.6), with
/// the closing items its `closures.csv` allows and the joint outputs of its `joint.csv`;
/// the build report lists conversions, closing items and warnings (a closing item above
/// a quarter of its region's need, §1.4).
///
/// ```
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/notebooks/my_chain");
/// let build = shortfall::data::read_folder(dir)?;
/// assert!(build.report.warnings.is_empty());
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`], parse, build and validation errors, naming file and line.
pub fn read_folder(path: impl AsRef<Path>) -> Result<crate::network::Build> {
    let path = path.as_ref();
    let tables = read_tables(path)?;
    let closures = read_closures(path)?;
    let mut builder = crate::network::Builder::new(tables);
    for (product, closure, location) in closures {
        if !builder.tables().products.iter().any(|p| p.id == product) {
            return Err(Error::UnknownProduct {
                code: product,
                field: "product".into(),
                location,
            });
        }
        builder = builder.closure(product, closure);
    }
    for rule in read_joint(path)? {
        builder = builder.joint(rule);
    }
    builder.build()
}

/// Writes a network to a `.json` or `.toml` file, atomically (no half-written file).
///
/// # Errors
/// [`Error::Io`], and [`Error::WrongExtension`] for another extension.
pub fn write_network(net: &Network, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let text = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => network_to_json(net)?,
        Some("toml") => network_to_toml(net)?,
        _ => {
            return Err(Error::WrongExtension(format!(
                "{}: a network file ends in .json or .toml",
                path.display()
            )))
        }
    };
    crate::report::write_atomic(path, text.as_bytes())
}
