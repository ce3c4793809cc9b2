//! The market step (docs/model.md §7.1): which market each region is in for each product,
//! the levers a price moves (demand, supply, stock release, leakage), and the price update
//! between passes of the cascade. Pure functions of prices and elasticities; the cascade
//! reads the levers (`src/engine/cascade.rs`).

use serde::Serialize;

use super::product_at;
use super::resolved::Resolved;
use crate::error::Result;
use crate::network::Network;
use crate::scenario::{MarketProduct, Realization};

/// The three markets of a product (docs/model.md §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketId {
    /// Regions that neither restrict the product nor are targeted for it.
    Rest = 0,
    /// Targets of a restriction naming the product.
    Bloc = 1,
    /// Restricting exporters of the product.
    Origin = 2,
}

impl MarketId {
    /// All three, in index order.
    pub const ALL: [Self; 3] = [Self::Rest, Self::Bloc, Self::Origin];

    /// Its index in the outcome's price table (`market * products + product`).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name in tables.
    pub fn word(self) -> &'static str {
        match self {
            Self::Rest => "rest",
            Self::Bloc => "bloc",
            Self::Origin => "origin",
        }
    }
}

/// The markets of a scenario's structure: per (region, product), its market; per product,
/// its entry in `market.products`.
#[derive(Debug, Clone)]
pub(crate) struct Markets {
    /// `region * products + product`: the market.
    pub of: Vec<MarketId>,
    /// Per product: index into `market.products`, if listed and traded.
    pub entry: Vec<Option<usize>>,
    /// Per product: whether any of it crosses a border (a product made and used in each
    /// region alone has no market here: its price stays at 1).
    pub traded: Vec<bool>,
    /// Listed products that are not traded, as warnings.
    pub warnings: Vec<String>,
    /// Per product: whether a restriction naming it diverts (its exporters then offer at
    /// home what the bloc no longer takes; with `keep` they do not).
    pub diverted: Vec<bool>,
    pub products: usize,
}

impl Markets {
    /// Resolves the markets (docs/model.md §7.1). A region is the origin of a product if
    /// one of its nodes of it restricts; in the bloc if it is a target and the product is
    /// named by a restriction (targets of all restrictions, as the tags of §4.5).
    ///
    /// # Errors
    /// An unknown product in `market.products[i].product`.
    pub fn new(net: &Network, scenario: &Realization, resolved: &Resolved) -> Result<Self> {
        let (nr, np) = (net.regions().len(), net.products().len());
        let (mut restricted, mut diverted) = (vec![false; np], vec![false; np]);
        for (i, r) in scenario.restrictions.iter().enumerate() {
            for (j, p) in r.products.iter().enumerate() {
                let path = format!("restrictions[{i}].products[{j}]");
                let k = product_at(net, p, path)?.index();
                restricted[k] = true;
                diverted[k] |= r.disposal == crate::scenario::Disposal::Divert;
            }
        }
        let mut of = vec![MarketId::Rest; nr * np];
        for (k, &restricted) in restricted.iter().enumerate() {
            if !restricted {
                continue;
            }
            for r in 0..nr {
                if resolved.target[r] {
                    of[r * np + k] = MarketId::Bloc;
                }
            }
        }
        for n in net.node_ids() {
            if resolved.restricting[n.index()] {
                let node = net.node(n);
                of[node.region.index() * np + node.product.index()] = MarketId::Origin;
            }
        }
        let mut traded = vec![false; np];
        for n in net.node_ids() {
            let node = net.node(n);
            if (net.out_edges(n).iter()).any(|e| net.sink_region(e.to) != node.region) {
                traded[node.product.index()] = true;
            }
        }
        let mut entry = vec![None; np];
        let mut warnings = Vec::new();
        if let Some(market) = &scenario.market {
            for (i, p) in market.products.iter().enumerate() {
                let path = format!("market.products[{i}].product");
                let k = product_at(net, &p.product, path)?.index();
                if traded[k] {
                    entry[k] = Some(i);
                } else {
                    warnings.push(format!(
                        "market.products[{i}]: {} crosses no border in the network, so it has \
                         no market here and its price stays at 1 (docs/model.md §7.1)",
                        p.product
                    ));
                }
            }
        }
        Ok(Self {
            of,
            entry,
            traded,
            warnings,
            diverted,
            products: np,
        })
    }

    /// Whether a producer in `region` offers in its market the baseline output nobody
    /// asked for (docs/model.md §7.1): everywhere but at a restricting exporter that
    /// keeps what it may not ship.
    pub fn offers_unused(&self, region: usize, product: usize) -> bool {
        self.of(region, product) != MarketId::Origin || self.diverted[product]
    }

    /// The market of `region` for `product` (indices).
    pub fn of(&self, region: usize, product: usize) -> MarketId {
        self.of[region * self.products + product]
    }
}

