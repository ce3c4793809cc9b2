//! The scenario files the docs and the repository ship parse and run.

use shortfall::montecarlo::run;
use shortfall::runs::ScenarioFile;

/// The complete example of docs/scenarios.md.
fn documented_example() -> String {
    example_after("## A complete example")
}

/// The first TOML block after `heading` in docs/scenarios.md.
fn example_after(heading: &str) -> String {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md")).unwrap();
    let after = docs.split(heading).nth(1).unwrap();
    let start = after.find("```toml\n").unwrap() + "```toml\n".len();
    let end = after[start..].find("```").unwrap();
    after[start..start + end].to_string()
}

#[test]
fn the_documented_example_parses_and_runs() {
    let mut file = ScenarioFile::from_toml(&documented_example(), "docs/scenarios.md").unwrap();
    assert_eq!(file.monte_carlo.statistics.exceed, vec![0.25, 0.5]);
    file.monte_carlo.draws = 500;
    let net = shortfall::data::rare_earths_2024().network;
    let results = run(&net, &file.scenario, &file.monte_carlo, None).unwrap();
    assert_eq!(results.outcomes.len(), 1);
    assert_eq!(results.outcomes[0].exceedance.len(), 2);
    assert_eq!(results.draws, 500);
}

#[test]
fn the_documented_example_in_time_runs_on_pymrios_test_table() {
    use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode};
    let text = example_after("## In time only: final demand and BoARIO's events");
    let file = ScenarioFile::from_toml(&text, "docs/scenarios.md").unwrap();
    let r = file.scenario.median();
    assert_eq!((r.demand_paths.len(), r.boario_events.len()), (1, 3));
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/boario/pymrio_test"
    );
    let net = shortfall::data::read_pymrio(dir).unwrap();
    let settings = DynamicSettings {
        mode: Mode::Ario,
        steps: 120,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &r, settings).unwrap();
    let mut ws = engine.workspace(&net);
    engine.run(&net, &r, &mut ws).unwrap();
    let reg2 = net.require_region("reg2").unwrap();
    let manufacturing = net.require_product("manufactoring").unwrap();
    let n = net.node_id(reg2, manufacturing).unwrap();
    let out = ws.outcome();
    assert!(out.output(n, 10) < 0.75 * out.output(n, 0));
    assert!(out.rebuild_left(0, 119) < 500.0);
}

#[test]
fn the_shipped_scenarios_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        ScenarioFile::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        count += 1;
    }
    assert!(count >= 1);
    // The values files of scenarios/values/ (docs/model.md §7).
    for entry in std::fs::read_dir(format!("{dir}/values")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        shortfall::runs::ValuesFile::from_toml(&text, &path.display().to_string())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// A values file names what is wrong and where.
#[test]
fn a_bad_values_file_is_refused_by_path() {
    let text = "[market]\npasses = 3\n[[market.products]]\nproduct = \"dytb_oxide\"\nlag = 0.0\n";
    let e = shortfall::runs::ValuesFile::from_toml(text, "v.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("market.products[0].lag") && e.contains("v.toml"),
        "{e}"
    );
    let e = shortfall::runs::ValuesFile::from_toml("[prices]\nore = -1.0\n", "v.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("prices.ore"), "{e}");
}

#[test]
fn a_ramp_outside_its_domain_is_refused_by_name() {
    let text = documented_example().replace(
        "severity_ramp = { from = 1.0, to = 0.3",
        "severity_ramp = { from = 1.0, to = 1.3",
    );
    let e = ScenarioFile::from_toml(&text, "ramp.toml").unwrap_err();
    let message = e.to_string();
    assert!(
        message.contains("scenario.restrictions[0].severity_ramp"),
        "{message}"
    );
    assert!(message.contains("to = 1.3"), "{message}");
    assert!(message.contains("ramp.toml"), "{message}");
}
