//! Full-text search in the graph. The index answers with keys; the records come from the
//! database and pass the same read checks as everywhere else, so a stale index entry can never
//! show a record the caller may not read. The index query itself is restricted to the caller's
//! audiences, so counts and facets do not reveal such records either.

use srb_app::search_docs::{document_text, join};
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, Union, ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use srb_search::{DocKind, SearchError, SearchIndex, SearchQuery, SortBy};
use srb_storage as st;

use crate::error::{bad_input, error, internal, Code, OrGqlError};
use crate::ids::{self, NodeType};
use crate::knowledge::{self, Contribution, CooperationModel, RoleProfile, StaffingIdea, Workshop};
use crate::records::Kita;
use crate::shared::{DEFAULT_PAGE, MAX_PAGE};
use crate::{ctx_storage, ctx_viewer};

/// Longest query accepted: a sentence or two, not a document.
pub const MAX_QUERY: usize = 500;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "DocKind")]
pub enum SearchKind {
    Contribution,
    RoleProfile,
    StaffingIdea,
    CooperationModel,
    Workshop,
    Kita,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum SearchSort {
    /// Beste Treffer zuerst.
    #[default]
    Relevance,
    /// Neueste zuerst.
    Date,
}

/// Einschränkungen der Suche; dieselben Felder wie die Facetten.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    #[graphql(default)]
    pub kinds: Vec<SearchKind>,
    pub district_ags: Option<String>,
    pub workshop_id: Option<ID>,
    /// Nur Beiträge dieser Sitzung.
    pub session_id: Option<ID>,
    /// Nur Treffer mit allen diesen Schlagwörtern.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Rolle eines Profils, Handlungsfeld einer Idee oder Art eines Beitrags.
    pub category: Option<String>,
    pub year: Option<i32>,
}

#[derive(Union)]
pub enum SearchResult {
    Contribution(Contribution),
    RoleProfile(RoleProfile),
    StaffingIdea(StaffingIdea),
    CooperationModel(CooperationModel),
    Workshop(Workshop),
    Kita(Kita),
}

/// Ein Wert einer Facette und wie viele Treffer ihn haben.
#[derive(SimpleObject, Clone)]
pub struct FacetCount {
    /// Der Wert, wie ihn der Filter nimmt (AGS, ID, Schlagwort …).
    pub value: String,
    /// Der Name zum Wert, wo er nicht für sich spricht (Bezirk, Veranstaltung, Sitzung).
    pub label: Option<String>,
    pub count: i64,
}

#[derive(SimpleObject, Clone, Default)]
pub struct SearchFacets {
    pub kind: Vec<FacetCount>,
    pub district: Vec<FacetCount>,
    /// Veranstaltungen (Wert: ihre ID, für `filter.workshopId`).
    pub workshop: Vec<FacetCount>,
    /// Sitzungen (Wert: ihre ID, für `filter.sessionId`).
    pub session: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
    pub category: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
}

pub struct SearchFields {
    total: i64,
    facets: SearchFacets,
}

#[Object]
impl SearchFields {
    /// Alle Treffer, die der Fragende sehen darf (über alle Seiten).
    async fn total_count(&self) -> i64 {
        self.total
    }
    async fn facets(&self) -> &SearchFacets {
        &self.facets
    }
}

#[derive(SimpleObject)]
pub struct SearchEdgeFields {
    /// Relevanz (höher ist besser; 0 bei Sortierung nach Datum).
    pub score: f64,
    /// Der Titel mit den gefundenen Wörtern in `<mark>`, sonst HTML-maskiert.
    pub title_highlight: String,
    /// Ein Ausschnitt des Texts um den ersten Treffer, ebenso markiert.
    pub highlight: String,
}

/// Facet counts as the graph shows them: each value as the filter takes it, with its name.
fn facet(
    list: &[(String, u64)],
    value_and_label: impl Fn(&str) -> Option<(String, Option<String>)>,
) -> Vec<FacetCount> {
    list.iter()
        .filter_map(|(v, count)| {
            let (value, label) = value_and_label(v)?;
            Some(FacetCount {
                value,
                label,
                count: *count as i64,
            })
        })
        .collect()
}

