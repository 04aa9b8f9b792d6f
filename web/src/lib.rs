//! The web interface: German, server-rendered HTML that works without JavaScript. Every page
//! gets its data by executing GraphQL documents in process, through `srb_schema::prepare` with
//! the caller's rights, so a page can show nothing an API client could not read. The binary
//! serves its own stylesheet under a name that carries its hash (cached for a year).

mod account;
mod charts;
mod compare;
mod concept_form;
mod concepts;
mod describe;
mod district;
mod download;
mod explorer;
mod forms;
mod ideas;
mod import;
mod layout;
mod live;
mod monitoring;
mod monitoring_district;
mod monitoring_import;
mod numbers;
mod profile_edit;
mod profiles;
mod runs;
mod search;
mod session;
mod start;
mod state;
mod workshops;

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::Markup;
use serde_json::Value;
use srb_schema::{SrbSchema, Storage, Viewer};

pub use explorer::{page as explorer_page, wants_explorer};
pub use layout::CSS_PATH;
pub use session::{session_secret, SESSION_COOKIE};

#[derive(Clone)]
pub struct WebState {
    pub schema: SrbSchema,
    pub storage: Arc<dyn Storage>,
}

/// The pages, to be merged into the server's router.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(start::page))
        .route("/suche", get(search::page))
        .route("/workshops", get(workshops::list))
        .route("/workshops/{id}", get(workshops::page))
        .route(
            "/anmelden",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/abmelden", post(session::sign_out))
        .route("/profile", get(profiles::list))
        .route("/profile/vergleich", get(profiles::compare))
        .route("/profile/{id}", get(profiles::page))
        .route("/profile/{id}/uebernehmen", post(profiles::fork))
        .route(
            "/profile/{id}/bearbeiten",
            get(profile_edit::edit).post(profile_edit::save),
        )
        .route("/mitschrift/{id}", get(live::page).post(live::add))
        .route("/ideen", get(ideas::ideas))
        .route("/ideen/{id}", get(ideas::idea))
        .route("/kooperationen", get(ideas::models))
        .route("/kooperationen/{id}", get(ideas::model))
        .route("/konto", get(account::page))
        .route("/konto/tokens", post(account::create_token))
        .route("/konto/tokens/widerrufen", post(account::revoke_token))
        .route("/bezirke", get(state::page))
        .route("/landesmittel/{file}", get(state::download))
        .route("/bezirke/{ags}", get(district::page))
        .route(
            "/bezirke/{ags}/import",
            get(import::page).post(import::submit),
        )
        .route("/bezirke/{ags}/vorlage.xlsx", get(import::template))
        .route("/monitoring", get(monitoring::page))
        .route("/monitoring/{file}", get(monitoring::land_file))
        .route("/bezirke/{ags}/monitoring", get(monitoring_district::page))
        .route(
            "/bezirke/{ags}/monitoring/stellen",
            post(monitoring_district::create_position),
        )
        .route(
            "/bezirke/{ags}/monitoring/stellen/{id}",
            post(monitoring_district::change_position),
        )
        .route(
            "/bezirke/{ags}/monitoring/abruf",
            post(monitoring_district::record_spending),
        )
        .route(
            "/bezirke/{ags}/monitoring/datei",
            post(monitoring_import::submit),
        )
        .route(
            "/bezirke/{ags}/monitoring/konferenz",
            post(monitoring_district::record_meeting),
        )
        .route(
            "/bezirke/{ags}/monitoring/{file}",
            get(monitoring_district::positions_file),
        )
        .route("/bezirke/{ags}/{file}", get(district::download))
        .route(
            "/konzeptionen/{id}",
            get(concepts::page).post(concepts::save),
        )
        .route(
            "/konzeptionen/{id}/vorschau",
            post(concepts::preview_fragment),
        )
        .route("/konzeptionen/{id}/kopieren", post(concepts::copy))
        .route("/konzeptionen/{id}/rechnen", post(concepts::run))
        .route("/laeufe/{id}", get(runs::page))
        .route("/laeufe/{id}/druck", get(runs::print))
        .route("/laeufe/{id}/offiziell", post(runs::make_official))
        .route("/laeufe/{id}/kitas/{kita}", get(runs::explain))
        .route("/laeufe/{id}/{file}", get(runs::download))
        .route("/vergleich", get(compare::page))
        .route("/vergleich.xlsx", get(compare::xlsx))
        .route("/vergleich.csv", get(compare::csv))
        .route("/assets/{name}", get(asset))
        .fallback(not_found)
        .with_state(state)
}

