//! The durable log: one SQLite file (WAL) holding, per office, every accepted event with its
//! seq, the state a snapshot is made from, the idempotency keys already seen and the adapters'
//! own bookmarks. An event gets its seq in the same transaction that stores it, and the
//! transaction is committed before the HTTP answer is sent, so a `kill -9` loses nothing that
//! was acknowledged and a restart continues the same numbering.

use std::path::Path;
use std::time::Duration;

use herald_core::protocol::{self, ServerMessage, State};
use rusqlite::{Connection, OptionalExtension, params};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS office (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event (
    office TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    frame TEXT NOT NULL,
    PRIMARY KEY (office, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
    office TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    first_seq INTEGER,
    last_seq INTEGER,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (office, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bookmark (
    office TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (office, name)
) WITHOUT ROWID;
";

#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self(format!("database: {e}"))
    }
}

/// An idempotency key and a fingerprint of the request it came with.
#[derive(Clone, Debug)]
pub struct Key {
    pub key: String,
    pub fingerprint: String,
}

/// What storing a batch of events did.
#[derive(Clone, Debug, PartialEq)]
pub enum Stored {
    /// New events, numbered; the state after them.
    New {
        frames: Vec<ServerMessage>,
        state: Box<State>,
    },
    /// The key was seen before with the same request: nothing stored again. The seqs the first
    /// request got (none when it produced no event).
    Repeated { seqs: Option<(u64, u64)> },
    /// The key was seen before with a different request.
    KeyReused,
}

pub struct Store {
    conn: Connection,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Opens (or creates) the log at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError(format!("cannot create the folder {}: {e}", dir.display()))
            })?;
        }
        let conn = Connection::open(path)
            .map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))?;
        Self::prepare(conn)
    }

    /// A second connection to the same log file, for reads beside the writer (WAL lets them
    /// run while a commit is under way); `None` for a log in memory, which only one connection
    /// can see.
    pub fn reader(&self) -> Result<Option<Self>, StoreError> {
        let Some(path) = self.conn.path().filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError(format!("cannot open {path} for reading: {e}")))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(Some(Self { conn }))
    }

    /// The log's file (`None` in memory).
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
    }

    /// A log that lives in memory only (the demo office inside herald).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(conn: Connection) -> Result<Self, StoreError> {
        // WAL: displays read while a webhook writes. FULL: the commit is on disk before the
        // answer, so even a power cut loses nothing acknowledged (costs one fsync per batch).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// The office's last seq and state (0 and empty for a new office).
    pub fn load(&self, office: &str) -> Result<(u64, State), StoreError> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, state FROM office WHERE id = ?1",
                params![office],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            None => Ok((0, State::default())),
            Some((seq, state)) => {
                let state: State = serde_json::from_str(&state).map_err(|e| {
                    StoreError(format!(
                        "the stored state of office {office} is unreadable: {e}"
                    ))
                })?;
                Ok((u64::try_from(seq).unwrap_or(0), state))
            }
        }
    }

    /// What was stored for this key before, if anything.
    pub fn seen(&self, office: &str, key: &Key) -> Result<Option<Stored>, StoreError> {
        let row: Option<(String, Option<i64>, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT fingerprint, first_seq, last_seq FROM idempotency WHERE office = ?1 AND key = ?2",
                params![office, key.key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(row.map(|(fingerprint, first, last)| {
            if fingerprint == key.fingerprint {
                let seqs = first
                    .zip(last)
                    .map(|(a, b)| (u64::try_from(a).unwrap_or(0), u64::try_from(b).unwrap_or(0)));
                Stored::Repeated { seqs }
            } else {
                Stored::KeyReused
            }
        }))
    }

    /// Numbers `events` from `seq + 1`, applies them with `apply` (which returns the state
    /// after each), and stores events, state, key and bookmark in one transaction.
    pub fn append(
        &mut self,
        office: &str,
        seq: u64,
        key: Option<&Key>,
        events: Vec<ServerMessage>,
        bookmark: Option<(&str, &str)>,
        mut apply: impl FnMut(&ServerMessage) -> State,
    ) -> Result<Stored, StoreError> {
        if let Some(key) = key
            && let Some(seen) = self.seen(office, key)?
        {
            return Ok(seen);
        }
        let tx = self.conn.transaction()?;
        let stored_at = now_ms();
        let mut frames = Vec::with_capacity(events.len());
        let mut state = None;
        let mut next = seq;
        for event in events {
            next += 1;
            let frame = event.numbered(next);
            tx.execute(
                "INSERT INTO event (office, seq, stored_at, frame) VALUES (?1, ?2, ?3, ?4)",
                params![
                    office,
                    next as i64,
                    stored_at,
                    protocol::encode_server(&frame)
                ],
            )?;
            state = Some(apply(&frame));
            frames.push(frame);
        }
        if let Some(state) = &state {
            let json = serde_json::to_string(state)
                .map_err(|e| StoreError(format!("cannot write the state: {e}")))?;
            tx.execute(
                "INSERT INTO office (id, seq, state) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
                params![office, next as i64, json],
            )?;
        }
        if let Some(key) = key {
            let seqs = (!frames.is_empty()).then(|| ((seq + 1) as i64, next as i64));
            tx.execute(
                "INSERT INTO idempotency (office, key, fingerprint, first_seq, last_seq, stored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    office,
                    key.key,
                    key.fingerprint,
                    seqs.map(|s| s.0),
                    seqs.map(|s| s.1),
                    stored_at
                ],
            )?;
        }
        if let Some((name, value)) = bookmark {
            tx.execute(
                "INSERT INTO bookmark (office, name, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (office, name) DO UPDATE SET value = excluded.value",
                params![office, name, value],
            )?;
        }
        tx.commit()?;
        Ok(Stored::New {
            frames,
            state: Box::new(state.unwrap_or_default()),
        })
    }

    /// The events after `last` up to `current`, when every one of them is still kept and
    /// within the retention `window` (the newest `window.0` events, none older than
    /// `window.1`), whether or not pruning has caught up yet; `None` means the display was
    /// away longer than that and needs a snapshot.
    pub fn after(
        &self,
        office: &str,
        last: u64,
        current: u64,
        window: (u64, Duration),
    ) -> Result<Option<Vec<ServerMessage>>, StoreError> {
        if last >= current {
            return Ok(Some(Vec::new()));
        }
        let (keep_events, keep_for) = window;
        if current - last > keep_events {
            return Ok(None);
        }
        let cutoff = now_ms() - i64::try_from(keep_for.as_millis()).unwrap_or(i64::MAX);
        let mut statement = self.conn.prepare_cached(
            "SELECT seq, frame, stored_at FROM event WHERE office = ?1 AND seq > ?2 AND seq <= ?3
             ORDER BY seq",
        )?;
        let rows = statement.query_map(params![office, last as i64, current as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, frame, stored_at) = row?;
            if out.is_empty() && (seq as u64 != last + 1 || stored_at <= cutoff) {
                return Ok(None);
            }
            match protocol::decode(&frame) {
                Ok(message) => out.push(message),
                Err(e) => {
                    return Err(StoreError(format!(
                        "stored event {office} #{seq} is unreadable: {e}"
                    )));
                }
            }
        }
        if out.last().map(ServerMessage::seq) != Some(current) {
            return Ok(None);
        }
        Ok(Some(out))
    }

    /// Forgets events beyond the retention window (the newest `keep_events`, none older than
    /// `keep_for`) and idempotency keys older than `keep_for`. Returns how many events went.
    pub fn prune(
        &mut self,
        office: &str,
        current: u64,
        keep_events: u64,
        keep_for: Duration,
    ) -> Result<usize, StoreError> {
        let oldest_kept_seq = current.saturating_sub(keep_events) as i64;
        let cutoff = now_ms() - i64::try_from(keep_for.as_millis()).unwrap_or(i64::MAX);
        let gone = self.conn.execute(
            "DELETE FROM event WHERE office = ?1 AND (seq <= ?2 OR stored_at < ?3)",
            params![office, oldest_kept_seq, cutoff],
        )?;
        self.conn.execute(
            "DELETE FROM idempotency WHERE office = ?1 AND stored_at < ?2",
            params![office, cutoff],
        )?;
        Ok(gone)
    }

    /// An adapter's bookmark (e.g. the last NovoSGA panel row seen).
    pub fn bookmark(&self, office: &str, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM bookmark WHERE office = ?1 AND name = ?2",
                params![office, name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// How many events of the office are kept (for the status page and tests).
    pub fn kept(&self, office: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM event WHERE office = ?1",
            params![office],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::protocol::{Call, VERSION};

    fn call(ticket: &str) -> ServerMessage {
        ServerMessage::Call {
            v: VERSION,
            seq: 0,
            call: Call::new(ticket, ticket, "1", "2026-11-22T09:00:00Z"),
        }
    }

    fn append(
        store: &mut Store,
        seq: u64,
        key: Option<&Key>,
        events: Vec<ServerMessage>,
    ) -> Stored {
        store
            .append("o", seq, key, events, None, |_| State::default())
            .expect("append")
    }

    #[test]
    fn events_are_numbered_kept_and_replayed_from_any_kept_seq() {
        let mut store = Store::in_memory().expect("store");
        append(&mut store, 0, None, vec![call("A1"), call("A2")]);
        append(&mut store, 2, None, vec![call("A3")]);
        let seqs = |v: Option<Vec<ServerMessage>>| {
            v.map(|v| v.iter().map(|m| m.seq()).collect::<Vec<_>>())
        };
        let day = (10_000, Duration::from_secs(24 * 3600));
        assert_eq!(
            seqs(store.after("o", 1, 3, day).expect("after")),
            Some(vec![2, 3])
        );
        assert_eq!(
            seqs(store.after("o", 3, 3, day).expect("after")),
            Some(vec![])
        );
        // The window holds before any pruning: two events behind with a window of one.
        assert_eq!(
            seqs(store.after("o", 1, 3, (1, day.1)).expect("after")),
            None
        );
        // …and so does the age: a window of no time keeps nothing to replay.
        assert_eq!(
            seqs(store.after("o", 1, 3, (10, Duration::ZERO)).expect("after")),
            None
        );
        assert_eq!(store.load("o").expect("load").0, 3);
        // Keep only the newest event: seq 1 is no longer there, so a display at 1 needs a snapshot.
        store
            .prune("o", 3, 1, Duration::from_secs(3600))
            .expect("prune");
        assert_eq!(seqs(store.after("o", 1, 3, day).expect("after")), None);
        assert_eq!(
            seqs(store.after("o", 2, 3, day).expect("after")),
            Some(vec![3])
        );
    }

    #[test]
    fn a_key_is_stored_once_and_a_reused_key_is_told_apart() {
        let mut store = Store::in_memory().expect("store");
        let key = Key {
            key: "k1".into(),
            fingerprint: "body-a".into(),
        };
        assert!(matches!(
            append(&mut store, 0, Some(&key), vec![call("A1")]),
            Stored::New { .. }
        ));
        assert_eq!(
            append(&mut store, 1, Some(&key), vec![call("A1")]),
            Stored::Repeated { seqs: Some((1, 1)) }
        );
        let other = Key {
            fingerprint: "body-b".into(),
            ..key
        };
        assert_eq!(
            append(&mut store, 1, Some(&other), vec![call("A9")]),
            Stored::KeyReused
        );
        assert_eq!(store.kept("o").expect("kept"), 1);
    }
}
