//! Numbers as they are said in the office languages: the cardinal numbers 0–999 in the form used
//! to *name* something (a ticket, "counter number two"), and the ordinal that a floor phrase
//! needs. Written as data (one table per language) and a few rules (how the parts join).
//!
//! Why no gender here: a counter is *named* by its number ("okienko číslo dva", "вікно номер
//! два", "гише номер две", "шалтер број два"), not counted, so the number does not agree with
//! the noun; it takes the counting form, which is the masculine in Slovak, Ukrainian and
//! Macedonian and the neuter in Bulgarian ("едно, две"). The floor is where case matters: it is
//! an ordinal in the locative (sk "na druhom poschodí", uk "на другому поверсі") or with the
//! definite article (bg "на втория етаж", mk "на вториот кат").
//!
//! Over 500 lines: five languages' tables, one word per line, so a reviewer reads and diffs
//! them word by word.
//!
//! References for the tables and rules, with the golden tables in `core/tests/grammar/`:
//! - sk: Pravidlá slovenského pravopisu (2013), "Písanie číslovek": compound cardinals are
//!   written as one word (dvadsaťdva, stoštyridsaťdva);
//! - uk: Український правопис (2019), § 38 (числівники пишуться окремо: сорок два);
//! - bg: Официален правописен речник на българския език (2012), числителни: "и" before the
//!   last part (сто и пет, четиридесет и две), the counting form "едно, две";
//! - mk: Правописот на македонскиот литературен јазик (2017): "и" before the last part
//!   (сто и пет, четириесет и два);
//! - en: the British usage (one hundred and forty-two).

/// One spoken part of a number: the key a voice pack records it under and its written form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// `number-40`, `number-2`, `and`.
    pub key: &'static str,
    pub text: &'static str,
}

