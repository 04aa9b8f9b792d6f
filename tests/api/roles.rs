//! The role matrix: every mutation under every role; exactly the allowed ones succeed, and a
//! refused one changes nothing.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use srb_schema::ids::{encode, NodeType};
use srb_storage::{
    KitaData, Lifecycle, Ownership, Page, ProviderData, ProviderKind, Role, SocialSpaceData,
};
use srb_tests::{code, on_every_backend, Caller, TestApp, CALLERS};

const HOME: &str = "07111";
const OTHER: &str = "07131";

/// Who may run a mutation on records of district `HOME`.
#[derive(Clone, Copy)]
enum Allowed {
    /// Admins and the district's own coordinators.
    DistrictWriters,
    /// Every signed-in account.
    SignedIn,
    /// Everybody, also without a token.
    Everybody,
    /// The ministry and admins (the state's own data).
    State,
    /// Facilitators and admins (workshops of no district).
    Facilitators,
}

fn allowed(rule: Allowed, caller: Caller) -> bool {
    match rule {
        Allowed::DistrictWriters => matches!(caller, Caller::Admin | Caller::CoordinatorHome),
        Allowed::SignedIn => caller != Caller::Anonymous,
        Allowed::Everybody => true,
        Allowed::State => matches!(caller, Caller::Admin | Caller::Ministry),
        Allowed::Facilitators => matches!(caller, Caller::Admin | Caller::Facilitator),
    }
}

/// A fresh record in `HOME` for one case, in the state the mutation needs.
#[derive(Clone, Copy, PartialEq)]
enum Fixture {
    None,
    /// Another API token of the caller (made with the caller's own token), to revoke.
    OwnToken,
    SocialSpace {
        deleted: bool,
    },
    Provider {
        deleted: bool,
    },
    Kita {
        deleted: bool,
    },
    /// A fresh indicator key and label.
    Key,
    /// A draft concept of `HOME`.
    Draft,
    /// `HOME`'s decided demo concept.
    Decided,
    /// A fresh run of `HOME`'s decided demo concept.
    Run,
    /// A CSV of one indicator value for the first demo Kita of `HOME`, different every time.
    ImportFile,
    /// A CSV with one new Kita of `HOME`.
    KitaFile,
    /// A position of `HOME` funded in 2025, with a Kita and the pillar it names.
    Position,
    /// A CSV of 2025 spending on a pillar of `HOME`'s official plan.
    SpendingFile,
    /// A CSV of one new 2025 position of `HOME`.
    PositionFile,
    /// A CSV of the state key's counts of `HOME`, different every time.
    KeyFile,
    /// A state-wide workshop.
    Workshop {
        deleted: bool,
    },
    /// A session of a state-wide workshop.
    Session {
        deleted: bool,
    },
    /// A contribution in a session of a state-wide workshop.
    Contribution {
        deleted: bool,
    },
    /// A published role profile of `HOME`.
    Profile {
        deleted: bool,
    },
    /// A published role profile of `OTHER`, to fork into `HOME`.
    OtherProfile,
    /// A staffing idea of `HOME`.
    Idea {
        deleted: bool,
    },
    /// A cooperation model of `HOME`.
    Model {
        deleted: bool,
    },
}

