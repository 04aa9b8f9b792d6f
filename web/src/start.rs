//! The start page: what the platform is, a search field, the newest workshops, profiles and
//! ideas, the 41 districts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde_json::json;

use crate::session::Caller;
use crate::{german_date, html, layout, query, text, PageError, WebState};

const START: &str = r#"query Start {
  workshops(first: 5) { nodes { id title heldOn district { name } } }
  roleProfiles(first: 5) { nodes { id title roleLabel district { name } } }
  staffingIdeas(first: 5) { nodes { id title district { name } } }
  districts { ags name kind }
}"#;

pub async fn page(State(state): State<WebState>, caller: Caller) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), START, json!({})).await?;
    let list = |key: &str| data[key]["nodes"].as_array().cloned().unwrap_or_default();
    let (workshops, profiles, ideas) = (
        list("workshops"),
        list("roleProfiles"),
        list("staffingIdeas"),
    );
    let districts = data["districts"].as_array().cloned().unwrap_or_default();
    let content = html! {
        h1 { "Sozialraumbudget in Rheinland-Pfalz: planen, erklären, voneinander lernen" }
        p {
            "Die 41 Jugendamtsbezirke verteilen das Sozialraumbudget des Landes an ihre Kitas. "
            "Hier finden Sie, was Bezirke dabei gelernt haben: die Dokumentation von Workshops "
            "wie „Zwischenbilanz II“, Aufgabenprofile der Kita-Sozialarbeit, Ideen zur "
            "Fachkräftegewinnung und Modelle der Trägerkooperation."
        }
        (layout::search_form(""))
        section aria-labelledby="neue-workshops" {
            h2 id="neue-workshops" { "Workshops" }
            @if workshops.is_empty() {
                p class="hint" { "Noch keine Workshops dokumentiert." }
            } @else {
                ul class="plain" {
                    @for w in &workshops {
                        li {
                            a href={ "/workshops/" (text(w, "id")) } { (text(w, "title")) }
                            " – " (german_date(text(w, "heldOn")))
                            @if let Some(d) = w["district"]["name"].as_str() { ", " (d) }
                        }
                    }
                }
                p { a href="/workshops" { "Alle Workshops" } }
            }
        }
        section aria-labelledby="neue-profile" {
            h2 id="neue-profile" { "Aufgabenprofile" }
            ul class="plain" {
                @for p in &profiles {
                    li {
                        (text(p, "title"))
                        @if let Some(d) = p["district"]["name"].as_str() { " – " (d) }
                    }
                }
            }
        }
        section aria-labelledby="neue-ideen" {
            h2 id="neue-ideen" { "Ideen zur Fachkräftegewinnung" }
            ul class="plain" {
                @for i in &ideas {
                    li {
                        (text(i, "title"))
                        @if let Some(d) = i["district"]["name"].as_str() { " – " (d) }
                    }
                }
            }
        }
        section aria-labelledby="bezirke" {
            h2 id="bezirke" { "Die 41 Jugendamtsbezirke" }
            ul class="columns" {
                @for d in &districts {
                    li { a href={ "/suche?bezirk=" (text(d, "ags")) } { (text(d, "name")) } }
                }
            }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, "Start", content),
    ))
}
