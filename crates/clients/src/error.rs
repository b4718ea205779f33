//! Harness faults of client adapters (not client failures, which are outcomes).

/// A harness fault while preparing or driving a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Docker failed while starting, exec-ing into or copying into a client container.
    #[error("{what}: {source}")]
    Docker {
        /// What was being done, e.g. `swapping fixtures in the mysql-cli container`.
        what: String,
        /// The container layer's error.
        source: containers::Error,
    },
    /// A command in a client container, or a driver process, could not do what the harness
    /// needs (`mysql --version` failed, `docker exec -i` could not be spawned).
    #[error("{what}: {detail}")]
    Container {
        /// What was being done.
        what: String,
        /// Exit status and output, or the spawn error.
        detail: String,
    },
    /// The driver list (`drivers/drivers.toml`) is unreadable or invalid.
    #[error("driver list {}: {detail}", path.display())]
    DriverList {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// An external driver broke the contract (drivers/CONTRACT.md): no hello, a line that is
    /// not a contract object, a wrong id, or too many restarts.
    #[error("driver `{driver}` broke the contract: {detail}\n--- its stderr (tail) ---\n{stderr}")]
    Contract {
        /// Driver name.
        driver: String,
        /// What it did wrong.
        detail: String,
        /// The tail of its stderr.
        stderr: String,
    },
    /// A driver's `build` command failed.
    #[error("building drivers with `{command}` failed: {detail}")]
    DriverBuild {
        /// The command.
        command: String,
        /// Exit status and output tail.
        detail: String,
    },
}