async fn knowledge_fixture(app: &TestApp, f: Fixture, n: usize) -> Value {
    use srb_storage::{
        ContributionData, ContributionKind, DocumentData, DocumentKind, DocumentStatus,
        Publication, SessionData, SessionKind, WorkshopData, WorkshopFormat,
    };
    let s = app.storage.as_ref();
    let workshop = || async {
        s.create_workshop(
            None,
            &WorkshopData {
                district_ags: None,
                title: format!("Workshop {n}"),
                held_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
                format: WorkshopFormat::Online,
                organisers: vec![],
                description: None,
                publication: Publication::Public,
                synthetic: false,
            },
        )
        .await
        .unwrap()
    };
    let session = |workshop_id: i64| async move {
        s.create_session(
            None,
            &SessionData {
                workshop_id,
                kind: SessionKind::ThemeRoom,
                title: format!("Raum {n}"),
                position: None,
                starts_at: None,
                ends_at: None,
                moderators: vec![],
                inputs: vec![],
                description: None,
            },
        )
        .await
        .unwrap()
    };
    let document = |kind: DocumentKind, ags: &str| {
        let data = DocumentData {
            kind,
            district_ags: Some(ags.to_owned()),
            title: format!("Dokument {n}"),
            category: Some("KITA_SOZIALARBEIT".into()),
            status: DocumentStatus::Published,
            publication: Publication::Public,
            content: "{}".into(),
            tags: vec![],
            forked_from: None,
            synthetic: false,
        };
        async move { s.create_document(None, &data).await.unwrap() }
    };
    let doc_fixture = |kind: DocumentKind, node: NodeType, deleted: bool| async move {
        let d = document(kind, HOME).await;
        let d = if deleted {
            s.set_document_lifecycle(None, d.id, d.version, Lifecycle::Delete)
                .await
                .unwrap()
        } else {
            d
        };
        json!({ "id": encode(node, d.id), "version": d.version })
    };
    match f {
        Fixture::Workshop { deleted } => {
            let w = workshop().await;
            let w = if deleted {
                s.set_workshop_lifecycle(None, w.id, 1, Lifecycle::Delete)
                    .await
                    .unwrap()
            } else {
                w
            };
            json!({ "id": encode(NodeType::Workshop, w.id), "version": w.version })
        }
        Fixture::Session { deleted } => {
            let w = workshop().await;
            let x = session(w.id).await;
            let x = if deleted {
                s.set_session_lifecycle(None, x.id, 1, Lifecycle::Delete)
                    .await
                    .unwrap()
            } else {
                x
            };
            json!({ "id": encode(NodeType::WorkshopSession, x.id), "version": x.version })
        }
        Fixture::Contribution { deleted } => {
            let w = workshop().await;
            let x = session(w.id).await;
            let c = s
                .create_contribution(
                    None,
                    &ContributionData {
                        session_id: x.id,
                        district_ags: None,
                        kind: ContributionKind::Idea,
                        body: format!("Beitrag {n}"),
                        tags: vec![],
                    },
                )
                .await
                .unwrap();
            let c = if deleted {
                s.set_contribution_lifecycle(None, c.id, 1, Lifecycle::Delete)
                    .await
                    .unwrap()
            } else {
                c
            };
            json!({ "id": encode(NodeType::Contribution, c.id), "version": c.version })
        }
        Fixture::Profile { deleted } => {
            doc_fixture(DocumentKind::RoleProfile, NodeType::RoleProfile, deleted).await
        }
        Fixture::OtherProfile => {
            let d = document(DocumentKind::RoleProfile, OTHER).await;
            json!({ "id": encode(NodeType::RoleProfile, d.id), "district": encode(NodeType::District, HOME) })
        }
        Fixture::Idea { deleted } => {
            doc_fixture(DocumentKind::StaffingIdea, NodeType::StaffingIdea, deleted).await
        }
        Fixture::Model { deleted } => {
            doc_fixture(
                DocumentKind::CooperationModel,
                NodeType::CooperationModel,
                deleted,
            )
            .await
        }
        _ => unreachable!("not a knowledge fixture"),
    }
}

/// A valid concept document: one pillar, everything to all Kitas by places.
pub const SIMPLE_DOCUMENT: &str = r#"{"pillars":[{"id":"basis","name":"Basis","budget":{"share":"1"},"method":{"base":{"by_places":true}}}],"need_index":{"terms":[],"missing":"error"}}"#;

