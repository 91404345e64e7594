//! Protocol v1: the JSON frames a queue system and herald exchange over WebSocket.
//!
//! Everything here is plain data plus validation; no sockets and no Bevy. `docs/protocol.md`
//! describes the same frames for queue-system vendors, and `docs/protocol.schema.json` is
//! generated from these types (`herald schema`).
//!
//! Longer than 500 lines on purpose: this is the wire contract, and its frames, their checks and
//! the decoder's reasons for refusing a frame are read and changed together, against the docs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The only protocol version this build speaks.
pub const VERSION: u32 = 1;
/// Frames larger than this are refused before they are parsed.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// A ticket number on a kiosk slip is short ("A042", "PAS-117").
pub const MAX_TICKET_CHARS: usize = 12;
/// Counter labels, service names and similar one-line texts.
pub const MAX_LABEL_CHARS: usize = 80;
/// Notice texts (one line on the screen, a few sentences at most).
pub const MAX_NOTICE_CHARS: usize = 400;

/// Text in several languages, keyed by a BCP 47 language tag ("sk", "uk", …).
pub type Localized = BTreeMap<String, String>;

/// A ticket called to a counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Call {
    /// Stable id of this call, used by recalls and by `call_ended`.
    pub id: String,
    /// The number printed on the visitor's ticket, e.g. "A042".
    pub ticket: String,
    /// Where the visitor must go.
    pub counter: CounterRef,
    /// The service the ticket was drawn for, per language.
    #[serde(default)]
    pub service: Localized,
    /// Floor of the counter, as the office names it ("1", "přízemie" is not needed: use numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<i32>,
    /// Room or zone of the counter, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Language the visitor chose at the kiosk, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// True when the clerk calls the same ticket again.
    #[serde(default)]
    pub recall: bool,
    /// When the clerk pressed "call", RFC 3339.
    pub at: String,
    /// The service's id as the queue system knows it ("A"), matched by screens limited to some
    /// services (`--services`) and by `queue` figures. Without it, the ticket's leading letters
    /// stand for the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// A priority ticket (pregnancy, disability, age…): marked on every screen by a word and a
    /// star, spoken like any call.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub priority: bool,
    /// The visitor's name, when the queue system has one. A display drops it unless its site
    /// enables names (`--show-names`), and then keeps only the initials ("J. N."); it never
    /// reaches a log line, a metric or the state file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<String>,
}

impl Call {
    /// A first call of `ticket` to the counter labelled `counter` (id = label), with no service,
    /// floor, room or visitor language; fill those in with struct update syntax.
    pub fn new(
        id: impl Into<String>,
        ticket: impl Into<String>,
        counter: &str,
        at: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            ticket: ticket.into(),
            counter: CounterRef {
                id: counter.into(),
                label: counter.into(),
            },
            service: Localized::new(),
            floor: None,
            room: None,
            lang: None,
            recall: false,
            at: at.into(),
            service_id: None,
            priority: false,
            visitor: None,
        }
    }

    /// The service this call belongs to: its `service_id`, else the ticket's leading letters
    /// ("A" of "A042", "PAS" of "PAS-117").
    pub fn service_key(&self) -> String {
        match &self.service_id {
            Some(id) => id.clone(),
            None => self
                .ticket
                .chars()
                .take_while(|c| c.is_alphabetic())
                .collect(),
        }
    }
}

/// How many visitors wait for one service, and for how long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceQueue {
    /// The service's id, as in calls' `service_id` (or their tickets' letters).
    pub id: String,
    /// The service's name per language.
    #[serde(default)]
    pub name: Localized,
    /// Tickets drawn and not yet called.
    pub waiting: u32,
    /// The queue system's estimate of the wait for a ticket drawn now, in minutes. Herald never
    /// makes one up: without it the screen shows the count only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<u32>,
    /// The next tickets to be called, in order (at most 5 are shown, and only by layouts that
    /// list them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<String>,
    /// The floor where the service is given, if the office has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<i32>,
}

/// Who is waiting, per service, as the queue system counts it now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Queue {
    pub services: Vec<ServiceQueue>,
    /// When the queue system counted, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A counter as named in a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CounterRef {
    pub id: String,
    /// What the visitor sees on the sign above the counter, e.g. "3" or "12A".
    pub label: String,
}

