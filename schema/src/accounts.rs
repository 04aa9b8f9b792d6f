//! Accounts: who is signed in (`me`), signing in and out, API tokens.

use async_graphql::{Context, Object, SimpleObject};
use chrono::Utc;

use crate::auth::{new_token, normalize_email, verify_password};
use crate::error::{error, Code, OrGqlError};
use crate::guard::RoleGuard;
use crate::records::User;
use crate::{ctx_storage, ctx_viewer};

/// Failed logins of one address within `LOGIN_WINDOW_MINUTES` before further attempts are
/// refused. Counted in the database, so it holds across several server instances.
pub const LOGIN_MAX_FAILURES: i64 = 5;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Das angemeldete Konto; leer ohne Anmeldung.
    async fn me(&self, ctx: &Context<'_>) -> Option<User> {
        ctx_viewer(ctx).user.as_deref().cloned().map(User::from)
    }
}

/// Ergebnis einer Anmeldung: das API-Token wird nur dieses eine Mal gezeigt.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Als `Authorization: Bearer <token>` mitsenden.
    pub token: String,
    pub user: User,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Anmeldung mit E-Mail-Adresse und Passwort. Nach wiederholten Fehlversuchen wird die
    /// Adresse für eine Weile gesperrt (RATE_LIMITED).
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let storage = ctx_storage(ctx);
        let email = normalize_email(&email);
        let now = Utc::now();
        let since = now - chrono::Duration::minutes(LOGIN_WINDOW_MINUTES);
        if storage.login_failures_since(&email, since).await.gql()? >= LOGIN_MAX_FAILURES {
            return Err(error(
                Code::RateLimited,
                format!(
                    "Zu viele fehlgeschlagene Anmeldungen. Bitte in {LOGIN_WINDOW_MINUTES} Minuten erneut versuchen."
                ),
            ));
        }
        let user = storage.user_by_email(&email).await.gql()?;
        let stored = user.as_ref().and_then(|u| u.password_hash.clone());
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
            .await
            .map_err(crate::error::internal)?;
        let user = match (ok, user) {
            (true, Some(user)) => user,
            _ => {
                storage.record_login_failure(&email, now).await.gql()?;
                return Err(error(
                    Code::Unauthenticated,
                    "E-Mail-Adresse oder Passwort ist falsch.",
                ));
            }
        };
        storage.clear_login_failures(&email).await.gql()?;
        let (token, hash) = new_token();
        storage
            .create_token(
                user.id,
                &hash,
                &format!("Anmeldung {}", now.format("%Y-%m-%d %H:%M")),
            )
            .await
            .gql()?;
        Ok(LoginPayload {
            token,
            user: user.into(),
        })
    }

    /// Widerruft das Token, mit dem diese Anfrage kam.
    #[graphql(guard = "RoleGuard::signed_in()")]
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        match &ctx_viewer(ctx).token_hash {
            Some(hash) => ctx_storage(ctx).revoke_token(hash).await.gql(),
            None => Ok(false),
        }
    }
}
