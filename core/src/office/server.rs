//! The office server: serves an office's [`Journal`] to displays as protocol v1 over WebSocket
//! (hello → replay or snapshot, live events, keepalives, resync). Today it serves the demo
//! office on loopback; it is the part a relay for real queue systems builds on.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, oneshot};
use tokio_tungstenite::tungstenite::Message;

use super::demo::{DemoOptions, Office};
use super::journal::{Journal, Subscriber};
use crate::protocol::{self, ClientMessage, ServerMessage};

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

/// Starts the demo office on a free loopback port.
pub fn spawn_demo(options: DemoOptions) -> std::io::Result<DemoFeed> {
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
