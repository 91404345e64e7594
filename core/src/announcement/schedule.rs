//! Loudness over the day: a base volume and quiet periods ("12:00-13:00=30" during a lunch
//! break in an open-plan office, "19:00-07:00" silent overnight).

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};

/// The lowest volume of a screen that must announce every call.
pub const FLOOR_PERCENT: u8 = 30;

/// A stretch of the day with its own volume (percent). `to` before `from` crosses midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietPeriod {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub volume: u8,
}

impl QuietPeriod {
    fn contains(&self, t: NaiveTime) -> bool {
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

impl FromStr for QuietPeriod {
    type Err = String;

    /// `HH:MM-HH:MM` (silent) or `HH:MM-HH:MM=PERCENT`.
    fn from_str(text: &str) -> Result<Self, String> {
        let hint = "write it as HH:MM-HH:MM (silent) or HH:MM-HH:MM=PERCENT, e.g. 12:00-13:00=30";
        let (span, volume) = match text.split_once('=') {
            Some((span, volume)) => {
                let volume: u8 = volume
                    .trim()
                    .trim_end_matches('%')
                    .parse()
                    .ok()
                    .filter(|v| *v <= 100)
                    .ok_or_else(|| {
                        format!("quiet period {text:?}: volume must be 0-100; {hint}")
                    })?;
                (span, volume)
            }
            None => (text, 0),
        };
        let (from, to) = span
            .split_once('-')
            .ok_or_else(|| format!("quiet period {text:?} has no '-'; {hint}"))?;
        let time = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| format!("quiet period {text:?}: {s:?} is not HH:MM; {hint}"))
        };
        let (from, to) = (time(from)?, time(to)?);
        if from == to {
            return Err(format!("quiet period {text:?} is empty; {hint}"));
        }
        Ok(Self { from, to, volume })
    }
}

impl fmt::Display for QuietPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}={}",
            self.from.hour(),
            self.from.minute(),
            self.to.hour(),
            self.to.minute(),
            self.volume
        )
    }
}

/// The announcer's volume at any time of day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeSchedule {
    /// Percent, 0-100.
    pub base: u8,
    pub quiet: Vec<QuietPeriod>,
}

impl Default for VolumeSchedule {
    fn default() -> Self {
        Self {
            base: 100,
            quiet: Vec::new(),
        }
    }
}

impl VolumeSchedule {
    /// Quiet periods that would silence announcements play them at `FLOOR_PERCENT` instead
    /// (the accessibility display announces every call).
    pub fn never_silent(&mut self) {
        for period in &mut self.quiet {
            period.volume = period.volume.max(FLOOR_PERCENT);
        }
        self.base = self.base.max(FLOOR_PERCENT);
    }

    /// Percent at local time `t`: the quietest period that covers it, never louder than the base.
    pub fn volume_at(&self, t: NaiveTime) -> u8 {
        self.quiet
            .iter()
            .filter(|p| p.contains(t))
            .map(|p| p.volume)
            .fold(self.base, u8::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn quiet_periods_lower_the_volume_including_across_midnight() {
        let schedule = VolumeSchedule {
            base: 80,
            quiet: vec![
                "12:00-13:00=30".parse().expect("valid"),
                "19:00-07:00".parse().expect("valid"),
            ],
        };
        assert_eq!(schedule.volume_at(at(9, 0)), 80);
        assert_eq!(schedule.volume_at(at(12, 0)), 30);
        assert_eq!(schedule.volume_at(at(12, 59)), 30);
        assert_eq!(schedule.volume_at(at(13, 0)), 80);
        assert_eq!(schedule.volume_at(at(23, 30)), 0);
        assert_eq!(schedule.volume_at(at(6, 59)), 0);
        assert_eq!(schedule.volume_at(at(7, 0)), 80);
        // A "quiet" period louder than the base never raises it.
        let louder = VolumeSchedule {
            base: 20,
            quiet: vec!["08:00-09:00=90".parse().expect("valid")],
        };
        assert_eq!(louder.volume_at(at(8, 30)), 20);
    }

    #[test]
    fn a_screen_that_announces_every_call_is_never_silenced() {
        let mut schedule = VolumeSchedule {
            base: 80,
            quiet: vec![
                "19:00-07:00".parse().expect("period"),
                "12:00-13:00=50".parse().expect("period"),
            ],
        };
        schedule.never_silent();
        assert_eq!(schedule.volume_at(at(22, 0)), FLOOR_PERCENT);
        assert_eq!(schedule.volume_at(at(12, 30)), 50);
        assert_eq!(schedule.volume_at(at(9, 0)), 80);
    }

    #[test]
    fn bad_periods_say_how_to_write_them() {
        for bad in ["noon", "12:00-12:00", "25:00-01:00", "12:00-13:00=150"] {
            let err = bad.parse::<QuietPeriod>().expect_err(bad);
            assert!(err.contains("HH:MM-HH:MM"), "{err}");
        }
        assert_eq!(
            "7:05-8:00=40%"
                .parse::<QuietPeriod>()
                .map(|p| p.to_string()),
            Ok("07:05-08:00=40".to_owned())
        );
    }
}
