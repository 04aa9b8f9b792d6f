//! Test harness: each test starts the real server on port 0 with a database of its own
//! (a fresh SQLite file, or a fresh PostgreSQL database under `TEST_DATABASE_URL`).

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use srb_server::{Config, Server};
use srb_storage::{Role, Storage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub storage: Arc<dyn Storage>,
    /// The instance's embedded search index (close it to play an outage); see
    /// [`TestApp::embedded`].
    search: Option<Arc<srb_search::Switchable>>,
    /// The index this instance serves, embedded or Meilisearch.
    pub index: Arc<dyn srb_search::SearchIndex>,
    pub db: Db,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<Result<(), String>>>,
    _dir: Option<TempDir>,
    pg_database: Option<(String, String)>,
    /// A Meilisearch index of this test's own, deleted at the end.
    meili: Option<srb_server::MeiliConfig>,
    url: String,
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let p = std::env::temp_dir().join(format!("srb-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `TEST_DATABASE_URL`, or `None` to skip PostgreSQL tests. Under CI a missing URL is an error:
/// the PostgreSQL half of the suite must run there.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests must run in CI")
        }
        _ => None,
    }
}

/// The search backend of a test server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    Embedded,
    Meili,
}

/// A fresh index on the Meilisearch of `MEILI_URL` (and `MEILI_KEY`), or `None` to skip. Under
/// CI a missing URL is an error: the Meilisearch half of the search suite must run there.
pub fn meili_config() -> Option<srb_server::MeiliConfig> {
    match std::env::var("MEILI_URL") {
        Ok(url) if !url.is_empty() => Some(srb_server::MeiliConfig {
            url,
            key: std::env::var("MEILI_KEY")
                .ok()
                .map(secrecy::SecretString::from),
            index: format!("srb_test_{}", uuid::Uuid::new_v4().simple()),
        }),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but MEILI_URL is not: the Meilisearch tests must run in CI")
        }
        _ => None,
    }
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|j| j + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl TestApp {
    /// Starts a server on `db`; `None` when that backend is not configured here.
    pub async fn spawn(db: Db) -> Option<TestApp> {
        Self::spawn_with(db, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration changed first.
    pub async fn spawn_with(db: Db, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        Self::spawn_on(db, Search::Embedded, configure).await
    }

    /// A server on `db` searching with `search`; `None` when either is not configured here.
    pub async fn spawn_on(
        db: Db,
        search: Search,
        configure: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let meili = match search {
            Search::Embedded => None,
            Search::Meili => Some(meili_config()?),
        };
        let (url, dir, pg_database) = match db {
            Db::Sqlite => {
                let dir = TempDir::new();
                let url = format!("sqlite:{}", dir.0.join("srb.sqlite3").display());
                (url, Some(dir), None)
            }
            Db::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("srb_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sqlx::PgPool::connect(&admin_url)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                (
                    with_database(&admin_url, &name),
                    Some(TempDir::new()),
                    Some((admin_url, name)),
                )
            }
        };
        let data_dir = dir
            .as_ref()
            .map(|d| d.0.clone())
            .unwrap_or_else(std::env::temp_dir);
        let mut config = Config::for_database(&url, data_dir);
        config.metrics_token = Some(secrecy::SecretString::from(METRICS_TOKEN));
        config.meili = meili.clone();
        configure(&mut config);
        let mut app = Self::start(config).await;
        app.meili = meili;
        app.db = db;
        app._dir = dir;
        app.pg_database = pg_database;
        Some(app)
    }

    /// Another server on the same database, as behind a load balancer (PostgreSQL).
    pub async fn second_instance(&self) -> TestApp {
        self.try_second_instance(|_| {}).await.expect("bind")
    }

    /// Another server on the same database with its own data directory (an embedded index
    /// belongs to one instance), configured by `configure`; the error when it will not start.
    pub async fn try_second_instance(
        &self,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestApp> {
        let dir = TempDir::new();
        let mut config = Config::for_database(&self.url, dir.0.clone());
        configure(&mut config);
        let mut app = Self::try_start(config).await?;
        app.db = self.db;
        app._dir = Some(dir);
        Ok(app)
    }

    /// Stops this instance's server (requests in flight finish) and keeps its database.
    pub async fn stop_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }

    async fn start(config: Config) -> TestApp {
        Self::try_start(config).await.expect("bind")
    }

    async fn try_start(config: Config) -> anyhow::Result<TestApp> {
        let url = secrecy::ExposeSecret::expose_secret(&config.database_url).to_owned();
        let storage = srb_server::open_storage(&config)
            .await
            .expect("open storage");
        let server = Server::bind(&config, storage.clone()).await?;
        let addr = server.local_addr();
        let search = server.embedded_search();
        let index = server.search_index();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            server
                .run(async {
                    let _ = rx.await;
                })
                .await
                .map_err(|e| e.to_string())
        });
        Ok(TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            storage,
            search,
            index,
            db: Db::Sqlite,
            shutdown: Some(tx),
            server: Some(handle),
            _dir: None,
            pg_database: None,
            meili: None,
            url,
        })
    }

    /// Stops the server (in-flight requests finish) and drops a PostgreSQL test database and
    /// a Meilisearch test index.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
        if let Some(m) = self.meili.take() {
            let key = m
                .key
                .as_ref()
                .map(|k| secrecy::ExposeSecret::expose_secret(k).to_owned());
            if let Ok(index) =
                srb_search::MeiliIndex::connect(&m.url, key.as_deref(), &m.index).await
            {
                let _ = index.delete().await;
            }
        }
        if let Some((admin_url, name)) = self.pg_database.take() {
            if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
            }
        }
    }

    /// What `/readyz` answers, as JSON.
    pub async fn readiness(&self) -> Value {
        let response = self.client.get(self.url("/readyz")).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// The embedded index of this instance (tests of outages close and reopen it).
    pub fn embedded(&self) -> &Arc<srb_search::Switchable> {
        self.search
            .as_ref()
            .expect("this test needs the embedded index")
    }

    /// This instance's data directory (SQLite file, embedded index).
    pub fn data_dir(&self) -> PathBuf {
        self._dir
            .as_ref()
            .map(|d| d.0.clone())
            .unwrap_or_else(std::env::temp_dir)
    }

    /// The URL of this instance's database.
    pub fn database_url(&self) -> &str {
        &self.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a GraphQL request as a modern client (`application/graphql-response+json`) and
    /// returns status and body.
    pub async fn gql_status(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.expect("JSON body");
        (status, body)
    }

    /// A GraphQL multipart request (file upload): the file goes to the variable at `path`
    /// (e.g. `variables.input.file`), which `variables` holds as null.
    pub async fn gql_upload(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        path: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        let form = reqwest::multipart::Form::new()
            .text(
                "operations",
                json!({ "query": query, "variables": variables }).to_string(),
            )
            .text("map", json!({ "0": [path] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
            );
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .header("accept", "application/graphql-response+json")
            .multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.expect("JSON body");
        (status, body)
    }

    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_status(token, query, variables).await.1
    }

    /// Data of a request that must succeed.
    pub async fn data(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// An account with an API token: `(token, user id)`.
    pub async fn account(&self, role: Role, district: Option<&str>) -> (String, i64) {
        let email = format!("{}@test.example", uuid::Uuid::new_v4().simple());
        let user = self
            .storage
            .create_user(&email, None, None, role, district)
            .await
            .expect("create user");
        let (token, hash) = srb_app::accounts::new_token();
        self.storage
            .create_token(
                user.id,
                &hash,
                "test",
                chrono::Utc::now() + chrono::Duration::days(1),
            )
            .await
            .expect("create token");
        (token, user.id)
    }

    /// Entries in the audit trail: a refused or idle write must not add any.
    pub async fn audit_count(&self) -> usize {
        self.storage
            .audit_entries(
                &Default::default(),
                srb_storage::Page {
                    after: None,
                    before: None,
                    limit: 1_000_000,
                    from_end: false,
                },
            )
            .await
            .expect("audit entries")
            .rows
            .len()
    }

    /// Waits until the search index has caught up with every write so far.
    pub async fn indexed(&self) {
        for _ in 0..200 {
            let status = self.storage.outbox_status().await.expect("outbox status");
            if status.pending == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the search index did not catch up within 10 s");
    }

    /// A public staffing idea of Koblenz (07111) with this title, by `token`'s coordinator.
    pub async fn staffing_idea(&self, token: &str, title: &str) {
        self.data(
            Some(token),
            r#"mutation($input: CreateStaffingIdeaInput!) { createStaffingIdea(input: $input) { id } }"#,
            json!({ "input": { "districtAgs": "07111", "idea": { "title": title,
                "category": "HALTEN", "measure": "Eine Maßnahme", "publication": "PUBLIC" } } }),
        )
        .await;
    }

    /// The metrics page, asked with the metrics token.
    pub async fn metrics_text(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    pub async fn token_for(&self, role: Role, district: Option<&str>) -> String {
        self.account(role, district).await.0
    }
}

/// The token `/metrics` asks for in tests.
pub const METRICS_TOKEN: &str = "metrics-test-token";

/// How many hits an anonymous search finds.
pub async fn search_total(app: &TestApp, q: &str) -> i64 {
    app.data(
        None,
        "query($q: String!) { search(query: $q) { totalCount } }",
        json!({ "q": q }),
    )
    .await["search"]["totalCount"]
        .as_i64()
        .expect("totalCount")
}

/// The `extensions.code` of the first error.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body:#}"))
}

/// Runs each named test function against every configured backend.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::TestApp::spawn($crate::Db::Sqlite).await.expect("sqlite");
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::TestApp::spawn($crate::Db::Postgres).await else {
                        eprintln!("skipped: TEST_DATABASE_URL is not set");
                        return;
                    };
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
    };
}

/// Like [`on_every_backend!`], and once more on SQLite with Meilisearch as the search backend
/// (skipped without `MEILI_URL`, except under CI).
#[macro_export]
macro_rules! on_every_search_backend {
    ($($name:ident),* $(,)?) => {
        $crate::on_every_backend!($($name),*);
        mod meilisearch {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) =
                        $crate::TestApp::spawn_on($crate::Db::Sqlite, $crate::Search::Meili, |_| {})
                            .await
                    else {
                        eprintln!("skipped: MEILI_URL is not set");
                        return;
                    };
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
    };
}

/// For tests that configure their server: `$name(db: Db)` becomes `$name::sqlite` and
/// `$name::postgres` (which returns early when `spawn_with` finds no PostgreSQL).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Db::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Db::Postgres).await;
                }
            }
        )*
    };
}

