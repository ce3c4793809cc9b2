//! Sampling designs, correlated inputs, streaming statistics and the stopping rule
//! (docs/model.md §6.5-§6.7).

mod support;

use shortfall::montecarlo::{
    run, simulate, spearman, Correlation, Design, Settings, StopRule, SKETCH_ACCURACY,
};
use shortfall::network::toy_chain;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::{Dist, Param, Realization, Restriction, ScenarioSpec, Targets};

/// Five uniform fields on [0, 1] of a scenario, read back by the test engines.
fn five_uniforms() -> ScenarioSpec {
    let u = || {
        Param::Dist(Dist::Uniform {
            low: 0.0,
            high: 1.0,
        })
    };
    let mut spec = ScenarioSpec {
        horizon: Param::Fixed(1.0),
        ..ScenarioSpec::default()
    };
    spec.restrictions.push(Restriction {
        exporters: vec!["X".into()],
        products: vec!["p".into()],
        targets: Targets::List(vec!["Y".into()]),
        severity: u(),
        leakage: u(),
        disposal: Default::default(),
        processing_leakage: u(),
        transit: Default::default(),
        severity_ramp: None,
        leakage_ramp: None,
        content: None,
        timing: None,
    });
    spec.mitigation.stock_release_share = u();
    spec.mitigation.substitution = u();
    spec
}

fn xs(r: &Realization) -> [f64; 5] {
    let x = &r.restrictions[0];
    [
        x.severity,
        x.leakage,
        x.processing_leakage,
        r.mitigation.stock_release_share,
        r.mitigation.substitution,
    ]
}

/// Σ exp(x_i) + 0.1 x1 x2: smooth and mostly additive; its integral over [0,1]^5 is
/// 5 (e - 1) + 0.025.
fn smooth() -> support::Model<impl Fn(&Realization, &mut [f64]) + Sync> {
    support::Model {
        outputs: 1,
        f: |r: &Realization, out: &mut [f64]| {
            let x = xs(r);
            out[0] = x.iter().map(|v| v.exp()).sum::<f64>() + 0.1 * x[0] * x[1];
        },
    }
}

/// Echoes the five uniforms as outcomes.
fn echo5() -> support::Model<impl Fn(&Realization, &mut [f64]) + Sync> {
    support::Model {
        outputs: 5,
        f: |r: &Realization, out: &mut [f64]| out.copy_from_slice(&xs(r)),
    }
}

fn replicate_means(design: Design) -> Vec<f64> {
    let settings = Settings {
        draws: 50 * 1024,
        replicates: Some(50),
        design,
        seed: 11,
        ..Settings::default()
    };
    let sim = simulate(
        &toy_chain(),
        &smooth(),
        &five_uniforms(),
        1,
        support::copy_out,
        &settings,
        None,
    )
    .unwrap();
    sim.replicate_means(0)
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (
        m,
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0),
    )
}

/// N = 1,024 a replicate, 50 replicates: the variance of the mean estimate is below 0.05
/// of plain sampling's with Latin hypercube and below 0.01 with Sobol'; it is above zero
/// (the randomisation is real); the mean of the replicate means is within 4 standard
/// errors of the exact integral.
#[test]
fn designs_reduce_the_variance_of_the_mean_on_a_smooth_function() {
    let truth = 5.0 * (std::f64::consts::E - 1.0) + 0.025;
    let (_, plain) = mean_var(&replicate_means(Design::Plain));
    for (design, bound) in [(Design::LatinHypercube, 0.05), (Design::Sobol, 0.01)] {
        let means = replicate_means(design);
        let (m, v) = mean_var(&means);
        eprintln!(
            "{design:?}: variance ratio {:.2e} (plain variance {plain:.3e})",
            v / plain
        );
        assert!(v < bound * plain, "{design:?}: {v} vs plain {plain}");
        assert!(v > 0.0, "{design:?}: no randomisation");
        assert!(
            (m - truth).abs() < 4.0 * (v / 50.0).sqrt(),
            "{design:?}: {m} vs {truth}"
        );
    }
}

