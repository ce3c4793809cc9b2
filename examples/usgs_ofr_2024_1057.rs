//! USGS Open-File Report 2024-1057 beside this model (docs/validation.md §8.3): a complete
//! restriction of China's gallium exports, of its germanium exports, and of both, for a
//! year, on the embedded `gallium_germanium_2024` data (the static cascade, 2,000 draws;
//! the seed scenario's stock release and use of spare capacity outside China). USGS gives
//! the loss of US GDP; the model gives what the US's users of gallium and germanium lose,
//! in kg, as a share of a year and at the metals' 2024 prices, and, through the bridge to
//! the embedded monetary table with a probe weight (1% of the US's computer and electronics
//! output, and of its electrical equipment for fibre, stops when its use is wholly short),
//! the US GDP lost and the weight at which the model would give USGS's central figure.
//! Why the two cannot yet be set equal is in docs/validation.md §8.3.
//!
//! Run: `cargo run --release --example usgs_ofr_2024_1057 [-- --draws N]`

use lexopt::ValueExt;
use shortfall::engine::{BridgeSpec, BridgeWeight};
use shortfall::montecarlo::{run_with, EngineChoice, Measure, OutcomeSpec};
use shortfall::report::{Cell, Table};
use shortfall::runs::{gdp, ScenarioFile};
use shortfall::scenario::{Param, Targets};

/// The gallium and germanium uses, with the metal's 2024 price in US$ per kg
/// (docs/data.md, prices of the materials' final uses).
const GALLIUM: [(&str, f64); 3] = [
    ("ga_semiconductors", 500.0),
    ("ga_optoelectronics", 500.0),
    ("ga_other", 220.0),
];
const GERMANIUM: [(&str, f64); 4] = [
    ("ge_fibre_optics", 2_100.0),
    ("ge_infrared_optics", 2_100.0),
    ("ge_electronics_solar", 2_100.0),
    ("ge_other", 2_100.0),
];

/// One of USGS's three cases: what China restricts, and USGS's loss of US GDP, billion
/// US$: central, lower and upper (the report's abstract).
struct Case {
    name: &'static str,
    products: &'static [&'static str],
    usgs: (f64, f64, f64),
}

/// The probe weight of the bridge (docs/model.md §7.4): not an estimate, a unit to scale.
const PROBE: f64 = 0.01;

