//! The named scenarios (`scenarios/*.toml`, one example binary each): structural
//! expectations that are true of the model (docs/model.md §4, §5), the April 2025
//! calibration reproduced, and every named run working end to end.

mod support;

use shortfall::engine::{Dynamic, Engine};
use shortfall::network::{Network, Sink};
use shortfall::scenario::{Ramp, Realization, ScenarioFile};
use shortfall::validation::{Measure, Sample};
use support::run;

const NAMED: [&str; 4] = [
    "us_plus8_embargo",
    "april_2025_licensing",
    "october_2025_expansion",
    "japan_2010",
];

fn file(name: &str) -> ScenarioFile {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    ScenarioFile::read(path).unwrap()
}

/// The restriction that cuts each edge, if any: a restricted exporter's flow of a
/// restricted product to a target region, or a flow the content rule reaches (exports of
/// its products to targets in another region, from nodes outside the exporters holding at
/// least θ of controlled content from them; docs/model.md §3.1).
fn cuts(net: &Network, r: &Realization) -> Vec<Option<usize>> {
    let mut by_edge = vec![None; net.edges().len()];
    for (i, x) in r.restrictions.iter().enumerate() {
        let targets = x.targets.resolve(net, "targets").unwrap();
        let exporters: Vec<_> = x
            .exporters
            .iter()
            .map(|c| net.require_region(c).unwrap())
            .collect();
        let mut content = vec![0.0; net.nodes().len()];
        if let Some(rule) = &x.content {
            for c in &rule.controlled {
                let c = net.require_product(c).unwrap();
                for &e in &exporters {
                    let traced = shortfall::metrics::content(net, c, Some(e)).unwrap();
                    for (total, v) in content.iter_mut().zip(traced) {
                        *total += v;
                    }
                }
            }
        }
        for n in net.node_ids() {
            let node = net.node(n);
            let product = &net.product(node.product).id;
            let direct = exporters.contains(&node.region) && x.products.contains(product);
            let by_rule = x.content.as_ref().is_some_and(|rule| {
                !exporters.contains(&node.region)
                    && rule.products.contains(product)
                    && content[n.index()]
                        >= rule.threshold * net.product(node.product).tonnes_per_unit().unwrap()
            });
            for (k, e) in net.out_edges(n).iter().enumerate() {
                let to = net.sink_region(e.to);
                let hit = targets.contains(&to) && (direct || (by_rule && to != node.region));
                if hit {
                    by_edge[net.out_range(n).start + k] = Some(i);
                }
            }
        }
    }
    by_edge
}

/// Nodes whose supply passes through a restricted flow or a target region: in a target
/// region, fed by a cut flow, or fed by such a node (products in topological order). With
/// `demand`, as the dynamic engine needs: also fed by a supplier that ships to a target
/// (targets re-route orders to it), a restricting exporter's node (re-routing lowers its
/// orders), and any supplier of an exposed node (its orders follow its customers'), to a
/// fixed point.
fn exposed(net: &Network, r: &Realization, cut: &[Option<usize>], demand: bool) -> Vec<bool> {
    let targets: Vec<_> = r
        .restrictions
        .iter()
        .flat_map(|x| x.targets.resolve(net, "targets").unwrap())
        .collect();
    let serves_target: Vec<bool> = net
        .node_ids()
        .map(|n| {
            net.out_edges(n)
                .iter()
                .any(|e| targets.contains(&net.sink_region(e.to)))
        })
        .collect();
    let restricting: Vec<bool> = net
        .node_ids()
        .map(|n| net.out_range(n).any(|ei| cut[ei].is_some()))
        .collect();
    let mut bad = vec![false; net.nodes().len()];
    loop {
        let before = bad.clone();
        for &p in net.product_order() {
            for &n in net.nodes_of(p) {
                bad[n.index()] |= targets.contains(&net.node(n).region)
                    || (demand && restricting[n.index()])
                    || net.in_edge_indices(n).iter().any(|&ei| {
                        let e = &net.edges()[ei];
                        bad[e.from.index()]
                            || cut[ei].is_some()
                            || (demand && serves_target[e.from.index()])
                    });
            }
        }
        if demand {
            for &p in net.product_order().iter().rev() {
                for &n in net.nodes_of(p) {
                    bad[n.index()] |= net
                        .out_edges(n)
                        .iter()
                        .any(|e| matches!(e.to, Sink::Node(u) if bad[u.index()]));
                }
            }
        }
        if bad == before {
            return bad;
        }
    }
}

