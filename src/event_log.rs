//! `--log-json`: one JSON object per line on stdout for the events an operator or a test wants to
//! follow (connected, disconnected, event applied, call shown, frame rejected, …).
//! Human-readable logs go to stderr through `tracing` as usual.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Writes `{"ts": …, "event": name, …fields}` as one line, when `--log-json` is on.
pub fn emit(event: &str, fields: serde_json::Value) {
    if !enabled() {
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
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the screen.
    let _ = writeln!(out, "{}", serde_json::Value::Object(line));
    let _ = out.flush();
}
