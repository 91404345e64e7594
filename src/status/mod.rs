//! Status for the IT office: a small HTTP server on a thread of its own (loopback by default,
//! any other address only with a token) answering
//! - `GET /healthz`: 200 with a JSON body while the screen draws, the feed is connected or
//!   was lost less than `lost_limit` ago and speech has not been out for a minute; 503 with the
//!   reason otherwise;
//! - `GET /metrics`: Prometheus text (frames applied and refused, reconnects, announcements,
//!   clipped texts, latency and frame-time histograms, resident memory);
//! - `GET /screenshot.png`: the screen as it is now.
//!
//! The counters are kept from the typed log events (`herald_core::log_event`), so what the log
//! says and what the metrics count cannot drift apart.

mod metrics;
mod report;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use herald_core::secret::Secret;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub use metrics::Metrics;

/// How the status server is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusConfig {
    pub address: SocketAddr,
    /// Required for an address other than loopback.
    pub token: Option<Secret>,
    /// `/healthz` fails once the feed has been lost this long.
    pub lost_limit: Duration,
}

/// The screen must have drawn within this long: it redraws at least every minute (the clock).
const DRAWN_WITHIN: Duration = Duration::from_secs(75);
/// A speech outage longer than this fails `/healthz` (a restarting speech-dispatcher is back
/// within seconds; one that stays away needs a person).
const SPEECH_GRACE: Duration = Duration::from_secs(60);
/// How long `/screenshot.png` waits for the screen.
const SCREENSHOT_WAIT: Duration = Duration::from_secs(10);

/// A PNG of the screen, or why there is none.
pub type ScreenshotReply = std::sync::mpsc::SyncSender<Result<Vec<u8>, String>>;

/// A picture of the screen asked for: whole (`/screenshot.png`) or as a thumbnail at most
/// `thumbnail` pixels wide (for the console).
pub struct ShotRequest {
    pub reply: ScreenshotReply,
    pub thumbnail: Option<u32>,
}

/// What the server and the screen share.
pub struct Shared {
    pub metrics: Metrics,
    last_frame: Mutex<Option<Instant>>,
    connected: AtomicBool,
    lost_since: Mutex<Option<Instant>>,
    /// Since when speech has been out, and why.
    speech_down: Mutex<Option<(Instant, String)>>,
    /// The queue system's clock minus this display's, in seconds, once it said.
    clock_offset: Mutex<Option<f64>>,
    started: Instant,
    screenshots: Mutex<mpsc::Sender<ShotRequest>>,
    /// What the display reports to its relay besides the above.
    report: Mutex<report::Reported>,
    /// Bumped on every change worth reporting at once.
    changes: std::sync::atomic::AtomicU64,
    /// Wakes the sleeping screen so it takes the screenshot at once.
    wake: Mutex<Option<Arc<dyn Fn() + Send + Sync>>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared(status)")
    }
}

impl Shared {
    /// The shared state, and where the screen receives screenshot requests.
    pub fn new() -> (Arc<Self>, mpsc::Receiver<ShotRequest>) {
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(Self {
            metrics: Metrics::new(),
            last_frame: Mutex::new(None),
            connected: AtomicBool::new(false),
            lost_since: Mutex::new(None),
            speech_down: Mutex::new(None),
            clock_offset: Mutex::new(None),
            started: Instant::now(),
            screenshots: Mutex::new(tx),
            report: Mutex::new(report::Reported::default()),
            changes: std::sync::atomic::AtomicU64::new(0),
            wake: Mutex::new(None),
        });
        (shared, rx)
    }

    /// The screen drew a frame now, taking `took` of the main loop.
    pub fn frame_drawn(&self, took: Duration) {
        if let Ok(mut last) = self.last_frame.lock() {
            *last = Some(Instant::now());
        }
        self.metrics.frame_seconds.observe(took.as_secs_f64());
    }

    /// How the screen is woken for a screenshot.
    pub fn set_waker(&self, wake: Arc<dyn Fn() + Send + Sync>) {
        if let Ok(mut w) = self.wake.lock() {
            *w = Some(wake);
        }
    }

    /// Follows every log event: the connection for `/healthz`, the counters for `/metrics`.
    pub fn observe(&self, event: &herald_core::log_event::LogEvent) {
        use herald_core::log_event::LogEvent;
        if let Ok(mut reported) = self.report.lock()
            && reported.observe(event)
        {
            self.changed();
        }
        match event {
            LogEvent::Connected { .. } => {
                self.connected.store(true, Ordering::Relaxed);
                if let Ok(mut lost) = self.lost_since.lock() {
                    *lost = None;
                }
            }
            LogEvent::Disconnected { .. } => {
                self.connected.store(false, Ordering::Relaxed);
                if let Ok(mut lost) = self.lost_since.lock() {
                    lost.get_or_insert_with(Instant::now);
                }
            }
            LogEvent::SpeechUnavailable { reason } => {
                if let Ok(mut down) = self.speech_down.lock() {
                    down.get_or_insert_with(|| (Instant::now(), reason.clone()));
                }
            }
            LogEvent::ClockOffset { offset_s } => {
                if let Ok(mut offset) = self.clock_offset.lock() {
                    *offset = Some(*offset_s);
                }
            }
            LogEvent::SpeechAvailable {} => {
                if let Ok(mut down) = self.speech_down.lock() {
                    *down = None;
                }
            }
            _ => {}
        }
        self.metrics.count(event);
    }

