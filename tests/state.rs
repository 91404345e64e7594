//! Remembered state with the real binary: herald killed with SIGKILL in the middle of a day
//! and started again shows the same calls before the queue system answers, announces none of
//! them again, and loses none (the call made while it was down arrives and is announced).

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::{Herald, TestServer, ticket};

#[test]
fn killed_and_started_again_it_shows_the_same_calls_and_announces_none_twice() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("state");
    let _ = std::fs::remove_dir_all(&dir);
    let state = dir.join("state");
    std::fs::create_dir_all(&state).expect("state folder");
    let state_arg = state.to_string_lossy().into_owned();
    let server = TestServer::start();
    let url = server.url();
    let args = ["--feed", &url, "--lang", "sk", "--state-dir", &state_arg];

    let mut first = Herald::start(&dir, "before", &args, &[]);
    first.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    server.calls(3);
    first.wait_for("announcement_started", 3, Duration::from_secs(60));
    // Wait until the third call is remembered (written within about a second).
    let file = state.join("board.json");
    let end = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains(&ticket(3))) {
        assert!(
            Instant::now() < end,
            "the board was never written to {}",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill_hard();

    // A call made while the display is down; then the queue system becomes unreachable too.
    server.calls(1);
    server.kill();
    let mut second = Herald::start(&dir, "after", &args, &[]);
    second.wait_for("state_restored", 1, Duration::from_secs(60));
    // The remembered board is on screen while nothing answers: its newest call on the hero,
    // not as news.
    second.wait_for("call_shown", 1, Duration::from_secs(60));
    let restored = second.events("state_restored")[0].clone();
    assert_eq!(restored["calls"], 3, "{restored}");
    let shown = second.events("call_shown")[0].clone();
    assert_eq!(shown["ticket"], ticket(3), "{shown}");
    assert_eq!(shown["fresh"], false, "restored calls are not new: {shown}");
    assert!(second.events("connected").is_empty());
    // The queue system is back: the display resumes after seq 3 and gets the missed call.
    server.restart();
    second.wait_for("connected", 1, Duration::from_secs(60));
    second.wait_for("announcement_started", 1, Duration::from_secs(60));
    // Give a repeated announcement time to show up, then check there was none.
    std::thread::sleep(Duration::from_secs(3));
    second.wait_for("announcement_started", 1, Duration::from_secs(1));
    let announced = second.tickets("announcement_started");
    let stderr = second.stop();
    assert_eq!(
        announced,
        [ticket(4)],
        "after the restart only the call made while it was down is announced\n{stderr}"
    );
}

#[test]
fn a_call_announced_the_moment_before_a_crash_is_not_announced_again() {
    use herald_core::protocol::{Counter, CounterState, ServerMessage, VERSION};
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("state-crash");
    let _ = std::fs::remove_dir_all(&dir);
    let state = dir.join("state");
    std::fs::create_dir_all(&state).expect("state folder");
    let state_arg = state.to_string_lossy().into_owned();
    let server = TestServer::start();
    let url = server.url();
    let args = ["--feed", &url, "--lang", "sk", "--state-dir", &state_arg];

    let mut first = Herald::start(&dir, "before", &args, &[]);
    first.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    // A counter opens (the board is written, and the writer rests for a second), and a call
    // follows at once: it reaches the loudspeaker inside the writer's rest.
    server.send(|seq| ServerMessage::Counter {
        v: VERSION,
        seq,
        counter: Counter {
            id: "7".into(),
            label: "7".into(),
            state: CounterState::Open,
            floor: None,
        },
    });
    server.calls(1);
    first.wait_for("announcement_started", 1, Duration::from_secs(60));
    // The power goes the moment the announcement begins.
    first.kill_hard();

    let mut second = Herald::start(&dir, "after", &args, &[]);
    second.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_displays(2, Duration::from_secs(60));
    // A call made after the restart is the marker: everything replayed came before it.
    server.calls(1);
    second.wait_for("announcement_started", 1, Duration::from_secs(60));
    let announced = second.tickets("announcement_started");
    let stderr = second.stop();
    assert_eq!(
        announced,
        [ticket(2)],
        "the call announced before the crash was announced again\n{stderr}"
    );
}
