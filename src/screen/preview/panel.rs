//! The staff panel (bevy_egui): the screen's target, layout, theme and languages; test calls,
//! counters and notices; the connection, the voices and the last events. It only records what
//! staff ask for as [`PreviewAction`]s; `actions` carries them out.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use herald_core::announcement::sequencer::Progress;
use herald_core::design::{SHIPPED_LAYOUTS, SHIPPED_THEMES};
use herald_core::protocol::CounterState;

use super::actions::{PreviewAction, PreviewActions, TestCall, TestQueue};
use super::target::{PreviewTarget, TARGET_SIZES};
use crate::screen::design_assets::{ActiveLayout, ActiveTheme};
use crate::screen::design_files::DesignStatus;
use crate::screen::loudspeaker::Loudspeaker;
use crate::screen::media::MediaShow;
use herald_core::room::Room;

use crate::screen::{ScreenSettings, WaitingRoom};

/// What the panel's fields hold between frames.
#[derive(Resource, Debug)]
pub struct PanelState {
    pub feed_url: String,
    pub call: TestCall,
    pub queue: TestQueue,
    /// The URL typed into the QR code box.
    pub qr_url: String,
    /// The folder typed into the pictures box.
    pub media_folder: String,
    pub visitor_lang: String,
    pub notice: String,
    pub languages: String,
    pub test_calls: u64,
    pub last_screenshot: Option<String>,
}

impl PanelState {
    /// The call the form describes, with the visitor's language if one is typed.
    pub(super) fn test_call(&self) -> TestCall {
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
                priority: false,
            },
            queue: TestQueue {
                service: "Miestne dane".into(),
                waiting: 3,
                wait_minutes: 12,
                next: "A043, A044".into(),
            },
            visitor_lang: String::new(),
            qr_url: "https://www.slovensko.sk/".into(),
            media_folder: "assets/media".into(),
            notice: String::new(),
            languages: languages.join(","),
            test_calls: 0,
            last_screenshot: None,
        }
    }
}

/// The staff panel beside the screen image.
pub(super) fn panel(
    mut contexts: EguiContexts,
    mut state: ResMut<PanelState>,
    mut actions: ResMut<PreviewActions>,
    room: Res<WaitingRoom>,
    layout: Res<ActiveLayout>,
    theme: Res<ActiveTheme>,
    settings: Res<ScreenSettings>,
    designs: Res<DesignStatus>,
    target: Option<Res<PreviewTarget>>,
    speaker: Option<Res<Loudspeaker>>,
    pictures: Res<MediaShow>,
    mut studio: ResMut<super::studio::VoiceStudio>,
    words: Res<crate::screen::Words>,
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
                queue_section(ui, &mut state, &mut push);
                qr_section(ui, &mut state, &mut push);
                media_section(ui, &mut state, &pictures, &mut push);
                clock_section(ui, &settings, &mut push);
                connection_section(ui, &state, &room);
                sound_section(ui, speaker.as_deref(), &state, &mut push);
                super::studio::studio_section(ui, &mut studio, &words);
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
            let mut reduced = settings.design.reduced_motion;
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
            ui.horizontal(|ui| {
                ui.checkbox(&mut state.call.recall, "recall");
                ui.checkbox(&mut state.call.priority, "priority");
                let mut floor = state.call.floor.unwrap_or(0);
                ui.label("floor");
                if ui
                    .add(egui::DragValue::new(&mut floor).range(-3..=30))
                    .changed()
                {
                    state.call.floor = Some(floor);
                }
            });
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

fn queue_section(ui: &mut egui::Ui, state: &mut PanelState, push: &mut impl FnMut(PreviewAction)) {
    egui::CollapsingHeader::new("Waiting figures (this display only)").show(ui, |ui| {
        egui::Grid::new("queue").num_columns(2).show(ui, |ui| {
            ui.label("service");
            ui.text_edit_singleline(&mut state.queue.service);
            ui.end_row();
            ui.label("waiting");
            ui.add(egui::DragValue::new(&mut state.queue.waiting).range(0..=999));
            ui.end_row();
            ui.label("minutes (0: none)");
            ui.add(egui::DragValue::new(&mut state.queue.wait_minutes).range(0..=600));
            ui.end_row();
            ui.label("next tickets");
            ui.text_edit_singleline(&mut state.queue.next);
            ui.end_row();
        });
        if ui.button("Send figures").clicked() && !state.queue.service.trim().is_empty() {
            push(PreviewAction::Queue(state.queue.clone()));
        }
    });
}

fn qr_section(ui: &mut egui::Ui, state: &mut PanelState, push: &mut impl FnMut(PreviewAction)) {
    egui::CollapsingHeader::new("QR code (layout waiting-room-info)").show(ui, |ui| {
        ui.text_edit_singleline(&mut state.qr_url);
        if ui.button("Show this URL").clicked() {
            push(PreviewAction::QrUrl(state.qr_url.trim().to_owned()));
        }
    });
}

fn media_section(
    ui: &mut egui::Ui,
    state: &mut PanelState,
    pictures: &MediaShow,
    push: &mut impl FnMut(PreviewAction),
) {
    egui::CollapsingHeader::new("Pictures (layout waiting-room-media)").show(ui, |ui| {
        ui.label("Folder of PNG and JPEG pictures:");
        ui.text_edit_singleline(&mut state.media_folder);
        ui.horizontal(|ui| {
            if ui.button("Show these pictures").clicked() {
                push(PreviewAction::MediaFolder(PathBuf::from(
                    state.media_folder.trim(),
                )));
            }
            if ui.button("Next picture").clicked() {
                push(PreviewAction::NextPicture);
            }
            if ui.button("Pause / resume").clicked() {
                push(PreviewAction::TogglePause);
            }
        });
        let on_show = pictures.current.as_ref().map(|p| p.file.as_path());
        for file in &pictures.files {
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let refused = pictures.refused().find(|(p, _)| *p == file.as_path());
            match (on_show == Some(file.as_path()), refused) {
                (true, _) => ui.label(format!("▶ {name}")),
                (false, Some((_, why))) => {
                    ui.colored_label(egui::Color32::LIGHT_RED, format!("✗ {name} {why}"))
                }
                (false, None) => ui.label(format!("  {name}")),
            };
        }
    });
}

fn clock_section(
    ui: &mut egui::Ui,
    settings: &ScreenSettings,
    push: &mut impl FnMut(PreviewAction),
) {
    egui::CollapsingHeader::new("Opening hours").show(ui, |ui| {
        if !settings.clock_ahead.is_zero() {
            ui.label(format!(
                "screen clock: {}",
                settings.now().format("%a %d.%m. %H:%M")
            ));
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    settings.design.opening.is_set(),
                    egui::Button::new("Jump to the next closing or opening"),
                )
                .clicked()
            {
                push(PreviewAction::JumpClock(true));
            }
            if ui.button("Back to now").clicked() {
                push(PreviewAction::JumpClock(false));
            }
        });
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
        for line in herald_core::log_event::recent().iter().rev() {
            ui.label(egui::RichText::new(line).monospace().size(11.0));
        }
    });
}
