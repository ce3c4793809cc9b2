//! The static cascade, one hand-computed case per mechanism (docs/model.md §4), checked
//! number by number.

mod support;

use shortfall::engine::{Engine, StaticCascade, StaticOutcome};
use shortfall::network::Network;
use shortfall::scenario::{Allocation, CapacityLoss, Disposal, Realization, Restriction, Targets};
use support::Hand;

fn embargo(exporter: &str, products: &[&str], targets: &[&str]) -> Restriction<f64> {
    Restriction::full(
        [exporter],
        products.iter().copied(),
        Targets::List(targets.iter().map(|t| t.to_string()).collect()),
    )
}

fn assert_near(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

/// CN makes 100 of m: 60 to US final use, 40 to JP.
fn one_exporter() -> Network {
    let mut h = Hand::new(&["CN", "US", "JP"], &["m"]);
    let cn = h.node("CN", "m", 100.0, &[]);
    h.flow_to_final(cn, "US", 60.0);
    h.flow_to_final(cn, "JP", 40.0);
    h.build()
}

/// Restriction with leakage: σ = 0.5, λ = 0.2 on CN -> US over one year.
/// allowed = 60 (1 - 0.5 · 0.8) = 36; kept = 24; leaked = 60 · 0.5 · 0.2 = 6.
#[test]
fn restriction_with_leakage() {
    let net = one_exporter();
    let mut r = embargo("CN", &["m"], &["US"]);
    r.severity = 0.5;
    r.leakage = 0.2;
    let s = Realization {
        horizon: 1.0,
        restrictions: vec![r],
        ..Realization::default()
    };
    let o = support::run_checked(&net, &s);
    let (us, m) = support::at(&net, "US", "m");
    let (jp, _) = support::at(&net, "JP", "m");
    assert_near(o.final_shortfall(us, m), 24.0);
    assert_near(o.final_share(us, m).unwrap(), 0.4);
    assert_near(o.final_shortfall(jp, m), 0.0);
    assert_near(o.kept[m.index()], 24.0);
    assert_near(o.leaked[m.index()], 6.0);
    // Under keep, CN makes its full output and keeps what it cannot ship.
    assert_near(o.output_change[0], 0.0);
}

/// Rationing against the schedule, and the order of the cut and the rationing: CN loses
/// half its capacity (F = 50 of a schedule of 100, f = 0.5) and blocks all of the US's 60.
/// JP gets f · 40 = 20. Rationing against the *allowed* shipments instead (cut first, then
/// share F among what may still ship) would give JP min(40, 50) = 40 and hand the US's
/// blocked volume to JP: swapping the two steps changes the answer.
#[test]
fn rationing_against_the_schedule_and_the_order_of_cut_and_rationing() {
    let net = one_exporter();
    let s = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("CN", &["m"], &["US"])],
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: "m".into(),
            share: 0.5,
        }],
        ..Realization::default()
    };
    let o = support::run_checked(&net, &s);
    let (us, m) = support::at(&net, "US", "m");
    let (jp, _) = support::at(&net, "JP", "m");
    assert_near(o.final_shortfall(jp, m), 20.0);
    assert_near(o.final_shortfall(us, m), 60.0);
    assert_near(o.kept[m.index()], 30.0);
    let cut_then_ration_jp_shortfall = 40.0 - 40.0f64.min(50.0);
    assert!((o.final_shortfall(jp, m) - cut_then_ration_jp_shortfall).abs() > 1.0);
}

