//! `--log-json`: one JSON object per line on stdout for the events an operator or a test wants
//! to follow. Every event herald can write is a variant of [`LogEvent`], declared once below
//! with its name, its fields and one line saying what it means; `docs/log-events.md` lists the
//! same events and a test keeps the two in step.
//!
//! Human-readable logs go to stderr through `tracing` as usual.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

/// Declares [`LogEvent`]: each variant with its name on the wire, its fields, and a doc line.
macro_rules! log_events {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal { $($field:ident : $ty:ty),* $(,)? } )*) => {
        /// One `--log-json` line.
        #[derive(Clone, Debug, PartialEq)]
        pub enum LogEvent {
            $( #[doc = $doc] $variant { $($field: $ty),* }, )*
        }

        /// Every event's name, fields and meaning, in declaration order (for the docs).
        pub const EVENTS: &[(&str, &[&str], &str)] =
            &[ $( ($name, &[$(stringify!($field)),*], $doc.trim_ascii()), )* ];

        impl LogEvent {
            /// The event's name, the `event` field of its line.
            pub fn name(&self) -> &'static str {
                match self { $( Self::$variant { .. } => $name, )* }
            }

            /// The event's own fields, without `ts` and `event`.
            pub fn fields(&self) -> serde_json::Map<String, Value> {
                let mut map = serde_json::Map::new();
                match self {
                    $( Self::$variant { $($field),* } => {
                        $( map.insert(
                            stringify!($field).trim_start_matches("r#").to_owned(),
                            serde_json::to_value($field).unwrap_or(Value::Null),
                        ); )*
                    } )*
                }
                map
            }
        }
    };
}

