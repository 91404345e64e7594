//! Kept pictures of the room, so that a room shown before is copied back instead of drawn again.
//!
//! A screen with two display languages switches every 12 s, and each switch changes every text:
//! the room is drawn whole (on a software renderer about 60 CPU-ms, most of a still screen's
//! cost). Yet the room it switches to is usually the one it showed 12 s earlier; and a call's
//! two flashes draw the room four times in two looks (highlighted at 0 and 1.0 s, plain at 0.6
//! and 1.6 s). So each room drawn is copied aside (a copy of memory, about a millisecond), under
//! a fingerprint of everything the room camera draws: each room node's layout, place, visibility, colours,
//! text, font and picture, and the clear colour. On a frame where the room changed, herald
//! first computes that fingerprint; when a kept picture has it, the room camera sleeps and that
//! picture is copied back into the frame's picture (a copy of memory, a few milliseconds)
//! before the call's line is drawn over it as on every frame.
//!
//! There are as many kept pictures as display languages, and at least two (a call's two looks),
//! the least recently used one replaced. A new image or glyph (an asset event) or a
//! new target forgets them all: a picture drawn while an image was still on its way would lack
//! it. Should the renderer ever skip a frame that was to keep a picture, the restore that counts
//! on it finds another fingerprint in that slot, copies nothing and has the room drawn again on
//! the next frame; `tests/layers.rs` compares the monitor with the picture drawn whole after
//! switches back and forth, with and without a change in between.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::Hasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bevy::camera::CameraMainTextureUsages;
use bevy::core_pipeline::{Core2d, Core2dSystems};
use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::diagnostic::RecordDiagnostics;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::render_resource::{
    Extent3d, PipelineCache, Texture, TextureDescriptor, TextureDimension, TextureFormat,
    TextureUsages,
};
use bevy::render::renderer::{RenderContext, ViewQuery};
use bevy::render::view::ViewTarget;
use bevy::text::TextLayout;
use bevy::ui::{CalculatedClip, ComputedUiTargetCamera};

use super::copy::CopyToTarget;

/// What the renderer does with the kept pictures this frame, decided by [`super::redraw_room`].
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq, ExtractResource)]
pub enum RoomPicture {
    #[default]
    Nothing,
    /// The room camera drew this frame: copy its picture into this slot.
    Keep { slot: usize, fingerprint: u64 },
    /// The room camera sleeps: copy this slot's picture into the frame's picture.
    Restore { slot: usize, fingerprint: u64 },
}

/// Which room each slot holds (main world's side).
#[derive(Resource, Default)]
pub struct KeptRooms {
    slots: Vec<Kept>,
    uses: u64,
    /// Set by the renderer when a restore found another picture than the one it was told.
    missed: Arc<AtomicBool>,
}

#[derive(Clone, Copy)]
struct Kept {
    fingerprint: u64,
    used: u64,
}

impl KeptRooms {
    /// Forgets every kept picture (a new image, glyph or target).
    pub fn forget(&mut self) {
        self.slots.clear();
    }

    /// The renderer could not restore what it was told; anything kept may be wrong.
    pub fn missed(&self) -> bool {
        self.missed.swap(false, Ordering::Relaxed)
    }

    /// The slot holding this room, marked as just used.
    pub fn find(&mut self, fingerprint: u64) -> Option<usize> {
        self.uses += 1;
        let uses = self.uses;
        let slot = self
            .slots
            .iter()
            .position(|k| k.fingerprint == fingerprint)?;
        self.slots[slot].used = uses;
        Some(slot)
    }

    /// The slot to keep this room in: a new one while there are fewer than `capacity`, else the
    /// least recently used.
    pub fn keep(&mut self, fingerprint: u64, capacity: usize) -> usize {
        self.uses += 1;
        let kept = Kept {
            fingerprint,
            used: self.uses,
        };
        self.slots.truncate(capacity);
        if self.slots.len() < capacity {
            self.slots.push(kept);
            return self.slots.len() - 1;
        }
        let slot = self
            .slots
            .iter()
            .enumerate()
            .min_by_key(|(_, k)| k.used)
            .map_or(0, |(i, _)| i);
        self.slots[slot] = kept;
        slot
    }
}

/// Adds `{value:?}` to the hasher without building a string.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.write(text.as_bytes());
        Ok(())
    }
}

/// Everything of a UI node that its pixels depend on (`Drawn` in `layers.rs` lists what makes the
/// room draw; this is what it draws from). Nodes are told apart by their place and look, not by
/// entity: a list rebuilt with the same lines is the same room.
pub type RoomLook = (
    &'static ComputedUiTargetCamera,
    &'static Node,
    &'static ComputedNode,
    &'static UiGlobalTransform,
    &'static InheritedVisibility,
    Option<&'static CalculatedClip>,
    (
        Option<&'static Text>,
        Option<&'static TextFont>,
        Option<&'static TextColor>,
        Option<&'static TextLayout>,
    ),
    (
        Option<&'static BackgroundColor>,
        Option<&'static BorderColor>,
        Option<&'static ImageNode>,
    ),
);

