//! HTTP: GraphQL over HTTP at `/graphql` (POST and GET, per the GraphQL-over-HTTP spec),
//! subscriptions over WebSocket at `/graphql/ws` (`graphql-transport-ws`), and the operations
//! endpoints `/healthz`, `/readyz`, `/metrics`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Variables};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::{json, Map, Value};
use srb_schema::auth::CredentialError;
use srb_schema::{Code, SrbSchema, Viewer};
use srb_storage::Storage;
use tower_http::trace::TraceLayer;

use crate::config::Config;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub search: Arc<dyn srb_search::SearchIndex>,
    pub schema: SrbSchema,
    pub metrics: PrometheusHandle,
    pub upload_limit: usize,
    /// SHA-256 of the metrics token; `None`: no metrics over HTTP.
    pub metrics_token_hash: Option<String>,
    /// Set once the instance is going: `/readyz` turns it away from the load balancer.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

pub fn router(
    config: &Config,
    storage: Arc<dyn Storage>,
    search: Arc<dyn srb_search::SearchIndex>,
    draining: Arc<std::sync::atomic::AtomicBool>,
) -> Router {
    let schema = srb_schema::build(storage.clone(), search.clone(), config.limits());
    // Pages gzip-compressed when the browser asks: a run's table of 276 Kitas is 197 KB of HTML.
    // Already compressed answers (the vendored explorer) keep their encoding.
    let pages = srb_web::router(srb_web::WebState {
        schema: schema.clone(),
        storage: storage.clone(),
    })
    .layer(tower_http::compression::CompressionLayer::new())
    .layer(tower_http::catch_panic::CatchPanicLayer::custom(|panic| {
        srb_web::panic_page(&logged_panic(panic))
    }));
    let state = AppState {
        schema,
        storage,
        search,
        metrics: crate::telemetry::metrics(),
        upload_limit: config.upload_limit,
        metrics_token_hash: config
            .metrics_token
            .as_ref()
            .map(|t| srb_schema::auth::hash_token(secrecy::ExposeSecret::expose_secret(t))),
        draining,
    };
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    if config.bench_routes {
        router = router
            .route("/_bench/districts", get(bench_districts))
            .route("/_bench/panic", get(bench_panic))
            .route("/_bench/sleep", get(bench_sleep));
    }
    router
        .with_state(state)
        // A panic in a resolver or handler becomes an `INTERNAL` answer with the reference
        // the log holds, not a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|panic| {
            let reference = logged_panic(panic);
            let body = json!({ "errors": [{
                "message": format!("Interner Fehler (Referenz {reference})."),
                "extensions": { "code": Code::Internal.as_str(), "reference": reference }
            }] });
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, HeaderValue::from_static(JSON))],
                body.to_string(),
            )
                .into_response()
        }))
        // The web pages, and their German 404 for every other path.
        .merge(pages)
        // One limit for every body: an announced oversized body is refused at once, before any
        // of it is read, a streamed one when it passes the limit. axum's own default limit
        // would only repeat the check.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn({
            let limits = (config.body_limit, config.upload_limit);
            move |req, next| limit_body(req, next, limits)
        }))
        .layer(axum::middleware::from_fn({
            let t = config.timeouts;
            move |req, next| request_timeout(req, next, t)
        }))
        .layer(axum::middleware::from_fn({
            let limiter = crate::limits::Limiter::new(config.budgets());
            move |req, next| crate::limits::middleware(req, next, limiter.clone())
        }))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(crate::memory::count_requests))
        .layer(TraceLayer::new_for_http())
}

/// An answer within the deadline (longer for uploads), or 503 with `REQUEST_TIMEOUT`: the
/// work is dropped, so a slow request holds no worker past it.
async fn request_timeout(
    req: axum::extract::Request,
    next: axum::middleware::Next,
    timeouts: crate::config::Timeouts,
) -> Response {
    let deadline = if is_multipart(req.headers()) {
        timeouts.upload
    } else {
        timeouts.request
    };
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            metrics::counter!("srb_request_timeouts_total").increment(1);
            let mut r = http_error(
                StatusCode::SERVICE_UNAVAILABLE,
                JSON,
                Code::RequestTimeout,
                &format!(
                    "Die Anfrage hat länger als {} s gedauert und wurde abgebrochen; bitte erneut versuchen.",
                    deadline.as_secs()
                ),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
    }
}

