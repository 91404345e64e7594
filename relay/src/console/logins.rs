//! Who may open the console: accounts from the site file (argon2 password hashes made by
//! `herald-relay passwd`), sessions in an `HttpOnly`, `SameSite=Strict` cookie (`Secure`
//! under TLS) with a CSRF token each, and a brake on wrong passwords.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, PasswordHash};
use rand::RngCore;

use crate::site::Account;

/// A session ends after this long without a request.
pub const IDLE_LIMIT: Duration = Duration::from_secs(8 * 3600);
/// Wrong passwords allowed before each further attempt must wait.
const FREE_ATTEMPTS: u32 = 5;
/// The longest wait the brake imposes.
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// Sessions at most (a flood of logins cannot fill the memory).
const MAX_SESSIONS: usize = 1000;

/// A logged-in person.
#[derive(Clone, Debug)]
pub struct Session {
    pub account: String,
    /// Sent back with every change (form field or `X-CSRF-Token` header).
    pub csrf: String,
    pub lang: String,
    last_used: Instant,
}

#[derive(Debug, Default)]
struct Attempts {
    wrong: u32,
    wait_until: Option<Instant>,
}

#[derive(Default)]
pub struct Logins {
    sessions: Mutex<HashMap<String, Session>>,
    /// Per account name and per address: guessing one account from many addresses, or many
    /// accounts from one, is slowed down alike.
    attempts: Mutex<HashMap<String, Attempts>>,
}

/// Why a login was refused.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// Wrong name or password (not said which).
    Wrong,
    /// Too many wrong attempts: try again after this long.
    Wait(Duration),
}

/// A random token (session id, CSRF token), 256 bits as hex.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal strings, compared without stopping at the first difference.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The hash of `password`, for the site file.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A hash to check unknown names against, so that they take as long as known ones.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("not a password anyone has").unwrap_or_default())
}

/// One more wrong attempt; returns until when the next must wait.
fn wrong_again(a: &mut Attempts) -> Instant {
    a.wrong += 1;
    let now = Instant::now();
    if a.wrong >= FREE_ATTEMPTS {
        // 1 s after the fifth, doubling: 32 s after the tenth, at most 5 minutes.
        let wait = Duration::from_secs(1 << (a.wrong - FREE_ATTEMPTS).min(16)).min(LONGEST_WAIT);
        a.wait_until = Some(now + wait);
    }
    a.wait_until.unwrap_or(now)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Logins {
    /// Checks a name and password (slow on purpose: run it off the async threads). On success
    /// a new session with its id.
    pub fn log_in(
        &self,
        accounts: &[Account],
        name: &str,
        password: &str,
        peer: &str,
        lang: &str,
    ) -> Result<(String, Session), Refused> {
        let keys = [
            format!("name:{}", name.to_lowercase()),
            format!("peer:{peer}"),
        ];
        {
            let mut attempts = lock(&self.attempts);
            let now = Instant::now();
            let waiting = keys
                .iter()
                .filter_map(|k| attempts.get(k).and_then(|a| a.wait_until))
                .any(|until| until > now);
            if waiting {
                // Not checked, but counted: hammering while told to wait makes the wait longer.
                let until = keys
                    .iter()
                    .map(|k| wrong_again(attempts.entry(k.clone()).or_default()))
                    .max()
                    .unwrap_or(now);
                return Err(Refused::Wait(until.saturating_duration_since(now)));
            }
        }
        let account = accounts.iter().find(|a| a.name == name);
        let stored = account.map_or(decoy(), |a| a.password_hash.as_str());
        let right = PasswordHash::new(stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }) && account.is_some();
        let mut attempts = lock(&self.attempts);
        if !right {
            for key in keys {
                wrong_again(attempts.entry(key).or_default());
            }
            // The map of strangers' attempts must not grow without end.
            if attempts.len() > 10_000 {
                let now = Instant::now();
                attempts.retain(|_, a| a.wait_until.is_some_and(|u| u > now));
            }
            return Err(Refused::Wrong);
        }
        for key in keys {
            attempts.remove(&key);
        }
        drop(attempts);
        let session = Session {
            account: name.to_owned(),
            csrf: token(),
            lang: lang.to_owned(),
            last_used: Instant::now(),
        };
        let id = token();
        let mut sessions = lock(&self.sessions);
        sessions.retain(|_, s| s.last_used.elapsed() < IDLE_LIMIT);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| s.last_used)
                .map(|(k, _)| k.clone())
        {
            sessions.remove(&oldest);
        }
        sessions.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The session with this id, if it is still alive (and marks it used).
    pub fn session(&self, id: &str) -> Option<Session> {
        let mut sessions = lock(&self.sessions);
        let session = sessions.get_mut(id)?;
        if session.last_used.elapsed() >= IDLE_LIMIT {
            sessions.remove(id);
            return None;
        }
        session.last_used = Instant::now();
        Some(session.clone())
    }

    pub fn set_lang(&self, id: &str, lang: &str) {
        if let Some(s) = lock(&self.sessions).get_mut(id) {
            s.lang = lang.to_owned();
        }
    }

    pub fn log_out(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Role;

    fn account(password: &str) -> Account {
        Account {
            name: "marta".into(),
            role: Role::It,
            offices: Vec::new(),
            password_hash: hash(password).unwrap_or_default(),
        }
    }

    #[test]
    fn the_right_password_opens_a_session_and_a_wrong_one_does_not() {
        let logins = Logins::default();
        let accounts = [account("correct horse")];
        assert_eq!(
            logins
                .log_in(&accounts, "marta", "wrong", "10.0.0.1", "sk")
                .err(),
            Some(Refused::Wrong)
        );
        assert_eq!(
            logins
                .log_in(&accounts, "nobody", "correct horse", "10.0.0.1", "sk")
                .err(),
            Some(Refused::Wrong)
        );
        let (id, session) = logins
            .log_in(&accounts, "marta", "correct horse", "10.0.0.1", "sk")
            .expect("the right password");
        assert_eq!(session.account, "marta");
        assert!(logins.session(&id).is_some());
        logins.log_out(&id);
        assert!(logins.session(&id).is_none());
    }

    #[test]
    fn ten_wrong_passwords_make_the_next_attempt_wait_even_with_the_right_one() {
        let logins = Logins::default();
        let accounts = [account("correct horse")];
        for _ in 0..10 {
            let _ = logins.log_in(&accounts, "marta", "guess", "10.0.0.2", "en");
        }
        match logins.log_in(&accounts, "marta", "correct horse", "10.0.0.3", "en") {
            Err(Refused::Wait(wait)) => assert!(wait > Duration::from_secs(10), "{wait:?}"),
            other => panic!("expected a wait, got {other:?}"),
        }
    }
}
