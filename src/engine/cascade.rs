//! The static cascade (docs/model.md §4): one period as a whole, three sweeps over products
//! in topological order.

use std::collections::HashMap;

use super::outcome::StaticOutcome;
use super::Engine;
use crate::error::{Error, Result};
use crate::network::{Network, NodeId, NodeKind, ProductId, RegionId, Sink};
use crate::scenario::{Disposal, Realization};
use crate::tolerance;

use super::market::{self, MarketId, Markets};
use super::outcome::MarketOutcome;
use super::resolved::{Resolved, NONE};
use super::value::Values;
use super::{product_at, region_at, BuiltFor};
use crate::scenario::Rationing;

/// The static cascade engine, built for one scenario's structure (who restricts what to
/// whom, where capacity is lost, which final uses shift): [`StaticCascade::new`] resolves
/// codes to indices once; [`Engine::run`] then reads only the numbers of a realization.
///
/// ```
/// use shortfall::engine::{Engine, StaticCascade};
/// use shortfall::scenario::{Realization, Restriction, Targets};
/// let net = shortfall::network::toy_chain();
/// let embargo = Realization {
///     horizon: 1.0,
///     restrictions: vec![Restriction::full(["CN"], ["magnet"], Targets::List(vec!["US".into()]))],
///     ..Realization::default()
/// };
/// let engine = StaticCascade::new(&net, &embargo)?;
/// let mut ws = engine.workspace(&net);
/// engine.run(&net, &embargo, &mut ws)?;
/// let us = net.require_region("US")?;
/// let magnet = net.require_product("magnet")?;
/// // The US loses the 34 t it imported from China (30 direct, 4 via the Netherlands).
/// assert!((ws.outcome().final_shortfall(us, magnet) - 34.0).abs() < 1e-9);
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StaticCascade {
    built_for: BuiltFor,
    /// The scenario's structure against the network: restrictions per edge, restricting
    /// nodes, targets, priority class, loss and addition nodes, recipe scales.
    resolved: Resolved,
    /// Per edge, in the network's order: what sweep A reads, packed for locality.
    edges: Vec<EdgePlan>,
    /// Per node: whether a demand shift applies to one of its flows.
    shifted: Vec<bool>,
    /// Per slot: baseline annual flow to it.
    slot_base: Vec<f64>,
    /// Per node: CSR start into `input_slot` (aligned with the node's inputs).
    input_start: Vec<usize>,
    input_slot: Vec<u32>,
    /// Slots: one per (input product, producer node) and per (product, final-use region),
    /// sorted by product rank, then region.
    slots: Vec<Slot>,
    /// Per product rank: start of its slots.
    product_slots: Vec<usize>,
    /// Groups of slots of one (product, region), for own-stock release.
    groups: Vec<(usize, usize)>,
    /// Whether `bloc_first` is in force.
    prioritised: bool,
    disposal: Vec<Disposal>,
    /// Prices, value added per unit and final goods (docs/model.md §7.3).
    values: Values,
    /// The markets of the market step (§7.1), if the scenario has one.
    markets: Option<Markets>,
    /// §7.1, with a market step: per slot, the index `market·P + product` of its
    /// market; the producers of listed products that offer their unused baseline output,
    /// with the index of their market.
    slot_market: Vec<u32>,
    offering: Vec<(u32, u32)>,
    /// Allocation by value (§7.2): per slot, the value of a unit to its user; per node,
    /// its out-edges in decreasing value of their users (indices into the edges); per
    /// product rank, its slots in decreasing value. Empty under proportional rationing.
    slot_value: Vec<f64>,
    edge_order: Vec<u32>,
    slot_order: Vec<u32>,
    /// Thrifted slots: (slot, index into `adaptation.thrifting`) (§4.9).
    thrifted: Vec<(u32, usize)>,
    /// Switching nodes of substitution groups, by the rank of their product (§4.9).
    switches: Vec<SwitchPlan>,
    /// Joint outputs (§1.8): (rank of the node's product, node, host, yield, index of its
    /// recycling loop or `NONE`), by rank.
    joint: Vec<(usize, u32, u32, f64, u32)>,
    /// Recycling loops (§1.9): index into `joint` of each.
    loops: Vec<usize>,
}

/// A node of a substitution group, with the slots of its preferred input and substitute.
#[derive(Debug, Clone, Copy)]
struct SwitchPlan {
    node: u32,
    /// Rank of the node's product in the topological order.
    rank: usize,
    preferred: usize,
    substitute: usize,
    p_slot: u32,
    s_slot: u32,
    /// Whether the substitute is in the node's recipe (else its slot is added, §4.9).
    s_in_recipe: bool,
    group: usize,
}

/// Per run, per switching node: what §4.9 computes of it.
#[derive(Debug, Clone, Copy, Default)]
struct SwitchState {
    /// `W`: the room to switch, tonnes of the preferred input over the horizon.
    room: f64,
    /// `G`: what the node lacks of the preferred input after sweep A.
    lacking: f64,
    /// `w`: the switched part of the planned increase's need (sweep B).
    planned: f64,
    /// `k w` over the substitute slot's whole claim, and what the slot held from the
    /// pool before it was shared (sweep C).
    share: f64,
    before: f64,
    /// `v`: what the substitute's pool gave for switching.
    received: f64,
    /// `e`: the preferred-input equivalent of `v`, at most `W`.
    equivalent: f64,
    /// Tonnes of the preferred input replaced.
    switched: f64,
}

/// 16 bytes an edge: sweep A streams these once per run.
#[derive(Debug, Clone, Copy)]
struct EdgePlan {
    /// Baseline annual flow.
    flow: f64,
    /// The slot of its user.
    slot: u32,
    /// The demand shift that applies to it (final use), or `NONE16`.
    shift: u16,
    /// The restriction that cuts it, or `NONE16`.
    restriction: u16,
}

const NONE16: u16 = u16::MAX;

fn narrow(i: u32) -> u16 {
    if i == NONE {
        NONE16
    } else {
        i as u16
    }
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    product: usize,
    region: RegionId,
    /// The using node, or `NONE` for final use.
    node: u32,
    /// Units of the product per unit of the node's output (0 for final use).
    per_unit: f64,
    /// The product the using node makes (the slot's own product for final use).
    user_product: usize,
    /// The demand shift that applies (final use only), or `NONE16`.
    shift: u16,
    /// Final use of a product without a real final use: reported apart.
    unallocated: bool,
}

/// Per-run scratch space and the outcome of the last run.
#[derive(Debug, Clone)]
pub struct CascadeWorkspace {
    /// Per product: the unit scale `1 / m` of a recipe multiplier (§3.2), else 1.
    scale: Vec<f64>,
    /// Per slot: units of the slot's product per unit of its user's output, scaled.
    per_unit: Vec<f64>,
    cap: Vec<f64>,
    sched_out: Vec<f64>,
    out_a: Vec<f64>,
    out_c: Vec<f64>,
    dq: Vec<f64>,
    room_r: Vec<f64>,
    room_e: Vec<f64>,
    slot_sched: Vec<f64>,
    got_a: Vec<f64>,
    stock: Vec<f64>,
    claim: Vec<f64>,
    got_c: Vec<f64>,
    tagged_c: Vec<f64>,
    /// Per slot: the thrifting factor `θ̄` (1 where none applies, §4.9).
    theta: Vec<f64>,
    /// Per switching node.
    switch: Vec<SwitchState>,
    /// Per recycling loop (§1.9): this pass's bound of the recycled flow, the first pass's,
    /// and the last pass's (bound, what it gave) for the secant step.
    loop_bound: Vec<f64>,
    loop_first: Vec<f64>,
    loop_prev: Vec<(f64, f64)>,
    /// Per restriction: mean cut and leaked share over the horizon.
    cuts: Vec<(f64, f64)>,
    /// Per switching node (§4.9): its group's mean limit over the horizon.
    limits: Vec<f64>,
    /// Per node: capacity added over the horizon (part of `cap`).
    added: Vec<f64>,
    /// Per node: `cap` and `added` before the joint bounds, the same in every pass.
    cap_run: Vec<f64>,
    added_run: Vec<f64>,
    /// The market step's levers (§7.1): per slot the demand factor `d`; per node whether
    /// one of its users' `d` differs from 1, and the factor `p^ε_s` on its share `ρ` of
    /// spare capacity; per product the leakage factor `g`; per (region, product) whether stocks
    /// may be released (1 or 0); per (market, product) demand factor, supply room,
    /// price, demand and supply.
    demand: Vec<f64>,
    factor: Vec<f64>,
    room: Vec<f64>,
    moved: Vec<bool>,
    util: Vec<f64>,
    gap: Vec<f64>,
    release_open: Vec<f64>,
    price: Vec<f64>,
    market_d: Vec<f64>,
    market_a: Vec<f64>,
    /// Precautionary buying (§7.6), per slot: the days front-loaded over 365 (0 where the
    /// slot does not take part), and the front-loaded stock it used this pass.
    front: Vec<f64>,
    front_used: Vec<f64>,
    /// §7.1, per slot: its demand factors on its unrestricted and its restricted edges
    /// (restricted purchases cut first), and the baseline flow of its restricted edges
    /// (those with a positive cut).
    others_d: Vec<f64>,
    restricted_d: Vec<f64>,
    /// §7.1, per product: whether the last price step moved one of its levers.
    lever_moved: Vec<bool>,
    slot_restricted: Vec<f64>,
    /// The fingerprint of the network it is sized for.
    network: u64,
    outcome: StaticOutcome,
}

impl CascadeWorkspace {
    /// The outcome of the last run.
    pub fn outcome(&self) -> &StaticOutcome {
        &self.outcome
    }
}