/// Why a call left the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallEnd {
    /// The visitor was served.
    Finished,
    /// The call was a mistake or the visitor did not come.
    Cancelled,
}

/// The state of a counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CounterState {
    Open,
    Paused,
    Closed,
}

/// A counter and what it is doing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counter {
    pub id: String,
    pub label: String,
    pub state: CounterState,
    /// Floor of the counter, if the office has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<i32>,
}

/// A message from the office to everyone in the waiting room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Notice {
    pub id: String,
    /// The text per language.
    pub text: Localized,
    /// When the notice stops being shown, RFC 3339; none means until withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// When the notice starts being shown, RFC 3339; none means at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Only the screens of these floors show it (a screen limited with `--floor`); empty: every
    /// screen. A screen for the whole office shows every floor's notices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<i32>,
    /// Only these displays (their `hello` ids) show it; empty: every display.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub displays: Vec<String>,
    /// Who posted it (the console's account, or the queue system), for the office's records;
    /// screens do not show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_by: Option<String>,
}

impl Notice {
    /// Whether the notice shows at `now` (an expiry or start that cannot be read is ignored).
    pub fn in_force(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let at = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        };
        at(&self.expires).is_none_or(|e| e > now) && at(&self.from).is_none_or(|f| f <= now)
    }

    /// Whether a screen for `floor` (none: the whole office) named `display` shows it.
    pub fn is_for(&self, floor: Option<i32>, display: &str) -> bool {
        let floor_ok = self.floors.is_empty() || floor.is_none_or(|f| self.floors.contains(&f));
        let display_ok = self.displays.is_empty() || self.displays.iter().any(|d| d == display);
        floor_ok && display_ok
    }
}

/// What an emergency is about; the screen's title says it in the screen's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyKind {
    /// Leave the building.
    Evacuation,
    /// The office closes now.
    Closing,
    /// Anything else; the text says what.
    #[default]
    Other,
}

/// The longest emergency text per language.
pub const MAX_EMERGENCY_CHARS: usize = 300;

/// A message that takes over every screen in scope (over calls, pictures and the closed
/// screen), with a tone and the text spoken every `repeat_seconds`, until it is cleared or
/// expires. One at a time per office: a new one replaces the one before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Emergency {
    pub id: String,
    pub kind: EmergencyKind,
    /// What the screen shows and the voice says, per language.
    pub text: Localized,
    /// Only the screens of these floors; empty: the whole office.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<i32>,
    /// Seconds between two announcements (tone and speech); 0: said once.
    #[serde(default = "default_repeat")]
    pub repeat_seconds: u32,
    /// When it ends by itself, RFC 3339; none: until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// When it was raised, RFC 3339.
    pub raised_at: String,
    /// Who raised it (a console account, "cap:<sender>", the queue system).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_by: Option<String>,
}

fn default_repeat() -> u32 {
    60
}

impl Emergency {
    /// Whether it still holds at `now` (an expiry that cannot be read keeps it).
    pub fn in_force(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_none_or(|e| e > now)
    }

    /// Whether a screen for `floor` (none: the whole office) shows it.
    pub fn is_for(&self, floor: Option<i32>) -> bool {
        self.floors.is_empty() || floor.is_none_or(|f| self.floors.contains(&f))
    }
}

/// The full state of the waiting room at one `seq`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct State {
    /// Calls still relevant to the waiting room, oldest first.
    #[serde(default)]
    pub calls: Vec<Call>,
    #[serde(default)]
    pub counters: Vec<Counter>,
    #[serde(default)]
    pub notices: Vec<Notice>,
    /// Ids of calls in `calls` whose visitor has already been served (kept for the history).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finished: Vec<String>,
    /// Who is waiting, when the queue system counts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<Queue>,
    /// The emergency in force, if one is raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<Emergency>,
}

