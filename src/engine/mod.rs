//! Engines: pure functions of (network, realization) that fill an outcome held in their
//! workspace. The Monte Carlo driver owns draws, seeds, threads and statistics; an engine
//! never sees randomness.

mod adaptation;
mod bridge;
mod cascade;
mod chokepoints;
mod dynamic;
mod market;
mod outcome;
mod resolved;
mod shortfalls;
mod value;

pub use bridge::{BridgeOutcome, BridgeSpec, BridgeWeight, BridgeWorkspace, Bridged};
pub use cascade::{CascadeWorkspace, StaticCascade};
pub use chokepoints::{chokepoints, Chokepoint, Chokepoints, Ranking};
pub use dynamic::{
    Dynamic, DynamicOutcome, DynamicSettings, DynamicWorkspace, Mode, Orders, Step, COVER_CELLS,
    MAX_LAG_STEPS, MAX_RUN_STEPS,
};
pub use market::MarketId;
pub use outcome::{BlocFigures, MarketOutcome, StaticOutcome, ValueLost};
pub use shortfalls::{
    Amount, Event, Shortfalls, Timing, Use, DYNAMIC_DEFINITION, EMPTY, STATIC_DEFINITION,
};

use crate::error::{Error, Result};
use crate::network::{Network, NodeId, NodeKind, ProductId, RegionId};
use crate::scenario::Realization;

/// Draws per Monte Carlo chunk for an engine whose runs are cheap (docs/model.md §6.2).
pub const DRAWS_PER_CHUNK: u64 = 4096;

/// An engine computes one realization into its workspace; a run allocates nothing once
/// the workspace is built (docs/architecture.md: how to add an engine).
///
/// Two forms: [`Engine::run`] into a workspace built once, for loops, and
/// [`Engine::evaluate`], one call that returns the outcome, for notebooks.
pub trait Engine: Sync {
    /// Scratch space and the outcome of the last run.
    type Workspace: Send;

    /// What one run gives. The engines of this crate give outcomes that answer the
    /// [`Shortfalls`] view, which is what the Monte Carlo front door reads.
    type Outcome: Clone;

    /// A workspace sized for `net`.
    fn workspace(&self, net: &Network) -> Self::Workspace;

    /// The outcome of the last run held in `ws`.
    fn outcome<'w>(&self, ws: &'w Self::Workspace) -> &'w Self::Outcome;

    /// What the scenario it was built for does that is probably not what was meant (a
    /// restriction that cuts no flow of the network), found when it was built.
    fn warnings(&self) -> &[String] {
        &[]
    }

    /// Draws per Monte Carlo chunk, the unit of parallel work and of merging
    /// (docs/model.md §6.2): [`DRAWS_PER_CHUNK`] unless a run is costly. It depends on the
    /// engine and its network only, never on threads, so results do not either.
    fn draws_per_chunk(&self) -> u64 {
        DRAWS_PER_CHUNK
    }

    /// Runs one realization in a fresh workspace and returns its outcome.
    ///
    /// # Errors
    /// Every error of [`Engine::run`].
    fn evaluate(&self, net: &Network, realization: &Realization) -> Result<Self::Outcome> {
        let mut ws = self.workspace(net);
        self.run(net, realization, &mut ws)?;
        Ok(self.outcome(&ws).clone())
    }

    /// Runs one realization.
    ///
    /// # Errors
    /// [`crate::Error::InvalidField`] when a number of the realization is outside its
    /// domain, or its structure differs from the scenario the engine was built for.
    fn run(&self, net: &Network, realization: &Realization, ws: &mut Self::Workspace)
        -> Result<()>;
}

/// Runs `realization` through the static cascade on `net` in one call: the form for a
/// notebook cell (a loop builds the engine and a workspace once and calls
/// [`Engine::run`]).
///
/// ```
/// use shortfall::prelude::*;
/// let net = toy_chain();
/// let embargo = Realization {
///     horizon: 0.25,
///     restrictions: vec![Restriction::full(["CN"], ["magnet"], Targets::List(vec!["US".into()]))],
///     ..Realization::default()
/// };
/// let outcome = evaluate(&net, &embargo)?;
/// let (us, magnet) = (net.require_region("US")?, net.require_product("magnet")?);
/// let lost = outcome.over_run(Use::FinalUse, us, magnet);
/// assert!(lost.shortfall > 0.0 && lost.shortfall <= lost.baseline);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// Every error of [`StaticCascade::new`] and of its run.
pub fn evaluate(net: &Network, realization: &Realization) -> Result<StaticOutcome> {
    StaticCascade::new(net, realization)?.evaluate(net, realization)
}

