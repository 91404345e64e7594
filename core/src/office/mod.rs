//! The queue-system side of protocol v1: the numbered [`journal::Journal`] an office keeps
//! (replay, snapshots, keepalives), the simulated [`demo`] office, and the [`server`] that
//! serves a journal to displays over WebSocket.

pub mod demo;
pub mod journal;
pub mod server;
