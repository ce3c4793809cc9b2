//! Rebuilding (docs/model.md §5.13): BoARIO's `EventKapitalRebuild` by hand, its
//! properties on generated tables, and its errors. Agreement with BoARIO itself is in
//! `tests/dynamic_boario.rs`.

mod support;

use proptest::prelude::*;
use shortfall::data::{network_from_pymrio, PymrioFiles};
use shortfall::engine::{Dynamic, DynamicSettings, Mode, Step};
use shortfall::network::{Network, SyntheticTable};
use shortfall::scenario::{productive_capital, BoarioEvent, EventKind, Realization};
use shortfall::Error;

/// One region: `make` sells 100 a year to final use and buys 10 of `build`; `build`
/// sells 10 to `make` and 40 to final use and buys nothing.
fn two_sectors() -> Network {
    let z = "region\t\tA\tA\nsector\t\tbuild\tmake\nregion\tsector\t\t\nA\tbuild\t0\t10\nA\tmake\t0\t0\n";
    let y = "region\t\tA\ncategory\t\thouseholds\nregion\tsector\t\nA\tbuild\t40\nA\tmake\t100\n";
    let x = "region\tsector\tindout\nA\tbuild\t50\nA\tmake\t100\n";
    network_from_pymrio(PymrioFiles {
        z: ("Z.csv", z),
        y: ("Y.csv", y),
        x: ("x.csv", x),
    })
    .unwrap()
}

fn rebuild(region: &str, sector: &str, impact: f64, sectors: &[(&str, f64)]) -> BoarioEvent {
    BoarioEvent {
        kind: EventKind::Rebuild,
        region: region.into(),
        sector: sector.into(),
        impact,
        occurrence: 1,
        duration: 1,
        recovery_tau: 2,
        recovery_function: Default::default(),
        rebuilding_sectors: sectors.iter().map(|(s, v)| (s.to_string(), *v)).collect(),
        rebuilding_factor: 1.0,
    }
}

