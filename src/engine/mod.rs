//! Engines: pure functions of (network, realization) that fill an outcome held in their
//! workspace. The Monte Carlo driver owns draws, seeds, threads and statistics; an engine
//! never sees randomness.

mod cascade;
mod chokepoints;
mod dynamic;
mod outcome;
mod restricted;

pub use cascade::{CascadeWorkspace, StaticCascade};
pub use chokepoints::{chokepoints, Chokepoint, Chokepoints, Ranking};
pub use dynamic::{Dynamic, DynamicOutcome, DynamicSettings, DynamicWorkspace, Mode, Orders, Step};
pub use outcome::{BlocFigures, StaticOutcome};

use crate::error::{Error, Location, Result};
use crate::network::Network;
use crate::scenario::Realization;

/// An engine computes one realization into its workspace; a run allocates nothing once
/// the workspace is built.
pub trait Engine: Sync {
    /// Scratch space and the outcome of the last run.
    type Workspace: Send;

    /// A workspace sized for `net`.
    fn workspace(&self, net: &Network) -> Self::Workspace;

    /// Runs one realization.
    ///
    /// # Errors
    /// [`crate::Error::InvalidField`] when a number of the realization is outside its
    /// domain, or its structure differs from the scenario the engine was built for.
    fn run(&self, net: &Network, realization: &Realization, ws: &mut Self::Workspace)
        -> Result<()>;
}

/// An error in a scenario field, named by its path.
pub(crate) fn field_error(field: String, reason: String) -> Error {
    Error::InvalidField {
        field,
        reason,
        location: Location::new("scenario", None),
    }
}

/// The node of each of a scenario's capacity additions.
pub(crate) fn addition_nodes(
    net: &crate::network::Network,
    scenario: &Realization,
) -> Result<Vec<crate::network::NodeId>> {
    scenario
        .capacity_additions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (r, p) = (net.region_id(&c.region), net.product_id(&c.product));
            r.zip(p)
                .and_then(|(r, p)| net.node_id(r, p))
                .ok_or_else(|| {
                    field_error(
                        format!("capacity_additions[{i}]"),
                        format!("{} makes no {}", c.region, c.product),
                    )
                })
        })
        .collect()
}