/// Workshops and sessions by global ID, the value `filter.workshopId`/`sessionId` takes.
fn by_id(
    kind: NodeType,
    names: &HashMap<i64, String>,
) -> impl Fn(&str) -> Option<(String, Option<String>)> + '_ {
    move |v| {
        let id: i64 = v.parse().ok()?;
        Some((ids::encode(kind, id).to_string(), names.get(&id).cloned()))
    }
}

/// A facet whose values speak for themselves (kinds, tags, years).
fn plain(v: &str) -> Option<(String, Option<String>)> {
    Some((v.to_owned(), None))
}

/// The facets with names: districts by AGS, workshops and sessions by global ID and title.
/// Only values of hits the caller may read are counted, so their names are readable too.
async fn named_facets(
    ctx: &Context<'_>,
    facets: &srb_search::Facets,
) -> async_graphql::Result<SearchFacets> {
    let storage = ctx_storage(ctx);
    let numbers = |list: &[(String, u64)]| -> Vec<i64> {
        list.iter().filter_map(|(v, _)| v.parse().ok()).collect()
    };
    let agss: Vec<String> = facets.district.iter().map(|(v, _)| v.clone()).collect();
    let workshop_ids = numbers(&facets.workshop);
    let session_ids = numbers(&facets.session);
    // Independent reads, side by side (districts come from memory, the others in one query each).
    let (districts, workshops, sessions) = tokio::try_join!(
        storage.districts_by_ags(&agss),
        storage.workshops_by_ids(&workshop_ids),
        storage.sessions_by_ids(&session_ids),
    )
    .gql()?;
    let districts: HashMap<String, String> =
        districts.into_iter().map(|d| (d.ags, d.name)).collect();
    let workshops: HashMap<i64, String> = workshops.into_iter().map(|w| (w.id, w.title)).collect();
    let sessions: HashMap<i64, String> = sessions.into_iter().map(|s| (s.id, s.title)).collect();
    Ok(SearchFacets {
        kind: facet(&facets.kind, plain),
        district: facet(&facets.district, |v| {
            Some((v.to_owned(), districts.get(v).cloned()))
        }),
        workshop: facet(&facets.workshop, by_id(NodeType::Workshop, &workshops)),
        session: facet(&facets.session, by_id(NodeType::WorkshopSession, &sessions)),
        tags: facet(&facets.tags, plain),
        category: facet(&facets.category, plain),
        year: facet(&facets.year, plain),
    })
}

/// Cursors carry the offset and a fingerprint of the search they belong to.
fn fingerprint(q: &SearchQuery) -> String {
    let text = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        q.text,
        q.audiences,
        q.kinds,
        q.district_ags,
        q.workshop_id,
        q.session_id,
        q.tags,
        q.category,
        q.year,
        q.sort
    );
    let digest = Sha256::digest(text.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

fn cursor(offset: usize, print: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("s:{offset}:{print}"))
}

fn parse_cursor(raw: &str, print: &str) -> async_graphql::Result<usize> {
    let text = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad_input("after", "Der Cursor ist ungültig."))?;
    let mut parts = text.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("s"), Some(offset), Some(p)) if p == print => offset
            .parse()
            .map_err(|_| bad_input("after", "Der Cursor ist ungültig.")),
        (Some("s"), Some(_), Some(_)) => Err(bad_input(
            "after",
            "Der Cursor gehört zu einer anderen Suche; bitte ohne `after` neu beginnen.",
        )),
        _ => Err(bad_input("after", "Der Cursor ist ungültig.")),
    }
}

fn search_error(e: SearchError) -> async_graphql::Error {
    match e {
        SearchError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "search unavailable");
            error(
                Code::SearchUnavailable,
                "Die Suche ist gerade nicht verfügbar. Alles andere funktioniert weiter; \
                 bitte später erneut suchen.",
            )
        }
        other => internal(other),
    }
}

/// The audiences the caller belongs to (`srb_domain::Reader::audience_terms`); None: all.
fn caller_audiences(viewer: &crate::Viewer) -> Option<Vec<String>> {
    viewer.reader().audience_terms()
}