impl StaticCascade {
    /// Resolves the scenario's structure against `net`.
    ///
    /// # Errors
    /// Unknown region, product or bloc codes ([`crate::Error::InvalidField`] with the field path),
    /// two restrictions on the same flow, two capacity losses on the same node, two demand
    /// shifts on the same final use, and every domain error of [`Realization::validate`].
    pub fn new(net: &Network, scenario: &Realization) -> Result<Self> {
        net.require_acyclic()?;
        scenario.validate()?;
        let in_time = [
            (
                "demand_paths",
                scenario.demand_paths.len(),
                "final demand in time (the static engine's constant change of final use is \
                 `demand_shifts`)",
            ),
            (
                "boario_events",
                scenario.boario_events.len(),
                "capacity losses in time (the static engine's are `capacity_losses`)",
            ),
        ];
        if let Some((field, _, what)) = in_time.iter().find(|(_, n, _)| *n > 0) {
            return Err(Error::field(
                "scenario",
                *field,
                format!("{what}: not modelled by the static engine (docs/model.md §5.8)"),
            ));
        }
        for (field, count) in [
            ("restrictions", scenario.restrictions.len()),
            ("demand_shifts", scenario.demand_shifts.len()),
        ] {
            if count >= NONE16 as usize {
                return Err(Error::field(
                    "scenario",
                    field,
                    format!("{count} entries; the engine takes at most {}", NONE16 - 1),
                ));
            }
        }
        // The structure both engines share: restrictions, targets, priority class, the
        // nodes of losses and additions, recipe scales.
        let resolved = Resolved::new(net, scenario)?;
        let shifts = demand_shifts(net, scenario)?;
        let extra: Vec<(usize, NodeId)> = resolved
            .adapting
            .switches
            .iter()
            .map(|w| (w.substitute.index(), w.node))
            .collect();
        let layout = SlotLayout::new(net, shifts, &extra)?;
        let slot_of = |m: ProductId, n: NodeId| layout.key_slot[&(m.index(), Sink::Node(n))];
        let thrifted = (resolved.adapting.thrifted.iter())
            .map(|&(n, m, i)| (slot_of(m, n), i))
            .collect();
        let rank = product_ranks(net);
        let mut switches: Vec<SwitchPlan> = (resolved.adapting.switches.iter())
            .map(|w| SwitchPlan {
                node: w.node.0,
                rank: rank[net.node(w.node).product.index()],
                preferred: w.preferred.index(),
                substitute: w.substitute.index(),
                p_slot: slot_of(w.preferred, w.node),
                s_slot: slot_of(w.substitute, w.node),
                s_in_recipe: net.inputs(w.node).iter().any(|i| i.product == w.substitute),
                group: w.group,
            })
            .collect();
        switches.sort_by_key(|w| (w.rank, w.node));
        let mut joint: Vec<_> = (net.joint_outputs().iter().zip(net.recycles()))
            .map(|(j, &r)| {
                let rank = rank[net.node(j.node).product.index()];
                (
                    rank,
                    j.node.0,
                    j.host.0,
                    j.per_unit,
                    if r { 0 } else { NONE },
                )
            })
            .collect();
        joint.sort_by_key(|j| (j.0, j.1));
        let mut loops = Vec::new();
        for (i, j) in joint.iter_mut().enumerate() {
            if j.4 != NONE {
                j.4 = loops.len() as u32;
                loops.push(i);
            }
        }
        let (edges, shifted, slot_base) = layout.edges(net, &resolved);
        let values = Values::new(net, scenario)?;
        let markets = match &scenario.market {
            Some(_) => Some(Markets::new(net, scenario, &resolved)?),
            None => None,
        };
        let mut engine = Self {
            built_for: BuiltFor::new("the static cascade", net, scenario),
            prioritised: resolved.prioritised(),
            edges,
            shifted,
            slot_base,
            input_start: layout.input_start,
            input_slot: layout.input_slot,
            slots: layout.slots,
            product_slots: layout.product_slots,
            groups: layout.groups,
            disposal: scenario.restrictions.iter().map(|r| r.disposal).collect(),
            values,
            markets,
            slot_market: Vec::new(),
            offering: Vec::new(),
            slot_value: Vec::new(),
            edge_order: Vec::new(),
            slot_order: Vec::new(),
            thrifted,
            switches,
            joint,
            loops,
            resolved,
        };
        if scenario.mitigation.rationing == Rationing::ByValue {
            engine.order_by_value(net)?;
        }
        if let Some(m) = &engine.markets {
            engine.resolved.warnings.extend(m.warnings.iter().cloned());
            let np = net.products().len();
            let at = |region: usize, k: usize| (m.of(region, k).index() * np + k) as u32;
            engine.slot_market = (engine.slots.iter())
                .map(|slot| at(slot.region.index(), slot.product))
                .collect();
            engine.offering = (net.node_ids())
                .filter_map(|n| {
                    let (node, k) = (net.node(n), net.node(n).product.index());
                    let region = node.region.index();
                    let offers = m.entry[k].is_some()
                        && node.kind == NodeKind::Producer
                        && m.offers_unused(region, k);
                    offers.then(|| (n.0, at(region, k)))
                })
                .collect();
        }
        if let Some(why) = &engine.values.missing {
            engine.resolved.warnings.push(format!(
                "value added is not computed: {why} (docs/model.md §7.3)"
            ));
        }
        Ok(engine)
    }

    /// Why value added cannot be computed from the scenario's prices, if it cannot.
    pub fn value_added_missing(&self) -> Option<&str> {
        match (self.values.added, &self.values.missing) {
            (false, Some(why)) => Some(why),
            (false, None) => Some("no prices"),
            (true, _) => None,
        }
    }

    /// §7.2: the value of each slot to its user, and the orders allocation by value
    /// follows.
    fn order_by_value(&mut self, net: &Network) -> Result<()> {
        let mut value = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            let product = &net.products()[slot.product].id;
            let v = if slot.node == NONE {
                self.values.final_use(slot.product).ok_or_else(|| {
                    Error::field(
                        "scenario",
                        "mitigation.rationing",
                        format!(
                            "by value needs final_goods.{product} or prices.{product} for the \
                             final use of {product}"
                        ),
                    )
                })?
            } else {
                let made = &net.products()[slot.user_product].id;
                let price = self.values.price[slot.user_product].ok_or_else(|| {
                    Error::field(
                        "scenario",
                        "mitigation.rationing",
                        format!("by value needs prices.{made}: {made} is made from {product}"),
                    )
                })?;
                if slot.per_unit > 0.0 {
                    price / slot.per_unit
                } else {
                    f64::INFINITY
                }
            };
            value.push(v);
        }
        let by_value = |a: &u32, b: &u32| value[*b as usize].total_cmp(&value[*a as usize]);
        let mut edge_order = Vec::with_capacity(self.edges.len());
        for n in net.node_ids() {
            let mut mine: Vec<u32> = net.out_range(n).map(|i| i as u32).collect();
            mine.sort_by(|a, b| {
                let (x, y) = (self.edges[*a as usize].slot, self.edges[*b as usize].slot);
                by_value(&x, &y)
            });
            edge_order.extend(mine);
        }
        let mut slot_order: Vec<u32> = (0..self.slots.len() as u32).collect();
        for w in self.product_slots.windows(2) {
            slot_order[w[0]..w[1]].sort_by(by_value);
        }
        self.slot_value = value;
        self.edge_order = edge_order;
        self.slot_order = slot_order;
        Ok(())
    }

    fn inputs_of(&self, n: NodeId) -> &[u32] {
        &self.input_slot[self.input_start[n.index()]..self.input_start[n.index() + 1]]
    }

    /// Allocates `pool` to the remaining claims of slots `range` that `eligible` admits,
    /// by the rule (priority class first under `bloc_first`), pro rata within a class;
    /// under allocation by value (§7.2) each class in decreasing value of its claims, pro
    /// rata among equal values. Returns what was given.
    fn allocate(
        &self,
        mut pool: f64,
        range: std::ops::Range<usize>,
        eligible: impl Fn(&Slot) -> bool,
        claim: &mut [f64],
        got: &mut [f64],
        mut tagged: Option<&mut [f64]>,
    ) -> f64 {
        let given_at_start = pool;
        for class in [true, false] {
            let in_class = |s: usize| {
                let slot = &self.slots[s];
                eligible(slot)
                    && (!self.prioritised || self.resolved.priority[slot.region.index()] == class)
            };
            if self.slot_order.is_empty() {
                let members = range.clone().filter(|&i| in_class(i));
                pool -= pro_rata(pool, members, claim, got, &mut tagged);
            } else {
                let order = &self.slot_order[range.clone()];
                let mut i = 0;
                while i < order.len() && pool > 0.0 {
                    let v = self.slot_value[order[i] as usize];
                    let mut j = i;
                    while j < order.len() && self.slot_value[order[j] as usize] == v {
                        j += 1;
                    }
                    let same = order[i..j].iter().map(|&s| s as usize);
                    pool -= pro_rata(pool, same.filter(|&s| in_class(s)), claim, got, &mut tagged);
                    i = j;
                }
            }
            if !self.prioritised {
                break;
            }
        }
        given_at_start - pool.max(0.0)
    }
}

/// Shares `pool` among the claims of `members` in proportion to them, each at most its
/// claim (recording tagged receipts too); returns what it gave.
#[inline(always)]
fn pro_rata(
    pool: f64,
    members: impl Iterator<Item = usize> + Clone,
    claim: &mut [f64],
    got: &mut [f64],
    tagged: &mut Option<&mut [f64]>,
) -> f64 {
    let total: f64 = members.clone().map(|i| claim[i]).sum();
    if total <= 0.0 || pool <= 0.0 {
        return 0.0;
    }
    let k = (pool / total).min(1.0);
    for i in members {
        if claim[i] > 0.0 {
            let x = claim[i] * k;
            claim[i] -= x;
            got[i] += x;
            if let Some(t) = tagged.as_deref_mut() {
                t[i] += x;
            }
        }
    }
    total * k
}

