//! The board: the waiting room's state as the queue system last told it.
//!
//! Pure Rust, no Bevy. The feed hands it frames in order; it applies each `seq` exactly once,
//! drops duplicates, reports gaps so the feed can ask for a snapshot, and says what is new
//! (a call, a recall, an end) so the screen can animate and the announcer can speak.

use std::collections::{HashSet, VecDeque};

use crate::protocol::{
    Call, CallEnd, Counter, CounterState, Emergency, Notice, Queue, ServerMessage, State,
};

/// How many calls the board remembers, newest first. Layouts show fewer.
pub const HISTORY: usize = 30;
/// How many call ids are remembered as already announced (bounded, oldest forgotten first).
const ANNOUNCED_MEMORY: usize = 2_000;

/// One call on the board.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CallEntry {
    pub call: Call,
    /// The visitor was served; the call stays in the history but no longer at the counter.
    pub finished: bool,
    /// How many times this call was repeated after the first.
    pub recalls: u32,
}

/// Something a person in the room would notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    /// A ticket was called for the first time.
    Called(Call),
    /// The same ticket was called again.
    Recalled(Call),
    /// A call ended: cancelled calls leave the screen, finished ones stay in history.
    Ended {
        call_id: String,
        reason: CallEnd,
    },
    CounterChanged(Counter),
    NoticesChanged,
    /// An emergency was raised, replaced or cleared.
    EmergencyChanged,
    /// New waiting figures.
    QueueChanged,
    /// A snapshot replaced the state.
    Replaced,
}

/// What applying one frame did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The frame was applied; here is what changed (may be empty, e.g. a keepalive).
    Changed(Vec<News>),
    /// This seq (or an older one) was already applied; nothing changed.
    Duplicate { seq: u64, last: u64 },
    /// A seq was skipped (or there is no snapshot yet); ask the server for a snapshot.
    Gap { expected: Option<u64>, got: u64 },
    /// The server's latest seq is below the last one applied: the queue system restarted and
    /// lost its numbering. Ask for a snapshot; it starts the new numbering.
    Renumbered { last: u64, got: u64 },
}

/// What a display does with visitors' names (`call.visitor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Names {
    /// Dropped on arrival: tickets only (the default everywhere).
    #[default]
    Hidden,
    /// Kept as initials only ("Jana Nováková" → "J. N."), for sites that enable names.
    Initials,
}

impl Names {
    fn apply(self, call: &mut Call) {
        call.visitor = match self {
            Self::Hidden => None,
            Self::Initials => call
                .visitor
                .as_deref()
                .map(initials)
                .filter(|i| !i.is_empty()),
        };
    }
}

/// "Jana Nováková" → "J. N."; "Олена Петренко-Коваль" → "О. П."; at most three initials.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphabetic()))
        .take(3)
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Clone, Debug, Default)]
pub struct Board {
    last_seq: Option<u64>,
    /// Newest first.
    calls: VecDeque<CallEntry>,
    counters: Vec<Counter>,
    notices: Vec<Notice>,
    emergency: Option<Emergency>,
    announced: HashSet<String>,
    announced_order: VecDeque<String>,
    applied_events: u64,
    queue: Option<Queue>,
    names: Names,
}

impl Board {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep visitors' initials (`--show-names`); by default names are dropped on arrival.
    pub fn set_names(&mut self, names: Names) {
        self.names = names;
    }

    /// The waiting figures the queue system sent last, if any.
    pub fn queue(&self) -> Option<&Queue> {
        self.queue.as_ref()
    }

    /// The last seq applied, which the feed sends in `hello` to resume.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Number of frames that changed the board (snapshots included).
    pub fn applied_events(&self) -> u64 {
        self.applied_events
    }

    /// Calls newest first, cancelled ones excluded.
    pub fn calls(&self) -> impl Iterator<Item = &CallEntry> {
        self.calls.iter()
    }

    /// The call the hero zone shows: the newest one.
    pub fn current(&self) -> Option<&CallEntry> {
        self.calls.front()
    }

