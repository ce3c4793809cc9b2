//! Chokepoints by hypothetical extraction (docs/model.md §4.7): remove each node in turn
//! and rank by the bloc shortfall it causes.

use serde::Serialize;

use super::{Engine, StaticCascade};
use crate::error::{Error, Result};
use crate::network::{Network, NodeKind, ProductId};
use crate::report::{displayed_as_report, Cell, Report, Table};
use crate::scenario::{CapacityLoss, Realization, Targets};

/// What chokepoints are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ranking {
    /// The bloc's absorption shortfall of one product, in its unit.
    Product(ProductId),
    /// The bloc's gross output lost across products, money at baseline prices (needs
    /// prices; counts an input again in each product made from it, docs/model.md §7.3).
    Value,
    /// The bloc's value added lost across products (needs a price for every product and
    /// input, docs/model.md §7.3).
    ValueAdded,
    /// The mean over products of the bloc's absorption shortfall as a share of its annual
    /// baseline (products the bloc absorbs).
    MeanShare,
    /// The largest such share over products.
    MaxShare,
}

/// One node's effect when removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chokepoint {
    /// Region code.
    pub region: String,
    /// Product id.
    pub product: String,
    /// Whether the region is an aggregate (flagged in rankings).
    pub aggregate: bool,
    /// The ranking figure (unit in [`Chokepoints::unit`]).
    pub score: f64,
}

/// Nodes ranked by the bloc shortfall their removal causes, worst first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chokepoints {
    /// Bloc name.
    pub bloc: String,
    /// What `score` is.
    pub unit: String,
    /// Whether the base scenario's mitigation was on (stock release or substitution).
    pub mitigation: bool,
    /// Horizon, years.
    pub horizon: f64,
    /// Every producer node with output, worst first.
    pub rows: Vec<Chokepoint>,
}

