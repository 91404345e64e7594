//! The words the view puts together: service and counter names, where to go, when the office
//! opens next. Each is one Fluent message or a choice between a call's own names.

use fluent_bundle::FluentValue;
use herald_core::catalogue::{self, Catalogue};
use herald_core::protocol::{Call, Localized};

/// The service name in `lang`, else the office's primary language, else English, else any.
pub fn service_name(service: &Localized, lang: &str, primary: &str) -> String {
    [lang, primary, "en"]
        .iter()
        .find_map(|l| service.get(*l))
        .or_else(|| service.values().next())
        .cloned()
        .unwrap_or_default()
}

/// "Okienko 3" / "Вікно 3".
pub fn counter_name(words: &Catalogue, lang: &str, label: &str) -> String {
    words.text(
        lang,
        "counter-name",
        &[("label", FluentValue::from(label.to_owned()))],
    )
}

/// Service, floor and room of a call: "Miestne dane · 1. poschodie · 104".
pub fn where_to_go(words: &Catalogue, lang: &str, call: &Call) -> String {
    let mut parts = vec![service_name(&call.service, lang, words.primary())];
    if let Some(floor) = call.floor {
        parts.push(words.text(lang, "floor-name", &catalogue::floor_args(floor)));
    }
    if let Some(room) = &call.room {
        parts.push(room.clone());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}

/// "Otvorené zajtra od 8:00" / "Відкрито у понеділок з 8:00" / "Open on 2 January from 8:00".
pub fn opens_next(
    w: &Catalogue,
    lang: &str,
    now: chrono::NaiveDateTime,
    opens: chrono::NaiveDateTime,
) -> String {
    use chrono::{Datelike, Timelike};
    use herald_core::opening::{When, when};
    let (kind, weekday) = match when(now, opens) {
        When::Today => ("today", String::new()),
        When::Tomorrow => ("tomorrow", String::new()),
        When::Weekday(day) => ("weekday", w.text(lang, &format!("on-weekday-{day}"), &[])),
        When::Date => ("date", String::new()),
    };
    let date = w.text(
        lang,
        "opens-date",
        &[
            ("day", FluentValue::from(opens.day().to_string())),
            (
                "month",
                FluentValue::from(w.text(lang, &format!("month-{}", opens.month()), &[])),
            ),
        ],
    );
    w.text(
        lang,
        "opens-next",
        &[
            ("when", FluentValue::from(kind)),
            ("weekday", FluentValue::from(weekday)),
            ("date", FluentValue::from(date)),
            (
                "time",
                FluentValue::from(format!("{}:{:02}", opens.hour(), opens.minute())),
            ),
        ],
    )
}
