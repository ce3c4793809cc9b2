//! Final demand in time and events written as BoARIO's (docs/model.md §5.7, §5.12): cases
//! by hand, the scenario-file forms, and the errors that name the field.

mod support;

use shortfall::engine::{Dynamic, DynamicSettings, Mode, StaticCascade, Step};
use shortfall::runs::ScenarioFile;
use shortfall::scenario::{
    productive_capital, BoarioEvent, DemandPath, DemandShift, EventKind, Realization,
    RecoveryFunction,
};
use shortfall::Error;
use support::Hand;

/// China makes 120 magnets a year (10 a month) for final use in the US and may make 15 a
/// month; cement in the US, 24 a year (2 a month), for final use in the US.
fn magnets() -> shortfall::network::Network {
    let mut h = Hand::new(&["CN", "US"], &["magnet", "cement"]);
    let cn = h.node("CN", "magnet", 180.0, &[]);
    let us = h.node("US", "cement", 36.0, &[]);
    h.flow_to_final(cn, "US", 120.0);
    h.flow_to_final(us, "US", 24.0);
    h.build()
}

fn monthly(steps: usize) -> DynamicSettings {
    DynamicSettings {
        step: Step::Month,
        steps,
        ..DynamicSettings::default()
    }
}

fn year() -> Realization {
    let mut r = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    r.mitigation.substitution = 1.0;
    r
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn paths_and_shifts_multiply_final_demand_by_hand() {
    let net = magnets();
    // A shift of +25% on US magnets over the window (months 2 to 7); a path halving US
    // magnets in months 1 to 3; a path of 0.8 on all of the US's final demand in month 3.
    let mut r = year();
    r.start = Some(2.0 / 12.0);
    r.horizon = 0.5;
    r.demand_shifts.push(DemandShift {
        region: "US".into(),
        product: "magnet".into(),
        change: 0.25,
    });
    r.demand_paths.push(DemandPath {
        region: "US".into(),
        product: Some("magnet".into()),
        from_step: 1,
        path: vec![0.5],
        until_step: Some(4),
    });
    let all = DemandPath {
        region: "US".into(),
        product: None,
        from_step: 3,
        path: vec![0.8],
        until_step: None,
    };
    let engine = Dynamic::new(&net, &r, monthly(10))
        .unwrap()
        .with_demand_path(&net, all)
        .unwrap();
    let o = support::run_dynamic(&engine, &net, &r);
    let (us, cn) = (
        net.require_region("US").unwrap(),
        net.require_region("CN").unwrap(),
    );
    let (magnet, cement) = (
        net.require_product("magnet").unwrap(),
        net.require_product("cement").unwrap(),
    );
    let (m, c) = (
        net.node_id(cn, magnet).unwrap(),
        net.node_id(us, cement).unwrap(),
    );
    // Magnets a month: 10; x0.5 in months 1-3, x1.25 in months 2-7, x0.8 in month 3.
    let want = [10.0, 5.0, 6.25, 5.0, 12.5, 12.5, 12.5, 12.5, 10.0, 10.0];
    for (t, w) in want.iter().enumerate() {
        assert!(
            near(o.demand(m, t), *w),
            "month {t}: {} vs {w}",
            o.demand(m, t)
        );
        assert!(near(o.output(m, t), *w), "month {t}: {}", o.output(m, t));
        assert!(near(o.final_shortfall(us, magnet, t), 0.0));
    }
    // Cement: 2 a month, 1.6 in month 3 only.
    for t in 0..10 {
        let w = if t == 3 { 1.6 } else { 2.0 };
        assert!(
            near(o.output(c, t), w),
            "cement month {t}: {}",
            o.output(c, t)
        );
    }
}

#[test]
fn a_rise_beyond_capacity_goes_unmet_and_counts_as_shortfall() {
    // Capacity 15 a month: twice the demand (20) leaves 5 unmet in each of months 2 and 3.
    let net = magnets();
    let r = year();
    let up = DemandPath {
        region: "US".into(),
        product: Some("magnet".into()),
        from_step: 2,
        path: vec![2.0, 2.0],
        until_step: None,
    };
    let engine = Dynamic::new(&net, &r, monthly(5))
        .unwrap()
        .with_demand_path(&net, up)
        .unwrap();
    let o = support::run_dynamic(&engine, &net, &r);
    let us = net.require_region("US").unwrap();
    let magnet = net.require_product("magnet").unwrap();
    let short: Vec<f64> = (0..5).map(|t| o.final_shortfall(us, magnet, t)).collect();
    for (t, w) in [0.0, 0.0, 5.0, 5.0, 0.0].iter().enumerate() {
        assert!(near(short[t], *w), "month {t}: {short:?}");
    }
}

#[test]
fn the_scenario_file_form_runs_as_the_api() {
    let text = r#"
[scenario]
name = "demand falls"
horizon = 1.0

[[scenario.demand_paths]]
region = "US"
product = "magnet"
from_step = 1
path = [0.5, 0.7]
until_step = 5
"#;
    let file = ScenarioFile::from_toml(text, "demand.toml").unwrap();
    let r = file.scenario.median();
    let net = magnets();
    let via_file = Dynamic::new(&net, &r, monthly(7)).unwrap();
    let plain = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let via_api = Dynamic::new(&net, &plain, monthly(7))
        .unwrap()
        .with_demand_path(&net, r.demand_paths[0].clone())
        .unwrap();
    let a = support::run_dynamic(&via_file, &net, &r);
    let b = support::run_dynamic(&via_api, &net, &plain);
    let m = net.node_id(
        net.require_region("CN").unwrap(),
        net.require_product("magnet").unwrap(),
    );
    let m = m.unwrap();
    let got: Vec<f64> = (0..7).map(|t| a.output(m, t)).collect();
    assert_eq!(got, (0..7).map(|t| b.output(m, t)).collect::<Vec<_>>());
    let want = [10.0, 5.0, 7.0, 7.0, 7.0, 10.0, 10.0];
    assert!(got.iter().zip(want).all(|(g, w)| near(*g, w)), "{got:?}");
}

fn field_of(e: Error) -> String {
    match e {
        Error::InvalidField { field, .. } => field,
        other => panic!("expected a field error, got {other}"),
    }
}

#[test]
fn bad_paths_and_events_are_refused_naming_the_field() {
    let net = magnets();
    let r = year();
    let path =
        |region: &str, product: Option<&str>, path: Vec<f64>, until: Option<usize>| DemandPath {
            region: region.into(),
            product: product.map(String::from),
            from_step: 2,
            path,
            until_step: until,
        };
    let cases = [
        (path("XX", None, vec![0.5], None), "demand path.region"),
        (
            path("US", Some("ore"), vec![0.5], None),
            "demand path.product",
        ),
        (path("CN", None, vec![0.5], None), "demand path"),
        (path("US", None, vec![-0.1], None), "demand path.path"),
        (path("US", None, vec![f64::NAN], None), "demand path.path"),
        (path("US", None, vec![], None), "demand path.path"),
        (
            path("US", None, vec![0.5, 0.5], Some(3)),
            "demand path.until_step",
        ),
    ];
    for (p, field) in cases {
        let e = Dynamic::new(&net, &r, monthly(5))
            .unwrap()
            .with_demand_path(&net, p.clone())
            .unwrap_err();
        assert_eq!(field_of(e), field, "{p:?}");
    }
    // In a scenario, at its index; refused by the static engine and the static-equivalent
    // mode, by name.
    let mut s = year();
    s.demand_paths.push(path("US", None, vec![0.5], Some(9)));
    s.demand_paths
        .push(path("US", Some("ore"), vec![0.5], None));
    let e = Dynamic::new(&net, &s, monthly(5)).unwrap_err();
    assert_eq!(field_of(e), "demand_paths[1].product");
    s.demand_paths.pop();
    let e = StaticCascade::new(&net, &s).unwrap_err();
    assert_eq!(field_of(e), "demand_paths");
    let static_mode = DynamicSettings {
        mode: Mode::StaticEquivalent,
        ..monthly(5)
    };
    let e = Dynamic::new(&net, &s, static_mode).unwrap_err();
    assert_eq!(field_of(e), "demand_paths");
    // A file with a bad path fails on reading, at the field.
    let text =
        "[scenario]\nhorizon = 1.0\n[[scenario.demand_paths]]\nregion = \"US\"\npath = [2e7]\n";
    let e = ScenarioFile::from_toml(text, "bad.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("scenario.demand_paths[0].path"), "{e}");
}

/// pymrio's test table as the fixtures hold it.
fn pymrio_test() -> shortfall::network::Network {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/boario/pymrio_test"
    );
    shortfall::data::read_pymrio(dir).unwrap()
}

#[test]
fn boario_timing_by_hand() {
    let net = pymrio_test();
    let n = net
        .node_id(
            net.require_region("reg2").unwrap(),
            net.require_product("manufactoring").unwrap(),
        )
        .unwrap();
    let k = productive_capital(&net, n);
    // Value added: output less inputs, times 4.
    let inputs: f64 = net.in_edges(n).map(|e| e.flow).sum();
    assert_eq!(k, 4.0 * (net.output(n) - inputs));
    // Capital: 10% of it destroyed at step 10 for 5 steps, linear recovery over 10:
    // full through step 16 (10 + 5 + 1), then 9/10, 8/10, ... of it, 0 from step 26.
    let capital = BoarioEvent {
        kind: EventKind::Recovery,
        region: "reg2".into(),
        sector: "manufactoring".into(),
        impact: 0.1 * k,
        occurrence: 10,
        duration: 5,
        recovery_tau: 10,
        recovery_function: RecoveryFunction::Linear,
        rebuilding_sectors: Default::default(),
        rebuilding_factor: 1.0,
    };
    let loss = capital.loss_path(&net, 30).unwrap();
    let by_hand = |t: usize| match t {
        0..=9 => 0.0,
        10..=16 => 0.1,
        17..=25 => 0.1 * (1.0 - (t - 16) as f64 / 10.0),
        _ => 0.0,
    };
    for (t, v) in loss.iter().enumerate() {
        // BoARIO rounds the capital left to 7 decimals (table units).
        assert!((v - by_hand(t)).abs() <= 1e-7 / k + 1e-15, "step {t}: {v}");
    }
    // Arbitrary: one step later at both ends, the share rounded to 6 decimals.
    let arbitrary = BoarioEvent {
        kind: EventKind::Arbitrary,
        impact: 0.1,
        ..capital.clone()
    };
    let loss = arbitrary.loss_path(&net, 30).unwrap();
    for (t, v) in loss.iter().enumerate() {
        let want = if t == 0 { 0.0 } else { by_hand(t - 1) };
        assert!((v - want).abs() <= 5e-7, "step {t}: {v} vs {want}");
    }
    // Convex recovery: (1 - 1/τ)^(4k) of the damage k steps in.
    let convex = BoarioEvent {
        recovery_function: RecoveryFunction::Convexe,
        ..capital.clone()
    };
    let loss = convex.loss_path(&net, 30).unwrap();
    assert!((loss[18] - 0.1 * 0.9f64.powi(8)).abs() < 1e-7 / k + 1e-15);
    // Errors name the field.
    let too_much = BoarioEvent {
        impact: 1.5 * k,
        ..capital.clone()
    };
    assert_eq!(
        field_of(too_much.loss_path(&net, 30).unwrap_err()),
        "event.impact"
    );
    let share = BoarioEvent {
        impact: 1.5,
        ..arbitrary.clone()
    };
    assert_eq!(
        field_of(share.loss_path(&net, 30).unwrap_err()),
        "event.impact"
    );
    let never = BoarioEvent {
        duration: 0,
        ..capital.clone()
    };
    assert_eq!(
        field_of(never.loss_path(&net, 30).unwrap_err()),
        "event.duration"
    );
    let nowhere = BoarioEvent {
        sector: "steel".into(),
        ..capital.clone()
    };
    assert_eq!(
        field_of(nowhere.loss_path(&net, 30).unwrap_err()),
        "event.sector"
    );
}

#[test]
fn boario_events_in_a_scenario_file_run_as_the_api() {
    let text = r#"
[scenario]
name = "a flood at reg2's factories"
horizon = 1.0

[[scenario.boario_events]]
kind = "arbitrary"
region = "reg2"
sector = "manufactoring"
impact = 0.3
occurrence = 5
duration = 10
recovery_tau = 20
"#;
    let file = ScenarioFile::from_toml(text, "flood.toml").unwrap();
    let r = file.scenario.median();
    let net = pymrio_test();
    let settings = DynamicSettings {
        mode: Mode::Ario,
        steps: 60,
        ..DynamicSettings::default()
    };
    let via_file = Dynamic::new(&net, &r, settings.clone()).unwrap();
    let plain = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let via_api = Dynamic::new(&net, &plain, settings)
        .unwrap()
        .with_boario_event(&net, &r.boario_events[0])
        .unwrap();
    let a = support::run_dynamic(&via_file, &net, &r);
    let b = support::run_dynamic(&via_api, &net, &plain);
    let n = net
        .node_id(
            net.require_region("reg2").unwrap(),
            net.require_product("manufactoring").unwrap(),
        )
        .unwrap();
    let got: Vec<f64> = (0..60).map(|t| a.output(n, t)).collect();
    assert_eq!(got, (0..60).map(|t| b.output(n, t)).collect::<Vec<_>>());
    assert!(got[20] < 0.75 * got[0], "{}", got[20] / got[0]);
    let e = StaticCascade::new(&net, &r);
    assert!(e.is_err());
    let mut bad = r.clone();
    bad.boario_events[0].region = "reg9".into();
    let e = Dynamic::new(&net, &bad, DynamicSettings::default()).unwrap_err();
    assert_eq!(field_of(e), "boario_events[0].region");
}
