//! The relay's heart: per office a board (the state snapshots are made from), the durable log,
//! and a broadcast of every stored frame to the connected displays. Inputs (webhooks,
//! Orchestra, NovoSGA, the demo generator) hand it unnumbered events; it numbers, stores and
//! commits them, and only then are they acknowledged and sent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use herald_core::board::Board;
use herald_core::protocol::{ClientMessage, ServerMessage, State, VERSION};
use tokio::sync::broadcast;

use crate::site::{OfficeSite, Site};
use crate::store::{Key, Store, StoreError, Stored};
use crate::webhook::{BadBody, Translation};

/// Events a display may fall behind by before it gets a snapshot instead.
const LIVE_BUFFER: usize = 1024;

struct Office {
    site: OfficeSite,
    board: Board,
    seq: u64,
}

/// What displays need of an office without waiting for the log's lock (held across each
/// commit's fsync): its last seq and its live frames.
struct Live {
    seq: AtomicU64,
    frames: broadcast::Sender<Arc<ServerMessage>>,
}

struct Inner {
    store: Store,
    offices: HashMap<String, Office>,
    /// Events stored since the last prune, per office.
    since_prune: HashMap<String, u64>,
}

/// What happened to an input.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Stored and sent as these seqs (first, last).
    Stored { first: u64, last: u64 },
    /// The same request was stored before (idempotency key): these seqs, none if it made none.
    Repeated { seqs: Option<(u64, u64)> },
    /// Nothing for the waiting room.
    Ignored(String),
}

#[derive(Debug)]
pub enum Refusal {
    UnknownOffice(String),
    Bad(BadBody),
    /// The idempotency key was used before for a different request.
    KeyReused(String),
    Store(StoreError),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownOffice(id) => write!(
                f,
                "no office {id:?} on this relay; check the URL and the site file"
            ),
            Self::Bad(why) => write!(f, "{why}"),
            Self::KeyReused(key) => write!(
                f,
                "Idempotency-Key {key:?} was already used for a different request; use a new key for a new event"
            ),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

pub struct Relay {
    inner: Mutex<Inner>,
    live: HashMap<String, Live>,
    /// A second connection to the log for replays, so a display's replay of thousands of
    /// events never waits for (or holds up) a commit. `None` for a log in memory.
    reader: Option<Mutex<Store>>,
    site: Site,
    /// Connected displays per office (for /healthz).
    displays: HashMap<String, AtomicUsize>,
    /// The console, when the site has one.
    console: Option<Arc<crate::console::Console>>,
}

fn first_board(seq: u64, state: State) -> Board {
    let mut board = Board::new();
    board.apply(&ServerMessage::Snapshot {
        v: VERSION,
        seq,
        state,
    });
    board
}

impl Relay {
    /// Opens the log named by the site (or the given store) and loads every office's state.
    pub fn new(site: Site, store: Store) -> Result<Arc<Self>, StoreError> {
        let mut offices = HashMap::new();
        let mut live = HashMap::new();
        for office in &site.offices {
            let (seq, state) = store.load(&office.id)?;
            let (frames, _) = broadcast::channel(LIVE_BUFFER);
            live.insert(
                office.id.clone(),
                Live {
                    seq: AtomicU64::new(seq),
                    frames,
                },
            );
            offices.insert(
                office.id.clone(),
                Office {
                    site: office.clone(),
                    board: first_board(seq, state),
                    seq,
                },
            );
        }
        let reader = store.reader()?.map(Mutex::new);
        let console = match &site.console {
            Some(console) => Some(
                crate::console::Console::new(
                    console.clone(),
                    site.offices.clone(),
                    store.path().as_deref(),
                    site.tls.is_some(),
                )
                .map_err(StoreError)?,
            ),
            None => None,
        };
        let displays = site
            .offices
            .iter()
            .map(|o| (o.id.clone(), AtomicUsize::new(0)))
            .collect();
        Ok(Arc::new(Self {
            live,
            reader,
            displays,
            console,
            inner: Mutex::new(Inner {
                store,
                offices,
                since_prune: HashMap::new(),
            }),
            site,
        }))
    }

