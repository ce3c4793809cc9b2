//! The driver, generic over the engine (docs/model.md §6.2).

use rayon::prelude::*;

use super::accumulate::{Moments, Sketch};
use super::design::Sampler;
use super::Settings;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::scenario::{FieldPath, ParamSlot, Realization, ScenarioSpec};

/// Draws per chunk for a cheap engine: fixed, so chunk boundaries (and the order of every
/// floating-point merge) depend only on the number of draws and the engine
/// ([`Engine::draws_per_chunk`](crate::engine::Engine::draws_per_chunk)).
pub const CHUNK: u64 = crate::engine::DRAWS_PER_CHUNK;

/// Chunks run in parallel before their accumulators are merged.
const WAVE: u64 = 64;

/// Progress at a chunk boundary: draws done of the total. Callbacks come from worker
/// threads in any order and never affect results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Draws finished so far.
    pub done: u64,
    /// Draws in the run.
    pub total: u64,
}

/// The draws of a run: per outcome the chunked accumulators (moments, exceedances, the
/// sum and count per replicate, and in streaming mode a quantile sketch), and in exact mode
/// every outcome and uncertain parameter per draw, in draw order.
#[derive(Clone, PartialEq)]
pub struct Simulation {
    /// Number of draws.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// Threads used.
    pub threads: usize,
    /// Outcomes per draw.
    pub outcomes: usize,
    /// Replicates (independent randomisations of the design).
    pub replicates: u64,
    /// Moments and exceedance counts per outcome.
    pub moments: Vec<Moments>,
    /// Per outcome, per replicate: (sum, count).
    pub replicate_sums: Vec<Vec<(f64, u64)>>,
    /// Per outcome: the quantile sketch (streaming mode).
    pub sketches: Option<Vec<Sketch>>,
    /// Exact mode: `draws x outcomes`, row-major by draw; empty in streaming mode.
    pub values: Vec<f64>,
    /// The uncertain parameters, in traversal order.
    pub params: Vec<FieldPath>,
    /// Exact mode: `draws x params`, row-major by draw; empty in streaming mode.
    pub param_values: Vec<f64>,
}

/// A summary: the draws themselves run to millions.
impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("draws", &self.draws)
            .field("seed", &self.seed)
            .field("outcomes", &self.outcomes)
            .field("params", &self.params)
            .field("replicates", &self.replicates)
            .field("exact", &self.is_exact())
            .finish_non_exhaustive()
    }
}

impl Simulation {
    /// Outcome `k` of every draw, in draw order (exact mode).
    pub fn outcome(&self, k: usize) -> impl Iterator<Item = f64> + '_ {
        self.values
            .iter()
            .skip(k)
            .step_by(self.outcomes.max(1))
            .copied()
    }

    /// Parameter `j` of every draw, in draw order (exact mode).
    pub fn param(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        self.param_values
            .iter()
            .skip(j)
            .step_by(self.params.len().max(1))
            .copied()
    }

    /// Whether every draw was kept.
    pub fn is_exact(&self) -> bool {
        self.sketches.is_none()
    }

    /// The mean of outcome `k` in each replicate.
    pub fn replicate_means(&self, k: usize) -> Vec<f64> {
        self.replicate_sums[k]
            .iter()
            .map(|(s, c)| s / *c as f64)
            .collect()
    }

    /// Appends the draws of a later range of the same run (the stopping rule's batches).
    pub(crate) fn extend(&mut self, later: Simulation) {
        self.draws += later.draws;
        for (a, b) in self.moments.iter_mut().zip(&later.moments) {
            a.merge(b);
        }
        for (a, b) in self.replicate_sums.iter_mut().zip(&later.replicate_sums) {
            for (x, y) in a.iter_mut().zip(b) {
                x.0 += y.0;
                x.1 += y.1;
            }
        }
        if let (Some(a), Some(b)) = (self.sketches.as_mut(), later.sketches.as_ref()) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        self.values.extend(later.values);
        self.param_values.extend(later.param_values);
    }
}

