//! Role profiles (Aufgabenprofile): the list with filters, a profile with its revisions, taking
//! a profile over into one's own district, the edit form, and two profiles (or two revisions)
//! side by side with the added, removed and changed tasks marked in words, not colour alone.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::forms::{self, Form, Problems};
use crate::profile_edit::s;
use crate::session::Caller;
use crate::{
    german_day, html, layout, missing_if_bad_id, mutate, query, strings, text, PageError, WebState,
};

pub const ROLES: &[(&str, &str)] = &[
    ("KITA_SOZIALARBEIT", "Kita-Sozialarbeit"),
    ("KOORDINATION", "Koordination"),
    ("INTERKULTURELLE_FACHKRAFT", "Interkulturelle Fachkraft"),
    ("NETZWERKER", "Netzwerker:in"),
    ("KITA_LOTSE", "Kita-Lotse"),
    ("OTHER", "Andere Rolle"),
];
pub(crate) const WAYS: &[(&str, &str)] = &[
    ("LOTSENFUNKTION", "Lotsenfunktion"),
    ("EINZELFALLARBEIT", "Einzelfallarbeit"),
    ("GRUPPENANGEBOTE", "Gruppenangebote"),
    ("FAMILIENZENTRUM", "Familienzentrum"),
    ("VERNETZUNG", "Vernetzung"),
];
pub const EMPLOYERS: &[(&str, &str)] = &[
    ("", "keine Angabe"),
    ("JUGENDAMT", "Jugendamt"),
    ("KITA_TRAEGER", "Kita-Träger"),
    (
        "FREIER_TRAEGER_OHNE_KITA",
        "Freier Träger ohne eigene Kitas",
    ),
];
pub(crate) const PUBLICATIONS: &[(&str, &str)] = &[
    ("PUBLIC", "Öffentlich: alle, auch ohne Anmeldung"),
    ("REGISTERED", "Alle angemeldeten Nutzer:innen"),
    ("DISTRICT", "Nur der eigene Bezirk"),
];
pub(crate) const STATUSES: &[(&str, &str)] =
    &[("DRAFT", "Entwurf"), ("PUBLISHED", "Veröffentlicht")];

pub fn label<'a>(options: &'a [(&str, &'a str)], value: &str) -> &'a str {
    options
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

pub(crate) const ME: &str = r#"query Ich { me { role district { id ags name } } }"#;

const LIST: &str = r#"query Profile($filter: DocumentFilter, $role: ProfileRole, $after: String) {
  districts { ags name }
  roleProfiles(filter: $filter, role: $role, first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id title roleLabel status updatedAt reuseCount district { name } }
  }
}"#;

const ONE: &str = r#"query Profil($id: ID!) {
  me { role district { id ags } }
  roleProfile(id: $id) {
    id title roleLabel role status publication tags version revision updatedAt
    district { ags name }
    purposeHtml
    tasks { key text }
    targetGroups waysOfWorking
    accessProfile { qualifications lateralEntry notes }
    fte kitasServed employer lineSupervision professionalSupervision cooperationPartners
    forkedFrom { revision profile { id title district { name } } }
    reuseCount reuses { at district { name } profile { id } }
    revisions { id revision title status savedAt }
  }
  roleProfiles(first: 100) { nodes { id title district { name } } }
}"#;

const FORK: &str = r#"mutation Uebernehmen($input: ForkRoleProfileInput!) {
  forkRoleProfile(input: $input) { id }
}"#;

const COMPARE: &str = r#"query Vergleich($a: ID!, $b: ID!) {
  compareRoleProfiles(a: $a, b: $b) {
    identical taskOrderChanged
    tasksAdded { key text } tasksRemoved { key text } tasksChanged { key before after }
    fields { label before after }
    a { ...Seite } b { ...Seite }
  }
}
fragment Seite on ComparedProfile {
  revision title
  profile { id title revision district { name } tasks { key text } revisions { revision tasks { key text } } }
}"#;

