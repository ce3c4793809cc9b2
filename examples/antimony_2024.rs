//! The named scenario `scenarios/antimony_2024.toml`: China's antimony export licences of
//! 15 September 2024 and the ban on exports to the US from 3 December, in weeks, on the
//! embedded `antimony_2024` data, with China's monthly exports beside the record
//! (docs/validation.md §7.1).
//!
//! Run: `cargo run --release --example antimony_2024 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("antimony_2024")
}
