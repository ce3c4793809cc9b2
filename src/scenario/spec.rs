//! Every numeric field of a scenario, by path: one traversal serves validation (domains),
//! sampling (a realization filled in place) and the keys of the random streams
//! (docs/model.md §3.1, §6.1).

use std::fmt;

use super::{Param, Realization, Scenario};
use crate::error::{Error, Result};

/// A scenario whose numbers may be uncertain: what files and notebooks hold.
pub type ScenarioSpec = Scenario<Param>;

/// Where a numeric field sits in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldPath {
    /// `horizon`.
    Horizon,
    /// `restrictions[i].severity`.
    Severity(usize),
    /// `restrictions[i].leakage`.
    Leakage(usize),
    /// `restrictions[i].processing_leakage`.
    ProcessingLeakage(usize),
    /// `capacity_losses[i].share`.
    CapacityLoss(usize),
    /// `demand_shifts[i].change`.
    DemandShift(usize),
    /// `mitigation.stock_release_share`.
    StockReleaseShare,
    /// `mitigation.release_rate`.
    ReleaseRate,
    /// `mitigation.substitution`.
    Substitution,
    /// `mitigation.deferrable`.
    Deferrable,
    /// `mitigation.substitutable`.
    Substitutable,
    /// `perturbation.headroom`.
    Headroom,
    /// `perturbation.stocks`.
    Stocks,
    /// `perturbation.recipes[i].multiplier`.
    RecipeMultiplier(usize),
    /// `perturbation.variant`.
    Variant,
    /// `start`.
    Start,
    /// `capacity_additions[i].capacity`.
    AddedCapacity(usize),
    /// `capacity_additions[i].from`.
    AddedFrom(usize),
    /// `adaptation.thrifting[i].reduction`.
    ThriftReduction(usize),
    /// `adaptation.substitution_groups[i].ratio`.
    SwitchRatio(usize),
    /// `adaptation.substitution_groups[i].limit`.
    SwitchLimit(usize),
    /// `market.leakage_elasticity`.
    MarketLeakage,
    /// `market.products[i].demand_short`.
    DemandShort(usize),
    /// `market.products[i].demand_long`.
    DemandLong(usize),
    /// `market.products[i].lag`.
    MarketLag(usize),
    /// `market.products[i].supply`.
    SupplyElasticity(usize),
    /// `market.products[i].max_fall`.
    MaxFall(usize),
    /// `market.products[i].release_at`.
    ReleaseAt(usize),
    /// `restrictions[i].timing`.
    Timing(usize),
    /// `transport_lag_days`.
    TransportLag,
    /// `firms.cover_scale`.
    FirmCover,
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Horizon => write!(f, "horizon"),
            Self::Severity(i) => write!(f, "restrictions[{i}].severity"),
            Self::Leakage(i) => write!(f, "restrictions[{i}].leakage"),
            Self::ProcessingLeakage(i) => write!(f, "restrictions[{i}].processing_leakage"),
            Self::CapacityLoss(i) => write!(f, "capacity_losses[{i}].share"),
            Self::DemandShift(i) => write!(f, "demand_shifts[{i}].change"),
            Self::StockReleaseShare => write!(f, "mitigation.stock_release_share"),
            Self::ReleaseRate => write!(f, "mitigation.release_rate"),
            Self::Substitution => write!(f, "mitigation.substitution"),
            Self::Deferrable => write!(f, "mitigation.deferrable"),
            Self::Substitutable => write!(f, "mitigation.substitutable"),
            Self::Headroom => write!(f, "perturbation.headroom"),
            Self::Stocks => write!(f, "perturbation.stocks"),
            Self::RecipeMultiplier(i) => write!(f, "perturbation.recipes[{i}].multiplier"),
            Self::Variant => write!(f, "perturbation.variant"),
            Self::Start => write!(f, "start"),
            Self::AddedCapacity(i) => write!(f, "capacity_additions[{i}].capacity"),
            Self::AddedFrom(i) => write!(f, "capacity_additions[{i}].from"),
            Self::ThriftReduction(i) => write!(f, "adaptation.thrifting[{i}].reduction"),
            Self::SwitchRatio(i) => write!(f, "adaptation.substitution_groups[{i}].ratio"),
            Self::SwitchLimit(i) => write!(f, "adaptation.substitution_groups[{i}].limit"),
            Self::MarketLeakage => write!(f, "market.leakage_elasticity"),
            Self::DemandShort(i) => write!(f, "market.products[{i}].demand_short"),
            Self::DemandLong(i) => write!(f, "market.products[{i}].demand_long"),
            Self::MarketLag(i) => write!(f, "market.products[{i}].lag"),
            Self::SupplyElasticity(i) => write!(f, "market.products[{i}].supply"),
            Self::MaxFall(i) => write!(f, "market.products[{i}].max_fall"),
            Self::ReleaseAt(i) => write!(f, "market.products[{i}].release_at"),
            Self::Timing(i) => write!(f, "restrictions[{i}].timing"),
            Self::TransportLag => write!(f, "transport_lag_days"),
            Self::FirmCover => write!(f, "firms.cover_scale"),
        }
    }
}

