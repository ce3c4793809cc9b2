//! Scenarios: export restrictions, capacity losses, demand shifts, mitigation and the
//! horizon (docs/model.md §3).
//!
//! One generic type serves the file and the draw: [`Scenario<P>`], where `P` is a
//! parameter. A [`ScenarioSpec`] (`Scenario<Param>`: each number fixed or a distribution)
//! is what files and notebooks hold; a [`Realization`] (`Scenario<f64>`) holds plain
//! numbers and is what an engine reads.

mod boario_event;
mod calibration;
mod demand_path;
mod firms;
mod profile;
pub mod quantile;
mod spec;
mod uncertain;

pub use spec::{
    FieldPath, ParamSlot, ScenarioSpec, MAX_CHOKE, MAX_ELASTICITY, MAX_LAG_DAYS, MAX_MULTIPLIER,
    MAX_QUANTITY, MAX_TIMING, MAX_YEARS,
};

pub(crate) use boario_event::round_to;
pub use boario_event::{
    productive_capital, BoarioEvent, EventKind, RecoveryFunction, ARBITRARY_DECIMALS,
    CAPITAL_DECIMALS, CAPITAL_TO_VALUE_ADDED,
};
pub use calibration::{SharedFit, MAX_FIT_YEARS};
pub use demand_path::{DemandPath, MAX_PATH_END};
pub use firms::{FirmClass, Firms};
pub use profile::{Phase, Ramp};

pub use uncertain::{Dist, Param};

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::network::{Bloc, Network, NodeKind, RegionId};

use serde::{Deserialize, Serialize};

/// A scenario whose numeric fields are of type `P`.
///
/// ```
/// use shortfall::scenario::{Realization, Restriction, Targets};
/// let s = Realization {
///     horizon: 0.25,
///     restrictions: vec![Restriction::full(["CN"], ["magnet"], Targets::List(vec!["US".into()]))],
///     ..Realization::default()
/// };
/// assert!(s.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de> + Default + From<f64>")
)]
pub struct Scenario<P> {
    /// Name for display.
    #[serde(default)]
    pub name: String,
    /// Duration of the restriction, years (0.25 = a quarter). Flows and capacities over the
    /// horizon are `horizon` times annual; stocks are levels.
    pub horizon: P,
    /// Years from the beginning of a dynamic run to the start of the shocks (the static
    /// engine takes the horizon as one period and has no use for it); absent means 0.
    #[serde(default)]
    pub start: Option<P>,
    /// Days a shipment takes in the dynamic engine's standard mode, drawn per run and
    /// rounded to whole steps (docs/model.md §5.4); absent: the engine's
    /// `transport_lag_days`. The static engine has no use for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_lag_days: Option<P>,
    /// Years a dynamic run lasts (a fixed number; absent: the engine's setting).
    #[serde(default)]
    pub run_length: Option<f64>,
    /// Export restrictions.
    #[serde(default = "Vec::new")]
    pub restrictions: Vec<Restriction<P>>,
    /// Capacity lost at nodes.
    #[serde(default = "Vec::new")]
    pub capacity_losses: Vec<CapacityLoss<P>>,
    /// New capacity coming online at nodes.
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub capacity_additions: Vec<CapacityAddition<P>>,
    /// Changes of final use.
    #[serde(default = "Vec::new")]
    pub demand_shifts: Vec<DemandShift<P>>,
    /// Final demand in time: a multiplier per step (the dynamic engine; docs/model.md
    /// §5.7).
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub demand_paths: Vec<DemandPath>,
    /// Capacity losses written as BoARIO's events, with its timing (the dynamic engine;
    /// docs/model.md §5.12).
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub boario_events: Vec<BoarioEvent>,
    /// Stock release, substitution, allocation and demand response.
    #[serde(default)]
    pub mitigation: Mitigation<P>,
    /// Data uncertainty: multipliers applied without rebuilding the network.
    #[serde(default)]
    pub perturbation: Perturbation<P>,
    /// Prices at baseline (money per unit of product): the values of docs/model.md §7.3
    /// (gross output and value added lost) and of allocation by value (§7.2).
    #[serde(default, deserialize_with = "unique_keys")]
    pub prices: BTreeMap<String, f64>,
    /// How users adapt: thrifting and substitution groups (docs/model.md §3.4).
    #[serde(default, skip_serializing_if = "Adaptation::is_empty")]
    pub adaptation: Adaptation<P>,
    /// Value of the final goods one unit of a product's final use goes into (money per
    /// unit; docs/model.md §7.3): the cars and turbines a shortfall stops.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub final_goods: BTreeMap<String, f64>,
    /// The market step (docs/model.md §7.1): prices that respond to scarcity; absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<Market<P>>,
    /// Firms within regions (docs/model.md §5.5): their spread of cover and sourcing, read
    /// by the dynamic engine's firm stoppages; absent: none. The static engine has no use
    /// for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firms: Option<Firms<P>>,
}

