//! A real protocol-v1 WebSocket server on loopback that a test can misbehave with: kill it,
//! restart it on the same port, make it go silent, skip a seq, or send garbage.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support code"
)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use herald::feed::{self, FeedConfig, FeedHandle, FeedStatus, Pumped};
use herald_core::board::{Board, News};
use herald_core::office::conversation::Subscriber;
use herald_core::office::journal::Journal;
use herald_core::protocol::{self, Call, ClientMessage, ServerMessage, State, VERSION};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

// The herald binary is known to integration tests only (not to the bench example, which shares
// this file).
#[cfg(test)]
pub mod browser;
#[cfg(test)]
pub mod http;
#[cfg(test)]
pub mod pixels;
#[cfg(test)]
mod running;
#[cfg(test)]
pub mod sound;
#[cfg(test)]
pub mod speech;
#[cfg(test)]
#[allow(
    unused_imports,
    reason = "only the tests that run herald itself use it"
)]
pub use running::Herald;

#[derive(Clone, Debug)]
pub enum Outgoing {
    Text(String),
    Binary(Vec<u8>),
}

enum Control {
    Calls { count: usize, skip_first: bool },
    Event(Box<dyn FnOnce(u64) -> ServerMessage + Send>),
    Raw(Outgoing),
    Kill,
    Restart,
}

