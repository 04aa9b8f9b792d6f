//! Indicator import for a district: download the template, upload XLSX or CSV, read the
//! dry-run report (row, column, reason, the closest Kita name for unknown ones), then store
//! all or nothing. The checked file travels back in the confirmation form, so no instance has
//! to remember it.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::forms::{text_field, token, Problems};
use crate::session::Caller;
use crate::{html, layout, mutate_with, query, text, PageError, Upload, WebState};

const CONTEXT: &str = r#"query ImportSeite($ags: String!) {
  district(ags: $ags) { ags name }
  indicatorCurrency(districtAgs: $ags) { indicator { stateWide } latestYear }
}"#;

const IMPORT: &str = r#"mutation Import($input: ImportIndicatorValuesInput!) {
  importIndicatorValues(input: $input) {
    ok stored fileName rows values emptyCells inserted updated unchanged
    problems { row column message } warnings { row column message }
  }
}"#;

/// What the form sent.
#[derive(Default)]
struct Sent {
    token: String,
    year: String,
    reference_date: String,
    source: String,
    file_name: String,
    content: Vec<u8>,
    store: bool,
}

async fn read(mut multipart: Multipart) -> Result<Sent, PageError> {
    let bad = || PageError::BadInput("Das Formular ist unvollständig oder zu groß.".into());
    let mut sent = Sent::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "datei" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| bad())?;
                if !bytes.is_empty() {
                    sent.file_name = file_name;
                    sent.content = bytes.to_vec();
                }
            }
            "inhalt" => {
                let v = field.text().await.map_err(|_| bad())?;
                if sent.content.is_empty() && !v.is_empty() {
                    sent.content = base64::engine::general_purpose::STANDARD
                        .decode(v.trim())
                        .map_err(|_| bad())?;
                }
            }
            _ => {
                let v = field.text().await.map_err(|_| bad())?;
                match name.as_str() {
                    "token" => sent.token = v,
                    "jahr" => sent.year = v,
                    "stichtag" => sent.reference_date = v,
                    "quelle" => sent.source = v,
                    "dateiname" if sent.file_name.is_empty() => sent.file_name = v,
                    "speichern" => sent.store = v == "1",
                    _ => {}
                }
            }
        }
    }
    Ok(sent)
}

fn next_year(data: &Value) -> i64 {
    crate::district::latest_data_year(&data["indicatorCurrency"]).map_or(2026, |y| y + 1)
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
) -> Result<Response, PageError> {
    caller.require_sign_in()?;
    let data = query(
        &state,
        caller.viewer.clone(),
        CONTEXT,
        json!({ "ags": ags }),
    )
    .await?;
    if data["district"].is_null() {
        return Err(PageError::NotFound);
    }
    if !caller.viewer.can_write_district(&ags) {
        return Err(PageError::Forbidden(
            "Indikatorwerte importiert die Koordination des Bezirks.".into(),
        ));
    }
    let sent = Sent {
        year: next_year(&data).to_string(),
        source: String::new(),
        ..Sent::default()
    };
    Ok(render(
        &caller,
        &data["district"],
        &sent,
        &Problems::default(),
        None,
    ))
}

