//! A district's page: its Kitas (filtered and sorted on the server, so it works without
//! JavaScript), social spaces, concepts, official plans and runs, and how current its data is.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::numbers::{euro, raw};
use crate::session::Caller;
use crate::{german_date, german_day, html, layout, query, text, PageError, WebState};

const DISTRICT: &str = r#"query Bezirk($ags: String!) {
  district(ags: $ags) {
    ags name kind population
    socialSpaces { id name }
    providers { id name }
  }
  concepts(districtAgs: $ags) { id name status decidedOn validFrom validTo }
  allocationRuns(districtAgs: $ags) { id year official allocated budget createdAt concept { id name } }
  indicatorCurrency(districtAgs: $ags) {
    indicator { key label stateWide } latestYear latestReferenceDate values stale
  }
}"#;

const KITAS: &str = r#"query BezirkKitas($ags: String!, $filter: KitaFilter, $after: String) {
  district(ags: $ags) {
    kitas(filter: $filter, first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id name city places placesUnder3 familyCenter tags provider { name } socialSpace { name } }
    }
  }
}"#;

/// The filter and order of the Kita table, from the query string.
#[derive(Debug, Default, Deserialize)]
pub struct KitaView {
    #[serde(default)]
    pub suche: String,
    #[serde(default)]
    pub sozialraum: String,
    #[serde(default)]
    pub traeger: String,
    #[serde(default)]
    pub familienzentrum: String,
    #[serde(default)]
    pub sortierung: String,
    #[serde(default)]
    pub richtung: String,
}

impl KitaView {
    /// The API's `KitaFilter` of the page's choices.
    fn filter(&self) -> Value {
        let mut filter = json!({});
        if !self.suche.trim().is_empty() {
            filter["nameContains"] = json!(self.suche.trim());
        }
        if !self.sozialraum.is_empty() {
            filter["socialSpaceId"] = json!(self.sozialraum);
        }
        if !self.traeger.is_empty() {
            filter["providerId"] = json!(self.traeger);
        }
        if self.familienzentrum == "ja" {
            filter["familyCenter"] = json!(true);
        }
        filter
    }
}

/// The latest data year of the district's own indicators (`indicatorCurrency` with
/// `indicator { stateWide } latestYear`), if any has values.
pub fn latest_data_year(currency: &Value) -> Option<i64> {
    currency
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["indicator"]["stateWide"].as_bool() != Some(true))
        .filter_map(|c| c["latestYear"].as_i64())
        .max()
}

pub const KINDS: &[(&str, &str)] = &[
    ("LANDKREIS", "Landkreis"),
    ("KREISFREIE_STADT", "Kreisfreie Stadt"),
    (
        "GROSSE_KREISANGEHOERIGE_STADT",
        "Große kreisangehörige Stadt",
    ),
];

pub const STATUS: &[(&str, &str)] = &[
    ("DRAFT", "Entwurf"),
    ("DECIDED", "beschlossen"),
    ("ARCHIVED", "archiviert"),
];

