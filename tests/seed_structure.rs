//! Structural expectations of the seed scenario (`scenarios/us_plus8_embargo.toml`) that
//! are true of the static model (docs/model.md §4): shortfalls only where a supply path
//! passes through a restricted flow or a bloc member, and never more than what arrives
//! through such paths.

mod support;

use shortfall::network::{Network, NodeId, Sink};
use shortfall::scenario::{Realization, ScenarioFile};
use support::run;

fn seed() -> Realization {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    ScenarioFile::read(path).unwrap().scenario.median()
}

/// Whether the restriction cuts the flow from `from` to `to` (§4.1, end-user basis).
fn cut(net: &Network, r: &Realization, from: NodeId, to: Sink) -> bool {
    let x = &r.restrictions[0];
    let node = net.node(from);
    x.exporters
        .iter()
        .any(|c| net.region(node.region).code == *c)
        && x.products
            .iter()
            .any(|p| net.product(node.product).id == *p)
        && x.targets
            .resolve(net, "targets")
            .unwrap()
            .contains(&net.sink_region(to))
}

/// Nodes whose supply passes through a restricted flow or a bloc member: in a target
/// region, fed by a restricted flow, or fed by such a node (products in topological order).
fn tainted(net: &Network, r: &Realization) -> Vec<bool> {
    let targets = r.restrictions[0].targets.resolve(net, "targets").unwrap();
    let mut bad = vec![false; net.nodes().len()];
    for &p in net.product_order() {
        for &n in net.nodes_of(p) {
            bad[n.index()] = targets.contains(&net.node(n).region)
                || net
                    .in_edges(n)
                    .any(|e| bad[e.from.index()] || cut(net, r, e.from, e.to));
        }
    }
    bad
}

#[test]
fn shortfalls_only_through_restricted_flows_or_bloc_members_and_at_most_what_they_carry() {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let mut r = seed();
    for (severity, leakage, horizon) in [(1.0, 0.0, 1.0), (0.8, 0.2, 0.5), (0.5, 0.5, 0.25)] {
        r.restrictions[0].severity = severity;
        r.restrictions[0].leakage = leakage;
        r.horizon = horizon;
        let bad = tainted(net, &r);
        let o = run(net, &r);
        let np = net.products().len();
        // What each (region, product)'s users receive through tainted paths, over h.
        let mut exposed = vec![0.0; o.absorption_shortfall.len()];
        for n in net.node_ids() {
            for e in net.out_edges(n) {
                if bad[n.index()] || cut(net, &r, n, e.to) {
                    let i = net.sink_region(e.to).index() * np + net.node(n).product.index();
                    exposed[i] += horizon * e.flow;
                }
            }
        }
        let mut compared = 0;
        for (i, &short) in o.absorption_shortfall.iter().enumerate() {
            let tol = 1e-9 * o.absorption_baseline[i].max(1.0);
            assert!(
                short <= exposed[i] + tol,
                "{} {}: shortfall {short} above the {} that arrives through restricted paths",
                net.regions()[i / np].code,
                net.products()[i % np].id,
                exposed[i]
            );
            if exposed[i] == 0.0 {
                assert!(
                    short <= tol,
                    "{} {} short without exposure",
                    net.regions()[i / np].code,
                    net.products()[i % np].id
                );
                compared += 1;
            }
        }
        assert!(compared > 0, "some pairs are not exposed at all");
    }
}
