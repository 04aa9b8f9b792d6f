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
