//! The waiting-room layout: header (office, connection, clock), the hero call, recent calls,
//! counters, a notice line, and the closed-office screen. Sizes are in viewport units so the
//! same layout fills 1280×720, 1920×1080 and 4K.

use bevy::prelude::*;
use bevy::text::{FontSize, LineBreak};
use fluent_bundle::FluentValue;

use super::design::{ActiveLayout, ActiveTheme, HeroLine, MarkStyle, Rect4, Theme, Zone, ZoneKind};
use super::{DisplayLangs, Room, ScreenSettings, Words, clock};
use crate::catalogue;
use crate::protocol::{Call, CounterState, Localized};

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
    Waiting,
    RecentTitle,
    RecentTicket(usize),
    RecentArrow(usize),
    RecentCounter(usize),
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
    HeroContent,
    RecallBadge,
    ConnectionPill,
    RecentRow(usize),
    CountersStrip,
    NoticeBar,
    ClosedOverlay,
}

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

/// Text sizes: percent of the screen's shorter side, so landscape and portrait read alike.
struct Sizer {
    scale: f32,
}

impl Sizer {
    fn size(&self, vmin: f32) -> FontSize {
        FontSize::VMin(vmin * self.scale)
    }
}

fn text(slot: Slot, font: &Handle<Font>, size: FontSize, color: Color) -> impl Bundle {
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

fn zone_node(rect: &Rect4) -> Node {
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

/// The camera that draws the screen: into the window, or in preview into the target image.
#[derive(Component)]
pub struct ScreenCamera;

pub fn spawn_camera(
    mut commands: Commands,
    target: Option<Res<super::preview_target::PreviewTarget>>,
) {
    match target {
        Some(target) => {
            commands.spawn((
                Camera2d,
                Camera {
                    order: -1,
                    ..default()
                },
                super::preview_target::screen_camera_target(Some(&target)),
                IsDefaultUiCamera,
                ScreenCamera,
            ));
        }
        None => {
            commands.spawn((Camera2d, ScreenCamera));
        }
    }
}

/// Builds the screen from the active layout and theme: at start, and again whenever either
/// changes (a saved file in preview, another layout chosen).
#[allow(
    clippy::too_many_arguments,
    reason = "the screen is built from several resources at once"
)]
pub fn build_screen(
    mut commands: Commands,
    assets: Option<Res<AssetServer>>,
    layout: Res<ActiveLayout>,
    theme: Res<ActiveTheme>,
    mut settings: ResMut<ScreenSettings>,
    mut generation: ResMut<ScreenGeneration>,
    old: Query<Entity, With<ScreenRoot>>,
) {
    if !layout.is_changed() && !theme.is_changed() {
        return;
    }
    for entity in &old {
        commands.entity(entity).despawn();
    }
    generation.0 += 1;
    let t = &theme.0;
    let fonts = match assets {
        Some(assets) => ScreenFonts {
            regular: assets.load(t.font_regular.clone()),
            bold: assets.load(t.font_bold.clone()),
            arrow: assets.load(t.font_arrow.clone()),
            logo: settings
                .logo
                .clone()
                .or_else(|| t.logo.clone())
                .map(|path| assets.load(path)),
        },
        None => ScreenFonts::default(),
    };
    commands.insert_resource(fonts.clone());
    settings.recent_rows = layout.0.recent_rows;
    settings.layout_reduced_motion = layout.0.reduced_motion;
    settings.marked_secs = layout.0.mark_seconds;
    settings.mark = layout.0.mark;
    let f = &fonts;
    commands
        .spawn((
            Node {
                width: percent(100),
                height: percent(100),
                ..default()
            },
            BackgroundColor(t.background),
            ScreenRoot,
        ))
        .with_children(|root| {
            for zone in &layout.0.zones {
                let z = Sizer {
                    scale: zone.scale * t.text_scale,
                };
                match zone.kind {
                    ZoneKind::Header => header_zone(root, zone, &z, f, t),
                    ZoneKind::Hero => hero_zone(root, zone, &z, f, t),
                    ZoneKind::Recent => recent_zone(root, zone, &z, f, t, layout.0.recent_rows),
                    ZoneKind::Counters => {
                        root.spawn((
                            Node {
                                column_gap: vw(STRIP_GAP_VW),
                                row_gap: vw(STRIP_GAP_VW),
                                flex_wrap: FlexWrap::Wrap,
                                align_content: AlignContent::Start,
                                flex_direction: FlexDirection::Row,
                                align_items: AlignItems::Stretch,
                                ..zone_node(&zone.rect)
                            },
                            Part::CountersStrip,
                            ZoneScale(z.scale),
                        ));
                    }
                    ZoneKind::Notice => {
                        root.spawn((
                            Node {
                                padding: UiRect::horizontal(vw(3)),
                                align_items: AlignItems::Center,
                                justify_content: JustifyContent::SpaceBetween,
                                ..zone_node(&zone.rect)
                            },
                            BackgroundColor(t.header),
                            Part::NoticeBar,
                        ))
                        .with_children(|bar| {
                            bar.spawn((
                                Node {
                                    flex_grow: 1.0,
                                    flex_shrink: 1.0,
                                    min_width: px(0),
                                    ..default()
                                },
                                text(Slot::Notice, &f.regular, z.size(2.8), t.text),
                                TextLayout::linebreak(LineBreak::WordBoundary),
                            ));
                            bar.spawn((
                                Node {
                                    flex_shrink: 0.0,
                                    margin: UiRect::left(vw(1.5)),
                                    ..default()
                                },
                                text(Slot::NoticePaused, &f.regular, z.size(2.0), t.muted),
                            ));
                        });
                    }
                    ZoneKind::Counter => counter_zone(root, zone, &z, f, t),
                }
            }
            // The closed-office screen covers everything when every counter is closed.
            let z = Sizer {
                scale: t.text_scale,
            };
            root.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    width: percent(100),
                    height: percent(100),
                    flex_direction: FlexDirection::Column,
                    justify_content: JustifyContent::Center,
                    align_items: AlignItems::Center,
                    padding: UiRect::horizontal(vw(4)),
                    row_gap: vh(3),
                    display: Display::None,
                    ..default()
                },
                BackgroundColor(t.background),
                GlobalZIndex(10),
                Part::ClosedOverlay,
            ))
            .with_children(|closed| {
                closed.spawn(text(Slot::ClosedTime, &f.bold, z.size(9.0), t.text));
                closed.spawn(text(Slot::ClosedTitle, &f.bold, z.size(7.0), t.text));
                closed.spawn((
                    text(Slot::ClosedHint, &f.regular, z.size(4.0), t.muted),
                    TextLayout::justify(Justify::Center),
                ));
            });
        });
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
    area: Res<super::ScreenArea>,
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

