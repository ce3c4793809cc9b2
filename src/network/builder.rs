//! The physical chain builder (docs/model.md §1): production and capacity by region,
//! bilateral trade, recipes and stocks become a balanced [`Network`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::origin::{self, Lot, ProductTrade, Reexport};
use super::records::{ChainTables, StockUnit};
use super::{Edge, Input, Network, NetworkParts, Node, NodeId, NodeKind, Sink};
use super::{ProductId, RegionId};
use crate::error::{BalanceProblem, Error, Location, Result};

/// How a negative residual final use of a product is closed (model.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Closure {
    /// An error naming region, product and size (the default).
    #[default]
    Error,
    /// A labelled secondary-and-unrecorded supply node in the region closes the gap
    /// (an estimate, outside capacity and restrictions).
    Secondary,
    /// A labelled statistical-discrepancy node closes the gap.
    Discrepancy,
}

/// What the builder did besides building: conversions, re-exports, closing items.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BuildReport {
    /// Re-exports converted to an origin basis.
    pub reexports: Vec<Reexport>,
    /// Stocks given in days of cover and converted: (region, product, days, tonnes).
    pub converted_stocks: Vec<(String, String, f64, f64)>,
    /// Closing items added: (region, product, kind, size a year).
    pub closures: Vec<(String, String, NodeKind, f64)>,
    /// Residual final use of products with no real final use: (region, product, size).
    pub unallocated: Vec<(String, String, f64)>,
}

/// The network and the report of how it was built.
#[derive(Debug, Clone)]
pub struct Build {
    /// The balanced network.
    pub network: Network,
    /// Conversions, re-exports and closing items, each with its size.
    pub report: BuildReport,
}

/// Builds a network from [`ChainTables`].
///
/// ```
/// use shortfall::network::{toy_tables, Builder};
/// let build = Builder::new(toy_tables()).build().unwrap();
/// assert_eq!(build.report.reexports.len(), 2); // the hub NL re-exports oxide and magnets
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    tables: ChainTables,
    closures: HashMap<String, Closure>,
}

/// One recipe input: product, units per unit of output, whether the figure is an estimate.
type RecipeInput = (ProductId, f64, bool);

/// A user of a region's supply of a product, with what it needs a year.
struct User {
    sink: Sink,
    need: f64,
    estimate: bool,
}

impl Builder {
    /// A builder over `tables`, with every closure an error.
    pub fn new(tables: ChainTables) -> Self {
        Self {
            tables,
            closures: HashMap::new(),
        }
    }

    /// The tables it builds from.
    pub fn tables(&self) -> &ChainTables {
        &self.tables
    }

    /// How negative residual final use of `product` is closed.
    pub fn closure(mut self, product: impl Into<String>, closure: Closure) -> Self {
        self.closures.insert(product.into(), closure);
        self
    }

