//! A district's monitoring page (`/bezirke/{ags}/monitoring`): its figures of a year, spending
//! per pillar against the official plan, the positions register and the review meetings, with
//! the forms its coordinator keeps them with. Every form goes through the API's mutations, so
//! it can change nothing they would refuse; problems come back next to their fields.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::forms::{select, text_area, text_field, token, Form, Problems};
use crate::monitoring::{chosen_year, figures_cell, flag_label, WITHHELD};
use crate::numbers::{decimal, euro, parse_german, raw};
use crate::session::Caller;
use crate::{download, german_date, html, layout, mutate, query, text, PageError, WebState};

const DISTRICT: &str = r#"query D($ags: String!, $year: Int!) {
  district(ags: $ags) { ags name }
  districtMonitoring(districtAgs: $ags, year: $year) {
    row { hasPlan allocated spent spentPercent flags positionsWithheld lastReview oldestReferenceDate staleIndicators
      positions { positions plannedFte filledFte vacantFte openFte longVacancies longestVacancyMonths } }
    series { year allocated spent spentPercent positions { plannedFte filledFte vacantFte } }
    pillars { pillarId name allocated plannedFte spent spentPercent wholeYear quarters overspent }
    positions { id version title role roleLabel fte payGrade employerKind employerName lineSupervision professionalSupervision
      pillarId pillarName status statusSince vacantMonths kitas { kitaId share kita { name } } }
    reviewMeetings { heldOn participants outcome }
    concepts { id name adoptedOn validFrom validTo reviewDue reviewOverdue version }
  }
}"#;

const CREATE: &str =
    "mutation P($input: CreatePositionInput!) { createPosition(input: $input) { id } }";
const UPDATE: &str =
    "mutation U($input: UpdatePositionInput!) { updatePosition(input: $input) { id } }";
const SPEND: &str = "mutation S($input: RecordSpendingInput!) { recordSpending(input: $input) { inserted corrected unchanged } }";
const MEETING: &str = "mutation K($input: RecordReviewMeetingInput!) { recordReviewMeeting(input: $input) { heldOn } }";
const REVIEW_DUE: &str =
    "mutation R($input: SetConceptReviewDueInput!) { setConceptReviewDue(input: $input) { id } }";

const ROLES: &[(&str, &str)] = &[
    ("KITA_SOCIAL_WORK", "Kita-Sozialarbeit"),
    ("INTERCULTURAL", "Interkulturelle Fachkraft"),
    ("LICENCE_STAFF", "Betriebserlaubnisrelevantes Mehrpersonal"),
    ("FAMILY_CENTER", "Familienzentrum"),
    ("NETWORKER", "Netzwerkarbeit"),
    ("KITA_GUIDE", "Kita-Lotse"),
    ("COORDINATION", "Koordination"),
    ("OTHER", "Sonstiges"),
];
const EMPLOYERS: &[(&str, &str)] = &[
    ("YOUTH_OFFICE", "Jugendamt"),
    ("KITA_PROVIDER", "Kita-Träger"),
    ("INDEPENDENT_PROVIDER", "Freier Träger ohne Kitas"),
];
const STATUS: &[(&str, &str)] = &[
    ("PLANNED", "geplant"),
    ("FILLED", "besetzt"),
    ("VACANT", "unbesetzt"),
];
const PERIODS: &[(&str, &str)] = &[
    ("", "ganzes Jahr"),
    ("1", "1. Quartal"),
    ("2", "2. Quartal"),
    ("3", "3. Quartal"),
    ("4", "4. Quartal"),
];

#[derive(Deserialize, Default)]
pub struct View {
    pub(crate) jahr: Option<i32>,
    #[serde(default)]
    gespeichert: String,
}

