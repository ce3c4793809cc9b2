//! Rebuilding (docs/model.md §5.13): BoARIO's `EventKapitalRebuild`. Capital destroyed at
//! an industry becomes a stock of demand addressed to rebuilding sectors; what they
//! deliver to it brings the capital, and the capacity, back.

use super::plan::Plan;
use crate::error::Result;
use crate::network::Network;
use crate::scenario::{round_to, BoarioEvent, CAPITAL_DECIMALS};

/// One rebuilding event, resolved against the plan.
#[derive(Debug, Clone)]
struct Rebuild {
    /// The affected industry (internal index), its productive capital and the capital
    /// destroyed.
    node: usize,
    capital: f64,
    impact: f64,
    /// Rebuilding factor φ and rebuilding time τ, steps.
    factor: f64,
    tau: f64,
    /// The first step of the loss, and the first step of rebuilding demand.
    occurrence: usize,
    rebuilding: usize,
    /// The suppliers (internal index) and their share of the stock at the start, `R₀`.
    suppliers: Vec<(usize, f64)>,
}

/// The run's rebuilding events (§5.13).
#[derive(Debug, Clone, Default)]
pub(super) struct RebuildPlan {
    events: Vec<Rebuild>,
    /// Where each event's suppliers start in the workspace's flat stock.
    offsets: Vec<usize>,
    /// Whether to round the stock and aim the inventory target as BoARIO does (ario mode).
    ario: bool,
}

impl RebuildPlan {
    /// No event yet; `ario`: round the stock and aim the inventory target as BoARIO does.
    pub(super) fn new(ario: bool) -> Self {
        Self {
            ario,
            ..Self::default()
        }
    }

    /// Adds one rebuilding event, named at `at`; warns of a rebuilding share lost because
    /// the industry buys nothing of that sector.
    pub(super) fn add(
        &mut self,
        net: &Network,
        plan: &Plan,
        e: &BoarioEvent,
        at: &str,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        e.check_rebuilding(at)?;
        let j = e.industry_at(net, at)?;
        let capital = e.capital_at(net, j, at)?;
        let mut suppliers = Vec::new();
        for (sector, share) in &e.rebuilding_sectors {
            let s = net.product_id(sector).ok_or_else(|| {
                crate::Error::field(
                    "scenario",
                    format!("{at}.rebuilding_sectors.{sector}"),
                    net.unknown_product(sector),
                )
            })?;
            // The split over regions: the industry's own purchases of the sector.
            let bought: Vec<(usize, f64)> = net
                .in_edges(j)
                .filter(|x| net.node(x.from).product == s)
                .map(|x| (plan.pos[x.from.index()] as usize, x.flow))
                .collect();
            let total: f64 = bought.iter().map(|(_, z)| z).sum();
            if total <= 0.0 {
                warnings.push(format!(
                    "{at}: {} in {} buys no {sector}, so its share of rebuilding ({share}) is \
                     lost, as in BoARIO (docs/model.md §5.13)",
                    e.sector, e.region
                ));
                continue;
            }
            for (i, z) in bought {
                suppliers.push((i, share * e.rebuilding_factor * e.impact * z / total));
            }
        }
        self.offsets.push(self.len());
        self.events.push(Rebuild {
            node: plan.pos[j.index()] as usize,
            capital,
            impact: e.impact,
            factor: e.rebuilding_factor,
            tau: e.recovery_tau as f64,
            occurrence: e.occurrence,
            rebuilding: e.occurrence + e.duration,
            suppliers,
        });
        Ok(())
    }

    /// Whether there is no rebuilding event.
    pub(super) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The number of events.
    pub(super) fn events(&self) -> usize {
        self.events.len()
    }

    /// The length of the flat stock (all events' suppliers).
    pub(super) fn len(&self) -> usize {
        self.events.iter().map(|e| e.suppliers.len()).sum()
    }

    /// Whether the inventory target is BoARIO's (demand left after distribution).
    pub(super) fn ario(&self) -> bool {
        self.ario
    }

    /// Clears the affected industries' loss before a step's shocks are set.
    pub(super) fn clear_loss(&self, loss: &mut [f64]) {
        for e in &self.events {
            loss[e.node] = 0.0;
        }
    }

    /// The stock at the start of a run.
    pub(super) fn start(&self, left: &mut [f64]) {
        for (e, &o) in self.events.iter().zip(&self.offsets) {
            for (k, &(_, r0)) in e.suppliers.iter().enumerate() {
                left[o + k] = r0;
            }
        }
    }

    /// Step `t`'s capacity loss of each affected industry (into `loss`, the larger of it
    /// and what is there; events on one industry add) and each supplier's rebuilding
    /// demand (into `asked`, which the caller zeroed), from the stock `left`.
    pub(super) fn shocks(
        &self,
        t: usize,
        left: &[f64],
        acc: &mut [f64],
        asked: &mut [f64],
        loss: &mut [f64],
    ) {
        for e in &self.events {
            acc[e.node] = 0.0;
        }
        for (e, &o) in self.events.iter().zip(&self.offsets) {
            let stock = &left[o..o + e.suppliers.len()];
            acc[e.node] += match t {
                t if t < e.occurrence => 0.0,
                t if t <= e.rebuilding => e.impact / e.capital,
                _ => stock.iter().sum::<f64>() / (e.factor * e.capital),
            };
            if t >= e.rebuilding {
                for (&(i, _), r) in e.suppliers.iter().zip(stock) {
                    asked[i] += r / e.tau;
                }
            }
        }
        for e in &self.events {
            loss[e.node] = loss[e.node].max(acc[e.node]);
        }
    }

    /// After production at step `t`: each event's stock less what its suppliers
    /// delivered to it, the share `served` of what they were asked (in the ario mode
    /// rounded to BoARIO's 7 decimals).
    pub(super) fn deliver(&self, t: usize, served: &[f64], left: &mut [f64]) {
        for (e, &o) in self.events.iter().zip(&self.offsets) {
            if t < e.rebuilding {
                continue;
            }
            for (&(i, _), r) in e.suppliers.iter().zip(&mut left[o..o + e.suppliers.len()]) {
                let mut after = *r - served[i] * (*r / e.tau);
                if self.ario {
                    after = round_to(after, CAPITAL_DECIMALS);
                }
                *r = after.max(0.0);
            }
        }
    }

    /// The stock left of each event, summed.
    pub(super) fn left_by_event<'a>(&'a self, left: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        self.events
            .iter()
            .zip(&self.offsets)
            .map(move |(e, &o)| left[o..o + e.suppliers.len()].iter().sum())
    }
}
