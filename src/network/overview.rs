//! A network at a glance, for the terminal and notebooks.

use super::{Network, NodeKind, Sink};
use crate::report::{displayed_as_report, Cell, Report, Table};

/// A network at a glance (`Network::summary`): regions, products with units, flows per stage, checks.
///
/// ```
/// let net = shortfall::network::toy_chain();
/// let text = net.summary().to_string();
/// assert!(text.contains("magnet"));
/// assert!(text.contains("balance checks passed"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Overview<'a> {
    net: &'a Network,
}

impl<'a> Overview<'a> {
    pub(crate) fn new(net: &'a Network) -> Self {
        Self { net }
    }
}

impl Report for Overview<'_> {
    fn tables(&self) -> Vec<Table> {
        let net = self.net;
        let aggregates = net.regions().iter().filter(|r| r.aggregate).count();
        let mut t = Table::new(
            format!(
                "Network: {} regions ({} aggregate), {} products, {} nodes, {} flows",
                net.regions().len(),
                aggregates,
                net.products().len(),
                net.nodes().len(),
                net.edges().len()
            ),
            &[
                "order",
                "product",
                "unit",
                "producers",
                "production",
                "traded",
                "to producers",
                "final use",
                "closing items",
            ],
        );
        for (rank, &p) in net.product_order().iter().enumerate() {
            let (mut producers, mut production, mut traded, mut inter, mut fin, mut closing) =
                (0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for &n in net.nodes_of(p) {
                let node = net.node(n);
                if node.kind == NodeKind::Producer {
                    producers += 1;
                    production += net.output(n);
                } else if node.kind.is_production() {
                    production += net.output(n);
                } else {
                    closing += net.output(n);
                }
                for e in net.out_edges(n) {
                    if net.sink_region(e.to) != node.region {
                        traded += e.flow;
                    }
                    match e.to {
                        Sink::Node(_) => inter += e.flow,
                        Sink::FinalUse(_) => fin += e.flow,
                    }
                }
            }
            let product = net.product(p);
            let final_cell = if product.final_use || fin == 0.0 {
                Cell::Number(fin)
            } else {
                Cell::Text(format!("{} unallocated", crate::report::number(fin)))
            };
            t.row(vec![
                Cell::Text(rank.to_string()),
                Cell::Text(product.id.clone()),
                Cell::Text(product.unit.clone()),
                Cell::Text(producers.to_string()),
                Cell::Number(production),
                Cell::Number(traded),
                Cell::Number(inter),
                final_cell,
                if closing > 0.0 {
                    Cell::Number(closing)
                } else {
                    Cell::Empty
                },
            ]);
        }
        t.note(
            "quantities a year in each product's unit; traded = shipped to another region, \
             origin basis",
        );
        let joint: Vec<String> = (net.joint_outputs().iter().zip(net.recycles()))
            .map(|(j, &recycles)| {
                let (node, host) = (net.node(j.node), net.node(j.host));
                format!(
                    "{} of {} in {} ({} a unit{})",
                    net.product(node.product).id,
                    net.product(host.product).id,
                    net.region(node.region).code,
                    crate::report::number(j.per_unit),
                    if recycles { ", a recycling loop" } else { "" }
                )
            })
            .collect();
        if !joint.is_empty() {
            t.note(format!(
                "joint outputs (docs/model.md §1.8-1.9): {}",
                joint.join("; ")
            ));
        }
        t.note(format!(
            "balance checks passed (recipe columns within {:e} relative; docs/model.md §1.4)",
            crate::tolerance::BALANCE
        ));
        vec![t]
    }
}

displayed_as_report!(Overview<'_>);