    /// Builds the network, running the checks of docs/model.md §1.4.
    ///
    /// # Errors
    /// Unknown codes, bad quantities and duplicates name the record; cyclic recipes name the
    /// cycle; the balance checks that fail are all listed in [`Error::Unbalanced`].
    pub fn build(&self) -> Result<Build> {
        let t = &self.tables;
        let regions = index(&t.regions, |r| r.code.as_str());
        let products = index(&t.products, |p| p.id.as_str());
        let (nr, np) = (t.regions.len(), t.products.len());
        let region = |code: &str, field: &str, loc: &Location| {
            regions
                .get(code)
                .map(|&i| RegionId(i as u32))
                .ok_or_else(|| Error::UnknownRegion {
                    code: code.into(),
                    field: field.into(),
                    location: loc.clone(),
                })
        };
        let product = |id: &str, field: &str, loc: &Location| {
            products
                .get(id)
                .map(|&i| ProductId(i as u32))
                .ok_or_else(|| Error::UnknownProduct {
                    code: id.into(),
                    field: field.into(),
                    location: loc.clone(),
                })
        };
        for (code, closure) in &self.closures {
            if *closure != Closure::Error && !products.contains_key(code.as_str()) {
                return Err(Error::InvalidSetting(format!(
                    "closure for unknown product `{code}`"
                )));
            }
        }

        // Production: one node per record.
        let mut nodes = Vec::new();
        let mut node_at: HashMap<(RegionId, ProductId), NodeId> = HashMap::new();
        let mut first_line: HashMap<(RegionId, ProductId), Option<u64>> = HashMap::new();
        let mut production = vec![vec![0.0; nr]; np];
        for rec in &t.production {
            let loc = &rec.location;
            let r = region(&rec.region, "region", loc)?;
            let p = product(&rec.product, "product", loc)?;
            nonneg("production", rec.production, loc)?;
            let capacity = rec.capacity.unwrap_or(rec.production);
            nonneg("capacity", capacity, loc)?;
            if let Some(first) = first_line.insert((r, p), loc.line) {
                return Err(duplicate(
                    format!("{},{}", rec.region, rec.product),
                    first,
                    loc,
                ));
            }
            if capacity < rec.production {
                return Err(Error::CapacityBelowOutput {
                    region: rec.region.clone(),
                    product: rec.product.clone(),
                    capacity,
                    output: rec.production,
                    location: loc.clone(),
                });
            }
            node_at.insert((r, p), NodeId(nodes.len() as u32));
            nodes.push(Node {
                region: r,
                product: p,
                kind: NodeKind::Producer,
                capacity,
                estimated: rec.status.is_estimate(),
            });
            production[p.index()][r.index()] = rec.production;
        }

        // Recipes: global per output product, overridden per region.
        let mut global: Vec<Vec<RecipeInput>> = vec![Vec::new(); np];
        let mut regional: HashMap<(RegionId, ProductId), Vec<RecipeInput>> = HashMap::new();
        let mut seen_recipe = HashMap::new();
        for rec in &t.recipes {
            let loc = &rec.location;
            let out = product(&rec.output, "output", loc)?;
            let inp = product(&rec.input, "input", loc)?;
            let reg = rec
                .region
                .as_deref()
                .map(|c| region(c, "region", loc))
                .transpose()?;
            if !(rec.coefficient.is_finite() && rec.coefficient > 0.0) {
                return Err(Error::InvalidQuantity {
                    field: "coefficient".into(),
                    value: rec.coefficient,
                    reason: "must be positive and finite".into(),
                    location: loc.clone(),
                });
            }
            let per_unit = rec.per_unit();
            if !(per_unit.is_finite() && per_unit > 0.0) {
                return Err(Error::InvalidQuantity {
                    field: "coefficient".into(),
                    value: rec.coefficient,
                    reason: format!(
                        "gives {per_unit} t of {} per t of {}: the input per unit of output \
                         must be positive and finite",
                        rec.input, rec.output
                    ),
                    location: loc.clone(),
                });
            }
            if let Some(first) = seen_recipe.insert((out, inp, reg), loc.line) {
                let key = format!(
                    "{},{},{}",
                    rec.output,
                    rec.input,
                    rec.region.as_deref().unwrap_or("")
                );
                return Err(duplicate(key, first, loc));
            }
            let entry = (inp, rec.per_unit(), rec.status.is_estimate());
            match reg {
                None => global[out.index()].push(entry),
                Some(r) => regional.entry((r, out)).or_default().push(entry),
            }
        }
        // A cycle among the recipes is named as such, before the balance it would break.
        let uses = (global.iter().enumerate())
            .flat_map(|(out, ins)| ins.iter().map(move |i| (i.0, ProductId(out as u32))))
            .chain(
                (regional.iter()).flat_map(|((_, out), ins)| ins.iter().map(move |i| (i.0, *out))),
            );
        super::order_of_uses(&t.products, uses)?;
        let recipe_of = |r: RegionId, p: ProductId| -> &[RecipeInput] {
            regional
                .get(&(r, p))
                .map(Vec::as_slice)
                .unwrap_or(&global[p.index()])
        };

        // Trade, resolved and checked record by record.
        let mut by_product: Vec<ProductTrade<'_>> = (0..np)
            .map(|p| ProductTrade {
                product: ProductId(p as u32),
                records: Vec::new(),
            })
            .collect();
        let mut seen_trade = HashMap::new();
        for rec in &t.trade {
            let loc = &rec.location;
            let from = region(&rec.exporter, "exporter", loc)?;
            let to = region(&rec.importer, "importer", loc)?;
            let p = product(&rec.product, "product", loc)?;
            nonneg("quantity", rec.quantity, loc)?;
            if from == to {
                return Err(Error::InvalidField {
                    field: "importer".into(),
                    reason: format!("{} trades with itself", rec.exporter),
                    location: loc.clone(),
                });
            }
            if let Some(first) = seen_trade.insert((from, to, p), loc.line) {
                let key = format!("{},{},{}", rec.exporter, rec.importer, rec.product);
                return Err(duplicate(key, first, loc));
            }
            by_product[p.index()].records.push((rec, from, to));
        }

        let mut problems = Vec::new();
        let mut report = BuildReport::default();
        let mut lots_by_product = Vec::with_capacity(np);
        for trade in &by_product {
            let p = trade.product;
            let (lots, reexports) = origin::to_origin_basis(
                trade,
                &production[p.index()],
                |r| t.regions[r.index()].code.clone(),
                &t.products[p.index()].id,
                &mut problems,
            )?;
            report.reexports.extend(reexports);
            lots_by_product.push(lots);
        }

        // Inputs of every node from the recipe file (new plants included).
        let mut inputs: Vec<Vec<Input>> = Vec::with_capacity(nodes.len());
        let mut users: Vec<Vec<Vec<User>>> = (0..np)
            .map(|_| (0..nr).map(|_| Vec::new()).collect())
            .collect();
        for (n, node) in nodes.iter().enumerate() {
            let recipe = recipe_of(node.region, node.product);
            let x = production[node.product.index()][node.region.index()];
            inputs.push(
                recipe
                    .iter()
                    .map(|&(m, per_unit, _)| Input {
                        product: m,
                        per_unit,
                    })
                    .collect(),
            );
            for &(m, per_unit, est) in recipe {
                if x > 0.0 {
                    users[m.index()][node.region.index()].push(User {
                        sink: Sink::Node(NodeId(n as u32)),
                        need: per_unit * x,
                        estimate: est || node.estimated,
                    });
                }
            }
        }

        // Split each region's supply of each product across its users in proportion to
        // their use (the proportionality assumption, model.md §1.3).
        let mut edges = Vec::new();
        let mut absorption = vec![vec![0.0; nr]; np];
        for p in 0..np {
            let pid = ProductId(p as u32);
            let mut exports = vec![0.0; nr];
            for lot in &lots_by_product[p] {
                exports[lot.origin.index()] += lot.quantity;
            }
            // Lots per destination: imports, then the region's own production kept.
            let mut supply: Vec<Vec<Lot>> = vec![Vec::new(); nr];
            for lot in &lots_by_product[p] {
                supply[lot.destination.index()].push(lot.clone());
            }
            for r in 0..nr {
                let kept = production[p][r] - exports[r];
                if kept > 0.0 {
                    let rid = RegionId(r as u32);
                    let own = node_at.get(&(rid, pid)).map(|n| nodes[n.index()].estimated);
                    supply[r].push(Lot {
                        origin: rid,
                        destination: rid,
                        transit: None,
                        quantity: kept,
                        estimate: own.unwrap_or(true),
                    });
                }
            }
            for r in 0..nr {
                let rid = RegionId(r as u32);
                let total: f64 = supply[r].iter().map(|l| l.quantity).sum();
                let required: f64 = users[p][r].iter().map(|u| u.need).sum();
                let mut total = total;
                if required > total
                    && !crate::tolerance::close(required, total, crate::tolerance::BALANCE)
                {
                    let closure = self
                        .closures
                        .get(&t.products[p].id)
                        .copied()
                        .unwrap_or_default();
                    let kind = match closure {
                        Closure::Error => {
                            problems.push(BalanceProblem::NegativeFinalUse {
                                region: t.regions[r].code.clone(),
                                product: t.products[p].id.clone(),
                                absorption: total,
                                required,
                            });
                            continue;
                        }
                        Closure::Secondary => NodeKind::Secondary,
                        Closure::Discrepancy => NodeKind::Discrepancy,
                    };
                    let gap = required - total;
                    report.closures.push((
                        t.regions[r].code.clone(),
                        t.products[p].id.clone(),
                        kind,
                        gap,
                    ));
                    let closing = NodeId(nodes.len() as u32);
                    nodes.push(Node {
                        region: rid,
                        product: pid,
                        kind,
                        capacity: gap,
                        estimated: true,
                    });
                    inputs.push(Vec::new());
                    closing_lots(&mut edges, closing, gap, &users[p][r], required);
                    total += gap;
                }
                absorption[p][r] = total;
                let residual =
                    if crate::tolerance::close(total, required, crate::tolerance::BALANCE) {
                        0.0
                    } else {
                        (total - required).max(0.0)
                    };
                if residual > 0.0 && !t.products[p].final_use {
                    report.unallocated.push((
                        t.regions[r].code.clone(),
                        t.products[p].id.clone(),
                        residual,
                    ));
                }
                for lot in &supply[r] {
                    let from = node_at
                        .get(&(lot.origin, pid))
                        .filter(|n| nodes[n.index()].kind == NodeKind::Producer)
                        .copied()
                        .ok_or_else(|| {
                            Error::InvalidNetwork(format!(
                                "{} ships {} but has no production record for it",
                                t.regions[lot.origin.index()].code,
                                t.products[p].id
                            ))
                        })?;
                    let share = lot.quantity / total;
                    for u in &users[p][r] {
                        let flow = share * u.need;
                        edges.push(Edge {
                            from,
                            to: u.sink,
                            flow,
                            transit: lot.transit,
                            estimate: if lot.estimate || u.estimate {
                                flow
                            } else {
                                0.0
                            },
                        });
                    }
                    if residual > 0.0 {
                        let flow = share * residual;
                        edges.push(Edge {
                            from,
                            to: Sink::FinalUse(rid),
                            flow,
                            transit: lot.transit,
                            estimate: if lot.estimate { flow } else { 0.0 },
                        });
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Unbalanced { problems });
        }

        // Stocks, converting days of cover with the region's annual absorption (docs/model.md §1.5).
        let mut stocks = vec![vec![0.0; np]; nr];
        let mut seen_stock = HashMap::new();
        for rec in &t.stocks {
            let loc = &rec.location;
            let r = region(&rec.region, "region", loc)?;
            let p = product(&rec.product, "product", loc)?;
            nonneg("quantity", rec.quantity, loc)?;
            if let Some(first) = seen_stock.insert((r, p), loc.line) {
                return Err(duplicate(
                    format!("{},{}", rec.region, rec.product),
                    first,
                    loc,
                ));
            }
            stocks[r.index()][p.index()] = match rec.unit {
                StockUnit::Tonnes => rec.quantity,
                StockUnit::Days => {
                    let tonnes = rec.quantity / 365.0 * absorption[p.index()][r.index()];
                    report.converted_stocks.push((
                        rec.region.clone(),
                        rec.product.clone(),
                        rec.quantity,
                        tonnes,
                    ));
                    tonnes
                }
            };
        }

        let network = Network::new(NetworkParts {
            regions: t.regions.clone(),
            products: t.products.clone(),
            nodes,
            inputs,
            edges,
            stocks,
        })?;
        Ok(Build { network, report })
    }
}

/// A closing item supplies only its own region's producers, in proportion to their gap
/// share of need (every user gets `gap · need / required`).
fn closing_lots(edges: &mut Vec<Edge>, from: NodeId, gap: f64, users: &[User], required: f64) {
    for u in users {
        let flow = gap * u.need / required;
        edges.push(Edge {
            from,
            to: u.sink,
            flow,
            transit: None,
            estimate: flow,
        });
    }
}

fn index<T>(items: &[T], key: impl Fn(&T) -> &str) -> HashMap<&str, usize> {
    items.iter().enumerate().map(|(i, x)| (key(x), i)).collect()
}

fn nonneg(field: &str, value: f64, loc: &Location) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        return Ok(());
    }
    Err(Error::InvalidQuantity {
        field: field.into(),
        value,
        reason: "must be non-negative and finite".into(),
        location: loc.clone(),
    })
}

fn duplicate(key: String, first: Option<u64>, loc: &Location) -> Error {
    Error::DuplicateRecord {
        key,
        first: first.unwrap_or(0),
        location: loc.clone(),
    }
}
