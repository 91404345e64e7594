//! Layouts and themes as data: the types of `assets/layouts/*.layout.toml` and
//! `assets/themes/*.theme.toml`, and their reading (see `docs/layouts.md`). The screen loads the
//! files through Bevy's asset system (`screen::design_assets`); the rules live here.
//!
//! A file is checked completely when it is read: a mistake gives one message with the file, the
//! line and what is wrong, and the screen keeps the last good version. The shipped files are also
//! compiled in, so a display whose file is broken or missing at start shows the shipped design.

use std::fmt;

use serde::Deserialize;

mod theme;
pub use theme::{SHIPPED_THEMES, Theme, civic, shipped_theme};

// ----- layouts -----

/// What a zone shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ZoneKind {
    /// Office name, connection marker, clock and date.
    Header,
    /// The call now: ticket → counter, where to go, the visitor's language, recall.
    Hero,
    /// The last calls, newest first.
    Recent,
    /// Every counter with its state and the ticket it serves.
    Counters,
    /// Office notices, one at a time.
    Notice,
    /// One counter's name and current ticket, as large as the zone allows (`--counter ID`).
    Counter,
    /// Who is waiting, per service: how many, the queue system's estimate of the wait, and
    /// (when the layout asks, `next_tickets = true`) the next tickets.
    Queue,
    /// A QR code for the office's URL (`--qr-url`: e-services, a feedback survey) and a caption.
    Qr,
    /// The office's images (PNG, JPEG) from the `--media` folder, one at a time, cross-fading.
    Media,
}

/// A rectangle in percent of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rect4 {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

/// A line of the hero zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeroLine {
    /// "Now calling".
    Title,
    /// Ticket → counter.
    Call,
    /// Service, floor and room.
    Where,
    /// Counter and place again in the visitor's language, when it differs.
    Visitor,
    /// Calls for other floors or counters than this screen's (`--floor`, `--counters`), with
    /// their floor and which way to go; empty on a screen for the whole office.
    Elsewhere,
}

/// The hero's lines unless the layout names them.
pub const ALL_HERO_LINES: [HeroLine; 5] = [
    HeroLine::Title,
    HeroLine::Call,
    HeroLine::Where,
    HeroLine::Visitor,
    HeroLine::Elsewhere,
];

/// How a new call stays marked for `mark_seconds`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkStyle {
    /// A border in the accent colour (the panel flashes first unless motion is reduced).
    #[default]
    Border,
    /// The whole panel in the highlight colour, steady: seen from the back of a room and
    /// by visitors who cannot hear the call, without any flashing.
    Panel,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    pub kind: ZoneKind,
    pub rect: Rect4,
    /// Multiplies the zone's text sizes.
    pub scale: f32,
    /// The hero's lines, in order (hero zones only).
    pub lines: Vec<HeroLine>,
}

/// A screen layout: where each zone is.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub name: String,
    pub zones: Vec<Zone>,
    pub recent_rows: usize,
    /// Seconds each notice shows before the next; 0 = the first notice stays.
    pub notice_seconds: f64,
    /// Motion replaced by plain changes, whatever the command line says.
    pub reduced_motion: bool,
    /// How a new call is marked, and for how long (also in the recent list).
    pub mark: MarkStyle,
    pub mark_seconds: f64,
    /// Quiet hours lower the volume but never silence this screen's announcements.
    pub always_announce: bool,
    /// The theme this layout is made for, used when `--theme` is not given.
    pub theme: Option<String>,
    /// The queue zone lists the next tickets of each service (off unless the layout asks).
    pub next_tickets: bool,
    /// How many services the queue zone lists at most.
    pub queue_rows: usize,
    /// Seconds each image of the `--media` folder shows before the next.
    pub media_seconds: f64,
    /// After this many seconds without a new call the hero's space shows the images; the next
    /// call takes it back at once. `None`: the hero always shows the last call.
    pub media_in_hero_after: Option<f64>,
}