/// What each (region, product)'s users receive over `h` years through exposed nodes or
/// cut flows; with `whole_user`, all of an exposed user's receipts (its own orders fall).
fn exposure(
    net: &Network,
    cut: &[Option<usize>],
    bad: &[bool],
    h: f64,
    whole_user: bool,
) -> Vec<f64> {
    let np = net.products().len();
    let mut out = vec![0.0; net.regions().len() * np];
    for n in net.node_ids() {
        for (k, e) in net.out_edges(n).iter().enumerate() {
            let user_bad = matches!(e.to, Sink::Node(u) if bad[u.index()]);
            if bad[n.index()]
                || cut[net.out_range(n).start + k].is_some()
                || (whole_user && user_bad)
            {
                out[net.sink_region(e.to).index() * np + net.node(n).product.index()] += h * e.flow;
            }
        }
    }
    out
}

fn variants(r: &Realization) -> Vec<Realization> {
    [(1.0, 0.0, 1.0), (0.8, 0.2, 0.5), (0.5, 0.5, 0.25)]
        .iter()
        .map(|&(severity, leakage, horizon)| {
            let mut v = r.clone();
            for x in &mut v.restrictions {
                x.severity = severity;
                x.leakage = leakage;
            }
            v.horizon = horizon;
            v
        })
        .collect()
}

#[test]
fn static_shortfalls_only_through_restricted_flows_or_targets_and_at_most_what_they_carry() {
    for name in NAMED {
        let f = file(name);
        let net = &f.data().unwrap().network;
        for r in variants(&f.scenario.median()) {
            let cut = cuts(net, &r);
            let bad = exposed(net, &r, &cut, false);
            let carried = exposure(net, &cut, &bad, r.horizon, false);
            let o = run(net, &r);
            let np = net.products().len();
            let mut unexposed = 0;
            for (i, &short) in o.absorption_shortfall.iter().enumerate() {
                let tol = 1e-9 * o.absorption_baseline[i].max(1.0);
                let at = format!(
                    "{name}: {} {}",
                    net.regions()[i / np].code,
                    net.products()[i % np].id
                );
                assert!(
                    short <= carried[i] + tol,
                    "{at}: {short} above the {} carried",
                    carried[i]
                );
                if carried[i] == 0.0 {
                    assert!(short <= tol, "{at}: short without exposure");
                    unexposed += 1;
                }
            }
            assert!(unexposed > 0, "{name}: some pairs are not exposed at all");
        }
    }
}

/// docs/model.md §4.8: a target's absorption shortfall of magnets is at least the cut
/// share of its direct restricted magnet schedule, less what its own stock release and
/// the whole magnet pool (incremental supply and diverted volume) could give it.
#[test]
fn members_magnet_shortfall_at_least_the_direct_cut_less_release_and_pool() {
    for name in [
        "us_plus8_embargo",
        "april_2025_licensing",
        "october_2025_expansion",
    ] {
        let f = file(name);
        let net = &f.data().unwrap().network;
        let magnet = net.require_product("ndfeb_magnet").unwrap();
        let np = net.products().len();
        for r in variants(&f.scenario.median()) {
            let cut = cuts(net, &r);
            let o = run(net, &r);
            let h = r.horizon;
            let mut direct = vec![0.0; net.regions().len()];
            for (ei, e) in net.edges().iter().enumerate() {
                if let Some(i) = cut[ei] {
                    if net.node(e.from).product == magnet {
                        direct[net.sink_region(e.to).index()] +=
                            r.restrictions[i].cut(0.0, h) * h * e.flow;
                    }
                }
            }
            let pool = o.incremental[magnet.index()] + o.diverted[magnet.index()];
            let mut bound_bites = false;
            for (j, &d) in direct.iter().enumerate() {
                let i = j * np + magnet.index();
                let lower = d - o.stock_released[i] - pool;
                assert!(
                    o.absorption_shortfall[i] >= lower - 1e-9 * d.max(1.0),
                    "{name}: {} magnets short {} below {lower}",
                    net.regions()[j].code,
                    o.absorption_shortfall[i]
                );
                bound_bites |= lower > 0.0;
            }
            assert!(
                bound_bites || r.horizon < 1.0,
                "{name}: the lower bound never bites"
            );
        }
    }
}

