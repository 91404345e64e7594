//! What a display tells its relay about itself (`docs/protocol.md`, "Reporting back"): the
//! status the IT office's console shows, and the checks the relay makes before it keeps one.
//!
//! A report describes the screen, never the visitors: ticket numbers and counters are what the
//! room's own screen shows to everybody; no names, no personal data.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How often a display reports at least, when the server asks without saying.
pub const REPORT_EVERY_SECONDS: u32 = 30;
/// The widest thumbnail a server may ask for.
pub const MAX_THUMBNAIL_WIDTH: u32 = 640;
/// A thumbnail's PNG is at most this big (its base64 then fits in one frame).
pub const MAX_THUMBNAIL_BYTES: usize = 46 * 1024;
/// The last errors a report carries.
pub const MAX_REPORTED_ERRORS: usize = 5;

/// In a keepalive: the server takes reports (and this once, a thumbnail).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportWanted {
    /// Report at least this often, in seconds (and at once on every change).
    pub every: u32,
    /// Send a thumbnail of the screen, at most this many pixels wide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<u32>,
    /// Show and announce this test call on this display only (never stored, never on other
    /// displays; marked as a test in its log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_call: Option<TestCall>,
}

/// A test call asked from the console ("does the screen on floor 2 speak?").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TestCall {
    pub ticket: String,
    pub counter: String,
}

/// What the office asks of one reporting display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Asked {
    /// A thumbnail at most this wide.
    Thumbnail(u32),
    TestCall(TestCall),
}

/// A display's status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DisplayReport {
    /// herald's version.
    pub version: String,
    /// The layout on screen ("hall", "counter", …).
    pub layout: String,
    /// The languages it shows, first the main one.
    pub languages: Vec<String>,
    /// The part of the office it shows ("all", or its counters/floors/services).
    pub scope: String,
    pub feed: FeedReport,
    pub screen: ScreenReport,
    pub voice: VoiceReport,
    /// The relay's clock minus the display's, in seconds, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_seconds: Option<f64>,
    pub uptime_seconds: u64,
    /// The last call the screen showed large.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_call: Option<ShownCall>,
    /// The last few problems, newest last.
    #[serde(default)]
    pub errors: Vec<ReportedError>,
    /// Frames refused since the start.
    #[serde(default)]
    pub refused_frames: u64,
    /// Texts that did not fit their place since the start.
    #[serde(default)]
    pub clipped_texts: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeedReport {
    pub connected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScreenReport {
    /// Seconds since the screen last drew a frame (it draws at least once a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_frame_seconds_ago: Option<u64>,
    /// Closed by the office's opening hours.
    #[serde(default)]
    pub closed: bool,
    /// The monitor was put to sleep (closed, with an `on_close` command).
    #[serde(default)]
    pub asleep: bool,
    /// The id of the emergency covering the screen now, if one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VoiceReport {
    /// The display is meant to speak calls (false: muted on purpose, or no sound at all).
    #[serde(default)]
    pub spoken: bool,
    /// Calls are spoken now (false: chime only, or nothing).
    pub available: bool,
    /// The system voice per spoken language.
    #[serde(default)]
    pub voices: BTreeMap<String, String>,
    /// Spoken languages without a voice.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Why there is no voice now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Speech outages since the start.
    #[serde(default)]
    pub outages: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ShownCall {
    pub ticket: String,
    pub counter: String,
    /// When it was shown (RFC 3339, the display's clock).
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportedError {
    /// RFC 3339, the display's clock.
    pub at: String,
    /// A stable code ("frame_rejected", "text_clipped", "speech_unavailable", …).
    pub kind: String,
    pub text: String,
}

/// The longest text field a report may carry.
const MAX_TEXT: usize = 300;

impl DisplayReport {
    /// Cuts every text to a sane length and drops surplus entries, so a broken or hostile
    /// display cannot fill the relay's memory or the console's page. The text itself is kept
    /// as sent: the console shows it as text.
    pub fn bounded(mut self) -> Self {
        let cut = |s: &mut String| {
            if s.chars().count() > MAX_TEXT {
                *s = s.chars().take(MAX_TEXT).collect::<String>() + "…";
            }
        };
        for s in [&mut self.version, &mut self.layout, &mut self.scope] {
            cut(s);
        }
        self.languages.truncate(8);
        self.languages.iter_mut().for_each(cut);
        self.voice.voices = std::mem::take(&mut self.voice.voices)
            .into_iter()
            .take(8)
            .map(|(mut k, mut v)| {
                cut(&mut k);
                cut(&mut v);
                (k, v)
            })
            .collect();
        self.voice.missing.truncate(8);
        self.voice.missing.iter_mut().for_each(cut);
        if let Some(p) = &mut self.voice.problem {
            cut(p);
        }
        if let Some(call) = &mut self.last_call {
            cut(&mut call.ticket);
            cut(&mut call.counter);
            cut(&mut call.at);
        }
        let skip = self.errors.len().saturating_sub(MAX_REPORTED_ERRORS);
        self.errors.drain(..skip);
        for e in &mut self.errors {
            cut(&mut e.at);
            cut(&mut e.kind);
            cut(&mut e.text);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_bounded_before_it_is_kept() {
        let report = DisplayReport {
            layout: "x".repeat(10_000),
            errors: (0..100)
                .map(|i| ReportedError {
                    at: "t".into(),
                    kind: "k".into(),
                    text: format!("error {i}"),
                })
                .collect(),
            ..Default::default()
        }
        .bounded();
        assert_eq!(report.layout.chars().count(), MAX_TEXT + 1);
        assert_eq!(report.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(report.errors[4].text, "error 99", "the newest are kept");
    }
}