/// Per product: its rank in the topological order.
fn product_ranks(net: &Network) -> Vec<usize> {
    let mut rank = vec![0; net.products().len()];
    for (i, p) in net.product_order().iter().enumerate() {
        rank[p.index()] = i;
    }
    rank
}

/// The demand shift on each (region, product) final use, by index; a second shift on one
/// final use is refused.
fn demand_shifts(net: &Network, scenario: &Realization) -> Result<HashMap<(usize, usize), u32>> {
    let region = |code: &str, path: String| region_at(net, code, path);
    let product = |id: &str, path: String| product_at(net, id, path);
    let mut shift_of: HashMap<(usize, usize), u32> = HashMap::new();
    for (i, d) in scenario.demand_shifts.iter().enumerate() {
        let r = region(&d.region, format!("demand_shifts[{i}].region"))?;
        let p = product(&d.product, format!("demand_shifts[{i}].product"))?;
        if shift_of.insert((r.index(), p.index()), i as u32).is_some() {
            return Err(Error::field(
                "scenario",
                format!("demand_shifts[{i}]"),
                format!("a second demand shift on {} in {}", d.product, d.region),
            ));
        }
    }
    Ok(shift_of)
}

/// The slots of the static cascade (docs/model.md §4.2): one per (input product, producer
/// node) and per (product, final-use region), sorted by product rank, then region, with
/// the tables that index them.
struct SlotLayout {
    slots: Vec<Slot>,
    /// The slot of each (product, user).
    key_slot: HashMap<(usize, Sink), u32>,
    input_start: Vec<usize>,
    input_slot: Vec<u32>,
    product_slots: Vec<usize>,
    groups: Vec<(usize, usize)>,
}

impl SlotLayout {
    /// Lays out the slots; every demand shift must fall on a final use.
    /// `extra` adds a slot of product `m` at node `n` outside its recipe (a substitute
    /// it did not use, §4.9).
    fn new(
        net: &Network,
        mut shift_of: HashMap<(usize, usize), u32>,
        extra: &[(usize, NodeId)],
    ) -> Result<Self> {
        let np = net.products().len();
        let mut key_slot: HashMap<(usize, Sink), u32> = HashMap::new();
        let mut slots = Vec::new();
        let rank = product_ranks(net);
        let mut keys: Vec<(usize, usize, u32, usize, Sink)> = Vec::new();
        for n in net.node_ids() {
            for input in net.inputs(n) {
                let m = input.product.index();
                keys.push((rank[m], net.node(n).region.index(), 0, m, Sink::Node(n)));
            }
        }
        for &(m, n) in extra {
            keys.push((rank[m], net.node(n).region.index(), 0, m, Sink::Node(n)));
        }
        for e in net.edges() {
            if let Sink::FinalUse(r) = e.to {
                let m = net.node(e.from).product.index();
                keys.push((rank[m], r.index(), 1, m, Sink::FinalUse(r)));
            }
        }
        keys.sort_by_key(|k| (k.0, k.1, k.2, k.4.node_index()));
        keys.dedup_by_key(|k| (k.3, k.4));
        for &(_, r, _, m, sink) in &keys {
            let (node, per_unit) = match sink {
                Sink::Node(n) => {
                    let a = net
                        .inputs(n)
                        .iter()
                        .find(|i| i.product.index() == m)
                        .map_or(0.0, |i| i.per_unit);
                    (n.0, a)
                }
                Sink::FinalUse(_) => (NONE, 0.0),
            };
            key_slot.insert((m, sink), slots.len() as u32);
            let user_product = match sink {
                Sink::Node(n) => net.node(n).product.index(),
                Sink::FinalUse(_) => m,
            };
            slots.push(Slot {
                product: m,
                region: RegionId(r as u32),
                node,
                per_unit,
                user_product,
                shift: match sink {
                    Sink::FinalUse(_) => narrow(shift_of.remove(&(r, m)).unwrap_or(NONE)),
                    Sink::Node(_) => NONE16,
                },
                unallocated: matches!(sink, Sink::FinalUse(_)) && !net.products()[m].final_use,
            });
        }
        if let Some((&(r, p), &i)) = shift_of.iter().next() {
            return Err(Error::field(
                "scenario",
                format!("demand_shifts[{i}]"),
                format!(
                    "{} has no final use of {}",
                    net.regions()[r].code,
                    net.products()[p].id
                ),
            ));
        }
        let mut input_start = vec![0];
        let mut input_slot = Vec::new();
        for n in net.node_ids() {
            for input in net.inputs(n) {
                input_slot.push(key_slot[&(input.product.index(), Sink::Node(n))]);
            }
            input_start.push(input_slot.len());
        }
        let mut product_slots = vec![0; np + 1];
        for s in &slots {
            product_slots[rank[s.product] + 1] += 1;
        }
        for i in 0..np {
            product_slots[i + 1] += product_slots[i];
        }
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for i in 0..slots.len() {
            let same = i > 0
                && slots[i - 1].product == slots[i].product
                && slots[i - 1].region == slots[i].region;
            match groups.last_mut() {
                Some(last) if same => last.1 = i + 1,
                _ => groups.push((i, i + 1)),
            }
        }
        Ok(Self {
            slots,
            key_slot,
            input_start,
            input_slot,
            product_slots,
            groups,
        })
    }

    /// Per edge, what sweep A reads (flow, slot, shift, restriction); per node, whether a
    /// demand shift applies to one of its sales; per slot, its baseline annual flow.
    fn edges(&self, net: &Network, resolved: &Resolved) -> (Vec<EdgePlan>, Vec<bool>, Vec<f64>) {
        let (slots, key_slot, nn) = (&self.slots, &self.key_slot, net.nodes().len());
        let edge_slot: Vec<u32> = net
            .edges()
            .iter()
            .map(|e| key_slot[&(net.node(e.from).product.index(), e.to)])
            .collect();
        let edges = net
            .edges()
            .iter()
            .zip(&edge_slot)
            .zip(&resolved.edge)
            .map(|((e, &slot), &restriction)| EdgePlan {
                flow: e.flow,
                slot,
                shift: slots[slot as usize].shift,
                restriction: narrow(restriction),
            })
            .collect::<Vec<_>>();
        let mut shifted = vec![false; nn];
        for (e, plan) in net.edges().iter().zip(&edges) {
            shifted[e.from.index()] |= plan.shift != NONE16;
        }
        let mut slot_base = vec![0.0; slots.len()];
        for (e, &s) in net.edges().iter().zip(&edge_slot) {
            slot_base[s as usize] += e.flow;
        }
        (edges, shifted, slot_base)
    }
}

impl Sink {
    fn node_index(self) -> u32 {
        match self {
            Sink::Node(n) => n.0,
            Sink::FinalUse(_) => NONE,
        }
    }
}

impl Engine for StaticCascade {
    type Workspace = CascadeWorkspace;
    type Outcome = StaticOutcome;

    fn outcome<'w>(&self, ws: &'w CascadeWorkspace) -> &'w StaticOutcome {
        ws.outcome()
    }

    fn warnings(&self) -> &[String] {
        &self.resolved.warnings
    }

    fn workspace(&self, net: &Network) -> CascadeWorkspace {
        let (nn, ns) = (net.nodes().len(), self.slots.len());
        CascadeWorkspace {
            scale: vec![1.0; net.products().len()],
            per_unit: vec![0.0; ns],
            cap: vec![0.0; nn],
            sched_out: vec![0.0; nn],
            out_a: vec![0.0; nn],
            out_c: vec![0.0; nn],
            dq: vec![0.0; nn],
            room_r: vec![0.0; nn],
            room_e: vec![0.0; nn],
            slot_sched: vec![0.0; ns],
            got_a: vec![0.0; ns],
            stock: vec![0.0; ns],
            claim: vec![0.0; ns],
            got_c: vec![0.0; ns],
            tagged_c: vec![0.0; ns],
            theta: vec![1.0; ns],
            switch: vec![SwitchState::default(); self.switches.len()],
            loop_bound: vec![0.0; self.loops.len()],
            loop_first: vec![0.0; self.loops.len()],
            loop_prev: vec![(0.0, 0.0); self.loops.len()],
            cuts: vec![(0.0, 0.0); self.disposal.len()],
            limits: vec![0.0; self.switches.len()],
            added: vec![0.0; nn],
            cap_run: vec![0.0; nn],
            added_run: vec![0.0; nn],
            demand: vec![1.0; ns],
            factor: vec![1.0; 3 * net.products().len()],
            room: vec![1.0; 3 * net.products().len()],
            moved: vec![false; nn],
            util: vec![1.0; nn],
            gap: vec![1.0; net.products().len()],
            release_open: vec![1.0; net.regions().len() * net.products().len()],
            price: vec![1.0; 3 * net.products().len()],
            market_d: vec![0.0; 3 * net.products().len()],
            market_a: vec![0.0; 3 * net.products().len()],
            front: vec![0.0; ns],
            front_used: vec![0.0; ns],
            others_d: vec![1.0; ns],
            lever_moved: vec![false; net.products().len()],
            restricted_d: vec![1.0; ns],
            slot_restricted: vec![0.0; ns],
            network: net.fingerprint(),
            outcome: StaticOutcome::new(net),
        }
    }

    fn run(&self, net: &Network, r: &Realization, ws: &mut CascadeWorkspace) -> Result<()> {
        self.built_for.check(net, ws.network, r)?;
        r.validate()?;
        self.capacities(net, r, ws);
        match (&self.markets, &r.market) {
            (Some(markets), Some(market)) => self.clear_markets(net, r, markets, market, ws),
            _ => {
                self.pass(net, r, ws, false, tolerance::RECYCLING_PASSES);
            }
        }
        self.record(net, r, ws);
        Ok(())
    }
}