/// The form field a problem of the API belongs to.
fn field_of(path: &str) -> String {
    let p = path.trim_start_matches("input.");
    let p = p.trim_start_matches("position.");
    if let Some(rest) = p.strip_prefix("kitas[") {
        let i: usize = rest
            .split(']')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        return if rest.contains("share") {
            format!("anteil{}", i + 1)
        } else {
            format!("kita{}", i + 1)
        };
    }
    if let Some(rest) = p.strip_prefix("entries[") {
        let i: usize = rest
            .split(']')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        return if rest.contains("quarter") {
            "zeitraum".into()
        } else {
            format!("betrag{i}")
        };
    }
    match p {
        "title" => "titel",
        "role" => "rolle",
        "pillar" => "saeule",
        "fte" => "vzae",
        "payGrade" => "entgelt",
        "employerKind" => "traegerart",
        "employerName" => "traeger",
        "lineSupervision" => "dienstaufsicht",
        "professionalSupervision" => "fachaufsicht",
        "kitas" => "anteil1",
        "status" => "stand",
        "statusSince" => "seit",
        "year" => "jahr",
        "heldOn" => "datum",
        "participants" => "teilnehmende",
        "outcome" => "ergebnis",
        "conceptId" => "konzeption",
        "reviewDue" => "faellig",
        other => other,
    }
    .to_owned()
}

/// Which form a failed submission came from, with what was sent.
pub(crate) struct Failed<'a> {
    form: &'static str,
    sent: &'a Form,
    problems: Problems,
}

fn sent<'a>(failed: &'a Option<Failed<'_>>, form: &str, field: &str, default: &'a str) -> &'a str {
    match failed {
        Some(f) if f.form == form => f.sent.get(field),
        _ => default,
    }
}

fn problems_of<'a>(
    failed: &'a Option<Failed<'_>>,
    form: &str,
    empty: &'a Problems,
) -> &'a Problems {
    match failed {
        Some(f) if f.form == form => &f.problems,
        _ => empty,
    }
}

