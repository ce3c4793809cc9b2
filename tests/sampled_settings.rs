//! Settings that move an answer by weeks, drawn per run (docs/model.md §3.3, §5.4): a
//! restriction's `timing`, two-phase profiles, and the scenario's `transport_lag_days`.

mod support;

use proptest::prelude::*;
use shortfall::engine::{Dynamic, DynamicSettings, Engine, Mode, Step};
use shortfall::network::Network;
use shortfall::scenario::{Phase, Ramp, Realization, Restriction, Targets};
use support::{shock, small_network, Shock};

fn ramp() -> impl Strategy<Value = Ramp> {
    (
        0.0f64..=1.0,
        0.0f64..=1.0,
        0.0f64..0.5,
        prop_oneof![Just(0.0), 0.0f64..0.5],
        proptest::option::of((
            0.0f64..=1.0,
            prop_oneof![Just(0.0), 0.0f64..0.5],
            prop_oneof![Just(0.0), 0.0f64..0.5],
        )),
    )
        .prop_map(|(from, to, delay, over, then)| Ramp {
            from,
            to,
            delay,
            over,
            then: then.map(|(to, gap, over_2)| Phase {
                to,
                delay: delay + over + gap,
                over: over_2,
            }),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// §3.3: stretching a profile's times by `k` and the window by `k` leaves its mean
    /// unchanged (a change of variable in the integral).
    #[test]
    fn a_stretched_profile_has_the_same_mean_over_the_stretched_window(
        r in ramp(),
        k in 0.1f64..10.0,
        a in 0.0f64..1.0,
        len in 0.001f64..1.0,
    ) {
        let b = a + len;
        let plain = Ramp::mean(Some(&r), None, a, b);
        let stretched = Ramp::mean(Some(&r.stretched(k)), None, k * a, k * b);
        prop_assert!((plain - stretched).abs() < 1e-12, "{plain} against {stretched}");
    }

    /// §3.3: the mean over a window is the mean of the means over its two halves,
    /// weighted by length, across the second phase's kinks too.
    #[test]
    fn a_two_phase_mean_adds_up_over_windows(r in ramp(), a in 0.0f64..1.0, l1 in 0.001f64..0.7, l2 in 0.001f64..0.7) {
        let (m, b) = (a + l1, a + l1 + l2);
        let whole = Ramp::mean(Some(&r), None, a, b) * (b - a);
        let parts = Ramp::mean(Some(&r), None, a, m) * l1 + Ramp::mean(Some(&r), None, m, b) * l2;
        prop_assert!((whole - parts).abs() < 1e-12, "{whole} against {parts}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// §3.3: the mean is exact, against a brute-force midpoint sum (a step into a ramp at
    /// one instant among the cases: a review found `after` wrong there).
    #[test]
    fn a_profile_mean_is_its_integral(r in ramp(), a in 0.0f64..1.0, len in 0.01f64..1.0) {
        let b = a + len;
        let n = 100_000;
        let h = len / n as f64;
        let brute = (0..n).map(|i| r.at(a + (i as f64 + 0.5) * h)).sum::<f64>() / n as f64;
        let exact = Ramp::mean(Some(&r), None, a, b);
        // A midpoint sum misses at most one cell's worth per kink.
        prop_assert!((brute - exact).abs() < 4.0 * h / len + 1e-9, "{exact} against {brute}");
    }
}

#[test]
fn a_step_into_a_ramp_at_one_instant_is_worked_by_hand() {
    // 1 until 0.1, a step to 0.5, then at once down to 0 over 0.1: the mean over
    // [0.1, 0.2] is 0.25, over [0, 0.2] is (0.1 + 0.025) / 0.2 = 0.625.
    let r = Ramp {
        from: 1.0,
        to: 0.5,
        delay: 0.1,
        over: 0.0,
        then: Some(Phase {
            to: 0.0,
            delay: 0.1,
            over: 0.1,
        }),
    };
    assert!((Ramp::mean(Some(&r), None, 0.1, 0.2) - 0.25).abs() < 1e-12);
    assert!((Ramp::mean(Some(&r), None, 0.0, 0.2) - 0.625).abs() < 1e-12);
}

#[test]
fn a_two_phase_profile_is_worked_by_hand() {
    // Refusals rise from 0 to 0.8 over 30 days, hold to day 60, fall to 0 over 30 days.
    let day = 1.0 / 365.0;
    let r = Ramp {
        from: 0.0,
        to: 0.8,
        delay: 0.0,
        over: 30.0 * day,
        then: Some(Phase {
            to: 0.0,
            delay: 60.0 * day,
            over: 30.0 * day,
        }),
    };
    // Months of 30 days: 0.4, 0.8, 0.4, 0.
    for (month, want) in [(0.0, 0.4), (1.0, 0.8), (2.0, 0.4), (3.0, 0.0)] {
        let (a, b) = (month * 30.0 * day, (month + 1.0) * 30.0 * day);
        let got = Ramp::mean(Some(&r), None, a, b);
        assert!((got - want).abs() < 1e-12, "month {month}: {got}");
    }
    // A restriction of severity 0.9 with its profile twice as slow: the second month's
    // mean cut is the mean of 0.9 times the profile over days 15-30, 0.9 * 0.6.
    let mut x = Restriction::full(["A"], ["ore"], Targets::AllBut(vec![]));
    x.severity = 0.9;
    x.severity_ramp = Some(r);
    x.timing = Some(2.0);
    let cut = x.cut(30.0 * day, 60.0 * day);
    assert!((cut - 0.9 * 0.6).abs() < 1e-12, "{cut}");
}

#[test]
fn a_second_phase_that_starts_before_the_first_ends_is_refused_by_name() {
    let mut x = Restriction::full(["A"], ["ore"], Targets::AllBut(vec![]));
    x.severity_ramp = Some(Ramp {
        from: 1.0,
        to: 0.5,
        delay: 0.1,
        over: 0.1,
        then: Some(Phase {
            to: 0.0,
            delay: 0.15,
            over: 0.1,
        }),
    });
    let r = Realization {
        horizon: 1.0,
        restrictions: vec![x],
        ..Realization::default()
    };
    let e = r.validate().unwrap_err().to_string();
    assert!(
        e.contains("restrictions[0].severity_ramp") && e.contains("then.delay"),
        "{e}"
    );
}

fn settings(lag_days: f64) -> DynamicSettings {
    DynamicSettings {
        step: Step::Week,
        inventory_days: 30.0,
        transport_lag_days: lag_days,
        ..DynamicSettings::default()
    }
}

fn modelled(net: &Network, s: &Shock) -> Realization {
    let mut r = s.realization(net);
    r.start = Some(2.0 / 52.0);
    r.run_length = Some(0.5);
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// §5.4: a lag drawn in the scenario runs as the same lag set in the engine, to the
    /// bit, and a workspace reused across runs of other lags gives the same bits as a
    /// fresh one.
    #[test]
    fn a_drawn_lag_is_the_set_lag(net in small_network(), s in shock(), order in Just([28.0, 0.0, 7.0, 28.0, 14.0])) {
        let r = modelled(&net, &s);
        let mut drawn = r.clone();
        drawn.transport_lag_days = Some(0.0);
        let engine = Dynamic::new(&net, &drawn, settings(0.0)).unwrap();
        let mut ws = engine.workspace(&net);
        for lag in order {
            drawn.transport_lag_days = Some(lag);
            engine.run(&net, &drawn, &mut ws).unwrap();
            let set = Dynamic::new(&net, &r, settings(lag)).unwrap();
            let fresh = support::run_dynamic(&set, &net, &r);
            let (a, b) = (ws.outcome(), &fresh);
            prop_assert_eq!(
                format!("{:?}", (&a.absorption_shortfall, &a.input_shortfall, &a.final_shortfall)),
                format!("{:?}", (&b.absorption_shortfall, &b.input_shortfall, &b.final_shortfall)),
                "lag {} days", lag
            );
        }
    }
}

#[test]
fn a_drawn_lag_outside_the_standard_mode_is_refused_by_name() {
    let net = shortfall::network::toy_chain();
    let r = Realization {
        horizon: 0.5,
        transport_lag_days: Some(14.0),
        ..Realization::default()
    };
    let ario = DynamicSettings {
        mode: Mode::Ario,
        ..settings(0.0)
    };
    let e = Dynamic::new(&net, &r, ario).unwrap_err().to_string();
    assert!(e.contains("transport_lag_days"), "{e}");
    let mut long = r.clone();
    long.transport_lag_days = Some(400.0);
    let e = long.validate().unwrap_err().to_string();
    assert!(e.contains("transport_lag_days") && e.contains("365"), "{e}");
}

#[test]
fn an_adaptation_profile_that_falls_in_its_second_phase_is_refused_by_name() {
    let mut r = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    r.mitigation.substitution = 0.5;
    r.adaptation.thrifting.push(shortfall::scenario::Thrift {
        product: "magnet".into(),
        input: "oxide".into(),
        regions: vec![],
        reduction: 0.5,
        ramp: Some(Ramp {
            from: 0.0,
            to: 1.0,
            delay: 0.0,
            over: 0.5,
            then: Some(Phase {
                to: 0.2,
                delay: 0.6,
                over: 0.1,
            }),
        }),
    });
    let e = r.validate().unwrap_err().to_string();
    assert!(
        e.contains("adaptation.thrifting[0].ramp") && e.contains("then.to"),
        "{e}"
    );
}
