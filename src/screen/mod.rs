//! The screen: the Bevy shell that shows the room on a waiting-room monitor.
//!
//! It owns no rules about calls (those live in `herald_core`'s board and room); it builds the
//! zones a layout places (`zones/`), fills them from the pure text view (`view`), animates a
//! new call (`motion`), and sleeps between changes (`wakeup`). The edges meet it here too: the
//! feed (`feed_link`), the loudspeaker, the design files, the preview and screenshots.

pub mod app;
pub mod clock;
pub mod design_assets;
pub mod design_files;
pub mod feed_link;
pub mod fit;
pub mod frame_costs;
pub mod layers;
pub mod leaving;
pub mod loudspeaker;
pub mod media;
pub mod memory;
pub mod motion;
pub mod opening;
pub mod palette;
pub mod preview;
pub mod service;
pub mod shot;
pub mod sizing;
pub mod slots;
pub mod status_link;
pub mod view;
pub mod wakeup;
pub mod zones;

use std::sync::Arc;

use bevy::prelude::*;
use herald_core::catalogue::Catalogue;
use herald_core::design::MarkStyle;
use herald_core::log_event::{self, LogEvent};
use herald_core::room::Room;

/// The room this screen shows: the board, the hero and its queue (`herald_core::room`).
#[derive(Resource, Default, Deref, DerefMut)]
pub struct WaitingRoom(pub Room);

/// The words, shared with the rest of herald.
#[derive(Resource, Clone)]
pub struct Words(pub Arc<Catalogue>);

/// The office's display languages and which one the screen shows now.
#[derive(Resource, Clone, Debug)]
pub struct DisplayLangs {
    pub langs: Vec<String>,
    pub current: usize,
    /// Seconds between language switches when there are several.
    pub every: f64,
    pub switched_at: f64,
}

impl DisplayLangs {
    pub fn new(langs: Vec<String>) -> Self {
        let langs = if langs.is_empty() {
            vec!["en".to_owned()]
        } else {
            langs
        };
        Self {
            langs,
            current: 0,
            every: 12.0,
            switched_at: 0.0,
        }
    }

    pub fn lang(&self) -> &str {
        self.langs.get(self.current).map_or("en", String::as_str)
    }
}

/// Bumped each time the screen is rebuilt, so the refresh systems redraw everything.
#[derive(Resource, Default, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ScreenGeneration(pub u64);

/// The size in pixels of what the screen is drawn on: the window, or in preview the image the
/// screen renders into (`preview::PreviewTarget`). Text fitting and room sizing use it.
#[derive(Resource, Default, Clone, Copy, Debug, PartialEq)]
pub struct ScreenArea(pub Vec2);

impl ScreenArea {
    /// One percent of the shorter side, in pixels.
    pub fn vmin_px(&self) -> f32 {
        self.0.x.min(self.0.y) / 100.0
    }
}

/// Follows the primary window's size, unless a preview target says otherwise.
fn measure_screen_area(
    windows: Query<&bevy::window::Window, With<bevy::window::PrimaryWindow>>,
    target: Option<Res<preview::target::PreviewTarget>>,
    mut area: ResMut<ScreenArea>,
) {
    let size = match (target, windows.single()) {
        (Some(target), _) => target.size.as_vec2(),
        (None, Ok(window)) => Vec2::new(
            window.resolution.physical_width() as f32,
            window.resolution.physical_height() as f32,
        ),
        (None, Err(_)) => return,
    };
    if area.0 != size {
        area.0 = size;
    }
}

/// How the screen behaves: the display's design settings as configured (`design`, which the
/// preview may change) and what the layout adds.
#[derive(Resource, Clone, Debug)]
pub struct ScreenSettings {
    /// What the configuration says of the room's picture (`config::Design`): office name, logo,
    /// hours, opening, scope, QR code, pictures, reduced motion…
    pub design: crate::config::Design,
    /// The layout asks for reduced motion (e.g. the accessibility display).
    pub layout_reduced_motion: bool,
    /// Seconds each of several simultaneous calls holds the hero before the next one.
    pub hold_secs: f64,
    /// Seconds a new call stays visibly marked (for visitors who cannot hear the call).
    pub marked_secs: f64,
    /// How it is marked (from the layout).
    pub mark: MarkStyle,
    pub recent_rows: usize,
    /// The queue zone lists next tickets (from the layout).
    pub next_tickets: bool,
    /// Services the queue zone lists at most (from the layout).
    pub queue_rows: usize,
    /// The preview's clock jump: the screen's clock runs this far ahead of the real one (zero
    /// on a wall screen).
    pub clock_ahead: chrono::Duration,
}

