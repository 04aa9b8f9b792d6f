//! Workshops: the list, and a workshop's documentation (agenda with times and moderators,
//! theme rooms, contributions grouped by kind), printable.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, PreEscaped};
use serde_json::{json, Value};

use crate::session::Caller;
use crate::{german_date, html, layout, missing_if_bad_id, query, text, PageError, WebState};

const LIST: &str = r#"query Workshops {
  workshops(first: 100) { nodes { id title heldOn format district { name } } }
}"#;

const ONE: &str = r#"query Workshop($id: ID!) {
  workshop(id: $id) {
    title heldOn format organisers descriptionHtml district { name }
    sessions {
      id kind title startsAt endsAt moderators inputs description
      contributions(first: 100) { nodes { kind kindLabel html tags } }
    }
  }
}"#;

fn format_label(f: &str) -> &'static str {
    match f {
        "ONLINE" => "online",
        "IN_PERSON" => "vor Ort",
        "HYBRID" => "hybrid",
        _ => "",
    }
}

pub async fn list(State(state): State<WebState>, caller: Caller) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), LIST, json!({})).await?;
    let workshops = data["workshops"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let content = html! {
        h1 { "Workshops" }
        @if workshops.is_empty() {
            p { "Noch keine Workshops dokumentiert." }
        } @else {
            ul class="plain" {
                @for w in &workshops {
                    li {
                        a href={ "/workshops/" (text(w, "id")) } { (text(w, "title")) }
                        " – " (german_date(text(w, "heldOn"))) ", " (format_label(text(w, "format")))
                        @if let Some(d) = w["district"]["name"].as_str() { ", " (d) }
                    }
                }
            }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, "Workshops", content),
    ))
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    // An address with an ID that is no workshop's is a page that does not exist.
    let data = query(&state, caller.viewer.clone(), ONE, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let w = &data["workshop"];
    if w.is_null() {
        return Err(PageError::NotFound);
    }
    let sessions = w["sessions"].as_array().cloned().unwrap_or_default();
    let agenda: Vec<&Value> = sessions
        .iter()
        .filter(|s| s["kind"] != "THEME_ROOM")
        .collect();
    let rooms: Vec<&Value> = sessions
        .iter()
        .filter(|s| s["kind"] == "THEME_ROOM")
        .collect();
    let names = |v: &Value| -> String {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let time = |s: &Value| match (s["startsAt"].as_str(), s["endsAt"].as_str()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => a.to_owned(),
        _ => String::new(),
    };
    let title = text(w, "title").to_owned();
    let content = html! {
        h1 { (title) }
        p {
            (german_date(text(w, "heldOn"))) ", " (format_label(text(w, "format")))
            @if let Some(d) = w["district"]["name"].as_str() { ", " (d) }
            @let org = names(&w["organisers"]);
            @if !org.is_empty() { ". Veranstaltet von " (org) "." }
        }
        @if let Some(d) = w["descriptionHtml"].as_str() { div { (PreEscaped(d.to_owned())) } }
        @if !agenda.is_empty() {
            h2 { "Programm" }
            div class="table-wrap" tabindex="0" role="region" aria-label="Tabelle (seitlich verschiebbar)" { table class="agenda" {
                caption class="hint" { "Programmpunkte mit Zeit und Moderation" }
                thead { tr { th scope="col" { "Zeit" } th scope="col" { "Programmpunkt" } th scope="col" { "Moderation" } } }
                tbody {
                    @for s in &agenda {
                        tr { td { (time(s)) } td { (text(s, "title")) } td { (names(&s["moderators"])) } }
                    }
                }
            } }
        }
        @for s in sessions.iter() {
            @let contributions = s["contributions"]["nodes"].as_array().cloned().unwrap_or_default();
            @if !contributions.is_empty() || rooms.iter().any(|r| r["id"] == s["id"]) {
                section aria-labelledby={ "s-" (text(s, "id")) } class="contributions" {
                    h2 id={ "s-" (text(s, "id")) } {
                        @if s["kind"] == "THEME_ROOM" { "Themenraum: " }
                        (text(s, "title"))
                    }
                    @let m = names(&s["moderators"]);
                    @if !m.is_empty() || !time(s).is_empty() {
                        p class="hint" { (time(s)) @if !m.is_empty() { " · Moderation: " (m) } }
                    }
                    p class="noprint" { a href={ "/mitschrift/" (text(s, "id")) } { "Live-Mitschrift von „" (text(s, "title")) "“" } }
                    @for (label, group) in group_by_kind(&contributions) {
                        h3 { (label) }
                        ul {
                            @for c in group { li { (PreEscaped(text(c, "html").to_owned())) } }
                        }
                    }
                }
            }
        }
        p class="noprint hint" {
            "Zum Drucken die Druckfunktion des Browsers nutzen: die Seite druckt ohne Navigation."
        }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

/// Contributions grouped by kind, in the order the kinds first appear.
fn group_by_kind(contributions: &[Value]) -> Vec<(String, Vec<&Value>)> {
    let mut groups: Vec<(String, Vec<&Value>)> = Vec::new();
    for c in contributions {
        let label = text(c, "kindLabel").to_owned();
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, g)) => g.push(c),
            None => groups.push((label, vec![c])),
        }
    }
    groups
}
