//! The Prometheus metrics, counted from the log events as they happen.

use herald_core::log_event::LogEvent;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: String,
}

/// Every metric herald exports.
pub struct Metrics {
    registry: Registry,
    frames_applied: Counter,
    frames_rejected: Family<Reason, Counter>,
    reconnects: Counter,
    connected: Gauge,
    last_event: Gauge<f64, std::sync::atomic::AtomicU64>,
    calls_shown: Counter,
    calls_skipped: Family<Reason, Counter>,
    announcements_started: Counter,
    announcements_finished: Counter,
    announcements_skipped: Counter,
    announcements_shortened: Counter,
    speech_outages: Counter,
    texts_clipped: Counter,
    pack_words_missing: Counter,
    latency_seconds: Histogram,
    pub frame_seconds: Histogram,
    resident_bytes: Gauge,
    glyph_atlas_sizes: Gauge,
    glyph_atlas_bytes: Gauge,
    clock_offset: Gauge<f64, std::sync::atomic::AtomicU64>,
    log_lines_dropped: Counter,
    /// The feed has connected before: the next connection is a reconnect.
    seen_connection: std::sync::atomic::AtomicBool,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("herald");
        let m = Self {
            frames_applied: Counter::default(),
            frames_rejected: Family::default(),
            reconnects: Counter::default(),
            connected: Gauge::default(),
            last_event: Gauge::default(),
            calls_shown: Counter::default(),
            calls_skipped: Family::default(),
            announcements_started: Counter::default(),
            announcements_finished: Counter::default(),
            announcements_skipped: Counter::default(),
            announcements_shortened: Counter::default(),
            speech_outages: Counter::default(),
            texts_clipped: Counter::default(),
            pack_words_missing: Counter::default(),
            // 0.1 ms … about 3 s.
            latency_seconds: Histogram::new(exponential_buckets(0.0001, 3.0, 10)),
            // 1 ms … about 6.5 s.
            frame_seconds: Histogram::new(exponential_buckets(0.001, 3.0, 9)),
            resident_bytes: Gauge::default(),
            glyph_atlas_sizes: Gauge::default(),
            glyph_atlas_bytes: Gauge::default(),
            clock_offset: Gauge::default(),
            log_lines_dropped: Counter::default(),
            seen_connection: std::sync::atomic::AtomicBool::new(false),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "frames_applied",
            "Feed frames that changed the board",
            m.frames_applied.clone(),
        );
        r.register(
            "frames_rejected",
            "Feed frames refused, by reason",
            m.frames_rejected.clone(),
        );
        r.register(
            "reconnects",
            "Connections to the queue system after the first",
            m.reconnects.clone(),
        );
        r.register(
            "feed_connected",
            "1 while the queue feed is connected",
            m.connected.clone(),
        );
        r.register(
            "last_event_timestamp_seconds",
            "Unix time of the last frame that changed the board",
            m.last_event.clone(),
        );
        r.register(
            "clock_offset_seconds",
            "The queue system's clock minus this display's, from its last keepalive",
            m.clock_offset.clone(),
        );
        r.register(
            "log_lines_dropped",
            "--log-json lines left out because the log's reader fell behind",
            m.log_lines_dropped.clone(),
        );
        r.register(
            "calls_shown",
            "Calls that took the hero zone",
            m.calls_shown.clone(),
        );
        r.register(
            "calls_skipped",
            "Calls listed but not shown large nor announced, by reason",
            m.calls_skipped.clone(),
        );
        r.register(
            "announcements_started",
            "Announcements begun",
            m.announcements_started.clone(),
        );
        r.register(
            "announcements_finished",
            "Announcements ended",
            m.announcements_finished.clone(),
        );
        r.register(
            "announcements_skipped",
            "Calls not announced (quiet hours, backlog)",
            m.announcements_skipped.clone(),
        );
        r.register(
            "announcements_shortened",
            "Announcements shortened by a backlog",
            m.announcements_shortened.clone(),
        );
        r.register(
            "speech_outages",
            "Times speech-dispatcher became unavailable",
            m.speech_outages.clone(),
        );
        r.register(
            "texts_clipped",
            "Texts found cut off by their zone",
            m.texts_clipped.clone(),
        );
        r.register(
            "voice_pack_words_missing",
            "Words a call needed that its language's voice pack has not recorded (each once)",
            m.pack_words_missing.clone(),
        );
        r.register(
            "frame_to_board_seconds",
            "Time from a frame's arrival on the socket to the board",
            m.latency_seconds.clone(),
        );
        r.register(
            "frame_update_seconds",
            "Time of one screen update (main loop)",
            m.frame_seconds.clone(),
        );
        r.register(
            "resident_memory_bytes",
            "Resident memory of the herald process",
            m.resident_bytes.clone(),
        );
        r.register(
            "glyph_atlas_sizes",
            "Font sizes the screen has drawn glyphs in (each keeps its own glyph atlas)",
            m.glyph_atlas_sizes.clone(),
        );
        r.register(
            "glyph_atlas_bytes",
            "Bytes of the glyph atlases on the CPU (the renderer holds a copy as large)",
            m.glyph_atlas_bytes.clone(),
        );
        Self { registry, ..m }
    }

    /// Counts what `event` says happened.
    pub fn count(&self, event: &LogEvent) {
        match event {
            LogEvent::EventApplied { latency_us, .. } => {
                self.frames_applied.inc();
                self.latency_seconds.observe(*latency_us as f64 / 1e6);
                self.last_event
                    .set(chrono::Utc::now().timestamp_millis() as f64 / 1000.0);
            }
            LogEvent::LogLinesDropped { count, .. } => {
                self.log_lines_dropped.inc_by(*count);
            }
            LogEvent::ClockOffset { offset_s } => {
                self.clock_offset.set(*offset_s);
            }
            LogEvent::FrameRejected { kind, .. } => {
                self.frames_rejected
                    .get_or_create(&Reason {
                        reason: kind.clone(),
                    })
                    .inc();
            }
            LogEvent::Connected { .. } => {
                if self
                    .seen_connection
                    .swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    self.reconnects.inc();
                }
                self.connected.set(1);
            }
            LogEvent::Disconnected { .. } => {
                self.connected.set(0);
            }
            LogEvent::CallShown { .. } => {
                self.calls_shown.inc();
            }
            LogEvent::CallSkipped { reason, .. } => {
                self.calls_skipped
                    .get_or_create(&Reason {
                        reason: reason.clone(),
                    })
                    .inc();
            }
            LogEvent::AnnouncementStarted { .. } => {
                self.announcements_started.inc();
            }
            LogEvent::AnnouncementFinished { .. } => {
                self.announcements_finished.inc();
            }
            LogEvent::AnnouncementSkipped { .. } => {
                self.announcements_skipped.inc();
            }
            LogEvent::AnnouncementShortened { .. } => {
                self.announcements_shortened.inc();
            }
            LogEvent::SpeechUnavailable { .. } => {
                self.speech_outages.inc();
            }
            LogEvent::TextClipped { .. } => {
                self.texts_clipped.inc();
            }
            LogEvent::VoicePackWordMissing { .. } => {
                self.pack_words_missing.inc();
            }
            _ => {}
        }
    }

    /// The glyph atlases the screen keeps now: font sizes and bytes.
    pub fn glyph_atlases(&self, sizes: usize, bytes: u64) {
        self.glyph_atlas_sizes
            .set(i64::try_from(sizes).unwrap_or(i64::MAX));
        self.glyph_atlas_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// The Prometheus text of every metric.
    pub fn encode(&self) -> Result<String, String> {
        self.resident_bytes.set(resident_bytes());
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .map_err(|e| format!("cannot encode the metrics: {e}"))?;
        Ok(out)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Resident memory from /proc/self/statm (pages × page size); 0 where it cannot be read.
fn resident_bytes() -> i64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map_or(0, |pages| pages * 4096)
}
