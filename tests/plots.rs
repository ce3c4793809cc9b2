//! Every plot type rendered to an SVG file and checked for its axes, labels and data
//! marks, and the evcxr content block of a plot (feature `plot`, on by default).
#![cfg(feature = "plot")]

use shortfall::data::rare_earths_2024;
use shortfall::engine::{chokepoints, DynamicSettings, Ranking, Step};
use shortfall::montecarlo::{run, run_paths, Settings};
use shortfall::plot::Plot;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Realization;

fn seed_file() -> ScenarioFile {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    ScenarioFile::read(path).unwrap()
}

/// The seed scenario's static Monte Carlo results, 2,000 draws.
fn seed_results() -> shortfall::montecarlo::McResults {
    let file = seed_file();
    let settings = Settings {
        draws: 2_000,
        ..file.monte_carlo.clone()
    };
    run(&rare_earths_2024().network, &file.scenario, &settings, None).unwrap()
}

/// Saves the plot under `target/plots/` and reads it back: the file is the SVG.
fn saved(plot: &Plot, name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/plots");
    std::fs::create_dir_all(dir).unwrap();
    let path = format!("{dir}/{name}.svg");
    plot.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, plot.svg());
    assert!(
        text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
        "{name}: not an SVG document"
    );
    text
}

/// The texts of the SVG's `<text>` elements, unescaped.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(
                body.trim()
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">"),
            )
        })
        .collect()
}

fn has_text(svg: &str, text: &str) -> bool {
    texts(svg).iter().any(|t| t == text)
}

fn count(svg: &str, element: &str) -> usize {
    svg.matches(&format!("<{element}")).count()
}

#[test]
fn histogram_marks_median_p95_and_cvar() {
    let results = seed_results();
    let summary = &results.outcomes[0];
    let svg = saved(&Plot::histogram(summary).unwrap(), "histogram");
    assert!(
        has_text(&svg, &format!("shortfall ({})", summary.unit)),
        "x axis label"
    );
    assert!(has_text(&svg, "draws"), "y axis label");
    for mark in ["P50", "P95", "CVaR"] {
        assert!(
            texts(&svg)
                .iter()
                .any(|t| t.starts_with(&format!("{mark} "))),
            "{mark} is not marked"
        );
    }
    let bins = summary.histogram.counts.len();
    // One rectangle per bin, plus the background, the plot area and the legend's.
    assert!(
        count(&svg, "rect") >= bins,
        "{} rectangles for {bins} bins",
        count(&svg, "rect")
    );
    assert!(count(&svg, "polyline") >= 3, "the three marks are lines");
}

#[test]
fn fan_chart_draws_band_median_and_mean() {
    let data = rare_earths_2024();
    let file = seed_file();
    let settings = Settings {
        draws: 200,
        ..file.monte_carlo.clone()
    };
    let dynamic = DynamicSettings {
        step: Step::Week,
        ..file.dynamic.clone().unwrap()
    };
    let paths = run_paths(
        &data.network,
        &file.scenario,
        &dynamic,
        &settings,
        &file.paths.clone().unwrap(),
    )
    .unwrap();
    let svg = saved(&Plot::fan_chart(&paths).unwrap(), "fan_chart");
    assert!(has_text(&svg, "weeks from the run's start"));
    assert!(has_text(&svg, "shortfall per step (t)"));
    for label in ["P5-P95", "median", "mean"] {
        assert!(has_text(&svg, label), "legend lacks {label}");
    }
    assert!(count(&svg, "polygon") >= 1, "the band");
    assert!(count(&svg, "polyline") >= 2, "median and mean");
}

#[test]
fn exposure_map_has_a_cell_per_region_and_product_with_their_names() {
    let data = rare_earths_2024();
    let net = &data.network;
    let svg = saved(&Plot::exposure_map(net, "CN").unwrap(), "exposure_map");
    assert!(has_text(&svg, "region") && has_text(&svg, "product"));
    for name in ["US", "JP", "RW", "ndfeb_magnet_dy", "ev_motor"] {
        assert!(has_text(&svg, name), "no label {name}");
    }
    let cells = net.regions().len() * net.products().len();
    assert!(
        count(&svg, "rect") >= cells,
        "{} rectangles for {cells} cells",
        count(&svg, "rect")
    );
    assert!(Plot::exposure_map(net, "XX").is_err());
}

#[test]
fn chokepoint_bars_are_named_and_drawn() {
    let data = rare_earths_2024();
    let net = &data.network;
    let context = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let magnet = net.require_product("ndfeb_magnet_dy").unwrap();
    let table = chokepoints(
        net,
        &context,
        &shortfall::scenario::Targets::Bloc("US+8".into()),
        Ranking::Product(magnet),
    )
    .unwrap();
    let svg = saved(&Plot::chokepoints(&table).unwrap(), "chokepoints");
    assert!(has_text(&svg, &format!("US+8 {}", table.unit)));
    let top = &table.rows[0];
    assert!(
        has_text(&svg, &format!("{} {}", top.region, top.product)),
        "the top chokepoint is named"
    );
    assert!(count(&svg, "rect") >= table.rows.len().min(12));
    let last = &table.rows[table.rows.len() - 1];
    assert!(
        !has_text(&svg, &format!("{} {}", last.region, last.product)),
        "at most 12 bars"
    );
}

#[test]
fn tornado_ranks_parameters_by_their_correlation() {
    let results = seed_results();
    let outcome = results.outcomes[0].name.clone();
    let svg = saved(&Plot::tornado(&results, &outcome).unwrap(), "tornado");
    assert!(has_text(&svg, "rank correlation (PRCC, else Spearman)"));
    assert!(has_text(&svg, "horizon") && has_text(&svg, "restrictions[0].severity"));
    let bars = results
        .sensitivity
        .iter()
        .filter(|s| s.outcome == outcome)
        .count();
    assert!(count(&svg, "rect") >= bars);
    assert!(Plot::tornado(&results, "no such outcome").is_err());
}

/// The blocks of an evcxr content string: `(mime type, body)`, each opened and closed on
/// its own line, nothing outside them.
fn blocks(content: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = content.lines();
    while let Some(open) = lines.next() {
        let mime = open
            .strip_prefix("EVCXR_BEGIN_CONTENT ")
            .unwrap_or_else(|| panic!("text outside a block: {open}"));
        let mut body = Vec::new();
        loop {
            let line = lines.next().expect("an unclosed block");
            if line == "EVCXR_END_CONTENT" {
                break;
            }
            assert!(!line.starts_with("EVCXR_"), "a block opened inside another");
            body.push(line);
        }
        out.push((mime.to_string(), body.join("\n")));
    }
    out
}

#[test]
fn evcxr_display_prints_well_formed_content_blocks() {
    use shortfall::report::Report;
    let net = shortfall::network::toy_chain();
    let plot = Plot::exposure_map(&net, "CN").unwrap();
    let b = blocks(&plot.evcxr_content());
    assert_eq!(b.len(), 2);
    assert_eq!(
        (b[0].0.as_str(), b[0].1.as_str()),
        ("image/svg+xml", plot.svg())
    );
    assert_eq!(b[1].0, "text/plain");
    assert!(b[1].1.contains("Share of supply touched by CN"));
    // Tables: HTML, then plain text.
    let summary = net.summary();
    let t = blocks(&summary.evcxr_content());
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[0].0.as_str(), t[0].1.as_str()),
        ("text/html", summary.to_html().as_str())
    );
    assert_eq!(
        (t[1].0.as_str(), t[1].1.as_str()),
        ("text/plain", summary.to_text().as_str())
    );
}
