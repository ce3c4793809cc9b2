//! Metrics: hand-computed cases, undefined cases, properties on generated networks, and the
//! two counterexamples of docs/model.md §2.3.

mod support;

use proptest::prelude::*;
use shortfall::error::Location;
use shortfall::metrics::*;
use shortfall::network::{
    toy_chain, Basis, Builder, ChainTables, Network, Product, ProductionRecord, RecipeRecord,
    Region, RegionId, Status, TradeRecord,
};

const EPS: f64 = 1e-12;

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= EPS * b.abs().max(1.0)
}

#[test]
fn concentration_of_hand_computed_shares() {
    let c = Concentration::of([
        (RegionId(0), 50.0),
        (RegionId(1), 25.0),
        (RegionId(2), 15.0),
        (RegionId(3), 10.0),
    ])
    .unwrap();
    assert!(near(c.hhi, 0.25 + 0.0625 + 0.0225 + 0.01));
    assert!(near(c.hhi_points(), 3450.0));
    assert!(near(c.hhi_normalised.unwrap(), (0.345 - 0.25) / 0.75));
    assert!(near(c.cr1, 0.5));
    assert!(near(c.cr3, 0.9));
    let h = -(0.5f64 * 0.5f64.ln() + 0.25 * 0.25f64.ln() + 0.15 * 0.15f64.ln() + 0.1 * 0.1f64.ln());
    assert!(near(c.entropy, h));
    assert!(near(c.effective_suppliers, 1.0 / 0.345));
    assert_eq!(c.shares.iter().next().unwrap().0, RegionId(0));
}

#[test]
fn concentration_undefined_cases_are_typed() {
    assert_eq!(
        Concentration::of([(RegionId(0), 0.0)]),
        Err(Undefined::NoSupply)
    );
    assert_eq!(Concentration::of([]), Err(Undefined::NoSupply));
    assert_eq!(
        Concentration::of([(RegionId(0), -1.0)]),
        Err(Undefined::InvalidQuantity)
    );
    assert_eq!(
        Concentration::of([(RegionId(0), f64::NAN)]),
        Err(Undefined::InvalidQuantity)
    );
    let single = Concentration::of([(RegionId(0), 5.0), (RegionId(1), 0.0)]).unwrap();
    assert_eq!(single.hhi, 1.0);
    assert_eq!(single.hhi_normalised, Err(Undefined::SingleSupplier));
    assert_eq!(single.entropy, 0.0);
    assert_eq!(single.cr3, 1.0);
}

#[test]
fn toy_chain_dependence_by_hand() {
    let net = toy_chain();
    let r = |c: &str| net.region_id(c).unwrap();
    let p = |c: &str| net.product_id(c).unwrap();
    // US magnets: makes 8, imports 30 + 4 (via NL), exports 0.
    assert!(near(
        net_import_reliance(&net, r("US"), p("magnet")).unwrap(),
        34.0 / 42.0
    ));
    // China exports 40 of its 80: reliance (0 - 40) / 40 = -1.
    assert!(near(
        net_import_reliance(&net, r("CN"), p("magnet")).unwrap(),
        -1.0
    ));
    // NL consumes no ore at all.
    assert_eq!(
        net_import_reliance(&net, r("NL"), p("ore")),
        Err(Undefined::NoConsumption)
    );
    // Bloc {US, NL}: produces 8 magnets, imports 30 + 10 from China.
    let bloc = [r("US"), r("NL")];
    assert!(near(
        bloc_self_sufficiency(&net, &bloc, p("magnet")).unwrap(),
        8.0 / 48.0
    ));
    assert!(near(
        bloc_self_sufficiency(&net, &[r("CN")], p("magnet")).unwrap(),
        2.0
    ));
    // Direct origins of US oxide: 2 own, 3 Chinese.
    let s = direct_origins(&net, r("US"), p("oxide")).unwrap();
    assert!(near(s.of_region(r("CN")), 0.6));
    assert!(near(s.of_region(r("US")), 0.4));
    assert_eq!(
        direct_origins(&net, r("NL"), p("ore")),
        Err(Undefined::NoSupply)
    );
    // Import sources of US magnets: all Chinese (the NL part is re-export, origin basis).
    let c = import_concentration(&net, r("US"), p("magnet")).unwrap();
    assert_eq!(c.hhi, 1.0);
    // Exports of ore: US only.
    assert_eq!(export_concentration(&net, p("ore")).unwrap().cr1, 1.0);
}

