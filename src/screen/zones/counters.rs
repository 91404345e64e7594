//! The counters: a strip of chips, one per counter, with its state or the ticket it serves
//! (sized and wrapped into rows to fit), and the single counter a counter screen stands above.

use bevy::prelude::*;
use bevy::text::FontSize;
use herald_core::design::Rect4;
use herald_core::protocol::CounterState;

use super::{Part, Pen, ScreenFonts, ScreenGeneration, Slot, ZoneScale, text, zone_node};
use crate::screen::design_assets::ActiveTheme;
use crate::screen::palette::Palette;
use crate::screen::sizing::CallText;
use crate::screen::view::counter_name;
use crate::screen::{DisplayLangs, ScreenArea, ScreenSystems, WaitingRoom, Words};

pub fn plugin(app: &mut App) {
    app.add_systems(Update, refresh_counters.in_set(ScreenSystems::Draw));
}

/// The strip; its chips are built by [`refresh_counters`] once the strip has a size.
pub fn strip(rect: &Rect4, pen: &Pen) -> impl Bundle {
    (
        Node {
            column_gap: vw(STRIP_GAP_VW),
            row_gap: vw(STRIP_GAP_VW),
            flex_wrap: FlexWrap::Wrap,
            align_content: AlignContent::Start,
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Stretch,
            ..zone_node(rect)
        },
        Part::CountersStrip,
        ZoneScale(pen.z.scale),
    )
}

/// One counter's name, its ticket as large as the zone allows, and its state (`--counter ID`).
pub fn one_counter(rect: &Rect4, pen: &Pen) -> impl Bundle {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            row_gap: vh(2),
            ..zone_node(rect)
        },
        BackgroundColor(c.background),
        children![
            text(Slot::CounterName, &f.bold, z.size(12.0), c.muted),
            (
                text(Slot::CounterTicket, &f.bold, z.size(40.0), c.text),
                TextLayout::no_wrap(),
                CallText::ticket(40.0 * z.scale),
            ),
            text(Slot::CounterState, &f.bold, z.size(10.0), c.accent),
            (
                Node {
                    align_self: AlignSelf::Center,
                    ..default()
                },
                children![super::priority_badge(
                    pen,
                    Part::CounterPriorityBadge,
                    Slot::CounterPriority,
                    7.0,
                )],
            ),
        ],
    )
}

/// Marks a counter chip.
#[derive(Component)]
pub struct CounterChip;

/// Rebuilds the chips when the counters, the language, the design or the strip's size changed.
fn refresh_counters(
    mut commands: Commands,
    room: Res<WaitingRoom>,
    words: Option<Res<Words>>,
    langs: Option<Res<DisplayLangs>>,
    fonts: Option<Res<ScreenFonts>>,
    theme: Res<ActiveTheme>,
    generation: Res<ScreenGeneration>,
    parts: Query<(Entity, &Part, Option<&ZoneScale>, Option<&ComputedNode>)>,
    area: Res<ScreenArea>,
    mut drawn: Local<(u64, String, u64, UVec2)>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    let (Some(words), Some(langs), Some(fonts)) = (words, langs, fonts) else {
        return;
    };
    let Some((strip, _, scale, node)) =
        parts.iter().find(|(_, p, _, _)| **p == Part::CountersStrip)
    else {
        return;
    };
    let lang = langs.lang().to_owned();
    // The strip's size is known only after the first layout; the chips are sized again then.
    let strip_size = node.map_or(Vec2::ZERO, |n| n.size);
    let key = (
        room.revision,
        lang.clone(),
        generation.0,
        strip_size.round().as_uvec2(),
    );
    if *drawn == key {
        return;
    }
    *drawn = key;
    let t = Palette::of(&theme.0);
    let chips: Vec<(String, String, Color)> = room
        .board
        .counters()
        .iter()
        // A floor's screen shows that floor's counters only.
        .filter(|counter| room.scope.takes_counter(counter))
        .map(|counter| {
            let serving = room.serving(&counter.id).map(|c| c.ticket.clone());
            let (state_text, state_color) = match counter.state {
                CounterState::Open => (
                    serving.unwrap_or_else(|| words.0.text(&lang, "counter-open", &[])),
                    t.text,
                ),
                CounterState::Paused => (words.0.text(&lang, "counter-paused", &[]), t.paused),
                CounterState::Closed => (words.0.text(&lang, "counter-closed", &[]), t.closed),
            };
            (
                counter_name(&words.0, &lang, &counter.label),
                state_text,
                state_color,
            )
        })
        .collect();
    let (vmin_px, gap_px) = (area.vmin_px(), area.0.x * STRIP_GAP_VW / 100.0);
    let texts: Vec<(&str, &str)> = chips.iter().map(|c| (c.0.as_str(), c.1.as_str())).collect();
    let plan = plan_chips(
        &texts,
        strip_size,
        vmin_px,
        gap_px,
        scale.map_or(1.0, |s| s.0),
    );
    debug!(
        "counter chips: strip {strip_size}, {} chips, {plan:?}",
        chips.len()
    );
    let counted = chips.len();
    commands.entity(strip).despawn_children();
    for (name, state_text, state_color) in chips {
        let chip = chip(&plan, &fonts, &t, (name, state_text, state_color));
        commands.entity(strip).with_child(chip);
    }
    // An empty strip had no size to plan the chips for: with its first counters it takes one
    // on this frame's layout, and the chips are planned again on the next. A sleeping screen
    // must draw that frame too, or it shows them half laid out until something else wakes it.
    if strip_size == Vec2::ZERO && counted > 0 {
        redraw.write(bevy::window::RequestRedraw);
    }
}

