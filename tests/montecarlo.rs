//! Monte Carlo: reproducibility across thread counts, stream independence, statistics
//! against known truths, rank sensitivities, and errors with field paths.

mod support;

use shortfall::montecarlo::{
    prcc, run, simulate, spearman, summarise, Settings, StatisticsSettings,
};
use shortfall::network::toy_chain;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::{Dist, Param, Realization, ScenarioSpec};
use statrs::distribution::{Beta, ContinuousCDF};

const TOY: &str = r#"
[scenario]
name = "toy embargo"
horizon = { uniform = { low = 0.25, high = 1.0 } }

[[scenario.restrictions]]
exporters = ["CN"]
products = ["oxide", "magnet"]
targets = { list = ["US"] }
severity = { pert = { low = 0.5, mode = 0.8, high = 1.0 } }
leakage = { beta = { alpha = 2, beta = 8 } }
disposal = "divert"
processing_leakage = 0.2

[scenario.mitigation]
stock_release_share = { uniform = { low = 0.0, high = 1.0 } }
substitution = { triangular = { low = 0.0, mode = 0.2, high = 1.0 } }

[scenario.perturbation]
headroom = { lognormal = { mu = 0.0, sigma = 0.4 } }

[monte_carlo]
draws = 10000
seed = 7
"#;

fn toy_file() -> ScenarioFile {
    ScenarioFile::from_toml(TOY, "toy.toml").unwrap()
}

#[test]
fn results_are_bitwise_identical_for_1_2_and_4_threads() {
    let net = toy_chain();
    let file = toy_file();
    let mut runs = Vec::new();
    for threads in [1, 2, 4] {
        let settings = Settings {
            threads: Some(threads),
            ..file.monte_carlo.clone()
        };
        runs.push(run(&net, &file.scenario, &settings, None).unwrap());
    }
    for r in &runs[1..] {
        assert_eq!(r.simulation.values, runs[0].simulation.values);
        assert_eq!(r.simulation.param_values, runs[0].simulation.param_values);
        assert_eq!(r.outcomes, runs[0].outcomes);
        assert_eq!(r.sensitivity, runs[0].sensitivity);
    }
    // The draws are not degenerate.
    assert!(runs[0].outcomes.iter().any(|s| s.sd > 0.0));
}

/// Adding an uncertain parameter leaves every other parameter's draws unchanged (plain
/// sampling: each parameter has its own stream keyed by its path).
#[test]
fn adding_a_parameter_leaves_the_others_draws_unchanged() {
    let net = toy_chain();
    let mut file = toy_file();
    file.monte_carlo.draws = 3000;
    let before = run(&net, &file.scenario, &file.monte_carlo, None).unwrap();
    file.scenario.mitigation.deferrable = Param::Dist(Dist::Uniform {
        low: 0.0,
        high: 0.5,
    });
    let after = run(&net, &file.scenario, &file.monte_carlo, None).unwrap();
    assert_eq!(
        after.simulation.params.len(),
        before.simulation.params.len() + 1
    );
    for (j, path) in before.simulation.params.iter().enumerate() {
        let k = after
            .simulation
            .params
            .iter()
            .position(|p| p == path)
            .unwrap();
        let a: Vec<f64> = before.simulation.param(j).collect();
        let b: Vec<f64> = after.simulation.param(k).collect();
        assert_eq!(a, b, "{path}");
    }
}

/// A test model whose outcome is the substitution share it is given.
fn echo() -> support::Model<impl Fn(&Realization, &mut [f64]) + Sync> {
    support::Model {
        outputs: 1,
        f: |r: &Realization, out: &mut [f64]| out[0] = r.mitigation.substitution,
    }
}

fn beta_spec() -> ScenarioSpec {
    let mut spec = ScenarioSpec {
        horizon: Param::Fixed(1.0),
        ..ScenarioSpec::default()
    };
    spec.mitigation.substitution = Param::Dist(Dist::Beta {
        alpha: 2.0,
        beta: 5.0,
    });
    spec
}

