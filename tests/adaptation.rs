//! Adaptation on the user's side (docs/model.md §3.4, §4.9, §5.7): thrifting in both
//! engines and substitution groups in the static cascade, worked by hand, their errors,
//! and their properties on generated networks.

mod support;

use proptest::prelude::*;
use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode, StaticCascade, Step};
use shortfall::network::{toy_chain, Network};
use shortfall::scenario::{
    Adaptation, Mitigation, Ramp, Realization, Restriction, SubstitutionGroup, Targets, Thrift,
};
use support::{close, run, run_dynamic, shock, small_network, Hand};

/// China stops all oxide to the US over a year, on the toy chain (docs/model.md §1.7).
fn oxide_embargo() -> Realization {
    Realization {
        horizon: 1.0,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["oxide"],
            Targets::List(vec!["US".into()]),
        )],
        ..Realization::default()
    }
}

fn thrift(reduction: f64, ramp: Option<Ramp>) -> Adaptation<f64> {
    Adaptation {
        thrifting: vec![Thrift {
            product: "magnet".into(),
            input: "oxide".into(),
            regions: vec![],
            reduction,
            ramp,
        }],
        ..Adaptation::default()
    }
}

fn us_magnets_lacking(net: &Network, r: &Realization) -> f64 {
    let o = run(net, r);
    let (us, magnet) = (
        net.region_id("US").unwrap(),
        net.product_id("magnet").unwrap(),
    );
    o.final_shortfall(us, magnet)
}

/// §3.4 by hand: the US magnet maker receives 0.8 t of its own oxide and needs 0.25 t a
/// tonne (3.2 t of 8); thrifted by 0.4 at once it needs 0.15 (5.333 t); reaching 0.4
/// linearly over the year, 0.2 on average (4 t).
#[test]
fn thrifting_over_a_year_by_hand() {
    let net = toy_chain();
    let none = oxide_embargo();
    assert!(close(us_magnets_lacking(&net, &none), 4.8));
    let at_once = Realization {
        adaptation: thrift(0.4, None),
        ..none.clone()
    };
    assert!(close(us_magnets_lacking(&net, &at_once), 8.0 - 0.8 / 0.15));
    let linear = Ramp {
        from: 0.0,
        to: 1.0,
        delay: 0.0,
        over: 1.0,
        then: None,
    };
    let over_a_year = Realization {
        adaptation: thrift(0.4, Some(linear)),
        ..none
    };
    assert!(close(us_magnets_lacking(&net, &over_a_year), 4.0));
}

/// §5.7: the dynamic engine reads the same coefficient. Thrifted away entirely from the
/// onset, the US magnet maker needs no oxide and the embargo costs the US no magnet, at
/// any step; without thrifting it does.
#[test]
fn thrifting_in_the_dynamic_engine() {
    let net = toy_chain();
    let settings = DynamicSettings {
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let (us, magnet) = (
        net.region_id("US").unwrap(),
        net.product_id("magnet").unwrap(),
    );
    let lacking = |r: &Realization| {
        let engine = Dynamic::new(&net, r, settings.clone()).unwrap();
        let o = run_dynamic(&engine, &net, r);
        (0..engine.steps())
            .map(|t| o.final_shortfall(us, magnet, t))
            .sum::<f64>()
    };
    let embargo = oxide_embargo();
    assert!(lacking(&embargo) > 1.0);
    let thrifted = Realization {
        adaptation: thrift(1.0, None),
        ..embargo
    };
    assert!(lacking(&thrifted).abs() < 1e-9);
}

/// §5.8: in the static-equivalent mode each step inside the window is the static engine
/// with `h = Δt`, thrifting included.
#[test]
fn thrifting_static_equivalent_per_step() {
    let net = toy_chain();
    let dt = Step::Month.years();
    let r = Realization {
        horizon: 6.0 * dt,
        run_length: Some(12.0 * dt),
        adaptation: thrift(0.4, None),
        ..oxide_embargo()
    };
    let settings = DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &r, settings).unwrap();
    let o = run_dynamic(&engine, &net, &r);
    let one_step = run(
        &net,
        &Realization {
            horizon: dt,
            ..r.clone()
        },
    );
    let (us, magnet) = (
        net.region_id("US").unwrap(),
        net.product_id("magnet").unwrap(),
    );
    for t in 0..12 {
        let want = if t < 6 {
            one_step.final_shortfall(us, magnet)
        } else {
            0.0
        };
        assert!(close(o.final_shortfall(us, magnet, t), want), "step {t}");
    }
    assert!(close(
        one_step.final_shortfall(us, magnet),
        (8.0 - 0.8 / 0.15) * dt
    ));
}

