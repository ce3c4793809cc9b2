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

/// The first edition of the data and its seed scenario (tests/fixtures), on which the
/// step-size property below was declared.
fn first_edition() -> (Network, Realization) {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rare_earths_2024_first_edition"
    );
    let net = shortfall::data::read_folder(dir).unwrap().network;
    let file = ScenarioFile::read(format!("{dir}/us_plus8_embargo.toml")).unwrap();
    (net, file.scenario.median())
}

/// One fixed realization (parameter medians; the restriction from day 28 for 168 days, a
/// run of 364 days, so every step divides them).
fn fixed(mut r: Realization) -> Realization {
    r.horizon = 168.0 / 365.0;
    r.start = Some(28.0 / 365.0);
    r.run_length = Some(364.0 / 365.0);
    r
}

/// Design §5's step-size test, as declared on the first edition of the data: one fixed
/// realization of the seed scenario, at the largest step the data allow (half the shortest
/// cover: 28 days with 56-day covers) and at half of it: each bloc member's cumulative
/// final-use shortfall per product differs by less than 2% of the bloc's total for that
/// product. On the revised data it fails (docs/model.md §5.9,
/// `counterexample_the_revised_chain_needs_short_steps`).
#[test]
fn halving_the_step_moves_each_members_shortfall_by_less_than_two_percent_of_the_blocs() {
    let (net, r) = first_edition();
    let net = &net;
    let r = fixed(r);
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

/// Named counterexample (docs/model.md §5.9): on the revised data (a deeper chain: alloy,
/// two grades, each use taking both) the same fixed realization's error is first order in
/// the step with a large constant: the US's EV-motor shortfall at 28, 14, 7, 3.5 and 1 days
/// is about 61, 108, 132, 145 and 154 thousand motors. The 2% property fails at 28 and 14
/// days; what holds is convergence: each halving moves the figure by less than two thirds
/// of the move before, and at the seed's weekly step the figure is within 15% of the
/// daily one.
#[test]
fn counterexample_the_revised_chain_needs_short_steps() {
    let data = rare_earths_2024();
    let net = &data.network;
    let r = fixed(seed());
    let us = net.require_region("US").unwrap();
    let ev = net.require_product("ev_motor").unwrap();
    let at = |days: f64| {
        let settings = DynamicSettings {
            step: Step::Days(days),
            inventory_days: 56.0,
            ..DynamicSettings::default()
        };
        run(net, &r, settings).cumulative_final_shortfall(us, ev)
    };
    let v: Vec<f64> = [28.0, 14.0, 7.0, 3.5, 1.0].iter().map(|&d| at(d)).collect();
    let bloc_share = (v[1] - v[0]) / v[4];
    assert!(bloc_share > 0.02, "the 2% property holds again: {v:?}");
    for w in v.windows(3).take(2) {
        let (first, second) = (w[1] - w[0], w[2] - w[1]);
        assert!(
            first > 0.0 && second > 0.0 && second < 2.0 / 3.0 * first,
            "{v:?}"
        );
    }
    assert!((v[4] - v[2]) / v[4] < 0.15, "{v:?}");
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
            ..Paths::new(Targets::Bloc("US+8".into()), "ndfeb_magnet_dy")
        };
        run_paths(&data.network, &spec, &dynamic, &settings, &paths).unwrap()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    assert_eq!(one.fan.len(), 52);
    assert_eq!(one.members.len(), 9);
    assert_eq!(one.cumulative.len(), 10);
    // An empty inventory is below ψ of its target too: never more likely, never earlier.
    for (c, e) in one.input_constrained.iter().zip(&one.inventory_empty) {
        assert!(
            e.events <= c.events,
            "{} empty, {} constrained",
            e.events,
            c.events
        );
    }
    assert!(
        (one.cover_left_days - 0.8 * 90.0).abs() < 1e-12,
        "ψ x the 90-day default"
    );
    for c in one
        .input_constrained
        .iter()
        .chain(&one.inventory_empty)
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
