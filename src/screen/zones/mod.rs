//! The screen's zones, one file each: [`header`] (office, connection, clock), [`hero`] (the call
//! now), [`recent`] (the last calls), [`counters`] (every counter, or the one a counter screen
//! stands above), [`notices`] and the [`closed`] office. A layout file places them; each zone is
//! a function plugin with its widgets as functions returning `impl Bundle`.
//!
//! Here: what every zone shares (which text an entity carries, which parts show with the
//! state), building the screen from the active layout and theme, and copying the
//! [`ScreenView`](super::view::ScreenView) onto the text entities when it changes.

pub mod closed;
pub mod counters;
pub mod header;
pub mod hero;
pub mod media;
pub mod notices;
pub mod qr;
pub mod queue;
pub mod recent;

use bevy::prelude::*;
use bevy::text::FontSize;
use herald_core::design::{Rect4, ZoneKind};

use super::design_assets::{ActiveLayout, ActiveTheme};
use super::palette::Palette;
use super::view::{RowLook, ScreenView, ViewInput};
use super::{DisplayLangs, ScreenSettings, ScreenSystems, WaitingRoom, Words};

/// Which text a `Text` entity carries; one refresh system fills them all.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    OfficeName,
    Connection,
    Time,
    Date,
    HeroTitle,
    HeroTicket,
    HeroArrow,
    HeroCounter,
    HeroDetail,
    HeroVisitor,
    HeroRecall,
    /// The word of the priority badge ("Prednostne"), after a star.
    HeroPriority,
    /// Calls for other floors or counters: "Inde: B012 – Okienko 9, 2. poschodie (vyššie)".
    Elsewhere,
    Waiting,
    RecentTitle,
    RecentTicket(usize),
    RecentArrow(usize),
    RecentCounter(usize),
    /// A star before a priority ticket in the recent list.
    RecentStar(usize),
    QueueTitle,
    QueueService(usize),
    QueueCount(usize),
    QueueWait(usize),
    QueueNext(usize),
    /// The word of a priority ticket's badge on a counter screen.
    CounterPriority,
    /// What the QR code is for ("Vybavte si to online").
    QrCaption,
    /// Says that the pictures' rotation is paused, with the notices' (WCAG 2.2.2).
    MediaPaused,
    Notice,
    /// Says that the notices' rotation is paused (WCAG 2.2.2), so staff do not forget it.
    NoticePaused,
    ClosedTitle,
    ClosedHint,
    ClosedTime,
    CounterName,
    CounterTicket,
    CounterState,
}

/// Nodes shown or hidden with the state.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    HeroPanel,
    /// The ring round the hero while a new call is marked.
    HeroMark,
    HeroContent,
    RecallBadge,
    /// A star and "Prednostne" beside the hero's ticket: a shape and a word, not colour alone.
    PriorityBadge,
    CounterPriorityBadge,
    ElsewhereLine,
    ConnectionPill,
    QueuePanel,
    QueueRow(usize),
    RecentRow(usize),
    CountersStrip,
    NoticeBar,
    ClosedOverlay,
    /// The pictures over the hero's space after a quiet while (`media_in_hero_after`).
    HeroMedia,
    /// "Pictures paused" over the media zone.
    MediaPaused,
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

/// Bumped each time the screen is rebuilt, so the refresh systems redraw everything.
#[derive(Resource, Default, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ScreenGeneration(pub u64);

/// The counter a `counter` layout shows (`--counter ID`).
#[derive(Resource, Default, Clone, Debug)]
pub struct CounterFocus(pub Option<String>);

/// The text scale of a zone, kept for content rebuilt later (the counter chips).
#[derive(Component, Clone, Copy)]
pub struct ZoneScale(pub f32);

/// Text sizes: percent of the screen's shorter side, so landscape and portrait read alike.
#[derive(Clone, Copy)]
pub struct Sizer {
    pub scale: f32,
}

impl Sizer {
    pub fn size(&self, vmin: f32) -> FontSize {
        FontSize::VMin(vmin * self.scale)
    }
}

/// What a zone widget is drawn with.
#[derive(Clone)]
pub struct Pen {
    pub z: Sizer,
    pub fonts: ScreenFonts,
    pub colours: Palette,
}

