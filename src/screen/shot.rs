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
    room: Option<ResMut<super::layers::RoomRedraw>>,
) {
    let Some(mut plan) = plan else {
        return;
    };
    if plan.requested || time.elapsed_secs_f64() < plan.after_secs {
        return;
    }
    plan.requested = true;
    // The picture is drawn whole, not from the room's layer (`layers`).
    if let Some(mut room) = room {
        room.force = true;
    }
    let path = plan.path.clone();
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>,
              texts: Query<(
            &Text,
            &ComputedNode,
            &UiGlobalTransform,
            &InheritedVisibility,
        )>,
              mut exit: MessageWriter<AppExit>| match write_png(&captured.image, &path) {
            Ok((w, h)) => {
                info!("screenshot {w}×{h} written to {}", path.display());
                // Beside the picture, what it says: each drawn text on a line, top to bottom,
                // so a test (or a person with a screen reader) can read the screen too.
                let words = path.with_extension("txt");
                if let Err(e) = std::fs::write(&words, drawn_texts(&texts)) {
                    warn!(
                        "cannot write the screen's texts to {}: {e}",
                        words.display()
                    );
                }
                exit.write(AppExit::Success);
            }
            Err(e) => {
                error!("cannot write the screenshot to {}: {e}", path.display());
                exit.write(AppExit::error());
            }
        },
    );
}

/// The texts on screen, top to bottom and left to right; hidden ones (a part switched off, so
/// laid out with no size, or a layer's copy that the other layer draws: `screen::layers`) and
/// empty ones are left out.
fn drawn_texts(
    texts: &Query<(
        &Text,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
    )>,
) -> String {
    let mut shown: Vec<(i32, i32, &str)> = texts
        .iter()
        .filter(|(text, node, _, visible)| {
            visible.get() && !text.0.trim().is_empty() && node.size().x > 0.0 && node.size().y > 0.0
        })
        .map(|(text, node, at, _)| {
            let centre = at.translation;
            let top = centre.y - node.size().y / 2.0;
            (top.round() as i32, centre.x.round() as i32, text.0.as_str())
        })
        .collect();
    shown.sort();
    let mut out = String::new();
    for (_, _, text) in shown {
        out.push_str(text);
        out.push('\n');
    }
    out
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
    write_rgb_png(&rgb, out)
}

/// The screen at most `max_width` pixels wide (its proportions kept) as a PNG of at most
/// `max_bytes`: narrower until it fits. Returns the PNG and its size.
pub fn encode_thumbnail(
    image: &Image,
    max_width: u32,
    max_bytes: usize,
) -> Result<(Vec<u8>, u32, u32), String> {
    let screen = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("unexpected screenshot format: {e}"))?;
    let mut width = max_width.clamp(16, screen.width().max(16));
    loop {
        let height = (u64::from(screen.height()) * u64::from(width)
            / u64::from(screen.width().max(1)))
        .max(1) as u32;
        let small = screen.thumbnail_exact(width, height).to_rgb8();
        let mut png = Vec::new();
        write_rgb_png(&small, &mut png)?;
        if png.len() <= max_bytes {
            return Ok((png, width, height));
        }
        if width <= 64 {
            return Err(format!(
                "the screen does not fit in {max_bytes} bytes even {width} pixels wide"
            ));
        }
        width = width * 3 / 4;
    }
}

fn write_rgb_png(rgb: &image::RgbImage, out: impl std::io::Write) -> Result<(u32, u32), String> {
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
