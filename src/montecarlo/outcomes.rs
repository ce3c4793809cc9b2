//! The outcomes a Monte Carlo run keeps per draw: a measure of a region's or bloc's
//! shortfall of one product over the run (any engine, through the `Shortfalls` view), or in
//! time (the dynamic engine, through the `Timing` view): the shortfall in each step (a fan
//! chart's bands) and the step at which an event happens (censored: it may not happen
//! within the run).

use serde::{Deserialize, Serialize};

use crate::engine::{Event, Shortfalls, Timing, Use};
use crate::error::{Error, Result};
use crate::network::{Network, ProductId, RegionId};
use crate::scenario::{ScenarioSpec, Targets};

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Absorption shortfall over the run, product units.
    Absorption,
    /// Final-use shortfall over the run, product units.
    FinalUse,
    /// Absorption shortfall as a share of the annual baseline.
    AbsorptionShare,
    /// Final-use shortfall as a share of the annual baseline.
    FinalShare,
    /// In time: the absorption shortfall in each step, product units, one outcome per step
    /// (the bands of a fan chart).
    AbsorptionPerStep,
    /// In time: the absorption shortfall in each step as a share of the baseline per step,
    /// one outcome per step.
    AbsorptionSharePerStep,
    /// In time, censored: the first step at which a producer of a member is
    /// input-constrained on the product (inventory below `ψ` of its target, output cut);
    /// the earliest member. Files may still call it `run_out`.
    #[serde(alias = "run_out")]
    InputConstrained,
    /// In time, censored: the first step at which a producer of a member has emptied its
    /// inventory of the product (below 1% of its target); the earliest member.
    InventoryEmpty,
    /// In time, censored: the first step at which a member's stockpile of the product
    /// stands at its floor; the earliest member.
    StockOut,
    /// In time, censored: after a shortfall of at least 1% of baseline, the first step
    /// from which the region's shortfall stays below 1% for four steps (one region).
    Recovery,
    /// In time, censored: the first step at which a firm of a member holding
    /// `cover_days` of the product stops; the earliest member.
    FirstStoppage,
    /// In time, censored: the first step by which firms holding `firm_share` (absent:
    /// 0.05, the 5th-percentile firm) of a member's use of the product have stopped; the
    /// earliest member. Needs the scenario's `firms` (docs/model.md §5.5).
    FirmStoppage,
    /// In time: the share of the members' use of the product in firms that stop within
    /// the run (weighted by their baseline use). Needs the scenario's `firms`.
    FirmsStopped,
}

/// Steps below 1% of baseline that count as recovery (docs/model.md §5.5).
pub const RECOVERED_FOR: usize = 4;

impl Measure {
    /// Whether the measure needs a run in time steps.
    pub fn in_time(self) -> bool {
        !matches!(
            self,
            Measure::Absorption
                | Measure::FinalUse
                | Measure::AbsorptionShare
                | Measure::FinalShare
        )
    }

    /// Whether its values are the step of an event that may not happen (censored).
    pub fn is_event(self) -> bool {
        self.in_time()
            && !matches!(
                self,
                Measure::AbsorptionPerStep
                    | Measure::AbsorptionSharePerStep
                    | Measure::FirmsStopped
            )
    }
}

/// One outcome: a measure of the shortfall of a product for a region or a bloc (summed over
/// members within the draw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    /// The measure.
    pub measure: Measure,
    /// The regions, summed per draw: a bloc name, a list, or everyone but a list.
    pub regions: Targets,
    /// The product.
    pub product: String,
    /// Days of cover of the firm whose first stoppage is measured (`first_stoppage` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_days: Option<f64>,
    /// The share of a region's use in firms that must have stopped (`firm_stoppage` only;
    /// absent: 0.05).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm_share: Option<f64>,
}

/// The share of a region's use whose firms' stoppage [`Measure::FirmStoppage`] reports by
/// default: the 5th-percentile firm.
pub const FIRM_SHARE: f64 = 0.05;

/// An outcome resolved against a network.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub name: String,
    pub unit: String,
    measure: Measure,
    members: Vec<RegionId>,
    product: ProductId,
    /// The step of a per-step outcome.
    step: usize,
    /// The event of a censored outcome.
    event: Option<Event>,
}

impl Resolved {
    /// Whether its values are event steps (censored).
    pub fn is_event(&self) -> bool {
        self.event.is_some()
    }
}

impl OutcomeSpec {
    /// An outcome without a cover.
    pub fn new(measure: Measure, regions: Targets, product: impl Into<String>) -> Self {
        Self {
            measure,
            regions,
            product: product.into(),
            cover_days: None,
            firm_share: None,
        }
    }

