//! herald's own webhook: the small JSON a home-grown queue system (or a script, or curl) POSTs
//! to `/v1/offices/{office}/events`. No seq: the relay numbers what it accepts. The schema is
//! `docs/webhook.schema.json` (`herald-relay schema`).

use herald_core::board::Board;
use herald_core::protocol::{
    self, Call, CallEnd, Counter, CounterRef, CounterState, Localized, Notice, ServerMessage,
    VERSION,
};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::site::OfficeSite;

/// The `type`s the webhook takes.
const TYPES: [&str; 10] = [
    "call",
    "recall",
    "finished",
    "cancelled",
    "counter",
    "notice",
    "notice_withdrawn",
    "queue",
    "emergency",
    "emergency_cleared",
];

/// One event from the queue system. Fields a vendor adds beyond these (a client's name, a
/// document number) are never read, so never stored.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WebhookEvent {
    /// A ticket is called to a counter.
    Call {
        /// The queue system's id of this visit; recalls and ends name it.
        call_id: String,
        /// The number printed on the ticket, e.g. "A042".
        ticket: String,
        /// The queue system's counter id (mapped to its label and floor by the site file); a
        /// number is taken as its digits, as Orchestra's adapters send it.
        #[serde(deserialize_with = "text_or_number")]
        #[schemars(with = "TextOrNumber")]
        counter: String,
        /// The queue system's service id or name (mapped to names per language by the site file).
        #[serde(default)]
        service: Option<String>,
        /// The language the visitor chose at the kiosk ("uk").
        #[serde(default)]
        lang: Option<String>,
        /// When the clerk called, RFC 3339; the relay's clock when absent.
        #[serde(default)]
        at: Option<String>,
        /// A priority ticket (marked by a star and a word on every screen).
        #[serde(default)]
        priority: bool,
    },
    /// The same ticket is called again.
    Recall {
        call_id: String,
        #[serde(default)]
        at: Option<String>,
    },
    /// The visitor was served.
    Finished { call_id: String },
    /// The visitor did not come, or the call was a mistake.
    Cancelled { call_id: String },
    /// A counter opened, paused or closed.
    Counter {
        #[serde(deserialize_with = "text_or_number")]
        #[schemars(with = "TextOrNumber")]
        counter: String,
        state: CounterState,
    },
    /// A notice for the whole waiting room, per language; the same id replaces it.
    Notice {
        notice_id: String,
        text: Localized,
        /// When it stops being shown, RFC 3339.
        #[serde(default)]
        expires: Option<String>,
        /// When it starts being shown, RFC 3339; at once when absent.
        #[serde(default)]
        from: Option<String>,
        /// Only the screens of these floors; every screen when absent.
        #[serde(default)]
        floors: Vec<i32>,
    },
    /// A notice is taken down.
    NoticeWithdrawn { notice_id: String },
    /// An emergency takes over every screen of the office (or of `floors`): shown full-screen,
    /// with a tone and the text spoken every `repeat_seconds`, until cleared or `expires`.
    Emergency {
        emergency_id: String,
        /// `evacuation`, `closing` or `other` (the screen's title).
        #[serde(default)]
        kind: protocol::EmergencyKind,
        /// What the screens show and say, per language.
        text: Localized,
        #[serde(default)]
        floors: Vec<i32>,
        /// Seconds between announcements; 60 when absent, 0 says it once.
        #[serde(default)]
        repeat_seconds: Option<u32>,
        /// When it ends by itself, RFC 3339.
        #[serde(default)]
        expires: Option<String>,
    },
    /// The emergency is over.
    EmergencyCleared { emergency_id: String },
    /// Who is waiting now, per service (replaces the previous figures).
    Queue { services: Vec<WaitingFor> },
}

/// An id a queue system may send as text or as a number (`"4"` or `4`).
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Number(u64),
}

fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match TextOrNumber::deserialize(d)? {
        TextOrNumber::Text(text) => text,
        TextOrNumber::Number(n) => n.to_string(),
    })
}

/// How many wait for one service.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
pub struct WaitingFor {
    /// The queue system's service id (mapped to names per language by the site file).
    pub service: String,
    /// Tickets drawn and not called yet.
    pub waiting: u32,
    /// The queue system's estimate of the wait, in minutes, if it makes one.
    #[serde(default)]
    pub wait_minutes: Option<u32>,
    /// The next tickets, in order.
    #[serde(default)]
    pub next: Vec<String>,
}

/// What an input turned into.
#[derive(Clone, Debug, PartialEq)]
pub enum Translation {
    /// Events to number and store (seq 0 until stored).
    Events(Vec<ServerMessage>),
    /// Nothing for the waiting room, and why (answered 200, nothing stored).
    Ignored(String),
}

