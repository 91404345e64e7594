//! Colours and type sizes of the waiting-room screen.
//!
//! Text colours are chosen against their backgrounds for at least 7:1 contrast (WCAG AAA),
//! highlight included; `tests/theme.rs` computes the ratios.

use bevy::prelude::Color;

pub struct Theme {
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
}

/// Dark navy with warm amber for what is new: calm at rest, unmistakable when a call comes.
pub const CIVIC: Theme = Theme {
    background: Color::srgb(0.043, 0.094, 0.153),
    header: Color::srgb(0.063, 0.133, 0.212),
    panel: Color::srgb(0.071, 0.161, 0.255),
    highlight: Color::srgb(1.0, 0.800, 0.302),
    text: Color::srgb(1.0, 1.0, 1.0),
    text_on_highlight: Color::srgb(0.043, 0.094, 0.153),
    muted: Color::srgb(0.741, 0.808, 0.878),
    accent: Color::srgb(1.0, 0.800, 0.302),
    paused: Color::srgb(1.0, 0.800, 0.302),
    closed: Color::srgb(0.600, 0.659, 0.722),
    alert: Color::srgb(1.0, 0.690, 0.600),
};

/// Relative luminance (WCAG 2.x) of an sRGB colour.
pub fn luminance(color: Color) -> f32 {
    let c = color.to_srgba();
    let lin = |v: f32| {
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue)
}

/// WCAG contrast ratio between two colours (1 … 21).
pub fn contrast(a: Color, b: Color) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}
