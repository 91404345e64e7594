//! The queue feed against a real WebSocket server on loopback: every call the server sends
//! reaches the board exactly once, across kills, restarts, silence, gaps and garbage.

mod support;

use std::time::{Duration, Instant};

use herald_core::office::demo::DemoOptions;
use support::{Display, Outgoing, TestServer, ticket};

const PATIENCE: Duration = Duration::from_secs(20);

fn connected(display: &Display) -> bool {
    display.status.connected && display.board.last_seq().is_some()
}

#[test]
fn server_killed_mid_stream_and_restarted_loses_and_repeats_nothing() {
    let server = TestServer::start();
    let mut display = Display::connect(&server.url(), |_| {});
    assert!(display.pump_until(PATIENCE, connected), "never connected");

    server.calls(25);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() == 25));
    server.kill();
    assert!(
        display.pump_until(PATIENCE, |d| !d.disconnects.is_empty()),
        "the display did not notice the server went away"
    );
    // The office keeps calling while the network is down.
    server.calls(15);
    std::thread::sleep(Duration::from_millis(300));
    let restarted = Instant::now();
    server.restart();
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 40),
        "missed calls not replayed"
    );
    let reconnect = display.connects.last().map(|t| t.duration_since(restarted));
    server.calls(10);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() >= 50));
    display.pump_until(Duration::from_millis(300), |_| false);
    display.assert_each_call_once(50);
    eprintln!("reconnect after restart: {reconnect:?}");
}

#[test]
fn a_silent_server_is_detected_and_left() {
    let server = TestServer::start();
    let mut display = Display::connect(&server.url(), |c| {
        c.ping_every = Duration::from_millis(200);
        c.dead_after = Duration::from_millis(1_000);
    });
    assert!(display.pump_until(PATIENCE, connected));
    server.calls(3);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() == 3));

    server
        .silent
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let went_silent = Instant::now();
    assert!(
        display.pump_until(PATIENCE, |d| !d.disconnects.is_empty()),
        "a server that answers nothing was never declared dead"
    );
    let detected = display.disconnects[0].0.duration_since(went_silent);
    assert!(
        detected < Duration::from_millis(3_000),
        "took {detected:?} to notice a dead connection (bound: dead_after + one ping interval)"
    );
    assert!(
        display.disconnects[0].1.contains("no frame"),
        "{}",
        display.disconnects[0].1
    );

    // Calls made while the line was dead arrive after the display reconnects.
    server.calls(4);
    server
        .silent
        .store(false, std::sync::atomic::Ordering::Relaxed);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() >= 7));
    display.pump_until(Duration::from_millis(300), |_| false);
    display.assert_each_call_once(7);
    assert_eq!(
        display.board.calls().count(),
        7,
        "the board kept its state through the outage"
    );
}

#[test]
fn a_seq_gap_leads_to_a_snapshot_and_nothing_is_lost() {
    let server = TestServer::start();
    let mut display = Display::connect(&server.url(), |_| {});
    assert!(display.pump_until(PATIENCE, connected));
    server.calls(2);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() == 2));
    // Call 3 is recorded but never sent: the display sees seq 4 after seq 2.
    server.calls_with_gap(2);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() == 4),
        "gap never repaired: {:?}",
        display.called
    );
    assert!(display.status.gaps >= 1);
    server.calls(1);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() == 5));
    display.pump_until(Duration::from_millis(300), |_| false);
    display.assert_each_call_once(5);
    assert_eq!(display.board.last_seq(), Some(server.seq()));
}

