//! Values per unit (docs/model.md §7.2, §7.3): prices of products, whether value added
//! can be computed from them (every node's at baseline checked), and the value of the final
//! goods a unit of final use goes into. Resolved once when an engine is built.

use super::product_at;
use crate::error::{Error, Result};
use crate::network::{Network, NodeId};
use crate::scenario::Realization;

/// A scenario's values resolved against a network.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values {
    /// Per product: price at baseline, if given.
    pub price: Vec<Option<f64>>,
    /// Whether every product and input has a price, so that value added can be computed
    /// (§7.3; every node's value added per unit at baseline is then non-negative).
    pub added: bool,
    /// Per product: value of the final goods a unit of its final use goes into.
    pub final_good: Vec<Option<f64>>,
    /// What value added could not be computed for, if anything (a warning).
    pub missing: Option<String>,
}

impl Values {
    /// Resolves `prices` and `final_goods`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an unknown product, a final good of a product without
    /// final use, or a node whose value added per unit is negative at the given prices.
    pub fn new(net: &Network, scenario: &Realization) -> Result<Self> {
        let np = net.products().len();
        let mut price = vec![None; np];
        for (id, p) in &scenario.prices {
            price[product_at(net, id, format!("prices.{id}"))?.index()] = Some(*p);
        }
        let mut final_good = vec![None; np];
        for (id, v) in &scenario.final_goods {
            let k = product_at(net, id, format!("final_goods.{id}"))?;
            if !net.product(k).final_use {
                return Err(Error::field(
                    "scenario",
                    format!("final_goods.{id}"),
                    format!("{id} has no final use in the network: a final good needs one"),
                ));
            }
            final_good[k.index()] = Some(*v);
        }
        let mut out = Self {
            price,
            added: false,
            final_good,
            missing: None,
        };
        if scenario.prices.is_empty() {
            return Ok(out);
        }
        for n in net.node_ids() {
            if let Some(missing) = out.check_added(net, n)? {
                out.missing = Some(missing);
                return Ok(out);
            }
        }
        out.added = true;
        Ok(out)
    }

    /// Checks the value added per unit of node `n` at baseline prices,
    /// `p_k - Σ_m a[m, n] p_m`: `Ok(Some(why))` when a price it needs is missing; a
    /// negative value is an error.
    fn check_added(&self, net: &Network, n: NodeId) -> Result<Option<String>> {
        let node = net.node(n);
        let k = net.product(node.product);
        let Some(p) = self.price[node.product.index()] else {
            return Ok(Some(format!("no price for {}", k.id)));
        };
        let mut v = p;
        for input in net.inputs(n) {
            match self.price[input.product.index()] {
                Some(q) => v -= input.per_unit * q,
                None => {
                    return Ok(Some(format!(
                        "no price for {}, an input of {}",
                        net.product(input.product).id,
                        k.id
                    )))
                }
            }
        }
        if v < -1e-9 * p.max(1.0) {
            return Err(Error::field(
                "scenario",
                format!("prices.{}", k.id),
                format!(
                    "{p} is below the cost of its inputs in {} ({:.6} a unit): value added \
                     would be negative",
                    net.region(node.region).code,
                    p - v
                ),
            ));
        }
        Ok(None)
    }

    /// Whether any value is given.
    pub fn priced(&self) -> bool {
        self.price.iter().any(Option::is_some)
    }

    /// The value per unit of a final use of product `k` (§7.2): its final good, else its
    /// price.
    pub fn final_use(&self, k: usize) -> Option<f64> {
        self.final_good[k].or(self.price[k])
    }
}
