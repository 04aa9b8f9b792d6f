//! The ministry's monitoring overview (`/monitoring`): the 41 districts in a sortable table with
//! flags, the tile map coloured by a chosen measure, time series since 2021 and what the money
//! pays for. Everyone sees it; position figures about fewer than five positions show as „< 5“
//! to those who may not read the district's data (the API withholds them).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::numbers::{decimal, euro, raw};
use crate::session::Caller;
use crate::state::{tiles, Tile};
use crate::{download, german_date, html, layout, query, text, PageError, WebState};

const STATE: &str = r#"query M($year: Int!) { stateMonitoring(year: $year) {
  year asOf
  totals { allocated spent spentPercent districtsWithPlan positionsWithheld positions { positions plannedFte filledFte vacantFte openFte longVacancies } }
  series { year allocated spent spentPercent positionsWithheld positions { plannedFte filledFte vacantFte } }
  uses { roleLabel pillarName positions fte withheld }
  districts { districtAgs name hasPlan allocated spent spentPercent positionsWithheld
    positions { positions plannedFte filledFte vacantFte longVacancies longestVacancyMonths }
    concept { name adoptedOn reviewDue reviewOverdue } lastReview oldestReferenceDate staleIndicators flags }
} }"#;

pub(crate) const WITHHELD: &str = "< 5";

#[derive(Deserialize, Default)]
pub struct View {
    jahr: Option<i32>,
    #[serde(default)]
    mass: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    richtung: String,
}

/// The last finished year: the one whose figures are complete.
pub(crate) fn default_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year() - 1
}

pub(crate) fn chosen_year(jahr: Option<i32>) -> i32 {
    jahr.unwrap_or_else(default_year)
        .clamp(2021, default_year() + 1)
}

/// Measures the map can be coloured by: query value, label.
const MEASURES: &[(&str, &str)] = &[
    ("abruf", "Abgerufen in Prozent der Zuweisung"),
    ("besetzt", "Besetzte VZÄ in Prozent der geplanten"),
    ("unbesetzt", "Unbesetzte VZÄ"),
    (
        "datenalter",
        "Alter der Daten in Monaten (ältester Stichtag)",
    ),
];

/// The table's sortable columns: key, heading, numeric.
const COLUMNS: &[(&str, &str, bool)] = &[
    ("bezirk", "Bezirk", false),
    ("zugewiesen", "Zugewiesen", true),
    ("abgerufen", "Abgerufen", true),
    ("anteil", "Anteil", true),
    ("geplant", "VZÄ geplant", true),
    ("besetzt", "VZÄ besetzt", true),
    ("unbesetzt", "VZÄ unbesetzt", true),
    ("vakanz", "Längste Vakanz", true),
    ("pruefung", "Überprüfung fällig", false),
    ("stichtag", "Ältester Stichtag", false),
];

pub(crate) fn flag_label(f: &str) -> &'static str {
    match f {
        "NO_PLAN" => "kein offizieller Plan",
        "LOW_SPENDING" => "geringer Mittelabruf",
        "OVERSPENT" => "mehr abgerufen als zugewiesen",
        "LONG_VACANCY" => "lange Vakanz",
        "REVIEW_OVERDUE" => "Überprüfung überfällig",
        "STALE_DATA" => "veraltete Daten",
        _ => "Auffälligkeit",
    }
}

fn num(v: &Value) -> Option<f64> {
    crate::numbers::string_of(v).parse().ok()
}

fn months_since(iso: &str, as_of: &str) -> Option<f64> {
    let d = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok()?;
    let a = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").ok()?;
    Some(((a - d).num_days() as f64 / 30.44).floor())
}

fn measure(d: &Value, which: &str, today: &str) -> Option<f64> {
    let p = &d["positions"];
    match which {
        "besetzt" => {
            let planned = num(&p["plannedFte"])?;
            (planned > 0.0).then(|| num(&p["filledFte"]).unwrap_or(0.0) / planned * 100.0)
        }
        "unbesetzt" => num(&p["vacantFte"]),
        "datenalter" => months_since(text(d, "oldestReferenceDate"), today),
        _ => num(&d["spentPercent"]),
    }
}

