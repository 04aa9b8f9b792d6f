//! Monitoring writes: positions, spending (entered or imported), review meetings and a
//! concept's review date. District writers only (the district's coordinators, admins); the
//! ministry reads.

use async_graphql::{Context, InputObject, Object, SimpleObject, Upload};
use srb_app::monitoring as mon;
use srb_storage as st;

use super::*;
use crate::error::{bad_input, OrGqlError};
use crate::guard::RoleGuard;
use crate::plan::{plan_error, upload_bytes, ConceptObject, ImportProblem};
use crate::shared::{check_year, district_at};
use crate::{ctx_storage, ctx_viewer};

/// Eine Kita, für die die Stelle arbeitet, und ihr Anteil (alle Anteile zusammen 1).
#[derive(InputObject)]
pub struct PositionKitaInput {
    pub kita_id: ID,
    pub share: Decimal,
}

/// Die Angaben einer Stelle.
#[derive(InputObject)]
pub struct PositionFields {
    /// Das Förderjahr.
    pub year: i32,
    pub title: String,
    pub role: PositionRole,
    /// Ein Aufgabenprofil der Wissenssammlung.
    pub profile_id: Option<ID>,
    /// Stellenumfang, über 0 bis 1 VZÄ.
    pub fte: Decimal,
    pub pay_grade: Option<String>,
    pub employer_kind: EmployerKind,
    pub employer_name: String,
    pub line_supervision: String,
    pub professional_supervision: String,
    /// Die finanzierende Säule (Kennung oder Name).
    pub pillar: String,
    pub kitas: Vec<PositionKitaInput>,
    pub status: PositionStatus,
    pub status_since: NaiveDate,
}

#[derive(InputObject)]
pub struct CreatePositionInput {
    pub district_ags: String,
    pub position: PositionFields,
}

#[derive(InputObject)]
pub struct UpdatePositionInput {
    pub id: ID,
    /// Die gelesene Version.
    pub version: i32,
    pub position: PositionFields,
}

/// Ein Mittelabruf: Säule, Quartal (leer: ganzes Jahr) und Betrag in Euro.
#[derive(InputObject)]
pub struct SpendingEntryInput {
    pub pillar: String,
    pub quarter: Option<i32>,
    pub amount: Decimal,
}

#[derive(InputObject)]
pub struct RecordSpendingInput {
    pub district_ags: String,
    pub year: i32,
    pub entries: Vec<SpendingEntryInput>,
}

#[derive(InputObject)]
pub struct ImportSpendingInput {
    pub district_ags: String,
    pub year: i32,
    /// XLSX oder CSV mit den Spalten „Säule“, „Quartal“ (wahlweise) und „Betrag“.
    pub file: Upload,
}

#[derive(InputObject)]
pub struct ImportPositionsInput {
    pub district_ags: String,
    /// Das Förderjahr.
    pub year: i32,
    /// XLSX oder CSV mit den Spalten des heruntergeladenen Stellenregisters.
    pub file: Upload,
}

/// Ergebnis eines Imports des Stellenregisters.
#[derive(SimpleObject)]
pub struct PositionImportReport {
    pub ok: bool,
    pub stored: bool,
    pub rows: i32,
    pub created: i32,
    pub updated: i32,
    /// Alle Fehler mit Zeile und Spalte; ist die Liste nicht leer, wurde nichts gespeichert.
    pub problems: Vec<ImportProblem>,
}

#[derive(InputObject)]
pub struct RecordReviewMeetingInput {
    pub district_ags: String,
    pub held_on: NaiveDate,
    pub participants: String,
    pub outcome: String,
    /// Die Konzeption, die die Konferenz geändert hat.
    pub concept_id: Option<ID>,
}

#[derive(InputObject)]
pub struct SetConceptReviewDueInput {
    pub concept_id: ID,
    pub version: i32,
    /// Leer: kein Termin.
    pub review_due: Option<NaiveDate>,
}

