//! The web pages as a visitor without an account gets them: German HTML with landmarks and one
//! `h1`, the demo workshop's documentation, search results with the matched words marked and
//! facets as links, a German 404, markup in contributions rendered harmless, the stylesheet
//! under a hashed name with long caching. (Browser flows and the accessibility audit follow with
//! the browser rig.)

use srb_tests::{on_every_backend, TestApp};

async fn get(app: &TestApp, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.unwrap(), headers)
}

/// The frame every page keeps: language, skip link, landmarks, exactly one h1.
fn assert_frame(html: &str, path: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
    assert!(html.contains(r#"<html lang="de">"#), "{path}");
    assert!(
        html.contains(r##"<a class="skip" href="#inhalt">Zum Inhalt springen</a>"##),
        "{path}"
    );
    assert!(html.contains(r#"<main id="inhalt""#), "{path}");
    assert!(
        html.contains(r#"<nav aria-label="Hauptnavigation">"#),
        "{path}"
    );
    assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
}

async fn a_visitor_reads_the_platform(app: &TestApp) {
    app.seed_demo().await;
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    app.indexed().await;

    let (status, start, headers) = get(app, "/").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_frame(&start, "/");
    assert!(start.contains("Zwischenbilanz II"), "the newest workshop");
    assert!(start.contains("Stadt Koblenz") && start.contains("Landkreis Mainz-Bingen"));
    assert_eq!(
        start.matches(r#"href="/suche?bezirk="#).count(),
        41,
        "the 41 districts"
    );
    assert!(start.contains(r#"<label for="q">Suchbegriff</label>"#));

    // The stylesheet: served by the binary, under a name that changes with it.
    let css = start
        .split(r#"rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert!(
        css.starts_with("/assets/srb-") && css.ends_with(".css"),
        "{css}"
    );
    let (status, body, headers) = get(app, &css).await;
    assert_eq!(status, 200);
    assert!(body.contains(":focus-visible"));
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(get(app, "/assets/srb-0000.css").await.0, 404);

    // The workshop's documentation: agenda, theme rooms, contributions by kind.
    let (_, list, _) = get(app, "/workshops").await;
    assert_frame(&list, "/workshops");
    let link = list
        .split(r#"href="/workshops/"#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (status, doc, _) = get(app, &format!("/workshops/{link}")).await;
    assert_eq!(status, 200);
    assert_frame(&doc, "workshop");
    assert!(doc.contains("<h1>Zwischenbilanz II"), "the title is the h1");
    assert!(doc.contains("Programm") && doc.contains(r#"<table class="agenda">"#));
    assert!(doc.contains("Themenraum: "));
    assert!(doc.contains("Moderation"));
    assert!(!doc.contains("<script"), "no script in the documentation");

    // Search: a German word, matched words marked, facets as links with counts.
    let (status, hits, _) = get(app, "/suche?q=Fachkr%C3%A4fte").await;
    assert_eq!(status, 200);
    assert_frame(&hits, "search");
    assert!(hits.contains("<h1>Suche nach „Fachkräfte“</h1>"));
    assert!(hits.contains("<mark>"), "matched words are marked");
    assert!(
        hits.contains(r#"href="/suche?q=Fachkr%C3%A4fte&amp;art=ROLE_PROFILE""#),
        "kind facet"
    );
    assert!(
        hits.contains("Aufgabenprofil</a> ("),
        "facet with its count"
    );
    let (_, filtered, _) = get(app, "/suche?q=Fachkr%C3%A4fte&art=ROLE_PROFILE").await;
    assert!(filtered.contains(r#"aria-current="true""#));
    assert!(!filtered.contains("Diskussionsbeitrag –"), "only profiles");

    // Nothing found says what to try; too long a query is refused in German.
    let (status, none, _) = get(app, "/suche?q=Xylophonorchesterprobe").await;
    assert_eq!(status, 200);
    assert!(none.contains("Nichts gefunden.") && none.contains("Schreibweise"));
    let long = "a".repeat(600);
    let (status, refused, _) = get(app, &format!("/suche?q={long}")).await;
    assert_eq!(status, 400);
    assert_frame(&refused, "refused");
    assert!(refused.contains("Eingabe nicht verstanden"));

    // Unknown pages and records: the German 404.
    for path in [
        "/gibt-es-nicht",
        "/workshops/V29ya3Nob3A6OTk5OTk",
        "/workshops/kaputt",
    ] {
        let (status, body, _) = get(app, path).await;
        assert_eq!(status, 404, "{path}");
        assert_frame(&body, path);
        assert!(body.contains("Diese Seite gibt es nicht"), "{path}");
    }
}

/// Markup typed into a contribution arrives as text, never as markup of the page.
async fn markup_in_contributions_is_harmless(app: &TestApp) {
    let facilitator = app.token_for(srb_storage::Role::Facilitator, None).await;
    let w = app
        .data(
            Some(&facilitator),
            r#"mutation { createWorkshop(input: { title: "Offene Runde", heldOn: "2026-11-24", format: ONLINE, publication: PUBLIC }) { id } }"#,
            serde_json::json!({}),
        )
        .await["createWorkshop"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = app
        .data(
            Some(&facilitator),
            r#"mutation($w: ID!) { createWorkshopSession(input: { workshopId: $w, kind: THEME_ROOM, title: "Raum 1" }) { id } }"#,
            serde_json::json!({ "w": w }),
        )
        .await["createWorkshopSession"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.data(
        Some(&facilitator),
        r#"mutation($s: ID!) { addContribution(input: { sessionId: $s, kind: IDEA, body: "**fett** <script>alert(1)</script> <img src=x onerror=alert(2)>" }) { id } }"#,
        serde_json::json!({ "s": s }),
    )
    .await;
    let (status, page, _) = get(app, &format!("/workshops/{w}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("onerror"), "{page}");
    assert!(
        page.contains("<strong>fett</strong>"),
        "Markdown is rendered"
    );
}

on_every_backend!(
    a_visitor_reads_the_platform,
    markup_in_contributions_is_harmless
);
