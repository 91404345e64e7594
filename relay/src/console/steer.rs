//! What office staff change from the console: notices (which screens, from when, until when;
//! withdrawn) and the emergency (raised and cleared, each after a confirmation). Everything
//! goes through the relay's log like a queue system's events, so it is numbered, durable and
//! replayed to a display that was away; every change is audited with who made it.
//!
//! A `staff` account steers only its own offices (403 elsewhere); an `it` account every office.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone};
use herald_core::protocol::{
    Emergency, EmergencyKind, Localized, MAX_EMERGENCY_CHARS, MAX_NOTICE_CHARS, Notice,
    ServerMessage, VERSION,
};
use hyper::StatusCode;

use super::web::{Answer, Visitor, json, refused};
use super::{Console, shown, since_text};
use crate::relay::{Outcome, Refusal, Relay};
use crate::webhook::Translation;

/// Why this visitor may not steer `office` (as the answer to give), if they may not.
fn not_steerable(relay: &Relay, who: &Visitor, office: &str) -> Option<Answer> {
    if relay.office_site(office).is_none() {
        return Some(refused(StatusCode::NOT_FOUND, "no such office"));
    }
    if !who.account.sees(office) {
        return Some(refused(
            StatusCode::FORBIDDEN,
            "this account does not steer that office's screens",
        ));
    }
    None
}

/// A text typed into the console, as one line a screen shows: line breaks become spaces;
/// control and bidi characters are refused (they could turn a notice's text around).
pub(super) fn typed(field: &str, text: &str, most: usize) -> Result<String, String> {
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(format!(
            "{field}: the character U+{:04X} (a control or bidi character) is not allowed",
            c as u32
        ));
    }
    let count = text.chars().count();
    if count > most {
        return Err(format!(
            "{field}: {count} characters, more than the {most} a screen shows"
        ));
    }
    Ok(text)
}

/// The texts per language from fields `text.<lang>`; empty languages are left out.
fn texts(fields: &HashMap<String, String>, most: usize) -> Result<Localized, String> {
    let mut out = BTreeMap::new();
    for (name, value) in fields {
        let Some(lang) = name.strip_prefix("text.") else {
            continue;
        };
        if !super::words::LANGUAGES.iter().any(|(l, _)| *l == lang) {
            return Err(format!("{name}: not a language the screens speak"));
        }
        let text = typed(name, value, most)?;
        if !text.is_empty() {
            out.insert(lang.to_owned(), text);
        }
    }
    if out.is_empty() {
        return Err("write the text in at least one language".into());
    }
    Ok(out)
}

/// "1, 2" → [1, 2]; empty → every floor.
fn floors(text: Option<&String>) -> Result<Vec<i32>, String> {
    let mut out = Vec::new();
    for part in text.map(String::as_str).unwrap_or("").split([',', ' ']) {
        if part.trim().is_empty() {
            continue;
        }
        let floor: i32 = part
            .trim()
            .parse()
            .map_err(|_| format!("floors: {part:?} is not a floor number (write e.g. 1, 2)"))?;
        if !out.contains(&floor) {
            out.push(floor);
        }
    }
    Ok(out)
}

/// A `datetime-local` field ("2026-12-04T10:00") in the relay's time zone, as RFC 3339.
fn local_time(field: &str, text: Option<&String>) -> Result<Option<String>, String> {
    let Some(text) = text.map(|t| t.trim()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| format!("{field}: {text:?} is not a date and time like 2026-12-04T10:00"))?;
    let at = Local
        .from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| format!("{field}: {text} does not exist on this clock"))?;
    Ok(Some(at.to_rfc3339()))
}

fn parse_time(t: &str) -> Option<DateTime<Local>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Local))
}

/// A new id for something made in the console.
fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        Local::now().format("%Y%m%d-%H%M%S"),
        &super::logins::token()[..6]
    )
}

/// Stores `events` in the office's log (blocking: SQLite), as a queue system's would be.
async fn store(relay: Arc<Relay>, office: &str, events: Vec<ServerMessage>) -> Result<u64, String> {
    let office = office.to_owned();
    let outcome = tokio::task::spawn_blocking(move || {
        relay.accept(&office, None, |_, _| Ok(Translation::Events(events)), None)
    })
    .await
    .map_err(|e| format!("the relay failed: {e}"))?;
    match outcome {
        Ok(Outcome::Stored { last, .. }) => Ok(last),
        Ok(other) => Err(format!("nothing was stored ({other:?})")),
        Err(Refusal::Store(e)) => Err(format!("the relay could not store it ({e}); try again")),
        Err(e) => Err(e.to_string()),
    }
}

