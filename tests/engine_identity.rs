//! An engine runs only the network and the scenario structure it was built for
//! (docs/model.md §4): another network, a workspace sized for another network, or a
//! realization with other exporters, targets or nodes is refused with a typed error,
//! never a panic or a silent run of the old structure.

use shortfall::data::rare_earths_2024;
use shortfall::engine::{Dynamic, DynamicSettings, Engine, StaticCascade};
use shortfall::network::{toy_chain, Network};
use shortfall::scenario::{CapacityLoss, Realization, Restriction, Targets};
use shortfall::Error;

fn embargo(exporter: &str, target: &str) -> Realization {
    Realization {
        horizon: 0.5,
        restrictions: vec![Restriction::full(
            [exporter],
            ["magnet"],
            Targets::List(vec![target.into()]),
        )],
        ..Realization::default()
    }
}

/// The toy chain with one flow changed: same codes and sizes, another network.
fn toy_changed() -> Network {
    let mut tables = shortfall::network::toy_tables();
    tables.production[0].capacity = Some(120.0);
    shortfall::network::Builder::new(tables)
        .build()
        .unwrap()
        .network
}

fn other_network<E: Engine>(engine: &E, built: &Network, other: &Network, r: &Realization) {
    // The engine given another network.
    let mut ws = engine.workspace(other);
    let err = engine.run(other, r, &mut ws).unwrap_err();
    assert!(matches!(err, Error::OtherNetwork { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("{:016x}", built.fingerprint())),
        "{err}"
    );
    // The right network with a workspace sized for another one.
    let err = engine.run(built, r, &mut ws).unwrap_err();
    assert!(matches!(err, Error::OtherNetwork { .. }), "{err}");
    // The right pair runs.
    let mut ws = engine.workspace(built);
    engine.run(built, r, &mut ws).unwrap();
}

#[test]
fn networks_have_distinct_stable_fingerprints() {
    let toy = toy_chain();
    assert_eq!(toy.fingerprint(), toy_chain().fingerprint());
    assert_ne!(toy.fingerprint(), toy_changed().fingerprint());
    assert_ne!(toy.fingerprint(), rare_earths_2024().network.fingerprint());
    let toml = shortfall::data::network_to_toml(&toy).unwrap();
    let back = shortfall::data::network_from_toml(&toml, "toy.toml").unwrap();
    assert_eq!(back.fingerprint(), toy.fingerprint());
}

#[test]
fn the_static_cascade_refuses_another_network() {
    let (toy, seed) = (toy_chain(), rare_earths_2024().network);
    let r = embargo("CN", "US");
    let engine = StaticCascade::new(&toy, &r).unwrap();
    other_network(&engine, &toy, &seed, &r);
    other_network(&engine, &toy, &toy_changed(), &r);
}

#[test]
fn the_dynamic_engine_refuses_another_network() {
    let (toy, seed) = (toy_chain(), rare_earths_2024().network);
    let r = embargo("CN", "US");
    let settings = DynamicSettings {
        steps: 30,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&toy, &r, settings).unwrap();
    other_network(&engine, &toy, &seed, &r);
}

/// Same counts, other exporters, targets or nodes: refused by the field that differs.
#[test]
fn a_realization_of_another_structure_is_refused() {
    let toy = toy_chain();
    let mut built = embargo("CN", "US");
    built.capacity_losses.push(CapacityLoss {
        item: Default::default(),
        region: "CN".into(),
        product: "oxide".into(),
        share: 0.2,
    });
    let static_engine = StaticCascade::new(&toy, &built).unwrap();
    let dynamic = Dynamic::new(
        &toy,
        &built,
        DynamicSettings {
            steps: 30,
            ..DynamicSettings::default()
        },
    )
    .unwrap();
    let mut other_exporter = built.clone();
    other_exporter.restrictions[0].exporters = vec!["US".into()];
    other_exporter.restrictions[0].targets = Targets::List(vec!["CN".into()]);
    let mut other_target = built.clone();
    other_target.restrictions[0].targets = Targets::List(vec!["NL".into()]);
    let mut other_node = built.clone();
    other_node.capacity_losses[0].region = "US".into();
    let mut numbers_only = built.clone();
    numbers_only.restrictions[0].severity = 0.3;
    numbers_only.capacity_losses[0].share = 0.9;
    let cases = [
        (&other_exporter, Some("restrictions[0].exporters")),
        (&other_target, Some("restrictions[0].targets")),
        (&other_node, Some("capacity_losses[0]")),
        (&numbers_only, None),
    ];
    for (r, field) in cases {
        let mut ws = static_engine.workspace(&toy);
        let got = static_engine.run(&toy, r, &mut ws);
        let mut dws = dynamic.workspace(&toy);
        let got_dynamic = dynamic.run(&toy, r, &mut dws);
        for got in [got, got_dynamic] {
            match (got, field) {
                (Ok(()), None) => {}
                (Err(Error::OtherStructure { field: f, .. }), Some(want)) => assert_eq!(f, want),
                (other, _) => panic!("{field:?}: {other:?}"),
            }
        }
    }
}
