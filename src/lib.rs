//! herald: waiting-room screens and call announcements for municipal client centres.
//!
//! The core (protocol, board, feed, catalogue) has no Bevy in it; `screen` is the Bevy shell
//! that shows the board.

pub mod announcement;
pub mod board;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod event_log;
pub mod feed;
pub mod protocol;
pub mod screen;
