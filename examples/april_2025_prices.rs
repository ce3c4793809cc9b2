//! The 2025 price split held against the record (docs/validation.md §6, declared before the
//! first run): `april_2025_licensing`'s restrictions over its first month (4 April to 6 May
//! 2025) through the static cascade with the market step and the values of
//! `scenarios/values/rare_earths_2024.toml`; the bloc's and China's Dy/Tb oxide prices set
//! beside Argus's European and SMM's Chinese quotes.
//!
//! Run: `cargo run --release --example april_2025_prices [-- --draws N]`

use shortfall::engine::MarketId;
use shortfall::runs::{money, ScenarioFile, ValuesFile};
use shortfall::scenario::{Param, Targets};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut file = ScenarioFile::named("april_2025_licensing")?;
    let mut args = lexopt::Parser::from_env();
    while let Some(arg) = args.next()? {
        use lexopt::prelude::*;
        match arg {
            Long("draws") => file.monte_carlo.draws = args.value()?.parse()?,
            _ => return Err(arg.unexpected().into()),
        }
    }
    let net = file.data()?.network;
    let mut spec = file.scenario.clone();
    spec.name = "April 2025 licensing, first month".into();
    spec.horizon = Param::Fixed(32.0 / 365.0);
    ValuesFile::named("rare_earths_2024")?.apply(&mut spec);
    let everyone_but_china = Targets::AllBut(vec!["CN".into()]);
    let m = money(
        &net,
        &spec,
        &file.monte_carlo,
        &everyone_but_china,
        &["dytb_oxide"],
    )?;
    println!("{m}");
    let ratio = |market| {
        m.prices
            .iter()
            .find(|p| p.market == market)
            .map(|p| p.ratio)
            .expect("dytb_oxide is priced")
    };
    let (bloc, china) = (ratio(MarketId::Bloc), ratio(MarketId::Origin));
    let overlaps = |band: [f64; 3], (low, high): (f64, f64)| band[0] <= high && band[2] >= low;
    let word = |inside: bool| if inside { "inside" } else { "outside" };
    println!("Declared rules (docs/validation.md §6):");
    let in_kind = bloc[1] > 1.05 && china[1] <= 1.05;
    println!(
        "  in kind: bloc median {:.2} > 1.05 and China median {:.2} <= 1.05: {}",
        bloc[1],
        china[1],
        word(in_kind)
    );
    for (what, band, observed) in [
        ("bloc Dy/Tb oxide", bloc, (2.0, 4.3)),
        ("China Dy/Tb oxide", china, (0.95, 1.05)),
    ] {
        println!(
            "  {what}: P5-P95 {:.2}-{:.2} against observed {:.2}-{:.2}: {}",
            band[0],
            band[2],
            observed.0,
            observed.1,
            word(overlaps(band, observed))
        );
    }
    Ok(())
}
