//! The announcer's rules, without threads or clocks: a [`Sequencer`] takes what happens (a call,
//! a cancellation, the chime starting, the voice reporting, time passing) and answers with what
//! to do (play the chime, say a sentence, tell the log). One announcement at a time: the chime,
//! then each sentence after the previous one ended; a missing chime or voice never stops the
//! rest. The announcer thread (`voice::announcer` in the display) only carries inputs in and
//! effects out, so every ordering rule here is tested with a plain clock.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveTime;

pub use super::progress::Progress;
pub use alarm::Alarm;

mod alarm;
mod voice;
use super::schedule::VolumeSchedule;
use super::{Announcement, AnnouncementQueue, AnnouncerSettings, QueueNote, Step, Word};
use crate::catalogue::Catalogue;
use crate::log_event::SpokenText;
use crate::protocol::Call;

/// What the voice reports about its work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoiceReport {
    /// Connected; the voice chosen for each wanted language that has one.
    Ready {
        voices: BTreeMap<String, String>,
    },
    /// Every language's voice is loaded: from now on no sentence waits for a voice to load.
    Warm,
    /// No speech for now (why); the voice tries again later.
    Unavailable {
        reason: String,
    },
    Started {
        id: u64,
    },
    Finished {
        id: u64,
    },
    /// Nothing (more) will be said for this request.
    Failed {
        id: u64,
        reason: String,
    },
}

/// How the announcer sounds and how patient it is.
#[derive(Clone, Debug)]
pub struct SequencerConfig {
    pub settings: AnnouncerSettings,
    pub volume: VolumeSchedule,
    /// Length of the chime; speech starts after it.
    pub chime_secs: f64,
    /// How long to wait for the screen to report the chime playing before going on without it.
    pub chime_wait: Duration,
    /// How often the voice tries to reach speech-dispatcher again (said in the outage note).
    pub speech_retry: Duration,
    /// Languages with a voice pack: their calls are said even while the system voice is out
    /// (a sentence the pack cannot say then fails, like any sentence without a voice).
    pub packed: Vec<String>,
}

impl Default for SequencerConfig {
    fn default() -> Self {
        Self {
            settings: AnnouncerSettings::default(),
            volume: VolumeSchedule::default(),
            chime_secs: super::chime::SECONDS,
            chime_wait: Duration::from_millis(1500),
            speech_retry: Duration::from_secs(30),
            packed: Vec::new(),
        }
    }
}

/// Something that happened, for the sequencer to act on.
#[derive(Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "a handful exist at a time, one per call in flight: boxing the call buys nothing"
)]
pub enum Input {
    /// A call (or recall) to announce; `received` is when its frame arrived; `test` when it was
    /// made in the preview.
    Call {
        call: Call,
        received: Instant,
        test: bool,
    },
    /// A call was cancelled: drop it if it has not been announced yet.
    Cancel(String),
    /// The screen reports that the chime it was asked for is now playing.
    ChimeStarted,
    Voice(VoiceReport),
    /// The voice could not even be asked to say sentence `id` (its thread is gone).
    NotSpoken {
        id: u64,
    },
    /// The words changed (a saved `.ftl` in preview): later announcements use these.
    Words(Arc<Catalogue>),
    /// The emergency this room must hear (tone and text, repeated), or none any more.
    Emergency(Option<Alarm>),
    /// Time passed (the deadline from [`Sequencer::deadline`] may have come).
    Tick,
}

/// Something to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Ask the screen to play the chime at this volume (percent).
    PlayChime { volume: u8 },
    /// Ask the screen to play the emergency tone; it reports its start as it does the chime's.
    PlayAlarm { volume: u8 },
    /// Ask the voice to say `text` in `lang` (`words` for a voice pack); it reports back under
    /// `id`.
    Speak {
        id: u64,
        lang: String,
        text: String,
        words: Vec<Word>,
        volume: u8,
    },
    /// Tell the log and whoever follows the announcer (the preview panel, the tests).
    Tell(Progress),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    ChimeStart(Instant),
    ChimeEnd(Instant),
    Speech { id: u64, deadline: Instant },
    Pause(Instant),
}

impl Wait {
    fn deadline(self) -> Instant {
        match self {
            Wait::ChimeStart(d) | Wait::ChimeEnd(d) | Wait::Pause(d) => d,
            Wait::Speech { deadline, .. } => deadline,
        }
    }
}

struct Current {
    announcement: Announcement,
    /// Index of the step being played.
    step: usize,
    wait: Option<Wait>,
    received: Instant,
    volume: u8,
    lang: String,
    /// Length of the tone being played (the chime's or the emergency's).
    tone_secs: f64,
    /// This is the emergency's announcement, not a call's.
    alarm: bool,
}