#[derive(Default)]
pub struct SearchQueryRoot;

#[Object]
impl SearchQueryRoot {
    /// Volltextsuche über Diskussionsbeiträge, Aufgabenprofile, Ideen, Kooperationsmodelle,
    /// Workshops und Kitas. Deutsche Wortformen, Gender-Schreibweisen, Abkürzungen (KiSa, SRB,
    /// IKF, JHA, VZÄ) und Tippfehler werden berücksichtigt. Eine leere Anfrage liefert die
    /// neuesten Einträge.
    #[graphql(
        complexity = "crate::shared::COST_SEARCH + crate::shared::page_complexity(first, None, child_complexity)"
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<SearchFilter>,
        #[graphql(default)] sort: SearchSort,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, SearchResult, SearchFields, SearchEdgeFields>>
    {
        let chars = query.chars().count();
        if chars > MAX_QUERY {
            return Err(bad_input(
                "query",
                format!("Die Suchanfrage ist zu lang: {chars} Zeichen, höchstens {MAX_QUERY}."),
            ));
        }
        let limit = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&limit) {
            return Err(bad_input(
                "first",
                format!("first muss zwischen 0 und {MAX_PAGE} liegen, nicht {limit}."),
            ));
        }
        let filter = filter.unwrap_or_default();
        if let Some(ags) = &filter.district_ags {
            crate::shared::district_at(ctx, ags, "filter.districtAgs").await?;
        }
        let mut q = SearchQuery {
            text: query.trim().to_owned(),
            audiences: caller_audiences(ctx_viewer(ctx)),
            kinds: filter.kinds.into_iter().map(Into::into).collect(),
            district_ags: filter.district_ags,
            workshop_id: filter
                .workshop_id
                .map(|id| ids::expect(&id, NodeType::Workshop, "filter.workshopId"))
                .transpose()?,
            session_id: filter
                .session_id
                .map(|id| ids::expect(&id, NodeType::WorkshopSession, "filter.sessionId"))
                .transpose()?,
            tags: filter.tags,
            category: filter.category,
            year: filter.year,
            sort: match sort {
                SearchSort::Relevance => SortBy::Relevance,
                SearchSort::Date => SortBy::Date,
            },
            offset: 0,
            limit: limit as usize,
            facets: requested_facets(ctx),
            ..Default::default()
        };
        let print = fingerprint(&q);
        if let Some(a) = &after {
            q.offset = parse_cursor(a, &print)? + 1;
        }
        let results = run_search(ctx, &q).await?;
        // The hits' records and the facets' names: independent reads, side by side.
        let (mut nodes, facets) = tokio::try_join!(
            load_nodes(ctx, &results.hits),
            named_facets(ctx, &results.facets)
        )?;
        let fields = SearchFields {
            total: results.total as i64,
            facets,
        };
        let has_next = (q.offset + results.hits.len()) < results.total as usize;
        let mut connection = Connection::with_additional_fields(q.offset > 0, has_next, fields);
        for (i, hit) in results.hits.into_iter().enumerate() {
            let Some(node) = nodes.remove(&(hit.kind, hit.id)) else {
                continue;
            };
            connection.edges.push(Edge::with_additional_fields(
                cursor(q.offset + i, &print),
                node,
                SearchEdgeFields {
                    score: hit.score as f64,
                    title_highlight: hit.title_snippet,
                    highlight: hit.body_snippet,
                },
            ));
        }
        Ok(connection)
    }

    /// Vorschläge während der Eingabe (ab zwei Buchstaben): Einträge, deren Wörter so
    /// beginnen, nur aus dem, was der Fragende sehen darf.
    #[graphql(complexity = "crate::shared::COST_SEARCH / 2 + child_complexity")]
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        #[graphql(default = 8)] first: i32,
    ) -> async_graphql::Result<Vec<Suggestion>> {
        let chars = prefix.trim().chars().count();
        if chars > MAX_QUERY {
            return Err(bad_input(
                "prefix",
                format!("Die Eingabe ist zu lang: {chars} Zeichen, höchstens {MAX_QUERY}."),
            ));
        }
        check_suggestions(first)?;
        if chars < MIN_PREFIX {
            return Ok(Vec::new());
        }
        let q = SearchQuery {
            text: prefix.trim().to_owned(),
            audiences: caller_audiences(ctx_viewer(ctx)),
            limit: first as usize,
            ..Default::default()
        };
        let (results, mut nodes) = search_and_load(ctx, &q).await?;
        Ok(results
            .hits
            .into_iter()
            .filter_map(|h| {
                let node = nodes.remove(&(h.kind, h.id))?;
                let highlight = if h.title_snippet.is_empty() {
                    h.body_snippet
                } else {
                    h.title_snippet
                };
                Some(Suggestion {
                    label: h.label,
                    highlight,
                    node,
                })
            })
            .collect())
    }

    /// Aufgabenprofile anderer Bezirke, die diesem am ähnlichsten sind (nach Aufgaben,
    /// Zielgruppen, Arbeitsweisen und Zugang): was sich zur Übernahme anbietet.
    #[graphql(complexity = "crate::shared::COST_SEARCH + child_complexity")]
    async fn similar_profiles(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = 5)] first: i32,
    ) -> async_graphql::Result<Vec<SimilarProfile>> {
        check_suggestions(first)?;
        let id = ids::expect(&id, NodeType::RoleProfile, "id")?;
        let profile = knowledge::visible_document(ctx, id, st::DocumentKind::RoleProfile).await?;
        let q = SearchQuery {
            text: join(&[&profile.title, &document_text(&profile)]),
            audiences: caller_audiences(ctx_viewer(ctx)),
            kinds: vec![DocKind::RoleProfile],
            exclude_district: profile.district_ags.clone(),
            exclude: Some((DocKind::RoleProfile, profile.id)),
            match_any: true,
            limit: first as usize,
            ..Default::default()
        };
        let (results, mut nodes) = search_and_load(ctx, &q).await?;
        Ok(results
            .hits
            .into_iter()
            .filter_map(|h| match nodes.remove(&(h.kind, h.id))? {
                SearchResult::RoleProfile(profile) => Some(SimilarProfile {
                    score: h.score as f64,
                    profile,
                }),
                _ => None,
            })
            .collect())
    }
}

