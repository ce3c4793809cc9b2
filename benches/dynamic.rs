//! The dynamic engine, per step: dense generated tables of 400 and 2,000 industries in the
//! ario mode (every industry buys from every industry), and a sparse generated chain of
//! 10,000 and 100,000 nodes in the standard mode (throughput in edges); and a year of the
//! seed scenario on the embedded data, in weeks. Each iteration is a whole
//! run; criterion's throughput counts `steps x edges`, and the time per step is the
//! iteration's time over `steps` (the run's set-up, one pass over the edges, included).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode, Step};
use shortfall::network::{Network, Synthetic, SyntheticTable};
use shortfall::scenario::Realization;

mod common;

fn bench(
    c: &mut Criterion,
    group: &str,
    name: String,
    net: &Network,
    settings: DynamicSettings,
    substitution: f64,
) {
    let mut none = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    none.mitigation.substitution = substitution;
    let steps = settings.steps;
    let first = net.node(shortfall::network::NodeId(0));
    let (region, product) = (
        net.region(first.region).code.clone(),
        net.product(first.product).id.clone(),
    );
    let engine = Dynamic::new(net, &none, settings)
        .unwrap()
        .with_loss_path(net, &region, &product, vec![0.5; steps / 2])
        .unwrap();
    let mut ws = engine.workspace(net);
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.throughput(Throughput::Elements((steps * net.edges().len()) as u64));
    g.bench_function(BenchmarkId::from_parameter(name), |b| {
        b.iter(|| engine.run(net, &none, &mut ws).unwrap())
    });
    g.finish();
}

fn dense(c: &mut Criterion) {
    // BoARIO on tables of the same sizes and construction, in the same run (5,000: three
    // steps, about a second each).
    common::time_peer("boario_timing.py", &["20:20:50", "40:50:10", "250:20:3"]);
    for (regions, sectors, steps) in [(20, 20, 100), (40, 50, 20), (250, 20, 5)] {
        let net = SyntheticTable {
            regions,
            sectors,
            seed: 5,
        }
        .build()
        .unwrap();
        let settings = DynamicSettings {
            mode: Mode::Ario,
            steps,
            ..DynamicSettings::default()
        };
        let name = format!("{}_industries_{steps}_steps", regions * sectors);
        bench(c, "dynamic/dense_ario", name, &net, settings, 0.0);
    }
}

fn sparse(c: &mut Criterion) {
    for nodes in [10_000, 100_000] {
        let net = Synthetic::with_nodes(nodes, 3, 5).build().unwrap();
        let settings = DynamicSettings {
            step: Step::Week,
            steps: 20,
            ..DynamicSettings::default()
        };
        let name = format!("{nodes}_nodes_{}_edges_20_steps", net.edges().len());
        bench(c, "dynamic/sparse_standard", name, &net, settings, 0.5);
    }
}

/// The seed scenario at its medians on the embedded data, a year from week 4.
fn seed() -> (Network, Realization, DynamicSettings) {
    let net = shortfall::data::rare_earths_2024().network;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    let mut r = shortfall::runs::ScenarioFile::read(path)
        .unwrap()
        .scenario
        .median();
    r.start = Some(4.0 / 52.0);
    r.run_length = Some(1.0);
    let settings = DynamicSettings {
        step: Step::Week,
        inventory_days_by_product: [("ndfeb_magnet_dy".to_string(), 14.0)].into(),
        ..DynamicSettings::default()
    };
    (net, r, settings)
}

/// The seed scenario at its medians on the embedded data: 52 weekly steps (the
/// target of docs/performance.md: under 1 ms).
fn seed_year(c: &mut Criterion) {
    let (net, r, settings) = seed();
    let net = &net;
    let engine = Dynamic::new(net, &r, settings).unwrap();
    let mut ws = engine.workspace(net);
    c.bench_function("dynamic/seed_scenario_52_weeks", |b| {
        b.iter(|| engine.run(net, &r, &mut ws).unwrap())
    });
}

/// The market step in time (docs/model.md §7.5) against the same runs without it, back
/// to back: the seed year in weeks, and the sparse 10,000-node chain in 20 weekly steps.
fn market(c: &mut Criterion) {
    let mut g = c.benchmark_group("dynamic/market");
    let (net, r, settings) = seed();
    let chain = Synthetic::with_nodes(10_000, 3, 5).build().unwrap();
    let mut shock = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    shock.mitigation.substitution = 0.5;
    let weekly = DynamicSettings {
        step: Step::Week,
        steps: 20,
        ..DynamicSettings::default()
    };
    for (name, net, r, settings) in [
        ("embedded_52_weeks", &net, r, settings),
        ("generated_10000_20_weeks", &chain, shock, weekly),
    ] {
        for (label, r) in [("off", r.clone()), ("on", common::with_market(net, r))] {
            let engine = Dynamic::new(net, &r, settings.clone()).unwrap();
            let engine = if name.starts_with("generated") {
                let first = net.node(shortfall::network::NodeId(0));
                let (region, product) = (
                    &net.region(first.region).code,
                    &net.product(first.product).id,
                );
                engine
                    .with_loss_path(net, region, product, vec![0.5; 10])
                    .unwrap()
            } else {
                engine
            };
            let mut ws = engine.workspace(net);
            g.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| engine.run(net, &r, &mut ws).unwrap())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, seed_year, dense, sparse, market);
criterion_main!(benches);