static CSS: &str = include_str!("../assets/srb.css");
static LIVE_JS: &str = include_str!("../assets/live.js");
static SUGGEST_JS: &str = include_str!("../assets/suggest.js");
static PREVIEW_JS: &str = include_str!("../assets/preview.js");
static UPLOAD_JS: &str = include_str!("../assets/upload.js");

/// The assets under their hashed names, cached for a year (a new version has a new name).
async fn asset(Path(name): Path<String>, headers: axum::http::HeaderMap) -> Response {
    if let Some(vendored) = explorer::asset(&name, &headers) {
        return vendored;
    }
    let path = format!("/assets/{name}");
    let (content_type, body) = if path == *CSS_PATH {
        ("text/css; charset=utf-8", CSS)
    } else if path == *layout::LIVE_JS_PATH {
        ("text/javascript; charset=utf-8", LIVE_JS)
    } else if path == *layout::PREVIEW_JS_PATH {
        ("text/javascript; charset=utf-8", PREVIEW_JS)
    } else if path == *layout::UPLOAD_JS_PATH {
        ("text/javascript; charset=utf-8", UPLOAD_JS)
    } else if path == *layout::SUGGEST_JS_PATH {
        ("text/javascript; charset=utf-8", SUGGEST_JS)
    } else {
        return not_found().await;
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// The German error page for a request that panicked, with the log's reference.
pub fn panic_page(reference: &str) -> Response {
    PageError::Internal(reference.to_owned()).into_response()
}

/// The page for a caller over the request budget (429, with `Retry-After`).
pub fn too_many_requests_page(retry_after_s: u64) -> Response {
    let mut response = html(
        StatusCode::TOO_MANY_REQUESTS,
        layout::bare(
            "Zu viele Anfragen",
            layout::message(
                "Zu viele Anfragen",
                &format!(
                    "Von Ihrem Zugang kamen in kurzer Zeit sehr viele Anfragen. Bitte versuchen \
                     Sie es in {retry_after_s} Sekunden noch einmal."
                ),
                None,
            ),
        ),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, retry_after_s.into());
    response
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    /// Signed in, but not allowed (or a form without a valid token); the German reason.
    Forbidden(String),
    /// Needs an account: to the sign-in page, and back to `back` afterwards.
    SignIn {
        back: String,
        expired: bool,
    },
    /// The caller's input, with the German message for the page.
    BadInput(String),
    /// Logged with the reference the page shows.
    Internal(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => not_found_page(),
            PageError::Forbidden(message) => html(
                StatusCode::FORBIDDEN,
                layout::bare(
                    "Nicht erlaubt",
                    layout::message("Das ist nicht erlaubt", &message, None),
                ),
            ),
            PageError::SignIn { back, expired } => {
                let mut target = format!("/anmelden?weiter={}", layout::urlencode(&back));
                if expired {
                    target.push_str("&abgelaufen=1");
                }
                axum::response::Redirect::to(&target).into_response()
            }
            PageError::BadInput(message) => html(
                StatusCode::BAD_REQUEST,
                layout::bare(
                    "Eingabe nicht verstanden",
                    layout::message("Eingabe nicht verstanden", &message, None),
                ),
            ),
            PageError::Internal(reference) => html(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout::bare(
                    "Fehler",
                    layout::message(
                        "Da ist etwas schiefgegangen",
                        "Die Seite konnte nicht erstellt werden. Bitte versuchen Sie es später \
                         noch einmal. Wenn der Fehler bleibt, nennen Sie bitte diese Referenz:",
                        Some(&reference),
                    ),
                ),
            ),
        }
    }
}

pub(crate) fn html(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        markup.into_string(),
    )
        .into_response()
}

fn not_found_page() -> Response {
    html(
        StatusCode::NOT_FOUND,
        layout::bare(
            "Nicht gefunden",
            layout::message(
                "Diese Seite gibt es nicht",
                "Die Adresse ist falsch, oder der Eintrag wurde entfernt oder ist nicht \
                 öffentlich. Über die Suche finden Sie Workshops, Aufgabenprofile, Ideen und \
                 Kitas.",
                None,
            ),
        ),
    )
}

async fn not_found() -> Response {
    not_found_page()
}

/// A string extension of an API error (`code`, `field`, `reference`).
fn extension(e: &async_graphql::ServerError, key: &str) -> Option<String> {
    e.extensions
        .as_ref()
        .and_then(|x| x.get(key))
        .and_then(|c| match c {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        })
}

/// A record's page: an address whose ID is malformed names no record, so it is a page that
/// does not exist rather than bad input.
pub(crate) fn missing_if_bad_id(e: PageError) -> PageError {
    match e {
        PageError::BadInput(_) => PageError::NotFound,
        other => other,
    }
}

