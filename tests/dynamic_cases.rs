//! The dynamic engine on small cases worked by hand (docs/model.md §5.9), its baseline
//! with no shock, its errors, and the Monte Carlo driver running it unchanged.

mod support;

use shortfall::data::read_pymrio;
use shortfall::engine::{Dynamic, DynamicOutcome, DynamicSettings, DynamicWorkspace, Mode, Step};
use shortfall::montecarlo::{simulate, Settings};
use shortfall::network::{Network, NodeId, Synthetic};
use shortfall::scenario::{
    CapacityAddition, CapacityLoss, Dist, Param, Realization, Restriction, ScenarioSpec, Targets,
};
use shortfall::tolerance::{close, STEADY};
use shortfall::Error;
use support::Hand;

/// Two regions, two products (annual flows; per month, a twelfth):
/// A-ore 120 -> A-metal; B-ore 60 -> A-metal, 60 -> B-metal;
/// A-metal (3 ore per metal) 60 -> final use in A; B-metal (2 ore per metal) 30 -> final
/// use in B. Capacity: A-ore 120, B-ore `b_ore_cap`, metals at output.
/// Per month: A-ore 10, B-ore 10 (5 + 5), A-metal 5, B-metal 2.5.
fn two_by_two(b_ore_cap: f64) -> (Network, [NodeId; 4]) {
    let mut h = Hand::new(&["A", "B"], &["ore", "metal"]);
    let a_ore = h.node("A", "ore", 120.0, &[]);
    let b_ore = h.node("B", "ore", b_ore_cap, &[]);
    let a_metal = h.node("A", "metal", 60.0, &[("ore", 3.0)]);
    let b_metal = h.node("B", "metal", 30.0, &[("ore", 2.0)]);
    h.flow_to_node(a_ore, a_metal, 120.0);
    h.flow_to_node(b_ore, a_metal, 60.0);
    h.flow_to_node(b_ore, b_metal, 60.0);
    h.flow_to_final(a_metal, "A", 60.0);
    h.flow_to_final(b_metal, "B", 30.0);
    (h.build(), [a_ore, b_ore, a_metal, b_metal])
}

