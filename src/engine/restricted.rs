//! Which flows a scenario's restrictions cut (docs/model.md §4.1), resolved once for both
//! engines.

use super::field_error;
use crate::error::Result;
use crate::network::{Network, NodeKind};
use crate::scenario::{Realization, Transit};

/// No restriction (an edge) or no entry (an index).
pub(crate) const NONE: u32 = u32::MAX;

/// A scenario's restrictions resolved against a network.
#[derive(Debug, Clone)]
pub(crate) struct Restricted {
    /// Per network edge: the index of the restriction that cuts it, or [`NONE`].
    pub edge: Vec<u32>,
    /// Per node: whether it is a restricting exporter's node of a restricted product.
    pub restricting: Vec<bool>,
    /// Per region: a target of any restriction.
    pub target: Vec<bool>,
}

impl Restricted {
    /// Resolves exporters, products and targets; an edge is cut when its exporter and
    /// product are in a restriction and its user's region is a target (with
    /// `transit = shipping_destination`, also when it transited a target hub).
    ///
    /// # Errors
    /// [`crate::Error::InvalidField`] for an unknown region, product or bloc, and for two
    /// restrictions cutting the same flow.
    pub fn new(net: &Network, scenario: &Realization) -> Result<Self> {
        let (nr, nn) = (net.regions().len(), net.nodes().len());
        let mut edge = vec![NONE; net.edges().len()];
        let mut restricting = vec![false; nn];
        let mut target = vec![false; nr];
        for (i, r) in scenario.restrictions.iter().enumerate() {
            let exporters = r
                .exporters
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    net.region_id(c).ok_or_else(|| {
                        field_error(
                            format!("restrictions[{i}].exporters[{j}]"),
                            format!("unknown region `{c}`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let products = r
                .products
                .iter()
                .enumerate()
                .map(|(j, p)| {
                    net.product_id(p).ok_or_else(|| {
                        field_error(
                            format!("restrictions[{i}].products[{j}]"),
                            format!("unknown product `{p}`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut is_target = vec![false; nr];
            for t in r
                .targets
                .resolve(net, &format!("restrictions[{i}].targets"))?
            {
                is_target[t.index()] = true;
            }
            for e in &exporters {
                is_target[e.index()] = false;
            }
            for (t, flag) in target.iter_mut().zip(&is_target) {
                *t |= *flag;
            }
            for &p in &products {
                for &n in net.nodes_of(p) {
                    let node = net.node(n);
                    if node.kind != NodeKind::Producer || !exporters.contains(&node.region) {
                        continue;
                    }
                    restricting[n.index()] = true;
                    for ei in net.out_range(n) {
                        let e = &net.edges()[ei];
                        let hit = is_target[net.sink_region(e.to).index()]
                            || (r.transit == Transit::ShippingDestination
                                && e.transit.is_some_and(|h| is_target[h.index()]));
                        if !hit {
                            continue;
                        }
                        if edge[ei] != NONE {
                            return Err(field_error(
                                format!("restrictions[{i}]"),
                                format!(
                                    "overlaps restrictions[{}] on {} from {}",
                                    edge[ei],
                                    net.product(p).id,
                                    net.region(node.region).code
                                ),
                            ));
                        }
                        edge[ei] = i as u32;
                    }
                }
            }
        }
        Ok(Self {
            edge,
            restricting,
            target,
        })
    }
}
