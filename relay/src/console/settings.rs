//! The `[console]` table of the site file: accounts and alerts (docs/console.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use herald_core::secret::Secret;
use serde::Deserialize;

use crate::site::{OfficeSite, read_secret};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleFile {
    alert_after_seconds: Option<u64>,
    alert_webhook: Option<String>,
    alert_webhook_token_file: Option<PathBuf>,
    /// The console's address as people open it, for links in alerts.
    public_url: Option<String>,
    #[serde(default)]
    account: Vec<AccountFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountFile {
    name: String,
    role: Role,
    #[serde(default)]
    offices: Vec<String>,
    password_hash: String,
}

/// What an account may see and do in the console.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The IT office: every office, every page.
    It,
    /// Office staff: their own offices.
    Staff,
}

/// A console account (docs/console.md).
#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub role: Role,
    /// For `staff`, the offices they see.
    pub offices: Vec<String>,
    /// argon2 PHC string, made by `herald-relay passwd`.
    pub password_hash: String,
}

impl Account {
    pub fn sees(&self, office: &str) -> bool {
        self.role == Role::It || self.offices.iter().any(|o| o == office)
    }
}

/// The console: accounts and alerts.
#[derive(Clone, Debug)]
pub struct ConsoleSite {
    pub accounts: Vec<Account>,
    /// A problem lasting this long in opening hours raises an alert.
    pub alert_after: Duration,
    pub alert_webhook: Option<String>,
    pub alert_webhook_token: Option<Secret>,
    pub public_url: Option<String>,
}

impl Default for ConsoleSite {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            alert_after: Duration::from_secs(120),
            alert_webhook: None,
            alert_webhook_token: None,
            public_url: None,
        }
    }
}

pub(crate) fn read(
    file: &str,
    base: &Path,
    c: ConsoleFile,
    offices: &[OfficeSite],
) -> Result<ConsoleSite, String> {
    let mut accounts: Vec<Account> = Vec::new();
    for a in c.account {
        if a.name.trim().is_empty() || a.name.chars().any(char::is_control) || a.name.len() > 64 {
            return Err(format!(
                "{file}: [[console.account]] name {:?} must be 1–64 characters without control characters",
                a.name
            ));
        }
        if accounts.iter().any(|b| b.name == a.name) {
            return Err(format!(
                "{file}: console account {:?} is listed twice",
                a.name
            ));
        }
        if let Err(e) = argon2::PasswordHash::new(&a.password_hash) {
            return Err(format!(
                "{file}: console account {:?}: password_hash is not a password hash ({e}); \
                 make one with `herald-relay passwd {}`",
                a.name, a.name
            ));
        }
        if a.role == Role::Staff && a.offices.is_empty() {
            return Err(format!(
                "{file}: console account {:?} is staff: list its offices (offices = [\"sk.rajec\"])",
                a.name
            ));
        }
        if let Some(unknown) = a
            .offices
            .iter()
            .find(|o| !offices.iter().any(|s| &s.id == *o))
        {
            return Err(format!(
                "{file}: console account {:?}: no office {unknown:?} in this site file",
                a.name
            ));
        }
        accounts.push(Account {
            name: a.name,
            role: a.role,
            offices: a.offices,
            password_hash: a.password_hash,
        });
    }
    let after = c.alert_after_seconds.unwrap_or(120);
    if !(5..=86_400).contains(&after) {
        return Err(format!(
            "{file}: console.alert_after_seconds = {after} is outside 5–86400"
        ));
    }
    if let Some(url) = &c.alert_webhook
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(format!(
            "{file}: console.alert_webhook {url:?} must start with http:// or https://"
        ));
    }
    Ok(ConsoleSite {
        accounts,
        alert_after: Duration::from_secs(after),
        alert_webhook: c.alert_webhook,
        alert_webhook_token: c
            .alert_webhook_token_file
            .as_deref()
            .map(|p| read_secret(file, base, p, "console.alert_webhook_token_file"))
            .transpose()?,
        public_url: c.public_url,
    })
}
