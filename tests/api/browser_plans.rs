//! The year's work of a coordinator in a real browser (template, upload with German formats, a
//! reported error fixed, import, run, one Kita's explanation, the comparison with last year's
//! plan and its download), the ministry's state map, and the committee paper printed to PDF by
//! headless Chromium. axe-core on every page on the way.

use std::io::Cursor;
use std::process::Command;

use base64::Engine;
use calamine::{Data, Reader, Xlsx};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use srb_storage::Role;

use crate::browser::{axe, h1, open, shoot, sign_in, spawn, visit};

/// Fetches `path` with the browser's session, as a download link would: status, headers and
/// the body.
async fn fetch(b: &Client, path: &str) -> (i64, String, String, Vec<u8>) {
    let r = b
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch(arguments[0], { credentials: 'same-origin' }).then(r => r.arrayBuffer().then(buf => {
                 const u = new Uint8Array(buf); let s = '';
                 for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
                 done({ status: r.status, type: r.headers.get('content-type') || '',
                        disposition: r.headers.get('content-disposition') || '', body: btoa(s) });
               })).catch(e => done({ status: 0, type: String(e), disposition: '', body: '' }));"#,
            vec![json!(path)],
        )
        .await
        .expect("fetch");
    (
        r["status"].as_i64().unwrap_or(0),
        r["type"].as_str().unwrap_or_default().to_owned(),
        r["disposition"].as_str().unwrap_or_default().to_owned(),
        base64::engine::general_purpose::STANDARD
            .decode(r["body"].as_str().unwrap_or_default())
            .unwrap(),
    )
}

/// Next year's values in the template, as a district would type them: shares as „12,5 %“,
/// counts as text, the Stichtag as „01.03.2026“; `broken_row` gets a value no one can read.
fn fill(template: &[u8], broken_row: Option<usize>) -> Vec<u8> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(template.to_vec())).unwrap();
    let range = book.worksheet_range("Indikatoren").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let headers: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet().set_name("Indikatoren").unwrap();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate().skip(1) {
        let r32 = r as u32;
        sheet.write_string(r32, 0, row[0].to_string()).unwrap();
        sheet.write_string(r32, 1, row[1].to_string()).unwrap();
        for (c, h) in headers.iter().enumerate().skip(2) {
            let c16 = c as u16;
            let text = match h.as_str() {
                "Stichtag" => "01.03.2026".to_owned(),
                "Quelle" => "Kita-Abfrage 2026".to_owned(),
                h if h.starts_with("Anteil") => format!("{},{} %", 5 + (r * 7 + c) % 30, r % 10),
                _ => format!("{}", (r + c) % 9),
            };
            let text = if broken_row == Some(r) && c == 2 {
                "ziemlich viel".to_owned()
            } else {
                text
            };
            sheet.write_string(r32, c16, &text).unwrap();
        }
    }
    out.save_to_buffer().unwrap()
}

