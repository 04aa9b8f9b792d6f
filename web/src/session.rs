//! Who is asking: a browser signed in with a server-side session, or a visitor. The cookie holds
//! only a random secret; the database holds its hash, so signing out (or an administrator)
//! ends a session on every instance at once. Every form carries a token derived from a cookie
//! secret (the session's, or before sign-in a form cookie's): another site can send the form
//! but cannot read the cookie, so it cannot know the token.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use maud::{html, Markup};
use serde::Deserialize;
use srb_schema::auth::{self, CredentialError, SignInError};
use srb_schema::Viewer;

use crate::forms::{self, Form, Problems};
use crate::{layout, PageError, WebState};

pub const SESSION_COOKIE: &str = "srb_sitzung";
/// Before sign-in: the secret the sign-in form's token is derived from.
pub const FORM_COOKIE: &str = "srb_formular";

/// The value of a cookie of the request.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The web session's secret a request carries (the WebSocket of the live page uses it).
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE).filter(|s| !s.is_empty())
}

/// Behind a TLS-terminating proxy the cookies are marked `Secure`.
fn behind_tls(headers: &HeaderMap) -> bool {
    let header_says = |name: &str, needle: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(needle))
    };
    header_says("x-forwarded-proto", "https") || header_says("forwarded", "proto=https")
}

/// The caller of a page.
#[derive(Clone)]
pub struct Caller {
    pub viewer: Viewer,
    /// The session's secret, when signed in.
    secret: Option<String>,
    /// A session cookie came along but its session has ended or expired.
    pub expired: bool,
    /// The form cookie of a visitor, when the browser has one.
    form_secret: Option<String>,
    secure: bool,
    /// Path and query of the page, to come back to after sign-in.
    pub here: String,
}

impl Caller {
    pub fn signed_in(&self) -> bool {
        self.viewer.user.is_some()
    }

    /// The token this caller's forms carry; empty for a visitor without a form cookie (their
    /// form cannot be sent successfully, which is right: only the sign-in form sets one).
    pub fn form_token(&self) -> String {
        match (&self.secret, &self.form_secret) {
            (Some(s), _) | (None, Some(s)) => auth::form_token(s),
            (None, None) => String::new(),
        }
    }

