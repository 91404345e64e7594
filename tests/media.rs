//! The office's pictures on a real screen: herald under Xvfb with a folder of real PNG and JPEG
//! files (and broken ones), its pixels read over X while it runs. The pictures take turns in
//! the media zone and fade into each other without a flash; bad files are skipped with one
//! log line; a picture added to the folder shows, one removed leaves. On a layout that gives
//! the hero's space to the pictures after a quiet while, a call takes it back in the very frame
//! it arrives.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use herald_core::protocol::Call;
use support::pixels::{PixelWatch, Seen, near};
use support::{Herald, TestServer};

const MAGENTA: [u8; 3] = [230, 0, 126];
const GREEN: [u8; 3] = [0, 160, 60];
/// The hero's flash colour in the civic theme (`highlight`).
const HIGHLIGHT: [u8; 3] = [0xff, 0xcc, 0x4d];

fn solid_png(path: &Path, width: u32, height: u32, rgb: [u8; 3]) {
    let mut data = Vec::new();
    let mut encoder = png::Encoder::new(&mut data, width, height);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().expect("png header");
    writer
        .write_image_data(&rgb.repeat((width * height) as usize))
        .expect("png data");
    writer.finish().expect("png end");
    std::fs::write(path, data).expect("write picture");
}

/// A herald root whose only layout is `layout` (named `name`): the shipped fonts, images,
/// themes and words through links, so the test's layout is the one in use.
fn root_with_layout(dir: &Path, name: &str, layout: &str) -> PathBuf {
    let real = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = dir.join("root");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("assets/layouts")).expect("root");
    for part in ["assets/fonts", "assets/images", "assets/themes", "locales"] {
        std::os::unix::fs::symlink(real.join(part), root.join(part)).expect("link");
    }
    std::fs::write(
        root.join(format!("assets/layouts/{name}.layout.toml")),
        layout,
    )
    .expect("layout");
    root
}

fn folder(dir: &Path) -> PathBuf {
    let media = dir.join("pictures");
    let _ = std::fs::remove_dir_all(&media);
    std::fs::create_dir_all(&media).expect("pictures folder");
    media
}

/// A test's folder, a herald root whose layout `name` is the shipped `shipped` with `from`
/// changed to `to`, and an empty folder of pictures.
fn setup(
    test: &str,
    name: &str,
    shipped: &str,
    from: &str,
    to: &str,
) -> (PathBuf, PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    std::fs::create_dir_all(&dir).expect("test folder");
    let layout = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/layouts/{shipped}.layout.toml")),
    )
    .expect("shipped layout")
    .replace(from, to);
    assert!(layout.contains(to), "{shipped} no longer says {from:?}");
    let root = root_with_layout(&dir, name, &layout);
    let media = folder(&dir);
    (dir, root, media)
}

/// herald on layout `name` of `root`, showing the pictures of `media`, following `server`.
fn start(dir: &Path, name: &str, root: &Path, media: &Path, server: &TestServer) -> Herald {
    let media = media.display().to_string();
    Herald::start(
        dir,
        name,
        &[
            "--feed",
            &server.url(),
            "--lang",
            "sk",
            "--mute",
            "--layout",
            name,
            "--media",
            &media,
        ],
        &[("HERALD_ROOT", root.to_str().expect("utf-8 path"))],
    )
}

/// The seen colours of point `i`, with when.
fn track(seen: &[Seen], i: usize) -> Vec<(Instant, [u8; 3])> {
    seen.iter().map(|s| (s.at, s.colours[i])).collect()
}

