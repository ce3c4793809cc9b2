//! The named scenario `scenarios/us_plus8_embargo.toml` in time: each member's shortfall, running-out
//! and stoppage distribution.
//!
//! Run: `cargo run --release --example us_plus8_embargo [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("us_plus8_embargo")
}
