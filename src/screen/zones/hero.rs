//! The hero: the call now, as large as the zone allows: "Now calling", ticket → counter,
//! where to go, the call again in the visitor's language, and the recall badge. Call texts are
//! sized from the layout, the ticket's length and the room's viewing distance.

use bevy::prelude::*;
use bevy::text::LineBreak;
use herald_core::design::{HeroLine, Zone};

use super::{Layer, Part, Pen, Slot, text, zone_node};
use crate::screen::ScreenSystems;
use crate::screen::sizing::{self, CallText, RoomSizing, size_call_texts};

pub fn plugin(app: &mut App) {
    app.init_resource::<RoomSizing>().add_systems(
        Update,
        (sizing::size_for_room, size_call_texts)
            .chain()
            .in_set(ScreenSystems::Draw)
            .after(super::refresh_texts),
    );
}

/// The hero zone, its lines in the layout's order. The call's line itself is drawn by the call
/// layer ([`call_layer`]); here its place is kept, empty, on the panel.
pub fn zone(zone: &Zone, pen: &Pen) -> impl Bundle {
    // The panel is padded by the width of its mark, and the mark is a ring of thin pieces laid
    // over that padding. A Bevy border would do the same with one quad the size of the whole
    // panel, every pixel of it shaded on every animation frame.
    (
        panel_node(zone),
        BackgroundColor(pen.colours.panel),
        Part::HeroPanel,
        children![lines(zone, pen, Layer::Room), mark_ring(pen.colours.accent)],
    )
}

/// The hero zone again for the call layer (`screen::layers`): the same nodes, so that the call's
/// line lands where the room keeps its place, with everything but that line hidden.
pub fn call_layer(zone: &Zone, pen: &Pen) -> impl Bundle {
    (
        panel_node(zone),
        crate::screen::layers::CallLine,
        children![lines(zone, pen, Layer::Call)],
    )
}

fn panel_node(zone: &Zone) -> Node {
    Node {
        padding: UiRect::all(MARK_WIDTH),
        border_radius: BorderRadius::all(MARK_RADIUS),
        ..zone_node(&zone.rect)
    }
}

/// The hero's lines, centred in a column inside the mark.
fn lines(zone: &Zone, pen: &Pen, layer: Layer) -> impl Bundle + use<> {
    let c = pen.colours;
    let lines = zone.lines.clone();
    let has_title = lines.contains(&HeroLine::Title);
    let lines_pen = pen.clone();
    (
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            flex_grow: 1.0,
            // In the short side's units, so a portrait hero is not padded with empty rows.
            padding: UiRect::axes(vw(2.5), vmin(3)),
            row_gap: vmin(1.6),
            ..default()
        },
        Children::spawn((
            SpawnWith(move |hero: &mut ChildSpawner| {
                let (p, f) = (&lines_pen, &lines_pen.fonts);
                for line in lines {
                    match line {
                        HeroLine::Title => {
                            // "Now calling", then the recall and priority badges on its line,
                            // so they cost the call no height.
                            hero.spawn((
                                Node {
                                    column_gap: vw(1.2),
                                    align_items: AlignItems::Center,
                                    flex_wrap: FlexWrap::Wrap,
                                    ..default()
                                },
                                layer.room_part(),
                                Children::spawn((
                                    Spawn(text(
                                        Slot::HeroTitle,
                                        &f.regular,
                                        p.z.size(3.4),
                                        c.muted,
                                    )),
                                    Spawn(badges(p)),
                                )),
                            ));
                        }
                        HeroLine::Call => {
                            hero.spawn(call_line(p, layer));
                            if !has_title {
                                // No title line in this layout: the badges go under the call.
                                hero.spawn((badges(p), layer.room_part()));
                            }
                        }
                        HeroLine::Where => {
                            hero.spawn((
                                text(Slot::HeroDetail, &f.regular, p.z.size(4.2), c.text),
                                TextLayout::linebreak(LineBreak::WordBoundary),
                                layer.room_part(),
                            ));
                        }
                        HeroLine::Visitor => {
                            hero.spawn((
                                text(Slot::HeroVisitor, &f.regular, p.z.size(3.4), c.muted),
                                layer.room_part(),
                            ));
                        }
                        HeroLine::Elsewhere => {
                            hero.spawn((
                                Node {
                                    display: Display::None,
                                    ..default()
                                },
                                Part::ElsewhereLine,
                                layer.room_part(),
                                children![(
                                    text(Slot::Elsewhere, &f.regular, p.z.size(2.6), c.muted),
                                    TextLayout::linebreak(LineBreak::WordBoundary),
                                )],
                            ));
                        }
                    }
                }
            }),
            Spawn((
                text(Slot::Waiting, &pen.fonts.regular, pen.z.size(5.0), c.muted),
                layer.room_part(),
            )),
        )),
    )
}

/// The width of the ring that marks a new call, and the panel's corner radius.
const MARK_WIDTH: Val = Val::VMin(0.6);
const MARK_RADIUS: Val = Val::VMin(2.0);

