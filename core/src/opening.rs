//! Opening hours: a weekly schedule and dated exceptions (public holidays, shortened days),
//! from the site's configuration (`--open "mon-fri 8:00-16:00"`, `--holiday 2026-12-24`,
//! `--holiday "2026-12-31 8:00-12:00"`). Outside them the screen shows the closed office and
//! when it opens next, whatever the queue system says, and the site's on-close / on-open
//! commands run at the changes.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// Open from the first time to the second, on one day.
type Stretch = (NaiveTime, NaiveTime);

/// When the office is open. Empty: no schedule, the queue system alone decides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opening {
    /// Monday first.
    week: [Vec<Stretch>; 7],
    /// Days that differ from the week: closed (no stretches) or shortened.
    exceptions: BTreeMap<NaiveDate, Vec<Stretch>>,
    configured: bool,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(name: &str) -> Option<usize> {
    DAYS.iter().position(|d| name.eq_ignore_ascii_case(d))
}

fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("{text:?} is not a time like 8:00 or 16:30"))
}

/// "8:00-12:00,13:00-16:00" or "closed".
fn parse_stretches(text: &str) -> Result<Vec<Stretch>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("closed") || text.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Stretch> = Vec::new();
    for part in text.split(',') {
        let (from, to) = part
            .split_once('-')
            .ok_or_else(|| format!("{part:?} is not a stretch like 8:00-16:00"))?;
        let (from, to) = (parse_time(from)?, parse_time(to)?);
        if from >= to {
            return Err(format!("{part:?} ends before it starts"));
        }
        if out.last().is_some_and(|(_, end)| *end > from) {
            return Err(format!(
                "{part:?} overlaps the stretch before it; list them in order"
            ));
        }
        out.push((from, to));
    }
    Ok(out)
}

/// "2026-12-24" or "2026-12-24 closed" (closed all day), "2026-12-31 8:00-11:00" (shortened).
fn parse_exception(line: &str) -> Result<(NaiveDate, Vec<Stretch>), String> {
    let line = line.trim();
    let (date, hours) = line
        .split_once(char::is_whitespace)
        .unwrap_or((line, "closed"));
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| format!("holiday {line:?}: {date:?} is not a date like 2026-12-24"))?;
    let stretches = parse_stretches(hours).map_err(|e| format!("holiday {line:?}: {e}"))?;
    Ok((date, stretches))
}

/// Checks holiday lines on their own (a config file's `holidays`, before the week is known).
pub fn check_holidays(lines: &[String]) -> Result<(), String> {
    lines
        .iter()
        .try_for_each(|line| parse_exception(line).map(|_| ()))
}

impl Opening {
    /// Reads the weekly lines ("mon-fri 8:00-16:00", "wed 8:00-17:30", "sat closed"; a later
    /// line wins for its days) and the exceptions ("2026-12-24" or "2026-12-24 closed" for a
    /// closed day, "2026-12-31 8:00-12:00" for a shortened one).
    pub fn parse(week: &[String], exceptions: &[String]) -> Result<Self, String> {
        let mut opening = Self {
            configured: !week.is_empty(),
            ..Self::default()
        };
        for line in week {
            let (days, hours) = line.trim().split_once(char::is_whitespace).ok_or_else(|| {
                format!("open {line:?}: give days and hours, e.g. \"mon-fri 8:00-16:00\"")
            })?;
            let stretches = parse_stretches(hours).map_err(|e| format!("open {line:?}: {e}"))?;
            for group in days.split(',') {
                let (first, last) = group.split_once('-').unwrap_or((group, group));
                let (Some(first), Some(last)) = (day_index(first), day_index(last)) else {
                    return Err(format!(
                        "open {line:?}: {group:?} is not a day or a range of days (mon, tue, wed, thu, fri, sat, sun)"
                    ));
                };
                if first > last {
                    return Err(format!("open {line:?}: {group:?} runs backwards"));
                }
                for day in first..=last {
                    opening.week[day].clone_from(&stretches);
                }
            }
        }
        for line in exceptions {
            let (date, stretches) = parse_exception(line)?;
            opening.exceptions.insert(date, stretches);
        }
        if !opening.configured && !opening.exceptions.is_empty() {
            return Err(
                "holidays need the weekly hours too (--open \"mon-fri 8:00-16:00\")".into(),
            );
        }
        Ok(opening)
    }

    /// True when a schedule was given.
    pub fn is_set(&self) -> bool {
        self.configured
    }

    fn day(&self, date: NaiveDate) -> &[Stretch] {
        self.exceptions.get(&date).map_or_else(
            || &self.week[date.weekday().num_days_from_monday() as usize][..],
            Vec::as_slice,
        )
    }