/// A star and the word "priority" on a dark badge: a priority ticket is told by a shape and a
/// word, never by colour alone (WCAG 1.4.1). Hidden until the view shows `part`.
pub fn priority_badge(pen: &Pen, part: Part, slot: Slot, size: f32) -> impl Bundle + use<> {
    let c = pen.colours;
    (
        Node {
            align_self: AlignSelf::Start,
            align_items: AlignItems::Center,
            column_gap: vmin(0.8),
            padding: UiRect::axes(vw(1.2), vmin(0.6)),
            border_radius: BorderRadius::all(vmin(1)),
            display: Display::None,
            ..default()
        },
        BackgroundColor(c.text_on_highlight),
        part,
        children![
            (
                Text::new("★"),
                TextFont {
                    font: pen.fonts.arrow.clone().into(),
                    font_size: pen.z.size(size),
                    ..default()
                },
                TextColor(c.accent),
            ),
            text(slot, &pen.fonts.bold, pen.z.size(size), c.accent),
        ],
    )
}

/// A text that the refresh fills for `slot`.
pub fn text(slot: Slot, font: &Handle<Font>, size: FontSize, color: Color) -> impl Bundle + use<> {
    (
        Text::new(""),
        TextFont {
            font: font.clone().into(),
            font_size: size,
            ..default()
        },
        TextColor(color),
        slot,
    )
}

/// The node of a zone placed by the layout, clipping what does not fit.
pub fn zone_node(rect: &Rect4) -> Node {
    Node {
        position_type: PositionType::Absolute,
        left: percent(rect.left),
        top: percent(rect.top),
        width: percent(rect.width),
        height: percent(rect.height),
        overflow: Overflow::clip(),
        ..default()
    }
}

/// A one-pixel line under a row, `inset` from both ends, in the row's bottom margin. A Bevy
/// border would draw it with one quad the size of the whole row, shaded pixel by pixel.
pub fn rule_under(color: Color, inset: Val) -> impl Bundle {
    (
        Node {
            position_type: PositionType::Absolute,
            left: inset,
            right: inset,
            bottom: px(-1),
            height: px(1),
            ..default()
        },
        BackgroundColor(color),
    )
}

/// The camera that draws the screen: into the window, or in preview into the target image.
#[derive(Component)]
pub struct ScreenCamera;

pub fn plugin(app: &mut App) {
    app.init_resource::<ScreenGeneration>()
        .init_resource::<CounterFocus>()
        .add_systems(Startup, spawn_camera)
        .add_systems(Update, build_screen.in_set(ScreenSystems::Decide))
        .add_systems(Update, refresh_texts.in_set(ScreenSystems::Draw))
        // The header, recent calls and the closed office have no systems of their own.
        .add_plugins((
            hero::plugin,
            counters::plugin,
            notices::plugin,
            queue::plugin,
            qr::plugin,
            media::plugin,
        ));
}

fn spawn_camera(
    mut commands: Commands,
    target: Option<Res<super::preview::target::PreviewTarget>>,
) {
    match target {
        Some(target) => {
            commands.spawn((
                Camera2d,
                Camera {
                    order: -1,
                    ..default()
                },
                super::preview::target::screen_camera_target(Some(&target)),
                IsDefaultUiCamera,
                ScreenCamera,
                // See below: a UI needs no multisampling.
                Msaa::Off,
            ));
        }
        None => {
            // Bevy multisamples every camera 4× by default: on a software renderer that is four
            // times the fragment work and a resolve pass each frame, for a UI whose edges are
            // already anti-aliased (text) or axis-aligned (panels).
            commands.spawn((
                Camera2d,
                Camera {
                    // The copy to the window covers every pixel: clearing the window first is
                    // a full-screen pass for nothing.
                    output_mode: bevy::camera::CameraOutputMode::Write {
                        blend_state: None,
                        clear_color: ClearColorConfig::None,
                    },
                    ..default()
                },
                ScreenCamera,
                Msaa::Off,
            ));
        }
    }
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
    old: Query<Entity, With<ScreenRoot>>,
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
        settings.qr_url.as_deref(),
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
    if layout.zone(ZoneKind::Media).is_some() && settings.media.is_none() {
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
                        root.spawn(header::zone(&zone.rect, &pen));
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
        });
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
            now: settings.now(),
            elapsed: time.elapsed_secs_f64(),
            office_name: settings.office_name.as_deref(),
            hours: settings.hours.as_deref(),
            opening: Some(&settings.opening).filter(|o| o.is_set()),
            recent_rows: settings.recent_rows,
            instant: std::time::Instant::now(),
            queue_stale: settings.queue_stale,
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
