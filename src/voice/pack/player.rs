//! The thread that plays joined calls from voice packs on the default sound output (through the
//! same rodio that Bevy plays the chime with), reporting start and end like the system voice.

use std::num::NonZero;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use herald_core::announcement::sequencer::VoiceReport;
use rodio::buffer::SamplesBuffer;
use rodio::{DeviceSinkBuilder, MixerDeviceSink, Player};
use tracing::warn;

use super::RATE;

/// The sound output is let go after this long without a call (an open one costs a little CPU).
const IDLE: Duration = Duration::from_secs(60);
/// How long past its length a call may take to play before the output is considered stuck.
const SLACK: Duration = Duration::from_secs(2);

struct Play {
    id: u64,
    samples: Vec<f32>,
    volume: u8,
}

/// The running player; dropping it stops its thread after the current call.
pub struct PackPlayer {
    tx: Sender<Play>,
}

impl PackPlayer {
    pub fn spawn(report: Arc<dyn Fn(VoiceReport) + Send + Sync>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("herald-pack".into())
            .spawn(move || run(&rx, report.as_ref()))?;
        Ok(Self { tx })
    }

    /// Plays `samples` (mono, [`RATE`]) at `volume` percent; reports come under `id`.
    pub fn play(&self, id: u64, samples: Vec<f32>, volume: u8) -> bool {
        self.tx
            .send(Play {
                id,
                samples,
                volume,
            })
            .is_ok()
    }
}

fn run(rx: &Receiver<Play>, report: &(dyn Fn(VoiceReport) + Send + Sync)) {
    let mut output: Option<MixerDeviceSink> = None;
    // Said once per outage; each call that cannot be played is reported as failed anyway.
    let mut said = false;
    loop {
        let play = match rx.recv_timeout(IDLE) {
            Ok(play) => play,
            Err(RecvTimeoutError::Timeout) => {
                output = None;
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if output.is_none() {
            let (opened, _) =
                super::super::hush::opening_audio(DeviceSinkBuilder::open_default_sink);
            match opened {
                Ok(mut sink) => {
                    sink.log_on_drop(false);
                    output = Some(sink);
                    said = false;
                }
                Err(e) => {
                    if !std::mem::replace(&mut said, true) {
                        warn!(
                            "voice pack: the sound output cannot be opened ({e}); check the \
                             sound device or PulseAudio, as the user herald runs as"
                        );
                    }
                    report(VoiceReport::Failed {
                        id: play.id,
                        reason: format!("the sound output cannot be opened: {e}"),
                    });
                    continue;
                }
            }
        }
        let Some(sink) = output.as_ref() else {
            continue;
        };
        let (Some(mono), Some(rate)) = (NonZero::new(1), NonZero::new(RATE)) else {
            continue;
        };
        let length = Duration::from_secs_f64(play.samples.len() as f64 / f64::from(RATE));
        let player = Player::connect_new(sink.mixer());
        player.set_volume(f32::from(play.volume) / 100.0);
        player.append(SamplesBuffer::new(mono, rate, play.samples));
        report(VoiceReport::Started { id: play.id });
        let deadline = Instant::now() + length + SLACK;
        while !player.empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if player.empty() {
            report(VoiceReport::Finished { id: play.id });
        } else {
            player.stop();
            // Let the next call open the output afresh.
            output = None;
            warn!("voice pack: the sound output stopped playing; it will be opened again");
            report(VoiceReport::Failed {
                id: play.id,
                reason: "the sound output stopped playing".into(),
            });
        }
    }
}
