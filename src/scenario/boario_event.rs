//! Events as BoARIO 0.7.2 writes them (docs/model.md §5.12): a capacity-loss path built
//! from an event's parameters, with BoARIO's timing conventions and rounding.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::network::{Accounts, Network, NodeId};

/// The kind of a BoARIO event (its class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `EventKapitalRecover`: `impact` is productive capital destroyed (table units), which
    /// recovers by the recovery function.
    Recovery,
    /// `EventArbitraryProd`: `impact` is the share of capacity lost, in (0, 1].
    Arbitrary,
    /// `EventKapitalRebuild`: `impact` is productive capital destroyed (table units),
    /// rebuilt by deliveries of the rebuilding sectors (docs/model.md §5.13).
    Rebuild,
}

/// BoARIO's recovery functions (`boario/utils/recovery_functions.py`), of the elapsed steps
/// `k` since recovery began, `D₀` the initial damage and `τ` the recovery time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryFunction {
    /// `D₀·(1 - k/τ)`, 0 from `k = τ`.
    #[default]
    Linear,
    /// `convexe`: `D₀·(1 - 1/τ)^(4k)`.
    Convexe,
    /// `convexe noscale`: `D₀·(1 - 1/τ)^k`.
    ConvexeNoscale,
    /// `concave`: `D₀·τ / (τ + 10⁻⁶·k^e)`, `e = (ln τ - ln 10⁻⁶)/(ln τ - ln 2)`.
    Concave,
}

impl RecoveryFunction {
    /// The damage left `k` steps into recovery, from `d0`.
    pub fn at(self, d0: f64, k: f64, tau: f64) -> f64 {
        match self {
            Self::Linear => (d0 * (1.0 - k / tau)).max(0.0),
            Self::Convexe => d0 * (1.0 - 1.0 / tau).powf(4.0 * k),
            Self::ConvexeNoscale => d0 * (1.0 - 1.0 / tau).powf(k),
            Self::Concave => {
                let e = (tau.ln() - 1e-6f64.ln()) / (tau.ln() - 2f64.ln());
                d0 * tau / (tau + 1e-6 * k.powf(e))
            }
        }
    }
}

/// Decimals BoARIO rounds capital damage to: `int(log10(event_monetary_factor)) + 1` with
/// the event's monetary factor equal to the model's default, 10⁶.
pub const CAPITAL_DECIMALS: i32 = 7;

/// Decimals BoARIO rounds an arbitrary event's share to (`EVENT_ARBITRARY_PRECISION`).
pub const ARBITRARY_DECIMALS: i32 = 6;

/// BoARIO's default ratio of productive capital to value added.
pub const CAPITAL_TO_VALUE_ADDED: f64 = 4.0;

/// An event on one industry as BoARIO's `from_scalar_industries` takes it (docs/model.md
/// §5.12): the loss path it sets follows BoARIO's timing, day by day.
///
/// ```
/// use shortfall::scenario::{BoarioEvent, EventKind, RecoveryFunction};
/// let net = shortfall::data::read_pymrio(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/tests/fixtures/boario/pymrio_test"))?;
/// let event = BoarioEvent { kind: EventKind::Arbitrary, region: "reg2".into(),
///     sector: "manufactoring".into(), impact: 0.5, occurrence: 10, duration: 5,
///     recovery_tau: 10, recovery_function: RecoveryFunction::Linear,
///     rebuilding_sectors: Default::default(), rebuilding_factor: 1.0 };
/// let loss = event.loss_path(&net, 30)?;
/// // Full from occurrence + 1 through occurrence + duration + 2, then linear recovery.
/// assert_eq!((loss[10], loss[11], loss[17], loss[18], loss[26], loss[27]),
///            (0.0, 0.5, 0.5, 0.45, 0.05, 0.0));
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoarioEvent {
    /// The event's class.
    pub kind: EventKind,
    /// Region of the industry.
    pub region: String,
    /// Sector of the industry.
    pub sector: String,
    /// Capital destroyed in table units (`recovery`), or the share of capacity lost
    /// (`arbitrary`).
    pub impact: f64,
    /// The step the event occurs (BoARIO's `occurrence`, at least 1).
    pub occurrence: usize,
    /// BoARIO's `duration`, steps before recovery begins (at least 1).
    pub duration: usize,
    /// BoARIO's `recovery_tau`, steps (at least 1); for `rebuild`, its `rebuild_tau`.
    pub recovery_tau: usize,
    /// BoARIO's `recovery_function` (not read by `rebuild`).
    #[serde(default)]
    pub recovery_function: RecoveryFunction,
    /// For `rebuild`: the sectors that rebuild and their shares of the stock, summing to
    /// 1 (BoARIO's `rebuilding_sectors`); empty for the other kinds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rebuilding_sectors: BTreeMap<String, f64>,
    /// For `rebuild`: BoARIO's `rebuilding_factor`, the stock per unit of capital
    /// destroyed (default 1).
    #[serde(default = "one")]
    pub rebuilding_factor: f64,
}

