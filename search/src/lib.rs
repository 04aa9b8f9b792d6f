//! Full-text search of the knowledge store (and Kitas by name and place). The database is the
//! source of truth; an index is derived from it and can always be rebuilt. [`SearchIndex`] is
//! the one interface; [`TantivyIndex`] the embedded backend in the data directory.
//!
//! Who may see a record is decided before the index is asked: every document carries the
//! audiences that may read it (`public`, `registered`, `district:07111`), and every query is
//! restricted to the caller's audiences, so hits, counts and facets never include a record the
//! caller may not read.

pub mod analysis;
mod compound;
mod fuzzy;
pub mod lemma;
mod meili;
mod meili_http;
mod packed;
mod tantivy_index;
pub mod thesaurus;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use analysis::Analyzer;
pub use meili::{MeiliIndex, LONGEST_APPLY};
pub use tantivy_index::TantivyIndex;

/// The version of what is indexed (schema and analysis): the embedded index's subdirectory and
/// the suffix of the Meilisearch index. It changes whenever the schema or the analysis does, so
/// an updated `srb` starts a new index and fills it from the database (the old one stays until
/// removed by hand) instead of reading terms it no longer produces.
pub const FORMAT: &str = "v5";
/// Length of a text snippet around the first match, in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;
/// Words of a record used to find similar ones: enough to characterise a profile, few enough
/// to answer quickly.
pub(crate) const MAX_SIMILAR_WORDS: usize = 60;

/// From this many words on, a query also finds records that hold only most of them (ranked
/// below those with all): a question in a sentence carries words no answer repeats.
pub(crate) const SHARE_FROM_WORDS: usize = 3;

