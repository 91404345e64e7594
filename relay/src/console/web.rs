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

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::logins::{self, Refused, Session};
use super::pages::login_form;
use super::words;
use super::{Console, shown};
use crate::site::Account;

pub type Body = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;
pub(super) type Answer = Response<Body>;

const SESSION_COOKIE: &str = "herald_console";
pub(super) const LOGIN_COOKIE: &str = "herald_console_login";
const STYLE: &str = include_str!("static/console.css");
const SCRIPT: &str = include_str!("static/console.js");
const OFFICE_SCRIPT: &str = include_str!("static/office.js");

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into()).boxed()
}

/// Headers every console answer carries: nothing from elsewhere, not framed, not cached.
pub(super) fn guarded(mut response: Answer) -> Answer {
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

pub(super) fn answer(status: StatusCode, kind: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    guarded(response)
}

pub(super) fn json(status: StatusCode, value: &serde_json::Value) -> Answer {
    answer(status, "application/json", value.to_string())
}

pub(super) fn refused(status: StatusCode, why: &str) -> Answer {
    json(status, &serde_json::json!({ "error": why }))
}

pub(super) fn redirect(to: &str) -> Answer {
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

pub(super) fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k, true), decode(v, true)))
        .collect()
}

pub(super) fn query(request: &Request<Incoming>) -> HashMap<String, String> {
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

pub(super) fn set_cookie(
    response: &mut Answer,
    console: &Console,
    name: &str,
    value: &str,
    max_age: i64,
) {
    let secure = if console.tls { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub(super) struct Visitor {
    pub(super) id: String,
    pub(super) session: Session,
    pub(super) account: Account,
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
pub async fn route(
    request: Request<Incoming>,
    peer: SocketAddr,
    console: Arc<Console>,
    relay: Arc<crate::relay::Relay>,
) -> Answer {
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
        (&Method::GET, ["static", "office.js"]) => {
            return answer(
                StatusCode::OK,
                "text/javascript; charset=utf-8",
                OFFICE_SCRIPT,
            );
        }
        (&Method::GET, ["login"]) => return super::pages::login_page(&console, &request, None),
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
        if let Some(answer) =
            super::steer::change(relay, &console, &who, peer, &parts, &fields).await
        {
            return answer;
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
        [] | [""] => super::pages::page(&console, &who, "list", None),
        ["office", office] => {
            if !who.account.sees(office) || relay.office_site(office).is_none() {
                return super::pages::page(&console, &who, "missing", None);
            }
            super::pages::page(&console, &who, "office", Some((office, "")))
        }
        ["api", "office", office] => super::steer::office(&relay, &console, &who, office),
        ["display", office, display] => {
            if !who.account.sees(office) {
                return super::pages::page(&console, &who, "missing", None);
            }
            super::pages::page(&console, &who, "display", Some((office, display)))
        }
        ["api", "displays"] => {
            console.ask_missing_thumbnails(super::thumbnail_width());
            json(StatusCode::OK, &super::api::list(&console, &who))
        }
        ["api", "display", office, display] => {
            match super::api::detail(&console, &who, office, display) {
                Some(value) => json(StatusCode::OK, &value),
                None => refused(StatusCode::NOT_FOUND, "no such display"),
            }
        }
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
        ["events"] => super::api::events(&console, &who),
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
            let mut response = super::pages::login_form(
                &console,
                lang,
                Some(problem),
                StatusCode::TOO_MANY_REQUESTS,
            );
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
            super::pages::login_form(&console, lang, None, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Role;

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
