//! The typed content of the knowledge store's documents (role profiles, staffing ideas,
//! cooperation models) as stored in their JSON column, the limits every text and list is held
//! to, and the structured comparison of two role profiles. No GraphQL, no IO: the resolvers
//! parse input into these types and back.

use serde::{Deserialize, Serialize};

use srb_domain::{InputError, InputResult};

fn bad_input(field: &str, message: impl Into<String>) -> InputError {
    InputError::new(field, message)
}

/// Markdown text of a contribution, idea or description. Ten printed pages; far above any
/// real workshop note, far below what would hurt an export.
pub const MAX_BODY: usize = 20_000;
/// Items of one list (target groups, partners, advantages, …).
pub const MAX_ITEMS: usize = 50;
/// Tasks of one role profile.
pub const MAX_TASKS: usize = 100;
/// One list item or task.
pub const MAX_ITEM: usize = 1_000;

/// A task of a role profile. The key stays with the task through edits and forks, so a
/// comparison tells a changed task from one removed and another added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WayOfWorking {
    Lotsenfunktion,
    Einzelfallarbeit,
    Gruppenangebote,
    Familienzentrum,
    Vernetzung,
}

impl WayOfWorking {
    pub fn label(self) -> &'static str {
        match self {
            WayOfWorking::Lotsenfunktion => "Lotsenfunktion",
            WayOfWorking::Einzelfallarbeit => "Einzelfallarbeit",
            WayOfWorking::Gruppenangebote => "Gruppenangebote",
            WayOfWorking::Familienzentrum => "Familienzentrum",
            WayOfWorking::Vernetzung => "Vernetzung",
        }
    }
}

/// Who employs the staff (the "Hutfrage").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Employer {
    Jugendamt,
    KitaTraeger,
    FreierTraegerOhneKita,
}

impl Employer {
    pub fn label(self) -> &'static str {
        match self {
            Employer::Jugendamt => "Jugendamt",
            Employer::KitaTraeger => "Kita-Träger",
            Employer::FreierTraegerOhneKita => "freier Träger ohne eigene Kitas",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleProfileContent {
    /// The role's own name when the role is OTHER (or a district's wording of a known one).
    pub role_label: Option<String>,
    pub purpose: Option<String>,
    pub tasks: Vec<Task>,
    pub target_groups: Vec<String>,
    pub ways_of_working: Vec<WayOfWorking>,
    /// Qualifications accepted, lateral entry included.
    pub qualifications: Vec<String>,
    pub lateral_entry: bool,
    pub access_notes: Option<String>,
    /// Full-time equivalents, exact decimal text.
    pub fte: Option<String>,
    pub kitas_served: Option<i32>,
    pub employer: Option<Employer>,
    pub line_supervision: Option<String>,
    pub professional_supervision: Option<String>,
    pub cooperation_partners: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffingIdeaContent {
    /// The measure, Markdown.
    pub measure: String,
    pub context: Option<String>,
    /// Evidence or experience so far.
    pub evidence: Option<String>,
}

/// Who pays which share of a cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostShare {
    pub payer: String,
    /// Percent, exact decimal text; None when the model leaves it open.
    pub percent: Option<String>,
}

/// An agreement between parties, as in the seed's "Vereinbarung KiSa-Träger mit den Kita-Trägern".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub parties: Vec<String>,
    pub subject: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CooperationModelContent {
    /// Markdown.
    pub description: Option<String>,
    pub employer: Option<Employer>,
    pub employer_note: Option<String>,
    pub line_supervision: Option<String>,
    pub professional_supervision: Option<String>,
    pub personnel_costs: Vec<CostShare>,
    pub material_costs: Vec<CostShare>,
    pub agreements: Vec<Agreement>,
    pub advantages: Vec<String>,
    pub risks: Vec<String>,
}

/// Reads stored content; content the schema wrote always parses, so a failure is a bug.
pub fn read<T: for<'de> Deserialize<'de> + Default>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::error!(error = %e, "stored document content does not parse");
        T::default()
    })
}

pub fn write<T: Serialize>(content: &T) -> String {
    serde_json::to_string(content).expect("content serialises")
}

/// Optional Markdown: blank becomes absent; too long is an error naming the field.
pub fn body(field: &str, raw: Option<&str>) -> InputResult<Option<String>> {
    let Some(v) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let n = v.chars().count();
    if n > MAX_BODY {
        return Err(bad_input(
            field,
            format!("Der Text ist zu lang: {n} Zeichen, höchstens {MAX_BODY}."),
        ));
    }
    Ok(Some(v.to_owned()))
}

pub fn required_body(field: &str, raw: &str) -> InputResult<String> {
    body(field, Some(raw))?.ok_or_else(|| bad_input(field, "Der Text darf nicht leer sein."))
}

