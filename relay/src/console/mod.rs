//! The office's console (`docs/console.md`): every display that reports to this relay, what it
//! shows and whether it is well, for the IT office and the office staff in a browser.
//!
//! - here: what each display last said, its state as a person reads it ([`Look`]), its
//!   thumbnail, and the news the console pages follow live;
//! - [`book`]: the console's tables in the relay's SQLite file (status history, audit);
//! - [`alerts`]: a problem that lasts in opening hours becomes an alert (log, metric, webhook);
//! - [`settings`]: the site file's `[console]`; [`text`]: text from displays made safe;
//! - [`logins`]: accounts, sessions, CSRF tokens, the brake on wrong passwords;
//! - [`steer`]: notices and the emergency, posted by office staff into the relay's log;
//! - [`web`]: the routes, sessions and tokens (`pages`: the HTML, `api`: the JSON and the live
//!   stream); [`words`]: the console's Fluent words.

pub mod alerts;
mod api;
pub mod book;
pub mod logins;
mod pages;
pub mod settings;
mod steer;
mod text;
pub mod web;
pub mod words;

pub use text::{ago, clip, shown, since_text, thumbnail_width};

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use herald_core::office::conversation::{DisplayEar, Listening};
use herald_core::protocol::ClientMessage;
use herald_core::report::{Asked, DisplayReport, MAX_THUMBNAIL_BYTES};
use tokio::sync::{broadcast, mpsc};

use crate::site::{ConsoleSite, OfficeSite};

/// Displays report at least this often (the protocol's `report.every`).
pub const REPORT_EVERY: u32 = 15;
/// A connected display that has not reported for this long counts as offline (its link is
/// dead even if the socket has not said so yet).
pub const SILENT_AFTER: Duration = Duration::from_secs(REPORT_EVERY as u64 * 2 + 10);
/// A screen that has not drawn for this long is not drawing (it draws at least once a minute).
const NOT_DRAWING_AFTER: u64 = 90;
/// Recent events kept per display for its page.
const RECENT_EVENTS: usize = 40;

/// A display's state as a person reads it at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Look {
    Live,
    /// Closed by the office's hours.
    Closed,
    /// Closed, and the monitor put to sleep.
    Asleep,
    /// Connected, but its voice is out (calls get the chime only).
    Silent,
    /// Connected, but it has lost its queue feed.
    FeedLost,
    /// Connected, but its screen does not draw.
    NotDrawing,
    Offline,
}

impl Look {
    /// The stable name (API, metrics, webhook, history).
    pub fn name(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Closed => "closed",
            Self::Asleep => "asleep",
            Self::Silent => "silent",
            Self::FeedLost => "feed_lost",
            Self::NotDrawing => "not_drawing",
            Self::Offline => "offline",
        }
    }

    pub const ALL: [Look; 7] = [
        Look::Live,
        Look::Closed,
        Look::Asleep,
        Look::Silent,
        Look::FeedLost,
        Look::NotDrawing,
        Look::Offline,
    ];

    /// A problem someone must look at (during opening hours).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Self::Silent | Self::FeedLost | Self::NotDrawing | Self::Offline
        )
    }
}

/// A thumbnail as the display sent it.
#[derive(Clone, Debug)]
pub struct Thumbnail {
    pub png: Arc<Vec<u8>>,
    pub width: u32,
    pub height: u32,
    pub at: DateTime<Local>,
}

/// One display as the console knows it.
#[derive(Debug)]
pub struct Seen {
    pub office: String,
    pub id: String,
    /// The session that reports now (a reconnect replaces it before the old one is gone).
    connection: Option<u64>,
    pub peer: Option<String>,
    pub look: Look,
    /// Since when it looks like this.
    pub since: DateTime<Local>,
    pub last_seen: DateTime<Local>,
    pub report: Option<DisplayReport>,
    reported: Option<Instant>,
    pub thumbnail: Option<Thumbnail>,
    asks: Option<mpsc::Sender<Asked>>,
    /// The problem and since when it has lasted in opening hours.
    pub(crate) trouble: Option<(Look, Instant)>,
    /// The alert raised and not yet over.
    pub alert: Option<Look>,
    pub events: VecDeque<(DateTime<Local>, String)>,
}

