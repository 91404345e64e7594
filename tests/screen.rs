//! The waiting-room screen as a headless Bevy app (`MinimalPlugins`, deterministic time):
//! a call injected into the room shows up in the screen's entities the way a visitor would see it.

use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use herald::screen::palette::{color, luminance};
use herald::screen::zones::{Part, Slot};
use herald::screen::{DisplayLangs, WaitingRoom, Words};
use herald_core::catalogue::Catalogue;
use herald_core::design::civic;
use herald_core::protocol::{Call, CallEnd, Counter, CounterState, ServerMessage, State, VERSION};

const FRAME: Duration = Duration::from_millis(50);

fn app(langs: &[&str]) -> App {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalogue, problems) =
        Catalogue::load(&root.join("locales"), langs[0]).expect("locales load");
    assert!(problems.is_empty(), "{problems:?}");
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
        .insert_resource(Words(Arc::new(catalogue)))
        .insert_resource(DisplayLangs::new(
            langs.iter().map(|l| (*l).to_owned()).collect(),
        ))
        .add_plugins(herald::screen::plugin);
    app.update();
    let mut seq = 0;
    let counters = (1..=4)
        .map(|i| Counter {
            id: i.to_string(),
            label: i.to_string(),
            state: CounterState::Open,
            floor: Some(0),
        })
        .collect();
    apply(
        &mut app,
        |s| ServerMessage::Snapshot {
            v: VERSION,
            seq: s,
            state: State {
                counters,
                ..State::default()
            },
        },
        &mut seq,
    );
    app
}

fn apply(app: &mut App, make: impl FnOnce(u64) -> ServerMessage, seq: &mut u64) {
    let message = make(*seq);
    *seq += 1;
    app.world_mut()
        .resource_mut::<WaitingRoom>()
        .apply(&message);
}

fn call(ticket: &str, counter: &str) -> Call {
    Call {
        service: [
            ("sk".to_owned(), "Miestne dane".to_owned()),
            ("uk".to_owned(), "Місцеві податки".to_owned()),
        ]
        .into_iter()
        .collect(),
        floor: Some(1),
        ..Call::new(
            format!("id-{ticket}"),
            ticket,
            counter,
            chrono::Utc::now().to_rfc3339(),
        )
    }
}

/// Sends calls with consecutive seqs after the snapshot (seq 0).
struct Feed {
    seq: u64,
}

impl Feed {
    fn send(&mut self, app: &mut App, message: impl FnOnce(u64) -> ServerMessage) {
        self.seq += 1;
        let m = message(self.seq);
        app.world_mut().resource_mut::<WaitingRoom>().apply(&m);
    }

    fn call(&mut self, app: &mut App, c: Call) {
        self.send(app, |seq| ServerMessage::Call {
            v: VERSION,
            seq,
            call: c,
        });
    }
}

fn text(app: &mut App, slot: Slot) -> String {
    let mut query = app.world_mut().query::<(&Slot, &Text)>();
    query
        .iter(app.world())
        .find(|(s, _)| **s == slot)
        .map(|(_, t)| t.0.clone())
        .unwrap_or_else(|| panic!("no {slot:?} on screen"))
}

fn shown(app: &mut App, part: Part) -> bool {
    let mut query = app.world_mut().query::<(&Part, &Node)>();
    query
        .iter(app.world())
        .find(|(p, _)| **p == part)
        .map(|(_, n)| n.display != Display::None)
        .unwrap_or_else(|| panic!("no {part:?} on screen"))
}

fn run_for(app: &mut App, seconds: f64) {
    for _ in 0..(seconds / FRAME.as_secs_f64()).round() as usize {
        app.update();
    }
}

