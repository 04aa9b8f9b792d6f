//! The Meilisearch backend, for several `srb` instances sharing one index.
//!
//! German analysis is the same as the embedded index's: [`Analyzer`] turns title and text into
//! folded, stemmed terms with gender forms and synonyms resolved, and the query into the same
//! terms, so both backends agree on what a word is. Meilisearch adds its ranking, typo
//! tolerance and prefix search on top. Snippets are marked here, from the stored text, the same
//! way for both backends.
//!
//! An update is confirmed only when its Meilisearch task succeeded; a failed or timed-out task
//! is an error, so the outbox row waits and is tried again.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::documents::DocumentDeletionQuery;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode, ErrorType};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::settings::{
    LocalizedAttributes, MinWordSizeForTypos, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};

use crate::meili_http::MeiliHttp;
use crate::{
    Analyzer, DocKind, Facets, Removal, Result, SearchDoc, SearchError, SearchHit, SearchIndex,
    SearchQuery, SearchResults, SortBy, SNIPPET_CHARS,
};

/// How long an update may take before it counts as failed (the outbox tries again).
const TASK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one request may go unanswered: a hanging Meilisearch must not hang the search
/// page or the indexer with it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const TASK_POLL: Duration = Duration::from_millis(25);
/// The locale the pre-analysed terms are tokenized in: Latin script, split at spaces, nothing
/// else (see [`MeiliIndex::settings`]).
const TERMS_LOCALE: &str = "eng";
/// The longest one `apply` can take before it fails: up to three tasks (removals by workshop,
/// removals by key, documents), each sent and confirmed within its deadlines. The outbox's
/// lease must be longer, or another worker takes rows that are still being applied.
pub const LONGEST_APPLY: Duration =
    Duration::from_secs(3 * (2 * REQUEST_TIMEOUT.as_secs() + TASK_TIMEOUT.as_secs()));

/// The part of a document a search hit brings back.
#[derive(Deserialize)]
struct MeiliHit {
    kind: String,
    id: i64,
    title: String,
    body: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct MeiliDoc {
    /// `KIND-id`: Meilisearch keys allow letters, digits, `-` and `_` only.
    key: String,
    kind: String,
    id: i64,
    title: String,
    body: String,
    terms_title: String,
    terms_body: String,
    /// What the analyser adds to the words of title and text (forms, parts, synonyms): ranked
    /// below them, and apart, so the words keep their positions.
    terms_more: String,
    /// General synonyms of the words (thesaurus): ranked last.
    terms_related: String,
    district: Option<String>,
    audience: Vec<String>,
    workshop: Option<i64>,
    session: Option<i64>,
    tags: Vec<String>,
    category: Option<String>,
    year: String,
    day: i64,
    /// Kind and id: among hits of equal rank, the order (the last ranking rule).
    tiebreak: i64,
}

fn meili_key(kind: DocKind, id: i64) -> String {
    format!("{}-{id}", kind.as_str())
}

fn unavailable(e: MeiliError) -> SearchError {
    match e {
        // Meilisearch answered, but broken (disk full, out of memory): down for now.
        MeiliError::Meilisearch(e) if e.error_type == ErrorType::Internal => {
            SearchError::Unavailable(e.to_string())
        }
        // The request reached Meilisearch and it refused: a bug or a misconfiguration here.
        MeiliError::Meilisearch(e) => SearchError::Index(e.to_string()),
        // No answer: the backend is down or unreachable; writes wait in the outbox.
        other => SearchError::Unavailable(other.to_string()),
    }
}

/// A filter value as a Meilisearch string literal.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn any_of(field: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| quoted(v)).collect();
    format!("{field} IN [{}]", list.join(", "))
}

pub struct MeiliIndex {
    client: Client<MeiliHttp>,
    index: Index<MeiliHttp>,
    analyzer: Analyzer,
    timeout: Duration,
    created: bool,
}

impl MeiliIndex {
    /// Connects and configures the index `name` (created when missing). Fails when
    /// Meilisearch cannot be reached: a misconfigured URL should stop the start, not hide.
    pub async fn connect(url: &str, key: Option<&str>, name: &str) -> Result<Self> {
        Self::connect_with_timeout(url, key, name, REQUEST_TIMEOUT).await
    }

