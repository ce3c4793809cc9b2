//! How the market step's answer moves with its rounds (docs/model.md §7.1, "Clearing"):
//! the bloc's median Dy/Tb oxide and Dy-bearing magnet prices and its median value added
//! lost after 1, 2, 3, 5 and 20 rounds, on `april_2025_licensing` (over its year; every
//! country but China) and the seed embargo (the US+8 bloc), with the shipped values
//! (`scenarios/values/rare_earths_2024.toml`).
//!
//! Run: `cargo run --release --example market_rounds [-- --draws N]` (default 200).

use shortfall::engine::MarketId;
use shortfall::runs::{money, ScenarioFile, ValuesFile};
use shortfall::scenario::Targets;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut draws = 200;
    let mut args = lexopt::Parser::from_env();
    while let Some(arg) = args.next()? {
        use lexopt::prelude::*;
        match arg {
            Long("draws") => draws = args.value()?.parse()?,
            _ => return Err(arg.unexpected().into()),
        }
    }
    let cases = [
        ("april_2025_licensing", Targets::AllBut(vec!["CN".into()])),
        ("us_plus8_embargo", Targets::Bloc("US+8".into())),
    ];
    println!("scenario               rounds  Dy/Tb oxide  Dy magnet  value added lost (M$)");
    for (name, who) in cases {
        let mut file = ScenarioFile::named(name)?;
        file.monte_carlo.draws = draws;
        let net = file.data()?.network;
        for passes in [1, 2, 3, 5, 20] {
            let mut spec = file.scenario.clone();
            ValuesFile::named("rare_earths_2024")?.apply(&mut spec);
            if let Some(market) = spec.market.as_mut() {
                market.passes = passes;
            }
            let products = ["dytb_oxide", "ndfeb_magnet_dy"];
            let m = money(&net, &spec, &file.monte_carlo, &who, &products)?;
            let median = |k: &str| {
                (m.prices.iter())
                    .find(|p| p.market == MarketId::Bloc && p.product == k)
                    .map_or(f64::NAN, |p| p.ratio[1])
            };
            // The last row is the whole group's.
            let lost = m.rows.last().map_or(f64::NAN, |r| r.value_added[1] / 1e6);
            println!(
                "{name:<22} {passes:>6}  {:>11.2}  {:>9.2}  {lost:>21.0}",
                median(products[0]),
                median(products[1]),
            );
        }
    }
    Ok(())
}
