//! Agreement with BoARIO 0.7.2 in `ario` mode (docs/model.md §5.11, §5.12). The fixtures
//! were made by `scripts/boario_fixtures.py` (BoARIO's own runs, committed as CSV with
//! each event's parameters as JSON); this test needs no Python. The engine is driven by
//! the event's parameters through [`BoarioEvent`] and [`DemandPath`], not by BoARIO's
//! recorded loss.

use std::collections::HashMap;

use shortfall::data::read_pymrio;
use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode};
use shortfall::network::{Network, NodeId};
use shortfall::scenario::{
    productive_capital, BoarioEvent, DemandPath, EventKind, Realization, RecoveryFunction,
};

/// BoARIO's run: one column per series, one value per step, and the event.
struct Fixture {
    columns: HashMap<String, Vec<f64>>,
    order: Vec<String>,
    event: serde_json::Value,
    steps: usize,
}

fn fixture(table: &str, run: &str) -> (Network, Fixture) {
    let dir = format!(
        "{}/tests/fixtures/boario/{table}",
        env!("CARGO_MANIFEST_DIR")
    );
    let net = read_pymrio(&dir).expect("the fixture table loads");
    let text = std::fs::read_to_string(format!("{dir}/{run}.csv")).expect("the run's CSV");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut columns: HashMap<String, Vec<f64>> = HashMap::new();
    for line in lines {
        for (name, v) in header.iter().zip(line.split(',')).skip(1) {
            columns
                .entry(name.clone())
                .or_default()
                .push(v.parse().unwrap());
        }
    }
    let order = header[1..].to_vec();
    let steps = columns[&order[0]].len();
    let event = std::fs::read_to_string(format!("{dir}/{run}.json")).expect("the run's JSON");
    let event = serde_json::from_str(&event).unwrap();
    (
        net,
        Fixture {
            columns,
            order,
            event,
            steps,
        },
    )
}

fn node(net: &Network, region: &str, sector: &str) -> NodeId {
    let r = net.require_region(region).unwrap();
    let p = net.require_product(sector).unwrap();
    net.node_id(r, p).unwrap()
}

/// The event of a capital or arbitrary run, as BoARIO's parameters.
fn boario_event(e: &serde_json::Value) -> BoarioEvent {
    let text = |k: &str| e[k].as_str().unwrap().to_string();
    let whole = |k: &str| e[k].as_u64().unwrap() as usize;
    BoarioEvent {
        kind: match e["kind"].as_str().unwrap() {
            "recovery" => EventKind::Recovery,
            "arbitrary" => EventKind::Arbitrary,
            "rebuild" => EventKind::Rebuild,
            other => panic!("unknown event kind {other}"),
        },
        region: text("region"),
        sector: text("sector"),
        impact: e["impact"].as_f64().unwrap(),
        occurrence: whole("occurrence"),
        duration: whole("duration"),
        recovery_tau: whole("tau"),
        recovery_function: match e["recovery_function"].as_str() {
            Some("linear") | None => RecoveryFunction::Linear,
            Some("convexe") => RecoveryFunction::Convexe,
            Some(other) => panic!("unknown recovery function {other}"),
        },
        rebuilding_sectors: e["rebuilding_sectors"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                    .collect()
            })
            .unwrap_or_default(),
        rebuilding_factor: e["rebuilding_factor"].as_f64().unwrap_or(1.0),
    }
}

