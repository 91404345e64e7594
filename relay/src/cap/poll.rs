//! Polling an office's CAP source (`cap_feed_url`): every `cap_every_seconds` the relay asks the
//! URL for the office's current CAP message and takes it as if it were POSTed to
//! `/v1/offices/{office}/cap`. The same message answered again is stored once (its bytes are its
//! idempotency key), so a source that keeps answering its last alert does not raise it again
//! after a clear. A source that fails is said once per kind of failure, and asked again.

use std::sync::Arc;
use std::time::Duration;

use crate::relay::{Outcome, Refusal, Relay};
use crate::store::Key;

/// Where and how often to ask.
#[derive(Clone, Debug)]
pub struct CapFeed {
    pub url: String,
    pub every: Duration,
}

impl CapFeed {
    /// From the site file: an http(s) URL without credentials, asked every 1–3600 s (60 when
    /// not given).
    pub fn checked(
        file: &str,
        office: &str,
        url: Option<String>,
        every: Option<f64>,
    ) -> Result<Option<Self>, String> {
        let Some(url) = url else {
            return Ok(None);
        };
        let every = every.unwrap_or(60.0);
        if !(1.0..=3600.0).contains(&every) {
            return Err(format!(
                "{file}: office {office}: cap_every_seconds = {every} is outside 1–3600"
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || herald_core::secret::has_credentials(&url)
        {
            return Err(format!(
                "{file}: office {office}: cap_feed_url {:?} must be an http:// or https:// URL \
                 without a user and password",
                herald_core::secret::shown_url(&url)
            ));
        }
        Ok(Some(Self {
            url,
            every: Duration::from_secs_f64(every),
        }))
    }
}

/// Asks `feed` forever for `office`'s CAP message.
pub async fn follow(relay: Arc<Relay>, office: String, feed: CapFeed) {
    let mut said: Option<String> = None;
    let mut say = |problem: Option<String>| {
        match (&problem, &said) {
            (Some(p), old) if old.as_ref() != Some(p) => {
                tracing::warn!("{office}: CAP source {}: {p}", feed.url);
            }
            (None, Some(_)) => tracing::info!("{office}: CAP source {} answers again", feed.url),
            _ => {}
        }
        said = problem;
    };
    loop {
        let answer = crate::client::request(
            "GET",
            &feed.url,
            &[("accept", "application/cap+xml, application/xml".into())],
            Vec::new(),
            None,
        )
        .await;
        match answer {
            Err(e) => say(Some(e)),
            Ok(a) if a.status == 204 || a.body.iter().all(u8::is_ascii_whitespace) => say(None),
            Ok(a) if a.status != 200 => say(Some(format!("answered {}", a.status))),
            Ok(a) => {
                let body = a.body;
                let fingerprint = crate::intake::fingerprint(&body);
                let key = Key {
                    key: format!("cap-feed:{fingerprint}"),
                    fingerprint,
                };
                let (relay, office_id) = (relay.clone(), office.clone());
                let outcome = tokio::task::spawn_blocking(move || {
                    relay.accept(
                        &office_id,
                        Some(key),
                        |site, board| super::translate(&body, site, board, chrono::Utc::now()),
                        None,
                    )
                })
                .await;
                match outcome {
                    Ok(Ok(Outcome::Stored { first, .. })) => {
                        tracing::info!("{office}: CAP source: stored as #{first}");
                        say(None);
                    }
                    Ok(Ok(Outcome::Ignored(why))) => {
                        tracing::info!("{office}: CAP source: {why}");
                        say(None);
                    }
                    Ok(Ok(Outcome::Repeated { .. })) => say(None),
                    Ok(Err(Refusal::Bad(why))) => say(Some(format!("refused: {why}"))),
                    Ok(Err(e)) => say(Some(e.to_string())),
                    Err(e) => say(Some(format!("the relay failed: {e}"))),
                }
            }
        }
        tokio::time::sleep(feed.every).await;
    }
}