fn correlated(design: Design) -> (Vec<Vec<f64>>, Settings) {
    let settings = Settings {
        draws: 20_000,
        replicates: Some(if design == Design::Plain { 1 } else { 4 }),
        design,
        correlations: vec![
            Correlation {
                a: "restrictions[0].severity".into(),
                b: "restrictions[0].leakage".into(),
                spearman: 0.7,
            },
            Correlation {
                a: "mitigation.stock_release_share".into(),
                b: "mitigation.substitution".into(),
                spearman: -0.4,
            },
        ],
        ..Settings::default()
    };
    let sim = simulate(
        &toy_chain(),
        &echo5(),
        &five_uniforms(),
        5,
        support::copy_out,
        &settings,
        None,
    )
    .unwrap();
    ((0..5).map(|k| sim.outcome(k).collect()).collect(), settings)
}

#[test]
fn the_copula_reproduces_target_spearman_correlations() {
    for design in [Design::Plain, Design::Sobol, Design::LatinHypercube] {
        let (x, _) = correlated(design);
        let r01 = spearman(&x[0], &x[1]).unwrap();
        let r34 = spearman(&x[3], &x[4]).unwrap();
        let r02 = spearman(&x[0], &x[2]).unwrap();
        assert!((r01 - 0.7).abs() < 0.03, "{design:?}: {r01}");
        assert!((r34 + 0.4).abs() < 0.03, "{design:?}: {r34}");
        assert!(r02.abs() < 0.03, "{design:?}: {r02}");
    }
}

