//! The console's pages and API under `/console/` on the relay's port.
//!
//! Every page and API answer needs a session (pages send a stranger to the login form, the
//! API answers 401); every request that changes something carries the session's CSRF token.
//! Pages are a shell of same-origin HTML, CSS and JavaScript (no CDN, no web fonts); the data
//! comes as JSON and is put on the page as text, never as markup, and a server-sent event
//! stream says when to fetch it again. Text from displays is also passed through
//! [`super::shown`] so bidi overrides cannot turn it around.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::logins::{self, Refused, Session};
use super::words::{self, LANGUAGES};
use super::{Console, Look, ago, shown, since_text};
use crate::site::Account;
#[cfg(test)]
use crate::site::Role;

pub type Body = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;
type Answer = Response<Body>;

const SESSION_COOKIE: &str = "herald_console";
const LOGIN_COOKIE: &str = "herald_console_login";
const STYLE: &str = include_str!("static/console.css");
const SCRIPT: &str = include_str!("static/console.js");

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into()).boxed()
}

/// Headers every console answer carries: nothing from elsewhere, not framed, not cached.
fn guarded(mut response: Answer) -> Answer {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            "content-security-policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn answer(status: StatusCode, kind: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    guarded(response)
}

fn json(status: StatusCode, value: &serde_json::Value) -> Answer {
    answer(status, "application/json", value.to_string())
}

fn refused(status: StatusCode, why: &str) -> Answer {
    json(status, &serde_json::json!({ "error": why }))
}

fn redirect(to: &str) -> Answer {
    let mut response = answer(StatusCode::SEE_OTHER, "text/plain", "");
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Escapes text for HTML (element content and quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A path segment, percent-encoded (office and display ids in links).
pub fn path_part(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A percent-encoded segment or form value back to text (`+` as space in forms).
fn decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or(""), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k, true), decode(v, true)))
        .collect()
}

fn query(request: &Request<Incoming>) -> HashMap<String, String> {
    request
        .uri()
        .query()
        .map(|q| form(q.as_bytes()))
        .unwrap_or_default()
}

