//! The builder's input records: production, trade, recipes and stocks as economists keep
//! them, each with its source and status (docs/model.md §1.6).

use serde::{Deserialize, Serialize};

use super::{Product, Region};
use crate::error::Location;

/// How a figure was obtained (the status codes of the sourced facts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Status {
    /// Read in the primary document (`R`).
    #[serde(rename = "R")]
    Read,
    /// Read as a verbatim quotation of the primary document (`R*`).
    #[serde(rename = "R*")]
    ReadQuoted,
    /// Secondary reporting attributing the figure to a named primary source (`S`).
    #[serde(rename = "S")]
    Secondary,
    /// Derived by arithmetic from sourced figures (`D`).
    #[serde(rename = "D")]
    Derived,
    /// An estimate or modelling assumption (`E`).
    #[default]
    #[serde(rename = "E")]
    Estimate,
}

impl Status {
    /// Whether the figure is an estimate.
    pub fn is_estimate(self) -> bool {
        self == Self::Estimate
    }
}

/// Production and capacity of a product in a region, a year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductionRecord {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// Baseline output, product units a year.
    pub production: f64,
    /// Capacity, product units a year; `None` means equal to production (no headroom).
    pub capacity: Option<f64>,
    /// Producers (the default), or a labelled supply item of the region: secondary,
    /// recycled or co-product (docs/model.md §1.10; `production.csv`'s `item`).
    pub item: super::NodeKind,
    /// How the figure was obtained.
    pub status: Status,
    /// Where the record came from.
    pub location: Location,
}

/// A bilateral flow as traded (shipping basis: the exporter is the shipping country).
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRecord {
    /// Shipping region code.
    pub exporter: String,
    /// Receiving region code.
    pub importer: String,
    /// Product id.
    pub product: String,
    /// Product units a year.
    pub quantity: f64,
    /// How the figure was obtained.
    pub status: Status,
    /// Where the record came from.
    pub location: Location,
}

/// The direction of a recipe coefficient as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Units of input per unit of output (the builder's own direction).
    #[default]
    InputPerOutput,
    /// Units of output per unit of input; converted as `1 / yield`.
    Yield,
}

/// One input of a product's recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeRecord {
    /// Product made.
    pub output: String,
    /// Input product.
    pub input: String,
    /// The coefficient, in the direction `basis` says.
    pub coefficient: f64,
    /// Direction of `coefficient`.
    pub basis: Basis,
    /// Region the recipe applies to; `None` for every region without its own recipe.
    pub region: Option<String>,
    /// How the figure was obtained.
    pub status: Status,
    /// Where the record came from.
    pub location: Location,
}

impl RecipeRecord {
    /// Units of input per unit of output.
    pub fn per_unit(&self) -> f64 {
        match self.basis {
            Basis::InputPerOutput => self.coefficient,
            Basis::Yield => 1.0 / self.coefficient,
        }
    }
}

/// Unit of a stock record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockUnit {
    /// Product units (tonnes for materials).
    Tonnes,
    /// Days of the region's annual baseline absorption of the product (docs/model.md §1.5).
    Days,
}

/// A stock of a product held in a region.
#[derive(Debug, Clone, PartialEq)]
pub struct StockRecord {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// Quantity in `unit`.
    pub quantity: f64,
    /// Tonnes or days of cover.
    pub unit: StockUnit,
    /// How the figure was obtained.
    pub status: Status,
    /// Where the record came from.
    pub location: Location,
}

/// The builder's input tables, as economists keep them (see `docs/model.md` §1.6 for the
/// CSV layout).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainTables {
    /// Regions.
    pub regions: Vec<Region>,
    /// Products.
    pub products: Vec<Product>,
    /// Production and capacity.
    pub production: Vec<ProductionRecord>,
    /// Bilateral trade, shipping basis.
    pub trade: Vec<TradeRecord>,
    /// Recipes, one row per (output, input, region).
    pub recipes: Vec<RecipeRecord>,
    /// Stocks.
    pub stocks: Vec<StockRecord>,
}