/// The text scale of a zone, kept for content rebuilt later (the counter chips).
#[derive(Component, Clone, Copy)]
pub struct ZoneScale(pub f32);

fn header_zone(
    root: &mut ChildSpawnerCommands,
    zone: &Zone,
    z: &Sizer,
    f: &ScreenFonts,
    t: &Theme,
) {
    root.spawn((
        Node {
            padding: UiRect::horizontal(vw(3)),
            flex_direction: FlexDirection::Row,
            justify_content: JustifyContent::SpaceBetween,
            align_items: AlignItems::Center,
            column_gap: vw(2),
            ..zone_node(&zone.rect)
        },
        BackgroundColor(t.header),
    ))
    .with_children(|header| {
        header
            .spawn(Node {
                flex_grow: 1.0,
                flex_shrink: 1.0,
                min_width: px(0),
                max_width: percent(70),
                height: percent(100),
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                column_gap: vw(1.2),
                ..default()
            })
            .with_children(|office| {
                if let Some(logo) = &f.logo {
                    office.spawn((
                        Node {
                            height: percent(72),
                            flex_shrink: 0.0,
                            ..default()
                        },
                        ImageNode::new(logo.clone()),
                    ));
                }
                // The name sits in a box of its own so that a long name wraps to the box's
                // width and the box grows to the wrapped height.
                office
                    .spawn(Node {
                        flex_shrink: 1.0,
                        min_width: px(0),
                        flex_direction: FlexDirection::Column,
                        ..default()
                    })
                    .with_child(text(Slot::OfficeName, &f.bold, z.size(3.4), t.text));
            });
        header
            .spawn((
                Node {
                    padding: UiRect::axes(vw(1.2), vh(0.8)),
                    border: UiRect::all(px(2)),
                    border_radius: BorderRadius::all(vh(3)),
                    display: Display::None,
                    ..default()
                },
                BorderColor::all(t.alert),
                Part::ConnectionPill,
            ))
            .with_child(text(
                Slot::Connection,
                &f.regular,
                z.size(CHIP_NAME_VMIN),
                t.alert,
            ));
        header
            .spawn(Node {
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::End,
                flex_shrink: 0.0,
                ..default()
            })
            .with_children(|clock| {
                clock.spawn(text(Slot::Time, &f.bold, z.size(5.4), t.text));
                clock.spawn(text(
                    Slot::Date,
                    &f.regular,
                    z.size(CHIP_NAME_VMIN),
                    t.muted,
                ));
            });
    });
}

