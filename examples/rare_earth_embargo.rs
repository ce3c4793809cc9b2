//! The rare-earth embargo, on the embedded data `rare_earths_2024`.
//!
//! The motivating case: China mines about 69% of the world's rare earths, separates about
//! 93% of its NdPr and makes about 91% of finished sintered NdFeB magnets. Suppose it stops
//! exporting separated oxides, NdPr metal, NdFeB alloy and magnets to the US and eight
//! partners (Japan, Singapore, South Korea, the United Kingdom, the Netherlands, the United
//! Arab Emirates, Australia and Israel). This example prints
//!
//! 1. the chain at a glance: production and trade by stage, China's labelled supply items
//!    (recycling, the heavy-feed co-product, unrecorded feed), each stage's supply without
//!    its largest supplier (the IEA's bound), concentration, and each member's direct and
//!    touched-by dependence on China, with the share of each figure resting on estimates;
//! 2. the headline: the bloc's and each member's one-year loss of magnet-using output in
//!    the seed scenario's central case, as a range across the structural assumptions that
//!    matter most, with one table that moves one assumption at a time;
//! 3. the static cascade over a quarter and a year (severity 1, no leakage), without
//!    mitigation, with stock release and with substitution: each member's shortfall of
//!    magnets (both grades) and of each downstream use;
//! 4. the ten worst chokepoints for the bloc's Dy/Tb-bearing magnets;
//! 5. the same embargo with uncertainty (`scenarios/us_plus8_embargo.toml`): each member's
//!    shortfall distribution, and the parameters that drive the bloc's;
//! 6. the same uncertain embargo in time (the dynamic engine, a year in weeks): for each
//!    member, the probability that its producers become input-constrained on Dy/Tb-bearing
//!    magnets, or empty them, and when; the cumulative shortfall; and the bloc's per week;
//!    and the two engines side by side.
//!
//! Sources and estimation rules: docs/data.md; the model: docs/model.md.
//!
//! With `--plot DIR` it also writes the pictures as SVG: China's exposure map, the
//! chokepoints, the histogram and sensitivity tornado of the bloc's magnet shortfall, and
//! its fan chart in time.
//!
//! Run: `cargo run --release --example rare_earth_embargo [-- --plot DIR]`

use shortfall::data::{rare_earths_2024, Dataset};
use shortfall::engine::{
    chokepoints, Dynamic, DynamicSettings, Engine, Ranking, Shortfalls, StaticCascade, Step, Use,
};
use shortfall::metrics::{
    imports_by_origin, production_by_region, ConcentrationTable, DependenceTable,
};
use shortfall::montecarlo::{
    run_paths, run_with, EngineChoice, McResults, Measure, OutcomeSpec, PathResults, Settings,
};
use shortfall::network::{Bloc, Network, NodeKind, RegionId};
use shortfall::plot::Plot;
use shortfall::report::{number, Cell, Table};
use shortfall::runs::{gdp, money, price_paths, Money, PricePaths, ScenarioFile, ValuesFile};
use shortfall::scenario::{Param, Realization, Restriction, Targets};

