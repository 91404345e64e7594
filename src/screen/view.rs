//! What the screen says, as plain values: every text of every zone and which parts show, worked
//! out from the room, the words and the clock. No Bevy world is needed to call it, so a unit
//! test can ask what a visitor would read; `zones::refresh_texts` only copies it onto the
//! screen's text entities.

use fluent_bundle::FluentValue;
use herald_core::catalogue::{self, Catalogue};
use herald_core::design::MarkStyle;
use herald_core::protocol::{Call, CounterState, Localized};
use herald_core::room::{HeroCall, Room};

use super::clock;
use super::zones::{Part, Slot};

/// The service name in `lang`, else the office's primary language, else English, else any.
pub fn service_name(service: &Localized, lang: &str, primary: &str) -> String {
    [lang, primary, "en"]
        .iter()
        .find_map(|l| service.get(*l))
        .or_else(|| service.values().next())
        .cloned()
        .unwrap_or_default()
}

/// "Okienko 3" / "Вікно 3".
pub fn counter_name(words: &Catalogue, lang: &str, label: &str) -> String {
    words.text(
        lang,
        "counter-name",
        &[("label", FluentValue::from(label.to_owned()))],
    )
}

/// Service, floor and room of a call: "Miestne dane · 1. poschodie · 104".
pub fn where_to_go(words: &Catalogue, lang: &str, call: &Call) -> String {
    let mut parts = vec![service_name(&call.service, lang, words.primary())];
    if let Some(floor) = call.floor {
        parts.push(words.text(lang, "floor-name", &catalogue::floor_args(floor)));
    }
    if let Some(room) = &call.room {
        parts.push(room.clone());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}

/// How a row of the recent list looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowLook {
    /// Still marked as new (highlighted).
    New,
    /// Served: stays listed but steps back.
    Finished,
    Plain,
}

/// Everything the view depends on besides the room and the words.
#[derive(Clone, Debug)]
pub struct ViewInput<'a> {
    pub lang: &'a str,
    pub now: chrono::DateTime<chrono::Local>,
    /// `Time<Real>` seconds, for marks.
    pub elapsed: f64,
    pub office_name: Option<&'a str>,
    pub hours: Option<&'a str>,
    /// The office's opening hours: outside them the office is closed whatever the feed says.
    pub opening: Option<&'a herald_core::opening::Opening>,
    pub recent_rows: usize,
    /// Now, for "elsewhere" calls and the waiting figures' age.
    pub instant: std::time::Instant,
    /// Waiting figures older than this are hidden.
    pub queue_stale: std::time::Duration,
    /// The queue zone lists next tickets.
    pub next_tickets: bool,
    /// Services the queue zone lists at most.
    pub queue_rows: usize,
    pub mark: MarkStyle,
    pub marked_secs: f64,
    /// The layout has a single-counter zone (a counter screen never shows the closed office).
    pub counter_screen: bool,
    /// The counter a counter screen stands above.
    pub focus: Option<&'a str>,
    pub notice_index: usize,
    pub notices_paused: bool,
    /// The pictures have the hero's space (no call for the layout's while).
    pub media_in_hero: bool,
    /// More than one picture takes turns (so pausing them means something).
    pub media_rotating: bool,
}

/// The texts and visible parts of the screen at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct ScreenView {
    pub lang: String,
    pub office_name: String,
    /// "Connection lost since 10:42", while it is.
    pub connection: Option<String>,
    pub time: String,
    pub date: String,
    pub hero: Option<HeroCall>,
    pub hero_title: String,
    pub hero_counter: String,
    pub hero_detail: String,
    pub hero_visitor: String,
    pub recall: String,
    /// "Prednostne", shown with a star when the hero's call is a priority ticket.
    pub priority: String,
    /// "Inde: B012 – Okienko 9, 2. poschodie (vyššie)"; empty when no call went elsewhere.
    pub elsewhere: String,
    pub waiting: String,
    pub recent_title: String,
    /// (ticket, counter name, look, priority), newest first.
    pub recent: Vec<(String, String, RowLook, bool)>,
    pub queue_title: String,
    pub qr_caption: String,
    /// Per service: its name, how many wait (and about how long), the next tickets.
    pub queue: Vec<QueueRow>,
    pub notice: String,
    pub notice_paused: String,
    /// "Pictures paused", while the rotation is and more than one picture takes turns.
    pub media_paused: String,
    pub media_in_hero: bool,
    pub closed: bool,
    pub closed_title: String,
    pub closed_hint: String,
    pub counter_name: String,
    pub counter_ticket: String,
    pub counter_state: String,
    /// The ticket a counter screen shows is a priority ticket.
    pub counter_priority: bool,
    pub any_counters: bool,
}