    /// The outcome resolved against `net`: one entry, or one per step of `timing` for a
    /// per-step measure. A measure in time without `timing` (the static cascade) is
    /// refused by name.
    fn resolve(
        &self,
        net: &Network,
        i: usize,
        timing: Option<&dyn Timing>,
    ) -> Result<Vec<Resolved>> {
        let err = |field: &str, reason: String| {
            Error::field(
                "settings",
                format!("monte_carlo.outcomes[{i}].{field}"),
                reason,
            )
        };
        let product = net
            .product_id(&self.product)
            .ok_or_else(|| err("product", net.unknown_product(&self.product)))?;
        let members = self
            .regions
            .resolve(net, &format!("monte_carlo.outcomes[{i}].regions"))?;
        let label = self.regions.label();
        let unit_of_product = net.product(product).unit.clone();
        if self.measure.in_time() && timing.is_none() {
            return Err(err(
                "measure",
                format!(
                    "`{}` is measured in time: run it through the dynamic engine \
                     (`EngineChoice::Dynamic`, `run_scenario --engine dynamic`)",
                    serde_json::to_value(self.measure)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                ),
            ));
        }
        match (self.measure, self.cover_days) {
            (Measure::FirstStoppage, None) => {
                return Err(err(
                    "cover_days",
                    "a first stoppage needs the firm's days of cover".into(),
                ))
            }
            (Measure::FirstStoppage, Some(c)) if !(c.is_finite() && c > 0.0) => {
                return Err(err(
                    "cover_days",
                    format!("{c} is not a positive number of days"),
                ))
            }
            (Measure::FirstStoppage, Some(_)) => {}
            (_, Some(_)) => {
                return Err(err(
                    "cover_days",
                    "only a first stoppage has a cover (measure = \"first_stoppage\")".into(),
                ))
            }
            (_, None) => {}
        }
        if matches!(self.measure, Measure::FirmStoppage | Measure::FirmsStopped) {
            let firms = timing.and_then(|t| t.firms_product());
            if firms != Some(self.product.as_str()) {
                return Err(err(
                    "measure",
                    format!(
                        "firms' stoppages need the scenario's `firms` for `{}` (it has {}; \
                         docs/model.md §5.5)",
                        self.product,
                        firms.map_or("none".into(), |p| format!("firms for `{p}`"))
                    ),
                ));
            }
        }
        match (self.measure, self.firm_share) {
            (Measure::FirmStoppage, Some(q)) if !(q > 0.0 && q <= 1.0) => {
                return Err(err("firm_share", format!("{q} is outside (0, 1]")))
            }
            (Measure::FirmStoppage, _) | (_, None) => {}
            (_, Some(_)) => {
                return Err(err(
                    "firm_share",
                    "only a firm stoppage has a share (measure = \"firm_stoppage\")".into(),
                ))
            }
        }
        if self.measure == Measure::Recovery && members.len() > 1 {
            return Err(err(
                "regions",
                format!(
                    "recovery is measured region by region, and `{label}` names {}",
                    members.len()
                ),
            ));
        }
        let step = match timing {
            Some(t) => format!("step of {}", crate::numbers::days(t.step_days())),
            None => String::new(),
        };
        let one = |what: String, unit: String, event: Option<Event>| Resolved {
            name: format!("{label} {} {what}", self.product),
            unit,
            measure: self.measure,
            members: members.clone(),
            product,
            step: 0,
            event,
        };
        Ok(match self.measure {
            Measure::Absorption => vec![one("absorption shortfall".into(), unit_of_product, None)],
            Measure::FinalUse => vec![one("final-use shortfall".into(), unit_of_product, None)],
            Measure::AbsorptionShare => vec![one(
                "absorption shortfall".into(),
                "share of annual use".into(),
                None,
            )],
            Measure::FinalShare => vec![one(
                "final-use shortfall".into(),
                "share of annual final use".into(),
                None,
            )],
            Measure::AbsorptionPerStep | Measure::AbsorptionSharePerStep => {
                let steps = timing.map_or(0, |t| t.steps());
                let unit = if self.measure == Measure::AbsorptionPerStep {
                    unit_of_product
                } else {
                    "share of use per step".into()
                };
                (0..steps)
                    .map(|t| Resolved {
                        step: t,
                        ..one(
                            format!("absorption shortfall in step {t}"),
                            unit.clone(),
                            None,
                        )
                    })
                    .collect()
            }
            Measure::InputConstrained => vec![one(
                "input-constrained".into(),
                step,
                Some(Event::InputConstrained),
            )],
            Measure::InventoryEmpty => {
                vec![one("inventory empty".into(), step, Some(Event::Empty))]
            }
            Measure::StockOut => vec![one("stockpile out".into(), step, Some(Event::StockOut))],
            Measure::Recovery => vec![one(
                "recovers".into(),
                step,
                Some(Event::Recovery(RECOVERED_FOR)),
            )],
            Measure::FirmStoppage => {
                let q = self.firm_share.unwrap_or(FIRM_SHARE);
                vec![one(
                    format!(
                        "firms with {}% of use stopped",
                        crate::numbers::number(q * 100.0)
                    ),
                    step,
                    Some(Event::FirmStoppage(q)),
                )]
            }
            Measure::FirmsStopped => vec![one(
                "share of use in firms that stop".into(),
                "share".into(),
                None,
            )],
            Measure::FirstStoppage => {
                let cover = self.cover_days.unwrap_or(f64::NAN);
                vec![one(
                    format!(
                        "first stoppage ({} days of cover)",
                        crate::numbers::number(cover)
                    ),
                    step,
                    Some(Event::FirstStoppage(cover)),
                )]
            }
        })
    }