fn render(
    caller: &Caller,
    d: &Value,
    sent: &Sent,
    problems: &Problems,
    report: Option<&Value>,
) -> Response {
    let ags = text(d, "ags");
    let name = text(d, "name");
    let content = html! {
        p class="kind" { a href={ "/bezirke/" (ags) } { (name) } " · Daten" }
        h1 { "Indikatorwerte importieren" }
        ol {
            li { a href={ "/bezirke/" (ags) "/vorlage.xlsx" } download { "Vorlage herunterladen" } " (XLSX): alle Kitas des Bezirks, eine Spalte je Indikator." }
            li { "Werte eintragen; Anteile als Prozent oder Dezimalzahl, deutsche Zahlenformate sind in Ordnung." }
            li { "Datei hochladen und prüfen lassen: Es wird noch nichts gespeichert." }
            li { "Ist die Datei fehlerfrei, speichern: alle Werte in einem Schritt oder keiner." }
        }
        @if let Some(r) = report { (report_view(r, sent, caller, ags)) }
        @if report.is_none_or(|r| r["ok"].as_bool() != Some(true) || r["stored"].as_bool() == Some(true)) {
            h2 { @if report.is_some() { "Berichtigte Datei prüfen" } @else { "Datei prüfen" } }
            @if !problems.is_empty() { (problems.summary()) }
            form class="stack" method="post" action={ "/bezirke/" (ags) "/import" } enctype="multipart/form-data" id="import-form" {
                (token(&caller.form_token()))
                (text_field(problems, "jahr", "Datenjahr", &sent.year, "number", None, Some("Andere Jahre bleiben unberührt."), true))
                (text_field(problems, "stichtag", "Stichtag der Werte", &sent.reference_date, "date", None, Some("Eine Spalte „Stichtag“ in der Datei gilt für ihre Zeile."), true))
                (text_field(problems, "quelle", "Quelle", &sent.source, "text", None, Some("Zum Beispiel „Kita-Abfrage des Jugendamts“. Eine Spalte „Quelle“ gilt für ihre Zeile."), true))
                @let invalid = problems.of("datei");
                div class={ "field" @if invalid.is_some() { " invalid" } } {
                    label for="datei" { "Datei (XLSX oder CSV, höchstens 10 MB) (Pflichtfeld)" }
                    @if let Some(e) = invalid { p id="datei-fehler" class="field-error" { "Fehler: " (e) } }
                    input type="file" id="datei" name="datei" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        required aria-describedby=[invalid.map(|_| "datei-fehler")] aria-invalid=[invalid.map(|_| "true")];
                }
                button type="submit" { "Datei prüfen" }
                div id="fortschritt" role="status" aria-live="polite" {}
            }
            script src=(layout::UPLOAD_JS_PATH.as_str()) defer {}
        }
    };
    html(
        if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        layout::page(caller, &format!("Import: {name}"), content),
    )
}

fn problem_rows(list: &Value) -> Markup {
    html! {
        tbody {
            @for p in list.as_array().into_iter().flatten() {
                tr {
                    td class="num" { (p["row"].as_i64().map(|r| r.to_string()).unwrap_or_else(|| "–".into())) }
                    td { (p["column"].as_str().unwrap_or("–")) }
                    td { (text(p, "message")) }
                }
            }
        }
    }
}

fn report_view(r: &Value, sent: &Sent, caller: &Caller, ags: &str) -> Markup {
    let problems = r["problems"].as_array().map_or(0, Vec::len);
    let warnings = r["warnings"].as_array().map_or(0, Vec::len);
    html! {
        section aria-labelledby="bericht" {
            h2 id="bericht" { "Prüfbericht: " (text(r, "fileName")) }
            @if r["stored"].as_bool() == Some(true) {
                p class="notice" role="status" { strong { "Gespeichert. " } (r["inserted"]) " Werte neu, " (r["updated"]) " geändert, " (r["unchanged"]) " unverändert." }
                p { a href={ "/bezirke/" (ags) } { "Zur Seite des Bezirks" } " – dort finden Sie die Konzeptionen, um mit den neuen Daten zu rechnen." }
            } @else if r["ok"].as_bool() == Some(true) {
                p class="notice" role="status" { strong { "Die Datei ist fehlerfrei. " } (r["rows"]) " Zeilen mit " (r["values"]) " Werten; " (r["inserted"]) " neu, " (r["updated"]) " geändert, " (r["unchanged"]) " unverändert. Noch ist nichts gespeichert." }
                form method="post" action={ "/bezirke/" (ags) "/import" } enctype="multipart/form-data" {
                    (token(&caller.form_token()))
                    input type="hidden" name="jahr" value=(sent.year);
                    input type="hidden" name="stichtag" value=(sent.reference_date);
                    input type="hidden" name="quelle" value=(sent.source);
                    input type="hidden" name="dateiname" value=(sent.file_name);
                    input type="hidden" name="inhalt" value=(base64::engine::general_purpose::STANDARD.encode(&sent.content));
                    input type="hidden" name="speichern" value="1";
                    button type="submit" { "Jetzt speichern (alle Werte oder keiner)" }
                }
            } @else {
                p class="error-summary" role="alert" tabindex="-1" { strong { (problems) " Fehler" } " – es wurde nichts gespeichert. Berichtigen Sie die Datei und laden Sie sie noch einmal hoch." }
            }
            @if problems > 0 {
                div class="table-wrap" tabindex="0" role="region" aria-label="Fehler (seitlich verschiebbar)" { table {
                    caption { "Fehler in der Datei" }
                    thead { tr { th scope="col" class="num" { "Zeile" } th scope="col" { "Spalte" } th scope="col" { "Grund" } } }
                    (problem_rows(&r["problems"]))
                } }
            }
            @if warnings > 0 {
                div class="table-wrap" tabindex="0" role="region" aria-label="Hinweise (seitlich verschiebbar)" { table {
                    caption { "Hinweise (verhindern den Import nicht)" }
                    thead { tr { th scope="col" class="num" { "Zeile" } th scope="col" { "Spalte" } th scope="col" { "Hinweis" } } }
                    (problem_rows(&r["warnings"]))
                } }
            }
        }
    }
}

