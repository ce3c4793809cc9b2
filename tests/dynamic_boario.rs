//! Agreement with BoARIO 0.7.2 in `ario` mode (docs/model.md §5.11). The fixtures
//! were made by `scripts/boario_fixtures.py` (BoARIO's own run, committed as CSV); this
//! test needs no Python.

use std::collections::HashMap;

use shortfall::data::read_pymrio;
use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode};
use shortfall::network::{Network, NodeId};
use shortfall::scenario::Realization;

/// BoARIO's run: one column per series, one value per step.
struct Fixture {
    columns: HashMap<String, Vec<f64>>,
    order: Vec<String>,
}

fn fixture(table: &str) -> (Network, Fixture) {
    let dir = format!(
        "{}/tests/fixtures/boario/{table}",
        env!("CARGO_MANIFEST_DIR")
    );
    let net = read_pymrio(&dir).expect("the fixture table loads");
    let text = std::fs::read_to_string(format!("{dir}/run.csv")).expect("run.csv");
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
    (net, Fixture { columns, order })
}

fn node(net: &Network, region: &str, sector: &str) -> NodeId {
    let r = net.require_region(region).unwrap();
    let p = net.require_product(sector).unwrap();
    net.node_id(r, p).unwrap()
}

/// Runs the engine in ario mode, driven by BoARIO's capacity-loss path, and compares
/// every recorded series' deviation from its step-0 value with BoARIO's, to 1% of the
/// largest deviation among the series of the same kind and industry.
fn agree(table: &str) {
    let (net, fx) = fixture(table);
    let loss_column = fx.order.iter().find(|c| c.starts_with("loss:")).unwrap();
    let parts: Vec<&str> = loss_column.split(':').collect();
    let settings = DynamicSettings {
        mode: Mode::Ario,
        steps: fx.columns[loss_column].len(),
        ..DynamicSettings::default()
    };
    let none = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let engine = Dynamic::new(&net, &none, settings)
        .unwrap()
        .with_loss_path(&net, parts[1], parts[2], fx.columns[loss_column].clone())
        .unwrap();
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
        let steps = fx.columns[name].len();
        let ours: Vec<f64> = match kind {
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
    for (key, series) in &groups {
        let deviation = |v: &[f64], t: usize| v[t] - v[0];
        let largest = series
            .iter()
            .flat_map(|(name, _)| {
                let b = &fx.columns[name];
                (0..b.len()).map(move |t| deviation(b, t).abs())
            })
            .fold(0.0, f64::max);
        assert!(
            largest > 0.0 || key.starts_with("inventory"),
            "{key}: BoARIO shows no deviation"
        );
        for (name, ours) in series {
            let theirs = &fx.columns[name];
            for t in 0..theirs.len() {
                let gap = (deviation(ours, t) - deviation(theirs, t)).abs();
                assert!(
                    gap <= 0.01 * largest,
                    "{table} {name} step {t}: ours {} vs BoARIO {} (deviations {} vs {}, \
                     tolerance {})",
                    ours[t],
                    theirs[t],
                    deviation(ours, t),
                    deviation(theirs, t),
                    0.01 * largest
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 10_000, "{compared} values compared");
}

#[test]
fn agrees_with_boario_on_pymrio_test_table() {
    agree("pymrio_test");
}

#[test]
fn agrees_with_boario_on_synthetic_table() {
    agree("synthetic");
}