/// The market step (docs/model.md §7.1): per product and market, a price relative to the
/// baseline that moves demand, supply, stock release and leakage.
///
/// ```
/// use shortfall::scenario::{Market, MarketProduct};
/// let market = Market::<f64> {
///     products: vec![MarketProduct { demand_short: 0.2, supply: 0.3, ..MarketProduct::new("magnet") }],
///     ..Market::default()
/// };
/// assert_eq!(market.passes, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de> + Default + From<f64>")
)]
pub struct Market<P> {
    /// Rounds of price adjustment after the first cascade, 1 to 20 (cost: at most
    /// `1 + passes` cascades; a round whose prices move no lever runs none).
    #[serde(default = "default_passes")]
    pub passes: usize,
    /// Lowest price relative to baseline, in (0, 1].
    #[serde(default = "default_floor")]
    pub floor: f64,
    /// Highest price relative to baseline, in [1, 1e6].
    #[serde(default = "default_choke")]
    pub choke: f64,
    /// Elasticity η of leakage to the price gap between the bloc and the origin, [0, 20].
    #[serde(default)]
    pub leakage_elasticity: P,
    /// The dynamic engine's price adjustment time `T`, days, [0, 3650]: each step closes
    /// `1 - exp(-Δt/T)` of the log gap a full tâtonnement step would close (0: all of
    /// it); absent, a quarter of it, the most that settles without cycling when buyers'
    /// orders lag a step (docs/model.md §7.5). The static engine clears over passes and
    /// ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjust_days: Option<f64>,
    /// Precautionary buying (docs/model.md §7.6): absent, none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precaution: Option<Precaution>,
    /// Elasticities per product; a product not listed has all of them 0.
    #[serde(default = "Vec::new")]
    pub products: Vec<MarketProduct<P>>,
}

fn default_passes() -> usize {
    3
}

fn default_floor() -> f64 {
    0.1
}

fn default_choke() -> f64 {
    50.0
}

impl<P: Default> Default for Market<P> {
    fn default() -> Self {
        Self {
            passes: default_passes(),
            floor: default_floor(),
            choke: default_choke(),
            leakage_elasticity: P::default(),
            adjust_days: None,
            precaution: None,
            products: Vec::new(),
        }
    }
}

/// Precautionary buying (docs/model.md §7.6): the bloc's producers hold `days` more days
/// of restricted inputs from an announcement `lead` years before the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Precaution {
    /// Extra days of cover, [0, 365].
    pub days: f64,
    /// Years from the announcement to the start, [0, 10] (0: no time to buy ahead).
    pub lead: f64,
}

/// One product's elasticities in the market step (docs/model.md §7.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de> + Default + From<f64>")
)]
pub struct MarketProduct<P> {
    /// The product.
    pub product: String,
    /// Short-run price elasticity of demand ε_S (a positive number), [0, 20].
    #[serde(default)]
    pub demand_short: P,
    /// Long-run price elasticity of demand ε_L, [0, 20].
    #[serde(default)]
    pub demand_long: P,
    /// Years over which the elasticity moves from short- to long-run, (0, 1000].
    #[serde(default = "one")]
    pub lag: P,
    /// Elasticity of supply of unrestricted producers, [0, 20].
    #[serde(default)]
    pub supply: P,
    /// Most demand can fall by price, a share in [0, 1].
    #[serde(default = "one")]
    pub max_fall: P,
    /// Price ratio at or above which stocks are released (0: always), [0, 1e6].
    #[serde(default)]
    pub release_at: P,
}

fn one<P: From<f64>>() -> P {
    P::from(1.0)
}