log_events! {
    /// The feed connected to the queue system (`url`).
    Connected = "connected" { url: String }
    /// The connection to the queue system was lost; the screen keeps its last state.
    Disconnected = "disconnected" { reason: String }
    /// A frame was refused (`kind` is a stable reason code); the connection stays.
    FrameRejected = "frame_rejected" { kind: String, reason: String }
    /// A frame changed the board: its `type`, `seq`, and the time from socket to board.
    EventApplied = "event_applied" { r#type: String, seq: u64, latency_us: u64 }
    /// A seq was skipped; herald asked for a snapshot.
    Gap = "gap" { expected: Option<u64>, got: u64 }
    /// The queue system counts from a lower seq than herald applied (it restarted); herald asked for a snapshot to follow the new numbering.
    NumberingRestarted = "numbering_restarted" { last: u64, got: u64 }
    /// A call was listed but not shown large nor announced: `stale` (older than the limit, `age_s`) or `backlog` (too many waiting).
    CallSkipped = "call_skipped" { ticket: String, reason: String, age_s: Option<i64> }
    /// The board remembered before a restart is on screen (not yet confirmed by the feed).
    StateRestored = "state_restored" { calls: usize, last_seq: Option<u64>, saved_at: String }
    /// The state file could not be used; it was moved aside and herald started empty.
    StateSetAside = "state_set_aside" { reason: String, moved_to: Option<String> }
    /// The state file could not be written (the screen goes on; the next change tries again).
    StateNotSaved = "state_not_saved" { reason: String }
    /// A call took the hero zone (`fresh` when it arrived as news) in the screen's `frame`.
    CallShown = "call_shown" { ticket: String, counter: String, recall: bool, fresh: bool, frame: u32 }
    /// An emergency began (`shown`) or ended on this screen (cleared, expired or replaced); `kind` is evacuation, closing or other.
    Emergency = "emergency" { id: String, kind: String, shown: bool }
    /// The preview made an event on this display only.
    TestEvent = "test_event" { kind: String, test: bool }
    /// With `--frame-costs`, every 10 s: frames drawn since the last report, those of them that changed nothing on screen, those that drew the room's layer (the rest drew only the call's line), those whose room was copied back from a kept picture, and per render pass the average time on the renderer and pixels shaded per frame.
    RenderPasses = "render_passes" { frames: u32, unchanged: u32, room_frames: u32, room_restored: u32, passes: Vec<RenderPass> }
    /// A call's animation ended: frames drawn for it (the pop-in's, then one per flash change), those of the pop-in, its seconds, and the pop-in's frames per second.
    CallAnimation = "call_animation" { frames: u32, pop_frames: u32, seconds: f64, fps: f64, reduced_motion: bool }
    /// A text is cut off by its zone (pixels needed and shown).
    TextClipped = "text_clipped" { layout: String, text: String, needed: [f32; 2], shown: [f32; 2] }
    /// The media folder's picture files were listed (at start and after each change in it).
    MediaFolder = "media_folder" { folder: String, files: usize }
    /// A picture file was refused (not a PNG or JPEG, broken, too large) and is skipped until it changes.
    MediaRefused = "media_refused" { file: String, reason: String }
    /// The hero's space went to the pictures after a quiet while (`shown`), or a call took it back (`ticket`), in the screen's `frame`.
    MediaInHero = "media_in_hero" { shown: bool, ticket: Option<String>, frame: u32 }
    /// The notice rotation was paused or resumed (WCAG 2.2.2).
    NoticeRotation = "notice_rotation" { paused: bool }
    /// A saved `.ftl` file could not be used; the old words stay.
    WordsError = "words_error" { error: String }
    /// A layout or theme file could not be used; the last good design stays.
    DesignError = "design_error" { file: String, error: String }
    /// Call texts sized for the room's farthest seat (ADA 703.5).
    RoomSizing = "room_sizing" { distance_m: f64, screen_height_mm: f64, required_cap_mm: f64, ticket_cap_mm: f64, too_small: bool }
    /// A problem or change in the announcer worth a person's attention (one line).
    AnnouncerNote = "announcer_note" { message: String }
    /// Many calls wait to be announced; this one is said once, in the office language.
    AnnouncementShortened = "announcement_shortened" { ticket: String, waiting: usize }
    /// A call is shown but not announced (`reason`, e.g. quiet hours).
    AnnouncementSkipped = "announcement_skipped" { ticket: String, reason: String }
    /// An announcement began: what will be said, at which volume, after how long a wait.
    AnnouncementStarted = "announcement_started" { ticket: String, call_id: String, test: bool, recall: bool, shortened: bool, volume: u8, speech: Vec<SpokenText>, waited_ms: u64 }
    /// The chime began playing.
    ChimeStarted = "chime_started" { ticket: String, since_call_ms: u64 }
    /// The voice began a sentence.
    SpeechStarted = "speech_started" { ticket: String, lang: String, text: String, since_call_ms: u64 }
    /// The voice ended a sentence (`spoken` false when it failed).
    SpeechFinished = "speech_finished" { ticket: String, lang: String, spoken: bool, since_call_ms: u64 }
    /// An announcement ended.
    AnnouncementFinished = "announcement_finished" { ticket: String, since_call_ms: u64 }
    /// The queue system's clock minus this display's (first heard, or moved by a second).
    ClockOffset = "clock_offset" { offset_s: f64 }
    /// The log's reader fell behind and `count` lines were left out (`total` since start).
    LogLinesDropped = "log_lines_dropped" { count: u64, total: u64 }
    /// speech-dispatcher cannot be used; calls get the chime only until it returns.
    SpeechUnavailable = "speech_unavailable" { reason: String }
    /// Speech works again after an outage.
    SpeechAvailable = "speech_available" {}
    /// Every system voice herald may need is loaded.
    VoicesLoaded = "voices_loaded" {}
    /// The system voice chosen per spoken language, and the languages left without one.
    VoicesChosen = "voices_chosen" { voices: std::collections::BTreeMap<String, String>, missing: Vec<String> }
    /// A voice pack was loaded for `lang`: `words` recordings, `missing` of the words a call may need.
    VoicePackLoaded = "voice_pack_loaded" { lang: String, dir: String, words: usize, missing: Vec<String> }
    /// A voice pack cannot be used (why); that language is said by the system voice.
    VoicePackFailed = "voice_pack_failed" { lang: String, reason: String }
    /// A call needed `word`, which the `lang` pack has not recorded: that sentence was said by the system voice (once per word).
    VoicePackWordMissing = "voice_pack_word_missing" { lang: String, word: String }
}

/// The table of `docs/log-events.md`, from [`EVENTS`].
pub fn markdown_table() -> String {
    let mut out = String::from("| event | fields | what it means |\n|---|---|---|\n");
    for (name, fields, doc) in EVENTS {
        let fields: Vec<String> = fields
            .iter()
            .map(|f| format!("`{}`", f.trim_start_matches("r#")))
            .collect();
        out.push_str(&format!("| `{name}` | {} | {doc} |\n", fields.join(", ")));
    }
    out
}

/// One render pass, as `render_passes` lists them: its name, its average time on the renderer
/// per frame and the fragments (pixels) its shaders ran for per frame.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RenderPass {
    pub pass: String,
    pub gpu_ms: f64,
    pub fragments: u64,
}

