//! What the screen says, as plain values: every text of every zone and which parts show, worked
//! out from the room, the words and the clock. No Bevy world is needed to call it, so a unit
//! test can ask what a visitor would read; `zones::refresh_texts` only copies it onto the
//! screen's text entities.
//!
//! [`ScreenView::of`] puts together what each part of the screen says, each worked out in a
//! function of its own: the call now and the recent calls (here), the queue and the calls that
//! went elsewhere ([`queue`]), the words they are made of ([`words`]); what each text entity and
//! part reads from it ([`read`]).

mod queue;
mod read;
mod words;

use fluent_bundle::FluentValue;
use herald_core::catalogue::Catalogue;
use herald_core::design::MarkStyle;
use herald_core::protocol::CounterState;
use herald_core::room::{HeroCall, Room};

use super::clock;
pub use queue::QueueRow;
use queue::{elsewhere_line, queue_rows};
pub use words::{counter_name, opens_next, service_name, where_to_go};

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
    /// Every language the screen shows in turn (the emergency shows them all at once).
    pub langs: &'a [String],
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
    /// The emergency in force for this screen.
    pub emergency: Option<EmergencyView>,
}

/// The call now, as the hero says it.
#[derive(Default)]
struct HeroTexts {
    title: String,
    counter: String,
    detail: String,
    visitor: String,
}

fn hero_texts(hero: Option<&HeroCall>, w: &Catalogue, lang: &str) -> HeroTexts {
    let Some(h) = hero else {
        return HeroTexts::default();
    };
    let place = where_to_go(w, lang, &h.call);
    HeroTexts {
        title: w.text(lang, "now-calling", &[]),
        counter: counter_name(w, lang, &h.call.counter.label),
        // Initials only reach the board when the site enables names.
        detail: match h.call.visitor.as_deref() {
            Some(initials) if place.is_empty() => initials.to_owned(),
            Some(initials) => format!("{initials} · {place}"),
            None => place,
        },
        // The call again in the visitor's language, when it is not the screen's.
        visitor: h
            .call
            .lang
            .as_deref()
            .filter(|visitor| *visitor != lang && w.has_language(visitor))
            .map(|visitor| {
                format!(
                    "{} · {}",
                    counter_name(w, visitor, &h.call.counter.label),
                    where_to_go(w, visitor, &h.call)
                )
            })
            .unwrap_or_default(),
    }
}

/// The recent calls' rows: (ticket, counter name, look, priority), newest first.
fn recent_rows(
    room: &Room,
    w: &Catalogue,
    input: &ViewInput,
    hero: Option<&HeroCall>,
) -> Vec<(String, String, RowLook, bool)> {
    // Calls still marked as new keep a highlighted row in the recent list ("panel" marks).
    let marked: Vec<&str> = if input.mark == MarkStyle::Panel {
        room.marked_ids(input.elapsed, input.marked_secs)
    } else {
        Vec::new()
    };
    room.board
        .calls()
        .filter(|e| hero.is_none_or(|h| h.call.id != e.call.id))
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
                counter_name(w, input.lang, &e.call.counter.label),
                look,
                e.call.priority,
            )
        })
        .collect()
}

/// What a counter screen says of the counter it stands above.
#[derive(Default)]
struct CounterTexts {
    name: String,
    ticket: String,
    state: String,
    priority: bool,
}

fn counter_texts(room: &Room, w: &Catalogue, input: &ViewInput) -> CounterTexts {
    let Some(id) = input.focus else {
        return CounterTexts::default();
    };
    let lang = input.lang;
    let counter = room.board.counters().iter().find(|c| c.id == id);
    let serving = room.serving(id);
    let state = counter.map(|c| c.state);
    let open = matches!(state, None | Some(CounterState::Open));
    CounterTexts {
        // A queue system that sends no counter list still names the counter by its id.
        name: counter_name(w, lang, counter.map_or(id, |c| c.label.as_str())),
        ticket: serving
            .filter(|_| open)
            .map(|c| c.ticket.clone())
            .unwrap_or_default(),
        state: match state {
            Some(CounterState::Closed) => w.text(lang, "counter-closed", &[]),
            Some(CounterState::Paused) => w.text(lang, "counter-paused", &[]),
            Some(CounterState::Open) if serving.is_none() => w.text(lang, "counter-open", &[]),
            _ => String::new(),
        },
        priority: open && serving.is_some_and(|c| c.priority),
    }
}

