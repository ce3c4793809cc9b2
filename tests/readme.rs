//! The README's notebook cells, as a plain program, so they cannot drift from the API.

use shortfall::prelude::*;

#[test]
fn the_readme_notebook_cells_run() -> shortfall::Result<()> {
    // The five lines (the plot with the default feature `plot`).
    let seed = ScenarioFile::named("us_plus8_embargo")?.with_draws(500);
    let run = run_named(&seed)?;
    #[cfg(feature = "plot")]
    {
        let fan = Plot::fan_chart(&run.paths)?;
        assert!(fan.evcxr_content().contains("image/svg+xml"));
    }
    assert!(run.to_html().contains("US+8"));

    let net = toy_chain();
    let summary = net.summary();
    assert!(summary.to_html().contains("<table>"));
    let table = shortfall::metrics::ConcentrationTable::of(&net);
    assert!(!table.to_html().is_empty());

    let embargo = Realization {
        horizon: 0.25,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["magnet"],
            Targets::List(vec!["US".into()]),
        )],
        ..Realization::default()
    };
    let engine = StaticCascade::new(&net, &embargo)?;
    let mut ws = engine.workspace(&net);
    engine.run(&net, &embargo, &mut ws)?;
    let outcome = ws.outcome().clone();
    assert!(outcome.to_html().contains("US"));
    assert_eq!(evaluate(&net, &embargo)?, outcome);

    let table = shortfall::data::read_pymrio(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/boario/pymrio_test"
    ))?;
    let settings = DynamicSettings {
        mode: Mode::Ario,
        steps: 365,
        ..DynamicSettings::default()
    };
    let calm = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let engine = Dynamic::new(&table, &calm, settings)?.with_loss_path(
        &table,
        "reg6",
        "mining",
        vec![0.5; 60],
    )?;
    let mut ws = engine.workspace(&table);
    engine.run(&table, &calm, &mut ws)?;
    let paths = ws.outcome().clone();
    assert!(paths.to_html().contains("mining"));

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    let file = ScenarioFile::read(path)?;
    let data = rare_earths_2024();
    let results = shortfall::montecarlo::run(
        &data.network,
        &file.scenario,
        &Settings {
            draws: 2000,
            ..file.monte_carlo.clone()
        },
        None,
    )?;
    assert!(results.to_html().contains("Sensitivity"));
    let csv = results.tables()[0].to_csv()?;
    assert!(csv.lines().count() > 1);
    Ok(())
}
