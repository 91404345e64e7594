//! The visitor's phone (`docs/phone.md`): a public page per office at `/o/{office}/`, the target
//! of the screen's QR code. The calls now and before, the waiting figures, the notices and an
//! emergency, live over server-sent events, in the office's languages; the page alerts its
//! visitor when their ticket is called (`static/phone.js`).
//!
//! Nothing about the visitor is kept: the ticket they follow stays in the page's memory, no
//! cookie is set, nothing is logged per request, and every asset is same-origin. The state a
//! page receives is the same for every visitor of an office and language, made once per change
//! and shared by every follower.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::console::web::{Body, escape, path_part};
use crate::console::words::{LANGUAGES, Words};
use crate::relay::Relay;

const SCRIPT: &str = include_str!("phone/phone.js");
const STYLE: &str = include_str!("phone/phone.css");
/// Calls shown as "called now" (not yet served), and as "called before".
const NOW: usize = 4;
const BEFORE: usize = 8;

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(Words::load)
}

/// The sound a page plays when its ticket is called: two short tones, made here (a few KB, so
/// the page stays light) as 8-bit 11 kHz WAV.
fn called_sound() -> &'static [u8] {
    static SOUND: OnceLock<Vec<u8>> = OnceLock::new();
    SOUND.get_or_init(|| {
        const RATE: u32 = 11_025;
        let mut samples = Vec::new();
        for freq in [1318.5_f64, 1046.5] {
            let n = (0.28 * f64::from(RATE)) as usize;
            for i in 0..n {
                let t = i as f64 / f64::from(RATE);
                let edge = (i.min(n - 1 - i) as f64 / 110.0).min(1.0);
                let v = (2.0 * std::f64::consts::PI * freq * t).sin() * edge * 0.6;
                samples.push((128.0 + v * 127.0).round().clamp(0.0, 255.0) as u8);
            }
        }
        let mut wav = Vec::with_capacity(44 + samples.len());
        wav.extend_from_slice(b"RIFF");
        wav.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
        wav.extend_from_slice(b"WAVEfmt ");
        wav.extend_from_slice(&16u32.to_le_bytes());
        wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
        wav.extend_from_slice(&1u16.to_le_bytes()); // mono
        wav.extend_from_slice(&RATE.to_le_bytes());
        wav.extend_from_slice(&RATE.to_le_bytes()); // bytes per second at 8 bits
        wav.extend_from_slice(&1u16.to_le_bytes());
        wav.extend_from_slice(&8u16.to_le_bytes());
        wav.extend_from_slice(b"data");
        wav.extend_from_slice(&(samples.len() as u32).to_le_bytes());
        wav.extend_from_slice(&samples);
        wav
    })
}

/// Headers of every answer: nothing from elsewhere, no referrer, not framed.
fn sent(status: StatusCode, kind: &'static str, body: Body, cache: &'static str) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-type", kind),
        (
            "content-security-policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", cache),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into()).boxed()
}

fn missing() -> Response<Body> {
    sent(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        full("no such office"),
        "no-store",
    )
}

/// The page's language: `?lang=`, else the phone's first language herald speaks, else the
/// office's.
fn language(request: &Request<Incoming>, office_lang: &str) -> String {
    let asked = request.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| v.to_owned())
    });
    let known = |l: &str| LANGUAGES.iter().any(|(c, _)| *c == l);
    if let Some(lang) = asked.filter(|l| known(l)) {
        return lang;
    }
    request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|accept| {
            accept
                .split(',')
                .filter_map(|part| part.split(';').next())
                .map(|tag| {
                    tag.trim()
                        .split('-')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                })
                .find(|l| known(l))
        })
        .unwrap_or_else(|| office_lang.to_owned())
}

/// Everything under `/o/`.
pub async fn route(request: Request<Incoming>, relay: Arc<Relay>) -> Response<Body> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return sent(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            full("this page only reads"),
            "no-store",
        );
    }
    let path = request.uri().path().to_owned();
    let parts: Vec<&str> = path.trim_start_matches("/o/").split('/').collect();
    match parts.as_slice() {
        ["static", "phone.js"] => sent(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            full(SCRIPT),
            "public, max-age=3600",
        ),
        ["static", "phone.css"] => sent(
            StatusCode::OK,
            "text/css; charset=utf-8",
            full(STYLE),
            "public, max-age=3600",
        ),
        ["static", "called.wav"] => sent(
            StatusCode::OK,
            "audio/wav",
            full(called_sound()),
            "public, max-age=86400",
        ),
        [office] | [office, ""] | [office, "state" | "events"] => {
            let Some(site) = relay.office_site(office) else {
                return missing();
            };
            let lang = language(&request, &site.lang);
            match parts.get(1).copied() {
                None => {
                    // `/o/sk.rajec` → `/o/sk.rajec/`, so the page's relative addresses hold.
                    let mut response = sent(
                        StatusCode::PERMANENT_REDIRECT,
                        "text/plain",
                        full(""),
                        "no-store",
                    );
                    if let Ok(to) = HeaderValue::from_str(&format!("/o/{}/", path_part(office))) {
                        response.headers_mut().insert(header::LOCATION, to);
                    }
                    response
                }
                Some("") => sent(
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    full(page(&relay, office, &lang)),
                    "no-store",
                ),
                Some("state") => match state(&relay, office, &lang) {
                    Some(json) => sent(
                        StatusCode::OK,
                        "application/json",
                        full(json.to_string()),
                        "no-store",
                    ),
                    None => missing(),
                },
                _ => follow(relay, office, lang),
            }
        }
        _ => missing(),
    }
}