impl StaticCascade {
    /// One cascade: the sweeps of §4, as a fixed point over recycling loops if any (at
    /// most `most` passes of the sweeps, from the last bounds if `warm`). Returns the
    /// passes of the sweeps it ran.
    #[inline(always)]
    fn pass(
        &self,
        net: &Network,
        r: &Realization,
        ws: &mut CascadeWorkspace,
        warm: bool,
        most: usize,
    ) -> usize {
        if self.loops.is_empty() {
            self.schedule(r, ws);
            if self.markets.is_some() {
                self.sweep_a::<true>(net, r, ws);
            } else {
                self.sweep_a::<false>(net, r, ws);
            }
            self.sweep_b(net, r, ws);
            self.sweep_c(net, r, ws);
            1
        } else {
            self.solve_loops(net, r, ws, warm, most)
        }
    }

    /// §7.1 The market step: a cascade at baseline prices, then `passes` rounds of a
    /// price step and a cascade with the levers the prices set.
    #[inline(never)]
    fn clear_markets(
        &self,
        net: &Network,
        r: &Realization,
        markets: &Markets,
        market: &crate::scenario::Market<f64>,
        ws: &mut CascadeWorkspace,
    ) {
        let np = net.products().len();
        // Every lever from its baseline: a workspace keeps nothing of its last run.
        ws.price.fill(1.0);
        ws.demand.fill(1.0);
        ws.moved.fill(false);
        ws.factor.fill(1.0);
        ws.room.fill(1.0);
        ws.util.fill(1.0);
        ws.gap.fill(1.0);
        ws.release_open.fill(1.0);
        ws.others_d.fill(1.0);
        ws.restricted_d.fill(1.0);
        ws.slot_restricted.fill(0.0);
        for e in &self.edges {
            if restricted(e, ws) {
                ws.slot_restricted[e.slot as usize] += e.flow;
            }
        }
        ws.front.fill(0.0);
        ws.front_used.fill(0.0);
        if let Some(c) = market.precaution.as_ref() {
            self.front_load(net, r, markets, c, ws);
        }
        self.set_levers(net, r, markets, ws);
        let mut cascades = self.pass(net, r, ws, false, tolerance::RECYCLING_PASSES);
        self.measure_markets(net, r.horizon, markets, ws);
        // Between price steps, recycling loops take one pass from their last bounds (the
        // bounds move with the prices); once prices stop, they are solved to convergence.
        let mut unsolved = false;
        for pass in 1..=market.passes {
            for k in (0..np).filter(|&k| markets.traded[k]) {
                let entry = markets.entry[k].map(|i| &market.products[i]);
                let e = entry.map_or(0.0, |e| e.demand_elasticity(r.horizon) + e.supply);
                for m in MarketId::ALL {
                    let i = m.index() * np + k;
                    ws.price[i] = market::next_price(
                        ws.price[i],
                        ws.market_d[i],
                        ws.market_a[i],
                        e,
                        market.floor,
                        market.choke,
                    );
                }
            }
            // A pass whose levers did not move would repeat the last cascade: skipped.
            if self.set_levers(net, r, markets, ws) {
                let last = pass == market.passes;
                let most = if last { tolerance::RECYCLING_PASSES } else { 1 };
                cascades += self.pass(net, r, ws, true, most);
                self.measure_markets(net, r.horizon, markets, ws);
                unsolved = !last && !self.loops.is_empty();
            }
        }
        if unsolved {
            cascades += self.pass(net, r, ws, true, tolerance::RECYCLING_PASSES);
            self.measure_markets(net, r.horizon, markets, ws);
        }
        // What is left uncleared where a price could still move.
        let mut residual: f64 = 0.0;
        for (i, &p) in ws.price.iter().enumerate() {
            if !markets.traded[i % np] {
                continue;
            }
            let (d, a) = (ws.market_d[i], ws.market_a[i]);
            if p > market.floor && p < market.choke && d > 0.0 && a > 0.0 {
                residual = residual.max((d / a).ln().abs());
            }
        }
        let o = ws
            .outcome
            .market
            .get_or_insert_with(|| MarketOutcome::new(net.regions().len(), np));
        o.prices.copy_from_slice(&ws.price);
        o.cascades = cascades;
        o.residual = residual;
        o.front_loaded.fill(0.0);
        if market.precaution.is_some() {
            for (s, slot) in self.slots.iter().enumerate() {
                o.front_loaded[slot.region.index() * np + slot.product] += ws.front_used[s];
            }
        }
    }

    /// §7.6: the share of a year of its schedule each of the bloc's producers of a
    /// restricted input front-loads: `days/365`, at most its share of its suppliers'
    /// spare capacity over the lead.
    fn front_load(
        &self,
        net: &Network,
        r: &Realization,
        markets: &Markets,
        c: &crate::scenario::Precaution,
        ws: &mut CascadeWorkspace,
    ) {
        if c.lead <= 0.0 || c.days <= 0.0 {
            return;
        }
        // Each supplier's spare capacity over the lead, per unit of its output, on each of
        // its buyers' baseline purchases.
        for n in net.node_ids() {
            let (ni, node, x) = (n.index(), net.node(n), net.output(n));
            if node.kind != NodeKind::Producer || x <= 0.0 {
                continue;
            }
            let cap = if self.resolved.restricting[ni] {
                node.capacity
            } else {
                r.perturbation.capacity(x, node.capacity)
            };
            let spare = c.lead * ((cap - x) / x).max(0.0);
            for e in self.edges[net.out_range(n)].iter().filter(|e| e.flow > 0.0) {
                ws.front[e.slot as usize] += spare * e.flow;
            }
        }
        for (s, slot) in self.slots.iter().enumerate() {
            let bloc = markets.of(slot.region.index(), slot.product) == MarketId::Bloc;
            let base = self.slot_base[s];
            ws.front[s] = if bloc && slot.node != NONE && !slot.unallocated && base > 0.0 {
                (ws.front[s] / base).min(c.days / 365.0)
            } else {
                0.0
            };
        }
    }

    /// §7.1: each market's demand `D` (its users' schedules after `d`) and supply `A`
    /// (received, each user at most its schedule; in the origin, kept and surplus volume;
    /// joint outputs' surplus in their region's market).
    fn measure_markets(&self, net: &Network, h: f64, markets: &Markets, ws: &mut CascadeWorkspace) {
        let np = net.products().len();
        ws.market_d.fill(0.0);
        ws.market_a.fill(0.0);
        for (s, slot) in self.slots.iter().enumerate() {
            if slot.unallocated {
                continue;
            }
            let i = self.slot_market[s] as usize;
            let received = ws.got_a[s] + ws.stock[s] + ws.got_c[s];
            // A thrifted user (§4.9) needs `θ̄` of its schedule.
            let need = ws.theta[s] * ws.slot_sched[s];
            ws.market_d[i] += need;
            ws.market_a[i] += received.min(need);
        }
        // Diverted volume no claim took is on offer in the origin; kept volume left the
        // period (§3.1) and is no supply.
        for k in 0..np {
            let unsold = ws.outcome.surplus[k];
            if unsold > 0.0 {
                ws.market_a[MarketId::Origin.index() * np + k] += unsold;
            }
        }
        for &(_, n, host, per_unit, _) in &self.joint {
            let (n, host) = (n as usize, host as usize);
            let bound = self.joint_yield(net, n, host, per_unit, ws) * ws.out_c[host];
            let node = &net.nodes()[n];
            let k = node.product.index();
            let i = markets.of(node.region.index(), k).index() * np + k;
            ws.market_a[i] += (bound - ws.out_c[n]).max(0.0);
        }
        // What a producer would make at baseline and nobody asked for is on offer in its
        // region's market (not at an exporter that keeps): a price above clearing comes
        // down.
        for &(n, i) in &self.offering {
            let (ni, k) = (n as usize, i as usize % np);
            let base = (h * net.outputs()[ni] * ws.scale[k]).min(ws.cap[ni]);
            let unused = base - ws.sched_out[ni];
            if unused > 0.0 {
                ws.market_a[i as usize] += unused;
            }
        }
    }

