//! Building networks: the toy chain through the builder, and generated networks.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shortfall::network::{toy_tables, Builder, Synthetic};

fn build(c: &mut Criterion) {
    c.bench_function("builder/toy_chain", |b| {
        let tables = toy_tables();
        b.iter(|| Builder::new(tables.clone()).build().unwrap())
    });
    let mut g = c.benchmark_group("generator");
    g.sample_size(10);
    for nodes in [1_000usize, 10_000] {
        let s = Synthetic::with_nodes(nodes, 20, 1);
        g.throughput(Throughput::Elements(nodes as u64));
        g.bench_with_input(BenchmarkId::from_parameter(nodes), &s, |b, s| {
            b.iter(|| s.build().unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, build);
criterion_main!(benches);
