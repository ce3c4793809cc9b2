//! Traced content and touched-by shares (docs/model.md §2.3).
//!
//! The content of an upstream product `u` in one unit of node `n`'s output propagates
//! along input coefficients: `C_n = Σ_i (Z[i,n] / x_n) · C_i` over the suppliers `i` of
//! `n`, with `C` fixed at the nodes of `u` itself. On an acyclic chain this is a sparse
//! triangular system, solved here by forward substitution in topological order of
//! products (`O(edges)` per right-hand side); [`content_by_origin_dense`] solves the same
//! system by dense LU for small networks (and, later, cyclic tables).

use faer::Mat;
use serde::Serialize;

use super::leontief::{DenseLu, DENSE_LIMIT};
use super::{Shares, Undefined};
use crate::error::{Error, Result};
use crate::network::{Network, NodeId, ProductId, RegionId};

/// The largest nodes x origins table [`content_by_origin`] fills (50 million entries,
/// 400 MB); above it, trace one origin at a time with [`content`].
pub const BY_ORIGIN_LIMIT: usize = 50_000_000;

/// Joint production by mass (docs/model.md §2.3, §1.8): per node, the mass of all the
/// outputs of its activity per unit of its own output, `M_h = 1 + Σ_k γ_k t_k / t_h` over
/// its joint outputs `k` (1 for a node that hosts none); and per joint output, the share
/// `t_k / t_h / M_h` of its host's input content it carries per unit. Tonnes per unit `t`
/// come from the products (1 where a product's mass is not known).
fn joint_mass(net: &Network) -> (Vec<f64>, Vec<f64>) {
    let tonnes = |n: NodeId| {
        net.product(net.node(n).product)
            .tonnes_per_unit()
            .unwrap_or(1.0)
    };
    let mut mass = vec![1.0; net.nodes().len()];
    for j in net.joint_outputs() {
        mass[j.host.index()] += j.per_unit * tonnes(j.node) / tonnes(j.host);
    }
    let mut share = vec![0.0; net.nodes().len()];
    for j in net.joint_outputs() {
        share[j.node.index()] = tonnes(j.node) / tonnes(j.host) / mass[j.host.index()];
    }
    (mass, share)
}

/// Forward substitution: `value[n] = seed(n)` where the seed is given, else
/// `Σ_i (Z[i,n] / x_n) · value[i]`, shared by mass over a joint activity's outputs
/// (§1.8); nodes without output get zero.
fn propagate(net: &Network, seed: impl Fn(NodeId) -> Option<f64>) -> Vec<f64> {
    let (mass, share) = joint_mass(net);
    let mut value = vec![0.0; net.nodes().len()];
    // Per node: the content its own inputs bring per unit of its output.
    let mut raw = vec![0.0; net.nodes().len()];
    // A recycling loop (§1.9) carries its host's content of the pass before.
    until_settled(net, &mut value, |value| {
        pass(net, &seed, &mass, &share, &mut raw, value);
    });
    value
}

/// Runs `pass` over `values` once, or, on a network with a recycling loop (§1.9), until a
/// pass moves nothing (the loop gain is below 1, so the passes converge), at most
/// [`MAX_PASSES`].
fn until_settled(net: &Network, values: &mut [f64], mut pass: impl FnMut(&mut [f64])) {
    let loops = net.recycles().iter().any(|&r| r);
    for _ in 0..if loops { MAX_PASSES } else { 1 } {
        let before = loops.then(|| values.to_vec());
        pass(values);
        if before.is_some_and(|b| settled(&b, values)) {
            break;
        }
    }
}

/// The most passes of a propagation over recycling loops.
const MAX_PASSES: usize = 1000;

/// Whether two passes agree to the last bits (relative `1e-15`).
fn settled(before: &[f64], after: &[f64]) -> bool {
    before
        .iter()
        .zip(after)
        .all(|(a, b)| (a - b).abs() <= 1e-15 * a.abs().max(b.abs()))
}

