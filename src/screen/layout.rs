//! The waiting-room layout: header (office, connection, clock), the hero call, recent calls,
//! counters, a notice line, and the closed-office screen. Sizes are in viewport units so the
//! same layout fills 1280×720, 1920×1080 and 4K.

use bevy::prelude::*;
use bevy::text::{FontSize, LineBreak};
use fluent_bundle::FluentValue;

use super::design::{ActiveLayout, ActiveTheme, Rect4, Theme, Zone, ZoneKind};
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

pub fn spawn_camera(mut commands: Commands) {
    commands.spawn(Camera2d);
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
        },
        None => ScreenFonts::default(),
    };
    commands.insert_resource(fonts.clone());
    settings.recent_rows = layout.0.recent_rows;
    settings.layout_reduced_motion = layout.0.reduced_motion;
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
                                column_gap: vw(0.8),
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
                                ..zone_node(&zone.rect)
                            },
                            BackgroundColor(t.header),
                            Part::NoticeBar,
                        ))
                        .with_child((
                            text(Slot::Notice, &f.regular, z.size(2.8), t.text),
                            TextLayout::linebreak(LineBreak::WordBoundary),
                        ));
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
        header.spawn((
            Node {
                max_width: percent(62),
                ..default()
            },
            text(Slot::OfficeName, &f.bold, z.size(3.4), t.text),
        ));
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
            .with_child(text(Slot::Connection, &f.regular, z.size(2.2), t.alert));
        header
            .spawn(Node {
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::End,
                flex_shrink: 0.0,
                ..default()
            })
            .with_children(|clock| {
                clock.spawn(text(Slot::Time, &f.bold, z.size(5.4), t.text));
                clock.spawn(text(Slot::Date, &f.regular, z.size(2.2), t.muted));
            });
    });
}

fn hero_zone(root: &mut ChildSpawnerCommands, zone: &Zone, z: &Sizer, f: &ScreenFonts, t: &Theme) {
    root.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            padding: UiRect::axes(vw(2.5), vh(3)),
            row_gap: vh(1.6),
            border: UiRect::all(vmin(0.6)),
            border_radius: BorderRadius::all(vmin(2)),
            ..zone_node(&zone.rect)
        },
        BackgroundColor(t.panel),
        BorderColor::all(t.panel),
        Part::HeroPanel,
    ))
    .with_children(|hero| {
        hero.spawn(text(Slot::HeroTitle, &f.regular, z.size(3.4), t.muted));
        hero.spawn((
            Node {
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                column_gap: vw(1.6),
                ..default()
            },
            UiTransform::default(),
            Part::HeroContent,
        ))
        .with_children(|row| {
            let fixed = Node {
                flex_shrink: 0.0,
                ..default()
            };
            row.spawn((
                text(Slot::HeroTicket, &f.bold, z.size(14.0), t.text),
                TextLayout::no_wrap(),
                fixed.clone(),
            ));
            row.spawn((
                text(Slot::HeroArrow, &f.arrow, z.size(8.0), t.accent),
                fixed,
            ));
            // The row never wraps: a long counter name wraps inside its own box
            // (down to its longest word), never under the arrow.
            row.spawn(text(Slot::HeroCounter, &f.bold, z.size(8.0), t.text));
        });
        hero.spawn((
            text(Slot::HeroDetail, &f.regular, z.size(4.2), t.text),
            TextLayout::linebreak(LineBreak::WordBoundary),
        ));
        hero.spawn(text(Slot::HeroVisitor, &f.regular, z.size(3.4), t.muted));
        hero.spawn((
            Node {
                align_self: AlignSelf::Start,
                padding: UiRect::axes(vw(1.2), vh(0.6)),
                border_radius: BorderRadius::all(vh(1)),
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
                        padding: UiRect::vertical(vh(0.6)),
                        border: UiRect::bottom(px(1)),
                        ..default()
                    },
                    BorderColor::all(t.header),
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

/// What the refresh last drew, so it redraws only on a change.
#[derive(Default, PartialEq, Eq, Clone)]
pub struct Drawn {
    revision: u64,
    lang: String,
    minute: String,
    connection: Option<String>,
    generation: u64,
    notice: usize,
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
    time: Res<Time<Real>>,
    mut drawn: Local<Option<Drawn>>,
    mut texts: Query<(&Slot, &mut Text, &mut TextColor)>,
    mut parts: Query<(&Part, &mut Node)>,
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
    // Several notices take turns; `notice_seconds = 0` in the layout keeps the first one still.
    let notice_index = if layout.0.notice_seconds > 0.0 && !notices.is_empty() {
        (time.elapsed_secs_f64() / layout.0.notice_seconds) as usize % notices.len()
    } else {
        0
    };
    let state = Drawn {
        revision: room.revision,
        lang: lang.clone(),
        minute: clock::time_text(&now),
        connection: connection.clone(),
        generation: generation.0,
        notice: notice_index,
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
            Slot::ClosedTitle => w.text(&lang, "office-closed", &[]),
            Slot::ClosedHint => w.text(&lang, "office-closed-hint", &[]),
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
            // Served visitors stay listed but step back.
            let finished = recent.get(i).is_some_and(|e| e.finished);
            color.0 = if finished { t.muted } else { t.text };
        }
        if text.0 != value {
            text.0 = value;
        }
    }

    for (part, mut node) in &mut parts {
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
    parts: Query<(Entity, &Part, Option<&ZoneScale>)>,
    mut drawn: Local<(u64, String, u64)>,
) {
    let (Some(words), Some(langs), Some(fonts)) = (words, langs, fonts) else {
        return;
    };
    let lang = langs.lang().to_owned();
    if drawn.0 == room.revision && drawn.1 == lang && drawn.2 == generation.0 {
        return;
    }
    *drawn = (room.revision, lang.clone(), generation.0);
    let Some((strip, _, scale)) = parts.iter().find(|(_, p, _)| **p == Part::CountersStrip) else {
        return;
    };
    let z = Sizer {
        scale: scale.map_or(1.0, |s| s.0),
    };
    let t = &theme.0;
    commands.entity(strip).despawn_children();
    for counter in room.board.counters() {
        let serving = room.board.serving(&counter.id).map(|c| c.ticket.clone());
        let (state_text, state_color) = match counter.state {
            CounterState::Open => (
                serving.unwrap_or_else(|| words.0.text(&lang, "counter-open", &[])),
                t.text,
            ),
            CounterState::Paused => (words.0.text(&lang, "counter-paused", &[]), t.paused),
            CounterState::Closed => (words.0.text(&lang, "counter-closed", &[]), t.closed),
        };
        let name = counter_name(&words, &lang, &counter.label);
        commands.entity(strip).with_children(|strip| {
            strip
                .spawn((
                    Node {
                        flex_grow: 1.0,
                        flex_basis: px(0),
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
                            font_size: z.size(2.2),
                            ..default()
                        },
                        TextColor(t.muted),
                        TextLayout::no_wrap(),
                    ));
                    chip.spawn((
                        Text::new(state_text),
                        TextFont {
                            font: fonts.bold.clone().into(),
                            font_size: z.size(3.8),
                            ..default()
                        },
                        TextColor(state_color),
                        TextLayout::no_wrap(),
                    ));
                });
        });
    }
}
