//! A fuzz harness for the crate's inputs, on stable Rust: it mutates the shipped inputs
//! (the scenario files as TOML and JSON, the embedded network as JSON and TOML, the CSV
//! tables of `data/rare_earths_2024/`), parses each mutated input through the public
//! parsers and runs what parses through small Monte Carlo runs of the static and the
//! dynamic engine. Errors are the expected outcome for bad input; a panic, an input that
//! takes longer than the time limit (a hang) and a result with NaN, an infinity or a
//! negative shortfall are failures. Docs: `docs/fuzzing.md`.
//!
//! ```sh
//! cargo run --locked --release --example fuzz_inputs -- [--inputs N] [--seed S] \
//!     [--start I] [--seconds-per-input T] [--save DIR] [--verbose] [--replay FILE]
//! ```
//!
//! The inputs run in a worker process (this program with `--worker`), so that an abort (a
//! failed allocation) or a hang ends only the worker: the input is recorded and a new
//! worker goes on from the next one. The inputs depend only on the seed and their index:
//! `--seed S --start I --inputs 1 --verbose` regenerates input `I` and shows its
//! mutations; `--replay FILE` runs a saved reproducer (`--save DIR`) again.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use shortfall::data::{self, Dataset, TableFiles};
use shortfall::engine::Step;
use shortfall::montecarlo::{self, Censored, McResults, PathResults, Paths, Settings, Summary};
use shortfall::network::Network;
use shortfall::runs::ScenarioFile;
use shortfall::scenario::Targets;

/// Draws of the static and of the dynamic Monte Carlo run of each input.
const STATIC_DRAWS: u64 = 30;
const DYNAMIC_DRAWS: u64 = 10;
/// The default number of inputs: about a minute on two cores in release.
const DEFAULT_INPUTS: u64 = 15_000;
/// The builder's tables, in the order of `TableFiles`.
const TABLES: [&str; 6] = [
    "regions",
    "products",
    "production",
    "trade",
    "recipes",
    "stocks",
];
/// The address space of a worker process, KiB (4 GiB), on Unix.
const WORKER_MEMORY_KIB: u64 = 4 << 20;
/// A run stops after this many hangs (each costs the time limit).
const MAX_HANGS: u64 = 10;
/// The scenario the networks and tables run with.
const SEED_SCENARIO: &str = "us_plus8_embargo";

/// What an input is, which decides how it is parsed and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ScenarioToml,
    ScenarioJson,
    NetworkJson,
    NetworkToml,
    /// One of the builder's tables (an index into `TABLES`), the others as shipped.
    Table(usize),
    /// A values file (prices, final goods, the market step), applied to the seed scenario.
    Values,
    /// A bridge to the embedded monetary table, run on the seed scenario.
    Bridge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Json,
    Csv,
}

impl Kind {
    fn format(self) -> Format {
        match self {
            Kind::ScenarioToml | Kind::NetworkToml | Kind::Values | Kind::Bridge => Format::Toml,
            Kind::ScenarioJson | Kind::NetworkJson => Format::Json,
            Kind::Table(_) => Format::Csv,
        }
    }

    /// The end of a reproducer's file name, which `--replay` reads the kind from.
    fn suffix(self) -> String {
        match self {
            Kind::ScenarioToml => "scenario.toml".into(),
            Kind::ScenarioJson => "scenario.json".into(),
            Kind::NetworkJson => "network.json".into(),
            Kind::NetworkToml => "network.toml".into(),
            Kind::Table(i) => format!("tables-{}.csv", TABLES[i]),
            Kind::Values => "values.toml".into(),
            Kind::Bridge => "bridge.toml".into(),
        }
    }

    /// The kind of a reproducer (`...-scenario.toml`), or of another file by its name: a
    /// table's (`trade.csv`), a network's (`*network*.json`), else a scenario's.
    fn from_file_name(name: &str) -> Option<Kind> {
        let kinds = [
            Kind::Values,
            Kind::Bridge,
            Kind::ScenarioToml,
            Kind::ScenarioJson,
            Kind::NetworkJson,
            Kind::NetworkToml,
        ];
        let mut all = kinds.into_iter().chain((0..TABLES.len()).map(Kind::Table));
        let network = name.contains("network");
        all.find(|k| name.ends_with(&k.suffix()))
            .or_else(|| match name.rsplit_once('.')?.1 {
                "csv" => TABLES
                    .iter()
                    .position(|t| name.ends_with(&format!("{t}.csv")))
                    .map(Kind::Table),
                "json" if network => Some(Kind::NetworkJson),
                "toml" if network => Some(Kind::NetworkToml),
                "json" => Some(Kind::ScenarioJson),
                "toml" => Some(Kind::ScenarioToml),
                _ => None,
            })
    }
}

/// A shipped input, the start of every mutated one.
struct Base {
    kind: Kind,
    name: String,
    text: String,
}