fn shown_measure(v: f64, which: &str) -> String {
    match which {
        "unbesetzt" => format!("{} VZÄ", crate::charts::de(v, 2)),
        "datenalter" => format!("{} Monate", crate::charts::de(v, 0)),
        _ => format!("{} %", crate::charts::de(v, 1)),
    }
}

fn sort_key(d: &Value, by: &str) -> (Option<i64>, String) {
    let scaled = |v: Option<f64>| v.map(|x| (x * 100.0).round() as i64);
    let p = &d["positions"];
    match by {
        "zugewiesen" => (scaled(num(&d["allocated"])), String::new()),
        "abgerufen" => (scaled(num(&d["spent"])), String::new()),
        "anteil" => (scaled(num(&d["spentPercent"])), String::new()),
        "geplant" => (scaled(num(&p["plannedFte"])), String::new()),
        "besetzt" => (scaled(num(&p["filledFte"])), String::new()),
        "unbesetzt" => (scaled(num(&p["vacantFte"])), String::new()),
        "vakanz" => (p["longestVacancyMonths"].as_i64(), String::new()),
        "pruefung" => (None, text(&d["concept"], "reviewDue").to_owned()),
        "stichtag" => (None, text(d, "oldestReferenceDate").to_owned()),
        _ => (None, text(d, "name").to_owned()),
    }
}

fn fte(v: &Value) -> String {
    if v.is_null() {
        WITHHELD.into()
    } else {
        decimal(&crate::numbers::string_of(v), 2)
    }
}

