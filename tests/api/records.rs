//! Districts, Kitas and their relations: reading, paging, writing, versions, audit, soft delete.

use std::collections::HashSet;

use serde_json::{json, Value};
use srb_storage::{KitaFilter, Role};
use srb_tests::{code, on_every_backend, TestApp};

async fn the_41_districts_are_always_there(app: &TestApp) {
    let data = app
        .data(
            None,
            "{ districts { ags name kind population parent { ags } } }",
            json!({}),
        )
        .await;
    let districts = data["districts"].as_array().unwrap();
    assert_eq!(districts.len(), 41);
    let count = |kind: &str| districts.iter().filter(|d| d["kind"] == kind).count();
    assert_eq!(count("LANDKREIS"), 24);
    assert_eq!(count("KREISFREIE_STADT"), 12);
    assert_eq!(count("GROSSE_KREISANGEHOERIGE_STADT"), 5);
    let koblenz = districts.iter().find(|d| d["ags"] == "07111").unwrap();
    assert_eq!(koblenz["name"], "Stadt Koblenz");
    assert_eq!(koblenz["population"], 114024);
    let neuwied = districts.iter().find(|d| d["ags"] == "07138045").unwrap();
    assert_eq!(neuwied["parent"]["ags"], "07138");
    let names: HashSet<&str> = districts
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 41, "district names are unique");
}

async fn demo_data_is_idempotent_and_synthetic(app: &TestApp) {
    let first = srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    assert_eq!(first.districts_seeded, 41);
    assert_eq!(first.kitas, 2600);
    let second = srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    assert_eq!(second.districts_seeded, 0);
    assert_eq!(
        app.storage
            .count_kitas(&KitaFilter::default())
            .await
            .unwrap(),
        2600
    );
    let data = app
        .data(None, "{ kitas(first: 100) { edges { node { synthetic places placesUnder3 provider { synthetic } socialSpace { synthetic } } } } }", json!({}))
        .await;
    for edge in data["kitas"]["edges"].as_array().unwrap() {
        let n = &edge["node"];
        assert_eq!(n["synthetic"], true);
        assert_eq!(n["provider"]["synthetic"], true);
        assert_eq!(n["socialSpace"]["synthetic"], true);
        assert!(n["placesUnder3"].as_i64() <= n["places"].as_i64());
    }
    // Every district has Kitas.
    let data = app
        .data(
            None,
            "{ districts { ags kitas(first: 1) { totalCount } } }",
            json!({}),
        )
        .await;
    for d in data["districts"].as_array().unwrap() {
        assert!(d["kitas"]["totalCount"].as_i64().unwrap() > 0, "{d}");
    }
}

const PAGE: &str = "query($after: String, $before: String, $first: Int, $last: Int) {
  kitas(after: $after, before: $before, first: $first, last: $last) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}";