const RESTRICTED: [&str; 6] = [
    "ndpr_oxide",
    "dytb_oxide",
    "ndpr_metal",
    "ndfeb_alloy",
    "ndfeb_magnet_free",
    "ndfeb_magnet_dy",
];
/// The two magnet grades: "magnets" in the tables are both.
const MAGNETS: [&str; 2] = ["ndfeb_magnet_free", "ndfeb_magnet_dy"];
const USES: [&str; 4] = [
    "ev_motor",
    "wind_pm_mw",
    "defence_magnets",
    "industrial_electronics",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `--plot DIR` writes the pictures of the run as SVG.
    let mut plot: Option<std::path::PathBuf> = None;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("plot") => plot = Some(parser.value()?.into()),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let data = rare_earths_2024();
    let net = &data.network;
    println!(
        "Dataset {} ({} sources; docs/data.md)\n",
        data.name,
        data.sources.len()
    );
    println!("{}", net.summary());

    let unit = |product: &str| -> shortfall::Result<String> {
        Ok(net.product(net.require_product(product)?).unit.clone())
    };
    println!("Labelled supply items (docs/model.md §1.10; docs/data.md rule K):");
    for (region, product, kind, size) in data.report.items.iter().chain(&data.report.closures) {
        let u = unit(product)?;
        let what = match kind {
            NodeKind::Recycled => "recycled from magnet scrap",
            NodeKind::Coproduct => "co-product of the heavy-feed line",
            NodeKind::Secondary => "unrecorded mining and stock change",
            _ => "closing item",
        };
        println!("  {region} {product}, {what}: {} {u} a year", number(*size));
    }
    println!(
        "  closing items: {}; items above {:.0}% of a region's need: {}",
        data.report.closures.len(),
        100.0 * shortfall::network::LARGE_CLOSURE,
        data.report.warnings.len()
    );
    println!("Re-exports converted to an origin basis:");
    for r in &data.report.reexports {
        let u = unit(&r.product)?;
        println!(
            "  {} re-exports {} {u} of {} a year",
            r.hub,
            number(r.volume),
            r.product
        );
    }
    println!();

    println!("{}", without_largest(net)?);
    println!("{}", ConcentrationTable::of(net));
    let bloc = Bloc::us_plus_8().resolve(net)?;
    let china = net.require_region("CN")?;
    let restricted = RESTRICTED
        .iter()
        .map(|p| net.require_product(p))
        .collect::<shortfall::Result<Vec<_>>>()?;
    println!("{}", DependenceTable::of(net, &bloc, &restricted, china)?);
    println!("{}", us_import_shares(&data)?);

    println!("{}", one_at_a_time(net, &bloc)?);
    for horizon in [0.25, 1.0] {
        println!("{}", embargo_table(net, &bloc, horizon)?);
    }

    let context = Realization {
        horizon: 1.0,
        ..Realization::default()
    };
    let magnet = net.require_product("ndfeb_magnet_dy")?;
    let worst = chokepoints(
        net,
        &context,
        &Targets::Bloc("US+8".into()),
        Ranking::Product(magnet),
    )?;
    println!("{worst}");

    let distributions = uncertain(net, &bloc)?;
    let paths = in_time(net)?;
    println!("{}", two_engines(net)?);
    let in_money = in_money(net)?;
    let in_time_prices = prices_in_time(net)?;

    if let Some(dir) = plot {
        let bloc_magnets = "US+8 ndfeb_magnet_dy absorption shortfall";
        let summary = distributions
            .outcomes
            .iter()
            .find(|s| s.name == bloc_magnets)
            .ok_or("the bloc's magnet outcome is missing")?;
        for (plot, name) in [
            (Plot::exposure_map(net, "CN")?, "exposure_cn"),
            (Plot::chokepoints(&worst)?, "chokepoints"),
            (Plot::histogram(summary)?, "histogram_magnets"),
            (
                Plot::tornado(&distributions, bloc_magnets)?,
                "tornado_magnets",
            ),
            (Plot::fan_chart(&paths)?, "fan_magnets"),
            (Plot::price_fan(&in_money, "dytb_oxide")?, "prices_dytb"),
            (
                Plot::price_fan(&in_money, "ndfeb_magnet_dy")?,
                "prices_magnets",
            ),
            (Plot::price_paths(&in_time_prices[0])?, "price_paths_dytb"),
            (
                Plot::price_paths(&in_time_prices[1])?,
                "price_paths_magnets",
            ),
        ] {
            println!("{}", plot.save_in(&dir, name)?.display());
        }
    }

    println!("Scope: magnets that reach the bloc inside finished goods (motors, vehicles,");
    println!("electronics) are not modelled as trade; only magnets traded as such are. SmCo");
    println!("magnets (defence) are out of scope. See docs/data.md, Scope.");
    Ok(())
}