impl Layout {
    pub fn zone(&self, kind: ZoneKind) -> Option<&Zone> {
        self.zones.iter().find(|z| z.kind == kind)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    name: String,
    #[serde(default = "default_rows")]
    recent_rows: usize,
    #[serde(default)]
    notice_seconds: f64,
    #[serde(default)]
    reduced_motion: bool,
    #[serde(default)]
    mark: MarkStyle,
    #[serde(default = "default_mark_seconds")]
    mark_seconds: f64,
    #[serde(default)]
    always_announce: bool,
    theme: Option<String>,
    #[serde(default)]
    next_tickets: bool,
    #[serde(default = "default_queue_rows")]
    queue_rows: usize,
    #[serde(default = "default_media_seconds")]
    media_seconds: f64,
    media_in_hero_after: Option<f64>,
    #[serde(default)]
    zone: Vec<toml::Spanned<ZoneFile>>,
}

fn default_media_seconds() -> f64 {
    10.0
}

fn default_queue_rows() -> usize {
    5
}

fn default_mark_seconds() -> f64 {
    10.0
}

fn default_rows() -> usize {
    6
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneFile {
    kind: ZoneKind,
    rect: Rect4,
    #[serde(default = "one")]
    scale: f32,
    lines: Option<Vec<HeroLine>>,
}

pub(crate) fn one() -> f32 {
    1.0
}

/// A design file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} (the screen keeps its last good design; fix the file and save it again)",
            self.file, self.line, self.message
        )
    }
}

impl std::error::Error for DesignError {}

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |before| before.matches('\n').count() + 1)
}