/// The callers every role matrix runs under: anonymous, each role, and coordinators of the
/// record's own district (`07111`) and of another (`07131`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Caller {
    Anonymous,
    Admin,
    Ministry,
    CoordinatorHome,
    CoordinatorOther,
    Facilitator,
}

pub const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Admin,
    Caller::Ministry,
    Caller::CoordinatorHome,
    Caller::CoordinatorOther,
    Caller::Facilitator,
];

impl TestApp {
    /// A token of a fresh account of this kind; none for anonymous callers.
    pub async fn token_as(&self, caller: Caller) -> Option<String> {
        Some(match caller {
            Caller::Anonymous => return None,
            Caller::Admin => self.token_for(Role::Admin, None).await,
            Caller::Ministry => self.token_for(Role::Ministry, None).await,
            Caller::CoordinatorHome => self.token_for(Role::Coordinator, Some("07111")).await,
            Caller::CoordinatorOther => self.token_for(Role::Coordinator, Some("07131")).await,
            Caller::Facilitator => self.token_for(Role::Facilitator, None).await,
        })
    }

    /// The demo districts with their Kitas, indicator values, concepts and official plans.
    pub async fn seed_demo(&self) {
        srb_server::demo::seed(self.storage.as_ref(), 1)
            .await
            .unwrap();
        srb_server::demo_plans::seed(self.storage.as_ref())
            .await
            .unwrap();
    }
}

