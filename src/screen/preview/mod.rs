//! `herald --preview`: the staff window. The real screen (same renderer, same layout code) is
//! drawn into an image at the wall's resolution and shown scaled to fit, beside a bevy_egui
//! panel for trying layouts, themes, languages and calls.
//!
//! The panel only records what staff asked for (`PreviewAction`); `apply_preview_actions`
//! carries it out through the same paths a feed event takes, so a test can drive the preview
//! without a window. Everything made here is local: test calls, notices and counter changes
//! never reach the queue system or other displays, and the feed's next snapshot replaces them.

pub mod actions;
pub mod panel;
pub mod studio;
pub mod target;

use bevy::prelude::*;
use bevy_egui::{
    EguiGlobalSettings, EguiPlugin, EguiPrimaryContextPass, EguiTextureHandle, EguiUserTextures,
    PrimaryEguiContext, input::EguiWantsInput,
};

pub use actions::{PreviewAction, PreviewActions, TestCall, actions_plugin, test_call_event};
pub use panel::PanelState;
use target::PreviewTarget;

use super::zones::notices::KeyboardTaken;

/// Adds the preview's window camera, egui panel and actions. The screen itself is the usual
/// `screen::plugin`, drawn into `PreviewTarget`.
pub fn plugin(app: &mut App) {
    app.add_plugins(EguiPlugin::default())
        .init_resource::<PreviewActions>()
        .init_resource::<studio::VoiceStudio>()
        .add_systems(Startup, setup_window)
        .init_resource::<KeyboardTaken>()
        .add_systems(PreUpdate, note_typing)
        .add_systems(EguiPrimaryContextPass, panel::panel)
        .add_systems(
            Update,
            actions::apply_preview_actions.before(super::ScreenSystems::Decide),
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