/// Months; inventory cover 3 months (a target of 45 ore at A-metal, 15 at B-metal),
/// restoration over 2 months, overproduction over 4; A-ore loses all its capacity from
/// step 1 for `months` steps.
fn run_hand(net: &Network, mode: Mode, months: usize, steps: usize) -> DynamicOutcome {
    let month = 365.0 / 12.0;
    let settings = DynamicSettings {
        mode,
        step: Step::Month,
        steps,
        inventory_days: 3.0 * month,
        restoration_days: 2.0 * month,
        alpha_days: 4.0 * month,
        ..DynamicSettings::default()
    };
    let mut none = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    none.mitigation.substitution = 1.0;
    let mut path = vec![0.0];
    path.extend(std::iter::repeat_n(1.0, months));
    let engine = Dynamic::new(net, &none, settings)
        .unwrap()
        .with_loss_path(net, "A", "ore", path)
        .unwrap();
    support::run_dynamic(&engine, net, &none)
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

macro_rules! check {
    ($got:expr, $want:expr) => {
        assert!(
            near($got, $want),
            "{} = {}, by hand {}",
            stringify!($got),
            $got,
            $want
        );
    };
}

#[test]
fn ario_mode_by_hand() {
    let (net, [a_ore, b_ore, a_metal, b_metal]) = two_by_two(180.0);
    let o = run_hand(&net, Mode::Ario, 2, 4);
    let ore = net.require_product("ore").unwrap();
    let metal = net.require_product("metal").unwrap();
    let (ra, rb) = (
        net.require_region("A").unwrap(),
        net.require_region("B").unwrap(),
    );
    // Step 0: the baseline.
    for (n, x) in [(a_ore, 10.0), (b_ore, 10.0), (a_metal, 5.0), (b_metal, 2.5)] {
        check!(o.output(n, 0), x);
    }
    check!(o.inventory(a_metal, ore, 0).unwrap(), 45.0);
    // Step 1: A-ore's capacity is 0. No scarcity yet, so α stays 1. A-metal makes 5 from
    // its inventory (45 >= ψ·45 = 36) and receives only B-ore's 5, a step late:
    // 45 - 3·5 + 5 = 35; B-metal 15 - 5 + 5 = 15. Orders: A-metal replaces 15 and closes
    // half the gap, 15 + (45 - 35)/2 = 20, all to B-ore (A-ore's capacity ratio is 0);
    // B-metal orders 5.
    check!(o.output(a_ore, 1), 0.0);
    check!(o.output(b_ore, 1), 10.0);
    check!(o.output(a_metal, 1), 5.0);
    check!(o.inventory(a_metal, ore, 1).unwrap(), 35.0);
    check!(o.inventory(b_metal, ore, 1).unwrap(), 15.0);
    check!(o.final_shortfall(ra, metal, 1), 0.0);
    // Step 2: demand on B-ore 25 against last step's 10: scarcity 0.6, α = 1 + 0.25·0.6/4
    // = 1.0375, capacity 10.375, served share 10.375/25 = 0.415. A-metal: 35 < 36, output
    // 5·35/36 = 4.861111; it receives 20·0.415 = 8.3: 35 - 3·4.861111 + 8.3 = 28.716667;
    // B-metal receives 5·0.415: 15 - 5 + 2.075 = 12.075. Final use in A short
    // 5 - 4.861111 = 0.138889.
    check!(o.demand(b_ore, 2), 25.0);
    check!(o.alpha(b_ore, 2), 1.0375);
    check!(o.output(b_ore, 2), 10.375);
    check!(o.output(a_metal, 2), 5.0 * 35.0 / 36.0);
    check!(
        o.inventory(a_metal, ore, 2).unwrap(),
        35.0 - 15.0 * 35.0 / 36.0 + 8.3
    );
    check!(o.inventory(b_metal, ore, 2).unwrap(), 12.075);
    check!(o.final_shortfall(ra, metal, 2), 5.0 - 5.0 * 35.0 / 36.0);
    check!(o.final_shortfall(rb, metal, 2), 0.0);
    // Orders at step 2: A-metal 3·4.861111 + (45 - 28.716667)/2 = 22.725, all to B-ore
    // (A-ore still at 0); B-metal 5 + (15 - 12.075)/2 = 6.4625: 29.1875 on B-ore.
    check!(o.demand(b_ore, 3), 22.725 + 6.4625);
    check!(o.demand(a_ore, 3), 0.0);
    // Step 3: A-ore is back, but nobody ordered from it. B-ore: scarcity
    // (29.1875 - 10.375)/29.1875, α = 1.0375 + 0.2125·scarcity/4; A-metal: scarcity
    // (5 - 4.861111)/5 = 1/36, α = 1 + 0.25/36/4 (overproduction above 1).
    let scarcity = (29.1875 - 10.375) / 29.1875;
    let alpha = 1.0375 + 0.2125 * scarcity / 4.0;
    check!(o.alpha(b_ore, 3), alpha);
    check!(o.output(b_ore, 3), 10.0 * alpha);
    check!(o.alpha(a_metal, 3), 1.0 + 0.25 / 36.0 / 4.0);
    // A-metal: 28.716667 below ψ·3·5·3 = 36: output 5·28.716667/36, and final use in A
    // is short by the rest.
    let stock2 = 35.0 - 15.0 * 35.0 / 36.0 + 8.3;
    check!(o.output(a_metal, 3), 5.0 * stock2 / 36.0);
    check!(o.final_shortfall(ra, metal, 3), 5.0 - 5.0 * stock2 / 36.0);
}

#[test]
fn standard_mode_by_hand() {
    // B-ore may run at 12 a month (capacity 144, the whole spare capacity ramped in).
    let (net, [a_ore, b_ore, a_metal, b_metal]) = two_by_two(144.0);
    let o = run_hand(&net, Mode::Standard, 3, 5);
    let ore = net.require_product("ore").unwrap();
    let metal = net.require_product("metal").unwrap();
    let ra = net.require_region("A").unwrap();
    let r = 1.0 - (-0.5f64).exp(); // restoration rate per step, 1 - e^{-Δt/τ}
                                   // Step 0: the baseline; spare capacity ramped in changes nothing without scarcity.
    check!(o.output(b_ore, 0), 10.0);
    check!(o.inventory(a_metal, ore, 0).unwrap(), 45.0);
    check!(o.demand(a_ore, 1), 10.0);
    // Step 1: A-ore makes nothing; within the step A-metal receives B-ore's 5 before
    // using 15: 45 + 5 - 15 = 35. Orders: 15 + 10·r, all to B-ore.
    check!(o.output(a_ore, 1), 0.0);
    check!(o.output(a_metal, 1), 5.0);
    check!(o.inventory(a_metal, ore, 1).unwrap(), 35.0);
    let order_a1 = 15.0 + 10.0 * r;
    check!(o.demand(b_ore, 2), order_a1 + 5.0);
    // Step 2: B-ore produces its capacity 12 (above its baseline 10) and serves
    // 12/(order_a1 + 5) of every order. A-metal: 35 + order_a1·share - 15.
    let share2 = 12.0 / (order_a1 + 5.0);
    check!(o.output(b_ore, 2), 12.0);
    let s_a2 = 35.0 + order_a1 * share2 - 15.0;
    let s_b2 = 15.0 + 5.0 * share2 - 5.0;
    check!(o.inventory(a_metal, ore, 2).unwrap(), s_a2);
    check!(o.inventory(b_metal, ore, 2).unwrap(), s_b2);
    // Step 3: the same again with the new orders. What is shipped in a step arrives on
    // average at its middle: the level compared with ψ·45 = 36 is the start level plus
    // half the receipt, s_a2 + R/2, now below 36, so A-metal makes 5·level/36.
    let order_a2 = 15.0 + (45.0 - s_a2) * r;
    let order_b2 = 5.0 + (15.0 - s_b2) * r;
    check!(o.demand(b_ore, 3), order_a2 + order_b2);
    let share3 = 12.0 / (order_a2 + order_b2);
    let got_a3 = order_a2 * share3;
    let level3 = s_a2 + got_a3 / 2.0;
    assert!(level3 < 36.0, "the case must ration at step 3: {level3}");
    let x3 = 5.0 * level3 / 36.0;
    check!(o.output(a_metal, 3), x3);
    check!(o.final_shortfall(ra, metal, 3), 5.0 - x3);
    let s_a3 = s_a2 + got_a3 - 3.0 * x3;
    check!(o.inventory(a_metal, ore, 3).unwrap(), s_a3);
    // B-metal: s_b2 + half its receipt stays above ψ·15 = 12, so it makes 2.5.
    let got_b3 = order_b2 * share3;
    assert!(s_b2 + got_b3 / 2.0 >= 12.0);
    let s_b3 = s_b2 + got_b3 - 5.0;
    check!(o.inventory(b_metal, ore, 3).unwrap(), s_b3);
    // Step 4: A-ore is back but has no orders (its capacity ratio was 0 when they were
    // placed); B-ore rations 12 again.
    let order_a3 = 3.0 * x3 + (45.0 - s_a3) * r;
    let order_b3 = 5.0 + (15.0 - s_b3) * r;
    check!(o.demand(a_ore, 4), 0.0);
    let share4 = 12.0 / (order_a3 + order_b3);
    let got_a4 = order_a3 * share4;
    let x4 = 5.0 * ((s_a3 + got_a4 / 2.0) / 36.0).min(1.0);
    check!(o.output(a_metal, 4), x4);
    check!(
        o.inventory(a_metal, ore, 4).unwrap(),
        s_a3 + got_a4 - 3.0 * x4
    );
}

#[test]
fn first_stoppage_with_heterogeneous_cover_by_hand() {
    // The standard case above: A-metal is scheduled 15 ore a month and receives 5 at
    // step 1 (10 short) and 18.93·12/23.93 = 9.49 at step 2 (5.51 short).
    let (net, _) = two_by_two(144.0);
    let o = run_hand(&net, Mode::Standard, 3, 5);
    let ore = net.require_product("ore").unwrap();
    let a = net.require_region("A").unwrap();
    let month = 365.0 / 12.0;
    // A firm with ten days of cover (4.9 t) stops at step 1; one with a month (15 t) when
    // the cumulative shortfall passes 15, at step 2; one with a year never within the run.
    assert_eq!(o.first_stoppage(a, ore, 10.0), Some(1));
    assert_eq!(o.first_stoppage(a, ore, month), Some(2));
    assert_eq!(o.first_stoppage(a, ore, 365.0), None);
    // The inventory falls below ψ·45 = 36 at the end of step 1 (35): the first step below
    // ψ times target (production is cut from step 3, when the level at mid-step is).
    assert_eq!(o.first_constrained(a, ore), Some(1));
    assert!(close(
        o.input_shortfall[o.final_baseline.len() + a.index() * 2],
        10.0,
        1e-12
    ));
}

#[test]
fn deferred_final_demand_is_asked_again_by_hand() {
    // China makes 120 magnets a year (10 a month) for final use in the US, and may make
    // 15 a month (capacity 180, all ramped in). It loses all capacity for month 1.
    let mut h = Hand::new(&["CN", "US"], &["magnet"]);
    let cn = h.node("CN", "magnet", 180.0, &[]);
    h.flow_to_final(cn, "US", 120.0);
    let net = h.build();
    let mut r = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    r.mitigation.substitution = 1.0;
    r.mitigation.deferrable = 0.5;
    r.mitigation.substitutable = 0.2;
    let settings = DynamicSettings {
        step: Step::Month,
        steps: 4,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &r, settings)
        .unwrap()
        .with_loss_path(&net, "CN", "magnet", vec![0.0, 1.0])
        .unwrap();
    let o = support::run_dynamic(&engine, &net, &r);
    let (us, magnet) = (
        net.require_region("US").unwrap(),
        net.require_product("magnet").unwrap(),
    );
    let at = |v: &[f64], t: usize| v[t * o.final_baseline.len() + us.index()];
    // Month 1: nothing arrives; of the 10 missing, 5 are deferred, 2 met otherwise, 3 lost.
    check!(at(&o.backlog, 1), 5.0);
    check!(at(&o.substituted, 1), 2.0);
    check!(o.final_shortfall(us, magnet, 1), 3.0);
    // Month 2: the US asks 10 + 5; China makes all 15 and nothing is short.
    check!(o.demand(cn, 2), 15.0);
    check!(o.output(cn, 2), 15.0);
    check!(o.final_shortfall(us, magnet, 2), 0.0);
    check!(at(&o.backlog, 2), 0.0);
    check!(o.output(cn, 3), 10.0);
}

/// A run in weeks with four weeks of inventory cover.
fn weekly(net: &Network, r: &Realization) -> shortfall::engine::DynamicOutcome {
    let settings = DynamicSettings {
        step: Step::Week,
        inventory_days: 28.0,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, r, settings).unwrap();
    support::run_dynamic(&engine, net, r)
}

#[test]
fn bloc_first_serves_the_priority_class_from_spare_capacity_first() {
    // China sells 120 magnets a year to motor makers in the US and in Japan each and stops
    // both; Vietnam, with 24 a year of spare capacity, takes their re-routed orders.
    let mut h = Hand::new(&["CN", "VN", "US", "JP"], &["magnet", "motor"]);
    let cn = h.node("CN", "magnet", 240.0, &[]);
    let vn = h.node("VN", "magnet", 48.0, &[]);
    let us = h.node("US", "motor", 120.0, &[("magnet", 1.0)]);
    let jp = h.node("JP", "motor", 120.0, &[("magnet", 1.0)]);
    h.flow_to_node(cn, us, 120.0);
    h.flow_to_node(cn, jp, 120.0);
    h.flow_to_final(vn, "VN", 24.0);
    h.flow_to_final(us, "US", 120.0);
    h.flow_to_final(jp, "JP", 120.0);
    let net = h.build();
    let run = |allocation: shortfall::scenario::Allocation| {
        let mut r = Realization {
            horizon: 0.5,
            run_length: Some(0.5),
            restrictions: vec![Restriction::full(
                ["CN"],
                ["magnet"],
                Targets::List(vec!["US".into(), "JP".into()]),
            )],
            ..Realization::default()
        };
        r.mitigation.substitution = 1.0;
        r.mitigation.allocation = allocation;
        weekly(&net, &r)
    };
    let pro_rata = run(shortfall::scenario::Allocation::ProRata);
    let us_first = run(shortfall::scenario::Allocation::BlocFirst(Targets::List(
        vec!["US".into()],
    )));
    let magnet = net.require_product("magnet").unwrap();
    let (r_us, r_jp) = (
        net.require_region("US").unwrap(),
        net.require_region("JP").unwrap(),
    );
    let short =
        |o: &shortfall::engine::DynamicOutcome, r| o.cumulative_absorption_shortfall(r, magnet);
    // Pro rata the two identical buyers fare alike; with the US first it lacks less and
    // Japan more, and Vietnam sells them the same in total.
    assert!((short(&pro_rata, r_us) - short(&pro_rata, r_jp)).abs() < 1e-9);
    assert!(short(&us_first, r_us) < short(&pro_rata, r_us) - 1.0);
    assert!(short(&us_first, r_jp) > short(&pro_rata, r_jp) + 1.0);
    let sold =
        |o: &shortfall::engine::DynamicOutcome| (0..o.steps).map(|t| o.output(vn, t)).sum::<f64>();
    assert!((sold(&pro_rata) - sold(&us_first)).abs() < 1e-6 * sold(&pro_rata));
    assert!(
        sold(&pro_rata) > 24.0 * 0.5 + 1.0,
        "Vietnam's spare capacity is used"
    );
}

#[test]
fn a_capacity_addition_takes_re_routed_orders_from_its_date() {
    // China's magnets to a US motor maker (120 a year) are cut from week 0; Vietnam has no
    // spare capacity until a plant of 52 a year (1 a week) comes online in week 10.
    let mut h = Hand::new(&["CN", "VN", "US"], &["magnet", "motor"]);
    let cn = h.node("CN", "magnet", 120.0, &[]);
    let vn = h.node("VN", "magnet", 26.0, &[]);
    let us = h.node("US", "motor", 120.0, &[("magnet", 1.0)]);
    h.flow_to_node(cn, us, 120.0);
    h.flow_to_final(vn, "VN", 26.0);
    h.flow_to_final(us, "US", 120.0);
    let net = h.build();
    let run = |additions: Vec<CapacityAddition<f64>>| {
        let r = Realization {
            horizon: 0.5,
            run_length: Some(0.5),
            restrictions: vec![Restriction::full(
                ["CN"],
                ["magnet"],
                Targets::List(vec!["US".into()]),
            )],
            capacity_additions: additions,
            ..Realization::default()
        };
        weekly(&net, &r)
    };
    let without = run(Vec::new());
    let with = run(vec![CapacityAddition {
        region: "VN".into(),
        product: "magnet".into(),
        capacity: 52.0,
        from: 10.0 / 52.0,
    }]);
    // Vietnam makes its baseline (26 a year, 7/365 of it a week) until the plant comes
    // online, then its new capacity (52·7/365 a week) serves the US's re-routed orders;
    // the US lacks less.
    let week = Step::Week.years();
    for t in 0..10 {
        check!(with.output(vn, t), 26.0 * week);
    }
    assert!((10..26).any(|t| with.output(vn, t) > 26.0 * week + 0.9 * 52.0 * week));
    let magnet = net.require_product("magnet").unwrap();
    let r_us = net.require_region("US").unwrap();
    let lacked =
        |o: &shortfall::engine::DynamicOutcome| o.cumulative_absorption_shortfall(r_us, magnet);
    assert!(lacked(&with) < lacked(&without) - 5.0);
}

/// A month's run of a restriction from the start, with China at half capacity.
fn divert_case(
    net: &Network,
    product: &str,
    disposal: shortfall::scenario::Disposal,
    kappa: f64,
) -> shortfall::engine::DynamicOutcome {
    let mut cut = Restriction::full(["CN"], [product], Targets::List(vec!["US".into()]));
    cut.disposal = disposal;
    cut.processing_leakage = kappa;
    let r = Realization {
        horizon: 1.0,
        restrictions: vec![cut],
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: product.into(),
            share: 0.5,
        }],
        ..Realization::default()
    };
    let settings = DynamicSettings {
        step: Step::Month,
        steps: 2,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, &r, settings).unwrap();
    support::run_dynamic(&engine, net, &r)
}

