//! How long to wait before trying again after failures in a row, in one place for every part
//! that reconnects: the feed (WebSocket and NATS), the relay's publishing to NATS, and the voice
//! (speech-dispatcher). The wait doubles from `first` with each failure, up to `max`; with
//! jitter, it is between half and all of that step, so that the displays of an office that lost
//! their server together do not all come back in the same millisecond.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub jitter: bool,
}

impl Backoff {
    /// 0.5 s, 1, 2, 4 … 30 s, with jitter (`docs/protocol.md`, "Transport").
    pub const NETWORK: Self = Self {
        first: Duration::from_millis(500),
        max: Duration::from_secs(30),
        jitter: true,
    };

    /// The wait after `failures` failures in a row (0 or 1: the first step).
    pub fn wait(&self, failures: u32) -> Duration {
        let step = self
            .first
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
            .min(self.max);
        if self.jitter {
            step.mul_f64(rand::random_range(0.5..=1.0))
        } else {
            step
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_with_each_failure_up_to_the_limit() {
        let steady = Backoff {
            jitter: false,
            ..Backoff::NETWORK
        };
        let waits: Vec<f64> = [0, 1, 2, 3, 4, 7, 12, 40]
            .iter()
            .map(|&n| steady.wait(n).as_secs_f64())
            .collect();
        assert_eq!(waits, [0.5, 0.5, 1.0, 2.0, 4.0, 30.0, 30.0, 30.0]);
    }

    #[test]
    fn jitter_keeps_between_half_and_all_of_the_step() {
        for (failures, step) in [(0, 0.5), (1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (12, 30.0)] {
            let waits: Vec<f64> = (0..200)
                .map(|_| Backoff::NETWORK.wait(failures).as_secs_f64())
                .collect();
            let lo = waits.iter().copied().fold(f64::MAX, f64::min);
            let hi = waits.iter().copied().fold(0.0, f64::max);
            assert!(
                lo >= step / 2.0 - 1e-9 && hi <= step + 1e-9,
                "after {failures} failures the wait was {lo:.3}–{hi:.3} s, not within half and all of {step} s"
            );
            assert!(hi - lo > step * 0.2, "no jitter after {failures} failures");
        }
    }
}