fn field_of(path: &str) -> String {
    match path.trim_start_matches("input.") {
        "year" => "jahr",
        "referenceDate" => "stichtag",
        "source" => "quelle",
        _ => "datei",
    }
    .into()
}

pub async fn submit(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let sent = read(multipart).await?;
    let back = format!("/bezirke/{ags}/import");
    caller.check_form(
        &crate::forms::Form(vec![("token".into(), sent.token.clone())]),
        &back,
    )?;
    caller.require_sign_in()?;
    let data = query(
        &state,
        caller.viewer.clone(),
        CONTEXT,
        json!({ "ags": ags }),
    )
    .await?;
    let d = &data["district"];
    if d.is_null() {
        return Err(PageError::NotFound);
    }
    let mut problems = Problems::default();
    let year: Option<i32> = sent.year.trim().parse().ok();
    if year.is_none() {
        problems.add("jahr", "Bitte ein Jahr angeben, z. B. 2026.");
    }
    if chrono::NaiveDate::parse_from_str(sent.reference_date.trim(), "%Y-%m-%d").is_err() {
        problems.add(
            "stichtag",
            "Bitte einen Stichtag angeben (Tag, Monat, Jahr).",
        );
    }
    if sent.source.trim().is_empty() {
        problems.add("quelle", "Bitte die Quelle der Werte nennen.");
    }
    if sent.content.is_empty() {
        problems.add(
            "datei",
            "Bitte eine Datei auswählen; die gewählte ist leer.",
        );
    }
    if !problems.is_empty() {
        return Ok(render(&caller, d, &sent, &problems, None));
    }
    let input = json!({
        "districtAgs": ags,
        "year": year,
        "file": null,
        "referenceDate": sent.reference_date.trim(),
        "source": sent.source.trim(),
        "dryRun": !sent.store,
    });
    let upload = Upload {
        variable: "variables.input.file".into(),
        value: async_graphql::UploadValue {
            filename: if sent.file_name.is_empty() {
                "Datei".into()
            } else {
                sent.file_name.clone()
            },
            content_type: None,
            content: axum::body::Bytes::from(sent.content.clone()),
        },
    };
    match mutate_with(
        &state,
        caller.viewer.clone(),
        IMPORT,
        json!({ "input": input }),
        Some(upload),
    )
    .await?
    {
        Ok(data) => Ok(render(
            &caller,
            d,
            &sent,
            &problems,
            Some(&data["importIndicatorValues"]),
        )),
        Err(found) => {
            problems.add_all(found, field_of);
            Ok(render(&caller, d, &sent, &problems, None))
        }
    }
}

/// The district's template.
pub async fn template(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
) -> Result<Response, PageError> {
    let data = query(
        &state,
        caller.viewer.clone(),
        "query V($ags: String!) { indicatorTemplate(districtAgs: $ags) { fileName mediaType contentBase64 } }",
        json!({ "ags": ags }),
    )
    .await?;
    crate::download::file(&data["indicatorTemplate"])
}
