//! Servers: the MySQL flavors the harness boots, their locally built images (Debian packages,
//! no registry), my.cnf rendering, boot with testcontainers, and reading the server's real TLS
//! state after boot. A booted [`Server`] owns its container: dropping it removes the container.
//!
//! This crate knows nothing about clients or snapshots.

mod detect;
mod error;
mod flavor;
mod image;
mod labels;
mod server;

pub use detect::{detect_flavor, flavor_for_version};
pub use error::Error;
pub use flavor::Flavor;
pub use flavor::{MARIADB_10_11, MARIADB_11_8, MYSQL_9};
pub use image::{ImageRecipe, Wheels, debian_mirror, stale_images};
pub use labels::{LABEL_PROJECT, LABEL_RUN, RunLabels, sweep};
pub use server::{
    ACCOUNT, Boot, FIXTURE_DIR, HARNESS_PASSWORD, Reload, Server, TlsStatus, account_sql,
    copy_into_fixture_dir, exec_output, replace_fixture_dir, user_image_init_sql,
};
