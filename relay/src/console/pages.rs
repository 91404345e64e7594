//! The console's HTML: the login form and the page shells the script fills.

use hyper::body::Incoming;
use hyper::header;
use hyper::{Request, StatusCode};

use super::Console;
use super::logins;
use super::text::shown;
use super::web::{Answer, LOGIN_COOKIE, Visitor, answer, escape, path_part, query, set_cookie};
use super::words::{self, LANGUAGES};

pub(super) fn login_page(
    console: &Console,
    request: &Request<Incoming>,
    problem: Option<String>,
) -> Answer {
    let lang = words::pick(
        query(request).get("lang").map(String::as_str),
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    login_form(console, lang, problem, StatusCode::OK)
}

pub(super) fn login_form(
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

/// The page shell; the script fills it from the API.
pub(super) fn page(
    console: &Console,
    who: &Visitor,
    kind: &str,
    display: Option<(&str, &str)>,
) -> Answer {
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
        "console-office-link",
        "console-notices",
        "console-notice-new",
        "console-text-in",
        "console-characters",
        "console-where",
        "console-whole-office",
        "console-on-floors",
        "console-on-displays",
        "console-floors-hint",
        "console-from",
        "console-until",
        "console-post-notice",
        "console-withdraw",
        "console-posted-by",
        "console-notice-state-in_force",
        "console-notice-state-scheduled",
        "console-notice-state-ended",
        "console-no-notices",
        "console-notice-posted",
        "console-notice-withdrawn",
        "console-how-it-looks",
        "console-emergency",
        "console-emergency-none",
        "console-emergency-kind",
        "console-kind-evacuation",
        "console-kind-closing",
        "console-kind-other",
        "console-repeat",
        "console-raise",
        "console-raise-question",
        "console-raise-yes",
        "console-clear",
        "console-clear-question",
        "console-clear-yes",
        "console-cancel",
        "console-emergency-raised",
        "console-done",
        "console-emergency-on-screens",
        "console-emergency-not-yet",
    ];
    let words: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| {
            // Words with variables keep them as `{ $name }` for the script to fill.
            let placeholders: Vec<(&str, String)> =
                ["count", "limit", "lang", "time", "name", "total"]
                    .iter()
                    .map(|v| (*v, format!("{{ ${v} }}")))
                    .collect();
            (
                (*k).to_owned(),
                console.words.with(lang, k, &placeholders).into(),
            )
        })
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
        ("office", Some((office, _))) => (
            escape(&shown(
                console
                    .office(office)
                    .and_then(|o| o.name.as_deref())
                    .unwrap_or(office),
            )),
            format!(" data-office=\"{}\"", escape(office)),
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
        Some((office, _)) if kind == "office" => format!("/console/office/{}", path_part(office)),
        Some((office, id)) => format!("/console/display/{}/{}", path_part(office), path_part(id)),
        None => "/console/".to_owned(),
    };
    let script = if kind == "office" {
        "office.js"
    } else {
        "console.js"
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
         <script src=\"/console/static/{script}\"></script></body></html>",
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
