//! A run of the static cascade or the dynamic engine allocates nothing once its workspace
//! is built. In its own test binary with a single test, so no other test allocates
//! meanwhile.

use shortfall::engine::{Dynamic, DynamicSettings, Engine, StaticCascade, Step};
use shortfall::scenario::{CapacityLoss, Disposal, Realization, Restriction, Targets};

#[test]
fn a_run_allocates_nothing_after_warm_up() {
    static_cascade();
    static_cascade_with_prices();
    dynamic();
}

/// The market step and allocation by value (docs/model.md §7) allocate nothing either.
fn static_cascade_with_prices() {
    let mut file = shortfall::runs::ScenarioFile::named("us_plus8_embargo").unwrap();
    shortfall::runs::ValuesFile::named("rare_earths_2024")
        .unwrap()
        .apply(&mut file.scenario);
    file.scenario.mitigation.rationing = shortfall::scenario::Rationing::ByValue;
    let net = file.data().unwrap().network;
    let mut r = file.scenario.median();
    let engine = StaticCascade::new(&net, &r).unwrap();
    let mut ws = engine.workspace(&net);
    engine.run(&net, &r, &mut ws).unwrap(); // warm-up
    let info = allocation_counter::measure(|| {
        for severity in [0.2, 0.6, 1.0] {
            r.restrictions[0].severity = severity;
            engine.run(&net, &r, &mut ws).unwrap();
        }
    });
    assert_eq!(info.count_total, 0, "{info:?}");
    assert!(ws.outcome().market.as_ref().unwrap().cascades > 1);
}

fn dynamic() {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let mut r = Realization {
        horizon: 0.25,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: "ndpr_metal".into(),
            share: 0.5,
        }],
        ..Realization::default()
    };
    let settings = DynamicSettings {
        step: Step::Week,
        steps: 52,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, &r, settings).unwrap();
    let mut ws = engine.workspace(net);
    engine.run(net, &r, &mut ws).unwrap(); // warm-up
    let info = allocation_counter::measure(|| {
        for share in [0.2, 0.6, 1.0] {
            r.capacity_losses[0].share = share;
            engine.run(net, &r, &mut ws).unwrap();
        }
    });
    assert_eq!(info.count_total, 0, "{info:?}");
    assert!(ws.outcome().final_shortfall.iter().any(|&s| s > 0.0));
}

fn static_cascade() {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let mut cut = Restriction::full(
        ["CN"],
        ["ndpr_oxide", "dytb_oxide", "ndpr_metal", "ndfeb_magnet_dy"],
        Targets::Bloc("US+8".into()),
    );
    cut.disposal = Disposal::Divert;
    cut.processing_leakage = 0.2;
    let mut r = Realization {
        horizon: 0.25,
        restrictions: vec![cut],
        ..Realization::default()
    };
    r.mitigation.stock_release_share = 0.5;
    r.mitigation.substitution = 0.5;
    r.prices.insert("ndfeb_magnet_dy".into(), 50_000.0);
    let engine = StaticCascade::new(net, &r).unwrap();
    let mut ws = engine.workspace(net);
    engine.run(net, &r, &mut ws).unwrap(); // warm-up
    let info = allocation_counter::measure(|| {
        for severity in [0.2, 0.6, 1.0] {
            r.restrictions[0].severity = severity;
            engine.run(net, &r, &mut ws).unwrap();
        }
    });
    assert_eq!(info.count_total, 0, "{info:?}");
    assert!(ws.outcome().final_shortfall.iter().any(|&s| s > 0.0));
}
