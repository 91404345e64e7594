//! Layout and theme files through the real asset path (Bevy's asset server reading files from an
//! assets folder), as staff editing them in preview would: a good file is taken into use, a
//! broken save gives one clear error and the screen keeps the last good design, and the fixed
//! file shows again. Only the renderer is left out (`MinimalPlugins`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use herald::screen::design_assets::{ActiveLayout, ActiveTheme};
use herald::screen::design_files::{self, DesignFiles, DesignStatus};
use herald::screen::{DisplayLangs, Words};
use herald_core::catalogue::Catalogue;
use herald_core::design::{SHIPPED_LAYOUTS, SHIPPED_THEMES};

fn assets_folder(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("layouts")).expect("layouts folder");
    std::fs::create_dir_all(dir.join("themes")).expect("themes folder");
    dir
}

fn shipped(list: &[(&str, &str)], name: &str) -> String {
    list.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| (*t).to_owned())
        .expect("shipped file")
}

/// Writes a file as an editor would, so that herald surely sees it as changed.
fn save(path: &Path, text: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SAVES: AtomicUsize = AtomicUsize::new(0);
    // A comment one character longer each time: herald notices a save by modification time
    // and length, and some file systems keep times only to the second.
    let n = SAVES.fetch_add(1, Ordering::Relaxed) + 1;
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(path, format!("{text}\n# saved {}\n", ".".repeat(n)))
        .expect("write design file");
}

fn app(assets: &Path) -> App {
    let files = DesignFiles::new(
        assets.to_path_buf(),
        "layouts/office.layout.toml".into(),
        "themes/office.theme.toml".into(),
        true,
    );
    let locales = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    app_with(assets, files, &locales)
}

/// The screen with its design files under `assets` and its words from `locales`.
fn app_with(assets: &Path, files: DesignFiles, locales: &Path) -> App {
    let (catalogue, _) = Catalogue::load(locales, "sk").expect("locales");
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin {
            file_path: assets.to_string_lossy().into_owned(),
            ..default()
        },
    ))
    // The screen asks for its fonts and logo; this folder has none, which only logs.
    .init_asset::<Font>()
    .init_asset::<Image>()
    .insert_resource(Words(Arc::new(catalogue)))
    .insert_resource(DisplayLangs::new(vec!["sk".into()]))
    .insert_resource(files)
    .add_plugins((herald::screen::plugin, design_files::plugin));
    app
}

/// Runs frames (in real time: the asset server reads on its own threads) until `done`.
fn run_until(app: &mut App, what: &str, mut done: impl FnMut(&mut App) -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        app.update();
        if done(app) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what}: not within 15 s");
}

#[test]
fn a_saved_layout_shows_a_broken_save_keeps_the_last_good_one_and_says_where() {
    let assets = assets_folder("designs-layout");
    let layout_file = assets.join("layouts/office.layout.toml");
    let good = shipped(&SHIPPED_LAYOUTS, "waiting-room")
        .replace("name = \"waiting-room\"", "name = \"office\"");
    save(&layout_file, &good);
    save(
        &assets.join("themes/office.theme.toml"),
        &shipped(&SHIPPED_THEMES, "civic"),
    );
    let mut app = app(&assets);
    run_until(&mut app, "the office layout is taken into use", |app| {
        app.world().resource::<ActiveLayout>().0.name == "office"
    });
    assert_eq!(app.world().resource::<ActiveLayout>().0.recent_rows, 6);

    // Staff save a mistake: a zone past the right edge, on line 21 of their file.
    let broken = good.replace(
        "rect = { left = 66, top = 13.5, width = 31, height = 65 }",
        "rect = { left = 66, top = 13.5, width = 40, height = 65 }",
    );
    assert_ne!(broken, good);
    let broken_line = broken
        .lines()
        .position(|l| l.contains("width = 40"))
        .expect("the edited line")
        + 1;
    save(&layout_file, &broken);
    run_until(&mut app, "the broken file is reported", |app| {
        app.world().resource::<DesignStatus>().last_error.is_some()
    });
    let error = app
        .world()
        .resource::<DesignStatus>()
        .last_error
        .clone()
        .expect("an error");
    // One line for a person: no loader type names, no backtrace.
    assert!(
        !error.contains('\n') && !error.contains("asset loader"),
        "{error}"
    );
    // The [[zone]] table starts two lines above the edited rect.
    assert!(
        error.contains("layouts/office.layout.toml:")
            && error.contains("reaches past the right edge")
            && error.contains(&format!(":{}:", broken_line - 2)),
        "{error}"
    );
    let active = &app.world().resource::<ActiveLayout>().0;
    assert_eq!(active.name, "office", "the last good layout stays");
    assert!(
        active
            .zones
            .iter()
            .all(|z| z.rect.left + z.rect.width <= 100.0),
        "the broken zone was taken into use"
    );

    // The fix (with one recent row fewer) shows, and the error clears.
    save(
        &layout_file,
        &good.replace("recent_rows = 6", "recent_rows = 5"),
    );
    run_until(&mut app, "the fixed file is taken into use", |app| {
        app.world().resource::<ActiveLayout>().0.recent_rows == 5
    });
    assert_eq!(app.world().resource::<DesignStatus>().last_error, None);
}

