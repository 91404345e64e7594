//! Real pixels: the herald binary under Xvfb (lavapipe renders it) writes a screenshot, and the
//! test reads the PNG as a visitor would look at it: right size, not blank, the hero zone drawn
//! in the theme's colours with text on it, in Latin and in Cyrillic.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use herald_core::design::civic;
use herald_core::protocol::{Call, Localized};

struct Shot {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Shot {
    fn load(path: &Path) -> Self {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("a PNG");
        let mut buffer = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buffer).expect("a frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buffer.truncate(info.buffer_size());
        Self {
            width: info.width,
            height: info.height,
            rgb: buffer,
        }
    }

    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Pixels of a layout zone (percent of the screen), `inset` percent in from each edge.
    fn zone(&self, r: herald_core::design::Rect4, inset: f32) -> Vec<[u8; 3]> {
        self.region(
            (r.left + inset) / 100.0,
            (r.top + inset) / 100.0,
            (r.left + r.width - inset) / 100.0,
            (r.top + r.height - inset) / 100.0,
        )
    }

    /// Pixels in a region given in fractions of the screen.
    fn region(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> Vec<[u8; 3]> {
        let (w, h) = (self.width as f32, self.height as f32);
        let mut out = Vec::new();
        for y in ((y0 * h) as u32..(y1 * h) as u32).step_by(2) {
            for x in ((x0 * w) as u32..(x1 * w) as u32).step_by(2) {
                out.push(self.pixel(x, y));
            }
        }
        out
    }
}

fn srgb8(c: herald_core::colour::Colour) -> [u8; 3] {
    [
        (c.red * 255.0).round() as u8,
        (c.green * 255.0).round() as u8,
        (c.blue * 255.0).round() as u8,
    ]
}

fn near(a: [u8; 3], b: [u8; 3], tolerance: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tolerance)
}

fn share(pixels: &[[u8; 3]], pred: impl Fn([u8; 3]) -> bool) -> f32 {
    pixels.iter().filter(|p| pred(**p)).count() as f32 / pixels.len().max(1) as f32
}

fn screenshot(name: &str, args: &[&str]) -> PathBuf {
    screenshot_with_log(name, args, || {}).0
}

/// Runs herald under Xvfb; `during` runs while herald is up (e.g. a server sending calls).
fn screenshot_with_log(name: &str, args: &[&str], during: impl FnOnce()) -> (PathBuf, Output) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let path = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&path);
    let output = Command::new("xvfb-run")
        // Square enough for landscape 1920×1080 and portrait 1080×1920 windows alike.
        .args(["-a", "-s", "-screen 0 2000x2000x24"])
        .arg(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        // Pixels only: the sound has its own test (tests/announce.rs) with its own sound system.
        .arg("--mute")
        .arg("--screenshot")
        .arg(&path)
        .env("HERALD_ROOT", env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xvfb-run must be installed (the README's test command installs it)");
    during();
    let output = output.wait_with_output().expect("herald ran");
    assert!(
        output.status.success(),
        "herald {args:?} failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    (path, output)
}

/// A screenshot of `layout` at `size` in `lang` (a counter layout stands above counter 3),
/// following the queue server at `url`.
fn layout_shot(
    name: &str,
    url: &str,
    (layout, size, lang): (&str, &str, &str),
    after: &str,
) -> PathBuf {
    screenshot(
        name,
        &[
            "--feed",
            url,
            "--layout",
            layout,
            "--size",
            size,
            "--lang",
            lang,
            "--counter",
            "3",
            "--after",
            after,
        ],
    )
}

fn check_waiting_room(shot: &Shot) {
    assert_eq!((shot.width, shot.height), (1920, 1080));
    let everything = shot.region(0.0, 0.0, 1.0, 1.0);
    let background = srgb8(civic().background);
    assert!(
        share(&everything, |p| near(p, background, 6)) > 0.05,
        "the theme's background is missing: blank or wrong screen"
    );
    // Hero zone: left part of the main row. It is the panel colour (or the amber highlight)
    // with white or dark text on it.
    let hero = shot.region(0.05, 0.16, 0.60, 0.76);
    let panel = srgb8(civic().panel);
    let highlight = srgb8(civic().highlight);
    let surface = share(&hero, |p| near(p, panel, 6) || near(p, highlight, 6));
    assert!(
        surface > 0.4,
        "hero zone is not drawn in the theme's colours ({surface:.2})"
    );
    let white = share(&hero, |p| p.iter().all(|c| *c > 230));
    let dark_on_amber = share(&hero, |p| near(p, srgb8(civic().text_on_highlight), 10));
    assert!(
        white > 0.01 || dark_on_amber > 0.01,
        "no text in the hero zone (white {white:.3}, dark {dark_on_amber:.3})"
    );
    // The ticket is large: in the band where it is drawn, text covers a real share.
    let distinct: std::collections::HashSet<[u8; 3]> = everything.iter().copied().collect();
    assert!(
        distinct.len() > 50,
        "only {} colours: text is not rendered",
        distinct.len()
    );
}

#[test]
fn waiting_room_renders_in_every_language() {
    for (name, langs) in [
        ("waiting-room-sk", "sk,en"),
        ("waiting-room-uk", "uk,en"),
        ("waiting-room-bg", "bg"),
        ("waiting-room-mk", "mk"),
        ("waiting-room-en", "en"),
    ] {
        let path = screenshot(name, &["--lang", langs, "--after", "4"]);
        let shot = Shot::load(&path);
        check_waiting_room(&shot);
        eprintln!("{name}: {}", path.display());
    }
}

#[test]
fn herald_shows_the_calls_of_a_real_queue_server_and_logs_them_as_json() {
    let server = support::TestServer::start();
    server.calls(3);
    let url = server.url();
    let (path, output) = screenshot_with_log(
        "feed-uk",
        &[
            "--feed",
            &url,
            "--lang",
            "uk",
            "--log-json",
            "--after",
            "12",
        ],
        || {
            // Two live calls once herald has connected (waited for, not guessed: a loaded
            // machine starts it late).
            server.wait_for_display(std::time::Duration::from_secs(60));
            server.calls(2);
        },
    );
    let log = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert!(
        lines.iter().all(|l| l["ts"].is_string()),
        "every line has a timestamp"
    );
    assert!(events.contains(&"connected"), "{events:?}");
    assert!(events.contains(&"event_applied"), "{events:?}");
    let shown: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "call_shown")
        .filter_map(|l| l["ticket"].as_str())
        .collect();
    // The three calls were made before herald connected: the first snapshot is history, so none
    // of them is news (the newest may be shown without fanfare, when the live calls do not
    // reach the hero first, as on a loaded machine).
    let fresh: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "call_shown" && l["fresh"] == true)
        .filter_map(|l| l["ticket"].as_str())
        .collect();
    assert_eq!(
        fresh,
        [support::ticket(4).as_str(), support::ticket(5).as_str()],
        "only the live calls are news, each in turn\n{log}"
    );
    assert!(
        shown
            .iter()
            .all(|t| [3, 4, 5].iter().any(|n| *t == support::ticket(*n))),
        "{log}"
    );
    let shot = Shot::load(&path);
    check_waiting_room(&shot);
}

#[test]
fn every_shipped_layout_renders_at_its_native_size_in_latin_and_cyrillic() {
    use herald_core::design::{ZoneKind, shipped_layout};
    let theme = civic();
    for (layout, size) in [
        ("waiting-room", "1920x1080"),
        ("waiting-room-portrait", "1080x1920"),
        ("counter", "1280x720"),
    ] {
        let spec = shipped_layout(layout).expect("a shipped layout");
        for zone in &spec.zones {
            let r = zone.rect;
            assert!(
                r.left >= 0.0
                    && r.top >= 0.0
                    && r.left + r.width <= 100.0
                    && r.top + r.height <= 100.0,
                "{layout}: zone {:?} reaches outside the screen",
                zone.kind
            );
        }
        for lang in ["sk", "uk"] {
            let name = format!("layout-{layout}-{lang}");
            // A real queue server whose second call (T00002) went to counter 3.
            let server = support::TestServer::start();
            server.calls(2);
            let url = server.url();
            let path = layout_shot(&name, &url, (layout, size, lang), "5");
            let shot = Shot::load(&path);
            let (w, h) = size.split_once('x').expect("WxH");
            assert_eq!(
                (shot.width.to_string(), shot.height.to_string()),
                (w.to_owned(), h.to_owned()),
                "{name}"
            );
            let everything = shot.region(0.0, 0.0, 1.0, 1.0);
            let background = srgb8(theme.background);
            assert!(
                share(&everything, |p| near(p, background, 6)) > 0.05,
                "{name}: blank or wrong screen"
            );
            // The called ticket is drawn where the layout puts the call: white text in that zone.
            let zone = spec
                .zone(ZoneKind::Hero)
                .or_else(|| spec.zone(ZoneKind::Counter))
                .expect("a zone for the call");
            let call = shot.zone(zone.rect, 0.0);
            let white = share(&call, |p| p.iter().all(|c| *c > 230));
            let dark_on_amber = share(&call, |p| near(p, srgb8(theme.text_on_highlight), 10))
                * f32::from(u8::from(
                    share(&call, |p| near(p, srgb8(theme.highlight), 6)) > 0.3,
                ));
            assert!(
                white > 0.02 || dark_on_amber > 0.02,
                "{name}: no ticket drawn in the call zone (white {white:.3})"
            );
            eprintln!(
                "{name}: {} (white share in the call zone {white:.3})",
                path.display()
            );
        }
    }
}

/// The longest names each office language is likely to send: service names from the offices'
/// own agendas (docs/languages.md), two-digit counters, a long ticket and a long notice.
fn longest_names() -> (Localized, Localized) {
    let service = [
        (
            "sk",
            "Agenda Úradu práce, sociálnych vecí a rodiny (ÚPSVaR)",
        ),
        ("uk", "Реєстрація та зняття з реєстрації місця проживання"),
        (
            "bg",
            "Устройство на територията, строителство и общинска собственост",
        ),
        (
            "mk",
            "Урбанизам, комунални дејности и заштита на животната средина",
        ),
        (
            "en",
            "Spatial planning, construction and municipal property",
        ),
    ];
    let notice = [
        (
            "sk",
            "Od pondelka 1. decembra bude pracovisko dokladov otvorené aj v stredu do 17:30. Platby kartou prijímame pri všetkých okienkach.",
        ),
        (
            "uk",
            "З понеділка, 1 грудня, робоче місце паспортних документів працює також у середу до 17:30. Оплату карткою приймаємо в усіх вікнах.",
        ),
        (
            "bg",
            "От понеделник, 1 декември, гишето за лични документи работи и в сряда до 17:30. Плащане с карта се приема на всички гишета.",
        ),
        (
            "mk",
            "Од понеделник, 1 декември, шалтерот за лични документи работи и во среда до 17:30. Плаќање со картичка примаме на сите шалтери.",
        ),
        (
            "en",
            "From Monday 1 December the ID documents counter is also open on Wednesdays until 17:30. Card payments are accepted at every counter.",
        ),
    ];
    let map = |pairs: [(&str, &str); 5]| {
        pairs
            .iter()
            .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
            .collect()
    };
    (map(service), map(notice))
}

/// A live call to the second floor with the longest service name: listed in the "elsewhere"
/// line of a first-floor screen.
fn send_upstairs_call(server: &support::TestServer) {
    let (service, _) = longest_names();
    server.call(Call {
        service,
        floor: Some(2),
        priority: true,
        ..Call::new(
            "long-upstairs",
            "PAS-200",
            "21",
            chrono::Utc::now().to_rfc3339(),
        )
    });
}

/// Twelve counters with two-digit labels, one paused and one closed, a long notice, six recent
/// calls and a hero call with the longest service name, a floor and a room, for a visitor whose
/// language differs from the screen's.
fn send_longest_names(server: &support::TestServer, visitor: &str) {
    use herald_core::protocol::{Counter, CounterState, Notice, ServerMessage, VERSION};
    let (service, notice) = longest_names();
    for n in 1..=12 {
        let state = match n {
            11 => CounterState::Paused,
            12 => CounterState::Closed,
            _ => CounterState::Open,
        };
        server.send(move |seq| ServerMessage::Counter {
            v: VERSION,
            seq,
            counter: Counter {
                id: n.to_string(),
                label: n.to_string(),
                state,
                floor: Some(1),
            },
        });
    }
    server.send(move |seq| ServerMessage::Notice {
        v: VERSION,
        seq,
        notice: Notice {
            id: "hours".into(),
            text: notice,
            ..Notice::default()
        },
    });
    // Waiting figures for the longest service names, with an estimate and next tickets.
    let figures = herald_core::protocol::Queue {
        services: (0..5)
            .map(|n| herald_core::protocol::ServiceQueue {
                id: format!("S{n}"),
                name: service.clone(),
                waiting: 23 + n,
                wait_minutes: Some(145),
                next: vec!["PAS-101".into(), "PAS-102".into(), "PAS-103".into()],
                floor: Some(1),
            })
            .collect(),
        at: None,
    };
    server.send(move |seq| ServerMessage::Queue {
        v: VERSION,
        seq,
        queue: figures,
    });
    for n in 0..7 {
        let counter = (4 + n).to_string();
        server.call(Call {
            priority: n % 2 == 0,
            service: service.clone(),
            floor: Some(1),
            room: Some("B 214".into()),
            lang: Some(visitor.to_owned()),
            ..Call::new(
                format!("long-{n}"),
                format!("PAS-1{n:02}"),
                &counter,
                chrono::Utc::now().to_rfc3339(),
            )
        });
    }
}

#[test]
fn the_longest_names_fit_in_every_layout_and_language() {
    for (layout, size) in [
        ("waiting-room", "1920x1080"),
        ("waiting-room-queue", "1920x1080"),
        ("waiting-room-media", "1920x1080"),
        ("waiting-room-portrait", "1080x1920"),
        ("counter", "1280x720"),
    ] {
        for (lang, visitor) in [
            ("sk", "uk"),
            ("uk", "sk"),
            ("bg", "mk"),
            ("mk", "bg"),
            ("en", "uk"),
        ] {
            let name = format!("longest-{layout}-{lang}");
            let server = support::TestServer::start();
            send_longest_names(&server, visitor);
            let url = server.url();
            let (path, output) = screenshot_with_log(
                &name,
                &[
                    "--feed",
                    &url,
                    "--layout",
                    layout,
                    "--size",
                    size,
                    "--lang",
                    lang,
                    "--counter",
                    "10",
                    // A first-floor screen: the second floor's call goes to "elsewhere".
                    "--floor",
                    "1",
                    "--log-json",
                    "--after",
                    "8",
                ],
                || {
                    server.wait_for_display(std::time::Duration::from_secs(60));
                    send_upstairs_call(&server);
                },
            );
            let log = String::from_utf8_lossy(&output.stdout);
            let clipped: Vec<&str> = log
                .lines()
                .filter(|l| l.contains("\"text_clipped\""))
                .collect();
            assert!(
                log.contains("\"call_shown\""),
                "{name}: the calls never reached the screen\n{log}"
            );
            assert!(
                clipped.is_empty(),
                "{name}: text cut off ({}):\n{}",
                path.display(),
                clipped.join("\n")
            );
            let texts = drawn_texts(&path);
            if layout.starts_with("waiting-room") {
                assert!(
                    texts.contains("PAS-200"),
                    "{name}: no elsewhere line:\n{texts}"
                );
            }
            if layout == "waiting-room-queue" {
                assert!(
                    texts.contains("145"),
                    "{name}: no waiting figures:\n{texts}"
                );
            }
            eprintln!("{name}: {} fits", path.display());
        }
    }
}

/// The two colours that make up a zone as a reader sees them: the most common colour (the
/// background), and the most common colour among pixels clearly unlike it (the letters; the
/// anti-aliased edges in between are many different colours, each rare).
fn background_and_text(pixels: &[[u8; 3]]) -> ([u8; 3], [u8; 3]) {
    use herald::screen::palette::contrast;
    let colour = |p: [u8; 3]| bevy::prelude::Color::srgb_u8(p[0], p[1], p[2]);
    let mut counts: std::collections::HashMap<[u8; 3], usize> = std::collections::HashMap::new();
    for p in pixels {
        *counts.entry(*p).or_default() += 1;
    }
    let most = |filter: &dyn Fn([u8; 3]) -> bool| {
        counts
            .iter()
            .filter(|(p, _)| filter(**p))
            .max_by_key(|(_, n)| **n)
            .map(|(p, _)| *p)
            .expect("pixels")
    };
    let background = most(&|_| true);
    let text = most(&|p| contrast(colour(p), colour(background)) > 3.0);
    (background, text)
}

fn contrast_of((bg, fg): ([u8; 3], [u8; 3])) -> f32 {
    herald::screen::palette::contrast(
        bevy::prelude::Color::srgb_u8(fg[0], fg[1], fg[2]),
        bevy::prelude::Color::srgb_u8(bg[0], bg[1], bg[2]),
    )
}

/// Height in pixels of the letters in columns `x0..x1` of `shot`, within rows `y0..y1`: the
/// tallest run of rows that contain letter pixels (`is_ink`).
fn ink_height(
    shot: &Shot,
    (x0, x1): (u32, u32),
    (y0, y1): (u32, u32),
    is_ink: impl Fn([u8; 3]) -> bool,
) -> u32 {
    let mut best = 0;
    let mut run = 0;
    for y in y0..y1 {
        let inked = (x0..x1).any(|x| is_ink(shot.pixel(x, y)));
        run = if inked { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[test]
fn the_accessible_display_has_aaa_contrast_in_its_pixels_and_tickets_sized_for_eight_metres() {
    use herald_core::design::{ZoneKind, shipped_layout, shipped_theme};
    let theme = shipped_theme("high-contrast").expect("theme");
    let layout = shipped_layout("accessible").expect("layout");
    let hero = layout.zone(ZoneKind::Hero).expect("hero").rect;
    let room = [
        "--layout",
        "accessible",
        "--distance",
        "8",
        "--screen-height-mm",
        "1080",
        "--size",
        "1920x1080",
        "--log-json",
    ];
    for lang in ["sk", "uk"] {
        // At rest: three calls made before herald connected are history, shown without a mark.
        let server = support::TestServer::start();
        server.calls(3);
        let url = server.url();
        let name = format!("accessible-rest-{lang}");
        let mut args = room.to_vec();
        args.extend(["--feed", &url, "--lang", lang, "--after", "4"]);
        let (path, output) = screenshot_with_log(&name, &args, || {});
        let log = String::from_utf8_lossy(&output.stdout);
        assert!(
            log.contains("\"room_sizing\"") && log.contains("\"too_small\":false"),
            "{log}"
        );
        let shot = Shot::load(&path);
        let (bg, fg) = background_and_text(&shot.zone(hero, 1.0));
        assert!(
            near(bg, srgb8(theme.panel), 3),
            "{name}: hero background {bg:?}"
        );
        let at_rest = contrast_of((bg, fg));
        assert!(at_rest >= 7.0, "{name}: {at_rest:.2}:1 at rest");

        // The ticket's drawn height: on a 1080 mm tall picture of 1080 px, 1 px is 1 mm.
        let mm_per_px = 1080.0 / shot.height as f32;
        let x0 = (hero.left / 100.0 * shot.width as f32) as u32 + 20;
        let columns = (x0, x0 + 300);
        let rows = (
            (hero.top / 100.0 * shot.height as f32) as u32 + 10,
            ((hero.top + hero.height) / 100.0 * shot.height as f32) as u32 - 10,
        );
        let glyph_px = ink_height(&shot, columns, rows, |p| near(p, fg, 40));
        let glyph_mm = glyph_px as f32 * mm_per_px;
        assert!(
            glyph_mm >= 104.0,
            "{name}: the ticket is drawn {glyph_px} px = {glyph_mm:.0} mm tall, under 104 mm"
        );
        eprintln!(
            "{name}: contrast at rest {at_rest:.1}:1, ticket {glyph_px} px = {glyph_mm:.0} mm"
        );

        // During the highlight of a live call.
        let name = format!("accessible-new-{lang}");
        let server = support::TestServer::start();
        server.calls(2);
        let url = server.url();
        let mut args = room.to_vec();
        args.extend(["--feed", &url, "--lang", lang, "--after", "8"]);
        let (path, _) = screenshot_with_log(&name, &args, || {
            // Live once herald has connected (the mark lasts 10 s, past the shot at 8 s).
            server.wait_for_display(std::time::Duration::from_secs(60));
            server.calls(1);
        });
        let shot = Shot::load(&path);
        let (bg, fg) = background_and_text(&shot.zone(hero, 1.0));
        assert!(
            near(bg, srgb8(theme.highlight), 3),
            "{name}: the new call is not highlighted ({bg:?})"
        );
        let highlighted = contrast_of((bg, fg));
        assert!(
            highlighted >= 7.0,
            "{name}: {highlighted:.2}:1 during the highlight"
        );
        eprintln!("{name}: contrast during the highlight {highlighted:.1}:1");
    }

    // A room too deep for its screen: herald says so, with the numbers, and still shows calls.
    let (_, output) = screenshot_with_log(
        "accessible-too-small",
        &[
            "--layout",
            "accessible",
            "--distance",
            "25",
            "--screen-height-mm",
            "500",
            "--log-json",
            "--after",
            "3",
        ],
        || {},
    );
    let log = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("\"too_small\":true"), "{log}");
    assert!(
        errors.contains("the screen is too small for 25.0 m")
            && errors.contains("capitals of 264 mm")
            && errors.contains("500 mm tall"),
        "{errors}"
    );
}

/// What the screen said when the screenshot was taken: the texts herald drew, top to bottom
/// (written beside the PNG, see `screen::shot`).
fn drawn_texts(png: &Path) -> String {
    let path = png.with_extension("txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A two-floor office on a real queue server: counters 1–3 on the ground floor, 4–6 on the
/// first; a call to each floor, the newest to the ground floor.
fn two_floor_office(server: &support::TestServer) {
    use herald_core::protocol::{Counter, CounterState, ServerMessage, VERSION};
    for n in 1..=6 {
        server.send(move |seq| ServerMessage::Counter {
            v: VERSION,
            seq,
            counter: Counter {
                id: n.to_string(),
                label: n.to_string(),
                state: CounterState::Open,
                floor: Some(if n <= 3 { 0 } else { 1 }),
            },
        });
    }
    let service = |sk: &str, uk: &str| -> Localized {
        [("sk", sk), ("uk", uk)]
            .iter()
            .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
            .collect()
    };
    let now = chrono::Utc::now().to_rfc3339();
    server.call(Call {
        service: service("Matrika", "Реєстрація місця проживання"),
        floor: Some(1),
        priority: true,
        ..Call::new("up-1", "M014", "5", now.clone())
    });
    server.call(Call {
        service: service("Miestne dane", "Місцеві податки"),
        floor: Some(0),
        ..Call::new("down-1", "A042", "2", now)
    });
}

#[test]
fn each_floors_screen_shows_its_own_counters_and_sends_other_visitors_the_right_way() {
    for (floor, lang, hero, chips, away, other_chips, way) in [
        (
            "1",
            "sk",
            "M014",
            ["Okienko 4", "Okienko 5", "Okienko 6"],
            "A042 – Okienko 2, prízemie (nižšie)",
            ["Okienko 1", "Okienko 3"],
            "Prednostne",
        ),
        (
            "0",
            "uk",
            "A042",
            ["Вікно 1", "Вікно 2", "Вікно 3"],
            "M014 – Вікно 5, 2 поверх (вище)",
            ["Вікно 4", "Вікно 6"],
            "",
        ),
    ] {
        let name = format!("two-floors-floor{floor}-{lang}");
        let server = support::TestServer::start();
        let url = server.url();
        // The calls come live once the screen is connected (the first snapshot is history).
        let (path, _) = screenshot_with_log(
            &name,
            &[
                "--feed", &url, "--floor", floor, "--lang", lang, "--after", "9",
            ],
            || {
                server.wait_for_display(std::time::Duration::from_secs(60));
                two_floor_office(&server);
            },
        );
        let texts = drawn_texts(&path);
        let lines: Vec<&str> = texts.lines().collect();
        assert!(
            lines.contains(&hero),
            "{name}: {hero} is not on the screen:\n{texts}"
        );
        for chip in chips {
            assert!(
                lines.contains(&chip),
                "{name}: counter chip {chip} missing:\n{texts}"
            );
        }
        for chip in other_chips {
            assert!(
                !lines.contains(&chip),
                "{name}: the other floor's {chip} is shown:\n{texts}"
            );
        }
        let elsewhere = lines
            .iter()
            .find(|l| l.contains(away))
            .unwrap_or_else(|| panic!("{name}: no \"elsewhere\" line with {away:?}:\n{texts}"));
        assert!(!elsewhere.contains(hero), "{name}: {elsewhere}");
        if !way.is_empty() {
            assert!(
                lines.contains(&way),
                "{name}: the priority badge is missing:\n{texts}"
            );
        }
        check_waiting_room(&Shot::load(&path));
        eprintln!("{name}: {}", path.display());
    }
}

#[test]
fn a_priority_call_is_marked_by_a_star_and_a_word_in_every_layout_and_language() {
    // Each layout in another language, so every layout and every language is seen once.
    for (layout, size, lang, word) in [
        ("waiting-room", "1920x1080", "sk", "Prednostne"),
        ("waiting-room-portrait", "1080x1920", "uk", "Пріоритет"),
        ("waiting-room-queue", "1920x1080", "bg", "С предимство"),
        ("counter", "1280x720", "mk", "Предност"),
        ("accessible", "1920x1080", "en", "Priority"),
    ] {
        let name = format!("priority-{layout}-{lang}");
        let server = support::TestServer::start();
        server.calls(1);
        server.call(Call {
            priority: true,
            ..Call::new("prio-1", "P007", "3", chrono::Utc::now().to_rfc3339())
        });
        let url = server.url();
        let path = layout_shot(&name, &url, (layout, size, lang), "6");
        let texts = drawn_texts(&path);
        let lines: Vec<&str> = texts.lines().collect();
        assert!(
            lines.contains(&"P007"),
            "{name}: the call is not shown:\n{texts}"
        );
        assert!(
            lines.contains(&"★") && lines.contains(&word),
            "{name}: the priority call has no star and word {word:?}:\n{texts}"
        );
        eprintln!("{name}: {}", path.display());
    }
}

#[test]
fn the_waiting_zone_counts_in_each_language_and_hides_figures_that_went_stale() {
    use herald_core::protocol::{Queue, ServerMessage, ServiceQueue, VERSION};
    let figures = || {
        let name: Localized = [
            ("sk", "Miestne dane"),
            ("uk", "Місцеві податки"),
            ("bg", "Местни данъци"),
            ("mk", "Локални даноци"),
            ("en", "Local taxes"),
        ]
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect();
        Queue {
            services: vec![
                ServiceQueue {
                    id: "A".into(),
                    name: name.clone(),
                    waiting: 3,
                    wait_minutes: Some(12),
                    next: vec!["A043".into()],
                    floor: None,
                },
                ServiceQueue {
                    id: "S".into(),
                    name,
                    waiting: 1,
                    wait_minutes: None,
                    next: Vec::new(),
                    floor: None,
                },
            ],
            at: None,
        }
    };
    for (lang, three, estimate, one) in [
        ("sk", "3 ľudia čakajú", "asi 12 min", "1 človek čaká"),
        ("uk", "3 людини чекають", "близько 12 хв", "1 людина чекає"),
        ("bg", "3 души чакат", "около 12 мин", "1 човек чака"),
        ("mk", "3 луѓе чекаат", "околу 12 мин", "1 човек чека"),
        ("en", "3 people waiting", "about 12 min", "1 person waiting"),
    ] {
        let name = format!("queue-{lang}");
        let server = support::TestServer::start();
        server.calls(2);
        server.send(move |seq| ServerMessage::Queue {
            v: VERSION,
            seq,
            queue: figures(),
        });
        let url = server.url();
        let path = screenshot(
            &name,
            &[
                "--feed",
                &url,
                "--layout",
                "waiting-room-queue",
                "--lang",
                lang,
                "--after",
                "5",
            ],
        );
        let texts = drawn_texts(&path);
        let lines: Vec<&str> = texts.lines().collect();
        assert!(
            lines.contains(&three) && lines.contains(&estimate) && lines.contains(&one),
            "{name}: expected {three:?}, {estimate:?} and {one:?}:\n{texts}"
        );
        eprintln!("{name}: {}", path.display());
    }
    // Figures the queue system stopped updating are taken off the screen, not left standing.
    let server = support::TestServer::start();
    server.calls(2);
    server.send(move |seq| ServerMessage::Queue {
        v: VERSION,
        seq,
        queue: figures(),
    });
    let url = server.url();
    let path = screenshot(
        "queue-stale-sk",
        &[
            "--feed",
            &url,
            "--layout",
            "waiting-room-queue",
            "--lang",
            "sk",
            "--queue-stale",
            "10",
            "--after",
            "20",
        ],
    );
    let texts = drawn_texts(&path);
    assert!(
        !texts.contains("čak") && !texts.contains("Čakajúci"),
        "figures older than --queue-stale are still shown:\n{texts}"
    );
    assert!(
        texts.contains(&support::ticket(2)),
        "the calls stay:\n{texts}"
    );
}

#[test]
fn a_visitors_name_is_shown_only_as_initials_when_enabled_and_never_logged_or_stored() {
    let named = |id: &str, ticket: &str| Call {
        visitor: Some("Jana Nováková".into()),
        service: [("sk".to_owned(), "Matrika".to_owned())]
            .into_iter()
            .collect(),
        ..Call::new(id, ticket, "4", chrono::Utc::now().to_rfc3339())
    };
    for (enabled, name) in [(true, "names-on-sk"), (false, "names-off-sk")] {
        let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-state"));
        let _ = std::fs::remove_dir_all(&state);
        let server = support::TestServer::start();
        server.call(named("n-1", "M001"));
        let url = server.url();
        let state_arg = state.to_string_lossy().into_owned();
        let mut args = vec![
            "--feed",
            &url,
            "--lang",
            "sk",
            "--log-json",
            "--state-dir",
            &state_arg,
            "--after",
            "8",
        ];
        if enabled {
            args.push("--show-names");
        }
        let (path, output) = screenshot_with_log(name, &args, || {
            server.wait_for_display(std::time::Duration::from_secs(60));
            server.call(named("n-2", "M002"));
        });
        let texts = drawn_texts(&path);
        assert!(
            texts.contains("M002"),
            "{name}: the call is not shown:\n{texts}"
        );
        assert_eq!(
            texts.contains("J. N."),
            enabled,
            "{name}: initials shown must follow --show-names:\n{texts}"
        );
        let logs = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stored = std::fs::read_to_string(state.join("board.json")).unwrap_or_default();
        assert!(
            stored.contains("M002"),
            "{name}: the board was not remembered: {stored}"
        );
        for (what, text) in [
            ("the screen", &texts),
            ("the log", &logs),
            ("the state file", &stored),
        ] {
            assert!(
                !text.contains("Nov") && !text.contains("Jana"),
                "{name}: the visitor's name reached {what}"
            );
        }
        assert!(
            !stored.contains("J. N."),
            "{name}: initials reached the state file"
        );
    }
}

/// The URLs a QR decoder independent of herald reads in `shot`.
fn decode_qr(shot: &Shot) -> Vec<String> {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        shot.width as usize,
        shot.height as usize,
        |x, y| {
            let [r, g, b] = shot.pixel(x as u32, y as u32);
            ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
        },
    );
    image
        .detect_grids()
        .iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

#[test]
fn a_phone_reads_the_offices_url_from_the_qr_code_on_the_screen() {
    let url = "https://www.slovensko.sk/sk/agendy/agenda/_miestne-dane-a-poplatky/";
    for (size, lang) in [("1920x1080", "sk"), ("1280x720", "uk")] {
        let name = format!("qr-{size}-{lang}");
        let path = screenshot(
            &name,
            &[
                "--layout",
                "waiting-room-info",
                "--qr-url",
                url,
                "--size",
                size,
                "--lang",
                lang,
                "--after",
                "5",
            ],
        );
        let shot = Shot::load(&path);
        assert_eq!(format!("{}x{}", shot.width, shot.height), size);
        let read = decode_qr(&shot);
        assert_eq!(
            read,
            [url],
            "{name}: the QR code did not read back ({})",
            path.display()
        );
        let texts = drawn_texts(&path);
        let caption = if lang == "sk" {
            "naskenujte kód"
        } else {
            "скануйте код"
        };
        assert!(texts.contains(caption), "{name}: no caption:\n{texts}");
        eprintln!("{name}: {} reads {url}", path.display());
    }
}

#[test]
fn on_a_holiday_the_screen_is_closed_says_when_it_opens_and_runs_the_sites_command() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("holiday");
    std::fs::create_dir_all(&dir).expect("folder");
    let flag = dir.join("screen-off");
    let _ = std::fs::remove_file(&flag);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let on_close = format!("touch '{}'", flag.display());
    // The queue system calls as on any day; the schedule says today is a holiday.
    let server = support::TestServer::start();
    server.calls(2);
    let url = server.url();
    let path = screenshot(
        "holiday-sk",
        &[
            "--feed",
            &url,
            "--lang",
            "sk",
            "--open",
            "mon-sun 0:00-23:59",
            "--holiday",
            &today,
            "--on-close",
            &on_close,
            "--after",
            "5",
        ],
    );
    let texts = drawn_texts(&path);
    assert!(
        texts.contains("Klientske centrum je zatvorené")
            && texts.contains("Otvorené zajtra od 0:00"),
        "the closed screen with the next opening is missing:\n{texts}"
    );
    // The closed screen covers the calls: its dark background fills the middle of the screen.
    let shot = Shot::load(&path);
    let middle = shot.region(0.1, 0.15, 0.6, 0.75);
    let background = srgb8(civic().background);
    assert!(
        share(&middle, |p| near(p, background, 6)) > 0.9,
        "the calls still show through the closed screen"
    );
    assert!(flag.exists(), "the --on-close command did not run");
}
