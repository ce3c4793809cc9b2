//! Every reproducer of the bad-input campaign (`tests/fixtures/bad_input/`, one file per
//! defect) under a time limit: where the input is wrong, the error names the field or
//! the file and what is allowed; where it is valid, the answer is right. None panics,
//! hangs or exits with a wrong answer.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use shortfall::data::rare_earths_2024;
use shortfall::engine::{DynamicSettings, Step};
use shortfall::montecarlo::{run, run_paths, Paths};
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Targets;
use shortfall::Error;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad_input");

/// Runs `f` on another thread and fails the test if it takes more than 5 s or panics.
fn within_5_s<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still running after 5 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

fn read(name: &str) -> shortfall::Result<ScenarioFile> {
    let path = Path::new(FIXTURES).join(name);
    within_5_s(name, move || ScenarioFile::read(path))
}

/// The file is refused, the message naming every one of `words` (the field and the rule).
fn refused(name: &str, words: &[&str]) {
    let err = match read(name) {
        Ok(_) => panic!("{name} parsed"),
        Err(e) => e.to_string(),
    };
    for w in words {
        assert!(err.contains(w), "{name}: `{w}` not in: {err}");
    }
    assert!(
        err.contains(name),
        "{name}: the file is not named in: {err}"
    );
}

/// The static Monte Carlo of a file that parses, on the embedded data.
fn run_static(file: &ScenarioFile) -> shortfall::Result<shortfall::montecarlo::McResults> {
    let file = file.clone();
    within_5_s("static run", move || {
        run(
            &rare_earths_2024().network,
            &file.scenario,
            &file.monte_carlo,
            None,
        )
    })
}

/// The dynamic Monte Carlo of a file, a year in weeks, US+8 magnets.
fn run_dynamic(
    file: &ScenarioFile,
    draws: u64,
) -> shortfall::Result<shortfall::montecarlo::PathResults> {
    let mut file = file.clone();
    file.monte_carlo.draws = draws;
    file.scenario.run_length = file.scenario.run_length.or(Some(1.0));
    within_5_s("dynamic run", move || {
        let mut dynamic = file.dynamic.clone().unwrap_or_default();
        if file.dynamic.is_none() {
            dynamic = DynamicSettings {
                step: Step::Week,
                ..dynamic
            };
        }
        let paths = Paths::new(Targets::Bloc("US+8".into()), "ndfeb_magnet_dy");
        run_paths(
            &rare_earths_2024().network,
            &file.scenario,
            &dynamic,
            &file.monte_carlo,
            &paths,
        )
    })
}

#[test]
fn d1_extreme_beta_and_gamma_shapes_are_refused_at_parse_time() {
    refused("r01_beta_hang.toml", &["leakage.beta.beta", "outside"]);
    refused("r01b_beta_panic.toml", &["leakage.beta.beta", "outside"]);
    refused("r01c_gamma_hang.toml", &["gamma.shape", "outside"]);
}

/// The dynamic tables show P5, P50 and P95 whatever levels are asked; the others are kept
/// and labelled by their level.
#[test]
fn d2_dynamic_tables_work_with_any_quantile_levels() {
    let two = read("r02_quantiles.toml").unwrap();
    let r = run_dynamic(&two, 100).unwrap();
    let levels: Vec<f64> = r.cumulative[0].quantiles.iter().map(|q| q.p).collect();
    assert_eq!(levels, [0.05, 0.5, 0.95]);
    let _ = format!("{r}");
    let three = read("r02b_quantiles_label.toml").unwrap();
    let r = run_dynamic(&three, 200).unwrap();
    let q = &r.cumulative[0].quantiles;
    let levels: Vec<f64> = q.iter().map(|q| q.p).collect();
    assert_eq!(levels, [0.05, 0.5, 0.95, 0.25, 0.75]);
    assert!(q[0].value <= q[3].value && q[3].value <= q[1].value && q[1].value <= q[4].value);
    assert!(q[4].value <= q[2].value);
}

