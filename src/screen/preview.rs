//! `herald --preview`: the staff window. The real screen (same renderer, same layout code) is
//! drawn into an image at the wall's resolution and shown scaled to fit, beside a bevy_egui
//! panel for trying layouts, themes, languages and calls.
//!
//! The panel only records what staff asked for (`PreviewAction`); `apply_preview_actions`
//! carries it out through the same paths a feed event takes, so a test can drive the preview
//! without a window. Everything made here is local: test calls, notices and counter changes
//! never reach the queue system or other displays, and the feed's next snapshot replaces them.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy_egui::{
    EguiContexts, EguiGlobalSettings, EguiPlugin, EguiPrimaryContextPass, EguiTextureHandle,
    EguiUserTextures, PrimaryEguiContext, egui, input::EguiWantsInput,
};

use super::design::{self, ActiveLayout, ActiveTheme, SHIPPED_LAYOUTS, SHIPPED_THEMES};
use super::design_files::{DesignFiles, DesignStatus};
use super::layout::{KeyboardTaken, ScreenCamera};
use super::loudspeaker::Loudspeaker;
use super::preview_target::{self, PreviewTarget, TARGET_SIZES};
use super::{DisplayLangs, Room, ScreenSettings};
use crate::announcement::announcer::Progress;
use crate::protocol::{Call, Counter, CounterState, Localized, Notice, ServerMessage, VERSION};

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
}

/// Actions waiting to be carried out this frame.
#[derive(Resource, Default, Debug)]
pub struct PreviewActions(pub Vec<PreviewAction>);

/// Id of the notice the panel posts (one at a time).
const PANEL_NOTICE: &str = "preview-notice";

/// What the panel's fields hold between frames.
#[derive(Resource, Debug)]
pub struct PanelState {
    pub feed_url: String,
    pub call: TestCall,
    pub visitor_lang: String,
    pub notice: String,
    pub languages: String,
    pub test_calls: u64,
    pub last_screenshot: Option<String>,
}

impl PanelState {
    /// The call the form describes, with the visitor's language if one is typed.
    fn test_call(&self) -> TestCall {
        TestCall {
            lang: Some(self.visitor_lang.trim().to_owned()).filter(|l| !l.is_empty()),
            ..self.call.clone()
        }
    }

    pub fn new(feed_url: String, languages: &[String]) -> Self {
        Self {
            feed_url,
            call: TestCall {
                ticket: "A042".into(),
                counter: "3".into(),
                service: "Miestne dane".into(),
                lang: None,
                recall: false,
                floor: Some(0),
            },
            visitor_lang: String::new(),
            notice: String::new(),
            languages: languages.join(","),
            test_calls: 0,
            last_screenshot: None,
        }
    }
}

/// Adds the preview's window camera, egui panel and actions. The screen itself is the usual
/// `screen::plugin`, drawn into `PreviewTarget`.
pub fn plugin(app: &mut App) {
    app.add_plugins(EguiPlugin::default())
        .init_resource::<PreviewActions>()
        .add_systems(Startup, setup_window)
        .init_resource::<KeyboardTaken>()
        .add_systems(PreUpdate, note_typing)
        .add_systems(EguiPrimaryContextPass, panel)
        .add_systems(
            Update,
            apply_preview_actions.before(super::ScreenSystems::Decide),
        );
}

/// The actions without the window: for tests, and under the panel.
pub fn actions_plugin(app: &mut App) {
    app.init_resource::<PreviewActions>().add_systems(
        Update,
        apply_preview_actions.before(super::ScreenSystems::Decide),
    );
}

/// While staff type into the panel, the screen's keyboard shortcuts (Space, P) stand aside.
fn note_typing(wants: Option<Res<EguiWantsInput>>, mut taken: ResMut<KeyboardTaken>) {
    let typing = wants.is_some_and(|w| w.wants_keyboard_input());
    if taken.0 != typing {
        taken.0 = typing;
    }
}