struct Numerals {
    /// 0–19.
    ones: [&'static str; 20],
    /// 20, 30, … 90.
    tens: [&'static str; 8],
    /// 100, 200, … 900.
    hundreds: [&'static str; 9],
    /// The conjunction before the last part (bg, mk "и"; en "and" after the hundreds).
    and: Option<&'static str>,
    /// How the parts are written together: "" (sk: one word), " " (uk, bg, mk).
    join: &'static str,
    /// Ordinals 1–20 in the form the floor phrase takes (see the module's comment).
    ordinals: [&'static str; 20],
    /// Whether the ordinal counts storeys from the ground (uk, bg: the ground floor is the
    /// first) instead of floors above it (sk, mk, en: the first floor is one up).
    storeys: bool,
}

const SK: Numerals = Numerals {
    ones: [
        "nula",
        "jeden",
        "dva",
        "tri",
        "štyri",
        "päť",
        "šesť",
        "sedem",
        "osem",
        "deväť",
        "desať",
        "jedenásť",
        "dvanásť",
        "trinásť",
        "štrnásť",
        "pätnásť",
        "šestnásť",
        "sedemnásť",
        "osemnásť",
        "devätnásť",
    ],
    tens: [
        "dvadsať",
        "tridsať",
        "štyridsať",
        "päťdesiat",
        "šesťdesiat",
        "sedemdesiat",
        "osemdesiat",
        "deväťdesiat",
    ],
    hundreds: [
        "sto",
        "dvesto",
        "tristo",
        "štyristo",
        "päťsto",
        "šesťsto",
        "sedemsto",
        "osemsto",
        "deväťsto",
    ],
    and: None,
    join: "",
    ordinals: [
        "prvom",
        "druhom",
        "treťom",
        "štvrtom",
        "piatom",
        "šiestom",
        "siedmom",
        "ôsmom",
        "deviatom",
        "desiatom",
        "jedenástom",
        "dvanástom",
        "trinástom",
        "štrnástom",
        "pätnástom",
        "šestnástom",
        "sedemnástom",
        "osemnástom",
        "devätnástom",
        "dvadsiatom",
    ],
    storeys: false,
};

const UK: Numerals = Numerals {
    ones: [
        "нуль",
        "один",
        "два",
        "три",
        "чотири",
        "п'ять",
        "шість",
        "сім",
        "вісім",
        "дев'ять",
        "десять",
        "одинадцять",
        "дванадцять",
        "тринадцять",
        "чотирнадцять",
        "п'ятнадцять",
        "шістнадцять",
        "сімнадцять",
        "вісімнадцять",
        "дев'ятнадцять",
    ],
    tens: [
        "двадцять",
        "тридцять",
        "сорок",
        "п'ятдесят",
        "шістдесят",
        "сімдесят",
        "вісімдесят",
        "дев'яносто",
    ],
    hundreds: [
        "сто",
        "двісті",
        "триста",
        "чотириста",
        "п'ятсот",
        "шістсот",
        "сімсот",
        "вісімсот",
        "дев'ятсот",
    ],
    and: None,
    join: " ",
    ordinals: [
        "першому",
        "другому",
        "третьому",
        "четвертому",
        "п'ятому",
        "шостому",
        "сьомому",
        "восьмому",
        "дев'ятому",
        "десятому",
        "одинадцятому",
        "дванадцятому",
        "тринадцятому",
        "чотирнадцятому",
        "п'ятнадцятому",
        "шістнадцятому",
        "сімнадцятому",
        "вісімнадцятому",
        "дев'ятнадцятому",
        "двадцятому",
    ],
    storeys: true,
};

const BG: Numerals = Numerals {
    ones: [
        "нула",
        "едно",
        "две",
        "три",
        "четири",
        "пет",
        "шест",
        "седем",
        "осем",
        "девет",
        "десет",
        "единадесет",
        "дванадесет",
        "тринадесет",
        "четиринадесет",
        "петнадесет",
        "шестнадесет",
        "седемнадесет",
        "осемнадесет",
        "деветнадесет",
    ],
    tens: [
        "двадесет",
        "тридесет",
        "четиридесет",
        "петдесет",
        "шестдесет",
        "седемдесет",
        "осемдесет",
        "деветдесет",
    ],
    hundreds: [
        "сто",
        "двеста",
        "триста",
        "четиристотин",
        "петстотин",
        "шестстотин",
        "седемстотин",
        "осемстотин",
        "деветстотин",
    ],
    and: Some("и"),
    join: " ",
    ordinals: [
        "първия",
        "втория",
        "третия",
        "четвъртия",
        "петия",
        "шестия",
        "седмия",
        "осмия",
        "деветия",
        "десетия",
        "единадесетия",
        "дванадесетия",
        "тринадесетия",
        "четиринадесетия",
        "петнадесетия",
        "шестнадесетия",
        "седемнадесетия",
        "осемнадесетия",
        "деветнадесетия",
        "двадесетия",
    ],
    storeys: true,
};

const MK: Numerals = Numerals {
    ones: [
        "нула",
        "еден",
        "два",
        "три",
        "четири",
        "пет",
        "шест",
        "седум",
        "осум",
        "девет",
        "десет",
        "единаесет",
        "дванаесет",
        "тринаесет",
        "четиринаесет",
        "петнаесет",
        "шеснаесет",
        "седумнаесет",
        "осумнаесет",
        "деветнаесет",
    ],
    tens: [
        "дваесет",
        "триесет",
        "четириесет",
        "педесет",
        "шеесет",
        "седумдесет",
        "осумдесет",
        "деведесет",
    ],
    hundreds: [
        "сто",
        "двесте",
        "триста",
        "четиристотини",
        "петстотини",
        "шестотини",
        "седумстотини",
        "осумстотини",
        "деветстотини",
    ],
    and: Some("и"),
    join: " ",
    ordinals: [
        "првиот",
        "вториот",
        "третиот",
        "четвртиот",
        "петтиот",
        "шестиот",
        "седмиот",
        "осмиот",
        "деветтиот",
        "десеттиот",
        "единаесеттиот",
        "дванаесеттиот",
        "тринаесеттиот",
        "четиринаесеттиот",
        "петнаесеттиот",
        "шеснаесеттиот",
        "седумнаесеттиот",
        "осумнаесеттиот",
        "деветнаесеттиот",
        "дваесеттиот",
    ],
    storeys: false,
};

const EN: Numerals = Numerals {
    ones: [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ],
    tens: [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ],
    hundreds: [
        "one hundred",
        "two hundred",
        "three hundred",
        "four hundred",
        "five hundred",
        "six hundred",
        "seven hundred",
        "eight hundred",
        "nine hundred",
    ],
    and: Some("and"),
    join: " ",
    ordinals: [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
    ],
    storeys: false,
};

/// The languages whose numbers herald knows how to say; others get digits for the system voice.
pub const LANGUAGES: [&str; 5] = ["sk", "uk", "bg", "mk", "en"];

fn numerals(lang: &str) -> Option<&'static Numerals> {
    match lang {
        "sk" => Some(&SK),
        "uk" => Some(&UK),
        "bg" => Some(&BG),
        "mk" => Some(&MK),
        "en" => Some(&EN),
        _ => None,
    }
}

/// The largest number said as a whole; longer numbers are said digit by digit.
pub const LARGEST: u32 = 999;

const ONES_KEYS: [&str; 20] = [
    "number-0",
    "number-1",
    "number-2",
    "number-3",
    "number-4",
    "number-5",
    "number-6",
    "number-7",
    "number-8",
    "number-9",
    "number-10",
    "number-11",
    "number-12",
    "number-13",
    "number-14",
    "number-15",
    "number-16",
    "number-17",
    "number-18",
    "number-19",
];
const TENS_KEYS: [&str; 8] = [
    "number-20",
    "number-30",
    "number-40",
    "number-50",
    "number-60",
    "number-70",
    "number-80",
    "number-90",
];
const HUNDREDS_KEYS: [&str; 9] = [
    "number-100",
    "number-200",
    "number-300",
    "number-400",
    "number-500",
    "number-600",
    "number-700",
    "number-800",
    "number-900",
];

/// `n` (0–999) in `lang` as its spoken parts; `None` for another language or a larger number.
pub fn cardinal(lang: &str, n: u32) -> Option<Vec<Part>> {
    let table = numerals(lang)?;
    if n > LARGEST {
        return None;
    }
    let idx = |n: u32| n as usize;
    if n < 20 {
        return Some(vec![Part {
            key: ONES_KEYS[idx(n)],
            text: table.ones[idx(n)],
        }]);
    }
    let mut parts = Vec::with_capacity(4);
    let (hundreds, rest) = (n / 100, n % 100);
    if hundreds > 0 {
        parts.push(Part {
            key: HUNDREDS_KEYS[idx(hundreds - 1)],
            text: table.hundreds[idx(hundreds - 1)],
        });
    }
    let mut tail = Vec::with_capacity(2);
    if rest >= 20 {
        tail.push(Part {
            key: TENS_KEYS[idx(rest / 10 - 2)],
            text: table.tens[idx(rest / 10 - 2)],
        });
        if rest % 10 > 0 {
            tail.push(Part {
                key: ONES_KEYS[idx(rest % 10)],
                text: table.ones[idx(rest % 10)],
            });
        }
    } else if rest > 0 {
        tail.push(Part {
            key: ONES_KEYS[idx(rest)],
            text: table.ones[idx(rest)],
        });
    }
    if let Some(and) = table.and {
        let and = Part {
            key: "and",
            text: and,
        };
        if lang == "en" {
            // "one hundred and five", "one hundred and forty-two"; never "forty and two".
            if hundreds > 0 && !tail.is_empty() {
                parts.push(and);
            }
            parts.extend(tail);
        } else {
            // bg, mk: "и" before the last part when there are two or more.
            parts.extend(tail);
            if parts.len() >= 2 {
                parts.insert(parts.len() - 1, and);
            }
        }
    } else {
        parts.extend(tail);
    }
    Some(parts)
}

/// The written form of a number's parts, as the system voice gets it: "štyridsaťdva",
/// "сорок два", "четиридесет и две", "forty-two".
pub fn written(lang: &str, parts: &[Part]) -> String {
    let join = numerals(lang).map_or(" ", |t| t.join);
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            let tens_then_ones = lang == "en"
                && parts[i - 1].key.starts_with("number-")
                && TENS_KEYS.contains(&parts[i - 1].key)
                && ONES_KEYS.contains(&part.key);
            out.push_str(if tens_then_ones { "-" } else { join });
        }
        out.push_str(part.text);
    }
    out
}

/// The ordinal for `floor` (0 = the ground floor) in the form the language's floor phrase
/// needs, or `None` where the table ends (the phrase then uses the number's digits).
pub fn floor_ordinal(lang: &str, floor: i32) -> Option<&'static str> {
    let table = numerals(lang)?;
    let n = if table.storeys { floor + 1 } else { floor };
    usize::try_from(n)
        .ok()
        .filter(|n| (1..=20).contains(n))
        .map(|n| table.ordinals[n - 1])
}

/// The highest floor whose ordinal is known in every language (the sample packs record up to it).
pub const HIGHEST_FLOOR: i32 = 19;
