//! In preview the screen is drawn into an image of the chosen target resolution (1920×1080,
//! 1280×720, 1080×1920, 3840×2160) instead of the window, and the staff panel shows that image
//! scaled to fit beside it: the same renderer and layout code as on the wall, at the wall's size.

use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::render_resource::{
    Extent3d, TextureDescriptor, TextureDimension, TextureFormat, TextureUsages,
};

/// The image the screen is drawn into, and its size.
#[derive(Resource, Clone, Debug)]
pub struct PreviewTarget {
    pub image: Handle<Image>,
    pub size: UVec2,
}

/// The target resolutions a preview offers.
pub const TARGET_SIZES: [(&str, u32, u32); 4] = [
    ("1920×1080 (Full HD)", 1920, 1080),
    ("1280×720 (HD)", 1280, 720),
    ("1080×1920 (portrait)", 1080, 1920),
    ("3840×2160 (4K)", 3840, 2160),
];

/// An image a camera can draw into and egui can show.
pub fn target_image(size: UVec2) -> Image {
    let extent = Extent3d {
        width: size.x.max(1),
        height: size.y.max(1),
        ..default()
    };
    let mut image = Image {
        texture_descriptor: TextureDescriptor {
            label: Some("herald screen"),
            size: extent,
            dimension: TextureDimension::D2,
            format: TextureFormat::Bgra8UnormSrgb,
            mip_level_count: 1,
            sample_count: 1,
            usage: TextureUsages::TEXTURE_BINDING
                | TextureUsages::COPY_DST
                | TextureUsages::COPY_SRC
                | TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        },
        ..default()
    };
    image.resize(extent);
    image
}

/// Where the screen camera draws: the preview image, or the window.
pub fn screen_camera_target(target: Option<&PreviewTarget>) -> RenderTarget {
    match target {
        Some(t) => RenderTarget::Image(t.image.clone().into()),
        None => RenderTarget::default(),
    }
}
