//! The network: regions, products, nodes (region, product) and the flows between them
//! (docs/model.md §1).
//!
//! A [`Network`] holds the intermediate flows `Z` and final use `Y` as one edge list in
//! compressed rows (each node's customers are a slice, its suppliers an index list), the
//! capacity of each node, stocks per (region, product) and each node's inputs per unit of
//! output. Output is derived: `x = Z·1 + Y·1`. Every constructor validates (docs/model.md §1.4's
//! checks that can fail), so a `Network` in hand is balanced.

mod bloc;
mod builder;
mod file;
mod generator;
mod origin;
mod overview;
mod product;
mod records;
mod region;
mod toy;

pub use bloc::{Bloc, EU_27, US_PLUS_8};
pub use builder::{Build, BuildReport, Builder, Closure, JointRule, LARGE_CLOSURE};
pub use generator::{Synthetic, SyntheticTable};
pub use overview::Overview;
pub use product::{Product, ProductId};
pub use records::{
    Basis, ChainTables, ProductionRecord, RecipeRecord, Status, StockRecord, StockUnit, TradeRecord,
};
pub use region::{Region, RegionId};
pub use toy::{toy_chain, toy_tables};

use serde::{Deserialize, Serialize};

use crate::error::{BalanceProblem, Error, Result};
use crate::tolerance;

/// Index of a node in its network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node is: real producers, a labelled supply item of the data (docs/model.md
/// §1.10), or a labelled item that closes a balance (§1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The producers of a product in a region.
    #[default]
    Producer,
    /// Secondary and unrecorded supply (unrecorded mining, stock change): an estimate,
    /// either closing a sourced gap (§1.4) or given as a sized item of the data (§1.10);
    /// outside capacity, and restricted only through a capacity loss that names it.
    Secondary,
    /// A statistical discrepancy item allowed by the user instead of a balance error.
    Discrepancy,
    /// Recycling of new scrap in the region, the joint output of the product that throws
    /// the scrap off (a recycling loop, §1.9), given as an item of the data (§1.10).
    Recycled,
    /// The same product made jointly by another line of the region (NdPr from a heavy-feed
    /// separation line whose level its Dy/Tb sets), given as an item of the data (§1.10).
    Coproduct,
}

impl NodeKind {
    /// Whether the node's output is production (producers, recycling, co-products), as
    /// opposed to an item that closes or estimates a gap (secondary supply, discrepancy).
    pub fn is_production(self) -> bool {
        matches!(self, Self::Producer | Self::Recycled | Self::Coproduct)
    }

    /// The word a data file uses for it (`production.csv`'s `item`, a scenario's
    /// `capacity_losses[i].item`).
    pub fn word(self) -> &'static str {
        match self {
            Self::Producer => "producers",
            Self::Secondary => "secondary",
            Self::Discrepancy => "discrepancy",
            Self::Recycled => "recycled",
            Self::Coproduct => "coproduct",
        }
    }
}

/// The producers of one product in one region (or a labelled closing item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Region.
    pub region: RegionId,
    /// Product made.
    pub product: ProductId,
    /// Producers or a closing item.
    pub kind: NodeKind,
    /// Capacity, product units a year (`>= output`).
    pub capacity: f64,
    /// Whether the production figure is an estimate (status E).
    pub estimated: bool,
}

/// Who receives a flow: the producers of a node, or a region's final use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sink {
    /// Producers of another product (an intermediate flow, a column of `Z`).
    Node(NodeId),
    /// Final use in a region (a column of `Y`); for a product with no real final use this is
    /// *unallocated* residual.
    FinalUse(RegionId),
}

/// One flow of the baseline year, on an origin basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// The supplying node (its region is the origin).
    pub from: NodeId,
    /// The user.
    pub to: Sink,
    /// Units of the supplier's product a year.
    pub flow: f64,
    /// The hub the flow passes through, when it was re-exported (model.md §1.2).
    pub transit: Option<RegionId>,
    /// The part of `flow` that rests on estimates (status E), same units.
    pub estimate: f64,
}

/// One input of a node: units of `product` per unit of the node's output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// The input product.
    pub product: ProductId,
    /// `a[m, n]`, units of the input per unit of output (> 0).
    pub per_unit: f64,
}

/// A joint output (docs/model.md §1.8): node `node` makes at most `per_unit` units of its
/// product per unit of its host's output, in the same region. The host's activity sets
/// the level (a separation line's lead product, an alumina refinery); the joint output is
/// its own node with its own capacity (a co-product, or a by-product's recovery circuit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JointOutput {
    /// The joint output's node.
    pub node: NodeId,
    /// The host node, whose output bounds it.
    pub host: NodeId,
    /// Units of the node's product per unit of the host's output (> 0).
    pub per_unit: f64,
}

/// Everything a network is made of, before validation. Build one by hand for a small
/// network, or let [`Builder`] or [`Synthetic`] make it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkParts {
    /// Regions.
    pub regions: Vec<Region>,
    /// Products.
    pub products: Vec<Product>,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Inputs per unit of output, one list per node (empty for primary products).
    pub inputs: Vec<Vec<Input>>,
    /// Flows.
    pub edges: Vec<Edge>,
    /// Stocks `[region][product]` in product units (levels, not rates); empty for none.
    pub stocks: Vec<Vec<f64>>,
    /// Joint outputs: nodes bounded by a host's output (docs/model.md §1.8).
    pub joint: Vec<JointOutput>,
}