/// The shipped inputs and what the runs need, shared with the worker threads.
struct Corpus {
    bases: Vec<Base>,
    /// The shipped tables, `(file name, text)` in the order of `TABLES`.
    tables: Vec<(String, String)>,
    /// The embedded dataset (its `rebuild` builds mutated tables the same way).
    data: Dataset,
    /// The scenario networks and tables run with.
    seed: ScenarioFile,
}

/// A mutated input.
struct Input {
    index: u64,
    kind: Kind,
    base: String,
    text: String,
    mutations: Vec<String>,
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\nusage: fuzz_inputs [--inputs N] [--seed S] [--start I] [--seconds-per-input T] [--save DIR] [--verbose] [--replay FILE]");
            return ExitCode::from(2);
        }
    };
    let corpus = match corpus() {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("error: reading the shipped inputs: {e}");
            return ExitCode::from(2);
        }
    };
    quiet_panics();
    match &args.replay {
        Some(path) => replay(&corpus, path, &args),
        None if args.worker => worker(&corpus, &args),
        None => fuzz(&corpus, &args),
    }
}

struct Args {
    inputs: u64,
    seed: u64,
    start: u64,
    limit: Duration,
    save: Option<PathBuf>,
    verbose: bool,
    replay: Option<PathBuf>,
    /// Run the inputs in this process (see `worker`).
    worker: bool,
}

fn args() -> Result<Args, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut a = Args {
        inputs: DEFAULT_INPUTS,
        seed: 1,
        start: 0,
        limit: Duration::from_secs(5),
        save: None,
        verbose: false,
        replay: None,
        worker: false,
    };
    while let Some(arg) = parser.next()? {
        match arg {
            Long("inputs") => a.inputs = parser.value()?.parse()?,
            Long("seed") => a.seed = parser.value()?.parse()?,
            Long("start") => a.start = parser.value()?.parse()?,
            Long("seconds-per-input") => {
                let t: f64 = parser.value()?.parse()?;
                a.limit = Duration::try_from_secs_f64(t)
                    .map_err(|_| "--seconds-per-input: a positive number of seconds")?;
            }
            Long("save") => a.save = Some(parser.value()?.into()),
            Long("verbose") => a.verbose = true,
            Long("replay") => a.replay = Some(parser.value()?.into()),
            Long("worker") => a.worker = true,
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(a)
}

/// The shipped inputs: `scenarios/*.toml` and the same as JSON, the embedded network as
/// JSON and TOML, and the builder's tables.
fn corpus() -> Result<Corpus, Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bases = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    for path in &files {
        let name = format!(
            "scenarios/{}",
            path.file_name().unwrap_or_default().display()
        );
        let text = std::fs::read_to_string(path)?;
        // The JSON rendering of the parsed file, when it parses and serialises.
        let json = ScenarioFile::from_toml(&text, &name)
            .ok()
            .and_then(|f| serde_json::to_string_pretty(&f).ok());
        bases.push(Base {
            kind: Kind::ScenarioToml,
            name: name.clone(),
            text,
        });
        if let Some(text) = json {
            bases.push(Base {
                kind: Kind::ScenarioJson,
                name: format!("{name} as JSON"),
                text,
            });
        }
    }
    let data = data::rare_earths_2024();
    bases.push(Base {
        kind: Kind::NetworkJson,
        name: "rare_earths_2024 network as JSON".into(),
        text: data::network_to_json(&data.network)?,
    });
    if let Ok(text) = data::network_to_toml(&data.network) {
        bases.push(Base {
            kind: Kind::NetworkToml,
            name: "rare_earths_2024 network as TOML".into(),
            text,
        });
    }
    let mut tables = Vec::new();
    for (i, t) in TABLES.iter().enumerate() {
        let name = format!("data/rare_earths_2024/{t}.csv");
        let text = std::fs::read_to_string(root.join(&name))?;
        bases.push(Base {
            kind: Kind::Table(i),
            name: name.clone(),
            text: text.clone(),
        });
        tables.push((name, text));
    }
    for (kind, name) in [
        (Kind::Values, "scenarios/values/rare_earths_2024.toml"),
        (Kind::Bridge, "data/mrio_2022/bridge.toml"),
    ] {
        bases.push(Base {
            kind,
            name: name.into(),
            text: std::fs::read_to_string(root.join(name))?,
        });
    }
    // The shipped values with the dynamic engine's price adjustment and precautionary
    // buying (docs/model.md §7.5, §7.6), which the shipped file leaves out.
    let shipped = std::fs::read_to_string(root.join("scenarios/values/rare_earths_2024.toml"))?;
    bases.push(Base {
        kind: Kind::Values,
        name: "values with precaution".into(),
        text: shipped.replacen(
            "leakage_elasticity = 0.0\n",
            "leakage_elasticity = 0.0\nadjust_days = 14.0\nprecaution = { days = 30.0, lead = 0.25 }\n",
            1,
        ),
    });
    let seed = ScenarioFile::named(SEED_SCENARIO)?;
    Ok(Corpus {
        bases,
        tables,
        data,
        seed,
    })
}

// ---------------------------------------------------------------------------------------
// Running one input.

