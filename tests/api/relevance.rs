//! Relevance, measured on every search backend (embedded index; Meilisearch with `MEILI_URL`,
//! always in CI). Two sets, both judged by hand:
//! - `tests/relevance/queries.json`: German queries over the demo content with the records each
//!   must find (the project's own set);
//! - `tests/relevance/held_out.json`: queries from the users' tasks over the demo content plus a
//!   body of text no one here wrote (the seed documentation of Zwischenbilanz II, cut into
//!   passages), judged before any search ran; recall@10 and nDCG@10 per phenomenon.
//!
//! Prints the tables that BENCHMARKS.md records
//! (`cargo test -p srb-tests --test api relevance -- --nocapture`).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use srb_search::{DocKind, SearchDoc, SearchIndex, SearchQuery, TantivyIndex};
use srb_tests::{Db, TestApp};

/// The goal, the same for both backends.
const MIN_RECALL: f64 = 0.95;
const K: usize = 10;

#[derive(Deserialize)]
struct Set {
    queries: Vec<Judged>,
}

#[derive(Deserialize)]
struct Judged {
    query: String,
    case: String,
    relevant: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    kind: String,
    text: Vec<String>,
}

/// Every searchable record of the demo content, as the indexer builds it.
async fn demo_documents() -> (TestApp, Vec<SearchDoc>) {
    // No indexer of its own: the queue is read here.
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.search_worker = false)
        .await
        .expect("sqlite");
    srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    let mut docs = Vec::new();
    loop {
        let rows = app
            .storage
            .claim_outbox(5_000, std::time::Duration::from_secs(600))
            .await
            .unwrap();
        if rows.is_empty() {
            break;
        }
        let (_, built) = srb_app::search_docs::refresh(app.storage.as_ref(), &rows)
            .await
            .unwrap();
        docs.extend(built);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        app.storage.finish_outbox(&ids).await.unwrap();
    }
    // A record refreshed twice (a workshop and its contributions) counts once.
    let mut seen = HashSet::new();
    docs.retain(|d| seen.insert(d.key()));
    (app, docs)
}

fn resolve(docs: &[SearchDoc], r: &Reference) -> Vec<String> {
    let kind = DocKind::parse(&r.kind).unwrap_or_else(|| panic!("unknown kind {}", r.kind));
    let found: Vec<String> = docs
        .iter()
        .filter(|d| d.kind == kind)
        .filter(|d| {
            let text = format!("{}\n{}", d.title, d.body);
            r.text.iter().all(|t| text.contains(t.as_str()))
        })
        .map(|d| d.key())
        .collect();
    assert!(
        !found.is_empty(),
        "the reference {} {:?} matches no record of the demo content",
        r.kind,
        r.text
    );
    found
}

struct Scores {
    recall: f64,
    ndcg: f64,
}

fn score(ranked: &[String], relevant: &HashSet<String>) -> Scores {
    let top = &ranked[..ranked.len().min(K)];
    let hits = top.iter().filter(|k| relevant.contains(*k)).count();
    let gain = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let dcg: f64 = top
        .iter()
        .enumerate()
        .filter(|(_, k)| relevant.contains(*k))
        .map(|(i, _)| gain(i))
        .sum();
    let ideal: f64 = (0..relevant.len().min(K)).map(gain).sum();
    Scores {
        // More relevant records than places: the best possible is all places filled.
        recall: hits as f64 / relevant.len().min(K) as f64,
        ndcg: dcg / ideal,
    }
}

/// The ranked keys of the first K hits of `query`, as an anonymous reader sees them.
async fn ranked(index: &dyn SearchIndex, query: &str) -> Vec<String> {
    let result = index
        .search(&SearchQuery {
            text: query.to_owned(),
            audiences: Some(vec!["public".into()]),
            limit: K,
            ..Default::default()
        })
        .await
        .unwrap();
    result
        .hits
        .iter()
        .map(|h| srb_search::key(h.kind, h.id))
        .collect()
}

/// Scores each query (with its case and relevant keys) and prints the table.
async fn evaluate(
    name: &str,
    index: &dyn SearchIndex,
    queries: &[(String, String, HashSet<String>)],
) -> Vec<Scores> {
    println!("\n{name}: query | case | recall@10 | nDCG@10");
    let mut all = Vec::new();
    for (query, case, relevant) in queries {
        let ranked = ranked(index, query).await;
        if std::env::var("SRB_RELEVANCE_SHOW").is_ok_and(|q| &q == query) {
            // Diagnosis: what the backend ranked first.
            for (i, k) in ranked.iter().enumerate() {
                let mark = if relevant.contains(k) { "+" } else { " " };
                println!("  {mark} {i} {k}");
            }
        }
        let s = score(&ranked, relevant);
        let missing: Vec<&String> = relevant.iter().filter(|k| !ranked.contains(*k)).collect();
        println!(
            "{query} | {case} | {:.2} | {:.2}{}",
            s.recall,
            s.ndcg,
            if missing.is_empty() || s.recall >= 1.0 {
                String::new()
            } else {
                format!(" | missing {missing:?}")
            }
        );
        all.push(s);
    }
    let n = all.len() as f64;
    println!(
        "{name}: {} queries, mean recall@10 {:.3}, mean nDCG@10 {:.3}",
        all.len(),
        all.iter().map(|s| s.recall).sum::<f64>() / n,
        all.iter().map(|s| s.ndcg).sum::<f64>() / n
    );
    all
}

