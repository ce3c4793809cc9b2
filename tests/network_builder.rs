//! The physical builder: a hand-computed chain entry by entry, balance failures, and one
//! test per bad-input class (each asserting the error names the offending record).

mod support;

use shortfall::data::{tables_from_strs, TableFiles};
use shortfall::error::{BalanceProblem, Error};
use shortfall::network::{toy_tables, Builder, Closure, Network, NodeKind, Sink};

fn region_product(net: &Network, region: &str, product: &str) -> shortfall::network::NodeId {
    let r = net.region_id(region).unwrap();
    let p = net.product_id(product).unwrap();
    net.node_id(r, p).unwrap()
}

/// `Z[(i,m),(j,k)]` summed over transit tags.
fn z(net: &Network, from: (&str, &str), to: (&str, &str)) -> f64 {
    let f = region_product(net, from.0, from.1);
    let t = region_product(net, to.0, to.1);
    net.out_edges(f)
        .iter()
        .filter(|e| e.to == Sink::Node(t))
        .map(|e| e.flow)
        .sum()
}

/// `Y[(i,m), j]`, and the part of it that transits `hub`.
fn y(net: &Network, from: (&str, &str), region: &str, hub: Option<&str>) -> f64 {
    let f = region_product(net, from.0, from.1);
    let r = net.region_id(region).unwrap();
    let h = hub.map(|h| net.region_id(h).unwrap());
    net.out_edges(f)
        .iter()
        .filter(|e| e.to == Sink::FinalUse(r) && (hub.is_none() || e.transit == h))
        .map(|e| e.flow)
        .sum()
}

const EPS: f64 = 1e-12;

