//! The staff preview: its actions go through the same board and announcer path as a feed event
//! (headless), and `herald --preview` shows the panel beside the scaled screen (real pixels).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use herald::screen::preview::{self, PreviewAction, PreviewActions, TestCall};
use herald::screen::zones::Slot;
use herald::screen::{DisplayLangs, WaitingRoom, Words};
use herald_core::catalogue::Catalogue;
use herald_core::protocol::CounterState;
use herald_core::room::ToAnnounce;

fn app() -> App {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalogue, _) = Catalogue::load(&root.join("locales"), "sk").expect("locales");
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            50,
        )))
        .insert_resource(Words(Arc::new(catalogue)))
        .insert_resource(DisplayLangs::new(vec!["sk".into(), "en".into()]))
        .add_plugins((herald::screen::plugin, preview::actions_plugin));
    app.update();
    app
}

fn act(app: &mut App, action: PreviewAction) {
    app.world_mut()
        .resource_mut::<PreviewActions>()
        .0
        .push(action);
    app.update();
}

fn text(app: &mut App, slot: Slot) -> String {
    let mut query = app.world_mut().query::<(&Slot, &Text)>();
    query
        .iter(app.world())
        .find(|(s, _)| **s == slot)
        .map(|(_, t)| t.0.clone())
        .unwrap_or_default()
}

fn test_call(ticket: &str, counter: &str) -> TestCall {
    TestCall {
        ticket: ticket.into(),
        counter: counter.into(),
        service: "Miestne dane".into(),
        lang: Some("uk".into()),
        recall: false,
        floor: Some(1),
        priority: false,
    }
}

#[test]
fn a_test_call_from_the_panel_takes_the_feed_path_and_is_flagged_as_a_test() {
    let mut app = app();
    act(&mut app, PreviewAction::Call(test_call("A042", "3")));
    // The board has it, the screen shows it as the hero, as for a feed event.
    let room = app.world().resource::<WaitingRoom>();
    let entry = room.board.calls().next().expect("the call is on the board");
    assert_eq!(entry.call.ticket, "A042");
    assert_eq!(
        entry.call.service.get("sk").map(String::as_str),
        Some("Miestne dane")
    );
    assert_eq!(entry.call.lang.as_deref(), Some("uk"));
    // The feed's seq is untouched: the queue system never heard of it.
    assert_eq!(room.board.last_seq(), None);
    app.update();
    assert_eq!(text(&mut app, Slot::HeroTicket), "A042");
    assert_eq!(text(&mut app, Slot::HeroCounter), "Okienko 3");
    // The announcer's queue got it, flagged as a test call.
    let queued: Vec<(String, bool)> = app
        .world()
        .resource::<WaitingRoom>()
        .to_announce
        .iter()
        .filter_map(|(item, _)| match item {
            ToAnnounce::Call { call, test } => Some((call.ticket.clone(), *test)),
            ToAnnounce::Cancel(_) => None,
        })
        .collect();
    assert_eq!(queued, vec![("A042".to_owned(), true)]);

    // A recall of it is a recall of the same call.
    act(
        &mut app,
        PreviewAction::Call(TestCall {
            recall: true,
            ..test_call("A042", "3")
        }),
    );
    let room = app.world().resource::<WaitingRoom>();
    assert_eq!(room.board.calls().count(), 1, "the recall is the same call");
    assert!(
        room.to_announce
            .iter()
            .any(|(item, _)| matches!(item, ToAnnounce::Call { call, test: true } if call.recall))
    );
}

#[test]
fn the_panel_opens_pauses_and_closes_counters_and_posts_notices_locally() {
    let mut app = app();
    for state in [CounterState::Open, CounterState::Closed] {
        act(
            &mut app,
            PreviewAction::Counter {
                id: "2".into(),
                state,
            },
        );
    }
    let room = app.world().resource::<WaitingRoom>();
    assert_eq!(room.board.counters()[0].state, CounterState::Closed);
    // Every counter closed: the closed screen, as a feed would make it.
    assert!(room.board.office_closed());
    act(
        &mut app,
        PreviewAction::Notice("Pokladňa dnes do 15:00.".into()),
    );
    app.update();
    assert_eq!(text(&mut app, Slot::Notice), "Pokladňa dnes do 15:00.");
    act(&mut app, PreviewAction::WithdrawNotice);
    app.update();
    assert_eq!(text(&mut app, Slot::Notice), "");
}

