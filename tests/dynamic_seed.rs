//! The dynamic engine on the seed scenario and the embedded data (docs/model.md §5.9).

mod support;

use shortfall::data::rare_earths_2024;
use shortfall::engine::{Dynamic, DynamicOutcome, DynamicSettings, Step};
use shortfall::network::{Network, US_PLUS_8};
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Realization;

fn seed() -> Realization {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    ScenarioFile::read(path).unwrap().scenario.median()
}

fn run(net: &Network, r: &Realization, settings: DynamicSettings) -> DynamicOutcome {
    let engine = Dynamic::new(net, r, settings).unwrap();
    support::run_dynamic(&engine, net, r)
}

/// Design §5's step-size test: one fixed realization of the seed scenario (parameter
/// medians; the restriction from day 28 for 168 days, a run of 364 days, so both steps
/// divide them), at the largest step the data allow (half the shortest cover: 28 days
/// with 56-day covers) and at half of it: each bloc member's cumulative final-use
/// shortfall per product differs by less than 2% of the bloc's total for that product.
#[test]
fn halving_the_step_moves_each_members_shortfall_by_less_than_two_percent_of_the_blocs() {
    let data = rare_earths_2024();
    let net = &data.network;
    let mut r = seed();
    r.horizon = 168.0 / 365.0;
    r.start = Some(28.0 / 365.0);
    r.run_length = Some(364.0 / 365.0);
    let at = |days: f64| {
        let settings = DynamicSettings {
            step: Step::Days(days),
            inventory_days: 56.0,
            ..DynamicSettings::default()
        };
        run(net, &r, settings)
    };
    let (coarse, fine) = (at(28.0), at(14.0));
    assert!(matches!(
        Dynamic::new(
            net,
            &r,
            DynamicSettings {
                step: Step::Days(28.5),
                inventory_days: 56.0,
                ..DynamicSettings::default()
            }
        ),
        Err(shortfall::Error::StepTooLong { .. })
    ));
    let members: Vec<_> = US_PLUS_8.iter().filter_map(|c| net.region_id(c)).collect();
    let mut compared = 0;
    for (k, product) in net.products().iter().enumerate() {
        if !product.final_use {
            continue;
        }
        let p = shortfall::network::ProductId(k as u32);
        let total: f64 = members
            .iter()
            .map(|&m| coarse.cumulative_final_shortfall(m, p))
            .sum();
        if total <= 0.0 {
            continue;
        }
        for &m in &members {
            let (a, b) = (
                coarse.cumulative_final_shortfall(m, p),
                fine.cumulative_final_shortfall(m, p),
            );
            assert!(
                (a - b).abs() < 0.02 * total,
                "{} {}: {a} at 28 days, {b} at 14 days; bloc total {total}",
                net.region(m).code,
                product.id
            );
            compared += 1;
        }
    }
    assert!(
        compared >= 9,
        "the seed scenario leaves final-use shortfalls in the bloc"
    );
}

/// Monte Carlo over paths (docs/model.md §5.10): the same results for any thread count,
/// censored outcomes within [0, 1] with their intervals, and an atomic write.
#[test]
fn paths_under_monte_carlo_are_reproducible_and_write() {
    use shortfall::montecarlo::{run_paths, Paths, Settings};
    use shortfall::scenario::{Param, Targets};
    let data = rare_earths_2024();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    let mut spec = ScenarioFile::read(path).unwrap().scenario;
    spec.start = Some(Param::Fixed(4.0 / 52.0));
    spec.run_length = Some(1.0);
    let dynamic = DynamicSettings {
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let run = |threads| {
        let settings = Settings {
            draws: 300,
            seed: 7,
            threads: Some(threads),
            ..Settings::default()
        };
        let paths = Paths {
            stoppage_cover_days: Some(14.0),
            ..Paths::new(Targets::Bloc("US+8".into()), "ndfeb_magnet")
        };
        run_paths(&data.network, &spec, &dynamic, &settings, &paths).unwrap()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    assert_eq!(one.fan.len(), 52);
    assert_eq!(one.members.len(), 9);
    assert_eq!(one.cumulative.len(), 10);
    for c in one
        .run_out
        .iter()
        .chain(&one.stock_out)
        .chain(&one.recovery)
        .chain(&one.first_stoppage)
    {
        assert_eq!(c.count, 300);
        assert!((0.0..=1.0).contains(&c.probability));
        assert!(c.ci.0 <= c.probability && c.probability <= c.ci.1);
        assert_eq!(c.given.is_some(), c.events > 0);
    }
    // Before the restriction starts (week 5) the bloc lacks nothing
    // (to rounding: the bloc's magnet use is some 500 t a week)
    assert!(one.fan[..4].iter().all(|s| s.p95 < 1e-9 * 500.0));
    assert!(one.fan[10].p50 > 0.0);
    let dir = std::env::temp_dir();
    for name in ["paths.json", "paths.csv"] {
        let file = dir.join(format!("shortfall-test-{}-{name}", std::process::id()));
        one.write(&file).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().contains("US"));
        std::fs::remove_file(&file).unwrap();
    }
}