impl ScreenSettings {
    /// The time the screen shows and decides by: the real clock, moved by the preview's jump.
    pub fn now(&self) -> chrono::DateTime<chrono::Local> {
        chrono::Local::now() + self.clock_ahead
    }
}

impl Default for ScreenSettings {
    fn default() -> Self {
        Self {
            design: crate::config::Design::default(),
            layout_reduced_motion: false,
            hold_secs: 4.0,
            marked_secs: 10.0,
            mark: MarkStyle::Border,
            recent_rows: 6,
            next_tickets: false,
            queue_rows: 5,
            clock_ahead: chrono::Duration::zero(),
        }
    }
}

// Screen timing uses `Time<Real>`: the virtual clock advances at most 0.25 s per frame, and a
// screen that sleeps for a minute between frames would see its holds and rotations stretched.

/// Systems in the order they run each frame: take news in, decide, write texts, move things.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenSystems {
    Receive,
    Decide,
    Draw,
    Animate,
}

/// Everything that shows the room, without the window, the feed or the renderer, so that tests
/// can run it under `MinimalPlugins`.
pub fn plugin(app: &mut App) {
    // Registered here too so the screen runs without a window (tests with `MinimalPlugins`).
    app.add_message::<bevy::window::RequestRedraw>();
    app.init_resource::<WaitingRoom>()
        .init_resource::<design_assets::ActiveLayout>()
        .init_resource::<design_assets::ActiveTheme>()
        .init_resource::<ScreenArea>()
        .init_resource::<ScreenSettings>()
        .init_resource::<motion::HeroMotion>()
        .configure_sets(
            Update,
            (
                ScreenSystems::Receive,
                ScreenSystems::Decide,
                ScreenSystems::Draw,
                ScreenSystems::Animate,
            )
                .chain(),
        )
        .add_systems(First, measure_screen_area)
        .add_systems(
            Update,
            (advance_hero, rotate_language).in_set(ScreenSystems::Decide),
        )
        .add_systems(Startup, motion::pace_the_pop_in)
        .add_systems(Update, motion::animate_hero.in_set(ScreenSystems::Animate))
        .add_systems(Last, (fit::report_clipped_text, give_memory_back))
        .add_plugins((zones::plugin, media::plugin));
}

/// At most once a minute, on a frame with no call's motion running, the allocator's free pages
/// go back to the system (`heap.rs`): what the start, a language switch or a new design used
/// for a moment is not held for months.
fn give_memory_back(
    time: Res<Time<Real>>,
    motion: Res<motion::HeroMotion>,
    mut last: Local<Option<f64>>,
) {
    const EVERY_SECS: f64 = 60.0;
    let now = time.elapsed_secs_f64();
    let due = last.is_none_or(|at| now - at >= EVERY_SECS);
    // The first frames build the screen: the first look is a minute in.
    if last.is_none() {
        *last = Some(now);
        return;
    }
    if !due || !motion.at_rest(now) {
        return;
    }
    *last = Some(now);
    let started = std::time::Instant::now();
    crate::heap::give_back();
    // The glyph atlases, which grow with what the screen shows, are reported by
    // `status_link::report_glyph_atlases` (/metrics and its debug line).
    debug!(
        "memory given back in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

fn advance_hero(
    time: Res<Time<Real>>,
    frame: Option<Res<bevy::diagnostic::FrameCount>>,
    settings: Res<ScreenSettings>,
    mut room: ResMut<WaitingRoom>,
    mut motion: ResMut<motion::HeroMotion>,
) {
    let now = time.elapsed_secs_f64();
    let hold = settings.hold_secs;
    if let Some(hero) = room.advance(now, hold).cloned() {
        if hero.fresh {
            motion.start(now);
        }
        log_event::emit(LogEvent::CallShown {
            ticket: hero.call.ticket.clone(),
            counter: hero.call.counter.label.clone(),
            recall: hero.recall,
            fresh: hero.fresh,
            frame: frame.map_or(0, |f| f.0),
        });
        info!(
            "showing {} → counter {}{}",
            hero.call.ticket,
            hero.call.counter.label,
            if hero.recall { " (recall)" } else { "" }
        );
    }
}

fn rotate_language(time: Res<Time<Real>>, mut langs: ResMut<DisplayLangs>) {
    let now = time.elapsed_secs_f64();
    if langs.langs.len() > 1 && now - langs.switched_at >= langs.every {
        langs.current = (langs.current + 1) % langs.langs.len();
        langs.switched_at = now;
    }
}