/// The seed scenario in money (docs/model.md §7): the seed file with the prices, final
/// goods and market step of `scenarios/values/rare_earths_2024.toml`, over a fixed horizon
/// of 1 to 12 months (1,000 draws each; the static cascade): value added lost by each
/// member and the bloc over a quarter and a year, within the chain and (through the bridge
/// to the monetary table) in the economy, and the mean prices of Dy/Tb oxide and
/// Dy/Tb-bearing magnets in the bloc and in China month by month.
fn in_money(net: &Network) -> Result<Vec<Money>, Box<dyn std::error::Error>> {
    let file = ScenarioFile::named("us_plus8_embargo")?.with_draws(1_000);
    let values = ValuesFile::named("rare_earths_2024")?;
    let bloc = Targets::Bloc("US+8".into());
    let table = shortfall::data::mrio_2022()?;
    let bridge = shortfall::engine::BridgeSpec::mrio_2022()?;
    let mut runs = Vec::new();
    for months in 1..=12 {
        let mut spec = file.scenario.clone();
        spec.horizon = Param::Fixed(f64::from(months) / 12.0);
        values.apply(&mut spec);
        let m = money(
            net,
            &spec,
            &file.monte_carlo,
            &bloc,
            &["dytb_oxide", "ndfeb_magnet_dy"],
        )?;
        if months == 3 || months == 12 {
            println!("{m}");
            // GDP beyond the chain: the bridge to the monetary table (docs/model.md §7.4).
            let members = ["US", "JP", "SG", "KR", "GB", "NL", "AE", "AU", "IL"];
            let g = gdp(net, &spec, &file.monte_carlo, &table, &bridge, &members)?;
            println!("{g}");
        }
        runs.push(m);
    }
    let t = mean_prices(&runs);
    println!("{t}");
    Ok(runs)
}

/// The prices in time (docs/model.md §7.5): the seed scenario with the same values through
/// the dynamic engine, month by month over a year (1,000 draws), for Dy/Tb oxide and
/// Dy/Tb-bearing magnets; the table shows the oxide's.
fn prices_in_time(net: &Network) -> Result<Vec<PricePaths>, Box<dyn std::error::Error>> {
    let file = ScenarioFile::named("us_plus8_embargo")?.with_draws(1_000);
    let mut spec = file.scenario.clone();
    ValuesFile::named("rare_earths_2024")?.apply(&mut spec);
    let monthly = DynamicSettings {
        step: Step::Month,
        ..DynamicSettings::default()
    };
    let paths = ["dytb_oxide", "ndfeb_magnet_dy"]
        .iter()
        .map(|p| price_paths(net, &spec, &file.monte_carlo, monthly.clone(), p))
        .collect::<shortfall::Result<Vec<_>>>()?;
    println!("{}", paths[0]);
    Ok(paths)
}

/// The median prices month by month, from the runs of [`in_money`].
fn mean_prices(runs: &[Money]) -> Table {
    let mut t = Table::new(
        "Mean price over the first months, relative to 2024 (median; P5-P95 in the plot)",
        &[
            "months",
            "Dy/Tb oxide, bloc",
            "China",
            "Dy/Tb magnets, bloc",
            "China",
        ],
    );
    for m in runs {
        let p = |product: &str, market| {
            (m.prices.iter())
                .find(|r| r.product == product && r.market == market)
                .map_or(Cell::Empty, |r| Cell::Number(r.ratio[1]))
        };
        use shortfall::engine::MarketId::{Bloc as B, Origin as O};
        t.row(vec![
            Cell::Number((12.0 * m.horizon).round()),
            p("dytb_oxide", B),
            p("dytb_oxide", O),
            p("ndfeb_magnet_dy", B),
            p("ndfeb_magnet_dy", O),
        ]);
    }
    t.note("the market step, docs/model.md §7.1; its size missed the 2025 split (docs/validation.md §6)");
    t
}

/// The uncertain embargo in time: a year in weeks, the restriction from week 5
/// (docs/model.md §5). Producers hold working inventories of 14 days of magnets and 90 days
/// of other inputs (BoARIO's default); the firm magnet stocks (42 days, CLEPA) and the
/// government stockpiles of the data release as the scenario says.
fn in_time(net: &Network) -> shortfall::Result<PathResults> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/us_plus8_embargo.toml"
    );
    let file = ScenarioFile::read(path)?;
    let settings = Settings {
        draws: 2_000,
        ..file.monte_carlo.clone()
    };
    let dynamic = file.dynamic.clone().unwrap_or_default();
    let spec_paths = file.paths.clone().ok_or_else(|| {
        shortfall::Error::InvalidSetting(format!("{path}: the seed file has a [paths] table"))
    })?;
    let paths = run_paths(net, &file.scenario, &dynamic, &settings, &spec_paths)?;
    println!("{paths}");
    Ok(paths)
}

