//! Assembles the herald app from the command line: window, renderer, feed, screen.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::window::{MonitorSelection, PresentMode, WindowMode, WindowResolution};
use bevy::winit::{UpdateMode, WinitSettings};

use super::design::{self, ActiveLayout, ActiveTheme};
use super::design_files::{self, DesignFiles};
use super::feed_link::{self, DemoOffice, FeedSetup};
use super::loudspeaker::{self, LoudspeakerSetup};
use super::shot::{self, ScreenshotPlan};
use super::{
    DisplayLangs, Room, ScreenSettings, Words, clock, layout, motion, preview, preview_target,
    sizing,
};
use crate::announcement::AnnouncerSettings;
use crate::announcement::announcer::{self, AnnouncerConfig};
use crate::announcement::schedule::VolumeSchedule;
use crate::announcement::voice::VoiceSettings;
use crate::catalogue::{self, Catalogue};
use crate::cli::Cli;
use crate::feed::{self, FeedConfig};

/// Runs the screen until the window closes (or the screenshot is written).
pub fn run(cli: &Cli) -> AppExit {
    if cli.log_json {
        crate::event_log::enable();
    }
    let root = catalogue::data_root();
    let layout_path = format!("layouts/{}.layout.toml", cli.layout);
    let layout_file = root.join("assets").join(&layout_path);
    if design::shipped_layout(&cli.layout).is_none() && !layout_file.is_file() {
        eprintln!(
            "herald: there is no layout {:?}: assets/{layout_path} does not exist (shipped: \
             waiting-room, waiting-room-portrait, counter, accessible)",
            cli.layout
        );
        return AppExit::error();
    }
    // The layout as it starts: its file when it reads cleanly, else the copy compiled in (the
    // asset loader reports the file's mistake in a moment).
    let start_layout = std::fs::read_to_string(&layout_file)
        .ok()
        .and_then(|text| design::Layout::parse(&text, &layout_path).ok())
        .or_else(|| design::shipped_layout(&cli.layout));
    let theme_name = cli
        .theme
        .clone()
        .or_else(|| start_layout.as_ref().and_then(|l| l.theme.clone()))
        .unwrap_or_else(|| "civic".to_owned());
    let theme_path = format!("themes/{theme_name}.theme.toml");
    if design::shipped_theme(&theme_name).is_none()
        && !root.join("assets").join(&theme_path).is_file()
    {
        eprintln!(
            "herald: there is no theme {theme_name:?}: assets/{theme_path} does not exist \
             (shipped: civic, high-contrast)"
        );
        return AppExit::error();
    }
    let always_announce = start_layout.as_ref().is_some_and(|l| l.always_announce);
    if let Some(logo) = &cli.logo
        && !(logo.to_ascii_lowercase().ends_with(".png")
            && root.join("assets").join(logo).is_file())
    {
        eprintln!(
            "herald: --logo {logo:?}: there is no such PNG file under {}; put the office's emblem \
             there (e.g. images/emblem.png)",
            root.join("assets").display()
        );
        return AppExit::error();
    }
    if cli.layout == "counter" && cli.counter.is_none() {
        eprintln!("herald: the counter layout needs --counter ID (the counter it stands above)");
        return AppExit::error();
    }
    let primary = cli.lang.first().cloned().unwrap_or_else(|| "en".into());
    let catalogue = match Catalogue::load(&root.join("locales"), &primary) {
        Ok((catalogue, problems)) => {
            for problem in problems {
                eprintln!("herald: {problem} (run `herald check` for a full report)");
            }
            catalogue
        }
        Err(e) => {
            eprintln!("herald: {e}");
            return AppExit::error();
        }
    };
    let token = match cli.resolve_token() {
        Ok(token) => token,
        Err(e) => {
            eprintln!("herald: {e}");
            return AppExit::error();
        }
    };

    let mut app = App::new();
    let mut demo = None;
    let url = match &cli.feed {
        Some(url) => url.clone(),
        None => match feed::demo::spawn(demo_options(cli.demo_every)) {
            Ok(office) => {
                let url = office.url.clone();
                demo = Some(office);
                url
            }
            Err(e) => {
                eprintln!("herald: cannot start the demo office on loopback: {e}");
                return AppExit::error();
            }
        },
    };
    let feed_url = url.clone();
    let mut config = FeedConfig::new(url, cli.display.clone());
    config.token = token;

    let (width, height) = cli.size;
    let window = Window {
        title: if cli.preview {
            "herald — preview".into()
        } else {
            "herald".into()
        },
        resolution: WindowResolution::new(width, height).with_scale_factor_override(1.0),
        mode: if cli.fullscreen {
            WindowMode::BorderlessFullscreen(MonitorSelection::Primary)
        } else {
            WindowMode::Windowed
        },
        present_mode: PresentMode::AutoVsync,
        ..default()
    };
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(window),
                ..default()
            })
            .set(AssetPlugin {
                file_path: root.join("assets").to_string_lossy().into_owned(),
                ..default()
            }),
    );
    if cli.preview {
        info!(
            "--preview: the screen beside the staff panel; layout and theme files are read again \
             when saved"
        );
        crate::event_log::keep_recent();
        // The wall's resolution for this layout; the panel can change it.
        let size = match cli.layout.as_str() {
            "waiting-room-portrait" => UVec2::new(1080, 1920),
            "counter" => UVec2::new(1280, 720),
            _ => UVec2::new(1920, 1080),
        };
        let image = app
            .world_mut()
            .resource_mut::<Assets<Image>>()
            .add(preview_target::target_image(size));
        app.insert_resource(preview_target::PreviewTarget { image, size });
    }
    let langs: Vec<String> = cli
        .lang
        .iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    for lang in &langs {
        if !catalogue.has_language(lang) {
            warn!(
                "display language {lang:?} has no locales/{lang}/ folder; its words fall back to {}",
                catalogue.primary()
            );
        }
    }
    let loudspeaker = if cli.mute {
        if always_announce {
            warn!(
                "--mute on the {} layout, which is meant to announce every call: calls are \
                 shown, not announced",
                cli.layout
            );
        } else {
            info!("--mute: calls are shown, not announced");
        }
        None
    } else {
        let mut config = announcer_config(cli, &langs, &catalogue);
        if always_announce {
            config.volume.never_silent();
        }
        let voice = announcer::system_voice(config.voice.clone());
        Some((config, voice))
    };
    app.insert_resource(LoudspeakerSetup(Mutex::new(loudspeaker)));
    // The shipped copy shows at once; the file from assets/ replaces it when read, and a file
    // that cannot be used leaves the last good design on screen.
    if let Some(layout) = start_layout {
        app.insert_resource(ActiveLayout(layout));
    }
    if let Some(theme) = design::shipped_theme(&theme_name) {
        app.insert_resource(ActiveTheme(theme));
    }
    if let Some(distance_m) = cli.distance {
        let screen = match (cli.screen_height_mm, cli.screen_diagonal_in) {
            (Some(mm), _) => sizing::ScreenSize::HeightMm(mm),
            (None, Some(inches)) => sizing::ScreenSize::DiagonalIn(inches),
            (None, None) => {
                eprintln!(
                    "herald: --distance needs the screen's size too: --screen-height-mm MM \
                     (the picture's height) or --screen-diagonal-in INCHES"
                );
                return AppExit::error();
            }
        };
        app.insert_resource(sizing::RoomSpec { distance_m, screen });
    }
    // In preview, a saved layout or theme file shows at once.
    app.insert_resource(layout::CounterFocus(cli.counter.clone()))
        .insert_resource(DesignFiles::new(
            root.join("assets"),
            layout_path,
            theme_path,
            cli.preview,
        ))
        .add_plugins(design_files::plugin);
    app.insert_resource(Words(Arc::new(catalogue)))
        .insert_resource(DisplayLangs::new(langs))
        .insert_resource(ScreenSettings {
            reduced_motion: cli.reduced_motion,
            office_name: cli.office_name.clone(),
            logo: cli.logo.clone(),
            hours: cli.hours.clone(),
            ..default()
        })
        .insert_resource(FeedSetup(Some(config)))
        .add_plugins((
            super::plugin,
            feed_link::plugin,
            shot::plugin,
            loudspeaker::plugin,
        ));
    if cli.preview {
        let langs = app.world().resource::<DisplayLangs>().langs.clone();
        app.insert_resource(preview::PanelState::new(feed_url, &langs))
            .insert_resource(design_files::WordsFiles::new(root.join("locales")))
            .add_plugins(preview::plugin);
    }
    if let Some(office) = demo {
        app.insert_resource(DemoOffice(office));
    }
    if let Some(path) = &cli.screenshot {
        // A screenshot run renders continuously: it lasts seconds and must not wait for events.
        app.insert_resource(WinitSettings {
            focused_mode: UpdateMode::Continuous,
            unfocused_mode: UpdateMode::Continuous,
        })
        .insert_resource(ScreenshotPlan {
            path: path.clone(),
            after_secs: cli.after,
            requested: false,
        });
    } else {
        app.insert_resource(WinitSettings {
            focused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
            unfocused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
        })
        .add_systems(Last, plan_wakeup);
    }
    app.run()
}

