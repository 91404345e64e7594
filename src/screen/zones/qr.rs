//! The QR code zone: a code for a URL of the office's (its e-services portal, a feedback
//! survey) with a caption in the office's languages. The code is dark on light whatever the
//! theme, keeps its quiet zone of four modules, and is drawn with whole screen pixels per module
//! (a texture of one texel per module, sampled nearest, shown at an exact multiple) so a phone
//! reads it crisp at any screen size.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use herald_core::design::Rect4;

use super::{Pen, Slot, text, zone_node};
use crate::screen::ScreenSystems;

/// Modules of light margin on each side, as the QR standard asks.
pub const QUIET_MODULES: usize = 4;
/// Below this many screen pixels per module a phone across the room will not read it.
const MIN_PIXELS_PER_MODULE: f32 = 3.0;

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        size_code
            .in_set(ScreenSystems::Draw)
            .after(super::refresh_texts),
    );
}

/// The code's texture and how many modules wide it is (quiet zone included).
#[derive(Component, Clone, Debug)]
pub struct QrCode {
    pub modules: usize,
}

/// The box the code is fitted into (what is left of the zone under the caption).
#[derive(Component)]
pub struct QrBox;

/// The light and dark modules of `url`, quiet zone included, row by row; `None` when the URL
/// cannot be encoded (too long for a QR code).
pub fn modules(url: &str) -> Option<(usize, Vec<bool>)> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let dark = code.to_colors();
    let size = width + 2 * QUIET_MODULES;
    let mut out = vec![false; size * size];
    for y in 0..width {
        for x in 0..width {
            out[(y + QUIET_MODULES) * size + x + QUIET_MODULES] =
                dark[y * width + x] == qrcode::Color::Dark;
        }
    }
    Some((size, out))
}

/// The code as a texture of one texel per module, black on white, sampled nearest.
pub fn image(url: &str) -> Option<(Image, usize)> {
    let (size, dark) = modules(url)?;
    let side = u32::try_from(size).ok()?;
    let data: Vec<u8> = dark
        .iter()
        .flat_map(|d| {
            if *d {
                [0, 0, 0, 255]
            } else {
                [255, 255, 255, 255]
            }
        })
        .collect();
    let mut image = Image::new(
        Extent3d {
            width: side,
            height: side,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        data,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    );
    image.sampler = ImageSampler::nearest();
    Some((image, size))
}

/// The zone: the code, as large as fits in whole pixels per module, and the caption under it.
pub fn zone(rect: &Rect4, pen: &Pen, code: Option<(Handle<Image>, usize)>) -> impl Bundle {
    let c = pen.colours;
    let code_node = code.map(|(handle, modules)| {
        (
            ImageNode::new(handle),
            Node {
                width: px(0),
                height: px(0),
                ..default()
            },
            QrCode { modules },
        )
    });
    (
        // The code takes the zone's full height (a square) and the caption the width beside it:
        // the code is what must be large.
        Node {
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            padding: UiRect::all(vmin(1.5)),
            column_gap: vmin(2.0),
            border_radius: BorderRadius::all(vmin(2)),
            ..zone_node(rect)
        },
        BackgroundColor(c.panel),
        Children::spawn((
            Spawn((
                Node {
                    height: percent(100),
                    aspect_ratio: Some(1.0),
                    flex_shrink: 0.0,
                    justify_content: JustifyContent::Center,
                    align_items: AlignItems::Center,
                    ..default()
                },
                QrBox,
                Children::spawn(SpawnIter(code_node.into_iter())),
            )),
            Spawn((
                Node {
                    flex_grow: 1.0,
                    flex_shrink: 1.0,
                    min_width: px(0),
                    ..default()
                },
                children![(
                    text(Slot::QrCaption, &pen.fonts.regular, pen.z.size(2.6), c.text),
                    TextLayout::linebreak(bevy::text::LineBreak::WordBoundary),
                )],
            )),
        )),
    )
}

/// Sizes the code to the largest whole number of screen pixels per module that fits its box.
fn size_code(
    boxes: Query<(&ComputedNode, &Children), With<QrBox>>,
    mut codes: Query<(&QrCode, &mut Node)>,
    mut warned: Local<bool>,
) {
    for (area, children) in &boxes {
        let side_px = area.size().x.min(area.size().y);
        for child in children.iter() {
            let Ok((code, mut node)) = codes.get_mut(child) else {
                continue;
            };
            let per_module = (side_px / code.modules as f32).floor();
            if per_module < MIN_PIXELS_PER_MODULE && side_px > 0.0 && !*warned {
                *warned = true;
                warn!(
                    "the QR code zone is {side_px:.0} px: {per_module} px per module is too small \
                     for a phone to read; give the zone more room in the layout or shorten the URL"
                );
            }
            // Logical pixels, so the physical size is the exact multiple.
            let side = per_module.max(1.0) * code.modules as f32 * area.inverse_scale_factor();
            if node.width != px(side) {
                node.width = px(side);
                node.height = px(side);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_keeps_its_quiet_zone_and_its_finder_patterns() {
        let (size, dark) = modules("https://www.slovensko.sk/").expect("encodable");
        assert_eq!(size, 25 + 2 * QUIET_MODULES, "version 2 for a short URL");
        // The quiet zone is light all round.
        for i in 0..size {
            for edge in [0, QUIET_MODULES - 1, size - 1] {
                assert!(!dark[edge * size + i] && !dark[i * size + edge]);
            }
        }
        // The top-left finder pattern starts with a dark corner right after the quiet zone.
        assert!(dark[QUIET_MODULES * size + QUIET_MODULES]);
        assert!(
            modules(&"x".repeat(5000)).is_none(),
            "too long for a QR code"
        );
    }
}
