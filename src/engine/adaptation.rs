//! Adaptation on the user's side resolved against a network (docs/model.md §3.4): which
//! (node, input) coefficients are thrifted, and which nodes may switch which input to
//! which substitute. Both engines read this; codes become indices here, and every unknown
//! code, empty selection or overlap is an error naming the scenario field.

use super::{product_at, region_at};
use crate::error::{Error, Result};
use crate::network::{Network, NodeId, NodeKind, ProductId};
use crate::scenario::Realization;

/// A node that may replace part of its need of one input by another product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Switch {
    /// The switching node.
    pub node: NodeId,
    /// The preferred input `P`.
    pub preferred: ProductId,
    /// The substitute `S`.
    pub substitute: ProductId,
    /// Index into `adaptation.substitution_groups`.
    pub group: usize,
}

/// A scenario's adaptation resolved against a network.
#[derive(Debug, Clone, Default)]
pub(crate) struct Adapting {
    /// Thrifted coefficients: (node, input, index into `adaptation.thrifting`).
    pub thrifted: Vec<(NodeId, ProductId, usize)>,
    /// One per node of each substitution group, in the groups' order.
    pub switches: Vec<Switch>,
}

impl Adapting {
    /// Resolves thrifting and substitution groups.
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming the field: an unknown product or region, a
    /// selection with no producer using the input, two thrifting entries on one
    /// coefficient, two groups on one node's input or substitute, a substitute equal to
    /// its input or at or after it in the product order.
    pub fn new(net: &Network, scenario: &Realization) -> Result<Self> {
        let mut out = Self::default();
        for (i, t) in scenario.adaptation.thrifting.iter().enumerate() {
            let path = format!("adaptation.thrifting[{i}]");
            let input = product_at(net, &t.input, format!("{path}.input"))?;
            for n in users(net, &t.product, &t.regions, input, &path)? {
                if let Some(&(_, _, j)) =
                    out.thrifted.iter().find(|&&(m, q, _)| m == n && q == input)
                {
                    return Err(field(
                        path,
                        format!(
                            "{} of {} in {} is thrifted by adaptation.thrifting[{j}] already",
                            t.input,
                            t.product,
                            net.region(net.node(n).region).code
                        ),
                    ));
                }
                out.thrifted.push((n, input, i));
            }
        }
        for (g, group) in scenario.adaptation.substitution_groups.iter().enumerate() {
            let path = format!("adaptation.substitution_groups[{g}]");
            let preferred = product_at(net, &group.input, format!("{path}.input"))?;
            let substitute = product_at(net, &group.substitute, format!("{path}.substitute"))?;
            if preferred == substitute {
                return Err(field(
                    format!("{path}.substitute"),
                    format!("{} cannot substitute for itself", group.input),
                ));
            }
            // The substitute's pool is planned after the preferred input's, and shared
            // before it (§4.9): it must come first in the topological order.
            let rank = |p: ProductId| net.product_order().iter().position(|&q| q == p);
            if rank(substitute) >= rank(preferred) {
                return Err(field(
                    format!("{path}.substitute"),
                    format!(
                        "{} comes after {} in the network's product order (it is made from \
                         it, or listed after it among products ready at once): a substitute's \
                         supply is planned after and shared before the input it replaces \
                         (docs/model.md §4.9); list it before {} in products.csv",
                        group.substitute, group.input, group.input
                    ),
                ));
            }
            for node in users(net, &group.product, &group.regions, preferred, &path)? {
                let clash = out.switches.iter().find(|s| {
                    s.node == node
                        && [s.preferred, s.substitute]
                            .iter()
                            .any(|p| [preferred, substitute].contains(p))
                });
                if let Some(s) = clash {
                    return Err(field(
                        path,
                        format!(
                            "the makers of {} in {} are in adaptation.substitution_groups[{}] \
                             with {} or {} already",
                            group.product,
                            net.region(net.node(node).region).code,
                            s.group,
                            group.input,
                            group.substitute
                        ),
                    ));
                }
                out.switches.push(Switch {
                    node,
                    preferred,
                    substitute,
                    group: g,
                });
            }
        }
        Ok(out)
    }
}

/// The producer nodes of `product` (in `regions`, or all) whose recipe uses `input`.
fn users(
    net: &Network,
    product: &str,
    regions: &[String],
    input: ProductId,
    path: &str,
) -> Result<Vec<NodeId>> {
    let p = product_at(net, product, format!("{path}.product"))?;
    let regions = regions
        .iter()
        .enumerate()
        .map(|(j, c)| region_at(net, c, format!("{path}.regions[{j}]")))
        .collect::<Result<Vec<_>>>()?;
    let nodes: Vec<NodeId> = net
        .nodes_of(p)
        .iter()
        .copied()
        .filter(|&n| {
            let node = net.node(n);
            node.kind == NodeKind::Producer
                && (regions.is_empty() || regions.contains(&node.region))
                && net.inputs(n).iter().any(|i| i.product == input)
        })
        .collect();
    if nodes.is_empty() {
        let place = if regions.is_empty() {
            String::new()
        } else {
            " in the regions listed".to_string()
        };
        return Err(field(
            path.to_string(),
            format!(
                "no producer of {product}{place} uses {} in its recipe",
                net.product(input).id
            ),
        ));
    }
    Ok(nodes)
}

fn field(path: String, reason: String) -> Error {
    Error::field("scenario", path, reason)
}
