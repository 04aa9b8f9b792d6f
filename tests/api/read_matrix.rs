//! The read-side role matrix. Every field of every output type of the schema has an entry
//! saying who may read what it holds; a field added later without one fails
//! `every_field_has_a_read_rule`. Fields that hold non-public data are probed under every
//! caller (anonymous, each role, the record's own district and another district): exactly the
//! allowed callers see the data, the others are refused or see it withheld.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use srb_schema::ids::{encode, NodeType};
use srb_storage::{
    DocumentData, DocumentKind, DocumentStatus, Lifecycle, Page, Publication, SocialSpaceData,
};
use srb_tests::{on_every_backend, Caller, TestApp, CALLERS};

const HOME: &str = "07111";

/// Who may read what a field holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Read {
    /// Nothing beyond what its parent already shows to whoever may read the parent.
    Public,
    /// Knowledge records under their publication level (`srb_domain::Reader::may_read`):
    /// probed with a `DISTRICT`-level record and a draft of `HOME`.
    Records,
    /// A district's non-public data: admins, the ministry, the district's coordinators.
    Private,
    /// Numbers under the small-count rule: `small_counts.rs` checks each of them.
    SmallCounts,
    /// The caller's own account.
    Own,
}

use Read::*;

/// `(type, fields, rule)`: every field of the SDL appears exactly once.
const MATRIX: &[(&str, &str, Read)] = &[
    ("Query", "districts district indicatorDefinitions costRates stateDistribution officialPlans officialPlan compareAllocationRuns", Public),
    // Dates and numbers of values per indicator, the Kitas' public records, the state's table.
    ("Query", "indicatorCurrency exportKitas exportStateDistribution", Public),
    ("IndicatorCurrency", "indicator latestYear latestReferenceDate values stale", Public),
    ("Query", "kitas concepts concept allocationRun allocationRuns previewAllocation indicatorTemplate auditLog", Private),
    ("Query", "exportAllocationRun exportAllocationComparison", SmallCounts),
    ("Query", "node workshops workshop roleProfiles roleProfile compareRoleProfiles staffingIdeas staffingIdea cooperationModels cooperationModel search suggest similarProfiles", Records),
    ("Query", "me", Own),
    // Monitoring: money and concepts are public per district; position figures pass the
    // small-count rule (`monitoring.rs` checks what the public and other districts see).
    ("Query", "stateMonitoring exportStateMonitoring", SmallCounts),
    ("Query", "districtMonitoring exportPositions", Private),
    ("StateMonitoring", "year asOf totals districts series uses", Public),
    ("MonitoringTotals", "year districtsWithPlan budget allocated spent spentPercent positionsWithheld", Public),
    ("MonitoringTotals", "positions", SmallCounts),
    ("DistrictMonitoringRow", "district districtAgs name hasPlan budget allocated spent spentPercent positionsWithheld concept lastReview oldestReferenceDate staleIndicators flags", Public),
    ("DistrictMonitoringRow", "positions", SmallCounts),
    ("PositionFigures", "positions plannedFte filledPositions filledFte vacantPositions vacantFte openPositions openFte longVacancies longestVacancyMonths", SmallCounts),
    ("PositionUse", "role roleLabel pillarName withheld", Public),
    ("PositionUse", "positions fte", SmallCounts),
    ("ConceptLifecycle", "id name adoptedOn validFrom validTo reviewDue reviewOverdue version", Public),
    // Reached only through `districtMonitoring` and the mutations of the district's writers.
    ("DistrictMonitoring", "row series pillars positions reviewMeetings concepts", Private),
    ("PillarSpending", "pillarId name allocated plannedFte spent spentPercent wholeYear quarters overspent", Private),
    ("Position", "id version districtAgs year title role roleLabel profileId fte weeklyHours payGrade employerKind employerName lineSupervision professionalSupervision pillarId pillarName kitas status statusSince vacantMonths synthetic history", Private),
    ("PositionKita", "kitaId kita share", Private),
    ("PositionVersion", "version changedAt status statusSince fte title", Private),
    ("ReviewMeeting", "heldOn participants outcome conceptId", Private),
    ("SpendingReport", "inserted corrected unchanged", Private),
    ("SpendingImportReport", "ok stored rows inserted corrected unchanged problems", Private),
    ("PositionImportReport", "ok stored rows created updated problems", Private),
    ("KnowledgeSubscription", "contributionAdded", Records),
    ("LoginPayload", "token user", Own),
    ("User", "email displayName role district apiTokens", Own),
    ("ApiToken", "id label createdAt revokedAt expiresAt lastUsedAt", Own),
    ("CreateApiTokenPayload", "token apiToken", Own),
    ("AuditEntry", "at actorUserId entityType entityId districtAgs action oldVersion newVersion details", Private),
    ("AuditEntryConnection", "pageInfo edges nodes", Private),
    ("AuditEntryEdge", "node cursor", Private),
    ("District", "id ags name kind nuts3 areaKm2 population populationReferenceDate parent kitas", Public),
    ("District", "socialSpaces providers", Private),
    ("SocialSpace", "id name description district synthetic version createdAt updatedAt deletedAt", Public),
    ("Provider", "id name ownership kind district synthetic version createdAt updatedAt deletedAt", Public),
    ("Kita", "id name street postalCode city places placesUnder3 familyCenter tags district provider socialSpace synthetic version createdAt updatedAt deletedAt", Public),
    ("Kita", "allocation", SmallCounts),
    ("Kita", "indicatorValues", Private),
    ("KitaConnection", "pageInfo edges nodes totalCount", Public),
    ("KitaEdge", "node cursor", Public),
    ("PageInfo", "hasPreviousPage hasNextPage startCursor endCursor", Public),
    ("IndicatorDefinition", "id key label unit level direction description stateWide", Public),
    ("IndicatorValue", "indicator year referenceDate source", Private),
    ("IndicatorValue", "value shown", SmallCounts),
    ("CostRate", "role year costPerFte source stateDefault", Public),
    ("StateDistribution", "year total proposed districts", Public),
    ("DistrictBudget", "district share childrenUnder7 childrenUnder7Sgb2 keyYear referenceDate landAmount total districtShare traegerShare", Public),
    ("Concept", "id name status decidedOn validFrom validTo derivedFrom document district synthetic version createdAt updatedAt", Public),
    ("AllocationRun", "id district concept conceptVersion year budget allocated leftover landAmount districtShare traegerShare inputHash engineVersion createdByUserId createdAt previousRunId official pillars measures", Public),
    ("AllocationRun", "kitas", SmallCounts),
    ("AllocationRun", "result", Private),
    ("AllocationPreview", "year budget allocated inputHash pillars measures kitas", Private),
    ("PillarAllocation", "id name budget received allocated leftover fte weeklyHours", Public),
    ("DistributionMeasures", "kitasReached kitasTotal placesReached placesTotal giniPerPlace shareToTopQuarter needCorrelation", Public),
    ("KitaAllocation", "kitaId name year places rankedKitas amount fte previousAmount change", Public),
    ("KitaAllocation", "needIndex shownNeedIndex rank pillars indexTerms", SmallCounts),
    ("KitaPillarAllocation", "pillarId pillarName eligible reasonKind capped floored phased amount fte weeklyHours previousAmount", Public),
    ("KitaPillarAllocation", "reason rawShare", SmallCounts),
    ("IndexTerm", "indicator label weight normalization moreIsNeed imputed", Public),
    ("IndexTerm", "value shownValue normalized contribution shownContribution", SmallCounts),
    ("AllocationComparison", "a b gainers losers unchanged gained lost allocatedA allocatedB measuresA measuresB giniChange shareToTopQuarterChange needCorrelationChange", Public),
    ("AllocationComparison", "kitas", SmallCounts),
    ("KitaChange", "kitaId name amountA amountB difference fteA fteB", Public),
    ("KitaChange", "rankA rankB", SmallCounts),
    ("FileDownload", "fileName mediaType size contentBase64", Public),
    ("ImportProblem", "row column message", Public),
    ("ImportReport", "ok stored fileName rows values emptyCells inserted updated unchanged problems warnings", Public),
    ("KitaImportReport", "ok stored rows created updated unchanged problems", Public),
    ("Workshop", "id title heldOn format organisers description descriptionHtml publication district synthetic version createdAt updatedAt deletedAt sessions documentation", Public),
    ("WorkshopConnection", "pageInfo edges nodes", Records),
    ("WorkshopEdge", "node cursor", Records),
    ("WorkshopSession", "id kind title position startsAt endsAt moderators inputs description version deletedAt workshop", Public),
    ("WorkshopSession", "contributions", Records),
    ("Contribution", "id kind kindLabel body html district tags position version createdAt updatedAt deletedAt session", Public),
    ("ContributionConnection", "pageInfo edges nodes totalCount", Records),
    ("ContributionEdge", "node cursor", Records),
    ("RoleProfile", "id title district status publication tags synthetic version createdAt updatedAt deletedAt role roleLabel purpose purposeHtml tasks targetGroups waysOfWorking accessProfile fte kitasServed employer lineSupervision professionalSupervision cooperationPartners revision forkedFrom", Public),
    ("RoleProfile", "revisions reuseCount reuses", Records),
    ("RoleProfileConnection", "pageInfo edges nodes totalCount", Records),
    ("RoleProfileEdge", "node cursor", Records),
    ("RoleProfileRevision", "id revision title status savedAt tasks", Records),
    ("RoleProfileComparison", "a b identical tasksAdded tasksRemoved tasksChanged taskOrderChanged fields", Records),
    ("ComparedProfile", "revision title profile", Records),
    ("ProfileOrigin", "profile revision", Records),
    ("Reuse", "district at profile", Records),
    ("AccessProfile", "qualifications lateralEntry notes", Public),
    ("Task", "key text", Public),
    ("TaskChange", "key before after", Public),
    ("FieldDifference", "field label before after", Public),
    ("StaffingIdea", "id title district status publication tags synthetic version createdAt updatedAt deletedAt category measure measureHtml context evidence", Public),
    ("StaffingIdeaConnection", "pageInfo edges nodes totalCount", Records),
    ("StaffingIdeaEdge", "node cursor", Records),
    ("CooperationModel", "id title district status publication tags synthetic version createdAt updatedAt deletedAt description descriptionHtml employer employerNote lineSupervision professionalSupervision personnelCosts materialCosts agreements advantages risks", Public),
    ("CooperationModelConnection", "pageInfo edges nodes totalCount", Records),
    ("CooperationModelEdge", "node cursor", Records),
    ("Agreement", "parties subject", Public),
    ("CostShare", "payer percent", Public),
    ("SearchResultConnection", "pageInfo edges nodes totalCount facets", Records),
    ("SearchResultEdge", "node score titleHighlight highlight cursor", Records),
    ("SearchFacets", "kind district workshop session tags category year", Records),
    ("FacetCount", "value label count", Records),
    ("Suggestion", "label highlight node", Records),
    ("SimilarProfile", "score profile", Records),
];

