//! The header: the office's emblem and name, the "connection lost since …" marker, the clock
//! and the date.

use bevy::prelude::*;
use herald_core::design::Rect4;

use super::counters::CHIP_NAME_VMIN;
use super::{Layer, Part, Pen, Slot, text, zone_node};

/// The header zone, for the room's tree (all but the time) or the call's (the time alone).
pub fn zone(rect: &Rect4, pen: &Pen, layer: Layer) -> impl Bundle {
    let c = pen.colours;
    // The call's tree must not cover the room's header: only the time has a background there.
    let background = match layer {
        Layer::Room => c.header,
        Layer::Call => Color::NONE,
    };
    (
        Node {
            padding: UiRect::horizontal(vw(3)),
            flex_direction: FlexDirection::Row,
            justify_content: JustifyContent::SpaceBetween,
            align_items: AlignItems::Center,
            column_gap: vw(2),
            ..zone_node(rect)
        },
        BackgroundColor(background),
        children![
            (office(pen), layer.room_part()),
            (connection_pill(pen), layer.room_part()),
            clock(pen, layer),
        ],
    )
}

/// The emblem and the name; a long name wraps in its own box, which grows to the wrapped height.
fn office(pen: &Pen) -> impl Bundle {
    let logo = pen.fonts.logo.clone();
    let name = text(
        Slot::OfficeName,
        &pen.fonts.bold,
        pen.z.size(3.4),
        pen.colours.text,
    );
    (
        Node {
            flex_grow: 1.0,
            flex_shrink: 1.0,
            min_width: px(0),
            max_width: percent(70),
            height: percent(100),
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: vw(1.2),
            ..default()
        },
        Children::spawn(SpawnWith(move |office: &mut ChildSpawner| {
            if let Some(logo) = logo {
                office.spawn((
                    Node {
                        height: percent(72),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    ImageNode::new(logo),
                ));
            }
            office.spawn((
                Node {
                    flex_shrink: 1.0,
                    min_width: px(0),
                    flex_direction: FlexDirection::Column,
                    ..default()
                },
                children![name],
            ));
        })),
    )
}

fn connection_pill(pen: &Pen) -> impl Bundle {
    let c = pen.colours;
    (
        Node {
            padding: UiRect::axes(vw(1.2), vh(0.8)),
            border: UiRect::all(px(2)),
            border_radius: BorderRadius::all(vh(3)),
            display: Display::None,
            ..default()
        },
        BorderColor::all(c.alert),
        Part::ConnectionPill,
        children![text(
            Slot::Connection,
            &pen.fonts.regular,
            pen.z.size(CHIP_NAME_VMIN),
            c.alert,
        )],
    )
}

/// The time and the date under it. The time is the call layer's: drawn on every frame on its own
/// piece of the header's colour (so a frame drawn over the last one repaints it whole), while the
/// room's picture keeps its place empty and stays valid from one minute to the next.
fn clock(pen: &Pen, layer: Layer) -> impl Bundle {
    let c = pen.colours;
    (
        Node {
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::End,
            flex_shrink: 0.0,
            ..default()
        },
        children![
            (
                text(Slot::Time, &pen.fonts.bold, pen.z.size(5.4), c.text),
                BackgroundColor(c.header),
                layer.call_part(),
            ),
            (
                text(
                    Slot::Date,
                    &pen.fonts.regular,
                    pen.z.size(CHIP_NAME_VMIN),
                    c.muted
                ),
                layer.room_part(),
            ),
        ],
    )
}
