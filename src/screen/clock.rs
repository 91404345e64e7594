//! The clock and date in the display language, and the pure time arithmetic that lets the screen
//! sleep until the minute it shows changes.

use std::time::Duration;

use chrono::{Datelike, Timelike};
use fluent_bundle::FluentValue;

use herald_core::catalogue::Catalogue;

/// "09:05": 24-hour time as all five offices write it.
pub fn time_text(now: &chrono::DateTime<chrono::Local>) -> String {
    format!("{:02}:{:02}", now.hour(), now.minute())
}

/// The date line in `lang`, e.g. "nedeľa 22. novembra 2026".
pub fn date_text(
    catalogue: &Catalogue,
    lang: &str,
    now: &chrono::DateTime<chrono::Local>,
) -> String {
    let weekday = catalogue.text(
        lang,
        &format!("weekday-{}", now.weekday().number_from_monday()),
        &[],
    );
    let month = catalogue.text(lang, &format!("month-{}", now.month()), &[]);
    catalogue.text(
        lang,
        "date-line",
        &[
            ("weekday", FluentValue::from(weekday)),
            ("month", FluentValue::from(month)),
            // Strings, not numbers: Fluent's NUMBER formatting is not locale-aware.
            ("day", FluentValue::from(now.day().to_string())),
            ("year", FluentValue::from(now.year().to_string())),
        ],
    )
}

/// Time until the shown minute changes (plus a little, so we wake just after it).
pub fn until_next_minute(now: &chrono::DateTime<chrono::Local>) -> Duration {
    let into_minute = Duration::from_secs(u64::from(now.second()))
        + Duration::from_nanos(u64::from(now.nanosecond() % 1_000_000_000));
    Duration::from_secs(60).saturating_sub(into_minute) + Duration::from_millis(20)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_screen_wakes_once_a_minute_just_after_the_minute_turns() {
        let now = chrono::Local
            .with_ymd_and_hms(2026, 11, 22, 9, 14, 50)
            .single()
            .expect("a valid local time");
        let wait = until_next_minute(&now);
        assert!(
            wait > Duration::from_secs(10) && wait < Duration::from_millis(10_100),
            "{wait:?}"
        );
        assert_eq!(time_text(&now), "09:14");
    }
}
