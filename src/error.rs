//! One error type for the whole crate; every variant says what is wrong and where.

use std::fmt;
use std::path::PathBuf;

/// Where a bad input came from: a file (or an in-memory table) and a record in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, or the name of an in-memory table (`"production"`).
    pub file: String,
    /// The 1-based line of the record, when known (header is line 1).
    pub line: Option<u64>,
}

impl Location {
    /// A location in `file`, at `line` when known.
    pub fn new(file: impl Into<String>, line: Option<u64>) -> Self {
        Self {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {}", self.file, line),
            None => write!(f, "{}", self.file),
        }
    }
}

/// One balance check of docs/model.md §1.4 that failed, with region, product and size
/// (see `docs/model.md` §1.4).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BalanceProblem {
    /// Check 1: the residual final use of `product` in `region` is negative.
    NegativeFinalUse {
        /// Region code.
        region: String,
        /// Product id.
        product: String,
        /// Absorption of the region (production kept plus imports), product units a year.
        absorption: f64,
        /// What the region's producers need of the product, product units a year.
        required: f64,
    },
    /// Check 2: what a node receives of an input differs from `a · x`.
    RecipeMismatch {
        /// Region code of the node.
        region: String,
        /// Product the node makes.
        product: String,
        /// The input product.
        input: String,
        /// `a[input, node] · x[node]`.
        expected: f64,
        /// `Σ_i Z[(i, input), node]`.
        received: f64,
    },
    /// Check 4: a joint output makes more than its yield times its host's output
    /// (docs/model.md §1.8).
    JointAboveHost {
        /// Region code.
        region: String,
        /// The joint output's product.
        product: String,
        /// The host's product.
        host: String,
        /// The joint output's baseline output.
        output: f64,
        /// Its yield times the host's baseline output.
        bound: f64,
    },
    /// Check 3: a region exports more than it produces plus imports.
    ExportsExceedSupply {
        /// Region code.
        region: String,
        /// Product id.
        product: String,
        /// Total exports.
        exports: f64,
        /// Production.
        production: f64,
        /// Total imports.
        imports: f64,
    },
}