/// A body the relay refuses (answered 400 with this reason; nothing stored).
#[derive(Clone, Debug, PartialEq)]
pub struct BadBody(pub String);

impl std::fmt::Display for BadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The largest body the relay reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads a webhook body and turns it into protocol v1 events for `office` as it is now.
pub fn translate(
    body: &[u8],
    office: &OfficeSite,
    board: &Board,
    now: &str,
) -> Result<Translation, BadBody> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| BadBody(format!("the body is not JSON: {e}")))?;
    let kind = value
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or_else(|| BadBody(format!("the body has no \"type\" ({})", TYPES.join(", "))))?
        .to_owned();
    if !TYPES.contains(&kind.as_str()) {
        return Err(BadBody(format!(
            "unknown type {kind:?}; use one of {}",
            TYPES.join(", ")
        )));
    }
    let event: WebhookEvent =
        serde_json::from_value(value).map_err(|e| BadBody(format!("a {kind} event: {e}")))?;
    let translation = events_of(event, office, board, now)?;
    if let Translation::Events(events) = &translation {
        check(events)?;
    }
    Ok(translation)
}

/// Applies protocol v1's own checks (lengths, control characters, empty fields) to events
/// before they are stored, so a display never refuses what the relay accepted.
pub fn check(events: &[ServerMessage]) -> Result<(), BadBody> {
    for event in events {
        protocol::decode(&protocol::encode_server(event)).map_err(|e| BadBody(e.to_string()))?;
    }
    Ok(())
}

fn checked_time(field: &str, at: Option<String>, now: &str) -> Result<String, BadBody> {
    match at {
        None => Ok(now.to_owned()),
        Some(at) => chrono::DateTime::parse_from_rfc3339(&at)
            .map(|_| at.clone())
            .map_err(|_| {
                BadBody(format!(
                    "field `{field}` is {at:?}, not an RFC 3339 time like \"2026-11-22T09:15:00+01:00\""
                ))
            }),
    }
}

fn call_on_board<'a>(board: &'a Board, call_id: &str) -> Option<&'a herald_core::board::CallEntry> {
    board.calls().find(|e| e.call.id == call_id)
}

/// A call of `ticket` to the vendor's counter `counter` (mapped by the site file).
pub fn new_call(
    office: &OfficeSite,
    call_id: String,
    ticket: String,
    counter: (&str, Option<&str>),
    service: Localized,
    lang: Option<String>,
    at: String,
) -> Call {
    let (label, place) = office.counter(counter.0, counter.1);
    Call {
        id: call_id,
        ticket: ticket.trim().to_owned(),
        counter: CounterRef {
            id: counter.0.to_owned(),
            label,
        },
        service,
        floor: place.floor,
        room: place.room,
        lang,
        recall: false,
        at,
        service_id: None,
        priority: false,
        visitor: None,
    }
}

/// The same call again, marked as a recall.
pub fn recall(previous: &Call, at: String) -> Call {
    Call {
        recall: true,
        at,
        ..previous.clone()
    }
}

/// The end of a call that is on the board, or why it is ignored.
pub fn end(board: &Board, call_id: &str, reason: CallEnd) -> Translation {
    match call_on_board(board, call_id) {
        None => Translation::Ignored(format!("call {call_id:?} is not on the board")),
        Some(entry) if entry.finished => {
            Translation::Ignored(format!("call {call_id:?} has already ended"))
        }
        Some(_) => Translation::Events(vec![ServerMessage::CallEnded {
            v: VERSION,
            seq: 0,
            call_id: call_id.to_owned(),
            reason,
        }]),
    }
}

/// A counter's new state, keeping the label and floor the board already shows.
pub fn counter_state(
    office: &OfficeSite,
    board: &Board,
    id: &str,
    name: Option<&str>,
    state: CounterState,
) -> ServerMessage {
    let counter = match board.counters().iter().find(|c| c.id == id) {
        Some(known) => Counter {
            state,
            ..known.clone()
        },
        None => {
            let (label, place) = office.counter(id, name);
            Counter {
                id: id.to_owned(),
                label,
                state,
                floor: place.floor,
            }
        }
    };
    ServerMessage::Counter {
        v: VERSION,
        seq: 0,
        counter,
    }
}

