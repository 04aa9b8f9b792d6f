//! Load generator for live capture: `subscribers` WebSocket clients follow one session of a
//! running server while a facilitator adds `contributions` one after another. Prints the
//! latency of the mutation and of the delivery (from sending the mutation until a subscriber has
//! the contribution), over all deliveries. Used by `bench/knowledge.sh`.
//!
//! Usage: live_capture BASE_URL TOKEN SESSION_ID SUBSCRIBERS CONTRIBUTIONS

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const ON_ADDED: &str =
    "subscription($id: ID!) { contributionAdded(sessionId: $id) { body position } }";
const ADD: &str =
    "mutation($input: AddContributionInput!) { addContribution(input: $input) { position } }";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, token, session, subscribers, contributions] = &args[..] else {
        eprintln!("usage: live_capture BASE_URL TOKEN SESSION_ID SUBSCRIBERS CONTRIBUTIONS");
        std::process::exit(2);
    };
    let subscribers: usize = subscribers.parse().expect("SUBSCRIBERS");
    let contributions: usize = contributions.parse().expect("CONTRIBUTIONS");
    let ws_url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));

    // Every subscriber reports (its index, contribution body, arrival time).
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, String, Instant)>();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    for i in 0..subscribers {
        let mut request = ws_url.clone().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        let init = json!({ "type": "connection_init",
                           "payload": { "Authorization": format!("Bearer {token}") } });
        socket.send(Message::text(init.to_string())).await.unwrap();
        let subscribe = json!({ "id": "1", "type": "subscribe",
            "payload": { "query": ON_ADDED, "variables": { "id": session } } });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        let tx = tx.clone();
        let ready = ready_tx.clone();
        tokio::spawn(async move {
            let mut first = true;
            while let Some(Ok(msg)) = socket.next().await {
                let Message::Text(text) = msg else { continue };
                let v: Value = serde_json::from_str(&text).unwrap();
                match v["type"].as_str() {
                    Some("next") => {
                        let body = v["payload"]["data"]["contributionAdded"]["body"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        if first {
                            first = false;
                            let _ = ready.send(());
                        }
                        let _ = tx.send((i, body, Instant::now()));
                    }
                    Some("ping") => {
                        let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
                    }
                    _ => {}
                }
            }
        });
    }
    drop(tx);

    let client = reqwest::Client::new();
    let add = |body: String| {
        let client = client.clone();
        let url = format!("{base}/graphql");
        let token = token.clone();
        let session = session.clone();
        async move {
            let started = Instant::now();
            let resp: Value = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": ADD, "variables": { "input": {
                    "sessionId": session, "kind": "IDEA", "body": body } } }))
                .send()
                .await
                .expect("mutation")
                .json()
                .await
                .expect("JSON");
            assert!(resp.get("errors").is_none(), "{resp}");
            (started, started.elapsed())
        }
    };

    // Warm up until every subscriber is listening (the protocol does not confirm subscribing).
    let mut ready = 0;
    let mut round = 0;
    while ready < subscribers {
        add(format!("warm-up {round}")).await;
        round += 1;
        while let Ok(Some(())) =
            tokio::time::timeout(Duration::from_millis(100), ready_rx.recv()).await
        {
            ready += 1;
        }
        assert!(
            round < 500,
            "only {ready} of {subscribers} subscribers became active"
        );
    }
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await {}

    let mut sent = std::collections::HashMap::new();
    let mut mutation = Vec::new();
    for n in 0..contributions {
        let body = format!("Beitrag {n}");
        let (started, took) = add(body.clone()).await;
        sent.insert(body, started);
        mutation.push(took);
    }
    let mut delivery = Vec::new();
    let expected = subscribers * contributions;
    while delivery.len() < expected {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some((_, body, at))) => {
                if let Some(started) = sent.get(&body) {
                    delivery.push(at - *started);
                }
            }
            _ => break,
        }
    }
    mutation.sort();
    delivery.sort();
    println!(
        "{subscribers} subscribers, {contributions} contributions: addContribution p50 {} p99 {}; delivered {}/{expected}, p50 {} p99 {} max {}",
        ms(percentile(&mutation, 0.5)),
        ms(percentile(&mutation, 0.99)),
        delivery.len(),
        ms(percentile(&delivery, 0.5)),
        ms(percentile(&delivery, 0.99)),
        ms(*delivery.last().unwrap()),
    );
}
