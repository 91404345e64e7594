//! Following an office on NATS JetStream (`--nats URL --office sk.rajec`) instead of a
//! WebSocket: the last snapshot from `herald.v1.<office>.snapshot`, then an ordered consumer on
//! `herald.v1.<office>.events` from the stream sequence right after it. The frames are protocol
//! v1 as on a WebSocket and go through the same board, so each call is shown and announced once.
//!
//! After a gap (the board asks to resync), an error, or a broker outage the consumer is built
//! again from the last applied event's stream sequence; when that is gone the snapshot is read
//! again. Debian 12's nats-server 2.9.10 leaves an ordered consumer dead after a restart
//! ("consumer not found"), so herald watches the connection itself and rebuilds everything.
//!
//! The relay's keepalives (plain NATS, every 10 s) tell the display that its relay is alive,
//! that it has missed nothing in a quiet hour (or that the numbering started over), and the
//! relay's clock. Once heard, their silence is an outage like the broker's. Resyncs are spaced
//! out (one bad message must not send every display of an office into a loop), and a message
//! the board refused is not read again.

use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;
use herald_core::backoff::Backoff;
use herald_core::protocol::{self, ServerMessage};
use herald_wire::fleet::{self, Broker};
use tokio::sync::mpsc as tokio_mpsc;

use super::{Command, Ended, FeedConfig, FeedEvent, Link, Reports, last_applied};

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
    /// The relay has been heard keeping alive: from now on its silence is an outage.
    keepalives_heard: bool,
    /// Resyncs in a row (each within a minute of the one before), and when the last was.
    resyncs: u32,
    last_resync: Option<Instant>,
    /// Messages up to this stream sequence were handed to the board before the resync it asked
    /// for: not read again after the snapshot.
    read_up_to: Option<u64>,
}

/// The wait between resyncs in a row: 2 s, doubling, at most a minute.
const RESYNC: Backoff = Backoff {
    first: Duration::from_secs(2),
    max: Duration::from_secs(60),
    jitter: false,
};

/// A consumer name no other display takes: the process and the moment.
fn consumer_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("herald_{:x}_{nanos:x}", std::process::id())
}