#[test]
fn divert_gives_the_blocked_part_to_non_targets_by_hand() {
    use shortfall::scenario::Disposal;
    // China makes 100 magnets a year (capacity 100), half for final use in the US, half
    // in Vietnam; it loses half its capacity and may not ship to the US. A month: it makes
    // 50/12 against 100/12 asked, serving half of each order.
    let mut h = Hand::new(&["CN", "US", "VN"], &["magnet"]);
    let cn = h.node("CN", "magnet", 100.0, &[]);
    h.flow_to_final(cn, "US", 50.0);
    h.flow_to_final(cn, "VN", 50.0);
    let net = h.build();
    let magnet = net.require_product("magnet").unwrap();
    let (us, vn) = (
        net.require_region("US").unwrap(),
        net.require_region("VN").unwrap(),
    );
    let month = 1.0 / 12.0;
    // Keep: Vietnam gets half its 50/12; the 25/12 blocked for the US stays unsold.
    let keep = divert_case(&net, "magnet", Disposal::Keep, 0.0);
    check!(keep.final_shortfall(vn, magnet, 0), 25.0 * month);
    check!(keep.kept[magnet.index()], 25.0 * month);
    // Divert: the 25/12 go to Vietnam's unserved half; nothing is kept.
    let divert = divert_case(&net, "magnet", Disposal::Divert, 0.0);
    check!(divert.final_shortfall(vn, magnet, 0), 0.0);
    check!(divert.diverted[magnet.index()], 25.0 * month);
    check!(divert.kept[magnet.index()], 0.0);
    check!(divert.final_shortfall(us, magnet, 0), 50.0 * month);
}

