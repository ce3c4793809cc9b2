//! What every named-scenario example does: read `scenarios/<name>.toml`, run it in time on
//! its embedded dataset, print each member's shortfall, running-out and stoppage
//! distribution and the comparison with the record, with `--out` write the results and
//! with `--plot DIR` the fan chart of the group's shortfall (`DIR/<name>_fan.svg`).
//!
//! Options: `--draws N`, `--seed S`, `--threads T`, `--out FILE.json|FILE.csv`,
//! `--plot DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use shortfall::runs::ScenarioFile;

/// Runs the named scenario; the exit code says whether it succeeded.
pub fn main(name: &str) -> ExitCode {
    match go(name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "usage: {name} [--draws N] [--seed S] [--threads T] [--out FILE.json|FILE.csv] [--plot DIR]"
            );
            ExitCode::FAILURE
        }
    }
}

fn go(name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut file = ScenarioFile::named(name)?;
    let (mut out, mut plot): (Option<PathBuf>, Option<PathBuf>) = (None, None);
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        use lexopt::prelude::*;
        let mc = &mut file.monte_carlo;
        match arg {
            Long("draws") => mc.draws = parser.value()?.parse()?,
            Long("seed") => mc.seed = parser.value()?.parse()?,
            Long("threads") => mc.threads = Some(parser.value()?.parse()?),
            Long("out") => out = Some(parser.value()?.into()),
            Long("plot") => plot = Some(parser.value()?.into()),
            _ => return Err(arg.unexpected().into()),
        }
    }
    // Where results go is checked before the run, not after it.
    if let Some(out) = &out {
        shortfall::report::check_writable(out, &["json", "csv"])?;
    }
    if let Some(dir) = &plot {
        shortfall::report::check_folder(dir)?;
    }
    let run = shortfall::runs::run_named(&file)
        .map_err(|e| e.in_file(&format!("scenarios/{name}.toml")))?;
    println!("{run}");
    if let Some(out) = out {
        run.write(&out)?;
        println!("results written to {}", out.display());
    }
    if let Some(dir) = plot {
        let path =
            shortfall::plot::Plot::fan_chart(&run.paths)?.save_in(dir, &format!("{name}_fan"))?;
        println!("fan chart written to {}", path.display());
    }
    Ok(())
}
