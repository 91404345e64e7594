//! The call animation: the hero pops in and its panel flashes twice in amber, then stays marked
//! with an amber border. At most one flash a second (WCAG 2.3.1 allows three), and with reduced
//! motion the change is plain: no scaling, no flashing, only the mark.

use bevy::prelude::*;
use bevy::window::RequestRedraw;

use super::ScreenSettings;
use herald_core::design::MarkStyle;
use herald_core::log_event::{self, LogEvent};

use super::design_assets::ActiveTheme;
use super::palette::Palette;
use super::slots::{Part, Slot};

/// Seconds the pop-in scale lasts.
pub const POP_SECS: f64 = 0.45;
/// Where the pop-in's growth stops showing: the ease-out has under 0.1 % left to grow after
/// this (0.18 · 0.177³ < 0.001, well under a pixel of the hero), so the hero is drawn at its full
/// size then, and the frames after it would repeat that picture.
pub const POP_SHOWN_SECS: f64 = POP_SECS * (1.0 - 0.177);
/// The highlight is on during these intervals (seconds after the call arrives).
pub const FLASHES: [(f64, f64); 2] = [(0.0, 0.6), (1.0, 1.6)];
/// After this, nothing moves: only the mark remains until `marked_secs`.
pub const MOTION_SECS: f64 = 1.6;

#[derive(Resource, Default, Debug)]
pub struct HeroMotion {
    pub started: Option<f64>,
    /// Frames drawn for the call's motion (the pop-in's, and one at each flash change), those of
    /// the pop-in, and the time of the last pop-in frame, for the `call_animation` report (how
    /// smooth it was on this machine, and what a call costs in frames).
    frames: u32,
    pop_frames: u32,
    last_pop_frame: f64,
    reported: bool,
    /// Seconds between the pop-in's frames, when they are paced ([`pace_the_pop_in`]); `None`:
    /// as often as the screen takes them.
    pub pace: Option<f64>,
}

impl HeroMotion {
    /// No call's pop-in or flash runs at `now` (the screen's real seconds): what the hero shows
    /// now stays until the next call.
    pub fn at_rest(&self, now: f64) -> bool {
        self.started
            .is_none_or(|started| now - started >= MOTION_SECS)
    }
}

/// How often a software renderer draws the pop-in. Every frame there is CPU the office's machine
/// pays for (a call's motion was most of a call's cost), and drawn as fast as it could the pop-in
/// ran at about 50 frames a second for a 0.37 s motion; 36 keeps it smooth, with room above 30
/// when the machine is busy. A graphics card draws it as its display refreshes.
pub const SOFTWARE_POP_IN_FPS: f64 = 36.0;

/// Paces the pop-in on a software renderer (lavapipe, llvmpipe, SwiftShader).
pub fn pace_the_pop_in(
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    mut motion: ResMut<HeroMotion>,
) {
    let software = adapter.is_some_and(|a| a.device_type == wgpu::DeviceType::Cpu);
    if software {
        motion.pace = Some(1.0 / SOFTWARE_POP_IN_FPS);
        info!(
            "software renderer: the pop-in is drawn {SOFTWARE_POP_IN_FPS} times a second, not as \
             often as it could be"
        );
    }
}

impl HeroMotion {
    pub fn start(&mut self, now: f64) {
        self.started = Some(now);
        self.frames = 0;
        self.pop_frames = 0;
        self.last_pop_frame = now;
        self.reported = false;
    }
}

/// When the hero's look next changes after `t` seconds of motion, once the pop-in is over: the
/// flashes switch at fixed times, and nothing needs drawing in between, so the screen sleeps
/// until then (a wake-up, like the clock's) instead of drawing the same picture every tick.
/// `None` when nothing more moves (the mark's end is planned on its own).
pub fn next_change_after(t: f64, reduced_motion: bool, mark: MarkStyle) -> Option<f64> {
    if reduced_motion || mark == MarkStyle::Panel {
        return None;
    }
    FLASHES
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .chain([MOTION_SECS])
        .filter(|at| *at > t)
        .reduce(f64::min)
}