/// Fills `r` with the values of draw `d` (uniforms from the sampler through each
/// parameter's inverse CDF) and records them in `out`.
fn sample(slots: &[ParamSlot], u: &[f64], r: &mut Realization, out: &mut [f64]) {
    let mut j = 0;
    r.for_each_field_mut(|path, v| {
        if let Some(slot) = slots.get(j).filter(|s| s.path == path) {
            *v = slot.param.quantile(u[j]);
            out[j] = *v;
            j += 1;
        }
    });
}

/// One chunk's accumulators and (exact mode) its draws.
struct Chunk {
    draws: u64,
    moments: Vec<Moments>,
    replicate_sums: Vec<Vec<(f64, u64)>>,
    sketches: Option<Vec<Sketch>>,
    values: Vec<f64>,
    params: Vec<f64>,
}

/// Runs `settings.draws` draws of `spec` through `engine` and keeps `outcomes` numbers per
/// draw, written by `extract` from the workspace after each run.
///
/// # Errors
/// Every error of [`ScenarioSpec::validate`], of the design and of the engine's run, and
/// [`Error::NothingToRun`] for zero draws, [`Error::ThreadPool`] for a thread pool that cannot start.
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
    let sampler = Sampler::new(&slots, settings)?;
    simulate_range(
        net,
        engine,
        spec,
        (&slots, &sampler),
        (0, settings.draws),
        outcomes,
        &extract,
        settings,
        progress,
    )
}