/// Was ein Mittelabruf gespeichert hat.
#[derive(SimpleObject)]
pub struct SpendingReport {
    pub inserted: i64,
    /// Korrigierte Beträge; der alte steht im Änderungsprotokoll.
    pub corrected: i64,
    pub unchanged: i64,
}

/// Ergebnis eines Imports von Mittelabrufen.
#[derive(SimpleObject)]
pub struct SpendingImportReport {
    pub ok: bool,
    pub stored: bool,
    pub rows: i32,
    pub inserted: i64,
    pub corrected: i64,
    pub unchanged: i64,
    /// Alle Fehler mit Zeile und Spalte; ist die Liste nicht leer, wurde nichts gespeichert.
    pub problems: Vec<ImportProblem>,
}

/// Euros with at most two decimal places, as cents.
fn cents(field: &str, amount: Decimal) -> async_graphql::Result<i64> {
    let c = amount
        .checked_mul(Decimal::ONE_HUNDRED)
        .filter(|c| c.fract().is_zero())
        .ok_or_else(|| {
            bad_input(
                field,
                "Ein Betrag hat höchstens zwei Nachkommastellen (Cent).",
            )
        })?;
    if c < Decimal::ZERO {
        return Err(bad_input(field, "Ein Mittelabruf ist nicht negativ."));
    }
    i64::try_from(c).map_err(|_| bad_input(field, "Der Betrag ist zu groß."))
}

fn position_input(field: &str, f: PositionFields) -> async_graphql::Result<mon::PositionInput> {
    let mut kitas = Vec::with_capacity(f.kitas.len());
    for (i, k) in f.kitas.into_iter().enumerate() {
        let id = ids::expect(
            &k.kita_id,
            NodeType::Kita,
            &format!("{field}.kitas[{i}].kitaId"),
        )?;
        kitas.push((id, k.share));
    }
    let profile_id = f
        .profile_id
        .map(|id| ids::expect(&id, NodeType::RoleProfile, &format!("{field}.profileId")))
        .transpose()?;
    Ok(mon::PositionInput {
        year: check_year(&format!("{field}.year"), f.year)?,
        title: f.title,
        role: f.role.into(),
        profile_id,
        fte: f.fte,
        pay_grade: f.pay_grade,
        employer_kind: f.employer_kind.into(),
        employer_name: f.employer_name,
        line_supervision: f.line_supervision,
        professional_supervision: f.professional_supervision,
        pillar: f.pillar,
        kitas,
        status: f.status.into(),
        status_since: f.status_since,
    })
}

async fn saved(
    ctx: &Context<'_>,
    district_ags: &str,
    update: Option<(i64, i32)>,
    input: mon::PositionInput,
) -> async_graphql::Result<Position> {
    let viewer = ctx_viewer(ctx);
    let mut saved = mon::save_positions(
        ctx_storage(ctx).as_ref(),
        viewer.user_id(),
        district_ags,
        vec![("input.position".into(), update, input)],
        false,
    )
    .await
    .map_err(plan_error)?;
    Ok(Position {
        p: saved.remove(0),
        today: query::today(),
    })
}

#[derive(Default)]
pub struct MonitoringMutation;

