//! Properties of every network the generator and the builder make, and exact file round
//! trips.

mod support;

use proptest::prelude::*;
use shortfall::data::{network_from_json, network_from_toml, network_to_json, network_to_toml};
use shortfall::network::{toy_chain, Bloc, Synthetic};
use shortfall::Error;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_networks_are_at_their_fixed_point(net in support::small_network()) {
        prop_assert_eq!(support::fixed_point_failure(&net), None);
    }

    #[test]
    fn generated_networks_pass_the_three_balance_checks(net in support::small_network()) {
        prop_assert!(net.balance_problems().is_empty());
        for n in net.node_ids() {
            prop_assert!(net.node(n).capacity >= net.output(n));
        }
    }

    #[test]
    fn json_round_trip_is_exact(net in support::small_network()) {
        let text = network_to_json(&net).unwrap();
        prop_assert_eq!(network_from_json(&text, "net.json").unwrap(), net);
    }

    #[test]
    fn toml_round_trip_is_exact(net in support::small_network()) {
        let text = network_to_toml(&net).unwrap();
        prop_assert_eq!(network_from_toml(&text, "net.toml").unwrap(), net);
    }
}

#[test]
fn the_builder_network_is_at_its_fixed_point_and_round_trips() {
    let net = toy_chain();
    assert_eq!(support::fixed_point_failure(&net), None);
    let json = network_to_json(&net).unwrap();
    assert_eq!(network_from_json(&json, "toy.json").unwrap(), net);
    let toml = network_to_toml(&net).unwrap();
    assert_eq!(network_from_toml(&toml, "toy.toml").unwrap(), net);
}

#[test]
fn a_perturbed_network_file_fails_check_2_with_the_node_named() {
    let json = network_to_json(&toy_chain()).unwrap();
    // The first flow is CN ore -> CN oxide (100 t); make it 90.
    let bad = json.replacen("\"flow\": 100.0", "\"flow\": 90.0", 1);
    assert_ne!(bad, json);
    let err = network_from_json(&bad, "toy.json").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("producers of oxide in CN receive 110 of ore, the recipe needs 120"),
        "{text}"
    );
}

#[test]
fn json_errors_carry_the_field_path() {
    let json = network_to_json(&toy_chain()).unwrap();
    let bad = json.replacen("\"flow\": 100.0", "\"flow\": \"a lot\"", 1);
    let err = network_from_json(&bad, "toy.json").unwrap_err();
    assert!(
        matches!(&err, Error::Json { path, .. } if path.starts_with("flows[") && path.ends_with(".flow")),
        "{err}"
    );
}

#[test]
fn unknown_codes_in_a_network_file_are_named() {
    let toml = network_to_toml(&toy_chain()).unwrap();
    let bad = toml.replacen("transit = \"NL\"", "transit = \"XX\"", 1);
    let err = network_from_toml(&bad, "toy.toml").unwrap_err();
    assert!(
        err.to_string().contains("unknown region code `XX`"),
        "{err}"
    );
}

#[test]
fn blocs_resolve_and_name_missing_members() {
    let net = toy_chain();
    let err = Bloc::us_plus_8().resolve(&net).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownBlocMember { code, .. } if code == "JP"),
        "{err}"
    );
    let eu = Bloc::eu(&net);
    assert_eq!(eu.members, vec!["NL".to_string()]);
    let mine = Bloc::new("mine", ["CN", "US"]);
    assert_eq!(mine.resolve(&net).unwrap().len(), 2);
}

#[test]
fn the_generator_is_seeded_and_refuses_bad_sizes() {
    let a = Synthetic {
        seed: 7,
        ..Synthetic::default()
    }
    .build()
    .unwrap();
    let b = Synthetic {
        seed: 7,
        ..Synthetic::default()
    }
    .build()
    .unwrap();
    let c = Synthetic {
        seed: 8,
        ..Synthetic::default()
    }
    .build()
    .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let err = Synthetic {
        depth: 9,
        products: 3,
        ..Synthetic::default()
    }
    .build();
    assert!(matches!(err, Err(Error::InvalidSetting(_))));
    let dense = Synthetic {
        dense: true,
        regions: 4,
        ..Synthetic::default()
    }
    .build()
    .unwrap();
    // In dense mode every region supplies every user of each input.
    let user = dense
        .node_ids()
        .find(|&n| !dense.inputs(n).is_empty())
        .unwrap();
    assert_eq!(dense.in_edges(user).count(), 4 * dense.inputs(user).len());
}

#[test]
fn the_summary_shows_as_text_and_html() {
    let net = toy_chain();
    let summary = net.summary();
    let text = summary.to_string();
    assert!(text.contains("3 regions"), "{text}");
    assert!(text.contains("4 unallocated"), "{text}");
    let html = shortfall::report::Report::to_html(&summary);
    assert!(
        html.starts_with("<table><caption>Network: 3 regions"),
        "{html}"
    );
}
