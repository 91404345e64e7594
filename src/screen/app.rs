//! Assembles the herald app from a checked [`Config`]: window, renderer, feed, loudspeaker,
//! screen, and in preview the staff panel.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bevy::prelude::*;
use bevy::window::{MonitorSelection, PresentMode, WindowMode, WindowResolution};
use bevy::winit::{UpdateMode, WinitSettings};
use herald_core::announcement::AnnouncerSettings;
use herald_core::announcement::schedule::VolumeSchedule;
use herald_core::announcement::sequencer::SequencerConfig;
use herald_core::catalogue::Catalogue;
use herald_core::design;

use super::design_assets::{ActiveLayout, ActiveTheme};
use super::design_files::{self, DesignFiles};
use super::feed_link::{self, DemoOffice, FeedSetup};
use super::loudspeaker::{self, LoudspeakerSetup};
use super::shot::{self, ScreenshotPlan};
use super::zones::CounterFocus;
use super::{DisplayLangs, ScreenSettings, WaitingRoom, Words, memory, preview, wakeup};
use crate::config::{Config, Sound, Source};
use crate::feed::FeedConfig;
use crate::voice::VoiceSettings;
use crate::voice::announcer::AnnouncerConfig;

/// Runs the screen until the window closes (or the screenshot is written).
pub fn run(config: Config) -> AppExit {
    if config.log_json {
        herald_core::log_event::enable();
    }
    let catalogue = match Catalogue::load(&config.root.join("locales"), config.primary()) {
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
    let mut demo = None;
    let url = match &config.source {
        Source::Feed(url) | Source::Nats(herald_wire::fleet::Broker { url, .. }, _) => url.clone(),
        Source::Demo(options) => match herald_core::office::loopback::spawn_demo(options.clone()) {
            Ok(office) => {
                let url = office.feed_url();
                demo = Some(office);
                url
            }
            Err(e) => {
                eprintln!("herald: cannot start the demo office on loopback: {e}");
                return AppExit::error();
            }
        },
    };
    // A remembered board shows at once; the feed resumes from its last seq.
    let room = config.state_dir.as_deref().map(memory::restore);
    let mut feed = FeedConfig::new(url.clone(), config.display.clone());
    feed.token = config.token.clone();
    feed.resume = room.as_ref().and_then(|r| r.board.last_seq());
    feed.trust = Some(config.trust.clone());
    if let Source::Nats(broker, office) = &config.source {
        feed.nats = Some(crate::feed::nats::NatsFeed {
            broker: broker.clone(),
            office: office.clone(),
        });
    }

    // The status the endpoints serve and the display reports to its relay.
    let (shared, screen_requests) = crate::status::Shared::new();
    shared.set_identity(
        &config.design.layout,
        &config.langs,
        &config.design.scope.to_string(),
    );
    {
        let observer = shared.clone();
        herald_core::log_event::observe(Box::new(move |e| observer.observe(e)));
    }
    feed.reporter = Some(shared.clone());

    let mut app = App::new();
    let (width, height) = config.window.size;
    let window = Window {
        title: if config.window.preview {
            "herald — preview".into()
        } else {
            "herald".into()
        },
        resolution: WindowResolution::new(width, height).with_scale_factor_override(1.0),
        mode: if config.window.fullscreen {
            WindowMode::BorderlessFullscreen(MonitorSelection::Primary)
        } else {
            WindowMode::Windowed
        },
        present_mode: PresentMode::AutoVsync,
        // Two window images instead of three: the screen draws a frame only when something
        // changed, so a frame queued behind another buys nothing, and on a software renderer
        // each image is 8 MB of the process's RAM at 1080p.
        desired_maximum_frame_latency: std::num::NonZeroU32::new(1),
        ..default()
    };
    // Bevy's audio plugin opens the chime's output while the plugins are added; the sound
    // libraries' probe lines stay out of the journal (voice/hush.rs).
    let ((), probe) = crate::voice::hush::opening_audio(|| {
        app.add_plugins(
            DefaultPlugins
                .set(WindowPlugin {
                    primary_window: Some(window),
                    ..default()
                })
                .set(AssetPlugin {
                    file_path: config.root.join("assets").to_string_lossy().into_owned(),
                    ..default()
                })
                // async-nats reports every failed reconnect attempt at info; herald says the
                // outage once itself.
                // herald's own handler (screen/leaving.rs) exits with 0 and wakes the screen.
                .disable::<bevy::app::TerminalCtrlCHandlerPlugin>()
                // wgpu's default reserves device memory in blocks of 128 MiB and more; a
                // waiting-room screen needs a few pictures, and on a software renderer that
                // "device memory" is the process's own RAM.
                .set(bevy::render::RenderPlugin {
                    render_creation: bevy::render::settings::WgpuSettings {
                        memory_hints: bevy::render::settings::MemoryHints::MemoryUsage,
                        ..default()
                    }
                    .into(),
                    ..default()
                })
                .set(bevy::log::LogPlugin {
                    filter: format!("{},async_nats=warn", bevy::log::DEFAULT_FILTER),
                    // Colour only on a terminal: under systemd the journal would store the
                    // escape codes as text.
                    fmt_layer: |_| {
                        Some(Box::new(
                            bevy::log::tracing_subscriber::fmt::Layer::default()
                                .with_writer(std::io::stderr)
                                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
                        ))
                    },
                    ..default()
                }),
        );
    });
    if probe.hushed > 0 {
        info!(
            "opening the audio output, the sound libraries (alsa-lib, JACK) printed {} lines; \
             they are logged at debug level (RUST_LOG=herald::sound_libraries=debug)",
            probe.hushed
        );
    }
    if config.window.preview {
        info!(
            "--preview: the screen beside the staff panel; layout and theme files are read again \
             when saved"
        );
        herald_core::log_event::keep_recent();
        // The wall's resolution for this layout; the panel can change it.
        let (w, h) = config.preview_size();
        let size = UVec2::new(w, h);
        let image = app
            .world_mut()
            .resource_mut::<Assets<Image>>()
            .add(preview::target::target_image(size));
        app.insert_resource(preview::target::PreviewTarget { image, size });
    }
    for lang in &config.langs {
        if !catalogue.has_language(lang) {
            warn!(
                "display language {lang:?} has no locales/{lang}/ folder; its words fall back to {}",
                catalogue.primary()
            );
        }
    }
    let loudspeaker = match &config.sound {
        None => {
            let always = config
                .design
                .start_layout
                .as_ref()
                .is_some_and(|l| l.always_announce);
            if always {
                warn!(
                    "--mute on the {} layout, which is meant to announce every call: calls are \
                     shown, not announced",
                    config.design.layout
                );
            } else {
                info!("--mute: calls are shown, not announced");
            }
            None
        }
        Some(sound) => {
            let announcer_config = announcer_config(sound, &config.langs, &catalogue);
            let voice = crate::voice::speakers::speakers(
                announcer_config.voice.clone(),
                sound.packs.clone(),
            );
            Some((announcer_config, voice))
        }
    };
    app.insert_resource(LoudspeakerSetup(Mutex::new(loudspeaker)));
    // The shipped copy shows at once; the file from assets/ replaces it when read, and a file
    // that cannot be used leaves the last good design on screen.
    if let Some(layout) = config.design.start_layout.clone() {
        app.insert_resource(ActiveLayout(layout));
    }
    if let Some(theme) = design::shipped_theme(&config.design.theme) {
        app.insert_resource(ActiveTheme(theme));
    }
    if let Some(room) = config.design.room {
        app.insert_resource(room);
    }
    // In preview, a saved layout or theme file shows at once.
    app.insert_resource(CounterFocus(config.design.counter.clone()))
        .insert_resource(DesignFiles::new(
            config.root.join("assets"),
            config.design.layout_path.clone(),
            config.design.theme_path.clone(),
            config.window.preview,
        ))
        .add_plugins(design_files::plugin);
    app.add_plugins(super::layers::plugin);
    if config.window.frame_costs {
        app.add_plugins(super::frame_costs::plugin);
    }
    let catalogue_for_studio = Arc::new(catalogue);
    app.insert_resource(Words(catalogue_for_studio.clone()))
        .insert_resource(DisplayLangs::new(config.langs.clone()))
        .insert_resource(ScreenSettings {
            design: config.design.clone(),
            ..default()
        })
        .insert_resource(FeedSetup(Some(feed)))
        .add_plugins((
            super::plugin,
            feed_link::plugin,
            shot::plugin,
            loudspeaker::plugin,
        ));
    if config.window.preview {
        let mut panel =
            preview::PanelState::new(herald_core::secret::shown_url(&url), &config.langs);
        // The pictures box starts at the folder in use, or the sample pictures herald ships.
        panel.media_folder = config
            .design
            .media
            .clone()
            .unwrap_or_else(|| config.root.join("assets/media"))
            .display()
            .to_string();
        if let Some(sound) = &config.sound {
            let spoken = if sound.speak.is_empty() {
                config.langs.iter().take(1).cloned().collect()
            } else {
                sound.speak.clone()
            };
            let here = std::env::current_dir().unwrap_or_else(|_| config.root.clone());
            app.insert_resource(preview::studio::VoiceStudio::new(
                &catalogue_for_studio,
                &spoken,
                &sound.packs,
                &here,
            ));
        }
        app.insert_resource(panel)
            .insert_resource(design_files::WordsFiles::new(config.root.join("locales")))
            .add_plugins(preview::plugin);
    }
    if let Some(room) = room {
        app.insert_resource(WaitingRoom(room));
    }
    app.add_plugins(super::leaving::plugin);
    if config.design.opening.is_set() {
        app.insert_resource(super::opening::OfficeHours {
            on_open: config.design.on_open.clone(),
            on_close: config.design.on_close.clone(),
            ..default()
        })
        .add_plugins(super::opening::plugin);
    }
    {
        // The screen's part of the building and what it does with names hold from the start,
        // for a remembered board too.
        let mut room = app.world_mut().resource_mut::<WaitingRoom>();
        room.0.scope = config.design.scope.clone();
        room.0.display = config.display.clone();
        room.0.board.set_names(config.design.names);
        if !config.design.scope.is_all() {
            info!(
                "this screen shows and announces only {:?}",
                config.design.scope
            );
        }
    }
    if let Some(dir) = &config.state_dir {
        match memory::Memory::start(dir.clone()) {
            Ok(writer) => {
                app.insert_resource(writer).add_plugins(memory::plugin);
            }
            Err(e) => warn!(
                "cannot start remembering the board in {}: {e}",
                dir.display()
            ),
        }
    }
    if let Some(manager) = super::service::ServiceManager::from_environment() {
        info!("started by systemd: READY after the first frame, {manager:?}");
        app.insert_resource(manager)
            .add_plugins(super::service::plugin);
    }
    app.insert_resource(super::status_link::StatusLink {
        shared: shared.clone(),
        requests: Mutex::new(screen_requests),
    })
    .add_plugins(super::status_link::plugin);
    if let Some(status) = &config.status {
        match crate::status::spawn(status.clone(), shared) {
            Ok(()) => {
                info!(
                    "status endpoints on http://{}/ (healthz, metrics, screenshot.png)",
                    status.address
                );
            }
            Err(e) => {
                // A mistake in the settings like any other: the IT office would otherwise watch
                // a screen it cannot reach.
                error!(
                    "cannot listen on {} for the status endpoints: {e} (another herald on this \
                     machine? give each --status its own port, or --status off)",
                    status.address
                );
                return AppExit::error();
            }
        }
    }
    if let Some(office) = demo {
        app.insert_resource(DemoOffice(office));
    }
    if let Some((path, after_secs)) = &config.window.screenshot {
        // A screenshot run renders continuously: it lasts seconds and must not wait for events.
        app.insert_resource(WinitSettings {
            focused_mode: UpdateMode::Continuous,
            unfocused_mode: UpdateMode::Continuous,
        })
        .insert_resource(ScreenshotPlan {
            path: path.clone(),
            after_secs: *after_secs,
            requested: false,
        });
    } else {
        app.insert_resource(WinitSettings {
            focused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
            unfocused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
        })
        .add_systems(Last, wakeup::plan_wakeup)
        .add_systems(
            First,
            wakeup::read_the_clock_now.before(bevy::time::TimeSystems),
        );
    }
    app.run()
}

/// What the room's announcer says and how loud.
fn announcer_config(sound: &Sound, display: &[String], catalogue: &Catalogue) -> AnnouncerConfig {
    let languages: Vec<String> = if sound.speak.is_empty() {
        display.iter().take(1).cloned().collect()
    } else {
        sound.speak.clone()
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
    let mut volume = VolumeSchedule {
        base: sound.volume,
        quiet: sound.quiet.clone(),
    };
    if sound.always_announce {
        volume.never_silent();
    }
    let voice = voice_settings(sound, &languages, catalogue);
    AnnouncerConfig {
        sequencer: SequencerConfig {
            settings: AnnouncerSettings {
                languages,
                repeat: sound.repeat,
                reading: sound.reading,
                ..AnnouncerSettings::default()
            },
            volume,
            speech_retry: voice.retry,
            ..SequencerConfig::default()
        },
        voice,
    }
}

/// A voice is looked up for every language herald has words for (a visitor may speak any),
/// the office's spoken languages first so they are ready soonest.
fn voice_settings(sound: &Sound, spoken: &[String], catalogue: &Catalogue) -> VoiceSettings {
    let mut languages = spoken.to_vec();
    for lang in catalogue.languages() {
        if !languages.iter().any(|l| l == lang) {
            languages.push(lang.to_owned());
        }
    }
    VoiceSettings {
        languages,
        overrides: sound.voices.iter().cloned().collect(),
        ..VoiceSettings::default()
    }
}
