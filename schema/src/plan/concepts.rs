//! Cost rates and concepts.

use async_graphql::{Context, Enum, InputObject, Json, Object, ID};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use srb_storage::{self as st};

use crate::error::{bad_input, internal, not_found, OrGqlError};
use crate::ids::{self, NodeType};
use crate::planning::{self, PlanError};
use crate::records::District;
use crate::{ctx_storage, ctx_viewer, Viewer};

use super::*;

// ---------------------------------------------------------------------------------------------
// Cost rates

/// Kosten einer Vollzeitstelle einer Rolle in einem Jahr.
pub struct CostRate(pub st::CostRate);

#[Object]
impl CostRate {
    pub(crate) async fn role(&self) -> &str {
        &self.0.role
    }
    pub(crate) async fn year(&self) -> i32 {
        self.0.year
    }
    /// Euro je Vollzeitstelle und Jahr (Arbeitgeberbrutto).
    pub(crate) async fn cost_per_fte(&self) -> Decimal {
        euros(self.0.cost_per_fte)
    }
    pub(crate) async fn source(&self) -> &str {
        &self.0.source
    }
    /// Landesweiter Standardsatz (sonst der eigene Satz des Bezirks).
    pub(crate) async fn state_default(&self) -> bool {
        self.0.district_ags.is_none()
    }
}

#[derive(InputObject)]
pub struct SetCostRateInput {
    /// Bezirk; leer für den landesweiten Standardsatz (nur Administration).
    pub district_ags: Option<String>,
    pub role: String,
    pub year: i32,
    /// Euro je Vollzeitstelle und Jahr.
    pub cost_per_fte: Decimal,
    pub source: String,
}

// ---------------------------------------------------------------------------------------------
// Concepts

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::ConceptStatus")]
/// Entwurf, beschlossen (unveränderlich) oder archiviert.
pub enum ConceptStatus {
    Draft,
    Decided,
    Archived,
}

/// Eine Konzeption des Bezirks: Säulen, Bedarfsindex, Regeln, als Dokument für die Berechnung.
pub struct ConceptObject(pub st::Concept);

#[Object(name = "Concept")]
impl ConceptObject {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Concept, self.0.id)
    }
    pub(crate) async fn name(&self) -> &str {
        &self.0.name
    }
    pub(crate) async fn status(&self) -> ConceptStatus {
        self.0.status.into()
    }
    /// Beschluss des Jugendhilfeausschusses.
    pub(crate) async fn decided_on(&self) -> Option<NaiveDate> {
        self.0.decided_on
    }
    pub(crate) async fn valid_from(&self) -> Option<i32> {
        self.0.valid_from
    }
    pub(crate) async fn valid_to(&self) -> Option<i32> {
        self.0.valid_to
    }
    /// Die Konzeption, aus der diese abgeleitet wurde.
    pub(crate) async fn derived_from(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ConceptObject>> {
        let Some(id) = self.0.derived_from_id else {
            return Ok(None);
        };
        visible_concept(ctx, id).await
    }
    /// Das Regelwerk (JSON) in der Form, die die Berechnung liest.
    pub(crate) async fn document(&self) -> async_graphql::Result<Json<serde_json::Value>> {
        serde_json::from_str(&self.0.document)
            .map(Json)
            .map_err(internal)
    }
    pub(crate) async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::records::district_by_ags(ctx, &self.0.district_ags).await
    }
    pub(crate) async fn synthetic(&self) -> bool {
        self.0.synthetic
    }
    pub(crate) async fn version(&self) -> i32 {
        self.0.version
    }
    pub(crate) async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    pub(crate) async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Drafts are internal to the district; decided and archived concepts are public documents.
pub(crate) fn can_see_concept(viewer: &Viewer, c: &st::Concept) -> bool {
    c.deleted_at.is_none()
        && (c.status != st::ConceptStatus::Draft || viewer.can_read_private(Some(&c.district_ags)))
}

pub(crate) async fn visible_concept(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<ConceptObject>> {
    let found = ctx_storage(ctx).concepts_by_ids(&[id]).await.gql()?;
    Ok(found
        .into_iter()
        .find(|c| can_see_concept(ctx_viewer(ctx), c))
        .map(ConceptObject))
}

#[derive(InputObject)]
pub struct CreateConceptInput {
    pub district_ags: String,
    pub name: String,
    /// Das Regelwerk (Säulen, Bedarfsindex, Rundung); Fehler nennen den Pfad im Dokument.
    pub document: Json<serde_json::Value>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
}

#[derive(InputObject)]
pub struct UpdateConceptInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub document: Option<Json<serde_json::Value>>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
}

#[derive(InputObject)]
pub struct DecideConceptInput {
    pub id: ID,
    pub version: i32,
    /// Datum des Ausschussbeschlusses.
    pub decided_on: NaiveDate,
}

#[derive(InputObject)]
pub struct ArchiveConceptInput {
    pub id: ID,
    pub version: i32,
}

#[derive(InputObject)]
pub struct CopyConceptInput {
    pub id: ID,
    /// Name des neuen Entwurfs.
    pub name: String,
}

/// Checks a document as the engine will read it, and stores it canonically.
pub(crate) fn document_text(value: &serde_json::Value) -> async_graphql::Result<String> {
    let text = value.to_string();
    if text.len() > 1_000_000 {
        return Err(bad_input(
            "input.document",
            "Das Dokument ist zu groß (höchstens 1 MB).",
        ));
    }
    let doc = planning::parse_document(&text).map_err(|e| match e {
        PlanError::Input { field, message } => {
            bad_input(&field.replacen("document", "input.document", 1), message)
        }
        other => plan_error(other),
    })?;
    serde_json::to_string(&doc).map_err(internal)
}

pub(crate) fn period(from: Option<i32>, to: Option<i32>) -> async_graphql::Result<()> {
    if let Some(y) = from {
        check_year("input.validFrom", y)?;
    }
    if let Some(y) = to {
        check_year("input.validTo", y)?;
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(bad_input(
                "input.validTo",
                "Das Ende des Zeitraums liegt vor seinem Beginn.",
            ));
        }
    }
    Ok(())
}

pub(crate) async fn concept_for_write(
    ctx: &Context<'_>,
    id: &ID,
) -> async_graphql::Result<st::Concept> {
    let id = ids::expect(id, NodeType::Concept, "input.id")?;
    let concept = ctx_storage(ctx)
        .concepts_by_ids(&[id])
        .await
        .gql()?
        .into_iter()
        .find(|c| c.deleted_at.is_none())
        .ok_or_else(|| not_found("Die Konzeption"))?;
    ctx_viewer(ctx).require_district_writer(&concept.district_ags)?;
    Ok(concept)
}

pub(crate) fn data_of(c: &st::Concept) -> st::ConceptData {
    st::ConceptData {
        district_ags: c.district_ags.clone(),
        name: c.name.clone(),
        status: c.status,
        decided_on: c.decided_on,
        valid_from: c.valid_from,
        valid_to: c.valid_to,
        derived_from_id: c.derived_from_id,
        document: c.document.clone(),
        synthetic: c.synthetic,
    }
}

pub(crate) fn require_draft(c: &st::Concept) -> async_graphql::Result<()> {
    if c.status == st::ConceptStatus::Draft {
        Ok(())
    } else {
        Err(bad_input(
            "input.id",
            "Nur Entwürfe können geändert werden; eine beschlossene Konzeption lässt sich als neuer Entwurf kopieren.",
        ))
    }
}
