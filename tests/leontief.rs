//! The Leontief system by dense LU (docs/model.md §2.5): by hand, against pymrio's `L`, its
//! properties on generated tables, and the traced content of a cyclic table.

use proptest::prelude::*;
use shortfall::data::{network_from_pymrio, read_pymrio, PymrioFiles};
use shortfall::metrics::{content_by_origin_dense, Leontief};
use shortfall::network::SyntheticTable;
use shortfall::Error;

/// Two industries of one region: Z = [[10, 20], [30, 40]], x = (100, 200).
fn two_by_two() -> shortfall::network::Network {
    let z = "region\t\tA\tA\nsector\t\ta\tb\nregion\tsector\t\t\nA\ta\t10\t20\nA\tb\t30\t40\n";
    let y = "region\t\tA\ncategory\t\thouseholds\nregion\tsector\t\nA\ta\t70\nA\tb\t130\n";
    let x = "region\tsector\tindout\nA\ta\t100\nA\tb\t200\n";
    network_from_pymrio(PymrioFiles {
        z: ("Z.csv", z),
        y: ("Y.csv", y),
        x: ("x.csv", x),
    })
    .unwrap()
}

#[test]
fn a_two_by_two_table_by_hand() {
    let net = two_by_two();
    let leontief = Leontief::new(&net).unwrap();
    let l = leontief.inverse();
    let want = [0.8 / 0.69, 0.1 / 0.69, 0.3 / 0.69, 0.9 / 0.69];
    let a = net.node_id(
        net.require_region("A").unwrap(),
        net.require_product("a").unwrap(),
    );
    let (a, b) = (a.unwrap().index(), 1 - a.unwrap().index());
    let got = [l[a * 2 + a], l[a * 2 + b], l[b * 2 + a], l[b * 2 + b]];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-14, "{got:?} vs {want:?}");
    }
    let y = Leontief::final_demand(&net);
    assert_eq!((y[a], y[b]), (70.0, 130.0));
    let x = leontief.output(&y).unwrap();
    assert!(
        (x[a] - 100.0).abs() < 1e-12 && (x[b] - 200.0).abs() < 1e-12,
        "{x:?}"
    );
    // The transposed system with the same factors: (I - A)ᵀ v = (1, 1) gives the column
    // sums of L.
    let v = leontief.solve_transpose(&[1.0, 1.0]).unwrap();
    assert!((v[a] - (want[0] + want[2])).abs() < 1e-14);
    let e = leontief.output(&[1.0]).unwrap_err();
    assert!(e.to_string().contains("1 values for 2 nodes"), "{e}");
}

#[test]
fn the_inverse_agrees_with_pymrio_on_its_test_table() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/boario/pymrio_test"
    );
    let net = read_pymrio(dir).unwrap();
    let l = Leontief::new(&net).unwrap().inverse();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pymrio/L.csv"
    ))
    .unwrap();
    let mut lines = text.lines();
    let names: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .skip(1)
        .map(String::from)
        .collect();
    let index = |name: &str| {
        let (r, s) = name.split_once(':').unwrap();
        let node = net.node_id(
            net.require_region(r).unwrap(),
            net.require_product(s).unwrap(),
        );
        node.unwrap().index()
    };
    let n = net.nodes().len();
    let mut compared = 0;
    for line in lines {
        let mut cells = line.split(',');
        let i = index(cells.next().unwrap());
        for (name, v) in names.iter().zip(cells) {
            let (j, v): (usize, f64) = (index(name), v.parse().unwrap());
            let ours = l[i * n + j];
            assert!(
                (ours - v).abs() <= 1e-10 * v.abs().max(1.0),
                "L[{i},{j}]: {ours} vs {v}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, n * n);
}

#[test]
fn a_singular_system_is_refused() {
    // b buys all of a's output and a all of b's: I - A = [[1, -1], [-1, 1]].
    let z = "region\t\tA\tA\nsector\t\ta\tb\nregion\tsector\t\t\nA\ta\t0\t100\nA\tb\t100\t0\n";
    let y = "region\t\tA\ncategory\t\thouseholds\nregion\tsector\t\nA\ta\t0\nA\tb\t0\n";
    let x = "region\tsector\tindout\nA\ta\t100\nA\tb\t100\n";
    let net = network_from_pymrio(PymrioFiles {
        z: ("Z.csv", z),
        y: ("Y.csv", y),
        x: ("x.csv", x),
    });
    match Leontief::new(&net.unwrap()) {
        Err(Error::Singular(_)) => {}
        other => panic!("expected a singular system, got {other:?}"),
    }
    // Above the size limit: tests/metrics.rs (size_limits_are_errors_not_panics).
}

#[test]
fn traced_content_runs_on_a_cyclic_table() {
    // On pymrio's (cyclic) table, the content of mining in every industry's output, by
    // origin region, solves (I - Â) C = S; the sweep refuses the cycle.
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/boario/pymrio_test"
    );
    let net = read_pymrio(dir).unwrap();
    let mining = net.require_product("mining").unwrap();
    assert!(shortfall::metrics::content(&net, mining, None).is_err());
    let table = content_by_origin_dense(&net, mining).unwrap();
    // Content per unit is positive and below the total Leontief requirement of mining.
    let l = Leontief::new(&net).unwrap().inverse();
    let n = net.nodes().len();
    for j in net.node_ids() {
        if net.node(j).product == mining {
            continue;
        }
        let total: f64 = table.of_node(j).iter().sum();
        let need: f64 = net
            .node_ids()
            .filter(|i| net.node(*i).product == mining)
            .map(|i| l[i.index() * n + j.index()])
            .sum();
        assert!(total > 0.0 && total <= need + 1e-12, "{total} vs {need}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// On generated tables (A ≥ 0, column sums in [0.3, 0.7]): L·y = x, L ≥ 0, L[i,i] ≥ 1.
    #[test]
    fn leontief_gives_back_output_and_is_nonnegative(
        regions in 1usize..6,
        sectors in 1usize..6,
        seed in 0u64..1000,
    ) {
        let net = SyntheticTable { regions, sectors, seed }.build().unwrap();
        let leontief = Leontief::new(&net).unwrap();
        let x = leontief.output(&Leontief::final_demand(&net)).unwrap();
        for (n, v) in net.node_ids().zip(&x) {
            prop_assert!((v - net.output(n)).abs() <= 1e-9 * net.output(n));
        }
        let l = leontief.inverse();
        let n = net.nodes().len();
        for i in 0..n {
            prop_assert!(l[i * n + i] >= 1.0 - 1e-12);
            for j in 0..n {
                prop_assert!(l[i * n + j] >= -1e-12);
            }
        }
    }
}
