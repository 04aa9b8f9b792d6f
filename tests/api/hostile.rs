//! Hostile input and faults (issue 18): each finding with the test that failed before.

use serde_json::json;
use srb_storage::Role;
use srb_tests::{code, on_every_backend, Db, TestApp};

/// A panic in a handler used to drop the connection without an answer; now it is `INTERNAL`
/// with the reference the log holds, and the server goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_an_internal_error_with_a_reference() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.bench_routes = true)
        .await
        .unwrap();
    let resp = app
        .client
        .get(app.url("/_bench/panic"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 500);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "INTERNAL");
    assert_eq!(
        body["errors"][0]["extensions"]["reference"]
            .as_str()
            .map(str::len),
        Some(16)
    );
    let after = app.data(None, "{ districts { ags } }", json!({})).await;
    assert_eq!(after["districts"].as_array().unwrap().len(), 41);
    app.stop().await;
}

/// `costPerFte × 100` overflowed inside the resolver for the largest decimal.
async fn a_huge_cost_rate_is_bad_input(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    let body = app
        .gql(
            Some(&token),
            "mutation { setCostRate(input: { districtAgs: \"07111\", role: \"kita_sozialarbeit\", year: 2026, costPerFte: \"79228162514264337593543950335\", source: \"x\" }) { year } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.costPerFte");
}

on_every_backend!(a_huge_cost_rate_is_bad_input);

/// Every answer says what a browser may do with it; HSTS only behind TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_carry_the_security_headers() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    for path in ["/", "/graphql?query=%7B__typename%7D", "/gibt-es-nicht"] {
        let resp = app
            .client
            .get(app.url(path))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "{path}: no HSTS over plain HTTP"
        );
    }
    let resp = app
        .client
        .get(app.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    app.stop().await;
}

/// One request could ask for thousands of files or password checks through aliases: the
/// expensive fields cost their share of the budget, and the root of a request is capped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_cannot_multiply_expensive_fields() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let many = |field: &str, n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("a{i}: {field}")).collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let files = many(
        "exportStateDistribution(year: 2025, format: CSV) { size }",
        11,
    );
    let (status, body) = app.gql_status(None, &files, json!({})).await;
    assert_eq!((status, code(&body)), (400, "QUERY_TOO_COMPLEX"), "{body}");
    let logins = format!(
        "mutation {{ {} }}",
        (0..5)
            .map(|i| format!("l{i}: login(email: \"x{i}@test.example\", password: \"falsch-aber-lang\") {{ token }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (status, body) = app.gql_status(None, &logins, json!({})).await;
    assert_eq!((status, code(&body)), (400, "QUERY_TOO_COMPLEX"), "{body}");
    let cheap = many("__typename", 31);
    let (status, body) = app.gql_status(None, &cheap, json!({})).await;
    assert_eq!((status, code(&body)), (400, "QUERY_TOO_COMPLEX"), "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("31 Felder"));
    // Through a fragment too.
    let spread = format!(
        "{{ ...f }} fragment f on Query {{ {} }}",
        (0..31)
            .map(|i| format!("t{i}: __typename"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (_, body) = app.gql_status(None, &spread, json!({})).await;
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    // What a client sensibly asks still goes through.
    let ok = many("__typename", 30);
    assert!(app.gql(None, &ok, json!({})).await.get("errors").is_none());
    app.stop().await;
}

/// A client that sends its headers slowly held a connection forever; now the server closes
/// it after the header deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_cut_off_after_the_header_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.timeouts.header_read = std::time::Duration::from_secs(1)
    })
    .await
    .unwrap();
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf)).await;
    let closed = match read {
        Ok(Ok(n)) => n == 0 || String::from_utf8_lossy(&buf[..n]).contains("408"),
        Ok(Err(_)) => true,
        Err(_) => false,
    };
    assert!(closed, "the connection is closed within the deadline");
    app.stop().await;
}

/// A request that takes too long gets `REQUEST_TIMEOUT` with `Retry-After`, and a shutdown
/// waits for open requests only until its deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_and_shutdown_have_deadlines() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.bench_routes = true;
        c.timeouts.request = std::time::Duration::from_secs(1);
        c.timeouts.shutdown = std::time::Duration::from_secs(1);
    })
    .await
    .unwrap();
    let resp = app
        .client
        .get(app.url("/_bench/sleep?ms=3000"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(resp.headers()["retry-after"], "5");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "REQUEST_TIMEOUT");
    let quick = app
        .client
        .get(app.url("/_bench/sleep?ms=10"))
        .send()
        .await
        .unwrap();
    assert_eq!(quick.status().as_u16(), 200);
    app.stop().await;

    // A request in flight when the shutdown comes, longer than the shutdown's deadline: the
    // server stops at the deadline, not when the request would end.
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.bench_routes = true;
        c.timeouts.shutdown = std::time::Duration::from_secs(1);
    })
    .await
    .unwrap();
    let slow = {
        let client = app.client.clone();
        let url = app.url("/_bench/sleep?ms=8000");
        tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    app.stop().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    slow.abort();
}

