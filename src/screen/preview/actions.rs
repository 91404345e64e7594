//! What staff ask for in the panel, as [`PreviewAction`]s, and carrying them out through the
//! paths real events take: test calls, counters and notices go through `Room::inject` (shown
//! and announced here only), layout, theme, languages and target size change the screen.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy_egui::{EguiTextureHandle, EguiUserTextures};
use herald_core::design;
use herald_core::protocol::{
    Call, Counter, CounterState, Localized, Notice, ServerMessage, VERSION,
};

use super::panel::PanelState;
use super::target::{self, PreviewTarget};
use crate::screen::design_assets::{ActiveLayout, ActiveTheme};
use crate::screen::design_files::DesignFiles;
use crate::screen::zones::ScreenCamera;
use crate::screen::{DisplayLangs, ScreenSettings, ScreenSystems, WaitingRoom};

/// Something staff asked for in the panel.
#[derive(Clone, Debug, PartialEq)]
pub enum PreviewAction {
    /// A local test call: shown and announced here only, flagged `test` in the log.
    Call(TestCall),
    /// Open, pause or close a counter (locally).
    Counter {
        id: String,
        state: CounterState,
    },
    /// Post a notice (locally), in every display language.
    Notice(String),
    WithdrawNotice,
    /// Waiting figures for one service (locally), as a `queue` frame would bring them.
    Queue(TestQueue),
    /// Try another URL in the QR code zone (this display, until it restarts).
    QrUrl(String),
    /// Show the pictures of this folder (the media zone, and the hero after a quiet while).
    MediaFolder(std::path::PathBuf),
    /// Bring the next picture up now.
    NextPicture,
    /// Pause or resume the notices and pictures (as Space or P on the screen's keyboard).
    TogglePause,
    /// Move the screen's clock to just after the office's next closing (or opening), or back
    /// to now (`false`), to see the closed screen and its next-opening sentence.
    JumpClock(bool),
    Layout(String),
    Theme(String),
    Languages(Vec<String>),
    ReducedMotion(bool),
    TargetSize(UVec2),
    /// Write the screen area (not the panel) as PNG.
    Screenshot(PathBuf),
}

/// The test call form.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCall {
    pub ticket: String,
    pub counter: String,
    pub service: String,
    /// The visitor's language, if they chose one at the kiosk.
    pub lang: Option<String>,
    pub recall: bool,
    pub floor: Option<i32>,
    /// A priority ticket (marked by a star and a word).
    pub priority: bool,
}

/// The waiting figures form: one service's count and estimate (0 minutes: no estimate).
#[derive(Clone, Debug, PartialEq)]
pub struct TestQueue {
    pub service: String,
    pub waiting: u32,
    pub wait_minutes: u32,
    pub next: String,
}

/// Actions waiting to be carried out this frame.
#[derive(Resource, Default, Debug)]
pub struct PreviewActions(pub Vec<PreviewAction>);

/// Id of the notice the panel posts (one at a time).
const PANEL_NOTICE: &str = "preview-notice";

/// The actions without the window: for tests, and under the panel.
pub fn actions_plugin(app: &mut App) {
    app.init_resource::<PreviewActions>()
        .add_systems(Update, apply_preview_actions.before(ScreenSystems::Decide));
}

/// Makes a test call into a protocol event, as the queue system would send it.
pub fn test_call_event(call: &TestCall, number: u64, langs: &[String]) -> ServerMessage {
    let service: Localized = if call.service.trim().is_empty() {
        Localized::new()
    } else {
        langs
            .iter()
            .map(|l| (l.clone(), call.service.trim().to_owned()))
            .collect()
    };
    ServerMessage::Call {
        v: VERSION,
        seq: 0,
        call: Call {
            service,
            floor: call.floor,
            lang: call.lang.clone().filter(|l| !l.trim().is_empty()),
            recall: call.recall,
            priority: call.priority,
            ..Call::new(
                if call.recall {
                    format!("test-{}", call.ticket.trim())
                } else {
                    format!("test-{}-{number}", call.ticket.trim())
                },
                call.ticket.trim(),
                call.counter.trim(),
                chrono::Utc::now().to_rfc3339(),
            )
        },
    }
}

/// Carries out the panel's actions through the paths real events take.
pub fn apply_preview_actions(world: &mut World) {
    let actions = std::mem::take(&mut world.resource_mut::<PreviewActions>().0);
    for action in actions {
        apply(world, action);
    }
}