/// A frame from the queue system to herald.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The whole state; replaces what the display had.
    Snapshot { v: u32, seq: u64, state: State },
    /// A ticket is called (or recalled) to a counter.
    Call { v: u32, seq: u64, call: Call },
    /// A call is over and leaves the screen (cancelled) or stays in history (finished).
    CallEnded {
        v: u32,
        seq: u64,
        call_id: String,
        reason: CallEnd,
    },
    /// A counter opened, paused or closed.
    Counter { v: u32, seq: u64, counter: Counter },
    /// A notice is posted or replaced (same id).
    Notice { v: u32, seq: u64, notice: Notice },
    /// A notice is withdrawn.
    NoticeWithdrawn { v: u32, seq: u64, notice_id: String },
    /// An emergency is raised (or replaces the one in force).
    Emergency {
        v: u32,
        seq: u64,
        emergency: Emergency,
    },
    /// The emergency with this id is over.
    EmergencyCleared {
        v: u32,
        seq: u64,
        emergency_id: String,
    },
    /// Who is waiting now, per service; replaces the previous figures. Send it when the counts
    /// change (a ticket drawn or called), at most every few seconds.
    Queue { v: u32, seq: u64, queue: Queue },
    /// Sent when nothing else happens. `seq` is the server's latest seq, not a new one, so a
    /// display that missed an event notices the gap even in a quiet hour. `now` (optional,
    /// RFC 3339) is the server's clock when it was sent: the clock calls' `at` come from, which
    /// the display judges a call's age by.
    Keepalive {
        v: u32,
        seq: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        now: Option<String>,
        /// Optional: the server takes the display's reports ("Reporting back" in
        /// docs/protocol.md). A display that does not know it ignores it; a server that does
        /// not send it never receives a report.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        report: Option<crate::report::ReportWanted>,
    },
}

impl ServerMessage {
    /// The same frame numbered `seq` (a log numbers what its inputs made).
    pub fn numbered(self, seq: u64) -> ServerMessage {
        match self {
            ServerMessage::Snapshot { state, .. } => ServerMessage::Snapshot {
                v: VERSION,
                seq,
                state,
            },
            ServerMessage::Call { call, .. } => ServerMessage::Call {
                v: VERSION,
                seq,
                call,
            },
            ServerMessage::CallEnded {
                call_id, reason, ..
            } => ServerMessage::CallEnded {
                v: VERSION,
                seq,
                call_id,
                reason,
            },
            ServerMessage::Counter { counter, .. } => ServerMessage::Counter {
                v: VERSION,
                seq,
                counter,
            },
            ServerMessage::Notice { notice, .. } => ServerMessage::Notice {
                v: VERSION,
                seq,
                notice,
            },
            ServerMessage::NoticeWithdrawn { notice_id, .. } => ServerMessage::NoticeWithdrawn {
                v: VERSION,
                seq,
                notice_id,
            },
            ServerMessage::Queue { queue, .. } => ServerMessage::Queue {
                v: VERSION,
                seq,
                queue,
            },
            ServerMessage::Emergency { emergency, .. } => ServerMessage::Emergency {
                v: VERSION,
                seq,
                emergency,
            },
            ServerMessage::EmergencyCleared { emergency_id, .. } => {
                ServerMessage::EmergencyCleared {
                    v: VERSION,
                    seq,
                    emergency_id,
                }
            }
            ServerMessage::Keepalive { now, report, .. } => ServerMessage::Keepalive {
                v: VERSION,
                seq,
                now,
                report,
            },
        }
    }

    pub fn seq(&self) -> u64 {
        match self {
            Self::Snapshot { seq, .. }
            | Self::Call { seq, .. }
            | Self::CallEnded { seq, .. }
            | Self::Counter { seq, .. }
            | Self::Notice { seq, .. }
            | Self::NoticeWithdrawn { seq, .. }
            | Self::Emergency { seq, .. }
            | Self::EmergencyCleared { seq, .. }
            | Self::Queue { seq, .. }
            | Self::Keepalive { seq, .. } => *seq,
        }
    }

    fn version(&self) -> u32 {
        match self {
            Self::Snapshot { v, .. }
            | Self::Call { v, .. }
            | Self::CallEnded { v, .. }
            | Self::Counter { v, .. }
            | Self::Notice { v, .. }
            | Self::NoticeWithdrawn { v, .. }
            | Self::Emergency { v, .. }
            | Self::EmergencyCleared { v, .. }
            | Self::Queue { v, .. }
            | Self::Keepalive { v, .. } => *v,
        }
    }

