//! Monte Carlo end to end on the embedded data: the seed scenario (scenarios/
//! us_plus8_embargo.toml, eight bloc outcomes, exact statistics and sensitivities), with 1
//! and 2 threads; throughput in draws.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shortfall::montecarlo::run;
use shortfall::runs::ScenarioFile;

fn seed_scenario(c: &mut Criterion) {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let file = ScenarioFile::from_toml(
        include_str!("../scenarios/us_plus8_embargo.toml"),
        "scenarios/us_plus8_embargo.toml",
    )
    .unwrap();
    let draws = 100_000;
    let mut g = c.benchmark_group("montecarlo/seed_scenario");
    g.sample_size(10);
    g.throughput(Throughput::Elements(draws));
    for threads in [1usize, 2] {
        let mut settings = file.monte_carlo.clone();
        settings.draws = draws;
        settings.threads = Some(threads);
        g.bench_with_input(BenchmarkId::new("threads", threads), &settings, |b, s| {
            b.iter(|| run(net, &file.scenario, s, None).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, seed_scenario);
criterion_main!(benches);