/// What one POST under `/console/api/` changes, when it is a steering route.
pub(super) async fn change(
    relay: Arc<Relay>,
    console: &Console,
    who: &Visitor,
    peer: SocketAddr,
    parts: &[&str],
    fields: &HashMap<String, String>,
) -> Option<Answer> {
    let office = match parts {
        ["api", "notice" | "emergency" | "emergency-clear", office]
        | ["api", "notice-withdraw", office, _] => *office,
        _ => return None,
    };
    let audit = |what: &str, detail: &str| {
        console
            .book
            .audit(&who.account.name, what, detail, &peer.ip().to_string());
    };
    if let Some(answer) = not_steerable(&relay, who, office) {
        audit("refused", &format!("{} on {office}", parts[1]));
        return Some(answer);
    }
    let by = Some(who.account.name.clone());
    Some(match parts {
        ["api", "notice", _] => {
            let notice = match notice_of(fields, by) {
                Ok(n) => n,
                Err(why) => return Some(refused(StatusCode::BAD_REQUEST, &why)),
            };
            let event = ServerMessage::Notice {
                v: VERSION,
                seq: 0,
                notice: notice.clone(),
            };
            match store(relay, office, vec![event]).await {
                Ok(seq) => {
                    audit(
                        "notice_posted",
                        &format!("{office}: {} #{seq} {}", notice.id, summary(&notice.text)),
                    );
                    json(
                        StatusCode::CREATED,
                        &serde_json::json!({ "posted": notice.id, "seq": seq }),
                    )
                }
                Err(why) => refused(StatusCode::SERVICE_UNAVAILABLE, &why),
            }
        }
        ["api", "notice-withdraw", _, id] => {
            let known = relay
                .board(office)
                .is_some_and(|b| b.notices().iter().any(|n| n.id == *id));
            if !known {
                return Some(refused(StatusCode::NOT_FOUND, "no such notice"));
            }
            let event = ServerMessage::NoticeWithdrawn {
                v: VERSION,
                seq: 0,
                notice_id: (*id).to_owned(),
            };
            match store(relay, office, vec![event]).await {
                Ok(seq) => {
                    audit("notice_withdrawn", &format!("{office}: {id} #{seq}"));
                    json(StatusCode::OK, &serde_json::json!({ "withdrawn": id }))
                }
                Err(why) => refused(StatusCode::SERVICE_UNAVAILABLE, &why),
            }
        }
        ["api", "emergency", _] => {
            if fields.get("confirm").map(String::as_str) != Some("yes") {
                return Some(unconfirmed());
            }
            let emergency = match emergency_of(fields, by) {
                Ok(e) => e,
                Err(why) => return Some(refused(StatusCode::BAD_REQUEST, &why)),
            };
            let event = ServerMessage::Emergency {
                v: VERSION,
                seq: 0,
                emergency: emergency.clone(),
            };
            match store(relay, office, vec![event]).await {
                Ok(seq) => {
                    tracing::warn!(
                        "console: {} raised emergency {} for {office}",
                        shown(&who.account.name),
                        emergency.id
                    );
                    audit(
                        "emergency_raised",
                        &format!(
                            "{office}: {} #{seq} {:?} floors {:?} {}",
                            emergency.id,
                            emergency.kind,
                            emergency.floors,
                            summary(&emergency.text)
                        ),
                    );
                    json(
                        StatusCode::CREATED,
                        &serde_json::json!({ "raised": emergency.id, "seq": seq }),
                    )
                }
                Err(why) => refused(StatusCode::SERVICE_UNAVAILABLE, &why),
            }
        }
        ["api", "emergency-clear", _] => {
            if fields.get("confirm").map(String::as_str) != Some("yes") {
                return Some(unconfirmed());
            }
            let Some(id) = relay
                .board(office)
                .and_then(|b| b.emergency().map(|e| e.id.clone()))
            else {
                return Some(refused(StatusCode::CONFLICT, "no emergency is raised"));
            };
            let event = ServerMessage::EmergencyCleared {
                v: VERSION,
                seq: 0,
                emergency_id: id.clone(),
            };
            match store(relay, office, vec![event]).await {
                Ok(seq) => {
                    tracing::warn!(
                        "console: {} cleared emergency {id} for {office}",
                        shown(&who.account.name)
                    );
                    audit("emergency_cleared", &format!("{office}: {id} #{seq}"));
                    json(StatusCode::OK, &serde_json::json!({ "cleared": id }))
                }
                Err(why) => refused(StatusCode::SERVICE_UNAVAILABLE, &why),
            }
        }
        _ => return None,
    })
}