/// One forward pass of [`propagate`].
fn pass(
    net: &Network,
    seed: &impl Fn(NodeId) -> Option<f64>,
    mass: &[f64],
    share: &[f64],
    raw: &mut [f64],
    value: &mut [f64],
) {
    for &p in net.product_order() {
        for &n in net.nodes_of(p) {
            let x = net.output(n);
            if x > 0.0 {
                raw[n.index()] = net
                    .in_edges(n)
                    .map(|e| e.flow * value[e.from.index()])
                    .sum::<f64>()
                    / x;
            }
            let from_host = net
                .host(n)
                .map_or(0.0, |(h, _)| share[n.index()] * raw[h.index()]);
            value[n.index()] = match seed(n) {
                Some(v) => v,
                None if x > 0.0 => raw[n.index()] / mass[n.index()] + from_host,
                None => 0.0,
            };
        }
    }
}

/// Content of `upstream` per unit of each node's output, in units of `upstream` per unit,
/// from `origin` only, or from every origin when `origin` is `None`. Nodes without
/// baseline output have zero (nothing to trace).
///
/// # Errors
/// [`Error::CyclicRecipes`] on a cyclic monetary table (forward substitution needs an
/// acyclic chain; [`content_by_origin_dense`] solves the cyclic case).
///
/// ```
/// use shortfall::metrics::content;
/// let net = shortfall::network::toy_chain();
/// let (ore, magnet) = (net.require_product("ore")?, net.require_product("magnet")?);
/// let cn_magnet = net.node_id(net.require_region("CN")?, magnet).unwrap();
/// // 0.25 t oxide per t magnet, 5 t ore per t oxide.
/// assert!((content(&net, ore, None)?[cn_magnet.index()] - 1.25).abs() < 1e-12);
/// // China's oxide uses 100 t of its own ore and 20 t of US ore.
/// let us = net.require_region("US")?;
/// assert!((content(&net, ore, Some(us))?[cn_magnet.index()] - 1.25 * 20.0 / 120.0).abs() < 1e-12);
/// # Ok::<(), shortfall::Error>(())
/// ```
pub fn content(net: &Network, upstream: ProductId, origin: Option<RegionId>) -> Result<Vec<f64>> {
    net.require_acyclic()?;
    Ok(propagate(net, |n| {
        let node = net.node(n);
        (node.product == upstream).then(|| match origin {
            Some(c) if node.region != c => 0.0,
            _ => 1.0,
        })
    }))
}

/// Traced content of an upstream product in every node's output, by origin region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContentByOrigin {
    /// The upstream product.
    pub upstream: ProductId,
    /// The origins: regions with nodes of `upstream`.
    pub origins: Vec<RegionId>,
    /// `nodes x origins`, row-major: units of `upstream` from each origin per unit of output.
    pub content: Vec<f64>,
}

impl ContentByOrigin {
    /// Content of node `n`'s output by origin (aligned with `origins`).
    pub fn of_node(&self, n: NodeId) -> &[f64] {
        let k = self.origins.len();
        &self.content[n.index() * k..(n.index() + 1) * k]
    }

    /// Traced origin shares of node `n`: `C_n(c) / Σ_c C_n(c)`.
    ///
    /// # Errors
    /// [`Undefined::NoContent`] where the content is zero.
    pub fn origin_shares(&self, n: NodeId) -> std::result::Result<Shares, Undefined> {
        Shares::of(
            self.origins
                .iter()
                .copied()
                .zip(self.of_node(n).iter().copied()),
        )
        .map_err(|_| Undefined::NoContent)
    }
}

