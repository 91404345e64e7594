//! What the announcer says: a call turned into words ([`words`]) in one language, queued and
//! sequenced. Every phrase comes from the `.ftl` files (`speech-*`, `ticket-letter`), so a
//! translator can fix how herald speaks without touching Rust; numbers and floors follow each
//! language's grammar ([`numerals`]).

pub mod alarm;
pub mod chime;
pub mod numerals;
pub mod progress;
pub mod schedule;
pub mod sequencer;
pub mod words;

use crate::catalogue::Catalogue;
use crate::protocol::Call;
pub use words::{TicketReading, Word};

/// The ticket as written for the system voice: each letter by its name in `lang` (a lone "A" is
/// a word in Slovak and Ukrainian), each run of digits as a number without leading zeros.
/// "A042" → "písmeno A štyridsaťdva" (sk).
pub fn spoken_ticket(catalogue: &Catalogue, lang: &str, ticket: &str) -> String {
    words::label_words(catalogue, lang, ticket, TicketReading::Whole)
        .iter()
        .map(|g| g.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sentence for a call (or a recall) in `lang`, tickets read whole.
pub fn spoken_call(catalogue: &Catalogue, lang: &str, call: &Call) -> String {
    words::spoken(catalogue, lang, call, TicketReading::Whole).text
}

use std::collections::{HashSet, VecDeque};

/// One step of an announcement, played in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Chime,
    /// The emergency tone (`alarm`).
    Alarm,
    Speak {
        lang: String,
        text: String,
        /// The sentence as words, for a voice pack; empty for free text (an emergency's).
        words: Vec<Word>,
    },
    Pause {
        millis: u32,
    },
}

/// Everything said for one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub call_id: String,
    pub ticket: String,
    pub recall: bool,
    /// True when a backlog forced it down to the office language, said once.
    pub shortened: bool,
    pub steps: Vec<Step>,
}

/// How the room's announcer speaks.
#[derive(Clone, Debug)]
pub struct AnnouncerSettings {
    /// Office languages to speak, primary first.
    pub languages: Vec<String>,
    /// How many times the spoken part is said (a common setting is twice).
    pub repeat: u32,
    pub pause_millis: u32,
    /// Silence between two languages of one round.
    pub gap_millis: u32,
    /// Calls waiting beyond this many are shortened.
    pub backlog: usize,
    /// Calls waiting beyond this many are dropped, oldest first: a flood must not hold the
    /// loudspeaker for hours with calls nobody waits for any more.
    pub limit: usize,
    /// How ticket numbers are read.
    pub reading: TicketReading,
}

impl Default for AnnouncerSettings {
    fn default() -> Self {
        Self {
            languages: vec!["en".into()],
            repeat: 1,
            pause_millis: 700,
            gap_millis: 350,
            backlog: 4,
            limit: 24,
            reading: TicketReading::Whole,
        }
    }
}

/// What the queue wants logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueNote {
    /// A waiting call was shortened because too many calls were waiting.
    Shortened { ticket: String, waiting: usize },
    /// A language has no voice; its speech is skipped (reported once per language).
    NoVoice { lang: String },
    /// Too many calls were waiting: the oldest is dropped without being announced.
    Dropped { ticket: String, waiting: usize },
}

struct Waiting {
    call: Call,
    shortened: bool,
}

/// The announcement queue: calls in arrival order, one announcement at a time, bounded by
/// shortening. Pure: the caller plays the steps and asks for the next one when done.
pub struct AnnouncementQueue {
    settings: AnnouncerSettings,
    waiting: VecDeque<Waiting>,
    reported_no_voice: HashSet<String>,
}