#[test]
fn choosing_the_accessible_layout_brings_its_high_contrast_theme_and_languages_change_at_once() {
    use herald::screen::design_assets::{ActiveLayout, ActiveTheme};
    let mut app = app();
    act(&mut app, PreviewAction::Call(test_call("A042", "3")));
    act(&mut app, PreviewAction::Layout("accessible".into()));
    assert_eq!(app.world().resource::<ActiveLayout>().0.name, "accessible");
    assert_eq!(
        app.world().resource::<ActiveTheme>().0.name,
        "high-contrast"
    );
    act(&mut app, PreviewAction::Theme("civic".into()));
    assert_eq!(app.world().resource::<ActiveTheme>().0.name, "civic");
    act(&mut app, PreviewAction::Languages(vec!["uk".into()]));
    app.update();
    assert_eq!(text(&mut app, Slot::HeroCounter), "Вікно 3");
}

#[test]
fn the_preview_window_shows_the_panel_beside_the_scaled_screen() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("folder");
    let path = dir.join("preview-sk.png");
    let _ = std::fs::remove_file(&path);
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(env!("CARGO_BIN_EXE_herald"))
        .args([
            "--preview",
            "--mute",
            "--lang",
            "sk",
            "--after",
            "5",
            "--screenshot",
        ])
        .arg(&path)
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("xvfb-run must be installed (the README's test command installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = std::fs::File::open(&path).expect("the screenshot");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut rgb = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut rgb).expect("a frame");
    let (w, h) = (info.width as usize, info.height as usize);
    assert_eq!((w, h), (1920, 1080));
    let pixel = |x: usize, y: usize| {
        let i = (y * w + x) * 3;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    };
    let distinct = |x0: usize, x1: usize, y0: usize, y1: usize| {
        let mut seen = std::collections::HashSet::new();
        for y in (y0..y1).step_by(3) {
            for x in (x0..x1).step_by(3) {
                seen.insert(pixel(x, y));
            }
        }
        seen.len()
    };
    // The panel (left, egui's text on its grey) and the screen (right, the civic navy with text).
    let panel = distinct(0, 300, 0, 500);
    let screen = distinct(500, 1900, 150, 950);
    assert!(panel > 8, "the panel is blank ({panel} colours)");
    assert!(screen > 50, "the screen is blank ({screen} colours)");
    let theme = herald_core::design::civic();
    let srgb = |c: herald_core::colour::Colour| {
        [c.red, c.green, c.blue].map(|v| (v * 255.0).round() as i32)
    };
    let colours = [
        srgb(theme.background),
        srgb(theme.header),
        srgb(theme.panel),
    ];
    let (mut themed, mut all) = (0, 0);
    for y in (150..950).step_by(4) {
        for x in (500..1900).step_by(4) {
            let p = pixel(x, y).map(i32::from);
            all += 1;
            if colours
                .iter()
                .any(|c| c.iter().zip(p).all(|(a, b)| (a - b).abs() < 8))
            {
                themed += 1;
            }
        }
    }
    let share = f64::from(themed) / f64::from(all);
    assert!(
        share > 0.5,
        "the screen is not drawn in its theme's colours ({share:.2})"
    );
}

#[test]
fn pausing_a_counter_in_the_panel_keeps_its_name_and_floor() {
    use herald_core::protocol::{Counter, ServerMessage, State, VERSION};
    let mut app = app();
    app.world_mut()
        .resource_mut::<WaitingRoom>()
        .apply(&ServerMessage::Snapshot {
            v: VERSION,
            seq: 1,
            state: State {
                counters: vec![Counter {
                    id: "k1".into(),
                    label: "Pokladňa".into(),
                    state: CounterState::Open,
                    floor: Some(1),
                }],
                ..State::default()
            },
        });
    act(
        &mut app,
        PreviewAction::Counter {
            id: "k1".into(),
            state: CounterState::Paused,
        },
    );
    let room = app.world().resource::<WaitingRoom>();
    let counter = &room.board.counters()[0];
    assert_eq!(
        (counter.label.as_str(), counter.state, counter.floor),
        ("Pokladňa", CounterState::Paused, Some(1)),
        "the panel replaced the counter's name with its id"
    );
}