fn mean_recall(scores: &[Scores]) -> f64 {
    scores.iter().map(|s| s.recall).sum::<f64>() / scores.len() as f64
}

/// The judged queries of the project's set with the keys of their relevant records.
fn judged(set: &Set, docs: &[SearchDoc]) -> Vec<(String, String, HashSet<String>)> {
    set.queries
        .iter()
        .map(|q| {
            let relevant = q.relevant.iter().flat_map(|r| resolve(docs, r)).collect();
            (q.query.clone(), q.case.clone(), relevant)
        })
        .collect()
}

/// Every backend the run can reach: the embedded index always, Meilisearch with `MEILI_URL`
/// (which CI must set), each filled with the same documents.
struct Backends {
    embedded: TantivyIndex,
    meili: Option<srb_search::MeiliIndex>,
}

impl Backends {
    async fn with(docs: &[SearchDoc]) -> Self {
        let embedded = TantivyIndex::in_memory().unwrap();
        embedded.apply(Vec::new(), docs.to_vec()).await.unwrap();
        let meili = match std::env::var("MEILI_URL") {
            Ok(url) => {
                let name = format!("srb_relevance_{}", uuid::Uuid::new_v4().simple());
                let key = std::env::var("MEILI_KEY").ok();
                let meili = srb_search::MeiliIndex::connect(&url, key.as_deref(), &name)
                    .await
                    .expect("connect to MEILI_URL");
                meili.apply(Vec::new(), docs.to_vec()).await.unwrap();
                Some(meili)
            }
            Err(_) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI is set but MEILI_URL is not: relevance on Meilisearch must run in CI"
                );
                None
            }
        };
        Backends { embedded, meili }
    }

    fn each(&self) -> Vec<(&'static str, &dyn SearchIndex)> {
        let mut out: Vec<(&'static str, &dyn SearchIndex)> = vec![("tantivy", &self.embedded)];
        if let Some(m) = &self.meili {
            out.push(("meilisearch", m));
        }
        out
    }

    async fn delete(self) {
        if let Some(m) = self.meili {
            m.delete().await.unwrap();
        }
    }
}

fn load_set() -> Set {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/relevance/queries.json");
    let set: Set = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("the relevance set is valid JSON");
    assert!(set.queries.len() >= 40, "at least 40 judged queries");
    for case in ["inflection", "compound", "gender", "abbreviation", "typo"] {
        assert!(
            set.queries.iter().any(|q| q.case == case),
            "no {case} query"
        );
    }
    set
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_set_on_every_search_backend() {
    let set = load_set();
    let (app, docs) = demo_documents().await;
    let queries = judged(&set, &docs);
    let backends = Backends::with(&docs).await;
    let mut failed = Vec::new();
    for (name, index) in backends.each() {
        let recall = mean_recall(&evaluate(name, index, &queries).await);
        if recall < MIN_RECALL {
            failed.push(format!(
                "mean recall@10 on {name} is {recall:.3}, the goal is {MIN_RECALL}"
            ));
        }
    }
    backends.delete().await;
    app.stop().await;
    assert!(failed.is_empty(), "{failed:?}");
}

/// Goals of the held-out set, fixed before it first ran: every phenomenon finds at least this
/// share of what it should in the first ten, and the whole set at least `HELD_OUT_RECALL`.
const PHENOMENON_RECALL: f64 = 0.8;
const HELD_OUT_RECALL: f64 = 0.9;
/// Phenomena still below that goal on a backend (measured 2026-12-03, rounded down): held at
/// this level, so they cannot get worse unnoticed, until the work of issue 20 lifts them.
/// Derivations across compounds (`Koordinationsstelle finanzieren` for a text about the
/// `Koordinationsbedarf` that `finanziert werden` must), the person and the activity that
/// Snowball stems alike (`Sozialarbeiterin`, `Kita-Sozialarbeit`), verbs of a synonym group the
/// thesaurus leaves out (`binden`, `halten`).
const BELOW_GOAL: &[(&str, f64)] = &[("derivation", 0.55), ("gender", 0.7), ("synonym", 0.6)];

#[derive(Deserialize)]
struct HeldOut {
    passage_lines: usize,
    queries: Vec<HeldOutQuery>,
}

#[derive(Deserialize)]
struct HeldOutQuery {
    query: String,
    case: String,
    relevant: Vec<String>,
}

/// The seed documentation, as text extracted from its PDF: lines broken with a hyphen are
/// joined again (a lower-case continuation loses the hyphen, a capital keeps it, as in
/// „Kita-Sozialarbeit“), then every `lines` lines make one passage.
fn passages(text: &str, lines: usize) -> Vec<String> {
    let mut joined: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let broken = joined.last().filter(|l| {
            let mut tail = l.chars().rev();
            tail.next() == Some('-') && tail.next().is_some_and(char::is_alphabetic)
        });
        match (broken.is_some(), line.chars().next()) {
            (true, Some(c)) if c.is_lowercase() => {
                let last = joined.last_mut().unwrap();
                last.pop();
                last.push_str(line);
            }
            (true, _) => joined.last_mut().unwrap().push_str(line),
            (false, _) => joined.push(line.to_owned()),
        }
    }
    joined.chunks(lines).map(|c| c.join(" ")).collect()
}