/// The longest horizon, start or date a scenario may give, years.
pub const MAX_YEARS: f64 = 1e3;

/// The largest multiplier (headroom, stocks, recipes, a demand change) or variant index.
pub const MAX_MULTIPLIER: f64 = 1e6;

/// The largest quantity a year (a release rate, an added capacity), product units.
pub const MAX_QUANTITY: f64 = 1e15;

/// Largest elasticity of the market step (docs/model.md §7.1).
pub const MAX_ELASTICITY: f64 = 20.0;

/// Largest multiplier on a profile's times (`restrictions[i].timing`).
pub const MAX_TIMING: f64 = 100.0;

/// The longest transport lag a scenario may draw, days.
pub const MAX_LAG_DAYS: f64 = 365.0;

/// Largest choke price of the market step, relative to baseline.
pub const MAX_CHOKE: f64 = 1e6;

impl FieldPath {
    /// The field's domain `(low, high, low_open)`: values must lie in `[low, high]`, or in
    /// `(low, high]` when `low_open`.
    pub fn domain(self) -> (f64, f64, bool) {
        // Upper ends keep every quantity of a run finite and every shortfall within its
        // baseline (docs/model.md §3.1): times within a thousand years, multipliers within
        // a million.
        match self {
            Self::Horizon => (0.0, MAX_YEARS, true),
            Self::Start | Self::AddedFrom(_) => (0.0, MAX_YEARS, false),
            Self::DemandShift(_) => (-1.0, MAX_MULTIPLIER, false),
            Self::Headroom | Self::Stocks | Self::Variant => (0.0, MAX_MULTIPLIER, false),
            Self::RecipeMultiplier(_) | Self::SwitchRatio(_) => (0.0, MAX_MULTIPLIER, true),
            Self::ReleaseRate | Self::AddedCapacity(_) => (0.0, MAX_QUANTITY, false),
            Self::MarketLeakage
            | Self::DemandShort(_)
            | Self::DemandLong(_)
            | Self::SupplyElasticity(_) => (0.0, MAX_ELASTICITY, false),
            Self::MarketLag(_) => (0.0, MAX_YEARS, true),
            Self::ReleaseAt(_) => (0.0, MAX_CHOKE, false),
            Self::Timing(_) => (0.0, MAX_TIMING, true),
            Self::TransportLag => (0.0, MAX_LAG_DAYS, false),
            Self::FirmCover => (0.0, MAX_TIMING, true),
            _ => (0.0, 1.0, false),
        }
    }

    /// A stable 64-bit key of the path (FNV-1a of its text): the parameter's random
    /// stream is derived from it, so adding a parameter leaves the others' draws alone.
    pub fn key(self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.to_string().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    }

