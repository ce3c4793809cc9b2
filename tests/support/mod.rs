//! Shared test helpers: the proptest strategy for small valid networks, and invariant
//! checkers used by several test files.
#![allow(dead_code)] // each test binary uses its own subset

use proptest::prelude::*;
use shortfall::network::{Network, Synthetic};
use shortfall::tolerance::{self, FIXED_POINT};

/// Parameters of small generated networks (2-6 regions, 2-8 products, 1-4 stages).
pub fn small_synthetic() -> impl Strategy<Value = Synthetic> {
    (
        2usize..=6,
        2usize..=8,
        1usize..=4,
        1usize..=3,
        0.0f64..1.0,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(regions, products, depth, suppliers, headroom, dense, seed)| Synthetic {
                regions,
                products,
                depth: depth.min(products),
                suppliers,
                headroom,
                dense,
                stock_days: 30.0,
                seed,
            },
        )
}

/// Small valid networks.
pub fn small_network() -> impl Strategy<Value = Network> {
    small_synthetic().prop_map(|s| s.build().expect("generator parameters are valid"))
}

/// The fixed point of docs/model.md §1.1: every node given exactly its baseline inputs can make
/// exactly its baseline output, `min_m R[m,n] / a[m,n] = x[n]` to relative 1e-12.
/// Returns the first node that fails, described.
pub fn fixed_point_failure(net: &Network) -> Option<String> {
    for n in net.node_ids() {
        let inputs = net.inputs(n);
        if inputs.is_empty() {
            continue;
        }
        let can_make = inputs
            .iter()
            .map(|i| net.received(n, i.product) / i.per_unit)
            .fold(f64::INFINITY, f64::min);
        if !tolerance::close(can_make, net.output(n), FIXED_POINT) {
            return Some(format!(
                "node {n:?} can make {can_make} but its output is {}",
                net.output(n)
            ));
        }
    }
    None
}

use shortfall::engine::{Engine, StaticCascade, StaticOutcome};
use shortfall::network::{
    Edge, Input, NetworkParts, Node, NodeId, NodeKind, Product, ProductId, Region, RegionId, Sink,
};
use shortfall::scenario::{
    Allocation, CapacityLoss, Disposal, Mitigation, Realization, Restriction, Targets, Transit,
};

/// A hand-built network: regions and products by code, nodes and flows added one by one.
pub struct Hand {
    parts: NetworkParts,
}

impl Hand {
    pub fn new(regions: &[&str], products: &[&str]) -> Self {
        Self {
            parts: NetworkParts {
                regions: regions.iter().map(|c| Region::new(*c, *c)).collect(),
                products: products.iter().map(|p| Product::new(*p, *p, "t")).collect(),
                stocks: vec![vec![0.0; products.len()]; regions.len()],
                ..NetworkParts::default()
            },
        }
    }

    fn region(&self, code: &str) -> RegionId {
        RegionId(
            self.parts
                .regions
                .iter()
                .position(|r| r.code == code)
                .unwrap() as u32,
        )
    }

    fn product(&self, id: &str) -> ProductId {
        ProductId(self.parts.products.iter().position(|p| p.id == id).unwrap() as u32)
    }

    /// A node with capacity and inputs `(product, per unit)`.
    pub fn node(
        &mut self,
        region: &str,
        product: &str,
        capacity: f64,
        inputs: &[(&str, f64)],
    ) -> NodeId {
        let node = Node {
            region: self.region(region),
            product: self.product(product),
            kind: NodeKind::Producer,
            capacity,
            estimated: false,
        };
        let inputs = inputs
            .iter()
            .map(|(p, a)| Input {
                product: self.product(p),
                per_unit: *a,
            })
            .collect();
        self.parts.nodes.push(node);
        self.parts.inputs.push(inputs);
        NodeId(self.parts.nodes.len() as u32 - 1)
    }

    /// A closing item of `kind` (secondary supply or a discrepancy, docs/model.md §1.4)
    /// with capacity equal to the output it will be given.
    pub fn closing(&mut self, region: &str, product: &str, kind: NodeKind, output: f64) -> NodeId {
        let n = self.node(region, product, output, &[]);
        self.parts.nodes[n.index()].kind = kind;
        n
    }

    pub fn flow_to_node(&mut self, from: NodeId, to: NodeId, flow: f64) {
        self.parts.edges.push(Edge {
            from,
            to: Sink::Node(to),
            flow,
            transit: None,
            estimate: 0.0,
        });
    }

