//! Firms within a region (docs/model.md §5.5): post-processing of a run's arrivals of the
//! firms' input, split by origin, into the stoppages of firms that differ in cover and in
//! the share of their purchases from the origins.

use statrs::distribution::{ContinuousCDF, Normal};

use super::outcome::DynamicOutcome;
use super::plan::Plan;
use crate::error::{Error, Result};
use crate::network::{Network, ProductId, RegionId};
use crate::scenario::Firms;

/// Cover cells per sourcing class: quantile midpoints of the lognormal spread.
pub const COVER_CELLS: usize = 100;

/// `z` of the 95th percentile of a standard normal.
const Z95: f64 = 1.644_853_626_951_472_2;

/// A region's sourcing classes `(weight, origin share)`, the rest of its use last, given
/// its data's share from the origins `phi` (docs/model.md §5.5); `Err` says why the
/// classes cannot hold with it.
pub(super) fn classes(
    firms: &Firms<f64>,
    region: &str,
    phi: f64,
) -> std::result::Result<Vec<(f64, f64)>, String> {
    let mut out: Vec<(f64, f64)> = (firms.classes.iter())
        .filter(|c| c.region == region)
        .map(|c| (c.weight, c.origin_share))
        .collect();
    let weight: f64 = out.iter().map(|c| c.0).sum();
    let bought: f64 = out.iter().map(|c| c.0 * c.1).sum();
    let rest = 1.0 - weight;
    let tolerance = 1e-9;
    if rest <= tolerance {
        if (bought - phi).abs() > tolerance {
            return Err(format!(
                "the classes of {region} hold all its use and buy {bought:.4} of it from the \
                 origins, where the data's share is {phi:.4}"
            ));
        }
        return Ok(out);
    }
    let share = (phi - bought) / rest;
    if !(-tolerance..=1.0 + tolerance).contains(&share) {
        return Err(format!(
            "the classes of {region} buy {bought:.4} of its use from the origins, so the rest \
             ({rest:.4} of its use) would buy {share:.4} of its purchases there, outside \
             [0, 1]; the data's share is {phi:.4}"
        ));
    }
    out.push((rest, share.clamp(0.0, 1.0)));
    Ok(out)
}

/// Checks the firms against the plan before any run: the input is a product, and every
/// region's classes agree with its data's share from the origins.
pub(super) fn check(net: &Network, plan: &Plan, firms: &Firms<f64>) -> Result<()> {
    let field = |f: String, why: String| Error::field("scenario", f, why);
    let k = (net.product_id(&firms.product))
        .ok_or_else(|| field("firms.product".into(), net.unknown_product(&firms.product)))?;
    for (i, c) in firms.classes.iter().enumerate() {
        let r = net.require_region(&c.region)?;
        let (all, origin) = plan.receipts_of(r, k);
        if all <= 0.0 {
            let why = format!(
                "no producer of {} uses {}, so it has no firms",
                c.region, firms.product
            );
            return Err(field(format!("firms.classes[{i}].region"), why));
        }
        classes(firms, &c.region, origin / all)
            .map_err(|why| field(format!("firms.classes[{i}]"), why))?;
    }
    Ok(())
}

impl DynamicOutcome {
    /// The scenario's firms, with this run's cover scale; `None` without firms.
    pub fn firms(&self) -> Option<&Firms<f64>> {
        self.firms.as_ref()
    }

    /// The firms of `region` using `input` (docs/model.md §5.5): per cell its share of
    /// the region's use and the step at whose end it stopped (`None`: it did not within the
    /// run). `None` without firms in the scenario, for another input than theirs, or where
    /// the region's producers do not use it.
    pub fn firm_stops(
        &self,
        region: RegionId,
        input: ProductId,
    ) -> Option<Vec<(f64, Option<usize>)>> {
        let firms = self.firms.as_ref()?;
        if self.labels.products[input.index()] != firms.product {
            return None;
        }
        let i = self.index(region, input);
        let (all, origin) = (self.input_baseline[i], self.origin_baseline[i]);
        if all <= 0.0 {
            return None;
        }
        let classes = classes(firms, &self.labels.regions[region.index()], origin / all).ok()?;
        let (low, high) = firms.cover_days;
        let (mu, sigma) = (
            (low.ln() + high.ln()) / 2.0,
            (high.ln() - low.ln()) / (2.0 * Z95),
        );
        let normal = Normal::standard();
        let nrp = self.final_baseline.len();
        // Per step, the shares of baseline receipts that arrived from the origins and from
        // the rest.
        let ratios: Vec<(f64, f64)> = (0..self.steps)
            .map(|t| {
                let (a, a_o) = (
                    self.arrived_all[t * nrp + i],
                    self.arrived_origin[t * nrp + i],
                );
                let from_o = if origin > 0.0 { a_o / origin } else { 0.0 };
                let from_rest = if all > origin {
                    (a - a_o) / (all - origin)
                } else {
                    0.0
                };
                (from_o, from_rest)
            })
            .collect();
        let mut cells = Vec::with_capacity(classes.len() * COVER_CELLS);
        for (weight, phi) in classes {
            // Days of use lacking by the end of each step, the same for every cover.
            let mut lacking = 0.0;
            let path: Vec<f64> = (ratios.iter())
                .map(|&(o, rest)| {
                    lacking += (1.0 - phi * o - (1.0 - phi) * rest).max(0.0) * self.step_days;
                    lacking
                })
                .collect();
            for c in 0..COVER_CELLS {
                let u = (c as f64 + 0.5) / COVER_CELLS as f64;
                let cover = (mu + sigma * normal.inverse_cdf(u)).exp() * firms.cover_scale;
                let stop = path.iter().position(|&days| days > cover);
                cells.push((weight / COVER_CELLS as f64, stop));
            }
        }
        Some(cells)
    }

    /// The first step at whose end firms holding at least `share` of the region's use of
    /// `input` have stopped (with `share = 0.05`, the 5th-percentile firm's first stoppage;
    /// docs/model.md §5.5); `None` if they do not within the run or without firms.
    pub fn firm_stoppage(&self, region: RegionId, input: ProductId, share: f64) -> Option<usize> {
        let mut stops: Vec<(f64, usize)> = (self.firm_stops(region, input)?.into_iter())
            .filter_map(|(w, stop)| stop.map(|t| (w, t)))
            .collect();
        stops.sort_by_key(|&(_, t)| t);
        let mut stopped = 0.0;
        stops.into_iter().find_map(|(w, t)| {
            stopped += w;
            (stopped >= share - 1e-12).then_some(t)
        })
    }

    /// The share of the region's use of `input` in firms that stop within the run
    /// (docs/model.md §5.5); `None` without firms.
    pub fn firms_stopped(&self, region: RegionId, input: ProductId) -> Option<f64> {
        let cells = self.firm_stops(region, input)?;
        Some(cells.iter().filter(|c| c.1.is_some()).map(|c| c.0).sum())
    }
}