/// "Otvorené zajtra od 8:00" / "Відкрито у понеділок з 8:00" / "Open on 2 January from 8:00".
pub fn opens_next(
    w: &Catalogue,
    lang: &str,
    now: chrono::NaiveDateTime,
    opens: chrono::NaiveDateTime,
) -> String {
    use chrono::{Datelike, Timelike};
    use herald_core::opening::{When, when};
    let (kind, weekday) = match when(now, opens) {
        When::Today => ("today", String::new()),
        When::Tomorrow => ("tomorrow", String::new()),
        When::Weekday(day) => ("weekday", w.text(lang, &format!("on-weekday-{day}"), &[])),
        When::Date => ("date", String::new()),
    };
    let date = w.text(
        lang,
        "opens-date",
        &[
            ("day", FluentValue::from(opens.day().to_string())),
            (
                "month",
                FluentValue::from(w.text(lang, &format!("month-{}", opens.month()), &[])),
            ),
        ],
    );
    w.text(
        lang,
        "opens-next",
        &[
            ("when", FluentValue::from(kind)),
            ("weekday", FluentValue::from(weekday)),
            ("date", FluentValue::from(date)),
            (
                "time",
                FluentValue::from(format!("{}:{:02}", opens.hour(), opens.minute())),
            ),
        ],
    )
}

/// One service in the queue zone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueRow {
    pub service: String,
    /// "3 ľudia čakajú".
    pub count: String,
    /// "asi 12 min" when the queue system estimates the wait; empty otherwise.
    pub wait: String,
    /// "Ďalší: A043, A044", or empty.
    pub next: String,
}

/// The queue zone's rows: the services this screen is for, in the queue system's order.
fn queue_rows(room: &Room, w: &Catalogue, input: &ViewInput) -> Vec<QueueRow> {
    let lang = input.lang;
    let Some(queue) = room.queue_at(input.instant, input.queue_stale) else {
        return Vec::new();
    };
    queue
        .services
        .iter()
        .filter(|s| room.scope.takes_service(&s.id, s.floor))
        .take(input.queue_rows)
        .map(|s| {
            let count = w.text(
                lang,
                "people-waiting",
                &[("count", FluentValue::from(i64::from(s.waiting)))],
            );
            // Only the queue system's own estimate, and only when someone waits.
            let wait = s
                .wait_minutes
                .filter(|_| s.waiting > 0)
                .map(|minutes| {
                    w.text(
                        lang,
                        "queue-wait",
                        &[("minutes", FluentValue::from(i64::from(minutes)))],
                    )
                })
                .unwrap_or_default();
            let next = if input.next_tickets && !s.next.is_empty() {
                let tickets: Vec<&str> = s.next.iter().take(5).map(String::as_str).collect();
                w.text(
                    lang,
                    "queue-next",
                    &[("tickets", FluentValue::from(tickets.join(", ")))],
                )
            } else {
                String::new()
            };
            QueueRow {
                service: {
                    let name = service_name(&s.name, lang, w.primary());
                    if name.is_empty() { s.id.clone() } else { name }
                },
                count,
                wait,
                next,
            }
        })
        .collect()
}

