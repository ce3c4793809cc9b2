//! Multi-regional input-output tables in pymrio's CSV layout (docs/model.md §5.1).
//!
//! pymrio's `save_all(path, table_format="csv")` writes `Z.csv`, `Y.csv` and `x.csv`,
//! tab-separated despite the name: two header rows (region, then sector or final-demand
//! category), a row naming the index columns, then one row per industry with its region
//! and sector. Comma-separated files with the same layout are read too.

use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::network::{Edge, Input, Network, NetworkParts, Node, NodeId, NodeKind};
use crate::network::{Product, ProductId, Region, RegionId, Sink};
use crate::tolerance;

/// The file texts of one table, each with the name used in error messages.
#[derive(Debug, Clone, Copy)]
pub struct PymrioFiles<'a> {
    /// `Z.csv`: intermediate flows, industries x industries.
    pub z: (&'a str, &'a str),
    /// `Y.csv`: final demand, industries x (region, category).
    pub y: (&'a str, &'a str),
    /// `x.csv`: gross output per industry.
    pub x: (&'a str, &'a str),
}

/// Reads `Z.csv`, `Y.csv` and `x.csv` from a folder written by pymrio and builds a
/// monetary [`Network`] (see [`network_from_pymrio`]).
///
/// ```
/// let net = shortfall::data::read_pymrio("tests/fixtures/boario/synthetic")?;
/// assert_eq!((net.regions().len(), net.products().len()), (4, 6));
/// assert!(!net.is_acyclic());
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] for a missing file, and every error of [`network_from_pymrio`].
pub fn read_pymrio(dir: impl AsRef<Path>) -> Result<Network> {
    let dir = dir.as_ref();
    let read = |name: &str| -> Result<(String, String)> {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .map(|text| (path.display().to_string(), text))
            .map_err(|source| Error::Io { path, source })
    };
    let (z, y, x) = (read("Z.csv")?, read("Y.csv")?, read("x.csv")?);
    network_from_pymrio(PymrioFiles {
        z: (&z.0, &z.1),
        y: (&y.0, &y.1),
        x: (&x.0, &x.1),
    })
}