fn assert_near(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= EPS * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

/// docs/model.md §1.7 works these numbers out by hand.
#[test]
fn toy_chain_matches_hand_computation_entry_by_entry() {
    let build = Builder::new(toy_tables()).build().unwrap();
    let net = &build.network;
    // Z: ore -> oxide
    assert_near(z(net, ("CN", "ore"), ("CN", "oxide")), 100.0);
    assert_near(z(net, ("US", "ore"), ("CN", "oxide")), 20.0);
    assert_near(z(net, ("US", "ore"), ("US", "oxide")), 10.0);
    // Z: oxide -> magnet; the US absorbs 2 own + 3 Chinese (via NL) = 5, needs 2
    assert_near(z(net, ("CN", "oxide"), ("CN", "magnet")), 20.0);
    assert_near(z(net, ("CN", "oxide"), ("US", "magnet")), 1.2);
    assert_near(z(net, ("US", "oxide"), ("US", "magnet")), 0.8);
    assert_near(z(net, ("CN", "ore"), ("US", "oxide")), 0.0);
    // Y: unallocated oxide (no real final use) and magnets
    assert_near(y(net, ("CN", "oxide"), "US", Some("NL")), 1.8);
    assert_near(y(net, ("US", "oxide"), "US", None), 1.2);
    assert_near(y(net, ("CN", "oxide"), "NL", None), 1.0);
    assert_near(y(net, ("CN", "magnet"), "CN", None), 40.0);
    assert_near(y(net, ("CN", "magnet"), "US", None), 34.0);
    assert_near(y(net, ("CN", "magnet"), "US", Some("NL")), 4.0);
    assert_near(y(net, ("CN", "magnet"), "NL", None), 6.0);
    assert_near(y(net, ("US", "magnet"), "US", None), 8.0);
    // x = Z·1 + Y·1
    for (r, p, x) in [
        ("CN", "ore", 100.0),
        ("US", "ore", 30.0),
        ("CN", "oxide", 24.0),
        ("US", "oxide", 2.0),
        ("CN", "magnet", 80.0),
        ("US", "magnet", 8.0),
    ] {
        assert_near(net.output(region_product(net, r, p)), x);
    }
    // The hub made nothing, and its re-exports are recorded.
    let nl = net.region_id("NL").unwrap();
    assert!(net.nodes().iter().all(|n| n.region != nl));
    let volumes: Vec<(String, f64)> = build
        .report
        .reexports
        .iter()
        .map(|r| (r.product.clone(), r.volume))
        .collect();
    assert_eq!(volumes, vec![("oxide".into(), 3.0), ("magnet".into(), 4.0)]);
    assert_eq!(
        build.report.unallocated,
        vec![
            ("US".into(), "oxide".into(), 3.0),
            ("NL".into(), "oxide".into(), 1.0)
        ]
    );
    // 73 days of the US's 42 t of magnet use.
    let us = net.region_id("US").unwrap();
    let magnet = net.product_id("magnet").unwrap();
    assert_near(net.stock(us, magnet), 73.0 / 365.0 * 42.0);
    assert!(support::fixed_point_failure(net).is_none());
}

#[test]
fn unbalanced_data_is_rejected_with_every_problem_named() {
    let mut t = toy_tables();
    // The hub ships 5 t of oxide but imports only 4 (check 3) ...
    t.trade[2].quantity = 5.0;
    // ... and US magnet makers need 40 x 0.25 = 10 t of oxide but the US absorbs 2 + 5.
    t.production[5].production = 40.0;
    t.production[5].capacity = Some(40.0);
    let err = Builder::new(t).build().unwrap_err();
    let Error::Unbalanced { problems } = &err else {
        panic!("expected Unbalanced, got {err}");
    };
    assert_eq!(problems.len(), 2, "{err}");
    assert!(problems.contains(&BalanceProblem::ExportsExceedSupply {
        region: "NL".into(),
        product: "oxide".into(),
        exports: 5.0,
        production: 0.0,
        imports: 4.0,
    }));
    assert!(problems.iter().any(|p| matches!(p,
        BalanceProblem::NegativeFinalUse { region, product, required, .. }
            if region == "US" && product == "oxide" && *required == 10.0)));
    let text = err.to_string();
    assert!(text.contains("NL exports 5 of oxide"), "{text}");
}

#[test]
fn a_gap_closed_by_secondary_supply_is_labelled_and_sized() {
    let mut t = toy_tables();
    t.production[5].production = 40.0; // US magnets need 10 t oxide, absorb 5
    t.production[5].capacity = Some(40.0);
    let build = Builder::new(t)
        .closure("oxide", Closure::Secondary)
        .build()
        .unwrap();
    assert_eq!(
        build.report.closures,
        vec![("US".into(), "oxide".into(), NodeKind::Secondary, 5.0)]
    );
    let net = &build.network;
    let secondary: Vec<_> = net
        .node_ids()
        .filter(|&n| net.node(n).kind == NodeKind::Secondary)
        .collect();
    assert_eq!(secondary.len(), 1);
    assert_near(net.output(secondary[0]), 5.0);
    assert!(net
        .out_edges(secondary[0])
        .iter()
        .all(|e| e.estimate == e.flow));
    assert!(support::fixed_point_failure(net).is_none());
}

#[test]
fn a_yield_is_converted_to_input_per_output() {
    let net = Builder::new(toy_tables()).build().unwrap().network;
    let n = region_product(&net, "CN", "magnet");
    assert_eq!(net.inputs(n)[0].per_unit, 0.25); // written as a yield of 4
}

#[test]
fn a_new_plant_gets_its_recipe_without_baseline_output() {
    let mut t = toy_tables();
    t.production.push(shortfall::network::ProductionRecord {
        item: Default::default(),
        region: "NL".into(),
        product: "magnet".into(),
        production: 0.0,
        capacity: Some(5.0),
        status: shortfall::network::Status::Estimate,
        location: shortfall::error::Location::new("production", Some(8)),
    });
    let net = Builder::new(t).build().unwrap().network;
    let n = region_product(&net, "NL", "magnet");
    assert_eq!(net.output(n), 0.0);
    assert_eq!(net.inputs(n)[0].per_unit, 0.25);
    assert_eq!(net.node(n).capacity, 5.0);
}

// ---- one test per bad-input class, through the CSV reader so that lines are real ----

const REGIONS: &str =
    "code,name,aggregate\nCN,China,false\nUS,United States,false\nNL,Netherlands,false\n";
const PRODUCTS: &str =
    "id,name,unit,final_use\nore,Ore,t REO,false\noxide,Oxide,t,false\nmagnet,Magnets,t,true\n";
const PRODUCTION: &str = "region,product,production,capacity,status\nCN,ore,100,110,R\nUS,ore,30,40,R\nCN,oxide,24,30,R\nUS,oxide,2,4,R\nCN,magnet,80,100,R\nUS,magnet,8,8,R\n";
const TRADE: &str = "exporter,importer,product,quantity,status\nUS,CN,ore,20,R\nCN,NL,oxide,4,R\nNL,US,oxide,3,R\nCN,US,magnet,30,R\nCN,NL,magnet,10,R\nNL,US,magnet,4,R\n";
const RECIPES: &str = "output,input,coefficient,basis,status\noxide,ore,5,input_per_output,R\nmagnet,oxide,4,yield,R\n";

fn build(production: &str, trade: &str, recipes: &str) -> Result<Network, Error> {
    let tables = tables_from_strs(TableFiles {
        regions: ("regions.csv", REGIONS),
        products: ("products.csv", PRODUCTS),
        production: ("production.csv", production),
        trade: ("trade.csv", trade),
        recipes: ("recipes.csv", recipes),
        stocks: ("stocks.csv", ""),
    })?;
    Builder::new(tables).build().map(|b| b.network)
}

#[test]
fn the_csv_toy_equals_the_in_memory_toy() {
    let net = build(PRODUCTION, TRADE, RECIPES).unwrap();
    assert_eq!(net.edges(), shortfall::network::toy_chain().edges());
}

#[test]
fn unknown_region_code_names_file_line_and_field() {
    let trade = TRADE.replace("NL,US,magnet", "XX,US,magnet");
    let err = build(PRODUCTION, &trade, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownRegion { code, field, location }
        if code == "XX" && field == "exporter" && location.line == Some(7) && location.file == "trade.csv"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "trade.csv, line 7: unknown region code `XX` in field `exporter`"
    );
}

#[test]
fn unknown_product_code_names_file_line_and_field() {
    let recipes = RECIPES.replace("magnet,oxide", "magnet,oxyde");
    let err = build(PRODUCTION, TRADE, &recipes).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownProduct { code, field, location }
        if code == "oxyde" && field == "input" && location.line == Some(3)),
        "{err}"
    );
}