/// The "elsewhere" line: calls for other floors or counters, with their floor and which way.
fn elsewhere_line(room: &Room, w: &Catalogue, input: &ViewInput) -> String {
    let lang = input.lang;
    let here = room.scope.floor();
    let calls: Vec<String> = room
        .elsewhere_at(input.instant)
        .map(|call| {
            let floor = herald_core::scope::floor_of(call, room.board.counters());
            let way = match (here, floor) {
                (Some(here), Some(there)) if there > here => "up",
                (Some(here), Some(there)) if there < here => "down",
                _ => "none",
            };
            w.text(
                lang,
                "elsewhere-call",
                &[
                    ("ticket", FluentValue::from(call.ticket.clone())),
                    (
                        "counter",
                        FluentValue::from(counter_name(w, lang, &call.counter.label)),
                    ),
                    (
                        "floor",
                        FluentValue::from(
                            floor
                                .map(|f| w.text(lang, "floor-name", &catalogue::floor_args(f)))
                                .unwrap_or_default(),
                        ),
                    ),
                    ("way", FluentValue::from(way)),
                ],
            )
            .trim_end_matches([',', ' '])
            .to_owned()
        })
        .collect();
    if calls.is_empty() {
        String::new()
    } else {
        format!("{}: {}", w.text(lang, "elsewhere", &[]), calls.join(" · "))
    }
}
impl ScreenView {
    /// What the screen shows of `room`, in `input.lang`.
    pub fn of(room: &Room, w: &Catalogue, input: &ViewInput) -> Self {
        let lang = input.lang;
        let connection = if room.status.connected {
            None
        } else {
            room.status.lost_since.map(|since| {
                w.text(
                    lang,
                    "connection-lost",
                    &[("time", FluentValue::from(clock::time_text(&since)))],
                )
            })
        };
        let notices = room.board.active_notices(input.now.to_utc());
        let notice = if notices.is_empty() {
            String::new()
        } else {
            notices
                .get(input.notice_index % notices.len())
                .map(|n| service_name(&n.text, lang, w.primary()))
                .unwrap_or_default()
        };
        let paused = input.notices_paused && notices.len() > 1;
        // Calls still marked as new keep a highlighted row in the recent list ("panel" marks).
        let marked: Vec<&str> = if input.mark == MarkStyle::Panel {
            room.marked_ids(input.elapsed, input.marked_secs)
        } else {
            Vec::new()
        };
        let hero = room.hero.clone();
        let recent = room
            .board
            .calls()
            .filter(|e| hero.as_ref().is_none_or(|h| h.call.id != e.call.id))
            // A call still waiting for its turn on the hero is not "recent" yet: the visitor
            // must not see their ticket listed before it is called.
            .filter(|e| !room.pending.iter().any(|p| p.call.id == e.call.id))
            // Another floor's calls are in the "elsewhere" line, not in this room's list.
            .filter(|e| room.scope.takes_call(&e.call, room.board.counters()))
            .take(input.recent_rows)
            .map(|e| {
                let look = if marked.contains(&e.call.id.as_str()) {
                    RowLook::New
                } else if e.finished {
                    RowLook::Finished
                } else {
                    RowLook::Plain
                };
                (
                    e.call.ticket.clone(),
                    counter_name(w, lang, &e.call.counter.label),
                    look,
                    e.call.priority,
                )
            })
            .collect();
        let focus_counter = input
            .focus
            .and_then(|id| room.board.counters().iter().find(|c| c.id == id));
        let focus_serving = input
            .focus
            .and_then(|id| room.serving(id))
            .map(|c| c.ticket.clone());
        let focus_priority = input
            .focus
            .and_then(|id| room.serving(id))
            .is_some_and(|c| c.priority);
        let focus_state = focus_counter.map(|c| c.state);
        let text = |key: &str| w.text(lang, key, &[]);
        let local = input.now.naive_local();
        let closed_by_hours = input.opening.is_some_and(|o| !o.is_open(local));
        let next_opening = input
            .opening
            .filter(|_| closed_by_hours)
            .and_then(|o| o.next_opening(local))
            .map(|opens| opens_next(w, lang, local, opens));
        Self {
            lang: lang.to_owned(),
            office_name: input
                .office_name
                .map_or_else(|| text("office-default-name"), str::to_owned),
            connection,
            time: clock::time_text(&input.now),
            date: clock::date_text(w, lang, &input.now),
            hero_title: hero
                .as_ref()
                .map(|_| text("now-calling"))
                .unwrap_or_default(),
            hero_counter: hero
                .as_ref()
                .map(|h| counter_name(w, lang, &h.call.counter.label))
                .unwrap_or_default(),
            hero_detail: hero
                .as_ref()
                .map(|h| {
                    let place = where_to_go(w, lang, &h.call);
                    // Initials only reach the board when the site enables names.
                    match h.call.visitor.as_deref() {
                        Some(initials) if place.is_empty() => initials.to_owned(),
                        Some(initials) => format!("{initials} · {place}"),
                        None => place,
                    }
                })
                .unwrap_or_default(),
            hero_visitor: hero
                .as_ref()
                .and_then(|h| {
                    let visitor = h.call.lang.as_deref()?;
                    (visitor != lang && w.has_language(visitor)).then(|| {
                        format!(
                            "{} · {}",
                            counter_name(w, visitor, &h.call.counter.label),
                            where_to_go(w, visitor, &h.call)
                        )
                    })
                })
                .unwrap_or_default(),
            recall: text("recall"),
            priority: text("priority"),
            elsewhere: elsewhere_line(room, w, input),
            queue_title: text("queue-title"),
            qr_caption: text("qr-caption"),
            queue: queue_rows(room, w, input),
            waiting: if hero.is_none() {
                text("waiting-for-calls")
            } else {
                String::new()
            },
            hero,
            recent_title: text("recent-calls"),
            recent,
            notice,
            notice_paused: if paused {
                text("notices-paused")
            } else {
                String::new()
            },
            media_paused: if input.notices_paused && input.media_rotating {
                text("media-paused")
            } else {
                String::new()
            },
            media_in_hero: input.media_in_hero,
            closed: (room.board.office_closed() || closed_by_hours) && !input.counter_screen,
            closed_title: text("office-closed"),
            closed_hint: match (next_opening, input.hours) {
                (Some(next), _) => next,
                (None, Some(hours)) => w.text(
                    lang,
                    "office-hours",
                    &[("hours", FluentValue::from(hours.to_owned()))],
                ),
                (None, None) => text("office-closed-hint"),
            },
            // A queue system that sends no counter list still names the counter by its id.
            counter_name: input
                .focus
                .map(|id| counter_name(w, lang, focus_counter.map_or(id, |c| c.label.as_str())))
                .unwrap_or_default(),
            counter_ticket: match focus_state {
                None | Some(CounterState::Open) => focus_serving.clone().unwrap_or_default(),
                _ => String::new(),
            },
            counter_state: match focus_state {
                Some(CounterState::Closed) => text("counter-closed"),
                Some(CounterState::Paused) => text("counter-paused"),
                Some(CounterState::Open) if focus_serving.is_none() => text("counter-open"),
                _ => String::new(),
            },
            counter_priority: focus_priority
                && matches!(focus_state, None | Some(CounterState::Open)),
            any_counters: room
                .board
                .counters()
                .iter()
                .any(|c| room.scope.takes_counter(c)),
        }
    }

