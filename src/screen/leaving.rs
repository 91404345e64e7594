//! A clean exit on SIGTERM, SIGINT or SIGHUP: systemd stopping the kiosk, or Ctrl+C. herald
//! leaves its event loop (exit status 0, the last log lines flushed) instead of dying by the
//! signal; a second signal while it closes ends it at once.
//!
//! Bevy's own Ctrl+C handler is left out: it exits with status 130 (a failure to systemd) and
//! does not wake a sleeping screen, so a stop would wait for the next minute's redraw.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use bevy::prelude::*;
use bevy::winit::EventLoopProxyWrapper;

static ASKED: AtomicBool = AtomicBool::new(false);
static WAKE: OnceLock<Arc<dyn Fn() + Send + Sync>> = OnceLock::new();

pub fn plugin(app: &mut App) {
    // `termination`: SIGTERM and SIGHUP as well as SIGINT. `set_handler` replaces a handler a
    // library installed before (the ALSA probe can load JACK's client, which installs its own
    // and would leave herald to die by the signal, a failure to systemd).
    if let Err(e) = ctrlc::set_handler(|| {
        if ASKED.swap(true, Ordering::SeqCst) {
            std::process::exit(0);
        }
        if let Some(wake) = WAKE.get() {
            wake();
        }
    }) {
        warn!("cannot handle SIGTERM ({e}); stopping herald will end it by the signal");
    }
    app.add_systems(Startup, hand_over_waker)
        .add_systems(First, leave_when_asked);
}

fn hand_over_waker(proxy: Option<Res<EventLoopProxyWrapper>>) {
    let _ = WAKE.set(super::feed_link::event_loop_waker(proxy.as_deref()));
}

fn leave_when_asked(mut exit: MessageWriter<AppExit>, mut said: Local<bool>) {
    if ASKED.load(Ordering::SeqCst) && !*said {
        *said = true;
        info!("asked to stop (SIGTERM, SIGINT or SIGHUP): closing");
        exit.write(AppExit::Success);
    }
}
