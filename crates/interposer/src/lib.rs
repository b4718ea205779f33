//! A MySQL-protocol-aware attacker in the middle for TLS conformance tests of real clients.
//!
//! The interposer runs in the network namespace of a real MySQL or MariaDB server: the server
//! listens on one port (e.g. `127.0.0.1:3307`), the interposer on the port clients use (e.g.
//! `0.0.0.0:3306`). Every accepted connection gets its own upstream connection, the server's
//! greeting is read, and then the run's one [`Play`] is applied: an honest relay, TLS
//! impersonation with a chain of the scenario's choice, TLS stripping, an injected ERR packet,
//! or a network fault. What the client did is recorded per connection as a [`Connection`].
//!
//! The binary `interposer` speaks a line protocol on stdin/stdout: the first stdin line is the
//! [`Config`] as JSON, answered by [`Ready`]; each later `report` line is answered by a
//! [`Report`] of the connections accepted since the previous one.

pub mod error;
pub mod mysql;
pub mod plan;
pub mod record;
pub mod relay;
pub mod serve;

pub use error::{Error, Result};
pub use plan::*;
pub use record::{Counted, Recorder};
pub use relay::Prepared;
pub use serve::{Registry, serve};