async fn typename(app: &TestApp, token: Option<&str>, addr: &str) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", addr)
        .json(&json!({ "query": "{ __typename }" }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// Nothing bounded how many requests one client sent. Now an address and a token each have a
/// budget per minute; past it the answer is 429 `RATE_LIMITED` with `Retry-After`, and other
/// clients are served as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_cannot_spend_everyones_requests() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.proxy_hops = 1;
        c.rate_per_address = 20;
        c.rate_per_token = 8;
    })
    .await
    .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(typename(&app, None, "203.0.113.9").await);
    }
    let limited: Vec<_> = statuses
        .into_iter()
        .filter(|r| r.status().as_u16() == 429)
        .collect();
    assert_eq!(limited.len(), 5, "20 of 25 within the budget");
    let retry: u64 = limited[0].headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: serde_json::Value = limited.into_iter().next().unwrap().json().await.unwrap();
    assert_eq!(code(&body), "RATE_LIMITED");
    // Another address is served; so are health checks from the exhausted one.
    assert_eq!(typename(&app, None, "198.51.100.3").await.status(), 200);
    let health = app
        .client
        .get(app.url("/healthz"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // A token's budget holds whichever addresses it comes from.
    let (token, _) = app.account(Role::Ministry, None).await;
    let mut codes = Vec::new();
    for i in 0..10 {
        let r = typename(&app, Some(&token), &format!("192.0.2.{i}")).await;
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 2, "{codes:?}");

    // Pages say it in German.
    let mut page = None;
    for _ in 0..25 {
        let r = app
            .client
            .get(app.url("/"))
            .header("x-forwarded-for", "203.0.113.10")
            .send()
            .await
            .unwrap();
        if r.status().as_u16() == 429 {
            page = Some(r.text().await.unwrap());
            break;
        }
    }
    assert!(page.unwrap().contains("Zu viele Anfragen"));
    app.stop().await;
}

/// Without trusted proxies a client cannot dodge its budget by inventing addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_forwarded_header_does_not_buy_a_new_budget() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.rate_per_address = 5)
        .await
        .unwrap();
    let mut limited = 0;
    for i in 0..8 {
        if typename(&app, None, &format!("192.0.2.{i}")).await.status() == 429 {
            limited += 1;
        }
    }
    assert_eq!(limited, 3);
    app.stop().await;
}

/// 1,000 updates of one record at once, all naming the version they read: exactly one wins,
/// every other gets `CONFLICT`, and the record holds the winner's text (no lost update, no
/// half-applied one). Requests go out in waves of 64 connections.
async fn a_thousand_concurrent_updates_one_wins(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.rate_per_address = 0;
        c.rate_per_token = 0;
    })
    .await
    else {
        return;
    };
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    let made = app
        .data(
            Some(&token),
            r#"mutation { createStaffingIdea(input: { districtAgs: "07111", idea: { title: "Umkämpfte Idee", category: "HALTEN", measure: "Anfang", publication: "PUBLIC" } }) { id version } }"#,
            json!({}),
        )
        .await;
    let id = made["createStaffingIdea"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = made["createStaffingIdea"]["version"].as_i64().unwrap();
    let update = r#"mutation($id: ID!, $v: Int!, $m: String!) { updateStaffingIdea(input: { id: $id, version: $v, idea: { title: "Umkämpfte Idee", category: HALTEN, measure: $m, publication: PUBLIC } }) { version measure } }"#;
    use futures_util::StreamExt;
    let outcomes: Vec<(usize, String)> = futures_util::stream::iter(0..1_000)
        .map(|i| {
            let (app, token, id) = (&app, &token, &id);
            async move {
                let body = app
                    .gql(
                        Some(token),
                        update,
                        json!({ "id": id, "v": version, "m": format!("Fassung {i}") }),
                    )
                    .await;
                let outcome = match body.get("errors") {
                    None => "won".to_owned(),
                    Some(_) => code(&body).to_owned(),
                };
                (i, outcome)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let winners: Vec<usize> = outcomes
        .iter()
        .filter(|(_, o)| o == "won")
        .map(|(i, _)| *i)
        .collect();
    let conflicts = outcomes.iter().filter(|(_, o)| o == "CONFLICT").count();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    assert_eq!(conflicts, 999, "every loser is told CONFLICT");
    let now = app
        .data(
            Some(&token),
            "query($id: ID!) { node(id: $id) { ... on StaffingIdea { version measure } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["node"]["version"].as_i64().unwrap(), version + 1);
    assert_eq!(now["node"]["measure"], format!("Fassung {}", winners[0]));
    app.stop().await;
}

srb_tests::on_both_backends!(a_thousand_concurrent_updates_one_wins);

/// WebSocket messages were outside the body limit: a client could send a 64 MB message. Now
/// a message over 64 KB closes its socket, and the server goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_websocket_message_closes_its_socket() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let open = || async {
        let mut request = app
            .url("/graphql/ws")
            .replacen("http://", "ws://", 1)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        tokio_tungstenite::connect_async(request).await.unwrap().0
    };
    let init = |pad: usize| {
        Message::text(
            json!({ "type": "connection_init", "payload": { "pad": "x".repeat(pad) } }).to_string(),
        )
    };
    let mut big = open().await;
    let _ = big.send(init(100_000)).await;
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), big.next())
        .await
        .expect("the server acts within 5 s");
    assert!(
        matches!(answer, None | Some(Err(_)) | Some(Ok(Message::Close(_)))),
        "an oversized message must close the socket, got {answer:?}"
    );

    let mut small = open().await;
    small.send(init(10)).await.unwrap();
    let ack = tokio::time::timeout(std::time::Duration::from_secs(5), small.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    app.stop().await;
}
