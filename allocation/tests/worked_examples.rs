//! Worked examples, each computed by hand in the comments.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use srb_allocation::concept::{
    Floor, FloorAction, Grant, Limit, Method, PillarBudget, Rule, Staffing,
};
use srb_allocation::index::{Direction, MissingPolicy, NeedIndex, Normalization, Term};
use srb_allocation::state::{CoFinancing, KeyDistrict, StateBudget, StateKey};
use srb_allocation::{
    compute, AllocationError, Concept, ConceptInput, KitaInput, Pillar, Rounding,
};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn kita(id: &str, places: i64, sgb2: &str) -> KitaInput {
    KitaInput {
        id: id.into(),
        name: format!("Kita {id}"),
        places,
        places_under3: 0,
        social_space: Some(if id == "c" {
            "Süd".into()
        } else {
            "Nord".into()
        }),
        family_center: id == "b",
        be_relevant: false,
        indicators: BTreeMap::from([("sgb2".to_string(), Some(d(sgb2)))]),
    }
}

fn raw_index() -> NeedIndex {
    NeedIndex {
        terms: vec![Term {
            indicator: "sgb2".into(),
            weight: Decimal::ONE,
            normalization: Normalization::Raw,
            direction: Direction::MoreIsWorse,
        }],
        missing: MissingPolicy::Error,
    }
}

fn pillar(method: Method) -> Pillar {
    Pillar {
        id: "kisa".into(),
        name: "Kita-Sozialarbeit".into(),
        budget: PillarBudget::Share(Decimal::ONE),
        staffing: None,
        method,
        eligibility: Rule::All,
        cap: None,
        floor: None,
        phase_in: None,
        pool_by_social_space: false,
    }
}

fn input(budget: i64, pillars: Vec<Pillar>) -> ConceptInput {
    ConceptInput {
        budget,
        concept: Concept {
            pillars,
            need_index: raw_index(),
            rounding: Rounding::Cent,
            move_leftovers: false,
        },
        // a: 50 places, SGB-II 0.2; b: 100 places, 0.1; c: 50 places, 0.4.
        kitas: vec![
            kita("a", 50, "0.2"),
            kita("b", 100, "0.1"),
            kita("c", 50, "0.4"),
        ],
        previous: Default::default(),
    }
}

fn amounts(input: &ConceptInput) -> Vec<i64> {
    compute(input)
        .unwrap()
        .kitas
        .iter()
        .map(|k| k.amount)
        .collect()
}

#[test]
fn state_budget_grows_by_two_and_a_half_percent_and_2021_is_half() {
    let b = StateBudget::kitag_rlp();
    assert_eq!(b.amount(2021).unwrap(), 2_500_000_000); // 50 Mio € × 0.5
    assert_eq!(b.amount(2022).unwrap(), 5_125_000_000); // 51,250,000 €
    assert_eq!(b.amount(2023).unwrap(), 5_253_125_000); // 52,531,250 €
    assert_eq!(b.amount(2024).unwrap(), 5_384_453_125); // 53,844,531.25 €
    let mut truncating = b.clone();
    truncating.rounding = Rounding::EuroTruncate;
    assert_eq!(truncating.amount(2024).unwrap(), 5_384_453_100);
    let mut law = b.clone();
    law.overrides.insert(2025, d("55000000"));
    assert_eq!(law.amount(2025).unwrap(), 5_500_000_000);
    assert!(matches!(
        b.amount(2020),
        Err(AllocationError::InvalidYear { .. })
    ));
}

