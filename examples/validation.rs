//! The validation table (docs/validation.md §9): every named scenario's out-of-sample
//! figures against their simulated 90% intervals, coverage against the binomial band,
//! and the interval score per episode.
//!
//! Run: `cargo run --release --example validation [-- --check FILE | --write FILE]`.
//! `--check docs/validation.md` fails when the table between the file's markers is not
//! the one this run gives; `--write` puts it there (atomically).

use std::process::ExitCode;

/// The markers around the generated table in docs/validation.md.
const BEGIN: &str = "<!-- validation table: cargo run --release --example validation -- --write docs/validation.md -->";
const END: &str = "<!-- end of validation table -->";

fn main() -> ExitCode {
    match go() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("usage: validation [--check FILE | --write FILE]");
            ExitCode::FAILURE
        }
    }
}

fn go() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (mut check, mut write) = (None, None);
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        use lexopt::prelude::*;
        match arg {
            Long("check") => check = Some(std::path::PathBuf::from(parser.value()?)),
            Long("write") => write = Some(std::path::PathBuf::from(parser.value()?)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let table = shortfall::runs::validation()?;
    let block = format!("{BEGIN}\n```text\n{table}```\n{END}");
    println!("{table}");
    let Some(path) = check.as_ref().or(write.as_ref()) else {
        return Ok(ExitCode::SUCCESS);
    };
    let text = std::fs::read_to_string(path)?;
    let (Some(a), Some(b)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!("{}: no validation table markers", path.display()).into());
    };
    let current = &text[a..b + END.len()];
    if check.is_some() {
        if current == block {
            println!("{}: the validation table is current", path.display());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "{}: the validation table differs from this run's; regenerate it with --write",
            path.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    let updated = format!("{}{block}{}", &text[..a], &text[b + END.len()..]);
    shortfall::report::write_atomic(path, updated.as_bytes())?;
    println!("{}: the validation table written", path.display());
    Ok(ExitCode::SUCCESS)
}