#[test]
fn an_injected_call_becomes_the_hero_with_ticket_arrow_counter_and_where_to_go() {
    let mut app = app(&["sk"]);
    assert_eq!(
        text(&mut app, Slot::Waiting),
        "Prosíme, počkajte na vyvolanie"
    );
    let mut feed = Feed { seq: 0 };
    feed.call(&mut app, call("A042", "3"));
    app.update();
    assert_eq!(text(&mut app, Slot::HeroTicket), "A042");
    assert_eq!(text(&mut app, Slot::HeroArrow), "→");
    assert_eq!(text(&mut app, Slot::HeroCounter), "Okienko 3");
    assert_eq!(
        text(&mut app, Slot::HeroDetail),
        "Miestne dane · 1. poschodie"
    );
    assert_eq!(text(&mut app, Slot::HeroTitle), "Vyvolávame");
    assert_eq!(text(&mut app, Slot::Waiting), "");
    assert!(!shown(&mut app, Part::RecallBadge));
}

#[test]
fn the_previous_hero_moves_into_recent_calls() {
    let mut app = app(&["uk"]);
    let mut feed = Feed { seq: 0 };
    feed.call(&mut app, call("A001", "1"));
    run_for(&mut app, 1.0);
    feed.call(&mut app, call("B002", "2"));
    run_for(&mut app, 5.0);
    assert_eq!(text(&mut app, Slot::HeroTicket), "B002");
    assert_eq!(text(&mut app, Slot::HeroCounter), "Вікно 2");
    assert_eq!(text(&mut app, Slot::RecentTicket(0)), "A001");
    assert_eq!(text(&mut app, Slot::RecentCounter(0)), "Вікно 1");
    assert_eq!(text(&mut app, Slot::RecentArrow(0)), "→");
    assert!(shown(&mut app, Part::RecentRow(0)));
    assert!(!shown(&mut app, Part::RecentRow(1)));
}

#[test]
fn five_calls_in_one_frame_each_get_their_turn_on_the_hero() {
    let mut app = app(&["sk"]);
    let mut feed = Feed { seq: 0 };
    let tickets = ["A001", "A002", "A003", "A004", "A005"];
    for (i, t) in tickets.iter().enumerate() {
        feed.call(&mut app, call(t, &(i + 1).to_string()));
    }
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..(30.0 / FRAME.as_secs_f64()) as usize {
        app.update();
        let hero = text(&mut app, Slot::HeroTicket);
        // The recent list holds only calls already shown, never one still waiting its turn.
        let recent: Vec<String> = (0..6)
            .map(|i| text(&mut app, Slot::RecentTicket(i)))
            .filter(|t| !t.is_empty())
            .collect();
        for listed in &recent {
            assert!(
                seen.contains(listed),
                "{listed} is listed as recent before it was called (hero {hero})"
            );
        }
        if seen.last() != Some(&hero) {
            seen.push(hero);
        }
    }
    assert_eq!(seen, tickets, "every call must be shown, in arrival order");
}

#[test]
fn a_recall_is_marked_in_words_and_a_cancelled_call_leaves() {
    let mut app = app(&["sk"]);
    let mut feed = Feed { seq: 0 };
    feed.call(&mut app, call("A001", "1"));
    run_for(&mut app, 5.0);
    feed.call(&mut app, call("A002", "2"));
    run_for(&mut app, 5.0);
    feed.call(
        &mut app,
        Call {
            recall: true,
            ..call("A001", "1")
        },
    );
    run_for(&mut app, 0.5);
    assert_eq!(text(&mut app, Slot::HeroTicket), "A001");
    assert!(shown(&mut app, Part::RecallBadge));
    assert_eq!(text(&mut app, Slot::HeroRecall), "Opakované vyvolanie");

    feed.send(&mut app, |seq| ServerMessage::CallEnded {
        v: VERSION,
        seq,
        call_id: "id-A001".into(),
        reason: CallEnd::Cancelled,
    });
    run_for(&mut app, 0.5);
    assert_eq!(
        text(&mut app, Slot::HeroTicket),
        "A002",
        "the cancelled call left the hero"
    );
    assert_ne!(
        text(&mut app, Slot::RecentTicket(0)),
        "A001",
        "the cancelled call left the list"
    );
}

