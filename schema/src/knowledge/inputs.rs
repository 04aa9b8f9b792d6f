//! Inputs of the knowledge store's mutations and their parsing into stored data.

use async_graphql::{Context, InputObject, MaybeUndefined, ID};
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use srb_storage as st;
use st::DocumentKind;

use crate::content::{self, RoleProfileContent, WayOfWorking};
use crate::error::bad_input;
use crate::parse;
use crate::shared::known_district;

use super::*;

// ---------------------------------------------------------------------------------------------
// Mutations: input

pub(crate) fn title(field: &str, raw: &str) -> async_graphql::Result<String> {
    parse::name(field, raw).map_err(|_| {
        bad_input(
            field,
            "Der Titel darf nicht leer und höchstens 200 Zeichen lang sein.",
        )
    })
}

pub(crate) fn publication_for(
    field: &str,
    publication: Publication,
    district: Option<&str>,
) -> async_graphql::Result<st::Publication> {
    if publication == Publication::District && district.is_none() {
        return Err(bad_input(
            field,
            "„Nur eigener Bezirk“ setzt einen Bezirk voraus; ohne Bezirk bitte PUBLIC oder REGISTERED wählen.",
        ));
    }
    Ok(publication.into())
}

pub(crate) fn time_of_day(field: &str, raw: Option<&str>) -> async_graphql::Result<Option<String>> {
    let Some(v) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    NaiveTime::parse_from_str(v, "%H:%M")
        .map(|t| Some(t.format("%H:%M").to_string()))
        .map_err(|_| bad_input(field, format!("„{v}“ ist keine Uhrzeit (erwartet: HH:MM).")))
}

#[derive(InputObject)]
pub struct CreateWorkshopInput {
    pub title: String,
    pub held_on: NaiveDate,
    pub format: WorkshopFormat,
    #[graphql(default)]
    pub organisers: Vec<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Ohne Angabe: nur für angemeldete Nutzer:innen.
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    /// Der Bezirk, dem der Workshop gehört; ohne: landesweit.
    pub district_ags: Option<String>,
}

/// Nicht angegebene Felder bleiben, wie sie sind; `null` leert ein optionales Feld.
#[derive(InputObject)]
pub struct UpdateWorkshopInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub format: Option<WorkshopFormat>,
    pub organisers: Option<Vec<String>>,
    pub description: MaybeUndefined<String>,
    pub publication: Option<Publication>,
}

#[derive(InputObject)]
pub struct CreateSessionInput {
    pub workshop_id: ID,
    pub kind: SessionKind,
    pub title: String,
    /// Platz im Programm; ohne Angabe: nach dem letzten.
    pub position: Option<i32>,
    /// `HH:MM`
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    #[graphql(default)]
    pub moderators: Vec<String>,
    #[graphql(default)]
    pub inputs: Vec<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateSessionInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<SessionKind>,
    pub title: Option<String>,
    pub position: Option<i32>,
    pub starts_at: MaybeUndefined<String>,
    pub ends_at: MaybeUndefined<String>,
    pub moderators: Option<Vec<String>>,
    pub inputs: Option<Vec<String>>,
    pub description: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct AddContributionInput {
    pub session_id: ID,
    pub kind: ContributionKind,
    /// Markdown; HTML darin wird beim Anzeigen entschärft.
    pub body: String,
    pub district_ags: Option<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
}

#[derive(InputObject)]
pub struct UpdateContributionInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<ContributionKind>,
    pub body: Option<String>,
    pub district_ags: MaybeUndefined<String>,
    pub tags: Option<Vec<String>>,
}

/// Eine Aufgabe; `key` der bestehenden Aufgabe mitsenden, neue ohne `key`.
#[derive(InputObject)]
pub struct TaskInput {
    pub key: Option<String>,
    pub text: String,
}

/// Ein Aufgabenprofil, wie es gespeichert wird: jedes Speichern ist eine neue Fassung und
/// ersetzt alle Felder.
#[derive(InputObject)]
pub struct RoleProfileInput {
    pub title: String,
    pub role: ProfileRole,
    /// Eigene Bezeichnung der Rolle (bei OTHER erforderlich).
    pub role_label: Option<String>,
    pub purpose: Option<String>,
    #[graphql(default)]
    pub tasks: Vec<TaskInput>,
    #[graphql(default)]
    pub target_groups: Vec<String>,
    #[graphql(default)]
    pub ways_of_working: Vec<WayOfWorkingKind>,
    #[graphql(default)]
    pub qualifications: Vec<String>,
    #[graphql(default)]
    pub lateral_entry: bool,
    pub access_notes: Option<String>,
    pub fte: Option<Decimal>,
    pub kitas_served: Option<i32>,
    pub employer: Option<EmployerModel>,
    pub line_supervision: Option<String>,
    pub professional_supervision: Option<String>,
    #[graphql(default)]
    pub cooperation_partners: Vec<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    #[graphql(default_with = "DocumentStatus::Draft")]
    pub status: DocumentStatus,
}

