//! Runs a scenario file with Monte Carlo: its outcomes through the static cascade (or with
//! `--engine dynamic` through the dynamic engine), or with `--dynamic PRODUCT` a run in
//! time steps reporting the group's paths.
//!
//! ```sh
//! cargo run --release --example run_scenario -- SCENARIO_FILE [--network FILE] \
//!     [--draws N] [--seed S] [--threads T] [--out FILE.json|FILE.csv] \
//!     [--design plain|latin_hypercube|sobol] [--replicates R] [--streaming] \
//!     [--engine static|dynamic] [--dynamic PRODUCT [--group BLOC]] \
//!     [--step day|week|month] [--plot DIR]
//! ```
//!
//! `--plot DIR` writes SVG plots: the histogram and the sensitivity tornado of every
//! outcome (`DIR/histogram_<i>.svg`, `DIR/tornado_<i>.svg`), or with `--dynamic` the fan
//! chart (`DIR/fan.svg`).
//!
//! With `--dynamic`, the run covers the scenario's `run_length` (absent: a year) in steps
//! of a week (or the file's step, or `--step`) and reports, for the group (the file's
//! `[paths]` group, else its first restriction's targets, else `US+8`; `--group` says
//! otherwise) and the product, each member's cumulative shortfall, probability of running
//! out and conditional week, and the group's shortfall per step (docs/model.md §5.10).
//!
//! Without `--network` the scenario runs on the embedded data the file names (`dataset`,
//! by default `rare_earths_2024`); the file's `[dynamic]` settings and `[paths]` group
//! apply to `--dynamic` unless `--step` or `--group` say otherwise; several
//! `--network` options give network variants, which the scenario's `perturbation.variant`
//! chooses among by index. Prints
//! the summary table (with the seed) and the sensitivities; `--out` writes the results
//! atomically. A progress bar shows on a terminal, nothing otherwise. The format of
//! scenario files: docs/scenarios.md; an example: scenarios/us_plus8_embargo.toml.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use shortfall::engine::{DynamicSettings, Step};
use shortfall::montecarlo::{run_paths, run_with, EngineChoice, Paths, Progress};
use shortfall::plot::Plot;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Targets;

struct Args {
    scenario: PathBuf,
    networks: Vec<PathBuf>,
    draws: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    design: Option<String>,
    replicates: Option<usize>,
    streaming: bool,
    engine: Option<String>,
    dynamic: Option<String>,
    group: Option<String>,
    step: Option<String>,
    plot: Option<PathBuf>,
}

fn args() -> Result<Args, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let (mut scenario, mut networks, mut draws, mut seed, mut threads, mut out) =
        (None, Vec::new(), None, None, None, None);
    let (mut design, mut replicates, mut streaming, mut engine) = (None, None, false, None);
    let (mut dynamic, mut group, mut step, mut plot) = (None, None, None, None);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("network") => networks.push(parser.value()?.into()),
            Long("draws") => draws = Some(parser.value()?.parse()?),
            Long("seed") => seed = Some(parser.value()?.parse()?),
            Long("threads") => threads = Some(parser.value()?.parse()?),
            Long("out") => out = Some(parser.value()?.into()),
            Long("design") => design = Some(parser.value()?.string()?),
            Long("replicates") => replicates = Some(parser.value()?.parse()?),
            Long("streaming") => streaming = true,
            Long("engine") => engine = Some(parser.value()?.string()?),
            Long("dynamic") => dynamic = Some(parser.value()?.string()?),
            Long("group") => group = Some(parser.value()?.string()?),
            Long("step") => step = Some(parser.value()?.string()?),
            Long("plot") => plot = Some(parser.value()?.into()),
            Short('h') | Long("help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Value(v) if scenario.is_none() => scenario = Some(v.into()),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Args {
        scenario: scenario.ok_or("missing SCENARIO_FILE")?,
        networks,
        draws,
        seed,
        threads,
        out,
        design,
        replicates,
        streaming,
        engine,
        dynamic,
        group,
        step,
        plot,
    })
}

const USAGE: &str = "usage: run_scenario SCENARIO_FILE [--network FILE] [--draws N] [--seed S] \
[--threads T] [--out FILE.json|FILE.csv] [--design plain|latin_hypercube|sobol] [--replicates R] \
[--streaming] [--engine static|dynamic] [--dynamic PRODUCT [--group BLOC|REGION]] \
[--step day|week|month] [--plot DIR]

Runs a scenario file (docs/scenarios.md) with Monte Carlo: its outcomes through the static
cascade, or through the dynamic engine with --engine dynamic (the same outcomes, stopping
rule and sensitivities); or a run in time with --dynamic PRODUCT (the group's paths of
PRODUCT: the file's [paths] group, a built-in bloc such as US+8, or one region's code with
--group). Without --network, the embedded dataset the file names.";

