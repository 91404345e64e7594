//! The sequencer's emergency: while one holds, the tone and its text are announced every
//! `every` (once when none), calls waiting to be announced are dropped and new ones are not
//! announced (the screen still lists them); a call being said stops after its current step.
//! Quiet hours do not silence it.

use std::time::{Duration, Instant};

use super::{Announcement, Current, Effect, Progress, Sequencer, Step, Wait};
use crate::announcement::schedule::FLOOR_PERCENT;
use crate::log_event::SpokenText;

/// What an emergency says, and how often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alarm {
    pub id: String,
    /// (language, text), in the order they are said.
    pub speech: Vec<(String, String)>,
    /// Between the end of one announcement and the start of the next; none: said once.
    pub every: Option<Duration>,
}

#[derive(Default)]
pub(super) struct AlarmState {
    alarm: Option<Alarm>,
    /// When the next announcement is due; none once said (`every` none).
    next: Option<Instant>,
}

impl AlarmState {
    pub(super) fn holds(&self) -> bool {
        self.alarm.is_some()
    }

    pub(super) fn next(&self) -> Option<Instant> {
        self.next
    }

    /// The announcement ended at `now`: the next one is due after `every`.
    pub(super) fn said(&mut self, now: Instant) {
        self.next = self
            .alarm
            .as_ref()
            .and_then(|a| a.every)
            .map(|every| now + every);
    }
}

impl Sequencer {
    pub(super) fn emergency(&mut self, alarm: Option<Alarm>, now: Instant, out: &mut Vec<Effect>) {
        if self.alarm.alarm == alarm {
            return;
        }
        // Whatever is being said now ends after its current step: a call gives way to the
        // emergency, and an emergency that is over (or changed) is not finished.
        if let Some(current) = self.current.as_mut() {
            current.announcement.steps.truncate(current.step + 1);
        }
        match alarm {
            Some(alarm) => {
                for ticket in self.queue.drop_all() {
                    out.push(Effect::Tell(Progress::Skipped {
                        ticket,
                        reason: "an emergency holds".into(),
                    }));
                }
                Self::note(
                    format!(
                        "emergency {}: the tone and its text are announced {}; calls are not \
                         announced until it ends",
                        alarm.id,
                        match alarm.every {
                            Some(every) => format!("every {} s", every.as_secs()),
                            None => "once".to_owned(),
                        }
                    ),
                    out,
                );
                self.alarm = AlarmState {
                    alarm: Some(alarm),
                    next: Some(now),
                };
            }
            None => {
                if let Some(old) = self.alarm.alarm.take() {
                    Self::note(
                        format!("emergency {} is over: calls are announced again", old.id),
                        out,
                    );
                }
                self.alarm = AlarmState::default();
            }
        }
    }

    /// Starts the emergency's announcement when it is due.
    pub(super) fn start_alarm(&mut self, now: Instant, out: &mut Vec<Effect>) {
        let Some(alarm) = self.alarm.alarm.clone() else {
            return;
        };
        if self.alarm.next.is_none_or(|due| due > now) {
            return;
        }
        self.alarm.next = None;
        let speech_up = self.speech_down.is_none();
        let voices = self.voices.clone();
        let voiced =
            |lang: &str| speech_up && voices.as_ref().is_none_or(|v| v.iter().any(|l| l == lang));
        let mut steps = vec![Step::Alarm];
        for (i, (lang, text)) in alarm.speech.iter().filter(|(l, _)| voiced(l)).enumerate() {
            steps.push(Step::Pause {
                millis: if i == 0 {
                    200
                } else {
                    self.config.settings.gap_millis
                },
            });
            steps.push(Step::Speak {
                lang: lang.clone(),
                text: text.clone(),
                words: Vec::new(),
            });
        }
        // Quiet hours lower calls; an emergency is always heard.
        let volume = self.config.volume.base.max(FLOOR_PERCENT);
        out.push(Effect::Tell(Progress::Started {
            ticket: "emergency".into(),
            call_id: alarm.id.clone(),
            test: false,
            recall: false,
            shortened: false,
            volume,
            speech: alarm
                .speech
                .iter()
                .map(|(lang, text)| SpokenText {
                    lang: lang.clone(),
                    text: text.clone(),
                })
                .collect(),
            waited_ms: 0,
        }));
        self.current = Some(Current {
            announcement: Announcement {
                call_id: alarm.id,
                ticket: "emergency".into(),
                recall: false,
                shortened: false,
                steps,
            },
            step: 0,
            wait: None::<Wait>,
            received: now,
            volume,
            lang: String::new(),
            tone_secs: crate::announcement::alarm::SECONDS,
            alarm: true,
        });
        self.play_step(now, out);
    }
}