/// What a network's flows measure: physical units of each product (a chain built from
/// production and trade), or money (a multi-regional input-output table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Accounts {
    /// Physical chains: acyclic, with capacity data.
    #[default]
    Physical,
    /// Monetary tables: may be cyclic; capacity is not observed (docs/model.md §5.1).
    Monetary,
}

/// A validated network (see the module docs).
///
/// ```
/// let net = shortfall::network::toy_chain();
/// let cn = net.region_id("CN").unwrap();
/// let magnet = net.product_id("magnet").unwrap();
/// let n = net.node_id(cn, magnet).unwrap();
/// assert_eq!(net.output(n), 80.0);
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "file::NetworkFile", into = "file::NetworkFile")]
pub struct Network {
    regions: Vec<Region>,
    products: Vec<Product>,
    nodes: Vec<Node>,
    output: Vec<f64>,
    input_start: Vec<usize>,
    inputs: Vec<Input>,
    edges: Vec<Edge>,
    out_start: Vec<usize>,
    in_start: Vec<usize>,
    in_edges: Vec<usize>,
    stocks: Vec<f64>,
    order: Vec<ProductId>,
    rank: Vec<usize>,
    /// Position of each node in `by_product`, the layout of the compressed rows.
    pos: Vec<usize>,
    by_product_start: Vec<usize>,
    by_product: Vec<NodeId>,
    accounts: Accounts,
    /// The products on a recipe cycle (first repeated at the end); empty when acyclic.
    cycle: Vec<String>,
    /// Joint outputs, per node the index of its link (or `u32::MAX`), and per link
    /// whether it closes a recycling loop (§1.9).
    joint: Vec<JointOutput>,
    joint_of: Vec<u32>,
    recycled: Vec<bool>,
    /// A hash of what defines the network (see [`Network::fingerprint`]).
    fingerprint: u64,
}

impl Network {
    /// Validates `parts` and builds the indices.
    ///
    /// # Errors
    /// Unknown or duplicate codes and node references ([`Error::InvalidNetwork`]),
    /// negative or non-finite quantities ([`Error::InvalidQuantity`]), capacity below output,
    /// a flow of an input the user has no coefficient for ([`Error::MissingRecipe`]), a
    /// cyclic recipe graph ([`Error::CyclicRecipes`]) and recipe columns that do not sum to
    /// `a·x` ([`Error::Unbalanced`], check 2 of docs/model.md §1.4).
    pub fn new(parts: NetworkParts) -> Result<Self> {
        Self::with_accounts(parts, Accounts::Physical)
    }

    /// Validates a monetary input-output table given as parts (products are sectors, flows
    /// money a year): the checks of [`Network::new`] except that the recipe graph may be
    /// cyclic. Engines that need an acyclic chain refuse such a network with
    /// [`Error::CyclicRecipes`]; the dynamic engine runs on it. See
    /// [`crate::data::read_pymrio`] for reading one from files.
    ///
    /// # Errors
    /// As [`Network::new`], without the cycle.
    pub fn monetary(parts: NetworkParts) -> Result<Self> {
        Self::with_accounts(parts, Accounts::Monetary)
    }

