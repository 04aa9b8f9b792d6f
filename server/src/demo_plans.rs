//! Demo data of the allocation side, on top of the demo Kitas: the state key's children counts,
//! five Kita indicators per district for two data years, cost rates, one decided concept per
//! district in the style of real concepts, and the official plans of both years. Deterministic
//! and synthetic like the Kitas; idempotent (a district with demo indicators is left alone).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use srb_allocation::concept::{
    Application, ApplicationOrder, Floor, FloorAction, Limit, Method, PillarBudget, Rule, Staffing,
    Tier,
};
use srb_allocation::index::{Direction, MissingPolicy, NeedIndex, Normalization, Term};
use srb_allocation::{Concept, Decimal, Pillar, Rounding};
use srb_app::planning::{self, ConceptDocument, KEY_CHILDREN, KEY_SGB2};
use srb_storage::{
    ConceptData, ConceptStatus, CostRateData, IndicatorDefinitionData, IndicatorDirection,
    IndicatorImport, IndicatorLevel, IndicatorUnit, NewIndicatorValue, Storage, Subject,
};

/// The data years of the demo; the year after the last is left for importing.
pub const YEARS: [i32; 2] = [2024, 2025];
pub const SOURCE: &str = "Synthetische Demodaten";
/// The role whose cost rate the positions-style concepts use.
pub const ROLE: &str = "kita_sozialarbeit";

/// The Kita indicators every demo district defines: key, label, unit.
pub const INDICATORS: [(&str, &str, IndicatorUnit); 5] = [
    (
        "sgb2_anteil",
        "Anteil Kinder in SGB-II-Bedarfsgemeinschaften",
        IndicatorUnit::Share,
    ),
    (
        "sprache_anteil",
        "Anteil Kinder mit nichtdeutscher Familiensprache",
        IndicatorUnit::Share,
    ),
    (
        "alleinerziehend_anteil",
        "Anteil Kinder Alleinerziehender",
        IndicatorUnit::Share,
    ),
    (
        "kinder_sgb2",
        "Kinder in SGB-II-Bedarfsgemeinschaften",
        IndicatorUnit::Count,
    ),
    (
        "kinder_eingliederung",
        "Kinder mit Eingliederungshilfe",
        IndicatorUnit::Count,
    ),
];

fn d(n: i64, scale: u32) -> Decimal {
    Decimal::new(n, scale)
}

fn seed_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Synthetic Kita values of a year: a need level per Kita (stable across years) plus a drift.
pub fn kita_values(kita_name: &str, places: i32, year: i32) -> [Decimal; 5] {
    let mut base = StdRng::seed_from_u64(seed_of(kita_name));
    let need: f64 = base.gen_range(0.0..1.0f64).powf(1.6);
    let mut drift = StdRng::seed_from_u64(seed_of(&format!("{kita_name}/{year}")));
    let mut share = |scale: f64| {
        let v = (need * scale + drift.gen_range(-0.03..0.03)).clamp(0.0, 0.95);
        Decimal::from_f64_retain(v).unwrap_or_default().round_dp(3)
    };
    let sgb2 = share(0.45);
    let language = share(0.6);
    let single = share(0.35);
    let children_sgb2 = (sgb2 * Decimal::from(places)).round();
    let integration = Decimal::from(((need * 6.0) + drift.gen_range(0.0..2.0)).floor() as i64);
    [sgb2, language, single, children_sgb2, integration]
}

fn term(indicator: &str, weight: Decimal) -> Term {
    Term {
        indicator: indicator.into(),
        weight,
        normalization: Normalization::PercentRank,
        direction: Direction::MoreIsWorse,
    }
}

fn pillar(id: &str, name: &str, budget: PillarBudget, method: Method, eligibility: Rule) -> Pillar {
    Pillar {
        id: id.into(),
        name: name.into(),
        budget,
        staffing: None,
        method,
        eligibility,
        cap: None,
        floor: None,
        phase_in: None,
        pool_by_social_space: false,
    }
}

