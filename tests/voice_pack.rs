//! Voice packs, heard: a sample pack made from espeak-ng into real audio files, a call joined
//! from it and played into a private PulseAudio null sink, recorded with `parec`; each word's
//! recording is found in the room's recording by cross-correlation, in order, with short gaps
//! and even loudness. A pack missing a word hands that sentence to the system voice, once said
//! in the log, and `herald check` names the word.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use herald::voice::pack::{Pack, RATE as PACK_RATE, sound};
use herald_core::announcement::TicketReading;
use herald_core::announcement::words;
use herald_core::catalogue::Catalogue;
use herald_core::protocol::Call;
use serde_json::Value;

use support::Herald;
use support::sound::{RATE, SoundRoom, at, locate, onset, rms, span};

/// Makes the sample pack for `lang` in `dir` with the real espeak-ng.
fn sample_pack(lang: &str, dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["voice-pack", "sample", lang])
        .arg(dir)
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("herald runs");
    assert!(
        out.status.success(),
        "herald voice-pack sample {lang}: {}\n(espeak-ng is installed by the README's test command)",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn catalogue() -> Catalogue {
    Catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("locales"), "sk")
        .expect("locales")
        .0
}

fn call(id: &str, ticket: &str, counter: &str, floor: Option<i32>) -> Call {
    Call {
        floor,
        ..Call::new(id, ticket, counter, chrono::Utc::now().to_rfc3339())
    }
}

/// The pack's recordings for `call` in `lang`, in the order they should be heard.
fn expected_pieces(pack: &Pack, lang: &str, call: &Call) -> Vec<(String, u32, Vec<f32>)> {
    let spoken = words::spoken(&catalogue(), lang, call, TicketReading::Whole);
    let pieces = pack.pieces(&spoken.words).expect("the pack has every word");
    spoken
        .words
        .iter()
        .zip(pieces)
        .map(|(w, (gap, r))| (w.key.clone(), gap, r.samples.to_vec()))
        .collect()
}

struct Heard {
    key: String,
    at: f64,
    ncc: f64,
    gap_ms: f64,
    lufs: f64,
}

/// Finds each piece in the recording, the first near `near` (seconds), each next one just after
/// the last.
fn follow(samples: &[f32], pieces: &[(String, u32, Vec<f32>)], near: f64) -> Vec<Heard> {
    assert_eq!(RATE, PACK_RATE, "the recording and the pack share one rate");
    let rate = f64::from(RATE);
    let mut heard = Vec::new();
    let mut end: Option<usize> = None;
    for (key, _, piece) in pieces {
        let (from, to) = match end {
            None => (
                ((near - 0.6).max(0.0) * rate) as usize,
                ((near + 0.9) * rate) as usize,
            ),
            Some(e) => (
                e.saturating_sub((0.01 * rate) as usize),
                e + (0.25 * rate) as usize,
            ),
        };
        let (o, ncc) = locate(samples, piece, from, to);
        let gap_ms = end.map_or(0.0, |e| (o as f64 - e as f64) * 1000.0 / rate);
        let lufs = sound::loudness(&samples[o..o + piece.len()], RATE).unwrap_or(f64::NAN);
        heard.push(Heard {
            key: key.clone(),
            at: o as f64 / rate,
            ncc,
            gap_ms,
            lufs,
        });
        end = Some(o + piece.len());
    }
    heard
}