#[test]
fn state_key_weighs_children_and_sgb2_and_adds_up_exactly() {
    // Shares: a = .4×.1 + .6×.1 = .10; b = .4×.2 + .6×.3 = .26; c = .4×.7 + .6×.6 = .64.
    let key = StateKey {
        weight_children: d("0.4"),
        weight_sgb2: d("0.6"),
        districts: vec![
            KeyDistrict {
                ags: "c".into(),
                children_under7: 700,
                children_under7_sgb2: 60,
                reference_date: "2023-12-31".into(),
            },
            KeyDistrict {
                ags: "a".into(),
                children_under7: 100,
                children_under7_sgb2: 10,
                reference_date: "2023-12-31".into(),
            },
            KeyDistrict {
                ags: "b".into(),
                children_under7: 200,
                children_under7_sgb2: 30,
                reference_date: "2023-12-31".into(),
            },
        ],
    };
    // 10,000.01 €: quotas 100000.1, 260000.26, 640000.64 ct; the spare cent goes to c (.64).
    let split = key.split(1_000_001, Rounding::Cent).unwrap();
    let got: Vec<(&str, i64)> = split.iter().map(|s| (s.ags.as_str(), s.amount)).collect();
    assert_eq!(got, [("a", 100_000), ("b", 260_000), ("c", 640_001)]);
    assert_eq!(split[1].share, d("0.26"));
    // Whole euros: 10,000 € = 1,000 / 2,600 / 6,400 €.
    let split = key.split(1_000_000, Rounding::EuroHalfUp).unwrap();
    assert_eq!(
        split.iter().map(|s| s.amount).collect::<Vec<_>>(),
        [100_000, 260_000, 640_000]
    );
    let mut bad = key.clone();
    bad.weight_sgb2 = d("0.5");
    assert!(matches!(
        bad.split(100, Rounding::Cent),
        Err(AllocationError::WeightsDoNotAddUp { .. })
    ));
    bad.weight_sgb2 = d("0.6");
    bad.districts[0].children_under7 = -1;
    assert!(matches!(
        bad.split(100, Rounding::Cent),
        Err(AllocationError::Negative { .. })
    ));
}

#[test]
fn co_financing_land_sixty_percent_traeger_a_quarter_of_the_rest() {
    // Land 600,000 € = 60 %: total 1,000,000 €, rest 400,000 €, Träger 25 % of it.
    let c = CoFinancing {
        land_rate: d("0.6"),
        traeger_share: d("0.25"),
    }
    .apply(60_000_000, Rounding::Cent)
    .unwrap();
    assert_eq!(
        (c.land, c.total, c.district, c.traeger),
        (60_000_000, 100_000_000, 30_000_000, 10_000_000)
    );
    assert_eq!(c.land + c.district + c.traeger, c.total);
}

#[test]
fn base_method_gives_equal_shares_spare_cent_to_the_first() {
    // 1,000.00 € / 3 = 333.33 € each and one cent over, to Kita a.
    let i = input(100_000, vec![pillar(Method::Base { by_places: false })]);
    assert_eq!(amounts(&i), [33_334, 33_333, 33_333]);
    // By places 50 / 100 / 50: 250 / 500 / 250 €.
    let i = input(100_000, vec![pillar(Method::Base { by_places: true })]);
    assert_eq!(amounts(&i), [25_000, 50_000, 25_000]);
}

#[test]
fn proportional_method_places_times_index_and_caps_redistribute() {
    // Weights 50×.2 = 10, 100×.1 = 10, 50×.4 = 20: 25 % / 25 % / 50 % of 1,000 €.
    let i = input(
        100_000,
        vec![pillar(Method::Proportional { by_places: true })],
    );
    let r = compute(&i).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [25_000, 25_000, 50_000]
    );
    assert_eq!(r.kitas[2].rank, Some(1));
    assert_eq!(r.kitas[2].pillars[0].raw_share, d("0.5"));
    // Cap 400 €: c keeps 400, its 100 € go to a and b by their weights (equal).
    let mut p = pillar(Method::Proportional { by_places: true });
    p.cap = Some(Limit::Amount(40_000));
    let r = compute(&input(100_000, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [30_000, 30_000, 40_000]
    );
    assert!(r.kitas[2].pillars[0].capped);
    // Caps that hold everybody leave the rest over, reported.
    let mut p = pillar(Method::Proportional { by_places: true });
    p.cap = Some(Limit::Amount(20_000));
    let r = compute(&input(100_000, vec![p])).unwrap();
    assert_eq!(r.pillars[0].allocated, 60_000);
    assert_eq!(r.pillars[0].leftover, 40_000);
}

