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

/// How long a token from `createApiToken` or `srb token create` lasts unless asked otherwise,
/// and the longest one may last.
pub const TOKEN_DAYS: i64 = 90;
pub const TOKEN_MAX_DAYS: i64 = 365;
/// A token from signing in (`login`) lasts like a working month.
pub const LOGIN_TOKEN_DAYS: i64 = 30;
/// A token's last use is written at most this often: a write per request would cost more than
/// the answer is worth.
const TOUCH_EVERY_S: i64 = 60;

/// The account a bearer token belongs to, with the token's hash (to revoke it at logout); None
/// for an unknown, revoked or expired token. Looked up in the database on every call, so a
/// revoked token stops working at once on every instance.
pub async fn account_of_token(
    storage: &dyn srb_storage::Storage,
    token: &str,
) -> srb_storage::Result<Option<(srb_storage::User, String)>> {
    let hash = hash_token(token.trim());
    let now = chrono::Utc::now();
    let Some((user, last_used)) = storage.user_by_token_hash(&hash, now).await? else {
        return Ok(None);
    };
    if last_used.is_none_or(|t| (now - t).num_seconds() >= TOUCH_EVERY_S) {
        storage.touch_token(&hash, now).await?;
    }
    Ok(Some((user, hash)))
}

/// When a token made now for `days` days expires; `Err` with the German reason for a
/// duration outside 1 to 365 days.
pub fn token_expiry(days: i64) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(format!(
            "Ein Token gilt 1 bis {TOKEN_MAX_DAYS} Tage, nicht {days}."
        ));
    }
    Ok(chrono::Utc::now() + chrono::Duration::days(days))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_attempts_double_and_stop_at_the_cap() {
        let t = PER_ACCOUNT_AND_ADDRESS;
        assert_eq!(t.delay(4), None);
        assert_eq!(t.delay(5), Some(chrono::Duration::seconds(30)));
        assert_eq!(t.delay(6), Some(chrono::Duration::seconds(60)));
        assert_eq!(t.delay(10), Some(chrono::Duration::seconds(15 * 60)));
        assert_eq!(t.delay(i64::MAX), Some(chrono::Duration::seconds(15 * 60)));
        assert_eq!(
            PER_ACCOUNT.delay(1_000),
            Some(chrono::Duration::seconds(30))
        );
    }

    #[test]
    fn an_ipv6_subscriber_counts_as_one_address() {
        let a = ClientAddr("2001:db8:1:2::1".parse().unwrap());
        let b = ClientAddr("2001:db8:1:2:ffff::9".parse().unwrap());
        assert_eq!(a.key(), b.key());
        assert_ne!(
            a.key(),
            ClientAddr("2001:db8:1:3::1".parse().unwrap()).key()
        );
    }
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The address a request came from (the peer, or the configured proxy's `X-Forwarded-For`
/// entry), set by the HTTP layer for the sign-in limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    /// The key of an address: IPv6 by its /64 prefix, which one subscriber usually has whole.
    fn key(self) -> String {
        match self.0 {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

/// How many failed sign-ins a key has free and how long its growing delay may get.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub free: i64,
    pub first_delay_s: i64,
    pub max_delay_s: i64,
}

impl Throttle {
    /// The wait after `failures` failures: none while free, then doubling up to the cap.
    pub fn delay(self, failures: i64) -> Option<chrono::Duration> {
        if failures < self.free {
            return None;
        }
        let doublings = (failures - self.free).min(30) as u32;
        let seconds = self
            .first_delay_s
            .saturating_mul(1i64 << doublings)
            .min(self.max_delay_s);
        Some(chrono::Duration::seconds(seconds))
    }
}

/// One account from one address: the guesser's own budget. Nobody else can touch it, so the
/// delay may grow long.
pub const PER_ACCOUNT_AND_ADDRESS: Throttle = Throttle {
    free: 5,
    first_delay_s: 30,
    max_delay_s: 15 * 60,
};
/// One address, any accounts: one guesser trying many accounts (an office behind one address
/// has room for the slips of many people).
pub const PER_ADDRESS: Throttle = Throttle {
    free: 30,
    first_delay_s: 30,
    max_delay_s: 15 * 60,
};
/// One account, any addresses: guessing spread over many addresses. Others can raise this
/// one, so it stays short: the account's owner waits half a minute at most, never is locked out.
pub const PER_ACCOUNT: Throttle = Throttle {
    free: 50,
    first_delay_s: 5,
    max_delay_s: 30,
};

/// Keys untouched this long are forgotten.
pub const THROTTLE_MEMORY_HOURS: i64 = 24;

/// How long a web session lasts from sign-in; after that the browser is asked to sign in again.
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Zu viele fehlgeschlagene Anmeldungen. Bitte in {} erneut versuchen.", wait_text(*retry_after_s))]
    RateLimited { retry_after_s: i64 },
    #[error("Die Anmeldung ist gerade ausgelastet. Bitte in einigen Sekunden erneut versuchen.")]
    Busy,
    #[error("E-Mail-Adresse oder Passwort ist falsch.")]
    WrongCredentials,
    #[error(transparent)]
    Storage(#[from] srb_storage::StorageError),
}

impl SignInError {
    /// Seconds until a new attempt is worth it, for `Retry-After`.
    pub fn retry_after_s(&self) -> Option<i64> {
        match self {
            Self::RateLimited { retry_after_s } => Some(*retry_after_s),
            Self::Busy => Some(BUSY_RETRY_S),
            _ => None,
        }
    }
}

fn wait_text(seconds: i64) -> String {
    match seconds {
        s if s <= 1 => "einer Sekunde".to_owned(),
        s if s < 90 => format!("{s} Sekunden"),
        s => format!("{} Minuten", (s + 59) / 60),
    }
}

/// Password checks at once: argon2 takes 19 MiB and tens of milliseconds of CPU each, so a
/// flood of sign-ins queues here instead of taking the server's memory and cores.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.max(2))
    })
}
/// How long a sign-in waits for a free password check before it is answered `Busy`.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
const BUSY_RETRY_S: i64 = 5;

