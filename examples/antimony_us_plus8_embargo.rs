//! The named scenario `scenarios/antimony_us_plus8_embargo.toml`: the seed case's
//! restriction to US+8 and its uncertainty, on the embedded antimony chain, in weeks:
//! each member's shortfall of antimony oxide, when its users run short, and the fan of
//! the bloc's shortfall.
//!
//! Run: `cargo run --release --example antimony_us_plus8_embargo [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("antimony_us_plus8_embargo")
}