pub(crate) fn figures_cell(d: &Value, key: &str) -> String {
    if d["positionsWithheld"] == true {
        WITHHELD.into()
    } else {
        fte(&d["positions"][key])
    }
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Query(view): Query<View>,
) -> Result<Response, PageError> {
    let year = chosen_year(view.jahr);
    let which = if MEASURES.iter().any(|(k, _)| *k == view.mass) {
        view.mass.as_str()
    } else {
        "abruf"
    };
    let by = if COLUMNS.iter().any(|(k, _, _)| *k == view.sort) {
        view.sort.as_str()
    } else {
        "bezirk"
    };
    let descending = view.richtung == "ab";
    let data = query(
        &state,
        caller.viewer.clone(),
        STATE,
        json!({ "year": year }),
    )
    .await?;
    let m = &data["stateMonitoring"];
    let today = chrono::Utc::now().date_naive().to_string();
    let mut districts = m["districts"].as_array().cloned().unwrap_or_default();
    districts.sort_by(|a, b| {
        let (ka, kb) = (sort_key(a, by), sort_key(b, by));
        let o = ka
            .cmp(&kb)
            .then_with(|| text(a, "name").cmp(text(b, "name")));
        if descending {
            o.reverse()
        } else {
            o
        }
    });
    let label = MEASURES
        .iter()
        .find(|(k, _)| *k == which)
        .map_or("", |m| m.1);
    let items: Vec<Tile> = districts
        .iter()
        .map(|d| Tile {
            ags: text(d, "districtAgs").to_owned(),
            name: text(d, "name").to_owned(),
            value: measure(d, which, &today),
        })
        .collect();
    let series = m["series"].as_array().cloned().unwrap_or_default();
    let years: Vec<i32> = series
        .iter()
        .filter_map(|s| s["year"].as_i64())
        .map(|y| y as i32)
        .collect();
    let money = crate::charts::years(
        "geld",
        "Zugewiesen und abgerufen je Jahr",
        "Balken je Jahr: die Summe der offiziellen Pläne und die abgerufenen Mittel.",
        "€",
        &years,
        &[
            (
                "Zugewiesen",
                series.iter().map(|s| num(&s["allocated"])).collect(),
            ),
            (
                "Abgerufen",
                series.iter().map(|s| num(&s["spent"])).collect(),
            ),
        ],
    );
    let staff = crate::charts::years(
        "stellen",
        "Stellen je Jahr in VZÄ",
        "Balken je Jahr: geplante, besetzte und unbesetzte Vollzeitäquivalente.",
        "VZÄ",
        &years,
        &[
            (
                "Geplant",
                series
                    .iter()
                    .map(|s| num(&s["positions"]["plannedFte"]))
                    .collect(),
            ),
            (
                "Besetzt",
                series
                    .iter()
                    .map(|s| num(&s["positions"]["filledFte"]))
                    .collect(),
            ),
            (
                "Unbesetzt",
                series
                    .iter()
                    .map(|s| num(&s["positions"]["vacantFte"]))
                    .collect(),
            ),
        ],
    );
    // A district's own monitoring page for those who may read it, else its public page.
    let link = |ags: &str| {
        if caller.viewer.can_read_private(Some(ags)) {
            format!("/bezirke/{ags}/monitoring?jahr={year}")
        } else {
            format!("/bezirke/{ags}")
        }
    };
    let keep = |sort: &str, richtung: &str| {
        format!("jahr={year}&mass={which}&sort={sort}&richtung={richtung}")
    };
    let t = &m["totals"];
    let flagged = districts
        .iter()
        .filter(|d| d["flags"].as_array().is_some_and(|f| !f.is_empty()))
        .count();
    let mut year_options: Vec<i32> = (2021..=default_year() + 1).collect();
    year_options.reverse();
    let content = html! {
        h1 { "Monitoring " (year) }
        p {
            "Was die 41 Jugendamtsbezirke zugewiesen bekamen und abgerufen haben, welche Stellen geplant und besetzt sind, "
            "wann ihre Konzeptionen überprüft werden und wie aktuell ihre Daten sind. Stand der Stellenangaben: "
            (german_date(text(m, "asOf"))) "."
        }
        form class="filters noprint" method="get" action="/monitoring" {
            div class="field" {
                label for="jahr" { "Jahr" }
                select id="jahr" name="jahr" { @for y in &year_options { option value=(y) selected[*y == year] { (y) } } }
            }
            div class="field" {
                label for="mass" { "Karte färben nach" }
                select id="mass" name="mass" { @for (k, l) in MEASURES { option value=(k) selected[*k == which] { (l) } } }
            }
            input type="hidden" name="sort" value=(by);
            input type="hidden" name="richtung" value=(view.richtung);
            button type="submit" { "Anzeigen" }
        }
        dl class="key-figures" {
            div { dt { "Zugewiesen (offizielle Pläne)" } dd { (euro(&raw(t, "allocated"))) } }
            div { dt { "Abgerufen" } dd { (euro(&raw(t, "spent"))) @if !t["spentPercent"].is_null() { " (" (decimal(&raw(t, "spentPercent"), 1)) " %)" } } }
            @if t["positionsWithheld"] == true {
                div { dt { "Stellen" } dd { (WITHHELD) } }
            } @else {
                div { dt { "VZÄ geplant" } dd { (fte(&t["positions"]["plannedFte"])) } }
                div { dt { "VZÄ besetzt" } dd { (fte(&t["positions"]["filledFte"])) } }
                div { dt { "VZÄ unbesetzt" } dd { (fte(&t["positions"]["vacantFte"])) } }
            }
            div { dt { "Bezirke mit Auffälligkeiten" } dd { (flagged) " von " (districts.len()) } }
        }
        div class="map-and-table" {
            (tiles(&items, &format!("{label}, {year}"), label, &|v| shown_measure(v, which), &link))
        }
        p class="noprint" { "Herunterladen: "
            a href={ "/monitoring/land.xlsx?jahr=" (year) } download { "Übersicht als XLSX" } " · "
            a href={ "/monitoring/land.csv?jahr=" (year) } download { "als CSV" } }
        div class="table-wrap" tabindex="0" role="region" aria-label="Bezirke im Monitoring (seitlich verschiebbar)" id="bezirke" { table {
            caption { "Monitoring " (year) " je Bezirk; die Überschriften sortieren" }
            thead { tr {
                @for (key, heading, numeric) in COLUMNS {
                    @let current = *key == by;
                    @let next = if current && !descending { "ab" } else { "auf" };
                    th scope="col" class=[numeric.then_some("num")]
                        aria-sort=[current.then_some(if descending { "descending" } else { "ascending" })] {
                        a href={ "/monitoring?" (keep(key, next)) "#bezirke" } {
                            (heading)
                            @if current { span class="visually-hidden" { @if descending { " (absteigend sortiert)" } @else { " (aufsteigend sortiert)" } } span aria-hidden="true" { @if descending { " ▼" } @else { " ▲" } } }
                        }
                    }
                }
                th scope="col" { "Auffälligkeiten" }
            } }
            tbody {
                @for d in &districts {
                    tr {
                        th scope="row" { a href=(link(text(d, "districtAgs"))) { (text(d, "name")) } }
                        td class="num" { @if d["hasPlan"] == true { (euro(&raw(d, "allocated"))) } @else { "–" } }
                        td class="num" { (euro(&raw(d, "spent"))) }
                        td class="num" { @if d["spentPercent"].is_null() { "–" } @else { (decimal(&raw(d, "spentPercent"), 1)) " %" } }
                        td class="num" { (figures_cell(d, "plannedFte")) }
                        td class="num" { (figures_cell(d, "filledFte")) }
                        td class="num" { (figures_cell(d, "vacantFte")) }
                        td class="num" {
                            @if d["positionsWithheld"] == true { (WITHHELD) }
                            @else if let Some(mo) = d["positions"]["longestVacancyMonths"].as_i64() { (mo) " Monate" }
                            @else { "–" }
                        }
                        td { @if d["concept"].is_null() { "keine Konzeption" } @else if d["concept"]["reviewDue"].is_null() { "nicht festgelegt" } @else { (german_date(text(&d["concept"], "reviewDue"))) } }
                        td { @if d["oldestReferenceDate"].is_null() { "keine Daten" } @else { (german_date(text(d, "oldestReferenceDate"))) } }
                        td {
                            @let flags = crate::strings(&d["flags"]);
                            @if flags.is_empty() { "–" } @else {
                                ul class="flags" { @for f in &flags { li class="flag" { (flag_label(f)) } } }
                            }
                        }
                    }
                }
            }
        } }
        p class="hint" {
            "Auffällig: ein abgeschlossenes Jahr mit weniger als 80 % Abruf, mehr abgerufen als zugewiesen, eine Stelle seit sechs Monaten oder länger unbesetzt, "
            "eine überfällige Überprüfung der Konzeption, ein Stichtag älter als zwei Jahre. "
            "„" (WITHHELD) "“: Angaben über weniger als fünf Stellen werden nur dem Bezirk, dem Ministerium und der Administration gezeigt."
        }
        h2 { "Im Zeitverlauf" }
        (money)
        (staff)
        h2 { "Wofür das Geld eingesetzt wird" }
        (uses_table(&m["uses"]))
    };
    Ok(html(
        StatusCode::OK,
        layout::wide_page(&caller, &format!("Monitoring {year}"), content),
    ))
}