#[derive(Deserialize, Default)]
pub struct ListParams {
    bezirk: Option<String>,
    rolle: Option<String>,
    status: Option<String>,
    nach: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let mut filter = json!({});
    if let Some(b) = nonempty(&params.bezirk) {
        filter["districtAgs"] = json!(b);
    }
    if let Some(s) = nonempty(&params.status) {
        if STATUSES.iter().any(|(v, _)| *v == s) {
            filter["status"] = json!(s);
        }
    }
    let role = nonempty(&params.rolle).filter(|r| ROLES.iter().any(|(v, _)| v == r));
    let data = query(
        &state,
        caller.viewer.clone(),
        LIST,
        json!({ "filter": filter, "role": role, "after": nonempty(&params.nach) }),
    )
    .await?;
    let conn = &data["roleProfiles"];
    let nodes = conn["nodes"].as_array().cloned().unwrap_or_default();
    let districts = data["districts"].as_array().cloned().unwrap_or_default();
    let mut district_options: Vec<(String, String)> = vec![(String::new(), "alle Bezirke".into())];
    district_options.extend(
        districts
            .iter()
            .map(|d| (text(d, "ags").to_owned(), text(d, "name").to_owned())),
    );
    let district_refs: Vec<(&str, &str)> = district_options
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut roles = vec![("", "alle Rollen")];
    roles.extend_from_slice(ROLES);
    let statuses = [
        ("", "alle"),
        ("DRAFT", "Entwurf"),
        ("PUBLISHED", "Veröffentlicht"),
    ];
    let none = Problems::default();
    let content = html! {
        h1 { "Aufgabenprofile" }
        p {
            "Wie Bezirke die Stellen aus dem Sozialraumbudget beschreiben: Aufgaben, Zielgruppen, "
            "Anstellung und Aufsicht. Veröffentlichte Profile anderer Bezirke können Sie in Ihren "
            "Bezirk übernehmen und anpassen."
        }
        form method="get" action="/profile" class="filters" {
            (forms::select(&none, "bezirk", "Bezirk", &district_refs, nonempty(&params.bezirk).unwrap_or("")))
            (forms::select(&none, "rolle", "Rolle", &roles, role.unwrap_or("")))
            (forms::select(&none, "status", "Status", &statuses, nonempty(&params.status).unwrap_or("")))
            button type="submit" { "Filtern" }
        }
        p role="status" { (conn["totalCount"]) " Profile" }
        @if nodes.is_empty() {
            p { "Keine Profile mit diesen Filtern. " a href="/profile" { "Alle Profile zeigen" } }
        } @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Tabelle (seitlich verschiebbar)" { table {
                caption class="visually-hidden" { "Aufgabenprofile" }
                thead { tr {
                    th scope="col" { "Titel" } th scope="col" { "Rolle" } th scope="col" { "Bezirk" }
                    th scope="col" { "Status" } th scope="col" { "Geändert" } th scope="col" { "Übernommen" }
                } }
                tbody {
                    @for p in &nodes {
                        tr {
                            td { a href={ "/profile/" (text(p, "id")) } { (text(p, "title")) } }
                            td { (text(p, "roleLabel")) }
                            td { (p["district"]["name"].as_str().unwrap_or("–")) }
                            td { (label(STATUSES, text(p, "status"))) }
                            td { (german_day(p, "updatedAt")) }
                            td { (p["reuseCount"]) "×" }
                        }
                    }
                }
            } }
            @if conn["pageInfo"]["hasNextPage"] == true {
                p class="pager" {
                    a href={ "/profile?bezirk=" (nonempty(&params.bezirk).unwrap_or("")) "&rolle=" (role.unwrap_or(""))
                        "&status=" (nonempty(&params.status).unwrap_or("")) "&nach=" (layout::urlencode(text(&conn["pageInfo"], "endCursor"))) } { "Weitere Profile" }
                }
            }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, "Aufgabenprofile", content),
    ))
}