#[test]
fn garbage_is_refused_one_by_one_and_the_connection_stays() {
    let server = TestServer::start();
    let mut display = Display::connect(&server.url(), |_| {});
    assert!(display.pump_until(PATIENCE, connected));
    server.calls(1);
    let long_ticket = serde_json::json!({
        "v": 1, "type": "call", "seq": 99,
        "call": {"id": "x", "ticket": "A".repeat(10_000), "counter": {"id": "1", "label": "1"}, "at": "2026-11-22T09:00:00Z"}
    });
    let bidi = serde_json::json!({
        "v": 1, "type": "notice", "seq": 99,
        "notice": {"id": "n", "text": {"sk": "Pozor \u{202E}ecivres"}}
    });
    let garbage = [
        Outgoing::Text("{this is not json".into()),
        Outgoing::Binary(vec![0, 159, 146, 150]),
        Outgoing::Text(r#"{"v":1,"type":"teleport","seq":2}"#.into()),
        Outgoing::Text(r#"{"v":9,"type":"keepalive","seq":2}"#.into()),
        Outgoing::Text(r#"{"v":1,"type":"counter","seq":2}"#.into()),
        Outgoing::Text(r#"{"v":1,"type":"keepalive","seq":-4}"#.into()),
        Outgoing::Text(format!(
            r#"{{"v":1,"type":"keepalive","seq":1,"x":"{}"}}"#,
            "y".repeat(70_000)
        )),
        Outgoing::Text(long_ticket.to_string()),
        Outgoing::Text(bidi.to_string()),
    ];
    for frame in garbage {
        server.raw(frame);
    }
    server.calls(1);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() == 2 && d.rejections.len() == 9));
    let mut kinds = display.rejections.clone();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "bad_value",
            "binary",
            "malformed",
            "too_large",
            "unknown_type",
            "wrong_version"
        ]
    );
    assert!(
        display.disconnects.is_empty(),
        "garbage must not cost the connection"
    );
    assert_eq!(display.status.rejected, 9);
    // The preview panel lists the last ten with their reasons.
    assert_eq!(display.status.rejections.len(), 9);
    assert!(
        display
            .status
            .rejections
            .iter()
            .all(|(at, reason)| at.len() == 8 && !reason.is_empty()),
        "{:?}",
        display.status.rejections
    );
    display.assert_each_call_once(2);
    let tickets: Vec<_> = display
        .board
        .calls()
        .map(|e| e.call.ticket.clone())
        .collect();
    assert_eq!(tickets, [ticket(2), ticket(1)], "garbage changed the board");
}

#[test]
fn ten_thousand_events_in_one_go_are_all_applied() {
    let server = TestServer::start();
    let mut display = Display::connect(&server.url(), |_| {});
    assert!(display.pump_until(PATIENCE, connected));
    server.calls(10_000);
    assert!(
        display.pump_until(Duration::from_secs(60), |d| d.called.len() >= 10_000),
        "only {} of 10000 arrived",
        display.called.len()
    );
    display.assert_each_call_once(10_000);
    assert_eq!(display.board.last_seq(), Some(10_000));
    let mut latencies = display.latencies.clone();
    latencies.sort();
    eprintln!(
        "frame receipt → board: median {:?}, p99 {:?} (burst, includes queueing)",
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100]
    );
}

#[test]
fn the_demo_office_speaks_protocol_v1_to_the_real_client() {
    let office = herald_core::office::loopback::spawn_demo(DemoOptions {
        first_call_after: Duration::from_millis(100),
        interval: (Duration::from_millis(100), Duration::from_millis(200)),
    })
    .expect("demo office");
    let mut display = Display::connect(&office.feed_url(), |_| {});
    assert!(display.pump_until(PATIENCE, connected));
    assert_eq!(
        display.board.counters().len(),
        7,
        "the demo office has seven counters"
    );
    assert!(
        display.board.calls().count() >= 3,
        "the demo starts with some history"
    );
    assert!(
        !display.board.notices().is_empty(),
        "the demo posts a notice"
    );
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 3),
        "the demo office never called anyone"
    );
    assert!(
        display.rejections.is_empty(),
        "the demo sent frames the client refused: {:?}",
        display.rejections
    );
    let services = display
        .board
        .current()
        .map(|e| e.call.service.clone())
        .unwrap_or_default();
    for lang in ["sk", "uk", "bg", "mk", "en"] {
        assert!(
            services.contains_key(lang),
            "service name missing in {lang}"
        );
    }
}
