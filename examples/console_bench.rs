//! The console with 50 reporting displays: the real `herald-relay` binary with five offices of
//! ten displays each, every display herald's own feed client reporting through the same code
//! as a screen (its drawing said by the benchmark, as the windowless feed client has no window),
//! and Chromium (WebDriver) opening the console. A report, not a test:
//! - how long the console's page takes until all 50 rows are on it (median of 5 loads);
//! - how long after a display dies the page shows it offline, and when the alert comes
//!   (threshold `alert_after_seconds` = 10);
//! - the relay's CPU with 50 displays reporting, over 60 s.
//!
//! ```sh
//! ./dev test   # builds everything and installs chromium + chromium-driver
//! cargo run --example console_bench
//! ```
//! The relay binary is `$HERALD_RELAY_BIN`, else beside this example's folder.

#[path = "../tests/support/browser.rs"]
#[allow(dead_code, reason = "the benchmark uses the browser, not axe-core")]
mod browser;
#[allow(dead_code, reason = "browser.rs finds a free port through it")]
mod support {
    pub mod http {
        pub fn free_port() -> u16 {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port")
        }
    }
}

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use herald::feed::{self, FeedConfig, FeedStatus};
use herald_core::board::Board;
use herald_core::log_event::LogEvent;

const OFFICES: usize = 5;
const PER_OFFICE: usize = 10;
const PASSWORD: &str = "benchmark-password";

fn relay_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("HERALD_RELAY_BIN") {
        return bin.into();
    }
    let here = std::env::current_exe().expect("own path");
    here.parent()
        .and_then(|examples| examples.parent())
        .map(|debug| debug.join("herald-relay"))
        .expect("the target folder")
}

/// User + system CPU seconds of a process so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

/// One windowless display: the real feed client and reporter, its frames said every 5 s.
struct Reporting {
    _pump: std::thread::JoinHandle<()>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

fn reporting_display(url: String, id: String) -> Reporting {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = stop.clone();
    let pump = std::thread::spawn(move || {
        let (shared, _screen) = herald::status::Shared::new();
        shared.set_identity("waiting-room", &["sk".into(), "en".into()], "all");
        let mut config = FeedConfig::new(url, id);
        config.reporter = Some(shared.clone());
        let Ok(handle) = feed::spawn(config, Arc::new(|| {})) else {
            return;
        };
        let (mut board, mut status) = (Board::new(), FeedStatus::default());
        let mut drawn = Instant::now() - Duration::from_secs(10);
        while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
            for done in feed::pump(&handle, &mut board, &mut status) {
                match done {
                    feed::Pumped::Connected(url) => shared.observe(&LogEvent::Connected { url }),
                    feed::Pumped::Disconnected(reason) => {
                        shared.observe(&LogEvent::Disconnected { reason });
                    }
                    _ => {}
                }
            }
            if drawn.elapsed() >= Duration::from_secs(5) {
                shared.frame_drawn(Duration::from_millis(5));
                drawn = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    Reporting { _pump: pump, stop }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("herald-console-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("folder");
    let hash = herald_relay::console::logins::hash(PASSWORD).expect("hash");
    let mut site = String::from("database = \"relay.db\"\n");
    for o in 0..OFFICES {
        site.push_str(&format!(
            "[[office]]\nid = \"office-{o}\"\nname = \"Office {o}\"\n"
        ));
    }
    site.push_str(&format!(
        "[console]\nalert_after_seconds = 10\n[[console.account]]\nname = \"it\"\nrole = \"it\"\npassword_hash = \"{hash}\"\n"
    ));
    std::fs::write(dir.join("site.toml"), site).expect("site file");
    let mut relay = Command::new(relay_binary())
        .arg("--site")
        .arg(dir.join("site.toml"))
        .args(["--listen", "127.0.0.1:0"])
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("herald-relay starts (build it first: ./dev test or cargo build --workspace)");
    let pid = relay.id();
    let mut lines = BufReader::new(relay.stderr.take().expect("stderr")).lines();
    let address = loop {
        let line = lines
            .next()
            .and_then(Result::ok)
            .expect("herald-relay says where it listens");
        if let Some(a) = line.split("listening on ").nth(1) {
            break a.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    println!(
        "console benchmark: herald-relay on {address}, {OFFICES} offices × {PER_OFFICE} displays"
    );
    let mut displays: Vec<Reporting> = Vec::new();
    for o in 0..OFFICES {
        for d in 0..PER_OFFICE {
            displays.push(reporting_display(
                format!("ws://{address}/v1/offices/office-{o}/feed"),
                format!("hall-{o}-{d}"),
            ));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let driver = browser::Driver::start();
    runtime.block_on(async {
        let client = driver.browser(&dir.join("chromium"), 1280, 900).await;
        client.goto(&format!("http://{address}/console/login?lang=en")).await.expect("login page");
        client.find(Locator::Id("name")).await.expect("name").send_keys("it").await.expect("typed");
        client.find(Locator::Id("password")).await.expect("password").send_keys(PASSWORD).await.expect("typed");
        client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("signed in");
        let all_live = format!("document.querySelectorAll('tr[data-state=live]').length === {}", OFFICES * PER_OFFICE);
        let wait = |script: String, limit: Duration| {
            let client = client.clone();
            async move {
                let end = Instant::now() + limit;
                loop {
                    let v = client.execute(&format!("return !!({script});"), vec![]).await;
                    if matches!(v, Ok(serde_json::Value::Bool(true))) {
                        return true;
                    }
                    if Instant::now() > end {
                        return false;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        assert!(wait(all_live.clone(), Duration::from_secs(120)).await, "50 live displays");
        // Page loads: navigation start → 50 rows on the page.
        let mut loads = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            client.goto(&format!("http://{address}/console/")).await.expect("page");
            assert!(wait(all_live.clone(), Duration::from_secs(30)).await);
            loads.push(started.elapsed().as_secs_f64());
        }
        loads.sort_by(f64::total_cmp);
        println!(
            "page load until 50 rows: median {:.3} s (min {:.3}, max {:.3}; target < 1 s)",
            loads[2], loads[0], loads[4]
        );
        // Relay CPU with 50 displays reporting.
        let (cpu0, t0) = (cpu_seconds(pid), Instant::now());
        tokio::time::sleep(Duration::from_secs(60)).await;
        let cpu = (cpu_seconds(pid) - cpu0) / t0.elapsed().as_secs_f64() * 100.0;
        println!("relay CPU with 50 reporting displays (and one console page open): {cpu:.2} % of one core over 60 s");
        // One display dies.
        let victim = displays.remove(0);
        let killed = Instant::now();
        victim.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(victim);
        let offline = "[...document.querySelectorAll('tr[data-display]')].find(r => r.dataset.display === 'hall-0-0')?.dataset.state === 'offline'".to_owned();
        assert!(wait(offline, Duration::from_secs(60)).await, "offline on the page");
        let seen = killed.elapsed().as_secs_f64();
        let alert = "document.querySelector('tr[data-display=\"hall-0-0\"] .alert') !== null".to_owned();
        assert!(wait(alert, Duration::from_secs(60)).await, "the alert on the page");
        println!(
            "a display that died: offline on the page after {seen:.1} s, alert on the page after {:.1} s (threshold 10 s; target: threshold + 5 s)",
            killed.elapsed().as_secs_f64()
        );
        let _ = client.close().await;
    });
    for d in &displays {
        d.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let _ = relay.kill();
    let _ = relay.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
