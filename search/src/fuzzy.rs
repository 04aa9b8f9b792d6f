//! Typo- and prefix-tolerant terms whose matches are remembered per segment.
//!
//! tantivy's [`FuzzyTermQuery`] builds a Levenshtein automaton for its word and walks the
//! segment's term dictionary with it on every search: a sixth of the CPU of a two-word search
//! (BENCHMARKS.md, issue 20). A segment never changes once written, so the documents a
//! (segment, term, distance) matches are the same every time; [`CachedFuzzy`] asks tantivy once
//! and keeps the answer. Deleted documents are no concern: the collectors skip them, as they do
//! for the automaton's own matches.

use std::fmt;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, FuzzyTermQuery, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// (segment, field, word, distance, prefix).
type Key = (SegmentId, Field, String, u8, bool);

/// The matches of the fuzzy terms searched lately, bounded by their bitsets' size.
pub(crate) struct FuzzyCache(quick_cache::sync::Cache<Key, Arc<BitSet>, BitsWeight>);

#[derive(Clone)]
struct BitsWeight;

impl quick_cache::Weighter<Key, Arc<BitSet>> for BitsWeight {
    fn weight(&self, key: &Key, bits: &Arc<BitSet>) -> u64 {
        (key.2.len() + 64) as u64 + u64::from(bits.max_value()).div_ceil(8)
    }
}

impl FuzzyCache {
    /// At most `bytes` of bitsets (a segment of n documents costs n / 8 bytes per term).
    pub(crate) fn new(bytes: u64) -> Self {
        // quick_cache sizes its tables by an estimate of the entries' count.
        let entries = (bytes / 512).max(16) as usize;
        Self(quick_cache::sync::Cache::with_weighter(
            entries, bytes, BitsWeight,
        ))
    }
}

/// [`FuzzyTermQuery`] with the same matches and score (a constant, the boost), remembered.
#[derive(Clone)]
pub(crate) struct CachedFuzzy {
    term: Term,
    distance: u8,
    prefix: bool,
    cache: Arc<FuzzyCache>,
}

impl CachedFuzzy {
    pub(crate) fn new(term: Term, distance: u8, prefix: bool, cache: Arc<FuzzyCache>) -> Self {
        Self {
            term,
            distance,
            prefix,
            cache,
        }
    }

    fn matches(&self, reader: &SegmentReader) -> tantivy::Result<Arc<BitSet>> {
        let key = (
            reader.segment_id(),
            self.term.field(),
            self.term.value().as_str().unwrap_or_default().to_owned(),
            self.distance,
            self.prefix,
        );
        self.cache.0.get_or_insert_with(&key, || {
            // Transpositions cost one edit, as everywhere in srb's typo tolerance.
            let query = if self.prefix {
                FuzzyTermQuery::new_prefix(self.term.clone(), self.distance, true)
            } else {
                FuzzyTermQuery::new(self.term.clone(), self.distance, true)
            };
            let weight = query.weight(EnableScoring::disabled_from_schema(reader.schema()))?;
            let mut scorer = weight.scorer(reader, 1.0)?;
            let mut bits = BitSet::with_max_value(reader.max_doc());
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                bits.insert(doc);
                doc = scorer.advance();
            }
            Ok(Arc::new(bits))
        })
    }
}

impl fmt::Debug for CachedFuzzy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedFuzzy")
            .field("term", &self.term)
            .field("distance", &self.distance)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Query for CachedFuzzy {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for CachedFuzzy {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let bits = BitSet::clone(self.matches(reader)?.as_ref());
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(bits), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.matches(reader)?.contains(doc) {
            Ok(Explanation::new("CachedFuzzy", 1.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, DocSetCollector};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    /// The same documents as tantivy's own fuzzy query, for a typo, a prefix and a miss, from
    /// the cache as on the first search, across segments and after a delete.
    #[test]
    fn finds_what_the_fuzzy_query_finds() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in [
            "fachkraft gewinnen",
            "fachkräfte",
            "fachkraftgewinnung",
            "kita",
        ] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        for text in ["fachkarft", "gewinn", "träger"] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        writer.delete_term(Term::from_field_text(body, "kita"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let cache = Arc::new(FuzzyCache::new(1 << 20));
        for (word, distance, prefix) in [
            ("fachkraft", 1, false),
            ("fachkraft", 1, true),
            ("gewinn", 1, true),
            ("kita", 0, false),
            ("zzzz", 1, true),
        ] {
            let term = Term::from_field_text(body, word);
            let theirs = if prefix {
                FuzzyTermQuery::new_prefix(term.clone(), distance, true)
            } else {
                FuzzyTermQuery::new(term.clone(), distance, true)
            };
            let expected = searcher.search(&theirs, &DocSetCollector).unwrap();
            let ours = CachedFuzzy::new(term, distance, prefix, cache.clone());
            for _ in 0..2 {
                assert_eq!(
                    searcher.search(&ours, &DocSetCollector).unwrap(),
                    expected,
                    "{word}"
                );
                assert_eq!(
                    searcher.search(&ours, &Count).unwrap(),
                    expected.len(),
                    "{word}"
                );
            }
        }
        // The word, a typo of it, an umlaut for its vowel and a compound it begins.
        let prefix = CachedFuzzy::new(Term::from_field_text(body, "fachkraft"), 1, true, cache);
        assert_eq!(searcher.search(&prefix, &Count).unwrap(), 4);
    }
}