#[Object]
impl MonitoringMutation {
    /// Legt eine Stelle im Stellenregister des Bezirks an.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_position(
        &self,
        ctx: &Context<'_>,
        input: CreatePositionInput,
    ) -> async_graphql::Result<Position> {
        let d = district_at(ctx, &input.district_ags, "input.districtAgs").await?;
        ctx_viewer(ctx).require_district_writer(&d.ags)?;
        let p = position_input("input.position", input.position)?;
        saved(ctx, &d.ags, None, p).await
    }

    /// Ändert eine Stelle (z. B. besetzt seit, unbesetzt seit), mit der gelesenen Version; der
    /// alte Stand bleibt im Verlauf.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn update_position(
        &self,
        ctx: &Context<'_>,
        input: UpdatePositionInput,
    ) -> async_graphql::Result<Position> {
        let id = ids::expect(&input.id, NodeType::Position, "input.id")?;
        let current = ctx_storage(ctx)
            .positions_by_ids(&[id])
            .await
            .gql()?
            .into_iter()
            .find(|p| p.deleted_at.is_none())
            .ok_or_else(|| crate::error::not_found("Die Stelle"))?;
        ctx_viewer(ctx).require_district_writer(&current.district_ags)?;
        let p = position_input("input.position", input.position)?;
        saved(ctx, &current.district_ags, Some((id, input.version)), p).await
    }

    /// Erfasst Mittelabrufe eines Jahres gegen den offiziellen Plan, je Säule für das ganze
    /// Jahr oder je Quartal; ein geänderter Betrag wird korrigiert, der alte bleibt im
    /// Änderungsprotokoll. Mehr als zugewiesen wird angenommen und in der Übersicht markiert.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn record_spending(
        &self,
        ctx: &Context<'_>,
        input: RecordSpendingInput,
    ) -> async_graphql::Result<SpendingReport> {
        let d = district_at(ctx, &input.district_ags, "input.districtAgs").await?;
        ctx_viewer(ctx).require_district_writer(&d.ags)?;
        let year = check_year("input.year", input.year)?;
        let mut entries = Vec::with_capacity(input.entries.len());
        for (i, e) in input.entries.into_iter().enumerate() {
            let field = format!("input.entries[{i}]");
            let quarter = rules::parse_quarter(&format!("{field}.quarter"), e.quarter)
                .map_err(crate::error::input_error)?;
            let amount = cents(&format!("{field}.amount"), e.amount)?;
            entries.push((
                field,
                st::SpendingData {
                    pillar_id: e.pillar,
                    quarter,
                    amount,
                },
            ));
        }
        let outcome = mon::record_spending(
            ctx_storage(ctx).as_ref(),
            ctx_viewer(ctx).user_id(),
            &d.ags,
            year,
            entries,
            false,
        )
        .await
        .map_err(plan_error)?;
        Ok(SpendingReport {
            inserted: outcome.inserted,
            corrected: outcome.corrected,
            unchanged: outcome.unchanged,
        })
    }

    /// Importiert Mittelabrufe eines Jahres aus XLSX oder CSV: erst alles geprüft, dann alles
    /// gespeichert oder nichts.
    #[graphql(
        guard = "RoleGuard::writers()",
        complexity = "crate::shared::COST_FILE + child_complexity"
    )]
    async fn import_spending(
        &self,
        ctx: &Context<'_>,
        input: ImportSpendingInput,
    ) -> async_graphql::Result<SpendingImportReport> {
        let d = district_at(ctx, &input.district_ags, "input.districtAgs").await?;
        ctx_viewer(ctx).require_district_writer(&d.ags)?;
        let year = check_year("input.year", input.year)?;
        let (_, bytes) = upload_bytes(ctx, &input.file)?;
        let result = mon::import_spending(
            ctx_storage(ctx).as_ref(),
            ctx_viewer(ctx).user_id(),
            &d.ags,
            year,
            &bytes,
        )
        .await
        .map_err(plan_error)?;
        let outcome = result.outcome.unwrap_or_default();
        Ok(SpendingImportReport {
            ok: result.problems.is_empty(),
            stored: result.outcome.is_some(),
            rows: result.rows as i32,
            inserted: outcome.inserted,
            corrected: outcome.corrected,
            unchanged: outcome.unchanged,
            problems: result.problems.iter().map(Into::into).collect(),
        })
    }

    /// Importiert das Stellenregister eines Förderjahres aus XLSX oder CSV (die Spalten der
    /// Ausgabe von `exportPositions`): Zeilen mit Nr. ändern diese Stelle in der genannten
    /// Version, Zeilen ohne legen Stellen an; alles oder nichts.
    #[graphql(
        guard = "RoleGuard::writers()",
        complexity = "crate::shared::COST_FILE + child_complexity"
    )]
    async fn import_positions(
        &self,
        ctx: &Context<'_>,
        input: ImportPositionsInput,
    ) -> async_graphql::Result<PositionImportReport> {
        let d = district_at(ctx, &input.district_ags, "input.districtAgs").await?;
        ctx_viewer(ctx).require_district_writer(&d.ags)?;
        let year = check_year("input.year", input.year)?;
        let (_, bytes) = upload_bytes(ctx, &input.file)?;
        let r = mon::import_positions(
            ctx_storage(ctx).as_ref(),
            ctx_viewer(ctx).user_id(),
            &d.ags,
            year,
            &bytes,
        )
        .await
        .map_err(plan_error)?;
        Ok(PositionImportReport {
            ok: r.problems.is_empty(),
            stored: r.problems.is_empty() && r.rows > 0,
            rows: r.rows as i32,
            created: r.created as i32,
            updated: r.updated as i32,
            problems: r.problems.iter().map(Into::into).collect(),
        })
    }

    /// Hält eine Sozialraum- bzw. Überprüfungskonferenz fest.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn record_review_meeting(
        &self,
        ctx: &Context<'_>,
        input: RecordReviewMeetingInput,
    ) -> async_graphql::Result<ReviewMeeting> {
        let d = district_at(ctx, &input.district_ags, "input.districtAgs").await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        let concept_id = match input.concept_id {
            None => None,
            Some(id) => {
                let id = ids::expect(&id, NodeType::Concept, "input.conceptId")?;
                let c = ctx_storage(ctx).concepts_by_ids(&[id]).await.gql()?;
                if !c
                    .iter()
                    .any(|c| c.district_ags == d.ags && c.deleted_at.is_none())
                {
                    return Err(bad_input(
                        "input.conceptId",
                        "Diese Konzeption gehört nicht zu diesem Bezirk.",
                    ));
                }
                Some(id)
            }
        };
        let data = st::ReviewMeetingData {
            district_ags: d.ags,
            held_on: input.held_on,
            participants: crate::parse::name("input.participants", &input.participants)?,
            outcome: crate::parse::name("input.outcome", &input.outcome)?,
            concept_id,
            synthetic: false,
        };
        if data.held_on > query::today() {
            return Err(bad_input(
                "input.heldOn",
                "Eine Konferenz wird festgehalten, wenn sie stattgefunden hat.",
            ));
        }
        ctx_storage(ctx)
            .create_review_meeting(viewer.user_id(), &data)
            .await
            .gql()
            .map(ReviewMeeting)
    }

    /// Legt fest, wann eine beschlossene Konzeption überprüft werden soll.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn set_concept_review_due(
        &self,
        ctx: &Context<'_>,
        input: SetConceptReviewDueInput,
    ) -> async_graphql::Result<ConceptObject> {
        let id = ids::expect(&input.concept_id, NodeType::Concept, "input.conceptId")?;
        let storage = ctx_storage(ctx);
        let c = storage
            .concepts_by_ids(&[id])
            .await
            .gql()?
            .into_iter()
            .find(|c| c.deleted_at.is_none())
            .ok_or_else(|| crate::error::not_found("Die Konzeption"))?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&c.district_ags)?;
        if c.status != st::ConceptStatus::Decided {
            return Err(bad_input(
                "input.conceptId",
                "Nur eine beschlossene Konzeption wird überprüft.",
            ));
        }
        if let (Some(due), Some(decided)) = (input.review_due, c.decided_on) {
            if due <= decided {
                return Err(bad_input(
                    "input.reviewDue",
                    "Die Überprüfung liegt nach dem Beschluss.",
                ));
            }
        }
        storage
            .set_concept_review_due(viewer.user_id(), id, input.version, input.review_due)
            .await
            .gql()
            .map(ConceptObject)
    }
}