/// China's oxide (120 a year, 10 a month) goes half to a US magnet maker, half to a
/// Vietnamese one, which sells `to_vn` of its 60 magnets a year in Vietnam and the rest in
/// the US. China loses half its capacity and diverts the oxide blocked for the US to
/// Vietnam, which then receives all 5 a month, half of it freed (tagged) volume: its
/// magnets are half tagged.
fn kappa_case(to_vn: f64, kappa: f64) -> (Network, shortfall::engine::DynamicOutcome) {
    use shortfall::scenario::Disposal;
    let mut h = Hand::new(&["CN", "US", "VN"], &["oxide", "magnet"]);
    let cn = h.node("CN", "oxide", 120.0, &[]);
    let us = h.node("US", "magnet", 60.0, &[("oxide", 1.0)]);
    let vn = h.node("VN", "magnet", 60.0, &[("oxide", 1.0)]);
    h.flow_to_node(cn, us, 60.0);
    h.flow_to_node(cn, vn, 60.0);
    h.flow_to_final(us, "US", 60.0);
    h.flow_to_final(vn, "VN", to_vn);
    h.flow_to_final(vn, "US", 60.0 - to_vn);
    let net = h.build();
    let o = divert_case(&net, "oxide", Disposal::Divert, kappa);
    (net, o)
}

