//! The demo office: a small client centre simulated inside the herald process. It makes the
//! calls, recalls, counter changes and notices a real office would, into a [`Journal`];
//! [`super::loopback`] serves them as protocol v1 on loopback (and `herald-relay --demo` from
//! its own log), so `herald` with no `--feed` goes through the same client code a real queue
//! system would meet.

use std::time::Duration;

use rand::Rng;
use rand::seq::IndexedRandom;

use super::journal::Journal;
use crate::protocol::{
    Call, CallEnd, Counter, CounterRef, CounterState, Localized, Notice, Queue, ServerMessage,
    ServiceQueue, State, VERSION,
};

/// How lively the simulated office is.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoOptions {
    /// The first new call comes this soon after start, so a short demo shows one animating.
    pub first_call_after: Duration,
    /// Later calls come at random intervals in this range.
    pub interval: (Duration, Duration),
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            first_call_after: Duration::from_millis(1500),
            interval: (Duration::from_secs(5), Duration::from_secs(12)),
        }
    }
}

struct Service {
    prefix: &'static str,
    names: [(&'static str, &'static str); 5],
}

/// Services of the offices herald serves, named as those offices name them (see glossary).
const SERVICES: [Service; 8] = [
    Service {
        prefix: "P",
        names: [
            ("sk", "Podateľňa"),
            ("uk", "Прийом документів"),
            ("bg", "Деловодство"),
            ("mk", "Писарница"),
            ("en", "Filing office"),
        ],
    },
    Service {
        prefix: "M",
        names: [
            ("sk", "Matrika"),
            ("uk", "Реєстрація місця проживання"),
            ("bg", "Гражданско състояние"),
            ("mk", "Матична евиденција"),
            ("en", "Registry office"),
        ],
    },
    Service {
        prefix: "K",
        names: [
            ("sk", "Pokladňa"),
            ("uk", "Каса"),
            ("bg", "Каса"),
            ("mk", "Благајна"),
            ("en", "Cashier"),
        ],
    },
    Service {
        prefix: "D",
        names: [
            ("sk", "Pracovisko dokladov"),
            ("uk", "Паспортні документи"),
            ("bg", "Лични документи"),
            ("mk", "Лични документи"),
            ("en", "ID documents"),
        ],
    },
    Service {
        prefix: "A",
        names: [
            ("sk", "Miestne dane"),
            ("uk", "Місцеві податки"),
            ("bg", "Местни данъци"),
            ("mk", "Локални даноци"),
            ("en", "Local taxes"),
        ],
    },
    Service {
        prefix: "O",
        names: [
            ("sk", "Komunálny odpad"),
            ("uk", "Побутові відходи"),
            ("bg", "Битови отпадъци"),
            ("mk", "Комунален отпад"),
            ("en", "Municipal waste"),
        ],
    },
    Service {
        prefix: "R",
        names: [
            ("sk", "Parkovanie"),
            ("uk", "Паркування"),
            ("bg", "Паркиране"),
            ("mk", "Паркирање"),
            ("en", "Parking"),
        ],
    },
    Service {
        prefix: "S",
        names: [
            ("sk", "Sociálna agenda"),
            ("uk", "Соціальні послуги"),
            ("bg", "Социални услуги"),
            ("mk", "Социјални услуги"),
            ("en", "Social services"),
        ],
    },
];

/// Counters: id/label, floor, the services (indices into `SERVICES`) it handles.
const COUNTERS: [(&str, i32, &[usize]); 7] = [
    ("1", 0, &[0, 4]),
    ("2", 0, &[4, 5]),
    ("3", 0, &[6, 5]),
    ("4", 0, &[2]),
    ("5", 1, &[1]),
    ("6", 1, &[3]),
    ("7", 1, &[7]),
];

const VISITOR_LANGS: [&str; 5] = ["sk", "uk", "bg", "mk", "en"];

/// Made-up visitors: shown (as initials) only by a screen started with `--show-names`.
const VISITORS: [&str; 6] = [
    "Jana Nováková",
    "Peter Horváth",
    "Олена Петренко",
    "Иван Петров",
    "Марија Стојановска",
    "Ján Kováč",
];

/// Minutes a visitor of each service takes at the counter, on average: the demo office's own
/// estimate of the wait. The social services desk (the last) gives no estimate, as some queue
/// systems do not, so the screen shows its count only.
const MINUTES_PER_VISITOR: [Option<u32>; SERVICES.len()] = [
    Some(4),
    Some(9),
    Some(3),
    Some(12),
    Some(5),
    Some(4),
    Some(3),
    None,
];

