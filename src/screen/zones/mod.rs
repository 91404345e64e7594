//! The screen's zones, one file each: [`header`] (office, connection, clock), [`hero`] (the call
//! now), [`recent`] (the last calls), [`counters`] (every counter, or the one a counter screen
//! stands above), [`notices`], the [`closed`] office and the [`emergency`] over everything. A layout file places them; each zone is
//! a function plugin with its widgets as functions returning `impl Bundle`.
//!
//! Here: what every zone shares (which text an entity carries, which parts show with the
//! state), building the screen from the active layout and theme, and copying the
//! [`ScreenView`](super::view::ScreenView) onto the text entities when it changes.

pub mod closed;
pub mod counters;
pub mod emergency;
pub mod header;
pub mod hero;
pub mod media;
pub mod notices;
pub mod qr;
pub mod queue;
pub mod recent;
mod widgets;

use bevy::prelude::*;
use herald_core::design::ZoneKind;

pub use super::ScreenGeneration;
use super::design_assets::{ActiveLayout, ActiveTheme};
use super::palette::Palette;
pub use super::slots::{Part, Slot};
use super::view::{RowLook, ScreenView, ViewInput};
use super::{DisplayLangs, ScreenSettings, ScreenSystems, WaitingRoom, Words};
pub use widgets::{Pen, Sizer, ZoneScale, priority_badge, rule_under, text, zone_node};

/// Which of the two trees (`layers`) a zone is built for. Both trees hold the same nodes, so they
/// lay out alike; each shows only what its camera draws.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Everything but the call's line and the clock's time, drawn when it changes.
    Room,
    /// The call's line and the clock's time, drawn on every frame over the room.
    Call,
}

impl Layer {
    /// Something the room draws: shown in its tree, kept in the call's for its place only.
    pub fn room_part(self) -> Visibility {
        match self {
            Layer::Room => Visibility::Inherited,
            Layer::Call => Visibility::Hidden,
        }
    }

    /// Something the call's camera draws: shown in its tree, kept in the room's for its place.
    pub fn call_part(self) -> Visibility {
        match self {
            Layer::Room => Visibility::Hidden,
            Layer::Call => Visibility::Inherited,
        }
    }
}

/// The fonts and the emblem the zones draw with.
#[derive(Resource, Clone, Default)]
pub struct ScreenFonts {
    pub regular: Handle<Font>,
    pub bold: Handle<Font>,
    /// DejaVu Sans Bold, only for "→", which Noto Sans lacks.
    pub arrow: Handle<Font>,
    /// The office's emblem, when the theme or `--logo` names one.
    pub logo: Option<Handle<Image>>,
}

/// Marks the screen's root node, rebuilt when the layout or the theme changes.
#[derive(Component)]
pub struct ScreenRoot;

/// The counter a `counter` layout shows (`--counter ID`).
#[derive(Resource, Default, Clone, Debug)]
pub struct CounterFocus(pub Option<String>);

/// The camera that draws the room (all but the call's line, `layers`): into the window, or in
/// preview into the target image.
#[derive(Component)]
pub struct ScreenCamera;

pub fn plugin(app: &mut App) {
    app.init_resource::<ScreenGeneration>()
        .init_resource::<CounterFocus>()
        .add_systems(Startup, super::layers::spawn_cameras)
        .add_systems(Update, build_screen.in_set(ScreenSystems::Decide))
        .add_systems(Update, refresh_texts.in_set(ScreenSystems::Draw))
        // The header, recent calls and the closed office have no systems of their own.
        .add_plugins((
            hero::plugin,
            emergency::plugin,
            counters::plugin,
            notices::plugin,
            queue::plugin,
            qr::plugin,
            media::plugin,
        ));
}

