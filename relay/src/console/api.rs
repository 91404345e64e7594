//! The console's data as JSON for its script, and the live stream of changes.

use std::time::Duration;

use futures_util::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::Response;
use hyper::body::{Bytes, Frame};
use hyper::header::{self, HeaderValue};

use super::web::{Answer, Visitor, guarded, path_part};
use super::{Console, Look, ago, shown, since_text};

fn state_text(console: &Console, lang: &str, seen: &super::Seen) -> String {
    match seen.look {
        Look::Offline => console.words.with(
            lang,
            "console-state-offline",
            &[("time", since_text(seen.since))],
        ),
        look => console
            .words
            .text(lang, &format!("console-state-{}", look.name())),
    }
}

fn row(console: &Console, lang: &str, seen: &super::Seen) -> serde_json::Value {
    let report = seen.report.as_ref();
    let voice = report.map(|r| {
        if !r.voice.spoken {
            console.words.text(lang, "console-voice-muted")
        } else if r.voice.voices.is_empty() {
            console.words.text(lang, "console-voice-none")
        } else {
            r.voice
                .voices
                .iter()
                .map(|(l, v)| format!("{l}: {}", shown(v)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    });
    serde_json::json!({
        "office": seen.office,
        "display": seen.id,
        "shown": shown(&seen.id),
        "state": seen.look.name(),
        "state_text": state_text(console, lang, seen),
        "since": since_text(seen.since),
        "alert": seen.alert.map(Look::name),
        "last_seen": since_text(seen.last_seen),
        "last_seen_ago": ago(seen.last_seen),
        "version": report.map(|r| shown(&r.version)),
        "layout": report.map(|r| shown(&r.layout)),
        "scope": report.map(|r| if r.scope == "all" {
            console.words.text(lang, "console-scope-all")
        } else {
            shown(&r.scope)
        }),
        "voice": voice,
        "last_call": report.and_then(|r| r.last_call.as_ref()).map(|c| format!("{} → {}", shown(&c.ticket), shown(&c.counter))),
        "thumbnail": seen.thumbnail.as_ref().map(|t| format!(
            "/console/api/thumbnail/{}/{}?at={}",
            path_part(&seen.office),
            path_part(&seen.id),
            t.at.timestamp_millis()
        )),
        "link": format!("/console/display/{}/{}", path_part(&seen.office), path_part(&seen.id)),
    })
}

pub(super) fn list(console: &Console, who: &Visitor) -> serde_json::Value {
    let lang = who.session.lang.as_str();
    let now = chrono::Local::now().naive_local();
    console.with_displays(|displays| {
        let offices: Vec<serde_json::Value> = console
            .offices()
            .iter()
            .filter(|o| who.account.sees(&o.id))
            .map(|office| {
                let rows: Vec<serde_json::Value> = displays
                    .values()
                    .filter(|s| s.office == office.id)
                    .map(|s| row(console, lang, s))
                    .collect();
                serde_json::json!({
                    "id": office.id,
                    "name": office.name.as_deref().map(shown).unwrap_or_else(|| office.id.clone()),
                    "open": office.is_open(now),
                    "displays": rows,
                })
            })
            .collect();
        let seen: Vec<&super::Seen> = displays
            .values()
            .filter(|s| who.account.sees(&s.office))
            .collect();
        let live = seen.iter().filter(|s| s.look == Look::Live).count();
        let problems = seen.iter().filter(|s| s.look.is_problem()).count();
        serde_json::json!({
            "summary": console.words.with(lang, "console-summary", &[
                ("live", live.to_string()),
                ("total", seen.len().to_string()),
                ("problems", problems.to_string()),
            ]),
            "offices": offices,
        })
    })
}

pub(super) fn detail(
    console: &Console,
    who: &Visitor,
    office: &str,
    display: &str,
) -> Option<serde_json::Value> {
    if !who.account.sees(office) {
        return None;
    }
    let lang = who.session.lang.as_str();
    let (mut value, report, events) = console.with_displays(|displays| {
        let seen = displays.get(&(office.to_owned(), display.to_owned()))?;
        let events: Vec<serde_json::Value> = seen
            .events
            .iter()
            .rev()
            .map(|(at, text)| serde_json::json!({ "at": since_text(*at), "text": shown(text) }))
            .collect();
        Some((row(console, lang, seen), seen.report.clone(), events))
    })?;
    let history: Vec<serde_json::Value> = console
        .book
        .history(office, display, 50)
        .into_iter()
        .map(|m| serde_json::json!({ "at": m.at, "state": m.state, "detail": shown(&m.detail) }))
        .collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("history".into(), history.into());
        object.insert("events".into(), events.into());
        if let Some(r) = report {
            object.insert("languages".into(), shown(&r.languages.join(", ")).into());
            object.insert(
                "feed".into(),
                console
                    .words
                    .text(
                        lang,
                        if r.feed.connected {
                            "console-connected"
                        } else {
                            "console-disconnected"
                        },
                    )
                    .into(),
            );
            object.insert("last_seq".into(), r.feed.last_seq.into());
            object.insert("uptime_seconds".into(), r.uptime_seconds.into());
            object.insert("clock_offset_seconds".into(), r.clock_offset_seconds.into());
            object.insert(
                "voice_problem".into(),
                r.voice.problem.as_deref().map(shown).into(),
            );
            object.insert(
                "errors".into(),
                r.errors
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "at": shown(&e.at), "kind": shown(&e.kind), "text": shown(&e.text),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
    }
    Some(value)
}

/// Server-sent events: `changed` with the display whenever one changes; a comment every 15 s
/// keeps proxies from closing the stream.
pub(super) fn events(console: &Console, who: &Visitor) -> Answer {
    let news = tokio_stream_of(console.subscribe());
    let account = who.account.clone();
    let stream = futures_util::stream::select(
        news.filter_map(move |(office, display)| {
            let shown = account.sees(&office).then(|| {
                let data = serde_json::json!({ "office": office, "display": display });
                Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(format!(
                    "event: changed\ndata: {data}\n\n"
                ))))
            });
            async move { shown }
        }),
        futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_secs(15)).await;
            Some((Ok(Frame::data(Bytes::from_static(b": still here\n\n"))), ()))
        }),
    );
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(stream)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    guarded(response)
}

/// A broadcast receiver as a stream (a page that lags just fetches again).
fn tokio_stream_of(
    receiver: tokio::sync::broadcast::Receiver<super::News>,
) -> impl futures_util::Stream<Item = super::News> + Send {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        match receiver.recv().await {
            Ok(news) => Some((news, receiver)),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                Some(((String::new(), String::new()), receiver))
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
        }
    })
}
