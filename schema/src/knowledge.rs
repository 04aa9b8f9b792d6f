//! The knowledge store in the graph: workshops → sessions → contributions, and the documents
//! districts share (role profiles with revisions, forks and comparison; staffing ideas;
//! cooperation models). Who reads what is the record's publication level, applied by the
//! storage layer for lists and by [`st::Audience::may_read`] for single records.

use std::collections::HashMap;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, Subscription,
    ID,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use futures_util::Stream;
use rust_decimal::Decimal;
use srb_storage as st;
use st::{DocumentKind, Role};

use crate::auth::Viewer;
use crate::content::{self, RoleProfileContent, WayOfWorking};
use crate::error::{bad_input, error, forbidden, not_found, Code, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::loaders::{
    ContributionTags, DocumentKey, DocumentTags, ForksOf, Loaders, RevisionsOf, SessionKey,
    SessionsOf, WorkshopKey,
};
use crate::markdown;
use crate::mutation::LifecycleInput;
use crate::shared::{known_district, patch};
use crate::shared::{page_args, page_info};
use crate::types::{district_by_ags, District};
use crate::{ctx_storage, ctx_viewer, domain};

// ---------------------------------------------------------------------------------------------
// Enumerations

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::Publication")]
/// Wer ein Objekt lesen darf.
pub enum Publication {
    /// Alle, auch ohne Anmeldung.
    Public,
    /// Alle angemeldeten Nutzer:innen.
    Registered,
    /// Nur der eigene Bezirk.
    District,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::WorkshopFormat")]
pub enum WorkshopFormat {
    Online,
    InPerson,
    Hybrid,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::SessionKind")]
/// Programmpunkt, Themenraum oder Pause.
pub enum SessionKind {
    AgendaItem,
    ThemeRoom,
    Break,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::ContributionKind")]
/// Art eines Diskussionsbeitrags.
pub enum ContributionKind {
    /// Beobachtung
    Observation,
    /// Frage
    Question,
    /// Idee
    Idea,
    /// Zitat
    Quote,
    /// Empfehlung
    Recommendation,
    /// Ambivalenz
    Ambivalence,
    /// Fazit
    Conclusion,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::DocumentStatus")]
/// Entwurf (nur der eigene Bezirk sieht ihn) oder veröffentlicht.
pub enum DocumentStatus {
    Draft,
    Published,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "content::WayOfWorking")]
pub enum WayOfWorkingKind {
    Lotsenfunktion,
    Einzelfallarbeit,
    Gruppenangebote,
    Familienzentrum,
    Vernetzung,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "content::Employer")]
/// Anstellungsträger („Hutfrage“).
pub enum EmployerModel {
    Jugendamt,
    KitaTraeger,
    /// Ein freier Träger ohne eigene Kitas.
    FreierTraegerOhneKita,
}

/// Rolle, die ein Aufgabenprofil beschreibt.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProfileRole {
    KitaSozialarbeit,
    Koordination,
    InterkulturelleFachkraft,
    Netzwerker,
    KitaLotse,
    Other,
}

impl ProfileRole {
    const ALL: [ProfileRole; 6] = [
        ProfileRole::KitaSozialarbeit,
        ProfileRole::Koordination,
        ProfileRole::InterkulturelleFachkraft,
        ProfileRole::Netzwerker,
        ProfileRole::KitaLotse,
        ProfileRole::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            ProfileRole::KitaSozialarbeit => "KITA_SOZIALARBEIT",
            ProfileRole::Koordination => "KOORDINATION",
            ProfileRole::InterkulturelleFachkraft => "INTERKULTURELLE_FACHKRAFT",
            ProfileRole::Netzwerker => "NETZWERKER",
            ProfileRole::KitaLotse => "KITA_LOTSE",
            ProfileRole::Other => "OTHER",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ProfileRole::KitaSozialarbeit => "Kita-Sozialarbeit",
            ProfileRole::Koordination => "Koordination",
            ProfileRole::InterkulturelleFachkraft => "interkulturelle Fachkraft",
            ProfileRole::Netzwerker => "Netzwerker:in",
            ProfileRole::KitaLotse => "Kita-Lotse",
            ProfileRole::Other => "andere Rolle",
        }
    }

    fn parse(s: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| Some(r.as_str()) == s)
            .unwrap_or(ProfileRole::Other)
    }
}

/// Handlungsfeld einer Idee zur Fachkräftegewinnung.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StaffingCategory {
    Gewinnen,
    Halten,
    Qualifizieren,
    Binnendifferenzierung,
    Arbeitszeit,
}

impl StaffingCategory {
    const ALL: [StaffingCategory; 5] = [
        StaffingCategory::Gewinnen,
        StaffingCategory::Halten,
        StaffingCategory::Qualifizieren,
        StaffingCategory::Binnendifferenzierung,
        StaffingCategory::Arbeitszeit,
    ];

    fn as_str(self) -> &'static str {
        match self {
            StaffingCategory::Gewinnen => "GEWINNEN",
            StaffingCategory::Halten => "HALTEN",
            StaffingCategory::Qualifizieren => "QUALIFIZIEREN",
            StaffingCategory::Binnendifferenzierung => "BINNENDIFFERENZIERUNG",
            StaffingCategory::Arbeitszeit => "ARBEITSZEIT",
        }
    }

    fn parse(s: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| Some(r.as_str()) == s)
            .unwrap_or(StaffingCategory::Gewinnen)
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum DocumentationFormat {
    Markdown,
    Html,
}

// ---------------------------------------------------------------------------------------------
// Who may read and write

pub(crate) fn audience(viewer: &Viewer) -> st::Audience {
    viewer.reader().list_filter()
}

fn can_edit_workshop(
    viewer: &Viewer,
    district: Option<&str>,
    publication: st::Publication,
) -> bool {
    viewer.reader().may_edit_workshop(district, publication)
}

