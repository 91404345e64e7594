//! The closed office: covers the whole screen when every counter is closed, with the time
//! and, when configured, the opening hours.

use bevy::prelude::*;

use super::{Part, Pen, Slot, text};

/// The overlay, hidden until the office is closed.
pub fn overlay(pen: &Pen) -> impl Bundle {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            padding: UiRect::horizontal(vw(4)),
            row_gap: vh(3),
            display: Display::None,
            ..default()
        },
        BackgroundColor(c.background),
        GlobalZIndex(10),
        Part::ClosedOverlay,
        children![
            text(Slot::ClosedTime, &f.bold, z.size(9.0), c.text),
            text(Slot::ClosedTitle, &f.bold, z.size(7.0), c.text),
            (
                text(Slot::ClosedHint, &f.regular, z.size(4.0), c.muted),
                TextLayout::justify(Justify::Center),
            ),
        ],
    )
}