    fn with_accounts(parts: NetworkParts, accounts: Accounts) -> Result<Self> {
        let NetworkParts {
            regions,
            products,
            nodes,
            inputs,
            mut edges,
            stocks,
            joint,
        } = parts;
        let (nr, np, nn) = (regions.len(), products.len(), nodes.len());
        if nr == 0 || np == 0 || nn == 0 {
            return Err(invalid(format!(
                "an empty network ({nr} regions, {np} products, {nn} nodes): a network needs \
                 at least one region, one product and one node"
            )));
        }
        unique(regions.iter().map(|r| r.code.as_str()), "region code")?;
        if let Some(r) = regions
            .iter()
            .find(|r| r.governance.is_some_and(|g| !(0.0..=10.0).contains(&g)))
        {
            return Err(Error::InvalidQuantity {
                field: "governance".into(),
                value: r.governance.unwrap_or(f64::NAN),
                reason: format!(
                    "the governance score of {} must be a number in [0, 10] (or absent)",
                    r.code
                ),
                location: crate::error::Location::new(format!("region {}", r.code), None),
            });
        }
        unique(products.iter().map(|p| p.id.as_str()), "product id")?;
        if let Some(p) = products
            .iter()
            .find(|p| p.mass_per_unit.is_some_and(|m| !(m.is_finite() && m > 0.0)))
        {
            return Err(Error::InvalidQuantity {
                field: "mass_per_unit".into(),
                value: p.mass_per_unit.unwrap_or(f64::NAN),
                reason: format!("tonnes per unit of {} must be positive", p.id),
                location: crate::error::Location::new("network", None),
            });
        }
        if inputs.len() != nn {
            return Err(invalid(format!(
                "{} nodes but {} input lists",
                nn,
                inputs.len()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for node in &nodes {
            if node.region.index() >= nr || node.product.index() >= np {
                return Err(invalid("a node refers to a region or product out of range"));
            }
            if !seen.insert((node.region, node.product, node.kind)) {
                return Err(invalid(format!(
                    "two {:?} nodes for {} in {}",
                    node.kind,
                    products[node.product.index()].id,
                    regions[node.region.index()].code
                )));
            }
            quantity("capacity", node.capacity, &regions, &products, node)?;
        }
        for (n, list) in inputs.iter().enumerate() {
            for input in list {
                if input.product.index() >= np {
                    return Err(invalid(format!("node {n} has an input out of range")));
                }
                if !(input.per_unit.is_finite() && input.per_unit > 0.0) {
                    let node = &nodes[n];
                    return Err(Error::InvalidQuantity {
                        field: "per_unit".into(),
                        value: input.per_unit,
                        reason: format!(
                            "input {} of {} in {} must be positive and finite",
                            products[input.product.index()].id,
                            products[node.product.index()].id,
                            regions[node.region.index()].code
                        ),
                        location: crate::error::Location::new("network", None),
                    });
                }
            }
        }
        for e in &edges {
            let to_ok = match e.to {
                Sink::Node(t) => t.index() < nn,
                Sink::FinalUse(r) => r.index() < nr,
            };
            if e.from.index() >= nn || !to_ok || e.transit.is_some_and(|t| t.index() >= nr) {
                return Err(invalid("an edge refers to a node or region out of range"));
            }
            let node = &nodes[e.from.index()];
            quantity("flow", e.flow, &regions, &products, node)?;
            quantity("estimate", e.estimate, &regions, &products, node)?;
            if e.estimate > e.flow {
                return Err(invalid("an edge's estimated part exceeds its flow"));
            }
        }
        let stocks = if stocks.is_empty() {
            vec![0.0; nr * np]
        } else {
            if stocks.len() != nr || stocks.iter().any(|row| row.len() != np) {
                return Err(invalid("stocks must be a regions x products table"));
            }
            stocks.concat()
        };
        if let Some(s) = stocks.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
            return Err(Error::InvalidQuantity {
                field: "stock".into(),
                value: *s,
                reason: "stocks must be non-negative and finite".into(),
                location: crate::error::Location::new("network", None),
            });
        }

        let joint_of = joint_links(&joint, &nodes, &regions, &products)?;
        let input_start = starts_from_lengths(inputs.iter().map(Vec::len));
        let inputs: Vec<Input> = inputs.into_iter().flatten().collect();
        let uses = nodes.iter().enumerate().flat_map(|(n, node)| {
            inputs[input_start[n]..input_start[n + 1]]
                .iter()
                .map(move |i| (i.product, node.product))
        });
        let recycled = recycling(np, uses, &nodes, &joint);
        let (order, cycle) =
            match product_order(&products, &nodes, &input_start, &inputs, &joint, &recycled) {
                Ok(order) => (order, Vec::new()),
                Err(Error::CyclicRecipes { cycle }) if accounts == Accounts::Monetary => {
                    ((0..np as u32).map(ProductId).collect(), cycle)
                }
                Err(e) => return Err(e),
            };
        let mut rank = vec![0; np];
        for (i, p) in order.iter().enumerate() {
            rank[p.index()] = i;
        }
        let mut by_product: Vec<NodeId> = (0..nn as u32).map(NodeId).collect();
        by_product.sort_by_key(|n| rank[nodes[n.index()].product.index()]);
        let by_product_start = starts(
            np,
            by_product
                .iter()
                .map(|n| rank[nodes[n.index()].product.index()]),
        );
        let mut pos = vec![0; nn];
        for (i, n) in by_product.iter().enumerate() {
            pos[n.index()] = i;
        }

        // Compressed rows, laid out in the order engines visit nodes (products in
        // topological order): edges sorted by supplier (stable, so the given order within
        // a supplier is kept), and an index of producer-bound edges grouped by user.
        edges.sort_by_key(|e| pos[e.from.index()]);
        let out_start = starts(nn, edges.iter().map(|e| pos[e.from.index()]));
        let mut in_edges: Vec<usize> = (0..edges.len())
            .filter(|&i| matches!(edges[i].to, Sink::Node(_)))
            .collect();
        let user = |i: &usize| match edges[*i].to {
            Sink::Node(t) => pos[t.index()],
            Sink::FinalUse(_) => unreachable!("filtered above"),
        };
        in_edges.sort_by_key(user);
        let in_start = starts(nn, in_edges.iter().map(user));
        let output: Vec<f64> = (0..nn)
            .map(|n| {
                edges[out_start[pos[n]]..out_start[pos[n] + 1]]
                    .iter()
                    .map(|e| e.flow)
                    .sum()
            })
            .collect();
        let net = Self {
            regions,
            products,
            nodes,
            output,
            input_start,
            inputs,
            edges,
            out_start,
            in_start,
            in_edges,
            stocks,
            order,
            rank,
            pos,
            by_product_start,
            by_product,
            accounts,
            cycle,
            joint,
            joint_of,
            recycled,
            fingerprint: 0,
        };
        net.check_nodes()?;
        let mut net = net;
        net.fingerprint = net.hash();
        Ok(net)
    }

    /// Capacity at least output, a coefficient for every input received, then the balance
    /// checks.
    fn check_nodes(&self) -> Result<()> {
        for n in self.node_ids() {
            let node = self.node(n);
            let x = self.output(n);
            if node.capacity < x && !tolerance::close(node.capacity, x, tolerance::BALANCE) {
                return Err(Error::CapacityBelowOutput {
                    region: self.region(node.region).code.clone(),
                    product: self.product(node.product).id.clone(),
                    capacity: node.capacity,
                    output: x,
                    location: crate::error::Location::new("network", None),
                });
            }
            for e in self.in_edges(n) {
                let m = self.node(e.from).product;
                if !self.inputs(n).iter().any(|i| i.product == m) {
                    return Err(Error::MissingRecipe {
                        region: self.region(node.region).code.clone(),
                        product: self.product(node.product).id.clone(),
                        input: self.product(m).id.clone(),
                    });
                }
            }
        }
        self.check_loop_gains()?;
        let problems = self.balance_problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Unbalanced { problems })
        }
    }

    /// A recycling loop returns less than its host's output contains (docs/model.md §1.9):
    /// its gain, the yield over the content of the recycled product per unit of the host's
    /// output (by baseline flows), is below 1, so the static engine's fixed point exists
    /// and is reached.
    fn check_loop_gains(&self) -> Result<()> {
        for (j, _) in self.joint.iter().zip(&self.recycled).filter(|(_, &r)| r) {
            let recycled = self.node(j.node).product;
            let mut content = vec![0.0; self.nodes.len()];
            for &p in &self.order {
                for &n in self.nodes_of(p) {
                    let x = self.output(n);
                    content[n.index()] = if p == recycled {
                        1.0
                    } else if x > 0.0 {
                        self.in_edges(n)
                            .map(|e| e.flow * content[e.from.index()])
                            .sum::<f64>()
                            / x
                    } else {
                        0.0
                    };
                }
            }
            let held = content[j.host.index()];
            if self.output(j.host) > 0.0 && j.per_unit >= held {
                let (node, host) = (self.node(j.node), self.node(j.host));
                return Err(invalid(format!(
                    "the recycling loop from {} to {} in {} returns {} of {} per unit, but a unit \
                     holds only {}: its gain must be below 1 (docs/model.md §1.9)",
                    self.product(host.product).id,
                    self.product(recycled).id,
                    self.region(node.region).code,
                    crate::numbers::number(j.per_unit),
                    self.product(recycled).id,
                    crate::numbers::number(held)
                )));
            }
        }
        Ok(())
    }

    /// The four balance checks on this network (docs/model.md §1.4), every
    /// failure listed: (1) no final use is negative, (2) every recipe column sums to
    /// `a[m,n]·x[n]`, (3) no region ships more of a product than it makes plus imports,
    /// (4) no joint output makes more than its yield times its host's output.
    /// A constructed network always passes; the function is public so tests and users can
    /// see it.
    pub fn balance_problems(&self) -> Vec<BalanceProblem> {
        let code = |r: RegionId| self.region(r).code.clone();
        let id = |p: ProductId| self.product(p).id.clone();
        let mut problems = Vec::new();
        let (nr, np) = (self.regions.len(), self.products.len());
        let mut final_use = vec![0.0; nr * np];
        let (mut exports, mut imports, mut made) =
            (vec![0.0; nr * np], vec![0.0; nr * np], vec![0.0; nr * np]);
        for e in &self.edges {
            let node = self.node(e.from);
            let to = self.sink_region(e.to);
            if let Sink::FinalUse(r) = e.to {
                final_use[r.index() * np + node.product.index()] += e.flow;
            }
            if to != node.region {
                exports[node.region.index() * np + node.product.index()] += e.flow;
                imports[to.index() * np + node.product.index()] += e.flow;
            }
        }
        for n in self.node_ids() {
            let node = self.node(n);
            made[node.region.index() * np + node.product.index()] += self.output(n);
        }
        for r in 0..nr {
            for p in 0..np {
                let i = r * np + p;
                let (rid, pid) = (RegionId(r as u32), ProductId(p as u32));
                if final_use[i] < 0.0 {
                    problems.push(BalanceProblem::NegativeFinalUse {
                        region: code(rid),
                        product: id(pid),
                        absorption: final_use[i],
                        required: 0.0,
                    });
                }
                let supply = made[i] + imports[i];
                if exports[i] > supply && !tolerance::close(exports[i], supply, tolerance::BALANCE)
                {
                    problems.push(BalanceProblem::ExportsExceedSupply {
                        region: code(rid),
                        product: id(pid),
                        exports: exports[i],
                        production: made[i],
                        imports: imports[i],
                    });
                }
            }
        }
        for j in &self.joint {
            let (node, host) = (self.node(j.node), self.node(j.host));
            let (output, bound) = (self.output(j.node), j.per_unit * self.output(j.host));
            if output > bound && !tolerance::close(output, bound, tolerance::BALANCE) {
                problems.push(BalanceProblem::JointAboveHost {
                    region: code(node.region),
                    product: id(node.product),
                    host: id(host.product),
                    output,
                    bound,
                });
            }
        }
        let mut received = vec![0.0; np];
        for n in self.node_ids() {
            let node = self.node(n);
            for e in self.in_edges(n) {
                received[self.node(e.from).product.index()] += e.flow;
            }
            for input in self.inputs(n) {
                let got = std::mem::take(&mut received[input.product.index()]);
                let need = input.per_unit * self.output(n);
                if !tolerance::close(got, need, tolerance::BALANCE) {
                    problems.push(BalanceProblem::RecipeMismatch {
                        region: code(node.region),
                        product: id(node.product),
                        input: id(input.product),
                        expected: need,
                        received: got,
                    });
                }
            }
        }
        problems
    }

    /// What node `n` receives of `input` in the baseline, units a year.
    pub fn received(&self, n: NodeId, input: ProductId) -> f64 {
        self.in_edges(n)
            .filter(|e| self.node(e.from).product == input)
            .map(|e| e.flow)
            .sum()
    }

    /// Regions, by id.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Products, by id.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// Nodes, by id.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every node id.
    pub fn node_ids(&self) -> impl ExactSizeIterator<Item = NodeId> + use<> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// A region.
    pub fn region(&self, id: RegionId) -> &Region {
        &self.regions[id.index()]
    }

    /// A product.
    pub fn product(&self, id: ProductId) -> &Product {
        &self.products[id.index()]
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The id of the region with this code.
    pub fn region_id(&self, code: &str) -> Option<RegionId> {
        self.regions
            .iter()
            .position(|r| r.code == code)
            .map(|i| RegionId(i as u32))
    }

    /// The id of the product with this id string.
    pub fn product_id(&self, id: &str) -> Option<ProductId> {
        self.products
            .iter()
            .position(|p| p.id == id)
            .map(|i| ProductId(i as u32))
    }

    /// The producers of `product` in `region` (not the labelled items).
    pub fn node_id(&self, region: RegionId, product: ProductId) -> Option<NodeId> {
        self.node_of_kind(region, product, NodeKind::Producer)
    }

    /// The node of `kind` for `product` in `region`: its producers, or one of its
    /// labelled items (docs/model.md §1.10).
    pub fn node_of_kind(
        &self,
        region: RegionId,
        product: ProductId,
        kind: NodeKind,
    ) -> Option<NodeId> {
        self.nodes_of(product).iter().copied().find(|&n| {
            let node = self.node(n);
            node.region == region && node.kind == kind
        })
    }

    /// Like [`Network::region_id`], with an error naming the code.
    ///
    /// # Errors
    /// [`Error::Unknown`] when no region has this code.
    pub fn require_region(&self, code: &str) -> Result<RegionId> {
        self.region_id(code)
            .ok_or_else(|| Error::Unknown(format!("no region `{code}` in the network")))
    }

    /// Like [`Network::product_id`], with an error naming the id.
    ///
    /// # Errors
    /// [`Error::Unknown`] when no product has this id.
    pub fn require_product(&self, id: &str) -> Result<ProductId> {
        self.product_id(id)
            .ok_or_else(|| Error::Unknown(format!("no product `{id}` in the network")))
    }

    /// Baseline output `x` of a node, units a year.
    pub fn output(&self, n: NodeId) -> f64 {
        self.output[n.index()]
    }

    /// Baseline outputs of all nodes.
    pub fn outputs(&self) -> &[f64] {
        &self.output
    }

    /// Inputs per unit of output of a node.
    pub fn inputs(&self, n: NodeId) -> &[Input] {
        &self.inputs[self.input_start[n.index()]..self.input_start[n.index() + 1]]
    }

    /// All edges, grouped by supplier (suppliers in topological order of products).
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The flows a node ships (to producers and to final use).
    pub fn out_edges(&self, n: NodeId) -> &[Edge] {
        &self.edges[self.out_range(n)]
    }

    /// The range of [`Network::edges`] indices a node ships.
    pub fn out_range(&self, n: NodeId) -> std::ops::Range<usize> {
        let p = self.pos[n.index()];
        self.out_start[p]..self.out_start[p + 1]
    }

    /// Indices into [`Network::edges`] of the flows a node receives from its suppliers.
    pub fn in_edge_indices(&self, n: NodeId) -> &[usize] {
        let p = self.pos[n.index()];
        &self.in_edges[self.in_start[p]..self.in_start[p + 1]]
    }

    /// The flows a node receives from its suppliers.
    pub fn in_edges(&self, n: NodeId) -> impl Iterator<Item = &Edge> {
        self.in_edge_indices(n).iter().map(|&i| &self.edges[i])
    }

    /// Stock of `product` held in `region`, product units (a level).
    pub fn stock(&self, region: RegionId, product: ProductId) -> f64 {
        self.stocks[region.index() * self.products.len() + product.index()]
    }

    /// Physical units or money.
    pub fn accounts(&self) -> Accounts {
        self.accounts
    }

    /// Whether the recipe graph is acyclic (always, for a physical network).
    pub fn is_acyclic(&self) -> bool {
        self.cycle.is_empty()
    }

    /// `Ok` for an acyclic network; [`Error::CyclicRecipes`] naming a cycle otherwise
    /// (what engines and metrics that sweep products in order call first).
    ///
    /// # Errors
    /// [`Error::CyclicRecipes`].
    pub fn require_acyclic(&self) -> Result<()> {
        if self.is_acyclic() {
            Ok(())
        } else {
            Err(Error::CyclicRecipes {
                cycle: self.cycle.clone(),
            })
        }
    }

    /// Products in topological order: every input before the products made from it; on a
    /// cyclic monetary table, the products as listed.
    pub fn product_order(&self) -> &[ProductId] {
        &self.order
    }

    /// The nodes of one product.
    pub fn nodes_of(&self, product: ProductId) -> &[NodeId] {
        let rank = self.rank[product.index()];
        &self.by_product[self.by_product_start[rank]..self.by_product_start[rank + 1]]
    }

    /// Total final use of `product` in `region` (including unallocated residual), units a year.
    pub fn final_use(&self, region: RegionId, product: ProductId) -> f64 {
        self.nodes_of(product)
            .iter()
            .flat_map(|&n| self.out_edges(n))
            .filter(|e| e.to == Sink::FinalUse(region))
            .map(|e| e.flow)
            .sum()
    }

    /// What the users of `region` absorb of `product` (its producers' inputs plus final
    /// use), units a year.
    pub fn absorption(&self, region: RegionId, product: ProductId) -> f64 {
        self.nodes_of(product)
            .iter()
            .flat_map(|&n| self.out_edges(n))
            .filter(|e| self.sink_region(e.to) == region)
            .map(|e| e.flow)
            .sum()
    }

    /// The region of a sink.
    pub fn sink_region(&self, sink: Sink) -> RegionId {
        match sink {
            Sink::Node(n) => self.node(n).region,
            Sink::FinalUse(r) => r,
        }
    }

    /// Total baseline production of a product (closing items included), units a year.
    pub fn production(&self, product: ProductId) -> f64 {
        self.nodes_of(product).iter().map(|&n| self.output(n)).sum()
    }

    /// The parts this network was built from (edges grouped by supplier).
    pub fn to_parts(&self) -> NetworkParts {
        NetworkParts {
            regions: self.regions.clone(),
            products: self.products.clone(),
            nodes: self.nodes.clone(),
            inputs: self.node_ids().map(|n| self.inputs(n).to_vec()).collect(),
            edges: self.edges.clone(),
            stocks: self
                .stocks
                .chunks(self.products.len().max(1))
                .map(<[f64]>::to_vec)
                .take(self.regions.len())
                .collect(),
            joint: self.joint.clone(),
        }
    }

    /// The joint outputs (docs/model.md §1.8).
    pub fn joint_outputs(&self) -> &[JointOutput] {
        &self.joint
    }

    /// Per joint output (aligned with [`Network::joint_outputs`]): whether it closes a
    /// recycling loop, its product an input of its host's chain (docs/model.md §1.9).
    pub fn recycles(&self) -> &[bool] {
        &self.recycled
    }

    /// The host of a joint output and its yield (units of `n`'s product per unit of the
    /// host's output); `None` for any other node.
    pub fn host(&self, n: NodeId) -> Option<(NodeId, f64)> {
        let j = *self.joint_of.get(n.index())?;
        (j != u32::MAX).then(|| {
            let link = &self.joint[j as usize];
            (link.host, link.per_unit)
        })
    }

    /// The network's identity: a hash of its regions, products, nodes, recipes, flows and
    /// stocks (every code and number that defines it). Engines and workspaces remember the
    /// fingerprint of the network they were built for and refuse any other
    /// ([`Error::OtherNetwork`]). Stable across runs and machines; a network read back from
    /// its JSON has the same fingerprint.
    ///
    /// ```
    /// let net = shortfall::network::toy_chain();
    /// assert_eq!(net.fingerprint(), shortfall::network::toy_chain().fingerprint());
    /// let json = shortfall::data::network_to_json(&net)?;
    /// let back = shortfall::data::network_from_json(&json, "toy.json")?;
    /// assert_eq!(back.fingerprint(), net.fingerprint());
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Why `code` is not a region of the network, for an error message: the known codes
    /// and the nearest one (`unknown region `JPN`; did you mean `JP`? known: CN, JP, US`).
    ///
    /// ```
    /// let net = shortfall::network::toy_chain();
    /// assert_eq!(
    ///     net.unknown_region("NLD"),
    ///     "unknown region `NLD`; did you mean `NL`? known: CN, US, NL"
    /// );
    /// ```
    pub fn unknown_region(&self, code: &str) -> String {
        unknown("region", code, self.regions.iter().map(|r| r.code.as_str()))
    }

    /// Why `id` is not a product of the network: the known ids and the nearest one.
    pub fn unknown_product(&self, id: &str) -> String {
        unknown("product", id, self.products.iter().map(|p| p.id.as_str()))
    }

    /// The network in a few words, for messages: its fingerprint and sizes.
    pub fn identity(&self) -> String {
        format!(
            "network {:016x} ({} regions, {} products, {} flows)",
            self.fingerprint,
            self.regions.len(),
            self.products.len(),
            self.edges.len()
        )
    }

    /// FNV-1a over the defining data, in a fixed order.
    fn hash(&self) -> u64 {
        let mut h = Fnv::default();
        h.word(self.accounts as u64);
        for r in &self.regions {
            h.text(&r.code);
            h.word(u64::from(r.aggregate));
            h.word(r.governance.map_or(u64::MAX, f64::to_bits));
        }
        for p in &self.products {
            h.text(&p.id);
            h.text(&p.unit);
            h.word(u64::from(p.final_use));
            h.word(p.mass_per_unit.map_or(u64::MAX, f64::to_bits));
        }
        for j in &self.joint {
            h.word(u64::from(j.node.0));
            h.word(u64::from(j.host.0));
            h.word(j.per_unit.to_bits());
        }
        for n in self.node_ids() {
            let node = self.node(n);
            h.word(u64::from(node.region.0));
            h.word(u64::from(node.product.0));
            h.word(node.kind as u64);
            h.word(node.capacity.to_bits());
            for i in self.inputs(n) {
                h.word(u64::from(i.product.0));
                h.word(i.per_unit.to_bits());
            }
            h.word(u64::MAX);
        }
        for e in &self.edges {
            h.word(u64::from(e.from.0));
            match e.to {
                Sink::Node(t) => h.word(u64::from(t.0)),
                Sink::FinalUse(r) => h.word((1 << 32) | u64::from(r.0)),
            }
            h.word(e.flow.to_bits());
            h.word(e.transit.map_or(u64::MAX, |r| u64::from(r.0)));
        }
        for x in &self.stocks {
            h.word(x.to_bits());
        }
        h.0
    }

    /// A text and HTML summary: regions, products with units, flows per stage, checks.
    pub fn summary(&self) -> Overview<'_> {
        Overview::new(self)
    }
}

/// A summary, not a dump: networks run to millions of flows (the full data serialise with
/// [`crate::data::network_to_json`]).
impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("regions", &self.regions.len())
            .field("products", &self.products.len())
            .field("nodes", &self.nodes.len())
            .field("flows", &self.edges.len())
            .finish_non_exhaustive()
    }
}