    /// The name of the `type` tag, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Snapshot { .. } => "snapshot",
            Self::Call { .. } => "call",
            Self::CallEnded { .. } => "call_ended",
            Self::Counter { .. } => "counter",
            Self::Notice { .. } => "notice",
            Self::NoticeWithdrawn { .. } => "notice_withdrawn",
            Self::Emergency { .. } => "emergency",
            Self::EmergencyCleared { .. } => "emergency_cleared",
            Self::Queue { .. } => "queue",
            Self::Keepalive { .. } => "keepalive",
        }
    }
}

/// A frame from herald to the queue system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First frame after connecting.
    Hello {
        v: u32,
        /// Which display this is, e.g. "kosice-hall-1".
        display: String,
        /// Shared secret; also sent as `Authorization: Bearer` on the upgrade request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// The last seq this display applied; none asks for a snapshot.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seq: Option<u64>,
    },
    /// The display saw a gap in seq and asks for a fresh snapshot.
    Resync { v: u32, last_seq: Option<u64> },
    /// The display's status; only to a server whose keepalives carry `report`.
    Status {
        v: u32,
        status: Box<crate::report::DisplayReport>,
    },
    /// A picture of the screen as a base64 PNG, when a keepalive asked for one.
    Thumbnail {
        v: u32,
        width: u32,
        height: u32,
        png: String,
    },
}

/// Why a frame was refused. Each variant is one kind of bad input, counted separately.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    TooLarge {
        bytes: usize,
    },
    Binary {
        bytes: usize,
    },
    Malformed(String),
    UnknownType(String),
    WrongVersion(u64),
    /// A field is present but its value is not acceptable (too long, control characters, …).
    BadValue {
        field: String,
        why: String,
    },
}

impl Rejection {
    /// A short, stable name for metrics and the JSON log.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Binary { .. } => "binary",
            Self::Malformed(_) => "malformed",
            Self::UnknownType(_) => "unknown_type",
            Self::WrongVersion(_) => "wrong_version",
            Self::BadValue { .. } => "bad_value",
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { bytes } => write!(
                f,
                "frame of {bytes} bytes is over the {MAX_FRAME_BYTES}-byte limit; send smaller frames"
            ),
            Self::Binary { bytes } => write!(
                f,
                "binary frame of {bytes} bytes; protocol v1 uses JSON text frames only"
            ),
            Self::Malformed(why) => write!(f, "not a valid v1 frame: {why}"),
            Self::UnknownType(t) => write!(
                f,
                "unknown frame type {t:?}; v1 knows {}",
                KNOWN_TYPES.join(", ")
            ),
            Self::WrongVersion(v) => {
                write!(f, "protocol version {v}; this display speaks v{VERSION}")
            }
            Self::BadValue { field, why } => write!(f, "field `{field}` {why}"),
        }
    }
}

const KNOWN_TYPES: [&str; 10] = [
    "snapshot",
    "call",
    "call_ended",
    "counter",
    "notice",
    "notice_withdrawn",
    "queue",
    "keepalive",
    "emergency",
    "emergency_cleared",
];

/// A queue frame lists at most this many services, each with at most this many next tickets.
pub const MAX_QUEUE_SERVICES: usize = 100;
pub const MAX_NEXT_TICKETS: usize = 10;

/// Parses and validates one text frame from the server.
pub fn decode(text: &str) -> Result<ServerMessage, Rejection> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(Rejection::TooLarge { bytes: text.len() });
    }
    // Look at the envelope first so that an unknown type or version gets its own clear reason
    // instead of serde's generic "unknown variant".
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Rejection::Malformed(e.to_string()))?;
    let Some(object) = value.as_object() else {
        return Err(Rejection::Malformed(
            "the frame is not a JSON object".into(),
        ));
    };
    match object.get("v") {
        Some(v) => match v.as_u64() {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(Rejection::WrongVersion(v)),
            None => {
                return Err(Rejection::Malformed(format!(
                    "`v` must be a number, got {v}"
                )));
            }
        },
        None => return Err(Rejection::Malformed("missing field `v`".into())),
    }
    let Some(kind) = object.get("type").and_then(|t| t.as_str()) else {
        return Err(Rejection::Malformed("missing field `type`".into()));
    };
    if !KNOWN_TYPES.contains(&kind) {
        return Err(Rejection::UnknownType(truncate(kind, 40)));
    }
    let message: ServerMessage =
        serde_json::from_value(value).map_err(|e| Rejection::Malformed(e.to_string()))?;
    debug_assert_eq!(message.version(), VERSION);
    validate(&message)?;
    Ok(message)
}