fn events_of(
    event: WebhookEvent,
    office: &OfficeSite,
    board: &Board,
    now: &str,
) -> Result<Translation, BadBody> {
    let one = |m: ServerMessage| Ok(Translation::Events(vec![m]));
    match event {
        WebhookEvent::Call {
            call_id,
            ticket,
            counter,
            service,
            lang,
            at,
            priority,
        } => {
            let at = checked_time("at", at, now)?;
            let names = office.service(service.as_deref(), None);
            let call = Call {
                service_id: service
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                priority,
                ..new_call(office, call_id, ticket, (&counter, None), names, lang, at)
            };
            one(ServerMessage::Call {
                v: VERSION,
                seq: 0,
                call,
            })
        }
        WebhookEvent::Recall { call_id, at } => {
            let at = checked_time("at", at, now)?;
            let Some(entry) = call_on_board(board, &call_id) else {
                return Err(BadBody(format!(
                    "recall of call {call_id:?}, which is not on the board (never called, cancelled, or long gone); send a call first"
                )));
            };
            one(ServerMessage::Call {
                v: VERSION,
                seq: 0,
                call: recall(&entry.call, at),
            })
        }
        WebhookEvent::Finished { call_id } => Ok(end(board, &call_id, CallEnd::Finished)),
        WebhookEvent::Cancelled { call_id } => Ok(end(board, &call_id, CallEnd::Cancelled)),
        WebhookEvent::Counter { counter, state } => {
            one(counter_state(office, board, &counter, None, state))
        }
        WebhookEvent::Notice {
            notice_id,
            text,
            expires,
            from,
            floors,
        } => {
            if text.is_empty() {
                return Err(BadBody(
                    "a notice needs `text` in at least one language, e.g. {\"sk\": \"…\"}".into(),
                ));
            }
            if let Some((lang, _)) = text.iter().find(|(_, t)| t.trim().is_empty()) {
                return Err(BadBody(format!(
                    "the notice's text for {lang:?} is empty; leave the language out or write \
                     the notice in it"
                )));
            }
            let expires = expires
                .map(|e| checked_time("expires", Some(e), now))
                .transpose()?;
            let from = from
                .map(|e| checked_time("from", Some(e), now))
                .transpose()?;
            one(ServerMessage::Notice {
                v: VERSION,
                seq: 0,
                notice: Notice {
                    id: notice_id,
                    text,
                    expires,
                    from,
                    floors,
                    displays: Vec::new(),
                    posted_by: Some("queue system".into()),
                },
            })
        }
        WebhookEvent::Emergency {
            emergency_id,
            kind,
            text,
            floors,
            repeat_seconds,
            expires,
        } => {
            if text.values().all(|t| t.trim().is_empty()) {
                return Err(BadBody(
                    "an emergency needs `text` in at least one language, e.g. {\"sk\": \"…\"}"
                        .into(),
                ));
            }
            let expires = expires
                .map(|e| checked_time("expires", Some(e), now))
                .transpose()?;
            one(ServerMessage::Emergency {
                v: VERSION,
                seq: 0,
                emergency: protocol::Emergency {
                    id: emergency_id,
                    kind,
                    text,
                    floors,
                    repeat_seconds: repeat_seconds.unwrap_or(60),
                    expires,
                    raised_at: now.to_owned(),
                    raised_by: Some("queue system".into()),
                },
            })
        }
        WebhookEvent::EmergencyCleared { emergency_id } => {
            if board.emergency().is_none_or(|e| e.id != emergency_id) {
                return Ok(Translation::Ignored(format!(
                    "emergency {emergency_id:?} is not in force"
                )));
            }
            one(ServerMessage::EmergencyCleared {
                v: VERSION,
                seq: 0,
                emergency_id,
            })
        }
        WebhookEvent::Queue { services } => one(ServerMessage::Queue {
            v: VERSION,
            seq: 0,
            queue: herald_core::protocol::Queue {
                services: services
                    .into_iter()
                    .map(|s| herald_core::protocol::ServiceQueue {
                        name: office.service(Some(&s.service), None),
                        floor: None,
                        id: s.service,
                        waiting: s.waiting,
                        wait_minutes: s.wait_minutes,
                        next: s.next,
                    })
                    .collect(),
                at: Some(now.to_owned()),
            },
        }),
        WebhookEvent::NoticeWithdrawn { notice_id } => {
            if !board.notices().iter().any(|n| n.id == notice_id) {
                return Ok(Translation::Ignored(format!(
                    "notice {notice_id:?} is not shown"
                )));
            }
            one(ServerMessage::NoticeWithdrawn {
                v: VERSION,
                seq: 0,
                notice_id,
            })
        }
    }
}