fn origins_of(net: &Network, upstream: ProductId) -> Vec<RegionId> {
    let mut origins: Vec<RegionId> = net
        .nodes_of(upstream)
        .iter()
        .map(|&n| net.node(n).region)
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// Traced content by origin, by forward substitution (one sweep per origin).
///
/// # Errors
/// [`Error::TooLarge`] when nodes x origins exceeds [`BY_ORIGIN_LIMIT`];
/// [`Error::CyclicRecipes`] on a cyclic table.
pub fn content_by_origin(net: &Network, upstream: ProductId) -> Result<ContentByOrigin> {
    let origins = origins_of(net, upstream);
    let (nn, k) = (net.nodes().len(), origins.len());
    if nn.saturating_mul(k) > BY_ORIGIN_LIMIT {
        return Err(Error::TooLarge(format!(
            "traced content by origin needs {nn} nodes x {k} origins, above the limit of \
             {BY_ORIGIN_LIMIT}; trace one origin at a time with `content`"
        )));
    }
    let mut table = vec![0.0; nn * k];
    for (j, &c) in origins.iter().enumerate() {
        for (n, v) in content(net, upstream, Some(c))?.into_iter().enumerate() {
            table[n * k + j] = v;
        }
    }
    Ok(ContentByOrigin {
        upstream,
        origins,
        content: table,
    })
}

/// The same table as [`content_by_origin`], by a dense LU solve of `(I - Â) C = S`
/// (docs/model.md §2.5), for networks of at most [`DENSE_LIMIT`] nodes: cyclic tables too.
///
/// # Errors
/// [`Error::TooLarge`] above the size limit, [`Error::Singular`] if the matrix is singular.
pub fn content_by_origin_dense(net: &Network, upstream: ProductId) -> Result<ContentByOrigin> {
    let nn = net.nodes().len();
    if nn > DENSE_LIMIT {
        return Err(Error::TooLarge(format!(
            "the dense traced-content solve takes at most {DENSE_LIMIT} nodes, not {nn}"
        )));
    }
    let origins = origins_of(net, upstream);
    let k = origins.len();
    let (mass, share) = joint_mass(net);
    let mut m = Mat::<f64>::identity(nn, nn);
    let mut rhs = Mat::<f64>::zeros(nn, k);
    for n in net.node_ids() {
        let node = net.node(n);
        if node.product == upstream {
            let j = origins.iter().position(|&c| c == node.region).unwrap_or(0);
            rhs[(n.index(), j)] = 1.0;
            continue;
        }
        let x = net.output(n);
        if x > 0.0 {
            for e in net.in_edges(n) {
                m[(n.index(), e.from.index())] -= e.flow / x / mass[n.index()];
            }
            // A joint output carries its share of its host's input content (§1.8).
            if let Some((h, _)) = net.host(n) {
                let xh = net.output(h);
                for e in net.in_edges(h).filter(|_| xh > 0.0) {
                    m[(n.index(), e.from.index())] -= share[n.index()] * e.flow / xh;
                }
            }
        }
    }
    let what = "the traced-content system";
    DenseLu::factor(&m, what)?.solve(&mut rhs, false, what)?;
    let mut table = vec![0.0; nn * k];
    for n in 0..nn {
        for j in 0..k {
            table[n * k + j] = rhs[(n, j)];
        }
    }
    Ok(ContentByOrigin {
        upstream,
        origins,
        content: table,
    })
}

/// Touched-by shares: how much of each node's output passed through one region at any
/// stage, by volume or weighted by the content of an upstream product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchedBy {
    /// The region.
    pub region: RegionId,
    /// Per node, the touched part of the weight.
    touched: Vec<f64>,
    /// Per node, the weight (1 by volume; the total content when content-weighted).
    weight: Vec<f64>,
}

impl TouchedBy {
    /// Share of node `n`'s output that touched the region.
    ///
    /// # Errors
    /// [`Undefined::NoContent`] when the weight is zero (no content to weigh).
    pub fn node_share(&self, n: NodeId) -> std::result::Result<f64, Undefined> {
        let w = self.weight[n.index()];
        if w > 0.0 {
            Ok(self.touched[n.index()] / w)
        } else {
            Err(Undefined::NoContent)
        }
    }

    /// Share of what `region`'s users receive of `product` that touched the region
    /// (each flow weighted by its volume, times the weight of its supplier).
    ///
    /// # Errors
    /// [`Undefined::NoSupply`] when the region receives none of the product,
    /// [`Undefined::NoContent`] when what it receives has no content to weigh.
    pub fn supply_share(
        &self,
        net: &Network,
        region: RegionId,
        product: ProductId,
    ) -> std::result::Result<f64, Undefined> {
        let (mut touched, mut weight, mut volume) = (0.0, 0.0, 0.0);
        for &n in net.nodes_of(product) {
            for e in net.out_edges(n) {
                if net.sink_region(e.to) == region {
                    volume += e.flow;
                    touched += e.flow * self.touched[n.index()];
                    weight += e.flow * self.weight[n.index()];
                }
            }
        }
        if volume == 0.0 {
            Err(Undefined::NoSupply)
        } else if weight == 0.0 {
            Err(Undefined::NoContent)
        } else {
            Ok(touched / weight)
        }
    }
}

