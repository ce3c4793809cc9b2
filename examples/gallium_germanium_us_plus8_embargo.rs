//! The named scenario `scenarios/gallium_germanium_us_plus8_embargo.toml`: the seed case's
//! restriction to US+8 and its uncertainty, on the embedded gallium and germanium chains,
//! in weeks: each member's shortfall of high-purity gallium, when its users run short,
//! and the fan of the bloc's shortfall.
//!
//! Run: `cargo run --release --example gallium_germanium_us_plus8_embargo [-- --draws N]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("gallium_germanium_us_plus8_embargo")
}
