//! Firms within a region (docs/model.md §5.5): the hand-worked case, the classes' check
//! against the data, refusals by name, and firms through a run in time.

mod support;

use shortfall::engine::{Dynamic, DynamicOutcome, DynamicSettings, Mode, Step};
use shortfall::montecarlo::{run_paths, Paths, Settings};
use shortfall::network::Network;
use shortfall::scenario::{
    Dist, FirmClass, Firms, Param, Realization, Restriction, ScenarioSpec, Targets,
};
use support::Hand;

/// B makes 100 gadgets a year from one part each: 20 parts from A, 80 from C.
fn two_origins() -> Network {
    let mut h = Hand::new(&["A", "B", "C"], &["part", "gadget"]);
    let a = h.node("A", "part", 20.0, &[]);
    let c = h.node("C", "part", 80.0, &[]);
    let b = h.node("B", "gadget", 100.0, &[("part", 1.0)]);
    h.flow_to_node(a, b, 20.0);
    h.flow_to_node(c, b, 80.0);
    h.flow_to_final(b, "B", 100.0);
    h.build()
}

fn firms(cover: f64, classes: Vec<FirmClass>) -> Firms<f64> {
    Firms {
        product: "part".into(),
        origins: vec!["A".into()],
        cover_days: (cover, cover),
        cover_scale: 1.0,
        classes,
    }
}

fn japan_like() -> Vec<FirmClass> {
    vec![FirmClass {
        region: "B".into(),
        weight: 0.1,
        origin_share: 1.0,
    }]
}

/// A embargoes its parts to B from the first step, in the static-equivalent mode (weekly
/// steps, receipts within the step): B receives nothing from A and all it ordered from C.
fn embargo(firms: Firms<f64>) -> Realization {
    Realization {
        horizon: 1.0,
        restrictions: vec![Restriction::full(
            ["A"],
            ["part"],
            Targets::List(vec!["B".into()]),
        )],
        firms: Some(firms),
        ..Realization::default()
    }
}

fn run(net: &Network, r: &Realization, steps: usize) -> DynamicOutcome {
    let settings = DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Week,
        steps,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, r, settings).unwrap();
    support::run_dynamic(&engine, net, r)
}

/// docs/model.md §5.5, by hand. B buys 0.2 of its parts from A. A tenth of its use is in
/// firms buying only from A; the rest buy (0.2 - 0.1)/0.9 = 1/9 there. Every firm holds 10
/// days. The first lack 7 days a week and stop at the end of step 1 (14 > 10); the rest
/// lack 7·(1 - 8/9) = 0.778 days a week and stop at step 12 (13 x 0.778 = 10.1 > 10).
#[test]
fn a_firm_buying_only_from_the_restricting_origin_stops_first_by_hand() {
    let net = two_origins();
    let (b, part) = (
        net.require_region("B").unwrap(),
        net.require_product("part").unwrap(),
    );
    let o = run(&net, &embargo(firms(10.0, japan_like())), 26);
    assert_eq!(o.firm_stoppage(b, part, 0.05), Some(1));
    assert_eq!(o.firm_stoppage(b, part, 0.1), Some(1));
    assert_eq!(o.firm_stoppage(b, part, 0.5), Some(12));
    let all = o.firms_stopped(b, part).unwrap();
    assert!((all - 1.0).abs() < 1e-12, "{all}");
    // Without the class, every firm buys the region's 0.2 and lacks 1.4 days a week: the
    // 5th-percentile firm stops at step 7 (8 x 1.4 = 11.2 > 10), where the region-level
    // first stoppage of a 10-day firm is the same step.
    let o = run(&net, &embargo(firms(10.0, vec![])), 26);
    assert_eq!(o.firm_stoppage(b, part, 0.05), Some(7));
    assert_eq!(o.first_stoppage(b, part, 10.0), Some(7));
    // Twice the cover: 21 > 20 at step 2 for the first class; the rest need 26 weeks.
    let mut doubled = embargo(firms(10.0, japan_like()));
    doubled.firms.as_mut().unwrap().cover_scale = 2.0;
    let o = run(&net, &doubled, 20);
    assert_eq!(o.firm_stoppage(b, part, 0.05), Some(2));
    let stopped = o.firms_stopped(b, part).unwrap();
    assert!((stopped - 0.1).abs() < 1e-12, "{stopped}");
    // Another input than the firms' has none.
    let gadget = net.require_product("gadget").unwrap();
    assert_eq!(o.firm_stoppage(b, gadget, 0.05), None);
}

