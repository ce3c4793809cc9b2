//! A scenario in money (docs/model.md §7): over Monte Carlo draws of the static cascade
//! with values and the market step, each member's and the bloc's value added lost and
//! final goods stopped, and the prices of chosen products in each market, as P5/P50/P95.

use serde::Serialize;

use crate::engine::{
    BridgeSpec, Bridged, DynamicSettings, Engine, MarketId, Mode, StaticCascade, Step,
};
use crate::error::{Error, Result};
use crate::montecarlo::{simulate, summarise, Settings, Simulation, StatisticsSettings};
use crate::network::{Network, RegionId};
use crate::report::{displayed_as_report, Cell, Report, Table};
use crate::scenario::{ScenarioSpec, Targets};

/// P5, P50 and P95 over the draws.
pub type Band = [f64; 3];

/// What a region (or the bloc) loses, money at baseline prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoneyRow {
    /// Region code, or the bloc's label.
    pub region: String,
    /// Value added lost (GDP within the network).
    pub value_added: Band,
    /// Gross output lost (counts inputs again; never GDP).
    pub gross_output: Band,
    /// Final goods its final-use shortfalls stop (never added to value added).
    pub final_goods: Band,
}

/// P5, P50 and P95 of outcome `k` over a run's draws.
pub(super) fn band(sim: &Simulation, k: usize) -> Band {
    let draws: Vec<f64> = sim.outcome(k).collect();
    let s = summarise("", "", &draws, &StatisticsSettings::default());
    [
        s.quantiles[0].value,
        s.quantiles[1].value,
        s.quantiles[2].value,
    ]
}

/// A product's price in a market, relative to baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    /// Product id.
    pub product: String,
    /// The market.
    pub market: MarketId,
    /// P5, P50, P95 of the price ratio.
    pub ratio: Band,
}

/// A scenario in money: see [`money`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    /// Scenario name.
    pub scenario: String,
    /// The horizon, years.
    pub horizon: f64,
    /// Draws.
    pub draws: u64,
    /// The members, then the bloc.
    pub rows: Vec<MoneyRow>,
    /// Prices of the chosen products in the bloc, the origin and the rest.
    pub prices: Vec<PriceRow>,
}

