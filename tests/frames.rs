//! What a frame costs. On a software renderer every pixel a shader runs for is CPU time, so a
//! screen that shades its pixels many times over animates slowly and warms the room's PC. This
//! runs the real herald with `--frame-costs` (Bevy's render diagnostics: pixels shaded and time
//! per render pass) on the demo office and holds the default screen to a budget: the pixels a
//! frame shades, the frames a call's motion draws, and the share of frames that showed nothing new.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::Herald;

/// The screen the tests draw: 1280×720.
const SCREEN_PIXELS: f64 = 1280.0 * 720.0;

#[test]
fn while_calls_come_a_frame_draws_mostly_the_calls_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("frames");
    std::fs::create_dir_all(&dir).expect("test folder");
    // The demo office calls about every 2 s: frames of calls, marks and the flash.
    let mut herald = Herald::start(
        &dir,
        "costs",
        &[
            "--demo-every",
            "2",
            "--mute",
            "--lang",
            "sk",
            "--frame-costs",
        ],
        &[],
    );
    herald.wait_for("render_passes", 2, Duration::from_secs(90));
    herald.wait_for("call_animation", 4, Duration::from_secs(60));
    let reports: Vec<serde_json::Value> = herald
        .events("render_passes")
        .into_iter()
        .cloned()
        .collect();
    let animations: Vec<serde_json::Value> = herald
        .events("call_animation")
        .into_iter()
        .cloned()
        .collect();
    let stderr = herald.stop();
    for report in &reports {
        let passes = report["passes"].as_array().cloned().unwrap_or_default();
        let pass = |name: &str| passes.iter().find(|p| p["pass"] == name).cloned();
        let ui = pass("ui").unwrap_or_else(|| panic!("no ui pass in {report}\n{stderr}"));
        assert!(
            pass("upscaling").is_some(),
            "no copy to the window in {report}"
        );
        let shaded = ui["fragments"].as_f64().unwrap_or(0.0) / SCREEN_PIXELS;
        // The pop-in's frames draw only the call's line over the kept room (`layers`): with a
        // call every 2 s, about a third of the frames draw the room (1.1 screens each) and the
        // rest a tenth of the screen, 0.4-0.5 screens a frame. Drawing the whole room on every
        // frame, as before the layers, was 0.9-1.1.
        assert!(
            (0.1..0.75).contains(&shaded),
            "the screen's UI shades {shaded:.2} times the screen's pixels per frame \
             (budget 0.75 while calls come): {report}\n{stderr}"
        );
        assert!(
            ui["gpu_ms"].as_f64().unwrap_or(0.0) > 0.0,
            "the ui pass took no time: {report}"
        );
        let frames = report["frames"].as_u64().unwrap_or(0);
        let room = report["room_frames"].as_u64().unwrap_or(frames);
        assert!(
            room * 2 < frames,
            "{room} of {frames} frames drew the whole room: the pop-in's should not\n{stderr}"
        );
    }
    // A call's motion: frames while the hero scales in (as many as the machine manages), then
    // only the flashes' three switches and the frame that ends it. Drawing every tick through
    // the flashes took 38-50 more frames per call (2026-12-05, before the switches were planned).
    for animation in &animations {
        let frames = animation["frames"].as_u64().unwrap_or(0);
        let pop = animation["pop_frames"].as_u64().unwrap_or(0);
        assert!(
            frames >= pop + 3 && frames - pop <= 14,
            "a call's motion drew {frames} frames, {pop} of them the pop-in: the flashes need \
             4 more, not {}: {animation}\n{stderr}",
            frames.saturating_sub(pop)
        );
    }
    // On a software renderer the pop-in is paced at 36 frames a second (drawn as fast as it
    // could, a release build drew 40-50, each frame CPU the office pays for). A wake-up of its
    // own during a pop-in (the feed's next message) adds one frame: 15 frames in 0.36 s read as
    // 38-39 fps. The median call holds the pace.
    let mut paces: Vec<f64> = animations
        .iter()
        .filter_map(|a| a["fps"].as_f64())
        .collect();
    paces.sort_by(f64::total_cmp);
    let median = paces.get(paces.len() / 2).copied().unwrap_or(0.0);
    assert!(
        median > 0.0 && median <= 38.0,
        "the pop-ins ran at {paces:?} frames a second, not paced at 36\n{stderr}"
    );
    assert!(
        stderr.contains("the pop-in is drawn 36 times a second"),
        "lavapipe is a software renderer: the pop-in should be paced\n{stderr}"
    );
    // Frames that changed nothing on screen: 64 % of those drawn before the flashes were
    // planned, 25 % with them planned through winit's timer, 16 % with the alarm thread, 8-10 %
    // once the pop-in stopped where its growth stops showing; once the layers' own changes
    // count, 1 of 72 on a quiet machine (one wake-up left over from the start) and 9-10 of 160
    // beside `stress-ng --cpu 2` (late timers: a planned frame finds its change already drawn).
    let drawn: u64 = reports.iter().filter_map(|r| r["frames"].as_u64()).sum();
    let unchanged: u64 = reports.iter().filter_map(|r| r["unchanged"].as_u64()).sum();
    assert!(
        drawn > 0 && unchanged * 10 < drawn,
        "{unchanged} of {drawn} frames showed nothing new\n{stderr}"
    );
}