#[test]
fn a_saved_theme_colour_shows_on_the_next_frames_and_a_bad_colour_keeps_the_old_look() {
    let assets = assets_folder("designs-theme");
    save(
        &assets.join("layouts/office.layout.toml"),
        &shipped(&SHIPPED_LAYOUTS, "waiting-room"),
    );
    let theme_file = assets.join("themes/office.theme.toml");
    let civic = shipped(&SHIPPED_THEMES, "civic");
    save(&theme_file, &civic);
    let mut app = app(&assets);
    run_until(&mut app, "the theme is read", |app| {
        app.world().resource::<DesignStatus>().reloads > 0
            || app.world().resource::<ActiveTheme>().0.name == "civic"
    });
    // The background is what the screen's camera clears to.
    let background = |app: &mut App| {
        let mut cameras = app
            .world_mut()
            .query_filtered::<&Camera, With<herald::screen::zones::ScreenCamera>>();
        match cameras.iter(app.world()).next().map(|c| c.clear_color) {
            Some(ClearColorConfig::Custom(colour)) => colour,
            other => panic!("the screen's camera clears to {other:?}, not the theme's colour"),
        }
    };
    save(
        &theme_file,
        &civic.replace("background = \"#0b1827\"", "background = \"#203040\""),
    );
    run_until(&mut app, "the new background is drawn", |app| {
        background(app) == Color::srgb_u8(0x20, 0x30, 0x40)
    });
    save(
        &theme_file,
        &civic.replace("background = \"#0b1827\"", "background = \"navy-ish\""),
    );
    run_until(&mut app, "the bad colour is reported", |app| {
        app.world().resource::<DesignStatus>().last_error.is_some()
    });
    let error = app
        .world()
        .resource::<DesignStatus>()
        .last_error
        .clone()
        .unwrap_or_default();
    assert!(
        error.contains("colors.background") && error.contains("#rrggbb") && !error.contains('\n'),
        "{error}"
    );
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(
        background(&mut app),
        Color::srgb_u8(0x20, 0x30, 0x40),
        "the last good look stays"
    );
}

#[test]
fn saved_words_show_and_a_broken_ftl_keeps_the_last_good_words() {
    use herald::screen::design_files::WordsFiles;
    use herald::screen::zones::Slot;
    use herald_core::protocol::{Call, ServerMessage, State, VERSION};
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("words-reload");
    let _ = std::fs::remove_dir_all(&base);
    let locales = base.join("locales");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    for lang in ["sk", "en"] {
        std::fs::create_dir_all(locales.join(lang)).expect("folder");
        std::fs::copy(
            shipped.join(lang).join("herald.ftl"),
            locales.join(lang).join("herald.ftl"),
        )
        .expect("copy ftl");
    }
    let assets = assets_folder("words-assets");
    let files = DesignFiles::new(
        assets.clone(),
        "layouts/none.layout.toml".into(),
        "themes/none.theme.toml".into(),
        false,
    );
    let mut app = app_with(&assets, files, &locales);
    app.insert_resource(WordsFiles::new(locales.clone()));
    app.update();
    let mut room = app
        .world_mut()
        .resource_mut::<herald::screen::WaitingRoom>();
    room.apply(&ServerMessage::Snapshot {
        v: VERSION,
        seq: 1,
        state: State {
            calls: vec![Call::new("c1", "A042", "3", "2026-11-22T09:00:00Z")],
            ..State::default()
        },
    });
    let title = |app: &mut App| {
        let mut q = app.world_mut().query::<(&Slot, &Text)>();
        q.iter(app.world())
            .find(|(s, _)| **s == Slot::HeroTitle)
            .map(|(_, t)| t.0.clone())
            .unwrap_or_default()
    };
    run_until(&mut app, "the call is shown", |app| {
        title(app) == "Vyvolávame"
    });

    let file = locales.join("sk/herald.ftl");
    let good = std::fs::read_to_string(&file).expect("ftl");
    save(
        &file,
        &good.replace("now-calling = Vyvolávame", "now-calling = Voláme"),
    );
    run_until(&mut app, "the saved word shows", |app| {
        title(app) == "Voláme"
    });

    save(
        &file,
        &good.replace("now-calling = Vyvolávame", "now-calling = { $"),
    );
    run_until(&mut app, "the broken file is reported", |app| {
        app.world().resource::<DesignStatus>().last_error.is_some()
    });
    let error = app
        .world()
        .resource::<DesignStatus>()
        .last_error
        .clone()
        .unwrap_or_default();
    assert!(error.contains("sk"), "{error}");
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(title(&mut app), "Voláme", "the last good words stay");
}
