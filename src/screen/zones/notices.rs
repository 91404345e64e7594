//! The notice line: the office's notices one at a time, rotating every `notice_seconds`; Space
//! or P pauses and resumes the rotation (WCAG 2.2.2), and the bar says so while paused.

use bevy::prelude::*;
use bevy::text::LineBreak;
use herald_core::design::Rect4;
use herald_core::log_event::{self, LogEvent};

use super::{Part, Pen, Slot, text, zone_node};
use crate::screen::design_assets::ActiveLayout;
use crate::screen::{ScreenSystems, WaitingRoom};

pub fn plugin(app: &mut App) {
    app.init_resource::<NoticeRotation>().add_systems(
        Update,
        (rotate_notices, pause_notices_by_key).in_set(ScreenSystems::Decide),
    );
}

/// The notice bar: the notice, and "notices paused" at its end while they are.
pub fn zone(rect: &Rect4, pen: &Pen) -> impl Bundle {
    let (c, f, z) = (pen.colours, &pen.fonts, pen.z);
    (
        Node {
            padding: UiRect::horizontal(vw(3)),
            align_items: AlignItems::Center,
            justify_content: JustifyContent::SpaceBetween,
            ..zone_node(rect)
        },
        BackgroundColor(c.header),
        Part::NoticeBar,
        children![
            (
                Node {
                    flex_grow: 1.0,
                    flex_shrink: 1.0,
                    min_width: px(0),
                    ..default()
                },
                text(Slot::Notice, &f.regular, z.size(2.8), c.text),
                TextLayout::linebreak(LineBreak::WordBoundary),
            ),
            (
                Node {
                    flex_shrink: 0.0,
                    margin: UiRect::left(vw(1.5)),
                    ..default()
                },
                text(Slot::NoticePaused, &f.regular, z.size(2.0), c.muted),
            ),
        ],
    )
}

/// Which of several notices shows, and whether their rotation is paused. WCAG 2.2.2 asks that
/// content changing by itself for more than 5 s can be paused: Space or P on the display's
/// keyboard (or the preview panel) pauses and resumes it.
#[derive(Resource, Default, Debug, Clone)]
pub struct NoticeRotation {
    pub index: usize,
    /// When the current notice came up, in `Time<Real>` seconds.
    pub shown_since: f64,
    pub paused: bool,
}

impl NoticeRotation {
    /// Seconds until the next notice should show, if the rotation runs.
    pub fn next_in(&self, now: f64, notices: usize, every: f64) -> Option<f64> {
        (notices > 1 && every > 0.0 && !self.paused).then_some(self.shown_since + every - now)
    }

    /// Pauses or resumes at `now`; a resumed notice gets its full time again.
    pub fn toggle(&mut self, now: f64) {
        self.paused = !self.paused;
        self.shown_since = now;
        log_event::emit(LogEvent::NoticeRotation {
            paused: self.paused,
        });
        info!(
            "notice rotation {}",
            if self.paused { "paused" } else { "resumed" }
        );
    }
}

/// True while the keyboard belongs to something else (a text field of the preview panel).
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct KeyboardTaken(pub bool);

/// Shows the next notice when the current one has had its `notice_seconds`.
fn rotate_notices(
    time: Res<Time<Real>>,
    room: Res<WaitingRoom>,
    layout: Res<ActiveLayout>,
    mut rotation: ResMut<NoticeRotation>,
) {
    let now = time.elapsed_secs_f64();
    let count = room.notices_here(chrono::Utc::now()).len();
    if rotation
        .next_in(now, count, layout.0.notice_seconds)
        .is_some_and(|wait| wait <= 0.0)
    {
        rotation.index = (rotation.index + 1) % count;
        rotation.shown_since = now;
    }
}

/// Space or P pauses and resumes the notices.
fn pause_notices_by_key(
    time: Res<Time<Real>>,
    keys: Option<Res<ButtonInput<KeyCode>>>,
    typing: Option<Res<KeyboardTaken>>,
    mut rotation: ResMut<NoticeRotation>,
) {
    // Keys typed into the preview panel's text fields are not commands for the screen.
    if typing.is_some_and(|t| t.0) {
        return;
    }
    if keys.is_some_and(|k| k.any_just_pressed([KeyCode::Space, KeyCode::KeyP])) {
        rotation.toggle(time.elapsed_secs_f64());
    }
}