#[test]
fn eligibility_above_the_district_mean_with_reasons() {
    // Indices .2, .1, .4; mean .2333…: only c.
    let mut p = pillar(Method::Base { by_places: false });
    p.eligibility = Rule::IndexAboveMean;
    let r = compute(&input(90_000, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [0, 0, 90_000]
    );
    assert_eq!(
        r.kitas[0].pillars[0].reason,
        "Index 0,2 nicht über Bezirksmittel 0,233"
    );
    assert_eq!(
        r.kitas[2].pillars[0].reason,
        "Index 0,4 über Bezirksmittel 0,233"
    );
    // Family centre or social space Süd: b and c.
    let mut p = pillar(Method::Base { by_places: false });
    p.eligibility = Rule::Or(vec![
        Rule::FamilyCenter,
        Rule::InSocialSpaces(BTreeSet::from(["Süd".to_string()])),
    ]);
    assert_eq!(amounts(&input(90_000, vec![p])), [0, 45_000, 45_000]);
    // Top 2 by index: c then a.
    let mut p = pillar(Method::Base { by_places: false });
    p.eligibility = Rule::TopN(2);
    assert_eq!(amounts(&input(90_000, vec![p])), [45_000, 0, 45_000]);
}

fn staffed(step: &str, min: &str) -> Staffing {
    Staffing {
        cost_per_fte: 6_000_000,
        training_surcharge: Decimal::ZERO,
        weekly_hours: d("39"),
        fte_step: d(step),
        min_fte: d(min),
    }
}

#[test]
fn positions_in_quarter_steps_leftover_reported() {
    // 200,000 € at 60,000 € per FTE in steps of 0.25 (15,000 €): 13 steps = 195,000 €,
    // 5,000 € left. a and b share equally (6.5 steps each): a 7, b 6 (tie to the first).
    let mut p = pillar(Method::Base { by_places: false });
    p.staffing = Some(staffed("0.25", "0"));
    p.eligibility = Rule::Not(Box::new(Rule::InSocialSpaces(BTreeSet::from([
        "Süd".to_string()
    ]))));
    let r = compute(&input(20_000_000, vec![p])).unwrap();
    let a = &r.kitas[0].pillars[0];
    assert_eq!(
        (a.fte, a.amount, a.weekly_hours),
        (d("1.75"), 10_500_000, d("68.25"))
    );
    assert_eq!(r.kitas[1].pillars[0].fte, d("1.50"));
    assert_eq!(r.pillars[0].fte, d("3.25"));
    assert_eq!(r.pillars[0].leftover, 500_000);
    assert_eq!(
        r.pillars[0].allocated + r.pillars[0].leftover,
        r.pillars[0].budget
    );
}

#[test]
fn a_kita_below_the_minimum_position_is_dropped() {
    // 5 steps of 0.25 FTE among three equal Kitas: 2, 2, 1 by largest remainder; c's single
    // step is below the minimum of 0.5 FTE, so c gets nothing and a, b share 5 steps: 3, 2.
    let mut p = pillar(Method::Base { by_places: false });
    p.staffing = Some(staffed("0.25", "0.5"));
    let r = compute(&input(7_500_000, vec![p])).unwrap();
    let fte: Vec<Decimal> = r.kitas.iter().map(|k| k.fte).collect();
    assert_eq!(fte, [d("0.75"), d("0.50"), d("0")]);
    assert!(r.kitas[2].pillars[0].floored);
    // A floor that lifts (0.5 FTE = 2 steps): c (1 step) is raised to 2; the 3 steps left give
    // a 2, b 1; b is raised to 2; the 1 step left goes to a, which cannot be lifted further:
    // the budget ends there.
    let mut p = pillar(Method::Base { by_places: false });
    p.staffing = Some(staffed("0.25", "0"));
    p.floor = Some(Floor {
        limit: Limit::Fte(d("0.5")),
        action: FloorAction::Lift,
    });
    let r = compute(&input(7_500_000, vec![p])).unwrap();
    let fte: Vec<Decimal> = r.kitas.iter().map(|k| k.fte).collect();
    assert_eq!(fte, [d("0.25"), d("0.50"), d("0.50")]);
    assert_eq!(r.pillars[0].leftover, 0);
}

#[test]
fn per_unit_pays_the_rate_or_scales_down() {
    // 100 € per unit of "sgb2" (read as a count here): a .2 → 20 €, b .1 → 10 €, c .4 → 40 €.
    let p = pillar(Method::PerUnit {
        indicator: "sgb2".into(),
        amount_per_unit: 10_000,
    });
    let r = compute(&input(100_000, vec![p.clone()])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [2_000, 1_000, 4_000]
    );
    assert_eq!(r.pillars[0].leftover, 93_000);
    // Only 35 € for 70 € of demand: everybody gets half.
    let r = compute(&input(3_500, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [1_000, 500, 2_000]
    );
}

#[test]
fn fixed_grants_with_reasons() {
    let p = pillar(Method::Fixed {
        grants: vec![Grant {
            kita_id: "b".into(),
            amount: 30_000,
            reason: "Waldgruppe (BE-relevant)".into(),
        }],
    });
    let r = compute(&input(100_000, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [0, 30_000, 0]
    );
    assert_eq!(r.kitas[1].pillars[0].reason, "Waldgruppe (BE-relevant)");
    assert_eq!(r.pillars[0].leftover, 70_000);
}

#[test]
fn pillars_share_the_budget_and_the_rest_is_unassigned() {
    // Alzey-Worms style: 30 % / 25 % of 1,000 €; 45 % not given to any pillar here.
    let mut a = pillar(Method::Base { by_places: false });
    a.budget = PillarBudget::Share(d("0.30"));
    let mut b = pillar(Method::Proportional { by_places: true });
    b.id = "ikf".into();
    b.budget = PillarBudget::Share(d("0.25"));
    let r = compute(&input(100_000, vec![a, b])).unwrap();
    assert_eq!(
        r.pillars.iter().map(|p| p.budget).collect::<Vec<_>>(),
        [30_000, 25_000]
    );
    assert_eq!(r.unassigned, 45_000);
    assert_eq!(r.kitas[2].amount, 10_000 + 12_500);
}

#[test]
fn missing_values_error_impute_or_exclude() {
    let mut i = input(
        90_000,
        vec![pillar(Method::Proportional { by_places: false })],
    );
    i.kitas[1].indicators.insert("sgb2".into(), None);
    assert_eq!(
        compute(&i).unwrap_err(),
        AllocationError::MissingValue {
            kita: "b".into(),
            indicator: "sgb2".into()
        }
    );
    i.concept.need_index.missing = MissingPolicy::DistrictMean;
    // b takes the mean of a and c (.3): weights .2, .3, .4 of 900 €.
    assert_eq!(amounts(&i), [20_000, 30_000, 40_000]);
    i.concept.need_index.missing = MissingPolicy::Exclude;
    let r = compute(&i).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [30_000, 0, 60_000]
    );
    assert_eq!(r.kitas[1].index, None);
}

#[test]
fn bad_concepts_are_typed_errors() {
    let mut i = input(100, vec![]);
    assert_eq!(compute(&i).unwrap_err(), AllocationError::EmptyConcept);
    let mut p = pillar(Method::Base { by_places: false });
    p.budget = PillarBudget::Amount(200);
    i.concept.pillars = vec![p];
    assert!(matches!(
        compute(&i),
        Err(AllocationError::PillarAboveTotal { .. })
    ));
    let mut p = pillar(Method::Base { by_places: false });
    p.staffing = Some(staffed("0.25", "0.3"));
    i.concept.pillars = vec![p];
    assert!(matches!(
        compute(&i),
        Err(AllocationError::StepDoesNotDivideMinimum { .. })
    ));
    let mut i = input(100, vec![pillar(Method::Base { by_places: false })]);
    i.concept.need_index.terms[0].weight = d("0.9");
    assert!(matches!(
        compute(&i),
        Err(AllocationError::WeightsDoNotAddUp { .. })
    ));
    let mut i = input(100, vec![pillar(Method::Base { by_places: false })]);
    i.concept.need_index.terms[0].indicator = "unbekannt".into();
    assert!(matches!(
        compute(&i),
        Err(AllocationError::UnknownIndicator { .. })
    ));
    let mut i = input(100, vec![pillar(Method::Base { by_places: false })]);
    i.kitas[0].places = -3;
    assert!(matches!(compute(&i), Err(AllocationError::Negative { .. })));
    let mut i = input(100, vec![pillar(Method::Base { by_places: false })]);
    i.kitas[1].id = "a".into();
    assert!(matches!(compute(&i), Err(AllocationError::DuplicateId(_))));
}

#[test]
fn measures_say_whether_money_follows_need() {
    let r = compute(&input(
        100_000,
        vec![pillar(Method::Proportional { by_places: true })],
    ))
    .unwrap();
    let m = &r.measures;
    assert_eq!(
        (
            m.kitas_reached,
            m.kitas_total,
            m.places_reached,
            m.places_total
        ),
        (3, 3, 200, 200)
    );
    // € per place: a 5, b 2.5, c 10; need index .2, .1, .4: same order, correlation 1.
    assert_eq!(m.need_correlation, Some(Decimal::ONE));
    // Top quarter of 3 Kitas = 1 Kita (c): 500 of 1,000 €.
    assert_eq!(m.share_to_top_quarter, Some(d("0.5")));
    // Gini of 2.5, 5, 10: (−2×2.5 + 0×5 + 2×10) / (3 × 17.5) = 15 / 52.5 = 0.285714.
    assert_eq!(m.gini_per_place, d("0.285714"));
}

#[test]
fn tiers_give_fixed_positions_by_index_band_most_need_first() {
    use srb_allocation::concept::Tier;
    // Bands: index ≥ .15 → 0.5 FTE, ≥ .3 → 1 FTE. Indices a .2, b .1, c .4: a 0.5, b none,
    // c 1.0. Steps of 0.25 at 60,000 € = 15,000 €.
    let tiers = Method::Tiers {
        bands: vec![
            Tier {
                min_index: d("0.15"),
                fte: d("0.5"),
            },
            Tier {
                min_index: d("0.3"),
                fte: d("1"),
            },
        ],
    };
    let mut p = pillar(tiers.clone());
    p.staffing = Some(staffed("0.25", "0"));
    // 150,000 €: everybody funded (6 steps = 90,000 €), 60,000 € left.
    let r = compute(&input(15_000_000, vec![p.clone()])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.fte).collect::<Vec<_>>(),
        [d("0.50"), d("0"), d("1.00")]
    );
    assert_eq!(r.pillars[0].leftover, 6_000_000);
    assert!(
        r.kitas[2].pillars[0]
            .reason
            .to_string()
            .ends_with("Stufe ab Index 0,3: 1 VZÄ"),
        "{}",
        r.kitas[2].pillars[0].reason
    );
    // 75,000 € (5 steps): c first (4 steps); a needs 2, only 1 is left: not funded.
    let r = compute(&input(7_500_000, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.fte).collect::<Vec<_>>(),
        [d("0"), d("0"), d("1.00")]
    );
    assert!(r.kitas[0].pillars[0]
        .reason
        .to_string()
        .contains("Budget erschöpft"));
    assert_eq!(r.pillars[0].leftover, 1_500_000);
}

#[test]
fn applications_are_funded_in_order_until_the_budget_ends() {
    use srb_allocation::concept::{Application, ApplicationOrder};
    let requests = vec![
        Application {
            kita_id: "b".into(),
            fte: d("1"),
            priority: 1,
            reason: "Sprachförderung".into(),
        },
        Application {
            kita_id: "a".into(),
            fte: d("0.5"),
            priority: 2,
            reason: String::new(),
        },
        Application {
            kita_id: "c".into(),
            fte: d("0.75"),
            priority: 3,
            reason: String::new(),
        },
    ];
    // 120,000 € = 8 steps. By priority: b 4, a 2, c wants 3 but 2 are left: partial 0.5.
    let mut p = pillar(Method::Applications {
        requests: requests.clone(),
        order: ApplicationOrder::Priority,
        partial: true,
    });
    p.staffing = Some(staffed("0.25", "0"));
    let r = compute(&input(12_000_000, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.fte).collect::<Vec<_>>(),
        [d("0.50"), d("1.00"), d("0.50")]
    );
    assert_eq!(
        r.kitas[1].pillars[0].reason,
        "Antrag über 1 VZÄ: Sprachförderung"
    );
    assert_eq!(r.pillars[0].leftover, 0);
    // By need: c 3, a 2, then b wants 4 of the 3 left; no partial funding: b gets nothing.
    let mut p = pillar(Method::Applications {
        requests,
        order: ApplicationOrder::NeedIndex,
        partial: false,
    });
    p.staffing = Some(staffed("0.25", "0"));
    let r = compute(&input(12_000_000, vec![p])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.fte).collect::<Vec<_>>(),
        [d("0.50"), d("0"), d("0.75")]
    );
    assert_eq!(r.pillars[0].leftover, 4_500_000);
}

