//! The physical chain builder (docs/model.md §1): production and capacity by region,
//! bilateral trade, recipes and stocks become a balanced [`Network`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::origin::{self, Lot, ProductTrade, Reexport};
use super::records::{ChainTables, StockUnit};
use super::{Edge, Input, Network, NetworkParts, Node, NodeId, NodeKind, Sink};
use super::{ProductId, RegionId};
use crate::error::{BalanceProblem, Error, Location, Result};
use crate::tolerance;

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
    /// Labelled supply items the data give (docs/model.md §1.10): (region, product, kind,
    /// size a year).
    pub items: Vec<(String, String, NodeKind, f64)>,
    /// Residual final use of products with no real final use: (region, product, size).
    pub unallocated: Vec<(String, String, f64)>,
    /// Closing items above [`LARGE_CLOSURE`] of what their region's producers need of the
    /// product (docs/model.md §1.4), one sentence each: a balance held by an estimate that
    /// large deserves a source.
    pub warnings: Vec<String>,
}

/// The share of the region's producers' need above which a closing item is warned about.
pub const LARGE_CLOSURE: f64 = 0.25;

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
    joint: Vec<JointRule>,
}

/// A joint output for the builder (docs/model.md §1.8): in every region that makes
/// `output` (or only in `region`), its makers make at most `per_unit` units per unit of
/// the region's output of `host` (a by-product's recovery, or a co-product of a joint
/// process whose level `host` sets). A `joint.csv` line in a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct JointRule {
    /// The product whose makers set the level.
    pub host: String,
    /// The joint output.
    pub output: String,
    /// Units of `output` per unit of `host`, > 0.
    pub per_unit: f64,
    /// The one region it applies to (absent: every region that makes `output`).
    pub region: Option<String>,
    /// Which node of the region makes the output: its producers (the default), or its
    /// labelled recycled or co-product item (docs/model.md §1.10).
    pub item: NodeKind,
    /// Where the rule came from, for errors.
    pub location: Location,
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
            joint: Vec::new(),
        }
    }

    /// Adds a joint output rule (docs/model.md §1.8).
    pub fn joint(mut self, rule: JointRule) -> Self {
        self.joint.push(rule);
        self
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
        let codes = Codes::new(t);
        for (code, closure) in &self.closures {
            if *closure != Closure::Error && !codes.products.contains_key(code.as_str()) {
                return Err(Error::InvalidSetting(format!(
                    "closure for unknown product `{code}`"
                )));
            }
        }
        let producers = producers(t, &codes)?;
        let recipes = recipes(t, &codes)?;
        let trade = trade(t, &codes)?;
        let (inputs, users) = users(t, &producers, &recipes);
        let mut draft = Draft {
            nodes: producers.nodes.clone(),
            inputs,
            edges: Vec::new(),
            absorption: vec![vec![0.0; t.regions.len()]; t.products.len()],
            report: BuildReport::default(),
            problems: Vec::new(),
        };
        let lots = origin_basis(t, &trade, &producers.production, &mut draft)?;
        self.split_supply(t, &producers, &lots, &users, &mut draft)?;
        if !draft.problems.is_empty() {
            return Err(Error::Unbalanced {
                problems: draft.problems,
            });
        }
        let mut report = draft.report;
        let stocks = stocks(t, &codes, &draft.absorption, &mut report)?;
        let joint = self.joint_links(&codes, &producers)?;
        let network = Network::new(NetworkParts {
            regions: t.regions.clone(),
            products: t.products.clone(),
            nodes: draft.nodes,
            inputs: draft.inputs,
            edges: draft.edges,
            stocks,
            joint,
        })?;
        Ok(Build { network, report })
    }

    /// The joint outputs the rules name: each producer of a rule's output (in its region, if
    /// it names one) linked to the producer of the host in the same region.
    fn joint_links(
        &self,
        codes: &Codes<'_>,
        producers: &Producers,
    ) -> Result<Vec<super::JointOutput>> {
        let mut out = Vec::new();
        for rule in &self.joint {
            let at = &rule.location;
            let host = codes.product(&rule.host, "host", at)?;
            let output = codes.product(&rule.output, "output", at)?;
            let region = (rule.region.as_deref())
                .map(|code| codes.region(code, "region", at))
                .transpose()?;
            let mut linked = 0;
            for (i, node) in producers.nodes.iter().enumerate() {
                if node.product != output
                    || node.kind != rule.item
                    || region.is_some_and(|r| node.region != r)
                {
                    continue;
                }
                let Some(&h) = producers.node_at.get(&(node.region, host)) else {
                    return Err(Error::InvalidField {
                        field: "host".into(),
                        reason: format!(
                            "{} makes {} but no {}, its host: a joint output needs its host in \
                             the same region (docs/model.md §1.8)",
                            self.tables.regions[node.region.index()].code,
                            rule.output,
                            rule.host
                        ),
                        location: at.clone(),
                    });
                };
                out.push(super::JointOutput {
                    node: NodeId(i as u32),
                    host: h,
                    per_unit: rule.per_unit,
                });
                linked += 1;
            }
            if linked == 0 {
                let what = match rule.item {
                    NodeKind::Producer => String::new(),
                    item => format!(" as a `{}` item of production.csv", item.word()),
                };
                return Err(Error::InvalidField {
                    field: "output".into(),
                    reason: format!("no region makes {}{what} here", rule.output),
                    location: at.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Splits each region's supply of each product across its users in proportion to their
    /// use (the proportionality assumption, docs/model.md §1.3), after checking that the
    /// supply covers the users' needs (check 1 of §1.4) and closing the gaps the closures
    /// allow with labelled nodes; what is left over is the region's final use.
    fn split_supply(
        &self,
        t: &ChainTables,
        producers: &Producers,
        lots: &[Vec<Lot>],
        users: &Users,
        draft: &mut Draft,
    ) -> Result<()> {
        for (p, lots) in lots.iter().enumerate() {
            let supply = supply_by_destination(t, producers, p, lots);
            for (r, supply) in supply.iter().enumerate() {
                let need = &users[p][r];
                let items = producers.items_at(p, r);
                let required: f64 = need.iter().map(|u| u.need).sum();
                for &(n, q) in &items {
                    let node = &producers.nodes[n.index()];
                    (draft.report.items).push(item_entry(t, node, q));
                    if node.kind == NodeKind::Secondary && node.estimated {
                        large_item(t, node, q, required, &mut draft.report);
                    }
                }
                let total: f64 = supply.iter().map(|l| l.quantity).sum::<f64>()
                    + items.iter().map(|&(_, q)| q).sum::<f64>();
                let Some(total) = self.close_gap(t, (p, r), total, need, draft) else {
                    continue;
                };
                draft.absorption[p][r] = total;
                let residual = if tolerance::close(total, required, tolerance::BALANCE) {
                    0.0
                } else {
                    (total - required).max(0.0)
                };
                if residual > 0.0 && !t.products[p].final_use {
                    draft.report.unallocated.push((
                        t.regions[r].code.clone(),
                        t.products[p].id.clone(),
                        residual,
                    ));
                }
                connect(
                    t,
                    producers,
                    (p, r),
                    (supply, &items),
                    need,
                    (total, residual),
                    draft,
                )?;
            }
        }
        Ok(())
    }

    /// Check 1 of docs/model.md §1.4 for `(product, region)`: the supply `total` covers
    /// what the users need, or the gap is closed by a labelled node where the product's
    /// closure allows it; the supply after closing, or `None` with the problem recorded.
    fn close_gap(
        &self,
        t: &ChainTables,
        (p, r): (usize, usize),
        total: f64,
        users: &[User],
        draft: &mut Draft,
    ) -> Option<f64> {
        let required: f64 = users.iter().map(|u| u.need).sum();
        if required <= total || tolerance::close(required, total, tolerance::BALANCE) {
            return Some(total);
        }
        let closure = (self.closures.get(&t.products[p].id))
            .copied()
            .unwrap_or_default();
        let kind = match closure {
            Closure::Error => {
                draft.problems.push(BalanceProblem::NegativeFinalUse {
                    region: t.regions[r].code.clone(),
                    product: t.products[p].id.clone(),
                    absorption: total,
                    required,
                });
                return None;
            }
            Closure::Secondary => NodeKind::Secondary,
            Closure::Discrepancy => NodeKind::Discrepancy,
        };
        let gap = required - total;
        let node = Node {
            region: RegionId(r as u32),
            product: ProductId(p as u32),
            kind,
            capacity: gap,
            estimated: true,
        };
        large_item(t, &node, gap, required, &mut draft.report);
        draft.report.closures.push(item_entry(t, &node, gap));
        let closing = NodeId(draft.nodes.len() as u32);
        draft.nodes.push(node);
        draft.inputs.push(Vec::new());
        closing_lots(&mut draft.edges, closing, gap, users, required);
        Some(total + gap)
    }
}

/// The report's entry for a labelled item or closing item of size `q`.
fn item_entry(t: &ChainTables, node: &Node, q: f64) -> (String, String, NodeKind, f64) {
    (
        t.regions[node.region.index()].code.clone(),
        t.products[node.product.index()].id.clone(),
        node.kind,
        q,
    )
}

/// A warning when a closing or secondary item of size `q` holds more than
/// [`LARGE_CLOSURE`] of what its region's producers need (docs/model.md §1.4).
fn large_item(t: &ChainTables, node: &Node, q: f64, required: f64, report: &mut BuildReport) {
    if required > 0.0 && q > LARGE_CLOSURE * required {
        report.warnings.push(format!(
            "the {:?} item of {} in {} supplies {} of the {} its producers need ({:.0}%, above \
             {:.0}%): an estimate that large holds the balance; give it a source or model \
             what it stands for (docs/model.md §1.4)",
            node.kind,
            t.products[node.product.index()].id,
            t.regions[node.region.index()].code,
            crate::numbers::number(q),
            crate::numbers::number(required),
            100.0 * q / required,
            100.0 * LARGE_CLOSURE
        ));
    }
}

/// Each region's supply of product `p`, lot by lot: its imports on an origin basis, then
/// its own production kept at home.
fn supply_by_destination(
    t: &ChainTables,
    producers: &Producers,
    p: usize,
    lots: &[Lot],
) -> Vec<Vec<Lot>> {
    let nr = t.regions.len();
    let pid = ProductId(p as u32);
    let mut exports = vec![0.0; nr];
    for lot in lots {
        exports[lot.origin.index()] += lot.quantity;
    }
    let mut supply: Vec<Vec<Lot>> = vec![Vec::new(); nr];
    for lot in lots {
        supply[lot.destination.index()].push(lot.clone());
    }
    for (r, lots) in supply.iter_mut().enumerate() {
        let kept = producers.production[p][r] - exports[r];
        if kept > 0.0 {
            let rid = RegionId(r as u32);
            let own =
                (producers.node_at.get(&(rid, pid))).map(|n| producers.nodes[n.index()].estimated);
            lots.push(Lot {
                origin: rid,
                destination: rid,
                transit: None,
                quantity: kept,
                estimate: own.unwrap_or(true),
            });
        }
    }
    supply
}

/// The flows of `(product, region)`: each lot of its supply shared among the users in
/// proportion to their need, and the residual to the region's final use.
fn connect(
    t: &ChainTables,
    producers: &Producers,
    (p, r): (usize, usize),
    (supply, items): (&[Lot], &[(NodeId, f64)]),
    users: &[User],
    (total, residual): (f64, f64),
    draft: &mut Draft,
) -> Result<()> {
    let pid = ProductId(p as u32);
    let mut lots = Vec::with_capacity(supply.len() + items.len());
    for lot in supply {
        let from = (producers.node_at.get(&(lot.origin, pid)))
            .copied()
            .ok_or_else(|| {
                Error::InvalidNetwork(format!(
                    "{} ships {} but has no production record for it",
                    t.regions[lot.origin.index()].code,
                    t.products[p].id
                ))
            })?;
        lots.push((from, lot.quantity, lot.transit, lot.estimate));
    }
    for &(n, q) in items {
        lots.push((n, q, None, producers.nodes[n.index()].estimated));
    }
    for (from, quantity, transit, estimate) in lots {
        let share = quantity / total;
        for u in users {
            let flow = share * u.need;
            draft.edges.push(Edge {
                from,
                to: u.sink,
                flow,
                transit,
                estimate: if estimate || u.estimate { flow } else { 0.0 },
            });
        }
        if residual > 0.0 {
            let flow = share * residual;
            draft.edges.push(Edge {
                from,
                to: Sink::FinalUse(RegionId(r as u32)),
                flow,
                transit,
                estimate: if estimate { flow } else { 0.0 },
            });
        }
    }
    Ok(())
}

/// The codes of the tables' regions and products, looked up with the record's location.
struct Codes<'t> {
    regions: HashMap<&'t str, usize>,
    products: HashMap<&'t str, usize>,
}

impl<'t> Codes<'t> {
    fn new(t: &'t ChainTables) -> Self {
        Self {
            regions: index(&t.regions, |r| r.code.as_str()),
            products: index(&t.products, |p| p.id.as_str()),
        }
    }

    fn region(&self, code: &str, field: &str, loc: &Location) -> Result<RegionId> {
        self.regions
            .get(code)
            .map(|&i| RegionId(i as u32))
            .ok_or_else(|| Error::UnknownRegion {
                code: code.into(),
                field: field.into(),
                location: loc.clone(),
            })
    }

    fn product(&self, id: &str, field: &str, loc: &Location) -> Result<ProductId> {
        self.products
            .get(id)
            .map(|&i| ProductId(i as u32))
            .ok_or_else(|| Error::UnknownProduct {
                code: id.into(),
                field: field.into(),
                location: loc.clone(),
            })
    }
}

/// Producer nodes and each region's production, `[product][region]`.
struct Producers {
    nodes: Vec<Node>,
    node_at: HashMap<(RegionId, ProductId), NodeId>,
    production: Vec<Vec<f64>>,
    /// The labelled supply items (docs/model.md §1.10), each with its production.
    items: Vec<(NodeId, f64)>,
}

impl Producers {
    /// The labelled items of product `p` in region `r`, with their production.
    fn items_at(&self, p: usize, r: usize) -> Vec<(NodeId, f64)> {
        (self.items.iter().copied())
            .filter(|(n, _)| {
                let node = &self.nodes[n.index()];
                node.product.index() == p && node.region.index() == r
            })
            .collect()
    }
}

/// Recipes: global per output product, overridden per region.
struct Recipes {
    global: Vec<Vec<RecipeInput>>,
    regional: HashMap<(RegionId, ProductId), Vec<RecipeInput>>,
}

impl Recipes {
    /// The recipe of `p` in `r`: the region's own, else the global one.
    fn of(&self, r: RegionId, p: ProductId) -> &[RecipeInput] {
        self.regional
            .get(&(r, p))
            .map(Vec::as_slice)
            .unwrap_or(&self.global[p.index()])
    }
}

/// The users of each region's supply of each product, `[product][region]`.
type Users = Vec<Vec<Vec<User>>>;

/// The network as it is built: nodes (closing items join the producers), inputs, edges,
/// each region's absorption, the report and the balance problems found.
struct Draft {
    nodes: Vec<Node>,
    inputs: Vec<Vec<Input>>,
    edges: Vec<Edge>,
    absorption: Vec<Vec<f64>>,
    report: BuildReport,
    problems: Vec<BalanceProblem>,
}

/// Producer nodes, one per production record (docs/model.md §1.1), with each region's
/// production of each product.
fn producers(t: &ChainTables, codes: &Codes<'_>) -> Result<Producers> {
    let mut nodes = Vec::new();
    let mut node_at: HashMap<(RegionId, ProductId), NodeId> = HashMap::new();
    let mut items = Vec::new();
    let mut first_line: HashMap<(RegionId, ProductId, NodeKind), Option<u64>> = HashMap::new();
    let mut production = vec![vec![0.0; t.regions.len()]; t.products.len()];
    for rec in &t.production {
        let loc = &rec.location;
        let r = codes.region(&rec.region, "region", loc)?;
        let p = codes.product(&rec.product, "product", loc)?;
        nonneg("production", rec.production, loc)?;
        let capacity = rec.capacity.unwrap_or(rec.production);
        nonneg("capacity", capacity, loc)?;
        if let Some(first) = first_line.insert((r, p, rec.item), loc.line) {
            let item = match rec.item {
                NodeKind::Producer => String::new(),
                item => format!(",{}", item.word()),
            };
            return Err(duplicate(
                format!("{},{}{item}", rec.region, rec.product),
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
        let id = NodeId(nodes.len() as u32);
        nodes.push(Node {
            region: r,
            product: p,
            kind: rec.item,
            capacity,
            estimated: rec.status.is_estimate(),
        });
        if rec.item == NodeKind::Producer {
            node_at.insert((r, p), id);
            production[p.index()][r.index()] = rec.production;
        } else {
            items.push((id, rec.production));
        }
    }
    Ok(Producers {
        nodes,
        node_at,
        production,
        items,
    })
}

/// Recipes: global per output product, overridden per region (docs/model.md §1.1); a
/// cycle among them is named as such, before the balance it would break.
fn recipes(t: &ChainTables, codes: &Codes<'_>) -> Result<Recipes> {
    let mut global: Vec<Vec<RecipeInput>> = vec![Vec::new(); t.products.len()];
    let mut regional: HashMap<(RegionId, ProductId), Vec<RecipeInput>> = HashMap::new();
    let mut seen_recipe = HashMap::new();
    for rec in &t.recipes {
        let loc = &rec.location;
        let out = codes.product(&rec.output, "output", loc)?;
        let inp = codes.product(&rec.input, "input", loc)?;
        let reg = rec
            .region
            .as_deref()
            .map(|c| codes.region(c, "region", loc))
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
    let uses = (global.iter().enumerate())
        .flat_map(|(out, ins)| ins.iter().map(move |i| (i.0, ProductId(out as u32))))
        .chain((regional.iter()).flat_map(|((_, out), ins)| ins.iter().map(move |i| (i.0, *out))));
    super::order_of_uses(&t.products, uses)?;
    Ok(Recipes { global, regional })
}

/// Trade, resolved and checked record by record, grouped by product.
fn trade<'t>(t: &'t ChainTables, codes: &Codes<'_>) -> Result<Vec<ProductTrade<'t>>> {
    let mut by_product: Vec<ProductTrade<'_>> = (0..t.products.len())
        .map(|p| ProductTrade {
            product: ProductId(p as u32),
            records: Vec::new(),
        })
        .collect();
    let mut seen_trade = HashMap::new();
    for rec in &t.trade {
        let loc = &rec.location;
        let from = codes.region(&rec.exporter, "exporter", loc)?;
        let to = codes.region(&rec.importer, "importer", loc)?;
        let p = codes.product(&rec.product, "product", loc)?;
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
    Ok(by_product)
}

/// Trade on an origin basis (docs/model.md §1.2): per product, the lots from each origin
/// to each destination, re-exports through hubs converted and reported.
fn origin_basis(
    t: &ChainTables,
    trade: &[ProductTrade<'_>],
    production: &[Vec<f64>],
    draft: &mut Draft,
) -> Result<Vec<Vec<Lot>>> {
    let mut lots_by_product = Vec::with_capacity(trade.len());
    for records in trade {
        let p = records.product;
        let (lots, reexports) = origin::to_origin_basis(
            records,
            &production[p.index()],
            |r| t.regions[r.index()].code.clone(),
            &t.products[p.index()].id,
            &mut draft.problems,
        )?;
        draft.report.reexports.extend(reexports);
        lots_by_product.push(lots);
    }
    Ok(lots_by_product)
}

/// Inputs of every node from the recipes (new plants included), and the users of each
/// region's supply of each product with what they need a year.
fn users(t: &ChainTables, producers: &Producers, recipes: &Recipes) -> (Vec<Vec<Input>>, Users) {
    let mut inputs: Vec<Vec<Input>> = Vec::with_capacity(producers.nodes.len());
    let (nr, np) = (t.regions.len(), t.products.len());
    let mut users: Vec<Vec<Vec<User>>> = (0..np)
        .map(|_| (0..nr).map(|_| Vec::new()).collect())
        .collect();
    for (n, node) in producers.nodes.iter().enumerate() {
        if node.kind != NodeKind::Producer {
            // A labelled item has no recipe: its feed is its host's (docs/model.md §1.10).
            inputs.push(Vec::new());
            continue;
        }
        let recipe = recipes.of(node.region, node.product);
        let x = producers.production[node.product.index()][node.region.index()];
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
    (inputs, users)
}

/// Stocks, days of cover converted with the region's annual absorption (docs/model.md
/// §1.5).
fn stocks(
    t: &ChainTables,
    codes: &Codes<'_>,
    absorption: &[Vec<f64>],
    report: &mut BuildReport,
) -> Result<Vec<Vec<f64>>> {
    let mut stocks = vec![vec![0.0; t.products.len()]; t.regions.len()];
    let mut seen_stock = HashMap::new();
    for rec in &t.stocks {
        let loc = &rec.location;
        let r = codes.region(&rec.region, "region", loc)?;
        let p = codes.product(&rec.product, "product", loc)?;
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
    Ok(stocks)
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