    /// `/healthz`: healthy or why not.
    pub fn health(&self, lost_limit: Duration) -> (bool, serde_json::Value) {
        let now = Instant::now();
        let drawn = self.last_frame.lock().ok().and_then(|l| *l);
        let connected = self.connected.load(Ordering::Relaxed);
        // Before the first connection, "lost" counts from the start.
        let lost_for = if connected {
            None
        } else {
            let since = self.lost_since.lock().ok().and_then(|l| *l);
            Some(now - since.unwrap_or(self.started))
        };
        let mut problems = Vec::new();
        match drawn {
            None => problems.push("the screen has not drawn yet".to_owned()),
            Some(t) if now - t > DRAWN_WITHIN => problems.push(format!(
                "the screen has not drawn for {} s (it redraws at least every minute)",
                (now - t).as_secs()
            )),
            Some(_) => {}
        }
        if let Some(lost) = lost_for.filter(|l| *l > lost_limit) {
            problems.push(format!(
                "the queue feed has been lost for {} s (limit {} s)",
                lost.as_secs(),
                lost_limit.as_secs()
            ));
        }
        let speech = self.speech_down.lock().ok().and_then(|d| d.clone());
        if let Some((since, reason)) = &speech
            && now - *since > SPEECH_GRACE
        {
            problems.push(format!(
                "speech has been unavailable for {} s ({reason}); calls get the chime only",
                (now - *since).as_secs()
            ));
        }
        let body = serde_json::json!({
            "healthy": problems.is_empty(),
            "clock_offset_seconds": self.clock_offset.lock().ok().and_then(|o| *o),
            "speech_available": speech.is_none(),
            "speech_unavailable_seconds": speech.as_ref().map(|(since, _)| (now - *since).as_secs()),
            "speech_problem": speech.map(|(_, reason)| reason),
            "problems": problems,
            "feed_connected": connected,
            "feed_lost_seconds": lost_for.map(|l| l.as_secs()),
            "last_frame_seconds_ago": drawn.map(|t| (now - t).as_secs()),
            "uptime_seconds": (now - self.started).as_secs(),
        });
        (problems.is_empty(), body)
    }
}

/// Starts the status server; a port already in use is an error (herald then does not start).
pub fn spawn(config: StatusConfig, shared: Arc<Shared>) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(config.address)?;
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("herald-status".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = TcpListener::from_std(listener) else {
                    return;
                };
                let config = Arc::new(config);
                while let Ok((stream, _)) = listener.accept().await {
                    let (config, shared) = (config.clone(), shared.clone());
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            let (config, shared) = (config.clone(), shared.clone());
                            async move { Ok::<_, Infallible>(answer(&request, &config, &shared).await) }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        })?;
    Ok(())
}

fn reply(status: StatusCode, kind: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = kind.parse() {
        response.headers_mut().insert("content-type", value);
    }
    response
}

async fn answer<B>(
    request: &Request<B>,
    config: &StatusConfig,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    if let Some(token) = &config.token {
        let offered = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !offered.is_some_and(|given| token.matches(given)) {
            return reply(
                StatusCode::UNAUTHORIZED,
                "text/plain",
                "a status token is required: Authorization: Bearer <token>\n",
            );
        }
    }
    match request.uri().path() {
        "/healthz" => {
            let (healthy, body) = shared.health(config.lost_limit);
            let status = if healthy {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            reply(status, "application/json", format!("{body}\n"))
        }
        "/metrics" => match shared.metrics.encode() {
            Ok(text) => reply(
                StatusCode::OK,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                text,
            ),
            Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", e),
        },
        "/screenshot.png" => screenshot(shared).await,
        _ => reply(
            StatusCode::NOT_FOUND,
            "text/plain",
            "herald status: /healthz, /metrics, /screenshot.png\n",
        ),
    }
}

impl Shared {
    /// Asks the screen for a picture; the answer arrives on the returned channel.
    pub fn ask_screen(
        &self,
        thumbnail: Option<u32>,
    ) -> Option<mpsc::Receiver<Result<Vec<u8>, String>>> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let asked = self
            .screenshots
            .lock()
            .map(|s| {
                s.send(ShotRequest {
                    reply: tx,
                    thumbnail,
                })
                .is_ok()
            })
            .unwrap_or(false);
        if let Some(wake) = self.wake.lock().ok().and_then(|w| w.clone()) {
            wake();
        }
        asked.then_some(rx)
    }

    /// A thumbnail of the screen, at most `width` pixels wide; waits for the screen (at most
    /// 10 s), so call it off the async threads.
    pub fn thumbnail(&self, width: u32) -> Result<Vec<u8>, String> {
        self.ask_screen(Some(width))
            .ok_or("the screen is not drawing")?
            .recv_timeout(SCREENSHOT_WAIT)
            .map_err(|_| "the screen did not answer within 10 s".to_owned())?
    }
}

async fn screenshot(shared: &Shared) -> Response<Full<Bytes>> {
    let answer = match shared.ask_screen(None) {
        Some(rx) => tokio::task::spawn_blocking(move || rx.recv_timeout(SCREENSHOT_WAIT))
            .await
            .ok()
            .and_then(Result::ok),
        None => None,
    };
    match answer {
        Some(Ok(png)) => reply(StatusCode::OK, "image/png", png),
        Some(Err(e)) => reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", e),
        None => reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain",
            "the screen did not answer within 10 s\n",
        ),
    }
}