#[derive(InputObject)]
pub struct CreateRoleProfileInput {
    pub district_ags: String,
    pub profile: RoleProfileInput,
}

#[derive(InputObject)]
pub struct UpdateRoleProfileInput {
    pub id: ID,
    pub version: i32,
    pub profile: RoleProfileInput,
}

#[derive(InputObject)]
pub struct StaffingIdeaInput {
    pub title: String,
    pub category: StaffingCategory,
    /// Die Maßnahme (Markdown).
    pub measure: String,
    pub context: Option<String>,
    pub evidence: Option<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    #[graphql(default_with = "DocumentStatus::Published")]
    pub status: DocumentStatus,
}

#[derive(InputObject)]
pub struct CreateStaffingIdeaInput {
    /// Ohne Bezirk: eine Idee aus einem Workshop (für Moderation und Administration).
    pub district_ags: Option<String>,
    pub idea: StaffingIdeaInput,
}

#[derive(InputObject)]
pub struct UpdateStaffingIdeaInput {
    pub id: ID,
    pub version: i32,
    pub idea: StaffingIdeaInput,
}

#[derive(InputObject)]
pub struct CostShareInput {
    pub payer: String,
    /// Prozent (0 bis 100); offen lassen, wenn nicht festgelegt.
    pub percent: Option<Decimal>,
}

#[derive(InputObject)]
pub struct AgreementInput {
    pub parties: Vec<String>,
    pub subject: String,
}

#[derive(InputObject)]
pub struct CooperationModelInput {
    pub title: String,
    pub description: Option<String>,
    pub employer: Option<EmployerModel>,
    pub employer_note: Option<String>,
    pub line_supervision: Option<String>,
    pub professional_supervision: Option<String>,
    #[graphql(default)]
    pub personnel_costs: Vec<CostShareInput>,
    #[graphql(default)]
    pub material_costs: Vec<CostShareInput>,
    #[graphql(default)]
    pub agreements: Vec<AgreementInput>,
    #[graphql(default)]
    pub advantages: Vec<String>,
    #[graphql(default)]
    pub risks: Vec<String>,
    #[graphql(default)]
    pub tags: Vec<String>,
    #[graphql(default_with = "Publication::Registered")]
    pub publication: Publication,
    #[graphql(default_with = "DocumentStatus::Published")]
    pub status: DocumentStatus,
}

#[derive(InputObject)]
pub struct CreateCooperationModelInput {
    pub district_ags: Option<String>,
    pub model: CooperationModelInput,
}

#[derive(InputObject)]
pub struct UpdateCooperationModelInput {
    pub id: ID,
    pub version: i32,
    pub model: CooperationModelInput,
}

/// Übernimmt ein veröffentlichtes Profil als Entwurf in einen Bezirk.
#[derive(InputObject)]
pub struct ForkRoleProfileInput {
    pub id: ID,
    /// Globale ID des Bezirks, der das Profil übernimmt.
    pub district_id: ID,
}

pub(crate) fn short(field: &str, raw: Option<&str>) -> async_graphql::Result<Option<String>> {
    parse::short_text(field, raw)
}

