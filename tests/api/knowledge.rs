//! The knowledge store end to end: the documented workshop and its export, reuse of role
//! profiles across districts, live capture over WebSocket, publication levels and bad input.

use std::time::Duration;

use serde_json::{json, Value};
use srb_schema::ids::{encode, NodeType};
use srb_storage::Role;
use srb_tests::{code, on_every_backend, Event, TestApp};

const HOME: &str = "07111";
const OTHER: &str = "07131";

const DOCUMENTED_WORKSHOP: &str = r#"{
  workshops(first: 1) { edges { node {
    id title heldOn format organisers publication
    sessions { id kind title position startsAt endsAt moderators
      contributions(first: 100) { totalCount edges { node { kind body position tags } } } }
  } } }
}"#;

async fn demo_workshop_reads_and_exports_in_agenda_order(app: &TestApp) {
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    // Seeding twice adds nothing.
    let again = srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    assert_eq!((again.workshops, again.documents), (0, 0));

    // Public: readable without signing in.
    let data = app.data(None, DOCUMENTED_WORKSHOP, json!({})).await;
    let workshops = data["workshops"]["edges"].as_array().unwrap();
    assert_eq!(workshops.len(), 1);
    let w = &workshops[0]["node"];
    assert_eq!(w["title"], "Zwischenbilanz II: Konzeption Sozialraumbudget");
    assert_eq!(w["heldOn"], "2021-11-09");
    assert_eq!(w["format"], "ONLINE");
    let sessions = w["sessions"].as_array().unwrap();
    let agenda: Vec<(&str, &str, &str)> = sessions
        .iter()
        .map(|s| {
            (
                s["startsAt"].as_str().unwrap(),
                s["kind"].as_str().unwrap(),
                s["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        agenda,
        [
            ("09:45", "AGENDA_ITEM", "Einwahl und technischer Checkup"),
            (
                "10:00",
                "AGENDA_ITEM",
                "Begrüßung: Was heißt hier Zwischenbilanz?!"
            ),
            ("10:15", "THEME_ROOM", "Fachkräfte halten und gewinnen"),
            (
                "10:15",
                "THEME_ROOM",
                "Aufgabenbeschreibungen entwickeln und Profile schärfen"
            ),
            ("11:45", "BREAK", "Pause"),
            ("12:00", "THEME_ROOM", "Trägerkooperation"),
            (
                "12:00",
                "THEME_ROOM",
                "Sozialraumbudget steuern und koordinieren"
            ),
            (
                "13:30",
                "AGENDA_ITEM",
                "Abschluss: Was heißt jetzt Zwischenbilanz?"
            ),
            ("13:45", "AGENDA_ITEM", "Ende der Veranstaltung"),
        ]
    );
    let room = |title: &str| sessions.iter().find(|s| s["title"] == title).unwrap();
    let fachkraefte = room("Fachkräfte halten und gewinnen");
    assert_eq!(
        fachkraefte["moderators"],
        json!(["Prof. Dr. Armin Schneider (IBEB)"])
    );
    // Every discussion point of the seed is its own contribution, in the seed's order.
    let points = fachkraefte["contributions"]["edges"].as_array().unwrap();
    assert_eq!(fachkraefte["contributions"]["totalCount"], 30);
    assert_eq!(points.len(), 30);
    assert!(points[0]["node"]["body"]
        .as_str()
        .unwrap()
        .starts_with("Einige Träger haben sich schon Gedanken gemacht"));
    assert_eq!(points[29]["node"]["kind"], "AMBIVALENCE");
    let positions: Vec<i64> = points
        .iter()
        .map(|p| p["node"]["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=30).collect::<Vec<_>>());
    let traeger = room("Trägerkooperation")["contributions"]["edges"]
        .as_array()
        .unwrap();
    let ideas: Vec<&str> = traeger
        .iter()
        .filter(|c| c["node"]["kind"] == "IDEA")
        .map(|c| c["node"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(ideas.len(), 3);
    for (idea, label) in ideas.iter().zip(["Idee I:", "Idee II:", "Idee III:"]) {
        assert!(idea.contains(label), "{idea}");
    }
    let closing = room("Abschluss: Was heißt jetzt Zwischenbilanz?")["contributions"]["edges"]
        .as_array()
        .unwrap();
    let kinds: Vec<&str> = closing
        .iter()
        .map(|c| c["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "AMBIVALENCE").count(), 3);
    assert_eq!(kinds.last(), Some(&"CONCLUSION"));

    // Filters on the contributions of a session.
    let id = room("Trägerkooperation")["id"].as_str().unwrap().to_owned();
    let data = app
        .data(
            None,
            r#"query($id: ID!) { node(id: $id) { ... on WorkshopSession {
                 questions: contributions(filter: { kinds: [QUESTION] }) { totalCount }
                 hut: contributions(filter: { tags: ["Hutfrage"] }, first: 2) { totalCount pageInfo { hasNextPage endCursor } }
               } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["node"]["questions"]["totalCount"], 6);
    assert_eq!(data["node"]["hut"]["totalCount"], 5);
    assert_eq!(data["node"]["hut"]["pageInfo"]["hasNextPage"], true);

    // The cooperation ideas are the first three cooperation models.
    let data = app
        .data(
            None,
            "{ cooperationModels(first: 3) { totalCount edges { node { title employer agreements { parties } } } } }",
            json!({}),
        )
        .await;
    let titles: Vec<&str> = data["cooperationModels"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert!(
        titles[0].starts_with("Idee I:")
            && titles[1].starts_with("Idee II:")
            && titles[2].starts_with("Idee III:")
    );
    assert_eq!(
        data["cooperationModels"]["edges"][0]["node"]["agreements"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // The documentation follows the agenda: frame, agenda table, then each session with its
    // discussion in capture order.
    let wid = w["id"].as_str().unwrap();
    let doc = app
        .data(
            None,
            r#"query($id: ID!) { workshop(id: $id) { md: documentation html: documentation(format: HTML) } }"#,
            json!({ "id": wid }),
        )
        .await;
    let md = doc["workshop"]["md"].as_str().unwrap();
    assert!(md.starts_with("# Zwischenbilanz II: Konzeption Sozialraumbudget\n"));
    assert!(md.contains(
        "| 10:15 – 11:45 Uhr | Fachkräfte halten und gewinnen | Prof. Dr. Armin Schneider (IBEB) |"
    ));
    let order = [
        "## Tagesablauf",
        "## Fachkräfte halten und gewinnen",
        "- **Beobachtung:** Einige Träger haben sich schon Gedanken gemacht",
        "- **Frage:** Was heißt überhaupt Fachkräfte?",
        "## Trägerkooperation",
        "**Idee I:**",
        "**Idee III:**",
        "## Sozialraumbudget steuern und koordinieren",
        "## Abschluss: Was heißt jetzt Zwischenbilanz?",
        "- **Ambivalenz:**",
        "- **Fazit:** Es ist mit den Konzeptionen",
    ];
    let mut at = 0;
    for part in order {
        let found = md[at..]
            .find(part)
            .unwrap_or_else(|| panic!("„{part}“ missing or out of order in:\n{md}"));
        at += found + part.len();
    }
    let html = doc["workshop"]["html"].as_str().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"de\">"));
    assert!(html.contains("<h2>Trägerkooperation</h2>"));
    assert!(html.contains("<table>"));
}

const PROFILE: &str = "id version title status revision reuseCount
    reuses { district { ags } }
    forkedFrom { revision profile { id } }
    tasks { key text }";

fn profile_input(title: &str, status: &str) -> Value {
    json!({
        "title": title,
        "role": "KITA_SOZIALARBEIT",
        "purpose": "Familien früh und niedrigschwellig unterstützen.",
        "tasks": [
            { "text": "Offene Sprechstunde für Eltern" },
            { "text": "Lotsenfunktion zu Beratungsstellen" },
            { "text": "Elterncafé" },
            { "text": "Fallberatung für das Team" }
        ],
        "targetGroups": ["Eltern", "Kinder"],
        "waysOfWorking": ["LOTSENFUNKTION", "EINZELFALLARBEIT"],
        "qualifications": ["Soziale Arbeit", "Erzieher:in mit Zusatzausbildung"],
        "lateralEntry": true,
        "fte": "0.5",
        "employer": "JUGENDAMT",
        "lineSupervision": "Jugendamt",
        "professionalSupervision": "Koordination",
        "publication": "REGISTERED",
        "status": status
    })
}

async fn create_profile(app: &TestApp, token: &str, ags: &str, title: &str, status: &str) -> Value {
    let q = format!(
        "mutation($input: CreateRoleProfileInput!) {{ createRoleProfile(input: $input) {{ {PROFILE} }} }}"
    );
    app.data(
        Some(token),
        &q,
        json!({ "input": { "districtAgs": ags, "profile": profile_input(title, status) } }),
    )
    .await["createRoleProfile"]
        .clone()
}

async fn a_coordinator_forks_edits_and_compares_a_profile(app: &TestApp) {
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let origin = create_profile(
        app,
        &other,
        OTHER,
        "Kita-Sozialarbeit Ahrweiler",
        "PUBLISHED",
    )
    .await;
    assert_eq!(origin["revision"], 1);

    let fork = app
        .data(
            Some(&home),
            &format!(
                "mutation($input: ForkRoleProfileInput!) {{ forkRoleProfile(input: $input) {{ {PROFILE} district {{ ags }} }} }}"
            ),
            json!({ "input": { "id": origin["id"], "districtId": encode(NodeType::District, HOME) } }),
        )
        .await["forkRoleProfile"]
        .clone();
    assert_eq!(fork["district"]["ags"], HOME);
    assert_eq!(fork["status"], "DRAFT");
    assert_eq!(fork["forkedFrom"]["profile"]["id"], origin["id"]);
    assert_eq!(fork["forkedFrom"]["revision"], 1);
    assert_eq!(fork["tasks"], origin["tasks"]);

    // Edit two tasks, keep the rest: the whole profile is saved, keys sent along.
    let mut tasks: Vec<Value> = fork["tasks"].as_array().unwrap().clone();
    tasks[1]["text"] = json!("Lotsenfunktion zu Beratungsstellen und Frühen Hilfen");
    tasks[3]["text"] = json!("Kollegiale Fallberatung für das Team, monatlich");
    let mut input = profile_input("Kita-Sozialarbeit Ahrweiler", "DRAFT");
    input["tasks"] = json!(tasks);
    let edited = app
        .data(
            Some(&home),
            &format!(
                "mutation($input: UpdateRoleProfileInput!) {{ updateRoleProfile(input: $input) {{ {PROFILE} }} }}"
            ),
            json!({ "input": { "id": fork["id"], "version": fork["version"], "profile": input } }),
        )
        .await["updateRoleProfile"]
        .clone();
    assert_eq!(edited["revision"], 2);
    assert_eq!(edited["forkedFrom"]["profile"]["id"], origin["id"]);

    const COMPARE: &str = r#"query($a: ID!, $b: ID!) { compareRoleProfiles(a: $a, b: $b) {
        identical tasksAdded { key } tasksRemoved { key } taskOrderChanged
        tasksChanged { key before after } fields { field }
        a { revision profile { id } } b { revision } } }"#;
    let cmp = app
        .data(
            Some(&home),
            COMPARE,
            json!({ "a": origin["id"], "b": fork["id"] }),
        )
        .await["compareRoleProfiles"]
        .clone();
    assert_eq!(cmp["identical"], false);
    assert_eq!(cmp["tasksAdded"], json!([]));
    assert_eq!(cmp["tasksRemoved"], json!([]));
    assert_eq!(cmp["taskOrderChanged"], false);
    assert_eq!(cmp["fields"], json!([]), "only the two tasks differ");
    let changed = cmp["tasksChanged"].as_array().unwrap();
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[0]["key"], tasks[1]["key"]);
    assert_eq!(changed[0]["before"], "Lotsenfunktion zu Beratungsstellen");
    assert_eq!(
        changed[0]["after"],
        "Lotsenfunktion zu Beratungsstellen und Frühen Hilfen"
    );
    assert_eq!(changed[1]["key"], tasks[3]["key"]);
    assert_eq!(
        changed[1]["after"],
        "Kollegiale Fallberatung für das Team, monatlich"
    );
    assert_eq!(cmp["b"]["revision"], 2);

    // The same two changes between the fork's first and second revision.
    let revisions = app
        .data(
            Some(&home),
            r#"query($id: ID!) { roleProfile(id: $id) { revisions { id revision } } }"#,
            json!({ "id": fork["id"] }),
        )
        .await;
    let revs = revisions["roleProfile"]["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0]["revision"], 2);
    let cmp = app
        .data(
            Some(&home),
            COMPARE,
            json!({ "a": revs[1]["id"], "b": revs[0]["id"] }),
        )
        .await["compareRoleProfiles"]
        .clone();
    assert_eq!(cmp["tasksChanged"].as_array().unwrap().len(), 2);
    assert_eq!(cmp["fields"], json!([]));

    // The origin shows one reuse, by the home district, to the home district; the fork is
    // still a draft, so the origin's own district learns nothing of it yet.
    let origin_id = &origin["id"];
    let origin_for = |token: String| async move {
        app.data(
            Some(&token),
            &format!("query($id: ID!) {{ roleProfile(id: $id) {{ {PROFILE} }} }}"),
            json!({ "id": origin_id }),
        )
        .await["roleProfile"]
            .clone()
    };
    let seen_home = origin_for(home.clone()).await;
    assert_eq!(seen_home["reuseCount"], 1);
    assert_eq!(
        seen_home["reuses"],
        json!([{ "district": { "ags": HOME } }])
    );
    let seen_other = origin_for(other.clone()).await;
    assert_eq!(seen_other["reuseCount"], 0);
    assert_eq!(seen_other["reuses"], json!([]));

    // The fork is a draft: the other district does not see it, its own district does.
    let listed = |token: String| async move {
        app.data(
            Some(&token),
            r#"{ roleProfiles(filter: { districtAgs: "07111" }) { totalCount } }"#,
            json!({}),
        )
        .await["roleProfiles"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(listed(other.clone()).await, 0);
    assert_eq!(listed(home.clone()).await, 1);
}

async fn forks_of_drafts_and_hidden_profiles_are_refused(app: &TestApp) {
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    const FORK: &str =
        r#"mutation($input: ForkRoleProfileInput!) { forkRoleProfile(input: $input) { id } }"#;
    let into_home = |id: &Value| json!({ "input": { "id": id, "districtId": encode(NodeType::District, HOME) } });

    // Another district's draft is invisible: not found, not "forbidden" (no leak).
    let draft = create_profile(app, &other, OTHER, "Entwurf", "DRAFT").await;
    let before = app.audit_count().await;
    let body = app.gql(Some(&home), FORK, into_home(&draft["id"])).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    assert_eq!(app.audit_count().await, before);

    // One's own draft is visible, but only published profiles are offered for reuse.
    let own = create_profile(app, &home, HOME, "Eigener Entwurf", "DRAFT").await;
    let before_own = app.audit_count().await;
    let body = app.gql(Some(&home), FORK, into_home(&own["id"])).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Entwurf"));
    assert_eq!(app.audit_count().await, before_own);

    // Forking into a district one does not coordinate.
    let published = create_profile(app, &other, OTHER, "Veröffentlicht", "PUBLISHED").await;
    let body = app
        .gql(
            Some(&home),
            FORK,
            json!({ "input": { "id": published["id"], "districtId": encode(NodeType::District, "07133") } }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let after_publish = app.audit_count().await;
    let body = app
        .gql(
            Some(&home),
            FORK,
            json!({ "input": { "id": published["id"], "districtId": encode(NodeType::District, "07133") } }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    assert_eq!(app.audit_count().await, after_publish);
}

async fn publication_levels_decide_who_reads(app: &TestApp) {
    let facilitator = app.token_for(Role::Facilitator, None).await;
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    const CREATE: &str =
        r#"mutation($input: CreateWorkshopInput!) { createWorkshop(input: $input) { id } }"#;
    for (title, publication, district) in [
        ("Öffentlich", "PUBLIC", None),
        ("Angemeldet", "REGISTERED", None),
        ("Nur Koblenz", "DISTRICT", Some(HOME)),
    ] {
        let token = if district.is_some() {
            &home
        } else {
            &facilitator
        };
        app.data(
            Some(token),
            CREATE,
            json!({ "input": { "title": title, "heldOn": "2026-03-01", "format": "IN_PERSON",
                              "publication": publication, "districtAgs": district } }),
        )
        .await;
    }
    let titles = |token: Option<String>| async move {
        let data = app
            .data(
                token.as_deref(),
                "{ workshops { edges { node { title } } } }",
                json!({}),
            )
            .await;
        data["workshops"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(None).await, ["Öffentlich"]);
    assert_eq!(
        titles(Some(other.clone())).await,
        ["Öffentlich", "Angemeldet"]
    );
    assert_eq!(
        titles(Some(home.clone())).await,
        ["Öffentlich", "Angemeldet", "Nur Koblenz"]
    );

    // DISTRICT needs a district.
    let body = app
        .gql(
            Some(&facilitator),
            CREATE,
            json!({ "input": { "title": "Ohne Bezirk", "heldOn": "2026-03-01", "format": "ONLINE", "publication": "DISTRICT" } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.publication"
    );
}

async fn workshop_session(
    app: &TestApp,
    token: &str,
    publication: &str,
    district: Option<&str>,
) -> (String, String) {
    let w = app
        .data(
            Some(token),
            r#"mutation($input: CreateWorkshopInput!) { createWorkshop(input: $input) { id } }"#,
            json!({ "input": { "title": "Live-Dokumentation", "heldOn": "2026-11-24", "format": "ONLINE",
                              "publication": publication, "districtAgs": district } }),
        )
        .await["createWorkshop"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = app
        .data(
            Some(token),
            r#"mutation($input: CreateSessionInput!) { createWorkshopSession(input: $input) { id position } }"#,
            json!({ "input": { "workshopId": w, "kind": "THEME_ROOM", "title": "Themenraum 1",
                              "startsAt": "10:00", "endsAt": "11:30", "moderators": ["M. Muster"] } }),
        )
        .await["createWorkshopSession"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (w, s)
}

const ADD: &str = r#"mutation($input: AddContributionInput!) { addContribution(input: $input) { id position body } }"#;
const ON_ADDED: &str = r#"subscription($id: ID!) { contributionAdded(sessionId: $id) { body position kind tags session { title } } }"#;

async fn add(app: &TestApp, token: &str, session: &str, body: &str) -> Value {
    app.data(
        Some(token),
        ADD,
        json!({ "input": { "sessionId": session, "kind": "IDEA", "body": body, "tags": ["live"] } }),
    )
    .await["addContribution"]
        .clone()
}

async fn two_subscribers_receive_contributions_in_order(app: &TestApp) {
    let facilitator = app.token_for(Role::Facilitator, None).await;
    let reader = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let (_, session) = workshop_session(app, &facilitator, "REGISTERED", None).await;
    let mut clients = [
        app.subscribe(Some(&reader), ON_ADDED, json!({ "id": session }))
            .await,
        app.subscribe(Some(&facilitator), ON_ADDED, json!({ "id": session }))
            .await,
    ];
    // The protocol does not confirm a subscription: capture warm-up points until both clients
    // have received one, so both are listening before the real capture starts.
    let mut added: Vec<String> = Vec::new();
    let mut received: Vec<Vec<String>> = vec![Vec::new(), Vec::new()];
    for round in 0..50 {
        let body = format!("Aufwärmen {round}");
        add(app, &facilitator, &session, &body).await;
        added.push(body);
        for (client, seen) in clients.iter_mut().zip(received.iter_mut()) {
            while let Some(Event::Next(p)) = client.next_within(Duration::from_millis(200)).await {
                seen.push(
                    p["data"]["contributionAdded"]["body"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
        }
        if received.iter().all(|r| !r.is_empty()) {
            break;
        }
    }
    assert!(
        received.iter().all(|r| !r.is_empty()),
        "subscriptions never became active"
    );
    for body in ["Erste Idee", "Zweite Idee", "Dritte Idee"] {
        add(app, &facilitator, &session, body).await;
        added.push(body.to_owned());
    }
    for (client, seen) in clients.iter_mut().zip(received.iter_mut()) {
        while !seen.ends_with(&["Dritte Idee".to_owned()]) {
            match client.next().await {
                Some(Event::Next(p)) => {
                    let c = &p["data"]["contributionAdded"];
                    assert_eq!(c["kind"], "IDEA");
                    assert_eq!(c["tags"], json!(["live"]));
                    assert_eq!(c["session"]["title"], "Themenraum 1");
                    seen.push(c["body"].as_str().unwrap().to_owned());
                }
                other => panic!("expected a contribution, got {other:?}"),
            }
        }
        // Everything since the subscription became active, in commit order, without gaps.
        assert!(added.ends_with(seen), "received {seen:?} of {added:?}");
        assert!(seen.ends_with(&[
            "Erste Idee".to_owned(),
            "Zweite Idee".to_owned(),
            "Dritte Idee".to_owned()
        ]));
    }
    // Positions follow the capture order.
    let data = app
        .data(
            Some(&reader),
            r#"query($id: ID!) { node(id: $id) { ... on WorkshopSession { contributions(last: 3) { edges { node { body position } } } } } }"#,
            json!({ "id": session }),
        )
        .await;
    let last: Vec<i64> = data["node"]["contributions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["position"].as_i64().unwrap())
        .collect();
    let n = added.len() as i64;
    assert_eq!(last, [n - 2, n - 1, n]);
}

/// The error code a refused subscription ends with (a resolver error arrives as a `next` with
/// errors and no data, per graphql-transport-ws).
fn refusal(event: Option<Event>) -> String {
    match event {
        Some(Event::Next(p)) if p["data"].is_null() => p["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap()
            .to_owned(),
        Some(Event::Error(e)) => e[0]["extensions"]["code"].as_str().unwrap().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn subscriptions_without_permission_are_refused(app: &TestApp) {
    let facilitator = app.token_for(Role::Facilitator, None).await;
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let (_, registered) = workshop_session(app, &facilitator, "REGISTERED", None).await;
    let mut anonymous = app
        .subscribe(None, ON_ADDED, json!({ "id": registered }))
        .await;
    assert_eq!(refusal(anonymous.next().await), "UNAUTHENTICATED");
    let (_, internal) = workshop_session(app, &home, "DISTRICT", Some(HOME)).await;
    let mut stranger = app
        .subscribe(Some(&other), ON_ADDED, json!({ "id": internal }))
        .await;
    assert_eq!(refusal(stranger.next().await), "NOT_FOUND");
    // The district's own coordinator may follow it.
    let mut own = app
        .subscribe(Some(&home), ON_ADDED, json!({ "id": internal }))
        .await;
    let mut got = None;
    for round in 0..50 {
        add(app, &home, &internal, &format!("Punkt {round}")).await;
        if let Some(e) = own.next_within(Duration::from_millis(200)).await {
            got = Some(e);
            break;
        }
    }
    assert!(matches!(got, Some(Event::Next(_))), "{got:?}");
}

/// A published profile shows others its published revisions only: the draft before it stays
/// with its district, in the list and when asked for by ID.
async fn drafts_before_publication_stay_in_their_district(app: &TestApp) {
    const COMPARE: &str =
        r#"query($a: ID!, $b: ID!) { compareRoleProfiles(a: $a, b: $b) { b { revision } } }"#;
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let draft = create_profile(app, &home, HOME, "Erst Entwurf", "DRAFT").await;
    let q = format!(
        "mutation($input: UpdateRoleProfileInput!) {{ updateRoleProfile(input: $input) {{ {PROFILE} }} }}"
    );
    let published = app
        .data(
            Some(&home),
            &q,
            json!({ "input": { "id": draft["id"], "version": draft["version"],
                               "profile": profile_input("Dann veröffentlicht", "PUBLISHED") } }),
        )
        .await["updateRoleProfile"]
        .clone();
    assert_eq!(published["status"], "PUBLISHED");
    const REVISIONS: &str =
        r#"query($id: ID!) { roleProfile(id: $id) { revisions { id revision status title } } }"#;
    let published_id = &published["id"];
    let revisions = |token: String| async move {
        app.data(Some(&token), REVISIONS, json!({ "id": published_id }))
            .await["roleProfile"]["revisions"]
            .as_array()
            .unwrap()
            .clone()
    };
    let own = revisions(home.clone()).await;
    assert_eq!(own.len(), 2);
    let seen = revisions(other.clone()).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["status"], "PUBLISHED");
    assert_eq!(seen[0]["title"], "Dann veröffentlicht");
    // The draft revision by its ID: not found for others, readable for the district.
    let draft_rev = own.iter().find(|r| r["status"] == "DRAFT").unwrap();
    let body = app
        .gql(
            Some(&other),
            COMPARE,
            json!({ "a": draft_rev["id"], "b": published["id"] }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = app
        .gql(
            None,
            COMPARE,
            json!({ "a": draft_rev["id"], "b": published["id"] }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let own_cmp = app
        .data(
            Some(&home),
            COMPARE,
            json!({ "a": draft_rev["id"], "b": published["id"] }),
        )
        .await;
    assert_eq!(own_cmp["compareRoleProfiles"]["b"]["revision"], 2);
}

/// Facilitators document workshops open beyond one district; a district's own workshop
/// (publication DISTRICT) is neither readable nor changeable for them.
async fn facilitators_keep_out_of_district_workshops(app: &TestApp) {
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let facilitator = app.token_for(Role::Facilitator, None).await;
    let (internal, _) = workshop_session(app, &home, "DISTRICT", Some(HOME)).await;
    let read = app
        .data(
            Some(&facilitator),
            r#"query($id: ID!) { node(id: $id) { id } }"#,
            json!({ "id": internal }),
        )
        .await;
    assert_eq!(read["node"], Value::Null);
    let before = app.audit_count().await;
    for mutation in [
        r#"mutation($id: ID!) { updateWorkshop(input: { id: $id, version: 1, title: "Übernommen" }) { id } }"#,
        r#"mutation($id: ID!) { deleteWorkshop(input: { id: $id, version: 1 }) { id } }"#,
    ] {
        let body = app
            .gql(Some(&facilitator), mutation, json!({ "id": internal }))
            .await;
        assert!(["FORBIDDEN", "NOT_FOUND"].contains(&code(&body)), "{body}");
    }
    assert_eq!(app.audit_count().await, before);
    // Nor may a facilitator create one, or turn an open workshop into one.
    let body = app
        .gql(
            Some(&facilitator),
            r#"mutation($input: CreateWorkshopInput!) { createWorkshop(input: $input) { id } }"#,
            json!({ "input": { "title": "Intern", "heldOn": "2026-11-24", "format": "ONLINE",
                              "publication": "DISTRICT", "districtAgs": HOME } }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let (open, _) = workshop_session(app, &facilitator, "REGISTERED", Some(HOME)).await;
    let version = app
        .data(
            Some(&facilitator),
            r#"query($id: ID!) { node(id: $id) { ... on Workshop { version } } }"#,
            json!({ "id": open }),
        )
        .await["node"]["version"]
        .clone();
    let body = app
        .gql(
            Some(&facilitator),
            r#"mutation($id: ID!, $v: Int!) { updateWorkshop(input: { id: $id, version: $v, publication: DISTRICT }) { id } }"#,
            json!({ "id": open, "v": version }),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
}

/// Waits until the subscription delivers, capturing warm-up points.
async fn until_listening(
    app: &TestApp,
    token: &str,
    session: &str,
    sub: &mut srb_tests::Subscription,
) {
    for round in 0..50 {
        add(app, token, session, &format!("Aufwärmen {round}")).await;
        if let Some(e) = sub.next_within(Duration::from_millis(200)).await {
            assert!(
                matches!(e, Event::Next(ref p) if !p["data"].is_null()),
                "{e:?}"
            );
            while sub.next_within(Duration::from_millis(100)).await.is_some() {}
            return;
        }
    }
    panic!("the subscription never became active");
}

/// The next event that is not a warm-up point.
async fn after_warm_up(sub: &mut srb_tests::Subscription) -> Option<Event> {
    loop {
        match sub.next().await {
            Some(Event::Next(p))
                if p["data"]["contributionAdded"]["body"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("Aufwärmen")) => {}
            other => return other,
        }
    }
}

/// A subscription is authorised on every event: a revoked token, or a workshop made private,
/// ends it with the reason, and nothing more is delivered.
async fn subscriptions_end_when_access_ends(app: &TestApp) {
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let other = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let revoked = app.token_for(Role::Coordinator, Some(OTHER)).await;
    let (workshop, session) = workshop_session(app, &home, "REGISTERED", Some(HOME)).await;
    let mut by_revoked = app
        .subscribe(Some(&revoked), ON_ADDED, json!({ "id": session }))
        .await;
    until_listening(app, &home, &session, &mut by_revoked).await;
    let mut by_other = app
        .subscribe(Some(&other), ON_ADDED, json!({ "id": session }))
        .await;
    until_listening(app, &home, &session, &mut by_other).await;

    assert!(app
        .storage
        .revoke_token(&srb_app::accounts::hash_token(&revoked))
        .await
        .unwrap());
    add(app, &home, &session, "Nach dem Widerruf").await;
    assert_eq!(
        refusal(after_warm_up(&mut by_revoked).await),
        "UNAUTHENTICATED"
    );
    assert!(matches!(
        by_revoked.next().await,
        Some(Event::Complete) | None
    ));
    match after_warm_up(&mut by_other).await {
        Some(Event::Next(p)) => {
            assert_eq!(p["data"]["contributionAdded"]["body"], "Nach dem Widerruf")
        }
        other => panic!("{other:?}"),
    }

    let version = app
        .data(
            Some(&home),
            r#"query($id: ID!) { node(id: $id) { ... on Workshop { version } } }"#,
            json!({ "id": workshop }),
        )
        .await["node"]["version"]
        .clone();
    app.data(
        Some(&home),
        r#"mutation($id: ID!, $v: Int!) { updateWorkshop(input: { id: $id, version: $v, publication: DISTRICT }) { id } }"#,
        json!({ "id": workshop, "v": version }),
    )
    .await;
    add(app, &home, &session, "Jetzt intern").await;
    assert_eq!(refusal(by_other.next().await), "NOT_FOUND");
    assert!(matches!(
        by_other.next().await,
        Some(Event::Complete) | None
    ));
}

/// Announces a body of `len` bytes and reads the answer: an oversized body is refused from its
/// announced length, before the server reads it (a client still writing would only see the
/// connection close).
async fn raw_post_head(app: &TestApp, token: &str, len: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/graphql-response+json\r\n\
         Content-Length: {len}\r\n\r\n{{\"query\": \""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = vec![0u8; 4096];
    let n = stream.read(&mut response).await.unwrap();
    String::from_utf8_lossy(&response[..n]).into_owned()
}

async fn bad_input_is_refused_with_reasons(app: &TestApp) {
    let facilitator = app.token_for(Role::Facilitator, None).await;
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    const CREATE: &str =
        r#"mutation($input: CreateWorkshopInput!) { createWorkshop(input: $input) { id } }"#;
    let field = |body: &Value| {
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .map(str::to_owned)
    };

    let before = app.audit_count().await;
    let body = app
        .gql(
            Some(&facilitator),
            CREATE,
            json!({ "input": { "title": "   ", "heldOn": "2026-01-01", "format": "ONLINE" } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(field(&body).as_deref(), Some("input.title"));

    let body = app
        .gql(Some(&facilitator), CREATE, json!({ "input": { "title": "X", "heldOn": "2026-01-01", "format": "ONLINE", "districtAgs": "99999" } }))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("99999"));

    // A task list of 10,000 items.
    let mut profile = profile_input("Riesig", "DRAFT");
    profile["tasks"] = json!((0..10_000)
        .map(|i| json!({ "text": format!("Aufgabe {i}") }))
        .collect::<Vec<_>>());
    let body = app
        .gql(
            Some(&home),
            "mutation($input: CreateRoleProfileInput!) { createRoleProfile(input: $input) { id } }",
            json!({ "input": { "districtAgs": HOME, "profile": profile } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body).as_deref(), Some("input.profile.tasks"));
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("10000"));
    assert_eq!(app.audit_count().await, before, "nothing written");

    // Text: a long one is refused by the field limit, a 5 MB one before GraphQL even runs.
    let (_, session) = workshop_session(app, &facilitator, "PUBLIC", None).await;
    let long = "a".repeat(30_000);
    let body = app
        .gql(
            Some(&facilitator),
            ADD,
            json!({ "input": { "sessionId": session, "kind": "IDEA", "body": long } }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(field(&body).as_deref(), Some("input.body"));
    let huge = json!({ "query": ADD, "variables": { "input": {
        "sessionId": session, "kind": "IDEA", "body": "a".repeat(5 * 1024 * 1024) } } })
    .to_string();
    let response = raw_post_head(app, &facilitator, huge.len()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("PAYLOAD_TOO_LARGE"), "{response}");

    // Script and HTML in Markdown are stored as written and rendered harmless.
    let c = app
        .data(
            Some(&facilitator),
            r#"mutation($input: AddContributionInput!) { addContribution(input: $input) { body html } }"#,
            json!({ "input": { "sessionId": session, "kind": "QUOTE",
                "body": "**Wichtig** <script>alert('x')</script><img src=x onerror=alert(1)> [Link](javascript:alert(2))" } }),
        )
        .await["addContribution"]
        .clone();
    let html = c["html"].as_str().unwrap();
    assert!(html.contains("<strong>Wichtig</strong>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"),
        "{html}"
    );

    // A stale version.
    let w = app
        .data(Some(&facilitator), CREATE, json!({ "input": { "title": "Versioniert", "heldOn": "2026-01-01", "format": "HYBRID" } }))
        .await["createWorkshop"]["id"]
        .clone();
    const UPDATE: &str =
        r#"mutation($input: UpdateWorkshopInput!) { updateWorkshop(input: $input) { version } }"#;
    let v2 = app
        .data(
            Some(&facilitator),
            UPDATE,
            json!({ "input": { "id": w, "version": 1, "title": "Versioniert 2" } }),
        )
        .await;
    assert_eq!(v2["updateWorkshop"]["version"], 2);
    let body = app
        .gql(
            Some(&facilitator),
            UPDATE,
            json!({ "input": { "id": w, "version": 1, "title": "Veraltet" } }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT");
    assert_eq!(body["errors"][0]["extensions"]["currentVersion"], 2);

    // Session times must be times, and in order.
    let body = app
        .gql(
            Some(&facilitator),
            r#"mutation($input: CreateSessionInput!) { createWorkshopSession(input: $input) { id } }"#,
            json!({ "input": { "workshopId": w, "kind": "AGENDA_ITEM", "title": "Kaputt", "startsAt": "11:00", "endsAt": "10:00" } }),
        )
        .await;
    assert_eq!(field(&body).as_deref(), Some("input.endsAt"));

    // Cost shares of a cooperation model must add up.
    let body = app
        .gql(
            Some(&home),
            r#"mutation($input: CreateCooperationModelInput!) { createCooperationModel(input: $input) { id } }"#,
            json!({ "input": { "districtAgs": HOME, "model": { "title": "Modell",
                "personnelCosts": [ { "payer": "Land", "percent": "60" }, { "payer": "Kommune", "percent": "30" } ] } } }),
        )
        .await;
    assert_eq!(field(&body).as_deref(), Some("input.model.personnelCosts"));
}

async fn deleted_records_are_hidden_and_restorable(app: &TestApp) {
    let home = app.token_for(Role::Coordinator, Some(HOME)).await;
    let idea = app
        .data(
            Some(&home),
            r#"mutation($input: CreateStaffingIdeaInput!) { createStaffingIdea(input: $input) { id version category } }"#,
            json!({ "input": { "districtAgs": HOME, "idea": { "title": "Teilzeit", "category": "ARBEITSZEIT",
                "measure": "75-%-Stellen anbieten", "publication": "PUBLIC" } } }),
        )
        .await["createStaffingIdea"]
        .clone();
    assert_eq!(idea["category"], "ARBEITSZEIT");
    let count = |filter: &str| {
        let args = if filter.is_empty() {
            String::new()
        } else {
            format!("({filter})")
        };
        let q = format!("{{ staffingIdeas{args} {{ totalCount }} }}");
        async move {
            app.data(None, &q, json!({})).await["staffingIdeas"]["totalCount"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count("category: ARBEITSZEIT").await, 1);
    assert_eq!(count("category: HALTEN").await, 0);
    let deleted = app
        .data(
            Some(&home),
            r#"mutation($input: LifecycleInput!) { deleteStaffingIdea(input: $input) { version deletedAt } }"#,
            json!({ "input": { "id": idea["id"], "version": idea["version"] } }),
        )
        .await["deleteStaffingIdea"]
        .clone();
    assert!(deleted["deletedAt"].is_string());
    assert_eq!(count("").await, 0);
    let body = app
        .gql(
            None,
            r#"query($id: ID!) { staffingIdea(id: $id) { id } }"#,
            json!({ "id": idea["id"] }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND");
    app.data(
        Some(&home),
        r#"mutation($input: LifecycleInput!) { restoreStaffingIdea(input: $input) { version } }"#,
        json!({ "input": { "id": idea["id"], "version": deleted["version"] } }),
    )
    .await;
    assert_eq!(count("").await, 1);

    // Every change is in the audit trail, newest first.
    let log = app
        .data(
            Some(&home),
            r#"query($id: ID!) { auditLog(filter: { entityId: $id }) { edges { node { action } } } }"#,
            json!({ "id": idea["id"] }),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["restore", "delete", "create"]);
}

/// Behind a load balancer the facilitator's write and a subscriber's connection land on
/// different instances; the contribution still arrives (PostgreSQL LISTEN/NOTIFY). SQLite serves
/// a single instance, so this runs on PostgreSQL only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contributions_reach_subscribers_on_another_instance() {
    let Some(a) = TestApp::spawn(srb_tests::Db::Postgres).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    // Only the first instance feeds its embedded index (one index per outbox); the second
    // serves subscriptions.
    let b = a
        .try_second_instance(|c| c.search_worker = false)
        .await
        .unwrap();
    let facilitator = a.token_for(Role::Facilitator, None).await;
    let (_, session) = workshop_session(&a, &facilitator, "PUBLIC", None).await;
    let mut listener = b.subscribe(None, ON_ADDED, json!({ "id": session })).await;
    let mut seen = Vec::new();
    for round in 0..50 {
        add(&a, &facilitator, &session, &format!("Punkt {round}")).await;
        if let Some(Event::Next(p)) = listener.next_within(Duration::from_millis(200)).await {
            seen.push(
                p["data"]["contributionAdded"]["body"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            break;
        }
    }
    assert!(!seen.is_empty(), "nothing arrived on the other instance");
    add(&a, &facilitator, &session, "Über Instanzen hinweg").await;
    match listener.next().await {
        Some(Event::Next(p)) => {
            assert_eq!(
                p["data"]["contributionAdded"]["body"],
                "Über Instanzen hinweg"
            )
        }
        other => panic!("expected the contribution, got {other:?}"),
    }
    b.stop().await;
    a.stop().await;
}

on_every_backend!(
    demo_workshop_reads_and_exports_in_agenda_order,
    a_coordinator_forks_edits_and_compares_a_profile,
    forks_of_drafts_and_hidden_profiles_are_refused,
    publication_levels_decide_who_reads,
    two_subscribers_receive_contributions_in_order,
    subscriptions_without_permission_are_refused,
    bad_input_is_refused_with_reasons,
    deleted_records_are_hidden_and_restorable,
    drafts_before_publication_stay_in_their_district,
    facilitators_keep_out_of_district_workshops,
    subscriptions_end_when_access_ends,
);
