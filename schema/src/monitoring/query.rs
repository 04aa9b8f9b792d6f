//! Monitoring reads: the state overview for everybody (position figures under the small-count
//! rule), a district's own monitoring for those who may read its non-public data, exports.

use async_graphql::{Context, Object};
use chrono::Utc;
use srb_app::monitoring as mon;
use srb_sheets::download::{table_csv, table_xlsx, Cell};
use srb_storage as st;

use super::*;
use crate::error::{internal, OrGqlError};
use crate::plan::{download, file_stub, plan_error, ExportFormat, FileDownload, XLSX};
use crate::shared::{check_year, district_at};
use crate::{ctx_storage, ctx_viewer};

pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub(crate) async fn state(
    ctx: &Context<'_>,
    year: i32,
) -> async_graphql::Result<mon::StateMonitoring> {
    let year = check_year("year", year)?;
    mon::state_monitoring(
        ctx_storage(ctx).as_ref(),
        &ctx_viewer(ctx).reader(),
        year,
        today(),
    )
    .await
    .map_err(plan_error)
}

pub(crate) async fn position_history(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Vec<PositionVersion>> {
    let entries = ctx_storage(ctx)
        .audit_entries(
            &st::AuditFilter {
                district_ags: None,
                entity_type: Some("Position".into()),
                entity_id: Some(id.to_string()),
            },
            st::Page {
                after: None,
                before: None,
                limit: 200,
                from_end: true,
            },
        )
        .await
        .gql()?;
    let mut out: Vec<PositionVersion> = entries
        .rows
        .into_iter()
        .filter_map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).ok()?;
            let new = &details["new"];
            Some(PositionVersion {
                version: e.new_version?,
                changed_at: e.at,
                status: new["status"]
                    .as_str()
                    .and_then(|s| s.parse::<st::PositionStatus>().ok())
                    .map(Into::into),
                status_since: new["status_since"].as_str().and_then(|s| s.parse().ok()),
                fte: new["fte_e4"].as_i64().map(fte),
                title: new["title"].as_str().map(str::to_owned),
            })
        })
        .collect();
    out.sort_by_key(|v| std::cmp::Reverse(v.version));
    Ok(out)
}

fn de_percent(p: Option<Decimal>) -> Cell {
    p.map_or(Cell::Empty, |p| Cell::Share(p / Decimal::ONE_HUNDRED))
}

#[derive(Default)]
pub struct MonitoringQuery;

