//! The allocation side's mutations.

use std::io::Read;

use async_graphql::{Context, Object, Upload, ID};
use chrono::Utc;
use rust_decimal::Decimal;
use srb_storage::{self as st, Role};

use crate::error::{bad_input, forbidden, internal, not_found, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::parse;
use crate::planning::{self, PlanError};
use crate::{ctx_storage, ctx_viewer};

use super::*;
use crate::explain::*;

pub(crate) fn report_of(file_name: String, result: planning::ImportResult) -> ImportReport {
    let outcome = result.outcome.unwrap_or_default();
    ImportReport {
        ok: result.problems.is_empty(),
        stored: outcome.import_id.is_some(),
        file_name,
        rows: result.rows as i32,
        values: result.values as i32,
        empty_cells: result.empty_cells as i32,
        inserted: outcome.inserted as i32,
        updated: outcome.updated as i32,
        unchanged: outcome.unchanged as i32,
        problems: result.problems.iter().map(Into::into).collect(),
        warnings: result.warnings.iter().map(Into::into).collect(),
    }
}

/// The scope of a record that is either a district's or the whole state's: a district its
/// writers may change, the state only admins.
pub(crate) async fn writable_scope(
    ctx: &Context<'_>,
    district_ags: Option<&str>,
) -> async_graphql::Result<Option<String>> {
    let viewer = ctx_viewer(ctx);
    match district_ags {
        Some(ags) => {
            let d = district_record(ctx, ags).await?;
            viewer.require_district_writer(&d.ags)?;
            Ok(Some(d.ags))
        }
        None if viewer.role() == Some(Role::Admin) => Ok(None),
        None => Err(forbidden()),
    }
}

/// An uploaded file's bytes, at most one byte beyond the import limit (so the reader can say
/// the file is too large).
pub(crate) fn upload_bytes(
    ctx: &Context<'_>,
    file: &Upload,
) -> async_graphql::Result<(String, Vec<u8>)> {
    let upload = file
        .value(ctx)
        .map_err(|_| bad_input("input.file", "Die Datei fehlt."))?;
    let name = upload.filename.clone();
    let mut bytes = Vec::new();
    upload
        .into_read()
        .take(srb_sheets::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(internal)?;
    Ok((name, bytes))
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Legt einen Indikator an (Koordination für den eigenen Bezirk; landesweit nur Administration).
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn create_indicator_definition(
        &self,
        ctx: &Context<'_>,
        input: CreateIndicatorDefinitionInput,
    ) -> async_graphql::Result<IndicatorDefinition> {
        let viewer = ctx_viewer(ctx);
        let district_ags = writable_scope(ctx, input.district_ags.as_deref()).await?;
        let data = st::IndicatorDefinitionData {
            district_ags,
            key: indicator_key(&input.key)?,
            label: parse::name("input.label", &input.label)?,
            unit: input.unit.into(),
            level: input.level.into(),
            direction: input.direction.into(),
            description: parse::text("input.description", input.description.as_deref())?,
        };
        let storage = ctx_storage(ctx);
        let existing = storage
            .indicator_definitions(&data.district_ags.iter().cloned().collect::<Vec<_>>())
            .await
            .gql()?;
        if existing.iter().any(|d| d.key == data.key) {
            return Err(bad_input(
                "input.key",
                format!("Den Indikator „{}“ gibt es hier bereits.", data.key),
            ));
        }
        if existing
            .iter()
            .any(|d| d.label.to_lowercase() == data.label.to_lowercase())
        {
            return Err(bad_input(
                "input.label",
                "Ein Indikator mit dieser Bezeichnung existiert bereits; Importspalten wären nicht eindeutig.",
            ));
        }
        let viewer_id = viewer.user_id();
        storage
            .create_indicator_definition(viewer_id, &data)
            .await
            .gql()
            .map(IndicatorDefinition)
    }

    /// Importiert Indikatorwerte eines Datenjahres aus CSV oder XLSX. Erst wird alles geprüft;
    /// dann wird entweder alles in einem Schritt gespeichert oder nichts.
    #[graphql(
        guard = "RoleGuard::writers()",
        complexity = "crate::shared::COST_FILE + child_complexity"
    )]
    pub(crate) async fn import_indicator_values(
        &self,
        ctx: &Context<'_>,
        input: ImportIndicatorValuesInput,
    ) -> async_graphql::Result<ImportReport> {
        let d = district_record(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        let year = check_year("input.year", input.year)?;
        let source = parse::name("input.source", &input.source)
            .map_err(|_| bad_input("input.source", "Bitte die Quelle der Werte angeben."))?;
        let (file_name, bytes) = upload_bytes(ctx, &input.file)?;
        let result = planning::import_indicators(
            ctx_storage(ctx).as_ref(),
            viewer.user_id(),
            planning::ImportRequest {
                district_ags: &d.ags,
                year,
                file_name: &file_name,
                bytes,
                reference_date: input.reference_date,
                source: &source,
                only: input.indicators.as_deref(),
                dry_run: input.dry_run,
                kind: match input.level {
                    IndicatorLevel::Kita => srb_sheets::SubjectKind::Kita,
                    IndicatorLevel::SocialSpace => srb_sheets::SubjectKind::SocialSpace,
                    IndicatorLevel::District => return Err(bad_input(
                        "input.level",
                        "Werte auf Bezirksebene (Landesschlüssel) werden hier nicht importiert.",
                    )),
                },
            },
        )
        .await
        .map_err(plan_error)?;
        Ok(report_of(file_name, result))
    }

    /// Importiert die Kinderzahlen des Landesschlüssels für alle Bezirke eines Datenjahres
    /// (Ministerium, Administration): alles in einem Schritt oder nichts.
    #[graphql(
        guard = "RoleGuard::state()",
        complexity = "crate::shared::COST_FILE + child_complexity"
    )]
    pub(crate) async fn import_state_key_values(
        &self,
        ctx: &Context<'_>,
        input: ImportStateKeyInput,
    ) -> async_graphql::Result<ImportReport> {
        let year = check_year("input.year", input.year)?;
        let source = parse::name("input.source", &input.source)
            .map_err(|_| bad_input("input.source", "Bitte die Quelle der Werte angeben."))?;
        let (file_name, bytes) = upload_bytes(ctx, &input.file)?;
        let result = planning::import_indicators(
            ctx_storage(ctx).as_ref(),
            ctx_viewer(ctx).user_id(),
            planning::ImportRequest {
                district_ags: "",
                year,
                file_name: &file_name,
                bytes,
                reference_date: input.reference_date,
                source: &source,
                only: None,
                dry_run: input.dry_run,
                kind: srb_sheets::SubjectKind::District,
            },
        )
        .await
        .map_err(plan_error)?;
        Ok(report_of(file_name, result))
    }

    /// Legt Kitas aus CSV oder XLSX an oder aktualisiert sie (Abgleich über den Namen). Erst wird
    /// alles geprüft; dann wird entweder alles in einem Schritt gespeichert oder nichts.
    #[graphql(
        guard = "RoleGuard::writers()",
        complexity = "crate::shared::COST_FILE + child_complexity"
    )]
    pub(crate) async fn import_kitas(
        &self,
        ctx: &Context<'_>,
        input: ImportKitasInput,
    ) -> async_graphql::Result<KitaImportReport> {
        let d = district_record(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        let (_, bytes) = upload_bytes(ctx, &input.file)?;
        let r = planning::import_kitas(
            ctx_storage(ctx).as_ref(),
            viewer.user_id(),
            &d.ags,
            bytes,
            input.dry_run,
        )
        .await
        .map_err(plan_error)?;
        Ok(KitaImportReport {
            ok: r.problems.is_empty(),
            stored: r.stored,
            rows: r.rows as i32,
            created: r.created as i32,
            updated: r.updated as i32,
            unchanged: r.unchanged as i32,
            problems: r.problems.iter().map(Into::into).collect(),
        })
    }

    /// Setzt den Kostensatz einer Rolle und eines Jahres (landesweit nur Administration).
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn set_cost_rate(
        &self,
        ctx: &Context<'_>,
        input: SetCostRateInput,
    ) -> async_graphql::Result<CostRate> {
        let viewer = ctx_viewer(ctx);
        let district_ags = writable_scope(ctx, input.district_ags.as_deref()).await?;
        // checked: a client may send the largest decimal there is.
        let cents = input.cost_per_fte.checked_mul(Decimal::ONE_HUNDRED);
        let Some(cents) = cents.filter(|c| {
            c.fract().is_zero() && *c > Decimal::ZERO && *c <= Decimal::from(100_000_000i64)
        }) else {
            return Err(bad_input(
                "input.costPerFte",
                "Der Kostensatz ist ein positiver Betrag in Euro mit höchstens zwei Nachkommastellen (bis 1 Mio. €).",
            ));
        };
        let data = st::CostRateData {
            district_ags,
            role: indicator_key(&input.role).map_err(|_| {
                bad_input(
                    "input.role",
                    "Die Rolle wird als Kurzname angegeben (z. B. kita_sozialarbeit).",
                )
            })?,
            year: check_year("input.year", input.year)?,
            cost_per_fte: i64::try_from(
                cents.trunc().mantissa() / 10i128.pow(cents.trunc().scale()),
            )
            .unwrap_or(0),
            source: parse::name("input.source", &input.source)?,
        };
        ctx_storage(ctx)
            .set_cost_rate(viewer.user_id(), &data)
            .await
            .gql()
            .map(CostRate)
    }

    /// Legt eine Konzeption als Entwurf an.
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn create_concept(
        &self,
        ctx: &Context<'_>,
        input: CreateConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let d = district_record(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        period(input.valid_from, input.valid_to)?;
        let data = st::ConceptData {
            district_ags: d.ags,
            name: parse::name("input.name", &input.name)?,
            status: st::ConceptStatus::Draft,
            decided_on: None,
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            derived_from_id: None,
            document: document_text(&input.document.0)?,
            synthetic: false,
        };
        ctx_storage(ctx)
            .create_concept(viewer.user_id(), &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Ändert einen Entwurf; beschlossene Konzeptionen sind unveränderlich.
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn update_concept(
        &self,
        ctx: &Context<'_>,
        input: UpdateConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        require_draft(&current)?;
        let mut data = data_of(&current);
        if let Some(name) = &input.name {
            data.name = parse::name("input.name", name)?;
        }
        if let Some(doc) = &input.document {
            data.document = document_text(&doc.0)?;
        }
        if input.valid_from.is_some() {
            data.valid_from = input.valid_from;
        }
        if input.valid_to.is_some() {
            data.valid_to = input.valid_to;
        }
        period(data.valid_from, data.valid_to)?;
        ctx_storage(ctx)
            .update_concept(ctx_viewer(ctx).user_id(), current.id, input.version, &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Markiert einen Entwurf als vom Jugendhilfeausschuss beschlossen; danach ist er unveränderlich.
    /// Vorher wird er mit den neuesten Daten des Bezirks gerechnet: was nicht rechnet, wird nicht
    /// beschlossen.
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn decide_concept(
        &self,
        ctx: &Context<'_>,
        input: DecideConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        require_draft(&current)?;
        // What the committee decides must compute: checked on the district's newest data, so
        // an error shows now, with its path in the document, and not at the first run.
        let storage = ctx_storage(ctx);
        let years = storage.indicator_years(&current.district_ags).await.gql()?;
        if let Some((year, _)) = years.first() {
            let doc = planning::parse_document(&current.document).map_err(plan_error)?;
            planning::compute(storage.as_ref(), &current.district_ags, &doc, *year)
                .await
                .map_err(|e| match e {
                    PlanError::Input { field, message } if field.starts_with("document") => {
                        bad_input(
                            &field,
                            format!(
                                "{message} (geprüft mit den Daten von {year}; nicht beschlossen)"
                            ),
                        )
                    }
                    other => plan_error(other),
                })?;
        }
        let mut data = data_of(&current);
        data.status = st::ConceptStatus::Decided;
        data.decided_on = Some(input.decided_on);
        ctx_storage(ctx)
            .update_concept(ctx_viewer(ctx).user_id(), current.id, input.version, &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Archiviert eine beschlossene Konzeption (oder einen Entwurf, der nicht weiterverfolgt wird).
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn archive_concept(
        &self,
        ctx: &Context<'_>,
        input: ArchiveConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        if current.status == st::ConceptStatus::Archived {
            return Err(bad_input(
                "input.id",
                "Die Konzeption ist bereits archiviert.",
            ));
        }
        let mut data = data_of(&current);
        data.status = st::ConceptStatus::Archived;
        // The CHECK wants a date on everything that is not a draft: an archived draft keeps today.
        data.decided_on = data.decided_on.or_else(|| Some(Utc::now().date_naive()));
        ctx_storage(ctx)
            .update_concept(ctx_viewer(ctx).user_id(), current.id, input.version, &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Kopiert eine Konzeption in einen neuen Entwurf, der sich seine Herkunft merkt.
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn copy_concept(
        &self,
        ctx: &Context<'_>,
        input: CopyConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        let mut data = data_of(&current);
        data.name = parse::name("input.name", &input.name)?;
        data.status = st::ConceptStatus::Draft;
        data.decided_on = None;
        data.derived_from_id = Some(current.id);
        data.synthetic = false;
        ctx_storage(ctx)
            .create_concept(ctx_viewer(ctx).user_id(), &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Rechnet eine Konzeption mit den Daten eines Jahres und speichert den Lauf unveränderlich.
    #[graphql(
        guard = "RoleGuard::writers()",
        complexity = "crate::shared::COST_COMPUTATION + child_complexity"
    )]
    pub(crate) async fn run_allocation(
        &self,
        ctx: &Context<'_>,
        concept_id: ID,
        data_year: i32,
    ) -> async_graphql::Result<AllocationRun> {
        let id = ids::expect(&concept_id, NodeType::Concept, "conceptId")?;
        let storage = ctx_storage(ctx);
        let concept = storage
            .concepts_by_ids(&[id])
            .await
            .gql()?
            .into_iter()
            .find(|c| c.deleted_at.is_none())
            .ok_or_else(|| not_found("Die Konzeption"))?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&concept.district_ags)?;
        let year = check_year("dataYear", data_year)?;
        let (run, payload) =
            planning::run_with_payload(storage.as_ref(), viewer.user_id(), &concept, year)
                .await
                .map_err(plan_error)?;
        Ok(AllocationRun::computed(run, payload))
    }

    /// Erklärt einen Lauf zum offiziellen Plan des Bezirks für sein Jahr (nur Läufe beschlossener
    /// Konzeptionen).
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn set_official_plan(
        &self,
        ctx: &Context<'_>,
        run_id: ID,
    ) -> async_graphql::Result<AllocationRun> {
        let id = ids::expect(&run_id, NodeType::AllocationRun, "runId")?;
        let storage = ctx_storage(ctx);
        let run = storage
            .runs_by_ids(&[id])
            .await
            .gql()?
            .into_iter()
            .next()
            .ok_or_else(|| not_found("Der Lauf"))?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&run.district_ags)?;
        let concept = storage.concepts_by_ids(&[run.concept_id]).await.gql()?;
        let decided = concept.first().is_some_and(|c| {
            c.status == st::ConceptStatus::Decided && c.version == run.concept_version
        });
        if !decided {
            return Err(bad_input(
                "runId",
                "Offizieller Plan kann nur ein Lauf einer beschlossenen Konzeption sein (gerechnet nach dem Beschluss).",
            ));
        }
        storage
            .set_official_plan(viewer.user_id(), run.id)
            .await
            .gql()?;
        Ok(AllocationRun::new(run))
    }
}
