//! The feed: a WebSocket client on its own tokio thread that keeps herald subscribed to the
//! office's queue system, and hands typed frames to the board through a channel.
//!
//! It reconnects by itself (jittered exponential backoff, capped), detects a silent dead
//! connection with pings, resumes from the last applied seq, and refuses bad frames with one
//! clear reason each. It never touches the board: [`pump`] does that on the receiving side.

pub mod connect;
pub mod nats;
mod pump;
mod reports;

pub use pump::{Pumped, pump};
use reports::Reports;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use herald_core::backoff::Backoff;
use tokio::sync::mpsc as tokio_mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

pub use herald_core::link::FeedStatus;
use herald_core::protocol::{self, ClientMessage, Rejection, ServerMessage, VERSION};
use herald_core::secret::{Secret, shown_url};

/// Called after each event is queued, so a sleeping UI loop wakes up and draws it.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How the client connects and how patient it is.
#[derive(Clone, Debug)]
pub struct FeedConfig {
    pub url: String,
    pub display: String,
    /// Never shown: `Secret` keeps it out of `Debug` output and logs.
    pub token: Option<Secret>,
    /// The last seq applied before this start (a remembered board): `hello` resumes from it.
    pub resume: Option<u64>,
    /// Whom `wss://` trusts (web roots, system roots, `--ca-file`).
    pub trust: Option<connect::Trust>,
    /// A ping is sent this often when the line is quiet.
    pub ping_every: Duration,
    /// With no frame at all (pong included) for this long, the connection is declared dead.
    pub dead_after: Duration,
    pub connect_timeout: Duration,
    pub backoff_first: Duration,
    pub backoff_max: Duration,
    /// Follow an office on NATS JetStream instead of the WebSocket at `url`.
    pub nats: Option<nats::NatsFeed>,
    /// What this display reports when its server asks (`docs/protocol.md`, "Reporting back").
    pub reporter: Option<Arc<crate::status::Shared>>,
}

impl FeedConfig {
    pub fn new(url: impl Into<String>, display: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            display: display.into(),
            token: None,
            resume: None,
            trust: connect::Trust::new(None).ok(),
            ping_every: Duration::from_secs(5),
            dead_after: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            backoff_first: Backoff::NETWORK.first,
            backoff_max: Backoff::NETWORK.max,
            nats: None,
            reporter: None,
        }
    }
}

/// What the feed thread reports.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "frames pass through a channel one at a time; boxing each would only add an allocation"
)]
pub enum FeedEvent {
    Connected {
        url: String,
    },
    Disconnected {
        reason: String,
    },
    Frame {
        message: ServerMessage,
        received: Instant,
    },
    Rejected(Rejection),
    /// The console asked this display alone for a test call.
    TestCall(herald_core::report::TestCall),
}

#[derive(Debug)]
enum Command {
    Resync,
    Shutdown,
}