/// The room's fingerprint: each room node's look hashed on its own, added up so that the order
/// the nodes come in does not matter, with the colour the room clears to.
pub fn fingerprint(nodes: &Query<RoomLook>, call: Entity, clear: &impl std::fmt::Debug) -> u64 {
    let mut sum = 0u64;
    for (target, node, computed, place, visible, clip, text, paint) in nodes {
        // A hidden node draws nothing, whatever it holds (the call's line in the room's tree,
        // the clock's place in it), nor does one of no size (under a `Display::None` node).
        if target.get() == Some(call) || !visible.get() || computed.is_empty() {
            continue;
        }
        let mut hasher = DefaultHasher::new();
        // Writing into a hasher cannot fail.
        let _ = write!(
            HashWriter(&mut hasher),
            "{node:?}{computed:?}{place:?}{clip:?}{text:?}{paint:?}"
        );
        sum = sum.wrapping_add(hasher.finish());
    }
    let mut hasher = DefaultHasher::new();
    let _ = write!(HashWriter(&mut hasher), "{clear:?}");
    sum.wrapping_add(hasher.finish())
}

/// How many rooms to keep: one per display language when they take turns, and at least two: a
/// call's flashes switch the room between its highlighted and its plain look four times, and the
/// last two come back from the first two.
pub fn capacity(langs: Option<&super::super::DisplayLangs>) -> usize {
    langs.map_or(1, |l| l.langs.len()).max(2)
}

/// The main texture the two cameras share must take a copy in, as well as give one.
pub fn main_texture_usages() -> CameraMainTextureUsages {
    CameraMainTextureUsages(
        TextureUsages::RENDER_ATTACHMENT
            | TextureUsages::TEXTURE_BINDING
            | TextureUsages::COPY_SRC
            | TextureUsages::COPY_DST,
    )
}

pub fn plugin(app: &mut App) {
    app.init_resource::<RoomPicture>()
        .init_resource::<KeptRooms>()
        .add_plugins(ExtractResourcePlugin::<RoomPicture>::default());
    let missed = app.world().resource::<KeptRooms>().missed.clone();
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app
        .insert_resource(KeptTextures {
            slots: Vec::new(),
            missed,
        })
        .add_systems(
            Core2d,
            // In the call camera's frame, after the room camera drew (cameras draw in order)
            // and before the call's line goes over the picture.
            keep_or_restore
                .after(Core2dSystems::PostProcess)
                .before(bevy::ui_render::ui_pass),
        );
}

/// The kept pictures (render world's side): each slot's texture and the room it holds.
#[derive(Resource)]
struct KeptTextures {
    slots: Vec<Option<(Texture, u64)>>,
    missed: Arc<AtomicBool>,
}

fn keep_or_restore(
    view: ViewQuery<&ViewTarget, With<CopyToTarget>>,
    order: Option<Res<RoomPicture>>,
    mut kept: ResMut<KeptTextures>,
    pipelines: Res<PipelineCache>,
    mut ctx: RenderContext,
) {
    let Some(order) = order.map(|o| *o) else {
        return;
    };
    if order == RoomPicture::Nothing {
        return;
    }
    let target = view.into_inner();
    let picture = target.main_texture();
    let size = picture.size();
    let format = picture.format();
    let diagnostics = ctx.diagnostic_recorder();
    let diagnostics = diagnostics.as_deref();
    let span = diagnostics.time_span(ctx.command_encoder(), "kept room");
    match order {
        RoomPicture::Nothing => {}
        RoomPicture::Keep { slot, fingerprint } => {
            if kept.slots.len() <= slot {
                kept.slots.resize(slot + 1, None);
            }
            // A room drawn while pipelines were compiling lacks what they draw: not kept.
            if super::unready::pipelines_waiting(&pipelines) {
                kept.slots[slot] = None;
                kept.missed.store(true, Ordering::Relaxed);
                span.end(ctx.command_encoder());
                return;
            }
            let reuse = kept.slots[slot]
                .as_ref()
                .is_some_and(|(t, _)| t.size() == size && t.format() == format);
            if !reuse {
                let texture = new_slot(&ctx, size, format);
                kept.slots[slot] = Some((texture, fingerprint));
            }
            if let Some((texture, held)) = kept.slots[slot].as_mut() {
                *held = fingerprint;
                ctx.command_encoder().copy_texture_to_texture(
                    picture.as_image_copy(),
                    texture.as_image_copy(),
                    size,
                );
            }
        }
        RoomPicture::Restore { slot, fingerprint } => {
            match kept.slots.get(slot).and_then(Option::as_ref) {
                Some((texture, held)) if *held == fingerprint && texture.size() == size => {
                    let texture = texture.clone();
                    ctx.command_encoder().copy_texture_to_texture(
                        texture.as_image_copy(),
                        picture.as_image_copy(),
                        size,
                    );
                }
                // Not the room it should be: the main world draws the room on its next frame.
                _ => kept.missed.store(true, Ordering::Relaxed),
            }
        }
    }
    span.end(ctx.command_encoder());
}

fn new_slot(ctx: &RenderContext, size: Extent3d, format: TextureFormat) -> Texture {
    ctx.render_device().create_texture(&TextureDescriptor {
        label: Some("herald_kept_room"),
        size,
        mip_level_count: 1,
        sample_count: 1,
        dimension: TextureDimension::D2,
        format,
        usage: TextureUsages::COPY_DST | TextureUsages::COPY_SRC,
        view_formats: &[],
    })
}
