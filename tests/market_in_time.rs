//! The market step in the dynamic engine (docs/model.md §7.5): the hand case, zero
//! elasticities change nothing, prices within their bounds, the stock-release gate,
//! leakage that follows the price gap, and what the engine refuses.

mod support;

use proptest::prelude::*;
use shortfall::data::rare_earths_2024;
use shortfall::engine::{Dynamic, DynamicOutcome, DynamicSettings, MarketId, Mode, Step};
use shortfall::network::Network;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::{
    Disposal, Market, MarketProduct, Precaution, Realization, Restriction, Targets,
};
use support::Hand;

/// A week in years.
const WEEK: f64 = 7.0 / 365.0;

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn weekly() -> DynamicSettings {
    DynamicSettings {
        step: Step::Week,
        ..DynamicSettings::default()
    }
}

fn run(net: &Network, r: &Realization, settings: DynamicSettings) -> DynamicOutcome {
    let engine = Dynamic::new(net, r, settings).unwrap();
    support::run_dynamic(&engine, net, r)
}

/// China makes 100 t/yr of oxide at full capacity, 40 for US final use and 60 for its
/// own, and holds `stock` t of it in the US.
fn china_oxide(stock: f64) -> Network {
    let mut h = Hand::new(&["CN", "US"], &["oxide"]);
    let cn = h.node("CN", "oxide", 100.0, &[]);
    h.flow_to_final(cn, "US", 40.0);
    h.flow_to_final(cn, "CN", 60.0);
    if stock > 0.0 {
        h.stock("US", "oxide", stock);
    }
    h.build()
}

/// A full restriction of oxide to the US with `divert` from the start, ten weeks, and a
/// market on oxide: ε = 0.5, no supply response, floor 0.01, choke 100.
fn oxide_cut() -> Realization {
    let mut cut = Restriction::full(["CN"], ["oxide"], Targets::List(vec!["US".into()]));
    cut.disposal = Disposal::Divert;
    Realization {
        horizon: 10.0 * WEEK,
        run_length: Some(10.0 * WEEK),
        restrictions: vec![cut],
        market: Some(Market {
            floor: 0.01,
            choke: 100.0,
            products: vec![MarketProduct {
                demand_short: 0.5,
                demand_long: 0.5,
                ..MarketProduct::new("oxide")
            }],
            adjust_days: Some(0.0),
            ..Market::default()
        }),
        ..Realization::default()
    }
}

/// §7.5 by hand.
#[test]
fn origin_and_bloc_by_hand_in_time() {
    let net = china_oxide(0.0);
    let o = run(&net, &oxide_cut(), weekly());
    let (us, cn) = (net.region_id("US").unwrap(), net.region_id("CN").unwrap());
    let oxide = net.product_id("oxide").unwrap();
    let price = |m, t| o.price(m, oxide, t).unwrap();
    // Step 0 at baseline prices: the US gets nothing, China's 40 t/yr made for it find no
    // buyer (surplus).
    assert_eq!(
        (price(MarketId::Bloc, 0), price(MarketId::Origin, 0)),
        (1.0, 1.0)
    );
    assert!(near(o.final_shortfall(us, oxide, 0), 40.0 * WEEK));
    // Step 1: the choke in the bloc (no supply), (60/100)^2 at the origin.
    assert_eq!(price(MarketId::Bloc, 1), 100.0);
    assert!(near(price(MarketId::Origin, 1), 0.36));
    // The US asks 40 · 100^-0.5 = 4 t/yr, all short; 36 priced out. China asks and gets
    // 100 t/yr: the 4 t/yr blocked are diverted to it.
    assert!(near(o.final_shortfall(us, oxide, 1), 4.0 * WEEK));
    assert!(near(
        o.priced_out[net.regions().len() + us.index()],
        36.0 * WEEK
    ));
    assert!(o.final_shortfall(cn, oxide, 1) < 1e-12);
    assert!(near(
        o.priced_out[net.regions().len() + cn.index()],
        -40.0 * WEEK
    ));
    // Then both markets clear where they are.
    for t in 2..o.steps {
        assert_eq!(price(MarketId::Bloc, t), 100.0);
        assert!(near(price(MarketId::Origin, t), 0.36), "step {t}");
    }
    // Over the run: 4 t/yr short from step 1 on, 40 in step 0.
    let short = o.cumulative_final_shortfall(us, oxide);
    assert!(near(short, 40.0 * WEEK + 9.0 * 4.0 * WEEK), "{short}");
    assert!(near(o.cumulative_priced_out(us, oxide), 9.0 * 36.0 * WEEK));
    // The rest of the world has no market for oxide here: its price stays 1.
    assert!((0..o.steps).all(|t| price(MarketId::Rest, t) == 1.0));
}

