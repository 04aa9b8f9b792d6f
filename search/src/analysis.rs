//! German text analysis, the same for what is indexed and what is asked: words are split at
//! anything but letters and digits; gendered forms (`Sozialarbeiter:innen`, `Erzieher*innen`,
//! `ErzieherInnen`, `Erzieherin`) also stand for the base form; the domain's abbreviations and
//! their long forms stand for each other; umlauts and ß are folded (`Träger`, `Traeger` and
//! `Trager` are one word); stop words go; the rest is stemmed (Snowball German).
//!
//! Compounds are indexed with their parts (`Sozialraumbudget` also as `Budget`, see
//! [`crate::compound`]) and matched by prefix at query time (`Fachkräfte` finds
//! `Fachkräftemangel`); typos by edit distance (one edit from 5 letters, two from 9); see
//! [`QueryWord`].

use crate::compound::Dictionary;
use crate::lemma::Lemmas;
use crate::thesaurus::Thesaurus;
use tantivy::tokenizer::{
    Language, LowerCaser, Stemmer, StopWordFilter, TextAnalyzer, TokenStream, WhitespaceTokenizer,
};

/// The abbreviations of DOMAIN.md and their long forms; each group's members are synonyms.
pub const DEFAULT_SYNONYMS: &[&[&str]] = &[
    &["KiSa", "Kita-Sozialarbeit"],
    &["SRB", "Sozialraumbudget", "SR-Budget"],
    &["IKF", "interkulturelle Fachkraft"],
    &["JHA", "Jugendhilfeausschuss"],
    &["BE-relevant", "betriebserlaubnisrelevant"],
    &["VZÄ", "Vollzeitäquivalent"],
];

/// Question words the Snowball list lacks (it has `was`, `wie`, `wo`, `welche`): a question
/// typed as a sentence („Wer hat die Dienst- und Fachaufsicht?“) asks with them, and no answer
/// repeats them.
const QUESTION_WORDS: &[&str] = &[
    "wer", "wem", "wen", "wessen", "warum", "weshalb", "wieso", "wann",
];

/// How many words' terms snippets remember: the demo's texts hold about 30,000 different
/// words; the frequent ones stay (a few MB at most).
const SNIPPET_WORDS: usize = 8_192;

pub struct Analyzer {
    stemmer: TextAnalyzer,
    compounds: &'static Dictionary,
    lemmas: &'static Lemmas,
    thesaurus: &'static Thesaurus,
    /// Each group as word sequences (folded, split).
    synonyms: Vec<Vec<Vec<String>>>,
    /// The stem of each word of `synonyms`, in the same shape: computed once, since snippets
    /// ask for them for every hit.
    synonym_stems: Vec<Vec<Vec<Option<String>>>>,
    /// The terms of words met in snippets: hits' texts share most of their words, and their
    /// analysis (stemming, dictionary families) was half of a search's own time.
    snippet_words: quick_cache::sync::Cache<String, std::sync::Arc<[String]>>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new(DEFAULT_SYNONYMS)
    }
}

/// Lower case, umlauts and ß folded, `ae`/`oe`/`ue` read as umlauts.
pub(crate) fn fold(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            'ä' | 'á' | 'à' | 'â' => out.push('a'),
            'ö' | 'ó' | 'ò' | 'ô' => out.push('o'),
            'ü' | 'ú' | 'ù' | 'û' => out.push('u'),
            'é' | 'è' | 'ê' => out.push('e'),
            'ß' => out.push_str("ss"),
            'a' | 'o' | 'u' if chars.peek() == Some(&'e') => {
                out.push(c);
                chars.next();
            }
            c => out.push(c),
        }
    }
    out
}

