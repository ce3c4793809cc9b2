//! Monetary input-output tables in pymrio's CSV layout (docs/model.md §5.1).

use shortfall::data::{network_from_pymrio, read_pymrio, PymrioFiles};
use shortfall::network::Accounts;

const Z: &str = "region\t\tr1\tr1\tr2\tr2
sector\t\ta\tb\ta\tb
region\tsector\t\t\t\t
r1\ta\t1\t2\t0\t4
r1\tb\t0\t0\t3\t0
r2\ta\t5\t0\t0\t1
r2\tb\t0\t2\t0\t0
";
const Y: &str = "region\t\tr1\tr1\tr2
category\t\thouseholds\tinventories\thouseholds
region\tsector\t\t\t
r1\ta\t10\t-1\t4
r1\tb\t7\t0\t0
r2\ta\t0\t0\t4
r2\tb\t1\t0\t20
";
const X: &str = "region\tsector\tindout
r1\ta\t20
r1\tb\t10
r2\ta\t10
r2\tb\t23
";

fn load(z: &str, y: &str, x: &str) -> shortfall::Result<shortfall::network::Network> {
    network_from_pymrio(PymrioFiles {
        z: ("Z.csv", z),
        y: ("Y.csv", y),
        x: ("x.csv", x),
    })
}

#[test]
fn a_small_table_by_hand() {
    let net = load(Z, Y, X).unwrap();
    assert_eq!(net.accounts(), Accounts::Monetary);
    let (r1, r2) = (
        net.require_region("r1").unwrap(),
        net.require_region("r2").unwrap(),
    );
    let (a, b) = (
        net.require_product("a").unwrap(),
        net.require_product("b").unwrap(),
    );
    let r1a = net.node_id(r1, a).unwrap();
    // Output: Z row 1 + 2 + 0 + 4 = 7, final demand 10 - 1 + 4 = 13 (categories summed).
    assert_eq!(net.output(r1a), 20.0);
    assert_eq!(net.final_use(r1, a), 9.0);
    // Inputs of r1/a: product a from r1 (1) and r2 (5), 6 / 20; nothing of b.
    let inputs = net.inputs(r1a);
    assert_eq!(inputs.len(), 1);
    assert_eq!((inputs[0].product, inputs[0].per_unit), (a, 0.3));
    // r2/b uses a from r1 (4) and r2 (1): 5 / 23; it is its own customer nowhere.
    let r2b = net.node_id(r2, b).unwrap();
    assert!((net.inputs(r2b)[0].per_unit - 5.0 / 23.0).abs() < 1e-15);
    // a -> b -> a: cyclic.
    assert!(!net.is_acyclic());
    // The same layout, comma-separated.
    let comma = |t: &str| t.replace('\t', ",");
    assert_eq!(load(&comma(Z), &comma(Y), &comma(X)).unwrap(), net);
}

#[test]
fn pymrio_test_table_reads_as_pymrio_wrote_it() {
    let dir = format!(
        "{}/tests/fixtures/boario/pymrio_test",
        env!("CARGO_MANIFEST_DIR")
    );
    let net = read_pymrio(dir).unwrap();
    assert_eq!((net.regions().len(), net.products().len()), (6, 8));
    let reg1 = net.require_region("reg1").unwrap();
    let food = net.require_product("food").unwrap();
    // x.csv: reg1 food 239154.386473 (12 significant digits, within the table tolerance).
    let x = net.output(net.node_id(reg1, food).unwrap());
    assert!((x - 239154.386473).abs() < 1e-6 * x);
}

fn fails(z: &str, y: &str, x: &str, expect: &str) {
    match load(z, y, x) {
        Ok(_) => panic!("expected an error naming {expect}"),
        Err(e) => assert!(e.to_string().contains(expect), "{e} does not name {expect}"),
    }
}

#[test]
fn bad_tables_are_refused_with_file_line_and_industry() {
    // Output that disagrees with Z·1 + Y·1.
    fails(Z, Y, &X.replace("r1\ta\t20", "r1\ta\t21"), "x.csv, line 2");
    fails(Z, Y, &X.replace("r1\ta\t20", "r1\ta\t21"), "r1/a");
    // A negative flow.
    fails(
        &Z.replace("r1\tb\t0\t0\t3", "r1\tb\t0\t0\t-3"),
        Y,
        X,
        "Z.csv, line 5",
    );
    // Not a number.
    fails(
        &Z.replace("r2\ta\t5", "r2\ta\tfive"),
        Y,
        X,
        "`five` is not a number",
    );
    // A ragged row.
    fails(
        &Z.replace("r2\tb\t0\t2\t0\t0", "r2\tb\t0\t2\t0"),
        Y,
        X,
        "Z.csv, line 7",
    );
    // Rows of Y that are not Z's industries.
    fails(Z, &Y.replace("r2\tb\t1", "r3\tb\t1"), X, "Y.csv");
    // A negative net final demand (categories summed).
    fails(
        Z,
        &Y.replace("r1\ta\t10\t-1", "r1\ta\t0\t-1"),
        X,
        "negative",
    );
    // Not every region by every sector: r2 has no b.
    let z =
        "region\t\tr1\tr1\tr2\nsector\t\ta\tb\ta\nr1\ta\t0\t0\t0\nr1\tb\t0\t0\t0\nr2\ta\t0\t0\t0\n";
    let y = "region\t\tr1\ncategory\t\th\nr1\ta\t1\nr1\tb\t1\nr2\ta\t1\n";
    let x = "region\tsector\tindout\nr1\ta\t1\nr1\tb\t1\nr2\ta\t1\n";
    fails(z, y, x, "3 industries are not 2 regions x 2 sectors");
}
