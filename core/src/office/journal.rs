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

/// What one connected display has been sent, so that live events after its `hello` reach it
/// exactly once: none before its answer (replay or snapshot), none repeated after it.
#[derive(Debug, Default)]
pub struct Subscriber {
    greeted: bool,
    sent_up_to: u64,
}

impl Subscriber {
    /// The frames that answer the display's `hello` or `resync`.
    pub fn answer(&mut self, journal: &Journal, request: &ClientMessage) -> Vec<ServerMessage> {
        let frames = journal.answer(request);
        for frame in &frames {
            self.sent_up_to = self.sent_up_to.max(frame.seq());
        }
        if let ClientMessage::Hello { last_seq, .. } = request {
            self.greeted = true;
            self.sent_up_to = self.sent_up_to.max(last_seq.unwrap_or(0));
        }
        frames
    }

    pub fn greeted(&self) -> bool {
        self.greeted
    }

    /// Whether a live event with this seq should be sent now (and records that it was).
    pub fn forward(&mut self, seq: u64) -> bool {
        if !self.greeted || seq <= self.sent_up_to {
            return false;
        }
        self.sent_up_to = seq;
        true
    }

    /// Records that a snapshot at `seq` was sent (after a lag), which covers everything before it.
    pub fn sent_snapshot(&mut self, seq: u64) {
        self.sent_up_to = seq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn hello(last_seq: Option<u64>) -> ClientMessage {
        ClientMessage::Hello {
            v: VERSION,
            display: "d".into(),
            token: None,
            last_seq,
        }
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

    #[test]
    fn a_subscriber_gets_each_live_event_once_and_only_after_hello() {
        let mut journal = Journal::new(State::default(), 100);
        let mut subscriber = Subscriber::default();
        let early = record_call(&mut journal, 1);
        assert!(!subscriber.forward(early.seq()), "nothing before hello");
        let answer = subscriber.answer(&journal, &hello(None));
        assert_eq!(answer.len(), 1);
        assert!(!subscriber.forward(early.seq()), "already in the snapshot");
        let live = record_call(&mut journal, 2);
        assert!(subscriber.forward(live.seq()));
        assert!(!subscriber.forward(live.seq()), "never twice");
    }
}
