//! Text that does not fit. After each layout pass the drawn letters of every visible text are
//! compared with the zone that clips them: a counter or service name cut off mid-letter on the wall
//! is a defect, so herald names it in the log (and as a `text_clipped` event with `--log-json`).

use std::collections::{HashMap, HashSet};

use bevy::prelude::*;
use bevy::text::TextLayoutInfo;
use bevy::ui::{CalculatedClip, ComputedNode, UiGlobalTransform};

use herald_core::log_event::{self, LogEvent};

use super::design_assets::ActiveLayout;

/// Slack for rounding: glyph boxes and node sizes are rounded separately.
const SLACK_PX: f32 = 1.5;

/// Where a laid-out text's letters are drawn and what clips them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// The bounding box of the drawn glyphs on screen, in pixels.
    pub ink: Rect,
    /// The rectangle that clips the text (its zone, within the window).
    pub clip: Rect,
}

/// What is cut off of a placed text, if anything: (needed, shown) sizes.
pub fn cut_off(p: &Placed) -> Option<(Vec2, Vec2)> {
    let shown = p.ink.intersect(p.clip);
    let lost = p.ink.size() - shown.size();
    (lost.x > SLACK_PX || lost.y > SLACK_PX).then(|| (p.ink.size(), shown.size()))
}

/// The drawn glyphs' bounding box: glyph positions are centres relative to the node's content
/// box (as `bevy_ui_render` draws them).
fn ink(node: &ComputedNode, transform: &UiGlobalTransform, info: &TextLayoutInfo) -> Option<Rect> {
    let origin = transform.translation + node.content_box().min;
    info.glyphs
        .iter()
        .map(|g| Rect::from_center_size(origin + g.position, g.atlas_info.rect.size()))
        .reduce(|a, b| a.union(b))
}

type TextQuery<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static Text,
        &'static ComputedNode,
        &'static UiGlobalTransform,
        &'static TextLayoutInfo,
        Option<&'static CalculatedClip>,
    ),
    Or<(
        Changed<TextLayoutInfo>,
        Changed<ComputedNode>,
        Changed<UiGlobalTransform>,
    )>,
>;

/// A text found cut off, waiting to be reported if it stays so.
pub struct Suspect {
    since: f64,
    text: String,
    needed: Vec2,
    room: Vec2,
}

/// Seconds a text must stay cut off before it is reported: the first layout passes (fonts
/// loading, chips sized to the strip) are not what the room sees.
const SETTLE_SECS: f64 = 0.5;

/// Reports each text that stays cut off, once per text and layout.
pub fn report_clipped_text(
    texts: TextQuery,
    alive: Query<(), With<Text>>,
    area: Res<super::ScreenArea>,
    layout: Res<ActiveLayout>,
    time: Res<Time<Real>>,
    mut suspects: Local<HashMap<Entity, Suspect>>,
    mut reported: Local<HashSet<(String, String)>>,
) {
    if area.0.x <= 0.0 || area.0.y <= 0.0 {
        return;
    }
    let now = time.elapsed_secs_f64();
    let screen = Rect::from_corners(Vec2::ZERO, area.0);
    for (entity, text, node, transform, info, clip) in &texts {
        // Hidden parts (display: none) are laid out with no size.
        let cut = (node.size.x > 0.0 && node.size.y > 0.0)
            .then(|| ink(node, transform, info))
            .flatten()
            .and_then(|ink| {
                cut_off(&Placed {
                    ink,
                    clip: clip.map_or(screen, |c| c.clip.intersect(screen)),
                })
            });
        match cut {
            Some((needed, room)) => {
                let suspect = suspects.entry(entity).or_insert(Suspect {
                    since: now,
                    text: String::new(),
                    needed,
                    room,
                });
                suspect.text.clone_from(&text.0);
                suspect.needed = needed;
                suspect.room = room;
            }
            None => {
                suspects.remove(&entity);
            }
        }
    }
    suspects.retain(|entity, _| alive.contains(*entity));
    let settled: Vec<Entity> = suspects
        .iter()
        .filter(|(_, s)| now - s.since >= SETTLE_SECS)
        .map(|(e, _)| *e)
        .collect();
    for entity in settled {
        let Some(s) = suspects.remove(&entity) else {
            continue;
        };
        if !reported.insert((layout.0.name.clone(), s.text.clone())) {
            continue;
        }
        warn!(
            "text does not fit on the {} layout: {:?} is {:.0}×{:.0} px, only {:.0}×{:.0} px \
             of it shows; shorten the name or give its zone more room (docs/layouts.md)",
            layout.0.name, s.text, s.needed.x, s.needed.y, s.room.x, s.room.y
        );
        log_event::emit(LogEvent::TextClipped {
            layout: layout.0.name.clone(),
            text: s.text.clone(),
            needed: [s.needed.x.round(), s.needed.y.round()],
            shown: [s.room.x.round(), s.room.y.round()],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: Rect = Rect {
        min: Vec2::new(0.0, 0.0),
        max: Vec2::new(200.0, 200.0),
    };

    #[test]
    fn letters_inside_their_zone_fit() {
        let ink = Rect::new(10.0, 10.0, 199.0, 40.0);
        assert_eq!(cut_off(&Placed { ink, clip: ZONE }), None);
    }

    #[test]
    fn letters_past_the_zone_edge_are_cut_off() {
        let ink = Rect::new(150.0, 10.0, 260.0, 40.0);
        let (needed, shown) = cut_off(&Placed { ink, clip: ZONE }).expect("cut off");
        assert_eq!(needed, Vec2::new(110.0, 30.0));
        assert_eq!(shown, Vec2::new(50.0, 30.0));
    }

    #[test]
    fn letters_below_the_zone_are_cut_off() {
        let ink = Rect::new(10.0, 180.0, 100.0, 230.0);
        assert!(cut_off(&Placed { ink, clip: ZONE }).is_some());
    }
}