/// Serialises a client frame.
pub fn encode_client(message: &ClientMessage) -> String {
    // Serialising these plain structs cannot fail; fall back to an empty object to stay panic-free.
    serde_json::to_string(message).unwrap_or_else(|_| "{}".into())
}

/// Serialises a server frame (used by the demo feed and by tests).
pub fn encode_server(message: &ServerMessage) -> String {
    serde_json::to_string(message).unwrap_or_else(|_| "{}".into())
}

fn truncate(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

/// Characters that must never reach the screen or the voice: C0/C1 controls and the Unicode
/// bidi embedding/override/isolate marks, which can reorder what a visitor reads.
fn is_forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check_text(field: &str, text: &str, max_chars: usize) -> Result<(), Rejection> {
    let count = text.chars().count();
    if count > max_chars {
        return Err(Rejection::BadValue {
            field: field.into(),
            why: format!("has {count} characters, more than the {max_chars} allowed"),
        });
    }
    if let Some(c) = text.chars().find(|c| is_forbidden_char(*c)) {
        return Err(Rejection::BadValue {
            field: field.into(),
            why: format!(
                "contains the control or bidi character U+{:04X}; send plain text",
                c as u32
            ),
        });
    }
    Ok(())
}

fn check_nonempty(field: &str, text: &str, max_chars: usize) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        return Err(Rejection::BadValue {
            field: field.into(),
            why: "is empty".into(),
        });
    }
    check_text(field, text, max_chars)
}

fn check_localized(field: &str, text: &Localized, max_chars: usize) -> Result<(), Rejection> {
    for (lang, value) in text {
        check_text(&format!("{field}.{lang}"), lang, 16)?;
        check_text(&format!("{field}.{lang}"), value, max_chars)?;
    }
    Ok(())
}

fn check_call(call: &Call) -> Result<(), Rejection> {
    check_nonempty("call.id", &call.id, MAX_LABEL_CHARS)?;
    check_nonempty("call.ticket", &call.ticket, MAX_TICKET_CHARS)?;
    check_nonempty("call.counter.id", &call.counter.id, MAX_LABEL_CHARS)?;
    check_nonempty("call.counter.label", &call.counter.label, MAX_LABEL_CHARS)?;
    check_localized("call.service", &call.service, MAX_LABEL_CHARS)?;
    if let Some(room) = &call.room {
        check_text("call.room", room, MAX_LABEL_CHARS)?;
    }
    if let Some(lang) = &call.lang {
        check_nonempty("call.lang", lang, 16)?;
    }
    if let Some(service) = &call.service_id {
        check_nonempty("call.service_id", service, MAX_LABEL_CHARS)?;
    }
    if let Some(visitor) = &call.visitor {
        check_text("call.visitor", visitor, MAX_LABEL_CHARS)?;
    }
    check_text("call.at", &call.at, 40)
}

fn check_queue(queue: &Queue) -> Result<(), Rejection> {
    if queue.services.len() > MAX_QUEUE_SERVICES {
        return Err(Rejection::BadValue {
            field: "queue.services".into(),
            why: format!(
                "lists {} services, more than the {MAX_QUEUE_SERVICES} allowed",
                queue.services.len()
            ),
        });
    }
    for service in &queue.services {
        check_nonempty("queue.services.id", &service.id, MAX_LABEL_CHARS)?;
        check_localized("queue.services.name", &service.name, MAX_LABEL_CHARS)?;
        if service.next.len() > MAX_NEXT_TICKETS {
            return Err(Rejection::BadValue {
                field: "queue.services.next".into(),
                why: format!(
                    "lists {} tickets, more than the {MAX_NEXT_TICKETS} allowed",
                    service.next.len()
                ),
            });
        }
        for ticket in &service.next {
            check_nonempty("queue.services.next", ticket, MAX_TICKET_CHARS)?;
        }
    }
    if let Some(at) = &queue.at {
        check_text("queue.at", at, 40)?;
    }
    Ok(())
}

