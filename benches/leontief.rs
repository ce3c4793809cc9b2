//! The dense LU of the Leontief system (docs/model.md §2.5) on generated dense tables of
//! 2,000 and 5,000 industries: the factorization, the inverse (factorization included)
//! and a solve with existing factors; numpy/OpenBLAS timed in the same run when
//! `SHORTFALL_PEER_PYTHON` is set (scripts/numpy_lu_timing.py; docs/performance.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use shortfall::metrics::Leontief;
use shortfall::network::SyntheticTable;

mod common;

fn leontief(c: &mut Criterion) {
    common::time_peer("numpy_lu_timing.py", &["2000", "5000"]);
    for (regions, sectors) in [(40, 50), (250, 20)] {
        let net = SyntheticTable {
            regions,
            sectors,
            seed: 5,
        }
        .build()
        .unwrap();
        let n = regions * sectors;
        let y = Leontief::final_demand(&net);
        let mut g = c.benchmark_group("leontief");
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("factor", n), |b| {
            b.iter(|| Leontief::new(&net).unwrap())
        });
        g.bench_function(BenchmarkId::new("inverse", n), |b| {
            b.iter(|| Leontief::new(&net).unwrap().inverse())
        });
        let system = Leontief::new(&net).unwrap();
        g.bench_function(BenchmarkId::new("solve", n), |b| {
            b.iter(|| system.output(&y).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, leontief);
criterion_main!(benches);