/// What a browser may do with our answers: scripts, styles and connections from this origin
/// only (the charts' colours are inline styles), no framing by other sites, no sniffing, no
/// referrer beyond this site; behind TLS, HTTPS only from now on.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; object-src 'none'; \
                   base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        h.entry("strict-transport-security")
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    response
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// One limit per kind of body: GraphQL documents are small, file uploads (multipart) larger. An
/// announced oversized body is refused at once, before any of it is read; a streamed one when it
/// passes the limit.
async fn limit_body(
    req: axum::extract::Request,
    next: axum::middleware::Next,
    (body_limit, upload_limit): (usize, usize),
) -> Response {
    let upload = is_multipart(req.headers());
    let limit = if upload { upload_limit } else { body_limit };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        let message = if upload {
            format!(
                "Die Datei ist zu groß: höchstens {} MB sind erlaubt.",
                srb_sheets::MAX_FILE_BYTES / (1024 * 1024)
            )
        } else {
            format!(
                "Die Anfrage ist zu groß (höchstens {} KB).",
                body_limit / 1024
            )
        };
        let mut response = http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            JSON,
            Code::PayloadTooLarge,
            &message,
        );
        // Say so and close: the client may still be sending the body we will not read.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// The media type of the response, from the client's `Accept` header: `None` when the client
/// accepts neither of ours (406).
fn response_media_type(headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        // Legacy clients send no Accept header and expect application/json.
        return Some(JSON);
    };
    if accept.trim().is_empty() {
        return Some(JSON);
    }
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let refused = parts.any(|p| p.replace(' ', "") == "q=0");
        if refused {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE => return Some(GRAPHQL_RESPONSE),
            // A client that takes anything is treated as a legacy client (spec: SHOULD).
            JSON | "application/*" | "*/*" => return Some(JSON),
            _ => {}
        }
    }
    None
}

/// A failure before GraphQL execution: the HTTP request itself is not acceptable.
fn http_error(status: StatusCode, media: &'static str, code: Code, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(media))],
        body.to_string(),
    )
        .into_response()
}

struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

fn bad_request(media: &'static str, message: &str) -> Response {
    http_error(StatusCode::BAD_REQUEST, media, Code::BadUserInput, message)
}

/// The request parameters of a GraphQL-over-HTTP request, or why they are not acceptable.
fn params_from_json(value: Value) -> Result<Params, String> {
    let Value::Object(mut map) = value else {
        return Err("Der Anfragekörper muss ein JSON-Objekt sein.".into());
    };
    let query = match map.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("„query“ muss eine Zeichenkette sein.".into()),
        None => return Err("„query“ fehlt.".into()),
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("„operationName“ muss eine Zeichenkette sein.".into()),
    };
    let object_or_null = |v: Option<Value>, name: &str| match v {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(_) => Err(format!("„{name}“ muss ein JSON-Objekt sein.")),
    };
    Ok(Params {
        query,
        operation_name,
        variables: object_or_null(map.remove("variables"), "variables")?,
        extensions: object_or_null(map.remove("extensions"), "extensions")?,
    })
}

type Client = Option<axum::Extension<srb_schema::auth::ClientAddr>>;

async fn graphql_post(
    State(app): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(media) = response_media_type(&headers) else {
        return not_acceptable();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "multipart/form-data" {
        // The GraphQL multipart request spec: an `operations` part, a `map` part, the files.
        // Only bearer tokens authenticate, so a cross-site form cannot act for a user.
        let options = async_graphql::http::MultipartOptions::default()
            .max_num_files(1)
            .max_file_size(app.upload_limit);
        let request = match async_graphql::http::receive_body(
            Some(content_type),
            futures::io::Cursor::new(body.to_vec()),
            options,
        )
        .await
        {
            Ok(r) => r,
            Err(e) => {
                return bad_request(
                    media,
                    &format!("Die mehrteilige Anfrage (Datei-Upload) ist nicht lesbar: {e}."),
                )
            }
        };
        return execute(app, &headers, client, request, media, Method::POST).await;
    }
    if essence != JSON {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            Code::BadUserInput,
            "Anfragen an /graphql per POST brauchen Content-Type: application/json (oder multipart/form-data für Dateien).",
        );
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return bad_request(
                media,
                &format!("Der Anfragekörper ist kein gültiges JSON: {e}."),
            )
        }
    };
    let params = match params_from_json(value) {
        Ok(p) => p,
        Err(message) => return bad_request(media, &message),
    };
    execute(
        app,
        &headers,
        client,
        request_of(params),
        media,
        Method::POST,
    )
    .await
}

