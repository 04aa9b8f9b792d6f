//! Persistence of the knowledge store: workshops with their sessions and contributions, and the
//! documents districts write for each other (role profiles, staffing ideas, cooperation models)
//! with every revision. A supertrait of [`crate::Storage`], like [`crate::PlanStore`].

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::model::*;
use crate::{Actor, Result};

/// Who may read a record: the rule is `srb_domain::Reader::may_read`.
pub use srb_domain::Publication;

text_enum!(
    WorkshopFormat { Online = "ONLINE", InPerson = "IN_PERSON", Hybrid = "HYBRID" }
);

text_enum!(
    SessionKind { AgendaItem = "AGENDA_ITEM", ThemeRoom = "THEME_ROOM", Break = "BREAK" }
);

text_enum!(
    ContributionKind {
        Observation = "OBSERVATION",
        Question = "QUESTION",
        Idea = "IDEA",
        Quote = "QUOTE",
        Recommendation = "RECOMMENDATION",
        Ambivalence = "AMBIVALENCE",
        Conclusion = "CONCLUSION",
    }
);

text_enum!(
    DocumentKind {
        RoleProfile = "ROLE_PROFILE",
        StaffingIdea = "STAFFING_IDEA",
        CooperationModel = "COOPERATION_MODEL",
    }
);

text_enum!(
    DocumentStatus { Draft = "DRAFT", Published = "PUBLISHED" }
);