fn uses_table(uses: &Value) -> Markup {
    let rows = uses.as_array().cloned().unwrap_or_default();
    html! {
        @if rows.is_empty() { p { "Für dieses Jahr sind keine Stellen erfasst." } }
        @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Stellen nach Rolle und Säule (seitlich verschiebbar)" { table {
                caption { "Stellen im ganzen Land nach Rolle und Säule, größte zuerst" }
                thead { tr { th scope="col" { "Rolle" } th scope="col" { "Säule" } th scope="col" class="num" { "Stellen" } th scope="col" class="num" { "VZÄ" } } }
                tbody { @for u in &rows { tr {
                    td { (text(u, "roleLabel")) } td { (text(u, "pillarName")) }
                    td class="num" { @if u["withheld"] == true { (WITHHELD) } @else { (u["positions"]) } }
                    td class="num" { (fte(&u["fte"])) }
                } } }
            } }
        }
    }
}

pub async fn land_file(
    State(state): State<WebState>,
    caller: Caller,
    Path(file): Path<String>,
    Query(view): Query<View>,
) -> Result<Response, PageError> {
    let format = match file.as_str() {
        "land.xlsx" => "XLSX",
        "land.csv" => "CSV",
        _ => return Err(PageError::NotFound),
    };
    let data = query(
        &state,
        caller.viewer.clone(),
        "query F($year: Int!, $format: ExportFormat!) { exportStateMonitoring(year: $year, format: $format) { fileName mediaType contentBase64 } }",
        json!({ "year": chosen_year(view.jahr), "format": format }),
    )
    .await?;
    download::file(&data["exportStateMonitoring"])
}
