//! The feed: a WebSocket client on its own tokio thread that keeps herald subscribed to the
//! office's queue system, and hands typed frames to the board through a channel.
//!
//! It reconnects by itself (jittered exponential backoff, capped), detects a silent dead
//! connection with pings, resumes from the last applied seq, and refuses bad frames with one
//! clear reason each. It never touches the board: [`pump`] does that on the receiving side.

pub mod demo;
pub mod journal;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc as tokio_mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::board::{Applied, Board, News};
use crate::protocol::{self, ClientMessage, Rejection, ServerMessage, VERSION};

/// Called after each event is queued, so a sleeping UI loop wakes up and draws it.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How the client connects and how patient it is.
#[derive(Clone, Debug)]
pub struct FeedConfig {
    pub url: String,
    pub display: String,
    pub token: Option<String>,
    /// A ping is sent this often when the line is quiet.
    pub ping_every: Duration,
    /// With no frame at all (pong included) for this long, the connection is declared dead.
    pub dead_after: Duration,
    pub connect_timeout: Duration,
    pub backoff_first: Duration,
    pub backoff_max: Duration,
}

impl FeedConfig {
    pub fn new(url: impl Into<String>, display: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            display: display.into(),
            token: None,
            ping_every: Duration::from_secs(5),
            dead_after: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            backoff_first: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// What the feed thread reports.
#[derive(Debug)]
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
    let applied = Arc::new(AtomicU64::new(u64::MAX));
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
    /// The connection was up and then lost.
    Lost(String),
    /// The connection could not be made.
    Failed(String),
}

async fn run(
    config: FeedConfig,
    link: Link,
    mut commands: tokio_mpsc::UnboundedReceiver<Command>,
    applied: Arc<AtomicU64>,
) {
    // rustls needs a process-wide crypto provider for wss://; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut failures: u32 = 0;
    loop {
        match session(&config, &link, &mut commands, &applied).await {
            Ended::Shutdown => return,
            Ended::Lost(reason) => {
                failures = 0;
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

/// Exponential backoff with full jitter in [half, full] of the step, capped.
pub fn backoff(config: &FeedConfig, failures: u32) -> Duration {
    let step = config
        .backoff_first
        .saturating_mul(1u32 << failures.min(16))
        .min(config.backoff_max);
    let jitter: f64 = rand::random_range(0.5..=1.0);
    step.mul_f64(jitter)
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
    let mut request = match config.url.as_str().into_client_request() {
        Ok(request) => request,
        Err(e) => return Ended::Failed(format!("feed URL {:?} is not usable: {e}", config.url)),
    };
    if let Some(token) = &config.token {
        match HeaderValue::from_str(&format!("Bearer {token}")) {
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
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(ws_config), true);
    let mut socket = match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok((socket, _response))) => socket,
        Ok(Err(e)) => return Ended::Failed(format!("cannot connect to {}: {e}", config.url)),
        Err(_) => {
            return Ended::Failed(format!(
                "cannot connect to {}: no answer in {} s",
                config.url,
                config.connect_timeout.as_secs()
            ));
        }
    };
    let hello = ClientMessage::Hello {
        v: VERSION,
        display: config.display.clone(),
        token: config.token.clone(),
        last_seq: last_applied(applied),
    };
    if let Err(e) = socket
        .send(Message::text(protocol::encode_client(&hello)))
        .await
    {
        return Ended::Failed(format!("{} closed during hello: {e}", config.url));
    }
    if !link.send(FeedEvent::Connected {
        url: config.url.clone(),
    }) {
        return Ended::Shutdown;
    }

    let mut last_heard = Instant::now();
    let mut ticker = tokio::time::interval(config.ping_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut resync_sent: Option<Instant> = None;
    loop {
        tokio::select! {
            frame = socket.next() => {
                let received = Instant::now();
                let frame = match frame {
                    None => return Ended::Lost("the server closed the connection".into()),
                    Some(Err(e)) => return Ended::Lost(format!("connection error: {e}")),
                    Some(Ok(frame)) => frame,
                };
                last_heard = received;
                let event = match frame {
                    Message::Text(text) => match protocol::decode(text.as_str()) {
                        Ok(message) => {
                            if matches!(message, ServerMessage::Snapshot { .. }) {
                                resync_sent = None;
                            }
                            FeedEvent::Frame { message, received }
                        }
                        Err(rejection) => FeedEvent::Rejected(rejection),
                    },
                    Message::Binary(bytes) => FeedEvent::Rejected(Rejection::Binary { bytes: bytes.len() }),
                    Message::Close(_) => return Ended::Lost("the server closed the connection".into()),
                    // Pings are answered by tungstenite itself; pongs only prove the line is alive.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                };
                // A keepalive that shows nothing was missed changes nothing on screen: it need
                // not wake a sleeping display (a redraw costs real CPU under software rendering).
                let news = !matches!(
                    &event,
                    FeedEvent::Frame { message: ServerMessage::Keepalive { seq, .. }, .. }
                        if last_applied(applied).is_some_and(|last| *seq <= last)
                );
                if !link.send_quietly(event, news) {
                    return Ended::Shutdown;
                }
            }
            _ = ticker.tick() => {
                if last_heard.elapsed() >= config.dead_after {
                    return Ended::Lost(format!(
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

/// How many rejected frames `FeedStatus` remembers, for the preview panel.
pub const KEPT_REJECTIONS: usize = 10;

/// The connection as the screen and the log see it.
#[derive(Clone, Debug, Default)]
pub struct FeedStatus {
    pub connected: bool,
    /// When the connection was lost (local time), while it is down.
    pub lost_since: Option<chrono::DateTime<chrono::Local>>,
    pub reconnects: u32,
    pub rejected: u64,
    pub duplicates: u64,
    pub gaps: u64,
    pub last_rejection: Option<String>,
    /// The last rejected frames (local time, reason), newest last, at most `KEPT_REJECTIONS`.
    pub rejections: std::collections::VecDeque<(String, String)>,
    /// Time from a frame's arrival on the socket to the board having applied it (last frame).
    pub last_latency: Option<Duration>,
    ever_connected: bool,
}

/// One thing [`pump`] did, for the log.
#[derive(Debug)]
pub enum Pumped {
    Connected(String),
    Disconnected(String),
    Rejected(Rejection),
    Applied {
        kind: &'static str,
        seq: u64,
        latency: Duration,
        news: Vec<News>,
    },
    Duplicate(u64),
    Gap {
        expected: Option<u64>,
        got: u64,
    },
}

/// Drains the feed into the board: the single place where frames become state.
/// Used by the Bevy shell every frame and by the tests directly.
pub fn pump(handle: &FeedHandle, board: &mut Board, status: &mut FeedStatus) -> Vec<Pumped> {
    let mut done = Vec::new();
    for event in handle.drain() {
        done.push(match event {
            FeedEvent::Connected { url } => {
                status.connected = true;
                status.lost_since = None;
                if status.ever_connected {
                    status.reconnects += 1;
                }
                status.ever_connected = true;
                Pumped::Connected(url)
            }
            FeedEvent::Disconnected { reason } => {
                if status.connected || status.lost_since.is_none() {
                    status.lost_since = Some(chrono::Local::now());
                }
                status.connected = false;
                Pumped::Disconnected(reason)
            }
            FeedEvent::Rejected(rejection) => {
                status.rejected += 1;
                status.last_rejection = Some(rejection.to_string());
                status.rejections.push_back((
                    chrono::Local::now().format("%H:%M:%S").to_string(),
                    rejection.to_string(),
                ));
                while status.rejections.len() > KEPT_REJECTIONS {
                    status.rejections.pop_front();
                }
                Pumped::Rejected(rejection)
            }
            FeedEvent::Frame { message, received } => match board.apply(&message) {
                Applied::Changed(news) => {
                    handle.set_applied(board.last_seq());
                    let latency = received.elapsed();
                    status.last_latency = Some(latency);
                    Pumped::Applied {
                        kind: message.kind(),
                        seq: message.seq(),
                        latency,
                        news,
                    }
                }
                Applied::Duplicate { seq, .. } => {
                    status.duplicates += 1;
                    Pumped::Duplicate(seq)
                }
                Applied::Gap { expected, got } => {
                    status.gaps += 1;
                    handle.request_resync();
                    Pumped::Gap { expected, got }
                }
            },
        });
    }
    done
}