#[test]
fn all_counters_closed_shows_the_closed_screen() {
    let mut app = app(&["bg"]);
    let mut feed = Feed { seq: 0 };
    assert!(!shown(&mut app, Part::ClosedOverlay));
    for id in 1..=4 {
        feed.send(&mut app, |seq| ServerMessage::Counter {
            v: VERSION,
            seq,
            counter: Counter {
                id: id.to_string(),
                label: id.to_string(),
                state: CounterState::Closed,
                floor: None,
            },
        });
    }
    app.update();
    assert!(shown(&mut app, Part::ClosedOverlay));
    assert_eq!(text(&mut app, Slot::ClosedTitle), "Центърът е затворен");
}

#[test]
fn the_highlight_flashes_at_most_three_times_in_any_second() {
    let mut app = app(&["sk"]);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        1000 / 60,
    )));
    let mut feed = Feed { seq: 0 };
    let mut samples = Vec::new();
    let mut t = 0.0;
    // Several calls back to back: the worst case for flashing.
    for round in 0..4 {
        feed.call(&mut app, call(&format!("A{round:03}"), "1"));
        for _ in 0..60 * 5 {
            app.update();
            t += 1.0 / 60.0;
            let mut panels = app.world_mut().query::<(&Part, &BackgroundColor)>();
            let lum = panels
                .iter(app.world())
                .find(|(p, _)| **p == Part::HeroPanel)
                .map(|(_, c)| luminance(c.0))
                .expect("hero panel");
            samples.push((
                t,
                lum > (luminance(color(civic().panel)) + luminance(color(civic().highlight))) / 2.0,
            ));
        }
    }
    assert!(
        samples.iter().any(|(_, on)| *on),
        "the new call was never highlighted"
    );
    let worst = max_flashes_per_second(&samples);
    assert!(worst <= 3, "{worst} flashes in one second");
}

#[test]
fn display_languages_rotate_but_numbers_do_not_change() {
    let mut app = app(&["uk", "en"]);
    let mut feed = Feed { seq: 0 };
    feed.call(&mut app, call("A042", "3"));
    app.update();
    assert_eq!(text(&mut app, Slot::HeroCounter), "Вікно 3");
    run_for(&mut app, 13.0);
    assert_eq!(text(&mut app, Slot::HeroCounter), "Counter 3");
    assert_eq!(text(&mut app, Slot::HeroTicket), "A042");
}

#[test]
fn a_lost_connection_keeps_the_last_calls_and_shows_a_calm_marker() {
    let mut app = app(&["sk"]);
    let mut feed = Feed { seq: 0 };
    feed.call(&mut app, call("A042", "3"));
    app.update();
    assert!(!shown(&mut app, Part::ConnectionPill));
    {
        let mut room = app.world_mut().resource_mut::<WaitingRoom>();
        room.status.connected = false;
        room.status.lost_since = Some(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Local, 2026, 11, 22, 9, 14, 0)
                .single()
                .expect("a local time"),
        );
    }
    app.update();
    assert!(shown(&mut app, Part::ConnectionPill));
    assert_eq!(
        text(&mut app, Slot::Connection),
        "Spojenie prerušené od 09:14"
    );
    assert_eq!(
        text(&mut app, Slot::HeroTicket),
        "A042",
        "the last state stays on screen"
    );
}

fn notice(id: &str, sk: &str) -> herald_core::protocol::Notice {
    herald_core::protocol::Notice {
        id: id.into(),
        text: [("sk".to_owned(), sk.to_owned())].into_iter().collect(),
        ..herald_core::protocol::Notice::default()
    }
}