    /// [`Self::connect`] with another limit for each request.
    pub async fn connect_with_timeout(
        url: &str,
        key: Option<&str>,
        name: &str,
        timeout: Duration,
    ) -> Result<Self> {
        let http = MeiliHttp::new(key).map_err(unavailable)?;
        let client = Client::new_with_client(url, key, http);
        let uid = format!("{name}_{}", crate::FORMAT);
        let index = client.index(&uid);
        let mut this = Self {
            client,
            index,
            analyzer: Analyzer::default(),
            timeout,
            created: false,
        };
        this.created = this.configure(&uid).await?;
        Ok(this)
    }

    /// Whether connecting created the index: every record must be queued for it.
    pub fn created(&self) -> bool {
        self.created
    }

    async fn exists(&self, uid: &str) -> Result<bool> {
        self.answer(self.timeout, async {
            match self.client.get_index(uid).await {
                Ok(_) => Ok(true),
                Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {
                    Ok(false)
                }
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Awaits one call to Meilisearch, at most `limit`; no answer in time counts as down.
    async fn answer<T>(
        &self,
        limit: Duration,
        call: impl std::future::Future<Output = std::result::Result<T, MeiliError>>,
    ) -> Result<T> {
        match tokio::time::timeout(limit, call).await {
            Ok(result) => result.map_err(unavailable),
            Err(_) => Err(SearchError::Unavailable(format!(
                "Meilisearch did not answer within {} ms",
                limit.as_millis()
            ))),
        }
    }

    /// Creates the index when missing and applies the settings; true when it was created.
    async fn configure(&self, uid: &str) -> Result<bool> {
        let mut created = false;
        if !self.exists(uid).await? {
            let task = self
                .answer(self.timeout, self.client.create_index(uid, Some("key")))
                .await?;
            match self.confirm(task).await {
                Ok(()) => created = true,
                // Another instance starting at the same moment created it first.
                Err(_) if self.exists(uid).await? => {}
                Err(e) => return Err(e),
            }
        }
        // Applied at every start: an upgraded instance brings its settings, and Meilisearch
        // re-reads its stored documents with them (the index stays and serves meanwhile).
        let settings = self.settings();
        let task = self
            .answer(self.timeout, self.index.set_settings(&settings))
            .await?;
        self.confirm(task).await?;
        Ok(created)
    }

    /// What this version needs of the index: the pre-analysed terms searchable, title before
    /// text before what the analyser added; the filters and the date sort; the analyser's
    /// synonyms and stop words; typos from 5 letters (one) and 9 (two), as the embedded index
    /// allows them.
    pub fn settings(&self) -> Settings {
        // Documents carry the terms of every member of a synonym group they mention already;
        // these are for the query side, member for member.
        let synonyms: HashMap<String, Vec<String>> = self
            .analyzer
            .synonym_terms()
            .into_iter()
            .flat_map(|group| {
                group.clone().into_iter().map(move |t| {
                    let others = group.iter().filter(|o| **o != t).cloned().collect();
                    (t, others)
                })
            })
            .collect();
        Settings::new()
            .with_searchable_attributes([
                "terms_title",
                "terms_body",
                "terms_more",
                "terms_related",
            ])
            .with_filterable_attributes([
                "key", "kind", "district", "audience", "workshop", "session", "tags", "category",
                "year",
            ])
            .with_sortable_attributes(["day"])
            // Meilisearch's own rules, then kind and id, as the embedded index breaks ties.
            .with_ranking_rules([
                "words",
                "typo",
                "proximity",
                "attribute",
                "sort",
                "exactness",
                "tiebreak:asc",
            ])
            // The terms are German already, analysed here (stems, compound parts, gender forms).
            // Meilisearch's German segmenter would split them once more (`farbkleck` into
            // `farb` + `kleck`), and a typo in a part of a compound then finds nothing
            // (`Farbkleks` missed `Farbklecks`): they are read as plain words, in a locale
            // without segmentation, and the query the same way.
            .with_localized_attributes([LocalizedAttributes {
                locales: vec![TERMS_LOCALE.into()],
                attribute_patterns: vec!["terms_*".into()],
            }])
            // Our analyser drops them already; set so that Meilisearch agrees with it.
            .with_stop_words(crate::compound::Dictionary::shared().stop_words())
            .with_synonyms(synonyms)
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                disable_on_numbers: None,
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(5),
                    two_typos: Some(9),
                }),
            })
    }

