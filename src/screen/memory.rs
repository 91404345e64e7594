//! Remembering the board across restarts: at start the remembered board is shown at once,
//! marked "connection lost since …" until the feed answers; afterwards every change is written
//! to the state directory by a thread of its own, at most about once a second, except that a
//! board with a call waiting to be announced is written at once: a call is announced only
//! after the board that holds it is on disk ([`Memory::saved`]), so a crash can never make
//! herald announce the same call twice (the replay after a restart starts after it).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
            room.board = Board::restore(*remembered);
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

/// A board for the writer: the room's revision it is, and whether a call waits for it.
struct Handed {
    revision: u64,
    board: Remembered,
    urgent: bool,
}

/// Where the board goes, the revision last handed to the writer, and the last one written.
#[derive(Resource)]
pub struct Memory {
    boards: Mutex<Sender<Handed>>,
    handed: u64,
    saved: Arc<AtomicU64>,
    /// Wakes the screen when a board is written (set once the event loop exists).
    wake: Arc<Mutex<Option<crate::feed::Waker>>>,
}

impl Memory {
    /// Starts the writer thread for `dir`.
    pub fn start(dir: PathBuf) -> std::io::Result<Self> {
        let (boards, rx) = mpsc::channel();
        let saved = Arc::new(AtomicU64::new(0));
        let wake: Arc<Mutex<Option<crate::feed::Waker>>> = Arc::default();
        let (writer_saved, writer_wake) = (saved.clone(), wake.clone());
        std::thread::Builder::new()
            .name("herald-memory".into())
            .spawn(move || write_boards(&dir, &rx, &writer_saved, &writer_wake))?;
        Ok(Self {
            boards: Mutex::new(boards),
            handed: 0,
            saved,
            wake,
        })
    }

    /// The room's revision last written (or tried: a disk that refuses must not silence the
    /// room; that is logged as `state_not_saved`).
    pub fn saved(&self) -> u64 {
        self.saved.load(Ordering::Acquire)
    }
}

/// Writes the newest board it was handed, then rests, so a burst of changes costs one write a
/// second; a board a call waits for ends the rest. Returns when herald closes.
fn write_boards(
    dir: &std::path::Path,
    rx: &Receiver<Handed>,
    saved: &AtomicU64,
    wake: &Mutex<Option<crate::feed::Waker>>,
) {
    let mut failing = false;
    let mut rest_until = Instant::now();
    while let Ok(mut newest) = rx.recv() {
        loop {
            while let Ok(newer) = rx.try_recv() {
                let urgent = newest.urgent || newer.urgent;
                newest = Handed { urgent, ..newer };
            }
            let left = rest_until.saturating_duration_since(Instant::now());
            if newest.urgent || left.is_zero() {
                break;
            }
            match rx.recv_timeout(left) {
                Ok(newer) => {
                    let urgent = newest.urgent || newer.urgent;
                    newest = Handed { urgent, ..newer };
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        match memory::save(dir, &newest.board) {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                let reason = format!("{}: {e}", dir.join(memory::FILE).display());
                warn!("cannot remember the board: {reason}; the screen goes on");
                log_event::emit(LogEvent::StateNotSaved { reason });
            }
            Err(_) => {}
        }
        saved.store(newest.revision, Ordering::Release);
        if newest.urgent
            && let Ok(wake) = wake.lock()
            && let Some(wake) = wake.as_ref()
        {
            wake();
        }
        rest_until = Instant::now() + EVERY;
    }
}

pub fn plugin(app: &mut App) {
    app.add_systems(Startup, hand_over_waker)
        .add_systems(Last, hand_over_board);
}

fn hand_over_waker(memory: Res<Memory>, proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>) {
    if let Ok(mut wake) = memory.wake.lock() {
        *wake = Some(super::feed_link::event_loop_waker(proxy.as_deref()));
    }
}

/// Hands the board to the writer whenever it changed; `waiting` says a call waits for it.
fn hand_over_board(
    room: Res<WaitingRoom>,
    memory: Option<ResMut<Memory>>,
    waiting: Option<Res<super::loudspeaker::Unsaved>>,
) {
    let Some(mut memory) = memory else {
        return;
    };
    if memory.handed == room.revision {
        return;
    }
    memory.handed = room.revision;
    let urgent = waiting.is_some_and(|w| !w.0.is_empty());
    if let Ok(boards) = memory.boards.lock() {
        let _ = boards.send(Handed {
            revision: room.revision,
            board: room.board.remember(),
            urgent,
        });
    }
}
