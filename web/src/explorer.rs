//! The GraphQL explorer for browsers at `/graphql` (GraphiQL), served from the binary: its
//! scripts and stylesheet are vendored (gzip-compressed) and served under `/assets/`.

use std::io::Read;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, DOCTYPE};

/// `(name under /assets/, content type, gzip bytes)`; the names carry their versions.
const VENDORED: &[(&str, &str, &[u8])] = &[
    (
        "graphiql-3.8.3.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/graphiql-3.8.3.min.js.gz"),
    ),
    (
        "graphiql-3.8.3.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/graphiql-3.8.3.min.css.gz"),
    ),
    (
        "react-18.3.1.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/react-18.3.1.production.min.js.gz"),
    ),
    (
        "react-dom-18.3.1.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/react-dom-18.3.1.production.min.js.gz"),
    ),
];

static START_JS: &str = include_str!("../assets/explorer.js");

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';').map(str::trim);
            parts.next() == Some("gzip") && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

/// A vendored asset, compressed when the client takes gzip.
pub fn asset(name: &str, headers: &HeaderMap) -> Option<Response> {
    let cache = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    if name == crate::layout::EXPLORER_JS_PATH.trim_start_matches("/assets/") {
        return Some(
            (
                [
                    (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                    cache,
                ],
                START_JS,
            )
                .into_response(),
        );
    }
    let (_, content_type, gz) = VENDORED.iter().find(|(n, _, _)| *n == name)?;
    if accepts_gzip(headers) {
        return Some(
            (
                [
                    (header::CONTENT_TYPE, *content_type),
                    (header::CONTENT_ENCODING, "gzip"),
                    (header::VARY, "Accept-Encoding"),
                    cache,
                ],
                *gz,
            )
                .into_response(),
        );
    }
    let mut plain = Vec::new();
    if flate2::read::GzDecoder::new(*gz)
        .read_to_end(&mut plain)
        .is_err()
    {
        return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    Some(
        (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::VARY, "Accept-Encoding"),
                cache,
            ],
            plain,
        )
            .into_response(),
    )
}

/// Whether a GET of `/graphql` comes from a browser that wants the explorer: it asks for HTML
/// and sends no GraphQL query.
pub fn wants_explorer(headers: &HeaderMap, has_query: bool) -> bool {
    !has_query
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

/// The explorer page.
pub fn page() -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="de" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "GraphQL-Explorer – srb-werkstatt" }
                link rel="stylesheet" href="/assets/graphiql-3.8.3.min.css";
                style { "html, body, #explorer { height: 100%; margin: 0; } .hinweis { font: 14px system-ui, sans-serif; padding: .4rem 1rem; margin: 0; background: #f2f5f8; } body { display: flex; flex-direction: column; } #explorer { flex: 1; min-height: 0; }" }
            }
            body {
                p class="hinweis" {
                    "GraphQL-Explorer der Schnittstelle. Ohne Token sehen Sie, was öffentlich ist; "
                    "mit einem API-Token aus Ihrem " a href="/konto" { "Konto" } " im Reiter „Headers“: "
                    code { "{\"Authorization\": \"Bearer srb_…\"}" } ". "
                    a href="/" { "Zur Startseite" }
                }
                main id="explorer" { noscript { "Der Explorer braucht JavaScript. Die Schnittstelle selbst erreichen Sie unter /graphql per POST." } }
                script src="/assets/react-18.3.1.production.min.js" {}
                script src="/assets/react-dom-18.3.1.production.min.js" {}
                script src="/assets/graphiql-3.8.3.min.js" {}
                script src=(crate::layout::EXPLORER_JS_PATH.as_str()) {}
            }
        }
    };
    crate::html(StatusCode::OK, markup)
}