fn apply(world: &mut World, action: PreviewAction) {
    match action {
        PreviewAction::Call(call) => {
            let number = {
                let mut n = world.get_resource_mut::<PanelState>();
                n.as_mut().map_or(0, |s| {
                    s.test_calls += 1;
                    s.test_calls
                })
            };
            let langs = world.resource::<DisplayLangs>().langs.clone();
            // A recall of a test call reuses the id of its first call.
            let event = match test_call_event(&call, number, &langs) {
                ServerMessage::Call { v, seq, mut call } if call.recall => {
                    let ticket = call.ticket.clone();
                    if let Some(first) = world
                        .resource::<WaitingRoom>()
                        .board
                        .calls()
                        .find(|e| e.call.ticket == ticket)
                    {
                        call.id = first.call.id.clone();
                    }
                    ServerMessage::Call { v, seq, call }
                }
                other => other,
            };
            info!("preview: test call {:?}", call.ticket);
            world.resource_mut::<WaitingRoom>().inject(&event);
        }
        PreviewAction::Counter { id, state } => {
            // The counter keeps its name and floor; only its state changes.
            let known = world
                .resource::<WaitingRoom>()
                .board
                .counters()
                .iter()
                .find(|c| c.id == id)
                .cloned();
            let counter = match known {
                Some(known) => Counter { state, ..known },
                None => Counter {
                    label: id.clone(),
                    id,
                    state,
                    floor: None,
                },
            };
            let event = ServerMessage::Counter {
                v: VERSION,
                seq: 0,
                counter,
            };
            world.resource_mut::<WaitingRoom>().inject(&event);
        }
        PreviewAction::Notice(text) => {
            let langs = world.resource::<DisplayLangs>().langs.clone();
            let event = ServerMessage::Notice {
                v: VERSION,
                seq: 0,
                notice: Notice {
                    id: PANEL_NOTICE.into(),
                    text: langs.iter().map(|l| (l.clone(), text.clone())).collect(),
                    ..Notice::default()
                },
            };
            world.resource_mut::<WaitingRoom>().inject(&event);
        }
        PreviewAction::Queue(figures) => {
            let langs = world.resource::<DisplayLangs>().langs.clone();
            let id = figures.service.trim().to_owned();
            let event = ServerMessage::Queue {
                v: VERSION,
                seq: 0,
                queue: herald_core::protocol::Queue {
                    services: vec![herald_core::protocol::ServiceQueue {
                        name: langs.iter().map(|l| (l.clone(), id.clone())).collect(),
                        id,
                        waiting: figures.waiting,
                        wait_minutes: (figures.wait_minutes > 0).then_some(figures.wait_minutes),
                        next: figures
                            .next
                            .split(',')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .take(herald_core::protocol::MAX_NEXT_TICKETS)
                            .map(str::to_owned)
                            .collect(),
                        floor: None,
                    }],
                    at: Some(chrono::Utc::now().to_rfc3339()),
                },
            };
            world.resource_mut::<WaitingRoom>().inject(&event);
        }
        PreviewAction::QrUrl(url) => match crate::cli::parse_qr_url(&url) {
            Ok(url) => {
                world.resource_mut::<ScreenSettings>().design.qr_url = Some(url);
                // The code is made when the screen is built: build it again.
                world.resource_mut::<ActiveLayout>().set_changed();
            }
            Err(e) => warn!("preview: QR code: {e}"),
        },
        PreviewAction::MediaFolder(folder) => {
            if folder.is_dir() {
                let wake = crate::screen::feed_link::event_loop_waker(
                    world.get_resource::<bevy::winit::EventLoopProxyWrapper>(),
                );
                info!("preview: pictures from {}", folder.display());
                world.resource_mut::<ScreenSettings>().design.media = Some(folder.clone());
                world
                    .resource_mut::<crate::screen::media::MediaShow>()
                    .open(folder, wake);
            } else {
                warn!(
                    "preview: {} is not a folder; the pictures stay as they are",
                    folder.display()
                );
            }
        }
        PreviewAction::NextPicture => {
            world
                .resource_mut::<crate::screen::media::MediaShow>()
                .skip_now();
        }
        PreviewAction::TogglePause => {
            let now = world.resource::<Time<Real>>().elapsed_secs_f64();
            world
                .resource_mut::<crate::screen::zones::notices::NoticeRotation>()
                .toggle(now);
        }
        PreviewAction::JumpClock(jump) => {
            let mut settings = world.resource_mut::<ScreenSettings>();
            settings.clock_ahead = chrono::Duration::zero();
            if jump {
                let now = settings.now().naive_local();
                match settings.design.opening.next_change(now) {
                    // A minute after the change, so the screen shows the state it brings.
                    Some(change) => {
                        settings.clock_ahead = change - now + chrono::Duration::minutes(1);
                        info!("preview: the screen's clock jumps to {change}");
                    }
                    None => warn!(
                        "preview: no opening hours are set (--open), so there is no closing time to jump to"
                    ),
                }
            }
        }
        PreviewAction::WithdrawNotice => {
            let event = ServerMessage::NoticeWithdrawn {
                v: VERSION,
                seq: 0,
                notice_id: PANEL_NOTICE.into(),
            };
            world.resource_mut::<WaitingRoom>().inject(&event);
        }
        PreviewAction::Layout(name) => switch_layout(world, &name),
        PreviewAction::Theme(name) => switch_theme(world, &name),
        PreviewAction::Languages(langs) => {
            let langs: Vec<String> = langs
                .into_iter()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect();
            if !langs.is_empty() {
                world.insert_resource(DisplayLangs::new(langs));
            }
        }
        PreviewAction::ReducedMotion(on) => {
            world.resource_mut::<ScreenSettings>().design.reduced_motion = on;
        }
        PreviewAction::TargetSize(size) => resize_target(world, size),
        PreviewAction::Screenshot(path) => screenshot_target(world, path),
    }
}

