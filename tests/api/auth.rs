//! Signing in: passwords, tokens, rate limiting, logout.

use serde_json::json;
use srb_storage::Role;
use srb_tests::{code, on_every_backend, Db, TestApp};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { email role district { ags } } } }";
const PASSWORD: &str = "ein-langes-passwort";

async fn with_account(app: &TestApp) {
    let hash = srb_app::accounts::hash_password(PASSWORD).unwrap();
    app.storage
        .create_user(
            "koordination@koblenz.example",
            Some("Koordination"),
            Some(&hash),
            Role::Coordinator,
            Some("07111"),
        )
        .await
        .unwrap();
}

async fn login_gives_a_working_token_and_logout_revokes_it(app: &TestApp) {
    with_account(app).await;
    // E-mail addresses are compared without case and surrounding space.
    let data = app
        .data(
            None,
            LOGIN,
            json!({ "e": " Koordination@Koblenz.example ", "p": PASSWORD }),
        )
        .await;
    let token = data["login"]["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("srb_"));
    assert_eq!(data["login"]["user"]["role"], "COORDINATOR");
    assert_eq!(data["login"]["user"]["district"]["ags"], "07111");
    let me = app.data(Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(me["me"]["email"], "koordination@koblenz.example");
    assert!(app.data(None, "{ me { email } }", json!({})).await["me"].is_null());

    assert_eq!(
        app.data(Some(&token), "mutation { logout }", json!({}))
            .await["logout"],
        true
    );
    let (status, body) = app
        .gql_status(Some(&token), "{ me { email } }", json!({}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

async fn wrong_passwords_fail_alike_and_are_rate_limited(app: &TestApp) {
    with_account(app).await;
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "e": "niemand@example.org", "p": PASSWORD }),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let wrong = app
        .gql(
            None,
            LOGIN,
            json!({ "e": "koordination@koblenz.example", "p": "falsch" }),
        )
        .await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"], body["errors"][0]["message"],
        "no hint whether the address exists"
    );
    for _ in 0..4 {
        app.gql(
            None,
            LOGIN,
            json!({ "e": "koordination@koblenz.example", "p": "falsch" }),
        )
        .await;
    }
    // Five failures: now even the right password is refused for a while.
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "e": "koordination@koblenz.example", "p": PASSWORD }),
        )
        .await;
    assert_eq!(code(&body), "RATE_LIMITED");
    // Other accounts are not affected.
    let hash = srb_app::accounts::hash_password(PASSWORD).unwrap();
    app.storage
        .create_user(
            "ministerium@rlp.example",
            None,
            Some(&hash),
            Role::Ministry,
            None,
        )
        .await
        .unwrap();
    app.data(
        None,
        LOGIN,
        json!({ "e": "ministerium@rlp.example", "p": PASSWORD }),
    )
    .await;
}

on_every_backend!(
    login_gives_a_working_token_and_logout_revokes_it,
    tokens_expire_and_show_their_last_use,
    wrong_passwords_fail_alike_and_are_rate_limited,
);

