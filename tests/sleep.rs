//! A screen that slept: herald under Xvfb, fed by a real WebSocket server, left alone long
//! enough to stop drawing, then sent calls. Each call must hold the hero for its full 4 s turn
//! and get the whole 1.6 s animation, as on a screen that never slept: the clock the hero and
//! the motion read must be right on the first frame after the sleep.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use support::{Herald, TestServer, between};

#[test]
fn calls_after_a_sleep_keep_their_turns_and_their_whole_animation() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sleep");
    std::fs::create_dir_all(&dir).expect("test folder");
    let server = TestServer::start();
    let url = server.url();
    // One language: nothing rotates, so between calls the screen has no reason to draw.
    let mut herald = Herald::start(
        &dir,
        "sleeping",
        &["--feed", &url, "--lang", "sk", "--mute"],
        &[],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
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
    for pair in shown[..3].windows(2) {
        let turn = between(&pair[0], &pair[1]);
        assert!(
            (3.9..5.5).contains(&turn),
            "{} held the hero {turn:.2} s before {} took it, not its 4 s turn\n{stderr}",
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