/// States made since the last change, per office and language: one per change, shared by every
/// follower (2,000 phones following one office cost one state per call, not 2,000).
type Made = HashMap<(String, String), (u64, Arc<String>)>;

fn made() -> &'static Mutex<Made> {
    static MADE: OnceLock<Mutex<Made>> = OnceLock::new();
    MADE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The office's state in `lang` as JSON text, made once per seq.
fn state(relay: &Relay, office: &str, lang: &str) -> Option<Arc<String>> {
    let seq = relay.seq(office)?;
    let key = (office.to_owned(), lang.to_owned());
    if let Ok(cache) = made().lock()
        && let Some((at, text)) = cache.get(&key)
        && *at == seq
    {
        return Some(text.clone());
    }
    let text = Arc::new(make_state(relay, office, lang)?.to_string());
    if let Ok(mut cache) = made().lock() {
        cache.insert(key, (seq, text.clone()));
    }
    Some(text)
}

fn make_state(relay: &Relay, office: &str, lang: &str) -> Option<serde_json::Value> {
    let site = relay.office_site(office)?;
    let board = relay.board(office)?;
    let seq = relay.seq(office)?;
    let w = words();
    let text_in = |texts: &herald_core::protocol::Localized| {
        [lang, site.lang.as_str(), "en"]
            .iter()
            .find_map(|l| texts.get(*l))
            .or_else(|| texts.values().next())
            .cloned()
            .unwrap_or_default()
    };
    let counter = |label: &str| w.with(lang, "counter-name", &[("label", label.to_owned())]);
    let entry = |e: &herald_core::board::CallEntry| {
        serde_json::json!({
            "id": e.call.id,
            "ticket": e.call.ticket,
            "counter": counter(&e.call.counter.label),
            "label": e.call.counter.label,
            "recalls": e.recalls,
        })
    };
    let now_calls: Vec<serde_json::Value> = board
        .calls()
        .filter(|e| !e.finished)
        .take(NOW)
        .map(entry)
        .collect();
    let shown: Vec<&str> = now_calls.iter().filter_map(|c| c["id"].as_str()).collect();
    let before: Vec<serde_json::Value> = board
        .calls()
        .filter(|e| !shown.contains(&e.call.id.as_str()))
        .take(BEFORE)
        .map(entry)
        .collect();
    let utc = chrono::Utc::now();
    let queue: Vec<serde_json::Value> = board
        .queue()
        .map(|q| {
            q.services
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "service": text_in(&s.name),
                        "waiting": w.with(lang, "phone-waiting-count", &[("count", s.waiting.to_string())]),
                        "minutes": s.wait_minutes.map(|m| w.with(lang, "phone-wait-minutes", &[("minutes", m.to_string())])),
                        "next": s.next,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let notices: Vec<String> = board
        .active_notices(utc)
        .into_iter()
        .map(|n| text_in(&n.text))
        .collect();
    let emergency = board.emergency().filter(|e| e.in_force(utc)).map(|e| {
        let key = match e.kind {
            herald_core::protocol::EmergencyKind::Evacuation => "emergency-evacuation",
            herald_core::protocol::EmergencyKind::Closing => "emergency-closing",
            herald_core::protocol::EmergencyKind::Other => "emergency-other",
        };
        serde_json::json!({ "title": w.text(lang, key), "text": text_in(&e.text) })
    });
    Some(serde_json::json!({
        "seq": seq,
        "now": now_calls,
        "before": before,
        "queue": queue,
        "notices": notices,
        "emergency": emergency,
    }))
}

/// Server-sent events: `state` at once and after every change of the office; a comment every
/// 20 s keeps proxies from closing the stream. A phone that drops the stream gets the state
/// again when it reconnects (and the page fetches `state` meanwhile).
fn follow(relay: Arc<Relay>, office: &str, lang: String) -> Response<Body> {
    let Some(changes) = relay.subscribe(office) else {
        return missing();
    };
    let office = office.to_owned();
    let first = state(&relay, &office, &lang);
    let changes = futures_util::stream::unfold(changes, |mut changes| async move {
        match changes.recv().await {
            // Several changes while this phone was slow (lagged): one state covers them.
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Some(((), changes)),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
        }
    });
    let event = |json: Arc<String>| {
        Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(format!(
            "event: state\ndata: {json}\n\n"
        ))))
    };
    let states =
        futures_util::stream::iter(first.map(event)).chain(changes.filter_map(move |()| {
            let made = state(&relay, &office, &lang).map(event);
            async move { made }
        }));
    let stream = futures_util::stream::select(
        states,
        futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_secs(20)).await;
            Some((Ok(Frame::data(Bytes::from_static(b": still here\n\n"))), ()))
        }),
    );
    sent(
        StatusCode::OK,
        "text/event-stream",
        BodyExt::boxed(StreamBody::new(stream)),
        "no-store",
    )
}