fn setup_window(
    mut commands: Commands,
    mut settings: ResMut<EguiGlobalSettings>,
    mut textures: ResMut<EguiUserTextures>,
    target: Option<Res<PreviewTarget>>,
) {
    // The window camera only draws egui; the screen has its own camera into the image.
    settings.auto_create_primary_context = false;
    commands.spawn((
        Camera2d,
        Camera {
            order: 1,
            clear_color: ClearColorConfig::Custom(Color::srgb_u8(0x20, 0x22, 0x26)),
            ..default()
        },
        PrimaryEguiContext,
    ));
    if let Some(target) = target {
        textures.add_image(EguiTextureHandle::Strong(target.image.clone()));
    }
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
                        .resource::<Room>()
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
            world.resource_mut::<Room>().inject(&event);
        }
        PreviewAction::Counter { id, state } => {
            let floor = world
                .resource::<Room>()
                .board
                .counters()
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.floor);
            let event = ServerMessage::Counter {
                v: VERSION,
                seq: 0,
                counter: Counter {
                    label: id.clone(),
                    id,
                    state,
                    floor,
                },
            };
            world.resource_mut::<Room>().inject(&event);
        }
        PreviewAction::Notice(text) => {
            let langs = world.resource::<DisplayLangs>().langs.clone();
            let event = ServerMessage::Notice {
                v: VERSION,
                seq: 0,
                notice: Notice {
                    id: PANEL_NOTICE.into(),
                    text: langs.iter().map(|l| (l.clone(), text.clone())).collect(),
                    expires: None,
                },
            };
            world.resource_mut::<Room>().inject(&event);
        }
        PreviewAction::WithdrawNotice => {
            let event = ServerMessage::NoticeWithdrawn {
                v: VERSION,
                seq: 0,
                notice_id: PANEL_NOTICE.into(),
            };
            world.resource_mut::<Room>().inject(&event);
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
            world.resource_mut::<ScreenSettings>().reduced_motion = on;
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
        .add(preview_target::target_image(size));
    let target = PreviewTarget {
        image: image.clone(),
        size,
    };
    if let Some(mut textures) = world.get_resource_mut::<EguiUserTextures>() {
        textures.remove_image(&old.image);
        textures.add_image(EguiTextureHandle::Strong(image.clone()));
    }
    let mut cameras = world.query_filtered::<Entity, With<ScreenCamera>>();
    let cameras: Vec<Entity> = cameras.iter(world).collect();
    for camera in cameras {
        world
            .entity_mut(camera)
            .insert(preview_target::screen_camera_target(Some(&target)));
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
        move |captured: On<ScreenshotCaptured>| match super::shot::write_png(&captured.image, &path)
        {
            Ok((w, h)) => info!("preview: screen {w}×{h} written to {}", path.display()),
            Err(e) => error!("preview: cannot write {}: {e}", path.display()),
        },
    );
    if let Some(mut state) = world.get_resource_mut::<PanelState>() {
        state.last_screenshot = Some(shown);
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "the panel shows and edits many parts of the screen"
)]
fn panel(
    mut contexts: EguiContexts,
    mut state: ResMut<PanelState>,
    mut actions: ResMut<PreviewActions>,
    room: Res<Room>,
    layout: Res<ActiveLayout>,
    theme: Res<ActiveTheme>,
    settings: Res<ScreenSettings>,
    designs: Res<DesignStatus>,
    target: Option<Res<PreviewTarget>>,
    speaker: Option<Res<Loudspeaker>>,
) -> Result {
    let texture = target
        .as_ref()
        .and_then(|t| contexts.image_id(&t.image).map(|id| (id, t.size)));
    let ctx = contexts.ctx_mut()?;
    let mut root = egui::Ui::new(
        ctx.clone(),
        "preview".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let mut push = |a: PreviewAction| actions.0.push(a);
    egui::Panel::left("staff")
        .resizable(true)
        .default_size(380.0)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.heading("herald preview");
                if let Some(error) = &designs.last_error {
                    ui.colored_label(egui::Color32::from_rgb(0xff, 0x80, 0x70), error);
                }
                screen_section(
                    ui,
                    &mut state,
                    &layout,
                    &theme,
                    &settings,
                    target.as_deref(),
                    &mut push,
                );
                call_section(ui, &mut state, &mut push);
                counters_section(ui, &room, &mut push);
                notice_section(ui, &mut state, &mut push);
                connection_section(ui, &state, &room);
                sound_section(ui, speaker.as_deref(), &state, &mut push);
                events_section(ui);
            });
        });
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE)
        .show(&mut root, |ui| {
            if let Some((id, size)) = texture {
                // Scaled to fit, keeping the wall's aspect ratio.
                let room_for = ui.available_size();
                let scale = (room_for.x / size.x as f32).min(room_for.y / size.y as f32);
                let shown = egui::vec2(size.x as f32 * scale, size.y as f32 * scale);
                ui.centered_and_justified(|ui| {
                    ui.image(egui::load::SizedTexture::new(id, shown));
                });
            }
        });
    Ok(())
}