/// What an engine was built for: the network (by fingerprint) and the scenario's
/// structure. `run` refuses anything else before it reads a number.
#[derive(Debug, Clone)]
pub(crate) struct BuiltFor {
    engine: &'static str,
    network: u64,
    identity: String,
    structure: Realization,
}

impl BuiltFor {
    pub(crate) fn new(engine: &'static str, net: &Network, scenario: &Realization) -> Self {
        Self {
            engine,
            network: net.fingerprint(),
            identity: net.identity(),
            structure: scenario.clone(),
        }
    }

    /// Refuses another network, a workspace sized for another network, or a realization
    /// of another structure ([`Scenario::structure_difference`](crate::scenario::Scenario::structure_difference)).
    pub(crate) fn check(&self, net: &Network, workspace: u64, r: &Realization) -> Result<()> {
        if net.fingerprint() != self.network {
            return Err(Error::OtherNetwork {
                engine: self.engine.into(),
                built_for: self.identity.clone(),
                given: net.identity(),
            });
        }
        if workspace != self.network {
            return Err(Error::OtherNetwork {
                engine: format!("the workspace given to {}", self.engine),
                built_for: format!("network {workspace:016x}"),
                given: self.identity.clone(),
            });
        }
        match self.structure.structure_difference(r) {
            Some((field, reason)) => Err(Error::OtherStructure { field, reason }),
            None => Ok(()),
        }
    }
}

/// A warning for each of the scenario's restrictions that cuts no flow of `net`
/// (docs/model.md §3.1), as the Monte Carlo results report them.
///
/// # Errors
/// Every error of resolving the restrictions (unknown codes, overlapping restrictions).
pub fn idle_restrictions(net: &Network, scenario: &Realization) -> Result<Vec<String>> {
    Ok(resolved::Resolved::new(net, scenario)?.warnings)
}

/// The region with `code`, or an error at the scenario field `path`.
pub(crate) fn region_at(net: &Network, code: &str, path: String) -> Result<RegionId> {
    net.region_id(code)
        .ok_or_else(|| Error::field("scenario", path, net.unknown_region(code)))
}

/// The product with `id`, or an error at the scenario field `path`.
pub(crate) fn product_at(net: &Network, id: &str, path: String) -> Result<ProductId> {
    net.product_id(id)
        .ok_or_else(|| Error::field("scenario", path, net.unknown_product(id)))
}

/// The node making `product` in `region`, named at the scenario field `path` (the codes at
/// `path.region` and `path.product`).
pub(crate) fn node_at(net: &Network, region: &str, product: &str, path: &str) -> Result<NodeId> {
    item_at(net, (region, product, NodeKind::Producer), path)
}

/// The node of `kind` for `(region, product)`: its producers or a labelled item (docs/model.md
/// §1.10), with an error naming the field.
pub(crate) fn item_at(
    net: &Network,
    (region, product, kind): (&str, &str, NodeKind),
    path: &str,
) -> Result<NodeId> {
    let r = region_at(net, region, format!("{path}.region"))?;
    let p = product_at(net, product, format!("{path}.product"))?;
    net.node_of_kind(r, p, kind).ok_or_else(|| {
        let what = match kind {
            NodeKind::Producer => format!("{region} makes no {product}"),
            item => format!("{region} has no `{}` item of {product}", item.word()),
        };
        Error::field("scenario", path, what)
    })
}

/// The node of each of a scenario's capacity additions.
pub(crate) fn addition_nodes(net: &Network, scenario: &Realization) -> Result<Vec<NodeId>> {
    scenario
        .capacity_additions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            node_at(
                net,
                &c.region,
                &c.product,
                &format!("capacity_additions[{i}]"),
            )
        })
        .collect()
}
