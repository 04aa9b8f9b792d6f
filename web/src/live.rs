//! Live capture of a running session: the contributions in the order they were captured; a
//! facilitator's form adds one. Everyone with the page open sees new contributions appear
//! (a small script of our own subscribes over `/graphql/ws`); without JavaScript a link
//! reloads the page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use serde_json::{json, Value};

use crate::forms::{self, Form, Problems};
use crate::session::Caller;
use crate::{html, layout, missing_if_bad_id, mutate, query, text, PageError, WebState};

pub const KINDS: &[(&str, &str)] = &[
    ("OBSERVATION", "Beobachtung"),
    ("QUESTION", "Frage"),
    ("IDEA", "Idee"),
    ("QUOTE", "Zitat"),
    ("RECOMMENDATION", "Empfehlung"),
    ("AMBIVALENCE", "Ambivalenz"),
    ("CONCLUSION", "Fazit"),
];

const SESSION: &str = r#"query Mitschrift($id: ID!) {
  me { role district { ags } }
  node(id: $id) {
    ... on WorkshopSession {
      id title startsAt endsAt moderators
      workshop { id title district { ags } }
      contributions(first: 100) { nodes { id position kindLabel html } }
    }
  }
}"#;

const ADD: &str = r#"mutation BeitragErfassen($input: AddContributionInput!) {
  addContribution(input: $input) { id position }
}"#;

/// Who may capture: the API decides (moderation, administration, the workshop's district);
/// this only decides whether to offer the form.
fn may_capture(me: &Value, workshop: &Value) -> bool {
    match text(me, "role") {
        "ADMIN" | "FACILITATOR" => true,
        "COORDINATOR" => {
            me["district"]["ags"].as_str().is_some()
                && me["district"]["ags"] == workshop["district"]["ags"]
        }
        _ => false,
    }
}

fn render(
    caller: &Caller,
    data: &Value,
    problems: &Problems,
    kind: &str,
    body: &str,
) -> Result<(String, Markup), PageError> {
    let s = &data["node"];
    if s.is_null() || s["title"].is_null() {
        return Err(PageError::NotFound);
    }
    let id = text(s, "id");
    let contributions = s["contributions"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let title = format!("Live-Mitschrift: {}", text(s, "title"));
    let markup = html! {
        p class="kind" { a href={ "/workshops/" (text(&s["workshop"], "id")) } { (text(&s["workshop"], "title")) } }
        h1 { (title) }
        section aria-labelledby="beitraege-titel" {
            h2 id="beitraege-titel" { "Beiträge in der Reihenfolge der Erfassung" }
            p class="hint" id="live-status" role="status" {
                "Neue Beiträge erscheinen beim " a href={ "/mitschrift/" (id) } { "Neuladen der Seite" } "."
            }
            ol id="beitraege" class="live" data-session=(id) aria-live="polite" aria-relevant="additions" {
                @for c in &contributions {
                    li id={ "beitrag-" (c["position"]) } data-position=(c["position"]) {
                        strong { (text(c, "kindLabel")) ": " }
                        (PreEscaped(text(c, "html").to_owned()))
                    }
                }
            }
            @if contributions.is_empty() { p id="noch-keine" { "Noch keine Beiträge." } }
        }
        @if may_capture(&data["me"], &s["workshop"]) {
            section aria-labelledby="erfassen-titel" {
                h2 id="erfassen-titel" { "Beitrag erfassen" }
                (problems.summary())
                form method="post" action={ "/mitschrift/" (id) } class="stack" novalidate {
                    (forms::token(&caller.form_token()))
                    (forms::select(problems, "kind", "Art des Beitrags", KINDS, kind))
                    (forms::text_area(problems, "body", "Beitrag", body, 4, Some("Markdown ist erlaubt; höchstens 2000 Zeichen.")))
                    button type="submit" { "Beitrag speichern" }
                }
            }
        }
        script src=(layout::LIVE_JS_PATH.as_str()) defer {}
    };
    Ok((title, markup))
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), SESSION, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let (title, content) = render(&caller, &data, &Problems::default(), "OBSERVATION", "")?;
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

pub async fn add(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    let back = format!("/mitschrift/{id}");
    caller.check_form(&form, &back)?;
    caller.require_sign_in()?;
    let (kind, body) = (form.get("kind"), form.get("body"));
    let mut problems = Problems::default();
    if body.trim().is_empty() {
        problems.add("body", "Bitte den Beitrag eingeben.");
    } else if !KINDS.iter().any(|(k, _)| *k == kind) {
        problems.add("kind", "Bitte eine Art des Beitrags wählen.");
    } else {
        let vars = json!({ "input": { "sessionId": id, "kind": kind, "body": body } });
        match mutate(&state, caller.viewer.clone(), ADD, vars).await? {
            Ok(data) => {
                let position = &data["addContribution"]["position"];
                return Ok(Redirect::to(&format!("{back}#beitrag-{position}")).into_response());
            }
            Err(found) => problems.add_all(found, |path| {
                if path.ends_with("kind") {
                    "kind"
                } else {
                    "body"
                }
                .to_owned()
            }),
        }
    }
    let data = query(&state, caller.viewer.clone(), SESSION, json!({ "id": id })).await?;
    let (title, content) = render(&caller, &data, &problems, kind, body)?;
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        layout::page(&caller, &format!("Fehler: {title}"), content),
    ))
}
