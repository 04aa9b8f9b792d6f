//! Several instances behind a load balancer: three processes of the real `srb` binary on one
//! PostgreSQL database and one Meilisearch, HAProxy in front, configured as `deploy/` does.
//!
//! Needs `TEST_DATABASE_URL`, a Meilisearch server (`MEILI_BIN`, default
//! `../shared/tools/meilisearch/meilisearch` beside the repository; this test starts its own, so
//! it can pause it) and HAProxy (`HAPROXY_BIN`, default `haproxy`). Without them it skips, except
//! under `CI`, where it must run.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const SRB: &str = env!("CARGO_BIN_EXE_srb");
const PASSWORD: &str = "cluster-probe-password";

fn required(what: &str) -> bool {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {what}: the multi-instance test must run in CI"
    );
    eprintln!("skipped: {what}");
    false
}

fn meili_bin() -> PathBuf {
    std::env::var_os("MEILI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/meilisearch/meilisearch")
        })
}

fn haproxy_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HAPROXY_BIN") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|d| d.join("haproxy"))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{sig} {pid}");
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = &base[..base.rfind('/').unwrap()];
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

struct Instance {
    name: &'static str,
    port: u16,
    child: Child,
}

struct Cluster {
    dir: PathBuf,
    env: Vec<(String, String)>,
    meili: Child,
    instances: Vec<Instance>,
    lb: Option<Child>,
    lb_port: u16,
    http: reqwest::Client,
    admin_url: String,
    db_name: String,
    db: sqlx::PgPool,
}

impl Cluster {
    fn url(&self, port: u16, path: &str) -> String {
        format!("http://127.0.0.1:{port}{path}")
    }

    fn lb(&self, path: &str) -> String {
        self.url(self.lb_port, path)
    }

    /// `srb <args>` against the cluster's database, with `stdin` given; its stdout.
    async fn srb(&self, args: &[&str], stdin: Option<&str>) -> String {
        use tokio::io::AsyncWriteExt;
        let mut cmd = Command::new(SRB);
        cmd.args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("SRB_DATA_DIR", self.dir.join("cli"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).await.unwrap();
        }
        drop(input);
        let out = child.wait_with_output().await.unwrap();
        assert!(
            out.status.success(),
            "srb {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn spawn_instance(&self, name: &'static str, port: u16) -> Instance {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{name}.log")))
            .unwrap();
        let child = Command::new(SRB)
            .arg("serve")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("SRB_DATA_DIR", self.dir.join(name))
            .env("SRB_ADDR", format!("127.0.0.1:{port}"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        Instance { name, port, child }
    }

    fn logs(&self) -> String {
        let mut out = String::new();
        for name in ["a", "b", "c", "haproxy"] {
            if let Ok(text) = std::fs::read_to_string(self.dir.join(format!("{name}.log"))) {
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                out.push_str(&format!("--- {name}\n"));
                for line in tail.into_iter().rev() {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    async fn wait_ready(&self, port: u16, within: Duration) {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(r) = self.http.get(self.url(port, "/readyz")).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("port {port} not ready within {within:?}\n{}", self.logs());
    }

    async fn gql(&self, port: u16, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(self.url(port, "/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    async fn data(&self, port: u16, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(port, token, query, variables).await;
        assert!(body["errors"].is_null(), "{body:#}");
        body["data"].clone()
    }

    async fn search_total(&self, port: u16, token: &str, q: &str) -> i64 {
        self.data(
            port,
            Some(token),
            "query($q: String!) { search(query: $q) { totalCount } }",
            json!({ "q": q }),
        )
        .await["search"]["totalCount"]
            .as_i64()
            .unwrap()
    }

    async fn pending(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM search_outbox")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    async fn stop(mut self) {
        for i in &mut self.instances {
            let _ = i.child.kill().await;
        }
        if let Some(mut lb) = self.lb.take() {
            let _ = lb.kill().await;
        }
        let _ = self.meili.kill().await;
        self.db.close().await;
        if let Ok(admin) = sqlx::PgPool::connect(&self.admin_url).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.db_name
            ))
            .execute(&admin)
            .await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `deploy/haproxy.cfg`, the configuration the deployment ships, for this machine: plain HTTP on
/// a free port, no syslog or user switch, the test's instances, and checks every 300 ms that
/// take an instance out at its first failure, so a stop is noticed within the test's drain.
fn haproxy_config(lb_port: u16, servers: &[(&str, u16)]) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/haproxy.cfg"),
    )
    .unwrap();
    let mut cfg = String::new();
    let mut bound = false;
    for line in shipped.lines() {
        let t = line.trim();
        if t.starts_with("log ")
            || t.starts_with("user ")
            || t.starts_with("group ")
            || t.contains("ssl_fc")
            || t.starts_with("server ")
        {
            continue;
        }
        if t.starts_with("bind ") {
            if !bound {
                cfg.push_str(&format!("  bind 127.0.0.1:{lb_port}\n"));
                bound = true;
            }
            continue;
        }
        if t.starts_with("default-server ") {
            cfg.push_str("  default-server inter 300ms fall 1 rise 2\n");
            for (name, port) in servers {
                cfg.push_str(&format!("  server {name} 127.0.0.1:{port} check\n"));
            }
            continue;
        }
        cfg.push_str(line);
        cfg.push('\n');
    }
    assert!(bound && cfg.contains("server a "), "{cfg}");
    cfg
}

const ADD: &str =
    r#"mutation($input: AddContributionInput!) { addContribution(input: $input) { id } }"#;

async fn add(c: &Cluster, port: u16, token: &str, session: &str, body: &str) {
    c.data(
        port,
        Some(token),
        ADD,
        json!({ "input": { "sessionId": session, "kind": "IDEA", "body": body } }),
    )
    .await;
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(c: &Cluster, port: u16, token: &str, session: &str) -> Socket {
    let mut req = c
        .url(port, "/graphql/ws")
        .replacen("http://", "ws://", 1)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    loop {
        let Message::Text(t) = ws.next().await.unwrap().unwrap() else {
            continue;
        };
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["type"], "connection_ack", "{v}");
        break;
    }
    let sub = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($id: ID!) { contributionAdded(sessionId: $id) { body } }",
        "variables": { "id": session } } });
    ws.send(Message::Text(sub.to_string().into()))
        .await
        .unwrap();
    ws
}

/// The body of the next contribution the socket delivers within `wait`.
async fn next_body(ws: &mut Socket, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .ok()??
            .ok()?;
        let Message::Text(t) = msg else { continue };
        let v: Value = serde_json::from_str(&t).unwrap();
        match v["type"].as_str() {
            Some("next") => {
                return v["payload"]["data"]["contributionAdded"]["body"]
                    .as_str()
                    .map(str::to_owned)
            }
            Some("ping") => {
                let pong = json!({ "type": "pong" }).to_string();
                ws.send(Message::Text(pong.into())).await.ok()?;
            }
            _ => panic!("unexpected message {v}"),
        }
    }
}

