//! The office's picture files: which files of the folder are pictures, and reading one, checked
//! and scaled down, on the loader thread. Nothing here touches the screen; `super` uploads what
//! this decodes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bevy::math::UVec2;

/// Files larger than this on disk are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 40 * 1024 * 1024;
/// Pictures with more pixels than this are refused before they are decoded (a 64-megapixel
/// picture alone would take 256 MB while being scaled down).
pub const MAX_PIXELS: u64 = 64_000_000;
/// Neither side may be longer than this.
pub const MAX_SIDE: u32 = 16_384;

/// A file's size and time of change: a new version of a refused file is tried again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    pub(super) modified: Option<SystemTime>,
}

pub(super) fn stamp_of(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// A picture decoded on the loader thread: RGBA8 pixels.
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    /// Its size in the file, before scaling down.
    pub original: (u32, u32),
}

/// The folder's pictures by name: PNG and JPEG by extension, hidden and partial files left out.
pub fn list_pictures(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            // Hidden files are editors' and copy tools' half-written ones.
            !name.starts_with('.')
                && matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg"))
                && path.is_file()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads, checks, decodes and scales down one picture to fit inside `fit` (keeping its shape).
pub fn load_picture(path: &Path, fit: UVec2) -> Result<Decoded, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read ({e})"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "is {} MB; pictures over {} MB are refused (save it smaller, at the screen's size)",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read ({e})"))?;
    let (width, height, rgba) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(&bytes)?
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        decode_jpeg(&bytes)?
    } else {
        return Err("is not a PNG or JPEG picture (whatever its name says)".into());
    };
    let image = image::RgbaImage::from_raw(width, height, rgba)
        .ok_or("was decoded to fewer pixels than its size says")?;
    let (w, h) = fit_inside(width, height, fit);
    let image = if (w, h) == (width, height) {
        image
    } else {
        // Area averaging: a large photo scaled down without shimmering edges.
        image::imageops::thumbnail(&image, w, h)
    };
    Ok(Decoded {
        width: w,
        height: h,
        rgba: image.into_raw(),
        original: (width, height),
    })
}

/// The size of a `width`×`height` picture scaled down (never up) to fit inside `fit`.
pub fn fit_inside(width: u32, height: u32, fit: UVec2) -> (u32, u32) {
    if fit.x == 0 || fit.y == 0 || (width <= fit.x && height <= fit.y) {
        return (width, height);
    }
    let scale = (fit.x as f64 / width as f64).min(fit.y as f64 / height as f64);
    (
        ((width as f64 * scale).round() as u32).max(1),
        ((height as f64 * scale).round() as u32).max(1),
    )
}

fn check_size(width: u32, height: u32) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err("has no pixels".into());
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "is {width}×{height} pixels; pictures over {} megapixels or {MAX_SIDE} pixels a side \
             are refused (save it at the screen's size)",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>), String> {
    // The size is the first thing in a PNG (its IHDR chunk, right after the signature): a
    // picture too large is refused before any decoding.
    let field = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    let (Some(width), Some(height), Some(b"IHDR")) = (field(16), field(20), bytes.get(12..16))
    else {
        return Err("is a broken PNG (no header)".into());
    };
    check_size(width, height)?;
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| format!("is a broken PNG ({e})"))?;
    Ok((width, height, image.into_rgba8().into_raw()))
}

fn decode_jpeg(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>), String> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGBA)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize);
    let mut decoder =
        zune_jpeg::JpegDecoder::new_with_options(std::io::Cursor::new(bytes), options);
    decoder
        .decode_headers()
        .map_err(|e| format!("is a broken JPEG ({e:?})"))?;
    let info = decoder
        .info()
        .ok_or("is a broken JPEG (no size in its header)")?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(width, height)?;
    let rgba = decoder
        .decode()
        .map_err(|e| format!("is a broken JPEG ({e:?})"))?;
    if rgba.len() != width as usize * height as usize * 4 {
        return Err("is a JPEG herald cannot turn into colour pixels (CMYK?)".into());
    }
    Ok((width, height, rgba))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_scaled_down_to_fit_never_up() {
        assert_eq!(fit_inside(4000, 3000, UVec2::new(600, 400)), (533, 400));
        assert_eq!(fit_inside(1000, 3000, UVec2::new(600, 400)), (133, 400));
        assert_eq!(fit_inside(300, 200, UVec2::new(600, 400)), (300, 200));
    }

    #[test]
    fn broken_huge_and_foreign_files_are_refused_with_a_reason() {
        let dir = std::env::temp_dir().join(format!("herald-media-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let fit = UVec2::new(640, 360);
        // Not a picture at all, whatever its name.
        let text = dir.join("notes.png");
        std::fs::write(&text, "meeting at ten").expect("write");
        let e = load_picture(&text, fit).err().unwrap_or_default();
        assert!(e.contains("not a PNG or JPEG"), "{e}");
        // A PNG cut off in the middle.
        let mut png = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut png, 64, 64);
            enc.set_color(png::ColorType::Rgb);
            let mut w = enc.write_header().expect("header");
            w.write_image_data(&[200; 64 * 64 * 3]).expect("data");
        }
        let cut = dir.join("cut.png");
        std::fs::write(&cut, &png[..png.len() / 2]).expect("write");
        let e = load_picture(&cut, fit).err().unwrap_or_default();
        assert!(e.contains("broken PNG"), "{e}");
        // The whole one loads, not scaled up.
        let whole = dir.join("whole.png");
        std::fs::write(&whole, &png).expect("write");
        let ok = load_picture(&whole, fit).expect("a good PNG loads");
        assert_eq!((ok.width, ok.height, ok.rgba.len()), (64, 64, 64 * 64 * 4));
        // A header that claims 20000×20000 pixels is refused before any decoding.
        let mut huge = Vec::new();
        {
            let enc = png::Encoder::new(&mut huge, 20_000, 20_000);
            let _ = enc.write_header().map(|mut w| w.write_image_data(&[]));
        }
        let big = dir.join("huge.png");
        std::fs::write(&big, &huge).expect("write");
        let e = load_picture(&big, fit).err().unwrap_or_default();
        assert!(e.contains("20000×20000"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
