//! The embedded demo feed: a small client centre simulated inside the herald process, served as a
//! real protocol-v1 WebSocket server on loopback. `herald` with no `--feed` connects to it through
//! the same client code a real queue system would meet.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use rand::seq::IndexedRandom;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, oneshot};
use tokio_tungstenite::tungstenite::Message;

use super::journal::{Journal, Subscriber};
use crate::protocol::{
    self, Call, CallEnd, ClientMessage, Counter, CounterRef, CounterState, Localized, Notice,
    ServerMessage, State, VERSION,
};

/// How lively the simulated office is.
#[derive(Clone, Debug)]
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

/// A running demo feed; dropping it stops the server.
pub struct DemoFeed {
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for DemoFeed {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
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

fn localized(pairs: &[(&str, &str)]) -> Localized {
    pairs
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect()
}

/// The simulated office: who is at which counter and which ticket comes next.
struct Office {
    next_number: [u32; SERVICES.len()],
    calls_made: u64,
}

impl Office {
    fn new() -> Self {
        let mut rng = rand::rng();
        Self {
            next_number: std::array::from_fn(|_| rng.random_range(12..48)),
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

    fn initial_state(&mut self) -> State {
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
                expires: None,
            }],
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
        }
    }

    /// One moment in the office: usually a counter finishes and calls the next ticket, sometimes
    /// a clerk calls the same ticket again, or a counter pauses or reopens.
    fn step(&mut self, journal: &mut Journal) -> Vec<ServerMessage> {
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
        out
    }
}

/// Starts the demo office on a free loopback port.
pub fn spawn(options: DemoOptions) -> std::io::Result<DemoFeed> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (stop_tx, stop_rx) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("herald-demo-feed".into())
        .spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(listener) {
                    Ok(listener) => serve(listener, options, stop_rx).await,
                    Err(e) => tracing::error!("demo feed: cannot listen on {address}: {e}"),
                }
            });
        })?;
    Ok(DemoFeed {
        url: format!("ws://{address}"),
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

async fn serve(listener: TcpListener, options: DemoOptions, mut stop: oneshot::Receiver<()>) {
    let mut office = Office::new();
    let journal = Arc::new(Mutex::new(Journal::new(office.initial_state(), 500)));
    let (events, _) = broadcast::channel::<ServerMessage>(256);
    let mut next = tokio::time::Instant::now() + options.first_call_after;
    loop {
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep_until(next) => {
                let made = match journal.lock() {
                    Ok(mut journal) => office.step(&mut journal),
                    Err(_) => return,
                };
                for message in made {
                    // No display connected is fine: the journal keeps the event for later.
                    let _ = events.send(message);
                }
                let (low, high) = options.interval;
                next = tokio::time::Instant::now() + rand::rng().random_range(low..=high.max(low));
            }
            accepted = listener.accept() => {
                if let Ok((stream, peer)) = accepted {
                    tokio::spawn(display_session(stream, peer, journal.clone(), events.subscribe()));
                }
            }
        }
    }
}

/// Serves one connected display: answers hello, then forwards every event, keepalives when
/// quiet, and a snapshot when the display asks to resync.
async fn display_session(
    stream: TcpStream,
    peer: SocketAddr,
    journal: Arc<Mutex<Journal>>,
    mut events: broadcast::Receiver<ServerMessage>,
) {
    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
        tracing::warn!("demo feed: {peer} did not complete the WebSocket handshake");
        return;
    };
    let mut subscriber = Subscriber::default();
    let mut keepalive = tokio::time::interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            frame = socket.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                let Ok(request) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
                    tracing::warn!("demo feed: ignoring a frame from {peer} that is not a v1 client frame");
                    continue;
                };
                let answer = match journal.lock() {
                    Ok(j) => subscriber.answer(&j, &request),
                    Err(_) => return,
                };
                for message in answer {
                    if socket.send(Message::text(protocol::encode_server(&message))).await.is_err() {
                        return;
                    }
                }
            }
            event = events.recv() => {
                let message = match event {
                    Ok(message) => message,
                    // Too slow a reader: it gets a snapshot instead of the events it missed.
                    Err(broadcast::error::RecvError::Lagged(_)) => match journal.lock() {
                        Ok(j) => j.snapshot(),
                        Err(_) => return,
                    },
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if let ServerMessage::Snapshot { seq, .. } = &message {
                    subscriber.sent_snapshot(*seq);
                } else if !subscriber.forward(message.seq()) {
                    continue;
                }
                if socket.send(Message::text(protocol::encode_server(&message))).await.is_err() {
                    return;
                }
            }
            _ = keepalive.tick() => {
                if !subscriber.greeted() {
                    continue;
                }
                let message = match journal.lock() {
                    Ok(j) => j.keepalive(),
                    Err(_) => return,
                };
                if socket.send(Message::text(protocol::encode_server(&message))).await.is_err() {
                    return;
                }
            }
        }
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
