//! The embedded datasets, shipped inside the crate (no network access at run time).
//! Every figure's source and status is in `data/<name>/*.csv` and `docs/data.md`.

use serde::{Deserialize, Serialize};

use super::tables::{joint_from_str, tables_from_strs, TableFiles};
use crate::error::{Error, Result};
use crate::network::{Build, BuildReport, Builder, ChainTables, Closure, JointRule, Network};

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
    /// The joint outputs and recycling loops of its `joint.csv` (docs/model.md §1.8-§1.10).
    pub joint: Vec<JointRule>,
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
/// and large consumers, a rest of world), ore to alloy to magnets in two grades (Dy/Tb-free
/// and Dy/Tb-bearing, finished) to four downstream uses. Sources and estimation rules:
/// `docs/data.md`.
///
/// What reported separation needs beyond recorded mining is named by labelled supply
/// items (docs/model.md §1.10): China's recycling of magnet scrap, the NdPr of its
/// heavy-feed line and a small unrecorded item, listed in [`Dataset::report`]'s `items`.
///
/// ```
/// let data = shortfall::data::rare_earths_2024();
/// let net = &data.network;
/// let cn = net.require_region("CN")?;
/// let (mut china, mut world) = (0.0, 0.0);
/// for grade in ["ndfeb_magnet_free", "ndfeb_magnet_dy"] {
///     let g = net.require_product(grade)?;
///     china += net.output(net.node_id(cn, g).unwrap());
///     world += net.production(g);
/// }
/// assert_eq!(china.round(), 225_000.0); // finished: 300,000 t of blanks less 25% scrap
/// assert!((china / world - 0.909).abs() < 0.001);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Panics
/// Never in a released crate: the embedded files are fixed and a test builds them.
pub fn rare_earths_2024() -> Dataset {
    load_rare_earths_2024().expect("the embedded rare_earths_2024 data build (tested)")
}

/// Japan's rare-earth supply in 2010, the variant of the `japan_2010` scenario: China (as
/// an exporter only, at its 2010 export quota), Japan and the rest of the world,
/// rare-earth compounds and metals and the products made with them; Japan's 28,564 t of
/// imports, 82% from China. Sources and rule L: `docs/data.md`.
///
/// ```
/// let data = shortfall::data::japan_2010();
/// let net = &data.network;
/// let jp = net.require_region("JP")?;
/// let users = net.require_product("re_products")?;
/// assert_eq!(net.output(net.node_id(jp, users).unwrap()), 28_564.0);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Panics
/// Never in a released crate: the embedded files are fixed and a test builds them.
pub fn japan_2010() -> Dataset {
    load_japan_2010().expect("the embedded japan_2010 data build (tested)")
}

/// The antimony chain in 2024, before China's export licences of 15 September 2024: 13
/// regions (six of US+8: the US, Japan, Korea, the UK, the Netherlands and Australia;
/// China; the miners Tajikistan, Russia, Myanmar and Bolivia; Belgium, the largest
/// user outside China; a rest of world), ore to metal and trioxide to four uses, in
/// tonnes of antimony. China's ore that its reported trioxide and metal need beyond its
/// recorded mining and imports is a labelled secondary item. Sources and rules SB-A to
/// SB-F: `docs/data.md`.
///
/// ```
/// let data = shortfall::data::antimony_2024();
/// let net = &data.network;
/// let ore = net.require_product("sb_ore")?;
/// let cn = net.require_region("CN")?;
/// assert_eq!(net.output(net.node_id(cn, ore).unwrap()), 60_000.0); // USGS, 2024e
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Panics
/// Never in a released crate: the embedded files are fixed and a test builds them.
pub fn antimony_2024() -> Dataset {
    load_antimony_2024().expect("the embedded antimony_2024 data build (tested)")
}

/// The graphite chain for lithium-ion cells in 2024, with China's graphite exports at
/// their rate before its permits of 1 December 2023: 11 regions (the US, Japan and Korea
/// of US+8; China; the miners Mozambique, Madagascar, Brazil, India and Canada; the EU
/// and the rest of the world as aggregates), natural graphite to spherical graphite to
/// natural anode material, synthetic anode material, lithium-ion cells in GWh, and the
/// other uses of natural graphite. Sources and rules GR-A to GR-F: `docs/data.md`.
///
/// ```
/// let data = shortfall::data::graphite_2024();
/// let net = &data.network;
/// let mined = net.require_product("natural_graphite")?;
/// let cn = net.require_region("CN")?;
/// let share = net.output(net.node_id(cn, mined).unwrap()) / net.production(mined);
/// assert!((share - 0.779).abs() < 0.001); // USGS: 78% in 2024
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Panics
/// Never in a released crate: the embedded files are fixed and a test builds them.
pub fn graphite_2024() -> Dataset {
    load_graphite_2024().expect("the embedded graphite_2024 data build (tested)")
}

