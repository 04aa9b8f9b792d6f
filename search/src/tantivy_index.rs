//! The embedded backend: a tantivy index in the data directory. Text is analysed by
//! [`Analyzer`] before it reaches tantivy (which only splits the prepared terms at spaces), so
//! the analysis is the same for documents and queries and independent of tantivy's tokenizers.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::Directory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::tokenizer::TokenizerManager;
use tantivy::{
    doc, DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use crate::analysis::{Analyzer, QueryWord};
use crate::fuzzy::{CachedFuzzy, FuzzyCache};
use crate::FORMAT;
use crate::{
    DocKind, FacetFields, Facets, Removal, Result, SearchDoc, SearchError, SearchHit, SearchIndex,
    SearchQuery, SearchResults, SortBy,
};

const WRITER_MEMORY: usize = 20_000_000;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    workshop: Field,
    session: Field,
    audience: Field,
    district: Field,
    tags: Field,
    category: Field,
    year: Field,
    day: Field,
    /// Kind and id in one number: among hits of equal score, the order.
    tiebreak: Field,
    terms_title: Field,
    terms_body: Field,
    /// General synonyms of the words of title and text, ranked below the words.
    terms_related: Field,
    title: Field,
    body: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | FAST | STORED),
        id: b.add_i64_field("id", STORED),
        // Ids as text: facets count terms.
        workshop: b.add_text_field("workshop", STRING | FAST),
        session: b.add_text_field("session", STRING | FAST),
        audience: b.add_text_field("audience", STRING),
        district: b.add_text_field("district", STRING | FAST),
        tags: b.add_text_field("tags", STRING | FAST),
        category: b.add_text_field("category", STRING | FAST),
        year: b.add_text_field("year", STRING | FAST),
        day: b.add_i64_field("day", FAST),
        tiebreak: b.add_i64_field("tiebreak", FAST),
        terms_title: b.add_text_field("terms_title", terms.clone()),
        terms_body: b.add_text_field("terms_body", terms.clone()),
        terms_related: b.add_text_field("terms_related", terms),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
    };
    (b.build(), fields)
}

struct Inner {
    index: Index,
    /// Held while the index is open: one process owns it (a second one gets
    /// [`SearchError::Locked`] at open), though its writer exists only while it writes.
    _owner: tantivy::directory::DirectoryLock,
    reader: IndexReader,
    /// Open only while a batch is written: an idle writer keeps its indexing thread's tables
    /// (about 25 MiB), and the index is written in a few batches a minute at most.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    analyzer: Analyzer,
    /// The matches of typo-tolerant words per segment.
    fuzzy: Arc<FuzzyCache>,
    created: bool,
}

/// An index in a directory (created when missing), or in memory for tests.
#[derive(Clone)]
pub struct TantivyIndex(Arc<Inner>);

/// The typo-tolerant words' matches kept: 2 MiB hold 2,000 words' bitsets over an index of
/// 8,000 documents (the demo has 2,700).
const FUZZY_CACHE_BYTES: u64 = 2 << 20;

/// The weight of a synonym against the word itself (2 in the title, 1 in the text, typos and
/// compound parts half that).
const RELATED_BOOST: f32 = 0.3;

/// What a query word found adds to the score, above any word's own score: records are ranked
/// by the share of the query's words they hold first.
const SHARE_WEIGHT: f32 = 1_000.0;

impl TantivyIndex {
    /// Whether another handle (work in flight on a blocking thread) still holds the index.
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }

    /// Opens the index of this version's [`FORMAT`] in a subdirectory of `dir` named by it,
    /// creating it when there is none (see [`Self::created`]).
    pub fn open(dir: &Path) -> Result<Self> {
        let dir = dir.join(FORMAT);
        std::fs::create_dir_all(&dir).map_err(|e| SearchError::Index(e.to_string()))?;
        let created = !dir.join("meta.json").exists();
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(&dir)
            .map_err(|e| SearchError::Index(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        Self::with_index(index, fields, created)
    }

    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, true)
    }

    /// Whether opening created the index: it is empty, and every record must be queued for it.
    /// That happens on the first start, when the directory was deleted, and after an update
    /// that changed the [`FORMAT`].
    pub fn created(&self) -> bool {
        self.0.created
    }

    fn with_index(index: Index, fields: Fields, created: bool) -> Result<Self> {
        let owner = index
            .directory()
            .acquire_lock(&tantivy::directory::Lock {
                filepath: std::path::PathBuf::from(".srb-owner.lock"),
                is_blocking: false,
            })
            .map_err(|e| match e {
                tantivy::directory::error::LockError::LockBusy => SearchError::Locked,
                e => SearchError::Index(e.to_string()),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self(Arc::new(Inner {
            index,
            _owner: owner,
            reader,
            writer: Mutex::new(None),
            fields,
            analyzer: Analyzer::default(),
            fuzzy: Arc::new(FuzzyCache::new(FUZZY_CACHE_BYTES)),
            created,
        })))
    }
}