/// A login from a given address (the server trusts one proxy, so `X-Forwarded-For` counts).
async fn login_from(app: &TestApp, addr: &str, email: &str, password: &str) -> serde_json::Value {
    app.client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", addr)
        .json(&json!({ "query": LOGIN, "variables": { "e": email, "p": password } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn behind_a_proxy(db: Db) -> Option<TestApp> {
    TestApp::spawn_with(db, |c| c.proxy_hops = 1).await
}

/// The limit used to count per e-mail address only: anyone could lock anyone out. Now a
/// guesser's own address waits, and the owner signs in from theirs.
async fn a_guesser_cannot_lock_the_owner_out(db: Db) {
    let Some(app) = behind_a_proxy(db).await else {
        return;
    };
    with_account(&app).await;
    let email = "koordination@koblenz.example";
    for _ in 0..5 {
        let body = login_from(&app, "203.0.113.66", email, "falsch").await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body:#}");
    }
    let body = login_from(&app, "203.0.113.66", email, PASSWORD).await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body:#}");
    let wait = body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_i64()
        .unwrap();
    assert!((1..=30).contains(&wait), "{body:#}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Sekunden"),
        "{body:#}"
    );
    // The owner, from the office:
    let body = login_from(&app, "198.51.100.20", email, PASSWORD).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body:#}");
    app.stop().await;
}

/// The limit was checked, then recorded, in two steps: parallel attempts all got past it.
/// Now each attempt counts before its password is checked, so of 24 parallel guesses exactly
/// the five free ones are heard.
async fn parallel_guesses_get_only_the_free_attempts(db: Db) {
    let Some(app) = behind_a_proxy(db).await else {
        return;
    };
    with_account(&app).await;
    let guesses = (0..24).map(|i| {
        let app = &app;
        async move {
            let body = login_from(
                app,
                "203.0.113.77",
                "koordination@koblenz.example",
                &format!("falsch-{i}"),
            )
            .await;
            code(&body).to_owned()
        }
    });
    let codes = futures_util::future::join_all(guesses).await;
    let heard = codes.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    let refused = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!((heard, refused), (5, 19), "{codes:?}");
    app.stop().await;
}

/// Failed sign-ins are forgotten after a day: the table does not grow without end.
async fn old_sign_in_failures_are_pruned(db: Db) {
    let Some(app) = behind_a_proxy(db).await else {
        return;
    };
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(25);
    let old = srb_storage::LoginThrottle {
        failures: 3,
        blocked_until: None,
    };
    assert!(app
        .storage
        .set_login_throttle("account:alt@example.org", None, &old, long_ago)
        .await
        .unwrap());
    login_from(&app, "203.0.113.5", "jemand@example.org", "x").await;
    assert_eq!(
        app.storage
            .login_throttle("account:alt@example.org")
            .await
            .unwrap(),
        None
    );
    assert!(app
        .storage
        .login_throttle("account:jemand@example.org")
        .await
        .unwrap()
        .is_some());
    app.stop().await;
}

srb_tests::on_both_backends!(
    a_guesser_cannot_lock_the_owner_out,
    parallel_guesses_get_only_the_free_attempts,
    old_sign_in_failures_are_pruned,
);

/// Tokens lived until revoked and nobody could tell an unused one. Now each has an expiry
/// (1 to 365 days, 90 unless asked) and shows its last use; an expired token signs in no more.
async fn tokens_expire_and_show_their_last_use(app: &TestApp) {
    let (owner, user_id) = app.account(Role::Coordinator, Some("07111")).await;
    let body = app
        .gql(
            Some(&owner),
            "mutation { createApiToken(label: \"Skript\", expiresInDays: 400) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "expiresInDays");

    let created = app
        .data(
            Some(&owner),
            "mutation { createApiToken(label: \"Skript\", expiresInDays: 7) { token apiToken { expiresAt lastUsedAt } } }",
            json!({}),
        )
        .await;
    let token = created["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let expires: chrono::DateTime<chrono::Utc> = created["createApiToken"]["apiToken"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((6.9..=7.0).contains(&days), "{days}");
    assert!(created["createApiToken"]["apiToken"]["lastUsedAt"].is_null());

    app.data(Some(&token), "{ me { email } }", json!({})).await;
    let me = app
        .data(
            Some(&owner),
            "{ me { apiTokens { label lastUsedAt } } }",
            json!({}),
        )
        .await;
    let script = me["me"]["apiTokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "Skript")
        .unwrap()
        .clone();
    assert!(script["lastUsedAt"].is_string(), "{me:#}");

    // A token past its expiry is refused like a revoked one.
    let (old, hash) = srb_app::accounts::new_token();
    app.storage
        .create_token(
            user_id,
            &hash,
            "alt",
            chrono::Utc::now() - chrono::Duration::minutes(1),
        )
        .await
        .unwrap();
    let (status, body) = app
        .gql_status(Some(&old), "{ me { email } }", json!({}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
}
