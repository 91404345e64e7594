//! A private sound system for the tests that listen: a PulseAudio daemon of its own with a null
//! sink, recorded from its monitor with `parec`, so a test hears what a person in the room
//! would. (ALSA's null device is not used: it is not paced, and Bevy's audio thread spins on
//! it.) Plus the measures the tests take of a recording.
//!
//! An idle null sink is not rendered, and its monitor records nothing until something plays:
//! the recording then began a moment after the first sound, cut the chime's start off and
//! moved every later sound against the log by that much (up to 0.6 s, more on a loaded machine).
//! So a stream of silence keeps the sink running from the start, and `parec` is asked for small
//! fragments so the recording is written as it happens rather than in 2-second lumps.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::SystemTime;

use herald_core::announcement::chime;
use serde_json::Value;

pub const RATE: u32 = 22_050;

/// A private PulseAudio with a null sink, recorded from its monitor while it lives.
pub struct SoundRoom {
    pub dir: PathBuf,
    recorder: Child,
    /// Plays silence into the sink for as long as the room lives (see the module's comment).
    keeper: Child,
    raw: PathBuf,
    /// When the recorder was started (its first samples arrive a little later).
    pub t0: SystemTime,
    stopped: bool,
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is missing ({e}); the README's test command installs it")
        });
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl SoundRoom {
    pub fn open(name: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sound-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("runtime folder");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .expect("chmod 700");
        }
        run(
            &dir,
            "pulseaudio",
            &[
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "-n",
                "--load=module-null-sink sink_name=capture",
                "--load=module-native-protocol-unix",
            ],
        );
        run(&dir, "pactl", &["set-default-sink", "capture"]);
        let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
        let keeper = Command::new("pacat")
            .args([
                "--playback",
                "-d",
                "capture",
                "--raw",
                "--format=s16le",
                "--rate=22050",
                "--channels=1",
                "--client-name=herald-test-silence",
            ])
            .env("XDG_RUNTIME_DIR", &dir)
            .stdin(zero)
            .spawn()
            .expect("pacat (pulseaudio-utils) is missing; the README's test command installs it");
        let raw = dir.join("room.raw");
        let file = std::fs::File::create(&raw).expect("recording file");
        let t0 = SystemTime::now();
        let recorder = Command::new("parec")
            .args([
                "-d",
                "capture.monitor",
                "--latency-msec=50",
                "--raw",
                "--format=s16le",
                "--rate=22050",
                "--channels=1",
            ])
            .env("XDG_RUNTIME_DIR", &dir)
            .stdout(file)
            .spawn()
            .expect("parec (pulseaudio-utils) is missing; the README's test command installs it");
        let room = Self {
            dir,
            recorder,
            keeper,
            raw,
            t0,
            stopped: false,
        };
        room.wait_until_recording();
        room
    }

    /// Waits for the first samples in the recording file, so nothing played after `open` is
    /// missed.
    fn wait_until_recording(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::fs::metadata(&self.raw).map_or(0, |m| m.len()) == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "parec wrote nothing in 30 s from the null sink's monitor; check the test's \
                 PulseAudio with XDG_RUNTIME_DIR={} pactl info",
                self.dir.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Stops everything and returns the recording as samples in -1..1.
    pub fn close(mut self) -> Vec<f32> {
        let _ = self.recorder.kill();
        let _ = self.recorder.wait();
        let _ = self.keeper.kill();
        let _ = self.keeper.wait();
        self.stop_services();
        let bytes = std::fs::read(&self.raw).expect("the recording");
        bytes
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect()
    }

    fn stop_services(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let pid_file = self.dir.join("speech-dispatcher/pid/speech-dispatcher.pid");
        if let Ok(pid) = std::fs::read_to_string(pid_file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = Command::new("pulseaudio")
            .arg("--kill")
            .env("XDG_RUNTIME_DIR", &self.dir)
            .status();
    }
}

impl Drop for SoundRoom {
    fn drop(&mut self) {
        let _ = self.recorder.kill();
        let _ = self.keeper.kill();
        self.stop_services();
    }
}

/// Seconds from the start of the recording (`t0`) to a log line's timestamp.
pub fn at(t0: SystemTime, line: &Value) -> f64 {
    let ts = line["ts"].as_str().expect("ts");
    let t = chrono::DateTime::parse_from_rfc3339(ts).expect("rfc3339 ts");
    let t0: chrono::DateTime<chrono::Utc> = t0.into();
    (t.with_timezone(&chrono::Utc) - t0).as_seconds_f64()
}

pub fn span(samples: &[f32], from: f64, to: f64) -> &[f32] {
    let a = ((from.max(0.0) * f64::from(RATE)) as usize).min(samples.len());
    let b = ((to.max(0.0) * f64::from(RATE)) as usize).clamp(a, samples.len());
    &samples[a..b]
}

pub fn rms(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// First moment after `from` where 10 ms of sound is clearly above silence.
pub fn onset(samples: &[f32], from: f64) -> Option<f64> {
    let frame = (RATE / 100) as usize;
    let first = (from.max(0.0) * f64::from(RATE)) as usize / frame;
    samples
        .chunks(frame)
        .enumerate()
        .skip(first)
        .find(|(_, chunk)| rms(chunk) > 0.02)
        .map(|(i, _)| (i * frame) as f64 / f64::from(RATE))
}

/// How much of a stretch is one steady tone (0.5 for a pure sine, near 0 for speech).
pub fn tonality(samples: &[f32], freq: f64) -> f64 {
    chime::tone_power(samples, RATE, freq) / rms(samples).powi(2).max(1e-12)
}

/// Share of 50 ms frames with sound in them.
pub fn active_share(samples: &[f32]) -> f64 {
    let frames: Vec<&[f32]> = samples.chunks((RATE / 20) as usize).collect();
    frames.iter().filter(|c| rms(c) > 0.01).count() as f64 / frames.len().max(1) as f64
}

/// Where `piece` best matches `samples` with its start in `from..to` (sample indices), and how
/// well: the normalised cross-correlation, 1 for the same waveform at any level.
pub fn locate(samples: &[f32], piece: &[f32], from: usize, to: usize) -> (usize, f64) {
    let n = piece.len();
    if n == 0 || samples.len() < n {
        return (from, 0.0);
    }
    let to = to.min(samples.len() - n);
    let piece_energy: f64 = piece.iter().map(|s| f64::from(*s).powi(2)).sum();
    let mut window: f64 = samples[from.min(to)..from.min(to) + n]
        .iter()
        .map(|s| f64::from(*s).powi(2))
        .sum();
    let mut best = (from, f64::MIN);
    for o in from..=to {
        if o > from {
            window += f64::from(samples[o + n - 1]).powi(2) - f64::from(samples[o - 1]).powi(2);
        }
        let dot: f64 = samples[o..o + n]
            .iter()
            .zip(piece)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum();
        let ncc = dot / (piece_energy * window.max(1e-12)).sqrt();
        if ncc > best.1 {
            best = (o, ncc);
        }
    }
    best
}