/// One sentence of an announcement, as `announcement_started` lists them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SpokenText {
    pub lang: String,
    pub text: String,
}

static ENABLED: AtomicBool = AtomicBool::new(false);
/// Lines waiting for the writer thread, and how many were dropped because it fell behind.
static WRITER: OnceLock<SyncSender<ToWriter>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// Lines that may wait for the writer before new ones are dropped.
const QUEUE: usize = 4096;

enum ToWriter {
    Line(String),
    Flush(SyncSender<()>),
}
static KEEP: AtomicBool = AtomicBool::new(false);
/// The last events, for the preview panel (kept only when `keep_recent` was called).
static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
/// How many events the preview keeps.
pub const RECENT_EVENTS: usize = 50;

/// Keeps the last `RECENT_EVENTS` events in memory, with or without `--log-json`.
pub fn keep_recent() {
    KEEP.store(true, Ordering::Relaxed);
}

/// The kept events, oldest first, as JSON lines.
pub fn recent() -> Vec<String> {
    RECENT
        .lock()
        .map(|r| r.iter().cloned().collect())
        .unwrap_or_default()
}

/// Turns `--log-json` on: from now on every event is a line on stdout.
pub fn enable() {
    enable_to(Box::new(std::io::stdout()));
}

/// Turns the log on, written to `out` by a thread of its own: whoever emits an event (the
/// render thread, the feed) never waits for a slow or stalled reader. Lines are written
/// buffered and flushed whenever the queue is empty, so the writer keeps up with a burst. When
/// the reader still falls more than 4,096 lines behind, new lines are dropped and counted
/// ([`dropped`]), and once the writer catches up it says so in a `log_lines_dropped` line.
pub fn enable_to(out: Box<dyn Write + Send>) {
    let (tx, rx) = sync_channel::<ToWriter>(QUEUE);
    if WRITER.set(tx).is_err() {
        // Already on: the first writer stays.
        ENABLED.store(true, Ordering::Relaxed);
        return;
    }
    let started = std::thread::Builder::new()
        .name("herald-log".into())
        .spawn(move || write_lines(out, &rx));
    if started.is_ok() {
        ENABLED.store(true, Ordering::Relaxed);
    }
}

/// The log's writer thread. (A closed stdout must not stop herald: write errors are ignored.)
fn write_lines(out: Box<dyn Write + Send>, rx: &std::sync::mpsc::Receiver<ToWriter>) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    let mut reported = 0;
    while let Ok(message) = rx.recv() {
        let mut next = Some(message);
        // Everything already queued goes out in one flush.
        while let Some(message) = next {
            match message {
                ToWriter::Line(line) => {
                    let _ = writeln!(out, "{line}");
                }
                ToWriter::Flush(done) => {
                    let _ = out.flush();
                    let _ = done.send(());
                }
            }
            next = rx.try_recv().ok();
        }
        let dropped = dropped();
        if dropped > reported {
            let event = LogEvent::LogLinesDropped {
                count: dropped - reported,
                total: dropped,
            };
            reported = dropped;
            if let Some(observer) = OBSERVER.get() {
                observer(&event);
            }
            let _ = writeln!(out, "{}", event.line());
        }
        let _ = out.flush();
    }
}

/// Something that wants to see every event as it happens (the status endpoint's counters),
/// whether or not `--log-json` is on.
pub type Observer = Box<dyn Fn(&LogEvent) + Send + Sync>;
static OBSERVER: OnceLock<Observer> = OnceLock::new();

/// Sets the observer (once; later calls are ignored).
pub fn observe(observer: Observer) {
    let _ = OBSERVER.set(observer);
}

