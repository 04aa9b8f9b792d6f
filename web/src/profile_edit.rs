//! The edit form of a role profile: the whole profile, saved as a new revision. Problems are
//! shown next to their fields and in the summary; what was typed stays; nothing is stored
//! until the API accepts all of it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::forms::{self, Form, Problems};
use crate::profiles::{may_edit, EMPLOYERS, ME, PUBLICATIONS, ROLES, STATUSES, WAYS};
use crate::session::Caller;
use crate::{html, layout, missing_if_bad_id, mutate, query, strings, text, PageError, WebState};

const EDIT: &str = r#"query ProfilBearbeiten($id: ID!) {
  roleProfile(id: $id) {
    id title role roleLabel purpose status publication tags version
    district { ags name }
    tasks { key text }
    targetGroups waysOfWorking
    accessProfile { qualifications lateralEntry notes }
    fte kitasServed employer lineSupervision professionalSupervision cooperationPartners
  }
}"#;

const UPDATE: &str = r#"mutation ProfilSpeichern($input: UpdateRoleProfileInput!) {
  updateRoleProfile(input: $input) { id }
}"#;

/// What the edit form holds: from the stored profile, or as typed.
struct Draft {
    version: String,
    title: String,
    role: String,
    role_label: String,
    purpose: String,
    tasks: Vec<(String, String)>,
    target_groups: String,
    ways: Vec<String>,
    qualifications: String,
    lateral_entry: bool,
    access_notes: String,
    fte: String,
    kitas_served: String,
    employer: String,
    line_supervision: String,
    professional_supervision: String,
    cooperation_partners: String,
    tags: String,
    publication: String,
    status: String,
}

pub(crate) fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

impl Draft {
    fn of(p: &Value) -> Self {
        Draft {
            version: p["version"].to_string(),
            title: s(&p["title"]),
            role: s(&p["role"]),
            role_label: if text(p, "role") == "OTHER" {
                s(&p["roleLabel"])
            } else {
                String::new()
            },
            purpose: s(&p["purpose"]),
            tasks: p["tasks"]
                .as_array()
                .map(|a| a.iter().map(|t| (s(&t["key"]), s(&t["text"]))).collect())
                .unwrap_or_default(),
            target_groups: strings(&p["targetGroups"]).join("\n"),
            ways: strings(&p["waysOfWorking"]),
            qualifications: strings(&p["accessProfile"]["qualifications"]).join("\n"),
            lateral_entry: p["accessProfile"]["lateralEntry"] == true,
            access_notes: s(&p["accessProfile"]["notes"]),
            fte: s(&p["fte"]).replace('.', ","),
            kitas_served: p["kitasServed"]
                .as_i64()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            employer: s(&p["employer"]),
            line_supervision: s(&p["lineSupervision"]),
            professional_supervision: s(&p["professionalSupervision"]),
            cooperation_partners: strings(&p["cooperationPartners"]).join("\n"),
            tags: strings(&p["tags"]).join(", "),
            publication: s(&p["publication"]),
            status: s(&p["status"]),
        }
    }

