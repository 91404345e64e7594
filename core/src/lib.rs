//! herald's core: everything about calls, words and announcements that needs no screen.
//!
//! - [`protocol`]: protocol v1 frames, their validation and JSON Schema.
//! - [`board`]: the waiting room's state; applies each seq once, finds gaps, says what is new.
//! - [`room`]: the board plus which call holds the hero and which wait for their turn;
//!   [`link`]: the connection to the queue system as the screen shows it.
//! - [`catalogue`]: the words (Fluent), with fallback language → primary → English.
//! - [`announcement`]: a call as sentences, the announcement queue, the chime, quiet hours, and
//!   the [`announcement::sequencer`] that orders chime and speech.
//! - [`design`]: layouts and themes as data, checked on read; [`colour`] and contrast.
//! - [`office`]: the queue-system side: the conversation every server holds with a display,
//!   the log in memory, the demo office and the demo office on loopback.
//! - [`log_event`]: every `--log-json` event, typed, written in one place.
//! - [`memory`]: the board written to the state directory and read back after a restart.
//! - [`opening`]: opening hours and holidays, and when the office opens next.
//! - [`report`]: what a display tells its relay about itself (the console's status).
//! - [`scope`]: which counters, floors and services one screen is for.
//! - [`secret`]: tokens that never show in `Debug` output, logs or screens; compared in
//!   constant time.
//! - [`backoff`]: the wait before trying again, for everything that reconnects.
//!
//! Bevy is not a dependency: the relay and the tests build this crate in a minute or two.

pub mod announcement;
pub mod backoff;
pub mod board;
pub mod catalogue;
pub mod colour;
pub mod design;
pub mod link;
pub mod log_event;
pub mod memory;
pub mod office;
pub mod opening;
pub mod protocol;
pub mod report;
pub mod room;
pub mod scope;
pub mod secret;