impl<P: Default + From<f64>> MarketProduct<P> {
    /// A product with every elasticity 0, `lag` and `max_fall` 1, `release_at` 0.
    pub fn new(product: &str) -> Self {
        Self {
            product: product.into(),
            demand_short: P::default(),
            demand_long: P::default(),
            lag: one(),
            supply: P::default(),
            max_fall: one(),
            release_at: P::default(),
        }
    }
}

impl MarketProduct<f64> {
    /// The demand elasticity `τ` years after the shocks' start, on the linear path from
    /// `demand_short` to `demand_long` over `lag` years (docs/model.md §7.5; `ε_S` before
    /// the start).
    pub fn demand_elasticity_at(&self, tau: f64) -> f64 {
        let (s, l) = (self.demand_short, self.demand_long);
        s + (l - s) * (tau.max(0.0) / self.lag).min(1.0)
    }

    /// The demand elasticity over a horizon of `h` years: the mean of the linear path
    /// from `demand_short` to `demand_long` over `lag` years (docs/model.md §7.1).
    pub fn demand_elasticity(&self, h: f64) -> f64 {
        let (s, l) = (self.demand_short, self.demand_long);
        if h <= self.lag {
            s + (l - s) * h / (2.0 * self.lag)
        } else {
            l - (l - s) * self.lag / (2.0 * h)
        }
    }
}

/// How users adapt to a shortfall from the restriction's onset (docs/model.md §3.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adaptation<P> {
    /// Recipe coefficients that fall over time.
    #[serde(default = "Vec::new")]
    pub thrifting: Vec<Thrift<P>>,
    /// Inputs that users may replace by another product, within a limit.
    #[serde(default = "Vec::new")]
    pub substitution_groups: Vec<SubstitutionGroup<P>>,
}

impl<P> Adaptation<P> {
    /// Whether it asks for no adaptation at all.
    pub fn is_empty(&self) -> bool {
        self.thrifting.is_empty() && self.substitution_groups.is_empty()
    }
}

impl<P> Default for Adaptation<P> {
    fn default() -> Self {
        Self {
            thrifting: Vec::new(),
            substitution_groups: Vec::new(),
        }
    }
}

/// A recipe coefficient that falls from the restriction's onset: the input `input` of the
/// producers of `product` needs `1 - reduction·u(τ)` of its coefficient, `u` the ramp
/// (docs/model.md §3.4).
///
/// ```
/// use shortfall::scenario::{Ramp, Thrift};
/// let over_a_year = Thrift {
///     product: "magnet".into(),
///     input: "oxide".into(),
///     regions: vec![],
///     reduction: 0.4,
///     ramp: Some(Ramp { from: 0.0, to: 1.0, delay: 0.0, over: 1.0, then: None }),
/// };
/// // Half the reduction on average over the first year.
/// assert!((over_a_year.factor(0.0, 1.0) - 0.8).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thrift<P> {
    /// The product whose recipe is thrifted.
    pub product: String,
    /// The input whose coefficient falls.
    pub input: String,
    /// Regions whose producers thrift (empty: all).
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Share of the coefficient removed at full effect, in [0, 1].
    pub reduction: P,
    /// When the reduction takes effect, a multiplier in [0, 1] that never falls (absent:
    /// all of it from the onset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp: Option<Ramp>,
}

impl Thrift<f64> {
    /// The mean coefficient multiplier `θ` over `[a, b]` years after the onset.
    pub fn factor(&self, a: f64, b: f64) -> f64 {
        1.0 - self.reduction * Ramp::mean(self.ramp.as_ref(), None, a, b)
    }
}

/// Producers of `product` that may replace part of their need of `input` by
/// `substitute`, `ratio` tonnes for each tonne, at most the share `limit·u(τ)` of their
/// scheduled need (docs/model.md §3.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubstitutionGroup<P> {
    /// The product whose makers switch.
    pub product: String,
    /// Regions whose producers switch (empty: all).
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The preferred input.
    pub input: String,
    /// The product that replaces it.
    pub substitute: String,
    /// Units of the substitute that replace one unit of the preferred input, > 0.
    pub ratio: P,
    /// Share of the preferred input's scheduled need that may switch at full effect.
    pub limit: P,
    /// When the limit is reached, a multiplier in [0, 1] that never falls (absent: all
    /// of it from the onset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_ramp: Option<Ramp>,
}

