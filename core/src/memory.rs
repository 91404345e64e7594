//! What a display remembers across a restart: the board (calls, counters, notices, the last
//! applied seq, which calls were announced) in one JSON file in its state directory, written
//! atomically (a temporary file, fsync, rename) so a power cut or `kill -9` leaves either the
//! old file or the new one, never half of one. A file that cannot be read is moved aside and
//! herald starts empty.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::board::CallEntry;
use crate::protocol::{Counter, Notice};

/// The file's format version; another version is set aside, not guessed at.
pub const VERSION: u32 = 1;
/// The file's name in the state directory.
pub const FILE: &str = "board.json";

/// The board as written to the state file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    pub version: u32,
    /// When it was written (RFC 3339): the screen says "connection lost since" this until the
    /// feed answers.
    pub saved_at: String,
    pub last_seq: Option<u64>,
    /// Newest first.
    pub calls: Vec<CallEntry>,
    pub counters: Vec<Counter>,
    pub notices: Vec<Notice>,
    /// The emergency in force when it was written: a display restarted during an evacuation
    /// shows it before its feed answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<crate::protocol::Emergency>,
    /// Ids of calls already announced (or deliberately not), oldest first.
    pub announced: Vec<String>,
}

/// Writes `remembered` to `dir/board.json` atomically.
pub fn save(dir: &Path, remembered: &Remembered) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(FILE);
    let temporary = dir.join(format!(".{FILE}.tmp"));
    let text = serde_json::to_vec(remembered).map_err(std::io::Error::other)?;
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&text)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, &path)?;
    // The rename itself must survive a power cut too.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// What reading the state file gave.
#[derive(Debug)]
pub enum Loaded {
    /// No file yet (first start).
    Nothing,
    Board(Box<Remembered>),
    /// The file could not be used; it was moved to `moved_to` (when that worked).
    SetAside {
        reason: String,
        moved_to: Option<PathBuf>,
    },
}

/// Reads `dir/board.json`. A file that cannot be read or understood is renamed to
/// `board.json.unreadable-<time>` so the next write does not destroy the evidence.
pub fn load(dir: &Path) -> Loaded {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Nothing,
        Err(e) => return set_aside(&path, format!("cannot be read: {e}")),
    };
    match serde_json::from_slice::<Remembered>(&bytes) {
        Ok(r) if r.version == VERSION => Loaded::Board(Box::new(r)),
        Ok(r) => set_aside(
            &path,
            format!(
                "is format version {}, this herald reads {VERSION}",
                r.version
            ),
        ),
        Err(e) => set_aside(&path, format!("is not a board this herald wrote: {e}")),
    }
}

fn set_aside(path: &Path, reason: String) -> Loaded {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = path.with_file_name(format!("{FILE}.unreadable-{stamp}"));
    let moved_to = std::fs::rename(path, &aside).ok().map(|()| aside);
    Loaded::SetAside { reason, moved_to }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{Applied, Board, News};
    use crate::protocol::{Call, ServerMessage, State, VERSION as WIRE};

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("herald-memory-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn call(seq: u64, ticket: &str) -> ServerMessage {
        ServerMessage::Call {
            v: WIRE,
            seq,
            call: Call::new(ticket, ticket, "1", "2026-11-22T09:00:00Z"),
        }
    }

    #[test]
    fn a_restored_board_shows_the_same_calls_and_announces_none_of_them_again() {
        let mut board = Board::new();
        board.apply(&ServerMessage::Snapshot {
            v: WIRE,
            seq: 1,
            state: State::default(),
        });
        for (n, ticket) in ["A001", "A002", "A003"].iter().enumerate() {
            board.apply(&call(2 + n as u64, ticket));
        }
        let folder = dir("restore");
        save(&folder, &board.remember()).expect("saved");
        let Loaded::Board(remembered) = load(&folder) else {
            panic!("not loaded");
        };
        let mut again = Board::restore(*remembered);
        assert_eq!(again.last_seq(), Some(4));
        let tickets: Vec<&str> = again.calls().map(|e| e.call.ticket.as_str()).collect();
        assert_eq!(tickets, ["A003", "A002", "A001"]);
        // The queue system answers the resumed hello with a snapshot: old calls are not news.
        let applied = again.apply(&ServerMessage::Snapshot {
            v: WIRE,
            seq: 5,
            state: State {
                calls: ["A001", "A002", "A003", "A004"]
                    .iter()
                    .map(|t| Call::new(*t, *t, "1", "2026-11-22T09:00:00Z"))
                    .collect(),
                ..State::default()
            },
        });
        let Applied::Changed(news) = applied else {
            panic!("not applied");
        };
        let called: Vec<&str> = news
            .iter()
            .filter_map(|n| match n {
                News::Called(c) => Some(c.ticket.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(called, ["A004"]);
        let _ = std::fs::remove_dir_all(&folder);
    }

    #[test]
    fn an_unreadable_file_is_set_aside_and_the_display_starts_empty() {
        let folder = dir("corrupt");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join(FILE), b"{\"version\": 1, \"calls\": [tru").expect("file");
        match load(&folder) {
            Loaded::SetAside { reason, moved_to } => {
                assert!(reason.contains("is not a board"), "{reason}");
                let moved = moved_to.expect("moved aside");
                assert!(moved.is_file());
                assert!(!folder.join(FILE).exists());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(load(&folder), Loaded::Nothing));
        let _ = std::fs::remove_dir_all(&folder);
    }
}