/// Splits text into words; a gender marker (`:`, `*`, `/`, `_`) before `in`/`innen` keeps the
/// word together, so the caller sees `Sozialarbeiter:innen` as one word.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let gender_marker = matches!(c, ':' | '*' | '/' | '_')
            && start.is_some()
            && chars.get(i + 1).is_some_and(|&(_, n)| n == 'i' || n == 'I')
            && text[chars.get(i + 1).map_or(at, |x| x.0)..]
                .to_lowercase()
                .starts_with("in");
        if c.is_alphanumeric() || gender_marker {
            start.get_or_insert(at);
        } else if let Some(s) = start.take() {
            out.push(&text[s..at]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// A word and the forms it also stands for: gendered forms give the base form.
fn variants(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Sozialarbeiter:innen, Erzieher*innen, Lehrer/innen, Lehrer_innen
    if let Some(pos) = word.find([':', '*', '/', '_']) {
        let base = &word[..pos];
        let suffix = word[pos + 1..].to_lowercase();
        out.push(fold(base));
        out.push(fold(&format!("{base}{suffix}")));
        return out;
    }
    // ErzieherInnen: a capital I after a lower-case letter.
    if let Some(pos) = word.rfind("Innen").or_else(|| word.rfind("In")) {
        if pos > 0
            && word[..pos].chars().last().is_some_and(|c| c.is_lowercase())
            && (word[pos..] == *"In" || word[pos..] == *"Innen")
        {
            let base = &word[..pos];
            out.push(fold(base));
            out.push(fold(&format!("{base}{}", word[pos..].to_lowercase())));
            return out;
        }
    }
    let folded = fold(word);
    // Erzieherin(nen), Koordinatorin(nen): the masculine base too.
    for suffix in ["innen", "in"] {
        if let Some(base) = folded.strip_suffix(suffix) {
            if base.len() >= 4 && (base.ends_with("er") || base.ends_with("or")) {
                out.push(folded.clone());
                out.push(base.to_owned());
                return out;
            }
        }
    }
    // Before folding: folded, `zuentwickeln` would read `zuntwickeln`.
    if let Some(plain) = without_infix_zu(&word.to_lowercase()) {
        out.push(fold(&plain));
    }
    out.push(folded);
    out
}

/// Separable prefixes, lower case, longest first: a zu-infinitive puts `zu` between one and the
/// verb (`anzustellen`, `einzubinden`, `weiterzuentwickeln`).
const SEPARABLE_PREFIXES: &[&str] = &[
    "zusammen",
    "gegenüber",
    "vorbei",
    "weiter",
    "wieder",
    "zurück",
    "heraus",
    "herein",
    "hinaus",
    "hinein",
    "voran",
    "durch",
    "nach",
    "fort",
    "fest",
    "dar",
    "auf",
    "aus",
    "bei",
    "ein",
    "her",
    "hin",
    "mit",
    "vor",
    "weg",
    "ab",
    "an",
    "um",
    "zu",
];

/// `anzustellen` → `anstellen`: the infinitive without the `zu`, for a separable prefix, `zu`
/// and a verb of at least four letters ending in `n` (`lower`: the word in lower case).
fn without_infix_zu(lower: &str) -> Option<String> {
    SEPARABLE_PREFIXES.iter().find_map(|prefix| {
        let verb = lower.strip_prefix(prefix)?.strip_prefix("zu")?;
        (verb.chars().count() >= 4 && verb.ends_with('n')).then(|| format!("{prefix}{verb}"))
    })
}

/// Conjunctions between the members of a coordinated compound.
const CONJUNCTIONS: &[&str] = &[
    "und",
    "oder",
    "sowie",
    "bzw",
    "beziehungsweise",
    "als",
    "auch",
    "wie",
    "bis",
];

/// Words of `text` with the byte range each covers.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut offset = 0;
    words(text)
        .into_iter()
        .map(|w| {
            let at = offset + text[offset..].find(w).unwrap_or(0);
            offset = at + w.len();
            (at, offset)
        })
        .collect()
}

impl Analyzer {
    /// Coordinated compounds written with a hyphen stand for the whole words: in
    /// `Sach- und Personalkosten` the `Sach-` is `Sachkosten` (the head of the last member), in
    /// `Kitaleitung und -träger` the `-träger` is `Kitaträger` (the first part of the first).
    /// For each word of `text` the completed word, folded, where it is one.
    fn completions(&self, text: &str, spans: &[(usize, usize)]) -> Vec<Option<String>> {
        // Without a hyphen there is nothing to complete (most texts).
        if !text.contains('-') {
            return vec![None; spans.len()];
        }
        let folded: Vec<String> = spans.iter().map(|&(a, b)| fold(&text[a..b])).collect();
        let bytes = text.as_bytes();
        // `Sach-` followed by a space, a comma or a slash: its head comes later.
        let open_end = |i: usize| {
            let end = spans[i].1;
            bytes.get(end) == Some(&b'-')
                && bytes
                    .get(end + 1)
                    .is_none_or(|c| c.is_ascii_whitespace() || *c == b',' || *c == b'/')
        };
        // `-träger` after a space: its first part came earlier.
        let open_start = |i: usize| {
            let start = spans[i].0;
            start >= 1
                && bytes[start - 1] == b'-'
                && (start == 1 || bytes[start - 2].is_ascii_whitespace())
        };
        let filler = |i: usize| CONJUNCTIONS.contains(&folded[i].as_str());
        let mut out = vec![None; spans.len()];
        for i in 0..spans.len() {
            if open_end(i) {
                let head = (i + 1..spans.len())
                    .take(6)
                    .find(|&j| !filler(j) && !open_end(j))
                    .and_then(|j| self.compound_parts(&folded[j]).last().cloned());
                out[i] = head.map(|h| format!("{}{h}", folded[i]));
            } else if open_start(i) && i > 0 {
                let first = (0..i)
                    .rev()
                    .take(6)
                    .find(|&j| !filler(j) && !open_start(j))
                    .and_then(|j| {
                        let parts = self.compound_parts(&folded[j]);
                        (parts.len() >= 2).then(|| parts[..parts.len() - 1].concat())
                    });
                out[i] = first.map(|f| format!("{f}{}", folded[i]));
            }
        }
        out
    }

    pub fn new(synonyms: &[&[&str]]) -> Self {
        let stemmer = TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(LowerCaser)
            .filter(StopWordFilter::new(Language::German).expect("German stop words"))
            .filter(StopWordFilter::remove(
                QUESTION_WORDS.iter().map(|w| (*w).to_owned()),
            ))
            .filter(Stemmer::new(Language::German))
            .build();
        let synonyms = synonyms
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|m| words(m).into_iter().map(fold).collect())
                    .collect()
            })
            .collect();
        let mut analyzer = Self {
            stemmer,
            synonyms,
            synonym_stems: Vec::new(),
            compounds: Dictionary::shared(),
            lemmas: Lemmas::shared(),
            thesaurus: Thesaurus::shared(),
            snippet_words: quick_cache::sync::Cache::new(SNIPPET_WORDS),
        };
        analyzer.synonym_stems = analyzer
            .synonyms
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|member| member.iter().map(|w| analyzer.stem(w)).collect())
                    .collect()
            })
            .collect();
        analyzer
    }

    /// The synonym groups as query terms: each member's words stemmed, joined by spaces
    /// (`KiSa` ↔ `kita sozialarbeit`), for an engine that expands queries itself.
    pub fn synonym_terms(&self) -> Vec<Vec<String>> {
        self.synonym_stems
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|member| {
                        member
                            .iter()
                            .flatten()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .filter(|m| !m.is_empty())
                    .collect()
            })
            .collect()
    }

    /// The parts of a compound (see [`crate::compound`]), empty for other words.
    fn compound_parts(&self, folded: &str) -> Vec<String> {
        self.compounds.split(folded)
    }

    fn stem(&self, folded: &str) -> Option<String> {
        // One analyser per thread: cloning it for every word cost more than the stemming.
        thread_local! {
            static STEMMER: std::cell::RefCell<Option<TextAnalyzer>> = const { std::cell::RefCell::new(None) };
        }
        STEMMER.with(|cell| {
            let mut slot = cell.borrow_mut();
            let analyzer = slot.get_or_insert_with(|| self.stemmer.clone());
            let mut stream = analyzer.token_stream(folded);
            let mut out = None;
            while stream.advance() {
                out = Some(stream.token().text.clone());
            }
            out
        })
    }

    /// The indexed terms of one word, stemmed: its own first, then its other forms, compound
    /// parts and the entries of its derivation family (and of its last part's:
    /// `Kooperationsvereinbarungen` is of `vereinbaren`).
    fn word_terms(&self, word: &str) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        let mut family = self.lemmas.family(&word.to_lowercase());
        for v in variants(word) {
            let parts = self.compound_parts(&v);
            // A compound's head is only known folded; Hunspell's forms are not.
            if let Some(head) = parts.last() {
                family.extend(self.lemmas.family(head));
            }
            terms.extend(
                std::iter::once(v)
                    .chain(parts)
                    .filter_map(|t| self.stem(&t)),
            );
        }
        self.add_family(&mut terms, &family);
        terms
    }

    /// [`Self::word_terms`], remembered for the words of snippets.
    fn snippet_terms(&self, word: &str) -> std::sync::Arc<[String]> {
        if let Some(terms) = self.snippet_words.get(word) {
            return terms;
        }
        let terms: std::sync::Arc<[String]> = self.word_terms(word).into();
        self.snippet_words.insert(word.to_owned(), terms.clone());
        terms
    }

    /// Adds the stems of a family's entries that `terms` lacks: a term it repeats would weigh
    /// the word twice.
    fn add_family(&self, terms: &mut Vec<String>, family: &[String]) {
        for t in family.iter().filter_map(|e| self.stem(&fold(e))) {
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
    }

    /// The stems of the general synonyms of a text's words (OpenThesaurus), each once, none
    /// that a word of the text has itself: indexed apart and ranked below the words.
    pub fn related_terms(&self, text: &str) -> String {
        let words = words(text);
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        let own: std::collections::HashSet<String> =
            folded.iter().filter_map(|w| self.stem(w)).collect();
        let mut out: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (w, folded) in words.iter().zip(&folded) {
            let lower = w.to_lowercase();
            let mut keys: Vec<String> = vec![lower.clone()];
            keys.extend(self.lemmas.entries_of(&lower).map(str::to_owned));
            // A compound relates through its parts: `Kooperationsvereinbarung` to
            // `Zusammenarbeit`.
            keys.extend(self.compound_parts(folded));
            for key in keys.iter().map(String::as_str) {
                for synonym in self.thesaurus.synonyms(key) {
                    if let Some(t) = self.stem(&fold(synonym)) {
                        if !own.contains(&t) && seen.insert(t.clone()) {
                            out.push(t);
                        }
                    }
                }
            }
        }
        out.join(" ")
    }

    /// The terms to index for a text: every word's forms stemmed, and the synonyms of the
    /// abbreviations and long forms it contains.
    pub fn index_terms(&self, text: &str) -> String {
        let (primary, more) = self.index_terms_apart(text);
        match (primary.is_empty(), more.is_empty()) {
            (_, true) => primary,
            (true, false) => more,
            (false, false) => format!("{primary} {more}"),
        }
    }

    /// [`Self::index_terms`] in two: one term per word, in the text's order (so positions and
    /// distances are the text's), and the rest — further forms, compound parts, completed
    /// coordinations, synonyms — which an engine ranking by position keeps apart, below.
    pub fn index_terms_apart(&self, text: &str) -> (String, String) {
        let words = words(text);
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        let mut primary: Vec<String> = Vec::with_capacity(words.len());
        let mut terms: Vec<String> = Vec::with_capacity(words.len());
        for w in &words {
            let mut of_word = self.word_terms(w).into_iter();
            primary.extend(of_word.next());
            terms.extend(of_word);
        }
        for whole in self
            .completions(text, &word_spans(text))
            .into_iter()
            .flatten()
        {
            terms.extend(self.word_terms(&whole));
        }
        for group in &self.synonyms {
            let present = group
                .iter()
                .any(|member| contains_sequence(&folded, member));
            if present {
                for member in group {
                    for w in member {
                        if let Some(t) = self.stem(w) {
                            terms.push(t);
                        }
                    }
                }
            }
        }
        (primary.join(" "), terms.join(" "))
    }

    /// The words of a query, each with the stemmed forms any of which may match.
    pub fn query_words(&self, text: &str) -> Vec<QueryWord> {
        let completed = self.completions(text, &word_spans(text));
        words(text)
            .into_iter()
            .zip(completed)
            .filter_map(|(w, whole)| {
                // `Sach-` in `Sach- und Personalkosten` asks for `Sachkosten`.
                let asked = whole.as_deref().unwrap_or(w);
                let family = self.lemmas.family(&asked.to_lowercase());
                let mut forms: Vec<String> = variants(asked)
                    .into_iter()
                    .filter_map(|v| self.stem(&v))
                    .collect();
                self.add_family(&mut forms, &family);
                if forms.is_empty() {
                    return None;
                }
                // A compound asked whole may be written apart or with a hyphen (`Kitabeirat`,
                // `Kita-Beirat`): found too, below the word itself.
                let parts: Vec<String> = variants(asked)
                    .first()
                    .map(|v| self.compound_parts(v))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| self.stem(p))
                    .collect();
                let parts = if parts.len() >= 2 { parts } else { Vec::new() };
                Some(QueryWord {
                    forms,
                    parts,
                    letters: w.chars().filter(|c| c.is_alphanumeric()).count(),
                })
            })
            .collect()
    }

    /// Highlights the words of `text` that match the query: `<mark>` around them, the rest
    /// escaped; cut to about `max_chars` around the first match.
    pub fn snippet(&self, text: &str, query: &[QueryWord], max_chars: usize) -> String {
        let mut marks: Vec<(usize, usize)> = Vec::new();
        let spans = word_spans(text);
        // Folded only when a synonym group is asked for (few queries do).
        let mut folded: Option<Vec<String>> = None;
        // A record found through a synonym shows it: `SRB` asked, `SR-Budget` marked.
        let asks = |member: &Vec<Option<String>>| {
            !member.is_empty()
                && member.iter().all(|stem| {
                    stem.as_ref()
                        .is_some_and(|t| query.iter().any(|q| q.matches(t)))
                })
        };
        let asked = self
            .synonyms
            .iter()
            .zip(&self.synonym_stems)
            .filter(|(_, stems)| stems.iter().any(asks))
            .map(|(group, _)| group);
        for group in asked {
            let folded = folded
                .get_or_insert_with(|| spans.iter().map(|&(a, b)| fold(&text[a..b])).collect());
            for member in group.iter().filter(|m| !m.is_empty()) {
                for (i, window) in folded.windows(member.len()).enumerate() {
                    if window == member.as_slice() {
                        marks.push((spans[i].0, spans[i + member.len() - 1].1));
                    }
                }
            }
        }
        // The snippet is cut around the first mark: words beyond its reach need no analysis
        // (stemming every word of a long text was most of a search's own time).
        let reach = |first: usize| first.saturating_add(max_chars.saturating_mul(4));
        let mut bound = marks.iter().map(|m| m.0).min().map_or(usize::MAX, reach);
        let asked = |terms: &[String]| terms.iter().any(|t| query.iter().any(|q| q.matches(t)));
        let completed = self.completions(text, &spans);
        for (&(at, end), whole) in spans.iter().zip(completed) {
            if at > bound {
                break;
            }
            let w = &text[at..end];
            let hit = asked(&self.snippet_terms(w))
                || whole.is_some_and(|whole| asked(&self.snippet_terms(&whole)));
            if hit {
                marks.push((at, end));
                bound = bound.min(reach(at));
            }
        }
        marks.sort_unstable();
        // Overlapping marks (a word and the synonym it is part of) become one.
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(marks.len());
        for (a, b) in marks {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let marks = merged;
        let (from, to) = window(text, marks.first().map(|m| m.0), max_chars);
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        let mut pos = from;
        for (a, b) in marks.into_iter().filter(|(a, b)| *a >= from && *b <= to) {
            out.push_str(&escape(&text[pos..a]));
            out.push_str("<mark>");
            out.push_str(&escape(&text[a..b]));
            out.push_str("</mark>");
            pos = b;
        }
        out.push_str(&escape(&text[pos..to]));
        if to < text.len() {
            out.push('…');
        }
        out
    }
}