fn hero_zone(root: &mut ChildSpawnerCommands, zone: &Zone, z: &Sizer, f: &ScreenFonts, t: &Theme) {
    root.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            // In the short side's units, so a portrait hero is not padded with empty rows.
            padding: UiRect::axes(vw(2.5), vmin(3)),
            row_gap: vmin(1.6),
            border: UiRect::all(vmin(0.6)),
            border_radius: BorderRadius::all(vmin(2)),
            ..zone_node(&zone.rect)
        },
        BackgroundColor(t.panel),
        BorderColor::all(t.panel),
        Part::HeroPanel,
    ))
    .with_children(|hero| {
        for line in &zone.lines {
            match line {
                HeroLine::Title => {
                    hero.spawn(text(Slot::HeroTitle, &f.regular, z.size(3.4), t.muted));
                }
                HeroLine::Call => call_line(hero, z, f, t),
                HeroLine::Where => {
                    hero.spawn((
                        text(Slot::HeroDetail, &f.regular, z.size(4.2), t.text),
                        TextLayout::linebreak(LineBreak::WordBoundary),
                    ));
                }
                HeroLine::Visitor => {
                    hero.spawn(text(Slot::HeroVisitor, &f.regular, z.size(3.4), t.muted));
                }
            }
        }
        hero.spawn((
            Node {
                align_self: AlignSelf::Start,
                padding: UiRect::axes(vw(1.2), vmin(0.6)),
                border_radius: BorderRadius::all(vmin(1)),
                display: Display::None,
                ..default()
            },
            // Dark badge, amber words: readable on the navy panel and on the amber flash.
            BackgroundColor(t.text_on_highlight),
            Part::RecallBadge,
        ))
        .with_child(text(Slot::HeroRecall, &f.bold, z.size(3.2), t.accent));
        hero.spawn(text(Slot::Waiting, &f.regular, z.size(5.0), t.muted));
    });
}

/// Ticket → counter, on one line when it fits.
fn call_line(hero: &mut ChildSpawnerCommands, z: &Sizer, f: &ScreenFonts, t: &Theme) {
    hero.spawn((
        Node {
            flex_direction: FlexDirection::Row,
            // On a narrow screen "→ counter" moves under the ticket rather than being cut.
            flex_wrap: FlexWrap::Wrap,
            align_items: AlignItems::Center,
            column_gap: vw(1.6),
            ..default()
        },
        UiTransform::default(),
        Part::HeroContent,
    ))
    .with_children(|row| {
        row.spawn((
            text(Slot::HeroTicket, &f.bold, z.size(14.0), t.text),
            TextLayout::no_wrap(),
            CallText::ticket(14.0 * z.scale),
            Node {
                flex_shrink: 0.0,
                ..default()
            },
        ));
        row.spawn(Node {
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: vw(1.6),
            flex_shrink: 1.0,
            min_width: px(0),
            ..default()
        })
        .with_children(|to| {
            to.spawn((
                text(Slot::HeroArrow, &f.arrow, z.size(8.0), t.accent),
                Node {
                    flex_shrink: 0.0,
                    ..default()
                },
            ));
            // A long counter name wraps inside its own box (down to its longest word).
            to.spawn((
                text(Slot::HeroCounter, &f.bold, z.size(8.0), t.text),
                CallText::counter(8.0 * z.scale, 14.0 * z.scale),
            ));
        });
    });
}