/// The seed scenario's magnet shortfall through both engines, side by side: the same
/// file, the same draws, the same outcomes through the one Monte Carlo front door.
fn two_engines(net: &Network) -> shortfall::Result<Table> {
    let mut file = ScenarioFile::named("us_plus8_embargo")?;
    file.monte_carlo.draws = 2_000;
    let members = ["US", "JP", "KR", "GB", "NL", "SG", "AE", "AU", "IL"];
    let mut who: Vec<Targets> = members
        .iter()
        .map(|c| Targets::List(vec![c.to_string()]))
        .collect();
    who.push(Targets::Bloc("US+8".into()));
    file.monte_carlo.outcomes = who
        .iter()
        .map(|regions| {
            OutcomeSpec::new(Measure::AbsorptionShare, regions.clone(), "ndfeb_magnet_dy")
        })
        .collect();
    let nets = std::slice::from_ref(net);
    let (spec, mc) = (&file.scenario, &file.monte_carlo);
    let dynamic = EngineChoice::Dynamic(file.dynamic.clone().unwrap_or_default());
    let s = run_with(nets, spec, mc, &EngineChoice::Static, None)?;
    let d = run_with(nets, spec, mc, &dynamic, None)?;
    let mut t = Table::new(
        format!(
            "One scenario, two engines: Dy/Tb-bearing magnet absorption shortfall, share of \
             annual use, mean (P5-P95), {} draws, seed {}",
            s.draws, s.seed
        ),
        &["region", "static cascade", "dynamic engine"],
    );
    let cell = |o: &shortfall::montecarlo::Summary| {
        let pct = |x: f64| format!("{:.1}", 100.0 * x);
        let q = |p: f64| {
            o.quantiles
                .iter()
                .find(|q| q.p == p)
                .map_or(f64::NAN, |q| q.value)
        };
        Cell::Text(format!(
            "{}% ({}-{})",
            pct(o.mean),
            pct(q(0.05)),
            pct(q(0.95))
        ))
    };
    for (k, regions) in who.iter().enumerate() {
        t.row(vec![
            Cell::Text(regions.label()),
            cell(&s.outcomes[k]),
            cell(&d.outcomes[k]),
        ]);
    }
    t.note(
        "why they differ: the static cascade counts the horizon as one period after own \
         stocks are released; the dynamic engine sums weeks, draws down working inventories \
         first and counts absorption before stockpile release (docs/model.md §5.8 says when \
         to use which)",
    );
    t.note(&s.engine);
    t.note(&d.engine);
    Ok(t)
}

