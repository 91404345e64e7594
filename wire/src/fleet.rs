//! Where herald meets on NATS JetStream, shared by the relay that publishes an office and the
//! displays that follow it (`docs/fleet.md`):
//!
//! - `herald.v1.<country>.<office>.events` in stream `HERALD_EVENTS`: each protocol v1 frame
//!   unchanged, with `Nats-Msg-Id: <office>:<seq>`;
//! - `herald.v1.<country>.<office>.snapshot` in stream `HERALD_SNAPSHOTS` (one message per
//!   subject): the office's state at a seq, with `Herald-Stream-Seq`, the events stream's
//!   sequence of that seq's event;
//! - `herald.v1.<country>.<office>.keepalive`, plain NATS (not stored): every
//!   [`KEEPALIVE_EVERY`] a protocol v1 keepalive with the last seq the broker has and the
//!   relay's clock, so a display knows its relay is alive, sees a gap in a quiet hour, and
//!   judges calls by the relay's clock.
//!
//! Office ids, how to log in ([`Auth`]), the broker ([`Broker`]) and [`connect`] live here too,
//! so both sides read a site's settings and log in the same way.

use std::path::PathBuf;
use std::time::Duration;

use herald_core::secret::Secret;

pub const EVENTS_STREAM: &str = "HERALD_EVENTS";
pub const SNAPSHOTS_STREAM: &str = "HERALD_SNAPSHOTS";
/// On a snapshot: the events stream's sequence of the event the snapshot includes last.
pub const STREAM_SEQ_HEADER: &str = "Herald-Stream-Seq";

pub fn events_subject(office: &str) -> String {
    format!("herald.v1.{office}.events")
}

pub fn snapshot_subject(office: &str) -> String {
    format!("herald.v1.{office}.snapshot")
}

pub fn keepalive_subject(office: &str) -> String {
    format!("herald.v1.{office}.keepalive")
}

/// Plain NATS: a display's reports to the console (`docs/console.md`), as
/// [`StatusEnvelope`] JSON. The broker's permissions let an office's displays publish on their
/// office's subject only, so no display can report for another office.
pub fn status_subject(office: &str) -> String {
    format!("herald.v1.{office}.status")
}

/// Plain NATS: the relay asks one display of the office for a thumbnail or a test call, as
/// `{"display": "…", "asked": {"thumbnail": 320}}`.
pub fn thumbnail_subject(office: &str) -> String {
    format!("herald.v1.{office}.thumbnail")
}

/// A report on [`status_subject`]: which display, and its `status` or `thumbnail` frame.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StatusEnvelope {
    pub display: String,
    pub frame: herald_core::protocol::ClientMessage,
}

/// A request on [`thumbnail_subject`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ThumbnailWanted {
    pub display: String,
    pub asked: herald_core::report::Asked,
}

/// How often the relay publishes an office's keepalive.
pub const KEEPALIVE_EVERY: Duration = Duration::from_secs(10);

/// A display that has heard keepalives and then hears none for this long takes its relay for
/// silent (stopped, or cut off from the broker) and says so, as for a broker outage.
pub const RELAY_SILENT_AFTER: Duration = Duration::from_secs(35);

/// An office id usable in subjects: `<country>.<office>`, letters, digits, `-` and `_`.
pub fn check_office_id(office: &str) -> Result<(), String> {
    let parts: Vec<&str> = office.split('.').collect();
    let ok = parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "office id {office:?} must be <country>.<office> (e.g. \"sk.rajec\") to be published on NATS"
        ))
    }
}

/// How to log in to the broker.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Auth {
    #[default]
    None,
    Token(Secret),
    UserPassword(String, Secret),
    /// A `.creds` file (JWT + NKey seed), as `nsc` writes them.
    Creds(PathBuf),
}

/// The broker and how to reach it.
#[derive(Clone, Debug, PartialEq)]
pub struct Broker {
    /// `nats://host:4222` or `tls://host:4222`.
    pub url: String,
    pub auth: Auth,
    /// A CA for the broker's certificate besides the system's roots.
    pub ca_file: Option<PathBuf>,
}

/// Connects to the broker; `name` shows in the broker's connection list.
pub async fn connect(
    broker: &Broker,
    name: &str,
    timeout: Duration,
) -> Result<async_nats::Client, String> {
    let mut options = async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(timeout)
        // herald and the relay rebuild their subscriptions themselves after an outage; the
        // client still reconnects quietly in between.
        .retry_on_initial_connect()
        // A dead broker is noticed within about two pings (the default is a minute).
        .ping_interval(Duration::from_secs(1));
    options = match &broker.auth {
        Auth::None => options,
        Auth::Token(token) => options.token(token.expose().to_owned()),
        Auth::UserPassword(user, password) => {
            options.user_and_password(user.clone(), password.expose().to_owned())
        }
        Auth::Creds(path) => options
            .credentials_file(path)
            .await
            .map_err(|e| format!("NATS credentials {}: {e}", path.display()))?,
    };
    if let Some(ca) = &broker.ca_file {
        options = options.add_root_certificates(ca.clone()).require_tls(true);
    }
    if broker.url.starts_with("tls://") {
        options = options.require_tls(true);
    }
    let connect = options.connect(broker.url.as_str());
    match tokio::time::timeout(timeout, connect).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(format!("cannot connect to NATS at {}: {e}", broker.url)),
        Err(_) => Err(format!(
            "cannot connect to NATS at {}: no answer in {} s",
            broker.url,
            timeout.as_secs()
        )),
    }
}
