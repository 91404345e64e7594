//! Frames drawn before the renderer was ready for them.
//!
//! Bevy compiles a render pipeline (the UI's boxes, its text, the copy to the window) on a
//! thread of its own the first time a frame needs it, and draws the frames in between without
//! what that pipeline draws. A screen that redraws everything on every frame never notices; the
//! room camera, which sleeps until something changes, would keep such a frame for good. That
//! happened to a display started during an emergency: the emergency arrived before the UI's
//! pipelines were ready, nothing changed after it, and the monitor stayed without it.
//!
//! So the renderer says when a frame went out while pipelines were still compiling: it wakes the
//! event loop, and the next frame draws the room again (and keeps no picture of it, `kept.rs`),
//! until a frame goes out with everything ready.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::{Render, RenderApp, RenderSystems};
use bevy::winit::EventLoopProxyWrapper;

/// Frames of pipelines still compiling after which herald stops waking for them and says so: a
/// pipeline whose shader never arrives would otherwise redraw the room on every frame for good.
const PATIENCE_FRAMES: u32 = 600;

/// Shared between the main world (which reads it) and the render world (which sets it).
#[derive(Resource, Clone, Default)]
pub struct UnreadyFrames {
    inner: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// A frame went out without a pipeline it needed since the main world last looked.
    unready: AtomicBool,
    /// Frames in a row that went out so.
    in_a_row: AtomicU32,
    waker: OnceLock<crate::feed::Waker>,
}

impl UnreadyFrames {
    /// Whether a frame went out unfinished since the last call: the room must be drawn again.
    pub fn take(&self) -> bool {
        self.inner.unready.swap(false, Ordering::Relaxed)
    }
}

pub fn plugin(app: &mut App) {
    let frames = UnreadyFrames::default();
    app.insert_resource(frames.clone())
        .add_systems(Startup, hand_over_waker);
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app.insert_resource(frames).add_systems(
        Render,
        // After the frame was rendered; the pipelines still waiting then were missing from it.
        note_unready_frame.in_set(RenderSystems::Cleanup),
    );
}

fn hand_over_waker(frames: Res<UnreadyFrames>, proxy: Option<Res<EventLoopProxyWrapper>>) {
    let _ = frames
        .inner
        .waker
        .set(crate::screen::feed_link::event_loop_waker(proxy.as_deref()));
}

/// Whether pipelines are still compiling after this frame's look at them (Bevy looks just before
/// it renders, so these were missing from the frame).
pub fn pipelines_waiting(cache: &PipelineCache) -> bool {
    cache.waiting_pipelines().next().is_some()
}

fn note_unready_frame(cache: Res<PipelineCache>, frames: Res<UnreadyFrames>) {
    let shared = &frames.inner;
    if !pipelines_waiting(&cache) {
        shared.in_a_row.store(0, Ordering::Relaxed);
        return;
    }
    let in_a_row = shared.in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
    if in_a_row > PATIENCE_FRAMES {
        return;
    }
    if in_a_row == PATIENCE_FRAMES {
        let waiting = cache.waiting_pipelines().count();
        warn!(
            "the renderer has been compiling {waiting} pipeline(s) for {PATIENCE_FRAMES} frames; \
             the screen no longer redraws for them (what they draw may be missing until the \
             next change; a shader that never loads is logged by Bevy above)"
        );
    }
    shared.unready.store(true, Ordering::Relaxed);
    if let Some(wake) = shared.waker.get() {
        wake();
    }
}