/// What running an input gave, short of a panic or a hang.
#[derive(Default)]
struct Outcome {
    /// The input parsed.
    parsed: bool,
    /// The first error of the library (the expected outcome for bad input).
    error: Option<String>,
    /// NaN, an infinity or a negative shortfall in a result.
    bad: Option<String>,
}

/// Parses an input through the public parsers and runs what parses.
fn run_one(corpus: &Corpus, kind: Kind, text: &str) -> Outcome {
    let mut out = Outcome::default();
    let file = format!("fuzz-{}", kind.suffix());
    let network = match kind {
        Kind::ScenarioToml | Kind::ScenarioJson => {
            let parsed = if kind == Kind::ScenarioToml {
                ScenarioFile::from_toml(text, &file)
            } else {
                ScenarioFile::from_json(text, &file)
            };
            match parsed {
                Ok(f) => {
                    out.parsed = true;
                    match f.data() {
                        Ok(d) => run_scenario(&d.network, &f, true, &mut out),
                        Err(e) => out.note(e),
                    }
                }
                Err(e) => out.note(e),
            }
            return out;
        }
        Kind::NetworkJson => data::network_from_json(text, &file),
        Kind::NetworkToml => data::network_from_toml(text, &file),
        Kind::Values | Kind::Bridge => {
            run_values(corpus, kind, text, &file, &mut out);
            return out;
        }
        Kind::Table(i) => {
            let f = |j: usize| {
                let (name, shipped) = &corpus.tables[j];
                (name.as_str(), if j == i { text } else { shipped.as_str() })
            };
            let files = TableFiles {
                regions: f(0),
                products: f(1),
                production: f(2),
                trade: f(3),
                recipes: f(4),
                stocks: f(5),
            };
            match data::tables_from_strs(files) {
                Ok(tables) => {
                    out.parsed = true;
                    corpus.data.rebuild(tables).map(|d| d.network)
                }
                Err(e) => {
                    out.note(e);
                    return out;
                }
            }
        }
    };
    match network {
        Ok(net) => {
            out.parsed = true;
            run_scenario(&net, &corpus.seed, false, &mut out);
        }
        Err(e) => out.note(e),
    }
    out
}

impl Outcome {
    fn note(&mut self, e: impl std::fmt::Display) {
        self.error.get_or_insert_with(|| e.to_string());
    }

    fn check(&mut self, r: Result<(), String>) {
        if let Err(bad) = r {
            self.bad.get_or_insert(bad);
        }
    }
}

/// A values file applied to the seed scenario and run in money (docs/model.md §7.1-7.3),
/// or a bridge run on the seed scenario's median (§7.4).
fn run_values(corpus: &Corpus, kind: Kind, text: &str, file: &str, out: &mut Outcome) {
    let net = &corpus.data.network;
    if kind == Kind::Values {
        let values = match shortfall::runs::ValuesFile::from_toml(text, file) {
            Ok(v) => v,
            Err(e) => return out.note(e),
        };
        out.parsed = true;
        let mut spec = corpus.seed.scenario.clone();
        values.apply(&mut spec);
        let settings = small(&corpus.seed.monte_carlo, STATIC_DRAWS);
        let bloc = Targets::Bloc("US+8".into());
        match shortfall::runs::money(net, &spec, &settings, &bloc, &["ndfeb_magnet_dy"]) {
            Ok(m) => {
                let rows = m.rows.iter().flat_map(|r| {
                    [
                        // Signed (docs/model.md §7.3): inputs saved count against it.
                        ("value added (signed)", r.value_added[1]),
                        ("final goods", r.final_goods[1]),
                    ]
                });
                let prices = m.prices.iter().map(|p| ("price", p.ratio[1]));
                out.check(check_values("money", rows.chain(prices)));
            }
            Err(e) => out.note(e),
        }
        // The same values priced in time (docs/model.md §7.5): a year in months.
        let monthly = shortfall::engine::DynamicSettings {
            step: Step::Month,
            steps: 12,
            ..Default::default()
        };
        let few = small(&corpus.seed.monte_carlo, 4);
        match shortfall::runs::price_paths(net, &spec, &few, monthly, "dytb_oxide") {
            Ok(p) => {
                let bands = p.paths.iter().flatten().map(|b| ("price path", b[1]));
                out.check(check_values("price paths", bands));
            }
            Err(e) => out.note(e),
        }
        return;
    }
    let spec = match shortfall::engine::BridgeSpec::from_toml(text, file) {
        Ok(s) => s,
        Err(e) => return out.note(e),
    };
    out.parsed = true;
    let r = corpus.seed.scenario.median();
    let table = match data::mrio_2022() {
        Ok(t) => t,
        Err(e) => return out.note(e),
    };
    let settings = shortfall::engine::DynamicSettings {
        mode: shortfall::engine::Mode::Ario,
        step: Step::Week,
        ..Default::default()
    };
    match shortfall::engine::Bridged::new(net, &r, &table, &spec, settings, 0.25)
        .and_then(|b| shortfall::engine::Engine::evaluate(&b, net, &r))
    {
        Ok(o) => {
            let all = o.value_added_lost.iter().chain(&o.capacity_loss);
            if let Some(v) = all.clone().find(|v| !v.is_finite()) {
                out.check(Err(format!("bridge: a non-finite figure {v}")));
            }
            if let Some(v) = o.capacity_loss.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                out.check(Err(format!("bridge: a capacity loss {v} outside [0, 1]")));
            }
        }
        Err(e) => out.note(e),
    }
}