/// The output types of the SDL with their fields (mutations have their own matrix).
fn schema_fields() -> BTreeSet<(String, String)> {
    let sdl = srb_schema::sdl();
    let mut out = BTreeSet::new();
    let mut current: Option<String> = None;
    let mut in_description = false;
    for line in sdl.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("\"\"\"") {
            let closes_here = trimmed.len() > 3 && trimmed.ends_with("\"\"\"");
            if !closes_here {
                in_description = !in_description;
            }
            continue;
        }
        if in_description {
            continue;
        }
        if let Some(rest) = line.strip_prefix("type ") {
            let name = rest.split([' ', '{']).next().unwrap().to_owned();
            current = (name != "Mutation").then_some(name);
            continue;
        }
        if line.starts_with('}') || !line.starts_with('\t') {
            if line.starts_with('}') {
                current = None;
            }
            continue;
        }
        if let Some(t) = &current {
            let field: String = trimmed
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !field.is_empty() {
                out.insert((t.clone(), field));
            }
        }
    }
    out
}

fn matrix() -> BTreeMap<(String, String), Read> {
    let mut m = BTreeMap::new();
    for (t, fields, rule) in MATRIX {
        for f in fields.split_whitespace() {
            let prev = m.insert((t.to_string(), f.to_string()), *rule);
            assert!(prev.is_none(), "{t}.{f} is in the matrix twice");
        }
    }
    m
}

