//! Accounts of the demo, so the web interface can be tried in every role. Only `--demo`
//! creates them; their shared password is public (README), so they must never exist outside
//! a demo.

use anyhow::Result;
use srb_app::accounts::{hash_password, normalize_email};
use srb_storage::{Role, Storage};

/// The demo accounts' password (printed in the README and the log).
pub const PASSWORD: &str = "werkstatt-demo";

/// `(e-mail, name, role, district)` of each demo account.
pub const ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "koordination.koblenz@demo.invalid",
        "Koordination Koblenz (Demo)",
        Role::Coordinator,
        Some("07111"),
    ),
    (
        "koordination.mainz@demo.invalid",
        "Koordination Mainz (Demo)",
        Role::Coordinator,
        Some("07315"),
    ),
    (
        "moderation@demo.invalid",
        "Moderation (Demo)",
        Role::Facilitator,
        None,
    ),
    (
        "ministerium@demo.invalid",
        "Ministerium (Demo)",
        Role::Ministry,
        None,
    ),
];

/// Creates the demo accounts that do not exist yet; returns how many were created.
pub async fn seed(storage: &dyn Storage) -> Result<usize> {
    let hash = hash_password(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut created = 0;
    for (email, name, role, district) in ACCOUNTS {
        let email = normalize_email(email);
        if storage.user_by_email(&email).await?.is_some() {
            continue;
        }
        storage
            .create_user(&email, Some(name), Some(&hash), *role, *district)
            .await?;
        created += 1;
    }
    Ok(created)
}