    /// §7.1: the levers of the current prices: demand factors, supply room, stock
    /// release and the leakage factor, per (market, product) first, then per slot and
    /// node of the products whose levers moved. Returns whether any lever moved.
    fn set_levers(
        &self,
        net: &Network,
        r: &Realization,
        markets: &Markets,
        ws: &mut CascadeWorkspace,
    ) -> bool {
        let Some(market) = &r.market else {
            return false;
        };
        let (np, h) = (net.products().len(), r.horizon);
        let entry = |k: usize| markets.entry[k].map(|i| &market.products[i]);
        let mut any = false;
        for k in 0..np {
            ws.lever_moved[k] = false;
            // A product not listed (or with no market) keeps every lever at 1, as reset.
            let Some(e) = entry(k) else { continue };
            let mut moved = false;
            let mut set = |x: &mut f64, v: f64| {
                if *x != v {
                    *x = v;
                    moved = true;
                }
            };
            let (eps, bloc) = (
                e.demand_elasticity(h),
                ws.price[MarketId::Bloc.index() * np + k],
            );
            for m in MarketId::ALL {
                let i = m.index() * np + k;
                let p = ws.price[i];
                set(&mut ws.factor[i], market::factor_at(p, eps, e.max_fall));
                set(&mut ws.room[i], market::supply_factor(p.max(bloc), Some(e)));
            }
            let origin = ws.price[MarketId::Origin.index() * np + k];
            set(
                &mut ws.gap[k],
                market::leak_gap(origin, bloc, market.leakage_elasticity),
            );
            let at = e.release_at;
            for region in 0..net.regions().len() {
                let p = ws.price[markets.of(region, k).index() * np + k];
                set(
                    &mut ws.release_open[region * np + k],
                    if p >= at { 1.0 } else { 0.0 },
                );
            }
            ws.lever_moved[k] = moved;
            any |= moved;
        }
        if !any {
            return false;
        }
        for (rank, &p) in net.product_order().iter().enumerate() {
            let k = p.index();
            if !ws.lever_moved[k] {
                continue;
            }
            for s in self.product_slots[rank]..self.product_slots[rank + 1] {
                let slot = &self.slots[s];
                let d = ws.factor[self.slot_market[s] as usize];
                // A low price raises final demand only: a producer does not need more
                // of an input per unit because it is cheap (`d` at most 1 on a recipe).
                let d = if slot.node == NONE { d } else { d.min(1.0) };
                ws.demand[s] = d;
                // A user whose price cut its demand cuts its restricted purchases first:
                // of its baseline `z`, `z_R` restricted, it keeps `min(z - z_R, d z)` of
                // the others.
                let (z, zr) = (self.slot_base[s], ws.slot_restricted[s]);
                (ws.others_d[s], ws.restricted_d[s]) = if d >= 1.0 || zr <= 0.0 || zr >= z {
                    (d, d)
                } else {
                    (
                        (d * z / (z - zr)).min(1.0),
                        (d * z - (z - zr)).max(0.0) / zr,
                    )
                };
            }
            for &n in net.nodes_of(p) {
                let (ni, node) = (n.index(), net.node(n));
                // Its users' factors may differ from 1: schedules are summed edge by edge.
                ws.moved[ni] = MarketId::ALL
                    .iter()
                    .any(|m| ws.factor[m.index() * np + k] != 1.0);
                ws.util[ni] = if self.resolved.restricting[ni] || node.kind != NodeKind::Producer {
                    1.0
                } else {
                    ws.room[markets.of(node.region.index(), k).index() * np + k]
                };
            }
        }
        true
    }
}

impl StaticCascade {
    /// §1.9: the sweeps as a fixed point over the recycling loops' bounds, from the scrap
    /// of the hosts' scheduled output; each pass sets every bound to its yield times the
    /// host's output of the pass before, with a secant step from the second pass on
    /// (exact where the loop is linear), until no bound moves by more than
    /// `tolerance::RECYCLING`; at most `tolerance::RECYCLING_PASSES` passes.
    #[inline(never)]
    fn solve_loops(
        &self,
        net: &Network,
        r: &Realization,
        ws: &mut CascadeWorkspace,
        warm: bool,
        most: usize,
    ) -> usize {
        // The units of this run (§3.2) are set by `schedule`.
        self.schedule(r, ws);
        for (l, &i) in self.loops.iter().enumerate() {
            let (_, n, host, per_unit, _) = self.joint[i];
            let (n, host) = (n as usize, host as usize);
            let unit = ws.scale[net.nodes()[host].product.index()];
            let scheduled = r.horizon * net.outputs()[host] * unit;
            let first = self.joint_yield(net, n, host, per_unit, ws) * scheduled;
            // A later pass of the market step (§7.1) starts from its host's schedule at the
            // new prices times the host's last share of its schedule made: exact where
            // the host's output follows its schedule.
            if !warm {
                ws.loop_bound[l] = first;
            } else if ws.sched_out[host] > 0.0 {
                let made = ws.out_c[host] / ws.sched_out[host];
                let schedule = self.node_schedule::<true>(net, r, ws, NodeId(host as u32));
                ws.loop_bound[l] = self.joint_yield(net, n, host, per_unit, ws) * schedule * made;
            }
            ws.loop_first[l] = first;
        }
        let mut passes = 0;
        let mut residual: f64 = 0.0;
        while passes < most {
            passes += 1;
            if passes > 1 {
                self.schedule(r, ws);
            }
            if self.markets.is_some() {
                self.sweep_a::<true>(net, r, ws);
            } else {
                self.sweep_a::<false>(net, r, ws);
            }
            self.sweep_b(net, r, ws);
            self.sweep_c(net, r, ws);
            residual = 0.0;
            for (l, &i) in self.loops.iter().enumerate() {
                let (_, n, host, per_unit, _) = self.joint[i];
                let (n, host) = (n as usize, host as usize);
                let gave = self.joint_yield(net, n, host, per_unit, ws) * ws.out_c[host];
                let b = ws.loop_bound[l];
                residual = residual.max((gave - b).abs() / b.abs().max(1.0));
                let next = if passes > 1 {
                    let (pb, pgave) = ws.loop_prev[l];
                    let (g, pg) = (gave - b, pgave - pb);
                    if g != pg {
                        b - g * (b - pb) / (g - pg)
                    } else {
                        gave
                    }
                } else {
                    gave
                };
                ws.loop_prev[l] = (b, gave);
                ws.loop_bound[l] = next.clamp(0.0, ws.loop_first[l].max(gave));
            }
            if residual <= tolerance::RECYCLING {
                break;
            }
        }
        ws.outcome.recycling_passes = passes;
        ws.outcome.recycling_residual = residual;
        passes
    }
}

/// §7.1: whether a restriction with a positive mean cut applies to edge `e`.
#[inline(always)]
fn restricted(e: &EdgePlan, ws: &CascadeWorkspace) -> bool {
    e.restriction != NONE16 && ws.cuts[e.restriction as usize].0 > 0.0
}

/// §7.1: the market step's demand factor on edge `e`, its user's restricted purchases
/// cut first.
#[inline(always)]
fn edge_factor(e: &EdgePlan, ws: &CascadeWorkspace) -> f64 {
    if restricted(e, ws) {
        ws.restricted_d[e.slot as usize]
    } else {
        ws.others_d[e.slot as usize]
    }
}

/// The schedule of a flow over the horizon per unit of its annual baseline: `h`, times
/// `1 + change` where a demand shift applies (§4.1).
#[inline(always)]
fn scheduled(h: f64, r: &Realization, shift: u16) -> f64 {
    h * if shift == NONE16 {
        1.0
    } else {
        1.0 + r.demand_shifts[shift as usize].change
    }
}

/// The sweeps of docs/model.md §4, one function each, in the order `run` calls them.
/// Each is inlined into `run`: as separate calls the seed case measured about 12% slower in
/// wall time with fewer instructions (docs/performance.md).
impl StaticCascade {
    /// §4.1 and §3.2, what a run's passes share: the profiles' means, the recipe scales,
    /// the thrifting factors, each node's capacity over the horizon (losses, headroom,
    /// additions) before the joint bounds.
    #[inline(always)]
    fn capacities(&self, net: &Network, r: &Realization, ws: &mut CascadeWorkspace) {
        let h = r.horizon;
        // Time profiles enter as their means over the horizon (§3.3).
        for (c, x) in ws.cuts.iter_mut().zip(&r.restrictions) {
            *c = (x.cut(0.0, h), x.leak(0.0, h));
        }
        // §3.2 Recipe multipliers: product k's unit scaled by 1/m.
        ws.scale.fill(1.0);
        for &(p, i) in &self.resolved.recipe_scales {
            ws.scale[p] = 1.0 / r.perturbation.recipes[i].multiplier;
        }
        // §4.9 Thrifting: the mean coefficient factor over the horizon; substitution
        // groups' mean limits.
        for &(s, i) in &self.thrifted {
            ws.theta[s as usize] = r.adaptation.thrifting[i].factor(0.0, h);
        }
        for (limit, w) in ws.limits.iter_mut().zip(&self.switches) {
            *limit = r.adaptation.substitution_groups[w.group].limit_mean(0.0, h);
        }
        for n in net.node_ids() {
            let loss = match self.resolved.node_loss[n.index()] {
                NONE => 0.0,
                k => r.capacity_losses[k as usize].share,
            };
            // Data uncertainty (§3.2): headroom scaled outside the restricting nodes.
            let node = net.node(n);
            let unit = ws.scale[node.product.index()];
            let capacity = unit
                * if !self.resolved.restricting[n.index()] && node.kind == NodeKind::Producer {
                    r.perturbation.capacity(net.output(n), node.capacity)
                } else {
                    node.capacity
                };
            ws.cap_run[n.index()] = h * (1.0 - loss) * capacity;
        }
        // New capacity (§3.1): online from `from` years into the horizon, fully usable.
        ws.added_run.fill(0.0);
        for (c, n) in r.capacity_additions.iter().zip(&self.resolved.additions) {
            let added = ws.scale[net.node(*n).product.index()] * c.capacity * (h - c.from).max(0.0);
            ws.added_run[n.index()] += added;
            ws.cap_run[n.index()] += added;
        }
    }

