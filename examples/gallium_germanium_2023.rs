//! The named scenario `scenarios/gallium_germanium_2023.toml`: China's gallium and
//! germanium export licences of 1 August 2023, in weeks, on the embedded
//! `gallium_germanium_2024` data, with China's monthly exports beside the record
//! (docs/validation.md §8.1).
//!
//! Run: `cargo run --release --example gallium_germanium_2023 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("gallium_germanium_2023")
}