fn staffing(step: i64) -> Staffing {
    Staffing {
        cost_per_fte: 7_200_000,
        training_surcharge: d(1, 2),
        weekly_hours: Decimal::from(39),
        fte_step: d(step, 2),
        min_fte: d(step, 2),
    }
}

/// One of four styles of real concepts, chosen by the district's position.
pub fn concept_document(style: usize, top_kitas: &[String]) -> (String, ConceptDocument) {
    let need_index = NeedIndex {
        terms: vec![
            term("sgb2_anteil", d(5, 1)),
            term("sprache_anteil", d(3, 1)),
            term("alleinerziehend_anteil", d(2, 1)),
        ],
        missing: MissingPolicy::DistrictMean,
    };
    let mut cost_roles = BTreeMap::new();
    let (name, pillars) = match style % 4 {
        0 => (
            "Feste Säulenanteile",
            vec![
                pillar(
                    "sozialarbeit",
                    "Kita-Sozialarbeit",
                    PillarBudget::Share(d(5, 1)),
                    Method::Proportional { by_places: true },
                    Rule::All,
                ),
                pillar(
                    "sprache",
                    "Sprachförderung",
                    PillarBudget::Share(d(3, 1)),
                    Method::Proportional { by_places: true },
                    Rule::IndexAbove(d(5, 1)),
                ),
                pillar(
                    "familienzentren",
                    "Familienzentren",
                    PillarBudget::Share(d(2, 1)),
                    Method::Base { by_places: false },
                    Rule::Or(vec![Rule::FamilyCenter, Rule::TopShare(d(1, 1))]),
                ),
            ],
        ),
        1 => {
            cost_roles.insert("stellen".to_string(), ROLE.to_string());
            let mut positions = pillar(
                "stellen",
                "Stellen Kita-Sozialarbeit",
                PillarBudget::Share(d(7, 1)),
                Method::Tiers {
                    bands: vec![
                        Tier {
                            min_index: d(5, 1),
                            fte: d(5, 1),
                        },
                        Tier {
                            min_index: d(75, 2),
                            fte: Decimal::ONE,
                        },
                    ],
                },
                Rule::IndexAbove(d(5, 1)),
            );
            positions.staffing = Some(staffing(25));
            (
                "Feste Stellen nach Bedarfsstufen",
                vec![
                    positions,
                    // The budget pays staff only: every Kita gets network hours (as in
                    // Donnersbergkreis and Kreis Neuwied), no Sachkosten.
                    pillar(
                        "netzwerk",
                        "Netzwerkstunden für jede Kita",
                        PillarBudget::Share(d(3, 1)),
                        Method::Base { by_places: true },
                        Rule::All,
                    ),
                ],
            )
        }
        2 => {
            cost_roles.insert("antraege".to_string(), ROLE.to_string());
            let mut applications = pillar(
                "antraege",
                "Anträge der Träger",
                PillarBudget::Share(d(6, 1)),
                Method::Applications {
                    requests: top_kitas
                        .iter()
                        .enumerate()
                        .map(|(i, id)| Application {
                            kita_id: id.clone(),
                            fte: if i % 3 == 0 { Decimal::ONE } else { d(5, 1) },
                            priority: (i % 4) as u32,
                            reason: "Antrag des Trägers (Demo)".into(),
                        })
                        .collect(),
                    order: ApplicationOrder::NeedIndex,
                    partial: true,
                },
                Rule::All,
            );
            applications.staffing = Some(staffing(10));
            (
                "Antragsverfahren mit Bedarfsrang",
                vec![
                    applications,
                    pillar(
                        "grundbetrag",
                        "Grundbetrag",
                        PillarBudget::Share(d(4, 1)),
                        Method::Base { by_places: true },
                        Rule::All,
                    ),
                ],
            )
        }
        _ => {
            let mut need = pillar(
                "bedarf",
                "Bedarfsorientierte Zuweisung",
                PillarBudget::Share(d(7, 1)),
                Method::Proportional { by_places: true },
                Rule::IndexAboveMean,
            );
            need.floor = Some(Floor {
                limit: Limit::Amount(500_000),
                action: FloorAction::Drop,
            });
            need.phase_in = Some(d(2, 1));
            (
                "Grundbetrag für alle und Bedarf über dem Mittel",
                vec![
                    pillar(
                        "basis",
                        "Grundbetrag für alle",
                        PillarBudget::Share(d(3, 1)),
                        Method::Base { by_places: true },
                        Rule::All,
                    ),
                    need,
                ],
            )
        }
    };
    (
        name.to_string(),
        ConceptDocument {
            concept: Concept {
                pillars,
                need_index,
                rounding: Rounding::Cent,
                move_leftovers: style % 4 == 2,
            },
            cost_roles,
            co_financing: planning::default_co_financing(),
        },
    )
}

