//! The relevance set (`tests/relevance/queries.json`): German queries over the demo content with
//! the records each must find, judged by hand. Computes recall@10 and nDCG@10 per query for the
//! embedded index and, when `MEILI_URL` is set, for Meilisearch; prints the table that
//! BENCHMARKS.md records (`cargo test -p srb-tests --test api relevance -- --nocapture`).

use std::collections::HashSet;

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

async fn evaluate(name: &str, index: &dyn SearchIndex, set: &Set, docs: &[SearchDoc]) -> f64 {
    let mut recall_sum = 0.0;
    let mut ndcg_sum = 0.0;
    println!("\n{name}: query | case | recall@10 | nDCG@10");
    for q in &set.queries {
        let relevant: HashSet<String> = q.relevant.iter().flat_map(|r| resolve(docs, r)).collect();
        let result = index
            .search(&SearchQuery {
                text: q.query.clone(),
                audiences: Some(vec!["public".into()]),
                limit: K,
                ..Default::default()
            })
            .await
            .unwrap();
        let ranked: Vec<String> = result
            .hits
            .iter()
            .map(|h| srb_search::key(h.kind, h.id))
            .collect();
        let s = score(&ranked, &relevant);
        let missing: Vec<&String> = relevant.iter().filter(|k| !ranked.contains(*k)).collect();
        println!(
            "{} | {} | {:.2} | {:.2}{}",
            q.query,
            q.case,
            s.recall,
            s.ndcg,
            if missing.is_empty() || s.recall >= 1.0 {
                String::new()
            } else {
                format!(" | missing {missing:?}")
            }
        );
        recall_sum += s.recall;
        ndcg_sum += s.ndcg;
    }
    let n = set.queries.len() as f64;
    let recall = recall_sum / n;
    println!(
        "{name}: {} queries, mean recall@10 {recall:.3}, mean nDCG@10 {:.3}",
        set.queries.len(),
        ndcg_sum / n
    );
    recall
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

    let embedded = TantivyIndex::in_memory().unwrap();
    embedded.apply(Vec::new(), docs.clone()).await.unwrap();
    let recall = evaluate("tantivy", &embedded, &set, &docs).await;
    assert!(
        recall >= MIN_RECALL,
        "mean recall@10 on the embedded index is {recall:.3}, the goal is {MIN_RECALL}"
    );

    match std::env::var("MEILI_URL") {
        Ok(url) => {
            let name = format!("srb_relevance_{}", uuid::Uuid::new_v4().simple());
            let key = std::env::var("MEILI_KEY").ok();
            let meili = srb_search::MeiliIndex::connect(&url, key.as_deref(), &name)
                .await
                .expect("connect to MEILI_URL");
            meili.apply(Vec::new(), docs.clone()).await.unwrap();
            let recall = evaluate("meilisearch", &meili, &set, &docs).await;
            meili.delete().await.unwrap();
            assert!(
                recall >= MIN_RECALL,
                "mean recall@10 on Meilisearch is {recall:.3}, the goal is {MIN_RECALL}"
            );
        }
        Err(_) => assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but MEILI_URL is not: relevance on Meilisearch must run in CI"
        ),
    }
    app.stop().await;
}