fn screen_section(
    ui: &mut egui::Ui,
    state: &mut PanelState,
    layout: &ActiveLayout,
    theme: &ActiveTheme,
    settings: &ScreenSettings,
    target: Option<&PreviewTarget>,
    push: &mut impl FnMut(PreviewAction),
) {
    egui::CollapsingHeader::new("Screen")
        .default_open(true)
        .show(ui, |ui| {
            let size = target.map_or(UVec2::ZERO, |t| t.size);
            egui::ComboBox::from_label("target")
                .selected_text(format!("{}×{}", size.x, size.y))
                .show_ui(ui, |ui| {
                    for (label, w, h) in TARGET_SIZES {
                        if ui
                            .selectable_label(size == UVec2::new(w, h), label)
                            .clicked()
                        {
                            push(PreviewAction::TargetSize(UVec2::new(w, h)));
                        }
                    }
                });
            egui::ComboBox::from_label("layout")
                .selected_text(layout.0.name.clone())
                .show_ui(ui, |ui| {
                    for (name, _) in SHIPPED_LAYOUTS {
                        if ui.selectable_label(layout.0.name == name, name).clicked() {
                            push(PreviewAction::Layout(name.to_owned()));
                        }
                    }
                });
            egui::ComboBox::from_label("theme")
                .selected_text(theme.0.name.clone())
                .show_ui(ui, |ui| {
                    for (name, _) in SHIPPED_THEMES {
                        if ui.selectable_label(theme.0.name == name, name).clicked() {
                            push(PreviewAction::Theme(name.to_owned()));
                        }
                    }
                });
            ui.horizontal(|ui| {
                ui.label("languages");
                let edit = ui.text_edit_singleline(&mut state.languages);
                if edit.lost_focus() {
                    push(PreviewAction::Languages(
                        state.languages.split(',').map(str::to_owned).collect(),
                    ));
                }
            });
            let mut reduced = settings.reduced_motion;
            if ui.checkbox(&mut reduced, "reduced motion").changed() {
                push(PreviewAction::ReducedMotion(reduced));
            }
            if ui.button("Screenshot of the screen").clicked() {
                let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
                push(PreviewAction::Screenshot(PathBuf::from(format!(
                    "herald-screen-{stamp}.png"
                ))));
            }
            if let Some(path) = &state.last_screenshot {
                ui.label(format!("written: {path}"));
            }
        });
}

fn call_section(ui: &mut egui::Ui, state: &mut PanelState, push: &mut impl FnMut(PreviewAction)) {
    egui::CollapsingHeader::new("Test call (this display only)")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("call").num_columns(2).show(ui, |ui| {
                ui.label("ticket");
                ui.text_edit_singleline(&mut state.call.ticket);
                ui.end_row();
                ui.label("counter");
                ui.text_edit_singleline(&mut state.call.counter);
                ui.end_row();
                ui.label("service");
                ui.text_edit_singleline(&mut state.call.service);
                ui.end_row();
                ui.label("visitor language");
                ui.text_edit_singleline(&mut state.visitor_lang);
                ui.end_row();
            });
            ui.checkbox(&mut state.call.recall, "recall");
            if ui.button("Call").clicked() && !state.call.ticket.trim().is_empty() {
                push(PreviewAction::Call(state.test_call()));
            }
        });
}