impl Inner {
    fn to_document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = doc!(
            f.key => d.key(),
            f.kind => d.kind.as_str(),
            f.id => d.id,
            f.district => d.district_ags.clone().unwrap_or_default(),
            f.year => d.year.to_string(),
            f.day => d.day,
            f.tiebreak => crate::tiebreak(d.kind, d.id),
            f.terms_title => self.analyzer.index_terms(&d.title),
            f.terms_body => self.analyzer.index_terms(&d.body),
            f.terms_related => self.analyzer.related_terms(&format!("{}\n{}", d.title, d.body)),
            f.title => d.title.clone(),
            f.body => d.body.clone(),
        );
        if let Some(w) = d.workshop_id {
            doc.add_text(f.workshop, w.to_string());
        }
        if let Some(s) = d.session_id {
            doc.add_text(f.session, s.to_string());
        }
        if let Some(c) = &d.category {
            doc.add_text(f.category, c);
        }
        for a in &d.audiences {
            doc.add_text(f.audience, a);
        }
        for t in &d.tags {
            doc.add_text(f.tags, t);
        }
        doc
    }

    /// Runs one batch of changes on an open writer, commits, and lets the writer go once its
    /// merges are done.
    fn write(&self, batch: impl FnOnce(&mut IndexWriter) -> Result<()>) -> Result<()> {
        let mut slot = self
            .writer
            .lock()
            .map_err(|_| SearchError::Index("writer lock poisoned".into()))?;
        let writer = match slot.as_mut() {
            Some(w) => w,
            // One indexing thread: the outbox sends batches of hundreds.
            None => slot.insert(self.index.writer_with_num_threads(1, WRITER_MEMORY)?),
        };
        let written = batch(writer).and_then(|()| Ok(writer.commit().map(|_| ())?));
        if written.is_err() {
            // Whatever the batch left uncommitted goes with the writer.
            *slot = None;
            return written;
        }
        self.reader.reload()?;
        if let Some(w) = slot.take() {
            w.wait_merging_threads()?;
        }
        Ok(())
    }

    fn apply(&self, removals: Vec<Removal>, docs: Vec<SearchDoc>) -> Result<()> {
        let f = self.fields;
        self.write(|writer| {
            for r in removals {
                match r {
                    Removal::Doc(kind, id) => {
                        writer.delete_term(Term::from_field_text(f.key, &crate::key(kind, id)));
                    }
                    Removal::Workshop(id) => {
                        writer.delete_term(Term::from_field_text(f.workshop, &id.to_string()));
                    }
                }
            }
            for d in &docs {
                writer.delete_term(Term::from_field_text(f.key, &d.key()));
                writer.add_document(self.to_document(d))?;
            }
            Ok(())
        })
    }

    fn clear(&self) -> Result<()> {
        self.write(|writer| Ok(writer.delete_all_documents().map(|_| ())?))
    }

    fn word_query(&self, word: &QueryWord, strict: bool) -> Box<dyn Query> {
        let f = self.fields;
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for form in &word.forms {
            for (field, boost) in [(f.terms_title, 2.0), (f.terms_body, 1.0)] {
                let term = Term::from_field_text(field, form);
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost * 2.0,
                    )),
                ));
                if strict {
                    continue;
                }
                let edits = word.max_edits();
                // Compounds (a word as the start of a longer one) and typos, scored lower.
                let prefix = form.chars().count() >= 4;
                if !prefix && edits == 0 {
                    continue;
                }
                let loose = Box::new(CachedFuzzy::new(term, edits, prefix, self.fuzzy.clone()));
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(loose, boost * 0.5))));
            }
        }
        // A synonym of the thesaurus, below the word and its typos.
        for form in word.forms.iter().filter(|_| !strict) {
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.terms_related, form),
                        IndexRecordOption::WithFreqs,
                    )),
                    RELATED_BOOST,
                )),
            ));
        }
        if !word.parts.is_empty() && !strict {
            for (field, boost) in [(f.terms_title, 2.0), (f.terms_body, 1.0)] {
                let term = |t: &str| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    ))
                };
                // All parts, written apart, below the word. Not the head alone: that would
                // find Sachkosten for Personalkosten.
                let apart = word.parts.iter().map(|p| (Occur::Must, term(p))).collect();
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(BooleanQuery::new(apart)),
                        boost * 0.5,
                    )),
                ));
            }
        }
        Box::new(BooleanQuery::new(alternatives))
    }

    fn filter_terms(field: Field, values: &[String]) -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(
                values
                    .iter()
                    .map(|v| {
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, v),
                                IndexRecordOption::Basic,
                            )) as Box<dyn Query>,
                        )
                    })
                    .collect(),
            )),
            0.0,
        ))
    }

    fn query(&self, q: &SearchQuery) -> (Box<dyn Query>, Vec<QueryWord>) {
        let f = self.fields;
        let mut words = self.analyzer.query_words(&q.text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = if q.match_any {
            // Similarity: the distinct words, each adding to the score; rare words weigh most.
            words.sort_by(|a, b| a.forms.cmp(&b.forms));
            words.dedup_by(|a, b| a.forms == b.forms);
            words.truncate(crate::MAX_SIMILAR_WORDS);
            let any: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|w| (Occur::Should, self.word_query(w, true)))
                .collect();
            vec![(
                Occur::Must,
                Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
            )]
        } else if words.len() < crate::SHARE_FROM_WORDS {
            words
                .iter()
                .map(|w| (Occur::Must, self.word_query(w, false)))
                .collect()
        } else {
            // Longer queries: a record with most of the words is found too, below those with
            // all of them (each word found adds a constant larger than the words' scores).
            let any: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|w| {
                    let found: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                        (Occur::Must, self.word_query(w, false)),
                        (
                            Occur::Should,
                            Box::new(ConstScoreQuery::new(Box::new(AllQuery), SHARE_WEIGHT)),
                        ),
                    ]));
                    (Occur::Should, found)
                })
                .collect();
            let required = crate::required_words(words.len());
            vec![(
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(any, required))
                    as Box<dyn Query>,
            )]
        };
        if words.is_empty() {
            clauses = vec![(Occur::Must, Box::new(AllQuery))];
        }
        if let Some(ags) = &q.exclude_district {
            clauses.push((
                Occur::MustNot,
                Self::filter_terms(f.district, std::slice::from_ref(ags)),
            ));
        }
        if let Some((kind, id)) = q.exclude {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.key, &crate::key(kind, id)),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(audiences) = &q.audiences {
            clauses.push((Occur::Must, Self::filter_terms(f.audience, audiences)));
        }
        if !q.kinds.is_empty() {
            let kinds: Vec<String> = q.kinds.iter().map(|k| k.as_str().to_owned()).collect();
            clauses.push((Occur::Must, Self::filter_terms(f.kind, &kinds)));
        }
        if let Some(ags) = &q.district_ags {
            clauses.push((
                Occur::Must,
                Self::filter_terms(f.district, std::slice::from_ref(ags)),
            ));
        }
        if let Some(w) = q.workshop_id {
            clauses.push((
                Occur::Must,
                Self::filter_terms(f.workshop, &[w.to_string()]),
            ));
        }
        if let Some(session) = q.session_id {
            clauses.push((
                Occur::Must,
                Self::filter_terms(f.session, &[session.to_string()]),
            ));
        }
        for t in &q.tags {
            clauses.push((
                Occur::Must,
                Self::filter_terms(f.tags, std::slice::from_ref(t)),
            ));
        }
        if let Some(c) = &q.category {
            clauses.push((
                Occur::Must,
                Self::filter_terms(f.category, std::slice::from_ref(c)),
            ));
        }
        if let Some(y) = q.year {
            clauses.push((Occur::Must, Self::filter_terms(f.year, &[y.to_string()])));
        }
        (Box::new(BooleanQuery::new(clauses)), words)
    }

    fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let (query, words) = self.query(q);
        let limit = q.limit.max(1);
        let by_date = q.sort == SortBy::Date || words.is_empty();
        // One pass over the matches: the page, the count and the facets together (a second
        // pass would expand the typo-tolerant terms again).
        let aggregations = if q.facets == FacetFields::default() {
            None
        } else {
            let mut aggs = serde_json::Map::new();
            for name in q.facets.names() {
                let size = match name {
                    "district" => 100,
                    "workshop" | "session" | "year" => 50,
                    "tags" => 30,
                    _ => 20,
                };
                aggs.insert(
                    name.to_owned(),
                    serde_json::json!({ "terms": { "field": name, "size": size } }),
                );
            }
            let aggs: Aggregations = serde_json::from_value(serde_json::Value::Object(aggs))
                .map_err(|e| SearchError::Index(e.to_string()))?;
            Some(AggregationCollector::from_aggs(
                aggs,
                AggContextParams::new(
                    AggregationLimitsGuard::default(),
                    TokenizerManager::default(),
                ),
            ))
        };
        let (addresses, total, aggregations): (Vec<(f32, DocAddress)>, usize, _) = if by_date {
            let top = TopDocs::with_limit(limit)
                .and_offset(q.offset)
                .order_by_fast_field::<i64>("day", Order::Desc);
            let (top, total, aggs) = searcher.search(&query, &(top, Count, aggregations))?;
            (
                top.into_iter().map(|(_, a)| (0.0, a)).collect(),
                total,
                aggs,
            )
        } else {
            // Hits of equal score in the order of their kind and id, not of the segments they
            // landed in: the same query gives the same page every time.
            let top = TopDocs::with_limit(limit).and_offset(q.offset).tweak_score(
                |segment: &tantivy::SegmentReader| {
                    let keys = segment
                        .fast_fields()
                        .i64("tiebreak")
                        .expect("the schema has the tiebreak field");
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        (score, -keys.first(doc).unwrap_or_default())
                    }
                },
            );
            let (top, total, aggs) = searcher.search(&query, &(top, Count, aggregations))?;
            (
                top.into_iter().map(|((score, _), a)| (score, a)).collect(),
                total,
                aggs,
            )
        };
        let mut hits = Vec::with_capacity(addresses.len());
        let f = self.fields;
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let Some(kind) = DocKind::parse(&text(f.kind)) else {
                continue;
            };
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_i64())
                .unwrap_or_default();
            hits.push(SearchHit {
                kind,
                id,
                score,
                label: crate::label(&text(f.title), &text(f.body)),
                title_snippet: self.analyzer.snippet(&text(f.title), &words, usize::MAX),
                body_snippet: self
                    .analyzer
                    .snippet(&text(f.body), &words, crate::SNIPPET_CHARS),
            });
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
            facets: match &aggregations {
                Some(a) => facets(a)?,
                None => Facets::default(),
            },
        })
    }
}

