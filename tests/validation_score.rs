//! The validation table's rules (docs/validation.md §9.3): correlated figures count once
//! with their share inside, the binomial band, the interval score, and a scenario file's
//! values file named where it fails.

use shortfall::runs::{binomial_band, interval_score, Episode, Figure, ScenarioFile, Validation};

fn figure(group: &str, inside: bool, score: f64) -> Figure {
    Figure {
        what: format!("{group} {inside}"),
        unit: "share",
        group: group.into(),
        inside,
        score,
    }
}

#[test]
fn a_group_counts_once_with_its_share_inside() {
    let e = Episode {
        name: "e".into(),
        figures: vec![
            figure("tail", true, 0.0),
            figure("tail", true, 0.0),
            figure("tail", false, 3.0),
            figure("alone", false, 1.0),
        ],
    };
    let groups = e.groups();
    assert_eq!(groups.len(), 2);
    let tail = groups.iter().find(|g| g.0 == "tail").unwrap().1;
    assert!((tail - 2.0 / 3.0).abs() < 1e-12, "{tail}");
    assert_eq!(e.mean_score("share"), Some(1.0));
    assert_eq!(e.mean_score("weeks"), None);
    let v = Validation { episodes: vec![e] };
    let (n, inside) = v.coverage();
    assert_eq!(n, 2);
    assert!((inside - 2.0 / 3.0).abs() < 1e-12);
    assert!(v.to_string().contains("central 90% band is 1 to 2"), "{v}");
}

#[test]
fn the_band_and_the_score_by_hand() {
    // Binomial(20, 0.9): P(X <= 15) = 0.043 <= 0.05 < P(X <= 16) = 0.133, P(X = 20) = 0.12.
    assert_eq!(binomial_band(20, 0.9), (16, 20));
    // Binomial(10, 0.9): P(X <= 6) = 0.013, P(X <= 7) = 0.070.
    assert_eq!(binomial_band(10, 0.9), (7, 10));
    // An interval [0.4, 0.6] that the window [0.7, 0.8] misses by 0.1: 0.2 + 20 x 0.1.
    assert!((interval_score((0.4, 0.6), (0.7, 0.8), 0.1) - 2.2).abs() < 1e-12);
    assert!((interval_score((0.4, 0.6), (0.55, 0.8), 0.1) - 0.2).abs() < 1e-12);
}

#[test]
fn an_unknown_values_file_is_named_with_the_file() {
    let text = "values = \"nope\"\n[scenario]\nhorizon = 1.0\n";
    let e = ScenarioFile::from_toml(text, "mine.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("values") && e.contains("mine.toml") && e.contains("nope"),
        "{e}"
    );
}
