//! Colour arithmetic for themes: WCAG relative luminance and contrast ratio. The themes
//! themselves are data (`assets/themes/*.theme.toml`, read by `design`).

use bevy::prelude::Color;

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
