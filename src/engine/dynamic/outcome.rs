//! The paths a dynamic run records (docs/model.md §5.5).

use std::sync::Arc;

use serde::Serialize;

use super::Dynamic;
use crate::engine::outcome::Labels;
use crate::network::{Network, NodeId, ProductId, RegionId};
use crate::report::{displayed_as_report, Cell, Report, Table};

/// Paths of one dynamic run: per step, every node's output, demand and overproduction
/// factor, every input inventory, and the final-use shortfall per (region, product).
/// Quantities are per step in each product's unit. Read nodes and inventories through the
/// accessors (the engine keeps nodes in its own order); tables by (region, product) are
/// flat, `step * width + region * products + product`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DynamicOutcome {
    #[serde(skip)]
    labels: Arc<Labels>,
    /// The step, days.
    pub step_days: f64,
    /// Steps in the run.
    pub steps: usize,
    /// `(region, product)` of each node, in the engine's order.
    nodes: Vec<(RegionId, ProductId)>,
    /// The engine's index of each network node.
    pos: Vec<u32>,
    /// Inventory slots of each node (engine order), and the input product of each slot.
    slot_start: Vec<usize>,
    slot_input: Vec<ProductId>,
    baseline_output: Vec<f64>,
    output: Vec<f64>,
    demand: Vec<f64>,
    alpha: Vec<f64>,
    inventory: Vec<f64>,
    /// Baseline final use per step, `[region][product]`.
    pub final_baseline: Vec<f64>,
    /// Final use not served, `[step][region][product]`.
    pub final_shortfall: Vec<f64>,
}

impl DynamicOutcome {
    pub(super) fn new(net: &Network, engine: &Dynamic) -> Self {
        let p = &engine.plan;
        let steps = engine.settings.steps;
        let nodes: Vec<_> = p
            .node_at
            .iter()
            .map(|&n| (net.node(n).region, net.node(n).product))
            .collect();
        let slot_input = p
            .node_at
            .iter()
            .flat_map(|&n| net.inputs(n).iter().map(|i| i.product))
            .collect();
        let nrp = net.regions().len() * net.products().len();
        let mut final_baseline = vec![0.0; nrp];
        for (k, &i) in p.fd_sink.iter().enumerate() {
            final_baseline[i as usize] += p.y0[k];
        }
        Self {
            labels: Arc::new(Labels::of(net)),
            step_days: engine.settings.step.days(),
            steps,
            baseline_output: p.x0.clone(),
            output: vec![0.0; steps * nodes.len()],
            demand: vec![0.0; steps * nodes.len()],
            alpha: vec![1.0; steps * nodes.len()],
            inventory: vec![0.0; steps * p.a.len()],
            final_baseline,
            final_shortfall: vec![0.0; steps * nrp],
            nodes,
            pos: p.pos.clone(),
            slot_start: p.slot_start.clone(),
            slot_input,
        }
    }

    pub(super) fn clear(&mut self) {
        self.final_shortfall.fill(0.0);
    }

    /// Records step `t`; `shortfall` adds the step's unmet final use into a zeroed row.
    pub(super) fn record(
        &mut self,
        t: usize,
        x: &[f64],
        demand: &[f64],
        alpha: &[f64],
        stock: &[f64],
        shortfall: impl FnOnce(&mut [f64]),
    ) {
        let (nn, ns, nrp) = (x.len(), stock.len(), self.final_baseline.len());
        self.output[t * nn..(t + 1) * nn].copy_from_slice(x);
        self.demand[t * nn..(t + 1) * nn].copy_from_slice(demand);
        self.alpha[t * nn..(t + 1) * nn].copy_from_slice(alpha);
        self.inventory[t * ns..(t + 1) * ns].copy_from_slice(stock);
        let row = &mut self.final_shortfall[t * nrp..(t + 1) * nrp];
        row.fill(0.0);
        shortfall(row);
    }

    fn at(&self, n: NodeId, t: usize) -> usize {
        t * self.nodes.len() + self.pos[n.index()] as usize
    }

    /// Baseline output of a node, per step.
    pub fn baseline_output(&self, n: NodeId) -> f64 {
        self.baseline_output[self.pos[n.index()] as usize]
    }

    /// Output of a node at step `t`, per step.
    pub fn output(&self, n: NodeId, t: usize) -> f64 {
        self.output[self.at(n, t)]
    }

    /// Output of a node at step `t` minus its baseline, per step.
    pub fn output_change(&self, n: NodeId, t: usize) -> f64 {
        self.output(n, t) - self.baseline_output(n)
    }

