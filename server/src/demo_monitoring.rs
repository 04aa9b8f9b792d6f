//! Synthetic monitoring data, labelled as such: for every district with official plans, the
//! positions its pillars fund in each year (vacancies that close over the years), spending
//! that stays well below the allocation in the first years and comes closer later, review
//! dates of the concepts (some overdue) and review meetings. Deterministic.

use anyhow::Result;
use chrono::{Datelike, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use srb_allocation::Decimal;
use srb_app::monitoring as mon;
use srb_storage::{
    EmployerKind, KitaShare, PositionData, PositionRole, PositionStatus, PositionWrite,
    ReviewMeetingData, SpendingData, Storage,
};

/// The years of the monitoring demo: since the budget began.
pub const YEARS: [i32; 5] = [2021, 2022, 2023, 2024, 2025];
/// Cents a full-time position costs in the demo (with employer costs).
const COST_PER_FTE: i64 = 7_200_000;

#[derive(Debug, Default)]
pub struct MonitoringReport {
    pub positions: usize,
    pub spending: usize,
}

fn role_of(pillar_id: &str, pillar_name: &str) -> PositionRole {
    let text = format!("{pillar_id} {pillar_name}").to_lowercase();
    if text.contains("sozialarbeit") || text.contains("kisa") {
        PositionRole::KitaSocialWork
    } else if text.contains("interkult") || text.contains("ikf") {
        PositionRole::Intercultural
    } else if text.contains("betriebserlaubnis") || text.contains("mehrpersonal") {
        PositionRole::LicenceStaff
    } else if text.contains("familienzentr") {
        PositionRole::FamilyCenter
    } else if text.contains("netzwerk") {
        PositionRole::Networker
    } else if text.contains("lotse") {
        PositionRole::KitaGuide
    } else {
        PositionRole::Other
    }
}

/// Seeds the monitoring demo of every district whose official plans exist and which has no
/// positions yet.
pub async fn seed(storage: &dyn Storage) -> Result<MonitoringReport> {
    let mut report = MonitoringReport::default();
    let districts = storage.districts().await?;
    for (i, d) in districts.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(0x5eed_0000 + i as u64);
        let kitas = srb_app::planning::district_kitas(storage, &d.ags)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if kitas.is_empty() {
            continue;
        }
        let mut seeded_any = false;
        for (y, &year) in YEARS.iter().enumerate() {
            if !storage.positions_of(&d.ags, year).await?.is_empty() {
                continue;
            }
            let Some(pillars) = mon::plan_pillars(storage, &d.ags, year)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            else {
                continue;
            };
            seeded_any = true;
            // Vacancies close over the years: about 45 % open in 2021, 10 % in 2025.
            let unfilled = 0.45 - 0.09 * y as f64;
            let mut writes = Vec::new();
            for p in &pillars {
                // Pillars paid in money still buy staff: at the demo's cost rate.
                let fte = if p.fte > Decimal::ZERO {
                    p.fte
                } else {
                    Decimal::from(p.allocated) / Decimal::from(COST_PER_FTE)
                };
                let mut remaining = (fte * Decimal::from(4)).round() / Decimal::from(4);
                let mut n = 0;
                while remaining > Decimal::ZERO && n < 40 {
                    let size = remaining.min(Decimal::ONE);
                    remaining -= size;
                    n += 1;
                    let served: Vec<&srb_storage::Kita> = (0..rng.gen_range(1..=3))
                        .map(|_| &kitas[rng.gen_range(0..kitas.len())])
                        .collect();
                    let mut ids: Vec<i64> = served.iter().map(|k| k.id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let share = (Decimal::ONE / Decimal::from(ids.len())).round_dp(4);
                    let mut shares: Vec<KitaShare> = ids
                        .iter()
                        .map(|id| KitaShare {
                            kita_id: *id,
                            share: share.normalize().to_string(),
                        })
                        .collect();
                    // The last share takes the rounding so the shares add up to 1.
                    let rest = Decimal::ONE - share * Decimal::from(ids.len() as i64 - 1);
                    if let Some(last) = shares.last_mut() {
                        last.share = rest.normalize().to_string();
                    }
                    let roll: f64 = rng.gen();
                    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
                    let (status, since) = if roll < unfilled * 0.6 {
                        let months = rng.gen_range(1..=14);
                        (
                            PositionStatus::Vacant,
                            NaiveDate::from_ymd_opt(year, 12, 1)
                                .and_then(|d| d.checked_sub_months(Months::new(months)))
                                .unwrap_or(start),
                        )
                    } else if roll < unfilled {
                        (PositionStatus::Planned, start)
                    } else {
                        (
                            PositionStatus::Filled,
                            NaiveDate::from_ymd_opt(
                                year.min(2021 + rng.gen_range(0..=y as i32)),
                                rng.gen_range(1..=12),
                                1,
                            )
                            .unwrap_or(start),
                        )
                    };
                    let employer = match (i + n) % 3 {
                        0 => (EmployerKind::YouthOffice, format!("Jugendamt {}", d.name)),
                        1 => (
                            EmployerKind::KitaProvider,
                            "Träger der Kita (Demo)".to_string(),
                        ),
                        _ => (
                            EmployerKind::IndependentProvider,
                            "Freier Träger der Jugendhilfe (Demo)".to_string(),
                        ),
                    };
                    let line = match employer.0 {
                        EmployerKind::YouthOffice => "Jugendamt".to_string(),
                        _ => employer.1.clone(),
                    };
                    writes.push(PositionWrite::Create(PositionData {
                        district_ags: d.ags.clone(),
                        year,
                        title: format!("{} {n} (Demo)", p.name),
                        role: role_of(&p.id, &p.name),
                        profile_id: None,
                        fte_e4: i64::try_from(size * Decimal::from(10_000)).unwrap_or(10_000),
                        pay_grade: Some(if n % 2 == 0 { "S 11b" } else { "S 12" }.into()),
                        employer_kind: employer.0,
                        employer_name: employer.1,
                        line_supervision: line,
                        professional_supervision: "Koordination Kita-Sozialarbeit im Jugendamt"
                            .into(),
                        pillar_id: p.id.clone(),
                        pillar_name: p.name.clone(),
                        kitas: shares,
                        status,
                        status_since: since,
                        synthetic: true,
                    }));
                }
            }
            report.positions += writes.len();
            storage.write_positions(None, &writes).await?;
            // Spending: well below the allocation in 2021/22, closer later; 2025 by quarter.
            let base = [0.68, 0.6, 0.78, 0.88, 0.93][y];
            let rate = base + rng.gen_range(-0.08..0.08);
            let mut entries = Vec::new();
            for p in &pillars {
                let spent = (p.allocated as f64 * rate).round() as i64;
                if year == 2025 {
                    let quarter = spent / 4;
                    for q in 1..=4 {
                        let amount = if q == 4 { spent - 3 * quarter } else { quarter };
                        entries.push(SpendingData {
                            pillar_id: p.id.clone(),
                            quarter: q,
                            amount,
                        });
                    }
                } else {
                    entries.push(SpendingData {
                        pillar_id: p.id.clone(),
                        quarter: 0,
                        amount: spent,
                    });
                }
            }
            report.spending += entries.len();
            storage
                .record_spending(None, &d.ags, year, &entries, true)
                .await?;
        }
        if !seeded_any {
            continue;
        }
        // Review dates: two years after the last review meeting; districts that hold none
        // were due four years after the decision, which has passed.
        let facts = storage
            .monitoring_facts(YEARS[4], Some(&d.ags), NaiveDate::default())
            .await?;
        if let Some(c) = facts.concepts.last() {
            if c.review_due.is_none() {
                let meets = i % 3 != 2;
                let mut last = None;
                for year in YEARS.iter().skip(1).filter(|_| meets) {
                    let held =
                        NaiveDate::from_ymd_opt(*year, 10, 1 + (i as u32 % 28)).unwrap_or_default();
                    last = Some(held);
                    storage
                        .create_review_meeting(
                            None,
                            &ReviewMeetingData {
                                district_ags: d.ags.clone(),
                                held_on: held,
                                participants: "Jugendamt, Kita-Träger, Fachkräfte der Kita-Sozialarbeit (Demo)".into(),
                                outcome: format!(
                                    "Sozialraumkonferenz {}: Bedarfe der Kitas besprochen, Verteilung beibehalten (synthetisch).",
                                    held.year()
                                ),
                                concept_id: None,
                                synthetic: true,
                            },
                        )
                        .await?;
                }
                let due = match (last, c.decided_on) {
                    (Some(held), _) => held.checked_add_months(Months::new(24)),
                    (None, Some(decided)) => decided.checked_add_months(Months::new(48)),
                    (None, None) => None,
                };
                storage
                    .set_concept_review_due(None, c.id, c.version, due)
                    .await?;
            }
        }
    }
    Ok(report)
}
