//! The server side of protocol v1 in one small type: numbers events, keeps the recent ones to
//! replay to a display that resumes, and builds snapshots. The embedded demo feed uses it, and
//! so can the tests' servers, so that every server herald meets numbers seqs the same way.

use std::collections::VecDeque;

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
        ServerMessage::Keepalive {
            v: VERSION,
            seq: self.seq,
        }
    }

    /// What to send a display that says `hello` or `resync`: the events it missed when they are
    /// all still kept, otherwise a snapshot.
    pub fn answer(&self, request: &ClientMessage) -> Vec<ServerMessage> {
        let last = match request {
            ClientMessage::Hello { last_seq, .. } => *last_seq,
            ClientMessage::Resync { .. } => None,
        };
        match last {
            Some(last) if last == self.seq => Vec::new(),
            Some(last) if last < self.seq => {
                let missed: Vec<_> = self
                    .recent
                    .iter()
                    .filter(|m| m.seq() > last)
                    .cloned()
                    .collect();
                if missed.first().is_some_and(|m| m.seq() == last + 1) {
                    missed
                } else {
                    vec![self.snapshot()]
                }
            }
            _ => vec![self.snapshot()],
        }
    }
}
