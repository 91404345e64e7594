//! What the herald display and herald-relay both need on the wire beyond protocol v1 (which is
//! in `herald-core`): where they meet on NATS JetStream ([`fleet`]) and whom their TLS clients
//! trust ([`trust`]). It exists so that the display does not depend on the relay program (its
//! SQLite, its HTTP server, its adapters). No Bevy, no SQLite here.

pub mod fleet;
pub mod trust;