fn localized(pairs: &[(&str, &str)]) -> Localized {
    pairs
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect()
}

/// The simulated office: who is at which counter and which ticket comes next.
pub struct Office {
    next_number: [u32; SERVICES.len()],
    /// Tickets drawn at the kiosk and not called yet, per service.
    waiting: [u32; SERVICES.len()],
    calls_made: u64,
}

impl Default for Office {
    fn default() -> Self {
        Self::new()
    }
}

impl Office {
    pub fn new() -> Self {
        let mut rng = rand::rng();
        Self {
            next_number: std::array::from_fn(|_| rng.random_range(12..48)),
            waiting: std::array::from_fn(|_| rng.random_range(0..9)),
            calls_made: 0,
        }
    }

    fn counter(id: &str, floor: i32, state: CounterState) -> Counter {
        Counter {
            id: id.into(),
            label: id.into(),
            state,
            floor: Some(floor),
        }
    }

    /// The office as it opens: counters, a few earlier calls, a notice.
    pub fn initial_state(&mut self) -> State {
        let counters = COUNTERS
            .iter()
            .map(|(id, floor, _)| {
                let state = if *id == "7" {
                    CounterState::Paused
                } else {
                    CounterState::Open
                };
                Self::counter(id, *floor, state)
            })
            .collect();
        let calls: Vec<Call> = ["3", "5", "1", "4"]
            .iter()
            .map(|id| self.new_call(id, None))
            .collect();
        State {
            finished: vec![calls[0].id.clone()],
            calls,
            queue: Some(self.queue()),
            counters,
            notices: vec![Notice {
                id: "documents-hours".into(),
                text: localized(&[
                    (
                        "sk",
                        "Pracovisko dokladov má dnes otvorené do 18:00. Ďakujeme za trpezlivosť.",
                    ),
                    (
                        "uk",
                        "Сьогодні паспортні документи приймають до 18:00. Дякуємо за терпіння.",
                    ),
                    (
                        "bg",
                        "Днес гишето за лични документи работи до 18:00. Благодарим за търпението.",
                    ),
                    (
                        "mk",
                        "Денес шалтерот за лични документи работи до 18:00. Ви благодариме за трпението.",
                    ),
                    (
                        "en",
                        "The ID documents counter is open until 18:00 today. Thank you for waiting.",
                    ),
                ]),
                ..Notice::default()
            }],
            emergency: None,
        }
    }

    /// Who waits now, per service, as a queue system would count it.
    pub fn queue(&self) -> Queue {
        let services = SERVICES
            .iter()
            .enumerate()
            .map(|(i, service)| {
                let waiting = self.waiting[i];
                let floor = COUNTERS
                    .iter()
                    .find(|(_, _, handles)| handles.contains(&i))
                    .map(|(_, floor, _)| *floor);
                ServiceQueue {
                    id: service.prefix.into(),
                    name: localized(&service.names),
                    waiting,
                    wait_minutes: MINUTES_PER_VISITOR[i].map(|m| m * waiting),
                    next: (0..waiting.min(3))
                        .map(|k| {
                            format!("{}{:03}", service.prefix, (self.next_number[i] + k) % 1000)
                        })
                        .collect(),
                    floor,
                }
            })
            .collect();
        Queue {
            services,
            at: Some(chrono::Utc::now().to_rfc3339()),
        }
    }

    fn new_call(&mut self, counter_id: &str, visitor_lang: Option<&str>) -> Call {
        let mut rng = rand::rng();
        let (_, floor, services) = COUNTERS
            .iter()
            .find(|(id, _, _)| *id == counter_id)
            .copied()
            .unwrap_or(COUNTERS[0]);
        let service_index = services.choose(&mut rng).copied().unwrap_or(0);
        let service = &SERVICES[service_index];
        let number = self.next_number[service_index];
        self.next_number[service_index] = if number >= 999 { 1 } else { number + 1 };
        self.waiting[service_index] = self.waiting[service_index].saturating_sub(1);
        self.calls_made += 1;
        Call {
            id: format!("demo-{}-{}", self.calls_made, service.prefix),
            ticket: format!("{}{number:03}", service.prefix),
            counter: CounterRef {
                id: counter_id.into(),
                label: counter_id.into(),
            },
            service: localized(&service.names),
            floor: Some(floor),
            room: None,
            lang: visitor_lang.map(str::to_owned),
            recall: false,
            at: chrono::Utc::now().to_rfc3339(),
            service_id: Some(service.prefix.into()),
            // About one visitor in eight has a priority ticket.
            priority: rng.random_bool(0.125),
            visitor: VISITORS.choose(&mut rng).map(|v| (*v).to_owned()),
        }
    }

