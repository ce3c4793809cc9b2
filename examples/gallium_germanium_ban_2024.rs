//! The named scenario `scenarios/gallium_germanium_ban_2024.toml`: China's ban on gallium
//! and germanium exports to the US from 3 December 2024, in weeks, on the embedded
//! `gallium_germanium_2024` data: the US's shortfall of high-purity gallium and China's
//! 2025 exports beside the record (docs/validation.md §8.2).
//!
//! Run: `cargo run --release --example gallium_germanium_ban_2024 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("gallium_germanium_ban_2024")
}