/// The receiving end of a running feed.
pub struct FeedHandle {
    events: mpsc::Receiver<FeedEvent>,
    commands: tokio_mpsc::UnboundedSender<Command>,
    /// Last seq the board applied (`u64::MAX` = none); read by the feed thread when it says hello.
    applied: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl FeedHandle {
    /// Takes every event that has arrived, without waiting.
    pub fn drain(&self) -> Vec<FeedEvent> {
        self.events.try_iter().collect()
    }

    /// Waits up to `timeout` for one event.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<FeedEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Asks the server for a fresh snapshot (after a gap).
    pub fn request_resync(&self) {
        // If the feed thread is gone there is nobody to ask; the status already says so.
        let _ = self.commands.send(Command::Resync);
    }

    /// Records the last seq the board applied, so a reconnect resumes from there.
    pub fn set_applied(&self, seq: Option<u64>) {
        self.applied
            .store(seq.unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the feed thread.
pub fn spawn(config: FeedConfig, waker: Waker) -> std::io::Result<FeedHandle> {
    let (event_tx, event_rx) = mpsc::channel();
    let (command_tx, command_rx) = tokio_mpsc::unbounded_channel();
    let applied = Arc::new(AtomicU64::new(config.resume.unwrap_or(u64::MAX)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let shared = applied.clone();
    let thread = std::thread::Builder::new()
        .name("herald-feed".into())
        .spawn(move || {
            let link = Link {
                events: event_tx,
                waker,
            };
            runtime.block_on(run(config, link, command_rx, shared));
        })?;
    Ok(FeedHandle {
        events: event_rx,
        commands: command_tx,
        applied,
        thread: Some(thread),
    })
}

struct Link {
    events: mpsc::Sender<FeedEvent>,
    waker: Waker,
}

impl Link {
    /// Returns false when the receiving side is gone (herald is shutting down).
    fn send(&self, event: FeedEvent) -> bool {
        self.send_quietly(event, true)
    }

    /// With `wake` false the event waits for the UI's next frame instead of causing one.
    fn send_quietly(&self, event: FeedEvent, wake: bool) -> bool {
        let ok = self.events.send(event).is_ok();
        if wake {
            (self.waker)();
        }
        ok
    }
}

enum Ended {
    Shutdown,
    /// The connection was up for this long and then lost.
    Lost(String, Duration),
    /// The connection could not be made.
    Failed(String),
}

/// A connection that stayed up this long was working; one that drops sooner counts as a
/// failure, so a server that accepts and at once drops a display is not redialled at full speed.
pub const STABLE_AFTER: Duration = Duration::from_secs(10);

async fn run(
    config: FeedConfig,
    link: Link,
    mut commands: tokio_mpsc::UnboundedReceiver<Command>,
    applied: Arc<AtomicU64>,
) {
    // rustls needs a process-wide crypto provider for wss://; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut failures: u32 = 0;
    let mut position = nats::Position::default();
    loop {
        let ended = match &config.nats {
            Some(feed) => {
                nats::session(&config, feed, &link, &mut commands, &applied, &mut position).await
            }
            None => session(&config, &link, &mut commands, &applied).await,
        };
        match ended {
            Ended::Shutdown => return,
            Ended::Lost(reason, lasted) => {
                failures = if lasted >= STABLE_AFTER {
                    0
                } else {
                    failures.saturating_add(1)
                };
                if !link.send(FeedEvent::Disconnected { reason }) {
                    return;
                }
            }
            Ended::Failed(reason) => {
                failures = failures.saturating_add(1);
                // Report only the first failure of a streak; the status keeps counting.
                if failures == 1 && !link.send(FeedEvent::Disconnected { reason }) {
                    return;
                }
            }
        }
        let delay = backoff(&config, failures);
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            command = commands.recv() => {
                if matches!(command, None | Some(Command::Shutdown)) {
                    return;
                }
            }
        }
    }
}

/// The wait before the next attempt after `failures` failures in a row (0 after a connection
/// that worked): `backoff_first` doubling each time, capped at `backoff_max`, with jitter
/// between half and all of the step (docs/protocol.md, "Transport").
pub fn backoff(config: &FeedConfig, failures: u32) -> Duration {
    Backoff {
        first: config.backoff_first,
        max: config.backoff_max,
        jitter: true,
    }
    .wait(failures)
}

fn last_applied(applied: &AtomicU64) -> Option<u64> {
    match applied.load(Ordering::Relaxed) {
        u64::MAX => None,
        seq => Some(seq),
    }
}

async fn session(
    config: &FeedConfig,
    link: &Link,
    commands: &mut tokio_mpsc::UnboundedReceiver<Command>,
    applied: &AtomicU64,
) -> Ended {
    // The URL as logs and the preview may show it (no user info, no query).
    let shown = shown_url(&config.url);
    let mut request = match config.url.as_str().into_client_request() {
        Ok(request) => request,
        Err(e) => return Ended::Failed(format!("feed URL {shown:?} is not usable: {e}")),
    };
    if let Some(token) = &config.token {
        match HeaderValue::from_str(&format!("Bearer {}", token.expose())) {
            Ok(value) => {
                request.headers_mut().insert("authorization", value);
            }
            Err(_) => {
                return Ended::Failed(
                    "the token contains characters not allowed in an HTTP header".into(),
                );
            }
        }
    }
    // The transport limit is well above the protocol's, so an oversized frame is refused
    // by `protocol::decode` with a clear reason while the connection stays up.
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(protocol::MAX_FRAME_BYTES * 16))
        .max_frame_size(Some(protocol::MAX_FRAME_BYTES * 16));
    let Some(trust) = &config.trust else {
        return Ended::Failed("TLS cannot be set up on this machine".into());
    };
    let connect = tokio::time::timeout(
        config.connect_timeout,
        connect::open(request, ws_config, trust),
    );
    tokio::pin!(connect);
    // Herald may be asked to quit while a server keeps it waiting: that must not wait for the
    // connect timeout.
    let connected = loop {
        tokio::select! {
            result = &mut connect => break result,
            command = commands.recv() => {
                if matches!(command, None | Some(Command::Shutdown)) {
                    return Ended::Shutdown;
                }
            }
        }
    };
    let mut socket = match connected {
        Ok(Ok(socket)) => socket,
        Ok(Err(e)) => return Ended::Failed(format!("cannot connect to {shown}: {e}")),
        Err(_) => {
            return Ended::Failed(format!(
                "cannot connect to {shown}: no answer in {} s",
                config.connect_timeout.as_secs()
            ));
        }
    };
    let hello = ClientMessage::Hello {
        v: VERSION,
        display: config.display.clone(),
        token: config.token.as_ref().map(|t| t.expose().to_owned()),
        last_seq: last_applied(applied),
    };
    if let Err(e) = socket
        .send(Message::text(protocol::encode_client(&hello)))
        .await
    {
        return Ended::Failed(format!("{shown} closed during hello: {e}"));
    }
    if !link.send(FeedEvent::Connected { url: shown.clone() }) {
        return Ended::Shutdown;
    }

    let connected_at = Instant::now();
    let lost = |reason: String| Ended::Lost(reason, connected_at.elapsed());
    let mut last_heard = Instant::now();
    let mut ticker = tokio::time::interval(config.ping_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut resync_sent: Option<Instant> = None;
    let mut reports = Reports::default();
    let mut report_ticker = tokio::time::interval(Duration::from_secs(1));
    report_ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            frame = reports.thumbnail_ready() => {
                if let Some(frame) = frame {
                    let _ = socket.send(Message::text(protocol::encode_client(&frame))).await;
                }
            }
            _ = report_ticker.tick(), if reports.every.is_some() => {
                if let Some(status) = reports.due(config) {
                    let _ = socket.send(Message::text(protocol::encode_client(&status))).await;
                }
            }
            frame = socket.next() => {
                let received = Instant::now();
                let frame = match frame {
                    None => return lost("the server closed the connection".into()),
                    Some(Err(e)) => return lost(format!("connection error: {e}")),
                    Some(Ok(frame)) => frame,
                };
                last_heard = received;
                let event = match frame {
                    Message::Text(text) => match protocol::decode(text.as_str()) {
                        Ok(message) => {
                            if matches!(message, ServerMessage::Snapshot { .. }) {
                                resync_sent = None;
                            }
                            if let ServerMessage::Keepalive { report: Some(wanted), .. } = &message {
                                if let Some(status) = reports.asked(config, wanted) {
                                    let _ = socket.send(Message::text(protocol::encode_client(&status))).await;
                                }
                                if let Some(call) = wanted.test_call.clone() {
                                    let _ = link.send(FeedEvent::TestCall(call));
                                }
                            }
                            FeedEvent::Frame { message, received }
                        }
                        Err(rejection) => FeedEvent::Rejected(rejection),
                    },
                    Message::Binary(bytes) => FeedEvent::Rejected(Rejection::Binary { bytes: bytes.len() }),
                    Message::Close(_) => return lost("the server closed the connection".into()),
                    // Pings are answered by tungstenite itself; pongs only prove the line is alive.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                };
                // A keepalive that shows nothing was missed changes nothing on screen: it need
                // not wake a sleeping display (a redraw costs real CPU under software rendering).
                // One below the last seq means the server restarted its numbering: wake for it.
                let news = !matches!(
                    &event,
                    FeedEvent::Frame { message: ServerMessage::Keepalive { seq, .. }, .. }
                        if last_applied(applied).is_some_and(|last| *seq == last)
                );
                if !link.send_quietly(event, news) {
                    return Ended::Shutdown;
                }
            }
            _ = ticker.tick() => {
                if last_heard.elapsed() >= config.dead_after {
                    return lost(format!(
                        "no frame or pong for {} s; the connection is dead",
                        last_heard.elapsed().as_secs()
                    ));
                }
                // A failed send shows up as an error on the next read.
                let _ = socket.send(Message::Ping(Bytes::from_static(b"herald"))).await;
            }
            command = commands.recv() => match command {
                None | Some(Command::Shutdown) => {
                    let _ = socket.close(None).await;
                    return Ended::Shutdown;
                }
                Some(Command::Resync) => {
                    // Several gaps in a row need one snapshot, not one each.
                    if resync_sent.is_some_and(|t| t.elapsed() < Duration::from_secs(5)) {
                        continue;
                    }
                    resync_sent = Some(Instant::now());
                    let resync = ClientMessage::Resync { v: VERSION, last_seq: last_applied(applied) };
                    let _ = socket.send(Message::text(protocol::encode_client(&resync))).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_feed_waits_as_the_protocol_says() {
        let config = FeedConfig::new("ws://127.0.0.1:9", "t");
        assert_eq!(config.backoff_first, Backoff::NETWORK.first);
        assert_eq!(config.backoff_max, Backoff::NETWORK.max);
        let wait = backoff(&config, 3).as_secs_f64();
        assert!((1.0..=2.0).contains(&wait), "{wait}");
    }
}
