//! The static cascade: one evaluation on the embedded data, and on generated networks of
//! 1,000, 10,000 and 100,000 nodes with 20 suppliers per input (throughput in edges).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shortfall::engine::{Engine, StaticCascade};
use shortfall::network::Synthetic;
use shortfall::scenario::{Disposal, Realization, Restriction, Targets};

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

fn generated(c: &mut Criterion) {
    let mut g = c.benchmark_group("cascade/generated");
    g.sample_size(10);
    for nodes in [1_000usize, 10_000, 100_000] {
        let net = Synthetic::with_nodes(nodes, 20, 3).build().unwrap();
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
        let engine = StaticCascade::new(&net, &r).unwrap();
        let mut ws = engine.workspace(&net);
        g.throughput(Throughput::Elements(net.edges().len() as u64));
        g.bench_function(BenchmarkId::from_parameter(nodes), |b| {
            b.iter(|| engine.run(&net, &r, &mut ws).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, embedded, generated);
criterion_main!(benches);
