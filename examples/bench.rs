//! Speed report for the queue path, printed as JSON (no pass/fail: numbers to compare over time).
//!
//! `cargo run --example bench` (dev profile, shares the test build). Measures:
//! - board: frames applied per second (pure Rust, no I/O);
//! - feed: time from a frame's arrival on the socket to the board having applied it, over a real
//!   WebSocket on loopback, for calls sent one at a time and in a 10,000-call burst;
//! - reconnect: time from a killed server's restart to the display being connected again.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use herald_core::board::Board;
use herald_core::protocol::{Call, ServerMessage, State, VERSION};

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn board_throughput() -> f64 {
    let frames: Vec<ServerMessage> = (1..=100_000u64)
        .map(|seq| ServerMessage::Call {
            v: VERSION,
            seq,
            call: Call::new(
                format!("c{seq}"),
                format!("A{:03}", seq % 1000),
                "1",
                "2026-11-22T09:00:00Z",
            ),
        })
        .collect();
    let mut board = Board::new();
    board.apply(&ServerMessage::Snapshot {
        v: VERSION,
        seq: 0,
        state: State::default(),
    });
    let start = Instant::now();
    for frame in &frames {
        board.apply(frame);
    }
    frames.len() as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let server = support::TestServer::start();
    let mut display = support::Display::connect(&server.url(), |_| {});
    display.pump_until(Duration::from_secs(10), |d| d.board.last_seq().is_some());

    // One call at a time, like an office.
    for n in 1..=200 {
        server.calls(1);
        display.pump_until(Duration::from_secs(5), |d| d.called.len() >= n);
    }
    let mut single = display.latencies.split_off(1);
    display.latencies.clear();

    server.calls(10_000);
    let burst_start = Instant::now();
    display.pump_until(Duration::from_secs(60), |d| d.called.len() >= 10_200);
    let burst_secs = burst_start.elapsed().as_secs_f64();
    let mut burst = std::mem::take(&mut display.latencies);

    server.kill();
    display.pump_until(Duration::from_secs(10), |d| !d.disconnects.is_empty());
    std::thread::sleep(Duration::from_millis(500));
    let restarted = Instant::now();
    server.restart();
    let before = display.connects.len();
    display.pump_until(Duration::from_secs(30), |d| d.connects.len() > before);
    let reconnect_ms = display.connects.last().map_or(f64::NAN, |t| {
        t.duration_since(restarted).as_secs_f64() * 1000.0
    });

    let report = serde_json::json!({
        "board_frames_per_second": board_throughput().round(),
        "feed_single_call_ms": { "median": percentile(&mut single, 0.5), "p99": percentile(&mut single, 0.99) },
        "feed_burst_10000": {
            "seconds": burst_secs,
            "all_arrived": display.called.len() >= 10_200,
            "median_ms": percentile(&mut burst, 0.5),
            "p99_ms": percentile(&mut burst, 0.99),
        },
        "reconnect_after_restart_ms": reconnect_ms,
        "note": "the test display polls its channel every 5 ms, so single-call latency includes up to 5 ms of polling; herald itself is woken by the feed thread",
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
}
