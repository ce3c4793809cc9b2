//! The builder's CSV tables (layout in docs/model.md §1.6). Extra columns (`source`,
//! `note`, `hs_code`, `low`, `high`) are allowed and ignored by the builder.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::network::{
    Basis, ChainTables, Closure, NodeKind, Product, ProductionRecord, RecipeRecord, Region, Status,
    StockRecord, StockUnit, TradeRecord,
};

/// The text of each table, with the name used in error messages.
#[derive(Debug, Clone, Copy)]
pub struct TableFiles<'a> {
    /// `regions.csv`: `code,name,aggregate,governance`.
    pub regions: (&'a str, &'a str),
    /// `products.csv`: `id,name,unit,final_use`, optionally `mass_per_unit` (t per unit).
    pub products: (&'a str, &'a str),
    /// `production.csv`: `region,product,production,capacity,status`.
    pub production: (&'a str, &'a str),
    /// `trade.csv`: `exporter,importer,product,quantity,status`.
    pub trade: (&'a str, &'a str),
    /// `recipes.csv`: `output,input,coefficient,basis,region,status`.
    pub recipes: (&'a str, &'a str),
    /// `stocks.csv`: `region,product,quantity,unit,status` (may be empty).
    pub stocks: (&'a str, &'a str),
}

/// Reads the six tables from a folder (`stocks.csv` may be absent).
///
/// # Errors
/// [`Error::Io`] for a missing file, and every error of [`tables_from_strs`].
pub fn read_tables(dir: impl AsRef<Path>) -> Result<ChainTables> {
    let dir = dir.as_ref();
    let read = |name: &str, optional: bool| -> Result<(String, String)> {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok((path.display().to_string(), text)),
            Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => {
                Ok((path.display().to_string(), String::new()))
            }
            Err(source) => Err(Error::Io { path, source }),
        }
    };
    let files = [
        read("regions.csv", false)?,
        read("products.csv", false)?,
        read("production.csv", false)?,
        read("trade.csv", false)?,
        read("recipes.csv", false)?,
        read("stocks.csv", true)?,
    ];
    let f = |i: usize| (files[i].0.as_str(), files[i].1.as_str());
    tables_from_strs(TableFiles {
        regions: f(0),
        products: f(1),
        production: f(2),
        trade: f(3),
        recipes: f(4),
        stocks: f(5),
    })
}

/// The closing items a folder allows (docs/model.md §1.4): `closures.csv`, optional, one
/// row per product with columns **product** and **closure** (`secondary` or
/// `discrepancy`); each with the line it came from.
///
/// # Errors
/// [`Error::Io`], [`Error::Csv`], [`Error::MissingField`], and [`Error::InvalidField`] for
/// another closure or a product listed twice, naming the file and line.
pub fn read_closures(dir: impl AsRef<Path>) -> Result<Vec<(String, Closure, Location)>> {
    let Some((name, text)) = optional(dir.as_ref(), "closures.csv")? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(String, Closure, Location)> = Vec::new();
    let mut first = HashMap::new();
    for row in sheet((&name, &text))?.rows() {
        let product = row.text("product")?;
        once(&mut first, "closure of", product.clone(), &row.location)?;
        let closure = match row.text("closure")?.as_str() {
            "secondary" => Closure::Secondary,
            "discrepancy" => Closure::Discrepancy,
            other => {
                return Err(row.invalid(
                    "closure",
                    format!("`{other}`: expected `secondary` or `discrepancy`"),
                ))
            }
        };
        out.push((product, closure, row.location.clone()));
    }
    Ok(out)
}

/// An optional file of a folder: its name and text, or `None` when it is absent.
fn optional(dir: &Path, file: &str) -> Result<Option<(String, String)>> {
    let path = dir.join(file);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path.display().to_string(), text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io { path, source }),
    }
}

/// The joint outputs a folder declares (docs/model.md §1.8): `joint.csv`, optional, one
/// row per rule with columns **host**, **output**, **yield** (units of output per unit of
/// host, > 0) and region (absent: every region that makes the output).
///
/// # Errors
/// [`Error::Io`], [`Error::Csv`], [`Error::MissingField`], and [`Error::InvalidField`] for
/// a yield that is not a positive number, naming the file and line.
pub fn read_joint(dir: impl AsRef<Path>) -> Result<Vec<crate::network::JointRule>> {
    match optional(dir.as_ref(), "joint.csv")? {
        Some((name, text)) => joint_from_str((&name, &text)),
        None => Ok(Vec::new()),
    }
}

