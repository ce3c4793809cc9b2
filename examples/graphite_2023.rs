//! The named scenario `scenarios/graphite_2023.toml`: China's graphite export permits of
//! 1 December 2023, in weeks, on the embedded `graphite_2024` data, with China's monthly
//! flake and spherical exports beside the record (docs/validation.md §7.2).
//!
//! Run: `cargo run --release --example graphite_2023 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("graphite_2023")
}
