//! The voice thread's watchdog. Every call the voice thread makes into speech-dispatcher is
//! announced here first ([`Watch::begin`]); when one is still running after its limit, the
//! watchdog reports the outage and fails every request the announcer is waiting for, and
//! [`Watch::asked`] refuses new ones until the stuck call returns. The voice thread cannot be
//! interrupted inside `tts`, so it is left to come back on its own (a restarted or killed
//! speech-dispatcher closes the socket it waits on) and then reconnects as after any outage.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::VoiceReport;

/// How long a call into speech-dispatcher may take before it counts as hung. Listing and
/// choosing voices walk every voice the system has (13,000 espeak-ng variants take 1.5 s on a
/// quiet 2-core machine), and connecting may first start speech-dispatcher; the rest are one
/// short request each.
pub fn limit(what: &str) -> Duration {
    match what {
        "connecting to speech-dispatcher" | "listing voices" | "choosing a voice" => {
            Duration::from_secs(20)
        }
        _ => Duration::from_secs(5),
    }
}

/// How long a request may wait behind a call that is still under way (connecting at start,
/// loading a language's voice) before that call counts as hung: the room should not wait
/// twenty seconds for a chime because speech-dispatcher is slow to list its voices.
const REQUEST_PATIENCE: Duration = Duration::from_secs(6);

#[derive(Default)]
struct State {
    /// The call under way: what, since when, for how long at most.
    busy: Option<(&'static str, Instant, Duration)>,
    /// The watchdog declared the call under way hung.
    hung: bool,
    /// Requests asked for and not yet answered, and when they were asked.
    outstanding: Vec<(u64, Instant)>,
    stopped: bool,
}

/// Shared between the voice thread, its watchdog and the [`super::Voice`] handle.
pub struct Watch {
    state: Mutex<State>,
    changed: Condvar,
    report: Arc<dyn Fn(VoiceReport) + Send + Sync>,
}

impl Watch {
    /// Starts the watchdog thread; `report` is where every report goes.
    pub fn spawn(report: Arc<dyn Fn(VoiceReport) + Send + Sync>) -> std::io::Result<Arc<Self>> {
        let watch = Arc::new(Self {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            report,
        });
        let watching = watch.clone();
        std::thread::Builder::new()
            .name("herald-voice-watch".into())
            .spawn(move || watching.run())?;
        Ok(watch)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind; go on with it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Passes a report on, and forgets the request it answers.
    pub fn report(&self, report: VoiceReport) {
        if let VoiceReport::Finished { id } | VoiceReport::Failed { id, .. } = &report {
            self.lock().outstanding.retain(|(o, _)| o != id);
        }
        (self.report)(report);
    }

    /// Takes request `id`, unless speech-dispatcher is hung (then the caller goes on without it).
    pub fn asked(&self, id: u64) -> bool {
        let mut state = self.lock();
        if state.hung {
            return false;
        }
        state.outstanding.push((id, Instant::now()));
        self.changed.notify_all();
        true
    }

    /// The voice thread is about to call speech-dispatcher for `what`.
    pub fn begin(&self, what: &'static str, limit: Duration) {
        self.lock().busy = Some((what, Instant::now(), limit));
        self.changed.notify_all();
    }

    /// The call returned. `Some(reason)` when it had been declared hung: its result is not to be
    /// trusted and the connection is to be made again.
    pub fn end(&self) -> Option<String> {
        let mut state = self.lock();
        let call = state.busy.take();
        if !std::mem::take(&mut state.hung) {
            return None;
        }
        let (what, since, _) = call?;
        Some(format!(
            "{what}: speech-dispatcher answered only after {} s",
            since.elapsed().as_secs()
        ))
    }

    pub fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }

    fn run(&self) {
        let mut state = self.lock();
        loop {
            if state.stopped {
                return;
            }
            let overdue = match state.busy {
                Some((what, since, limit)) if !state.hung => {
                    let oldest = state.outstanding.iter().map(|(_, asked)| *asked).min();
                    let due = oldest.map_or(since + limit, |asked| {
                        (since + limit).min(asked.max(since) + REQUEST_PATIENCE)
                    });
                    let left = due.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        Some((what, since.elapsed()))
                    } else {
                        state = self
                            .changed
                            .wait_timeout(state, left)
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .0;
                        continue;
                    }
                }
                _ => None,
            };
            let Some((what, waited)) = overdue else {
                state = self
                    .changed
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            };
            state.hung = true;
            let waiting = std::mem::take(&mut state.outstanding);
            drop(state);
            let reason = format!(
                "speech-dispatcher did not answer within {} s ({what}); it may be hung \
                 (restart it: systemctl --user restart speech-dispatcher, or kill it)",
                waited.as_secs()
            );
            (self.report)(VoiceReport::Unavailable {
                reason: reason.clone(),
            });
            for (id, _) in waiting {
                (self.report)(VoiceReport::Failed {
                    id,
                    reason: reason.clone(),
                });
            }
            state = self.lock();
        }
    }
}