/// The network of §4.9's case: US motors from grade `H` (all Chinese); Japan's Dy-free
/// grade `S` line makes 20 t for its own use, with capacity `s_capacity`.
fn motors(s_capacity: f64) -> Network {
    motors_with_korea(s_capacity, 0.0)
}

/// The same, with an idle Korean `H` line of `kr_capacity` (docs/model.md §4.9).
fn motors_with_korea(s_capacity: f64, kr_capacity: f64) -> Network {
    // The substitute is listed first: its supply is planned after and shared before the
    // input it replaces (docs/model.md §4.9).
    let mut h = Hand::new(&["CN", "US", "JP", "KR"], &["S", "H", "motor"]);
    if kr_capacity > 0.0 {
        h.node("KR", "H", kr_capacity, &[]);
    }
    let cn = h.node("CN", "H", 100.0, &[]);
    let jp = h.node("JP", "S", s_capacity, &[]);
    let us = h.node("US", "motor", 100.0, &[("H", 1.0)]);
    h.flow_to_node(cn, us, 100.0);
    h.flow_to_final(jp, "JP", 20.0);
    h.flow_to_final(us, "US", 100.0);
    h.build()
}

fn switching(rho: f64, limit_ramp: Option<Ramp>) -> Realization {
    Realization {
        horizon: 1.0,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["H"],
            Targets::List(vec!["US".into()]),
        )],
        mitigation: Mitigation {
            substitution: rho,
            ..Mitigation::default()
        },
        adaptation: Adaptation {
            substitution_groups: vec![SubstitutionGroup {
                product: "motor".into(),
                regions: vec![],
                input: "H".into(),
                substitute: "S".into(),
                ratio: 1.25,
                limit: 0.4,
                limit_ramp,
            }],
            ..Adaptation::default()
        },
        ..Realization::default()
    }
}

/// §4.9 by hand: 40 t of `S` from Japan's spare capacity replace 32 t of `H`.
#[test]
fn switching_within_the_limit() {
    let net = motors(60.0);
    let id = |r: &str, p: &str| (net.region_id(r).unwrap(), net.product_id(p).unwrap());
    let (us, motor) = id("US", "motor");
    let (_, h) = id("US", "H");
    let o = support::run_checked(&net, &switching(1.0, None));
    assert!(close(o.final_shortfall(us, motor), 68.0));
    assert!(close(o.switched(us, h), 32.0));
    assert!(close(o.absorption_shortfall(us, h), 68.0));
    // The Dy-free line is not free: with no spare capacity taken up, nothing switches.
    let o = support::run_checked(&net, &switching(0.0, None));
    assert!(close(o.final_shortfall(us, motor), 100.0));
    assert!(close(o.switched(us, h), 0.0));
    // With ample capacity of `S`, the limit binds: 40 t of `H` replaced.
    let wide = motors(200.0);
    let o = support::run_checked(&wide, &switching(1.0, None));
    assert!(close(o.final_shortfall(us, motor), 60.0));
    // The limit reached over two years averages a quarter of it over the first.
    let slow = Ramp {
        from: 0.0,
        to: 1.0,
        delay: 0.0,
        over: 2.0,
        then: None,
    };
    let o = support::run_checked(&wide, &switching(1.0, Some(slow)));
    assert!(close(o.final_shortfall(us, motor), 90.0));
}