impl fmt::Display for BalanceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NegativeFinalUse {
                region,
                product,
                absorption,
                required,
            } => write!(
                f,
                "negative final use of {product} in {region}: producers need {} but the \
                 region absorbs only {} (gap {}); to close it with a labelled estimate \
                 (docs/model.md §1.4), add the line `{product},secondary` to closures.csv \
                 (or `Builder::closure(\"{product}\", Closure::Secondary)`), or correct \
                 the region's production or imports",
                crate::numbers::number(*required),
                crate::numbers::number(*absorption),
                crate::numbers::number(required - absorption)
            ),
            Self::RecipeMismatch {
                region,
                product,
                input,
                expected,
                received,
            } => write!(
                f,
                "producers of {product} in {region} receive {received} of {input}, \
                 the recipe needs {expected}"
            ),
            Self::JointAboveHost {
                region,
                product,
                host,
                output,
                bound,
            } => write!(
                f,
                "{region} makes {} of {product}, a joint output of {host}, but its yield \
                 times {host}'s output allows only {} (docs/model.md §1.8)",
                crate::numbers::number(*output),
                crate::numbers::number(*bound)
            ),
            Self::ExportsExceedSupply {
                region,
                product,
                exports,
                production,
                imports,
            } => write!(
                f,
                "{region} exports {exports} of {product}, more than production {production} \
                 plus imports {imports}"
            ),
        }
    }
}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV record could not be parsed (wrong type, wrong number of fields).
    #[error("{location}: {message}")]
    Csv {
        /// File and line.
        location: Location,
        /// What the parser said.
        message: String,
    },
    /// A JSON document could not be parsed; `path` is the field path inside it.
    #[error("{file}: at `{path}`: {message}")]
    Json {
        /// The file.
        file: String,
        /// Field path (`nodes[3].capacity`).
        path: String,
        /// What the parser said.
        message: String,
    },
    /// A TOML document could not be parsed.
    #[error("{file}: {message}")]
    Toml {
        /// The file.
        file: String,
        /// What the parser said (it names the line and key).
        message: String,
    },
    /// A record names a region that is not in the region table.
    #[error("{location}: unknown region code `{code}` in field `{field}`")]
    UnknownRegion {
        /// The code as written.
        code: String,
        /// The field that holds it.
        field: String,
        /// File and line.
        location: Location,
    },
    /// A record names a product that is not in the product table.
    #[error("{location}: unknown product `{code}` in field `{field}`")]
    UnknownProduct {
        /// The id as written.
        code: String,
        /// The field that holds it.
        field: String,
        /// File and line.
        location: Location,
    },
    /// A quantity is negative, NaN or infinite, or otherwise outside its domain.
    #[error("{location}: field `{field}` = {value}: {reason}")]
    InvalidQuantity {
        /// The field.
        field: String,
        /// The value as read.
        value: f64,
        /// Why it is refused.
        reason: String,
        /// File and line.
        location: Location,
    },
    /// The same key appears twice in a table.
    #[error("{location}: duplicate record {key} (first at line {first})")]
    DuplicateRecord {
        /// The key (`CN,ndpr_oxide`).
        key: String,
        /// Line of the first occurrence.
        first: u64,
        /// File and line of the duplicate.
        location: Location,
    },
    /// A required field is empty or absent.
    #[error("{location}: missing field `{field}`")]
    MissingField {
        /// The field.
        field: String,
        /// File and line.
        location: Location,
    },
    /// A field holds a value outside its allowed set (`basis = "per_tonne"`).
    #[error("{location}: field `{field}`: {reason}")]
    InvalidField {
        /// The field.
        field: String,
        /// Why it is refused.
        reason: String,
        /// File and line.
        location: Location,
    },
    /// The recipe graph has a cycle; the physical builder needs an acyclic chain.
    #[error(
        "recipes form a cycle ({}); physical chains must be acyclic \
         (cyclic monetary tables need the input-output loader)",
        cycle.join(" -> ")
    )]
    CyclicRecipes {
        /// The products on the cycle, first repeated at the end.
        cycle: Vec<String>,
    },
    /// A hub re-exports what it imported from another hub that also re-exports.
    #[error(
        "{hub} re-exports {product} imported from {origin}, which itself re-exports it; \
         chains of re-exporting hubs are not converted to an origin basis"
    )]
    NestedReexport {
        /// The hub whose exports are converted.
        hub: String,
        /// Its import origin that is a hub too.
        origin: String,
        /// The product.
        product: String,
    },
    /// A node's capacity is below its baseline output.
    #[error(
        "{location}: capacity {capacity} of {product} in {region} is below its output {output}"
    )]
    CapacityBelowOutput {
        /// Region code.
        region: String,
        /// Product id.
        product: String,
        /// Capacity.
        capacity: f64,
        /// Baseline output.
        output: f64,
        /// File and line.
        location: Location,
    },
    /// A node that makes a product has no recipe for it, or a primary product has inputs.
    #[error("no recipe: {product} in {region} has suppliers of {input} but no coefficient for it")]
    MissingRecipe {
        /// Region code.
        region: String,
        /// Product made.
        product: String,
        /// Input delivered.
        input: String,
    },
    /// The data do not balance; every failed check is listed.
    #[error("the data do not balance ({} problem(s)):\n{}", problems.len(), list(problems))]
    Unbalanced {
        /// Each failed check with region, product and size.
        problems: Vec<BalanceProblem>,
    },
    /// A bloc names a region absent from the network.
    #[error("bloc `{bloc}`: region `{code}` is not in the network")]
    UnknownBlocMember {
        /// The bloc.
        bloc: String,
        /// The missing code.
        code: String,
    },
    /// A name that is not there: a region or product the network does not have, a named
    /// scenario the crate does not embed.
    #[error("{0}")]
    Unknown(String),
    /// A network whose parts do not fit together: a node, edge or input out of range, a
    /// trade without a production record.
    #[error("network: {0}")]
    InvalidNetwork(String),
    /// A setting outside its domain, outside a file: a synthetic generator's sizes, a
    /// profile fit's windows, a program's option.
    #[error("{0}")]
    InvalidSetting(String),
    /// A file name whose extension says another format (`.json`, `.toml`, `.csv`).
    #[error("{0}")]
    WrongExtension(String),
    /// A path results cannot be written to: empty, or a folder.
    #[error("{0}")]
    OutputPath(String),
    /// Nothing to run: no draws, no outcomes, no network.
    #[error("{0}")]
    NothingToRun(String),
    /// A request the crate does not model (chokepoints by value without prices, a run in
    /// time in streaming mode).
    #[error("{0}")]
    Unsupported(String),
    /// A computation above its stated size limit, with the way around it.
    #[error("{0}")]
    TooLarge(String),
    /// A linear system without a solution.
    #[error("{0}")]
    Singular(String),
    /// The thread pool could not start.
    #[error("thread pool: {0}")]
    ThreadPool(String),
    /// An engine or workspace is given a network other than the one it was built for.
    #[error(
        "{engine} was built for {built_for}, and is given {given}; build the engine (and its \
         workspace) for this network"
    )]
    OtherNetwork {
        /// What refuses (`the static cascade`, `a dynamic workspace`).
        engine: String,
        /// The network it was built for ([`crate::network::Network::identity`]).
        built_for: String,
        /// The network it was given.
        given: String,
    },
    /// A realization whose structure (who restricts what to whom, which nodes lose or add
    /// capacity, which final uses shift, recipes, prices, run length) differs from the
    /// scenario the engine was built for: only its numbers may change between runs.
    #[error(
        "scenario field `{field}` differs from the scenario the engine was built for \
         ({reason}); build the engine for this scenario"
    )]
    OtherStructure {
        /// The first field that differs.
        field: String,
        /// What differs.
        reason: String,
    },
    /// A plot could not be drawn.
    #[error("plot `{plot}`: {message}")]
    Plot {
        /// The plot's title.
        plot: String,
        /// What went wrong.
        message: String,
    },
    /// The dynamic engine's step is longer than half the shortest inventory cover
    /// (docs/model.md §5.9): inventories would empty within a step.
    #[error(
        "a step of {step_days} days is longer than half the {cover_days}-day inventory \
         cover of {product}; take a shorter step or a longer cover"
    )]
    StepTooLong {
        /// The step, days.
        step_days: f64,
        /// The input with the shortest cover.
        product: String,
        /// Its cover, days.
        cover_days: f64,
    },
}