/// A list of strings of a JSON value, empty when missing.
pub(crate) fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A file for a GraphQL upload variable (`variables.input.file`), as a multipart request to
/// `/graphql` would carry it.
pub(crate) struct Upload {
    pub variable: String,
    pub value: async_graphql::UploadValue,
}

/// Executes a GraphQL document in process for `viewer`, as `/graphql` would.
async fn execute(
    state: &WebState,
    viewer: Viewer,
    document: &str,
    variables: Value,
) -> async_graphql::Response {
    execute_with(state, viewer, document, variables, None).await
}

async fn execute_with(
    state: &WebState,
    viewer: Viewer,
    document: &str,
    variables: Value,
    upload: Option<Upload>,
) -> async_graphql::Response {
    let mut request = async_graphql::Request::new(document)
        .variables(async_graphql::Variables::from_json(variables));
    if let Some(u) = upload {
        request.set_upload(&u.variable, u.value);
    }
    state
        .schema
        .execute(srb_schema::prepare(request, state.storage.clone(), viewer))
        .await
}

/// The data of a response without errors.
fn data_of(response: async_graphql::Response) -> Result<Value, PageError> {
    response.data.into_json().map_err(|e| {
        let reference = srb_schema::error::new_reference();
        tracing::error!(%reference, error = %e, "page data unreadable");
        PageError::Internal(reference)
    })
}

/// The page's error for an error of the API: not found, forbidden, bad input, or internal
/// (logged with the reference the page shows).
fn page_error(e: &async_graphql::ServerError) -> PageError {
    match extension(e, "code").as_deref() {
        Some("NOT_FOUND") => PageError::NotFound,
        Some("BAD_USER_INPUT") => PageError::BadInput(e.message.clone()),
        Some("FORBIDDEN") => PageError::Forbidden(e.message.clone()),
        Some("UNAUTHENTICATED") => PageError::Forbidden("Dafür ist eine Anmeldung nötig.".into()),
        _ => {
            let reference =
                extension(e, "reference").unwrap_or_else(srb_schema::error::new_reference);
            tracing::error!(%reference, message = %e.message, "page query failed");
            PageError::Internal(reference)
        }
    }
}

/// Runs a GraphQL document in process for `viewer` and returns its data; errors become the
/// page's error (not found, bad input, or internal with the log's reference).
pub(crate) async fn query(
    state: &WebState,
    viewer: Viewer,
    document: &str,
    variables: Value,
) -> Result<Value, PageError> {
    let response = execute(state, viewer, document, variables).await;
    if let Some(e) = response.errors.first() {
        return Err(page_error(e));
    }
    data_of(response)
}

/// A problem with what a form sent, as the API answered it: the input field's path (e.g.
/// `input.profile.title`) and the German message.
pub(crate) struct InputProblem {
    pub field: String,
    pub message: String,
}

/// Runs a mutation for a form: bad input and version conflicts come back to the form (to show
/// next to the fields); everything else is the page's error, as with `query`.
pub(crate) async fn mutate(
    state: &WebState,
    viewer: Viewer,
    document: &str,
    variables: Value,
) -> Result<Result<Value, Vec<InputProblem>>, PageError> {
    mutate_with(state, viewer, document, variables, None).await
}

/// `mutate` with a file for an upload variable.
pub(crate) async fn mutate_with(
    state: &WebState,
    viewer: Viewer,
    document: &str,
    variables: Value,
    upload: Option<Upload>,
) -> Result<Result<Value, Vec<InputProblem>>, PageError> {
    let response = execute_with(state, viewer, document, variables, upload).await;
    if let Some(e) = response.errors.first() {
        match extension(e, "code").as_deref() {
            Some("BAD_USER_INPUT") | Some("CONFLICT") => {
                // Every problem when the API lists them, else the one of the error.
                let listed: Vec<InputProblem> = e
                    .extensions
                    .as_ref()
                    .and_then(|x| x.get("problems"))
                    .and_then(|v| v.clone().into_json().ok())
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(|p| InputProblem {
                        field: text(p, "field").to_owned(),
                        message: text(p, "message").to_owned(),
                    })
                    .collect();
                return Ok(Err(if listed.is_empty() {
                    vec![InputProblem {
                        field: extension(e, "field").unwrap_or_default(),
                        message: e.message.clone(),
                    }]
                } else {
                    listed
                }));
            }
            _ => {}
        }
        return Err(page_error(e));
    }
    data_of(response).map(Ok)
}

/// A string field of a JSON value, empty when missing.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// German date of a timestamp field (`2026-12-02T…` → `02.12.2026`).
pub(crate) fn german_day(v: &Value, key: &str) -> String {
    german_date(text(v, key).get(..10).unwrap_or_default())
}

/// German date `TT.MM.JJJJ` of an ISO date.
pub(crate) fn german_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}