/// The bytes of a `FileDownload`.
pub fn decode_file(file: &Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(file["contentBase64"].as_str().unwrap())
        .unwrap()
}

/// The cells of one sheet of an XLSX file.
pub fn xlsx_sheet(bytes: &[u8], name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

/// A GraphQL subscription over WebSocket (`graphql-transport-ws`), as a browser client runs it.
pub struct Subscription {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// What the server sent for a subscription: a result, errors, or the end.
#[derive(Debug)]
pub enum Event {
    Next(Value),
    Error(Value),
    Complete,
}

impl TestApp {
    /// Connects, authenticates in `connection_init` (as browsers must) and subscribes.
    pub async fn subscribe(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Subscription {
        use futures_util::SinkExt;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        use tokio_tungstenite::tungstenite::Message;
        let url = self.url("/graphql/ws").replacen("http://", "ws://", 1);
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connect");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        let mut sub = Subscription { socket };
        let payload = match token {
            Some(t) => json!({ "Authorization": format!("Bearer {t}") }),
            None => json!({}),
        };
        sub.socket
            .send(Message::text(
                json!({ "type": "connection_init", "payload": payload }).to_string(),
            ))
            .await
            .expect("send init");
        let ack = sub.message().await.expect("connection_ack");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        sub.socket
            .send(Message::text(
                json!({ "id": "1", "type": "subscribe",
                        "payload": { "query": query, "variables": variables } })
                .to_string(),
            ))
            .await
            .expect("send subscribe");
        sub
    }
}

impl Subscription {
    /// The next protocol message, answering pings; None after 10 s of silence or on close.
    async fn message(&mut self) -> Option<Value> {
        self.message_within(std::time::Duration::from_secs(10))
            .await
    }

    async fn message_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let msg = tokio::time::timeout(wait, self.socket.next())
                .await
                .ok()??
                .ok()?;
            match msg {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(&t).expect("JSON message");
                    if v["type"] == "ping" {
                        let _ = self
                            .socket
                            .send(Message::text(json!({ "type": "pong" }).to_string()))
                            .await;
                        continue;
                    }
                    return Some(v);
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next event of the subscription, waiting at most `wait`.
    pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<Event> {
        let v = self.message_within(wait).await?;
        Some(match v["type"].as_str() {
            Some("next") => Event::Next(v["payload"].clone()),
            Some("error") => Event::Error(v["payload"].clone()),
            Some("complete") => Event::Complete,
            other => panic!("unexpected message {other:?}: {v}"),
        })
    }

    pub async fn next(&mut self) -> Option<Event> {
        self.next_within(std::time::Duration::from_secs(10)).await
    }
}

/// A signed-in person's password in the tests.
pub const PASSWORD: &str = "ein-langes-passwort";

impl TestApp {
    /// An account that signs in with e-mail and [`PASSWORD`]: its e-mail address.
    pub async fn person(&self, role: Role, district: Option<&str>, name: &str) -> String {
        let email = format!("{}@test.example", uuid::Uuid::new_v4().simple());
        let hash = srb_app::accounts::hash_password(PASSWORD).expect("hash");
        self.storage
            .create_user(&email, Some(name), Some(&hash), role, district)
            .await
            .expect("create user");
        email
    }

    /// A browser without JavaScript: keeps cookies, follows no redirects (tests look at them).
    pub fn browser(&self) -> WebClient {
        WebClient {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Default::default(),
        }
    }
}

/// One answer of a page.
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first hidden form token on the page.
    pub fn form_token(&self) -> String {
        self.body
            .split(r#"name="token" value=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_owned()
    }

    /// The `Set-Cookie` headers.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

pub struct WebClient {
    base: String,
    client: reqwest::Client,
    pub cookies: std::collections::BTreeMap<String, String>,
}

impl WebClient {
    fn absorb(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or_default();
            if let Some((name, value)) = first.split_once('=') {
                let removed = v.to_ascii_lowercase().contains("max-age=0");
                if removed || value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let r = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.absorb(&headers);
        Page {
            status,
            headers,
            body: r.text().await.expect("body"),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields);
        self.send(request).await
    }

    /// Posts a multipart form (a file upload).
    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(request).await
    }

    /// Signs in through the sign-in form; returns the answer to the form.
    pub async fn sign_in(&mut self, email: &str, back: &str) -> Page {
        let form = self
            .get(&format!("/anmelden?weiter={}", back.replace('&', "%26")))
            .await;
        let token = form.form_token();
        self.post(
            "/anmelden",
            &[
                ("token", &token),
                ("weiter", back),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await
    }
}
