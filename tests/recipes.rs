//! The recipes of docs/architecture.md, followed: adding an engine, an outcome kind, a
//! distribution or a dataset. Each list below is an exhaustive `match`, so a new engine
//! choice, measure or distribution does not compile until it is added here, and then it
//! runs through the same checks as the others.

use shortfall::engine::{
    Amount, DynamicSettings, Engine, Shortfalls, Step, Use, STATIC_DEFINITION,
};
use shortfall::montecarlo::{run_on, run_with, EngineChoice, Measure, OutcomeSpec};
use shortfall::network::{toy_chain, Network, ProductId, RegionId};
use shortfall::runs::ScenarioFile;
use shortfall::scenario::{Dist, Realization, Targets};

mod support;

/// A scenario on the toy chain: CN cuts magnets to the US with an uncertain severity, 13
/// weekly steps.
fn toy_file() -> ScenarioFile {
    support::toy_embargo(0.5, 1.0, "[monte_carlo]\ndraws = 400\nseed = 3")
}

/// Every engine the front door offers (add a new `EngineChoice` here).
fn every_engine() -> Vec<EngineChoice> {
    let all = [
        EngineChoice::Static,
        EngineChoice::Dynamic(DynamicSettings {
            step: Step::Week,
            ..DynamicSettings::default()
        }),
    ];
    for e in &all {
        match e {
            EngineChoice::Static | EngineChoice::Dynamic(_) => {}
        }
    }
    all.to_vec()
}

/// Recipe: an engine. Every engine runs the same file through the front door, says what
/// its figures count, and finds the shortfall the embargo causes.
#[test]
fn every_engine_runs_the_same_file_through_the_front_door() {
    let net = toy_chain();
    let file = toy_file();
    for engine in every_engine() {
        let r = run_with(
            std::slice::from_ref(&net),
            &file.scenario,
            &file.monte_carlo,
            &engine,
            None,
        )
        .unwrap();
        assert!(!r.engine.is_empty());
        let us_magnets = (r.outcomes.iter())
            .find(|o| o.name == "US magnet final-use shortfall")
            .unwrap();
        assert!(us_magnets.mean > 0.0, "{engine:?}: {}", us_magnets.mean);
    }
}

/// Recipe: an engine of your own, through the generic front door (`run_on`). This one cuts
/// every target's absorption and final use by the severity of the first restriction: its
/// shares are the severity, so their mean over draws is the severity's mean.
struct Proportional {
    regions: usize,
    products: usize,
    baseline: Vec<f64>,
    target: Vec<bool>,
}

#[derive(Clone)]
struct Cut {
    severity: f64,
    baseline: Vec<f64>,
    target: Vec<bool>,
    products: usize,
}

impl Shortfalls for Cut {
    fn years(&self) -> f64 {
        1.0
    }

    fn over_run(&self, _: Use, region: RegionId, product: ProductId) -> Amount {
        let baseline = self.baseline[region.index() * self.products + product.index()];
        let cut = if self.target[region.index()] {
            self.severity
        } else {
            0.0
        };
        Amount {
            shortfall: cut * baseline,
            baseline,
        }
    }

    fn definition(&self) -> &'static str {
        "proportional: every target loses the severity's share of each use"
    }
}

impl Proportional {
    fn new(net: &Network, scenario: &Realization) -> shortfall::Result<Self> {
        let (regions, products) = (net.regions().len(), net.products().len());
        let mut baseline = vec![0.0; regions * products];
        for r in (0..regions as u32).map(RegionId) {
            for p in (0..products as u32).map(ProductId) {
                baseline[r.index() * products + p.index()] = net.final_use(r, p);
            }
        }
        let mut target = vec![false; regions];
        for x in &scenario.restrictions {
            for r in x.targets.resolve(net, "restrictions.targets")? {
                target[r.index()] = true;
            }
        }
        Ok(Self {
            regions,
            products,
            baseline,
            target,
        })
    }
}

impl Engine for Proportional {
    type Workspace = Cut;
    type Outcome = Cut;