async fn kitas_paginate_forward_to_the_last_page_and_back(app: &TestApp) {
    srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let data = app
            .data(None, PAGE, json!({ "first": 100, "after": after }))
            .await;
        let conn = &data["kitas"];
        assert_eq!(conn["totalCount"], 2600);
        for e in conn["edges"].as_array().unwrap() {
            seen.push(e["node"]["id"].as_str().unwrap().to_owned());
        }
        pages += 1;
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = Some(conn["pageInfo"]["endCursor"].as_str().unwrap().to_owned());
        assert!(pages < 100, "pagination does not end");
    }
    assert_eq!(pages, 26);
    assert_eq!(seen.len(), 2600);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        2600,
        "no Kita twice"
    );

    // Backwards from the end: the last page is the last 100 seen going forward.
    let data = app.data(None, PAGE, json!({ "last": 100 })).await;
    let last: Vec<String> = data["kitas"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(last, seen[2500..]);
    assert_eq!(data["kitas"]["pageInfo"]["hasPreviousPage"], true);
    let before = data["kitas"]["pageInfo"]["startCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = app
        .data(None, PAGE, json!({ "last": 50, "before": before }))
        .await;
    let prev: Vec<&str> = data["kitas"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        prev,
        seen[2450..2500]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
}

async fn kita_filters_narrow_the_list(app: &TestApp) {
    srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    let q = "query($f: KitaFilter) { kitas(filter: $f, first: 100) { totalCount edges { node { district { ags } familyCenter tags name } } } }";
    let data = app
        .data(None, q, json!({ "f": { "districtAgs": "07111" } }))
        .await;
    let koblenz = data["kitas"]["totalCount"].as_i64().unwrap();
    assert!(koblenz > 0 && koblenz < 2600);
    for e in data["kitas"]["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["district"]["ags"], "07111");
    }
    let data = app
        .data(
            None,
            q,
            json!({ "f": { "districtAgs": "07111", "familyCenter": true } }),
        )
        .await;
    let fz = data["kitas"]["totalCount"].as_i64().unwrap();
    assert!(fz < koblenz);
    for e in data["kitas"]["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["familyCenter"], true);
    }
    let data = app
        .data(None, q, json!({ "f": { "tag": "Waldgruppe" } }))
        .await;
    assert!(data["kitas"]["totalCount"].as_i64().unwrap() > 0);
    for e in data["kitas"]["edges"].as_array().unwrap() {
        assert!(e["node"]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("Waldgruppe")));
    }
    let data = app
        .data(None, q, json!({ "f": { "nameContains": "REGENBOGEN" } }))
        .await;
    assert!(data["kitas"]["totalCount"].as_i64().unwrap() > 0);
    for e in data["kitas"]["edges"].as_array().unwrap() {
        assert!(e["node"]["name"].as_str().unwrap().contains("Regenbogen"));
    }
    // LIKE wildcards in the search text are taken literally.
    let data = app
        .data(None, q, json!({ "f": { "nameContains": "%" } }))
        .await;
    assert_eq!(data["kitas"]["totalCount"], 0);
}

async fn relations_load_in_batches_not_per_kita(app: &TestApp) {
    srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    // The indexer reads the new Kitas through the same store; let it finish first.
    app.indexed().await;
    let q = "query($n: Int) { kitas(first: $n) { edges { node { name tags district { name }
        provider { name district { name } } socialSpace { name district { name } } } } } }";
    let mut cost = Vec::new();
    for n in [5, 50] {
        let before = app.storage.statements_executed();
        let data = app.data(None, q, json!({ "n": n })).await;
        assert_eq!(data["kitas"]["edges"].as_array().unwrap().len(), n as usize);
        cost.push(app.storage.statements_executed() - before);
    }
    assert_eq!(
        cost[0], cost[1],
        "statements grow with the page size: {cost:?}"
    );
    // The page, then one batch each: tags, providers, social spaces, and districts unless
    // they come from the reference-data cache.
    assert!(cost[1] <= 5, "{cost:?}");

    // All 41 districts with their social spaces and providers: one query each.
    let before = app.storage.statements_executed();
    let data = app
        .data(
            None,
            "{ districts { ags socialSpaces { name district { ags } } providers { name } } }",
            json!({}),
        )
        .await;
    // Districts, social spaces, providers (the districts may come from the reference cache).
    assert!(app.storage.statements_executed() - before <= 3);
    for d in data["districts"].as_array().unwrap() {
        let spaces = d["socialSpaces"].as_array().unwrap();
        assert!(spaces.len() >= 3, "{d}");
        assert!(spaces.iter().all(|s| s["district"]["ags"] == d["ags"]));
        assert!(!d["providers"].as_array().unwrap().is_empty());
    }
}

const UPDATE_KITA: &str = "mutation($input: UpdateKitaInput!) { updateKita(input: $input) { name version places street } }";

async fn create_kita(app: &TestApp, token: &str, ags: &str, name: &str) -> (String, Value) {
    let data = app
        .data(
            Some(token),
            "mutation($input: CreateKitaInput!) { createKita(input: $input) { id version name places placesUnder3 tags street postalCode familyCenter } }",
            json!({ "input": { "districtAgs": ags, "name": name, "places": 60, "placesUnder3": 12,
                    "street": "Hauptstraße 1", "postalCode": "56068", "tags": ["Sprach-Kita", "Ganztag", "Ganztag"] } }),
        )
        .await;
    let kita = data["createKita"].clone();
    (kita["id"].as_str().unwrap().to_owned(), kita)
}