    /// One moment in the office: usually a counter finishes and calls the next ticket, sometimes
    /// a clerk calls the same ticket again, or a counter pauses or reopens.
    /// One moment of the office: a call, a recall, a counter change…, numbered by `journal`.
    pub fn step(&mut self, journal: &mut Journal) -> Vec<ServerMessage> {
        let mut rng = rand::rng();
        let board = journal.board();
        let open: Vec<Counter> = board
            .counters()
            .iter()
            .filter(|c| c.state == CounterState::Open)
            .cloned()
            .collect();
        let roll: f64 = rng.random();
        if roll < 0.05 || open.is_empty() {
            let Some(counter) = board.counters().choose(&mut rng).cloned() else {
                return Vec::new();
            };
            let state = match counter.state {
                CounterState::Open => CounterState::Paused,
                _ => CounterState::Open,
            };
            let counter = Counter { state, ..counter };
            return vec![journal.record(|seq| ServerMessage::Counter {
                v: VERSION,
                seq,
                counter,
            })];
        }
        let Some(counter) = open.choose(&mut rng) else {
            return Vec::new();
        };
        let serving = board.serving(&counter.id).cloned();
        if let Some(current) = &serving
            && roll < 0.15
        {
            let call = Call {
                recall: true,
                at: chrono::Utc::now().to_rfc3339(),
                ..current.clone()
            };
            return vec![journal.record(|seq| ServerMessage::Call {
                v: VERSION,
                seq,
                call,
            })];
        }
        let mut out = Vec::new();
        if let Some(current) = serving {
            out.push(journal.record(|seq| ServerMessage::CallEnded {
                v: VERSION,
                seq,
                call_id: current.id,
                reason: CallEnd::Finished,
            }));
        }
        let lang = if rng.random_bool(0.25) {
            VISITOR_LANGS.choose(&mut rng).copied()
        } else {
            None
        };
        let call = self.new_call(&counter.id, lang);
        out.push(journal.record(|seq| ServerMessage::Call {
            v: VERSION,
            seq,
            call,
        }));
        // Meanwhile a visitor or two drew tickets at the kiosk.
        for _ in 0..rng.random_range(0..=2) {
            let i = rng.random_range(0..SERVICES.len());
            self.waiting[i] = (self.waiting[i] + 1).min(40);
        }
        let queue = self.queue();
        out.push(journal.record(|seq| ServerMessage::Queue {
            v: VERSION,
            seq,
            queue,
        }));
        out
    }
}

/// Every text the demo office can send in `lang` (services, notices, tickets), for glyph checks.
pub fn sample_texts(lang: &str) -> Vec<String> {
    let mut out: Vec<String> = SERVICES
        .iter()
        .filter_map(|s| {
            s.names
                .iter()
                .find(|(l, _)| *l == lang)
                .map(|(_, t)| (*t).to_owned())
        })
        .collect();
    out.extend(SERVICES.iter().map(|s| format!("{}042", s.prefix)));
    let mut office = Office::new();
    for notice in office.initial_state().notices {
        out.extend(notice.text.get(lang).cloned());
    }
    out
}

/// The office's opening state as the events that make it (counters, earlier calls, the finished
/// one, the notice, the waiting figures), unnumbered: a log numbers them, so a display that
/// connects later gets them as history.
pub fn opening(initial: State) -> Vec<ServerMessage> {
    let counters = initial
        .counters
        .into_iter()
        .map(|counter| ServerMessage::Counter {
            v: VERSION,
            seq: 0,
            counter,
        });
    let calls = initial.calls.into_iter().map(|call| ServerMessage::Call {
        v: VERSION,
        seq: 0,
        call,
    });
    let finished = initial
        .finished
        .into_iter()
        .map(|call_id| ServerMessage::CallEnded {
            v: VERSION,
            seq: 0,
            call_id,
            reason: CallEnd::Finished,
        });
    let notices = initial
        .notices
        .into_iter()
        .map(|notice| ServerMessage::Notice {
            v: VERSION,
            seq: 0,
            notice,
        });
    let queue = initial.queue.map(|queue| ServerMessage::Queue {
        v: VERSION,
        seq: 0,
        queue,
    });
    counters
        .chain(calls)
        .chain(finished)
        .chain(notices)
        .chain(queue)
        .collect()
}