    fn workspace(&self, _: &Network) -> Cut {
        Cut {
            severity: 0.0,
            baseline: self.baseline.clone(),
            target: self.target.clone(),
            products: self.products,
        }
    }

    fn outcome<'w>(&self, ws: &'w Cut) -> &'w Cut {
        ws
    }

    fn run(&self, _: &Network, r: &Realization, ws: &mut Cut) -> shortfall::Result<()> {
        assert_eq!(ws.target.len(), self.regions);
        ws.severity = r.restrictions.first().map_or(0.0, |x| x.severity);
        Ok(())
    }
}

#[test]
fn an_engine_of_your_own_goes_through_the_generic_front_door() {
    let net = toy_chain();
    let mut file = toy_file();
    file.monte_carlo.outcomes = vec![OutcomeSpec::new(
        Measure::FinalShare,
        Targets::List(vec!["US".into()]),
        "magnet",
    )];
    let r = run_on(
        std::slice::from_ref(&net),
        &file.scenario,
        &file.monte_carlo,
        Proportional::new,
        None,
    )
    .unwrap();
    assert!(r.engine.starts_with("proportional"));
    let share = &r.outcomes[0];
    // Severity ~ U(0.5, 1): mean 0.75; every draw's share is its severity.
    assert!((share.mean - 0.75).abs() < 4.0 * share.se, "{}", share.mean);
    assert!(share.min >= 0.5 && share.max <= 1.0);
    assert_eq!(r.sensitivity[0].parameter, "restrictions[0].severity");
    assert!(r.sensitivity[0].spearman.unwrap() > 0.999);
    assert_ne!(r.engine, STATIC_DEFINITION);
}

/// Every measure (add a new `Measure` here).
fn every_measure() -> Vec<OutcomeSpec> {
    let us = Targets::List(vec!["US".into()]);
    let all = [
        Measure::Absorption,
        Measure::FinalUse,
        Measure::AbsorptionShare,
        Measure::FinalShare,
        Measure::AbsorptionPerStep,
        Measure::AbsorptionSharePerStep,
        Measure::InputConstrained,
        Measure::InventoryEmpty,
        Measure::StockOut,
        Measure::Recovery,
        Measure::FirstStoppage,
        Measure::FirmStoppage,
        Measure::FirmsStopped,
    ];
    all.iter()
        .map(|&m| {
            let cover_days = match m {
                Measure::FirstStoppage => Some(3.0),
                Measure::FirmStoppage
                | Measure::FirmsStopped
                | Measure::Absorption
                | Measure::FinalUse
                | Measure::AbsorptionShare
                | Measure::FinalShare
                | Measure::AbsorptionPerStep
                | Measure::AbsorptionSharePerStep
                | Measure::InputConstrained
                | Measure::InventoryEmpty
                | Measure::StockOut
                | Measure::Recovery => None,
            };
            OutcomeSpec {
                cover_days,
                ..OutcomeSpec::new(m, us.clone(), "magnet")
            }
        })
        .collect()
}

/// Recipe: an outcome kind. Every measure is measured by every engine that has what it
/// needs, and refused by name by the others.
#[test]
fn every_measure_is_measured_or_refused_by_name() {
    let net = toy_chain();
    // Firms of the US's magnet users, for the firms' measures (docs/model.md §5.5).
    let file = support::toy_embargo(
        0.5,
        1.0,
        "[scenario.firms]\nproduct = \"magnet\"\norigins = [\"CN\"]\ncover_days = [3, 30]\n\
         [monte_carlo]\ndraws = 400\nseed = 3",
    );
    for engine in every_engine() {
        for (i, spec) in every_measure().into_iter().enumerate() {
            let mut settings = file.monte_carlo.clone();
            settings.outcomes = vec![spec.clone()];
            let got = run_with(
                std::slice::from_ref(&net),
                &file.scenario,
                &settings,
                &engine,
                None,
            );
            let timed = matches!(engine, EngineChoice::Dynamic(_));
            match got {
                Ok(r) => {
                    assert!(timed || !spec.measure.in_time(), "{:?}", spec.measure);
                    let kept = r.outcomes.len() + r.events.len();
                    assert!(kept >= 1, "{:?} kept nothing", spec.measure);
                    assert_eq!(r.events.len(), usize::from(spec.measure.is_event()));
                }
                Err(e) => {
                    assert!(!timed && spec.measure.in_time(), "{:?}: {e}", spec.measure);
                    assert!(e.to_string().contains("outcomes[0].measure"), "{i}: {e}");
                }
            }
        }
    }
}

