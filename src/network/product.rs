//! Products: materials at each stage of a chain, each in its own unit.

use serde::{Deserialize, Serialize};

/// Index of a product in its network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProductId(pub u32);

impl ProductId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A material or good at one stage of a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Identifier (`ndpr_oxide`).
    pub id: String,
    /// Name for display.
    pub name: String,
    /// Unit of every quantity of this product (`t REO`, `t`, `motors`, `MW`).
    pub unit: String,
    /// Whether the product has a real final use outside the modelled chain. The residual
    /// final use of a product without one is reported as *unallocated* (docs/model.md §1.4)
    /// and kept out of headline shortfalls.
    #[serde(default = "yes")]
    pub final_use: bool,
    /// Tonnes per unit, for products counted in units (motors, MW): what content-based
    /// restrictions measure shares by (docs/model.md §3.1). Products in `t` or `t ...`
    /// weigh a tonne a unit without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_per_unit: Option<f64>,
}

fn yes() -> bool {
    true
}

impl Product {
    /// Tonnes per unit: `mass_per_unit` if given, 1 for a unit in tonnes (`t`, `t REO`),
    /// else `None`.
    ///
    /// ```
    /// use shortfall::network::Product;
    /// assert_eq!(Product::new("magnet", "Magnets", "t").tonnes_per_unit(), Some(1.0));
    /// assert_eq!(Product::new("motor", "Motors", "motors").tonnes_per_unit(), None);
    /// ```
    pub fn tonnes_per_unit(&self) -> Option<f64> {
        let tonnes = self.unit == "t" || self.unit.starts_with("t ");
        self.mass_per_unit.or(tonnes.then_some(1.0))
    }

    /// A product with a real final use.
    ///
    /// ```
    /// let magnet = shortfall::network::Product::new("ndfeb_magnet_dy", "NdFeB magnets", "t");
    /// assert!(magnet.final_use);
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>, unit: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            unit: unit.into(),
            final_use: true,
            mass_per_unit: None,
        }
    }

    /// The same product marked as purely intermediate (no real final use).
    pub fn intermediate(mut self) -> Self {
        self.final_use = false;
        self
    }
}