    fn contains(self, v: f64) -> bool {
        let (low, high, open) = self.domain();
        v <= high && if open { v > low } else { v >= low } && !v.is_nan()
    }

    fn domain_text(self) -> String {
        let (low, high, open) = self.domain();
        let high = if high >= 1e4 {
            format!("{high:e}")
        } else {
            high.to_string()
        };
        format!("{}{low}, {high}]", if open { "(" } else { "[" })
    }
}

/// Visits every numeric field of a scenario in a fixed order (the order is part of the
/// value-stability promise: see `tests/value_stability.rs`).
macro_rules! each_field {
    ($scenario:expr, $f:expr, $iter:ident, $($m:tt)*) => {{
        let s = $scenario;
        let f = $f;
        f(FieldPath::Horizon, & $($m)* s.horizon);
        for (i, r) in s.restrictions.$iter().enumerate() {
            f(FieldPath::Severity(i), & $($m)* r.severity);
            f(FieldPath::Leakage(i), & $($m)* r.leakage);
            f(FieldPath::ProcessingLeakage(i), & $($m)* r.processing_leakage);
        }
        for (i, c) in s.capacity_losses.$iter().enumerate() {
            f(FieldPath::CapacityLoss(i), & $($m)* c.share);
        }
        for (i, d) in s.demand_shifts.$iter().enumerate() {
            f(FieldPath::DemandShift(i), & $($m)* d.change);
        }
        let m = & $($m)* s.mitigation;
        f(FieldPath::StockReleaseShare, & $($m)* m.stock_release_share);
        if let Some(rate) = & $($m)* m.release_rate {
            f(FieldPath::ReleaseRate, rate);
        }
        f(FieldPath::Substitution, & $($m)* m.substitution);
        f(FieldPath::Deferrable, & $($m)* m.deferrable);
        f(FieldPath::Substitutable, & $($m)* m.substitutable);
        if let Some(h) = & $($m)* s.perturbation.headroom {
            f(FieldPath::Headroom, h);
        }
        if let Some(h) = & $($m)* s.perturbation.stocks {
            f(FieldPath::Stocks, h);
        }
        for (i, r) in s.perturbation.recipes.$iter().enumerate() {
            f(FieldPath::RecipeMultiplier(i), & $($m)* r.multiplier);
        }
        if let Some(v) = & $($m)* s.perturbation.variant {
            f(FieldPath::Variant, v);
        }
        // Appended last: fields added later must not move earlier ones (Sobol' dimensions).
        if let Some(v) = & $($m)* s.start {
            f(FieldPath::Start, v);
        }
        for (i, c) in s.capacity_additions.$iter().enumerate() {
            f(FieldPath::AddedCapacity(i), & $($m)* c.capacity);
            f(FieldPath::AddedFrom(i), & $($m)* c.from);
        }
        for (i, t) in s.adaptation.thrifting.$iter().enumerate() {
            f(FieldPath::ThriftReduction(i), & $($m)* t.reduction);
        }
        for (i, g) in s.adaptation.substitution_groups.$iter().enumerate() {
            f(FieldPath::SwitchRatio(i), & $($m)* g.ratio);
            f(FieldPath::SwitchLimit(i), & $($m)* g.limit);
        }
        if let Some(market) = & $($m)* s.market {
            f(FieldPath::MarketLeakage, & $($m)* market.leakage_elasticity);
            for (i, p) in market.products.$iter().enumerate() {
                f(FieldPath::DemandShort(i), & $($m)* p.demand_short);
                f(FieldPath::DemandLong(i), & $($m)* p.demand_long);
                f(FieldPath::MarketLag(i), & $($m)* p.lag);
                f(FieldPath::SupplyElasticity(i), & $($m)* p.supply);
                f(FieldPath::MaxFall(i), & $($m)* p.max_fall);
                f(FieldPath::ReleaseAt(i), & $($m)* p.release_at);
            }
        }
        for (i, r) in s.restrictions.$iter().enumerate() {
            if let Some(v) = & $($m)* r.timing {
                f(FieldPath::Timing(i), v);
            }
        }
        if let Some(v) = & $($m)* s.transport_lag_days {
            f(FieldPath::TransportLag, v);
        }
        if let Some(firms) = & $($m)* s.firms {
            f(FieldPath::FirmCover, & $($m)* firms.cover_scale);
        }
    }};
}

