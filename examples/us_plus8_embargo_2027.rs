//! The named scenario `scenarios/us_plus8_embargo_2027.toml`: China restricts rare earths,
//! alloy and magnets to US+8 from 1 January 2027 for three years, with and without the
//! capacity outside China that came online after 2024 or is coming (docs/data.md, rule P).
//! Prints the pipeline, then each member's and the bloc's shortfall of magnets (both
//! grades) year by year with and without it (the dynamic engine at the file's fixed
//! figures, monthly steps).
//!
//! Run: `cargo run --release --example us_plus8_embargo_2027`

use shortfall::engine::{Dynamic, Engine, Shortfalls};
use shortfall::network::{Bloc, Network, RegionId};
use shortfall::report::{number, Cell, Table};
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Realization;

const MAGNETS: [&str; 2] = ["ndfeb_magnet_free", "ndfeb_magnet_dy"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = ScenarioFile::named("us_plus8_embargo_2027")?;
    let data = file.data()?;
    let net = &data.network;
    let with = file.scenario.median();
    let mut without = with.clone();
    without.capacity_additions.clear();

    let mut pipeline = Table::new(
        "The pipeline: capacity added outside China (t a year; years after 1 January 2027)",
        &["region", "product", "capacity", "from"],
    );
    for a in &with.capacity_additions {
        pipeline.row(vec![
            Cell::Text(a.region.clone()),
            Cell::Text(a.product.clone()),
            Cell::Number(a.capacity),
            Cell::Number(a.from),
        ]);
    }
    pipeline.note("sources, status and estimates: docs/data.md, rule P; the file's comments");
    println!("{pipeline}");

    let settings = file.dynamic.clone().unwrap_or_default();
    let bloc = Bloc::us_plus_8().resolve(net)?;
    let by_year = |r: &Realization| -> shortfall::Result<Vec<Vec<f64>>> {
        let o = Dynamic::new(net, r, settings.clone())?.evaluate(net, r)?;
        yearly(net, &o, &bloc)
    };
    let (before, after) = (by_year(&without)?, by_year(&with)?);
    let mut header = vec!["year", "pipeline", "US+8"];
    let codes: Vec<String> = bloc.iter().map(|&r| net.region(r).code.clone()).collect();
    header.extend(codes.iter().map(String::as_str));
    let mut t = Table::new(
        format!(
            "{}: magnet absorption shortfall (both grades), share of the year's use",
            with.name
        ),
        &header,
    );
    for (y, (b, a)) in before.iter().zip(&after).enumerate() {
        for (label, figures) in [("without", b), ("with", a)] {
            let mut row = vec![Cell::Text((2027 + y).to_string()), Cell::Text(label.into())];
            row.extend(figures.iter().map(|&x| Cell::Share(x)));
            t.row(row);
        }
    }
    t.note(format!(
        "dynamic engine, steps of {}, severity {}, leakage {}, stock release {}, rho {}; \
         absorption counted before stockpile release (docs/model.md §5.5)",
        shortfall::report::days(settings.step.days()),
        number(with.restrictions[0].severity),
        number(with.restrictions[0].leakage),
        number(with.mitigation.stock_release_share),
        number(with.mitigation.substitution)
    ));
    t.note(
        "with: every addition of the file at its date; without: none (the 2024 capacities). \
         The US's own concentrate is diverted from China in both",
    );
    println!("{t}");
    Ok(())
}

/// Per year of the run: the bloc's and each member's absorption shortfall of both magnet
/// grades, as a share of the year's baseline.
fn yearly(
    net: &Network,
    o: &dyn Shortfalls,
    bloc: &[RegionId],
) -> shortfall::Result<Vec<Vec<f64>>> {
    let timing = o
        .timing()
        .ok_or_else(|| shortfall::Error::InvalidSetting("the run has no time steps".into()))?;
    let per_year = (365.0 / timing.step_days()).round() as usize;
    let grades = MAGNETS
        .iter()
        .map(|p| net.require_product(p))
        .collect::<shortfall::Result<Vec<_>>>()?;
    let years = timing.steps().div_ceil(per_year);
    let share = |regions: &[RegionId], year: usize| {
        let (mut short, mut base) = (0.0, 0.0);
        for step in year * per_year..((year + 1) * per_year).min(timing.steps()) {
            for &r in regions {
                for &g in &grades {
                    let a = timing.absorption_in(r, g, step);
                    short += a.shortfall;
                    base += a.baseline;
                }
            }
        }
        if base > 0.0 {
            short / base
        } else {
            0.0
        }
    };
    Ok((0..years)
        .map(|y| {
            std::iter::once(share(bloc, y))
                .chain(bloc.iter().map(|&m| share(&[m], y)))
                .collect()
        })
        .collect())
}
