//! One Monte Carlo front door for both engines (docs/architecture.md, docs/model.md §5.8,
//! §6): the same scenario file, its chosen outcomes, a stopping rule and sensitivities
//! through `montecarlo::run_with`, read through the one `Shortfalls` view.

use shortfall::engine::{
    Dynamic, DynamicSettings, Engine, Mode, Shortfalls, StaticCascade, Step, Use,
};
use shortfall::montecarlo::{run_paths, run_with, EngineChoice, Paths};
use shortfall::network::toy_chain;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Targets;
use shortfall::Error;

mod support;

/// Thirteen weekly steps, CN cutting magnets to the US by an uncertain severity; the
/// settings under which the dynamic engine's static-equivalent mode reproduces the static
/// cascade (docs/model.md §5.8: keep, pro rata, no stock release, ρ = 0, no demand
/// response). Four outcomes in units and shares, and a stopping rule.
fn file(stop: bool) -> ScenarioFile {
    let stop = if stop {
        "stop = { relative_se = 0.01, batch = 200, max_draws = 4000 }"
    } else {
        ""
    };
    support::toy_embargo(
        0.2,
        1.0,
        &format!(
            r#"
            [scenario.mitigation]
            stock_release_share = 0.0
            substitution = 0.0
            [monte_carlo]
            draws = 600
            seed = 7
            {stop}
            [[monte_carlo.outcomes]]
            measure = "absorption"
            regions = {{ list = ["US"] }}
            product = "magnet"
            [[monte_carlo.outcomes]]
            measure = "final_use"
            regions = {{ list = ["US"] }}
            product = "magnet"
            [[monte_carlo.outcomes]]
            measure = "absorption_share"
            regions = {{ list = ["US", "NL"] }}
            product = "magnet"
            [[monte_carlo.outcomes]]
            measure = "final_share"
            regions = {{ list = ["US"] }}
            product = "magnet"
            "#
        ),
    )
}

fn static_equivalent() -> EngineChoice {
    EngineChoice::Dynamic(DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Week,
        ..DynamicSettings::default()
    })
}

#[test]
fn both_engines_give_the_same_draws_through_the_same_door() {
    let net = toy_chain();
    let f = file(false);
    let nets = [net];
    let s = run_with(
        &nets,
        &f.scenario,
        &f.monte_carlo,
        &EngineChoice::Static,
        None,
    )
    .unwrap();
    let d = run_with(
        &nets,
        &f.scenario,
        &f.monte_carlo,
        &static_equivalent(),
        None,
    )
    .unwrap();
    assert!(s.engine.starts_with("static cascade"), "{}", s.engine);
    assert!(d.engine.starts_with("dynamic engine"), "{}", d.engine);
    assert_eq!(s.draws, 600);
    assert_eq!(d.draws, 600);
    let names = |r: &shortfall::montecarlo::McResults| -> Vec<String> {
        r.outcomes.iter().map(|o| o.name.clone()).collect()
    };
    assert_eq!(names(&s), names(&d));
    // Draw by draw: the same realization, the same figure (docs/model.md §5.8, summed
    // over a window of constant shocks), in units and as shares of the annual baseline.
    let (a, b) = (&s.simulation.values, &d.simulation.values);
    assert_eq!(a.len(), 600 * 4);
    let mut positive = 0;
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{x} vs {y}");
        positive += usize::from(*x > 0.0);
    }
    assert_eq!(positive, 600 * 4, "every draw cuts something");
    // The uncertain severity drives every outcome: rank correlation near one on both.
    for r in [&s, &d] {
        assert_eq!(r.sensitivity.len(), 4);
        for x in &r.sensitivity {
            assert_eq!(x.parameter, "restrictions[0].severity");
            assert!(x.spearman.unwrap() > 0.99, "{x:?}");
        }
    }
}

