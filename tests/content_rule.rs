//! Content-based restrictions (docs/model.md §3.1): flows to targets from other
//! exporters whose traced content of controlled products from the restricting exporters
//! reaches θ are cut too, in both engines.

mod support;

use shortfall::engine::{Dynamic, DynamicSettings, Step};
use shortfall::network::Network;
use shortfall::scenario::{ContentRule, Realization, Restriction, Targets};
use shortfall::Error;
use support::{run, Hand};

/// China's oxide goes to a Vietnamese magnet maker (0.3 t of oxide per t of magnet), which
/// sells 50 t of magnets a year in Vietnam and 50 t to the US; China also sells magnets
/// to the US directly (20 t).
fn chain() -> Network {
    let mut h = Hand::new(&["CN", "VN", "US"], &["oxide", "magnet"]);
    let cn_oxide = h.node("CN", "oxide", 36.0, &[]);
    let cn_magnet = h.node("CN", "magnet", 20.0, &[("oxide", 0.3)]);
    let vn = h.node("VN", "magnet", 100.0, &[("oxide", 0.3)]);
    h.flow_to_node(cn_oxide, vn, 30.0);
    h.flow_to_node(cn_oxide, cn_magnet, 6.0);
    h.flow_to_final(vn, "VN", 50.0);
    h.flow_to_final(vn, "US", 50.0);
    h.flow_to_final(cn_magnet, "US", 20.0);
    h.build()
}

fn embargo(threshold: Option<f64>) -> Realization {
    let mut cut = Restriction::full(
        ["CN"],
        ["oxide", "magnet"],
        Targets::List(vec!["US".into()]),
    );
    cut.content = threshold.map(|threshold| ContentRule {
        controlled: vec!["oxide".into()],
        products: vec!["magnet".into()],
        threshold,
    });
    Realization {
        horizon: 1.0,
        restrictions: vec![cut],
        ..Realization::default()
    }
}

#[test]
fn the_rule_cuts_flows_whose_content_reaches_theta_by_hand() {
    let net = chain();
    let us = net.require_region("US").unwrap();
    let magnet = net.require_product("magnet").unwrap();
    let i = us.index() * net.products().len() + magnet.index();
    // Without the rule the US lacks China's 20 t; Vietnam's magnets hold 0.3 t of Chinese
    // oxide per t, so at θ = 0.2 its 50 t to the US are cut too; at θ = 0.5 they are not.
    assert!((run(&net, &embargo(None)).final_shortfall[i] - 20.0).abs() < 1e-9);
    assert!((run(&net, &embargo(Some(0.2))).final_shortfall[i] - 70.0).abs() < 1e-9);
    assert!((run(&net, &embargo(Some(0.5))).final_shortfall[i] - 20.0).abs() < 1e-9);
}

#[test]
fn above_every_traced_content_the_rule_cuts_nothing_in_either_engine() {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let rule = |threshold: Option<f64>| {
        let mut r = embargo(None);
        r.restrictions[0] = Restriction::full(
            ["CN"],
            ["ndpr_oxide", "dytb_oxide", "ndpr_metal", "ndfeb_magnet_dy"],
            Targets::Bloc("US+8".into()),
        );
        r.restrictions[0].content = threshold.map(|threshold| ContentRule {
            controlled: vec![
                "ndpr_oxide".into(),
                "dytb_oxide".into(),
                "ndpr_metal".into(),
            ],
            products: vec!["ndfeb_magnet_dy".into()],
            threshold,
        });
        r.horizon = 0.5;
        r
    };
    // No magnet holds more than its own mass of controlled content: θ = 1.01 is above all.
    assert_eq!(run(net, &rule(None)), run(net, &rule(Some(1.01))));
    let dynamic = |r: &Realization| {
        let settings = DynamicSettings {
            step: Step::Week,
            steps: 26,
            ..DynamicSettings::default()
        };
        let engine = Dynamic::new(net, r, settings).unwrap();
        support::run_dynamic(&engine, net, r)
    };
    assert_eq!(dynamic(&rule(None)), dynamic(&rule(Some(1.01))));
    // A low θ cuts magnets made outside China from Chinese metal and oxide.
    let low = run(net, &rule(Some(0.001)));
    let none = run(net, &rule(None));
    assert!(
        low.absorption_shortfall.iter().sum::<f64>()
            > none.absorption_shortfall.iter().sum::<f64>()
    );
}

#[test]
fn products_counted_in_units_need_a_mass_per_unit() {
    let mut h = Hand::new(&["CN", "VN", "US"], &["oxide", "motor"]);
    let cn = h.node("CN", "oxide", 10.0, &[]);
    let vn = h.node("VN", "motor", 100.0, &[("oxide", 0.1)]);
    h.flow_to_node(cn, vn, 10.0);
    h.flow_to_final(vn, "US", 100.0);
    let mut parts = h.build().to_parts();
    parts.products[1].unit = "motors".into();
    let net = Network::new(parts.clone()).unwrap();
    let mut r = embargo(None);
    r.restrictions[0].products = vec!["oxide".into()];
    r.restrictions[0].content = Some(ContentRule {
        controlled: vec!["oxide".into()],
        products: vec!["motor".into()],
        threshold: 0.001,
    });
    match shortfall::engine::StaticCascade::new(&net, &r) {
        Err(e @ Error::InvalidField { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("restrictions[0].content")
                    && m.contains("motor")
                    && m.contains("mass_per_unit"),
                "{m}"
            );
        }
        other => panic!("expected an error naming the motor's missing mass, got {other:?}"),
    }
    // 0.05 t a motor: 0.1 t of oxide in 0.05 t is above any θ up to 2.
    parts.products[1].mass_per_unit = Some(0.05);
    let net = Network::new(parts).unwrap();
    let us = net.require_region("US").unwrap().index() * 2 + 1;
    assert!((run(&net, &r).final_shortfall[us] - 100.0).abs() < 1e-9);
}