    /// The settings as Meilisearch holds them.
    pub async fn applied_settings(&self) -> Result<Settings> {
        self.answer(self.timeout, self.index.get_settings()).await
    }

    /// Deletes the whole index (a test's own, or one a new index format replaced).
    pub async fn delete(self) -> Result<()> {
        let task = self
            .answer(self.timeout, self.index.clone().delete())
            .await?;
        self.confirm(task).await
    }

    /// Waits for the task and turns anything but success into an error.
    async fn confirm(&self, task: TaskInfo) -> Result<()> {
        let done = self
            .answer(
                TASK_TIMEOUT + self.timeout,
                task.wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT)),
            )
            .await?;
        match done {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => Err(SearchError::Index(content.error.to_string())),
            _ => Err(SearchError::Unavailable(
                "the search update did not finish in time".into(),
            )),
        }
    }

    fn to_doc(&self, d: SearchDoc) -> MeiliDoc {
        let (title_words, title_more) = self.analyzer.index_terms_apart(&d.title);
        let (body_words, body_more) = self.analyzer.index_terms_apart(&d.body);
        MeiliDoc {
            key: meili_key(d.kind, d.id),
            kind: d.kind.as_str().to_owned(),
            id: d.id,
            terms_title: title_words,
            terms_body: body_words,
            terms_more: format!("{title_more} {body_more}"),
            terms_related: self
                .analyzer
                .related_terms(&format!("{}\n{}", d.title, d.body)),
            title: d.title,
            body: d.body,
            district: d.district_ags,
            audience: d.audiences,
            workshop: d.workshop_id,
            session: d.session_id,
            tags: d.tags,
            category: d.category,
            year: d.year.to_string(),
            tiebreak: crate::tiebreak(d.kind, d.id),
            day: d.day,
        }
    }

    fn filter(q: &SearchQuery) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(a) = &q.audiences {
            parts.push(any_of("audience", a));
        }
        if !q.kinds.is_empty() {
            let kinds: Vec<String> = q.kinds.iter().map(|k| k.as_str().to_owned()).collect();
            parts.push(any_of("kind", &kinds));
        }
        if let Some(d) = &q.district_ags {
            parts.push(format!("district = {}", quoted(d)));
        }
        if let Some(w) = q.workshop_id {
            parts.push(format!("workshop = {w}"));
        }
        if let Some(session) = q.session_id {
            parts.push(format!("session = {session}"));
        }
        for t in &q.tags {
            parts.push(format!("tags = {}", quoted(t)));
        }
        if let Some(c) = &q.category {
            parts.push(format!("category = {}", quoted(c)));
        }
        if let Some(y) = q.year {
            parts.push(format!("year = {}", quoted(&y.to_string())));
        }
        if let Some(d) = &q.exclude_district {
            parts.push(format!("(district IS NULL OR district != {})", quoted(d)));
        }
        if let Some((kind, id)) = q.exclude {
            parts.push(format!("key != {}", quoted(&meili_key(kind, id))));
        }
        parts.join(" AND ")
    }
}