    pub fn flow_to_final(&mut self, from: NodeId, region: &str, flow: f64) {
        let r = self.region(region);
        self.parts.edges.push(Edge {
            from,
            to: Sink::FinalUse(r),
            flow,
            transit: None,
            estimate: 0.0,
        });
    }

    pub fn stock(&mut self, region: &str, product: &str, quantity: f64) {
        let (r, p) = (self.region(region).index(), self.product(product).index());
        self.parts.stocks[r][p] = quantity;
    }

    /// Makes `node` a joint output of `host` at `per_unit` (docs/model.md §1.8).
    pub fn joint(&mut self, node: NodeId, host: NodeId, per_unit: f64) {
        self.parts.joint.push(shortfall::network::JointOutput {
            node,
            host,
            per_unit,
        });
    }

    /// The parts so far (for tests that expect `Network::new` to refuse them).
    pub fn parts(&self) -> NetworkParts {
        self.parts.clone()
    }

    pub fn build(self) -> Network {
        Network::new(self.parts).expect("hand-built network balances")
    }
}

/// China makes 100 t of oxide, 50 for the US magnet maker and 50 for Vietnam's; Korea's
/// 50 t go to Vietnam too; the US uses its 50 t of magnets, Vietnam's 100 t go half to
/// Vietnam and half to Israel. The network of the κ cases (docs/model.md §4.5, §4.8).
pub fn oxide_diversion() -> Network {
    let mut h = Hand::new(&["CN", "US", "IL", "VN", "KR"], &["oxide", "magnet"]);
    let cn = h.node("CN", "oxide", 100.0, &[]);
    let kr = h.node("KR", "oxide", 50.0, &[]);
    let us = h.node("US", "magnet", 50.0, &[("oxide", 1.0)]);
    let vn = h.node("VN", "magnet", 100.0, &[("oxide", 1.0)]);
    h.flow_to_node(cn, us, 50.0);
    h.flow_to_node(cn, vn, 50.0);
    h.flow_to_node(kr, vn, 50.0);
    h.flow_to_final(us, "US", 50.0);
    h.flow_to_final(vn, "VN", 50.0);
    h.flow_to_final(vn, "IL", 50.0);
    h.build()
}

/// On [`oxide_diversion`]: China cuts its oxide to `targets` and diverts it, κ = `kappa`,
/// and Korea loses all its capacity, so Vietnam's maker restores its output with diverted
/// oxide; over a year.
pub fn oxide_diversion_cut(targets: &[&str], kappa: f64) -> Realization {
    let mut cut = Restriction::full(
        ["CN"],
        ["oxide"],
        Targets::List(targets.iter().map(|t| t.to_string()).collect()),
    );
    cut.disposal = Disposal::Divert;
    cut.processing_leakage = kappa;
    Realization {
        horizon: 1.0,
        restrictions: vec![cut],
        capacity_losses: vec![CapacityLoss {
            item: Default::default(),
            region: "KR".into(),
            product: "oxide".into(),
            share: 1.0,
        }],
        ..Realization::default()
    }
}

/// Runs a dynamic engine on one realization and returns its outcome.
pub fn run_dynamic(
    engine: &shortfall::engine::Dynamic,
    net: &Network,
    r: &Realization,
) -> shortfall::engine::DynamicOutcome {
    let mut ws = engine.workspace(net);
    engine.run(net, r, &mut ws).expect("a valid realization");
    ws.outcome().clone()
}

/// Runs the static cascade on one realization and returns its outcome.
pub fn run(net: &Network, r: &Realization) -> StaticOutcome {
    let engine = StaticCascade::new(net, r).expect("a valid scenario");
    let mut ws = engine.workspace(net);
    engine.run(net, r, &mut ws).expect("a valid realization");
    ws.outcome().clone()
}

/// Like [`run`], and asserts the invariants of [`outcome_violation`].
pub fn run_checked(net: &Network, r: &Realization) -> StaticOutcome {
    let o = run(net, r);
    assert_eq!(outcome_violation(net, r, &o), None);
    o
}