impl<P> Scenario<P> {
    /// Calls `f` on every numeric field with its path, in the fixed order.
    pub fn for_each_field(&self, mut f: impl FnMut(FieldPath, &P)) {
        each_field!(self, &mut f, iter,);
    }

    /// Calls `f` on every numeric field, mutably, in the same order.
    pub fn for_each_field_mut(&mut self, mut f: impl FnMut(FieldPath, &mut P)) {
        each_field!(self, &mut f, iter_mut, mut);
    }

    /// The first time profile or content threshold outside its domain, as an error
    /// naming its field.
    fn ramp_error(&self) -> Option<Error> {
        for (i, r) in self.restrictions.iter().enumerate() {
            if let Some(t) = r.content.as_ref().map(|c| c.threshold) {
                if !(t.is_finite() && t >= 0.0) {
                    return Some(invalid(
                        format!("restrictions[{i}].content.threshold"),
                        format!("{t} must be a non-negative share"),
                    ));
                }
            }
            for (name, ramp) in [
                ("severity_ramp", r.severity_ramp),
                ("leakage_ramp", r.leakage_ramp),
            ] {
                if let Some(reason) = ramp.and_then(|x| x.problem()) {
                    return Some(invalid(format!("restrictions[{i}].{name}"), reason));
                }
            }
        }
        // Adaptation does not reverse: its profiles never fall (docs/model.md §3.4).
        let rising = |r: &super::Ramp| {
            r.problem().or_else(|| {
                let falls = r.to < r.from || r.then.is_some_and(|p| p.to < r.to);
                falls.then(|| {
                    format!(
                        "from = {}, to = {}{}: adaptation does not reverse, its profile \
                         must not fall",
                        r.from,
                        r.to,
                        r.then
                            .map_or(String::new(), |p| format!(", then.to = {}", p.to))
                    )
                })
            })
        };
        let adaptation = &self.adaptation;
        let thrift = adaptation.thrifting.iter().enumerate().find_map(|(i, t)| {
            let reason = t.ramp.as_ref().and_then(rising)?;
            Some(invalid(format!("adaptation.thrifting[{i}].ramp"), reason))
        });
        let groups = || {
            let groups = adaptation.substitution_groups.iter().enumerate();
            groups.clone().find_map(|(i, g)| {
                let reason = g.limit_ramp.as_ref().and_then(rising)?;
                let path = format!("adaptation.substitution_groups[{i}].limit_ramp");
                Some(invalid(path, reason))
            })
        };
        let ramp = self.mitigation.substitution_ramp;
        let reason = ramp.and_then(|x| x.problem());
        reason
            .map(|r| invalid("mitigation.substitution_ramp".into(), r))
            .or(thrift)
            .or_else(groups)
    }

