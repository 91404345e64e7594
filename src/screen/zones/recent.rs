//! The recent calls: the last calls, newest first; served ones step back, calls still marked
//! as new keep their highlight (filled by the shared refresh from the view).

use bevy::prelude::*;
use herald_core::design::Rect4;

use super::{Part, Pen, Slot, text, zone_node};

/// The recent-calls zone with `rows` rows.
pub fn zone(rect: &Rect4, pen: &Pen, rows: usize) -> impl Bundle {
    let c = pen.colours;
    let row_pen = pen.clone();
    (
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::axes(vw(1.8), vh(2.4)),
            border_radius: BorderRadius::all(vmin(2)),
            row_gap: vh(0.4),
            ..zone_node(rect)
        },
        BackgroundColor(c.panel),
        Children::spawn((
            Spawn((
                Node {
                    margin: UiRect::bottom(vh(1)),
                    ..default()
                },
                text(
                    Slot::RecentTitle,
                    &pen.fonts.regular,
                    // The notices' size: one glyph atlas fewer (each size of a font has its own).
                    pen.z.size(2.8),
                    c.muted,
                ),
            )),
            SpawnIter((0..rows).map(move |i| row(&row_pen, i))),
        )),
    )
}

/// One row: ticket on the left, → counter on the right.
fn row(pen: &Pen, i: usize) -> impl Bundle + use<> {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            flex_direction: FlexDirection::Row,
            justify_content: JustifyContent::SpaceBetween,
            align_items: AlignItems::Center,
            padding: UiRect::axes(vmin(1), vmin(0.6)),
            margin: UiRect::bottom(px(1)),
            border_radius: BorderRadius::all(vmin(1)),
            ..default()
        },
        BackgroundColor(Color::NONE),
        Part::RecentRow(i),
        children![
            super::rule_under(c.header, vmin(1)),
            (
                Node {
                    column_gap: vw(0.6),
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    // A priority ticket: a star before it (empty otherwise).
                    text(Slot::RecentStar(i), &f.arrow, z.size(3.6), c.accent),
                    text(Slot::RecentTicket(i), &f.bold, z.size(5.4), c.text),
                ],
            ),
            (
                Node {
                    column_gap: vw(0.8),
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    text(Slot::RecentArrow(i), &f.arrow, z.size(3.2), c.muted),
                    text(Slot::RecentCounter(i), &f.regular, z.size(3.4), c.text),
                ],
            ),
        ],
    )
}
