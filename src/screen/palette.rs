//! A theme's colours as Bevy colours, and WCAG contrast on them (for the rendering tests, which
//! measure drawn pixels). The theme itself is data: `herald_core::design::Theme`.

use bevy::prelude::*;
use herald_core::colour::{self, Colour};
use herald_core::design::Theme;

/// The Bevy colour of a theme colour.
pub fn color(c: Colour) -> Color {
    Color::srgba(c.red, c.green, c.blue, c.alpha)
}

/// The theme colour of a Bevy colour (e.g. a pixel read back from the screen).
pub fn colour(c: Color) -> Colour {
    let c = c.to_srgba();
    Colour {
        red: c.red,
        green: c.green,
        blue: c.blue,
        alpha: c.alpha,
    }
}

/// Relative luminance (WCAG 2.x) of a Bevy colour.
pub fn luminance(c: Color) -> f32 {
    colour::luminance(colour(c))
}

/// WCAG contrast ratio between two Bevy colours (1 … 21).
pub fn contrast(a: Color, b: Color) -> f32 {
    colour::contrast(colour(a), colour(b))
}

/// The theme's colours, ready for Bevy components.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub background: Color,
    pub header: Color,
    pub panel: Color,
    /// The hero panel's background while a new call is highlighted.
    pub highlight: Color,
    pub text: Color,
    pub text_on_highlight: Color,
    pub muted: Color,
    pub accent: Color,
    pub paused: Color,
    pub closed: Color,
    pub alert: Color,
    pub emergency: Color,
    pub emergency_text: Color,
}

impl Palette {
    pub fn of(t: &Theme) -> Self {
        Self {
            background: color(t.background),
            header: color(t.header),
            panel: color(t.panel),
            highlight: color(t.highlight),
            text: color(t.text),
            text_on_highlight: color(t.text_on_highlight),
            muted: color(t.muted),
            accent: color(t.accent),
            paused: color(t.paused),
            closed: color(t.closed),
            alert: color(t.alert),
            emergency: color(t.emergency),
            emergency_text: color(t.emergency_text),
        }
    }
}
