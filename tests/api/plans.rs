//! Allocation in the platform: indicator import, concepts, runs, comparisons, exports, and who
//! sees what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{json, Value};
use srb_storage::{KitaFilter, Page, Role, ValueFilter};
use srb_tests::{code, decode_file, on_every_backend, xlsx_sheet, TestApp};

const HOME: &str = "07111";

async fn seeded(app: &TestApp) {
    app.seed_demo().await;
}

async fn home_kitas(app: &TestApp) -> Vec<srb_storage::Kita> {
    app.storage
        .kitas(
            &KitaFilter {
                district_ags: Some(HOME.into()),
                ..Default::default()
            },
            Page {
                after: None,
                before: None,
                limit: 10_000,
                from_end: false,
            },
        )
        .await
        .unwrap()
        .rows
}

async fn value_count(app: &TestApp) -> usize {
    app.storage
        .indicator_values(&ValueFilter::default())
        .await
        .unwrap()
        .len()
}

const IMPORT: &str = r#"mutation($input: ImportIndicatorValuesInput!) {
  importIndicatorValues(input: $input) {
    ok stored rows values emptyCells inserted updated unchanged
    problems { row column message } warnings { message }
  }
}"#;

fn import_vars(year: i32) -> Value {
    json!({ "input": {
        "districtAgs": HOME, "year": year, "file": null,
        "referenceDate": "2026-03-01", "source": "Einwohnermeldeamt und Kita-Leitungen"
    } })
}

async fn upload(app: &TestApp, token: &str, year: i32, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    app.gql_upload(
        Some(token),
        IMPORT,
        import_vars(year),
        "variables.input.file",
        name,
        bytes,
    )
    .await
}

