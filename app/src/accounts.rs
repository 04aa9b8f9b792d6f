//! Accounts: argon2id passwords; API tokens of 32 random bytes, shown once, stored as their
//! SHA-256 (a fast hash is right for a high-entropy secret).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

const TOKEN_PREFIX: &str = "srb_";

/// The account a bearer token belongs to, with the token's hash (to revoke it at logout); None
/// for an unknown or revoked token. Looked up in the database on every call, so a revoked token
/// stops working at once on every instance.
pub async fn account_of_token(
    storage: &dyn srb_storage::Storage,
    token: &str,
) -> srb_storage::Result<Option<(srb_storage::User, String)>> {
    let hash = hash_token(token.trim());
    Ok(storage
        .user_by_token_hash(&hash)
        .await?
        .map(|user| (user, hash)))
}

/// A new API token: the plain text (shown once) and the hash to store.
pub fn new_token() -> (String, String) {
    new_secret(TOKEN_PREFIX)
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

/// Failed sign-ins of one address within `LOGIN_WINDOW_MINUTES` before further attempts are
/// refused. Counted in the database, so it holds across several server instances.
pub const LOGIN_MAX_FAILURES: i64 = 5;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;

/// How long a web session lasts from sign-in; after that the browser is asked to sign in again.
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Zu viele fehlgeschlagene Anmeldungen. Bitte in {LOGIN_WINDOW_MINUTES} Minuten erneut versuchen.")]
    RateLimited,
    #[error("E-Mail-Adresse oder Passwort ist falsch.")]
    WrongCredentials,
    #[error(transparent)]
    Storage(#[from] srb_storage::StorageError),
}

/// Checks e-mail address and password, with the failure limit per address. The one sign-in
/// rule for the API's `login` and the web's sign-in form.
pub async fn sign_in(
    storage: &dyn srb_storage::Storage,
    email: &str,
    password: &str,
) -> Result<srb_storage::User, SignInError> {
    let email = normalize_email(email);
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::minutes(LOGIN_WINDOW_MINUTES);
    if storage.login_failures_since(&email, since).await? >= LOGIN_MAX_FAILURES {
        return Err(SignInError::RateLimited);
    }
    let user = storage.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = password.to_owned();
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .unwrap_or(false);
    match (ok, user) {
        (true, Some(user)) => {
            storage.clear_login_failures(&email).await?;
            Ok(user)
        }
        _ => {
            storage.record_login_failure(&email, now).await?;
            Err(SignInError::WrongCredentials)
        }
    }
}

/// A signed-in browser: the cookie's secret (only ever in the cookie) and the hash stored.
pub struct NewSession {
    pub secret: String,
    pub hash: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Starts a web session for `user`; a new secret at every sign-in, so a session fixed before
/// sign-in is worth nothing.
pub async fn start_session(
    storage: &dyn srb_storage::Storage,
    user: &srb_storage::User,
) -> srb_storage::Result<NewSession> {
    let (secret, hash) = new_secret("srbs_");
    let expires_at = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    storage
        .create_web_session(user.id, &hash, expires_at)
        .await?;
    Ok(NewSession {
        secret,
        hash,
        expires_at,
    })
}

/// The account of a session cookie's secret, with the session's hash; None for an unknown,
/// expired or ended session. Looked up on every request, so sign-out holds on every instance.
pub async fn account_of_session(
    storage: &dyn srb_storage::Storage,
    secret: &str,
) -> srb_storage::Result<Option<(srb_storage::User, String)>> {
    let hash = hash_token(secret.trim());
    Ok(storage
        .user_by_web_session(&hash, chrono::Utc::now())
        .await?
        .map(|user| (user, hash)))
}

/// The form token (CSRF) that belongs to a secret held in a cookie: derived, so nothing more
/// is stored, and unguessable without the cookie, which another site cannot read.
pub fn form_token(cookie_secret: &str) -> String {
    hash_token(&format!("form-token:{cookie_secret}"))
}

/// A random secret with a prefix (for API tokens, sessions, form-token cookies).
pub fn new_secret(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&secret);
    (secret, hash)
}
