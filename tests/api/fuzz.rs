//! Structured generation against the running server (issue 18): thousands of GraphQL
//! documents and variables built from the schema's own words, punctuation, deep nesting and
//! aliases, and concept documents mutated from the demo's. Nothing may panic: every answer is
//! JSON, every error carries a code, none is `INTERNAL`, and the server serves afterwards.
//! The generator is seeded, so a failure names the case that reproduces it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use srb_storage::Role;
use srb_tests::{Db, TestApp};

const WORDS: &[&str] = &[
    "query",
    "mutation",
    "subscription",
    "fragment",
    "on",
    "districts",
    "ags",
    "name",
    "kitas",
    "first",
    "after",
    "edges",
    "node",
    "id",
    "search",
    "totalCount",
    "facets",
    "kind",
    "me",
    "apiTokens",
    "login",
    "email",
    "password",
    "stateMonitoring",
    "year",
    "concepts",
    "__typename",
    "__schema",
    "types",
    "fields",
    "createStaffingIdea",
    "input",
    "exportPositions",
    "format",
    "XLSX",
    "true",
    "null",
    "1e999",
    "-0",
    "\"\\u0000\"",
    "\"\u{1F600}\"",
    "$v",
    "...",
    "@skip",
    "@include(if: $v)",
    "Int",
    "String!",
    "[ID!]!",
];
const PUNCT: &[&str] = &[
    "{", "}", "(", ")", ":", ",", "[", "]", "=", "!", "|", "&", "#", "\n",
];

fn document(rng: &mut StdRng) -> String {
    match rng.gen_range(0..4) {
        // Word salad from the schema's vocabulary.
        0 => (0..rng.gen_range(1..60))
            .map(|_| {
                if rng.gen_bool(0.6) {
                    WORDS[rng.gen_range(0..WORDS.len())]
                } else {
                    PUNCT[rng.gen_range(0..PUNCT.len())]
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        // Deep nesting.
        1 => {
            let depth = rng.gen_range(1..400);
            format!(
                "{{{}{}",
                "districts { kitas { edges { node { ".repeat(depth),
                "}".repeat(depth * 4 + 1)
            )
        }
        // Many aliases of one field.
        2 => {
            let n = rng.gen_range(1..300);
            let body: String = (0..n)
                .map(|i| format!("a{i}: districts {{ ags }} "))
                .collect();
            format!("{{ {body} }}")
        }
        // Random characters.
        _ => (0..rng.gen_range(0..200))
            .map(|_| char::from_u32(rng.gen_range(0..0x2FFF)).unwrap_or('?'))
            .collect(),
    }
}

fn random_json(rng: &mut StdRng, depth: usize) -> Value {
    match rng.gen_range(0..if depth > 3 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.gen_bool(0.5)),
        2 => json!(rng.gen::<i64>()),
        3 => json!(rng.gen::<f64>() * 1e300),
        4 => json!(
            [
                "",
                "07111",
                "2026-02-30",
                "99999999999999999999999999999",
                "XLSX",
                "€"
            ][rng.gen_range(0..6)]
        ),
        5 => json!((0..rng.gen_range(0..50)).map(|_| 'ä').collect::<String>()),
        6 => Value::Array(
            (0..rng.gen_range(0..5))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "districtAgs",
                "idea",
                "title",
                "category",
                "measure",
                "publication",
                "kind",
                "year",
                "x",
            ];
            Value::Object(
                (0..rng.gen_range(0..6))
                    .map(|_| {
                        (
                            keys[rng.gen_range(0..keys.len())].to_owned(),
                            random_json(rng, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
    }
}

/// Documents that are valid but get variables of any shape.
const WITH_VARIABLES: &[&str] = &[
    "query($q: String!, $f: SearchFilter, $n: Int) { search(query: $q, filter: $f, first: $n) { totalCount } }",
    "query($n: Int, $a: String) { kitas(first: $n, after: $a) { edges { node { name } } } }",
    "mutation($input: CreateStaffingIdeaInput!) { createStaffingIdea(input: $input) { id } }",
    "query($y: Int!) { stateMonitoring(year: $y) { year } }",
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
];

async fn check(app: &TestApp, token: &str, body: Value, case: &str) {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert!(status != 500, "{case}: 500 for {body}: {text}");
    let answer: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{case}: not JSON: {text}"));
    if let Some(errors) = answer["errors"].as_array() {
        for e in errors {
            let code = e["extensions"]["code"].as_str();
            assert!(code.is_some(), "{case}: an error without a code: {answer}");
            assert_ne!(code, Some("INTERNAL"), "{case}: {body} → {answer}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_documents_and_variables_never_break_the_server() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.rate_per_address = 0;
        c.rate_per_token = 0;
    })
    .await
    .unwrap();
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    let seed = 18;
    let mut rng = StdRng::seed_from_u64(seed);
    for i in 0..1_500 {
        let query = document(&mut rng);
        check(
            &app,
            &token,
            json!({ "query": query }),
            &format!("seed {seed} document {i}"),
        )
        .await;
    }
    for i in 0..1_500 {
        let query = WITH_VARIABLES[rng.gen_range(0..WITH_VARIABLES.len())];
        let names = ["q", "f", "n", "a", "input", "y", "e", "p"];
        let mut variables = serde_json::Map::new();
        for n in names {
            if rng.gen_bool(0.7) {
                variables.insert(n.to_owned(), random_json(&mut rng, 0));
            }
        }
        check(
            &app,
            &token,
            json!({ "query": query, "variables": variables }),
            &format!("seed {seed} variables {i}"),
        )
        .await;
    }
    app.data(None, "{ districts { ags } }", json!({})).await;
    app.stop().await;
}

/// Replaces leaves and drops keys of a concept document at random.
fn mutate(value: &mut Value, rng: &mut StdRng) {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                if rng.gen_bool(0.05) {
                    map.remove(&k);
                } else if let Some(v) = map.get_mut(&k) {
                    mutate(v, rng);
                }
            }
        }
        Value::Array(items) => {
            if rng.gen_bool(0.05) {
                items.clear();
            }
            for v in items {
                mutate(v, rng);
            }
        }
        leaf => {
            if rng.gen_bool(0.15) {
                *leaf = match rng.gen_range(0..6) {
                    0 => json!("-1"),
                    1 => json!("79228162514264337593543950335"),
                    2 => json!(0),
                    3 => json!("1e-28"),
                    4 => Value::Null,
                    _ => json!("Ä"),
                };
            }
        }
    }
}

#[test]
fn mutated_concept_documents_are_read_or_refused() {
    let (_, demo) = srb_server::demo_plans::concept_document(0, &["Kita Sonne".to_owned()]);
    let original = serde_json::to_value(&demo).unwrap();
    srb_app::planning::parse_document(&original.to_string())
        .expect("the demo's concept reads back");
    let mut rng = StdRng::seed_from_u64(18);
    for _ in 0..5_000 {
        let mut doc = original.clone();
        mutate(&mut doc, &mut rng);
        let _ = srb_app::planning::parse_document(&doc.to_string());
    }
}
