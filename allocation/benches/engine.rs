//! The engine at the size of the state and beyond. Figures: BENCHMARKS.md.

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rust_decimal::Decimal;
use srb_allocation::concept::compute_all;
use srb_allocation::concept::{Limit, Method, PillarBudget, Rule, Staffing};
use srb_allocation::index::{Direction, MissingPolicy, NeedIndex, Normalization, Term};
use srb_allocation::state::{KeyDistrict, StateBudget, StateKey};
use srb_allocation::{compute, Concept, ConceptInput, KitaInput, Pillar, Rounding};

const INDICATORS: [&str; 6] = [
    "sgb2",
    "migration",
    "single_parent",
    "integration",
    "hze",
    "u3_share",
];

/// A small deterministic generator (no dependency needed for benchmark data).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn kitas(n: usize, seed: u64) -> Vec<KitaInput> {
    let mut r = Lcg(seed);
    (0..n)
        .map(|i| KitaInput {
            id: format!("k{i:07}"),
            name: format!("Kita {i}"),
            places: 20 + r.next(130) as i64,
            places_under3: r.next(30) as i64,
            social_space: Some(format!("s{}", r.next(12))),
            family_center: r.next(7) == 0,
            be_relevant: r.next(20) == 0,
            indicators: INDICATORS
                .iter()
                .map(|k| (k.to_string(), Some(Decimal::new(r.next(1000) as i64, 3))))
                .collect::<BTreeMap<_, _>>(),
        })
        .collect()
}

/// Four pillars over six indicators, like the concepts in DOMAIN.md.
fn concept() -> Concept {
    let norms = [
        Normalization::RatioToMean,
        Normalization::ZScore,
        Normalization::MinMax,
        Normalization::PercentRank,
        Normalization::Raw,
        Normalization::RatioToMean,
    ];
    let weights = ["0.3", "0.2", "0.15", "0.15", "0.1", "0.1"];
    let staffing = |cost: i64, step: &str, min: &str| Staffing {
        cost_per_fte: cost,
        training_surcharge: Decimal::new(1, 2),
        weekly_hours: Decimal::from(39),
        fte_step: step.parse().unwrap(),
        min_fte: min.parse().unwrap(),
    };
    Concept {
        pillars: vec![
            Pillar {
                id: "kisa".into(),
                name: "Kita-Sozialarbeit".into(),
                budget: PillarBudget::Share(Decimal::new(45, 2)),
                staffing: Some(staffing(7_000_000, "0.25", "0.5")),
                method: Method::Proportional { by_places: true },
                eligibility: Rule::IndexAboveMean,
                cap: Some(Limit::Fte(Decimal::TWO)),
                floor: None,
                phase_in: None,
                pool_by_social_space: false,
            },
            Pillar {
                id: "ikf".into(),
                name: "Interkulturelle Fachkräfte".into(),
                budget: PillarBudget::Share(Decimal::new(25, 2)),
                staffing: Some(staffing(6_500_000, "0.1", "0")),
                method: Method::PerUnit {
                    indicator: "migration".into(),
                    amount_per_unit: 200_000,
                },
                eligibility: Rule::All,
                cap: None,
                floor: None,
                phase_in: None,
                pool_by_social_space: false,
            },
            Pillar {
                id: "netz".into(),
                name: "Netzwerk".into(),
                budget: PillarBudget::Share(Decimal::new(20, 2)),
                staffing: None,
                method: Method::Base { by_places: false },
                eligibility: Rule::All,
                cap: None,
                floor: None,
                phase_in: None,
                pool_by_social_space: false,
            },
            Pillar {
                id: "fz".into(),
                name: "Familienzentren".into(),
                budget: PillarBudget::Share(Decimal::new(10, 2)),
                staffing: None,
                method: Method::Proportional { by_places: false },
                eligibility: Rule::Or(vec![Rule::FamilyCenter, Rule::TopShare(Decimal::new(1, 1))]),
                cap: Some(Limit::Amount(5_000_000)),
                floor: None,
                phase_in: None,
                pool_by_social_space: false,
            },
        ],
        need_index: NeedIndex {
            terms: INDICATORS
                .iter()
                .zip(norms)
                .zip(weights)
                .map(|((i, n), w)| Term {
                    indicator: i.to_string(),
                    weight: w.parse().unwrap(),
                    normalization: n,
                    direction: Direction::MoreIsWorse,
                })
                .collect(),
            missing: MissingPolicy::Error,
        },
        rounding: Rounding::Cent,
        move_leftovers: true,
    }
}

fn state(c: &mut Criterion) {
    // 41 districts, about 2,600 Kitas in all.
    let key = StateKey {
        weight_children: Decimal::new(4, 1),
        weight_sgb2: Decimal::new(6, 1),
        districts: (0..41)
            .map(|i| KeyDistrict {
                ags: format!("07{i:03}"),
                children_under7: 3_000 + i * 250,
                children_under7_sgb2: 300 + i * 40,
                reference_date: "2024-12-31".into(),
            })
            .collect(),
    };
    // The districts' inputs as they would come from the database; the budget is set per run.
    let mut inputs: Vec<ConceptInput> = (0..41)
        .map(|i| ConceptInput {
            budget: 0,
            concept: concept(),
            kitas: kitas(63 + (i % 3), i as u64),
            previous: Default::default(),
        })
        .collect();
    c.bench_function("state: key + 41 concepts (≈2,600 Kitas)", |b| {
        b.iter(|| {
            let total = StateBudget::kitag_rlp().amount(2026).unwrap();
            let split = key.split(total, Rounding::Cent).unwrap();
            for (d, input) in split.iter().zip(inputs.iter_mut()) {
                input.budget = d.amount * 10 / 6;
            }
            for r in compute_all(&inputs) {
                std::hint::black_box(r.unwrap());
            }
        })
    });
    // The same on one thread: what one district costs, and the gain of running side by side.
    c.bench_function("state, one thread", |b| {
        b.iter(|| {
            let total = StateBudget::kitag_rlp().amount(2026).unwrap();
            let split = key.split(total, Rounding::Cent).unwrap();
            for (d, input) in split.iter().zip(inputs.iter_mut()) {
                input.budget = d.amount * 10 / 6;
                std::hint::black_box(compute(input).unwrap());
            }
        })
    });
}

fn district(c: &mut Criterion) {
    let mut group = c.benchmark_group("one district");
    group.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let input = ConceptInput {
            budget: 2_000_000_000,
            concept: concept(),
            kitas: kitas(n, 7),
            previous: Default::default(),
        };
        // The result of a million Kitas holds about 1.2 GB of explanation; freeing it is the
        // caller's business once it is stored, so it is dropped outside the timing (criterion's
        // `iter_with_large_drop`). BENCHMARKS.md gives the cost of the drop as well.
        group.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter_with_large_drop(|| compute(input).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, state, district);
criterion_main!(benches);
