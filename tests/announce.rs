//! Real sound: herald under Xvfb announces calls through speech-dispatcher + espeak-ng and Bevy
//! audio into a PulseAudio null sink, and `parec` records the sink's monitor, so the test hears
//! what a person in the room would. (ALSA's null device is not used: it is not paced, and
//! Bevy's audio thread spins on it.)
//!
//! The test owns its sound system: a private PulseAudio daemon in a private runtime folder,
//! and the speech-dispatcher that herald autospawns there, both stopped at the end.

mod support;

use support::Herald;

use std::process::Command;
use std::time::Duration;

use herald_core::announcement::chime;
use herald_core::protocol::Call;
use serde_json::Value;

use support::sound::{RATE, SoundRoom, active_share, at, onset, rms, span, tonality};

fn uk_visitor_call() -> Call {
    Call {
        lang: Some("uk".into()),
        floor: Some(1),
        ..Call::new("call-a042", "A042", "3", chrono::Utc::now().to_rfc3339())
    }
}

#[test]
fn a_call_is_heard_as_chime_then_ukrainian_then_slovak_and_without_speech_the_chime_stays() {
    let room = SoundRoom::open("announce");
    let server = support::TestServer::start();
    let url = server.url();

    // Phase 1: the real voice. A Ukrainian visitor in a Slovak office.
    let mut herald = Herald::start(&room.dir, "speech", &["--feed", &url, "--lang", "sk"], &[]);
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    // Voices load one by one after start; the timing below is the steady one.
    herald.wait_for("voices_loaded", 1, Duration::from_secs(60));
    server.call(uk_visitor_call());
    herald.wait_for("announcement_finished", 1, Duration::from_secs(90));
    let chime_line = herald.events("chime_started")[0].clone();
    let speech: Vec<Value> = herald
        .events("speech_started")
        .into_iter()
        .cloned()
        .collect();
    let ends: Vec<Value> = herald
        .events("speech_finished")
        .into_iter()
        .cloned()
        .collect();
    let started = herald.events("announcement_started")[0].clone();
    let log_text = herald
        .log
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let stderr_text = herald.stop();
    assert!(
        !stderr_text.contains("panicked"),
        "herald panicked:\n{stderr_text}"
    );

    // The texts sent to the voice, in order: the visitor's language, then the office's.
    let langs: Vec<&str> = speech.iter().filter_map(|l| l["lang"].as_str()).collect();
    assert_eq!(langs, ["uk", "sk"], "{log_text}");
    let texts: Vec<&str> = speech.iter().filter_map(|l| l["text"].as_str()).collect();
    assert!(
        texts[0].starts_with("Талон літера а сорок два") && texts[0].contains("вікна номер три"),
        "{texts:?}"
    );
    assert!(
        texts[1].starts_with("Lístok písmeno A štyridsaťdva")
            && texts[1].contains("okienku číslo tri"),
        "{texts:?}"
    );
    assert_eq!(started["ticket"], "A042");
    assert!(
        ends.iter().all(|l| l["spoken"] == true),
        "both were spoken: {log_text}"
    );

    // Phase 2: no speech-dispatcher at all (an address where none listens): chime only, said once.
    let mut mute_voice = Herald::start(
        &room.dir,
        "nospeech",
        &["--feed", &url, "--lang", "sk"],
        &[(
            "SPEECHD_ADDRESS",
            "unix_socket:/nonexistent/herald-test.sock",
        )],
    );
    mute_voice.wait_for("connected", 1, Duration::from_secs(60));
    // Its hello answered (the second on this server), so the calls below are news to it.
    server.wait_for_displays(2, Duration::from_secs(60));
    server.call(Call::new(
        "call-b007",
        "B007",
        "5",
        chrono::Utc::now().to_rfc3339(),
    ));
    server.call(Call::new(
        "call-b008",
        "B008",
        "6",
        chrono::Utc::now().to_rfc3339(),
    ));
    mute_voice.wait_for("announcement_finished", 2, Duration::from_secs(60));
    let chimes_without_voice: Vec<Value> = mute_voice
        .events("chime_started")
        .into_iter()
        .cloned()
        .collect();
    assert!(mute_voice.events("speech_started").is_empty());
    let stderr_text = mute_voice.stop();
    let said = stderr_text.matches("speech is unavailable").count();
    assert_eq!(
        said, 1,
        "the outage is logged once, clearly:\n{stderr_text}"
    );

    let t0 = room.t0;
    let samples = room.close();
    let secs = samples.len() as f64 / f64::from(RATE);

    // Phase 1 in the recording. Align the log's clock with the recording on the chime's onset.
    let chime_logged = at(t0, &chime_line);
    let heard = onset(&samples, 0.0).expect("nothing was heard at all");
    let offset = heard - chime_logged;
    eprintln!(
        "recorded {secs:.1} s; chime logged at {chime_logged:.2} s, heard at {heard:.2} s (offset {offset:+.3} s)"
    );
    // (parec's first samples come a second or two after it starts, so the offset is not 0;
    // the first sound being the chime is shown by its tone.)
    let ring = span(&samples, heard + 0.02, heard + 0.32);
    let tone = tonality(ring, 783.99);
    eprintln!("chime: RMS {:.3}, G5 tonality {tone:.2}", rms(ring));
    assert!(
        tone > 0.2,
        "the chime's first note is a clear G5 ({tone:.2})"
    );
    for (start, end) in speech.iter().zip(&ends) {
        let from = at(t0, start) + offset;
        let to = at(t0, end) + offset;
        let lang = start["lang"].as_str().unwrap_or("?");
        assert!(
            from >= heard + chime::SECONDS - 0.1,
            "{lang} speech began at {from:.2} s, over the chime that began at {heard:.2} s"
        );
        let voice = span(&samples, from, to);
        let (level, active, tone) = (rms(voice), active_share(voice), tonality(voice, 783.99));
        eprintln!(
            "{lang}: {:.2} s of speech, RMS {level:.3}, {:.0} % active, G5 tonality {tone:.3}: {}",
            to - from,
            active * 100.0,
            start["text"]
        );
        assert!(
            (1.5..15.0).contains(&(to - from)),
            "{lang}: a sentence takes seconds, not {:.2} s",
            to - from
        );
        assert!(
            level > 0.02,
            "{lang}: the speech is silent (RMS {level:.4})"
        );
        assert!(active > 0.3, "{lang}: mostly silence ({active:.2})");
        assert!(
            tone < 0.15,
            "{lang}: this is a tone, not speech ({tone:.2})"
        );
    }
    let first_ms = speech[0]["since_call_ms"].as_u64().unwrap_or(0);
    let chime_ms = chime_line["since_call_ms"].as_u64().unwrap_or(0);
    eprintln!("call → chime {chime_ms} ms, call → speech {first_ms} ms");

    // Phase 2: each call still gets its chime.
    for line in &chimes_without_voice {
        let logged = at(t0, line) + offset;
        let sound =
            onset(&samples, logged - 0.3).unwrap_or_else(|| panic!("no chime after {logged:.2} s"));
        assert!(
            (sound - logged).abs() < 0.5,
            "a chime without speech, heard at {sound:.2} s, logged at {logged:.2} s"
        );
        let tone = tonality(span(&samples, sound + 0.02, sound + 0.32), 783.99);
        assert!(tone > 0.2, "the chime is there without speech ({tone:.2})");
    }
}