/// §7.5 with a licensing share of 1/2: the quota of §7.1 clears both markets at step 1,
/// the bloc at 4, the origin at 0.5625.
#[test]
fn a_licensing_share_is_a_quota_in_time() {
    let net = china_oxide(0.0);
    let mut r = oxide_cut();
    r.restrictions[0].severity = 0.5;
    let o = run(&net, &r, weekly());
    let (us, oxide) = (
        net.region_id("US").unwrap(),
        net.product_id("oxide").unwrap(),
    );
    assert!(near(o.final_shortfall(us, oxide, 0), 20.0 * WEEK));
    for t in 1..o.steps {
        assert!(
            near(o.price(MarketId::Bloc, oxide, t).unwrap(), 4.0),
            "step {t}"
        );
        assert!(
            near(o.price(MarketId::Origin, oxide, t).unwrap(), 0.5625),
            "step {t}"
        );
        assert!(o.final_shortfall(us, oxide, t) < 1e-12, "step {t}");
    }
}

/// With an adjustment time the price closes `1 - exp(-Δt/T)` of the log gap per step.
#[test]
fn an_adjustment_time_slows_the_price() {
    let net = china_oxide(0.0);
    let mut r = oxide_cut();
    r.market.as_mut().unwrap().adjust_days = Some(7.0);
    let o = run(&net, &r, weekly());
    let oxide = net.product_id("oxide").unwrap();
    // Step 0 at D/A = 60/100: the price moves by (0.6)^(s/0.5), s = 1 - e^-1.
    let s = 1.0 - (-1.0f64).exp();
    let origin = o.price(MarketId::Origin, oxide, 1).unwrap();
    assert!(near(origin, 0.6f64.powf(s / 0.5)), "{origin}");
    // The bloc had no supply at all: the choke at once, whatever T.
    assert_eq!(o.price(MarketId::Bloc, oxide, 1), Some(100.0));
    // The origin's price approaches 0.36 from above.
    let path = o.price_path(MarketId::Origin, oxide).unwrap();
    assert!(
        path[1] > path[2] && path[2] > path[3] && path[3] > 0.36,
        "{path:?}"
    );
}

/// A stockpile releases only where the price reached `release_at`.
#[test]
fn stocks_wait_for_their_price() {
    let net = china_oxide(20.0);
    let mut r = oxide_cut();
    r.mitigation.stock_release_share = 1.0;
    let oxide = net.product_id("oxide").unwrap().index();
    let released = |at: f64| {
        let mut r = r.clone();
        r.market.as_mut().unwrap().products[0].release_at = at;
        let o = run(&net, &r, weekly());
        (
            o.released[oxide],
            o.released[o.released.len() / o.steps + oxide],
        )
    };
    // Always open: the US's stock meets its demand from step 0, the price stays put.
    let (first, _) = released(0.0);
    assert!(near(first, 40.0 * WEEK), "{first}");
    // Open at 5: nothing in step 0 (price 1); from step 1 at the choke, its priced demand.
    let (first, second) = released(5.0);
    assert_eq!(first, 0.0);
    assert!(near(second, 4.0 * WEEK), "{second}");
}

