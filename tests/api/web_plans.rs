//! The allocation pages as a browser without JavaScript meets them: what the public sees of a
//! district (official plans only, small counts as „< 5“), and bad input that stores nothing:
//! uploads that are no spreadsheet or empty, concept forms with impossible values, a rule that
//! selects no Kita, a forged change of a decided concept.

use serde_json::json;
use srb_storage::Role;
use srb_tests::{on_every_backend, TestApp, WebClient};

use crate::small_counts::{official_run, COUNT};

const HOME: &str = "07111";

async fn demo_concept(app: &TestApp) -> (String, i64) {
    let data = app
        .data(
            None,
            "{ concepts(districtAgs: \"07111\") { id status version } }",
            json!({}),
        )
        .await;
    let c = data["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "DECIDED")
        .expect("the demo's decided concept")
        .clone();
    (
        c["id"].as_str().unwrap().to_owned(),
        c["version"].as_i64().unwrap(),
    )
}

async fn version(app: &TestApp, token: &str, id: &str) -> i64 {
    app.data(
        Some(token),
        "query($id: ID!) { concept(id: $id) { version } }",
        json!({ "id": id }),
    )
    .await["concept"]["version"]
        .as_i64()
        .unwrap()
}

async fn the_public_sees_official_plans_only(app: &TestApp) {
    app.seed_demo().await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let counted = official_run(
        app,
        &token,
        "Nach Eingliederungshilfe",
        json!([{ "indicator": COUNT, "weight": "1", "normalization": "raw" }]),
    )
    .await;
    let counted = counted.as_str().unwrap().to_owned();
    let (concept, _) = demo_concept(app).await;
    let draft_run = app
        .data(
            Some(&token),
            "mutation($c: ID!) { runAllocation(conceptId: $c, dataYear: 2025) { id } }",
            json!({ "c": concept }),
        )
        .await["runAllocation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut public = app.browser();
    let district = public.get("/bezirke/07111").await;
    assert_eq!(district.status, 200);
    assert!(district.body.contains(&format!("/laeufe/{counted}")));
    assert!(
        !district.body.contains(&format!("/laeufe/{draft_run}")),
        "a run that is not an official plan is not public"
    );
    assert_eq!(
        public.get(&format!("/laeufe/{draft_run}")).await.status,
        404
    );

    // The index of a count below 5 is withheld for the public, shown to the district.
    let run = public.get(&format!("/laeufe/{counted}")).await;
    assert_eq!(run.status, 200);
    assert!(run.body.contains("&lt; 5"), "withheld values read „< 5“");
    let kita = run
        .body
        .split(&format!("href=\"/laeufe/{counted}/kitas/"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to a Kita's explanation")
        .to_owned();
    let explained = public.get(&format!("/laeufe/{counted}/kitas/{kita}")).await;
    assert_eq!(explained.status, 200);
    assert!(explained.body.contains("Warum bekommt"));

    let email = app
        .person(Role::Coordinator, Some(HOME), "Koordination Koblenz")
        .await;
    let mut own = app.browser();
    own.sign_in(&email, "/").await;
    let run = own.get(&format!("/laeufe/{counted}")).await;
    assert!(
        !run.body.contains("&lt; 5"),
        "the district sees its numbers"
    );
    assert_eq!(own.get(&format!("/laeufe/{draft_run}")).await.status, 200);

    // Pages travel compressed when the browser asks.
    let compressed = reqwest::Client::new()
        .get(app.url(&format!("/laeufe/{counted}")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");

    // Downloads of a table page.
    for (path, kind) in [
        (format!("/laeufe/{counted}/lauf.csv"), "text/csv"),
        ("/bezirke/07111/kitas.xlsx".to_owned(), "spreadsheetml"),
        ("/landesmittel/land.csv?jahr=2025".to_owned(), "text/csv"),
    ] {
        let file = public.get(&path).await;
        assert_eq!(file.status, 200, "{path}");
        let media = file.headers["content-type"].to_str().unwrap();
        assert!(media.contains(kind), "{path}: {media}");
        assert!(file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
    }
}

fn upload(token: &str, name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("token", token.to_owned())
        .text("jahr", "2026")
        .text("stichtag", "2026-03-01")
        .text("quelle", "Kita-Abfrage 2026")
        .part(
            "datei",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        )
}

async fn latest_year(app: &TestApp) -> Option<i64> {
    app.data(
        None,
        "{ indicatorCurrency(districtAgs: \"07111\") { indicator { key } latestYear } }",
        json!({}),
    )
    .await["indicatorCurrency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["indicator"]["key"] == "sgb2_anteil")
        .and_then(|c| c["latestYear"].as_i64())
}

/// The fields of a one-pillar concept form (the demo's other pillars removed).
fn concept_form(token: &str, version: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("token", token),
        ("version", &version.to_string()),
        ("name", "Entwurf 2026"),
        ("datenjahr", "2025"),
        ("p0_name", "Kita-Sozialarbeit"),
        ("p0_budget_art", "share"),
        ("p0_budget_wert", "100"),
        ("p0_methode", "prop_places"),
        ("p0_verknuepfung", "and"),
        ("p0_bedingung0", "all"),
        ("p1_entfernen", "ja"),
        ("p2_entfernen", "ja"),
        ("t0_indikator", "sgb2_anteil"),
        ("t0_gewicht", "1"),
        ("t0_normierung", "percent_rank"),
        ("t0_richtung", "more_is_worse"),
        ("fehlend", "district_mean"),
        ("foerderquote", "60"),
        ("traegeranteil", "0"),
        ("aktion", "speichern"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        fields.retain(|(name, _)| name != k);
        fields.push((k.to_string(), v.to_string()));
    }
    fields
}

async fn post(client: &mut WebClient, path: &str, fields: &[(String, String)]) -> srb_tests::Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post(path, &pairs).await
}

/// The error shown at `field` of a form page.
fn error_at(body: &str, field: &str) -> bool {
    body.contains(&format!(r##"<a href="#{field}">"##))
        && body.contains(&format!(r#"id="{field}-fehler""#))
}

async fn bad_input_stores_nothing(app: &TestApp) {
    app.seed_demo().await;
    let email = app
        .person(Role::Coordinator, Some(HOME), "Koordination Koblenz")
        .await;
    let token = app.token_for(Role::Coordinator, Some(HOME)).await;
    let mut b = app.browser();
    b.sign_in(&email, "/").await;
    let page = b.get("/bezirke/07111/import").await;
    assert_eq!(page.status, 200);
    let form = page.form_token();
    let before = latest_year(app).await;

    let not_a_sheet = b
        .post_multipart(
            "/bezirke/07111/import",
            upload(
                &form,
                "werte.xlsx",
                b"Hallo, das ist keine Tabelle".to_vec(),
            ),
        )
        .await;
    assert_eq!(not_a_sheet.status, 200);
    assert!(
        not_a_sheet.body.contains("es wurde nichts gespeichert"),
        "a report with its problems"
    );
    assert!(not_a_sheet.body.contains("Fehler in der Datei"));
    let empty = b
        .post_multipart(
            "/bezirke/07111/import",
            upload(&form, "leer.csv", Vec::new()),
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(error_at(&empty.body, "datei"));
    assert_eq!(latest_year(app).await, before, "nothing stored");

    // A draft of the decided concept.
    let (decided, decided_version) = demo_concept(app).await;
    let page = b.get(&format!("/konzeptionen/{decided}")).await;
    assert!(page.body.contains("Als Entwurf kopieren"));
    assert!(!page.body.contains("konzeption-form"), "decided: read-only");
    let copied = b
        .post(
            &format!("/konzeptionen/{decided}/kopieren"),
            &[("token", &page.form_token())],
        )
        .await;
    assert_eq!(copied.status, 303);
    let draft_path = copied.location().to_owned();
    let draft = draft_path.trim_start_matches("/konzeptionen/").to_owned();
    let page = b.get(&draft_path).await;
    assert!(page.body.contains("konzeption-form"));
    let form = page.form_token();
    let v = version(app, &token, &draft).await;

    for (changes, field) in [
        (vec![("p0_budget_wert", "120")], "p0_budget_wert"),
        (
            vec![("p0_budget_art", "amount"), ("p0_budget_wert", "-5")],
            "p0_budget_wert",
        ),
        (
            vec![
                ("p0_stellen", "ja"),
                ("p0_kosten", "72000"),
                ("p0_schritt", "0"),
            ],
            "p0_schritt",
        ),
        (
            vec![
                ("p0_bedingung0", "indicator_at_least"),
                ("p0_indikator0", "sgb2_anteil"),
                ("p0_wert0", "5"),
            ],
            "p0_bedingung0",
        ),
    ] {
        let answer = post(&mut b, &draft_path, &concept_form(&form, v, &changes)).await;
        assert_eq!(answer.status, 422, "{changes:?}");
        assert!(
            error_at(&answer.body, field),
            "{changes:?}: error at {field}"
        );
        assert!(
            answer.body.contains("konzeption-form"),
            "the form comes back with the input"
        );
        assert_eq!(version(app, &token, &draft).await, v, "nothing saved");
    }
    let saved = post(&mut b, &draft_path, &concept_form(&form, v, &[])).await;
    assert_eq!(saved.status, 200);
    assert!(saved.body.contains("Der Entwurf ist gespeichert."));
    assert_eq!(version(app, &token, &draft).await, v + 1);
    let doc = app
        .data(
            Some(&token),
            "query($id: ID!) { concept(id: $id) { document } }",
            json!({ "id": draft }),
        )
        .await["concept"]["document"]
        .clone();
    assert_eq!(doc["pillars"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["pillars"][0]["budget"], json!({ "share": "1.00" }));

    // The preview alone, as the script asks for it.
    let preview = post(
        &mut b,
        &format!("{draft_path}/vorschau"),
        &concept_form(&form, v + 1, &[]),
    )
    .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Vorschau mit den Daten 2025"));

    // A forged change of the decided concept is refused.
    let forged = post(
        &mut b,
        &format!("/konzeptionen/{decided}"),
        &concept_form(&form, decided_version, &[]),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(version(app, &token, &decided).await, decided_version);
}

on_every_backend!(
    the_public_sees_official_plans_only,
    bad_input_stores_nothing
);
