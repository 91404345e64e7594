//! The system voice. One thread of its own owns the `tts` handle (speech-dispatcher on Linux):
//! `Tts` holds an `Rc`, and calling it from speech-dispatcher's callbacks can deadlock, so the
//! callbacks only post messages to this thread's inbox and every call into `tts` happens here.
//!
//! When speech-dispatcher is missing, stops answering or crashes, the thread reports it, fails
//! what it was asked to say (the announcer goes on with the chime), and reconnects later.
//!
//! A speech-dispatcher that accepts and then never answers blocks the thread inside `tts`, where
//! nothing can interrupt it. A watchdog thread ([`watch`]) sees every call that takes too long,
//! reports the outage and fails what was asked, so the room hears the chime at once instead of
//! a queue of calls waiting behind a voice that will not come.

pub mod announcer;
mod choice;
pub mod hush;
pub mod pack;
pub mod speakers;
mod watch;

pub use choice::choose_voice;

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use watch::Watch;

use herald_core::backoff::Backoff;
use tts::{Tts, UtteranceId};

pub use herald_core::announcement::sequencer::VoiceReport;

/// How the voice is chosen and how hard the thread tries.
#[derive(Clone, Debug)]
pub struct VoiceSettings {
    /// Languages that need a voice.
    pub languages: Vec<String>,
    /// Voice name per language, chosen by the office instead of the automatic pick.
    pub overrides: HashMap<String, String>,
    /// Wait between attempts to reach speech-dispatcher.
    pub retry: Duration,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            languages: Vec::new(),
            overrides: HashMap::new(),
            retry: Duration::from_secs(30),
        }
    }
}

enum Inbox {
    Speak {
        id: u64,
        lang: String,
        text: String,
        volume: u8,
        asked: Instant,
    },
    Begin(UtteranceId),
    End(UtteranceId),
    Shutdown,
}

/// The running voice thread; dropping it stops the thread.
pub struct Voice {
    tx: Sender<Inbox>,
    watch: Arc<Watch>,
}

/// A request older than this when the voice thread gets to it is not said: the announcement
/// it belonged to has gone on without it.
const TOO_LATE: Duration = Duration::from_secs(5);

impl Voice {
    /// Starts the thread. `report` is called from it (or from its watchdog) for every
    /// [`VoiceReport`].
    pub fn spawn(
        settings: VoiceSettings,
        report: impl Fn(VoiceReport) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let inbox = tx.clone();
        let watch = Watch::spawn(Arc::new(report))?;
        let voice_watch = watch.clone();
        std::thread::Builder::new()
            .name("herald-voice".into())
            .spawn(move || {
                let report = |r: VoiceReport| voice_watch.report(r);
                run(&settings, &voice_watch, &inbox, &rx, &report);
            })?;
        Ok(Self { tx, watch })
    }

    /// Asks for `text` in `lang` at `volume` percent; the answer comes as reports for `id`.
    /// `false` when the voice cannot take it now (its thread is gone, or speech-dispatcher
    /// has stopped answering): the announcer goes on without speech at once.
    pub fn speak(&self, id: u64, lang: &str, text: &str, volume: u8) -> bool {
        if !self.watch.asked(id) {
            return false;
        }
        self.tx
            .send(Inbox::Speak {
                id,
                lang: lang.to_owned(),
                text: text.to_owned(),
                volume,
                asked: Instant::now(),
            })
            .is_ok()
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        let _ = self.tx.send(Inbox::Shutdown);
        self.watch.stop();
    }
}

/// The longest an utterance may take before speech-dispatcher is considered stuck.
fn patience(text: &str) -> Duration {
    Duration::from_secs(8) + Duration::from_millis(150) * text.chars().count() as u32
}

/// speech-dispatcher, reached through one `tts` handle per language. Choosing a voice in `tts`
/// walks the whole voice list (13,000 espeak-ng variants take 1.5 s here), so each language
/// gets a connection of its own with its voice set once, instead of switching per sentence.
struct Connection {
    /// The chosen voice per language (from the one listing made at connect).
    chosen: BTreeMap<String, tts::Voice>,
    /// Connections whose voice is set, by language.
    ready: HashMap<String, Tts>,
    /// Languages still to be warmed up while the announcer is idle, most needed first.
    pending: Vec<String>,
}