/// Leakage rises with the price gap: at η = 1 and a gap of 0.36/100 almost all of the
/// blocked volume leaks to the US from step 1 on.
#[test]
fn leakage_follows_the_price_gap() {
    let net = china_oxide(0.0);
    let mut r = oxide_cut();
    r.market.as_mut().unwrap().leakage_elasticity = 1.0;
    let o = run(&net, &r, weekly());
    let (us, oxide) = (
        net.region_id("US").unwrap(),
        net.product_id("oxide").unwrap(),
    );
    // Step 1: the cut is g = 0.36/100 of the full cut, a quota of 99.64% of the US's
    // baseline 40 t/yr, more than the 4 t/yr it asks at the choke: nothing is cut. China's
    // node serves 100/104 of each demand (US 4 t/yr, its own 100): the US lacks 4/104.
    let short = o.final_shortfall(us, oxide, 1);
    assert!(near(short, 4.0 * WEEK * (1.0 - 100.0 / 104.0)), "{short}");
    let plain = run(&net, &oxide_cut(), weekly());
    assert!(o.cumulative_final_shortfall(us, oxide) < plain.cumulative_final_shortfall(us, oxide));
}

/// The ario and static-equivalent modes and monetary tables refuse the market step, by
/// name; values and allocation by value stay refused.
#[test]
fn what_the_dynamic_engine_refuses() {
    let net = china_oxide(0.0);
    let mut r = oxide_cut();
    r.restrictions[0].disposal = Disposal::Keep;
    for mode in [Mode::Ario, Mode::StaticEquivalent] {
        let settings = DynamicSettings { mode, ..weekly() };
        let err = Dynamic::new(&net, &r, settings).unwrap_err().to_string();
        assert!(err.contains("market"), "{mode:?}: {err}");
    }
    let table = shortfall::data::mrio_2022().unwrap();
    let r = Realization {
        horizon: 0.25,
        market: Some(Market::default()),
        ..Realization::default()
    };
    let err = Dynamic::new(&table, &r, weekly()).unwrap_err().to_string();
    assert!(err.contains("market") && err.contains("monetary"), "{err}");
    let mut r = oxide_cut();
    r.prices.insert("oxide".into(), 10.0);
    let err = Dynamic::new(&net, &r, weekly()).unwrap_err().to_string();
    assert!(err.contains("prices"), "{err}");
}

/// §7.5 (i): every elasticity 0 and `release_at` 0 leave every quantity as without the
/// market step, to the last digit.
fn same_without_market(
    net: &Network,
    r: &Realization,
    settings: DynamicSettings,
) -> Result<(), String> {
    let mut with = r.clone();
    let products = (net.products().iter())
        .map(|p| MarketProduct::new(&p.id))
        .collect();
    with.market = Some(Market {
        products,
        ..Market::default()
    });
    let plain = run(net, r, settings.clone());
    let mut priced = run(net, &with, settings);
    // Vertical curves: a market short of supply goes to the choke, one with excess to
    // the floor; no lever moves.
    if let Some(p) = priced.prices.iter().find(|p| !(0.1..=50.0).contains(*p)) {
        return Err(format!("price {p} outside [floor, choke]"));
    }
    priced.prices.clear();
    priced.priced_out.clear();
    if plain != priced {
        let (x, y) = (
            serde_json::to_value(&plain).unwrap(),
            serde_json::to_value(&priced).unwrap(),
        );
        let field = (x.as_object().unwrap().iter())
            .find(|(k, v)| y[k.as_str()] != **v)
            .map_or("a private path".into(), |(k, _)| k.clone());
        return Err(format!("{field} differs"));
    }
    Ok(())
}