#[test]
fn processed_diverted_volume_reaches_targets_at_most_kappa_by_hand() {
    for kappa in [0.0, 0.4, 1.0] {
        // A quarter to Vietnam: of its 5 magnets a month, 2.5 are tagged; 1.25 go to
        // Vietnam (non-targets first), the other 1.25 are a third of the 3.75 it ships to
        // the US, and pass only in the share κ.
        let (net, o) = kappa_case(15.0, kappa);
        let (oxide, magnet) = (
            net.require_product("oxide").unwrap(),
            net.require_product("magnet").unwrap(),
        );
        let (us, vn) = (
            net.require_region("US").unwrap(),
            net.require_region("VN").unwrap(),
        );
        check!(o.diverted[oxide.index()], 2.5);
        check!(o.output(net.node_id(vn, magnet).unwrap(), 0), 5.0);
        // The US magnet maker works from inventory; only Vietnam's gated share is short.
        check!(o.output(net.node_id(us, magnet).unwrap(), 0), 5.0);
        check!(o.final_shortfall(us, magnet, 0), 1.25 * (1.0 - kappa));
        // Half to Vietnam: the 2.5 tagged all go there, and the US gets all it asked.
        let (net, o) = kappa_case(30.0, kappa);
        let us = net.require_region("US").unwrap();
        check!(
            o.final_shortfall(us, net.require_product("magnet").unwrap(), 0),
            0.0
        );
    }
}

