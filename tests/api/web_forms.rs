//! Signing in and out, forms and their protection, as a browser without JavaScript meets them:
//! cookie attributes, the sign-in round trip back to the page, an ended session, forms without
//! a valid token (403, nothing changed), errors next to the fields with the input kept (and
//! nothing stored), the account's API tokens, a German 403, the GraphQL explorer.

use srb_storage::Role;
use srb_tests::{on_every_backend, TestApp};

/// The first href on `page` that starts with `prefix` and is followed by `text`.
fn link_before(page: &str, prefix: &str, text: &str) -> Option<String> {
    let at = page.find(text)?;
    let head = &page[..at];
    let start = head.rfind(&format!(r#"href="{prefix}"#))? + 6;
    Some(head[start..].split('"').next()?.to_owned())
}

async fn koblenz_profile(app: &TestApp) -> String {
    let data = app
        .data(
            None,
            r#"{ roleProfiles(filter: { districtAgs: "07111" }, first: 10) { nodes { id title status } } }"#,
            serde_json::json!({}),
        )
        .await;
    data["roleProfiles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "PUBLISHED")
        .expect("a published profile of Koblenz")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn signing_in_and_out(app: &TestApp) {
    let email = app
        .person(Role::Coordinator, Some("07315"), "Frau Beispiel")
        .await;
    let mut browser = app.browser();

    // A page that needs an account sends a visitor to sign in, and back afterwards.
    let account = browser.get("/konto").await;
    assert_eq!(account.status, 303);
    assert_eq!(account.location(), "/anmelden?weiter=%2Fkonto");

    let form = browser.get("/anmelden?weiter=%2Fkonto").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"<label for="email">E-Mail-Adresse"#));
    assert!(form.body.contains(r#"autocomplete="current-password""#));
    let form_cookie = form
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("srb_formular="))
        .expect("a form cookie");
    assert!(form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Lax"));

    // A wrong password: said in German, next to the field, the address kept.
    let wrong = browser
        .post(
            "/anmelden",
            &[
                ("token", &form.form_token()),
                ("weiter", "/konto"),
                ("email", &email),
                ("password", "falsch"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong
        .body
        .contains("E-Mail-Adresse oder Passwort ist falsch."));
    assert!(
        wrong.body.contains(r##"<a href="#email">"##),
        "summary links to the field"
    );
    assert!(wrong.body.contains(&format!(r#"value="{email}""#)));
    assert!(!browser.cookies.contains_key("srb_sitzung"));

    let signed_in = browser.sign_in(&email, "/konto").await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.location(), "/konto");
    let session_cookie = signed_in
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("srb_sitzung="))
        .expect("a session cookie");
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    assert!(session_cookie.contains("SameSite=Lax"), "{session_cookie}");
    assert!(session_cookie.contains("Path=/"), "{session_cookie}");
    assert!(
        !session_cookie.contains("Secure"),
        "plain HTTP: {session_cookie}"
    );
    let page = browser.get("/konto").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Konto: Frau Beispiel"));
    assert!(page.body.contains("Koordination"));
    assert!(page.body.contains("Landkreis Mainz-Bingen") || page.body.contains("Mainz"));

    // Signing out ends the session on the server: the old cookie no longer counts.
    let secret = browser.cookies["srb_sitzung"].clone();
    let out = browser
        .post("/abmelden", &[("token", &page.form_token())])
        .await;
    assert_eq!(out.status, 303);
    assert!(!browser.cookies.contains_key("srb_sitzung"));
    let mut replay = app.browser();
    replay.cookies.insert("srb_sitzung".into(), secret);
    let again = replay.get("/konto").await;
    assert_eq!(again.status, 303, "an ended session is no session");
    assert!(again.location().starts_with("/anmelden?weiter=%2Fkonto"));
}

async fn session_cookie_is_secure_behind_tls(app: &TestApp) {
    let email = app.person(Role::Facilitator, None, "Moderation").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(app.url("/anmelden"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    let body = form.text().await.unwrap();
    let token = body
        .split(r#"name="token" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let r = client
        .post(app.url("/anmelden"))
        .header("x-forwarded-proto", "https")
        .header("cookie", cookie.split(';').next().unwrap())
        .form(&[
            ("token", token),
            ("weiter", "/"),
            ("email", &email),
            ("password", srb_tests::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("srb_sitzung="))
        .unwrap();
    assert!(session.contains("Secure"), "{session}");
}

async fn an_expired_session_signs_in_again_and_returns(app: &TestApp) {
    app.seed_demo().await;
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    let email = app
        .person(Role::Coordinator, Some("07315"), "Koordination")
        .await;
    let user = app.storage.user_by_email(&email).await.unwrap().unwrap();
    // A session that ran out an hour ago.
    let (secret, hash) = srb_app::accounts::new_secret("srbs_");
    app.storage
        .create_web_session(
            user.id,
            &hash,
            chrono::Utc::now() - chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    let mut browser = app.browser();
    browser.cookies.insert("srb_sitzung".into(), secret);
    let profile = koblenz_profile(app).await;
    // A form sent with the ended session: to sign-in, then back to the page of the form.
    let fork = browser
        .post(
            &format!("/profile/{profile}/uebernehmen"),
            &[("token", "x")],
        )
        .await;
    assert_eq!(fork.status, 303);
    assert_eq!(
        fork.location(),
        format!("/anmelden?weiter=%2Fprofile%2F{profile}&abgelaufen=1")
    );
    let edit = browser.get("/konto").await;
    assert_eq!(edit.status, 303);
    assert_eq!(edit.location(), "/anmelden?weiter=%2Fkonto&abgelaufen=1");
    let form = browser.get(edit.location()).await;
    assert!(form.body.contains("Ihre Sitzung ist abgelaufen"));
    assert!(form.body.contains(r#"name="weiter" value="/konto""#));
    let back = browser
        .sign_in(&email, &format!("/profile/{profile}"))
        .await;
    assert_eq!(back.location(), format!("/profile/{profile}"));
    // Only a path of this site is a place to return to.
    let mut other = app.browser();
    let away = other.sign_in(&email, "//evil.example/").await;
    assert_eq!(away.location(), "/");
}

async fn forms_without_a_valid_token_change_nothing(app: &TestApp) {
    app.seed_demo().await;
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    let email = app
        .person(Role::Coordinator, Some("07315"), "Koordination")
        .await;
    let mut browser = app.browser();
    browser.sign_in(&email, "/").await;
    let profile = koblenz_profile(app).await;
    let mut other = app.browser();
    other.sign_in(&email, "/").await;
    let foreign = other.get("/konto").await.form_token();
    let before = app.audit_count().await;
    for token in [
        "",
        "falsch",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let fork = browser
            .post(
                &format!("/profile/{profile}/uebernehmen"),
                &[("token", token)],
            )
            .await;
        assert_eq!(fork.status, 403, "token {token:?}");
        assert!(fork.body.contains("Das ist nicht erlaubt"), "German 403");
        assert!(fork.body.contains(r#"<html lang="de">"#));
        let token_form = browser
            .post("/konto/tokens", &[("token", token), ("label", "Skript")])
            .await;
        assert_eq!(token_form.status, 403);
    }
    // Another browser's token does not fit this browser's session.
    let cross = browser
        .post(
            &format!("/profile/{profile}/uebernehmen"),
            &[("token", &foreign)],
        )
        .await;
    assert_eq!(cross.status, 403);
    assert_eq!(app.audit_count().await, before, "nothing was written");
}

async fn the_edit_form_shows_errors_and_keeps_the_input(app: &TestApp) {
    app.seed_demo().await;
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    let email = app
        .person(Role::Coordinator, Some("07315"), "Koordination")
        .await;
    let mut browser = app.browser();
    browser.sign_in(&email, "/").await;
    let profile = koblenz_profile(app).await;
    let page = browser.get(&format!("/profile/{profile}")).await;
    assert!(page.body.contains("In meinen Bezirk übernehmen"));
    let forked = browser
        .post(
            &format!("/profile/{profile}/uebernehmen"),
            &[("token", &page.form_token())],
        )
        .await;
    assert_eq!(forked.status, 303);
    let edit_path = forked.location().split('?').next().unwrap().to_owned();
    assert!(edit_path.ends_with("/bearbeiten"), "{edit_path}");
    let form = browser.get(forked.location()).await;
    assert!(form.body.contains("in Ihren Bezirk übernommen"));
    let audit = app.audit_count().await;

    // Missing title and a task far too long: both named at once, next to the fields and in
    // the summary, with what was typed kept.
    let version = form
        .body
        .split(r#"name="version" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let mut fields = vec![
        ("token", form.form_token()),
        ("version", version.clone()),
        ("title", "   ".to_owned()),
        ("role", "KITA_SOZIALARBEIT".to_owned()),
        ("task_key", String::new()),
        ("task_text", "x".repeat(5_000)),
        ("task_key", String::new()),
        ("task_text", "Neue Aufgabe mit Absicht".to_owned()),
        ("fte", "0,5".to_owned()),
        ("publication", "REGISTERED".to_owned()),
        ("status", "DRAFT".to_owned()),
    ];
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = browser.post(&edit_path, &refs).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(r#"class="error-summary""#));
    assert!(
        bad.body
            .contains(r##"<a href="#title">Der Titel darf nicht leer"##),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"id="title-fehler""#));
    assert!(bad.body.contains(r##"<a href="#task-1">"##), "{}", bad.body);
    assert!(bad.body.contains(r#"id="task-1-fehler""#));
    assert!(bad.body.contains(r#"aria-invalid="true""#));
    assert!(
        bad.body.contains(r#"value="Neue Aufgabe mit Absicht""#),
        "input kept"
    );
    assert!(bad.body.contains(r#"value="0,5""#), "input kept");
    assert!(bad.body.starts_with("<!DOCTYPE html>"));
    assert_eq!(app.audit_count().await, audit, "nothing stored");

    // A number the form cannot read: said next to the field, nothing sent.
    fields[2].1 = "Kita-Sozialarbeit Mainz".into();
    fields[5].1 = "Beratung in der Kita".into();
    fields[8].1 = "ein halb".into();
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let unreadable = browser.post(&edit_path, &refs).await;
    assert_eq!(unreadable.status, 422);
    assert!(
        unreadable.body.contains(r##"<a href="#fte">"##),
        "{}",
        unreadable.body
    );
    assert!(unreadable.body.contains(r#"value="ein halb""#));
    assert_eq!(app.audit_count().await, audit, "nothing stored");
    fields[8].1 = "0,5".into();

    // Corrected, it saves as a new revision.
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = browser.post(&edit_path, &refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let shown = browser.get(saved.location()).await;
    assert!(shown.body.contains("Kita-Sozialarbeit Mainz"));
    assert!(shown.body.contains("Neue Aufgabe mit Absicht"));
    assert!(shown.body.contains("0,5 VZÄ"));

    // Someone else's district: no edit form.
    let others = browser
        .get(&format!(
            "{}/bearbeiten",
            format_args!("/profile/{profile}")
        ))
        .await;
    assert_eq!(others.status, 403);
    assert!(others
        .body
        .contains("Dieses Profil kann nur sein Bezirk bearbeiten"));
}

async fn the_account_creates_and_revokes_api_tokens(app: &TestApp) {
    let email = app.person(Role::Ministry, None, "Ministerium").await;
    let mut browser = app.browser();
    browser.sign_in(&email, "/konto").await;
    let page = browser.get("/konto").await;
    assert_eq!(page.headers["cache-control"], "no-store");
    let empty = browser
        .post(
            "/konto/tokens",
            &[("token", &page.form_token()), ("label", " ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Bitte eine Bezeichnung angeben."));
    let created = browser
        .post(
            "/konto/tokens",
            &[
                ("token", &page.form_token()),
                ("label", "Monitoring-Skript"),
            ],
        )
        .await;
    assert_eq!(created.status, 200);
    let secret = created
        .body
        .split(r#"<code class="secret">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("srb_"));
    // The token works for the API, as this account.
    let me = app
        .data(Some(&secret), "{ me { email } }", serde_json::json!({}))
        .await;
    assert_eq!(me["me"]["email"], email.as_str());
    // Shown once: the account page lists it without the secret.
    let listed = browser.get("/konto").await;
    assert!(listed.body.contains("Monitoring-Skript"));
    assert!(!listed.body.contains(&secret));
    let id = listed
        .body
        .split(r#"name="id" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let revoked = browser
        .post(
            "/konto/tokens/widerrufen",
            &[("token", &listed.form_token()), ("id", &id)],
        )
        .await;
    assert_eq!(revoked.status, 303);
    assert!(browser.get("/konto").await.body.contains("widerrufen am"));
    let (status, _) = app
        .gql_status(Some(&secret), "{ me { email } }", serde_json::json!({}))
        .await;
    assert_eq!(status, 401, "a revoked token stops working at once");
    // Someone else's token cannot be revoked through the API.
    let (other, _) = app.account(Role::Facilitator, None).await;
    let (_, body) = app
        .gql_status(
            Some(&other),
            "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            serde_json::json!({ "id": id }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

async fn the_explorer_is_served_by_the_binary(app: &TestApp) {
    let r = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="de">"#));
    assert!(!page.contains("https://"), "no CDN: {page}");
    let scripts: Vec<&str> = page
        .split(r#"src=""#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(scripts.len(), 4, "{scripts:?}");
    for src in scripts {
        let a = app.client.get(app.url(src)).send().await.unwrap();
        assert_eq!(a.status(), 200, "{src}");
        assert!(a.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript"));
        assert!(a.bytes().await.unwrap().len() > 100, "{src}");
    }
    // API clients still get GraphQL.
    let (status, _) = app
        .gql_status(None, "{ districts { ags } }", serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
    // The explorer's introspection query (graphql-js, nine levels of ofType) is allowed.
    let mut type_ref = String::from("kind name");
    for _ in 0..8 {
        type_ref = format!("kind name ofType {{ {type_ref} }}");
    }
    let q =
        format!("{{ __schema {{ types {{ name fields {{ name type {{ {type_ref} }} }} }} }} }}");
    let (status, body) = app.gql_status(None, &q, serde_json::json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
}

async fn links_on_profile_pages_lead_somewhere(app: &TestApp) {
    app.seed_demo().await;
    srb_server::demo_knowledge::seed(app.storage.as_ref())
        .await
        .unwrap();
    let mut browser = app.browser();
    let list = browser.get("/profile").await;
    assert_eq!(list.status, 200);
    let href = link_before(&list.body, "/profile/", "Kita-Sozialarbeit im Sozialraum").unwrap();
    let page = browser.get(&href).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Zum Übernehmen in Ihren Bezirk bitte"));
    let filtered = browser.get("/profile?bezirk=07315&rolle=&status=").await;
    assert!(!filtered.body.contains("Kita-Sozialarbeit im Sozialraum"));
    assert_eq!(browser.get("/profile/kaputt").await.status, 404);
    assert_eq!(browser.get("/ideen/kaputt").await.status, 404);
    let models = browser.get("/kooperationen").await;
    let model = models
        .body
        .split(r#"href="/kooperationen/"#)
        .nth(1)
        .map(|s| format!("/kooperationen/{}", s.split('"').next().unwrap()))
        .unwrap();
    let m = browser.get(&model).await;
    assert_eq!(m.status, 200);
    for row in [
        "Anstellung",
        "Dienstaufsicht",
        "Fachaufsicht",
        "Personalkosten",
    ] {
        assert!(
            m.body.contains(&format!(r#"<th scope="row">{row}</th>"#)),
            "{row}"
        );
    }
}

on_every_backend!(
    signing_in_and_out,
    session_cookie_is_secure_behind_tls,
    an_expired_session_signs_in_again_and_returns,
    forms_without_a_valid_token_change_nothing,
    the_edit_form_shows_errors_and_keeps_the_input,
    the_account_creates_and_revokes_api_tokens,
    the_explorer_is_served_by_the_binary,
    links_on_profile_pages_lead_somewhere,
);