/// Ein Vorschlag während der Eingabe.
#[derive(SimpleObject)]
pub struct Suggestion {
    /// Titel oder Textanfang, ohne Auszeichnung.
    pub label: String,
    /// Derselbe Text mit den passenden Wortanfängen in `<mark>`.
    pub highlight: String,
    pub node: SearchResult,
}

/// Ein Aufgabenprofil eines anderen Bezirks und wie ähnlich es ist.
#[derive(SimpleObject)]
pub struct SimilarProfile {
    /// Ähnlichkeit (höher ist ähnlicher; nur innerhalb einer Antwort vergleichbar).
    pub score: f64,
    pub profile: RoleProfile,
}

/// Shortest prefix worth suggesting for; one letter matches half the vocabulary.
pub const MIN_PREFIX: usize = 2;
pub const MAX_SUGGESTIONS: i32 = 20;

/// The facets the query selects: only those are counted.
fn requested_facets(ctx: &Context<'_>) -> srb_search::FacetFields {
    let facets = ctx.look_ahead().field("facets");
    let asked = |name: &str| facets.field(name).exists();
    srb_search::FacetFields {
        kind: asked("kind"),
        district: asked("district"),
        workshop: asked("workshop"),
        session: asked("session"),
        tags: asked("tags"),
        category: asked("category"),
        year: asked("year"),
    }
}

fn check_suggestions(first: i32) -> async_graphql::Result<()> {
    if !(1..=MAX_SUGGESTIONS).contains(&first) {
        return Err(bad_input(
            "first",
            format!("first muss zwischen 1 und {MAX_SUGGESTIONS} liegen, nicht {first}."),
        ));
    }
    Ok(())
}

/// Asks the configured index.
async fn run_search(
    ctx: &Context<'_>,
    q: &SearchQuery,
) -> async_graphql::Result<srb_search::SearchResults> {
    let index = ctx.data_unchecked::<Arc<dyn SearchIndex>>();
    index.search(q).await.map_err(search_error)
}

