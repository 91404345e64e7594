//! Sizing the call for the room: how tall a ticket's capitals must be for the farthest seat,
//! and whether this screen can draw them that tall.
//!
//! The rule is ADA 703.5 for visual characters: 51 mm of capital height up to 4.6 m of viewing
//! distance, and about 10.5 mm more for each metre beyond (1/8 in per foot). Given the viewing
//! distance and the screen's physical height (or diagonal), herald turns it into pixels, raises
//! the call's counter name to it when needed, and says at start when the screen is too small.

use bevy::prelude::*;
use bevy::text::FontSize;

use herald_core::log_event::{self, LogEvent};

use super::design_assets::ActiveLayout;
use super::{ScreenArea, ScreenGeneration};

/// ADA 703.5: capital height at up to this distance.
const BASE_CAP_MM: f32 = 51.0;
const BASE_DISTANCE_M: f32 = 4.6;
/// ADA 703.5: 1/8 in per foot beyond it, in millimetres per metre.
const CAP_MM_PER_M: f32 = 3.175 / 0.3048;

/// The smallest capital height, in millimetres, readable from `distance_m` metres.
pub fn required_cap_mm(distance_m: f32) -> f32 {
    BASE_CAP_MM + (distance_m - BASE_DISTANCE_M).max(0.0) * CAP_MM_PER_M
}

/// The room a screen hangs in (`--distance`, `--screen-height-mm` or `--screen-diagonal-in`).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct RoomSpec {
    /// From the screen to the farthest seat, in metres.
    pub distance_m: f32,
    pub screen: ScreenSize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScreenSize {
    /// The picture's height in millimetres.
    HeightMm(f32),
    /// The picture's diagonal in inches, as screens are sold.
    DiagonalIn(f32),
}

impl RoomSpec {
    /// The picture's height in millimetres on a screen of `width`×`height` pixels.
    pub fn screen_height_mm(&self, width: f32, height: f32) -> f32 {
        match self.screen {
            ScreenSize::HeightMm(mm) => mm,
            ScreenSize::DiagonalIn(inches) => {
                inches * 25.4 * height / (width * width + height * height).sqrt()
            }
        }
    }
}

/// What the room asks and what this screen draws, in one line for the log.
#[derive(Clone, Debug, PartialEq)]
pub struct SizingReport {
    pub required_mm: f32,
    pub px_per_mm: f32,
    /// Capital height of the largest ticket the layout draws, in millimetres.
    pub ticket_mm: f32,
}

impl SizingReport {
    pub fn too_small(&self) -> bool {
        self.ticket_mm + 0.5 < self.required_mm
    }
}

/// Sets the room's minimum capitals in pixels once the window's size is known, and reports
/// (again when the window or the layout changes) what the room asks and what the screen draws.
pub fn size_for_room(
    spec: Option<Res<RoomSpec>>,
    area: Res<ScreenArea>,
    generation: Res<ScreenGeneration>,
    layout: Res<ActiveLayout>,
    texts: Query<&CallText>,
    mut sizing: ResMut<RoomSizing>,
    mut reported: Local<Option<(UVec2, u64)>>,
) {
    let Some(spec) = spec else {
        return;
    };
    let (w, h) = (area.0.x, area.0.y);
    let key = (UVec2::new(w as u32, h as u32), generation.0);
    if w <= 0.0 || h <= 0.0 || *reported == Some(key) {
        return;
    }
    // The screen's texts exist one frame after it is built.
    let Some(ticket_vmin) = texts
        .iter()
        .filter(|t| t.ticket)
        .map(|t| t.vmin)
        .reduce(f32::max)
    else {
        return;
    };
    *reported = Some(key);
    let height_mm = spec.screen_height_mm(w, h);
    let px_per_mm = h / height_mm;
    let required_mm = required_cap_mm(spec.distance_m);
    let min_cap_px = required_mm * px_per_mm;
    if sizing.min_cap_px != min_cap_px {
        sizing.min_cap_px = min_cap_px;
    }
    let report = SizingReport {
        required_mm,
        px_per_mm,
        ticket_mm: ticket_vmin * w.min(h) / 100.0 * CAP_HEIGHT_EM / px_per_mm,
    };
    log_event::emit(LogEvent::RoomSizing {
        distance_m: tenths(spec.distance_m),
        screen_height_mm: tenths(height_mm),
        required_cap_mm: tenths(report.required_mm),
        ticket_cap_mm: tenths(report.ticket_mm),
        too_small: report.too_small(),
    });
    if report.too_small() {
        let other_layout = if layout.0.name == "accessible" {
            ""
        } else {
            ", or use the accessible layout (larger tickets)"
        };
        warn!(
            "the screen is too small for {:.1} m: tickets need capitals of {:.0} mm (ADA 703.5) \
             but this {:.0} mm tall screen draws them at most {:.0} mm; use a larger screen or \
             hang it closer to the seats{other_layout}",
            spec.distance_m, report.required_mm, height_mm, report.ticket_mm
        );
    } else {
        info!(
            "sized for {:.1} m: capitals of at least {:.0} mm ({:.0} px); tickets are drawn at \
             {:.0} mm",
            spec.distance_m, report.required_mm, min_cap_px, report.ticket_mm
        );
    }
}

