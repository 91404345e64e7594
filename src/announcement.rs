//! What the announcer says: a call turned into a sentence for the system voice, in one language.
//!
//! Every word comes from the `.ftl` files (`speech-*`, `ticket-letter`), so a translator can fix
//! how herald speaks without touching Rust. Here only the ticket is cut into letters and numbers.

use fluent_bundle::FluentValue;

use crate::catalogue::{self, Catalogue};
use crate::protocol::Call;

/// The ticket as read aloud: each letter by its name in `lang` (a lone "A" is a word in Slovak
/// and Ukrainian), each run of digits as a number without leading zeros. "A042" → "písmeno A 42" (sk).
pub fn spoken_ticket(catalogue: &Catalogue, lang: &str, ticket: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, parts: &mut Vec<String>| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            parts.push(if trimmed.is_empty() {
                "0".into()
            } else {
                trimmed.into()
            });
            digits.clear();
        }
    };
    for c in ticket.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut parts);
            if c.is_alphabetic() {
                let letter = c.to_uppercase().collect::<String>();
                parts.push(catalogue.text(
                    lang,
                    "ticket-letter",
                    &[("letter", FluentValue::from(letter))],
                ));
            }
        }
    }
    flush(&mut digits, &mut parts);
    parts.join(" ")
}

/// The sentence for a call (or a recall) in `lang`.
pub fn spoken_call(catalogue: &Catalogue, lang: &str, call: &Call) -> String {
    let ticket = FluentValue::from(spoken_ticket(catalogue, lang, &call.ticket));
    let counter = FluentValue::from(call.counter.label.clone());
    if call.recall {
        return catalogue.text(
            lang,
            "speech-recall",
            &[("ticket", ticket), ("counter", counter)],
        );
    }
    match call.floor {
        Some(floor) => {
            let [f, s] = catalogue::floor_args(floor);
            let place = catalogue.text(lang, "speech-floor", &[f, s]);
            catalogue.text(
                lang,
                "speech-call-floor",
                &[
                    ("ticket", ticket),
                    ("counter", counter),
                    ("floor", FluentValue::from(place)),
                ],
            )
        }
        None => catalogue.text(
            lang,
            "speech-call",
            &[("ticket", ticket), ("counter", counter)],
        ),
    }
}