/// Builds the screen from the active layout and theme: at start, and again whenever either
/// changes (a saved file in preview, another layout chosen).
#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system building the screen from everything it shows"
)]
fn build_screen(
    mut commands: Commands,
    assets: Option<Res<AssetServer>>,
    images: Option<ResMut<Assets<Image>>>,
    layout: Res<ActiveLayout>,
    theme: Res<ActiveTheme>,
    mut settings: ResMut<ScreenSettings>,
    mut generation: ResMut<ScreenGeneration>,
    old: Query<Entity, Or<(With<ScreenRoot>, With<super::layers::CallLayerRoot>)>>,
    layer_cameras: Option<Res<super::layers::LayerCameras>>,
    mut cameras: Query<&mut Camera, With<ScreenCamera>>,
) {
    if !layout.is_changed() && !theme.is_changed() {
        return;
    }
    for entity in &old {
        commands.entity(entity).despawn();
    }
    generation.0 += 1;
    let theme = &theme.0;
    let fonts = match assets {
        Some(assets) => ScreenFonts {
            regular: assets.load(theme.font_regular.clone()),
            bold: assets.load(theme.font_bold.clone()),
            arrow: assets.load(theme.font_arrow.clone()),
            logo: settings
                .design
                .logo
                .clone()
                .or_else(|| theme.logo.clone())
                .map(|path| assets.load(path)),
        },
        None => ScreenFonts::default(),
    };
    commands.insert_resource(fonts.clone());
    let layout = &layout.0;
    settings.recent_rows = layout.recent_rows;
    settings.layout_reduced_motion = layout.reduced_motion;
    settings.marked_secs = layout.mark_seconds;
    settings.mark = layout.mark;
    settings.next_tickets = layout.next_tickets;
    settings.queue_rows = layout.queue_rows;
    let colours = Palette::of(theme);
    // The screen's background is the camera's clear colour, not a node: a full-screen node is
    // shaded pixel by pixel every frame, which on a software renderer is a large part of a frame.
    for mut camera in &mut cameras {
        camera.clear_color = ClearColorConfig::Custom(colours.background);
    }
    // The QR code's texture, made once per build when the layout has a QR zone.
    let qr_code = match (
        layout.zone(ZoneKind::Qr),
        settings.design.qr_url.as_deref(),
        images,
    ) {
        (Some(_), Some(url), Some(mut images)) => match qr::image(url) {
            Some((image, modules)) => Some((images.add(image), modules)),
            None => {
                warn!(
                    "--qr-url is too long for a QR code ({} bytes); the zone shows its caption only",
                    url.len()
                );
                None
            }
        },
        (Some(_), None, _) => {
            warn!(
                "the layout has a QR zone but no --qr-url is set; the zone shows its caption only"
            );
            None
        }
        _ => None,
    };
    if layout.zone(ZoneKind::Media).is_some() && settings.design.media.is_none() {
        warn!(
            "the layout has a media zone but no --media folder is set; the zone stays empty \
             (give --media FOLDER, or media = \"…\" in herald.toml)"
        );
    }
    let pen = |scale: f32| Pen {
        z: Sizer {
            scale: scale * theme.text_scale,
        },
        fonts: fonts.clone(),
        colours,
    };
    commands
        .spawn((
            Node {
                width: percent(100),
                height: percent(100),
                ..default()
            },
            ScreenRoot,
        ))
        .with_children(|root| {
            for zone in &layout.zones {
                let pen = pen(zone.scale);
                match zone.kind {
                    ZoneKind::Header => {
                        root.spawn(header::zone(&zone.rect, &pen, Layer::Room));
                    }
                    ZoneKind::Hero => {
                        root.spawn(hero::zone(zone, &pen));
                        if layout.media_in_hero_after.is_some() {
                            // Spawned after the hero, so it is drawn over it.
                            root.spawn(media::hero_cover(&zone.rect, &pen));
                        }
                    }
                    ZoneKind::Recent => {
                        root.spawn(recent::zone(&zone.rect, &pen, layout.recent_rows));
                    }
                    ZoneKind::Counters => {
                        root.spawn(counters::strip(&zone.rect, &pen));
                    }
                    ZoneKind::Notice => {
                        root.spawn(notices::zone(&zone.rect, &pen));
                    }
                    ZoneKind::Counter => {
                        root.spawn(counters::one_counter(&zone.rect, &pen));
                    }
                    ZoneKind::Queue => {
                        root.spawn(queue::zone(&zone.rect, &pen, layout.queue_rows));
                    }
                    ZoneKind::Qr => {
                        root.spawn(qr::zone(&zone.rect, &pen, qr_code.clone()));
                    }
                    ZoneKind::Media => {
                        root.spawn(media::zone(&zone.rect, &pen));
                    }
                }
            }
            // The closed-office screen covers everything when every counter is closed.
            root.spawn(closed::overlay(&pen(1.0)));
            // An emergency covers even the closed office.
            root.spawn(emergency::overlay(&pen(1.0)));
        });
    // The call's line and the clock's time in a tree of their own, drawn over the room by their
    // own camera (`layers`): a new minute then leaves the room's picture as it is.
    if let Some(cameras) = layer_cameras {
        let hero = layout.zone(ZoneKind::Hero).cloned();
        let header = layout.zone(ZoneKind::Header).cloned();
        let (hero_pen, header_pen) = (
            hero.as_ref().map(|z| pen(z.scale)),
            header.as_ref().map(|z| pen(z.scale)),
        );
        commands.spawn((
            Node {
                width: percent(100),
                height: percent(100),
                ..default()
            },
            super::layers::CallLayerRoot,
            UiTargetCamera(cameras.call),
            Children::spawn(SpawnWith(move |layer: &mut ChildSpawner| {
                if let (Some(zone), Some(pen)) = (&header, &header_pen) {
                    layer.spawn(header::zone(&zone.rect, pen, Layer::Call));
                }
                if let (Some(zone), Some(pen)) = (&hero, &hero_pen) {
                    layer.spawn(hero::call_layer(zone, pen));
                }
            })),
        ));
    }
}