/// The seed case over one horizon, three mitigation settings, as shares of each member's
/// annual baseline.
fn embargo_table(net: &Network, bloc: &[RegionId], horizon: f64) -> shortfall::Result<Table> {
    let seed = Realization {
        name: "China embargoes oxides, metal and magnets to US+8".into(),
        horizon,
        restrictions: vec![Restriction::full(
            ["CN"],
            RESTRICTED,
            Targets::Bloc("US+8".into()),
        )],
        ..Realization::default()
    };
    let mut with_stocks = seed.clone();
    with_stocks.mitigation.stock_release_share = 1.0;
    let mut with_substitution = with_stocks.clone();
    with_substitution.mitigation.substitution = 1.0;
    let cases = [
        ("no mitigation", seed),
        ("stock release", with_stocks),
        ("+ substitution", with_substitution),
    ];

    let magnets = MAGNETS
        .iter()
        .map(|p| net.require_product(p))
        .collect::<shortfall::Result<Vec<_>>>()?;
    let uses = USES
        .iter()
        .map(|p| net.require_product(p))
        .collect::<shortfall::Result<Vec<_>>>()?;
    let span = if horizon == 1.0 {
        "one year".to_string()
    } else {
        format!("{} years", number(horizon))
    };
    let mut t = Table::new(
        format!(
            "Static cascade, embargo of {span}: shortfall as a share of the annual baseline \
             (magnets: absorption; uses: final use)"
        ),
        &[
            "region",
            "mitigation",
            "magnets",
            "magnets (t)",
            "EV motors",
            "PM wind",
            "defence",
            "industrial & electronics",
        ],
    );
    let engine = StaticCascade::new(net, &cases[0].1)?;
    let mut ws = engine.workspace(net);
    let mut previous: Option<Vec<f64>> = None;
    let mut collapsed = Vec::new();
    for (label, scenario) in &cases {
        engine.run(net, scenario, &mut ws)?;
        let o = ws.outcome();
        // A case that changes no figure of the one before is one line, not a block.
        let figures: Vec<f64> = o
            .absorption_shortfall
            .iter()
            .chain(&o.final_shortfall)
            .copied()
            .collect();
        if let Some(p) = &previous {
            let same = p
                .iter()
                .zip(&figures)
                .all(|(a, b)| (a - b).abs() <= 1e-9 * a.abs().max(1.0));
            if same {
                collapsed.push(*label);
                continue;
            }
        }
        previous = Some(figures);
        let rows = bloc.iter().map(|&r| (net.region(r).code.clone(), vec![r]));
        for (name, members) in rows.chain(std::iter::once(("US+8".to_string(), bloc.to_vec()))) {
            let b = o.bloc(&members);
            let share = |short: f64, base: f64| {
                if base > 0.0 {
                    Cell::Share(short / (base / horizon))
                } else {
                    Cell::Empty
                }
            };
            let sum = |v: &[f64]| magnets.iter().map(|m| v[m.index()]).sum::<f64>();
            let short = sum(&b.absorption_shortfall);
            let mut row = vec![
                Cell::Text(name),
                Cell::Text(label.to_string()),
                share(short, sum(&b.absorption_baseline)),
                Cell::Number(short),
            ];
            for u in &uses {
                row.push(share(
                    b.final_shortfall[u.index()],
                    b.final_baseline[u.index()],
                ));
            }
            t.row(row);
        }
    }
    t.note(format!(
        "severity 1, no leakage, blocked volume kept; stock release: all own stocks, no rate \
         limit; substitution: all spare capacity outside China (rho = 1); horizon {} y",
        number(horizon)
    ));
    if collapsed.contains(&"+ substitution") {
        t.note("+ substitution: every figure as with stock release, so not shown");
    }
    t.note(
        "magnets: both grades; spare capacity outside China runs from Mt Weld through Lynas \
         to Japan's metal and alloy and every maker's Dy/Tb-free lines (docs/data.md); no \
         Dy/Tb outside China in 2024, so Dy/Tb-bearing grades gain nothing from it",
    );
    t.note(shortfall::engine::STATIC_DEFINITION);
    Ok(t)
}

