//! The media zone: the office's pictures (see [`crate::screen::media`]) whole, centred in the
//! zone and never stretched, the next one fading in over the last. The same pictures cover the
//! hero when the layout gives them its space after a quiet while (`media_in_hero_after`); the
//! view hides that cover in the frame a call arrives.

use bevy::prelude::*;
use bevy::window::RequestRedraw;
use herald_core::design::Rect4;

use super::{Part, Pen, Slot, text, zone_node};
use crate::screen::ScreenSystems;
use crate::screen::media::MediaShow;

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        draw_pictures
            .in_set(ScreenSystems::Animate)
            .after(super::refresh_texts),
    )
    .add_systems(
        PostUpdate,
        place_in_new_box.after(bevy::ui::UiSystems::Layout),
    );
}

/// A box that just got its size (the hero's space given to the pictures shows only after the
/// layout of its frame) needs one more frame to place its picture: a screen that sleeps would
/// otherwise show the empty panel until its next wake-up.
fn place_in_new_box(
    show: Res<MediaShow>,
    boxes: Query<&ComputedNode, (With<PictureBox>, Changed<ComputedNode>)>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    if show.current.is_some() && boxes.iter().any(|b| b.size().min_element() > 0.0) {
        redraw.write(RequestRedraw);
    }
}

/// The box pictures are fitted into.
#[derive(Component)]
pub struct PictureBox;

/// The two pictures of a box: the one fading out under the one coming in.
#[derive(Component, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Previous,
    Current,
}

fn picture_box() -> impl Bundle {
    (
        Node {
            width: percent(100),
            height: percent(100),
            ..default()
        },
        PictureBox,
        children![layer(Layer::Previous), layer(Layer::Current)],
    )
}

fn layer(layer: Layer) -> impl Bundle {
    (
        ImageNode::default(),
        Node {
            position_type: PositionType::Absolute,
            display: Display::None,
            ..default()
        },
        layer,
    )
}

/// The media zone: a panel with the pictures, and "pictures paused" while they are.
pub fn zone(rect: &Rect4, pen: &Pen) -> impl Bundle {
    let c = pen.colours;
    (
        Node {
            padding: UiRect::all(vmin(1.0)),
            border_radius: BorderRadius::all(vmin(2)),
            ..zone_node(rect)
        },
        BackgroundColor(c.panel),
        children![
            picture_box(),
            (
                Node {
                    position_type: PositionType::Absolute,
                    right: vmin(1.0),
                    bottom: vmin(1.0),
                    padding: UiRect::axes(vmin(1.0), vmin(0.4)),
                    border_radius: BorderRadius::all(vmin(0.8)),
                    display: Display::None,
                    ..default()
                },
                BackgroundColor(c.header),
                Part::MediaPaused,
                children![text(
                    Slot::MediaPaused,
                    &pen.fonts.regular,
                    pen.z.size(1.8),
                    c.text
                )],
            ),
        ],
    )
}

/// The pictures over the hero's space, shown while no call came for a while.
pub fn hero_cover(rect: &Rect4, pen: &Pen) -> impl Bundle {
    (
        Node {
            padding: UiRect::all(vmin(1.0)),
            border_radius: BorderRadius::all(vmin(2)),
            display: Display::None,
            ..zone_node(rect)
        },
        BackgroundColor(pen.colours.panel),
        Part::HeroMedia,
        children![picture_box()],
    )
}

/// Puts the current picture (fading in) over the previous one in every box, each as large as
/// fits without changing its shape, and keeps frames coming while a fade runs.
fn draw_pictures(
    time: Res<Time<Real>>,
    show: Res<MediaShow>,
    boxes: Query<(&ComputedNode, &Children), With<PictureBox>>,
    mut layers: Query<(&Layer, &mut ImageNode, &mut Node)>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let now = time.elapsed_secs_f64();
    let fade = show.fade(now);
    for (area, children) in &boxes {
        let scale = area.inverse_scale_factor();
        let room = area.size() * scale;
        for child in children.iter() {
            let Ok((layer, mut image, mut node)) = layers.get_mut(child) else {
                continue;
            };
            let (picture, alpha) = match layer {
                Layer::Current => (show.current.as_ref(), fade),
                Layer::Previous => (show.previous.as_ref(), 1.0),
            };
            let Some(picture) = picture.filter(|_| room.x > 0.0 && room.y > 0.0) else {
                if node.display != Display::None {
                    node.display = Display::None;
                }
                continue;
            };
            if image.image != picture.handle {
                image.image = picture.handle.clone();
            }
            let colour = Color::WHITE.with_alpha(alpha);
            if image.color != colour {
                image.color = colour;
            }
            // Contain: the whole picture, centred, at the largest size that fits.
            let size = picture.size.as_vec2().max(Vec2::ONE);
            let k = (room.x / size.x).min(room.y / size.y);
            let (w, h) = ((size.x * k).floor(), (size.y * k).floor());
            let wanted = (
                px(w),
                px(h),
                px(((room.x - w) / 2.0).floor()),
                px(((room.y - h) / 2.0).floor()),
            );
            if (node.width, node.height, node.left, node.top) != wanted {
                (node.width, node.height, node.left, node.top) = wanted;
            }
            if node.display != Display::Flex {
                node.display = Display::Flex;
            }
        }
    }
    if show.fading(now) {
        redraw.write(RequestRedraw);
    }
}
