//! Secrets (a display's token): kept in a type that never shows its value in `Debug`, in logs
//! or in the preview; only the code that sends it asks for it with [`Secret::expose`]. And
//! feed URLs as they may be shown: without user info or query, where credentials hide.

use std::fmt;
use std::str::FromStr;

/// A value that must not be shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is this secret, compared in constant time (so the time an answer takes
    /// says nothing about how much of a guess was right). The one comparison every server of
    /// herald's uses: the relay's display and webhook tokens, the status endpoints' token.
    pub fn matches(&self, given: &str) -> bool {
        let (a, b) = (given.as_bytes(), self.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// The URL with any `user:password@` and `?query` replaced by `…`, for logs and screens.
pub fn shown_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => authority.to_owned(),
    };
    let path = match path.find(['?', '#']) {
        Some(i) => format!("{}?…", &path[..i]),
        None => path.to_owned(),
    };
    if scheme.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{scheme}://{host}{path}")
    }
}

/// True when the URL carries user info (`user:password@host`), which herald refuses: a token
/// belongs in a file or the environment, not in a URL that ends up in logs and process lists.
pub fn has_credentials(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let token = Secret::new("s3cret-token");
        let shown = format!("{token:?} {:?}", Some(token.clone()));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(token.expose(), "s3cret-token");
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-tokem"));
        assert!(!token.matches("s3cret"));
    }

    #[test]
    fn urls_are_shown_without_credentials_or_query() {
        assert_eq!(
            shown_url("wss://hall:pw@queue.example.sk:8443/displays?token=abc"),
            "wss://…@queue.example.sk:8443/displays?…"
        );
        assert_eq!(shown_url("ws://127.0.0.1:9000"), "ws://127.0.0.1:9000");
        assert_eq!(shown_url("ws://h/p#frag"), "ws://h/p?…");
        assert!(has_credentials("wss://u:p@h/x"));
        assert!(!has_credentials("wss://h/x?mail=a@b"));
    }
}
