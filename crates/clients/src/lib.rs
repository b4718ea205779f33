//! Client adapters: each drives one real MySQL client (a CLI in a container, a Rust driver
//! in-process) through one connection attempt per [`Cell`] and reports an
//! [`outcome::Outcome`]. A client's refusal is an outcome; only harness faults are [`Error`]s.
//!
//! Every attempt is bounded by the cell timeout and becomes `Hang` when it elapses.

mod cell;
mod cli;
mod companion;
pub mod contract;
mod drivers;
mod endpoint;
mod error;
mod external;
pub mod name_map;
mod rust_mysql;

pub use cell::Cell;
pub use cli::{Cli, CliProgram, MARIADB_CLI, MYSQL_CLI, ModeArgs};
pub use drivers::{
    CLIENTS_IMAGE, DriverSpec, RunsOn, build_drivers, default_drivers_file, load_drivers,
    repository_root,
};
pub use endpoint::Endpoint;
pub use error::Error;
pub use external::{
    DriversHost, ExternalDriver, MAX_LINE, Placement, container_cell_json,
    outcome_from_driver_output,
};
pub use rust_mysql::RustMysql;

use outcome::Outcome;

/// A client ready to attempt cells against one running server.
pub enum Client {
    /// A command-line client (`mysql`, `mariadb`) in a container sharing the server's network.
    Cli(Box<Cli>),
    /// The Rust `mysql` crate with its native-tls (OpenSSL) backend, in-process.
    RustMysql(RustMysql),
    /// A program speaking the driver contract (drivers/CONTRACT.md) in the clients container.
    External(Box<ExternalDriver>),
}

impl Client {
    /// Stable client name used in snapshots and reports, e.g. `mysql-cli`.
    pub fn name(&self) -> &str {
        match self {
            Client::Cli(c) => c.name(),
            Client::RustMysql(_) => RustMysql::NAME,
            Client::External(d) => d.name(),
        }
    }

    /// One connection attempt with `cell`'s ssl-mode. Harness faults (Docker exec failing)
    /// are errors; everything the client itself does is the returned outcome.
    pub async fn attempt(&self, cell: &Cell) -> Result<Outcome, Error> {
        match self {
            Client::Cli(c) => c.attempt(cell).await,
            Client::RustMysql(c) => Ok(c.attempt(cell).await),
            Client::External(d) => d.attempt(cell).await,
        }
    }
}

/// Extra time past a cell's own timeout (the connect timeout every client is given) before
/// the harness calls the cell a `hang`: 3 s, for process and JVM start, whole-second rounding
/// and a loaded machine (a Connector/J cell honouring a 1 s timeout was measured at 3.1 s
/// while the other core compiled).
pub const HANG_GRACE: std::time::Duration = std::time::Duration::from_secs(3);