pub(crate) fn role_profile_data(
    p: RoleProfileInput,
    district: &str,
    forked_from: Option<(i64, i32)>,
    path: &str,
) -> async_graphql::Result<st::DocumentData> {
    // Every field is read, so a form learns of all its problems at once.
    let mut problems = crate::error::Problems::default();
    let f = |name: &str| format!("{path}.{name}");
    let role_label = problems
        .take(short(&f("roleLabel"), p.role_label.as_deref()))
        .flatten();
    if p.role == ProfileRole::Other && role_label.is_none() {
        problems.push(bad_input(
            &f("roleLabel"),
            "Für eine andere Rolle bitte eine Bezeichnung angeben.",
        ));
    }
    let fte = match p.fte {
        None => None,
        Some(v) if v <= Decimal::ZERO || v > Decimal::from(20) => {
            problems.push(bad_input(
                &f("fte"),
                format!("{v} VZÄ ist kein plausibler Umfang (mehr als 0, höchstens 20)."),
            ));
            None
        }
        Some(v) => Some(v.normalize().to_string()),
    };
    if let Some(n) = p.kitas_served {
        if !(0..=500).contains(&n) {
            problems.push(bad_input(
                &f("kitasServed"),
                format!("{n} Kitas sind unplausibel (0 bis 500)."),
            ));
        }
    }
    let tasks: Vec<(Option<String>, String)> =
        p.tasks.into_iter().map(|t| (t.key, t.text)).collect();
    let mut ways: Vec<WayOfWorking> = Vec::new();
    for w in p.ways_of_working {
        let w: WayOfWorking = w.into();
        if !ways.contains(&w) {
            ways.push(w);
        }
    }
    let title = problems.take(title(&f("title"), &p.title));
    let purpose = problems.take(content::body(&f("purpose"), p.purpose.as_deref()));
    let tasks = problems.take(content::tasks(&f("tasks"), &tasks));
    let target_groups = problems.take(content::list(&f("targetGroups"), &p.target_groups));
    let qualifications = problems.take(content::list(&f("qualifications"), &p.qualifications));
    let access_notes = problems.take(content::body(&f("accessNotes"), p.access_notes.as_deref()));
    let line_supervision =
        problems.take(short(&f("lineSupervision"), p.line_supervision.as_deref()));
    let professional_supervision = problems.take(short(
        &f("professionalSupervision"),
        p.professional_supervision.as_deref(),
    ));
    let cooperation_partners = problems.take(content::list(
        &f("cooperationPartners"),
        &p.cooperation_partners,
    ));
    let publication = problems.take(publication_for(
        &f("publication"),
        p.publication,
        Some(district),
    ));
    let tags = problems.take(parse::tags(&f("tags"), &p.tags));
    problems.finish()?;
    // `finish` returned: every `take` above holds a value.
    let (
        Some(title),
        Some(purpose),
        Some(tasks),
        Some(target_groups),
        Some(qualifications),
        Some(access_notes),
        Some(line_supervision),
        Some(professional_supervision),
        Some(cooperation_partners),
        Some(publication),
        Some(tags),
    ) = (
        title,
        purpose,
        tasks,
        target_groups,
        qualifications,
        access_notes,
        line_supervision,
        professional_supervision,
        cooperation_partners,
        publication,
        tags,
    )
    else {
        return Err(crate::error::internal(
            "a profile field without value or problem",
        ));
    };
    let c = RoleProfileContent {
        role_label,
        purpose,
        tasks,
        target_groups,
        ways_of_working: ways,
        qualifications,
        lateral_entry: p.lateral_entry,
        access_notes,
        fte,
        kitas_served: p.kitas_served,
        employer: p.employer.map(Into::into),
        line_supervision,
        professional_supervision,
        cooperation_partners,
    };
    Ok(st::DocumentData {
        kind: DocumentKind::RoleProfile,
        district_ags: Some(district.to_owned()),
        title,
        category: Some(p.role.as_str().into()),
        status: p.status.into(),
        publication,
        content: content::write(&c),
        tags,
        forked_from,
        synthetic: false,
    })
}

pub(crate) fn staffing_idea_data(
    p: StaffingIdeaInput,
    district: Option<&str>,
    path: &str,
) -> async_graphql::Result<st::DocumentData> {
    let f = |name: &str| format!("{path}.{name}");
    let c = content::StaffingIdeaContent {
        measure: content::required_body(&f("measure"), &p.measure)?,
        context: content::body(&f("context"), p.context.as_deref())?,
        evidence: content::body(&f("evidence"), p.evidence.as_deref())?,
    };
    Ok(st::DocumentData {
        kind: DocumentKind::StaffingIdea,
        district_ags: district.map(Into::into),
        title: title(&f("title"), &p.title)?,
        category: Some(p.category.as_str().into()),
        status: p.status.into(),
        publication: publication_for(&f("publication"), p.publication, district)?,
        content: content::write(&c),
        tags: parse::tags(&f("tags"), &p.tags)?,
        forked_from: None,
        synthetic: false,
    })
}

