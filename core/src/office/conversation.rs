//! The conversation every protocol v1 server holds with a display, in one place: herald-relay,
//! the demo office inside herald and the tests' servers all use it, so the rules a display
//! meets are the same everywhere (`docs/protocol.md`, "Conversation"):
//!
//! - `hello` or `resync` → the events the display missed, when they are all still kept, else a
//!   snapshot ([`answer`]);
//! - after that, each live event once and in order; a snapshot (after a lag, or a log that
//!   started over) replaces whatever was sent before it ([`Subscriber`]);
//! - keepalives while quiet, and nothing at all before `hello` ([`serve_display`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::protocol::{self, ClientMessage, ServerMessage};
use crate::report::{Asked, MAX_THUMBNAIL_WIDTH, ReportWanted};
use crate::secret::Secret;

/// What a display that says `hello` or `resync` gets, given the office's `current` seq: the
/// events after its last seq (`missed`, which answers `None` when some are no longer kept), or
/// a snapshot. A display ahead of the office (the log was replaced) starts over from a snapshot.
pub fn answer(
    request: &ClientMessage,
    current: u64,
    missed: impl FnOnce(u64) -> Option<Vec<ServerMessage>>,
    snapshot: impl FnOnce() -> ServerMessage,
) -> Vec<ServerMessage> {
    let last = match request {
        ClientMessage::Hello { last_seq, .. } => *last_seq,
        ClientMessage::Resync { .. }
        | ClientMessage::Status { .. }
        | ClientMessage::Thumbnail { .. } => None,
    };
    match last {
        Some(last) if last == current => Vec::new(),
        Some(last) if last < current => missed(last)
            .filter(|events| events.first().is_some_and(|e| e.seq() == last + 1))
            .unwrap_or_else(|| vec![snapshot()]),
        _ => vec![snapshot()],
    }
}

/// What one connected display has been sent, so that live events after its `hello` reach it
/// exactly once: none before its answer, none repeated after it.
#[derive(Debug, Default)]
pub struct Subscriber {
    greeted: bool,
    sent_up_to: u64,
}

impl Subscriber {
    /// Records the answer to the display's `hello` or `resync`.
    pub fn answered(&mut self, request: &ClientMessage, frames: &[ServerMessage]) {
        if let ClientMessage::Hello { last_seq, .. } = request {
            self.greeted = true;
            self.sent_up_to = self.sent_up_to.max(last_seq.unwrap_or(0));
        }
        for frame in frames {
            self.sent(frame);
        }
    }

    pub fn greeted(&self) -> bool {
        self.greeted
    }

    /// Whether a live frame should be sent now (and records that it was).
    pub fn forward(&mut self, frame: &ServerMessage) -> bool {
        if !self.greeted {
            return false;
        }
        if !matches!(frame, ServerMessage::Snapshot { .. }) && frame.seq() <= self.sent_up_to {
            return false;
        }
        self.sent(frame);
        true
    }

    /// Whether a live event numbered `seq` should be sent now (and records that it was); for
    /// servers that forward frames they do not decode.
    pub fn forward_seq(&mut self, seq: u64) -> bool {
        if !self.greeted || seq <= self.sent_up_to {
            return false;
        }
        self.sent_up_to = seq;
        true
    }

    /// The office's keepalive as this connection may send it: never ahead of what it has sent,
    /// so that it cannot overtake events still on their way to the display (which would then
    /// ask for a snapshot it does not need). One below means the numbering restarted: that is
    /// passed on as it is.
    pub fn keepalive(&self, office: ServerMessage) -> ServerMessage {
        let seq = office.seq();
        if seq > self.sent_up_to {
            office.numbered(self.sent_up_to)
        } else {
            office
        }
    }

    fn sent(&mut self, frame: &ServerMessage) {
        match frame {
            // A snapshot stands for everything up to its seq, even a lower one (a new log).
            ServerMessage::Snapshot { seq, .. } => self.sent_up_to = *seq,
            other => self.sent_up_to = self.sent_up_to.max(other.seq()),
        }
    }
}

