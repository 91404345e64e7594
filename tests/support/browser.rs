//! A real browser for the console's tests: Debian's `chromium` driven through `chromedriver`
//! (package `chromium-driver`) over WebDriver with fantoccini, and axe-core run inside the page.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

/// chromedriver on a port of its own, in a process group of its own; stopped when dropped with
/// the Chromium it started (a test that ends without closing its session would otherwise leave
/// the browser running after chromedriver is gone).
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub fn start() -> Self {
        let port = crate::support::http::free_port();
        use std::os::unix::process::CommandExt;
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver must be installed (Debian's chromium-driver; ./dev test installs it)",
            );
        let end = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < end,
                "chromedriver did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    /// A headless Chromium of its own (own profile folder), `width`×`height` CSS pixels.
    pub async fn browser(&self, profile: &Path, width: u32, height: u32) -> Client {
        let _ = std::fs::remove_dir_all(profile);
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        // Chromium's network log (DevTools' Network domain), read with `requested_urls`.
        capabilities.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({ "performance": "ALL" }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("chromium starts under chromedriver")
    }
}

/// Waits until `script` (a JavaScript expression) is true in the page.
pub async fn until(client: &Client, limit: Duration, what: &str, script: &str) {
    let end = Instant::now() + limit;
    loop {
        let value = client
            .execute(&format!("return !!({script});"), vec![])
            .await
            .unwrap_or(serde_json::Value::Bool(false));
        if value == serde_json::Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < end, "{what}: not so within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a JavaScript expression gives in the page.
pub async fn value(client: &Client, script: &str) -> serde_json::Value {
    client
        .execute(&format!("return {script};"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Every URL the browser asked for since the last call, from Chromium's own network log
/// (`Network.requestWillBeSent` in chromedriver's performance log): pages, scripts, styles,
/// sounds, fetches and event streams alike.
pub async fn requested_urls(driver: &Driver, client: &Client) -> Vec<String> {
    let id = client
        .session_id()
        .await
        .ok()
        .flatten()
        .expect("a WebDriver session");
    let answer = herald_relay::client::request(
        "POST",
        &format!("http://127.0.0.1:{}/session/{id}/se/log", driver.port),
        &[("content-type", "application/json".to_owned())],
        br#"{"type":"performance"}"#.to_vec(),
        None,
    )
    .await
    .expect("chromedriver answers");
    let log: serde_json::Value = serde_json::from_slice(&answer.body).expect("a JSON log");
    log["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no performance log: {}", answer.text()))
        .iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter_map(|m| serde_json::from_str::<serde_json::Value>(m).ok())
        .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
        .filter_map(|m| {
            m["message"]["params"]["request"]["url"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

/// axe-core's script, installed by `./dev` (npm) where `HERALD_AXE` points.
pub fn axe_source() -> String {
    let path = std::env::var_os("HERALD_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {} ({e}); `./dev test` installs it (npm pack axe-core), or \
             set HERALD_AXE to an axe.min.js",
            path.display()
        )
    })
}

/// Runs axe-core in the page; the violations as "id: help (n nodes)" lines.
pub async fn accessibility_problems(client: &Client, axe: &str) -> Vec<String> {
    client
        .execute(&format!("{axe}\n;return true;"), vec![])
        .await
        .expect("axe-core loads in the page");
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => \
               v.id + ': ' + v.help + ' (' + v.nodes.length + ' nodes: ' + \
               v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ') + ')'))).catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).unwrap_or_default()
}