/// What the room's announcer says and how loud, from the command line.
fn announcer_config(cli: &Cli, display: &[String], catalogue: &Catalogue) -> AnnouncerConfig {
    let languages: Vec<String> = if cli.speak.is_empty() {
        display.iter().take(1).cloned().collect()
    } else {
        cli.speak.iter().map(|l| l.trim().to_owned()).collect()
    };
    for lang in &languages {
        if !catalogue.has_language(lang) {
            warn!("--speak {lang}: there is no locales/{lang}/ folder, so it cannot be spoken");
        }
    }
    let languages: Vec<String> = languages
        .into_iter()
        .filter(|l| catalogue.has_language(l))
        .collect();
    AnnouncerConfig {
        settings: AnnouncerSettings {
            languages: languages.clone(),
            repeat: cli.repeat,
            ..AnnouncerSettings::default()
        },
        volume: VolumeSchedule {
            base: cli.volume,
            quiet: cli.quiet.clone(),
        },
        voice: voice_settings(cli, &languages, catalogue),
        ..AnnouncerConfig::default()
    }
}

/// A voice is looked up for every language herald has words for (a visitor may speak any),
/// the office's spoken languages first so they are ready soonest.
fn voice_settings(cli: &Cli, spoken: &[String], catalogue: &Catalogue) -> VoiceSettings {
    let mut languages = spoken.to_vec();
    for lang in catalogue.languages() {
        if !languages.iter().any(|l| l == lang) {
            languages.push(lang.to_owned());
        }
    }
    VoiceSettings {
        languages,
        overrides: cli.voices.iter().cloned().collect(),
        ..VoiceSettings::default()
    }
}

