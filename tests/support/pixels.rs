//! Watching what the screen really shows: a few pixels of the X display herald draws on, read
//! over X (GetImage on the root window, as a camera pointed at the wall would see it), every
//! few milliseconds, keeping each change with its time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};

/// The colours of the watched points at one moment.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: Instant,
    pub colours: Vec<[u8; 3]>,
}

/// Whether `a` and `b` differ by at most `tolerance` in every channel.
pub fn near(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

/// A thread reading `points` of `display` until stopped.
pub struct PixelWatch {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl PixelWatch {
    pub fn start(display: &str, points: Vec<(i16, i16)>) -> Self {
        let (conn, screen) = x11rb::connect(Some(display))
            .unwrap_or_else(|e| panic!("cannot open the X display {display}: {e}"));
        let root = conn.setup().roots[screen].root;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let record = seen.clone();
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let at = Instant::now();
                let mut colours = Vec::with_capacity(points.len());
                for &(x, y) in &points {
                    let Ok(reply) = conn
                        .get_image(ImageFormat::Z_PIXMAP, root, x, y, 1, 1, !0)
                        .map_err(|e| e.to_string())
                        .and_then(|c| c.reply().map_err(|e| e.to_string()))
                    else {
                        // The display went away: herald stopped.
                        return;
                    };
                    // 24-bit depth in 32-bit pixels: B, G, R, unused.
                    let d = &reply.data;
                    colours.push([d[2], d[1], d[0]]);
                }
                if let Ok(mut seen) = record.lock()
                    && seen.last().is_none_or(|l| l.colours != colours)
                {
                    seen.push(Seen { at, colours });
                }
                std::thread::sleep(Duration::from_millis(4));
            }
        });
        Self {
            stop,
            seen,
            thread: Some(thread),
        }
    }

    /// Every change seen so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until `done` holds for what was seen; false after `limit`.
    pub fn wait_until(&self, limit: Duration, done: impl Fn(&[Seen]) -> bool) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if done(&self.seen()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Stops watching; every change seen, in order.
    pub fn stop(mut self) -> Vec<Seen> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.seen()
    }
}

impl Drop for PixelWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The whole screen of `display` (its root window) as a picture, as a camera would see it.
pub fn grab(display: &str) -> image::RgbImage {
    let (conn, screen) = x11rb::connect(Some(display))
        .unwrap_or_else(|e| panic!("cannot open the X display {display}: {e}"));
    let root = &conn.setup().roots[screen];
    let (width, height) = (root.width_in_pixels, root.height_in_pixels);
    let reply = conn
        .get_image(ImageFormat::Z_PIXMAP, root.root, 0, 0, width, height, !0)
        .ok()
        .and_then(|c| c.reply().ok())
        .unwrap_or_else(|| panic!("cannot read the screen of {display}"));
    let mut picture = image::RgbImage::new(u32::from(width), u32::from(height));
    // 24-bit depth in 32-bit pixels: B, G, R, unused.
    for (pixel, bgrx) in picture.pixels_mut().zip(reply.data.chunks_exact(4)) {
        *pixel = image::Rgb([bgrx[2], bgrx[1], bgrx[0]]);
    }
    picture
}

/// How many pixels of the band between rows `from` and `to` are near `colour`.
pub fn count_near(
    picture: &image::RgbImage,
    from: u32,
    to: u32,
    colour: [u8; 3],
    tolerance: u8,
) -> usize {
    (from..to.min(picture.height()))
        .flat_map(|y| (0..picture.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| near(picture.get_pixel(x, y).0, colour, tolerance))
        .count()
}