/// The JSON Schema of the webhook body, for `docs/webhook.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(WebhookEvent);
    let mut value = serde_json::to_value(&schema).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("title".into(), "herald-relay webhook event".into());
        object.insert(
            "description".into(),
            "The body of POST /v1/offices/{office}/events. See docs/relay.md.".into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::protocol::State;

    const NOW: &str = "2026-11-22T09:00:00+01:00";

    fn office() -> OfficeSite {
        let mut office = OfficeSite::open("sk.rajec", "sk");
        office.counters.insert(
            "c4".into(),
            crate::site::CounterPlace {
                label: Some("3".into()),
                floor: Some(1),
                room: None,
            },
        );
        office
    }

    fn board_with(events: &[ServerMessage]) -> Board {
        let mut board = Board::new();
        board.apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 0,
            state: State::default(),
        });
        for (n, e) in events.iter().enumerate() {
            board.apply(&e.clone().numbered(n as u64 + 1));
        }
        board
    }

    fn events(body: &str, board: &Board) -> Vec<ServerMessage> {
        match translate(body.as_bytes(), &office(), board, NOW) {
            Ok(Translation::Events(e)) => e,
            other => panic!("{body}: {other:?}"),
        }
    }

    fn refused(body: &str) -> String {
        match translate(body.as_bytes(), &office(), &board_with(&[]), NOW) {
            Err(BadBody(why)) => why,
            other => panic!("{body} was accepted: {other:?}"),
        }
    }

    #[test]
    fn a_call_is_mapped_through_the_site_and_a_recall_repeats_it() {
        let board = board_with(&[]);
        let call = events(
            r#"{"type":"call","call_id":"v1","ticket":"A042","counter":"c4","client_name":"Ján Novák"}"#,
            &board,
        );
        let ServerMessage::Call { call: c, .. } = &call[0] else {
            panic!("{call:?}")
        };
        assert_eq!(
            (c.ticket.as_str(), c.counter.label.as_str(), c.floor),
            ("A042", "3", Some(1))
        );
        assert!(
            !protocol::encode_server(&call[0]).contains("Novák"),
            "personal data dropped"
        );
        let board = board_with(&call);
        let again = events(r#"{"type":"recall","call_id":"v1"}"#, &board);
        let ServerMessage::Call { call: r, .. } = &again[0] else {
            panic!("{again:?}")
        };
        assert!(r.recall);
        assert_eq!(r.ticket, "A042");
    }

    #[test]
    fn a_counter_given_as_a_number_is_its_digits() {
        let board = board_with(&[]);
        let call = events(
            r#"{"type":"call","call_id":"v2","ticket":"B7","counter":4}"#,
            &board,
        );
        let ServerMessage::Call { call: c, .. } = &call[0] else {
            panic!("{call:?}")
        };
        assert_eq!(c.counter.id, "4");
        let opened = events(r#"{"type":"counter","counter":12,"state":"open"}"#, &board);
        let ServerMessage::Counter { counter, .. } = &opened[0] else {
            panic!("{opened:?}")
        };
        assert_eq!(counter.id, "12");
    }

    #[test]
    fn every_kind_of_bad_body_gets_its_own_reason() {
        assert!(refused("{not json").contains("not JSON"));
        assert!(refused(r#"{"call_id":"x"}"#).contains("no \"type\""));
        assert!(refused(r#"{"type":"teleport"}"#).contains("unknown type \"teleport\""));
        assert!(
            refused(r#"{"type":"call","call_id":"x","counter":"1"}"#)
                .contains("missing field `ticket`")
        );
        assert!(
            refused(r#"{"type":"call","call_id":"x","ticket":"A0000000000042","counter":"1"}"#)
                .contains("call.ticket")
        );
        assert!(
            refused(
                r#"{"type":"call","call_id":"x","ticket":"A1","counter":"1","at":"yesterday"}"#
            )
            .contains("RFC 3339")
        );
        assert!(refused(r#"{"type":"recall","call_id":"nobody"}"#).contains("not on the board"));
        assert!(
            refused(r#"{"type":"counter","counter":"1","state":"asleep"}"#)
                .contains("unknown variant `asleep`")
        );
        assert!(
            refused(r#"{"type":"notice","notice_id":"n","text":{}}"#)
                .contains("at least one language")
        );
        assert!(
            refused(r#"{"type":"notice","notice_id":"n","text":{"sk":" ","en":"Closed"}}"#)
                .contains("for \"sk\" is empty")
        );
        assert!(
            refused(
                "{\"type\":\"call\",\"call_id\":\"x\",\"ticket\":\"A\\u202e1\",\"counter\":\"1\"}"
            )
            .contains("bidi")
        );
    }

    #[test]
    fn ending_a_call_that_is_not_shown_changes_nothing() {
        let board = board_with(&[]);
        assert!(matches!(
            translate(
                br#"{"type":"finished","call_id":"v9"}"#,
                &office(),
                &board,
                NOW
            ),
            Ok(Translation::Ignored(_))
        ));
    }
}

#[cfg(test)]
mod schema_tests {
    /// `docs/webhook.schema.json` is what vendors read: it must say what the relay accepts.
    #[test]
    fn the_published_schema_is_the_one_the_relay_uses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/webhook.schema.json");
        let published = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            published == super::schema_json(),
            "docs/webhook.schema.json is out of date: run `cargo run -p herald-relay -- schema > docs/webhook.schema.json`"
        );
    }
}
