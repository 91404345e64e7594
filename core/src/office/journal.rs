//! An office's log in memory: numbers events, keeps the recent ones to replay to a display that
//! resumes, and builds snapshots. The demo office inside herald ([`super::loopback`]) and the
//! tests' servers serve it; herald-relay keeps the same log in SQLite. Both answer displays by
//! the same rules ([`super::conversation`]).

use std::collections::VecDeque;

use super::conversation;
use crate::board::Board;
use crate::protocol::{ClientMessage, ServerMessage, State, VERSION};

pub struct Journal {
    board: Board,
    recent: VecDeque<ServerMessage>,
    keep: usize,
    seq: u64,
}

impl Journal {
    /// Starts at `seq` 0 with the given state; keeps up to `keep` events for replay.
    pub fn new(initial: State, keep: usize) -> Self {
        let mut board = Board::new();
        board.apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 0,
            state: initial,
        });
        Self {
            board,
            recent: VecDeque::new(),
            keep,
            seq: 0,
        }
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Numbers a new event and records it; `make` receives the seq to put in it.
    pub fn record(&mut self, make: impl FnOnce(u64) -> ServerMessage) -> ServerMessage {
        self.seq += 1;
        let message = make(self.seq);
        self.board.apply(&message);
        self.recent.push_back(message.clone());
        while self.recent.len() > self.keep {
            self.recent.pop_front();
        }
        message
    }

    pub fn snapshot(&self) -> ServerMessage {
        ServerMessage::Snapshot {
            v: VERSION,
            seq: self.seq,
            state: self.board.to_state(),
        }
    }

    pub fn keepalive(&self) -> ServerMessage {
        ServerMessage::keepalive_now(self.seq)
    }

    /// What to send a display that says `hello` or `resync` (the shared rule,
    /// [`conversation::answer`]): the events it missed when they are all still kept, otherwise
    /// a snapshot.
    pub fn answer(&self, request: &ClientMessage) -> Vec<ServerMessage> {
        conversation::answer(
            request,
            self.seq,
            |last| {
                Some(
                    self.recent
                        .iter()
                        .filter(|m| m.seq() > last)
                        .cloned()
                        .collect(),
                )
            },
            || self.snapshot(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::office::conversation::tests::hello;
    use crate::protocol::Call;

    fn record_call(journal: &mut Journal, n: u32) -> ServerMessage {
        let call = Call::new(
            format!("c{n}"),
            format!("A{n:03}"),
            "1",
            "2026-11-22T09:00:00Z",
        );
        journal.record(|seq| ServerMessage::Call {
            v: VERSION,
            seq,
            call,
        })
    }

    #[test]
    fn a_resuming_display_gets_the_missed_events_and_an_old_one_a_snapshot() {
        let mut journal = Journal::new(State::default(), 3);
        for n in 1..=5 {
            record_call(&mut journal, n);
        }
        let seqs = |frames: Vec<ServerMessage>| {
            frames
                .iter()
                .map(|m| (m.kind(), m.seq()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            seqs(journal.answer(&hello(Some(3)))),
            [("call", 4), ("call", 5)]
        );
        assert_eq!(seqs(journal.answer(&hello(Some(5)))), []);
        // Only the last three are kept: seq 2 is too old to replay.
        assert_eq!(seqs(journal.answer(&hello(Some(1)))), [("snapshot", 5)]);
        assert_eq!(seqs(journal.answer(&hello(None))), [("snapshot", 5)]);
    }
}
