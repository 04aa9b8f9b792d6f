//! Staffing ideas (Fachkräftegewinnung) and cooperation models (Trägerkooperation): lists and
//! detail pages. For a cooperation model, who employs, who supervises and who pays, as a table.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use serde_json::{json, Value};

use crate::profiles::{label, EMPLOYERS};
use crate::session::Caller;
use crate::{
    german_day, html, layout, missing_if_bad_id, query, strings, text, PageError, WebState,
};

const CATEGORIES: &[(&str, &str)] = &[
    ("GEWINNEN", "Gewinnen"),
    ("HALTEN", "Halten"),
    ("QUALIFIZIEREN", "Qualifizieren"),
    ("BINNENDIFFERENZIERUNG", "Binnendifferenzierung"),
    ("ARBEITSZEIT", "Arbeitszeit"),
];

const IDEAS: &str = r#"query Ideen {
  staffingIdeas(first: 100) { nodes { id title category updatedAt district { name } } }
}"#;

const IDEA: &str = r#"query Idee($id: ID!) {
  staffingIdea(id: $id) { title category measureHtml context evidence tags updatedAt district { name } }
}"#;

const MODELS: &str = r#"query Kooperationen {
  cooperationModels(first: 100) { nodes { id title employer updatedAt district { name } } }
}"#;

const MODEL: &str = r#"query Kooperation($id: ID!) {
  cooperationModel(id: $id) {
    title descriptionHtml employer employerNote lineSupervision professionalSupervision
    personnelCosts { payer percent } materialCosts { payer percent }
    agreements { parties subject } advantages risks tags updatedAt district { name }
  }
}"#;

fn day(v: &Value) -> String {
    german_day(v, "updatedAt")
}

pub async fn ideas(State(state): State<WebState>, caller: Caller) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), IDEAS, json!({})).await?;
    let nodes = data["staffingIdeas"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let content = html! {
        h1 { "Ideen zur Fachkräftegewinnung" }
        p { "Wie Bezirke Fachkräfte für die Stellen des Sozialraumbudgets gewinnen, halten und qualifizieren." }
        @if nodes.is_empty() { p { "Noch keine Ideen." } }
        @for (value, name) in CATEGORIES {
            @let group: Vec<&Value> = nodes.iter().filter(|n| text(n, "category") == *value).collect();
            @if !group.is_empty() {
                h2 { (name) }
                ul class="plain" {
                    @for n in group {
                        li { a href={ "/ideen/" (text(n, "id")) } { (text(n, "title")) }
                            " – " (n["district"]["name"].as_str().unwrap_or("landesweit")) ", " (day(n)) }
                    }
                }
            }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, "Ideen", content),
    ))
}

pub async fn idea(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), IDEA, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let i = &data["staffingIdea"];
    let title = text(i, "title").to_owned();
    let content = html! {
        p class="kind" { "Idee · " (label(CATEGORIES, text(i, "category"))) }
        h1 { (title) }
        p class="hint" { (i["district"]["name"].as_str().unwrap_or("landesweit")) ", zuletzt geändert am " (day(i)) }
        h2 { "Maßnahme" }
        div class="prose" { (PreEscaped(text(i, "measureHtml").to_owned())) }
        @if let Some(c) = i["context"].as_str() { h2 { "Ausgangslage" } p { (c) } }
        @if let Some(e) = i["evidence"].as_str() { h2 { "Erfahrungen" } p { (e) } }
        @let tags = strings(&i["tags"]);
        @if !tags.is_empty() { p { "Schlagwörter: " (tags.join(", ")) } }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

pub async fn models(State(state): State<WebState>, caller: Caller) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), MODELS, json!({})).await?;
    let nodes = data["cooperationModels"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let content = html! {
        h1 { "Modelle der Trägerkooperation" }
        p { "Wer anstellt, wer die Aufsicht hat und wer zahlt, wenn Jugendamt und Träger eine Stelle gemeinsam tragen." }
        @if nodes.is_empty() { p { "Noch keine Modelle." } }
        @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Tabelle (seitlich verschiebbar)" { table {
                caption class="visually-hidden" { "Kooperationsmodelle" }
                thead { tr { th scope="col" { "Modell" } th scope="col" { "Anstellung" } th scope="col" { "Bezirk" } th scope="col" { "Geändert" } } }
                tbody {
                    @for n in &nodes {
                        tr {
                            td { a href={ "/kooperationen/" (text(n, "id")) } { (text(n, "title")) } }
                            td { (n["employer"].as_str().map(|e| label(EMPLOYERS, e)).unwrap_or("–")) }
                            td { (n["district"]["name"].as_str().unwrap_or("landesweit")) }
                            td { (day(n)) }
                        }
                    }
                }
            } }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, "Kooperationen", content),
    ))
}

fn shares(v: &Value) -> Markup {
    let items = v.as_array().cloned().unwrap_or_default();
    html! {
        @if items.is_empty() { "nicht festgelegt" }
        @else {
            ul class="plain" {
                @for s in &items {
                    li { (text(s, "payer"))
                        @if let Some(p) = s["percent"].as_str() { ": " (p.replace('.', ",")) " %" } }
                }
            }
        }
    }
}

pub async fn model(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), MODEL, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let m = &data["cooperationModel"];
    let title = text(m, "title").to_owned();
    let or_dash = |k: &str| m[k].as_str().unwrap_or("nicht festgelegt").to_owned();
    let agreements = m["agreements"].as_array().cloned().unwrap_or_default();
    let content = html! {
        p class="kind" { "Kooperationsmodell" }
        h1 { (title) }
        p class="hint" { (m["district"]["name"].as_str().unwrap_or("landesweit")) ", zuletzt geändert am " (day(m)) }
        @if let Some(d) = m["descriptionHtml"].as_str() { div class="prose" { (PreEscaped(d.to_owned())) } }
        h2 { "Wer was trägt" }
        div class="table-wrap" tabindex="0" role="region" aria-label="Tabelle (seitlich verschiebbar)" { table class="roles" {
            caption class="visually-hidden" { "Anstellung, Aufsicht und Kosten" }
            tbody {
                tr { th scope="row" { "Anstellung" } td {
                    (m["employer"].as_str().map(|e| label(EMPLOYERS, e)).unwrap_or("nicht festgelegt"))
                    @if let Some(n) = m["employerNote"].as_str() { br; span class="hint" { (n) } }
                } }
                tr { th scope="row" { "Dienstaufsicht" } td { (or_dash("lineSupervision")) } }
                tr { th scope="row" { "Fachaufsicht" } td { (or_dash("professionalSupervision")) } }
                tr { th scope="row" { "Personalkosten" } td { (shares(&m["personnelCosts"])) } }
                tr { th scope="row" { "Sachkosten" } td { (shares(&m["materialCosts"])) } }
            }
        } }
        @if !agreements.is_empty() {
            h2 { "Vereinbarungen" }
            ul { @for a in &agreements { li { (strings(&a["parties"]).join(" und ")) ": " (text(a, "subject")) } } }
        }
        @let adv = strings(&m["advantages"]);
        @if !adv.is_empty() { h2 { "Vorteile" } ul { @for a in &adv { li { (a) } } } }
        @let risks = strings(&m["risks"]);
        @if !risks.is_empty() { h2 { "Risiken" } ul { @for r in &risks { li { (r) } } } }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}
