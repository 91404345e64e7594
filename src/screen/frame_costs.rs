//! `--frame-costs`: where a frame's time goes on the renderer. Bevy's render diagnostics time
//! each render pass on the GPU (on lavapipe: the CPU threads that stand in for one) and count
//! the fragments its shaders ran for; every 10 s this reports their averages per frame since the
//! last report, as the `render_passes` log event and one line on stderr. The benchmark reads it.
//!
//! It also counts the frames drawn that changed nothing on screen: no UI node, text, colour,
//! transform, image or visibility changed (or was added or removed) since the frame before, and
//! the layers saw no change either (a laid-out size or text; a frame that draws what the
//! renderer missed the frame before, while its pipelines compiled at start), so the picture is
//! the one before. Those are the frames a reactive screen should not draw. And it counts the
//! frames that drew the room's layer (`layers`); the others drew only the call's line.

use std::time::{Duration, Instant};

use bevy::diagnostic::{DiagnosticsStore, FrameCount};
use bevy::prelude::*;
use bevy::render::diagnostic::RenderDiagnosticsPlugin;
use herald_core::log_event::{self, LogEvent, RenderPass};

const EVERY: Duration = Duration::from_secs(10);

pub fn plugin(app: &mut App) {
    app.add_plugins(RenderDiagnosticsPlugin)
        .init_resource::<Unchanged>()
        .add_systems(
            Last,
            (note_unchanged, report)
                .chain()
                .after(super::layers::redraw_room),
        );
}

/// Frames drawn since the last report that showed nothing new.
#[derive(Resource, Default)]
struct Unchanged(u32);

type Visible = Or<(
    Changed<Node>,
    Changed<Text>,
    Changed<TextColor>,
    Changed<BackgroundColor>,
    Changed<BorderColor>,
    Changed<UiTransform>,
    Changed<ImageNode>,
    Changed<Visibility>,
)>;

/// Runs last in every frame: change detection here sees every change made since the same point
/// of the frame before (`Changed` includes `Added`).
fn note_unchanged(
    changed: Query<(), Visible>,
    mut removed: RemovedComponents<Node>,
    mut unchanged: ResMut<Unchanged>,
    frame: Res<FrameCount>,
    room: Option<Res<super::layers::RoomRedraw>>,
) {
    let gone = removed.read().count();
    // The layers see more: a node's laid-out size or text, and a frame that draws what the
    // renderer missed the frame before (its pipelines were compiling, at start).
    let room_changed = room.is_some_and(|r| r.changed);
    if changed.is_empty() && gone == 0 && !room_changed {
        unchanged.0 += 1;
        // With `herald::screen=debug`, beside the layers' lines: which frames and why.
        debug!("frame {} changed nothing on screen", frame.0);
    }
}

/// When the last report was made, and the frame count then.
struct Since {
    at: Instant,
    frame: u32,
}

fn report(
    store: Res<DiagnosticsStore>,
    frames: Res<FrameCount>,
    mut unchanged: ResMut<Unchanged>,
    room: Option<ResMut<super::layers::RoomRedraw>>,
    mut since: Local<Option<Since>>,
) {
    let now = Instant::now();
    let Some(last) = since.as_ref() else {
        *since = Some(Since {
            at: now,
            frame: frames.0,
        });
        return;
    };
    if now - last.at < EVERY {
        return;
    }
    let drawn = frames.0.wrapping_sub(last.frame);
    let passes = passes_since(&store, last.at);
    let repeated = std::mem::take(&mut unchanged.0);
    let (room_frames, room_restored) = room.map_or((drawn, 0), |mut room| {
        room.kept = 0;
        (
            std::mem::take(&mut room.drawn),
            std::mem::take(&mut room.restored),
        )
    });
    *since = Some(Since {
        at: now,
        frame: frames.0,
    });
    if passes.is_empty() {
        return;
    }
    let summary: Vec<String> = passes
        .iter()
        .map(|p| format!("{} {:.1} ms, {} px", p.pass, p.gpu_ms, p.fragments))
        .collect();
    info!(
        "frame costs over {drawn} frames ({repeated} showed nothing new, {room_frames} drew the \
         room, {room_restored} copied it back from a kept picture), per frame: {}",
        summary.join("; ")
    );
    log_event::emit(LogEvent::RenderPasses {
        frames: drawn,
        unchanged: repeated,
        room_frames,
        room_restored,
        passes,
    });
}

/// Each pass's GPU time and fragments per frame over the measurements after `after`: the sum
/// of its measurements over the frames they came from (a pass that two cameras run, like the
/// room's and the call's `ui`, is measured once per camera). The copy to the window runs once a
/// frame, so its measurements count the frames: the renderer's timings arrive a frame or two
/// late, and the frames drawn since the last report are not quite the frames measured.
fn passes_since(store: &DiagnosticsStore, after: Instant) -> Vec<RenderPass> {
    let values = |path: &str| -> Vec<f64> {
        store
            .iter()
            .find(|d| d.path().as_str() == path)
            .map(|d| {
                d.measurements()
                    .filter(|m| m.time > after)
                    .map(|m| m.value)
                    .collect()
            })
            .unwrap_or_default()
    };
    let frames = values("render/upscaling/elapsed_gpu").len().max(1) as f64;
    let per_frame = |path: &str| -> Option<f64> {
        let values = values(path);
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / frames)
    };
    let mut passes: Vec<RenderPass> = store
        .iter()
        .filter_map(|d| {
            let pass = d
                .path()
                .as_str()
                .strip_prefix("render/")?
                .strip_suffix("/elapsed_gpu")?
                .to_owned();
            let gpu_ms = per_frame(d.path().as_str())?;
            let fragments = per_frame(&format!("render/{pass}/fragment_shader_invocations"))
                .unwrap_or(0.0)
                .round() as u64;
            Some(RenderPass {
                pass,
                gpu_ms: (gpu_ms * 100.0).round() / 100.0,
                fragments,
            })
        })
        .collect();
    passes.sort_by(|a, b| b.gpu_ms.total_cmp(&a.gpu_ms));
    passes
}