fn check_counter(counter: &Counter) -> Result<(), Rejection> {
    check_nonempty("counter.id", &counter.id, MAX_LABEL_CHARS)?;
    check_nonempty("counter.label", &counter.label, MAX_LABEL_CHARS)
}

fn check_notice(notice: &Notice) -> Result<(), Rejection> {
    check_nonempty("notice.id", &notice.id, MAX_LABEL_CHARS)?;
    check_localized("notice.text", &notice.text, MAX_NOTICE_CHARS)?;
    if let Some(expires) = &notice.expires {
        check_text("notice.expires", expires, 40)?;
    }
    if let Some(from) = &notice.from {
        check_text("notice.from", from, 40)?;
    }
    if notice.floors.len() > 50 || notice.displays.len() > 200 {
        return Err(Rejection::BadValue {
            field: "notice.floors".into(),
            why: "lists more than 50 floors or 200 displays".into(),
        });
    }
    for display in &notice.displays {
        check_nonempty("notice.displays", display, MAX_LABEL_CHARS)?;
    }
    if let Some(by) = &notice.posted_by {
        check_text("notice.posted_by", by, MAX_LABEL_CHARS)?;
    }
    Ok(())
}

fn check_emergency(emergency: &Emergency) -> Result<(), Rejection> {
    check_nonempty("emergency.id", &emergency.id, MAX_LABEL_CHARS)?;
    check_localized("emergency.text", &emergency.text, MAX_EMERGENCY_CHARS)?;
    if emergency.text.values().all(|t| t.trim().is_empty()) {
        return Err(Rejection::BadValue {
            field: "emergency.text".into(),
            why: "has no text in any language".into(),
        });
    }
    if emergency.floors.len() > 50 {
        return Err(Rejection::BadValue {
            field: "emergency.floors".into(),
            why: "lists more than 50 floors".into(),
        });
    }
    if let Some(expires) = &emergency.expires {
        check_text("emergency.expires", expires, 40)?;
    }
    check_text("emergency.raised_at", &emergency.raised_at, 40)?;
    if let Some(by) = &emergency.raised_by {
        check_text("emergency.raised_by", by, MAX_LABEL_CHARS)?;
    }
    Ok(())
}

fn validate(message: &ServerMessage) -> Result<(), Rejection> {
    match message {
        ServerMessage::Snapshot { state, .. } => {
            state.calls.iter().try_for_each(check_call)?;
            state.counters.iter().try_for_each(check_counter)?;
            state.notices.iter().try_for_each(check_notice)?;
            state.emergency.as_ref().map_or(Ok(()), check_emergency)?;
            state.queue.as_ref().map_or(Ok(()), check_queue)
        }
        ServerMessage::Queue { queue, .. } => check_queue(queue),
        ServerMessage::Call { call, .. } => check_call(call),
        ServerMessage::CallEnded { call_id, .. } => {
            check_nonempty("call_id", call_id, MAX_LABEL_CHARS)
        }
        ServerMessage::Counter { counter, .. } => check_counter(counter),
        ServerMessage::Notice { notice, .. } => check_notice(notice),
        ServerMessage::NoticeWithdrawn { notice_id, .. } => {
            check_nonempty("notice_id", notice_id, MAX_LABEL_CHARS)
        }
        ServerMessage::Emergency { emergency, .. } => check_emergency(emergency),
        ServerMessage::EmergencyCleared { emergency_id, .. } => {
            check_nonempty("emergency_id", emergency_id, MAX_LABEL_CHARS)
        }
        ServerMessage::Keepalive { now, .. } => match now {
            Some(now) if now.len() > 40 || chrono::DateTime::parse_from_rfc3339(now).is_err() => {
                Err(Rejection::BadValue {
                    field: "now".into(),
                    why: "is not an RFC 3339 time (e.g. 2026-12-04T09:30:00.000Z)".into(),
                })
            }
            _ => Ok(()),
        },
    }
}

