//! The room's announcer: a thread that takes calls from the board, keeps them in the
//! [`AnnouncementQueue`], and plays one announcement at a time: it asks the screen to play the
//! chime (Bevy audio), waits for the chime to end, then has the voice thread say each sentence,
//! waiting for each to end. Nothing overlaps, and a missing chime or voice never stops the rest.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::time::{Duration, Instant};

use serde_json::json;
use tracing::{info, warn};

use super::schedule::VolumeSchedule;
use super::voice::{Voice, VoiceReport, VoiceSettings};
use super::{Announcement, AnnouncementQueue, AnnouncerSettings, QueueNote, Step};
use crate::catalogue::Catalogue;
use crate::event_log;
use crate::protocol::Call;

/// Everything the announcer needs to know.
#[derive(Clone, Debug)]
pub struct AnnouncerConfig {
    pub settings: AnnouncerSettings,
    pub volume: VolumeSchedule,
    pub voice: VoiceSettings,
    /// Length of the chime; speech starts after it.
    pub chime_secs: f64,
    /// How long to wait for the screen to report the chime playing before going on without it.
    pub chime_wait: Duration,
}

impl Default for AnnouncerConfig {
    fn default() -> Self {
        Self {
            settings: AnnouncerSettings::default(),
            volume: VolumeSchedule::default(),
            voice: VoiceSettings::default(),
            chime_secs: super::chime::SECONDS,
            chime_wait: Duration::from_millis(1500),
        }
    }
}

/// Something that can say a sentence and report back through the `report` it was made with.
pub trait Speaker: Send {
    fn speak(&self, id: u64, lang: &str, text: &str, volume: u8) -> bool;
}

impl Speaker for Voice {
    fn speak(&self, id: u64, lang: &str, text: &str, volume: u8) -> bool {
        Voice::speak(self, id, lang, text, volume)
    }
}

/// Makes the speaker, given where it must send its reports. `None`: no speech at all.
pub type SpeakerFactory =
    Box<dyn FnOnce(Box<dyn Fn(VoiceReport) + Send>) -> Option<Box<dyn Speaker>> + Send>;

/// The real speaker: the system voice thread.
pub fn system_voice(settings: VoiceSettings) -> SpeakerFactory {
    Box::new(move |report| match Voice::spawn(settings, report) {
        Ok(voice) => Some(Box::new(voice) as Box<dyn Speaker>),
        Err(e) => {
            warn!(
                "cannot start the speech thread: {e}; calls will be announced with the chime only"
            );
            None
        }
    })
}

/// What the announcer did, for the preview panel and the tests (the log gets it too).
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Started {
        ticket: String,
        recall: bool,
        volume: u8,
    },
    ChimeStarted {
        ticket: String,
        after_call_ms: u64,
    },
    SpeechStarted {
        ticket: String,
        lang: String,
        text: String,
        after_call_ms: u64,
    },
    SpeechEnded {
        ticket: String,
        lang: String,
        spoken: bool,
    },
    Finished {
        ticket: String,
        total_ms: u64,
    },
    Skipped {
        ticket: String,
        reason: String,
    },
    /// A one-line problem or change worth showing (already logged).
    Note(String),
    /// The voices the system offers for our languages (language → voice name).
    Voices(Vec<(String, String)>),
}

enum Inbox {
    Call {
        call: Call,
        received: Instant,
        test: bool,
    },
    Cancel(String),
    ChimeStarted,
    Voice(VoiceReport),
}

/// The running announcer; dropping it stops its thread after the current step.
pub struct Announcer {
    tx: Sender<Inbox>,
    /// Chime requests (volume in percent) for the screen to play.
    pub chimes: Receiver<u8>,
    pub progress: Receiver<Progress>,
}

impl Announcer {
    /// Starts the announcer thread. `wake` is called after each chime request, so a sleeping
    /// screen wakes up to play it.
    pub fn spawn(
        config: AnnouncerConfig,
        catalogue: Arc<Catalogue>,
        speaker: SpeakerFactory,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let (chime_tx, chimes) = mpsc::channel();
        let (progress_tx, progress) = mpsc::sync_channel(256);
        let reports = tx.clone();
        std::thread::Builder::new()
            .name("herald-announcer".into())
            .spawn(move || {
                let speaker = speaker(Box::new(move |r| {
                    let _ = reports.send(Inbox::Voice(r));
                }));
                let mut worker = Worker {
                    queue: AnnouncementQueue::new(config.settings.clone()),
                    config,
                    catalogue,
                    speaker,
                    voices: None,
                    speech_down: None,
                    chime_missing_reported: false,
                    received: HashMap::new(),
                    test_calls: HashSet::new(),
                    current: None,
                    next_utterance: 0,
                    chime_tx,
                    wake,
                    progress: progress_tx,
                };
                worker.run(&rx);
            })?;
        Ok(Self {
            tx,
            chimes,
            progress,
        })
    }