/// Rounded to a tenth, as a JSON number without float noise.
fn tenths(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

/// A ticket or counter name of a call, sized from the layout, the room and its length.
///
/// Tickets longer than `SHORT_TICKET` characters ("PAS-117-2026") get proportionally smaller
/// type so they stay on one line inside the zone. When the room's viewing distance asks for
/// larger capitals than the layout gives (`RoomSizing`), the text is raised to them.
#[derive(Component, Clone, Copy, Debug)]
pub struct CallText {
    /// The layout's size, in percent of the screen's shorter side.
    pub vmin: f32,
    pub ticket: bool,
    /// The room may raise it up to this size (a ticket is already as large as its zone allows).
    pub max_vmin: f32,
}

impl CallText {
    pub fn ticket(vmin: f32) -> Self {
        Self {
            vmin,
            ticket: true,
            max_vmin: vmin,
        }
    }

    /// A counter name next to a ticket of `ticket_vmin`: raised at most to the ticket's size.
    pub fn counter(vmin: f32, ticket_vmin: f32) -> Self {
        Self {
            vmin,
            ticket: false,
            max_vmin: ticket_vmin.max(vmin),
        }
    }
}

/// Tickets up to this many characters show at the layout's full size.
const SHORT_TICKET: usize = 7;

/// Capital (and digit) height of Noto Sans Bold as a share of the font size (its `capHeight`
/// is 714 of 1000 units; checked against the shipped font in a test).
pub const CAP_HEIGHT_EM: f32 = 0.714;

/// The smallest capital height, in pixels, that the room's viewing distance asks of call texts
/// (`--distance`, `--screen-height-mm`); 0 when the room is not described.
#[derive(Resource, Default, Clone, Copy, Debug, PartialEq)]
pub struct RoomSizing {
    pub min_cap_px: f32,
}

/// The type size of a call text: the layout's, shrunk for a long ticket, raised to the room's
/// minimum capitals. All in percent of the screen's shorter side.
pub fn call_text_vmin(call: &CallText, chars: usize, min_cap_vmin: f32) -> f32 {
    let chars = chars.max(1);
    let shrink = if call.ticket {
        (SHORT_TICKET as f32 / chars as f32).min(1.0)
    } else {
        1.0
    };
    let base = call.vmin * shrink;
    base.max((min_cap_vmin / CAP_HEIGHT_EM).min(call.max_vmin * shrink))
}

/// Sets each call text's type size when the text, the room or the window changes.
pub fn size_call_texts(
    sizing: Res<RoomSizing>,
    area: Res<ScreenArea>,
    mut texts: Query<(&Text, &CallText, &mut TextFont)>,
) {
    let vmin_px = area.vmin_px();
    let min_cap_vmin = if vmin_px > 0.0 {
        sizing.min_cap_px / vmin_px
    } else {
        0.0
    };
    for (text, call, mut font) in &mut texts {
        let size = FontSize::VMin(call_text_vmin(call, text.0.chars().count(), min_cap_vmin));
        if font.font_size != size {
            font.font_size = size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ada_rule_grows_past_four_point_six_metres() {
        assert_eq!(required_cap_mm(3.0), 51.0);
        assert_eq!(required_cap_mm(4.6), 51.0);
        let at_8 = required_cap_mm(8.0);
        assert!((at_8 - 86.4).abs() < 0.5, "{at_8}");
    }

    #[test]
    fn a_diagonal_becomes_the_picture_height() {
        let spec = RoomSpec {
            distance_m: 8.0,
            screen: ScreenSize::DiagonalIn(55.0),
        };
        // A 55-inch 16:9 screen is about 685 mm tall.
        let h = spec.screen_height_mm(1920.0, 1080.0);
        assert!((h - 684.9).abs() < 1.0, "{h}");
    }
}
