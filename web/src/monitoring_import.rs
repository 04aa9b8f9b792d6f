//! Spreadsheets for a district's monitoring page: the positions register and a year's
//! spending uploaded as XLSX or CSV, checked by the API, stored all or nothing; the report
//! lists every problem with row and column.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::monitoring::chosen_year;
use crate::monitoring_district::{render, View};
use crate::session::Caller;
use crate::{mutate_with, text, PageError, Upload, WebState};

const POSITIONS: &str = "mutation I($input: ImportPositionsInput!) { importPositions(input: $input) { ok stored rows created updated problems { row column message } } }";
const SPENDING: &str = "mutation I($input: ImportSpendingInput!) { importSpending(input: $input) { ok stored rows inserted corrected unchanged problems { row column message } } }";

/// The two upload forms; `upload.js` shows the upload's progress.
pub(crate) fn forms(base: &str, year: i32, token: &str) -> Markup {
    html! {
        form method="post" enctype="multipart/form-data" action={ (base) "/datei?jahr=" (year) } class="entry" data-upload {
            (crate::forms::token(token))
            h3 { "Aus einer Tabelle übernehmen" }
            p class="hint" {
                "Stellenregister: die Spalten der heruntergeladenen Tabelle; Zeilen mit Nr. ändern diese Stelle, Zeilen ohne Nr. legen eine an. "
                "Mittelabruf: Spalten „Säule“, „Quartal“ (leer: ganzes Jahr) und „Betrag“. Alles wird zuerst geprüft; gespeichert wird alles oder nichts."
            }
            fieldset {
                legend { "Was die Datei enthält" }
                div class="field check" { input type="radio" id="art-stellen" name="art" value="stellen" checked; label for="art-stellen" { "Stellenregister " (year) } }
                div class="field check" { input type="radio" id="art-abruf" name="art" value="abruf"; label for="art-abruf" { "Mittelabruf " (year) } }
            }
            div class="field" {
                label for="datei" { "Datei (XLSX oder CSV)" }
                input type="file" id="datei" name="datei" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
            }
            button type="submit" { "Datei prüfen und übernehmen" }
        }
    }
}

fn report(kind: &str, r: &Value) -> Markup {
    let problems = r["problems"].as_array().cloned().unwrap_or_default();
    html! {
        div class="report" role="status" id="bericht" {
            @if r["stored"] == true {
                p class="notice" { @if kind == "stellen" {
                    "Übernommen: " (r["created"]) " Stellen angelegt, " (r["updated"]) " geändert."
                } @else {
                    "Übernommen: " (r["inserted"]) " Beträge neu, " (r["corrected"]) " korrigiert, " (r["unchanged"]) " unverändert."
                } }
            } @else if problems.is_empty() {
                p { "Die Datei enthielt keine Zeilen; nichts wurde gespeichert." }
            } @else {
                h3 { "Die Datei wurde nicht übernommen" }
                p { (problems.len()) " Problem(e); nichts wurde gespeichert. Bitte in der Datei berichtigen und erneut hochladen." }
                table {
                    caption { "Probleme der Datei" }
                    thead { tr { th scope="col" { "Zeile" } th scope="col" { "Spalte" } th scope="col" { "Grund" } } }
                    tbody { @for p in &problems { tr {
                        td { @if p["row"].is_null() { "–" } @else { (p["row"]) } }
                        td { (p["column"].as_str().unwrap_or("–")) }
                        td { (text(p, "message")) }
                    } } }
                }
            }
        }
    }
}

pub async fn submit(
    State(state): State<WebState>,
    caller: Caller,
    Path(ags): Path<String>,
    Query(view): Query<View>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let year = chosen_year(view.jahr);
    let bad = || PageError::BadInput("Das Formular ist unvollständig oder zu groß.".into());
    let (mut token, mut kind, mut name, mut content) =
        (String::new(), String::new(), String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        match field.name().unwrap_or_default() {
            "token" => token = field.text().await.map_err(|_| bad())?,
            "art" => kind = field.text().await.map_err(|_| bad())?,
            "datei" => {
                name = field.file_name().unwrap_or("Datei").to_owned();
                content = field.bytes().await.map_err(|_| bad())?.to_vec();
            }
            _ => {}
        }
    }
    caller.check_form(
        &crate::forms::Form(vec![("token".into(), token)]),
        &format!("/bezirke/{ags}/monitoring?jahr={year}"),
    )?;
    caller.require_sign_in()?;
    let (document, key) = if kind == "abruf" {
        (SPENDING, "importSpending")
    } else {
        (POSITIONS, "importPositions")
    };
    let upload = Upload {
        variable: "variables.input.file".into(),
        value: async_graphql::UploadValue {
            filename: name,
            content_type: None,
            content: axum::body::Bytes::from(content),
        },
    };
    let input = json!({ "input": { "districtAgs": ags, "year": year, "file": null } });
    let shown = match mutate_with(&state, caller.viewer.clone(), document, input, Some(upload))
        .await?
    {
        Ok(data) => report(&kind, &data[key]),
        Err(found) => {
            html! { p class="field-error" role="alert" { (found.into_iter().map(|p| p.message).collect::<Vec<_>>().join(" ")) } }
        }
    };
    render(&state, &caller, &ags, year, "", None, Some(shown)).await
}