#[Object]
impl MonitoringQuery {
    /// Monitoring eines Jahres für alle 41 Bezirke: zugewiesen und abgerufen, Stellen geplant,
    /// besetzt und unbesetzt, Konzeptionen und ihre Überprüfung, Aktualität der Daten, eine
    /// Zeitreihe seit 2021 und VZÄ nach Rolle und Säule. Öffentlich lesbar; Zahlen über weniger
    /// als fünf Stellen sieht nur, wer die Daten des Bezirks lesen darf.
    #[graphql(complexity = "crate::shared::COST_SEARCH + child_complexity")]
    async fn state_monitoring(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> async_graphql::Result<StateMonitoring> {
        Ok(StateMonitoring(state(ctx, year).await?))
    }

    /// Das Monitoring eines Bezirks mit Stellen, Mittelabrufen je Säule und Überprüfungen
    /// (Koordination des Bezirks, Ministerium, Administration).
    #[graphql(complexity = "20 + child_complexity")]
    async fn district_monitoring(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: i32,
    ) -> async_graphql::Result<DistrictMonitoring> {
        let d = district_at(ctx, &district_ags, "districtAgs").await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        let year = check_year("year", year)?;
        let today = today();
        let m = mon::district_monitoring(
            ctx_storage(ctx).as_ref(),
            &ctx_viewer(ctx).reader(),
            &d,
            year,
            today,
        )
        .await
        .map_err(plan_error)?;
        Ok(DistrictMonitoring(m, today))
    }

    /// Die Landesübersicht des Monitorings als Tabelle (XLSX oder CSV), wie sie der Leser sieht.
    #[graphql(complexity = "crate::shared::COST_FILE")]
    async fn export_state_monitoring(
        &self,
        ctx: &Context<'_>,
        year: i32,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let m = state(ctx, year).await?;
        let headers = [
            "AGS",
            "Bezirk",
            "Zugewiesen (€)",
            "Abgerufen (€)",
            "Abgerufen (%)",
            "Stellen",
            "VZÄ geplant",
            "VZÄ besetzt",
            "VZÄ unbesetzt",
            "Längste Vakanz (Monate)",
            "Konzeption beschlossen",
            "Überprüfung fällig",
            "Ältester Stichtag",
            "Auffälligkeiten",
        ];
        let withheld = || Cell::Text(srb_domain::WITHHELD.into());
        let date = |d: Option<NaiveDate>| {
            d.map_or(Cell::Empty, |d| {
                Cell::Text(d.format("%d.%m.%Y").to_string())
            })
        };
        let rows: Vec<Vec<Cell>> = m
            .districts
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::Text(r.ags.clone()),
                    Cell::Text(r.name.clone()),
                    r.plan
                        .as_ref()
                        .map_or(Cell::Empty, |p| Cell::Euro(euros(p.allocated))),
                    Cell::Euro(euros(r.spent)),
                    de_percent(r.spent_percent),
                ];
                match &r.positions {
                    Some(f) => row.extend([
                        Cell::Int(f.positions),
                        Cell::Number(fte(f.planned_fte_e4)),
                        Cell::Number(fte(f.filled_fte_e4)),
                        Cell::Number(fte(f.vacant_fte_e4)),
                        f.longest_vacancy_months
                            .map_or(Cell::Empty, |m| Cell::Int(m.into())),
                    ]),
                    None => row.extend((0..5).map(|_| withheld())),
                }
                row.extend([
                    date(r.concept.as_ref().and_then(|c| c.decided_on)),
                    date(r.concept.as_ref().and_then(|c| c.review_due)),
                    date(r.oldest_reference_date),
                    Cell::Text(
                        r.flags
                            .iter()
                            .map(|f| flag_label(*f))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]);
                row
            })
            .collect();
        let stub = format!("Monitoring-{}", m.year);
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                table_xlsx(
                    "Monitoring",
                    &format!(
                        "Monitoring Sozialraumbudget {} – Stand {}",
                        m.year,
                        m.as_of.format("%d.%m.%Y")
                    ),
                    &headers,
                    &rows,
                )
                .map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                table_csv(&headers, &rows),
            ),
        })
    }

    /// Das Stellenregister eines Bezirks und Förderjahres als Tabelle (XLSX oder CSV).
    #[graphql(complexity = "crate::shared::COST_FILE")]
    async fn export_positions(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: i32,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let d = district_at(ctx, &district_ags, "districtAgs").await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        let year = check_year("year", year)?;
        let storage = ctx_storage(ctx);
        let positions = storage.positions_of(&d.ags, year).await.gql()?;
        let mut ids: Vec<i64> = positions
            .iter()
            .flat_map(|p| p.kita_shares().into_iter().map(|k| k.kita_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let kitas: std::collections::HashMap<i64, String> = storage
            .kitas_by_ids(&ids)
            .await
            .gql()?
            .into_iter()
            .map(|k| (k.id, k.name))
            .collect();
        let headers = srb_sheets::positions::HEADERS;
        let rows: Vec<Vec<Cell>> = positions
            .iter()
            .map(|p| {
                let served = p
                    .kita_shares()
                    .iter()
                    .map(|k| {
                        format!(
                            "{} ({})",
                            kitas.get(&k.kita_id).map_or("?", String::as_str),
                            k.share.replace('.', ",")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                vec![
                    Cell::Int(p.id),
                    Cell::Int(p.version.into()),
                    Cell::Text(p.title.clone()),
                    Cell::Text(p.role.german().into()),
                    Cell::Text(p.pillar_name.clone()),
                    Cell::Number(fte(p.fte_e4)),
                    p.pay_grade.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(p.employer_name.clone()),
                    Cell::Text(p.employer_kind.german().into()),
                    Cell::Text(p.line_supervision.clone()),
                    Cell::Text(p.professional_supervision.clone()),
                    Cell::Text(served),
                    Cell::Text(p.status.german().into()),
                    Cell::Text(p.status_since.format("%d.%m.%Y").to_string()),
                ]
            })
            .collect();
        let stub = format!("Stellen-{}-{year}", file_stub(&d.name));
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                table_xlsx(
                    "Stellen",
                    &format!("Stellenregister {} – Förderjahr {year}", d.name),
                    &headers,
                    &rows,
                )
                .map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                table_csv(&headers, &rows),
            ),
        })
    }
}

/// A flag in German, for exports and pages.
pub fn flag_label(f: Flag) -> &'static str {
    match f {
        Flag::NoPlan => "kein offizieller Plan",
        Flag::LowSpending => "geringer Mittelabruf",
        Flag::Overspent => "mehr abgerufen als zugewiesen",
        Flag::LongVacancy => "lange Vakanz",
        Flag::ReviewOverdue => "Überprüfung überfällig",
        Flag::StaleData => "veraltete Daten",
    }
}
