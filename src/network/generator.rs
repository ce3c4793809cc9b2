//! The seeded synthetic network generator (docs/model.md §1) used by every bench and property test.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{Edge, Input, Network, NetworkParts, Node, NodeId, NodeKind, Sink};
use super::{Product, ProductId, Region, RegionId};
use crate::error::{Error, Result};

/// Parameters of a synthetic chain: `regions x products` nodes, products in `depth`
/// stages, each node's every input bought from `suppliers` regions (all of them when
/// `dense`), capacity `x·(1 + headroom)`. Balanced by construction: output is computed
/// from downstream orders plus final use, stage by stage from the top.
///
/// ```
/// use shortfall::network::Synthetic;
/// let net = Synthetic { regions: 4, products: 6, depth: 3, ..Synthetic::default() }
///     .build()
///     .unwrap();
/// assert_eq!(net.nodes().len(), 24);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synthetic {
    /// Number of regions.
    pub regions: usize,
    /// Number of products (at least `depth`).
    pub products: usize,
    /// Number of stages; stage 0 is primary.
    pub depth: usize,
    /// Suppliers per node and input (capped at `regions`).
    pub suppliers: usize,
    /// Spare capacity as a share of output.
    pub headroom: f64,
    /// Every region supplies every user of each input.
    pub dense: bool,
    /// Stocks as days of each region's absorption.
    pub stock_days: f64,
    /// The seed.
    pub seed: u64,
}

impl Default for Synthetic {
    fn default() -> Self {
        Self {
            regions: 5,
            products: 4,
            depth: 3,
            suppliers: 2,
            headroom: 0.2,
            dense: false,
            stock_days: 30.0,
            seed: 42,
        }
    }
}

impl Synthetic {
    /// A generator for about `nodes` nodes with `suppliers` suppliers per input: 10
    /// products in 5 stages, `nodes / 10` regions.
    pub fn with_nodes(nodes: usize, suppliers: usize, seed: u64) -> Self {
        Self {
            regions: (nodes / 10).max(1),
            products: 10,
            depth: 5,
            suppliers,
            seed,
            ..Self::default()
        }
    }

    /// Builds the network.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] when a size is zero, `depth > products`, or `headroom`
    /// or `stock_days` is negative or not finite.
    pub fn build(&self) -> Result<Network> {
        let (nr, np, depth) = (self.regions, self.products, self.depth);
        if nr == 0 || np == 0 || depth == 0 || depth > np || self.suppliers == 0 {
            return Err(Error::InvalidSetting(format!(
                "synthetic network needs regions, products, depth and suppliers >= 1 and \
                 depth <= products (got {nr}, {np}, {depth}, {})",
                self.suppliers
            )));
        }
        for (name, v) in [("headroom", self.headroom), ("stock_days", self.stock_days)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::InvalidSetting(format!(
                    "synthetic network: {name} = {v} must be non-negative and finite"
                )));
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let stage = |p: usize| p * depth / np;
        let stage_products = |s: usize| (0..np).filter(move |&p| stage(p) == s);
        // Recipes per product: one or two inputs from the stage below.
        let recipes: Vec<Vec<Input>> = (0..np)
            .map(|p| {
                if stage(p) == 0 {
                    return Vec::new();
                }
                let below: Vec<usize> = stage_products(stage(p) - 1).collect();
                let count = if self.dense {
                    below.len()
                } else {
                    1 + rng.random_range(0..2usize).min(below.len() - 1)
                };
                sample(&mut rng, below.len(), count)
                    .into_iter()
                    .map(|i| Input {
                        product: ProductId(below[i] as u32),
                        per_unit: rng.random_range(0.5..2.0),
                    })
                    .collect()
            })
            .collect();
        let node = |r: usize, p: usize| NodeId((r * np + p) as u32);
        let mut output = vec![0.0; nr * np];
        let mut edges = Vec::new();
        let k = if self.dense {
            nr
        } else {
            self.suppliers.min(nr)
        };
        for s in (0..depth).rev() {
            for p in stage_products(s) {
                for r in 0..nr {
                    let n = node(r, p).index();
                    // Final use in one to three regions.
                    let count = rng.random_range(1..=3usize);
                    for dest in sample(&mut rng, nr, count) {
                        let flow = rng.random_range(10.0..100.0);
                        output[n] += flow;
                        edges.push(edge(
                            NodeId(n as u32),
                            Sink::FinalUse(RegionId(dest as u32)),
                            flow,
                        ));
                    }
                }
            }
            // Orders of this stage's nodes on the stage below.
            for p in stage_products(s) {
                for input in &recipes[p] {
                    for r in 0..nr {
                        let user = node(r, p);
                        let need = input.per_unit * output[user.index()];
                        let suppliers = sample(&mut rng, nr, k);
                        let weights: Vec<f64> = suppliers
                            .iter()
                            .map(|_| rng.random_range(0.2..1.0))
                            .collect();
                        let total: f64 = weights.iter().sum();
                        for (i, w) in suppliers.iter().zip(&weights) {
                            let from = node(*i, input.product.index());
                            let flow = need * w / total;
                            output[from.index()] += flow;
                            edges.push(edge(from, Sink::Node(user), flow));
                        }
                    }
                }
            }
        }
        let nodes: Vec<Node> = (0..nr * np)
            .map(|n| Node {
                region: RegionId((n / np) as u32),
                product: ProductId((n % np) as u32),
                kind: NodeKind::Producer,
                capacity: output[n] * (1.0 + self.headroom),
                estimated: false,
            })
            .collect();
        let inputs = (0..nr * np).map(|n| recipes[n % np].clone()).collect();
        let mut absorption = vec![vec![0.0; np]; nr];
        for e in &edges {
            let r = match e.to {
                Sink::Node(u) => u.index() / np,
                Sink::FinalUse(r) => r.index(),
            };
            absorption[r][e.from.index() % np] += e.flow;
        }
        let stocks = absorption
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|a| a * self.stock_days / 365.0)
                    .collect()
            })
            .collect();
        Network::new(NetworkParts {
            joint: Vec::new(),
            regions: (0..nr)
                .map(|r| Region::new(format!("R{r}"), format!("Region {r}")))
                .collect(),
            products: (0..np)
                .map(|p| {
                    Product::new(
                        format!("p{p}"),
                        format!("Product {p} (stage {})", stage(p)),
                        "t",
                    )
                })
                .collect(),
            nodes,
            inputs,
            edges,
            stocks,
        })
    }
}