fn page(relay: &Relay, office: &str, lang: &str) -> String {
    let w = words();
    let t = |k: &str| escape(&w.text(lang, k));
    let name = relay
        .office_site(office)
        .and_then(|o| o.name)
        .unwrap_or_else(|| office.to_owned());
    // The words the script needs, with their variables kept for it to fill.
    let keys = [
        "phone-following",
        "phone-before-you",
        "phone-called",
        "phone-called-again",
        "phone-no-calls",
        "phone-offline",
        "phone-your-turn",
        "recall",
    ];
    let placeholders: Vec<(&str, String)> = ["ticket", "counter", "count"]
        .iter()
        .map(|v| (*v, format!("{{ ${v} }}")))
        .collect();
    let script_words: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), w.with(lang, k, &placeholders).into()))
        .collect();
    let script_words = serde_json::Value::Object(script_words)
        .to_string()
        .replace('<', "\\u003c");
    let languages: String = LANGUAGES
        .iter()
        .map(|(code, label)| {
            if *code == lang {
                format!("<li><span aria-current=\"true\" lang=\"{code}\">{label}</span></li>")
            } else {
                format!("<li><a href=\"?lang={code}\" lang=\"{code}\" hreflang=\"{code}\">{label}</a></li>")
            }
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name} — {title}</title>\
         <link rel=\"stylesheet\" href=\"/o/static/phone.css\"></head>\
         <body data-office=\"{office_attr}\" data-lang=\"{lang}\">\
         <header><h1>{name}</h1><p class=\"subtitle\">{title}</p>\
         <nav aria-label=\"{language}\"><ul class=\"languages\">{languages}</ul></nav></header>\
         <main>\
         <section id=\"emergency\" class=\"emergency\" role=\"alert\" hidden></section>\
         <section id=\"called\" class=\"called\" hidden><p class=\"turn\">{yours}</p>\
         <p class=\"big\"><span id=\"called-ticket\"></span> → <span id=\"called-counter\"></span></p></section>\
         <section class=\"follow\" aria-labelledby=\"ticket-label\">\
         <form id=\"follow-form\"><label id=\"ticket-label\" for=\"ticket\">{ticket}</label>\
         <p class=\"help\" id=\"ticket-help\">{help}</p>\
         <div class=\"row\"><input id=\"ticket\" name=\"ticket\" maxlength=\"12\" autocomplete=\"off\" \
         autocapitalize=\"characters\" spellcheck=\"false\" aria-describedby=\"ticket-help\" required>\
         <button type=\"submit\">{follow}</button></div></form>\
         <div id=\"mine\" hidden><p id=\"mine-text\"></p><p id=\"mine-before\"></p>\
         <button type=\"button\" id=\"stop\">{stop}</button></div></section>\
         <p id=\"offline\" class=\"offline\" hidden>{offline}</p>\
         <section aria-labelledby=\"now-title\"><h2 id=\"now-title\">{now}</h2><ul id=\"now\" class=\"calls\"></ul></section>\
         <section aria-labelledby=\"before-title\"><h2 id=\"before-title\">{before}</h2><ul id=\"before\" class=\"calls small\"></ul></section>\
         <section id=\"queue-part\" aria-labelledby=\"queue-title\" hidden><h2 id=\"queue-title\">{waiting}</h2><ul id=\"queue\"></ul></section>\
         <section id=\"notices-part\" aria-labelledby=\"notices-title\" hidden><h2 id=\"notices-title\">{notices}</h2><ul id=\"notices\"></ul></section>\
         <p id=\"said\" class=\"visually-hidden\" aria-live=\"assertive\"></p>\
         <audio id=\"sound\" src=\"/o/static/called.wav\" preload=\"auto\"></audio>\
         </main><footer><p>{privacy}</p></footer>\
         <script type=\"application/json\" id=\"words\">{script_words}</script>\
         <script src=\"/o/static/phone.js\"></script></body></html>",
        name = escape(&crate::console::shown(&name)),
        office_attr = escape(office),
        title = t("phone-title"),
        language = t("phone-language"),
        yours = t("phone-your-turn"),
        ticket = t("phone-your-ticket"),
        help = t("phone-ticket-help"),
        follow = t("phone-follow"),
        stop = t("phone-stop"),
        offline = t("phone-offline"),
        now = t("phone-now"),
        before = t("phone-recent"),
        waiting = t("phone-waiting"),
        notices = t("phone-notices"),
        privacy = t("phone-privacy"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_called_sound_is_a_small_wav() {
        let wav = called_sound();
        assert_eq!(&wav[0..4], b"RIFF");
        assert!(wav.len() < 8_000, "{} bytes", wav.len());
    }
}
