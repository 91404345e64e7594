//! Sleeping between changes: the screen is drawn only when something changes what it shows.
//! The next wake-up is the earliest deadline of every time source; events from the feed and the
//! announcer wake the loop earlier through the event-loop proxy.
//!
//! The deadline is kept by an alarm thread of its own that wakes the loop through the same proxy.
//! Winit's own timer would do it too, but moving it means rewriting the update mode, and the
//! winit runner draws an extra frame for every rewrite: one wasted frame per planned wake-up
//! (a flash switch, a turn, a notice), a quarter of the frames a call drew.

use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, UpdateMode, WinitSettings, WinitUserEvent};

use super::design_assets::ActiveLayout;
use super::design_files::{self, DesignFiles};
use super::zones::notices::NoticeRotation;
use super::{DisplayLangs, ScreenSettings, WaitingRoom, clock, motion};

/// Gives Bevy's clock the real time at the start of every frame.
///
/// By default `Time<Real>` takes the instant the render world sent at the end of the previous
/// frame. On a screen that slept for minutes that instant is minutes old, so the first frame
/// after waking ran on a stale clock: a new call's animation started "in the past" and got two
/// frames instead of 1.6 s, and the next queued call took the hero seconds early. Reading the
/// clock here makes the first frame after any sleep as right as every other.
pub fn read_the_clock_now(mut strategy: ResMut<bevy::time::TimeUpdateStrategy>) {
    *strategy = bevy::time::TimeUpdateStrategy::ManualInstant(bevy::platform::time::Instant::now());
}

/// Sleeps until the next thing that changes what the screen shows: the clock's minute, a language
/// switch, a queued call's turn, the next notice, or the end of a new call's mark. Events from the feed wake the
/// loop earlier through the event-loop proxy.
///
/// The winit runner forces an extra frame whenever the update mode changes, so the mode is only
/// rewritten when the deadline itself moves, not every frame with a shorter relative wait.
pub fn plan_wakeup(
    time: Res<Time<Real>>,
    room: Res<WaitingRoom>,
    langs: Res<DisplayLangs>,
    settings: Res<ScreenSettings>,
    motion: Res<motion::HeroMotion>,
    rotation: Res<NoticeRotation>,
    layout: Res<ActiveLayout>,
    files: Res<DesignFiles>,
    service: Option<Res<super::service::ServiceManager>>,
    pictures: Res<super::media::MediaShow>,
    mut winit: ResMut<WinitSettings>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
    mut alarm: Local<Option<Alarm>>,
    mut planned: Local<Option<Instant>>,
) {
    let now = time.elapsed_secs_f64();
    let mut wait = clock::until_next_minute(&chrono::Local::now());
    let mut consider = |secs: f64| {
        let d = Duration::from_secs_f64(secs.max(0.0) + 0.01);
        if d < wait {
            wait = d;
        }
    };
    if langs.langs.len() > 1 {
        consider(langs.switched_at + langs.every - now);
    }
    if let Some(turn) = room.next_turn_in(now, settings.hold_secs) {
        consider(turn);
    }
    if let Some(started) = motion.started {
        consider(started + settings.marked_secs - now);
        let reduced = settings.design.reduced_motion || settings.layout_reduced_motion;
        if let Some(every) = motion.pace
            && now - started < motion::POP_SHOWN_SECS
            && !reduced
        {
            // The pop-in's next frame, `every` after this one began (`consider` adds 10 ms).
            consider(every - 0.01);
        }
        if let Some(at) = motion::next_change_after(now - started, reduced, settings.mark) {
            // The next flash switch: one frame then, none in between.
            consider(started + at - now);
        }
    }
    if let Some(unmark) = room.next_unmark_in(now, settings.marked_secs) {
        consider(unmark);
    }
    if let Some(at) = room.next_expiry(Instant::now(), settings.design.queue_stale) {
        // An "elsewhere" call leaves its line, or the waiting figures go stale.
        consider(at.saturating_duration_since(Instant::now()).as_secs_f64());
    }
    if let Some(change) = settings
        .design
        .opening
        .next_change(settings.now().naive_local())
    {
        // The office opens or closes by its schedule: the closed screen comes or goes then.
        let left = change - settings.now().naive_local();
        consider(left.num_milliseconds().max(0) as f64 / 1000.0);
    }
    if let Some(ping) = service.as_ref().and_then(|s| s.next_ping_in()) {
        // The watchdog hears from the render loop itself, also on a sleeping screen.
        consider(ping);
    }
    if files.watch {
        // Preview looks at the design files once a second.
        consider(design_files::WATCH_SECS);
    }
    if let Some(turn) = pictures.next_turn_in(now, layout.0.media_seconds, rotation.paused) {
        // The next picture fades in (the fade itself asks for its frames).
        consider(turn);
    }
    if let Some(after) = layout.0.media_in_hero_after
        && pictures.current.is_some()
        && room.pending.is_empty()
        && now - room.hero_since < after
    {
        // The pictures take the hero's space after the quiet while.
        consider(room.hero_since + after - now);
    }
    let notices = room.notices_here(chrono::Utc::now()).len();
    if let Some(next) = rotation.next_in(now, notices, layout.0.notice_seconds) {
        consider(next);
    }
    let deadline = Instant::now() + wait;
    let moved = planned.is_none_or(|old| {
        let drift = if deadline > old {
            deadline - old
        } else {
            old - deadline
        };
        drift > Duration::from_millis(50) || old <= Instant::now()
    });
    if moved {
        *planned = Some(deadline);
        if alarm.is_none() {
            *alarm = proxy.as_deref().and_then(Alarm::start);
        }
        match alarm.as_ref() {
            // The update mode stays as it is (a minute's heartbeat, in case the alarm is gone).
            Some(alarm) if alarm.set(deadline) => {}
            _ => {
                let mode = UpdateMode::reactive_low_power(wait);
                winit.focused_mode = mode;
                winit.unfocused_mode = mode;
            }
        }
    }
}

/// The thread that wakes the event loop at the planned deadline.
pub struct Alarm(Mutex<Sender<Instant>>);

impl Alarm {
    fn start(proxy: &EventLoopProxyWrapper) -> Option<Alarm> {
        let proxy = (**proxy).clone();
        let (tx, rx) = mpsc::channel::<Instant>();
        let spawned = std::thread::Builder::new()
            .name("herald-alarm".into())
            .spawn(move || {
                let mut next: Option<Instant> = None;
                loop {
                    let got = match next {
                        Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
                        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match got {
                        Ok(at) => next = Some(at),
                        Err(RecvTimeoutError::Timeout) => {
                            next = None;
                            if proxy.send_event(WinitUserEvent::WakeUp).is_err() {
                                return;
                            }
                        }
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            });
        match spawned {
            Ok(_) => Some(Alarm(Mutex::new(tx))),
            Err(e) => {
                warn!("cannot start the wake-up thread ({e}); winit's timer plans the frames");
                None
            }
        }
    }

    /// Plans the next wake-up; false when the thread is gone.
    fn set(&self, at: Instant) -> bool {
        self.0.lock().is_ok_and(|tx| tx.send(at).is_ok())
    }
}