impl SubstitutionGroup<f64> {
    /// The mean share of the need that may switch over `[a, b]` years after the onset.
    pub fn limit_mean(&self, a: f64, b: f64) -> f64 {
        self.limit * Ramp::mean(self.limit_ramp.as_ref(), None, a, b)
    }
}

/// Multipliers on the data, applied in the engine's workspace so the network's fixed point
/// is kept (docs/model.md §3.2). Absent means 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Perturbation<P> {
    /// Multiplier `m` on spare headroom of every producer outside the restricting
    /// exporters' restricted nodes: `cap' = x + m (cap - x)`.
    #[serde(default)]
    pub headroom: Option<P>,
    /// Multiplier on every stock.
    #[serde(default)]
    pub stocks: Option<P>,
    /// Multipliers on downstream recipes (kg of magnet per motor): each rescales its
    /// product's output in its own unit and leaves tonnage flows alone.
    #[serde(default = "Vec::new")]
    pub recipes: Vec<RecipeScale<P>>,
    /// Which of the network variants given to the run (structural alternatives built
    /// once before it) a draw uses, by index; absent means the first.
    #[serde(default)]
    pub variant: Option<P>,
}

/// A multiplier `m` on every input coefficient of a product (docs/model.md §3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeScale<P> {
    /// The product whose recipe is scaled.
    pub product: String,
    /// The multiplier, > 0.
    pub multiplier: P,
}

impl Perturbation<f64> {
    /// A node's capacity under the headroom multiplier `m` (§3.2): `x + m·(cap - x)`, or
    /// `cap` without one. Applies to producers outside the restricting exporters'
    /// restricted nodes; the engines decide which.
    pub fn capacity(&self, output: f64, capacity: f64) -> f64 {
        self.headroom
            .map_or(capacity, |m| output + m * (capacity - output))
    }
}

impl<P> Default for Perturbation<P> {
    fn default() -> Self {
        Self {
            headroom: None,
            stocks: None,
            recipes: Vec::new(),
            variant: None,
        }
    }
}

/// A scenario of plain numbers, as an engine reads it.
pub type Realization = Scenario<f64>;

