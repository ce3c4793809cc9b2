//! Final demand in time (docs/model.md §5.7, final-demand paths and demand shifts): the
//! multiplier on each (region, product) final demand at each step.

use super::plan::Plan;
use crate::engine::{product_at, region_at};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::scenario::{DemandPath, Realization};

/// The final demands each path and each demand shift multiplies, by `(region, product)`
/// index, resolved once.
#[derive(Debug, Clone, Default)]
pub(super) struct DemandPlan {
    /// Each path with the `(region, product)` indices it applies to.
    paths: Vec<(Vec<u32>, DemandPath)>,
    /// The `(region, product)` index of each of the scenario's demand shifts.
    shifts: Vec<u32>,
}

impl DemandPlan {
    /// Resolves the scenario's demand shifts and final-demand paths against `net`.
    pub(super) fn new(net: &Network, plan: &Plan, scenario: &Realization) -> Result<Self> {
        let mut demand = Self::default();
        for (i, d) in scenario.demand_shifts.iter().enumerate() {
            let at = format!("demand_shifts[{i}]");
            let sinks = sinks(net, plan, &d.region, Some(&d.product), &at)?;
            demand.shifts.push(sinks[0]);
        }
        for (i, d) in scenario.demand_paths.iter().enumerate() {
            demand.add(net, plan, d.clone(), &format!("demand_paths[{i}]"))?;
        }
        Ok(demand)
    }

    /// Adds a path, named at `at` in errors.
    pub(super) fn add(
        &mut self,
        net: &Network,
        plan: &Plan,
        path: DemandPath,
        at: &str,
    ) -> Result<()> {
        if let Some((field, reason)) = path.problem() {
            return Err(Error::field("scenario", format!("{at}.{field}"), reason));
        }
        let sinks = sinks(net, plan, &path.region, path.product.as_deref(), at)?;
        self.paths.push((sinks, path));
        Ok(())
    }

    /// Whether no path or shift changes final demand.
    pub(super) fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.shifts.is_empty()
    }

    /// The multiplier of every `(region, product)` final demand at step `t`: the product of
    /// the paths at `t` and, inside the scenario's window, `1 + change` of its shifts.
    pub(super) fn fill(&self, t: usize, inside: bool, r: &Realization, mult: &mut [f64]) {
        mult.fill(1.0);
        for (sinks, path) in &self.paths {
            let v = path.at(t);
            for &i in sinks {
                mult[i as usize] *= v;
            }
        }
        if inside {
            for (&i, d) in self.shifts.iter().zip(&r.demand_shifts) {
                mult[i as usize] *= 1.0 + d.change;
            }
        }
    }
}

/// The `(region, product)` indices with real final use of `product` (absent: of every
/// product) in `region`; an error at `at` when there is none.
fn sinks(
    net: &Network,
    plan: &Plan,
    region: &str,
    product: Option<&str>,
    at: &str,
) -> Result<Vec<u32>> {
    let r = region_at(net, region, format!("{at}.region"))?.index();
    let np = plan.products;
    let products: Vec<usize> = match product {
        Some(id) => vec![product_at(net, id, format!("{at}.product"))?.index()],
        None => (0..np).collect(),
    };
    let mut baseline = vec![0.0; products.len()];
    for e in 0..plan.y0.len() {
        let sink = plan.fd_sink[e] as usize;
        if plan.fd_real[e] && sink / np == r {
            if let Some(k) = products.iter().position(|&p| p == sink % np) {
                baseline[k] += plan.y0[e];
            }
        }
    }
    let sinks: Vec<u32> = (products.iter().zip(&baseline))
        .filter(|(_, &b)| b > 0.0)
        .map(|(&p, _)| (r * np + p) as u32)
        .collect();
    if sinks.is_empty() {
        let what = product.map_or("any product".to_string(), |p| p.to_string());
        return Err(Error::field(
            "scenario",
            at.to_string(),
            format!("{region} has no final use of {what} to change"),
        ));
    }
    Ok(sinks)
}
