//! How results show themselves: aligned text, HTML tables in notebooks, CSV (docs/architecture.md).
//!
//! Every result implements [`Report`] by returning its [`Table`]s; `Display`, `to_html`
//! and the notebook hook `evcxr_display` are built on them.

mod atomic;
mod table;

pub use crate::numbers::{days, number, years};
pub use atomic::{check_folder, check_writable, write_atomic};
pub use table::{Cell, Table};

/// A result that can show itself as tables.
pub trait Report {
    /// The tables, in reading order.
    fn tables(&self) -> Vec<Table>;

    /// All tables as aligned text.
    fn to_text(&self) -> String {
        self.tables()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// All tables as HTML.
    fn to_html(&self) -> String {
        self.tables().iter().map(Table::to_html).collect()
    }

    /// The content blocks evcxr reads from a cell's output: an HTML block and a
    /// plain-text block.
    ///
    /// ```
    /// use shortfall::report::Report;
    /// let net = shortfall::network::toy_chain();
    /// let out = net.summary().evcxr_content();
    /// assert!(out.starts_with("EVCXR_BEGIN_CONTENT text/html\n<table>"));
    /// assert_eq!(out.matches("EVCXR_END_CONTENT").count(), 2);
    /// ```
    fn evcxr_content(&self) -> String {
        format!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT",
            self.to_html(),
            self.to_text()
        )
    }
}

/// Writes a result atomically (temporary file, then rename): `.json` (the whole result,
/// serde) or `.csv` (its first table).
///
/// # Errors
/// [`crate::Error::Io`], [`crate::Error::Json`], and [`crate::Error::WrongExtension`] for
/// another extension.
pub fn write<T: Report + serde::Serialize>(
    report: &T,
    path: &std::path::Path,
) -> crate::Result<()> {
    let text = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::to_string_pretty(report).map_err(|e| crate::Error::Json {
            file: path.display().to_string(),
            path: String::new(),
            message: e.to_string(),
        })?,
        Some("csv") => report
            .tables()
            .first()
            .map(Table::to_csv)
            .transpose()?
            .unwrap_or_default(),
        _ => {
            return Err(crate::Error::WrongExtension(format!(
                "{}: results are written as .json or .csv",
                path.display()
            )))
        }
    };
    write_atomic(path, text.as_bytes())
}

/// Prints a result for evcxr (see [`Report::evcxr_content`]).
pub fn evcxr_print(report: &dyn Report) {
    println!("{}", report.evcxr_content());
}

/// Implements `Display` through [`Report::to_text`] and an inherent `evcxr_display`, so a
/// notebook cell whose last value is the result shows its tables.
macro_rules! displayed_as_report {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::report::Report::to_text(self))
            }
        }
        impl $t {
            /// Shows the result in an evcxr notebook cell (HTML and plain text).
            pub fn evcxr_display(&self) {
                $crate::report::evcxr_print(self);
            }
        }
    };
}
pub(crate) use displayed_as_report;

/// The column label of a quantile level: `P5`, `P50`, `P99.9` (the level in percent, as
/// short as it is exact).
///
/// ```
/// use shortfall::report::percentile_label;
/// assert_eq!(percentile_label(0.05), "P5");
/// assert_eq!(percentile_label(0.999), "P99.9");
/// assert_eq!(percentile_label(0.0), "P0");
/// ```
pub fn percentile_label(p: f64) -> String {
    format!("P{}", (p * 1e6).round() / 1e4)
}