impl<P> Scenario<P> {
    /// The first field where `other`'s structure differs from this scenario's, with what
    /// differs; `None` when only numbers differ. The structure is what an engine resolves
    /// once when it is built: each restriction's exporters, products, targets, disposal,
    /// transit and content rule; the nodes of capacity losses and additions; the final
    /// uses of demand shifts; the products of recipe multipliers; the products, inputs and
    /// regions of adaptation; the allocation rule; the prices; the run length. Allocates only to describe a difference.
    ///
    /// ```
    /// use shortfall::scenario::{Realization, Restriction, Targets};
    /// let one = Realization {
    ///     horizon: 1.0,
    ///     restrictions: vec![Restriction::full(["CN"], ["magnet"], Targets::List(vec!["US".into()]))],
    ///     ..Realization::default()
    /// };
    /// let mut harsher = one.clone();
    /// harsher.restrictions[0].severity = 0.5;
    /// assert_eq!(one.structure_difference(&harsher), None);
    /// let mut other = one.clone();
    /// other.restrictions[0].exporters = vec!["NL".into()];
    /// assert_eq!(other.structure_difference(&one).unwrap().0, "restrictions[0].exporters");
    /// ```
    pub fn structure_difference(&self, other: &Self) -> Option<(String, String)> {
        fn count<T>(field: &str, a: &[T], b: &[T]) -> Option<(String, String)> {
            (a.len() != b.len()).then(|| {
                (
                    field.to_string(),
                    format!("{} entries, built for {}", b.len(), a.len()),
                )
            })
        }
        fn same<T: PartialEq + std::fmt::Debug>(
            field: impl FnOnce() -> String,
            a: &T,
            b: &T,
        ) -> Option<(String, String)> {
            (a != b).then(|| (field(), format!("{b:?}, built for {a:?}")))
        }
        // A list: its length, then each entry's `key` (`field[i]suffix` where it differs).
        fn each<'s, T, K: PartialEq + std::fmt::Debug>(
            field: &str,
            suffix: &str,
            a: &'s [T],
            b: &'s [T],
            key: impl Fn(&'s T) -> K,
        ) -> Option<(String, String)> {
            count(field, a, b).or_else(|| {
                a.iter().zip(b).enumerate().find_map(|(i, (x, y))| {
                    same(|| format!("{field}[{i}]{suffix}"), &key(x), &key(y))
                })
            })
        }
        let (a, b) = (self, other);
        count("restrictions", &a.restrictions, &b.restrictions)
            .or_else(|| {
                a.restrictions
                    .iter()
                    .zip(&b.restrictions)
                    .enumerate()
                    .find_map(|(i, (x, y))| {
                        let at = |f: &'static str| move || format!("restrictions[{i}].{f}");
                        same(at("exporters"), &x.exporters, &y.exporters)
                            .or_else(|| same(at("products"), &x.products, &y.products))
                            .or_else(|| same(at("targets"), &x.targets, &y.targets))
                            .or_else(|| same(at("disposal"), &x.disposal, &y.disposal))
                            .or_else(|| same(at("transit"), &x.transit, &y.transit))
                            .or_else(|| same(at("content"), &x.content, &y.content))
                    })
            })
            .or_else(|| {
                each(
                    "capacity_losses",
                    "",
                    &a.capacity_losses,
                    &b.capacity_losses,
                    |c| (&c.region, &c.product, c.item),
                )
            })
            .or_else(|| {
                let (x, y) = (&a.capacity_additions, &b.capacity_additions);
                each("capacity_additions", "", x, y, |c| (&c.region, &c.product))
            })
            .or_else(|| {
                each(
                    "demand_shifts",
                    "",
                    &a.demand_shifts,
                    &b.demand_shifts,
                    |c| (&c.region, &c.product),
                )
            })
            .or_else(|| same(|| "demand_paths".into(), &a.demand_paths, &b.demand_paths))
            .or_else(|| {
                same(
                    || "boario_events".into(),
                    &a.boario_events,
                    &b.boario_events,
                )
            })
            .or_else(|| {
                let (x, y) = (&a.perturbation.recipes, &b.perturbation.recipes);
                each("perturbation.recipes", ".product", x, y, |c| &c.product)
            })
            .or_else(|| {
                same(
                    || "mitigation.allocation".into(),
                    &a.mitigation.allocation,
                    &b.mitigation.allocation,
                )
            })
            .or_else(|| {
                let (x, y) = (&a.adaptation.thrifting, &b.adaptation.thrifting);
                each("adaptation.thrifting", "", x, y, |c| {
                    (&c.product, &c.input, &c.regions)
                })
            })
            .or_else(|| {
                let (x, y) = (
                    &a.adaptation.substitution_groups,
                    &b.adaptation.substitution_groups,
                );
                each("adaptation.substitution_groups", "", x, y, |c| {
                    (&c.product, &c.regions, &c.input, &c.substitute)
                })
            })
            .or_else(|| same(|| "prices".into(), &a.prices, &b.prices))
            .or_else(|| same(|| "final_goods".into(), &a.final_goods, &b.final_goods))
            .or_else(|| {
                // Without allocating: a run checks this every time.
                let same_market = match (&a.market, &b.market) {
                    (None, None) => true,
                    (Some(x), Some(y)) => {
                        (x.passes, x.floor.to_bits(), x.choke.to_bits())
                            == (y.passes, y.floor.to_bits(), y.choke.to_bits())
                            && x.products.len() == y.products.len()
                            && (x.products.iter().zip(&y.products))
                                .all(|(p, q)| p.product == q.product)
                    }
                    _ => false,
                };
                (!same_market).then(|| {
                    fn d<P>(m: &Option<Market<P>>) -> String {
                        m.as_ref().map_or("none".into(), |m| {
                            let products: Vec<&str> =
                                m.products.iter().map(|p| p.product.as_str()).collect();
                            format!(
                                "{} passes in [{}, {}] on {products:?}",
                                m.passes, m.floor, m.choke
                            )
                        })
                    }
                    (
                        "market".to_string(),
                        format!("{}, built for {}", d(&b.market), d(&a.market)),
                    )
                })
            })
            .or_else(|| {
                same(
                    || "mitigation.rationing".into(),
                    &a.mitigation.rationing,
                    &b.mitigation.rationing,
                )
            })
            .or_else(|| same(|| "run_length".into(), &a.run_length, &b.run_length))
            .or_else(|| {
                let drawn = |s: &Self| s.transport_lag_days.is_some();
                same(|| "transport_lag_days".into(), &drawn(a), &drawn(b))
            })
            .or_else(|| {
                // Without allocating; the cover scale is drawn per run.
                let same_firms = match (&a.firms, &b.firms) {
                    (None, None) => true,
                    (Some(x), Some(y)) => {
                        (&x.product, &x.origins, &x.classes) == (&y.product, &y.origins, &y.classes)
                            && x.cover_days == y.cover_days
                    }
                    _ => false,
                };
                (!same_firms).then(|| {
                    let why = "other firms (product, origins, covers or classes) than built for";
                    ("firms".to_string(), why.to_string())
                })
            })
    }
}