#[test]
fn noalt_orders_keep_baseline_shares() {
    // As the ario case, with `noalt`: after step 1 A-metal orders 20, split 10:5 as in the
    // baseline (two thirds to A-ore, which lost its capacity), so B-ore faces only
    // 20/3 + 5 = 35/3 against last step's 10: scarcity 1/7, α = 1 + 0.25/7/4, and it makes
    // 10·α, not the 35/3 asked.
    let (net, [a_ore, b_ore, ..]) = two_by_two(180.0);
    let none = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let month = 365.0 / 12.0;
    let settings = DynamicSettings {
        mode: Mode::Ario,
        orders: shortfall::engine::Orders::NoAlt,
        step: Step::Month,
        steps: 3,
        inventory_days: 3.0 * month,
        restoration_days: 2.0 * month,
        alpha_days: 4.0 * month,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &none, settings)
        .unwrap()
        .with_loss_path(&net, "A", "ore", vec![0.0, 1.0, 1.0])
        .unwrap();
    let o = support::run_dynamic(&engine, &net, &none);
    check!(o.demand(a_ore, 2), 20.0 * 2.0 / 3.0);
    check!(o.demand(b_ore, 2), 20.0 / 3.0 + 5.0);
    check!(o.output(b_ore, 2), 10.0 * (1.0 + 0.25 / 7.0 / 4.0));
    check!(o.output(a_ore, 2), 0.0);
}

