//! Recycling loops of new scrap (docs/model.md §1.9): the static engine's fixed point and
//! the dynamic engine's lag, worked by hand; the loop-gain check; traced content over a
//! loop; properties on generated networks with a loop.

mod support;

use proptest::prelude::*;
use shortfall::engine::{Dynamic, DynamicSettings, Mode, Step};
use shortfall::metrics::{content_by_origin, content_by_origin_dense};
use shortfall::network::{Network, NodeId};
use shortfall::scenario::{Realization, Restriction, Targets};
use support::{close, run, run_checked, run_dynamic, shock, small_network, Hand};

/// Japan makes 100 t of magnets a year from 0.3 t of NdPr each: 24 t from China and 6 t
/// recovered from its own new scrap, a joint output of its magnets at 0.06 t per t (scrap
/// of 25% of output holding 0.3 t NdPr per t, recovered at 80%); loop gain 0.06 / 0.3.
fn scrap_loop() -> Network {
    let mut h = Hand::new(&["CN", "JP"], &["ndpr", "magnet"]);
    let cn = h.node("CN", "ndpr", 24.0, &[]);
    let recycler = h.node("JP", "ndpr", 10.0, &[]);
    let magnets = h.node("JP", "magnet", 100.0, &[("ndpr", 0.3)]);
    h.flow_to_node(cn, magnets, 24.0);
    h.flow_to_node(recycler, magnets, 6.0);
    h.flow_to_final(magnets, "JP", 100.0);
    h.joint(recycler, magnets, 0.06);
    h.build()
}

fn half_cut() -> Realization {
    let mut cut = Restriction::full(["CN"], ["ndpr"], Targets::List(vec!["JP".into()]));
    cut.severity = 0.5;
    Realization {
        horizon: 1.0,
        restrictions: vec![cut],
        ..Realization::default()
    }
}

/// §1.9 by hand: with half of China's NdPr, `Q = (12 + 0.06 Q) / 0.3`, so `Q = 50` t of
/// magnets and 3 t recycled (60 t if the recycled flow stayed at 6 t). The secant step
/// reaches it in three passes; with no shock one pass.
#[test]
fn a_scrap_loop_at_baseline_and_under_a_cut() {
    let net = scrap_loop();
    assert!(net.recycles()[0]);
    let (jp, magnet) = (
        net.region_id("JP").unwrap(),
        net.product_id("magnet").unwrap(),
    );
    let ndpr = net.product_id("ndpr").unwrap();
    let calm = run_checked(
        &net,
        &Realization {
            horizon: 1.0,
            ..Realization::default()
        },
    );
    assert_eq!(calm.recycling_passes, 1);
    assert!(calm.absorption_shortfall.iter().all(|&s| s == 0.0));
    let o = run_checked(&net, &half_cut());
    assert!(
        close(o.production[magnet.index()], 50.0),
        "{}",
        o.production[magnet.index()]
    );
    assert!(close(o.final_shortfall(jp, magnet), 50.0));
    let recycled = o.production[ndpr.index()] - 24.0;
    assert!(close(recycled, 3.0), "{recycled}");
    assert!(o.recycling_passes <= 3, "{} passes", o.recycling_passes);
    assert!(o.recycling_residual <= 1e-10);
}

/// The dynamic engine carries the scrap a step late: in the static-equivalent mode
/// `x_t = (1 + min(0.5, 0.06 x_{t-1})) / 0.3` a month, which settles at the static
/// engine's 50 t a year; with no shock every step is the baseline.
#[test]
fn the_dynamic_engine_lags_the_loop_by_a_step() {
    let net = scrap_loop();
    let magnet = net.product_id("magnet").unwrap();
    let jp = net.region_id("JP").unwrap();
    let node = net.node_id(jp, magnet).unwrap();
    let r = Realization {
        run_length: Some(2.0),
        horizon: 2.0,
        ..half_cut()
    };
    let settings = DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &r, settings.clone()).unwrap();
    let o = run_dynamic(&engine, &net, &r);
    let mut x: f64 = 100.0 / 12.0;
    for t in 0..engine.steps() {
        x = (1.0 + (0.5f64).min(0.06 * x)) / 0.3;
        assert!(
            close(o.output(node, t), x),
            "step {t}: {} vs {x}",
            o.output(node, t)
        );
    }
    assert!((x - 50.0 / 12.0).abs() < 1e-9);
    let calm = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    for mode in [Mode::StaticEquivalent, Mode::Standard] {
        let settings = DynamicSettings {
            mode,
            ..settings.clone()
        };
        let engine = Dynamic::new(&net, &calm, settings).unwrap();
        let o = run_dynamic(&engine, &net, &calm);
        for t in 0..engine.steps() {
            assert!(close(o.output(node, t), 100.0 / 12.0));
        }
    }
}

/// A loop that returns at least what its host holds has no fixed point below it.
#[test]
fn a_loop_gain_of_one_is_refused() {
    let mut h = Hand::new(&["JP"], &["ndpr", "magnet"]);
    let recycler = h.node("JP", "ndpr", 30.0, &[]);
    let magnets = h.node("JP", "magnet", 100.0, &[("ndpr", 0.3)]);
    h.flow_to_node(recycler, magnets, 30.0);
    h.flow_to_final(magnets, "JP", 100.0);
    h.joint(recycler, magnets, 0.3);
    let e = Network::new(h.parts()).unwrap_err().to_string();
    assert!(e.contains("recycling loop") && e.contains("below 1"), "{e}");
}

