//! What every named-scenario example does: read `scenarios/<name>.toml`, run it in time on
//! its embedded dataset, print each member's shortfall, running-out and stoppage
//! distribution and the comparison with the record, and with `--out` write the results.
//!
//! Options: `--draws N`, `--seed S`, `--threads T`, `--out FILE.json|FILE.csv`.

use std::path::PathBuf;
use std::process::ExitCode;

use shortfall::scenario::ScenarioFile;

/// Runs the named scenario; the exit code says whether it succeeded.
pub fn main(name: &str) -> ExitCode {
    match go(name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "usage: {name} [--draws N] [--seed S] [--threads T] [--out FILE.json|FILE.csv]"
            );
            ExitCode::FAILURE
        }
    }
}

fn go(name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let mut file = ScenarioFile::read(&path)?;
    let mut out: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        use lexopt::prelude::*;
        let mc = &mut file.monte_carlo;
        match arg {
            Long("draws") => mc.draws = parser.value()?.parse()?,
            Long("seed") => mc.seed = parser.value()?.parse()?,
            Long("threads") => mc.threads = Some(parser.value()?.parse()?),
            Long("out") => out = Some(parser.value()?.into()),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let run = shortfall::validation::run_named(&file)?;
    println!("{run}");
    if let Some(out) = out {
        run.write(&out)?;
        println!("results written to {}", out.display());
    }
    Ok(())
}