    /// §4.1 for one pass of the sweeps: the schedules of every slot (after the market
    /// step's demand factor), the capacities of `capacities`; the workspace's per-pass
    /// tables cleared.
    #[inline(always)]
    fn schedule(&self, r: &Realization, ws: &mut CascadeWorkspace) {
        let h = r.horizon;
        ws.outcome.reset(h, self.values.priced(), self.values.added);
        ws.slot_sched.fill(0.0);
        ws.got_a.fill(0.0);
        ws.stock.fill(0.0);
        ws.got_c.fill(0.0);
        ws.tagged_c.fill(0.0);
        ws.dq.fill(0.0);

        // Schedules: `h` times annual flows, final use after any demand shift.
        let scale = |shift: u16| scheduled(h, r, shift);
        // §7.1: the market step's demand factor `d` (1 without it) on every schedule, and
        // on a producer's coefficient.
        let market = self.markets.is_some();
        for (s, slot) in self.slots.iter().enumerate() {
            let k = ws.scale[slot.product];
            let d = if market { ws.demand[s] } else { 1.0 };
            ws.slot_sched[s] = scale(slot.shift) * self.slot_base[s] * k * d;
            ws.per_unit[s] = slot.per_unit * k / ws.scale[slot.user_product] * d;
        }
        for &(s, _) in &self.thrifted {
            ws.per_unit[s as usize] *= ws.theta[s as usize];
        }
        ws.switch.fill(SwitchState::default());
        ws.cap.copy_from_slice(&ws.cap_run);
        ws.added.copy_from_slice(&ws.added_run);
    }

    /// §4.1 and §7.1: node `n`'s scheduled output this pass, `h` times its baseline
    /// output, or the sum of its users' schedules where a demand shift or (`MARKET`) the
    /// market step's demand factors apply.
    #[inline(always)]
    fn node_schedule<const MARKET: bool>(
        &self,
        net: &Network,
        r: &Realization,
        ws: &CascadeWorkspace,
        n: NodeId,
    ) -> f64 {
        let (ni, h) = (n.index(), r.horizon);
        let unit = ws.scale[net.node(n).product.index()];
        unit * if self.shifted[ni] || (MARKET && ws.moved[ni]) {
            net.out_range(n)
                .map(|i| {
                    let e = &self.edges[i];
                    let d = if MARKET { edge_factor(e, ws) } else { 1.0 };
                    scheduled(h, r, e.shift) * e.flow * d
                })
                .sum()
        } else {
            h * net.output(n)
        }
    }

    /// §4.2 Sweep A: the shock, rationing against the schedule, own stocks.
    #[inline(always)]
    /// `MARKET`: whether the market step's levers (§7.1) are read; without it the sweep
    /// reads none of them.
    fn sweep_a<const MARKET: bool>(
        &self,
        net: &Network,
        r: &Realization,
        ws: &mut CascadeWorkspace,
    ) {
        let (h, m) = (r.horizon, &r.mitigation);
        let np = net.products().len();
        let scale = |shift: u16| scheduled(h, r, shift);
        // §7.6: whether any slot front-loaded stock.
        let front_loading = MARKET && r.market.as_ref().is_some_and(|x| x.precaution.is_some());
        for (rank, &p) in net.product_order().iter().enumerate() {
            // §1.8: a joint output makes at most its yield times its host's output; on a
            // recycling loop (§1.9), this pass's bound of it.
            for &(_, n, host, per_unit, l) in self.joint_at(rank) {
                let (n, host) = (n as usize, host as usize);
                let bound = if l == NONE {
                    self.joint_yield(net, n, host, per_unit, ws) * ws.out_a[host]
                } else {
                    ws.loop_bound[l as usize]
                };
                ws.cap[n] = ws.cap[n].min(bound);
                ws.added[n] = ws.added[n].min(ws.cap[n]);
            }
            for &n in net.nodes_of(p) {
                let ni = n.index();
                let range = net.out_range(n);
                let unit = ws.scale[p.index()];
                let scheduled = self.node_schedule::<MARKET>(net, r, ws, n);
                ws.sched_out[ni] = scheduled;
                let mut f_out = scheduled.min(ws.cap[ni]);
                for &s in self.inputs_of(n) {
                    let s = s as usize;
                    f_out = f_out.min((ws.got_a[s] + ws.stock[s]) / ws.per_unit[s]);
                }
                ws.out_a[ni] = f_out;
                let f = if scheduled > 0.0 {
                    (f_out / scheduled).min(1.0)
                } else {
                    0.0
                };
                let by_value = !self.edge_order.is_empty() && f < 1.0;
                let mut left = f_out;
                let g = if MARKET { ws.gap[p.index()] } else { 1.0 };
                for j in range {
                    // §7.2: by value, the node's edges in decreasing value, each in full
                    // while its output lasts.
                    let i = if by_value {
                        self.edge_order[j] as usize
                    } else {
                        j
                    };
                    let e = &self.edges[i];
                    let base = unit * scale(e.shift) * e.flow;
                    let d = if MARKET { edge_factor(e, ws) } else { 1.0 };
                    let sched = base * d;
                    let f = if by_value {
                        let served = sched.min(left);
                        left -= served;
                        if sched > 0.0 {
                            served / sched
                        } else {
                            0.0
                        }
                    } else {
                        f
                    };
                    let slot = e.slot as usize;
                    let k = e.restriction;
                    if k == NONE16 {
                        ws.got_a[slot] += f * sched;
                        continue;
                    }
                    // The cut (§4.1): allowed = s (1 - σ (1 - λ)), both means over the
                    // horizon (§3.3); the leaked part arrives. §7.1: with the price gap's
                    // factor g, λ' = 1 - (1 - λ) g, so σ(1 - λ') = g σ(1 - λ).
                    let (cut, leak) = ws.cuts[k as usize];
                    let (cut, leak) = if MARKET {
                        (cut * g, leak + cut * (1.0 - g))
                    } else {
                        (cut, leak)
                    };
                    // §7.1: the restriction allows a volume, `(1 - cut)` of the baseline
                    // schedule; a user whose price cut its schedule gets all of it up to
                    // that volume.
                    let (allowed, leaked) = if d < 1.0 {
                        let allowed = (base * (1.0 - cut)).min(sched);
                        (allowed, (base * leak).min(allowed))
                    } else {
                        (sched * (1.0 - cut), sched * leak)
                    };
                    ws.got_a[slot] += f * allowed;
                    let blocked = f * (sched - allowed);
                    ws.outcome.leaked[p.index()] += f * leaked;
                    match self.disposal[k as usize] {
                        Disposal::Keep => ws.outcome.kept[p.index()] += blocked,
                        Disposal::Divert => ws.outcome.diverted[p.index()] += blocked,
                    }
                }
            }
            // §4.2 step 3: own stock first, pro rata to deficits within the region. §7.6:
            // before it, each slot's front-loaded stock meets its own deficit.
            let slots = self.product_slots[rank]..self.product_slots[rank + 1];
            for &(start, end) in self.groups_in(slots) {
                let region = self.slots[start].region;
                if MARKET && front_loading {
                    for s in start..end {
                        let front = ws.front[s] * self.slot_base[s] * ws.scale[p.index()];
                        let used = front.min((ws.slot_sched[s] - ws.got_a[s]).max(0.0));
                        ws.front_used[s] = used;
                        ws.stock[s] = used;
                    }
                }
                let own = |ws: &CascadeWorkspace, s: usize| {
                    if MARKET && front_loading {
                        ws.stock[s]
                    } else {
                        0.0
                    }
                };
                let deficit: f64 = (start..end)
                    .map(|s| (ws.slot_sched[s] - ws.got_a[s] - own(ws, s)).max(0.0))
                    .sum();
                if deficit <= 0.0 {
                    continue;
                }
                let stock = net.stock(region, p)
                    * r.perturbation.stocks.unwrap_or(1.0)
                    * ws.scale[p.index()];
                let mut release = m.stock_release_share * stock;
                if MARKET {
                    release *= ws.release_open[region.index() * np + p.index()];
                }
                if let Some(rate) = m.release_rate {
                    release = release.min(rate * h);
                }
                let release = release.min(deficit);
                for s in start..end {
                    let own = own(ws, s);
                    let lacking = (ws.slot_sched[s] - ws.got_a[s] - own).max(0.0);
                    ws.stock[s] = own + release * lacking / deficit;
                }
                ws.outcome.stock_released[region.index() * np + p.index()] += release;
            }
        }
    }

    /// §4.3 Sweep B: claims and planned increases, backwards.
    #[inline(always)]
    fn sweep_b(&self, net: &Network, r: &Realization, ws: &mut CascadeWorkspace) {
        let rho = r.mitigation.substitution_mean(0.0, r.horizon);
        let market = self.markets.is_some();
        for (rank, &p) in net.product_order().iter().enumerate().rev() {
            let slots = self.product_slots[rank]..self.product_slots[rank + 1];
            let mut claims = 0.0;
            for s in slots {
                let slot = &self.slots[s];
                claims += if slot.node == NONE {
                    (ws.slot_sched[s] - ws.got_a[s] - ws.stock[s]).max(0.0)
                } else {
                    ws.per_unit[s] * ws.dq[slot.node as usize]
                };
            }
            if !self.switches.is_empty() {
                claims += self.switched_claims(r, p.index(), ws);
            }
            let (mut restore, mut expand) = (0.0, 0.0);
            for &n in net.nodes_of(p) {
                let ni = n.index();
                ws.room_r[ni] = (ws.sched_out[ni].min(ws.cap[ni]) - ws.out_a[ni]).max(0.0);
                // Neither a restricting exporter's restricted node nor a closing item
                // (outside capacity, §1.4) expands.
                ws.room_e[ni] =
                    if self.resolved.restricting[ni] || net.node(n).kind != NodeKind::Producer {
                        0.0
                    } else {
                        // ρ of the existing spare capacity, and all of the added capacity.
                        let used = ws.out_a[ni].max(ws.sched_out[ni]);
                        let existing = ws.cap[ni] - ws.added[ni];
                        let spare = (existing - used).max(0.0);
                        // §7.1: a price raises the share ρ of spare capacity brought online
                        // by `p^ε_s`, to at most all of it.
                        let u = if market { ws.util[ni] } else { 1.0 };
                        let share = if u != 1.0 { (rho * u).min(1.0) } else { rho };
                        share * spare + (ws.cap[ni] - existing.max(used)).max(0.0)
                    };
                restore += ws.room_r[ni];
                expand += ws.room_e[ni];
            }
            let give_r = claims.min(restore);
            let give_e = (claims - give_r).min(expand);
            for &n in net.nodes_of(p) {
                let ni = n.index();
                ws.dq[ni] = if restore > 0.0 {
                    ws.room_r[ni] * give_r / restore
                } else {
                    0.0
                } + if expand > 0.0 {
                    ws.room_e[ni] * give_e / expand
                } else {
                    0.0
                };
            }
            if !self.switches.is_empty() {
                let filled = if claims > 0.0 {
                    (give_r + give_e) / claims
                } else {
                    1.0
                };
                self.plan_switches(rank, p.index(), filled, ws);
            }
        }
    }

