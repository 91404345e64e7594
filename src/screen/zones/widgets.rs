//! The pieces every zone draws with: a [`Pen`] (fonts, colours, sizes), a text carrying its
//! [`Slot`], a zone's node from its layout rectangle, a rule under a row, a priority badge.

use bevy::prelude::*;
use bevy::text::FontSize;
use herald_core::design::Rect4;

use super::{Part, ScreenFonts, Slot};
use crate::screen::palette::Palette;

/// The text scale of a zone, kept for content rebuilt later (the counter chips).
#[derive(Component, Clone, Copy)]
pub struct ZoneScale(pub f32);

/// Text sizes: percent of the screen's shorter side, so landscape and portrait read alike.
#[derive(Clone, Copy)]
pub struct Sizer {
    pub scale: f32,
}

impl Sizer {
    pub fn size(&self, vmin: f32) -> FontSize {
        FontSize::VMin(vmin * self.scale)
    }
}

/// What a zone widget is drawn with.
#[derive(Clone)]
pub struct Pen {
    pub z: Sizer,
    pub fonts: ScreenFonts,
    pub colours: Palette,
}

/// A star and the word "priority" on a dark badge: a priority ticket is told by a shape and a
/// word, never by colour alone (WCAG 1.4.1). Hidden until the view shows `part`.
pub fn priority_badge(pen: &Pen, part: Part, slot: Slot, size: f32) -> impl Bundle + use<> {
    let c = pen.colours;
    (
        Node {
            align_self: AlignSelf::Start,
            align_items: AlignItems::Center,
            column_gap: vmin(0.8),
            padding: UiRect::axes(vw(1.2), vmin(0.6)),
            border_radius: BorderRadius::all(vmin(1)),
            display: Display::None,
            ..default()
        },
        BackgroundColor(c.text_on_highlight),
        part,
        children![
            text(
                Slot::BadgeStar(part),
                &pen.fonts.arrow,
                pen.z.size(size),
                c.accent
            ),
            text(slot, &pen.fonts.bold, pen.z.size(size), c.accent),
        ],
    )
}

/// A text that the refresh fills for `slot`.
pub fn text(slot: Slot, font: &Handle<Font>, size: FontSize, color: Color) -> impl Bundle + use<> {
    (
        Text::new(""),
        TextFont {
            font: font.clone().into(),
            font_size: size,
            ..default()
        },
        TextColor(color),
        slot,
    )
}

/// The node of a zone placed by the layout, clipping what does not fit.
pub fn zone_node(rect: &Rect4) -> Node {
    Node {
        position_type: PositionType::Absolute,
        left: percent(rect.left),
        top: percent(rect.top),
        width: percent(rect.width),
        height: percent(rect.height),
        overflow: Overflow::clip(),
        ..default()
    }
}

/// A one-pixel line under a row, `inset` from both ends, in the row's bottom margin. A Bevy
/// border would draw it with one quad the size of the whole row, shaded pixel by pixel.
pub fn rule_under(color: Color, inset: Val) -> impl Bundle {
    (
        Node {
            position_type: PositionType::Absolute,
            left: inset,
            right: inset,
            bottom: px(-1),
            height: px(1),
            ..default()
        },
        BackgroundColor(color),
    )
}
