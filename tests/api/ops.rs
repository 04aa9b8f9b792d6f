//! Operations endpoints and graceful shutdown.

use std::time::Duration;

use serde_json::{json, Value};
use srb_tests::{on_every_backend, Db, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn health_and_readiness(app: &TestApp) {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let expected = match app.db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn metrics_count_requests_by_operation_name(app: &TestApp) {
    app.data(None, "query DistrictList { districts { ags } }", json!({}))
        .await;
    // Metrics say much about the installation: without the token there are none.
    let refused = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("geraten")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let text = app.metrics_text().await;
    assert!(
        text.lines()
            .any(|l| l.starts_with("graphql_requests_total{")
                && l.contains("operation=\"DistrictList\"")),
        "{text}"
    );
    assert!(
        text.contains("graphql_request_duration_seconds_bucket{operation=\"DistrictList\""),
        "{text}"
    );
}

on_every_backend!(
    health_and_readiness,
    metrics_count_requests_by_operation_name
);

/// A request that is in flight when the server is told to stop still gets its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let addr = app.base.trim_start_matches("http://").to_owned();
    let body = json!({ "query": "{ districts { ags } }" }).to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // Headers now, body later: the request is in flight.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(app.stop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !stopping.is_finished(),
        "the server waits for the request in flight"
    );
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("07111"));
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .unwrap()
        .unwrap();
}

/// Behind a load balancer, a stopping instance first leaves the rotation: for `drain` after the
/// signal it still serves every request while `/readyz` says `draining` (503), then it stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_instance_drains_before_it_goes() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.timeouts.drain = Duration::from_secs(2))
        .await
        .unwrap();
    let (base, client) = (app.base.clone(), app.client.clone());
    let started = std::time::Instant::now();
    let stopping = tokio::spawn(app.stop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "draining");
    let served = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ districts { ags } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        served.status(),
        200,
        "requests are still served while draining"
    );
    assert!(!stopping.is_finished());
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .unwrap()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert!(
        client.get(format!("{base}/healthz")).send().await.is_err(),
        "stopped: nothing listens any more"
    );
}