/// A new plant of one grade (§3.1 capacity additions) pays for switching like spare
/// capacity: Japan's `S` line has none, a 40 t line added from the start gives the case
/// of `switching_within_the_limit` (32 motors).
#[test]
fn a_new_plant_of_the_substitute_grade() {
    let net = motors(20.0);
    let (us, motor) = (
        net.region_id("US").unwrap(),
        net.product_id("motor").unwrap(),
    );
    let mut r = switching(0.0, None);
    assert!(close(
        support::run_checked(&net, &r).final_shortfall(us, motor),
        100.0
    ));
    r.capacity_additions = vec![shortfall::scenario::CapacityAddition {
        region: "JP".into(),
        product: "S".into(),
        capacity: 40.0,
        from: 0.0,
    }];
    assert!(close(
        support::run_checked(&net, &r).final_shortfall(us, motor),
        68.0
    ));
}

/// The preferred input comes first (§4.9): Korea's idle `H` line of 80 t is planned to
/// meet 80% of the US order, so the US switches only the other 20 t (25 t of `S`) and
/// makes all its motors; switching all it could (40 t) would have left 8 motors unmade.
#[test]
fn the_preferred_input_comes_first() {
    let net = motors_with_korea(60.0, 80.0);
    let (us, motor) = (
        net.region_id("US").unwrap(),
        net.product_id("motor").unwrap(),
    );
    let h = net.product_id("H").unwrap();
    let o = support::run_checked(&net, &switching(1.0, None));
    assert!(close(o.final_shortfall(us, motor), 0.0));
    assert!(close(o.switched(us, h), 20.0));
}

/// Switching happens only when the preferred input falls short: a motor maker that loses
/// capacity does not switch.
#[test]
fn no_switching_without_a_shortfall_of_the_preferred_input() {
    let net = motors(200.0);
    let mut r = switching(1.0, None);
    r.restrictions.clear();
    r.capacity_losses = vec![shortfall::scenario::CapacityLoss {
        item: Default::default(),
        region: "US".into(),
        product: "motor".into(),
        share: 0.5,
    }];
    let o = support::run_checked(&net, &r);
    let (us, h) = (net.region_id("US").unwrap(), net.product_id("H").unwrap());
    assert_eq!(o.switched(us, h), 0.0);
}

fn build_error(net: &Network, r: &Realization) -> String {
    StaticCascade::new(net, r).unwrap_err().to_string()
}

#[test]
fn adaptation_errors_name_the_field() {
    let net = motors(60.0);
    let mut r = switching(1.0, None);
    r.adaptation.substitution_groups[0].substitute = "motor".into();
    let e = build_error(&net, &r);
    assert!(
        e.contains("adaptation.substitution_groups[0].substitute"),
        "{e}"
    );
    let mut r = switching(1.0, None);
    r.adaptation.substitution_groups[0].input = "S".into();
    r.adaptation.substitution_groups[0].substitute = "H".into();
    let e = build_error(&net, &r);
    assert!(e.contains("list it before S in products.csv"), "{e}");
    let r = Realization {
        adaptation: Adaptation {
            thrifting: vec![Thrift {
                product: "motor".into(),
                input: "S".into(),
                regions: vec![],
                reduction: 0.5,
                ramp: None,
            }],
            ..Adaptation::default()
        },
        ..switching(1.0, None)
    };
    let mut r = r;
    r.adaptation.substitution_groups = switching(1.0, None).adaptation.substitution_groups;
    let e = build_error(&net, &r);
    assert!(e.contains("adaptation.thrifting[0]"), "{e}");
    assert!(e.contains("no producer of motor uses S"), "{e}");
    let mut r = switching(1.0, None);
    r.adaptation.substitution_groups[0].limit_ramp = Some(Ramp {
        from: 1.0,
        to: 0.5,
        delay: 0.0,
        over: 1.0,
        then: None,
    });
    let e = build_error(&net, &r);
    assert!(
        e.contains("limit_ramp") && e.contains("does not reverse"),
        "{e}"
    );
    let mut r = switching(1.0, None);
    r.adaptation.substitution_groups[0].ratio = 0.0;
    let e = build_error(&net, &r);
    assert!(e.contains("adaptation.substitution_groups[0].ratio"), "{e}");
    // The dynamic engine switches in the standard mode with delivery within the step,
    // and refuses groups elsewhere by name.
    let ario = DynamicSettings {
        mode: Mode::Ario,
        ..DynamicSettings::default()
    };
    let lagged = DynamicSettings {
        transport_lag_days: 30.0,
        ..DynamicSettings::default()
    };
    let equivalent = DynamicSettings {
        mode: Mode::StaticEquivalent,
        ..DynamicSettings::default()
    };
    for settings in [ario, lagged, equivalent] {
        let mut r = switching(1.0, None);
        r.mitigation.substitution = 0.0;
        let e = Dynamic::new(&net, &r, settings.clone())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("adaptation.substitution_groups"),
            "{settings:?}: {e}"
        );
    }
    // Two thrifting entries on one coefficient.
    let toy = toy_chain();
    let mut r = Realization {
        adaptation: thrift(0.2, None),
        ..oxide_embargo()
    };
    r.adaptation
        .thrifting
        .push(r.adaptation.thrifting[0].clone());
    let e = build_error(&toy, &r);
    assert!(
        e.contains("adaptation.thrifting[1]") && e.contains("already"),
        "{e}"
    );
    r.adaptation.thrifting.pop();
    r.adaptation.thrifting[0].regions = vec!["XX".into()];
    let e = build_error(&toy, &r);
    assert!(e.contains("adaptation.thrifting[0].regions[0]"), "{e}");
}