pub(crate) fn cost_shares(
    field: &str,
    raw: Vec<CostShareInput>,
) -> async_graphql::Result<Vec<content::CostShare>> {
    if raw.len() > content::MAX_ITEMS {
        return Err(bad_input(field, "Zu viele Kostenträger."));
    }
    let mut out = Vec::new();
    let mut sum = Decimal::ZERO;
    let mut all_given = true;
    for (i, s) in raw.into_iter().enumerate() {
        let path = format!("{field}.{i}");
        let payer = short(&format!("{path}.payer"), Some(&s.payer))?
            .ok_or_else(|| bad_input(&format!("{path}.payer"), "Wer zahlt, fehlt."))?;
        if let Some(p) = s.percent {
            if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                return Err(bad_input(
                    &format!("{path}.percent"),
                    format!("{p} % liegt nicht zwischen 0 und 100."),
                ));
            }
            sum += p;
        } else {
            all_given = false;
        }
        out.push(content::CostShare {
            payer,
            percent: s.percent.map(|p| p.normalize().to_string()),
        });
    }
    if !out.is_empty() && ((all_given && sum != Decimal::ONE_HUNDRED) || sum > Decimal::ONE_HUNDRED)
    {
        return Err(bad_input(
            field,
            format!("Die Anteile ergeben {sum} %, nicht 100 %."),
        ));
    }
    Ok(out)
}

pub(crate) fn cooperation_model_data(
    p: CooperationModelInput,
    district: Option<&str>,
    path: &str,
) -> async_graphql::Result<st::DocumentData> {
    let f = |name: &str| format!("{path}.{name}");
    if p.agreements.len() > content::MAX_ITEMS {
        return Err(bad_input(&f("agreements"), "Zu viele Vereinbarungen."));
    }
    let mut agreements = Vec::new();
    for (i, a) in p.agreements.into_iter().enumerate() {
        let path = f(&format!("agreements.{i}"));
        let parties = content::list(&format!("{path}.parties"), &a.parties)?;
        if parties.len() < 2 {
            return Err(bad_input(
                &format!("{path}.parties"),
                "Eine Vereinbarung braucht mindestens zwei Beteiligte.",
            ));
        }
        agreements.push(content::Agreement {
            parties,
            subject: content::required_body(&format!("{path}.subject"), &a.subject)?,
        });
    }
    let c = content::CooperationModelContent {
        description: content::body(&f("description"), p.description.as_deref())?,
        employer: p.employer.map(Into::into),
        employer_note: content::body(&f("employerNote"), p.employer_note.as_deref())?,
        line_supervision: short(&f("lineSupervision"), p.line_supervision.as_deref())?,
        professional_supervision: short(
            &f("professionalSupervision"),
            p.professional_supervision.as_deref(),
        )?,
        personnel_costs: cost_shares(&f("personnelCosts"), p.personnel_costs)?,
        material_costs: cost_shares(&f("materialCosts"), p.material_costs)?,
        agreements,
        advantages: content::list(&f("advantages"), &p.advantages)?,
        risks: content::list(&f("risks"), &p.risks)?,
    };
    Ok(st::DocumentData {
        kind: DocumentKind::CooperationModel,
        district_ags: district.map(Into::into),
        title: title(&f("title"), &p.title)?,
        category: None,
        status: p.status.into(),
        publication: publication_for(&f("publication"), p.publication, district)?,
        content: content::write(&c),
        tags: parse::tags(&f("tags"), &p.tags)?,
        forked_from: None,
        synthetic: false,
    })
}

pub(crate) async fn optional_district(
    ctx: &Context<'_>,
    ags: Option<&str>,
) -> async_graphql::Result<Option<String>> {
    match ags.map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Ok(Some(known_district(ctx, a).await?)),
        None => Ok(None),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn session_data(
    workshop_id: i64,
    kind: SessionKind,
    title_raw: &str,
    position: Option<i32>,
    starts_at: Option<&str>,
    ends_at: Option<&str>,
    moderators: &[String],
    inputs: &[String],
    description: Option<&str>,
) -> async_graphql::Result<st::SessionData> {
    let starts_at = time_of_day("input.startsAt", starts_at)?;
    let ends_at = time_of_day("input.endsAt", ends_at)?;
    if let (Some(a), Some(b)) = (&starts_at, &ends_at) {
        if b < a {
            return Err(bad_input(
                "input.endsAt",
                format!("Das Ende ({b}) liegt vor dem Beginn ({a})."),
            ));
        }
    }
    if let Some(p) = position {
        if !(1..=1_000).contains(&p) {
            return Err(bad_input(
                "input.position",
                "Der Platz liegt zwischen 1 und 1000.",
            ));
        }
    }
    Ok(st::SessionData {
        workshop_id,
        kind: kind.into(),
        title: title("input.title", title_raw)?,
        position,
        starts_at,
        ends_at,
        moderators: content::list("input.moderators", moderators)?,
        inputs: content::list("input.inputs", inputs)?,
        description: content::body("input.description", description)?,
    })
}
