//! The emergency screen: covers everything (calls, pictures, the closed office) while an
//! emergency holds for this screen. Still by design: no flashing and no motion, ever (WCAG
//! 2.3.1), whatever the layout's motion settings; a sign and a word say what it is, not colour
//! alone. The theme's `emergency` colours give the accessibility display its own contrast.

use bevy::prelude::*;

use super::{Part, Pen, Slot, text};

/// The overlay, hidden until an emergency is raised for this screen.
pub fn overlay(pen: &Pen) -> impl Bundle {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            padding: UiRect::all(vw(4)),
            row_gap: vh(3),
            // A frame in the text's colour: the screen reads as "not the usual board" even to
            // someone who cannot tell red.
            border: UiRect::all(vmin(1.5)),
            display: Display::None,
            ..default()
        },
        BackgroundColor(c.emergency),
        BorderColor::all(c.emergency_text),
        // Over the closed office (10) and everything else.
        GlobalZIndex(30),
        Part::EmergencyOverlay,
        children![
            text(
                Slot::EmergencySign,
                &f.arrow,
                z.size(12.0),
                c.emergency_text
            ),
            text(Slot::EmergencyTitle, &f.bold, z.size(8.0), c.emergency_text),
            (
                text(Slot::EmergencyText, &f.bold, z.size(4.6), c.emergency_text),
                TextLayout::justify(Justify::Center),
            ),
            (
                text(
                    Slot::EmergencyOthers,
                    &f.regular,
                    z.size(3.0),
                    c.emergency_text
                ),
                TextLayout::justify(Justify::Center),
            ),
            text(
                Slot::EmergencySince,
                &f.regular,
                z.size(2.6),
                c.emergency_text
            ),
        ],
    )
}

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        say_emergency.in_set(crate::screen::ScreenSystems::Decide),
    );
}

/// One log line (and `--log-json` event) when an emergency comes onto this screen or leaves it.
fn say_emergency(
    room: Res<crate::screen::WaitingRoom>,
    mut shown: Local<Option<(String, herald_core::protocol::EmergencyKind)>>,
) {
    let now = room
        .emergency_here(chrono::Utc::now())
        .map(|e| (e.id.clone(), e.kind));
    if *shown == now {
        return;
    }
    let kind_name = |k: herald_core::protocol::EmergencyKind| {
        serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    if let Some((id, kind)) = shown.take() {
        info!("emergency {id} is no longer shown");
        herald_core::log_event::emit(herald_core::log_event::LogEvent::Emergency {
            id,
            kind: kind_name(kind),
            shown: false,
        });
    }
    if let Some((id, kind)) = &now {
        warn!("emergency {id} ({}) covers the screen", kind_name(*kind));
        herald_core::log_event::emit(herald_core::log_event::LogEvent::Emergency {
            id: id.clone(),
            kind: kind_name(*kind),
            shown: true,
        });
    }
    *shown = now;
}
