//! The embedded datasets, shipped inside the crate (no network access at run time).
//! Every figure's source and status is in `data/<name>/*.csv` and `docs/data.md`.

use serde::{Deserialize, Serialize};

use super::tables::{tables_from_strs, TableFiles};
use crate::error::{Error, Result};
use crate::network::{Build, BuildReport, Builder, ChainTables, Closure, Network};

/// One entry of a dataset's source register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Short key used in the data files' `source` column.
    pub key: String,
    /// Title of the document.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Year of publication.
    pub year: String,
    /// Where to find it.
    pub address: String,
    /// Page or table.
    pub page_or_table: String,
}

/// An embedded dataset: its tables, the network built from them, and how it was built.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Name (`rare_earths_2024`).
    pub name: &'static str,
    /// The tables as read (shipping-basis trade, statuses).
    pub tables: ChainTables,
    /// The balanced network (origin basis).
    pub network: Network,
    /// Re-exports, converted stocks, closing items and unallocated residuals, with sizes.
    pub report: BuildReport,
    /// The source register.
    pub sources: Vec<Source>,
    /// How the builder closes gaps, per product.
    pub closures: Vec<(&'static str, Closure)>,
}

macro_rules! embedded {
    ($dir:literal, $file:literal) => {
        (
            concat!($dir, "/", $file),
            include_str!(concat!("../../data/", $dir, "/", $file)),
        )
    };
}

/// The rare-earth magnet chain in 2024: 24 regions (the nine of US+8, China, producers
/// and large consumers, a rest of world), ore to magnets to four downstream uses.
/// Sources and estimation rules: `docs/data.md`.
///
/// Gaps between reported separation and what recorded mining supports are closed by
/// labelled secondary-and-unrecorded supply of ore (design §1), listed in
/// [`Dataset::report`].
///
/// ```
/// let data = shortfall::data::rare_earths_2024();
/// let net = &data.network;
/// let magnet = net.require_product("ndfeb_magnet")?;
/// let cn = net.require_region("CN")?;
/// let share = net.output(net.node_id(cn, magnet).unwrap()) / net.production(magnet);
/// assert!((share - 0.93).abs() < 0.005);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Panics
/// Never in a released crate: the embedded files are fixed and a test builds them.
pub fn rare_earths_2024() -> Dataset {
    load_rare_earths_2024().expect("the embedded rare_earths_2024 data build (tested)")
}

/// How `rare_earths_2024` closes its balances: secondary supply of ore (docs/data.md,
/// rule K).
const RARE_EARTH_CLOSURES: [(&str, Closure); 2] = [
    ("re_ore_light", Closure::Secondary),
    ("re_ore_heavy", Closure::Secondary),
];

fn builder(tables: ChainTables, closures: &[(&str, Closure)]) -> Builder {
    closures
        .iter()
        .fold(Builder::new(tables), |b, (p, c)| b.closure(*p, *c))
}

impl Dataset {
    /// The same dataset built from changed tables, with the same builder settings: the way
    /// to make structural variants (docs/model.md §3.2), such as another split of China's
    /// mining between light and heavy ore (rule A).
    ///
    /// ```
    /// let data = shortfall::data::rare_earths_2024();
    /// let mut tables = data.tables.clone();
    /// for r in &mut tables.production {
    ///     match (r.region.as_str(), r.product.as_str()) {
    ///         ("CN", "re_ore_light") => r.production = 229_500.0, // 85% light
    ///         ("CN", "re_ore_heavy") => r.production = 40_500.0,  // 15% heavy
    ///         _ => {}
    ///     }
    /// }
    /// let variant = data.rebuild(tables)?;
    /// assert_eq!(variant.network.regions().len(), data.network.regions().len());
    /// # Ok::<(), shortfall::Error>(())
    /// ```
    ///
    /// # Errors
    /// Every error of [`Builder::build`].
    pub fn rebuild(&self, tables: ChainTables) -> Result<Dataset> {
        let Build { network, report } = builder(tables.clone(), &self.closures).build()?;
        Ok(Dataset {
            name: self.name,
            tables,
            network,
            report,
            sources: self.sources.clone(),
            closures: self.closures.clone(),
        })
    }
}

fn load_rare_earths_2024() -> Result<Dataset> {
    let tables = tables_from_strs(TableFiles {
        regions: embedded!("rare_earths_2024", "regions.csv"),
        products: embedded!("rare_earths_2024", "products.csv"),
        production: embedded!("rare_earths_2024", "production.csv"),
        trade: embedded!("rare_earths_2024", "trade.csv"),
        recipes: embedded!("rare_earths_2024", "recipes.csv"),
        stocks: embedded!("rare_earths_2024", "stocks.csv"),
    })?;
    let Build { network, report } = builder(tables.clone(), &RARE_EARTH_CLOSURES).build()?;
    let (file, text) = embedded!("rare_earths_2024", "sources.csv");
    let sources = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<std::result::Result<Vec<Source>, _>>()
        .map_err(|e| Error::Csv {
            location: crate::error::Location::new(file, e.position().map(|p| p.line())),
            message: e.to_string(),
        })?;
    Ok(Dataset {
        name: "rare_earths_2024",
        tables,
        network,
        report,
        sources,
        closures: RARE_EARTH_CLOSURES.to_vec(),
    })
}
