//! `cargo run --release -p herald-relay --example phone_bench [FOLLOWERS] [CALLS]`
//!
//! Visitors' phones following one office: FOLLOWERS (2,000) server-sent-event streams of
//! `/o/bench/events` held open on loopback against a relay in a process of its own (this
//! program started again as `phone_bench relay`), then CALLS (100) calls posted by webhook,
//! one every 100 ms. Prints, as a report: post → every follower has the call (p50, p99, max
//! over every follower and call), followers that missed a call, and the relay process's CPU
//! time and memory (RSS) while they follow, from /proc.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// CPU seconds (user + system) and resident memory of `pid`, from /proc.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (cpu, rss)
}

/// The relay alone: a demo-less office "bench", on a port it prints, until killed.
fn serve() {
    use herald_relay::running::{self, Extras};
    use herald_relay::site::{OfficeSite, Site};
    use herald_relay::store::Store;
    let dir = std::env::temp_dir().join(format!("herald-phone-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let site = Site::single(
        OfficeSite::open("bench", "sk"),
        "127.0.0.1:0",
        dir.join("relay.db"),
    );
    let relay = match Store::open(&site.database)
        .map_err(|e| e.to_string())
        .and_then(|store| running::spawn(site, store, None, Extras::default()))
    {
        Ok(relay) => relay,
        Err(e) => {
            eprintln!("the relay did not start: {e}");
            std::process::exit(1);
        }
    };
    println!("{}", relay.url(""));
    relay.wait();
}

/// One phone: reads `state` events and notes when each call (by ticket) first appears.
async fn follower(
    address: String,
    seen: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
    ready: Arc<std::sync::atomic::AtomicUsize>,
) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
        return false;
    };
    let request = format!(
        "GET /o/bench/events?lang=sk HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut lines = tokio::io::BufReader::new(stream).lines();
    let mut known: Vec<String> = Vec::new();
    let mut first = true;
    while let Ok(Some(line)) = lines.next_line().await {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        let Ok(state) = serde_json::from_str::<serde_json::Value>(data) else {
            continue;
        };
        let at = Instant::now();
        if std::mem::take(&mut first) {
            ready.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        for call in state["now"].as_array().into_iter().flatten() {
            let Some(ticket) = call["ticket"].as_str() else {
                continue;
            };
            if !known.iter().any(|k| k == ticket) {
                known.push(ticket.to_owned());
                if let Ok(mut seen) = seen.lock() {
                    seen.entry(ticket.to_owned()).or_default().push(at);
                }
            }
        }
    }
    true
}

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("relay") {
        serve();
        return;
    }
    let followers: usize = first.and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this program to start the relay");
        return;
    };
    let mut child = match std::process::Command::new(me)
        .arg("relay")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot start the relay: {e}");
            return;
        }
    };
    let pid = child.id();
    let mut url = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut url);
    }
    let base = url.trim().trim_end_matches('/').to_owned();
    let address = base.trim_start_matches("http://").to_owned();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return;
        }
    };
    let seen: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
    runtime.block_on(async {
        let started = Instant::now();
        let ready = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..followers {
            tasks.push(tokio::spawn(follower(address.clone(), seen.clone(), ready.clone())));
        }
        // Every follower has its first state (the connect) before the calls start.
        let end = Instant::now() + Duration::from_secs(60);
        while ready.load(std::sync::atomic::Ordering::SeqCst) < followers && Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let connected = ready.load(std::sync::atomic::Ordering::SeqCst);
        let took = started.elapsed();
        let (cpu_idle_start, _) = usage(pid);
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (cpu_before, rss_before) = usage(pid);
        println!(
            "{connected} of {followers} followers had the board {:.2} s after they started; the relay at rest with them: {:.2} CPU-s over 3 s, RSS {} MiB",
            took.as_secs_f64(),
            cpu_before - cpu_idle_start,
            rss_before / 1024
        );
        let mut posted: Vec<(String, Instant)> = Vec::new();
        let load = Instant::now();
        for n in 0..calls {
            let ticket = format!("A{n:03}");
            let body = format!(
                r#"{{"type":"call","call_id":"c{n}","ticket":"{ticket}","counter":"{}"}}"#,
                n % 6 + 1
            );
            let at = Instant::now();
            match herald_relay::client::post_json(&format!("{base}/v1/offices/bench/events"), None, None, &body).await {
                Ok(a) if a.status == 202 => posted.push((ticket, at)),
                Ok(a) => eprintln!("post {n}: {} {}", a.status, a.text()),
                Err(e) => eprintln!("post {n}: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Until every follower has the last call, or 30 s.
        let last = posted.last().map(|(t, _)| t.clone()).unwrap_or_default();
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end
            && seen.lock().map(|s| s.get(&last).map_or(0, Vec::len)).unwrap_or(0) < followers
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (cpu_after, rss_after) = usage(pid);
        let seconds = load.elapsed().as_secs_f64();
        let mut delays = Vec::new();
        let mut missed = 0;
        if let Ok(seen) = seen.lock() {
            for (ticket, at) in &posted {
                let times = seen.get(ticket).cloned().unwrap_or_default();
                missed += followers.saturating_sub(times.len());
                delays.extend(times.iter().map(|t| t.saturating_duration_since(*at)));
            }
        }
        delays.sort();
        println!("{} calls posted, one every 100 ms, to {followers} followers:", posted.len());
        println!(
            "  post → follower has the call: p50 {}, p99 {}, max {} ({} deliveries, {missed} missed)",
            ms(percentile(&delays, 0.5)),
            ms(percentile(&delays, 0.99)),
            ms(delays.last().copied().unwrap_or_default()),
            delays.len()
        );
        println!(
            "  the relay: {:.2} CPU-s over {seconds:.1} s ({:.0} % of one core), RSS {} MiB (was {} MiB)",
            cpu_after - cpu_before,
            (cpu_after - cpu_before) / seconds * 100.0,
            rss_after / 1024,
            rss_before / 1024
        );
        for task in tasks {
            task.abort();
        }
    });
    let _ = child.kill();
    let _ = child.wait();
}