#[test]
fn notices_take_turns_and_space_pauses_them_with_a_visible_mark() {
    let mut app = app(&["sk"]);
    let mut feed = Feed { seq: 0 };
    for (id, words) in [
        ("a", "Platby kartou pri všetkých okienkach."),
        ("b", "V stredu do 17:30."),
    ] {
        let n = notice(id, words);
        feed.send(&mut app, |seq| ServerMessage::Notice {
            v: VERSION,
            seq,
            notice: n,
        });
    }
    app.update();
    let first = text(&mut app, Slot::Notice);
    assert!(!first.is_empty());
    assert_eq!(text(&mut app, Slot::NoticePaused), "");
    // The waiting-room layout shows each notice for 10 s.
    run_for(&mut app, 10.5);
    let second = text(&mut app, Slot::Notice);
    assert_ne!(first, second, "the notices did not rotate");

    // Staff press Space on the display's keyboard: the notice stays, and the bar says so.
    let mut keys = ButtonInput::<KeyCode>::default();
    keys.press(KeyCode::Space);
    app.insert_resource(keys);
    app.update();
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .clear_just_pressed(KeyCode::Space);
    run_for(&mut app, 35.0);
    assert_eq!(text(&mut app, Slot::Notice), second, "paused, yet it moved");
    assert_eq!(text(&mut app, Slot::NoticePaused), "Oznamy sú pozastavené");

    // P resumes.
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(KeyCode::KeyP);
    app.update();
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .clear_just_pressed(KeyCode::KeyP);
    run_for(&mut app, 9.0);
    assert_eq!(
        text(&mut app, Slot::Notice),
        second,
        "a resumed notice gets its time"
    );
    run_for(&mut app, 1.5);
    assert_eq!(text(&mut app, Slot::Notice), first);
    assert_eq!(text(&mut app, Slot::NoticePaused), "");
}

#[test]
fn the_closed_screen_gives_the_opening_hours_when_the_office_has_them() {
    let mut app = app(&["sk"]);
    app.world_mut()
        .resource_mut::<herald::screen::ScreenSettings>()
        .design
        .hours = Some("Po–Pi 8:00–16:00".into());
    let mut feed = Feed { seq: 0 };
    for i in 1..=4 {
        feed.send(&mut app, |seq| ServerMessage::Counter {
            v: VERSION,
            seq,
            counter: Counter {
                id: i.to_string(),
                label: i.to_string(),
                state: CounterState::Closed,
                floor: Some(0),
            },
        });
    }
    app.update();
    assert!(shown(&mut app, Part::ClosedOverlay));
    assert_eq!(
        text(&mut app, Slot::ClosedHint),
        "Úradné hodiny: Po–Pi 8:00–16:00"
    );
}

fn accessible_app(langs: &[&str]) -> App {
    use herald::screen::design_assets::{ActiveLayout, ActiveTheme};
    use herald_core::design::{shipped_layout, shipped_theme};
    let mut app = app(langs);
    app.insert_resource(ActiveLayout(
        shipped_layout("accessible").expect("shipped accessible layout"),
    ))
    .insert_resource(ActiveTheme(
        shipped_theme("high-contrast").expect("shipped high-contrast theme"),
    ));
    app.update();
    app
}

fn hero_highlighted(app: &mut App) -> bool {
    use herald_core::design::shipped_theme;
    let theme = shipped_theme("high-contrast").expect("theme");
    let mut panels = app.world_mut().query::<(&Part, &BackgroundColor)>();
    let lum = panels
        .iter(app.world())
        .find(|(p, _)| **p == Part::HeroPanel)
        .map(|(_, c)| luminance(c.0))
        .expect("hero panel");
    lum > (luminance(color(theme.panel)) + luminance(color(theme.highlight))) / 2.0
}

fn row_highlighted(app: &mut App, row: usize) -> bool {
    let mut rows = app.world_mut().query::<(&Part, &BackgroundColor)>();
    rows.iter(app.world())
        .find(|(p, _)| **p == Part::RecentRow(row))
        .map(|(_, c)| c.0 != Color::NONE)
        .expect("recent row")
}