async fn kita_round_trip_with_relations(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    let space = app
        .data(Some(&token), r#"mutation { createSocialSpace(input: { districtAgs: "07111", name: "Lützel" }) { id version } }"#, json!({}))
        .await["createSocialSpace"]["id"]
        .clone();
    let provider = app
        .data(Some(&token), r#"mutation { createProvider(input: { districtAgs: "07111", name: "Ev. Kirchengemeinde Lützel", ownership: INDEPENDENT, kind: EVANGELISCH }) { id } }"#, json!({}))
        .await["createProvider"]["id"]
        .clone();
    let (id, kita) = create_kita(app, &token, "07111", "Kita Lützel").await;
    assert_eq!(kita["version"], 1);
    assert_eq!(kita["tags"], json!(["Ganztag", "Sprach-Kita"]));
    let data = app
        .data(Some(&token), UPDATE_KITA.replace("street }", "street provider { name } socialSpace { name } }").as_str(),
            json!({ "input": { "id": id, "version": 1, "providerId": provider, "socialSpaceId": space, "street": null } }))
        .await;
    let k = &data["updateKita"];
    assert_eq!(k["version"], 2);
    assert_eq!(k["provider"]["name"], "Ev. Kirchengemeinde Lützel");
    assert_eq!(k["socialSpace"]["name"], "Lützel");
    assert!(k["street"].is_null(), "null clears an optional field");
    assert_eq!(k["places"], 60, "absent fields stay as they were");
    let node = app
        .data(
            None,
            "query($id: ID!) { node(id: $id) { id ... on Kita { name tags district { ags } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"]["name"], "Kita Lützel");
    assert_eq!(node["node"]["district"]["ags"], "07111");
    assert_eq!(node["node"]["tags"], json!(["Ganztag", "Sprach-Kita"]));

    // A provider of another district cannot be attached.
    let admin = app.token_for(Role::Admin, None).await;
    let foreign = app
        .data(Some(&admin), r#"mutation { createProvider(input: { districtAgs: "07131", name: "AWO Ahrweiler", ownership: INDEPENDENT, kind: AWO }) { id } }"#, json!({}))
        .await["createProvider"]["id"]
        .clone();
    let body = app
        .gql(
            Some(&token),
            UPDATE_KITA,
            json!({ "input": { "id": id, "version": 2, "providerId": foreign } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.providerId");
}

async fn stale_version_conflicts_and_changes_nothing(app: &TestApp) {
    let token = app.token_for(Role::Admin, None).await;
    let (id, _) = create_kita(app, &token, "07111", "Kita Konflikt").await;
    // Two people read version 1; the first saves.
    let first = app
        .data(
            Some(&token),
            UPDATE_KITA,
            json!({ "input": { "id": id, "version": 1, "places": 75 } }),
        )
        .await;
    assert_eq!(first["updateKita"]["version"], 2);
    // The second saves on top of what they read.
    let body = app
        .gql(
            Some(&token),
            UPDATE_KITA,
            json!({ "input": { "id": id, "version": 1, "name": "Kita Überschrieben" } }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT");
    assert_eq!(body["errors"][0]["extensions"]["currentVersion"], 2);
    let now = app
        .data(
            None,
            "query($id: ID!) { node(id: $id) { ... on Kita { name places version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["node"],
        json!({ "name": "Kita Konflikt", "places": 75, "version": 2 })
    );
    let ministry = app.token_for(Role::Ministry, None).await;
    let log = app
        .data(
            Some(&ministry),
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { edges { node { action } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["edges"].as_array().unwrap().len(),
        2,
        "no audit record for the refused change"
    );
    // Stale deletes conflict too.
    let body = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { deleteKita(input: { id: $id, version: 1 }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT");
}

async fn every_change_leaves_an_audit_record(app: &TestApp) {
    let (token, user_id) = app.account(Role::Coordinator, Some("07111")).await;
    let (id, _) = create_kita(app, &token, "07111", "Kita Protokoll").await;
    app.data(
        Some(&token),
        UPDATE_KITA,
        json!({ "input": { "id": id, "version": 1, "places": 80 } }),
    )
    .await;
    app.data(
        Some(&token),
        "mutation($id: ID!) { deleteKita(input: { id: $id, version: 2 }) { deletedAt } }",
        json!({ "id": id }),
    )
    .await;
    app.data(
        Some(&token),
        "mutation($id: ID!) { restoreKita(input: { id: $id, version: 3 }) { deletedAt version } }",
        json!({ "id": id }),
    )
    .await;
    let log = app
        .data(
            Some(&token),
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { edges { node { action actorUserId oldVersion newVersion entityId districtAgs details } } } }",
            json!({ "id": id }),
        )
        .await;
    let entries: Vec<&Value> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["restore", "delete", "update", "create"],
        "newest first"
    );
    let versions: Vec<(Value, Value)> = entries
        .iter()
        .map(|e| (e["oldVersion"].clone(), e["newVersion"].clone()))
        .collect();
    assert_eq!(
        versions,
        [
            (json!(3), json!(4)),
            (json!(2), json!(3)),
            (json!(1), json!(2)),
            (Value::Null, json!(1))
        ]
    );
    for e in &entries {
        assert_eq!(e["actorUserId"], user_id);
        assert_eq!(e["entityId"], json!(id));
        assert_eq!(e["districtAgs"], "07111");
    }
    assert_eq!(entries[2]["details"]["old"]["places"], 60);
    assert_eq!(entries[2]["details"]["new"]["places"], 80);
    // Another district's coordinator may not read this district's trail.
    let other = app.token_for(Role::Coordinator, Some("07131")).await;
    let body = app
        .gql(
            Some(&other),
            r#"{ auditLog(filter: { districtAgs: "07111" }) { edges { node { action } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app
        .gql(
            None,
            "{ auditLog { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

async fn deleted_kitas_are_hidden_but_restorable(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    let (id, _) = create_kita(app, &token, "07111", "Kita Gelöscht").await;
    app.data(
        Some(&token),
        "mutation($id: ID!) { deleteKita(input: { id: $id, version: 1 }) { id } }",
        json!({ "id": id }),
    )
    .await;
    let list = "query($d: Boolean) { kitas(filter: { districtAgs: \"07111\", includeDeleted: $d }) { totalCount edges { node { id deletedAt } } } }";
    let public = app.data(None, list, json!({ "d": false })).await;
    assert_eq!(public["kitas"]["totalCount"], 0);
    let node = "query($id: ID!) { node(id: $id) { ... on Kita { name deletedAt } } }";
    assert!(app.data(None, node, json!({ "id": id })).await["node"].is_null());
    let body = app.gql(None, list, json!({ "d": true })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let own = app.data(Some(&token), list, json!({ "d": true })).await;
    assert_eq!(own["kitas"]["totalCount"], 1);
    assert!(own["kitas"]["edges"][0]["node"]["deletedAt"].is_string());
    assert!(
        app.data(Some(&token), node, json!({ "id": id })).await["node"]["deletedAt"].is_string()
    );
    // A deleted Kita cannot be edited, and its name is free again.
    let body = app
        .gql(
            Some(&token),
            UPDATE_KITA,
            json!({ "input": { "id": id, "version": 2, "places": 70 } }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND");
    app.data(
        Some(&token),
        "mutation($id: ID!) { restoreKita(input: { id: $id, version: 2 }) { version } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        app.data(None, list, json!({ "d": false })).await["kitas"]["totalCount"],
        1
    );
    let body = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { restoreKita(input: { id: $id, version: 3 }) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

on_every_backend!(
    the_41_districts_are_always_there,
    demo_data_is_idempotent_and_synthetic,
    kitas_paginate_forward_to_the_last_page_and_back,
    kita_filters_narrow_the_list,
    relations_load_in_batches_not_per_kita,
    kita_round_trip_with_relations,
    stale_version_conflicts_and_changes_nothing,
    every_change_leaves_an_audit_record,
    deleted_kitas_are_hidden_but_restorable,
);
