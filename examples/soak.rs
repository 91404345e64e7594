//! A day in twenty minutes: the real herald binary under Xvfb against an accelerated office
//! (a call every 1–3 s with recalls, counter changes and notices, two languages rotating),
//! with the link cut every minute so herald reconnects, while its resident memory, open files
//! and threads are sampled every 5 s. A report, not a test: memory should be flat after warm-up.
//!
//! ```sh
//! cargo build && cargo run --example soak -- 20     # minutes (default 20)
//! ```
//! The herald binary is `$HERALD_BIN`, else `$CARGO_TARGET_DIR/debug/herald`, else
//! `target/debug/herald`.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use herald_core::office::demo::DemoOptions;
use tokio::net::{TcpListener, TcpStream};

/// A proxy to `upstream` that drops every connection each `every`; counts the cuts.
fn cutting_proxy(upstream: SocketAddr, every: Duration, cuts: Arc<AtomicU64>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.set_nonblocking(true).expect("non-blocking");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let Ok(listener) = TcpListener::from_std(listener) else {
                return;
            };
            while let Ok((mut client, _)) = listener.accept().await {
                let cuts = cuts.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
                    if tokio::time::timeout(every, copy).await.is_err() {
                        cuts.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
    });
    address
}

/// (resident kB, open files, threads) of process `pid`.
fn sample(pid: u32) -> Option<(u64, usize, usize)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    let files = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
    Some((field("VmRSS:")?, files, field("Threads:")? as usize))
}

/// The herald process that xvfb-run (`parent`) started: only this run's herald, not another
/// one on the same machine.
fn herald_pid(parent: u32, binary: &str) -> Option<u32> {
    let out = Command::new("pgrep")
        .args(["-P", &parent.to_string(), "-f", binary])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

fn main() {
    let minutes: u64 = std::env::args()
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(20);
    let binary = std::env::var("HERALD_BIN").unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
        format!("{target}/debug/herald")
    });
    let office = herald_core::office::loopback::spawn_demo(DemoOptions {
        first_call_after: Duration::from_millis(500),
        interval: (Duration::from_secs(1), Duration::from_secs(3)),
    })
    .expect("the office");
    let upstream: SocketAddr = office.address;
    let cuts = Arc::new(AtomicU64::new(0));
    let proxy = cutting_proxy(upstream, Duration::from_secs(60), cuts.clone());
    let mut child = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(&binary)
        .args([
            "--feed",
            &format!("ws://{proxy}/v1/offices/demo/feed"),
            "--lang",
            "sk,en",
            "--mute",
        ])
        .args(["--status", "off", "--state-dir", "/tmp/herald-soak-state"])
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xvfb-run and herald");
    let started = Instant::now();
    let end = started + Duration::from_secs(minutes * 60);
    let mut samples = Vec::new();
    println!("minute  RSS MB  files  threads  link cuts");
    while Instant::now() < end {
        std::thread::sleep(Duration::from_secs(5));
        let Some(pid) = herald_pid(child.id(), &binary) else {
            continue;
        };
        if let Some((rss, files, threads)) = sample(pid) {
            let minute = started.elapsed().as_secs_f64() / 60.0;
            samples.push((minute, rss, files, threads));
            if samples.len() % 12 == 1 {
                println!(
                    "{minute:6.1}  {:6.1}  {files:5}  {threads:7}  {:9}",
                    rss as f64 / 1024.0,
                    cuts.load(Ordering::Relaxed)
                );
            }
        }
    }
    if let Some(pid) = herald_pid(child.id(), &binary) {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    let _ = child.wait();
    drop(office);
    let at = |from: f64| {
        samples
            .iter()
            .find(|s| s.0 >= from)
            .or(samples.last())
            .map_or(0.0, |s| s.1 as f64 / 1024.0)
    };
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0) as f64 / 1024.0;
    let last = samples.last().copied().unwrap_or_default();
    let warm = (minutes as f64 / 4.0).max(1.0);
    println!(
        "{{\"minutes\":{minutes},\"rss_mb_start\":{:.1},\"rss_mb_after_warmup\":{:.1},\"rss_mb_end\":{:.1},\"rss_mb_peak\":{peak:.1},\"files_end\":{},\"threads_end\":{},\"link_cuts\":{},\"samples\":{}}}",
        at(0.0),
        at(warm),
        last.1 as f64 / 1024.0,
        last.2,
        last.3,
        cuts.load(Ordering::Relaxed),
        samples.len()
    );
}
