//! The preview's voice-pack recorder, with a real microphone path: a PulseAudio virtual
//! source (a null sink's monitor) plays a known word, the recorder takes it from the default
//! input (cpal → ALSA → PulseAudio) as the "Record"/"Stop" buttons do, and the word file it
//! writes is trimmed, levelled and the same sound.
//!
//! The test sets up the sound system, then runs its recording half in a child process of its
//! own (the same test, re-run) whose environment points at that private PulseAudio.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use herald::voice::pack::RATE;
use herald::voice::pack::recorder::Studio;
use herald::voice::pack::sound;
use herald_core::catalogue::Catalogue;

use support::sound::{SoundRoom, locate};

fn pactl(dir: &Path, args: &[&str]) {
    let out = Command::new("pactl")
        .args(args)
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .expect("pactl (pulseaudio-utils)");
    assert!(
        out.status.success(),
        "pactl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("wav");
    for s in samples {
        writer.write_sample((s * 32767.0) as i16).expect("sample");
    }
    writer.finalize().expect("wav written");
}

const TEST: &str = "a_word_recorded_in_the_preview_is_trimmed_levelled_and_saved";

#[test]
fn a_word_recorded_in_the_preview_is_trimmed_levelled_and_saved() {
    if let Some(dir) = std::env::var_os("HERALD_STUDIO_ROOM") {
        record_in(Path::new(&dir));
        return;
    }
    let room = SoundRoom::open("studio");
    // The "microphone": whatever is played into the sink `mic` comes out of `mic.monitor`.
    pactl(
        &room.dir,
        &["load-module", "module-null-sink", "sink_name=mic"],
    );
    pactl(&room.dir, &["set-default-source", "mic.monitor"]);
    let out = Command::new(std::env::current_exe().expect("this test's program"))
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env("HERALD_STUDIO_ROOM", &room.dir)
        .env("XDG_RUNTIME_DIR", &room.dir)
        .output()
        .expect("the recording half runs");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the recording half failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    drop(room);
}

/// The recording half, with the private PulseAudio as this process's sound system.
fn record_in(room: &Path) {
    // The known word: espeak-ng's "štyridsať", quiet (as a distant speaker), with silence around.
    let espeak = room.join("word.wav");
    let status = Command::new("espeak-ng")
        .args(["-v", "sk", "-w"])
        .arg(&espeak)
        .arg("štyridsať")
        .status()
        .expect("espeak-ng is installed by the README's test command");
    assert!(status.success());
    let word = sound::trim(&sound::decode(&espeak).expect("decodes"), RATE);
    let quiet: Vec<f32> = word.iter().map(|s| s * 0.15).collect();
    let mut known = vec![0.0; (RATE as f32 * 0.8) as usize];
    known.extend(&quiet);
    known.extend(vec![0.0; (RATE as f32 * 0.8) as usize]);
    let known_path = room.join("known.wav");
    write_wav(&known_path, &known);
    let word_secs = word.len() as f32 / RATE as f32;

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalogue, _) = Catalogue::load(&root.join("locales"), "sk").expect("locales");
    let pack_dir = room.join("pack-sk");
    let mut studio = Studio::new(&catalogue, "sk", pack_dir.clone(), 5);
    assert_eq!(studio.recorded(), 0);

    // "Record" on number-40, the word played into the microphone, then "Stop".
    studio.record("number-40");
    assert!(
        studio.recording.is_some(),
        "the recorder did not start: {}",
        studio.message
    );
    let played = Command::new("paplay")
        .args(["-d", "mic"])
        .arg(&known_path)
        .env("XDG_RUNTIME_DIR", room)
        .status()
        .expect("paplay (pulseaudio-utils)");
    assert!(played.success());
    let length = known.len() as f32 / RATE as f32;
    let end = Instant::now() + Duration::from_secs(20);
    while studio
        .recording
        .as_ref()
        .is_some_and(|(_, r)| r.seconds() < length)
    {
        assert!(Instant::now() < end, "the recorder stopped taking samples");
        std::thread::sleep(Duration::from_millis(20));
    }
    studio.stop();
    eprintln!("{}", studio.message);
    assert!(studio.message.contains("kept"), "{}", studio.message);
    assert!(studio.has("number-40"), "the panel shows it recorded");
    assert_eq!(studio.recorded(), 1);
    assert!(
        pack_dir.join("pack.toml").exists(),
        "the pack got its manifest"
    );

    // The file: the word alone (the 0.8 s of silence on each side is gone), at the target
    // loudness although it was played quietly, and the same sound.
    let saved = sound::decode(&pack_dir.join("number-40.wav")).expect("the saved word decodes");
    let saved_secs = saved.len() as f32 / RATE as f32;
    let lufs = sound::loudness(&saved, RATE).expect("measured");
    let played_lufs = sound::loudness(&quiet, RATE).expect("measured");
    let (_, ncc) = locate(&saved, &word[..word.len() * 9 / 10], 0, saved.len() / 4);
    eprintln!(
        "word {word_secs:.2} s, saved {saved_secs:.2} s; played at {played_lufs:.1} LUFS, saved at {lufs:.1} LUFS; match {ncc:.3}"
    );
    assert!(
        saved_secs <= word_secs + 0.12 && saved_secs >= word_secs * 0.8,
        "trimmed to the word: {saved_secs:.2} s for a {word_secs:.2} s word"
    );
    assert!(
        (lufs - sound::TARGET_LUFS).abs() < 1.0,
        "levelled: {lufs:.1} LUFS"
    );
    assert!(ncc > 0.8, "the saved word is the word played ({ncc:.3})");

    // With one word recorded, the test calls say what is missing.
    studio.speak_test_calls(&catalogue);
    assert!(
        studio.message.starts_with("0 of 12 test calls")
            && studio.message.contains("speech-ticket"),
        "{}",
        studio.message
    );
}