/// Keep versus divert: CN ships 50 to the US (target) and 50 to JP; KR's 50 to JP is
/// lost (capacity loss 100%). Under keep CN keeps 50 and JP lacks 50; under divert the 50
/// go to the pool, tagged, and to JP (not a target); the US gets none of it.
#[test]
fn keep_versus_divert() {
    let mut h = Hand::new(&["CN", "US", "JP", "KR"], &["m"]);
    let cn = h.node("CN", "m", 100.0, &[]);
    let kr = h.node("KR", "m", 50.0, &[]);
    h.flow_to_final(cn, "US", 50.0);
    h.flow_to_final(cn, "JP", 50.0);
    h.flow_to_final(kr, "JP", 50.0);
    let net = h.build();
    let (us, m) = support::at(&net, "US", "m");
    let (jp, _) = support::at(&net, "JP", "m");
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("CN", &["m"], &["US"])],
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "KR".into(),
            product: "m".into(),
            share: 1.0,
        }],
        ..Realization::default()
    };
    let keep = support::run_checked(&net, &s);
    assert_near(keep.final_shortfall(us, m), 50.0);
    assert_near(keep.final_shortfall(jp, m), 50.0);
    assert_near(keep.kept[m.index()], 50.0);
    s.restrictions[0].disposal = Disposal::Divert;
    let divert = support::run_checked(&net, &s);
    assert_near(divert.final_shortfall(us, m), 50.0);
    assert_near(divert.final_shortfall(jp, m), 0.0);
    assert_near(divert.diverted[m.index()], 50.0);
    assert_near(divert.kept[m.index()], 0.0);
    assert_near(divert.surplus[m.index()], 0.0);
}

/// Own stock with its rate limit: the US holds 40 t of m; release share 0.5 allows 20,
/// the rate 8 t a year over half a year allows 4. Its two users (final use and a maker of
/// g), each scheduled 30 over the half year and cut off, get 2 each.
#[test]
fn own_stock_with_its_rate_limit() {
    let mut h = Hand::new(&["CN", "US"], &["m", "g"]);
    let cn = h.node("CN", "m", 120.0, &[]);
    let us_g = h.node("US", "g", 60.0, &[("m", 1.0)]);
    h.flow_to_final(cn, "US", 60.0);
    h.flow_to_node(cn, us_g, 60.0);
    h.flow_to_final(us_g, "US", 60.0);
    h.stock("US", "m", 40.0);
    let net = h.build();
    let mut s = Realization {
        horizon: 0.5,
        restrictions: vec![embargo("CN", &["m"], &["US"])],
        ..Realization::default()
    };
    s.mitigation.stock_release_share = 0.5;
    s.mitigation.release_rate = Some(8.0);
    let o = support::run_checked(&net, &s);
    let (us, m) = support::at(&net, "US", "m");
    let (_, g) = support::at(&net, "US", "g");
    assert_near(o.stock_released[us.index() * 2 + m.index()], 4.0);
    assert_near(o.final_shortfall(us, m), 28.0);
    // The maker of g got 2 of its 30: it makes 2 of 30, and m's absorption lacks 56.
    assert_near(o.final_shortfall(us, g), 28.0);
    assert_near(o.absorption_shortfall(us, m), 56.0);
    // Without the rate, the share allows 20: 10 each.
    s.mitigation.release_rate = None;
    let o = support::run_checked(&net, &s);
    assert_near(o.final_shortfall(us, m), 20.0);
}

/// CN's m is lost (capacity loss 100%): the US and DE each lack 50 of final use. JP makes
/// 100 with capacity 140; with ρ = 1 it expands by 40 into the pool.
fn pool_case(allocation: Allocation) -> (Network, StaticOutcome) {
    let mut h = Hand::new(&["CN", "US", "DE", "JP"], &["m"]);
    let cn = h.node("CN", "m", 100.0, &[]);
    let jp = h.node("JP", "m", 140.0, &[]);
    h.flow_to_final(cn, "US", 50.0);
    h.flow_to_final(cn, "DE", 50.0);
    h.flow_to_final(jp, "JP", 100.0);
    let net = h.build();
    let mut s = Realization {
        horizon: 1.0,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: "m".into(),
            share: 1.0,
        }],
        ..Realization::default()
    };
    s.mitigation.substitution = 1.0;
    s.mitigation.allocation = allocation;
    let o = support::run_checked(&net, &s);
    (net, o)
}

#[test]
fn pool_pro_rata() {
    let (net, o) = pool_case(Allocation::ProRata);
    let (us, m) = support::at(&net, "US", "m");
    let (de, _) = support::at(&net, "DE", "m");
    assert_near(o.incremental[m.index()], 40.0);
    assert_near(o.final_shortfall(us, m), 30.0);
    assert_near(o.final_shortfall(de, m), 30.0);
}

