//! What the benches share.

use shortfall::network::Network;
use shortfall::scenario::{Market, MarketProduct, Realization};

/// The market step on every product of `net`: short- and long-run demand elasticities,
/// supply, leakage; the default 3 passes in the static cascade (docs/model.md §7.1, §7.5).
#[allow(dead_code)]
pub fn with_market(net: &Network, mut r: Realization) -> Realization {
    let products = (net.products().iter())
        .map(|p| MarketProduct {
            demand_short: 0.1,
            demand_long: 0.5,
            lag: 2.0,
            supply: 0.3,
            max_fall: 0.5,
            ..MarketProduct::new(&p.id)
        })
        .collect();
    r.market = Some(Market {
        leakage_elasticity: 0.5,
        products,
        ..Market::default()
    });
    r
}

/// Runs a peer's timing script in the same run, when `SHORTFALL_PEER_PYTHON` names a
/// Python with the peer installed (numpy, BoARIO: docs/performance.md), and prints what it
/// prints; otherwise says how to. `args` follow the script's path.
#[allow(dead_code)]
pub fn time_peer(script: &str, args: &[&str]) {
    let Ok(python) = std::env::var("SHORTFALL_PEER_PYTHON") else {
        eprintln!("peer: set SHORTFALL_PEER_PYTHON to a Python with the peer to time {script}");
        return;
    };
    let path = format!("{}/scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    match std::process::Command::new(&python)
        .arg(&path)
        .args(args)
        .output()
    {
        Ok(out) => {
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                println!("peer {script}: {line}");
            }
            if !out.status.success() {
                eprintln!(
                    "peer {script} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        Err(e) => eprintln!("peer {script}: cannot run {python}: {e}"),
    }
}
