//! Servers: the MySQL flavors the harness boots (data, with their image recipes from
//! `containers`), my.cnf rendering, boot through `containers`, admin queries, TLS reloads, and
//! reading the server's real TLS state after boot. A booted [`Server`] owns its container:
//! dropping it removes the container.
//!
//! This crate knows nothing about clients or snapshots.

mod detect;
mod error;
mod flavor;
mod server;

pub use detect::{detect_flavor, flavor_for_version};
pub use error::Error;
pub use flavor::Flavor;
pub use flavor::{MARIADB_10_11, MARIADB_11_8, MYSQL_9};
pub use server::{
    ACCOUNT, Boot, HARNESS_PASSWORD, Reload, Server, TlsStatus, account_sql, user_image_init_sql,
};
