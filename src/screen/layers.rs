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
pub mod kept;
pub mod unready;

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

/// The hero's part of the call's tree (the call's line); the clock's time is the other part.
#[derive(Component)]
pub struct CallLine;

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
    /// Frames whose room was copied back from a kept picture instead of drawn (`kept.rs`).
    pub restored: u32,
    /// Something the room's picture shows changed this frame, as this module sees it (a node's
    /// laid-out size or text as well as its style; or the last frame went out while the
    /// renderer was still compiling, `unready.rs`, and this one completes it).
    pub changed: bool,
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
            // The two cameras share one picture only when they ask for the same kind of it.
            kept::main_texture_usages(),
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
            kept::main_texture_usages(),
        ))
        .id();
    commands.insert_resource(LayerCameras { room, call });
}

/// The room and call layers' systems (with a renderer: they read image and font events).
pub fn plugin(app: &mut App) {
    app.add_plugins((copy::plugin, kept::plugin, unready::plugin));
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

/// The closed office and an emergency cover the whole screen, the pictures in the hero's space
/// cover the hero; all are the room's. What the call's camera draws over the room (the call's
/// line, the clock's time) must not show through what covers it.
fn hide_call_under_covers(
    covers: Query<(&Part, &Node)>,
    mut roots: Query<&mut Visibility, (With<CallLayerRoot>, Without<CallLine>)>,
    mut lines: Query<&mut Visibility, (With<CallLine>, Without<CallLayerRoot>)>,
) {
    let shown = |part: Part| {
        covers
            .iter()
            .any(|(p, node)| *p == part && node.display != Display::None)
    };
    let everything = shown(Part::ClosedOverlay) || shown(Part::EmergencyOverlay);
    let hero = shown(Part::HeroMedia);
    let wanted = |hidden: bool| {
        if hidden {
            Visibility::Hidden
        } else {
            Visibility::Inherited
        }
    };
    for mut visibility in &mut roots {
        visibility.set_if_neq(wanted(everything));
    }
    for mut visibility in &mut lines {
        visibility.set_if_neq(wanted(hero));
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

/// Whether a node is drawn: visible, and not of zero size (under a `Display::None` node, which
/// keeps its children's visibility as it was).
#[derive(bevy::ecs::query::QueryData)]
pub struct Shown {
    visible: Ref<'static, InheritedVisibility>,
    size: Ref<'static, ComputedNode>,
}

impl ShownItem<'_, '_> {
    /// Drawn now, or drawn before this change: a node hidden before and after draws nothing,
    /// whatever changed in it.
    fn may_show(&self) -> bool {
        (self.visible.get() && !self.size.is_empty())
            || self.visible.is_changed()
            || self.size.is_changed()
    }
}

/// What in a node of the call's layer can leave pixels of its old look outside its new one.
type Reshaped = Or<(
    Changed<ComputedNode>,
    Changed<Text>,
    Changed<InheritedVisibility>,
)>;

/// Runs last in the frame, after everything that changes the screen: the room camera draws
/// this frame only if a node it shows changed since its last look, a node went away, an image or
/// a font arrived or changed (a picture, the QR code, a glyph atlas), its camera changed (clear
/// colour, target), or a screenshot wants the whole picture; and not even then when a kept
/// picture of the same room can be copied back (`kept.rs`).
#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system reading what the room's picture depends on"
)]
pub fn redraw_room(
    changed: Query<(&ComputedUiTargetCamera, Shown), Drawn>,
    mut removed: RemovedComponents<Node>,
    mut images: MessageReader<AssetEvent<Image>>,
    mut fonts: MessageReader<AssetEvent<Font>>,
    cameras: Option<Res<LayerCameras>>,
    mut room_camera: Query<(&mut Camera, Ref<RenderTarget>), With<super::zones::ScreenCamera>>,
    mut started: Local<bool>,
    mut redraw: ResMut<RoomRedraw>,
    (room_nodes, reshaped, image_nodes): (
        Query<kept::RoomLook>,
        Query<(&ComputedUiTargetCamera, Shown), Reshaped>,
        Query<&ImageNode>,
    ),
    (mut kept, mut picture, unready): (
        ResMut<kept::KeptRooms>,
        ResMut<kept::RoomPicture>,
        Res<unready::UnreadyFrames>,
    ),
    (langs, clear): (Option<Res<super::DisplayLangs>>, Res<ClearColor>),
) {
    *picture = kept::RoomPicture::Nothing;
    let Some(cameras) = cameras else {
        return;
    };
    let nodes = changed
        .iter()
        .any(|(target, look)| target.get() != Some(cameras.call) && look.may_show());
    let gone = removed.read().count() > 0;
    // A picture (or a font) that arrived or changed makes every kept room suspect; a glyph atlas
    // that grew does not: glyphs already drawn stay where they were.
    let mut assets = false;
    let mut pictures = false;
    for event in images.read() {
        assets = true;
        let id = match *event {
            AssetEvent::Added { id }
            | AssetEvent::Modified { id }
            | AssetEvent::Removed { id }
            | AssetEvent::Unused { id }
            | AssetEvent::LoadedWithDependencies { id } => id,
        };
        pictures |= image_nodes.iter().any(|node| node.image.id() == id);
    }
    if fonts.read().count() > 0 {
        assets = true;
        pictures = true;
    }
    // The first frame, or a new target (the preview's size), starts from an empty picture. The
    // camera's own changes are not counted: this system sets its activity.
    let camera = !std::mem::replace(&mut *started, true)
        || room_camera.iter().any(|(_, target)| target.is_changed());
    let force = std::mem::take(&mut redraw.force);
    let missed = kept.missed();
    // A frame went out while the renderer was still compiling what it needed (`unready.rs`).
    let unready = unready.take();
    let capacity = kept::capacity(langs.as_deref());
    if pictures || camera || missed {
        kept.forget();
    }
    // The call's layer draws over what the last frame left; when one of its shown nodes changed
    // its text or size (the clock's minute), a narrower one would leave the old one's edge.
    // The room's picture under it is put back first: copied from a kept one, or drawn.
    let call_reshaped = reshaped
        .iter()
        .any(|(target, look)| target.get() == Some(cameras.call) && look.may_show());
    redraw.changed = nodes || gone || assets || camera || missed || call_reshaped || unready;
    let mut draw = force || redraw.changed;
    if draw && !(pictures || camera || missed || unready) {
        let clear_config = room_camera.iter().next().map(|(c, _)| c.clear_color);
        let fingerprint = kept::fingerprint(&room_nodes, cameras.call, &(clear_config, &*clear));
        match kept.find(fingerprint) {
            Some(slot) if !force => {
                *picture = kept::RoomPicture::Restore { slot, fingerprint };
                draw = false;
                redraw.restored += 1;
            }
            // A screenshot draws the room whole: it refreshes the slot that holds this room.
            Some(slot) => *picture = kept::RoomPicture::Keep { slot, fingerprint },
            // Kept whatever moves: the flashes' second highlight and plain look are the first's.
            None => {
                let slot = kept.keep(fingerprint, capacity);
                *picture = kept::RoomPicture::Keep { slot, fingerprint };
            }
        }
    }
    if draw || *picture != kept::RoomPicture::Nothing {
        debug!(
            "room: drawn {draw}, kept picture {:?} (room nodes {nodes}, gone {gone}, assets \
             {assets}, target {camera}, call's layer reshaped {call_reshaped}, last frame unready \
             {unready})",
            *picture
        );
    }
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
