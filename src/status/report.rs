//! What this display reports to its relay (herald-core's `report`): gathered from the same
//! log events as `/healthz` and `/metrics`, plus what the screen says of itself.

use std::collections::BTreeMap;
use std::time::Instant;

use herald_core::log_event::LogEvent;
use herald_core::report::{
    DisplayReport, FeedReport, MAX_REPORTED_ERRORS, ReportedError, ScreenReport, ShownCall,
    VoiceReport,
};

use super::Shared;

/// The parts of a report that only the log events and the screen know.
#[derive(Default)]
pub(super) struct Reported {
    layout: String,
    languages: Vec<String>,
    scope: String,
    last_seq: Option<u64>,
    voices: Option<(BTreeMap<String, String>, Vec<String>)>,
    outages: u64,
    last_call: Option<ShownCall>,
    errors: Vec<ReportedError>,
    refused: u64,
    clipped: u64,
    closed: bool,
    asleep: bool,
    emergency: Option<String>,
}

fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl Reported {
    /// Takes in one event; true when the console should hear of it at once.
    pub(super) fn observe(&mut self, event: &LogEvent) -> bool {
        let error = |kind: &str, text: String| ReportedError {
            at: now(),
            kind: kind.into(),
            text,
        };
        let problem = match event {
            LogEvent::Connected { .. } | LogEvent::Disconnected { .. } => return true,
            LogEvent::SpeechAvailable {} => return true,
            LogEvent::EventApplied { seq, .. } => {
                self.last_seq = Some(*seq);
                return false;
            }
            LogEvent::VoicesChosen { voices, missing } => {
                self.voices = Some((voices.clone(), missing.clone()));
                return true;
            }
            LogEvent::CallShown {
                ticket, counter, ..
            } => {
                self.last_call = Some(ShownCall {
                    ticket: ticket.clone(),
                    counter: counter.clone(),
                    at: now(),
                });
                return true;
            }
            LogEvent::Emergency { id, shown, .. } => {
                self.emergency = shown.then(|| id.clone());
                return true;
            }
            LogEvent::FrameRejected { kind, reason } => {
                self.refused += 1;
                error("frame_rejected", format!("{kind}: {reason}"))
            }
            // Not the text itself: it may be a visitor's name.
            LogEvent::TextClipped {
                layout,
                needed,
                shown,
                ..
            } => {
                self.clipped += 1;
                error(
                    "text_clipped",
                    format!(
                        "a text of the {layout} layout needs {:.0}×{:.0} px, has {:.0}×{:.0}",
                        needed[0], needed[1], shown[0], shown[1]
                    ),
                )
            }
            LogEvent::SpeechUnavailable { reason } => {
                self.outages += 1;
                error("speech_unavailable", reason.clone())
            }
            LogEvent::StateNotSaved { reason } => error("state_not_saved", reason.clone()),
            LogEvent::DesignError { file, error: e } => {
                error("design_error", format!("{file}: {e}"))
            }
            LogEvent::WordsError { error: e } => error("words_error", e.clone()),
            LogEvent::VoicePackFailed { lang, reason } => {
                error("voice_pack_failed", format!("{lang}: {reason}"))
            }
            LogEvent::VoicePackWordMissing { lang, word } => error(
                "voice_pack_word_missing",
                format!("{lang}: no recording of {word}; said by the system voice"),
            ),
            LogEvent::MediaRefused { file, reason } => {
                error("media_refused", format!("{file}: {reason}"))
            }
            _ => return false,
        };
        self.errors.push(problem);
        let skip = self.errors.len().saturating_sub(MAX_REPORTED_ERRORS);
        self.errors.drain(..skip);
        true
    }
}

impl Shared {
    /// What the screen shows: its layout, languages and part of the office.
    pub fn set_identity(&self, layout: &str, languages: &[String], scope: &str) {
        if let Ok(mut r) = self.report.lock() {
            r.layout = layout.to_owned();
            r.languages = languages.to_vec();
            r.scope = scope.to_owned();
        }
        self.changed();
    }

    /// Closed by the opening hours, and whether the monitor sleeps.
    pub fn set_hours(&self, closed: bool, asleep: bool) {
        let moved = self.report.lock().is_ok_and(|mut r| {
            let moved = (r.closed, r.asleep) != (closed, asleep);
            (r.closed, r.asleep) = (closed, asleep);
            moved
        });
        if moved {
            self.changed();
        }
    }

    pub(super) fn changed(&self) {
        self.changes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// A number that moves whenever something worth reporting at once changed.
    pub fn changes(&self) -> u64 {
        self.changes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The report as of now.
    pub fn report(&self) -> DisplayReport {
        let now = Instant::now();
        let drawn = self.last_frame.lock().ok().and_then(|l| *l);
        let speech = self.speech_down.lock().ok().and_then(|d| d.clone());
        let Ok(r) = self.report.lock() else {
            return DisplayReport::default();
        };
        let (voices, missing) = r.voices.clone().unwrap_or_default();
        DisplayReport {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            layout: r.layout.clone(),
            languages: r.languages.clone(),
            scope: r.scope.clone(),
            feed: FeedReport {
                connected: self.connected.load(std::sync::atomic::Ordering::Relaxed),
                last_seq: r.last_seq,
            },
            screen: ScreenReport {
                last_frame_seconds_ago: drawn.map(|t| (now - t).as_secs()),
                closed: r.closed,
                asleep: r.asleep,
                emergency: r.emergency.clone(),
            },
            voice: VoiceReport {
                spoken: r.voices.is_some() || r.outages > 0,
                available: speech.is_none() && !voices.is_empty(),
                problem: speech.map(|(_, why)| why).or_else(|| match &r.voices {
                    None => Some("no voice chosen yet (or speech is off)".into()),
                    Some((v, _)) if v.is_empty() => {
                        Some("no system voice for any spoken language".into())
                    }
                    Some(_) => None,
                }),
                voices,
                missing,
                outages: r.outages,
            },
            clock_offset_seconds: self.clock_offset.lock().ok().and_then(|o| *o),
            uptime_seconds: (now - self.started).as_secs(),
            last_call: r.last_call.clone(),
            errors: r.errors.clone(),
            refused_frames: r.refused,
            clipped_texts: r.clipped,
        }
    }
}
