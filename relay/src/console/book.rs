//! The console's tables in the relay's SQLite file, on a connection of their own (WAL lets it
//! write beside the log's): each display's state changes (its history, and the displays known
//! after a restart) and the audit of every login and action.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Local, TimeZone};
use rusqlite::{Connection, params};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS console_history (
    office TEXT NOT NULL,
    display TEXT NOT NULL,
    at INTEGER NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_history_display ON console_history (office, display, at);
CREATE TABLE IF NOT EXISTS console_audit (
    at INTEGER NOT NULL,
    who TEXT NOT NULL,
    what TEXT NOT NULL,
    detail TEXT NOT NULL,
    peer TEXT NOT NULL
);
";

/// History rows kept per display.
const HISTORY_KEPT: i64 = 500;

pub struct Book {
    conn: Mutex<Connection>,
}

/// One row of a display's history.
#[derive(Debug, serde::Serialize)]
pub struct Moment {
    pub at: String,
    pub state: String,
    pub detail: String,
}

/// One row of the audit.
#[derive(Debug, serde::Serialize)]
pub struct Audited {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
    pub peer: String,
}

fn time(ms: i64) -> DateTime<Local> {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(Local::now)
}

impl Book {
    /// The tables in the log's file (`None`: the log is in memory, so are these).
    pub fn open(database: Option<&Path>) -> Result<Self, String> {
        let conn = match database {
            Some(path) => Connection::open(path)
                .map_err(|e| format!("console: cannot open {}: {e}", path.display()))?,
            None => Connection::open_in_memory().map_err(|e| format!("console: {e}"))?,
        };
        conn.busy_timeout(Duration::from_secs(5))
            .and_then(|()| conn.execute_batch(SCHEMA))
            .map_err(|e| format!("console: cannot prepare its tables: {e}"))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn run<R>(&self, what: &str, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Option<R> {
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Off the async threads where there are several (a commit waits for the disk).
        let result = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => {
                tokio::task::block_in_place(|| f(&conn))
            }
            _ => f(&conn),
        };
        result
            .map_err(|e| tracing::error!("console: cannot {what}: {e}"))
            .ok()
    }

    /// A display's state changed.
    pub fn moved(&self, office: &str, display: &str, state: &str, detail: &str) {
        self.run("write a display's history", |c| {
            c.execute(
                "INSERT INTO console_history (office, display, at, state, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![office, display, Local::now().timestamp_millis(), state, detail],
            )?;
            c.execute(
                "DELETE FROM console_history WHERE office = ?1 AND display = ?2 AND at < \
                 (SELECT at FROM console_history WHERE office = ?1 AND display = ?2 \
                  ORDER BY at DESC LIMIT 1 OFFSET ?3)",
                params![office, display, HISTORY_KEPT],
            )
        });
    }

    /// The display's last `count` state changes, newest first.
    pub fn history(&self, office: &str, display: &str, count: i64) -> Vec<Moment> {
        self.run("read a display's history", |c| {
            let mut statement = c.prepare(
                "SELECT at, state, detail FROM console_history WHERE office = ?1 AND display = ?2 \
                 ORDER BY at DESC LIMIT ?3",
            )?;
            statement
                .query_map(params![office, display, count], |row| {
                    Ok(Moment {
                        at: time(row.get(0)?).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                        state: row.get(1)?,
                        detail: row.get(2)?,
                    })
                })?
                .collect()
        })
        .unwrap_or_default()
    }

    /// Every display that ever reported, with when it was last heard of.
    pub fn known(&self) -> Option<Vec<(String, String, DateTime<Local>)>> {
        self.run("read the known displays", |c| {
            let mut statement = c.prepare(
                "SELECT office, display, MAX(at) FROM console_history GROUP BY office, display",
            )?;
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, time(row.get(2)?))))?
                .collect()
        })
    }

    /// Records a login or an action. Never a password or a token.
    pub fn audit(&self, who: &str, what: &str, detail: &str, peer: &str) {
        self.run("write the audit", |c| {
            c.execute(
                "INSERT INTO console_audit (at, who, what, detail, peer) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![Local::now().timestamp_millis(), who, what, detail, peer],
            )
        });
    }

    /// The last `count` audit rows, newest first.
    pub fn audited(&self, count: i64) -> Vec<Audited> {
        self.run("read the audit", |c| {
            let mut statement = c.prepare(
                "SELECT at, who, what, detail, peer FROM console_audit ORDER BY rowid DESC LIMIT ?1",
            )?;
            statement
                .query_map(params![count], |row| {
                    Ok(Audited {
                        at: time(row.get(0)?).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                        who: row.get(1)?,
                        what: row.get(2)?,
                        detail: row.get(3)?,
                        peer: row.get(4)?,
                    })
                })?
                .collect()
        })
        .unwrap_or_default()
    }
}