/// Next year's indicators as a coordinator's XLSX: German number formats, a percentage typed as
/// text, the Kitas in reverse order.
fn next_year_xlsx(kitas: &[srb_storage::Kita]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let percent = Format::new().set_num_format("0,0 %");
    let heads = [
        "Kita",
        "Anteil Kinder in SGB-II-Bedarfsgemeinschaften",
        "Anteil Kinder mit nichtdeutscher Familiensprache",
        "Anteil Kinder Alleinerziehender",
        "Kinder in SGB-II-Bedarfsgemeinschaften",
        "Kinder mit Eingliederungshilfe",
        "Stichtag",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd.mm.yyyy");
    for (i, k) in kitas.iter().rev().enumerate() {
        let r = i as u32 + 1;
        let v = srb_server::demo_plans::kita_values(&k.name, k.places, 2026);
        ws.write_string(r, 0, &k.name).unwrap();
        if i == 0 {
            ws.write_string(r, 1, "12,5 %").unwrap();
        } else {
            ws.write_number_with_format(r, 1, f64::try_from(v[0]).unwrap(), &percent)
                .unwrap();
        }
        ws.write_number_with_format(r, 2, f64::try_from(v[1]).unwrap(), &percent)
            .unwrap();
        ws.write_number_with_format(r, 3, f64::try_from(v[2]).unwrap(), &percent)
            .unwrap();
        ws.write_number(r, 4, f64::try_from(v[3]).unwrap()).unwrap();
        ws.write_number(r, 5, f64::try_from(v[4]).unwrap()).unwrap();
        let d = ExcelDateTime::from_ymd(2026, 3, 1).unwrap();
        ws.write_datetime_with_format(r, 6, &d, &date).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn dec(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

async fn coordinator_imports_runs_compares_and_exports(app: &TestApp) {
    seeded(app).await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let kitas = home_kitas(app).await;

    // The template lists the district's Kitas and one column per indicator.
    let data = app
        .data(
            Some(&token),
            r#"{ indicatorTemplate(districtAgs: "07111") { fileName mediaType contentBase64 } }"#,
            json!({}),
        )
        .await;
    let template = xlsx_sheet(&decode_file(&data["indicatorTemplate"]), "Indikatoren");
    assert_eq!(template.len(), kitas.len() + 1);
    assert_eq!(template[0][1], Data::String("Kita".into()));
    assert!(template[0]
        .iter()
        .any(|h| h == &Data::String("Kinder mit Eingliederungshilfe".into())));

    // Import next year's values.
    let before_2025 = app
        .storage
        .indicator_values(&ValueFilter {
            year: Some(2025),
            ..Default::default()
        })
        .await
        .unwrap();
    let file = next_year_xlsx(&kitas);
    let (status, body) = upload(app, &token, 2026, "Indikatoren 2026.xlsx", file.clone()).await;
    assert_eq!(status, 200, "{body}");
    let report = &body["data"]["importIndicatorValues"];
    assert_eq!(report["problems"], json!([]), "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["stored"], true);
    assert_eq!(report["rows"], kitas.len());
    assert_eq!(report["inserted"], kitas.len() * 5);
    let first = kitas.last().unwrap();
    let values = app
        .data(
            Some(&token),
            "query($id: ID!) { node(id: $id) { ... on Kita { indicatorValues(year: 2026) { indicator { key } value shown referenceDate source } } } }",
            json!({ "id": srb_schema::ids::encode(srb_schema::ids::NodeType::Kita, first.id) }),
        )
        .await;
    let sgb2 = values["node"]["indicatorValues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["indicator"]["key"] == "sgb2_anteil")
        .unwrap()
        .clone();
    assert_eq!(sgb2["value"], "0.125");
    assert_eq!(sgb2["shown"], "12,5 %");
    assert_eq!(sgb2["referenceDate"], "2026-03-01");
    assert_eq!(sgb2["source"], "Einwohnermeldeamt und Kita-Leitungen");

    // The same file again changes nothing, not even the audit trail; older years stay as they were.
    let audits = app.audit_count().await;
    let (_, again) = upload(app, &token, 2026, "Indikatoren 2026.xlsx", file).await;
    let again = &again["data"]["importIndicatorValues"];
    assert_eq!(again["stored"], false);
    assert_eq!(again["inserted"], 0);
    assert_eq!(again["updated"], 0);
    assert_eq!(again["unchanged"], kitas.len() * 5);
    let audits_after = app.audit_count().await;
    assert_eq!(audits_after, audits);
    let after_2025 = app
        .storage
        .indicator_values(&ValueFilter {
            year: Some(2025),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        before_2025.iter().map(|v| &v.value).collect::<Vec<_>>(),
        after_2025.iter().map(|v| &v.value).collect::<Vec<_>>()
    );

    // Run the decided concept on the new data; it is compared with last year's official plan.
    let plans = app
        .data(
            None,
            r#"{ allocationRuns(districtAgs: "07111", year: 2025) { id official concept { id status } } }"#,
            json!({}),
        )
        .await;
    let last_year = &plans["allocationRuns"][0];
    assert_eq!(last_year["official"], true);
    let official = app
        .data(
            None,
            r#"{ officialPlan(districtAgs: "07111", year: 2025) { id } none: officialPlan(districtAgs: "07111", year: 2030) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(official["officialPlan"]["id"], last_year["id"]);
    assert_eq!(official["none"], Value::Null);
    assert_eq!(last_year["concept"]["status"], "DECIDED");
    let run = app
        .data(
            Some(&token),
            "mutation($c: ID!) { runAllocation(conceptId: $c, dataYear: 2026) { id year budget allocated leftover landAmount inputHash engineVersion official previousRunId pillars { budget allocated leftover } kitas { kitaId amount previousAmount change } } }",
            json!({ "c": last_year["concept"]["id"] }),
        )
        .await["runAllocation"]
        .clone();
    assert_eq!(run["year"], 2026);
    assert_eq!(run["official"], false);
    assert_eq!(run["previousRunId"], last_year["id"]);
    assert_eq!(run["inputHash"].as_str().unwrap().len(), 64);
    let cents = |v: &Value| (dec(v) * 100.0).round() as i64;
    assert_eq!(
        cents(&run["allocated"]) + cents(&run["leftover"]),
        cents(&run["budget"])
    );
    let pillar_sum: i64 = run["pillars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| cents(&p["allocated"]))
        .sum();
    assert_eq!(pillar_sum, cents(&run["allocated"]));
    let kita_sum: i64 = run["kitas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| cents(&k["amount"]))
        .sum();
    assert_eq!(kita_sum, cents(&run["allocated"]));
    assert_eq!(run["kitas"].as_array().unwrap().len(), kitas.len());
    for k in run["kitas"].as_array().unwrap() {
        assert_eq!(
            cents(&k["amount"]) - cents(&k["previousAmount"]),
            cents(&k["change"])
        );
    }

    // Compare with last year's plan.
    let cmp = app
        .data(
            Some(&token),
            "query($a: ID!, $b: ID!) { compareAllocationRuns(a: $a, b: $b) { gainers losers unchanged gained lost allocatedA allocatedB giniChange kitas { kitaId name amountA amountB difference } } }",
            json!({ "a": last_year["id"], "b": run["id"] }),
        )
        .await["compareAllocationRuns"]
        .clone();
    let n = cmp["gainers"].as_i64().unwrap()
        + cmp["losers"].as_i64().unwrap()
        + cmp["unchanged"].as_i64().unwrap();
    assert_eq!(n as usize, kitas.len());
    assert_eq!(
        cents(&cmp["gained"]) + cents(&cmp["lost"]),
        cents(&cmp["allocatedB"]) - cents(&cmp["allocatedA"])
    );

    // Export the comparison: numbers stay numbers.
    let export = app
        .data(
            Some(&token),
            "query($a: ID!, $b: ID!) { exportAllocationComparison(a: $a, b: $b, format: XLSX) { fileName mediaType size contentBase64 } }",
            json!({ "a": last_year["id"], "b": run["id"] }),
        )
        .await["exportAllocationComparison"]
        .clone();
    assert!(export["fileName"].as_str().unwrap().ends_with(".xlsx"));
    let rows = xlsx_sheet(&decode_file(&export), "Kitas");
    assert_eq!(rows.len(), kitas.len() + 1);
    let first_change = &cmp["kitas"][0];
    let row = rows
        .iter()
        .find(|r| r[1] == Data::String(first_change["name"].as_str().unwrap().into()))
        .unwrap();
    match &row[4] {
        Data::Float(f) => assert!((f - dec(&first_change["difference"])).abs() < 0.001),
        other => panic!("difference is not a number: {other:?}"),
    }
    let summary = xlsx_sheet(&decode_file(&export), "Übersicht");
    assert!(summary
        .iter()
        .any(|r| r[0] == Data::String("Kitas mit mehr".into())));

    let csv = app
        .data(
            Some(&token),
            "query($a: ID!, $b: ID!) { exportAllocationComparison(a: $a, b: $b, format: CSV) { contentBase64 } }",
            json!({ "a": last_year["id"], "b": run["id"] }),
        )
        .await["exportAllocationComparison"]
        .clone();
    let text = String::from_utf8(decode_file(&csv)).unwrap();
    assert!(text.starts_with("\u{feff}Kita-Nr.;Kita;Betrag A (€)"));
    assert_eq!(text.lines().count(), kitas.len() + 1);

    // The run's own export has a sheet per pillar.
    let run_export = app
        .data(
            Some(&token),
            "query($id: ID!) { exportAllocationRun(id: $id, format: XLSX) { contentBase64 } }",
            json!({ "id": run["id"] }),
        )
        .await["exportAllocationRun"]
        .clone();
    let book: Xlsx<_> = Xlsx::new(Cursor::new(decode_file(&run_export))).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 3 + run["pillars"].as_array().unwrap().len());
    assert_eq!(names[0], "Übersicht");
}

/// Every bad file is a report with row, column and reason, and nothing is stored.
async fn bad_files_are_reported_and_nothing_is_stored(app: &TestApp) {
    seeded(app).await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let kitas = home_kitas(app).await;
    let (a, b) = (&kitas[0].name, &kitas[1].name);
    let head = "Kita;Anteil Kinder in SGB-II-Bedarfsgemeinschaften;Anteil Kinder mit nichtdeutscher Familiensprache;Anteil Kinder Alleinerziehender;Kinder in SGB-II-Bedarfsgemeinschaften;Kinder mit Eingliederungshilfe";
    let stored = value_count(app).await;
    let typo: String = {
        let mut chars: Vec<char> = a.chars().collect();
        let i = chars.len() - 2;
        chars.swap(i, i + 1);
        chars.into_iter().collect()
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "missing column",
            format!("Kita;Anteil Kinder in SGB-II-Bedarfsgemeinschaften\n{a};0,1\n"),
            "Die Spalte „Anteil Kinder mit nichtdeutscher Familiensprache“ fehlt.",
        ),
        (
            "text in a number column",
            format!("{head}\n{a};0,1;0,2;0,1;viele;1\n"),
            "„viele“ ist keine Zahl",
        ),
        (
            "unknown Kita",
            format!("{head}\n{typo};0,1;0,2;0,1;3;1\n"),
            "Meinten Sie",
        ),
        (
            "share above 100 %",
            format!("{head}\n{a};120 %;0,2;0,1;3;1\n"),
            "120 % liegt über 100 %.",
        ),
        (
            "duplicate row",
            format!("{head}\n{a};0,1;0,2;0,1;3;1\n{b};0,1;0,2;0,1;3;1\n{a};0,1;0,2;0,1;3;1\n"),
            "steht doppelt in der Datei (schon in Zeile 2)",
        ),
        ("empty file", String::new(), "Die Datei ist leer."),
    ];
    for (what, csv, expected) in cases {
        let (status, body) = upload(app, &token, 2026, "werte.csv", csv.into_bytes()).await;
        assert_eq!(status, 200, "{what}: {body}");
        let report = &body["data"]["importIndicatorValues"];
        assert_eq!(report["ok"], false, "{what}: {report}");
        assert_eq!(report["stored"], false, "{what}");
        let problems = report["problems"].as_array().unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p["message"].as_str().unwrap().contains(expected)),
            "{what}: {problems:?}"
        );
        if what != "missing column" && what != "empty file" {
            assert!(
                problems[0]["row"].as_i64().is_some(),
                "{what}: names the row"
            );
        }
        assert_eq!(value_count(app).await, stored, "{what}: nothing stored");
    }
    // The unknown Kita gets the closest name suggested.
    let (_, body) = upload(
        app,
        &token,
        2026,
        "werte.csv",
        format!("{head}\n{typo};0,1;0,2;0,1;3;1\n").into_bytes(),
    )
    .await;
    let message = body["data"]["importIndicatorValues"]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.ends_with(&format!("Meinten Sie „{a}“?")),
        "{message}"
    );

    // A formula and a date in number columns.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in head.split(';').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    ws.write_string(1, 0, a.as_str()).unwrap();
    ws.write_formula(1, 1, "=0.1*2").unwrap();
    let d = ExcelDateTime::from_ymd(2026, 1, 5).unwrap();
    ws.write_datetime_with_format(1, 2, &d, &Format::new().set_num_format("dd.mm.yyyy"))
        .unwrap();
    for c in 3..6 {
        ws.write_number(1, c, 0.1).unwrap();
    }
    let (_, body) = upload(
        app,
        &token,
        2026,
        "werte.xlsx",
        book.save_to_buffer().unwrap(),
    )
    .await;
    let problems = body["data"]["importIndicatorValues"]["problems"].clone();
    assert_eq!(problems[0]["row"], 2);
    assert_eq!(
        problems[0]["column"],
        "B (Anteil Kinder in SGB-II-Bedarfsgemeinschaften)"
    );
    assert!(problems[0]["message"].as_str().unwrap().contains("Formel"));
    assert!(problems[1]["message"]
        .as_str()
        .unwrap()
        .contains("Datum (05.01.2026)"));
    // The count columns got 0.1: not a whole number.
    assert!(problems[2]["message"]
        .as_str()
        .unwrap()
        .contains("keine ganze Zahl"));
    assert_eq!(value_count(app).await, stored);

    // A 50 MB file is refused from its announced length, before it is read (raw HTTP: a client
    // still writing would see the closed connection instead of the answer).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Accept: application/json\r\nContent-Type: multipart/form-data; boundary=xyz\r\n\
         Content-Length: {}\r\n\r\n--xyz\r\n",
        50 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    let body: Value = serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("höchstens 10 MB"));
    assert_eq!(value_count(app).await, stored);
    // A file just above 10 MB passes the HTTP limit and is refused by the reader, in the report.
    let (status, body) = upload(
        app,
        &token,
        2026,
        "gross.csv",
        vec![b'x'; 10 * 1024 * 1024 + 10],
    )
    .await;
    assert_eq!(status, 200);
    let report = &body["data"]["importIndicatorValues"];
    assert_eq!(report["stored"], false);
    assert!(report["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("höchstens 10 MB"));
    assert_eq!(value_count(app).await, stored);
}

const PREVIEW: &str = "query($doc: JSON!) { previewAllocation(districtAgs: \"07111\", dataYear: 2025, document: $doc) { budget allocated } }";

/// A document the engine rejects: its precise error, with the path in the document.
async fn rejected_concepts_name_the_path(app: &TestApp) {
    seeded(app).await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let pillar = |id: &str, share: &str| json!({ "id": id, "name": id, "budget": { "share": share }, "method": { "base": { "by_places": true } } });
    let cases = [
        (
            json!({ "pillars": [pillar("a", "0.7"), pillar("b", "0.5")], "need_index": { "terms": [] } }),
            "document.pillars",
            "above the district's total",
        ),
        (
            json!({ "pillars": [pillar("a", "1")], "need_index": { "terms": [
                { "indicator": "gibt_es_nicht", "weight": "1", "normalization": "raw" }
            ] } }),
            "document.need_index",
            "unknown indicator gibt_es_nicht",
        ),
        (
            json!({ "pillars": [{ "id": "a", "name": "a", "budget": { "share": "1" }, "method": "zauberei" }], "need_index": { "terms": [] } }),
            "document.pillars[0].method",
            "zauberei",
        ),
        (
            json!({ "pillars": [], "need_index": { "terms": [] } }),
            "document.pillars",
            "no pillars",
        ),
    ];
    for (doc, field, words) in cases {
        let body = app.gql(Some(&token), PREVIEW, json!({ "doc": doc })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(words),
            "{body}"
        );
    }
    // Unreadable documents are refused when saved, too.
    let body = app
        .gql(
            Some(&token),
            "mutation($doc: JSON!) { createConcept(input: { districtAgs: \"07111\", name: \"Kaputt\", document: $doc }) { id } }",
            json!({ "doc": cases_doc_bad_method() }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.document.pillars[0].method"
    );

    // A draft that does not compute cannot be decided: the error names the path.
    let bad = app
        .data(
            Some(&token),
            "mutation($doc: JSON!) { createConcept(input: { districtAgs: \"07111\", name: \"Unbekannter Indikator\", document: $doc }) { id version } }",
            json!({ "doc": { "pillars": [pillar("a", "1")], "need_index": { "terms": [
                { "indicator": "gibt_es_nicht", "weight": "1", "normalization": "raw" }
            ] } } }),
        )
        .await["createConcept"]
        .clone();
    let body = app
        .gql(
            Some(&token),
            "mutation($c: ID!, $v: Int!) { decideConcept(input: { id: $c, version: $v, decidedOn: \"2026-01-20\" }) { status } }",
            json!({ "c": bad["id"], "v": bad["version"] }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "document.need_index",
        "{body}"
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("nicht beschlossen"));
    let still = app
        .data(
            Some(&token),
            "query($c: ID!) { concept(id: $c) { status } }",
            json!({ "c": bad["id"] }),
        )
        .await;
    assert_eq!(still["concept"]["status"], "DRAFT");

    // A good preview stores nothing.
    let runs_before = app.storage.runs_of(HOME, None, 1000).await.unwrap().len();
    let good = json!({ "pillars": [pillar("a", "1")], "need_index": { "terms": [] } });
    let data = app
        .data(Some(&token), PREVIEW, json!({ "doc": good }))
        .await;
    assert_eq!(
        data["previewAllocation"]["budget"],
        data["previewAllocation"]["allocated"]
    );
    assert_eq!(
        app.storage.runs_of(HOME, None, 1000).await.unwrap().len(),
        runs_before
    );
}

fn cases_doc_bad_method() -> Value {
    json!({ "pillars": [{ "id": "a", "name": "a", "budget": { "share": "1" }, "method": "zauberei" }], "need_index": { "terms": [] } })
}

/// Drafts change, decided concepts do not; copies remember their origin; only runs of decided
/// concepts become official plans; the public sees official plans only, without small counts.
async fn concept_life_cycle_and_publicity(app: &TestApp) {
    seeded(app).await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let doc = json!({
        "pillars": [{ "id": "eingliederung", "name": "Eingliederung", "budget": { "share": "1" },
                      "method": { "proportional": { "by_places": false } } }],
        "need_index": { "terms": [{ "indicator": "kinder_eingliederung", "weight": "1", "normalization": "raw" }],
                        "missing": "district_mean" }
    });
    let created = app
        .data(
            Some(&token),
            "mutation($doc: JSON!) { createConcept(input: { districtAgs: \"07111\", name: \"Nach Eingliederungshilfe\", document: $doc }) { id version status } }",
            json!({ "doc": doc }),
        )
        .await["createConcept"]
        .clone();
    assert_eq!(created["status"], "DRAFT");
    // A draft is not public.
    let public = app
        .data(
            None,
            r#"{ concepts(districtAgs: "07111") { name status } }"#,
            json!({}),
        )
        .await;
    assert!(public["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] != "DRAFT"));

    let draft_run = app
        .data(
            Some(&token),
            "mutation($c: ID!) { runAllocation(conceptId: $c, dataYear: 2025) { id } }",
            json!({ "c": created["id"] }),
        )
        .await["runAllocation"]["id"]
        .clone();
    let body = app
        .gql(
            Some(&token),
            "mutation($r: ID!) { setOfficialPlan(runId: $r) { id } }",
            json!({ "r": draft_run }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // The public does not see runs that are not official.
    let hidden = app
        .data(
            None,
            "query($r: ID!) { allocationRun(id: $r) { id } }",
            json!({ "r": draft_run }),
        )
        .await;
    assert_eq!(hidden["allocationRun"], Value::Null);

    let decided = app
        .data(
            Some(&token),
            "mutation($c: ID!, $v: Int!) { decideConcept(input: { id: $c, version: $v, decidedOn: \"2025-02-12\" }) { id version status decidedOn } }",
            json!({ "c": created["id"], "v": created["version"] }),
        )
        .await["decideConcept"]
        .clone();
    assert_eq!(decided["status"], "DECIDED");
    let body = app
        .gql(
            Some(&token),
            "mutation($c: ID!, $v: Int!) { updateConcept(input: { id: $c, version: $v, name: \"Anders\" }) { id } }",
            json!({ "c": decided["id"], "v": decided["version"] }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Nur Entwürfe"));
    let copy = app
        .data(
            Some(&token),
            "mutation($c: ID!) { copyConcept(input: { id: $c, name: \"Fortschreibung 2027\" }) { status derivedFrom { id } } }",
            json!({ "c": decided["id"] }),
        )
        .await["copyConcept"]
        .clone();
    assert_eq!(copy["status"], "DRAFT");
    assert_eq!(copy["derivedFrom"]["id"], decided["id"]);

    let run = app
        .data(
            Some(&token),
            "mutation($c: ID!) { runAllocation(conceptId: $c, dataYear: 2025) { id } }",
            json!({ "c": decided["id"] }),
        )
        .await["runAllocation"]["id"]
        .clone();
    let official = app
        .data(
            Some(&token),
            "mutation($r: ID!) { setOfficialPlan(runId: $r) { official } }",
            json!({ "r": run }),
        )
        .await;
    assert_eq!(official["setOfficialPlan"]["official"], true);

    // A Kita leader's question, asked without an account: values below 5 children stay hidden.
    let kitas = home_kitas(app).await;
    let small = kitas
        .iter()
        .find(|k| {
            let n = srb_server::demo_plans::kita_values(&k.name, k.places, 2025)[4];
            n > 0.into() && n < 5.into()
        })
        .expect("a Kita with 1 to 4 children with Eingliederungshilfe");
    let id = srb_schema::ids::encode(srb_schema::ids::NodeType::Kita, small.id);
    let query = "query($id: ID!) { node(id: $id) { ... on Kita { allocation(year: 2025) { amount rank rankedKitas pillars { pillarName eligible reason } indexTerms { indicator label value shownValue contribution } } } } }";
    let public = app.data(None, query, json!({ "id": id })).await;
    let term = &public["node"]["allocation"]["indexTerms"][0];
    assert_eq!(term["label"], "Kinder mit Eingliederungshilfe");
    assert_eq!(term["value"], Value::Null);
    assert_eq!(term["shownValue"], "< 5");
    // With the count as the whole index, the rank would order the small counts: withheld.
    assert_eq!(public["node"]["allocation"]["rank"], Value::Null);
    assert_eq!(term["contribution"], Value::Null);
    let own = app.data(Some(&token), query, json!({ "id": id })).await;
    let term = &own["node"]["allocation"]["indexTerms"][0];
    assert!(term["value"].as_str().is_some());
    assert_ne!(term["shownValue"], "< 5");
    // The raw result and the indicator values are not public.
    let body = app
        .gql(None, "query($id: ID!) { node(id: $id) { ... on Kita { indicatorValues(year: 2025) { value } } } }", json!({ "id": id }))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

/// Values per social space: imported with `level: SOCIAL_SPACE`, taken over by the space's Kitas.
async fn social_space_values_reach_their_kitas(app: &TestApp) {
    seeded(app).await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    app.data(
        Some(&token),
        r#"mutation { createIndicatorDefinition(input: { districtAgs: "07111", key: "hze_dichte", label: "Hilfen zur Erziehung je 100 Kinder", unit: COUNT, level: SOCIAL_SPACE }) { id } }"#,
        json!({}),
    )
    .await;
    let spaces = app
        .storage
        .social_spaces_of(&[HOME.to_owned()], false)
        .await
        .unwrap();
    let mut csv = String::from("Sozialraum;Hilfen zur Erziehung je 100 Kinder\n");
    for (i, s) in spaces.iter().enumerate() {
        csv.push_str(&format!("{};{}\n", s.name, 10 + i));
    }
    let mut vars = import_vars(2025);
    vars["input"]["level"] = json!("SOCIAL_SPACE");
    let (_, body) = app
        .gql_upload(
            Some(&token),
            IMPORT,
            vars,
            "variables.input.file",
            "hze.csv",
            csv.into_bytes(),
        )
        .await;
    let report = &body["data"]["importIndicatorValues"];
    assert_eq!(report["problems"], json!([]), "{body}");
    assert_eq!(report["inserted"], spaces.len());

    // A social space the district does not have is named as such.
    let mut vars = import_vars(2025);
    vars["input"]["level"] = json!("SOCIAL_SPACE");
    let (_, body) = app
        .gql_upload(
            Some(&token),
            IMPORT,
            vars,
            "variables.input.file",
            "hze.csv",
            b"Sozialraum;Hilfen zur Erziehung je 100 Kinder\nAtlantis;3\n".to_vec(),
        )
        .await;
    assert!(
        body["data"]["importIndicatorValues"]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Keinen Sozialraum dieses Bezirks namens „Atlantis“")
    );

    let doc = json!({
        "pillars": [{ "id": "hze", "name": "HzE", "budget": { "share": "1" },
                      "method": { "proportional": { "by_places": false } } }],
        "need_index": { "terms": [{ "indicator": "hze_dichte", "weight": "1", "normalization": "raw" }] }
    });
    let preview = app
        .data(
            Some(&token),
            "query($doc: JSON!) { previewAllocation(districtAgs: \"07111\", dataYear: 2025, document: $doc) { kitas { kitaId needIndex } } }",
            json!({ "doc": doc }),
        )
        .await;
    let value_of: std::collections::HashMap<i64, usize> = spaces
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, 10 + i))
        .collect();
    for k in home_kitas(app).await {
        let id = srb_schema::ids::encode(srb_schema::ids::NodeType::Kita, k.id).0;
        let row = preview["previewAllocation"]["kitas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kitaId"] == id.as_str())
            .unwrap();
        let expected = value_of[&k.social_space_id.unwrap()];
        assert_eq!(dec(&row["needIndex"]), expected as f64, "{}", k.name);
    }
}

/// The ministry imports the state key's counts of all 41 districts at once; the next year's
/// distribution uses them.
async fn the_ministry_imports_the_state_key(app: &TestApp) {
    seeded(app).await;
    let ministry = app.token_for(Role::Ministry, None).await;
    let districts = app.storage.districts().await.unwrap();
    let q = r#"mutation($input: ImportStateKeyInput!) { importStateKeyValues(input: $input) { ok stored inserted warnings { message } problems { row column message } } }"#;
    let vars = || json!({ "input": { "year": 2026, "file": null, "referenceDate": "2025-12-31", "source": "Statistisches Landesamt" } });
    let mut csv = String::from(
        "Bezirk;AGS;Kinder unter 7 Jahren;Kinder unter 7 Jahren in SGB-II-Bedarfsgemeinschaften\n",
    );
    for (i, d) in districts.iter().enumerate() {
        csv.push_str(&format!(
            "{};{};{};{}\n",
            d.name,
            d.ags,
            5_000 + i * 100,
            600 + i * 10
        ));
    }
    // One wrong row: nothing of the file is stored.
    let bad = csv.replace("Stadt Koblenz;07111", "Stadt Koblenz;07999");
    let (_, body) = app
        .gql_upload(
            Some(&ministry),
            q,
            vars(),
            "variables.input.file",
            "schluessel.csv",
            bad.into_bytes(),
        )
        .await;
    let r = &body["data"]["importStateKeyValues"];
    assert_eq!(r["stored"], false, "{body}");
    assert!(
        r["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("07999"),
        "{body}"
    );
    let later = app
        .data(
            None,
            "{ stateDistribution(year: 2026) { districts { keyYear } } }",
            json!({}),
        )
        .await;
    assert_eq!(later["stateDistribution"]["districts"][0]["keyYear"], 2025);

    let (_, body) = app
        .gql_upload(
            Some(&ministry),
            q,
            vars(),
            "variables.input.file",
            "schluessel.csv",
            csv.into_bytes(),
        )
        .await;
    let r = &body["data"]["importStateKeyValues"];
    assert_eq!(r["problems"], json!([]), "{body}");
    assert_eq!(r["inserted"], 82);
    let data = app
        .data(None, "{ stateDistribution(year: 2026) { districts { district { ags } keyYear childrenUnder7 childrenUnder7Sgb2 } } }", json!({}))
        .await;
    let rows = data["stateDistribution"]["districts"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["keyYear"] == 2026));
    let koblenz = rows
        .iter()
        .find(|r| r["district"]["ags"] == "07111")
        .unwrap();
    let i = districts.iter().position(|d| d.ags == "07111").unwrap();
    assert_eq!(koblenz["childrenUnder7"], 5_000 + i * 100);
    assert_eq!(koblenz["childrenUnder7Sgb2"], 600 + i * 10);
}

/// A page of Kitas with their allocations reads each district's plan once, not once per Kita.
async fn allocations_of_a_page_of_kitas_load_in_batches(app: &TestApp) {
    seeded(app).await;
    let q = |n: usize| {
        format!(
            r#"{{ kitas(first: {n}, filter: {{ districtAgs: "07111" }}) {{ edges {{ node {{ name allocation(year: 2025) {{ amount rank indexTerms {{ shownValue }} pillars {{ amount }} }} }} }} }} }}"#
        )
    };
    let mut statements = Vec::new();
    for n in [5, 40] {
        let before = app.storage.statements_executed();
        let data = app.data(None, &q(n), json!({})).await;
        statements.push(app.storage.statements_executed() - before);
        let edges = data["kitas"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n);
        assert!(edges
            .iter()
            .all(|e| e["node"]["allocation"]["amount"].is_string()));
    }
    // The page, the plan and the definitions (the loader may split a burst into two batches);
    // one query per Kita would be 80 and more.
    assert!(
        statements[1] <= 8,
        "statements for 5 and 40 Kitas: {statements:?}"
    );
}

/// The state budget is split between the 41 districts to the cent; proposals are for the ministry.
async fn state_distribution_adds_up(app: &TestApp) {
    seeded(app).await;
    let q = "query($p: StateParametersInput) { stateDistribution(year: 2025, parameters: $p) { total proposed districts { district { ags } share landAmount total districtShare traegerShare keyYear } } }";
    let data = app.data(None, q, json!({ "p": null })).await;
    let d = &data["stateDistribution"];
    let districts = d["districts"].as_array().unwrap();
    assert_eq!(districts.len(), 41);
    let cents = |v: &Value| (dec(v) * 100.0).round() as i64;
    let land: i64 = districts.iter().map(|x| cents(&x["landAmount"])).sum();
    assert_eq!(land, cents(&d["total"]));
    // 50 Mio € in 2021, +2.5 % a year: 2025 is 50,000,000 × 1.025⁴.
    assert_eq!(d["total"], "55190644.53");
    for x in districts {
        assert_eq!(
            cents(&x["landAmount"]) + cents(&x["districtShare"]) + cents(&x["traegerShare"]),
            cents(&x["total"])
        );
        assert_eq!(x["keyYear"], 2025);
    }
    let proposal = json!({ "p": { "weightChildren": "0.5", "landRate": "0.5" } });
    let body = app.gql(None, q, proposal.clone()).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let coordinator = app.token_for(Role::Coordinator, Some(HOME)).await;
    assert_eq!(
        code(&app.gql(Some(&coordinator), q, proposal.clone()).await),
        "FORBIDDEN"
    );
    let ministry = app.token_for(Role::Ministry, None).await;
    let p = app.data(Some(&ministry), q, proposal).await;
    assert_eq!(p["stateDistribution"]["proposed"], true);
    assert_eq!(p["stateDistribution"]["total"], d["total"]);
    assert_ne!(
        p["stateDistribution"]["districts"][0]["share"],
        districts[0]["share"]
    );
    // The 2027 budget uses the newest key data there is (2025).
    let later = app
        .data(
            None,
            "{ stateDistribution(year: 2027) { districts { keyYear } } }",
            json!({}),
        )
        .await;
    assert_eq!(later["stateDistribution"]["districts"][0]["keyYear"], 2025);
}

const IMPORT_KITAS: &str = "mutation($input: ImportKitasInput!) { importKitas(input: $input) { ok stored rows created updated unchanged problems { row column message } } }";

/// Kitas from a German CSV: new ones created, changed ones updated, equal ones left alone; a
/// file with any problem stores nothing.
async fn kitas_are_imported_all_or_nothing(app: &TestApp) {
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let provider = app
        .data(
            Some(&token),
            r#"mutation { createProvider(input: { districtAgs: "07111", name: "AWO Koblenz", ownership: INDEPENDENT, kind: AWO }) { id } }"#,
            json!({}),
        )
        .await["createProvider"]["id"]
        .clone();
    let send = |csv: String| {
        app.gql_upload(
            Some(&token),
            IMPORT_KITAS,
            json!({ "input": { "districtAgs": HOME, "file": null } }),
            "variables.input.file",
            "kitas.csv",
            encoding_rs_free_cp1252(&csv),
        )
    };
    let first = "Kita;Straße;PLZ;Ort;Plätze;davon unter 3;Träger;Familienzentrum\n\
                 Kita Sonnenschein;Löhrstraße 1;56068;Koblenz;85;20;AWO Koblenz;ja\n\
                 Kita Regenbogen;;;Koblenz;1.000;;;nein\n";
    let (_, body) = send(first.to_string()).await;
    let r = &body["data"]["importKitas"];
    assert_eq!(r["problems"], json!([]), "{body}");
    assert_eq!(
        (r["created"].as_i64(), r["stored"].as_bool()),
        (Some(2), Some(true))
    );
    let kitas = home_kitas(app).await;
    let sonne = kitas
        .iter()
        .find(|k| k.name == "Kita Sonnenschein")
        .unwrap();
    assert_eq!(sonne.street.as_deref(), Some("Löhrstraße 1"));
    assert_eq!(
        (sonne.places, sonne.places_under3, sonne.family_center),
        (85, 20, true)
    );
    assert_eq!(
        srb_schema::ids::encode(
            srb_schema::ids::NodeType::Provider,
            sonne.provider_id.unwrap()
        )
        .0,
        provider.as_str().unwrap()
    );
    assert_eq!(
        kitas
            .iter()
            .find(|k| k.name == "Kita Regenbogen")
            .unwrap()
            .places,
        1000
    );

    // Again: nothing changes. Then one change; a column the file lacks keeps its value.
    let (_, body) = send(first.to_string()).await;
    assert_eq!(body["data"]["importKitas"]["unchanged"], 2);
    assert_eq!(body["data"]["importKitas"]["stored"], false);
    let (_, body) = send("Kita;Plätze\nKita Sonnenschein;90\nKita Regenbogen;1.000\n".into()).await;
    let r = &body["data"]["importKitas"];
    assert_eq!(
        (r["updated"].as_i64(), r["unchanged"].as_i64()),
        (Some(1), Some(1))
    );
    let sonne = home_kitas(app)
        .await
        .into_iter()
        .find(|k| k.name == "Kita Sonnenschein")
        .unwrap();
    assert_eq!(
        (sonne.places, sonne.street.as_deref(), sonne.version),
        (90, Some("Löhrstraße 1"), 2)
    );

    // One bad row: nothing of the file is stored.
    let (_, body) =
        send("Kita;Plätze;Träger\nKita Neu;30;\nKita Sonnenschein;95;AWO Koblens\n".into()).await;
    let r = &body["data"]["importKitas"];
    assert_eq!(r["stored"], false);
    assert_eq!(r["problems"][0]["row"], 3);
    assert_eq!(r["problems"][0]["column"], "C (Träger)");
    assert!(r["problems"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("Meinten Sie „AWO Koblenz“?"));
    let after = home_kitas(app).await;
    assert_eq!(after.len(), 2);
    assert_eq!(
        after
            .iter()
            .find(|k| k.name == "Kita Sonnenschein")
            .unwrap()
            .places,
        90
    );
}

/// German Excel saves CSV in Windows-1252: the test sends it that way.
fn encoding_rs_free_cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'ä' => 0xE4,
            'ö' => 0xF6,
            'ü' => 0xFC,
            'ß' => 0xDF,
            'Ä' => 0xC4,
            'Ö' => 0xD6,
            'Ü' => 0xDC,
            c if c.is_ascii() => c as u8,
            other => panic!("{other} is not in this test's Windows-1252 table"),
        })
        .collect()
}

on_every_backend!(
    kitas_are_imported_all_or_nothing,
    coordinator_imports_runs_compares_and_exports,
    bad_files_are_reported_and_nothing_is_stored,
    rejected_concepts_name_the_path,
    concept_life_cycle_and_publicity,
    state_distribution_adds_up,
    allocations_of_a_page_of_kitas_load_in_batches,
    social_space_values_reach_their_kitas,
    the_ministry_imports_the_state_key,
);
