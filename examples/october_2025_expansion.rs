//! The named scenario `scenarios/october_2025_expansion.toml` in time: each member's shortfall, running-out
//! and stoppage distribution.
//!
//! Run: `cargo run --release --example october_2025_expansion [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("october_2025_expansion")
}