/// One office as a display's session sees it.
pub trait OfficeFrames {
    /// The answer to `hello` or `resync` (see [`answer`]); an error ends the session.
    fn answer(&self, request: &ClientMessage) -> Result<Vec<ServerMessage>, String>;
    /// The office's live frames.
    fn subscribe(&self) -> Option<broadcast::Receiver<Arc<ServerMessage>>>;
    /// The office's state now (sent after the display fell behind the live frames).
    fn snapshot(&self) -> Option<ServerMessage>;
    fn keepalive(&self) -> Option<ServerMessage>;
    /// How often displays should report, in seconds; `None` (the default): this office takes
    /// no reports, and its keepalives never ask for them.
    fn reports_every(&self) -> Option<u32> {
        None
    }
    /// A display said `hello` (with its token, where one is required): the office's ear for
    /// what it reports, and where the office asks it for thumbnails (the width wanted). Called
    /// only when [`Self::reports_every`] is set.
    fn joined(&self, _display: &str, _peer: SocketAddr) -> Option<Listening> {
        None
    }
}

/// A display that reports: where its frames go, and the office's requests for it.
pub struct Listening {
    pub ear: Box<dyn DisplayEar>,
    pub requests: tokio::sync::mpsc::Receiver<crate::report::Asked>,
}

/// The office's side of one reporting display's session; dropped when the session ends.
pub trait DisplayEar: Send {
    /// A status or thumbnail from the display (already bounded to the protocol's limits).
    fn heard(&mut self, frame: ClientMessage);
}

/// A connection that has not said `hello` within this is closed: a socket that never speaks
/// is not a display (and must not hold a place among them).
pub const HELLO_WITHIN: Duration = Duration::from_secs(10);