/// A list of short texts: trimmed, blanks refused, duplicates dropped, length and count held.
pub fn list(field: &str, raw: &[String]) -> InputResult<Vec<String>> {
    if raw.len() > MAX_ITEMS {
        return Err(bad_input(
            field,
            format!(
                "Die Liste hat {} Einträge, höchstens {MAX_ITEMS} sind möglich.",
                raw.len()
            ),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, item) in raw.iter().enumerate() {
        let v = item.split_whitespace().collect::<Vec<_>>().join(" ");
        if v.is_empty() {
            return Err(bad_input(
                &format!("{field}.{i}"),
                "Ein Eintrag darf nicht leer sein.",
            ));
        }
        if v.chars().count() > MAX_ITEM {
            return Err(bad_input(
                &format!("{field}.{i}"),
                format!("Der Eintrag ist zu lang (höchstens {MAX_ITEM} Zeichen)."),
            ));
        }
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Task texts in order, keyed: each pair is the key the client sent (None: a new task) and the
/// text. A new task gets a random key, so a task added in a fork never pairs up with a task
/// added independently in its origin.
pub fn tasks(field: &str, texts: &[(Option<String>, String)]) -> InputResult<Vec<Task>> {
    if texts.len() > MAX_TASKS {
        return Err(bad_input(
            field,
            format!(
                "Das Profil hat {} Aufgaben, höchstens {MAX_TASKS} sind möglich.",
                texts.len()
            ),
        ));
    }
    let mut out: Vec<Task> = Vec::with_capacity(texts.len());
    for (i, (key, text)) in texts.iter().enumerate() {
        let path = format!("{field}.{i}");
        let text = text.trim();
        if text.is_empty() {
            return Err(bad_input(&path, "Eine Aufgabe darf nicht leer sein."));
        }
        if text.chars().count() > MAX_ITEM {
            return Err(bad_input(
                &path,
                format!("Die Aufgabe ist zu lang (höchstens {MAX_ITEM} Zeichen)."),
            ));
        }
        let key = match key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => {
                if out.iter().any(|t| t.key == k) {
                    return Err(bad_input(
                        &format!("{path}.key"),
                        format!("Der Schlüssel „{k}“ kommt zweimal vor."),
                    ));
                }
                k.to_owned()
            }
            _ => loop {
                let k = format!("{:08x}", rand::random::<u32>());
                if !texts
                    .iter()
                    .any(|(sent, _)| sent.as_deref() == Some(k.as_str()))
                {
                    break k;
                }
            },
        };
        out.push(Task {
            key,
            text: text.to_owned(),
        });
    }
    Ok(out)
}

/// A role profile as compared: what its owner wrote, without where it lives or who may read it.
#[derive(Debug, Clone)]
pub struct ProfileSnapshot {
    pub title: String,
    pub role: String,
    pub content: RoleProfileContent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskChange {
    pub key: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDifference {
    pub field: &'static str,
    pub label: &'static str,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileDiff {
    pub tasks_added: Vec<Task>,
    pub tasks_removed: Vec<Task>,
    pub tasks_changed: Vec<TaskChange>,
    /// The tasks both have are in a different order.
    pub task_order_changed: bool,
    pub fields: Vec<FieldDifference>,
}

impl ProfileDiff {
    pub fn is_empty(&self) -> bool {
        *self == ProfileDiff::default()
    }
}

fn opt(v: &Option<String>) -> Vec<String> {
    v.iter().cloned().collect()
}

/// What changed from `a` to `b`: tasks matched by key, every other field compared as a whole.
pub fn compare_profiles(a: &ProfileSnapshot, b: &ProfileSnapshot) -> ProfileDiff {
    let (ca, cb) = (&a.content, &b.content);
    let mut diff = ProfileDiff::default();
    for t in &cb.tasks {
        match ca.tasks.iter().find(|o| o.key == t.key) {
            None => diff.tasks_added.push(t.clone()),
            Some(o) if o.text != t.text => diff.tasks_changed.push(TaskChange {
                key: t.key.clone(),
                before: o.text.clone(),
                after: t.text.clone(),
            }),
            Some(_) => {}
        }
    }
    diff.tasks_removed = ca
        .tasks
        .iter()
        .filter(|o| !cb.tasks.iter().any(|t| t.key == o.key))
        .cloned()
        .collect();
    let common = |x: &[Task], y: &[Task]| -> Vec<String> {
        x.iter()
            .filter(|t| y.iter().any(|u| u.key == t.key))
            .map(|t| t.key.clone())
            .collect()
    };
    diff.task_order_changed = common(&ca.tasks, &cb.tasks) != common(&cb.tasks, &ca.tasks);

    let ways = |c: &RoleProfileContent| -> Vec<String> {
        c.ways_of_working
            .iter()
            .map(|w| w.label().to_owned())
            .collect()
    };
    let employer = |c: &RoleProfileContent| -> Vec<String> {
        c.employer.iter().map(|e| e.label().to_owned()).collect()
    };
    let yes_no = |b: bool| vec![if b { "ja" } else { "nein" }.to_owned()];
    let fields: [(&'static str, &'static str, Vec<String>, Vec<String>); 15] = [
        (
            "title",
            "Titel",
            vec![a.title.clone()],
            vec![b.title.clone()],
        ),
        ("role", "Rolle", vec![a.role.clone()], vec![b.role.clone()]),
        (
            "roleLabel",
            "Bezeichnung der Rolle",
            opt(&ca.role_label),
            opt(&cb.role_label),
        ),
        (
            "purpose",
            "Ziel und Zweck",
            opt(&ca.purpose),
            opt(&cb.purpose),
        ),
        (
            "targetGroups",
            "Zielgruppen",
            ca.target_groups.clone(),
            cb.target_groups.clone(),
        ),
        ("waysOfWorking", "Arbeitsweisen", ways(ca), ways(cb)),
        (
            "qualifications",
            "Zugangsprofil: Qualifikationen",
            ca.qualifications.clone(),
            cb.qualifications.clone(),
        ),
        (
            "lateralEntry",
            "Quereinstieg möglich",
            yes_no(ca.lateral_entry),
            yes_no(cb.lateral_entry),
        ),
        (
            "accessNotes",
            "Zugangsprofil: Hinweise",
            opt(&ca.access_notes),
            opt(&cb.access_notes),
        ),
        ("fte", "Umfang (VZÄ)", opt(&ca.fte), opt(&cb.fte)),
        (
            "kitasServed",
            "Betreute Kitas",
            ca.kitas_served.iter().map(i32::to_string).collect(),
            cb.kitas_served.iter().map(i32::to_string).collect(),
        ),
        ("employer", "Anstellungsträger", employer(ca), employer(cb)),
        (
            "lineSupervision",
            "Dienstaufsicht",
            opt(&ca.line_supervision),
            opt(&cb.line_supervision),
        ),
        (
            "professionalSupervision",
            "Fachaufsicht",
            opt(&ca.professional_supervision),
            opt(&cb.professional_supervision),
        ),
        (
            "cooperationPartners",
            "Kooperationspartner",
            ca.cooperation_partners.clone(),
            cb.cooperation_partners.clone(),
        ),
    ];
    diff.fields = fields
        .into_iter()
        .filter(|(_, _, x, y)| x != y)
        .map(|(field, label, before, after)| FieldDifference {
            field,
            label,
            before,
            after,
        })
        .collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tasks: &[(&str, &str)]) -> ProfileSnapshot {
        ProfileSnapshot {
            title: "Kita-Sozialarbeit".into(),
            role: "KITA_SOZIALARBEIT".into(),
            content: RoleProfileContent {
                tasks: tasks
                    .iter()
                    .map(|(k, t)| Task {
                        key: (*k).into(),
                        text: (*t).into(),
                    })
                    .collect(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn tasks_are_matched_by_key() {
        let a = profile(&[
            ("t1", "Beratung"),
            ("t2", "Vernetzung"),
            ("t3", "Elterncafé"),
        ]);
        let b = profile(&[
            ("t2", "Vernetzung im Sozialraum"),
            ("t1", "Beratung"),
            ("t4", "Sprechstunde"),
        ]);
        let d = compare_profiles(&a, &b);
        assert_eq!(
            d.tasks_added
                .iter()
                .map(|t| t.key.as_str())
                .collect::<Vec<_>>(),
            ["t4"]
        );
        assert_eq!(
            d.tasks_removed
                .iter()
                .map(|t| t.key.as_str())
                .collect::<Vec<_>>(),
            ["t3"]
        );
        assert_eq!(d.tasks_changed.len(), 1);
        assert_eq!(d.tasks_changed[0].after, "Vernetzung im Sozialraum");
        assert!(d.task_order_changed);
        assert!(d.fields.is_empty());
        assert!(compare_profiles(&a, &a).is_empty());
    }

    #[test]
    fn fields_name_what_differs() {
        let a = profile(&[]);
        let mut b = profile(&[]);
        b.content.lateral_entry = true;
        b.content.target_groups = vec!["Eltern".into()];
        let d = compare_profiles(&a, &b);
        let names: Vec<_> = d.fields.iter().map(|f| f.field).collect();
        assert_eq!(names, ["targetGroups", "lateralEntry"]);
        assert_eq!(d.fields[1].before, ["nein"]);
    }

    #[test]
    fn sent_keys_stay_and_new_tasks_get_fresh_ones() {
        let t = tasks(
            "input.tasks",
            &[
                (Some("t3".into()), "A".into()),
                (None, "B".into()),
                (None, "C".into()),
            ],
        )
        .unwrap();
        assert_eq!(t[0].key, "t3");
        assert!(t[1].key != t[2].key && t[1].key != "t3");
        assert_eq!(t[2].text, "C");
        let too_many: Vec<_> = (0..10_000)
            .map(|i| (None, format!("Aufgabe {i}")))
            .collect();
        assert!(tasks("input.tasks", &too_many).is_err());
        assert!(tasks(
            "input.tasks",
            &[
                (Some("t1".into()), "A".into()),
                (Some("t1".into()), "B".into())
            ]
        )
        .is_err());
    }
}
