//! The rare-earth chain at a glance, on the embedded data `rare_earths_2024`.
//!
//! The motivating case: China mines about 69% of the world's rare earths, separates about
//! 91% and makes about 93% of sintered NdFeB magnets. This example prints the chain by
//! stage, how concentrated each stage is, and how much each member of the US+8 bloc (the
//! United States, Japan, Singapore, South Korea, the United Kingdom, the Netherlands, the
//! United Arab Emirates, Australia and Israel) depends on China, directly and through its
//! suppliers, with the share of every figure that rests on estimates.
//! Sources: docs/data.md.
//!
//! Run: `cargo run --release --example rare_earth_embargo`

use shortfall::data::rare_earths_2024;
use shortfall::metrics::{ConcentrationTable, DependenceTable};
use shortfall::network::Bloc;

fn main() -> shortfall::Result<()> {
    let data = rare_earths_2024();
    let net = &data.network;
    println!(
        "Dataset {} ({} sources; docs/data.md)\n",
        data.name,
        data.sources.len()
    );
    println!("{}", net.summary());

    println!("Labelled items that close the balances (estimates, docs/data.md rule K):");
    for (region, product, kind, size) in &data.report.closures {
        println!("  {kind:?} supply of {product} in {region}: {size:.0} a year");
    }
    println!("Re-exports converted to an origin basis:");
    for r in &data.report.reexports {
        println!("  {} re-exports {:.0} of {}", r.hub, r.volume, r.product);
    }
    println!();

    println!("{}", ConcentrationTable::of(net));

    let bloc = Bloc::us_plus_8().resolve(net)?;
    let china = net.require_region("CN")?;
    let products = ["ndpr_oxide", "dytb_oxide", "ndpr_metal", "ndfeb_magnet"]
        .iter()
        .map(|p| net.require_product(p))
        .collect::<shortfall::Result<Vec<_>>>()?;
    println!("{}", DependenceTable::of(net, &bloc, &products, china));

    println!("Scope: magnets that reach the bloc inside finished goods (motors, vehicles,");
    println!("electronics) are not modelled as trade; only magnets traded as such are. SmCo");
    println!("magnets (defence) are out of scope. See docs/data.md, Scope.");
    Ok(())
}