    /// Demand addressed to a node at step `t` (orders placed the step before and final
    /// demand), per step.
    pub fn demand(&self, n: NodeId, t: usize) -> f64 {
        self.demand[self.at(n, t)]
    }

    /// The overproduction factor of a node at step `t`.
    pub fn alpha(&self, n: NodeId, t: usize) -> f64 {
        self.alpha[self.at(n, t)]
    }

    /// A node's inventory of `input` at the end of step `t`; `None` if it uses none.
    pub fn inventory(&self, n: NodeId, input: ProductId, t: usize) -> Option<f64> {
        let k = self.pos[n.index()] as usize;
        let slots = self.slot_start[k]..self.slot_start[k + 1];
        let s = slots.clone().find(|&s| self.slot_input[s] == input)?;
        Some(self.inventory[t * self.slot_input.len() + s])
    }

    /// Final use of `product` in `region` not served at step `t`.
    pub fn final_shortfall(&self, region: RegionId, product: ProductId, t: usize) -> f64 {
        self.final_shortfall[t * self.final_baseline.len() + self.index(region, product)]
    }

    /// Final use of `product` in `region` not served over the run.
    pub fn cumulative_final_shortfall(&self, region: RegionId, product: ProductId) -> f64 {
        (0..self.steps)
            .map(|t| self.final_shortfall(region, product, t))
            .sum()
    }

    /// The largest one-step final-use shortfall and its step (the first, on ties).
    pub fn peak_final_shortfall(&self, region: RegionId, product: ProductId) -> (f64, usize) {
        (0..self.steps)
            .map(|t| (self.final_shortfall(region, product, t), t))
            .fold(
                (0.0, 0),
                |best, (v, t)| if v > best.0 { (v, t) } else { best },
            )
    }

    fn index(&self, region: RegionId, product: ProductId) -> usize {
        region.index() * self.labels.products.len() + product.index()
    }
}

impl Report for DynamicOutcome {
    fn tables(&self) -> Vec<Table> {
        let l = &self.labels;
        let np = l.products.len();
        let per_year = 365.0 / self.step_days;
        let mut t = Table::new(
            format!(
                "Final-use shortfall over {} steps of {} days",
                self.steps,
                crate::report::number(self.step_days)
            ),
            &[
                "region",
                "product",
                "unit",
                "cumulative shortfall",
                "share of annual final use",
                "peak per step",
                "peak step",
            ],
        );
        for (i, &base) in self.final_baseline.iter().enumerate() {
            let (r, p) = (RegionId((i / np) as u32), ProductId((i % np) as u32));
            let total = self.cumulative_final_shortfall(r, p);
            if total <= crate::tolerance::STEADY * base * self.steps as f64 || base == 0.0 {
                continue;
            }
            let (peak, at) = self.peak_final_shortfall(r, p);
            t.row(vec![
                Cell::Text(l.regions[r.index()].clone()),
                Cell::Text(l.products[p.index()].clone()),
                Cell::Text(l.units[p.index()].clone()),
                Cell::Number(total),
                Cell::Share(total / (base * per_year)),
                Cell::Number(peak),
                Cell::Text(at.to_string()),
            ]);
        }
        t.note("only pairs with a shortfall are listed; docs/model.md §5.5");
        let mut o = Table::new(
            "Output: the ten largest falls below baseline",
            &["region", "product", "lowest output / baseline", "at step"],
        );
        let nn = self.nodes.len();
        let mut falls: Vec<(f64, usize, usize)> = (0..nn)
            .filter(|&n| self.baseline_output[n] > 0.0)
            .map(|n| {
                let (low, at) = (0..self.steps).map(|t| (self.output[t * nn + n], t)).fold(
                    (f64::INFINITY, 0),
                    |b, (v, t)| if v < b.0 { (v, t) } else { b },
                );
                (low / self.baseline_output[n], at, n)
            })
            .filter(|&(ratio, _, _)| ratio < 1.0 - crate::tolerance::STEADY)
            .collect();
        falls.sort_by(|a, b| a.0.total_cmp(&b.0));
        for &(ratio, at, n) in falls.iter().take(10) {
            let (r, p) = self.nodes[n];
            o.row(vec![
                Cell::Text(l.regions[r.index()].clone()),
                Cell::Text(l.products[p.index()].clone()),
                Cell::Share(ratio),
                Cell::Text(at.to_string()),
            ]);
        }
        vec![t, o]
    }
}

displayed_as_report!(DynamicOutcome);