/// Handle to the test server; dropping it stops it.
pub struct TestServer {
    pub address: SocketAddr,
    control: mpsc::UnboundedSender<Control>,
    pub silent: Arc<AtomicBool>,
    journal: Arc<Mutex<Journal>>,
    /// Displays that said hello and got their answer, counted up.
    greeted: Arc<std::sync::atomic::AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> Self {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let address = std_listener.local_addr().expect("address");
        let (control, control_rx) = mpsc::unbounded_channel();
        let silent = Arc::new(AtomicBool::new(false));
        let journal = Arc::new(Mutex::new(Journal::new(State::default(), 100_000)));
        let greeted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (s, j, g) = (silent.clone(), journal.clone(), greeted.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(serve(std_listener, address, control_rx, s, j, g));
        });
        Self {
            address,
            control,
            silent,
            journal,
            greeted,
            thread: Some(thread),
        }
    }

    /// Waits until a display has said hello and had its answer (the snapshot or the replay),
    /// so what is sent next reaches it as live news; panics after `limit`.
    pub fn wait_for_display(&self, limit: Duration) {
        self.wait_for_displays(1, limit);
    }

    /// Waits until `count` hellos in all have been answered (the second display, or the same
    /// one after a reconnect). "connected" in herald's log comes before its hello is answered:
    /// a call sent between the two would arrive inside the first snapshot, as history.
    pub fn wait_for_displays(&self, count: usize, limit: Duration) {
        let start = std::time::Instant::now();
        while self.greeted.load(Ordering::SeqCst) < count {
            assert!(
                start.elapsed() < limit,
                "no {count} hellos answered by the test server within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self) -> String {
        format!("ws://{}", self.address)
    }

    /// Records `count` new calls and sends them to every connected display.
    pub fn calls(&self, count: usize) {
        let _ = self.control.send(Control::Calls {
            count,
            skip_first: false,
        });
    }

    /// Records `count` calls but does not send the first one: the displays see a gap.
    pub fn calls_with_gap(&self, count: usize) {
        let _ = self.control.send(Control::Calls {
            count,
            skip_first: true,
        });
    }

    /// Records one given call and sends it to every connected display.
    pub fn call(&self, call: Call) {
        self.send(move |seq| ServerMessage::Call {
            v: VERSION,
            seq,
            call,
        });
    }

    /// Records any event (a counter change, a notice…) and sends it to every connected display.
    pub fn send(&self, make: impl FnOnce(u64) -> ServerMessage + Send + 'static) {
        let _ = self.control.send(Control::Event(Box::new(make)));
    }

    pub fn raw(&self, frame: Outgoing) {
        let _ = self.control.send(Control::Raw(frame));
    }

    /// Drops every connection and stops listening; the office goes on recording calls.
    pub fn kill(&self) {
        let _ = self.control.send(Control::Kill);
    }

    pub fn restart(&self) {
        let _ = self.control.send(Control::Restart);
    }

    pub fn seq(&self) -> u64 {
        self.journal.lock().map(|j| j.seq()).unwrap_or(0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        drop(std::mem::replace(
            &mut self.control,
            mpsc::unbounded_channel().0,
        ));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Seconds between two of herald's log lines.
pub fn between(a: &serde_json::Value, b: &serde_json::Value) -> f64 {
    let t = |l: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(l["ts"].as_str().expect("ts")).expect("rfc3339 ts")
    };
    (t(b) - t(a)).as_seconds_f64()
}

pub fn ticket(n: usize) -> String {
    format!("T{n:05}")
}

fn make_call(n: usize) -> Call {
    let counter = ((n % 7) + 1).to_string();
    Call::new(
        format!("call-{n}"),
        ticket(n),
        &counter,
        chrono::Utc::now().to_rfc3339(),
    )
}

async fn serve(
    std_listener: std::net::TcpListener,
    address: SocketAddr,
    mut control: mpsc::UnboundedReceiver<Control>,
    silent: Arc<AtomicBool>,
    journal: Arc<Mutex<Journal>>,
    greeted: Arc<std::sync::atomic::AtomicUsize>,
) {
    let (out, _) = broadcast::channel::<(u64, Outgoing)>(65_536);
    let mut listener = Some(TcpListener::from_std(std_listener).expect("tokio listener"));
    let mut sessions = JoinSet::new();
    let mut made = 0usize;
    loop {
        let accept = async {
            match &listener {
                Some(l) => l.accept().await.ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            command = control.recv() => match command {
                None => return,
                Some(Control::Calls { count, skip_first }) => {
                    for i in 0..count {
                        made += 1;
                        let call = make_call(made);
                        let message = journal
                            .lock()
                            .expect("journal")
                            .record(|seq| ServerMessage::Call { v: VERSION, seq, call });
                        if !(skip_first && i == 0) {
                            let _ = out.send((message.seq(), Outgoing::Text(protocol::encode_server(&message))));
                        }
                    }
                }
                Some(Control::Event(make)) => {
                    let message = journal.lock().expect("journal").record(make);
                    let _ = out.send((message.seq(), Outgoing::Text(protocol::encode_server(&message))));
                }
                Some(Control::Raw(frame)) => {
                    let _ = out.send((0, frame));
                }
                Some(Control::Kill) => {
                    sessions.abort_all();
                    listener = None;
                }
                Some(Control::Restart) => {
                    listener = Some(TcpListener::bind(address).await.expect("re-bind the same port"));
                }
            },
            accepted = accept => {
                if let Some((stream, _)) = accepted {
                    sessions.spawn(session(stream, out.subscribe(), silent.clone(), journal.clone(), greeted.clone()));
                }
            }
        }
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    mut out: broadcast::Receiver<(u64, Outgoing)>,
    silent: Arc<AtomicBool>,
    journal: Arc<Mutex<Journal>>,
    greeted: Arc<std::sync::atomic::AtomicUsize>,
) {
    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let mut subscriber = Subscriber::default();
    loop {
        if silent.load(Ordering::Relaxed) {
            // Neither read (so no pong) nor write: a connection that died without a FIN.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        tokio::select! {
            frame = socket.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(_)) => continue,
                    _ => return,
                };
                let Ok(request) = serde_json::from_str::<ClientMessage>(text.as_str()) else { continue };
                let answer = journal.lock().expect("journal").answer(&request);
                subscriber.answered(&request, &answer);
                for message in answer {
                    if socket.send(Message::text(protocol::encode_server(&message))).await.is_err() {
                        return;
                    }
                }
                if matches!(request, ClientMessage::Hello { .. }) {
                    greeted.fetch_add(1, Ordering::SeqCst);
                }
            }
            item = out.recv(), if subscriber.greeted() => {
                let Ok((seq, frame)) = item else { return };
                // Raw test frames (seq 0) always go out; numbered events once each.
                if seq != 0 && !subscriber.forward_seq(seq) {
                    continue;
                }
                let message = match frame {
                    Outgoing::Text(text) => Message::text(text),
                    Outgoing::Binary(bytes) => Message::binary(bytes),
                };
                if socket.send(message).await.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// A display under test: the real feed client and a board, pumped by the test.
pub struct Display {
    pub handle: FeedHandle,
    pub board: Board,
    pub status: FeedStatus,
    /// Tickets in the order the board announced them (calls and snapshot catch-ups).
    pub called: Vec<String>,
    pub disconnects: Vec<(Instant, String)>,
    pub connects: Vec<Instant>,
    pub rejections: Vec<String>,
    pub latencies: Vec<Duration>,
}

impl Display {
    pub fn connect(url: &str, tweak: impl FnOnce(&mut FeedConfig)) -> Self {
        let mut config = FeedConfig::new(url, "test-display");
        config.backoff_first = Duration::from_millis(50);
        config.backoff_max = Duration::from_millis(400);
        tweak(&mut config);
        Self {
            handle: feed::spawn(config, Arc::new(|| {})).expect("feed thread"),
            board: Board::new(),
            status: FeedStatus::default(),
            called: Vec::new(),
            disconnects: Vec::new(),
            connects: Vec::new(),
            rejections: Vec::new(),
            latencies: Vec::new(),
        }
    }

    pub fn pump(&mut self) {
        for item in feed::pump(&self.handle, &mut self.board, &mut self.status) {
            match item {
                Pumped::Applied { news, latency, .. } => {
                    self.latencies.push(latency);
                    for n in news {
                        if let News::Called(call) = n {
                            self.called.push(call.ticket);
                        }
                    }
                }
                Pumped::Connected(_) => self.connects.push(Instant::now()),
                Pumped::Disconnected(reason) => self.disconnects.push((Instant::now(), reason)),
                Pumped::Rejected(r) => self.rejections.push(r.kind().to_owned()),
                Pumped::Duplicate(_)
                | Pumped::Gap { .. }
                | Pumped::Renumbered { .. }
                | Pumped::TestCall(_)
                | Pumped::ClockOffset(_) => {}
            }
        }
    }

    /// Pumps until `done` holds or `limit` passes; returns whether it held.
    pub fn pump_until(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            self.pump();
            if done(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.pump();
        done(self)
    }

    /// Asserts the board announced exactly tickets 1..=n, each once.
    pub fn assert_each_call_once(&self, n: usize) {
        let mut seen = self.called.clone();
        seen.sort();
        let expected: Vec<String> = (1..=n).map(ticket).collect();
        let dupes = seen.windows(2).filter(|w| w[0] == w[1]).count();
        assert_eq!(dupes, 0, "some calls reached the board twice");
        assert_eq!(
            seen, expected,
            "the board did not get every call exactly once"
        );
    }
}