    /// Whether the office is open at `at` (local time). Without a schedule: always.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        !self.configured
            || self
                .day(at.date())
                .iter()
                .any(|(from, to)| (*from..*to).contains(&at.time()))
    }

    /// The next moment the office opens after `at`, within a year.
    pub fn next_opening(&self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        self.next(at, |from, _| from)
    }

    /// The next moment the office opens or closes after `at`, within a year.
    pub fn next_change(&self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let open = self.next(at, |from, _| from);
        let close = self.next(at, |_, to| to);
        match (open, close) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn next(
        &self,
        at: NaiveDateTime,
        pick: impl Fn(NaiveTime, NaiveTime) -> NaiveTime,
    ) -> Option<NaiveDateTime> {
        if !self.configured {
            return None;
        }
        (0..=366).find_map(|offset| {
            let date = at.date() + Duration::days(offset);
            self.day(date)
                .iter()
                .map(|(from, to)| date.and_time(pick(*from, *to)))
                .find(|t| *t > at)
        })
    }
}

/// How the closed screen names the next opening, relative to now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Today,
    Tomorrow,
    /// Within the coming week: by its weekday (1 = Monday).
    Weekday(u32),
    /// Further away: by its date.
    Date,
}

pub fn when(now: NaiveDateTime, opens: NaiveDateTime) -> When {
    let days = (opens.date() - now.date()).num_days();
    match days {
        0 => When::Today,
        1 => When::Tomorrow,
        2..=6 => When::Weekday(opens.weekday().number_from_monday()),
        _ => When::Date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time")
    }

    fn rajec() -> Opening {
        Opening::parse(
            &[
                "mon-fri 8:00-12:00,13:00-16:00".into(),
                "wed 8:00-12:00,13:00-17:30".into(),
            ],
            &["2026-12-24".into(), "2026-12-31 8:00-11:00".into()],
        )
        .expect("valid")
    }

    #[test]
    fn open_in_its_hours_closed_at_lunch_at_night_on_weekends_and_holidays() {
        let o = rajec();
        // 2026-11-23 is a Monday.
        assert!(o.is_open(at("2026-11-23 09:00")));
        assert!(!o.is_open(at("2026-11-23 12:30")), "lunch");
        assert!(!o.is_open(at("2026-11-23 16:00")), "closing time is closed");
        assert!(o.is_open(at("2026-11-25 17:00")), "long Wednesday");
        assert!(!o.is_open(at("2026-11-28 10:00")), "Saturday");
        assert!(
            !o.is_open(at("2026-12-24 10:00")),
            "a holiday on a Thursday"
        );
        assert!(o.is_open(at("2026-12-31 10:30")) && !o.is_open(at("2026-12-31 11:30")));
        assert!(
            Opening::default().is_open(at("2026-12-24 03:00")),
            "no schedule: open"
        );
    }

    #[test]
    fn the_next_opening_is_after_lunch_tomorrow_after_the_weekend_and_after_holidays() {
        let o = rajec();
        assert_eq!(
            o.next_opening(at("2026-11-23 12:30")),
            Some(at("2026-11-23 13:00"))
        );
        assert_eq!(
            o.next_opening(at("2026-11-23 18:00")),
            Some(at("2026-11-24 08:00"))
        );
        assert_eq!(
            o.next_opening(at("2026-11-27 16:30")),
            Some(at("2026-11-30 08:00"))
        );
        assert_eq!(
            o.next_opening(at("2026-12-23 17:00")),
            Some(at("2026-12-25 08:00"))
        );
        assert_eq!(
            o.next_change(at("2026-11-23 09:00")),
            Some(at("2026-11-23 12:00"))
        );
        assert_eq!(
            when(at("2026-11-23 18:00"), at("2026-11-24 08:00")),
            When::Tomorrow
        );
        assert_eq!(
            when(at("2026-11-27 16:30"), at("2026-11-30 08:00")),
            When::Weekday(1)
        );
        assert_eq!(
            when(at("2026-11-23 12:30"), at("2026-11-23 13:00")),
            When::Today
        );
    }

    #[test]
    fn mistakes_are_named() {
        for (week, holidays, says) in [
            (vec!["mon-fri"], vec![], "give days and hours"),
            (vec!["mon-fry 8:00-16:00"], vec![], "not a day"),
            (vec!["fri-mon 8:00-16:00"], vec![], "backwards"),
            (vec!["mon 16:00-8:00"], vec![], "ends before"),
            (vec!["mon 8:00-12:00,11:00-16:00"], vec![], "overlaps"),
            (vec!["mon 8:00-16:00"], vec!["24.12.2026"], "not a date"),
            (vec![], vec!["2026-12-24"], "need the weekly hours"),
        ] {
            let week: Vec<String> = week.into_iter().map(str::to_owned).collect();
            let holidays: Vec<String> = holidays.into_iter().map(str::to_owned).collect();
            match Opening::parse(&week, &holidays) {
                Ok(_) => panic!("{week:?} {holidays:?} was accepted"),
                Err(e) => assert!(e.contains(says), "{e}"),
            }
        }
    }
}