/// Builds a monetary network from the three tables: regions and sectors in the order of
/// `Z`'s rows; one node per industry with capacity equal to output (capacity is not
/// observed in a monetary table); an edge per non-zero entry of `Z`; final demand summed
/// over categories per consuming region; inputs per unit of output summed over supplying
/// regions, `a[p, f] = Σ_i Z[(i,p), f] / x[f]`. Output is derived, `x = Z·1 + Y·1`, and
/// must agree with `x.csv` within [`tolerance::TABLE`].
///
/// # Errors
/// [`Error::Csv`] for unreadable numbers or ragged rows; [`Error::InvalidField`] when
/// labels differ between the files or the table is not every region by every sector;
/// [`Error::InvalidQuantity`] for a negative or non-finite flow or output, a negative net
/// final demand of a consuming region, a row whose `x` disagrees with `Z·1 + Y·1`, or an
/// industry without output that uses inputs.
pub fn network_from_pymrio(files: PymrioFiles<'_>) -> Result<Network> {
    let z = Matrix::parse(files.z, 2)?;
    let y = Matrix::parse(files.y, 2)?;
    let x = Matrix::parse(files.x, 1)?;
    if x.columns.len() != 1 {
        return Err(labels(
            files.x.0,
            "columns",
            &format!(
                "{} value columns: x.csv holds one, each industry's output",
                x.columns.len()
            ),
        ));
    }
    let industries = &z.rows;
    let mut first = std::collections::HashMap::new();
    for (i, row) in industries.iter().enumerate() {
        if let Some(j) = first.insert(row, i) {
            return Err(Error::DuplicateRecord {
                key: format!("{}/{}", row.0[0], row.1),
                first: z.line(j),
                location: Location::new(files.z.0, Some(z.line(i))),
            });
        }
    }
    if z.columns != *industries {
        return Err(labels(
            files.z.0,
            "columns",
            "must list the rows' industries in order",
        ));
    }
    for (m, name) in [(&y, files.y.0), (&x, files.x.0)] {
        if m.rows != *industries {
            return Err(labels(
                name,
                "rows",
                "must list Z's industries in Z's order",
            ));
        }
    }
    let mut regions: Vec<String> = Vec::new();
    let mut sectors: Vec<String> = Vec::new();
    for (r, s) in industries {
        if !regions.contains(&r[0]) {
            regions.push(r[0].clone());
        }
        if !sectors.contains(s) {
            sectors.push(s.clone());
        }
    }
    let (nr, ns, n) = (regions.len(), sectors.len(), industries.len());
    if nr * ns != n {
        return Err(labels(
            files.z.0,
            "rows",
            &format!("{n} industries are not {nr} regions x {ns} sectors"),
        ));
    }
    let region_of = |code: &str| regions.iter().position(|r| r == code);
    let id = |(r, s): &(Vec<String>, String)| -> usize {
        let r = region_of(&r[0]).unwrap_or(0);
        let s = sectors.iter().position(|t| t == s).unwrap_or(0);
        r * ns + s
    };
    // Industries in region-major order, whatever the file's order.
    let node_of: Vec<usize> = industries.iter().map(id).collect();
    let mut seen = vec![false; n];
    for (i, &k) in node_of.iter().enumerate() {
        if std::mem::replace(&mut seen[k], true) {
            return Err(labels(
                files.z.0,
                "rows",
                &format!(
                    "industry {}/{} appears twice",
                    industries[i].0[0], industries[i].1
                ),
            ));
        }
    }
    let consumer: Vec<usize> = y
        .columns
        .iter()
        .map(|(r, _)| {
            region_of(&r[0]).ok_or_else(|| {
                labels(
                    files.y.0,
                    "columns",
                    &format!("final-demand region `{}` has no industries in Z", r[0]),
                )
            })
        })
        .collect::<Result<_>>()?;

    let mut edges = Vec::new();
    let mut output = vec![0.0; n];
    let mut column = vec![vec![0.0; ns]; n];
    for (i, row) in z.values.chunks(n).enumerate() {
        let from = node_of[i];
        for (j, &v) in row.iter().enumerate() {
            nonnegative(v, files.z.0, z.line(i), &industries[i], &industries[j].1)?;
            if v > 0.0 {
                let to = node_of[j];
                output[from] += v;
                column[to][from % ns] += v;
                edges.push(edge(from, Sink::Node(NodeId(to as u32)), v));
            }
        }
    }
    let ny = y.columns.len();
    for (i, row) in y.values.chunks(ny).enumerate() {
        let from = node_of[i];
        let mut by_region = vec![0.0; nr];
        for (j, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                return Err(quantity(
                    files.y.0,
                    y.line(i),
                    &industries[i],
                    "final demand",
                    v,
                ));
            }
            by_region[consumer[j]] += v;
        }
        for (r, &v) in by_region.iter().enumerate() {
            if v < 0.0 {
                return Err(Error::InvalidQuantity {
                    field: format!("final demand of {}", regions[r]),
                    value: v,
                    reason: format!(
                        "net final demand for {}/{} is negative (categories summed)",
                        industries[i].0[0], industries[i].1
                    ),
                    location: Location::new(files.y.0, Some(y.line(i))),
                });
            }
            if v > 0.0 {
                output[from] += v;
                edges.push(edge(from, Sink::FinalUse(RegionId(r as u32)), v));
            }
        }
    }
    for (i, &given) in x.values.iter().enumerate() {
        let derived = output[node_of[i]];
        nonnegative(given, files.x.0, x.line(i), &industries[i], "x")?;
        if !tolerance::close(given, derived, tolerance::TABLE) {
            return Err(Error::InvalidQuantity {
                field: "x".into(),
                value: given,
                reason: format!(
                    "output of {}/{} differs from Z·1 + Y·1 = {derived}",
                    industries[i].0[0], industries[i].1
                ),
                location: Location::new(files.x.0, Some(x.line(i))),
            });
        }
    }

    let mut nodes = Vec::with_capacity(n);
    let mut inputs = Vec::with_capacity(n);
    for k in 0..n {
        let used: f64 = column[k].iter().sum();
        if output[k] == 0.0 && used > 0.0 {
            return Err(Error::InvalidQuantity {
                field: "x".into(),
                value: 0.0,
                reason: format!(
                    "{}/{} has no output but uses inputs",
                    regions[k / ns],
                    sectors[k % ns]
                ),
                location: Location::new(files.x.0, None),
            });
        }
        inputs.push(
            (0..ns)
                .filter(|&p| column[k][p] > 0.0)
                .map(|p| Input {
                    product: ProductId(p as u32),
                    per_unit: column[k][p] / output[k],
                })
                .collect(),
        );
        nodes.push(Node {
            region: RegionId((k / ns) as u32),
            product: ProductId((k % ns) as u32),
            kind: NodeKind::Producer,
            capacity: output[k],
            estimated: false,
        });
    }
    Network::monetary(NetworkParts {
        joint: Vec::new(),
        regions: regions.iter().map(|r| Region::new(r, r)).collect(),
        products: sectors
            .iter()
            .map(|s| Product::new(s, s, "money"))
            .collect(),
        nodes,
        inputs,
        edges,
        stocks: Vec::new(),
    })
}

fn edge(from: usize, to: Sink, flow: f64) -> Edge {
    Edge {
        from: NodeId(from as u32),
        to,
        flow,
        transit: None,
        estimate: 0.0,
    }
}