/// What a product's users do at a price: the factor on their schedule (docs/model.md §7.1),
/// `max(1 - max_fall, p^(-ε))` at elasticity `ε`; 1 exactly with `ε = 0`.
pub(crate) fn factor_at(p: f64, eps: f64, max_fall: f64) -> f64 {
    // `1^x` is 1 exactly: no power to take at the baseline price.
    if eps == 0.0 || p == 1.0 {
        1.0
    } else {
        p.powf(-eps).max(1.0 - max_fall)
    }
}

/// The factor on the share `ρ` of spare capacity an unrestricted producer brings online
/// at price `p`, `p^ε_s` (1 at or below the baseline price, and with a zero elasticity).
pub(crate) fn supply_factor(p: f64, entry: Option<&MarketProduct<f64>>) -> f64 {
    match entry {
        Some(e) if e.supply > 0.0 && p > 1.0 => p.powf(e.supply),
        _ => 1.0,
    }
}

/// The leakage factor `g = (p_origin / p_bloc)^η` where the bloc pays more, else 1.
pub(crate) fn leak_gap(origin: f64, bloc: f64, eta: f64) -> f64 {
    if eta > 0.0 && bloc > origin {
        (origin / bloc).powf(eta)
    } else {
        1.0
    }
}

/// κ opened by the leakage factor, `1 - (1 - κ)·g`; κ itself, to the last digit, at
/// `g = 1` (docs/model.md §7.1).
pub(crate) fn opened_kappa(kappa: f64, g: f64) -> f64 {
    if g == 1.0 {
        kappa
    } else {
        1.0 - (1.0 - kappa) * g
    }
}

/// One tâtonnement step (docs/model.md §7.1): from price `p`, demand `d` and supply `a`
/// at it, and the sum of elasticities `e`, the next price within `[floor, choke]`.
pub(crate) fn next_price(p: f64, d: f64, a: f64, e: f64, floor: f64, choke: f64) -> f64 {
    if d <= 0.0 {
        return p;
    }
    if a <= 0.0 {
        return choke;
    }
    let next = if e > 0.0 {
        // A cleared market keeps its price (`1^x = 1` exactly).
        if d == a {
            p
        } else {
            p * (d / a).powf(1.0 / e)
        }
    } else if d > a * (1.0 + CLEARED) {
        choke
    } else if a > d * (1.0 + CLEARED) {
        floor
    } else {
        p
    };
    next.clamp(floor, choke)
}

/// Relative excess below which a market with vertical curves counts as cleared.
pub(crate) const CLEARED: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(short: f64, long: f64, lag: f64) -> MarketProduct<f64> {
        MarketProduct {
            demand_short: short,
            demand_long: long,
            lag,
            ..MarketProduct::new("k")
        }
    }

    /// §7.1: the mean of the linear path, within and beyond the lag.
    #[test]
    fn elasticity_moves_from_short_to_long_run() {
        let e = entry(0.1, 0.5, 2.0);
        // Over one year: 0.1 + 0.4 · 1/4 = 0.2.
        assert!((e.demand_elasticity(1.0) - 0.2).abs() < 1e-15);
        // Over four years: 0.5 - 0.4 · 2/8 = 0.4.
        assert!((e.demand_elasticity(4.0) - 0.4).abs() < 1e-15);
        // Continuous at the lag: 0.3 both ways.
        assert!((e.demand_elasticity(2.0) - 0.3).abs() < 1e-15);
    }

    /// Iso-elastic curves clear in one step: D = 60 p^-0.5, A = 100 at p = 1.
    #[test]
    fn one_step_clears_iso_elastic_curves() {
        let p = next_price(1.0, 60.0, 100.0, 0.5, 0.01, 100.0);
        assert!((p - 0.36).abs() < 1e-12);
        assert!((60.0 * p.powf(-0.5) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn vertical_curves_go_to_the_bounds() {
        assert_eq!(next_price(1.0, 10.0, 5.0, 0.0, 0.5, 20.0), 20.0);
        assert_eq!(next_price(1.0, 5.0, 10.0, 0.0, 0.5, 20.0), 0.5);
        assert_eq!(next_price(1.3, 5.0, 5.0, 0.0, 0.5, 20.0), 1.3);
        assert_eq!(next_price(1.0, 5.0, 0.0, 2.0, 0.5, 20.0), 20.0);
    }

    #[test]
    fn zero_elasticities_move_nothing() {
        let e = MarketProduct::<f64>::new("k");
        for p in [0.1, 1.0, 7.0, 1e6] {
            assert_eq!(factor_at(p, e.demand_elasticity(0.5), e.max_fall), 1.0);
            assert_eq!(supply_factor(p, Some(&e)), 1.0);
            assert_eq!(leak_gap(1.0, p, 0.0), 1.0);
        }
    }

    #[test]
    fn demand_falls_no_further_than_max_fall() {
        let e = MarketProduct {
            max_fall: 0.3,
            ..entry(1.0, 1.0, 1.0)
        };
        let d = |p: f64| factor_at(p, e.demand_elasticity(1.0), e.max_fall);
        assert!((d(2.0) - 0.7).abs() < 1e-15);
        assert!((d(1.25) - 0.8).abs() < 1e-15);
    }
}
