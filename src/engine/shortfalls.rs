//! What every engine's outcome answers, in one set of names (docs/model.md §5.8): for a
//! region and a product, the shortfall and the baseline of its absorption or of its final
//! use over the run, and what the figures count.

use serde::{Deserialize, Serialize};

use super::{DynamicOutcome, StaticOutcome};
use crate::network::{ProductId, RegionId};

/// Which use falls short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// Absorption: what a region's producers (as inputs) and final users take of a product.
    Absorption,
    /// Final use alone (real final use; unallocated residuals are left out).
    FinalUse,
}

/// A shortfall and its baseline over the same period, in the product's unit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Amount {
    /// What was not received.
    pub shortfall: f64,
    /// What would have been received without the shock.
    pub baseline: f64,
}

impl Amount {
    /// The shortfall as a share of the *annual* baseline (`baseline / years`, a fixed
    /// denominator, so runs of different lengths average; docs/model.md §4.6); `None`
    /// where the baseline is zero.
    pub fn share_of_annual(&self, years: f64) -> Option<f64> {
        (self.baseline > 0.0).then(|| self.shortfall / (self.baseline / years))
    }
}

/// The outcome of any engine, seen the same way: the Monte Carlo driver, tables and
/// comparisons read outcomes through this view only.
pub trait Shortfalls {
    /// The length of the run the amounts cover, years.
    fn years(&self) -> f64;

    /// `what` of `product` in `region` over the run.
    fn over_run(&self, what: Use, region: RegionId, product: ProductId) -> Amount;

    /// What the engine's figures count, in a sentence a table can carry.
    fn definition(&self) -> &'static str;

    /// The outcome in time, when the engine has time steps (the dynamic engine).
    fn timing(&self) -> Option<&dyn Timing> {
        None
    }
}

/// An event within a run in time (docs/model.md §5.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A producer of the region is input-constrained on the product: its inventory is
    /// below `ψ` of its target, so its output is cut (not yet empty).
    InputConstrained,
    /// A producer of the region has emptied its inventory of the product: below 1% of its
    /// target ([`EMPTY`]).
    Empty,
    /// The region's stockpile of the product stands at its release floor.
    StockOut,
    /// After a shortfall of at least 1% of baseline, the first step from which the region's
    /// shortfall stays below 1% for this many steps.
    Recovery(usize),
    /// A firm of the region holding this many days of cover of the product stops.
    FirstStoppage(f64),
    /// Firms holding this share of the region's use of the product have stopped (the
    /// scenario's `firms`, docs/model.md §5.5).
    FirmStoppage(f64),
}

/// What an outcome in time steps answers besides its totals: the shortfall in each step
/// and the step at which events happen (docs/model.md §5.5).
pub trait Timing {
    /// Days a step.
    fn step_days(&self) -> f64;

    /// Steps in the run.
    fn steps(&self) -> usize;

    /// `region`'s absorption shortfall of `product` in `step`, and its baseline per step.
    fn absorption_in(&self, region: RegionId, product: ProductId, step: usize) -> Amount;

    /// The first step at which `event` happens to `region` and `product`; `None` if it
    /// does not within the run.
    fn first(&self, event: Event, region: RegionId, product: ProductId) -> Option<usize>;

    /// The region's use of the product in firms that stop within the run, and its whole
    /// use, per step (docs/model.md §5.5); `None` without firms.
    fn firms_stopped(&self, region: RegionId, product: ProductId) -> Option<Amount>;

    /// The input the scenario's firms use; `None` without firms.
    fn firms_product(&self) -> Option<&str>;
}

impl Shortfalls for StaticOutcome {
    fn years(&self) -> f64 {
        self.horizon
    }

    fn over_run(&self, what: Use, region: RegionId, product: ProductId) -> Amount {
        let i = self.index(region, product);
        let (shortfall, baseline) = match what {
            Use::Absorption => (&self.absorption_shortfall, &self.absorption_baseline),
            Use::FinalUse => (&self.final_shortfall, &self.final_baseline),
        };
        Amount {
            shortfall: shortfall[i],
            baseline: baseline[i],
        }
    }

    fn definition(&self) -> &'static str {
        STATIC_DEFINITION
    }
}

impl Shortfalls for DynamicOutcome {
    fn years(&self) -> f64 {
        self.steps as f64 * self.step_days / 365.0
    }

    fn over_run(&self, what: Use, region: RegionId, product: ProductId) -> Amount {
        let (shortfall, per_step) = match what {
            Use::Absorption => (
                self.cumulative_absorption_shortfall(region, product),
                self.absorption_baseline_per_step(region, product),
            ),
            Use::FinalUse => (
                self.cumulative_final_shortfall(region, product),
                self.final_baseline_per_step(region, product),
            ),
        };
        Amount {
            shortfall,
            baseline: per_step * self.steps as f64,
        }
    }

    fn definition(&self) -> &'static str {
        DYNAMIC_DEFINITION
    }

    fn timing(&self) -> Option<&dyn Timing> {
        Some(self)
    }
}

impl Timing for DynamicOutcome {
    fn step_days(&self) -> f64 {
        self.step_days
    }

    fn steps(&self) -> usize {
        self.steps
    }

    fn absorption_in(&self, region: RegionId, product: ProductId, step: usize) -> Amount {
        Amount {
            shortfall: self.absorption_shortfall(region, product, step),
            baseline: self.absorption_baseline_per_step(region, product),
        }
    }

    fn first(&self, event: Event, region: RegionId, product: ProductId) -> Option<usize> {
        match event {
            Event::InputConstrained => self.first_constrained(region, product),
            Event::Empty => self.first_empty(region, product),
            Event::StockOut => self.stock_out(region, product),
            Event::Recovery(steps) => self.recovery(region, product, steps),
            Event::FirstStoppage(cover) => self.first_stoppage(region, product, cover),
            Event::FirmStoppage(share) => self.firm_stoppage(region, product, share),
        }
    }

    fn firms_product(&self) -> Option<&str> {
        self.firms().map(|f| f.product.as_str())
    }

    fn firms_stopped(&self, region: RegionId, product: ProductId) -> Option<Amount> {
        let baseline = self.input_baseline_per_step(region, product);
        let share = DynamicOutcome::firms_stopped(self, region, product)?;
        Some(Amount {
            shortfall: share * baseline,
            baseline,
        })
    }
}

/// The share of its target below which an inventory counts as empty ([`Event::Empty`]).
pub const EMPTY: f64 = 0.01;

/// What the static cascade's figures count (docs/model.md §4.6).
pub const STATIC_DEFINITION: &str = "static cascade: shortfall over the horizon as one \
     period, after own-stock release, substitution and demand response (docs/model.md §4.6)";

/// What the dynamic engine's figures count (docs/model.md §5.5).
pub const DYNAMIC_DEFINITION: &str = "dynamic engine: shortfall summed over the steps; \
     absorption counted before stockpile release, final use after it (docs/model.md §5.5)";
