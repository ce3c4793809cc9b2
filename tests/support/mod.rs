//! Shared test helpers: the proptest strategy for small valid networks, and invariant
//! checkers used by several test files.
#![allow(dead_code)] // each test binary uses its own subset

use proptest::prelude::*;
use shortfall::network::{Network, Synthetic};
use shortfall::tolerance::{close, FIXED_POINT};

/// Parameters of small generated networks (2-6 regions, 2-8 products, 1-4 stages).
pub fn small_synthetic() -> impl Strategy<Value = Synthetic> {
    (
        2usize..=6,
        2usize..=8,
        1usize..=4,
        1usize..=3,
        0.0f64..1.0,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(regions, products, depth, suppliers, headroom, dense, seed)| Synthetic {
                regions,
                products,
                depth: depth.min(products),
                suppliers,
                headroom,
                dense,
                stock_days: 30.0,
                seed,
            },
        )
}

/// Small valid networks.
pub fn small_network() -> impl Strategy<Value = Network> {
    small_synthetic().prop_map(|s| s.build().expect("generator parameters are valid"))
}

/// The fixed point of design §1: every node given exactly its baseline inputs can make
/// exactly its baseline output, `min_m R[m,n] / a[m,n] = x[n]` to relative 1e-12.
/// Returns the first node that fails, described.
pub fn fixed_point_failure(net: &Network) -> Option<String> {
    for n in net.node_ids() {
        let inputs = net.inputs(n);
        if inputs.is_empty() {
            continue;
        }
        let can_make = inputs
            .iter()
            .map(|i| net.received(n, i.product) / i.per_unit)
            .fold(f64::INFINITY, f64::min);
        if !close(can_make, net.output(n), FIXED_POINT) {
            return Some(format!(
                "node {n:?} can make {can_make} but its output is {}",
                net.output(n)
            ));
        }
    }
    None
}
