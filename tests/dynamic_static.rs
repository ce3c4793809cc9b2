//! One scenario, two engines (docs/model.md §5.8): in the static-equivalent
//! mode the dynamic engine's per-step shortfalls are the static engine's with `h = Δt`,
//! and summed over a window of constant shocks they are the static engine's with
//! `h = horizon`.

mod support;

use proptest::prelude::*;
use shortfall::engine::{Dynamic, DynamicOutcome, DynamicSettings, Mode, Step};
use shortfall::network::Network;
use shortfall::scenario::{Allocation, Disposal, Realization};
use support::{run, shock, small_network, Shock};

/// The static-equivalent settings of docs/model.md §5.8: keep, no stock release, ρ = 0, no
/// demand response, κ = 0.
fn static_equivalent(net: &Network, s: &Shock) -> Realization {
    let mut r = s.realization(net);
    for x in &mut r.restrictions {
        x.disposal = Disposal::Keep;
        x.processing_leakage = 0.0;
    }
    r.mitigation.allocation = Allocation::ProRata;
    r.mitigation.stock_release_share = 0.0;
    r.mitigation.substitution = 0.0;
    r.mitigation.deferrable = 0.0;
    r
}

/// Runs the dynamic engine in the static-equivalent mode: `steps` weekly steps, the shocks
/// from step `start` for `length` steps.
fn dynamic(
    net: &Network,
    r: &Realization,
    start: usize,
    length: usize,
    steps: usize,
) -> DynamicOutcome {
    let dt = Step::Week.years();
    let timed = Realization {
        horizon: length as f64 * dt,
        start: Some(start as f64 * dt),
        run_length: Some(steps as f64 * dt),
        ..r.clone()
    };
    let settings = DynamicSettings {
        mode: Mode::StaticEquivalent,
        step: Step::Week,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, &timed, settings).unwrap();
    support::run_dynamic(&engine, net, &timed)
}

fn close(a: f64, b: f64, base: f64) -> bool {
    (a - b).abs() <= 1e-9 * base.max(1e-12) + 1e-15
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn per_step_shortfalls_are_the_static_engines_with_h_one_step(
        net in small_network(),
        s in shock(),
        start in 0usize..3,
        length in 1usize..4,
    ) {
        let r = static_equivalent(&net, &s);
        let steps = start + length + 2;
        let dynamic = dynamic(&net, &r, start, length, steps);
        let dt = Step::Week.years();
        let inside = run(&net, &Realization { horizon: dt, ..r.clone() });
        let calm = Realization { horizon: dt, ..Realization::default() };
        let outside = run(&net, &calm);
        let nrp = dynamic.absorption_baseline.len();
        for t in 0..steps {
            let expect = if (start..start + length).contains(&t) { &inside } else { &outside };
            for i in 0..nrp {
                let base = expect.absorption_baseline[i];
                let (got, want) = (dynamic.absorption_shortfall[t * nrp + i], expect.absorption_shortfall[i]);
                prop_assert!(close(got, want, base), "absorption {i} at step {t}: {got} vs static {want}");
                prop_assert!(close(dynamic.absorption_baseline[i], base, base));
                let base = expect.final_baseline[i];
                let (got, want) = (dynamic.final_shortfall[t * nrp + i], expect.final_shortfall[i]);
                prop_assert!(close(got, want, base), "final use {i} at step {t}: {got} vs static {want}");
            }
        }
    }

    #[test]
    fn summed_over_the_window_they_are_the_static_engines_with_h_the_horizon(
        net in small_network(),
        s in shock(),
        length in 1usize..6,
    ) {
        let r = static_equivalent(&net, &s);
        let dynamic = dynamic(&net, &r, 1, length, length + 3);
        let horizon = length as f64 * Step::Week.years();
        let whole = run(&net, &Realization { horizon, ..r.clone() });
        let nrp = dynamic.absorption_baseline.len();
        for i in 0..nrp {
            let sum = |v: &[f64]| (0..dynamic.steps).map(|t| v[t * nrp + i]).sum::<f64>();
            let base = whole.absorption_baseline[i];
            prop_assert!(close(sum(&dynamic.absorption_shortfall), whole.absorption_shortfall[i], base));
            let base = whole.final_baseline[i];
            prop_assert!(close(sum(&dynamic.final_shortfall), whole.final_shortfall[i], base));
        }
    }
}