fn labels(file: &str, field: &str, reason: &str) -> Error {
    Error::InvalidField {
        field: field.into(),
        reason: reason.into(),
        location: Location::new(file, None),
    }
}

fn quantity(file: &str, line: u64, row: &(Vec<String>, String), field: &str, v: f64) -> Error {
    Error::InvalidQuantity {
        field: field.into(),
        value: v,
        reason: format!("for {}/{} must be finite", row.0[0], row.1),
        location: Location::new(file, Some(line)),
    }
}

fn nonnegative(
    v: f64,
    file: &str,
    line: u64,
    row: &(Vec<String>, String),
    field: &str,
) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidQuantity {
            field: field.into(),
            value: v,
            reason: format!(
                "flow from {}/{} must be non-negative and finite",
                row.0[0], row.1
            ),
            location: Location::new(file, Some(line)),
        })
    }
}

/// A labelled table: row labels (region, sector), column labels (header rows, last
/// header), values row-major.
struct Matrix {
    rows: Vec<(Vec<String>, String)>,
    columns: Vec<(Vec<String>, String)>,
    values: Vec<f64>,
    /// The 1-based file line of each row.
    lines: Vec<u64>,
}

impl Matrix {
    /// Parses a table with two index columns and `headers` header rows.
    fn parse((file, text): (&str, &str), headers: usize) -> Result<Self> {
        let tab = text.lines().next().is_some_and(|l| l.contains('\t'));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(if tab { b'\t' } else { b',' })
            .from_reader(text.as_bytes());
        let mut head: Vec<Vec<String>> = Vec::new();
        let mut m = Self {
            rows: Vec::new(),
            columns: Vec::new(),
            values: Vec::new(),
            lines: Vec::new(),
        };
        for record in reader.records() {
            let record = record.map_err(|e| Error::Csv {
                location: Location::new(file, e.position().map(|p| p.line())),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let fields: Vec<&str> = record.iter().map(str::trim).collect();
            if head.len() < headers {
                head.push(fields.iter().skip(2).map(|s| s.to_string()).collect());
                if head.len() == headers {
                    let width = head[0].len();
                    if head.iter().any(|h| h.len() != width) {
                        return Err(Error::Csv {
                            location: Location::new(file, Some(line)),
                            message: "header rows differ in length".into(),
                        });
                    }
                    m.columns = (0..width)
                        .map(|j| {
                            let outer = head[..headers - 1].iter().map(|h| h[j].clone());
                            (outer.collect(), head[headers - 1][j].clone())
                        })
                        .collect();
                }
                continue;
            }
            // The row naming the index columns (`region, sector`) carries no values.
            if fields.iter().skip(2).all(|f| f.is_empty()) {
                continue;
            }
            let width = m.columns.len();
            if fields.len() != width + 2 {
                return Err(Error::Csv {
                    location: Location::new(file, Some(line)),
                    message: format!("{} fields, expected {}", fields.len(), width + 2),
                });
            }
            for (j, f) in fields[2..].iter().enumerate() {
                let v = f.parse::<f64>().map_err(|_| Error::Csv {
                    location: Location::new(file, Some(line)),
                    message: format!("column {}: `{f}` is not a number", j + 3),
                })?;
                m.values.push(v);
            }
            m.rows
                .push((vec![fields[0].to_string()], fields[1].to_string()));
            m.lines.push(line);
        }
        if m.rows.is_empty() {
            return Err(Error::Csv {
                location: Location::new(file, None),
                message: "no data rows".into(),
            });
        }
        Ok(m)
    }

    fn line(&self, row: usize) -> u64 {
        self.lines[row]
    }
}

/// The embedded compact multi-regional table (docs/data.md, "The monetary table"): 12
/// regions (the US+8 members, China, the EU without the Netherlands, the rest of the
/// world) by 6 sectors (computers and electronics, electrical equipment, machinery, motor
/// vehicles, other transport, the rest of the economy), US$ million of 2022: gross output
/// and value added from the OECD ICIO 2025 edition, flows estimated by stated rules
/// (`scripts/mrio_2022.py`). The table of the bridge (docs/model.md §7.4).
///
/// ```
/// let table = shortfall::data::mrio_2022()?;
/// assert_eq!((table.regions().len(), table.products().len()), (12, 6));
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// Never for the shipped files (tested); every error of [`network_from_pymrio`].
pub fn mrio_2022() -> Result<Network> {
    network_from_pymrio(PymrioFiles {
        z: (
            "data/mrio_2022/Z.csv",
            include_str!("../../data/mrio_2022/Z.csv"),
        ),
        y: (
            "data/mrio_2022/Y.csv",
            include_str!("../../data/mrio_2022/Y.csv"),
        ),
        x: (
            "data/mrio_2022/x.csv",
            include_str!("../../data/mrio_2022/x.csv"),
        ),
    })
}