    /// The text a slot shows.
    pub fn text(&self, slot: Slot) -> String {
        let hero = self.hero.as_ref();
        let row = |i: usize| self.recent.get(i);
        match slot {
            Slot::OfficeName => self.office_name.clone(),
            Slot::Connection => self.connection.clone().unwrap_or_default(),
            Slot::Time | Slot::ClosedTime => self.time.clone(),
            Slot::Date => self.date.clone(),
            Slot::HeroTitle => self.hero_title.clone(),
            Slot::HeroTicket => hero.map(|h| h.call.ticket.clone()).unwrap_or_default(),
            Slot::HeroArrow => hero.map(|_| "→".to_owned()).unwrap_or_default(),
            Slot::HeroCounter => self.hero_counter.clone(),
            Slot::HeroDetail => self.hero_detail.clone(),
            Slot::HeroVisitor => self.hero_visitor.clone(),
            Slot::HeroRecall => self.recall.clone(),
            Slot::HeroPriority | Slot::CounterPriority => self.priority.clone(),
            Slot::Elsewhere => self.elsewhere.clone(),
            Slot::RecentStar(i) => row(i)
                .filter(|r| r.3)
                .map(|_| "★".to_owned())
                .unwrap_or_default(),
            Slot::QueueTitle => self.queue_title.clone(),
            Slot::QrCaption => self.qr_caption.clone(),
            Slot::QueueService(i) => self
                .queue
                .get(i)
                .map(|r| r.service.clone())
                .unwrap_or_default(),
            Slot::QueueCount(i) => self
                .queue
                .get(i)
                .map(|r| r.count.clone())
                .unwrap_or_default(),
            Slot::QueueWait(i) => self
                .queue
                .get(i)
                .map(|r| r.wait.clone())
                .unwrap_or_default(),
            Slot::QueueNext(i) => self
                .queue
                .get(i)
                .map(|r| r.next.clone())
                .unwrap_or_default(),

            Slot::Waiting => self.waiting.clone(),
            Slot::RecentTitle => self.recent_title.clone(),
            Slot::RecentTicket(i) => row(i).map(|r| r.0.clone()).unwrap_or_default(),
            Slot::RecentArrow(i) => row(i).map(|_| "→".to_owned()).unwrap_or_default(),
            Slot::RecentCounter(i) => row(i).map(|r| r.1.clone()).unwrap_or_default(),
            Slot::Notice => self.notice.clone(),
            Slot::NoticePaused => self.notice_paused.clone(),
            Slot::MediaPaused => self.media_paused.clone(),
            Slot::ClosedTitle => self.closed_title.clone(),
            Slot::ClosedHint => self.closed_hint.clone(),
            Slot::CounterName => self.counter_name.clone(),
            Slot::CounterTicket => self.counter_ticket.clone(),
            Slot::CounterState => self.counter_state.clone(),
        }
    }