/// The keys a sign-in is counted on, with their limits.
fn throttle_keys(email: &str, client: Option<ClientAddr>) -> Vec<(String, Throttle)> {
    let mut keys = Vec::with_capacity(3);
    if let Some(addr) = client {
        let addr = addr.key();
        keys.push((
            format!("account:{email}|address:{addr}"),
            PER_ACCOUNT_AND_ADDRESS,
        ));
        keys.push((format!("address:{addr}"), PER_ADDRESS));
    }
    keys.push((format!("account:{email}"), PER_ACCOUNT));
    keys
}

/// Seconds a key still makes the next attempt wait; None when it may go ahead.
fn waiting(
    state: Option<&srb_storage::LoginThrottle>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<i64> {
    state
        .and_then(|s| s.blocked_until)
        .filter(|until| *until > now)
        .map(|until| (until - now).num_seconds().max(1))
}

/// Counts one attempt on `key` before the password is checked (so parallel attempts each
/// count), by compare-and-set from `current`, the key's state as last read; `Err(seconds)`
/// while the key waits.
async fn reserve(
    storage: &dyn srb_storage::Storage,
    key: &str,
    throttle: Throttle,
    now: chrono::DateTime<chrono::Utc>,
    mut current: Option<srb_storage::LoginThrottle>,
) -> Result<Result<(), i64>, srb_storage::StorageError> {
    loop {
        if let Some(seconds) = waiting(current.as_ref(), now) {
            return Ok(Err(seconds));
        }
        let expected = current.as_ref().map(|c| c.failures);
        let failures = expected.unwrap_or(0) + 1;
        let next = srb_storage::LoginThrottle {
            failures,
            blocked_until: throttle.delay(failures).map(|d| now + d),
        };
        if storage
            .set_login_throttle(key, expected, &next, now)
            .await?
        {
            return Ok(Ok(()));
        }
        // Another attempt counted first: read again.
        current = storage.login_throttle(key).await?;
    }
}

/// Checks e-mail address and password under the sign-in limits. The one sign-in rule for the
/// API's `login` and the web's sign-in form.
///
/// Every attempt counts as a failure on three keys before the password is checked (the account
/// from this address, this address, the account), and a success clears the account's keys. A
/// key past its free attempts makes the next attempt wait, the wait doubling with each further
/// failure: a delay, never a lock-out, and the short account-wide one is all that others can
/// cause. Counted in the database, so the limits hold across instances.
pub async fn sign_in(
    storage: &dyn srb_storage::Storage,
    email: &str,
    password: &str,
    client: Option<ClientAddr>,
) -> Result<srb_storage::User, SignInError> {
    let email = normalize_email(email);
    let now = chrono::Utc::now();
    storage
        .prune_login_throttle(now - chrono::Duration::hours(THROTTLE_MEMORY_HOURS))
        .await?;
    let keys = throttle_keys(&email, client);
    // Look before counting: an attempt that must wait anyway adds to no key.
    let mut states = Vec::with_capacity(keys.len());
    for (key, _) in &keys {
        let state = storage.login_throttle(key).await?;
        if let Some(retry_after_s) = waiting(state.as_ref(), now) {
            return Err(SignInError::RateLimited { retry_after_s });
        }
        states.push(state);
    }
    for ((key, throttle), state) in keys.iter().zip(states) {
        if let Err(retry_after_s) = reserve(storage, key, *throttle, now, state).await? {
            return Err(SignInError::RateLimited { retry_after_s });
        }
    }
    let user = storage.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = password.to_owned();
    let permit = tokio::time::timeout(HASHING_WAIT, hashing_permits().acquire())
        .await
        .map_err(|_| SignInError::Busy)?
        .map_err(|_| SignInError::Busy)?;
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .unwrap_or(false);
    drop(permit);
    match (ok, user) {
        (true, Some(user)) => {
            // The address key stays: a guesser must not clear it by signing in to an account
            // of their own between guesses.
            let account_keys: Vec<String> = keys
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| k.starts_with("account:"))
                .collect();
            storage.clear_login_throttle(&account_keys).await?;
            Ok(user)
        }
        _ => Err(SignInError::WrongCredentials),
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