/// Gallium and germanium in 2024, with China's exports at their rate before its licences
/// of 1 August 2023: 9 regions (the US, Japan and Korea of US+8; China; Russia, Germany,
/// Belgium and Canada; a rest of world). Gallium is a by-product of alumina in China and
/// Russia (a joint output bounded by the alumina refined, docs/model.md §1.8), refined to
/// high purity (new scrap included) and used in integrated circuits, optoelectronics and
/// other uses; germanium is refined and used in fibre, infrared optics, electronics and
/// solar cells, and other uses. Quantities in kg of metal content, alumina in t. Sources and
/// rules GG-A to GG-G: `docs/data.md`.
///
/// ```
/// let data = shortfall::data::gallium_germanium_2024();
/// let net = &data.network;
/// let ga = net.require_product("ga_primary")?;
/// let cn = net.require_region("CN")?;
/// let share = net.output(net.node_id(cn, ga).unwrap()) / net.production(ga);
/// assert!((share - 0.984).abs() < 0.001); // USGS: 99% of 2024's primary gallium
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Panics
/// Never in a released crate: the embedded files are fixed and a test builds them.
pub fn gallium_germanium_2024() -> Dataset {
    load_gallium_germanium_2024().expect("the embedded gallium_germanium_2024 data build (tested)")
}

/// The names of the embedded datasets ([`embedded`]).
pub const DATASETS: [&str; 5] = [
    "rare_earths_2024",
    "japan_2010",
    "antimony_2024",
    "graphite_2024",
    "gallium_germanium_2024",
];

/// An embedded dataset by name, one of [`DATASETS`] (a scenario file's `dataset`).
///
/// # Errors
/// [`Error::InvalidField`] naming `dataset` for another name.
pub fn embedded(name: &str) -> Result<Dataset> {
    match name {
        "rare_earths_2024" => Ok(rare_earths_2024()),
        "japan_2010" => Ok(japan_2010()),
        "antimony_2024" => Ok(antimony_2024()),
        "graphite_2024" => Ok(graphite_2024()),
        "gallium_germanium_2024" => Ok(gallium_germanium_2024()),
        other => Err(Error::field(
            "scenario file",
            "dataset",
            format!(
                "unknown embedded dataset `{other}` (known: {})",
                DATASETS.join(", ")
            ),
        )),
    }
}

/// How `rare_earths_2024` closes its balances: secondary supply of ore (docs/data.md,
/// rule K).
const RARE_EARTH_CLOSURES: [(&str, Closure); 2] = [
    ("re_ore_light", Closure::Secondary),
    ("re_ore_heavy", Closure::Secondary),
];

fn builder(tables: ChainTables, closures: &[(&str, Closure)], joint: &[JointRule]) -> Builder {
    let b = (closures.iter()).fold(Builder::new(tables), |b, (p, c)| b.closure(*p, *c));
    joint.iter().cloned().fold(b, Builder::joint)
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
        let Build { network, report } =
            builder(tables.clone(), &self.closures, &self.joint).build()?;
        Ok(Dataset {
            name: self.name,
            tables,
            network,
            report,
            sources: self.sources.clone(),
            closures: self.closures.clone(),
            joint: self.joint.clone(),
        })
    }
}

/// The files of an embedded dataset directory `data/<dir>/`.
macro_rules! dataset_files {
    ($dir:literal) => {
        (
            TableFiles {
                regions: embedded!($dir, "regions.csv"),
                products: embedded!($dir, "products.csv"),
                production: embedded!($dir, "production.csv"),
                trade: embedded!($dir, "trade.csv"),
                recipes: embedded!($dir, "recipes.csv"),
                stocks: embedded!($dir, "stocks.csv"),
            },
            embedded!($dir, "sources.csv"),
        )
    };
}

fn load_rare_earths_2024() -> Result<Dataset> {
    let (files, sources) = dataset_files!("rare_earths_2024");
    let joint = joint_from_str(embedded!("rare_earths_2024", "joint.csv"))?;
    load(
        "rare_earths_2024",
        files,
        sources,
        &RARE_EARTH_CLOSURES,
        joint,
    )
}

/// How `antimony_2024` closes China's ore balance: secondary and unrecorded supply
/// (docs/data.md, rule SB-C).
const ANTIMONY_CLOSURES: [(&str, Closure); 1] = [("sb_ore", Closure::Secondary)];

fn load_antimony_2024() -> Result<Dataset> {
    let (files, sources) = dataset_files!("antimony_2024");
    load(
        "antimony_2024",
        files,
        sources,
        &ANTIMONY_CLOSURES,
        Vec::new(),
    )
}

fn load_graphite_2024() -> Result<Dataset> {
    let (files, sources) = dataset_files!("graphite_2024");
    load("graphite_2024", files, sources, &[], Vec::new())
}

fn load_gallium_germanium_2024() -> Result<Dataset> {
    let (files, sources) = dataset_files!("gallium_germanium_2024");
    let joint = joint_from_str(embedded!("gallium_germanium_2024", "joint.csv"))?;
    load("gallium_germanium_2024", files, sources, &[], joint)
}

fn load_japan_2010() -> Result<Dataset> {
    let (files, sources) = dataset_files!("japan_2010");
    load("japan_2010", files, sources, &[], Vec::new())
}

fn load(
    name: &'static str,
    files: TableFiles,
    (file, text): (&str, &str),
    closures: &[(&'static str, Closure)],
    joint: Vec<JointRule>,
) -> Result<Dataset> {
    let tables = tables_from_strs(files)?;
    let Build { network, report } = builder(tables.clone(), closures, &joint).build()?;
    let sources = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<std::result::Result<Vec<Source>, _>>()
        .map_err(|e| Error::Csv {
            location: crate::error::Location::new(file, e.position().map(|p| p.line())),
            message: e.to_string(),
        })?;
    Ok(Dataset {
        name,
        tables,
        network,
        report,
        sources,
        closures: closures.to_vec(),
        joint,
    })
}