    /// §4.9 sweep B: the claims of switching nodes on the substitute `pi`, `k·w`.
    #[inline(never)]
    fn switched_claims(&self, r: &Realization, pi: usize, ws: &CascadeWorkspace) -> f64 {
        let mut claims = 0.0;
        for (w, state) in self.switches.iter().zip(&ws.switch) {
            if w.substitute == pi {
                claims += r.adaptation.substitution_groups[w.group].ratio * state.planned;
            }
        }
        claims
    }

    /// §4.9 sweep B, once product `pi` (of rank `rank`) is planned, with `filled` the
    /// share of its claims its pool is planned to meet: for its switching users, the room
    /// `W` and what they lack `G`; for the users whose preferred input it is, the switched
    /// part `w`, what its pool is not planned to give of their order, within `W` and `G`.
    #[inline(never)]
    fn plan_switches(&self, rank: usize, pi: usize, filled: f64, ws: &mut CascadeWorkspace) {
        for i in self.switches_at(rank) {
            let w = &self.switches[i];
            let (u, ps) = (w.node as usize, w.p_slot as usize);
            let a = ws.per_unit[ps];
            let limit = ws.limits[i];
            let state = &mut ws.switch[i];
            state.room = limit * a * ws.sched_out[u];
            state.lacking =
                (a * ws.sched_out[u].min(ws.cap[u]) - ws.got_a[ps] - ws.stock[ps]).max(0.0);
        }
        for (w, state) in self.switches.iter().zip(ws.switch.iter_mut()) {
            if w.preferred == pi {
                let unfilled =
                    ws.per_unit[w.p_slot as usize] * ws.dq[w.node as usize] * (1.0 - filled);
                state.planned = state.room.min(state.lacking).min(unfilled.max(0.0));
            }
        }
    }

    /// §4.4 Sweep C: realising the increases; one pool per product, tagged classes (§4.5).
    #[inline(always)]
    fn sweep_c(&self, net: &Network, r: &Realization, ws: &mut CascadeWorkspace) {
        let kappa_all = r.kappa();
        for (rank, &p) in net.product_order().iter().enumerate() {
            let pi = p.index();
            // §7.1: κ' = 1 - (1 - κ) g with the price gap's factor g (κ where g = 1).
            let g = if self.markets.is_some() {
                ws.gap[pi]
            } else {
                1.0
            };
            let kappa = market::opened_kappa(kappa_all, g);
            let (untagged, raw, processed) = self.realise(net, r, rank, p, ws);
            // Claims at k's step: final-use deficits, and input orders less what the user
            // already holds unused, capped by its remaining capacity room.
            let slots = self.product_slots[rank]..self.product_slots[rank + 1];
            for s in slots.clone() {
                let slot = &self.slots[s];
                ws.claim[s] = if slot.node == NONE {
                    (ws.slot_sched[s] - ws.got_a[s] - ws.stock[s]).max(0.0)
                } else {
                    let u = slot.node as usize;
                    let a = ws.per_unit[s];
                    let ordered = a * ws.dq[u];
                    let unused = (ws.got_a[s] + ws.stock[s] - a * ws.out_a[u]).max(0.0);
                    let room = a * (ws.cap[u] - ws.out_a[u]).max(0.0);
                    let order = ordered - unused;
                    // A rounding residual of an order exactly covered is no order (§4.4).
                    if order <= tolerance::RESIDUAL * ordered {
                        0.0
                    } else {
                        order.min(room)
                    }
                };
            }
            if !self.switches.is_empty() {
                self.switch_claims(r, pi, ws);
            }
            let target = |sl: &Slot| self.resolved.target[sl.region.index()];
            let slots_of_k = slots.clone();
            let mut given = self.allocate(
                untagged,
                slots.clone(),
                |_| true,
                &mut ws.claim,
                &mut ws.got_c,
                None,
            );
            given += self.allocate(
                raw,
                slots.clone(),
                |sl| !target(sl),
                &mut ws.claim,
                &mut ws.got_c,
                Some(&mut ws.tagged_c),
            );
            let to_others = self.allocate(
                processed,
                slots.clone(),
                |sl| !target(sl),
                &mut ws.claim,
                &mut ws.got_c,
                Some(&mut ws.tagged_c),
            );
            let to_targets = self.allocate(
                (processed - to_others).min(kappa * processed),
                slots,
                target,
                &mut ws.claim,
                &mut ws.got_c,
                None,
            );
            given += to_others + to_targets;
            ws.outcome.processed[pi] = processed;
            ws.outcome.processed_leaked[pi] = to_targets;
            let tagged_at_targets: f64 = slots_of_k
                .clone()
                .filter(|&s| target(&self.slots[s]))
                .map(|s| ws.tagged_c[s])
                .sum();
            ws.outcome.tagged_to_targets[pi] = tagged_at_targets + to_targets;
            ws.outcome.surplus[pi] = (untagged + raw + processed - given).max(0.0);
            if !self.switches.is_empty() {
                self.switch_receipts(pi, ws);
            }
        }
    }

    /// §4.9 sweep C, before the substitute `pi`'s pool is shared: its switching users'
    /// claims add `k·w`. Remembers each substitute slot's receipt so far and its switch
    /// share.
    #[inline(never)]
    fn switch_claims(&self, r: &Realization, pi: usize, ws: &mut CascadeWorkspace) {
        for (w, state) in self.switches.iter().zip(ws.switch.iter_mut()) {
            if w.substitute == pi {
                let s = w.s_slot as usize;
                let extra = r.adaptation.substitution_groups[w.group].ratio * state.planned;
                ws.claim[s] += extra;
                state.share = if ws.claim[s] > 0.0 {
                    extra / ws.claim[s]
                } else {
                    0.0
                };
                state.before = ws.got_c[s];
            }
        }
    }

    /// §4.9 sweep C, after product `pi`'s pool is shared: the switch share `v` of what
    /// each substitute slot received.
    #[inline(never)]
    fn switch_receipts(&self, pi: usize, ws: &mut CascadeWorkspace) {
        for (w, state) in self.switches.iter().zip(ws.switch.iter_mut()) {
            if w.substitute == pi {
                let s = w.s_slot as usize;
                state.received = state.share * (ws.got_c[s] - state.before);
            }
        }
    }

    /// §4.5 with §4.9: the tagged share of a switching node's increment `inc`, each input's
    /// need counted with the switch receipt `v` of its substitute slot (`None` if `n`
    /// does not switch). Called while `v` is out of the substitute slots.
    #[inline(never)]
    fn switch_tag(
        &self,
        n: NodeId,
        inc: f64,
        switching: std::ops::Range<usize>,
        ws: &CascadeWorkspace,
    ) -> Option<f64> {
        let mine = || {
            self.switches[switching.clone()]
                .iter()
                .zip(&ws.switch[switching.clone()])
        };
        let mine = move || mine().filter(move |(w, _)| w.node == n.0);
        mine().next()?;
        let v_of = |s: usize| {
            mine()
                .find(|(w, _)| w.s_slot as usize == s)
                .map_or(0.0, |(_, state)| state.received)
        };
        let mut tag: f64 = 0.0;
        let mut candidate = |s: usize| {
            let v = v_of(s);
            let held = ws.got_a[s] + ws.stock[s] + ws.got_c[s] + v;
            let tagged = ws.tagged_c[s];
            let need = ws.per_unit[s] * inc + v;
            if tagged > tolerance::RESIDUAL * held && need > 0.0 {
                tag = tag.max((tagged / need).min(1.0));
            }
        };
        for &s in self.inputs_of(n) {
            candidate(s as usize);
        }
        for (w, _) in mine().filter(|(w, _)| !w.s_in_recipe) {
            candidate(w.s_slot as usize);
        }
        Some(tag)
    }

    /// The joint outputs whose product has topological rank `rank` (§1.8).
    fn joint_at(&self, rank: usize) -> &[(usize, u32, u32, f64, u32)] {
        let first = self.joint.partition_point(|j| j.0 < rank);
        let last = self.joint.partition_point(|j| j.0 <= rank);
        &self.joint[first..last]
    }

    /// A joint output's yield in this run's units (recipe multipliers rescale units, §3.2).
    fn joint_yield(
        &self,
        net: &Network,
        n: usize,
        host: usize,
        per_unit: f64,
        ws: &CascadeWorkspace,
    ) -> f64 {
        let unit = |i: usize| ws.scale[net.nodes()[i].product.index()];
        per_unit * unit(n) / unit(host)
    }

    /// The switching nodes whose product has topological rank `rank`.
    fn switches_at(&self, rank: usize) -> std::ops::Range<usize> {
        let first = self.switches.partition_point(|w| w.rank < rank);
        let last = self.switches.partition_point(|w| w.rank <= rank);
        first..last
    }

