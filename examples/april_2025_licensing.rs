//! China's licensing regime of 4 April 2025 (seven medium and heavy rare earths and the
//! magnets that contain them, all destinations), with the approval-rate profile calibrated
//! on China's monthly magnet exports and the first assembly stoppages held out to test it:
//! `scenarios/april_2025_licensing.toml`, docs/validation.md.
//!
//! Run: `cargo run --release --example april_2025_licensing [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("april_2025_licensing")
}