/// The properties of docs/model.md §4.8 that hold for every run: shortfalls within
/// [0, baseline], material balance per product, and per node and input
/// `a · output <= received`. Returns the first violation.
pub fn outcome_violation(net: &Network, r: &Realization, o: &StaticOutcome) -> Option<String> {
    let tol = |x: f64| 1e-9 * x.abs().max(1.0);
    for i in 0..o.absorption_shortfall.len() {
        let (s, b) = (o.absorption_shortfall[i], o.absorption_baseline[i]);
        if s < 0.0 || s > b + tol(b) {
            return Some(format!("absorption shortfall {s} outside [0, {b}] at {i}"));
        }
        let (s, b) = (o.final_shortfall[i], o.final_baseline[i]);
        if s < 0.0 || s > b + tol(b) {
            return Some(format!("final-use shortfall {s} outside [0, {b}] at {i}"));
        }
    }
    let np = net.products().len();
    for p in 0..np {
        let released: f64 = (0..net.regions().len())
            .map(|reg| o.stock_released[reg * np + p])
            .sum();
        let lhs = o.production[p] + released;
        let rhs = o.received[p] + o.kept[p] + o.surplus[p];
        if (lhs - rhs).abs() > tol(lhs) {
            return Some(format!("material balance of product {p}: {lhs} made and released vs {rhs} received, kept, surplus"));
        }
        let kappa = r
            .restrictions
            .iter()
            .map(|x| x.processing_leakage)
            .fold(1.0, f64::min);
        // The market step's leakage factor g raises κ to 1 - (1 - κ) g (§7.1).
        let kappa = match (&r.market, &o.market) {
            (Some(market), Some(m)) => {
                let (origin, bloc) = (m.prices[2 * np + p], m.prices[np + p]);
                let eta = market.leakage_elasticity;
                if eta > 0.0 && bloc > origin {
                    1.0 - (1.0 - kappa) * (origin / bloc).powf(eta)
                } else {
                    kappa
                }
            }
            _ => kappa,
        };
        if o.tagged_to_targets[p] > kappa * o.processed[p] + tol(o.processed[p]) {
            return Some(format!(
                "product {p}: {} tagged volume reached targets, κ {kappa} of {} processed",
                o.tagged_to_targets[p], o.processed[p]
            ));
        }
    }
    // Per node and input: a thrifted coefficient uses `θ̄·a` (docs/model.md §4.9), and a
    // preferred input may be short by what its region switched.
    let mut k = 0;
    for n in net.node_ids() {
        let q = r.horizon * net.output(n) + o.output_change[n.index()];
        let node = net.node(n);
        for input in net.inputs(n) {
            let got = o.received_inputs[k];
            let theta: f64 = r
                .adaptation
                .thrifting
                .iter()
                .filter(|t| {
                    t.product == net.product(node.product).id
                        && t.input == net.product(input.product).id
                        && (t.regions.is_empty()
                            || t.regions.contains(&net.region(node.region).code))
                })
                .map(|t| t.factor(0.0, r.horizon))
                .product();
            let at = node.region.index() * np + input.product.index();
            let switched = o.switched[at];
            // The market step's demand factor thrifts the coefficient too (§7.1).
            let d = o
                .market
                .as_ref()
                .map_or(1.0, |m| m.demand_factor[at].min(1.0));
            let used = theta * d * input.per_unit * q;
            if used > got + switched + tol(got) {
                return Some(format!(
                    "node {n:?} uses {used} of an input but received {got} and switched {switched}"
                ));
            }
            k += 1;
        }
    }
    None
}

/// The parameters of a random shock on a network with at least two regions: region 0
/// restricts a subset of products to a subset of the others.
#[derive(Debug, Clone)]
pub struct Shock {
    pub products: Vec<bool>,
    pub targets: Vec<bool>,
    pub severity: f64,
    pub leakage: f64,
    pub kappa: f64,
    pub divert: bool,
    pub loss: Option<(usize, f64)>,
    pub stock_share: f64,
    pub substitution: f64,
    pub bloc_first: bool,
    pub horizon: f64,
    pub deferrable: f64,
}

pub fn shock() -> impl Strategy<Value = Shock> {
    (
        proptest::collection::vec(any::<bool>(), 8),
        proptest::collection::vec(any::<bool>(), 6),
        0.0f64..=1.0,
        0.0f64..=1.0,
        0.0f64..=1.0,
        any::<bool>(),
        proptest::option::of((0usize..1000, 0.0f64..=1.0)),
        (
            0.0f64..=1.0,
            0.0f64..=1.0,
            any::<bool>(),
            0.05f64..=2.0,
            0.0f64..=0.5,
        ),
    )
        .prop_map(
            |(
                products,
                targets,
                severity,
                leakage,
                kappa,
                divert,
                loss,
                (stock_share, substitution, bloc_first, horizon, deferrable),
            )| Shock {
                products,
                targets,
                severity,
                leakage,
                kappa,
                divert,
                loss,
                stock_share,
                substitution,
                bloc_first,
                horizon,
                deferrable,
            },
        )
}