/// Over 200 seeds of 10,000 draws of Beta(2, 5), the 95% intervals for the mean, P95 and
/// CVaR(0.95) each cover the truth in 181 to 199 runs.
#[test]
fn intervals_cover_the_truth_of_a_beta_2_5() {
    let net = toy_chain();
    let spec = beta_spec();
    let truth_mean = 2.0 / 7.0;
    let q95 = Beta::new(2.0, 5.0).unwrap().inverse_cdf(0.95);
    // E[X; X > q] for Beta(2,5) is E[X] (1 - I_q(3, 5)).
    let truth_cvar = truth_mean * (1.0 - Beta::new(3.0, 5.0).unwrap().cdf(q95)) / 0.05;
    let stats = StatisticsSettings {
        quantiles: vec![0.95],
        ..StatisticsSettings::default()
    };
    let (mut mean_hits, mut p95_hits, mut cvar_hits) = (0, 0, 0);
    for seed in 0..200 {
        let settings = Settings {
            draws: 10_000,
            seed,
            threads: Some(2),
            ..Settings::default()
        };
        let sim = simulate(&net, &echo(), &spec, 1, support::copy_out, &settings, None).unwrap();
        let draws: Vec<f64> = sim.outcome(0).collect();
        let s = summarise("x", "", &draws, &stats);
        mean_hits += usize::from(s.mean_ci.0 <= truth_mean && truth_mean <= s.mean_ci.1);
        let q = s.quantiles[0];
        p95_hits += usize::from(q.ci.0 <= q95 && q95 <= q.ci.1);
        cvar_hits += usize::from(s.cvar.ci.0 <= truth_cvar && truth_cvar <= s.cvar.ci.1);
    }
    eprintln!("coverage over 200 runs: mean {mean_hits}, P95 {p95_hits}, CVaR {cvar_hits}");
    for (what, hits) in [("mean", mean_hits), ("P95", p95_hits), ("CVaR", cvar_hits)] {
        assert!((181..=199).contains(&hits), "{what}: {hits} of 200");
    }
}

/// An outcome that depends on one parameter only (a rising function with a small wiggle,
/// so that ranks are not identical and PRCC is defined): rank correlation near one with
/// it, near zero with the others.
#[test]
fn rank_sensitivities_find_the_one_parameter_that_matters() {
    let net = toy_chain();
    let mut spec = beta_spec();
    spec.mitigation.stock_release_share = Param::Dist(Dist::Uniform {
        low: 0.0,
        high: 1.0,
    });
    spec.mitigation.deferrable = Param::Dist(Dist::Uniform {
        low: 0.0,
        high: 0.5,
    });
    let settings = Settings {
        draws: 10_000,
        ..Settings::default()
    };
    let model = support::Model {
        outputs: 1,
        f: |r: &Realization, out: &mut [f64]| {
            let s = r.mitigation.substitution;
            out[0] = s + 0.02 * (1e4 * s).sin();
        },
    };
    let sim = simulate(&net, &model, &spec, 1, support::copy_out, &settings, None).unwrap();
    let y: Vec<f64> = sim.outcome(0).collect();
    let params: Vec<Vec<f64>> = (0..sim.params.len())
        .map(|j| sim.param(j).collect())
        .collect();
    let partial = prcc(&params, &y);
    for (j, path) in sim.params.iter().enumerate() {
        let r = spearman(&params[j], &y).unwrap();
        let p = partial[j].unwrap();
        if path.to_string() == "mitigation.substitution" {
            assert!(r > 0.95 && p > 0.95, "{path}: {r}, {p}");
        } else {
            assert!(r.abs() < 0.05 && p.abs() < 0.05, "{path}: {r}, {p}");
        }
    }
}

fn error_of(toml: &str) -> String {
    ScenarioFile::from_toml(toml, "bad.toml")
        .unwrap_err()
        .to_string()
}

#[test]
fn a_bad_distribution_parameter_names_its_path() {
    let bad = TOY.replace("alpha = 2, beta = 8", "alpha = -2, beta = 8");
    let err = error_of(&bad);
    assert!(
        err.contains("scenario.restrictions[0].leakage.beta.alpha"),
        "{err}"
    );
    assert!(err.contains("bad.toml"), "{err}");
}

#[test]
fn a_support_outside_the_domain_is_refused_with_a_suggestion() {
    let bad = TOY.replace(
        "severity = { pert = { low = 0.5, mode = 0.8, high = 1.0 } }",
        "severity = { normal = { mean = 0.8, sd = 0.1 } }",
    );
    let err = error_of(&bad);
    assert!(err.contains("scenario.restrictions[0].severity"), "{err}");
    assert!(
        err.contains("beta") && err.contains("truncated_normal"),
        "{err}"
    );
    let bad = TOY.replace("high = 1.0 } }\nleakage", "high = 1.2 } }\nleakage");
    assert!(error_of(&bad).contains("restrictions[0].severity"));
}