/// How many of a query's `n` words a record must hold: all of one or two, half of more.
pub(crate) fn required_words(n: usize) -> usize {
    if n < SHARE_FROM_WORDS {
        n
    } else {
        n.div_ceil(2)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(String),
    #[error("search backend unavailable: {0}")]
    Unavailable(String),
    /// The embedded index is open in another process (a running server).
    #[error("the search index is in use by another process")]
    Locked,
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Locked,
            e => SearchError::Index(e.to_string()),
        }
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocKind {
    Contribution,
    RoleProfile,
    StaffingIdea,
    CooperationModel,
    Workshop,
    Kita,
}

/// Kind and id in one number, the last word on the order of hits of equal rank on both
/// backends: the kind's place in [`DocKind::ALL`] above the id.
pub(crate) fn tiebreak(kind: DocKind, id: i64) -> i64 {
    let k = DocKind::ALL.iter().position(|x| *x == kind).unwrap_or(0) as i64;
    (k << 48) | (id & ((1 << 48) - 1))
}

impl DocKind {
    pub const ALL: [DocKind; 6] = [
        DocKind::Contribution,
        DocKind::RoleProfile,
        DocKind::StaffingIdea,
        DocKind::CooperationModel,
        DocKind::Workshop,
        DocKind::Kita,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Contribution => "CONTRIBUTION",
            DocKind::RoleProfile => "ROLE_PROFILE",
            DocKind::StaffingIdea => "STAFFING_IDEA",
            DocKind::CooperationModel => "COOPERATION_MODEL",
            DocKind::Workshop => "WORKSHOP",
            DocKind::Kita => "KITA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A record as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub id: i64,
    pub title: String,
    pub body: String,
    pub district_ags: Option<String>,
    /// Who may read it: `public`, `registered`, `district:<ags>` (see [`audiences`]).
    pub audiences: Vec<String>,
    /// The workshop a contribution or workshop belongs to, so a workshop's change reaches all.
    pub workshop_id: Option<i64>,
    /// The session of a contribution.
    pub session_id: Option<i64>,
    pub tags: Vec<String>,
    /// Role of a profile, category of an idea.
    pub category: Option<String>,
    /// Date of the workshop or last change, as days since 1970 (for sorting by date).
    pub day: i64,
    pub year: i32,
}

impl SearchDoc {
    pub fn key(&self) -> String {
        key(self.kind, self.id)
    }
}

/// A short plain label: the title, or the start of the text cut at a word.
pub fn label(title: &str, body: &str) -> String {
    const MAX: usize = 90;
    let source = if title.trim().is_empty() { body } else { title };
    let flat: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut: String = flat.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} …")
}

pub fn key(kind: DocKind, id: i64) -> String {
    format!("{}:{id}", kind.as_str())
}

/// What to remove from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    Doc(DocKind, i64),
    /// Every document of a workshop (the workshop and its contributions).
    Workshop(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// Which facets to count: each costs a pass over the matching documents, so only those asked
/// for are counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FacetFields {
    pub kind: bool,
    pub district: bool,
    pub workshop: bool,
    pub session: bool,
    pub tags: bool,
    pub category: bool,
    pub year: bool,
}

impl FacetFields {
    pub const ALL: Self = Self {
        kind: true,
        district: true,
        workshop: true,
        session: true,
        tags: true,
        category: true,
        year: true,
    };

    /// The requested facets by their field names, as the backends call them.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.kind, "kind"),
            (self.district, "district"),
            (self.workshop, "workshop"),
            (self.session, "session"),
            (self.tags, "tags"),
            (self.category, "category"),
            (self.year, "year"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Plain words; anything else (quotes, operators) is just text. Empty: the newest records.
    pub text: String,
    /// None: every audience (admins).
    pub audiences: Option<Vec<String>>,
    pub kinds: Vec<DocKind>,
    pub district_ags: Option<String>,
    pub workshop_id: Option<i64>,
    pub session_id: Option<i64>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub year: Option<i32>,
    /// Leave out the records of this district (what other districts have).
    pub exclude_district: Option<String>,
    /// Leave out this record (the one similar records are sought for).
    pub exclude: Option<(DocKind, i64)>,
    /// How the words combine: all of them (a search) or any (similar records, best first).
    pub match_any: bool,
    pub sort: SortBy,
    pub offset: usize,
    pub limit: usize,
    /// Facets to count (none by default).
    pub facets: FacetFields,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: DocKind,
    pub id: i64,
    pub score: f32,
    /// Plain: the title, or for untitled records the start of the text.
    pub label: String,
    /// HTML: the matched words in `<mark>`, the rest escaped.
    pub title_snippet: String,
    pub body_snippet: String,
}

/// Counts of the matching records by one field's values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub district: Vec<(String, u64)>,
    /// Workshop and session ids, as text.
    pub workshop: Vec<(String, u64)>,
    pub session: Vec<(String, u64)>,
    pub tags: Vec<(String, u64)>,
    pub category: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

/// A search backend. Writes are idempotent: applying the same change twice leaves the same index.
#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    fn backend(&self) -> &'static str;
    /// Removes, then adds or replaces; confirmed (durable) when it returns.
    async fn apply(&self, removals: Vec<Removal>, docs: Vec<SearchDoc>) -> Result<()>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults>;
    /// Empties the index (before a rebuild).
    async fn clear(&self) -> Result<()>;
    /// Documents in the index.
    async fn count(&self) -> Result<u64>;
}

/// An embedded index that can be closed and opened again while the server runs: what the
/// server holds, so that an unavailable index (closed here, or a failed disk) means failing
/// searches and a waiting outbox, never failing writes.
pub struct Switchable {
    dir: std::path::PathBuf,
    inner: std::sync::RwLock<Option<TantivyIndex>>,
}

impl Switchable {
    pub fn open(dir: std::path::PathBuf) -> Result<Self> {
        let index = TantivyIndex::open(&dir)?;
        Ok(Self {
            dir,
            inner: std::sync::RwLock::new(Some(index)),
        })
    }

    fn current(&self) -> Result<TantivyIndex> {
        self.inner
            .read()
            .ok()
            .and_then(|i| i.clone())
            .ok_or_else(|| SearchError::Unavailable("the index is closed".into()))
    }

    /// Closes the index: from now on every call fails as unavailable. Waits (up to 30 s) for
    /// work in flight, which holds the index too: an update whose caller went away still runs
    /// to its end on a blocking thread, and only then is the directory's lock released.
    pub fn close(&self) {
        let taken = self.inner.write().ok().and_then(|mut i| i.take());
        if let Some(index) = taken {
            let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while index.is_shared() && std::time::Instant::now() < until {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }

    /// Whether opening created the index (see [`TantivyIndex::created`]).
    pub fn created(&self) -> bool {
        self.current().is_ok_and(|i| i.created())
    }

    pub fn reopen(&self) -> Result<()> {
        let index = TantivyIndex::open(&self.dir)?;
        if let Ok(mut i) = self.inner.write() {
            *i = Some(index);
        }
        Ok(())
    }
}

#[async_trait]
impl SearchIndex for Switchable {
    fn backend(&self) -> &'static str {
        "tantivy"
    }
    async fn apply(&self, removals: Vec<Removal>, docs: Vec<SearchDoc>) -> Result<()> {
        self.current()?.apply(removals, docs).await
    }
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        self.current()?.search(query).await
    }
    async fn clear(&self) -> Result<()> {
        self.current()?.clear().await
    }
    async fn count(&self) -> Result<u64> {
        self.current()?.count().await
    }
}