#[test]
fn the_stopping_rule_stops_the_dynamic_engine_too() {
    let net = toy_chain();
    let f = file(true);
    let settings = DynamicSettings {
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let r = run_with(
        &[net],
        &f.scenario,
        &f.monte_carlo,
        &EngineChoice::Dynamic(settings),
        None,
    )
    .unwrap();
    // Batches of 200 until every outcome's relative standard error is at most 1%.
    assert!(
        r.draws.is_multiple_of(200) && r.draws < 4000,
        "{} draws",
        r.draws
    );
    assert!(r.draws > 200, "one batch is not precise enough here");
    for o in &r.outcomes {
        assert!(
            o.se <= 0.01 * o.mean.abs(),
            "{}: se {} mean {}",
            o.name,
            o.se,
            o.mean
        );
    }
}

#[test]
fn the_dynamic_outcome_answers_the_view_in_the_run_s_own_terms() {
    let net = toy_chain();
    let f = file(false);
    let median = f.scenario.median();
    let settings = DynamicSettings {
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &median, settings).unwrap();
    let o = engine.evaluate(&net, &median).unwrap();
    let (us, magnet) = (
        net.require_region("US").unwrap(),
        net.require_product("magnet").unwrap(),
    );
    assert!((o.years() - 13.0 * 7.0 / 365.0).abs() < 1e-12);
    let a = o.over_run(Use::Absorption, us, magnet);
    assert_eq!(a.shortfall, o.cumulative_absorption_shortfall(us, magnet));
    assert_eq!(
        a.baseline,
        13.0 * o.absorption_baseline_per_step(us, magnet)
    );
    let f = o.over_run(Use::FinalUse, us, magnet);
    assert_eq!(f.shortfall, o.cumulative_final_shortfall(us, magnet));
    assert!(f.shortfall > 0.0 && f.shortfall <= f.baseline);
    // The share of the annual baseline: the shortfall over the annual rate.
    let rate = 365.0 / 7.0 * o.final_baseline_per_step(us, magnet);
    assert!((f.share_of_annual(o.years()).unwrap() - f.shortfall / rate).abs() < 1e-12);
}

#[test]
fn a_run_in_time_refuses_what_it_does_not_model_by_name() {
    let net = toy_chain();
    let f = file(true);
    let paths = Paths::new(Targets::List(vec!["US".into()]), "magnet");
    let err = run_paths(
        &net,
        &f.scenario,
        &DynamicSettings::default(),
        &f.monte_carlo,
        &paths,
    )
    .unwrap_err();
    assert!(err.to_string().contains("monte_carlo.outcomes"), "{err}");
    let mut only_stop = f.monte_carlo.clone();
    only_stop.outcomes.clear();
    let err = run_paths(
        &net,
        &f.scenario,
        &DynamicSettings::default(),
        &only_stop,
        &paths,
    )
    .unwrap_err();
    assert!(err.to_string().contains("monte_carlo.stop"), "{err}");
}

#[test]
fn a_realization_with_other_exporters_and_the_same_counts_is_refused_by_both_engines() {
    let net = toy_chain();
    let median = file(false).scenario.median();
    let mut other = median.clone();
    other.restrictions[0].exporters = vec!["US".into()];
    let s = StaticCascade::new(&net, &median).unwrap();
    let d = Dynamic::new(&net, &median, DynamicSettings::default()).unwrap();
    for err in [
        s.evaluate(&net, &other).map(|_| ()).unwrap_err(),
        d.evaluate(&net, &other).map(|_| ()).unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::OtherStructure { field, .. } if field.contains("exporters")),
            "{err}"
        );
    }
}

#[test]
fn requested_exceedance_probabilities_are_printed_not_only_written() {
    let net = toy_chain();
    let mut f = file(false);
    f.monte_carlo.statistics.exceed = vec![0.05, 0.5];
    let r = run_with(
        &[net],
        &f.scenario,
        &f.monte_carlo,
        &EngineChoice::Static,
        None,
    )
    .unwrap();
    let text = r.to_string();
    assert!(text.contains("Exceedance: the probability"), "{text}");
    // Four outcomes, two thresholds each.
    let table = &shortfall::report::Report::tables(&r)[1];
    assert_eq!(table.to_csv().unwrap().lines().count(), 1 + 4 * 2);
    let without = run_with(
        &[toy_chain()],
        &file(false).scenario,
        &file(false).monte_carlo,
        &EngineChoice::Static,
        None,
    )
    .unwrap();
    assert!(!without.to_string().contains("Exceedance"));
}