/// A snapshot of `state` at `seq` that every display accepts: expired notices left out, and
/// when the frame would still be over [`MAX_FRAME_BYTES`], cut down in this order until it fits:
/// the queue's next tickets, the oldest notices, the oldest calls. Returns the frame and what
/// was left out (for one log line); the events that follow the snapshot are unaffected.
pub fn fitted_snapshot(
    seq: u64,
    mut state: State,
    now: chrono::DateTime<chrono::Utc>,
) -> (ServerMessage, Vec<String>) {
    let mut left_out = Vec::new();
    let expired = |n: &Notice| {
        n.expires
            .as_deref()
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
            .is_some_and(|e| e < now)
    };
    let before = state.notices.len();
    state.notices.retain(|n| !expired(n));
    if state.notices.len() < before {
        left_out.push(format!("{} expired notices", before - state.notices.len()));
    }
    if state.emergency.as_ref().is_some_and(|e| !e.in_force(now)) {
        state.emergency = None;
        left_out.push("an expired emergency".into());
    }
    // Room for the frame's own fields under the limit.
    let fits = |state: &State| {
        serde_json::to_string(state).map_or(0, |t| t.len()) + 256 <= MAX_FRAME_BYTES
    };
    if !fits(&state)
        && let Some(queue) = state.queue.as_mut()
        && queue.services.iter().any(|s| !s.next.is_empty())
    {
        queue.services.iter_mut().for_each(|s| s.next.clear());
        left_out.push("the queue's next tickets".into());
    }
    let mut notices = 0;
    while !fits(&state) && !state.notices.is_empty() {
        state.notices.remove(0);
        notices += 1;
    }
    if notices > 0 {
        left_out.push(format!("the {notices} oldest notices"));
    }
    let mut calls = 0;
    while !fits(&state) && !state.calls.is_empty() {
        let gone = state.calls.remove(0);
        state.finished.retain(|id| *id != gone.id);
        calls += 1;
    }
    if calls > 0 {
        left_out.push(format!("the {calls} oldest calls"));
    }
    if !fits(&state) && state.queue.take().is_some() {
        left_out.push("the waiting figures".into());
    }
    (
        ServerMessage::Snapshot {
            v: VERSION,
            seq,
            state,
        },
        left_out,
    )
}

impl ServerMessage {
    /// A keepalive at `seq` carrying the server's clock.
    pub fn keepalive_now(seq: u64) -> Self {
        ServerMessage::Keepalive {
            v: VERSION,
            seq,
            now: Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            report: None,
        }
    }
}

