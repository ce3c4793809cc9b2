//! China's dual-use ban on Japan from 6 January 2026: heavy rare earths and the magnets
//! containing them, with Japan's users of Dy/Tb oxide as firms that differ in cover; the
//! first stoppage held against a magnet maker's near-stop at the end of January
//! (`scenarios/japan_2026.toml`, docs/validation.md §10.2).
//!
//! Run: `cargo run --release --example japan_2026 [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("japan_2026")
}