    /// The default outcomes of a scenario: for the first restriction's targets as one bloc,
    /// the absorption share of every restricted product and the final-use share of every
    /// product with a real final use in one of the targets.
    pub fn defaults(net: &Network, spec: &ScenarioSpec) -> Vec<OutcomeSpec> {
        let Some(first) = spec.restrictions.first() else {
            return Vec::new();
        };
        let mut out: Vec<OutcomeSpec> = first
            .products
            .iter()
            .map(|p| OutcomeSpec::new(Measure::AbsorptionShare, first.targets.clone(), p.clone()))
            .collect();
        // Final-use products the targets use (a share of no final use says nothing).
        let targets = first.targets.resolve(net, "restrictions[0].targets").ok();
        let used = |id: &str| {
            let (Some(regions), Some(p)) = (&targets, net.product_id(id)) else {
                return true;
            };
            regions.iter().any(|&r| net.final_use(r, p) > 0.0)
        };
        for p in net.products().iter().filter(|p| p.final_use && used(&p.id)) {
            out.push(OutcomeSpec::new(
                Measure::FinalShare,
                first.targets.clone(),
                p.id.clone(),
            ));
        }
        out
    }
}

/// Every outcome of `specs` resolved against `net`, per-step measures expanded.
pub(crate) fn resolve_all(
    net: &Network,
    specs: &[OutcomeSpec],
    timing: Option<&dyn Timing>,
) -> Result<Vec<Resolved>> {
    let mut out = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        out.extend(s.resolve(net, i, timing)?);
    }
    Ok(out)
}

impl Resolved {
    /// The outcome's value in one run of any engine; an event's step, or NaN when it does
    /// not happen within the run.
    pub fn value(&self, o: &impl Shortfalls) -> f64 {
        if self.measure.in_time() {
            return o.timing().map_or(f64::NAN, |t| self.in_time(t));
        }
        let what = match self.measure {
            Measure::Absorption | Measure::AbsorptionShare => Use::Absorption,
            _ => Use::FinalUse,
        };
        let (mut s, mut b) = (0.0, 0.0);
        for &r in &self.members {
            let a = o.over_run(what, r, self.product);
            s += a.shortfall;
            b += a.baseline;
        }
        match self.measure {
            Measure::Absorption | Measure::FinalUse => s,
            Measure::AbsorptionShare | Measure::FinalShare if b > 0.0 => s / (b / o.years()),
            _ => 0.0,
        }
    }

    fn in_time(&self, t: &dyn Timing) -> f64 {
        if let Some(event) = self.event {
            // The earliest member's event.
            return (self.members.iter())
                .filter_map(|&r| t.first(event, r, self.product))
                .min()
                .map_or(f64::NAN, |step| step as f64);
        }
        if self.measure == Measure::FirmsStopped {
            let (mut s, mut b) = (0.0, 0.0);
            for &r in &self.members {
                let Some(a) = t.firms_stopped(r, self.product) else {
                    continue;
                };
                s += a.shortfall;
                b += a.baseline;
            }
            return if b > 0.0 { s / b } else { f64::NAN };
        }
        let (mut s, mut b) = (0.0, 0.0);
        for &r in &self.members {
            let a = t.absorption_in(r, self.product, self.step);
            s += a.shortfall;
            b += a.baseline;
        }
        match self.measure {
            Measure::AbsorptionPerStep => s,
            _ if b > 0.0 => s / b,
            _ => 0.0,
        }
    }
}