/// docs/model.md §5.9: in the dynamic engine a (region, product)'s cumulative absorption
/// shortfall is at most what its users receive through exposed nodes, cut flows and
/// suppliers shared with a target over the run, an exposed user's receipts counted whole.
#[test]
fn dynamic_shortfalls_within_the_bound_that_counts_shared_suppliers() {
    for name in NAMED {
        let f = file(name);
        let net = &f.data().unwrap().network;
        let r = f.scenario.median();
        let settings = f.dynamic.clone().unwrap_or_default();
        let engine = Dynamic::new(net, &r, settings).unwrap();
        let mut ws = engine.workspace(net);
        engine.run(net, &r, &mut ws).unwrap();
        let o = ws.outcome();
        let cut = cuts(net, &r);
        let bad = exposed(net, &r, &cut, true);
        let run_years = o.steps as f64 * o.step_days / 365.0;
        let carried = exposure(net, &cut, &bad, run_years, true);
        let np = net.products().len();
        let mut unexposed = 0;
        for (i, &carry) in carried.iter().enumerate() {
            let (region, product) = (
                net.regions()[i / np].code.clone(),
                net.products()[i % np].id.clone(),
            );
            let (rid, pid) = (
                net.require_region(&region).unwrap(),
                net.require_product(&product).unwrap(),
            );
            let short = o.cumulative_absorption_shortfall(rid, pid);
            let tol = 1e-9 * (o.absorption_baseline[i] * o.steps as f64).max(1.0);
            assert!(
                short <= carry + tol,
                "{name}: {region} {product}: {short} above {carry}"
            );
            if carry == 0.0 {
                assert!(
                    short <= tol,
                    "{name}: {region} {product} short without exposure"
                );
                unexposed += 1;
            }
        }
        assert!(
            unexposed > 0 || name != "us_plus8_embargo",
            "{name}: everything exposed"
        );
    }
}

/// The approval profiles of `april_2025_licensing` are the least-squares fit of
/// `Ramp::fit` to its calibration figures at the severity's median (docs/validation.md).
#[test]
fn april_ramps_are_the_fit_to_the_calibration_figures() {
    let f = file("april_2025_licensing");
    let median = f.scenario.median();
    for (i, x) in median.restrictions.iter().enumerate() {
        let windows: Vec<(f64, f64, f64)> = f
            .observed
            .iter()
            .filter(|o| o.sample == Sample::Calibration && !o.what.contains("not fitted"))
            .filter_map(|o| match o.measure {
                Measure::Cut { restriction, days } if restriction == i => Some((
                    days.0 / 365.0,
                    days.1 / 365.0,
                    (o.observed.0 / x.severity).min(1.0),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(windows.len(), 3, "restriction {i}: May, June, July");
        let (fit, rms) = Ramp::fit(&windows, 0.0).unwrap();
        let file_ramp = x.severity_ramp.unwrap();
        assert!(
            (fit.from - file_ramp.from).abs() < 1e-4,
            "restriction {i}: from {fit:?}"
        );
        assert!(
            (fit.delay - file_ramp.delay).abs() < 1e-5,
            "restriction {i}: delay {fit:?}"
        );
        assert!(
            (fit.over - file_ramp.over).abs() < 1e-5,
            "restriction {i}: over {fit:?}"
        );
        assert!(rms < 0.03, "restriction {i}: rms {rms}");
    }
}

/// Every named scenario has its example binary and runs end to end, with one comparison
/// per observed figure; the same seed gives the same run on one or two threads.
#[test]
fn every_named_scenario_runs_with_its_example_and_comparisons() {
    for name in NAMED {
        let example = format!("{}/examples/{name}.rs", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&example).exists(), "{example} missing");
        let mut f = file(name);
        f.monte_carlo.draws = 64;
        let runs: Vec<_> = [1, 2]
            .iter()
            .map(|&t| {
                f.monte_carlo.threads = Some(t);
                shortfall::validation::run_named(&f).unwrap()
            })
            .collect();
        assert_eq!(runs[0], runs[1], "{name}");
        assert_eq!(runs[0].comparisons.len(), f.observed.len());
        for c in &runs[0].comparisons {
            if let [Some(a), Some(m), Some(b)] = c.simulated {
                assert!(a <= m && m <= b, "{name}: {c:?}");
            }
        }
    }
}

/// The content rule of `october_2025_expansion` cuts flows the direct restriction does not
/// (magnets made outside China with Chinese Dy/Tb), and nothing when θ is above every
/// traced content.
#[test]
fn october_content_rule_cuts_more_and_nothing_above_every_content() {
    let f = file("october_2025_expansion");
    let net = &f.data().unwrap().network;
    let mut r = f.scenario.median();
    let with_rule = cuts(net, &r).iter().filter(|c| c.is_some()).count();
    let rule = r.restrictions[0].content.take().unwrap();
    let without = cuts(net, &r).iter().filter(|c| c.is_some()).count();
    assert!(
        with_rule > without,
        "the rule cuts {with_rule} flows, the direct one {without}"
    );
    let plain = run(net, &r);
    r.restrictions[0].content = Some(shortfall::scenario::ContentRule {
        threshold: 1.01,
        ..rule
    });
    assert_eq!(run(net, &r), plain);
}
