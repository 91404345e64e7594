//! Under systemd (`Type=notify`): herald says READY once it has drawn, and keeps pinging the
//! watchdog from its render loop while the screen sleeps. The test plays the service manager:
//! a datagram socket named in `NOTIFY_SOCKET`.

mod support;

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::{Herald, TestServer};

#[test]
fn ready_after_the_first_frame_and_watchdog_pings_from_a_sleeping_screen() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("service");
    std::fs::create_dir_all(&dir).expect("folder");
    let socket_path = dir.join("notify.sock");
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).expect("the notify socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let server = TestServer::start();
    let url = server.url();
    let socket_arg = socket_path.to_string_lossy().into_owned();
    // A 2 s watchdog: pings are due every second, far more often than the idle screen draws.
    let herald = Herald::start(
        &dir,
        "service",
        &["--feed", &url, "--mute", "--lang", "sk", "--status", "off"],
        &[("NOTIFY_SOCKET", &socket_arg), ("WATCHDOG_USEC", "2000000")],
    );
    let mut buffer = [0u8; 512];
    let mut messages = Vec::new();
    let started = Instant::now();
    let mut ready_at = None;
    while started.elapsed() < Duration::from_secs(90) {
        let Ok(n) = socket.recv(&mut buffer) else {
            break;
        };
        let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
        if ready_at.is_none() && text.contains("READY=1") {
            ready_at = Some(Instant::now());
        }
        messages.push((Instant::now(), text));
        if ready_at.is_some_and(|r| r.elapsed() > Duration::from_secs(6)) {
            break;
        }
    }
    let stderr = herald.stop();
    let ready_at = ready_at.unwrap_or_else(|| panic!("no READY=1: {messages:?}\n{stderr}"));
    let pings = messages
        .iter()
        .filter(|(at, m)| *at > ready_at && m.contains("WATCHDOG=1"))
        .count();
    assert!(
        pings >= 4,
        "{pings} watchdog pings in 6 s after READY with a 2 s watchdog: {messages:?}"
    );
}

#[test]
fn systemctl_stop_is_a_clean_exit_even_while_the_screen_sleeps() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("service-stop");
    std::fs::create_dir_all(&dir).expect("folder");
    let server = TestServer::start();
    let url = server.url();
    let mut herald = Herald::start(
        &dir,
        "stop",
        &["--feed", &url, "--mute", "--lang", "sk", "--status", "off"],
        &[],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    // Quiet: the screen sleeps until its next planned redraw (up to a minute away).
    let asked = Instant::now();
    let (status, stderr) = herald.terminate();
    let took = asked.elapsed();
    eprintln!("SIGTERM → exit in {took:?}");
    assert!(
        status.success(),
        "SIGTERM ended herald with {status:?}, not a clean exit\n{stderr}"
    );
    assert!(stderr.contains("asked to stop"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a log that is not a terminal"
    );
}

/// Under systemd stderr is the journal. With no sound server (this test's `XDG_RUNTIME_DIR` has
/// none) opening the chime's output made alsa-lib and JACK print twenty-odd lines of their
/// device probe there at every start; herald now says the outcome in one line of its own.
#[test]
fn the_journal_gets_herald_s_words_not_the_sound_libraries_probe() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("service-journal");
    std::fs::create_dir_all(&dir).expect("folder");
    let server = TestServer::start();
    let url = server.url();
    let mut herald = Herald::start(
        &dir,
        "journal",
        &["--feed", &url, "--mute", "--lang", "sk", "--status", "off"],
        &[("PULSE_SERVER", "unix:/nonexistent/pulse")],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    let stderr = herald.stop();
    let probe: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains(" herald::"))
        .filter(|l| l.starts_with("ALSA lib") || l.to_ascii_lowercase().contains("jack"))
        .collect();
    assert!(
        probe.is_empty(),
        "the sound libraries' probe reached the journal:\n{}",
        probe.join("\n")
    );
    // The outcome is still said, once, by herald and Bevy.
    assert!(stderr.contains("No audio device found"), "{stderr}");
    let said = stderr
        .lines()
        .find(|l| l.contains("the sound libraries (alsa-lib, JACK) printed"))
        .unwrap_or_else(|| {
            panic!("no line saying the probe was kept out (is libasound2-plugins installed?):\n{stderr}")
        });
    eprintln!("{said}");
}
