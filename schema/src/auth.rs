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
    /// SHA-256 of the web session's cookie secret, when the caller is a signed-in browser.
    pub session_hash: Option<String>,
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
            session_hash: None,
        }
    }

    /// A browser signed in with a web session.
    pub fn session(user: User, session_hash: String) -> Self {
        Self {
            user: Some(Arc::new(user)),
            token_hash: None,
            session_hash: Some(session_hash),
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
    /// Ministry and administration may try other parameters of the state's distribution.
    pub fn may_propose_state_parameters(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Ministry))
    }

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

pub use srb_app::accounts::{form_token, new_secret, ClientAddr, SignInError, SESSION_HOURS};

/// Why no caller could be made of the credentials sent.
#[derive(Debug)]
pub enum CredentialError {
    /// Unknown, revoked or expired: the caller should sign in again.
    Invalid,
    /// The database could not be asked; logged.
    Unavailable,
}

/// The caller of a bearer token (API clients).
pub async fn viewer_of_token(
    storage: &dyn srb_storage::Storage,
    token: &str,
) -> Result<Viewer, CredentialError> {
    match srb_app::accounts::account_of_token(storage, token).await {
        Ok(Some((user, hash))) => Ok(Viewer::user(user, Some(hash))),
        Ok(None) => Err(CredentialError::Invalid),
        Err(e) => {
            tracing::error!(error = %e, "looking up a token");
            Err(CredentialError::Unavailable)
        }
    }
}

/// The caller of a web session's cookie secret (browsers).
pub async fn viewer_of_session(
    storage: &dyn srb_storage::Storage,
    secret: &str,
) -> Result<Viewer, CredentialError> {
    match srb_app::accounts::account_of_session(storage, secret).await {
        Ok(Some((user, hash))) => Ok(Viewer::session(user, hash)),
        Ok(None) => Err(CredentialError::Invalid),
        Err(e) => {
            tracing::error!(error = %e, "looking up a web session");
            Err(CredentialError::Unavailable)
        }
    }
}

/// Signs a browser in: checks the password (with the failure limit) and starts a session.
/// Returns the new caller and the cookie's secret.
pub async fn sign_in_browser(
    storage: &dyn srb_storage::Storage,
    email: &str,
    password: &str,
    client: Option<srb_app::accounts::ClientAddr>,
) -> Result<(Viewer, srb_app::accounts::NewSession), SignInError> {
    let user = srb_app::accounts::sign_in(storage, email, password, client).await?;
    let session = srb_app::accounts::start_session(storage, &user).await?;
    Ok((Viewer::session(user, session.hash.clone()), session))
}

/// Ends the browser session of `viewer`, if it has one.
pub async fn sign_out_browser(
    storage: &dyn srb_storage::Storage,
    viewer: &Viewer,
) -> srb_storage::Result<()> {
    if let Some(hash) = &viewer.session_hash {
        storage.revoke_web_session(hash).await?;
    }
    Ok(())
}