#[test]
fn governance_weighted_by_hand_with_an_aggregate_imputed() {
    let mut net = toy_chain().to_parts();
    net.regions[0].governance = Some(6.0); // CN
    net.regions[1].governance = None; // US as if an aggregate without a score
    let net = Network::new(net).unwrap();
    let magnet = net.product_id("magnet").unwrap();
    // Shares 80/88 (CN, 6.0) and 8/88 (US, imputed with the scored mean 6.0).
    let g = governance_weighted(&net, magnet).unwrap();
    let (a, b) = (80.0 / 88.0, 8.0 / 88.0);
    assert!(near(g.value, a * a * 6.0 + b * b * 6.0));
    assert!(near(g.imputed_share, b));
    let mut parts = net.to_parts();
    parts.regions[0].governance = None;
    let none = Network::new(parts).unwrap();
    assert_eq!(
        governance_weighted(&none, magnet),
        Err(Undefined::NoGovernanceScore)
    );
}

#[test]
fn traced_content_and_touched_by_in_the_toy_chain() {
    let net = toy_chain();
    let r = |c: &str| net.region_id(c).unwrap();
    let p = |c: &str| net.product_id(c).unwrap();
    let us_magnet = net.node_id(r("US"), p("magnet")).unwrap();
    let by_origin = content_by_origin(&net, p("ore")).unwrap();
    // US magnets: 0.8/8 t of US oxide (pure US ore) and 1.2/8 t of Chinese oxide
    // (100/120 Chinese ore, 20/120 US ore), 5 t ore per t oxide.
    let cn = 1.2 / 8.0 * 5.0 * 100.0 / 120.0;
    let us = 0.8 / 8.0 * 5.0 + 1.2 / 8.0 * 5.0 * 20.0 / 120.0;
    let shares = by_origin.origin_shares(us_magnet).unwrap();
    assert!(near(shares.of_region(r("CN")), cn / (cn + us)));
    assert!(near(shares.of_region(r("US")), us / (cn + us)));
    // Touched by China: 60% of US magnets by volume.
    let t = touched_by(&net, r("CN")).unwrap();
    assert!(near(t.node_share(us_magnet).unwrap(), 0.6));
    // US supply of magnets: 8 own (60% touched) + 34 Chinese (touched).
    assert!(near(
        t.supply_share(&net, r("US"), p("magnet")).unwrap(),
        (8.0 * 0.6 + 34.0) / 42.0
    ));
    assert_eq!(
        t.supply_share(&net, r("NL"), p("ore")),
        Err(Undefined::NoSupply)
    );
    // Ore nodes have no ore content upstream of themselves: content 1, shares defined.
    let cn_ore = net.node_id(r("CN"), p("ore")).unwrap();
    assert!(near(
        by_origin.origin_shares(cn_ore).unwrap().of_region(r("CN")),
        1.0
    ));
    // Ore contains no magnets: traced shares and content-weighted touched-by undefined.
    let magnets_in = content_by_origin(&net, p("magnet")).unwrap();
    assert_eq!(magnets_in.origin_shares(cn_ore), Err(Undefined::NoContent));
    let weighted = touched_by_content(&net, r("CN"), p("magnet")).unwrap();
    assert_eq!(weighted.node_share(cn_ore), Err(Undefined::NoContent));
}

/// A country that refines imported feed: US ore is separated in China and sold back.
/// The US's oxide comes 100% directly from China, but its traced ore origin is 100% US.
#[test]
fn counterexample_traced_origin_share_below_direct_share() {
    let net = two_stage(
        &[("US", "ore", 10.0), ("CN", "oxide", 2.0)],
        &[("US", "CN", "ore", 10.0), ("CN", "US", "oxide", 2.0)],
    );
    let r = |c: &str| net.region_id(c).unwrap();
    let p = |c: &str| net.product_id(c).unwrap();
    let direct = direct_share(&net, r("US"), p("oxide"), r("CN")).unwrap();
    assert_eq!(direct, 1.0);
    let cn_oxide = net.node_id(r("CN"), p("oxide")).unwrap();
    let traced = content_by_origin(&net, p("ore"))
        .unwrap()
        .origin_shares(cn_oxide)
        .unwrap();
    assert_eq!(traced.of_region(r("CN")), 0.0);
    assert!(traced.of_region(r("CN")) < direct);
}