/// Every Kita of the district that passes the filter (the API pages by 100).
pub async fn all_kitas(
    state: &WebState,
    caller: &Caller,
    ags: &str,
    filter: Value,
) -> Result<Vec<Value>, PageError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = query(
            state,
            caller.viewer.clone(),
            KITAS,
            json!({ "ags": ags, "filter": filter, "after": after }),
        )
        .await?;
        let conn = &data["district"]["kitas"];
        out.extend(conn["nodes"].as_array().cloned().unwrap_or_default());
        if conn["pageInfo"]["hasNextPage"].as_bool() != Some(true) {
            return Ok(out);
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// The sortable columns: query value, heading.
const COLUMNS: &[(&str, &str)] = &[
    ("name", "Kita"),
    ("plaetze", "Plätze"),
    ("u3", "davon unter 3"),
    ("traeger", "Träger"),
    ("sozialraum", "Sozialraum"),
];

fn sort_kitas(kitas: &mut [Value], by: &str, descending: bool) {
    let name = |k: &Value| text(k, "name").to_lowercase();
    kitas.sort_by(|a, b| {
        let order = match by {
            "plaetze" => a["places"].as_i64().cmp(&b["places"].as_i64()),
            "u3" => a["placesUnder3"].as_i64().cmp(&b["placesUnder3"].as_i64()),
            "traeger" => text(&a["provider"], "name").cmp(text(&b["provider"], "name")),
            "sozialraum" => text(&a["socialSpace"], "name").cmp(text(&b["socialSpace"], "name")),
            _ => std::cmp::Ordering::Equal,
        }
        .then_with(|| name(a).cmp(&name(b)));
        if descending {
            order.reverse()
        } else {
            order
        }
    });
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    Query(view): Query<KitaView>,
) -> Result<Response, PageError> {
    let data = query(
        &state,
        caller.viewer.clone(),
        DISTRICT,
        json!({ "ags": ags }),
    )
    .await?;
    let d = &data["district"];
    if d.is_null() {
        return Err(PageError::NotFound);
    }
    let mut kitas = all_kitas(&state, &caller, &ags, view.filter()).await?;
    let by = if COLUMNS.iter().any(|(k, _)| *k == view.sortierung) {
        view.sortierung.as_str()
    } else {
        "name"
    };
    let descending = view.richtung == "ab";
    sort_kitas(&mut kitas, by, descending);

    let name = text(d, "name").to_owned();
    let writer = caller.viewer.can_write_district(&ags);
    let content = html! {
        p class="kind" { (crate::profiles::label(KINDS, text(d, "kind"))) " · AGS " (ags) }
        h1 { (name) }
        @if let Some(p) = d["population"].as_i64() {
            p class="hint" { "Einwohnerinnen und Einwohner: " (crate::numbers::decimal(&p.to_string(), 0)) }
        }
        @if writer {
            div class="actions" {
                a class="button" href={ "/bezirke/" (ags) "/import" } { "Indikatorwerte importieren" }
            }
        }
        nav aria-label="Abschnitte" {
            ul class="plain inline-list" {
                li { a href="#plaene" { "Pläne und Läufe" } }
                li { a href="#konzeptionen" { "Konzeptionen" } }
                li { a href="#daten" { "Wie aktuell die Daten sind" } }
                li { a href="#kitas" { "Kitas" } }
                li { a href="#sozialraeume" { "Sozialräume" } }
            }
        }
        (runs(&data["allocationRuns"]))
        (concepts(&data["concepts"], writer))
        (currency(&data["indicatorCurrency"]))
        (kita_table(&ags, d, &kitas, &view, by, descending))
        h2 id="sozialraeume" { "Sozialräume" }
        @let spaces = d["socialSpaces"].as_array().cloned().unwrap_or_default();
        @if spaces.is_empty() { p { "Der Bezirk hat keine Sozialräume angelegt." } }
        @else {
            ul class="columns" { @for s in &spaces { li { (text(s, "name")) } } }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &name, content)))
}

fn runs(runs: &Value) -> Markup {
    let list = runs.as_array().cloned().unwrap_or_default();
    html! {
        h2 id="plaene" { "Pläne und Läufe" }
        @if list.is_empty() { p { "Noch keine Läufe, die Sie sehen dürfen." } }
        @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Läufe (seitlich verschiebbar)" { table {
                caption { "Läufe, neueste zuerst; der offizielle Plan eines Jahres ist markiert" }
                thead { tr {
                    th scope="col" { "Jahr" } th scope="col" { "Lauf" } th scope="col" { "Konzeption" }
                    th scope="col" class="num" { "Verteilt" } th scope="col" { "Gerechnet am" }
                } }
                tbody {
                    @for r in &list {
                        tr {
                            td { (r["year"]) }
                            td {
                                a href={ "/laeufe/" (text(r, "id")) } {
                                    @if r["official"].as_bool() == Some(true) { "Offizieller Plan " (r["year"]) } @else { "Lauf vom " (german_day(r, "createdAt")) }
                                }
                            }
                            td { (text(&r["concept"], "name")) }
                            td class="num" { (euro(&raw(r, "allocated"))) }
                            td { (german_day(r, "createdAt")) }
                        }
                    }
                }
            } }
        }
    }
}

