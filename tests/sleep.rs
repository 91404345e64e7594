//! A screen that slept: herald under Xvfb, fed by a real WebSocket server, left alone long
//! enough to stop drawing, then sent calls. Each call must hold the hero for its whole turn
//! (4 s, shorter while others wait) and get the whole 1.6 s animation, as on a screen that never slept: the clock the hero and
//! the motion read must be right on the first frame after the sleep.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use support::{Herald, TestServer, between};

/// A queue server and a muted herald on it in one language: nothing rotates, so between calls
/// the screen has no reason to draw and sleeps.
fn muted_screen(folder: &str, name: &str) -> (TestServer, Herald) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&dir).expect("test folder");
    let server = TestServer::start();
    let url = server.url();
    let herald = Herald::start(&dir, name, &["--feed", &url, "--lang", "sk", "--mute"], &[]);
    (server, herald)
}

#[test]
fn calls_after_a_sleep_keep_their_turns_and_their_whole_animation() {
    let (server, mut herald) = muted_screen("sleep", "sleeping");
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    // Quiet: the screen draws its last frame and sleeps until the next minute or event.
    std::thread::sleep(Duration::from_secs(8));
    // Three counters call at once.
    server.calls(3);
    herald.wait_for("call_shown", 3, Duration::from_secs(40));
    herald.wait_for("call_animation", 3, Duration::from_secs(20));
    // And once more after another sleep, a single call.
    std::thread::sleep(Duration::from_secs(8));
    server.calls(1);
    herald.wait_for("call_shown", 4, Duration::from_secs(30));
    herald.wait_for("call_animation", 4, Duration::from_secs(20));
    let shown: Vec<Value> = herald.events("call_shown").into_iter().cloned().collect();
    let animations: Vec<Value> = herald
        .events("call_animation")
        .into_iter()
        .cloned()
        .collect();
    let stderr = herald.stop();
    // Three at once: the first holds the hero while two wait (a turn of 4 s / (1 + 2/2)), the
    // second while one waits (4 s / 1.5), as `Room::turn` says. Never shorter than that (the
    // clock read after the sleep is right); longer only by a loaded machine's late frames.
    for (i, pair) in shown[..3].windows(2).enumerate() {
        let waiting = (2 - i) as f64;
        let expected = (4.0 / (1.0 + waiting / 2.0)).max(herald_core::room::SHORTEST_TURN);
        let turn = between(&pair[0], &pair[1]);
        assert!(
            (expected - 0.1..expected + 2.0).contains(&turn),
            "{} held the hero {turn:.2} s before {} took it, not its {expected:.2} s turn\n{stderr}",
            pair[0]["ticket"],
            pair[1]["ticket"]
        );
    }
    for animation in &animations {
        let frames = animation["frames"].as_u64().unwrap_or(0);
        let seconds = animation["seconds"].as_f64().unwrap_or(0.0);
        assert!(
            frames >= 5 && seconds >= 1.3,
            "a call's animation got {frames} frames in {seconds} s instead of about 1.6 s: \
             {animation}\n{stderr}"
        );
    }
}

/// The hero's flash colour and panel colour in the civic theme.
const HIGHLIGHT: [u8; 3] = [0xff, 0xcc, 0x4d];
const PANEL: [u8; 3] = [0x12, 0x29, 0x41];

/// The spans (seconds after `from`) during which the watched point showed the highlight.
fn flashes(seen: &[support::pixels::Seen], from: std::time::Instant) -> Vec<(f64, f64)> {
    use support::pixels::near;
    let mut spans = Vec::new();
    let mut on: Option<f64> = None;
    for s in seen.iter().filter(|s| s.at >= from) {
        let t = (s.at - from).as_secs_f64();
        let lit = near(s.colours[0], HIGHLIGHT, 12);
        match (lit, on) {
            (true, None) => on = Some(t),
            (false, Some(start)) => {
                spans.push((start, t));
                on = None;
            }
            _ => {}
        }
    }
    spans
}

#[test]
fn on_a_muted_screen_that_slept_every_call_flashes_twice_on_the_real_pixels() {
    use support::pixels::{PixelWatch, near};
    let (server, mut herald) = muted_screen("sleep-pixels", "flashes");
    // Inside the hero panel above its texts, inside it at every step of the pop-in
    // (waiting-room at 1280×720: the panel spans x 38-819, y 97-565).
    let point = (428, 150);
    let watch = PixelWatch::start(&herald.display(), vec![point]);
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    server.calls(1);
    herald.wait_for("call_animation", 1, Duration::from_secs(30));
    let mut report = Vec::new();
    for n in 2..=3 {
        // Quiet long enough for the screen to stop drawing and sleep.
        std::thread::sleep(Duration::from_secs(8));
        let sent = std::time::Instant::now();
        server.calls(1);
        herald.wait_for("call_animation", n, Duration::from_secs(30));
        // The mark stays after the motion: wait until the panel is plain again at this point.
        assert!(
            watch.wait_until(Duration::from_secs(10), |seen| {
                seen.last()
                    .is_some_and(|s| s.at > sent && near(s.colours[0], PANEL, 12))
            }),
            "call {n}: the hero did not settle"
        );
        let spans = flashes(&watch.seen(), sent);
        report.push(format!("call {n}: {spans:.2?}"));
        assert_eq!(
            spans.len(),
            2,
            "call {n} on a muted screen that slept: {} flashes, not 2: {spans:.2?}",
            spans.len()
        );
        for (i, (on, off)) in spans.iter().enumerate() {
            let long = off - on;
            // Each flash lasts 0.6 s (motion::FLASHES); a frame either side is allowed.
            assert!(
                (0.45..=0.85).contains(&long),
                "call {n}: flash {} lasted {long:.2} s, not 0.6 s: {spans:.2?}",
                i + 1
            );
        }
        let gap = spans[1].0 - spans[0].1;
        assert!(
            (0.2..=0.6).contains(&gap),
            "call {n}: {gap:.2} s between the flashes, not 0.4 s: {spans:.2?}"
        );
    }
    drop(watch);
    herald.stop();
    eprintln!("{}", report.join("\n"));
}