fn list(problems: &[BalanceProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The parts of a scenario file a field error can point into before the file is known.
const WITHIN_A_FILE: [&str; 5] = [
    "scenario",
    "settings",
    "paths",
    "dynamic settings",
    "scenario file",
];

impl Error {
    /// The same error, placed in the scenario file it came from: a field error that an
    /// engine or a run reports against the scenario (`restrictions[0].targets`) becomes one
    /// against `file` at `scenario.restrictions[0].targets`, as parse-time errors are.
    /// Other errors are returned as they are.
    ///
    /// ```
    /// use shortfall::error::{Error, Location};
    /// let e = Error::InvalidField {
    ///     field: "restrictions[0].targets".into(),
    ///     reason: "unknown bloc `NATO`".into(),
    ///     location: Location::new("scenario", None),
    /// };
    /// let text = e.in_file("my.toml").to_string();
    /// assert_eq!(text, "my.toml: field `scenario.restrictions[0].targets`: unknown bloc `NATO`");
    /// ```
    pub fn in_file(self, file: &str) -> Self {
        match self {
            Error::InvalidField {
                field,
                reason,
                location,
            } if location.line.is_none() && WITHIN_A_FILE.contains(&location.file.as_str()) => {
                let field = if location.file == "scenario" {
                    format!("scenario.{field}")
                } else {
                    field
                };
                Error::InvalidField {
                    field,
                    reason,
                    location: Location::new(file, None),
                }
            }
            other => other,
        }
    }

    /// The one constructor of a field error found before a file is known: `path` is the
    /// field's path from the root of `within` (`scenario`: `restrictions[0].severity`;
    /// `settings`: `monte_carlo.draws`; `paths`: `paths.product`; `dynamic settings`;
    /// `scenario file`: `observed[1].measure`). [`Error::in_file`] moves it into the
    /// file it came from.
    ///
    /// ```
    /// use shortfall::Error;
    /// let e = Error::field("settings", "monte_carlo.draws", "0 is not a number of draws");
    /// assert_eq!(
    ///     e.in_file("run.toml").to_string(),
    ///     "run.toml: field `monte_carlo.draws`: 0 is not a number of draws"
    /// );
    /// ```
    pub fn field(within: &str, path: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidField {
            field: path.into(),
            reason: reason.into(),
            location: Location::new(within, None),
        }
    }
}
