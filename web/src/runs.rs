//! A run (Lauf) of a concept: totals per pillar, the distribution measures, charts, every
//! Kita's amount, and per Kita the explanation a Kita leader can follow; the committee paper
//! as a print view; downloads as XLSX and CSV.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::charts;
use crate::forms::Form;
use crate::numbers::{decimal, euro, percent, raw, signed_euro};
use crate::session::Caller;
use crate::{
    german_date, german_day, html, layout, missing_if_bad_id, mutate, query, text, PageError,
    WebState,
};

pub const RUN: &str = r#"query Lauf($id: ID!) {
  allocationRun(id: $id) {
    id year budget allocated leftover landAmount districtShare traegerShare inputHash engineVersion
    createdAt official previousRunId
    district { ags name }
    concept { id name status decidedOn document }
    pillars { id name budget received allocated leftover fte weeklyHours }
    measures { kitasReached kitasTotal placesReached placesTotal giniPerPlace shareToTopQuarter needCorrelation }
    kitas { kitaId name places shownNeedIndex needIndex rank rankedKitas amount fte previousAmount change pillars { pillarId amount } }
  }
}"#;

const EXPLAIN: &str = r#"query Erklaerung($id: ID!) {
  allocationRun(id: $id) {
    id year official district { ags name } concept { name }
    pillars { id name }
    kitas {
      kitaId name places needIndex shownNeedIndex rank rankedKitas amount fte previousAmount change
      pillars { pillarId pillarName eligible reason capped floored phased amount fte weeklyHours previousAmount }
      indexTerms { indicator label weight normalization moreIsNeed shownValue contribution shownContribution imputed }
    }
  }
}"#;

/// The need index with three decimals, or what the API shows instead („< 5“, none).
pub fn shown_index(k: &Value) -> String {
    match k["needIndex"].as_str() {
        Some(ix) => decimal(ix, 3),
        None => k["shownNeedIndex"].as_str().unwrap_or("–").to_owned(),
    }
}

pub fn run_title(r: &Value) -> String {
    if r["official"].as_bool() == Some(true) {
        format!(
            "Offizieller Plan {}: {}",
            r["year"],
            text(&r["district"], "name")
        )
    } else {
        format!(
            "Lauf {} vom {}: {}",
            r["year"],
            german_day(r, "createdAt"),
            text(&r["district"], "name")
        )
    }
}

