use super::*;
use crate::screen::slots::{Part, Slot};
use herald_core::protocol::{Call, Counter, ServerMessage, State, VERSION};

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
        langs: &[],
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
    // The closed office fills its overlay (empty while open), the clock on it included.
    assert!(!view.text(Slot::ClosedTitle).is_empty());
    assert_eq!(view.text(Slot::ClosedTime), view.text(Slot::Time));
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

#[test]
fn a_hidden_part_carries_no_text_so_its_glyphs_are_not_kept_until_it_shows() {
    let w = words();
    let mut room = room_with(&[("A001", "1")], Vec::new());
    room.advance(0.0, 4.0);
    let view = ScreenView::of(&room, &w, &input("sk"));
    // Open, a plain call, no emergency: the closed office, the badges and the sign are empty.
    for slot in [
        Slot::ClosedTitle,
        Slot::ClosedHint,
        Slot::ClosedTime,
        Slot::HeroRecall,
        Slot::HeroPriority,
        Slot::BadgeStar(Part::PriorityBadge),
        Slot::EmergencySign,
    ] {
        assert_eq!(view.text(slot), "", "{slot:?} while its part is hidden");
    }
    assert!(
        !view.text(Slot::Time).is_empty(),
        "the header's clock still shows"
    );
    // A priority call fills the badge's star and word.
    let mut room = room_with(&[], Vec::new());
    room.apply(&ServerMessage::Call {
        v: VERSION,
        seq: 2,
        call: Call {
            priority: true,
            ..Call::new("P001", "P001", "2", chrono::Utc::now().to_rfc3339())
        },
    });
    room.advance(0.0, 4.0);
    let view = ScreenView::of(&room, &w, &input("uk"));
    assert_eq!(view.text(Slot::BadgeStar(Part::PriorityBadge)), "★");
    assert_eq!(view.text(Slot::HeroPriority), "Пріоритет");
    assert_eq!(view.text(Slot::BadgeStar(Part::CounterPriorityBadge)), "");
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
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
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

#[test]
fn an_emergency_covers_the_screen_of_its_floors_in_every_language_until_it_expires() {
    use herald_core::protocol::{Emergency, EmergencyKind};
    let w = words();
    let mut room = room_with(&[("A001", "1")], Vec::new());
    room.scope = herald_core::scope::Scope::parse(None, Some("1"), None).expect("scope");
    let langs = vec!["sk".to_owned(), "uk".to_owned()];
    let raise = |room: &mut Room, seq: u64, floors: Vec<i32>, expires: Option<&str>| {
        room.apply(&ServerMessage::Emergency {
            v: VERSION,
            seq,
            emergency: Emergency {
                id: format!("e{seq}"),
                kind: EmergencyKind::Evacuation,
                text: [
                    ("sk".to_owned(), "Opustite budovu.".to_owned()),
                    ("uk".to_owned(), "Залиште будівлю.".to_owned()),
                ]
                .into_iter()
                .collect(),
                floors,
                repeat_seconds: 60,
                expires: expires.map(str::to_owned),
                raised_at: "2026-12-04T09:00:00+01:00".into(),
                raised_by: Some("marta".into()),
            },
        });
    };
    let view = |room: &Room| {
        ScreenView::of(
            room,
            &w,
            &ViewInput {
                langs: &langs,
                ..input("uk")
            },
        )
    };
    raise(&mut room, 2, vec![2], None);
    assert_eq!(
        view(&room).shows(Part::EmergencyOverlay),
        Some(false),
        "floor 2 only"
    );
    raise(&mut room, 3, vec![1, 2], None);
    let shown = view(&room);
    assert_eq!(shown.shows(Part::EmergencyOverlay), Some(true));
    assert_eq!(shown.text(Slot::EmergencyTitle), "Евакуація");
    assert_eq!(shown.text(Slot::EmergencyText), "Залиште будівлю.");
    assert_eq!(
        shown.text(Slot::EmergencyOthers),
        "Evakuácia — Opustite budovu."
    );
    raise(&mut room, 4, Vec::new(), Some("2020-01-01T00:00:00Z"));
    assert_eq!(
        view(&room).shows(Part::EmergencyOverlay),
        Some(false),
        "expired"
    );
}
