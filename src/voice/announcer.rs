//! The room's announcer thread: carries calls, the chime's start and the voice's reports into
//! the [`Sequencer`] (which holds every ordering rule) and carries its effects out: chime
//! requests to the screen, sentences to the voice, progress to the log and the preview. It
//! sleeps until the next input or the sequencer's deadline.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::time::Instant;

use herald_core::announcement::Word;
use herald_core::announcement::sequencer::{
    Alarm, Effect, Input, Progress, Sequencer, SequencerConfig, VoiceReport,
};
use herald_core::catalogue::Catalogue;
use herald_core::log_event;
use herald_core::protocol::Call;
use tracing::{info, warn};

use super::{Voice, VoiceSettings};

/// Everything the announcer needs to know.
#[derive(Clone, Debug, Default)]
pub struct AnnouncerConfig {
    pub sequencer: SequencerConfig,
    pub voice: VoiceSettings,
}

/// Something that can say a sentence and report back through the `report` it was made with.
pub trait Speaker: Send {
    /// Says `text` (`words` when a voice pack can); false when it cannot even be asked.
    fn speak(&self, id: u64, lang: &str, text: &str, words: &[Word], volume: u8) -> bool;
    /// Languages with a voice pack (said even while the system voice is out).
    fn packed(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Speaker for Voice {
    fn speak(&self, id: u64, lang: &str, text: &str, _words: &[Word], volume: u8) -> bool {
        Voice::speak(self, id, lang, text, volume)
    }
}

/// Makes the speaker, given the words (for voice packs) and where it must send its reports.
/// `None`: no speech at all.
pub type SpeakerFactory = Box<
    dyn FnOnce(&Catalogue, Box<dyn Fn(VoiceReport) + Send + Sync>) -> Option<Box<dyn Speaker>>
        + Send,
>;

/// Which sound the screen is asked to play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Before a call.
    Chime,
    /// Before an emergency's text.
    Alarm,
}

/// The running announcer; dropping it stops its thread after the current step.
pub struct Announcer {
    tx: Sender<Input>,
    /// Sounds to play (which, volume in percent) for the screen to play.
    pub chimes: Receiver<(Tone, u8)>,
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
                let speaker = speaker(
                    &catalogue,
                    Box::new(move |r| {
                        let _ = reports.send(Input::Voice(r));
                    }),
                );
                let mut sequencer_config = config.sequencer;
                sequencer_config.packed = speaker.as_ref().map(|s| s.packed()).unwrap_or_default();
                let sequencer = Sequencer::new(sequencer_config, catalogue, speaker.is_some());
                run(
                    sequencer,
                    &rx,
                    speaker.as_deref(),
                    &Outlets {
                        chimes: chime_tx,
                        progress: progress_tx,
                        wake,
                    },
                );
            })?;
        Ok(Self {
            tx,
            chimes,
            progress,
        })
    }

    /// A call (or recall) to announce; `received` is when its frame arrived; `test` marks a
    /// preview's test call in the log.
    pub fn call(&self, call: Call, received: Instant, test: bool) {
        let _ = self.tx.send(Input::Call {
            call,
            received,
            test,
        });
    }

    /// A call was cancelled: drop it if it has not been announced yet.
    pub fn cancel(&self, call_id: &str) {
        let _ = self.tx.send(Input::Cancel(call_id.to_owned()));
    }

    /// The words changed (a saved `.ftl`): later announcements say the new ones.
    pub fn words(&self, catalogue: Arc<Catalogue>) {
        let _ = self.tx.send(Input::Words(catalogue));
    }

    /// The emergency this room must hear now, or none any more.
    pub fn emergency(&self, alarm: Option<Alarm>) {
        let _ = self.tx.send(Input::Emergency(alarm));
    }

    /// The screen reports that the chime it was asked for is now playing.
    pub fn chime_started(&self) {
        let _ = self.tx.send(Input::ChimeStarted);
    }
}

/// Where the announcer's effects go.
struct Outlets {
    chimes: Sender<(Tone, u8)>,
    progress: SyncSender<Progress>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

fn run(
    mut sequencer: Sequencer,
    rx: &Receiver<Input>,
    speaker: Option<&dyn Speaker>,
    out: &Outlets,
) {
    let mut input = None;
    loop {
        let local = chrono::Local::now().time();
        let effects = sequencer.handle(input.take().unwrap_or(Input::Tick), Instant::now(), local);
        for effect in effects {
            if let Some(more) = carry_out(effect, speaker, out) {
                // The voice could not be asked: tell the sequencer at once.
                let local = chrono::Local::now().time();
                for effect in sequencer.handle(more, Instant::now(), local) {
                    if carry_out(effect, speaker, out).is_some() {
                        warn!("the voice refused two sentences in a row");
                    }
                }
            }
        }
        input = match sequencer.deadline() {
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
    }
}

/// Does one effect; returns an input for the sequencer when the voice could not be asked.
fn carry_out(effect: Effect, speaker: Option<&dyn Speaker>, out: &Outlets) -> Option<Input> {
    match effect {
        Effect::PlayChime { volume } => {
            let _ = out.chimes.send((Tone::Chime, volume));
            (out.wake)();
            None
        }
        Effect::PlayAlarm { volume } => {
            let _ = out.chimes.send((Tone::Alarm, volume));
            (out.wake)();
            None
        }
        Effect::Speak {
            id,
            lang,
            text,
            words,
            volume,
        } => {
            let asked = speaker.is_some_and(|s| s.speak(id, &lang, &text, &words, volume));
            (!asked).then_some(Input::NotSpoken { id })
        }
        Effect::Tell(progress) => {
            report(&progress);
            // Nobody may be listening (a wall display without a panel): drop rather than grow.
            let _ = out.progress.try_send(progress);
            None
        }
    }
}

/// The human log line and the `--log-json` line for a step of the announcer.
fn report(progress: &Progress) {
    if let Some((line, warning)) = progress.human_line() {
        if warning {
            warn!("{line}");
        } else {
            info!("{line}");
        }
    }
    if let Some(event) = progress.log_event() {
        log_event::emit(event);
    }
}
