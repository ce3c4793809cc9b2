//! A labelled table: the one form every result takes to show itself as text, HTML or CSV.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::numbers::number;

/// One cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A quantity in the column's unit.
    Number(f64),
    /// A share in [0, 1], shown as a percentage.
    Share(f64),
    /// Nothing (undefined, or not applicable), shown as `-`.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.into())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Number(v)
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Number(v) => f.write_str(&number(*v)),
            Cell::Share(v) => write!(f, "{:.1}%", v * 100.0),
            Cell::Empty => f.write_str("-"),
        }
    }
}

/// A table with a title, named columns (with units) and notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Title.
    pub title: String,
    /// Column headers, with the unit in the header (`production (t)`).
    pub columns: Vec<String>,
    /// Rows, as many cells as columns.
    pub rows: Vec<Vec<Cell>>,
    /// Lines printed under the table (sources, seed, horizon, caveats).
    pub notes: Vec<String>,
}

impl Table {
    /// An empty table with a title and columns.
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Self {
        Self {
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// Adds a note.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// An HTML table with a caption, cells escaped, numbers right-aligned.
    pub fn to_html(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<table><caption>{}</caption><thead><tr>",
            escape(&self.title)
        );
        for c in &self.columns {
            let _ = write!(s, "<th>{}</th>", escape(c));
        }
        s.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            s.push_str("<tr>");
            for cell in row {
                let align = if matches!(cell, Cell::Text(_)) {
                    "left"
                } else {
                    "right"
                };
                let _ = write!(
                    s,
                    "<td style=\"text-align:{align}\">{}</td>",
                    escape(&cell.to_string())
                );
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table>");
        for n in &self.notes {
            let _ = write!(s, "<p><small>{}</small></p>", escape(n));
        }
        s
    }

    /// The table as CSV (header row, then the cells as displayed; shares as fractions).
    ///
    /// # Errors
    /// Only if the CSV writer fails, which it does not on an in-memory buffer.
    pub fn to_csv(&self) -> crate::Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| crate::Error::Csv {
            location: crate::error::Location::new(&self.title, None),
            message: e.to_string(),
        };
        w.write_record(&self.columns).map_err(csv_err)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Number(v) | Cell::Share(v) => format!("{v}"),
                Cell::Text(t) => t.clone(),
                Cell::Empty => String::new(),
            }))
            .map_err(csv_err)?;
        }
        let bytes = w.into_inner().map_err(|e| csv_err(e.into_error().into()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        let mut width: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &cells {
            for (i, c) in row.iter().enumerate() {
                if i < width.len() {
                    width[i] = width[i].max(c.chars().count());
                }
            }
        }
        for line in wrap(&self.title, TEXT_WIDTH) {
            writeln!(f, "{line}")?;
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(f, "  {}", header.join("  ").trim_end())?;
        let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(f, "  {}", rule.join("  "))?;
        for (row, raw) in cells.iter().zip(&self.rows) {
            let line: Vec<String> = row
                .iter()
                .zip(raw)
                .zip(&width)
                .map(|((c, cell), w)| match cell {
                    Cell::Text(_) => format!("{c:<w$}"),
                    _ => format!("{c:>w$}"),
                })
                .collect();
            writeln!(f, "  {}", line.join("  ").trim_end())?;
        }
        for n in &self.notes {
            for line in wrap(n, TEXT_WIDTH - 2) {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

/// Titles and notes as text wrap at this many columns (tables as text are read in
/// terminals and notebooks of 120 columns).
pub const TEXT_WIDTH: usize = 120;

/// `text` in lines of at most `width` characters, broken at spaces (a longer word stands
/// on its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
