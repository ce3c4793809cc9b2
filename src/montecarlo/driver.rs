//! The driver, generic over the engine (docs/model.md §6.2).

use rayon::prelude::*;

use super::streams::uniform;
use super::Settings;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::scenario::{FieldPath, ParamSlot, Realization, ScenarioSpec};

/// Draws per chunk: fixed, so chunk boundaries (and the order of every floating-point
/// merge) depend only on the number of draws.
pub const CHUNK: u64 = 4096;

/// Progress at a chunk boundary: draws done of the total. Callbacks come from worker
/// threads in any order and never affect results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Draws finished so far.
    pub done: u64,
    /// Draws in the run.
    pub total: u64,
}

/// The raw draws of a run: every chosen outcome and every uncertain parameter, per draw,
/// in draw order.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Number of draws.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// Threads used.
    pub threads: usize,
    /// Outcomes per draw.
    pub outcomes: usize,
    /// `draws x outcomes`, row-major by draw.
    pub values: Vec<f64>,
    /// The uncertain parameters, in traversal order.
    pub params: Vec<FieldPath>,
    /// `draws x params`, row-major by draw.
    pub param_values: Vec<f64>,
}

impl Simulation {
    /// Outcome `k` of every draw, in draw order.
    pub fn outcome(&self, k: usize) -> impl Iterator<Item = f64> + '_ {
        self.values
            .iter()
            .skip(k)
            .step_by(self.outcomes.max(1))
            .copied()
    }

    /// Parameter `j` of every draw, in draw order.
    pub fn param(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        self.param_values
            .iter()
            .skip(j)
            .step_by(self.params.len().max(1))
            .copied()
    }
}

/// Fills `r` (a realization of `spec`'s structure) with draw `draw`'s values.
fn sample(slots: &[ParamSlot], seed: u64, draw: u64, r: &mut Realization, out: &mut [f64]) {
    let mut j = 0;
    r.for_each_field_mut(|path, v| {
        if let Some(slot) = slots.get(j).filter(|s| s.path == path) {
            *v = slot.param.quantile(uniform(seed, draw, slot.key));
            out[j] = *v;
            j += 1;
        }
    });
}

/// Runs `settings.draws` draws of `spec` through `engine` and keeps `outcomes` numbers per
/// draw, written by `extract` from the workspace after each run.
///
/// # Errors
/// Every error of [`ScenarioSpec::validate`] and of the engine's run, and
/// [`Error::InvalidArgument`] for zero draws or a thread pool that cannot start.
pub fn simulate<E: Engine>(
    net: &Network,
    engine: &E,
    spec: &ScenarioSpec,
    outcomes: usize,
    extract: impl Fn(&E::Workspace, &mut [f64]) + Sync,
    settings: &Settings,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<Simulation> {
    let slots = spec.validate()?;
    if settings.draws == 0 {
        return Err(Error::InvalidArgument(
            "a Monte Carlo run needs at least one draw".into(),
        ));
    }
    let template = spec.median();
    let (seed, draws, np) = (settings.seed, settings.draws, slots.len());
    let threads = settings
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::InvalidArgument(format!("thread pool: {e}")))?;
    let chunks = draws.div_ceil(CHUNK);
    let done = std::sync::atomic::AtomicU64::new(0);
    let parts: Vec<(Vec<f64>, Vec<f64>)> = pool.install(|| {
        (0..chunks)
            .into_par_iter()
            .map(|c| {
                let (start, end) = (c * CHUNK, ((c + 1) * CHUNK).min(draws));
                let len = (end - start) as usize;
                let mut r = template.clone();
                let mut ws = engine.workspace(net);
                let mut values = vec![0.0; len * outcomes];
                let mut params = vec![0.0; len * np];
                for (i, d) in (start..end).enumerate() {
                    sample(&slots, seed, d, &mut r, &mut params[i * np..(i + 1) * np]);
                    engine.run(net, &r, &mut ws)?;
                    extract(&ws, &mut values[i * outcomes..(i + 1) * outcomes]);
                }
                let so_far = done.fetch_add(len as u64, std::sync::atomic::Ordering::Relaxed);
                if let Some(report) = progress {
                    report(Progress {
                        done: so_far + len as u64,
                        total: draws,
                    });
                }
                Ok((values, params))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let (mut values, mut param_values) = (Vec::new(), Vec::new());
    for (v, p) in parts {
        values.extend(v);
        param_values.extend(p);
    }
    Ok(Simulation {
        draws,
        seed,
        threads,
        outcomes,
        values,
        params: slots.iter().map(|s| s.path).collect(),
        param_values,
    })
}