    fn from_form(f: &Form) -> Self {
        let keys = f.all("task_key");
        let texts = f.all("task_text");
        Draft {
            version: f.get("version").to_owned(),
            title: f.get("title").to_owned(),
            role: f.get("role").to_owned(),
            role_label: f.get("roleLabel").to_owned(),
            purpose: f.get("purpose").to_owned(),
            tasks: texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    (
                        keys.get(i).copied().unwrap_or("").to_owned(),
                        (*t).to_owned(),
                    )
                })
                .collect(),
            target_groups: f.get("targetGroups").to_owned(),
            ways: f
                .all("waysOfWorking")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            qualifications: f.get("qualifications").to_owned(),
            lateral_entry: f.has("lateralEntry"),
            access_notes: f.get("accessNotes").to_owned(),
            fte: f.get("fte").to_owned(),
            kitas_served: f.get("kitasServed").to_owned(),
            employer: f.get("employer").to_owned(),
            line_supervision: f.get("lineSupervision").to_owned(),
            professional_supervision: f.get("professionalSupervision").to_owned(),
            cooperation_partners: f.get("cooperationPartners").to_owned(),
            tags: f.get("tags").to_owned(),
            publication: f.get("publication").to_owned(),
            status: f.get("status").to_owned(),
        }
    }

    /// The API's input, or the problems of fields the form itself reads (numbers).
    fn input(&self, problems: &mut Problems) -> Value {
        let split_lines = |v: &str| -> Vec<String> {
            v.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let fte = match self.fte.trim() {
            "" => Value::Null,
            v => match v.replace(',', ".").parse::<f64>() {
                Ok(_) => json!(v.replace(',', ".")),
                Err(_) => {
                    problems.add("fte", "Bitte den Umfang als Zahl angeben, z. B. 0,5.");
                    Value::Null
                }
            },
        };
        let kitas = match self.kitas_served.trim() {
            "" => Value::Null,
            v => match v.parse::<i32>() {
                Ok(n) => json!(n),
                Err(_) => {
                    problems.add(
                        "kitasServed",
                        "Bitte die Zahl der Kitas als ganze Zahl angeben.",
                    );
                    Value::Null
                }
            },
        };
        let tasks: Vec<Value> = self
            .tasks
            .iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(k, t)| {
                if k.is_empty() {
                    json!({ "text": t })
                } else {
                    json!({ "key": k, "text": t })
                }
            })
            .collect();
        let opt = |v: &str| {
            if v.trim().is_empty() {
                Value::Null
            } else {
                json!(v)
            }
        };
        json!({
            "title": self.title,
            "role": self.role,
            "roleLabel": opt(&self.role_label),
            "purpose": opt(&self.purpose),
            "tasks": tasks,
            "targetGroups": split_lines(&self.target_groups),
            "waysOfWorking": self.ways,
            "qualifications": split_lines(&self.qualifications),
            "lateralEntry": self.lateral_entry,
            "accessNotes": opt(&self.access_notes),
            "fte": fte,
            "kitasServed": kitas,
            "employer": opt(&self.employer),
            "lineSupervision": opt(&self.line_supervision),
            "professionalSupervision": opt(&self.professional_supervision),
            "cooperationPartners": split_lines(&self.cooperation_partners),
            "tags": self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).collect::<Vec<_>>(),
            "publication": self.publication,
            "status": self.status,
        })
    }
}

/// The form field an API input path names: `input.profile.tasks[1].text` → `task-2`.
fn field_of(path: &str) -> String {
    let rest = path.strip_prefix("input.profile.").unwrap_or(path);
    if let Some(t) = rest.strip_prefix("tasks") {
        let index = t
            .trim_start_matches('[')
            .split(']')
            .next()
            .and_then(|n| n.parse::<usize>().ok());
        return match index {
            Some(i) => format!("task-{}", i + 1),
            None => "task-1".into(),
        };
    }
    let name = rest.split(['.', '[']).next().unwrap_or(rest);
    match name {
        "accessProfile" | "accessNotes" => "accessNotes".into(),
        "" | "version" | "id" => "title".into(),
        other => other.to_owned(),
    }
}

