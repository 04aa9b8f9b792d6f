//! Accounts, API tokens (stored as hashes) and failed logins.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::Result;

/// A sign-in key's state: failures since the last success, the earliest next attempt.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoginThrottle {
    pub failures: i64,
    pub blocked_until: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_user(
        &self,
        email: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
        role: Role,
        district_ags: Option<&str>,
    ) -> Result<User>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// The user owning a token with this hash that is neither revoked nor expired at `now`,
    /// with the token's last use.
    async fn user_by_token_hash(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Option<DateTime<Utc>>)>>;
    /// Notes that the token was used at `now`.
    async fn touch_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()>;
    /// Stores a new token's hash, valid until `expires_at`; returns the token's id.
    async fn create_token(
        &self,
        user_id: i64,
        token_hash: &str,
        label: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<i64>;
    /// Revokes the token; false when no valid token had this hash.
    async fn revoke_token(&self, token_hash: &str) -> Result<bool>;
    /// The user's tokens, newest first, revoked ones included.
    async fn tokens_of_user(&self, user_id: i64) -> Result<Vec<ApiToken>>;
    /// Revokes one of the user's own tokens by id; false when the user has no valid token with
    /// this id (someone else's token is never touched).
    async fn revoke_token_of_user(&self, user_id: i64, token_id: i64) -> Result<bool>;

    /// Starts a web session: stores the hash of its cookie secret.
    async fn create_web_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The user of a session that is neither revoked nor expired at `now`.
    async fn user_by_web_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>>;
    /// Ends a session; false when there was no open session with this hash.
    async fn revoke_web_session(&self, token_hash: &str) -> Result<bool>;

    /// The failures counted on a sign-in key and when the next attempt is heard.
    async fn login_throttle(&self, key: &str) -> Result<Option<LoginThrottle>>;
    /// Sets a key's count, only if it still has `expected` failures (`None`: no row yet):
    /// compare-and-set, so of parallel attempts each counts once. False when another attempt
    /// changed the key first.
    async fn set_login_throttle(
        &self,
        key: &str,
        expected: Option<i64>,
        next: &LoginThrottle,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Forgets the keys' failures (after a successful sign-in).
    async fn clear_login_throttle(&self, keys: &[String]) -> Result<()>;
    /// Forgets keys untouched since `before`; returns how many.
    async fn prune_login_throttle(&self, before: DateTime<Utc>) -> Result<u64>;
}
