//! CAP 1.2 alerts in: a civil-protection or building system POSTs an OASIS Common Alerting
//! Protocol message to `/v1/offices/{office}/cap` with the office's CAP token, and it becomes
//! the office's emergency (docs/console.md, "CAP alerts"). Parsed with the `oasiscap` crate;
//! CAP 1.0 and 1.1 messages are read as 1.2.
//!
//! - `Alert` raises, `Update` replaces, `Cancel` clears the emergency it references;
//! - `<expires>` ends it (an alert already expired changes nothing);
//! - each `<info>` gives the text of its `<language>` (`sk-SK` → `sk`): its headline and its
//!   instruction (else its description); a display shows its own language, else the office's;
//! - `<area>` (its `areaDesc` or a geocode value) must name one of the office's `cap_areas`
//!   when the site file lists any;
//! - only `Actual` messages are shown (`Test`, `Exercise`, `System`, `Draft` are answered and
//!   ignored), `Ack` and `Error` too. A body that is not CAP is refused with the parser's reason.
//!
//! [`poll`] asks an office's CAP source URL instead, when the site file names one.

use std::collections::BTreeMap;

use herald_core::board::Board;
use herald_core::protocol::{
    Emergency, EmergencyKind, MAX_EMERGENCY_CHARS, MAX_LABEL_CHARS, ServerMessage, VERSION,
};
use oasiscap::v1dot2::{Alert, MessageType, ResponseType, Status};

use crate::site::OfficeSite;
use crate::webhook::{BadBody, Translation};

/// The emergency id a CAP message is known by: its identifier (references name it so).
fn emergency_id(identifier: &str) -> String {
    let mut id: String = format!("cap:{identifier}");
    if id.chars().count() > MAX_LABEL_CHARS {
        id = id.chars().take(MAX_LABEL_CHARS).collect();
    }
    id
}

/// Text from a CAP message as one plain line: whitespace collapsed, control and bidi
/// characters dropped (they could turn the screen's text around), at most `most` characters.
fn plain(text: &str, most: usize) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= most {
        return line;
    }
    let mut cut: String = line.chars().take(most - 1).collect();
    cut.push('…');
    cut
}

/// Reads `body` as a CAP message and says what it does to `office`'s emergency.
pub fn translate(
    body: &[u8],
    office: &OfficeSite,
    board: &Board,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Translation, BadBody> {
    let text = std::str::from_utf8(body)
        .map_err(|_| BadBody("the CAP message is not UTF-8 text".into()))?;
    let alert: Alert = text
        .parse::<oasiscap::Alert>()
        .map_err(|e| BadBody(format!("not a CAP alert: {e}")))?
        .into_latest();
    if alert.status != Status::Actual {
        return Ok(Translation::Ignored(format!(
            "a {:?} message is not shown (only Actual ones are)",
            alert.status
        )));
    }
    let referenced: Vec<String> = alert
        .references
        .as_ref()
        .map(|r| {
            r.iter()
                .map(|r| emergency_id(r.identifier.as_str()))
                .collect()
        })
        .unwrap_or_default();
    match alert.message_type {
        MessageType::Alert | MessageType::Update => {}
        MessageType::Cancel => {
            let Some(current) = board.emergency() else {
                return Ok(Translation::Ignored("no emergency is raised".into()));
            };
            if !referenced.contains(&current.id) {
                return Ok(Translation::Ignored(format!(
                    "the cancel does not reference the emergency in force ({})",
                    current.id
                )));
            }
            return Ok(Translation::Events(vec![ServerMessage::EmergencyCleared {
                v: VERSION,
                seq: 0,
                emergency_id: current.id.clone(),
            }]));
        }
        other => {
            return Ok(Translation::Ignored(format!(
                "a {other:?} message changes no screen"
            )));
        }
    }
    if !office.cap_areas.is_empty() {
        let wanted = |name: &str| {
            office
                .cap_areas
                .iter()
                .any(|a| a.trim().eq_ignore_ascii_case(name.trim()))
        };
        let ours = alert.info.iter().flat_map(|i| &i.areas).any(|area| {
            wanted(&area.description) || area.geocode.iter().any(|(_, value)| wanted(value))
        });
        if !ours {
            return Ok(Translation::Ignored(format!(
                "no <area> names this office (its cap_areas: {})",
                office.cap_areas.join(", ")
            )));
        }
    }
    if alert.info.is_empty() {
        return Err(BadBody(
            "the CAP alert has no <info>: nothing to show or say".into(),
        ));
    }
    let mut texts = BTreeMap::new();
    let mut expires: Option<chrono::DateTime<chrono::FixedOffset>> = None;
    let mut evacuate = false;
    for info in &alert.info {
        let lang = info
            .language
            .as_str()
            .split('-')
            .next()
            .unwrap_or("en")
            .to_ascii_lowercase();
        let what = info.headline.as_deref().unwrap_or(&info.event);
        let todo = info.instruction.as_deref().or(info.description.as_deref());
        let line = match todo {
            Some(todo) => format!("{what}. {todo}"),
            None => what.to_owned(),
        };
        // The first <info> of a language wins (CAP lists them most important first).
        texts
            .entry(lang)
            .or_insert_with(|| plain(&line, MAX_EMERGENCY_CHARS));
        if let Some(e) = info.expires {
            let e: chrono::DateTime<chrono::FixedOffset> = e.into();
            expires = Some(expires.map_or(e, |x| x.min(e)));
        }
        evacuate |= info.response_type.contains(&ResponseType::Evacuate);
    }
    if let Some(e) = expires
        && e <= now
    {
        return Ok(Translation::Ignored(format!(
            "the alert expired at {}",
            e.to_rfc3339()
        )));
    }
    texts.retain(|_, t: &mut String| !t.is_empty());
    if texts.is_empty() {
        return Err(BadBody(
            "the CAP alert's <info> blocks have no text to show".into(),
        ));
    }
    let sender = plain(alert.sender.as_str(), 60);
    Ok(Translation::Events(vec![ServerMessage::Emergency {
        v: VERSION,
        seq: 0,
        emergency: Emergency {
            id: emergency_id(alert.identifier.as_str()),
            kind: if evacuate {
                EmergencyKind::Evacuation
            } else {
                EmergencyKind::Other
            },
            text: texts,
            floors: Vec::new(),
            repeat_seconds: 60,
            expires: expires.map(|e| e.to_rfc3339()),
            raised_at: chrono::DateTime::<chrono::FixedOffset>::from(alert.sent).to_rfc3339(),
            raised_by: Some(format!("cap:{sender}")),
        },
    }]))
}

pub mod poll;

#[cfg(test)]
mod tests;