fn edit_form(id: &str, token: &str, d: &Draft, problems: &Problems, district: &str) -> Markup {
    // Room for new tasks below the existing ones.
    let mut tasks = d.tasks.clone();
    tasks.extend((0..2).map(|_| (String::new(), String::new())));
    html! {
        (problems.summary())
        form method="post" action={ "/profile/" (id) "/bearbeiten" } class="stack" novalidate {
            (forms::token(token))
            input type="hidden" name="version" value=(d.version);
            p class="hint" { "Bezirk: " (district) ". Gespeichert wird das ganze Profil als neue Fassung." }
            (forms::text_field(problems, "title", "Titel", &d.title, "text", Some("off"), Some("Höchstens 200 Zeichen."), true))
            (forms::select(problems, "role", "Rolle", ROLES, &d.role))
            (forms::text_field(problems, "roleLabel", "Eigene Bezeichnung der Rolle", &d.role_label, "text", Some("off"), Some("Nötig bei „Andere Rolle“."), false))
            (forms::text_area(problems, "purpose", "Ziel und Zweck", &d.purpose, 4, Some("Markdown ist erlaubt.")))
            fieldset id="tasks" {
                legend { "Aufgaben" }
                p class="hint" { "Eine Aufgabe je Feld, in ihrer Reihenfolge. Ein geleertes Feld entfernt die Aufgabe; die leeren Felder am Ende nehmen neue auf." }
                @for (i, (key, task)) in tasks.iter().enumerate() {
                    @let fid = format!("task-{}", i + 1);
                    @let error = problems.of(&fid);
                    div class={ "field" @if error.is_some() { " invalid" } } {
                        label for=(fid) { "Aufgabe " (i + 1) }
                        @if let Some(e) = error { p id={ (fid) "-fehler" } class="field-error" { "Fehler: " (e) } }
                        input type="hidden" name="task_key" value=(key);
                        input type="text" id=(fid) name="task_text" value=(task)
                            aria-describedby=[error.map(|_| format!("{fid}-fehler"))]
                            aria-invalid=[error.map(|_| "true")];
                    }
                }
            }
            (forms::text_area(problems, "targetGroups", "Zielgruppen", &d.target_groups, 3, Some("Eine je Zeile.")))
            fieldset {
                legend { "Arbeitsweisen" }
                @for (value, text) in WAYS {
                    div class="check" {
                        input type="checkbox" id={ "way-" (value) } name="waysOfWorking" value=(value) checked[d.ways.iter().any(|w| w == value)];
                        label for={ "way-" (value) } { (text) }
                    }
                }
            }
            (forms::text_area(problems, "qualifications", "Qualifikationen", &d.qualifications, 3, Some("Eine je Zeile.")))
            div class="check" {
                input type="checkbox" id="lateralEntry" name="lateralEntry" value="1" checked[d.lateral_entry];
                label for="lateralEntry" { "Quereinstieg möglich" }
            }
            (forms::text_area(problems, "accessNotes", "Hinweise zum Zugang", &d.access_notes, 2, None))
            (forms::text_field(problems, "fte", "Umfang in Vollzeitäquivalenten", &d.fte, "text", Some("off"), Some("Zum Beispiel 0,5 oder 1."), false))
            (forms::text_field(problems, "kitasServed", "Zahl der Kitas", &d.kitas_served, "text", Some("off"), None, false))
            (forms::select(problems, "employer", "Anstellung", EMPLOYERS, &d.employer))
            (forms::text_field(problems, "lineSupervision", "Dienstaufsicht", &d.line_supervision, "text", Some("off"), None, false))
            (forms::text_field(problems, "professionalSupervision", "Fachaufsicht", &d.professional_supervision, "text", Some("off"), None, false))
            (forms::text_area(problems, "cooperationPartners", "Kooperationspartner", &d.cooperation_partners, 3, Some("Einer je Zeile.")))
            (forms::text_field(problems, "tags", "Schlagwörter", &d.tags, "text", Some("off"), Some("Durch Komma getrennt."), false))
            (forms::select(problems, "publication", "Sichtbar für", PUBLICATIONS, &d.publication))
            (forms::select(problems, "status", "Status", STATUSES, &d.status))
            div class="actions" {
                button type="submit" { "Speichern" }
                a href={ "/profile/" (id) } { "Abbrechen" }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EditParams {
    uebernommen: Option<String>,
}

async fn load_for_edit(state: &WebState, caller: &Caller, id: &str) -> Result<Value, PageError> {
    caller.require_sign_in()?;
    let data = query(state, caller.viewer.clone(), EDIT, json!({ "id": id }))
        .await
        .map_err(missing_if_bad_id)?;
    let me = query(state, caller.viewer.clone(), ME, json!({})).await?;
    let p = data["roleProfile"].clone();
    if !may_edit(&me["me"], text(&p["district"], "ags")) {
        return Err(PageError::Forbidden(
            "Dieses Profil kann nur sein Bezirk bearbeiten. Sie können es in Ihren Bezirk übernehmen."
                .into(),
        ));
    }
    Ok(p)
}

pub async fn edit(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<EditParams>,
) -> Result<Response, PageError> {
    let p = load_for_edit(&state, &caller, &id).await?;
    let title = format!("„{}“ bearbeiten", text(&p, "title"));
    let content = html! {
        h1 { (title) }
        @if params.uebernommen.is_some() {
            p class="notice" role="status" { "Das Profil ist als Entwurf in Ihren Bezirk übernommen. Passen Sie es an und speichern Sie." }
        }
        (edit_form(&id, &caller.form_token(), &Draft::of(&p), &Problems::default(), p["district"]["name"].as_str().unwrap_or("")))
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

pub async fn save(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Form,
) -> Result<Response, PageError> {
    let back = format!("/profile/{id}/bearbeiten");
    caller.check_form(&form, &back)?;
    let p = load_for_edit(&state, &caller, &id).await?;
    let draft = Draft::from_form(&form);
    let mut problems = Problems::default();
    let input = draft.input(&mut problems);
    if problems.is_empty() {
        let version: i64 = draft.version.parse().unwrap_or(0);
        let vars = json!({ "input": { "id": id, "version": version, "profile": input } });
        match mutate(&state, caller.viewer.clone(), UPDATE, vars).await? {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/profile/{id}?gespeichert=1")).into_response())
            }
            Err(found) => problems.add_all(found, field_of),
        }
    }
    let title = format!("„{}“ bearbeiten", text(&p, "title"));
    let content = html! {
        h1 { (title) }
        (edit_form(&id, &caller.form_token(), &draft, &problems, p["district"]["name"].as_str().unwrap_or("")))
    };
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        layout::page(&caller, &format!("Fehler: {title}"), content),
    ))
}