impl<P: Default> Default for Scenario<P> {
    fn default() -> Self {
        Self {
            name: String::new(),
            horizon: P::default(),
            start: None,
            transport_lag_days: None,
            firms: None,
            run_length: None,
            restrictions: Vec::new(),
            capacity_losses: Vec::new(),
            capacity_additions: Vec::new(),
            demand_shifts: Vec::new(),
            demand_paths: Vec::new(),
            boario_events: Vec::new(),
            mitigation: Mitigation::default(),
            perturbation: Perturbation::default(),
            prices: BTreeMap::new(),
            adaptation: Adaptation::default(),
            final_goods: BTreeMap::new(),
            market: None,
        }
    }
}

/// Who a restriction targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Targets {
    /// A built-in bloc by name (`US+8`, `EU`).
    Bloc(String),
    /// A list of region codes.
    List(Vec<String>),
    /// Every region except these (the exporter itself is never a target).
    AllBut(Vec<String>),
}

impl Targets {
    /// The regions of `net` this set names. Built-in blocs (`US+8`, `EU`) give their
    /// members present in the network; a listed code the network lacks is an error at
    /// `path[j]`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an unknown bloc or region code, or a set with no region
    /// of `net` (an empty list, a bloc none of whose members it has).
    pub fn resolve(&self, net: &Network, path: &str) -> Result<Vec<RegionId>> {
        let invalid = |field: String, reason: String| Error::field("scenario", field, reason);
        let codes = |codes: &[String]| -> Result<Vec<RegionId>> {
            codes
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    net.region_id(c)
                        .ok_or_else(|| invalid(format!("{path}[{j}]"), net.unknown_region(c)))
                })
                .collect()
        };
        let regions = match self {
            Targets::Bloc(name) => {
                let bloc = match name.as_str() {
                    "US+8" => Bloc::us_plus_8(),
                    "EU" => Bloc::eu(net),
                    other => return Err(invalid(path.into(), format!("unknown bloc `{other}`"))),
                };
                Ok(bloc
                    .members
                    .iter()
                    .filter_map(|c| net.region_id(c))
                    .collect())
            }
            Targets::List(list) => codes(list),
            Targets::AllBut(list) => {
                let out = codes(list)?;
                Ok((0..net.regions().len() as u32)
                    .map(RegionId)
                    .filter(|r| !out.contains(r))
                    .collect())
            }
        }?;
        if regions.is_empty() {
            return Err(invalid(
                path.into(),
                match self {
                    Targets::List(l) if l.is_empty() => "an empty list names no region".into(),
                    other => format!("`{}` names no region of this network", other.label()),
                },
            ));
        }
        Ok(regions)
    }

    /// A short label (`US+8`, `US+JP`, `all but CN`).
    pub fn label(&self) -> String {
        match self {
            Targets::Bloc(name) => name.clone(),
            Targets::List(codes) => codes.join("+"),
            Targets::AllBut(codes) => format!("all but {}", codes.join("+")),
        }
    }
}

/// What happens to the volume a restriction blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// Added to the exporter's stock; it leaves the period (reported as kept).
    #[default]
    Keep,
    /// Offered to non-target users through the pool of incremental supply, tagged.
    Divert,
}

/// Whether a restriction against a hub also stops what transits it to others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Transit {
    /// Only flows whose end user is a target are restricted.
    #[default]
    EndUser,
    /// Flows that transit a target hub are restricted too.
    ShippingDestination,
}

