//! A concept's page: a draft as an editor with a what-if preview beside it (recomputed on
//! change with JavaScript, by a button without), a decided concept read-only with „als Entwurf
//! kopieren“; for the district's coordinator, running it with a year's data.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::concept_form::{self as cf, Fields};
use crate::forms::{select, text_field, token, Form, Problems};
use crate::numbers::{decimal, euro, raw};
use crate::session::Caller;
use crate::{
    german_date, html, layout, missing_if_bad_id, mutate, query, text, PageError, WebState,
};

const CONCEPT: &str = r#"query Konzeption($id: ID!) {
  concept(id: $id) {
    id name status decidedOn validFrom validTo version document
    derivedFrom { id name }
    district { ags name }
  }
}"#;

const CONTEXT: &str = r#"query KonzeptionDaten($ags: String!) {
  indicatorDefinitions(districtAgs: $ags) { key label level stateWide }
  indicatorCurrency(districtAgs: $ags) { indicator { stateWide } latestYear }
  allocationRuns(districtAgs: $ags) { id year official createdAt concept { id } }
}"#;

const PREVIEW: &str = r#"query Vorschau($ags: String!, $year: Int!, $document: JSON!) {
  previewAllocation(districtAgs: $ags, dataYear: $year, document: $document) {
    year budget allocated
    pillars { id name budget allocated leftover fte }
    measures { kitasReached kitasTotal giniPerPlace shareToTopQuarter needCorrelation }
    kitas { name amount pillars { pillarId eligible } }
  }
}"#;

struct Loaded {
    concept: Value,
    context: Value,
}

async fn load(state: &WebState, caller: &Caller, id: &str) -> Result<Loaded, PageError> {
    let data = query(state, caller.viewer.clone(), CONCEPT, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let concept = data["concept"].clone();
    if concept.is_null() {
        return Err(PageError::NotFound);
    }
    let ags = text(&concept["district"], "ags").to_owned();
    let context = query(state, caller.viewer.clone(), CONTEXT, json!({ "ags": ags })).await?;
    Ok(Loaded { concept, context })
}

fn latest_year(context: &Value) -> i64 {
    crate::district::latest_data_year(&context["indicatorCurrency"]).unwrap_or(2025)
}

fn indicators(context: &Value) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "–".to_owned())];
    out.extend(
        context["indicatorDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["level"] != "DISTRICT")
            .map(|d| (text(d, "key").to_owned(), text(d, "label").to_owned())),
    );
    out
}

fn pillar_count(concept: &Value) -> usize {
    concept["document"]["pillars"]
        .as_array()
        .map_or(0, Vec::len)
}

