//! Recording a pack's words from the default microphone (cpal: ALSA, or PulseAudio through
//! ALSA's pulse plugin), for the staff preview's "Voice pack" panel.
//!
//! [`Studio`] is what the panel's buttons call: it knows the words a language needs and which
//! are recorded, records one word at a time with a level meter, trims and levels the take,
//! writes it as `<word>.wav` in the pack folder, and plays words and test calls back.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use herald_core::announcement::Word;
use herald_core::announcement::words::{self, TicketReading};
use herald_core::catalogue::Catalogue;
use herald_core::protocol::Call;

use super::player::PackPlayer;
use super::sound::{self, RATE};
use super::{Pack, Recording};

/// A take longer than this is cut: nobody says one word for a minute.
const LONGEST_TAKE_SECS: u32 = 30;

/// What the microphone thread shares with the panel.
#[derive(Default)]
struct Take {
    samples: Mutex<Vec<f32>>,
    /// The loudest sample of the last block (for the meter), as f32 bits.
    level: AtomicU32,
    stop: AtomicBool,
}

/// A running recording from the default input.
pub struct Recorder {
    take: Arc<Take>,
    rate: u32,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    /// Opens the default input and starts recording; the error says what to check.
    pub fn start() -> Result<Recorder, String> {
        let take = Arc::new(Take::default());
        let (ready_tx, ready) = mpsc::channel();
        let shared = take.clone();
        let thread = std::thread::Builder::new()
            .name("herald-recorder".into())
            .spawn(move || {
                // The stream lives on this thread (it is not Send on every platform).
                match open(shared.clone()) {
                    Ok((stream, rate)) => {
                        let _ = ready_tx.send(Ok(rate));
                        while !shared.stop.load(Ordering::Relaxed) {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        drop(stream);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| format!("cannot start the recorder: {e}"))?;
        let rate = ready
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| "the microphone did not answer within 5 s".to_owned())??;
        Ok(Recorder {
            take,
            rate,
            thread: Some(thread),
        })
    }

    /// The loudest sample of the last moment, 0–1 (for the meter).
    pub fn level(&self) -> f32 {
        f32::from_bits(self.take.level.load(Ordering::Relaxed))
    }

    /// How long it has recorded.
    pub fn seconds(&self) -> f32 {
        let n = self.take.samples.lock().map(|s| s.len()).unwrap_or(0);
        n as f32 / self.rate.max(1) as f32
    }

    /// Stops and returns the take as mono samples at [`RATE`].
    pub fn stop(mut self) -> Vec<f32> {
        self.take.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let samples = self
            .take
            .samples
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        resample(samples, self.rate)
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.take.stop.store(true, Ordering::Relaxed);
    }
}

fn open(take: Arc<Take>) -> Result<(cpal::Stream, u32), String> {
    let host = cpal::default_host();
    let device = host.default_input_device().ok_or(
        "no microphone (no default input device); plug one in or choose it in the sound settings",
    )?;
    let supported = device
        .default_input_config()
        .map_err(|e| format!("the microphone gives no input format ({e})"))?;
    let config: cpal::StreamConfig = supported.config();
    let channels = usize::from(config.channels.max(1));
    let rate = config.sample_rate;
    let most = (rate * LONGEST_TAKE_SECS) as usize;
    let push = move |mono: &mut dyn Iterator<Item = f32>| {
        let mut peak = 0.0_f32;
        if let Ok(mut samples) = take.samples.lock() {
            for s in mono {
                peak = peak.max(s.abs());
                if samples.len() < most {
                    samples.push(s);
                }
            }
        }
        take.level.store(peak.to_bits(), Ordering::Relaxed);
    };
    let failed = |e: cpal::StreamError| tracing::warn!("the microphone stopped: {e}");
    let stream = match supported.sample_format() {
        cpal::SampleFormat::F32 => device.build_input_stream(
            &config,
            move |data: &[f32], _: &cpal::InputCallbackInfo| {
                push(
                    &mut data
                        .chunks(channels)
                        .map(|f| f.iter().sum::<f32>() / f.len() as f32),
                );
            },
            failed,
            None,
        ),
        cpal::SampleFormat::I16 => device.build_input_stream(
            &config,
            move |data: &[i16], _: &cpal::InputCallbackInfo| {
                push(&mut data.chunks(channels).map(|f| {
                    f.iter().map(|s| f32::from(*s) / 32768.0).sum::<f32>() / f.len() as f32
                }));
            },
            failed,
            None,
        ),
        cpal::SampleFormat::I32 => device.build_input_stream(
            &config,
            move |data: &[i32], _: &cpal::InputCallbackInfo| {
                push(&mut data.chunks(channels).map(|f| {
                    f.iter().map(|s| *s as f32 / 2_147_483_648.0).sum::<f32>() / f.len() as f32
                }));
            },
            failed,
            None,
        ),
        other => {
            return Err(format!(
                "the microphone gives {other} samples, which herald does not read"
            ));
        }
    }
    .map_err(|e| format!("cannot open the microphone: {e}"))?;
    stream
        .play()
        .map_err(|e| format!("cannot start the microphone: {e}"))?;
    Ok((stream, rate))
}

/// Mono samples at `rate` brought to [`RATE`] (rodio's converter, as for the pack's files).
fn resample(samples: Vec<f32>, rate: u32) -> Vec<f32> {
    use std::num::NonZero;
    let (Some(one), Some(from), Some(to)) =
        (NonZero::new(1), NonZero::new(rate), NonZero::new(RATE))
    else {
        return Vec::new();
    };
    if rate == RATE {
        return samples;
    }
    let source = rodio::buffer::SamplesBuffer::new(one, from, samples);
    rodio::source::UniformSourceIterator::new(source, one, to).collect()
}

/// A take trimmed and levelled, written as `dir/<key>.wav` (16-bit mono at [`RATE`]).
pub fn save_take(dir: &Path, key: &str, take: &[f32]) -> Result<Saved, String> {
    let trimmed = sound::trim(take, RATE);
    if trimmed.is_empty() {
        return Err("nothing was heard: check the microphone and its level".into());
    }
    let recorded_lufs = sound::loudness(&trimmed, RATE)?;
    let levelled = sound::level(trimmed, recorded_lufs);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let path = write_wav(&dir.join(format!("{key}.wav")), &levelled)?;
    Ok(Saved {
        path,
        seconds: levelled.len() as f32 / RATE as f32,
        recorded_lufs,
    })
}

/// Writes mono samples at [`RATE`] as a 16-bit WAV file; returns its path.
pub fn write_wav(path: &Path, samples: &[f32]) -> Result<PathBuf, String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let write = || -> Result<(), hound::Error> {
        let mut writer = hound::WavWriter::create(path, spec)?;
        for s in samples {
            writer.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)?;
        }
        writer.finalize()
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

/// What [`save_take`] wrote.
#[derive(Debug)]
pub struct Saved {
    pub path: PathBuf,
    pub seconds: f32,
    pub recorded_lufs: f64,
}

/// The pack being recorded for one language.
pub struct Studio {
    pub lang: String,
    pub dir: PathBuf,
    /// Every word a call may need, with what to say.
    pub words: Vec<Word>,
    /// The word being recorded now, and its recorder.
    pub recording: Option<(String, Recorder)>,
    /// The last thing that happened, for the panel.
    pub message: String,
    pack: Option<Pack>,
    player: Option<PackPlayer>,
}

impl Studio {
    /// A studio for `lang`'s pack in `dir` (made, with its pack.toml, when a word is saved).
    pub fn new(catalogue: &Catalogue, lang: &str, dir: PathBuf, floors: i32) -> Studio {
        let mut studio = Studio {
            lang: lang.to_owned(),
            words: words::pack_words(catalogue, lang, Some(floors)),
            dir,
            recording: None,
            message: String::new(),
            pack: None,
            player: None,
        };
        studio.reload();
        studio
    }

    fn reload(&mut self) {
        self.pack = Pack::load(&self.lang, &self.dir).ok();
    }

    /// Whether `key` has a usable recording.
    pub fn has(&self, key: &str) -> bool {
        self.pack
            .as_ref()
            .is_some_and(|p| p.words.contains_key(key))
    }

    /// How many of the words are recorded.
    pub fn recorded(&self) -> usize {
        self.words.iter().filter(|w| self.has(&w.key)).count()
    }

    /// Starts recording `key` (stopping any other take unsaved).
    pub fn record(&mut self, key: &str) {
        self.recording = None;
        match Recorder::start() {
            Ok(recorder) => {
                self.message = format!("recording {key}: say it, then Stop");
                self.recording = Some((key.to_owned(), recorder));
            }
            Err(e) => self.message = e,
        }
    }

    /// Stops the take, trims, levels and saves it; the message says what was kept.
    pub fn stop(&mut self) {
        let Some((key, recorder)) = self.recording.take() else {
            return;
        };
        let take = recorder.stop();
        if let Err(e) = self.ensure_manifest() {
            self.message = e;
            return;
        }
        self.message = match save_take(&self.dir, &key, &take) {
            Ok(saved) => format!(
                "{key}: {:.2} s kept of {:.2} s, recorded at {:.1} LUFS, levelled to {:.0} LUFS",
                saved.seconds,
                take.len() as f32 / RATE as f32,
                saved.recorded_lufs,
                sound::TARGET_LUFS
            ),
            Err(e) => format!("{key}: {e}"),
        };
        self.reload();
    }

    fn ensure_manifest(&self) -> Result<(), String> {
        let manifest = self.dir.join("pack.toml");
        if manifest.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot make {}: {e}", self.dir.display()))?;
        std::fs::write(
            &manifest,
            format!(
                "# Recorded in herald's preview (Voice pack).\nlanguage = \"{}\"\n",
                self.lang
            ),
        )
        .map_err(|e| format!("cannot write {}: {e}", manifest.display()))
    }

    fn play(&mut self, samples: Vec<f32>) {
        if self.player.is_none() {
            self.player = PackPlayer::spawn(Arc::new(|_| {})).ok();
        }
        if let Some(player) = &self.player {
            player.play(0, samples, 100);
        }
    }

    /// Plays one word as the pack holds it (trimmed, levelled).
    pub fn play_word(&mut self, key: &str) {
        let samples = self
            .pack
            .as_ref()
            .and_then(|p| p.words.get(key))
            .map(|r: &Recording| r.samples.to_vec());
        match samples {
            Some(samples) => self.play(samples),
            None => self.message = format!("{key} is not recorded yet"),
        }
    }

    /// Plays a dozen generated calls joined from the pack, a second apart; says which words
    /// are still missing when a call needs one.
    pub fn speak_test_calls(&mut self, catalogue: &Catalogue) {
        let Some(pack) = &self.pack else {
            self.message = "nothing recorded yet".into();
            return;
        };
        let mut all = Vec::new();
        let mut missing = Vec::new();
        let mut said = 0;
        for (i, (ticket, counter, floor)) in TEST_CALLS.iter().enumerate() {
            let mut call = Call::new(format!("t{i}"), *ticket, counter, "2026-01-01T09:00:00Z");
            call.floor = *floor;
            let spoken = words::spoken(catalogue, &self.lang, &call, TicketReading::Whole);
            match pack.join(&spoken.words) {
                Ok(samples) => {
                    said += 1;
                    all.extend(samples);
                    all.extend(std::iter::repeat_n(0.0, RATE as usize));
                }
                Err(word) => missing.push(word),
            }
        }
        missing.sort();
        missing.dedup();
        self.message = if missing.is_empty() {
            format!("{} test calls", TEST_CALLS.len())
        } else {
            format!(
                "{said} of {} test calls; the others need {}",
                TEST_CALLS.len(),
                missing.join(", ")
            )
        };
        if !all.is_empty() {
            self.play(all);
        }
    }
}

/// The dozen calls "speak test calls" plays: every kind of number and a few floors.
const TEST_CALLS: [(&str, &str, Option<i32>); 12] = [
    ("A001", "1", Some(0)),
    ("A042", "3", Some(1)),
    ("B007", "12", None),
    ("C100", "2", Some(2)),
    ("D115", "21", None),
    ("E222", "4", Some(0)),
    ("K305", "40", None),
    ("M019", "5", Some(3)),
    ("P470", "11", None),
    ("R999", "7", Some(1)),
    ("S060", "8", None),
    ("Z013", "30", Some(2)),
];
