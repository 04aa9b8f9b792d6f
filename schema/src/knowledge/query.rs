//! The knowledge store's root query fields and `node` lookups of its records.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, ID};
use chrono::NaiveDate;
use srb_storage as st;
use st::{DocumentKind, Role};

use crate::content::{self};
use crate::error::{bad_input, forbidden, OrGqlError};
use crate::ids::{self, NodeType};
use crate::shared::{page_args, page_info};
use crate::{ctx_storage, ctx_viewer, parse};

use super::*;

// ---------------------------------------------------------------------------------------------
// Queries

/// Auswahl von Workshops.
#[derive(InputObject, Default)]
pub struct WorkshopFilter {
    /// Frühestes Datum.
    pub from: Option<NaiveDate>,
    /// Spätestes Datum.
    pub to: Option<NaiveDate>,
    pub district_ags: Option<String>,
    /// Auch gelöschte (nur Administration).
    #[graphql(default)]
    pub include_deleted: bool,
}

/// Auswahl von Aufgabenprofilen, Ideen oder Kooperationsmodellen.
#[derive(InputObject, Default)]
pub struct DocumentFilter {
    pub district_ags: Option<String>,
    pub status: Option<DocumentStatus>,
    /// Nur mit allen diesen Schlagwörtern.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Zuletzt geändert am oder nach diesem Tag.
    pub updated_from: Option<NaiveDate>,
    /// Zuletzt geändert am oder vor diesem Tag.
    pub updated_to: Option<NaiveDate>,
    /// Auch gelöschte (nur Administration und der eigene Bezirk).
    #[graphql(default)]
    pub include_deleted: bool,
}

pub struct DocumentCount {
    pub(crate) filter: st::DocumentFilter,
    pub(crate) audience: st::Audience,
}

#[Object]
impl DocumentCount {
    /// Anzahl aller passenden Einträge (über alle Seiten).
    pub(crate) async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        ctx_storage(ctx)
            .count_documents(&self.filter, &self.audience)
            .await
            .gql()
    }
}