/// The reader a list is filtered for: the storage layer applies publication levels in SQL, so
/// pages are full and counts honest. The rule it translates is `srb_domain::Reader::may_read`.
pub use srb_domain::ListFilter as Audience;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Workshop {
    pub id: i64,
    pub district_ags: Option<String>,
    pub title: String,
    pub held_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub format: WorkshopFormat,
    /// JSON array of names.
    pub organisers: String,
    pub description: Option<String>,
    #[sqlx(try_from = "String")]
    pub publication: Publication,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkshopData {
    pub district_ags: Option<String>,
    pub title: String,
    pub held_on: NaiveDate,
    pub format: WorkshopFormat,
    pub organisers: Vec<String>,
    pub description: Option<String>,
    pub publication: Publication,
    pub synthetic: bool,
}

#[derive(Debug, Clone, Default)]
pub struct WorkshopFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub district_ags: Option<String>,
    pub include_deleted: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WorkshopSession {
    pub id: i64,
    pub workshop_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: SessionKind,
    pub title: String,
    pub position: i32,
    /// `HH:MM`.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// JSON array of names.
    pub moderators: String,
    /// JSON array of the inputs (talks, slides) given in the session.
    pub inputs: String,
    pub description: Option<String>,
    #[serde(skip)]
    pub contribution_count: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionData {
    pub workshop_id: i64,
    pub kind: SessionKind,
    pub title: String,
    /// None on create: after the last session.
    pub position: Option<i32>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub moderators: Vec<String>,
    pub inputs: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Contribution {
    pub id: i64,
    pub session_id: i64,
    pub district_ags: Option<String>,
    #[sqlx(try_from = "String")]
    pub kind: ContributionKind,
    /// Markdown.
    pub body: String,
    /// Order within the session, from 1, in the order of capture.
    pub position: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContributionData {
    pub session_id: i64,
    pub district_ags: Option<String>,
    pub kind: ContributionKind,
    pub body: String,
    pub tags: Vec<String>,
}

/// Contributions of one session, paged over their position.
#[derive(Debug, Clone, Default)]
pub struct ContributionFilter {
    pub session_id: i64,
    pub kinds: Vec<ContributionKind>,
    pub district_ags: Option<String>,
    /// Contributions carrying all of these tags.
    pub tags: Vec<String>,
    pub include_deleted: bool,
}

/// A contribution was committed: what live subscribers are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContributionEvent {
    pub session_id: i64,
    pub contribution_id: i64,
}

impl ContributionEvent {
    pub fn encode(self) -> String {
        format!("{}:{}", self.session_id, self.contribution_id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (a, b) = s.split_once(':')?;
        Some(Self {
            session_id: a.parse().ok()?,
            contribution_id: b.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct KnowledgeDocument {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: DocumentKind,
    pub district_ags: Option<String>,
    pub title: String,
    pub category: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: DocumentStatus,
    #[sqlx(try_from = "String")]
    pub publication: Publication,
    /// The kind's typed content as JSON (the schema crate defines and checks it).
    pub content: String,
    pub forked_from_id: Option<i64>,
    pub forked_from_revision: Option<i32>,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentData {
    pub kind: DocumentKind,
    pub district_ags: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub status: DocumentStatus,
    pub publication: Publication,
    pub content: String,
    pub tags: Vec<String>,
    /// Set on a fork only (and kept by later updates).
    pub forked_from: Option<(i64, i32)>,
    pub synthetic: bool,
}

#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub district_ags: Option<String>,
    pub category: Option<String>,
    pub status: Option<DocumentStatus>,
    /// Documents carrying all of these tags.
    pub tags: Vec<String>,
    /// Last changed on or after / on or before these days (UTC).
    pub updated_from: Option<NaiveDate>,
    pub updated_to: Option<NaiveDate>,
    pub include_deleted: bool,
}

/// One saved state of a document.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct KnowledgeRevision {
    pub document_id: i64,
    pub revision: i32,
    pub title: String,
    pub category: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: DocumentStatus,
    #[sqlx(try_from = "String")]
    pub publication: Publication,
    pub content: String,
    /// JSON array.
    pub tags: String,
    pub saved_at: DateTime<Utc>,
    pub saved_by: Option<i64>,
}

/// A copy made of a document: which, into which district, when.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentFork {
    pub origin_id: i64,
    pub id: i64,
    pub district_ags: Option<String>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    async fn workshops_by_ids(&self, ids: &[i64]) -> Result<Vec<Workshop>>;
    /// Workshops the audience may read, in id order.
    async fn workshops(
        &self,
        filter: &WorkshopFilter,
        audience: &Audience,
        page: Page,
    ) -> Result<PageOf<Workshop>>;
    async fn create_workshop(&self, actor: Actor, data: &WorkshopData) -> Result<Workshop>;
    async fn update_workshop(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &WorkshopData,
    ) -> Result<Workshop>;
    async fn set_workshop_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Workshop>;

    async fn sessions_by_ids(&self, ids: &[i64]) -> Result<Vec<WorkshopSession>>;
    /// Sessions of these workshops in agenda order (workshop, position, id).
    async fn sessions_of(
        &self,
        workshop_ids: &[i64],
        include_deleted: bool,
    ) -> Result<Vec<WorkshopSession>>;
    async fn create_session(&self, actor: Actor, data: &SessionData) -> Result<WorkshopSession>;
    async fn update_session(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &SessionData,
    ) -> Result<WorkshopSession>;
    async fn set_session_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<WorkshopSession>;

    async fn contributions_by_ids(&self, ids: &[i64]) -> Result<Vec<Contribution>>;
    /// A page of one session's contributions; the page's keys are positions, not ids.
    async fn contributions(
        &self,
        filter: &ContributionFilter,
        page: Page,
    ) -> Result<PageOf<Contribution>>;
    async fn count_contributions(&self, filter: &ContributionFilter) -> Result<i64>;
    /// Every live contribution of these sessions, by session and position (for exports).
    async fn contributions_of_sessions(&self, session_ids: &[i64]) -> Result<Vec<Contribution>>;
    /// `(contribution id, tag)` pairs, tags in alphabetical order.
    async fn tags_of_contributions(&self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    /// Appends a contribution to its session; once committed, subscribers of
    /// [`KnowledgeStore::contribution_events`] learn of it, on every instance.
    async fn create_contribution(
        &self,
        actor: Actor,
        data: &ContributionData,
    ) -> Result<Contribution>;
    async fn update_contribution(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ContributionData,
    ) -> Result<Contribution>;
    async fn set_contribution_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Contribution>;
    /// Contributions committed from now on, in commit order.
    async fn contribution_events(&self) -> Result<broadcast::Receiver<ContributionEvent>>;

    async fn documents_by_ids(&self, ids: &[i64]) -> Result<Vec<KnowledgeDocument>>;
    /// Documents the audience may read (drafts only for their own district), in id order.
    async fn documents(
        &self,
        filter: &DocumentFilter,
        audience: &Audience,
        page: Page,
    ) -> Result<PageOf<KnowledgeDocument>>;
    async fn count_documents(&self, filter: &DocumentFilter, audience: &Audience) -> Result<i64>;
    async fn tags_of_documents(&self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    /// Creates a document (a fork when `data.forked_from` is set) and its first revision.
    async fn create_document(&self, actor: Actor, data: &DocumentData)
        -> Result<KnowledgeDocument>;
    /// Saves a change as a new revision.
    async fn update_document(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &DocumentData,
    ) -> Result<KnowledgeDocument>;
    async fn set_document_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<KnowledgeDocument>;
    /// Revisions of these documents, newest first per document.
    async fn revisions_of(&self, document_ids: &[i64]) -> Result<Vec<KnowledgeRevision>>;
    async fn revision(&self, document_id: i64, revision: i32) -> Result<Option<KnowledgeRevision>>;
    /// Copies made of these documents, oldest first, deleted ones included.
    async fn forks_of(&self, origin_ids: &[i64]) -> Result<Vec<DocumentFork>>;
}
