//! Who is asking, and what they may do. Passwords: argon2id. API tokens: 32 random bytes, shown
//! once, stored as their SHA-256 (a fast hash is right for a high-entropy secret).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use srb_storage::{Role, User};
use std::sync::Arc;

use crate::error::{forbidden, unauthenticated};

const TOKEN_PREFIX: &str = "srb_";

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

/// A new API token: the plain text (shown once) and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash; with no stored hash it still spends the time of a
/// check, so response times do not reveal which e-mail addresses exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("timing-equaliser").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}