fn facets(results: &AggregationResults) -> Result<Facets> {
    let json = serde_json::to_value(results).map_err(|e| SearchError::Index(e.to_string()))?;
    let buckets = |name: &str| -> Vec<(String, u64)> {
        json[name]["buckets"]
            .as_array()
            .map(|b| {
                b.iter()
                    .filter_map(|x| {
                        let key = x["key"].as_str()?.to_owned();
                        (!key.is_empty()).then_some((key, x["doc_count"].as_u64()?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(Facets {
        kind: buckets("kind"),
        district: buckets("district"),
        workshop: buckets("workshop"),
        session: buckets("session"),
        tags: buckets("tags"),
        category: buckets("category"),
        year: buckets("year"),
    })
}

/// tantivy works synchronously; every call runs on the blocking pool.
async fn blocking<T: Send + 'static>(
    inner: Arc<Inner>,
    f: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(move || f(&inner))
        .await
        .map_err(|e| SearchError::Index(e.to_string()))?
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    fn backend(&self) -> &'static str {
        "tantivy"
    }

    async fn apply(&self, removals: Vec<Removal>, docs: Vec<SearchDoc>) -> Result<()> {
        blocking(self.0.clone(), move |i| i.apply(removals, docs)).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let q = query.clone();
        blocking(self.0.clone(), move |i| i.search(&q)).await
    }

    async fn clear(&self) -> Result<()> {
        blocking(self.0.clone(), |i| i.clear()).await
    }

    async fn count(&self) -> Result<u64> {
        Ok(self.0.reader.searcher().num_docs())
    }
}
