//! A Monte Carlo of the dynamic engine on a dense table of 5,000 industries (250 regions x
//! 20 sectors, `SyntheticTable`), ario mode, 365 daily steps a run: times `--draws` runs on
//! one thread and on two, checks the two give the same bits, and extrapolates to 1,000
//! runs (docs/performance.md, issue 23).
//!
//!     cargo run --release --example large_table_mc -- --draws 20
//!
//! Each run: one industry loses a share of capacity drawn from uniform(0.2, 0.6) for a
//! quarter from day 10; the outcomes are every region's output lost over the year.

use std::time::Instant;

use shortfall::engine::{Dynamic, DynamicSettings, DynamicWorkspace, Mode};
use shortfall::montecarlo::{simulate, Settings};
use shortfall::network::SyntheticTable;
use shortfall::scenario::{CapacityLoss, Dist, Param, ScenarioSpec};

fn main() -> shortfall::Result<()> {
    let mut draws = 20u64;
    let mut sizes = (250usize, 20usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--draws" => draws = args.next().and_then(|v| v.parse().ok()).unwrap_or(draws),
            "--regions" => sizes.0 = args.next().and_then(|v| v.parse().ok()).unwrap_or(sizes.0),
            "--sectors" => sizes.1 = args.next().and_then(|v| v.parse().ok()).unwrap_or(sizes.1),
            other => {
                eprintln!("unknown argument {other}: --draws N --regions R --sectors S");
                std::process::exit(2);
            }
        }
    }
    let t = Instant::now();
    let net = SyntheticTable {
        regions: sizes.0,
        sectors: sizes.1,
        seed: 5,
    }
    .build()?;
    let n = net.nodes().len();
    println!(
        "table: {n} industries, {} edges, built in {:.1} s",
        net.edges().len(),
        t.elapsed().as_secs_f64()
    );
    let mut spec = ScenarioSpec {
        horizon: Param::Fixed(0.25),
        start: Some(Param::Fixed(10.0 / 365.0)),
        run_length: Some(1.0),
        ..ScenarioSpec::default()
    };
    spec.capacity_losses.push(CapacityLoss {
        region: "R0".into(),
        product: "s0".into(),
        item: Default::default(),
        share: Param::Dist(Dist::Uniform {
            low: 0.2,
            high: 0.6,
        }),
    });
    let settings = DynamicSettings {
        mode: Mode::Ario,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &spec.median(), settings)?;
    let steps = engine.steps();
    let regions = net.regions().len();
    let extract = |ws: &DynamicWorkspace, out: &mut [f64]| {
        let o = ws.outcome();
        out.fill(0.0);
        for node in net.node_ids() {
            let r = net.node(node).region.index();
            let base = o.output(node, 0);
            for t in 0..steps {
                out[r] += base - o.output(node, t);
            }
        }
    };
    let mut runs = Vec::new();
    for threads in [1, 2] {
        let mc = Settings {
            draws,
            seed: 23,
            threads: Some(threads),
            ..Settings::default()
        };
        let t = Instant::now();
        let sim = simulate(&net, &engine, &spec, regions, extract, &mc, None)?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{threads} thread(s): {draws} runs of {steps} steps in {secs:.1} s, {:.1} ms a step; \
             1,000 runs: {:.2} h",
            secs / (draws as f64 * steps as f64) * 1e3,
            secs / draws as f64 * 1000.0 / 3600.0
        );
        runs.push(sim);
    }
    let bits = |i: usize| -> Vec<u64> {
        (0..regions)
            .flat_map(|k| runs[i].outcome(k).map(f64::to_bits).collect::<Vec<_>>())
            .collect()
    };
    let same = bits(0) == bits(1);
    println!("1 and 2 threads give the same bits: {same}");
    if !same {
        std::process::exit(1);
    }
    Ok(())
}