#[test]
fn a_still_screen_draws_each_pixel_about_once_per_change() {
    use herald_core::protocol::Call;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("frames");
    std::fs::create_dir_all(&dir).expect("test folder");
    let server = support::TestServer::start();
    // Two languages in turn (every 12 s): the only frames are the switches and the minute.
    let mut herald = Herald::start(
        &dir,
        "still",
        &[
            "--feed",
            &server.url(),
            "--mute",
            "--lang",
            "sk,uk",
            "--frame-costs",
        ],
        &[],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    server.call(Call::new(
        "c1",
        "A041",
        "3",
        chrono::Utc::now().to_rfc3339(),
    ));
    herald.wait_for("call_animation", 1, Duration::from_secs(30));
    // The first report counts the start and the call; the next ones only the still screen.
    herald.wait_for("render_passes", 3, Duration::from_secs(120));
    let reports: Vec<serde_json::Value> = herald
        .events("render_passes")
        .into_iter()
        .skip(1)
        .cloned()
        .collect();
    let stderr = herald.stop();
    for report in &reports {
        let frames = report["frames"].as_u64().unwrap_or(0);
        let passes = report["passes"].as_array().cloned().unwrap_or_default();
        let ui = passes
            .iter()
            .find(|p| p["pass"] == "ui")
            .unwrap_or_else(|| panic!("no ui pass in {report}\n{stderr}"));
        let shaded = ui["fragments"].as_f64().unwrap_or(0.0) / SCREEN_PIXELS;
        // A language switch changes every text: the room is drawn whole, once, with the call's
        // line over it, or copied back from the picture kept of it (then only the call's layer
        // is shaded, about 0.4 screens). Panels, texts and the mark over a cleared background
        // come to about 1.1 screens; a border drawn as one quad the size of a big panel, or a
        // full-screen node under everything, takes it past 1.3.
        assert!(
            (0.1..1.3).contains(&shaded),
            "a still screen's frame shades {shaded:.2} screens (budget 1.3): {report}\n{stderr}"
        );
        // A switch is one frame (two at most, when the minute turns beside it): a screen that
        // drew while nothing moved would count many more in 10 s.
        assert!(
            (1..=3).contains(&frames),
            "{frames} frames in a still screen's 10 s: {report}\n{stderr}"
        );
        assert_eq!(
            report["unchanged"], 0,
            "a still screen drew a frame that changed nothing: {report}"
        );
    }
    // Back in a language shown before, nothing else having changed, the room is not drawn again:
    // its kept picture is copied back (`layers/kept.rs`).
    let restored: u64 = reports
        .iter()
        .map(|r| r["room_restored"].as_u64().unwrap_or(0))
        .sum();
    assert!(
        restored > 0,
        "no language switch copied its room back from a kept picture: {reports:?}\n{stderr}"
    );
}
