//! The named scenario `scenarios/japan_2010.toml` in time: each member's shortfall, running-out
//! and stoppage distribution, and Japan's monthly imports from China beside the record (docs/validation.md).
//!
//! Run: `cargo run --release --example japan_2010 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("japan_2010")
}