fn demo_options(every: f64) -> feed::demo::DemoOptions {
    let every = if every.is_finite() {
        every.clamp(0.5, 86_400.0)
    } else {
        8.0
    };
    feed::demo::DemoOptions {
        interval: (
            Duration::from_secs_f64(every * 0.6),
            Duration::from_secs_f64(every * 1.4),
        ),
        ..feed::demo::DemoOptions::default()
    }
}

/// Sleeps until the next thing that changes what the screen shows: the clock's minute, a language
/// switch, a queued call's turn, the next notice, or the end of a new call's mark. Events from the feed wake the
/// loop earlier through the event-loop proxy.
///
/// The winit runner forces an extra frame whenever the update mode changes, so the mode is only
/// rewritten when the deadline itself moves, not every frame with a shorter relative wait.
#[allow(
    clippy::too_many_arguments,
    reason = "everything that can change the screen by itself has a say"
)]
fn plan_wakeup(
    time: Res<Time<Real>>,
    room: Res<Room>,
    langs: Res<DisplayLangs>,
    settings: Res<ScreenSettings>,
    motion: Res<motion::HeroMotion>,
    rotation: Res<layout::NoticeRotation>,
    layout: Res<ActiveLayout>,
    files: Res<DesignFiles>,
    mut winit: ResMut<WinitSettings>,
    mut planned: Local<Option<Instant>>,
) {
    let now = time.elapsed_secs_f64();
    let mut wait = clock::until_next_minute(&chrono::Local::now());
    let mut consider = |secs: f64| {
        let d = Duration::from_secs_f64(secs.max(0.0) + 0.01);
        if d < wait {
            wait = d;
        }
    };
    if langs.langs.len() > 1 {
        consider(langs.switched_at + langs.every - now);
    }
    if let Some(turn) = room.next_turn_in(now, settings.hold_secs) {
        consider(turn);
    }
    if let Some(started) = motion.started {
        consider(started + settings.marked_secs - now);
    }
    if let Some(unmark) = room.next_unmark_in(now, settings.marked_secs) {
        consider(unmark);
    }
    if files.watch {
        // Preview looks at the design files once a second.
        consider(design_files::WATCH_SECS);
    }
    let notices = room.board.active_notices(chrono::Utc::now()).len();
    if let Some(next) = rotation.next_in(now, notices, layout.0.notice_seconds) {
        consider(next);
    }
    let deadline = Instant::now() + wait;
    let moved = planned.is_none_or(|old| {
        let drift = if deadline > old {
            deadline - old
        } else {
            old - deadline
        };
        drift > Duration::from_millis(50) || old <= Instant::now()
    });
    if moved {
        *planned = Some(deadline);
        let mode = UpdateMode::reactive_low_power(wait);
        winit.focused_mode = mode;
        winit.unfocused_mode = mode;
    }
}