/// Runs `work` unless herald quits meanwhile: a request to a stalled broker may take its whole
/// timeout, and quitting must not wait for it. `None` when herald quits.
async fn or_quit<T>(
    work: impl Future<Output = T>,
    commands: &mut tokio_mpsc::UnboundedReceiver<Command>,
) -> Option<T> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return Some(out),
            command = commands.recv() => {
                if matches!(command, None | Some(Command::Shutdown)) {
                    return None;
                }
                // A resync asked meanwhile: what is being read now is the start anyway.
            }
        }
    }
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
    let Some(events) = or_quit(js.get_stream(fleet::EVENTS_STREAM), commands).await else {
        return Ended::Shutdown;
    };
    let mut events = match events {
        Ok(s) => s,
        Err(e) => return Ended::Failed(format!("{shown}: stream {}: {e}", fleet::EVENTS_STREAM)),
    };
    let Some(snapshots) = or_quit(js.get_stream(fleet::SNAPSHOTS_STREAM), commands).await else {
        return Ended::Shutdown;
    };
    let snapshots = match snapshots {
        Ok(s) => s,
        Err(e) => {
            return Ended::Failed(format!("{shown}: stream {}: {e}", fleet::SNAPSHOTS_STREAM));
        }
    };
    let keepalive_subject = fleet::keepalive_subject(&nats.office);
    let Some(keepalives) = or_quit(client.subscribe(keepalive_subject.clone()), commands).await
    else {
        return Ended::Shutdown;
    };
    let mut keepalives = match keepalives {
        Ok(s) => s,
        Err(e) => return Ended::Failed(format!("{shown}: {keepalive_subject}: {e}")),
    };
    // Reports to the console go on the office's status subject; thumbnails are asked on its
    // thumbnail subject (docs/console.md).
    let mut reports = Reports::default();
    let mut thumbnail_asks = None;
    if config.reporter.is_some() {
        let subject = fleet::thumbnail_subject(&nats.office);
        match or_quit(client.subscribe(subject), commands).await {
            None => return Ended::Shutdown,
            // Without it the display still reports, only without pictures.
            Some(subscribed) => thumbnail_asks = subscribed.ok(),
        }
    }
    let status_subject = fleet::status_subject(&nats.office);
    let report = |frame: herald_core::protocol::ClientMessage| {
        let envelope = fleet::StatusEnvelope {
            display: config.display.clone(),
            frame,
        };
        let client = client.clone();
        let subject = status_subject.clone();
        async move {
            if let Ok(payload) = serde_json::to_vec(&envelope) {
                // Lost while the broker is away: the next report says it all again.
                let _ = client.publish(subject, payload.into()).await;
            }
        }
    };
    // The relay's last word, and a keepalive that was ahead of the board once (events may
    // still be on their way through the stream: only a second one ahead means a gap).
    let mut relay_heard = Instant::now();
    let mut ahead: Option<u64> = None;
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
                let Some(last) = or_quit(
                    snapshots.direct_get_last_for_subject(fleet::snapshot_subject(&nats.office)),
                    commands,
                )
                .await
                else {
                    return Ended::Shutdown;
                };
                match last {
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
                        // What was handed to the board before the resync is not read again
                        // (unless the stream started over below it: then it is all new).
                        let skip = match position.read_up_to.take() {
                            Some(read) if read > stream_seq => {
                                match or_quit(events.info(), commands).await {
                                    None => return Ended::Shutdown,
                                    Some(Ok(info)) if info.state.last_sequence >= read => read,
                                    Some(_) => stream_seq,
                                }
                            }
                            _ => stream_seq,
                        };
                        position.stream_seq = Some(skip);
                        skip
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
        let created = or_quit(
            events.create_consumer(consumer::pull::OrderedConfig {
                // Named, so that the request to create it names its filter subject too
                // (`$JS.API.CONSUMER.CREATE.HERALD_EVENTS.<name>.<subject>`) and a broker's
                // permissions can hold a display to its own office (docs/fleet.md).
                name: Some(consumer_name()),
                filter_subject: subject.clone(),
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: after + 1,
                },
                ..Default::default()
            }),
            commands,
        )
        .await;
        let consumer = match created {
            None => return Ended::Shutdown,
            Some(Ok(c)) => c,
            Some(Err(e)) => return lost(format!("{shown}: cannot follow {subject}: {e}")),
        };
        let mut messages = match or_quit(consumer.messages(), commands).await {
            None => return Ended::Shutdown,
            Some(Ok(m)) => m,
            Some(Err(e)) => return lost(format!("{shown}: cannot follow {subject}: {e}")),
        };
        // A resync asked for sooner than the spacing allows waits until then.
        let mut resync_at: Option<tokio::time::Instant> = None;
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
                keepalive = keepalives.next() => {
                    let Some(keepalive) = keepalive else {
                        return lost(format!("{shown}: the keepalive subscription ended"));
                    };
                    relay_heard = Instant::now();
                    position.keepalives_heard = true;
                    let Ok(Ok(frame @ ServerMessage::Keepalive { seq, .. })) =
                        std::str::from_utf8(&keepalive.payload).map(protocol::decode)
                    else {
                        continue;
                    };
                    if let ServerMessage::Keepalive { report: Some(wanted), .. } = &frame
                        && let Some(status) = reports.asked(config, wanted)
                    {
                        report(status).await;
                    }
                    let frame = match last_applied(applied) {
                        // Ahead of the board for the first time: only the relay's clock now.
                        Some(last) if seq > last && ahead.is_none_or(|a| last >= a) => {
                            ahead = Some(seq);
                            frame.numbered(last)
                        }
                        _ => {
                            ahead = None;
                            frame
                        }
                    };
                    if !link.send(FeedEvent::Frame { message: frame, received: Instant::now() }) {
                        return Ended::Shutdown;
                    }
                }
                () = async {
                    match resync_at {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                } => {
                    break Start::Snapshot;
                }
                ask = async {
                    match thumbnail_asks.as_mut() {
                        Some(asks) => asks.next().await,
                        None => std::future::pending().await,
                    }
                } => {
                    let Some(ask) = ask else {
                        thumbnail_asks = None;
                        continue;
                    };
                    if let Ok(wanted) = serde_json::from_slice::<fleet::ThumbnailWanted>(&ask.payload)
                        && wanted.display == config.display
                    {
                        match wanted.asked {
                            herald_core::report::Asked::Thumbnail(width) => reports.thumbnail_wanted(config, width),
                            herald_core::report::Asked::TestCall(call) => {
                                if !link.send(FeedEvent::TestCall(call)) {
                                    return Ended::Shutdown;
                                }
                            }
                        }
                    }
                }
                frame = reports.thumbnail_ready() => {
                    if let Some(frame) = frame {
                        report(frame).await;
                    }
                }
                _ = ticker.tick() => {
                    if let Some(status) = reports.due(config) {
                        report(status).await;
                    }
                    if position.keepalives_heard && relay_heard.elapsed() >= fleet::RELAY_SILENT_AFTER {
                        return lost(format!(
                            "{shown}: the relay has published nothing for {} s, not even a \
                             keepalive (is herald-relay running and connected to the broker?)",
                            relay_heard.elapsed().as_secs()
                        ));
                    }
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
                    // The board saw a gap: the snapshot, then the events after it, spaced out
                    // while they come in a row.
                    Some(Command::Resync) => {
                        if resync_at.is_some() {
                            continue;
                        }
                        if position.last_resync.is_some_and(|t| t.elapsed() > Duration::from_secs(60)) {
                            position.resyncs = 0;
                        }
                        let wait = if position.resyncs == 0 {
                            Duration::ZERO
                        } else {
                            RESYNC.wait(position.resyncs)
                        };
                        let due = position
                            .last_resync
                            .map_or_else(Instant::now, |t| t + wait);
                        position.resyncs += 1;
                        position.last_resync = Some(due.max(Instant::now()));
                        position.read_up_to = position.stream_seq;
                        if due <= Instant::now() {
                            break Start::Snapshot;
                        }
                        resync_at = Some(tokio::time::Instant::from_std(due));
                    }
                }
            }
        };
    }
}