impl Seen {
    fn new(office: &str, id: &str, now: DateTime<Local>) -> Self {
        Self {
            office: office.to_owned(),
            id: id.to_owned(),
            connection: None,
            peer: None,
            look: Look::Offline,
            since: now,
            last_seen: now,
            report: None,
            reported: None,
            thumbnail: None,
            asks: None,
            trouble: None,
            alert: None,
            events: VecDeque::new(),
        }
    }

    fn event(&mut self, text: String) {
        self.events.push_back((Local::now(), text));
        while self.events.len() > RECENT_EVENTS {
            self.events.pop_front();
        }
    }

    /// How it looks now, from its connection and its last report.
    fn looks(&self) -> Look {
        let Some(report) = &self.report else {
            return Look::Offline;
        };
        if self.connection.is_none() || self.reported.is_none_or(|t| t.elapsed() > SILENT_AFTER) {
            return Look::Offline;
        }
        if report.screen.asleep {
            return Look::Asleep;
        }
        if report.screen.closed {
            return Look::Closed;
        }
        // The report's age is added: a screen that stopped drawing stops reporting new frames.
        let since_report = self.reported.map_or(0, |t| t.elapsed().as_secs());
        // A display just started has drawn nothing yet: not drawing only once it should have.
        let not_drawing = match report.screen.last_frame_seconds_ago {
            Some(ago) => ago + since_report > NOT_DRAWING_AFTER,
            None => report.uptime_seconds + since_report > NOT_DRAWING_AFTER,
        };
        if not_drawing {
            return Look::NotDrawing;
        }
        if !report.feed.connected {
            return Look::FeedLost;
        }
        if report.voice.spoken && !report.voice.available {
            return Look::Silent;
        }
        Look::Live
    }
}

/// What the console pages hear: a display changed (office, display).
pub type News = (String, String);

