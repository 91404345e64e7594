//! The screen keeps the room's picture between frames and draws only the call's line on the
//! frames where nothing else changed (`screen::layers`). A kept picture that missed a change
//! would show the room as it was: a wrong ticket in the recent calls, an old notice, a counter
//! still open. So after every kind of change, on the default and the accessible layout, in Latin
//! and Cyrillic, these tests compare what the monitor shows (the X display's pixels) with the
//! picture herald draws whole from its state (`/screenshot.png`, for which the room is drawn
//! again). A room layer left stale is a difference that the whole drawing then clears.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use herald_core::protocol::{
    Call, Counter, CounterState, Emergency, EmergencyKind, Localized, Notice, ServerMessage,
    VERSION,
};
use image::RgbImage;
use support::http::{free_port, get};
use support::pixels::grab;
use support::{Herald, TestServer};

/// A herald following `server` on `layout` in `langs`, with its status endpoints.
struct Screen {
    herald: Herald,
    port: u16,
    display: String,
    dir: PathBuf,
    name: String,
    /// When each call was shown: its marks end `MARKED` later, a change the screen makes alone.
    shown_at: Vec<Instant>,
}

/// Font sizes in glyph atlases on an open screen that waited for its first call, then showed
/// calls, a recall, a paused counter and a notice, in one language: one atlas per font and size.
/// Measured on the default layout: 13 (the hero's ticket, counter and arrow, its title, where to
/// go and the waiting line; the recall badge; the recent calls' tickets and arrows; the header's
/// name; the counters' states; the small lines), 21 when hidden words were drawn too.
const OPEN_SCREEN_SIZES: u64 = 13;

/// Seconds a new call stays marked, on the hero and in the recent calls (both layouts).
const MARKED: f64 = 10.0;

impl Screen {
    fn start(name: &str, server: &TestServer, args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layers");
        std::fs::create_dir_all(&dir).expect("test folder");
        let port = free_port();
        let status = format!("127.0.0.1:{port}");
        let url = server.url();
        let mut all = vec!["--feed", &url, "--mute", "--status", &status];
        all.extend_from_slice(args);
        let mut herald = Herald::start(&dir, name, &all, env);
        herald.wait_for("connected", 1, Duration::from_secs(60));
        server.wait_for_display(Duration::from_secs(60));
        let display = herald.display();
        Self {
            herald,
            port,
            display,
            dir,
            name: name.to_owned(),
            shown_at: Vec::new(),
        }
    }

    /// Sends one event and waits until herald applied it (`event_applied` of its type).
    fn apply(
        &mut self,
        server: &TestServer,
        kind: &str,
        make: impl FnOnce(u64) -> ServerMessage + Send + 'static,
    ) {
        let count = |log: &[serde_json::Value]| {
            log.iter()
                .filter(|l| l["event"] == "event_applied" && l["type"] == kind)
                .count()
        };
        let before = count(&self.herald.log);
        server.send(make);
        self.herald.wait_until(
            &format!("herald applies the {kind}"),
            Duration::from_secs(30),
            |log| count(log) > before,
        );
    }

    /// A call (or a recall), applied, shown and animated to its end.
    fn call(&mut self, server: &TestServer, call: Call) {
        let shown = self.herald.events("call_shown").len();
        let animated = self.herald.events("call_animation").len();
        server.call(call);
        self.herald
            .wait_for("call_shown", shown + 1, Duration::from_secs(30));
        self.shown_at.push(Instant::now());
        self.herald
            .wait_for("call_animation", animated + 1, Duration::from_secs(30));
    }