#[test]
fn d3_statistics_settings_are_validated() {
    refused(
        "r03_confidence.toml",
        &["monte_carlo.statistics.confidence", "(0, 1)"],
    );
    // The file has bad quantile levels and a bad tail-mean level: the first is named;
    // without it, the second.
    refused(
        "r03b_cvar.toml",
        &["monte_carlo.statistics.quantiles[0]", "[0, 1]"],
    );
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("r03b_cvar.toml")).unwrap();
    let cvar_only: String = text
        .lines()
        .filter(|l| !l.starts_with("quantiles"))
        .map(|l| format!("{l}\n"))
        .collect();
    let err = ScenarioFile::from_toml(&cvar_only, "r03b.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("monte_carlo.statistics.cvar") && err.contains("(0, 1)"),
        "{err}"
    );
    refused("r03c_bins.toml", &["monte_carlo.statistics.bins", "1..="]);
}

#[test]
fn d4_dynamic_run_sizes_are_bounded_before_allocation() {
    refused("r04_runlength.toml", &["run_length", "1000"]);
    for (name, field) in [
        ("r04b_step.toml", "steps"),
        ("r04c_lag.toml", "transport_lag_days"),
    ] {
        let file = read(name).unwrap();
        let err = run_dynamic(&file, 10).unwrap_err().to_string();
        assert!(
            err.contains(field) && err.contains("at most"),
            "{name}: {err}"
        );
    }
}

/// Latin hypercube with correlations and 2 draws a replicate used to collapse every draw
/// to the lowest value of each parameter; it is refused, naming the least it takes, and
/// enough draws a replicate give distinct draws.
#[test]
fn d5_correlated_latin_hypercube_on_small_replicates() {
    let file = read("r05_lhs_corr.toml").unwrap();
    let err = run_static(&file).unwrap_err().to_string();
    assert!(err.contains("at least 10 draws per replicate"), "{err}");
    let mut more = file.clone();
    more.monte_carlo.draws = 200;
    let r = run_static(&more).unwrap();
    let severity: Vec<f64> = r.simulation.param(0).collect();
    let distinct = severity.iter().filter(|s| **s != severity[0]).count();
    assert!(
        distinct > 150,
        "{distinct} of 200 draws differ from the first"
    );
}

/// With `batch = 1` the rule used to stop after one draw (its standard error is 0): such a
/// batch is refused, and with batches of 100 the rule stops only when precise.
#[test]
fn d6_the_stopping_rule_needs_enough_draws() {
    refused("r06_stop.toml", &["monte_carlo.stop.batch", "at least 100"]);
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("r06_stop.toml")).unwrap();
    let text = text
        .replace("batch = 1\n", "batch = 100\n")
        .replace("relative_se = 0.001", "relative_se = 0.01");
    let file = ScenarioFile::from_toml(&text, "r06.toml").unwrap();
    let r = run_static(&file).unwrap();
    assert!(
        r.draws >= shortfall::montecarlo::STOP_LEAST,
        "{} draws",
        r.draws
    );
    assert!(r
        .outcomes
        .iter()
        .all(|s| s.se > 0.0 && s.se <= 0.01 * s.mean.abs()));
}

#[test]
fn d7_constraints_hold_over_the_whole_support() {
    refused(
        "r07_draw_domain.toml",
        &[
            "mitigation.deferrable + mitigation.substitutable",
            "top of its range",
        ],
    );
}

/// An unsorted empirical list is sorted as it is read: its median is the middle value,
/// and a validation band runs from low to high.
#[test]
fn d8_empirical_values_are_sorted() {
    let file = read("r08_empirical.toml").unwrap();
    assert_eq!(file.scenario.median().restrictions[0].severity, 0.7);
    let named = read("r08b_empirical_named.toml").unwrap();
    let run = within_5_s("r08b", move || {
        shortfall::runs::run_named(&named.with_draws(200))
    })
    .unwrap();
    for c in &run.comparisons {
        if let [Some(lo), _, Some(hi)] = c.simulated {
            assert!(lo <= hi, "{c:?}");
        }
    }
}

#[test]
fn d9_multipliers_and_horizons_are_bounded() {
    refused("r09_headroom.toml", &["perturbation.headroom", "1e6"]);
}

#[test]
fn d11_two_distributions_in_one_parameter_are_refused() {
    refused("r11_two_tags.toml", &["a second distribution"]);
}