/// A dense synthetic monetary table (the dense mode of docs/performance.md): every industry buys from
/// every industry, as in a multi-regional input-output table. Technical-coefficient
/// column sums are drawn in [0.3, 0.7], final demand per consuming region in [50, 150];
/// output solves `x = A·x + y` (fixed-point iteration; the column sums keep it
/// contracting). The result is a cyclic [`Network::monetary`] network.
///
/// ```
/// use shortfall::network::SyntheticTable;
/// let net = SyntheticTable { regions: 3, sectors: 4, seed: 1 }.build()?;
/// assert_eq!(net.edges().len(), 12 * 12 + 12 * 3);
/// assert!(!net.is_acyclic());
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyntheticTable {
    /// Number of regions.
    pub regions: usize,
    /// Number of sectors.
    pub sectors: usize,
    /// The seed.
    pub seed: u64,
}

impl SyntheticTable {
    /// Builds the table.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] when a size is zero.
    pub fn build(&self) -> Result<Network> {
        let (nr, ns) = (self.regions, self.sectors);
        if nr == 0 || ns == 0 {
            return Err(Error::InvalidSetting(format!(
                "a synthetic table needs regions and sectors >= 1 (got {nr}, {ns})"
            )));
        }
        let n = nr * ns;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        // Column-major coefficients: a[j * n + i], input from i per unit of j's output.
        let mut a = vec![0.0; n * n];
        for column in a.chunks_mut(n) {
            let sum: f64 = rng.random_range(0.3..0.7);
            for v in column.iter_mut() {
                *v = rng.random_range(0.0f64..1.0).powi(3);
            }
            let total: f64 = column.iter().sum();
            column.iter_mut().for_each(|v| *v *= sum / total);
        }
        let y: Vec<f64> = (0..n * nr).map(|_| rng.random_range(50.0..150.0)).collect();
        let demand: Vec<f64> = y.chunks(nr).map(|row| row.iter().sum()).collect();
        let mut x = demand.clone();
        loop {
            let mut next = demand.clone();
            for (j, column) in a.chunks(n).enumerate() {
                for (i, v) in column.iter().enumerate() {
                    next[i] += v * x[j];
                }
            }
            let done = next.iter().zip(&x).all(|(a, b)| (a - b).abs() <= 1e-15 * a);
            x = next;
            if done {
                break;
            }
        }
        let mut edges = Vec::with_capacity(n * (n + nr));
        for i in 0..n {
            for j in 0..n {
                edges.push(edge(
                    NodeId(i as u32),
                    Sink::Node(NodeId(j as u32)),
                    a[j * n + i] * x[j],
                ));
            }
            for r in 0..nr {
                edges.push(edge(
                    NodeId(i as u32),
                    Sink::FinalUse(RegionId(r as u32)),
                    y[i * nr + r],
                ));
            }
        }
        let inputs = (0..n)
            .map(|j| {
                (0..ns)
                    .map(|p| Input {
                        product: ProductId(p as u32),
                        per_unit: (0..nr).map(|r| a[j * n + r * ns + p]).sum(),
                    })
                    .collect()
            })
            .collect();
        let nodes = (0..n)
            .map(|j| Node {
                region: RegionId((j / ns) as u32),
                product: ProductId((j % ns) as u32),
                kind: NodeKind::Producer,
                capacity: x[j],
                estimated: false,
            })
            .collect();
        Network::monetary(NetworkParts {
            joint: Vec::new(),
            regions: (0..nr)
                .map(|r| Region::new(format!("R{r}"), format!("Region {r}")))
                .collect(),
            products: (0..ns)
                .map(|p| Product::new(format!("s{p}"), format!("Sector {p}"), "money"))
                .collect(),
            nodes,
            inputs,
            edges,
            stocks: Vec::new(),
        })
    }
}

fn edge(from: NodeId, to: Sink, flow: f64) -> Edge {
    Edge {
        from,
        to,
        flow,
        transit: None,
        estimate: 0.0,
    }
}

/// `count` distinct indices below `n` (partial Fisher-Yates over a small buffer).
fn sample(rng: &mut impl Rng, n: usize, count: usize) -> Vec<usize> {
    let count = count.min(n);
    if count == n {
        return (0..n).collect();
    }
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    while picked.len() < count {
        let i = rng.random_range(0..n);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked
}