    /// §4.4-4.5 for product `p`: each node realises what its inputs allow of its planned
    /// increase; the increments are pooled as untagged, raw (a restricting exporter's,
    /// plus what it diverts) and processed-tagged volume.
    #[inline(always)]
    fn realise(
        &self,
        net: &Network,
        r: &Realization,
        rank: usize,
        p: ProductId,
        ws: &mut CascadeWorkspace,
    ) -> (f64, f64, f64) {
        let pi = p.index();
        let (mut untagged, mut raw, mut processed) = (0.0, ws.outcome.diverted[pi], 0.0);
        // §4.9: a switching node counts `e = min(v/k, W)` as its preferred input, and
        // `v` not as its substitute, while it produces.
        let switching = self.switches_at(rank);
        for i in switching.clone() {
            let w = &self.switches[i];
            let state = &mut ws.switch[i];
            let ratio = r.adaptation.substitution_groups[w.group].ratio;
            state.equivalent = (state.received / ratio).min(state.room);
            ws.got_c[w.p_slot as usize] += state.equivalent;
            ws.got_c[w.s_slot as usize] -= state.received;
        }
        for &n in net.nodes_of(p) {
            let ni = n.index();
            let mut q = ws.cap[ni].min(ws.out_a[ni] + ws.dq[ni]);
            for &s in self.inputs_of(n) {
                let s = s as usize;
                q = q.min((ws.got_a[s] + ws.stock[s] + ws.got_c[s]) / ws.per_unit[s]);
            }
            let q = q.max(ws.out_a[ni]);
            ws.out_c[ni] = q;
            let inc = q - ws.out_a[ni];
            // §4.5: the share of the increment's need of each input that tagged volume
            // met, the largest over inputs (continuous in the receipts).
            let mut tag: f64 = 0.0;
            if inc > 0.0 {
                for &s in self.inputs_of(n) {
                    let s = s as usize;
                    let held = ws.got_a[s] + ws.stock[s] + ws.got_c[s];
                    let tagged = ws.tagged_c[s];
                    if tagged > tolerance::RESIDUAL * held {
                        tag = tag.max((tagged / (ws.per_unit[s] * inc)).min(1.0));
                    }
                }
                if !switching.is_empty() {
                    tag = self
                        .switch_tag(n, inc, switching.clone(), ws)
                        .unwrap_or(tag);
                }
            }
            if self.resolved.restricting[ni] {
                raw += inc;
            } else {
                processed += tag * inc;
                untagged += (1.0 - tag) * inc;
            }
            ws.outcome.incremental[pi] += inc;
        }
        // §4.9: the preferred input replaced, `min(e, a·Q - R_C)`; `e` leaves the
        // preferred slot and `v` returns to the substitute's.
        for i in switching {
            let w = &self.switches[i];
            let (u, s) = (w.node as usize, w.p_slot as usize);
            let state = &mut ws.switch[i];
            ws.got_c[s] -= state.equivalent;
            ws.got_c[w.s_slot as usize] += state.received;
            let held = ws.got_a[s] + ws.stock[s] + ws.got_c[s];
            state.switched = state
                .equivalent
                .min((ws.per_unit[s] * ws.out_c[u] - held).max(0.0));
        }
        (untagged, raw, processed)
    }

    /// §4.6 Demand response and the outcome.
    #[inline(always)]
    fn record(&self, net: &Network, r: &Realization, ws: &mut CascadeWorkspace) {
        let (h, m) = (r.horizon, &r.mitigation);
        let np = net.products().len();
        let o = &mut ws.outcome;
        let mut market = o.market.as_mut().filter(|_| r.market.is_some());
        if let (Some(mk), Some(markets)) = (market.as_deref_mut(), &self.markets) {
            mk.priced_out.fill(0.0);
            for (i, d) in mk.demand_factor.iter_mut().enumerate() {
                let (region, k) = (i / np, i % np);
                *d = ws.factor[markets.of(region, k).index() * np + k];
            }
        }
        for (s, slot) in self.slots.iter().enumerate() {
            let at = slot.region.index() * np + slot.product;
            let received = ws.got_a[s] + ws.stock[s] + ws.got_c[s];
            o.received[slot.product] += received;
            // §7.1: shares keep the schedule before the market step's demand factor, and a
            // user short of what a low price drew in is short of no more than its schedule.
            let base = if market.is_none() || ws.demand[s] == 1.0 {
                ws.slot_sched[s]
            } else {
                scheduled(h, r, slot.shift) * self.slot_base[s] * ws.scale[slot.product]
            };
            let gap = (ws.slot_sched[s].min(base) - received).max(0.0);
            if slot.node == NONE {
                if slot.unallocated {
                    o.unallocated_shortfall[at] += gap;
                    continue;
                }
                let backlog = m.deferrable * gap;
                let substituted = m.substitutable * gap;
                let short = gap - backlog - substituted;
                o.backlog[at] += backlog;
                o.substituted[at] += substituted;
                o.final_shortfall[at] += short;
                o.final_baseline[at] += base;
                o.absorption_shortfall[at] += short;
                if let Some(mk) = market.as_deref_mut() {
                    mk.priced_out[at] += base - ws.slot_sched[s];
                }
                if let (Some(v), Some(good)) =
                    (o.value.as_mut(), self.values.final_good[slot.product])
                {
                    v.final_goods_lost[slot.region.index()] += good * short;
                }
            } else {
                let used = ws.per_unit[s] * ws.out_c[slot.node as usize];
                o.absorption_shortfall[at] += gap;
                o.expansion_input[at] += (received - ws.slot_sched[s]).max(0.0);
                o.stranded[at] += (received - used).max(0.0);
            }
            o.absorption_baseline[at] += base;
        }
        if !(self.thrifted.is_empty() && self.switches.is_empty()) {
            self.record_adaptation(net, r, ws);
        }
        // §1.8: what the hosts' output allowed of each joint output and it did not make.
        for &(_, n, host, per_unit, _) in &self.joint {
            let (n, host) = (n as usize, host as usize);
            let bound = self.joint_yield(net, n, host, per_unit, ws) * ws.out_c[host];
            let product = net.nodes()[n].product.index();
            ws.outcome.joint_surplus[product] += (bound - ws.out_c[n]).max(0.0);
        }
        let o = &mut ws.outcome;
        for (i, &s) in self.input_slot.iter().enumerate() {
            let s = s as usize;
            o.received_inputs[i] = ws.got_a[s] + ws.stock[s] + ws.got_c[s];
        }
        for n in net.node_ids() {
            let ni = n.index();
            let node = net.node(n);
            let baseline = h * net.output(n) * ws.scale[node.product.index()];
            o.output_change[ni] = ws.out_c[ni] - baseline;
            o.production[node.product.index()] += ws.out_c[ni];
            // §7.3: gross output lost, and value added lost (signed), at baseline prices;
            // an input a thrifted or priced coefficient saves is replaced from outside
            // the network at its baseline cost, so value added per unit stays `v_n`.
            if let (Some(v), Some(price)) =
                (o.value.as_mut(), self.values.price[node.product.index()])
            {
                let (region, q) = (node.region.index(), ws.out_c[ni]);
                v.gross_output_lost[region] += price * (baseline - q).max(0.0);
                if let Some(a) = v.value_added_lost.as_mut() {
                    let mut inputs = 0.0;
                    for &s in &self.input_slot[self.input_start[ni]..self.input_start[ni + 1]] {
                        let slot = &self.slots[s as usize];
                        let coefficient =
                            slot.per_unit * ws.scale[slot.product] / ws.scale[slot.user_product];
                        inputs += self.values.price[slot.product].unwrap_or(0.0) * coefficient;
                    }
                    a[region] += (price - inputs) * (baseline - q);
                }
            }
        }
    }
}

impl StaticCascade {
    /// §4.9 in the outcome: thrifted users' shortfalls against their thrifted need, the
    /// preferred inputs' net of what was switched, the substitute used not stranded.
    #[inline(never)]
    fn record_adaptation(&self, net: &Network, r: &Realization, ws: &mut CascadeWorkspace) {
        let np = net.products().len();
        let o = &mut ws.outcome;
        // A thrifted user lacks only what its thrifted need is short of.
        let received = |s: usize| ws.got_a[s] + ws.stock[s] + ws.got_c[s];
        for &(s, _) in &self.thrifted {
            let (s, slot) = (s as usize, &self.slots[s as usize]);
            let at = slot.region.index() * np + slot.product;
            let (sched, got) = (ws.slot_sched[s], received(s));
            o.absorption_shortfall[at] +=
                (ws.theta[s] * sched - got).max(0.0) - (sched - got).max(0.0);
        }
        // The preferred input's shortfall is net of what was switched; the
        // substitute used for it is not stranded.
        for (w, state) in self.switches.iter().zip(&ws.switch) {
            let region = net.node(NodeId(w.node)).region.index();
            let (ps, ss) = (w.p_slot as usize, w.s_slot as usize);
            let at = region * np + w.preferred;
            let gap = (ws.theta[ps] * ws.slot_sched[ps] - received(ps)).max(0.0);
            o.absorption_shortfall[at] -= gap.min(state.switched);
            o.switched[at] += state.switched;
            let ratio = r.adaptation.substitution_groups[w.group].ratio;
            let (got, used) = (received(ss), ws.per_unit[ss] * ws.out_c[w.node as usize]);
            let at = region * np + w.substitute;
            o.stranded[at] -=
                (got - used).max(0.0) - (got - used - ratio * state.switched).max(0.0);
        }
    }

    /// The (product, region) groups whose slots lie in `slots`.
    fn groups_in(&self, slots: std::ops::Range<usize>) -> &[(usize, usize)] {
        let first = self.groups.partition_point(|g| g.0 < slots.start);
        let last = self.groups.partition_point(|g| g.0 < slots.end);
        &self.groups[first..last]
    }
}
