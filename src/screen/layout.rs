//! The waiting-room layout: header (office, connection, clock), the hero call, recent calls,
//! counters, a notice line, and the closed-office screen. Sizes are in viewport units so the
//! same layout fills 1280×720, 1920×1080 and 4K.

use bevy::prelude::*;
use bevy::text::{FontSize, LineBreak};
use fluent_bundle::FluentValue;

use super::theme::CIVIC as THEME;
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

fn text(slot: Slot, font: &Handle<Font>, size_vh: f32, color: Color) -> impl Bundle {
    (
        Text::new(""),
        TextFont {
            font: font.clone().into(),
            font_size: FontSize::Vh(size_vh),
            ..default()
        },
        TextColor(color),
        slot,
    )
}

pub fn spawn_waiting_room(
    mut commands: Commands,
    assets: Option<Res<AssetServer>>,
    settings: Res<ScreenSettings>,
) {
    let fonts = match assets {
        Some(assets) => ScreenFonts {
            regular: assets.load("fonts/NotoSans-Regular.ttf"),
            bold: assets.load("fonts/NotoSans-Bold.ttf"),
            arrow: assets.load("fonts/DejaVuSans-Bold.ttf"),
        },
        None => ScreenFonts::default(),
    };
    commands.insert_resource(fonts.clone());
    commands.spawn(Camera2d);
    let f = &fonts;
    commands
        .spawn((
            Node {
                width: percent(100),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                ..default()
            },
            BackgroundColor(THEME.background),
        ))
        .with_children(|root| {
            // Header: office name, connection marker, clock.
            root.spawn((
                Node {
                    height: vh(11),
                    padding: UiRect::horizontal(vw(3)),
                    flex_direction: FlexDirection::Row,
                    justify_content: JustifyContent::SpaceBetween,
                    align_items: AlignItems::Center,
                    ..default()
                },
                BackgroundColor(THEME.header),
            ))
            .with_children(|header| {
                header.spawn((
                    Node {
                        max_width: percent(62),
                        ..default()
                    },
                    text(Slot::OfficeName, &f.bold, 3.4, THEME.text),
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
                        BorderColor::all(THEME.alert),
                        Part::ConnectionPill,
                    ))
                    .with_child(text(Slot::Connection, &f.regular, 2.2, THEME.alert));
                header
                    .spawn(Node {
                        flex_direction: FlexDirection::Column,
                        align_items: AlignItems::End,
                        ..default()
                    })
                    .with_children(|clock| {
                        clock.spawn(text(Slot::Time, &f.bold, 5.4, THEME.text));
                        clock.spawn(text(Slot::Date, &f.regular, 2.2, THEME.muted));
                    });
            });

            // Main row: the hero call and the recent calls.
            root.spawn(Node {
                flex_grow: 1.0,
                padding: UiRect::axes(vw(3), vh(2.5)),
                column_gap: vw(2),
                flex_direction: FlexDirection::Row,
                ..default()
            })
            .with_children(|main| {
                main.spawn((
                    Node {
                        width: percent(66),
                        flex_direction: FlexDirection::Column,
                        justify_content: JustifyContent::Center,
                        padding: UiRect::axes(vw(2.5), vh(3)),
                        row_gap: vh(1.6),
                        border: UiRect::all(vh(0.6)),
                        border_radius: BorderRadius::all(vh(2)),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    BackgroundColor(THEME.panel),
                    BorderColor::all(THEME.panel),
                    Part::HeroPanel,
                ))
                .with_children(|hero| {
                    hero.spawn(text(Slot::HeroTitle, &f.regular, 3.4, THEME.muted));
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
                            text(Slot::HeroTicket, &f.bold, 14.0, THEME.text),
                            TextLayout::no_wrap(),
                            fixed.clone(),
                        ));
                        row.spawn((text(Slot::HeroArrow, &f.arrow, 8.0, THEME.accent), fixed));
                        // The row never wraps: a long counter name wraps inside its own box
                        // (down to its longest word), never under the arrow.
                        row.spawn(text(Slot::HeroCounter, &f.bold, 8.0, THEME.text));
                    });
                    hero.spawn((
                        text(Slot::HeroDetail, &f.regular, 4.2, THEME.text),
                        TextLayout::linebreak(LineBreak::WordBoundary),
                    ));
                    hero.spawn(text(Slot::HeroVisitor, &f.regular, 3.4, THEME.muted));
                    hero.spawn((
                        Node {
                            align_self: AlignSelf::Start,
                            padding: UiRect::axes(vw(1.2), vh(0.6)),
                            border_radius: BorderRadius::all(vh(1)),
                            display: Display::None,
                            ..default()
                        },
                        // Dark badge, amber words: readable on the navy panel and on the amber flash.
                        BackgroundColor(THEME.text_on_highlight),
                        Part::RecallBadge,
                    ))
                    .with_child(text(
                        Slot::HeroRecall,
                        &f.bold,
                        3.2,
                        THEME.accent,
                    ));
                    hero.spawn(text(Slot::Waiting, &f.regular, 5.0, THEME.muted));
                });

                main.spawn((
                    Node {
                        flex_grow: 1.0,
                        flex_direction: FlexDirection::Column,
                        padding: UiRect::axes(vw(1.8), vh(2.4)),
                        border_radius: BorderRadius::all(vh(2)),
                        row_gap: vh(0.4),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    BackgroundColor(THEME.panel),
                ))
                .with_children(|recent| {
                    recent.spawn((
                        Node {
                            margin: UiRect::bottom(vh(1)),
                            ..default()
                        },
                        text(Slot::RecentTitle, &f.regular, 3.0, THEME.muted),
                    ));
                    for row in 0..settings.recent_rows {
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
                                BorderColor::all(THEME.header),
                                Part::RecentRow(row),
                            ))
                            .with_children(|line| {
                                line.spawn(text(Slot::RecentTicket(row), &f.bold, 5.4, THEME.text));
                                line.spawn(Node {
                                    column_gap: vw(0.8),
                                    align_items: AlignItems::Center,
                                    ..default()
                                })
                                .with_children(|to| {
                                    to.spawn(text(
                                        Slot::RecentArrow(row),
                                        &f.arrow,
                                        3.2,
                                        THEME.muted,
                                    ));
                                    to.spawn(text(
                                        Slot::RecentCounter(row),
                                        &f.regular,
                                        3.6,
                                        THEME.text,
                                    ));
                                });
                            });
                    }
                });
            });

            // Counters strip: rebuilt when counters change.
            root.spawn((
                Node {
                    height: vh(12),
                    padding: UiRect::axes(vw(3), vh(1)),
                    column_gap: vw(0.8),
                    flex_direction: FlexDirection::Row,
                    align_items: AlignItems::Stretch,
                    ..default()
                },
                Part::CountersStrip,
            ));

            // Notice line: a calm, static line (no ticker), so WCAG 2.2.2 has nothing to stop.
            root.spawn((
                Node {
                    height: vh(7),
                    padding: UiRect::horizontal(vw(3)),
                    align_items: AlignItems::Center,
                    overflow: Overflow::clip(),
                    ..default()
                },
                BackgroundColor(THEME.header),
                Part::NoticeBar,
            ))
            .with_child(text(Slot::Notice, &f.regular, 2.8, THEME.text));

            // The closed-office screen covers everything when every counter is closed.
            root.spawn((
                Node {
                    position_type: PositionType::Absolute,
                    width: percent(100),
                    height: percent(100),
                    flex_direction: FlexDirection::Column,
                    justify_content: JustifyContent::Center,
                    align_items: AlignItems::Center,
                    row_gap: vh(3),
                    display: Display::None,
                    ..default()
                },
                BackgroundColor(THEME.background),
                GlobalZIndex(10),
                Part::ClosedOverlay,
            ))
            .with_children(|closed| {
                closed.spawn(text(Slot::ClosedTime, &f.bold, 9.0, THEME.text));
                closed.spawn(text(Slot::ClosedTitle, &f.bold, 7.0, THEME.text));
                closed.spawn(text(Slot::ClosedHint, &f.regular, 4.0, THEME.muted));
            });
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
    let state = Drawn {
        revision: room.revision,
        lang: lang.clone(),
        minute: clock::time_text(&now),
        connection: connection.clone(),
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
    let notices = room.board.active_notices(chrono::Utc::now());
    let notice = notices
        .first()
        .map(|n| service_name(&n.text, &lang, w.primary()))
        .unwrap_or_default();
    let closed = room.board.office_closed();

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
        };
        if let Slot::RecentTicket(i) | Slot::RecentCounter(i) | Slot::RecentArrow(i) = *slot {
            // Served visitors stay listed but step back.
            let finished = recent.get(i).is_some_and(|e| e.finished);
            color.0 = if finished { THEME.muted } else { THEME.text };
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

pub fn refresh_counters(
    mut commands: Commands,
    room: Res<Room>,
    words: Option<Res<Words>>,
    langs: Option<Res<DisplayLangs>>,
    fonts: Option<Res<ScreenFonts>>,
    parts: Query<(Entity, &Part)>,
    mut drawn: Local<(u64, String)>,
) {
    let (Some(words), Some(langs), Some(fonts)) = (words, langs, fonts) else {
        return;
    };
    let lang = langs.lang().to_owned();
    if drawn.0 == room.revision && drawn.1 == lang {
        return;
    }
    *drawn = (room.revision, lang.clone());
    let Some((strip, _)) = parts.iter().find(|(_, p)| **p == Part::CountersStrip) else {
        return;
    };
    commands.entity(strip).despawn_children();
    for counter in room.board.counters() {
        let serving = room.board.serving(&counter.id).map(|c| c.ticket.clone());
        let (state_text, state_color) = match counter.state {
            CounterState::Open => (
                serving.unwrap_or_else(|| words.0.text(&lang, "counter-open", &[])),
                THEME.text,
            ),
            CounterState::Paused => (words.0.text(&lang, "counter-paused", &[]), THEME.paused),
            CounterState::Closed => (words.0.text(&lang, "counter-closed", &[]), THEME.closed),
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
                    BackgroundColor(THEME.panel),
                    CounterChip,
                ))
                .with_children(|chip| {
                    chip.spawn((
                        Text::new(name),
                        TextFont {
                            font: fonts.regular.clone().into(),
                            font_size: FontSize::Vh(2.2),
                            ..default()
                        },
                        TextColor(THEME.muted),
                        TextLayout::no_wrap(),
                    ));
                    chip.spawn((
                        Text::new(state_text),
                        TextFont {
                            font: fonts.bold.clone().into(),
                            font_size: FontSize::Vh(3.8),
                            ..default()
                        },
                        TextColor(state_color),
                        TextLayout::no_wrap(),
                    ));
                });
        });
    }
}