#[test]
fn comparing_equal_shares_with_need_based_shares() {
    use srb_allocation::compare::compare;
    // Equal: 333.34 / 333.33 / 333.33 €; by places × need: 250 / 250 / 500 €.
    let equal = compute(&input(
        100_000,
        vec![pillar(Method::Base { by_places: false })],
    ))
    .unwrap();
    let need = compute(&input(
        100_000,
        vec![pillar(Method::Proportional { by_places: true })],
    ))
    .unwrap();
    let c = compare(&equal, &need);
    let diffs: Vec<(&str, i64)> = c
        .kitas
        .iter()
        .map(|k| (k.id.as_str(), k.difference))
        .collect();
    assert_eq!(diffs, [("a", -8_334), ("b", -8_333), ("c", 16_667)]);
    assert_eq!((c.gainers, c.losers, c.unchanged), (1, 2, 0));
    assert_eq!(
        (c.gained, c.lost),
        (16_667, -16_667),
        "the same budget: gains equal losses"
    );
    // Equal per Kita is unequal per place (b has twice the places); need-based follows need.
    assert!(c.need_correlation_change.unwrap() > Decimal::ZERO);
    assert_eq!(c.share_to_top_quarter_change, Some(d("0.5") - d("0.33333")));
}

#[test]
fn phase_in_keeps_each_kita_within_ten_percent_of_last_year() {
    use std::collections::BTreeMap;
    // Last year 300 / 300 / 400 €. Need-based now would give 250 / 250 / 500 €. With ±10 %:
    // c may reach 440 €; the 60 € it cannot take go to a and b by weight: 280 € each, inside
    // their corridor of 270–330 €.
    let mut p = pillar(Method::Proportional { by_places: true });
    p.phase_in = Some(d("0.1"));
    let mut i = input(100_000, vec![p]);
    i.previous = ["a", "b", "c"]
        .iter()
        .zip([30_000, 30_000, 40_000])
        .map(|(k, amount)| {
            (
                k.to_string(),
                BTreeMap::from([("kisa".to_string(), amount)]),
            )
        })
        .collect();
    let r = compute(&i).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [28_000, 28_000, 44_000]
    );
    assert_eq!(
        r.kitas.iter().map(|k| k.change).collect::<Vec<_>>(),
        [Some(-2_000), Some(-2_000), Some(4_000)]
    );
    assert!(r.kitas[2].pillars[0].phased);
    assert_eq!(r.pillars[0].leftover, 0);
    // Without phase-in the change is reported all the same.
    let mut i2 = i.clone();
    i2.concept.pillars[0].phase_in = None;
    let r = compute(&i2).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.change).collect::<Vec<_>>(),
        [Some(-5_000), Some(-5_000), Some(10_000)]
    );
}

