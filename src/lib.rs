//! herald, the display: waiting-room screens and call announcements for municipal client
//! centres, built on `herald_core` (protocol, board, room, words, announcements, layouts).
//!
//! - [`config`], [`config_file`] and [`cli`]: how this display is set up.
//! - The edges, each a thread with channels: [`feed`] (the WebSocket client), [`voice`]
//!   (the system voice and the announcer thread) and [`status`] (HTTP for the IT office).
//! - [`screen`]: the Bevy shell that shows the room and plays the chime.
//! - [`check`]: `herald check`.
//! - [`heap`]: the C allocator told to keep less (most memory is the software renderer's).

pub mod check;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod feed;
pub mod heap;
pub mod options_page;
pub mod screen;
pub mod status;
pub mod voice;
