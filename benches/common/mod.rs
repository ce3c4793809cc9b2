//! What the benches share.

use shortfall::network::Network;
use shortfall::scenario::{Market, MarketProduct, Realization};

/// The market step on every product of `net`: short- and long-run demand elasticities,
/// supply, leakage; the default 3 passes in the static cascade (docs/model.md §7.1, §7.5).
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