#[test]
fn pool_bloc_first() {
    let (net, o) = pool_case(Allocation::BlocFirst(Targets::Bloc("US+8".into())));
    let (us, m) = support::at(&net, "US", "m");
    let (de, _) = support::at(&net, "DE", "m");
    assert_near(o.final_shortfall(us, m), 10.0);
    assert_near(o.final_shortfall(de, m), 50.0);
}

/// Substitution limited by its inputs: JP's magnet maker has room to expand (capacity
/// 200, output 100, 0.5 t oxide per t), but JP's oxide maker has `oxide_room` of spare
/// capacity. The US lacks CN's 50 t of magnets.
fn substitution_case(oxide_room: f64) -> (Network, StaticOutcome) {
    let mut h = Hand::new(&["CN", "US", "JP"], &["oxide", "magnet"]);
    let jp_oxide = h.node("JP", "oxide", 50.0 + oxide_room, &[]);
    let jp_magnet = h.node("JP", "magnet", 200.0, &[("oxide", 0.5)]);
    // China's magnets have no inputs modelled here.
    let cn_magnet = h.node("CN", "magnet", 50.0, &[]);
    h.flow_to_node(jp_oxide, jp_magnet, 50.0);
    h.flow_to_final(jp_magnet, "JP", 100.0);
    h.flow_to_final(cn_magnet, "US", 50.0);
    let net = h.build();
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("CN", &["magnet"], &["US"])],
        ..Realization::default()
    };
    s.mitigation.substitution = 1.0;
    let o = support::run_checked(&net, &s);
    (net, o)
}

#[test]
fn substitution_limited_by_its_inputs() {
    // No spare oxide: the planned expansion of 50 magnets gets no oxide; nothing arrives.
    let (net, o) = substitution_case(0.0);
    let (us, magnet) = support::at(&net, "US", "magnet");
    assert_near(o.final_shortfall(us, magnet), 50.0);
    // 10 t of spare oxide: JP makes 20 more magnets, all to the US's claim.
    let (net, o) = substitution_case(10.0);
    assert_near(o.final_shortfall(us, magnet), 30.0);
    assert_near(
        o.expansion_input[net.region_id("JP").unwrap().index() * 2],
        10.0,
    );
}

/// Processing leakage: CN diverts the 50 t of oxide it may not ship to the US's magnet
/// maker (which has lost all capacity, so nothing can be restored there). VN's magnet
/// maker (capacity 100, output 50, 1 t oxide per t) expands with the tagged oxide; of the
/// 50 t of tagged magnets it makes, at most κ = 0.3 may reach the US: 15 t.
fn kappa_case(kappa: f64) -> (Network, StaticOutcome) {
    let mut h = Hand::new(&["CN", "US", "VN"], &["oxide", "magnet"]);
    let cn = h.node("CN", "oxide", 100.0, &[]);
    let us = h.node("US", "magnet", 50.0, &[("oxide", 1.0)]);
    let vn = h.node("VN", "magnet", 100.0, &[("oxide", 1.0)]);
    h.flow_to_node(cn, us, 50.0);
    h.flow_to_node(cn, vn, 50.0);
    h.flow_to_final(us, "US", 50.0);
    h.flow_to_final(vn, "VN", 50.0);
    let net = h.build();
    let mut r = embargo("CN", &["oxide"], &["US"]);
    r.disposal = Disposal::Divert;
    r.processing_leakage = kappa;
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![r],
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "US".into(),
            product: "magnet".into(),
            share: 1.0,
        }],
        ..Realization::default()
    };
    s.mitigation.substitution = 1.0;
    let o = support::run_checked(&net, &s);
    (net, o)
}