#[test]
fn pooled_positions_are_shared_within_a_social_space_and_attributed() {
    // a and b lie in Nord, c in Süd; equal weights. 60,000 € in steps of 0.5 FTE at 60,000 €
    // (30,000 € a step) = 2 steps. By Kita, a and b would get one step each and c nothing.
    let mut p = pillar(Method::Base { by_places: false });
    p.staffing = Some(staffed("0.5", "0"));
    let r = compute(&input(6_000_000, vec![p.clone()])).unwrap();
    assert_eq!(
        r.kitas.iter().map(|k| k.fte).collect::<Vec<_>>(),
        [d("0.5"), d("0.5"), d("0")]
    );
    // Pooled: Nord's quota 1.33 steps, Süd's 0.67: one step each. Nord's position is shared
    // by a and b (0.25 FTE, 15,000 € each), c has Süd's position to itself.
    p.pool_by_social_space = true;
    let r = compute(&input(6_000_000, vec![p])).unwrap();
    let k = &r.kitas;
    assert_eq!(
        k.iter().map(|k| k.fte).collect::<Vec<_>>(),
        [d("0.25"), d("0.25"), d("0.5")]
    );
    assert_eq!(
        k.iter().map(|k| k.amount).collect::<Vec<_>>(),
        [1_500_000, 1_500_000, 3_000_000]
    );
    assert_eq!(k[0].pillars[0].pool.as_deref(), Some("Nord"));
    assert_eq!(k[0].pillars[0].attribution, Some(d("0.5")));
    assert_eq!(k[2].pillars[0].attribution, Some(Decimal::ONE));
    assert_eq!(r.pillars[0].fte, Decimal::ONE);
    assert_eq!(r.pillars[0].leftover, 0);
}