#[test]
fn d12_json_with_data_after_the_document_is_refused() {
    refused("r12_trailing.json", &["data after the document"]);
    let twice = r#"{"scenario": {"horizon": 0.5, "prices": {"ndfeb_magnet_dy": -5, "ndfeb_magnet_dy": 60000}}}"#;
    let err = ScenarioFile::from_json(twice, "twice.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("given twice"), "{err}");
}

/// A restriction whose exporter is its only target cuts nothing: the run says so.
#[test]
fn d13_a_restriction_that_cuts_nothing_is_flagged() {
    let file = read("r13_noop.toml").unwrap();
    let r = run_static(&file).unwrap();
    assert!(
        r.warnings.iter().any(|w| w.contains("restrictions[0]")),
        "{:?}",
        r.warnings
    );
    assert!(format!("{r}").contains("warning: restrictions[0]"));
    let base = read("base.toml").unwrap();
    assert!(run_static(&base).unwrap().warnings.is_empty());
    // In time too.
    let paths = run_dynamic(&file, 10).unwrap();
    assert!(
        paths.warnings.iter().any(|w| w.contains("restrictions[0]")),
        "{:?}",
        paths.warnings
    );
    assert!(format!("{paths}").contains("warning: restrictions[0]"));
    assert!(run_dynamic(&base, 10).unwrap().warnings.is_empty());
}

#[test]
fn d16_threads_are_bounded_and_zero_reports_the_cores_used() {
    refused("r16_threads.toml", &["monte_carlo.threads", "256"]);
    let mut file = read("base.toml").unwrap();
    file.monte_carlo.threads = Some(0);
    let r = run_static(&file).unwrap();
    assert!(r.threads >= 1);
}

/// An unknown bloc in a restriction is blamed on the restriction, not on the default
/// outcomes built from it.
#[test]
fn d17_an_unknown_bloc_names_the_restriction() {
    let file = read("r17_bloc.toml").unwrap();
    let err = run_static(&file).unwrap_err().to_string();
    assert!(
        err.contains("restrictions[0].targets") && err.contains("NATO"),
        "{err}"
    );
}

#[test]
fn d19_pymrio_output_with_two_columns_is_refused() {
    let dir = Path::new(FIXTURES).join("r19_pymrio_x_two_columns");
    let err = within_5_s("r19", move || shortfall::data::read_pymrio(dir))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.csv") && err.contains("2 value columns"),
        "{err}"
    );
}

/// Exact mode estimates its memory before it starts.
#[test]
fn d20_exact_mode_refuses_what_would_not_fit() {
    let mut file = read("base.toml").unwrap();
    file.monte_carlo.draws = 1_000_000_000;
    let err = run_static(&file).unwrap_err().to_string();
    assert!(err.contains("streaming") && err.contains("GiB"), "{err}");
    file.monte_carlo.memory_limit_gib = Some(1e-6);
    file.monte_carlo.draws = 10_000;
    assert!(run_static(&file).is_err());
    file.monte_carlo.draws = 1_000_000_000_000;
    assert!(matches!(run_static(&file), Err(Error::InvalidField { .. })));
}

