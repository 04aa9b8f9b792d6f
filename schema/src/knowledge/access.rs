//! Who may read and write the knowledge store's records: the rules of `srb_domain`, asked
//! for workshops, documents, revisions and copies.

use async_graphql::Context;
use srb_storage as st;
use st::DocumentKind;

use crate::auth::Viewer;
use crate::ctx_viewer;
use crate::error::{forbidden, not_found};
use crate::ids::NodeType;
use crate::loaders::{DocumentKey, ForksOf, Loaders, SessionKey, WorkshopKey};

// ---------------------------------------------------------------------------------------------
// Who may read and write

pub(crate) fn audience(viewer: &Viewer) -> st::Audience {
    viewer.reader().list_filter()
}

pub(crate) fn can_edit_workshop(
    viewer: &Viewer,
    district: Option<&str>,
    publication: st::Publication,
) -> bool {
    viewer.reader().may_edit_workshop(district, publication)
}

pub(crate) fn require_workshop_editor(
    viewer: &Viewer,
    district: Option<&str>,
    publication: st::Publication,
) -> async_graphql::Result<()> {
    viewer.require_user()?;
    if can_edit_workshop(viewer, district, publication) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

pub(crate) fn can_edit_document(viewer: &Viewer, district: Option<&str>) -> bool {
    viewer.reader().may_edit_document(district)
}

pub(crate) fn require_document_editor(
    viewer: &Viewer,
    district: Option<&str>,
) -> async_graphql::Result<()> {
    viewer.require_user()?;
    if can_edit_document(viewer, district) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

pub(crate) fn workshop_scope(w: &st::Workshop) -> srb_domain::Scope<'_> {
    srb_domain::Scope {
        publication: w.publication,
        district: w.district_ags.as_deref(),
        published: true,
        deleted: w.deleted_at.is_some(),
    }
}

pub(crate) fn document_scope(d: &st::KnowledgeDocument) -> srb_domain::Scope<'_> {
    srb_domain::Scope {
        publication: d.publication,
        district: d.district_ags.as_deref(),
        published: d.status == st::DocumentStatus::Published,
        deleted: d.deleted_at.is_some(),
    }
}

pub(crate) fn revision_readable(
    viewer: &Viewer,
    d: &st::KnowledgeDocument,
    r: &st::KnowledgeRevision,
) -> bool {
    viewer.reader().may_read_revision(
        &document_scope(d),
        r.publication,
        r.status == st::DocumentStatus::Published,
    )
}

/// The live copies of a profile that the caller may read, with the copies themselves.
pub(crate) async fn readable_forks(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Vec<(st::DocumentFork, st::KnowledgeDocument)>> {
    let viewer = ctx_viewer(ctx);
    let mut out = Vec::new();
    for f in load(ctx, ForksOf(id)).await?.unwrap_or_default() {
        if f.deleted_at.is_some() {
            continue;
        }
        if let Some(d) = load(ctx, DocumentKey(f.id)).await? {
            if d.deleted_at.is_none() && document_readable(viewer, &d) {
                out.push((f, d));
            }
        }
    }
    Ok(out)
}

pub(crate) fn workshop_readable(viewer: &Viewer, w: &st::Workshop) -> bool {
    viewer.reader().may_read_workshop(&workshop_scope(w))
}

pub(crate) fn document_readable(viewer: &Viewer, d: &st::KnowledgeDocument) -> bool {
    viewer.reader().may_read_document(&document_scope(d))
}

pub(crate) async fn load<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    crate::loaders::ByKey:
        async_graphql::dataloader::Loader<K, Value = V, Error = crate::loaders::LoadError>,
    V: Send + Sync + Clone + 'static,
{
    ctx.data_unchecked::<Loaders>()
        .load_one(key)
        .await
        .map_err(|e| e.into_gql())
}

pub(crate) async fn workshop_record(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<st::Workshop> {
    load(ctx, WorkshopKey(id))
        .await?
        .ok_or_else(|| not_found("Der Workshop"))
}

/// A workshop the caller may read; one they may not is reported as not found, so its existence
/// does not leak.
pub(crate) async fn visible_workshop(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<st::Workshop> {
    let w = workshop_record(ctx, id).await?;
    if workshop_readable(ctx_viewer(ctx), &w) {
        Ok(w)
    } else {
        Err(not_found("Der Workshop"))
    }
}

pub(crate) async fn session_record(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<(st::WorkshopSession, st::Workshop)> {
    let s = load(ctx, SessionKey(id))
        .await?
        .ok_or_else(|| not_found("Der Programmpunkt"))?;
    let w = workshop_record(ctx, s.workshop_id).await?;
    Ok((s, w))
}

/// A session: readable with its workshop; a deleted one only for the workshop's editors.
pub(crate) fn session_readable(viewer: &Viewer, s: &st::WorkshopSession, w: &st::Workshop) -> bool {
    workshop_readable(viewer, w)
        && (s.deleted_at.is_none()
            || can_edit_workshop(viewer, w.district_ags.as_deref(), w.publication))
}

pub(crate) async fn visible_session(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<(st::WorkshopSession, st::Workshop)> {
    let (s, w) = session_record(ctx, id).await?;
    if session_readable(ctx_viewer(ctx), &s, &w) {
        Ok((s, w))
    } else {
        Err(not_found("Der Programmpunkt"))
    }
}

pub(crate) async fn document_record(
    ctx: &Context<'_>,
    id: i64,
    kind: DocumentKind,
) -> async_graphql::Result<st::KnowledgeDocument> {
    load(ctx, DocumentKey(id))
        .await?
        .filter(|d| d.kind == kind)
        .ok_or_else(|| not_found(document_noun(kind)))
}

pub(crate) async fn visible_document(
    ctx: &Context<'_>,
    id: i64,
    kind: DocumentKind,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let d = document_record(ctx, id, kind).await?;
    if document_readable(ctx_viewer(ctx), &d) {
        Ok(d)
    } else {
        Err(not_found(document_noun(kind)))
    }
}

pub(crate) fn document_noun(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::RoleProfile => "Das Aufgabenprofil",
        DocumentKind::StaffingIdea => "Die Idee",
        DocumentKind::CooperationModel => "Das Kooperationsmodell",
    }
}

pub(crate) fn node_type(kind: DocumentKind) -> NodeType {
    match kind {
        DocumentKind::RoleProfile => NodeType::RoleProfile,
        DocumentKind::StaffingIdea => NodeType::StaffingIdea,
        DocumentKind::CooperationModel => NodeType::CooperationModel,
    }
}

pub(crate) fn json_names(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}