/// `println!` that returns a broken pipe as an error instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write;
        writeln!(std::io::stdout().lock(), $($t)*).map_err(|source| shortfall::Error::Io {
            path: "standard output".into(),
            source,
        })?
    }};
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let scenario = args.scenario.clone();
    // Errors a run finds in the scenario name the file and line, as parse errors do.
    match go(args).map_err(|e| ScenarioFile::locate(e, &scenario)) {
        Ok(()) => ExitCode::SUCCESS,
        // Output piped into a reader that stopped early (`| head`): nothing more to say.
        Err(shortfall::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn go(args: Args) -> shortfall::Result<()> {
    // Where results go is checked before any work, not after it.
    if let Some(out) = &args.out {
        shortfall::report::check_writable(out, &["json", "csv"])?;
    }
    if let Some(dir) = &args.plot {
        shortfall::report::check_folder(dir)?;
    }
    let mut file = ScenarioFile::read(&args.scenario)?;
    let nets = if args.networks.is_empty() {
        vec![file.data()?.network]
    } else {
        args.networks
            .iter()
            .map(|path| {
                if !path.is_dir() {
                    return shortfall::data::read_network(path);
                }
                // A folder is built here: say what its build report warns of.
                let build = shortfall::data::read_folder(path)?;
                for w in &build.report.warnings {
                    eprintln!("warning: {}: {w}", path.display());
                }
                Ok(build.network)
            })
            .collect::<shortfall::Result<Vec<_>>>()?
    };
    let mc = &mut file.monte_carlo;
    mc.draws = args.draws.unwrap_or(mc.draws);
    mc.seed = args.seed.unwrap_or(mc.seed);
    mc.threads = args.threads.or(mc.threads);
    mc.replicates = args.replicates.or(mc.replicates);
    mc.streaming |= args.streaming;
    if let Some(d) = &args.design {
        mc.design = serde_json::from_value(serde_json::Value::String(d.clone())).map_err(|_| {
            shortfall::Error::InvalidSetting(format!(
                "--design {d}: expected plain, latin_hypercube or sobol"
            ))
        })?;
    }
    if let Some(product) = &args.dynamic {
        return in_time(&nets, &mut file, product, &args);
    }
    let engine = match args.engine.as_deref() {
        None | Some("static") => EngineChoice::Static,
        Some("dynamic") => EngineChoice::Dynamic(dynamic_settings(&mut file, &args)?),
        Some(other) => {
            return Err(shortfall::Error::InvalidSetting(format!(
                "--engine {other}: expected static or dynamic"
            )))
        }
    };
    let bar = ProgressBar::new(file.monte_carlo.draws);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} draws, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tick = |p: Progress| bar.set_position(p.done);
    let mc = &file.monte_carlo;
    let results = run_with(&nets, &file.scenario, mc, &engine, Some(&tick))?;
    bar.finish_and_clear();
    say!("{results}");
    if let Some(out) = &args.out {
        results.write(out)?;
        say!("results written to {}", out.display());
    }
    if let Some(dir) = &args.plot {
        for (i, s) in results.outcomes.iter().enumerate() {
            Plot::histogram(s)?.save_in(dir, &format!("histogram_{i}"))?;
            if results.sensitivity.iter().any(|x| x.outcome == s.name) {
                Plot::tornado(&results, &s.name)?.save_in(dir, &format!("tornado_{i}"))?;
            }
        }
        say!("plots written to {}", dir.display());
    }
    Ok(())
}

/// The scenario in time steps (docs/model.md §5.10).
fn in_time(
    nets: &[shortfall::network::Network],
    file: &mut ScenarioFile,
    product: &str,
    args: &Args,
) -> shortfall::Result<()> {
    if nets.len() > 1 {
        return Err(shortfall::Error::InvalidSetting(
            "--dynamic runs on one network".into(),
        ));
    }
    let dynamic = dynamic_settings(file, args)?;
    let mut paths = file.paths.clone().unwrap_or_else(|| {
        // The scenario's own targets (its first restriction's), else US+8.
        let group = (file.scenario.restrictions.first())
            .map_or(Targets::Bloc("US+8".into()), |r| r.targets.clone());
        Paths::new(group, product)
    });
    paths.product = product.into();
    // A built-in bloc by name, else a region's code.
    if let Some(g) = &args.group {
        paths.group = if matches!(g.as_str(), "US+8" | "EU") {
            Targets::Bloc(g.clone())
        } else {
            Targets::List(vec![g.clone()])
        };
    }
    let results = run_paths(
        &nets[0],
        &file.scenario,
        &dynamic,
        &file.monte_carlo,
        &paths,
    )?;
    say!("{results}");
    if let Some(out) = &args.out {
        results.write(out)?;
        say!("results written to {}", out.display());
    }
    if let Some(dir) = &args.plot {
        let path = Plot::fan_chart(&results)?.save_in(dir, "fan")?;
        say!("fan chart written to {}", path.display());
    }
    Ok(())
}

/// The dynamic engine's settings: the file's `[dynamic]`, its step unless `--step` says
/// otherwise (a week when neither does); the run covers the scenario's `run_length`, a
/// year when absent.
fn dynamic_settings(file: &mut ScenarioFile, args: &Args) -> shortfall::Result<DynamicSettings> {
    let step = match args.step.as_deref() {
        None => None,
        Some("day") => Some(Step::Day),
        Some("week") => Some(Step::Week),
        Some("month") => Some(Step::Month),
        Some(other) => {
            return Err(shortfall::Error::InvalidSetting(format!(
                "--step {other}: expected day, week or month"
            )))
        }
    };
    file.scenario.run_length = file.scenario.run_length.or(Some(1.0));
    let mut dynamic = file.dynamic.clone().unwrap_or_default();
    dynamic.step = step
        .or(file.dynamic.as_ref().map(|d| d.step))
        .unwrap_or(Step::Week);
    Ok(dynamic)
}