/// The seed documentation beside the project (`../shared/seed`), or in `SRB_SEED_DIR`.
fn seed_text() -> Option<String> {
    let dir = std::env::var("SRB_SEED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/seed").to_owned());
    let path = format!("{dir}/zwischenbilanz-ii-2021-11-09.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but the seed documentation is not readable ({path}: {e})"
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_out_set_per_phenomenon_on_every_search_backend() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/relevance/held_out.json");
    let set: HeldOut = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("the held-out set is valid JSON");
    let Some(seed) = seed_text() else {
        eprintln!("skipped: ../shared/seed is not here");
        return;
    };
    let (app, mut docs) = demo_documents().await;
    // The passages join the demo content: they are found among its 2,600 records.
    docs.extend(
        passages(&seed, set.passage_lines)
            .into_iter()
            .enumerate()
            .map(|(i, body)| SearchDoc {
                kind: DocKind::Contribution,
                id: 1_000_000 + i as i64,
                title: String::new(),
                body,
                district_ags: None,
                audiences: vec!["public".into()],
                workshop_id: None,
                session_id: None,
                tags: Vec::new(),
                category: None,
                day: 18_940,
                year: 2021,
            }),
    );
    let queries: Vec<(String, String, HashSet<String>)> = set
        .queries
        .iter()
        .map(|q| {
            let relevant: HashSet<String> = q
                .relevant
                .iter()
                .flat_map(|fragment| {
                    let found: Vec<String> = docs
                        .iter()
                        .filter(|d| d.title.contains(fragment) || d.body.contains(fragment))
                        .map(|d| d.key())
                        .collect();
                    assert!(!found.is_empty(), "{fragment:?} is in no passage");
                    found
                })
                .collect();
            (q.query.clone(), q.case.clone(), relevant)
        })
        .collect();

    let backends = Backends::with(&docs).await;
    let mut failed = Vec::new();
    for (name, index) in backends.each() {
        let scores = evaluate(&format!("{name}, held out"), index, &queries).await;
        let mut by_case: BTreeMap<&str, Vec<&Scores>> = BTreeMap::new();
        for ((_, case, _), s) in queries.iter().zip(&scores) {
            by_case.entry(case.as_str()).or_default().push(s);
        }
        println!("{name}, held out: phenomenon | queries | recall@10 | nDCG@10");
        for (case, list) in &by_case {
            let n = list.len() as f64;
            let recall = list.iter().map(|s| s.recall).sum::<f64>() / n;
            let ndcg = list.iter().map(|s| s.ndcg).sum::<f64>() / n;
            println!("{case} | {} | {recall:.2} | {ndcg:.2}", list.len());
            let floor = BELOW_GOAL
                .iter()
                .find(|(c, _)| c == case)
                .map_or(PHENOMENON_RECALL, |(_, f)| *f);
            // Means of a few fractions: a hair below is rounding, not a miss.
            if recall + 1e-9 < floor {
                failed.push(format!(
                    "{name}: {case} recall@10 {recall:.2}, at least {floor}"
                ));
            }
        }
        let recall = mean_recall(&scores);
        if recall + 1e-9 < HELD_OUT_RECALL {
            failed.push(format!("{name}: mean recall@10 {recall:.3}"));
        }
    }
    backends.delete().await;
    app.stop().await;
    assert!(
        failed.is_empty(),
        "below the goals (all {HELD_OUT_RECALL}, each phenomenon {PHENOMENON_RECALL} or its \
         floor): {failed:?}"
    );
}

#[test]
fn passages_join_lines_broken_with_a_hyphen() {
    let text = "Die Kita-So-\n\nzialarbeit und die Kita-\nSozialarbeit\nzwei\ndrei\n";
    assert_eq!(
        passages(text, 2),
        vec![
            "Die Kita-Sozialarbeit und die Kita-Sozialarbeit zwei",
            "drei"
        ]
    );
}