#[test]
fn classes_that_cannot_hold_with_the_data_are_refused_by_name() {
    let net = two_origins();
    let settings = DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let build = |f: Firms<f64>| {
        Dynamic::new(&net, &embargo(f), settings.clone())
            .unwrap_err()
            .to_string()
    };
    // Half of B's use buying only from A is more than A supplies (0.2).
    let e = build(firms(
        10.0,
        vec![FirmClass {
            region: "B".into(),
            weight: 0.5,
            origin_share: 1.0,
        }],
    ));
    assert!(
        e.contains("firms.classes[0]") && e.contains("0.2000"),
        "{e}"
    );
    let mut unknown = firms(10.0, vec![]);
    unknown.origins = vec!["Z".into()];
    let e = build(unknown);
    assert!(e.contains("firms.origins[0]") && e.contains("`Z`"), "{e}");
    let mut product = firms(10.0, vec![]);
    product.product = "bolt".into();
    let e = build(product);
    assert!(e.contains("firms.product"), "{e}");
    let e = embargo(firms(0.0, vec![]))
        .validate()
        .unwrap_err()
        .to_string();
    assert!(e.contains("firms.cover_days"), "{e}");
}

#[test]
fn a_run_in_time_reports_firms_and_refuses_their_measures_without_them() {
    let net = two_origins();
    let mut spec: ScenarioSpec =
        embargo(firms(10.0, japan_like())).map_fields(|_, &v| Param::from(v));
    spec.firms.as_mut().unwrap().cover_scale = Param::Dist(Dist::Uniform {
        low: 0.5,
        high: 2.0,
    });
    let dynamic = DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Week,
        steps: 26,
        ..DynamicSettings::default()
    };
    let settings = Settings {
        draws: 200,
        ..Settings::default()
    };
    let paths = Paths::new(Targets::List(vec!["B".into()]), "part");
    let r = run_paths(&net, &spec, &dynamic, &settings, &paths).unwrap();
    // Cover from 5 to 20 days: the first class stops at step 0, 1 or 2.
    let given = r.firm_stoppage[0].given.as_ref().unwrap();
    assert_eq!(r.firm_stoppage[0].probability, 1.0);
    assert!(given.quantiles[0].value >= 0.0 && given.quantiles[2].value <= 2.0);
    assert!(
        given.quantiles[0].value < given.quantiles[2].value,
        "the scale is drawn"
    );
    assert!(r.to_string().contains("5% of firms stop"));
    // Without firms, a firms' measure is refused by name.
    let mut without = spec.clone();
    without.firms = None;
    let outcomes = vec![shortfall::montecarlo::OutcomeSpec::new(
        shortfall::montecarlo::Measure::FirmStoppage,
        Targets::List(vec!["B".into()]),
        "part",
    )];
    let e = shortfall::montecarlo::run_with(
        std::slice::from_ref(&net),
        &without,
        &Settings {
            outcomes,
            ..settings
        },
        &shortfall::montecarlo::EngineChoice::Dynamic(dynamic),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("monte_carlo.outcomes[0].measure") && e.contains("firms"),
        "{e}"
    );
}

/// With a transport lag of two steps and more (the origin-split pipeline) in the standard
/// mode: one class at the region's share and one cover is the region-level first stoppage
/// of a firm with that cover (one slot of the input, docs/model.md §5.5), for a fresh and
/// for a reused workspace.
#[test]
fn one_class_with_a_lag_is_the_region_level_first_stoppage() {
    use shortfall::engine::Engine;
    let net = two_origins();
    let (b, part) = (
        net.require_region("B").unwrap(),
        net.require_product("part").unwrap(),
    );
    for lag in [14.0, 28.0] {
        let mut r = embargo(firms(10.0, vec![]));
        r.restrictions[0].severity = 0.7;
        r.run_length = Some(0.5);
        let settings = DynamicSettings {
            step: Step::Week,
            inventory_days: 30.0,
            transport_lag_days: lag,
            ..DynamicSettings::default()
        };
        let engine = Dynamic::new(&net, &r, settings).unwrap();
        let mut ws = engine.workspace(&net);
        for _ in 0..2 {
            engine.run(&net, &r, &mut ws).unwrap();
            let o = ws.outcome();
            let region = o.first_stoppage(b, part, 10.0);
            assert!(region.is_some(), "lag {lag}: the region's firm stops");
            assert_eq!(o.firm_stoppage(b, part, 0.05), region, "lag {lag}");
        }
    }
}