    /// The same scenario with every number mapped by `f`.
    pub fn map_fields<Q: Clone + Default>(
        &self,
        mut f: impl FnMut(FieldPath, &P) -> Q,
    ) -> Scenario<Q>
    where
        P: Clone,
    {
        let mut out = Scenario {
            name: self.name.clone(),
            horizon: Q::default(),
            start: self.start.as_ref().map(|_| Q::default()),
            transport_lag_days: self.transport_lag_days.as_ref().map(|_| Q::default()),
            firms: self.firms.as_ref().map(|f| f.with_scale(Q::default())),
            run_length: self.run_length,
            restrictions: self
                .restrictions
                .iter()
                .map(|r| super::Restriction {
                    exporters: r.exporters.clone(),
                    products: r.products.clone(),
                    targets: r.targets.clone(),
                    severity: Q::default(),
                    leakage: Q::default(),
                    disposal: r.disposal,
                    processing_leakage: Q::default(),
                    transit: r.transit,
                    severity_ramp: r.severity_ramp,
                    leakage_ramp: r.leakage_ramp,
                    content: r.content.clone(),
                    timing: r.timing.as_ref().map(|_| Q::default()),
                })
                .collect(),
            capacity_losses: self
                .capacity_losses
                .iter()
                .map(|c| super::CapacityLoss {
                    region: c.region.clone(),
                    product: c.product.clone(),
                    item: c.item,
                    share: Q::default(),
                })
                .collect(),
            capacity_additions: self
                .capacity_additions
                .iter()
                .map(|c| super::CapacityAddition {
                    region: c.region.clone(),
                    product: c.product.clone(),
                    capacity: Q::default(),
                    from: Q::default(),
                })
                .collect(),
            demand_shifts: self
                .demand_shifts
                .iter()
                .map(|d| super::DemandShift {
                    region: d.region.clone(),
                    product: d.product.clone(),
                    change: Q::default(),
                })
                .collect(),
            demand_paths: self.demand_paths.clone(),
            boario_events: self.boario_events.clone(),
            mitigation: super::Mitigation {
                release_rate: self.mitigation.release_rate.as_ref().map(|_| Q::default()),
                substitution_ramp: self.mitigation.substitution_ramp,
                allocation: self.mitigation.allocation.clone(),
                rationing: self.mitigation.rationing,
                ..super::Mitigation::default()
            },
            perturbation: super::Perturbation {
                headroom: self.perturbation.headroom.as_ref().map(|_| Q::default()),
                stocks: self.perturbation.stocks.as_ref().map(|_| Q::default()),
                recipes: self
                    .perturbation
                    .recipes
                    .iter()
                    .map(|r| super::RecipeScale {
                        product: r.product.clone(),
                        multiplier: Q::default(),
                    })
                    .collect(),
                variant: self.perturbation.variant.as_ref().map(|_| Q::default()),
            },
            prices: self.prices.clone(),
            adaptation: super::Adaptation {
                thrifting: self
                    .adaptation
                    .thrifting
                    .iter()
                    .map(|t| super::Thrift {
                        product: t.product.clone(),
                        input: t.input.clone(),
                        regions: t.regions.clone(),
                        reduction: Q::default(),
                        ramp: t.ramp,
                    })
                    .collect(),
                substitution_groups: self
                    .adaptation
                    .substitution_groups
                    .iter()
                    .map(|g| super::SubstitutionGroup {
                        product: g.product.clone(),
                        regions: g.regions.clone(),
                        input: g.input.clone(),
                        substitute: g.substitute.clone(),
                        ratio: Q::default(),
                        limit: Q::default(),
                        limit_ramp: g.limit_ramp,
                    })
                    .collect(),
            },
            final_goods: self.final_goods.clone(),
            market: self.market.as_ref().map(|m| super::Market {
                passes: m.passes,
                floor: m.floor,
                choke: m.choke,
                leakage_elasticity: Q::default(),
                adjust_days: m.adjust_days,
                precaution: m.precaution.clone(),
                products: (m.products.iter())
                    .map(|p| super::MarketProduct {
                        product: p.product.clone(),
                        demand_short: Q::default(),
                        demand_long: Q::default(),
                        lag: Q::default(),
                        supply: Q::default(),
                        max_fall: Q::default(),
                        release_at: Q::default(),
                    })
                    .collect(),
            }),
        };
        let mut values = Vec::new();
        self.for_each_field(|path, p| values.push(f(path, p)));
        let mut it = values.into_iter();
        out.for_each_field_mut(|_, q| {
            if let Some(v) = it.next() {
                *q = v;
            }
        });
        out
    }
}

fn invalid(field: String, reason: String) -> Error {
    Error::field("scenario", field, reason)
}