impl Connection {
    fn names(&self) -> BTreeMap<String, String> {
        self.chosen
            .iter()
            .map(|(l, v)| (l.clone(), v.name()))
            .collect()
    }

    /// Opens a connection for `lang` with its voice set.
    fn warm(&mut self, lang: &str, watch: &Watch, inbox: &Sender<Inbox>) -> Result<(), Problem> {
        if self.ready.contains_key(lang) {
            return Ok(());
        }
        self.pending.retain(|l| l != lang);
        let voice = self.chosen.get(lang).cloned().ok_or(Problem::NoVoice)?;
        let mut tts = open(watch, inbox).map_err(Problem::Lost)?;
        watched(watch, "choosing a voice", || tts.set_voice(&voice)).map_err(Problem::Lost)?;
        self.ready.insert(lang.to_owned(), tts);
        Ok(())
    }
}

struct Speaking {
    id: u64,
    utterance: UtteranceId,
    deadline: Instant,
    started: bool,
}

/// A `tts` call that may panic (some of its functions do on Linux) turned into an error.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, tts::Error>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: the speech library panicked")),
    }
}

/// A guarded call into speech-dispatcher under the watchdog's eye: when it took longer than
/// its limit, the watchdog has already reported the outage, and whatever it returned late is
/// not trusted (the connection is dropped and made again).
fn watched<T>(
    watch: &Watch,
    what: &'static str,
    f: impl FnOnce() -> Result<T, tts::Error>,
) -> Result<T, String> {
    let limit = watch::limit(what);
    watch.begin(what, limit);
    let result = guarded(what, f);
    match watch.end() {
        Some(late) => Err(late),
        None => result,
    }
}

fn run(
    settings: &VoiceSettings,
    watch: &Watch,
    inbox: &Sender<Inbox>,
    rx: &Receiver<Inbox>,
    report: &dyn Fn(VoiceReport),
) {
    let mut connection: Option<Connection> = None;
    let mut next_try = Instant::now();
    // A speech-dispatcher that is just starting or shutting down refuses briefly: try again
    // soon, then back off to `settings.retry`.
    let retry = Backoff {
        first: Duration::from_secs(2).min(settings.retry),
        max: settings.retry,
        jitter: false,
    };
    let mut failures = 0;
    let mut speaking: Option<Speaking> = None;
    loop {
        if connection.is_none() && Instant::now() >= next_try {
            match connect(settings, watch, inbox) {
                Ok(c) => {
                    failures = 0;
                    report(VoiceReport::Ready { voices: c.names() });
                    if c.pending.is_empty() {
                        report(VoiceReport::Warm);
                    }
                    connection = Some(c);
                }
                Err(reason) => {
                    report(VoiceReport::Unavailable { reason });
                    failures += 1;
                    next_try = Instant::now() + retry.wait(failures);
                }
            }
        }
        let mut wake = Instant::now() + Duration::from_secs(3600);
        if let Some(s) = &speaking {
            wake = wake.min(s.deadline);
        }
        let warming =
            speaking.is_none() && connection.as_ref().is_some_and(|c| !c.pending.is_empty());
        if warming {
            // Idle: take any message first, else warm up the next language.
            wake = Instant::now();
        }
        if connection.is_none() {
            wake = wake.min(next_try);
        }
        let message = match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(Inbox::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => None,
        };
        match message {
            None if warming => {
                if let Some(c) = connection.as_mut()
                    && let Some(lang) = c.pending.first().cloned()
                {
                    match c.warm(&lang, watch, inbox) {
                        Err(Problem::Lost(reason)) => {
                            report(VoiceReport::Unavailable { reason });
                            connection = None;
                            failures += 1;
                            next_try = Instant::now() + retry.wait(failures);
                        }
                        _ if c.pending.is_empty() => report(VoiceReport::Warm),
                        _ => {}
                    }
                }
            }
            None => {
                if let Some(s) = speaking.take_if(|s| Instant::now() >= s.deadline) {
                    let reason = "speech-dispatcher stopped answering in the middle of an \
                                  utterance; reconnecting"
                        .to_owned();
                    report(VoiceReport::Failed {
                        id: s.id,
                        reason: reason.clone(),
                    });
                    report(VoiceReport::Unavailable { reason });
                    connection = None;
                    next_try = Instant::now();
                }
            }
            Some(Inbox::Speak {
                id,
                lang,
                text,
                volume,
                asked,
            }) => {
                if asked.elapsed() > TOO_LATE {
                    // Waited behind a stuck call: the announcement has gone on without it.
                    report(VoiceReport::Failed {
                        id,
                        reason: format!(
                            "asked {} s ago; too late to say",
                            asked.elapsed().as_secs()
                        ),
                    });
                    continue;
                }
                if let Some(previous) = speaking.take() {
                    report(VoiceReport::Failed {
                        id: previous.id,
                        reason: "replaced by a newer request".into(),
                    });
                }
                let Some(c) = connection.as_mut() else {
                    report(VoiceReport::Failed {
                        id,
                        reason: "speech is unavailable".into(),
                    });
                    continue;
                };
                match say(c, watch, inbox, &lang, &text, volume) {
                    Ok(utterance) => {
                        speaking = Some(Speaking {
                            id,
                            utterance,
                            deadline: Instant::now() + patience(&text),
                            started: false,
                        });
                    }
                    Err(Problem::NoVoice) => report(VoiceReport::Failed {
                        id,
                        reason: format!("no voice for {lang:?}"),
                    }),
                    Err(Problem::Lost(reason)) => {
                        report(VoiceReport::Failed {
                            id,
                            reason: reason.clone(),
                        });
                        report(VoiceReport::Unavailable { reason });
                        connection = None;
                        failures += 1;
                        next_try = Instant::now() + retry.wait(failures);
                    }
                }
            }
            Some(Inbox::Begin(utterance)) => {
                if let Some(s) = speaking.as_mut().filter(|s| s.utterance == utterance)
                    && !s.started
                {
                    s.started = true;
                    report(VoiceReport::Started { id: s.id });
                }
            }
            Some(Inbox::End(utterance)) => {
                if let Some(s) = speaking.take_if(|s| s.utterance == utterance) {
                    report(VoiceReport::Finished { id: s.id });
                }
            }
            Some(Inbox::Shutdown) => return,
        }
    }
}