impl AnnouncementQueue {
    pub fn new(settings: AnnouncerSettings) -> Self {
        Self {
            settings,
            waiting: VecDeque::new(),
            reported_no_voice: HashSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Queues a call (or recall). A recall of a call still waiting replaces it in place.
    pub fn push(&mut self, call: Call) -> Vec<QueueNote> {
        if let Some(waiting) = self.waiting.iter_mut().find(|w| w.call.id == call.id) {
            waiting.call = call;
            return Vec::new();
        }
        self.waiting.push_back(Waiting {
            call,
            shortened: false,
        });
        let mut notes = Vec::new();
        while self.waiting.len() > self.settings.limit.max(1) {
            if let Some(old) = self.waiting.pop_front() {
                notes.push(QueueNote::Dropped {
                    ticket: old.call.ticket,
                    waiting: self.waiting.len() + 1,
                });
            }
        }
        // At most `backlog` calls wait in full; the oldest beyond that are shortened.
        let full = self.waiting.iter().filter(|w| !w.shortened).count();
        let over = full.saturating_sub(self.settings.backlog);
        let count = self.waiting.len();
        for waiting in self.waiting.iter_mut().filter(|w| !w.shortened).take(over) {
            waiting.shortened = true;
            notes.push(QueueNote::Shortened {
                ticket: waiting.call.ticket.clone(),
                waiting: count,
            });
        }
        notes
    }

    /// Drops every call waiting (an emergency was raised); returns their tickets.
    pub fn drop_all(&mut self) -> Vec<String> {
        self.waiting.drain(..).map(|w| w.call.ticket).collect()
    }

    /// Drops a call that has not been announced yet (it was cancelled). True if it was waiting.
    pub fn cancel(&mut self, call_id: &str) -> bool {
        let before = self.waiting.len();
        self.waiting.retain(|w| w.call.id != call_id);
        before != self.waiting.len()
    }

    /// The next announcement, for the languages `voiced` says have a voice.
    pub fn next(
        &mut self,
        catalogue: &Catalogue,
        voiced: impl Fn(&str) -> bool,
    ) -> Option<(Announcement, Vec<QueueNote>)> {
        let Waiting { call, shortened } = self.waiting.pop_front()?;
        let primary = self
            .settings
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into());
        let mut wanted: Vec<String> = Vec::new();
        if !shortened {
            if let Some(visitor) = call.lang.as_deref().filter(|l| catalogue.has_language(l)) {
                wanted.push(visitor.to_owned());
            }
            wanted.extend(self.settings.languages.iter().cloned());
        } else {
            wanted.push(primary);
        }
        let mut notes = Vec::new();
        let mut langs: Vec<String> = Vec::new();
        for lang in wanted {
            if langs.contains(&lang) {
                continue;
            }
            if voiced(&lang) {
                langs.push(lang);
            } else if self.reported_no_voice.insert(lang.clone()) {
                notes.push(QueueNote::NoVoice { lang });
            }
        }
        let repeat = if shortened {
            1
        } else {
            self.settings.repeat.max(1)
        };
        let mut steps = vec![Step::Chime];
        for round in 0..repeat {
            if round > 0 {
                steps.push(Step::Pause {
                    millis: self.settings.pause_millis,
                });
            }
            for (i, lang) in langs.iter().enumerate() {
                if i > 0 {
                    steps.push(Step::Pause {
                        millis: self.settings.gap_millis,
                    });
                }
                let spoken = words::spoken(catalogue, lang, &call, self.settings.reading);
                steps.push(Step::Speak {
                    lang: lang.clone(),
                    text: spoken.text,
                    words: spoken.words,
                });
            }
        }
        Some((
            Announcement {
                call_id: call.id.clone(),
                ticket: call.ticket.clone(),
                recall: call.recall,
                shortened,
                steps,
            },
            notes,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
        match Catalogue::load(&dir, "sk") {
            Ok((catalogue, _)) => catalogue,
            Err(e) => panic!("{e}"),
        }
    }

    fn call(n: u32, lang: Option<&str>) -> Call {
        Call {
            lang: lang.map(str::to_owned),
            ..Call::new(
                format!("c{n}"),
                format!("A{n:03}"),
                "3",
                "2026-11-22T09:00:00Z",
            )
        }
    }

    fn queue(languages: &[&str], repeat: u32) -> AnnouncementQueue {
        AnnouncementQueue::new(AnnouncerSettings {
            languages: languages.iter().map(|l| (*l).to_owned()).collect(),
            repeat,
            ..AnnouncerSettings::default()
        })
    }

    fn spoken(a: &Announcement) -> Vec<(&str, &str)> {
        a.steps
            .iter()
            .filter_map(|s| match s {
                Step::Speak { lang, text, .. } => Some((lang.as_str(), text.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn calls_are_announced_in_arrival_order_chime_first() {
        let c = catalogue();
        let mut q = queue(&["sk"], 1);
        for n in 1..=3 {
            q.push(call(n, None));
        }
        for n in 1..=3 {
            let (a, _) = q.next(&c, |_| true).expect("an announcement");
            assert_eq!(a.ticket, format!("A{n:03}"));
            assert_eq!(a.steps[0], Step::Chime);
            let number = ["jeden", "dva", "tri"][n as usize - 1];
            let expected =
                format!("Lístok písmeno A {number}, prosíme, pristúpte k okienku číslo tri.");
            assert_eq!(spoken(&a), [("sk", expected.as_str())]);
        }
        assert!(q.next(&c, |_| true).is_none());
    }

    #[test]
    fn the_visitor_language_comes_first_then_the_office_languages_and_repeat_works() {
        let c = catalogue();
        let mut q = queue(&["sk", "en"], 2);
        q.push(call(42, Some("uk")));
        let (a, _) = q.next(&c, |_| true).expect("an announcement");
        let langs: Vec<&str> = spoken(&a).iter().map(|(l, _)| *l).collect();
        assert_eq!(langs, ["uk", "sk", "en", "uk", "sk", "en"]);
        assert!(a.steps.contains(&Step::Pause { millis: 700 }));
        assert!(spoken(&a)[0].1.starts_with("Талон літера а сорок два"));
    }

    #[test]
    fn a_recall_is_announced_as_a_recall() {
        let c = catalogue();
        let mut q = queue(&["sk"], 1);
        q.push(Call {
            recall: true,
            ..call(7, None)
        });
        let (a, _) = q.next(&c, |_| true).expect("an announcement");
        assert!(a.recall);
        assert_eq!(
            spoken(&a),
            [(
                "sk",
                "Opakujeme: lístok písmeno A sedem, okienko číslo tri."
            )]
        );
    }

    #[test]
    fn a_cancelled_call_is_not_announced() {
        let c = catalogue();
        let mut q = queue(&["sk"], 1);
        q.push(call(1, None));
        q.push(call(2, None));
        assert!(q.cancel("c1"));
        let (a, _) = q.next(&c, |_| true).expect("an announcement");
        assert_eq!(a.ticket, "A002");
        assert!(q.is_empty());
    }

    #[test]
    fn a_flood_beyond_the_limit_drops_the_oldest_and_says_which() {
        let mut q = queue(&["sk"], 1);
        let mut notes = Vec::new();
        for n in 1..=30 {
            notes.extend(q.push(call(n, None)));
        }
        assert_eq!(q.len(), 24);
        let dropped: Vec<&str> = notes
            .iter()
            .filter_map(|n| match n {
                QueueNote::Dropped { ticket, .. } => Some(ticket.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(dropped, ["A001", "A002", "A003", "A004", "A005", "A006"]);
    }

    #[test]
    fn a_flood_is_shortened_never_dropped_and_says_so() {
        let c = catalogue();
        let mut q = queue(&["sk", "en"], 2);
        let mut notes = Vec::new();
        for n in 1..=20 {
            notes.extend(q.push(call(n, Some("uk"))));
        }
        assert_eq!(q.len(), 20, "nothing dropped");
        assert_eq!(
            notes.len(),
            16,
            "each shortened call is reported: {notes:?}"
        );
        let mut tickets = Vec::new();
        while let Some((a, _)) = q.next(&c, |_| true) {
            let langs: Vec<&str> = spoken(&a).iter().map(|(l, _)| *l).collect();
            if a.shortened {
                assert_eq!(langs, ["sk"], "shortened: office language, once");
            } else {
                assert_eq!(langs.len(), 6);
            }
            tickets.push(a.ticket);
        }
        assert_eq!(tickets.len(), 20);
        assert_eq!(tickets.first().map(String::as_str), Some("A001"));
        assert_eq!(tickets.last().map(String::as_str), Some("A020"));
    }

    #[test]
    fn a_language_without_voice_falls_back_and_is_reported_once() {
        let c = catalogue();
        let mut q = queue(&["mk", "en"], 1);
        q.push(call(1, None));
        q.push(call(2, None));
        let (a, notes) = q.next(&c, |l| l != "mk").expect("an announcement");
        assert_eq!(
            spoken(&a).iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            ["en"]
        );
        assert_eq!(notes, [QueueNote::NoVoice { lang: "mk".into() }]);
        let (_, notes) = q.next(&c, |l| l != "mk").expect("an announcement");
        assert!(notes.is_empty(), "reported once");
        // No voice at all: the chime is still played.
        q.push(call(3, None));
        let (a, _) = q.next(&c, |_| false).expect("an announcement");
        assert_eq!(a.steps, [Step::Chime]);
    }
}