/// Whether the caller may edit profiles of `ags` (the API decides; this only offers the link).
pub(crate) fn may_edit(me: &Value, ags: &str) -> bool {
    match text(me, "role") {
        "ADMIN" => true,
        "COORDINATOR" => me["district"]["ags"].as_str() == Some(ags),
        _ => false,
    }
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let data = query(&state, caller.viewer.clone(), ONE, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let p = &data["roleProfile"];
    let me = &data["me"];
    let ags = text(&p["district"], "ags");
    let editable = may_edit(me, ags);
    let can_fork = text(me, "role") == "COORDINATOR"
        && me["district"]["ags"].as_str() != Some(ags)
        && text(p, "status") == "PUBLISHED";
    let revisions = p["revisions"].as_array().cloned().unwrap_or_default();
    let others: Vec<Value> = data["roleProfiles"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|o| text(o, "id") != text(p, "id"))
        .collect();
    let token = caller.form_token();
    let title = text(p, "title").to_owned();
    let content = html! {
        p class="kind" { "Aufgabenprofil · " (text(p, "roleLabel")) }
        h1 { (title) }
        dl class="facts" {
            dt { "Bezirk" } dd { (p["district"]["name"].as_str().unwrap_or("–")) }
            dt { "Status" } dd { (label(STATUSES, text(p, "status"))) ", Fassung " (p["revision"]) }
            dt { "Sichtbar für" } dd { (label(PUBLICATIONS, text(p, "publication"))) }
            @if let Some(o) = p["forkedFrom"].as_object() {
                dt { "Übernommen aus" }
                dd {
                    @if let Some(orig) = o.get("profile").filter(|x| !x.is_null()) {
                        a href={ "/profile/" (text(orig, "id")) } { (text(orig, "title")) }
                        " (" (orig["district"]["name"].as_str().unwrap_or("")) ", Fassung " (o["revision"]) ") · "
                        a href={ "/profile/vergleich?a=" (text(orig, "id")) "&b=" (text(p, "id")) } { "Mit dem Original vergleichen" }
                    } @else { "einem Profil, das nicht mehr sichtbar ist" }
                }
            }
            @if p["reuseCount"].as_i64().unwrap_or(0) > 0 {
                dt { "Nachgenutzt" } dd { (p["reuseCount"]) "-mal" }
            }
        }
        div class="actions" {
            @if editable {
                a class="button" href={ "/profile/" (text(p, "id")) "/bearbeiten" } { "Bearbeiten" }
            }
            @if can_fork {
                form method="post" action={ "/profile/" (text(p, "id")) "/uebernehmen" } class="inline" {
                    (forms::token(&token))
                    button type="submit" { "In meinen Bezirk übernehmen" }
                }
            } @else if !caller.signed_in() {
                p class="hint" { "Zum Übernehmen in Ihren Bezirk bitte " a href={ "/anmelden?weiter=" (layout::urlencode(&caller.here)) } { "anmelden" } "." }
            }
        }
        @if let Some(h) = p["purposeHtml"].as_str() {
            h2 { "Ziel und Zweck" }
            div class="prose" { (PreEscaped(h)) }
        }
        h2 { "Aufgaben" }
        (task_list(&p["tasks"], &[], ""))
        @let groups = strings(&p["targetGroups"]);
        @if !groups.is_empty() { h2 { "Zielgruppen" } ul { @for g in &groups { li { (g) } } } }
        @let ways = strings(&p["waysOfWorking"]);
        @if !ways.is_empty() { h2 { "Arbeitsweisen" } ul { @for w in &ways { li { (label(WAYS, w)) } } } }
        h2 { "Rahmen" }
        dl class="facts" {
            @if let Some(f) = p["fte"].as_str() { dt { "Umfang" } dd { (f.replace('.', ",")) " VZÄ" } }
            @if let Some(n) = p["kitasServed"].as_i64() { dt { "Kitas" } dd { (n) } }
            @if let Some(e) = p["employer"].as_str() { dt { "Anstellung" } dd { (label(EMPLOYERS, e)) } }
            @if let Some(s) = p["lineSupervision"].as_str() { dt { "Dienstaufsicht" } dd { (s) } }
            @if let Some(s) = p["professionalSupervision"].as_str() { dt { "Fachaufsicht" } dd { (s) } }
            @let quals = strings(&p["accessProfile"]["qualifications"]);
            @if !quals.is_empty() { dt { "Qualifikationen" } dd { (quals.join(", ")) } }
            dt { "Quereinstieg" } dd { @if p["accessProfile"]["lateralEntry"] == true { "möglich" } @else { "nicht vorgesehen" } }
            @let partners = strings(&p["cooperationPartners"]);
            @if !partners.is_empty() { dt { "Kooperationspartner" } dd { (partners.join(", ")) } }
            @let tags = strings(&p["tags"]);
            @if !tags.is_empty() { dt { "Schlagwörter" } dd { (tags.join(", ")) } }
        }
        @if !others.is_empty() {
            h2 { "Mit einem anderen Profil vergleichen" }
            form method="get" action="/profile/vergleich" class="filters" {
                input type="hidden" name="a" value=(text(p, "id"));
                div class="field" {
                    label for="vergleich-b" { "Anderes Profil" }
                    select id="vergleich-b" name="b" {
                        @for o in &others {
                            option value=(text(o, "id")) { (text(o, "title")) " (" (o["district"]["name"].as_str().unwrap_or("–")) ")" }
                        }
                    }
                }
                button type="submit" { "Nebeneinander zeigen" }
            }
        }
        @if revisions.len() > 1 {
            h2 { "Fassungen" }
            form method="get" action="/profile/vergleich" class="filters" {
                (revision_select("rev-a", "a", "Ältere Fassung", &revisions, 1))
                (revision_select("rev-b", "b", "Neuere Fassung", &revisions, 0))
                button type="submit" { "Unterschiede zeigen" }
            }
            ul class="plain" {
                @for r in &revisions {
                    li { "Fassung " (r["revision"]) ": „" (text(r, "title")) "“, " (label(STATUSES, text(r, "status"))) ", gespeichert am "
                        (german_day(r, "savedAt")) }
                }
            }
        }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

fn revision_select(id: &str, name: &str, label: &str, revisions: &[Value], pick: usize) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (i, r) in revisions.iter().enumerate() {
                    option value=(text(r, "id")) selected[i == pick] { "Fassung " (r["revision"]) }
                }
            }
        }
    }
}