enum Problem {
    NoVoice,
    Lost(String),
}

fn say(
    c: &mut Connection,
    watch: &Watch,
    inbox: &Sender<Inbox>,
    lang: &str,
    text: &str,
    volume: u8,
) -> Result<UtteranceId, Problem> {
    c.warm(lang, watch, inbox)?;
    let Some(tts) = c.ready.get_mut(lang) else {
        return Err(Problem::NoVoice);
    };
    let level = dispatcher_volume(volume);
    watched(watch, "setting the volume", || {
        tts.set_volume(level).map(|_| ())
    })
    .map_err(Problem::Lost)?;
    match watched(watch, "speaking", || tts.speak(text, false)) {
        Ok(Some(utterance)) => Ok(utterance),
        Ok(None) => Err(Problem::Lost(
            "speech-dispatcher gave no utterance id".into(),
        )),
        Err(e) => Err(Problem::Lost(e)),
    }
}

/// speech-dispatcher's volume for herald's percent. Its scale runs -100 … +100 and +100 is the
/// synthesizer's normal loudness (`DefaultVolume 100` in speechd.conf), so 100 % must be +100:
/// the voice then matches the chime, and lower settings go down towards -100.
pub fn dispatcher_volume(percent: u8) -> f32 {
    -100.0 + 2.0 * f32::from(percent.min(100))
}

/// One connection to speech-dispatcher whose callbacks post to this thread's inbox.
fn open(watch: &Watch, inbox: &Sender<Inbox>) -> Result<Tts, String> {
    let tts = watched(watch, "connecting to speech-dispatcher", Tts::default)?;
    let begin = inbox.clone();
    let end = inbox.clone();
    let stop = inbox.clone();
    // Callbacks run on speech-dispatcher's thread: they only post, never call `tts`.
    watched(watch, "registering callbacks", || {
        tts.on_utterance_begin(Some(Box::new(move |u| {
            let _ = begin.send(Inbox::Begin(u));
        })))
    })?;
    watched(watch, "registering callbacks", || {
        tts.on_utterance_end(Some(Box::new(move |u| {
            let _ = end.send(Inbox::End(u));
        })))
    })?;
    watched(watch, "registering callbacks", || {
        tts.on_utterance_stop(Some(Box::new(move |u| {
            let _ = stop.send(Inbox::End(u));
        })))
    })?;
    Ok(tts)
}