/// With no shock every path stays at its baseline (docs/model.md §5.9), to `STEADY` relative.
fn assert_steady(net: &Network, settings: DynamicSettings) {
    let mut none = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    none.mitigation.substitution = 0.5;
    let steps = settings.steps;
    let engine = Dynamic::new(net, &none, settings).unwrap();
    let o = support::run_dynamic(&engine, net, &none);
    for t in 0..steps {
        for n in net.node_ids() {
            let base = o.baseline_output(n);
            assert!(
                close(o.output(n, t), base, STEADY),
                "output of {n:?} at {t}"
            );
            assert!(close(o.alpha(n, t), 1.0, STEADY), "alpha of {n:?} at {t}");
            for input in net.inputs(n) {
                let inv = o.inventory(n, input.product, t).unwrap();
                let target = o.inventory(n, input.product, 0).unwrap();
                assert!(close(inv, target, STEADY), "inventory of {n:?} at {t}");
            }
        }
        for (i, base) in o.final_baseline.iter().enumerate() {
            let short = o.final_shortfall[t * o.final_baseline.len() + i];
            assert!(
                short.abs() <= STEADY * base.max(1.0),
                "final use {i} at {t}"
            );
        }
    }
}

#[test]
fn no_shock_stays_at_baseline_on_physical_chains_and_monetary_tables() {
    let embedded = shortfall::data::rare_earths_2024().network;
    let generated = Synthetic::with_nodes(500, 3, 7).build().unwrap();
    let table = read_pymrio(format!(
        "{}/tests/fixtures/boario/pymrio_test",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for net in [&embedded, &generated, &table] {
        for mode in [Mode::Ario, Mode::Standard] {
            for (step, steps) in [(Step::Day, 365), (Step::Week, 104), (Step::Month, 24)] {
                let settings = DynamicSettings {
                    mode,
                    step,
                    steps,
                    ..DynamicSettings::default()
                };
                assert_steady(net, settings);
            }
        }
        // A transport lag of two weeks in the standard mode.
        let lagged = DynamicSettings {
            step: Step::Week,
            steps: 52,
            transport_lag_days: 14.0,
            ..DynamicSettings::default()
        };
        assert_steady(net, lagged);
    }
}

#[test]
fn a_transport_lag_delays_the_first_shortfall() {
    let (net, _) = two_by_two(120.0);
    let metal = net.require_product("metal").unwrap();
    let ra = net.require_region("A").unwrap();
    let first_short = |lag_days: f64| {
        let none = Realization {
            horizon: 1.0,
            ..Realization::default()
        };
        let settings = DynamicSettings {
            step: Step::Week,
            steps: 52,
            transport_lag_days: lag_days,
            inventory_days: 28.0,
            ..DynamicSettings::default()
        };
        let engine = Dynamic::new(&net, &none, settings)
            .unwrap()
            .with_loss_path(&net, "A", "ore", vec![1.0; 52])
            .unwrap();
        let o = support::run_dynamic(&engine, &net, &none);
        (0..52).find(|&t| o.final_shortfall(ra, metal, t) > 1e-9)
    };
    let (now, later) = (first_short(0.0).unwrap(), first_short(21.0).unwrap());
    assert!(
        later > now,
        "with a three-week lag the shortfall starts at {later}, not {now}"
    );
}

#[test]
fn a_step_longer_than_half_the_shortest_cover_is_refused() {
    let net = shortfall::network::toy_chain();
    let none = Realization {
        horizon: 0.5,
        ..Realization::default()
    };
    let settings = DynamicSettings {
        step: Step::Month,
        inventory_days: 50.0,
        ..DynamicSettings::default()
    };
    match Dynamic::new(&net, &none, settings) {
        Err(Error::StepTooLong {
            cover_days,
            step_days,
            ..
        }) => assert!(cover_days == 50.0 && step_days > 25.0),
        other => panic!("expected StepTooLong, got {other:?}"),
    }
}

#[test]
fn settings_and_scenario_fields_outside_the_engine_are_refused_by_name() {
    let net = shortfall::network::toy_chain();
    let none = Realization {
        horizon: 0.5,
        ..Realization::default()
    };
    let refused =
        |settings: DynamicSettings, scenario: &Realization, field: &str| match Dynamic::new(
            &net, scenario, settings,
        ) {
            Err(e @ Error::InvalidField { .. }) => {
                assert!(e.to_string().contains(field), "{e}")
            }
            other => panic!("expected a refusal naming {field}, got {other:?}"),
        };
    let lag = DynamicSettings {
        mode: Mode::Ario,
        transport_lag_days: 7.0,
        ..DynamicSettings::default()
    };
    refused(lag, &none, "transport_lag_days");
    let odd_lag = DynamicSettings {
        step: Step::Week,
        transport_lag_days: 10.0,
        ..DynamicSettings::default()
    };
    refused(odd_lag, &none, "transport_lag_days");
    let psi = DynamicSettings {
        psi: 1.5,
        ..DynamicSettings::default()
    };
    refused(psi, &none, "psi");
    let mut diverted = Realization {
        horizon: 0.5,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["magnet"],
            Targets::List(vec!["US".into()]),
        )],
        ..Realization::default()
    };
    diverted.restrictions[0].disposal = shortfall::scenario::Disposal::Divert;
    let static_mode = || DynamicSettings {
        mode: Mode::StaticEquivalent,
        ..DynamicSettings::default()
    };
    refused(static_mode(), &diverted, "restrictions[0].disposal");
    refused(static_mode(), &diverted, "dynamic engine");
    let mut scaled = Realization {
        horizon: 0.5,
        ..Realization::default()
    };
    scaled
        .perturbation
        .recipes
        .push(shortfall::scenario::RecipeScale {
            product: "magnet".into(),
            multiplier: 1.2,
        });
    refused(DynamicSettings::default(), &scaled, "perturbation.recipes");
    let mut released = Realization {
        horizon: 0.5,
        ..Realization::default()
    };
    released.mitigation.stock_release_share = 0.5;
    let static_mode = DynamicSettings {
        mode: Mode::StaticEquivalent,
        ..DynamicSettings::default()
    };
    refused(static_mode, &released, "mitigation.stock_release_share");
    let nowhere = Realization {
        horizon: 0.5,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "US".into(),
            product: "nothing".into(),
            share: 0.5,
        }],
        ..Realization::default()
    };
    refused(DynamicSettings::default(), &nowhere, "capacity_losses[0]");
}