/// An export restriction (docs/model.md §3.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restriction<P> {
    /// Restricting exporters (region codes).
    pub exporters: Vec<String>,
    /// Restricted products.
    pub products: Vec<String>,
    /// Targets.
    pub targets: Targets,
    /// Severity σ in [0, 1]: share of scheduled shipments to targets blocked.
    pub severity: P,
    /// Leakage λ in [0, 1]: share of the blocked volume that still arrives through third
    /// countries (it keeps its origin).
    #[serde(default)]
    pub leakage: P,
    /// Keep or divert the blocked volume.
    #[serde(default)]
    pub disposal: Disposal,
    /// Processing leakage κ in [0, 1]: the share of processed freed volume that may reach
    /// targets (§4.5).
    #[serde(default)]
    pub processing_leakage: P,
    /// Whether restricting a hub also stops transit through it.
    #[serde(default)]
    pub transit: Transit,
    /// Severity over time, a multiplier on `severity` (licences approved at a rising
    /// rate); absent: constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_ramp: Option<Ramp>,
    /// Leakage over time, a multiplier on `leakage` (re-routing that grows); absent:
    /// constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leakage_ramp: Option<Ramp>,
    /// A content rule: the restriction also cuts flows to targets from any other exporter
    /// whose product holds at least a share θ of controlled content from the restricting
    /// exporters (docs/model.md §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentRule>,
    /// A multiplier on the times of `severity_ramp` and `leakage_ramp` (their delays and
    /// lengths; docs/model.md §3.3), in (0, 100]: the uncertain timing of a profile whose
    /// shape was fitted; absent: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<P>,
}

/// The extraterritorial rule of a restriction (docs/model.md §3.1): flows of `products` to
/// the targets from nodes outside the restricting exporters are cut like the restriction's
/// own when the node's baseline traced content of `controlled` products from the
/// restricting exporters is at least `threshold` of its mass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentRule {
    /// Controlled upstream products (`ndpr_oxide`, `dytb_oxide`).
    pub controlled: Vec<String>,
    /// Products whose flows the rule examines (`ndfeb_magnet_dy`).
    pub products: Vec<String>,
    /// θ: the share by mass (0.001 for the October 2025 rule's 0.1%).
    pub threshold: f64,
}

impl Scenario<f64> {
    /// The κ gate (§4.5): the smallest of the restrictions' processing leakages (tags do
    /// not remember which restriction freed them); 1 without restrictions.
    pub fn kappa(&self) -> f64 {
        self.restrictions
            .iter()
            .map(|x| x.processing_leakage)
            .fold(1.0, f64::min)
    }
}

impl Mitigation<f64> {
    /// The mean substitution share ρ over `[a, b]` years from the restriction's start,
    /// with its profile (§3.3).
    pub fn substitution_mean(&self, a: f64, b: f64) -> f64 {
        self.substitution * Ramp::mean(self.substitution_ramp.as_ref(), None, a, b)
    }
}

impl Restriction<f64> {
    /// A full embargo (σ = 1, no leakage, keep) by `exporters` on `products` to `targets`.
    pub fn full(
        exporters: impl IntoIterator<Item = impl Into<String>>,
        products: impl IntoIterator<Item = impl Into<String>>,
        targets: Targets,
    ) -> Self {
        Self {
            exporters: exporters.into_iter().map(Into::into).collect(),
            products: products.into_iter().map(Into::into).collect(),
            targets,
            severity: 1.0,
            leakage: 0.0,
            disposal: Disposal::Keep,
            processing_leakage: 0.0,
            transit: Transit::EndUser,
            severity_ramp: None,
            leakage_ramp: None,
            content: None,
            timing: None,
        }
    }

    /// The mean cut `σ(t)·(1 - λ(t))` over `[a, b]` years from the restriction's start
    /// (docs/model.md §3.3): the static engine's cut over its horizon, the dynamic
    /// engine's over each step.
    pub fn cut(&self, a: f64, b: f64) -> f64 {
        let (severity, leakage) = self.profiles();
        let leak = leakage.unwrap_or(Ramp::constant(1.0));
        let kept = Ramp {
            from: 1.0 - self.leakage * leak.from,
            to: 1.0 - self.leakage * leak.to,
            then: leak.then.map(|p| Phase {
                to: 1.0 - self.leakage * p.to,
                ..p
            }),
            ..leak
        };
        self.severity * Ramp::mean(severity.as_ref(), Some(&kept), a, b)
    }

