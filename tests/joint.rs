//! Joint outputs: co-products and by-products (docs/model.md §1.8), worked by hand in
//! both engines, their checks and file formats, traced content by mass, and the
//! properties of §4.8 on generated networks with links.

mod support;

use proptest::prelude::*;
use shortfall::engine::{Dynamic, DynamicSettings, Mode, Step};
use shortfall::metrics::{content, content_by_origin, content_by_origin_dense, touched_by};
use shortfall::network::{Network, NetworkParts, NodeId};
use shortfall::scenario::{CapacityLoss, Realization, Restriction, Targets};
use support::{close, run, run_checked, run_dynamic, shock, small_network, Hand};

/// China's alumina refinery (1,000 t) hosts a gallium circuit: 0.1 kg per t, 80 kg made
/// (capacity 90), 50 kg to the US and 30 kg to China. Gallium in kg.
fn gallium() -> Network {
    let mut h = Hand::new(&["CN", "US"], &["alumina", "gallium"]);
    let alumina = h.node("CN", "alumina", 1000.0, &[]);
    let ga = h.node("CN", "gallium", 90.0, &[]);
    h.flow_to_final(alumina, "CN", 1000.0);
    h.flow_to_final(ga, "US", 50.0);
    h.flow_to_final(ga, "CN", 30.0);
    h.joint(ga, alumina, 0.1);
    h.build()
}

fn gallium_cut() -> Realization {
    Realization {
        horizon: 1.0,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["gallium"],
            Targets::List(vec!["US".into()]),
        )],
        ..Realization::default()
    }
}

fn refinery_loss() -> Realization {
    Realization {
        horizon: 1.0,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "CN".into(),
            product: "alumina".into(),
            share: 0.5,
        }],
        ..Realization::default()
    }
}

/// §1.8 by hand, static: cutting gallium does not touch alumina; losing half the
/// refinery halves the bound and cuts gallium to 50 kg, rationed.
#[test]
fn gallium_bounded_by_alumina_static() {
    let net = gallium();
    let (us, ga) = support::at(&net, "US", "gallium");
    let (cn, alumina) = support::at(&net, "CN", "alumina");
    let o = run_checked(&net, &gallium_cut());
    assert!(close(o.final_shortfall(us, ga), 50.0));
    assert_eq!(o.final_shortfall(cn, alumina), 0.0);
    assert!(close(o.production[alumina.index()], 1000.0));
    let o = run_checked(&net, &refinery_loss());
    assert!(close(o.production[ga.index()], 50.0));
    assert!(close(o.final_shortfall(us, ga), 18.75));
    assert!(close(o.final_shortfall(cn, ga), 11.25));
    assert!(close(o.final_shortfall(cn, alumina), 500.0));
    // The circuit made all the bound allowed: no joint surplus.
    assert!(close(o.joint_surplus[ga.index()], 0.0));
    // At baseline, 20 kg of what the refinery allows is not recovered.
    let calm = run_checked(
        &net,
        &Realization {
            horizon: 1.0,
            ..Realization::default()
        },
    );
    assert!(close(calm.joint_surplus[ga.index()], 20.0));
}

