//! Remembering the board across restarts: at start the remembered board is shown at once,
//! marked "connection lost since …" until the feed answers; afterwards every change is written
//! to the state directory by a thread of its own, at most about once a second.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use bevy::prelude::*;
use herald_core::board::Board;
use herald_core::log_event::{self, LogEvent};
use herald_core::memory::{self, Loaded, Remembered};
use herald_core::room::Room;

use super::WaitingRoom;

/// Writes at most this often while the board changes.
const EVERY: Duration = Duration::from_secs(1);

/// The room as remembered in `dir`, or an empty room (a file that cannot be used is set aside
/// and logged).
pub fn restore(dir: &std::path::Path) -> Room {
    let mut room = Room::default();
    match memory::load(dir) {
        Loaded::Nothing => {}
        Loaded::Board(remembered) => {
            let saved_at = remembered.saved_at.clone();
            let calls = remembered.calls.len();
            room.board = Board::restore(remembered);
            // Not confirmed until the feed answers: the header says since when it is not.
            room.status.lost_since = chrono::DateTime::parse_from_rfc3339(&saved_at)
                .ok()
                .map(|t| t.with_timezone(&chrono::Local))
                .or_else(|| Some(chrono::Local::now()));
            info!(
                "showing the board remembered at {saved_at} ({calls} calls, last seq {:?}) until \
                 the queue system answers",
                room.board.last_seq()
            );
            log_event::emit(LogEvent::StateRestored {
                calls,
                last_seq: room.board.last_seq(),
                saved_at,
            });
        }
        Loaded::SetAside { reason, moved_to } => {
            let shown = moved_to.as_ref().map(|p| p.display().to_string());
            warn!(
                "the remembered board {} {reason}; it was moved to {} and herald starts empty",
                dir.join(memory::FILE).display(),
                shown.as_deref().unwrap_or("(could not be moved)")
            );
            log_event::emit(LogEvent::StateSetAside {
                reason,
                moved_to: shown,
            });
        }
    }
    room
}

/// Where the board goes, and the revision last handed to the writer.
#[derive(Resource)]
pub struct Memory {
    boards: Mutex<Sender<Remembered>>,
    handed: u64,
}

impl Memory {
    /// Starts the writer thread for `dir`.
    pub fn start(dir: PathBuf) -> std::io::Result<Self> {
        let (boards, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("herald-memory".into())
            .spawn(move || write_boards(&dir, &rx))?;
        Ok(Self {
            boards: Mutex::new(boards),
            handed: 0,
        })
    }
}

/// Writes the newest board it was handed, then rests, so a burst of calls costs one write a
/// second; returns when herald closes.
fn write_boards(dir: &std::path::Path, rx: &Receiver<Remembered>) {
    let mut failing = false;
    while let Ok(mut newest) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            newest = newer;
        }
        match memory::save(dir, &newest) {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                let reason = format!("{}: {e}", dir.join(memory::FILE).display());
                warn!("cannot remember the board: {reason}; the screen goes on");
                log_event::emit(LogEvent::StateNotSaved { reason });
            }
            Err(_) => {}
        }
        std::thread::sleep(EVERY);
    }
}

pub fn plugin(app: &mut App) {
    app.add_systems(Last, hand_over_board);
}

/// Hands the board to the writer whenever it changed.
fn hand_over_board(room: Res<WaitingRoom>, memory: Option<ResMut<Memory>>) {
    let Some(mut memory) = memory else {
        return;
    };
    if memory.handed == room.revision {
        return;
    }
    memory.handed = room.revision;
    if let Ok(boards) = memory.boards.lock() {
        let _ = boards.send(room.board.remember());
    }
}