/// Small Monte Carlo settings: few draws, one thread, a stopping rule cut to size.
fn small(settings: &Settings, draws: u64) -> Settings {
    let mut s = settings.clone();
    s.draws = draws;
    s.threads = Some(1);
    if let Some(stop) = &mut s.stop {
        stop.batch = stop.batch.min(draws);
        stop.max_draws = stop.max_draws.min(4 * draws);
    }
    s
}

/// The scenario through the static cascade (as `montecarlo::run`), in time (as
/// `run_scenario --dynamic` does) and, for a file with observed figures, as a named run.
fn run_scenario(net: &Network, file: &ScenarioFile, named: bool, out: &mut Outcome) {
    let settings = small(&file.monte_carlo, STATIC_DRAWS);
    match montecarlo::run(net, &file.scenario, &settings, None) {
        Ok(r) => out.check(check_static(&r)),
        Err(e) => out.note(e),
    }
    // In time: a year when the file gives no run length, in the file's step or weeks.
    let mut spec = file.scenario.clone();
    spec.run_length = spec.run_length.or(Some(1.0));
    let mut dynamic = file.dynamic.clone().unwrap_or_default();
    dynamic.step = file.dynamic.as_ref().map_or(Step::Week, |d| d.step);
    let paths = file
        .paths
        .clone()
        .unwrap_or_else(|| Paths::new(Targets::Bloc("US+8".into()), "ndfeb_magnet_dy"));
    let settings = small(&file.monte_carlo, DYNAMIC_DRAWS);
    match montecarlo::run_paths(net, &spec, &dynamic, &settings, &paths) {
        Ok(r) => out.check(check_paths(&r)),
        Err(e) => out.note(e),
    }
    if named && !file.observed.is_empty() {
        let mut small_file = file.clone();
        small_file.monte_carlo = settings;
        match shortfall::runs::run_named(&small_file) {
            Ok(r) => out.check(check_paths(&r.paths)),
            Err(e) => out.note(e),
        }
    }
}

/// Every figure finite and no shortfall, share or time below zero (beyond rounding); a
/// figure named `(signed)` may be negative.
fn check_values<'a>(
    what: &str,
    values: impl Iterator<Item = (&'a str, f64)>,
) -> Result<(), String> {
    let values: Vec<(&str, f64)> = values.collect();
    let scale = values
        .iter()
        .map(|(_, v)| v.abs())
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    for (name, v) in values {
        if !v.is_finite() {
            return Err(format!("{what}: {name} = {v}"));
        }
        if v < -1e-9 * scale && !name.ends_with("(signed)") {
            return Err(format!("{what}: {name} = {v} < 0"));
        }
    }
    Ok(())
}

fn check_summary(s: &Summary) -> Result<(), String> {
    let quantiles = s.quantiles.iter().map(|q| ("quantile", q.value));
    let values = [("mean", s.mean), ("min", s.min), ("max", s.max)];
    check_values(
        &format!("`{}`", s.name),
        values.into_iter().chain(quantiles),
    )
}

fn check_censored(c: &Censored) -> Result<(), String> {
    if !(0.0..=1.0).contains(&c.probability) {
        return Err(format!("`{}`: probability = {}", c.name, c.probability));
    }
    c.given.as_ref().map_or(Ok(()), check_summary)
}

fn check_static(r: &McResults) -> Result<(), String> {
    r.outcomes.iter().try_for_each(check_summary)
}

fn check_paths(r: &PathResults) -> Result<(), String> {
    let base = [("baseline per step", r.baseline_per_step)];
    check_values("paths", base.into_iter())?;
    for f in &r.fan {
        let values = [
            ("mean", f.mean),
            ("p05", f.p05),
            ("p50", f.p50),
            ("p95", f.p95),
        ];
        check_values(&format!("fan step {}", f.step), values.into_iter())?;
    }
    r.cumulative.iter().try_for_each(check_summary)?;
    [
        &r.input_constrained,
        &r.inventory_empty,
        &r.stock_out,
        &r.recovery,
        &r.first_stoppage,
    ]
    .into_iter()
    .flatten()
    .try_for_each(check_censored)
}

// ---------------------------------------------------------------------------------------
// Panics, hangs and the worker thread.

/// The first panic message of the running input, with its location.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// A panic hook that prints nothing and keeps the message, where it was raised and the
/// innermost function of the crate on the stack (the place to look when the panic comes
/// from a dependency or the standard library).
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        let at = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        let trace = std::backtrace::Backtrace::force_capture().to_string();
        let within = trace
            .lines()
            .filter_map(|l| l.trim().split_once(": ").map(|(_, f)| f))
            .find(|f| f.contains("shortfall::"))
            .map(|f| format!(" (in {f})"))
            .unwrap_or_default();
        if let Ok(mut p) = PANIC.lock() {
            p.get_or_insert(format!("{message}{at}{within}"));
        }
    }));
}

