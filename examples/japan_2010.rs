//! The named scenario `scenarios/japan_2010.toml`: China's halt of rare-earth shipments to
//! Japan in the autumn of 2010 and its quota cut, in months, on the 2010 network variant
//! `japan_2010`, with Japan's monthly imports from China beside the record. An
//! illustration of a shock the model sees only in volume: 2010 was mostly a price shock,
//! and the model has no price channel (docs/validation.md, section 3).
//!
//! Run: `cargo run --release --example japan_2010 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("japan_2010")
}
