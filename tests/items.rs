//! Labelled supply items (docs/model.md §1.10): a recycled item in a region that also
//! separates, worked by hand; the capacity loss that names an item; the file errors.

mod support;

use shortfall::data::{joint_from_str, tables_from_strs, TableFiles};
use shortfall::metrics::production_by_region;
use shortfall::network::{Build, Builder, Network, NodeKind};
use shortfall::scenario::{CapacityLoss, Realization, Restriction, Targets};
use shortfall::Error;
use support::{close, run_checked};

const REGIONS: &str = "code,name\nCN,China\nMY,Malaysia\n";
const PRODUCTS: &str = "id,name,unit,final_use\nndpr,NdPr oxide,t,false\nmagnet,Magnets,t,true\n";
const TRADE: &str = "exporter,importer,product,quantity\nMY,CN,ndpr,4\n";
const RECIPES: &str = "output,input,coefficient\nmagnet,ndpr,0.3\n";
const JOINT: &str = "host,output,yield,item\nmagnet,ndpr,0.06,recycled\n";

/// §1.10 by hand: China makes 100 t of magnets from 30 t of NdPr oxide: 20 t from its
/// separators, 4 t from Malaysia and 6 t recycled from its own swarf.
fn production(extra: &str) -> String {
    format!(
        "region,product,production,item\nCN,ndpr,20,\nMY,ndpr,4,\nCN,magnet,100,\nCN,ndpr,6,recycled\n{extra}"
    )
}

fn build_with(production: &str, joint: &str) -> shortfall::Result<Build> {
    let tables = tables_from_strs(TableFiles {
        regions: ("regions.csv", REGIONS),
        products: ("products.csv", PRODUCTS),
        production: ("production.csv", production),
        trade: ("trade.csv", TRADE),
        recipes: ("recipes.csv", RECIPES),
        stocks: ("stocks.csv", ""),
    })?;
    joint_from_str(("joint.csv", joint))?
        .into_iter()
        .fold(Builder::new(tables), Builder::joint)
        .build()
}

fn chain() -> Network {
    build_with(&production(""), JOINT).unwrap().network
}

fn one_year() -> Realization {
    Realization {
        horizon: 1.0,
        ..Realization::default()
    }
}

#[test]
fn a_recycled_item_is_a_node_of_its_own_that_supplies_its_region() {
    let Build {
        network: net,
        report,
    } = build_with(&production(""), JOINT).unwrap();
    let (cn, ndpr, magnet) = (
        net.region_id("CN").unwrap(),
        net.product_id("ndpr").unwrap(),
        net.product_id("magnet").unwrap(),
    );
    let producers = net.node_id(cn, ndpr).unwrap();
    let recycled = net.node_of_kind(cn, ndpr, NodeKind::Recycled).unwrap();
    assert_ne!(producers, recycled);
    assert_eq!(net.output(recycled), 6.0);
    assert!(net.inputs(recycled).is_empty(), "an item has no recipe");
    let makers = net.node_id(cn, magnet).unwrap();
    let into_magnets = |from| {
        net.in_edges(makers)
            .filter(|e| e.from == from)
            .map(|e| e.flow)
            .sum::<f64>()
    };
    assert!(close(into_magnets(producers), 20.0));
    assert!(close(into_magnets(recycled), 6.0));
    assert_eq!(net.joint_outputs().len(), 1);
    assert!(net.recycles()[0], "scrap back into its own chain is a loop");
    assert_eq!(report.items.len(), 1);
    assert_eq!(report.items[0].2, NodeKind::Recycled);
    assert!(report.closures.is_empty() && report.warnings.is_empty());
    // China's share counts what it recycles: (20 + 6) / 30.
    let by = production_by_region(&net, &[ndpr]);
    let china = by.iter().find(|(r, _)| *r == cn).unwrap().1;
    let total: f64 = by.iter().map(|(_, q)| q).sum();
    assert!(close(china / total, 26.0 / 30.0), "{}", china / total);
}