/// A counter chip: its name, and what it is doing or the ticket it serves.
fn chip(
    plan: &ChipPlan,
    fonts: &ScreenFonts,
    c: &Palette,
    (name, state_text, state_color): (String, String, Color),
) -> impl Bundle {
    (
        Node {
            width: plan.chip_width.map_or(Val::Auto, px),
            height: plan.chip_height.map_or(Val::Auto, px),
            // Before the strip is measured, chips share it evenly.
            flex_grow: if plan.chip_width.is_some() { 0.0 } else { 1.0 },
            flex_basis: if plan.chip_width.is_some() {
                Val::Auto
            } else {
                px(0)
            },
            // Chips share the strip evenly, however long their texts.
            min_width: px(0),
            padding: UiRect::horizontal(vmin(0.4)),
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(vh(1.2)),
            overflow: Overflow::clip(),
            ..default()
        },
        BackgroundColor(c.panel),
        CounterChip,
        children![
            (
                Text::new(name),
                TextFont {
                    font: fonts.regular.clone().into(),
                    font_size: FontSize::VMin(plan.name_vmin),
                    ..default()
                },
                TextColor(c.muted),
                TextLayout::no_wrap(),
            ),
            (
                Text::new(state_text),
                TextFont {
                    font: fonts.bold.clone().into(),
                    font_size: FontSize::VMin(plan.state_vmin),
                    ..default()
                },
                TextColor(state_color),
                TextLayout::no_wrap(),
            ),
        ],
    )
}

/// Gap between counter chips, in percent of the screen width.
const STRIP_GAP_VW: f32 = 0.8;
/// Sizes of the chip texts, in percent of the screen's shorter side (before scaling).
pub const CHIP_NAME_VMIN: f32 = 2.2;
const CHIP_STATE_VMIN: f32 = 3.8;

/// How the counter chips are arranged in their strip and how large their texts are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChipPlan {
    pub rows: usize,
    /// Chip size in pixels; `None` before the strip has been measured (chips share it evenly).
    pub chip_width: Option<f32>,
    pub chip_height: Option<f32>,
    pub name_vmin: f32,
    pub state_vmin: f32,
}

/// Arranges `chips` (name, state) in one to three rows of the strip, whichever lets the texts
/// be largest: many counters on a narrow (portrait) screen get a second row before they get
/// smaller type, and never cut names. Widths are estimated from the character count (Noto Sans
/// averages under 0.62 em a character); `fit::report_clipped_text` checks the drawn letters.
pub fn plan_chips(
    chips: &[(&str, &str)],
    strip: Vec2,
    vmin_px: f32,
    gap_px: f32,
    zone_scale: f32,
) -> ChipPlan {
    let unmeasured = ChipPlan {
        rows: 1,
        chip_width: None,
        chip_height: None,
        name_vmin: CHIP_NAME_VMIN * zone_scale,
        state_vmin: CHIP_STATE_VMIN * zone_scale,
    };
    if chips.is_empty() || strip.x <= 0.0 || strip.y <= 0.0 || vmin_px <= 0.0 {
        return unmeasured;
    }
    let widest = |size: f32, texts: &mut dyn Iterator<Item = &str>| {
        texts
            .map(|t| t.chars().count() as f32 * 0.62 * size)
            .fold(0.0, f32::max)
    };
    let name_w = widest(CHIP_NAME_VMIN * zone_scale, &mut chips.iter().map(|c| c.0));
    let state_w = widest(CHIP_STATE_VMIN * zone_scale, &mut chips.iter().map(|c| c.1));
    // Both lines with their line height, and a little air.
    let height = 1.3 * (CHIP_NAME_VMIN + CHIP_STATE_VMIN) * zone_scale + 0.6;
    let n = chips.len();
    (1..=3usize.min(n))
        .map(|rows| {
            let per_row = n.div_ceil(rows);
            // Whole pixels, rounded down, with a pixel to spare: the strip's measured size is
            // rounded, and a row that sums to a hair over it would wrap.
            let width_px =
                ((strip.x - 1.0 - gap_px * (per_row as f32 - 1.0)) / per_row as f32).floor();
            let height_px = ((strip.y - 1.0 - gap_px * (rows as f32 - 1.0)) / rows as f32).floor();
            let room_w = width_px / vmin_px - 0.8;
            let room_h = height_px / vmin_px;
            let name = (room_w / name_w).min(1.0);
            let state = (room_w / state_w).min(1.0);
            let tall = (room_h / height).min(1.0);
            ChipPlan {
                rows,
                chip_width: Some(width_px),
                chip_height: Some(height_px),
                name_vmin: CHIP_NAME_VMIN * zone_scale * on_the_ladder(name.min(tall)),
                state_vmin: CHIP_STATE_VMIN * zone_scale * on_the_ladder(state.min(tall)),
            }
        })
        // The state (the ticket) matters most from across the room; fewer rows win a tie.
        .fold(None::<ChipPlan>, |best, plan| match best {
            Some(b) if b.state_vmin + 0.05 >= plan.state_vmin => Some(b),
            _ => Some(plan),
        })
        .unwrap_or(unmeasured)
}

