//! `cargo run --release -p herald-relay --example relay_bench [DISPLAYS] [SECONDS]`
//!
//! The relay as an office would load it, on this machine: a SQLite log on disk (WAL, one fsync
//! per accepted post), DISPLAYS (20) connected over WebSocket on loopback, webhooks posted over
//! HTTP (a new connection each, as most senders do). Prints:
//! - webhook → display frame latency (post sent → frame read by each display), p50/p99/max,
//!   one post at a time;
//! - sustained accepted events per second with 8 senders posting as fast as they can for
//!   SECONDS (10), and whether every display got every event.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use herald_core::protocol::{self, ClientMessage, VERSION};
use herald_relay::client;
use herald_relay::running::{self, Extras};
use herald_relay::site::{OfficeSite, Site};
use herald_relay::store::Store;
use tokio_tungstenite::tungstenite::Message;

type Seen = Arc<Mutex<HashMap<u64, Vec<Instant>>>>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn display(address: std::net::SocketAddr, seen: Seen, frames: Arc<AtomicU64>) {
    let url = format!("ws://{address}/v1/offices/bench/feed");
    let Ok(tcp) = tokio::net::TcpStream::connect(address).await else {
        return;
    };
    let _ = tcp.set_nodelay(true);
    let Ok((mut socket, _)) = tokio_tungstenite::client_async(url, tcp).await else {
        return;
    };
    let hello = ClientMessage::Hello {
        v: VERSION,
        display: "bench".into(),
        token: None,
        last_seq: None,
    };
    if socket
        .send(Message::text(protocol::encode_client(&hello)))
        .await
        .is_err()
    {
        return;
    }
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let now = Instant::now();
        if let Ok(frame) = protocol::decode(text.as_str())
            && !matches!(
                frame,
                protocol::ServerMessage::Keepalive { .. }
                    | protocol::ServerMessage::Snapshot { .. }
            )
        {
            frames.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut seen) = seen.lock() {
                seen.entry(frame.seq()).or_default().push(now);
            }
        }
    }
}

fn body(n: u64) -> String {
    format!(
        r#"{{"type":"call","call_id":"b{n}","ticket":"A{:03}","counter":"{}","service":"Miestne dane"}}"#,
        n % 1000,
        n % 12 + 1
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let displays: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("herald-relay-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let database = dir.join("relay.db");
    let site = Site::single(
        OfficeSite::open("bench", "sk"),
        "127.0.0.1:0",
        database.clone(),
    );
    let store = Store::open(&database).expect("log");
    let relay = running::spawn(site, store, None, Extras::default()).expect("relay");
    let events_url = relay.url("/v1/offices/bench/events");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let seen: Seen = Arc::new(Mutex::new(HashMap::new()));
    let frames = Arc::new(AtomicU64::new(0));
    runtime.block_on(async {
        for _ in 0..displays {
            tokio::spawn(display(relay.address, seen.clone(), frames.clone()));
        }
        while relay.relay.displays("bench") < displays {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Let every display get its snapshot before the clock starts.
        tokio::time::sleep(Duration::from_millis(300)).await;

        // 1. Latency, one post at a time.
        let rounds = 300u64;
        let mut latencies = Vec::new();
        let mut answers = Vec::new();
        let mut sent = HashMap::new();
        for n in 0..rounds {
            let start = Instant::now();
            let answer = client::post_json(&events_url, None, None, &body(n)).await.expect("post");
            answers.push(start.elapsed());
            let seq: serde_json::Value = serde_json::from_slice(&answer.body).expect("json");
            let seq = seq["seq"][0].as_u64().expect("seq");
            sent.insert(seq, start);
            // Wait until every display has it, so posts do not overlap.
            let deadline = Instant::now() + Duration::from_secs(5);
            while seen.lock().map_or(0, |s| s.get(&seq).map_or(0, Vec::len)) < displays && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        }
        if let Ok(seen) = seen.lock() {
            for (seq, start) in &sent {
                for at in seen.get(seq).into_iter().flatten() {
                    latencies.push(at.duration_since(*start));
                }
            }
        }
        latencies.sort();
        answers.sort();
        let frames_before = frames.load(Ordering::Relaxed);

        // 2. Throughput: 8 senders as fast as they can.
        let accepted = Arc::new(AtomicU64::new(0));
        let until = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let mut senders = Vec::new();
        for sender in 0..8u64 {
            let url = events_url.clone();
            let accepted = accepted.clone();
            senders.push(tokio::spawn(async move {
                let mut n = 1_000_000 * (sender + 1);
                while Instant::now() < until {
                    n += 1;
                    if let Ok(answer) = client::post_json(&url, None, None, &body(n)).await
                        && answer.status == 202
                    {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        for sender in senders {
            let _ = sender.await;
        }
        let elapsed = start.elapsed();
        let accepted = accepted.load(Ordering::Relaxed);
        // Every display must get every event.
        let expected = frames_before + accepted * displays as u64;
        let deadline = Instant::now() + Duration::from_secs(10);
        while frames.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let delivered = frames.load(Ordering::Relaxed) - frames_before;
        println!("herald-relay bench: {displays} displays on loopback, SQLite log on disk (WAL, synchronous=FULL), 2 relay worker threads");
        println!(
            "webhook → display frame ({} posts × {displays} displays = {} frames): p50 {}, p99 {}, max {}",
            rounds,
            latencies.len(),
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            ms(latencies.last().copied().unwrap_or_default())
        );
        println!(
            "webhook answer (202 after the commit): p50 {}, p99 {}",
            ms(percentile(&answers, 0.5)),
            ms(percentile(&answers, 0.99))
        );
        println!(
            "sustained: {accepted} events accepted in {:.1} s by 8 senders = {:.0} events/s; {delivered} of {} frames reached the {displays} displays",
            elapsed.as_secs_f64(),
            accepted as f64 / elapsed.as_secs_f64(),
            accepted * displays as u64
        );
    });
    drop(relay);
    let _ = std::fs::remove_dir_all(&dir);
}
