//! 2010 respecified: China's general export cut of the second half of 2010 as the shock,
//! every destination alike (hypothesis H1 of docs/validation.md §10.1), against Japan's
//! monthly imports from China, October 2010 to March 2011; `japan_2010` runs the targeted
//! halt (H2) on the same network.
//!
//! Run: `cargo run --release --example japan_2010_quota [-- --draws N --out FILE]`

mod named;

fn main() -> std::process::ExitCode {
    named::main("japan_2010_quota")
}