impl Shock {
    /// The realization of this shock on `net` (regions R0.., products p0..).
    pub fn realization(&self, net: &Network) -> Realization {
        let products: Vec<String> = net
            .products()
            .iter()
            .enumerate()
            .filter(|(i, _)| self.products[i % self.products.len()])
            .map(|(_, p)| p.id.clone())
            .collect();
        let targets: Vec<String> = net
            .regions()
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(i, _)| self.targets[i % self.targets.len()])
            .map(|(_, r)| r.code.clone())
            .collect();
        let mut restrictions = Vec::new();
        if !products.is_empty() && !targets.is_empty() {
            restrictions.push(Restriction {
                exporters: vec![net.regions()[0].code.clone()],
                products,
                targets: Targets::List(targets.clone()),
                severity: self.severity,
                leakage: self.leakage,
                disposal: if self.divert {
                    Disposal::Divert
                } else {
                    Disposal::Keep
                },
                processing_leakage: self.kappa,
                transit: Transit::EndUser,
                severity_ramp: None,
                leakage_ramp: None,
                content: None,
                timing: None,
            });
        }
        let capacity_losses = self
            .loss
            .map(|(n, share)| {
                let node = net.node(NodeId((n % net.nodes().len()) as u32));
                vec![CapacityLoss {
                    item: Default::default(),
                    region: net.region(node.region).code.clone(),
                    product: net.product(node.product).id.clone(),
                    share,
                }]
            })
            .unwrap_or_default();
        Realization {
            horizon: self.horizon,
            restrictions,
            capacity_losses,
            mitigation: Mitigation {
                stock_release_share: self.stock_share,
                substitution: self.substitution,
                deferrable: self.deferrable,
                // An empty priority class is refused (it names no region); it would be
                // pro rata anyway.
                allocation: if self.bloc_first && !targets.is_empty() {
                    Allocation::BlocFirst(Targets::List(targets))
                } else {
                    Allocation::ProRata
                },
                ..Mitigation::default()
            },
            ..Realization::default()
        }
    }
}

/// A test model as an engine: `f` writes the outcomes of a realization (the network is
/// not read). The Monte Carlo tests drive known functions through the real driver with it.
pub struct Model<F> {
    pub outputs: usize,
    pub f: F,
}

impl<F: Fn(&Realization, &mut [f64]) + Sync> Engine for Model<F> {
    type Workspace = Vec<f64>;
    type Outcome = Vec<f64>;
    fn outcome<'w>(&self, ws: &'w Vec<f64>) -> &'w Vec<f64> {
        ws
    }
    fn workspace(&self, _: &Network) -> Vec<f64> {
        vec![0.0; self.outputs]
    }
    fn run(&self, _: &Network, r: &Realization, ws: &mut Vec<f64>) -> shortfall::Result<()> {
        (self.f)(r, ws);
        Ok(())
    }
}

/// Copies a [`Model`]'s outcomes out of its workspace.
#[allow(clippy::ptr_arg)] // the driver hands `&Workspace`, here `&Vec<f64>`
pub fn copy_out(ws: &Vec<f64>, out: &mut [f64]) {
    out.copy_from_slice(ws);
}

/// A scenario file on the toy chain: CN cuts magnets to the US with a severity uniform on
/// `[low, high]`, 13 weekly steps (horizon and run), followed by `rest` (more TOML:
/// mitigation, Monte Carlo settings, outcomes).
pub fn toy_embargo(low: f64, high: f64, rest: &str) -> shortfall::runs::ScenarioFile {
    let horizon = 13.0 * shortfall::engine::Step::Week.years();
    shortfall::runs::ScenarioFile::from_toml(
        &format!(
            r#"
            [scenario]
            horizon = {horizon}
            run_length = {horizon}
            [[scenario.restrictions]]
            exporters = ["CN"]
            products = ["magnet"]
            targets = {{ list = ["US"] }}
            severity = {{ uniform = {{ low = {low}, high = {high} }} }}
            {rest}
            "#
        ),
        "toy_embargo.toml",
    )
    .unwrap()
}

