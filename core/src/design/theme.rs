//! Themes: the colours, fonts and sizes of `assets/themes/*.theme.toml`, read and checked as
//! layouts are (`super`), and the shipped ones compiled in.

use serde::Deserialize;

use super::{DesignError, line_of, toml_error};
use crate::colour::Colour;

/// Colours, fonts and sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub background: Colour,
    pub header: Colour,
    pub panel: Colour,
    /// The hero panel's background while a new call is highlighted.
    pub highlight: Colour,
    pub text: Colour,
    pub text_on_highlight: Colour,
    pub muted: Colour,
    pub accent: Colour,
    pub paused: Colour,
    pub closed: Colour,
    pub alert: Colour,
    /// The emergency screen's background and text: a dark red with white by default, which
    /// a theme may change (the accessibility display's black with yellow).
    pub emergency: Colour,
    pub emergency_text: Colour,
    pub font_regular: String,
    pub font_bold: String,
    /// Only for "→" (Noto Sans lacks it).
    pub font_arrow: String,
    pub text_scale: f32,
    /// The office's emblem in the header, a PNG under `assets/`.
    pub logo: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    colors: toml::Spanned<ColorsFile>,
    fonts: FontsFile,
    #[serde(default)]
    sizes: SizesFile,
    #[serde(default)]
    images: ImagesFile,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ImagesFile {
    logo: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColorsFile {
    background: toml::Spanned<String>,
    header: toml::Spanned<String>,
    panel: toml::Spanned<String>,
    highlight: toml::Spanned<String>,
    text: toml::Spanned<String>,
    text_on_highlight: toml::Spanned<String>,
    muted: toml::Spanned<String>,
    accent: toml::Spanned<String>,
    paused: toml::Spanned<String>,
    closed: toml::Spanned<String>,
    alert: toml::Spanned<String>,
    emergency: Option<toml::Spanned<String>>,
    emergency_text: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FontsFile {
    regular: String,
    bold: String,
    arrow: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizesFile {
    #[serde(default = "super::one")]
    text_scale: f32,
}

impl Default for SizesFile {
    fn default() -> Self {
        Self { text_scale: 1.0 }
    }
}

impl Theme {
    /// Reads and checks a theme file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, DesignError> {
        let raw: ThemeFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let colour = |name: &str, value: &toml::Spanned<String>| -> Result<Colour, DesignError> {
            Colour::hex(value.get_ref()).ok_or_else(|| DesignError {
                file: file.to_owned(),
                line: line_of(text, value.span().start),
                message: format!(
                    "colors.{name} = {:?} is not a colour; write \"#rrggbb\"",
                    value.get_ref()
                ),
            })
        };
        let c = raw.colors.get_ref();
        let scale = raw.sizes.text_scale;
        if !(0.5..=3.0).contains(&scale) {
            return Err(DesignError {
                file: file.to_owned(),
                line: 1,
                message: "sizes.text_scale must be 0.5-3".into(),
            });
        }
        if let Some(logo) = &raw.images.logo
            && !logo.get_ref().to_ascii_lowercase().ends_with(".png")
        {
            return Err(DesignError {
                file: file.to_owned(),
                line: line_of(text, logo.span().start),
                message: format!(
                    "images.logo = {:?}: the logo must be a PNG file under assets/",
                    logo.get_ref()
                ),
            });
        }
        Ok(Self {
            name: raw.name,
            background: colour("background", &c.background)?,
            header: colour("header", &c.header)?,
            panel: colour("panel", &c.panel)?,
            highlight: colour("highlight", &c.highlight)?,
            text: colour("text", &c.text)?,
            text_on_highlight: colour("text_on_highlight", &c.text_on_highlight)?,
            muted: colour("muted", &c.muted)?,
            accent: colour("accent", &c.accent)?,
            paused: colour("paused", &c.paused)?,
            closed: colour("closed", &c.closed)?,
            alert: colour("alert", &c.alert)?,
            emergency: match &c.emergency {
                Some(value) => colour("emergency", value)?,
                None => EMERGENCY,
            },
            emergency_text: match &c.emergency_text {
                Some(value) => colour("emergency_text", value)?,
                None => Colour::WHITE,
            },
            font_regular: raw.fonts.regular,
            font_bold: raw.fonts.bold,
            font_arrow: raw.fonts.arrow,
            text_scale: scale,
            logo: raw.images.logo.map(toml::Spanned::into_inner),
        })
    }
}

/// The emergency screen's red when a theme names none: white on it is 10:1 (WCAG AAA).
pub const EMERGENCY: Colour = Colour {
    red: 0.55,
    green: 0.0,
    blue: 0.0,
    alpha: 1.0,
};

/// The themes shipped in `assets/themes/`, compiled in as the fallback.
pub const SHIPPED_THEMES: [(&str, &str); 2] = [
    (
        "civic",
        include_str!("../../../assets/themes/civic.theme.toml"),
    ),
    (
        "high-contrast",
        include_str!("../../../assets/themes/high-contrast.theme.toml"),
    ),
];

/// The shipped theme called `name`, from the copy compiled in.
pub fn shipped_theme(name: &str) -> Option<Theme> {
    let (_, text) = SHIPPED_THEMES.iter().find(|(n, _)| *n == name)?;
    Theme::parse(text, &format!("(built in) themes/{name}.theme.toml")).ok()
}

/// The default theme (the shipped `civic`).
pub fn civic() -> Theme {
    shipped_theme("civic").unwrap_or_else(|| Theme {
        name: "civic".into(),
        background: Colour::rgb_u8(0x0b, 0x18, 0x27),
        header: Colour::rgb_u8(0x10, 0x22, 0x36),
        panel: Colour::rgb_u8(0x12, 0x29, 0x41),
        highlight: Colour::rgb_u8(0xff, 0xcc, 0x4d),
        text: Colour::WHITE,
        text_on_highlight: Colour::rgb_u8(0x0b, 0x18, 0x27),
        muted: Colour::rgb_u8(0xbd, 0xce, 0xe0),
        accent: Colour::rgb_u8(0xff, 0xcc, 0x4d),
        paused: Colour::rgb_u8(0xff, 0xcc, 0x4d),
        closed: Colour::rgb_u8(0x99, 0xa8, 0xb8),
        alert: Colour::rgb_u8(0xff, 0xb0, 0x99),
        emergency: EMERGENCY,
        emergency_text: Colour::WHITE,
        font_regular: "fonts/NotoSans-Regular.ttf".into(),
        font_bold: "fonts/NotoSans-Bold.ttf".into(),
        font_arrow: "fonts/DejaVuSans-Bold.ttf".into(),
        text_scale: 1.0,
        logo: None,
    })
}