    pub fn display_joined(&self, office: &str) {
        if let Some(n) = self.displays.get(office) {
            n.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn display_left(&self, office: &str) {
        if let Some(n) = self.displays.get(office) {
            n.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Displays connected to the office now.
    pub fn displays(&self, office: &str) -> usize {
        self.displays
            .get(office)
            .map_or(0, |n| n.load(Ordering::Relaxed))
    }

    pub fn console(&self) -> Option<&Arc<crate::console::Console>> {
        self.console.as_ref()
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the board as it was before the failed input;
        // keep serving rather than poisoning every later request.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn office_site(&self, office: &str) -> Option<OfficeSite> {
        self.site.office(office).cloned()
    }

    /// The office's last seq (without waiting for a commit).
    pub fn seq(&self, office: &str) -> Option<u64> {
        self.live.get(office).map(|l| l.seq.load(Ordering::Acquire))
    }

    /// Reads an adapter's bookmark.
    pub fn bookmark(&self, office: &str, name: &str) -> Result<Option<String>, StoreError> {
        self.lock().store.bookmark(office, name)
    }

    /// Translates an input against the office's current board and stores what it makes, all
    /// under one lock so that two inputs never see the same board. Blocking (SQLite commit).
    pub fn accept(
        &self,
        office: &str,
        key: Option<Key>,
        translate: impl FnOnce(&OfficeSite, &Board) -> Result<Translation, BadBody>,
        bookmark: Option<(&str, &str)>,
    ) -> Result<Outcome, Refusal> {
        let mut inner = self.lock();
        let Inner {
            store,
            offices,
            since_prune,
        } = &mut *inner;
        let Some(state) = offices.get_mut(office) else {
            return Err(Refusal::UnknownOffice(office.to_owned()));
        };
        // A retried request is answered as its first try was, before the board (which it has
        // already changed: a retried `finished` would find its call ended) is asked anything.
        if let Some(key) = &key {
            match store.seen(office, key).map_err(Refusal::Store)? {
                Some(Stored::Repeated { seqs }) => return Ok(Outcome::Repeated { seqs }),
                Some(Stored::KeyReused) => return Err(Refusal::KeyReused(key.key.clone())),
                _ => {}
            }
        }
        let events = match translate(&state.site, &state.board).map_err(Refusal::Bad)? {
            Translation::Events(events) => events,
            Translation::Ignored(why) => {
                // A bookmark still moves (an adapter saw the row) even when nothing is shown.
                if let Some(bookmark) = bookmark {
                    store
                        .append(
                            office,
                            state.seq,
                            key.as_ref(),
                            Vec::new(),
                            Some(bookmark),
                            |_| State::default(),
                        )
                        .map_err(Refusal::Store)?;
                }
                return Ok(Outcome::Ignored(why));
            }
        };
        let mut board = state.board.clone();
        let stored = store
            .append(office, state.seq, key.as_ref(), events, bookmark, |frame| {
                board.apply(frame);
                board.to_state()
            })
            .map_err(Refusal::Store)?;
        match stored {
            Stored::Repeated { seqs } => Ok(Outcome::Repeated { seqs }),
            Stored::KeyReused => Err(Refusal::KeyReused(key.map(|k| k.key).unwrap_or_default())),
            Stored::New { frames, .. } => {
                let (Some(first), Some(last)) = (
                    frames.first().map(ServerMessage::seq),
                    frames.last().map(ServerMessage::seq),
                ) else {
                    return Ok(Outcome::Ignored("no events".into()));
                };
                state.board = board;
                state.seq = last;
                if let Some(live) = self.live.get(office) {
                    live.seq.store(last, Ordering::Release);
                    for frame in frames {
                        tracing::info!("{office}: #{} {}", frame.seq(), describe(&frame));
                        // No display connected is fine: the log keeps the event for later.
                        let _ = live.frames.send(Arc::new(frame));
                    }
                }
                let count = since_prune.entry(office.to_owned()).or_default();
                *count += last - first + 1;
                if *count >= 100 {
                    *count = 0;
                    if let Err(e) = store.prune(
                        office,
                        last,
                        self.site.retention_events,
                        self.site.retention,
                    ) {
                        tracing::warn!("{office}: could not prune old events: {e}");
                    }
                }
                Ok(Outcome::Stored { first, last })
            }
        }
    }

    /// The retention window: the newest events, and the longest time, a replay reaches back.
    fn window(&self) -> (u64, std::time::Duration) {
        (self.site.retention_events, self.site.retention)
    }

    /// Applies the retention window now (at start and from time to time).
    pub fn prune(&self) {
        let mut inner = self.lock();
        let Inner { store, offices, .. } = &mut *inner;
        for (id, office) in offices.iter() {
            match store.prune(
                id,
                office.seq,
                self.site.retention_events,
                self.site.retention,
            ) {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!("{id}: {n} events older than the retention window forgotten");
                }
                Err(e) => tracing::warn!("{id}: could not prune old events: {e}"),
            }
        }
    }

    /// The events after `last` from the log; `None` when some are no longer kept.
    pub fn events_after(
        &self,
        office: &str,
        last: u64,
    ) -> Result<Option<Vec<ServerMessage>>, StoreError> {
        let current = self.seq(office).unwrap_or(0);
        // Publishing: every event the log still holds (the broker keeps its own window).
        self.read_after(office, last, current, (u64::MAX, std::time::Duration::MAX))
    }

    /// The events in (`last`, `current`], read on the second connection when there is one
    /// (committed events are all it sees, which is all that is asked).
    fn read_after(
        &self,
        office: &str,
        last: u64,
        current: u64,
        window: (u64, std::time::Duration),
    ) -> Result<Option<Vec<ServerMessage>>, StoreError> {
        match &self.reader {
            Some(reader) => reader
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .after(office, last, current, window),
            None => self.lock().store.after(office, last, current, window),
        }
    }

    /// Subscribes to the office's live frames (without waiting for a commit).
    pub fn subscribe(&self, office: &str) -> Option<broadcast::Receiver<Arc<ServerMessage>>> {
        self.live.get(office).map(|l| l.frames.subscribe())
    }

    /// A copy of the office's board now (the console lists its notices and emergency).
    pub fn board(&self, office: &str) -> Option<Board> {
        self.lock().offices.get(office).map(|o| o.board.clone())
    }

    /// The office's state now as a snapshot a display accepts (see [`fitted`]).
    pub fn snapshot(&self, office: &str) -> Option<ServerMessage> {
        self.lock()
            .offices
            .get(office)
            .map(|o| fitted(office, o.seq, o.board.to_state()))
    }

    pub fn keepalive(&self, office: &str) -> Option<ServerMessage> {
        self.seq(office).map(ServerMessage::keepalive_now)
    }

    /// What a display that says `hello` or `resync` gets: the events it missed when the log
    /// still has them all, otherwise a snapshot.
    pub fn answer(
        &self,
        office: &str,
        request: &ClientMessage,
    ) -> Result<Vec<ServerMessage>, Refusal> {
        // Neither part holds the log's lock across a read of the log: the seq is an atomic,
        // a replay is read on the second connection, and only a snapshot (the board, in
        // memory) takes the lock. A snapshot newer than `current` is fine: it stands for
        // everything up to its own seq, and live frames go on after it.
        let Some(current) = self.seq(office) else {
            return Err(Refusal::UnknownOffice(office.to_owned()));
        };
        let snapshot = || {
            self.snapshot(office)
                .unwrap_or_else(|| ServerMessage::Snapshot {
                    v: VERSION,
                    seq: current,
                    state: State::default(),
                })
        };
        let missed = |last| match self.read_after(office, last, current, self.window()) {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!("{office}: {e}; answering with a snapshot");
                None
            }
        };
        Ok(herald_core::office::conversation::answer(
            request, current, missed, snapshot,
        ))
    }
}

/// A snapshot within a display's frame limit, without expired notices; what had to be left
/// out is logged (a display still gets the events that follow).
fn fitted(office: &str, seq: u64, state: State) -> ServerMessage {
    let (snapshot, left_out) =
        herald_core::protocol::fitted_snapshot(seq, state, chrono::Utc::now());
    if left_out.iter().any(|l| !l.contains("expired")) {
        tracing::warn!(
            "{office}: the snapshot #{seq} would be over a display's {} KiB frame limit; left out {}",
            herald_core::protocol::MAX_FRAME_BYTES / 1024,
            left_out.join(", ")
        );
    }
    snapshot
}

/// One line for the log: what the waiting room will see.
pub fn describe(frame: &ServerMessage) -> String {
    match frame {
        ServerMessage::Call { call, .. } => format!(
            "{} {} → {}",
            if call.recall { "recall" } else { "call" },
            call.ticket,
            call.counter.label
        ),
        ServerMessage::CallEnded {
            call_id, reason, ..
        } => format!("{reason:?} {call_id}").to_lowercase(),
        ServerMessage::Counter { counter, .. } => {
            format!("counter {} {:?}", counter.label, counter.state).to_lowercase()
        }
        ServerMessage::Notice { notice, .. } => format!("notice {}", notice.id),
        ServerMessage::NoticeWithdrawn { notice_id, .. } => format!("notice {notice_id} withdrawn"),
        ServerMessage::Emergency { emergency, .. } => {
            format!("EMERGENCY {} raised ({:?})", emergency.id, emergency.kind).to_lowercase()
        }
        ServerMessage::EmergencyCleared { emergency_id, .. } => {
            format!("emergency {emergency_id} cleared")
        }
        other => other.kind().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::OfficeSite;
    use std::time::Duration;

    /// While a commit holds the log (a slow disk's fsync), displays are still served: their
    /// keepalives, their live frames and their replays do not wait for it.
    #[test]
    fn a_slow_commit_holds_up_no_display() {
        let dir = std::env::temp_dir().join(format!("herald-relay-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let database = dir.join("relay.db");
        let relay = Relay::new(
            Site::single(
                OfficeSite::open("sk.x", "sk"),
                "127.0.0.1:0",
                database.clone(),
            ),
            Store::open(&database).expect("log"),
        )
        .expect("relay");
        for n in 1..=3 {
            relay
                .accept(
                    "sk.x",
                    None,
                    |site, board| {
                        crate::webhook::translate(
                            format!(
                                r#"{{"type":"call","call_id":"c{n}","ticket":"A00{n}","counter":"1"}}"#
                            )
                            .as_bytes(),
                            site,
                            board,
                            "2026-12-04T09:00:00+01:00",
                        )
                    },
                    None,
                )
                .expect("stored");
        }
        let (held_tx, held) = std::sync::mpsc::channel();
        let (done_tx, done) = std::sync::mpsc::channel::<()>();
        let holder = {
            let relay = relay.clone();
            std::thread::spawn(move || {
                let _log = relay.lock();
                let _ = held_tx.send(());
                // Held until the reads below are done, or for a minute if they wait for it.
                done.recv_timeout(Duration::from_secs(60)).is_ok()
            })
        };
        held.recv().expect("the log is held");
        assert_eq!(relay.seq("sk.x"), Some(3));
        assert!(relay.keepalive("sk.x").is_some());
        assert!(relay.subscribe("sk.x").is_some());
        let replay = relay.events_after("sk.x", 1).expect("read");
        assert_eq!(replay.map(|r| r.len()), Some(2));
        let _ = done_tx.send(());
        assert!(
            holder.join().expect("holder"),
            "reads waited for the commit's lock"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