    /// What the monitor shows once it has kept still for a moment.
    fn settled(&self) -> RgbImage {
        let end = Instant::now() + Duration::from_secs(30);
        let mut last = grab(&self.display);
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let next = grab(&self.display);
            if next == last {
                return next;
            }
            assert!(
                Instant::now() < end,
                "{}: the screen did not keep still for 0.3 s within 30 s",
                self.name
            );
            last = next;
        }
    }

    /// The picture drawn whole from the state.
    fn drawn_whole(&self) -> RgbImage {
        let (code, png) = get(self.port, "/screenshot.png", None);
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&png));
        image::load_from_memory(&png).expect("a PNG").to_rgb8()
    }

    /// Font sizes the screen keeps glyph atlases for, from `/metrics`.
    fn glyph_atlas_sizes(&self) -> u64 {
        let (code, body) = get(self.port, "/metrics", None);
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
        String::from_utf8_lossy(&body)
            .lines()
            .find_map(|l| l.strip_prefix("herald_glyph_atlas_sizes "))
            .and_then(|v| v.trim().parse().ok())
            .expect("herald_glyph_atlas_sizes in /metrics")
    }

    /// Whether the screen changes by itself between `from` and `to` (give or take a second): a
    /// call's mark ends, or the clock's minute turns.
    fn changes_alone(&self, from: Instant, to: Instant) -> bool {
        let (from, to) = (from - Duration::from_secs(1), to + Duration::from_secs(1));
        let mark_ends = self.shown_at.iter().any(|shown| {
            let end = *shown + Duration::from_secs_f64(MARKED);
            end >= from && end <= to
        });
        let wall = |at: Instant| {
            let now = Instant::now();
            let local = chrono::Local::now();
            let moved = if at > now {
                local + chrono::Duration::from_std(at - now).unwrap_or_default()
            } else {
                local - chrono::Duration::from_std(now - at).unwrap_or_default()
            };
            moved.format("%H:%M").to_string()
        };
        mark_ends || wall(from) != wall(to)
    }

    /// After `what`, the monitor shows what the state says. A difference that the whole
    /// drawing clears is a layer left stale, unless the screen changed by itself meanwhile (then
    /// it looks again).
    /// Waits for the screen to turn to its next language, then checks the picture. The office's
    /// name in the header says which language the screen shows.
    fn next_language(&self, turn: u32) {
        let name =
            |picture: &RgbImage| image::imageops::crop_imm(picture, 100, 20, 600, 40).to_image();
        let before = name(&self.settled());
        let end = Instant::now() + Duration::from_secs(40);
        while differences(&before, &name(&grab(&self.display))).0 == 0 {
            assert!(Instant::now() < end, "the language did not switch ({turn})");
            std::thread::sleep(Duration::from_millis(200));
        }
        self.check(&format!("language switch {turn}"));
    }

    fn check(&self, what: &str) {
        for _ in 0..3 {
            let from = Instant::now();
            let shown = self.settled();
            let whole = self.drawn_whole();
            let to = Instant::now();
            let (count, within) = differences(&shown, &whole);
            if count == 0 {
                if std::env::var_os("HERALD_LAYER_SHOTS").is_some() {
                    let file = format!("{}-{}.png", self.name, what.replace(' ', "-"));
                    shown.save(self.dir.join(file)).expect("save");
                }
                return;
            }
            let after = self.settled();
            if differences(&after, &whole).0 == 0 && !self.changes_alone(from, to) {
                let stale = self.dir.join(format!("{}-stale.png", self.name));
                let state = self.dir.join(format!("{}-state.png", self.name));
                shown.save(&stale).expect("save");
                whole.save(&state).expect("save");
                panic!(
                    "{}: after {what}, the monitor showed {count} pixels within {within:?} that \
                     the state does not: a layer left stale (see {} and {})",
                    self.name,
                    stale.display(),
                    state.display()
                );
            }
        }
        panic!("{}: after {what}, the screen kept changing", self.name);
    }
}

/// Pixels that differ (by more than 2 in a channel), and the box round them.
fn differences(a: &RgbImage, b: &RgbImage) -> (usize, Option<[u32; 4]>) {
    assert_eq!(a.dimensions(), b.dimensions(), "the pictures' sizes differ");
    let mut count = 0;
    let mut within: Option<[u32; 4]> = None;
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        if p.0.iter().zip(q.0).any(|(a, b)| a.abs_diff(b) > 2) {
            count += 1;
            within = Some(match within {
                None => [x, y, x, y],
                Some([x0, y0, x1, y1]) => [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
            });
        }
    }
    (count, within)
}

fn words(sk: &str, uk: &str) -> Localized {
    [("sk", sk), ("uk", uk), ("en", sk)]
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect()
}

fn counter(id: u32, state: CounterState) -> impl FnOnce(u64) -> ServerMessage + Send + 'static {
    move |seq| ServerMessage::Counter {
        v: VERSION,
        seq,
        counter: Counter {
            id: id.to_string(),
            label: id.to_string(),
            state,
            floor: None,
        },
    }
}