/// Runs `spec` (with prices; with a market step if it has one) through the static cascade
/// over `settings.draws` draws and summarises it in money for the members of `bloc` and
/// the prices of `products` (docs/model.md §7).
///
/// ```
/// use shortfall::runs::{money, ScenarioFile, ValuesFile};
/// let mut seed = ScenarioFile::named("us_plus8_embargo")?.with_draws(64);
/// ValuesFile::named("rare_earths_2024")?.apply(&mut seed.scenario);
/// let net = seed.data()?.network;
/// let bloc = shortfall::scenario::Targets::Bloc("US+8".into());
/// let m = money(&net, &seed.scenario, &seed.monte_carlo, &bloc, &["dytb_oxide"])?;
/// let bloc_row = m.rows.last().unwrap();
/// assert!(bloc_row.value_added[1] > 0.0 && bloc_row.value_added[1] <= bloc_row.gross_output[1]);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::Unsupported`] without prices or without value added (a price missing), and
/// every error of the engine and of the Monte Carlo driver.
pub fn money(
    net: &Network,
    spec: &ScenarioSpec,
    settings: &Settings,
    bloc: &Targets,
    products: &[&str],
) -> Result<Money> {
    if spec.prices.is_empty() {
        return Err(Error::Unsupported(
            "a scenario in money needs prices (runs::ValuesFile)".into(),
        ));
    }
    let members = bloc.resolve(net, "bloc")?;
    let median = spec.median();
    let engine = StaticCascade::new(net, &median)?;
    if let Some(why) = engine.value_added_missing() {
        return Err(Error::Unsupported(format!(
            "value added cannot be computed: {why}"
        )));
    }
    let priced: Vec<_> = (products.iter())
        .map(|p| net.require_product(p))
        .collect::<Result<_>>()?;
    let nr = members.len();
    let width = 3 * (nr + 1) + 3 * priced.len();
    let extract = |ws: &<StaticCascade as Engine>::Workspace, out: &mut [f64]| {
        let o = ws.outcome();
        let each = members.iter().map(std::slice::from_ref);
        for (i, set) in each.chain(std::iter::once(&members[..])).enumerate() {
            out[3 * i] = o.value_added_lost(set).unwrap_or(f64::NAN);
            out[3 * i + 1] = o.gross_output_lost(set).unwrap_or(f64::NAN);
            out[3 * i + 2] = o.final_goods_lost(set).unwrap_or(f64::NAN);
        }
        let base = 3 * (nr + 1);
        for (j, &p) in priced.iter().enumerate() {
            for m in MarketId::ALL {
                out[base + 3 * j + m.index()] = o.price(m, p).unwrap_or(1.0);
            }
        }
    };
    let sim = simulate(net, &engine, spec, width, extract, settings, None)?;
    let band = |k: usize| band(&sim, k);
    let code = |r: RegionId| net.region(r).code.clone();
    let labels = members.iter().map(|&r| code(r)).chain([bloc.label()]);
    let rows = (labels.enumerate())
        .map(|(i, region)| MoneyRow {
            region,
            value_added: band(3 * i),
            gross_output: band(3 * i + 1),
            final_goods: band(3 * i + 2),
        })
        .collect();
    let base = 3 * (nr + 1);
    let prices = (priced.iter().enumerate())
        .flat_map(|(j, &p)| {
            MarketId::ALL.map(|m| PriceRow {
                product: net.product(p).id.clone(),
                market: m,
                ratio: band(base + 3 * j + m.index()),
            })
        })
        .collect();
    Ok(Money {
        scenario: spec.name.clone(),
        horizon: median.horizon,
        draws: sim.draws,
        rows,
        prices,
    })
}

impl Report for Money {
    fn tables(&self) -> Vec<Table> {
        let years = crate::report::years(self.horizon);
        let mut t = Table::new(
            format!(
                "{}: money lost over {years} (US$ million at 2024 prices)",
                self.scenario
            ),
            &[
                "region",
                "value added P5",
                "P50",
                "P95",
                "final goods P50",
                "gross output P50",
            ],
        );
        let m = |x: f64| Cell::Number(x / 1e6);
        for r in &self.rows {
            t.row(vec![
                Cell::Text(r.region.clone()),
                m(r.value_added[0]),
                m(r.value_added[1]),
                m(r.value_added[2]),
                m(r.final_goods[1]),
                m(r.gross_output[1]),
            ]);
        }
        t.note(format!(
            "{} draws; value added is GDP within the network; final goods (cars, turbines) \
             and gross output are never added to it (docs/model.md §7.3)",
            self.draws
        ));
        let mut p = Table::new(
            format!("Prices over {years}, relative to 2024"),
            &["product", "market", "P5", "P50", "P95"],
        );
        for r in &self.prices {
            p.row(vec![
                Cell::Text(r.product.clone()),
                Cell::Text(r.market.word().into()),
                Cell::Number(r.ratio[0]),
                Cell::Number(r.ratio[1]),
                Cell::Number(r.ratio[2]),
            ]);
        }
        p.note("the market step of docs/model.md §7.1; 1 where a market has no users");
        vec![t, p]
    }
}

displayed_as_report!(Money);

/// A scenario's GDP lost through the bridge (docs/model.md §7.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gdp {
    /// Scenario name.
    pub scenario: String,
    /// The window the table runs over, years: the longest horizon the scenario can draw
    /// (at most 5), so each draw's loss (over its own horizon) and what follows it count.
    pub horizon: f64,
    /// Draws.
    pub draws: u64,
    /// Per table region, then the bloc: value added lost (P5, P50, P95) and the direct
    /// part of it (P50).
    pub rows: Vec<(String, Band, f64)>,
}