async fn graphql_get(
    State(app): State<AppState>,
    client: Client,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    // A browser opening /graphql gets the explorer; API clients send a query.
    let has_query = raw.as_deref().is_some_and(|q| !q.is_empty());
    if srb_web::wants_explorer(&headers, has_query) {
        return srb_web::explorer_page();
    }
    let Some(media) = response_media_type(&headers) else {
        return not_acceptable();
    };
    let pairs: HashMap<String, String> =
        match serde_urlencoded::from_str(raw.as_deref().unwrap_or("")) {
            Ok(p) => p,
            Err(_) => return bad_request(media, "Die Query-Parameter sind nicht lesbar."),
        };
    let mut map = Map::new();
    if let Some(q) = pairs.get("query") {
        map.insert("query".into(), Value::String(q.clone()));
    }
    if let Some(op) = pairs.get("operationName") {
        map.insert("operationName".into(), Value::String(op.clone()));
    }
    for name in ["variables", "extensions"] {
        if let Some(text) = pairs.get(name) {
            match serde_json::from_str::<Value>(text) {
                Ok(v) => {
                    map.insert(name.into(), v);
                }
                Err(_) => return bad_request(media, &format!("„{name}“ ist kein gültiges JSON.")),
            }
        }
    }
    let params = match params_from_json(Value::Object(map)) {
        Ok(p) => p,
        Err(message) => return bad_request(media, &message),
    };
    execute(
        app,
        &headers,
        client,
        request_of(params),
        media,
        Method::GET,
    )
    .await
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        [(header::CONTENT_TYPE, HeaderValue::from_static(JSON))],
        json!({ "errors": [{
            "message": "Antworten gibt es als application/graphql-response+json oder application/json.",
            "extensions": { "code": "NOT_ACCEPTABLE" }
        }] })
        .to_string(),
    )
        .into_response()
}

/// Operation names become metric labels: only plain identifiers of sensible length, so clients
/// cannot blow up the number of series.
fn metric_label(name: Option<&str>) -> String {
    match name {
        Some(n)
            if !n.is_empty()
                && n.len() <= 64
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            n.to_owned()
        }
        Some(_) => "invalid".to_owned(),
        None => "anonymous".to_owned(),
    }
}

async fn viewer_from(headers: &HeaderMap, storage: &dyn Storage) -> Result<Viewer, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Viewer::anonymous());
    };
    let value = value
        .to_str()
        .map_err(|_| "Der Authorization-Header ist nicht lesbar.")?;
    viewer_from_credentials(value, storage).await
}

/// The caller named by an `Authorization` value (`Bearer <token>`).
async fn viewer_from_credentials(
    value: &str,
    storage: &dyn Storage,
) -> Result<Viewer, &'static str> {
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or("Erwartet wird Authorization: Bearer <Token>.")?
        .trim();
    srb_schema::auth::viewer_of_token(storage, token)
        .await
        .map_err(|e| match e {
            CredentialError::Invalid => "Das API-Token ist ungültig oder widerrufen.",
            CredentialError::Unavailable => "Die Anmeldung konnte nicht geprüft werden.",
        })
}

/// A browser's WebSocket carries its cookies: the web session counts, but only when the page
/// that opens the socket is our own (`Origin` equals `Host`), so another site cannot open a
/// socket in the user's name.
async fn viewer_from_cookie(headers: &HeaderMap, storage: &dyn Storage) -> Viewer {
    let same_origin = match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host)),
        _ => false,
    };
    if !same_origin {
        return Viewer::anonymous();
    }
    match srb_web::session_secret(headers) {
        Some(secret) => srb_schema::auth::viewer_of_session(storage, &secret)
            .await
            .unwrap_or_default(),
        None => Viewer::anonymous(),
    }
}