    /// The severity and leakage profiles with their times multiplied by `timing`.
    fn profiles(&self) -> (Option<Ramp>, Option<Ramp>) {
        let k = self.timing.unwrap_or(1.0);
        let stretch = |r: Option<Ramp>| r.map(|r| if k == 1.0 { r } else { r.stretched(k) });
        (stretch(self.severity_ramp), stretch(self.leakage_ramp))
    }

    /// The mean leaked share `σ(t)·λ(t)` over `[a, b]`.
    pub fn leak(&self, a: f64, b: f64) -> f64 {
        let (severity, leakage) = self.profiles();
        self.severity * self.leakage * Ramp::mean(severity.as_ref(), leakage.as_ref(), a, b)
    }
}

/// Capacity lost by the producers of a product in a region, or by one of the region's
/// labelled supply items (docs/model.md §1.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityLoss<P> {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// The node that loses it: the producers (the default, `producers`), or the region's
    /// `secondary`, `recycled` or `coproduct` item of the product.
    #[serde(default, skip_serializing_if = "is_producers")]
    pub item: NodeKind,
    /// Share of capacity lost, in [0, 1].
    pub share: P,
}

fn is_producers(kind: &NodeKind) -> bool {
    *kind == NodeKind::Producer
}

/// New capacity at a node from a date (a plant coming online; docs/model.md §3.1): fully
/// usable from then on, whatever the substitution share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityAddition<P> {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// Capacity added, product units a year.
    pub capacity: P,
    /// Years after the restriction's start when it comes online (absent: at the start).
    #[serde(default)]
    pub from: P,
}

/// A change of final use of a product in a region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandShift<P> {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// Relative change of scheduled final use, at least -1 (-0.2 = a fifth less).
    pub change: P,
}

/// How the priority of claims on incremental supply is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Pro rata to claims.
    #[default]
    ProRata,
    /// These regions' claims first (a bloc, a list, or everyone but a list), pro rata
    /// within each class.
    BlocFirst(Targets),
}

/// How a short supplier's output and a pool are shared among users (docs/model.md §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rationing {
    /// In proportion to schedules (sweep A) and claims (sweep C), as §4.
    #[default]
    Proportional,
    /// To the uses of the highest value per unit first, in proportion among equal values.
    ByValue,
}

impl Rationing {
    /// Whether it is the default, proportional rationing.
    pub fn is_proportional(&self) -> bool {
        *self == Self::Proportional
    }
}

/// Mitigation (docs/model.md §3.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitigation<P> {
    /// Share of each region's own stock that may be released, in [0, 1].
    #[serde(default)]
    pub stock_release_share: P,
    /// Most a region releases of one product a year, product units; absent = no limit.
    #[serde(default)]
    pub release_rate: Option<P>,
    /// Substitution ρ in [0, 1]: share of unrestricted producers' spare capacity that can
    /// expand over the horizon.
    #[serde(default)]
    pub substitution: P,
    /// Substitution over time, a multiplier on `substitution` (spare capacity that ramps
    /// up after a lag); absent: constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution_ramp: Option<Ramp>,
    /// Priority of claims on incremental supply.
    #[serde(default)]
    pub allocation: Allocation,
    /// How scarce supply is shared within a priority class: in proportion, or to the
    /// dearest uses first (docs/model.md §7.2).
    #[serde(default, skip_serializing_if = "Rationing::is_proportional")]
    pub rationing: Rationing,
    /// Share of final users' remaining deficit that is deferred (backlog), in [0, 1].
    #[serde(default)]
    pub deferrable: P,
    /// Share of final users' remaining deficit met by another technology, in [0, 1].
    #[serde(default)]
    pub substitutable: P,
}

impl<P: Default> Default for Mitigation<P> {
    fn default() -> Self {
        Self {
            stock_release_share: P::default(),
            release_rate: None,
            substitution: P::default(),
            substitution_ramp: None,
            allocation: Allocation::ProRata,
            rationing: Rationing::Proportional,
            deferrable: P::default(),
            substitutable: P::default(),
        }
    }
}

/// A map whose keys appear once: a repeated key is an error, not the last value winning.
fn unique_keys<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<BTreeMap<String, f64>, D::Error> {
    struct Unique;
    impl<'de> serde::de::Visitor<'de> for Unique {
        type Value = BTreeMap<String, f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a table of product ids and numbers")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, f64>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!("`{k}` is given twice")));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique)
}
