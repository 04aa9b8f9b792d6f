//! Splitting German compounds into the words they are made of, so `Budget` finds
//! `Sozialraumbudget` and `Aufsicht` finds `Fachaufsicht`.
//!
//! The method follows Koehn and Knight (2003, "Empirical Methods for Compound Splitting"): of
//! the ways to cut a word into the fewest known words (with a linking `s` or `es` allowed
//! between two), take the one whose parts are most frequent (geometric mean of their
//! frequencies), and split only if that beats the frequency of the word as a whole. Frequent words are thereby kept whole
//! (`Gesellschaft` is not `Gesell` + `schaft`), rare compounds of frequent words are split.
//!
//! The words come from two lists: `dict/words_de.txt`, German words with their frequency
//! (wordfreq, CC BY-SA 4.0, see `dict/WORDS_DE_LICENSE.md`), and `dict/compound_parts.txt`, the
//! parts of the compounds in the indexed records (Kita, Sozialraum, Träger …), which are
//! preferred over any general word.

use std::collections::HashMap;
use std::sync::LazyLock;

use tantivy::tokenizer::{Language, RawTokenizer, StopWordFilter, TextAnalyzer, TokenStream};

use crate::analysis::fold;
use crate::lemma::Lemmas;

const GENERAL: &str = include_str!("../dict/words_de.txt");
const DOMAIN: &str = include_str!("../dict/compound_parts.txt");
/// Frequency (Zipf scale) given to the domain's parts: as frequent as `Arbeit`, so a split into
/// them wins over one into rarer general words.
const DOMAIN_ZIPF: f32 = 5.5;
/// Shortest word worth splitting, shortest part, most parts.
const MIN_COMPOUND: usize = 8;
const MIN_PART: usize = 3;
const MAX_PARTS: usize = 4;
/// Shortest general word to count as a part (the domain's parts may be shorter: `Amt`).
const MIN_GENERAL_PART: usize = 4;
/// Least frequency of a general word shorter than five letters to count as a part.
const MIN_SHORT_ZIPF: f32 = 4.0;
/// Shortest inflected form (found through its dictionary entry) to count as a part, and how much
/// less frequent than its entry it counts.
const MIN_INFLECTED_PART: usize = 5;
const INFLECTED_PENALTY: f32 = 0.5;
/// Entries kept in each thread's cache of splits before it is cleared.
const CACHE_LIMIT: usize = 100_000;

pub struct Dictionary {
    /// Folded word → Zipf frequency (log10 of occurrences per billion words).
    zipf: HashMap<String, f32>,
    /// The German stop words, folded (for Meilisearch's settings).
    stop_words: Vec<String>,
}

static SHARED: LazyLock<Dictionary> = LazyLock::new(|| Dictionary::load(GENERAL, DOMAIN));