#[test]
fn every_field_has_a_read_rule() {
    let fields = schema_fields();
    assert!(fields.len() > 400, "the SDL was read: {}", fields.len());
    let m = matrix();
    let missing: Vec<String> = fields
        .iter()
        .filter(|k| !m.contains_key(*k))
        .map(|(t, f)| format!("{t}.{f}"))
        .collect();
    let unknown: Vec<String> = m
        .keys()
        .filter(|k| !fields.contains(*k))
        .map(|(t, f)| format!("{t}.{f}"))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "fields without a read rule: {missing:#?}\nrules for fields that do not exist: {unknown:#?}"
    );
}

fn may(rule: Read, caller: Caller) -> bool {
    match rule {
        Private => matches!(
            caller,
            Caller::Admin | Caller::Ministry | Caller::CoordinatorHome
        ),
        // A `DISTRICT`-level record or a draft of `HOME`.
        Records => matches!(caller, Caller::Admin | Caller::CoordinatorHome),
        Own => caller != Caller::Anonymous,
        Public | SmallCounts => true,
    }
}

/// A query that reaches one protected field, and how to tell from the answer whether the
/// caller saw what it holds.
struct Probe {
    field: &'static str,
    query: String,
    variables: Value,
    seen: fn(&Value) -> bool,
}