enum Verdict {
    Done(Outcome),
    Panic(String),
    Hang,
}

/// Runs an input (parsing included) on a worker thread and waits at most `limit`.
fn run_limited(corpus: &Arc<Corpus>, kind: Kind, text: &Arc<str>, limit: Duration) -> Verdict {
    if let Ok(mut p) = PANIC.lock() {
        *p = None;
    }
    let (tx, rx) = mpsc::channel();
    let (corpus, text) = (Arc::clone(corpus), Arc::clone(text));
    let spawned = std::thread::Builder::new()
        .name("fuzz-input".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_one(&corpus, kind, &text)
            }));
            let _ = tx.send(r.ok());
        });
    if let Err(e) = spawned {
        return Verdict::Panic(format!("could not start a worker thread: {e}"));
    }
    match rx.recv_timeout(limit) {
        Ok(Some(outcome)) => Verdict::Done(outcome),
        Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => Verdict::Panic(
            PANIC
                .lock()
                .ok()
                .and_then(|p| p.clone())
                .unwrap_or_else(|| "(no message)".into()),
        ),
        Err(mpsc::RecvTimeoutError::Timeout) => Verdict::Hang,
    }
}

// ---------------------------------------------------------------------------------------
// The fuzzing loop: a worker process runs the inputs, this process watches it.
//
// An allocation that fails aborts a process (no unwinding), so the inputs run in a child
// process (this program with `--worker`) that prints one line per input. When the child
// dies before reporting an input, that input is recorded as a panic (an abort) and a new
// child goes on from the next one; after a hang the child reports it and exits, since its
// worker thread cannot be stopped, and a new child goes on too.

/// The worker: runs the inputs, one line per input on stdout, `@INDEX STATUS MESSAGE`
/// with STATUS `rejected`, `parsed`, `bad`, `panic` or `hang`; exits after a hang.
fn worker(corpus: &Arc<Corpus>, args: &Args) -> ExitCode {
    println!("@ready");
    for index in args.start..args.start.saturating_add(args.inputs) {
        let input = generate(corpus, args.seed, index);
        let text: Arc<str> = input.text.as_str().into();
        let (status, message) = match run_limited(corpus, input.kind, &text, args.limit) {
            Verdict::Done(o) => match (o.bad, o.parsed) {
                (Some(bad), _) => ("bad", bad),
                (None, parsed) => {
                    let status = if parsed { "parsed" } else { "rejected" };
                    (status, o.error.unwrap_or_else(|| "no error".into()))
                }
            },
            Verdict::Panic(m) => ("panic", m),
            Verdict::Hang => ("hang", format!("no result within {:?}", args.limit)),
        };
        println!("@{index} {status} {}", one_line(&message));
        if status == "hang" {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

#[derive(Default)]
struct Tally {
    run: u64,
    parsed: u64,
    panics: u64,
    hangs: u64,
    bad: u64,
}

/// Runs `args.inputs` inputs in worker processes and reports the failures.
fn fuzz(corpus: &Corpus, args: &Args) -> ExitCode {
    let started = Instant::now();
    let mut tally = Tally::default();
    let end = args.start.saturating_add(args.inputs);
    let mut next = args.start;
    while next < end {
        let (mut child, stdout, stderr) = match spawn_worker(args, next, end - next) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: could not start a worker process: {e}");
                return ExitCode::from(2);
            }
        };
        let (mut ready, mut hung) = (false, false);
        for line in stdout.lines().map_while(Result::ok) {
            ready |= line == "@ready";
            let Some((index, status, message)) = parse_line(&line) else {
                continue;
            };
            next = index + 1;
            hung |= status == "hang";
            tally.run += 1;
            tally.parsed += u64::from(matches!(status, "parsed" | "bad"));
            match status {
                "panic" => tally.panics += 1,
                "hang" => tally.hangs += 1,
                "bad" => tally.bad += 1,
                _ => {
                    if args.verbose {
                        let input = generate(corpus, args.seed, index);
                        eprintln!("input {index}: {}\n  {status}: {message}", describe(&input));
                    }
                    continue;
                }
            }
            report(&generate(corpus, args.seed, index), status, message, args);
        }
        let status = child.wait();
        let stderr = stderr.join().unwrap_or_default();
        if !ready {
            eprintln!("error: the worker process did not start:\n{stderr}");
            return ExitCode::from(2);
        }
        if next < end && !hung {
            // The worker died on input `next` without a word: an abort (a failed
            // allocation, a stack overflow), counted with the panics.
            let first = stderr.lines().next().unwrap_or("no message");
            let how = status.map_or_else(|e| e.to_string(), |s| s.to_string());
            tally.run += 1;
            tally.panics += 1;
            let message = format!("the worker process died ({how}): {first}");
            report(&generate(corpus, args.seed, next), "panic", &message, args);
            next += 1;
        }
        if tally.hangs >= MAX_HANGS {
            println!("stopping after {MAX_HANGS} hangs");
            break;
        }
    }
    finish(&tally, started, args.seed)
}

type Worker = (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    std::thread::JoinHandle<String>,
);

/// This program with `--worker` from input `start`: the child, its stdout, and its
/// stderr's text when it ends.
fn spawn_worker(args: &Args, start: u64, inputs: u64) -> std::io::Result<Worker> {
    let exe = std::env::current_exe()?;
    // On Unix, a shell caps the worker's address space first, so that a huge allocation
    // fails (an abort, reported) instead of taking the machine's memory.
    let mut command = if cfg!(unix) {
        let mut sh = Command::new("sh");
        let cap = format!("ulimit -v {WORKER_MEMORY_KIB} 2>/dev/null; exec \"$0\" \"$@\"");
        sh.arg("-c").arg(cap).arg(exe);
        sh
    } else {
        Command::new(exe)
    };
    let mut child = command
        .arg("--worker")
        .args(["--seed", &args.seed.to_string()])
        .args(["--start", &start.to_string()])
        .args(["--inputs", &inputs.to_string()])
        .args(["--seconds-per-input", &args.limit.as_secs_f64().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(std::io::Error::other("no pipes to the worker"));
    };
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    Ok((child, BufReader::new(stdout), stderr))
}

/// A worker's line `@INDEX STATUS MESSAGE`.
fn parse_line(line: &str) -> Option<(u64, &str, &str)> {
    let mut parts = line.strip_prefix('@')?.splitn(3, ' ');
    let index = parts.next()?.parse().ok()?;
    Some((index, parts.next()?, parts.next().unwrap_or("")))
}

/// What an input is and how it was made.
fn describe(input: &Input) -> String {
    format!(
        "{} from {}; mutations: {}",
        input.kind.suffix(),
        input.base,
        input.mutations.join("; ")
    )
}

/// Prints a failure and saves its reproducer.
fn report(input: &Input, what: &str, message: &str, args: &Args) {
    println!(
        "FAIL {what}: seed {} input {}: {}\n  {}",
        args.seed,
        input.index,
        one_line(message),
        describe(input)
    );
    if let Some(dir) = &args.save {
        let name = format!(
            "{what}-seed{}-{:06}-{}",
            args.seed,
            input.index,
            input.kind.suffix()
        );
        let path = dir.join(name);
        let written =
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, &input.text));
        match written {
            Ok(()) => println!("  saved: {}", path.display()),
            Err(e) => println!("  could not save {}: {e}", path.display()),
        }
    }
}