#[test]
fn a_call_is_joined_from_the_pack_and_a_missing_word_falls_back_to_the_system_voice() {
    let room = SoundRoom::open("pack");
    let packs = room.dir.join("packs");
    let full = packs.join("sk");
    sample_pack("sk", &full);
    // The same pack without "štyridsať".
    let gappy: PathBuf = packs.join("sk-gappy");
    sample_pack("sk", &gappy);
    std::fs::remove_file(gappy.join("number-40.wav")).expect("remove a word");
    let server = support::TestServer::start();
    let url = server.url();

    // Phase 1: the pack alone, with no speech-dispatcher at all: the pack still speaks.
    let pack_arg = format!("sk={}", full.display());
    let mut herald = Herald::start(
        &room.dir,
        "pack",
        &["--feed", &url, "--lang", "sk", "--voice-pack", &pack_arg],
        &[(
            "SPEECHD_ADDRESS",
            "unix_socket:/nonexistent/herald-test.sock",
        )],
    );
    herald.wait_for("voice_pack_loaded", 1, Duration::from_secs(60));
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    let a042 = call("call-a042", "A042", "3", Some(1));
    server.call(a042.clone());
    herald.wait_for("announcement_finished", 1, Duration::from_secs(60));
    let loaded = herald.events("voice_pack_loaded")[0].clone();
    let chime_line = herald.events("chime_started")[0].clone();
    let speech_line = herald.events("speech_started")[0].clone();
    let finished = herald.events("speech_finished")[0].clone();
    let stderr_text = herald.stop();
    assert!(!stderr_text.contains("panicked"), "{stderr_text}");
    assert_eq!(loaded["words"], 73, "{loaded}");
    assert_eq!(loaded["missing"], serde_json::json!([]), "{loaded}");
    assert_eq!(finished["spoken"], true, "{finished}");

    // Phase 2: the gappy pack and the real system voice: A042 needs "štyridsať", so it is said
    // by the system voice; B007 at counter 3 is joined from the pack.
    let gappy_arg = format!("sk={}", gappy.display());
    let mut second = Herald::start(
        &room.dir,
        "gappy",
        &["--feed", &url, "--lang", "sk", "--voice-pack", &gappy_arg],
        &[],
    );
    second.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_displays(2, Duration::from_secs(60));
    second.wait_for("voices_loaded", 1, Duration::from_secs(60));
    let a041 = call("call-a041", "A041", "3", None);
    let b007 = call("call-b007", "B007", "3", None);
    server.call(a041.clone());
    server.call(call("call-a043", "A043", "3", None));
    server.call(b007.clone());
    second.wait_for("announcement_finished", 3, Duration::from_secs(90));
    let missing: Vec<Value> = second
        .events("voice_pack_word_missing")
        .into_iter()
        .cloned()
        .collect();
    let second_speech: Vec<Value> = second
        .events("speech_started")
        .into_iter()
        .cloned()
        .collect();
    let second_ends: Vec<Value> = second
        .events("speech_finished")
        .into_iter()
        .cloned()
        .collect();
    let second_chime = second.events("chime_started")[0].clone();
    let stderr_second = second.stop();

    // `herald check` names the missing word.
    let check = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["--lang", "sk", "--voice-pack", &gappy_arg, "check"])
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env("XDG_RUNTIME_DIR", &room.dir)
        .output()
        .expect("herald check runs");
    let check_out = String::from_utf8_lossy(&check.stdout).to_string();

    let t0 = room.t0;
    let samples = room.close();

    // The recording, phase 1: align the log's clock on the chime's onset, then find the words.
    let chime_logged = at(t0, &chime_line);
    let heard_chime = onset(&samples, 0.0).expect("nothing was heard");
    let offset = heard_chime - chime_logged;
    let speech_at = at(t0, &speech_line) + offset;
    let pack = Pack::load("sk", &full).expect("the pack loads in the test too");
    let pieces = expected_pieces(&pack, "sk", &a042);
    let heard = follow(&samples, &pieces, speech_at);
    let median = {
        let mut l: Vec<f64> = heard.iter().map(|h| h.lufs).collect();
        l.sort_by(f64::total_cmp);
        l[l.len() / 2]
    };
    for h in &heard {
        eprintln!(
            "{:>14} at {:6.3} s  match {:.3}  gap {:5.1} ms  {:6.1} LUFS",
            h.key, h.at, h.ncc, h.gap_ms, h.lufs
        );
    }
    let chime_seconds = herald_core::announcement::chime::SECONDS;
    let chime_to_word = heard[0].at - heard_chime;
    eprintln!(
        "call → chime {} ms, call → first word {} ms (the chime is {chime_seconds:.1} s); \
         heard: chime → first word {:.0} ms",
        chime_line["since_call_ms"],
        speech_line["since_call_ms"],
        chime_to_word * 1000.0
    );
    for (h, (_, gap, _)) in heard.iter().zip(&pieces) {
        assert!(
            h.ncc > 0.8,
            "{} is not heard where it should be ({:.3})",
            h.key,
            h.ncc
        );
        assert!(
            h.gap_ms <= 80.0 && h.gap_ms >= -5.0,
            "{}: {:.1} ms of silence before it (planned {gap} ms)",
            h.key,
            h.gap_ms
        );
        assert!(
            (h.lufs - median).abs() <= 1.0,
            "{} is {:.1} LUFS, the words' median {median:.1}: one word louder than another",
            h.key,
            h.lufs
        );
    }
    assert!(
        heard.windows(2).all(|w| w[0].at < w[1].at),
        "the words in the order of the sentence"
    );
    // What a person notices: the voice waits for the chime to ring out, and not much longer.
    assert!(
        (chime_seconds - 0.05..=chime_seconds + 0.6).contains(&chime_to_word),
        "the first word is heard {chime_to_word:.3} s after the chime began (the chime is \
         {chime_seconds:.1} s): the voice talks over the chime or leaves a long silence"
    );

    // Phase 2: one missing-word line for two calls that need it, said by the system voice.
    assert_eq!(missing.len(), 1, "said once: {missing:?}\n{stderr_second}");
    assert_eq!(missing[0]["word"], "number-40");
    assert!(
        stderr_second.contains("no recording of `number-40`"),
        "{stderr_second}"
    );
    assert_eq!(second_speech.len(), 3, "{second_speech:?}");
    assert!(
        second_ends.iter().all(|l| l["spoken"] == true),
        "{second_ends:?}"
    );
    // In the recording: the first call (system voice) holds no recording of the pack; the
    // third (B007, joined from the pack) does.
    let offset2 = onset(&samples, at(t0, &second_chime) + offset - 0.5)
        .map_or(offset, |heard| heard - at(t0, &second_chime));
    let ticket_word = pack.words["speech-ticket"].samples.to_vec();
    let span_of = |i: usize| {
        (
            at(t0, &second_speech[i]) + offset2,
            at(t0, &second_ends[i]) + offset2,
        )
    };
    let search = |(from, to): (f64, f64)| {
        let rate = f64::from(RATE);
        locate(
            &samples,
            &ticket_word,
            ((from - 0.2).max(0.0) * rate) as usize,
            (to * rate) as usize,
        )
        .1
    };
    let (system_said, pack_said) = (search(span_of(0)), search(span_of(2)));
    eprintln!(
        "A041 by the system voice: best match of the pack's \"Lístok\" {system_said:.3}; B007 from the pack: {pack_said:.3}"
    );
    assert!(
        rms(span(&samples, span_of(0).0, span_of(0).1)) > 0.01,
        "A041 was heard"
    );
    assert!(
        system_said < 0.6,
        "A041 came from the system voice ({system_said:.3})"
    );
    assert!(pack_said > 0.8, "B007 came from the pack ({pack_said:.3})");

    assert!(
        check_out.contains("missing number-40 (štyridsať)"),
        "herald check names the missing word:\n{check_out}"
    );
    assert!(check_out.contains("66 of 67 words"), "{check_out}");
}
