//! Which text an entity of the screen carries ([`Slot`]) and which nodes show or hide with the
//! state ([`Part`]): the names the view, the zones and the motion share. They sit beside the
//! zones, not in them, so that the view (what the screen says) needs nothing of how the zones
//! draw it.

use bevy::prelude::Component;

/// Which text a `Text` entity carries; one refresh system fills them all. A slot inside a
/// hidden part (the closed office while open, a badge without its call) carries no text, so no
/// glyph of it is rasterised and kept in the glyph atlases until it shows.
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
    /// The star of a priority badge, for the badge's part (hero or counter screen).
    BadgeStar(Part),
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
    /// The warning sign over the emergency's title.
    EmergencySign,
    /// The emergency's title ("Evakuácia"), its text, and since when it holds.
    EmergencyTitle,
    EmergencyText,
    EmergencySince,
    /// The emergency in the screen's other languages.
    EmergencyOthers,
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
    /// The call's line (ticket → counter), drawn and scaled by the call layer.
    HeroContent,
    /// The same line in the room's tree, hidden: it keeps the call's place on the panel.
    HeroCallPlace,
    /// The piece of the panel's colour under the call's line (flashes with the panel).
    HeroCallBacking,
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
    /// The emergency over everything, the closed screen included.
    EmergencyOverlay,
    /// The pictures over the hero's space after a quiet while (`media_in_hero_after`).
    HeroMedia,
    /// "Pictures paused" over the media zone.
    MediaPaused,
}