/// Malaysia stops its 4 t: `Q = 20 / (0.3 - 0.06) = 83.33` t of magnets, 5 t recycled.
#[test]
fn the_recycled_item_follows_its_host_under_a_cut() {
    let net = chain();
    let (cn, ndpr, magnet) = (
        net.region_id("CN").unwrap(),
        net.product_id("ndpr").unwrap(),
        net.product_id("magnet").unwrap(),
    );
    let calm = run_checked(&net, &one_year());
    assert!(calm.absorption_shortfall.iter().all(|&s| s == 0.0));
    let mut r = one_year();
    r.restrictions = vec![Restriction::full(
        ["MY"],
        ["ndpr"],
        Targets::List(vec!["CN".into()]),
    )];
    let o = run_checked(&net, &r);
    let q = 20.0 / (0.3 - 0.06);
    assert!(
        close(o.production[magnet.index()], q),
        "{}",
        o.production[magnet.index()]
    );
    assert!(close(o.final_shortfall(cn, magnet), 100.0 - q));
    // Malaysia still makes its 4 t (kept at home, `keep`), China's separators their 20 t.
    let recycled = o.production[ndpr.index()] - 24.0;
    assert!(close(recycled, 5.0), "{recycled}");
}

/// A capacity loss that names the item takes it out: `Q = (20 + 4) / 0.3 = 80` t.
#[test]
fn a_capacity_loss_can_name_an_item() {
    let net = chain();
    let magnet = net.product_id("magnet").unwrap();
    let mut r = one_year();
    r.capacity_losses = vec![CapacityLoss {
        region: "CN".into(),
        product: "ndpr".into(),
        item: NodeKind::Recycled,
        share: 1.0,
    }];
    let o = run_checked(&net, &r);
    assert!(
        close(o.production[magnet.index()], 80.0),
        "{}",
        o.production[magnet.index()]
    );
    // The producers' loss is another node: the same share on them takes 20 t.
    r.capacity_losses[0].item = NodeKind::Producer;
    let o = run_checked(&net, &r);
    let q = 4.0 / (0.3 - 0.06);
    assert!(
        close(o.production[magnet.index()], q),
        "{}",
        o.production[magnet.index()]
    );
    // An item the region does not have is an error naming the field.
    r.capacity_losses[0].item = NodeKind::Secondary;
    let err = shortfall::engine::StaticCascade::new(&net, &r).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("capacity_losses[0]") && text.contains("secondary"),
        "{text}"
    );
}

/// A scenario file names the item in words; absent means the producers.
#[test]
fn a_scenario_file_names_the_item() {
    let toml = "region = \"CN\"\nproduct = \"ndpr\"\nitem = \"recycled\"\nshare = 0.5\n";
    let loss: CapacityLoss<f64> = toml::from_str(toml).unwrap();
    assert_eq!(loss.item, NodeKind::Recycled);
    let plain: CapacityLoss<f64> =
        toml::from_str("region = \"CN\"\nproduct = \"ndpr\"\nshare = 0.5\n").unwrap();
    assert_eq!(plain.item, NodeKind::Producer);
    assert!(!toml::to_string(&plain).unwrap().contains("item"));
}

/// A secondary item above a quarter of its region's need is warned about, like a closure.
#[test]
fn a_large_secondary_item_is_warned_about() {
    let small = build_with(&production("CN,magnet,10,secondary\n"), JOINT).unwrap();
    assert!(
        small.report.warnings.is_empty(),
        "{:?}",
        small.report.warnings
    );
    let tables_need = "region,product,production,item\nCN,ndpr,12,\nMY,ndpr,4,\nCN,magnet,100,\nCN,ndpr,14,secondary\n";
    let large = build_with(tables_need, "host,output,yield\n").unwrap();
    assert_eq!(
        large.report.warnings.len(),
        1,
        "{:?}",
        large.report.warnings
    );
    assert!(large.report.warnings[0].contains("Secondary item of ndpr in CN"));
}

#[test]
fn item_errors_name_the_file_line_and_field() {
    let err = build_with(&production("CN,ndpr,1,scrap\n"), JOINT).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("production.csv") && text.contains("item"),
        "{text}"
    );
    assert!(text.contains("recycled"), "the words allowed: {text}");
    let err = build_with(&production("CN,ndpr,1,recycled\n"), JOINT).unwrap_err();
    assert!(err.to_string().contains("CN,ndpr,recycled"), "{err}");
    let err = build_with(
        &production(""),
        "host,output,yield,item\nmagnet,ndpr,0.06,coproduct\n",
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidField { .. }), "{err}");
    assert!(err.to_string().contains("coproduct"), "{err}");
    let err = build_with(
        &production(""),
        "host,output,yield,item\nmagnet,ndpr,0.06,secondary\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("joint.csv"), "{err}");
}
