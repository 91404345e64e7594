//! The screen's side of the status endpoints: it reports each frame (for `/healthz` and the
//! frame-time histogram) and answers `/screenshot.png` with a PNG of what it shows now.
//!
//! A screenshot needs frames: the capture is read back from the GPU a frame or two after it is
//! asked for, and a sleeping screen draws none on its own for up to a minute. So while requests
//! wait, the screen keeps drawing; one capture answers every request waiting for it (fifty IT
//! scripts asking at once cost one readback); and the PNG is encoded on a thread of its own,
//! not in the render loop.

use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::RequestRedraw;
use bevy::winit::EventLoopProxyWrapper;

use crate::status::{Shared, ShotRequest};

/// The shared status and the screenshot requests waiting for the screen.
#[derive(Resource)]
pub struct StatusLink {
    pub shared: Arc<Shared>,
    pub requests: Mutex<mpsc::Receiver<ShotRequest>>,
}

/// When this frame's update began.
#[derive(Resource, Default)]
struct FrameStart(Option<Instant>);

/// Requests waiting for a capture, and when the capture under way was asked for.
#[derive(Resource, Default)]
struct Shots {
    waiting: Arc<Mutex<Vec<ShotRequest>>>,
    capturing: Option<Instant>,
    captured: Arc<std::sync::atomic::AtomicBool>,
}

/// A capture not back after this is asked for again (a lost readback must not hang the
/// endpoint for good).
const CAPTURE_AGAIN_AFTER: Duration = Duration::from_secs(3);

pub fn plugin(app: &mut App) {
    app.init_resource::<FrameStart>()
        .init_resource::<Shots>()
        .add_systems(Startup, hand_over_waker)
        .add_systems(First, start_frame)
        .add_systems(Update, (take_screenshots, report_hours))
        .add_systems(Last, (frame_drawn, report_glyph_atlases));
}

fn hand_over_waker(link: Res<StatusLink>, proxy: Option<Res<EventLoopProxyWrapper>>) {
    link.shared
        .set_waker(super::feed_link::event_loop_waker(proxy.as_deref()));
}

/// Closed by the opening hours (and the monitor asleep, when a command turns it off).
fn report_hours(link: Res<StatusLink>, hours: Option<Res<super::opening::OfficeHours>>) {
    let Some(hours) = hours.filter(|h| h.is_changed()) else {
        return;
    };
    let closed = hours.open == Some(false);
    link.shared
        .set_hours(closed, closed && hours.on_close.is_some());
}

fn start_frame(mut start: ResMut<FrameStart>) {
    start.0 = Some(Instant::now());
}

fn frame_drawn(link: Res<StatusLink>, start: Res<FrameStart>) {
    if let Some(started) = start.0 {
        link.shared.frame_drawn(started.elapsed());
    }
}

/// The glyph atlases, for `/metrics`: they grow with each font size the screen draws in, so
/// memory that grows shows where.
fn report_glyph_atlases(
    link: Res<StatusLink>,
    atlases: Option<Res<bevy::text::FontAtlasSet>>,
    images: Option<Res<Assets<Image>>>,
) {
    let (Some(atlases), Some(images)) = (atlases, images) else {
        return;
    };
    if atlases.is_changed() {
        link.shared
            .metrics
            .glyph_atlases(atlases.len(), atlases.total_bytes(&images));
        if tracing::enabled!(tracing::Level::DEBUG) {
            // Which font (by its data's number) and size each atlas is for.
            let mut sizes: Vec<(u32, f32)> = atlases
                .keys()
                .map(|k| (k.id, f32::from_bits(k.font_size_bits)))
                .collect();
            sizes.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            debug!("glyph atlases: {sizes:?}");
        }
    }
}

fn take_screenshots(
    mut commands: Commands,
    link: Res<StatusLink>,
    mut shots: ResMut<Shots>,
    mut redraw: MessageWriter<RequestRedraw>,
    room: Option<ResMut<super::layers::RoomRedraw>>,
) {
    let new: Vec<ShotRequest> = match link.requests.lock() {
        Ok(requests) => requests.try_iter().collect(),
        Err(_) => return,
    };
    let waiting = match shots.waiting.lock() {
        Ok(mut waiting) => {
            waiting.extend(new);
            waiting.len()
        }
        Err(_) => return,
    };
    if shots
        .captured
        .swap(false, std::sync::atomic::Ordering::AcqRel)
    {
        shots.capturing = None;
    }
    if waiting == 0 {
        return;
    }
    // Keep drawing until the capture is back.
    redraw.write(RequestRedraw);
    if shots
        .capturing
        .is_some_and(|asked| asked.elapsed() < CAPTURE_AGAIN_AFTER)
    {
        return;
    }
    shots.capturing = Some(Instant::now());
    // The IT office's picture is drawn whole from the state this frame, not from the room's
    // kept layer (`layers`): what it shows is what the screen is meant to show.
    if let Some(mut room) = room {
        room.force = true;
    }
    let waiting = shots.waiting.clone();
    let captured = shots.captured.clone();
    commands
        .spawn(Screenshot::primary_window())
        .observe(move |shot: On<ScreenshotCaptured>| {
            captured.store(true, std::sync::atomic::Ordering::Release);
            let replies = waiting
                .lock()
                .map(|mut w| std::mem::take(&mut *w))
                .unwrap_or_default();
            let image = shot.image.clone();
            // Encoding a full-HD PNG takes a good part of a second on a slow core.
            let encoded = std::thread::Builder::new()
                .name("herald-screenshot".into())
                .spawn(move || {
                    let mut whole: Option<Result<Vec<u8>, String>> = None;
                    for request in replies {
                        let answer = match request.thumbnail {
                            None => whole
                                .get_or_insert_with(|| {
                                    let mut png = Vec::new();
                                    super::shot::encode_png(&image, &mut png).map(|_| png)
                                })
                                .clone(),
                            Some(width) => super::shot::encode_thumbnail(
                                &image,
                                width,
                                herald_core::report::MAX_THUMBNAIL_BYTES,
                            )
                            .map(|(png, _, _)| png),
                        };
                        let _ = request.reply.try_send(answer);
                    }
                });
            if let Err(e) = encoded {
                warn!("cannot start the screenshot encoder: {e}");
            }
        });
}