/// Children under 7 and those in SGB-II households of a demo district in a year, from its Kitas.
fn key_counts(ags: &str, places: i64, year: i32) -> (i64, i64) {
    let mut rng = StdRng::seed_from_u64(seed_of(&format!("{ags}/key/{year}")));
    let children = (places as f64 * rng.gen_range(1.25..1.45)).round() as i64;
    let mut base = StdRng::seed_from_u64(seed_of(&format!("{ags}/key")));
    let rate = base.gen_range(0.08..0.24) + rng.gen_range(-0.005..0.005);
    (children, (children as f64 * rate).round() as i64)
}

#[derive(Debug, Default)]
pub struct PlansReport {
    pub districts: usize,
    pub values: usize,
    pub runs: usize,
}

/// Seeds the allocation demo data of every district that has demo Kitas but no demo indicators.
pub async fn seed(storage: &dyn Storage) -> Result<PlansReport> {
    seed_years(storage, &YEARS).await
}

/// Like [`seed`], with data and official plans for each of `years` (the first is the year the
/// concepts took effect).
pub async fn seed_years(storage: &dyn Storage, years: &[i32]) -> Result<PlansReport> {
    let first = *years.first().context("years")?;
    let mut report = PlansReport::default();
    let districts = storage.districts().await?;
    let all_ags: Vec<String> = districts.iter().map(|d| d.ags.clone()).collect();

    // State-wide: the key's two indicators and the default cost rates.
    let mut defs = storage.indicator_definitions(&[]).await?;
    for (key, label) in [
        (KEY_CHILDREN, "Kinder unter 7 Jahren"),
        (
            KEY_SGB2,
            "Kinder unter 7 Jahren in SGB-II-Bedarfsgemeinschaften",
        ),
    ] {
        if !defs.iter().any(|d| d.key == key) {
            defs.push(
                storage
                    .create_indicator_definition(
                        None,
                        &IndicatorDefinitionData {
                            district_ags: None,
                            key: key.into(),
                            label: label.into(),
                            unit: IndicatorUnit::Count,
                            level: IndicatorLevel::District,
                            direction: IndicatorDirection::MoreIsNeed,
                            description: Some("Landesschlüssel (§ 25 Abs. 5 KiTaG)".into()),
                        },
                    )
                    .await?,
            );
        }
    }
    for (year, euros) in [
        (2021, 66_000),
        (2022, 68_000),
        (2023, 70_000),
        (2024, 72_000),
        (2025, 74_500),
        (2026, 77_000),
    ] {
        if storage.cost_rates(&all_ags[0], year).await?.is_empty() {
            storage
                .set_cost_rate(
                    None,
                    &CostRateData {
                        district_ags: None,
                        role: ROLE.into(),
                        year,
                        cost_per_fte: euros * 100,
                        source: SOURCE.into(),
                    },
                )
                .await?;
        }
    }
    let key_id = |key: &str| {
        defs.iter()
            .find(|d| d.key == key)
            .map(|d| d.id)
            .context("key indicator")
    };
    let (children_id, sgb2_id) = (key_id(KEY_CHILDREN)?, key_id(KEY_SGB2)?);

    let mut todo = Vec::new();
    for (i, district) in districts.iter().enumerate() {
        let own = storage
            .indicator_definitions(std::slice::from_ref(&district.ags))
            .await?;
        if own.iter().any(|d| d.district_ags.is_some()) {
            continue;
        }
        let kitas = planning::district_kitas(storage, &district.ags)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if kitas.is_empty() || !kitas.iter().all(|k| k.synthetic) {
            continue;
        }
        let mut ids = Vec::new();
        for (key, label, unit) in INDICATORS {
            let def = storage
                .create_indicator_definition(
                    None,
                    &IndicatorDefinitionData {
                        district_ags: Some(district.ags.clone()),
                        key: key.into(),
                        label: label.into(),
                        unit,
                        level: IndicatorLevel::Kita,
                        direction: IndicatorDirection::MoreIsNeed,
                        description: None,
                    },
                )
                .await?;
            ids.push(def.id);
        }
        let places: i64 = kitas.iter().map(|k| i64::from(k.places)).sum();
        for &year in years {
            let reference_date = NaiveDate::from_ymd_opt(year, 3, 1).context("date")?;
            let mut values = Vec::new();
            for k in &kitas {
                for (id, v) in ids.iter().zip(kita_values(&k.name, k.places, year)) {
                    values.push(NewIndicatorValue {
                        indicator_id: *id,
                        subject: Subject::Kita(k.id),
                        value: v.normalize().to_string(),
                        reference_date,
                        source: SOURCE.into(),
                    });
                }
            }
            let (children, sgb2) = key_counts(&district.ags, places, year);
            for (id, n) in [(children_id, children), (sgb2_id, sgb2)] {
                values.push(NewIndicatorValue {
                    indicator_id: id,
                    subject: Subject::District,
                    value: n.to_string(),
                    reference_date: NaiveDate::from_ymd_opt(year - 1, 12, 31).context("date")?,
                    source: "Synthetische Demodaten nach Art des Statistischen Landesamts".into(),
                });
            }
            report.values += values.len();
            storage
                .import_indicator_values(
                    None,
                    &IndicatorImport {
                        district_ags: district.ags.clone(),
                        year,
                        file_name: format!("demo-{}-{year}.csv", district.ags),
                        file_sha256: String::new(),
                        rows: kitas.len() as i64,
                        values,
                    },
                )
                .await?;
        }
        // Applications come from the Kitas with the highest first-year SGB-II share.
        let mut ranked: Vec<(Decimal, String)> = kitas
            .iter()
            .map(|k| (kita_values(&k.name, k.places, first)[0], k.id.to_string()))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let top: Vec<String> = ranked
            .into_iter()
            .take((kitas.len() / 4).max(2))
            .map(|(_, id)| id)
            .collect();
        todo.push((i, district.ags.clone(), top));
        report.districts += 1;
    }

    // Concepts and plans after all key data exist: the state key needs every district.
    for (i, ags, top) in todo {
        let (name, document) = concept_document(i, &top);
        let concept = storage
            .create_concept(
                None,
                &ConceptData {
                    district_ags: ags.clone(),
                    name: format!("{name} (Demo)"),
                    status: ConceptStatus::Decided,
                    decided_on: NaiveDate::from_ymd_opt(first - 1, 11, 15),
                    valid_from: Some(first),
                    valid_to: None,
                    derived_from_id: None,
                    document: serde_json::to_string(&document)?,
                    synthetic: true,
                },
            )
            .await?;
        for &year in years {
            let run = planning::run(storage, None, &concept, year)
                .await
                .map_err(|e| anyhow::anyhow!("demo plan of {ags} for {year}: {e}"))?;
            storage.set_official_plan(None, run.id).await?;
            report.runs += 1;
        }
    }
    Ok(report)
}