fn call(id: &str, ticket: &str, counter: &str) -> Call {
    Call {
        service: words("Miestne dane", "Місцеві податки"),
        ..Call::new(id, ticket, counter, chrono::Utc::now().to_rfc3339())
    }
}

/// Every kind of change one after the other, each checked: calls, a recall, counters, a notice,
/// the clock's minute (`clock`), the closed office, an emergency and a call under it.
fn every_change(name: &str, args: &[&str], clock: bool) {
    let server = TestServer::start();
    let mut screen = Screen::start(name, &server, args, &[]);
    for id in 1..=3 {
        screen.apply(&server, "counter", counter(id, CounterState::Open));
    }
    screen.check("the first picture");
    screen.call(&server, call("c1", "A041", "1"));
    screen.check("a call");
    screen.call(&server, call("c2", "B007", "3"));
    screen.check("a second call");
    screen.call(
        &server,
        Call {
            recall: true,
            ..call("c2", "B007", "3")
        },
    );
    screen.check("a recall");
    screen.apply(&server, "counter", counter(2, CounterState::Paused));
    screen.check("a counter paused");
    screen.apply(&server, "notice", |seq| ServerMessage::Notice {
        v: VERSION,
        seq,
        notice: Notice {
            id: "hours".into(),
            text: words(
                "V piatok úradujeme do 12:00.",
                "У п'ятницю працюємо до 12:00.",
            ),
            ..Notice::default()
        },
    });
    screen.check("a notice");
    // Every font size drawn in keeps a glyph atlas (about 2 MB with the renderer's copy) for
    // good: the overlays' words, hidden while the office is open, must not have any yet.
    let open = screen.glyph_atlas_sizes();
    assert!(
        open <= OPEN_SCREEN_SIZES,
        "{name}: the open screen keeps glyph atlases for {open} font sizes (at most \
         {OPEN_SCREEN_SIZES}): hidden words drawn, or new sizes in the layout"
    );
    if clock {
        // The header's clock: the next minute, drawn by the room alone.
        let minute = chrono::Local::now().format("%H:%M").to_string();
        while chrono::Local::now().format("%H:%M").to_string() == minute {
            std::thread::sleep(Duration::from_millis(200));
        }
        screen.check("the clock's minute");
    }
    for id in 1..=3 {
        screen.apply(&server, "counter", counter(id, CounterState::Closed));
    }
    screen.check("the office closed");
    let closed = screen.glyph_atlas_sizes();
    assert!(
        closed > open,
        "{name}: the closed office's words were drawn before it closed ({open} → {closed} sizes)"
    );
    for id in 1..=3 {
        screen.apply(&server, "counter", counter(id, CounterState::Open));
    }
    screen.check("the office open again");
    screen.apply(&server, "emergency", |seq| ServerMessage::Emergency {
        v: VERSION,
        seq,
        emergency: Emergency {
            id: "fire-drill".into(),
            kind: EmergencyKind::Evacuation,
            text: words(
                "Opustite budovu najbližším východom.",
                "Залиште будівлю через найближчий вихід.",
            ),
            raised_at: chrono::Utc::now().to_rfc3339(),
            ..Emergency::default()
        },
    });
    screen.check("an emergency");
    // The call's line is drawn over the room: under the emergency it must not show through.
    let before = screen.settled();
    screen.call(&server, call("c3", "C123", "2"));
    let (count, within) = differences(&before, &screen.settled());
    assert_eq!(
        count, 0,
        "{name}: a call under the emergency showed through it ({within:?})"
    );
    screen.check("a call under the emergency");
    screen.apply(&server, "emergency_cleared", |seq| {
        ServerMessage::EmergencyCleared {
            v: VERSION,
            seq,
            emergency_id: "fire-drill".into(),
        }
    });
    screen.check("the emergency cleared");
    screen.herald.stop();
}

#[test]
fn the_default_screen_shows_the_state_after_every_kind_of_change_in_latin_and_cyrillic() {
    every_change("default-sk", &["--lang", "sk"], true);
    every_change("default-uk", &["--lang", "uk"], false);
}