/// Each use of the metals to a sector of the embedded table (C26 computers, electronic and
/// optical products; C27 electrical equipment, where fibre-optic cable is), in the US, at
/// the probe weight.
fn probe_bridge() -> BridgeSpec {
    let to = |product: &str, sector: &str| BridgeWeight {
        region: "US".into(),
        product: product.into(),
        sector: sector.into(),
        weight: PROBE,
    };
    BridgeSpec {
        rest: "RW".into(),
        region_map: [("DE", "EU"), ("BE", "EU"), ("RU", "RW"), ("CA", "RW")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        weights: vec![
            to("ga_semiconductors", "C26"),
            to("ga_optoelectronics", "C26"),
            to("ge_infrared_optics", "C26"),
            to("ge_electronics_solar", "C26"),
            to("ge_fibre_optics", "C27"),
        ],
    }
}

const CASES: [Case; 3] = [
    Case {
        name: "gallium",
        products: &["ga_primary", "ga_refined"],
        usgs: (3.1, 1.7, 8.2),
    },
    Case {
        name: "germanium",
        products: &["germanium"],
        usgs: (0.4, 0.01, 1.1),
    },
    Case {
        name: "both",
        products: &["ga_primary", "ga_refined", "germanium"],
        usgs: (3.4, 1.7, 9.0),
    },
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut draws = 2_000;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("draws") => draws = parser.value()?.parse()?,
            _ => return Err(arg.unexpected().into()),
        }
    }
    let data = shortfall::data::gallium_germanium_2024();
    let mut t = Table::new(
        format!(
            "USGS OFR 2024-1057 beside the model: China's exports fully restricted for a year \
             (static cascade, {draws} draws)"
        ),
        &[
            "restricted",
            "USGS: US GDP lost, US$ bn (range)",
            "model: US gallium users lost, P50 (P5-P95)",
            "germanium users",
            "metal value lost, US$ m (mean)",
            "US GDP lost at the probe, US$ bn: P50",
            "weight for USGS's central",
        ],
    );
    let table = shortfall::data::mrio_2022()?;
    let bridge = probe_bridge();
    for case in &CASES {
        let mut file = ScenarioFile::named("gallium_germanium_us_plus8_embargo")?.with_draws(draws);
        let spec = &mut file.scenario;
        spec.horizon = Param::Fixed(1.0);
        spec.restrictions.truncate(1);
        let x = &mut spec.restrictions[0];
        x.products = case.products.iter().map(|p| p.to_string()).collect();
        x.targets = Targets::AllBut(vec!["CN".into()]);
        x.severity = Param::Fixed(1.0);
        x.leakage = Param::Fixed(0.0);
        let us = Targets::List(vec!["US".into()]);
        // Shares of a year for every use, then kg for the value.
        let uses: Vec<(&str, f64)> = GALLIUM.iter().chain(&GERMANIUM).copied().collect();
        let mut outcomes: Vec<OutcomeSpec> = uses
            .iter()
            .map(|(u, _)| OutcomeSpec::new(Measure::FinalUse, us.clone(), *u))
            .collect();
        outcomes.push(OutcomeSpec::new(
            Measure::FinalShare,
            us.clone(),
            "ga_semiconductors",
        ));
        outcomes.push(OutcomeSpec::new(
            Measure::FinalShare,
            us.clone(),
            "ge_fibre_optics",
        ));
        file.monte_carlo.outcomes = outcomes;
        let r = run_with(
            std::slice::from_ref(&data.network),
            &file.scenario,
            &file.monte_carlo,
            &EngineChoice::Static,
            None,
        )?;
        let share = |k: usize| {
            let q = |p: f64| {
                (r.outcomes[k].quantiles.iter())
                    .find(|q| q.p == p)
                    .map_or(f64::NAN, |q| q.value)
            };
            Cell::Text(format!(
                "{:.1}% ({:.1}-{:.1})",
                100.0 * q(0.5),
                100.0 * q(0.05),
                100.0 * q(0.95)
            ))
        };
        let value: f64 = (uses.iter().enumerate())
            .map(|(k, (_, price))| r.outcomes[k].mean * price)
            .sum();
        // The table is in US$ million; GDP lost is value added lost, the median draw.
        let mut fewer = file.monte_carlo.clone();
        fewer.draws = draws.min(500);
        let g = gdp(
            &data.network,
            &file.scenario,
            &fewer,
            &table,
            &bridge,
            &["US"],
        )?;
        let us = (g.rows.iter())
            .find(|(r, _, _)| r == "US")
            .map_or(f64::NAN, |(_, band, _)| band[1] / 1e3);
        t.row(vec![
            Cell::Text(case.name.into()),
            Cell::Text(format!("{} ({}-{})", case.usgs.0, case.usgs.1, case.usgs.2)),
            share(uses.len()),
            share(uses.len() + 1),
            Cell::Number(value / 1e6),
            Cell::Number(us),
            Cell::Text(format!("{:.2}%", 100.0 * PROBE * case.usgs.0 / us)),
        ]);
    }
    t.note(
        "users lost: the US's final use of gallium in integrated circuits and of germanium in \
         optical fibre, shares of a year; USGS: Nassar et al. (2024), abstract; GDP at the \
         probe: the bridge (docs/model.md §7.4) with 1% of US C26 output (C27 for fibre) \
         stopping when a use is wholly short, not an estimate; weight for USGS's central: \
         the probe scaled to USGS's central loss, what USGS's figure implies in this model \
         (docs/validation.md §8.3)",
    );
    println!("{t}");
    Ok(())
}