async fn load(state: &WebState, caller: &Caller, id: &str) -> Result<Value, PageError> {
    let data = query(state, caller.viewer.clone(), RUN, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let r = data["allocationRun"].clone();
    if r.is_null() {
        return Err(PageError::NotFound);
    }
    Ok(r)
}

fn f(v: &Value, key: &str) -> f64 {
    raw(v, key).parse().unwrap_or(0.0)
}

/// The charts of a run: pillar split, Lorenz curve, need against euros per place, change.
pub fn run_charts(r: &Value) -> Markup {
    let pillars: Vec<(String, f64)> = r["pillars"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (text(p, "name").to_owned(), f(p, "allocated")))
        .collect();
    let kitas = r["kitas"].as_array().cloned().unwrap_or_default();
    let per_place: Vec<(f64, f64)> = kitas
        .iter()
        .map(|k| (k["places"].as_f64().unwrap_or(0.0), f(k, "amount")))
        .collect();
    let scatter: Vec<(String, f64, f64)> = kitas
        .iter()
        .filter_map(|k| {
            let index: f64 = raw(k, "needIndex").parse().ok()?;
            let places = k["places"].as_f64().filter(|p| *p > 0.0)?;
            Some((text(k, "name").to_owned(), index, f(k, "amount") / places))
        })
        .collect();
    let changes: Vec<(String, f64)> = kitas
        .iter()
        .filter(|k| !k["change"].is_null())
        .map(|k| (text(k, "name").to_owned(), f(k, "change")))
        .collect();
    let largest = pillars.iter().cloned().max_by(|a, b| a.1.total_cmp(&b.1));
    html! {
        (charts::bars("saeulen", "Aufteilung auf die Säulen", &largest.map(|(n, _)| format!("Den größten Teil erhält die Säule „{n}“.")).unwrap_or_default(), "€", &pillars))
        (charts::lorenz(&per_place))
        (charts::need_scatter(&scatter))
        @if !changes.is_empty() { (charts::changes(&changes)) }
    }
}

fn totals(r: &Value) -> Markup {
    let pillars = r["pillars"].as_array().cloned().unwrap_or_default();
    html! {
        div class="table-wrap" tabindex="0" role="region" aria-label="Säulen (seitlich verschiebbar)" { table {
            caption { "Summen je Säule" }
            thead { tr {
                th scope="col" { "Säule" } th scope="col" class="num" { "Budget" } th scope="col" class="num" { "übernommen" }
                th scope="col" class="num" { "verteilt" } th scope="col" class="num" { "nicht verteilt" }
                th scope="col" class="num" { "VZÄ" } th scope="col" class="num" { "Wochenstunden" }
            } }
            tbody {
                @for p in &pillars {
                    tr {
                        th scope="row" { (text(p, "name")) }
                        td class="num" { (euro(&raw(p, "budget"))) }
                        td class="num" { (euro(&raw(p, "received"))) }
                        td class="num" { (euro(&raw(p, "allocated"))) }
                        td class="num" { (euro(&raw(p, "leftover"))) }
                        td class="num" { (decimal(&raw(p, "fte"), 2)) }
                        td class="num" { (decimal(&raw(p, "weeklyHours"), 1)) }
                    }
                }
            }
            tfoot { tr {
                th scope="row" { "Zusammen" }
                td class="num" { (euro(&raw(r, "budget"))) } td {}
                td class="num" { (euro(&raw(r, "allocated"))) }
                td class="num" { (euro(&raw(r, "leftover"))) } td {} td {}
            } }
        } }
    }
}

fn measures(m: &Value) -> Markup {
    html! {
        dl class="facts" {
            dt { "Kitas erreicht" } dd { (m["kitasReached"]) " von " (m["kitasTotal"]) }
            dt { "Plätze erreicht" } dd { (decimal(&raw(m, "placesReached"), 0)) " von " (decimal(&raw(m, "placesTotal"), 0)) }
            dt { "Gini der Euro je Platz" } dd { (decimal(&raw(m, "giniPerPlace"), 3)) " (0 = gleich verteilt, 1 = alles an eine Kita)" }
            dt { "Anteil an das Viertel mit dem höchsten Bedarf" } dd { (m["shareToTopQuarter"].as_str().map(percent).unwrap_or_else(|| "–".into())) }
            dt { "Folgt die Verteilung dem Bedarf?" } dd { (m["needCorrelation"].as_str().map(|c| format!("Rangkorrelation {}", decimal(c, 2))).unwrap_or_else(|| "–".into())) " (1 = ganz, 0 = gar nicht)" }
        }
    }
}

/// The per-Kita table; on screen each name links to its explanation.
fn kita_table(r: &Value, links: bool) -> Markup {
    let pillars = r["pillars"].as_array().cloned().unwrap_or_default();
    let kitas = r["kitas"].as_array().cloned().unwrap_or_default();
    let id = text(r, "id");
    html! {
        div class="table-wrap" tabindex="0" role="region" aria-label="Kitas (seitlich verschiebbar)" { table class="kitas" {
            caption { "Beträge je Kita" }
            thead { tr {
                th scope="col" { "Kita" } th scope="col" class="num" { "Plätze" } th scope="col" class="num" { "Index" } th scope="col" class="num" { "Rang" }
                @for p in &pillars { th scope="col" class="num" { (text(p, "name")) } }
                th scope="col" class="num" { "Betrag" } th scope="col" class="num" { "VZÄ" } th scope="col" class="num" { "Veränderung zum Vorjahr" }
            } }
            tbody {
                @for k in &kitas {
                    tr {
                        th scope="row" {
                            @if links { a href={ "/laeufe/" (id) "/kitas/" (text(k, "kitaId")) } { (text(k, "name")) } }
                            @else { (text(k, "name")) }
                        }
                        td class="num" { (k["places"]) }
                        td class="num" { (shown_index(k)) }
                        td class="num" { (k["rank"].as_i64().map(|r| r.to_string()).unwrap_or_else(|| "–".into())) }
                        @for p in &pillars {
                            td class="num" { (k["pillars"].as_array().into_iter().flatten().find(|kp| kp["pillarId"] == p["id"]).map(|kp| euro(&raw(kp, "amount"))).unwrap_or_default()) }
                        }
                        td class="num" { (euro(&raw(k, "amount"))) }
                        td class="num" { (decimal(&raw(k, "fte"), 2)) }
                        td class="num" { (k["change"].as_str().map(signed_euro).unwrap_or_else(|| "neu".into())) }
                    }
                }
            }
        } }
    }
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let r = load(&state, &caller, &id).await?;
    let title = run_title(&r);
    let ags = text(&r["district"], "ags").to_owned();
    let writer = caller.viewer.can_write_district(&ags);
    let may_make_official =
        writer && r["official"].as_bool() != Some(true) && r["concept"]["status"] == "DECIDED";
    let content = html! {
        p class="kind" { a href={ "/bezirke/" (ags) } { (text(&r["district"], "name")) } " · " @if r["official"].as_bool() == Some(true) { "Offizieller Plan" } @else { "Lauf" } }
        h1 { (title) }
        dl class="facts" {
            dt { "Konzeption" } dd { a href={ "/konzeptionen/" (text(&r["concept"], "id")) } { (text(&r["concept"], "name")) } }
            dt { "Daten- und Haushaltsjahr" } dd { (r["year"]) }
            dt { "Landesmittel" } dd { (euro(&raw(&r, "landAmount"))) }
            dt { "Personalbudget" } dd { (euro(&raw(&r, "budget"))) }
            dt { "Eigenanteil des Jugendamts" } dd { (euro(&raw(&r, "districtShare"))) }
            dt { "Verteilt" } dd { (euro(&raw(&r, "allocated"))) }
            dt { "Nicht verteilt" } dd { (euro(&raw(&r, "leftover"))) " (Rundung auf Stellenanteile, Deckel, fehlender Bedarf; ausgewiesen, nicht verloren)" }
            dt { "Gerechnet am" } dd { (german_day(&r, "createdAt")) }
        }
        div class="actions noprint" {
            a class="button" href={ "/laeufe/" (id) "/druck" } { "Vorlage für den Jugendhilfeausschuss" }
            @if let Some(prev) = r["previousRunId"].as_str() {
                a class="button" href={ "/vergleich?a=" (prev) "&b=" (id) } { "Mit dem Vorjahresplan vergleichen" }
            }
            a href={ "/laeufe/" (id) "/lauf.xlsx" } download { "Tabelle als XLSX" }
            a href={ "/laeufe/" (id) "/lauf.csv" } download { "als CSV" }
        }
        @if may_make_official {
            form method="post" action={ "/laeufe/" (id) "/offiziell" } class="noprint" {
                (crate::forms::token(&caller.form_token()))
                button type="submit" { "Zum offiziellen Plan " (r["year"]) " erklären" }
            }
        }
        h2 { "Summen je Säule" }
        (totals(&r))
        h2 { "Wie verteilt wird" }
        (measures(&r["measures"]))
        h2 { "Diagramme" }
        (run_charts(&r))
        h2 { "Die Kitas" }
        p { "Der Name einer Kita führt zur Erklärung ihres Betrags." }
        (kita_table(&r, true))
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

/// The committee paper: parameters, method, totals, charts and the per-Kita table on A4.
pub async fn print(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let r = load(&state, &caller, &id).await?;
    let title = run_title(&r);
    let labels = |k: &str| k.replace('_', " ");
    let content = html! {
        p class="noprint" { a href={ "/laeufe/" (id) } { "Zurück zum Lauf" } " · Drucken Sie diese Seite (Strg+P); sie ist für A4 eingerichtet." }
        h1 { "Vorlage für den Jugendhilfeausschuss: Sozialraumbudget " (r["year"]) }
        p { strong { (text(&r["district"], "name")) } ", Konzeption „" (text(&r["concept"], "name")) "“"
            @if let Some(d) = r["concept"]["decidedOn"].as_str() { ", beschlossen am " (german_date(d)) } "." }
        h2 { "Eckdaten" }
        dl class="facts" {
            dt { "Landesmittel" } dd { (euro(&raw(&r, "landAmount"))) }
            dt { "Personalbudget" } dd { (euro(&raw(&r, "budget"))) }
            dt { "Eigenanteil des Jugendamts" } dd { (euro(&raw(&r, "districtShare"))) }
            dt { "Anteil der Träger" } dd { (euro(&raw(&r, "traegerShare"))) }
            dt { "Verteilt" } dd { (euro(&raw(&r, "allocated"))) }
            dt { "Nicht verteilt" } dd { (euro(&raw(&r, "leftover"))) }
            dt { "Prüfsumme der Eingaben" } dd { code { (text(&r, "inputHash").chars().take(16).collect::<String>()) } " (Rechenkern " (text(&r, "engineVersion")) ")" }
        }
        h2 { "Summen je Säule" }
        (totals(&r))
        (measures(&r["measures"]))
        section class="page-break" {
            h2 { "Verfahren" }
            p { "Das Personalbudget wird nach der Konzeption des Bezirks auf die Kitas verteilt. Jeder Cent ist einer Kita zugeordnet oder als nicht verteilt ausgewiesen; Beträge werden auf Cent gerundet, Stellen auf die angegebenen Schritte." }
            (crate::describe::concept(&r["concept"]["document"], &labels))
        }
        section class="page-break" {
            h2 { "Diagramme" }
            (run_charts(&r))
        }
        section class="page-break" {
            h2 { "Beträge je Kita" }
            (kita_table(&r, false))
        }
        p class="hint" { "Erstellt mit srb-werkstatt am " (chrono::Utc::now().format("%d.%m.%Y")) ". Werte unter 5 Kindern werden als „< 5“ gezeigt." }
    };
    Ok(html(StatusCode::OK, layout::print(&title, content)))
}

#[derive(Deserialize)]
pub struct KitaPath {
    id: String,
    kita: String,
}

/// „Warum bekommt unsere Kita diesen Betrag?“
pub async fn explain(
    State(state): State<WebState>,
    caller: Caller,
    Path(p): Path<KitaPath>,
) -> Result<Response, PageError> {
    let data = query(
        &state,
        caller.viewer.clone(),
        EXPLAIN,
        json!({ "id": p.id }),
    )
    .await
    .map_err(missing_if_bad_id)?;
    let r = &data["allocationRun"];
    let k = r["kitas"]
        .as_array()
        .and_then(|ks| ks.iter().find(|k| text(k, "kitaId") == p.kita))
        .cloned()
        .ok_or(PageError::NotFound)?;
    let name = text(&k, "name").to_owned();
    let terms = k["indexTerms"].as_array().cloned().unwrap_or_default();
    let contributions: Vec<(String, f64)> = terms
        .iter()
        .filter_map(|t| {
            Some((
                text(t, "label").to_owned(),
                raw(t, "contribution").parse().ok()?,
            ))
        })
        .collect();
    let pillars = k["pillars"].as_array().cloned().unwrap_or_default();
    let content = html! {
        p class="kind" { a href={ "/laeufe/" (p.id) } { (run_title(r)) } }
        h1 { "Warum bekommt " (name) " diesen Betrag?" }
        p class="lead" {
            (name) " bekommt " (r["year"]) " insgesamt " strong { (euro(&raw(&k, "amount"))) }
            @if raw(&k, "fte") != "0" { " (" (decimal(&raw(&k, "fte"), 2)) " Vollzeitstellen)" } ". "
            @match k["change"].as_str() {
                Some(c) => { "Gegenüber dem Vorjahr (" (euro(&raw(&k, "previousAmount"))) ") sind das " (signed_euro(c)) "." }
                None => { "Im Vorjahresplan war die Kita nicht enthalten." }
            }
        }
        h2 { "Der Bedarf der Kita" }
        @match k["shownNeedIndex"].as_str() {
            Some(_) => {
                p { "Bedarfsindex " strong { (shown_index(&k)) }
                    @if let Some(rank) = k["rank"].as_i64() { ", Rang " (rank) " von " (k["rankedKitas"]) " Kitas im Bezirk (Rang 1 = höchster Bedarf)" } "." }
            }
            None => { p { "Die Kita hat keinen Bedarfsindex (fehlende Werte) oder die Konzeption verwendet keinen." } }
        }
        @if !terms.is_empty() {
            p { "So setzt sich der Index zusammen: Jeder Indikator wird mit den anderen Kitas des Bezirks verglichen und gewichtet. Ein positiver Beitrag hebt den Index, ein negativer senkt ihn." }
            (charts::bars("beitraege", "Beiträge der Indikatoren zum Index", "Balken nach rechts heben den Index, nach links senken ihn.", "", &contributions))
            div class="table-wrap" tabindex="0" role="region" aria-label="Indikatoren (seitlich verschiebbar)" { table {
                caption { "Indikatoren der Kita" }
                thead { tr { th scope="col" { "Indikator" } th scope="col" class="num" { "Wert" } th scope="col" class="num" { "Gewicht" } th scope="col" class="num" { "Beitrag" } th scope="col" { "Wirkung" } } }
                tbody {
                    @for t in &terms {
                        tr {
                            th scope="row" { (text(t, "label")) @if t["imputed"].as_bool() == Some(true) { " (fehlte, Mittelwert des Bezirks)" } }
                            td class="num" { (text(t, "shownValue")) }
                            td class="num" { (decimal(&raw(t, "weight"), 2)) }
                            td class="num" { (t["contribution"].as_str().map(|c| decimal(c, 3)).unwrap_or_else(|| text(t, "shownContribution").to_owned())) }
                            td { @match raw(t, "contribution").parse::<f64>() {
                                Ok(c) if c > 0.0 => "hebt",
                                Ok(c) if c < 0.0 => "senkt",
                                Ok(_) => "neutral",
                                Err(_) => "zurückgehalten (< 5)",
                            } }
                        }
                    }
                }
            } }
        }
        h2 { "Die Säulen" }
        @for kp in &pillars {
            section class="pillar" {
                h3 { (text(kp, "pillarName")) ": " (euro(&raw(kp, "amount"))) }
                p {
                    @if kp["eligible"].as_bool() == Some(true) { "Berechtigt: " } @else { "Nicht berechtigt: " }
                    (text(kp, "reason"))
                }
                @if raw(kp, "fte") != "0" { p { (decimal(&raw(kp, "fte"), 2)) " VZÄ, " (decimal(&raw(kp, "weeklyHours"), 1)) " Wochenstunden." } }
                @if kp["capped"].as_bool() == Some(true) { p { "Durch die Obergrenze je Kita gekürzt." } }
                @if kp["floored"].as_bool() == Some(true) { p { "Die Untergrenze je Kita wurde angewandt." } }
                @if kp["phased"].as_bool() == Some(true) { p { "Durch die schrittweise Einführung gegenüber dem Vorjahr begrenzt." } }
                @if let Some(prev) = kp["previousAmount"].as_str() { p class="hint" { "Vorjahr: " (euro(prev)) } }
            }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, &format!("Erklärung: {name}"), content),
    ))
}

/// XLSX or CSV of a run.
pub async fn download(
    State(state): State<WebState>,
    caller: Caller,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let format = match file.as_str() {
        "lauf.xlsx" => "XLSX",
        "lauf.csv" => "CSV",
        _ => return Err(PageError::NotFound),
    };
    let data = query(
        &state,
        caller.viewer.clone(),
        "query E($id: ID!, $format: ExportFormat!) { exportAllocationRun(id: $id, format: $format) { fileName mediaType contentBase64 } }",
        json!({ "id": id, "format": format }),
    )
    .await
    .map_err(missing_if_bad_id)?;
    crate::download::file(&data["exportAllocationRun"])
}

/// Declares a run the district's official plan of its year.
pub async fn make_official(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    let back = format!("/laeufe/{id}");
    caller.check_form(&form, &back)?;
    caller.require_sign_in()?;
    match mutate(
        &state,
        caller.viewer.clone(),
        "mutation O($id: ID!) { setOfficialPlan(runId: $id) { id } }",
        json!({ "id": id }),
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(problems) => Err(PageError::BadInput(
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}