fn recent_zone(
    root: &mut ChildSpawnerCommands,
    zone: &Zone,
    z: &Sizer,
    f: &ScreenFonts,
    t: &Theme,
    rows: usize,
) {
    root.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::axes(vw(1.8), vh(2.4)),
            border_radius: BorderRadius::all(vmin(2)),
            row_gap: vh(0.4),
            ..zone_node(&zone.rect)
        },
        BackgroundColor(t.panel),
    ))
    .with_children(|recent| {
        recent.spawn((
            Node {
                margin: UiRect::bottom(vh(1)),
                ..default()
            },
            text(Slot::RecentTitle, &f.regular, z.size(3.0), t.muted),
        ));
        for row in 0..rows {
            recent
                .spawn((
                    Node {
                        flex_direction: FlexDirection::Row,
                        justify_content: JustifyContent::SpaceBetween,
                        align_items: AlignItems::Center,
                        padding: UiRect::axes(vmin(1), vmin(0.6)),
                        border: UiRect::bottom(px(1)),
                        border_radius: BorderRadius::all(vmin(1)),
                        ..default()
                    },
                    BorderColor::all(t.header),
                    BackgroundColor(Color::NONE),
                    Part::RecentRow(row),
                ))
                .with_children(|line| {
                    line.spawn(text(Slot::RecentTicket(row), &f.bold, z.size(5.4), t.text));
                    line.spawn(Node {
                        column_gap: vw(0.8),
                        align_items: AlignItems::Center,
                        ..default()
                    })
                    .with_children(|to| {
                        to.spawn(text(Slot::RecentArrow(row), &f.arrow, z.size(3.2), t.muted));
                        to.spawn(text(
                            Slot::RecentCounter(row),
                            &f.regular,
                            z.size(3.6),
                            t.text,
                        ));
                    });
                });
        }
    });
}

fn counter_zone(
    root: &mut ChildSpawnerCommands,
    zone: &Zone,
    z: &Sizer,
    f: &ScreenFonts,
    t: &Theme,
) {
    root.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            row_gap: vh(2),
            ..zone_node(&zone.rect)
        },
        BackgroundColor(t.background),
    ))
    .with_children(|counter| {
        counter.spawn(text(Slot::CounterName, &f.bold, z.size(12.0), t.muted));
        counter.spawn((
            text(Slot::CounterTicket, &f.bold, z.size(40.0), t.text),
            TextLayout::no_wrap(),
            CallText::ticket(40.0 * z.scale),
        ));
        counter.spawn(text(Slot::CounterState, &f.bold, z.size(10.0), t.accent));
    });
}

/// The service name in `lang`, else the office's primary language, else English, else any.
pub fn service_name(service: &Localized, lang: &str, primary: &str) -> String {
    [lang, primary, "en"]
        .iter()
        .find_map(|l| service.get(*l))
        .or_else(|| service.values().next())
        .cloned()
        .unwrap_or_default()
}

fn counter_name(words: &Words, lang: &str, label: &str) -> String {
    words.0.text(
        lang,
        "counter-name",
        &[("label", FluentValue::from(label.to_owned()))],
    )
}

