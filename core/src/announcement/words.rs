//! A call as a list of spoken words: the one place that decides what is said, in which order.
//! The system voice gets the words joined into a sentence; a voice pack plays each word's
//! recording. Both come from the same list, so what a pack says and what the system voice says
//! always agree.
//!
//! The sentence is the same in the five office languages:
//! `speech-ticket` *ticket*, `speech-go-to` *counter*[, *floor*].
//! and for a recall: `speech-recall-ticket` *ticket*, `speech-recall-counter` *counter*.
//! Each `speech-*` phrase is a Fluent message, so a translator words it; the numbers, the letters
//! and the floors come from [`numerals`](super::numerals) and the `ticket-letter` message.

use fluent_bundle::FluentValue;
use serde::{Deserialize, Serialize};

use super::numerals::{self, Part};
use crate::catalogue::{self, Catalogue};
use crate::protocol::Call;

/// One word (or fixed phrase) of an announcement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Word {
    /// What a voice pack records it under: `speech-ticket`, `letter-a`, `number-40`, `and`,
    /// `floor-2`.
    pub key: String,
    /// How it is written, for the system voice and for people.
    pub text: String,
}

/// How the number of a ticket is read.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TicketReading {
    /// As one number without its leading zeros: A042 → "A forty-two" (up to 999; longer numbers
    /// digit by digit).
    #[default]
    Whole,
    /// Digit by digit, zeros included: A042 → "A zero four two".
    Digits,
}

/// A call as words, and as the sentence the system voice says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spoken {
    pub text: String,
    pub words: Vec<Word>,
}

/// One letter or one number of a label: its words and how it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub words: Vec<Word>,
    pub text: String,
}

/// The words of a label (a ticket or a counter): letters by name, digits as numbers.
pub fn label_words(
    catalogue: &Catalogue,
    lang: &str,
    label: &str,
    reading: TicketReading,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, groups: &mut Vec<Group>| {
        if !digits.is_empty() {
            groups.push(number_words(lang, digits, reading));
            digits.clear();
        }
    };
    for c in label.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut groups);
            if c.is_alphabetic() {
                let letter = c.to_uppercase().collect::<String>();
                let text = catalogue.text(
                    lang,
                    "ticket-letter",
                    &[("letter", FluentValue::from(letter))],
                );
                groups.push(Group {
                    words: vec![Word {
                        key: format!("letter-{}", c.to_lowercase()),
                        text: text.clone(),
                    }],
                    text,
                });
            }
        }
    }
    flush(&mut digits, &mut groups);
    groups
}

fn word(part: Part) -> Word {
    Word {
        key: part.key.to_owned(),
        text: part.text.to_owned(),
    }
}

/// A run of digits as words. Languages without a numeral table keep the digits themselves
/// (the system voice reads them; no pack can).
fn number_words(lang: &str, digits: &str, reading: TicketReading) -> Group {
    let whole = digits.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let value = whole
        .parse::<u32>()
        .ok()
        .filter(|v| *v <= numerals::LARGEST);
    if reading == TicketReading::Whole
        && let Some(parts) = value.and_then(|v| numerals::cardinal(lang, v))
    {
        return Group {
            text: numerals::written(lang, &parts),
            words: parts.into_iter().map(word).collect(),
        };
    }
    if numerals::cardinal(lang, 0).is_none() {
        let text = match reading {
            TicketReading::Whole => whole.to_owned(),
            TicketReading::Digits => digits.to_owned(),
        };
        return Group {
            words: vec![Word {
                key: format!("digits-{text}"),
                text: text.clone(),
            }],
            text,
        };
    }
    // Digit by digit: a long number, or the office reads tickets that way.
    let words: Vec<Word> = digits
        .chars()
        .filter_map(|d| d.to_digit(10))
        .filter_map(|d| numerals::cardinal(lang, d))
        .flatten()
        .map(word)
        .collect();
    Group {
        text: words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        words,
    }
}

/// The floor phrase ("na druhom poschodí") as one word: a pack records each floor it needs.
pub fn floor_word(catalogue: &Catalogue, lang: &str, floor: i32) -> Word {
    let [f, s] = catalogue::floor_args(floor);
    let ordinal = numerals::floor_ordinal(lang, floor).map_or_else(
        // Beyond the table: the number's digits, with the language's ordinal mark.
        || match lang {
            "sk" => format!("{floor}."),
            _ => floor.to_string(),
        },
        str::to_owned,
    );
    Word {
        key: format!("floor-{floor}"),
        text: catalogue.text(
            lang,
            "speech-floor",
            &[f, s, ("ordinal", FluentValue::from(ordinal))],
        ),
    }
}

fn phrase(catalogue: &Catalogue, lang: &str, key: &str) -> Word {
    Word {
        key: key.to_owned(),
        text: catalogue.text(lang, key, &[]),
    }
}

/// One label's groups as written: "písmeno A štyridsaťdva".
fn written_label(groups: &[Group]) -> String {
    groups
        .iter()
        .map(|g| g.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is said for `call` in `lang`: the words and the sentence.
pub fn spoken(catalogue: &Catalogue, lang: &str, call: &Call, reading: TicketReading) -> Spoken {
    let ticket = label_words(catalogue, lang, &call.ticket, reading);
    // Counters are named by their number: always said whole.
    let counter = label_words(catalogue, lang, &call.counter.label, TicketReading::Whole);
    let (intro, to) = if call.recall {
        ("speech-recall-ticket", "speech-recall-counter")
    } else {
        ("speech-ticket", "speech-go-to")
    };
    let intro = phrase(catalogue, lang, intro);
    let to = phrase(catalogue, lang, to);
    let mut text = format!(
        "{} {}, {} {}",
        intro.text,
        written_label(&ticket),
        to.text,
        written_label(&counter)
    );
    let mut words = vec![intro];
    words.extend(ticket.into_iter().flat_map(|g| g.words));
    words.push(to);
    words.extend(counter.into_iter().flat_map(|g| g.words));
    if let Some(floor) = call.floor.filter(|_| !call.recall) {
        let floor = floor_word(catalogue, lang, floor);
        text.push_str(", ");
        text.push_str(&floor.text);
        words.push(floor);
    }
    text.push('.');
    Spoken { text, words }
}

/// Every word a pack for `lang` needs to say any call (tickets and counters up to 999, every
/// letter), and the floor phrases from the ground floor up to `highest_floor`, each with the
/// text to read when recording it.
pub fn pack_words(catalogue: &Catalogue, lang: &str, highest_floor: Option<i32>) -> Vec<Word> {
    let mut out: Vec<Word> = [
        "speech-ticket",
        "speech-go-to",
        "speech-recall-ticket",
        "speech-recall-counter",
    ]
    .into_iter()
    .map(|key| phrase(catalogue, lang, key))
    .collect();
    for letter in 'A'..='Z' {
        out.extend(
            label_words(catalogue, lang, &letter.to_string(), TicketReading::Whole)
                .into_iter()
                .flat_map(|g| g.words),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for n in (0..20)
        .chain((20..100).step_by(10))
        .chain((100..1000).step_by(100))
        .chain([101])
    {
        for part in numerals::cardinal(lang, n).unwrap_or_default() {
            if seen.insert(part.key) {
                out.push(word(part));
            }
        }
    }
    if let Some(highest) = highest_floor {
        out.extend((0..=highest).map(|floor| floor_word(catalogue, lang, floor)));
    }
    out
}