pub(crate) fn date_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    field: &str,
) -> async_graphql::Result<()> {
    match (from, to) {
        (Some(a), Some(b)) if a > b => Err(bad_input(
            field,
            format!("Der Zeitraum ist leer: {a} liegt nach {b}."),
        )),
        _ => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn document_page<T: From<st::KnowledgeDocument> + async_graphql::OutputType>(
    ctx: &Context<'_>,
    kind: DocumentKind,
    category: Option<&'static str>,
    filter: DocumentFilter,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<Connection<String, T, DocumentCount>> {
    let args = page_args(after, before, first, last)?;
    let viewer = ctx_viewer(ctx);
    date_range(filter.updated_from, filter.updated_to, "filter.updatedFrom")?;
    if filter.include_deleted {
        viewer.require_user()?;
        let own = filter
            .district_ags
            .as_deref()
            .is_some_and(|ags| viewer.can_write_district(ags));
        if !(own || viewer.role() == Some(Role::Admin)) {
            return Err(forbidden());
        }
    }
    let filter = st::DocumentFilter {
        kind: Some(kind),
        district_ags: filter.district_ags,
        category: category.map(Into::into),
        status: filter.status.map(Into::into),
        tags: parse::tags("filter.tags", &filter.tags)?,
        updated_from: filter.updated_from,
        updated_to: filter.updated_to,
        include_deleted: filter.include_deleted,
    };
    let audience = audience(viewer);
    let result = ctx_storage(ctx)
        .documents(&filter, &audience, args.page)
        .await
        .gql()?;
    let (prev, next) = page_info(&args, &result);
    let mut connection =
        Connection::with_additional_fields(prev, next, DocumentCount { filter, audience });
    connection.edges.extend(
        result
            .rows
            .into_iter()
            .map(|d| Edge::new(ids::cursor(d.id), T::from(d))),
    );
    Ok(connection)
}

#[derive(Default)]
pub struct KnowledgeQuery;

#[Object]
impl KnowledgeQuery {
    /// Workshops und Arbeitstagungen, die der Fragende lesen darf, älteste zuerst.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    pub(crate) async fn workshops(
        &self,
        ctx: &Context<'_>,
        filter: Option<WorkshopFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, Workshop>> {
        let args = page_args(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        date_range(filter.from, filter.to, "filter.from")?;
        let viewer = ctx_viewer(ctx);
        if filter.include_deleted && viewer.role() != Some(Role::Admin) {
            viewer.require_user()?;
            return Err(forbidden());
        }
        let filter = st::WorkshopFilter {
            from: filter.from,
            to: filter.to,
            district_ags: filter.district_ags,
            include_deleted: filter.include_deleted,
        };
        let result = ctx_storage(ctx)
            .workshops(&filter, &audience(viewer), args.page)
            .await
            .gql()?;
        let (prev, next) = page_info(&args, &result);
        let mut connection = Connection::new(prev, next);
        connection.edges.extend(
            result
                .rows
                .into_iter()
                .map(|w| Edge::new(ids::cursor(w.id), Workshop(w))),
        );
        Ok(connection)
    }

    pub(crate) async fn workshop(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Workshop> {
        let id = ids::expect(&id, NodeType::Workshop, "id")?;
        Ok(Workshop(visible_workshop(ctx, id).await?))
    }

    /// Aufgabenprofile: veröffentlichte aller Bezirke (je nach Sichtbarkeit) und alle des
    /// eigenen Bezirks.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn role_profiles(
        &self,
        ctx: &Context<'_>,
        filter: Option<DocumentFilter>,
        role: Option<ProfileRole>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, RoleProfile, DocumentCount>> {
        let category = role.map(ProfileRole::as_str);
        document_page(
            ctx,
            DocumentKind::RoleProfile,
            category,
            filter.unwrap_or_default(),
            after,
            before,
            first,
            last,
        )
        .await
    }

    pub(crate) async fn role_profile(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<RoleProfile> {
        let id = ids::expect(&id, NodeType::RoleProfile, "id")?;
        Ok(visible_document(ctx, id, DocumentKind::RoleProfile)
            .await?
            .into())
    }

    /// Vergleicht zwei Aufgabenprofile (zweier Bezirke) oder zwei Fassungen eines Profils.
    /// `a` und `b` sind IDs von Profilen (aktuelle Fassung) oder von Fassungen.
    pub(crate) async fn compare_role_profiles(
        &self,
        ctx: &Context<'_>,
        a: ID,
        b: ID,
    ) -> async_graphql::Result<RoleProfileComparison> {
        let (a, sa) = comparison_side(ctx, &a, "a").await?;
        let (b, sb) = comparison_side(ctx, &b, "b").await?;
        let diff = content::compare_profiles(&sa, &sb);
        Ok(RoleProfileComparison {
            a,
            b,
            identical: diff.is_empty(),
            tasks_added: diff.tasks_added.into_iter().map(Into::into).collect(),
            tasks_removed: diff.tasks_removed.into_iter().map(Into::into).collect(),
            tasks_changed: diff
                .tasks_changed
                .into_iter()
                .map(|c| TaskChange {
                    key: c.key,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            task_order_changed: diff.task_order_changed,
            fields: diff
                .fields
                .into_iter()
                .map(|f| FieldDifference {
                    field: f.field.into(),
                    label: f.label.into(),
                    before: f.before,
                    after: f.after,
                })
                .collect(),
        })
    }

    /// Ideen zur Gewinnung, Bindung und Qualifizierung von Fachkräften.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn staffing_ideas(
        &self,
        ctx: &Context<'_>,
        filter: Option<DocumentFilter>,
        category: Option<StaffingCategory>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, StaffingIdea, DocumentCount>> {
        document_page(
            ctx,
            DocumentKind::StaffingIdea,
            category.map(StaffingCategory::as_str),
            filter.unwrap_or_default(),
            after,
            before,
            first,
            last,
        )
        .await
    }

    pub(crate) async fn staffing_idea(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<StaffingIdea> {
        let id = ids::expect(&id, NodeType::StaffingIdea, "id")?;
        Ok(visible_document(ctx, id, DocumentKind::StaffingIdea)
            .await?
            .into())
    }

    /// Modelle der Trägerkooperation.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    pub(crate) async fn cooperation_models(
        &self,
        ctx: &Context<'_>,
        filter: Option<DocumentFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, CooperationModel, DocumentCount>> {
        document_page(
            ctx,
            DocumentKind::CooperationModel,
            None,
            filter.unwrap_or_default(),
            after,
            before,
            first,
            last,
        )
        .await
    }

    pub(crate) async fn cooperation_model(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CooperationModel> {
        let id = ids::expect(&id, NodeType::CooperationModel, "id")?;
        Ok(visible_document(ctx, id, DocumentKind::CooperationModel)
            .await?
            .into())
    }
}

/// A record of the knowledge store found by its global ID.
pub enum KnowledgeNode {
    Workshop(Workshop),
    WorkshopSession(WorkshopSession),
    Contribution(Contribution),
    RoleProfile(RoleProfile),
    StaffingIdea(StaffingIdea),
    CooperationModel(CooperationModel),
}

/// For `node(id:)`: the knowledge store's records, only when the caller may read them.
pub(crate) async fn node(
    ctx: &Context<'_>,
    kind: NodeType,
    id: i64,
) -> async_graphql::Result<Option<KnowledgeNode>> {
    use KnowledgeNode as Node;
    let found = |r: async_graphql::Result<Node>| match r {
        Ok(n) => Ok(Some(n)),
        Err(e) if crate::error::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    };
    match kind {
        NodeType::Workshop => found(
            visible_workshop(ctx, id)
                .await
                .map(|w| Node::Workshop(Workshop(w))),
        ),
        NodeType::WorkshopSession => found(
            visible_session(ctx, id)
                .await
                .map(|(s, _)| Node::WorkshopSession(WorkshopSession(s))),
        ),
        NodeType::Contribution => {
            let Some(c) = ctx_storage(ctx)
                .contributions_by_ids(&[id])
                .await
                .gql()?
                .pop()
            else {
                return Ok(None);
            };
            match visible_session(ctx, c.session_id).await {
                Ok((_, w))
                    if c.deleted_at.is_none()
                        || can_edit_workshop(
                            ctx_viewer(ctx),
                            w.district_ags.as_deref(),
                            w.publication,
                        ) =>
                {
                    Ok(Some(Node::Contribution(Contribution(c))))
                }
                Ok(_) => Ok(None),
                Err(e) => found(Err(e)),
            }
        }
        NodeType::RoleProfile => found(
            visible_document(ctx, id, DocumentKind::RoleProfile)
                .await
                .map(|d| Node::RoleProfile(d.into())),
        ),
        NodeType::StaffingIdea => found(
            visible_document(ctx, id, DocumentKind::StaffingIdea)
                .await
                .map(|d| Node::StaffingIdea(d.into())),
        ),
        NodeType::CooperationModel => found(
            visible_document(ctx, id, DocumentKind::CooperationModel)
                .await
                .map(|d| Node::CooperationModel(d.into())),
        ),
        _ => Ok(None),
    }
}