/// The seed scenario with uncertainty: each member's (and the bloc's) shortfall
/// distribution for magnets and downstream uses, and the top sensitivities.
fn uncertain(net: &Network, bloc: &[RegionId]) -> shortfall::Result<McResults> {
    let mut file = ScenarioFile::from_toml(
        include_str!("../scenarios/us_plus8_embargo.toml"),
        "scenarios/us_plus8_embargo.toml",
    )?;
    let mut who: Vec<Targets> = bloc
        .iter()
        .map(|&r| Targets::List(vec![net.region(r).code.clone()]))
        .collect();
    who.push(Targets::Bloc("US+8".into()));
    let mut outcomes = Vec::new();
    for regions in &who {
        for m in MAGNETS {
            outcomes.push(OutcomeSpec::new(
                Measure::AbsorptionShare,
                regions.clone(),
                m,
            ));
        }
        for u in USES {
            outcomes.push(OutcomeSpec::new(Measure::FinalShare, regions.clone(), u));
        }
    }
    file.monte_carlo.outcomes = outcomes;
    let results = shortfall::montecarlo::run(net, &file.scenario, &file.monte_carlo, None)?;
    let mut t = Table::new(
        format!(
            "{}: {} draws, seed {}; shortfall as a share of annual use, mean (P5-P95)",
            results.scenario, results.draws, results.seed
        ),
        &[
            "region",
            "Dy-free magnets",
            "Dy/Tb magnets",
            "EV motors",
            "PM wind",
            "defence",
            "industrial",
        ],
    );
    let pct = |x: f64| format!("{:.0}", x * 100.0);
    for (regions, row) in who
        .iter()
        .zip(results.outcomes.chunks(MAGNETS.len() + USES.len()))
    {
        let mut cells = vec![Cell::Text(regions.label())];
        for s in row {
            let q = |p: f64| {
                s.quantiles
                    .iter()
                    .find(|q| q.p == p)
                    .map_or(f64::NAN, |q| q.value)
            };
            cells.push(Cell::Text(format!(
                "{}% ({}-{})",
                pct(s.mean),
                pct(q(0.05)),
                pct(q(0.95))
            )));
        }
        t.row(cells);
    }
    t.note(
        "parameters and their distributions: scenarios/us_plus8_embargo.toml; standard \
         errors, CVaR and intervals: `run_scenario --out results.json`",
    );
    t.note(
        "magnets: absorption; uses: final use. Each region splits its magnets across its own \
         uses, each use takes the grades in its own mix, and users switch part of their \
         Dy/Tb-bearing magnets to Dy/Tb-free grades (docs/data.md, rules I and O)",
    );
    println!("{t}");
    let target = "US+8 ndfeb_magnet_dy absorption shortfall";
    let mut drivers: Vec<_> = results
        .sensitivity
        .iter()
        .filter(|s| s.outcome == target)
        .collect();
    drivers.sort_by(|a, b| {
        b.prcc
            .unwrap_or(0.0)
            .abs()
            .total_cmp(&a.prcc.unwrap_or(0.0).abs())
    });
    let mut d = Table::new(
        format!("What drives the {target} (rank correlations over the draws)"),
        &["parameter", "Spearman", "PRCC"],
    );
    for s in drivers {
        let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
        d.row(vec![
            Cell::Text(s.parameter.clone()),
            num(s.spearman),
            num(s.prcc),
        ]);
    }
    println!("{d}");
    Ok(results)
}

/// US imports of rare-earth compounds and metals by source: as read (shipping basis,
/// comparable with USGS's 2020-23 shares) beside the origin basis the network uses.
fn us_import_shares(data: &Dataset) -> shortfall::Result<Table> {
    let net = &data.network;
    let compounds = ["ndpr_oxide", "dytb_oxide", "ndpr_metal"];
    let us = net.require_region("US")?;
    let mut shipping = std::collections::BTreeMap::<String, f64>::new();
    for t in &data.tables.trade {
        if t.importer == "US" && compounds.contains(&t.product.as_str()) {
            *shipping.entry(t.exporter.clone()).or_default() += t.quantity;
        }
    }
    let mut origin = std::collections::BTreeMap::<String, f64>::new();
    for p in compounds {
        for (from, q) in imports_by_origin(net, us, net.require_product(p)?) {
            if q > 0.0 {
                *origin.entry(net.region(from).code.clone()).or_default() += q;
            }
        }
    }
    let (ts, to) = (shipping.values().sum::<f64>(), origin.values().sum::<f64>());
    let mut t = Table::new(
        "US imports of NdPr and Dy/Tb compounds and metals by source",
        &[
            "source",
            "shipping basis (as read)",
            "origin basis (derived)",
            "USGS 2020-23",
        ],
    );
    let usgs = |c: &str| match c {
        "CN" => Cell::Share(0.70),
        "MY" => Cell::Share(0.13),
        "JP" => Cell::Share(0.06),
        "EE" => Cell::Share(0.05),
        _ => Cell::Empty,
    };
    let mut sources: Vec<&String> = shipping.keys().chain(origin.keys()).collect();
    sources.sort();
    sources.dedup();
    for c in sources {
        t.row(vec![
            Cell::Text(c.clone()),
            Cell::Share(shipping.get(c).copied().unwrap_or(0.0) / ts),
            Cell::Share(origin.get(c).copied().unwrap_or(0.0) / to),
            usgs(c),
        ]);
    }
    t.note("origin basis: the Netherlands' re-export counts as Chinese (docs/model.md §1.2)");
    Ok(t)
}

