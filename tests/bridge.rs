//! The bridge from lost final uses to GDP (docs/model.md §7.4): by hand, its named
//! counterexample, its errors, and the embedded table.

mod support;

use shortfall::data::{mrio_2022, network_from_pymrio, PymrioFiles};
use shortfall::engine::{BridgeSpec, BridgeWeight, Bridged, DynamicSettings, Engine, Mode, Step};
use shortfall::network::Network;
use shortfall::scenario::{CapacityLoss, Realization};
use support::Hand;

/// A pymrio table from rows `(region, sector, [Z row], [Y row], x)`.
fn table(regions: &[&str], sectors: &[&str], z: &[Vec<f64>], y: &[Vec<f64>]) -> Network {
    let inds: Vec<(&str, &str)> = regions
        .iter()
        .flat_map(|r| sectors.iter().map(move |s| (*r, *s)))
        .collect();
    let head = |top: &str, second: &str, cols: &[String]| {
        format!(
            "region\t\t{}\n{top}\t\t{}\nregion\tsector{}\n",
            cols.iter()
                .map(|c| c.split('|').next().unwrap())
                .collect::<Vec<_>>()
                .join("\t"),
            cols.iter()
                .map(|c| c.split('|').nth(1).unwrap_or(second))
                .collect::<Vec<_>>()
                .join("\t"),
            "\t".repeat(cols.len())
        )
    };
    let zcols: Vec<String> = inds.iter().map(|(r, s)| format!("{r}|{s}")).collect();
    let ycols: Vec<String> = regions
        .iter()
        .map(|r| format!("{r}|final demand"))
        .collect();
    let mut zt = head("sector", "", &zcols);
    let mut yt = head("category", "final demand", &ycols);
    let mut xt = String::from("region\tsector\tindout\n");
    for (k, (r, s)) in inds.iter().enumerate() {
        let row = |v: &[f64]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\t")
        };
        zt += &format!("{r}\t{s}\t{}\n", row(&z[k]));
        yt += &format!("{r}\t{s}\t{}\n", row(&y[k]));
        let x: f64 = z[k].iter().sum::<f64>() + y[k].iter().sum::<f64>();
        xt += &format!("{r}\t{s}\t{x}\n");
    }
    network_from_pymrio(PymrioFiles {
        z: ("Z.csv", &zt),
        y: ("Y.csv", &yt),
        x: ("x.csv", &xt),
    })
    .unwrap()
}

/// One physical region `R` making 10 EV motors a year for its own final use; a scenario
/// that takes half its capacity over a quarter.
fn motors_half_lost() -> (Network, Realization) {
    let mut h = Hand::new(&["R"], &["ev_motor"]);
    let n = h.node("R", "ev_motor", 10.0, &[]);
    h.flow_to_final(n, "R", 10.0);
    let r = Realization {
        horizon: 0.25,
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "R".into(),
            product: "ev_motor".into(),
            share: 0.5,
        }],
        ..Realization::default()
    };
    (h.build(), r)
}

/// One region `R`: motors (100 a year to final demand, 50 of inputs from the rest) and
/// the rest of the economy (1,000, 950 to final demand, buying nothing).
fn motors_table() -> Network {
    table(
        &["R"],
        &["motors", "rest"],
        &[vec![0.0, 0.0], vec![50.0, 0.0]],
        &[vec![100.0], vec![950.0]],
    )
}

fn weight(region: &str, sector: &str, w: f64) -> BridgeWeight {
    BridgeWeight {
        region: region.into(),
        product: "ev_motor".into(),
        sector: sector.into(),
        weight: w,
    }
}

fn ario(alpha_max: f64) -> DynamicSettings {
    DynamicSettings {
        mode: Mode::Ario,
        step: Step::Week,
        alpha_max,
        ..DynamicSettings::default()
    }
}

/// §7.4 by hand: motors (100 a year, half of it inputs from the rest) lose 0.4 · 50% =
/// 20% of capacity for 13 weekly steps; the rest's orders fall a step later.
#[test]
fn a_chain_by_hand() {
    let (net, r) = motors_half_lost();
    let t = motors_table();
    let spec = BridgeSpec {
        rest: "R".into(),
        region_map: Default::default(),
        weights: vec![weight("R", "motors", 0.4)],
    };
    let b = Bridged::new(&net, &r, &t, &spec, ario(1.0), 0.25).unwrap();
    let o = b.evaluate(&net, &r).unwrap();
    assert!((o.capacity_loss[0] - 0.2).abs() < 1e-12);
    let week = 7.0 / 365.0;
    let motors = 0.2 * 100.0 * 13.0 * week;
    let rest = 0.5 * 0.2 * 100.0 * 12.0 * week;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.max(1.0);
    assert!(
        close(o.output_lost[0], motors),
        "{} vs {motors}",
        o.output_lost[0]
    );
    assert!(
        close(o.output_lost[1], rest),
        "{} vs {rest}",
        o.output_lost[1]
    );
    assert!(close(o.value_added_lost[0], 0.5 * motors));
    assert!(close(o.value_added_lost[1], rest));
    let gdp = o.region_value_added_lost("R").unwrap();
    assert!(close(gdp, 0.5 * motors + rest));
    // Here no industry can make up the loss: GDP lost is at least the direct loss.
    assert!(gdp >= o.region_direct("R").unwrap());
}

