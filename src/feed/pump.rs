//! Draining the feed into the board: the single place where frames become state.

use std::time::Duration;

use herald_core::board::{Applied, Board, News};
use herald_core::link::FeedStatus;
use herald_core::protocol::{Rejection, ServerMessage};

use super::{FeedEvent, FeedHandle};

/// One thing [`pump`] did, for the log.
#[derive(Debug)]
pub enum Pumped {
    Connected(String),
    Disconnected(String),
    Rejected(Rejection),
    Applied {
        kind: &'static str,
        seq: u64,
        latency: Duration,
        news: Vec<News>,
    },
    Duplicate(u64),
    Gap {
        expected: Option<u64>,
        got: u64,
    },
    /// The queue system restarted its numbering below ours; a snapshot was asked for.
    Renumbered {
        last: u64,
        got: u64,
    },
    /// The console asked for a test call on this display alone.
    TestCall(herald_core::report::TestCall),
    /// The queue system's clock is this far ahead of the display's (first heard, or moved).
    ClockOffset(chrono::Duration),
}

/// Drains the feed into the board: the single place where frames become state.
/// Used by the Bevy shell every frame and by the tests directly.
pub fn pump(handle: &FeedHandle, board: &mut Board, status: &mut FeedStatus) -> Vec<Pumped> {
    let mut done = Vec::new();
    let events = handle.drain();
    // The office's clock first: calls replayed in the same batch are judged by it.
    let clock = events.iter().rev().find_map(|e| match e {
        FeedEvent::Frame {
            message: ServerMessage::Keepalive { now: Some(now), .. },
            received,
        } => Some((now, received.elapsed())),
        _ => None,
    });
    if let Some((now, ago)) = clock
        && let Some(offset) = status.clock_said(now, ago)
    {
        done.push(Pumped::ClockOffset(offset));
    }
    for event in events {
        done.push(match event {
            FeedEvent::Connected { url } => {
                status.connected();
                Pumped::Connected(url)
            }
            FeedEvent::Disconnected { reason } => {
                status.disconnected();
                Pumped::Disconnected(reason)
            }
            FeedEvent::TestCall(call) => Pumped::TestCall(call),
            FeedEvent::Rejected(rejection) => {
                status.rejected(rejection.to_string());
                Pumped::Rejected(rejection)
            }
            FeedEvent::Frame { message, received } => match board.apply(&message) {
                Applied::Changed(news) => {
                    handle.set_applied(board.last_seq());
                    let latency = received.elapsed();
                    Pumped::Applied {
                        kind: message.kind(),
                        seq: message.seq(),
                        latency,
                        news,
                    }
                }
                Applied::Duplicate { seq, .. } => Pumped::Duplicate(seq),
                Applied::Renumbered { last, got } => {
                    handle.request_resync();
                    Pumped::Renumbered { last, got }
                }
                Applied::Gap { expected, got } => {
                    status.gaps += 1;
                    handle.request_resync();
                    Pumped::Gap { expected, got }
                }
            },
        });
    }
    done
}
