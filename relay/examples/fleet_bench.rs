//! `cargo build --release -p herald-relay --bins --examples &&
//!  target/release/examples/fleet_bench [SUBSCRIBERS] [CALLS]`
//!
//! One relay (the real `herald-relay` binary, its log on disk), one broker (Debian's
//! `nats-server -js`, its store on disk), SUBSCRIBERS (500) displays' worth of NATS connections,
//! each following the office with an ordered consumer as `herald --nats` does, all on this
//! machine. CALLS (200) webhooks are posted one at a time; for each, the time from the post to
//! every subscriber having the frame. Prints p50/p99 of that, and the broker's and the relay's
//! CPU time and memory over the run, and the broker's cost with every subscriber idle. The
//! subscribers run on this machine too, so the three share its two cores.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;
use herald_wire::fleet::{self, Auth, Broker};

const OFFICE: &str = "sk.bench";

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// CPU seconds (user + system) and resident memory now and at peak, from /proc.
fn usage(pid: u32) -> (f64, u64, u64) {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.to_owned();
            let fields: Vec<&str> = after.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Linux reports CPU time in clock ticks of 1/100 s.
    (ticks as f64 / 100.0, kb("VmRSS:"), kb("VmHWM:"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn relay_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("this program's path");
    let dir = exe.parent().and_then(Path::parent).expect("target folder");
    let binary = dir.join("herald-relay");
    assert!(
        binary.exists(),
        "{} is missing: build it first with `cargo build --release -p herald-relay --bins --examples`",
        binary.display()
    );
    binary
}

fn main() {
    let mut args = std::env::args().skip(1);
    let subscribers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let calls: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("herald-fleet-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");

    let nats_port = free_port();
    let nats = Killed(
        Command::new(if Path::new("/usr/sbin/nats-server").exists() {
            "/usr/sbin/nats-server"
        } else {
            "nats-server"
        })
        .args([
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            &nats_port.to_string(),
            "-sd",
        ])
        .arg(dir.join("nats"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server (Debian package nats-server)"),
    );
    let url = format!("nats://127.0.0.1:{nats_port}");
    while std::net::TcpStream::connect(("127.0.0.1", nats_port)).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(
        dir.join("site.toml"),
        format!("listen = \"127.0.0.1:0\"\ndatabase = \"relay.db\"\n[[office]]\nid = \"{OFFICE}\"\n[nats]\nurl = \"{url}\"\n"),
    )
    .expect("site file");
    let mut relay = Command::new(relay_binary())
        .arg("--site")
        .arg(dir.join("site.toml"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("herald-relay starts");
    let stderr = relay.stderr.take().expect("stderr");
    let relay_pid = relay.id();
    let relay = Killed(relay);
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines
            .next()
            .and_then(Result::ok)
            .expect("the relay's first lines");
        if let Some(address) = line.strip_prefix("herald-relay: listening on ") {
            break address.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let events_url = format!("http://{address}/v1/offices/{OFFICE}/events");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // The streams exist once the relay has published the office's first snapshot.
        let broker = Broker { url: url.clone(), auth: Auth::None, ca_file: None };
        let probe = fleet::connect(&broker, "bench-probe", Duration::from_secs(10)).await.expect("connect");
        let js = jetstream::new(probe);
        while js.get_stream(fleet::EVENTS_STREAM).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let seen: Arc<Mutex<HashMap<u64, Vec<Instant>>>> = Arc::new(Mutex::new(HashMap::new()));
        let ready = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        for n in 0..subscribers {
            let broker = broker.clone();
            let seen = seen.clone();
            let ready = ready.clone();
            tokio::spawn(async move {
                let Ok(client) = fleet::connect(&broker, &format!("display-{n}"), Duration::from_secs(30)).await else { return };
                let js = jetstream::new(client);
                let Ok(stream) = js.get_stream(fleet::EVENTS_STREAM).await else { return };
                let Ok(consumer) = stream
                    .create_consumer(consumer::pull::OrderedConfig {
                        filter_subject: fleet::events_subject(OFFICE),
                        deliver_policy: consumer::DeliverPolicy::New,
                        ..Default::default()
                    })
                    .await
                else {
                    return;
                };
                let Ok(mut messages) = consumer.messages().await else { return };
                ready.fetch_add(1, Ordering::Relaxed);
                while let Some(Ok(message)) = messages.next().await {
                    let at = Instant::now();
                    if let Some(seq) = std::str::from_utf8(&message.payload).ok().and_then(|t| herald_core::protocol::decode(t).ok()).map(|m| m.seq())
                        && let Ok(mut seen) = seen.lock()
                    {
                        seen.entry(seq).or_default().push(at);
                    }
                }
            });
        }
        while ready.load(Ordering::Relaxed) < subscribers {
            assert!(started.elapsed() < Duration::from_secs(120), "only {} subscribers started", ready.load(Ordering::Relaxed));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let setup = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        // What 500 idle followers cost the broker (ordered consumers' heartbeats) when no call
        // comes, as in a quiet hour.
        let idle = Duration::from_secs(10);
        let (nats_idle0, _, _) = usage(nats.0.id());
        tokio::time::sleep(idle).await;
        let (nats_idle1, nats_idle_rss, _) = usage(nats.0.id());
        let (nats_cpu0, _, _) = usage(nats.0.id());
        let (relay_cpu0, _, _) = usage(relay_pid);
        let run_start = Instant::now();
        let mut each = Vec::new();
        let mut all = Vec::new();
        let mut missing = 0usize;
        for n in 0..calls {
            let body = format!(r#"{{"type":"call","call_id":"f{n}","ticket":"A{:03}","counter":"{}"}}"#, n % 1000, n % 12 + 1);
            let start = Instant::now();
            let answer = herald_relay::client::post_json(&events_url, None, None, &body).await.expect("post");
            let seq = serde_json::from_slice::<serde_json::Value>(&answer.body).ok().and_then(|v| v["seq"][0].as_u64()).expect("seq");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let have = seen.lock().map_or(0, |s| s.get(&seq).map_or(0, Vec::len));
                if have >= subscribers || Instant::now() > deadline {
                    missing += subscribers.saturating_sub(have);
                    break;
                }
                tokio::time::sleep(Duration::from_micros(500)).await;
            }
            if let Ok(seen) = seen.lock()
                && let Some(times) = seen.get(&seq)
            {
                each.extend(times.iter().map(|t| t.duration_since(start)));
                if let Some(last) = times.iter().max() {
                    all.push(last.duration_since(start));
                }
            }
        }
        let elapsed = run_start.elapsed();
        let (nats_cpu1, nats_rss, nats_peak) = usage(nats.0.id());
        let (relay_cpu1, relay_rss, relay_peak) = usage(relay_pid);
        each.sort();
        all.sort();
        println!("herald fleet bench: 1 herald-relay (SQLite log on disk) → 1 nats-server 2.9.10 (JetStream, file store) → {subscribers} subscribers (one NATS connection and ordered consumer each), all on this machine");
        println!("subscribers connected and following in {:.1} s", setup.as_secs_f64());
        println!(
            "idle for {} s with every subscriber following: nats-server CPU {:.0} % of one core, RSS {} MB",
            idle.as_secs(),
            (nats_idle1 - nats_idle0) / idle.as_secs_f64() * 100.0,
            nats_idle_rss / 1024
        );
        println!(
            "post → one subscriber has the frame ({} samples): p50 {}, p99 {}",
            each.len(),
            ms(percentile(&each, 0.5)),
            ms(percentile(&each, 0.99))
        );
        println!(
            "post → all {subscribers} have it ({calls} calls, one at a time): p50 {}, p99 {}, max {}; frames missing after 10 s: {missing}",
            ms(percentile(&all, 0.5)),
            ms(percentile(&all, 0.99)),
            ms(all.last().copied().unwrap_or_default())
        );
        println!(
            "over the {:.1} s of calls: nats-server CPU {:.2} s ({:.0} % of one core), RSS {} MB (peak {} MB); herald-relay CPU {:.2} s ({:.0} %), RSS {} MB (peak {} MB)",
            elapsed.as_secs_f64(),
            nats_cpu1 - nats_cpu0,
            (nats_cpu1 - nats_cpu0) / elapsed.as_secs_f64() * 100.0,
            nats_rss / 1024,
            nats_peak / 1024,
            relay_cpu1 - relay_cpu0,
            (relay_cpu1 - relay_cpu0) / elapsed.as_secs_f64() * 100.0,
            relay_rss / 1024,
            relay_peak / 1024
        );
    });
    drop(relay);
    drop(nats);
    let _ = std::fs::remove_dir_all(&dir);
}