/// Lists the system's voices once and chooses one per wanted language; the first language's
/// connection is made ready at once, the others are warmed up while idle.
fn connect(
    settings: &VoiceSettings,
    watch: &Watch,
    inbox: &Sender<Inbox>,
) -> Result<Connection, String> {
    let first = open(watch, inbox)?;
    let offered = watched(watch, "listing voices", || first.voices())?;
    let named: Vec<(String, String)> = offered
        .iter()
        .map(|v| {
            (
                v.name(),
                v.language().primary_language().to_ascii_lowercase(),
            )
        })
        .collect();
    let mut chosen = BTreeMap::new();
    for lang in &settings.languages {
        if let Some(name) = choose_voice(&named, lang, settings.overrides.get(lang))
            && let Some(voice) = offered.iter().find(|v| v.name() == name)
        {
            chosen.insert(lang.clone(), voice.clone());
        }
    }
    herald_core::log_event::emit(herald_core::log_event::LogEvent::VoicesChosen {
        voices: chosen
            .iter()
            .map(|(lang, voice)| (lang.clone(), voice.name()))
            .collect(),
        missing: settings
            .languages
            .iter()
            .filter(|l| !chosen.contains_key(*l))
            .cloned()
            .collect(),
    });
    let mut connection = Connection {
        pending: settings
            .languages
            .iter()
            .filter(|l| chosen.contains_key(*l))
            .cloned()
            .collect(),
        chosen,
        ready: HashMap::new(),
    };
    if let Some(lang) = connection.pending.first().cloned()
        && let Some(voice) = connection.chosen.get(&lang).cloned()
    {
        let mut first = first;
        watched(watch, "choosing a voice", || first.set_voice(&voice))?;
        connection.pending.remove(0);
        connection.ready.insert(lang, first);
    }
    Ok(connection)
}

/// The voices the system offers, as `(name, primary language)`, from one short connection to
/// speech-dispatcher (for `herald check`).
pub fn system_voices() -> Result<Vec<(String, String)>, String> {
    let tts = guarded("connecting to speech-dispatcher", Tts::default)?;
    let offered = guarded("listing voices", || tts.voices())?;
    Ok(offered
        .iter()
        .map(|v| {
            (
                v.name(),
                v.language().primary_language().to_ascii_lowercase(),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_volume_is_the_voice_at_its_normal_loudness_not_half_of_it() {
        assert_eq!(dispatcher_volume(100), 100.0);
        assert_eq!(dispatcher_volume(50), 0.0);
        assert_eq!(dispatcher_volume(0), -100.0);
        assert!(dispatcher_volume(30) < dispatcher_volume(31));
    }

    fn offered() -> Vec<(String, String)> {
        [
            ("Bulgarian+Adam", "bg"),
            ("Bulgarian", "bg"),
            ("Slovak+Annie", "sk"),
            ("Slovak", "sk"),
            ("Ukrainian", "uk"),
            ("English (America)", "en"),
            ("English (Great Britain)", "en"),
        ]
        .iter()
        .map(|(n, l)| ((*n).to_owned(), (*l).to_owned()))
        .collect()
    }

    #[test]
    fn the_plain_voice_of_a_language_is_chosen_unless_the_office_chose_one() {
        let offered = offered();
        assert_eq!(
            choose_voice(&offered, "bg", None).as_deref(),
            Some("Bulgarian")
        );
        assert_eq!(
            choose_voice(&offered, "sk", Some(&"Slovak+Annie".to_owned())).as_deref(),
            Some("Slovak+Annie")
        );
        // An override the system does not have falls back to the automatic pick.
        assert_eq!(
            choose_voice(&offered, "uk", Some(&"Ukrainian+Nobody".to_owned())).as_deref(),
            Some("Ukrainian")
        );
        assert_eq!(choose_voice(&offered, "mk", None), None);
        assert_eq!(
            choose_voice(&offered, "en", None).as_deref(),
            Some("English (America)")
        );
    }
}