#[test]
fn a_missing_or_unknown_field_names_its_path() {
    let missing = TOY.replace("exporters = [\"CN\"]\n", "");
    let err = error_of(&missing);
    assert!(
        err.contains("scenario.restrictions[0]") && err.contains("exporters"),
        "{err}"
    );
    let unknown = TOY.replace(
        "disposal = \"divert\"",
        "disposal = \"divert\"\nsevrity = 1",
    );
    let err = error_of(&unknown);
    assert!(err.contains("sevrity"), "{err}");
    let bad_dist = TOY.replace(
        "{ beta = { alpha = 2, beta = 8 } }",
        "{ bta = { alpha = 2 } }",
    );
    let err = error_of(&bad_dist);
    assert!(
        err.contains("scenario.restrictions[0].leakage") && err.contains("bta"),
        "{err}"
    );
}

#[test]
fn json_scenarios_read_like_toml() {
    let file = toy_file();
    let json = serde_json::to_string(&file).unwrap();
    let back = ScenarioFile::from_json(&json, "toy.json").unwrap();
    assert_eq!(back, file);
}

#[test]
fn results_write_atomically_as_json_and_csv() {
    let net = toy_chain();
    let mut file = toy_file();
    file.monte_carlo.draws = 500;
    let results = run(&net, &file.scenario, &file.monte_carlo, None).unwrap();
    let dir = std::env::temp_dir().join(format!("shortfall-mc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    results.write(dir.join("r.json")).unwrap();
    results.write(dir.join("r.csv")).unwrap();
    let json = std::fs::read_to_string(dir.join("r.json")).unwrap();
    assert!(json.contains("\"seed\": 7"), "{json}");
    let csv = std::fs::read_to_string(dir.join("r.csv")).unwrap();
    assert!(csv.starts_with("outcome,unit,mean"), "{csv}");
    assert!(results.write(dir.join("r.txt")).is_err());
    let leftovers = std::fs::read_dir(&dir).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")
    });
    assert_eq!(leftovers.count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn progress_reaches_the_total() {
    let net = toy_chain();
    let file = toy_file();
    let last = std::sync::Mutex::new(0);
    let tick = |p: shortfall::montecarlo::Progress| {
        let mut l = last.lock().unwrap();
        *l = (*l).max(p.done);
        assert_eq!(p.total, 10_000);
    };
    run(&net, &file.scenario, &file.monte_carlo, Some(&tick)).unwrap();
    assert_eq!(*last.lock().unwrap(), 10_000);
}

/// Structural alternatives: two variants of the toy chain (in the second the US makes 20 t
/// of magnets and imports 18 t directly), chosen with equal weights per draw.
#[test]
fn network_variants_are_chosen_per_draw() {
    let mut tables = shortfall::network::toy_tables();
    let base = shortfall::network::Builder::new(tables.clone())
        .build()
        .unwrap()
        .network;
    tables.production[5].production = 20.0;
    tables.production[5].capacity = Some(20.0);
    tables.trade[3].quantity = 18.0;
    let variant = shortfall::network::Builder::new(tables)
        .build()
        .unwrap()
        .network;
    let file = ScenarioFile::from_toml(
        r#"
        [scenario]
        horizon = 1.0
        perturbation = { variant = { choice = { values = [0, 1] } } }
        [[scenario.restrictions]]
        exporters = ["CN"]
        products = ["magnet"]
        targets = { list = ["US"] }
        severity = 1.0
        [monte_carlo]
        draws = 4000
        [[monte_carlo.outcomes]]
        measure = "final_use"
        regions = { list = ["US"] }
        product = "magnet"
        "#,
        "variants.toml",
    )
    .unwrap();
    let nets = [base, variant];
    let r = shortfall::montecarlo::run_variants(&nets, &file.scenario, &file.monte_carlo, None)
        .unwrap();
    let draws: Vec<f64> = r.simulation.outcome(0).collect();
    assert!(draws
        .iter()
        .all(|&x| (x - 34.0).abs() < 1e-9 || (x - 22.0).abs() < 1e-9));
    let share_first = draws.iter().filter(|&&x| (x - 34.0).abs() < 1e-9).count() as f64 / 4000.0;
    assert!((share_first - 0.5).abs() < 0.03, "{share_first}");
    // One network only: index 1 does not exist.
    let err = run(&nets[0], &file.scenario, &file.monte_carlo, None).unwrap_err();
    assert!(err.to_string().contains("perturbation.variant"), "{err}");
}