pub(crate) async fn render(
    state: &WebState,
    caller: &Caller,
    ags: &str,
    year: i32,
    notice: &str,
    failed: Option<Failed<'_>>,
    report: Option<Markup>,
) -> Result<Response, PageError> {
    let data = query(
        state,
        caller.viewer.clone(),
        DISTRICT,
        json!({ "ags": ags, "year": year }),
    )
    .await?;
    let name = text(&data["district"], "name").to_owned();
    let m = &data["districtMonitoring"];
    let r = &m["row"];
    let may_write = caller.viewer.can_write_district(ags);
    let kitas = crate::district::all_kitas(state, caller, ags, Value::Null).await?;
    let kita_options: Vec<(String, String)> = std::iter::once((String::new(), "–".to_owned()))
        .chain(
            kitas
                .iter()
                .map(|k| (text(k, "id").to_owned(), text(k, "name").to_owned())),
        )
        .collect();
    let kita_options: Vec<(&str, &str)> = kita_options
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let pillars = m["pillars"].as_array().cloned().unwrap_or_default();
    let pillar_options: Vec<(&str, &str)> = pillars
        .iter()
        .map(|p| (text(p, "pillarId"), text(p, "name")))
        .collect();
    let empty = Problems::default();
    let base = format!("/bezirke/{ags}/monitoring");
    let series = m["series"].as_array().cloned().unwrap_or_default();
    let years: Vec<i32> = series
        .iter()
        .filter_map(|s| s["year"].as_i64())
        .map(|y| y as i32)
        .collect();
    let num = |v: &Value| crate::numbers::string_of(v).parse::<f64>().ok();
    let mut year_options: Vec<i32> = (2021..=crate::monitoring::default_year() + 1).collect();
    year_options.reverse();
    let form_token = caller.form_token();
    let pp = problems_of(&failed, "stelle", &empty);
    let sp = problems_of(&failed, "abruf", &empty);
    let kp = problems_of(&failed, "konferenz", &empty);
    let content = html! {
        p class="breadcrumb" { a href={ "/bezirke/" (ags) } { (name) } " › Monitoring" }
        h1 { "Monitoring " (year) ": " (name) }
        @if !notice.is_empty() { p class="notice" role="status" { (notice) } }
        @if let Some(r) = &report { (r) }
        form class="filters noprint" method="get" action=(base) {
            div class="field" {
                label for="jahr-wahl" { "Jahr" }
                select id="jahr-wahl" name="jahr" { @for y in &year_options { option value=(y) selected[*y == year] { (y) } } }
            }
            button type="submit" { "Anzeigen" }
        }
        dl class="key-figures" {
            div { dt { "Zugewiesen (offizieller Plan)" } dd { @if r["hasPlan"] == true { (euro(&raw(r, "allocated"))) } @else { "kein offizieller Plan" } } }
            div { dt { "Abgerufen" } dd { (euro(&raw(r, "spent"))) @if !r["spentPercent"].is_null() { " (" (decimal(&raw(r, "spentPercent"), 1)) " %)" } } }
            div { dt { "VZÄ geplant / besetzt / unbesetzt" } dd { (figures_cell(r, "plannedFte")) " / " (figures_cell(r, "filledFte")) " / " (figures_cell(r, "vacantFte")) } }
            div { dt { "Ältester Stichtag der Daten" } dd { @if r["oldestReferenceDate"].is_null() { "keine Daten" } @else { (german_date(text(r, "oldestReferenceDate"))) } } }
        }
        @let flags = crate::strings(&r["flags"]);
        @if !flags.is_empty() {
            p { "Auffällig: " @for (i, f) in flags.iter().enumerate() { @if i > 0 { ", " } strong { (flag_label(f)) } } "." }
        }
        h2 id="abruf" { "Mittelabruf je Säule" }
        @if pillars.is_empty() {
            p { "Für " (year) " gibt es keinen offiziellen Plan; Mittelabrufe werden gegen den offiziellen Plan erfasst." }
        } @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Mittelabruf je Säule (seitlich verschiebbar)" { table {
                caption { "Offizieller Plan " (year) " und Mittelabruf je Säule" }
                thead { tr {
                    th scope="col" { "Säule" } th scope="col" class="num" { "Zugewiesen" } th scope="col" class="num" { "VZÄ im Plan" }
                    th scope="col" class="num" { "Q1" } th scope="col" class="num" { "Q2" } th scope="col" class="num" { "Q3" } th scope="col" class="num" { "Q4" }
                    th scope="col" class="num" { "Abgerufen" } th scope="col" class="num" { "Anteil" }
                } }
                tbody { @for p in &pillars { tr {
                    th scope="row" { (text(p, "name")) }
                    td class="num" { (euro(&raw(p, "allocated"))) }
                    td class="num" { (decimal(&raw(p, "plannedFte"), 2)) }
                    @for q in 0..4 { td class="num" { @if p["quarters"][q].is_null() { "–" } @else { (euro(&crate::numbers::string_of(&p["quarters"][q]))) } } }
                    td class="num" { (euro(&raw(p, "spent"))) @if p["overspent"] == true { " " strong { "(mehr als zugewiesen)" } } }
                    td class="num" { @if p["spentPercent"].is_null() { "–" } @else { (decimal(&raw(p, "spentPercent"), 1)) " %" } }
                } } }
            } }
            @if may_write {
                form method="post" action={ (base) "/abruf?jahr=" (year) } class="entry" {
                    (token(&form_token))
                    h3 { "Mittelabruf erfassen oder korrigieren" }
                    (sp.summary())
                    p class="hint" { "Beträge in Euro. Ein geänderter Betrag ersetzt den alten; der alte bleibt im Änderungsprotokoll. Je Säule entweder das ganze Jahr oder Quartale." }
                    (select(sp, "zeitraum", "Zeitraum", PERIODS, sent(&failed, "abruf", "zeitraum", "")))
                    @for (i, p) in pillars.iter().enumerate() {
                        input type="hidden" name={ "saeule" (i) } value=(text(p, "pillarId"));
                        (text_field(sp, &format!("betrag{i}"), &format!("{} (€)", text(p, "name")), sent(&failed, "abruf", &format!("betrag{i}"), ""), "text", None, Some("leer lassen, wenn nichts zu erfassen ist"), false))
                    }
                    button type="submit" { "Mittelabruf speichern" }
                }
            }
        }
        h2 id="stellen" { "Stellen " (year) }
        p class="noprint" { "Herunterladen: "
            a href={ (base) "/stellen.xlsx?jahr=" (year) } download { "Stellenregister als XLSX" } " · "
            a href={ (base) "/stellen.csv?jahr=" (year) } download { "als CSV" } }
        @let positions = m["positions"].as_array().cloned().unwrap_or_default();
        @if positions.is_empty() { p { "Für " (year) " sind keine Stellen erfasst." } }
        @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Stellenregister (seitlich verschiebbar)" { table {
                caption { "Stellenregister " (year) }
                thead { tr {
                    th scope="col" { "Stelle" } th scope="col" { "Säule" } th scope="col" class="num" { "VZÄ" }
                    th scope="col" { "Anstellung und Aufsicht" } th scope="col" { "Kitas (Anteil)" } th scope="col" { "Stand" }
                    @if may_write { th scope="col" { "Stand ändern" } }
                } }
                tbody { @for p in &positions { tr {
                    th scope="row" { (text(p, "title")) br; span class="hint" { (text(p, "roleLabel")) @if let Some(g) = p["payGrade"].as_str() { ", " (g) } } }
                    td { (text(p, "pillarName")) }
                    td class="num" { (decimal(&raw(p, "fte"), 2)) }
                    td { (text(p, "employerName")) br; span class="hint" { "Dienstaufsicht: " (text(p, "lineSupervision")) "; Fachaufsicht: " (text(p, "professionalSupervision")) } }
                    td { @for (i, k) in p["kitas"].as_array().cloned().unwrap_or_default().iter().enumerate() {
                        @if i > 0 { br; } (text(&k["kita"], "name")) " (" (decimal(&raw(k, "share"), 2)) ")" } }
                    td {
                        @let status = text(p, "status");
                        (STATUS.iter().find(|s| s.0 == status).map_or(status, |s| s.1)) " seit " (german_date(text(p, "statusSince")))
                        @if let Some(mo) = p["vacantMonths"].as_i64() { br; span class=[(mo >= 6).then_some("flag")] { (mo) " Monate unbesetzt" } }
                    }
                    @if may_write {
                        td {
                            @let id = text(p, "id");
                            @let suffix = id.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
                            form method="post" action={ (base) "/stellen/" (id) "?jahr=" (year) } class="inline" {
                                (token(&form_token))
                                input type="hidden" name="version" value=(p["version"]);
                                label for={ "stand-" (suffix) } class="visually-hidden" { "Neuer Stand von " (text(p, "title")) }
                                select id={ "stand-" (suffix) } name="stand" { @for (v, l) in STATUS { option value=(v) selected[*v == text(p, "status")] { (l) } } }
                                label for={ "seit-" (suffix) } class="visually-hidden" { "Seit (Datum) für " (text(p, "title")) }
                                input type="date" id={ "seit-" (suffix) } name="seit" value=(text(p, "statusSince")) required;
                                button type="submit" { "Ändern" }
                            }
                        }
                    }
                } } }
            } }
        }
        @if may_write && !pillars.is_empty() {
            form method="post" action={ (base) "/stellen?jahr=" (year) } class="entry" {
                (token(&form_token))
                h3 { "Stelle anlegen" }
                (pp.summary())
                (text_field(pp, "titel", "Bezeichnung", sent(&failed, "stelle", "titel", ""), "text", None, Some("z. B. Kita-Sozialarbeit Sozialraum Nord"), true))
                (select(pp, "rolle", "Rolle", ROLES, sent(&failed, "stelle", "rolle", "KITA_SOCIAL_WORK")))
                (select(pp, "saeule", "Finanziert aus Säule", &pillar_options, sent(&failed, "stelle", "saeule", "")))
                (text_field(pp, "vzae", "Stellenumfang (VZÄ)", sent(&failed, "stelle", "vzae", "1"), "text", None, Some("über 0 bis 1, z. B. 0,75"), true))
                (text_field(pp, "entgelt", "Entgeltgruppe", sent(&failed, "stelle", "entgelt", ""), "text", None, Some("z. B. S 11b"), false))
                (select(pp, "traegerart", "Anstellungsträger ist", EMPLOYERS, sent(&failed, "stelle", "traegerart", "YOUTH_OFFICE")))
                (text_field(pp, "traeger", "Name des Anstellungsträgers", sent(&failed, "stelle", "traeger", ""), "text", None, None, true))
                (text_field(pp, "dienstaufsicht", "Dienstaufsicht", sent(&failed, "stelle", "dienstaufsicht", ""), "text", None, None, true))
                (text_field(pp, "fachaufsicht", "Fachaufsicht", sent(&failed, "stelle", "fachaufsicht", ""), "text", None, None, true))
                fieldset {
                    legend { "Kitas, für die die Stelle arbeitet (Anteile zusammen 1)" }
                    @for i in 1..=3 {
                        (select(pp, &format!("kita{i}"), &format!("Kita {i}"), &kita_options, sent(&failed, "stelle", &format!("kita{i}"), "")))
                        (text_field(pp, &format!("anteil{i}"), &format!("Anteil Kita {i}"), sent(&failed, "stelle", &format!("anteil{i}"), if i == 1 { "1" } else { "" }), "text", None, None, false))
                    }
                }
                (select(pp, "stand", "Stand", STATUS, sent(&failed, "stelle", "stand", "PLANNED")))
                (text_field(pp, "seit", "Seit", sent(&failed, "stelle", "seit", &format!("{year}-01-01")), "date", None, Some("bei unbesetzten Stellen: unbesetzt seit"), true))
                button type="submit" { "Stelle speichern" }
            }
        }
        @if may_write && !pillars.is_empty() { (crate::monitoring_import::forms(&base, year, &form_token)) }
        h2 id="konzeption" { "Konzeption und Überprüfung" }
        @let concepts = m["concepts"].as_array().cloned().unwrap_or_default();
        @if concepts.is_empty() { p { "Keine beschlossene Konzeption." } }
        @for c in &concepts {
            p {
                strong { (text(c, "name")) } ": beschlossen am " (german_date(text(c, "adoptedOn")))
                @if let Some(f) = c["validFrom"].as_i64() { ", gültig ab " (f) } @if let Some(t) = c["validTo"].as_i64() { " bis " (t) }
                ". Überprüfung fällig: " @if c["reviewDue"].is_null() { "nicht festgelegt" } @else { (german_date(text(c, "reviewDue"))) }
                @if c["reviewOverdue"] == true { " " strong class="flag" { "(überfällig)" } } "."
            }
        }
        @let meetings = m["reviewMeetings"].as_array().cloned().unwrap_or_default();
        @if !meetings.is_empty() {
            ul { @for k in &meetings { li { strong { (german_date(text(k, "heldOn"))) } ": " (text(k, "outcome")) " " span class="hint" { "(" (text(k, "participants")) ")" } } } }
        }
        @if may_write {
            form method="post" action={ (base) "/konferenz?jahr=" (year) } class="entry" {
                (token(&form_token))
                h3 { "Sozialraumkonferenz festhalten" }
                (kp.summary())
                (text_field(kp, "datum", "Datum", sent(&failed, "konferenz", "datum", ""), "date", None, None, true))
                (text_field(kp, "teilnehmende", "Teilnehmende", sent(&failed, "konferenz", "teilnehmende", ""), "text", None, None, true))
                (text_area(kp, "ergebnis", "Ergebnis", sent(&failed, "konferenz", "ergebnis", ""), 3, None))
                @let concept_options: Vec<(&str, &str)> = std::iter::once(("", "keine")).chain(concepts.iter().map(|c| (text(c, "id"), text(c, "name")))).collect();
                (select(kp, "konzeption", "Geänderte Konzeption", &concept_options, sent(&failed, "konferenz", "konzeption", "")))
                @if let Some(c) = concepts.last() {
                    input type="hidden" name="konzeption_version" value=(c["version"]);
                    input type="hidden" name="konzeption_id" value=(text(c, "id"));
                    (text_field(kp, "faellig", "Nächste Überprüfung fällig am", sent(&failed, "konferenz", "faellig", ""), "date", None, Some("leer lassen, um den Termin zu behalten"), false))
                }
                button type="submit" { "Konferenz speichern" }
            }
        }
        h2 { "Im Zeitverlauf" }
        (crate::charts::years("bezirk-geld", "Zugewiesen und abgerufen je Jahr", "Balken je Jahr: der offizielle Plan und die abgerufenen Mittel des Bezirks.", "€", &years,
            &[("Zugewiesen", series.iter().map(|s| num(&s["allocated"])).collect()), ("Abgerufen", series.iter().map(|s| num(&s["spent"])).collect())]))
        p class="hint" { "„" (WITHHELD) "“: Angaben über weniger als fünf Stellen sieht die Öffentlichkeit nicht." }
    };
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        layout::wide_page(caller, &format!("Monitoring {year}: {name}"), content),
    ))
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    Query(view): Query<View>,
) -> Result<Response, PageError> {
    let notice = match view.gespeichert.as_str() {
        "stelle" => "Die Stelle ist gespeichert.",
        "abruf" => "Der Mittelabruf ist gespeichert.",
        "konferenz" => "Die Konferenz ist festgehalten.",
        _ => "",
    };
    render(
        &state,
        &caller,
        &ags,
        chosen_year(view.jahr),
        notice,
        None,
        None,
    )
    .await
}