fn term_count(concept: &Value) -> usize {
    concept["document"]["need_index"]["terms"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The preview of a document with a year's data; problems at their fields when it does not
/// compute, or when a pillar's rule selects no Kita.
async fn preview(
    state: &WebState,
    caller: &Caller,
    ags: &str,
    year: i64,
    document: &Value,
    problems: &mut Problems,
) -> Result<Option<Value>, PageError> {
    match mutate(
        state,
        caller.viewer.clone(),
        PREVIEW,
        json!({ "ags": ags, "year": year, "document": document }),
    )
    .await?
    {
        Ok(data) => {
            let p = data["previewAllocation"].clone();
            let pillars = p["pillars"].as_array().cloned().unwrap_or_default();
            for (i, pillar) in pillars.iter().enumerate() {
                let any = p["kitas"].as_array().into_iter().flatten().any(|k| {
                    k["pillars"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|kp| kp["pillarId"] == pillar["id"] && kp["eligible"] == true)
                });
                if !any {
                    problems.add(
                        &format!("p{i}_bedingung0"),
                        "Diese Regel wählt keine Kita aus; die Säule bliebe unverteilt.",
                    );
                }
            }
            Ok(Some(p))
        }
        Err(found) => {
            problems.add_all(found, cf::field_of);
            Ok(None)
        }
    }
}

fn preview_view(p: Option<&Value>, year: i64) -> Markup {
    html! {
        h2 id="vorschau-titel" { "Was wäre, wenn: Vorschau mit den Daten " (year) }
        @match p {
            None => p { "Keine Vorschau: Die Angaben enthalten Fehler (siehe oben)." },
            Some(p) => {
                p { "Verteilt " strong { (euro(&raw(p, "allocated"))) } " von " (euro(&raw(p, "budget"))) "; "
                    (p["measures"]["kitasReached"]) " von " (p["measures"]["kitasTotal"]) " Kitas erreicht; Gini je Platz " (decimal(&raw(&p["measures"], "giniPerPlace"), 3)) "." }
                table {
                    caption { "Säulen in der Vorschau" }
                    thead { tr { th scope="col" { "Säule" } th scope="col" class="num" { "Budget" } th scope="col" class="num" { "verteilt" } th scope="col" class="num" { "VZÄ" } } }
                    tbody { @for s in p["pillars"].as_array().into_iter().flatten() {
                        tr { th scope="row" { (text(s, "name")) } td class="num" { (euro(&raw(s, "budget"))) } td class="num" { (euro(&raw(s, "allocated"))) } td class="num" { (decimal(&raw(s, "fte"), 2)) } }
                    } }
                }
                details {
                    summary { "Beträge je Kita in der Vorschau" }
                    table {
                        caption { "Beträge je Kita" }
                        thead { tr { th scope="col" { "Kita" } th scope="col" class="num" { "Betrag" } } }
                        tbody { @for k in p["kitas"].as_array().into_iter().flatten() { tr { td { (text(k, "name")) } td class="num" { (euro(&raw(k, "amount"))) } } } }
                    }
                }
            }
        }
    }
}

fn editor(
    c: &Value,
    context: &Value,
    f: &Fields,
    problems: &Problems,
    caller: &Caller,
    year: i64,
) -> Markup {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default().to_owned();
    let indicator_options = indicators(context);
    let ind: Vec<(&str, &str)> = indicator_options
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let pillars = pillar_count(c) + 1;
    let terms = term_count(c) + 1;
    let id = text(c, "id");
    let field = |id: &str, label: &str, hint: Option<&str>| {
        text_field(problems, id, label, &get(id), "text", None, hint, false)
    };
    html! {
        @if !problems.is_empty() { (problems.summary()) }
        form class="stack concept-form" method="post" action={ "/konzeptionen/" (id) } id="konzeption-form" data-preview={ "/konzeptionen/" (id) "/vorschau" } {
            (token(&caller.form_token()))
            input type="hidden" name="version" value=(c["version"]);
            (text_field(problems, "name", "Name der Konzeption", &get("name"), "text", None, None, true))
            (text_field(problems, "datenjahr", "Datenjahr der Vorschau", &year.to_string(), "number", None, None, false))
            @for i in 0..pillars {
                @let pre = format!("p{i}");
                fieldset {
                    legend { @if i < pillars - 1 { "Säule " (i + 1) } @else { "Neue Säule (leer lassen, wenn keine)" } }
                    (field(&format!("{pre}_name"), "Name der Säule", None))
                    (select(problems, &format!("{pre}_budget_art"), "Budget als", cf::BUDGET_KINDS, &get(&format!("{pre}_budget_art"))))
                    (field(&format!("{pre}_budget_wert"), "Budget", Some("Anteil in Prozent, Betrag in Euro oder Zahl der Vollzeitstellen")))
                    (select(problems, &format!("{pre}_methode"), "Verfahren", cf::METHODS, &get(&format!("{pre}_methode"))))
                    (select(problems, &format!("{pre}_einheit_indikator"), "Indikator (nur bei „je Einheit“)", &ind, &get(&format!("{pre}_einheit_indikator"))))
                    (field(&format!("{pre}_einheit_betrag"), "Betrag je Einheit (€)", None))
                    fieldset {
                        legend { "Wer erhält Mittel" }
                        (select(problems, &format!("{pre}_verknuepfung"), "Bedingungen verknüpfen mit", &[("and", "und (alle müssen gelten)"), ("or", "oder (eine genügt)")], &get(&format!("{pre}_verknuepfung"))))
                        @for j in 0..cf::CONDITION_SLOTS {
                            div class="condition" {
                                (select(problems, &format!("{pre}_bedingung{j}"), &format!("Bedingung {}", j + 1), cf::CONDITIONS, &get(&format!("{pre}_bedingung{j}"))))
                                (field(&format!("{pre}_wert{j}"), &format!("Wert zu Bedingung {}", j + 1), None))
                                (select(problems, &format!("{pre}_indikator{j}"), &format!("Indikator zu Bedingung {}", j + 1), &ind, &get(&format!("{pre}_indikator{j}"))))
                            }
                        }
                    }
                    (select(problems, &format!("{pre}_deckel_art"), "Obergrenze je Kita", cf::LIMITS, &get(&format!("{pre}_deckel_art"))))
                    (field(&format!("{pre}_deckel_wert"), "Obergrenze", None))
                    (select(problems, &format!("{pre}_boden_art"), "Untergrenze je Kita", cf::LIMITS, &get(&format!("{pre}_boden_art"))))
                    (field(&format!("{pre}_boden_wert"), "Untergrenze", None))
                    (select(problems, &format!("{pre}_boden_regel"), "Unter der Untergrenze", &[("lift", "anheben"), ("drop", "nichts geben")], &get(&format!("{pre}_boden_regel"))))
                    div class="field check" {
                        input type="checkbox" id={ (pre) "_stellen" } name={ (pre) "_stellen" } value="ja" checked[!get(&format!("{pre}_stellen")).is_empty()];
                        label for={ (pre) "_stellen" } { "In Stellen (Vollzeitäquivalente) vergeben" }
                    }
                    (field(&format!("{pre}_kosten"), "Kosten je Vollzeitstelle (€ im Jahr)", None))
                    (field(&format!("{pre}_schritt"), "Stellenschritt (VZÄ)", Some("z. B. 0,25 oder 0,1")))
                    (field(&format!("{pre}_mindest"), "Mindeststelle je Kita (VZÄ)", None))
                    (field(&format!("{pre}_stunden"), "Wochenstunden einer Vollzeitstelle", None))
                    (field(&format!("{pre}_kostenrolle"), "Kostenrolle", Some("Der gespeicherte Kostensatz dieser Rolle ersetzt die Kosten je Stelle, z. B. kita_sozialarbeit")))
                    @if i < pillars - 1 {
                        div class="field check" {
                            input type="checkbox" id={ (pre) "_entfernen" } name={ (pre) "_entfernen" } value="ja";
                            label for={ (pre) "_entfernen" } { "Diese Säule entfernen" }
                        }
                    }
                }
            }
            fieldset {
                legend { "Bedarfsindex" }
                @for j in 0..terms {
                    div class="condition" {
                        (select(problems, &format!("t{j}_indikator"), &format!("Indikator {}", j + 1), &ind, &get(&format!("t{j}_indikator"))))
                        (field(&format!("t{j}_gewicht"), &format!("Gewicht {}", j + 1), None))
                        (select(problems, &format!("t{j}_normierung"), &format!("Vergleich {}", j + 1), cf::NORMALIZATIONS, &get(&format!("t{j}_normierung"))))
                        (select(problems, &format!("t{j}_richtung"), &format!("Richtung {}", j + 1), cf::DIRECTIONS, &get(&format!("t{j}_richtung"))))
                    }
                }
                (select(problems, "fehlend", "Fehlende Werte", cf::MISSING, &get("fehlend")))
            }
            fieldset {
                legend { "Kofinanzierung" }
                (field("foerderquote", "Förderquote des Landes (%)", Some("60 % nach § 25 KiTaG")))
                (field("traegeranteil", "Anteil der Träger am Eigenanteil (%)", None))
            }
            div class="actions" {
                button type="submit" name="aktion" value="vorschau" { "Vorschau berechnen" }
                button type="submit" name="aktion" value="speichern" { "Entwurf speichern" }
            }
        }
    }
}

fn labels_of(context: &Value) -> impl Fn(&str) -> String + '_ {
    move |key: &str| {
        context["indicatorDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["key"] == key)
            .map(|d| text(d, "label").to_owned())
            .unwrap_or_else(|| key.to_owned())
    }
}

#[allow(clippy::too_many_arguments)]
fn render(
    caller: &Caller,
    loaded: &Loaded,
    fields: &Fields,
    problems: &Problems,
    preview_result: Option<&Value>,
    year: i64,
    notice: Option<&str>,
) -> Response {
    let c = &loaded.concept;
    let ags = text(&c["district"], "ags");
    let writer = caller.viewer.can_write_district(ags);
    let draft = c["status"] == "DRAFT";
    let name = text(c, "name").to_owned();
    let runs: Vec<Value> = loaded.context["allocationRuns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["concept"]["id"] == c["id"])
        .cloned()
        .collect();
    let labels = labels_of(&loaded.context);
    // The editor shows its own summary; elsewhere (running a decided concept) it goes on top.
    let editing = draft && writer;
    let summary_on_top = !problems.is_empty() && !editing;
    let content = html! {
        p class="kind" { a href={ "/bezirke/" (ags) } { (text(&c["district"], "name")) } " · Konzeption · " (crate::profiles::label(crate::district::STATUS, text(c, "status"))) }
        h1 { (name) }
        @if let Some(n) = notice { p class="notice" role="status" { (n) } }
        @if summary_on_top { (problems.summary()) }
        @if let Some(d) = c["decidedOn"].as_str() { p { "Beschlossen vom Jugendhilfeausschuss am " (german_date(d)) ". Beschlossene Konzeptionen sind unveränderlich." } }
        @if let Some(from) = c["derivedFrom"]["id"].as_str() { p class="hint" { "Abgeleitet von " a href={ "/konzeptionen/" (from) } { (text(&c["derivedFrom"], "name")) } "." } }
        @if writer {
            div class="actions" {
                form method="post" action={ "/konzeptionen/" (text(c, "id")) "/rechnen" } class="inline-form" {
                    (token(&caller.form_token()))
                    label for="rechnen-jahr" { "Datenjahr" }
                    input type="number" id="rechnen-jahr" name="jahr" value=(year) min="2021" max="2100";
                    button type="submit" { "Mit diesen Daten rechnen und speichern" }
                }
                @if !draft {
                    form method="post" action={ "/konzeptionen/" (text(c, "id")) "/kopieren" } class="inline-form" {
                        (token(&caller.form_token()))
                        button type="submit" { "Als Entwurf kopieren" }
                    }
                }
            }
        }
        @if draft && writer {
            div class="two-cols" {
                div { (editor(c, &loaded.context, fields, problems, caller, year)) }
                aside id="vorschau" aria-live="polite" aria-labelledby="vorschau-titel" { (preview_view(preview_result, year)) }
            }
            script src=(layout::PREVIEW_JS_PATH.as_str()) defer {}
        } @else {
            h2 { "Regelwerk" }
            (crate::describe::concept(&c["document"], &labels))
        }
        h2 { "Läufe dieser Konzeption" }
        @if runs.is_empty() { p { "Noch keine Läufe." } }
        @else {
            ul { @for r in &runs { li { a href={ "/laeufe/" (text(r, "id")) } { (crate::runs::run_title(&json!({ "official": r["official"], "year": r["year"], "createdAt": r["createdAt"], "district": c["district"] }))) } } } }
        }
    };
    html(
        if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        layout::wide_page(caller, &name, content),
    )
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let loaded = load(&state, &caller, &id).await?;
    let c = &loaded.concept;
    let fields = stored_fields(c);
    let year = latest_year(&loaded.context);
    let ags = text(&c["district"], "ags").to_owned();
    let mut problems = Problems::default();
    let shown = if c["status"] == "DRAFT" && caller.viewer.can_write_district(&ags) {
        preview(&state, &caller, &ags, year, &c["document"], &mut problems).await?
    } else {
        None
    };
    Ok(render(
        &caller,
        &loaded,
        &fields,
        &problems,
        shown.as_ref(),
        year,
        None,
    ))
}

/// What the submitted form means: the document, the year of the preview, the problems.
fn read_form(form: &Form, loaded: &Loaded) -> (Value, i64, Problems) {
    let mut problems = Problems::default();
    let c = &loaded.concept;
    let doc = cf::document_of(
        form,
        &c["document"],
        pillar_count(c) + 1,
        term_count(c) + 1,
        &mut problems,
    );
    if form.get("name").trim().is_empty() {
        problems.add("name", "Bitte die Konzeption benennen.");
    }
    let year = match form.get("datenjahr").trim().parse::<i64>() {
        Ok(y) if (2021..=2100).contains(&y) => y,
        _ => {
            problems.add("datenjahr", "Bitte ein Jahr ab 2021 angeben.");
            latest_year(&loaded.context)
        }
    };
    (doc, year, problems)
}

/// The editor's fields of a stored concept.
fn stored_fields(c: &Value) -> Fields {
    let mut fields = cf::fields_of(&c["document"]);
    fields.insert("name".into(), text(c, "name").to_owned());
    fields
}

/// A submitted form read and, when it reads, previewed: the document, the preview's year, the
/// problems (of the form and of the computation) and the preview.
async fn checked(
    state: &WebState,
    caller: &Caller,
    form: &Form,
    loaded: &Loaded,
) -> Result<(Value, i64, Problems, Option<Value>), PageError> {
    let (doc, year, mut problems) = read_form(form, loaded);
    let ags = text(&loaded.concept["district"], "ags");
    let shown = if problems.is_empty() {
        preview(state, caller, ags, year, &doc, &mut problems).await?
    } else {
        None
    };
    Ok((doc, year, problems, shown))
}

fn fields_of_form(form: &Form) -> Fields {
    form.0.iter().cloned().collect()
}

/// Only drafts change; a forged request for a decided concept is refused here and by the API.
fn require_draft(loaded: &Loaded, caller: &Caller) -> Result<(), PageError> {
    let ags = text(&loaded.concept["district"], "ags");
    if !caller.viewer.can_write_district(ags) {
        return Err(PageError::Forbidden(
            "Konzeptionen bearbeitet die Koordination des Bezirks.".into(),
        ));
    }
    if loaded.concept["status"] != "DRAFT" {
        return Err(PageError::Forbidden(
            "Diese Konzeption ist beschlossen und damit unveränderlich. Kopieren Sie sie als Entwurf, um sie zu ändern.".into(),
        ));
    }
    Ok(())
}

pub async fn save(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    let back = format!("/konzeptionen/{id}");
    caller.check_form(&form, &back)?;
    caller.require_sign_in()?;
    let loaded = load(&state, &caller, &id).await?;
    require_draft(&loaded, &caller)?;
    let (doc, year, mut problems, shown) = checked(&state, &caller, &form, &loaded).await?;
    let fields = fields_of_form(&form);
    if form.get("aktion") != "speichern" || !problems.is_empty() {
        return Ok(render(
            &caller,
            &loaded,
            &fields,
            &problems,
            shown.as_ref(),
            year,
            None,
        ));
    }
    let version: i64 = form.get("version").parse().unwrap_or(0);
    match mutate(
        &state,
        caller.viewer.clone(),
        "mutation U($input: UpdateConceptInput!) { updateConcept(input: $input) { id } }",
        json!({ "input": { "id": id, "version": version, "name": form.get("name").trim(), "document": doc } }),
    )
    .await?
    {
        Ok(_) => {
            let loaded = load(&state, &caller, &id).await?;
            Ok(render(&caller, &loaded, &fields, &problems, shown.as_ref(), year, Some("Der Entwurf ist gespeichert.")))
        }
        Err(found) => {
            problems.add_all(found, cf::field_of);
            Ok(render(&caller, &loaded, &fields, &problems, shown.as_ref(), year, None))
        }
    }
}

/// The preview alone, for `preview.js`: the same form, answered with the preview's HTML.
pub async fn preview_fragment(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    caller.check_form(&form, &format!("/konzeptionen/{id}"))?;
    let loaded = load(&state, &caller, &id).await?;
    require_draft(&loaded, &caller)?;
    let (_, year, problems, shown) = checked(&state, &caller, &form, &loaded).await?;
    let markup = html! {
        @if !problems.is_empty() { (problems.summary()) }
        (preview_view(shown.as_ref(), year))
    };
    Ok(html(StatusCode::OK, markup))
}

pub async fn copy(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    caller.check_form(&form, &format!("/konzeptionen/{id}"))?;
    caller.require_sign_in()?;
    let loaded = load(&state, &caller, &id).await?;
    let name = format!("{} (Entwurf)", text(&loaded.concept, "name"));
    match mutate(
        &state,
        caller.viewer.clone(),
        "mutation C($input: CopyConceptInput!) { copyConcept(input: $input) { id } }",
        json!({ "input": { "id": id, "name": name } }),
    )
    .await?
    {
        Ok(data) => Ok(Redirect::to(&format!(
            "/konzeptionen/{}",
            text(&data["copyConcept"], "id")
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

pub async fn run(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    caller.check_form(&form, &format!("/konzeptionen/{id}"))?;
    caller.require_sign_in()?;
    let year: i64 = form
        .get("jahr")
        .trim()
        .parse()
        .map_err(|_| PageError::BadInput("Bitte ein Datenjahr angeben.".into()))?;
    match mutate(
        &state,
        caller.viewer.clone(),
        "mutation R($id: ID!, $year: Int!) { runAllocation(conceptId: $id, dataYear: $year) { id } }",
        json!({ "id": id, "year": year }),
    )
    .await?
    {
        Ok(data) => Ok(Redirect::to(&format!("/laeufe/{}", text(&data["runAllocation"], "id"))).into_response()),
        Err(found) => {
            let loaded = load(&state, &caller, &id).await?;
            let c = &loaded.concept;
            let fields = stored_fields(c);
            let mut problems = Problems::default();
            problems.add_all(found, |_| "rechnen-jahr".into());
            Ok(render(&caller, &loaded, &fields, &problems, None, year, None))
        }
    }
}