#[test]
fn processing_leakage_kappa() {
    let (net, o) = kappa_case(0.3);
    let (us, magnet) = support::at(&net, "US", "magnet");
    let (vn, _) = support::at(&net, "VN", "magnet");
    assert_near(o.processed[magnet.index()], 50.0);
    assert_near(o.processed_leaked[magnet.index()], 15.0);
    assert_near(o.final_shortfall(us, magnet), 35.0);
    assert_near(o.final_shortfall(vn, magnet), 0.0);
    assert_near(o.surplus[magnet.index()], 35.0);
    let (_, o) = kappa_case(0.0);
    assert_near(o.processed_leaked[magnet.index()], 0.0);
    assert_near(o.final_shortfall(us, magnet), 50.0);
}

/// Demand response: of the US's remaining 60 t deficit, 30% is deferred (backlog) and
/// 20% met by another technology; the final-use shortfall is the other 30 t.
#[test]
fn demand_response() {
    let net = one_exporter();
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("CN", &["m"], &["US"])],
        ..Realization::default()
    };
    s.mitigation.deferrable = 0.3;
    s.mitigation.substitutable = 0.2;
    let o = support::run_checked(&net, &s);
    let (us, m) = support::at(&net, "US", "m");
    let i = us.index();
    assert_near(o.backlog[i], 18.0);
    assert_near(o.substituted[i], 12.0);
    assert_near(o.final_shortfall(us, m), 30.0);
    assert_near(o.absorption_shortfall(us, m), 30.0);
}

/// A region's own stock is released before the pool is shared: in the pool case with a
/// 30 t US stock released first, the US's claim on the pool falls to 20 and DE gets the
/// larger share. Sharing the pool first and releasing stock after would leave the US with
/// 20 from the pool plus 30 of stock (shortfall 0) and DE with 30.
#[test]
fn own_stock_comes_before_the_pool() {
    let mut h = Hand::new(&["CN", "US", "DE", "JP"], &["m"]);
    let cn = h.node("CN", "m", 100.0, &[]);
    let jp = h.node("JP", "m", 140.0, &[]);
    h.flow_to_final(cn, "US", 50.0);
    h.flow_to_final(cn, "DE", 50.0);
    h.flow_to_final(jp, "JP", 100.0);
    h.stock("US", "m", 30.0);
    let net = h.build();
    let mut s = Realization {
        horizon: 1.0,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: "m".into(),
            share: 1.0,
        }],
        ..Realization::default()
    };
    s.mitigation.substitution = 1.0;
    s.mitigation.stock_release_share = 1.0;
    let o = support::run_checked(&net, &s);
    let (us, m) = support::at(&net, "US", "m");
    let (de, _) = support::at(&net, "DE", "m");
    // Claims 20 (US) and 50 (DE) on a pool of 40: US gets 40·20/70, DE 40·50/70.
    assert_near(o.final_shortfall(us, m), 20.0 - 40.0 * 20.0 / 70.0);
    assert_near(o.final_shortfall(de, m), 50.0 - 40.0 * 50.0 / 70.0);
    let pool_first_de = 30.0;
    assert!((o.final_shortfall(de, m) - pool_first_de).abs() > 1.0);
}

#[test]
fn invalid_scenarios_name_the_field() {
    let net = one_exporter();
    let mut r = embargo("CN", &["m"], &["US"]);
    r.severity = 1.5;
    let s = Realization {
        horizon: 1.0,
        restrictions: vec![r],
        ..Realization::default()
    };
    let err = StaticCascade::new(&net, &s).unwrap_err();
    assert!(
        err.to_string().contains("restrictions[0].severity"),
        "{err}"
    );
    let s = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("XX", &["m"], &["US"])],
        ..Realization::default()
    };
    let err = StaticCascade::new(&net, &s).unwrap_err();
    assert!(
        err.to_string().contains("restrictions[0].exporters[0]") && err.to_string().contains("XX"),
        "{err}"
    );
    let s = Realization {
        horizon: 0.0,
        ..Realization::default()
    };
    assert!(StaticCascade::new(&net, &s)
        .unwrap_err()
        .to_string()
        .contains("horizon"));
    // Two restrictions on the same flow.
    let s = Realization {
        horizon: 1.0,
        restrictions: vec![
            embargo("CN", &["m"], &["US"]),
            embargo("CN", &["m"], &["US", "JP"]),
        ],
        ..Realization::default()
    };
    assert!(StaticCascade::new(&net, &s)
        .unwrap_err()
        .to_string()
        .contains("overlaps"));
    // A realization of another structure.
    let built = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let engine = StaticCascade::new(&net, &built).unwrap();
    let mut ws = engine.workspace(&net);
    let other = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("CN", &["m"], &["US"])],
        ..Realization::default()
    };
    assert!(engine.run(&net, &other, &mut ws).is_err());
}

