//! The queue-system side of protocol v1: the numbered [`journal::Journal`] (replay, snapshots,
//! keepalives; the tests' servers use it) and the simulated [`demo`] office, whose generator
//! feeds the relay inside herald (`herald-relay`'s `running::spawn_demo`).

pub mod demo;
pub mod journal;