    pub fn counters(&self) -> &[Counter] {
        &self.counters
    }

    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// Notices in force at `now` (started, not expired). An expiry that cannot be read keeps
    /// the notice.
    pub fn active_notices(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<&Notice> {
        self.notices.iter().filter(|n| n.in_force(now)).collect()
    }

    /// The emergency raised, expired or not (the screen decides by its clock and scope).
    pub fn emergency(&self) -> Option<&Emergency> {
        self.emergency.as_ref()
    }

    /// The ticket a counter is serving now: its newest call that is not finished.
    pub fn serving(&self, counter_id: &str) -> Option<&Call> {
        self.calls
            .iter()
            .find(|e| !e.finished && e.call.counter.id == counter_id)
            .map(|e| &e.call)
    }

    /// True when the office has counters and every one is closed.
    pub fn office_closed(&self) -> bool {
        !self.counters.is_empty()
            && self
                .counters
                .iter()
                .all(|c| c.state == CounterState::Closed)
    }

    /// Applies one frame from the server.
    pub fn apply(&mut self, message: &ServerMessage) -> Applied {
        let seq = message.seq();
        if let ServerMessage::Snapshot { state, .. } = message {
            return Applied::Changed(self.replace(seq, state));
        }
        let Some(last) = self.last_seq else {
            return Applied::Gap {
                expected: None,
                got: seq,
            };
        };
        if let ServerMessage::Keepalive { .. } = message {
            // A keepalive repeats the server's latest seq: ahead of us means we missed events;
            // behind us means the server started counting again, and every event of the new
            // numbering would look like a duplicate until a snapshot starts it here too.
            return match seq.cmp(&last) {
                std::cmp::Ordering::Greater => Applied::Gap {
                    expected: Some(last + 1),
                    got: seq,
                },
                std::cmp::Ordering::Less => Applied::Renumbered { last, got: seq },
                std::cmp::Ordering::Equal => Applied::Changed(Vec::new()),
            };
        }
        if seq <= last {
            return Applied::Duplicate { seq, last };
        }
        if seq != last + 1 {
            return Applied::Gap {
                expected: Some(last + 1),
                got: seq,
            };
        }
        self.last_seq = Some(seq);
        self.applied_events += 1;
        Applied::Changed(self.apply_event(message))
    }

    /// Applies an event made on this display (a preview's test call, notice or counter change)
    /// without touching the feed's seq: the queue system never hears of it, and its next
    /// snapshot replaces it.
    pub fn apply_local(&mut self, message: &ServerMessage) -> Vec<News> {
        self.apply_event(message)
    }

    fn apply_event(&mut self, message: &ServerMessage) -> Vec<News> {
        match message {
            ServerMessage::Call { call, .. } => vec![self.add_call(call.clone())],
            ServerMessage::CallEnded {
                call_id, reason, ..
            } => {
                let Some(index) = self.calls.iter().position(|e| &e.call.id == call_id) else {
                    return Vec::new();
                };
                match reason {
                    CallEnd::Cancelled => {
                        self.calls.remove(index);
                    }
                    CallEnd::Finished => self.calls[index].finished = true,
                }
                vec![News::Ended {
                    call_id: call_id.clone(),
                    reason: *reason,
                }]
            }
            ServerMessage::Counter { counter, .. } => {
                match self.counters.iter_mut().find(|c| c.id == counter.id) {
                    Some(existing) => *existing = counter.clone(),
                    None => self.counters.push(counter.clone()),
                }
                vec![News::CounterChanged(counter.clone())]
            }
            ServerMessage::Notice { notice, .. } => {
                match self.notices.iter_mut().find(|n| n.id == notice.id) {
                    Some(existing) => *existing = notice.clone(),
                    None => self.notices.push(notice.clone()),
                }
                vec![News::NoticesChanged]
            }
            ServerMessage::NoticeWithdrawn { notice_id, .. } => {
                self.notices.retain(|n| &n.id != notice_id);
                vec![News::NoticesChanged]
            }
            ServerMessage::Emergency { emergency, .. } => {
                self.emergency = Some(emergency.clone());
                vec![News::EmergencyChanged]
            }
            ServerMessage::EmergencyCleared { emergency_id, .. } => {
                // Clearing an emergency that a newer one replaced changes nothing.
                if self
                    .emergency
                    .as_ref()
                    .is_some_and(|e| &e.id == emergency_id)
                {
                    self.emergency = None;
                    vec![News::EmergencyChanged]
                } else {
                    Vec::new()
                }
            }
            ServerMessage::Queue { queue, .. } => {
                self.queue = Some(queue.clone());
                vec![News::QueueChanged]
            }
            ServerMessage::Snapshot { .. } | ServerMessage::Keepalive { .. } => Vec::new(),
        }
    }

    fn add_call(&mut self, mut call: Call) -> News {
        self.names.apply(&mut call);
        let known = self.calls.iter().position(|e| e.call.id == call.id);
        let is_recall = call.recall || known.is_some();
        let recalls = match known {
            Some(index) => self.calls.remove(index).map_or(0, |e| e.recalls + 1),
            None => 0,
        };
        self.calls.push_front(CallEntry {
            call: call.clone(),
            finished: false,
            recalls,
        });
        self.calls.truncate(HISTORY);
        self.remember_announced(&call.id);
        if is_recall {
            News::Recalled(call)
        } else {
            News::Called(call)
        }
    }

    fn remember_announced(&mut self, id: &str) {
        if self.announced.insert(id.to_owned()) {
            self.announced_order.push_back(id.to_owned());
            while self.announced_order.len() > ANNOUNCED_MEMORY {
                if let Some(old) = self.announced_order.pop_front() {
                    self.announced.remove(&old);
                }
            }
        }
    }

    fn replace(&mut self, seq: u64, state: &State) -> Vec<News> {
        // The first snapshot is history: nothing in it is announced. A later snapshot (after a gap
        // or a reconnect) may carry calls made while we were away; those are still news.
        let first = self.last_seq.is_none() && self.applied_events == 0;
        let mut news = vec![News::Replaced];
        self.calls.clear();
        // Only the newest HISTORY calls are kept; older ones are not news either.
        let kept_from = state.calls.len().saturating_sub(HISTORY);
        for (index, call) in state.calls.iter().enumerate() {
            let mut call = call.clone();
            self.names.apply(&mut call);
            let call = &call;
            // State lists calls oldest first; the board keeps newest first.
            let unseen = !self.announced.contains(&call.id);
            let finished = state.finished.contains(&call.id);
            self.calls.retain(|e| e.call.id != call.id);
            self.calls.push_front(CallEntry {
                call: call.clone(),
                finished,
                recalls: 0,
            });
            // A visitor already served while we were away is history, not a call to announce.
            if unseen && !first && !finished && index >= kept_from {
                news.push(News::Called(call.clone()));
            }
            self.remember_announced(&call.id);
        }
        self.calls.truncate(HISTORY);
        self.counters = state.counters.clone();
        self.notices = state.notices.clone();
        self.emergency = state.emergency.clone();
        self.queue = state.queue.clone();
        self.last_seq = Some(seq);
        self.applied_events += 1;
        news
    }

    /// What a restart must not forget: the calls, counters and notices, the last applied seq,
    /// and which calls were already announced.
    pub fn remember(&self) -> crate::memory::Remembered {
        crate::memory::Remembered {
            version: crate::memory::VERSION,
            saved_at: chrono::Utc::now().to_rfc3339(),
            last_seq: self.last_seq,
            // Names (even initials) never reach the state file; waiting figures go stale and
            // are not remembered either.
            calls: self
                .calls
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e.call.visitor = None;
                    e
                })
                .collect(),
            counters: self.counters.clone(),
            notices: self.notices.clone(),
            emergency: self.emergency.clone(),
            announced: self.announced_order.iter().cloned().collect(),
        }
    }

    /// The board as it was remembered: its calls are history (none is news again), and the
    /// feed resumes from its last seq.
    pub fn restore(remembered: crate::memory::Remembered) -> Self {
        let mut board = Self {
            last_seq: remembered.last_seq,
            calls: remembered.calls.into_iter().take(HISTORY).collect(),
            counters: remembered.counters,
            notices: remembered.notices,
            emergency: remembered.emergency,
            ..Self::default()
        };
        let ids: Vec<String> = board.calls.iter().map(|e| e.call.id.clone()).collect();
        for id in remembered.announced.iter().chain(&ids) {
            board.remember_announced(id);
        }
        board
    }

    /// The board as a snapshot, oldest call first (used by the demo feed to answer `hello`).
    pub fn to_state(&self) -> State {
        State {
            calls: self.calls.iter().rev().map(|e| e.call.clone()).collect(),
            counters: self.counters.clone(),
            notices: self.notices.clone(),
            finished: self
                .calls
                .iter()
                .filter(|e| e.finished)
                .map(|e| e.call.id.clone())
                .collect(),
            queue: self.queue.clone(),
            emergency: self.emergency.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::VERSION;

    pub(crate) fn call(seq: u64, ticket: &str, counter: &str) -> ServerMessage {
        ServerMessage::Call {
            v: VERSION,
            seq,
            call: Call::new(
                format!("id-{ticket}"),
                ticket,
                counter,
                "2026-11-22T09:00:00Z",
            ),
        }
    }

    fn snapshot(seq: u64, calls: Vec<Call>) -> ServerMessage {
        ServerMessage::Snapshot {
            v: VERSION,
            seq,
            state: State {
                calls,
                ..State::default()
            },
        }
    }

    fn started() -> Board {
        let mut board = Board::new();
        board.apply(&snapshot(0, vec![]));
        board
    }

    #[test]
    fn a_new_call_becomes_current_and_pushes_the_old_one_down() {
        let mut board = started();
        assert!(
            matches!(board.apply(&call(1, "A001", "1")), Applied::Changed(n) if matches!(n[..], [News::Called(_)]))
        );
        board.apply(&call(2, "B002", "2"));
        let tickets: Vec<_> = board.calls().map(|e| e.call.ticket.as_str()).collect();
        assert_eq!(tickets, ["B002", "A001"]);
        assert_eq!(board.serving("1").map(|c| c.ticket.as_str()), Some("A001"));
    }

    #[test]
    fn names_are_dropped_unless_enabled_and_then_kept_as_initials_only() {
        let named = |seq| ServerMessage::Call {
            v: VERSION,
            seq,
            call: Call {
                visitor: Some("Jana  Nováková".into()),
                ..Call::new(format!("n{seq}"), "A001", "1", "2026-11-22T09:00:00Z")
            },
        };
        let mut board = started();
        board.apply(&named(1));
        assert_eq!(board.current().and_then(|e| e.call.visitor.clone()), None);
        board.set_names(Names::Initials);
        board.apply(&named(2));
        assert_eq!(
            board.current().and_then(|e| e.call.visitor.as_deref()),
            Some("J. N.")
        );
        let file = serde_json::to_string(&board.remember()).expect("json");
        assert!(!file.contains("J. N.") && !file.contains("Nov"), "{file}");
        assert_eq!(initials("Олена Петренко-Коваль"), "О. П.");
    }

    #[test]
    fn each_seq_is_applied_once() {
        let mut board = started();
        board.apply(&call(1, "A001", "1"));
        assert_eq!(
            board.apply(&call(1, "A001", "1")),
            Applied::Duplicate { seq: 1, last: 1 }
        );
        assert_eq!(board.calls().count(), 1);
    }

    #[test]
    fn a_gap_is_reported_and_not_applied() {
        let mut board = started();
        board.apply(&call(1, "A001", "1"));
        assert_eq!(
            board.apply(&call(3, "A003", "1")),
            Applied::Gap {
                expected: Some(2),
                got: 3
            }
        );
        assert_eq!(board.calls().count(), 1);
        assert_eq!(board.last_seq(), Some(1));
        // A keepalive ahead of us is a gap too.
        assert!(matches!(
            board.apply(&ServerMessage::Keepalive {
                v: 1,
                seq: 5,
                now: None,
                report: None,
            }),
            Applied::Gap { .. }
        ));
    }

    #[test]
    fn events_before_any_snapshot_ask_for_one() {
        let mut board = Board::new();
        assert_eq!(
            board.apply(&call(4, "A004", "1")),
            Applied::Gap {
                expected: None,
                got: 4
            }
        );
    }

    #[test]
    fn a_recall_is_news_and_moves_the_call_to_the_top() {
        let mut board = started();
        board.apply(&call(1, "A001", "1"));
        board.apply(&call(2, "A002", "2"));
        let Applied::Changed(news) = board.apply(&call(3, "A001", "1")) else {
            panic!("recall not applied");
        };
        assert!(matches!(&news[..], [News::Recalled(c)] if c.ticket == "A001"));
        assert_eq!(board.current().map(|e| e.recalls), Some(1));
        assert_eq!(board.calls().count(), 2);
    }

    #[test]
    fn a_cancelled_call_leaves_and_a_finished_one_stays_in_history() {
        let mut board = started();
        board.apply(&call(1, "A001", "1"));
        board.apply(&call(2, "A002", "2"));
        board.apply(&ServerMessage::CallEnded {
            v: 1,
            seq: 3,
            call_id: "id-A002".into(),
            reason: CallEnd::Cancelled,
        });
        board.apply(&ServerMessage::CallEnded {
            v: 1,
            seq: 4,
            call_id: "id-A001".into(),
            reason: CallEnd::Finished,
        });
        let tickets: Vec<_> = board.calls().map(|e| e.call.ticket.as_str()).collect();
        assert_eq!(tickets, ["A001"]);
        assert_eq!(board.serving("1"), None);
    }

    #[test]
    fn a_resync_snapshot_announces_only_calls_missed_while_away() {
        let mut board = Board::new();
        let Applied::Changed(first) =
            board.apply(&snapshot(10, vec![as_call(call(0, "A001", "1"))]))
        else {
            panic!()
        };
        assert_eq!(first, vec![News::Replaced], "the first snapshot is history");
        let Applied::Changed(news) = board.apply(&snapshot(
            12,
            vec![as_call(call(0, "A001", "1")), as_call(call(0, "A002", "2"))],
        )) else {
            panic!()
        };
        let called: Vec<_> = news
            .iter()
            .filter_map(|n| match n {
                News::Called(c) => Some(c.ticket.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(called, ["A002"]);
        assert_eq!(
            board.current().map(|e| e.call.ticket.as_str()),
            Some("A002")
        );
        assert_eq!(board.last_seq(), Some(12));
    }

    #[test]
    fn all_counters_closed_means_the_office_is_closed() {
        let mut board = started();
        assert!(
            !board.office_closed(),
            "no counters known yet is not 'closed'"
        );
        for (seq, state) in [(1, CounterState::Closed), (2, CounterState::Closed)] {
            board.apply(&ServerMessage::Counter {
                v: 1,
                seq,
                counter: Counter {
                    id: seq.to_string(),
                    label: seq.to_string(),
                    state,
                    floor: None,
                },
            });
        }
        assert!(board.office_closed());
        board.apply(&ServerMessage::Counter {
            v: 1,
            seq: 3,
            counter: Counter {
                id: "2".into(),
                label: "2".into(),
                state: CounterState::Paused,
                floor: None,
            },
        });
        assert!(!board.office_closed());
    }

    #[test]
    fn history_is_bounded() {
        let mut board = started();
        for seq in 1..=100 {
            board.apply(&call(seq, &format!("A{seq:03}"), "1"));
        }
        assert_eq!(board.calls().count(), HISTORY);
        assert_eq!(
            board.current().map(|e| e.call.ticket.as_str()),
            Some("A100")
        );
    }

    fn as_call(message: ServerMessage) -> Call {
        match message {
            ServerMessage::Call { call, .. } => call,
            other => panic!("not a call: {other:?}"),
        }
    }

    fn state_with(seq: u64, calls: &[(&str, &str)], finished: &[&str]) -> ServerMessage {
        ServerMessage::Snapshot {
            v: VERSION,
            seq,
            state: State {
                calls: calls
                    .iter()
                    .map(|(id, ticket)| Call::new(*id, *ticket, "1", "2026-11-22T09:00:00Z"))
                    .collect(),
                finished: finished.iter().map(|f| (*f).to_owned()).collect(),
                ..State::default()
            },
        }
    }

    fn called(applied: &Applied) -> Vec<String> {
        match applied {
            Applied::Changed(news) => news
                .iter()
                .filter_map(|n| match n {
                    News::Called(c) => Some(c.ticket.clone()),
                    _ => None,
                })
                .collect(),
            other => panic!("not applied: {other:?}"),
        }
    }

    #[test]
    fn a_resync_snapshot_announces_neither_finished_calls_nor_calls_beyond_the_history() {
        let mut board = Board::new();
        board.apply(&state_with(1, &[("a", "A001")], &[]));
        // While away: B001 was called and already served; 40 more calls were made.
        let mut calls = vec![("b".to_owned(), "B001".to_owned())];
        calls.extend((0..40).map(|n| (format!("c{n}"), format!("C{n:03}"))));
        let calls: Vec<(&str, &str)> = calls
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let applied = board.apply(&state_with(50, &calls, &["b"]));
        let news = called(&applied);
        assert!(
            !news.contains(&"B001".to_owned()),
            "a served visitor is not called again"
        );
        assert_eq!(
            news.len(),
            HISTORY,
            "only the calls the board keeps are news: {news:?}"
        );
        assert_eq!(news.first().map(String::as_str), Some("C010"));
    }

    #[test]
    fn a_queue_system_that_restarts_its_numbering_is_followed_not_frozen() {
        let mut board = Board::new();
        board.apply(&state_with(500, &[("a", "A001")], &[]));
        let keepalive = ServerMessage::Keepalive {
            v: VERSION,
            seq: 3,
            now: None,
            report: None,
        };
        assert_eq!(
            board.apply(&keepalive),
            Applied::Renumbered { last: 500, got: 3 }
        );
        // The snapshot the display then asks for starts the new numbering.
        let applied = board.apply(&state_with(3, &[("a", "A001"), ("n", "N001")], &[]));
        assert_eq!(called(&applied), ["N001"]);
        assert_eq!(board.last_seq(), Some(3));
        assert!(matches!(
            board.apply(&call(4, "N002", "2")),
            Applied::Changed(_)
        ));
    }
}
