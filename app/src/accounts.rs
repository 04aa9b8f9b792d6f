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