/// Runs `spec` through the static cascade bridged to `table` by `bridge` (BoARIO's mode,
/// weekly steps, the table running over the longest horizon the scenario can draw, at
/// most five years; each draw's losses over its own horizon) and summarises
/// each of `regions`' (table codes) value added lost, and their sum, over the draws.
///
/// ```
/// use shortfall::engine::BridgeSpec;
/// use shortfall::runs::{gdp, ScenarioFile};
/// let seed = ScenarioFile::named("us_plus8_embargo")?.with_draws(16);
/// let net = seed.data()?.network;
/// let table = shortfall::data::mrio_2022()?;
/// let g = gdp(&net, &seed.scenario, &seed.monte_carlo, &table, &BridgeSpec::mrio_2022()?, &["US", "JP"])?;
/// assert_eq!(g.rows.len(), 3);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidField`] for a region not in the table, and every error of
/// [`Bridged::new`] and of the Monte Carlo driver.
pub fn gdp(
    net: &Network,
    spec: &ScenarioSpec,
    settings: &Settings,
    table: &Network,
    bridge: &BridgeSpec,
    regions: &[&str],
) -> Result<Gdp> {
    for r in regions {
        table.require_region(r)?;
    }
    let median = spec.median();
    let dynamic = DynamicSettings {
        mode: Mode::Ario,
        step: Step::Week,
        ..DynamicSettings::default()
    };
    // Every draw's table runs over the same window: the longest horizon the scenario can
    // draw, at most five years, so a long draw keeps its whole loss.
    let window = spec.horizon.quantile(1.0).clamp(median.horizon, 5.0);
    let engine = Bridged::new(net, &median, table, bridge, dynamic, window)?;
    let n = regions.len();
    let extract = |ws: &<Bridged as Engine>::Workspace, out: &mut [f64]| {
        let o = engine.outcome(ws);
        let (mut total, mut direct) = (0.0, 0.0);
        for (i, r) in regions.iter().enumerate() {
            let v = o.region_value_added_lost(r).unwrap_or(f64::NAN);
            let d = o.region_direct(r).unwrap_or(f64::NAN);
            out[2 * i] = v;
            out[2 * i + 1] = d;
            total += v;
            direct += d;
        }
        out[2 * n] = total;
        out[2 * n + 1] = direct;
    };
    let sim = simulate(net, &engine, spec, 2 * (n + 1), extract, settings, None)?;
    let band = |k: usize| band(&sim, k);
    let labels = regions
        .iter()
        .map(|r| r.to_string())
        .chain([regions.join("+")]);
    let rows = (labels.enumerate())
        .map(|(i, label)| (label, band(2 * i), band(2 * i + 1)[1]))
        .collect();
    Ok(Gdp {
        scenario: spec.name.clone(),
        horizon: window,
        draws: sim.draws,
        rows,
    })
}

impl Report for Gdp {
    fn tables(&self) -> Vec<Table> {
        let years = crate::report::years(self.horizon);
        let mut t = Table::new(
            format!(
                "{}: GDP lost over {years} through the bridge (US$ million of 2022)",
                self.scenario
            ),
            &["region", "P5", "P50", "P95", "direct P50"],
        );
        for (region, b, direct) in &self.rows {
            t.row(vec![
                Cell::Text(region.clone()),
                Cell::Number(b[0]),
                Cell::Number(b[1]),
                Cell::Number(b[2]),
                Cell::Number(*direct),
            ]);
        }
        t.note(format!(
            "{} draws; value added lost in the monetary table (data::mrio_2022, BoARIO's mode, weekly \
             steps); direct: the sector capacity losses alone (docs/model.md §7.4)",
            self.draws
        ));
        vec![t]
    }
}

displayed_as_report!(Gdp);