/// A scenario file gives adaptation with field paths, and its numbers may be uncertain.
#[test]
fn adaptation_in_a_scenario_file() {
    let text = r#"
name = "thrifted"
horizon = 1.0
[[restrictions]]
exporters = ["CN"]
products = ["oxide"]
targets = { list = ["US"] }
severity = 1.0
[[adaptation.thrifting]]
product = "magnet"
input = "oxide"
reduction = { uniform = { low = 0.2, high = 0.6 } }
ramp = { from = 0.0, to = 1.0, delay = 0.0, over = 1.0 }
"#;
    let spec: shortfall::scenario::ScenarioSpec = toml::from_str(text).unwrap();
    let mut paths = Vec::new();
    spec.for_each_field(|path, _| paths.push(path.to_string()));
    assert!(paths.contains(&"adaptation.thrifting[0].reduction".to_string()));
}

/// Random thrifting of one coefficient and, where the chain allows, one substitution
/// group, on a generated network.
fn adapted(net: &Network, pick: usize, reduction: f64, limit: f64, ratio: f64) -> Adaptation<f64> {
    let mut out = Adaptation::default();
    let users: Vec<_> = net
        .node_ids()
        .filter(|&n| !net.inputs(n).is_empty())
        .collect();
    if users.is_empty() {
        return out;
    }
    let n = users[pick % users.len()];
    let product = net.product(net.node(n).product).id.clone();
    let input = net.inputs(n)[pick % net.inputs(n).len()].product;
    out.thrifting.push(Thrift {
        product: product.clone(),
        input: net.product(input).id.clone(),
        regions: vec![],
        reduction,
        ramp: None,
    });
    let order = net.product_order();
    let rank = |p| order.iter().position(|&q| q == p).unwrap();
    let before: Vec<_> = order
        .iter()
        .copied()
        .filter(|&q| rank(q) < rank(input))
        .collect();
    if let Some(&s) = before.get(pick % before.len().max(1)) {
        out.substitution_groups.push(SubstitutionGroup {
            product,
            regions: vec![],
            input: net.product(input).id.clone(),
            substitute: net.product(s).id.clone(),
            ratio,
            limit,
            limit_ramp: None,
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No shock, no shortfall, with thrifting and a substitution group (§4.9).
    #[test]
    fn no_shock_no_shortfall_with_adaptation(
        net in small_network(),
        pick in 0usize..1000,
        reduction in 0.0f64..=1.0,
        limit in 0.0f64..=1.0,
        ratio in 0.1f64..=4.0,
        rho in 0.0f64..=1.0,
    ) {
        let r = Realization {
            horizon: 1.0,
            mitigation: Mitigation { substitution: rho, ..Mitigation::default() },
            adaptation: adapted(&net, pick, reduction, limit, ratio),
            ..Realization::default()
        };
        let o = run(&net, &r);
        for (i, &s) in o.absorption_shortfall.iter().enumerate() {
            prop_assert!(s <= 1e-12 * o.absorption_baseline[i].max(1.0), "{s} at {i}");
        }
        prop_assert!(o.switched.iter().all(|&s| s == 0.0));
    }

    /// Bounds, material balance and per-node use under random shocks with adaptation.
    #[test]
    fn shortfalls_bounded_and_balanced_with_adaptation(
        net in small_network(),
        s in shock(),
        pick in 0usize..1000,
        reduction in 0.0f64..=1.0,
        limit in 0.0f64..=1.0,
        ratio in 0.1f64..=4.0,
    ) {
        let r = Realization {
            adaptation: adapted(&net, pick, reduction, limit, ratio),
            ..s.realization(&net)
        };
        let o = run(&net, &r);
        prop_assert_eq!(support::outcome_violation(&net, &r, &o), None);
    }

    /// The dynamic engine under random shocks with thrifting and a substitution group
    /// (standard mode, delivery within the step): the properties of §5.9.
    #[test]
    fn dynamic_properties_hold_with_adaptation(
        net in small_network(),
        s in shock(),
        pick in 0usize..1000,
        reduction in 0.0f64..=1.0,
        limit in 0.0f64..=1.0,
        ratio in 0.1f64..=4.0,
    ) {
        let mut r = Realization {
            adaptation: adapted(&net, pick, reduction, limit, ratio),
            ..s.realization(&net)
        };
        r.start = Some(2.0 / 52.0);
        r.run_length = Some(0.5);
        let settings = DynamicSettings { step: Step::Week, inventory_days: 30.0, ..DynamicSettings::default() };
        let engine = Dynamic::new(&net, &r, settings).unwrap();
        let o = run_dynamic(&engine, &net, &r);
        prop_assert_eq!(support::dynamic_violation(&net, &o), None);
    }

    /// The dynamic engine: no shock, no final-use shortfall with thrifting and a
    /// substitution group, in the standard mode, and no absorption shortfall at a
    /// thrifted slot. (Upstream of a
    /// thrifted input the absorption measure counts the fall in demand:
    /// `counterexample_thrifting_upstream_absorption_in_the_dynamic_engine`.)
    #[test]
    fn dynamic_no_shock_no_shortfall_with_thrifting(
        net in small_network(),
        pick in 0usize..1000,
        reduction in 0.0f64..=1.0,
    ) {
        let adaptation = adapted(&net, pick, reduction, 0.5, 1.0);
        let r = Realization {
            horizon: 0.5,
            adaptation,
            ..Realization::default()
        };
        let settings = DynamicSettings { step: Step::Week, ..DynamicSettings::default() };
        let engine = Dynamic::new(&net, &r, settings).unwrap();
        let o = run_dynamic(&engine, &net, &r);
        for t in 0..engine.steps() {
            for region in net.regions().iter().filter_map(|x| net.region_id(&x.code)) {
                for p in net.products().iter().filter_map(|x| net.product_id(&x.id)) {
                    let s = o.final_shortfall(region, p, t);
                    let base = o.absorption_baseline_per_step(region, p);
                    prop_assert!(s <= 1e-9 * base.max(1e-12), "{s} at step {t}");
                }
            }
        }
        for (n, m, _) in thrifted_slots(&net, &r) {
            let (region, np) = (net.node(n).region, net.products().len());
            // Alone on its (region, input): the slot's own receipts are the measure.
            let alone = net.node_ids().filter(|&k| net.node(k).region == region
                && net.inputs(k).iter().any(|i| i.product == m)).count() == 1
                && net.final_use(region, m) == 0.0;
            if alone {
                for t in 0..engine.steps() {
                    let s = o.absorption_shortfall[t * net.regions().len() * np
                        + region.index() * np + m.index()];
                    prop_assert!(s <= 1e-9 * o.absorption_baseline_per_step(region, m).max(1e-12));
                }
            }
        }
    }
}

#[test]
fn an_engine_built_with_adaptation_runs_other_numbers() {
    let net = motors(60.0);
    let r = switching(1.0, None);
    let engine = StaticCascade::new(&net, &r).unwrap();
    let mut ws = engine.workspace(&net);
    let mut other = r.clone();
    other.adaptation.substitution_groups[0].limit = 0.2;
    engine.run(&net, &other, &mut ws).unwrap();
    let (us, motor) = (
        net.region_id("US").unwrap(),
        net.product_id("motor").unwrap(),
    );
    // W = 20, w = 20 needs 25 t of S, all available: 20 motors.
    assert!(close(ws.outcome().final_shortfall(us, motor), 80.0));
    let mut moved = r.clone();
    moved.adaptation.substitution_groups[0].substitute = "H".into();
    assert!(engine.run(&net, &moved, &mut ws).is_err());
}

/// The thrifted (node, input) pairs of `r` on `net`.
fn thrifted_slots(
    net: &Network,
    r: &Realization,
) -> Vec<(
    shortfall::network::NodeId,
    shortfall::network::ProductId,
    usize,
)> {
    let mut out = Vec::new();
    for (i, t) in r.adaptation.thrifting.iter().enumerate() {
        for n in net.node_ids() {
            let node = net.node(n);
            if net.product(node.product).id == t.product {
                for input in net.inputs(n) {
                    if net.product(input.product).id == t.input {
                        out.push((n, input.product, i));
                    }
                }
            }
        }
    }
    out
}

/// docs/model.md §5.7: the dynamic engine's absorption shortfall compares receipts with
/// baseline receipts, so upstream of a thrifted input a fall in demand shows as one. In
/// region A, ore (10 t a year) makes oxide (1 t a tonne) that makes magnets (1 t a
/// tonne); thrifting halves the oxide per magnet, with no shock: the magnet maker orders
/// half the oxide, the oxide maker makes half and orders half the ore, and A's ore
/// "shortfall" reaches half its baseline, though no one lacks anything: every final use is
/// served in full. The static engine holds schedules fixed and shows none.
#[test]
fn counterexample_thrifting_upstream_absorption_in_the_dynamic_engine() {
    let mut h = Hand::new(&["A"], &["ore", "oxide", "magnet"]);
    let ore = h.node("A", "ore", 10.0, &[]);
    let oxide = h.node("A", "oxide", 10.0, &[("ore", 1.0)]);
    let magnet = h.node("A", "magnet", 10.0, &[("oxide", 1.0)]);
    h.flow_to_node(ore, oxide, 10.0);
    h.flow_to_node(oxide, magnet, 10.0);
    h.flow_to_final(magnet, "A", 10.0);
    let net = h.build();
    let r = Realization {
        horizon: 1.0,
        adaptation: Adaptation {
            thrifting: vec![Thrift {
                product: "magnet".into(),
                input: "oxide".into(),
                regions: vec![],
                reduction: 0.5,
                ramp: None,
            }],
            ..Adaptation::default()
        },
        ..Realization::default()
    };
    let settings = DynamicSettings {
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &r, settings).unwrap();
    let o = run_dynamic(&engine, &net, &r);
    let a = net.region_id("A").unwrap();
    let id = |p: &str| net.product_id(p).unwrap();
    let last = engine.steps() - 1;
    let base = o.absorption_baseline_per_step(a, id("ore"));
    assert!(o.absorption_shortfall(a, id("ore"), last) > 0.4 * base);
    assert!(o.absorption_shortfall(a, id("oxide"), last).abs() < 1e-9);
    for t in 0..=last {
        assert!(o.final_shortfall(a, id("magnet"), t).abs() < 1e-9);
    }
    let s = run(&net, &r);
    assert!(s.absorption_shortfall(a, id("ore")).abs() < 1e-12);
}

/// §5.7: the same case in the dynamic engine, monthly over two years. Once the US's `H`
/// inventory is spent, Japan's spare `S` (40 t a year) replaces 32 t of `H` a year, so the
/// US makes 32/12 motors a month, as the static engine's year; with no spare capacity to
/// take up (ρ = 0), none. Switching stops when the cut ends and the switch stock is used.
#[test]
fn switching_in_the_dynamic_engine() {
    let net = motors(60.0);
    let (us, motor) = (
        net.region_id("US").unwrap(),
        net.product_id("motor").unwrap(),
    );
    let h = net.product_id("H").unwrap();
    let node = net.node_id(us, motor).unwrap();
    let settings = DynamicSettings {
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let run_for = |rho: f64, horizon: f64| {
        let r = Realization {
            horizon,
            run_length: Some(2.0),
            ..switching(rho, None)
        };
        let engine = Dynamic::new(&net, &r, settings.clone()).unwrap();
        (engine.steps(), run_dynamic(&engine, &net, &r))
    };
    let (steps, o) = run_for(1.0, 2.0);
    // Switching replaces 32/12 t of `H` a month from the first month on; output falls
    // towards it as the `H` inventory is spent (within 1e-4 after two years).
    for t in 1..steps {
        assert!(
            (o.switched(us, h, t) - 32.0 / 12.0).abs() < 1e-9,
            "step {t}"
        );
        assert!(o.output(node, t) >= 32.0 / 12.0 - 1e-9);
    }
    let last = o.output(node, steps - 1);
    assert!((last - 32.0 / 12.0).abs() < 1e-4, "{last}");
    let (_, none) = run_for(0.0, 2.0);
    let left = none.output(node, steps - 1);
    assert!(left < 1e-3 * 100.0 / 12.0, "{left}");
    assert_eq!(none.switched(us, h, steps - 1), 0.0);
    // The cut lasts a year: switching stops afterwards, once the switch stock is used.
    let (_, o) = run_for(1.0, 1.0);
    assert!(o.switched(us, h, 20) > 0.0 || o.switched(us, h, 13) > 0.0);
    assert_eq!(o.switched(us, h, steps - 1), 0.0);
}

/// §4.5 with §4.9: switching on freed volume is processed tagged volume. Korea's `H` line
/// (Vietnam's only supplier) is lost; China diverts the 50 t of `S` it may not ship to
/// the US; Vietnam switches to it and makes 50 motors, 20 for itself and 30 that only
/// the κ gate lets reach the US (80 ordered).
#[test]
fn switching_on_diverted_volume_passes_the_kappa_gate() {
    let mut h = Hand::new(&["CN", "KR", "VN", "US"], &["S", "H", "motor"]);
    let cn = h.node("CN", "S", 50.0, &[]);
    let kr = h.node("KR", "H", 100.0, &[]);
    let vn = h.node("VN", "motor", 100.0, &[("H", 1.0)]);
    h.flow_to_final(cn, "US", 50.0);
    h.flow_to_node(kr, vn, 100.0);
    h.flow_to_final(vn, "US", 80.0);
    h.flow_to_final(vn, "VN", 20.0);
    let net = h.build();
    let (us, motor) = (
        net.region_id("US").unwrap(),
        net.product_id("motor").unwrap(),
    );
    let lacking = |kappa: f64| {
        let mut cut = Restriction::full(["CN"], ["S"], Targets::List(vec!["US".into()]));
        cut.disposal = shortfall::scenario::Disposal::Divert;
        cut.processing_leakage = kappa;
        let r = Realization {
            horizon: 1.0,
            restrictions: vec![cut],
            capacity_losses: vec![shortfall::scenario::CapacityLoss {
                item: Default::default(),
                region: "KR".into(),
                product: "H".into(),
                share: 1.0,
            }],
            adaptation: Adaptation {
                substitution_groups: vec![SubstitutionGroup {
                    product: "motor".into(),
                    regions: vec![],
                    input: "H".into(),
                    substitute: "S".into(),
                    ratio: 1.0,
                    limit: 1.0,
                    limit_ramp: None,
                }],
                ..Adaptation::default()
            },
            ..Realization::default()
        };
        support::run_checked(&net, &r).final_shortfall(us, motor)
    };
    assert!(close(lacking(0.0), 80.0), "{}", lacking(0.0));
    assert!(close(lacking(1.0), 50.0), "{}", lacking(1.0));
}