/// Subscriptions over WebSocket, protocol `graphql-transport-ws`. The caller is identified once
/// per connection: by the upgrade request's `Authorization` header, or (browsers cannot set
/// headers on a WebSocket) by `Authorization` in the `connection_init` payload. Every
/// subscription then runs through the same schema and authorisation as a query.
async fn graphql_ws(
    State(app): State<AppState>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let from_header = match viewer_from(&headers, app.storage.as_ref()).await {
        Ok(v) if v.user.is_none() => viewer_from_cookie(&headers, app.storage.as_ref()).await,
        Ok(v) => v,
        Err(message) => {
            return http_error(
                StatusCode::UNAUTHORIZED,
                JSON,
                Code::Unauthenticated,
                message,
            )
        }
    };
    upgrade
        // Subscriptions are small documents: the body limit's counterpart for WebSocket.
        .max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
        .protocols(["graphql-transport-ws"])
        .on_upgrade(move |socket| {
            let storage = app.storage.clone();
            GraphQLWebSocket::new(socket, app.schema.clone(), protocol)
                // A client that answers no ping for a minute is gone.
                .keepalive_timeout(std::time::Duration::from_secs(60))
                .on_connection_init(move |payload| async move {
                    let mut viewer = from_header;
                    let credentials = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(Value::as_str);
                    if let Some(value) = credentials {
                        viewer = viewer_from_credentials(value, storage.as_ref())
                            .await
                            .map_err(async_graphql::Error::new)?;
                    }
                    Ok(srb_schema::connection_data(storage, viewer))
                })
                .serve()
        })
}

fn request_of(params: Params) -> Request {
    let mut request = Request::new(params.query);
    if let Some(op) = params.operation_name {
        request = request.operation_name(op);
    }
    if let Some(vars) = params.variables {
        request = request.variables(Variables::from_json(vars));
    }
    if let Some(Value::Object(ext)) = params.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                request.extensions.insert(k, v);
            }
        }
    }
    request
}

/// Documents longer than this are parsed each time: clients send the same few documents
/// again and again, and a cache of long ones would hold much for little.
const CACHED_DOCUMENT_BYTES: usize = 8 * 1024;

/// The parsed document of a query text, from a bounded cache by the text: parsing (pest) was
/// the largest single cost of a small query. A clone of the tree is cheaper than a parse.
/// Only documents that parsed are kept; an error is parsed again to report it.
fn parsed(
    query: &str,
) -> async_graphql::parser::Result<async_graphql::parser::types::ExecutableDocument> {
    use async_graphql::parser::types::ExecutableDocument;
    static DOCUMENTS: std::sync::LazyLock<quick_cache::sync::Cache<String, ExecutableDocument>> =
        std::sync::LazyLock::new(|| quick_cache::sync::Cache::new(256));
    if query.len() > CACHED_DOCUMENT_BYTES {
        return async_graphql::parser::parse_query(query);
    }
    if let Some(doc) = DOCUMENTS.get(query) {
        return Ok(doc);
    }
    let doc = async_graphql::parser::parse_query(query)?;
    DOCUMENTS.insert(query.to_owned(), doc.clone());
    Ok(doc)
}