    /// Whether a part shows; `None` for parts the view does not switch (the hero panel).
    pub fn shows(&self, part: Part) -> Option<bool> {
        Some(match part {
            Part::RecallBadge => self.hero.as_ref().is_some_and(|h| h.recall),
            Part::PriorityBadge => self.hero.as_ref().is_some_and(|h| h.call.priority),
            Part::CounterPriorityBadge => self.counter_priority,
            Part::ElsewhereLine => !self.elsewhere.is_empty(),
            Part::QueuePanel => !self.queue.is_empty(),
            Part::QueueRow(i) => i < self.queue.len(),
            Part::ConnectionPill => self.connection.is_some(),
            Part::RecentRow(i) => i < self.recent.len(),
            Part::NoticeBar => !self.notice.is_empty(),
            Part::ClosedOverlay => self.closed,
            Part::HeroMedia => self.media_in_hero && !self.closed,
            Part::MediaPaused => !self.media_paused.is_empty(),
            Part::CountersStrip => self.any_counters,
            Part::HeroPanel | Part::HeroContent | Part::HeroMark => return None,
        })
    }

    /// How recent row `i` looks, if there is one.
    pub fn row_look(&self, i: usize) -> Option<RowLook> {
        self.recent.get(i).map(|r| r.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::protocol::{Counter, ServerMessage, State, VERSION};

    fn words() -> Catalogue {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        match Catalogue::load(&root, "sk") {
            Ok((c, _)) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn input(lang: &str) -> ViewInput<'_> {
        ViewInput {
            lang,
            now: chrono::Local::now(),
            elapsed: 100.0,
            office_name: None,
            hours: Some("Po–Pi 8:00–16:00"),
            opening: None,
            recent_rows: 6,
            instant: std::time::Instant::now(),
            queue_stale: std::time::Duration::from_secs(300),
            next_tickets: false,
            queue_rows: 5,
            mark: MarkStyle::Border,
            marked_secs: 10.0,
            counter_screen: false,
            focus: None,
            notice_index: 0,
            notices_paused: false,
            media_in_hero: false,
            media_rotating: false,
        }
    }

    fn room_with(calls: &[(&str, &str)], counters: Vec<Counter>) -> Room {
        let mut room = Room::default();
        room.apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 1,
            state: State {
                counters,
                calls: calls
                    .iter()
                    .map(|(ticket, counter)| {
                        Call::new(*ticket, *ticket, counter, "2026-11-22T09:00:00Z")
                    })
                    .collect(),
                ..State::default()
            },
        });
        room
    }

    #[test]
    fn the_newest_call_is_the_hero_in_the_screen_language_and_older_ones_are_recent() {
        let w = words();
        let mut room = room_with(&[("A001", "1"), ("A002", "3")], Vec::new());
        room.advance(0.0, 4.0);
        let sk = ScreenView::of(&room, &w, &input("sk"));
        assert_eq!(sk.text(Slot::HeroTicket), "A002");
        assert_eq!(sk.text(Slot::HeroCounter), "Okienko 3");
        assert_eq!(sk.text(Slot::RecentTicket(0)), "A001");
        assert_eq!(sk.text(Slot::RecentTicket(1)), "");
        assert_eq!(sk.shows(Part::RecentRow(0)), Some(true));
        assert_eq!(sk.shows(Part::RecentRow(1)), Some(false));
        assert_eq!(sk.text(Slot::Waiting), "");
        let uk = ScreenView::of(&room, &w, &input("uk"));
        assert_eq!(uk.text(Slot::HeroCounter), "Вікно 3");
    }

    #[test]
    fn an_empty_board_says_it_waits_and_a_closed_office_says_when_it_opens() {
        let w = words();
        let room = room_with(&[], Vec::new());
        let view = ScreenView::of(&room, &w, &input("sk"));
        assert!(!view.text(Slot::Waiting).is_empty());
        assert_eq!(view.text(Slot::HeroTicket), "");
        let closed = room_with(
            &[],
            vec![Counter {
                id: "1".into(),
                label: "1".into(),
                state: CounterState::Closed,
                floor: None,
            }],
        );
        let view = ScreenView::of(&closed, &w, &input("sk"));
        assert!(view.closed);
        assert!(
            view.text(Slot::ClosedHint).contains("8:00–16:00"),
            "{}",
            view.closed_hint
        );
        let counter_screen = ViewInput {
            counter_screen: true,
            focus: Some("1"),
            ..input("sk")
        };
        let view = ScreenView::of(&closed, &w, &counter_screen);
        assert!(
            !view.closed,
            "a counter screen shows its own counter, not the closed office"
        );
        assert_eq!(view.text(Slot::CounterName), "Okienko 1");
        assert!(!view.text(Slot::CounterState).is_empty());
    }

    fn queue_frame(seq: u64, waiting: &[(&str, u32, Option<u32>)]) -> ServerMessage {
        use herald_core::protocol::{Queue, ServiceQueue};
        ServerMessage::Queue {
            v: VERSION,
            seq,
            queue: Queue {
                services: waiting
                    .iter()
                    .map(|(id, n, minutes)| ServiceQueue {
                        id: (*id).into(),
                        name: [("sk", "Miestne dane"), ("uk", "Місцеві податки")]
                            .iter()
                            .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
                            .collect(),
                        waiting: *n,
                        wait_minutes: *minutes,
                        next: vec!["A043".into(), "A044".into()],
                        floor: None,
                    })
                    .collect(),
                at: None,
            },
        }
    }

    #[test]
    fn waiting_figures_use_each_languages_plurals_and_only_the_servers_estimate() {
        let w = words();
        let mut room = room_with(&[], Vec::new());
        room.apply(&queue_frame(
            2,
            &[
                ("A", 1, Some(4)),
                ("B", 3, None),
                ("C", 5, Some(20)),
                ("D", 22, None),
            ],
        ));
        let counts = |lang: &str| -> Vec<String> {
            ScreenView::of(&room, &w, &input(lang))
                .queue
                .iter()
                .map(|r| {
                    if r.wait.is_empty() {
                        r.count.clone()
                    } else {
                        format!("{} · {}", r.count, r.wait)
                    }
                })
                .collect()
        };
        assert_eq!(
            counts("sk"),
            [
                "1 človek čaká · asi 4 min",
                "3 ľudia čakajú",
                "5 ľudí čaká · asi 20 min",
                "22 ľudí čaká"
            ]
        );
        assert_eq!(
            counts("uk"),
            [
                "1 людина чекає · близько 4 хв",
                "3 людини чекають",
                "5 людей чекають · близько 20 хв",
                "22 людини чекають"
            ]
        );
        assert_eq!(
            counts("bg"),
            [
                "1 човек чака · около 4 мин",
                "3 души чакат",
                "5 души чакат · около 20 мин",
                "22 души чакат"
            ]
        );
        assert_eq!(
            counts("mk"),
            [
                "1 човек чека · околу 4 мин",
                "3 луѓе чекаат",
                "5 луѓе чекаат · околу 20 мин",
                "22 луѓе чекаат"
            ]
        );
        assert_eq!(
            counts("en"),
            [
                "1 person waiting · about 4 min",
                "3 people waiting",
                "5 people waiting · about 20 min",
                "22 people waiting"
            ]
        );
        let view = ScreenView::of(&room, &w, &input("uk"));
        assert_eq!(view.text(Slot::QueueService(0)), "Місцеві податки");
        assert_eq!(
            view.text(Slot::QueueNext(0)),
            "",
            "next tickets are off by default"
        );
        assert_eq!(view.shows(Part::QueuePanel), Some(true));
        let listed = ViewInput {
            next_tickets: true,
            ..input("sk")
        };
        assert_eq!(
            ScreenView::of(&room, &w, &listed).text(Slot::QueueNext(0)),
            "Ďalší: A043, A044"
        );
        // No update for longer than --queue-stale: hidden, not shown wrong.
        let later = ViewInput {
            instant: std::time::Instant::now() + std::time::Duration::from_secs(301),
            ..input("sk")
        };
        let stale = ScreenView::of(&room, &w, &later);
        assert!(stale.queue.is_empty());
        assert_eq!(stale.shows(Part::QueuePanel), Some(false));
    }

    #[test]
    fn a_floor_screen_lists_another_floors_call_as_elsewhere_with_the_way_to_go() {
        let w = words();
        let mut room = room_with(&[], Vec::new());
        room.scope = herald_core::scope::Scope::parse(None, Some("1"), None).expect("scope");
        let now = chrono::Utc::now().to_rfc3339();
        for (seq, ticket, floor) in [(2, "A001", 1), (3, "B002", 2), (4, "C003", 0)] {
            room.apply(&ServerMessage::Call {
                v: VERSION,
                seq,
                call: Call {
                    floor: Some(floor),
                    priority: ticket == "A001",
                    ..Call::new(ticket, ticket, &format!("{}", seq + 5), now.clone())
                },
            });
        }
        room.advance(0.0, 4.0);
        let sk = ScreenView::of(&room, &w, &input("sk"));
        assert_eq!(sk.text(Slot::HeroTicket), "A001");
        assert_eq!(sk.shows(Part::PriorityBadge), Some(true));
        assert_eq!(sk.text(Slot::HeroPriority), "Prednostne");
        assert_eq!(
            sk.text(Slot::Elsewhere),
            "Inde: C003 – Okienko 9, prízemie (nižšie) · B002 – Okienko 8, 2. poschodie (vyššie)"
        );
        assert_eq!(
            sk.recent.len(),
            0,
            "other floors' calls are not in this room's list"
        );
        let uk = ScreenView::of(&room, &w, &input("uk"));
        assert!(
            uk.text(Slot::Elsewhere).contains("B002 – Вікно 8"),
            "{}",
            uk.elsewhere
        );
        assert!(
            uk.text(Slot::Elsewhere).contains("(вище)"),
            "{}",
            uk.elsewhere
        );
        assert_eq!(uk.text(Slot::HeroPriority), "Пріоритет");
    }

    #[test]
    fn outside_its_hours_the_screen_is_closed_and_says_when_it_opens_in_every_language() {
        use chrono::TimeZone;
        let w = words();
        let opening = herald_core::opening::Opening::parse(
            &["mon-fri 8:00-16:00".into(), "wed 8:00-17:30".into()],
            &[
                "2026-12-24".into(),
                "2026-12-25".into(),
                "2026-12-26".into(),
            ],
        )
        .expect("hours");
        // The queue system says nothing about closing: the schedule alone decides.
        let room = room_with(&[("A001", "1")], Vec::new());
        let at = |text: &str| {
            let naive =
                chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
            chrono::Local
                .from_local_datetime(&naive)
                .single()
                .expect("local time")
        };
        let view = |lang: &str, now: &str| {
            ScreenView::of(
                &room,
                &w,
                &ViewInput {
                    now: at(now),
                    opening: Some(&opening),
                    ..input(lang)
                },
            )
        };
        // Monday 23 November 2026, an ordinary evening.
        let expected = [
            ("sk", "Otvorené zajtra od 8:00"),
            ("uk", "Відкрито завтра з 8:00"),
            ("bg", "Отваря утре в 8:00"),
            ("mk", "Отворено утре од 8:00"),
            ("en", "Open tomorrow from 8:00"),
        ];
        for (lang, sentence) in expected {
            let evening = view(lang, "2026-11-23 18:30");
            assert!(evening.closed, "{lang}: closed in the evening");
            assert_eq!(evening.text(Slot::ClosedHint), sentence, "{lang}");
            assert!(
                !view(lang, "2026-11-23 10:00").closed,
                "{lang}: open in the morning"
            );
        }
        // Friday evening: Monday; early morning: today.
        assert_eq!(
            view("sk", "2026-11-27 16:30").closed_hint,
            "Otvorené v pondelok od 8:00"
        );
        assert_eq!(
            view("uk", "2026-11-27 16:30").closed_hint,
            "Відкрито у понеділок з 8:00"
        );
        assert_eq!(
            view("bg", "2026-11-24 06:00").closed_hint,
            "Отваря днес в 8:00"
        );
        // On a holiday (Christmas Eve, a Thursday) with two more ahead: named by the weekday,
        // and from New Year's week on by the date.
        let holiday = [
            ("sk", "Otvorené v pondelok od 8:00"),
            ("uk", "Відкрито у понеділок з 8:00"),
            ("bg", "Отваря в понеделник в 8:00"),
            ("mk", "Отворено во понеделник од 8:00"),
            ("en", "Open on Monday from 8:00"),
        ];
        for (lang, sentence) in holiday {
            let view = view(lang, "2026-12-24 10:00");
            assert!(view.closed, "{lang}: closed on a holiday morning");
            assert_eq!(view.closed_hint, sentence, "{lang}");
        }
        let long = herald_core::opening::Opening::parse(
            &["mon-fri 8:00-16:00".into()],
            &(0..10)
                .map(|d| format!("2026-12-{:02}", 24 + d.min(7)))
                .chain([
                    "2027-01-01".into(),
                    "2027-01-04".into(),
                    "2027-01-05".into(),
                ])
                .collect::<Vec<_>>(),
        )
        .expect("hours");
        let far = ScreenView::of(
            &room,
            &w,
            &ViewInput {
                now: at("2026-12-30 10:00"),
                opening: Some(&long),
                ..input("sk")
            },
        );
        assert_eq!(far.closed_hint, "Otvorené 6. januára od 8:00");
        let far_uk = ScreenView::of(
            &room,
            &w,
            &ViewInput {
                now: at("2026-12-30 10:00"),
                opening: Some(&long),
                ..input("uk")
            },
        );
        assert_eq!(far_uk.closed_hint, "Відкрито 6 січня з 8:00");
    }
}