fn concepts(list: &Value, writer: bool) -> Markup {
    let list = list.as_array().cloned().unwrap_or_default();
    html! {
        h2 id="konzeptionen" { "Konzeptionen" }
        @if list.is_empty() { p { "Keine Konzeption, die Sie sehen dürfen." } }
        @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Konzeptionen (seitlich verschiebbar)" { table {
                caption { "Konzeptionen des Bezirks" }
                thead { tr { th scope="col" { "Konzeption" } th scope="col" { "Stand" } th scope="col" { "Beschluss" } th scope="col" { "Gültig" } } }
                tbody {
                    @for c in &list {
                        tr {
                            td { a href={ "/konzeptionen/" (text(c, "id")) } { (text(c, "name")) } }
                            td { (crate::profiles::label(STATUS, text(c, "status"))) }
                            td { (c["decidedOn"].as_str().map(german_date).unwrap_or_else(|| "–".into())) }
                            td { (validity(c)) }
                        }
                    }
                }
            } }
        }
        @if writer { p class="hint" { "Beschlossene Konzeptionen sind unveränderlich; kopieren Sie sie als Entwurf, um sie weiterzuentwickeln." } }
    }
}

fn validity(c: &Value) -> String {
    match (c["validFrom"].as_i64(), c["validTo"].as_i64()) {
        (Some(a), Some(b)) => format!("{a} bis {b}"),
        (Some(a), None) => format!("ab {a}"),
        (None, Some(b)) => format!("bis {b}"),
        (None, None) => "–".into(),
    }
}

fn currency(list: &Value) -> Markup {
    let list = list.as_array().cloned().unwrap_or_default();
    let stale = list
        .iter()
        .filter(|c| c["stale"].as_bool() == Some(true))
        .count();
    html! {
        h2 id="daten" { "Wie aktuell die Daten sind" }
        p {
            "Je Indikator das neueste Datenjahr und sein Stichtag. Liegt der Stichtag mehr als zwei Jahre zurück, gilt der Wert als veraltet. "
            @if stale == 0 { "Alle Indikatoren sind aktuell." }
            @else { strong { (stale) " von " (list.len()) " Indikatoren sind veraltet oder ohne Werte." } }
        }
        div class="table-wrap" tabindex="0" role="region" aria-label="Datenstand (seitlich verschiebbar)" { table {
            caption { "Datenstand je Indikator" }
            thead { tr { th scope="col" { "Indikator" } th scope="col" { "Datenjahr" } th scope="col" { "Stichtag" } th scope="col" class="num" { "Werte" } th scope="col" { "Stand" } } }
            tbody {
                @for c in &list {
                    tr {
                        td { (text(&c["indicator"], "label")) @if c["indicator"]["stateWide"].as_bool() == Some(true) { " (landesweit)" } }
                        td { (c["latestYear"].as_i64().map(|y| y.to_string()).unwrap_or_else(|| "–".into())) }
                        td { (c["latestReferenceDate"].as_str().map(german_date).unwrap_or_else(|| "–".into())) }
                        td class="num" { (c["values"]) }
                        td {
                            @if c["stale"].as_bool() == Some(true) {
                                span class="badge warn" { @if c["latestYear"].is_null() { "keine Werte" } @else { "veraltet" } }
                            } @else { "aktuell" }
                        }
                    }
                }
            }
        } }
    }
}