/// The joint outputs of a `joint.csv` text `(file name, text)`, as [`read_joint`] reads
/// them; the optional column `item` (`recycled` or `coproduct`) links the region's
/// labelled item of the output instead of its producers (docs/model.md §1.10).
///
/// # Errors
/// As [`read_joint`], and [`Error::InvalidField`] for another `item`.
pub fn joint_from_str(file: (&str, &str)) -> Result<Vec<crate::network::JointRule>> {
    let mut out = Vec::new();
    for row in sheet(file)?.rows() {
        let per_unit = row.number("yield")?;
        if !(per_unit.is_finite() && per_unit > 0.0) {
            return Err(row.invalid("yield", format!("{per_unit} must be a positive number")));
        }
        let region = row.get("region").map(str::to_string);
        out.push(crate::network::JointRule {
            host: row.text("host")?,
            output: row.text("output")?,
            per_unit,
            region,
            item: row.item(&[NodeKind::Recycled, NodeKind::Coproduct])?,
            location: row.location.clone(),
        });
    }
    Ok(out)
}

/// Parses the six tables from text.
///
/// # Errors
/// [`Error::Csv`] for malformed CSV, [`Error::MissingField`] for an absent or empty
/// required field, [`Error::InvalidField`] for a value that does not parse; each names
/// the file and line.
pub fn tables_from_strs(files: TableFiles<'_>) -> Result<ChainTables> {
    let mut t = ChainTables::default();
    let mut first = HashMap::new();
    for row in sheet(files.regions)?.rows() {
        once(&mut first, "region", row.text("code")?, &row.location)?;
        t.regions.push(Region {
            code: row.text("code")?,
            name: row.text("name")?,
            aggregate: row.flag("aggregate")?,
            governance: row.number_opt("governance")?,
        });
    }
    for row in sheet(files.products)?.rows() {
        once(&mut first, "product", row.text("id")?, &row.location)?;
        t.products.push(Product {
            id: row.text("id")?,
            name: row.text("name")?,
            unit: row.text("unit")?,
            final_use: row.get("final_use").is_none() || row.flag("final_use")?,
            mass_per_unit: row.number_opt("mass_per_unit")?,
        });
    }
    for row in sheet(files.production)?.rows() {
        t.production.push(ProductionRecord {
            region: row.text("region")?,
            product: row.text("product")?,
            production: row.number("production")?,
            capacity: row.number_opt("capacity")?,
            item: row.item(&[NodeKind::Secondary, NodeKind::Recycled, NodeKind::Coproduct])?,
            status: row.status()?,
            location: row.location.clone(),
        });
    }
    for row in sheet(files.trade)?.rows() {
        t.trade.push(TradeRecord {
            exporter: row.text("exporter")?,
            importer: row.text("importer")?,
            product: row.text("product")?,
            quantity: row.number("quantity")?,
            status: row.status()?,
            location: row.location.clone(),
        });
    }
    for row in sheet(files.recipes)?.rows() {
        let basis = match row.get("basis") {
            None | Some("input_per_output") => Basis::InputPerOutput,
            Some("yield") => Basis::Yield,
            Some(other) => {
                return Err(row.invalid(
                    "basis",
                    format!("`{other}`: expected `input_per_output` or `yield`"),
                ))
            }
        };
        t.recipes.push(RecipeRecord {
            output: row.text("output")?,
            input: row.text("input")?,
            coefficient: row.number("coefficient")?,
            basis,
            region: row.get("region").map(str::to_string),
            status: row.status()?,
            location: row.location.clone(),
        });
    }
    for row in sheet(files.stocks)?.rows() {
        let unit = match row.text("unit")?.as_str() {
            "t" | "tonnes" => StockUnit::Tonnes,
            "days" => StockUnit::Days,
            other => return Err(row.invalid("unit", format!("`{other}`: expected `t` or `days`"))),
        };
        t.stocks.push(StockRecord {
            region: row.text("region")?,
            product: row.text("product")?,
            quantity: row.number("quantity")?,
            unit,
            status: row.status()?,
            location: row.location.clone(),
        });
    }
    Ok(t)
}

