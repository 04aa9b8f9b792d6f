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
