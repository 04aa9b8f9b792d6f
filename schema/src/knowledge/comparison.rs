//! Two role profiles (or two revisions of one) side by side.

use async_graphql::{ComplexObject, Context, SimpleObject, ID};
use srb_storage as st;
use st::DocumentKind;

use crate::content::{self};
use crate::error::{bad_input, not_found, OrGqlError};
use crate::ids::{self, NodeType};
use crate::loaders::RevisionsOf;
use crate::{ctx_storage, ctx_viewer};

use super::*;

// ---------------------------------------------------------------------------------------------
// Comparison

/// Eine geänderte Aufgabe.
#[derive(SimpleObject)]
pub struct TaskChange {
    pub key: String,
    pub before: String,
    pub after: String,
}

/// Ein Feld, in dem sich zwei Profile unterscheiden.
#[derive(SimpleObject)]
pub struct FieldDifference {
    /// Name des Felds in der API (`targetGroups`).
    pub field: String,
    /// Bezeichnung auf Deutsch.
    pub label: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// Eine der beiden verglichenen Fassungen.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ComparedProfile {
    #[graphql(skip)]
    pub(crate) document: st::KnowledgeDocument,
    pub revision: i32,
    pub title: String,
}

#[ComplexObject]
impl ComparedProfile {
    pub(crate) async fn profile(&self) -> RoleProfile {
        RoleProfile::from(self.document.clone())
    }
}

/// Was sich von `a` nach `b` unterscheidet. Aufgaben werden über ihren Schlüssel zugeordnet:
/// eine bearbeitete Aufgabe ist „geändert“, nicht „entfernt und hinzugefügt“.
#[derive(SimpleObject)]
pub struct RoleProfileComparison {
    pub a: ComparedProfile,
    pub b: ComparedProfile,
    pub identical: bool,
    pub tasks_added: Vec<Task>,
    pub tasks_removed: Vec<Task>,
    pub tasks_changed: Vec<TaskChange>,
    /// Die gemeinsamen Aufgaben stehen in anderer Reihenfolge.
    pub task_order_changed: bool,
    /// Weitere Felder, die sich unterscheiden (ohne Bezirk, Status und Sichtbarkeit).
    pub fields: Vec<FieldDifference>,
}

/// A profile or one of its revisions, as a comparison side.
pub(crate) async fn comparison_side(
    ctx: &Context<'_>,
    id: &ID,
    field: &str,
) -> async_graphql::Result<(ComparedProfile, content::ProfileSnapshot)> {
    let (kind, key) = ids::decode(id).ok_or_else(|| bad_input(field, "Die ID ist ungültig."))?;
    let invalid = || {
        bad_input(
            field,
            "Erwartet wird die ID eines Aufgabenprofils oder einer seiner Fassungen.",
        )
    };
    let (doc_id, revision) = match kind {
        NodeType::RoleProfile => (key.parse::<i64>().map_err(|_| invalid())?, None),
        NodeType::RoleProfileRevision => {
            let (d, r) = key.split_once('.').ok_or_else(invalid)?;
            (
                d.parse().map_err(|_| invalid())?,
                Some(r.parse::<i32>().map_err(|_| invalid())?),
            )
        }
        _ => return Err(invalid()),
    };
    let doc = visible_document(ctx, doc_id, DocumentKind::RoleProfile).await?;
    let (revision, title, role, content_json) = match revision {
        None => {
            let current = load(ctx, RevisionsOf(doc.id))
                .await?
                .and_then(|r| r.first().map(|r| r.revision))
                .unwrap_or(1);
            (
                current,
                doc.title.clone(),
                doc.category.clone(),
                doc.content.clone(),
            )
        }
        Some(r) => {
            let rev = ctx_storage(ctx)
                .revision(doc.id, r)
                .await
                .gql()?
                .filter(|rev| revision_readable(ctx_viewer(ctx), &doc, rev))
                .ok_or_else(|| not_found("Die Fassung"))?;
            (rev.revision, rev.title, rev.category, rev.content)
        }
    };
    let snapshot = content::ProfileSnapshot {
        title: title.clone(),
        role: role.unwrap_or_default(),
        content: content::read(&content_json),
    };
    Ok((
        ComparedProfile {
            document: doc,
            revision,
            title,
        },
        snapshot,
    ))
}