async fn upload(b: &Client, file: &std::path::Path) {
    // The answer replaces the document; the mark tells the old report from the new one.
    b.execute(
        "document.body.dataset.alt = '1'; document.getElementById('stichtag').value = '2026-03-01';",
        vec![],
    )
    .await
    .unwrap();
    let source = b.find(Locator::Id("quelle")).await.unwrap();
    source.clear().await.unwrap();
    source.send_keys("Kita-Abfrage 2026").await.unwrap();
    b.find(Locator::Id("datei"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    b.find(Locator::XPath("//button[.='Datei prüfen']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css("body:not([data-alt]) #bericht"))
        .await
        .expect("the report");
}

async fn click_text(b: &Client, text: &str) {
    b.find(Locator::XPath(&format!(
        "//*[self::a or self::button][normalize-space(.)='{text}']"
    )))
    .await
    .unwrap_or_else(|_| panic!("„{text}“"))
    .click()
    .await
    .unwrap();
}

async fn body(b: &Client) -> String {
    b.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_does_the_years_work_in_the_browser() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let email = app
        .person(Role::Coordinator, Some("07111"), "Koordination Koblenz")
        .await;
    let b = open(&driver).await;
    sign_in(&b, &app, &email).await;
    visit(&b, &app, "/bezirke/07111").await;
    axe(&b, "/bezirke/07111").await;
    shoot(&b, "bezirk").await;
    click_text(&b, "Indikatorwerte importieren").await;
    assert_eq!(h1(&b).await, "Indikatorwerte importieren");
    axe(&b, "/bezirke/07111/import").await;

    // The template, downloaded with the session.
    let (status, media, disposition, template) = fetch(&b, "/bezirke/07111/vorlage.xlsx").await;
    assert_eq!(status, 200);
    assert!(media.contains("spreadsheetml"), "{media}");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let dir = std::env::temp_dir().join(format!("srb-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // Next year's file with one unreadable value: the report names row and column, nothing
    // is stored.
    let broken = dir.join("Indikatoren-2026-Entwurf.xlsx");
    std::fs::write(&broken, fill(&template, Some(3))).unwrap();
    upload(&b, &broken).await;
    let report = body(&b).await;
    assert!(report.contains("es wurde nichts gespeichert"), "{report}");
    let row = b
        .find(Locator::XPath(
            "//table[caption='Fehler in der Datei']/tbody/tr[1]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Data row 3 is the spreadsheet's row 4 (the header is row 1), column C the first value.
    assert!(row.starts_with("4 C"), "row and column named: {row}");
    assert!(row.contains("ziemlich viel"), "the value named: {row}");
    shoot(&b, "import-fehler").await;
    axe(&b, "/bezirke/07111/import (Fehler)").await;

    // Fixed, checked, confirmed.
    let fixed = dir.join("Indikatoren-2026.xlsx");
    std::fs::write(&fixed, fill(&template, None)).unwrap();
    upload(&b, &fixed).await;
    assert!(body(&b).await.contains("Die Datei ist fehlerfrei."));
    axe(&b, "/bezirke/07111/import (geprüft)").await;
    click_text(&b, "Jetzt speichern (alle Werte oder keiner)").await;
    b.wait()
        .for_element(Locator::XPath("//p[contains(., 'Gespeichert.')]"))
        .await
        .unwrap();

    // The decided concept, run with the new data.
    visit(&b, &app, "/bezirke/07111").await;
    assert!(body(&b).await.contains("2026"), "the data table knows 2026");
    let concept = b
        .find(Locator::Css(
            "#konzeptionen ~ div a[href^='/konzeptionen/']",
        ))
        .await
        .unwrap();
    concept.click().await.unwrap();
    axe(&b, "/konzeptionen/… (beschlossen)").await;
    let year = b.find(Locator::Id("rechnen-jahr")).await.unwrap();
    year.clear().await.unwrap();
    year.send_keys("2026").await.unwrap();
    click_text(&b, "Mit diesen Daten rechnen und speichern").await;
    b.wait()
        .for_element(Locator::XPath("//h2[.='Summen je Säule']"))
        .await
        .unwrap();
    assert!(h1(&b).await.starts_with("Lauf 2026"), "{}", h1(&b).await);
    shoot(&b, "lauf").await;
    axe(&b, "/laeufe/…").await;
    let run_url = b.current_url().await.unwrap().to_string();

    // One Kita's explanation.
    let first = b
        .find(Locator::Css("table.kitas tbody tr th a"))
        .await
        .unwrap();
    let kita = first.text().await.unwrap();
    first.click().await.unwrap();
    assert_eq!(h1(&b).await, format!("Warum bekommt {kita} diesen Betrag?"));
    let text = body(&b).await;
    assert!(text.contains("Bedarfsindex") && text.contains("Die Säulen"));
    shoot(&b, "erklaerung").await;
    axe(&b, "/laeufe/…/kitas/…").await;

    // Compared with last year's plan, and downloaded.
    b.goto(&run_url).await.unwrap();
    click_text(&b, "Mit dem Vorjahresplan vergleichen").await;
    assert_eq!(h1(&b).await, "Was sich ändert");
    let text = body(&b).await;
    assert!(text.contains("Offizieller Plan 2025") && text.contains("Lauf 2026"));
    shoot(&b, "vergleich").await;
    axe(&b, "/vergleich").await;
    let href = b
        .find(Locator::XPath("//a[.='Vergleich als XLSX']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, _, disposition, bytes) = fetch(&b, &href).await;
    assert_eq!(status, 200);
    assert!(disposition.contains(".xlsx"), "{disposition}");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an XLSX");
    assert!(!book.sheet_names().is_empty());
    let _ = book.worksheet_range(&book.sheet_names()[0]).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    b.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ministry_follows_a_tile_of_the_state_map() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let email = app.person(Role::Ministry, None, "Ministerium").await;
    let b = open(&driver).await;
    sign_in(&b, &app, &email).await;
    visit(&b, &app, "/bezirke").await;
    assert!(h1(&b).await.starts_with("Landesmittel"));
    let tiles = b.find_all(Locator::Css(".tile-map svg a")).await.unwrap();
    assert_eq!(tiles.len(), 41, "every district a tile");
    shoot(&b, "landeskarte").await;
    axe(&b, "/bezirke").await;

    // Other parameters: computed, marked, nothing stored.
    b.find(Locator::Css("details summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(Locator::Id("grundbetrag"))
        .await
        .unwrap()
        .send_keys("60.000.000")
        .await
        .unwrap();
    click_text(&b, "Vorschlag rechnen").await;
    b.wait()
        .for_element(Locator::XPath(
            "//p[contains(., 'mit geänderten Parametern gerechnet')]",
        ))
        .await
        .unwrap();
    axe(&b, "/bezirke (Vorschlag)").await;

    // A tile is a link with the district's name, reached with the keyboard too.
    let tile = b
        .find(Locator::Css(".tile-map svg a[href='/bezirke/07111']"))
        .await
        .unwrap();
    let label = tile.attr("aria-label").await.unwrap().unwrap_or_default();
    assert!(label.starts_with("Stadt Koblenz: "), "{label}");
    b.execute(
        "arguments[0].focus();",
        vec![serde_json::to_value(&tile).unwrap()],
    )
    .await
    .unwrap();
    b.active_element()
        .await
        .unwrap()
        .send_keys(&fantoccini::key::Key::Enter.to_string())
        .await
        .unwrap();
    b.wait()
        .for_url(&app.url("/bezirke/07111").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(h1(&b).await, "Stadt Koblenz");
    b.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committee_paper_prints_on_a4() {
    let poppler = Command::new("pdfinfo").arg("-v").output().is_ok();
    if !poppler {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but pdfinfo (poppler-utils) is missing"
        );
        eprintln!("skipped: no pdfinfo (apt-get install poppler-utils)");
        return;
    }
    let Some((app, _driver)) = spawn().await else {
        return;
    };
    let plan = app
        .data(
            None,
            "{ officialPlan(districtAgs: \"07111\", year: 2025) { id budget allocated } }",
            json!({}),
        )
        .await["officialPlan"]
        .clone();
    let id = plan["id"].as_str().unwrap();
    let pdf = std::env::temp_dir().join(format!("srb-vorlage-{}.pdf", std::process::id()));
    let printed = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &app.url(&format!("/laeufe/{id}/druck")),
        ])
        .output()
        .expect("chromium");
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&printed.stderr));
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|p| p.trim().parse().ok())
        .unwrap();
    assert!(info.contains("(A4)"), "A4: {info}");
    // Key data, method, charts and the Kita table each start a page.
    assert!(pages >= 4, "{pages} pages");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let euro = |v: &Value| {
        let s = v.as_str().unwrap();
        let (int, frac) = s.split_once('.').unwrap_or((s, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(c);
        }
        format!("{grouped},{frac:0<2}")
    };
    for expected in [
        "Vorlage für den Jugendhilfeausschuss".to_owned(),
        euro(&plan["budget"]),
        euro(&plan["allocated"]),
        "Beträge je Kita".to_owned(),
        "Verfahren".to_owned(),
    ] {
        assert!(text.contains(&expected), "the paper holds „{expected}“");
    }
    // The table's header repeats on every page it covers.
    // pdftotext breaks the heading „Veränderung zum Vorjahr“ after „zum“.
    let headers = text.matches("Veränderung zum").count();
    assert!(headers >= 2, "header on each page of the table: {headers}");
    std::fs::remove_file(&pdf).ok();
    app.stop().await;
}