#[test]
fn negative_quantity_is_refused() {
    let production = PRODUCTION.replace("US,ore,30,40", "US,ore,-30,40");
    let err = build(&production, TRADE, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidQuantity { field, value, location, .. }
        if field == "production" && *value == -30.0 && location.line == Some(3)),
        "{err}"
    );
}

#[test]
fn non_finite_quantity_is_refused() {
    let trade = TRADE.replace("US,CN,ore,20", "US,CN,ore,NaN");
    let err = build(PRODUCTION, &trade, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidQuantity { field, location, .. }
        if field == "quantity" && location.line == Some(2)),
        "{err}"
    );
    let trade = TRADE.replace("US,CN,ore,20", "US,CN,ore,inf");
    assert!(matches!(
        build(PRODUCTION, &trade, RECIPES),
        Err(Error::InvalidQuantity { .. })
    ));
}

#[test]
fn a_value_that_is_not_a_number_names_the_field() {
    let trade = TRADE.replace("US,CN,ore,20", "US,CN,ore,twenty");
    let err = build(PRODUCTION, &trade, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidField { field, location, .. }
        if field == "quantity" && location.line == Some(2)),
        "{err}"
    );
}

#[test]
fn duplicate_record_names_both_lines() {
    let trade = format!("{TRADE}US,CN,ore,5,R\n");
    let err = build(PRODUCTION, &trade, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::DuplicateRecord { key, first, location }
        if key == "US,CN,ore" && *first == 2 && location.line == Some(8)),
        "{err}"
    );
}

#[test]
fn exports_above_production_plus_imports_are_refused() {
    let trade = TRADE.replace("NL,US,magnet,4", "NL,US,magnet,12");
    let err = build(PRODUCTION, &trade, RECIPES).unwrap_err();
    let Error::Unbalanced { problems } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        problems,
        &vec![BalanceProblem::ExportsExceedSupply {
            region: "NL".into(),
            product: "magnet".into(),
            exports: 12.0,
            production: 0.0,
            imports: 10.0
        }]
    );
}

#[test]
fn negative_residual_final_use_names_region_product_and_size() {
    let production = PRODUCTION.replace("US,magnet,8,8", "US,magnet,40,40");
    let err = build(&production, TRADE, RECIPES).unwrap_err();
    let Error::Unbalanced { problems } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        problems,
        &vec![BalanceProblem::NegativeFinalUse {
            region: "US".into(),
            product: "oxide".into(),
            absorption: 5.0,
            required: 10.0
        }]
    );
    assert!(err.to_string().contains("gap 5"), "{err}");
}

#[test]
fn cyclic_recipes_are_a_typed_error_naming_the_cycle() {
    let recipes = format!("{RECIPES}ore,magnet,0.01,input_per_output,E\n");
    let err = build(PRODUCTION, TRADE, &recipes).unwrap_err();
    let Error::CyclicRecipes { cycle } = &err else {
        panic!("{err}")
    };
    assert_eq!(cycle.first(), cycle.last());
    for p in ["ore", "oxide", "magnet"] {
        assert!(cycle.iter().any(|c| c == p), "{cycle:?}");
    }
}

#[test]
fn missing_field_names_the_field_and_line() {
    let production = PRODUCTION.replace("US,oxide,2,4,R", "US,,2,4,R");
    let err = build(&production, TRADE, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::MissingField { field, location }
        if field == "product" && location.line == Some(5)),
        "{err}"
    );
    let production = PRODUCTION.replace("production,capacity", "output,capacity");
    let err = build(&production, TRADE, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::MissingField { field, .. } if field == "production"),
        "{err}"
    );
}

