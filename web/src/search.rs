//! The search page: results with the matched words marked, facets as filter links with counts,
//! paging, and an empty result that says what to try.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::session::Caller;
use crate::{german_date, html, layout, query, text, PageError, WebState};

const SEARCH: &str = r#"query Suche($q: String!, $after: String, $filter: SearchFilter) {
  search(query: $q, first: 20, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    facets { kind { value count } district { value label count } year { value count } }
    edges {
      titleHighlight highlight
      node {
        __typename
        ... on Contribution { kindLabel session { id title workshop { id title } } }
        ... on RoleProfile { id district { name } }
        ... on StaffingIdea { id district { name } }
        ... on CooperationModel { id title }
        ... on Workshop { id heldOn }
        ... on Kita { city district { name } }
      }
    }
  }
}"#;

/// The address of a search: what was asked and which filters hold.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct Params {
    #[serde(default)]
    q: String,
    /// A kind of record (`ROLE_PROFILE`, …).
    art: Option<String>,
    /// A district's AGS.
    bezirk: Option<String>,
    jahr: Option<i32>,
    /// The cursor to continue after.
    nach: Option<String>,
}

impl Params {
    /// This search with one filter changed (or removed), from the first page.
    fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut p = self.clone();
        p.nach = None;
        match key {
            "art" => p.art = value.map(str::to_owned),
            "bezirk" => p.bezirk = value.map(str::to_owned),
            "jahr" => p.jahr = value.and_then(|v| v.parse().ok()),
            _ => {}
        }
        p.href()
    }

    fn href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("q", self.q.clone())];
        if let Some(a) = &self.art {
            pairs.push(("art", a.clone()));
        }
        if let Some(b) = &self.bezirk {
            pairs.push(("bezirk", b.clone()));
        }
        if let Some(j) = self.jahr {
            pairs.push(("jahr", j.to_string()));
        }
        if let Some(n) = &self.nach {
            pairs.push(("nach", n.clone()));
        }
        format!(
            "/suche?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "CONTRIBUTION" | "Contribution" => "Diskussionsbeitrag",
        "ROLE_PROFILE" | "RoleProfile" => "Aufgabenprofil",
        "STAFFING_IDEA" | "StaffingIdea" => "Idee zur Fachkräftegewinnung",
        "COOPERATION_MODEL" | "CooperationModel" => "Kooperationsmodell",
        "WORKSHOP" | "Workshop" => "Workshop",
        "KITA" | "Kita" => "Kita",
        _ => "Eintrag",
    }
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    let mut filter = json!({});
    if let Some(a) = &params.art {
        filter["kinds"] = json!([a]);
    }
    if let Some(b) = &params.bezirk {
        filter["districtAgs"] = json!(b);
    }
    if let Some(j) = params.jahr {
        filter["year"] = json!(j);
    }
    let vars = json!({ "q": params.q.trim(), "after": params.nach, "filter": filter });
    let data = query(&state, caller.viewer.clone(), SEARCH, vars).await?;
    let s = &data["search"];
    let total = s["totalCount"].as_i64().unwrap_or(0);
    let edges = s["edges"].as_array().cloned().unwrap_or_default();
    let asked = !params.q.trim().is_empty();
    let title = if asked {
        format!("Suche nach „{}“", params.q.trim())
    } else {
        "Suche".to_owned()
    };
    let content = html! {
        h1 { (title) }
        (layout::search_form(params.q.trim()))
        div class="layout" {
            (facets(&params, &s["facets"]))
            section aria-labelledby="treffer" {
                h2 id="treffer" {
                    @if total == 1 { "1 Treffer" } @else { (total) " Treffer" }
                    @if !asked { " (die neuesten Einträge)" }
                }
                @if edges.is_empty() {
                    (nothing_found(&params))
                } @else {
                    ol class="results" {
                        @for e in &edges { li { (hit(e)) } }
                    }
                }
                @if s["pageInfo"]["hasNextPage"] == true {
                    nav class="pager" aria-label="Weitere Treffer" {
                        a href=(Params { nach: s["pageInfo"]["endCursor"].as_str().map(str::to_owned), ..params.clone() }.href()) {
                            "Weitere Treffer"
                        }
                    }
                }
            }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

fn hit(e: &Value) -> Markup {
    let node = &e["node"];
    let kind = text(node, "__typename");
    let href = match kind {
        "Workshop" => Some(format!("/workshops/{}", text(node, "id"))),
        "Contribution" => Some(format!(
            "/workshops/{}#s-{}",
            text(&node["session"]["workshop"], "id"),
            text(&node["session"], "id")
        )),
        "RoleProfile" => Some(format!("/profile/{}", text(node, "id"))),
        "StaffingIdea" => Some(format!("/ideen/{}", text(node, "id"))),
        "CooperationModel" => Some(format!("/kooperationen/{}", text(node, "id"))),
        _ => None,
    };
    let context = match kind {
        "Contribution" => format!(
            "{} – {}, {}",
            text(node, "kindLabel"),
            text(&node["session"]["workshop"], "title"),
            text(&node["session"], "title")
        ),
        "Workshop" => format!("Workshop vom {}", german_date(text(node, "heldOn"))),
        "Kita" => format!(
            "Kita in {}, {}",
            text(node, "city"),
            text(&node["district"], "name")
        ),
        _ => match node["district"]["name"].as_str() {
            Some(d) => format!("{} – {d}", kind_label(kind)),
            None => kind_label(kind).to_owned(),
        },
    };
    // The server writes both with the matched words in <mark> and everything else escaped.
    // A contribution has no title of its own: it is named by its kind and session.
    let title = match text(e, "titleHighlight") {
        "" if kind == "Contribution" => PreEscaped(
            maud::html! { (text(node, "kindLabel")) " in „" (text(&node["session"], "title")) "“" }
                .into_string(),
        ),
        t => PreEscaped(t.to_owned()),
    };
    html! {
        p class="kind" { (context) }
        h3 {
            @if let Some(h) = href { a href=(h) { (title) } } @else { (title) }
        }
        @if !text(e, "highlight").is_empty() {
            p { (PreEscaped(text(e, "highlight").to_owned())) }
        }
    }
}

fn facets(params: &Params, f: &Value) -> Markup {
    let group = |heading: &str, key: &str, items: &Value, current: Option<String>| {
        let items = items.as_array().cloned().unwrap_or_default();
        html! {
            @if !items.is_empty() {
                h3 { (heading) }
                ul {
                    @if current.is_some() {
                        li { a href=(params.with(key, None)) { "alle" } }
                    }
                    @for i in &items {
                        @let value = text(i, "value");
                        @let label = match key {
                            "art" => kind_label(value).to_owned(),
                            _ => i["label"].as_str().unwrap_or(value).to_owned(),
                        };
                        li {
                            @if current.as_deref() == Some(value) {
                                a href=(params.with(key, Some(value))) aria-current="true" { (label) }
                            } @else {
                                a href=(params.with(key, Some(value))) { (label) }
                            }
                            " (" (i["count"]) ")"
                        }
                    }
                }
            }
        }
    };
    html! {
        nav class="facets" aria-label="Treffer eingrenzen" {
            h2 class="noprint" { "Eingrenzen" }
            (group("Art", "art", &f["kind"], params.art.clone()))
            (group("Bezirk", "bezirk", &f["district"], params.bezirk.clone()))
            (group("Jahr", "jahr", &f["year"], params.jahr.map(|j| j.to_string())))
        }
    }
}

fn nothing_found(params: &Params) -> Markup {
    html! {
        p { "Nichts gefunden." }
        ul {
            li { "Prüfen Sie die Schreibweise; ein Tippfehler ab fünf Buchstaben wird verziehen." }
            li { "Versuchen Sie ein allgemeineres Wort („Fachkräfte“ statt „Fachkräftegewinnungsstrategie“) oder die Abkürzung („KiSa“, „SRB“, „IKF“)." }
            @if params.art.is_some() || params.bezirk.is_some() || params.jahr.is_some() {
                li { a href=(Params { q: params.q.clone(), ..Default::default() }.href()) { "Ohne Einschränkungen suchen" } }
            }
        }
    }
}