/// The announcer's state: the queue, the announcement being played and what it waits for.
pub struct Sequencer {
    config: SequencerConfig,
    catalogue: Arc<Catalogue>,
    queue: AnnouncementQueue,
    /// Languages with a voice, once the voice has said; `None` until then.
    voices: Option<Vec<String>>,
    /// Why speech is down, while it is (reported once per outage).
    speech_down: Option<String>,
    chime_missing_reported: bool,
    received: HashMap<String, Instant>,
    /// Calls made in the preview, flagged `"test": true` in the log.
    test_calls: HashSet<String>,
    current: Option<Current>,
    next_utterance: u64,
    /// The emergency being announced, and when next.
    alarm: alarm::AlarmState,
}

fn ms(d: Duration) -> u64 {
    d.as_millis().try_into().unwrap_or(u64::MAX)
}

impl Sequencer {
    /// A sequencer; `has_voice` is false when there is no voice at all to ask.
    pub fn new(config: SequencerConfig, catalogue: Arc<Catalogue>, has_voice: bool) -> Self {
        Self {
            queue: AnnouncementQueue::new(config.settings.clone()),
            config,
            catalogue,
            voices: None,
            speech_down: (!has_voice).then(|| "no speech thread".to_owned()),
            chime_missing_reported: false,
            received: HashMap::new(),
            test_calls: HashSet::new(),
            current: None,
            next_utterance: 0,
            alarm: alarm::AlarmState::default(),
        }
    }

    /// When the sequencer wants a [`Input::Tick`] at the latest, if it is waiting for anything.
    pub fn deadline(&self) -> Option<Instant> {
        match &self.current {
            Some(current) => current.wait.map(Wait::deadline),
            None => self.alarm.next(),
        }
    }

    /// Acts on `input` at `now` (`local` is the wall clock's time of day, for quiet hours).
    pub fn handle(&mut self, input: Input, now: Instant, local: NaiveTime) -> Vec<Effect> {
        let mut out = Vec::new();
        match input {
            Input::Call {
                call,
                received,
                test,
            } => {
                if self.alarm.holds() {
                    // Nobody is called to a counter during an evacuation; the screen still
                    // lists the call.
                    out.push(Effect::Tell(Progress::Skipped {
                        ticket: call.ticket,
                        reason: "an emergency holds".into(),
                    }));
                    return out;
                }
                self.received.entry(call.id.clone()).or_insert(received);
                if test {
                    self.test_calls.insert(call.id.clone());
                }
                for note in self.queue.push(call) {
                    self.queue_note(note, &mut out);
                }
            }
            Input::Cancel(id) => {
                if self.queue.cancel(&id) {
                    self.received.remove(&id);
                    out.push(Effect::Tell(Progress::Cancelled { call_id: id }));
                }
            }
            Input::ChimeStarted => self.chime_started(now, &mut out),
            Input::Voice(report) => self.voice_report(report, now, &mut out),
            Input::NotSpoken { id } => {
                if self.waiting_for_speech(id) {
                    self.advance(now, &mut out);
                }
            }
            Input::Words(catalogue) => self.catalogue = catalogue,
            Input::Emergency(alarm) => self.emergency(alarm, now, &mut out),
            Input::Tick => self.timed_out(now, &mut out),
        }
        if self.current.is_none() {
            self.start_next(now, local, &mut out);
        }
        out
    }

    fn note(line: String, out: &mut Vec<Effect>) {
        out.push(Effect::Tell(Progress::Note(line)));
    }

    fn queue_note(&self, note: QueueNote, out: &mut Vec<Effect>) {
        match note {
            QueueNote::Shortened { ticket, waiting } => {
                out.push(Effect::Tell(Progress::Shortened { ticket, waiting }));
            }
            QueueNote::Dropped { ticket, waiting } => {
                out.push(Effect::Tell(Progress::Skipped {
                    ticket,
                    reason: format!("{waiting} calls waiting to be announced"),
                }));
            }
            QueueNote::NoVoice { lang } => Self::note(
                format!(
                    "no system voice for {lang:?}: calls are announced in the other languages \
                     (install a voice for it, e.g. espeak-ng, or pick one with --voice {lang}=NAME)"
                ),
                out,
            ),
        }
    }