    /// A call (or recall) to announce; `received` is when its frame arrived.
    /// Queues a call; `test` marks a preview's test call in the log.
    pub fn call(&self, call: Call, received: Instant, test: bool) {
        let _ = self.tx.send(Inbox::Call {
            call,
            received,
            test,
        });
    }

    /// A call was cancelled: drop it if it has not been announced yet.
    pub fn cancel(&self, call_id: &str) {
        let _ = self.tx.send(Inbox::Cancel(call_id.to_owned()));
    }

    /// The screen reports that the chime it was asked for is now playing.
    pub fn chime_started(&self) {
        let _ = self.tx.send(Inbox::ChimeStarted);
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    ChimeStart(Instant),
    ChimeEnd(Instant),
    Speech { id: u64, deadline: Instant },
    Pause(Instant),
}

struct Current {
    announcement: Announcement,
    /// Index of the step being played.
    step: usize,
    wait: Option<Wait>,
    received: Instant,
    volume: u8,
    lang: String,
}

struct Worker {
    config: AnnouncerConfig,
    catalogue: Arc<Catalogue>,
    queue: AnnouncementQueue,
    speaker: Option<Box<dyn Speaker>>,
    /// Languages with a voice, once the voice thread has said; `None` until then.
    voices: Option<Vec<String>>,
    /// Why speech is down, while it is (logged once per outage).
    speech_down: Option<String>,
    chime_missing_reported: bool,
    received: HashMap<String, Instant>,
    /// Calls made in the preview, flagged `"test": true` in the log.
    test_calls: HashSet<String>,
    current: Option<Current>,
    next_utterance: u64,
    chime_tx: Sender<u8>,
    wake: Arc<dyn Fn() + Send + Sync>,
    progress: SyncSender<Progress>,
}

fn ms(d: Duration) -> u64 {
    d.as_millis().try_into().unwrap_or(u64::MAX)
}

impl Worker {
    fn tell(&self, p: Progress) {
        // Nobody may be listening (a wall display without a panel): drop rather than grow.
        let _ = self.progress.try_send(p);
    }

    fn note(&self, line: String) {
        warn!("{line}");
        event_log::emit("announcer_note", json!({ "message": line }));
        self.tell(Progress::Note(line));
    }

    fn run(&mut self, rx: &Receiver<Inbox>) {
        if self.speaker.is_none() {
            self.speech_down = Some("no speech thread".into());
        }
        loop {
            let deadline = self.current.as_ref().and_then(|c| match c.wait {
                Some(
                    Wait::ChimeStart(d)
                    | Wait::ChimeEnd(d)
                    | Wait::Pause(d)
                    | Wait::Speech { deadline: d, .. },
                ) => Some(d),
                None => None,
            });
            let message = match deadline {
                Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                },
            };
            match message {
                Some(Inbox::Call {
                    call,
                    received,
                    test,
                }) => {
                    self.received.entry(call.id.clone()).or_insert(received);
                    if test {
                        self.test_calls.insert(call.id.clone());
                    }
                    for note in self.queue.push(call) {
                        self.queue_note(note);
                    }
                }
                Some(Inbox::Cancel(id)) => {
                    if self.queue.cancel(&id) {
                        self.received.remove(&id);
                        info!("call {id} was cancelled before it was announced; dropped");
                    }
                }
                Some(Inbox::ChimeStarted) => self.chime_started(),
                Some(Inbox::Voice(report)) => self.voice_report(report),
                None => self.timed_out(),
            }
            if self.current.is_none() {
                self.start_next();
            }
        }
    }

    fn queue_note(&self, note: QueueNote) {
        match note {
            QueueNote::Shortened { ticket, waiting } => {
                let line = format!(
                    "{waiting} calls are waiting to be announced; {ticket} will be said once, in \
                     the office language only"
                );
                info!("{line}");
                event_log::emit(
                    "announcement_shortened",
                    json!({ "ticket": ticket, "waiting": waiting }),
                );
                self.tell(Progress::Note(line));
            }
            QueueNote::NoVoice { lang } => self.note(format!(
                "no system voice for {lang:?}: calls are announced in the other languages (install \
                 a voice for it, e.g. espeak-ng, or pick one with --voice {lang}=NAME)"
            )),
        }
    }