fn kitas_of(form: &Form, problems: &mut Problems) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 1..=3 {
        let kita = form.get(&format!("kita{i}"));
        if kita.is_empty() {
            continue;
        }
        match parse_german(form.get(&format!("anteil{i}"))) {
            Some(share) => out.push(json!({ "kitaId": kita, "share": share })),
            None => problems.add(&format!("anteil{i}"), "Bitte einen Anteil wie 0,5 angeben."),
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn after(
    state: &WebState,
    caller: &Caller,
    ags: &str,
    year: i32,
    form_name: &'static str,
    form: &Form,
    result: Result<Value, Vec<crate::InputProblem>>,
    mut problems: Problems,
) -> Result<Response, PageError> {
    match result {
        Ok(_) if problems.is_empty() => Ok(Redirect::to(&format!(
            "/bezirke/{ags}/monitoring?jahr={year}&gespeichert={form_name}#{}",
            if form_name == "stelle" {
                "stellen"
            } else {
                form_name
            }
        ))
        .into_response()),
        Ok(_) => {
            render(
                state,
                caller,
                ags,
                year,
                "",
                Some(Failed {
                    form: form_name,
                    sent: form,
                    problems,
                }),
                None,
            )
            .await
        }
        Err(found) => {
            problems.add_all(found, field_of);
            render(
                state,
                caller,
                ags,
                year,
                "",
                Some(Failed {
                    form: form_name,
                    sent: form,
                    problems,
                }),
                None,
            )
            .await
        }
    }
}

pub async fn create_position(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    Query(view): Query<View>,
    form: Form,
) -> Result<Response, PageError> {
    let year = chosen_year(view.jahr);
    caller.check_form(&form, &format!("/bezirke/{ags}/monitoring?jahr={year}"))?;
    caller.require_sign_in()?;
    let mut problems = Problems::default();
    let kitas = kitas_of(&form, &mut problems);
    let fte = parse_german(form.get("vzae"));
    if fte.is_none() {
        problems.add(
            "vzae",
            "Bitte den Stellenumfang als Zahl angeben, z. B. 0,75.",
        );
    }
    if !problems.is_empty() {
        return render(
            &state,
            &caller,
            &ags,
            year,
            "",
            Some(Failed {
                form: "stelle",
                sent: &form,
                problems,
            }),
            None,
        )
        .await;
    }
    let optional = |v: &str| {
        if v.trim().is_empty() {
            Value::Null
        } else {
            json!(v.trim())
        }
    };
    let input = json!({ "districtAgs": ags, "position": {
        "year": year, "title": form.get("titel"), "role": form.get("rolle"), "fte": fte,
        "payGrade": optional(form.get("entgelt")), "employerKind": form.get("traegerart"),
        "employerName": form.get("traeger"), "lineSupervision": form.get("dienstaufsicht"),
        "professionalSupervision": form.get("fachaufsicht"), "pillar": form.get("saeule"),
        "kitas": kitas, "status": form.get("stand"), "statusSince": form.get("seit") } });
    let result = mutate(
        &state,
        caller.viewer.clone(),
        CREATE,
        json!({ "input": input }),
    )
    .await?;
    after(
        &state, &caller, &ags, year, "stelle", &form, result, problems,
    )
    .await
}

/// A new status for a position: everything else is sent as stored.
pub async fn change_position(
    State(state): State<WebState>,
    caller: Caller,
    Path((ags, id)): Path<(String, String)>,
    Query(view): Query<View>,
    form: Form,
) -> Result<Response, PageError> {
    let year = chosen_year(view.jahr);
    caller.check_form(&form, &format!("/bezirke/{ags}/monitoring?jahr={year}"))?;
    caller.require_sign_in()?;
    let data = query(
        &state,
        caller.viewer.clone(),
        DISTRICT,
        json!({ "ags": ags, "year": year }),
    )
    .await?;
    let p = data["districtMonitoring"]["positions"]
        .as_array()
        .and_then(|a| a.iter().find(|p| text(p, "id") == id).cloned())
        .ok_or(PageError::NotFound)?;
    let version: i64 = form
        .get("version")
        .parse()
        .map_err(|_| PageError::BadInput("Die Version fehlt.".into()))?;
    let kitas: Vec<Value> = p["kitas"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|k| json!({ "kitaId": k["kitaId"], "share": k["share"] }))
        .collect();
    let input = json!({ "id": id, "version": version, "position": {
        "year": year, "title": p["title"], "role": p["role"], "fte": p["fte"], "payGrade": p["payGrade"],
        "employerKind": p["employerKind"], "employerName": p["employerName"],
        "lineSupervision": p["lineSupervision"], "professionalSupervision": p["professionalSupervision"],
        "pillar": p["pillarId"], "kitas": kitas, "status": form.get("stand"), "statusSince": form.get("seit") } });
    match mutate(
        &state,
        caller.viewer.clone(),
        UPDATE,
        json!({ "input": input }),
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/bezirke/{ags}/monitoring?jahr={year}&gespeichert=stelle#stellen"
        ))
        .into_response()),
        Err(found) => Err(PageError::BadInput(
            found
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}

pub async fn record_spending(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    Query(view): Query<View>,
    form: Form,
) -> Result<Response, PageError> {
    let year = chosen_year(view.jahr);
    caller.check_form(&form, &format!("/bezirke/{ags}/monitoring?jahr={year}"))?;
    caller.require_sign_in()?;
    let mut problems = Problems::default();
    let quarter: Value = match form.get("zeitraum") {
        "" => Value::Null,
        q => q.parse::<i64>().map(|q| json!(q)).unwrap_or(Value::Null),
    };
    let mut entries = Vec::new();
    let mut fields = Vec::new();
    for i in 0..64 {
        let pillar = form.get(&format!("saeule{i}"));
        if pillar.is_empty() {
            break;
        }
        let amount = form
            .get(&format!("betrag{i}"))
            .trim()
            .trim_end_matches('€')
            .trim();
        if amount.is_empty() {
            continue;
        }
        match parse_german(amount) {
            Some(a) => {
                fields.push(i);
                entries.push(json!({ "pillar": pillar, "quarter": quarter, "amount": a }));
            }
            None => problems.add(
                &format!("betrag{i}"),
                "Bitte einen Betrag in Euro angeben, z. B. 12.500,00.",
            ),
        }
    }
    if entries.is_empty() && problems.is_empty() {
        problems.add("betrag0", "Bitte mindestens einen Betrag angeben.");
    }
    if !problems.is_empty() {
        return render(
            &state,
            &caller,
            &ags,
            year,
            "",
            Some(Failed {
                form: "abruf",
                sent: &form,
                problems,
            }),
            None,
        )
        .await;
    }
    let result = mutate(
        &state,
        caller.viewer.clone(),
        SPEND,
        json!({ "input": { "districtAgs": ags, "year": year, "entries": entries } }),
    )
    .await?;
    // The API numbers the entries it got; the form numbers its fields.
    let result = result.map_err(|found| {
        found
            .into_iter()
            .map(|mut p| {
                if let Some(rest) = p.field.strip_prefix("input.entries[") {
                    let i: usize = rest
                        .split(']')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    let tail = rest.split_once(']').map_or("", |t| t.1);
                    p.field = format!(
                        "input.entries[{}]{tail}",
                        fields.get(i).copied().unwrap_or(0)
                    );
                }
                p
            })
            .collect()
    });
    after(
        &state, &caller, &ags, year, "abruf", &form, result, problems,
    )
    .await
}

pub async fn record_meeting(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    Query(view): Query<View>,
    form: Form,
) -> Result<Response, PageError> {
    let year = chosen_year(view.jahr);
    caller.check_form(&form, &format!("/bezirke/{ags}/monitoring?jahr={year}"))?;
    caller.require_sign_in()?;
    let mut problems = Problems::default();
    if form.get("datum").is_empty() {
        problems.add("datum", "Bitte das Datum der Konferenz angeben.");
    }
    if !problems.is_empty() {
        return render(
            &state,
            &caller,
            &ags,
            year,
            "",
            Some(Failed {
                form: "konferenz",
                sent: &form,
                problems,
            }),
            None,
        )
        .await;
    }
    let concept = if form.get("konzeption").is_empty() {
        Value::Null
    } else {
        json!(form.get("konzeption"))
    };
    let input = json!({ "districtAgs": ags, "heldOn": form.get("datum"), "participants": form.get("teilnehmende"),
        "outcome": form.get("ergebnis"), "conceptId": concept });
    let mut result = mutate(
        &state,
        caller.viewer.clone(),
        MEETING,
        json!({ "input": input }),
    )
    .await?;
    if result.is_ok() && !form.get("faellig").is_empty() {
        let version: i64 = form.get("konzeption_version").parse().unwrap_or(0);
        result = mutate(&state, caller.viewer.clone(), REVIEW_DUE, json!({ "input": {
            "conceptId": form.get("konzeption_id"), "version": version, "reviewDue": form.get("faellig") } })).await?;
    }
    after(
        &state,
        &caller,
        &ags,
        year,
        "konferenz",
        &form,
        result,
        problems,
    )
    .await
}

pub async fn positions_file(
    State(state): State<WebState>,
    caller: Caller,
    Path((ags, file)): Path<(String, String)>,
    Query(view): Query<View>,
) -> Result<Response, PageError> {
    let format = match file.as_str() {
        "stellen.xlsx" => "XLSX",
        "stellen.csv" => "CSV",
        _ => return Err(PageError::NotFound),
    };
    let data = query(
        &state,
        caller.viewer.clone(),
        "query F($ags: String!, $year: Int!, $format: ExportFormat!) { exportPositions(districtAgs: $ags, year: $year, format: $format) { fileName mediaType contentBase64 } }",
        json!({ "ags": ags, "year": chosen_year(view.jahr), "format": format }),
    )
    .await?;
    download::file(&data["exportPositions"])
}