/// With ramped profiles, on a single-edge chain (shortfall linear in the cut): the sum of
/// the per-step shortfalls over the window is the static engine's with the horizon's mean
/// cut (docs/model.md §5.8), whatever the profiles' kinks fall within steps.
#[test]
fn ramped_profiles_sum_to_the_static_mean_on_a_single_edge_chain() {
    use shortfall::scenario::{Ramp, Restriction, Targets};
    let mut h = support::Hand::new(&["CN", "US"], &["magnet"]);
    let cn = h.node("CN", "magnet", 120.0, &[]);
    h.flow_to_final(cn, "US", 100.0);
    let net = h.build();
    let mut cut = Restriction::full(["CN"], ["magnet"], Targets::List(vec!["US".into()]));
    cut.severity = 0.9;
    cut.leakage = 0.3;
    // Licences approved from week 3, over ten weeks; leakage growing from week 1.
    cut.severity_ramp = Some(Ramp {
        from: 1.0,
        to: 0.2,
        delay: 3.3 / 52.0,
        over: 10.0 / 52.0,
        then: None,
    });
    cut.leakage_ramp = Some(Ramp {
        from: 0.1,
        to: 1.0,
        delay: 1.5 / 52.0,
        over: 6.0 / 52.0,
        then: None,
    });
    let r = Realization {
        restrictions: vec![cut],
        ..Realization::default()
    };
    let weeks = 20;
    let dynamic = dynamic(&net, &r, 2, weeks, weeks + 4);
    let horizon = weeks as f64 * Step::Week.years();
    let whole = run(
        &net,
        &Realization {
            horizon,
            ..r.clone()
        },
    );
    let us = net.require_region("US").unwrap().index();
    let sum: f64 = (0..dynamic.steps)
        .map(|t| dynamic.final_shortfall[t * dynamic.final_baseline.len() + us])
        .sum();
    let want = whole.final_shortfall[us];
    assert!(want > 0.0);
    assert!((sum - want).abs() <= 1e-9 * want, "{sum} vs static {want}");
    // The mean cut is not the product of the means.
    let x = &r.restrictions[0];
    let product_of_means = x.severity
        * Ramp::mean(x.severity_ramp.as_ref(), None, 0.0, horizon)
        * (1.0 - x.leakage * Ramp::mean(x.leakage_ramp.as_ref(), None, 0.0, horizon));
    assert!((x.cut(0.0, horizon) - product_of_means).abs() > 1e-4);
    assert!((want / (100.0 * horizon) - x.cut(0.0, horizon)).abs() < 1e-12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same per-step equality with a joint output (docs/model.md §1.8: the host makes
    /// its output earlier in the step) and a constant thrifting of one coefficient (§3.4).
    #[test]
    fn per_step_equality_with_joint_outputs_and_thrifting(
        net in small_network(),
        s in shock(),
        pick in 0usize..1000,
        slack in 0.0f64..1.0,
        reduction in 0.0f64..=1.0,
    ) {
        let Some(net) = support::with_link(&net, pick, slack) else { return Ok(()); };
        let mut r = static_equivalent(&net, &s);
        if let Some(n) = net.node_ids().find(|&n| !net.inputs(n).is_empty()) {
            r.adaptation.thrifting.push(shortfall::scenario::Thrift {
                product: net.product(net.node(n).product).id.clone(),
                input: net.product(net.inputs(n)[0].product).id.clone(),
                regions: vec![],
                reduction,
                ramp: None,
            });
        }
        let (start, length) = (1, 2);
        let steps = start + length + 2;
        let dynamic = dynamic(&net, &r, start, length, steps);
        let dt = Step::Week.years();
        let inside = run(&net, &Realization { horizon: dt, ..r.clone() });
        let nrp = dynamic.absorption_baseline.len();
        for t in start..start + length {
            for i in 0..nrp {
                let base = inside.absorption_baseline[i];
                let (got, want) = (dynamic.absorption_shortfall[t * nrp + i], inside.absorption_shortfall[i]);
                prop_assert!(close(got, want, base), "step {t}, {i}: {got} vs {want}");
                let (got, want) = (dynamic.final_shortfall[t * nrp + i], inside.final_shortfall[i]);
                prop_assert!(close(got, want, base), "final, step {t}, {i}: {got} vs {want}");
            }
        }
    }
}
