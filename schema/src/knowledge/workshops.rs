//! Workshops, their sessions (agenda items, theme rooms) and contributions.

use std::collections::HashMap;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, NaiveDate, Utc};
use srb_storage as st;

use crate::error::OrGqlError;
use crate::ids::{self, NodeType};
use crate::loaders::{ContributionTags, SessionsOf};
use crate::markdown;
use crate::records::{district_by_ags, District};
use crate::shared::{page_args, page_info};
use crate::{ctx_storage, ctx_viewer, parse};

use super::*;

// ---------------------------------------------------------------------------------------------
// Workshops, sessions, contributions

/// Eine Arbeitstagung oder ein Workshop mit Programm und dokumentierten Beiträgen.
pub struct Workshop(pub st::Workshop);

#[Object]
impl Workshop {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Workshop, self.0.id)
    }
    pub(crate) async fn title(&self) -> &str {
        &self.0.title
    }
    pub(crate) async fn held_on(&self) -> NaiveDate {
        self.0.held_on
    }
    pub(crate) async fn format(&self) -> WorkshopFormat {
        self.0.format.into()
    }
    /// Veranstaltende (Institute, Ministerium, Bezirke).
    pub(crate) async fn organisers(&self) -> Vec<String> {
        json_names(&self.0.organisers)
    }
    /// Beschreibung in Markdown.
    pub(crate) async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Die Beschreibung als bereinigtes HTML.
    pub(crate) async fn description_html(&self) -> Option<String> {
        self.0.description.as_deref().map(markdown::to_html)
    }
    pub(crate) async fn publication(&self) -> Publication {
        self.0.publication.into()
    }
    /// Der Bezirk, dem der Workshop gehört (keiner: landesweit).
    pub(crate) async fn district(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<District>> {
        match &self.0.district_ags {
            Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
            None => Ok(None),
        }
    }
    /// Beispieldaten der Demo.
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
    pub(crate) async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    /// Programmpunkte und Themenräume in der Reihenfolge des Programms.
    pub(crate) async fn sessions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WorkshopSession>> {
        Ok(load(ctx, SessionsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(WorkshopSession)
            .collect())
    }
    /// Die Dokumentation des Workshops in der Reihenfolge des Programms: Rahmen, Tagesablauf,
    /// je Programmpunkt Moderation, Inputs und Diskussionsbeiträge.
    #[graphql(complexity = "crate::shared::COST_DOCUMENTATION + child_complexity")]
    pub(crate) async fn documentation(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "DocumentationFormat::Markdown")] format: DocumentationFormat,
    ) -> async_graphql::Result<String> {
        let storage = ctx_storage(ctx);
        let sessions = load(ctx, SessionsOf(self.0.id)).await?.unwrap_or_default();
        let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
        let contributions = storage.contributions_of_sessions(&ids).await.gql()?;
        let cids: Vec<i64> = contributions.iter().map(|c| c.id).collect();
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, tag) in storage.tags_of_contributions(&cids).await.gql()? {
            tags.entry(id).or_default().push(tag);
        }
        let md = markdown::workshop_markdown(&self.0, &sessions, &contributions, &tags);
        Ok(match format {
            DocumentationFormat::Markdown => md,
            DocumentationFormat::Html => markdown::workshop_html(&self.0.title, &md),
        })
    }
}

/// Ein Programmpunkt oder Themenraum eines Workshops.
pub struct WorkshopSession(pub st::WorkshopSession);

/// Auswahl von Diskussionsbeiträgen eines Programmpunkts.
#[derive(InputObject, Default)]
pub struct ContributionFilter {
    /// Nur diese Arten (leer: alle).
    #[graphql(default)]
    pub kinds: Vec<ContributionKind>,
    pub district_ags: Option<String>,
    /// Nur Beiträge mit allen diesen Schlagwörtern.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Auch gelöschte Beiträge (nur für die Dokumentierenden).
    #[graphql(default)]
    pub include_deleted: bool,
}

pub struct ContributionCount {
    pub(crate) filter: st::ContributionFilter,
}

#[Object]
impl ContributionCount {
    /// Anzahl aller passenden Beiträge (über alle Seiten).
    pub(crate) async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        ctx_storage(ctx)
            .count_contributions(&self.filter)
            .await
            .gql()
    }
}

