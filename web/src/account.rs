//! The account page: who is signed in, and the account's own API tokens (create, revoke).
//! A new token's secret is shown once, on the answer to the form, and never again.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::forms::{self, Form, Problems};
use crate::session::Caller;
use crate::{html, layout, mutate, query, text, PageError, WebState};

const ME: &str = r#"query Konto {
  me { email displayName role district { name } apiTokens { id label createdAt revokedAt expiresAt lastUsedAt } }
}"#;

const CREATE: &str = r#"mutation TokenAnlegen($label: String!) {
  createApiToken(label: $label) { token apiToken { id } }
}"#;

const REVOKE: &str = r#"mutation TokenWiderrufen($id: ID!) {
  revokeApiToken(id: $id) { id revokedAt }
}"#;

fn role_label(role: &str) -> &'static str {
    match role {
        "ADMIN" => "Administration",
        "MINISTRY" => "Ministerium",
        "COORDINATOR" => "Koordination",
        "FACILITATOR" => "Moderation",
        _ => "",
    }
}

/// `2026-12-02T10:15:00Z` as `02.12.2026, 10:15 UTC`.
fn german_time(iso: &str) -> String {
    let (date, time) = iso.split_once('T').unwrap_or((iso, ""));
    let hm: String = time.chars().take(5).collect();
    if hm.is_empty() {
        crate::german_date(date)
    } else {
        format!("{}, {hm} UTC", crate::german_date(date))
    }
}

async fn render(
    state: &WebState,
    caller: &Caller,
    problems: &Problems,
    label: &str,
    new_token: Option<&str>,
) -> Result<Markup, PageError> {
    let data = query(state, caller.viewer.clone(), ME, json!({})).await?;
    let me = &data["me"];
    let tokens = me["apiTokens"].as_array().cloned().unwrap_or_default();
    let token = caller.form_token();
    Ok(html! {
        h1 { "Ihr Konto" }
        dl class="facts" {
            dt { "Name" } dd { (me["displayName"].as_str().unwrap_or("–")) }
            dt { "E-Mail-Adresse" } dd { (text(me, "email")) }
            dt { "Rolle" } dd { (role_label(text(me, "role"))) }
            @if let Some(d) = me["district"]["name"].as_str() { dt { "Bezirk" } dd { (d) } }
        }
        h2 id="tokens" { "API-Tokens" }
        p {
            "Mit einem API-Token greifen Programme (Fachverfahren, Skripte) in Ihrem Namen auf die "
            "Schnittstelle zu: als Kopfzeile " code { "Authorization: Bearer <Token>" } ". "
            "Ein Token, das Sie widerrufen, gilt sofort nicht mehr."
        }
        @if let Some(t) = new_token {
            div class="notice" role="status" {
                h3 { "Neues Token" }
                p { "Kopieren Sie es jetzt: es wird nur dieses eine Mal angezeigt." }
                p { code class="secret" { (t) } }
            }
        }
        (problems.summary())
        form method="post" action="/konto/tokens" class="stack" novalidate {
            (forms::token(&token))
            (forms::text_field(problems, "label", "Bezeichnung des neuen Tokens", label, "text", Some("off"),
                Some("Wofür das Token gedacht ist, z. B. „Import aus dem Kita-Verfahren“; höchstens 100 Zeichen."), true))
            button type="submit" { "Token anlegen" }
        }
        @if tokens.is_empty() {
            p { "Noch keine Tokens." }
        } @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Tabelle (seitlich verschiebbar)" { table {
                caption { "Ihre Tokens, neueste zuerst" }
                thead { tr { th scope="col" { "Bezeichnung" } th scope="col" { "Angelegt" } th scope="col" { "Zuletzt benutzt" } th scope="col" { "Gültig bis" } th scope="col" { "Status" } } }
                tbody {
                    @for t in &tokens {
                        tr {
                            td { (text(t, "label")) }
                            td { (german_time(text(t, "createdAt"))) }
                            td { @if let Some(u) = t["lastUsedAt"].as_str() { (german_time(u)) } @else { "noch nie" } }
                            td { @if let Some(e) = t["expiresAt"].as_str() { (german_time(e)) } @else { "unbegrenzt" } }
                            td {
                                @if let Some(r) = t["revokedAt"].as_str() {
                                    "widerrufen am " (german_time(r))
                                } @else if t["expiresAt"].as_str().and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok()).is_some_and(|e| e < chrono::Utc::now()) {
                                    "abgelaufen"
                                } @else {
                                    form method="post" action="/konto/tokens/widerrufen" class="inline" {
                                        (forms::token(&token))
                                        input type="hidden" name="id" value=(text(t, "id"));
                                        "gültig "
                                        button type="submit" aria-label={ "Token „" (text(t, "label")) "“ widerrufen" } { "Widerrufen" }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
    })
}

/// Pages that show a secret are not stored by the browser or a proxy.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn page(State(state): State<WebState>, caller: Caller) -> Result<Response, PageError> {
    caller.require_sign_in()?;
    let content = render(&state, &caller, &Problems::default(), "", None).await?;
    Ok(no_store(html(
        StatusCode::OK,
        layout::page(&caller, "Konto", content),
    )))
}

pub async fn create_token(
    State(state): State<WebState>,
    caller: Caller,
    form: Form,
) -> Result<Response, PageError> {
    caller.check_form(&form, "/konto")?;
    caller.require_sign_in()?;
    let label = form.get("label");
    let mut problems = Problems::default();
    let created: Option<Value> = match mutate(
        &state,
        caller.viewer.clone(),
        CREATE,
        json!({ "label": label }),
    )
    .await?
    {
        Ok(data) => Some(data),
        Err(found) => {
            problems.add_all(found, |_| "label".into());
            None
        }
    };
    let secret = created
        .as_ref()
        .and_then(|d| d["createApiToken"]["token"].as_str());
    let content = render(
        &state,
        &caller,
        &problems,
        if secret.is_some() { "" } else { label },
        secret,
    )
    .await?;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(no_store(html(
        status,
        layout::page(&caller, "Konto", content),
    )))
}

pub async fn revoke_token(
    State(state): State<WebState>,
    caller: Caller,
    form: Form,
) -> Result<Response, PageError> {
    caller.check_form(&form, "/konto")?;
    caller.require_sign_in()?;
    match mutate(
        &state,
        caller.viewer.clone(),
        REVOKE,
        json!({ "id": form.get("id") }),
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to("/konto#tokens").into_response()),
        Err(_) => Err(PageError::NotFound),
    }
}