async fn execute(
    app: AppState,
    headers: &HeaderMap,
    client: Client,
    mut request: Request,
    media: &'static str,
    method: Method,
) -> Response {
    let started = Instant::now();
    let document = parsed(&request.query);
    let operation_name = request.operation_name.clone().or_else(|| {
        // The name of the only operation, for metrics of clients that do not send one.
        document.as_ref().ok().and_then(|d| match &d.operations {
            async_graphql::parser::types::DocumentOperations::Single(_) => None,
            async_graphql::parser::types::DocumentOperations::Multiple(m) if m.len() == 1 => {
                m.keys().next().map(|k| k.to_string())
            }
            _ => None,
        })
    });
    let label = metric_label(operation_name.as_deref());
    if let Err(message) = document.as_ref().map_or(Ok(()), srb_schema::shape::check) {
        let status = if media == GRAPHQL_RESPONSE {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        return http_error(status, media, Code::QueryTooComplex, &message);
    }

    if method == Method::GET {
        if let Ok(doc) = &document {
            let selected = doc.operations.iter().find(|(name, _)| {
                request.operation_name.is_none()
                    || name.map(|n| n.as_str()) == request.operation_name.as_deref()
            });
            if let Some((_, op)) = selected {
                if op.node.ty != OperationType::Query {
                    return (
                        StatusCode::METHOD_NOT_ALLOWED,
                        [
                            (header::ALLOW, HeaderValue::from_static("POST")),
                            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
                        ],
                        json!({ "errors": [{
                            "message": "Änderungen (Mutationen) nur per POST.",
                            "extensions": { "code": "METHOD_NOT_ALLOWED" }
                        }] })
                        .to_string(),
                    )
                        .into_response();
                }
            }
        }
    }

    let viewer = match viewer_from(headers, app.storage.as_ref()).await {
        Ok(v) => v,
        Err(message) => {
            let mut r = http_error(
                StatusCode::UNAUTHORIZED,
                media,
                Code::Unauthenticated,
                message,
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    };

    // Parsed once: the schema executes the document parsed above.
    let parse_failed = document.is_err();
    if let Ok(doc) = document {
        request.set_parsed_query(doc);
    }
    let mut request = srb_schema::prepare(request, app.storage.clone(), viewer);
    if let Some(axum::Extension(client)) = client {
        request = request.data(client);
    }
    let response = app.schema.execute(request).await;

    let (status, body) = shape_response(response, media, parse_failed);
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("graphql_requests_total", "operation" => label.clone(), "status" => status.as_u16().to_string()).increment(1);
    metrics::histogram!("graphql_request_duration_seconds", "operation" => label).record(elapsed);
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(media))],
        body,
    )
        .into_response()
}

/// Gives every error a stable code and picks the status. A response without data (the request
/// failed before execution: parse, validation, limits, variables) has no `data` entry and, for
/// `application/graphql-response+json`, a 400 status; `application/json` always answers 200.
fn shape_response(
    response: async_graphql::Response,
    media: &'static str,
    parse_failed: bool,
) -> (StatusCode, String) {
    if response.errors.is_empty() {
        // The common case, written straight out: no errors to give codes to.
        let body = serde_json::to_string(&response).unwrap_or_else(|_| "{}".to_owned());
        return (StatusCode::OK, body);
    }
    let request_error = response.errors.iter().all(|e| e.path.is_empty())
        && response.data == async_graphql::Value::Null;
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        for error in errors {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let ext = error
                .as_object_mut()
                .expect("errors are objects")
                .entry("extensions")
                .or_insert_with(|| json!({}));
            if ext.get("code").is_some() {
                continue;
            }
            let code = if parse_failed {
                Code::ParseFailed
            } else if message == "Query is nested too deep."
                || message.starts_with("The recursion depth of the query cannot be greater than")
            {
                Code::QueryTooDeep
            } else if message == "Query is too complex." {
                Code::QueryTooComplex
            } else if request_error {
                Code::ValidationFailed
            } else {
                // Argument values the schema could not coerce.
                Code::BadUserInput
            };
            ext["code"] = Value::String(code.as_str().to_owned());
        }
    }
    if request_error {
        if let Some(obj) = body.as_object_mut() {
            obj.remove("data");
        }
    }
    let status = if request_error && media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, body.to_string())
}

/// Oldest queued index update before the index counts as lagging.
const SEARCH_LAG_LIMIT: i64 = 60;

