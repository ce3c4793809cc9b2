//! A hand-sized chain used by the docs and tests: three regions, three products, one hub.
//!
//! China (CN) and the United States (US) mine ore; both separate oxide (5 t ore per t);
//! both make magnets (0.25 t oxide per t, written as a yield of 4). The Netherlands (NL)
//! produce nothing and re-export oxide and magnets from China. docs/model.md §1.7 works the
//! resulting `Z`, `Y` and `x` out by hand.

use super::records::{Basis, ChainTables, ProductionRecord, RecipeRecord, Status, TradeRecord};
use super::{Builder, StockRecord, StockUnit};
use super::{Network, Product, Region};
use crate::error::Location;

/// The tables of the toy chain (see the module docs).
pub fn toy_tables() -> ChainTables {
    let loc = |table: &str, line: u64| Location::new(table, Some(line));
    let prod = |line, region: &str, product: &str, q: f64, cap: f64| ProductionRecord {
        item: Default::default(),
        region: region.into(),
        product: product.into(),
        production: q,
        capacity: Some(cap),
        status: Status::Read,
        location: loc("production", line),
    };
    let trade = |line, from: &str, to: &str, product: &str, q: f64| TradeRecord {
        exporter: from.into(),
        importer: to.into(),
        product: product.into(),
        quantity: q,
        status: Status::Read,
        location: loc("trade", line),
    };
    let recipe = |line, output: &str, input: &str, c: f64, basis| RecipeRecord {
        output: output.into(),
        input: input.into(),
        coefficient: c,
        basis,
        region: None,
        status: Status::Read,
        location: loc("recipes", line),
    };
    ChainTables {
        regions: vec![
            Region::new("CN", "China"),
            Region::new("US", "United States"),
            Region::new("NL", "Netherlands"),
        ],
        products: vec![
            Product::new("ore", "Ore", "t REO").intermediate(),
            Product::new("oxide", "Oxide", "t").intermediate(),
            Product::new("magnet", "Magnets", "t"),
        ],
        production: vec![
            prod(2, "CN", "ore", 100.0, 110.0),
            prod(3, "US", "ore", 30.0, 40.0),
            prod(4, "CN", "oxide", 24.0, 30.0),
            prod(5, "US", "oxide", 2.0, 4.0),
            prod(6, "CN", "magnet", 80.0, 100.0),
            prod(7, "US", "magnet", 8.0, 8.0),
        ],
        trade: vec![
            trade(2, "US", "CN", "ore", 20.0),
            trade(3, "CN", "NL", "oxide", 4.0),
            trade(4, "NL", "US", "oxide", 3.0),
            trade(5, "CN", "US", "magnet", 30.0),
            trade(6, "CN", "NL", "magnet", 10.0),
            trade(7, "NL", "US", "magnet", 4.0),
        ],
        recipes: vec![
            recipe(2, "oxide", "ore", 5.0, Basis::InputPerOutput),
            recipe(3, "magnet", "oxide", 4.0, Basis::Yield),
        ],
        stocks: vec![StockRecord {
            region: "US".into(),
            product: "magnet".into(),
            quantity: 73.0,
            unit: StockUnit::Days,
            status: Status::Estimate,
            location: loc("stocks", 2),
        }],
    }
}

/// The toy chain as a network.
///
/// ```
/// let net = shortfall::network::toy_chain();
/// assert_eq!(net.regions().len(), 3);
/// assert_eq!(net.products().len(), 3);
/// ```
pub fn toy_chain() -> Network {
    Builder::new(toy_tables())
        .build()
        .expect("the toy tables balance")
        .network
}
