//! The Kachin disruption of Myanmar's heavy rare-earth feed to China, October 2024 to April
//! 2025, held against China's imports and its separators' cuts
//! (`scenarios/myanmar_2024.toml`, docs/validation.md §10.3).
//!
//! Run: `cargo run --release --example myanmar_2024 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("myanmar_2024")
}
