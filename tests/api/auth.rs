//! Signing in: passwords, tokens, rate limiting, logout.

use serde_json::json;
use srb_storage::Role;
use srb_tests::{code, on_every_backend, TestApp};

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
    wrong_passwords_fail_alike_and_are_rate_limited,
);