#[test]
fn cyclic_tables_run_here_and_are_refused_by_the_static_engine() {
    let table = read_pymrio(format!(
        "{}/tests/fixtures/boario/synthetic",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(!table.is_acyclic());
    let none = Realization {
        horizon: 0.25,
        ..Realization::default()
    };
    assert!(matches!(
        shortfall::engine::StaticCascade::new(&table, &none),
        Err(Error::CyclicRecipes { .. })
    ));
    let s1 = table.require_product("s1").unwrap();
    assert!(matches!(
        shortfall::metrics::content(&table, s1, None),
        Err(Error::CyclicRecipes { .. })
    ));
    // The dense solve of (I - Â) C = S handles the cycle.
    let by_origin = shortfall::metrics::content_by_origin_dense(&table, s1).unwrap();
    assert_eq!(by_origin.origins.len(), 4);
}

#[test]
fn the_monte_carlo_driver_runs_the_dynamic_engine_the_same_on_any_thread_count() {
    let net = shortfall::network::toy_chain();
    let mut spec = ScenarioSpec {
        horizon: Param::Fixed(0.25),
        ..ScenarioSpec::default()
    };
    spec.capacity_losses.push(CapacityLoss {
        item: Default::default(),
        region: "CN".into(),
        product: "oxide".into(),
        share: Param::Dist(Dist::Uniform {
            low: 0.2,
            high: 0.9,
        }),
    });
    spec.start = Some(Param::Fixed(4.0 / 52.0));
    spec.run_length = Some(1.0);
    let settings = DynamicSettings {
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(&net, &spec.median(), settings).unwrap();
    let us = net.require_region("US").unwrap();
    let magnet = net.require_product("magnet").unwrap();
    let extract = |ws: &DynamicWorkspace, out: &mut [f64]| {
        out[0] = ws.outcome().cumulative_final_shortfall(us, magnet);
    };
    let run = |threads| {
        let mc = Settings {
            draws: 300,
            seed: 11,
            threads: Some(threads),
            ..Settings::default()
        };
        simulate(&net, &engine, &spec, 1, extract, &mc, None).unwrap()
    };
    let (one, two) = (run(1), run(2));
    let values: Vec<f64> = one.outcome(0).collect();
    assert_eq!(values, two.outcome(0).collect::<Vec<_>>());
    assert!(
        values.iter().any(|&v| v > 0.0),
        "a halved oxide supply shows downstream"
    );
}
