//! Following an office on NATS JetStream (`--nats URL --office sk.rajec`) instead of a
//! WebSocket: the last snapshot from `herald.v1.<office>.snapshot`, then an ordered consumer on
//! `herald.v1.<office>.events` from the stream sequence right after it. The frames are protocol
//! v1 as on a WebSocket and go through the same board, so each call is shown and announced once.
//!
//! After a gap (the board asks to resync), an error, or a broker outage the consumer is built
//! again from the last applied event's stream sequence; when that is gone the snapshot is read
//! again. Debian 12's nats-server 2.9.10 leaves an ordered consumer dead after a restart
//! ("consumer not found"), so herald watches the connection itself and rebuilds everything.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;
use herald_core::protocol::{self, ServerMessage};
use herald_wire::fleet::{self, Broker};
use tokio::sync::mpsc as tokio_mpsc;

use super::{Command, Ended, FeedConfig, FeedEvent, Link, last_applied};

/// Which office to follow on which broker.
#[derive(Clone, Debug)]
pub struct NatsFeed {
    pub broker: Broker,
    pub office: String,
}

/// Where this display is in the office's events stream; kept across reconnects.
#[derive(Debug, Default)]
pub struct Position {
    /// The stream sequence of the last event handed to the board.
    pub stream_seq: Option<u64>,
}

enum Start {
    /// Follow the events after this stream sequence.
    After(u64),
    /// Read the snapshot first.
    Snapshot,
}

/// One connection to the broker, until it is lost or herald quits.
pub(super) async fn session(
    config: &FeedConfig,
    nats: &NatsFeed,
    link: &Link,
    commands: &mut tokio_mpsc::UnboundedReceiver<Command>,
    applied: &AtomicU64,
    position: &mut Position,
) -> Ended {
    let shown = format!(
        "{} ({})",
        herald_core::secret::shown_url(&nats.broker.url),
        nats.office
    );
    let connect = fleet::connect(&nats.broker, &config.display, config.connect_timeout);
    tokio::pin!(connect);
    let client = loop {
        tokio::select! {
            result = &mut connect => match result {
                Ok(client) => break client,
                Err(e) => return Ended::Failed(e),
            },
            command = commands.recv() => {
                if matches!(command, None | Some(Command::Shutdown)) {
                    return Ended::Shutdown;
                }
            }
        }
    };
    let js = jetstream::new(client.clone());
    let events = match js.get_stream(fleet::EVENTS_STREAM).await {
        Ok(s) => s,
        Err(e) => return Ended::Failed(format!("{shown}: stream {}: {e}", fleet::EVENTS_STREAM)),
    };
    let snapshots = match js.get_stream(fleet::SNAPSHOTS_STREAM).await {
        Ok(s) => s,
        Err(e) => {
            return Ended::Failed(format!("{shown}: stream {}: {e}", fleet::SNAPSHOTS_STREAM));
        }
    };
    let subject = fleet::events_subject(&nats.office);
    let mut start = match (last_applied(applied), position.stream_seq) {
        (Some(_), Some(seq)) => Start::After(seq),
        _ => Start::Snapshot,
    };
    let connected_at = Instant::now();
    let lost = |reason: String| Ended::Lost(reason, connected_at.elapsed());
    let mut announced_connected = false;
    loop {
        let after = match start {
            Start::After(seq) => seq,
            Start::Snapshot => {
                match snapshots
                    .direct_get_last_for_subject(fleet::snapshot_subject(&nats.office))
                    .await
                {
                    Ok(message) => {
                        let stream_seq = message
                            .headers
                            .get(fleet::STREAM_SEQ_HEADER)
                            .and_then(|v| v.as_str().parse::<u64>().ok())
                            .unwrap_or(0);
                        let text = String::from_utf8_lossy(&message.payload);
                        let event = match protocol::decode(&text) {
                            Ok(message @ ServerMessage::Snapshot { .. }) => FeedEvent::Frame {
                                message,
                                received: Instant::now(),
                            },
                            Ok(other) => {
                                return Ended::Failed(format!(
                                    "{shown}: the snapshot subject holds a {} frame",
                                    other.kind()
                                ));
                            }
                            Err(rejection) => FeedEvent::Rejected(rejection),
                        };
                        if !announced_connected {
                            announced_connected = true;
                            if !link.send(FeedEvent::Connected { url: shown.clone() }) {
                                return Ended::Shutdown;
                            }
                        }
                        if !link.send(event) {
                            return Ended::Shutdown;
                        }
                        position.stream_seq = Some(stream_seq);
                        stream_seq
                    }
                    Err(e) if e.kind() == jetstream::stream::DirectGetErrorKind::NotFound => {
                        // The office has published nothing yet: follow it from the start.
                        0
                    }
                    Err(e) => return lost(format!("{shown}: reading the snapshot: {e}")),
                }
            }
        };
        if !announced_connected {
            announced_connected = true;
            if !link.send(FeedEvent::Connected { url: shown.clone() }) {
                return Ended::Shutdown;
            }
        }
        let consumer = match events
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: subject.clone(),
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: after + 1,
                },
                ..Default::default()
            })
            .await
        {
            Ok(c) => c,
            Err(e) => return lost(format!("{shown}: cannot follow {subject}: {e}")),
        };
        let mut messages = match consumer.messages().await {
            Ok(m) => m,
            Err(e) => return lost(format!("{shown}: cannot follow {subject}: {e}")),
        };
        // The broker connection is looked at every second; down for two, the link is lost.
        let mut ticker =
            tokio::time::interval(std::time::Duration::from_secs(1).min(config.ping_every));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut down_since: Option<Instant> = None;
        start = loop {
            tokio::select! {
                message = messages.next() => {
                    let message = match message {
                        Some(Ok(m)) => m,
                        Some(Err(e)) => return lost(format!("{shown}: {e}")),
                        None => return lost(format!("{shown}: the consumer ended")),
                    };
                    let received = Instant::now();
                    if let Ok(info) = message.info() {
                        position.stream_seq = Some(info.stream_sequence);
                    }
                    let event = match std::str::from_utf8(&message.payload) {
                        Ok(text) => match protocol::decode(text) {
                            Ok(frame) => FeedEvent::Frame { message: frame, received },
                            Err(rejection) => FeedEvent::Rejected(rejection),
                        },
                        Err(_) => FeedEvent::Rejected(protocol::Rejection::Binary { bytes: message.payload.len() }),
                    };
                    if !link.send(event) {
                        return Ended::Shutdown;
                    }
                }
                _ = ticker.tick() => {
                    // The client reconnects by itself, but the consumer does not survive a broker
                    // restart: once the link has been down this long, start over.
                    match client.connection_state() {
                        async_nats::connection::State::Connected => down_since = None,
                        _ => {
                            let since = *down_since.get_or_insert_with(Instant::now);
                            if since.elapsed() >= std::time::Duration::from_secs(2).min(config.ping_every) {
                                return lost(format!("{shown}: the broker connection is down"));
                            }
                        }
                    }
                }
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return Ended::Shutdown,
                    // The board saw a gap: the snapshot, then the events after it.
                    Some(Command::Resync) => break Start::Snapshot,
                }
            }
        };
    }
}