/// Ranks every producer node by the bloc shortfall its complete loss causes over
/// `context`'s horizon, with `context`'s mitigation (its restrictions, losses and shifts are
/// not applied: extraction alone).
///
/// ```
/// use shortfall::engine::{chokepoints, Ranking};
/// use shortfall::scenario::{Realization, Targets};
/// let net = shortfall::network::toy_chain();
/// let magnet = net.require_product("magnet")?;
/// let context = Realization { horizon: 1.0, ..Realization::default() };
/// let us = Targets::List(vec!["US".into()]);
/// let c = chokepoints(&net, &context, &us, Ranking::Product(magnet))?;
/// // Without China's oxide, China makes no magnets and US magnet makers lose 60% of
/// // their oxide: the US loses 34 + 4.8 t of magnets, more than without China's magnets.
/// assert_eq!((c.rows[0].region.as_str(), c.rows[0].product.as_str()), ("CN", "oxide"));
/// assert!((c.rows[0].score - 38.8).abs() < 1e-9);
/// # Ok::<(), shortfall::Error>(())
/// ```
///
/// # Errors
/// [`Error::Unsupported`] for `Ranking::Value` without prices or `Ranking::ValueAdded`
/// without a price for every product and input, [`Error::InvalidField`]
/// for a bloc naming no region of `net`, and every error of [`StaticCascade::new`].
pub fn chokepoints(
    net: &Network,
    context: &Realization,
    bloc: &Targets,
    ranking: Ranking,
) -> Result<Chokepoints> {
    let members = &bloc.resolve(net, "bloc")?;
    let by_value = matches!(ranking, Ranking::Value | Ranking::ValueAdded);
    if by_value && context.prices.is_empty() {
        return Err(Error::Unsupported(
            "ranking chokepoints by value needs prices in the scenario".into(),
        ));
    }
    let nodes: Vec<_> = net
        .node_ids()
        .filter(|&n| net.node(n).kind == NodeKind::Producer && net.output(n) > 0.0)
        .collect();
    let mut scenario = Realization {
        name: format!("{} (extraction)", context.name),
        horizon: context.horizon,
        mitigation: context.mitigation.clone(),
        prices: context.prices.clone(),
        final_goods: context.final_goods.clone(),
        adaptation: context.adaptation.clone(),
        capacity_losses: nodes
            .iter()
            .map(|&n| CapacityLoss {
                item: Default::default(),
                region: net.region(net.node(n).region).code.clone(),
                product: net.product(net.node(n).product).id.clone(),
                share: 0.0,
            })
            .collect(),
        ..Realization::default()
    };
    let engine = StaticCascade::new(net, &scenario)?;
    if ranking == Ranking::ValueAdded {
        if let Some(why) = engine.value_added_missing() {
            return Err(Error::Unsupported(format!(
                "ranking chokepoints by value added needs a price for every product and \
                 input: {why}"
            )));
        }
    }
    let mut ws = engine.workspace(net);
    let mut rows = Vec::with_capacity(nodes.len());
    for (i, &n) in nodes.iter().enumerate() {
        scenario.capacity_losses[i].share = 1.0;
        engine.run(net, &scenario, &mut ws)?;
        scenario.capacity_losses[i].share = 0.0;
        let o = ws.outcome();
        let b = o.bloc(members);
        let shares = || {
            b.absorption_baseline
                .iter()
                .zip(&b.absorption_shortfall)
                .filter(|(base, _)| **base > 0.0)
                .map(|(base, short)| short / base)
        };
        let score = match ranking {
            Ranking::Product(p) => b.absorption_shortfall[p.index()],
            Ranking::Value => o.gross_output_lost(members).unwrap_or(0.0),
            Ranking::ValueAdded => o.value_added_lost(members).unwrap_or(0.0),
            Ranking::MeanShare => {
                let (sum, count) = shares().fold((0.0, 0), |(s, c), x| (s + x, c + 1));
                if count > 0 {
                    sum / count as f64
                } else {
                    0.0
                }
            }
            Ranking::MaxShare => shares().fold(0.0, f64::max),
        };
        let node = net.node(n);
        rows.push(Chokepoint {
            region: net.region(node.region).code.clone(),
            product: net.product(node.product).id.clone(),
            aggregate: net.region(node.region).aggregate,
            score,
        });
    }
    rows.sort_by(|a, b| b.score.total_cmp(&a.score));
    let unit = match ranking {
        Ranking::Product(p) => format!(
            "{} absorption shortfall ({})",
            net.product(p).id,
            net.product(p).unit
        ),
        Ranking::Value => "gross output lost (money at baseline prices)".into(),
        Ranking::ValueAdded => "value added lost (money at baseline prices)".into(),
        Ranking::MeanShare => "mean share of annual absorption lost over products".into(),
        Ranking::MaxShare => "largest share of annual absorption lost over products".into(),
    };
    let m = &context.mitigation;
    Ok(Chokepoints {
        bloc: bloc.label(),
        unit,
        mitigation: m.stock_release_share > 0.0 || m.substitution > 0.0,
        horizon: context.horizon,
        rows,
    })
}

impl Report for Chokepoints {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            format!(
                "Chokepoints for {}: nodes ranked by the {} their loss causes over {} (static \
                 cascade)",
                self.bloc,
                self.unit,
                crate::report::years(self.horizon)
            ),
            &["rank", "region", "product", "score"],
        );
        for (i, row) in self.rows.iter().enumerate().take(10) {
            let region = if row.aggregate {
                format!("{} (aggregate)", row.region)
            } else {
                row.region.clone()
            };
            let score = if self.unit.contains("share") {
                Cell::Share(row.score)
            } else {
                Cell::Number(row.score)
            };
            t.row(vec![
                Cell::Text((i + 1).to_string()),
                Cell::Text(region),
                Cell::Text(row.product.clone()),
                score,
            ]);
        }
        t.note(format!(
            "hypothetical extraction (docs/model.md §4.7); mitigation {}; top 10 of {}",
            if self.mitigation { "on" } else { "off" },
            self.rows.len()
        ));
        vec![t]
    }
}

displayed_as_report!(Chokepoints);
