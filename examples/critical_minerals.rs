//! The embedded materials side by side for the US+8 bloc (rare earths, antimony, graphite,
//! gallium and germanium): how concentrated each chain is,
//! how much of the bloc's supply passes through China, and what a one-year embargo by
//! China on the bloc (the seed scenario's priors, `scenarios/*_us_plus8_embargo.toml`
//! with the horizon set to one year) takes from the bloc's final uses, in units and at
//! 2024 prices (docs/data.md). The static cascade, 2,000 draws each.
//!
//! Run: `cargo run --release --example critical_minerals [-- --draws N]`

use lexopt::ValueExt;
use shortfall::data::Dataset;
use shortfall::metrics::{production_concentration, DependenceRow, DependenceTable};
use shortfall::montecarlo::{run_with, EngineChoice, Measure, OutcomeSpec};
use shortfall::network::Network;
use shortfall::report::{Cell, Table};
use shortfall::runs::ScenarioFile;
use shortfall::scenario::{Param, Targets};

/// One material: its dataset, embargo scenario, stages and final uses with their prices.
struct Material {
    name: &'static str,
    dataset: &'static str,
    scenario: &'static str,
    /// The mined products.
    mined: &'static [&'static str],
    /// The processed stage China dominates.
    processed: &'static [&'static str],
    /// The final use whose supply chain the touched-by share follows.
    key_use: &'static str,
    /// Each final use with its 2024 price, US$ per unit (docs/data.md).
    uses: &'static [(&'static str, f64)],
}