fn switch_layout(world: &mut World, name: &str) {
    let Some(layout) = design::shipped_layout(name) else {
        warn!("preview: there is no shipped layout {name:?}");
        return;
    };
    // A layout made for a theme (the accessible display and high contrast) brings it along;
    // the theme box can still change it afterwards.
    let theme = layout.theme.clone();
    world.resource_mut::<ActiveLayout>().0 = layout;
    let path = format!("layouts/{name}.layout.toml");
    if let Some(handle) = world
        .get_resource::<AssetServer>()
        .map(|assets| assets.load(path.clone()))
        && let Some(mut files) = world.get_resource_mut::<DesignFiles>()
    {
        files.follow_layout(path, handle);
    }
    if let Some(theme) = theme {
        switch_theme(world, &theme);
    }
}

fn switch_theme(world: &mut World, name: &str) {
    let Some(theme) = design::shipped_theme(name) else {
        warn!("preview: there is no shipped theme {name:?}");
        return;
    };
    world.resource_mut::<ActiveTheme>().0 = theme;
    let path = format!("themes/{name}.theme.toml");
    if let Some(handle) = world
        .get_resource::<AssetServer>()
        .map(|assets| assets.load(path.clone()))
        && let Some(mut files) = world.get_resource_mut::<DesignFiles>()
    {
        files.follow_theme(path, handle);
    }
}

fn resize_target(world: &mut World, size: UVec2) {
    let Some(old) = world.get_resource::<PreviewTarget>().cloned() else {
        return;
    };
    if old.size == size {
        return;
    }
    let image = world
        .resource_mut::<Assets<Image>>()
        .add(target::target_image(size));
    let target = PreviewTarget {
        image: image.clone(),
        size,
    };
    if let Some(mut textures) = world.get_resource_mut::<EguiUserTextures>() {
        textures.remove_image(&old.image);
        textures.add_image(EguiTextureHandle::Strong(image.clone()));
    }
    let mut cameras = world.query_filtered::<
        Entity,
        Or<(With<ScreenCamera>, With<crate::screen::layers::CallCamera>)>,
    >();
    let cameras: Vec<Entity> = cameras.iter(world).collect();
    for camera in cameras {
        world
            .entity_mut(camera)
            .insert(target::screen_camera_target(Some(&target)));
    }
    world.insert_resource(target);
    info!("preview: target {}×{}", size.x, size.y);
}

fn screenshot_target(world: &mut World, path: PathBuf) {
    let Some(target) = world.get_resource::<PreviewTarget>().cloned() else {
        return;
    };
    let shown = path.display().to_string();
    world.spawn(Screenshot::image(target.image)).observe(
        move |captured: On<ScreenshotCaptured>| match crate::screen::shot::write_png(
            &captured.image,
            &path,
        ) {
            Ok((w, h)) => info!("preview: screen {w}×{h} written to {}", path.display()),
            Err(e) => error!("preview: cannot write {}: {e}", path.display()),
        },
    );
    if let Some(mut state) = world.get_resource_mut::<PanelState>() {
        state.last_screenshot = Some(shown);
    }
}
