//! The web interface in a real browser (Chromium through chromedriver, both from Debian): the
//! flows people take, keyboard only where it matters, and axe-core on every page. Each main
//! page is saved as a screenshot in `$TMPDIR/srb-screens/` to look at.
//!
//! Without chromedriver (or axe-core, `npm ci` in `tests/browser`) these tests are skipped;
//! with `CI` set they must run.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use srb_storage::Role;
use srb_tests::{Db, TestApp, PASSWORD};

/// A chromedriver of this test, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn axe_source() -> Option<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// Starts chromedriver; `None` (skip) when it or axe-core is missing, except under CI.
pub(crate) async fn driver() -> Option<Driver> {
    let ci = std::env::var_os("CI").is_some();
    let binary = [
        "chromedriver",
        "/usr/bin/chromedriver",
        "/usr/lib/chromium/chromedriver",
    ]
    .into_iter()
    .find(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok()
    });
    let (Some(binary), Some(_)) = (binary, axe_source()) else {
        assert!(
            !ci,
            "CI is set but chromedriver or axe-core is missing: the browser tests must run"
        );
        eprintln!("skipped: no chromedriver or axe-core (npm ci in tests/browser)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Dropping the driver kills and reaps the process, also when it never comes up.
    let driver = Driver {
        child: Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

pub(crate) async fn open(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=de-DE"] }),
    );
    ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("connect to chromedriver")
}

fn screens() -> PathBuf {
    let dir = std::env::temp_dir().join("srb-screens");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn shoot(b: &Client, name: &str) {
    let png = b.screenshot().await.expect("screenshot");
    let path = screens().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

/// axe-core against the page: WCAG 2.0/2.1 A and AA rules, no violation allowed.
pub(crate) async fn axe(b: &Client, page: &str) {
    b.execute(&axe_source().unwrap(), vec![])
        .await
        .expect("inject axe");
    let result = b
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                 .then(r => done(r.violations.map(v => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html) }))))
                 .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));"#,
            vec![],
        )
        .await
        .expect("run axe");
    let violations = result.as_array().cloned().unwrap_or_default();
    assert!(
        violations.is_empty(),
        "{page}: {}",
        serde_json::to_string_pretty(&Value::Array(violations)).unwrap()
    );
}

pub(crate) async fn visit(b: &Client, app: &TestApp, path: &str) {
    b.goto(&app.url(path)).await.expect("goto");
}

pub(crate) async fn h1(b: &Client) -> String {
    b.find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn sign_in(b: &Client, app: &TestApp, email: &str) {
    visit(b, app, "/anmelden").await;
    b.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    b.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    b.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css("header .account a[href='/konto']"))
        .await
        .unwrap();
}