#[test]
fn prices_give_the_gross_output_lost() {
    let net = one_exporter();
    let mut s = Realization {
        horizon: 1.0,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: "m".into(),
            share: 0.25,
        }],
        ..Realization::default()
    };
    s.prices.insert("m".into(), 2.0);
    let o = support::run_checked(&net, &s);
    let cn = net.region_id("CN").unwrap();
    assert_near(o.gross_output_lost(&[cn]).unwrap(), 50.0);
}

/// A multiplier on a downstream recipe rescales that product's unit: with twice the oxide
/// per unit of magnets, the US's lost magnets count half as many units, the same share of
/// its use, and tonnage flows (oxide) are untouched.
#[test]
fn a_recipe_multiplier_rescales_its_product_and_keeps_shares() {
    let net = shortfall::network::toy_chain();
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![embargo("CN", &["magnet"], &["US"])],
        ..Realization::default()
    };
    let plain = support::run_checked(&net, &s);
    s.perturbation
        .recipes
        .push(shortfall::scenario::RecipeScale {
            product: "magnet".into(),
            multiplier: 2.0,
        });
    let scaled = support::run_checked(&net, &s);
    let (us, magnet) = support::at(&net, "US", "magnet");
    let (_, oxide) = support::at(&net, "US", "oxide");
    assert_near(plain.final_shortfall(us, magnet), 34.0);
    assert_near(scaled.final_shortfall(us, magnet), 17.0);
    assert_near(scaled.final_share(us, magnet).unwrap(), 34.0 / 42.0);
    assert_near(
        scaled.absorption_shortfall(us, oxide),
        plain.absorption_shortfall(us, oxide),
    );
    // Without the shock nothing falls short.
    s.restrictions[0].severity = 0.0;
    let calm = support::run_checked(&net, &s);
    assert!(calm.absorption_shortfall.iter().all(|&x| x.abs() < 1e-12));
}

/// A capacity addition (§3.1) is fully usable from its date, whatever ρ: China's magnets to
/// the US (100 a year) are cut; Vietnam, without spare capacity, adds 40 a year from a
/// quarter into the year; the US gets 30 of it over the year.
#[test]
fn a_capacity_addition_supplies_from_its_date() {
    use shortfall::scenario::CapacityAddition;
    let mut h = Hand::new(&["CN", "US", "VN"], &["magnet"]);
    let cn = h.node("CN", "magnet", 100.0, &[]);
    let vn = h.node("VN", "magnet", 10.0, &[]);
    h.flow_to_final(cn, "US", 100.0);
    h.flow_to_final(vn, "VN", 10.0);
    let net = h.build();
    let mut r = Realization {
        horizon: 1.0,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["magnet"],
            Targets::List(vec!["US".into()]),
        )],
        capacity_additions: vec![CapacityAddition {
            region: "VN".into(),
            product: "magnet".into(),
            capacity: 40.0,
            from: 0.25,
        }],
        ..Realization::default()
    };
    let us = net.require_region("US").unwrap().index();
    let o = support::run_checked(&net, &r);
    assert!(
        (o.final_shortfall[us] - 70.0).abs() < 1e-9,
        "{}",
        o.final_shortfall[us]
    );
    r.capacity_additions[0].from = 0.0;
    let o = support::run_checked(&net, &r);
    assert!((o.final_shortfall[us] - 60.0).abs() < 1e-9);
    r.capacity_additions[0].from = 2.0;
    let o = support::run_checked(&net, &r);
    assert!((o.final_shortfall[us] - 100.0).abs() < 1e-9);
}

