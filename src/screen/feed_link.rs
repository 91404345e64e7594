//! The Bevy side of the feed: starts the feed thread (waking the event loop on each frame it
//! hands over) and drains it into the room once per frame, at the start of the screen's systems.

use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};

use herald_core::log_event::{self, LogEvent};
use herald_core::office::loopback::LoopbackOffice;

use super::{ScreenSystems, WaitingRoom};
use crate::feed::{self, FeedConfig, FeedHandle, Pumped};

/// What the feed needs to start; consumed at startup.
#[derive(Resource)]
pub struct FeedSetup(pub Option<FeedConfig>);

/// The running feed.
#[derive(Resource)]
pub struct FeedLink(pub Mutex<FeedHandle>);

/// Keeps the embedded demo office alive as long as the app runs.
#[derive(Resource)]
pub struct DemoOffice(pub LoopbackOffice);

pub fn plugin(app: &mut App) {
    app.add_systems(Startup, start_feed)
        .add_systems(Update, drain_feed.in_set(ScreenSystems::Receive));
}

fn start_feed(
    mut commands: Commands,
    mut setup: ResMut<FeedSetup>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
) {
    let Some(config) = setup.0.take() else {
        return;
    };
    // The feed thread wakes the sleeping event loop so a call is drawn the moment it arrives.
    let waker = event_loop_waker(proxy.as_deref());
    let url = config.url.clone();
    match feed::spawn(config, waker) {
        Ok(handle) => commands.insert_resource(FeedLink(Mutex::new(handle))),
        Err(e) => {
            error!("cannot start the feed thread for {url}: {e}; the screen will show no calls");
        }
    }
}

/// A function another thread calls to wake the sleeping event loop (a no-op without a window,
/// as in the headless tests).
pub fn event_loop_waker(proxy: Option<&EventLoopProxyWrapper>) -> feed::Waker {
    match proxy {
        Some(proxy) => {
            let proxy = Mutex::new((**proxy).clone());
            Arc::new(move || {
                if let Ok(proxy) = proxy.lock() {
                    let _ = proxy.send_event(WinitUserEvent::WakeUp);
                }
            })
        }
        None => Arc::new(|| {}),
    }
}

fn drain_feed(
    link: Option<Res<FeedLink>>,
    mut room: ResMut<WaitingRoom>,
    mut last_gap: Local<Option<Option<u64>>>,
    mut test_calls: Local<u64>,
    langs: Option<Res<super::DisplayLangs>>,
) {
    let Some(link) = link else {
        return;
    };
    let Ok(handle) = link.0.lock() else {
        return;
    };
    let room = &mut room.0;
    let pumped = feed::pump(&handle, &mut room.board, &mut room.status);
    if pumped.is_empty() {
        return;
    }
    for item in pumped {
        match item {
            Pumped::TestCall(call) => {
                // On this display alone, as the preview's test call: shown, announced, marked
                // as a test in the log, never part of the office's record.
                *test_calls += 1;
                let form = super::preview::TestCall {
                    ticket: call.ticket,
                    counter: call.counter,
                    service: String::new(),
                    lang: None,
                    recall: false,
                    floor: None,
                    priority: false,
                };
                info!("the console asked for a test call {:?}", form.ticket);
                let langs = langs.as_ref().map(|l| l.langs.clone()).unwrap_or_default();
                let event = super::preview::test_call_event(&form, *test_calls, &langs);
                room.inject(&event);
            }
            Pumped::Connected(url) => {
                info!("connected to the queue system at {url}");
                log_event::emit(LogEvent::Connected { url });
                room.revision += 1;
            }
            Pumped::Disconnected(reason) => {
                warn!("queue feed lost: {reason}; showing the last state and reconnecting");
                log_event::emit(LogEvent::Disconnected { reason });
                room.revision += 1;
            }
            Pumped::Rejected(rejection) => {
                warn!(
                    "queue feed: refused a frame: {rejection} (the screen keeps its last good state)"
                );
                log_event::emit(LogEvent::FrameRejected {
                    kind: rejection.kind().to_owned(),
                    reason: rejection.to_string(),
                });
            }
            // A keepalive changed nothing: it is neither a board change in the log nor in the
            // metrics (an alert on a stale board must be able to fire in a quiet hour).
            Pumped::Applied {
                kind: "keepalive", ..
            } => {}
            Pumped::Applied {
                kind,
                seq,
                latency,
                news,
            } => {
                log_event::emit(LogEvent::EventApplied {
                    r#type: kind.to_owned(),
                    seq,
                    latency_us: latency.as_micros().try_into().unwrap_or(u64::MAX),
                });
                // When the frame arrived, for the announcer's call-to-chime timing.
                let received = std::time::Instant::now()
                    .checked_sub(latency)
                    .unwrap_or_else(std::time::Instant::now);
                room.take_news(news, received);
            }
            Pumped::Duplicate(seq) => {
                debug!("queue feed: seq {seq} was already applied; dropped");
            }
            Pumped::Renumbered { last, got } => {
                warn!(
                    "queue feed: the queue system now counts from seq {got}, below the {last} \
                     already shown (it restarted?); asked for a snapshot to follow its new numbering"
                );
                log_event::emit(LogEvent::NumberingRestarted { last, got });
            }
            Pumped::ClockOffset(offset) => {
                let seconds = offset.num_milliseconds() as f64 / 1000.0;
                if seconds.abs() >= 2.0 {
                    warn!(
                        "this display's clock is {:.1} s {} the queue system's: calls' ages are \
                         judged by the queue system's clock; set this machine's time right \
                         (timedatectl set-ntp true)",
                        seconds.abs(),
                        if seconds > 0.0 { "behind" } else { "ahead of" }
                    );
                } else {
                    info!("the queue system's clock agrees with this display's ({seconds:+.1} s)");
                }
                log_event::emit(LogEvent::ClockOffset { offset_s: seconds });
            }
            // Events after one hole are all gaps until the snapshot comes: the hole is said once.
            Pumped::Gap { expected, got } if *last_gap == Some(expected) => {
                debug!("queue feed: still waiting for seq {expected:?} (got {got})");
            }
            Pumped::Gap { expected, got } => {
                *last_gap = Some(expected);
                warn!(
                    "queue feed: expected seq {}, got {got}; asked the server for a snapshot",
                    expected.map_or("a snapshot".to_owned(), |s| s.to_string())
                );
                log_event::emit(LogEvent::Gap { expected, got });
            }
        }
    }
}