pub struct Console {
    pub site: ConsoleSite,
    offices: Vec<OfficeSite>,
    displays: Mutex<BTreeMap<(String, String), Seen>>,
    pub logins: logins::Logins,
    pub book: book::Book,
    news: broadcast::Sender<News>,
    pub words: words::Words,
    pub metrics: alerts::Metrics,
    next_connection: AtomicU64,
    pub(crate) webhook: mpsc::UnboundedSender<alerts::Note>,
    webhook_queue: Mutex<Option<mpsc::UnboundedReceiver<alerts::Note>>>,
    /// Under TLS the session cookie is `Secure`.
    pub tls: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the console down with it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Console {
    /// The console of a relay whose log is at `database` (its tables go beside the log's).
    pub fn new(
        site: ConsoleSite,
        offices: Vec<OfficeSite>,
        database: Option<&std::path::Path>,
        tls: bool,
    ) -> Result<Arc<Self>, String> {
        let book = book::Book::open(database)?;
        let (news, _) = broadcast::channel(1024);
        let (webhook, queue) = mpsc::unbounded_channel();
        let mut displays = BTreeMap::new();
        // Displays seen before a restart are listed (offline) until they report again.
        for (office, id, at) in book.known().unwrap_or_default() {
            if offices.iter().any(|o| o.id == office) {
                let mut seen = Seen::new(&office, &id, at);
                seen.last_seen = at;
                displays.insert((office, id), seen);
            }
        }
        Ok(Arc::new(Self {
            site,
            offices,
            displays: Mutex::new(displays),
            logins: logins::Logins::default(),
            book,
            news,
            words: words::Words::load(),
            metrics: alerts::Metrics::new(),
            next_connection: AtomicU64::new(1),
            webhook,
            webhook_queue: Mutex::new(Some(queue)),
            tls,
        }))
    }

    pub fn offices(&self) -> &[OfficeSite] {
        &self.offices
    }

    pub fn office(&self, id: &str) -> Option<&OfficeSite> {
        self.offices.iter().find(|o| o.id == id)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<News> {
        self.news.subscribe()
    }

    fn tell(&self, office: &str, id: &str) {
        let _ = self.news.send((office.to_owned(), id.to_owned()));
    }

    /// Reads the displays (for pages and reviews) under the lock.
    pub fn with_displays<R>(
        &self,
        f: impl FnOnce(&mut BTreeMap<(String, String), Seen>) -> R,
    ) -> R {
        f(&mut lock(&self.displays))
    }

    /// A display of `office` said hello: its reports go to the console from now on.
    pub fn joined(self: &Arc<Self>, office: &str, display: &str, peer: &str) -> Listening {
        let connection = self.next_connection.fetch_add(1, Ordering::Relaxed);
        let (asks, requests) = mpsc::channel(4);
        let display = clip(display, 80);
        {
            let mut displays = lock(&self.displays);
            let now = Local::now();
            let seen = displays
                .entry((office.to_owned(), display.clone()))
                .or_insert_with(|| Seen::new(office, &display, now));
            seen.connection = Some(connection);
            seen.peer = Some(peer.to_owned());
            seen.asks = Some(asks);
            seen.last_seen = now;
            seen.event(format!("connected from {peer}"));
        }
        let name = &display;
        tracing::info!("{office}: display {name:?} reports to the console ({peer})");
        self.tell(office, &display);
        Listening {
            ear: Box::new(Ear {
                console: self.clone(),
                office: office.to_owned(),
                display,
                connection,
            }),
            requests,
        }
    }

    fn left(&self, office: &str, display: &str, connection: u64) {
        {
            let mut displays = lock(&self.displays);
            let Some(seen) = displays.get_mut(&(office.to_owned(), display.to_owned())) else {
                return;
            };
            if seen.connection != Some(connection) {
                return;
            }
            seen.connection = None;
            seen.asks = None;
            seen.event("disconnected".into());
        }
        self.tell(office, display);
    }

    fn reported(&self, office: &str, display: &str, connection: u64, report: DisplayReport) {
        self.metrics.reports.inc();
        {
            let mut displays = lock(&self.displays);
            let Some(seen) = displays.get_mut(&(office.to_owned(), display.to_owned())) else {
                return;
            };
            if seen.connection != Some(connection) {
                return;
            }
            seen.last_seen = Local::now();
            seen.reported = Some(Instant::now());
            if let (Some(old), Some(new)) = (
                seen.report.as_ref().and_then(|r| r.last_call.as_ref()),
                report.last_call.as_ref(),
            ) && old != new
            {
                seen.event(format!("showed {} → {}", new.ticket, new.counter));
            }
            let old_errors = seen.report.as_ref().map_or(0, |r| r.errors.len());
            if report.errors.len() > old_errors
                && let Some(e) = report.errors.last()
            {
                seen.event(format!("{}: {}", e.kind, e.text));
            }
            seen.report = Some(report);
        }
        self.tell(office, display);
    }

    fn thumbnail(&self, office: &str, display: &str, connection: u64, thumbnail: Thumbnail) {
        {
            let mut displays = lock(&self.displays);
            let Some(seen) = displays.get_mut(&(office.to_owned(), display.to_owned())) else {
                return;
            };
            if seen.connection != Some(connection) {
                return;
            }
            seen.thumbnail = Some(thumbnail);
        }
        self.tell(office, display);
    }

    /// Asks a connected display for a fresh thumbnail; false when it is not connected.
    pub fn ask_thumbnail(&self, office: &str, display: &str, width: u32) -> bool {
        self.ask(office, display, Asked::Thumbnail(width))
    }

    /// Asks a connected display to show and announce a test call, on it alone; false when it
    /// is not connected.
    pub fn ask_test_call(
        &self,
        office: &str,
        display: &str,
        call: herald_core::report::TestCall,
    ) -> bool {
        self.ask(office, display, Asked::TestCall(call))
    }

    fn ask(&self, office: &str, display: &str, asked: Asked) -> bool {
        let asks = lock(&self.displays)
            .get(&(office.to_owned(), display.to_owned()))
            .and_then(|s| s.asks.clone());
        asks.is_some_and(|a| a.try_send(asked).is_ok())
    }

    /// Asks every connected display without a recent thumbnail (5 minutes) for one: the
    /// list's pictures, renewed while someone looks at the list.
    pub fn ask_missing_thumbnails(&self, width: u32) {
        let asks: Vec<_> = lock(&self.displays)
            .values()
            .filter(|s| s.thumbnail.as_ref().is_none_or(|t| ago(t.at) > 300))
            .filter_map(|s| s.asks.clone())
            .collect();
        for a in asks {
            let _ = a.try_send(Asked::Thumbnail(width));
        }
    }

    /// Takes the webhook queue (once, for the worker).
    pub(crate) fn take_webhook_queue(&self) -> Option<mpsc::UnboundedReceiver<alerts::Note>> {
        lock(&self.webhook_queue).take()
    }
}

/// The console's ear in one display's session.
struct Ear {
    console: Arc<Console>,
    office: String,
    display: String,
    connection: u64,
}

impl DisplayEar for Ear {
    fn heard(&mut self, frame: ClientMessage) {
        match frame {
            ClientMessage::Status { status, .. } => self.console.reported(
                &self.office,
                &self.display,
                self.connection,
                status.bounded(),
            ),
            ClientMessage::Thumbnail {
                width, height, png, ..
            } => match decode_png(&png) {
                Ok(png) => self.console.thumbnail(
                    &self.office,
                    &self.display,
                    self.connection,
                    Thumbnail {
                        png: Arc::new(png),
                        width,
                        height,
                        at: Local::now(),
                    },
                ),
                Err(e) => tracing::warn!(
                    "{}: display {:?} sent a thumbnail that is not kept: {e}",
                    self.office,
                    self.display
                ),
            },
            ClientMessage::Hello { .. } | ClientMessage::Resync { .. } => {}
        }
    }
}

impl Drop for Ear {
    fn drop(&mut self) {
        self.console
            .left(&self.office, &self.display, self.connection);
    }
}

fn decode_png(base64_png: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(base64_png)
        .map_err(|e| format!("not base64: {e}"))?;
    if png.len() > MAX_THUMBNAIL_BYTES {
        return Err(format!("{} bytes, over {MAX_THUMBNAIL_BYTES}", png.len()));
    }
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err("not a PNG".into());
    }
    Ok(png)
}

/// Re-reads every display's look; returns the ones that moved (for alerts and history).
pub(crate) fn review(console: &Console) -> Vec<(String, String, Look, Look)> {
    let mut moved = Vec::new();
    let mut displays = lock(&console.displays);
    let now = Local::now();
    for seen in displays.values_mut() {
        let look = seen.looks();
        if look != seen.look {
            moved.push((seen.office.clone(), seen.id.clone(), seen.look, look));
            seen.event(format!("{} → {}", seen.look.name(), look.name()));
            seen.look = look;
            seen.since = now;
        }
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_without_a_fresh_report_is_offline() {
        let mut seen = Seen::new("o", "d", Local::now());
        assert_eq!(seen.looks(), Look::Offline);
        seen.connection = Some(1);
        seen.reported = Some(Instant::now());
        seen.report = Some(DisplayReport {
            feed: herald_core::report::FeedReport {
                connected: true,
                last_seq: None,
            },
            screen: herald_core::report::ScreenReport {
                last_frame_seconds_ago: Some(1),
                ..Default::default()
            },
            ..Default::default()
        });
        assert_eq!(seen.looks(), Look::Live);
        if let Some(r) = seen.report.as_mut() {
            r.voice.spoken = true;
        }
        assert_eq!(seen.looks(), Look::Silent);
        seen.connection = None;
        assert_eq!(seen.looks(), Look::Offline);
    }
}