/// Traced content over a loop: the forward passes and the dense solve agree.
#[test]
fn content_over_a_loop() {
    let net = scrap_loop();
    let ndpr = net.product_id("ndpr").unwrap();
    let (sparse, dense) = (
        content_by_origin(&net, ndpr).unwrap(),
        content_by_origin_dense(&net, ndpr).unwrap(),
    );
    for n in net.node_ids() {
        for (a, b) in sparse.of_node(n).iter().zip(dense.of_node(n)) {
            assert!(close(*a, *b), "{a} vs {b}");
        }
    }
    let magnet = net
        .node_id(
            net.region_id("JP").unwrap(),
            net.product_id("magnet").unwrap(),
        )
        .unwrap();
    // 30 t of NdPr in 100 t of magnets, shared with the scrap's 6 t by mass: 0.3 / 1.06.
    let total: f64 = sparse.of_node(magnet).iter().sum();
    assert!(close(total, 0.3 / 1.06), "{total}");
}

/// A recycling link on a generated network: a node of a product that an earlier stage of
/// another node's chain uses, in the same region, at a yield above the baseline ratio and
/// a gain below 1 (`Network::new` refuses the others).
fn with_loop(net: &Network, pick: usize, slack: f64) -> Option<Network> {
    let feeds = |k: NodeId, h: NodeId| {
        let made = net.node(k).product;
        net.inputs(h).iter().any(|i| i.product == made)
    };
    support::with_joint(net, pick, slack, feeds).filter(|n| n.recycles()[0])
}

proptest! {
    // A loop fits about one generated network in twenty (its recycler must make less
    // than its host's chain holds): hence many cases, each fast.
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// §4.8 over a loop: no shock, no shortfall in one pass; bounds and balance under
    /// random shocks, the loop converged.
    #[test]
    fn properties_hold_over_a_recycling_loop(
        net in small_network(),
        s in shock(),
        pick in 0usize..1000,
        slack in 0.0f64..0.5,
    ) {
        let Some(net) = with_loop(&net, pick, slack) else { return Ok(()); };
        let o = run(&net, &Realization { horizon: s.horizon, ..Realization::default() });
        prop_assert_eq!(o.recycling_passes, 1);
        for (i, &x) in o.absorption_shortfall.iter().enumerate() {
            prop_assert!(x <= 1e-12 * o.absorption_baseline[i].max(1.0));
        }
        let r = s.realization(&net);
        let o = run(&net, &r);
        prop_assert_eq!(support::outcome_violation(&net, &r, &o), None);
        prop_assert!(o.recycling_residual <= 1e-10, "{} after {} passes", o.recycling_residual, o.recycling_passes);
    }
}

/// §1.9 metrics over a loop: China mines 48 t of ore for its 24 t of NdPr (2 t a tonne);
/// content of ore flows round the loop (the recycled NdPr carries the magnets' content),
/// the forward passes agree with the dense solve, and Japan's magnets are touched by China
/// in full (the only untouched input, the recycled NdPr, is made of touched magnets).
#[test]
fn content_and_touched_by_around_a_loop() {
    let mut h = Hand::new(&["CN", "JP"], &["ore", "ndpr", "magnet"]);
    let ore = h.node("CN", "ore", 48.0, &[]);
    let cn = h.node("CN", "ndpr", 24.0, &[("ore", 2.0)]);
    let recycler = h.node("JP", "ndpr", 10.0, &[]);
    let magnets = h.node("JP", "magnet", 100.0, &[("ndpr", 0.3)]);
    h.flow_to_node(ore, cn, 48.0);
    h.flow_to_node(cn, magnets, 24.0);
    h.flow_to_node(recycler, magnets, 6.0);
    h.flow_to_final(magnets, "JP", 100.0);
    h.joint(recycler, magnets, 0.06);
    let net = h.build();
    let ore_id = net.product_id("ore").unwrap();
    let (sparse, dense) = (
        content_by_origin(&net, ore_id).unwrap(),
        content_by_origin_dense(&net, ore_id).unwrap(),
    );
    // By hand: raw_M = (24·2 + 6·C_R) / 100, C_R = raw_M / 1.06, C_M = raw_M / 1.06:
    // raw_M = 0.48 / (1 - 0.06 / 1.06).
    let raw = 0.48 / (1.0 - 0.06 / 1.06);
    let total = |c: &shortfall::metrics::ContentByOrigin, n| c.of_node(n).iter().sum::<f64>();
    assert!(close(total(&sparse, magnets), raw / 1.06));
    assert!(close(total(&sparse, recycler), raw / 1.06));
    for n in net.node_ids() {
        assert!(close(total(&sparse, n), total(&dense, n)));
    }
    let t = shortfall::metrics::touched_by(&net, net.region_id("CN").unwrap()).unwrap();
    assert!(close(t.node_share(magnets).unwrap(), 1.0));
    assert!(close(t.node_share(recycler).unwrap(), 1.0));
}
