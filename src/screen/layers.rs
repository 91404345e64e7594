//! The screen in two layers, so that a frame draws only what changed.
//!
//! Two cameras draw into the same picture (the window, or the preview's image), which Bevy
//! keeps from one frame to the next:
//! - the **room** camera draws everything but the call's line: the header, the hero's panel,
//!   title and where to go, the recent calls, counters, notices, pictures, the closed office and
//!   the emergency. It clears the picture first, and it draws only on a frame where something it
//!   shows changed (a text, a colour, a node, a picture, the layout); on the other frames it
//!   sleeps and its pixels stay as they were.
//! - the **call** camera draws, on every frame, only the call's line (ticket → counter) on its
//!   own piece of the panel's colour, over what the room left. The pop-in scales this line alone,
//!   so its frames shade about a tenth of the screen instead of all of it.
//!
//! Both trees are laid out the same way (the call's tree repeats the hero's lines with all but
//! the call hidden, and the room's hides the call), so the line lands exactly in its place. When
//! the closed office, an emergency or the pictures cover the hero, the call's tree is hidden.
//!
//! A picture asked for by the IT office (`/screenshot.png`, the console) is drawn whole from the
//! state: that frame the room camera draws too, whatever changed, so a screenshot never shows an
//! old layer. `tests/layers.rs` compares that picture with what the monitor shows after every
//! kind of change: a room layer left stale shows as a difference.

mod copy;

use bevy::camera::{CameraOutputMode, RenderTarget};
use bevy::core_pipeline::{Core2d, Core2dSystems};
use bevy::prelude::*;
use bevy::text::TextLayoutInfo;
use bevy::ui::ComputedUiTargetCamera;

use super::slots::Part;

/// The camera that draws the call's line, over the room's picture.
#[derive(Component)]
pub struct CallCamera;

/// The root of the call's tree (drawn by the [`CallCamera`]).
#[derive(Component)]
pub struct CallLayerRoot;

/// The two cameras, for the trees that name theirs.
#[derive(Resource, Clone, Copy, Debug)]
pub struct LayerCameras {
    pub room: Entity,
    pub call: Entity,
}

/// Frames since the last report that drew the room, and those that drew only the call's line;
/// and whether the next frame must draw the room whatever changed (a screenshot).
#[derive(Resource, Default, Debug)]
pub struct RoomRedraw {
    pub force: bool,
    pub drawn: u32,
    pub kept: u32,
}

/// Where the room and call cameras draw, and in which order; both share one picture.
pub fn spawn_cameras(
    mut commands: Commands,
    target: Option<Res<super::preview::target::PreviewTarget>>,
) {
    let target = super::preview::target::screen_camera_target(target.as_deref());
    // In preview the egui panel's camera (order 0) draws last, into the window.
    let first = if matches!(target, RenderTarget::Window(_)) {
        0
    } else {
        -2
    };
    let room = commands
        .spawn((
            Camera2d,
            Camera {
                order: first,
                // The call camera, drawing after it into the same picture, has that picture
                // copied to the target once for both.
                output_mode: CameraOutputMode::Skip,
                ..default()
            },
            target.clone(),
            IsDefaultUiCamera,
            super::zones::ScreenCamera,
            // Bevy multisamples every camera 4× by default: on a software renderer that is four
            // times the fragment work and a resolve pass each frame, for a UI whose edges are
            // already anti-aliased (text) or axis-aligned (panels).
            Msaa::Off,
        ))
        .id();
    let call = commands
        .spawn((
            Camera2d,
            Camera {
                order: first + 1,
                // Over the room's picture: never cleared.
                clear_color: ClearColorConfig::None,
                // Its picture holds both layers; `copy` puts it on the target for both, without
                // clearing the target first or blending over it.
                output_mode: CameraOutputMode::Write {
                    blend_state: None,
                    clear_color: ClearColorConfig::None,
                },
                ..default()
            },
            target,
            CallCamera,
            copy::CopyToTarget,
            Msaa::Off,
        ))
        .id();
    commands.insert_resource(LayerCameras { room, call });
}