fn facet_list(dist: &HashMap<String, HashMap<String, usize>>, name: &str) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = dist
        .get(name)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.clone(), *v as u64))
                .collect()
        })
        .unwrap_or_default();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    async fn apply(&self, removals: Vec<Removal>, docs: Vec<SearchDoc>) -> Result<()> {
        // Meilisearch applies the tasks of one index in the order they were enqueued.
        let mut keys: Vec<String> = Vec::new();
        let mut workshops: Vec<String> = Vec::new();
        for r in removals {
            match r {
                Removal::Doc(kind, id) => keys.push(meili_key(kind, id)),
                Removal::Workshop(id) => workshops.push(id.to_string()),
            }
        }
        let mut tasks = Vec::new();
        if !workshops.is_empty() {
            let filter = format!("workshop IN [{}]", workshops.join(", "));
            let mut query = DocumentDeletionQuery::new(&self.index);
            query.with_filter(&filter);
            tasks.push(
                self.answer(self.timeout, self.index.delete_documents_with(&query))
                    .await?,
            );
        }
        if !keys.is_empty() {
            tasks.push(
                self.answer(self.timeout, self.index.delete_documents(&keys))
                    .await?,
            );
        }
        if !docs.is_empty() {
            let docs: Vec<MeiliDoc> = docs.into_iter().map(|d| self.to_doc(d)).collect();
            tasks.push(
                self.answer(self.timeout, self.index.add_or_replace(&docs, Some("key")))
                    .await?,
            );
        }
        for task in tasks {
            self.confirm(task).await?;
        }
        Ok(())
    }

    async fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let words = self.analyzer.query_words(&q.text);
        // One term a word: the shortest form is the base of a gendered word, which every
        // form's document carries.
        let mut terms: Vec<String> = words
            .iter()
            .filter_map(|w| w.forms.iter().min_by_key(|f| f.len()).cloned())
            .collect();
        if q.match_any {
            terms.sort();
            terms.dedup();
            terms.truncate(crate::MAX_SIMILAR_WORDS);
        }
        let text = terms.join(" ");
        let filter = Self::filter(q);
        let facets = q.facets.names();
        let mut search = self.index.search();
        search
            .with_query(&text)
            .with_offset(q.offset)
            .with_limit(q.limit.max(1))
            .with_show_ranking_score(true)
            .with_locales(&[TERMS_LOCALE]);
        if !facets.is_empty() {
            search.with_facets(Selectors::Some(&facets));
        }
        if q.match_any {
            search.with_matching_strategy(meilisearch_sdk::search::MatchingStrategies::LAST);
        } else if words.len() >= crate::SHARE_FROM_WORDS {
            // As on the embedded index: most of a longer query's words suffice, ranked below
            // all of them; the most frequent words are the first to go.
            search.with_matching_strategy(meilisearch_sdk::search::MatchingStrategies::FREQUENCY);
        }
        if !filter.is_empty() {
            search.with_filter(&filter);
        }
        let by_date = ["day:desc"];
        if q.sort == SortBy::Date || words.is_empty() {
            search.with_sort(&by_date);
        }
        // Only what a hit needs: the analysed terms are most of a document's bytes.
        search.with_attributes_to_retrieve(Selectors::Some(&["kind", "id", "title", "body"]));
        let found = self
            .answer(self.timeout, search.execute::<MeiliHit>())
            .await?;
        let hits = found
            .hits
            .into_iter()
            .filter_map(|h| {
                let d = h.result;
                let kind = DocKind::parse(&d.kind)?;
                Some(SearchHit {
                    kind,
                    id: d.id,
                    score: h.ranking_score.unwrap_or_default() as f32,
                    label: crate::label(&d.title, &d.body),
                    title_snippet: self.analyzer.snippet(&d.title, &words, usize::MAX),
                    body_snippet: self.analyzer.snippet(&d.body, &words, SNIPPET_CHARS),
                })
            })
            .collect();
        let dist = found.facet_distribution.unwrap_or_default();
        Ok(SearchResults {
            total: found
                .total_hits
                .or(found.estimated_total_hits)
                .unwrap_or_default() as u64,
            hits,
            facets: Facets {
                kind: facet_list(&dist, "kind"),
                district: facet_list(&dist, "district"),
                workshop: facet_list(&dist, "workshop"),
                session: facet_list(&dist, "session"),
                tags: facet_list(&dist, "tags"),
                category: facet_list(&dist, "category"),
                year: facet_list(&dist, "year"),
            },
        })
    }

    async fn clear(&self) -> Result<()> {
        let task = self
            .answer(self.timeout, self.index.delete_all_documents())
            .await?;
        self.confirm(task).await
    }

    async fn count(&self) -> Result<u64> {
        let stats = self.answer(self.timeout, self.index.get_stats()).await?;
        Ok(stats.number_of_documents as u64)
    }
}