    /// Whether a submitted form token is this caller's. Compared in constant time.
    pub fn form_token_ok(&self, sent: &str) -> bool {
        let expected = self.form_token();
        !expected.is_empty()
            && expected.len() == sent.len()
            && expected
                .bytes()
                .zip(sent.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The display name of the signed-in account.
    pub fn name(&self) -> Option<String> {
        self.viewer
            .user
            .as_ref()
            .map(|u| u.display_name.clone().unwrap_or_else(|| u.email.clone()))
    }

    /// For pages that need an account: a visitor (or an ended session) is sent to sign in and
    /// comes back here.
    pub fn require_sign_in(&self) -> Result<(), PageError> {
        if self.signed_in() {
            Ok(())
        } else {
            Err(PageError::SignIn {
                back: self.here.clone(),
                expired: self.expired,
            })
        }
    }

    /// Checks a submitted form: an ended session goes to sign-in (and back to `back`), a wrong
    /// token is refused with 403 and changes nothing.
    pub fn check_form(&self, form: &Form, back: &str) -> Result<(), PageError> {
        if self.expired && !self.signed_in() {
            return Err(PageError::SignIn {
                back: back.to_owned(),
                expired: true,
            });
        }
        if self.form_token_ok(form.get("token")) {
            Ok(())
        } else {
            Err(PageError::Forbidden(
                "Das Formular ist abgelaufen oder kam nicht von dieser Seite. Bitte laden Sie \
                 die Seite neu und senden Sie es noch einmal."
                    .into(),
            ))
        }
    }
}

impl FromRequestParts<WebState> for Caller {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let mut caller = Caller {
            viewer: Viewer::anonymous(),
            secret: None,
            expired: false,
            form_secret: cookie_value(headers, FORM_COOKIE).filter(|s| !s.is_empty()),
            secure: behind_tls(headers),
            here,
        };
        if let Some(secret) = session_secret(headers) {
            match auth::viewer_of_session(state.storage.as_ref(), &secret).await {
                Ok(viewer) => {
                    caller.viewer = viewer;
                    caller.secret = Some(secret);
                }
                Err(CredentialError::Invalid) => caller.expired = true,
                Err(CredentialError::Unavailable) => {
                    return Err(PageError::Internal(srb_schema::error::new_reference()))
                }
            }
        }
        Ok(caller)
    }
}

fn set_cookie(response: &mut Response, cookie: Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn cookie_for(name: &'static str, value: String, secure: bool, max_age_s: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_s))
        .build()
}

/// Only paths of this site are places to come back to (no `//host` or `https://…`).
pub fn local_path(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.starts_with("/\\") {
        back
    } else {
        "/"
    }
}

#[derive(Deserialize, Default)]
pub struct SignInParams {
    #[serde(default)]
    weiter: String,
    #[serde(default)]
    abgelaufen: Option<String>,
}

fn sign_in_form(
    token: &str,
    back: &str,
    email: &str,
    problems: &Problems,
    notice: Option<&str>,
) -> Markup {
    html! {
        h1 { "Anmelden" }
        @if let Some(n) = notice { p class="notice" role="status" { (n) } }
        (problems.summary())
        form method="post" action="/anmelden" class="stack" novalidate {
            input type="hidden" name="token" value=(token);
            input type="hidden" name="weiter" value=(back);
            (forms::text_field(problems, "email", "E-Mail-Adresse", email, "email", Some("username"), None, true))
            (forms::text_field(problems, "password", "Passwort", "", "password", Some("current-password"), None, true))
            button type="submit" { "Anmelden" }
        }
        p class="hint" {
            "Ein Konto erhalten Koordinationskräfte, Moderation und Ministerium über die "
            "Administration. Ohne Anmeldung lesen Sie alles Öffentliche."
        }
    }
}

pub async fn sign_in_page(caller: Caller, Query(params): Query<SignInParams>) -> Response {
    let back = local_path(&params.weiter).to_owned();
    let notice = (params.abgelaufen.is_some() || caller.expired)
        .then_some("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.");
    if caller.signed_in() {
        return Redirect::to(&back).into_response();
    }
    // A visitor without a form cookie gets one; the form's token is derived from it.
    let (form_secret, fresh) = match &caller.form_secret {
        Some(s) => (s.clone(), false),
        None => (auth::new_secret("srbf_").0, true),
    };
    let token = auth::form_token(&form_secret);
    let content = sign_in_form(&token, &back, "", &Problems::default(), notice);
    let mut response = crate::html(StatusCode::OK, layout::page(&caller, "Anmelden", content));
    forget_ended(&caller, &mut response);
    if fresh {
        set_cookie(
            &mut response,
            cookie_for(FORM_COOKIE, form_secret, caller.secure, 60 * 60 * 24),
        );
    }
    response
}

pub async fn sign_in(
    State(state): State<WebState>,
    client: Option<axum::Extension<srb_schema::auth::ClientAddr>>,
    caller: Caller,
    form: Form,
) -> Result<Response, PageError> {
    let back = local_path(form.get("weiter")).to_owned();
    // A visitor's form token: the session (if any) has ended, which is no reason to refuse.
    let visitor = Caller {
        expired: false,
        ..caller.clone()
    };
    visitor.check_form(&form, "/anmelden")?;
    let email = form.get("email").trim().to_owned();
    let mut problems = Problems::default();
    let mut retry_after = None;
    if email.is_empty() {
        problems.add("email", "Bitte geben Sie Ihre E-Mail-Adresse an.");
    }
    if form.get("password").is_empty() {
        problems.add("password", "Bitte geben Sie Ihr Passwort an.");
    }
    if problems.is_empty() {
        let client = client.map(|c| c.0);
        match auth::sign_in_browser(state.storage.as_ref(), &email, form.get("password"), client)
            .await
        {
            Ok((_, session)) => {
                let mut response = Redirect::to(&back).into_response();
                let max_age = (session.expires_at - chrono_now()).num_seconds().max(0);
                set_cookie(
                    &mut response,
                    cookie_for(SESSION_COOKIE, session.secret, caller.secure, max_age),
                );
                set_cookie(
                    &mut response,
                    cookie_for(FORM_COOKIE, String::new(), caller.secure, 0),
                );
                return Ok(response);
            }
            Err(SignInError::Storage(e)) => {
                let reference = srb_schema::error::new_reference();
                tracing::error!(%reference, error = %e, "sign-in failed");
                return Err(PageError::Internal(reference));
            }
            Err(e) => {
                retry_after = e.retry_after_s();
                problems.add("email", &e.to_string())
            }
        }
    }
    let content = sign_in_form(&visitor.form_token(), &back, &email, &problems, None);
    let status = if retry_after.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = crate::html(status, layout::page(&visitor, "Anmelden", content));
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    Ok(response)
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

pub async fn sign_out(
    State(state): State<WebState>,
    caller: Caller,
    form: Form,
) -> Result<Response, PageError> {
    let mut response = Redirect::to("/").into_response();
    if caller.signed_in() {
        caller.check_form(&form, "/")?;
        if let Err(e) = auth::sign_out_browser(state.storage.as_ref(), &caller.viewer).await {
            let reference = srb_schema::error::new_reference();
            tracing::error!(%reference, error = %e, "sign-out failed");
            return Err(PageError::Internal(reference));
        }
    }
    set_cookie(
        &mut response,
        cookie_for(SESSION_COOKIE, String::new(), caller.secure, 0),
    );
    Ok(response)
}

/// Clears the cookie of an ended session, so later pages do not ask again.
pub fn forget_ended(caller: &Caller, response: &mut Response) {
    if caller.expired {
        set_cookie(
            response,
            cookie_for(SESSION_COOKIE, String::new(), caller.secure, 0),
        );
    }
}
