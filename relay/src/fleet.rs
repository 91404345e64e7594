//! The fleet: every office's protocol v1 events published to NATS JetStream, so a region's
//! displays follow one broker (and leaf nodes in the offices) instead of one relay each.
//!
//! - `herald.v1.<country>.<office>.events` in stream `HERALD_EVENTS`: each frame unchanged, with
//!   `Nats-Msg-Id: <office>:<seq>`, so a publish retried (or repeated by a restarted relay within
//!   the duplicate window) is stored once. Kept for the site's retention (events per office, hours).
//! - `herald.v1.<country>.<office>.snapshot` in stream `HERALD_SNAPSHOTS` (one message per
//!   subject; Debian 12's nats-server 2.9.10 cannot run async-nats' key-value API): the office's
//!   state at a seq, with `Herald-Stream-Seq`, the events stream's sequence of that seq's event, so
//!   a display applies the snapshot and follows the events stream right after it.
//!
//! The relay publishes from its own log, not from memory: after a broker outage it goes on from
//! the last event the broker has, and nothing acknowledged to a queue system is ever missing.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use herald_core::backoff::Backoff;
use herald_core::protocol::{self, ServerMessage};
use herald_wire::fleet::{
    Broker, EVENTS_STREAM, KEEPALIVE_EVERY, SNAPSHOTS_STREAM, STREAM_SEQ_HEADER, connect,
    events_subject, keepalive_subject, snapshot_subject,
};

use crate::relay::Relay;

