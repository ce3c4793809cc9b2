//! The embedded dataset `graphite_2024` (docs/data.md, rules GR-A to GR-F): it builds
//! with every check passing and no closing item, and reproduces the headline figures of
//! its sources.

mod support;

use shortfall::data::graphite_2024;
use shortfall::metrics::production_concentration;
use support::{output, shipped};

#[test]
fn builds_with_every_check_passing_and_nothing_closed() {
    let data = graphite_2024();
    assert!(data.network.balance_problems().is_empty());
    assert_eq!(support::fixed_point_failure(&data.network), None);
    assert!(
        data.report.closures.is_empty(),
        "{:?}",
        data.report.closures
    );
    assert!(data.report.items.is_empty(), "{:?}", data.report.items);
    assert!(
        data.report.warnings.is_empty(),
        "{:?}",
        data.report.warnings
    );
}

/// USGS MCS 2025: China mined 1,270,000 t of natural graphite in 2024, "an estimated 78%"
/// of the world (77.9% of the countries listed).
#[test]
fn china_mines_78_percent() {
    let data = graphite_2024();
    let net = &data.network;
    let p = net.require_product("natural_graphite").unwrap();
    assert_eq!(net.production(p), 1_630_670.0);
    let shares = production_concentration(net, &[p]).unwrap().shares;
    let cn = shares.of_region(net.require_region("CN").unwrap());
    assert!((cn - 0.779).abs() < 0.0005, "{cn}");
}

/// Rule GR-B: China's exports before the permits are January-August 2023 at an annual
/// rate (flake 50,700 t, spherical 35,600 t, x 12/8, USGS MCS 2025), to Korea, Japan and
/// the US in the shares USGS gives (flake 21, 20, 6%; spherical 49, 29, 19%).
#[test]
fn china_exports_at_the_rate_before_the_permits() {
    let data = graphite_2024();
    let flake = shipped(&data, "CN", "", "natural_graphite");
    let spherical = shipped(&data, "CN", "", "spherical_graphite");
    assert!((flake - 76_050.0).abs() < 0.5, "{flake}");
    assert!((spherical - 53_400.0).abs() < 0.5, "{spherical}");
    let kr = shipped(&data, "CN", "KR", "spherical_graphite") / spherical;
    assert!((kr - 0.49).abs() < 1e-6, "{kr}");
    let us = shipped(&data, "CN", "US", "natural_graphite") / flake;
    assert!((us - 0.06).abs() < 1e-6, "{us}");
}

/// USGS MCS 2025, 2024e: the US imported 60,000 t and exported 8,400 t of natural graphite
/// (apparent consumption 52,000 t, rounded); its spherical graphite makes natural anode
/// at Vidalia, whose 11,300 t a year is the capacity.
#[test]
fn us_consumption_as_usgs() {
    let data = graphite_2024();
    let used = output(&data, "US", "graphite_other_uses")
        + shipped(&data, "CN", "US", "spherical_graphite");
    assert!((used - 51_600.0).abs() < 0.5, "{used}");
    let net = &data.network;
    let us = net.require_region("US").unwrap();
    let anode = net.require_product("natural_anode").unwrap();
    let node = net.node_id(us, anode).unwrap();
    assert_eq!(net.node(node).capacity, 11_300.0);
}

/// SNE Research: 294 kt of natural and 1,756 kt of synthetic anode material in 2024, the
/// world's cells taking them at one blend (rule GR-E): 1,322.6 t a GWh, 14.3% natural.
#[test]
fn anode_material_as_sne_and_one_blend_per_gwh() {
    let data = graphite_2024();
    let net = &data.network;
    let natural = net.production(net.require_product("natural_anode").unwrap());
    let synthetic = net.production(net.require_product("synthetic_anode").unwrap());
    assert!((natural - 294_000.0).abs() < 50.0, "{natural}");
    assert!((synthetic - 1_756_000.0).abs() < 200.0, "{synthetic}");
    let cells = net.production(net.require_product("li_ion_cells").unwrap());
    let per_gwh = (natural + synthetic) / cells;
    assert!((per_gwh - 1_322.6).abs() < 1.0, "{per_gwh}");
}

#[test]
fn rules_are_documented() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data.md")).unwrap();
    for rule in ["GR-A", "GR-B", "GR-C", "GR-D", "GR-E", "GR-F"] {
        assert!(docs.contains(&format!("**Rule {rule}")), "{rule}");
    }
}
