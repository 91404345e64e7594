//! The screen's side of the status endpoints: it reports each frame (for `/healthz` and the
//! frame-time histogram) and answers `/screenshot.png` with a PNG of what it shows now.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::winit::EventLoopProxyWrapper;

use crate::status::{ScreenshotReply, Shared};

/// The shared status and the screenshot requests waiting for the screen.
#[derive(Resource)]
pub struct StatusLink {
    pub shared: Arc<Shared>,
    pub requests: Mutex<mpsc::Receiver<ScreenshotReply>>,
}

/// When this frame's update began.
#[derive(Resource, Default)]
struct FrameStart(Option<Instant>);

pub fn plugin(app: &mut App) {
    app.init_resource::<FrameStart>()
        .add_systems(Startup, hand_over_waker)
        .add_systems(First, start_frame)
        .add_systems(Update, take_screenshots)
        .add_systems(Last, frame_drawn);
}

fn hand_over_waker(link: Res<StatusLink>, proxy: Option<Res<EventLoopProxyWrapper>>) {
    link.shared
        .set_waker(super::feed_link::event_loop_waker(proxy.as_deref()));
}

fn start_frame(mut start: ResMut<FrameStart>) {
    start.0 = Some(Instant::now());
}

fn frame_drawn(link: Res<StatusLink>, start: Res<FrameStart>) {
    if let Some(started) = start.0 {
        link.shared.frame_drawn(started.elapsed());
    }
}

fn take_screenshots(mut commands: Commands, link: Res<StatusLink>) {
    let replies: Vec<ScreenshotReply> = match link.requests.lock() {
        Ok(requests) => requests.try_iter().collect(),
        Err(_) => return,
    };
    for reply in replies {
        commands.spawn(Screenshot::primary_window()).observe(
            move |captured: On<ScreenshotCaptured>| {
                let mut png = Vec::new();
                let answer = super::shot::encode_png(&captured.image, &mut png).map(|_| png);
                let _ = reply.try_send(answer);
            },
        );
    }
}