/// Runs a search and reads the records behind its hits.
async fn search_and_load(
    ctx: &Context<'_>,
    q: &SearchQuery,
) -> async_graphql::Result<(
    srb_search::SearchResults,
    HashMap<(DocKind, i64), SearchResult>,
)> {
    let results = run_search(ctx, q).await?;
    let nodes = load_nodes(ctx, &results.hits).await?;
    Ok((results, nodes))
}

/// The records behind the hits, from the database, each only if the caller may read it now.
async fn load_nodes(
    ctx: &Context<'_>,
    hits: &[srb_search::SearchHit],
) -> async_graphql::Result<HashMap<(DocKind, i64), SearchResult>> {
    let storage = ctx_storage(ctx);
    let viewer = ctx_viewer(ctx);
    let ids_of = |kind: DocKind| -> Vec<i64> {
        hits.iter()
            .filter(|h| h.kind == kind)
            .map(|h| h.id)
            .collect()
    };
    let mut out: HashMap<(DocKind, i64), SearchResult> = HashMap::new();
    let mut put = |kind, id, node| {
        out.insert((kind, id), node);
    };
    let doc_ids: Vec<i64> = hits
        .iter()
        .filter(|h| {
            matches!(
                h.kind,
                DocKind::RoleProfile | DocKind::StaffingIdea | DocKind::CooperationModel
            )
        })
        .map(|h| h.id)
        .collect();
    let contribution_ids = ids_of(DocKind::Contribution);
    let kita_ids = ids_of(DocKind::Kita);
    // Independent reads, side by side: each is a round trip to the database.
    let (documents, contributions, kitas) = tokio::try_join!(
        storage.documents_by_ids(&doc_ids),
        storage.contributions_by_ids(&contribution_ids),
        storage.kitas_by_ids(&kita_ids),
    )
    .gql()?;
    for d in documents {
        if !knowledge::document_readable(viewer, &d) || d.deleted_at.is_some() {
            continue;
        }
        match d.kind {
            st::DocumentKind::RoleProfile => put(
                DocKind::RoleProfile,
                d.id,
                SearchResult::RoleProfile(d.into()),
            ),
            st::DocumentKind::StaffingIdea => put(
                DocKind::StaffingIdea,
                d.id,
                SearchResult::StaffingIdea(d.into()),
            ),
            st::DocumentKind::CooperationModel => put(
                DocKind::CooperationModel,
                d.id,
                SearchResult::CooperationModel(d.into()),
            ),
        }
    }
    let sessions = storage
        .sessions_by_ids(
            &contributions
                .iter()
                .map(|c| c.session_id)
                .collect::<Vec<_>>(),
        )
        .await
        .gql()?;
    let mut workshop_ids: Vec<i64> = sessions.iter().map(|s| s.workshop_id).collect();
    workshop_ids.extend(ids_of(DocKind::Workshop));
    let workshops: HashMap<i64, st::Workshop> = storage
        .workshops_by_ids(&workshop_ids)
        .await
        .gql()?
        .into_iter()
        .filter(|w| w.deleted_at.is_none() && knowledge::workshop_readable(viewer, w))
        .map(|w| (w.id, w))
        .collect();
    for c in contributions {
        let live = sessions
            .iter()
            .find(|s| s.id == c.session_id)
            .is_some_and(|s| s.deleted_at.is_none() && workshops.contains_key(&s.workshop_id));
        if live && c.deleted_at.is_none() {
            put(
                DocKind::Contribution,
                c.id,
                SearchResult::Contribution(Contribution(c)),
            );
        }
    }
    for id in ids_of(DocKind::Workshop) {
        if let Some(w) = workshops.get(&id) {
            put(
                DocKind::Workshop,
                id,
                SearchResult::Workshop(Workshop(w.clone())),
            );
        }
    }
    for k in kitas {
        if k.deleted_at.is_none() {
            put(DocKind::Kita, k.id, SearchResult::Kita(Kita(k)));
        }
    }
    Ok(out)
}