#[test]
fn a_hung_speech_dispatcher_costs_the_room_its_voice_not_its_calls() {
    use support::http::{free_port, get};
    let room = SoundRoom::open("hung");
    let address = support::speech::hung_speech_dispatcher(&room.dir.join("hung-speechd.sock"));
    let server = support::TestServer::start();
    let url = server.url();
    let port = free_port();
    let status = format!("127.0.0.1:{port}");
    let mut herald = Herald::start(
        &room.dir,
        "hung",
        &["--feed", &url, "--lang", "sk,uk", "--status", &status],
        &[("SPEECHD_ADDRESS", &address)],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    // An ordinary morning's pace: a call every 3 s (a chime alone takes about 2 s).
    let calls = 6;
    for n in 1..=calls {
        server.call(Call::new(
            format!("call-h{n}"),
            format!("H{n:03}"),
            "2",
            chrono::Utc::now().to_rfc3339(),
        ));
        if n < calls {
            std::thread::sleep(Duration::from_secs(3));
        }
    }
    herald.wait_for("announcement_finished", calls, Duration::from_secs(180));
    let outages: Vec<Value> = herald
        .events("speech_unavailable")
        .into_iter()
        .cloned()
        .collect();
    let waits: Vec<u64> = herald
        .events("announcement_started")
        .iter()
        .filter_map(|l| l["waited_ms"].as_u64())
        .collect();
    let skipped = herald.events("announcement_skipped").len();
    let (code, body) = get(port, "/healthz", None);
    let health: Value = serde_json::from_slice(&body).expect("healthz is JSON");
    let stderr_text = herald.stop();
    drop(room);

    assert_eq!(outages.len(), 1, "one outage, said once: {outages:?}");
    let reason = outages[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("speech-dispatcher did not answer within"),
        "{reason}"
    );
    assert_eq!(
        stderr_text.matches("speech is unavailable").count(),
        1,
        "{stderr_text}"
    );
    assert_eq!(skipped, 0, "every call was announced (chime only)");
    assert_eq!(waits.len(), calls);
    // Before the watchdog, each call waited out the previous one's 30 s+ for a voice that never
    // came; now the room hears each chime within seconds.
    let longest = waits.iter().max().copied().unwrap_or(0);
    eprintln!("waits before each announcement (ms): {waits:?}");
    assert!(
        longest < 20_000,
        "a call waited {longest} ms behind a hung voice: {waits:?}"
    );
    assert_eq!(code, 200, "the outage is under a minute old: {health}");
    assert_eq!(health["speech_available"], false, "{health}");
    assert!(
        health["speech_problem"]
            .as_str()
            .is_some_and(|p| p.contains("did not answer")),
        "{health}"
    );
}

#[test]
fn herald_check_passes_with_a_voice_and_a_sound_output_and_fails_without() {
    let room = SoundRoom::open("check");
    let check = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .args(["--status", "off", "--lang", "sk"])
            .args(args)
            .arg("check")
            .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
            .env("XDG_RUNTIME_DIR", &room.dir);
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().expect("herald check runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (passed, report) = check(&[], &[]);
    assert!(passed, "{report}");
    assert!(report.contains("voice sk: Slovak"), "{report}");
    assert!(report.contains("audio output: "), "{report}");
    assert!(!report.contains("NONE"), "{report}");
    // No speech-dispatcher: calls would get the chime only, which the check must not pass.
    let (passed, report) = check(
        &[(
            "SPEECHD_ADDRESS",
            "unix_socket:/nonexistent/herald-check.sock",
        )],
        &[],
    );
    assert!(!passed, "no voice passed the check:\n{report}");
    assert!(report.contains("voice: NONE"), "{report}");
    // A display language with no words is a mistake too.
    let (passed, report) = check(&[], &["--lang", "sk,xx", "--mute"]);
    assert!(!passed, "{report}");
    assert!(report.contains("no locales/xx/"), "{report}");
    drop(room);
}