/// Adds a joint link to a generated network where one fits: a node whose region makes an
/// earlier product, with a yield at or above its baseline ratio (docs/model.md §1.8).
pub fn with_link(net: &Network, pick: usize, slack: f64) -> Option<Network> {
    let order = net.product_order();
    let rank = |n: NodeId| {
        order
            .iter()
            .position(|&p| p == net.node(n).product)
            .unwrap()
    };
    with_joint(net, pick, slack, |k, h| rank(h) < rank(k))
}

/// Adds a joint link `(k, h)` that `fits`, in the same region with a host that has output,
/// picked by `pick`, at `1 + slack` times the baseline ratio; `None` where none fits or
/// the network refuses it.
pub fn with_joint(
    net: &Network,
    pick: usize,
    slack: f64,
    fits: impl Fn(NodeId, NodeId) -> bool,
) -> Option<Network> {
    let pairs: Vec<(NodeId, NodeId)> = net
        .node_ids()
        .flat_map(|k| net.node_ids().map(move |h| (k, h)))
        .filter(|&(k, h)| {
            net.node(k).region == net.node(h).region && net.output(h) > 0.0 && fits(k, h)
        })
        .collect();
    let &(k, h) = pairs.get(pick % pairs.len().max(1))?;
    let mut parts = net.to_parts();
    parts.joint.push(shortfall::network::JointOutput {
        node: k,
        host: h,
        per_unit: net.output(k) / net.output(h) * (1.0 + slack),
    });
    Network::new(parts).ok()
}

/// A region and a product of `net` by code.
pub fn at(
    net: &Network,
    region: &str,
    product: &str,
) -> (shortfall::network::RegionId, shortfall::network::ProductId) {
    (
        net.region_id(region).unwrap(),
        net.product_id(product).unwrap(),
    )
}

/// The first property of a dynamic run that fails, described (docs/model.md §5.9):
/// inventories and stockpiles never negative, every product balanced at every step, final
/// shortfalls within [0, baseline].
pub fn dynamic_violation(net: &Network, o: &shortfall::engine::DynamicOutcome) -> Option<String> {
    let np = net.products().len();
    for t in 0..o.steps {
        for n in net.node_ids() {
            for input in net.inputs(n) {
                let v = o.inventory(n, input.product, t).unwrap();
                if v < -1e-12 {
                    return Some(format!("inventory {v} of {n:?} at step {t}"));
                }
            }
        }
        for r in 0..net.regions().len() {
            for k in 0..np {
                let (r, k) = (
                    shortfall::network::RegionId(r as u32),
                    shortfall::network::ProductId(k as u32),
                );
                if let Some(level) = o.stockpile(r, k, t) {
                    if level < -1e-12 {
                        return Some(format!("stockpile {level} at step {t}"));
                    }
                }
            }
        }
        for k in 0..np {
            let i = t * np + k;
            let out = o.produced[i];
            let rebuilt = o.to_rebuild.get(i).copied().unwrap_or(0.0);
            let shipped = o.to_users[i] + o.to_final[i] + o.kept[i] + rebuilt;
            if (out - shipped).abs() > 1e-9 * out.max(1e-9) {
                return Some(format!(
                    "product {k} at step {t}: made {out}, shipped {shipped}"
                ));
            }
        }
        let nrp = o.final_baseline.len();
        for i in 0..nrp {
            let (short, base) = (o.final_shortfall[t * nrp + i], o.final_baseline[i]);
            if short < -1e-12 || short > base * (1.0 + 1e-9) + 1e-12 {
                return Some(format!("final shortfall {short} outside [0, {base}]"));
            }
        }
    }
    None
}

/// Two figures equal to `tolerance::BALANCE` (1e-9) relative, floored at one unit.
pub fn close(a: f64, b: f64) -> bool {
    tolerance::close(a, b, tolerance::BALANCE)
}

/// The output of `product`'s producers in `region` in an embedded dataset (0 without).
pub fn output(data: &shortfall::data::Dataset, region: &str, product: &str) -> f64 {
    let net = &data.network;
    let (r, p) = (
        net.require_region(region).unwrap(),
        net.require_product(product).unwrap(),
    );
    net.node_id(r, p).map_or(0.0, |n| net.output(n))
}

/// What a dataset's trade table ships of `product` from `from` to `to` (every importer
/// when `to` is empty).
pub fn shipped(data: &shortfall::data::Dataset, from: &str, to: &str, product: &str) -> f64 {
    (data.tables.trade.iter())
        .filter(|t| t.exporter == from && (to.is_empty() || t.importer == to))
        .filter(|t| t.product == product)
        .map(|t| t.quantity)
        .sum()
}
