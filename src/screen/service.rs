//! Running under systemd (`Type=notify`): READY once the first frame is drawn, so `systemctl
//! start` returns when the wall shows something, and watchdog pings from the render loop, so a
//! hung renderer is restarted (`WatchdogSec=`).
//!
//! The interval comes from `WATCHDOG_USEC`, read here directly: when herald runs as cage's child
//! `WATCHDOG_PID` names cage, not herald, and `sd_notify::watchdog_enabled` then says "off". The
//! unit therefore sets `NotifyAccess=all`.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use sd_notify::NotifyState;

/// What systemd expects of this process, when it runs under systemd.
#[derive(Resource, Debug)]
pub struct ServiceManager {
    ready: bool,
    /// Ping this often (half the watchdog's timeout).
    ping_every: Option<Duration>,
    last_ping: Instant,
}

impl ServiceManager {
    /// `None` when not started by a service manager (`NOTIFY_SOCKET` unset).
    pub fn from_environment() -> Option<Self> {
        std::env::var_os("NOTIFY_SOCKET")?;
        let ping_every = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|usec| *usec > 0)
            .map(|usec| Duration::from_micros(usec) / 2);
        Some(Self {
            ready: false,
            ping_every,
            last_ping: Instant::now(),
        })
    }

    /// Seconds until the next watchdog ping is due, for the wake-up plan.
    pub fn next_ping_in(&self) -> Option<f64> {
        self.ping_every
            .map(|every| every.saturating_sub(self.last_ping.elapsed()).as_secs_f64())
    }
}

pub fn plugin(app: &mut App) {
    app.add_systems(Last, tell_the_service_manager);
}

/// After every frame: READY after the first, a watchdog ping when one is due.
fn tell_the_service_manager(mut manager: ResMut<ServiceManager>) {
    if !manager.ready {
        manager.ready = true;
        if let Err(e) = sd_notify::notify(&[
            NotifyState::Ready,
            NotifyState::Status("showing the waiting room"),
        ]) {
            warn!("cannot tell systemd herald is ready: {e}");
        }
    }
    if let Some(every) = manager.ping_every
        && manager.last_ping.elapsed() >= every
    {
        manager.last_ping = Instant::now();
        let _ = sd_notify::notify(&[NotifyState::Watchdog]);
    }
}