#[test]
fn pictures_take_turns_fade_without_a_flash_skip_bad_files_and_follow_the_folder() {
    let (dir, root, media) = setup(
        "media-zone",
        "pictures",
        "waiting-room-media",
        "media_seconds = 12",
        "media_seconds = 3",
    );
    solid_png(&media.join("a-magenta.png"), 1600, 900, MAGENTA);
    // A real photo-like JPEG: the waste-sorting poster herald ships as a sample.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/media/02-waste.jpg"),
        media.join("b-waste.jpg"),
    )
    .expect("jpeg");
    // A PNG cut off after its header, and one whose header claims 30000×30000 pixels.
    let mut cut = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut cut, 800, 600);
        encoder.set_color(png::ColorType::Rgb);
        let _ = encoder
            .write_header()
            .map(|mut w| w.write_image_data(&[9; 800 * 600 * 3]));
    }
    std::fs::write(media.join("c-broken.png"), &cut[..cut.len() / 3]).expect("broken");
    let mut huge = Vec::new();
    {
        let encoder = png::Encoder::new(&mut huge, 30_000, 30_000);
        let _ = encoder.write_header();
    }
    std::fs::write(media.join("d-huge.png"), &huge).expect("huge");
    std::fs::write(media.join("notes.txt"), "not a picture").expect("notes");

    let server = TestServer::start();
    let mut herald = start(&dir, "pictures", &root, &media, &server);
    // The middle of the media zone (left 66 %, top 46.5 %, 31 × 32 % of 1280×720).
    let centre = ((1280.0 * 0.815) as i16, (720.0 * 0.625) as i16);
    let watch = PixelWatch::start(&herald.display(), vec![centre]);
    herald.wait_for("media_folder", 1, Duration::from_secs(60));
    assert_eq!(
        herald.events("media_folder")[0]["files"],
        4,
        "PNG and JPEG files only"
    );
    herald.wait_for("media_refused", 2, Duration::from_secs(30));
    // Two whole turns: magenta, the poster, magenta, the poster, magenta.
    let turns = |seen: &[Seen]| {
        let mut changes = 0;
        let mut last_magenta = None;
        for (_, c) in track(seen, 0) {
            let m = near(c, MAGENTA, 10);
            if last_magenta.is_some_and(|l| l != m) || (last_magenta.is_none() && m) {
                changes += 1;
            }
            if m || last_magenta.is_some() {
                last_magenta = Some(m);
            }
        }
        changes
    };
    assert!(
        watch.wait_until(Duration::from_secs(40), |seen| turns(seen) >= 5),
        "the pictures did not take turns in the media zone: {:?}",
        track(&watch.seen(), 0)
    );
    // Each refusal was said once, though the rotation passed the files again.
    let refused = herald.events("media_refused");
    assert_eq!(refused.len(), 2, "{refused:?}");
    let reasons: Vec<String> = refused.iter().map(|r| r.to_string()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("c-broken.png") && r.contains("broken PNG")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("d-huge.png") && r.contains("30000×30000")),
        "{reasons:?}"
    );
    // A fade, not a cut and not a flash: from magenta to the poster, the colours in between are
    // a mix of the two, over several frames.
    let seen = track(&watch.seen(), 0);
    let leave = seen
        .windows(2)
        .position(|w| near(w[0].1, MAGENTA, 10) && !near(w[1].1, MAGENTA, 10))
        .expect("magenta gave way");
    let poster = seen[leave + 1..]
        .windows(3)
        .position(|w| {
            w[0].1 == w[1].1 && w[1].1 == w[2].1 || w[1].0 - w[0].0 > Duration::from_millis(500)
        })
        .map(|i| leave + 1 + i)
        .expect("the poster settled");
    let end = seen[poster].1;
    let between = &seen[leave + 1..poster];
    assert!(
        between.len() >= 2,
        "magenta cut to {end:?} in {} frames, not a fade: {seen:?}",
        between.len()
    );
    for (_, c) in between {
        for ch in 0..3 {
            let (lo, hi) = (MAGENTA[ch].min(end[ch]), MAGENTA[ch].max(end[ch]));
            assert!(
                c[ch].saturating_add(12) >= lo && c[ch] <= hi.saturating_add(12),
                "a frame of the fade was {c:?}, outside the mix of {MAGENTA:?} and {end:?}: a flash"
            );
        }
    }

    // A picture added to the folder shows.
    solid_png(&media.join("e-green.png"), 1200, 1200, GREEN);
    herald.wait_for("media_folder", 2, Duration::from_secs(20));
    assert_eq!(herald.events("media_folder")[1]["files"], 5);
    assert!(
        watch.wait_until(Duration::from_secs(30), |seen| {
            track(seen, 0).iter().any(|(_, c)| near(*c, GREEN, 10))
        }),
        "the added picture never showed"
    );
    // A picture removed leaves the screen and does not come back.
    std::fs::remove_file(media.join("a-magenta.png")).expect("remove");
    herald.wait_for("media_folder", 3, Duration::from_secs(20));
    let removed_at = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let seen = watch.stop();
    let stderr = herald.stop();
    let late_magenta: Vec<_> = track(&seen, 0)
        .into_iter()
        .filter(|(at, c)| *at > removed_at + Duration::from_millis(500) && near(*c, MAGENTA, 10))
        .collect();
    assert!(
        late_magenta.is_empty(),
        "the removed picture still showed: {late_magenta:?}\n{stderr}"
    );
    // The log named each bad file once, in one line each.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("media picture"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn after_a_quiet_while_the_hero_shows_the_pictures_and_a_call_takes_it_back_in_its_first_frame() {
    let (dir, root, media) = setup(
        "media-hero",
        "quiet-hero",
        "waiting-room",
        "media_in_hero_after = 90",
        "media_in_hero_after = 5",
    );
    solid_png(&media.join("poster.png"), 1600, 900, MAGENTA);
    let server = TestServer::start();
    let mut herald = start(&dir, "quiet-hero", &root, &media, &server);
    // Inside the hero panel, left of its texts (left 3 %, top 13.5 %, 61 × 65 % of 1280×720).
    let hero = (60, 331);
    let watch = PixelWatch::start(&herald.display(), vec![hero]);
    herald.wait_for("connected", 1, Duration::from_secs(60));
    server.wait_for_display(Duration::from_secs(60));
    let call = |ticket: &str| {
        Call::new(
            format!("call-{ticket}"),
            ticket.to_owned(),
            "3",
            chrono::Utc::now().to_rfc3339(),
        )
    };
    server.call(call("A041"));
    herald.wait_for("call_shown", 1, Duration::from_secs(30));
    herald.wait_for("media_in_hero", 1, Duration::from_secs(30));
    let taken = herald.events("media_in_hero")[0].clone();
    assert_eq!(taken["shown"], true, "{taken}");
    assert!(
        watch.wait_until(Duration::from_secs(10), |seen| {
            seen.last().is_some_and(|s| near(s.colours[0], MAGENTA, 10))
        }),
        "the hero did not show the picture: {:?}",
        watch.seen().last()
    );
    let quiet = support::between(herald.events("call_shown")[0], &taken);
    assert!(
        quiet >= 4.9,
        "the pictures came {quiet:.1} s after the call, not 5 s"
    );

    // The next call: the frame that shows it has no picture on the hero.
    let sent = Instant::now();
    server.call(call("A042"));
    herald.wait_for("call_shown", 2, Duration::from_secs(30));
    herald.wait_for("media_in_hero", 2, Duration::from_secs(30));
    let shown = herald.events("call_shown")[1].clone();
    let back = herald.events("media_in_hero")[1].clone();
    assert_eq!(back["shown"], false, "{back}");
    assert_eq!(back["ticket"], "A042", "{back}");
    assert_eq!(
        back["frame"], shown["frame"],
        "the call was shown in one frame and the picture left in another: {shown} / {back}"
    );
    assert!(
        watch.wait_until(Duration::from_secs(10), |seen| {
            seen.iter()
                .any(|s| s.at > sent && !near(s.colours[0], MAGENTA, 10))
        }),
        "the picture stayed on the hero after the call"
    );
    // On the real pixels: the picture gives way straight to the call's flash, with no frame of
    // the old hero or an empty panel in between.
    let after: Vec<[u8; 3]> = track(&watch.seen(), 0)
        .into_iter()
        .filter(|(at, _)| *at > sent)
        .map(|(_, c)| c)
        .collect();
    let first = after
        .iter()
        .find(|c| !near(**c, MAGENTA, 10))
        .copied()
        .expect("a change");
    assert!(
        near(first, HIGHLIGHT, 12),
        "after the picture the hero showed {first:?} before the call's flash {HIGHLIGHT:?}: {after:?}"
    );
    // And after another quiet while, the pictures come back.
    herald.wait_for("media_in_hero", 3, Duration::from_secs(30));
    assert_eq!(herald.events("media_in_hero")[2]["shown"], true);
    drop(watch);
    herald.stop();
}