fn counters_section(ui: &mut egui::Ui, room: &Room, push: &mut impl FnMut(PreviewAction)) {
    egui::CollapsingHeader::new("Counters").show(ui, |ui| {
        for counter in room.board.counters() {
            ui.horizontal(|ui| {
                ui.label(format!("{} ({:?})", counter.label, counter.state));
                for (label, state) in [
                    ("open", CounterState::Open),
                    ("pause", CounterState::Paused),
                    ("close", CounterState::Closed),
                ] {
                    if ui
                        .add_enabled(counter.state != state, egui::Button::new(label))
                        .clicked()
                    {
                        push(PreviewAction::Counter {
                            id: counter.id.clone(),
                            state,
                        });
                    }
                }
            });
        }
    });
}

fn notice_section(ui: &mut egui::Ui, state: &mut PanelState, push: &mut impl FnMut(PreviewAction)) {
    egui::CollapsingHeader::new("Notice").show(ui, |ui| {
        ui.text_edit_multiline(&mut state.notice);
        ui.horizontal(|ui| {
            if ui.button("Post").clicked() && !state.notice.trim().is_empty() {
                push(PreviewAction::Notice(state.notice.trim().to_owned()));
            }
            if ui.button("Withdraw").clicked() {
                push(PreviewAction::WithdrawNotice);
            }
        });
    });
}

fn connection_section(ui: &mut egui::Ui, state: &PanelState, room: &Room) {
    egui::CollapsingHeader::new("Connection")
        .default_open(true)
        .show(ui, |ui| {
            let s = &room.status;
            ui.label(format!("feed: {}", state.feed_url));
            ui.label(if s.connected {
                "state: connected".to_owned()
            } else {
                match s.lost_since {
                    Some(since) => format!("state: lost since {}", since.format("%H:%M:%S")),
                    None => "state: connecting".to_owned(),
                }
            });
            ui.label(format!(
                "last seq: {}",
                room.board
                    .last_seq()
                    .map_or_else(|| "none".to_owned(), |s| s.to_string())
            ));
            ui.label(format!(
                "last event: {}",
                room.last_news.map_or_else(
                    || "none yet".to_owned(),
                    |at| format!("{:.0} s ago", at.elapsed().as_secs_f64())
                )
            ));
            ui.label(format!("reconnects: {}", s.reconnects));
            ui.label(format!("rejected frames: {}", s.rejected));
            for (at, reason) in s.rejections.iter().rev() {
                ui.colored_label(
                    egui::Color32::from_rgb(0xff, 0xb0, 0x99),
                    format!("{at} {reason}"),
                );
            }
        });
}

fn sound_section(
    ui: &mut egui::Ui,
    speaker: Option<&Loudspeaker>,
    state: &PanelState,
    push: &mut impl FnMut(PreviewAction),
) {
    egui::CollapsingHeader::new("Sound").show(ui, |ui| {
        let Some(speaker) = speaker else {
            ui.label("muted (--mute): calls are shown, not announced");
            return;
        };
        let voices = speaker.recent.iter().rev().find_map(|p| match p {
            Progress::Voices(v) => Some(v.clone()),
            _ => None,
        });
        match voices {
            Some(voices) => {
                for (lang, voice) in voices {
                    ui.label(format!("{lang}: {voice}"));
                }
            }
            None => {
                ui.label("voices: loading…");
            }
        }
        if ui.button("Speak test call").clicked() {
            push(PreviewAction::Call(state.test_call()));
        }
    });
}

fn events_section(ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Last 50 events").show(ui, |ui| {
        for line in crate::event_log::recent().iter().rev() {
            ui.label(egui::RichText::new(line).monospace().size(11.0));
        }
    });
}