/// The seed file's run in time, as `run_paths` reports it and as outcome kinds of the front
/// door: the same draws, the same events.
#[test]
fn events_and_fan_bands_are_outcome_kinds_of_the_front_door() {
    use shortfall::montecarlo::{Measure, OutcomeSpec};
    let file = ScenarioFile::named("us_plus8_embargo")
        .unwrap()
        .with_draws(300);
    let data = file.data().unwrap();
    let net = &data.network;
    let dynamic = file.dynamic.clone().unwrap_or_default();
    let paths = file.paths.clone().unwrap();
    let cover = paths.stoppage_cover_days.unwrap();
    let reference = run_paths(net, &file.scenario, &dynamic, &file.monte_carlo, &paths).unwrap();

    let us = Targets::List(vec!["US".into()]);
    let bloc = Targets::Bloc("US+8".into());
    let magnet = "ndfeb_magnet_dy";
    let mut settings = file.monte_carlo.clone();
    settings.outcomes = vec![
        OutcomeSpec::new(Measure::InputConstrained, us.clone(), magnet),
        OutcomeSpec::new(Measure::StockOut, us.clone(), magnet),
        OutcomeSpec::new(Measure::Recovery, us.clone(), magnet),
        OutcomeSpec {
            cover_days: Some(cover),
            ..OutcomeSpec::new(Measure::FirstStoppage, us.clone(), magnet)
        },
        OutcomeSpec::new(Measure::InputConstrained, bloc.clone(), magnet),
        OutcomeSpec::new(Measure::Absorption, us.clone(), magnet),
        OutcomeSpec::new(Measure::AbsorptionSharePerStep, bloc, magnet),
    ];
    let r = run_with(
        std::slice::from_ref(net),
        &file.scenario,
        &settings,
        &EngineChoice::Dynamic(dynamic),
        None,
    )
    .unwrap();
    assert_eq!(r.events.len(), 5);
    assert_eq!(r.outcomes.len(), 1 + reference.steps);
    let us_at = reference.members.iter().position(|m| m == "US").unwrap();
    for (got, want) in [
        (&r.events[0], &reference.input_constrained[us_at]),
        (&r.events[1], &reference.stock_out[us_at]),
        (&r.events[2], &reference.recovery[us_at]),
        (&r.events[3], &reference.first_stoppage[us_at]),
    ] {
        assert_eq!(
            (got.count, got.events),
            (want.count, want.events),
            "{}",
            got.name
        );
        assert_eq!(got.unconditional, want.unconditional, "{}", got.name);
    }
    // A group's event is its earliest member's: at least as likely as any member's.
    let group = &r.events[4];
    for member in &reference.input_constrained {
        assert!(
            group.events >= member.events,
            "{} vs {}",
            group.name,
            member.name
        );
    }
    // The cumulative shortfall: the same draws, the same distribution.
    let (a, b) = (&r.outcomes[0], &reference.cumulative[us_at]);
    for (x, y) in a.quantiles.iter().zip(&b.quantiles) {
        assert_eq!(x.value, y.value);
    }
    // The fan: each step's median share times the baseline per step is the fan's median.
    for (t, band) in reference.fan.iter().enumerate() {
        let share = &r.outcomes[1 + t];
        let median = share.quantiles.iter().find(|q| q.p == 0.5).unwrap().value;
        let want = band.p50 / reference.baseline_per_step;
        assert!(
            (median - want).abs() <= 1e-12,
            "step {t}: {median} vs {want}"
        );
    }
    assert!(r.to_string().contains("Events in time"));
}

#[test]
fn outcome_kinds_in_time_are_refused_where_they_cannot_be_measured() {
    use shortfall::montecarlo::{Measure, OutcomeSpec};
    let net = toy_chain();
    let mut f = file(false);
    let us = Targets::List(vec!["US".into()]);
    f.monte_carlo.outcomes = vec![OutcomeSpec::new(
        Measure::InputConstrained,
        us.clone(),
        "magnet",
    )];
    let refused = |f: &ScenarioFile, engine: &EngineChoice| {
        run_with(
            std::slice::from_ref(&net),
            &f.scenario,
            &f.monte_carlo,
            engine,
            None,
        )
        .unwrap_err()
        .to_string()
    };
    let err = refused(&f, &EngineChoice::Static);
    assert!(err.contains("monte_carlo.outcomes[0].measure"), "{err}");
    assert!(err.contains("dynamic engine"), "{err}");
    let dynamic = EngineChoice::Dynamic(DynamicSettings::default());
    f.monte_carlo.streaming = true;
    let err = refused(&f, &dynamic);
    assert!(err.contains("monte_carlo.streaming"), "{err}");
    f.monte_carlo.streaming = false;
    f.monte_carlo.outcomes = vec![OutcomeSpec::new(
        Measure::Recovery,
        Targets::List(vec!["US".into(), "NL".into()]),
        "magnet",
    )];
    let err = refused(&f, &dynamic);
    assert!(err.contains("monte_carlo.outcomes[0].regions"), "{err}");
    f.monte_carlo.outcomes = vec![OutcomeSpec::new(
        Measure::FirstStoppage,
        us.clone(),
        "magnet",
    )];
    let err = refused(&f, &dynamic);
    assert!(err.contains("monte_carlo.outcomes[0].cover_days"), "{err}");
    f.monte_carlo.outcomes = vec![OutcomeSpec {
        cover_days: Some(14.0),
        ..OutcomeSpec::new(Measure::InputConstrained, us, "magnet")
    }];
    let err = refused(&f, &dynamic);
    assert!(err.contains("only a first stoppage has a cover"), "{err}");
}

/// The static-equivalent mode refuses demand response naming the field that sets it.
#[test]
fn the_static_equivalent_mode_names_the_demand_response_field_it_refuses() {
    let net = toy_chain();
    let mut r = file(false).scenario.median();
    r.mitigation.substitutable = 0.3;
    let settings = DynamicSettings {
        mode: Mode::StaticEquivalent,
        ..DynamicSettings::default()
    };
    let err = Dynamic::new(&net, &r, settings).map(|_| ()).unwrap_err();
    assert!(
        err.to_string().contains("mitigation.substitutable"),
        "{err}"
    );
}
