//! A theme's colours as plain sRGB values, and the WCAG arithmetic the themes are checked with
//! (relative luminance, contrast ratio). The screen turns them into Bevy colours.

/// An sRGB colour, each channel 0 … 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Colour {
    pub red: f32,
    pub green: f32,
    pub blue: f32,
    pub alpha: f32,
}

impl Colour {
    pub const WHITE: Self = Self::rgb_u8(0xff, 0xff, 0xff);

    pub const fn rgb_u8(red: u8, green: u8, blue: u8) -> Self {
        Self {
            red: red as f32 / 255.0,
            green: green as f32 / 255.0,
            blue: blue as f32 / 255.0,
            alpha: 1.0,
        }
    }

    /// `#rgb`, `#rrggbb` or `#rrggbbaa` (the `#` may be left out), as theme files write them.
    pub fn hex(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('#').unwrap_or(text);
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
        let nibble = |i: usize| {
            let v = u8::from_str_radix(digits.get(i..=i)?, 16).ok()?;
            Some(v * 17)
        };
        let (r, g, b, a) = match digits.len() {
            3 => (nibble(0)?, nibble(1)?, nibble(2)?, 255),
            6 => (byte(0)?, byte(2)?, byte(4)?, 255),
            8 => (byte(0)?, byte(2)?, byte(4)?, byte(6)?),
            _ => return None,
        };
        Some(Self {
            alpha: f32::from(a) / 255.0,
            ..Self::rgb_u8(r, g, b)
        })
    }
}

/// Relative luminance (WCAG 2.x) of an sRGB colour.
pub fn luminance(colour: Colour) -> f32 {
    let lin = |v: f32| {
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(colour.red) + 0.7152 * lin(colour.green) + 0.0722 * lin(colour.blue)
}

/// WCAG contrast ratio between two colours (1 … 21).
pub fn contrast(a: Colour, b: Colour) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_read_as_theme_files_write_them() {
        assert_eq!(Colour::hex("#ffffff"), Some(Colour::WHITE));
        assert_eq!(Colour::hex("fff"), Some(Colour::WHITE));
        assert_eq!(
            Colour::hex("#0b1827"),
            Some(Colour::rgb_u8(0x0b, 0x18, 0x27))
        );
        assert_eq!(
            Colour::hex("#00000080").map(|c| c.alpha),
            Some(128.0 / 255.0)
        );
        for bad in ["navy", "#12345", "#ééé", ""] {
            assert_eq!(Colour::hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn black_on_white_is_21_to_1() {
        let ratio = contrast(Colour::rgb_u8(0, 0, 0), Colour::WHITE);
        assert!((ratio - 21.0).abs() < 0.01, "{ratio}");
    }
}
