//! The web interface: German, server-rendered HTML that works without JavaScript. Every page
//! gets its data by executing GraphQL documents in process, through `srb_schema::prepare` with
//! the caller's rights, so a page can show nothing an API client could not read. The binary
//! serves its own stylesheet under a name that carries its hash (cached for a year).

mod layout;
mod search;
mod start;
mod workshops;

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::Markup;
use serde_json::Value;
use srb_schema::{SrbSchema, Storage, Viewer};

pub use layout::CSS_PATH;

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
        .route("/assets/{name}", get(asset))
        .fallback(not_found)
        .with_state(state)
}

static CSS: &str = include_str!("../assets/srb.css");

async fn asset(Path(name): Path<String>) -> Response {
    if name == CSS_PATH.trim_start_matches("/assets/") {
        (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            CSS,
        )
            .into_response()
    } else {
        not_found().await
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub(crate) enum PageError {
    NotFound,
    /// The caller's input, with the German message for the page.
    BadInput(String),
    /// Logged with the reference the page shows.
    Internal(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => not_found_page(),
            PageError::BadInput(message) => html(
                StatusCode::BAD_REQUEST,
                layout::page(
                    "Eingabe nicht verstanden",
                    layout::message("Eingabe nicht verstanden", &message, None),
                ),
            ),
            PageError::Internal(reference) => html(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout::page(
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
        layout::page(
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

/// Runs a GraphQL document in process for `viewer` and returns its data; errors become the
/// page's error (not found, bad input, or internal with the log's reference).
pub(crate) async fn query(
    state: &WebState,
    viewer: Viewer,
    document: &str,
    variables: Value,
) -> Result<Value, PageError> {
    let request = async_graphql::Request::new(document)
        .variables(async_graphql::Variables::from_json(variables));
    let response = state
        .schema
        .execute(srb_schema::prepare(request, state.storage.clone(), viewer))
        .await;
    if let Some(e) = response.errors.first() {
        let code = e
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_default();
        return Err(match code.as_str() {
            "NOT_FOUND" => PageError::NotFound,
            "BAD_USER_INPUT" => PageError::BadInput(e.message.clone()),
            _ => {
                let reference = e
                    .extensions
                    .as_ref()
                    .and_then(|x| x.get("reference"))
                    .map(|r| r.to_string().trim_matches('"').to_owned())
                    .unwrap_or_else(srb_schema::error::new_reference);
                tracing::error!(%reference, message = %e.message, "page query failed");
                PageError::Internal(reference)
            }
        });
    }
    response.data.into_json().map_err(|e| {
        let reference = srb_schema::error::new_reference();
        tracing::error!(%reference, error = %e, "page data unreadable");
        PageError::Internal(reference)
    })
}

/// The caller of a page. Pages are public for now: sign-in with a cookie session follows.
pub(crate) fn visitor() -> Viewer {
    Viewer::anonymous()
}

/// A string field of a JSON value, empty when missing.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// German date `TT.MM.JJJJ` of an ISO date.
pub(crate) fn german_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}
