//! The kept picture copied to the window, without clearing the window first.
//!
//! Bevy copies a camera's picture to its window by drawing it over the window's image with
//! "load what is there". A window's image is new each frame, so wgpu clears it to black before
//! that copy (it never lets a pass read memory nobody wrote): a fill of the whole screen on every
//! frame, for pixels the copy then covers. On a software renderer that fill cost as much as a
//! tenth of a call's CPU. This copy tells wgpu the old contents do not matter, which is true
//! because it writes every pixel: a full-screen triangle, no blending, no scissor.
//!
//! The call camera carries [`CopyToTarget`]; it writes out as any camera does (so Bevy acquires
//! the window's image for it), but Bevy's own copy is taken off it and this one runs instead.

use bevy::core_pipeline::blit::{BlitPipeline, BlitPipelineKey};
use bevy::core_pipeline::upscaling::ViewUpscalingPipeline;
use bevy::core_pipeline::{Core2d, Core2dSystems};
use bevy::prelude::*;
use bevy::render::diagnostic::RecordDiagnostics;
use bevy::render::extract_component::{ExtractComponent, ExtractComponentPlugin};
use bevy::render::render_resource::{
    BindGroup, CachedRenderPipelineId, LoadOp, PipelineCache, RenderPassDescriptor,
    SpecializedRenderPipelines, TextureViewId,
};
use bevy::render::renderer::{RenderContext, ViewQuery};
use bevy::render::view::ViewTarget;
use bevy::render::{Render, RenderApp, RenderSystems};

/// On the camera whose picture goes to the target by this copy (the call camera, last to draw).
#[derive(Component, Clone, Copy, ExtractComponent)]
pub struct CopyToTarget;

/// The copy's pipeline for this view's target format.
#[derive(Component)]
struct CopyPipeline(CachedRenderPipelineId, BlitPipelineKey);

pub fn plugin(app: &mut App) {
    app.add_plugins(ExtractComponentPlugin::<CopyToTarget>::default());
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app
        .add_systems(
            Render,
            (
                // Bevy prepares its copy during `Prepare` (every frame, a cached lookup).
                skip_bevys_copy
                    .after(RenderSystems::Prepare)
                    .before(RenderSystems::Render),
                prepare_copy.in_set(RenderSystems::Prepare),
            ),
        )
        // After the UI is drawn into the picture (Bevy's UI pass runs before its own copy).
        .add_systems(
            Core2d,
            copy_to_target
                .after(Core2dSystems::PostProcess)
                .after(bevy::core_pipeline::upscaling::upscaling),
        );
}

/// Bevy's own copy runs for every view holding its pipeline; without it, Bevy still gives the
/// view its target (and acquires the window's image) as for any camera that writes out.
fn skip_bevys_copy(
    world: &mut World,
    views: &mut QueryState<Entity, (With<CopyToTarget>, With<ViewUpscalingPipeline>)>,
) {
    let found: Vec<Entity> = views.iter(world).collect();
    for view in found {
        world.entity_mut(view).remove::<ViewUpscalingPipeline>();
    }
}

fn prepare_copy(
    mut commands: Commands,
    mut pipeline_cache: ResMut<PipelineCache>,
    mut pipelines: ResMut<SpecializedRenderPipelines<BlitPipeline>>,
    blit: Res<BlitPipeline>,
    views: Query<(Entity, &ViewTarget, Option<&CopyPipeline>), With<CopyToTarget>>,
) {
    for (entity, target, cached) in &views {
        let Some(target_format) = target.out_texture_view_format() else {
            continue;
        };
        let key = BlitPipelineKey {
            target_format,
            // The picture is opaque and holds both layers: it replaces what was there.
            blend_state: None,
            samples: 1,
            source_space: target.compositing_space,
        };
        if cached.is_none_or(|CopyPipeline(_, old)| *old != key) {
            let id = pipelines.specialize(&pipeline_cache, &blit, key);
            // Ready before the frame goes on, so no frame reaches the window without its copy.
            pipeline_cache.block_on_render_pipeline(id);
            commands.entity(entity).insert(CopyPipeline(id, key));
        }
    }
}

fn copy_to_target(
    view: ViewQuery<(&ViewTarget, &CopyPipeline), With<CopyToTarget>>,
    pipeline_cache: Res<PipelineCache>,
    blit: Res<BlitPipeline>,
    mut cached: Local<Option<(TextureViewId, BindGroup)>>,
    mut ctx: RenderContext,
) {
    let (target, CopyPipeline(id, _)) = view.into_inner();
    let Some(pipeline) = pipeline_cache.get_render_pipeline(*id) else {
        return;
    };
    let picture = target.main_texture_view();
    let bind_group = match &mut *cached {
        Some((seen, group)) if *seen == picture.id() => group.clone(),
        slot => {
            let group = blit.create_bind_group(ctx.render_device(), picture, &pipeline_cache);
            *slot = Some((picture.id(), group.clone()));
            group
        }
    };
    let Some(mut attachment) = target.out_texture_color_attachment(None) else {
        return;
    };
    // SAFETY (wgpu's contract for DontCare): nothing reads the target's old pixels. The
    // pipeline does not blend, no scissor or viewport is set, and the full-screen triangle
    // writes every pixel before the pass stores them.
    #[allow(
        unsafe_code,
        reason = "wgpu asks for unsafe to skip the clear; the copy writes every pixel"
    )]
    let dont_care = unsafe { wgpu::LoadOpDontCare::enabled() };
    attachment.ops.load = LoadOp::DontCare(dont_care);
    let diagnostics = ctx.diagnostic_recorder();
    let diagnostics = diagnostics.as_deref();
    // Named as Bevy's copy, so `--frame-costs` counts frames by it as before.
    let span = diagnostics.time_span(ctx.command_encoder(), "upscaling");
    {
        let mut pass = ctx
            .command_encoder()
            .begin_render_pass(&RenderPassDescriptor {
                label: Some("herald_copy_to_target"),
                color_attachments: &[Some(attachment)],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
    span.end(ctx.command_encoder());
}