/// One CSV record with its header map.
/// Refuses a region code or product id seen before in its table, naming both lines.
fn once(
    first: &mut HashMap<(&'static str, String), Option<u64>>,
    what: &'static str,
    code: String,
    at: &Location,
) -> Result<()> {
    match first.insert((what, code.clone()), at.line) {
        Some(line) => Err(Error::DuplicateRecord {
            key: format!("{what} {code}"),
            first: line.unwrap_or(0),
            location: at.clone(),
        }),
        None => Ok(()),
    }
}

struct Row<'h> {
    headers: &'h HashMap<String, usize>,
    record: csv::StringRecord,
    location: Location,
}

impl Row<'_> {
    /// The trimmed field, `None` when the column is absent or the cell empty.
    fn get(&self, field: &str) -> Option<&str> {
        self.headers
            .get(field)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn text(&self, field: &str) -> Result<String> {
        self.get(field)
            .map(str::to_string)
            .ok_or_else(|| Error::MissingField {
                field: field.into(),
                location: self.location.clone(),
            })
    }

    fn number_opt(&self, field: &str) -> Result<Option<f64>> {
        self.get(field)
            .map(|s| {
                s.replace('_', "")
                    .parse::<f64>()
                    .map_err(|_| self.invalid(field, format!("`{s}` is not a number")))
            })
            .transpose()
    }

    fn number(&self, field: &str) -> Result<f64> {
        self.number_opt(field)?.ok_or_else(|| Error::MissingField {
            field: field.into(),
            location: self.location.clone(),
        })
    }

    fn flag(&self, field: &str) -> Result<bool> {
        match self.get(field) {
            None | Some("false") | Some("no") | Some("0") => Ok(false),
            Some("true") | Some("yes") | Some("1") => Ok(true),
            Some(other) => Err(self.invalid(field, format!("`{other}`: expected true or false"))),
        }
    }

    /// The `item` column (docs/model.md §1.10): `producers` (also when absent) or one of
    /// the labelled supply items in `allowed`.
    fn item(&self, allowed: &[NodeKind]) -> Result<NodeKind> {
        let Some(word) = self.get("item") else {
            return Ok(NodeKind::Producer);
        };
        let kinds = std::iter::once(NodeKind::Producer).chain(allowed.iter().copied());
        kinds.clone().find(|k| k.word() == word).ok_or_else(|| {
            let words: Vec<&str> = kinds.map(NodeKind::word).collect();
            self.invalid("item", format!("`{word}`: expected {}", words.join(", ")))
        })
    }

    /// The `status` column (R, R*, S, D, E); absent means estimate.
    fn status(&self) -> Result<Status> {
        Ok(match self.get("status") {
            None | Some("E") => Status::Estimate,
            Some("R") => Status::Read,
            Some("R*") => Status::ReadQuoted,
            Some("S") => Status::Secondary,
            Some("D") => Status::Derived,
            Some(other) => {
                return Err(self.invalid("status", format!("`{other}`: expected R, R*, S, D or E")))
            }
        })
    }

    fn invalid(&self, field: &str, reason: String) -> Error {
        Error::InvalidField {
            field: field.into(),
            reason,
            location: self.location.clone(),
        }
    }
}

/// A parsed CSV text: its header map and records.
struct Sheet {
    headers: HashMap<String, usize>,
    records: Vec<(csv::StringRecord, Location)>,
}

impl Sheet {
    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(|(record, location)| Row {
            headers: &self.headers,
            record: record.clone(),
            location: location.clone(),
        })
    }
}

/// Parses a CSV text; `#` starts a comment line.
fn sheet((file, text): (&str, &str)) -> Result<Sheet> {
    if text.trim().is_empty() {
        return Ok(Sheet {
            headers: HashMap::new(),
            records: Vec::new(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| Error::Csv {
        location: Location::new(file, e.position().map(|p| p.line())),
        message: e.to_string(),
    };
    let headers = reader
        .headers()
        .map_err(csv_err)?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    let records = reader
        .records()
        .map(|r| {
            let record = r.map_err(csv_err)?;
            let line = record.position().map(|p| p.line());
            Ok((record, Location::new(file, line)))
        })
        .collect::<Result<_>>()?;
    Ok(Sheet { headers, records })
}
