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
    async fn create_token(&self, user_id: i64, token_hash: &str, label: &str) -> Result<()>;
    /// Revokes the token; false when no valid token had this hash.
    async fn revoke_token(&self, token_hash: &str) -> Result<bool>;

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> Result<()>;
    async fn login_failures_since(&self, email: &str, since: DateTime<Utc>) -> Result<i64>;
    async fn clear_login_failures(&self, email: &str) -> Result<()>;
}
