//! GraphQL over HTTP: media types, status codes, limits, and bad input that changes nothing.

use serde_json::{json, Value};
use srb_storage::{KitaFilter, Role};
use srb_tests::{code, on_every_backend, TestApp};

const CREATE_KITA: &str =
    "mutation($input: CreateKitaInput!) { createKita(input: $input) { id name version } }";

async fn kita_count(app: &TestApp) -> i64 {
    app.storage
        .count_kitas(&KitaFilter::default())
        .await
        .unwrap()
}

async fn malformed_json_is_400(app: &TestApp) {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

async fn unknown_field_is_a_validation_error(app: &TestApp) {
    let (status, body) = app
        .gql_status(None, "{ districts { ags nonsense } }", json!({}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body.get("data").is_none(),
        "a request error has no data: {body}"
    );

    // Legacy clients (application/json) get the same errors with status 200.
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": "{ districts { ags nonsense } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
}

async fn syntax_error_is_a_parse_error(app: &TestApp) {
    let (status, body) = app.gql_status(None, "{ districts { ags ", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED");
}

async fn ten_megabyte_body_is_413(app: &TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Raw HTTP: the server answers from the announced length without reading the 10 MB, and
    // closes; a client still writing would see a broken pipe instead of the answer.
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{\"query\": \"",
        10 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = vec![0u8; 1024];
    let n = stream.read(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response[..n]);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");

    // A body without announced length is cut off once it passes the limit.
    let chunks = futures_util::stream::iter(
        (0..10).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024 * 1024])),
    );
    let result = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await;
    if let Ok(resp) = result {
        assert_eq!(resp.status(), 413);
    }
}

async fn query_nested_fifty_deep_is_rejected(app: &TestApp) {
    let mut q = String::from("ags");
    for _ in 0..50 {
        q = format!("parent {{ {q} }}");
    }
    let (status, body) = app
        .gql_status(None, &format!("{{ districts {{ {q} }} }}"), json!({}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "QUERY_TOO_DEEP");
}

async fn query_asking_for_too_much_is_rejected(app: &TestApp) {
    let page = "kitas(first: 100) { edges { node { id name street postalCode city places placesUnder3 familyCenter tags synthetic version } } }";
    let aliases: Vec<String> = (0..6).map(|i| format!("p{i}: {page}")).collect();
    let (status, body) = app
        .gql_status(None, &format!("{{ {} }}", aliases.join(" ")), json!({}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX");
    // One such page is fine.
    app.data(None, &format!("{{ {page} }}"), json!({})).await;
}

async fn oversized_page_is_rejected(app: &TestApp) {
    let body = app
        .gql(
            None,
            "{ kitas(first: 1000) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
}

async fn get_runs_queries(app: &TestApp) {
    let resp = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ districts { ags } }")])
        .header("accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/graphql-response+json"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["districts"].as_array().unwrap().len(), 41);
}

async fn mutation_over_get_is_405_and_does_not_run(app: &TestApp) {
    let token = app.token_for(Role::Admin, None).await;
    let before = kita_count(app).await;
    let query = r#"mutation { createKita(input: { districtAgs: "07111", name: "Kita per GET", places: 20 }) { id } }"#;
    let resp = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query)])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
    assert_eq!(kita_count(app).await, before);
}

async fn negative_places_name_the_field_and_store_nothing(app: &TestApp) {
    let token = app.token_for(Role::Admin, None).await;
    let before = kita_count(app).await;
    let body = app
        .gql(
            Some(&token),
            CREATE_KITA,
            json!({ "input": { "districtAgs": "07111", "name": "Kita Minus", "places": -5 } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.places");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("negativ"));
    assert_eq!(kita_count(app).await, before);

    let body = app
        .gql(
            Some(&token),
            CREATE_KITA,
            json!({ "input": { "districtAgs": "07111", "name": "Kita Krippe", "places": 10, "placesUnder3": 12 } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.placesUnder3"
    );
    assert_eq!(kita_count(app).await, before);
}

async fn unknown_ags_is_bad_input(app: &TestApp) {
    let token = app.token_for(Role::Admin, None).await;
    let body = app
        .gql(
            Some(&token),
            CREATE_KITA,
            json!({ "input": { "districtAgs": "09162", "name": "Kita München", "places": 20 } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.districtAgs"
    );
    assert_eq!(kita_count(app).await, 0);
    let body = app
        .data(None, r#"{ district(ags: "09162") { name } }"#, json!({}))
        .await;
    assert!(body["district"].is_null());
}

async fn duplicate_kita_name_in_a_district_is_refused(app: &TestApp) {
    let token = app.token_for(Role::Admin, None).await;
    let input = |ags: &str, name: &str| json!({ "input": { "districtAgs": ags, "name": name, "places": 40 } });
    app.data(Some(&token), CREATE_KITA, input("07111", "Kita Regenbogen"))
        .await;
    // Same name, other case and spacing: the same Kita for a person reading the list.
    let body = app
        .gql(
            Some(&token),
            CREATE_KITA,
            input("07111", " kita  regenbogen "),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.name");
    assert_eq!(kita_count(app).await, 1);
    // Another district may have a Kita of that name.
    app.data(Some(&token), CREATE_KITA, input("07131", "Kita Regenbogen"))
        .await;
    assert_eq!(kita_count(app).await, 2);
}

async fn mutation_without_token_is_unauthenticated(app: &TestApp) {
    let body = app
        .gql(
            None,
            CREATE_KITA,
            json!({ "input": { "districtAgs": "07111", "name": "Kita Anonym", "places": 20 } }),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    assert_eq!(kita_count(app).await, 0);
}

async fn mutation_in_another_district_is_forbidden(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some("07131")).await;
    let body = app
        .gql(
            Some(&token),
            CREATE_KITA,
            json!({ "input": { "districtAgs": "07111", "name": "Kita Fremd", "places": 20 } }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    assert_eq!(kita_count(app).await, 0);
}

async fn invalid_token_is_401(app: &TestApp) {
    let (status, body) = app
        .gql_status(Some("srb_not-a-token"), "{ districts { ags } }", json!({}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

async fn unsupported_content_type_is_415(app: &TestApp) {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .body("{ districts { ags } }")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

on_every_backend!(
    malformed_json_is_400,
    unknown_field_is_a_validation_error,
    syntax_error_is_a_parse_error,
    ten_megabyte_body_is_413,
    query_nested_fifty_deep_is_rejected,
    query_asking_for_too_much_is_rejected,
    oversized_page_is_rejected,
    get_runs_queries,
    mutation_over_get_is_405_and_does_not_run,
    negative_places_name_the_field_and_store_nothing,
    unknown_ags_is_bad_input,
    duplicate_kita_name_in_a_district_is_refused,
    mutation_without_token_is_unauthenticated,
    mutation_in_another_district_is_forbidden,
    invalid_token_is_401,
    unsupported_content_type_is_415,
);
