//! Fixed workloads for instruction counts (docs/performance.md): on a shared, noisy
//! machine, `valgrind --tool=cachegrind --cache-sim=no` counts the instructions of one
//! workload exactly, so two commits compare to a fraction of a percent where timings
//! scatter by tens of percent.
//!
//! ```sh
//! cargo build --release --example bench_probe
//! valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
//!     target/release/examples/bench_probe cascade
//! ```
//!
//! Workloads: `cascade` (2,000 static runs of the seed scenario at its medians),
//! `market` (the same runs with the benches' market step, docs/model.md §7.1),
//! `dynamic` (100 runs of it in weeks over a year), `montecarlo` (5,000 draws, one
//! thread), `build` (a 2,000-industry synthetic table), `dense` (that table and two ARIO
//! runs of 20 steps).

use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode, StaticCascade, Step};
use shortfall::network::SyntheticTable;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Realization;

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    let Some(which) = std::env::args().nth(1) else {
        eprintln!("usage: bench_probe cascade|market|dynamic|montecarlo|build|dense");
        std::process::exit(2);
    };
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let file = ScenarioFile::named("us_plus8_embargo").unwrap();
    let r = file.scenario.median();
    match which.as_str() {
        "cascade" => {
            let e = StaticCascade::new(net, &r).unwrap();
            let mut ws = e.workspace(net);
            for _ in 0..2000 {
                e.run(net, &r, &mut ws).unwrap();
            }
        }
        "market" => {
            let r = common::with_market(net, r);
            let e = StaticCascade::new(net, &r).unwrap();
            let mut ws = e.workspace(net);
            for _ in 0..2000 {
                e.run(net, &r, &mut ws).unwrap();
            }
        }
        "dynamic" => {
            let mut r = r.clone();
            r.run_length = Some(1.0);
            let s = DynamicSettings {
                step: Step::Week,
                ..DynamicSettings::default()
            };
            let e = Dynamic::new(net, &r, s).unwrap();
            let mut ws = e.workspace(net);
            for _ in 0..100 {
                e.run(net, &r, &mut ws).unwrap();
            }
        }
        "dense" => {
            let t = dense_table();
            let none = Realization {
                horizon: 1.0,
                ..Realization::default()
            };
            let e = Dynamic::new(
                &t,
                &none,
                DynamicSettings {
                    mode: Mode::Ario,
                    steps: 20,
                    ..DynamicSettings::default()
                },
            )
            .unwrap();
            let mut ws = e.workspace(&t);
            for _ in 0..2 {
                e.run(&t, &none, &mut ws).unwrap();
            }
        }
        "montecarlo" => {
            let mut s = file.monte_carlo.clone();
            s.draws = 5000;
            s.threads = Some(1);
            shortfall::montecarlo::run(net, &file.scenario, &s, None).unwrap();
        }
        "build" => {
            let t = dense_table();
            assert!(!t.edges().is_empty());
        }
        other => {
            eprintln!(
                "unknown workload `{other}`: cascade, market, dynamic, montecarlo, build or dense"
            );
            std::process::exit(2);
        }
    }
}

/// The 2,000-industry synthetic table of the `build` and `dense` workloads.
fn dense_table() -> shortfall::network::Network {
    SyntheticTable {
        regions: 40,
        sectors: 50,
        seed: 5,
    }
    .build()
    .unwrap()
}
