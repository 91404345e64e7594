//! The room: the board plus what the screen is doing with it (which call holds the hero zone
//! and since when, which calls wait for their turn, which are still marked as new). Plain data;
//! the screen keeps one of these in a resource, so every screen system reads one place.

use std::collections::VecDeque;
use std::time::Instant;

use crate::board::{Applied, Board, News};
use crate::link::FeedStatus;
use crate::log_event::{self, LogEvent};
use crate::protocol::{Call, Queue, ServerMessage};
use crate::scope::Scope;

/// How long a call for another part of the building stays in the "elsewhere" line.
pub const ELSEWHERE_FOR: std::time::Duration = std::time::Duration::from_secs(60);
/// The "elsewhere" line lists at most this many calls, newest first.
pub const ELSEWHERE_MAX: usize = 2;

/// A call waiting for, or holding, the hero zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeroCall {
    pub call: Call,
    pub recall: bool,
    /// True when it arrived as news (animate it); false when it is just the newest call on start.
    pub fresh: bool,
}

/// What the room lets through to the hero and the loudspeaker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoomLimits {
    /// A call older than this (by its `at`) is listed in the history but neither takes the hero
    /// nor is announced: after an outage or a flood nobody waits for a ticket called long ago.
    /// `None`: any age.
    pub max_call_age: Option<chrono::Duration>,
    /// At most this many calls wait for their 4 s on the hero; older ones go straight to the
    /// recent list.
    pub max_waiting: usize,
}

impl Default for RoomLimits {
    fn default() -> Self {
        Self {
            max_call_age: Some(chrono::Duration::minutes(5)),
            max_waiting: 12,
        }
    }
}

/// The shortest time a call holds the hero, however many wait: enough to read a ticket and a
/// counter number from the back of the room, and for the hero's motion (1.6 s) to end.
pub const SHORTEST_TURN: f64 = 2.0;

/// Calls the room did not put on the hero, by reason (for the log and the status).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    pub stale: u64,
    pub backlog: u64,
}

#[derive(Default)]
pub struct Room {
    pub limits: RoomLimits,
    pub skipped: Skipped,
    pub board: Board,
    pub status: FeedStatus,
    /// Bumped whenever the board changes, so text refreshes only when needed.
    pub revision: u64,
    /// Calls that arrived and still need their turn on the hero, oldest first.
    pub pending: VecDeque<HeroCall>,
    pub hero: Option<HeroCall>,
    /// `Time::elapsed_secs_f64` when the current hero took the stage.
    pub hero_since: f64,
    /// Calls and cancellations for the announcer, with when their frame arrived; drained by
    /// the loudspeaker each frame.
    pub to_announce: Vec<(ToAnnounce, Instant)>,
    /// Calls that came up as news, with when they took the hero: they stay marked for the
    /// layout's `mark_seconds`, in the recent list too, so a visitor who did not hear the call
    /// still sees which calls are new.
    pub marked: Vec<(String, f64)>,
    /// Ids of calls made in the preview (test calls): shown and announced here only.
    pub test_calls: std::collections::HashSet<String>,
    /// When the last event changed the board (feed or preview).
    pub last_news: Option<Instant>,
    /// The counters, floors and services this screen is for; other calls are neither on its
    /// hero nor announced in its room.
    pub scope: Scope,
    /// Calls for other parts of the building, newest first, with when they came.
    pub elsewhere: VecDeque<(Call, Instant)>,
    /// When the waiting figures last came from the queue system.
    pub queue_since: Option<Instant>,
    /// This display's `hello` id: notices for chosen displays name it.
    pub display: String,
}

/// What the announcer must hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "a handful exist at a time, one per call in flight: boxing the call buys nothing"
)]
pub enum ToAnnounce {
    /// A new call or a recall (`call.recall`); `test` when made in the preview.
    Call {
        call: Call,
        test: bool,
    },
    Cancel(String),
}