/// Runs the engine in ario mode on BoARIO's event and compares every recorded series'
/// deviation from its step-0 value with BoARIO's, to 1% of the largest deviation among
/// the series of the same kind and industry (declared before the first comparison).
/// Returns the largest gap as a share of its group's largest deviation. Series of the
/// kinds in `apart` are not held to the tolerance; their largest gaps (as shares of their
/// group's largest deviation, and absolute) are returned by group.
fn agree(table: &str, run: &str, apart: &[&str]) -> (f64, HashMap<String, (f64, f64)>) {
    let (net, fx) = fixture(table, run);
    let settings = DynamicSettings {
        mode: Mode::Ario,
        steps: fx.steps,
        ..DynamicSettings::default()
    };
    let none = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let engine = Dynamic::new(&net, &none, settings).unwrap();
    let engine = match fx.event["kind"].as_str().unwrap() {
        "final_demand" => {
            let e = &fx.event;
            let path = DemandPath {
                region: e["region"].as_str().unwrap().into(),
                product: None,
                from_step: e["from_step"].as_u64().unwrap() as usize,
                path: vec![e["factor"].as_f64().unwrap()],
                until_step: Some(e["until_step"].as_u64().unwrap() as usize),
            };
            engine.with_demand_path(&net, path).unwrap()
        }
        "rebuild" => {
            let event = boario_event(&fx.event);
            engine.with_boario_event(&net, &event).unwrap()
        }
        _ => {
            let event = boario_event(&fx.event);
            // The loss path from BoARIO's parameters is the loss BoARIO applied.
            let ours = event.loss_path(&net, fx.steps).unwrap();
            let theirs = &fx.columns[&format!("loss:{}:{}", event.region, event.sector)];
            for (t, (a, b)) in ours.iter().zip(theirs).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-10 * b.abs().max(1e-3),
                    "{table}/{run} loss at step {t}: ours {a}, BoARIO {b}"
                );
            }
            engine.with_boario_event(&net, &event).unwrap()
        }
    };
    let mut ws = engine.workspace(&net);
    engine.run(&net, &none, &mut ws).unwrap();
    let out = ws.outcome();

    // Group the series by kind and industry; each group shares one tolerance.
    // Key: `kind:region:sector` (`fd_unmet:sector` for unmet final demand); value: the
    // series' names with our path.
    let mut groups: HashMap<String, Vec<(String, Vec<f64>)>> = HashMap::new();
    for name in &fx.order {
        let p: Vec<&str> = name.split(':').collect();
        let (kind, region, sector) = (p[0], p[1], p[2]);
        let steps = fx.steps;
        let ours: Vec<f64> = match kind {
            // The loss of a rebuilding event follows deliveries: compared as a series.
            "loss" if fx.event["kind"] == "rebuild" => {
                let e = boario_event(&fx.event);
                if (region, sector) != (e.region.as_str(), e.sector.as_str()) {
                    vec![0.0; steps]
                } else {
                    let k = productive_capital(&net, node(&net, region, sector));
                    let done = e.occurrence + e.duration;
                    (0..steps)
                        .map(|t| match t {
                            t if t < e.occurrence => 0.0,
                            t if t <= done => e.impact / k,
                            t => out.rebuild_left(0, t - 1) / (e.rebuilding_factor * k),
                        })
                        .collect()
                }
            }
            "loss" => continue,
            "alpha" => (0..steps)
                .map(|t| out.alpha(node(&net, region, sector), t))
                .collect(),
            "production" => (0..steps)
                .map(|t| out.output(node(&net, region, sector), t))
                .collect(),
            "inventory" => {
                let input = net.require_product(p[3]).unwrap();
                let n = node(&net, region, sector);
                match out.inventory(n, input, 0) {
                    Some(_) => (0..steps)
                        .map(|t| out.inventory(n, input, t).unwrap())
                        .collect(),
                    // BoARIO keeps a row for every sector; ours only for inputs used.
                    None => vec![0.0; steps],
                }
            }
            "fd_unmet" => {
                let r = net.require_region(region).unwrap();
                let s = net.require_product(sector).unwrap();
                (0..steps).map(|t| out.final_shortfall(r, s, t)).collect()
            }
            other => panic!("unknown series {other}"),
        };
        let key = if kind == "fd_unmet" {
            format!("{kind}:{sector}")
        } else {
            format!("{kind}:{region}:{sector}")
        };
        groups.entry(key).or_default().push((name.clone(), ours));
    }
    let mut compared = 0;
    let mut worst = 0.0f64;
    let mut set_apart = HashMap::new();
    let mut misses = Vec::new();
    for (key, series) in &groups {
        let deviation = |v: &[f64], t: usize| v[t] - v[0];
        let largest = series
            .iter()
            .flat_map(|(name, _)| {
                let b = &fx.columns[name];
                (0..b.len()).map(move |t| deviation(b, t).abs())
            })
            .fold(0.0, f64::max);
        if largest == 0.0 {
            assert!(
                key.starts_with("inventory")
                    || key.starts_with("loss")
                    || key.starts_with("fd_unmet")
                    || key.starts_with("alpha"),
                "{key}: BoARIO shows no deviation"
            );
        }
        // With no deviation in BoARIO, ours is held to 1% of the series' level.
        let mut group_worst = 0.0f64;
        let mut absolute = 0.0f64;
        let held = !apart.iter().any(|k| key.starts_with(k));
        for (name, ours) in series {
            let theirs = &fx.columns[name];
            let scale = if largest > 0.0 {
                largest
            } else {
                theirs[0].abs().max(1.0)
            };
            for t in 0..theirs.len() {
                let gap = (deviation(ours, t) - deviation(theirs, t)).abs();
                group_worst = group_worst.max(gap / scale);
                absolute = absolute.max(gap);
                if held && gap > 0.01 * scale && misses.len() < 5 {
                    misses.push(format!(
                        "{name} step {t}: ours {} vs BoARIO {} (deviations {} vs {}, \
                         tolerance {})",
                        ours[t],
                        theirs[t],
                        deviation(ours, t),
                        deviation(theirs, t),
                        0.01 * scale
                    ));
                }
                compared += 1;
            }
        }
        if held {
            worst = worst.max(group_worst);
        } else {
            set_apart.insert(key.clone(), (group_worst, absolute));
        }
    }
    assert!(misses.is_empty(), "{table}/{run}: {misses:#?}");
    assert!(compared > 10_000, "{compared} values compared");
    println!("{table}/{run}: {compared} values, largest gap {worst:.2e} of the largest deviation");
    (worst, set_apart)
}

