//! The static cascade: one evaluation on the embedded data, and on generated networks of
//! 1,000, 10,000 and 100,000 nodes with 20 suppliers per input (throughput in edges); and
//! the market step (docs/model.md §7.1) beside the same runs without it.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shortfall::engine::{Engine, StaticCascade};
use shortfall::network::Network;
use shortfall::network::Synthetic;
use shortfall::scenario::{Disposal, Realization, Restriction, Targets};

mod common;
use common::with_market;

fn seed_case() -> Realization {
    let mut r = Realization {
        horizon: 0.25,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["ndpr_oxide", "dytb_oxide", "ndpr_metal", "ndfeb_magnet_dy"],
            Targets::Bloc("US+8".into()),
        )],
        ..Realization::default()
    };
    r.mitigation.stock_release_share = 0.5;
    r.mitigation.substitution = 0.5;
    r
}

fn embedded(c: &mut Criterion) {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let r = seed_case();
    let engine = StaticCascade::new(net, &r).unwrap();
    let mut ws = engine.workspace(net);
    c.bench_function("cascade/embedded_seed_case", |b| {
        b.iter(|| engine.run(net, &r, &mut ws).unwrap())
    });
}

fn generated_case(net: &Network) -> Realization {
    let targets = (1..net.regions().len())
        .step_by(2)
        .map(|i| format!("R{i}"))
        .collect();
    let mut cut = Restriction::full(
        ["R0", "R2", "R4"],
        ["p0", "p3", "p6"],
        Targets::List(targets),
    );
    cut.severity = 0.8;
    cut.disposal = Disposal::Divert;
    cut.processing_leakage = 0.3;
    let mut r = Realization {
        horizon: 0.5,
        restrictions: vec![cut],
        ..Realization::default()
    };
    r.mitigation.stock_release_share = 0.5;
    r.mitigation.substitution = 0.5;
    r
}

fn generated(c: &mut Criterion) {
    let mut g = c.benchmark_group("cascade/generated");
    g.sample_size(10);
    for nodes in [1_000usize, 10_000, 100_000] {
        let net = Synthetic::with_nodes(nodes, 20, 3).build().unwrap();
        let r = generated_case(&net);
        let engine = StaticCascade::new(&net, &r).unwrap();
        let mut ws = engine.workspace(&net);
        g.throughput(Throughput::Elements(net.edges().len() as u64));
        g.bench_function(BenchmarkId::from_parameter(nodes), |b| {
            b.iter(|| engine.run(&net, &r, &mut ws).unwrap())
        });
    }
    g.finish();
}

/// The market step against the same run without it, back to back (docs/performance.md).
fn market(c: &mut Criterion) {
    let mut g = c.benchmark_group("cascade/market");
    let data = shortfall::data::rare_earths_2024();
    let generated_net = Synthetic::with_nodes(10_000, 20, 3).build().unwrap();
    let cases = [
        ("embedded", &data.network, seed_case()),
        (
            "generated_10000",
            &generated_net,
            generated_case(&generated_net),
        ),
    ];
    for (name, net, r) in cases {
        if name != "embedded" {
            g.sample_size(10);
        }
        for (label, r) in [("off", r.clone()), ("on", with_market(net, r))] {
            let engine = StaticCascade::new(net, &r).unwrap();
            let mut ws = engine.workspace(net);
            g.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| engine.run(net, &r, &mut ws).unwrap())
            });
        }
    }
    g.finish();
}

/// The bridge to GDP (docs/model.md §7.4): the seed case over a year, then the embedded
/// 72-industry table in 52 weekly steps.
fn bridge(c: &mut Criterion) {
    use shortfall::engine::{BridgeSpec, Bridged, DynamicSettings, Mode, Step};
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let mut r = seed_case();
    r.horizon = 1.0;
    let table = shortfall::data::mrio_2022().unwrap();
    let settings = DynamicSettings {
        mode: Mode::Ario,
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let spec = BridgeSpec::mrio_2022().unwrap();
    let engine = Bridged::new(net, &r, &table, &spec, settings, 1.0).unwrap();
    let mut ws = engine.workspace(net);
    c.bench_function("bridge/seed_year", |b| {
        b.iter(|| engine.run(net, &r, &mut ws).unwrap())
    });
}

criterion_group!(benches, embedded, generated, market, bridge);
criterion_main!(benches);