/// The JSON Schema of both directions, for `docs/protocol.schema.json`.
pub fn schema_json() -> String {
    let server = schemars::schema_for!(ServerMessage);
    let client = schemars::schema_for!(ClientMessage);
    let both = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "herald queue protocol v1",
        "description": "Frames exchanged over WebSocket between a queue system (server) and a herald display (client). See docs/protocol.md.",
        "$defs": {
            "ServerMessage": server,
            "ClientMessage": client,
        },
        "oneOf": [
            { "$ref": "#/$defs/ServerMessage" },
            { "$ref": "#/$defs/ClientMessage" }
        ]
    });
    serde_json::to_string_pretty(&both).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_of_a_busy_office_always_fits_a_display() {
        let long = "Зміна годин роботи відділу реєстрації. ".repeat(10);
        let notice = |n: usize, expires: Option<&str>| Notice {
            id: format!("n{n}"),
            text: ["sk", "uk", "bg", "mk", "en"]
                .iter()
                .map(|l| {
                    (
                        (*l).to_owned(),
                        long.chars().take(MAX_NOTICE_CHARS).collect(),
                    )
                })
                .collect(),
            expires: expires.map(str::to_owned),
            ..Notice::default()
        };
        let mut state = State::default();
        state.notices.push(notice(0, Some("2026-01-01T00:00:00Z")));
        for n in 1..200 {
            state.notices.push(notice(n, None));
        }
        for n in 0..30 {
            state.calls.push(Call::new(
                format!("c{n}"),
                format!("A{n:03}"),
                "3",
                "2026-12-04T09:00:00Z",
            ));
        }
        state.queue = Some(Queue {
            services: (0..MAX_QUEUE_SERVICES)
                .map(|n| ServiceQueue {
                    id: format!("s{n}"),
                    name: [("sk".to_owned(), format!("Služba {n}"))].into(),
                    floor: None,
                    waiting: 9,
                    wait_minutes: Some(20),
                    next: (0..MAX_NEXT_TICKETS).map(|t| format!("B{t:03}")).collect(),
                })
                .collect(),
            at: None,
        });
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .expect("time")
            .to_utc();
        let (snapshot, left_out) = fitted_snapshot(41, state, now);
        let text = encode_server(&snapshot);
        assert!(text.len() <= MAX_FRAME_BYTES, "{} bytes", text.len());
        let Ok(ServerMessage::Snapshot { state, .. }) = decode(&text) else {
            panic!("a display refuses the snapshot")
        };
        // Every call stays; the newest notices stay, the expired one is gone.
        assert_eq!(state.calls.len(), 30);
        assert_eq!(state.notices.last().map(|n| n.id.as_str()), Some("n199"));
        assert!(state.notices.iter().all(|n| n.id != "n0"));
        assert!(
            left_out.iter().any(|l| l.contains("oldest notices")),
            "{left_out:?}"
        );
        // A small office's snapshot is left as it is.
        let small = State {
            calls: state.calls.clone(),
            ..State::default()
        };
        let (_, nothing) = fitted_snapshot(1, small, now);
        assert!(nothing.is_empty(), "{nothing:?}");
    }

    fn call_frame(ticket: &str) -> String {
        serde_json::json!({
            "v": 1, "type": "call", "seq": 7,
            "call": {
                "id": "c7", "ticket": ticket,
                "counter": {"id": "3", "label": "3"},
                "service": {"sk": "Miestne dane", "en": "Local taxes"},
                "at": "2026-11-22T09:14:00Z",
                "some_future_field": {"ignored": true}
            }
        })
        .to_string()
    }

    #[test]
    fn a_call_round_trips_and_unknown_fields_are_ignored() {
        let message = decode(&call_frame("A042")).expect("valid call");
        let ServerMessage::Call { seq, call, .. } = &message else {
            panic!("expected a call, got {message:?}");
        };
        assert_eq!(*seq, 7);
        assert_eq!(call.ticket, "A042");
        assert_eq!(call.service["sk"], "Miestne dane");
        assert!(!call.recall);
        let again = decode(&encode_server(&message)).expect("re-encoded frame is valid");
        assert_eq!(again, message);
    }

    #[test]
    fn every_kind_of_bad_input_is_refused_with_its_own_reason() {
        let cases: Vec<(String, &str)> = vec![
            ("{not json".into(), "malformed"),
            ("[1,2]".into(), "malformed"),
            (
                r#"{"v":1,"type":"teleport","seq":1}"#.into(),
                "unknown_type",
            ),
            (
                r#"{"v":2,"type":"keepalive","seq":1}"#.into(),
                "wrong_version",
            ),
            (r#"{"type":"keepalive","seq":1}"#.into(), "malformed"),
            (r#"{"v":1,"seq":1}"#.into(), "malformed"),
            (r#"{"v":1,"type":"call","seq":1}"#.into(), "malformed"),
            (r#"{"v":1,"type":"keepalive","seq":-1}"#.into(), "malformed"),
            (call_frame(&"A".repeat(10_000)), "bad_value"),
            (call_frame("A0\u{0007}42"), "bad_value"),
            (call_frame("A\u{202E}240"), "bad_value"),
            (call_frame(""), "bad_value"),
            (
                format!(
                    "{{\"v\":1,\"type\":\"keepalive\",\"seq\":1,\"pad\":\"{}\"}}",
                    "x".repeat(70_000)
                ),
                "too_large",
            ),
        ];
        for (frame, kind) in cases {
            let shown: String = frame.chars().take(60).collect();
            match decode(&frame) {
                Ok(m) => panic!("{shown} was accepted as {m:?}"),
                Err(rejection) => {
                    assert_eq!(rejection.kind(), kind, "{shown}: {rejection}");
                    assert!(!rejection.to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn missing_field_reason_names_the_field() {
        let Err(rejection) =
            decode(r#"{"v":1,"type":"counter","seq":3,"counter":{"id":"1","state":"open"}}"#)
        else {
            panic!("a counter without a label must be refused");
        };
        assert!(rejection.to_string().contains("label"), "{rejection}");
    }

    #[test]
    fn the_schema_names_every_frame_type() {
        let schema = schema_json();
        for kind in KNOWN_TYPES.iter().chain(["hello", "resync"].iter()) {
            assert!(
                schema.contains(&format!("\"{kind}\"")),
                "schema lacks {kind}"
            );
        }
    }
}