/// Creates the two streams when they are missing (an existing stream is left as it is).
pub async fn ensure_streams(
    js: &jetstream::Context,
    keep_events: u64,
    keep_for: Duration,
) -> Result<(stream::Stream, stream::Stream), String> {
    let events = js
        .get_or_create_stream(stream::Config {
            name: EVENTS_STREAM.into(),
            subjects: vec!["herald.v1.*.*.events".into()],
            max_messages_per_subject: i64::try_from(keep_events).unwrap_or(i64::MAX),
            max_age: keep_for,
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            allow_direct: true,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("NATS stream {EVENTS_STREAM}: {e}"))?;
    let snapshots = js
        .get_or_create_stream(stream::Config {
            name: SNAPSHOTS_STREAM.into(),
            subjects: vec!["herald.v1.*.*.snapshot".into()],
            max_messages_per_subject: 1,
            storage: stream::StorageType::File,
            allow_direct: true,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("NATS stream {SNAPSHOTS_STREAM}: {e}"))?;
    Ok((events, snapshots))
}

/// Publishes every office of the relay until the process ends, reconnecting after outages.
pub async fn publish(relay: Arc<Relay>, broker: Broker) {
    let mut failures = 0u32;
    loop {
        let mut up = false;
        match publish_session(&relay, &broker, &mut up).await {
            Ok(()) => return,
            Err(e) => {
                // Each outage is said once (not once per retry), and so is its end.
                if up {
                    failures = 0;
                }
                failures += 1;
                if failures == 1 {
                    tracing::warn!(
                        "NATS: {e}; the relay keeps serving its displays and publishes again when the broker is back"
                    );
                }
            }
        }
        tokio::time::sleep(Backoff::NETWORK.wait(failures)).await;
    }
}

async fn publish_session(relay: &Arc<Relay>, broker: &Broker, up: &mut bool) -> Result<(), String> {
    let client = connect(broker, "herald-relay", Duration::from_secs(10)).await?;
    let js = jetstream::new(client.clone());
    let site = relay.site();
    let (events, _) = ensure_streams(&js, site.retention_events, site.retention).await?;
    *up = true;
    tracing::info!(
        "NATS: publishing {} office(s) to {}",
        site.offices.len(),
        herald_core::secret::shown_url(&broker.url)
    );
    let mut tasks = tokio::task::JoinSet::new();
    if let Some(console) = relay.console() {
        tasks.spawn(hear_reports(relay.clone(), console.clone(), client.clone()));
    }
    for office in &site.offices {
        tasks.spawn(publish_office(
            relay.clone(),
            js.clone(),
            events.clone(),
            office.id.clone(),
        ));
    }
    // Any office's publisher failing means the broker is unreachable: start over together.
    match tasks.join_next().await {
        Some(Ok(Err(e))) => Err(e),
        Some(Err(e)) => Err(format!("publisher failed: {e}")),
        Some(Ok(Ok(()))) | None => Ok(()),
    }
}

fn decode_seq(payload: &[u8]) -> Option<u64> {
    std::str::from_utf8(payload)
        .ok()
        .and_then(|t| protocol::decode(t).ok())
        .map(|m| m.seq())
}

async fn publish_office(
    relay: Arc<Relay>,
    js: jetstream::Context,
    mut events: stream::Stream,
    office: String,
) -> Result<(), String> {
    let subject = events_subject(&office);
    let snapshot_subject = snapshot_subject(&office);
    let keepalive_subject = keepalive_subject(&office);
    let mut keepalive = tokio::time::interval(KEEPALIVE_EVERY);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let Some(mut live) = relay.subscribe(&office) else {
        return Ok(());
    };
    // Where the broker is for this office.
    let (mut published, mut stream_seq) =
        match events.direct_get_last_for_subject(subject.clone()).await {
            Ok(message) => (decode_seq(&message.payload).unwrap_or(0), message.sequence),
            Err(e) if e.kind() == stream::DirectGetErrorKind::NotFound => (0, 0),
            Err(e) => return Err(format!("reading {subject}: {e}")),
        };
    // The seq of the last event in the broker's stream (not a snapshot standing for some).
    let mut in_stream = (published > 0).then_some(published);
    let mut snapshot_published = None;
    loop {
        let current = relay.seq(&office).unwrap_or(0);
        if published > current {
            tracing::warn!(
                "{office}: the broker has #{published} but the relay's log ends at #{current} (a new log?); publishing from the start"
            );
            published = 0;
        }
        if current > published {
            match relay.events_after(&office, published) {
                Ok(Some(frames)) => {
                    for frame in frames {
                        let mut headers = async_nats::HeaderMap::new();
                        headers.insert("Nats-Msg-Id", format!("{office}:{}", frame.seq()).as_str());
                        let ack = js
                            .publish_with_headers(
                                subject.clone(),
                                headers,
                                protocol::encode_server(&frame).into(),
                            )
                            .await
                            .map_err(|e| format!("publishing {subject}: {e}"))?
                            .await
                            .map_err(|e| format!("publishing {subject}: {e}"))?;
                        stream_seq = ack.sequence;
                        published = frame.seq();
                        in_stream = Some(published);
                    }
                }
                Ok(None) => {
                    // The log no longer holds them (the broker was away past the retention
                    // window): a snapshot stands for them; displays start after the stream's end.
                    tracing::warn!(
                        "{office}: events #{}–#{current} are no longer in the log; publishing a snapshot for them",
                        published + 1
                    );
                    published = current;
                    stream_seq = events
                        .info()
                        .await
                        .map_err(|e| format!("reading {EVENTS_STREAM}: {e}"))?
                        .state
                        .last_sequence;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        if snapshot_published != Some(published)
            && let Some(snapshot @ ServerMessage::Snapshot { seq, .. }) = relay.snapshot(&office)
            && seq == published
        {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(STREAM_SEQ_HEADER, stream_seq.to_string().as_str());
            js.publish_with_headers(
                snapshot_subject.clone(),
                headers,
                protocol::encode_server(&snapshot).into(),
            )
            .await
            .map_err(|e| format!("publishing {snapshot_subject}: {e}"))?
            .await
            .map_err(|e| format!("publishing {snapshot_subject}: {e}"))?;
            snapshot_published = Some(published);
        }
        // Wait for news from the log (or look again in a while, in case a burst was too fast);
        // say the relay is alive while quiet.
        tokio::select! {
            news = live.recv() => {
                if matches!(news, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                    return Ok(());
                }
            }
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = keepalive.tick() => {
                // A broker that lost its store (or a stream deleted) reconnects quietly: look
                // whether it still has this office's last event, else publish everything again.
                let last = events.direct_get_last_for_subject(subject.clone()).await;
                let kept = match &last {
                    Ok(message) => decode_seq(&message.payload) == in_stream,
                    Err(e) if e.kind() == stream::DirectGetErrorKind::NotFound => in_stream.is_none(),
                    Err(_) => false,
                };
                if !kept {
                    return Err(format!(
                        "the broker no longer has {office}'s events up to #{} (its store was \
                         reset, or the stream deleted)",
                        in_stream.unwrap_or(0)
                    ));
                }
                // The seq the broker has (never one still to be published), and the relay's
                // clock. Not stored: only who listens now needs it.
                // With a console, the keepalive asks displays to report (docs/console.md).
                let keepalive = match (ServerMessage::keepalive_now(published), relay.console()) {
                    (ServerMessage::Keepalive { v, seq, now, .. }, Some(_)) => ServerMessage::Keepalive {
                        v,
                        seq,
                        now,
                        report: Some(herald_core::report::ReportWanted {
                            every: crate::console::REPORT_EVERY,
                            thumbnail: None,
                            test_call: None,
                        }),
                    },
                    (keepalive, _) => keepalive,
                };
                js.client()
                    .publish(
                        keepalive_subject.clone(),
                        protocol::encode_server(&keepalive).into(),
                    )
                    .await
                    .map_err(|e| format!("publishing {keepalive_subject}: {e}"))?;
            }
        }
    }
}

/// Displays following an office on NATS report on its status subject: each is heard by the
/// console as a display on a WebSocket is, until it has been silent for
/// [`crate::console::SILENT_AFTER`] (NATS says nothing when a display goes away).
async fn hear_reports(
    relay: Arc<Relay>,
    console: Arc<crate::console::Console>,
    client: async_nats::Client,
) -> Result<(), String> {
    use futures_util::StreamExt;
    use herald_core::protocol::ClientMessage;
    use herald_wire::fleet::{StatusEnvelope, ThumbnailWanted, thumbnail_subject};

    struct Heard {
        listening: herald_core::office::conversation::Listening,
        last: std::time::Instant,
        thumbnail_asked: bool,
    }
    // One subscription per office: a broker's permissions may allow the relay its own offices'
    // subjects only (deploy/nats-herald.conf).
    let mut subscriptions = Vec::new();
    for office in &relay.site().offices {
        let subject = herald_wire::fleet::status_subject(&office.id);
        subscriptions.push(
            client
                .subscribe(subject.clone())
                .await
                .map_err(|e| format!("subscribing to {subject}: {e}"))?,
        );
    }
    let mut reports = futures_util::stream::select_all(subscriptions);
    let mut heard: std::collections::HashMap<(String, String), Heard> = Default::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            message = reports.next() => {
                let Some(message) = message else {
                    return Err("the displays' reports subscription ended".into());
                };
                // herald.v1.<country>.<office>.status
                let parts: Vec<&str> = message.subject.split('.').collect();
                let [_, _, country, office, _] = parts.as_slice() else { continue };
                let office = format!("{country}.{office}");
                if relay.office_site(&office).is_none() {
                    continue;
                }
                let Ok(envelope) = serde_json::from_slice::<StatusEnvelope>(&message.payload) else {
                    tracing::warn!("{office}: a report on NATS that is not a status; ignored");
                    continue;
                };
                let display = crate::console::clip(&envelope.display, 80);
                let key = (office.clone(), display.clone());
                let entry = heard.entry(key).or_insert_with(|| Heard {
                    listening: console.joined(&office, &display, "NATS"),
                    last: std::time::Instant::now(),
                    thumbnail_asked: false,
                });
                entry.last = std::time::Instant::now();
                match envelope.frame {
                    frame @ ClientMessage::Status { .. } => entry.listening.ear.heard(frame),
                    frame @ ClientMessage::Thumbnail { .. } if entry.thumbnail_asked => {
                        entry.thumbnail_asked = false;
                        entry.listening.ear.heard(frame);
                    }
                    _ => {}
                }
            }
            _ = tick.tick() => {
                heard.retain(|_, h| h.last.elapsed() < crate::console::SILENT_AFTER);
                for ((office, display), h) in &mut heard {
                    while let Ok(asked) = h.listening.requests.try_recv() {
                        h.thumbnail_asked |= matches!(asked, herald_core::report::Asked::Thumbnail(_));
                        let ask = ThumbnailWanted { display: display.clone(), asked };
                        if let Ok(payload) = serde_json::to_vec(&ask) {
                            client
                                .publish(thumbnail_subject(office), payload.into())
                                .await
                                .map_err(|e| format!("asking for a thumbnail: {e}"))?;
                        }
                    }
                }
            }
        }
    }
}
