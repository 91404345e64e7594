//! The status endpoints of a running herald: `/metrics` counts move as calls arrive,
//! `/healthz` turns 503 once the feed has been gone past the limit, `/screenshot.png` is a real
//! PNG of the screen, and a token, when set, is required.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::http::{free_port, get};
use support::{Herald, TestServer};

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[test]
fn metrics_move_healthz_fails_when_the_feed_is_gone_and_the_screenshot_is_the_screen() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("status");
    std::fs::create_dir_all(&dir).expect("folder");
    let token_file = dir.join("status-token");
    std::fs::write(&token_file, "it-office-7\n").expect("token file");
    let port = free_port();
    let server = TestServer::start();
    let url = server.url();
    let status = format!("127.0.0.1:{port}");
    let token_arg = token_file.to_string_lossy().into_owned();
    let mut herald = Herald::start(
        &dir,
        "status",
        &[
            "--feed",
            &url,
            "--mute",
            "--status",
            &status,
            "--status-token-file",
            &token_arg,
            "--lost-limit",
            "2",
        ],
        &[],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    let token = Some("it-office-7");
    assert_eq!(get(port, "/metrics", None).0, 401, "the token is required");

    let (code, body) = get(port, "/metrics", token);
    assert_eq!(code, 200);
    let before = metric(
        &String::from_utf8_lossy(&body),
        "herald_frames_applied_total",
    );
    server.calls(3);
    herald.wait_for("call_shown", 3, Duration::from_secs(60));
    let text = String::from_utf8_lossy(&get(port, "/metrics", token).1).into_owned();
    assert!(
        metric(&text, "herald_frames_applied_total") >= before + 3.0,
        "frames applied did not move:\n{text}"
    );
    assert!(metric(&text, "herald_calls_shown_total") >= 3.0, "{text}");
    assert_eq!(metric(&text, "herald_feed_connected"), 1.0);
    assert!(metric(&text, "herald_resident_memory_bytes") > 1e6);

    let (code, body) = get(port, "/healthz", token);
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));

    let (code, png) = get(port, "/screenshot.png", token);
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&png));
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().expect("a real PNG");
    assert_eq!((reader.info().width, reader.info().height), (1280, 720));

    // The queue system goes away: healthy until the 2 s limit, then 503 with the reason.
    server.kill();
    herald.wait_for("disconnected", 1, Duration::from_secs(60));
    let end = Instant::now() + Duration::from_secs(30);
    let (code, body) = loop {
        let (code, body) = get(port, "/healthz", token);
        if code != 200 || Instant::now() > end {
            break (code, body);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    herald.stop();
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("queue feed has been lost"), "{body}");
}

