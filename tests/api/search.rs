//! Search end to end: German queries over the demo workshop, publication levels in hits, counts
//! and facets, and an index outage that loses nothing.

use serde_json::{json, Value};
use srb_storage::Role;
use srb_tests::{code, on_every_backend, TestApp};

const HOME: &str = "07111";
const OTHER: &str = "07131";

const SEARCH: &str = r#"query($q: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $q, filter: $filter, first: $first, after: $after) {
    totalCount
    facets { kind { value count } district { value label count }
      workshop { value label count } session { value label count } }
    pageInfo { hasNextPage endCursor }
    edges { cursor score highlight titleHighlight node {
      __typename
      ... on Contribution { id body }
      ... on CooperationModel { id title }
      ... on RoleProfile { id title }
      ... on StaffingIdea { id title }
    } }
  }
}"#;

async fn search(app: &TestApp, token: Option<&str>, q: &str, filter: Value) -> Value {
    app.data(
        token,
        SEARCH,
        json!({ "q": q, "filter": filter, "first": 30 }),
    )
    .await["search"]
        .clone()
}

fn bodies(result: &Value) -> Vec<String> {
    result["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            n["body"]
                .as_str()
                .or(n["title"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn german_queries_find_the_demo_workshop(app: &TestApp) {
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    app.indexed().await;

    // Inflection and compounds: "Fachkräfte" finds the shortage and the staffing points.
    let r = search(app, None, "Fachkräfte", json!(null)).await;
    let found = bodies(&r);
    assert!(
        found.iter().any(|b| b.contains("Fachkräftemangel")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|b| b.contains("Gewinnung von Fachkräften")),
        "{found:#?}"
    );
    let marked = r["edges"].as_array().unwrap().iter().any(|e| {
        e["highlight"]
            .as_str()
            .unwrap()
            .contains("<mark>Fachkräfte")
    });
    assert!(marked, "{r:#}");

    // Abbreviation: "KiSa Träger" finds the cooperation models.
    let r = search(app, None, "KiSa Träger", json!(null)).await;
    let kinds: Vec<&str> = r["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["__typename"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"CooperationModel"), "{kinds:?}");
    let models = search(
        app,
        None,
        "KiSa Träger",
        json!({ "kinds": ["COOPERATION_MODEL"] }),
    )
    .await;
    assert_eq!(models["totalCount"], 3, "{models:#}");

    // A typo still finds the budget discussion.
    let r = search(app, None, "Sozialrambudget", json!(null)).await;
    let found = bodies(&r);
    assert!(
        found
            .iter()
            .any(|b| b.contains("SR-Budget") || b.contains("Sozialraumbudget")),
        "{found:#?}"
    );

    // Facets count what the filter then returns.
    let r = search(app, None, "Kita", json!(null)).await;
    let facets = r["facets"]["kind"].as_array().unwrap();
    let sum: i64 = facets.iter().map(|f| f["count"].as_i64().unwrap()).sum();
    assert_eq!(sum, r["totalCount"].as_i64().unwrap());
    for f in facets {
        let kind = f["value"].as_str().unwrap();
        let only = search(app, None, "Kita", json!({ "kinds": [kind] })).await;
        assert_eq!(only["totalCount"], f["count"], "{kind}");
    }

    // Workshop and session facets name their values, and filtering by one returns its count.
    let r = search(app, None, "Fachkräfte", json!(null)).await;
    let workshops = r["facets"]["workshop"].as_array().unwrap();
    assert_eq!(workshops.len(), 1, "{workshops:?}");
    assert!(
        workshops[0]["label"]
            .as_str()
            .unwrap()
            .contains("Zwischenbilanz II"),
        "{workshops:?}"
    );
    let sessions = r["facets"]["session"].as_array().unwrap();
    assert!(sessions.len() > 1, "{sessions:?}");
    for s in sessions {
        assert!(s["label"].is_string(), "{s}");
        let only = search(app, None, "Fachkräfte", json!({ "sessionId": s["value"] })).await;
        assert_eq!(only["totalCount"], s["count"], "{s}");
    }
    let district = r["facets"]["district"].as_array().unwrap();
    assert!(
        !district.is_empty() && district.iter().all(|d| d["label"].is_string()),
        "{district:?}"
    );

    // Pages follow each other; a cursor of another search is refused.
    let first = app
        .data(None, SEARCH, json!({ "q": "Kita", "first": 2 }))
        .await["search"]
        .clone();
    let after = first["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let second = app
        .data(
            None,
            SEARCH,
            json!({ "q": "Kita", "first": 2, "after": after }),
        )
        .await["search"]
        .clone();
    assert_ne!(first["edges"][0]["cursor"], second["edges"][0]["cursor"]);
    let body = app
        .gql(
            None,
            SEARCH,
            json!({ "q": "Träger", "first": 2, "after": after }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

/// German as people write it: a coordinated compound with a hyphen stands for each whole word,
/// a zu-infinitive for the infinitive, both when written and when asked.
async fn coordinated_compounds_and_zu_infinitives_are_found(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    app.staffing_idea(&token, "Sach- und Personalkosten aus einer Hand")
        .await;
    app.staffing_idea(&token, "Träger sind bereit, Fachkräfte anzustellen")
        .await;
    app.staffing_idea(&token, "Springerpool mit eigener Sachkostenpauschale")
        .await;
    app.indexed().await;
    let titles = |r: &Value| -> Vec<String> {
        r["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let r = search(app, None, "Sachkosten", json!(null)).await;
    assert!(
        titles(&r).contains(&"Sach- und Personalkosten aus einer Hand".to_owned()),
        "{:?}",
        titles(&r)
    );
    let marked = r["edges"].as_array().unwrap().iter().any(|e| {
        e["titleHighlight"]
            .as_str()
            .unwrap()
            .contains("<mark>Sach</mark>-")
    });
    assert!(marked, "the open word is marked: {r:#}");
    let r = search(app, None, "Personalkosten", json!(null)).await;
    assert_eq!(titles(&r), ["Sach- und Personalkosten aus einer Hand"]);
    // Asked the same way: `Sach-` means Sachkosten, not anything starting with `Sach`.
    let r = search(app, None, "Sach- und Personalkosten", json!(null)).await;
    assert_eq!(titles(&r)[0], "Sach- und Personalkosten aus einer Hand");
    let r = search(app, None, "anstellen", json!(null)).await;
    assert_eq!(titles(&r), ["Träger sind bereit, Fachkräfte anzustellen"]);
    let r = search(app, None, "Fachkräfte anzustellen", json!(null)).await;
    assert_eq!(titles(&r)[0], "Träger sind bereit, Fachkräfte anzustellen");
}

/// A derivation family meets (the German Hunspell dictionary's entries), and compounds are
/// found by inflected parts the word list lacks.
async fn derivation_families_and_inflected_parts_are_found(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    for title in [
        "Die Springerstellen werden zentral koordiniert",
        "Betriebserlaubnisse früh klären",
        "Kooperationsvereinbarungen mit allen Trägern",
        "Stellen nur noch unbefristet ausschreiben",
    ] {
        app.staffing_idea(&token, title).await;
    }
    app.indexed().await;
    for (query, found) in [
        (
            "Koordination",
            "Die Springerstellen werden zentral koordiniert",
        ),
        (
            "Koordinierung der Springer",
            "Die Springerstellen werden zentral koordiniert",
        ),
        ("Erlaubnis", "Betriebserlaubnisse früh klären"),
        ("Betriebserlaubnis", "Betriebserlaubnisse früh klären"),
        (
            "Vereinbarung",
            "Kooperationsvereinbarungen mit allen Trägern",
        ),
    ] {
        let r = search(app, None, query, json!(null)).await;
        let titles: Vec<&str> = r["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["node"]["title"].as_str())
            .collect();
        assert_eq!(titles.first(), Some(&found), "{query}: {titles:?}");
    }
}

async fn private_records_stay_out_of_hits_counts_and_facets(app: &TestApp) {
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    app.data(
        Some(&home),
        r#"mutation($input: CreateRoleProfileInput!) { createRoleProfile(input: $input) { id } }"#,
        json!({ "input": { "districtAgs": HOME, "profile": {
            "title": "Geheimprofil", "role": "KITA_LOTSE", "purpose": "Nur intern: Lotsenwissen",
            "publication": "DISTRICT", "status": "PUBLISHED" } } }),
    )
    .await;
    app.data(
        Some(&home),
        r#"mutation($input: CreateRoleProfileInput!) { createRoleProfile(input: $input) { id } }"#,
        json!({ "input": { "districtAgs": HOME, "profile": {
            "title": "Entwurfsprofil Lotsenwissen", "role": "KITA_LOTSE", "publication": "PUBLIC" } } }),
    )
    .await;
    app.indexed().await;
    for (who, token) in [
        ("anonymous", None),
        ("other district", Some(other.as_str())),
    ] {
        let r = search(app, token, "Lotsenwissen", json!(null)).await;
        assert_eq!(r["totalCount"], 0, "{who}: {r:#}");
        assert_eq!(r["facets"]["kind"], json!([]), "{who}");
        assert_eq!(r["facets"]["district"], json!([]), "{who}");
    }
    let r = search(app, Some(&home), "Lotsenwissen", json!(null)).await;
    assert_eq!(r["totalCount"], 2, "{r:#}");
}

async fn an_index_outage_loses_no_write(app: &TestApp) {
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    app.embedded().close();
    // Writes go on while the index is down.
    for title in ["Ausfallsichere Idee", "Zweite ausfallsichere Idee"] {
        app.data(
            Some(&home),
            r#"mutation($input: CreateStaffingIdeaInput!) { createStaffingIdea(input: $input) { id } }"#,
            json!({ "input": { "districtAgs": HOME, "idea": { "title": title, "category": "HALTEN",
                "measure": "Auch ohne Suchindex gespeichert", "publication": "PUBLIC" } } }),
        )
        .await;
    }
    let body = app.gql(None, SEARCH, json!({ "q": "ausfallsicher" })).await;
    assert_eq!(code(&body), "SEARCH_UNAVAILABLE", "{body}");
    let status = app.storage.outbox_status().await.unwrap();
    assert!(status.pending >= 2, "{status:?}");
    app.embedded().reopen().unwrap();
    // The retries back off; the index catches up on its own.
    for _ in 0..300 {
        if app.storage.outbox_status().await.unwrap().pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = search(app, None, "ausfallsicher", json!(null)).await;
    assert_eq!(r["totalCount"], 2, "{r:#}");
}

async fn odd_queries_get_clear_answers(app: &TestApp) {
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    app.indexed().await;
    let long = "Fachkräfte ".repeat(1_000);
    let body = app.gql(None, SEARCH, json!({ "q": long })).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "query");
    for q in [
        r#""Träger"#,
        "Fach*",
        "kind:IDEA",
        "(KiSa",
        "-Träger",
        "\\",
        "::",
    ] {
        let body = app.gql(None, SEARCH, json!({ "q": q })).await;
        assert!(body.get("errors").is_none(), "{q}: {body}");
    }
    // A filter value that names nothing is an error, not an empty page.
    let body = app
        .gql(
            None,
            SEARCH,
            json!({ "q": "Kita", "filter": { "districtAgs": "99999" } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "filter.districtAgs"
    );
    // An empty query lists the newest records.
    let r = search(app, None, "", json!(null)).await;
    assert!(r["totalCount"].as_i64().unwrap() > 50, "{r:#}");
}

async fn suggestions_show_only_what_the_caller_may_read(app: &TestApp) {
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    app.data(
        Some(&home),
        r#"mutation($input: CreateRoleProfileInput!) { createRoleProfile(input: $input) { id } }"#,
        json!({ "input": { "districtAgs": HOME, "profile": {
            "title": "Kooperationslotse intern", "role": "KITA_LOTSE",
            "publication": "DISTRICT", "status": "PUBLISHED" } } }),
    )
    .await;
    app.indexed().await;
    const SUGGEST: &str = r#"query($p: String!) { suggest(prefix: $p) {
        label highlight node { __typename ... on RoleProfile { title } } } }"#;
    let suggest = |token: Option<String>, prefix: &'static str| async move {
        app.data(token.as_deref(), SUGGEST, json!({ "p": prefix }))
            .await["suggest"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Word beginnings as typed: "Koop" completes to the cooperation models.
    let found = suggest(None, "Koop").await;
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .any(|s| s["highlight"].as_str().unwrap().contains("<mark>Koop")),
        "{found:#?}"
    );
    let labels: Vec<&str> = found.iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert!(!labels.contains(&"Kooperationslotse intern"), "{labels:?}");
    let own = suggest(Some(home.clone()), "Kooperationslotse").await;
    assert_eq!(own[0]["label"], "Kooperationslotse intern", "{own:#?}");
    // One letter suggests nothing rather than half the vocabulary.
    assert!(suggest(None, "K").await.is_empty());
}

async fn similar_profiles_come_from_other_districts(app: &TestApp) {
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    app.indexed().await;
    let profiles = app
        .data(
            None,
            r#"{ roleProfiles(first: 20) { nodes { id title district { ags } } } }"#,
            json!({}),
        )
        .await["roleProfiles"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let origin = profiles
        .iter()
        .find(|p| p["title"] == "Kita-Sozialarbeit im Sozialraum (Beispiel)")
        .expect("the Koblenz example profile");
    let similar = app
        .data(
            None,
            r#"query($id: ID!) { similarProfiles(id: $id) { score profile { id title district { ags } } } }"#,
            json!({ "id": origin["id"] }),
        )
        .await["similarProfiles"]
        .as_array()
        .unwrap()
        .clone();
    // The profile taken over from it is the closest; none of its own district's, not itself.
    assert_eq!(
        similar[0]["profile"]["title"], "Kita-Sozialarbeit im Sozialraum (Beispiel, übernommen)",
        "{similar:#?}"
    );
    for s in &similar {
        assert_ne!(
            s["profile"]["district"]["ags"], origin["district"]["ags"],
            "{s}"
        );
    }
    let scores: Vec<f64> = similar
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

async fn readiness_reports_an_index_outage_as_degraded(app: &TestApp) {
    let ready = app.readiness().await;
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["search"]["reachable"], true);
    app.embedded().close();
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    // Degraded, not down: the instance keeps taking writes.
    assert_eq!(response.status(), 200);
    let degraded: Value = response.json().await.unwrap();
    assert_eq!(degraded["status"], "degraded", "{degraded}");
    assert_eq!(degraded["search"]["reachable"], false);
    app.embedded().reopen().unwrap();
    let ready = app.readiness().await;
    assert_eq!(ready["status"], "ready", "{ready}");
}

async fn a_rebuild_restores_a_wiped_index_while_serving(app: &TestApp) {
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    app.indexed().await;
    let before = search(app, None, "Fachkräfte", json!(null)).await["totalCount"].clone();
    assert!(before.as_i64().unwrap() > 0);
    app.index.clear().await.unwrap();
    assert_eq!(
        search(app, None, "Fachkräfte", json!(null)).await["totalCount"],
        0
    );
    // The rebuild shares the queue with the serving instance's own indexer.
    let mut seen = Vec::new();
    let done = srb_server::indexer::rebuild(app.storage.as_ref(), app.index.as_ref(), false, |p| {
        seen.push(p)
    })
    .await
    .unwrap();
    assert!(done.total > 0);
    assert_eq!(done.done, done.total);
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done), "{seen:?}");
    assert_eq!(
        search(app, None, "Fachkräfte", json!(null)).await["totalCount"],
        before
    );
}

// What a user sees of search holds on both search backends alike.
srb_tests::on_every_search_backend!(
    coordinated_compounds_and_zu_infinitives_are_found,
    derivation_families_and_inflected_parts_are_found,
    suggestions_show_only_what_the_caller_may_read,
    similar_profiles_come_from_other_districts,
    a_rebuild_restores_a_wiped_index_while_serving,
    german_queries_find_the_demo_workshop,
    private_records_stay_out_of_hits_counts_and_facets,
    odd_queries_get_clear_answers,
);

/// Outages played by closing the embedded index (Meilisearch's are in `faults/`).
mod embedded_outages {
    use super::*;
    on_every_backend!(
        readiness_reports_an_index_outage_as_degraded,
        an_index_outage_loses_no_write,
    );
}

type Record = (String, i64);
/// (event number, worker, claimed (or finished), row id, record)
type Event = (usize, usize, bool, i64, Record);

/// Two workers on one outbox (two instances on one database): every row is applied once, and
/// the rows of one record in the order they were written.
async fn two_workers_share_the_outbox(db: srb_tests::Db) {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    // No indexer of its own: the two workers below are the only ones.
    let Some(app) = TestApp::spawn_with(db, |c| c.search_worker = false).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    for i in 0..40 {
        let created = app
            .data(
                Some(&home),
                r#"mutation($input: CreateStaffingIdeaInput!) { createStaffingIdea(input: $input) { id version } }"#,
                json!({ "input": { "districtAgs": HOME, "idea": { "title": format!("Idee {i}"),
                    "category": "HALTEN", "measure": "Erste Fassung", "publication": "PUBLIC" } } }),
            )
            .await["createStaffingIdea"]
            .clone();
        // Every other record changes twice more: three rows that must apply in order.
        if i % 2 == 0 {
            let mut version = created["version"].clone();
            for text in ["Zweite Fassung", "Dritte Fassung"] {
                version = app
                    .data(
                        Some(&home),
                        r#"mutation($input: UpdateStaffingIdeaInput!) {
                            updateStaffingIdea(input: $input) { version } }"#,
                        json!({ "input": { "id": created["id"], "version": version, "idea": {
                            "title": format!("Idee {i}"), "category": "HALTEN", "measure": text,
                            "publication": "PUBLIC" } } }),
                    )
                    .await["updateStaffingIdea"]["version"]
                    .clone();
            }
        }
    }
    let queued = app.storage.outbox_status().await.unwrap().pending;
    assert_eq!(queued, 80, "one row per write");

    let log: Arc<Mutex<Vec<Event>>> = Arc::default();
    let clock = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..2 {
        let storage = app.storage.clone();
        let log = log.clone();
        let clock = clock.clone();
        workers.push(tokio::spawn(async move {
            let mut idle = 0;
            while idle < 5 {
                let rows = storage
                    .claim_outbox(7, std::time::Duration::from_secs(60))
                    .await
                    .unwrap();
                if rows.is_empty() {
                    idle += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
                idle = 0;
                for r in &rows {
                    let at = clock.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    log.lock().unwrap().push((
                        at,
                        worker,
                        true,
                        r.id,
                        (r.entity_type.clone(), r.entity_id),
                    ));
                }
                // The index at work: the other worker claims meanwhile.
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                for r in &rows {
                    let at = clock.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    log.lock().unwrap().push((
                        at,
                        worker,
                        false,
                        r.id,
                        (r.entity_type.clone(), r.entity_id),
                    ));
                }
                storage.finish_outbox(&ids).await.unwrap();
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let log = log.lock().unwrap().clone();
    assert_eq!(app.storage.outbox_status().await.unwrap().pending, 0);
    let mut claims: HashMap<i64, usize> = HashMap::new();
    for (_, _, claimed, id, _) in &log {
        if *claimed {
            *claims.entry(*id).or_default() += 1;
        }
    }
    assert_eq!(claims.len(), 80, "every row applied");
    assert!(
        claims.values().all(|n| *n == 1),
        "a row applied twice: {claims:?}"
    );
    let workers_used: std::collections::HashSet<usize> = log.iter().map(|e| e.1).collect();
    assert_eq!(workers_used.len(), 2, "both workers took rows");
    // A record's later row is claimed only after its earlier row was finished.
    // Per record: (row id, claimed at, finished at).
    let mut by_record: HashMap<Record, Vec<(i64, usize, usize)>> = HashMap::new();
    for (at, _, claimed, id, record) in &log {
        let entry = by_record.entry(record.clone()).or_default();
        match entry.iter_mut().find(|e| e.0 == *id) {
            Some(e) if !*claimed => e.2 = *at,
            _ => entry.push((*id, *at, usize::MAX)),
        }
    }
    for (record, mut rows) in by_record {
        rows.sort();
        for pair in rows.windows(2) {
            assert!(
                pair[1].1 > pair[0].2,
                "{record:?}: row {} claimed before row {} finished",
                pair[1].0,
                pair[0].0
            );
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_the_outbox_sqlite() {
    two_workers_share_the_outbox(srb_tests::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_the_outbox_postgres() {
    two_workers_share_the_outbox(srb_tests::Db::Postgres).await;
}

/// A new embedded index (first start, a deleted directory, a new index format) is filled from
/// the database at start, without `srb reindex`.
async fn a_new_index_is_filled_from_the_database(db: srb_tests::Db) {
    // No worker here: the record reaches an index only through the second instance's start.
    let Some(app) = TestApp::spawn_with(db, |c| c.search_worker = false).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    app.data(
        Some(&home),
        r#"mutation($input: CreateStaffingIdeaInput!) { createStaffingIdea(input: $input) { id } }"#,
        json!({ "input": { "districtAgs": HOME, "idea": { "title": "Nachgefüllte Idee",
            "category": "HALTEN", "measure": "Vor dem neuen Index gespeichert", "publication": "PUBLIC" } } }),
    )
    .await;
    // Its queue row goes to this instance's index; nothing is pending any more.
    while srb_server::indexer::run_once(app.storage.as_ref(), app.index.as_ref(), 500)
        .await
        .unwrap()
        > 0
    {}
    assert_eq!(app.storage.outbox_status().await.unwrap().pending, 0);

    let second = app.second_instance().await;
    second.indexed().await;
    let r = search(&second, None, "nachgefüllt", json!(null)).await;
    assert_eq!(r["totalCount"], 1, "{r:#}");
    second.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_new_index_is_filled_from_the_database_sqlite() {
    a_new_index_is_filled_from_the_database(srb_tests::Db::Sqlite).await;
}

#[tokio::test]
async fn a_new_index_is_filled_from_the_database_postgres() {
    a_new_index_is_filled_from_the_database(srb_tests::Db::Postgres).await;
}
