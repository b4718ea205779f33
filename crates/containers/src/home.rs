//! Where the harness's own files are at run time: the checkout holding `images/` (image
//! recipes' context files), `drivers/` (the driver programs and their list) and the workspace
//! `Cargo.toml` (which builds the agent and the interposer). Found when the program starts, not
//! baked in at build time, so two checkouts sharing one target directory each use their own
//! files. It says nothing of where a user keeps scenarios and snapshots (`harness::Project`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable that names the harness home explicitly, e.g. for a binary
/// installed outside its checkout.
pub const HOME_VAR: &str = "MYSQL_TLS_HARNESS_HOME";

/// The harness home, found once per process; the first of:
/// 1. `$MYSQL_TLS_HARNESS_HOME`, when it is a harness checkout;
/// 2. the nearest harness checkout at or above the `CARGO_MANIFEST_DIR` cargo sets when it
///    runs a program (`cargo xtask`, `cargo test`, nextest): the checkout cargo was run in;
/// 3. the checkout this crate was built from.
///
/// A harness checkout is a directory with `images/`, `drivers/drivers.toml` and
/// `crates/containers/`.
pub fn harness_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let explicit = std::env::var_os(HOME_VAR).map(PathBuf::from);
        let run_by_cargo = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        explicit
            .filter(|dir| is_harness_checkout(dir))
            .or_else(|| run_by_cargo.as_deref().and_then(checkout_above))
            .or_else(|| checkout_above(&built_from))
            .unwrap_or_else(|| built_from.join("../.."))
    })
}

/// The nearest harness checkout at or above `dir`.
fn checkout_above(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| is_harness_checkout(d))
        .map(Path::to_path_buf)
}

/// Whether `dir` holds the harness's own files (see [`harness_home`]).
pub fn is_harness_checkout(dir: &Path) -> bool {
    dir.join("images").is_dir()
        && dir.join("drivers/drivers.toml").is_file()
        && dir.join("crates/containers").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_is_a_checkout_and_found_above_a_crate_directory() {
        assert!(is_harness_checkout(harness_home()));
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            checkout_above(crate_dir).map(|d| d.canonicalize().expect("exists")),
            Some(crate_dir.join("../..").canonicalize().expect("exists"))
        );
        assert_eq!(checkout_above(Path::new("/")), None);
    }
}
