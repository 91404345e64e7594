//! `--screenshot FILE --after SECONDS`: render for a while, write the window as PNG, exit 0.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

#[derive(Resource, Clone, Debug)]
pub struct ScreenshotPlan {
    pub path: PathBuf,
    pub after_secs: f64,
    pub requested: bool,
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, take_screenshot);
}

fn take_screenshot(
    mut commands: Commands,
    time: Res<Time<Real>>,
    plan: Option<ResMut<ScreenshotPlan>>,
) {
    let Some(mut plan) = plan else {
        return;
    };
    if plan.requested || time.elapsed_secs_f64() < plan.after_secs {
        return;
    }
    plan.requested = true;
    let path = plan.path.clone();
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| match write_png(
            &captured.image,
            &path,
        ) {
            Ok((w, h)) => {
                info!("screenshot {w}×{h} written to {}", path.display());
                exit.write(AppExit::Success);
            }
            Err(e) => {
                error!("cannot write the screenshot to {}: {e}", path.display());
                exit.write(AppExit::error());
            }
        },
    );
}

pub fn write_png(image: &Image, path: &std::path::Path) -> Result<(u32, u32), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    encode_png(image, std::io::BufWriter::new(file))
}

/// Encodes the screen image as an RGB PNG into `out`; returns its size.
pub fn encode_png(image: &Image, out: impl std::io::Write) -> Result<(u32, u32), String> {
    let rgb = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("unexpected screenshot format: {e}"))?
        .to_rgb8();
    let (width, height) = (rgb.width(), rgb.height());
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(rgb.as_raw())
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok((width, height))
}
