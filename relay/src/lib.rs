//! herald-relay: the office-side server between the queue system an office already runs and
//! its herald displays. Inputs (herald's webhook, Qmatic Orchestra's event hooks, NovoSGA's
//! panel) become protocol v1 events numbered by the relay, committed to a SQLite log before
//! they are acknowledged, and served to any number of displays over WebSocket with replay,
//! snapshots and keepalives exactly as `docs/protocol.md` says. `docs/relay.md` is the guide.
//!
//! - [`site`]: the site file (listen address, log, retention, offices, tokens, id maps);
//! - [`store`]: the durable log; [`relay`]: boards, numbering, fan-out;
//! - [`webhook`], [`orchestra`], [`novosga`]: the inputs;
//! - [`server`]: HTTP and WebSocket on one port ([`tls`]: its certificate); [`client`]: the HTTP client the adapters use;
//! - [`running`]: a relay on a thread of its own (the binary, herald's demo office, tests);
//! - [`console`]: the office's console in the browser, the displays' reports, alerts;
//! - [`fleet`]: publishing every office to NATS JetStream for a region's displays.

pub mod cap;
pub mod client;
pub mod console;
pub mod fleet;
pub mod intake;
pub mod novosga;
pub mod orchestra;
pub mod phone;
pub mod relay;
pub mod running;
pub mod server;
pub mod site;
pub mod store;
pub mod tls;
pub mod webhook;