#[test]
fn staff_try_a_qr_url_and_the_code_on_the_screen_is_made_for_it() {
    use herald::screen::zones::qr::QrCode;
    let mut app = app();
    app.insert_resource(Assets::<Image>::default());
    act(&mut app, PreviewAction::Layout("waiting-room-info".into()));
    let codes = |app: &mut App| -> Vec<usize> {
        let mut query = app.world_mut().query::<&QrCode>();
        query.iter(app.world()).map(|c| c.modules).collect()
    };
    assert!(codes(&mut app).is_empty(), "no URL yet, no code");
    act(
        &mut app,
        PreviewAction::QrUrl("https://www.slovensko.sk/".into()),
    );
    app.update();
    assert_eq!(
        codes(&mut app),
        [25 + 8],
        "a version-2 code with its quiet zone"
    );
    // A longer address makes a larger code; a bad one is refused and the code stays.
    act(
        &mut app,
        PreviewAction::QrUrl("https://www.zhytomyr-rada.gov.ua/cnap/posluhy/reiestratsiia".into()),
    );
    app.update();
    let long = codes(&mut app);
    assert!(long.len() == 1 && long[0] > 33, "{long:?}");
    act(&mut app, PreviewAction::QrUrl("not a web address".into()));
    app.update();
    assert_eq!(codes(&mut app), long);
    assert_eq!(
        text(&mut app, Slot::QrCaption),
        "Vybavte si to aj online: naskenujte kód"
    );
}

#[test]
fn staff_jump_the_screens_clock_to_the_next_closing_and_back() {
    use herald::screen::ScreenSettings;
    let mut app = app();
    app.world_mut()
        .resource_mut::<ScreenSettings>()
        .design
        .opening =
        herald_core::opening::Opening::parse(&["mon-sun 8:00-16:00".into()], &[]).expect("hours");
    act(&mut app, PreviewAction::Call(test_call("A042", "3")));
    let closed_now = |app: &mut App| {
        let settings = app.world().resource::<ScreenSettings>();
        !settings
            .design
            .opening
            .is_open(settings.now().naive_local())
    };
    let before = closed_now(&mut app);
    act(&mut app, PreviewAction::JumpClock(true));
    app.update();
    assert_ne!(
        closed_now(&mut app),
        before,
        "the jump crosses the next change"
    );
    let hint = text(&mut app, Slot::ClosedHint);
    if closed_now(&mut app) {
        assert!(hint.starts_with("Otvorené"), "{hint}");
    }
    act(&mut app, PreviewAction::JumpClock(false));
    assert_eq!(closed_now(&mut app), before, "back to the real clock");
}

#[test]
fn staff_pick_a_folder_of_pictures_step_through_them_and_pause_them() {
    use herald::screen::media::MediaShow;
    let mut app = app();
    app.insert_resource(Assets::<Image>::default())
        .insert_resource(herald::screen::ScreenArea(Vec2::new(1920.0, 1080.0)));
    act(&mut app, PreviewAction::Layout("waiting-room-media".into()));
    let shown = |app: &mut App| -> Option<String> {
        app.world()
            .resource::<MediaShow>()
            .current
            .as_ref()
            .and_then(|p| p.file.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    };
    // Waits (on the loader thread, in real time) until the picture on show is `want`'s.
    let wait_for = |app: &mut App, want: &dyn Fn(Option<String>) -> bool| {
        let end = std::time::Instant::now() + Duration::from_secs(20);
        while !want(shown(app)) {
            assert!(
                std::time::Instant::now() < end,
                "now showing {:?}",
                shown(app)
            );
            std::thread::sleep(Duration::from_millis(20));
            app.update();
        }
    };
    // Not a folder: nothing changes.
    act(
        &mut app,
        PreviewAction::MediaFolder("/no/such/folder".into()),
    );
    assert_eq!(shown(&mut app), None);
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/media");
    act(&mut app, PreviewAction::MediaFolder(samples));
    wait_for(&mut app, &|s| s.as_deref() == Some("01-online.png"));
    assert_eq!(app.world().resource::<MediaShow>().files.len(), 3);
    // "Next picture" brings up the JPEG at once, without waiting its 12 s.
    act(&mut app, PreviewAction::NextPicture);
    wait_for(&mut app, &|s| s.as_deref() == Some("02-waste.jpg"));
    // Paused, the zone says so; the picture stays however long the screen runs.
    act(&mut app, PreviewAction::TogglePause);
    app.update();
    assert_eq!(text(&mut app, Slot::MediaPaused), "Obrázky sú pozastavené");
    for _ in 0..300 {
        app.update();
    }
    assert_eq!(shown(&mut app).as_deref(), Some("02-waste.jpg"));
    act(&mut app, PreviewAction::TogglePause);
    assert_eq!(text(&mut app, Slot::MediaPaused), "");
    wait_for(&mut app, &|s| s.as_deref() == Some("03-cards.png"));
}
