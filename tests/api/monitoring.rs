//! Monitoring end to end: two coordinators record positions and spending; the ministry's
//! `stateMonitoring` shows exactly their figures, the flags and the time series; the public
//! sees totals only; bad input is refused with its field and stores nothing.

use serde_json::{json, Value};
use srb_storage::{KitaShare, PositionData, PositionStatus, PositionWrite, Role};
use srb_tests::{code, on_every_backend, TestApp};

const KOBLENZ: &str = "07111";
const MAINZ: &str = "07315";

/// A position written straight to the store (fixtures of other tests).
pub(crate) async fn position(
    app: &TestApp,
    ags: &str,
    year: i32,
    pillar: &str,
    kita: i64,
    status: &str,
) -> srb_storage::Position {
    app.storage
        .write_positions(
            None,
            &[PositionWrite::Create(PositionData {
                district_ags: ags.into(),
                year,
                title: "Fixture-Stelle".into(),
                role: srb_storage::PositionRole::KitaSocialWork,
                profile_id: None,
                fte_e4: 5_000,
                pay_grade: None,
                employer_kind: srb_storage::EmployerKind::YouthOffice,
                employer_name: "Jugendamt".into(),
                line_supervision: "Jugendamt".into(),
                professional_supervision: "Jugendamt".into(),
                pillar_id: pillar.into(),
                pillar_name: pillar.into(),
                kitas: vec![KitaShare {
                    kita_id: kita,
                    share: "1".into(),
                }],
                status: status.parse::<PositionStatus>().unwrap(),
                status_since: chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
                synthetic: false,
            })],
        )
        .await
        .unwrap()
        .remove(0)
}

