//! The queue-system side of protocol v1: the rules every server holds a display to
//! ([`conversation`]), an office's log in memory ([`journal`]), the simulated [`demo`] office and
//! the demo office served on loopback inside herald ([`loopback`]).

pub mod conversation;
pub mod demo;
pub mod journal;
pub mod loopback;