impl Network {
    /// Shows the network's summary in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        crate::report::evcxr_print(&self.summary());
    }
}

/// "unknown `what` `given`", the nearest of `known` by edit distance (ignoring case) when
/// it is close, and the known names (the first 40).
fn unknown<'a>(what: &str, given: &str, known: impl Iterator<Item = &'a str> + Clone) -> String {
    let distance = |a: &str, b: &str| -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (
            a.to_lowercase().chars().collect(),
            b.to_lowercase().chars().collect(),
        );
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut diagonal = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let next = (row[j + 1] + 1)
                    .min(row[j] + 1)
                    .min(diagonal + usize::from(ca != cb));
                diagonal = row[j + 1];
                row[j + 1] = next;
            }
        }
        row[b.len()]
    };
    let nearest = known
        .clone()
        .map(|k| (distance(given, k), k))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, k)| *d <= given.chars().count().max(k.chars().count()) / 2)
        .map_or(";".into(), |(_, k)| format!("; did you mean `{k}`?"));
    let names: Vec<&str> = known.clone().take(40).collect();
    let more = if known.count() > names.len() {
        ", ..."
    } else {
        ""
    };
    format!(
        "unknown {what} `{given}`{nearest} known: {}{more}",
        names.join(", ")
    )
}

/// FNV-1a, 64 bits, over bytes for text and over whole words for numbers (one multiply a
/// word, so hashing a network of millions of flows costs a few milliseconds): small,
/// stable and enough to tell networks apart.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(0x0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }

    fn text(&mut self, t: &str) {
        self.word(t.len() as u64);
        self.bytes(t.as_bytes());
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidNetwork(msg.into())
}

