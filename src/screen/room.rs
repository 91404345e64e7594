//! The room: the board plus what the screen is doing with it (which call is the hero and since
//! when). Plain data behind one Bevy resource, so every screen system reads one place.

use std::collections::VecDeque;
use std::time::Instant;

use bevy::prelude::Resource;

use crate::board::{Applied, Board, News};
use crate::feed::FeedStatus;
use crate::protocol::{Call, ServerMessage};

/// A call waiting for, or holding, the hero zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeroCall {
    pub call: Call,
    pub recall: bool,
    /// True when it arrived as news (animate it); false when it is just the newest call on start.
    pub fresh: bool,
}

#[derive(Resource, Default)]
pub struct Room {
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
}

/// What the announcer must hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToAnnounce {
    /// A new call or a recall (`call.recall`); `test` when made in the preview.
    Call {
        call: Call,
        test: bool,
    },
    Cancel(String),
}

impl Room {
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
        crate::event_log::emit(
            "test_event",
            serde_json::json!({ "kind": message.kind(), "test": true }),
        );
        self.take_news(news, Instant::now());
    }

    /// Queues new calls and recalls for the hero, drops cancelled ones, and marks a change.
    pub fn take_news(&mut self, news: Vec<News>, received: Instant) {
        self.revision += 1;
        self.last_news = Some(received);
        for item in news {
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
                        self.pending.retain(|h| h.call.id != call_id);
                        if self.hero.as_ref().is_some_and(|h| h.call.id == call_id) {
                            self.hero = None;
                        }
                    }
                }
                News::Replaced => {
                    // A snapshot may have removed the hero's call (cancelled while we were away).
                    if let Some(hero) = &self.hero
                        && !self.board.calls().any(|e| e.call.id == hero.call.id)
                    {
                        self.hero = None;
                    }
                }
                News::CounterChanged(_) | News::NoticesChanged => {}
            }
        }
    }

    /// Moves the hero on: a waiting call takes over once the current one has been shown for
    /// `hold` seconds (at once if the hero is empty). Returns the new hero when it changed.
    pub fn advance(&mut self, now: f64, hold: f64) -> Option<&HeroCall> {
        let due = match &self.hero {
            None => true,
            Some(_) => now - self.hero_since >= hold,
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
            && let Some(entry) = self.board.current()
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
            Some((self.hero_since + hold - now).max(0.0))
        }
    }
}
