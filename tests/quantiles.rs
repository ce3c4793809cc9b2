//! The quantile functions of docs/model.md §6.1 at the edges of their domains: every shape
//! a file may give converges within the step bound (a test under a time limit) and inverts
//! the CDF; shapes outside the domain are refused by name.

use shortfall::scenario::quantile::SHAPE_DOMAIN;
use shortfall::scenario::Dist;
use statrs::distribution::{Beta, ContinuousCDF, Gamma};

/// Shapes from the domain's lower edge to its upper edge, a few per decade, edges included.
fn shapes() -> Vec<f64> {
    let (low, high) = SHAPE_DOMAIN;
    let mut v: Vec<f64> = (-3..=6)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(|s| (low..=high).contains(s))
        .collect();
    v.extend([low, high, 1.0 + 1e-9, 0.5]);
    v
}

const LEVELS: [f64; 9] = [
    1e-15,
    1e-10,
    1e-3,
    0.05,
    0.5,
    0.95,
    0.999,
    1.0 - 1e-10,
    1.0 - 1e-15,
];

/// `|F(Q(u)) - u|` relative to the tail probability `min(u, 1 - u)`; 0 where floating
/// point cannot resolve the quantile further (the CDF a few ulps either side of it
/// brackets `u`).
fn round_trip(cdf: impl Fn(f64) -> f64, x: f64, u: f64) -> f64 {
    let d = 8.0 * f64::EPSILON * x;
    let (below, above) = (cdf((x - d).max(0.0)), cdf(x + d));
    if below <= u && u <= above {
        return 0.0;
    }
    (cdf(x) - u).abs() / u.min(1.0 - u)
}

#[test]
fn beta_quantiles_converge_and_invert_the_cdf_over_the_domain() {
    let start = std::time::Instant::now();
    let mut worst: (f64, String) = (0.0, String::new());
    for &a in &shapes() {
        for &b in &shapes() {
            let d = Dist::Beta { alpha: a, beta: b };
            let cdf = Beta::new(a, b).unwrap();
            for u in LEVELS {
                let x = d.quantile(u);
                assert!((0.0..=1.0).contains(&x), "beta({a}, {b}) at {u}: {x}");
                // Resolvable only where the quantile is a normal number away from 1.
                if x > 1e-290 {
                    let e = round_trip(|x| cdf.cdf(x.min(1e300)), x, u);
                    if e > worst.0 {
                        worst = (e, format!("beta({a}, {b}) at u = {u}: x = {x}"));
                    }
                }
            }
        }
    }
    assert!(
        worst.0 < 1e-6,
        "worst round trip {:e}: {}",
        worst.0,
        worst.1
    );
    assert!(
        start.elapsed().as_secs() < 20,
        "{:?} for the grid",
        start.elapsed()
    );
}

#[test]
fn gamma_quantiles_converge_and_invert_the_cdf_over_the_domain() {
    let mut worst: (f64, String) = (0.0, String::new());
    for &k in &shapes() {
        let d = Dist::Gamma {
            shape: k,
            rate: 1.0,
        };
        let cdf = Gamma::new(k, 1.0).unwrap();
        for u in LEVELS {
            let x = d.quantile(u);
            assert!(x >= 0.0 && x.is_finite(), "gamma({k}) at {u}: {x}");
            if x > 1e-290 {
                let e = round_trip(|x| cdf.cdf(x.min(1e300)), x, u);
                if e > worst.0 {
                    worst = (e, format!("gamma({k}) at u = {u}: x = {x}"));
                }
            }
        }
    }
    assert!(
        worst.0 < 1e-6,
        "worst round trip {:e}: {}",
        worst.0,
        worst.1
    );
    // The rate scales the quantile exactly, far beyond where statrs kept its accuracy.
    let fast = Dist::Gamma {
        shape: 2.0,
        rate: 1e100,
    };
    let unit = Dist::Gamma {
        shape: 2.0,
        rate: 1.0,
    };
    assert!((fast.quantile(0.5) * 1e100 / unit.quantile(0.5) - 1.0).abs() < 1e-12);
}

/// The shapes that hung or panicked statrs, refused by name at parse time.
#[test]
fn shapes_outside_the_domain_are_refused() {
    for (dist, field) in [
        ("{ beta = { alpha = 2, beta = 1e7 } }", "leakage.beta.beta"),
        ("{ beta = { alpha = 1e7, beta = 2 } }", "leakage.beta.alpha"),
        (
            "{ beta = { alpha = 1e-320, beta = 8 } }",
            "leakage.beta.alpha",
        ),
        (
            "{ beta = { alpha = 2, beta = 5e-324 } }",
            "leakage.beta.beta",
        ),
        (
            "{ gamma = { shape = 1e300, rate = 1 } }",
            "leakage.gamma.shape",
        ),
        (
            "{ gamma = { shape = 2, rate = 1e300 } }",
            "leakage.gamma.rate",
        ),
    ] {
        let text = format!(
            "[scenario]\nhorizon = 0.5\n[[scenario.restrictions]]\nexporters = [\"CN\"]\n\
             products = [\"ndfeb_magnet_dy\"]\ntargets = {{ bloc = \"US+8\" }}\nseverity = 0.8\n\
             leakage = {dist}\n"
        );
        let err = shortfall::runs::ScenarioFile::from_toml(&text, "r01.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(field) && err.contains("outside"),
            "{dist}: {err}"
        );
    }
}