async fn decided_concept(app: &TestApp) -> srb_storage::Concept {
    app.storage
        .concepts_of(&[HOME.to_owned()], false)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.status == srb_storage::ConceptStatus::Decided)
        .expect("a decided demo concept")
}

/// A Kita of `HOME` and the id of the first pillar of its 2025 official plan.
async fn position_basics(app: &TestApp) -> (i64, String) {
    let kita = app
        .storage
        .kitas(
            &srb_storage::KitaFilter {
                district_ags: Some(HOME.into()),
                ..Default::default()
            },
            srb_storage::Page {
                after: None,
                before: None,
                limit: 1,
                from_end: false,
            },
        )
        .await
        .unwrap()
        .rows[0]
        .id;
    let pillar = srb_app::monitoring::plan_pillars(app.storage.as_ref(), HOME, 2025)
        .await
        .unwrap()
        .unwrap()[0]
        .id
        .clone();
    (kita, pillar)
}

async fn fixture(app: &TestApp, f: Fixture, n: usize) -> Value {
    let s = app.storage.as_ref();
    let name = format!("Fixture {n}");
    match f {
        // Made in the loop, where the caller is known.
        Fixture::None | Fixture::OwnToken => json!({}),
        Fixture::SocialSpace { deleted } => {
            let r = s
                .create_social_space(
                    None,
                    &SocialSpaceData {
                        district_ags: HOME.into(),
                        name,
                        description: None,
                        synthetic: false,
                    },
                )
                .await
                .unwrap();
            let r = if deleted {
                s.set_social_space_lifecycle(None, r.id, 1, Lifecycle::Delete)
                    .await
                    .unwrap()
            } else {
                r
            };
            json!({ "id": encode(NodeType::SocialSpace, r.id), "version": r.version })
        }
        Fixture::Provider { deleted } => {
            let r = s
                .create_provider(
                    None,
                    &ProviderData {
                        district_ags: HOME.into(),
                        name,
                        ownership: Ownership::Independent,
                        kind: ProviderKind::Drk,
                        synthetic: false,
                    },
                )
                .await
                .unwrap();
            let r = if deleted {
                s.set_provider_lifecycle(None, r.id, 1, Lifecycle::Delete)
                    .await
                    .unwrap()
            } else {
                r
            };
            json!({ "id": encode(NodeType::Provider, r.id), "version": r.version })
        }
        Fixture::Kita { deleted } => {
            let r = s
                .create_kita(
                    None,
                    &KitaData {
                        district_ags: HOME.into(),
                        name,
                        street: None,
                        postal_code: None,
                        city: None,
                        places: 30,
                        places_under3: 5,
                        provider_id: None,
                        social_space_id: None,
                        family_center: false,
                        synthetic: false,
                        tags: vec![],
                    },
                )
                .await
                .unwrap();
            let r = if deleted {
                s.set_kita_lifecycle(None, r.id, 1, Lifecycle::Delete)
                    .await
                    .unwrap()
            } else {
                r
            };
            json!({ "id": encode(NodeType::Kita, r.id), "version": r.version })
        }
        Fixture::Key => json!({ "key": format!("k{n}"), "label": format!("Indikator {n}") }),
        Fixture::Draft => {
            let c = s
                .create_concept(
                    None,
                    &srb_storage::ConceptData {
                        district_ags: HOME.into(),
                        name,
                        status: srb_storage::ConceptStatus::Draft,
                        decided_on: None,
                        valid_from: None,
                        valid_to: None,
                        derived_from_id: None,
                        document: SIMPLE_DOCUMENT.into(),
                        synthetic: false,
                    },
                )
                .await
                .unwrap();
            json!({ "id": encode(NodeType::Concept, c.id), "version": c.version, "name": format!("Kopie {n}") })
        }
        Fixture::Decided => {
            let c = decided_concept(app).await;
            json!({ "id": encode(NodeType::Concept, c.id), "version": c.version })
        }
        Fixture::Run => {
            let c = decided_concept(app).await;
            let run = srb_app::planning::run(s, None, &c, 2025).await.unwrap();
            json!({ "id": encode(NodeType::AllocationRun, run.id) })
        }
        Fixture::KitaFile => json!({ "input": { "districtAgs": HOME, "file": null } }),
        Fixture::KeyFile => json!({ "input": {
            "year": 2026, "file": null, "referenceDate": "2025-12-31", "source": "Matrix"
        } }),
        Fixture::Position => {
            let (kita, pillar) = position_basics(app).await;
            let p = crate::monitoring::position(app, HOME, 2025, &pillar, kita, "VACANT").await;
            json!({
                "id": encode(NodeType::Position, p.id), "version": p.version,
                "kita": encode(NodeType::Kita, kita), "pillar": pillar,
            })
        }
        Fixture::SpendingFile | Fixture::PositionFile => {
            json!({ "input": { "districtAgs": HOME, "year": 2025, "file": null } })
        }
        Fixture::ImportFile => json!({ "input": {
            "districtAgs": HOME, "year": 2026, "file": null, "referenceDate": "2026-03-01",
            "source": "Matrix", "indicators": ["sgb2_anteil"]
        } }),
        other => knowledge_fixture(app, other, n).await,
    }
}