fn dynamic_total(net: &Network, r: &Realization, mode: Mode, region: &str, product: &str) -> f64 {
    let settings = DynamicSettings {
        mode,
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let engine = Dynamic::new(net, r, settings).unwrap();
    let o = run_dynamic(&engine, net, r);
    let (reg, p) = support::at(net, region, product);
    (0..engine.steps())
        .map(|t| o.final_shortfall(reg, p, t))
        .sum()
}

/// The same in the dynamic engine: in the static-equivalent mode the year's sum is the
/// static figure; in the standard mode the loss of the refinery still cuts gallium and
/// the gallium cut never touches alumina.
#[test]
fn gallium_bounded_by_alumina_dynamic() {
    let net = gallium();
    let eq = Mode::StaticEquivalent;
    assert!(close(
        dynamic_total(&net, &refinery_loss(), eq, "US", "gallium"),
        18.75
    ));
    assert!(close(
        dynamic_total(&net, &refinery_loss(), eq, "CN", "gallium"),
        11.25
    ));
    assert!(close(
        dynamic_total(&net, &gallium_cut(), eq, "US", "gallium"),
        50.0
    ));
    let std = Mode::Standard;
    assert!(dynamic_total(&net, &refinery_loss(), std, "US", "gallium") > 1.0);
    assert_eq!(
        dynamic_total(&net, &gallium_cut(), std, "CN", "alumina"),
        0.0
    );
    assert_eq!(
        dynamic_total(
            &net,
            &Realization {
                horizon: 1.0,
                ..Realization::default()
            },
            std,
            "US",
            "gallium"
        ),
        0.0
    );
}

/// Malaysia separates Australian feed: NdPr the lead, Dy/Tb and La/Ce joint outputs.
fn separation() -> Network {
    let mut h = Hand::new(&["AU", "MY"], &["feed", "ndpr", "dytb", "lace"]);
    let feed = h.node("AU", "feed", 100.0, &[]);
    let ndpr = h.node("MY", "ndpr", 20.0, &[("feed", 5.0)]);
    let dytb = h.node("MY", "dytb", 1.0, &[]);
    let lace = h.node("MY", "lace", 40.0, &[]);
    h.flow_to_node(feed, ndpr, 100.0);
    h.flow_to_final(ndpr, "MY", 20.0);
    h.flow_to_final(dytb, "MY", 1.0);
    h.flow_to_final(lace, "MY", 30.0);
    h.joint(dytb, ndpr, 0.05);
    h.joint(lace, ndpr, 2.0);
    h.build()
}

/// §1.8 by hand: halving the heavy feed halves NdPr and Dy/Tb together; La/Ce falls by a
/// third (it ran below its bound); in both engines.
#[test]
fn separation_feed_cut_reduces_its_outputs_together() {
    let net = separation();
    let mut cut = Restriction::full(["AU"], ["feed"], Targets::List(vec!["MY".into()]));
    cut.severity = 0.5;
    let r = Realization {
        horizon: 1.0,
        restrictions: vec![cut],
        ..Realization::default()
    };
    let o = run_checked(&net, &r);
    let p = |x: &str| net.product_id(x).unwrap().index();
    assert!(close(o.production[p("ndpr")], 10.0));
    assert!(close(o.production[p("dytb")], 0.5));
    assert!(close(o.production[p("lace")], 20.0));
    for (product, lacking) in [("ndpr", 10.0), ("dytb", 0.5), ("lace", 10.0)] {
        let eq = dynamic_total(&net, &r, Mode::StaticEquivalent, "MY", product);
        assert!(close(eq, lacking), "{product}: {eq}");
        let (my, q) = support::at(&net, "MY", product);
        assert!(close(o.final_shortfall(my, q), lacking));
    }
}

/// §2.3 with §1.8: content of feed by mass, 5 / 3.05 t per t of every output; the dense
/// solve agrees; Malaysian outputs are touched by Australia.
#[test]
fn content_shared_by_mass_over_joint_outputs() {
    let net = separation();
    let feed = net.product_id("feed").unwrap();
    let c = content(&net, feed, None).unwrap();
    let node = |p: &str| {
        net.node_id(net.region_id("MY").unwrap(), net.product_id(p).unwrap())
            .unwrap()
    };
    for p in ["ndpr", "dytb", "lace"] {
        assert!(close(c[node(p).index()], 5.0 / 3.05), "{p}");
    }
    // The potential outputs carry all the feed: (20 + 1 + 40) · 5 / 3.05 = 100.
    assert!(close((20.0 + 1.0 + 40.0) * c[node("ndpr").index()], 100.0));
    let (sparse, dense) = (
        content_by_origin(&net, feed).unwrap(),
        content_by_origin_dense(&net, feed).unwrap(),
    );
    for n in net.node_ids() {
        for (a, b) in sparse.of_node(n).iter().zip(dense.of_node(n)) {
            assert!(close(*a, *b));
        }
    }
    let t = touched_by(&net, net.region_id("AU").unwrap()).unwrap();
    assert!(close(t.node_share(node("dytb")).unwrap(), 1.0));
}

#[test]
fn joint_outputs_are_checked() {
    // Above its bound at baseline: check 4.
    let mut h = Hand::new(&["CN"], &["alumina", "gallium"]);
    let alumina = h.node("CN", "alumina", 1000.0, &[]);
    let ga = h.node("CN", "gallium", 200.0, &[]);
    h.flow_to_final(alumina, "CN", 1000.0);
    h.flow_to_final(ga, "CN", 150.0);
    h.joint(ga, alumina, 0.1);
    let e = Network::new(h.parts()).unwrap_err().to_string();
    assert!(
        e.contains("joint output of alumina") && e.contains("CN"),
        "{e}"
    );
    // Hosts in another region, or the node's own product.
    let mut h = Hand::new(&["CN", "US"], &["alumina", "gallium"]);
    let alumina = h.node("CN", "alumina", 10.0, &[]);
    let ga = h.node("US", "gallium", 1.0, &[]);
    h.flow_to_final(alumina, "CN", 10.0);
    h.flow_to_final(ga, "US", 1.0);
    h.joint(ga, alumina, 0.1);
    let e = Network::new(h.parts()).unwrap_err().to_string();
    assert!(e.contains("another region"), "{e}");
    let mut parts: NetworkParts = h.parts();
    parts.joint[0] = shortfall::network::JointOutput {
        node: NodeId(0),
        host: NodeId(9),
        per_unit: 1.0,
    };
    assert!(Network::new(parts)
        .unwrap_err()
        .to_string()
        .contains("out of range"));
}

#[test]
fn joint_outputs_round_trip_through_json() {
    let net = separation();
    let json = shortfall::data::network_to_json(&net).unwrap();
    assert!(json.contains("\"joint\""));
    let back = shortfall::data::network_from_json(&json, "separation.json").unwrap();
    assert_eq!(back.fingerprint(), net.fingerprint());
    assert_eq!(back.joint_outputs(), net.joint_outputs());
}

/// A folder with `joint.csv`: the builder links every region's makers, and a region that
/// makes the output without its host is refused with the file and line.
#[test]
fn a_folder_declares_joint_outputs() {
    let dir = std::env::temp_dir().join(format!("shortfall-joint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("regions.csv", "code,name\nCN,China\nUS,United States\n");
    write(
        "products.csv",
        "id,name,unit\nalumina,Alumina,t\ngallium,Gallium,kg\n",
    );
    write(
        "production.csv",
        "region,product,production,capacity\nCN,alumina,1000,1000\nCN,gallium,80,90\n",
    );
    write(
        "trade.csv",
        "exporter,importer,product,quantity\nCN,US,gallium,50\n",
    );
    write("recipes.csv", "output,input,coefficient\n");
    write("joint.csv", "host,output,yield\nalumina,gallium,0.1\n");
    let net = shortfall::data::read_network(&dir).unwrap();
    assert_eq!(net.joint_outputs().len(), 1);
    let (cn, ga) = support::at(&net, "CN", "gallium");
    let n = net.node_id(cn, ga).unwrap();
    assert!(close(net.host(n).unwrap().1, 0.1));
    write("production.csv", "region,product,production,capacity\nCN,alumina,1000,1000\nCN,gallium,80,90\nUS,gallium,5,5\n");
    let e = shortfall::data::read_network(&dir).unwrap_err().to_string();
    assert!(
        e.contains("joint.csv") && e.contains("line 2") && e.contains("US makes gallium"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// §4.8 with links: no shock, no shortfall (static and dynamic); bounds and balance
    /// under random shocks; the bound holds in the outcome.
    #[test]
    fn properties_hold_with_joint_outputs(
        net in small_network(),
        s in shock(),
        pick in 0usize..1000,
        slack in 0.0f64..1.0,
    ) {
        let Some(net) = support::with_link(&net, pick, slack) else { return Ok(()); };
        let calm = Realization { horizon: s.horizon, ..Realization::default() };
        let o = run(&net, &calm);
        for (i, &x) in o.absorption_shortfall.iter().enumerate() {
            prop_assert!(x <= 1e-12 * o.absorption_baseline[i].max(1.0));
        }
        let r = s.realization(&net);
        let o = run(&net, &r);
        prop_assert_eq!(support::outcome_violation(&net, &r, &o), None);
        let j = net.joint_outputs()[0];
        let q = |n: NodeId| r.horizon * net.output(n) + o.output_change[n.index()];
        prop_assert!(q(j.node) <= j.per_unit * q(j.host) * (1.0 + 1e-12) + 1e-12);
        let settings = DynamicSettings { step: Step::Week, ..DynamicSettings::default() };
        let calm = Realization { horizon: 0.25, ..Realization::default() };
        let engine = Dynamic::new(&net, &calm, settings).unwrap();
        let d = run_dynamic(&engine, &net, &calm);
        let nrp = d.absorption_baseline.len();
        for t in 0..engine.steps() {
            for i in 0..nrp {
                let x = d.absorption_shortfall[t * nrp + i];
                prop_assert!(x <= 1e-9 * d.absorption_baseline[i].max(1e-12));
            }
        }
    }
}

/// §1.8: "no shock, no shortfall" needs no demand shift on a host. Alumina final use 30%
/// lower: the bound falls to 70 kg and gallium is short with nothing restricted or lost.
#[test]
fn counterexample_host_demand_fall_cuts_its_joint_output() {
    let net = gallium();
    let r = Realization {
        horizon: 1.0,
        demand_shifts: vec![shortfall::scenario::DemandShift {
            region: "CN".into(),
            product: "alumina".into(),
            change: -0.3,
        }],
        ..Realization::default()
    };
    let o = run_checked(&net, &r);
    let (us, ga) = support::at(&net, "US", "gallium");
    let (cn, _) = support::at(&net, "CN", "gallium");
    assert!(close(o.production[ga.index()], 70.0));
    assert!(close(o.final_shortfall(us, ga), 6.25));
    assert!(close(o.final_shortfall(cn, ga), 3.75));
}

/// §1.8: a host loss within the bound's slack leaves the joint output alone (10% of the
/// refinery: bound 90 kg above the 80 made); 30% cuts it to 70 kg.
#[test]
fn a_host_loss_within_the_slack_does_not_reach_the_joint_output() {
    let net = gallium();
    let ga = net.product_id("gallium").unwrap().index();
    for (share, made) in [(0.1, 80.0), (0.3, 70.0)] {
        let mut r = refinery_loss();
        r.capacity_losses[0].share = share;
        assert!(close(run_checked(&net, &r).production[ga], made), "{share}");
    }
}