#[Object]
impl WorkshopSession {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WorkshopSession, self.0.id)
    }
    pub(crate) async fn kind(&self) -> SessionKind {
        self.0.kind.into()
    }
    pub(crate) async fn title(&self) -> &str {
        &self.0.title
    }
    /// Platz im Programm (parallele Themenräume teilen sich das Zeitfenster).
    pub(crate) async fn position(&self) -> i32 {
        self.0.position
    }
    /// Beginn, `HH:MM`.
    pub(crate) async fn starts_at(&self) -> Option<&str> {
        self.0.starts_at.as_deref()
    }
    pub(crate) async fn ends_at(&self) -> Option<&str> {
        self.0.ends_at.as_deref()
    }
    pub(crate) async fn moderators(&self) -> Vec<String> {
        json_names(&self.0.moderators)
    }
    /// Inputs (Vorträge, Präsentationen) des Programmpunkts.
    pub(crate) async fn inputs(&self) -> Vec<String> {
        json_names(&self.0.inputs)
    }
    pub(crate) async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    pub(crate) async fn version(&self) -> i32 {
        self.0.version
    }
    pub(crate) async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    pub(crate) async fn workshop(&self, ctx: &Context<'_>) -> async_graphql::Result<Workshop> {
        Ok(Workshop(workshop_record(ctx, self.0.workshop_id).await?))
    }
    /// Die Beiträge in der Reihenfolge, in der sie festgehalten wurden.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    pub(crate) async fn contributions(
        &self,
        ctx: &Context<'_>,
        filter: Option<ContributionFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, Contribution, ContributionCount>> {
        let args = page_args(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        if filter.include_deleted {
            let w = workshop_record(ctx, self.0.workshop_id).await?;
            require_workshop_editor(ctx_viewer(ctx), w.district_ags.as_deref(), w.publication)?;
        }
        let filter = st::ContributionFilter {
            session_id: self.0.id,
            kinds: filter.kinds.into_iter().map(Into::into).collect(),
            district_ags: filter.district_ags,
            tags: parse::tags("filter.tags", &filter.tags)?,
            include_deleted: filter.include_deleted,
        };
        let result = ctx_storage(ctx)
            .contributions(&filter, args.page)
            .await
            .gql()?;
        let (prev, next) = page_info(&args, &result);
        let mut connection =
            Connection::with_additional_fields(prev, next, ContributionCount { filter });
        connection.edges.extend(
            result
                .rows
                .into_iter()
                .map(|c| Edge::new(ids::cursor(c.position.into()), Contribution(c))),
        );
        Ok(connection)
    }
}

/// Ein Diskussionsbeitrag: Beobachtung, Frage, Idee, Zitat, Empfehlung, Ambivalenz oder Fazit.
pub struct Contribution(pub st::Contribution);

#[Object]
impl Contribution {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Contribution, self.0.id)
    }
    pub(crate) async fn kind(&self) -> ContributionKind {
        self.0.kind.into()
    }
    /// Die Art auf Deutsch („Frage“).
    pub(crate) async fn kind_label(&self) -> &'static str {
        markdown::kind_label(self.0.kind)
    }
    /// Der Text in Markdown, wie erfasst.
    pub(crate) async fn body(&self) -> &str {
        &self.0.body
    }
    /// Der Text als bereinigtes HTML: Skripte und Ereignis-Attribute sind entfernt.
    pub(crate) async fn html(&self) -> String {
        markdown::to_html(&self.0.body)
    }
    /// Der Bezirk, aus dem der Beitrag kam, wenn bekannt.
    pub(crate) async fn district(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<District>> {
        match &self.0.district_ags {
            Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
            None => Ok(None),
        }
    }
    pub(crate) async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(load(ctx, ContributionTags(self.0.id))
            .await?
            .unwrap_or_default())
    }
    /// Reihenfolge im Programmpunkt, ab 1.
    pub(crate) async fn position(&self) -> i32 {
        self.0.position
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
    pub(crate) async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    pub(crate) async fn session(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<WorkshopSession> {
        Ok(WorkshopSession(
            session_record(ctx, self.0.session_id).await?.0,
        ))
    }
}