    fn start_next(&mut self) {
        let voices = self.voices.clone();
        let speech_up = self.speech_down.is_none();
        let voiced =
            |lang: &str| speech_up && voices.as_ref().is_none_or(|v| v.iter().any(|l| l == lang));
        while let Some((announcement, notes)) = self.queue.next(&self.catalogue, voiced) {
            // While speech is down every language lacks a voice; that is reported once as an
            // outage, not per language.
            if speech_up {
                for note in notes {
                    self.queue_note(note);
                }
            }
            let received = self
                .received
                .remove(&announcement.call_id)
                .unwrap_or_else(Instant::now);
            let volume = self.config.volume.volume_at(chrono::Local::now().time());
            if volume == 0 {
                info!(
                    "quiet hours: {} is shown but not announced",
                    announcement.ticket
                );
                event_log::emit(
                    "announcement_skipped",
                    json!({ "ticket": announcement.ticket, "reason": "quiet hours" }),
                );
                self.tell(Progress::Skipped {
                    ticket: announcement.ticket,
                    reason: "quiet hours".into(),
                });
                continue;
            }
            let texts: Vec<_> = announcement
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Speak { lang, text } => Some(json!({ "lang": lang, "text": text })),
                    _ => None,
                })
                .collect();
            event_log::emit(
                "announcement_started",
                json!({
                    "ticket": announcement.ticket,
                    "call_id": announcement.call_id,
                    "test": self.test_calls.contains(&announcement.call_id),
                    "recall": announcement.recall,
                    "shortened": announcement.shortened,
                    "volume": volume,
                    "speech": texts,
                    "waited_ms": ms(received.elapsed()),
                }),
            );
            self.tell(Progress::Started {
                ticket: announcement.ticket.clone(),
                recall: announcement.recall,
                volume,
            });
            self.current = Some(Current {
                announcement,
                step: 0,
                wait: None,
                received,
                volume,
                lang: String::new(),
            });
            self.play_step();
            return;
        }
    }

    /// Plays the current step, or finishes the announcement after the last one.
    fn play_step(&mut self) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let Some(step) = current.announcement.steps.get(current.step).cloned() else {
            let total = ms(current.received.elapsed());
            let ticket = current.announcement.ticket.clone();
            event_log::emit(
                "announcement_finished",
                json!({ "ticket": ticket, "since_call_ms": total }),
            );
            self.tell(Progress::Finished {
                ticket,
                total_ms: total,
            });
            self.current = None;
            return;
        };
        match step {
            Step::Chime => {
                let _ = self.chime_tx.send(current.volume);
                (self.wake)();
                current.wait = Some(Wait::ChimeStart(Instant::now() + self.config.chime_wait));
            }
            Step::Pause { millis } => {
                current.wait = Some(Wait::Pause(
                    Instant::now() + Duration::from_millis(u64::from(millis)),
                ));
            }
            Step::Speak { lang, text } => {
                let id = self.next_utterance;
                self.next_utterance += 1;
                let asked = self.speech_down.is_none()
                    && self
                        .speaker
                        .as_ref()
                        .is_some_and(|s| s.speak(id, &lang, &text, current.volume));
                if asked {
                    current.lang = lang;
                    // The voice thread has its own, shorter patience; this only guards against
                    // the thread itself being gone.
                    let deadline = Instant::now()
                        + Duration::from_secs(30)
                        + Duration::from_millis(200) * text.chars().count() as u32;
                    current.wait = Some(Wait::Speech { id, deadline });
                } else {
                    current.step += 1;
                    self.play_step();
                }
            }
        }
    }

    fn advance(&mut self) {
        if let Some(current) = self.current.as_mut() {
            current.step += 1;
            current.wait = None;
        }
        self.play_step();
    }

    fn chime_started(&mut self) {
        let chime = Duration::from_secs_f64(self.config.chime_secs);
        let Some(current) = self.current.as_mut() else {
            return;
        };
        if !matches!(current.wait, Some(Wait::ChimeStart(_))) {
            return;
        }
        let after = ms(current.received.elapsed());
        let ticket = current.announcement.ticket.clone();
        // A little air between the chime's tail and the first word.
        current.wait = Some(Wait::ChimeEnd(
            Instant::now() + chime + Duration::from_millis(150),
        ));
        event_log::emit(
            "chime_started",
            json!({ "ticket": ticket, "since_call_ms": after }),
        );
        self.tell(Progress::ChimeStarted {
            ticket,
            after_call_ms: after,
        });
    }

    fn timed_out(&mut self) {
        let Some(wait) = self.current.as_ref().and_then(|c| c.wait) else {
            return;
        };
        match wait {
            Wait::ChimeStart(d) | Wait::ChimeEnd(d) | Wait::Pause(d) if Instant::now() < d => {}
            Wait::ChimeStart(_) => {
                if !self.chime_missing_reported {
                    self.chime_missing_reported = true;
                    self.note(format!(
                        "the chime did not start within {} ms: no audio output? (check the sound \
                         device or PulseAudio); announcements go on without it",
                        self.config.chime_wait.as_millis()
                    ));
                }
                self.advance();
            }
            Wait::ChimeEnd(_) | Wait::Pause(_) => self.advance(),
            Wait::Speech { id, deadline } => {
                if Instant::now() >= deadline {
                    self.voice_report(VoiceReport::Failed {
                        id,
                        reason: "the speech thread stopped answering".into(),
                    });
                    self.speech_down = Some("the speech thread stopped answering".into());
                }
            }
        }
    }

    fn voice_report(&mut self, report: VoiceReport) {
        match report {
            VoiceReport::Ready { voices } => {
                if self.speech_down.take().is_some() && self.voices.is_some() {
                    info!("speech is available again");
                    event_log::emit("speech_available", json!({}));
                }
                info!(
                    "system voices: {}",
                    voices
                        .iter()
                        .map(|(l, v)| format!("{l}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                self.tell(Progress::Voices(
                    voices.iter().map(|(l, v)| (l.clone(), v.clone())).collect(),
                ));
                self.voices = Some(voices.into_keys().collect());
            }
            VoiceReport::Warm => {
                info!("every system voice is loaded");
                event_log::emit("voices_loaded", json!({}));
            }
            VoiceReport::Unavailable { reason } => {
                if self.speech_down.is_none() {
                    self.note(format!(
                        "speech is unavailable ({reason}); calls are announced with the chime \
                         only, and herald keeps trying to reach speech-dispatcher (at least \
                         every {} s)",
                        self.config.voice.retry.as_secs()
                    ));
                    event_log::emit("speech_unavailable", json!({ "reason": reason }));
                }
                self.speech_down = Some(reason);
            }
            VoiceReport::Started { id } => {
                if let Some(current) = self.current.as_ref()
                    && matches!(current.wait, Some(Wait::Speech { id: w, .. }) if w == id)
                {
                    let text = match current.announcement.steps.get(current.step) {
                        Some(Step::Speak { text, .. }) => text.clone(),
                        _ => String::new(),
                    };
                    let after = ms(current.received.elapsed());
                    event_log::emit(
                        "speech_started",
                        json!({
                            "ticket": current.announcement.ticket,
                            "lang": current.lang,
                            "text": text,
                            "since_call_ms": after,
                        }),
                    );
                    self.tell(Progress::SpeechStarted {
                        ticket: current.announcement.ticket.clone(),
                        lang: current.lang.clone(),
                        text,
                        after_call_ms: after,
                    });
                }
            }
            VoiceReport::Finished { id } | VoiceReport::Failed { id, .. } => {
                let Some(current) = self.current.as_ref() else {
                    return;
                };
                if !matches!(current.wait, Some(Wait::Speech { id: w, .. }) if w == id) {
                    return;
                }
                let spoken = matches!(report, VoiceReport::Finished { .. });
                if let VoiceReport::Failed { reason, .. } = &report {
                    warn!(
                        "could not say {} in {}: {reason}",
                        current.announcement.ticket, current.lang
                    );
                }
                event_log::emit(
                    "speech_finished",
                    json!({
                        "ticket": current.announcement.ticket,
                        "lang": current.lang,
                        "spoken": spoken,
                        "since_call_ms": ms(current.received.elapsed()),
                    }),
                );
                self.tell(Progress::SpeechEnded {
                    ticket: current.announcement.ticket.clone(),
                    lang: current.lang.clone(),
                    spoken,
                });
                self.advance();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn catalogue() -> Arc<Catalogue> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        match Catalogue::load(&dir, "sk") {
            Ok((catalogue, _)) => Arc::new(catalogue),
            Err(e) => panic!("{e}"),
        }
    }

    type Said = Arc<Mutex<Vec<(String, String, u8)>>>;
    type Report = Box<dyn Fn(VoiceReport) + Send>;

    /// A stand-in voice that "speaks" for 80 ms and reports like the real one.
    struct FakeVoice {
        report: Arc<Mutex<Report>>,
        said: Said,
    }

    impl Speaker for FakeVoice {
        fn speak(&self, id: u64, lang: &str, text: &str, volume: u8) -> bool {
            if let Ok(mut said) = self.said.lock() {
                said.push((lang.to_owned(), text.to_owned(), volume));
            }
            let report = self.report.clone();
            std::thread::spawn(move || {
                let send = |r| {
                    if let Ok(f) = report.lock() {
                        f(r);
                    }
                };
                std::thread::sleep(Duration::from_millis(20));
                send(VoiceReport::Started { id });
                std::thread::sleep(Duration::from_millis(60));
                send(VoiceReport::Finished { id });
            });
            true
        }
    }

    fn fake_voice(said: &Said, working: bool) -> SpeakerFactory {
        let said = said.clone();
        Box::new(move |report| {
            if working {
                report(VoiceReport::Ready {
                    voices: ["sk", "uk", "en"]
                        .iter()
                        .map(|l| ((*l).to_owned(), format!("voice-{l}")))
                        .collect(),
                });
            } else {
                report(VoiceReport::Unavailable {
                    reason: "connection refused".into(),
                });
            }
            Some(Box::new(FakeVoice {
                report: Arc::new(Mutex::new(report)),
                said,
            }) as Box<dyn Speaker>)
        })
    }

    fn config(languages: &[&str]) -> AnnouncerConfig {
        AnnouncerConfig {
            settings: AnnouncerSettings {
                languages: languages.iter().map(|l| (*l).to_owned()).collect(),
                ..AnnouncerSettings::default()
            },
            chime_secs: 0.3,
            chime_wait: Duration::from_millis(400),
            ..AnnouncerConfig::default()
        }
    }

    fn call(n: u32, lang: Option<&str>) -> Call {
        Call {
            lang: lang.map(str::to_owned),
            ..Call::new(
                format!("c{n}"),
                format!("A{n:03}"),
                "3",
                "2026-11-22T09:00:00Z",
            )
        }
    }

    /// Reads progress until `done` says so (or 5 s pass), returning everything seen.
    fn follow(announcer: &Announcer, done: impl Fn(&[Progress]) -> bool) -> Vec<Progress> {
        let end = Instant::now() + Duration::from_secs(5);
        let mut seen = Vec::new();
        while !done(&seen) {
            let left = end.saturating_duration_since(Instant::now());
            match announcer.progress.recv_timeout(left) {
                Ok(p) => seen.push(p),
                Err(_) => panic!("stuck; seen so far: {seen:?}"),
            }
        }
        seen
    }

    fn finished(n: usize) -> impl Fn(&[Progress]) -> bool {
        move |seen| {
            seen.iter()
                .filter(|p| matches!(p, Progress::Finished { .. }))
                .count()
                >= n
        }
    }

    #[test]
    fn speech_waits_for_the_chime_and_follows_the_visitor_then_the_office_language() {
        let said = Said::default();
        let announcer = Announcer::spawn(
            config(&["sk"]),
            catalogue(),
            fake_voice(&said, true),
            Arc::new(|| {}),
        )
        .expect("thread");
        announcer.call(call(42, Some("uk")), Instant::now(), false);
        let volume = announcer
            .chimes
            .recv_timeout(Duration::from_secs(2))
            .expect("a chime is asked for first");
        assert_eq!(volume, 100);
        assert!(
            said.lock().map(|s| s.is_empty()).unwrap_or(false),
            "nothing said before the chime"
        );
        let chime_at = Instant::now();
        announcer.chime_started();
        let seen = follow(&announcer, |seen| {
            seen.iter()
                .any(|p| matches!(p, Progress::SpeechStarted { .. }))
        });
        assert!(
            chime_at.elapsed() >= Duration::from_millis(300),
            "speech began {:?} after the chime started, over a 300 ms chime",
            chime_at.elapsed()
        );
        assert!(
            seen.iter().any(|p| matches!(p, Progress::Voices(_))),
            "{seen:?}"
        );
        follow(&announcer, finished(1));
        let said = said.lock().map(|s| s.clone()).unwrap_or_default();
        let langs: Vec<&str> = said.iter().map(|(l, _, _)| l.as_str()).collect();
        assert_eq!(langs, ["uk", "sk"]);
    }

    #[test]
    fn without_an_audio_output_the_announcement_goes_on_and_says_so_once() {
        let said = Said::default();
        let announcer = Announcer::spawn(
            config(&["sk"]),
            catalogue(),
            fake_voice(&said, true),
            Arc::new(|| {}),
        )
        .expect("thread");
        announcer.call(call(1, None), Instant::now(), false);
        announcer.call(call(2, None), Instant::now(), false);
        // Nobody reports the chime playing.
        let seen = follow(&announcer, finished(2));
        let notes: Vec<&Progress> = seen
            .iter()
            .filter(|p| matches!(p, Progress::Note(n) if n.contains("chime did not start")))
            .collect();
        assert_eq!(notes.len(), 1, "{seen:?}");
        assert_eq!(
            said.lock().map(|s| s.len()).unwrap_or(0),
            2,
            "both calls were still spoken"
        );
    }

    #[test]
    fn without_speech_each_call_still_gets_its_chime_and_the_outage_is_said_once() {
        let said = Said::default();
        let announcer = Announcer::spawn(
            config(&["sk", "en"]),
            catalogue(),
            fake_voice(&said, false),
            Arc::new(|| {}),
        )
        .expect("thread");
        for n in 1..=3 {
            announcer.call(call(n, Some("uk")), Instant::now(), false);
        }
        let mut chimes = 0;
        let end = Instant::now() + Duration::from_secs(5);
        while chimes < 3 && Instant::now() < end {
            if announcer
                .chimes
                .recv_timeout(Duration::from_millis(50))
                .is_ok()
            {
                chimes += 1;
                announcer.chime_started();
            }
        }
        assert_eq!(chimes, 3);
        let seen = follow(&announcer, finished(3));
        let outages = seen
            .iter()
            .filter(|p| matches!(p, Progress::Note(n) if n.contains("speech is unavailable")))
            .count();
        assert_eq!(outages, 1, "{seen:?}");
        assert!(said.lock().map(|s| s.is_empty()).unwrap_or(false));
    }

    #[test]
    fn a_cancelled_call_is_not_announced_and_quiet_hours_are_respected() {
        let said = Said::default();
        let mut quiet = config(&["sk"]);
        quiet.volume = VolumeSchedule {
            base: 0,
            quiet: Vec::new(),
        };
        let announcer =
            Announcer::spawn(quiet, catalogue(), fake_voice(&said, true), Arc::new(|| {}))
                .expect("thread");
        announcer.call(call(1, None), Instant::now(), false);
        let seen = follow(&announcer, |seen| {
            seen.iter().any(|p| matches!(p, Progress::Skipped { .. }))
        });
        assert!(seen.iter().all(|p| !matches!(p, Progress::Started { .. })));
        assert!(
            announcer.chimes.try_recv().is_err(),
            "no chime in quiet hours"
        );

        let mut lower = config(&["sk"]);
        lower.volume = VolumeSchedule {
            base: 30,
            quiet: Vec::new(),
        };
        let announcer =
            Announcer::spawn(lower, catalogue(), fake_voice(&said, true), Arc::new(|| {}))
                .expect("thread");
        announcer.call(call(1, None), Instant::now(), false);
        announcer.call(call(2, None), Instant::now(), false);
        announcer.cancel("c2");
        let volume = announcer
            .chimes
            .recv_timeout(Duration::from_secs(2))
            .expect("chime");
        assert_eq!(volume, 30, "the chime plays at the scheduled volume");
        announcer.chime_started();
        let seen = follow(&announcer, finished(1));
        std::thread::sleep(Duration::from_millis(700));
        let later: Vec<Progress> = announcer.progress.try_iter().collect();
        let tickets: Vec<&str> = seen
            .iter()
            .chain(&later)
            .filter_map(|p| match p {
                Progress::Started { ticket, .. } => Some(ticket.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(tickets, ["A001"], "the cancelled A002 is never announced");
        assert!(
            said.lock()
                .map(|s| s.iter().all(|(_, _, v)| *v == 30))
                .unwrap_or(false)
        );
    }
}