/// Touched-by shares by volume: a unit of a node's output is untouched when every input
/// it embodies is, inputs being mixed in proportion to what each supplier delivers, so the
/// untouched share of node `n` is `Π_m ū_{m,n}`, `ū_{m,n}` the delivery-weighted untouched
/// share of its supply of input `m`; nodes in the region are touched, primary nodes outside
/// it untouched (model.md §2.3). At least the direct share from the region.
///
/// # Errors
/// [`Error::CyclicRecipes`] on a cyclic table.
///
/// ```
/// use shortfall::metrics::touched_by;
/// let net = shortfall::network::toy_chain();
/// let (us, cn) = (net.require_region("US")?, net.require_region("CN")?);
/// let t = touched_by(&net, cn)?;
/// // US magnet makers get 1.2 of their 2 t of oxide from China: 60% of US magnets touched.
/// let us_magnet = net.node_id(us, net.require_product("magnet")?).unwrap();
/// assert!((t.node_share(us_magnet).unwrap() - 0.6).abs() < 1e-12);
/// # Ok::<(), shortfall::Error>(())
/// ```
pub fn touched_by(net: &Network, region: RegionId) -> Result<TouchedBy> {
    net.require_acyclic()?;
    let np = net.products().len();
    let mut untouched = vec![1.0; net.nodes().len()];
    let (mut got, mut clean) = (vec![0.0; np], vec![0.0; np]);
    until_settled(net, &mut untouched, |untouched| {
        touch_pass(net, region, untouched, &mut got, &mut clean);
    });
    Ok(TouchedBy {
        region,
        touched: untouched.iter().map(|u| 1.0 - u).collect(),
        weight: vec![1.0; untouched.len()],
    })
}

/// One forward pass of [`touched_by`].
fn touch_pass(
    net: &Network,
    region: RegionId,
    untouched: &mut [f64],
    got: &mut [f64],
    clean: &mut [f64],
) {
    for &p in net.product_order() {
        for &n in net.nodes_of(p) {
            if net.node(n).region == region {
                untouched[n.index()] = 0.0;
                continue;
            }
            for e in net.in_edges(n) {
                let m = net.node(e.from).product.index();
                got[m] += e.flow;
                clean[m] += e.flow * untouched[e.from.index()];
            }
            // A joint output is made in its host's activity: untouched only if the
            // host's output is (§1.8).
            let mut u = net.host(n).map_or(1.0, |(h, _)| untouched[h.index()]);
            for input in net.inputs(n) {
                let m = input.product.index();
                if got[m] > 0.0 {
                    u *= clean[m] / got[m];
                }
                got[m] = 0.0;
                clean[m] = 0.0;
            }
            untouched[n.index()] = u;
        }
    }
}

/// Touched-by shares weighted by the content of `upstream`: the share of a node's content
/// of `upstream` whose chain passed through the region, from two linear propagations
/// (total content, and content with the region's nodes set to zero). No inequality with the
/// direct share holds (model.md §2.3).
///
/// # Errors
/// [`Error::CyclicRecipes`] on a cyclic table.
pub fn touched_by_content(
    net: &Network,
    region: RegionId,
    upstream: ProductId,
) -> Result<TouchedBy> {
    let total = content(net, upstream, None)?;
    let clean = propagate(net, |n| {
        let node = net.node(n);
        if node.region == region {
            Some(0.0)
        } else {
            (node.product == upstream).then_some(1.0)
        }
    });
    Ok(TouchedBy {
        region,
        touched: total.iter().zip(&clean).map(|(t, c)| t - c).collect(),
        weight: total,
    })
}
