//! MP Materials' halt of rare-earth concentrate to China from 17 April 2025, with the
//! market step: China's NdPr oxide price held against SMM's (`scenarios/mp_2025.toml`,
//! docs/validation.md §10.6).
//!
//! Run: `cargo run --release --example mp_2025 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("mp_2025")
}