impl Dictionary {
    /// The dictionary shipped with the crate, loaded once per process.
    pub fn shared() -> &'static Dictionary {
        &SHARED
    }

    fn load(general: &str, domain: &str) -> Self {
        let mut zipf: HashMap<String, f32> = HashMap::new();
        // Both lists are compiled in; a malformed line is a build defect `both_lists_are_loaded`
        // catches, so it is skipped here rather than failing at run time.
        let mut stop_words = TextAnalyzer::builder(RawTokenizer::default())
            .filter(StopWordFilter::new(Language::German).expect("German stop words"))
            .build();
        let mut folded_stop_words = Vec::new();
        for line in general
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let Some((word, z)) = line.split_once('\t') else {
                continue;
            };
            let Ok(z) = z.trim().parse::<f32>() else {
                continue;
            };
            // Function words (`eine`, `über`) and rare short words (`rent`, `wick`) make
            // nonsense parts: `Made` + `leine`, `Weiter` + `ent` + `wick`.
            if !stop_words.token_stream(word).advance() {
                // Folded, `über` is also `Uber`: the stop word wins.
                folded_stop_words.push(fold(word));
                continue;
            }
            let letters = word.chars().count();
            if letters < MIN_GENERAL_PART || (letters < 5 && z < MIN_SHORT_ZIPF) {
                continue;
            }
            let entry = zipf.entry(fold(word)).or_insert(z);
            *entry = entry.max(z);
        }
        folded_stop_words.sort();
        folded_stop_words.dedup();
        for word in &folded_stop_words {
            zipf.remove(word);
        }
        for word in domain
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let entry = zipf.entry(fold(word)).or_insert(DOMAIN_ZIPF);
            *entry = entry.max(DOMAIN_ZIPF);
        }
        Self {
            zipf,
            stop_words: folded_stop_words,
        }
    }

    pub fn stop_words(&self) -> &[String] {
        &self.stop_words
    }

    /// The parts of a folded word, empty when it is better left whole.
    pub fn split(&self, folded: &str) -> Vec<String> {
        if folded.len() < MIN_COMPOUND {
            return Vec::new();
        }
        // Vocabularies are small against the text: most words were split before.
        thread_local! {
            static CACHE: std::cell::RefCell<HashMap<String, Vec<String>>> =
                std::cell::RefCell::new(HashMap::new());
        }
        if let Some(hit) = CACHE.with(|c| c.borrow().get(folded).cloned()) {
            return hit;
        }
        let parts = self.best_split(folded);
        CACHE.with(|c| {
            let mut cache = c.borrow_mut();
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(folded.to_owned(), parts.clone());
        });
        parts
    }

    fn best_split(&self, folded: &str) -> Vec<String> {
        let bounds: Vec<usize> = folded
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(folded.len()))
            .collect();
        let n = bounds.len() - 1;
        if n < MIN_COMPOUND || !folded.chars().all(char::is_alphabetic) {
            return Vec::new();
        }
        let slice = |a: usize, b: usize| &folded[bounds[a]..bounds[b]];
        // An inflected form the word list lacks (`erlaubnisse`) counts with its dictionary
        // entry's frequency, a little lower.
        let known = |word: &str| -> Option<f32> {
            if let Some(&z) = self.zipf.get(word) {
                return Some(z);
            }
            if word.len() < MIN_INFLECTED_PART {
                return None;
            }
            Lemmas::shared()
                .entries_of(word)
                .filter_map(|e| self.zipf.get(&fold(e)).copied())
                .reduce(f32::max)
                .map(|z| z - INFLECTED_PENALTY)
        };
        // A part from `start` to `end`: its frequency and the length of a linking element
        // before it.
        let part = |start: usize, end: usize| -> Option<(f32, usize)> {
            if let Some(z) = known(slice(start, end)) {
                return Some((z, 0));
            }
            if start == 0 {
                return None;
            }
            for link in ["s", "es"] {
                let skip = link.len();
                if end - start >= MIN_PART + skip && slice(start, start + skip) == link {
                    if let Some(z) = known(slice(start + skip, end)) {
                        return Some((z, skip));
                    }
                }
            }
            None
        };
        // best[k][end]: the highest sum of frequencies of a cut of the first `end` characters
        // into k parts, with the last part's start and linking length.
        type Cell = Option<(f32, usize, usize)>;
        let mut best: Vec<Vec<Cell>> = vec![vec![None; n + 1]; MAX_PARTS + 1];
        best[0][0] = Some((0.0, 0, 0));
        for k in 1..=MAX_PARTS {
            for end in MIN_PART..=n {
                for start in 0..=end - MIN_PART {
                    let Some((sum, _, _)) = best[k - 1][start] else {
                        continue;
                    };
                    let Some((z, skip)) = part(start, end) else {
                        continue;
                    };
                    let candidate = sum + z;
                    if best[k][end].is_none_or(|(s, _, _)| candidate > s) {
                        best[k][end] = Some((candidate, start, skip));
                    }
                }
            }
        }
        let whole = self.zipf.get(folded).copied().unwrap_or(0.0);
        // Fewest parts first: the mean favours a further cut into one very frequent word
        // (`Ganz` + `tag` over `Ganztag`), which adds nothing to find.
        let Some(k) =
            (2..=MAX_PARTS).find(|&k| best[k][n].is_some_and(|(sum, _, _)| sum / k as f32 > whole))
        else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(k);
        let mut end = n;
        for level in (1..=k).rev() {
            let Some((_, start, skip)) = best[level][end] else {
                return Vec::new();
            };
            out.push(slice(start + skip, end).to_owned());
            end = start;
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> Vec<String> {
        Dictionary::shared().split(&fold(word))
    }

    #[test]
    fn both_lists_are_loaded() {
        // words_de.txt has ~37,000 lines; a parse regression would leave only the domain list.
        assert!(Dictionary::shared().zipf.len() > 30_000);
        let stop = Dictionary::shared().stop_words();
        for word in ["uber", "eine", "der", "und", "zu"] {
            assert!(stop.iter().any(|w| w == word), "{word}");
        }
    }

    #[test]
    fn domain_compounds_split_into_their_parts() {
        assert_eq!(split("Sozialraumbudget"), ["sozial", "raum", "budget"]);
        assert_eq!(split("Ganztagsbetreuung"), ["ganztag", "betreuung"]);
        assert_eq!(split("Fachkräftemangel"), ["fachkrafte", "mangel"]);
        assert_eq!(split("Kooperationsmodell"), ["kooperation", "modell"]);
    }

    #[test]
    fn general_words_split_compounds_the_domain_list_does_not_know() {
        assert_eq!(split("Wochenstunden"), ["wochen", "stunden"]);
        assert_eq!(split("Kinderschutz"), ["kinder", "schutz"]);
        assert_eq!(split("Kindeswohl"), ["kind", "wohl"]);
    }

    #[test]
    fn frequent_and_unknown_words_stay_whole() {
        assert!(split("Gesellschaft").is_empty());
        assert!(split("Schwierigkeiten").is_empty());
        assert!(split("Verantwortung").is_empty());
        assert!(split("Kita").is_empty());
        // No function words or rare short words as parts.
        assert!(split("Madeleine").is_empty());
        assert!(split("überdenken").is_empty());
    }
}