/// Whether the closed office shows, and what it says: when it opens next, or its hours.
fn closed_texts(room: &Room, w: &Catalogue, input: &ViewInput) -> (bool, String) {
    let lang = input.lang;
    let local = input.now.naive_local();
    let closed_by_hours = input.opening.is_some_and(|o| !o.is_open(local));
    let next_opening = input
        .opening
        .filter(|_| closed_by_hours)
        .and_then(|o| o.next_opening(local))
        .map(|opens| opens_next(w, lang, local, opens));
    let closed = (room.board.office_closed() || closed_by_hours) && !input.counter_screen;
    let hint = match (next_opening, input.hours) {
        (Some(next), _) => next,
        (None, Some(hours)) => w.text(
            lang,
            "office-hours",
            &[("hours", FluentValue::from(hours.to_owned()))],
        ),
        (None, None) => w.text(lang, "office-closed-hint", &[]),
    };
    (closed, hint)
}

/// "Connection lost since 10:42", while it is.
fn connection_text(room: &Room, w: &Catalogue, lang: &str) -> Option<String> {
    if room.status.connected {
        return None;
    }
    room.status.lost_since.map(|since| {
        w.text(
            lang,
            "connection-lost",
            &[("time", FluentValue::from(clock::time_text(&since)))],
        )
    })
}

/// The notice in turn, and whether their rotation is paused (with more than one to rotate).
fn notice_text(room: &Room, w: &Catalogue, input: &ViewInput) -> (String, bool) {
    let notices = room.notices_here(input.now.to_utc());
    let notice = notices
        .get(input.notice_index % notices.len().max(1))
        .map(|n| service_name(&n.text, input.lang, w.primary()))
        .unwrap_or_default();
    (notice, input.notices_paused && notices.len() > 1)
}

/// What the emergency screen says.
#[derive(Clone, Debug, PartialEq)]
pub struct EmergencyView {
    /// "Evakuácia", in the screen's language now.
    pub title: String,
    /// Its text in that language (else the office's, else any).
    pub text: String,
    /// "Vyhlásené o 10:42".
    pub since: String,
    /// The title and text in the screen's other languages, one per line: nobody waits for
    /// the rotation to reach their language.
    pub others: String,
}

/// The emergency this screen shows, in `input.lang` first and its other languages below.
fn emergency_texts(room: &Room, w: &Catalogue, input: &ViewInput) -> Option<EmergencyView> {
    use herald_core::protocol::EmergencyKind;
    let e = room.emergency_here(input.now.to_utc())?;
    let lang = input.lang;
    let key = match e.kind {
        EmergencyKind::Evacuation => "emergency-evacuation",
        EmergencyKind::Closing => "emergency-closing",
        EmergencyKind::Other => "emergency-other",
    };
    let title = w.text(lang, key, &[]);
    let others = input
        .langs
        .iter()
        .filter(|l| l.as_str() != lang)
        .filter_map(|l| {
            e.text
                .get(l)
                .map(|text| format!("{} — {text}", w.text(l, key, &[])))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let since = chrono::DateTime::parse_from_rfc3339(&e.raised_at)
        .map(|t| {
            w.text(
                lang,
                "emergency-since",
                &[(
                    "time",
                    FluentValue::from(clock::time_text(&t.with_timezone(&chrono::Local))),
                )],
            )
        })
        .unwrap_or_default();
    Some(EmergencyView {
        title,
        text: service_name(&e.text, lang, w.primary()),
        since,
        others,
    })
}

impl ScreenView {
    /// What the screen shows of `room`, in `input.lang`.
    pub fn of(room: &Room, w: &Catalogue, input: &ViewInput) -> Self {
        let lang = input.lang;
        let text = |key: &str| w.text(lang, key, &[]);
        let hero = room.hero.clone();
        let hero_texts = hero_texts(hero.as_ref(), w, lang);
        let counter = counter_texts(room, w, input);
        let (closed, closed_hint) = closed_texts(room, w, input);
        let (notice, notices_paused) = notice_text(room, w, input);
        let emergency = emergency_texts(room, w, input);
        Self {
            emergency,
            lang: lang.to_owned(),
            office_name: input
                .office_name
                .map_or_else(|| text("office-default-name"), str::to_owned),
            connection: connection_text(room, w, lang),
            time: clock::time_text(&input.now),
            date: clock::date_text(w, lang, &input.now),
            hero_title: hero_texts.title,
            hero_counter: hero_texts.counter,
            hero_detail: hero_texts.detail,
            hero_visitor: hero_texts.visitor,
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
            recent: recent_rows(room, w, input, hero.as_ref()),
            hero,
            recent_title: text("recent-calls"),
            notice,
            notice_paused: if notices_paused {
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
            closed,
            closed_title: text("office-closed"),
            closed_hint,
            counter_name: counter.name,
            counter_ticket: counter.ticket,
            counter_state: counter.state,
            counter_priority: counter.priority,
            any_counters: room
                .board
                .counters()
                .iter()
                .any(|c| room.scope.takes_counter(c)),
        }
    }
}

#[cfg(test)]
mod tests;