fn where_to_go(words: &Words, lang: &str, call: &Call) -> String {
    let mut parts = vec![service_name(&call.service, lang, words.0.primary())];
    if let Some(floor) = call.floor {
        parts.push(
            words
                .0
                .text(lang, "floor-name", &catalogue::floor_args(floor)),
        );
    }
    if let Some(room) = &call.room {
        parts.push(room.clone());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
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
        crate::event_log::emit(
            "notice_rotation",
            serde_json::json!({ "paused": self.paused }),
        );
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
pub fn rotate_notices(
    time: Res<Time<Real>>,
    room: Res<Room>,
    layout: Res<ActiveLayout>,
    mut rotation: ResMut<NoticeRotation>,
) {
    let now = time.elapsed_secs_f64();
    let count = room.board.active_notices(chrono::Utc::now()).len();
    if rotation
        .next_in(now, count, layout.0.notice_seconds)
        .is_some_and(|wait| wait <= 0.0)
    {
        rotation.index = (rotation.index + 1) % count;
        rotation.shown_since = now;
    }
}

/// Space or P pauses and resumes the notices.
pub fn pause_notices_by_key(
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

/// What the refresh last drew, so it redraws only on a change.
#[derive(Default, PartialEq, Eq, Clone)]
pub struct Drawn {
    revision: u64,
    lang: String,
    minute: String,
    connection: Option<String>,
    generation: u64,
    notice: usize,
    notice_paused: bool,
    marked: Vec<String>,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one system fills every zone from one snapshot of state"
)]
pub fn refresh_texts(
    room: Res<Room>,
    words: Option<Res<Words>>,
    langs: Option<Res<DisplayLangs>>,
    settings: Res<ScreenSettings>,
    theme: Res<ActiveTheme>,
    layout: Res<ActiveLayout>,
    focus: Option<Res<CounterFocus>>,
    generation: Res<ScreenGeneration>,
    rotation: Res<NoticeRotation>,
    time: Res<Time<Real>>,
    mut drawn: Local<Option<Drawn>>,
    mut texts: Query<(&Slot, &mut Text, &mut TextColor)>,
    mut parts: Query<(&Part, &mut Node, Option<&mut BackgroundColor>)>,
) {
    let (Some(words), Some(langs)) = (words, langs) else {
        return;
    };
    let lang = langs.lang().to_owned();
    let now = chrono::Local::now();
    let connection = if room.status.connected {
        None
    } else {
        room.status.lost_since.map(|since| {
            words.0.text(
                &lang,
                "connection-lost",
                &[("time", FluentValue::from(clock::time_text(&since)))],
            )
        })
    };
    let notices = room.board.active_notices(chrono::Utc::now());
    let notice_index = if notices.is_empty() {
        0
    } else {
        rotation.index % notices.len()
    };
    let notice_paused = rotation.paused && notices.len() > 1;
    // Calls still marked as new keep a highlighted row in the recent list ("panel" marks).
    let marked: Vec<String> = if settings.mark == MarkStyle::Panel {
        room.marked_ids(time.elapsed_secs_f64(), settings.marked_secs)
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else {
        Vec::new()
    };
    let state = Drawn {
        revision: room.revision,
        lang: lang.clone(),
        minute: clock::time_text(&now),
        connection: connection.clone(),
        generation: generation.0,
        notice: notice_index,
        notice_paused,
        marked: marked.clone(),
    };
    if drawn.as_ref() == Some(&state) {
        return;
    }
    *drawn = Some(state);

    let w = &words.0;
    let hero = room.hero.as_ref();
    let recent: Vec<_> = room
        .board
        .calls()
        .filter(|e| hero.is_none_or(|h| h.call.id != e.call.id))
        // A call still waiting for its turn on the hero is not "recent" yet: the visitor must
        // not see their ticket listed before it is called.
        .filter(|e| !room.pending.iter().any(|p| p.call.id == e.call.id))
        .take(settings.recent_rows)
        .collect();
    let t = &theme.0;
    let notice = notices
        .get(notice_index)
        .map(|n| service_name(&n.text, &lang, w.primary()))
        .unwrap_or_default();
    // A counter screen shows its counter's state, not the whole office's closed screen.
    let closed = room.board.office_closed() && layout.0.zone(ZoneKind::Counter).is_none();
    let focus_id = focus.and_then(|f| f.0.clone());
    let focus_counter = focus_id
        .as_deref()
        .and_then(|id| room.board.counters().iter().find(|c| c.id == id));
    let focus_serving = focus_id
        .as_deref()
        .and_then(|id| room.board.serving(id))
        .map(|c| c.ticket.clone());

    for (slot, mut text, mut color) in &mut texts {
        let value = match *slot {
            Slot::OfficeName => settings
                .office_name
                .clone()
                .unwrap_or_else(|| w.text(&lang, "office-default-name", &[])),
            Slot::Connection => connection.clone().unwrap_or_default(),
            Slot::Time | Slot::ClosedTime => clock::time_text(&now),
            Slot::Date => clock::date_text(w, &lang, &now),
            Slot::HeroTitle => hero
                .map(|_| w.text(&lang, "now-calling", &[]))
                .unwrap_or_default(),
            Slot::HeroTicket => hero.map(|h| h.call.ticket.clone()).unwrap_or_default(),
            Slot::HeroArrow => hero.map(|_| "→".to_owned()).unwrap_or_default(),
            Slot::HeroCounter => hero
                .map(|h| counter_name(&words, &lang, &h.call.counter.label))
                .unwrap_or_default(),
            Slot::HeroDetail => hero
                .map(|h| where_to_go(&words, &lang, &h.call))
                .unwrap_or_default(),
            Slot::HeroVisitor => hero
                .and_then(|h| {
                    let visitor = h.call.lang.as_deref()?;
                    (visitor != lang && w.has_language(visitor)).then(|| {
                        format!(
                            "{} · {}",
                            counter_name(&words, visitor, &h.call.counter.label),
                            where_to_go(&words, visitor, &h.call)
                        )
                    })
                })
                .unwrap_or_default(),
            Slot::HeroRecall => w.text(&lang, "recall", &[]),
            Slot::Waiting => {
                if hero.is_none() {
                    w.text(&lang, "waiting-for-calls", &[])
                } else {
                    String::new()
                }
            }
            Slot::RecentTitle => w.text(&lang, "recent-calls", &[]),
            Slot::RecentTicket(i) => recent
                .get(i)
                .map(|e| e.call.ticket.clone())
                .unwrap_or_default(),
            Slot::RecentArrow(i) => recent.get(i).map(|_| "→".to_owned()).unwrap_or_default(),
            Slot::RecentCounter(i) => recent
                .get(i)
                .map(|e| counter_name(&words, &lang, &e.call.counter.label))
                .unwrap_or_default(),
            Slot::Notice => notice.clone(),
            Slot::NoticePaused => {
                if notice_paused {
                    w.text(&lang, "notices-paused", &[])
                } else {
                    String::new()
                }
            }
            Slot::ClosedTitle => w.text(&lang, "office-closed", &[]),
            Slot::ClosedHint => match &settings.hours {
                Some(hours) => w.text(
                    &lang,
                    "office-hours",
                    &[("hours", FluentValue::from(hours.clone()))],
                ),
                None => w.text(&lang, "office-closed-hint", &[]),
            },
            // A queue system that sends no counter list still names the counter by its id.
            Slot::CounterName => focus_id
                .as_deref()
                .map(|id| {
                    let label = focus_counter.map_or(id, |c| c.label.as_str());
                    counter_name(&words, &lang, label)
                })
                .unwrap_or_default(),
            Slot::CounterTicket => match focus_counter.map(|c| c.state) {
                None | Some(CounterState::Open) => focus_serving.clone().unwrap_or_default(),
                _ => String::new(),
            },
            Slot::CounterState => match focus_counter.map(|c| c.state) {
                Some(CounterState::Closed) => w.text(&lang, "counter-closed", &[]),
                Some(CounterState::Paused) => w.text(&lang, "counter-paused", &[]),
                Some(CounterState::Open) if focus_serving.is_none() => {
                    w.text(&lang, "counter-open", &[])
                }
                _ => String::new(),
            },
        };
        if let Slot::RecentTicket(i) | Slot::RecentCounter(i) | Slot::RecentArrow(i) = *slot {
            // Served visitors stay listed but step back; new ones stand out.
            let entry = recent.get(i);
            color.0 = if entry.is_some_and(|e| marked.contains(&e.call.id)) {
                t.text_on_highlight
            } else if entry.is_some_and(|e| e.finished) {
                t.muted
            } else {
                t.text
            };
        }
        if text.0 != value {
            text.0 = value;
        }
    }

    for (part, mut node, background) in &mut parts {
        if let (Part::RecentRow(i), Some(mut background)) = (part, background) {
            let new = recent.get(*i).is_some_and(|e| marked.contains(&e.call.id));
            let colour = if new { t.highlight } else { Color::NONE };
            if background.0 != colour {
                background.0 = colour;
            }
        }
        let show = match part {
            Part::RecallBadge => hero.is_some_and(|h| h.recall),
            Part::ConnectionPill => connection.is_some(),
            Part::RecentRow(i) => *i < recent.len(),
            Part::NoticeBar => !notice.is_empty(),
            Part::ClosedOverlay => closed,
            Part::CountersStrip => !room.board.counters().is_empty(),
            Part::HeroPanel | Part::HeroContent => continue,
        };
        let display = if show { Display::Flex } else { Display::None };
        if node.display != display {
            node.display = display;
        }
    }
}

/// A counter chip: its name, and what it is doing or the ticket it serves.
#[derive(Component)]
pub struct CounterChip;

#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system reading the state it draws"
)]
pub fn refresh_counters(
    mut commands: Commands,
    room: Res<Room>,
    words: Option<Res<Words>>,
    langs: Option<Res<DisplayLangs>>,
    fonts: Option<Res<ScreenFonts>>,
    theme: Res<ActiveTheme>,
    generation: Res<ScreenGeneration>,
    parts: Query<(Entity, &Part, Option<&ZoneScale>, Option<&ComputedNode>)>,
    area: Res<super::ScreenArea>,
    mut drawn: Local<(u64, String, u64, UVec2)>,
) {
    let (Some(words), Some(langs), Some(fonts)) = (words, langs, fonts) else {
        return;
    };
    let Some((strip, _, scale, node)) =
        parts.iter().find(|(_, p, _, _)| **p == Part::CountersStrip)
    else {
        return;
    };
    let lang = langs.lang().to_owned();
    // The strip's size is known only after the first layout; the chips are sized again then.
    let strip_size = node.map_or(Vec2::ZERO, |n| n.size);
    let key = (
        room.revision,
        lang.clone(),
        generation.0,
        strip_size.round().as_uvec2(),
    );
    if *drawn == key {
        return;
    }
    *drawn = key;
    let t = &theme.0;
    let chips: Vec<(String, String, Color)> = room
        .board
        .counters()
        .iter()
        .map(|counter| {
            let serving = room.board.serving(&counter.id).map(|c| c.ticket.clone());
            let (state_text, state_color) = match counter.state {
                CounterState::Open => (
                    serving.unwrap_or_else(|| words.0.text(&lang, "counter-open", &[])),
                    t.text,
                ),
                CounterState::Paused => (words.0.text(&lang, "counter-paused", &[]), t.paused),
                CounterState::Closed => (words.0.text(&lang, "counter-closed", &[]), t.closed),
            };
            (
                counter_name(&words, &lang, &counter.label),
                state_text,
                state_color,
            )
        })
        .collect();
    let (vmin_px, gap_px) = (area.vmin_px(), area.0.x * STRIP_GAP_VW / 100.0);
    let texts: Vec<(&str, &str)> = chips.iter().map(|c| (c.0.as_str(), c.1.as_str())).collect();
    let plan = plan_chips(
        &texts,
        strip_size,
        vmin_px,
        gap_px,
        scale.map_or(1.0, |s| s.0),
    );
    debug!(
        "counter chips: strip {strip_size}, {} chips, {plan:?}",
        chips.len()
    );
    commands.entity(strip).despawn_children();
    for (name, state_text, state_color) in chips {
        commands.entity(strip).with_children(|strip| {
            strip
                .spawn((
                    Node {
                        width: plan.chip_width.map_or(Val::Auto, px),
                        height: plan.chip_height.map_or(Val::Auto, px),
                        // Before the strip is measured, chips share it evenly.
                        flex_grow: if plan.chip_width.is_some() { 0.0 } else { 1.0 },
                        flex_basis: if plan.chip_width.is_some() {
                            Val::Auto
                        } else {
                            px(0)
                        },
                        // Chips share the strip evenly, however long their texts.
                        min_width: px(0),
                        padding: UiRect::horizontal(vmin(0.4)),
                        flex_direction: FlexDirection::Column,
                        justify_content: JustifyContent::Center,
                        align_items: AlignItems::Center,
                        border_radius: BorderRadius::all(vh(1.2)),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    BackgroundColor(t.panel),
                    CounterChip,
                ))
                .with_children(|chip| {
                    chip.spawn((
                        Text::new(name),
                        TextFont {
                            font: fonts.regular.clone().into(),
                            font_size: FontSize::VMin(plan.name_vmin),
                            ..default()
                        },
                        TextColor(t.muted),
                        TextLayout::no_wrap(),
                    ));
                    chip.spawn((
                        Text::new(state_text),
                        TextFont {
                            font: fonts.bold.clone().into(),
                            font_size: FontSize::VMin(plan.state_vmin),
                            ..default()
                        },
                        TextColor(state_color),
                        TextLayout::no_wrap(),
                    ));
                });
        });
    }
}

/// Gap between counter chips, in percent of the screen width.
const STRIP_GAP_VW: f32 = 0.8;
/// Sizes of the chip texts, in percent of the screen's shorter side (before scaling).
const CHIP_NAME_VMIN: f32 = 2.2;
const CHIP_STATE_VMIN: f32 = 3.8;

/// How the counter chips are arranged in their strip and how large their texts are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChipPlan {
    pub rows: usize,
    /// Chip size in pixels; `None` before the strip has been measured (chips share it evenly).
    pub chip_width: Option<f32>,
    pub chip_height: Option<f32>,
    pub name_vmin: f32,
    pub state_vmin: f32,
}

/// Arranges `chips` (name, state) in one to three rows of the strip, whichever lets the texts
/// be largest: many counters on a narrow (portrait) screen get a second row before they get
/// smaller type, and never cut names. Widths are estimated from the character count (Noto Sans
/// averages under 0.62 em a character); `fit::report_clipped_text` checks the drawn letters.
pub fn plan_chips(
    chips: &[(&str, &str)],
    strip: Vec2,
    vmin_px: f32,
    gap_px: f32,
    zone_scale: f32,
) -> ChipPlan {
    let unmeasured = ChipPlan {
        rows: 1,
        chip_width: None,
        chip_height: None,
        name_vmin: CHIP_NAME_VMIN * zone_scale,
        state_vmin: CHIP_STATE_VMIN * zone_scale,
    };
    if chips.is_empty() || strip.x <= 0.0 || strip.y <= 0.0 || vmin_px <= 0.0 {
        return unmeasured;
    }
    let widest = |size: f32, texts: &mut dyn Iterator<Item = &str>| {
        texts
            .map(|t| t.chars().count() as f32 * 0.62 * size)
            .fold(0.0, f32::max)
    };
    let name_w = widest(CHIP_NAME_VMIN * zone_scale, &mut chips.iter().map(|c| c.0));
    let state_w = widest(CHIP_STATE_VMIN * zone_scale, &mut chips.iter().map(|c| c.1));
    // Both lines with their line height, and a little air.
    let height = 1.3 * (CHIP_NAME_VMIN + CHIP_STATE_VMIN) * zone_scale + 0.6;
    let n = chips.len();
    (1..=3usize.min(n))
        .map(|rows| {
            let per_row = n.div_ceil(rows);
            // Whole pixels, rounded down, with a pixel to spare: the strip's measured size is
            // rounded, and a row that sums to a hair over it would wrap.
            let width_px =
                ((strip.x - 1.0 - gap_px * (per_row as f32 - 1.0)) / per_row as f32).floor();
            let height_px = ((strip.y - 1.0 - gap_px * (rows as f32 - 1.0)) / rows as f32).floor();
            let room_w = width_px / vmin_px - 0.8;
            let room_h = height_px / vmin_px;
            let name = (room_w / name_w).min(1.0);
            let state = (room_w / state_w).min(1.0);
            let tall = (room_h / height).min(1.0);
            ChipPlan {
                rows,
                chip_width: Some(width_px),
                chip_height: Some(height_px),
                name_vmin: CHIP_NAME_VMIN * zone_scale * name.min(tall).max(0.3),
                state_vmin: CHIP_STATE_VMIN * zone_scale * state.min(tall).max(0.3),
            }
        })
        // The state (the ticket) matters most from across the room; fewer rows win a tie.
        .fold(None::<ChipPlan>, |best, plan| match best {
            Some(b) if b.state_vmin + 0.05 >= plan.state_vmin => Some(b),
            _ => Some(plan),
        })
        .unwrap_or(unmeasured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_counters_keep_full_size_in_one_row() {
        let chips = [("Okienko 1", "A042"), ("Okienko 2", "otvorené")];
        let plan = plan_chips(&chips, Vec2::new(1800.0, 113.0), 10.8, 15.0, 1.0);
        assert_eq!(plan.rows, 1);
        assert_eq!(plan.state_vmin, CHIP_STATE_VMIN);
        assert_eq!(plan.name_vmin, CHIP_NAME_VMIN);
    }

    #[test]
    fn many_counters_on_a_portrait_strip_take_two_rows_before_shrinking_further() {
        let chips: Vec<(String, String)> = (1..=12)
            .map(|i| (format!("Okienko {i}"), "zatvorené".to_owned()))
            .collect();
        let chips: Vec<(&str, &str)> = chips
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let one_row = plan_chips(&chips[..3], Vec2::new(990.0, 154.0), 10.8, 8.6, 0.8);
        let plan = plan_chips(&chips, Vec2::new(990.0, 154.0), 10.8, 8.6, 0.8);
        assert_eq!(one_row.rows, 1);
        assert!(plan.rows >= 2, "{plan:?}");
        assert!(plan.state_vmin < one_row.state_vmin);
        // Every chip's state still fits its width.
        let width = plan.chip_width.expect("measured") / 10.8 - 0.8;
        assert!(9.0 * 0.62 * plan.state_vmin <= width + 0.01, "{plan:?}");
    }
}