const MATERIALS: [Material; 5] = [
    Material {
        name: "rare earths (NdFeB magnets)",
        dataset: "rare_earths_2024",
        scenario: "us_plus8_embargo",
        mined: &["re_ore_light", "re_ore_heavy"],
        processed: &["ndfeb_magnet_free", "ndfeb_magnet_dy"],
        key_use: "ev_motor",
        // scenarios/values/rare_earths_2024.toml: US$ per motor, MW, t of magnet.
        uses: &[
            ("ev_motor", 1_000.0),
            ("wind_pm_mw", 1_041_000.0),
            ("defence_magnets", 200_000.0),
            ("industrial_electronics", 100_000.0),
        ],
    },
    Material {
        name: "antimony",
        dataset: "antimony_2024",
        scenario: "antimony_us_plus8_embargo",
        mined: &["sb_ore"],
        processed: &["sb_metal", "sb_trioxide"],
        key_use: "flame_retardants",
        // The antimony they hold at USGS's 2024 metal price, 9.50 US$/lb (a floor: the
        // goods they go into are not valued).
        uses: &[
            ("flame_retardants", 20_944.0),
            ("glass_other", 20_944.0),
            ("lead_acid", 20_944.0),
            ("defence", 20_944.0),
        ],
    },
    Material {
        name: "graphite (anodes)",
        dataset: "graphite_2024",
        scenario: "graphite_us_plus8_embargo",
        mined: &["natural_graphite"],
        processed: &["spherical_graphite", "natural_anode", "synthetic_anode"],
        key_use: "li_ion_cells",
        // Cells at BNEF's 2024 pack price (115 US$/kWh, an upper bound for cells); other
        // uses at USGS's 2024 unit value of flake imports (1,070 US$/t).
        uses: &[("li_ion_cells", 115.0e6), ("graphite_other_uses", 1_070.0)],
    },
    Material {
        name: "gallium",
        dataset: "gallium_germanium_2024",
        scenario: "gallium_germanium_us_plus8_embargo",
        // Primary (low-purity) gallium is the first stage: a by-product of alumina.
        mined: &["ga_primary"],
        processed: &["ga_refined"],
        key_use: "ga_semiconductors",
        // USGS's 2024 unit values of US imports: high-purity 500 US$/kg, low-purity 220
        // (the gallium only, a floor).
        uses: &[
            ("ga_semiconductors", 500.0),
            ("ga_optoelectronics", 500.0),
            ("ga_other", 220.0),
        ],
    },
    Material {
        name: "germanium",
        dataset: "gallium_germanium_2024",
        scenario: "gallium_germanium_us_plus8_embargo",
        // Refined germanium is the first stage in the data (its hosts are not traced).
        mined: &["germanium"],
        processed: &["germanium"],
        key_use: "ge_fibre_optics",
        // Argus's 2024 average for germanium metal in Europe, 2,100 US$/kg (via USGS).
        uses: &[
            ("ge_fibre_optics", 2_100.0),
            ("ge_infrared_optics", 2_100.0),
            ("ge_electronics_solar", 2_100.0),
            ("ge_other", 2_100.0),
        ],
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
    let mut structure = Table::new(
        "Concentration and dependence of US+8, material by material",
        &[
            "material",
            "CN mining",
            "CN processing",
            "HHI",
            "US+8 members in data",
            "processed from CN",
            "key use via CN",
        ],
    );
    let mut embargo = Table::new(
        format!(
            "A one-year embargo by China on US+8 (seed priors, static cascade, {draws} draws): \
             the bloc's final uses lost"
        ),
        &[
            "material",
            "key use",
            "lost, share of a year: P50 (P5-P95)",
            "all final uses lost, US$ m (mean)",
        ],
    );
    for m in &MATERIALS {
        let data = shortfall::data::embedded(m.dataset)?;
        structure.row(structure_row(m, &data)?);
        embargo.row(embargo_row(m, &data.network, draws)?);
    }
    structure.note(
        "CN: China's share of production (labelled secondary and closing items not counted); \
         HHI: of processing, in [0, 1]; processed from CN: China's direct share of what the members receive of \
         the processed products; via CN: the share of the bloc's supply of its key use \
         whose chain passes through China at any stage (a unit made with any Chinese input \
         counts; docs/model.md §2.3)",
    );
    embargo.note(
        "US$ at 2024 prices of the final uses (docs/data.md): magnets' uses at the values \
         file's prices, cells at BNEF's pack price; antimony, gallium and germanium at the \
         metal's price (the metal only, a floor); the rare-earth chain in value added and \
         GDP: the main example; USGS's GDP estimate for gallium and germanium beside the \
         model: examples/usgs_ofr_2024_1057",
    );
    println!("{structure}");
    println!("{embargo}");
    Ok(())
}

fn ids(net: &Network, products: &[&str]) -> shortfall::Result<Vec<shortfall::network::ProductId>> {
    products.iter().map(|p| net.require_product(p)).collect()
}

/// Which share of a dependence row to average.
type Pick = fn(&DependenceRow) -> Option<f64>;

fn structure_row(m: &Material, data: &Dataset) -> Result<Vec<Cell>, Box<dyn std::error::Error>> {
    let net = &data.network;
    let cn = net.require_region("CN")?;
    let share = |products: &[&str]| -> Result<(f64, f64), Box<dyn std::error::Error>> {
        let c = production_concentration(net, &ids(net, products)?)
            .map_err(|e| format!("{}: {e:?}", m.name))?;
        Ok((c.shares.of_region(cn), c.hhi))
    };
    let (mined, _) = share(m.mined)?;
    let (processed, hhi) = share(m.processed)?;
    let bloc = Targets::Bloc("US+8".into()).resolve(net, "bloc")?;
    // Supply-weighted means over the members' rows of a dependence table.
    let weighted = |products: &[&str], pick: Pick| -> shortfall::Result<f64> {
        let t = DependenceTable::of(net, &bloc, &ids(net, products)?, cn)?;
        let (supply, of) = (t.rows.iter())
            .filter_map(|r| pick(r).map(|x| (r.supply, r.supply * x)))
            .fold((0.0, 0.0), |(a, b), (s, x)| (a + s, b + x));
        Ok(of / supply)
    };
    let direct = weighted(m.processed, |r| r.direct.ok())?;
    let touched = weighted(&[m.key_use], |r| r.touched.ok())?;
    let members: Vec<&str> = bloc.iter().map(|&r| net.region(r).code.as_str()).collect();
    Ok(vec![
        Cell::Text(m.name.into()),
        Cell::Text(format!("{:.1}%", 100.0 * mined)),
        Cell::Text(format!("{:.1}%", 100.0 * processed)),
        Cell::Number(hhi),
        Cell::Text(members.join(" ")),
        Cell::Text(format!("{:.1}%", 100.0 * direct)),
        Cell::Text(format!("{:.1}%", 100.0 * touched)),
    ])
}

fn embargo_row(m: &Material, net: &Network, draws: u64) -> shortfall::Result<Vec<Cell>> {
    let mut file = ScenarioFile::named(m.scenario)?.with_draws(draws);
    file.scenario.horizon = Param::Fixed(1.0);
    let bloc = Targets::Bloc("US+8".into());
    let mut outcomes = vec![OutcomeSpec::new(
        Measure::FinalShare,
        bloc.clone(),
        m.key_use,
    )];
    for (product, _) in m.uses {
        outcomes.push(OutcomeSpec::new(Measure::FinalUse, bloc.clone(), *product));
    }
    file.monte_carlo.outcomes = outcomes;
    let r = run_with(
        std::slice::from_ref(net),
        &file.scenario,
        &file.monte_carlo,
        &EngineChoice::Static,
        None,
    )?;
    let q = |k: usize, p: f64| {
        (r.outcomes[k].quantiles.iter())
            .find(|q| q.p == p)
            .map_or(f64::NAN, |q| q.value)
    };
    let value: f64 = (m.uses.iter().enumerate())
        .map(|(k, (_, price))| r.outcomes[k + 1].mean * price)
        .sum();
    Ok(vec![
        Cell::Text(m.name.into()),
        Cell::Text(m.key_use.into()),
        Cell::Text(format!(
            "{:.1}% ({:.1}-{:.1})",
            100.0 * q(0, 0.5),
            100.0 * q(0, 0.05),
            100.0 * q(0, 0.95)
        )),
        Cell::Number(value / 1e6),
    ])
}