/// Lines dropped because the log's reader fell behind.
pub fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Waits (at most `limit`) until every line emitted so far is written; for the end of the
/// program, so the last events are not lost.
pub fn flush(limit: std::time::Duration) {
    let Some(writer) = WRITER.get() else {
        return;
    };
    let (done, wait) = sync_channel(1);
    let deadline = std::time::Instant::now() + limit;
    let mut message = ToWriter::Flush(done);
    loop {
        match writer.try_send(message) {
            Ok(()) => break,
            Err(TrySendError::Full(back)) if std::time::Instant::now() < deadline => {
                message = back;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
    let _ = wait.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

impl LogEvent {
    /// The event as its line: `{"ts": …, "event": name, …fields}`.
    pub fn line(&self) -> String {
        let mut line = serde_json::Map::new();
        line.insert(
            "ts".into(),
            chrono::Utc::now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                .into(),
        );
        line.insert("event".into(), self.name().into());
        line.extend(self.fields());
        Value::Object(line).to_string()
    }
}

/// Writes the event as one line, when `--log-json` is on, and keeps it for the preview.
pub fn emit(event: LogEvent) {
    if let Some(observer) = OBSERVER.get() {
        observer(&event);
    }
    let keep = KEEP.load(Ordering::Relaxed);
    if !enabled() && !keep {
        return;
    }
    let text = event.line();
    if keep && let Ok(mut recent) = RECENT.lock() {
        recent.push_back(text.clone());
        while recent.len() > RECENT_EVENTS {
            recent.pop_front();
        }
    }
    if !enabled() {
        return;
    }
    if let Some(writer) = WRITER.get()
        && writer.try_send(ToWriter::Line(text)).is_err()
    {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_the_time_the_name_and_the_fields_under_their_wire_names() {
        let line = LogEvent::EventApplied {
            r#type: "call".into(),
            seq: 7,
            latency_us: 800,
        }
        .line();
        let value: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(value["event"], "event_applied");
        assert_eq!(value["type"], "call");
        assert_eq!(value["seq"], 7);
        assert!(value["ts"].as_str().is_some_and(|t| t.ends_with('Z')));
        let empty = LogEvent::VoicesLoaded {}.line();
        assert!(empty.contains("\"event\":\"voices_loaded\""), "{empty}");
    }

    /// A reader that never reads: stdout piped into a program that hung.
    struct Stalled;

    impl Write for Stalled {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            std::thread::sleep(std::time::Duration::from_secs(3600));
            Ok(0)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stalled_reader_never_holds_up_whoever_logs() {
        enable_to(Box::new(Stalled));
        let started = std::time::Instant::now();
        for n in 0..10_000 {
            emit(LogEvent::Gap {
                expected: Some(n),
                got: n + 2,
            });
        }
        // Not a timing target: without the writer thread the first line would block for an hour.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        assert!(
            dropped() > 0,
            "lines beyond the queue are dropped, and counted"
        );
    }

    /// A reader that takes its time with every write (a pipe into a busy collector), and
    /// keeps what it got and how many writes it took.
    struct Slow(std::sync::Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Slow {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            std::thread::sleep(std::time::Duration::from_micros(200));
            if let Ok(mut seen) = self.0.lock() {
                seen.0.extend_from_slice(bytes);
                seen.1 += 1;
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_burst_reaches_a_slow_reader_whole_in_few_writes_and_drops_are_said() {
        let seen = std::sync::Arc::new(Mutex::new((Vec::new(), 0)));
        // Lines an emitter could not queue (here made up): the writer must say so.
        DROPPED.fetch_add(7, Ordering::Relaxed);
        let (tx, rx) = sync_channel(QUEUE);
        let out = Slow(seen.clone());
        let writer = std::thread::spawn(move || write_lines(Box::new(out), &rx));
        let lines = 10_005;
        for n in 0..lines {
            let line = LogEvent::EventApplied {
                r#type: "call".into(),
                seq: n,
                latency_us: 5,
            }
            .line();
            // The test waits for room (the real emitter would drop and count instead).
            tx.send(ToWriter::Line(line)).expect("writer alive");
        }
        drop(tx);
        writer.join().expect("writer ends");
        let (text, writes) = seen.lock().map(|s| (s.0.clone(), s.1)).expect("counts");
        let text = String::from_utf8_lossy(&text);
        let got = text.lines().filter(|l| l.contains("event_applied")).count();
        assert_eq!(got, lines as usize, "{got} of {lines} lines arrived");
        let said = text
            .lines()
            .find(|l| l.contains("\"event\":\"log_lines_dropped\""))
            .unwrap_or_else(|| panic!("the drop was never said"));
        let said: Value = serde_json::from_str(said).expect("json");
        assert!(said["total"].as_u64().is_some_and(|t| t >= 7), "{said}");
        assert!(
            writes < lines as usize / 10,
            "{writes} writes for {lines} lines: the writer does not buffer"
        );
    }

    #[test]
    fn the_docs_list_every_event_and_no_other() {
        let docs = include_str!("../../docs/log-events.md");
        let documented: Vec<&str> = docs
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
            .collect();
        let declared: Vec<&str> = EVENTS.iter().map(|(name, _, _)| *name).collect();
        assert_eq!(
            documented, declared,
            "docs/log-events.md and LogEvent disagree; regenerate the table with \
             `herald log-events`"
        );
    }
}
