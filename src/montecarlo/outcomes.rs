//! The outcomes a Monte Carlo run keeps per draw: a measure of a region's or bloc's
//! shortfall of one product.

use serde::{Deserialize, Serialize};

use crate::engine::{Shortfalls, Use};
use crate::error::{Error, Result};
use crate::network::{Network, ProductId, RegionId};
use crate::scenario::{ScenarioSpec, Targets};

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Absorption shortfall over the horizon, product units.
    Absorption,
    /// Final-use shortfall over the horizon, product units.
    FinalUse,
    /// Absorption shortfall as a share of the annual baseline.
    AbsorptionShare,
    /// Final-use shortfall as a share of the annual baseline.
    FinalShare,
}

/// One outcome: a measure of the shortfall of a product for a region or a bloc (summed over
/// members within the draw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    /// The measure.
    pub measure: Measure,
    /// The regions, summed per draw: a bloc name, a list, or everyone but a list.
    pub regions: Targets,
    /// The product.
    pub product: String,
}

/// An outcome resolved against a network.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub name: String,
    pub unit: String,
    measure: Measure,
    members: Vec<RegionId>,
    product: ProductId,
}

impl OutcomeSpec {
    fn resolve(&self, net: &Network, i: usize) -> Result<Resolved> {
        let err = |field: &str, reason: String| {
            Error::field(
                "settings",
                format!("monte_carlo.outcomes[{i}].{field}"),
                reason,
            )
        };
        let product = net
            .product_id(&self.product)
            .ok_or_else(|| err("product", net.unknown_product(&self.product)))?;
        let members = self
            .regions
            .resolve(net, &format!("monte_carlo.outcomes[{i}].regions"))?;
        let label = self.regions.label();
        let (what, unit) = match self.measure {
            Measure::Absorption => ("absorption shortfall", net.product(product).unit.clone()),
            Measure::FinalUse => ("final-use shortfall", net.product(product).unit.clone()),
            Measure::AbsorptionShare => ("absorption shortfall", "share of annual use".into()),
            Measure::FinalShare => ("final-use shortfall", "share of annual final use".into()),
        };
        Ok(Resolved {
            name: format!("{label} {} {what}", self.product),
            unit,
            measure: self.measure,
            members,
            product,
        })
    }

    /// The default outcomes of a scenario: for the first restriction's targets as one bloc,
    /// the final-use share of every product with a real final use and the absorption share
    /// of every restricted product.
    pub fn defaults(net: &Network, spec: &ScenarioSpec) -> Vec<OutcomeSpec> {
        let Some(first) = spec.restrictions.first() else {
            return Vec::new();
        };
        let mut out: Vec<OutcomeSpec> = first
            .products
            .iter()
            .map(|p| OutcomeSpec {
                measure: Measure::AbsorptionShare,
                regions: first.targets.clone(),
                product: p.clone(),
            })
            .collect();
        for p in net.products().iter().filter(|p| p.final_use) {
            out.push(OutcomeSpec {
                measure: Measure::FinalShare,
                regions: first.targets.clone(),
                product: p.id.clone(),
            });
        }
        out
    }
}

pub(crate) fn resolve_all(net: &Network, specs: &[OutcomeSpec]) -> Result<Vec<Resolved>> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| s.resolve(net, i))
        .collect()
}

impl Resolved {
    /// The outcome's value in one run of any engine.
    pub fn value(&self, o: &impl Shortfalls) -> f64 {
        let what = match self.measure {
            Measure::Absorption | Measure::AbsorptionShare => Use::Absorption,
            Measure::FinalUse | Measure::FinalShare => Use::FinalUse,
        };
        let (mut s, mut b) = (0.0, 0.0);
        for &r in &self.members {
            let a = o.over_run(what, r, self.product);
            s += a.shortfall;
            b += a.baseline;
        }
        match self.measure {
            Measure::Absorption | Measure::FinalUse => s,
            Measure::AbsorptionShare | Measure::FinalShare if b > 0.0 => s / (b / o.years()),
            _ => 0.0,
        }
    }
}
