//! `--log-json`: one JSON object per line on stdout for the events an operator or a test wants to
//! follow (connected, disconnected, event applied, call shown, frame rejected, …).
//! Human-readable logs go to stderr through `tracing` as usual.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
static KEEP: AtomicBool = AtomicBool::new(false);
/// The last events, for the preview panel (kept only when `keep_recent` was called).
static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
/// How many events the preview keeps.
pub const RECENT_EVENTS: usize = 50;

/// Keeps the last `RECENT_EVENTS` events in memory, with or without `--log-json`.
pub fn keep_recent() {
    KEEP.store(true, Ordering::Relaxed);
}

/// The kept events, oldest first, as JSON lines.
pub fn recent() -> Vec<String> {
    RECENT
        .lock()
        .map(|r| r.iter().cloned().collect())
        .unwrap_or_default()
}

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Writes `{"ts": …, "event": name, …fields}` as one line, when `--log-json` is on.
pub fn emit(event: &str, fields: serde_json::Value) {
    let keep = KEEP.load(Ordering::Relaxed);
    if !enabled() && !keep {
        return;
    }
    let mut line = serde_json::Map::new();
    line.insert(
        "ts".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into(),
    );
    line.insert("event".into(), event.into());
    if let serde_json::Value::Object(fields) = fields {
        line.extend(fields);
    }
    let text = serde_json::Value::Object(line).to_string();
    if keep && let Ok(mut recent) = RECENT.lock() {
        recent.push_back(text.clone());
        while recent.len() > RECENT_EVENTS {
            recent.pop_front();
        }
    }
    if !enabled() {
        return;
    }
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the screen.
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}
