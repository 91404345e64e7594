//! What each text entity of the screen reads from a [`ScreenView`] ([`Slot`]), and which parts
//! show ([`Part`]). A slot inside a hidden part reads nothing: a text with characters gets its
//! glyphs rasterised into an atlas per font and size, kept for good, shown or not.

use super::super::slots::{Part, Slot};
use super::{EmergencyView, RowLook, ScreenView};

impl ScreenView {
    /// The text a slot shows: none while the part it sits in is hidden.
    pub fn text(&self, slot: Slot) -> String {
        match slot_part(slot).and_then(|part| self.shows(part)) {
            Some(false) => String::new(),
            _ => self.slot_text(slot),
        }
    }

    fn slot_text(&self, slot: Slot) -> String {
        let hero = self.hero.as_ref();
        let row = |i: usize| self.recent.get(i);
        let queue_row = |i: usize| self.queue.get(i);
        match slot {
            Slot::OfficeName => self.office_name.clone(),
            Slot::Connection => self.connection.clone().unwrap_or_default(),
            Slot::Time | Slot::ClosedTime => self.time.clone(),
            Slot::Date => self.date.clone(),
            Slot::HeroTitle => self.hero_title.clone(),
            Slot::HeroTicket => hero.map(|h| h.call.ticket.clone()).unwrap_or_default(),
            Slot::HeroArrow => hero.map(|_| "→".to_owned()).unwrap_or_default(),
            Slot::HeroCounter => self.hero_counter.clone(),
            Slot::HeroDetail => self.hero_detail.clone(),
            Slot::HeroVisitor => self.hero_visitor.clone(),
            Slot::HeroRecall => self.recall.clone(),
            Slot::HeroPriority | Slot::CounterPriority => self.priority.clone(),
            Slot::BadgeStar(_) => "★".to_owned(),
            Slot::EmergencySign => "⚠".to_owned(),
            Slot::Elsewhere => self.elsewhere.clone(),
            Slot::RecentStar(i) => row(i)
                .filter(|r| r.3)
                .map(|_| "★".to_owned())
                .unwrap_or_default(),
            Slot::QueueTitle => self.queue_title.clone(),
            Slot::QrCaption => self.qr_caption.clone(),
            Slot::QueueService(i) => queue_row(i).map(|r| r.service.clone()).unwrap_or_default(),
            Slot::QueueCount(i) => queue_row(i).map(|r| r.count.clone()).unwrap_or_default(),
            Slot::QueueWait(i) => queue_row(i).map(|r| r.wait.clone()).unwrap_or_default(),
            Slot::QueueNext(i) => queue_row(i).map(|r| r.next.clone()).unwrap_or_default(),

            Slot::Waiting => self.waiting.clone(),
            Slot::RecentTitle => self.recent_title.clone(),
            Slot::RecentTicket(i) => row(i).map(|r| r.0.clone()).unwrap_or_default(),
            Slot::RecentArrow(i) => row(i).map(|_| "→".to_owned()).unwrap_or_default(),
            Slot::RecentCounter(i) => row(i).map(|r| r.1.clone()).unwrap_or_default(),
            Slot::Notice => self.notice.clone(),
            Slot::NoticePaused => self.notice_paused.clone(),
            Slot::MediaPaused => self.media_paused.clone(),
            Slot::ClosedTitle => self.closed_title.clone(),
            Slot::ClosedHint => self.closed_hint.clone(),
            Slot::EmergencyTitle => self.emergency_part(|e| &e.title),
            Slot::EmergencyText => self.emergency_part(|e| &e.text),
            Slot::EmergencySince => self.emergency_part(|e| &e.since),
            Slot::EmergencyOthers => self.emergency_part(|e| &e.others),
            Slot::CounterName => self.counter_name.clone(),
            Slot::CounterTicket => self.counter_ticket.clone(),
            Slot::CounterState => self.counter_state.clone(),
        }
    }

    fn emergency_part(&self, part: impl Fn(&EmergencyView) -> &String) -> String {
        self.emergency
            .as_ref()
            .map(part)
            .cloned()
            .unwrap_or_default()
    }

    /// Whether a part shows; `None` for parts the view does not switch (the hero's, which the
    /// motion and the layers look after).
    pub fn shows(&self, part: Part) -> Option<bool> {
        Some(match part {
            Part::RecallBadge => self.hero.as_ref().is_some_and(|h| h.recall),
            Part::PriorityBadge => self.hero.as_ref().is_some_and(|h| h.call.priority),
            Part::CounterPriorityBadge => self.counter_priority,
            Part::ElsewhereLine => !self.elsewhere.is_empty(),
            Part::QueuePanel => !self.queue.is_empty(),
            Part::QueueRow(i) => i < self.queue.len(),
            Part::ConnectionPill => self.connection.is_some(),
            Part::RecentRow(i) => i < self.recent.len(),
            Part::NoticeBar => !self.notice.is_empty(),
            Part::ClosedOverlay => self.closed,
            Part::EmergencyOverlay => self.emergency.is_some(),
            Part::HeroMedia => self.media_in_hero && !self.closed,
            Part::MediaPaused => !self.media_paused.is_empty(),
            Part::CountersStrip => self.any_counters,
            _ => return None,
        })
    }

    /// How recent row `i` looks, if there is one.
    pub fn row_look(&self, i: usize) -> Option<RowLook> {
        self.recent.get(i).map(|r| r.2)
    }
}

/// The part a slot sits in, where that part hides while the screen has nothing for it.
fn slot_part(slot: Slot) -> Option<Part> {
    Some(match slot {
        Slot::ClosedTitle | Slot::ClosedHint | Slot::ClosedTime => Part::ClosedOverlay,
        Slot::HeroRecall => Part::RecallBadge,
        Slot::HeroPriority => Part::PriorityBadge,
        Slot::CounterPriority => Part::CounterPriorityBadge,
        Slot::BadgeStar(part) => part,
        Slot::EmergencySign => Part::EmergencyOverlay,
        _ => return None,
    })
}