/// §7.4's property fails with overproduction and a second supplier: region A's
/// `good` loses 50% for a quarter; A's assembly buys the good from A and B and shifts its
/// orders to B (alt orders), which overproduces; the world's value added lost is below
/// A's direct loss, and B gains.
#[test]
fn counterexample_overproduction_makes_up_part_of_the_direct_loss() {
    // Industries in order: A.good, A.asm, B.good, B.asm.
    let z = vec![
        vec![0.0, 50.0, 0.0, 0.0],
        vec![0.0, 0.0, 0.0, 0.0],
        vec![0.0, 50.0, 0.0, 0.0],
        vec![0.0, 0.0, 0.0, 0.0],
    ];
    let y = vec![
        vec![50.0, 0.0],
        vec![100.0, 0.0],
        vec![0.0, 50.0],
        vec![0.0, 10.0],
    ];
    let t = table(&["A", "B"], &["good", "asm"], &z, &y);
    let mut h = Hand::new(&["A"], &["ev_motor"]);
    let n = h.node("A", "ev_motor", 10.0, &[]);
    h.flow_to_final(n, "A", 10.0);
    let net = h.build();
    let mut r = motors_half_lost().1;
    r.capacity_losses[0].region = "A".into();
    r.capacity_losses[0].share = 1.0;
    let spec = BridgeSpec {
        rest: "B".into(),
        region_map: Default::default(),
        weights: vec![weight("A", "good", 0.5)],
    };
    let b = Bridged::new(&net, &r, &t, &spec, ario(1.25), 0.25).unwrap();
    let o = b.evaluate(&net, &r).unwrap();
    let world = o.region_value_added_lost("A").unwrap() + o.region_value_added_lost("B").unwrap();
    let direct = o.region_direct("A").unwrap();
    assert!(direct > 0.0);
    assert!(world < direct, "world {world} against direct {direct}");
    assert!(o.region_value_added_lost("B").unwrap() < 0.0, "B gains");
}

/// The bridge names what it cannot resolve.
#[test]
fn bad_bridges_are_named() {
    let (net, r) = motors_half_lost();
    let t = motors_table();
    let cases = [
        (
            BridgeSpec {
                rest: "X".into(),
                region_map: Default::default(),
                weights: vec![],
            },
            "rest",
        ),
        (
            BridgeSpec {
                rest: "R".into(),
                region_map: Default::default(),
                weights: vec![weight("R", "cars", 0.4)],
            },
            "weights[0].sector",
        ),
        (
            BridgeSpec {
                rest: "R".into(),
                region_map: [("R".to_string(), "Q".to_string())].into(),
                weights: vec![],
            },
            "region_map.R",
        ),
    ];
    for (spec, path) in cases {
        let e = Bridged::new(&net, &r, &t, &spec, ario(1.0), 0.25)
            .unwrap_err()
            .to_string();
        assert!(e.contains(path), "{path}: {e}");
    }
    let e = BridgeSpec::from_toml(
        "rest = \"R\"\n[[weights]]\nregion = \"R\"\nproduct = \"ev_motor\"\nsector = \"motors\"\nweight = 1.5\n",
        "b.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("weights[0].weight"), "{e}");
}

/// The embedded table: every region has every sector, its value added per industry is
/// the sourced one (docs/data.md: the flows are built to keep it), and the seed scenario
/// bridged over a year costs the bloc value added, more than its direct loss in the US.
#[test]
fn the_embedded_table_and_bridge() {
    let t = mrio_2022().unwrap();
    assert_eq!((t.regions().len(), t.products().len()), (12, 6));
    let va = include_str!("../data/mrio_2022/va.csv");
    for line in va.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (derived, sourced): (f64, f64) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        assert!(
            (derived - sourced).abs() <= 1e-6 * sourced.max(1.0),
            "{line}"
        );
    }
    let mut file = shortfall::runs::ScenarioFile::named("us_plus8_embargo").unwrap();
    file.scenario.horizon = shortfall::scenario::Param::Fixed(1.0);
    let r = file.scenario.median();
    let net = file.data().unwrap().network;
    let spec = BridgeSpec::mrio_2022().unwrap();
    let b = Bridged::new(&net, &r, &t, &spec, ario(1.25), 1.0).unwrap();
    let o = b.evaluate(&net, &r).unwrap();
    let us = o.region_value_added_lost("US").unwrap();
    assert!(us > 0.0);
    assert!(us > o.region_direct("US").unwrap());
}
