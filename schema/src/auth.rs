//! Who is asking, and what they may do. Passwords: argon2id. API tokens: 32 random bytes, shown
//! once, stored as their SHA-256 (a fast hash is right for a high-entropy secret).

use srb_storage::{Role, User};
use std::sync::Arc;

use crate::error::{forbidden, unauthenticated};

/// The caller of one request. Built per request from the `Authorization` header; nothing of it is
/// kept in process memory between requests.
#[derive(Clone, Default)]
pub struct Viewer {
    pub user: Option<Arc<User>>,
    /// SHA-256 of the bearer token the request came with, so `logout` can revoke it.
    pub token_hash: Option<String>,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn user(user: User, token_hash: Option<String>) -> Self {
        Self {
            user: Some(Arc::new(user)),
            token_hash,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }

    pub fn require_user(&self) -> async_graphql::Result<&User> {
        self.user.as_deref().ok_or_else(unauthenticated)
    }

    /// The reader as the access rules see it (`srb_domain::Reader`).
    pub fn reader(&self) -> srb_domain::Reader {
        match &self.user {
            Some(u) => srb_domain::Reader::account(u.role, u.district_ags.clone()),
            None => srb_domain::Reader::anonymous(),
        }
    }

    /// Admins write everywhere; coordinators only in their own district.
    pub fn can_write_district(&self, ags: &str) -> bool {
        self.reader().can_write_district(ags)
    }

    pub fn require_district_writer(&self, ags: &str) -> async_graphql::Result<&User> {
        let user = self.require_user()?;
        if self.can_write_district(ags) {
            Ok(user)
        } else {
            Err(forbidden())
        }
    }

    /// Non-public data of a district (deleted records, audit trail): admin, ministry, and the
    /// district's own coordinators.
    pub fn can_read_private(&self, ags: Option<&str>) -> bool {
        self.reader().can_read_private(ags)
    }

    pub fn require_private_reader(&self, ags: Option<&str>) -> async_graphql::Result<()> {
        self.require_user()?;
        if self.can_read_private(ags) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }
}

pub use srb_app::accounts::{
    hash_password, hash_token, new_token, normalize_email, verify_password,
};
