//! Which flows a scenario's restrictions cut (docs/model.md §4.1), resolved once for both
//! engines.

use super::{product_at, region_at};
use crate::error::{Error, Result};
use crate::network::{Network, NodeKind, ProductId, RegionId};
use crate::scenario::{ContentRule, Realization, Restriction, Transit};

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
    /// A warning for each restriction that cuts no flow of the network (an exporter that
    /// makes none of the products, targets that buy none of them, or only the exporter
    /// itself as target): its shortfalls are zero by construction, which is rarely what a
    /// scenario means.
    pub fn idle(&self, scenario: &Realization) -> Vec<String> {
        let name = if scenario.name.is_empty() {
            "the scenario"
        } else {
            &scenario.name
        };
        (0..scenario.restrictions.len())
            .filter(|&k| !self.edge.contains(&(k as u32)))
            .map(|k| {
                format!(
                    "restrictions[{k}] of {name} cuts no flow of the network: its exporters \
                     ship none of its products to its targets"
                )
            })
            .collect()
    }

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
            let path = format!("restrictions[{i}]");
            let exporters = ids(&r.exporters, &format!("{path}.exporters"), |c, at| {
                region_at(net, c, at)
            })?;
            let products = ids(&r.products, &format!("{path}.products"), |p, at| {
                product_at(net, p, at)
            })?;
            let is_target = target_flags(net, i, r, &exporters)?;
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
                            return Err(Error::field(
                                "scenario",
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
        let mut out = Self {
            edge,
            restricting,
            target,
        };
        for (i, r) in scenario.restrictions.iter().enumerate() {
            if let Some(rule) = &r.content {
                out.content_rule(net, i, r, rule)?;
            }
        }
        Ok(out)
    }

    /// Cuts, for restriction `i`, the flows to its targets of the rule's products from
    /// nodes outside its exporters whose baseline traced content of the controlled
    /// products from the exporters is at least θ of their mass (docs/model.md §3.1).
    fn content_rule(
        &mut self,
        net: &Network,
        i: usize,
        r: &Restriction<f64>,
        rule: &ContentRule,
    ) -> Result<()> {
        let path = format!("restrictions[{i}].content");
        let id = |list: &[String], name: &str| -> Result<Vec<ProductId>> {
            ids(list, &format!("{path}.{name}"), |p, at| {
                product_at(net, p, at)
            })
        };
        let (controlled, products) = (
            id(&rule.controlled, "controlled")?,
            id(&rule.products, "products")?,
        );
        let tonnes = |p: ProductId| {
            let product = net.product(p);
            product.tonnes_per_unit().ok_or_else(|| {
                Error::field(
                    "scenario",
                    path.clone(),
                    format!(
                        "{} is counted in {}: give its mass_per_unit (t per unit) to measure \
                         content by mass",
                        product.id, product.unit
                    ),
                )
            })
        };
        let exporters: Vec<RegionId> = r
            .exporters
            .iter()
            .filter_map(|c| net.region_id(c))
            .collect();
        let is_target = target_flags(net, i, r, &exporters)?;
        // Content of the controlled products from the exporters, tonnes per unit of output.
        let mut content = vec![0.0; net.nodes().len()];
        for &c in &controlled {
            let mass = tonnes(c)?;
            for &e in &exporters {
                for (total, v) in content
                    .iter_mut()
                    .zip(crate::metrics::content(net, c, Some(e))?)
                {
                    *total += v * mass;
                }
            }
        }
        for &p in &products {
            let mass = tonnes(p)?;
            for &n in net.nodes_of(p) {
                let node = net.node(n);
                if exporters.contains(&node.region) || content[n.index()] < rule.threshold * mass {
                    continue;
                }
                for ei in net.out_range(n) {
                    // The rule licenses exports: a node's sales in its own region pass.
                    let to = net.sink_region(net.edges()[ei].to);
                    if !is_target[to.index()] || to == node.region {
                        continue;
                    }
                    if self.edge[ei] != NONE && self.edge[ei] != i as u32 {
                        return Err(Error::field(
                            "scenario",
                            path.clone(),
                            format!(
                                "cuts {} from {}, which restrictions[{}] cuts already",
                                net.product(p).id,
                                net.region(node.region).code,
                                self.edge[ei]
                            ),
                        ));
                    }
                    self.edge[ei] = i as u32;
                }
            }
        }
        Ok(())
    }
}

/// Each code of `list` looked up, an unknown one named at `path[j]`.
fn ids<T>(
    list: &[String],
    path: &str,
    lookup: impl Fn(&str, String) -> Result<T>,
) -> Result<Vec<T>> {
    list.iter()
        .enumerate()
        .map(|(j, code)| lookup(code, format!("{path}[{j}]")))
        .collect()
}

/// Per region, whether restriction `i` targets it: named by its targets, and never one of
/// its exporters.
fn target_flags(
    net: &Network,
    i: usize,
    r: &Restriction<f64>,
    exporters: &[RegionId],
) -> Result<Vec<bool>> {
    let mut flags = vec![false; net.regions().len()];
    for t in r
        .targets
        .resolve(net, &format!("restrictions[{i}].targets"))?
    {
        flags[t.index()] = true;
    }
    for e in exporters {
        flags[e.index()] = false;
    }
    Ok(flags)
}