fn finish(t: &Tally, started: Instant, seed: u64) -> ExitCode {
    let failures = t.panics + t.hangs + t.bad;
    let rate = t.run as f64 / started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "fuzz: {} inputs, {} parsed, {failures} failures (panics {}, hangs {}, bad values {}), {rate:.1} inputs/s, seed {seed}",
        t.run, t.parsed, t.panics, t.hangs, t.bad
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs a saved reproducer; its kind is in its file name (`...-scenario.toml`).
fn replay(corpus: &Arc<Corpus>, path: &Path, args: &Args) -> ExitCode {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let (Some(kind), Ok(text)) = (Kind::from_file_name(&name), std::fs::read_to_string(path))
    else {
        eprintln!(
            "error: {}: not a readable scenario (.toml, .json), network (*network*.toml, *network*.json) or table (<table>.csv) file",
            path.display()
        );
        return ExitCode::from(2);
    };
    let text: Arc<str> = text.into();
    let verdict = run_limited(corpus, kind, &text, args.limit);
    let (line, failed) = match verdict {
        Verdict::Done(o) => {
            let error = o.error.as_deref().unwrap_or("no error");
            let line = format!("parsed: {}; {}", o.parsed, one_line(error));
            match o.bad {
                Some(b) => (format!("bad value: {b} ({line})"), true),
                None => (line, false),
            }
        }
        Verdict::Panic(m) => (format!("panic: {}", one_line(&m)), true),
        Verdict::Hang => (format!("hang: no result within {:?}", args.limit), true),
    };
    println!("{}: {line}", path.display());
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A message on one line, cut to a readable length.
fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.char_indices().nth(400) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

// ---------------------------------------------------------------------------------------
// Mutations.

/// Input `index` of `seed`: a shipped input with one to four mutations. It depends only on
/// the seed and the index (a ChaCha8 stream per index).
fn generate(corpus: &Corpus, seed: u64, index: u64) -> Input {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    let base = &corpus.bases[rng.random_range(0..corpus.bases.len())];
    let count = 1 + rng.random::<u32>().trailing_zeros().min(3);
    let mut text = base.text.clone();
    let mut mutations = Vec::new();
    for _ in 0..count {
        let (t, what) = mutate(&mut rng, &text, base.kind.format(), corpus);
        text = t;
        mutations.push(what);
    }
    Input {
        index,
        kind: base.kind,
        base: base.name.clone(),
        text,
        mutations,
    }
}

/// One mutation of `text`, and what it did.
fn mutate(rng: &mut ChaCha8Rng, text: &str, format: Format, corpus: &Corpus) -> (String, String) {
    let roll = rng.random_range(0..100);
    let structured = match roll {
        30..50 => match format {
            Format::Csv => csv_column(rng, text),
            _ => tree(rng, text, format),
        },
        90..100 if format == Format::Toml => toml_table(rng, text),
        90..100 if format == Format::Json => tree(rng, text, format),
        _ => None,
    };
    if let Some(done) = structured {
        return done;
    }
    let mut lines: Vec<&str> = text.lines().collect();
    let line = |rng: &mut ChaCha8Rng, n: usize| rng.random_range(0..n.max(1));
    match roll {
        50..58 if !lines.is_empty() => {
            let i = line(rng, lines.len());
            let what = format!("deleted line {}: `{}`", i + 1, cut(lines[i]));
            lines.remove(i);
            (join(&lines), what)
        }
        58..64 if !lines.is_empty() => {
            let i = line(rng, lines.len());
            lines.insert(i, lines[i]);
            (
                join(&lines),
                format!("duplicated line {}: `{}`", i + 1, cut(lines[i])),
            )
        }
        64..70 if !lines.is_empty() => {
            let (i, j) = (line(rng, lines.len()), line(rng, lines.len()));
            lines.swap(i, j);
            (
                join(&lines),
                format!("swapped lines {} and {}", i + 1, j + 1),
            )
        }
        70..78 if !text.is_empty() => {
            let mut bytes = text.as_bytes().to_vec();
            let i = rng.random_range(0..bytes.len());
            let old = bytes[i];
            bytes[i] = if rng.random_bool(0.5) {
                old ^ (1 << rng.random_range(0..8))
            } else {
                b" \n\"'[]{}=,.-+#0123456789eE"[rng.random_range(0..26)]
            };
            let what = format!("byte {i}: {:?} -> {:?}", old as char, bytes[i] as char);
            (String::from_utf8_lossy(&bytes).into_owned(), what)
        }
        78..84 if !text.is_empty() => {
            let i = rng.random_range(0..text.len());
            let bytes = &text.as_bytes()[..i];
            (
                String::from_utf8_lossy(bytes).into_owned(),
                format!("truncated at byte {i} of {}", text.len()),
            )
        }
        84..90 => splice(rng, &lines, corpus),
        _ => number(rng, text, format),
    }
}

fn join(lines: &[&str]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// A short excerpt of a line for a mutation's description.
fn cut(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// Values at the edges of what numbers can be, in the spelling of the format.
fn interesting(rng: &mut ChaCha8Rng, format: Format) -> &'static str {
    const COMMON: [&str; 17] = [
        "0",
        "-1",
        "1",
        "2",
        "0.5",
        "1e308",
        "-1e308",
        "1e-320",
        "5e-324",
        "1e7",
        "10000000",
        "1e300",
        "18446744073709551615",
        "9223372036854775807",
        "-9223372036854775808",
        "-0.0",
        "1e-9",
    ];
    let special: [&str; 3] = match format {
        Format::Toml => ["nan", "inf", "-inf"],
        Format::Json => ["NaN", "1e999", "-1e999"],
        Format::Csv => ["NaN", "inf", "-inf"],
    };
    let i = rng.random_range(0..COMMON.len() + special.len());
    COMMON
        .get(i)
        .copied()
        .unwrap_or_else(|| special[i - COMMON.len()])
}

/// A number of the text replaced by an interesting value.
fn number(rng: &mut ChaCha8Rng, text: &str, format: Format) -> (String, String) {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts =
            b[i].is_ascii_digit() || (b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let glued = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b"_.+-".contains(&b[i - 1]));
        if b[i] == b'#' && (i == 0 || b[i - 1] == b'\n') {
            // A comment line: its numbers mean nothing to the parsers.
            i += text[i..].find('\n').unwrap_or(text.len() - i);
        } else if starts && !glued {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_digit() || b"._eE+-".contains(&b[j])) {
                j += 1;
            }
            spans.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    let value = interesting(rng, format);
    if spans.is_empty() {
        return (format!("{text}{value}"), format!("appended {value}"));
    }
    let (s, e) = spans[rng.random_range(0..spans.len())];
    let line = text[..s].matches('\n').count() + 1;
    let context = text.lines().nth(line - 1).unwrap_or("");
    let what = format!(
        "line {line}: {} -> {value} in `{}`",
        &text[s..e],
        cut(context.trim())
    );
    (format!("{}{value}{}", &text[..s], &text[e..]), what)
}

/// The head of this input up to a line, then another shipped input from a line.
fn splice(rng: &mut ChaCha8Rng, lines: &[&str], corpus: &Corpus) -> (String, String) {
    let other = &corpus.bases[rng.random_range(0..corpus.bases.len())];
    let theirs: Vec<&str> = other.text.lines().collect();
    let i = rng.random_range(0..=lines.len());
    let j = rng.random_range(0..=theirs.len());
    let mut joined = lines[..i].to_vec();
    joined.extend_from_slice(&theirs[j..]);
    let what = format!(
        "spliced lines 1-{i} with {} from line {}",
        other.name,
        j + 1
    );
    (join(&joined), what)
}

/// A TOML table (a `[header]` to the next) deleted or duplicated.
fn toml_table(rng: &mut ChaCha8Rng, text: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let headers: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with('['))
        .collect();
    let k = rng.random_range(0..headers.len().max(1));
    let start = *headers.get(k)?;
    let end = headers.get(k + 1).copied().unwrap_or(lines.len());
    let block = &lines[start..end];
    let mut out = lines[..start].to_vec();
    let what = if rng.random_bool(0.5) {
        format!("deleted table `{}`", lines[start].trim())
    } else {
        out.extend_from_slice(block);
        out.extend_from_slice(block);
        format!("duplicated table `{}`", lines[start].trim())
    };
    out.extend_from_slice(&lines[end..]);
    Some((join(&out), what))
}

/// Stands for an interesting number in a tree until it is written out as text.
const PLACEHOLDER: &str = "__fuzz_number__";

/// A mutation of the document's tree (TOML or JSON): a key or element deleted, an array
/// element duplicated, a value replaced by an interesting number, or a string by another
/// string of the document.
fn tree(rng: &mut ChaCha8Rng, text: &str, format: Format) -> Option<(String, String)> {
    let mut doc: Value = match format {
        Format::Toml => toml::from_str(text).ok()?,
        _ => serde_json::from_str(text).ok()?,
    };
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    all.remove(0); // the root
    let pick = |rng: &mut ChaCha8Rng, among: &[String]| -> Option<String> {
        (!among.is_empty()).then(|| among[rng.random_range(0..among.len())].clone())
    };
    let mut number = None;
    let what = match rng.random_range(0..4) {
        0 => {
            let p = pick(rng, &all)?;
            let (parent, last) = p.rsplit_once('/')?;
            match doc.pointer_mut(parent)? {
                Value::Object(m) => m.remove(&last.replace("~1", "/").replace("~0", "~"))?,
                Value::Array(a) => a.remove(last.parse().ok()?),
                _ => return None,
            };
            format!("deleted {p}")
        }
        1 => {
            let arrays: Vec<String> = all
                .iter()
                .filter(|p| {
                    doc.pointer(p)
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty())
                })
                .cloned()
                .collect();
            let p = pick(rng, &arrays)?;
            let a = doc.pointer_mut(&p)?.as_array_mut()?;
            let i = rng.random_range(0..a.len());
            a.insert(i, a[i].clone());
            format!("duplicated {p}/{i}")
        }
        2 => {
            // Mostly numbers; sometimes any value, for a number where a table is due.
            let numbers: Vec<String> = all
                .iter()
                .filter(|p| doc.pointer(p).is_some_and(Value::is_number))
                .cloned()
                .collect();
            let among = if numbers.is_empty() || rng.random_bool(0.2) {
                &all
            } else {
                &numbers
            };
            let p = pick(rng, among)?;
            let value = interesting(rng, format);
            let slot = doc.pointer_mut(&p)?;
            let old = cut(&slot.to_string());
            *slot = Value::String(PLACEHOLDER.into());
            number = Some(value);
            format!("{p}: {old} -> {value}")
        }
        _ => {
            let strings: Vec<String> = all
                .iter()
                .filter(|p| doc.pointer(p).is_some_and(Value::is_string))
                .cloned()
                .collect();
            let (to, from) = (pick(rng, &strings)?, pick(rng, &strings)?);
            let value = doc.pointer(&from)?.clone();
            let slot = doc.pointer_mut(&to)?;
            let what = format!("{to}: {slot} -> {value}");
            *slot = value;
            what
        }
    };
    let mut out = match format {
        Format::Toml => toml::to_string(&doc).ok()?,
        _ => serde_json::to_string_pretty(&doc).ok()?,
    };
    if let Some(v) = number {
        out = out.replace(&format!("\"{PLACEHOLDER}\""), v);
    }
    Some((out, what))
}

/// The JSON pointer of every value of the tree, the root first.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(c, format!("{at}/{key}"), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A CSV column deleted or duplicated.
fn csv_column(rng: &mut ChaCha8Rng, text: &str) -> Option<(String, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().ok()?;
    let width = rows.first()?.len();
    if width == 0 {
        return None;
    }
    let j = rng.random_range(0..width);
    let name = rows[0].get(j).unwrap_or("").to_string();
    let duplicate = rng.random_bool(0.5);
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in &rows {
        let mut fields: Vec<&str> = row.iter().collect();
        if j < fields.len() {
            if duplicate {
                fields.insert(j, fields[j]);
            } else {
                fields.remove(j);
            }
        }
        writer.write_record(&fields).ok()?;
    }
    let out = String::from_utf8(writer.into_inner().ok()?).ok()?;
    let what = if duplicate { "duplicated" } else { "deleted" };
    Some((out, format!("{what} column `{name}`")))
}