fn data_at<'a>(body: &'a Value, path: &[&str]) -> &'a Value {
    let mut v = &body["data"];
    for p in path {
        v = &v[*p];
    }
    v
}

fn refused_cleanly(body: &Value) -> bool {
    match body["errors"].as_array() {
        None => true,
        Some(errors) => errors.iter().all(|e| {
            matches!(
                e["extensions"]["code"].as_str(),
                Some("UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND")
            )
        }),
    }
}

fn has(v: &Value) -> bool {
    !v.is_null()
}

fn nonempty(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

async fn read_side_role_matrix(app: &TestApp) {
    let s = app.storage.as_ref();
    app.seed_demo().await;
    let mut tokens = BTreeMap::new();
    for caller in CALLERS {
        tokens.insert(caller, app.token_as(caller).await);
    }
    let token = |c: Caller| tokens[&c].clone();
    let home = token(Caller::CoordinatorHome).unwrap();

    // Fixtures in HOME: a Kita, a deleted Kita and social space, a draft concept and a run
    // that is not official, a DISTRICT-level workshop, a draft profile, a DISTRICT-level idea.
    let kitas = s
        .kitas(
            &srb_storage::KitaFilter {
                district_ags: Some(HOME.into()),
                ..Default::default()
            },
            Page {
                after: None,
                before: None,
                limit: 2,
                from_end: false,
            },
        )
        .await
        .unwrap()
        .rows;
    let kita = encode(NodeType::Kita, kitas[0].id);
    s.set_kita_lifecycle(None, kitas[1].id, kitas[1].version, Lifecycle::Delete)
        .await
        .unwrap();
    let space = s
        .create_social_space(
            None,
            &SocialSpaceData {
                district_ags: HOME.into(),
                name: "Gelöschter Sozialraum".into(),
                description: None,
                synthetic: false,
            },
        )
        .await
        .unwrap();
    s.set_social_space_lifecycle(None, space.id, 1, Lifecycle::Delete)
        .await
        .unwrap();
    let decided = app
        .data(
            Some(&home),
            r#"{ concepts(districtAgs: "07111") { id status } }"#,
            json!({}),
        )
        .await["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "DECIDED")
        .unwrap()["id"]
        .clone();
    let run = app
        .data(
            Some(&home),
            "mutation($c: ID!) { runAllocation(conceptId: $c, dataYear: 2025) { id } }",
            json!({ "c": decided }),
        )
        .await["runAllocation"]["id"]
        .clone();
    let doc = json!({ "pillars": [{ "id": "a", "name": "Basis", "budget": { "share": "1" },
                                    "method": { "base": { "by_places": true } } }],
                      "need_index": { "terms": [] } });
    let draft_concept = app
        .data(
            Some(&home),
            "mutation($doc: JSON!) { createConcept(input: { districtAgs: \"07111\", name: \"Matrix-Entwurf\", document: $doc }) { id } }",
            json!({ "doc": doc }),
        )
        .await["createConcept"]["id"]
        .clone();
    let workshop = app
        .data(
            Some(&home),
            r#"mutation($input: CreateWorkshopInput!) { createWorkshop(input: $input) { id } }"#,
            json!({ "input": { "title": "Matrixinterne Klausur", "heldOn": "2026-11-24",
                               "format": "IN_PERSON", "publication": "DISTRICT", "districtAgs": HOME } }),
        )
        .await["createWorkshop"]["id"]
        .clone();
    let draft = s
        .create_document(
            None,
            &DocumentData {
                kind: DocumentKind::RoleProfile,
                district_ags: Some(HOME.into()),
                title: "Matrixprofil im Entwurf".into(),
                category: Some("KITA_SOZIALARBEIT".into()),
                status: DocumentStatus::Draft,
                publication: Publication::Public,
                content: "{}".into(),
                tags: vec![],
                forked_from: None,
                synthetic: false,
            },
        )
        .await
        .unwrap();
    let draft = encode(NodeType::RoleProfile, draft.id);
    let idea = s
        .create_document(
            None,
            &DocumentData {
                kind: DocumentKind::StaffingIdea,
                district_ags: Some(HOME.into()),
                title: "Matrixidee nur im Bezirk".into(),
                category: Some("GEWINNEN".into()),
                status: DocumentStatus::Published,
                publication: Publication::District,
                content: "{}".into(),
                tags: vec![],
                forked_from: None,
                synthetic: false,
            },
        )
        .await
        .unwrap();
    let idea = encode(NodeType::StaffingIdea, idea.id);
    app.indexed().await;

    let probes = vec![
        Probe {
            field: "Query.auditLog",
            query: r#"{ auditLog(filter: { districtAgs: "07111" }, first: 1) { edges { node { action } } } }"#.into(),
            variables: json!({}),
            seen: |b| nonempty(data_at(b, &["auditLog", "edges"])),
        },
        Probe {
            field: "Query.kitas",
            query: r#"{ kitas(filter: { districtAgs: "07111", includeDeleted: true }, first: 100) { nodes { deletedAt } } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["kitas", "nodes"])
                    .as_array()
                    .is_some_and(|a| a.iter().any(|k| !k["deletedAt"].is_null()))
            },
        },
        Probe {
            field: "District.socialSpaces",
            query: r#"{ district(ags: "07111") { socialSpaces(includeDeleted: true) { deletedAt } } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["district", "socialSpaces"])
                    .as_array()
                    .is_some_and(|a| a.iter().any(|s| !s["deletedAt"].is_null()))
            },
        },
        Probe {
            field: "Kita.indicatorValues",
            query: "query($id: ID!) { node(id: $id) { ... on Kita { indicatorValues(year: 2025) { referenceDate } } } }".into(),
            variables: json!({ "id": kita }),
            seen: |b| nonempty(data_at(b, &["node", "indicatorValues"])),
        },
        Probe {
            field: "AllocationRun.result",
            query: r#"{ officialPlan(districtAgs: "07111", year: 2025) { result } }"#.into(),
            variables: json!({}),
            seen: |b| has(data_at(b, &["officialPlan", "result"])),
        },
        Probe {
            field: "Query.allocationRun",
            query: "query($r: ID!) { allocationRun(id: $r) { id } }".into(),
            variables: json!({ "r": run }),
            seen: |b| has(data_at(b, &["allocationRun", "id"])),
        },
        Probe {
            field: "Query.allocationRuns",
            query: r#"{ allocationRuns(districtAgs: "07111", year: 2025) { official } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["allocationRuns"])
                    .as_array()
                    .is_some_and(|a| a.iter().any(|r| r["official"] == false))
            },
        },
        Probe {
            field: "Query.concept",
            query: "query($c: ID!) { concept(id: $c) { id } }".into(),
            variables: json!({ "c": draft_concept }),
            seen: |b| has(data_at(b, &["concept", "id"])),
        },
        Probe {
            field: "Query.concepts",
            query: r#"{ concepts(districtAgs: "07111") { status } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["concepts"])
                    .as_array()
                    .is_some_and(|a| a.iter().any(|c| c["status"] == "DRAFT"))
            },
        },
        Probe {
            field: "Query.previewAllocation",
            query: "query($doc: JSON!) { previewAllocation(districtAgs: \"07111\", dataYear: 2025, document: $doc) { allocated } }".into(),
            variables: json!({ "doc": doc }),
            seen: |b| has(data_at(b, &["previewAllocation", "allocated"])),
        },
        Probe {
            field: "Query.indicatorTemplate",
            query: r#"{ indicatorTemplate(districtAgs: "07111") { size } }"#.into(),
            variables: json!({}),
            seen: |b| has(data_at(b, &["indicatorTemplate", "size"])),
        },
        Probe {
            field: "Query.workshop",
            query: "query($w: ID!) { workshop(id: $w) { id } }".into(),
            variables: json!({ "w": workshop }),
            seen: |b| has(data_at(b, &["workshop", "id"])),
        },
        Probe {
            field: "Query.workshops",
            query: r#"{ workshops(filter: { districtAgs: "07111" }, first: 100) { nodes { title } } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["workshops", "nodes"])
                    .as_array()
                    .is_some_and(|a| a.iter().any(|w| w["title"] == "Matrixinterne Klausur"))
            },
        },
        Probe {
            field: "Query.roleProfile",
            query: "query($p: ID!) { roleProfile(id: $p) { id } }".into(),
            variables: json!({ "p": draft }),
            seen: |b| has(data_at(b, &["roleProfile", "id"])),
        },
        Probe {
            field: "Query.roleProfiles",
            query: r#"{ roleProfiles(filter: { districtAgs: "07111" }, first: 100) { nodes { title } } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["roleProfiles", "nodes"])
                    .as_array()
                    .is_some_and(|a| a.iter().any(|p| p["title"] == "Matrixprofil im Entwurf"))
            },
        },
        Probe {
            field: "Query.staffingIdea",
            query: "query($i: ID!) { staffingIdea(id: $i) { id } }".into(),
            variables: json!({ "i": idea }),
            seen: |b| has(data_at(b, &["staffingIdea", "id"])),
        },
        Probe {
            field: "Query.node",
            query: "query($i: ID!) { node(id: $i) { id } }".into(),
            variables: json!({ "i": idea }),
            seen: |b| has(data_at(b, &["node", "id"])),
        },
        Probe {
            field: "Query.search",
            query: r#"{ search(query: "Matrixidee") { totalCount facets { district { value count } } } }"#.into(),
            variables: json!({}),
            seen: |b| {
                data_at(b, &["search", "totalCount"]).as_i64().unwrap_or(0) > 0
                    || nonempty(data_at(b, &["search", "facets", "district"]))
            },
        },
        Probe {
            field: "Query.suggest",
            query: r#"{ suggest(prefix: "Matrixprof") { label } }"#.into(),
            variables: json!({}),
            seen: |b| nonempty(data_at(b, &["suggest"])),
        },
        Probe {
            field: "Query.districtMonitoring",
            query: r#"{ districtMonitoring(districtAgs: "07111", year: 2025) { pillars { name } } }"#.into(),
            variables: json!({}),
            seen: |b| nonempty(data_at(b, &["districtMonitoring", "pillars"])),
        },
        Probe {
            field: "Query.exportPositions",
            query: r#"{ exportPositions(districtAgs: "07111", year: 2025, format: CSV) { size } }"#.into(),
            variables: json!({}),
            seen: |b| has(data_at(b, &["exportPositions", "size"])),
        },
        Probe {
            field: "Query.me",
            query: "{ me { email } }".into(),
            variables: json!({}),
            seen: |b| has(data_at(b, &["me", "email"])),
        },
    ];

    let m = matrix();
    let mut wrong = Vec::new();
    for probe in &probes {
        let (t, f) = probe.field.split_once('.').unwrap();
        let rule = *m
            .get(&(t.to_owned(), f.to_owned()))
            .unwrap_or_else(|| panic!("{} has no read rule", probe.field));
        assert_ne!(rule, Public, "{} is probed but public", probe.field);
        for caller in CALLERS {
            let body = app
                .gql(
                    token(caller).as_deref(),
                    &probe.query,
                    probe.variables.clone(),
                )
                .await;
            let seen = (probe.seen)(&body);
            if seen != may(rule, caller) {
                wrong.push(format!(
                    "{} ({rule:?}) for {caller:?}: seen = {seen}: {body}",
                    probe.field
                ));
            } else if !seen && !refused_cleanly(&body) {
                wrong.push(format!(
                    "{} for {caller:?}: refused badly: {body}",
                    probe.field
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

on_every_backend!(read_side_role_matrix);
