//! The allocation side's root query fields.

use std::sync::Arc;

use async_graphql::{Context, Json, Object, ID};
use rust_decimal::Decimal;
use srb_sheets::export::{self};

use crate::error::{bad_input, forbidden, internal, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::planning::{self, PlanError, StateParams};
use crate::{ctx_storage, ctx_viewer};

use super::*;
use crate::explain::*;

// ---------------------------------------------------------------------------------------------
// Root fields

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// Die Indikatoren eines Bezirks und die landesweiten.
    pub(crate) async fn indicator_definitions(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<Vec<IndicatorDefinition>> {
        let d = district_record(ctx, &district_ags).await?;
        Ok(ctx_storage(ctx)
            .indicator_definitions(&[d.ags])
            .await
            .gql()?
            .into_iter()
            .map(IndicatorDefinition)
            .collect())
    }

    /// Wie aktuell die Daten eines Bezirks sind: je Indikator das neueste Datenjahr und sein
    /// neuester Stichtag. Älter als zwei Jahre gilt als veraltet.
    pub(crate) async fn indicator_currency(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<Vec<IndicatorCurrency>> {
        let d = district_record(ctx, &district_ags).await?;
        let storage = ctx_storage(ctx);
        let defs = storage
            .indicator_definitions(std::slice::from_ref(&d.ags))
            .await
            .gql()?;
        let latest = storage.indicator_currency(&d.ags).await.gql()?;
        let today = chrono::Utc::now().date_naive();
        Ok(defs
            .into_iter()
            .map(|def| {
                let found = latest.iter().find(|c| c.indicator_id == def.id).cloned();
                IndicatorCurrency {
                    stale: found
                        .as_ref()
                        .is_none_or(|c| is_stale(c.reference_date, today)),
                    found,
                    indicator: IndicatorDefinition(def),
                }
            })
            .collect())
    }

    /// Kostensätze eines Jahres: landesweite Standardsätze und die eigenen des Bezirks.
    #[graphql(guard = "RoleGuard::private_readers()")]
    pub(crate) async fn cost_rates(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: i32,
    ) -> async_graphql::Result<Vec<CostRate>> {
        let d = district_record(ctx, &district_ags).await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        Ok(ctx_storage(ctx)
            .cost_rates(&d.ags, check_year("year", year)?)
            .await
            .gql()?
            .into_iter()
            .map(CostRate)
            .collect())
    }

    /// Landesmittel eines Jahres und ihre Aufteilung auf die 41 Bezirke nach dem Landesschlüssel.
    /// Mit `parameters` (Ministerium, Administration) für Vorschläge, ohne etwas zu speichern.
    pub(crate) async fn state_distribution(
        &self,
        ctx: &Context<'_>,
        year: i32,
        parameters: Option<StateParametersInput>,
    ) -> async_graphql::Result<StateDistribution> {
        let year = check_year("year", year)?;
        let mut params = StateParams::default();
        let proposed = parameters.is_some();
        if let Some(p) = parameters {
            let viewer = ctx_viewer(ctx);
            viewer.require_user()?;
            if !viewer.may_propose_state_parameters() {
                return Err(forbidden());
            }
            if let Some(v) = p.base_amount {
                params.budget.base_amount = v;
            }
            if let Some(v) = p.base_year {
                params.budget.base_year = check_year("parameters.baseYear", v)?;
            }
            if let Some(v) = p.growth {
                params.budget.growth = v;
            }
            if let Some(v) = p.override_amount {
                params.budget.overrides.insert(year, v);
            }
            if let Some(v) = p.weight_children {
                if v < Decimal::ZERO || v > Decimal::ONE {
                    return Err(bad_input(
                        "parameters.weightChildren",
                        "Das Gewicht liegt zwischen 0 und 1.",
                    ));
                }
                params.weight_children = v;
                params.weight_sgb2 = Decimal::ONE - v;
            }
            if let Some(v) = p.land_rate {
                params.co_financing.land_rate = v;
            }
            if let Some(v) = p.traeger_share {
                params.co_financing.traeger_share = v;
            }
        }
        let d = planning::state_distribution(ctx_storage(ctx).as_ref(), year, &params)
            .await
            .map_err(|e| match e {
                PlanError::Input { field, message } if field == "parameters" => {
                    bad_input("parameters", message)
                }
                other => plan_error(other),
            })?;
        Ok(StateDistribution {
            year,
            total: euros(d.total),
            proposed,
            districts: d.districts.into_iter().map(DistrictBudget).collect(),
        })
    }

    /// Die Konzeptionen eines Bezirks; Entwürfe nur für Berechtigte des Bezirks.
    pub(crate) async fn concepts(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<Vec<ConceptObject>> {
        let d = district_record(ctx, &district_ags).await?;
        let viewer = ctx_viewer(ctx);
        Ok(ctx_storage(ctx)
            .concepts_of(&[d.ags], false)
            .await
            .gql()?
            .into_iter()
            .filter(|c| can_see_concept(viewer, c))
            .map(ConceptObject)
            .collect())
    }

    pub(crate) async fn concept(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ConceptObject>> {
        let id = ids::expect(&id, NodeType::Concept, "id")?;
        visible_concept(ctx, id).await
    }

    /// Ein Lauf; ohne Berechtigung für den Bezirk nur offizielle Pläne.
    pub(crate) async fn allocation_run(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<AllocationRun>> {
        run_node(ctx, ids::expect(&id, NodeType::AllocationRun, "id")?).await
    }

    /// Die Läufe eines Bezirks, neueste zuerst (höchstens 100); ohne Berechtigung für den
    /// Bezirk nur offizielle Pläne.
    #[graphql(complexity = "5 + child_complexity * 20")]
    pub(crate) async fn allocation_runs(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: Option<i32>,
    ) -> async_graphql::Result<Vec<AllocationRun>> {
        let d = district_record(ctx, &district_ags).await?;
        let year = year.map(|y| check_year("year", y)).transpose()?;
        let storage = ctx_storage(ctx);
        let private = ctx_viewer(ctx).can_read_private(Some(&d.ags));
        let runs = storage.runs_of(&d.ags, year, MAX_RUNS).await.gql()?;
        if private {
            return Ok(runs.into_iter().map(AllocationRun::new).collect());
        }
        // The public sees official plans only: one lookup per year the runs cover, not per run.
        let mut years: Vec<i32> = runs.iter().map(|r| r.year).collect();
        years.sort_unstable();
        years.dedup();
        let mut official = std::collections::HashSet::new();
        for y in years {
            for plan in storage
                .official_plans(y, std::slice::from_ref(&d.ags))
                .await
                .gql()?
            {
                official.insert(plan.run_id);
            }
        }
        Ok(runs
            .into_iter()
            .filter(|r| official.contains(&r.id))
            .map(AllocationRun::new)
            .collect())
    }

    /// Die offiziellen Pläne aller Bezirke für ein Jahr.
    #[graphql(complexity = "5 + child_complexity * 41")]
    pub(crate) async fn official_plans(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> async_graphql::Result<Vec<AllocationRun>> {
        let storage = ctx_storage(ctx);
        let plans = storage
            .official_plans(check_year("year", year)?, &[])
            .await
            .gql()?;
        let ids: Vec<i64> = plans.iter().map(|p| p.run_id).collect();
        let runs = storage.runs_by_ids(&ids).await.gql()?;
        let mut runs: Vec<AllocationRun> = runs.into_iter().map(AllocationRun::new).collect();
        runs.sort_by(|a, b| a.run.district_ags.cmp(&b.run.district_ags));
        Ok(runs)
    }

    /// Der offizielle Plan eines Bezirks für ein Jahr, wenn es einen gibt.
    pub(crate) async fn official_plan(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: i32,
    ) -> async_graphql::Result<Option<AllocationRun>> {
        let d = district_record(ctx, &district_ags).await?;
        let storage = ctx_storage(ctx);
        let plans = storage
            .official_plans(check_year("year", year)?, std::slice::from_ref(&d.ags))
            .await
            .gql()?;
        let Some(plan) = plans.first() else {
            return Ok(None);
        };
        Ok(storage
            .runs_by_ids(&[plan.run_id])
            .await
            .gql()?
            .into_iter()
            .next()
            .map(AllocationRun::new))
    }

    /// Zwei Läufe desselben Bezirks nebeneinander (B − A).
    #[graphql(complexity = "10 + child_complexity")]
    pub(crate) async fn compare_allocation_runs(
        &self,
        ctx: &Context<'_>,
        a: ID,
        b: ID,
    ) -> async_graphql::Result<AllocationComparison> {
        comparison_of(ctx, &a, &b).await
    }

    /// Was wäre, wenn: rechnet ein Regelwerk mit den Daten eines Jahres, ohne etwas zu speichern.
    #[graphql(
        guard = "RoleGuard::private_readers()",
        complexity = "crate::shared::COST_COMPUTATION + child_complexity"
    )]
    pub(crate) async fn preview_allocation(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        data_year: i32,
        document: Json<serde_json::Value>,
    ) -> async_graphql::Result<AllocationPreview> {
        let d = district_record(ctx, &district_ags).await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        let year = check_year("dataYear", data_year)?;
        let doc = planning::parse_document(&document.0.to_string()).map_err(plan_error)?;
        let computed = planning::compute(ctx_storage(ctx).as_ref(), &d.ags, &doc, year)
            .await
            .map_err(plan_error)?;
        Ok(AllocationPreview {
            payload: Arc::new(computed.payload),
            district_ags: d.ags,
            year,
        })
    }

    /// Importvorlage (XLSX) eines Bezirks: seine Kitas und eine Spalte je Kita-Indikator.
    #[graphql(
        guard = "RoleGuard::private_readers()",
        complexity = "crate::shared::COST_FILE"
    )]
    pub(crate) async fn indicator_template(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<FileDownload> {
        let d = district_record(ctx, &district_ags).await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        let (kitas, columns, _) = planning::import_frame(
            ctx_storage(ctx).as_ref(),
            &d.ags,
            None,
            srb_sheets::SubjectKind::Kita,
        )
        .await
        .map_err(plan_error)?;
        let bytes = export::indicator_template(&kitas, &columns).map_err(internal)?;
        Ok(download(
            format!("Indikatoren-{}.xlsx", file_stub(&d.name)),
            XLSX,
            bytes,
        ))
    }

    /// Ein Lauf als Tabelle (XLSX oder CSV).
    #[graphql(complexity = "crate::shared::COST_FILE")]
    pub(crate) async fn export_allocation_run(
        &self,
        ctx: &Context<'_>,
        id: ID,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let run = visible_run(ctx, &id, "id").await?;
        let info = run_info(ctx, &run).await?;
        let stub = format!(
            "Verteilung-{}-{}-Lauf-{}",
            file_stub(&info.district),
            run.run.year,
            run.run.id
        );
        let explain = Explain::new(ctx, &run.run.district_ags).await?;
        let payload = run.payload()?;
        let dis = payload.disclosure(explain.private, &explain.definitions);
        let defs = &explain.definitions;
        let shown = export::Shown {
            disclosure: &dis,
            is_count: &|key| planning::is_count(defs, key),
        };
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                export::run_xlsx(&info, &payload.result, &shown).map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                export::run_csv(&payload.result, &shown),
            ),
        })
    }

    /// Die Kitas eines Bezirks als Tabelle (XLSX oder CSV), nach Namen.
    #[graphql(complexity = "crate::shared::COST_FILE + child_complexity")]
    pub(crate) async fn export_kitas(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        filter: Option<crate::records::KitaFilter>,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let d = district_record(ctx, &district_ags).await?;
        let mut filter = crate::records::storage_filter(ctx, filter.unwrap_or_default())?;
        filter.district_ags = Some(d.ags.clone());
        let storage = ctx_storage(ctx);
        let mut kitas = Vec::new();
        let mut after = None;
        loop {
            let page = storage
                .kitas(
                    &filter,
                    srb_storage::Page {
                        after,
                        before: None,
                        limit: 1000,
                        from_end: false,
                    },
                )
                .await
                .gql()?;
            after = page.rows.last().map(|k| k.id);
            kitas.extend(page.rows);
            if !page.has_more {
                break;
            }
        }
        kitas.sort_by_key(|k| k.name.to_lowercase());
        let ags = [d.ags.clone()];
        let spaces = storage.social_spaces_of(&ags, true).await.gql()?;
        let providers = storage.providers_of(&ags, true).await.gql()?;
        let name_of = |id: Option<i64>, list: &[(i64, String)]| {
            id.and_then(|id| list.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
                .unwrap_or_default()
        };
        let spaces: Vec<(i64, String)> = spaces.into_iter().map(|s| (s.id, s.name)).collect();
        let providers: Vec<(i64, String)> = providers.into_iter().map(|p| (p.id, p.name)).collect();
        use srb_sheets::download::{table_csv, table_xlsx, Cell};
        let headers = [
            "Kita",
            "Ort",
            "Plätze",
            "davon unter 3",
            "Träger",
            "Sozialraum",
            "Familienzentrum",
        ];
        let rows: Vec<Vec<Cell>> = kitas
            .iter()
            .map(|k| {
                vec![
                    Cell::Text(k.name.clone()),
                    Cell::Text(k.city.clone().unwrap_or_default()),
                    Cell::Int(k.places.into()),
                    Cell::Int(k.places_under3.into()),
                    Cell::Text(name_of(k.provider_id, &providers)),
                    Cell::Text(name_of(k.social_space_id, &spaces)),
                    Cell::Text(if k.family_center { "ja" } else { "nein" }.into()),
                ]
            })
            .collect();
        let stub = format!("Kitas-{}", file_stub(&d.name));
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                table_xlsx("Kitas", &format!("Kitas: {}", d.name), &headers, &rows)
                    .map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                table_csv(&headers, &rows),
            ),
        })
    }

    /// Die Landesmittel eines Jahres je Bezirk als Tabelle (XLSX oder CSV), mit den geltenden
    /// Parametern.
    #[graphql(complexity = "crate::shared::COST_FILE + child_complexity")]
    pub(crate) async fn export_state_distribution(
        &self,
        ctx: &Context<'_>,
        year: i32,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let year = check_year("year", year)?;
        let storage = ctx_storage(ctx);
        let d = planning::state_distribution(storage.as_ref(), year, &StateParams::default())
            .await
            .map_err(plan_error)?;
        let names: std::collections::HashMap<String, String> = storage
            .districts()
            .await
            .gql()?
            .into_iter()
            .map(|d| (d.ags, d.name))
            .collect();
        use srb_sheets::download::{table_csv, table_xlsx, Cell};
        let headers = [
            "AGS",
            "Bezirk",
            "Anteil",
            "Kinder unter 7",
            "davon in SGB-II-Bedarfsgemeinschaften",
            "Datenjahr",
            "Landesmittel (€)",
            "Personalbudget (€)",
            "Eigenanteil (€)",
        ];
        let cents = |c: i64| Cell::Euro(Decimal::new(c, 2));
        let rows: Vec<Vec<Cell>> = d
            .districts
            .iter()
            .map(|b| {
                vec![
                    Cell::Text(b.ags.clone()),
                    Cell::Text(names.get(&b.ags).cloned().unwrap_or_default()),
                    Cell::Share(b.share),
                    Cell::Int(b.children_under7),
                    Cell::Int(b.children_under7_sgb2),
                    Cell::Int(b.key_year.into()),
                    cents(b.financed.land),
                    cents(b.financed.total),
                    cents(b.financed.district),
                ]
            })
            .collect();
        let stub = format!("Landesmittel-{year}");
        let title = format!(
            "Landesmittel {year}: {} € auf 41 Bezirke (§ 25 Abs. 5 KiTaG)",
            Decimal::new(d.total, 2)
        );
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                table_xlsx("Landesmittel", &title, &headers, &rows).map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                table_csv(&headers, &rows),
            ),
        })
    }

    /// Ein Vergleich zweier Läufe als Tabelle (XLSX oder CSV).
    #[graphql(complexity = "crate::shared::COST_FILE")]
    pub(crate) async fn export_allocation_comparison(
        &self,
        ctx: &Context<'_>,
        a: ID,
        b: ID,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let c = comparison_of(ctx, &a, &b).await?;
        let (ia, ib) = (run_info(ctx, &c.a).await?, run_info(ctx, &c.b).await?);
        let stub = format!(
            "Vergleich-{}-Lauf-{}-mit-{}",
            file_stub(&ia.district),
            c.a.run.id,
            c.b.run.id
        );
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                export::comparison_xlsx(&ia, &ib, &c.comparison, &c.hidden).map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                export::comparison_csv(&c.comparison, &c.hidden),
            ),
        })
    }
}
