//! The demo office on loopback: what `herald` runs when no `--feed` is given. The simulated
//! office ([`super::demo`]) writes into an in-memory [`Journal`], and a WebSocket server on a
//! free loopback port serves it to the display by the same rules as herald-relay
//! ([`super::conversation`]), so the default run goes through the real feed client. No SQLite,
//! no HTTP inputs: the display does not depend on the relay program.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rand::Rng;
use tokio::sync::{broadcast, oneshot};

use super::conversation::{self, OfficeFrames};
use super::demo::{DemoOptions, Office};
use super::journal::Journal;
use crate::protocol::{ClientMessage, ServerMessage, State};

/// How often a quiet display hears that the office is still there (as herald-relay does).
const KEEPALIVE: Duration = Duration::from_secs(10);
/// Events kept for a display that resumes (the relay's default retention).
const KEPT: usize = 10_000;

/// The log and its live frames, shared by the generator and every session.
struct Shared {
    journal: Mutex<Journal>,
    live: broadcast::Sender<Arc<ServerMessage>>,
}

impl Shared {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        // A panicked writer leaves a journal that is still whole (each record is one push).
        self.journal.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, events: Vec<ServerMessage>) {
        for event in events {
            let _ = self.live.send(Arc::new(event));
        }
    }
}

impl OfficeFrames for Shared {
    fn answer(&self, request: &ClientMessage) -> Result<Vec<ServerMessage>, String> {
        Ok(self.journal().answer(request))
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<Arc<ServerMessage>>> {
        Some(self.live.subscribe())
    }

    fn snapshot(&self) -> Option<ServerMessage> {
        Some(self.journal().snapshot())
    }

    fn keepalive(&self) -> Option<ServerMessage> {
        Some(self.journal().keepalive())
    }
}

/// The running demo office; dropping it stops it.
pub struct LoopbackOffice {
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LoopbackOffice {
    /// The URL a display follows it at.
    pub fn feed_url(&self) -> String {
        format!("ws://{}/v1/offices/demo/feed", self.address)
    }
}

impl Drop for LoopbackOffice {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Opens the demo office (counters, a few earlier calls, a notice, numbered before any display
/// can connect, so they are history and not news) and serves it on a free loopback port, on a
/// thread of its own.
pub fn spawn_demo(options: DemoOptions) -> Result<LoopbackOffice, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let mut generator = Office::new();
    let mut journal = Journal::new(State::default(), KEPT);
    for event in super::demo::opening(generator.initial_state()) {
        journal.record(|seq| event.numbered(seq));
    }
    let (live, _) = broadcast::channel(1024);
    let shared = Arc::new(Shared {
        journal: Mutex::new(journal),
        live,
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("herald-demo-office".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!("demo office: cannot listen on {address}: {e}");
                        return;
                    }
                };
                let office = shared.clone();
                let life = async move {
                    let mut next = tokio::time::Instant::now() + options.first_call_after;
                    loop {
                        tokio::time::sleep_until(next).await;
                        let made = generator.step(&mut office.journal());
                        office.record(made);
                        let (low, high) = options.interval;
                        next = tokio::time::Instant::now()
                            + rand::rng().random_range(low..=high.max(low));
                    }
                };
                let serving = async move {
                    loop {
                        let Ok((stream, peer)) = listener.accept().await else {
                            continue;
                        };
                        let office = shared.clone();
                        tokio::spawn(async move {
                            if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                                conversation::serve_display(
                                    socket,
                                    peer,
                                    "demo",
                                    &*office,
                                    None,
                                    KEEPALIVE,
                                    || {},
                                )
                                .await;
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = stop_rx => {}
                    () = life => {}
                    () = serving => {}
                }
            });
        })
        .map_err(|e| e.to_string())?;
    Ok(LoopbackOffice {
        address,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}