/// Raising and clearing need their confirmation step (`confirm=yes`), which the page asks for.
fn unconfirmed() -> Answer {
    refused(
        StatusCode::PRECONDITION_REQUIRED,
        "confirm first: this changes every screen in scope (send confirm=yes)",
    )
}

fn summary(text: &Localized) -> String {
    text.iter()
        .next()
        .map(|(l, t)| format!("{l}: {}", super::clip(&shown(t), 80)))
        .unwrap_or_default()
}

fn notice_of(fields: &HashMap<String, String>, by: Option<String>) -> Result<Notice, String> {
    let text = texts(fields, MAX_NOTICE_CHARS)?;
    let from = local_time("from", fields.get("from"))?;
    let expires = local_time("until", fields.get("until"))?;
    if let (Some(from), Some(until)) = (from.as_deref(), expires.as_deref())
        && parse_time(until) <= parse_time(from)
    {
        return Err("until: the notice must end after it starts".into());
    }
    if expires
        .as_deref()
        .and_then(parse_time)
        .is_some_and(|u| u <= Local::now())
    {
        return Err("until: that time has passed".into());
    }
    let displays: Vec<String> = fields
        .get("displays")
        .map(String::as_str)
        .unwrap_or("")
        .split('\n')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect();
    if displays.len() > 200 {
        return Err("displays: choose at most 200".into());
    }
    Ok(Notice {
        id: new_id("notice"),
        text,
        expires,
        from,
        floors: floors(fields.get("floors"))?,
        displays,
        posted_by: by,
    })
}

fn emergency_of(fields: &HashMap<String, String>, by: Option<String>) -> Result<Emergency, String> {
    let kind = match fields.get("kind").map(String::as_str) {
        Some("evacuation") => EmergencyKind::Evacuation,
        Some("closing") => EmergencyKind::Closing,
        Some("other") | None => EmergencyKind::Other,
        Some(k) => return Err(format!("kind: {k:?} is not evacuation, closing or other")),
    };
    let repeat = match fields
        .get("repeat")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        None => 60,
        Some(r) => r
            .parse::<u32>()
            .ok()
            .filter(|r| *r == 0 || (15..=3600).contains(r))
            .ok_or_else(|| format!("repeat: {r:?}; give 0 (once) or 15–3600 seconds"))?,
    };
    let expires = local_time("until", fields.get("until"))?;
    if expires
        .as_deref()
        .and_then(parse_time)
        .is_some_and(|u| u <= Local::now())
    {
        return Err("until: that time has passed".into());
    }
    Ok(Emergency {
        id: new_id("emergency"),
        kind,
        text: texts(fields, MAX_EMERGENCY_CHARS)?,
        floors: floors(fields.get("floors"))?,
        repeat_seconds: repeat,
        expires,
        raised_at: Local::now().to_rfc3339(),
        raised_by: by,
    })
}

/// The floor a display stands on, from its reported scope ("counters 1-6 · floor 1").
fn floor_of_scope(scope: &str) -> Option<i32> {
    let rest = scope.split("floor ").nth(1)?;
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    number.parse().ok()
}