pub(crate) async fn spawn() -> Option<(TestApp, Driver)> {
    let driver = driver().await?;
    let app = TestApp::spawn(Db::Sqlite).await.expect("sqlite");
    app.seed_demo().await;
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    app.indexed().await;
    Some((app, driver))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_a_german_word_and_opening_the_hit() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let b = open(&driver).await;
    visit(&b, &app, "/").await;
    // Suggestions while typing come from what is public.
    b.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("Koordinat")
        .await
        .unwrap();
    let suggested = b
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("#q-vorschlaege option"))
        .await;
    assert!(suggested.is_ok(), "suggestions appear while typing");
    b.find(Locator::Id("q"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    // German word forms: the plural finds the singular in the workshop's contributions.
    b.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("Fachkräfte")
        .await
        .unwrap();
    b.find(Locator::Css("form.search button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css(".results li a"))
        .await
        .unwrap();
    assert!(h1(&b).await.contains("Fachkräfte"), "{}", h1(&b).await);
    let marked = b.find_all(Locator::Css(".results mark")).await.unwrap();
    assert!(!marked.is_empty(), "matches are marked");
    shoot(&b, "suche").await;
    axe(&b, "/suche").await;
    let hit = b.find(Locator::Css(".results li a")).await.unwrap();
    let title = hit.text().await.unwrap();
    hit.click().await.unwrap();
    b.wait().for_element(Locator::Css("h1")).await.unwrap();
    let page = b.source().await.unwrap();
    assert!(
        page.contains(title.trim_start_matches("Themenraum: ")) || h1(&b).await.contains(&title),
        "opened the hit {title}"
    );
    b.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_documentation_of_zwischenbilanz_ii() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let b = open(&driver).await;
    visit(&b, &app, "/workshops").await;
    b.find(Locator::XPath(
        "//main//a[contains(., 'Zwischenbilanz II')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    b.wait()
        .for_element(Locator::Css("table.agenda"))
        .await
        .unwrap();
    assert!(h1(&b).await.contains("Zwischenbilanz II"));
    let rows = b
        .find_all(Locator::Css("table.agenda tbody tr"))
        .await
        .unwrap();
    assert!(rows.len() >= 5, "the agenda: {} rows", rows.len());
    let rooms = b
        .find_all(Locator::XPath("//h2[starts-with(., 'Themenraum')]"))
        .await
        .unwrap();
    assert!(rooms.len() >= 3, "theme rooms: {}", rooms.len());
    let text = b
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Kita-Sozialarbeit"));
    shoot(&b, "workshop").await;
    axe(&b, "/workshops/…").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// The compare page's marks: `(marked on side A, marked on side B)` as `(text, mark)`.
async fn marks(b: &Client) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let read = |side: &'static str| async move {
        let mut out = Vec::new();
        for li in b
            .find_all(Locator::Css(&format!(
                "section[aria-labelledby=seite-{side}] li[class^=mark-]"
            )))
            .await
            .unwrap()
        {
            let mark = li
                .find(Locator::Css(".badge"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            out.push((li.text().await.unwrap(), mark));
        }
        out
    };
    (read("a").await, read("b").await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_forks_changes_two_tasks_and_compares() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let email = app
        .person(Role::Coordinator, Some("07315"), "Koordination Mainz")
        .await;
    let b = open(&driver).await;
    sign_in(&b, &app, &email).await;
    visit(&b, &app, "/profile?bezirk=07111").await;
    shoot(&b, "profile").await;
    axe(&b, "/profile").await;
    b.find(Locator::LinkText(
        "Kita-Sozialarbeit im Sozialraum (Beispiel)",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    b.wait()
        .for_element(Locator::Css("ol.tasks"))
        .await
        .unwrap();
    shoot(&b, "profil").await;
    axe(&b, "/profile/…").await;
    b.find(Locator::XPath("//button[.='In meinen Bezirk übernehmen']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("task-1")).await.unwrap();
    assert!(b
        .source()
        .await
        .unwrap()
        .contains("in Ihren Bezirk übernommen"));
    axe(&b, "/profile/…/bearbeiten").await;
    for (id, addition) in [
        ("task-1", " – in Mainz mit dem Familienzentrum"),
        ("task-3", " (zweimal im Jahr)"),
    ] {
        b.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(addition)
            .await
            .unwrap();
    }
    shoot(&b, "bearbeiten").await;
    b.find(Locator::XPath("//button[.='Speichern']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::LinkText("Mit dem Original vergleichen"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css(".side-by-side"))
        .await
        .unwrap();
    let summary = b
        .find(Locator::Css("p.summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(summary, "2 Aufgaben geändert, 0 neu, 0 entfallen.");
    let (a, bb) = marks(&b).await;
    assert_eq!(a.len(), 2, "{a:?}");
    assert_eq!(bb.len(), 2, "{bb:?}");
    assert!(bb.iter().all(|(_, m)| m == "geändert"));
    assert!(
        bb[0].0.ends_with("in Mainz mit dem Familienzentrum"),
        "{bb:?}"
    );
    assert!(bb[1].0.ends_with("(zweimal im Jahr)"), "{bb:?}");
    shoot(&b, "vergleich").await;
    axe(&b, "/profile/vergleich").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// Presses Tab until the focused element matches `css` (at most `limit` times); asserts the
/// focus is visible there.
async fn tab_to(b: &Client, css: &str, limit: usize) {
    for pressed in 0..=limit {
        let hit = b
            .execute(
                "return document.activeElement && document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .unwrap();
        if hit == json!(true) {
            let outline = b
                .execute(
                    "return getComputedStyle(document.activeElement).outlineStyle;",
                    vec![],
                )
                .await
                .unwrap();
            assert_ne!(outline, json!("none"), "visible focus on {css}");
            return;
        }
        if pressed == limit {
            break;
        }
        b.active_element()
            .await
            .unwrap()
            .send_keys(&Key::Tab.to_string())
            .await
            .unwrap();
    }
    panic!("{css} not reached with {limit} presses of Tab");
}

async fn press(b: &Client, keys: &str) {
    b.active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fork_flow_works_with_the_keyboard_only() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let email = app
        .person(Role::Coordinator, Some("07315"), "Koordination Mainz")
        .await;
    let b = open(&driver).await;
    visit(&b, &app, "/").await;
    // The skip link comes first.
    tab_to(&b, "a.skip", 1).await;
    tab_to(&b, "header .account a", 20).await;
    press(&b, &Key::Enter.to_string()).await;
    b.wait().for_element(Locator::Id("email")).await.unwrap();
    tab_to(&b, "#email", 30).await;
    press(&b, &email).await;
    tab_to(&b, "#password", 3).await;
    press(&b, PASSWORD).await;
    press(&b, &Key::Enter.to_string()).await;
    b.wait()
        .for_element(Locator::Css("header .account a[href='/konto']"))
        .await
        .unwrap();
    tab_to(&b, "nav a[href='/profile']", 30).await;
    press(&b, &Key::Enter.to_string()).await;
    b.wait().for_element(Locator::Css("table")).await.unwrap();
    tab_to(&b, "td a", 60).await;
    // To Koblenz's profile (the first published one of another district).
    let mut found = false;
    for _ in 0..20 {
        let text = b
            .execute("return document.activeElement.textContent;", vec![])
            .await
            .unwrap();
        if text == json!("Kita-Sozialarbeit im Sozialraum (Beispiel)") {
            found = true;
            break;
        }
        press(&b, &Key::Tab.to_string()).await;
    }
    assert!(found, "the profile is reachable by Tab");
    press(&b, &Key::Enter.to_string()).await;
    b.wait()
        .for_element(Locator::Css("ol.tasks"))
        .await
        .unwrap();
    tab_to(&b, "form[action$='/uebernehmen'] button", 40).await;
    press(&b, &Key::Enter.to_string()).await;
    b.wait().for_element(Locator::Id("task-1")).await.unwrap();
    tab_to(&b, "#task-1", 40).await;
    press(&b, " – mit der Tastatur geändert").await;
    tab_to(&b, "#task-2", 3).await;
    press(&b, " – auch diese").await;
    tab_to(&b, "form.stack button[type=submit]", 60).await;
    press(&b, &Key::Enter.to_string()).await;
    b.wait()
        .for_element(Locator::LinkText("Mit dem Original vergleichen"))
        .await
        .unwrap();
    tab_to(&b, "a[href^='/profile/vergleich']", 40).await;
    press(&b, &Key::Enter.to_string()).await;
    b.wait()
        .for_element(Locator::Css(".side-by-side"))
        .await
        .unwrap();
    let (_, changed) = marks(&b).await;
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(changed[0].0.ends_with("mit der Tastatur geändert"));
    b.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_browser_sees_a_new_contribution_appear() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let facilitator = app.person(Role::Facilitator, None, "Moderation").await;
    // A session of the public demo workshop.
    let data = app
        .data(
            None,
            r#"{ workshops(first: 10) { nodes { title sessions { id title kind } } } }"#,
            json!({}),
        )
        .await;
    let session = data["workshops"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| {
            w["title"]
                .as_str()
                .unwrap_or("")
                .contains("Zwischenbilanz II")
        })
        .unwrap()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "THEME_ROOM")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/mitschrift/{session}");

    let watcher = open(&driver).await;
    visit(&watcher, &app, &path).await;
    // The script connects; a marker shows the page is not reloaded.
    watcher
        .wait()
        .for_element(Locator::XPath(
            "//p[@id='live-status' and starts-with(., 'Live')]",
        ))
        .await
        .unwrap();
    watcher
        .execute("window.__noReload = true;", vec![])
        .await
        .unwrap();
    let before = watcher
        .find_all(Locator::Css("#beitraege li"))
        .await
        .unwrap()
        .len();
    axe(&watcher, "/mitschrift/…").await;

    let writer = open(&driver).await;
    sign_in(&writer, &app, &facilitator).await;
    visit(&writer, &app, &path).await;
    writer
        .find(Locator::Id("body"))
        .await
        .unwrap()
        .send_keys("Neu aus dem Themenraum: Elterncafé im Familienzentrum")
        .await
        .unwrap();
    shoot(&writer, "mitschrift").await;
    axe(&writer, "/mitschrift/… (Moderation)").await;
    writer
        .find(Locator::XPath("//button[.='Beitrag speichern']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let appeared = watcher
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//ol[@id='beitraege']/li[contains(., 'Elterncafé im Familienzentrum')]",
        ))
        .await;
    assert!(
        appeared.is_ok(),
        "the new contribution appears without reloading"
    );
    let after = watcher
        .find_all(Locator::Css("#beitraege li"))
        .await
        .unwrap();
    assert_eq!(after.len(), before + 1);
    let last = after.last().unwrap().text().await.unwrap();
    assert!(last.contains("Elterncafé"), "in order, at the end: {last}");
    assert_eq!(
        watcher
            .execute("return window.__noReload === true;", vec![])
            .await
            .unwrap(),
        json!(true)
    );
    watcher.close().await.unwrap();
    writer.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe() {
    let Some((app, driver)) = spawn().await else {
        return;
    };
    let coordinator = app
        .person(Role::Coordinator, Some("07111"), "Koordination Koblenz")
        .await;
    let b = open(&driver).await;
    let first = |path: &'static str, prefix: &'static str| {
        let b = &b;
        let app = &app;
        async move {
            visit(b, app, path).await;
            b.find(Locator::Css(&format!("main a[href^='{prefix}']")))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap()
                .unwrap()
        }
    };
    let workshop = first("/workshops", "/workshops/").await;
    let idea = first("/ideen", "/ideen/").await;
    let model = first("/kooperationen", "/kooperationen/").await;
    let profile = first("/profile", "/profile/").await;
    let pages: Vec<(String, &str)> = vec![
        ("/".into(), "start"),
        ("/suche?q=Kita-Sozialarbeit".into(), "suche-treffer"),
        ("/suche?q=xyzzyquux".into(), "suche-leer"),
        ("/workshops".into(), "workshops"),
        (workshop.clone(), "workshop-doku"),
        ("/profile".into(), "profile-liste"),
        (profile.clone(), "profil-gast"),
        ("/ideen".into(), "ideen"),
        (idea, "idee"),
        ("/kooperationen".into(), "kooperationen"),
        (model, "kooperation"),
        ("/anmelden".into(), "anmelden"),
        ("/gibt-es-nicht".into(), "404"),
    ];
    for (path, name) in &pages {
        visit(&b, &app, path).await;
        shoot(&b, name).await;
        axe(&b, path).await;
    }
    // The sign-in form with its errors.
    visit(&b, &app, "/anmelden").await;
    b.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    shoot(&b, "anmelden-fehler").await;
    axe(&b, "/anmelden (Fehler)").await;
    // Signed in: the account page and an edit form with errors.
    sign_in(&b, &app, &coordinator).await;
    for (path, name) in [
        ("/konto", "konto"),
        (profile.as_str(), "profil-koordination"),
    ] {
        visit(&b, &app, path).await;
        shoot(&b, name).await;
        axe(&b, path).await;
    }
    visit(&b, &app, &format!("{profile}/bearbeiten")).await;
    let title = b.find(Locator::Id("title")).await.unwrap();
    title.clear().await.unwrap();
    b.find(Locator::XPath("//button[.='Speichern']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    shoot(&b, "bearbeiten-fehler").await;
    axe(&b, "/profile/…/bearbeiten (Fehler)").await;
    // Text zoomed to 400 %: nothing needs sideways scrolling at 320 CSS pixels.
    b.set_window_size(320, 800).await.unwrap();
    for path in ["/", workshop.as_str(), "/profile"] {
        visit(&b, &app, path).await;
        let overflow = b
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap_or(0) <= 1,
            "{path} scrolls sideways at 320 px: {overflow}"
        );
    }
    shoot(&b, "start-320px").await;
    b.close().await.unwrap();
    app.stop().await;
}