#[test]
fn capacity_below_output_is_refused() {
    let production = PRODUCTION.replace("CN,ore,100,110", "CN,ore,100,90");
    let err = build(&production, TRADE, RECIPES).unwrap_err();
    assert!(
        matches!(&err, Error::CapacityBelowOutput { region, location, .. }
        if region == "CN" && location.line == Some(2)),
        "{err}"
    );
}

#[test]
fn a_bad_recipe_basis_is_refused() {
    let recipes = RECIPES.replace("yield", "per_tonne");
    let err = build(PRODUCTION, TRADE, &recipes).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidField { field, .. } if field == "basis"),
        "{err}"
    );
}

#[test]
fn a_hub_fed_by_another_hub_is_refused() {
    // NL re-exports magnets; let a second hub GB re-export what it got from NL.
    let regions = format!("{REGIONS}GB,United Kingdom,false\n");
    let trade = format!("{TRADE}NL,GB,magnet,2,R\nGB,US,magnet,1,R\n");
    let tables = tables_from_strs(TableFiles {
        regions: ("regions.csv", &regions),
        products: ("products.csv", PRODUCTS),
        production: ("production.csv", PRODUCTION),
        trade: ("trade.csv", &trade),
        recipes: ("recipes.csv", RECIPES),
        stocks: ("stocks.csv", ""),
    })
    .unwrap();
    let err = Builder::new(tables).build().unwrap_err();
    assert!(
        matches!(&err, Error::NestedReexport { hub, origin, .. } if hub == "GB" && origin == "NL"),
        "{err}"
    );
}

#[test]
fn error_is_send_sync_static() {
    fn assert_bounds<T: Send + Sync + 'static + std::error::Error>() {}
    assert_bounds::<Error>();
}

/// A folder whose balance does not close names the line of `closures.csv` that closes it
/// (docs/model.md §1.4); with that line the folder builds, the gap a labelled node of the
/// size the error gave.
#[test]
fn an_unbalanced_folder_gets_the_line_that_closes_it() {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/notebooks/my_chain");
    let dir = std::env::temp_dir().join(format!("shortfall-closures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "regions.csv",
        "products.csv",
        "production.csv",
        "recipes.csv",
        "stocks.csv",
    ] {
        std::fs::copy(from.join(f), dir.join(f)).unwrap();
    }
    // CC's metal makers need 400 t of ore; it now imports only 350.
    let trade = std::fs::read_to_string(from.join("trade.csv")).unwrap();
    std::fs::write(
        dir.join("trade.csv"),
        trade.replace("BB,CC,ore,300", "BB,CC,ore,250"),
    )
    .unwrap();
    let err = shortfall::data::read_network(&dir).unwrap_err().to_string();
    assert!(err.contains("negative final use of ore in CC"), "{err}");
    assert!(err.contains("(gap 50)"), "{err}");
    assert!(
        err.contains("add the line `ore,secondary` to closures.csv"),
        "{err}"
    );

    std::fs::write(dir.join("closures.csv"), "product,closure\nore,secondary\n").unwrap();
    let net = shortfall::data::read_network(&dir).unwrap();
    let closing: Vec<_> = net
        .node_ids()
        .filter(|&n| net.node(n).kind == NodeKind::Secondary)
        .collect();
    assert_eq!(closing.len(), 1);
    let node = net.node(closing[0]);
    assert_eq!(net.region(node.region).code, "CC");
    assert_near(net.output(closing[0]), 50.0);
    // 50 of the 400 t is below a quarter: no warning; 160 of 400 is above (§1.4).
    let warnings =
        |dir: &std::path::Path| shortfall::data::read_folder(dir).unwrap().report.warnings;
    assert!(warnings(&dir).is_empty());
    std::fs::write(
        dir.join("trade.csv"),
        trade.replace("BB,CC,ore,300", "BB,CC,ore,140"),
    )
    .unwrap();
    let w = warnings(&dir);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("ore in CC") && w[0].contains("(40%, above 25%)"),
        "{w:?}"
    );
    std::fs::write(
        dir.join("trade.csv"),
        trade.replace("BB,CC,ore,300", "BB,CC,ore,250"),
    )
    .unwrap();

    // A closure for a product the folder lacks names the file and line.
    std::fs::write(
        dir.join("closures.csv"),
        "product,closure\nore,secondary\nzinc,secondary\n",
    )
    .unwrap();
    let err = shortfall::data::read_network(&dir).unwrap_err().to_string();
    assert!(
        err.contains("closures.csv, line 3") && err.contains("zinc"),
        "{err}"
    );
    std::fs::write(dir.join("closures.csv"), "product,closure\nore,recycled\n").unwrap();
    let err = shortfall::data::read_network(&dir).unwrap_err().to_string();
    assert!(
        err.contains("`recycled`: expected `secondary` or `discrepancy`"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
