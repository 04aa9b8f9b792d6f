//! Accounts, API tokens (stored as hashes) and failed logins.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::Result;

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
    /// The user owning a valid (unrevoked) token with this hash.
    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>>;
    /// Stores a new token's hash; returns the token's id.
    async fn create_token(&self, user_id: i64, token_hash: &str, label: &str) -> Result<i64>;
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

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> Result<()>;
    async fn login_failures_since(&self, email: &str, since: DateTime<Utc>) -> Result<i64>;
    async fn clear_login_failures(&self, email: &str) -> Result<()>;
}