#[test]
fn the_accessible_display_never_flashes_and_keeps_new_calls_marked_for_ten_seconds() {
    let mut app = accessible_app(&["sk"]);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        1000 / 60,
    )));
    let mut feed = Feed { seq: 0 };
    // Three calls in one frame, then a fourth a little later: the worst case for flashing.
    for ticket in ["A001", "A002", "A003"] {
        feed.call(&mut app, call(ticket, "1"));
    }
    let mut samples = Vec::new();
    let mut t = 0.0;
    for frame in 0..60 * 30 {
        if frame == 60 * 6 {
            feed.call(&mut app, call("A004", "2"));
        }
        app.update();
        t += 1.0 / 60.0;
        samples.push((t, hero_highlighted(&mut app)));
        if frame == 60 * 11 {
            // Turns shorten while calls wait (Room::turn): A001 at 0 s (two waiting: 2 s),
            // A002 at 2 s (one waiting: 2.7 s), A003 at 4.7 s, A004 (sent at 6 s) at 7.3 s.
            // A001–A003 have left the hero; A002 is under 10 s old and still marked.
            assert_eq!(text(&mut app, Slot::HeroTicket), "A004");
            let rows: Vec<String> = (0..2)
                .map(|i| text(&mut app, Slot::RecentTicket(i)))
                .collect();
            let a002 = rows
                .iter()
                .position(|r| r == "A002")
                .unwrap_or_else(|| panic!("A002 listed: {rows:?}"));
            assert!(
                row_highlighted(&mut app, a002),
                "a call under 10 s old lost its mark when others followed"
            );
        }
    }
    assert!(
        samples.iter().any(|(_, on)| *on),
        "the new call was never highlighted"
    );
    let worst = max_flashes_per_second(&samples);
    assert!(worst <= 3, "{worst} flashes in one second");
    // Steady, not flashing: each call's mark is one on-period of about 10 s, or calls in a row
    // keep it on.
    let first_off = samples
        .iter()
        .find(|(_, on)| !*on)
        .map_or(f64::MAX, |(t, _)| *t);
    assert!(
        first_off >= 10.0,
        "the mark went off after {first_off:.1} s"
    );
    // 30 s later nothing is marked any more.
    assert!(!hero_highlighted(&mut app));
    assert!(!row_highlighted(&mut app, 0) && !row_highlighted(&mut app, 1));
}

#[test]
fn the_accessible_display_says_recall_in_words() {
    let mut app = accessible_app(&["uk"]);
    let mut feed = Feed { seq: 0 };
    feed.call(&mut app, call("A001", "1"));
    run_for(&mut app, 5.0);
    feed.call(
        &mut app,
        Call {
            recall: true,
            ..call("A001", "1")
        },
    );
    run_for(&mut app, 0.5);
    assert!(shown(&mut app, Part::RecallBadge));
    assert_eq!(text(&mut app, Slot::HeroRecall), "Повторний виклик");
    assert_eq!(text(&mut app, Slot::HeroCounter), "Вікно 1");
}

/// Counts flashes (a pair of opposing changes in the highlight) in every 1-second window of
/// `samples` (time, highlighted), and returns the largest count.
fn max_flashes_per_second(samples: &[(f64, bool)]) -> usize {
    let changes: Vec<f64> = samples
        .windows(2)
        .filter(|w| w[0].1 != w[1].1)
        .map(|w| w[1].0)
        .collect();
    changes
        .iter()
        .map(|start| {
            changes
                .iter()
                .filter(|t| **t >= *start && **t < start + 1.0)
                .count()
                / 2
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_keepalive_neither_redraws_the_texts_nor_rebuilds_the_counter_strip() {
    use herald::screen::zones::counters::CounterChip;
    let mut app = app(&["sk"]);
    for _ in 0..3 {
        app.update();
    }
    let chips = |app: &mut App| {
        let mut query = app
            .world_mut()
            .query_filtered::<Entity, With<CounterChip>>();
        let mut chips: Vec<Entity> = query.iter(app.world()).collect();
        chips.sort();
        chips
    };
    let before = chips(&mut app);
    assert_eq!(before.len(), 4, "one chip per counter");
    let revision = app.world().resource::<WaitingRoom>().revision;
    // The server repeats its latest seq: nothing happened.
    let last = app
        .world()
        .resource::<WaitingRoom>()
        .board
        .last_seq()
        .unwrap_or(0);
    app.world_mut()
        .resource_mut::<WaitingRoom>()
        .apply(&ServerMessage::Keepalive {
            v: VERSION,
            seq: last,
            now: None,
            report: None,
        });
    app.update();
    assert_eq!(
        app.world().resource::<WaitingRoom>().revision,
        revision,
        "a keepalive counted as a change"
    );
    assert_eq!(
        chips(&mut app),
        before,
        "a keepalive rebuilt the counter strip"
    );
}