fn cookie(request: &Request<Incoming>, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(response: &mut Answer, console: &Console, name: &str, value: &str, max_age: i64) {
    let secure = if console.tls { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

struct Visitor {
    id: String,
    session: Session,
    account: Account,
}

fn visitor(console: &Console, request: &Request<Incoming>) -> Option<Visitor> {
    let id = cookie(request, SESSION_COOKIE)?;
    let session = console.logins.session(&id)?;
    // An account removed from the site file ends its sessions at the next reload.
    let account = console
        .site
        .accounts
        .iter()
        .find(|a| a.name == session.account)?
        .clone();
    Some(Visitor {
        id,
        session,
        account,
    })
}

async fn body_of(request: Request<Incoming>) -> Option<Bytes> {
    tokio::time::timeout(
        Duration::from_secs(30),
        Limited::new(request.into_body(), 16 * 1024).collect(),
    )
    .await
    .ok()?
    .ok()
    .map(|b| b.to_bytes())
}

/// Answers everything under `/console`.
pub async fn route(request: Request<Incoming>, peer: SocketAddr, console: Arc<Console>) -> Answer {
    let path = request.uri().path().to_owned();
    let parts: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .skip(1)
        .map(|p| decode(p, false))
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let method = request.method().clone();
    match (&method, parts.as_slice()) {
        (&Method::GET, ["static", "console.css"]) => {
            return answer(StatusCode::OK, "text/css; charset=utf-8", STYLE);
        }
        (&Method::GET, ["static", "console.js"]) => {
            return answer(StatusCode::OK, "text/javascript; charset=utf-8", SCRIPT);
        }
        (&Method::GET, ["login"]) => return login_page(&console, &request, None),
        (&Method::POST, ["login"]) => return log_in(request, peer, console).await,
        _ => {}
    }
    let Some(who) = visitor(&console, &request) else {
        return if method == Method::GET && !matches!(parts.first(), Some(&"api" | &"events")) {
            // The language asked for follows to the login form.
            match query(&request).get("lang") {
                Some(lang) => redirect(&format!(
                    "/console/login?lang={}",
                    words::pick(Some(lang), None)
                )),
                None => redirect("/console/login"),
            }
        } else {
            refused(StatusCode::UNAUTHORIZED, "sign in first: /console/login")
        };
    };
    let mut who = who;
    // `?lang=` switches the language of this session.
    if let Some(lang) = query(&request).get("lang") {
        let lang = words::pick(Some(lang), None);
        console.logins.set_lang(&who.id, lang);
        who.session.lang = lang.to_owned();
    }
    if method != Method::GET && method != Method::HEAD {
        let header_token = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = body_of(request).await.unwrap_or_default();
        let fields = form(&body);
        let given = header_token.or_else(|| fields.get("csrf").cloned());
        if !given.is_some_and(|g| logins::same(&g, &who.session.csrf)) {
            console.book.audit(
                &who.account.name,
                "refused",
                &format!("{method} {path} without its CSRF token"),
                &peer.ip().to_string(),
            );
            return refused(
                StatusCode::FORBIDDEN,
                "this form or request has no valid CSRF token; reload the page",
            );
        }
        return match parts.as_slice() {
            ["logout"] => {
                console.logins.log_out(&who.id);
                console
                    .book
                    .audit(&who.account.name, "logout", "", &peer.ip().to_string());
                let mut response = redirect("/console/login");
                set_cookie(&mut response, &console, SESSION_COOKIE, "", 0);
                response
            }
            ["api", "thumbnail", office, display] => {
                if !who.account.sees(office) {
                    return refused(StatusCode::NOT_FOUND, "no such display");
                }
                let asked = console.ask_thumbnail(office, display, 640);
                console.book.audit(
                    &who.account.name,
                    "thumbnail",
                    &format!("{office}/{display}"),
                    &peer.ip().to_string(),
                );
                if asked {
                    json(StatusCode::ACCEPTED, &serde_json::json!({ "asked": true }))
                } else {
                    refused(StatusCode::CONFLICT, "the display is not connected")
                }
            }
            ["api", "test-call", office, display] => {
                if !who.account.sees(office) {
                    return refused(StatusCode::NOT_FOUND, "no such display");
                }
                let call = match test_call(&fields) {
                    Ok(call) => call,
                    Err(why) => return refused(StatusCode::BAD_REQUEST, &why),
                };
                console.book.audit(
                    &who.account.name,
                    "test_call",
                    &format!("{office}/{display}: {} → {}", call.ticket, call.counter),
                    &peer.ip().to_string(),
                );
                if console.ask_test_call(office, display, call) {
                    json(StatusCode::ACCEPTED, &serde_json::json!({ "asked": true }))
                } else {
                    refused(StatusCode::CONFLICT, "the display is not connected")
                }
            }
            _ => refused(StatusCode::NOT_FOUND, "nothing to change here"),
        };
    }
    match parts.as_slice() {
        [] | [""] => page(&console, &who, "list", None),
        ["display", office, display] => {
            if !who.account.sees(office) {
                return page(&console, &who, "missing", None);
            }
            page(&console, &who, "display", Some((office, display)))
        }
        ["api", "displays"] => {
            console.ask_missing_thumbnails(super::thumbnail_width());
            json(StatusCode::OK, &list(&console, &who))
        }
        ["api", "display", office, display] => match detail(&console, &who, office, display) {
            Some(value) => json(StatusCode::OK, &value),
            None => refused(StatusCode::NOT_FOUND, "no such display"),
        },
        ["api", "thumbnail", office, display] => {
            if !who.account.sees(office) {
                return refused(StatusCode::NOT_FOUND, "no such display");
            }
            let png = console.with_displays(|d| {
                d.get(&((*office).to_owned(), (*display).to_owned()))
                    .and_then(|s| s.thumbnail.as_ref().map(|t| t.png.clone()))
            });
            match png {
                Some(png) => answer(StatusCode::OK, "image/png", Bytes::from(png.to_vec())),
                None => refused(StatusCode::NOT_FOUND, "no picture yet"),
            }
        }
        ["events"] => events(&console, &who),
        _ => refused(StatusCode::NOT_FOUND, "nothing here"),
    }
}

/// The test call a form asks for: a ticket and a counter as the screen would show them.
fn test_call(fields: &HashMap<String, String>) -> Result<herald_core::report::TestCall, String> {
    let field = |name: &str, most: usize| {
        let text = fields.get(name).map(|t| t.trim()).unwrap_or_default();
        if text.is_empty() || text.chars().count() > most {
            return Err(format!("{name}: give 1–{most} characters"));
        }
        if text.chars().any(|c| {
            c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        }) {
            return Err(format!(
                "{name}: control and bidi characters are not allowed"
            ));
        }
        Ok(text.to_owned())
    };
    Ok(herald_core::report::TestCall {
        ticket: field("ticket", herald_core::protocol::MAX_TICKET_CHARS)?,
        counter: field("counter", 12)?,
    })
}

fn login_page(console: &Console, request: &Request<Incoming>, problem: Option<String>) -> Answer {
    let lang = words::pick(
        query(request).get("lang").map(String::as_str),
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    login_form(console, lang, problem, StatusCode::OK)
}

fn login_form(
    console: &Console,
    lang: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Answer {
    let w = |k: &str| escape(&console.words.text(lang, k));
    let token = logins::token();
    let problem = problem
        .map(|p| format!("<p class=\"problem\" role=\"alert\">{}</p>", escape(&p)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/console/static/console.css\"></head>\
         <body class=\"login\"><main><h1>{title}</h1>{problem}\
         <form method=\"post\" action=\"/console/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
         <label for=\"name\">{name}</label><input id=\"name\" name=\"name\" autocomplete=\"username\" required>\
         <label for=\"password\">{password}</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\">{sign_in}</button></form>{languages}</main></body></html>",
        title = w("console-login-title"),
        name = w("console-name"),
        password = w("console-password"),
        sign_in = w("console-sign-in"),
        languages = language_links(console, lang, "/console/login"),
    );
    let mut response = answer(status, "text/html; charset=utf-8", html);
    set_cookie(&mut response, console, LOGIN_COOKIE, &token, 3600);
    response
}

fn language_links(console: &Console, lang: &str, here: &str) -> String {
    let links: Vec<String> = LANGUAGES
        .iter()
        .map(|(code, name)| {
            if *code == lang {
                format!("<li><span aria-current=\"true\" lang=\"{code}\">{name}</span></li>")
            } else {
                format!("<li><a href=\"{here}?lang={code}\" lang=\"{code}\" hreflang=\"{code}\">{name}</a></li>")
            }
        })
        .collect();
    format!(
        "<nav class=\"languages\" aria-label=\"{}\"><ul>{}</ul></nav>",
        escape(&console.words.text(lang, "console-language")),
        links.join("")
    )
}

async fn log_in(request: Request<Incoming>, peer: SocketAddr, console: Arc<Console>) -> Answer {
    let pre = cookie(&request, LOGIN_COOKIE);
    let body = body_of(request).await.unwrap_or_default();
    let fields = form(&body);
    let lang = words::pick(fields.get("lang").map(String::as_str), None);
    let text = |k: &str| console.words.text(lang, k);
    // The login form's own token: a page elsewhere cannot post a login (login CSRF).
    let token_ok = match (pre, fields.get("csrf")) {
        (Some(pre), Some(given)) => logins::same(&pre, given),
        _ => false,
    };
    if !token_ok {
        return login_form(
            &console,
            lang,
            Some(text("console-expired")),
            StatusCode::FORBIDDEN,
        );
    }
    let name = fields.get("name").cloned().unwrap_or_default();
    let password = fields.get("password").cloned().unwrap_or_default();
    let address = peer.ip().to_string();
    let checking = console.clone();
    let (who, at) = (name.clone(), address.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        checking
            .logins
            .log_in(&checking.site.accounts, &who, &password, &at, lang)
    })
    .await;
    let shown_name = shown(&super::clip(&name, 64));
    match outcome {
        Ok(Ok((id, _))) => {
            console.book.audit(&name, "login", "", &address);
            tracing::info!("console: {shown_name:?} signed in from {address}");
            let mut response = redirect("/console/");
            set_cookie(
                &mut response,
                &console,
                SESSION_COOKIE,
                &id,
                logins::IDLE_LIMIT.as_secs() as i64,
            );
            set_cookie(&mut response, &console, LOGIN_COOKIE, "", 0);
            response
        }
        Ok(Err(Refused::Wait(wait))) => {
            console.metrics.logins_refused.inc();
            console.book.audit(
                &shown_name,
                "login_waiting",
                &format!("{} s to wait", wait.as_secs() + 1),
                &address,
            );
            let problem = console.words.with(
                lang,
                "console-wait",
                &[("seconds", (wait.as_secs() + 1).to_string())],
            );
            let mut response =
                login_form(&console, lang, Some(problem), StatusCode::TOO_MANY_REQUESTS);
            if let Ok(v) = HeaderValue::from_str(&(wait.as_secs() + 1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Ok(Err(Refused::Wrong)) => {
            console.metrics.logins_refused.inc();
            console
                .book
                .audit(&shown_name, "login_failed", "", &address);
            tracing::warn!("console: a wrong name or password for {shown_name:?} from {address}");
            login_form(
                &console,
                lang,
                Some(text("console-wrong")),
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(e) => {
            tracing::error!("console: the password check failed: {e}");
            login_form(&console, lang, None, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// The page shell; the script fills it from the API.
fn page(console: &Console, who: &Visitor, kind: &str, display: Option<(&str, &str)>) -> Answer {
    let lang = who.session.lang.as_str();
    let w = |k: &str| escape(&console.words.text(lang, k));
    // Every word the script needs, as JSON inside the page (`<` escaped so that no text can
    // end the script element).
    let keys = [
        "console-picture",
        "console-display",
        "console-state",
        "console-last-seen",
        "console-version",
        "console-layout",
        "console-scope",
        "console-voice",
        "console-last-call",
        "console-no-picture",
        "console-alert",
        "console-refresh-picture",
        "console-history",
        "console-events",
        "console-errors",
        "console-uptime",
        "console-clock",
        "console-languages",
        "console-feed",
        "console-connected",
        "console-disconnected",
        "console-voice-none",
        "console-no-displays",
        "console-open",
        "console-closed-now",
        "console-not-found",
        "console-at",
        "console-since",
        "console-address",
        "console-test-call",
        "console-ticket",
        "console-counter",
        "console-test-call-sent",
    ];
    let words: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), console.words.text(lang, k).into()))
        .collect();
    let words = serde_json::Value::Object(words)
        .to_string()
        .replace('<', "\\u003c");
    let (heading, data) = match (kind, display) {
        ("display", Some((office, id))) => (
            escape(&shown(id)),
            format!(
                " data-office=\"{}\" data-display=\"{}\"",
                escape(office),
                escape(id)
            ),
        ),
        ("missing", _) => (w("console-not-found"), String::new()),
        _ => (w("console-displays"), String::new()),
    };
    let back = if kind == "list" {
        String::new()
    } else {
        format!("<p><a href=\"/console/\">{}</a></p>", w("console-back"))
    };
    let here = match display {
        Some((office, id)) => format!("/console/display/{}/{}", path_part(office), path_part(id)),
        None => "/console/".to_owned(),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading} — {title}</title>\
         <link rel=\"stylesheet\" href=\"/console/static/console.css\"></head>\
         <body data-page=\"{kind}\" data-csrf=\"{csrf}\"{data}>\
         <header><p class=\"brand\">{title}</p>{languages}\
         <form method=\"post\" action=\"/console/logout\" class=\"who\">\
         <span>{signed_in}</span><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\">{sign_out}</button></form></header>\
         <main id=\"main\">{back}<h1>{heading}</h1><p id=\"summary\" aria-live=\"polite\"></p>\
         <div id=\"content\"></div></main>\
         <script type=\"application/json\" id=\"words\">{words}</script>\
         <script src=\"/console/static/console.js\"></script></body></html>",
        title = w("console-title"),
        csrf = escape(&who.session.csrf),
        languages = language_links(console, lang, &here),
        signed_in = escape(&console.words.with(
            lang,
            "console-signed-in-as",
            &[("name", shown(&who.account.name))]
        )),
        sign_out = w("console-sign-out"),
    );
    answer(StatusCode::OK, "text/html; charset=utf-8", html)
}

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

fn list(console: &Console, who: &Visitor) -> serde_json::Value {
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

fn detail(
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
fn events(console: &Console, who: &Visitor) -> Answer {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_safely_in_paths_and_forms() {
        assert_eq!(path_part("hall 1/<b>"), "hall%201%2F%3Cb%3E");
        assert_eq!(decode("hall%201%2F%3Cb%3E", false), "hall 1/<b>");
        assert_eq!(decode("a+b%", true), "a b%");
        assert_eq!(escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
        let f = form(b"name=marta&password=p%26ss+word&csrf=x");
        assert_eq!(f.get("password").map(String::as_str), Some("p&ss word"));
    }

    #[test]
    fn staff_see_their_offices_only() {
        let staff = Account {
            name: "olena".into(),
            role: Role::Staff,
            offices: vec!["ua.zhytomyr".into()],
            password_hash: String::new(),
        };
        assert!(staff.sees("ua.zhytomyr"));
        assert!(!staff.sees("sk.kosice"));
    }
}
