//! Calibration with degrees of freedom left (docs/model.md §3.3): the shared two-phase fit
//! finds a known shape, leaves non-zero residuals on noisy data with standard errors that
//! cover the truth, and says when nothing is left to estimate them.

use shortfall::scenario::SharedFit;

const DAY: f64 = 1.0 / 365.0;

fn truth() -> SharedFit {
    SharedFit {
        rise: 25.0 * DAY,
        fall_from: 55.0 * DAY,
        fall_over: 35.0 * DAY,
        peaks: vec![0.8, 1.0],
        residuals: vec![],
        dof: 0,
        rms: 0.0,
        sigma: None,
        se: None,
        fall_covariance: None,
    }
}

/// Months of 30 days from `first`, `count` of them, of series `s`, each mean moved by the
/// matching entry of `noise`.
fn months(s: usize, first: usize, count: usize, noise: &[f64]) -> Vec<(f64, f64, f64)> {
    (first..first + count)
        .zip(noise)
        .map(|(m, e)| {
            let (a, b) = (m as f64 * 30.0 * DAY, (m + 1) as f64 * 30.0 * DAY);
            (a, b, (truth().mean(s, a, b) + e).clamp(0.0, 1.0))
        })
        .collect()
}

#[test]
fn noisy_months_leave_residuals_and_standard_errors_that_cover_the_truth() {
    // Four months of one series and three of the other: 7 windows, 5 parameters.
    let series = vec![
        months(0, 0, 4, &[0.02, -0.015, 0.01, 0.0]),
        months(1, 1, 3, &[-0.01, 0.02, 0.0]),
    ];
    let fit = SharedFit::fit(&series).unwrap();
    assert_eq!(fit.dof, 2);
    assert!(fit.rms > 1e-3, "residuals are not zero: {}", fit.rms);
    let se = fit
        .se
        .as_ref()
        .expect("standard errors with two degrees of freedom");
    let t = truth();
    let estimates = [
        fit.rise,
        fit.fall_from,
        fit.fall_over,
        fit.peaks[0],
        fit.peaks[1],
    ];
    let truths = [t.rise, t.fall_from, t.fall_over, t.peaks[0], t.peaks[1]];
    for (p, ((e, v), s)) in estimates.iter().zip(truths).zip(se).enumerate() {
        assert!(s.is_finite() && *s > 0.0, "parameter {p}: se {s}");
        // Three standard errors plus the grid's day.
        assert!(
            (e - v).abs() <= 3.0 * s + DAY,
            "parameter {p}: {e} against {v} (se {s})"
        );
    }
    let sd = fit.timing_sd().unwrap();
    assert!(sd > 0.0 && sd < 1.0, "{sd}");
}

#[test]
fn an_exactly_identified_fit_says_it_has_nothing_left() {
    // Three windows of one series against four parameters: no degrees of freedom.
    let series = vec![months(0, 0, 3, &[0.0, 0.0, 0.0])];
    let fit = SharedFit::fit(&series).unwrap();
    assert_eq!(fit.dof, 0);
    assert_eq!(
        (fit.sigma, fit.se.clone(), fit.timing_sd()),
        (None, None, None)
    );
    let e = SharedFit::fit(&[vec![(0.1, 0.05, 0.5)]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("window"), "{e}");
}