/// `GET /console/api/office/{office}`: the office's languages, displays and floors, the
/// notices and the emergency, and the ready emergency texts, for the office page.
pub(super) fn office(relay: &Relay, console: &Console, who: &Visitor, office: &str) -> Answer {
    if let Some(answer) = not_steerable(relay, who, office) {
        return answer;
    }
    let lang = who.session.lang.as_str();
    let (Some(site), Some(board)) = (relay.office_site(office), relay.board(office)) else {
        return refused(StatusCode::NOT_FOUND, "no such office");
    };
    // The office's language first, then those its screens show.
    let mut languages = vec![site.lang.clone()];
    let mut displays = Vec::new();
    let mut floors: Vec<i32> = board.counters().iter().filter_map(|c| c.floor).collect();
    console.with_displays(|all| {
        for seen in all.values().filter(|s| s.office == office) {
            let report = seen.report.as_ref();
            for l in report.map(|r| r.languages.clone()).unwrap_or_default() {
                if !languages.contains(&l) && super::words::LANGUAGES.iter().any(|(c, _)| *c == l) {
                    languages.push(l);
                }
            }
            let floor = report.and_then(|r| floor_of_scope(&r.scope));
            floors.extend(floor);
            displays.push(serde_json::json!({
                "display": seen.id,
                "shown": shown(&seen.id),
                "floor": floor,
                "live": seen.look != super::Look::Offline,
                "emergency": report.and_then(|r| r.screen.emergency.clone()),
            }));
        }
    });
    floors.sort_unstable();
    floors.dedup();
    let when = |t: &Option<String>| t.as_deref().and_then(parse_time).map(since_text);
    let now = chrono::Utc::now();
    let notices: Vec<serde_json::Value> = board
        .notices()
        .iter()
        .map(|n| {
            let state = if n.in_force(now) {
                "in_force"
            } else if n
                .from
                .as_deref()
                .and_then(parse_time)
                .is_some_and(|f| f > Local::now())
            {
                "scheduled"
            } else {
                "ended"
            };
            serde_json::json!({
                "id": n.id,
                "text": n.text.iter().map(|(l, t)| (l.clone(), shown(t))).collect::<BTreeMap<_, _>>(),
                "floors": n.floors,
                "displays": n.displays.iter().map(|d| shown(d)).collect::<Vec<_>>(),
                "from": when(&n.from),
                "until": when(&n.expires),
                "posted_by": n.posted_by.as_deref().map(shown),
                "state": state,
            })
        })
        .collect();
    let emergency = board.emergency().filter(|e| e.in_force(now)).map(|e| {
        serde_json::json!({
            "id": e.id,
            "kind": serde_json::to_value(e.kind).unwrap_or_default(),
            "text": e.text.iter().map(|(l, t)| (l.clone(), shown(t))).collect::<BTreeMap<_, _>>(),
            "floors": e.floors,
            "repeat_seconds": e.repeat_seconds,
            "raised": when(&Some(e.raised_at.clone())),
            "until": when(&e.expires),
            "raised_by": e.raised_by.as_deref().map(shown),
        })
    });
    let ready = |kind: &str| -> BTreeMap<String, String> {
        super::words::LANGUAGES
            .iter()
            .map(|(l, _)| {
                (
                    (*l).to_owned(),
                    console.words.text(l, &format!("console-ready-{kind}")),
                )
            })
            .collect()
    };
    json(
        StatusCode::OK,
        &serde_json::json!({
            "office": office,
            "name": site.name.clone().unwrap_or_else(|| office.to_owned()),
            "languages": languages.iter().map(|l| serde_json::json!({
                "code": l,
                "name": super::words::LANGUAGES.iter().find(|(c, _)| c == l).map_or(l.as_str(), |(_, n)| n),
            })).collect::<Vec<_>>(),
            "displays": displays,
            "floors": floors,
            "notices": notices,
            "emergency": emergency,
            "ready": { "evacuation": ready("evacuation"), "closing": ready("closing") },
            "limits": { "notice": MAX_NOTICE_CHARS, "emergency": MAX_EMERGENCY_CHARS },
            "lang": lang,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_one_plain_line_or_refused() {
        assert_eq!(
            typed("t", " Dnes\r\nzatvorené ", 400).as_deref(),
            Ok("Dnes  zatvorené")
        );
        assert!(typed("t", "abc\u{202E}def", 400).is_err());
        assert!(typed("t", &"x".repeat(401), 400).is_err());
        // Markup is text like any other; screens and pages show it as typed.
        assert_eq!(typed("t", "<b>x</b>", 400).as_deref(), Ok("<b>x</b>"));
    }

    #[test]
    fn floors_and_times_are_read_or_refused_with_a_reason() {
        assert_eq!(floors(Some(&"1, 2 1".to_owned())), Ok(vec![1, 2]));
        assert_eq!(floors(None), Ok(vec![]));
        assert!(floors(Some(&"prízemie".to_owned())).is_err());
        assert!(
            local_time("from", Some(&"2026-12-04T10:00".to_owned())).is_ok_and(|t| t.is_some())
        );
        assert!(local_time("from", Some(&"zajtra".to_owned())).is_err());
        assert_eq!(floor_of_scope("counters 1-6 · floor 2"), Some(2));
        assert_eq!(floor_of_scope("all"), None);
    }
}
