//! # shortfall
//!
//! How concentrated is the world's supply of critical materials, and what falls short
//! downstream when a dominant supplier restricts exports?
//!
//! A [`Network`](network::Network) holds regions, products at each stage of a chain, and
//! the flows between them (an input-output matrix in compressed rows). Build one from
//! production, trade, recipe and stock tables with [`Builder`](network::Builder), load one
//! from JSON or TOML with [`data`], or generate a synthetic one with
//! [`Synthetic`](network::Synthetic).
//!
//! ```
//! use shortfall::prelude::*;
//!
//! let net = toy_chain();                 // 3 regions, ore -> oxide -> magnet, one hub
//! println!("{}", net.summary());         // in evcxr, `net.summary()` shows a table
//! let magnet = net.require_product("magnet")?;
//! assert_eq!(net.production(magnet), 88.0);
//! # Ok::<(), shortfall::Error>(())
//! ```
//!
//! A shock is a [`Realization`](scenario::Realization) run by an
//! [`Engine`](engine::Engine): the [`StaticCascade`](engine::StaticCascade) (the horizon
//! as one period) or the [`Dynamic`](engine::Dynamic) engine (ARIO in time steps, also on
//! monetary input-output tables read by [`data::read_pymrio`]); an
//! uncertain one is a [`ScenarioSpec`](scenario::ScenarioSpec) run by
//! [`montecarlo::run`], which returns distributions and sensitivities, or in time by
//! [`montecarlo::run_paths`]. A named scenario file (`scenarios/`) runs with
//! [`runs::run_named`], which sets its observed figures from history beside the run.
//!
//! In an evcxr notebook, five lines run the seed embargo on the embedded data and show the
//! fan chart of the bloc's magnet shortfall (`docs/notebooks/` has two whole notebooks):
//!
//! ```
//! # #[cfg(feature = "plot")] {
//! use shortfall::prelude::*;                      // after `:dep shortfall = ...`
//! let seed = ScenarioFile::named("us_plus8_embargo")?.with_draws(100);
//! let run = run_named(&seed)?;
//! Plot::fan_chart(&run.paths)?
//! # ; }
//! # Ok::<(), shortfall::Error>(())
//! ```
//!
//! The model, with every equation, units and assumptions, is in `docs/model.md`; the
//! sources of the embedded data in `docs/data.md`; the scenario file format in
//! `docs/scenarios.md`; the named scenarios against history in `docs/validation.md`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod data;
pub mod engine;
pub mod error;
pub mod metrics;
pub mod montecarlo;
pub mod network;
pub mod numbers;
#[cfg(feature = "plot")]
pub mod plot;
pub mod report;
pub mod runs;
pub mod scenario;
pub mod tolerance;

pub use error::{Error, Result};

/// The names a notebook needs, in one import (31): the data and networks, a scenario,
/// both engines and their one view of an outcome, the Monte Carlo front door, scenario
/// files, display, errors. The rest is one module path away.
pub mod prelude {
    pub use crate::data::{mrio_2022, rare_earths_2024, read_network};
    pub use crate::engine::{
        chokepoints, evaluate, BridgeSpec, Dynamic, DynamicSettings, Engine, MarketId, Mode,
        Ranking, Shortfalls, StaticCascade, Step, Use,
    };
    pub use crate::error::{Error, Result};
    pub use crate::metrics::ConcentrationTable;
    pub use crate::montecarlo::{run_paths, run_with, EngineChoice, Settings};
    pub use crate::network::{toy_chain, Bloc, Builder, Network};
    #[cfg(feature = "plot")]
    pub use crate::plot::Plot;
    pub use crate::report::Report;
    pub use crate::runs::{
        gdp, money, price_paths, run_named, Money, PricePaths, ScenarioFile, ValuesFile,
    };
    pub use crate::scenario::{Param, Realization, Restriction, ScenarioSpec, Targets};
}