async fn start() -> Option<Cluster> {
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        required("TEST_DATABASE_URL is not set");
        return None;
    };
    let meili_bin = meili_bin();
    if !meili_bin.is_file() {
        required(&format!("no Meilisearch server at {}", meili_bin.display()));
        return None;
    }
    let Some(haproxy) = haproxy_bin() else {
        required("HAProxy is not installed");
        return None;
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("srb-cluster-{id}"));
    std::fs::create_dir_all(&dir).unwrap();

    let db_name = format!("srb_test_cluster_{id}");
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db_name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let db_url = with_database(&admin_url, &db_name);

    let meili_port = free_port();
    let meili_key = format!("cluster-{id}");
    let meili = Command::new(&meili_bin)
        .args(["--db-path", dir.join("meili").to_str().unwrap()])
        .args(["--http-addr", &format!("127.0.0.1:{meili_port}")])
        .args(["--master-key", &meili_key, "--no-analytics"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let env: Vec<(String, String)> = [
        ("DATABASE_URL", db_url.clone()),
        ("MEILI_URL", format!("http://127.0.0.1:{meili_port}")),
        ("MEILI_KEY", meili_key),
        ("MEILI_INDEX", "srb".to_owned()),
        ("SRB_LOG", "warn".to_owned()),
        // One client (this test) makes all the requests: per-client budgets would only
        // measure themselves. The sign-in limits are not budgets: they stay.
        ("SRB_RATE_PER_ADDRESS", "0".to_owned()),
        ("SRB_RATE_PER_TOKEN", "0".to_owned()),
        ("SRB_PROXY_HOPS", "1".to_owned()),
        ("SRB_DRAIN_S", "2".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut cluster = Cluster {
        db: sqlx::PgPool::connect(&db_url).await.unwrap(),
        dir,
        env,
        meili,
        instances: Vec::new(),
        lb: None,
        lb_port: free_port(),
        http,
        admin_url,
        db_name,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while cluster
        .http
        .get(format!("http://127.0.0.1:{meili_port}/health"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "Meilisearch did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    cluster.srb(&["migrate"], None).await;
    for (email, role) in [
        ("moderation@cluster.invalid", "facilitator"),
        ("ministerium@cluster.invalid", "ministry"),
    ] {
        cluster
            .srb(
                &[
                    "user",
                    "add",
                    "--email",
                    email,
                    "--role",
                    role,
                    "--password-stdin",
                ],
                Some(PASSWORD),
            )
            .await;
    }
    for name in ["a", "b", "c"] {
        let instance = cluster.spawn_instance(name, free_port());
        cluster.instances.push(instance);
    }
    for i in 0..3 {
        cluster
            .wait_ready(cluster.instances[i].port, Duration::from_secs(60))
            .await;
    }
    let servers: Vec<(&str, u16)> = cluster.instances.iter().map(|i| (i.name, i.port)).collect();
    let cfg = cluster.dir.join("haproxy.cfg");
    std::fs::write(&cfg, haproxy_config(cluster.lb_port, &servers)).unwrap();
    let log = std::fs::File::create(cluster.dir.join("haproxy.log")).unwrap();
    cluster.lb = Some(
        Command::new(haproxy)
            .args(["-db", "-f", cfg.to_str().unwrap()])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap(),
    );
    cluster
        .wait_ready(cluster.lb_port, Duration::from_secs(20))
        .await;
    Some(cluster)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_behind_a_load_balancer() {
    let Some(mut c) = start().await else { return };
    let (a, b, third) = (
        c.instances[0].port,
        c.instances[1].port,
        c.instances[2].port,
    );
    let facilitator = c
        .srb(
            &["token", "create", "--email", "moderation@cluster.invalid"],
            None,
        )
        .await
        .trim()
        .to_owned();

    // A write through one instance is found by a search through another, and a subscriber
    // connected to the third receives it.
    let workshop = c
        .data(
            a,
            Some(&facilitator),
            r#"mutation($input: CreateWorkshopInput!) { createWorkshop(input: $input) { id } }"#,
            json!({ "input": { "title": "Clusterwerkstatt", "heldOn": "2026-11-24",
                               "format": "ONLINE", "publication": "PUBLIC" } }),
        )
        .await["createWorkshop"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = c
        .data(
            a,
            Some(&facilitator),
            r#"mutation($input: CreateSessionInput!) { createWorkshopSession(input: $input) { id } }"#,
            json!({ "input": { "workshopId": workshop, "kind": "THEME_ROOM", "title": "Raum 1",
                               "startsAt": "10:00", "endsAt": "11:00", "moderators": ["M. Muster"] } }),
        )
        .await["createWorkshopSession"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ws = subscribe(&c, third, &facilitator, &session).await;
    // The subscription is live once something arrives: warm up until then.
    let mut warm = false;
    for round in 0..50 {
        add(&c, a, &facilitator, &session, &format!("Aufwärmen {round}")).await;
        if next_body(&mut ws, Duration::from_millis(200))
            .await
            .is_some()
        {
            warm = true;
            break;
        }
    }
    assert!(warm, "nothing arrived on the third instance\n{}", c.logs());
    while next_body(&mut ws, Duration::from_millis(300))
        .await
        .is_some()
    {}
    add(&c, a, &facilitator, &session, "Clusterprobe Springerpool").await;
    assert_eq!(
        next_body(&mut ws, Duration::from_secs(10)).await.as_deref(),
        Some("Clusterprobe Springerpool"),
        "the subscriber on the third instance"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.search_total(b, &facilitator, "Clusterprobe").await != 1 {
        assert!(
            Instant::now() < deadline,
            "the write through one instance is not found through another\n{}",
            c.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The sign-in limit holds across instances: five wrong passwords, one to each in turn,
    // and the sixth attempt is refused even with the right password.
    const LOGIN: &str =
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    for (n, port) in [a, b, third, a, b].into_iter().enumerate() {
        let body = c
            .gql(
                port,
                None,
                LOGIN,
                json!({ "e": "ministerium@cluster.invalid", "p": format!("geraten-{n}") }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body:#}"
        );
    }
    let body = c
        .gql(
            third,
            None,
            LOGIN,
            json!({ "e": "ministerium@cluster.invalid", "p": PASSWORD }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body:#}"
    );

    // An instance killed with -9 while it holds outbox rows: the others take them over and
    // nothing is lost. Meilisearch paused, so the rows stay claimed while the kill comes.
    signal(c.meili.id().unwrap(), "STOP");
    for n in 0..20 {
        let port = c.instances[n % 3].port;
        add(
            &c,
            port,
            &facilitator,
            &session,
            &format!("Übernahmeprobe {n}"),
        )
        .await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let holder: String = loop {
        let held: Option<String> = sqlx::query_scalar(
            "SELECT claimed_by FROM search_outbox WHERE claimed_by IS NOT NULL \
             AND claimed_until > now() ORDER BY id LIMIT 1",
        )
        .fetch_optional(&c.db)
        .await
        .unwrap();
        if let Some(h) = held {
            break h;
        }
        assert!(Instant::now() < deadline, "no instance claimed the rows");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let pid: u32 = holder
        .strip_prefix("pid ")
        .and_then(|r| r.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("holder {holder}"));
    let victim = c
        .instances
        .iter()
        .position(|i| i.child.id() == Some(pid))
        .unwrap_or_else(|| panic!("holder {holder} is none of the instances"));
    c.instances[victim].child.kill().await.unwrap();
    let orphaned: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM search_outbox WHERE claimed_by = $1")
            .bind(&holder)
            .fetch_one(&c.db)
            .await
            .unwrap();
    assert!(orphaned > 0, "the killed instance held no rows");
    signal(c.meili.id().unwrap(), "CONT");
    let killed_at = Instant::now();
    while c.pending().await > 0 {
        assert!(
            killed_at.elapsed() < Duration::from_secs(120),
            "{} rows still pending two minutes after the kill\n{}",
            c.pending().await,
            c.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!(
        "rows of the killed instance taken over: {orphaned}; outbox empty {:.1} s after the kill",
        killed_at.elapsed().as_secs_f64()
    );
    let survivor = c.instances[(victim + 1) % 3].port;
    assert_eq!(
        c.search_total(survivor, &facilitator, "Übernahmeprobe")
            .await,
        20
    );
    let (name, port) = (c.instances[victim].name, c.instances[victim].port);
    c.instances[victim] = c.spawn_instance(name, port);
    c.wait_ready(port, Duration::from_secs(60)).await;
    c.wait_ready(c.lb_port, Duration::from_secs(20)).await;

    // A rolling restart of every instance, one at a time, under steady load through the load
    // balancer: reads, searches with facets and writes, and not one fails.
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for worker in 0..8 {
        let (stop, ok, failures) = (stop.clone(), ok.clone(), failures.clone());
        let (http, url) = (c.http.clone(), c.lb("/graphql"));
        let (token, session) = (facilitator.clone(), session.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (query, variables) = match n % 10 {
                    0 => (ADD, json!({ "input": { "sessionId": session, "kind": "IDEA",
                                                  "body": format!("Last {worker}-{n}") } })),
                    k if k % 2 == 0 => (
                        "query($q: String!) { search(query: $q) { totalCount facets { kind { value count } district { value count } } } }",
                        json!({ "q": "Übernahmeprobe" }),
                    ),
                    _ => ("{ districts { ags name } }", json!({})),
                };
                let sent = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "query": query, "variables": variables }))
                    .send()
                    .await;
                let outcome = match sent {
                    Ok(r) if r.status() == 200 => match r.json::<Value>().await {
                        Ok(body) if body["errors"].is_null() => Ok(()),
                        Ok(body) => Err(format!("errors: {body}")),
                        Err(e) => Err(format!("body: {e}")),
                    },
                    Ok(r) => Err(format!("status {}", r.status())),
                    Err(e) => Err(format!("transport: {e}")),
                };
                match outcome {
                    Ok(()) => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => failures.lock().unwrap().push(e),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = ok.load(Ordering::Relaxed);
    for i in 0..3 {
        let pid = c.instances[i].child.id().unwrap();
        signal(pid, "TERM");
        let exited = tokio::time::timeout(Duration::from_secs(40), c.instances[i].child.wait())
            .await
            .expect("the instance stops after its drain")
            .unwrap();
        assert!(
            exited.success(),
            "instance {} exited with {exited}",
            c.instances[i].name
        );
        let (name, port) = (c.instances[i].name, c.instances[i].port);
        c.instances[i] = c.spawn_instance(name, port);
        c.wait_ready(port, Duration::from_secs(60)).await;
        // Back in rotation after two passed checks.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let served = ok.load(Ordering::Relaxed);
    let failed = failures.lock().unwrap().clone();
    eprintln!(
        "rolling restart under load: {served} requests served ({} during the restarts), {} failed",
        served - before,
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {} requests failed during the rolling restart: {:?}\n{}",
        failed.len(),
        served + failed.len(),
        &failed[..failed.len().min(5)],
        c.logs()
    );
    assert!(served - before > 100, "the load kept going: {served}");
    c.stop().await;
}