    fn start_next(&mut self, now: Instant, local: NaiveTime, out: &mut Vec<Effect>) {
        if self.alarm.holds() {
            self.start_alarm(now, out);
            return;
        }
        let voices = self.voices.clone();
        let speech_up = self.speech_down.is_none();
        let packed = &self.config.packed;
        let voiced = |lang: &str| {
            packed.iter().any(|l| l == lang)
                || (speech_up && voices.as_ref().is_none_or(|v| v.iter().any(|l| l == lang)))
        };
        while let Some((announcement, notes)) = self.queue.next(&self.catalogue, voiced) {
            // While speech is down every language lacks a voice; that is reported once as an
            // outage, not per language.
            if speech_up {
                for note in notes {
                    self.queue_note(note, out);
                }
            }
            let received = self.received.remove(&announcement.call_id).unwrap_or(now);
            let volume = self.config.volume.volume_at(local);
            if volume == 0 {
                out.push(Effect::Tell(Progress::Skipped {
                    ticket: announcement.ticket,
                    reason: "quiet hours".into(),
                }));
                continue;
            }
            let speech = announcement
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Speak { lang, text, .. } => Some(SpokenText {
                        lang: lang.clone(),
                        text: text.clone(),
                    }),
                    _ => None,
                })
                .collect();
            out.push(Effect::Tell(Progress::Started {
                ticket: announcement.ticket.clone(),
                call_id: announcement.call_id.clone(),
                test: self.test_calls.contains(&announcement.call_id),
                recall: announcement.recall,
                shortened: announcement.shortened,
                volume,
                speech,
                waited_ms: ms(now.saturating_duration_since(received)),
            }));
            self.current = Some(Current {
                announcement,
                step: 0,
                wait: None,
                received,
                volume,
                lang: String::new(),
                tone_secs: self.config.chime_secs,
                alarm: false,
            });
            self.play_step(now, out);
            return;
        }
    }

    /// Plays the current step, or finishes the announcement after the last one.
    fn play_step(&mut self, now: Instant, out: &mut Vec<Effect>) {
        loop {
            let Some(current) = self.current.as_mut() else {
                return;
            };
            let Some(step) = current.announcement.steps.get(current.step).cloned() else {
                out.push(Effect::Tell(Progress::Finished {
                    ticket: current.announcement.ticket.clone(),
                    total_ms: ms(now.saturating_duration_since(current.received)),
                }));
                if current.alarm {
                    self.alarm.said(now);
                }
                self.current = None;
                return;
            };
            match step {
                Step::Chime | Step::Alarm => {
                    out.push(if step == Step::Alarm {
                        Effect::PlayAlarm {
                            volume: current.volume,
                        }
                    } else {
                        Effect::PlayChime {
                            volume: current.volume,
                        }
                    });
                    current.wait = Some(Wait::ChimeStart(now + self.config.chime_wait));
                    return;
                }
                Step::Pause { millis } => {
                    current.wait =
                        Some(Wait::Pause(now + Duration::from_millis(u64::from(millis))));
                    return;
                }
                Step::Speak { lang, text, words }
                    if self.speech_down.is_none()
                        || (!words.is_empty() && self.config.packed.contains(&lang)) =>
                {
                    let id = self.next_utterance;
                    self.next_utterance += 1;
                    // The voice has its own, shorter patience; this only guards against the
                    // voice itself being gone.
                    let deadline = now
                        + Duration::from_secs(30)
                        + Duration::from_millis(200) * text.chars().count() as u32;
                    out.push(Effect::Speak {
                        id,
                        lang: lang.clone(),
                        text,
                        words,
                        volume: current.volume,
                    });
                    current.lang = lang;
                    current.wait = Some(Wait::Speech { id, deadline });
                    return;
                }
                // No speech: go straight on to the next step.
                Step::Speak { .. } => current.step += 1,
            }
        }
    }

    fn advance(&mut self, now: Instant, out: &mut Vec<Effect>) {
        if let Some(current) = self.current.as_mut() {
            current.step += 1;
            current.wait = None;
        }
        self.play_step(now, out);
    }

    fn waiting_for_speech(&self, id: u64) -> bool {
        self.current
            .as_ref()
            .is_some_and(|c| matches!(c.wait, Some(Wait::Speech { id: w, .. }) if w == id))
    }

    fn chime_started(&mut self, now: Instant, out: &mut Vec<Effect>) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let chime = Duration::from_secs_f64(current.tone_secs);
        if !matches!(current.wait, Some(Wait::ChimeStart(_))) {
            return;
        }
        // A little air between the chime's tail and the first word.
        current.wait = Some(Wait::ChimeEnd(now + chime + Duration::from_millis(150)));
        out.push(Effect::Tell(Progress::ChimeStarted {
            ticket: current.announcement.ticket.clone(),
            after_call_ms: ms(now.saturating_duration_since(current.received)),
        }));
    }

    fn timed_out(&mut self, now: Instant, out: &mut Vec<Effect>) {
        let Some(wait) = self.current.as_ref().and_then(|c| c.wait) else {
            return;
        };
        if now < wait.deadline() {
            return;
        }
        match wait {
            Wait::ChimeStart(_) => {
                if !self.chime_missing_reported {
                    self.chime_missing_reported = true;
                    Self::note(
                        format!(
                            "the chime did not start within {} ms: no audio output? (check the \
                             sound device or PulseAudio); announcements go on without it",
                            self.config.chime_wait.as_millis()
                        ),
                        out,
                    );
                }
                self.advance(now, out);
            }
            Wait::ChimeEnd(_) | Wait::Pause(_) => self.advance(now, out),
            Wait::Speech { id, .. } => {
                // Said like any other outage (log, `/healthz`), and ended until the voice
                // reports ready again.
                let reason = "the speech thread stopped answering".to_owned();
                self.voice_report(
                    VoiceReport::Unavailable {
                        reason: reason.clone(),
                    },
                    now,
                    out,
                );
                self.voice_report(VoiceReport::Failed { id, reason }, now, out);
            }
        }
    }
}

#[cfg(test)]
mod tests;
