//! What the announcer did, step by step: for the log (`--log-json` and the human log), the
//! preview panel and the tests.

use crate::log_event::LogEvent;
use crate::log_event::SpokenText;

/// What the announcer did.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Started {
        ticket: String,
        call_id: String,
        test: bool,
        recall: bool,
        shortened: bool,
        volume: u8,
        speech: Vec<SpokenText>,
        waited_ms: u64,
    },
    ChimeStarted {
        ticket: String,
        after_call_ms: u64,
    },
    SpeechStarted {
        ticket: String,
        lang: String,
        text: String,
        after_call_ms: u64,
    },
    SpeechEnded {
        ticket: String,
        lang: String,
        spoken: bool,
        /// Why it was not said, when it was not.
        failure: Option<String>,
        after_call_ms: u64,
    },
    Finished {
        ticket: String,
        total_ms: u64,
    },
    Skipped {
        ticket: String,
        reason: String,
    },
    /// Too many calls wait: this one is said once, in the office language only.
    Shortened {
        ticket: String,
        waiting: usize,
    },
    /// A cancelled call was dropped before it was announced.
    Cancelled {
        call_id: String,
    },
    /// A one-line problem or change worth a person's attention.
    Note(String),
    SpeechUnavailable {
        reason: String,
    },
    SpeechAvailable,
    VoicesLoaded,
    /// The voices the system offers for our languages (language → voice name).
    Voices(Vec<(String, String)>),
}

impl Progress {
    /// The `--log-json` line for this step, if it has one.
    pub fn log_event(&self) -> Option<LogEvent> {
        Some(match self.clone() {
            Progress::Started {
                ticket,
                call_id,
                test,
                recall,
                shortened,
                volume,
                speech,
                waited_ms,
            } => LogEvent::AnnouncementStarted {
                ticket,
                call_id,
                test,
                recall,
                shortened,
                volume,
                speech,
                waited_ms,
            },
            Progress::ChimeStarted {
                ticket,
                after_call_ms,
            } => LogEvent::ChimeStarted {
                ticket,
                since_call_ms: after_call_ms,
            },
            Progress::SpeechStarted {
                ticket,
                lang,
                text,
                after_call_ms,
            } => LogEvent::SpeechStarted {
                ticket,
                lang,
                text,
                since_call_ms: after_call_ms,
            },
            Progress::SpeechEnded {
                ticket,
                lang,
                spoken,
                after_call_ms,
                ..
            } => LogEvent::SpeechFinished {
                ticket,
                lang,
                spoken,
                since_call_ms: after_call_ms,
            },
            Progress::Finished { ticket, total_ms } => LogEvent::AnnouncementFinished {
                ticket,
                since_call_ms: total_ms,
            },
            Progress::Skipped { ticket, reason } => {
                LogEvent::AnnouncementSkipped { ticket, reason }
            }
            Progress::Shortened { ticket, waiting } => {
                LogEvent::AnnouncementShortened { ticket, waiting }
            }
            Progress::Note(message) => LogEvent::AnnouncerNote { message },
            Progress::SpeechUnavailable { reason } => LogEvent::SpeechUnavailable { reason },
            Progress::SpeechAvailable => LogEvent::SpeechAvailable {},
            Progress::VoicesLoaded => LogEvent::VoicesLoaded {},
            Progress::Cancelled { .. } | Progress::Voices(_) => return None,
        })
    }

    /// The line for the human log on stderr, if it has one, and whether it is a warning.
    pub fn human_line(&self) -> Option<(String, bool)> {
        match self {
            Progress::Note(line) => Some((line.clone(), true)),
            Progress::Shortened { ticket, waiting } => Some((
                format!(
                    "{waiting} calls are waiting to be announced; {ticket} will be said once, \
                     in the office language only"
                ),
                false,
            )),
            Progress::Skipped { ticket, reason } => Some((
                format!("{reason}: {ticket} is shown but not announced"),
                false,
            )),
            Progress::Cancelled { call_id } => Some((
                format!("call {call_id} was cancelled before it was announced; dropped"),
                false,
            )),
            Progress::SpeechEnded {
                ticket,
                lang,
                failure: Some(reason),
                ..
            } => Some((format!("could not say {ticket} in {lang}: {reason}"), true)),
            Progress::SpeechAvailable => Some(("speech is available again".into(), false)),
            Progress::VoicesLoaded => Some(("every system voice is loaded".into(), false)),
            Progress::Voices(voices) => Some((
                format!(
                    "system voices: {}",
                    voices
                        .iter()
                        .map(|(l, v)| format!("{l}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                false,
            )),
            _ => None,
        }
    }
}