/// The IEA's bound for each stage: what the world makes without its largest supplier, as
/// a share of the world's use and of the use outside that supplier's region. Production
/// counts recycling and co-products, not the unrecorded item (docs/model.md §1.10).
fn without_largest(net: &Network) -> shortfall::Result<Table> {
    let mut t = Table::new(
        "Each stage without its largest supplier (the IEA's N-1 bound)",
        &[
            "product",
            "largest",
            "world supply",
            "without it",
            "share of world use",
            "share of the rest's use",
        ],
    );
    for &p in net.product_order() {
        if net.product(p).final_use {
            continue;
        }
        let by = production_by_region(net, &[p]);
        let world: f64 = by.iter().map(|(_, q)| q).sum();
        let &(top, largest) = by
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .ok_or("no regions")
            .map_err(|e| shortfall::Error::InvalidSetting(e.into()))?;
        let used: f64 = by.iter().map(|&(r, _)| net.absorption(r, p)).sum();
        let rest_use = used - net.absorption(top, p);
        let rest = world - largest;
        t.row(vec![
            Cell::Text(net.product(p).id.clone()),
            Cell::Text(net.region(top).code.clone()),
            Cell::Number(world),
            Cell::Number(rest),
            Cell::Share(rest / used),
            Cell::Share(rest / rest_use),
        ]);
    }
    t.note(
        "a year, in each product's unit; use: absorption by producers and final users, \
         unallocated residuals included; an IEA-style bound per stage, before any response",
    );
    Ok(t)
}

/// Magnet tonnes in each unit of a use in a region: the sum of the use's recipe.
fn magnet_content(net: &Network, region: RegionId, product: shortfall::network::ProductId) -> f64 {
    net.node_id(region, product)
        .map_or(0.0, |n| net.inputs(n).iter().map(|i| i.per_unit).sum())
}

/// The one-year loss of magnet-using output of `regions`: final-use shortfalls of the four
/// uses weighted by their magnet content, as a share of the baseline.
fn magnet_weighted_loss(net: &Network, o: &dyn Shortfalls, regions: &[RegionId]) -> f64 {
    let (mut short, mut base) = (0.0, 0.0);
    for &r in regions {
        for u in USES {
            let Ok(p) = net.require_product(u) else {
                continue;
            };
            let m = magnet_content(net, r, p);
            let a = o.over_run(Use::FinalUse, r, p);
            short += m * a.shortfall;
            base += m * a.baseline;
        }
    }
    if base > 0.0 {
        short / base
    } else {
        0.0
    }
}