impl Room {
    /// The notices this screen shows at `now`: in force, and for its floor and its id.
    pub fn notices_here(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<&crate::protocol::Notice> {
        let floor = self.scope.floor();
        self.board
            .active_notices(now)
            .into_iter()
            .filter(|n| n.is_for(floor, &self.display))
            .collect()
    }

    /// The emergency this screen shows at `now`, if one is raised for its floor and has not
    /// expired. A lost feed does not end it: only a clear, or its own expiry, does.
    pub fn emergency_here(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<&crate::protocol::Emergency> {
        self.board
            .emergency()
            .filter(|e| e.in_force(now) && e.is_for(self.scope.floor()))
    }

    /// Applies a frame directly (tests, preview); the feed path goes through `feed::pump`.
    pub fn apply(&mut self, message: &ServerMessage) -> Applied {
        let applied = self.board.apply(message);
        if let Applied::Changed(news) = &applied {
            self.take_news(news.clone(), Instant::now());
        }
        applied
    }

    /// Applies an event made on this display (the preview's test call, notice or counter
    /// change) through the same path as a feed event, without the feed's seq. Test calls are
    /// remembered so the announcer and the log can say they were tests.
    pub fn inject(&mut self, message: &ServerMessage) {
        if let ServerMessage::Call { call, .. } = message {
            self.test_calls.insert(call.id.clone());
        }
        let news = self.board.apply_local(message);
        log_event::emit(LogEvent::TestEvent {
            kind: message.kind().to_owned(),
            test: true,
        });
        self.take_news(news, Instant::now());
    }

    /// Queues new calls and recalls for the hero, drops cancelled ones, and marks a change.
    pub fn take_news(&mut self, news: Vec<News>, received: Instant) {
        // A keepalive changes nothing: no redraw, no rebuilt counter strip.
        if news.is_empty() {
            return;
        }
        self.revision += 1;
        self.last_news = Some(received);
        // Calls are stamped by the queue system's clock: judge their age by it too.
        let now = self.status.office_now();
        for item in news {
            if let News::Called(call) | News::Recalled(call) = &item
                && !self.scope.takes_call(call, self.board.counters())
            {
                // Another floor's or counter group's call: listed as "elsewhere" for a while
                // (unless it is old news), never on this hero or loudspeaker.
                self.elsewhere.retain(|(c, _)| c.id != call.id);
                if self.too_old(call, now).is_none() {
                    self.elsewhere.push_front((call.clone(), received));
                    self.elsewhere.truncate(ELSEWHERE_MAX);
                }
                continue;
            }
            if let News::Called(call) | News::Recalled(call) = &item
                && let Some(age) = self.too_old(call, now)
            {
                self.skipped.stale += 1;
                tracing::info!(
                    "{} was called {} s ago: listed, but neither shown large nor announced",
                    call.ticket,
                    age.num_seconds()
                );
                log_event::emit(LogEvent::CallSkipped {
                    ticket: call.ticket.clone(),
                    reason: "stale".into(),
                    age_s: Some(age.num_seconds()),
                });
                continue;
            }
            match &item {
                News::Called(call) => self.to_announce.push((
                    ToAnnounce::Call {
                        call: call.clone(),
                        test: self.test_calls.contains(&call.id),
                    },
                    received,
                )),
                // The board also knows a call repeated under the same id as a recall.
                News::Recalled(call) => self.to_announce.push((
                    ToAnnounce::Call {
                        call: Call {
                            recall: true,
                            ..call.clone()
                        },
                        test: self.test_calls.contains(&call.id),
                    },
                    received,
                )),
                News::Ended { call_id, reason }
                    if *reason == crate::protocol::CallEnd::Cancelled =>
                {
                    self.to_announce
                        .push((ToAnnounce::Cancel(call_id.clone()), received));
                }
                _ => {}
            }
            match item {
                News::Called(call) => self.pending.push_back(HeroCall {
                    call,
                    recall: false,
                    fresh: true,
                }),
                News::Recalled(call) => {
                    // A recall replaces a still-waiting turn of the same call instead of queueing twice.
                    self.pending.retain(|h| h.call.id != call.id);
                    self.pending.push_back(HeroCall {
                        call,
                        recall: true,
                        fresh: true,
                    });
                }
                News::Ended { call_id, reason } => {
                    if reason == crate::protocol::CallEnd::Cancelled {
                        self.elsewhere.retain(|(c, _)| c.id != call_id);
                        self.pending.retain(|h| h.call.id != call_id);
                        if self.hero.as_ref().is_some_and(|h| h.call.id == call_id) {
                            self.hero = None;
                        }
                    }
                }
                News::QueueChanged => self.queue_since = Some(received),
                News::Replaced => {
                    self.queue_since = self.board.queue().map(|_| received);
                    // A snapshot may have removed the hero's call (cancelled while we were away).
                    if let Some(hero) = &self.hero
                        && !self.board.calls().any(|e| e.call.id == hero.call.id)
                    {
                        self.hero = None;
                    }
                }
                News::CounterChanged(_) | News::NoticesChanged | News::EmergencyChanged => {}
            }
        }
        while self.pending.len() > self.limits.max_waiting {
            let Some(old) = self.pending.pop_front() else {
                break;
            };
            self.skipped.backlog += 1;
            log_event::emit(LogEvent::CallSkipped {
                ticket: old.call.ticket.clone(),
                reason: "backlog".into(),
                age_s: None,
            });
        }
    }

    /// How old `call` is at `now`, when that is over the room's limit.
    fn too_old(&self, call: &Call, now: chrono::DateTime<chrono::Utc>) -> Option<chrono::Duration> {
        let limit = self.limits.max_call_age?;
        let at = chrono::DateTime::parse_from_rfc3339(&call.at).ok()?;
        let age = now.signed_duration_since(at);
        (age > limit).then_some(age)
    }

    /// How long the hero keeps a call while others wait: the full `hold` when none waits,
    /// shorter as the queue grows (a rush at opening time: a call every 2 s must not leave the
    /// hero a minute behind the counters), never under [`SHORTEST_TURN`]. Beyond that, the cap
    /// on waiting calls (`max_waiting`) handles floods.
    pub fn turn(&self, hold: f64) -> f64 {
        let waiting = self.pending.len() as f64;
        (hold / (1.0 + waiting / 2.0)).max(SHORTEST_TURN.min(hold))
    }

    /// Moves the hero on: a waiting call takes over once the current one has had its turn
    /// ([`Room::turn`] of `hold` seconds; at once if the hero is empty). Returns the new hero
    /// when it changed.
    pub fn advance(&mut self, now: f64, hold: f64) -> Option<&HeroCall> {
        let due = match &self.hero {
            None => true,
            Some(_) => now - self.hero_since >= self.turn(hold),
        };
        if due && let Some(next) = self.pending.pop_front() {
            // Marks end after at most 120 s (the largest `mark_seconds` a layout may ask).
            self.marked.retain(|(_, at)| now - at < 120.0);
            if next.fresh {
                self.marked.retain(|(id, _)| *id != next.call.id);
                self.marked.push((next.call.id.clone(), now));
            }
            self.hero = Some(next);
            self.hero_since = now;
            self.revision += 1;
            return self.hero.as_ref();
        }
        if self.hero.is_none()
            && let Some(entry) = self
                .board
                .calls()
                .find(|e| self.scope.takes_call(&e.call, self.board.counters()))
        {
            self.hero = Some(HeroCall {
                call: entry.call.clone(),
                recall: entry.recalls > 0,
                fresh: false,
            });
            self.hero_since = now;
            self.revision += 1;
            return self.hero.as_ref();
        }
        None
    }

    /// The ticket a counter shows as served: its newest unfinished call that has had its turn
    /// on the hero (a visitor must not read their ticket on the strip before it is called).
    pub fn serving(&self, counter_id: &str) -> Option<&Call> {
        self.board
            .calls()
            .filter(|e| !self.pending.iter().any(|p| p.call.id == e.call.id))
            .find(|e| !e.finished && e.call.counter.id == counter_id)
            .map(|e| &e.call)
    }

    /// The calls for elsewhere in the building still worth listing at `now`, newest first.
    pub fn elsewhere_at(&self, now: Instant) -> impl Iterator<Item = &Call> {
        self.elsewhere
            .iter()
            .filter(move |(_, at)| now.saturating_duration_since(*at) < ELSEWHERE_FOR)
            .map(|(call, _)| call)
    }

    /// The waiting figures, unless none came for `stale` (then they are hidden, not shown wrong).
    pub fn queue_at(&self, now: Instant, stale: std::time::Duration) -> Option<&Queue> {
        let since = self.queue_since?;
        (now.saturating_duration_since(since) < stale)
            .then(|| self.board.queue())
            .flatten()
    }

    /// When the screen must change by itself next: an "elsewhere" call leaving its line or the
    /// waiting figures going stale.
    pub fn next_expiry(&self, now: Instant, stale: std::time::Duration) -> Option<Instant> {
        let elsewhere = self
            .elsewhere
            .iter()
            .map(|(_, at)| *at + ELSEWHERE_FOR)
            .filter(|t| *t > now);
        let queue = self
            .queue_since
            .filter(|_| self.board.queue().is_some())
            .map(|at| at + stale)
            .filter(|t| *t > now);
        elsewhere.chain(queue).min()
    }

    /// Ids of the calls still marked as new at `now`.
    pub fn marked_ids(&self, now: f64, secs: f64) -> Vec<&str> {
        self.marked
            .iter()
            .filter(|(_, at)| now - at < secs)
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Seconds until the next mark ends, if any call is still marked.
    pub fn next_unmark_in(&self, now: f64, secs: f64) -> Option<f64> {
        self.marked
            .iter()
            .map(|(_, at)| at + secs - now)
            .filter(|left| *left > 0.0)
            .reduce(f64::min)
    }

    /// Seconds until the hero should move on (a queued call is waiting), if any.
    pub fn next_turn_in(&self, now: f64, hold: f64) -> Option<f64> {
        if self.pending.is_empty() {
            None
        } else {
            Some((self.hero_since + self.turn(hold) - now).max(0.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{State, VERSION};
    use std::collections::HashMap;

    fn call_at(seq: u64, ticket: &str, at: chrono::DateTime<chrono::Utc>) -> ServerMessage {
        ServerMessage::Call {
            v: VERSION,
            seq,
            call: Call::new(ticket, ticket, "1", at.to_rfc3339()),
        }
    }

    fn opened() -> Room {
        let mut room = Room::default();
        room.apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 1,
            state: State::default(),
        });
        room
    }

    #[test]
    fn a_call_made_long_ago_is_listed_but_neither_shown_large_nor_announced() {
        let mut room = opened();
        let now = chrono::Utc::now();
        room.apply(&call_at(2, "A001", now - chrono::Duration::minutes(40)));
        room.apply(&call_at(3, "A002", now));
        assert_eq!(room.board.calls().count(), 2, "both are in the history");
        let tickets: Vec<&str> = room
            .pending
            .iter()
            .map(|h| h.call.ticket.as_str())
            .collect();
        assert_eq!(tickets, ["A002"]);
        let announced: Vec<&str> = room
            .to_announce
            .iter()
            .filter_map(|(t, _)| match t {
                ToAnnounce::Call { call, .. } => Some(call.ticket.as_str()),
                ToAnnounce::Cancel(_) => None,
            })
            .collect();
        assert_eq!(announced, ["A002"]);
        assert_eq!(room.skipped.stale, 1);
    }

    #[test]
    fn a_floor_screen_keeps_other_floors_calls_off_its_hero_and_loudspeaker_but_lists_them() {
        let mut room = opened();
        room.scope = Scope::parse(None, Some("1"), None).expect("scope");
        let now = chrono::Utc::now();
        let on = |seq, ticket: &str, floor| ServerMessage::Call {
            v: VERSION,
            seq,
            call: Call {
                floor: Some(floor),
                ..Call::new(ticket, ticket, "5", now.to_rfc3339())
            },
        };
        room.apply(&on(2, "A001", 1));
        room.apply(&on(3, "B002", 2));
        let pending: Vec<&str> = room
            .pending
            .iter()
            .map(|h| h.call.ticket.as_str())
            .collect();
        assert_eq!(pending, ["A001"]);
        assert_eq!(
            room.to_announce.len(),
            1,
            "only this floor's call is announced"
        );
        let later = Instant::now();
        let listed: Vec<&str> = room
            .elsewhere_at(later)
            .map(|c| c.ticket.as_str())
            .collect();
        assert_eq!(listed, ["B002"]);
        assert_eq!(room.elsewhere_at(later + ELSEWHERE_FOR).count(), 0);
        assert!(
            room.next_expiry(later, std::time::Duration::from_secs(300))
                .is_some()
        );
    }

    #[test]
    fn waiting_figures_go_stale_and_are_hidden() {
        let mut room = opened();
        assert!(
            room.queue_at(Instant::now(), std::time::Duration::from_secs(60))
                .is_none()
        );
        room.apply(&ServerMessage::Queue {
            v: VERSION,
            seq: 2,
            queue: Queue::default(),
        });
        let now = Instant::now();
        let stale = std::time::Duration::from_secs(60);
        assert!(room.queue_at(now, stale).is_some());
        assert!(room.queue_at(now + stale, stale).is_none());
    }

    #[test]
    fn a_flood_holds_the_hero_for_a_bounded_time() {
        let mut room = opened();
        let now = chrono::Utc::now();
        for n in 0..40 {
            room.apply(&call_at(2 + n, &format!("F{n:03}"), now));
        }
        assert_eq!(room.pending.len(), room.limits.max_waiting);
        assert_eq!(room.skipped.backlog, 40 - room.limits.max_waiting as u64);
        // The newest calls keep their turn.
        assert_eq!(
            room.pending.back().map(|h| h.call.ticket.as_str()),
            Some("F039")
        );
    }

    #[test]
    fn a_rush_at_opening_time_brings_every_call_to_the_hero_within_seconds() {
        // A call every 2 s for 100 s, the hero looked at 10 times a second.
        let mut room = opened();
        let at = chrono::Utc::now();
        let mut arrived = HashMap::new();
        let mut shown = HashMap::new();
        let mut seq = 2;
        for tick in 0..=1500 {
            let now = f64::from(tick) / 10.0;
            if tick % 20 == 0 && tick <= 1000 {
                let ticket = format!("R{:03}", tick / 20);
                room.apply(&call_at(seq, &ticket, at));
                seq += 1;
                arrived.insert(ticket, now);
            }
            if let Some(hero) = room.advance(now, 4.0) {
                shown.entry(hero.call.ticket.clone()).or_insert(now);
            }
        }
        assert_eq!(room.skipped.backlog, 0, "calls skipped in a rush");
        assert_eq!(shown.len(), arrived.len(), "every call reached the hero");
        let longest = arrived
            .iter()
            .map(|(t, a)| shown[t] - a)
            .fold(0.0, f64::max);
        assert!(longest <= 10.0, "a call waited {longest} s for the hero");
        // Once the rush is over, a lone call has its full 4 s again.
        assert_eq!(room.turn(4.0), 4.0);
    }

    #[test]
    fn a_counter_shows_a_ticket_only_once_it_has_been_called_on_the_hero() {
        let mut room = opened();
        let now = chrono::Utc::now();
        room.apply(&call_at(2, "A001", now));
        room.apply(&call_at(3, "A002", now));
        room.advance(0.0, 4.0);
        // A001 holds the hero; A002 (same counter) waits for its turn.
        assert_eq!(room.serving("1").map(|c| c.ticket.as_str()), Some("A001"));
        room.advance(4.0, 4.0);
        assert_eq!(room.serving("1").map(|c| c.ticket.as_str()), Some("A002"));
    }

    #[test]
    fn an_emergency_outlasts_a_lost_feed_and_a_snapshot_repeats_it_but_not_its_expiry() {
        use crate::protocol::{Emergency, EmergencyKind};
        let mut room = opened();
        let in_an_hour = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let emergency = Emergency {
            id: "e1".into(),
            kind: EmergencyKind::Closing,
            text: [("sk".to_owned(), "Zatvárame.".to_owned())]
                .into_iter()
                .collect(),
            expires: Some(in_an_hour),
            raised_at: chrono::Utc::now().to_rfc3339(),
            ..Emergency::default()
        };
        room.apply(&ServerMessage::Emergency {
            v: VERSION,
            seq: 2,
            emergency: emergency.clone(),
        });
        room.status.connected = false;
        let now = chrono::Utc::now();
        assert_eq!(
            room.emergency_here(now).map(|e| e.id.as_str()),
            Some("e1"),
            "feed lost"
        );
        assert!(
            room.emergency_here(now + chrono::Duration::hours(2))
                .is_none(),
            "expired"
        );
        // A display that connects later gets it in the snapshot.
        let mut later = Room::default();
        later.apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 2,
            state: room.board.to_state(),
        });
        assert_eq!(later.emergency_here(now), Some(&emergency));
        // A clear for another id (one that was replaced) changes nothing; its own clears it.
        for (seq, id, left) in [(3, "old", true), (4, "e1", false)] {
            later.apply(&ServerMessage::EmergencyCleared {
                v: VERSION,
                seq,
                emergency_id: id.into(),
            });
            assert_eq!(later.emergency_here(now).is_some(), left, "{id}");
        }
    }
}