fn contains_sequence(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Byte range of about `max_chars` characters starting a little before `around`.
fn window(text: &str, around: Option<usize>, max_chars: usize) -> (usize, usize) {
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    if starts.len() <= max_chars {
        return (0, text.len());
    }
    let centre = around
        .map(|a| starts.partition_point(|&s| s < a))
        .unwrap_or(0);
    let first = centre.saturating_sub(max_chars / 4);
    let last = (first + max_chars).min(starts.len());
    let first = last.saturating_sub(max_chars);
    let from = starts[first];
    let to = starts.get(last).copied().unwrap_or(text.len());
    (from, to)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One word of a query: its stemmed forms and how many edits a typo may have.
#[derive(Debug, Clone)]
pub struct QueryWord {
    pub forms: Vec<String>,
    /// The stemmed parts of a compound, none for a simple word.
    pub parts: Vec<String>,
    /// Letters of the word as typed: typo tolerance grows with it.
    pub letters: usize,
}

impl QueryWord {
    /// One edit from 5 letters, two from 9.
    pub fn max_edits(&self) -> u8 {
        match self.letters {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        }
    }

    /// Whether an indexed term matches: equal, starting with the form (compounds), or within
    /// the typo tolerance.
    pub fn matches(&self, term: &str) -> bool {
        let max = self.max_edits() as usize;
        let term_len = term.chars().count();
        if self.parts.iter().any(|p| p == term) {
            return true;
        }
        self.forms.iter().any(|f| {
            let len = f.chars().count();
            term == f
                || (len >= 4 && term.starts_with(f.as_str()))
                // Lengths further apart than the tolerance cannot be within it.
                || (max > 0 && len.abs_diff(term_len) <= max && edit_distance(f, term) <= max)
        })
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        Analyzer::default()
            .index_terms(text)
            .split(' ')
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn inflection_and_umlauts_meet() {
        let a = Analyzer::default();
        let q = a.query_words("Fachkräfte");
        assert!(terms("die Fachkraft").iter().any(|t| q[0].matches(t)));
        assert!(
            terms("Fachkräftemangel").iter().any(|t| q[0].matches(t)),
            "compound by prefix"
        );
        assert_eq!(terms("Träger"), terms("Traeger"));
    }

    fn query_forms(text: &str) -> Vec<Vec<String>> {
        Analyzer::default()
            .query_words(text)
            .into_iter()
            .map(|w| w.forms)
            .collect()
    }

    #[test]
    fn coordinated_compounds_stand_for_the_whole_words() {
        let a = Analyzer::default();
        let stem = |w: &str| a.stem(&fold(w)).unwrap();
        let t = terms("Die Sach- und Personalkosten trägt der Kreis.");
        assert!(t.contains(&stem("Sachkosten")), "{t:?}");
        assert!(t.contains(&stem("Personalkosten")), "{t:?}");
        let t = terms("Kita-, Jugendhilfe- und Schulentwicklungsplanung");
        assert!(t.contains(&stem("Kitaplanung")), "{t:?}");
        assert!(t.contains(&stem("Jugendhilfeplanung")), "{t:?}");
        let t = terms("Kitaleitungen und -träger");
        assert!(t.contains(&stem("Kitaträger")), "{t:?}");
        // A hyphen inside a word or a dash between words completes nothing.
        assert_eq!(terms("Kita-Sozialarbeit"), terms("Kita Sozialarbeit"));
        let t = terms("Sach - und Personalkosten");
        assert!(!t.contains(&stem("Sachkosten")), "{t:?}");
        // Asked for, the open word means the whole one.
        assert_eq!(
            query_forms("Sach- und Personalkosten")[0],
            [stem("Sachkosten")]
        );
    }

    #[test]
    fn derivation_families_and_inflected_parts_meet() {
        let a = Analyzer::default();
        let finds = |query: &str, text: &str| {
            let q = a.query_words(query);
            let t = terms(text);
            q.iter().all(|w| t.iter().any(|t| w.matches(t)))
        };
        for (query, text) in [
            ("Koordination", "Die Stelle wird zentral koordiniert"),
            ("koordinieren", "Koordination durch das Jugendamt"),
            ("Koordinierung", "Wer koordiniert die Träger?"),
            ("Befristung", "Die Stellen sind befristet"),
            ("befristete Stellen", "Ohne Befristung der Stellen"),
            ("Erlaubnis", "Betriebserlaubnisse der Kitas"),
            ("Vereinbarung", "Kooperationsvereinbarungen mit Trägern"),
            ("Finanzierung", "Das Land finanziert die Stellen"),
        ] {
            assert!(finds(query, text), "{query:?} does not find {text:?}");
        }
    }

    #[test]
    fn zu_infinitives_are_the_infinitive() {
        let a = Analyzer::default();
        let stem = |w: &str| a.stem(&fold(w)).unwrap();
        for (zu, plain) in [
            ("anzustellen", "anstellen"),
            ("einzubinden", "einbinden"),
            ("weiterzuentwickeln", "weiterentwickeln"),
            ("umzusetzen", "umsetzen"),
            ("zurückzugeben", "zurückgeben"),
        ] {
            assert!(terms(zu).contains(&stem(plain)), "{zu}: {:?}", terms(zu));
            assert!(query_forms(zu)[0].contains(&stem(plain)), "{zu}");
        }
        // Not zu-infinitives: no verb after the `zu`, or no separable prefix before it.
        assert_eq!(without_infix_zu("anzug"), None);
        assert_eq!(without_infix_zu("zuzug"), None);
        assert_eq!(without_infix_zu("kanzuleien"), None);
    }

    #[test]
    fn gender_forms_stand_for_both() {
        let a = Analyzer::default();
        for written in [
            "Sozialarbeiter:innen",
            "Sozialarbeiter*innen",
            "SozialarbeiterInnen",
            "Sozialarbeiterin",
        ] {
            let t = terms(written);
            let q = a.query_words("Sozialarbeiter");
            assert!(t.iter().any(|x| q[0].matches(x)), "{written}: {t:?}");
        }
        let q = a.query_words("Erzieher*innen");
        assert!(terms("Erzieher").iter().any(|x| q[0].matches(x)));
    }

    #[test]
    fn abbreviations_and_long_forms_are_synonyms() {
        let a = Analyzer::default();
        let q = a.query_words("KiSa");
        assert!(terms("Träger der Kita-Sozialarbeit")
            .iter()
            .any(|t| q[0].matches(t)));
        let q = a.query_words("Sozialraumbudget");
        assert!(terms("Das SR-Budget ist eine Chance")
            .iter()
            .any(|t| q[0].matches(t)));
    }

    #[test]
    fn compounds_are_found_by_their_parts() {
        let a = Analyzer::default();
        assert_eq!(
            a.compound_parts("sozialraumbudget"),
            ["sozial", "raum", "budget"]
        );
        assert_eq!(
            a.compound_parts("ganztagsbetreuung"),
            ["ganztag", "betreuung"]
        );
        assert_eq!(
            a.compound_parts("fachkraftemangel"),
            ["fachkrafte", "mangel"]
        );
        // Inflected parts the word list lacks, known to the dictionary.
        assert_eq!(
            a.compound_parts("betriebserlaubnisse"),
            ["betrieb", "erlaubnisse"]
        );
        // Unknown parts: no split rather than a wrong one.
        assert!(a.compound_parts("schwierigkeiten").is_empty());
        let terms = terms("Das Sozialraumbudget und die Fachaufsicht");
        for part in ["budget", "aufsicht", "raum"] {
            let stem = terms_of(&a, part);
            assert!(terms.contains(&stem), "{part} in {terms:?}");
        }
        let q = a.query_words("Budget");
        assert!(a
            .snippet("Zum Sozialraumbudget", &q, 100)
            .contains("<mark>Sozialraumbudget</mark>"));
    }

    fn terms_of(a: &Analyzer, word: &str) -> String {
        a.index_terms(word)
    }

    #[test]
    fn typos_within_tolerance() {
        let a = Analyzer::default();
        let q = a.query_words("Sozialrambudget");
        assert!(terms("Sozialraumbudget").iter().any(|t| q[0].matches(t)));
        let q = a.query_words("Kita");
        assert!(
            !terms("Kids").iter().any(|t| q[0].matches(t)),
            "no typos below 5 letters"
        );
    }

    #[test]
    fn snippets_mark_what_a_synonym_matched() {
        let a = Analyzer::default();
        let q = a.query_words("Sozialrambudget");
        assert_eq!(
            a.snippet("Das SR-Budget ist eine Chance", &q, 150),
            "Das <mark>SR-Budget</mark> ist eine Chance"
        );
        let q = a.query_words("KiSa");
        assert_eq!(
            a.snippet("Träger der Kita-Sozialarbeit", &q, 150),
            "Träger der <mark>Kita-Sozialarbeit</mark>"
        );
        // One word of a two-word long form is not the abbreviation.
        let q = a.query_words("Fachkraft");
        assert_eq!(a.snippet("Die IKF berät", &q, 150), "Die IKF berät");
    }

    #[test]
    fn snippets_mark_matches_and_escape() {
        let a = Analyzer::default();
        let q = a.query_words("Fachkräfte");
        let s = a.snippet("Mangel an <Fachkräften> überall", &q, 150);
        assert_eq!(s, "Mangel an &lt;<mark>Fachkräften</mark>&gt; überall");
    }
}