/// The ring round the hero while a new call is marked, in eight pieces: four corners (twice
/// the radius square, so Bevy does not clamp the radius) and four edges between them. Every
/// piece is a border of a node as thick as a corner and sharing its outer edge with the panel's:
/// Bevy rounds a border to whole pixels by the node's size and place, so only alike nodes get
/// lines of the same width. Hidden unless marked.
fn mark_ring(color: Color) -> impl Bundle {
    let corner_size = Val::VMin(4.0);
    let (w, z, auto) = (MARK_WIDTH, Val::ZERO, Val::Auto);
    // (left, right, top, bottom) of a piece; its width and height; its border; its radius.
    let piece = |at: [Val; 4], size: [Val; 2], border: UiRect, radius: BorderRadius| {
        (
            Node {
                position_type: PositionType::Absolute,
                left: at[0],
                right: at[1],
                top: at[2],
                bottom: at[3],
                width: size[0],
                height: size[1],
                border,
                border_radius: radius,
                ..default()
            },
            BorderColor::all(color),
        )
    };
    let c = corner_size;
    let r = MARK_RADIUS;
    let sq = BorderRadius::ZERO;
    (
        Node {
            position_type: PositionType::Absolute,
            left: z,
            right: z,
            top: z,
            bottom: z,
            display: Display::None,
            ..default()
        },
        Part::HeroMark,
        children![
            piece(
                [z, auto, z, auto],
                [c, c],
                UiRect {
                    left: w,
                    top: w,
                    ..UiRect::ZERO
                },
                BorderRadius::top_left(r)
            ),
            piece(
                [auto, z, z, auto],
                [c, c],
                UiRect {
                    right: w,
                    top: w,
                    ..UiRect::ZERO
                },
                BorderRadius::top_right(r)
            ),
            piece(
                [z, auto, auto, z],
                [c, c],
                UiRect {
                    left: w,
                    bottom: w,
                    ..UiRect::ZERO
                },
                BorderRadius::bottom_left(r)
            ),
            piece(
                [auto, z, auto, z],
                [c, c],
                UiRect {
                    right: w,
                    bottom: w,
                    ..UiRect::ZERO
                },
                BorderRadius::bottom_right(r)
            ),
            piece([c, c, z, auto], [auto, c], UiRect::top(w), sq),
            piece([c, c, auto, z], [auto, c], UiRect::bottom(w), sq),
            piece([z, auto, c, c], [c, auto], UiRect::left(w), sq),
            piece([auto, z, c, c], [c, auto], UiRect::right(w), sq),
        ],
    )
}

/// The recall and priority badges, side by side (each hidden unless it applies).
fn badges(pen: &Pen) -> impl Bundle + use<> {
    (
        Node {
            column_gap: vw(1.0),
            ..default()
        },
        children![
            recall_badge(pen),
            super::priority_badge(pen, Part::PriorityBadge, Slot::HeroPriority, 3.0),
        ],
    )
}

fn recall_badge(pen: &Pen) -> impl Bundle + use<> {
    let c = pen.colours;
    (
        Node {
            align_self: AlignSelf::Start,
            padding: UiRect::axes(vw(1.2), vmin(0.6)),
            border_radius: BorderRadius::all(vmin(1)),
            display: Display::None,
            ..default()
        },
        // Dark badge, amber words: readable on the navy panel and on the amber flash.
        BackgroundColor(c.text_on_highlight),
        Part::RecallBadge,
        children![text(
            Slot::HeroRecall,
            &pen.fonts.bold,
            pen.z.size(3.2),
            c.accent
        )],
    )
}

/// Ticket → counter, on one line when it fits; on a narrow screen "→ counter" moves under the
/// ticket rather than being cut. It sits on a piece of the panel's colour: in the call layer
/// every frame repaints that piece before the (scaled) line, so a smaller line never leaves the
/// last frame's bigger one showing round it; in the room it is hidden, and the panel shows.
fn call_line(pen: &Pen, layer: Layer) -> impl Bundle {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            flex_direction: FlexDirection::Column,
            ..default()
        },
        BackgroundColor(c.panel),
        Part::HeroCallBacking,
        layer.call_part(),
        children![(
            Node {
                flex_direction: FlexDirection::Row,
                flex_wrap: FlexWrap::Wrap,
                align_items: AlignItems::Center,
                column_gap: vw(1.6),
                ..default()
            },
            // Only the call layer's line is scaled by the pop-in: the room's copy keeps still, so
            // the room is not drawn again for it.
            match layer {
                Layer::Call => Part::HeroContent,
                Layer::Room => Part::HeroCallPlace,
            },
            children![
                (
                    text(Slot::HeroTicket, &f.bold, z.size(14.0), c.text),
                    TextLayout::no_wrap(),
                    CallText::ticket(14.0 * z.scale),
                    Node {
                        flex_shrink: 0.0,
                        ..default()
                    },
                ),
                (
                    Node {
                        flex_direction: FlexDirection::Row,
                        align_items: AlignItems::Center,
                        column_gap: vw(1.6),
                        flex_shrink: 1.0,
                        min_width: px(0),
                        ..default()
                    },
                    children![
                        (
                            text(Slot::HeroArrow, &f.arrow, z.size(8.0), c.accent),
                            Node {
                                flex_shrink: 0.0,
                                ..default()
                            },
                        ),
                        // A long counter name wraps inside its own box (down to its longest word).
                        (
                            text(Slot::HeroCounter, &f.bold, z.size(8.0), c.text),
                            CallText::counter(8.0 * z.scale, 14.0 * z.scale),
                        ),
                    ],
                ),
            ],
        )],
    )
}