fn unique<'a>(codes: impl Iterator<Item = &'a str>, what: &str) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for c in codes {
        if !seen.insert(c) {
            return Err(invalid(format!("duplicate {what} `{c}`")));
        }
    }
    Ok(())
}

fn quantity(
    field: &str,
    value: f64,
    regions: &[Region],
    products: &[Product],
    node: &Node,
) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        return Ok(());
    }
    Err(Error::InvalidQuantity {
        field: field.into(),
        value,
        reason: format!(
            "{} of {} in {} must be non-negative and finite",
            field,
            products[node.product.index()].id,
            regions[node.region.index()].code
        ),
        location: crate::error::Location::new("network", None),
    })
}

/// CSR starts for `n` groups from the (sorted) group key of each item.
fn starts(n: usize, keys: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut counts = vec![0usize; n + 1];
    for k in keys {
        counts[k + 1] += 1;
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    counts
}

fn starts_from_lengths(lengths: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut s = vec![0];
    for l in lengths {
        s.push(s.last().copied().unwrap_or(0) + l);
    }
    s
}

/// Kahn's algorithm over the product graph `input -> output` taken from every node's
/// inputs; a cycle is an error naming its products.
fn product_order(
    products: &[Product],
    nodes: &[Node],
    input_start: &[usize],
    inputs: &[Input],
    joint: &[JointOutput],
    recycled: &[bool],
) -> Result<Vec<ProductId>> {
    let uses = nodes.iter().enumerate().flat_map(|(n, node)| {
        inputs[input_start[n]..input_start[n + 1]]
            .iter()
            .map(move |i| (i.product, node.product))
    });
    // A host's product comes before its joint outputs' (docs/model.md §1.8), except on a
    // recycling loop (§1.9), whose joint output feeds the host's own chain.
    let hosts = joint
        .iter()
        .zip(recycled)
        .filter(|(_, &r)| !r)
        .map(|(j, _)| (nodes[j.host.index()].product, nodes[j.node.index()].product));
    order_of_uses(products, uses.chain(hosts))
}

/// Per joint output: whether it closes a recycling loop (docs/model.md §1.9), its product
/// an input, at any depth, of its host's product.
fn recycling(
    np: usize,
    uses: impl Iterator<Item = (ProductId, ProductId)>,
    nodes: &[Node],
    joint: &[JointOutput],
) -> Vec<bool> {
    let mut made_from: Vec<Vec<usize>> = vec![Vec::new(); np];
    for (input, output) in uses {
        made_from[output.index()].push(input.index());
    }
    joint
        .iter()
        .map(|j| {
            let (target, start) = (
                nodes[j.node.index()].product.index(),
                nodes[j.host.index()].product.index(),
            );
            let mut seen = vec![false; np];
            let mut stack = vec![start];
            while let Some(p) = stack.pop() {
                for &q in &made_from[p] {
                    if q == target {
                        return true;
                    }
                    if !std::mem::replace(&mut seen[q], true) {
                        stack.push(q);
                    }
                }
            }
            false
        })
        .collect()
}

/// Checks the joint outputs (nodes in range, producers of different products in one
/// region, one host each, a positive yield) and indexes them by node.
fn joint_links(
    joint: &[JointOutput],
    nodes: &[Node],
    regions: &[Region],
    products: &[Product],
) -> Result<Vec<u32>> {
    let mut joint_of = vec![u32::MAX; nodes.len()];
    for (i, j) in joint.iter().enumerate() {
        let (Some(node), Some(host)) = (nodes.get(j.node.index()), nodes.get(j.host.index()))
        else {
            return Err(invalid(format!("joint[{i}] refers to a node out of range")));
        };
        let name = |n: &Node| {
            format!(
                "{} in {}",
                products[n.product.index()].id,
                regions[n.region.index()].code
            )
        };
        let problem = if node.region != host.region {
            Some("its host is in another region".to_string())
        } else if node.product == host.product {
            Some("a node cannot be a joint output of its own product".to_string())
        } else if !matches!(
            node.kind,
            NodeKind::Producer | NodeKind::Recycled | NodeKind::Coproduct
        ) || host.kind != NodeKind::Producer
        {
            Some(
                "hosts are producers and joint outputs are producers, recycled or co-product \
                 items, not closing items"
                    .to_string(),
            )
        } else if !(j.per_unit.is_finite() && j.per_unit > 0.0) {
            Some(format!(
                "its yield {} must be positive and finite",
                j.per_unit
            ))
        } else if joint_of[j.node.index()] != u32::MAX {
            Some(format!(
                "it is a joint output of joint[{}] already",
                joint_of[j.node.index()]
            ))
        } else {
            None
        };
        if let Some(reason) = problem {
            return Err(invalid(format!(
                "joint[{i}]: {} as a joint output of {}: {reason}",
                name(node),
                name(host)
            )));
        }
        joint_of[j.node.index()] = i as u32;
    }
    Ok(joint_of)
}

/// Kahn's algorithm over `(input, output)` product pairs; a cycle is an error naming its
/// products. The builder checks its recipes with it before balancing.
pub(crate) fn order_of_uses(
    products: &[Product],
    uses: impl IntoIterator<Item = (ProductId, ProductId)>,
) -> Result<Vec<ProductId>> {
    let np = products.len();
    let mut succ = vec![std::collections::BTreeSet::new(); np];
    for (input, output) in uses {
        succ[input.index()].insert(output.index());
    }
    let mut indegree = vec![0usize; np];
    for s in &succ {
        for &t in s {
            indegree[t] += 1;
        }
    }
    // Among the products ready, the one listed first goes first: a stable, readable order.
    let mut ready: std::collections::BTreeSet<usize> =
        (0..np).filter(|&p| indegree[p] == 0).collect();
    let mut order = Vec::with_capacity(np);
    while let Some(p) = ready.pop_first() {
        order.push(ProductId(p as u32));
        for &t in &succ[p] {
            indegree[t] -= 1;
            if indegree[t] == 0 {
                ready.insert(t);
            }
        }
    }
    if order.len() == np {
        return Ok(order);
    }
    // Walk a cycle among the products left over.
    let start = (0..np).find(|&p| indegree[p] > 0).unwrap_or(0);
    let mut cycle = vec![start];
    let mut at = start;
    while let Some(&next) = succ[at].iter().find(|&&t| indegree[t] > 0) {
        if let Some(pos) = cycle.iter().position(|&c| c == next) {
            cycle.drain(..pos);
            cycle.push(next);
            break;
        }
        cycle.push(next);
        at = next;
    }
    Err(Error::CyclicRecipes {
        cycle: cycle.iter().map(|&p| products[p].id.clone()).collect(),
    })
}