fn one() -> f64 {
    1.0
}

impl BoarioEvent {
    /// The capacity loss at each of `steps` daily steps (docs/model.md §5.12):
    /// `recovery` holds `D₀/K` from `occurrence` through `occurrence + duration + 1` and
    /// then `round(f(t - occurrence - duration - 1), 7)/K`; `arbitrary` runs one step later
    /// at both ends (0 at `occurrence`), its share rounded to 6 decimals. `K` is the
    /// industry's productive capital, [`productive_capital`].
    ///
    /// # Errors
    /// [`Error::InvalidField`] at `field` for an unknown industry, an impact outside its
    /// domain (above the industry's capital, or a share outside (0, 1]) or a zero
    /// occurrence, duration or recovery time.
    pub fn loss_path(&self, net: &Network, steps: usize) -> Result<Vec<f64>> {
        self.loss_path_at(net, steps, "event")
    }

    /// [`BoarioEvent::loss_path`], with errors named at `field`.
    pub(crate) fn loss_path_at(
        &self,
        net: &Network,
        steps: usize,
        field: &str,
    ) -> Result<Vec<f64>> {
        let bad =
            |f: &str, reason: String| Error::field("scenario", format!("{field}.{f}"), reason);
        let n = self.industry_at(net, field)?;
        self.check_rebuilding(field)?;
        let tau = self.recovery_tau as f64;
        let (occ, dur) = (self.occurrence, self.duration);
        let path = match self.kind {
            EventKind::Rebuild => {
                return Err(bad(
                    "kind",
                    "a rebuilding event's loss follows what is delivered to rebuild: the \
                     dynamic engine runs it (docs/model.md §5.13), it has no path of its own"
                        .into(),
                ))
            }
            EventKind::Recovery => {
                let k = self.capital_at(net, n, field)?;
                let damage = |t: usize| match t {
                    t if t < occ => 0.0,
                    t if t <= occ + dur + 1 => self.impact,
                    t => {
                        let elapsed = (t - occ - dur - 1) as f64;
                        let left = self.recovery_function.at(self.impact, elapsed, tau);
                        round_to(left, CAPITAL_DECIMALS).max(0.0)
                    }
                };
                (0..steps).map(|t| damage(t) / k).collect()
            }
            EventKind::Arbitrary => {
                if !(self.impact.is_finite() && self.impact > 0.0 && self.impact <= 1.0) {
                    return Err(bad(
                        "impact",
                        format!("{} is outside (0, 1], a share of capacity", self.impact),
                    ));
                }
                let share = |t: usize| match t {
                    t if t <= occ => 0.0,
                    t if t <= occ + dur + 2 => self.impact,
                    t => {
                        let elapsed = (t - occ - dur - 2) as f64;
                        let left = self.recovery_function.at(self.impact, elapsed, tau);
                        round_to(left, ARBITRARY_DECIMALS).max(0.0)
                    }
                };
                (0..steps).map(share).collect()
            }
        };
        Ok(path)
    }
}

