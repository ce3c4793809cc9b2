//! The properties of docs/model.md §4.8, on generated networks and random realizations,
//! exactly where they are theorems.

mod support;

use proptest::prelude::*;

use shortfall::network::{Network, ProductId, RegionId};
use shortfall::scenario::{Disposal, Realization};

/// Whether `a <= b` up to rounding relative to the baseline.
fn le(a: f64, b: f64, baseline: f64) -> bool {
    a <= b + 1e-9 * baseline.max(1.0)
}

fn targets(r: &Realization, net: &Network) -> Vec<RegionId> {
    match r.restrictions.first().map(|x| &x.targets) {
        Some(shortfall::scenario::Targets::List(codes)) => {
            codes.iter().map(|c| net.region_id(c).unwrap()).collect()
        }
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// No shock means no shortfall, with mitigation on (ρ > 0, stock release) and under any
    /// data perturbation (headroom and stock multipliers): no deficit, no claim, no increase.
    #[test]
    fn no_shock_no_shortfall(
        net in support::small_network(),
        shock in support::shock(),
        headroom in proptest::option::of(0.0f64..4.0),
        stocks in proptest::option::of(0.0f64..4.0),
        recipe in proptest::option::of((0usize..8, 0.2f64..5.0)),
    ) {
        let mut r = shock.realization(&net);
        r.restrictions.clear();
        r.capacity_losses.clear();
        r.mitigation.substitution = shock.substitution.max(0.5);
        r.perturbation.headroom = headroom;
        r.perturbation.stocks = stocks;
        if let Some((p, m)) = recipe {
            let product = net.products()[p % net.products().len()].id.clone();
            r.perturbation.recipes.push(shortfall::scenario::RecipeScale { product, multiplier: m });
        }
        let o = support::run(&net, &r);
        for i in 0..o.absorption_shortfall.len() {
            let base = o.absorption_baseline[i];
            prop_assert!(o.absorption_shortfall[i] <= 1e-12 * base.max(1.0), "{} of {}", o.absorption_shortfall[i], base);
            prop_assert!(o.final_shortfall[i] <= 1e-12 * o.final_baseline[i].max(1.0));
            prop_assert!(o.unallocated_shortfall[i] <= 1e-12 * base.max(1.0));
        }
        for p in 0..net.products().len() {
            prop_assert!(o.incremental[p] <= 1e-12 * o.production[p].max(1.0));
        }
    }

    /// Shortfalls within [0, baseline], material balance per product, inputs used within
    /// what was received, and at most κ of tagged processed volume reaching targets.
    #[test]
    fn every_run_keeps_the_invariants(net in support::small_network(), shock in support::shock()) {
        let r = shock.realization(&net);
        let o = support::run(&net, &r);
        prop_assert_eq!(support::outcome_violation(&net, &r, &o), None);
    }

    /// With κ = 0 no tagged volume reaches a target, also under divert.
    #[test]
    fn no_tagged_volume_reaches_a_target_with_kappa_zero(net in support::small_network(), shock in support::shock()) {
        let mut r = shock.realization(&net);
        for x in &mut r.restrictions {
            x.processing_leakage = 0.0;
            x.disposal = Disposal::Divert;
        }
        let o = support::run(&net, &r);
        for p in 0..net.products().len() {
            prop_assert_eq!(o.tagged_to_targets[p], 0.0);
        }
        prop_assert_eq!(support::outcome_violation(&net, &r, &o), None);
    }

    /// With ρ = 0 and keep, raising σ never lowers any target's absorption or final-use
    /// shortfall.
    #[test]
    fn monotone_in_severity_with_keep_and_no_substitution(
        net in support::small_network(),
        shock in support::shock(),
        raise in 0.0f64..=1.0,
    ) {
        let mut r = shock.realization(&net);
        r.mitigation.substitution = 0.0;
        for x in &mut r.restrictions {
            x.disposal = Disposal::Keep;
        }
        let low = support::run(&net, &r);
        for x in &mut r.restrictions {
            x.severity += raise * (1.0 - x.severity);
        }
        let high = support::run(&net, &r);
        let np = net.products().len();
        for t in targets(&r, &net) {
            for p in 0..np {
                let i = t.index() * np + p;
                let base = low.absorption_baseline[i];
                prop_assert!(le(low.absorption_shortfall[i], high.absorption_shortfall[i], base),
                    "absorption of {:?} p{}: {} then {}", t, p, low.absorption_shortfall[i], high.absorption_shortfall[i]);
                prop_assert!(le(low.final_shortfall[i], high.final_shortfall[i], base));
            }
        }
    }

    /// With ρ = 0 (keep or divert, either rule), more of region j's own stock of k never
    /// raises j's absorption shortfall of k.
    #[test]
    fn own_stock_monotone_without_substitution(
        net in support::small_network(),
        shock in support::shock(),
        region in 0usize..6,
        product in 0usize..8,
        extra in 0.0f64..3.0,
    ) {
        let mut r = shock.realization(&net);
        r.mitigation.substitution = 0.0;
        r.mitigation.stock_release_share = r.mitigation.stock_release_share.max(0.2);
        let (j, k) = (region % net.regions().len(), product % net.products().len());
        let before = support::run(&net, &r);
        let mut parts = net.to_parts();
        parts.stocks[j][k] = parts.stocks[j][k] * (1.0 + extra) + extra * 10.0;
        let richer = Network::new(parts).unwrap();
        let after = support::run(&richer, &r);
        let i = j * net.products().len() + k;
        prop_assert!(le(after.absorption_shortfall[i], before.absorption_shortfall[i], before.absorption_baseline[i]),
            "R{} p{}: {} with less stock, {} with more", j, k, before.absorption_shortfall[i], after.absorption_shortfall[i]);
        let _ = (ProductId(k as u32), RegionId(j as u32));
    }
}
