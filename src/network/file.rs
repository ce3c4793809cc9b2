//! Whole networks as JSON and TOML (docs/model.md §1.6): the serde form of [`Network`],
//! with codes instead of indices for regions and products.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Accounts, Edge, Input, Network, NetworkParts, Node, NodeId, NodeKind, Sink};
use super::{Product, ProductId, Region, RegionId};
use crate::error::Error;

/// The file form of a network.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NetworkFile {
    /// Physical (the default) or monetary.
    #[serde(default, skip_serializing_if = "is_physical")]
    accounts: Accounts,
    regions: Vec<Region>,
    products: Vec<Product>,
    /// Nodes in id order; flows refer to them by position.
    nodes: Vec<NodeRecord>,
    flows: Vec<FlowRecord>,
    #[serde(default)]
    stocks: Vec<StockEntry>,
    /// Joint outputs (docs/model.md §1.8), by node position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    joint: Vec<JointRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JointRecord {
    /// Position of the joint output's node in `nodes`.
    node: u32,
    /// Position of its host.
    host: u32,
    /// Units of the node's product per unit of the host's output.
    per_unit: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeRecord {
    region: String,
    product: String,
    #[serde(default)]
    kind: NodeKind,
    capacity: f64,
    #[serde(default)]
    estimated: bool,
    /// Input product id -> units per unit of output.
    #[serde(default)]
    inputs: Vec<InputRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputRecord {
    product: String,
    per_unit: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowRecord {
    /// Position of the supplying node in `nodes`.
    from: u32,
    /// Position of the using node, or absent for final use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to_node: Option<u32>,
    /// Region of final use, when `to_node` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    final_use: Option<String>,
    flow: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transit: Option<String>,
    #[serde(default)]
    estimate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StockEntry {
    region: String,
    product: String,
    quantity: f64,
}

fn is_physical(accounts: &Accounts) -> bool {
    *accounts == Accounts::Physical
}

impl From<Network> for NetworkFile {
    fn from(net: Network) -> Self {
        let region = |r: RegionId| net.region(r).code.clone();
        let product = |p: ProductId| net.product(p).id.clone();
        let nodes = net
            .node_ids()
            .map(|n| {
                let node = net.node(n);
                NodeRecord {
                    region: region(node.region),
                    product: product(node.product),
                    kind: node.kind,
                    capacity: node.capacity,
                    estimated: node.estimated,
                    inputs: net
                        .inputs(n)
                        .iter()
                        .map(|i| InputRecord {
                            product: product(i.product),
                            per_unit: i.per_unit,
                        })
                        .collect(),
                }
            })
            .collect();
        let flows = net
            .edges()
            .iter()
            .map(|e| FlowRecord {
                from: e.from.0,
                to_node: match e.to {
                    Sink::Node(n) => Some(n.0),
                    Sink::FinalUse(_) => None,
                },
                final_use: match e.to {
                    Sink::Node(_) => None,
                    Sink::FinalUse(r) => Some(region(r)),
                },
                flow: e.flow,
                transit: e.transit.map(region),
                estimate: e.estimate,
            })
            .collect();
        let mut stocks = Vec::new();
        for r in 0..net.regions().len() as u32 {
            for p in 0..net.products().len() as u32 {
                let q = net.stock(RegionId(r), ProductId(p));
                if q != 0.0 {
                    stocks.push(StockEntry {
                        region: region(RegionId(r)),
                        product: product(ProductId(p)),
                        quantity: q,
                    });
                }
            }
        }
        Self {
            accounts: net.accounts(),
            regions: net.regions().to_vec(),
            products: net.products().to_vec(),
            nodes,
            flows,
            stocks,
            joint: net
                .joint_outputs()
                .iter()
                .map(|j| JointRecord {
                    node: j.node.0,
                    host: j.host.0,
                    per_unit: j.per_unit,
                })
                .collect(),
        }
    }
}

impl TryFrom<NetworkFile> for Network {
    type Error = Error;

    fn try_from(file: NetworkFile) -> Result<Self, Error> {
        let regions: HashMap<&str, RegionId> = file
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.as_str(), RegionId(i as u32)))
            .collect();
        let products: HashMap<&str, ProductId> = file
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), ProductId(i as u32)))
            .collect();
        let region = |code: &str, field: String| {
            regions
                .get(code)
                .copied()
                .ok_or_else(|| Error::UnknownRegion {
                    code: code.into(),
                    field,
                    location: crate::error::Location::new("network", None),
                })
        };
        let product = |id: &str, field: String| {
            products
                .get(id)
                .copied()
                .ok_or_else(|| Error::UnknownProduct {
                    code: id.into(),
                    field,
                    location: crate::error::Location::new("network", None),
                })
        };
        let mut nodes = Vec::with_capacity(file.nodes.len());
        let mut inputs = Vec::with_capacity(file.nodes.len());
        for (i, n) in file.nodes.iter().enumerate() {
            nodes.push(Node {
                region: region(&n.region, format!("nodes[{i}].region"))?,
                product: product(&n.product, format!("nodes[{i}].product"))?,
                kind: n.kind,
                capacity: n.capacity,
                estimated: n.estimated,
            });
            inputs.push(
                n.inputs
                    .iter()
                    .enumerate()
                    .map(|(j, input)| {
                        Ok(Input {
                            product: product(&input.product, format!("nodes[{i}].inputs[{j}]"))?,
                            per_unit: input.per_unit,
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?,
            );
        }
        let node_count = nodes.len() as u32;
        let node = |n: u32, field: String| {
            if n < node_count {
                Ok(NodeId(n))
            } else {
                Err(Error::InvalidNetwork(format!(
                    "{field}: node {n} does not exist ({node_count} nodes)"
                )))
            }
        };
        let mut edges = Vec::with_capacity(file.flows.len());
        for (i, f) in file.flows.iter().enumerate() {
            let to = match (f.to_node, &f.final_use) {
                (Some(n), None) => Sink::Node(node(n, format!("flows[{i}].to_node"))?),
                (None, Some(r)) => Sink::FinalUse(region(r, format!("flows[{i}].final_use"))?),
                _ => {
                    return Err(Error::InvalidNetwork(format!(
                        "flows[{i}]: give exactly one of `to_node` and `final_use`"
                    )))
                }
            };
            edges.push(Edge {
                from: node(f.from, format!("flows[{i}].from"))?,
                to,
                flow: f.flow,
                transit: f
                    .transit
                    .as_deref()
                    .map(|t| region(t, format!("flows[{i}].transit")))
                    .transpose()?,
                estimate: f.estimate,
            });
        }
        let mut stocks = vec![vec![0.0; file.products.len()]; file.regions.len()];
        let mut seen = HashMap::new();
        for (i, s) in file.stocks.iter().enumerate() {
            let r = region(&s.region, format!("stocks[{i}].region"))?;
            let p = product(&s.product, format!("stocks[{i}].product"))?;
            if let Some(j) = seen.insert((r, p), i) {
                return Err(Error::InvalidField {
                    field: format!("stocks[{i}]"),
                    reason: format!(
                        "a second stock of {} in {} (the first is stocks[{j}])",
                        s.product, s.region
                    ),
                    location: crate::error::Location::new("network", None),
                });
            }
            stocks[r.index()][p.index()] = s.quantity;
        }
        let joint = file
            .joint
            .iter()
            .map(|j| super::JointOutput {
                node: NodeId(j.node),
                host: NodeId(j.host),
                per_unit: j.per_unit,
            })
            .collect();
        let parts = NetworkParts {
            regions: file.regions,
            products: file.products,
            nodes,
            inputs,
            edges,
            stocks,
            joint,
        };
        match file.accounts {
            Accounts::Physical => Network::new(parts),
            Accounts::Monetary => Network::monetary(parts),
        }
    }
}