/// Suppliers whose content per unit differs: the US buys magnets half from China (made
/// with 0.1 t oxide per t) and half from Japan (0.5 t per t, Japanese oxide). China's
/// direct share is 50%, its content-weighted touched-by share 1/6.
#[test]
fn counterexample_content_weighted_touched_by_below_direct_share() {
    let mut t = tables(
        &[
            ("CN", "oxide", 1.0),
            ("JP", "oxide", 5.0),
            ("CN", "magnet", 10.0),
            ("JP", "magnet", 10.0),
        ],
        &[("CN", "US", "magnet", 10.0), ("JP", "US", "magnet", 10.0)],
    );
    t.recipes = vec![
        recipe("magnet", "oxide", 0.1, Some("CN")),
        recipe("magnet", "oxide", 0.5, Some("JP")),
    ];
    let net = Builder::new(t).build().unwrap().network;
    let r = |c: &str| net.region_id(c).unwrap();
    let p = |c: &str| net.product_id(c).unwrap();
    let direct = direct_share(&net, r("US"), p("magnet"), r("CN")).unwrap();
    assert!(near(direct, 0.5));
    let weighted = touched_by_content(&net, r("CN"), p("oxide"))
        .unwrap()
        .supply_share(&net, r("US"), p("magnet"))
        .unwrap();
    assert!(near(weighted, 0.1 / 0.6));
    assert!(weighted < direct);
    // By volume the inequality holds.
    assert!(
        touched_by(&net, r("CN"))
            .unwrap()
            .supply_share(&net, r("US"), p("magnet"))
            .unwrap()
            >= direct
    );
}

fn recipe(output: &str, input: &str, c: f64, region: Option<&str>) -> RecipeRecord {
    RecipeRecord {
        output: output.into(),
        input: input.into(),
        coefficient: c,
        basis: Basis::InputPerOutput,
        region: region.map(Into::into),
        status: Status::Read,
        location: Location::new("recipes", None),
    }
}

fn tables(production: &[(&str, &str, f64)], trade: &[(&str, &str, &str, f64)]) -> ChainTables {
    ChainTables {
        regions: ["CN", "US", "JP"]
            .iter()
            .map(|c| Region::new(*c, *c))
            .collect(),
        products: vec![
            Product::new("ore", "Ore", "t").intermediate(),
            Product::new("oxide", "Oxide", "t"),
            Product::new("magnet", "Magnet", "t"),
        ],
        production: production
            .iter()
            .map(|&(r, p, q)| ProductionRecord {
                item: Default::default(),
                region: r.into(),
                product: p.into(),
                production: q,
                capacity: None,
                status: Status::Read,
                location: Location::new("production", None),
            })
            .collect(),
        trade: trade
            .iter()
            .map(|&(a, b, p, q)| TradeRecord {
                exporter: a.into(),
                importer: b.into(),
                product: p.into(),
                quantity: q,
                status: Status::Read,
                location: Location::new("trade", None),
            })
            .collect(),
        recipes: vec![recipe("oxide", "ore", 5.0, None)],
        stocks: vec![],
    }
}

