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

fn load_rare_earths_2024() -> Result<Dataset> {
    let tables = tables_from_strs(TableFiles {
        regions: embedded!("rare_earths_2024", "regions.csv"),
        products: embedded!("rare_earths_2024", "products.csv"),
        production: embedded!("rare_earths_2024", "production.csv"),
        trade: embedded!("rare_earths_2024", "trade.csv"),
        recipes: embedded!("rare_earths_2024", "recipes.csv"),
        stocks: embedded!("rare_earths_2024", "stocks.csv"),
    })?;
    let Build { network, report } = Builder::new(tables.clone())
        .closure("re_ore_light", Closure::Secondary)
        .closure("re_ore_heavy", Closure::Secondary)
        .build()?;
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
    })
}