async fn first_kita_name(app: &TestApp) -> String {
    app.storage
        .kitas(
            &srb_storage::KitaFilter {
                district_ags: Some(HOME.into()),
                tag: None,
                ..Default::default()
            },
            Page {
                after: None,
                before: None,
                limit: 1,
                from_end: false,
            },
        )
        .await
        .unwrap()
        .rows[0]
        .name
        .clone()
}

struct Case {
    mutation: &'static str,
    rule: Allowed,
    fixture: Fixture,
    document: &'static str,
}

fn cases() -> Vec<Case> {
    use Allowed::*;
    use Fixture as F;
    vec![
        Case {
            mutation: "createSocialSpace",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createSocialSpace(input: { districtAgs: "07111", name: "Neu" }) { id } }"#,
        },
        Case {
            mutation: "updateSocialSpace",
            rule: DistrictWriters,
            fixture: F::SocialSpace { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateSocialSpace(input: { id: $id, version: $version, description: "x" }) { id } }"#,
        },
        Case {
            mutation: "deleteSocialSpace",
            rule: DistrictWriters,
            fixture: F::SocialSpace { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteSocialSpace(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreSocialSpace",
            rule: DistrictWriters,
            fixture: F::SocialSpace { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreSocialSpace(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createProvider",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createProvider(input: { districtAgs: "07111", name: "Neu", ownership: PUBLIC, kind: KOMMUNAL }) { id } }"#,
        },
        Case {
            mutation: "updateProvider",
            rule: DistrictWriters,
            fixture: F::Provider { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateProvider(input: { id: $id, version: $version, kind: AWO }) { id } }"#,
        },
        Case {
            mutation: "deleteProvider",
            rule: DistrictWriters,
            fixture: F::Provider { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteProvider(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreProvider",
            rule: DistrictWriters,
            fixture: F::Provider { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreProvider(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createKita",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createKita(input: { districtAgs: "07111", name: "Neu", places: 20 }) { id } }"#,
        },
        Case {
            mutation: "updateKita",
            rule: DistrictWriters,
            fixture: F::Kita { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateKita(input: { id: $id, version: $version, places: 31 }) { id } }"#,
        },
        Case {
            mutation: "deleteKita",
            rule: DistrictWriters,
            fixture: F::Kita { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteKita(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreKita",
            rule: DistrictWriters,
            fixture: F::Kita { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreKita(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createIndicatorDefinition",
            rule: DistrictWriters,
            fixture: F::Key,
            document: r#"mutation($key: String!, $label: String!) { createIndicatorDefinition(input: { districtAgs: "07111", key: $key, label: $label, unit: SHARE }) { id } }"#,
        },
        Case {
            mutation: "importIndicatorValues",
            rule: DistrictWriters,
            fixture: F::ImportFile,
            document: r#"mutation($input: ImportIndicatorValuesInput!) { importIndicatorValues(input: $input) { ok stored problems { message } } }"#,
        },
        Case {
            mutation: "createPosition",
            rule: DistrictWriters,
            fixture: F::Position,
            document: r#"mutation($kita: ID!, $pillar: String!) { createPosition(input: { districtAgs: "07111", position: { year: 2025, title: "Neu", role: KITA_SOCIAL_WORK, fte: "0.5", employerKind: YOUTH_OFFICE, employerName: "Jugendamt", lineSupervision: "Jugendamt", professionalSupervision: "Jugendamt", pillar: $pillar, kitas: [{ kitaId: $kita, share: "1" }], status: PLANNED, statusSince: "2025-01-01" } }) { id } }"#,
        },
        Case {
            mutation: "updatePosition",
            rule: DistrictWriters,
            fixture: F::Position,
            document: r#"mutation($id: ID!, $version: Int!, $kita: ID!, $pillar: String!) { updatePosition(input: { id: $id, version: $version, position: { year: 2025, title: "Besetzt", role: KITA_SOCIAL_WORK, fte: "0.5", employerKind: YOUTH_OFFICE, employerName: "Jugendamt", lineSupervision: "Jugendamt", professionalSupervision: "Jugendamt", pillar: $pillar, kitas: [{ kitaId: $kita, share: "1" }], status: FILLED, statusSince: "2025-06-01" } }) { id version } }"#,
        },
        Case {
            mutation: "recordSpending",
            rule: DistrictWriters,
            fixture: F::Position,
            document: r#"mutation($pillar: String!) { recordSpending(input: { districtAgs: "07111", year: 2025, entries: [{ pillar: $pillar, quarter: 1, amount: "1000.50" }] }) { inserted corrected } }"#,
        },
        Case {
            mutation: "importSpending",
            rule: DistrictWriters,
            fixture: F::SpendingFile,
            document: r#"mutation($input: ImportSpendingInput!) { importSpending(input: $input) { ok stored } }"#,
        },
        Case {
            mutation: "importPositions",
            rule: DistrictWriters,
            fixture: F::PositionFile,
            document: r#"mutation($input: ImportPositionsInput!) { importPositions(input: $input) { ok stored } }"#,
        },
        Case {
            mutation: "recordReviewMeeting",
            rule: DistrictWriters,
            fixture: F::Decided,
            document: r#"mutation($id: ID!) { recordReviewMeeting(input: { districtAgs: "07111", heldOn: "2026-10-01", participants: "Jugendamt, Träger", outcome: "Beibehalten", conceptId: $id }) { heldOn } }"#,
        },
        Case {
            mutation: "setConceptReviewDue",
            rule: DistrictWriters,
            fixture: F::Decided,
            document: r#"mutation($id: ID!, $version: Int!) { setConceptReviewDue(input: { conceptId: $id, version: $version, reviewDue: "2028-06-30" }) { id } }"#,
        },
        Case {
            mutation: "importStateKeyValues",
            rule: State,
            fixture: F::KeyFile,
            document: r#"mutation($input: ImportStateKeyInput!) { importStateKeyValues(input: $input) { ok stored } }"#,
        },
        Case {
            mutation: "importKitas",
            rule: DistrictWriters,
            fixture: F::KitaFile,
            document: r#"mutation($input: ImportKitasInput!) { importKitas(input: $input) { ok stored } }"#,
        },
        Case {
            mutation: "setCostRate",
            rule: DistrictWriters,
            fixture: F::Key,
            document: r#"mutation { setCostRate(input: { districtAgs: "07111", role: "kita_sozialarbeit", year: 2030, costPerFte: "81000", source: "Tarif" }) { year } }"#,
        },
        Case {
            mutation: "createConcept",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createConcept(input: { districtAgs: "07111", name: "Neu", document: {pillars: [{id: "basis", name: "Basis", budget: {share: "1"}, method: {base: {by_places: true}}}], need_index: {terms: [], missing: "error"}} }) { id } }"#,
        },
        Case {
            mutation: "updateConcept",
            rule: DistrictWriters,
            fixture: F::Draft,
            document: r#"mutation($id: ID!, $version: Int!) { updateConcept(input: { id: $id, version: $version, validFrom: 2026 }) { id } }"#,
        },
        Case {
            mutation: "decideConcept",
            rule: DistrictWriters,
            fixture: F::Draft,
            document: r#"mutation($id: ID!, $version: Int!) { decideConcept(input: { id: $id, version: $version, decidedOn: "2026-06-01" }) { id } }"#,
        },
        Case {
            mutation: "archiveConcept",
            rule: DistrictWriters,
            fixture: F::Draft,
            document: r#"mutation($id: ID!, $version: Int!) { archiveConcept(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "copyConcept",
            rule: DistrictWriters,
            fixture: F::Draft,
            document: r#"mutation($id: ID!, $name: String!) { copyConcept(input: { id: $id, name: $name }) { id } }"#,
        },
        Case {
            mutation: "runAllocation",
            rule: DistrictWriters,
            fixture: F::Decided,
            document: r#"mutation($id: ID!) { runAllocation(conceptId: $id, dataYear: 2025) { id } }"#,
        },
        Case {
            mutation: "setOfficialPlan",
            rule: DistrictWriters,
            fixture: F::Run,
            document: r#"mutation($id: ID!) { setOfficialPlan(runId: $id) { id } }"#,
        },
        Case {
            mutation: "createWorkshop",
            rule: Facilitators,
            fixture: F::None,
            document: r#"mutation { createWorkshop(input: { title: "Neu", heldOn: "2026-05-01", format: ONLINE }) { id } }"#,
        },
        Case {
            mutation: "updateWorkshop",
            rule: Facilitators,
            fixture: F::Workshop { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateWorkshop(input: { id: $id, version: $version, description: "x" }) { id } }"#,
        },
        Case {
            mutation: "deleteWorkshop",
            rule: Facilitators,
            fixture: F::Workshop { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteWorkshop(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreWorkshop",
            rule: Facilitators,
            fixture: F::Workshop { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreWorkshop(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createWorkshopSession",
            rule: Facilitators,
            fixture: F::Workshop { deleted: false },
            document: r#"mutation($id: ID!) { createWorkshopSession(input: { workshopId: $id, kind: THEME_ROOM, title: "Neu" }) { id } }"#,
        },
        Case {
            mutation: "updateWorkshopSession",
            rule: Facilitators,
            fixture: F::Session { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateWorkshopSession(input: { id: $id, version: $version, startsAt: "10:00" }) { id } }"#,
        },
        Case {
            mutation: "deleteWorkshopSession",
            rule: Facilitators,
            fixture: F::Session { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteWorkshopSession(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreWorkshopSession",
            rule: Facilitators,
            fixture: F::Session { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreWorkshopSession(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "addContribution",
            rule: Facilitators,
            fixture: F::Session { deleted: false },
            document: r#"mutation($id: ID!) { addContribution(input: { sessionId: $id, kind: IDEA, body: "Neu" }) { id } }"#,
        },
        Case {
            mutation: "updateContribution",
            rule: Facilitators,
            fixture: F::Contribution { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateContribution(input: { id: $id, version: $version, kind: QUESTION }) { id } }"#,
        },
        Case {
            mutation: "deleteContribution",
            rule: Facilitators,
            fixture: F::Contribution { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteContribution(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreContribution",
            rule: Facilitators,
            fixture: F::Contribution { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreContribution(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createRoleProfile",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createRoleProfile(input: { districtAgs: "07111", profile: { title: "Neu", role: KITA_LOTSE } }) { id } }"#,
        },
        Case {
            mutation: "updateRoleProfile",
            rule: DistrictWriters,
            fixture: F::Profile { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateRoleProfile(input: { id: $id, version: $version, profile: { title: "Geändert", role: KITA_LOTSE } }) { id } }"#,
        },
        Case {
            mutation: "deleteRoleProfile",
            rule: DistrictWriters,
            fixture: F::Profile { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteRoleProfile(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreRoleProfile",
            rule: DistrictWriters,
            fixture: F::Profile { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreRoleProfile(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "forkRoleProfile",
            rule: DistrictWriters,
            fixture: F::OtherProfile,
            document: r#"mutation($id: ID!, $district: ID!) { forkRoleProfile(input: { id: $id, districtId: $district }) { id } }"#,
        },
        Case {
            mutation: "createStaffingIdea",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createStaffingIdea(input: { districtAgs: "07111", idea: { title: "Neu", category: HALTEN, measure: "Maßnahme" } }) { id } }"#,
        },
        Case {
            mutation: "updateStaffingIdea",
            rule: DistrictWriters,
            fixture: F::Idea { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateStaffingIdea(input: { id: $id, version: $version, idea: { title: "Geändert", category: HALTEN, measure: "Maßnahme" } }) { id } }"#,
        },
        Case {
            mutation: "deleteStaffingIdea",
            rule: DistrictWriters,
            fixture: F::Idea { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteStaffingIdea(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreStaffingIdea",
            rule: DistrictWriters,
            fixture: F::Idea { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreStaffingIdea(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createCooperationModel",
            rule: DistrictWriters,
            fixture: F::None,
            document: r#"mutation { createCooperationModel(input: { districtAgs: "07111", model: { title: "Neu" } }) { id } }"#,
        },
        Case {
            mutation: "updateCooperationModel",
            rule: DistrictWriters,
            fixture: F::Model { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { updateCooperationModel(input: { id: $id, version: $version, model: { title: "Geändert" } }) { id } }"#,
        },
        Case {
            mutation: "deleteCooperationModel",
            rule: DistrictWriters,
            fixture: F::Model { deleted: false },
            document: r#"mutation($id: ID!, $version: Int!) { deleteCooperationModel(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "restoreCooperationModel",
            rule: DistrictWriters,
            fixture: F::Model { deleted: true },
            document: r#"mutation($id: ID!, $version: Int!) { restoreCooperationModel(input: { id: $id, version: $version }) { id } }"#,
        },
        Case {
            mutation: "createApiToken",
            rule: SignedIn,
            fixture: F::None,
            document: r#"mutation { createApiToken(label: "Matrix") { token apiToken { id } } }"#,
        },
        Case {
            mutation: "revokeApiToken",
            rule: SignedIn,
            fixture: F::OwnToken,
            document: r#"mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }"#,
        },
        Case {
            mutation: "logout",
            rule: SignedIn,
            fixture: F::None,
            document: r#"mutation { logout }"#,
        },
        Case {
            mutation: "login",
            rule: Everybody,
            fixture: F::None,
            document: r#"mutation { login(email: "matrix@test.example", password: "richtig-und-lang") { token } }"#,
        },
    ]
}

async fn every_mutation_under_every_role(app: &TestApp) {
    app.seed_demo().await;
    let kita = first_kita_name(app).await;
    let hash = srb_app::accounts::hash_password("richtig-und-lang").unwrap();
    app.storage
        .create_user(
            "matrix@test.example",
            None,
            Some(&hash),
            Role::Facilitator,
            None,
        )
        .await
        .unwrap();

    // The matrix covers the whole mutation type: a new mutation without a row here fails.
    let schema = app
        .data(
            None,
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let in_schema: BTreeSet<String> = schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    let in_matrix: BTreeSet<String> = cases().iter().map(|c| c.mutation.to_owned()).collect();
    assert_eq!(in_schema, in_matrix);

    let mut n = 0;
    let mut failures = Vec::new();
    for case in cases() {
        for caller in CALLERS {
            n += 1;
            let mut vars = fixture(app, case.fixture, n).await;
            // Unique names for creates.
            let document = case.document.replace("\"Neu\"", &format!("\"Neu {n}\""));
            let token = app.token_as(caller).await;
            if case.fixture == Fixture::OwnToken {
                vars = match &token {
                    Some(t) => {
                        let made = app
                            .data(
                                Some(t),
                                r#"mutation { createApiToken(label: "Zum Widerrufen") { apiToken { id } } }"#,
                                json!({}),
                            )
                            .await;
                        json!({ "id": made["createApiToken"]["apiToken"]["id"] })
                    }
                    None => {
                        json!({ "id": srb_schema::ids::encode(srb_schema::ids::NodeType::ApiToken, 1) })
                    }
                };
            }
            let audits_before = app.audit_count().await;
            let body = if matches!(
                case.fixture,
                Fixture::ImportFile
                    | Fixture::KitaFile
                    | Fixture::KeyFile
                    | Fixture::SpendingFile
                    | Fixture::PositionFile
            ) {
                let csv = if case.fixture == Fixture::PositionFile {
                    let (_, pillar) = position_basics(app).await;
                    format!(
                        "Bezeichnung;Rolle;Säule;VZÄ;Anstellungsträger;Art des Trägers;Dienstaufsicht;Fachaufsicht;Kitas (Anteil);Stand;Seit\nStelle {n};Kita-Sozialarbeit;{pillar};1;Jugendamt;Jugendamt;Jugendamt;Jugendamt;{kita};geplant;01.01.2025\n"
                    )
                } else if case.fixture == Fixture::SpendingFile {
                    let (_, pillar) = position_basics(app).await;
                    format!("Säule;Betrag\n{pillar};{}\n", 1000 + n)
                } else if case.fixture == Fixture::KitaFile {
                    format!("Kita;Plätze\nImportierte Kita {n};{}\n", 20 + n % 50)
                } else if case.fixture == Fixture::KeyFile {
                    format!(
                        "AGS;Kinder unter 7 Jahren;Kinder unter 7 Jahren in SGB-II-Bedarfsgemeinschaften\n{HOME};{};{}\n",
                        7000 + n,
                        900 + n
                    )
                } else {
                    format!("Kita;Anteil Kinder in SGB-II-Bedarfsgemeinschaften\n{kita};0,{n:03}\n")
                };
                let (_, body) = app
                    .gql_upload(
                        token.as_deref(),
                        &document,
                        vars,
                        "variables.input.file",
                        "matrix.csv",
                        csv.into_bytes(),
                    )
                    .await;
                body
            } else {
                app.gql(token.as_deref(), &document, vars).await
            };
            let expect_ok = allowed(case.rule, caller);
            let ok = body.get("errors").is_none();
            if ok != expect_ok {
                failures.push(format!(
                    "{} as {caller:?}: expected {}, got {body}",
                    case.mutation,
                    if expect_ok { "success" } else { "refusal" }
                ));
                continue;
            }
            if !ok {
                let expected = if caller == Caller::Anonymous {
                    "UNAUTHENTICATED"
                } else {
                    "FORBIDDEN"
                };
                if code(&body) != expected {
                    failures.push(format!(
                        "{} as {caller:?}: expected {expected}, got {body}",
                        case.mutation
                    ));
                }
                if app.audit_count().await != audits_before {
                    failures.push(format!(
                        "{} as {caller:?}: refused but wrote",
                        case.mutation
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "role matrix:\n{}", failures.join("\n"));
}

on_every_backend!(every_mutation_under_every_role);