/// The tasks of one side; `marks` names the keys to mark and how (`geändert`, `neu`, `entfällt`).
fn task_list(tasks: &Value, marks: &[(String, &'static str)], prefix: &str) -> Markup {
    let tasks = tasks.as_array().cloned().unwrap_or_default();
    html! {
        @if tasks.is_empty() { p { "Keine Aufgaben eingetragen." } }
        @else {
            ol class="tasks" {
                @for t in &tasks {
                    @let mark = marks.iter().find(|(k, _)| k == text(t, "key")).map(|(_, m)| *m);
                    li class=[mark.map(|m| format!("mark-{m}"))] id=[(!prefix.is_empty()).then(|| format!("{prefix}-{}", text(t, "key")))] {
                        @if let Some(m) = mark { strong class="badge" { (m) } " " }
                        (text(t, "text"))
                    }
                }
            }
        }
    }
}

pub async fn fork(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    let back = format!("/profile/{id}");
    caller.check_form(&form, &back)?;
    caller.require_sign_in()?;
    let me = query(&state, caller.viewer.clone(), ME, json!({})).await?;
    let Some(district) = me["me"]["district"]["id"].as_str() else {
        return Err(PageError::Forbidden(
            "Übernehmen können Koordinationskräfte eines Bezirks.".into(),
        ));
    };
    match mutate(
        &state,
        caller.viewer.clone(),
        FORK,
        json!({ "input": { "id": id, "districtId": district } }),
    )
    .await?
    {
        Ok(data) => {
            let new_id = text(&data["forkRoleProfile"], "id");
            Ok(
                Redirect::to(&format!("/profile/{new_id}/bearbeiten?uebernommen=1"))
                    .into_response(),
            )
        }
        Err(found) => Err(PageError::BadInput(
            found
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}

#[derive(Deserialize)]
pub struct CompareParams {
    a: String,
    b: String,
}

/// The tasks of one side of a comparison: the profile's current ones, or those of the revision
/// compared.
fn side_tasks(side: &Value) -> Value {
    let p = &side["profile"];
    if side["revision"] == p["revision"] {
        return p["tasks"].clone();
    }
    p["revisions"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["revision"] == side["revision"]))
        .map(|r| r["tasks"].clone())
        .unwrap_or_else(|| json!([]))
}

pub async fn compare(
    State(state): State<WebState>,
    caller: Caller,
    Query(params): Query<CompareParams>,
) -> Result<Response, PageError> {
    let data = query(
        &state,
        caller.viewer.clone(),
        COMPARE,
        json!({ "a": params.a, "b": params.b }),
    )
    .await
    .map_err(missing_if_bad_id)?;
    let c = &data["compareRoleProfiles"];
    let keys = |field: &str| -> Vec<String> {
        c[field]
            .as_array()
            .map(|a| a.iter().map(|t| s(&t["key"])).collect())
            .unwrap_or_default()
    };
    let (added, removed, changed) = (
        keys("tasksAdded"),
        keys("tasksRemoved"),
        keys("tasksChanged"),
    );
    let marks_a: Vec<(String, &str)> = removed
        .iter()
        .map(|k| (k.clone(), "entfällt"))
        .chain(changed.iter().map(|k| (k.clone(), "geändert")))
        .collect();
    let marks_b: Vec<(String, &str)> = added
        .iter()
        .map(|k| (k.clone(), "neu"))
        .chain(changed.iter().map(|k| (k.clone(), "geändert")))
        .collect();
    let heading = |side: &Value| {
        format!(
            "{} ({}, Fassung {})",
            text(side, "title"),
            side["profile"]["district"]["name"].as_str().unwrap_or("–"),
            side["revision"]
        )
    };
    let fields = c["fields"].as_array().cloned().unwrap_or_default();
    let changes = c["tasksChanged"].as_array().cloned().unwrap_or_default();
    let content = html! {
        h1 { "Aufgabenprofile im Vergleich" }
        p role="status" class="summary" {
            @if c["identical"] == true { "Beide Fassungen sind gleich." }
            @else {
                (changed.len()) " Aufgaben geändert, " (added.len()) " neu, " (removed.len()) " entfallen"
                @if c["taskOrderChanged"] == true { "; die gemeinsamen Aufgaben stehen in anderer Reihenfolge" }
                @if !fields.is_empty() { "; " (fields.len()) " weitere Angaben unterscheiden sich" }
                "."
            }
        }
        div class="side-by-side" {
            section aria-labelledby="seite-a" {
                h2 id="seite-a" { "A: " a href={ "/profile/" (text(&c["a"]["profile"], "id")) } { (heading(&c["a"])) } }
                (task_list(&side_tasks(&c["a"]), &marks_a, "a"))
            }
            section aria-labelledby="seite-b" {
                h2 id="seite-b" { "B: " a href={ "/profile/" (text(&c["b"]["profile"], "id")) } { (heading(&c["b"])) } }
                (task_list(&side_tasks(&c["b"]), &marks_b, "b"))
            }
        }
        @if !changes.is_empty() {
            h2 { "Geänderte Aufgaben" }
            ul class="changes" {
                @for ch in &changes {
                    li { "Vorher: " del { (text(ch, "before")) } br; "Nachher: " ins { (text(ch, "after")) } }
                }
            }
        }
        @if !fields.is_empty() {
            h2 { "Weitere Unterschiede" }
            div class="table-wrap" tabindex="0" role="region" aria-label="Tabelle (seitlich verschiebbar)" { table {
                thead { tr { th scope="col" { "Angabe" } th scope="col" { "A" } th scope="col" { "B" } } }
                tbody {
                    @for f in &fields {
                        tr { td { (text(f, "label")) } td { (strings(&f["before"]).join(", ")) } td { (strings(&f["after"]).join(", ")) } }
                    }
                }
            } }
        }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, "Profile im Vergleich", content),
    ))
}
