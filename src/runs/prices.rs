//! Price paths over Monte Carlo draws of the dynamic engine with a market step
//! (docs/model.md §7.5): per step, P5/P50/P95 of a product's price in each market, the
//! data of a fan chart.

use serde::Serialize;

use super::money::{band, Band};
use crate::engine::{Dynamic, DynamicSettings, Engine, MarketId};
use crate::error::{Error, Result};
use crate::montecarlo::{simulate, Settings};
use crate::network::Network;
use crate::report::{displayed_as_report, Cell, Report, Table};
use crate::scenario::ScenarioSpec;

/// A product's price path in each market: see [`price_paths`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricePaths {
    /// Scenario name.
    pub scenario: String,
    /// Product id.
    pub product: String,
    /// The step, days.
    pub step_days: f64,
    /// Draws.
    pub draws: u64,
    /// Per market (rest, bloc, origin: [`MarketId::index`]), per step: P5, P50, P95 of the
    /// price in force, relative to baseline.
    pub paths: [Vec<Band>; 3],
}

impl PricePaths {
    /// The path of one market.
    pub fn path(&self, market: MarketId) -> &[Band] {
        &self.paths[market.index()]
    }
}

/// Runs `spec` through the dynamic engine (`dynamic`, the standard mode) over
/// `settings.draws` draws and summarises the price of `product` in each market per step
/// (docs/model.md §7.5). The engine prices, it does not value: `prices` and `final_goods`
/// of `spec` are set aside for this run.
///
/// ```
/// use shortfall::engine::{DynamicSettings, MarketId, Step};
/// use shortfall::runs::{price_paths, ScenarioFile, ValuesFile};
/// let mut seed = ScenarioFile::named("us_plus8_embargo")?.with_draws(8);
/// ValuesFile::named("rare_earths_2024")?.apply(&mut seed.scenario);
/// let net = seed.data()?.network;
/// let monthly = DynamicSettings { step: Step::Month, steps: 24, ..DynamicSettings::default() };
/// let p = price_paths(&net, &seed.scenario, &seed.monte_carlo, monthly, "dytb_oxide")?;
/// assert!(p.path(MarketId::Bloc)[6][1] > 1.0);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::Unsupported`] without a market step; every error of [`Dynamic::new`] (an
/// unknown product among them) and of the Monte Carlo driver.
pub fn price_paths(
    net: &Network,
    spec: &ScenarioSpec,
    settings: &Settings,
    dynamic: DynamicSettings,
    product: &str,
) -> Result<PricePaths> {
    if spec.market.is_none() {
        return Err(Error::Unsupported(
            "price paths need a market step (scenario field `market`, docs/model.md §7.5)".into(),
        ));
    }
    let k = net.require_product(product)?;
    let mut spec = spec.clone();
    spec.prices.clear();
    spec.final_goods.clear();
    let engine = Dynamic::new(net, &spec.median(), dynamic)?;
    let steps = engine.steps();
    let extract = |ws: &<Dynamic as Engine>::Workspace, out: &mut [f64]| {
        let o = ws.outcome();
        for m in MarketId::ALL {
            for t in 0..steps {
                out[m.index() * steps + t] = o.price(m, k, t).unwrap_or(1.0);
            }
        }
    };
    let sim = simulate(net, &engine, &spec, 3 * steps, extract, settings, None)?;
    let path = |m: MarketId| {
        (0..steps)
            .map(|t| band(&sim, m.index() * steps + t))
            .collect()
    };
    Ok(PricePaths {
        scenario: spec.name.clone(),
        product: product.into(),
        step_days: engine.settings().step.days(),
        draws: sim.draws,
        paths: MarketId::ALL.map(path),
    })
}

impl Report for PricePaths {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            format!(
                "{}: price of {} per step, relative to baseline (P50 and P5-P95)",
                self.scenario, self.product
            ),
            &[
                "day",
                "bloc P50",
                "bloc P5",
                "bloc P95",
                "origin P50",
                "rest P50",
            ],
        );
        let (bloc, origin, rest) = (
            self.path(MarketId::Bloc),
            self.path(MarketId::Origin),
            self.path(MarketId::Rest),
        );
        for step in 0..bloc.len() {
            t.row(vec![
                Cell::Number(step as f64 * self.step_days),
                Cell::Number(bloc[step][1]),
                Cell::Number(bloc[step][0]),
                Cell::Number(bloc[step][2]),
                Cell::Number(origin[step][1]),
                Cell::Number(rest[step][1]),
            ]);
        }
        t.note(format!(
            "{} draws; the dynamic engine's market step (docs/model.md §7.5)",
            self.draws
        ));
        vec![t]
    }
}

displayed_as_report!(PricePaths);
