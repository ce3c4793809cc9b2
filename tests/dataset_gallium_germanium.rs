//! The embedded dataset `gallium_germanium_2024` (docs/data.md, rules GG-A to GG-G): it
//! builds with every check passing, gallium is a joint output of alumina where alumina is
//! refined, and the headline figures of its sources are reproduced.

mod support;

use shortfall::data::gallium_germanium_2024;
use shortfall::metrics::production_concentration;
use shortfall::network::NodeKind;
use support::{output, shipped};

#[test]
fn builds_with_two_recycling_loops_and_nothing_closed() {
    let data = gallium_germanium_2024();
    assert!(data.network.balance_problems().is_empty());
    assert_eq!(support::fixed_point_failure(&data.network), None);
    assert!(
        data.report.closures.is_empty(),
        "{:?}",
        data.report.closures
    );
    assert!(
        data.report.warnings.is_empty(),
        "{:?}",
        data.report.warnings
    );
    let items: Vec<_> = (data.report.items.iter())
        .map(|(r, p, k, q)| (r.as_str(), p.as_str(), *k, q.round()))
        .collect();
    assert_eq!(
        items,
        [
            ("US", "ga_refined", NodeKind::Recycled, 8_000.0),
            ("JP", "ga_refined", NodeKind::Recycled, 20_000.0)
        ]
    );
}

/// USGS MCS 2025: primary gallium 2024e, China 750,000 kg of the countries' 762,000 kg
/// ("99%"); China's capacity 1,000,000 kg bounds its gallium through its alumina (rule
/// GG-A): 0.01205 kg per t of 82.99 Mt of alumina.
#[test]
fn china_makes_98_percent_of_primary_gallium_as_a_by_product_of_alumina() {
    let data = gallium_germanium_2024();
    let net = &data.network;
    let ga = net.require_product("ga_primary").unwrap();
    let shares = production_concentration(net, &[ga]).unwrap().shares;
    let cn = net.require_region("CN").unwrap();
    assert!((shares.of_region(cn) - 750_000.0 / 762_000.0).abs() < 1e-12);
    let rule = (data.joint.iter())
        .find(|j| j.output == "ga_primary" && j.region.as_deref() == Some("CN"))
        .expect("gallium is a joint output of alumina in China");
    let bound = rule.per_unit * output(&data, "CN", "alumina");
    assert!((bound - 1_000_000.0).abs() < 1_000.0, "{bound}");
}

/// USGS MCS 2025, 2024e: the US consumed 19,000 kg of gallium (integrated circuits 79%,
/// optoelectronics 20%) from 11,000 kg of imports (Japan 24, China 19, Germany 19, Canada
/// 17, other 21%), its own refining and new scrap.
#[test]
fn us_gallium_as_usgs() {
    let data = gallium_germanium_2024();
    let used = output(&data, "US", "ga_semiconductors") + output(&data, "US", "ga_optoelectronics");
    assert!((used - 19_000.0).abs() < 300.0, "{used}");
    let imports: f64 = ["CN", "DE"]
        .iter()
        .map(|r| shipped(&data, r, "US", "ga_primary"))
        .chain(
            ["JP", "CA", "RW"]
                .iter()
                .map(|r| shipped(&data, r, "US", "ga_refined")),
        )
        .sum();
    assert!((imports - 11_000.0).abs() < 0.5, "{imports}");
}

/// Rules GG-C and GG-F: China's exports before the licences, at the mean of the
/// pre-control months found: gallium 69,033 kg a year (Japan 51.4%, Germany 35.2%),
/// germanium 50,400 kg; US germanium imports 33,000 kg (USGS, 2024e).
#[test]
fn china_exports_before_the_licences() {
    let data = gallium_germanium_2024();
    let ga = shipped(&data, "CN", "", "ga_primary");
    assert!((ga - 69_032.75).abs() < 1.0, "{ga}");
    let jp = shipped(&data, "CN", "JP", "ga_primary") / ga;
    assert!((jp - 0.514).abs() < 1e-4, "{jp}");
    let ge = shipped(&data, "CN", "", "germanium");
    assert!((ge - 50_400.0).abs() < 1.0, "{ge}");
    let us: f64 = ["CN", "BE", "CA", "DE"]
        .iter()
        .map(|r| shipped(&data, r, "US", "germanium"))
        .sum();
    assert!((us - 33_000.0).abs() < 1.0, "{us}");
}

#[test]
fn rules_are_documented() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data.md")).unwrap();
    for rule in ["GG-A", "GG-B", "GG-C", "GG-D", "GG-E", "GG-F", "GG-G"] {
        assert!(docs.contains(&format!("**Rule {rule}")), "{rule}");
    }
}
