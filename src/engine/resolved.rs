//! A scenario's structure resolved against a network, once, for both engines: which flows
//! its restrictions cut (docs/model.md §4.1), the nodes that restrict, the targets, the
//! priority class of `bloc_first`, the nodes of capacity losses and additions, and the
//! products whose recipes are scaled (§3.2). Codes become indices here, and every unknown
//! code or overlap is an error naming the scenario field.

use super::adaptation::Adapting;
use super::{product_at, region_at};
use crate::error::{Error, Result};
use crate::network::{Network, NodeId, NodeKind, ProductId, RegionId};
use crate::scenario::{Allocation, ContentRule, Realization, Restriction, Transit};

/// No restriction (an edge) or no entry (an index).
pub(crate) const NONE: u32 = u32::MAX;

/// A scenario's structure resolved against a network.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// Per network edge: the index of the restriction that cuts it, or [`NONE`].
    pub edge: Vec<u32>,
    /// Per node: whether it is a restricting exporter's node of a restricted product.
    pub restricting: Vec<bool>,
    /// Per region: a target of any restriction.
    pub target: Vec<bool>,
    /// Per region: in the priority class of `bloc_first` (all false under pro rata).
    pub priority: Vec<bool>,
    /// Per node: the capacity loss that hits it, or [`NONE`].
    pub node_loss: Vec<u32>,
    /// Per capacity loss: its node.
    pub losses: Vec<NodeId>,
    /// Per capacity addition: its node.
    pub additions: Vec<NodeId>,
    /// Recipe multipliers: (product index, index into `perturbation.recipes`).
    pub recipe_scales: Vec<(usize, usize)>,
    /// A warning for each restriction that cuts no flow ([`Resolved::idle`]).
    pub warnings: Vec<String>,
    /// Thrifting and substitution groups (docs/model.md §3.4).
    pub adapting: Adapting,
}

impl Resolved {
    /// Resolves every part of the scenario's structure (the restrictions first).
    ///
    /// # Errors
    /// [`crate::Error::InvalidField`] naming the field: an unknown region, product or bloc
    /// code, two restrictions cutting the same flow, two capacity losses on one node, a
    /// capacity change on a node that does not exist, two multipliers on one recipe, and
    /// every error of adaptation (docs/model.md §3.4).
    pub fn new(net: &Network, scenario: &Realization) -> Result<Self> {
        let mut out = Self::restrictions(net, scenario)?;
        out.warnings = out.idle(scenario);
        out.node_loss = vec![NONE; net.nodes().len()];
        for (i, c) in scenario.capacity_losses.iter().enumerate() {
            let at = (c.region.as_str(), c.product.as_str(), c.item);
            let n = super::item_at(net, at, &format!("capacity_losses[{i}]"))?;
            if out.node_loss[n.index()] != NONE {
                return Err(Error::field(
                    "scenario",
                    format!("capacity_losses[{i}]"),
                    format!("a second capacity loss on {} in {}", c.product, c.region),
                ));
            }
            out.node_loss[n.index()] = i as u32;
            out.losses.push(n);
        }
        out.additions = super::addition_nodes(net, scenario)?;
        if let Allocation::BlocFirst(t) = &scenario.mitigation.allocation {
            for r in t.resolve(net, "mitigation.allocation.bloc_first")? {
                out.priority[r.index()] = true;
            }
        }
        for (i, rs) in scenario.perturbation.recipes.iter().enumerate() {
            let path = format!("perturbation.recipes[{i}].product");
            let p = product_at(net, &rs.product, path)?.index();
            if out.recipe_scales.iter().any(|&(q, _)| q == p) {
                return Err(Error::field(
                    "scenario",
                    format!("perturbation.recipes[{i}]"),
                    format!("a second multiplier on the recipe of {}", rs.product),
                ));
            }
            out.recipe_scales.push((p, i));
        }
        out.adapting = Adapting::new(net, scenario)?;
        Ok(out)
    }

    /// Whether `bloc_first` is in force (a non-empty priority class).
    pub fn prioritised(&self) -> bool {
        self.priority.iter().any(|&p| p)
    }

    /// A warning for each restriction that cuts no flow of the network (an exporter that
    /// makes none of the products, targets that buy none of them, or only the exporter
    /// itself as target): its shortfalls are zero by construction, which is rarely what a
    /// scenario means.
    fn idle(&self, scenario: &Realization) -> Vec<String> {
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
    fn restrictions(net: &Network, scenario: &Realization) -> Result<Self> {
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
            priority: vec![false; nr],
            node_loss: Vec::new(),
            losses: Vec::new(),
            additions: Vec::new(),
            recipe_scales: Vec::new(),
            adapting: Adapting::default(),
            warnings: Vec::new(),
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