pub(crate) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> DesignError {
    DesignError {
        file: file.to_owned(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        // toml's message repeats the source excerpt over several lines; the first is the point.
        message: e
            .message()
            .lines()
            .next()
            .unwrap_or("not valid TOML")
            .to_owned(),
    }
}

impl Layout {
    /// Reads and checks a layout file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, DesignError> {
        let raw: LayoutFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let error = |line: usize, message: String| DesignError {
            file: file.to_owned(),
            line,
            message,
        };
        if raw.zone.is_empty() {
            return Err(error(1, "the layout has no [[zone]]".into()));
        }
        if !(0.0..=3600.0).contains(&raw.notice_seconds) {
            return Err(error(1, "notice_seconds must be 0-3600".into()));
        }
        if raw.recent_rows > 12 {
            return Err(error(1, "recent_rows must be 0-12".into()));
        }
        if !(1..=12).contains(&raw.queue_rows) {
            return Err(error(1, "queue_rows must be 1-12".into()));
        }
        if !(1.0..=120.0).contains(&raw.mark_seconds) {
            return Err(error(1, "mark_seconds must be 1-120".into()));
        }
        // Under 3 s an image cannot be read before it goes; WCAG 2.2.2 asks for a pause anyway.
        if !(3.0..=3600.0).contains(&raw.media_seconds) {
            return Err(error(1, "media_seconds must be 3-3600".into()));
        }
        if raw
            .media_in_hero_after
            .is_some_and(|s| !(5.0..=86_400.0).contains(&s))
        {
            return Err(error(
                1,
                "media_in_hero_after must be 5-86400 seconds".into(),
            ));
        }
        let mut zones: Vec<Zone> = Vec::new();
        for spanned in raw.zone {
            let line = line_of(text, spanned.span().start);
            let z = spanned.into_inner();
            let r = z.rect;
            let name = format!("{:?}", z.kind).to_lowercase();
            for (what, v) in [
                ("left", r.left),
                ("top", r.top),
                ("width", r.width),
                ("height", r.height),
            ] {
                if !v.is_finite() || v < 0.0 {
                    return Err(error(
                        line,
                        format!("zone {name}: {what} must be a percentage ≥ 0"),
                    ));
                }
            }
            if r.width <= 0.0 || r.height <= 0.0 {
                return Err(error(
                    line,
                    format!("zone {name}: width and height must be more than 0"),
                ));
            }
            // A zone that reaches past the screen would be cut off mid-letter on the wall.
            if r.left + r.width > 100.01 {
                return Err(error(
                    line,
                    format!(
                        "zone {name} reaches past the right edge (left {} + width {} > 100)",
                        r.left, r.width
                    ),
                ));
            }
            if r.top + r.height > 100.01 {
                return Err(error(
                    line,
                    format!(
                        "zone {name} reaches past the bottom edge (top {} + height {} > 100)",
                        r.top, r.height
                    ),
                ));
            }
            if !(0.3..=4.0).contains(&z.scale) {
                return Err(error(line, format!("zone {name}: scale must be 0.3-4")));
            }
            if zones.iter().any(|o| o.kind == z.kind) {
                return Err(error(line, format!("zone {name} appears twice")));
            }
            let lines = match (z.kind, z.lines) {
                (ZoneKind::Hero, None) => ALL_HERO_LINES.to_vec(),
                (ZoneKind::Hero, Some(lines)) if lines.contains(&HeroLine::Call) => lines,
                (ZoneKind::Hero, Some(_)) => {
                    return Err(error(
                        line,
                        "zone hero: lines must include \"call\" (the ticket and its counter)"
                            .into(),
                    ));
                }
                (_, None) => Vec::new(),
                (_, Some(_)) => {
                    return Err(error(
                        line,
                        format!("zone {name}: only the hero zone has lines"),
                    ));
                }
            };
            zones.push(Zone {
                kind: z.kind,
                rect: r,
                scale: z.scale,
                lines,
            });
        }
        if raw.media_in_hero_after.is_some() && !zones.iter().any(|z| z.kind == ZoneKind::Hero) {
            return Err(error(
                1,
                "media_in_hero_after gives the hero's space to images, but the layout has no hero zone"
                    .into(),
            ));
        }
        Ok(Self {
            name: raw.name,
            zones,
            recent_rows: raw.recent_rows,
            notice_seconds: raw.notice_seconds,
            reduced_motion: raw.reduced_motion,
            mark: raw.mark,
            mark_seconds: raw.mark_seconds,
            always_announce: raw.always_announce,
            theme: raw.theme,
            next_tickets: raw.next_tickets,
            queue_rows: raw.queue_rows,
            media_seconds: raw.media_seconds,
            media_in_hero_after: raw.media_in_hero_after,
        })
    }
}

/// The layouts shipped in `assets/layouts/`, compiled in as the fallback.
pub const SHIPPED_LAYOUTS: [(&str, &str); 7] = [
    (
        "waiting-room",
        include_str!("../../assets/layouts/waiting-room.layout.toml"),
    ),
    (
        "waiting-room-queue",
        include_str!("../../assets/layouts/waiting-room-queue.layout.toml"),
    ),
    (
        "waiting-room-info",
        include_str!("../../assets/layouts/waiting-room-info.layout.toml"),
    ),
    (
        "waiting-room-media",
        include_str!("../../assets/layouts/waiting-room-media.layout.toml"),
    ),
    (
        "waiting-room-portrait",
        include_str!("../../assets/layouts/waiting-room-portrait.layout.toml"),
    ),
    (
        "counter",
        include_str!("../../assets/layouts/counter.layout.toml"),
    ),
    (
        "accessible",
        include_str!("../../assets/layouts/accessible.layout.toml"),
    ),
];

/// The shipped layout called `name`, from the copy compiled in.
pub fn shipped_layout(name: &str) -> Option<Layout> {
    let (_, text) = SHIPPED_LAYOUTS.iter().find(|(n, _)| *n == name)?;
    Layout::parse(text, &format!("(built in) layouts/{name}.layout.toml")).ok()
}

#[cfg(test)]
mod tests;