fn none() -> Realization {
    Realization {
        horizon: 1.0,
        ..Realization::default()
    }
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn rebuilding_by_hand() {
    let net = two_sectors();
    let a = net.require_region("A").unwrap();
    let (build, make) = (
        net.node_id(a, net.require_product("build").unwrap())
            .unwrap(),
        net.node_id(a, net.require_product("make").unwrap())
            .unwrap(),
    );
    assert_eq!(productive_capital(&net, make), 360.0);
    let settings = DynamicSettings {
        mode: Mode::Ario,
        step: Step::Month,
        steps: 5,
        alpha_max: 1.0,
        ..DynamicSettings::default()
    };
    let event = rebuild("A", "make", 36.0, &[("build", 1.0)]);
    let engine = Dynamic::new(&net, &none(), settings)
        .unwrap()
        .with_boario_event(&net, &event)
        .unwrap();
    let o = support::run_dynamic(&engine, &net, &none());
    let month = |v: f64| v / 12.0;
    // Steps 1 and 2: a tenth of make's capacity lost; step 1 makes 0.9 of baseline.
    assert!(near(o.output(make, 0), month(100.0), 1e-12));
    assert!(near(o.output(make, 1), 0.9 * month(100.0), 1e-12));
    assert!(near(o.output(make, 2), 0.9 * month(100.0), 1e-12));
    // Nothing asked of rebuilding before step 2.
    assert_eq!(o.rebuild_left(0, 1), 36.0);
    // Step 2: build is asked 0.75 + 40/12 + 18 and makes its baseline.
    let asked = 0.75 + month(40.0) + 18.0;
    assert!(
        near(o.demand(build, 2), asked, 1e-12),
        "{}",
        o.demand(build, 2)
    );
    assert!(near(o.output(build, 2), month(50.0), 1e-12));
    let q = month(50.0) / asked;
    let k_build = net.require_product("build").unwrap().index();
    let np = net.products().len();
    assert!(near(o.to_rebuild[2 * np + k_build], 18.0 * q, 1e-12));
    let left = 36.0 - 18.0 * q;
    // BoARIO rounds the stock to 7 decimals.
    assert!(
        (o.rebuild_left(0, 2) - left).abs() <= 5e-8,
        "{}",
        o.rebuild_left(0, 2)
    );
    assert!((left - 32.6037736).abs() < 1e-7);
    // Step 3: make's loss is the stock left over its capital; its inventory holds.
    let loss = o.rebuild_left(0, 2) / 360.0;
    assert!(near(o.output(make, 3), (1.0 - loss) * month(100.0), 1e-12));
    // make's order at the end of step 2: its use, 0.75, and the ario share of its
    // inventory gap (Δt/τ = (365/12)/60), its target `a·x̂·n` at n = 90 days of cover.
    let n = 90.0 / (365.0 / 12.0);
    let s0 = 0.1 * month(100.0) * n;
    let s1 = s0 - 0.75 + month(10.0);
    let s2 = s1 - 0.75 + q * 0.75;
    let gap = (0.1 * 0.9 * month(100.0) * n - s2).max(0.0) * (365.0 / 12.0) / 60.0;
    assert!(gap > 0.1);
    let step3 = 0.75 + gap + month(40.0) + o.rebuild_left(0, 2) / 2.0;
    assert!(
        near(o.demand(build, 3), step3, 1e-12),
        "{} vs {step3}",
        o.demand(build, 3)
    );
    assert_eq!(support::dynamic_violation(&net, &o), None);
}

#[test]
fn bad_rebuilding_events_are_refused_naming_the_field() {
    let net = two_sectors();
    let engine = || Dynamic::new(&net, &none(), DynamicSettings::default()).unwrap();
    let field = |e: Error| match e {
        Error::InvalidField { field, .. } => field,
        other => panic!("{other}"),
    };
    let cases = [
        (rebuild("A", "make", 36.0, &[]), "event.rebuilding_sectors"),
        (
            rebuild("A", "make", 36.0, &[("build", 0.5)]),
            "event.rebuilding_sectors",
        ),
        (
            rebuild("A", "make", 36.0, &[("steel", 1.0)]),
            "event.rebuilding_sectors.steel",
        ),
        (
            rebuild("A", "make", 3600.0, &[("build", 1.0)]),
            "event.impact",
        ),
        (
            rebuild("B", "make", 36.0, &[("build", 1.0)]),
            "event.region",
        ),
    ];
    for (e, want) in cases {
        let got = field(engine().with_boario_event(&net, &e).unwrap_err());
        assert_eq!(got, want, "{e:?}");
    }
    let bad_factor = BoarioEvent {
        rebuilding_factor: 0.0,
        ..rebuild("A", "make", 36.0, &[("build", 1.0)])
    };
    assert_eq!(
        field(engine().with_boario_event(&net, &bad_factor).unwrap_err()),
        "event.rebuilding_factor"
    );
    // A rebuilding event has no loss path of its own; a sector the industry does not buy
    // loses its share, with a warning.
    let e = rebuild("A", "make", 36.0, &[("build", 0.5), ("make", 0.5)]);
    assert_eq!(field(e.loss_path(&net, 10).unwrap_err()), "event.kind");
    let engine = engine().with_boario_event(&net, &e).unwrap();
    assert!(
        shortfall::engine::Engine::warnings(&engine)
            .iter()
            .any(|w| w.contains("buys no make")),
        "{:?}",
        shortfall::engine::Engine::warnings(&engine)
    );
    // Rebuilding needs a monetary table.
    let chain = shortfall::network::toy_chain();
    let on_chain = rebuild("CN", "magnet", 1.0, &[("magnet", 1.0)]);
    let e = Dynamic::new(&chain, &none(), DynamicSettings::default())
        .unwrap()
        .with_boario_event(&chain, &on_chain)
        .unwrap_err();
    assert_eq!(field(e), "event.kind");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// On generated tables, in both modes: the stock never rises (in the ario mode, by
    /// more than BoARIO's rounding to 7 decimals), the loss never exceeds the capital
    /// destroyed over the capital, what is delivered to rebuilding is at most the stock at
    /// the start, and every product balances with `to_rebuild`.
    #[test]
    fn the_stock_falls_and_every_product_balances(
        seed in 0u64..1000,
        pick in 0usize..1000,
        share in 0.05f64..0.9,
        tau in 1usize..90,
        occurrence in 1usize..20,
        duration in 1usize..30,
        ario in any::<bool>(),
    ) {
        let net = SyntheticTable { regions: 3, sectors: 3, seed }.build().unwrap();
        let nodes: Vec<_> = net.node_ids().collect();
        let j = nodes[pick % nodes.len()];
        let node = net.node(j);
        let (region, sector) = (
            net.region(node.region).code.clone(),
            net.product(node.product).id.clone(),
        );
        let k = productive_capital(&net, j);
        prop_assume!(k > 0.0);
        let names: Vec<String> = net.products().iter().map(|p| p.id.clone()).collect();
        let event = BoarioEvent {
            occurrence,
            duration,
            recovery_tau: tau,
            rebuilding_sectors: names.iter().map(|n| (n.clone(), 1.0 / names.len() as f64)).collect(),
            ..rebuild(&region, &sector, share * k, &[])
        };
        let settings = DynamicSettings {
            mode: if ario { Mode::Ario } else { Mode::Standard },
            steps: 120,
            ..DynamicSettings::default()
        };
        let engine = Dynamic::new(&net, &none(), settings)
            .unwrap()
            .with_boario_event(&net, &event)
            .unwrap();
        let o = support::run_dynamic(&engine, &net, &none());
        let slack = if ario { 5e-8 } else { 0.0 };
        let start = o.rebuild_left(0, 0);
        prop_assert!(start <= share * k * (1.0 + 1e-12) + slack);
        for t in 1..120 {
            prop_assert!(o.rebuild_left(0, t) <= o.rebuild_left(0, t - 1) + slack, "step {}", t);
        }
        let np = net.products().len();
        let delivered: f64 = o.to_rebuild.iter().sum();
        prop_assert!(delivered <= share * k * (1.0 + 1e-9) + 120.0 * slack * np as f64);
        prop_assert!(o.rebuild_left(0, 119) >= 0.0);
        // Rebuilding under way delivers something: the stock falls.
        if occurrence + duration < 119 {
            prop_assert!(o.rebuild_left(0, 119) < start, "{} vs {}", o.rebuild_left(0, 119), start);
        }
        prop_assert_eq!(support::dynamic_violation(&net, &o), None);
    }
}