/// The room and call layers' systems (with a renderer: they read image and font events).
pub fn plugin(app: &mut App) {
    app.add_plugins(copy::plugin);
    app.init_resource::<RoomRedraw>()
        .add_systems(
            Update,
            // After the texts and parts are drawn (`ScreenSystems::Draw`).
            hide_call_under_covers.in_set(super::ScreenSystems::Animate),
        )
        .add_systems(Last, redraw_room);
    // Bevy's 2D main passes draw sprites and meshes, which herald has none of; yet the
    // transparent one runs for every camera on every frame and clears a full-screen depth
    // texture first (a fill of the whole screen on a software renderer, about a tenth of a
    // call's CPU). Without them the first UI pass clears the room's picture instead.
    if let Some(render_app) = app.get_sub_app_mut(bevy::render::RenderApp) {
        render_app.configure_sets(Core2d, Core2dSystems::MainPass.run_if(|| false));
    }
}

/// The closed office, an emergency and the pictures in the hero's space are the room's and cover
/// the hero: the call's line, drawn over the room, must not show through them.
fn hide_call_under_covers(
    covers: Query<(&Part, &Node)>,
    mut roots: Query<&mut Visibility, With<CallLayerRoot>>,
) {
    let covered = covers.iter().any(|(part, node)| {
        matches!(
            part,
            Part::ClosedOverlay | Part::EmergencyOverlay | Part::HeroMedia
        ) && node.display != Display::None
    });
    let wanted = if covered {
        Visibility::Hidden
    } else {
        Visibility::Inherited
    };
    for mut visibility in &mut roots {
        visibility.set_if_neq(wanted);
    }
}

/// What a room node can change in the picture. `Changed` includes `Added`.
type Drawn = Or<(
    Or<(
        Changed<Node>,
        Changed<ComputedNode>,
        Changed<UiGlobalTransform>,
        Changed<UiTransform>,
        Changed<Visibility>,
        Changed<InheritedVisibility>,
    )>,
    Or<(
        Changed<Text>,
        Changed<TextFont>,
        Changed<TextColor>,
        Changed<TextLayoutInfo>,
        Changed<BackgroundColor>,
        Changed<BorderColor>,
        Changed<ImageNode>,
    )>,
)>;

/// Runs last in the frame, after everything that changes the screen: the room camera draws
/// this frame only if a node it shows changed since its last look, a node went away, an image or
/// a font arrived or changed (a picture, the QR code, a glyph atlas), its camera changed (clear
/// colour, target), or a screenshot wants the whole picture.
pub fn redraw_room(
    changed: Query<&ComputedUiTargetCamera, Drawn>,
    mut removed: RemovedComponents<Node>,
    mut images: MessageReader<AssetEvent<Image>>,
    mut fonts: MessageReader<AssetEvent<Font>>,
    cameras: Option<Res<LayerCameras>>,
    mut room_camera: Query<(&mut Camera, Ref<RenderTarget>), With<super::zones::ScreenCamera>>,
    mut started: Local<bool>,
    mut redraw: ResMut<RoomRedraw>,
) {
    let Some(cameras) = cameras else {
        return;
    };
    let nodes = changed
        .iter()
        .any(|target| target.get() != Some(cameras.call));
    let gone = removed.read().count() > 0;
    let assets = images.read().count() > 0 || fonts.read().count() > 0;
    // The first frame, or a new target (the preview's size), starts from an empty picture. The
    // camera's own changes are not counted: this system sets its activity.
    let camera = !std::mem::replace(&mut *started, true)
        || room_camera.iter().any(|(_, target)| target.is_changed());
    let draw = std::mem::take(&mut redraw.force) || nodes || gone || assets || camera;
    if draw {
        redraw.drawn += 1;
    } else {
        redraw.kept += 1;
    }
    for (mut camera, _) in &mut room_camera {
        if camera.is_active != draw {
            camera.is_active = draw;
        }
    }
}