/// Iman-Conover only reorders each column: every replicate's draws of every parameter
/// still fall one in each of the N strata.
#[test]
fn latin_hypercube_marginals_stay_stratified_under_iman_conover() {
    let (x, settings) = correlated(Design::LatinHypercube);
    let reps = settings.replicates.unwrap();
    let n = x[0].len() / reps;
    for col in &x {
        for r in 0..reps {
            let mut strata: Vec<usize> = (0..n)
                .map(|i| (col[i * reps + r] * n as f64) as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
    }
}

const TOY: &str = r#"
[scenario]
horizon = { uniform = { low = 0.25, high = 1.0 } }
[[scenario.restrictions]]
exporters = ["CN"]
products = ["oxide", "magnet"]
targets = { list = ["US"] }
severity = { pert = { low = 0.5, mode = 0.8, high = 1.0 } }
[scenario.mitigation]
stock_release_share = { uniform = { low = 0.0, high = 1.0 } }
[monte_carlo]
draws = 20000
seed = 3
[monte_carlo.statistics]
exceed = [0.01, 0.05]
"#;

#[test]
fn streaming_moments_and_exceedances_equal_exact_ones_bitwise_for_any_threads() {
    let net = toy_chain();
    let file = ScenarioFile::from_toml(TOY, "toy.toml").unwrap();
    let exact = run(&net, &file.scenario, &file.monte_carlo, None).unwrap();
    for threads in [1, 2, 4] {
        let settings = Settings {
            streaming: true,
            threads: Some(threads),
            ..file.monte_carlo.clone()
        };
        let streamed = run(&net, &file.scenario, &settings, None).unwrap();
        assert!(streamed.simulation.values.is_empty());
        for (e, s) in exact.outcomes.iter().zip(&streamed.outcomes) {
            assert_eq!(
                (e.count, e.mean, e.sd, e.min, e.max),
                (s.count, s.mean, s.sd, s.min, s.max)
            );
            assert_eq!(e.exceedance, s.exceedance);
            for (qe, qs) in e.quantiles.iter().zip(&s.quantiles) {
                let bound = SKETCH_ACCURACY * qe.value.abs() + 1e-12;
                assert!(
                    (qe.value - qs.value).abs() <= bound,
                    "{}: {} vs {}",
                    e.name,
                    qe.value,
                    qs.value
                );
            }
        }
    }
}

#[test]
fn the_stopping_rule_stops_when_precise_enough_and_refuses_what_it_cannot_extend() {
    let net = toy_chain();
    let file = ScenarioFile::from_toml(TOY, "toy.toml").unwrap();
    let stop = StopRule {
        relative_se: 0.01,
        batch: 5_000,
        max_draws: 200_000,
    };
    let settings = Settings {
        stop: Some(stop.clone()),
        ..file.monte_carlo.clone()
    };
    let r = run(&net, &file.scenario, &settings, None).unwrap();
    assert!(
        r.draws < 200_000 && r.draws.is_multiple_of(5_000),
        "{}",
        r.draws
    );
    for s in &r.outcomes {
        assert!(
            s.se <= 0.01 * s.mean.abs(),
            "{}: {} of {}",
            s.name,
            s.se,
            s.mean
        );
    }
    // The same draws as a run of that length: batches do not change the streams.
    let fixed = Settings {
        draws: r.draws,
        ..file.monte_carlo.clone()
    };
    assert_eq!(
        run(&net, &file.scenario, &fixed, None).unwrap().outcomes,
        r.outcomes
    );
    let lhs = Settings {
        design: Design::LatinHypercube,
        ..settings.clone()
    };
    let err = run(&net, &file.scenario, &lhs, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("Latin hypercube cannot be extended"), "{err}");
    let sobol = Settings {
        design: Design::Sobol,
        draws: 3000,
        ..settings.clone()
    };
    let err = run(&net, &file.scenario, &sobol, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("powers of two"), "{err}");
    let sobol = Settings {
        design: Design::Sobol,
        draws: 1024 * 10,
        replicates: Some(10),
        ..settings
    };
    let r = run(&net, &file.scenario, &sobol, None).unwrap();
    assert!((r.draws / 10).is_power_of_two(), "{}", r.draws);
}

#[test]
fn sobol_limits_are_clear_errors() {
    let net = toy_chain();
    let file = ScenarioFile::from_toml(TOY, "toy.toml").unwrap();
    let too_many = Settings {
        design: Design::Sobol,
        draws: 10 * 70_000,
        replicates: Some(10),
        ..file.monte_carlo.clone()
    };
    let err = run(&net, &file.scenario, &too_many, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 65536"), "{err}");
    let mut wide = five_uniforms();
    for _ in 0..90 {
        let r = wide.restrictions[0].clone();
        wide.restrictions.push(r);
    }
    let settings = Settings {
        design: Design::Sobol,
        draws: 1024,
        replicates: Some(1),
        ..Settings::default()
    };
    let err = simulate(&net, &echo5(), &wide, 5, support::copy_out, &settings, None).unwrap_err();
    assert!(err.to_string().contains("at most 256"), "{err}");
}

#[test]
fn bad_correlations_are_refused() {
    let net = toy_chain();
    let bad = |a: &str, b: &str, r: f64| Settings {
        correlations: vec![Correlation {
            a: a.into(),
            b: b.into(),
            spearman: r,
        }],
        draws: 100,
        ..Settings::default()
    };
    let run_with = |s: Settings| {
        simulate(
            &net,
            &echo5(),
            &five_uniforms(),
            5,
            support::copy_out,
            &s,
            None,
        )
    };
    let err = run_with(bad("horizon", "mitigation.substitution", 0.5))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an uncertain field"), "{err}");
    let err = run_with(bad(
        "mitigation.substitution",
        "mitigation.substitution",
        0.5,
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("two different fields"), "{err}");
    // Three pairwise correlations that no matrix can have.
    let s = Settings {
        correlations: vec![
            Correlation {
                a: "restrictions[0].severity".into(),
                b: "restrictions[0].leakage".into(),
                spearman: 0.95,
            },
            Correlation {
                a: "restrictions[0].leakage".into(),
                b: "mitigation.substitution".into(),
                spearman: 0.95,
            },
            Correlation {
                a: "restrictions[0].severity".into(),
                b: "mitigation.substitution".into(),
                spearman: -0.95,
            },
        ],
        draws: 100,
        ..Settings::default()
    };
    assert!(run_with(s)
        .unwrap_err()
        .to_string()
        .contains("positive definite"));
}
