//! The grammar of announcements, checked against tables written by hand from each language's
//! grammar (`grammar/numbers.tsv`, `grammar/floors.tsv`, with their references), and against
//! golden lists of 1,000 generated calls per language (`grammar/calls-<lang>.tsv`).
//!
//! After a deliberate change of wording, rewrite the golden lists with
//! `HERALD_BLESS=1 cargo test -p herald-core --test grammar` and read the diff.

use std::path::{Path, PathBuf};

use herald_core::announcement::numerals::{self, LANGUAGES};
use herald_core::announcement::words::{self, TicketReading};
use herald_core::catalogue::Catalogue;
use herald_core::protocol::Call;

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/grammar")
}

fn catalogue() -> Catalogue {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    match Catalogue::load(&dir, "sk") {
        Ok((catalogue, _)) => catalogue,
        Err(e) => panic!("{e}"),
    }
}

/// The lines of a table: tab-separated fields, `#` comments and blank lines skipped.
fn table(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(here().join(name))
        .unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn numbers_are_said_as_the_grammar_says() {
    let rows = table("numbers.tsv");
    assert!(
        rows.len() > 100,
        "the hand-written table has {} rows",
        rows.len()
    );
    let mut wrong = Vec::new();
    for row in &rows {
        let [lang, n, expected] = row.as_slice() else {
            panic!("a row of numbers.tsv is not lang, number, words: {row:?}");
        };
        let n: u32 = n.parse().expect("a number");
        let parts = numerals::cardinal(lang, n).expect("a known language");
        let said = numerals::written(lang, &parts);
        if &said != expected {
            wrong.push(format!(
                "{lang} {n}: herald says {said:?}, the grammar {expected:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every number 0–999 is made of parts whose values add up to it, each part at most once, in
/// falling order: no number is said as another.
#[test]
fn every_number_up_to_999_adds_up() {
    for lang in LANGUAGES {
        for n in 0..=999 {
            let parts = numerals::cardinal(lang, n).expect("a known language");
            let values: Vec<u32> = parts
                .iter()
                .filter(|p| p.key != "and")
                .map(|p| {
                    p.key
                        .strip_prefix("number-")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_else(|| panic!("{lang} {n}: a part keyed {}", p.key))
                })
                .collect();
            assert_eq!(values.iter().sum::<u32>(), n, "{lang} {n}: {parts:?}");
            assert!(
                values.windows(2).all(|w| w[0] > w[1]),
                "{lang} {n}: parts out of order {values:?}"
            );
            let ands = parts.iter().filter(|p| p.key == "and").count();
            let expected_ands = match lang {
                "bg" | "mk" => usize::from(values.len() >= 2),
                "en" => usize::from(n > 100 && n % 100 != 0),
                _ => 0,
            };
            assert_eq!(ands, expected_ands, "{lang} {n}: {parts:?}");
        }
    }
}

#[test]
fn floors_are_said_as_the_grammar_says() {
    let catalogue = catalogue();
    let mut wrong = Vec::new();
    for row in table("floors.tsv") {
        let [lang, floor, expected] = row.as_slice() else {
            panic!("a row of floors.tsv is not lang, floor, phrase: {row:?}");
        };
        let floor: i32 = floor.parse().expect("a floor");
        let said = words::floor_word(&catalogue, lang, floor);
        assert_eq!(said.key, format!("floor-{floor}"));
        if &said.text != expected {
            wrong.push(format!(
                "{lang} floor {floor}: herald says {:?}, the grammar {expected:?}",
                said.text
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every floor up to the highest has an ordinal in every language (no digits read out).
    for lang in LANGUAGES {
        for floor in 0..=numerals::HIGHEST_FLOOR {
            let text = words::floor_word(&catalogue, lang, floor).text;
            assert!(
                !text.chars().any(|c| c.is_ascii_digit()),
                "{lang} floor {floor}: {text:?}"
            );
        }
    }
}

/// A small deterministic generator, so the golden lists never change by themselves.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// 1,000 calls: tickets A1–Z999 with and without leading zeros, counters 1–40 (some with a
/// letter), floors, recalls, and some tickets read digit by digit.
fn generated_calls() -> Vec<(Call, TicketReading)> {
    let mut dice = Dice(0x4845_5241_4C44);
    let mut calls = Vec::with_capacity(1000);
    for i in 0..1000 {
        let letter = char::from(b'A' + dice.roll(26) as u8);
        let number = 1 + dice.roll(999);
        let ticket = if dice.roll(2) == 0 {
            format!("{letter}{number:03}")
        } else {
            format!("{letter}{number}")
        };
        let counter = 1 + dice.roll(40);
        let counter = if dice.roll(10) == 0 {
            format!("{counter}{}", char::from(b'A' + dice.roll(3) as u8))
        } else {
            counter.to_string()
        };
        let floor = match dice.roll(4) {
            0 => None,
            _ => Some(dice.roll(6) as i32),
        };
        let mut call = Call::new(format!("c{i}"), ticket, &counter, "2026-12-05T09:00:00Z");
        call.floor = floor;
        call.recall = dice.roll(8) == 0;
        let reading = if dice.roll(10) == 0 {
            TicketReading::Digits
        } else {
            TicketReading::Whole
        };
        calls.push((call, reading));
    }
    calls
}

fn golden_line(catalogue: &Catalogue, lang: &str, call: &Call, reading: TicketReading) -> String {
    let spoken = words::spoken(catalogue, lang, call, reading);
    let keys: Vec<&str> = spoken.words.iter().map(|w| w.key.as_str()).collect();
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        call.ticket,
        call.counter.label,
        call.floor.map_or_else(String::new, |f| f.to_string()),
        if call.recall { "recall" } else { "call" },
        match reading {
            TicketReading::Whole => "whole",
            TicketReading::Digits => "digits",
        },
        keys.join(" "),
        spoken.text
    )
}

#[test]
fn a_thousand_calls_per_language_match_the_golden_lists() {
    let catalogue = catalogue();
    let calls = generated_calls();
    let bless = std::env::var_os("HERALD_BLESS").is_some();
    for lang in LANGUAGES {
        let name = format!("calls-{lang}.tsv");
        let ours: Vec<String> = calls
            .iter()
            .map(|(call, reading)| golden_line(&catalogue, lang, call, *reading))
            .collect();
        if bless {
            let header = format!(
                "# 1,000 generated calls in {lang}: ticket, counter, floor, call or recall, how the \
                 ticket is read,\n# the words a voice pack plays (keys), the sentence the system \
                 voice says.\n# Numbers and floors follow numbers.tsv and floors.tsv (their \
                 grammar references are there).\n"
            );
            std::fs::write(here().join(&name), header + &ours.join("\n") + "\n")
                .expect("write the golden list");
            continue;
        }
        let golden: Vec<String> = std::fs::read_to_string(here().join(&name))
            .unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        assert_eq!(golden.len(), 1000, "{name} holds {} calls", golden.len());
        let differ: Vec<String> = ours
            .iter()
            .zip(&golden)
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("herald: {a}\ngolden: {b}"))
            .collect();
        assert!(differ.is_empty(), "{name}:\n{}", differ.join("\n"));
    }
}

/// The words of a call are exactly the words of its sentence: what a pack plays and what the
/// system voice says agree.
#[test]
fn the_words_and_the_sentence_agree() {
    let catalogue = catalogue();
    for lang in LANGUAGES {
        for (call, reading) in generated_calls().iter().take(200) {
            let spoken = words::spoken(&catalogue, lang, call, *reading);
            let mut rest = spoken.text.as_str();
            for word in &spoken.words {
                let at = rest.find(word.text.as_str()).unwrap_or_else(|| {
                    panic!("{lang}: {:?} not in order in {:?}", word.text, spoken.text)
                });
                rest = &rest[at + word.text.len()..];
            }
            assert!(
                spoken.words.iter().all(|w| !w.key.starts_with("digits-")),
                "{lang}: digits left for the voice in {:?}",
                spoken.text
            );
        }
    }
}

#[test]
fn tickets_read_whole_or_digit_by_digit() {
    let catalogue = catalogue();
    let call = |ticket: &str| Call::new("c1", ticket, "22", "2026-12-05T09:00:00Z");
    let keys = |lang: &str, ticket: &str, reading| {
        words::spoken(&catalogue, lang, &call(ticket), reading)
            .words
            .into_iter()
            .map(|w| w.key)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        keys("sk", "A042", TicketReading::Whole),
        "speech-ticket letter-a number-40 number-2 speech-go-to number-20 number-2"
    );
    assert_eq!(
        keys("sk", "A042", TicketReading::Digits),
        "speech-ticket letter-a number-0 number-4 number-2 speech-go-to number-20 number-2"
    );
    // Longer than three digits: digit by digit, whatever the setting.
    assert_eq!(
        keys("uk", "B1042", TicketReading::Whole),
        "speech-ticket letter-b number-1 number-0 number-4 number-2 speech-go-to number-20 number-2"
    );
    assert_eq!(
        words::spoken(&catalogue, "bg", &call("A042"), TicketReading::Whole).text,
        "Номер буква а четиридесет и две, моля, заповядайте на гише номер двадесет и две."
    );
}