/// Serves one display until it leaves: `hello` → replay or snapshot, then live frames,
/// keepalives every `keepalive` when quiet, a snapshot on `resync` or when the display falls too
/// far behind. With `token` set, the display must give it in `hello` (compared in constant
/// time) or is closed with a policy error; without `hello` within [`HELLO_WITHIN`] it is
/// closed. `greeted` is called once, when the display has said `hello` (and given its token);
/// returns whether it ever did.
pub async fn serve_display<S>(
    mut socket: WebSocketStream<S>,
    peer: SocketAddr,
    office_id: &str,
    office: &impl OfficeFrames,
    mut token: Option<Secret>,
    keepalive: Duration,
    greeted: impl FnOnce(),
) -> bool
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let Some(mut live) = office.subscribe() else {
        return false;
    };
    let mut greeted = Some(greeted);
    let hello_by = tokio::time::sleep(HELLO_WITHIN);
    tokio::pin!(hello_by);
    let mut sent = Subscriber::default();
    let reports = office.reports_every();
    let mut listening: Option<Listening> = None;
    let mut thumbnail_asked = false;
    let mut keepalive = tokio::time::interval(keepalive);
    keepalive.tick().await;
    let encode = |message: &ServerMessage| Message::text(protocol::encode_server(message));
    // Keepalives carry the invitation to report (and, once, a request for a thumbnail).
    let inviting = |message: ServerMessage, thumbnail: Option<u32>| match (message, reports) {
        (ServerMessage::Keepalive { v, seq, now, .. }, Some(every)) => ServerMessage::Keepalive {
            v,
            seq,
            now,
            report: Some(ReportWanted {
                every,
                thumbnail,
                test_call: None,
            }),
        },
        (message, _) => message,
    };
    loop {
        tokio::select! {
            frame = socket.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return sent.greeted(),
                    Some(Ok(_)) => continue,
                };
                let Ok(request) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
                    tracing::warn!("{office_id}: display {peer} sent a frame that is not a v1 client frame; ignored");
                    continue;
                };
                if matches!(request, ClientMessage::Status { .. } | ClientMessage::Thumbnail { .. }) {
                    let what = if matches!(request, ClientMessage::Status { .. }) { "status" } else { "thumbnail" };
                    if token.is_some() {
                        // Never logged in: not heard, and not kept connected either.
                        tracing::warn!("{office_id}: {peer} sent a {what} before hello and its token; refused");
                        let _ = socket.close(Some(CloseFrame {
                            code: CloseCode::Policy,
                            reason: "say hello with the display token first".into(),
                        })).await;
                        return false;
                    }
                    match listening.as_mut() {
                        // A thumbnail nobody asked for is not kept (it is the biggest frame).
                        Some(_) if what == "thumbnail" && !thumbnail_asked => {}
                        Some(ear) => {
                            thumbnail_asked &= what != "thumbnail";
                            ear.ear.heard(request);
                        }
                        None if sent.greeted() => {}
                        None => tracing::warn!("{office_id}: {peer} sent a {what} before hello; refused"),
                    }
                    continue;
                }
                if let Some(expected) = &token {
                    match &request {
                        ClientMessage::Hello { token: Some(given), .. } if expected.matches(given) => token = None,
                        _ => {
                            tracing::warn!("{office_id}: display {peer} refused: missing or wrong token");
                            let _ = socket.close(Some(CloseFrame {
                                code: CloseCode::Policy,
                                reason: "missing or wrong display token".into(),
                            })).await;
                            return false;
                        }
                    }
                }
                let answer = match office.answer(&request) {
                    Ok(answer) => answer,
                    Err(e) => {
                        tracing::warn!("{office_id}: {e}");
                        return sent.greeted();
                    }
                };
                if let ClientMessage::Hello { display: name, last_seq, .. } = &request {
                    tracing::info!(
                        "{office_id}: display {name:?} ({peer}) from #{} → {}",
                        last_seq.map_or("start".to_owned(), |s| s.to_string()),
                        match answer.first() {
                            Some(ServerMessage::Snapshot { seq, .. }) => format!("snapshot #{seq}"),
                            Some(_) => format!("{} events replayed", answer.len()),
                            None => "up to date".to_owned(),
                        }
                    );
                }
                sent.answered(&request, &answer);
                if sent.greeted() && let Some(greeted) = greeted.take() {
                    greeted();
                }
                if let ClientMessage::Hello { display, .. } = &request
                    && reports.is_some()
                    && listening.is_none()
                {
                    listening = office.joined(display, peer);
                }
                // A keepalive after the answer gives the display the office's clock at once.
                let clock = office.keepalive().map(|k| inviting(sent.keepalive(k), None));
                for message in answer.iter().chain(&clock) {
                    if socket.send(encode(message)).await.is_err() {
                        return sent.greeted();
                    }
                }
            }
            event = live.recv() => {
                let message = match event {
                    Ok(message) => message,
                    Err(broadcast::error::RecvError::Lagged(_)) => match office.snapshot() {
                        Some(snapshot) => Arc::new(snapshot),
                        None => return sent.greeted(),
                    },
                    Err(broadcast::error::RecvError::Closed) => return sent.greeted(),
                };
                if sent.forward(&message) && socket.send(encode(&message)).await.is_err() {
                    return sent.greeted();
                }
            }
            _ = keepalive.tick() => {
                if !sent.greeted() {
                    continue;
                }
                let Some(message) = office.keepalive() else { return sent.greeted() };
                if socket.send(encode(&inviting(sent.keepalive(message), None))).await.is_err() {
                    return sent.greeted();
                }
            }
            asked = async {
                match listening.as_mut() {
                    Some(l) => l.requests.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                let Some(asked) = asked else {
                    listening = None;
                    continue;
                };
                let Some(message) = office.keepalive() else { return sent.greeted() };
                let asking = match (inviting(sent.keepalive(message), None), asked) {
                    (ServerMessage::Keepalive { v, seq, now, report: Some(mut wanted) }, asked) => {
                        match asked {
                            Asked::Thumbnail(width) => {
                                thumbnail_asked = true;
                                wanted.thumbnail = Some(width.min(MAX_THUMBNAIL_WIDTH));
                            }
                            Asked::TestCall(call) => wanted.test_call = Some(call),
                        }
                        ServerMessage::Keepalive { v, seq, now, report: Some(wanted) }
                    }
                    (other, _) => other,
                };
                if socket.send(encode(&asking)).await.is_err() {
                    return sent.greeted();
                }
            }
            () = &mut hello_by, if !sent.greeted() => {
                tracing::warn!(
                    "{office_id}: {peer} connected and said no hello within {} s; closed",
                    HELLO_WITHIN.as_secs()
                );
                let _ = socket.close(Some(CloseFrame {
                    code: CloseCode::Policy,
                    reason: "no hello".into(),
                })).await;
                return false;
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::protocol::{Call, State, VERSION};

    fn call(seq: u64) -> ServerMessage {
        ServerMessage::Call {
            v: VERSION,
            seq,
            call: Call::new(
                format!("c{seq}"),
                format!("A{seq:03}"),
                "1",
                "2026-11-22T09:00:00Z",
            ),
        }
    }

    fn snapshot(seq: u64) -> ServerMessage {
        ServerMessage::Snapshot {
            v: VERSION,
            seq,
            state: State::default(),
        }
    }

    /// A display's `hello` after `last_seq` (shared with the journal's tests).
    pub(crate) fn hello(last_seq: Option<u64>) -> ClientMessage {
        ClientMessage::Hello {
            v: VERSION,
            display: "d".into(),
            token: None,
            last_seq,
        }
    }

    fn kinds(frames: &[ServerMessage]) -> Vec<(&'static str, u64)> {
        frames.iter().map(|m| (m.kind(), m.seq())).collect()
    }

    #[test]
    fn the_answer_is_the_missed_events_or_a_snapshot() {
        let kept = |last: u64| Some(((last + 1)..=5).map(call).collect::<Vec<_>>());
        let at_5 = || snapshot(5);
        assert_eq!(
            kinds(&answer(&hello(Some(3)), 5, kept, at_5)),
            [("call", 4), ("call", 5)]
        );
        assert_eq!(kinds(&answer(&hello(Some(5)), 5, kept, at_5)), []);
        assert_eq!(
            kinds(&answer(&hello(Some(1)), 5, |_| None, at_5)),
            [("snapshot", 5)],
            "events no longer kept"
        );
        assert_eq!(
            kinds(&answer(
                &hello(Some(1)),
                5,
                |_| Some(vec![call(4), call(5)]),
                at_5
            )),
            [("snapshot", 5)],
            "a replay with a hole is no replay"
        );
        assert_eq!(
            kinds(&answer(&hello(None), 5, kept, at_5)),
            [("snapshot", 5)]
        );
        assert_eq!(
            kinds(&answer(&hello(Some(9)), 5, kept, at_5)),
            [("snapshot", 5)],
            "a display ahead of a new log starts over"
        );
        let resync = ClientMessage::Resync {
            v: VERSION,
            last_seq: Some(4),
        };
        assert_eq!(kinds(&answer(&resync, 5, kept, at_5)), [("snapshot", 5)]);
    }

    #[test]
    fn each_live_event_goes_once_and_only_after_hello() {
        let mut subscriber = Subscriber::default();
        assert!(!subscriber.forward(&call(1)), "nothing before hello");
        subscriber.answered(&hello(None), &[snapshot(1)]);
        assert!(!subscriber.forward(&call(1)), "already in the snapshot");
        assert!(subscriber.forward(&call(2)));
        assert!(!subscriber.forward(&call(2)), "never twice");
    }

    #[test]
    fn a_display_ahead_of_a_new_log_follows_it_after_the_snapshot() {
        // The display last saw #50; the relay's log was reset and is at #3.
        let mut subscriber = Subscriber::default();
        let request = hello(Some(50));
        subscriber.answered(&request, &[snapshot(3)]);
        assert!(
            subscriber.forward(&call(4)),
            "the next event of the new log reaches the display"
        );
        // A snapshot after a lag replaces what was sent, even at a lower seq.
        assert!(subscriber.forward(&snapshot(2)));
        assert!(subscriber.forward(&call(3)));
    }

    #[test]
    fn a_keepalive_never_overtakes_events_still_on_their_way() {
        let mut subscriber = Subscriber::default();
        subscriber.answered(&hello(Some(10822)), &[]);
        // The office is at #10829 while #10823–#10829 wait in this connection's queue.
        let sent = subscriber.keepalive(ServerMessage::keepalive_now(10829));
        assert_eq!(
            sent.seq(),
            10822,
            "the keepalive says what this connection has sent"
        );
        assert!(
            matches!(sent, ServerMessage::Keepalive { now: Some(_), .. }),
            "and keeps the office's clock"
        );
        for seq in 10823..=10829 {
            assert!(subscriber.forward(&call(seq)));
        }
        assert_eq!(
            subscriber
                .keepalive(ServerMessage::keepalive_now(10829))
                .seq(),
            10829
        );
        // A log that started over is passed on as it is: the display must hear of it.
        assert_eq!(
            subscriber.keepalive(ServerMessage::keepalive_now(3)).seq(),
            3
        );
    }
}