/// A share of the full chip type, rounded down to a twentieth (never under 0.3). Every distinct
/// type size keeps a glyph atlas of its own for good (about 1 MB on each side); shares taken
/// straight from the widest text would give a new size for each new length of a counter's
/// state, and a screen left on for months would collect them.
fn on_the_ladder(share: f32) -> f32 {
    const STEPS: f32 = 20.0;
    // The small nudge keeps a share computed a hair under a step (0.95 as 0.94999) on it.
    ((share * STEPS + 1e-3).floor() / STEPS).clamp(0.3, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chip_type_sizes_come_from_a_short_ladder_whatever_the_counters_show() {
        let mut names = std::collections::BTreeSet::new();
        let mut states = std::collections::BTreeSet::new();
        for counters in 6..=14 {
            for state_len in 2..=16 {
                for name_len in 6..=14 {
                    let name = "N".repeat(name_len);
                    let state = "S".repeat(state_len);
                    let chips = vec![(name.as_str(), state.as_str()); counters];
                    let plan = plan_chips(&chips, Vec2::new(1900.0, 120.0), 10.8, 15.0, 1.0);
                    names.insert(plan.name_vmin.to_bits());
                    states.insert(plan.state_vmin.to_bits());
                    let width = plan.chip_width.expect("measured") / 10.8 - 0.8;
                    assert!(
                        state_len as f32 * 0.62 * plan.state_vmin <= width + 0.01
                            || plan.state_vmin <= CHIP_STATE_VMIN * 0.3 + 1e-4,
                        "a state of {state_len} letters does not fit: {plan:?}"
                    );
                }
            }
        }
        // 0.30, 0.35 … 1.00 of the full size: 15 steps at most, whatever the office shows.
        assert!(names.len() <= 15, "{} name sizes", names.len());
        assert!(states.len() <= 15, "{} state sizes", states.len());
    }

    #[test]
    fn a_few_counters_keep_full_size_in_one_row() {
        let chips = [("Okienko 1", "A042"), ("Okienko 2", "otvorené")];
        let plan = plan_chips(&chips, Vec2::new(1800.0, 113.0), 10.8, 15.0, 1.0);
        assert_eq!(plan.rows, 1);
        assert_eq!(plan.state_vmin, CHIP_STATE_VMIN);
        assert_eq!(plan.name_vmin, CHIP_NAME_VMIN);
    }

    #[test]
    fn many_counters_on_a_portrait_strip_take_two_rows_before_shrinking_further() {
        let chips: Vec<(String, String)> = (1..=12)
            .map(|i| (format!("Okienko {i}"), "zatvorené".to_owned()))
            .collect();
        let chips: Vec<(&str, &str)> = chips
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let one_row = plan_chips(&chips[..3], Vec2::new(990.0, 154.0), 10.8, 8.6, 0.8);
        let plan = plan_chips(&chips, Vec2::new(990.0, 154.0), 10.8, 8.6, 0.8);
        assert_eq!(one_row.rows, 1);
        assert!(plan.rows >= 2, "{plan:?}");
        assert!(plan.state_vmin < one_row.state_vmin);
        // Every chip's state still fits its width.
        let width = plan.chip_width.expect("measured") / 10.8 - 0.8;
        assert!(9.0 * 0.62 * plan.state_vmin <= width + 0.01, "{plan:?}");
    }
}