#[test]
fn a_display_whose_clock_is_ten_minutes_ahead_still_shows_every_call_and_says_so() {
    use herald_core::protocol::{Call, ServerMessage, VERSION};
    use support::Outgoing;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("status-clock");
    std::fs::create_dir_all(&dir).expect("folder");
    let port = free_port();
    let server = TestServer::start();
    let url = server.url();
    let status = format!("127.0.0.1:{port}");
    let mut herald = Herald::start(
        &dir,
        "clock",
        &["--feed", &url, "--mute", "--status", &status],
        &[],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    // The queue system's clock is ten minutes behind this display's: so are its calls' `at`.
    let office_now = || chrono::Utc::now() - chrono::Duration::minutes(10);
    server.calls(1);
    herald.wait_for("call_shown", 1, Duration::from_secs(60));
    let before = metric(
        &String::from_utf8_lossy(&get(port, "/metrics", None).1),
        "herald_frames_applied_total",
    );
    let keepalive = |seq: u64, now: chrono::DateTime<chrono::Utc>| {
        Outgoing::Text(
            serde_json::to_string(&ServerMessage::Keepalive {
                v: VERSION,
                seq,
                now: Some(now.to_rfc3339()),
                report: None,
            })
            .expect("json"),
        )
    };
    server.raw(keepalive(server.seq(), office_now()));
    herald.wait_for("clock_offset", 1, Duration::from_secs(60));
    let offset = herald.events("clock_offset")[0]["offset_s"]
        .as_f64()
        .unwrap_or_default();
    assert!((-605.0..-595.0).contains(&offset), "offset {offset}");
    let at = office_now().to_rfc3339();
    server.call(Call::new("call-clock", "C100", "4", at));
    // The call stamped 10 minutes "ago" by this display's clock is fresh by the office's.
    herald.wait_for("call_shown", 2, Duration::from_secs(60));
    assert_eq!(herald.tickets("call_shown")[1], "C100");
    assert!(herald.events("call_skipped").is_empty());
    // Keepalives are not board changes. The last one moves the clock by 5 s, so its
    // `clock_offset` line shows that the ones before it were taken.
    for _ in 0..3 {
        server.raw(keepalive(server.seq(), office_now()));
    }
    server.raw(keepalive(
        server.seq(),
        office_now() + chrono::Duration::seconds(5),
    ));
    herald.wait_for("clock_offset", 2, Duration::from_secs(60));
    let (code, body) = get(port, "/healthz", None);
    let health: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let text = String::from_utf8_lossy(&get(port, "/metrics", None).1).into_owned();
    herald.stop();
    assert_eq!(code, 200, "{health}");
    let reported = health["clock_offset_seconds"].as_f64().unwrap_or_default();
    assert!((-600.0..-590.0).contains(&reported), "{health}");
    let gauge = metric(&text, "herald_clock_offset_seconds");
    assert!((-600.0..-590.0).contains(&gauge), "{text}");
    assert_eq!(
        metric(&text, "herald_frames_applied_total"),
        before + 1.0,
        "keepalives counted as board changes:\n{text}"
    );
}

#[test]
fn a_still_screen_answers_fifty_screenshot_requests_at_once() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("status-shots");
    std::fs::create_dir_all(&dir).expect("folder");
    let port = free_port();
    let server = TestServer::start();
    let url = server.url();
    let status = format!("127.0.0.1:{port}");
    let mut herald = Herald::start(
        &dir,
        "shots",
        &["--feed", &url, "--mute", "--status", &status],
        &[],
    );
    herald.wait_for("connected", 1, Duration::from_secs(60));
    // A still screen: nothing happens, so it sleeps (it draws once a minute for the clock).
    // The pause sets the scene; nothing here waits for it to end.
    std::thread::sleep(Duration::from_secs(5));
    for round in ["first burst on a sleeping screen", "second burst"] {
        let asked = Instant::now();
        let answers: Vec<(u16, Vec<u8>)> = std::thread::scope(|scope| {
            let askers: Vec<_> = (0..50)
                .map(|_| scope.spawn(move || get(port, "/screenshot.png", None)))
                .collect();
            askers
                .into_iter()
                .map(|a| a.join().expect("asker"))
                .collect()
        });
        let took = asked.elapsed();
        let failed: Vec<String> = answers
            .iter()
            .filter(|(code, _)| *code != 200)
            .map(|(code, body)| format!("{code} {}", String::from_utf8_lossy(body)))
            .collect();
        assert!(failed.is_empty(), "{round}: {failed:?}");
        for (_, png) in &answers {
            let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
            let reader = decoder.read_info().expect("a real PNG");
            assert_eq!((reader.info().width, reader.info().height), (1280, 720));
        }
        eprintln!("{round}: 50 screenshots in {took:?}");
    }
    herald.stop();
}

#[test]
fn a_status_port_already_taken_stops_herald_at_start_with_the_reason() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("status-taken");
    std::fs::create_dir_all(&dir).expect("folder");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let status = taken.local_addr().expect("address").to_string();
    let herald = Herald::start(&dir, "taken", &["--mute", "--status", &status], &[]);
    let (exit, stderr) = herald.ended(Duration::from_secs(120));
    assert!(
        !exit.success(),
        "herald ran on without its status endpoints"
    );
    assert!(
        stderr.contains(&format!("cannot listen on {status}")),
        "{stderr}"
    );
}