/// Rebuilding (docs/model.md §5.13), with BoARIO's inventory target in the ario mode: the
/// engine's own rule (the target at planned output, rebuilding included) misses by 3.2e-3
/// of the deviation, within the tolerance; BoARIO's rule closes the gap to rounding, and
/// this test keeps it there.
#[test]
fn rebuilding_on_pymrio_test_table() {
    let (worst, _) = agree("pymrio_test", "rebuild", &[]);
    assert!(worst < 1e-6, "largest gap {worst:.2e}");
}

#[test]
fn capital_recovery_on_pymrio_test_table() {
    agree("pymrio_test", "capital", &[]);
}

#[test]
fn capital_recovery_on_synthetic_table() {
    agree("synthetic", "capital", &[]);
}

#[test]
fn convex_capital_recovery_on_20x20_table() {
    agree("synthetic_20x20", "capital", &[]);
}

#[test]
fn arbitrary_production_cut_on_20x20_table() {
    agree("synthetic_20x20", "arbitrary", &[]);
}

/// Output and inventories agree within the tolerance; α and unmet final demand do not,
/// and this test pins why (docs/model.md §5.11): when reg3's demand returns at step 100, α
/// rises by about 1.4e-4, and from then BoARIO lets it decay in jumps on the steps its
/// global `numpy.allclose` shortcuts freeze inventories and orders so that demand equals
/// output exactly (its decay needs scarcity exactly 0), which the engine does not
/// reproduce; and no final demand goes unmet on either side: BoARIO's unmet final demand
/// is rounding noise (below 1e-7 where the sector's final demand is about 1e3 a step).
#[test]
fn final_demand_of_one_region_on_pymrio_test_table() {
    let (_, apart) = agree("pymrio_test", "final_demand", &["alpha", "fd_unmet"]);
    let alpha: Vec<_> = apart
        .iter()
        .filter(|(k, _)| k.starts_with("alpha"))
        .collect();
    assert_eq!(alpha.len(), 6);
    // The property fails for α: the largest gap is beyond 1% of α's largest deviation ...
    let share = alpha.iter().map(|(_, (s, _))| *s).fold(0.0, f64::max);
    assert!(
        share > 0.01,
        "α now agrees to {share:.2e}: restore it to the tolerance"
    );
    // ... but α itself is within 2e-5 of BoARIO's, a seventh of α's own deviation.
    for (key, (_, absolute)) in &alpha {
        assert!(*absolute < 2e-5, "{key}: α off by {absolute:.2e}");
    }
    let (_, (_, unmet)) = apart
        .iter()
        .find(|(k, _)| k.starts_with("fd_unmet"))
        .unwrap();
    assert!(*unmet < 1e-7, "unmet final demand differs by {unmet:.2e}");
}