impl Realization {
    /// Checks every numeric field against its domain (docs/model.md §3.1).
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming the field path (`restrictions[0].severity`).
    pub fn validate(&self) -> Result<()> {
        let mut first = None;
        self.for_each_field(|path, &v| {
            if first.is_none() && !(path.contains(v) && v.is_finite()) {
                first = Some(invalid(
                    path.to_string(),
                    format!("{v} is outside its domain {}", path.domain_text()),
                ));
            }
        });
        if let Some(e) = first.or_else(|| self.ramp_error()) {
            return Err(e);
        }
        if let Some((field, reason)) = self.firms.as_ref().and_then(|f| f.problem()) {
            return Err(invalid(format!("firms.{field}"), reason));
        }
        for (i, d) in self.demand_paths.iter().enumerate() {
            if let Some((field, reason)) = d.problem() {
                return Err(invalid(format!("demand_paths[{i}].{field}"), reason));
            }
        }
        if let Some(years) = self.run_length {
            if !(years.is_finite() && years > 0.0 && years <= MAX_YEARS) {
                return Err(invalid(
                    "run_length".into(),
                    format!("{years} must be a positive number of years, at most {MAX_YEARS}"),
                ));
            }
        }
        for (i, r) in self.restrictions.iter().enumerate() {
            let empty = [
                ("exporters", r.exporters.is_empty()),
                ("products", r.products.is_empty()),
                (
                    "targets",
                    matches!(&r.targets, super::Targets::List(l) if l.is_empty()),
                ),
            ];
            if let Some((field, _)) = empty.iter().find(|(_, e)| *e) {
                return Err(invalid(
                    format!("restrictions[{i}].{field}"),
                    "an empty list: a restriction names at least one".into(),
                ));
            }
        }
        let m = &self.mitigation;
        if m.deferrable + m.substitutable > 1.0 {
            return Err(invalid(
                "mitigation.deferrable + mitigation.substitutable".into(),
                format!("{} exceeds 1", m.deferrable + m.substitutable),
            ));
        }
        for (field, map) in [("prices", &self.prices), ("final_goods", &self.final_goods)] {
            for (p, price) in map {
                if !(price.is_finite() && *price >= 0.0 && *price <= MAX_QUANTITY) {
                    return Err(invalid(
                        format!("{field}.{p}"),
                        format!("{price} must lie in [0, {MAX_QUANTITY:e}]"),
                    ));
                }
            }
        }
        if let Some(market) = &self.market {
            market_structure(market)?;
        }
        Ok(())
    }
}

/// The longest price adjustment time, days (ten years).
const MAX_ADJUST_DAYS: f64 = 3650.0;

/// The market step's fixed numbers and product list (docs/model.md §7.1, §7.5).
fn market_structure<P>(m: &super::Market<P>) -> Result<()> {
    if !(1..=20).contains(&m.passes) {
        return Err(invalid(
            "market.passes".into(),
            format!("{} must lie in 1..=20", m.passes),
        ));
    }
    if !(m.floor > 0.0 && m.floor <= 1.0) {
        return Err(invalid(
            "market.floor".into(),
            format!("{} must lie in (0, 1]", m.floor),
        ));
    }
    if !(m.choke >= 1.0 && m.choke <= MAX_CHOKE) {
        return Err(invalid(
            "market.choke".into(),
            format!("{} must lie in [1, {MAX_CHOKE:e}]", m.choke),
        ));
    }
    if let Some(days) = m
        .adjust_days
        .filter(|d| !(0.0..=MAX_ADJUST_DAYS).contains(d))
    {
        return Err(invalid(
            "market.adjust_days".into(),
            format!("{days} must lie in [0, {MAX_ADJUST_DAYS}]"),
        ));
    }
    if let Some(c) = &m.precaution {
        for (field, v, most) in [("days", c.days, 365.0), ("lead", c.lead, 10.0)] {
            if !(0.0..=most).contains(&v) {
                return Err(invalid(
                    format!("market.precaution.{field}"),
                    format!("{v} must lie in [0, {most}]"),
                ));
            }
        }
    }
    for (i, p) in m.products.iter().enumerate() {
        if m.products[..i].iter().any(|q| q.product == p.product) {
            return Err(invalid(
                format!("market.products[{i}].product"),
                format!("`{}` is listed twice", p.product),
            ));
        }
    }
    Ok(())
}