#[test]
fn zero_elasticities_change_nothing_on_the_embedded_data() {
    let net = rare_earths_2024().network;
    for name in ["us_plus8_embargo", "april_2025_licensing"] {
        let mut r = ScenarioFile::named(name).unwrap().scenario.median();
        // Firms are refused beside the market step (docs/model.md §5.5).
        r.firms = None;
        same_without_market(&net, &r, weekly()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn zero_elasticities_change_nothing(
        net in support::small_network(),
        shock in support::shock(),
        lag in prop_oneof![Just(0.0), Just(14.0)],
    ) {
        let mut r = shock.realization(&net);
        r.start = Some(2.0 * WEEK);
        r.run_length = Some(0.5);
        let settings = DynamicSettings {
            inventory_days: 30.0,
            transport_lag_days: lag,
            ..weekly()
        };
        prop_assert_eq!(same_without_market(&net, &r, settings), Ok(()));
    }

    /// §7.5 (ii): every price in [floor, choke], and the engine's invariants (stocks never
    /// negative, every product's balance) hold with prices moving its levers.
    #[test]
    fn prices_stay_within_floor_and_choke(
        net in support::small_network(),
        shock in support::shock(),
        demand in 0.0f64..=2.0,
        supply in 0.0f64..=2.0,
        eta in 0.0f64..=2.0,
        max_fall in 0.0f64..=1.0,
        floor in 0.05f64..=1.0,
        choke in 1.0f64..=30.0,
        adjust_days in prop_oneof![Just(None), Just(Some(0.0)), (1.0f64..=60.0).prop_map(Some)],
    ) {
        let mut r = shock.realization(&net);
        r.start = Some(2.0 * WEEK);
        r.run_length = Some(0.5);
        let products = net.products().iter().map(|p| MarketProduct {
            demand_short: demand,
            demand_long: demand * 2.0,
            lag: 0.25,
            supply,
            max_fall,
            release_at: 1.5,
            ..MarketProduct::new(&p.id)
        }).collect();
        r.market = Some(Market {
            floor,
            choke,
            leakage_elasticity: eta,
            adjust_days,
            products,
            ..Market::default()
        });
        let settings = DynamicSettings { inventory_days: 30.0, ..weekly() };
        let o = run(&net, &r, settings);
        for &p in &o.prices {
            prop_assert!(p >= floor && p <= choke, "price {} outside [{}, {}]", p, floor, choke);
        }
        prop_assert_eq!(support::dynamic_violation(&net, &o), None);
    }
}

/// §7.6 in time: the US magnet maker (oxide from China, which can make 150 t/yr) holds 30
/// more days of oxide from four weeks before the restriction; in the announcement's step
/// it orders `3.288·(1 - e^(-7/60))` t more than without, which arrives the next step.
#[test]
fn front_loading_in_time() {
    let net = us_magnet_maker();
    let plain = cut_from_week_8();
    let mut ahead = plain.clone();
    ahead.market.as_mut().unwrap().precaution = Some(Precaution {
        days: 30.0,
        lead: 4.0 * WEEK,
    });
    let (a, b) = (run(&net, &ahead, weekly()), run(&net, &plain, weekly()));
    let oxide = net.product_id("oxide").unwrap();
    let us = net.region_id("US").unwrap();
    let magnet = net.product_id("magnet").unwrap();
    let node = net.node_id(us, magnet).unwrap();
    let stock = |o: &DynamicOutcome, t| o.inventory(node, oxide, t).unwrap();
    // Nothing moves before the announcement (step 4).
    assert_eq!(stock(&a, 4), stock(&b, 4));
    let extra = 40.0 * 30.0 / 365.0 * (1.0 - (-7.0f64 / 60.0).exp());
    assert!(
        near(stock(&a, 5) - stock(&b, 5), extra),
        "{}",
        stock(&a, 5) - stock(&b, 5)
    );
    // By the start it holds more, and loses fewer magnets over the restriction.
    assert!(stock(&a, 7) > stock(&b, 7) + extra);
    assert!(a.cumulative_final_shortfall(us, magnet) < b.cumulative_final_shortfall(us, magnet));
}

/// §7.5: when a market's buyers are producers, the demand a step counts was ordered a step
/// earlier, at the price before. A full step each time (`adjust_days = 0`) then keeps the
/// price cycling (in logs, `l' = l + l* - l_prev`: roots on the unit circle); the default
/// quarter step settles. Australia makes the US's oxide and loses half its capacity.
#[test]
fn a_full_price_step_cycles_when_orders_lag() {
    let mut h = Hand::new(&["AU", "US"], &["oxide", "magnet"]);
    let au = h.node("AU", "oxide", 40.0, &[]);
    let us = h.node("US", "magnet", 40.0, &[("oxide", 1.0)]);
    h.flow_to_node(au, us, 40.0);
    h.flow_to_final(us, "US", 40.0);
    let net = h.build();
    let run_with = |adjust_days| {
        let r = Realization {
            horizon: 2.0,
            run_length: Some(2.0),
            capacity_losses: vec![shortfall::scenario::CapacityLoss {
                item: Default::default(),
                region: "AU".into(),
                product: "oxide".into(),
                share: 0.5,
            }],
            market: Some(Market {
                adjust_days,
                products: vec![MarketProduct {
                    demand_short: 1.0,
                    demand_long: 1.0,
                    max_fall: 0.9,
                    ..MarketProduct::new("oxide")
                }],
                ..Market::default()
            }),
            ..Realization::default()
        };
        let settings = DynamicSettings {
            inventory_days: 14.0,
            ..weekly()
        };
        let o = run(&net, &r, settings);
        let oxide = net.product_id("oxide").unwrap();
        o.price_path(MarketId::Rest, oxide).unwrap()
    };
    let spread = |path: &[f64]| {
        let tail = &path[path.len() - 20..];
        let (lo, hi) = tail
            .iter()
            .fold((f64::MAX, 0.0f64), |(a, b), &p| (a.min(p), b.max(p)));
        hi / lo
    };
    let (full, quarter) = (run_with(Some(0.0)), run_with(None));
    println!("full {:?}\nquarter {:?}", &full[..30], &quarter[..30]);
    assert!(
        spread(&full) > 1.5,
        "a full step settled: {:?}",
        &full[full.len() - 20..]
    );
    assert!(
        spread(&quarter) < 1.01,
        "the quarter step cycles: {:?}",
        &quarter[quarter.len() - 20..]
    );
}

/// §7.6: `days = 0` changes nothing, to the last digit: no extra cover, and no
/// full-capacity window before the start.
#[test]
fn no_days_no_precaution() {
    let net = us_magnet_maker();
    let plain = cut_from_week_8();
    let mut none = plain.clone();
    none.market.as_mut().unwrap().precaution = Some(Precaution {
        days: 0.0,
        lead: 6.0 * WEEK,
    });
    // China loses half its capacity in the first two weeks, so its customers order refills
    // above baseline before the start, where a full-capacity window would serve them.
    let run_with_loss = |r: &Realization| {
        let engine = Dynamic::new(&net, r, weekly())
            .unwrap()
            .with_loss_path(&net, "CN", "oxide", vec![0.5, 0.5])
            .unwrap();
        support::run_dynamic(&engine, &net, r)
    };
    let (a, b) = (run_with_loss(&none), run_with_loss(&plain));
    assert!(a == b);
    // The same with 30 days does open the window: the refills arrive sooner.
    let mut some = none.clone();
    some.market
        .as_mut()
        .unwrap()
        .precaution
        .as_mut()
        .unwrap()
        .days = 30.0;
    assert!(run_with_loss(&some) != b);
}

/// A US magnet maker that makes 40 t/yr of magnets from 1 t of Chinese oxide each; China
/// can make 150 t/yr, makes 100, 60 of it for its own use.
fn us_magnet_maker() -> Network {
    let mut h = Hand::new(&["CN", "US"], &["oxide", "magnet"]);
    let cn = h.node("CN", "oxide", 150.0, &[]);
    let us_maker = h.node("US", "magnet", 40.0, &[("oxide", 1.0)]);
    h.flow_to_node(cn, us_maker, 40.0);
    h.flow_to_final(cn, "CN", 60.0);
    h.flow_to_final(us_maker, "US", 40.0);
    h.build()
}

/// China's full restriction of oxide to the US from week 8 for 10 weeks, a run of 30
/// weeks, with a market step that prices nothing.
fn cut_from_week_8() -> Realization {
    let cut = Restriction::full(["CN"], ["oxide"], Targets::List(vec!["US".into()]));
    Realization {
        horizon: 10.0 * WEEK,
        start: Some(8.0 * WEEK),
        run_length: Some(30.0 * WEEK),
        restrictions: vec![cut],
        market: Some(Market::default()),
        ..Realization::default()
    }
}
