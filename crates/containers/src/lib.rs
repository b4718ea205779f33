//! The one home of Docker. Images: recipes as data, content tags, building from Debian
//! packages (no registry), pruning. Containers: start from a [`ContainerSpec`], exec, logs,
//! copy files in, remove on drop. Labels on every container of a run, and the [`sweep`] that
//! removes what an interrupted run left.
//!
//! testcontainers (and bollard through it) does what it can; the `docker` CLI is called only in
//! [`docker`], one function per invocation. This crate knows nothing of MySQL, scenarios or
//! clients: it is below `servers` and `clients`.

mod agent;
mod container;
pub mod docker;
mod error;
mod home;
mod image;
mod labels;
pub mod recipes;

pub use container::{Container, ContainerSpec, EXEC_LIMIT, FileIn, MAX_EXEC_OUTPUT, Network};
pub use error::Error;
pub use home::{HOME_VAR, harness_home, is_harness_checkout};
pub use image::{ImageRecipe, Wheels, debian_mirror, stale_images};
pub use labels::{LABEL_PROJECT, LABEL_RUN, RunLabels, containers_of_run, sweep, sweep_settled};

/// Where fixture files live inside server and client containers.
pub const FIXTURE_DIR: &str = "/etc/mysql/tls";
