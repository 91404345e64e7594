//! Qmatic Orchestra: its event hooks POST one JSON object per event, with `eventName`,
//! `eventTime` and `parameters` (visit, ticket, service point, service, branch, staff…).
//! Orchestra's public event names are used (VISIT_CALL, VISIT_END, VISIT_NOSHOW, VISIT_REMOVE,
//! SERVICE_POINT_OPEN, SERVICE_POINT_CLOSE); every other event is answered 200 and ignored.
//! Ids may come as numbers or strings. Staff and customer fields are never read.

use herald_core::board::Board;
use herald_core::protocol::{CallEnd, CounterState, ServerMessage, VERSION};
use serde_json::Value;

use crate::site::OfficeSite;
use crate::webhook::{self, BadBody, Translation};

fn text(parameters: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match parameters.get(*name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn required(parameters: &Value, event: &str, names: &[&str]) -> Result<String, BadBody> {
    text(parameters, names).ok_or_else(|| {
        BadBody(format!(
            "Orchestra {event} has no parameters.{}",
            names.first().copied().unwrap_or("?")
        ))
    })
}

/// The key a retried hook is recognised by when Orchestra sends no `Idempotency-Key`.
pub fn natural_key(body: &Value) -> Option<String> {
    let event = body.get("eventName")?.as_str()?;
    let parameters = body.get("parameters")?;
    let subject = text(parameters, &["visitId", "servicePointId"]).unwrap_or_default();
    let time = body
        .get("eventTime")
        .map(Value::to_string)
        .unwrap_or_default();
    Some(format!("orchestra:{event}:{subject}:{time}"))
}

fn is_visit(call_id: &str, visit: &str) -> bool {
    call_id
        .strip_prefix("orchestra-")
        .and_then(|rest| rest.strip_prefix(visit))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// The visit's call still at a counter (newest first on the board).
fn active_call<'a>(board: &'a Board, visit: &str) -> Option<&'a herald_core::protocol::Call> {
    board
        .calls()
        .find(|e| is_visit(&e.call.id, visit))
        .filter(|e| !e.finished)
        .map(|e| &e.call)
}

/// `orchestra-<visit>`, or `orchestra-<visit>-2`, -3… when the visit was called before at
/// another counter (a known id would be read as a recall).
fn new_call_id(board: &Board, visit: &str) -> String {
    let before = board
        .calls()
        .filter(|e| is_visit(&e.call.id, visit))
        .count();
    if before == 0 {
        format!("orchestra-{visit}")
    } else {
        format!("orchestra-{visit}-{}", before + 1)
    }
}

/// Turns one Orchestra hook body into protocol v1 events for `office`.
pub fn translate(
    body: &[u8],
    office: &OfficeSite,
    board: &Board,
    now: &str,
) -> Result<Translation, BadBody> {
    let body: Value =
        serde_json::from_slice(body).map_err(|e| BadBody(format!("the body is not JSON: {e}")))?;
    let event = body
        .get("eventName")
        .and_then(Value::as_str)
        .ok_or_else(|| BadBody("an Orchestra hook body needs \"eventName\"".into()))?;
    let empty = Value::Object(serde_json::Map::new());
    let parameters = body.get("parameters").unwrap_or(&empty);
    if let (Some(ours), Some(theirs)) = (&office.orchestra_branch, text(parameters, &["branchId"]))
        && *ours != theirs
    {
        return Ok(Translation::Ignored(format!(
            "branch {theirs} is not this office's (orchestra_branch = {ours})"
        )));
    }
    // Orchestra's own time when it is RFC 3339, otherwise the relay's clock.
    let at = body
        .get("eventTime")
        .and_then(Value::as_str)
        .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
        .unwrap_or(now)
        .to_owned();
    let translation = match event {
        "VISIT_CALL" => {
            let visit = required(parameters, event, &["visitId"])?;
            let counter = required(parameters, event, &["servicePointId"])?;
            let active = active_call(board, &visit);
            match active {
                // Orchestra sends VISIT_CALL again when the clerk presses "recall".
                Some(call) if call.counter.id == counter => {
                    Translation::Events(vec![ServerMessage::Call {
                        v: VERSION,
                        seq: 0,
                        call: webhook::recall(call, at),
                    }])
                }
                _ => {
                    let mut events = Vec::new();
                    // Called at another counter (the visit was transferred): the first call
                    // is over, and this one is new, with an id of its own.
                    if let Some(previous) = active {
                        events.push(ServerMessage::CallEnded {
                            v: VERSION,
                            seq: 0,
                            call_id: previous.id.clone(),
                            reason: CallEnd::Finished,
                        });
                    }
                    let ticket = required(parameters, event, &["ticket", "ticketId"])?;
                    let counter_name = text(parameters, &["servicePointName"]);
                    let service = office.service(
                        text(parameters, &["serviceId"]).as_deref(),
                        text(
                            parameters,
                            &["serviceExternalName", "serviceName", "serviceInternalName"],
                        )
                        .as_deref(),
                    );
                    let lang = text(parameters, &["language", "lang"]);
                    let call = herald_core::protocol::Call {
                        // The service's id too, for screens that show only some services.
                        service_id: text(parameters, &["serviceId"]),
                        ..webhook::new_call(
                            office,
                            new_call_id(board, &visit),
                            ticket,
                            (&counter, counter_name.as_deref()),
                            service,
                            lang,
                            at,
                        )
                    };
                    events.push(ServerMessage::Call {
                        v: VERSION,
                        seq: 0,
                        call,
                    });
                    Translation::Events(events)
                }
            }
        }
        "VISIT_END" | "VISIT_NOSHOW" | "VISIT_REMOVE" => {
            let visit = required(parameters, event, &["visitId"])?;
            let reason = if event == "VISIT_END" {
                CallEnd::Finished
            } else {
                CallEnd::Cancelled
            };
            match active_call(board, &visit) {
                Some(call) => webhook::end(board, &call.id.clone(), reason),
                None => Translation::Ignored(format!("visit {visit} is not on the board")),
            }
        }
        "SERVICE_POINT_OPEN" | "SERVICE_POINT_CLOSE" => {
            let counter = required(parameters, event, &["servicePointId"])?;
            let name = text(parameters, &["servicePointName"]);
            let state = if event == "SERVICE_POINT_OPEN" {
                CounterState::Open
            } else {
                CounterState::Closed
            };
            Translation::Events(vec![webhook::counter_state(
                office,
                board,
                &counter,
                name.as_deref(),
                state,
            )])
        }
        other => Translation::Ignored(format!(
            "Orchestra {other} means nothing to the waiting room"
        )),
    };
    if let Translation::Events(events) = &translation {
        webhook::check(events)?;
    }
    Ok(translation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::protocol::{self, State};

    const NOW: &str = "2026-11-22T09:00:00+01:00";

    /// Bodies shaped as Orchestra's event hooks send them.
    const CALL: &str = r#"{
        "eventName": "VISIT_CALL",
        "eventTime": "2026-11-22T09:14:03+01:00",
        "parameters": {
            "branchId": 3, "branchName": "Rajec",
            "visitId": 5532, "ticket": "A042",
            "servicePointId": 4, "servicePointName": "Prepážka 3",
            "serviceId": 12, "serviceName": "Local taxes",
            "queueId": 2, "staffId": 7, "staffName": "Mária K.",
            "customerName": "Ján Novák", "customerId": 991
        }
    }"#;
    const END: &str = r#"{"eventName":"VISIT_END","eventTime":"2026-11-22T09:20:00+01:00","parameters":{"branchId":3,"visitId":5532,"servicePointId":4}}"#;
    const NOSHOW: &str = r#"{"eventName":"VISIT_NOSHOW","eventTime":"2026-11-22T09:21:00+01:00","parameters":{"branchId":3,"visitId":5532,"servicePointId":4}}"#;
    const OPEN: &str = r#"{"eventName":"SERVICE_POINT_OPEN","eventTime":"2026-11-22T08:00:00+01:00","parameters":{"branchId":3,"servicePointId":4,"servicePointName":"Prepážka 3"}}"#;
    const CLOSE: &str = r#"{"eventName":"SERVICE_POINT_CLOSE","eventTime":"2026-11-22T12:00:00+01:00","parameters":{"branchId":3,"servicePointId":4,"servicePointName":"Prepážka 3"}}"#;
    const CREATE: &str = r#"{"eventName":"VISIT_CREATE","eventTime":"2026-11-22T09:01:00+01:00","parameters":{"branchId":3,"visitId":5533,"ticket":"A043"}}"#;

    fn office() -> OfficeSite {
        let mut office = OfficeSite::open("sk.rajec", "sk");
        office.orchestra_branch = Some("3".into());
        office.services.insert(
            "12".into(),
            [("sk", "Miestne dane"), ("uk", "Місцеві податки")]
                .into_iter()
                .map(|(l, t)| (l.to_owned(), t.to_owned()))
                .collect(),
        );
        office
    }

    /// Runs bodies through the adapter and a board, as the relay does, returning the frames.
    fn run(bodies: &[&str]) -> Vec<ServerMessage> {
        let office = office();
        let mut board = Board::new();
        board.apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 0,
            state: State::default(),
        });
        let mut frames = Vec::new();
        for body in bodies {
            if let Translation::Events(events) =
                translate(body.as_bytes(), &office, &board, NOW).expect("accepted")
            {
                for event in events {
                    let frame = event.numbered(frames.len() as u64 + 1);
                    board.apply(&frame);
                    frames.push(frame);
                }
            }
        }
        frames
    }

    fn json(frames: &[ServerMessage]) -> Vec<serde_json::Value> {
        frames
            .iter()
            .map(|f| serde_json::from_str(&protocol::encode_server(f)).expect("json"))
            .collect()
    }

    #[test]
    fn a_visit_called_twice_then_ended_becomes_call_recall_finished() {
        let frames = json(&run(&[OPEN, CREATE, CALL, CALL, END]));
        assert_eq!(frames.len(), 4, "{frames:#?}");
        assert_eq!(frames[0]["type"], "counter");
        assert_eq!(frames[0]["counter"]["label"], "3");
        assert_eq!(frames[0]["counter"]["state"], "open");
        assert_eq!(frames[1]["type"], "call");
        assert_eq!(frames[1]["call"]["id"], "orchestra-5532");
        assert_eq!(frames[1]["call"]["ticket"], "A042");
        assert_eq!(frames[1]["call"]["counter"]["label"], "3");
        assert_eq!(frames[1]["call"]["service"]["uk"], "Місцеві податки");
        assert_eq!(frames[1]["call"]["at"], "2026-11-22T09:14:03+01:00");
        assert_eq!(frames[1]["call"]["recall"], false);
        assert_eq!(frames[2]["call"]["recall"], true);
        assert_eq!(frames[3]["type"], "call_ended");
        assert_eq!(frames[3]["reason"], "finished");
        assert_eq!(
            frames
                .iter()
                .map(|f| f["seq"].as_u64().unwrap_or(0))
                .collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        let text = serde_json::to_string(&frames).unwrap_or_default();
        assert!(
            !text.contains("Novák") && !text.contains("Mária"),
            "no personal data: {text}"
        );
    }

    #[test]
    fn a_no_show_cancels_and_a_closing_counter_closes() {
        let frames = json(&run(&[CALL, NOSHOW, CLOSE]));
        assert_eq!(frames[1]["type"], "call_ended");
        assert_eq!(frames[1]["reason"], "cancelled");
        assert_eq!(frames[2]["counter"]["state"], "closed");
    }

    #[test]
    fn a_visit_transferred_and_called_at_another_counter_is_a_new_call() {
        let other_counter = CALL
            .replace("\"servicePointId\": 4", "\"servicePointId\": 6")
            .replace("09:14:03", "09:30:00");
        let frames = json(&run(&[CALL, &other_counter, END]));
        let kinds: Vec<String> = frames
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["type"].as_str().unwrap_or(""),
                    f["call"]["id"]
                        .as_str()
                        .or(f["call_id"].as_str())
                        .unwrap_or("")
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "call orchestra-5532",
                "call_ended orchestra-5532",
                "call orchestra-5532-2",
                "call_ended orchestra-5532-2"
            ]
        );
        assert_eq!(frames[2]["call"]["recall"], false);
        assert_eq!(frames[2]["call"]["counter"]["id"], "6");
    }

    #[test]
    fn another_branch_and_unknown_events_are_ignored() {
        let office = office();
        let board = Board::new();
        let other = CALL.replace("\"branchId\": 3", "\"branchId\": 8");
        assert!(matches!(
            translate(other.as_bytes(), &office, &board, NOW),
            Ok(Translation::Ignored(_))
        ));
        assert!(matches!(
            translate(CREATE.as_bytes(), &office, &board, NOW),
            Ok(Translation::Ignored(_))
        ));
        assert!(translate(br#"{"parameters":{}}"#, &office, &board, NOW).is_err());
        assert!(
            natural_key(&serde_json::from_str(CALL).expect("json"))
                .is_some_and(|k| k.contains("5532"))
        );
    }
}
