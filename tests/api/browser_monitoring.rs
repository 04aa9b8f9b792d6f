//! Monitoring in a real browser: a coordinator enters a position, changes its status and
//! records spending on the district's monitoring page; the ministry finds the district in the
//! overview, with its figures and flags, sorts the table and colours the map. axe-core on every
//! page on the way.

use fantoccini::{Client, Locator};
use srb_storage::Role;

use crate::browser::{axe, h1, open, shoot, sign_in, spawn, visit};

async fn fill(b: &Client, id: &str, value: &str) {
    let field = b
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("#{id}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn choose(b: &Client, id: &str, value: &str) {
    b.find(Locator::Css(&format!("#{id} option[value='{value}']")))
        .await
        .unwrap_or_else(|_| panic!("#{id} = {value}"))
        .click()
        .await
        .unwrap();
}

async fn submit(b: &Client, text: &str) {
    b.find(Locator::XPath(&format!(
        "//button[normalize-space(.)='{text}']"
    )))
    .await
    .unwrap_or_else(|_| panic!("„{text}“"))
    .click()
    .await
    .unwrap();
}

/// Date fields take ISO values whatever the browser's locale types them as.
async fn set_date(b: &Client, css: &str, iso: &str) {
    let done = b
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.value = arguments[1]; return true;",
            vec![serde_json::json!(css), serde_json::json!(iso)],
        )
        .await
        .unwrap();
    assert_eq!(done, serde_json::json!(true), "{css}");
}

async fn main_text(b: &Client) -> String {
    b.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_enters_positions_and_spending_the_ministry_sees_them() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let coordinator = app
        .person(Role::Coordinator, Some("07111"), "Koordination Koblenz")
        .await;
    let b = open(&driver).await;
    sign_in(&b, &app, &coordinator).await;
    visit(&b, &app, "/bezirke/07111/monitoring?jahr=2025").await;
    assert!(h1(&b).await.starts_with("Monitoring 2025"));
    axe(&b, "/bezirke/07111/monitoring").await;

    // Shares that do not add up to 1: the error sits at the field, nothing is stored.
    fill(&b, "titel", "Kita-Sozialarbeit Nord").await;
    fill(&b, "vzae", "0,75").await;
    fill(&b, "traeger", "Caritasverband Koblenz").await;
    fill(&b, "dienstaufsicht", "Caritasverband Koblenz").await;
    fill(&b, "fachaufsicht", "Jugendamt Koblenz").await;
    let first_kita = b
        .find(Locator::Css("#kita1 option:nth-child(2)"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let second_kita = b
        .find(Locator::Css("#kita2 option:nth-child(3)"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    choose(&b, "kita1", &first_kita).await;
    fill(&b, "anteil1", "0,5").await;
    choose(&b, "kita2", &second_kita).await;
    fill(&b, "anteil2", "0,4").await;
    choose(&b, "stand", "VACANT").await;
    set_date(&b, "#seit", "2025-02-01").await;
    submit(&b, "Stelle speichern").await;
    let error = b
        .find(Locator::Css(".field.invalid .field-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("0,9"), "{error}");
    axe(&b, "/bezirke/07111/monitoring (Fehler)").await;
    fill(&b, "anteil2", "0,5").await;
    submit(&b, "Stelle speichern").await;
    b.wait()
        .for_element(Locator::XPath(
            "//p[contains(., 'Die Stelle ist gespeichert')]",
        ))
        .await
        .unwrap();
    let text = main_text(&b).await;
    assert!(
        text.contains("Kita-Sozialarbeit Nord") && text.contains("unbesetzt seit 01.02.2025"),
        "{text}"
    );

    // Filled from 1 October: the status form of the row.
    let row = b
        .find(Locator::XPath(
            "//tr[th[contains(., 'Kita-Sozialarbeit Nord')]]",
        ))
        .await
        .unwrap();
    row.find(Locator::Css("select option[value='FILLED']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let since = row.find(Locator::Css("input[type=date]")).await.unwrap();
    let id = since.attr("id").await.unwrap().unwrap();
    set_date(&b, &format!("#{id}"), "2025-10-01").await;
    row.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::XPath(
            "//td[contains(., 'besetzt seit 01.10.2025')]",
        ))
        .await
        .unwrap();

    // Spending of the first pillar for the whole year.
    fill(&b, "betrag0", "12.345,67").await;
    submit(&b, "Mittelabruf speichern").await;
    b.wait()
        .for_element(Locator::XPath(
            "//p[contains(., 'Der Mittelabruf ist gespeichert')]",
        ))
        .await
        .unwrap();
    assert!(main_text(&b).await.contains("12.345,67 €"));
    // A spending file with an unknown pillar: the report names row and column, nothing stored.
    let dir = std::env::temp_dir().join(format!("srb-abruf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("abruf.csv");
    std::fs::write(&file, "Säule;Quartal;Betrag\nHausmeisterdienste;;500\n").unwrap();
    b.find(Locator::Id("art-abruf"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(Locator::Id("datei"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    submit(&b, "Datei prüfen und übernehmen").await;
    let report = b
        .wait()
        .for_element(Locator::Css("#bericht table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("A (Säule)") && report.contains("Hausmeisterdienste"),
        "{report}"
    );
    axe(&b, "/bezirke/07111/monitoring (Bericht)").await;
    std::fs::remove_dir_all(&dir).ok();
    shoot(&b, "monitoring-bezirk").await;
    axe(&b, "/bezirke/07111/monitoring (gespeichert)").await;

    // The ministry: the overview, Koblenz's figures, sorting, the map by another measure.
    let ministry = app.person(Role::Ministry, None, "Ministerium").await;
    let m = open(&driver).await;
    sign_in(&m, &app, &ministry).await;
    visit(&m, &app, "/monitoring?jahr=2025").await;
    assert_eq!(h1(&m).await, "Monitoring 2025");
    assert_eq!(
        m.find_all(Locator::Css(".tile-map svg a"))
            .await
            .unwrap()
            .len(),
        41
    );
    let koblenz = m
        .find(Locator::XPath(
            "//tr[th[normalize-space(.)='Stadt Koblenz']]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(koblenz.contains("12.345,67 €"), "{koblenz}");
    assert!(
        koblenz.contains("0,75"),
        "one position of 0.75 FTE: {koblenz}"
    );
    assert!(koblenz.contains("geringer Mittelabruf"), "{koblenz}");
    axe(&m, "/monitoring").await;
    m.find(Locator::XPath("//th/a[contains(., 'Abgerufen')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    m.wait()
        .for_element(Locator::Css("th[aria-sort='ascending']"))
        .await
        .unwrap();
    choose(&m, "mass", "besetzt").await;
    submit(&m, "Anzeigen").await;
    m.wait()
        .for_element(Locator::XPath("//figcaption[contains(., 'Besetzte VZÄ')]"))
        .await
        .unwrap();
    shoot(&m, "monitoring-land").await;
    axe(&m, "/monitoring (besetzt)").await;

    // The public: the overview without the figures of one position.
    let public = open(&driver).await;
    visit(&public, &app, "/monitoring?jahr=2025").await;
    let koblenz = public
        .find(Locator::XPath(
            "//tr[th[normalize-space(.)='Stadt Koblenz']]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        koblenz.contains("< 5") && !koblenz.contains("0,75"),
        "{koblenz}"
    );
    axe(&public, "/monitoring (öffentlich)").await;
    app.stop().await;
}