#[test]
fn the_accessible_display_shows_the_state_after_every_kind_of_change_in_latin_and_cyrillic() {
    every_change(
        "accessible-sk",
        &["--lang", "sk", "--layout", "accessible"],
        false,
    );
    every_change(
        "accessible-uk",
        &["--lang", "uk", "--layout", "accessible"],
        false,
    );
}

#[test]
fn languages_taking_turns_and_pictures_in_the_heros_space_show_the_state() {
    // Slovak and Ukrainian in turn (every 12 s): each switch is the room's alone.
    let server = TestServer::start();
    let mut screen = Screen::start("turns", &server, &["--lang", "sk,uk", "--frame-costs"], &[]);
    screen.call(&server, call("c1", "A041", "1"));
    screen.check("a call");
    for turn in 0..2 {
        screen.next_language(turn);
    }
    // Each language's room is kept: back in a language, its picture is copied back, not drawn.
    // A change while one language shows must not bring back the other's old room: the paused
    // counter shows in both.
    screen.apply(&server, "counter", counter(2, CounterState::Paused));
    screen.check("a counter paused in one language");
    for turn in 2..5 {
        screen.next_language(turn);
    }
    // The frame-costs report counts the rooms copied back: the switches above did use them.
    screen.herald.wait_until(
        "a room copied back from a kept picture",
        Duration::from_secs(30),
        |log| {
            log.iter()
                .filter(|l| l["event"] == "render_passes")
                .any(|l| l["room_restored"].as_u64().unwrap_or(0) > 0)
        },
    );
    screen.herald.stop();

    // The pictures take the hero's space after 5 quiet seconds; the call's line must not
    // show through them, and the next call takes the space back.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layers");
    let root = root_with_quick_pictures(&dir);
    let media = dir.join("pictures");
    let _ = std::fs::remove_dir_all(&media);
    std::fs::create_dir_all(&media).expect("pictures folder");
    solid_png(&media.join("poster.png"), 1600, 900, [255, 0, 255]);
    let media_arg = media.display().to_string();
    let server = TestServer::start();
    let mut screen = Screen::start(
        "pictures",
        &server,
        &[
            "--lang",
            "uk",
            "--layout",
            "quick-pictures",
            "--media",
            &media_arg,
        ],
        &[("HERALD_ROOT", root.to_str().expect("utf-8 path"))],
    );
    screen.call(&server, call("c1", "A041", "1"));
    screen.check("a call");
    screen
        .herald
        .wait_for("media_in_hero", 1, Duration::from_secs(30));
    screen.check("the pictures in the hero's space");
    // The hero (left 3 %, top 13.5 %, 61 × 65 % of 1280×720): no light text on the picture.
    let shown = screen.settled();
    let light = (100..560)
        .flat_map(|y| (38..818).map(move |x| (x, y)))
        .filter(|&(x, y)| shown.get_pixel(x, y).0.iter().all(|c| *c > 200))
        .count();
    assert!(
        light < 50,
        "the call's line showed through the pictures ({light} light pixels)"
    );
    screen.call(&server, call("c2", "B002", "2"));
    screen.check("a call taking the hero's space back");
    screen.herald.stop();
}

/// A herald root whose `quick-pictures` layout is the shipped waiting room with the pictures in
/// the hero after 5 quiet seconds.
fn root_with_quick_pictures(dir: &Path) -> PathBuf {
    let real = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = dir.join("root");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("assets/layouts")).expect("root");
    for part in ["assets/fonts", "assets/images", "assets/themes", "locales"] {
        std::os::unix::fs::symlink(real.join(part), root.join(part)).expect("link");
    }
    let layout = std::fs::read_to_string(real.join("assets/layouts/waiting-room.layout.toml"))
        .expect("shipped layout")
        .replace("media_in_hero_after = 90", "media_in_hero_after = 5");
    assert!(layout.contains("media_in_hero_after = 5"));
    std::fs::write(
        root.join("assets/layouts/quick-pictures.layout.toml"),
        layout,
    )
    .expect("layout");
    root
}

fn solid_png(path: &Path, width: u32, height: u32, rgb: [u8; 3]) {
    RgbImage::from_pixel(width, height, image::Rgb(rgb))
        .save(path)
        .expect("write picture");
}