/// Ready when the database is reachable and migrated. A lagging or unreachable search index
/// makes the instance `degraded`, still 200: writes work and the index catches up later.
async fn readyz(State(app): State<AppState>) -> Response {
    if app.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "draining" })),
        )
            .into_response();
    }
    match app.storage.readiness().await {
        Ok(r) if r.pending_migrations == 0 => {}
        Ok(r) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not ready", "pendingMigrations": r.pending_migrations })),
            )
                .into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not ready", "database": "unreachable" })),
            )
                .into_response();
        }
    }
    let reachable = match app.search.count().await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "search index unreachable");
            false
        }
    };
    let outbox = app.storage.outbox_status().await.unwrap_or_default();
    let lag = outbox
        .oldest_pending
        .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0));
    let lagging = lag > SEARCH_LAG_LIMIT;
    let status = if reachable && !lagging && outbox.dead == 0 {
        "ready"
    } else {
        "degraded"
    };
    (
        StatusCode::OK,
        Json(json!({
            "status": status,
            "database": app.storage.backend().as_str(),
            "search": {
                "backend": app.search.backend(),
                "reachable": reachable,
                "pending": outbox.pending,
                "lagSeconds": lag,
                "lagging": lagging,
                // Records the index refused again and again: `srb reindex` queues them anew.
                "deadLetters": outbox.dead,
                "lastDeadLetterError": outbox.last_dead_error,
            },
        })),
    )
        .into_response()
}

async fn metrics(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = &app.metrics_token_hash else {
        return (
            StatusCode::NOT_FOUND,
            "Metriken sind abgeschaltet: SRB_METRICS_TOKEN setzen und als Bearer-Token senden.",
        )
            .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| srb_schema::auth::hash_token(t.trim()));
    // Hashes compared, so the comparison's time says nothing about the token.
    if given.as_deref() != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            "Metriken nur mit dem Metrik-Token (Authorization: Bearer …).",
        )
            .into_response();
    }
    metrics::gauge!("srb_db_statements_total").set(app.storage.statements_executed() as f64);
    if let Ok(outbox) = app.storage.outbox_status().await {
        metrics::gauge!("srb_search_outbox_pending").set(outbox.pending as f64);
        metrics::gauge!("srb_search_dead_letters").set(outbox.dead as f64);
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// The same rows as `{ districts { ags name kind } }`, as plain JSON without GraphQL: the
/// baseline that BENCHMARKS.md compares GraphQL against. Only with `SRB_BENCH_ROUTES=1`.
/// Logs a caught panic with a new reference and returns the reference.
fn logged_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> String {
    let reference = srb_schema::error::new_reference();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(kein Text)");
    tracing::error!(%reference, panic = message, "request panicked");
    metrics::counter!("srb_panics_total").increment(1);
    reference
}

/// Panics on purpose (only with `SRB_BENCH_ROUTES`): tests prove the answer is `INTERNAL`.
async fn bench_panic() -> Response {
    panic!("a test asked for a panic")
}

/// Answers after `ms` milliseconds (only with `SRB_BENCH_ROUTES`): tests of the deadlines.
async fn bench_sleep(
    axum::extract::Query(q): axum::extract::Query<HashMap<String, u64>>,
) -> &'static str {
    tokio::time::sleep(std::time::Duration::from_millis(
        q.get("ms").copied().unwrap_or(0),
    ))
    .await;
    "ausgeschlafen"
}

async fn bench_districts(State(app): State<AppState>) -> Response {
    match app.storage.districts().await {
        Ok(rows) => Json(json!({ "data": { "districts": rows.iter().map(|d| json!({
            "ags": d.ags, "name": d.name, "kind": d.kind.as_str()
        })).collect::<Vec<_>>() } }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "bench districts");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parsed;

    /// A cached document is the one its text gives; a broken text is refused every time.
    #[test]
    fn documents_come_from_the_cache_as_parsed_and_errors_are_not_kept() {
        let text = "query A { districts { ags } } query B { me { id } }";
        for _ in 0..2 {
            let doc = parsed(text).expect("parses");
            let mut names: Vec<String> = doc
                .operations
                .iter()
                .filter_map(|(name, _)| name.map(|n| n.to_string()))
                .collect();
            names.sort();
            assert_eq!(names, ["A", "B"]);
        }
        for _ in 0..2 {
            assert!(parsed("{ districts { ags }").is_err());
        }
        let long = format!(
            "{{ districts {{ ags }} }}{}",
            " ".repeat(super::CACHED_DOCUMENT_BYTES)
        );
        assert!(parsed(&long).is_ok());
    }
}
