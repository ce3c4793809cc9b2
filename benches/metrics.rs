//! Metrics: everything on the embedded data, and traced content on generated acyclic
//! networks of 10,000 and 100,000 nodes with 20 suppliers per input.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shortfall::metrics::{
    content, content_by_origin, touched_by, touched_by_content, ConcentrationTable, DependenceTable,
};
use shortfall::network::{Bloc, ProductId, RegionId, Synthetic};

fn embedded(c: &mut Criterion) {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let bloc = Bloc::us_plus_8().resolve(net).unwrap();
    let china = net.require_region("CN").unwrap();
    let products: Vec<ProductId> = ["ndpr_oxide", "dytb_oxide", "ndpr_metal", "ndfeb_magnet_dy"]
        .iter()
        .map(|p| net.require_product(p).unwrap())
        .collect();
    let ore = net.require_product("re_ore_light").unwrap();
    c.bench_function("metrics/embedded_all", |b| {
        b.iter(|| {
            let concentration = ConcentrationTable::of(net);
            let dependence = DependenceTable::of(net, &bloc, &products, china);
            let traced = content_by_origin(net, ore).unwrap();
            let weighted = touched_by_content(net, china, ore);
            (concentration, dependence, traced, weighted)
        })
    });
}

fn traced(c: &mut Criterion) {
    let mut g = c.benchmark_group("traced");
    g.sample_size(10);
    for nodes in [10_000usize, 100_000] {
        let net = Synthetic::with_nodes(nodes, 20, 7).build().unwrap();
        let edges = net.edges().len() as u64;
        g.throughput(Throughput::Elements(edges));
        g.bench_with_input(
            BenchmarkId::new("content_one_origin", nodes),
            &net,
            |b, net| b.iter(|| content(net, ProductId(0), Some(RegionId(0)))),
        );
        g.bench_with_input(BenchmarkId::new("touched_by", nodes), &net, |b, net| {
            b.iter(|| touched_by(net, RegionId(0)))
        });
        if nodes == 10_000 {
            g.throughput(Throughput::Elements(edges * net.regions().len() as u64));
            g.bench_with_input(
                BenchmarkId::new("content_by_origin", nodes),
                &net,
                |b, net| b.iter(|| content_by_origin(net, ProductId(0)).unwrap()),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, embedded, traced);
criterion_main!(benches);