impl BoarioEvent {
    /// The productive capital of industry `n`, checked against the impact: a monetary
    /// table, and an impact in (0, K].
    pub(crate) fn capital_at(&self, net: &Network, n: NodeId, field: &str) -> Result<f64> {
        let bad =
            |f: &str, reason: String| Error::field("scenario", format!("{field}.{f}"), reason);
        if net.accounts() != Accounts::Monetary {
            return Err(bad(
                "kind",
                "capital events need a monetary table (capital is value added times 4)".into(),
            ));
        }
        let k = productive_capital(net, n);
        if !(self.impact.is_finite() && self.impact > 0.0 && self.impact <= k) {
            return Err(bad(
                "impact",
                format!(
                    "{} is outside (0, {k}], the industry's productive capital",
                    self.impact
                ),
            ));
        }
        Ok(k)
    }

    /// Checks the occurrence, duration and τ, and the rebuilding fields: shares summing
    /// to 1 (to BoARIO's `numpy.isclose`) and a positive factor for `rebuild`, none for the
    /// other kinds.
    pub(crate) fn check_rebuilding(&self, field: &str) -> Result<()> {
        let bad =
            |f: &str, reason: String| Error::field("scenario", format!("{field}.{f}"), reason);
        for (name, v) in [
            ("occurrence", self.occurrence),
            ("duration", self.duration),
            ("recovery_tau", self.recovery_tau),
        ] {
            if v == 0 {
                return Err(bad(
                    name,
                    "must be at least 1 step (as BoARIO requires)".into(),
                ));
            }
        }
        if self.kind != EventKind::Rebuild {
            if !self.rebuilding_sectors.is_empty() {
                return Err(bad(
                    "rebuilding_sectors",
                    "only a `rebuild` event has rebuilding sectors".into(),
                ));
            }
            return Ok(());
        }
        if self.rebuilding_sectors.is_empty() {
            return Err(bad(
                "rebuilding_sectors",
                "a `rebuild` event names at least one rebuilding sector".into(),
            ));
        }
        for (sector, share) in &self.rebuilding_sectors {
            if !(share.is_finite() && (0.0..=1.0).contains(share)) {
                return Err(bad(
                    &format!("rebuilding_sectors.{sector}"),
                    format!("{share} is outside [0, 1]"),
                ));
            }
        }
        let total: f64 = self.rebuilding_sectors.values().sum();
        if (total - 1.0).abs() > 1e-8 + 1e-5 {
            return Err(bad(
                "rebuilding_sectors",
                format!("the shares sum to {total}, not 1"),
            ));
        }
        let f = self.rebuilding_factor;
        if !(f.is_finite() && f > 0.0 && f <= super::MAX_MULTIPLIER) {
            return Err(bad(
                "rebuilding_factor",
                format!("{f} is outside (0, {:e}]", super::MAX_MULTIPLIER),
            ));
        }
        Ok(())
    }

    /// The event's industry.
    ///
    /// # Errors
    /// [`Error::InvalidField`] at `field.region` or `field.sector` for an unknown code, or
    /// at `field` for a region that does not make the sector's product.
    pub fn industry(&self, net: &Network) -> Result<NodeId> {
        self.industry_at(net, "event")
    }

    pub(crate) fn industry_at(&self, net: &Network, field: &str) -> Result<NodeId> {
        let at = |f: &str, reason: String| Error::field("scenario", format!("{field}.{f}"), reason);
        let r = (net.region_id(&self.region))
            .ok_or_else(|| at("region", net.unknown_region(&self.region)))?;
        let p = (net.product_id(&self.sector))
            .ok_or_else(|| at("sector", net.unknown_product(&self.sector)))?;
        net.node_id(r, p).ok_or_else(|| {
            Error::field(
                "scenario",
                field.to_string(),
                format!("{} makes no {}", self.region, self.sector),
            )
        })
    }
}

/// numpy's `round(x, decimals)`: `rint(x·10^d)/10^d`, ties to even.
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round_ties_even() / scale
}

/// BoARIO's productive capital of an industry: [`CAPITAL_TO_VALUE_ADDED`] times its value
/// added, output less intermediate inputs, in table units a year (0 where negative).
pub fn productive_capital(net: &Network, n: NodeId) -> f64 {
    let inputs: f64 = net.in_edges(n).map(|e| e.flow).sum();
    CAPITAL_TO_VALUE_ADDED * (net.output(n) - inputs).max(0.0)
}
