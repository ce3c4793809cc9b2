//! Properties of the dynamic engine that hold for every run (docs/model.md §5.9): stocks
//! never negative, stockpiles never below their floor, and each product's balance in every
//! step (output = shipped to users + shipped to final use + blocked and kept).

mod support;

use proptest::prelude::*;
use shortfall::engine::{Dynamic, DynamicOutcome, DynamicSettings, Mode, Step};
use shortfall::network::Network;
use shortfall::scenario::Realization;
use support::{shock, small_network, Shock};

/// The shock, timed for a dynamic run.
fn modelled(net: &Network, s: &Shock) -> Realization {
    let mut r = s.realization(net);
    r.start = Some(2.0 / 52.0);
    r.run_length = Some(0.5);
    r
}

fn run(net: &Network, r: &Realization, mode: Mode, lag_days: f64) -> DynamicOutcome {
    let settings = DynamicSettings {
        mode,
        step: Step::Week,
        inventory_days: 30.0,
        transport_lag_days: lag_days,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, r, settings).unwrap();
    support::run_dynamic(&engine, net, r)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn stocks_stay_non_negative_and_every_product_balances(
        net in small_network(),
        s in shock(),
        lag in prop_oneof![Just(0.0), Just(14.0)],
    ) {
        let r = modelled(&net, &s);
        for (mode, lag) in [(Mode::Standard, lag), (Mode::Ario, 0.0)] {
            let o = run(&net, &r, mode, lag);
            prop_assert_eq!(support::dynamic_violation(&net, &o), None, "{:?}", mode);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Design §5: a larger own stockpile never brings the region's own stock-out earlier,
    /// for release policies that do not depend on the stock above the floor. This
    /// engine's policy (release the deficit above a threshold, at most a rate, down to a
    /// floor that is a fixed share of the stock) depends on it only through the floor's
    /// room, which binds only at the stock-out itself: until the smaller stockpile runs
    /// out both runs release the same, so the larger one runs out later or never.
    #[test]
    fn a_larger_own_stockpile_never_runs_out_earlier(
        net in small_network(),
        s in shock(),
        pick in 0usize..1000,
        more in 0.01f64..2.0,
    ) {
        let mut r = modelled(&net, &s);
        r.mitigation.stock_release_share = r.mitigation.stock_release_share.max(0.2);
        // Small stockpiles, so that many runs see one run out.
        r.perturbation.stocks = Some(0.1);
        let piles: Vec<(usize, usize)> = (0..net.regions().len())
            .flat_map(|g| (0..net.products().len()).map(move |k| (g, k)))
            .filter(|&(g, k)| {
                net.stock(shortfall::network::RegionId(g as u32), shortfall::network::ProductId(k as u32)) > 0.0
            })
            .collect();
        prop_assume!(!piles.is_empty());
        let (g, k) = piles[pick % piles.len()];
        let mut parts = net.to_parts();
        parts.stocks[g][k] *= 1.0 + more;
        let larger = Network::new(parts).unwrap();
        let (region, product) = (shortfall::network::RegionId(g as u32), shortfall::network::ProductId(k as u32));
        let first = |n: &Network| run(n, &r, Mode::Standard, 0.0).stock_out(region, product);
        match (first(&net), first(&larger)) {
            (Some(small), Some(large)) => prop_assert!(large >= small, "{large} before {small}"),
            (None, Some(large)) => prop_assert!(false, "only the larger ran out, at {large}"),
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// No shock, no shortfall (docs/model.md §4.8, in time): whatever the mitigation, perturbations
    /// and profiles, with no restriction and no capacity lost every path stays at its
    /// baseline.
    #[test]
    fn without_a_shock_nothing_falls_short(
        net in small_network(),
        s in shock(),
        headroom in 0.0f64..3.0,
        lag in prop_oneof![Just(0.0), Just(14.0)],
    ) {
        let mut r = modelled(&net, &s);
        r.restrictions.clear();
        r.capacity_losses.clear();
        r.perturbation.headroom = Some(headroom);
        r.perturbation.stocks = Some(0.5);
        r.mitigation.substitution_ramp = Some(shortfall::scenario::Ramp {
            from: 0.0,
            to: 1.0,
            delay: 0.05,
            over: 0.1,
            then: None,
        });
        for (mode, lag) in [(Mode::Standard, lag), (Mode::Ario, 0.0)] {
            let o = run(&net, &r, mode, lag);
            let nrp = o.final_baseline.len();
            for t in 0..o.steps {
                for i in 0..nrp {
                    let base = o.absorption_baseline[i].max(1e-12);
                    prop_assert!(o.absorption_shortfall[t * nrp + i] <= 1e-9 * base, "{mode:?} step {t}");
                }
                for n in net.node_ids() {
                    let x0 = o.baseline_output(n);
                    prop_assert!((o.output(n, t) - x0).abs() <= 1e-9 * x0.max(1e-12), "{mode:?} output at {t}");
                }
            }
        }
    }
}