/// Every distribution, one instance each (add a new `Dist` here).
fn every_dist() -> Vec<Dist> {
    let all = vec![
        Dist::Uniform {
            low: 1.0,
            high: 2.0,
        },
        Dist::Triangular {
            low: 0.0,
            mode: 0.2,
            high: 1.0,
        },
        Dist::Pert {
            low: 0.0,
            mode: 0.7,
            high: 1.0,
        },
        Dist::Beta {
            alpha: 2.0,
            beta: 5.0,
        },
        Dist::Normal { mean: 3.0, sd: 0.5 },
        Dist::TruncatedNormal {
            mean: 0.5,
            sd: 0.3,
            low: 0.0,
            high: 1.0,
        },
        Dist::Lognormal {
            mu: 0.0,
            sigma: 0.5,
        },
        Dist::Gamma {
            shape: 2.0,
            rate: 3.0,
        },
        Dist::Bernoulli { p: 0.3 },
        Dist::Choice {
            values: vec![1.0, 2.0, 3.0],
            weights: vec![1.0, 1.0, 2.0],
        },
        Dist::Empirical {
            values: vec![0.1, 0.4, 0.2, 0.9],
        },
    ];
    for d in &all {
        match d {
            Dist::Uniform { .. }
            | Dist::Triangular { .. }
            | Dist::Pert { .. }
            | Dist::Beta { .. }
            | Dist::Normal { .. }
            | Dist::TruncatedNormal { .. }
            | Dist::Lognormal { .. }
            | Dist::Gamma { .. }
            | Dist::Bernoulli { .. }
            | Dist::Choice { .. }
            | Dist::Empirical { .. } => {}
        }
    }
    all
}

/// Recipe: a distribution. Each prints readably, reads back from a scenario file, and its
/// quantile function is non-decreasing and stays within its support.
#[test]
fn every_distribution_prints_reads_back_and_inverts_within_its_support() {
    for d in every_dist() {
        let shown = d.to_string();
        assert!(shown.starts_with(d.name()), "{shown}");
        assert!(!shown.contains('{'), "{shown}");
        let toml = toml::to_string(&std::collections::BTreeMap::from([("p", &d)])).unwrap();
        let back: std::collections::BTreeMap<String, Dist> = toml::from_str(&toml).unwrap();
        assert_eq!(back["p"], d, "{toml}");
        let (low, high) = d.support();
        let mut last = f64::NEG_INFINITY;
        for u in [0.0, 1e-9, 0.1, 0.5, 0.9, 1.0 - 1e-9, 1.0] {
            let q = d.quantile(u);
            assert!(q >= last && q >= low && q <= high, "{shown}: q({u}) = {q}");
            last = q;
        }
    }
}

/// Recipe: a dataset. Every embedded dataset builds, passes its balance checks, and every
/// source it cites has its entry in docs/data.md.
#[test]
fn every_embedded_dataset_builds_and_cites_its_sources() {
    let data_md =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data.md")).unwrap();
    for name in shortfall::data::DATASETS {
        let data = shortfall::data::embedded(name).unwrap();
        assert_eq!(data.name, name);
        assert!(data.network.balance_problems().is_empty(), "{name}");
        assert!(!data.sources.is_empty(), "{name} cites no source");
        for s in &data.sources {
            assert!(
                data_md.contains(&s.key),
                "{name}: source {} is not in docs/data.md",
                s.key
            );
        }
    }
}