/// The headline as a range, and the table that moves one structural assumption at a time:
/// the seed scenario at its medians, in time (weeks over a year, the dynamic engine, the
/// seed file's settings), each member's and the bloc's one-year loss of magnet-using
/// output (final-use shortfalls weighted by magnet content).
fn one_at_a_time(net: &Network, bloc: &[RegionId]) -> shortfall::Result<Table> {
    let file = ScenarioFile::named("us_plus8_embargo")?;
    let central = file.scenario.median();
    let settings = file.dynamic.clone().unwrap_or_default();
    type Change = Box<dyn Fn(&mut shortfall::scenario::Realization, &mut DynamicSettings)>;
    let switch_limit = |limit: f64| -> Change {
        Box::new(move |r, _| {
            for g in &mut r.adaptation.substitution_groups {
                g.limit = limit;
            }
        })
    };
    let switch_horizon = |over: f64| -> Change {
        Box::new(move |r, _| {
            for g in &mut r.adaptation.substitution_groups {
                if let Some(ramp) = g.limit_ramp.as_mut() {
                    ramp.over = over;
                }
            }
        })
    };
    let thrift = |reduction: f64| -> Change {
        Box::new(move |r, _| {
            for th in &mut r.adaptation.thrifting {
                th.reduction = reduction;
            }
        })
    };
    // Magnets' 14 days cannot halve at weekly steps (a step is at most half a cover).
    let double: Change = Box::new(|_, d| {
        d.inventory_days *= 2.0;
        for days in d.inventory_days_by_product.values_mut() {
            *days *= 2.0;
        }
    });
    let rows: Vec<(&str, &str, Change)> = vec![
        ("central (the file's medians)", "-", Box::new(|_, _| {})),
        ("duration", "a quarter", Box::new(|r, _| r.horizon = 0.25)),
        ("", "a year", Box::new(|r, _| r.horizon = 1.0)),
        (
            "own stocks released",
            "30%",
            Box::new(|r, _| r.mitigation.stock_release_share = 0.3),
        ),
        (
            "",
            "all",
            Box::new(|r, _| r.mitigation.stock_release_share = 1.0),
        ),
        (
            "spare capacity used (rho)",
            "none",
            Box::new(|r, _| r.mitigation.substitution = 0.0),
        ),
        ("", "80%", Box::new(|r, _| r.mitigation.substitution = 0.8)),
        ("switch to Dy/Tb-free (limit)", "none", switch_limit(0.0)),
        ("", "half", switch_limit(0.5)),
        ("switching horizon (ramp)", "3 months", switch_horizon(0.25)),
        ("", "3 years", switch_horizon(3.0)),
        ("Dy/Tb thrift (GBD)", "none", thrift(0.0)),
        ("", "half", thrift(0.5)),
        (
            "working inventories (ARIO)",
            "half",
            Box::new(|_, d| d.inventory_days = 45.0),
        ),
        ("", "double", double),
        ("threshold psi (ARIO)", "0.5", Box::new(|_, d| d.psi = 0.5)),
        ("", "0.95", Box::new(|_, d| d.psi = 0.95)),
    ];
    let members: Vec<String> = bloc.iter().map(|&r| net.region(r).code.clone()).collect();
    let mut header = vec!["assumption", "value", "US+8"];
    header.extend(members.iter().map(String::as_str));
    let mut figures = Vec::new();
    for (_, _, change) in &rows {
        let (mut r, mut d) = (central.clone(), settings.clone());
        change(&mut r, &mut d);
        let o = Dynamic::new(net, &r, d)?.evaluate(net, &r)?;
        let mut row = vec![magnet_weighted_loss(net, &o, bloc)];
        row.extend(bloc.iter().map(|&m| magnet_weighted_loss(net, &o, &[m])));
        figures.push(row);
    }
    let bloc_figures: Vec<f64> = figures.iter().map(|f| f[0]).collect();
    let (low, high) = bloc_figures
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let mut t = Table::new(
        format!(
            "Headline: over a year, US+8 loses {:.1}% of its magnet-using output in the central \
             case, {:.1}% to {:.1}% as one assumption at a time moves (dynamic engine, weeks)",
            100.0 * bloc_figures[0],
            100.0 * low,
            100.0 * high
        ),
        &header,
    );
    for ((label, value, _), f) in rows.iter().zip(&figures) {
        let mut cells = vec![Cell::Text(label.to_string()), Cell::Text(value.to_string())];
        cells.extend(f.iter().map(|&x| Cell::Share(x)));
        t.row(cells);
    }
    t.note(format!(
        "loss: final-use shortfalls of EV motors, PM wind, defence and industrial uses weighted \
         by their magnets, share of a year's; the seed file at its medians (restriction of {} y \
         from week 5, severity {}, leakage {}), everything else as in the central row",
        number(central.horizon),
        number(central.restrictions[0].severity),
        number(central.restrictions[0].leakage)
    ));
    t.note(
        "working inventories: 14 days of magnets, 90 of other inputs (half: other inputs only); \
         weekly steps understate the daily figure by up to about 14% on these data \
         (docs/model.md §5.9); the grade mix of each use is data (docs/data.md, rule O): the \
         switch limit is how far users can move from it",
    );
    Ok(t)
}