/// A step profile (`over = 0`) counts from where it happens (docs/model.md §3.3): one
/// edge CN → US of 100 a year, σ = 1, over a year.
#[test]
fn step_profiles_are_averaged_from_the_step() {
    use shortfall::scenario::Ramp;
    let net = one_exporter();
    let (us, m) = support::at(&net, "US", "m");
    let case = |ramp: Ramp, h: f64| {
        let mut cut = embargo("CN", &["m"], &["US"]);
        cut.severity_ramp = Some(ramp);
        let s = Realization {
            horizon: h,
            restrictions: vec![cut],
            ..Realization::default()
        };
        support::run_checked(&net, &s).final_shortfall(us, m)
    };
    let step = |from, to, delay| Ramp {
        from,
        to,
        delay,
        over: 0.0,
        then: None,
    };
    // Inside the horizon: 0 for half a year, then 60 a year cut for the other half.
    assert_near(case(step(0.0, 1.0, 0.5), 1.0), 30.0);
    // At its start: the step is immediate, the whole year at `to`.
    assert_near(case(step(1.0, 0.0, 0.0), 1.0), 0.0);
    assert_near(case(step(0.0, 1.0, 0.0), 1.0), 60.0);
    // At its end: the step has no time to act.
    assert_near(case(step(0.0, 1.0, 1.0), 1.0), 0.0);
    // japan_2010's shape: cut until 1/6 year, then nothing, over 5 months: mean 0.4.
    let h = 5.0 / 12.0;
    assert_near(case(step(1.0, 0.0, 1.0 / 6.0), h), 60.0 * h * 0.4);
    // An almost-step agrees with the step.
    let almost = Ramp {
        over: 1e-9,
        ..step(0.0, 1.0, 0.5)
    };
    assert!((case(almost, 1.0) - 30.0).abs() < 1e-6);
}

/// Case M1 of docs/model.md §4.5. Vietnam makes 1 t of c from 1 t of a and 1 t of b, for
/// the US; its own a maker loses 11% of capacity; a new Chinese a plant (no output yet,
/// capacity 1,000) can restore it; China ships 1 t of b to Vietnam and 10 t to US final
/// use, stops the latter and diverts it, κ = 0; ρ = 1. Vietnam's restored 0.11 t of c
/// runs on b it already holds: exact arithmetic orders no b and the US lacks no c. In
/// floating point the order came out at 1.4e-17 t, which tagged the whole increment.
fn vietnam_case(loss: f64, c_capacity: f64, japan: bool) -> (Network, Realization) {
    let regions: &[&str] = if japan {
        &["VN", "US", "CN", "JP"]
    } else {
        &["VN", "US", "CN"]
    };
    let mut h = Hand::new(regions, &["a", "b", "c"]);
    let vn_a = h.node("VN", "a", 1.0, &[]);
    let _cn_a = h.node("CN", "a", 1000.0, &[]);
    let cn_b = h.node("CN", "b", 11.0, &[]);
    let vn_c = h.node("VN", "c", c_capacity, &[("a", 1.0), ("b", 1.0)]);
    h.flow_to_node(vn_a, vn_c, 1.0);
    h.flow_to_node(cn_b, vn_c, 1.0);
    h.flow_to_final(cn_b, "US", 10.0);
    h.flow_to_final(vn_c, "US", 1.0);
    let mut losses = vec![CapacityLoss {
        item: Default::default(),
        region: "VN".into(),
        product: "a".into(),
        share: loss,
    }];
    if japan {
        let jp_c = h.node("JP", "c", 1.0, &[]);
        h.flow_to_final(jp_c, "US", 1.0);
        losses.push(CapacityLoss {
            item: Default::default(),
            region: "JP".into(),
            product: "c".into(),
            share: 1.0,
        });
    }
    let mut cut = embargo("CN", &["b"], &["US"]);
    cut.disposal = Disposal::Divert;
    cut.processing_leakage = 0.0;
    let mut s = Realization {
        horizon: 1.0,
        restrictions: vec![cut],
        capacity_losses: losses,
        ..Realization::default()
    };
    s.mitigation.substitution = 1.0;
    (h.build(), s)
}