/// Writes are atomic, and a temporary file left by a killed writer is cleaned up by the
/// next write of the same file.
#[test]
fn d21_a_stale_temporary_file_is_removed() {
    let dir = std::env::temp_dir().join(format!("shortfall-d21-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // No process has pid 4194304 (above Linux's largest).
    let stale = dir.join(".r.json.4194304.tmp");
    std::fs::write(&stale, "half").unwrap();
    shortfall::report::write_atomic(&dir.join("r.json"), b"{}").unwrap();
    if Path::new("/proc/self").exists() {
        assert!(!stale.exists());
    }
    assert_eq!(std::fs::read(dir.join("r.json")).unwrap(), b"{}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn d23_empty_data_is_refused() {
    let empty = shortfall::data::tables_from_strs(shortfall::data::TableFiles {
        regions: ("regions.csv", "code,name\n"),
        products: ("products.csv", "id,name,unit\n"),
        production: ("production.csv", "region,product,production\n"),
        trade: ("trade.csv", "exporter,importer,product,quantity\n"),
        recipes: ("recipes.csv", "output,input,coefficient,basis\n"),
        stocks: ("stocks.csv", ""),
    });
    let err = empty.and_then(|t| {
        shortfall::network::Builder::new(t)
            .build()
            .map(|b| b.network)
    });
    assert!(err.is_err());
    let empty = r#"{"regions": [], "products": [], "nodes": [], "flows": []}"#;
    let err = shortfall::data::network_from_json(empty, "empty.json").unwrap_err();
    assert!(err.to_string().contains("empty network"), "{err}");
}

/// Governance scores are checked: finite, within 0..10.
#[test]
fn d14_governance_scores_are_checked() {
    let net = shortfall::network::toy_chain();
    let mut json: serde_json::Value =
        serde_json::from_str(&shortfall::data::network_to_json(&net).unwrap()).unwrap();
    json["regions"][0]["governance"] = serde_json::json!(-50.0);
    let err = shortfall::data::network_from_json(&json.to_string(), "g.json").unwrap_err();
    assert!(err.to_string().contains("governance"), "{err}");
}

/// Writing through a symbolic link replaces the file it points to and keeps the link.
#[cfg(unix)]
#[test]
fn d21_a_link_is_followed_not_replaced() {
    let dir = std::env::temp_dir().join(format!("shortfall-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("target.json"), "old").unwrap();
    std::os::unix::fs::symlink("target.json", dir.join("link.json")).unwrap();
    shortfall::report::write_atomic(&dir.join("link.json"), b"new").unwrap();
    assert!(std::fs::symlink_metadata(dir.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(dir.join("target.json")).unwrap(), b"new");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A duplicated industry row of a pymrio `Z.csv` is named, with both lines.
#[test]
fn d17_a_duplicated_pymrio_row_is_named() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/boario/synthetic");
    let dir = std::env::temp_dir().join(format!("shortfall-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["Y.csv", "x.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let z = std::fs::read_to_string(src.join("Z.csv")).unwrap();
    let mut lines: Vec<&str> = z.lines().collect();
    let last = lines.len() - 1;
    lines[last] = lines[last - 1];
    std::fs::write(dir.join("Z.csv"), lines.join("\n") + "\n").unwrap();
    let err = shortfall::data::read_pymrio(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        err.contains("Z.csv") && err.contains("duplicate record"),
        "{err}"
    );
}

/// An unknown code in a scenario lists the valid codes and suggests the nearest.
#[test]
fn an_unknown_region_suggests_the_nearest_code() {
    let mut file = read("base.toml").unwrap();
    file.scenario.restrictions[0].exporters = vec!["CHN".into()];
    let err = run_static(&file)
        .unwrap_err()
        .in_file("base.toml")
        .to_string();
    assert!(
        err.contains("base.toml")
            && err.contains("scenario.restrictions[0].exporters[0]")
            && err.contains("unknown region `CHN`; did you mean `CN`?")
            && err.contains("known: "),
        "{err}"
    );
}

/// An unknown code in a scenario file, found when the run resolves it, names the file,
/// the line that writes it, the valid codes and the nearest.
#[test]
fn an_unknown_code_in_a_scenario_file_names_its_line() {
    let dir = std::env::temp_dir().join(format!("shortfall-line-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jpn.toml");
    std::fs::write(
        &path,
        "# a comment\n[scenario]\nhorizon = 0.5\n\n[[scenario.restrictions]]\nexporters = [\"CN\"]\n\
         products = [\"magnet\"]\nseverity = 1.0\ntargets = { list = [\"JPN\"] }\n\n[monte_carlo]\ndraws = 10\n",
    )
    .unwrap();
    let file = ScenarioFile::read(&path).unwrap();
    let net = shortfall::network::toy_chain();
    let err = run(&net, &file.scenario, &file.monte_carlo, None).unwrap_err();
    let text = ScenarioFile::locate(err, &path).to_string();
    assert!(text.contains("jpn.toml, line 9"), "{text}");
    assert!(
        text.contains("scenario.restrictions[0].targets[0]"),
        "{text}"
    );
    assert!(text.contains("unknown region `JPN`"), "{text}");
    // A domain error found when the file is read: its line too.
    std::fs::write(&path, "[scenario]\nhorizon = -1\n").unwrap();
    let text = ScenarioFile::read(&path).unwrap_err().to_string();
    assert!(
        text.contains("jpn.toml, line 2: field `scenario.horizon`"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
