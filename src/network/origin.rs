//! Trade on an origin basis (docs/model.md §1.2): a hub's exports beyond its own production
//! are re-exports, reassigned to the hub's import origins pro rata and tagged with the hub.

use super::records::TradeRecord;
use super::{ProductId, RegionId};
use crate::error::{BalanceProblem, Error, Result};
use crate::tolerance;

/// One shipment on an origin basis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lot {
    pub origin: RegionId,
    pub destination: RegionId,
    pub transit: Option<RegionId>,
    pub quantity: f64,
    /// Whether the figure rests on an estimate.
    pub estimate: bool,
}

/// A re-export converted, for the build report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reexport {
    /// The hub.
    pub hub: String,
    /// The product.
    pub product: String,
    /// Volume re-exported (exports beyond the hub's production), product units a year.
    pub volume: f64,
}

/// Trade of one product, resolved to ids.
pub(crate) struct ProductTrade<'a> {
    pub product: ProductId,
    pub records: Vec<(&'a TradeRecord, RegionId, RegionId)>,
}

/// Converts one product's trade to an origin basis, given each region's production.
/// Returns the lots and the re-exports; check 3 of docs/model.md §1.4 (exports within production
/// plus imports) failures are pushed onto `problems`.
pub(crate) fn to_origin_basis(
    trade: &ProductTrade<'_>,
    production: &[f64],
    region_code: impl Fn(RegionId) -> String,
    product_id: &str,
    problems: &mut Vec<BalanceProblem>,
) -> Result<(Vec<Lot>, Vec<Reexport>)> {
    let nr = production.len();
    let (mut exports, mut imports) = (vec![0.0; nr], vec![0.0; nr]);
    for (rec, from, to) in &trade.records {
        exports[from.index()] += rec.quantity;
        imports[to.index()] += rec.quantity;
    }
    // Share of each region's exports that is re-export.
    // Shares of each region's exports that are its own production and re-exports; any
    // excess over production plus imports is reported (check 3) and not shipped.
    let mut own_share = vec![1.0; nr];
    let mut reexport_share = vec![0.0; nr];
    let mut reexports = Vec::new();
    for r in 0..nr {
        let (e, p, i) = (exports[r], production[r], imports[r]);
        if e > 0.0 {
            own_share[r] = p.min(e) / e;
        }
        if e > p + i && !tolerance::close(e, p + i, tolerance::BALANCE) {
            problems.push(BalanceProblem::ExportsExceedSupply {
                region: region_code(RegionId(r as u32)),
                product: product_id.into(),
                exports: e,
                production: p,
                imports: i,
            });
        }
        if e > p && !tolerance::close(e, p, tolerance::BALANCE) {
            // Capped at imports, so a failed check 3 is reported once, not cascaded.
            let volume = (e - p).min(i);
            reexport_share[r] = volume / e;
            reexports.push(Reexport {
                hub: region_code(RegionId(r as u32)),
                product: product_id.into(),
                volume,
            });
        }
    }
    let mut lots = Vec::with_capacity(trade.records.len());
    for (rec, from, to) in &trade.records {
        let estimate = rec.status.is_estimate();
        let f = reexport_share[from.index()];
        if own_share[from.index()] > 0.0 {
            lots.push(Lot {
                origin: *from,
                destination: *to,
                transit: None,
                quantity: rec.quantity * own_share[from.index()],
                estimate,
            });
        }
        if f == 0.0 {
            continue;
        }
        let hub_imports = imports[from.index()];
        for (rec_in, origin, hub) in &trade.records {
            if hub != from {
                continue;
            }
            if reexport_share[origin.index()] > 0.0 {
                return Err(Error::NestedReexport {
                    hub: region_code(*from),
                    origin: region_code(*origin),
                    product: product_id.into(),
                });
            }
            lots.push(Lot {
                origin: *origin,
                destination: *to,
                transit: Some(*from),
                quantity: rec.quantity * f * rec_in.quantity / hub_imports,
                estimate: estimate || rec_in.status.is_estimate(),
            });
        }
    }
    // What hubs keep of their imports: imports less the re-exported part, pro rata.
    for (rec_in, origin, hub) in &trade.records {
        let reexported = reexport_share[hub.index()] * exports[hub.index()];
        if reexported > 0.0 {
            let kept = rec_in.quantity * (1.0 - reexported / imports[hub.index()]);
            // Replace the direct import lot by the kept part.
            if let Some(lot) = lots
                .iter_mut()
                .find(|l| l.origin == *origin && l.destination == *hub && l.transit.is_none())
            {
                lot.quantity = kept.max(0.0);
            }
        }
    }
    lots.retain(|l| l.quantity > 0.0);
    Ok((lots, reexports))
}