fn require_workshop_editor(
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

fn can_edit_document(viewer: &Viewer, district: Option<&str>) -> bool {
    viewer.reader().may_edit_document(district)
}

fn require_document_editor(viewer: &Viewer, district: Option<&str>) -> async_graphql::Result<()> {
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
async fn readable_forks(
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

async fn load<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<V>>
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

async fn workshop_record(ctx: &Context<'_>, id: i64) -> async_graphql::Result<st::Workshop> {
    load(ctx, WorkshopKey(id))
        .await?
        .ok_or_else(|| not_found("Der Workshop"))
}

/// A workshop the caller may read; one they may not is reported as not found, so its existence
/// does not leak.
async fn visible_workshop(ctx: &Context<'_>, id: i64) -> async_graphql::Result<st::Workshop> {
    let w = workshop_record(ctx, id).await?;
    if workshop_readable(ctx_viewer(ctx), &w) {
        Ok(w)
    } else {
        Err(not_found("Der Workshop"))
    }
}

async fn session_record(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<(st::WorkshopSession, st::Workshop)> {
    let s = load(ctx, SessionKey(id))
        .await?
        .ok_or_else(|| not_found("Der Programmpunkt"))?;
    let w = workshop_record(ctx, s.workshop_id).await?;
    Ok((s, w))
}

async fn visible_session(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<(st::WorkshopSession, st::Workshop)> {
    let (s, w) = session_record(ctx, id).await?;
    let viewer = ctx_viewer(ctx);
    let editor = can_edit_workshop(viewer, w.district_ags.as_deref(), w.publication);
    if workshop_readable(viewer, &w) && (s.deleted_at.is_none() || editor) {
        Ok((s, w))
    } else {
        Err(not_found("Der Programmpunkt"))
    }
}

async fn document_record(
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

fn document_noun(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::RoleProfile => "Das Aufgabenprofil",
        DocumentKind::StaffingIdea => "Die Idee",
        DocumentKind::CooperationModel => "Das Kooperationsmodell",
    }
}

fn node_type(kind: DocumentKind) -> NodeType {
    match kind {
        DocumentKind::RoleProfile => NodeType::RoleProfile,
        DocumentKind::StaffingIdea => NodeType::StaffingIdea,
        DocumentKind::CooperationModel => NodeType::CooperationModel,
    }
}

fn json_names(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Workshops, sessions, contributions

/// Eine Arbeitstagung oder ein Workshop mit Programm und dokumentierten Beiträgen.
pub struct Workshop(pub st::Workshop);

#[Object]
impl Workshop {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Workshop, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn held_on(&self) -> NaiveDate {
        self.0.held_on
    }
    async fn format(&self) -> WorkshopFormat {
        self.0.format.into()
    }
    /// Veranstaltende (Institute, Ministerium, Bezirke).
    async fn organisers(&self) -> Vec<String> {
        json_names(&self.0.organisers)
    }
    /// Beschreibung in Markdown.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Die Beschreibung als bereinigtes HTML.
    async fn description_html(&self) -> Option<String> {
        self.0.description.as_deref().map(markdown::to_html)
    }
    async fn publication(&self) -> Publication {
        self.0.publication.into()
    }
    /// Der Bezirk, dem der Workshop gehört (keiner: landesweit).
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match &self.0.district_ags {
            Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
            None => Ok(None),
        }
    }
    /// Beispieldaten der Demo.
    async fn synthetic(&self) -> bool {
        self.0.synthetic
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    /// Programmpunkte und Themenräume in der Reihenfolge des Programms.
    async fn sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WorkshopSession>> {
        Ok(load(ctx, SessionsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(WorkshopSession)
            .collect())
    }
    /// Die Dokumentation des Workshops in der Reihenfolge des Programms: Rahmen, Tagesablauf,
    /// je Programmpunkt Moderation, Inputs und Diskussionsbeiträge.
    async fn documentation(
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
    filter: st::ContributionFilter,
}

#[Object]
impl ContributionCount {
    /// Anzahl aller passenden Beiträge (über alle Seiten).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
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
    async fn kind(&self) -> SessionKind {
        self.0.kind.into()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Platz im Programm (parallele Themenräume teilen sich das Zeitfenster).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Beginn, `HH:MM`.
    async fn starts_at(&self) -> Option<&str> {
        self.0.starts_at.as_deref()
    }
    async fn ends_at(&self) -> Option<&str> {
        self.0.ends_at.as_deref()
    }
    async fn moderators(&self) -> Vec<String> {
        json_names(&self.0.moderators)
    }
    /// Inputs (Vorträge, Präsentationen) des Programmpunkts.
    async fn inputs(&self) -> Vec<String> {
        json_names(&self.0.inputs)
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    async fn workshop(&self, ctx: &Context<'_>) -> async_graphql::Result<Workshop> {
        Ok(Workshop(workshop_record(ctx, self.0.workshop_id).await?))
    }
    /// Die Beiträge in der Reihenfolge, in der sie festgehalten wurden.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    async fn contributions(
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
            tags: domain::tags("filter.tags", &filter.tags)?,
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
    async fn kind(&self) -> ContributionKind {
        self.0.kind.into()
    }
    /// Die Art auf Deutsch („Frage“).
    async fn kind_label(&self) -> &'static str {
        markdown::kind_label(self.0.kind)
    }
    /// Der Text in Markdown, wie erfasst.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Der Text als bereinigtes HTML: Skripte und Ereignis-Attribute sind entfernt.
    async fn html(&self) -> String {
        markdown::to_html(&self.0.body)
    }
    /// Der Bezirk, aus dem der Beitrag kam, wenn bekannt.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match &self.0.district_ags {
            Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
            None => Ok(None),
        }
    }
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(load(ctx, ContributionTags(self.0.id))
            .await?
            .unwrap_or_default())
    }
    /// Reihenfolge im Programmpunkt, ab 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    async fn session(&self, ctx: &Context<'_>) -> async_graphql::Result<WorkshopSession> {
        Ok(WorkshopSession(
            session_record(ctx, self.0.session_id).await?.0,
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// Ein Eintrag in einer Liste von Aufgaben.
#[derive(SimpleObject, Clone)]
pub struct Task {
    /// Bleibt beim Bearbeiten und Übernehmen erhalten; beim Speichern mitsenden.
    pub key: String,
    pub text: String,
}

impl From<content::Task> for Task {
    fn from(t: content::Task) -> Self {
        Task {
            key: t.key,
            text: t.text,
        }
    }
}

/// Zugangsprofil: welche Qualifikationen die Stelle zulässt.
#[derive(SimpleObject)]
pub struct AccessProfile {
    pub qualifications: Vec<String>,
    /// Quereinstieg möglich (z. B. Erzieher:innen mit Zusatzausbildung).
    pub lateral_entry: bool,
    pub notes: Option<String>,
}

/// Wer die Stelle wie oft nachgenutzt hat.
#[derive(SimpleObject)]
pub struct Reuse {
    pub district: Option<District>,
    pub at: DateTime<Utc>,
    /// Die Kopie, wenn sie für den Fragenden sichtbar ist.
    pub profile: Option<RoleProfile>,
}

/// Woher ein übernommenes Profil stammt.
#[derive(SimpleObject)]
pub struct ProfileOrigin {
    /// Das Ursprungsprofil, wenn es noch sichtbar ist.
    pub profile: Option<RoleProfile>,
    /// Die übernommene Fassung.
    pub revision: i32,
}

/// Eine gespeicherte Fassung eines Aufgabenprofils.
pub struct RoleProfileRevision(st::KnowledgeRevision);

#[Object]
impl RoleProfileRevision {
    async fn id(&self) -> ID {
        ids::encode(
            NodeType::RoleProfileRevision,
            format!("{}.{}", self.0.document_id, self.0.revision),
        )
    }
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn status(&self) -> DocumentStatus {
        self.0.status.into()
    }
    async fn saved_at(&self) -> DateTime<Utc> {
        self.0.saved_at
    }
    async fn tasks(&self) -> Vec<Task> {
        content::read::<RoleProfileContent>(&self.0.content)
            .tasks
            .into_iter()
            .map(Into::into)
            .collect()
    }
}

/// Ein Aufgabenprofil (Rollenprofil) eines Bezirks.
#[derive(Clone)]
pub struct RoleProfile(pub st::KnowledgeDocument, RoleProfileContent);
/// Eine Idee, Fachkräfte zu gewinnen, zu halten oder zu qualifizieren.
pub struct StaffingIdea(pub st::KnowledgeDocument, content::StaffingIdeaContent);
/// Ein Modell der Trägerkooperation: wer anstellt, wer beaufsichtigt, wer was bezahlt.
pub struct CooperationModel(pub st::KnowledgeDocument, content::CooperationModelContent);

impl From<st::KnowledgeDocument> for RoleProfile {
    fn from(d: st::KnowledgeDocument) -> Self {
        let c = content::read(&d.content);
        RoleProfile(d, c)
    }
}
impl From<st::KnowledgeDocument> for StaffingIdea {
    fn from(d: st::KnowledgeDocument) -> Self {
        let c = content::read(&d.content);
        StaffingIdea(d, c)
    }
}
impl From<st::KnowledgeDocument> for CooperationModel {
    fn from(d: st::KnowledgeDocument) -> Self {
        let c = content::read(&d.content);
        CooperationModel(d, c)
    }
}

async fn document_district(
    ctx: &Context<'_>,
    d: &st::KnowledgeDocument,
) -> async_graphql::Result<Option<District>> {
    match &d.district_ags {
        Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
        None => Ok(None),
    }
}

async fn document_tags(
    ctx: &Context<'_>,
    d: &st::KnowledgeDocument,
) -> async_graphql::Result<Vec<String>> {
    Ok(load(ctx, DocumentTags(d.id)).await?.unwrap_or_default())
}

/// An object type of a document kind: the fields every kind has, then the kind's own. One
/// macro around the whole impl, since async-graphql objects cannot share an impl block.
macro_rules! document_object {
    ($t:ident, $node:expr, { $($own:tt)* }) => {
        #[Object]
        impl $t {
            pub async fn id(&self) -> ID {
                ids::encode($node, self.0.id)
            }
            async fn title(&self) -> &str {
                &self.0.title
            }
            async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
                document_district(ctx, &self.0).await
            }
            async fn status(&self) -> DocumentStatus {
                self.0.status.into()
            }
            async fn publication(&self) -> Publication {
                self.0.publication.into()
            }
            async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
                document_tags(ctx, &self.0).await
            }
            /// Beispieldaten der Demo.
            async fn synthetic(&self) -> bool {
                self.0.synthetic
            }
            async fn version(&self) -> i32 {
                self.0.version
            }
            async fn created_at(&self) -> DateTime<Utc> {
                self.0.created_at
            }
            async fn updated_at(&self) -> DateTime<Utc> {
                self.0.updated_at
            }
            async fn deleted_at(&self) -> Option<DateTime<Utc>> {
                self.0.deleted_at
            }
            $($own)*
        }
    };
}

document_object!(RoleProfile, NodeType::RoleProfile, {
    async fn role(&self) -> ProfileRole {
        ProfileRole::parse(self.0.category.as_deref())
    }
    /// Bezeichnung der Rolle: die eigene des Bezirks oder die allgemeine.
    async fn role_label(&self) -> String {
        self.1.role_label.clone().unwrap_or_else(|| {
            ProfileRole::parse(self.0.category.as_deref())
                .label()
                .into()
        })
    }
    /// Ziel und Zweck der Stelle (Markdown).
    async fn purpose(&self) -> Option<&str> {
        self.1.purpose.as_deref()
    }
    async fn purpose_html(&self) -> Option<String> {
        self.1.purpose.as_deref().map(markdown::to_html)
    }
    /// Aufgaben in ihrer Reihenfolge.
    async fn tasks(&self) -> Vec<Task> {
        self.1.tasks.iter().cloned().map(Into::into).collect()
    }
    async fn target_groups(&self) -> &[String] {
        &self.1.target_groups
    }
    async fn ways_of_working(&self) -> Vec<WayOfWorkingKind> {
        self.1.ways_of_working.iter().map(|w| (*w).into()).collect()
    }
    async fn access_profile(&self) -> AccessProfile {
        AccessProfile {
            qualifications: self.1.qualifications.clone(),
            lateral_entry: self.1.lateral_entry,
            notes: self.1.access_notes.clone(),
        }
    }
    /// Umfang in Vollzeitäquivalenten.
    async fn fte(&self) -> Option<Decimal> {
        self.1.fte.as_deref().and_then(|s| s.parse().ok())
    }
    /// Zahl der Kitas, für die die Stelle da ist.
    async fn kitas_served(&self) -> Option<i32> {
        self.1.kitas_served
    }
    async fn employer(&self) -> Option<EmployerModel> {
        self.1.employer.map(Into::into)
    }
    /// Wer die Dienstaufsicht hat.
    async fn line_supervision(&self) -> Option<&str> {
        self.1.line_supervision.as_deref()
    }
    /// Wer die Fachaufsicht hat.
    async fn professional_supervision(&self) -> Option<&str> {
        self.1.professional_supervision.as_deref()
    }
    async fn cooperation_partners(&self) -> &[String] {
        &self.1.cooperation_partners
    }
    /// Die aktuelle Fassung.
    async fn revision(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(load(ctx, RevisionsOf(self.0.id))
            .await?
            .and_then(|r| r.first().map(|r| r.revision))
            .unwrap_or(1))
    }
    /// Die gespeicherten Fassungen, neueste zuerst: für die Bearbeitenden alle, für andere die
    /// veröffentlichten (Entwürfe bleiben im Bezirk).
    async fn revisions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<RoleProfileRevision>> {
        let viewer = ctx_viewer(ctx);
        Ok(load(ctx, RevisionsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|r| revision_readable(viewer, &self.0, r))
            .map(RoleProfileRevision)
            .collect())
    }
    /// Woher das Profil übernommen wurde.
    async fn forked_from(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProfileOrigin>> {
        let (Some(id), Some(revision)) = (self.0.forked_from_id, self.0.forked_from_revision)
        else {
            return Ok(None);
        };
        let profile = load(ctx, DocumentKey(id))
            .await?
            .filter(|d| document_readable(ctx_viewer(ctx), d))
            .map(RoleProfile::from);
        Ok(Some(ProfileOrigin { profile, revision }))
    }
    /// Wie oft das Profil übernommen wurde (gezählt werden die Übernahmen, die man lesen darf:
    /// ein Entwurf eines anderen Bezirks bleibt dessen Sache).
    async fn reuse_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(readable_forks(ctx, self.0.id).await?.len() as i32)
    }
    /// Von wem und wann das Profil übernommen wurde.
    async fn reuses(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Reuse>> {
        let mut out = Vec::new();
        for (f, d) in readable_forks(ctx, self.0.id).await? {
            let district = match &f.district_ags {
                Some(ags) => Some(district_by_ags(ctx, ags).await?),
                None => None,
            };
            out.push(Reuse {
                district,
                at: f.created_at,
                profile: Some(RoleProfile::from(d)),
            });
        }
        Ok(out)
    }
});

document_object!(StaffingIdea, NodeType::StaffingIdea, {
    async fn category(&self) -> StaffingCategory {
        StaffingCategory::parse(self.0.category.as_deref())
    }
    /// Die Maßnahme (Markdown).
    async fn measure(&self) -> &str {
        &self.1.measure
    }
    async fn measure_html(&self) -> String {
        markdown::to_html(&self.1.measure)
    }
    /// Ausgangslage, für die die Maßnahme gedacht ist.
    async fn context(&self) -> Option<&str> {
        self.1.context.as_deref()
    }
    /// Belege oder bisherige Erfahrungen.
    async fn evidence(&self) -> Option<&str> {
        self.1.evidence.as_deref()
    }
});

/// Wer welchen Anteil einer Kostenart trägt.
#[derive(SimpleObject)]
pub struct CostShare {
    pub payer: String,
    /// Anteil in Prozent; offen, wenn das Modell ihn nicht festlegt.
    pub percent: Option<Decimal>,
}

/// Eine Vereinbarung zwischen Beteiligten.
#[derive(SimpleObject)]
pub struct Agreement {
    pub parties: Vec<String>,
    pub subject: String,
}

fn shares(list: &[content::CostShare]) -> Vec<CostShare> {
    list.iter()
        .map(|s| CostShare {
            payer: s.payer.clone(),
            percent: s.percent.as_deref().and_then(|p| p.parse().ok()),
        })
        .collect()
}

document_object!(CooperationModel, NodeType::CooperationModel, {
    /// Beschreibung (Markdown).
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    async fn description_html(&self) -> Option<String> {
        self.1.description.as_deref().map(markdown::to_html)
    }
    /// Wer anstellt.
    async fn employer(&self) -> Option<EmployerModel> {
        self.1.employer.map(Into::into)
    }
    async fn employer_note(&self) -> Option<&str> {
        self.1.employer_note.as_deref()
    }
    async fn line_supervision(&self) -> Option<&str> {
        self.1.line_supervision.as_deref()
    }
    async fn professional_supervision(&self) -> Option<&str> {
        self.1.professional_supervision.as_deref()
    }
    /// Wer die Personalkosten trägt, zu welchem Anteil.
    async fn personnel_costs(&self) -> Vec<CostShare> {
        shares(&self.1.personnel_costs)
    }
    /// Wer die Sachkosten trägt, zu welchem Anteil.
    async fn material_costs(&self) -> Vec<CostShare> {
        shares(&self.1.material_costs)
    }
    async fn agreements(&self) -> Vec<Agreement> {
        self.1
            .agreements
            .iter()
            .map(|a| Agreement {
                parties: a.parties.clone(),
                subject: a.subject.clone(),
            })
            .collect()
    }
    async fn advantages(&self) -> &[String] {
        &self.1.advantages
    }
    async fn risks(&self) -> &[String] {
        &self.1.risks
    }
});

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
    document: st::KnowledgeDocument,
    pub revision: i32,
    pub title: String,
}

#[ComplexObject]
impl ComparedProfile {
    async fn profile(&self) -> RoleProfile {
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
async fn comparison_side(
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
    filter: st::DocumentFilter,
    audience: st::Audience,
}

#[Object]
impl DocumentCount {
    /// Anzahl aller passenden Einträge (über alle Seiten).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        ctx_storage(ctx)
            .count_documents(&self.filter, &self.audience)
            .await
            .gql()
    }
}

fn date_range(
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
async fn document_page<T: From<st::KnowledgeDocument> + async_graphql::OutputType>(
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
        tags: domain::tags("filter.tags", &filter.tags)?,
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
    async fn workshops(
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

    async fn workshop(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Workshop> {
        let id = ids::expect(&id, NodeType::Workshop, "id")?;
        Ok(Workshop(visible_workshop(ctx, id).await?))
    }

    /// Aufgabenprofile: veröffentlichte aller Bezirke (je nach Sichtbarkeit) und alle des
    /// eigenen Bezirks.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn role_profiles(
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

    async fn role_profile(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<RoleProfile> {
        let id = ids::expect(&id, NodeType::RoleProfile, "id")?;
        Ok(visible_document(ctx, id, DocumentKind::RoleProfile)
            .await?
            .into())
    }

    /// Vergleicht zwei Aufgabenprofile (zweier Bezirke) oder zwei Fassungen eines Profils.
    /// `a` und `b` sind IDs von Profilen (aktuelle Fassung) oder von Fassungen.
    async fn compare_role_profiles(
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
    async fn staffing_ideas(
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

    async fn staffing_idea(
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
    async fn cooperation_models(
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

    async fn cooperation_model(
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

// ---------------------------------------------------------------------------------------------
// Mutations: input

fn title(field: &str, raw: &str) -> async_graphql::Result<String> {
    domain::name(field, raw).map_err(|_| {
        bad_input(
            field,
            "Der Titel darf nicht leer und höchstens 200 Zeichen lang sein.",
        )
    })
}

fn publication_for(
    field: &str,
    publication: Publication,
    district: Option<&str>,
) -> async_graphql::Result<st::Publication> {
    if publication == Publication::District && district.is_none() {
        return Err(bad_input(
            field,
            "„Nur eigener Bezirk“ setzt einen Bezirk voraus; ohne Bezirk bitte PUBLIC oder REGISTERED wählen.",
        ));
    }
    Ok(publication.into())
}

fn time_of_day(field: &str, raw: Option<&str>) -> async_graphql::Result<Option<String>> {
    let Some(v) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    NaiveTime::parse_from_str(v, "%H:%M")
        .map(|t| Some(t.format("%H:%M").to_string()))
        .map_err(|_| bad_input(field, format!("„{v}“ ist keine Uhrzeit (erwartet: HH:MM).")))
}

#[derive(InputObject)]
pub struct CreateWorkshopInput {
    pub title: String,
    pub held_on: NaiveDate,
    pub format: WorkshopFormat,
    #[graphql(default)]
    pub organisers: Vec<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Ohne Angabe: nur für angemeldete Nutzer:innen.
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    /// Der Bezirk, dem der Workshop gehört; ohne: landesweit.
    pub district_ags: Option<String>,
}

/// Nicht angegebene Felder bleiben, wie sie sind; `null` leert ein optionales Feld.
#[derive(InputObject)]
pub struct UpdateWorkshopInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub format: Option<WorkshopFormat>,
    pub organisers: Option<Vec<String>>,
    pub description: MaybeUndefined<String>,
    pub publication: Option<Publication>,
}

#[derive(InputObject)]
pub struct CreateSessionInput {
    pub workshop_id: ID,
    pub kind: SessionKind,
    pub title: String,
    /// Platz im Programm; ohne Angabe: nach dem letzten.
    pub position: Option<i32>,
    /// `HH:MM`
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    #[graphql(default)]
    pub moderators: Vec<String>,
    #[graphql(default)]
    pub inputs: Vec<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSessionInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<SessionKind>,
    pub title: Option<String>,
    pub position: Option<i32>,
    pub starts_at: MaybeUndefined<String>,
    pub ends_at: MaybeUndefined<String>,
    pub moderators: Option<Vec<String>>,
    pub inputs: Option<Vec<String>>,
    pub description: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct AddContributionInput {
    pub session_id: ID,
    pub kind: ContributionKind,
    /// Markdown; HTML darin wird beim Anzeigen entschärft.
    pub body: String,
    pub district_ags: Option<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
}

#[derive(InputObject)]
pub struct UpdateContributionInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<ContributionKind>,
    pub body: Option<String>,
    pub district_ags: MaybeUndefined<String>,
    pub tags: Option<Vec<String>>,
}

/// Eine Aufgabe; `key` der bestehenden Aufgabe mitsenden, neue ohne `key`.
#[derive(InputObject)]
pub struct TaskInput {
    pub key: Option<String>,
    pub text: String,
}

/// Ein Aufgabenprofil, wie es gespeichert wird: jedes Speichern ist eine neue Fassung und
/// ersetzt alle Felder.
#[derive(InputObject)]
pub struct RoleProfileInput {
    pub title: String,
    pub role: ProfileRole,
    /// Eigene Bezeichnung der Rolle (bei OTHER erforderlich).
    pub role_label: Option<String>,
    pub purpose: Option<String>,
    #[graphql(default)]
    pub tasks: Vec<TaskInput>,
    #[graphql(default)]
    pub target_groups: Vec<String>,
    #[graphql(default)]
    pub ways_of_working: Vec<WayOfWorkingKind>,
    #[graphql(default)]
    pub qualifications: Vec<String>,
    #[graphql(default)]
    pub lateral_entry: bool,
    pub access_notes: Option<String>,
    pub fte: Option<Decimal>,
    pub kitas_served: Option<i32>,
    pub employer: Option<EmployerModel>,
    pub line_supervision: Option<String>,
    pub professional_supervision: Option<String>,
    #[graphql(default)]
    pub cooperation_partners: Vec<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    #[graphql(default_with = "DocumentStatus::Draft")]
    pub status: DocumentStatus,
}

#[derive(InputObject)]
pub struct CreateRoleProfileInput {
    pub district_ags: String,
    pub profile: RoleProfileInput,
}

#[derive(InputObject)]
pub struct UpdateRoleProfileInput {
    pub id: ID,
    pub version: i32,
    pub profile: RoleProfileInput,
}

#[derive(InputObject)]
pub struct StaffingIdeaInput {
    pub title: String,
    pub category: StaffingCategory,
    /// Die Maßnahme (Markdown).
    pub measure: String,
    pub context: Option<String>,
    pub evidence: Option<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    #[graphql(default_with = "DocumentStatus::Published")]
    pub status: DocumentStatus,
}

#[derive(InputObject)]
pub struct CreateStaffingIdeaInput {
    /// Ohne Bezirk: eine Idee aus einem Workshop (für Moderation und Administration).
    pub district_ags: Option<String>,
    pub idea: StaffingIdeaInput,
}

#[derive(InputObject)]
pub struct UpdateStaffingIdeaInput {
    pub id: ID,
    pub version: i32,
    pub idea: StaffingIdeaInput,
}

#[derive(InputObject)]
pub struct CostShareInput {
    pub payer: String,
    /// Prozent (0 bis 100); offen lassen, wenn nicht festgelegt.
    pub percent: Option<Decimal>,
}

#[derive(InputObject)]
pub struct AgreementInput {
    pub parties: Vec<String>,
    pub subject: String,
}

#[derive(InputObject)]
pub struct CooperationModelInput {
    pub title: String,
    pub description: Option<String>,
    pub employer: Option<EmployerModel>,
    pub employer_note: Option<String>,
    pub line_supervision: Option<String>,
    pub professional_supervision: Option<String>,
    #[graphql(default)]
    pub personnel_costs: Vec<CostShareInput>,
    #[graphql(default)]
    pub material_costs: Vec<CostShareInput>,
    #[graphql(default)]
    pub agreements: Vec<AgreementInput>,
    #[graphql(default)]
    pub advantages: Vec<String>,
    #[graphql(default)]
    pub risks: Vec<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    #[graphql(default_with = "DocumentStatus::Published")]
    pub status: DocumentStatus,
}

#[derive(InputObject)]
pub struct CreateCooperationModelInput {
    pub district_ags: Option<String>,
    pub model: CooperationModelInput,
}

#[derive(InputObject)]
pub struct UpdateCooperationModelInput {
    pub id: ID,
    pub version: i32,
    pub model: CooperationModelInput,
}

/// Übernimmt ein veröffentlichtes Profil als Entwurf in einen Bezirk.
#[derive(InputObject)]
pub struct ForkRoleProfileInput {
    pub id: ID,
    /// Globale ID des Bezirks, der das Profil übernimmt.
    pub district_id: ID,
}

fn short(field: &str, raw: Option<&str>) -> async_graphql::Result<Option<String>> {
    domain::short_text(field, raw)
}

fn role_profile_data(
    p: RoleProfileInput,
    district: &str,
    forked_from: Option<(i64, i32)>,
    path: &str,
) -> async_graphql::Result<st::DocumentData> {
    let f = |name: &str| format!("{path}.{name}");
    let role_label = short(&f("roleLabel"), p.role_label.as_deref())?;
    if p.role == ProfileRole::Other && role_label.is_none() {
        return Err(bad_input(
            &f("roleLabel"),
            "Für eine andere Rolle bitte eine Bezeichnung angeben.",
        ));
    }
    let fte = match p.fte {
        None => None,
        Some(v) if v <= Decimal::ZERO || v > Decimal::from(20) => {
            return Err(bad_input(
                &f("fte"),
                format!("{v} VZÄ ist kein plausibler Umfang (mehr als 0, höchstens 20)."),
            ))
        }
        Some(v) => Some(v.normalize().to_string()),
    };
    if let Some(n) = p.kitas_served {
        if !(0..=500).contains(&n) {
            return Err(bad_input(
                &f("kitasServed"),
                format!("{n} Kitas sind unplausibel (0 bis 500)."),
            ));
        }
    }
    let tasks: Vec<(Option<String>, String)> =
        p.tasks.into_iter().map(|t| (t.key, t.text)).collect();
    let mut ways: Vec<WayOfWorking> = Vec::new();
    for w in p.ways_of_working {
        let w: WayOfWorking = w.into();
        if !ways.contains(&w) {
            ways.push(w);
        }
    }
    let c = RoleProfileContent {
        role_label,
        purpose: content::body(&f("purpose"), p.purpose.as_deref())?,
        tasks: content::tasks(&f("tasks"), &tasks)?,
        target_groups: content::list(&f("targetGroups"), &p.target_groups)?,
        ways_of_working: ways,
        qualifications: content::list(&f("qualifications"), &p.qualifications)?,
        lateral_entry: p.lateral_entry,
        access_notes: content::body(&f("accessNotes"), p.access_notes.as_deref())?,
        fte,
        kitas_served: p.kitas_served,
        employer: p.employer.map(Into::into),
        line_supervision: short(&f("lineSupervision"), p.line_supervision.as_deref())?,
        professional_supervision: short(
            &f("professionalSupervision"),
            p.professional_supervision.as_deref(),
        )?,
        cooperation_partners: content::list(&f("cooperationPartners"), &p.cooperation_partners)?,
    };
    Ok(st::DocumentData {
        kind: DocumentKind::RoleProfile,
        district_ags: Some(district.to_owned()),
        title: title(&f("title"), &p.title)?,
        category: Some(p.role.as_str().into()),
        status: p.status.into(),
        publication: publication_for(&f("publication"), p.publication, Some(district))?,
        content: content::write(&c),
        tags: domain::tags(&f("tags"), &p.tags)?,
        forked_from,
        synthetic: false,
    })
}

fn staffing_idea_data(
    p: StaffingIdeaInput,
    district: Option<&str>,
    path: &str,
) -> async_graphql::Result<st::DocumentData> {
    let f = |name: &str| format!("{path}.{name}");
    let c = content::StaffingIdeaContent {
        measure: content::required_body(&f("measure"), &p.measure)?,
        context: content::body(&f("context"), p.context.as_deref())?,
        evidence: content::body(&f("evidence"), p.evidence.as_deref())?,
    };
    Ok(st::DocumentData {
        kind: DocumentKind::StaffingIdea,
        district_ags: district.map(Into::into),
        title: title(&f("title"), &p.title)?,
        category: Some(p.category.as_str().into()),
        status: p.status.into(),
        publication: publication_for(&f("publication"), p.publication, district)?,
        content: content::write(&c),
        tags: domain::tags(&f("tags"), &p.tags)?,
        forked_from: None,
        synthetic: false,
    })
}

fn cost_shares(
    field: &str,
    raw: Vec<CostShareInput>,
) -> async_graphql::Result<Vec<content::CostShare>> {
    if raw.len() > content::MAX_ITEMS {
        return Err(bad_input(field, "Zu viele Kostenträger."));
    }
    let mut out = Vec::new();
    let mut sum = Decimal::ZERO;
    let mut all_given = true;
    for (i, s) in raw.into_iter().enumerate() {
        let path = format!("{field}.{i}");
        let payer = short(&format!("{path}.payer"), Some(&s.payer))?
            .ok_or_else(|| bad_input(&format!("{path}.payer"), "Wer zahlt, fehlt."))?;
        if let Some(p) = s.percent {
            if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                return Err(bad_input(
                    &format!("{path}.percent"),
                    format!("{p} % liegt nicht zwischen 0 und 100."),
                ));
            }
            sum += p;
        } else {
            all_given = false;
        }
        out.push(content::CostShare {
            payer,
            percent: s.percent.map(|p| p.normalize().to_string()),
        });
    }
    if !out.is_empty() && ((all_given && sum != Decimal::ONE_HUNDRED) || sum > Decimal::ONE_HUNDRED)
    {
        return Err(bad_input(
            field,
            format!("Die Anteile ergeben {sum} %, nicht 100 %."),
        ));
    }
    Ok(out)
}

fn cooperation_model_data(
    p: CooperationModelInput,
    district: Option<&str>,
    path: &str,
) -> async_graphql::Result<st::DocumentData> {
    let f = |name: &str| format!("{path}.{name}");
    if p.agreements.len() > content::MAX_ITEMS {
        return Err(bad_input(&f("agreements"), "Zu viele Vereinbarungen."));
    }
    let mut agreements = Vec::new();
    for (i, a) in p.agreements.into_iter().enumerate() {
        let path = f(&format!("agreements.{i}"));
        let parties = content::list(&format!("{path}.parties"), &a.parties)?;
        if parties.len() < 2 {
            return Err(bad_input(
                &format!("{path}.parties"),
                "Eine Vereinbarung braucht mindestens zwei Beteiligte.",
            ));
        }
        agreements.push(content::Agreement {
            parties,
            subject: content::required_body(&format!("{path}.subject"), &a.subject)?,
        });
    }
    let c = content::CooperationModelContent {
        description: content::body(&f("description"), p.description.as_deref())?,
        employer: p.employer.map(Into::into),
        employer_note: content::body(&f("employerNote"), p.employer_note.as_deref())?,
        line_supervision: short(&f("lineSupervision"), p.line_supervision.as_deref())?,
        professional_supervision: short(
            &f("professionalSupervision"),
            p.professional_supervision.as_deref(),
        )?,
        personnel_costs: cost_shares(&f("personnelCosts"), p.personnel_costs)?,
        material_costs: cost_shares(&f("materialCosts"), p.material_costs)?,
        agreements,
        advantages: content::list(&f("advantages"), &p.advantages)?,
        risks: content::list(&f("risks"), &p.risks)?,
    };
    Ok(st::DocumentData {
        kind: DocumentKind::CooperationModel,
        district_ags: district.map(Into::into),
        title: title(&f("title"), &p.title)?,
        category: None,
        status: p.status.into(),
        publication: publication_for(&f("publication"), p.publication, district)?,
        content: content::write(&c),
        tags: domain::tags(&f("tags"), &p.tags)?,
        forked_from: None,
        synthetic: false,
    })
}

async fn optional_district(
    ctx: &Context<'_>,
    ags: Option<&str>,
) -> async_graphql::Result<Option<String>> {
    match ags.map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Ok(Some(known_district(ctx, a).await?)),
        None => Ok(None),
    }
}

#[allow(clippy::too_many_arguments)]
fn session_data(
    workshop_id: i64,
    kind: SessionKind,
    title_raw: &str,
    position: Option<i32>,
    starts_at: Option<&str>,
    ends_at: Option<&str>,
    moderators: &[String],
    inputs: &[String],
    description: Option<&str>,
) -> async_graphql::Result<st::SessionData> {
    let starts_at = time_of_day("input.startsAt", starts_at)?;
    let ends_at = time_of_day("input.endsAt", ends_at)?;
    if let (Some(a), Some(b)) = (&starts_at, &ends_at) {
        if b < a {
            return Err(bad_input(
                "input.endsAt",
                format!("Das Ende ({b}) liegt vor dem Beginn ({a})."),
            ));
        }
    }
    if let Some(p) = position {
        if !(1..=1_000).contains(&p) {
            return Err(bad_input(
                "input.position",
                "Der Platz liegt zwischen 1 und 1000.",
            ));
        }
    }
    Ok(st::SessionData {
        workshop_id,
        kind: kind.into(),
        title: title("input.title", title_raw)?,
        position,
        starts_at,
        ends_at,
        moderators: content::list("input.moderators", moderators)?,
        inputs: content::list("input.inputs", inputs)?,
        description: content::body("input.description", description)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations

#[derive(Default)]
pub struct KnowledgeMutation;

#[Object]
impl KnowledgeMutation {
    /// Legt einen Workshop an (Moderation, Administration; Koordination für den eigenen Bezirk).
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn create_workshop(
        &self,
        ctx: &Context<'_>,
        input: CreateWorkshopInput,
    ) -> async_graphql::Result<Workshop> {
        let viewer = ctx_viewer(ctx);
        let district = optional_district(ctx, input.district_ags.as_deref()).await?;
        let data = st::WorkshopData {
            title: title("input.title", &input.title)?,
            held_on: input.held_on,
            format: input.format.into(),
            organisers: content::list("input.organisers", &input.organisers)?,
            description: content::body("input.description", input.description.as_deref())?,
            publication: publication_for(
                "input.publication",
                input.publication,
                district.as_deref(),
            )?,
            district_ags: district,
            synthetic: false,
        };
        require_workshop_editor(viewer, data.district_ags.as_deref(), data.publication)?;
        let w = ctx_storage(ctx)
            .create_workshop(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(Workshop(w))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn update_workshop(
        &self,
        ctx: &Context<'_>,
        input: UpdateWorkshopInput,
    ) -> async_graphql::Result<Workshop> {
        let viewer = ctx_viewer(ctx);
        let id = ids::expect(&input.id, NodeType::Workshop, "input.id")?;
        let w = workshop_record(ctx, id).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        let data = st::WorkshopData {
            title: match &input.title {
                Some(t) => title("input.title", t)?,
                None => w.title.clone(),
            },
            held_on: input.held_on.unwrap_or(w.held_on),
            format: input.format.map(Into::into).unwrap_or(w.format),
            organisers: match &input.organisers {
                Some(o) => content::list("input.organisers", o)?,
                None => json_names(&w.organisers),
            },
            description: content::body(
                "input.description",
                patch(&w.description, &input.description).as_deref(),
            )?,
            publication: match input.publication {
                Some(p) => publication_for("input.publication", p, w.district_ags.as_deref())?,
                None => w.publication,
            },
            district_ags: w.district_ags.clone(),
            synthetic: w.synthetic,
        };
        // The new publication level must leave the workshop in the editor's reach, too.
        require_workshop_editor(viewer, data.district_ags.as_deref(), data.publication)?;
        let w = ctx_storage(ctx)
            .update_workshop(viewer.user_id(), id, input.version, &data)
            .await
            .gql()?;
        Ok(Workshop(w))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn delete_workshop(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Workshop> {
        workshop_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn restore_workshop(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Workshop> {
        workshop_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Fügt einem Workshop einen Programmpunkt oder Themenraum hinzu.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn create_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: CreateSessionInput,
    ) -> async_graphql::Result<WorkshopSession> {
        let viewer = ctx_viewer(ctx);
        let wid = ids::expect(&input.workshop_id, NodeType::Workshop, "input.workshopId")?;
        let w = workshop_record(ctx, wid).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        if w.deleted_at.is_some() {
            return Err(bad_input("input.workshopId", "Der Workshop ist gelöscht."));
        }
        let data = session_data(
            wid,
            input.kind,
            &input.title,
            input.position,
            input.starts_at.as_deref(),
            input.ends_at.as_deref(),
            &input.moderators,
            &input.inputs,
            input.description.as_deref(),
        )?;
        let s = ctx_storage(ctx)
            .create_session(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(WorkshopSession(s))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn update_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: UpdateSessionInput,
    ) -> async_graphql::Result<WorkshopSession> {
        let viewer = ctx_viewer(ctx);
        let id = ids::expect(&input.id, NodeType::WorkshopSession, "input.id")?;
        let (s, w) = session_record(ctx, id).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        let data = session_data(
            s.workshop_id,
            input.kind.unwrap_or(s.kind.into()),
            input.title.as_deref().unwrap_or(&s.title),
            Some(input.position.unwrap_or(s.position)),
            patch(&s.starts_at, &input.starts_at).as_deref(),
            patch(&s.ends_at, &input.ends_at).as_deref(),
            &input
                .moderators
                .unwrap_or_else(|| json_names(&s.moderators)),
            &input.inputs.unwrap_or_else(|| json_names(&s.inputs)),
            patch(&s.description, &input.description).as_deref(),
        )?;
        let s = ctx_storage(ctx)
            .update_session(viewer.user_id(), id, input.version, &data)
            .await
            .gql()?;
        Ok(WorkshopSession(s))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn delete_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<WorkshopSession> {
        session_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn restore_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<WorkshopSession> {
        session_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Hält einen Diskussionsbeitrag fest. Wer `contributionAdded` für den Programmpunkt
    /// abonniert hat, erhält ihn sofort.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn add_contribution(
        &self,
        ctx: &Context<'_>,
        input: AddContributionInput,
    ) -> async_graphql::Result<Contribution> {
        let viewer = ctx_viewer(ctx);
        let sid = ids::expect(
            &input.session_id,
            NodeType::WorkshopSession,
            "input.sessionId",
        )?;
        let (s, w) = session_record(ctx, sid).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        if s.deleted_at.is_some() || w.deleted_at.is_some() {
            return Err(bad_input(
                "input.sessionId",
                "Der Programmpunkt ist gelöscht.",
            ));
        }
        let data = st::ContributionData {
            session_id: sid,
            district_ags: optional_district(ctx, input.district_ags.as_deref()).await?,
            kind: input.kind.into(),
            body: content::required_body("input.body", &input.body)?,
            tags: domain::tags("input.tags", &input.tags)?,
        };
        let c = ctx_storage(ctx)
            .create_contribution(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(Contribution(c))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn update_contribution(
        &self,
        ctx: &Context<'_>,
        input: UpdateContributionInput,
    ) -> async_graphql::Result<Contribution> {
        let viewer = ctx_viewer(ctx);
        let id = ids::expect(&input.id, NodeType::Contribution, "input.id")?;
        let c = contribution_record(ctx, id).await?;
        let (_, w) = session_record(ctx, c.session_id).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        let tags = match &input.tags {
            Some(t) => domain::tags("input.tags", t)?,
            None => load(ctx, ContributionTags(id)).await?.unwrap_or_default(),
        };
        let data = st::ContributionData {
            session_id: c.session_id,
            district_ags: match &input.district_ags {
                MaybeUndefined::Undefined => c.district_ags.clone(),
                MaybeUndefined::Null => None,
                MaybeUndefined::Value(a) => optional_district(ctx, Some(a)).await?,
            },
            kind: input.kind.map(Into::into).unwrap_or(c.kind),
            body: match &input.body {
                Some(b) => content::required_body("input.body", b)?,
                None => c.body.clone(),
            },
            tags,
        };
        let c = ctx_storage(ctx)
            .update_contribution(viewer.user_id(), id, input.version, &data)
            .await
            .gql()?;
        Ok(Contribution(c))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn delete_contribution(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Contribution> {
        contribution_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn restore_contribution(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Contribution> {
        contribution_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Legt ein Aufgabenprofil des Bezirks an (Fassung 1).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_role_profile(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleProfileInput,
    ) -> async_graphql::Result<RoleProfile> {
        let viewer = ctx_viewer(ctx);
        let ags = known_district(ctx, &input.district_ags).await?;
        viewer.require_district_writer(&ags)?;
        let data = role_profile_data(input.profile, &ags, None, "input.profile")?;
        let d = ctx_storage(ctx)
            .create_document(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(d.into())
    }

    /// Speichert das ganze Profil als neue Fassung.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn update_role_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoleProfileInput,
    ) -> async_graphql::Result<RoleProfile> {
        let kind = DocumentKind::RoleProfile;
        update_document_of(ctx, &input.id, input.version, kind, |d, origin| {
            role_profile_data(
                input.profile,
                d.unwrap_or_default(),
                origin,
                "input.profile",
            )
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn delete_role_profile(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<RoleProfile> {
        document_lifecycle(ctx, input, DocumentKind::RoleProfile, st::Lifecycle::Delete)
            .await
            .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn restore_role_profile(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<RoleProfile> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::RoleProfile,
            st::Lifecycle::Restore,
        )
        .await
        .map(Into::into)
    }

    /// Übernimmt ein veröffentlichtes Profil eines anderen Bezirks als Entwurf in den eigenen
    /// Bezirk; die Kopie merkt sich, woher sie stammt.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn fork_role_profile(
        &self,
        ctx: &Context<'_>,
        input: ForkRoleProfileInput,
    ) -> async_graphql::Result<RoleProfile> {
        let viewer = ctx_viewer(ctx);
        let ags = match ids::decode(&input.district_id) {
            Some((NodeType::District, ags)) => known_district(ctx, &ags)
                .await
                .map_err(|_| bad_input("input.districtId", "Den Bezirk gibt es nicht."))?,
            _ => {
                return Err(bad_input(
                    "input.districtId",
                    "Die ID ist keine gültige ID eines Bezirks.",
                ))
            }
        };
        viewer.require_district_writer(&ags)?;
        let id = ids::expect(&input.id, NodeType::RoleProfile, "input.id")?;
        let origin = visible_document(ctx, id, DocumentKind::RoleProfile).await?;
        let newest = ctx_storage(ctx)
            .revisions_of(&[origin.id])
            .await
            .gql()?
            .into_iter()
            .next()
            .ok_or_else(|| not_found("Die Fassung"))?;
        let data = srb_app::knowledge::fork_of(origin.id, &newest, ags)
            .map_err(crate::error::input_error)?;
        let d = ctx_storage(ctx)
            .create_document(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(d.into())
    }

    /// Legt eine Idee zur Fachkräftegewinnung an.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn create_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: CreateStaffingIdeaInput,
    ) -> async_graphql::Result<StaffingIdea> {
        let district = input.district_ags.as_deref();
        create_document_in(ctx, district, |d| {
            staffing_idea_data(input.idea, d, "input.idea")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn update_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: UpdateStaffingIdeaInput,
    ) -> async_graphql::Result<StaffingIdea> {
        let kind = DocumentKind::StaffingIdea;
        update_document_of(ctx, &input.id, input.version, kind, |d, _| {
            staffing_idea_data(input.idea, d, "input.idea")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn delete_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<StaffingIdea> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::StaffingIdea,
            st::Lifecycle::Delete,
        )
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn restore_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<StaffingIdea> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::StaffingIdea,
            st::Lifecycle::Restore,
        )
        .await
        .map(Into::into)
    }

    /// Legt ein Modell der Trägerkooperation an.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn create_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: CreateCooperationModelInput,
    ) -> async_graphql::Result<CooperationModel> {
        let district = input.district_ags.as_deref();
        create_document_in(ctx, district, |d| {
            cooperation_model_data(input.model, d, "input.model")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn update_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: UpdateCooperationModelInput,
    ) -> async_graphql::Result<CooperationModel> {
        let kind = DocumentKind::CooperationModel;
        update_document_of(ctx, &input.id, input.version, kind, |d, _| {
            cooperation_model_data(input.model, d, "input.model")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn delete_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<CooperationModel> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::CooperationModel,
            st::Lifecycle::Delete,
        )
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    async fn restore_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<CooperationModel> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::CooperationModel,
            st::Lifecycle::Restore,
        )
        .await
        .map(Into::into)
    }
}

/// Creates a document of an optional district after checking who may, building the data from
/// the input only once the district is known.
async fn create_document_in(
    ctx: &Context<'_>,
    district_ags: Option<&str>,
    build: impl FnOnce(Option<&str>) -> async_graphql::Result<st::DocumentData>,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let viewer = ctx_viewer(ctx);
    let district = optional_district(ctx, district_ags).await?;
    require_document_editor(viewer, district.as_deref())?;
    let data = build(district.as_deref())?;
    ctx_storage(ctx)
        .create_document(viewer.user_id(), &data)
        .await
        .gql()
}

/// Saves a new revision of a document: the build gets the document's district and origin.
async fn update_document_of(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    kind: DocumentKind,
    build: impl FnOnce(Option<&str>, Option<(i64, i32)>) -> async_graphql::Result<st::DocumentData>,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(id, node_type(kind), "input.id")?;
    let d = document_record(ctx, id, kind).await?;
    require_document_editor(viewer, d.district_ags.as_deref())?;
    let data = build(
        d.district_ags.as_deref(),
        d.forked_from_id.zip(d.forked_from_revision),
    )?;
    ctx_storage(ctx)
        .update_document(viewer.user_id(), id, version, &data)
        .await
        .gql()
}

async fn contribution_record(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<st::Contribution> {
    ctx_storage(ctx)
        .contributions_by_ids(&[id])
        .await
        .gql()?
        .pop()
        .ok_or_else(|| not_found("Der Beitrag"))
}

async fn workshop_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<Workshop> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, NodeType::Workshop, "input.id")?;
    let w = workshop_record(ctx, id).await?;
    require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
    let w = ctx_storage(ctx)
        .set_workshop_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(Workshop(w))
}

async fn session_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<WorkshopSession> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, NodeType::WorkshopSession, "input.id")?;
    let (_, w) = session_record(ctx, id).await?;
    require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
    let s = ctx_storage(ctx)
        .set_session_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(WorkshopSession(s))
}

async fn contribution_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<Contribution> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, NodeType::Contribution, "input.id")?;
    let c = contribution_record(ctx, id).await?;
    let (_, w) = session_record(ctx, c.session_id).await?;
    require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
    let c = ctx_storage(ctx)
        .set_contribution_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(Contribution(c))
}

async fn document_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    kind: DocumentKind,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, node_type(kind), "input.id")?;
    let d = document_record(ctx, id, kind).await?;
    require_document_editor(viewer, d.district_ags.as_deref())?;
    ctx_storage(ctx)
        .set_document_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

#[derive(Default)]
pub struct KnowledgeSubscription;

#[Subscription]
impl KnowledgeSubscription {
    /// Jeder neue Beitrag des Programmpunkts, sobald er gespeichert ist, in der Reihenfolge des
    /// Speicherns. Berechtigt wie das Lesen des Workshops.
    async fn contribution_added(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Contribution>>> {
        let sid = ids::expect(&session_id, NodeType::WorkshopSession, "sessionId")?;
        let storage = ctx_storage(ctx).clone();
        // Subscribe first, then check: nothing committed in between is missed.
        let events = storage.contribution_events().await.gql()?;
        let viewer = ctx_viewer(ctx);
        match visible_session(ctx, sid).await {
            Ok(_) => {}
            Err(e) if crate::error::is_not_found(&e) && viewer.user.is_none() => {
                // Anonymous callers learn only that they must sign in.
                return Err(crate::error::unauthenticated());
            }
            Err(e) => return Err(e),
        }
        let viewer = viewer.clone();
        // `Some(true)`: the stream has sent its closing reason and ends with the next poll.
        Ok(futures_util::stream::unfold(
            (events, storage, viewer, false),
            move |(mut events, storage, viewer, closed)| async move {
                if closed {
                    return None;
                }
                loop {
                    match events.recv().await {
                        Ok(e) if e.session_id == sid => {
                            // Authorised again for every event: a revoked token or a workshop
                            // made private ends the stream with its reason.
                            if let Err(reason) = still_allowed(storage.as_ref(), &viewer, sid).await
                            {
                                return Some((Err(reason), (events, storage, viewer, true)));
                            }
                            let item =
                                match storage.contributions_by_ids(&[e.contribution_id]).await {
                                    Ok(mut rows) => match rows.pop() {
                                        Some(c) if c.deleted_at.is_none() => Ok(Contribution(c)),
                                        _ => continue,
                                    },
                                    Err(err) => Err(crate::error::from_storage(err)),
                                };
                            return Some((item, (events, storage, viewer, false)));
                        }
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            let item = Err(error(
                                Code::Internal,
                                format!(
                                    "{n} Beiträge konnten nicht rechtzeitig zugestellt werden; \
                                     bitte die Liste neu laden."
                                ),
                            ));
                            return Some((item, (events, storage, viewer, false)));
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}

/// Whether the subscriber may still read the session: the token is looked up again (it may
/// have been revoked, the account's role changed) and the session and its workshop are read
/// afresh (either may have been deleted or made private).
async fn still_allowed(
    storage: &dyn st::Storage,
    viewer: &Viewer,
    session_id: i64,
) -> async_graphql::Result<()> {
    let viewer = match &viewer.token_hash {
        Some(hash) => match storage.user_by_token_hash(hash).await.gql()? {
            Some(user) => Viewer::user(user, Some(hash.clone())),
            None => {
                return Err(error(
                    Code::Unauthenticated,
                    "Die Anmeldung ist abgelaufen oder wurde widerrufen; \
                     die Live-Mitschrift wurde beendet.",
                ))
            }
        },
        None => viewer.clone(),
    };
    let gone = || {
        error(
            Code::NotFound,
            "Der Programmpunkt ist nicht mehr sichtbar; die Live-Mitschrift wurde beendet.",
        )
    };
    let session = storage
        .sessions_by_ids(&[session_id])
        .await
        .gql()?
        .pop()
        .ok_or_else(gone)?;
    let workshop = storage
        .workshops_by_ids(&[session.workshop_id])
        .await
        .gql()?
        .pop()
        .ok_or_else(gone)?;
    let editor = can_edit_workshop(
        &viewer,
        workshop.district_ags.as_deref(),
        workshop.publication,
    );
    if workshop_readable(&viewer, &workshop) && (session.deleted_at.is_none() || editor) {
        Ok(())
    } else {
        Err(gone())
    }
}