/// An uncertain field, ready to sample: its path, stream key and distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSlot {
    /// Where it sits.
    pub path: FieldPath,
    /// Its stream key ([`FieldPath::key`]).
    pub key: u64,
    /// Its distribution (empirical values sorted).
    pub param: Param,
}

impl ScenarioSpec {
    /// Checks every distribution's parameters and that its support fits its field's
    /// domain (a normal on a share is refused), and that the scenario at its medians is a
    /// valid realization. Returns the uncertain fields in traversal order.
    ///
    /// ```
    /// use shortfall::scenario::{Dist, Param, ScenarioSpec};
    /// let mut spec = ScenarioSpec { horizon: Param::Fixed(0.25), ..ScenarioSpec::default() };
    /// spec.mitigation.substitution = Param::Dist(Dist::Normal { mean: 0.5, sd: 0.1 });
    /// let err = spec.validate().unwrap_err().to_string();
    /// assert!(err.contains("mitigation.substitution") && err.contains("beta"), "{err}");
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidField`] with the path, down to the distribution's parameter
    /// (`restrictions[0].severity.beta.alpha`).
    pub fn validate(&self) -> Result<Vec<ParamSlot>> {
        let mut slots = Vec::new();
        let mut first: Option<Error> = None;
        self.for_each_field(|path, p| {
            if first.is_some() {
                return;
            }
            match p {
                Param::Fixed(v) => {
                    if !(v.is_finite() && path.contains(*v)) {
                        first = Some(invalid(
                            path.to_string(),
                            format!("{v} is outside its domain {}", path.domain_text()),
                        ));
                    }
                }
                Param::Dist(d) => {
                    if let Err((name, reason)) = d.check() {
                        first = Some(invalid(format!("{path}.{}.{name}", d.name()), reason));
                        return;
                    }
                    // Every draw lies between the quantiles at the clamped ends of (0, 1).
                    let (lo, hi) = (d.quantile(0.0), d.quantile(1.0));
                    let (dlo, dhi, open) = path.domain();
                    if !(lo >= dlo && hi <= dhi && !(open && lo <= dlo)) {
                        first = Some(invalid(
                            path.to_string(),
                            format!(
                                "the draws of {} range over [{lo}, {hi}], beyond the domain {} \
                                 of the field; use beta, pert, triangular, uniform or \
                                 truncated_normal within it",
                                d.name(),
                                path.domain_text()
                            ),
                        ));
                        return;
                    }
                    let mut param = p.clone();
                    if let Param::Dist(super::Dist::Empirical { values }) = &mut param {
                        values.sort_by(f64::total_cmp);
                    }
                    slots.push(ParamSlot {
                        path,
                        key: path.key(),
                        param,
                    });
                }
            }
        });
        if let Some(e) = first {
            return Err(e);
        }
        self.median().validate()?;
        // Constraints between fields (deferrable + substitutable <= 1) hold in every draw
        // only if they hold with every field at the top of its range.
        self.map_fields(|_, p| p.quantile(1.0))
            .validate()
            .map_err(|e| match e {
                Error::InvalidField { field, reason, .. } => invalid(
                    field,
                    format!("{reason} in a draw with every field at the top of its range"),
                ),
                other => other,
            })?;
        Ok(slots)
    }

    /// The realization at every parameter's median (fixed values as they are).
    pub fn median(&self) -> Realization {
        self.map_fields(|_, p| p.quantile(0.5))
    }
}
