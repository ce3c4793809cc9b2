//! Two properties that hold only under stated conditions (docs/model.md §4.8), with the
//! hand-built cases that break them outside those conditions.

mod support;

use shortfall::scenario::{CapacityLoss, Realization, Restriction, Targets};
use support::Hand;

fn assert_near(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

/// σ-monotonicity fails under `divert` with κ > 0. China cuts oxide to the US and Israel
/// (both targets) and diverts it. Vietnam's magnet maker is short of oxide for another
/// reason (its Korean supplier lost all capacity); it takes the diverted oxide, restores
/// its output, and a share κ of what it makes may reach targets, Israel among them. So
/// Israel, which buys no oxide from China at all, is better off the harder China cuts:
/// its magnet shortfall is 25 t at σ = 0 and 25 - 25 · 25/75 = 16.67 t at σ = 1.
#[test]
fn counterexample_severity_non_monotone_under_divert_with_kappa() {
    let net = support::oxide_diversion();
    let mut s = support::oxide_diversion_cut(&["US", "IL"], 1.0);
    let il = net.region_id("IL").unwrap();
    let magnet = net.product_id("magnet").unwrap();
    s.restrictions[0].severity = 0.0;
    let mild = support::run_checked(&net, &s);
    s.restrictions[0].severity = 1.0;
    let harsh = support::run_checked(&net, &s);
    assert_near(mild.final_shortfall(il, magnet), 25.0);
    assert_near(harsh.final_shortfall(il, magnet), 25.0 - 25.0 * 25.0 / 75.0);
    assert!(harsh.final_shortfall(il, magnet) < mild.final_shortfall(il, magnet));
    // With κ = 0 nothing processed from diverted oxide reaches Israel: monotone again.
    s.restrictions[0].processing_leakage = 0.0;
    assert_near(
        support::run_checked(&net, &s).final_shortfall(il, magnet),
        25.0,
    );
}

/// Own-stock monotonicity fails with ρ > 0. The US's magnet maker (1 t oxide per t) is cut
/// off from China's oxide; Germany's magnet maker has lost all capacity, so German final
/// use lacks 100 t of magnets; the Netherlands, which buy the US's magnets, hold ample
/// magnet stock. Magnet claims (100, Germany's) go first to restoring the US maker, then
/// to expanding Korea's maker, which needs 3 t of oxide per t. Malaysia can add 60 t of
/// oxide: a scarce pool shared pro rata to oxide orders.
///
/// Without US oxide stock the US maker's restoration room is 100: it takes all the claims,
/// orders 100 t of oxide, gets the whole 60, and the US lacks 40 t of oxide. With 10 t of
/// stock released, its room is 90; Korea expands by 10 and orders 30 t; the US's share of
/// the pool falls to 60 · 90/120 = 45, and it lacks 100 - 10 - 45 = 45 t: more stock, a
/// larger shortfall.
#[test]
fn counterexample_own_stock_non_monotone_with_substitution() {
    let build = |us_stock: f64| {
        let mut h = Hand::new(&["CN", "US", "NL", "DE", "KR", "MY"], &["oxide", "magnet"]);
        let cn = h.node("CN", "oxide", 100.0, &[]);
        let my = h.node("MY", "oxide", 90.0, &[]);
        let us = h.node("US", "magnet", 100.0, &[("oxide", 1.0)]);
        let de = h.node("DE", "magnet", 100.0, &[]);
        let kr = h.node("KR", "magnet", 1000.0, &[("oxide", 3.0)]);
        h.flow_to_node(cn, us, 100.0);
        h.flow_to_node(my, kr, 30.0);
        h.flow_to_final(us, "NL", 100.0);
        h.flow_to_final(de, "DE", 100.0);
        h.flow_to_final(kr, "KR", 10.0);
        h.stock("NL", "magnet", 1000.0);
        h.stock("US", "oxide", us_stock);
        h.build()
    };
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["oxide"],
            Targets::List(vec!["US".into()]),
        )],
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "DE".into(),
            product: "magnet".into(),
            share: 1.0,
        }],
        ..Realization::default()
    };
    s.mitigation.stock_release_share = 1.0;
    s.mitigation.substitution = 1.0;
    let without = build(0.0);
    let with = build(10.0);
    let us = without.region_id("US").unwrap();
    let oxide = without.product_id("oxide").unwrap();
    let short_without = support::run_checked(&without, &s).absorption_shortfall(us, oxide);
    let short_with = support::run_checked(&with, &s).absorption_shortfall(us, oxide);
    assert_near(short_without, 40.0);
    assert_near(short_with, 45.0);
    // With ρ = 0 the property holds: no pool, the stock only helps.
    s.mitigation.substitution = 0.0;
    assert!(
        support::run_checked(&with, &s).absorption_shortfall(us, oxide)
            <= support::run_checked(&without, &s).absorption_shortfall(us, oxide)
    );
}