/// What the hero looks like `t` seconds after a call arrived.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub scale: f32,
    pub highlighted: bool,
    pub marked: bool,
}

pub fn look_at(t: f64, reduced_motion: bool, marked_secs: f64, mark: MarkStyle) -> Look {
    let marked = (0.0..marked_secs).contains(&t);
    // A "panel" mark is the highlight itself, steady while the call is marked: one change on,
    // one change off, never a flash.
    let steady = mark == MarkStyle::Panel;
    if reduced_motion {
        return Look {
            scale: 1.0,
            highlighted: steady && marked,
            marked,
        };
    }
    let scale = if t < POP_SHOWN_SECS {
        // Ease-out cubic from 0.82 to 1.
        let x = (t / POP_SECS) as f32;
        0.82 + 0.18 * (1.0 - (1.0 - x).powi(3))
    } else {
        1.0
    };
    Look {
        scale,
        highlighted: if steady {
            marked
        } else {
            FLASHES.iter().any(|(a, b)| (*a..*b).contains(&t))
        },
        marked,
    }
}

type PanelQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static Part,
        Option<&'static mut BackgroundColor>,
        &'static mut Node,
        Option<&'static mut UiTransform>,
    ),
>;

#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system reading the state it draws"
)]
pub fn animate_hero(
    time: Res<Time<Real>>,
    settings: Res<ScreenSettings>,
    mut motion: ResMut<HeroMotion>,
    mut panels: PanelQuery,
    mut texts: Query<(&Slot, &mut TextColor)>,
    mut redraw: MessageWriter<RequestRedraw>,
    theme: Res<ActiveTheme>,
    mut last: Local<Option<(u32, bool, bool)>>,
) {
    let Some(started) = motion.started else {
        return;
    };
    let now = time.elapsed_secs_f64();
    let t = now - started;
    let reduced = settings.design.reduced_motion || settings.layout_reduced_motion;
    let look = look_at(t, reduced, settings.marked_secs, settings.mark);
    if !motion.reported {
        // This frame draws part of the motion; the first after its end draws its last change.
        motion.frames += 1;
        if t < POP_SHOWN_SECS {
            motion.pop_frames += 1;
            motion.last_pop_frame = now;
        }
    }
    if t >= MOTION_SECS && !motion.reported {
        motion.reported = true;
        let seconds = t;
        let pop = motion.last_pop_frame - started;
        // The pop-in's smoothness: its frames over the time they spanned.
        let fps = if motion.pop_frames > 1 && pop > 0.0 {
            f64::from(motion.pop_frames - 1) / pop
        } else {
            0.0
        };
        log_event::emit(LogEvent::CallAnimation {
            frames: motion.frames,
            pop_frames: motion.pop_frames,
            seconds: (seconds * 1000.0).round() / 1000.0,
            fps: (fps * 10.0).round() / 10.0,
            reduced_motion: reduced,
        });
        debug!(
            "call animation: {} frames in {seconds:.2} s, the pop-in {} at {fps:.1} fps",
            motion.frames, motion.pop_frames
        );
    }
    if t >= settings.marked_secs.max(MOTION_SECS) {
        motion.started = None;
    } else if t < POP_SHOWN_SECS && !reduced && motion.pace.is_none() {
        // Frames while the hero scales; after it, only the flashes change, at planned times
        // (`next_change_after`, in the wake-up plan). Reduced motion changes once. A paced
        // pop-in's frames are planned wake-ups too.
        redraw.write(RequestRedraw);
    }
    let key = ((look.scale * 1000.0) as u32, look.highlighted, look.marked);
    if *last == Some(key) {
        return;
    }
    *last = Some(key);
    let c = Palette::of(&theme.0);
    // Only what differs is written: the room's layer is drawn again on a frame where one of its
    // nodes changed (`layers`), and the pop-in's frames change the call's scale alone.
    for (part, background, mut node, transform) in &mut panels {
        match part {
            Part::HeroPanel | Part::HeroCallBacking => {
                if let Some(mut background) = background {
                    background.set_if_neq(BackgroundColor(if look.highlighted {
                        c.highlight
                    } else {
                        c.panel
                    }));
                }
            }
            Part::HeroMark => {
                let display = if look.marked {
                    Display::Flex
                } else {
                    Display::None
                };
                if node.display != display {
                    node.display = display;
                }
            }
            Part::HeroContent => {
                if let Some(mut transform) = transform {
                    let scale = Vec2::splat(look.scale);
                    if transform.scale != scale {
                        transform.scale = scale;
                    }
                }
            }
            _ => {}
        }
    }
    for (slot, mut color) in &mut texts {
        let (normal, on_highlight) = match slot {
            Slot::HeroTicket | Slot::HeroCounter | Slot::HeroDetail => {
                (c.text, c.text_on_highlight)
            }
            Slot::HeroTitle | Slot::HeroVisitor | Slot::Elsewhere => (c.muted, c.text_on_highlight),
            Slot::HeroArrow => (c.accent, c.text_on_highlight),
            _ => continue,
        };
        color.set_if_neq(TextColor(if look.highlighted {
            on_highlight
        } else {
            normal
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduced_motion_never_scales_or_flashes_but_still_marks() {
        for i in 0..200 {
            let look = look_at(f64::from(i) * 0.05, true, 10.0, MarkStyle::Border);
            assert_eq!(look.scale, 1.0);
            assert!(!look.highlighted);
            assert_eq!(look.marked, f64::from(i) * 0.05 < 10.0);
        }
    }

    #[test]
    fn after_the_pop_in_only_the_flash_changes_are_planned() {
        // The pop-in ends where its last visible step is: full size there, none later.
        let almost = look_at(POP_SHOWN_SECS - 1e-6, false, 10.0, MarkStyle::Border).scale;
        assert!(1.0 - almost < 0.001, "{almost}");
        assert_eq!(
            look_at(POP_SHOWN_SECS, false, 10.0, MarkStyle::Border).scale,
            1.0
        );
        let changes: Vec<f64> = std::iter::successors(Some(POP_SHOWN_SECS), |t| {
            next_change_after(*t, false, MarkStyle::Border)
        })
        .skip(1)
        .collect();
        assert_eq!(changes, [0.6, 1.0, 1.6]);
        // Between two planned changes the look is the same: no frame there would differ.
        for w in [POP_SHOWN_SECS, 0.6, 1.0, 1.6].windows(2) {
            let (a, b) = (w[0] + 0.001, w[1] - 0.001);
            assert_eq!(
                look_at(a, false, 10.0, MarkStyle::Border),
                look_at(b, false, 10.0, MarkStyle::Border),
                "{a}..{b}"
            );
        }
        assert_eq!(next_change_after(0.5, true, MarkStyle::Border), None);
        assert_eq!(next_change_after(0.5, false, MarkStyle::Panel), None);
        assert_eq!(next_change_after(1.6, false, MarkStyle::Border), None);
    }

    #[test]
    fn the_call_pops_in_and_settles() {
        assert!(look_at(0.0, false, 10.0, MarkStyle::Border).scale < 0.9);
        assert_eq!(look_at(1.0, false, 10.0, MarkStyle::Border).scale, 1.0);
        assert!(look_at(0.1, false, 10.0, MarkStyle::Border).highlighted);
        assert!(!look_at(2.0, false, 10.0, MarkStyle::Border).highlighted);
        assert!(look_at(9.0, false, 10.0, MarkStyle::Border).marked);
        assert!(!look_at(10.5, false, 10.0, MarkStyle::Border).marked);
    }
}