/// What the refresh last drew, so it redraws only on a change.
#[derive(Default, PartialEq, Clone)]
struct Drawn {
    generation: u64,
    view: Option<ScreenView>,
}

/// Fills every zone's texts and shows or hides its parts from one [`ScreenView`], when the view
/// changed (the board, the language, the minute, the connection, the notice, the marks).
fn refresh_texts(
    room: Res<WaitingRoom>,
    words: Option<Res<Words>>,
    langs: Option<Res<DisplayLangs>>,
    settings: Res<ScreenSettings>,
    theme: Res<ActiveTheme>,
    layout: Res<ActiveLayout>,
    focus: Option<Res<CounterFocus>>,
    generation: Res<ScreenGeneration>,
    rotation: Res<notices::NoticeRotation>,
    // The clock and the frame's number (for the log), as one parameter.
    (time, frame): (Res<Time<Real>>, Option<Res<bevy::diagnostic::FrameCount>>),
    area: Res<super::ScreenArea>,
    mut fit: ResMut<queue::QueueFit>,
    mut pictures: ResMut<crate::screen::media::MediaShow>,
    mut drawn: Local<Drawn>,
    mut texts: Query<(&Slot, &mut Text, &mut TextColor)>,
    mut parts: Query<(&Part, &mut Node, Option<&mut BackgroundColor>)>,
) {
    let (Some(words), Some(langs)) = (words, langs) else {
        return;
    };
    let focus = focus.and_then(|f| f.0.clone());
    let elapsed = time.elapsed_secs_f64();
    // The pictures take the hero's space when no call came for the layout's while and none
    // waits; the first frame that has a new call has the hero back.
    let media_in_hero = layout.0.media_in_hero_after.is_some_and(|after| {
        pictures.current.is_some() && room.pending.is_empty() && elapsed - room.hero_since >= after
    });
    let mut view = ScreenView::of(
        &room,
        &words.0,
        &ViewInput {
            lang: langs.lang(),
            langs: &langs.langs,
            now: settings.now(),
            elapsed: time.elapsed_secs_f64(),
            office_name: settings.design.office_name.as_deref(),
            hours: settings.design.hours.as_deref(),
            opening: Some(&settings.design.opening).filter(|o| o.is_set()),
            recent_rows: settings.recent_rows,
            instant: std::time::Instant::now(),
            queue_stale: settings.design.queue_stale,
            next_tickets: settings.next_tickets,
            queue_rows: settings.queue_rows,
            mark: settings.mark,
            marked_secs: settings.marked_secs,
            counter_screen: layout.0.zone(ZoneKind::Counter).is_some(),
            focus: focus.as_deref(),
            notice_index: rotation.index,
            notices_paused: rotation.paused,
            media_in_hero,
            media_rotating: pictures.files.len() > 1,
        },
    );
    let on_screen =
        !view.closed && (view.media_in_hero || layout.0.zone(ZoneKind::Media).is_some());
    if pictures.on_screen != on_screen {
        pictures.on_screen = on_screen;
    }
    // Leave out the waiting rows that were measured not to fit (see `queue::QueueFit`).
    let queue_key = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&view.queue, &view.lang, generation.0).hash(&mut hasher);
        area.0.round().as_uvec2().hash(&mut hasher);
        hasher.finish()
    };
    if fit.drawn != queue_key {
        fit.drawn = queue_key;
    }
    if let Some(rows) = fit.rows_for(queue_key) {
        view.queue.truncate(rows);
    }
    if drawn.generation == generation.0 && drawn.view.as_ref() == Some(&view) {
        return;
    }
    let was_in_hero = drawn.view.as_ref().is_some_and(|v| v.media_in_hero);
    if view.media_in_hero != was_in_hero {
        let ticket = (!view.media_in_hero)
            .then(|| room.hero.as_ref().map(|h| h.call.ticket.clone()))
            .flatten();
        info!(
            "{}",
            match &ticket {
                None if view.media_in_hero =>
                    "no call for a while: the hero shows the pictures".to_owned(),
                Some(t) => format!("{t} takes the hero back from the pictures"),
                None => "the hero shows the last call again".to_owned(),
            }
        );
        herald_core::log_event::emit(herald_core::log_event::LogEvent::MediaInHero {
            shown: view.media_in_hero,
            ticket,
            frame: frame.map_or(0, |f| f.0),
        });
    }
    let colours = Palette::of(&theme.0);
    for (slot, mut text, mut color) in &mut texts {
        let value = view.text(*slot);
        if let Slot::RecentStar(i) = *slot {
            let wanted = match view.row_look(i) {
                Some(RowLook::New) => colours.text_on_highlight,
                _ => colours.accent,
            };
            if color.0 != wanted {
                color.0 = wanted;
            }
        }
        if let Slot::RecentTicket(i) | Slot::RecentCounter(i) | Slot::RecentArrow(i) = *slot {
            // Served visitors stay listed but step back; new ones stand out.
            let wanted = match view.row_look(i) {
                Some(RowLook::New) => colours.text_on_highlight,
                Some(RowLook::Finished) => colours.muted,
                _ => colours.text,
            };
            if color.0 != wanted {
                color.0 = wanted;
            }
        }
        if text.0 != value {
            text.0 = value;
        }
    }
    for (part, mut node, background) in &mut parts {
        if let (Part::RecentRow(i), Some(mut background)) = (part, background) {
            let wanted = if view.row_look(*i) == Some(RowLook::New) {
                colours.highlight
            } else {
                Color::NONE
            };
            if background.0 != wanted {
                background.0 = wanted;
            }
        }
        let Some(show) = view.shows(*part) else {
            continue;
        };
        let display = if show { Display::Flex } else { Display::None };
        if node.display != display {
            node.display = display;
        }
    }
    *drawn = Drawn {
        generation: generation.0,
        view: Some(view),
    };
}
