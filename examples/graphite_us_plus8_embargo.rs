//! The named scenario `scenarios/graphite_us_plus8_embargo.toml`: the seed case's
//! restriction to US+8 and its uncertainty, on the embedded graphite chain, in weeks:
//! each member's shortfall of synthetic anode material, when its users run short, and the fan of
//! the bloc's shortfall.
//!
//! Run: `cargo run --release --example graphite_us_plus8_embargo [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("graphite_us_plus8_embargo")
}