async fn kitas_of(app: &TestApp, ags: &str) -> Vec<String> {
    app.data(
        None,
        "query($a: String!) { kitas(filter: { districtAgs: $a }, first: 3) { nodes { id } } }",
        json!({ "a": ags }),
    )
    .await["kitas"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The pillars of a district's official plan: `(id, allocated €)`.
async fn pillars(app: &TestApp, token: &str, ags: &str, year: i32) -> Vec<(String, f64)> {
    app.data(
        Some(token),
        "query($a: String!, $y: Int!) { districtMonitoring(districtAgs: $a, year: $y) { pillars { pillarId allocated } } }",
        json!({ "a": ags, "y": year }),
    )
    .await["districtMonitoring"]["pillars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pillarId"].as_str().unwrap().to_owned(),
                p["allocated"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

const CREATE: &str = "mutation($input: CreatePositionInput!) { createPosition(input: $input) { id version fte vacantMonths } }";

fn position_input(
    ags: &str,
    year: i32,
    pillar: &str,
    kitas: Value,
    fte: &str,
    status: &str,
    since: &str,
) -> Value {
    json!({ "input": { "districtAgs": ags, "position": {
        "year": year, "title": "Kita-Sozialarbeit", "role": "KITA_SOCIAL_WORK", "fte": fte,
        "payGrade": "S 11b", "employerKind": "INDEPENDENT_PROVIDER", "employerName": "Caritasverband",
        "lineSupervision": "Caritasverband", "professionalSupervision": "Jugendamt",
        "pillar": pillar, "kitas": kitas, "status": status, "statusSince": since } } })
}

async fn record_spending(
    app: &TestApp,
    token: &str,
    ags: &str,
    year: i32,
    entries: Value,
) -> Value {
    app.gql(
        Some(token),
        "mutation($input: RecordSpendingInput!) { recordSpending(input: $input) { inserted corrected unchanged } }",
        json!({ "input": { "districtAgs": ags, "year": year, "entries": entries } }),
    )
    .await
}

const STATE: &str = "query($y: Int!) { stateMonitoring(year: $y) {
    totals { allocated spent positionsWithheld positions { positions plannedFte filledFte vacantFte } }
    series { year districtsWithPlan spent positionsWithheld positions { positions filledFte } }
    districts { districtAgs allocated spent spentPercent flags positionsWithheld
                positions { positions plannedFte filledFte vacantFte openFte longVacancies longestVacancyMonths }
                concept { reviewDue reviewOverdue } } } }";

fn row<'a>(m: &'a Value, ags: &str) -> &'a Value {
    m["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["districtAgs"] == ags)
        .unwrap()
}

fn flags(row: &Value) -> Vec<&str> {
    row["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect()
}

async fn two_coordinators_and_the_ministry(app: &TestApp) {
    app.seed_demo().await;
    let koblenz = app.token_for(Role::Coordinator, Some(KOBLENZ)).await;
    let mainz = app.token_for(Role::Coordinator, Some(MAINZ)).await;
    let ministry = app.token_for(Role::Ministry, None).await;
    let kk = kitas_of(app, KOBLENZ).await;
    let mk = kitas_of(app, MAINZ).await;
    let kp = pillars(app, &koblenz, KOBLENZ, 2025).await;
    let mp = pillars(app, &mainz, MAINZ, 2025).await;

    // Koblenz: five filled positions (one shared by two Kitas) and one vacant since Nov 2024.
    for i in 0..5 {
        let kitas = if i == 0 {
            json!([{ "kitaId": kk[0], "share": "0.5" }, { "kitaId": kk[1], "share": "0.5" }])
        } else {
            json!([{ "kitaId": kk[i % 3], "share": "1" }])
        };
        let body = app
            .gql(
                Some(&koblenz),
                CREATE,
                position_input(
                    KOBLENZ,
                    2025,
                    &kp[0].0,
                    kitas,
                    "0.75",
                    "FILLED",
                    "2025-02-01",
                ),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let vacant = app
        .data(
            Some(&koblenz),
            CREATE,
            position_input(
                KOBLENZ,
                2025,
                &kp[0].0,
                json!([{ "kitaId": kk[2], "share": "1" }]),
                "1",
                "VACANT",
                "2024-11-01",
            ),
        )
        .await;
    assert_eq!(vacant["createPosition"]["vacantMonths"], 13);
    // Mainz: one filled, one planned.
    for status in ["FILLED", "PLANNED"] {
        app.data(
            Some(&mainz),
            CREATE,
            position_input(
                MAINZ,
                2025,
                &mp[0].0,
                json!([{ "kitaId": mk[0], "share": "1" }]),
                "0.5",
                status,
                "2025-03-01",
            ),
        )
        .await;
    }
    // The vacancy is filled in 2025's last month: history keeps the vacant version.
    let v = &vacant["createPosition"];
    let mut refill = position_input(
        KOBLENZ,
        2025,
        &kp[0].0,
        json!([{ "kitaId": kk[2], "share": "1" }]),
        "1",
        "VACANT",
        "2024-11-01",
    );
    refill["input"] =
        json!({ "id": v["id"], "version": v["version"], "position": refill["input"]["position"] });
    let updated = app.data(Some(&koblenz), "mutation($input: UpdatePositionInput!) { updatePosition(input: $input) { version history { version status } } }", refill).await;
    assert_eq!(
        updated["updatePosition"]["history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Spending: Koblenz half of every pillar in 2025 (low), Mainz more than allocated (accepted).
    let half: Vec<Value> = kp
        .iter()
        .map(|(id, a)| json!({ "pillar": id, "amount": format!("{:.2}", a / 2.0) }))
        .collect();
    let koblenz_spent: f64 = kp
        .iter()
        .map(|(_, a)| ((a / 2.0) * 100.0).round() / 100.0)
        .sum();
    assert!(record_spending(app, &koblenz, KOBLENZ, 2025, json!(half))
        .await
        .get("errors")
        .is_none());
    let over = mp.iter().map(|(_, a)| a).sum::<f64>() + 1000.0;
    let body = record_spending(
        app,
        &mainz,
        MAINZ,
        2025,
        json!([{ "pillar": mp[0].0, "quarter": 1, "amount": format!("{over:.2}") }]),
    )
    .await;
    assert_eq!(body["data"]["recordSpending"]["inserted"], 1, "{body}");
    // A correction keeps the old figure in the audit trail.
    let body = record_spending(
        app,
        &mainz,
        MAINZ,
        2025,
        json!([{ "pillar": mp[0].0, "quarter": 1, "amount": format!("{:.2}", over + 500.0) }]),
    )
    .await;
    assert_eq!(body["data"]["recordSpending"]["corrected"], 1, "{body}");
    let mainz_spent = over + 500.0;
    // 2024 in quarters for Koblenz: the time series adds them.
    let q: Vec<Value> = (1..=4)
        .map(|q| json!({ "pillar": kp[0].0, "quarter": q, "amount": "1000" }))
        .collect();
    record_spending(app, &koblenz, KOBLENZ, 2024, json!(q)).await;
    // Koblenz's review was due a year ago.
    let concept = app.data(Some(&koblenz), "{ districtMonitoring(districtAgs: \"07111\", year: 2025) { concepts { id version } } }", json!({})).await;
    let c = &concept["districtMonitoring"]["concepts"][0];
    app.data(Some(&koblenz), "mutation($id: ID!, $v: Int!) { setConceptReviewDue(input: { conceptId: $id, version: $v, reviewDue: \"2025-11-30\" }) { id } }", json!({ "id": c["id"], "v": c["version"] })).await;

    // The ministry sees exactly these figures.
    let m = app.data(Some(&ministry), STATE, json!({ "y": 2025 })).await["stateMonitoring"].clone();
    let k = row(&m, KOBLENZ);
    assert_eq!(k["positions"]["positions"], 6);
    assert_eq!(k["positions"]["plannedFte"], "4.75");
    assert_eq!(k["positions"]["filledFte"], "3.75");
    assert_eq!(k["positions"]["vacantFte"], "1");
    assert_eq!(k["positions"]["longVacancies"], 1);
    assert_eq!(k["positions"]["longestVacancyMonths"], 13);
    let spent: f64 = k["spent"].as_str().unwrap().parse().unwrap();
    assert!(
        (spent - koblenz_spent).abs() < 0.02,
        "{spent} vs {koblenz_spent}"
    );
    let kf = flags(k);
    assert!(
        kf.contains(&"LOW_SPENDING")
            && kf.contains(&"LONG_VACANCY")
            && kf.contains(&"REVIEW_OVERDUE"),
        "{kf:?}"
    );
    assert_eq!(k["concept"]["reviewOverdue"], true);
    let mz = row(&m, MAINZ);
    assert_eq!(mz["positions"]["positions"], 2);
    assert_eq!(mz["positions"]["openFte"], "0.5");
    let spent: f64 = mz["spent"].as_str().unwrap().parse().unwrap();
    assert!((spent - mainz_spent).abs() < 0.005);
    assert!(flags(mz).contains(&"OVERSPENT") && !flags(mz).contains(&"LOW_SPENDING"));
    // No other district recorded anything.
    let others = m["districts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["districtAgs"] != KOBLENZ && d["districtAgs"] != MAINZ);
    for d in others {
        assert_eq!(d["positions"]["positions"], 0);
        assert_eq!(d["spent"], "0.00");
    }
    assert_eq!(m["totals"]["positions"]["positions"], 8);
    assert_eq!(m["totals"]["positions"]["plannedFte"], "5.75");
    // The time series: since 2021, plans only from 2024 in this data, Koblenz's quarters added.
    let series = m["series"].as_array().unwrap();
    assert_eq!(
        series
            .iter()
            .map(|s| s["year"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![2021, 2022, 2023, 2024, 2025]
    );
    assert_eq!(series[0]["districtsWithPlan"], 0);
    assert_eq!(series[3]["districtsWithPlan"], 41);
    assert_eq!(series[3]["spent"], "4000.00");
    assert_eq!(series[4]["positions"]["positions"], 8);

    // The public: money per district, position figures only as state totals.
    let p = app.data(None, STATE, json!({ "y": 2025 })).await["stateMonitoring"].clone();
    assert_eq!(p["totals"]["positions"]["positions"], 8);
    for ags in [KOBLENZ, MAINZ] {
        let r = row(&p, ags);
        assert_eq!(r["positionsWithheld"], true, "{ags}: {r}");
        assert!(r["positions"].is_null());
        assert!(!flags(r).contains(&"LONG_VACANCY"));
    }
    assert_eq!(row(&p, KOBLENZ)["spent"], k["spent"]);
    let refused = app
        .gql(
            None,
            "{ districtMonitoring(districtAgs: \"07111\", year: 2025) { positions { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&refused), "UNAUTHENTICATED");
    // Another district's coordinator reads neither the register nor the withheld figures.
    let refused = app
        .gql(
            Some(&mainz),
            "{ districtMonitoring(districtAgs: \"07111\", year: 2025) { positions { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    let seen_by_mainz =
        app.data(Some(&mainz), STATE, json!({ "y": 2025 })).await["stateMonitoring"].clone();
    assert_eq!(
        row(&seen_by_mainz, MAINZ)["positions"]["positions"],
        2,
        "its own figures"
    );
    // Koblenz's five filled positions are not a small count; for the public they were withheld
    // only so Mainz's could not be computed from the total, which Mainz knows anyway.
    assert_eq!(row(&seen_by_mainz, KOBLENZ)["positions"]["positions"], 6);

    // The state overview as a spreadsheet, as the ministry sees it.
    let file = app
        .data(
            Some(&ministry),
            "{ exportStateMonitoring(year: 2025, format: XLSX) { fileName contentBase64 } }",
            json!({}),
        )
        .await;
    let sheet = srb_tests::xlsx_sheet(
        &srb_tests::decode_file(&file["exportStateMonitoring"]),
        "Monitoring",
    );
    let koblenz_row = sheet
        .iter()
        .find(|r| r[0] == KOBLENZ)
        .expect("Koblenz in the export");
    assert_eq!(koblenz_row[5].to_string(), "6");
}

async fn bad_input_is_refused_with_its_field(app: &TestApp) {
    app.seed_demo().await;
    let koblenz = app.token_for(Role::Coordinator, Some(KOBLENZ)).await;
    let kk = kitas_of(app, KOBLENZ).await;
    let mk = kitas_of(app, MAINZ).await;
    let kp = pillars(app, &koblenz, KOBLENZ, 2025).await;
    let before = app.audit_count().await;
    let refused = |body: &Value| {
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let cases = [
        (
            json!([{ "kitaId": kk[0], "share": "0.5" }, { "kitaId": kk[1], "share": "0.4" }]),
            "1",
            "input.position.kitas",
        ),
        (
            json!([{ "kitaId": mk[0], "share": "1" }]),
            "1",
            "input.position.kitas[0].kitaId",
        ),
        (
            json!([{ "kitaId": kk[0], "share": "1" }]),
            "1.5",
            "input.position.fte",
        ),
        (
            json!([{ "kitaId": kk[0], "share": "1" }]),
            "0",
            "input.position.fte",
        ),
    ];
    for (kitas, fte, field) in cases {
        let body = app
            .gql(
                Some(&koblenz),
                CREATE,
                position_input(KOBLENZ, 2025, &kp[0].0, kitas, fte, "FILLED", "2025-01-01"),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(refused(&body), field, "{body}");
    }
    let body = app
        .gql(
            Some(&koblenz),
            CREATE,
            position_input(
                KOBLENZ,
                2025,
                "erfunden",
                json!([{ "kitaId": kk[0], "share": "1" }]),
                "1",
                "FILLED",
                "2025-01-01",
            ),
        )
        .await;
    assert_eq!(refused(&body), "input.position.pillar");
    // A position of another district.
    let mainz_pos = app
        .gql(
            Some(&koblenz),
            CREATE,
            position_input(
                MAINZ,
                2025,
                &kp[0].0,
                json!([{ "kitaId": mk[0], "share": "1" }]),
                "1",
                "FILLED",
                "2025-01-01",
            ),
        )
        .await;
    assert_eq!(code(&mainz_pos), "FORBIDDEN");
    // Spending for a year without an official plan, and a quarter outside 1 to 4.
    let body = record_spending(
        app,
        &koblenz,
        KOBLENZ,
        2023,
        json!([{ "pillar": kp[0].0, "amount": "10" }]),
    )
    .await;
    assert_eq!(refused(&body), "input.year", "{body}");
    let body = record_spending(
        app,
        &koblenz,
        KOBLENZ,
        2025,
        json!([{ "pillar": kp[0].0, "quarter": 5, "amount": "10" }]),
    )
    .await;
    assert_eq!(refused(&body), "input.entries[0].quarter", "{body}");
    let body = record_spending(
        app,
        &koblenz,
        KOBLENZ,
        2025,
        json!([{ "pillar": kp[0].0, "amount": "-10" }]),
    )
    .await;
    assert_eq!(refused(&body), "input.entries[0].amount", "{body}");
    // A spreadsheet with an unknown pillar: every problem with row and column, nothing stored.
    let csv = format!(
        "Säule;Quartal;Betrag\n{};1;100\nHausmeisterdienste;2;100\n",
        kp[0].0
    );
    let (_, body) = app
        .gql_upload(Some(&koblenz), "mutation($input: ImportSpendingInput!) { importSpending(input: $input) { ok stored problems { row column message } } }",
            json!({ "input": { "districtAgs": KOBLENZ, "year": 2025, "file": null } }), "variables.input.file", "abruf.csv", csv.into_bytes())
        .await;
    let r = &body["data"]["importSpending"];
    assert_eq!(r["stored"], false, "{body}");
    assert_eq!(r["problems"][0]["row"], 3);
    assert_eq!(r["problems"][0]["column"], "A (Säule)");
    assert_eq!(app.audit_count().await, before, "nothing stored");
    let district = app.data(Some(&koblenz), "{ districtMonitoring(districtAgs: \"07111\", year: 2025) { positions { id } pillars { spent } } }", json!({})).await;
    assert!(district["districtMonitoring"]["positions"]
        .as_array()
        .unwrap()
        .is_empty());
}

const IMPORT_POSITIONS: &str = "mutation($input: ImportPositionsInput!) { importPositions(input: $input) { ok stored rows created updated problems { row column message } } }";

async fn import_positions(app: &TestApp, token: &str, bytes: Vec<u8>) -> Value {
    let (_, body) = app
        .gql_upload(
            Some(token),
            IMPORT_POSITIONS,
            json!({ "input": { "districtAgs": KOBLENZ, "year": 2025, "file": null } }),
            "variables.input.file",
            "stellen.xlsx",
            bytes,
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["importPositions"].clone()
}

/// The register goes out as XLSX and comes back: new rows are created, exported rows update
/// their position, a file older than the register is refused whole, and a bad row is reported
/// with its row and column.
async fn the_register_round_trips_through_a_spreadsheet(app: &TestApp) {
    app.seed_demo().await;
    let koblenz = app.token_for(Role::Coordinator, Some(KOBLENZ)).await;
    let kp = pillars(app, &koblenz, KOBLENZ, 2025).await;
    let names: Vec<String> = app
        .data(
            None,
            "{ kitas(filter: { districtAgs: \"07111\" }, first: 2) { nodes { name } } }",
            json!({}),
        )
        .await["kitas"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_owned())
        .collect();
    let header = "Nr.;Version;Bezeichnung;Rolle;Säule;VZÄ;Entgeltgruppe;Anstellungsträger;Art des Trägers;Dienstaufsicht;Fachaufsicht;Kitas (Anteil);Stand;Seit";
    let csv = format!(
        "{header}\n;;KiSa Nord;Kita-Sozialarbeit;{p};0,5;S 11b;Caritas;Kita-Träger;Caritas;Jugendamt;\"{a} (0,5); {b} (0,5)\";besetzt;01.02.2025\n;;KiSa Süd;Kita-Sozialarbeit;{p};1;;Jugendamt;Jugendamt;Jugendamt;Jugendamt;{a};unbesetzt;01.03.2025\n",
        p = kp[0].0, a = names[0], b = names[1]
    );
    let r = import_positions(app, &koblenz, csv.into_bytes()).await;
    assert_eq!(
        (r["stored"].as_bool(), r["created"].as_i64()),
        (Some(true), Some(2)),
        "{r}"
    );

    let file = app
        .data(Some(&koblenz), "{ exportPositions(districtAgs: \"07111\", year: 2025, format: XLSX) { contentBase64 } }", json!({}))
        .await;
    let exported = srb_tests::decode_file(&file["exportPositions"]);
    let sheet = srb_tests::xlsx_sheet(&exported, "Stellen");
    let shared = format!("{} (0,5); {} (0,5)", names[0], names[1]);
    assert!(
        sheet
            .iter()
            .any(|r| r.iter().any(|c| c.to_string() == shared)),
        "the shares are in the file: {sheet:?}"
    );
    let r = import_positions(app, &koblenz, exported.clone()).await;
    assert_eq!(
        (
            r["stored"].as_bool(),
            r["updated"].as_i64(),
            r["created"].as_i64()
        ),
        (Some(true), Some(2), Some(0)),
        "{r}"
    );
    let before = app.audit_count().await;
    // The same file again: both positions changed since it was exported.
    let r = import_positions(app, &koblenz, exported).await;
    assert_eq!(r["stored"], false, "{r}");
    assert!(
        r["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("neu herunterladen"),
        "{r}"
    );
    assert_eq!(app.audit_count().await, before, "nothing stored");
    // A row whose shares do not add up: its row and the Kitas column.
    let csv = format!("{header}\n;;KiSa West;Kita-Sozialarbeit;{p};1;;Jugendamt;Jugendamt;Jugendamt;Jugendamt;\"{a} (0,5); {b} (0,4)\";geplant;01.01.2025\n", p = kp[0].0, a = names[0], b = names[1]);
    let r = import_positions(app, &koblenz, csv.into_bytes()).await;
    assert_eq!(r["problems"][0]["row"], 2, "{r}");
    assert_eq!(r["problems"][0]["column"], "L (Kitas (Anteil))", "{r}");
    assert_eq!(app.audit_count().await, before);
}

/// Data age follows the imports: an indicator whose latest Stichtag is three years old flags
/// the district, and a newer import of it clears the flag.
async fn old_data_is_flagged_until_newer_data_come(app: &TestApp) {
    app.seed_demo().await;
    let koblenz = app.token_for(Role::Coordinator, Some(KOBLENZ)).await;
    app.data(
        Some(&koblenz),
        "mutation { createIndicatorDefinition(input: { districtAgs: \"07111\", key: \"hze_dichte\", label: \"HzE-Dichte\", unit: SHARE, level: KITA, direction: MORE_IS_NEED }) { id } }",
        json!({}),
    )
    .await;
    let kita = app
        .data(
            None,
            "{ kitas(filter: { districtAgs: \"07111\" }, first: 1) { nodes { name } } }",
            json!({}),
        )
        .await["kitas"]["nodes"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let import = |year: i32, day: &str| {
        let csv = format!("Kita;HzE-Dichte\n{kita};0,1\n");
        let vars = json!({ "input": { "districtAgs": KOBLENZ, "year": year, "file": null, "referenceDate": day, "source": "Jugendamt", "indicators": ["hze_dichte"] } });
        (csv, vars)
    };
    let flags_and_age = |m: &Value| {
        let r = row(m, KOBLENZ);
        (
            flags(r).contains(&"STALE_DATA"),
            r["oldestReferenceDate"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let state = "query($y: Int!) { stateMonitoring(year: $y) { districts { districtAgs flags oldestReferenceDate } } }";
    let (csv, vars) = import(2022, "2022-03-01");
    let (_, body) = app
        .gql_upload(Some(&koblenz), "mutation($input: ImportIndicatorValuesInput!) { importIndicatorValues(input: $input) { stored problems { message } } }", vars, "variables.input.file", "alt.csv", csv.into_bytes())
        .await;
    assert_eq!(
        body["data"]["importIndicatorValues"]["stored"], true,
        "{body}"
    );
    let m = app.data(None, state, json!({ "y": 2025 })).await["stateMonitoring"].clone();
    assert_eq!(flags_and_age(&m), (true, "2022-03-01".to_owned()));
    let (csv, vars) = import(2026, "2026-03-01");
    app.gql_upload(Some(&koblenz), "mutation($input: ImportIndicatorValuesInput!) { importIndicatorValues(input: $input) { stored } }", vars, "variables.input.file", "neu.csv", csv.into_bytes())
        .await;
    let m = app.data(None, state, json!({ "y": 2025 })).await["stateMonitoring"].clone();
    let (stale, age) = flags_and_age(&m);
    assert!(!stale && age != "2022-03-01", "{age}");
}

/// The demo as `serve --demo` loads it: plans since 2021, spending well below the allocation in
/// the first years, vacancies that close over time, some reviews overdue.
async fn the_demo_tells_the_story_since_2021(app: &TestApp) {
    let s = app.storage.as_ref();
    srb_server::demo::seed(s, 1).await.unwrap();
    srb_server::demo_plans::seed_years(s, &srb_server::demo_monitoring::YEARS)
        .await
        .unwrap();
    let report = srb_server::demo_monitoring::seed(s).await.unwrap();
    assert!(report.positions > 1000, "{report:?}");
    let again = srb_server::demo_monitoring::seed(s).await.unwrap();
    assert_eq!(again.positions, 0, "loading twice adds nothing");
    let ministry = app.token_for(Role::Ministry, None).await;
    let m = app
        .data(
            Some(&ministry),
            "{ stateMonitoring(year: 2025) { series { year districtsWithPlan spentPercent positions { vacantFte plannedFte } } districts { flags } } }",
            json!({}),
        )
        .await["stateMonitoring"]
        .clone();
    let series = m["series"].as_array().unwrap();
    let percent = |i: usize| {
        series[i]["spentPercent"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let vacant = |i: usize| {
        series[i]["positions"]["vacantFte"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert!(series.iter().all(|y| y["districtsWithPlan"] == 41));
    assert!(
        percent(0) < 75.0 && percent(1) < 75.0,
        "2021/22 well below: {series:?}"
    );
    assert!(percent(4) > percent(1) + 15.0, "closer later: {series:?}");
    assert!(vacant(0) > 2.0 * vacant(4), "vacancies close: {series:?}");
    let overdue = m["districts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| flags(d).contains(&"REVIEW_OVERDUE"))
        .count();
    assert!(overdue > 0 && overdue < 41, "{overdue}");
}

on_every_backend!(
    the_demo_tells_the_story_since_2021,
    old_data_is_flagged_until_newer_data_come,
    two_coordinators_and_the_ministry,
    bad_input_is_refused_with_its_field,
    the_register_round_trips_through_a_spreadsheet
);