#[test]
fn leftovers_move_to_the_next_pillar_when_the_concept_says_so() {
    // Pillar 1: 140,000 € in 0.25-FTE steps at 60,000 € (15,000 € a step): 9 steps, three
    // for each Kita (135,000 €), 5,000 € left, which pillar 2 (money, 30,000 €) receives.
    let mut kisa = pillar(Method::Base { by_places: false });
    kisa.budget = PillarBudget::Amount(14_000_000);
    kisa.staffing = Some(staffed("0.25", "0"));
    let mut net = pillar(Method::Base { by_places: false });
    net.id = "netz".into();
    net.budget = PillarBudget::Amount(3_000_000);
    let mut i = input(17_000_000, vec![kisa, net]);
    i.concept.move_leftovers = true;
    let r = compute(&i).unwrap();
    assert_eq!(
        (r.pillars[0].allocated, r.pillars[0].leftover),
        (13_500_000, 500_000)
    );
    assert_eq!(
        (
            r.pillars[1].received,
            r.pillars[1].allocated,
            r.pillars[1].leftover
        ),
        (500_000, 3_500_000, 0)
    );
    i.concept.move_leftovers = false;
    let r = compute(&i).unwrap();
    assert_eq!(
        (r.pillars[1].received, r.pillars[1].allocated),
        (0, 3_000_000)
    );
}