/// Draws `first..end` of a run (the stopping rule runs a run in ranges).
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate_range<E: Engine>(
    net: &Network,
    engine: &E,
    spec: &ScenarioSpec,
    (slots, sampler): (&[ParamSlot], &Sampler),
    (first, end): (u64, u64),
    outcomes: usize,
    extract: &(impl Fn(&E::Workspace, &mut [f64]) + Sync),
    settings: &Settings,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<Simulation> {
    if end <= first {
        return Err(Error::NothingToRun(
            "a Monte Carlo run needs at least one draw".into(),
        ));
    }
    let template = spec.median();
    let np = slots.len();
    let exact = !settings.streaming;
    if exact {
        check_memory(end - first, outcomes + np, settings)?;
    }
    let thresholds = &settings.statistics.exceed;
    let replicates = sampler.replicates();
    // `None` and 0 both mean every core; the number used is what results report.
    let threads = match settings.threads {
        Some(t) if t > 0 => t,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::ThreadPool(e.to_string()))?;
    let per_chunk = engine.draws_per_chunk().max(1);
    let chunks = (end - first).div_ceil(per_chunk);
    let done = std::sync::atomic::AtomicU64::new(0);
    let run_chunk = |c: u64| -> Result<Chunk> {
        let (start, stop) = (
            first + c * per_chunk,
            (first + (c + 1) * per_chunk).min(end),
        );
        let len = (stop - start) as usize;
        let mut r = template.clone();
        let mut ws = engine.workspace(net);
        let mut chunk = Chunk {
            draws: len as u64,
            moments: vec![Moments::new(thresholds.len()); outcomes],
            replicate_sums: vec![vec![(0.0, 0); replicates as usize]; outcomes],
            sketches: (!exact).then(|| vec![Sketch::new(); outcomes]),
            values: vec![0.0; if exact { len * outcomes } else { 0 }],
            params: vec![0.0; if exact { len * np } else { 0 }],
        };
        let (mut u, mut p, mut row) = (vec![0.0; np], vec![0.0; np], vec![0.0; outcomes]);
        for (i, d) in (start..stop).enumerate() {
            sampler.uniforms(d, &mut u);
            sample(slots, &u, &mut r, &mut p);
            engine.run(net, &r, &mut ws).map_err(|e| in_draw(e, d))?;
            extract(&ws, &mut row);
            let rep = sampler.replicate_of(d) as usize;
            for (k, &x) in row.iter().enumerate() {
                chunk.moments[k].push(x, thresholds);
                let s = &mut chunk.replicate_sums[k][rep];
                s.0 += x;
                s.1 += 1;
                if let Some(sk) = chunk.sketches.as_mut() {
                    sk[k].push(x);
                }
            }
            if exact {
                chunk.values[i * outcomes..(i + 1) * outcomes].copy_from_slice(&row);
                chunk.params[i * np..(i + 1) * np].copy_from_slice(&p);
            }
        }
        let so_far = done.fetch_add(len as u64, std::sync::atomic::Ordering::Relaxed);
        if let Some(report) = progress {
            report(Progress {
                done: first + so_far + len as u64,
                total: settings.draws.max(end),
            });
        }
        Ok(chunk)
    };
    // Chunks run in waves of a fixed size and merge in chunk order, so memory stays bounded
    // in streaming mode and results do not depend on threads.
    let mut sim = Simulation {
        draws: 0,
        seed: settings.seed,
        threads,
        outcomes,
        replicates,
        moments: vec![Moments::new(thresholds.len()); outcomes],
        replicate_sums: vec![vec![(0.0, 0); replicates as usize]; outcomes],
        sketches: (!exact).then(|| vec![Sketch::new(); outcomes]),
        values: Vec::new(),
        params: slots.iter().map(|s| s.path).collect(),
        param_values: Vec::new(),
    };
    let mut wave = 0;
    while wave < chunks {
        let last = (wave + WAVE).min(chunks);
        let parts: Vec<Chunk> = pool.install(|| {
            (wave..last)
                .into_par_iter()
                .map(run_chunk)
                .collect::<Result<_>>()
        })?;
        wave = last;
        for chunk in parts {
            sim.extend(Simulation {
                draws: chunk.draws,
                seed: settings.seed,
                threads,
                outcomes,
                replicates,
                moments: chunk.moments,
                replicate_sums: chunk.replicate_sums,
                sketches: chunk.sketches,
                values: chunk.values,
                params: Vec::new(),
                param_values: chunk.params,
            });
        }
    }
    Ok(sim)
}

/// A run-time error of one draw names the draw: the file's values were valid, this draw's
/// were not.
fn in_draw(e: Error, draw: u64) -> Error {
    match e {
        Error::InvalidField {
            field,
            reason,
            location,
        } => Error::InvalidField {
            field,
            reason: format!("{reason} (in draw {draw})"),
            location,
        },
        other => other,
    }
}

/// Bytes an exact-mode run holds per kept number: the draw itself, and the copies the
/// statistics make (a column, its sorted copy, its ranks).
const BYTES_PER_KEPT: u64 = 32;

/// Refuses an exact-mode run whose draws would not fit: `draws × kept × 32` bytes against
/// `memory_limit_gib`, or half the machine's memory.
fn check_memory(draws: u64, kept: usize, settings: &Settings) -> Result<()> {
    let need = draws
        .saturating_mul(kept as u64)
        .saturating_mul(BYTES_PER_KEPT);
    let gib = (1u64 << 30) as f64;
    let (limit, whose) = match settings.memory_limit_gib {
        Some(l) => (l * gib, "monte_carlo.memory_limit_gib"),
        None => (physical_memory() as f64 / 2.0, "half this machine's memory"),
    };
    if need as f64 > limit {
        return Err(Error::field(
            "settings",
            "monte_carlo.draws",
            format!(
                "exact mode keeps every draw: {draws} draws of {kept} numbers need about \
                 {:.1} GiB, above {:.1} GiB ({whose}); run in streaming mode \
                 (`--streaming`, `monte_carlo.streaming = true`: bounded memory, no \
                 sensitivities), take fewer draws, or raise `monte_carlo.memory_limit_gib`",
                need as f64 / gib,
                limit / gib
            ),
        ));
    }
    Ok(())
}

/// The machine's memory in bytes (`/proc/meminfo`), or 8 GiB where it cannot be read.
fn physical_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(8 << 30)
}