fn kita_table(
    ags: &str,
    d: &Value,
    kitas: &[Value],
    view: &KitaView,
    by: &str,
    descending: bool,
) -> Markup {
    let spaces = d["socialSpaces"].as_array().cloned().unwrap_or_default();
    let providers = d["providers"].as_array().cloned().unwrap_or_default();
    let base = format!("/bezirke/{ags}");
    // The current filter, for the sort links and downloads.
    let keep = |sort: &str, dir: &str| {
        let mut q = vec![
            ("suche", view.suche.as_str()),
            ("sozialraum", view.sozialraum.as_str()),
            ("traeger", view.traeger.as_str()),
            ("familienzentrum", view.familienzentrum.as_str()),
        ];
        q.retain(|(_, v)| !v.is_empty());
        if !sort.is_empty() {
            q.push(("sortierung", sort));
            q.push(("richtung", dir));
        }
        serde_urlencoded::to_string(q).unwrap_or_default()
    };
    let places: i64 = kitas.iter().filter_map(|k| k["places"].as_i64()).sum();
    html! {
        h2 id="kitas" { "Kitas" }
        form class="filters noprint" method="get" action={ (base) "#kitas" } {
            div class="field" {
                label for="suche" { "Name enthält" }
                input type="search" id="suche" name="suche" value=(view.suche);
            }
            div class="field" {
                label for="sozialraum" { "Sozialraum" }
                select id="sozialraum" name="sozialraum" {
                    option value="" { "alle" }
                    @for s in &spaces { option value=(text(s, "id")) selected[text(s, "id") == view.sozialraum] { (text(s, "name")) } }
                }
            }
            div class="field" {
                label for="traeger" { "Träger" }
                select id="traeger" name="traeger" {
                    option value="" { "alle" }
                    @for p in &providers { option value=(text(p, "id")) selected[text(p, "id") == view.traeger] { (text(p, "name")) } }
                }
            }
            div class="field check" {
                input type="checkbox" id="familienzentrum" name="familienzentrum" value="ja" checked[view.familienzentrum == "ja"];
                label for="familienzentrum" { "nur Familienzentren" }
            }
            button type="submit" { "Anzeigen" }
        }
        p role="status" { (kitas.len()) " Kitas mit " (crate::numbers::decimal(&places.to_string(), 0)) " Plätzen." }
        p class="noprint" {
            "Herunterladen: "
            a href={ (base) "/kitas.xlsx?" (keep("", "")) } download { "Tabelle als XLSX" } " · "
            a href={ (base) "/kitas.csv?" (keep("", "")) } download { "als CSV" }
        }
        div class="table-wrap" tabindex="0" role="region" aria-label="Kitas (seitlich verschiebbar)" { table {
            caption { "Kitas des Bezirks; die Überschriften sortieren" }
            thead { tr {
                @for (key, heading) in COLUMNS {
                    @let current = *key == by;
                    @let next = if current && !descending { "ab" } else { "auf" };
                    th scope="col" class=[(*key == "plaetze" || *key == "u3").then_some("num")]
                        aria-sort=[current.then_some(if descending { "descending" } else { "ascending" })] {
                        a href={ (base) "?" (keep(key, next)) "#kitas" } {
                            (heading)
                            @if current { span class="visually-hidden" { @if descending { " (absteigend sortiert)" } @else { " (aufsteigend sortiert)" } } span aria-hidden="true" { @if descending { " ▼" } @else { " ▲" } } }
                        }
                    }
                }
                th scope="col" { "Merkmale" }
            } }
            tbody {
                @for k in kitas {
                    tr {
                        td { (text(k, "name")) @if let Some(c) = k["city"].as_str() { span class="hint" { ", " (c) } } }
                        td class="num" { (k["places"]) }
                        td class="num" { (k["placesUnder3"]) }
                        td { (k["provider"]["name"].as_str().unwrap_or("–")) }
                        td { (k["socialSpace"]["name"].as_str().unwrap_or("–")) }
                        td { (flags(k)) }
                    }
                }
            }
        } }
    }
}

fn flags(k: &Value) -> String {
    let mut f: Vec<String> = Vec::new();
    if k["familyCenter"].as_bool() == Some(true) {
        f.push("Familienzentrum".into());
    }
    f.extend(crate::strings(&k["tags"]));
    if f.is_empty() {
        "–".into()
    } else {
        f.join(", ")
    }
}

/// The Kita table as a download: the page's filter, by name.
pub async fn download(
    State(state): State<WebState>,
    caller: Caller,
    Path((ags, file)): Path<(String, String)>,
    Query(view): Query<KitaView>,
) -> Result<Response, PageError> {
    let format = match file.as_str() {
        "kitas.xlsx" => "XLSX",
        "kitas.csv" => "CSV",
        _ => return Err(PageError::NotFound),
    };
    let filter = view.filter();
    let data = query(
        &state,
        caller.viewer.clone(),
        "query K($ags: String!, $filter: KitaFilter, $format: ExportFormat!) { exportKitas(districtAgs: $ags, filter: $filter, format: $format) { fileName mediaType contentBase64 } }",
        json!({ "ags": ags, "filter": filter, "format": format }),
    )
    .await?;
    crate::download::file(&data["exportKitas"])
}