#[test]
fn m1_a_rounding_residual_orders_nothing() {
    let (net, s) = vietnam_case(0.11, 1.0, false);
    let o = support::run_checked(&net, &s);
    let (us, c) = support::at(&net, "US", "c");
    assert!(
        o.final_shortfall(us, c).abs() < 1e-12,
        "US lacks {} t of c",
        o.final_shortfall(us, c)
    );
    assert_near(o.final_shortfall(us, net.product_id("b").unwrap()), 10.0);
}

/// Case M2 of docs/model.md §4.5: the tag share is continuous in the receipts. Japan's
/// 1 t of c to the US is lost; Vietnam's c capacity is 1 + δ; the US lacks 1 t for every δ
/// (the receipt-share rule gave 1.25 t for every δ > 0).
#[test]
fn m2_the_tag_share_is_continuous() {
    for delta in [0.0, 2f64.powi(-30), 1e-8, 0.25] {
        let (net, s) = vietnam_case(0.25, 1.0 + delta, true);
        let o = support::run_checked(&net, &s);
        let (us, c) = support::at(&net, "US", "c");
        assert!(
            (o.final_shortfall(us, c) - 1.0).abs() < 1e-9,
            "δ = {delta}: US lacks {} t of c",
            o.final_shortfall(us, c)
        );
        // What Vietnam made with diverted b is processed tagged volume, kept from the US.
        assert!((o.processed[c.index()] - delta).abs() < 1e-9);
    }
}

/// A closing item does not expand into room a demand fall leaves (docs/model.md §4.3):
/// the US maker of 10 loses half; the Netherlands' 4 of final use come from a secondary
/// item and fall by half; ρ = 1. The US lacks 5, not 3.
#[test]
fn a_closing_item_does_not_expand() {
    use shortfall::network::NodeKind;
    use shortfall::scenario::DemandShift;
    let mut h = Hand::new(&["US", "NL"], &["m"]);
    let us_m = h.node("US", "m", 10.0, &[]);
    let nl_m = h.closing("NL", "m", NodeKind::Secondary, 4.0);
    h.flow_to_final(us_m, "US", 10.0);
    h.flow_to_final(nl_m, "NL", 4.0);
    let net = h.build();
    let mut s = Realization {
        horizon: 1.0,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "US".into(),
            product: "m".into(),
            share: 0.5,
        }],
        demand_shifts: vec![DemandShift {
            region: "NL".into(),
            product: "m".into(),
            change: -0.5,
        }],
        ..Realization::default()
    };
    s.mitigation.substitution = 1.0;
    let o = support::run_checked(&net, &s);
    let (us, m) = support::at(&net, "US", "m");
    assert_near(o.final_shortfall(us, m), 5.0);
}

/// The κ gate serves non-targets first (docs/model.md §4.5), the definition: China
/// diverts the 50 t of oxide it may not ship to the US; Vietnam's magnet maker, short of
/// Korean oxide, restores its 50 t with it; the magnet claims are the US's 50 (a target)
/// and Vietnam's and Israel's 25 each. With κ = 0.5 the non-targets take all 50 and the
/// US still lacks 50 (the rule over all claims, targets capped at κ·P, would give the US
/// 25 and leave Vietnam and Israel 12.5 short each).
#[test]
fn kappa_gate_serves_non_targets_first() {
    let net = support::oxide_diversion();
    let s = support::oxide_diversion_cut(&["US"], 0.5);
    let o = support::run_checked(&net, &s);
    let magnet = net.product_id("magnet").unwrap();
    for (region, lacks) in [("US", 50.0), ("VN", 0.0), ("IL", 0.0)] {
        assert_near(
            o.final_shortfall(net.region_id(region).unwrap(), magnet),
            lacks,
        );
    }
    assert_near(o.processed[magnet.index()], 50.0);
    assert_near(o.processed_leaked[magnet.index()], 0.0);
}