fn two_stage(production: &[(&str, &str, f64)], trade: &[(&str, &str, &str, f64)]) -> Network {
    Builder::new(tables(production, trade))
        .build()
        .unwrap()
        .network
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shares_sum_to_one_and_hhi_is_within_bounds(net in support::small_network()) {
        for &p in net.product_order() {
            let c = production_concentration(&net, &[p]).unwrap();
            let total: f64 = c.shares.iter().map(|(_, s)| s).sum();
            prop_assert!((total - 1.0).abs() < 1e-12);
            let n = c.shares.len() as f64;
            prop_assert!(c.hhi >= 1.0 / n - 1e-12 && c.hhi <= 1.0 + 1e-12);
            for r in 0..net.regions().len() as u32 {
                match direct_origins(&net, RegionId(r), p) {
                    Ok(s) => prop_assert!((s.iter().map(|(_, x)| x).sum::<f64>() - 1.0).abs() < 1e-12),
                    Err(e) => {
                        prop_assert_eq!(e, Undefined::NoSupply);
                        prop_assert_eq!(net.absorption(RegionId(r), p), 0.0);
                    }
                }
            }
        }
    }

    #[test]
    fn traced_origin_shares_sum_to_one_where_content_is_positive(net in support::small_network()) {
        let first = net.product_order()[0];
        let by_origin = content_by_origin(&net, first).unwrap();
        for n in net.node_ids() {
            match by_origin.origin_shares(n) {
                Ok(s) => prop_assert!((s.iter().map(|(_, x)| x).sum::<f64>() - 1.0).abs() < 1e-12),
                Err(e) => prop_assert_eq!(e, Undefined::NoContent),
            }
            let total: f64 = by_origin.of_node(n).iter().sum();
            prop_assert!((total - content(&net, first, None).unwrap()[n.index()]).abs() <= 1e-9 * total.max(1.0));
        }
    }

    #[test]
    fn touched_by_volume_is_at_least_the_direct_share(net in support::small_network(), c in 0u32..2) {
        let c = RegionId(c);
        let touched = touched_by(&net, c).unwrap();
        for r in 0..net.regions().len() as u32 {
            for &p in net.product_order() {
                if let Ok(direct) = direct_share(&net, RegionId(r), p, c) {
                    let t = touched.supply_share(&net, RegionId(r), p).unwrap();
                    prop_assert!(t >= direct - 1e-12, "touched {} < direct {}", t, direct);
                    prop_assert!(t <= 1.0 + 1e-12);
                }
            }
        }
    }

    /// A node whose upstream supply of the traced product all comes from one origin has
    /// that origin (checked by walking suppliers on networks where each user buys each
    /// input from one region).
    #[test]
    fn a_single_upstream_origin_is_the_traced_origin(
        synthetic in support::small_synthetic(),
    ) {
        let net = shortfall::network::Synthetic { suppliers: 1, dense: false, ..synthetic }
            .build()
            .unwrap();
        let first = net.product_order()[0];
        let by_origin = content_by_origin(&net, first).unwrap();
        for n in net.node_ids() {
            // Regions of the nodes of `first` upstream of n.
            let mut origins = std::collections::BTreeSet::new();
            let mut stack = vec![n];
            let mut seen = std::collections::HashSet::new();
            while let Some(m) = stack.pop() {
                if !seen.insert(m) {
                    continue;
                }
                if net.node(m).product == first {
                    origins.insert(net.node(m).region);
                    continue;
                }
                stack.extend(net.in_edges(m).map(|e| e.from));
            }
            if origins.len() == 1 && net.output(n) > 0.0 {
                let only = *origins.iter().next().unwrap();
                let shares = by_origin.origin_shares(n).unwrap();
                prop_assert!((shares.of_region(only) - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn forward_substitution_agrees_with_dense_lu(net in support::small_network()) {
        for &p in net.product_order() {
            let forward = content_by_origin(&net, p).unwrap();
            let dense = content_by_origin_dense(&net, p).unwrap();
            prop_assert_eq!(&forward.origins, &dense.origins);
            for (a, b) in forward.content.iter().zip(&dense.content) {
                prop_assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{} vs {}", a, b);
            }
        }
    }
}

/// A node whose upstream inputs all come from one origin has that origin.
#[test]
fn a_single_origin_chain_traces_to_that_origin() {
    let net = two_stage(
        &[
            ("US", "ore", 10.0),
            ("CN", "ore", 50.0),
            ("JP", "oxide", 2.0),
            ("CN", "oxide", 10.0),
        ],
        &[("US", "JP", "ore", 10.0), ("JP", "CN", "oxide", 1.0)],
    );
    let r = |c: &str| net.region_id(c).unwrap();
    let p = |c: &str| net.product_id(c).unwrap();
    let by_origin = content_by_origin(&net, p("ore")).unwrap();
    let jp_oxide = net.node_id(r("JP"), p("oxide")).unwrap();
    assert_eq!(
        by_origin
            .origin_shares(jp_oxide)
            .unwrap()
            .of_region(r("US")),
        1.0
    );
}

#[test]
fn size_limits_are_errors_not_panics() {
    let big = shortfall::network::Synthetic::with_nodes(6_500, 2, 1)
        .build()
        .unwrap();
    let err = content_by_origin_dense(&big, shortfall::network::ProductId(0)).unwrap_err();
    assert!(err.to_string().contains("at most 6000 nodes"), "{err}");
    let err = shortfall::metrics::Leontief::new(&big).unwrap_err();
    assert!(err.to_string().contains("at most 6000 nodes"), "{err}");
}

#[test]
fn tables_show_and_export() {
    let net = toy_chain();
    let t = ConcentrationTable::of(&net);
    let csv = t.tables()[0].to_csv().unwrap();
    assert!(csv.starts_with("product,largest,CR1"), "{csv}");
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains("\"product\":\"magnet\""), "{json}");
    assert!(t.to_html().contains("<caption>Concentration"));
}

use shortfall::report::Report;
