//! Helpers shared by the certgen integration tests: generate a scenario's fixtures at the
//! real current time (openssl verifies against the clock) and run openssl in them.

#![allow(dead_code)]

use std::{path::Path, process::Command};
use tempfile::TempDir;

/// The repository's `scenarios/` directory.
pub fn scenarios_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Generates scenario `id` at the current time into a fresh temporary directory.
pub fn fixtures(id: &str) -> TempDir {
    let root = scenarios_root();
    let scenario = scenario::load(&root, &root.join(format!("{id}.toml"))).expect("scenario loads");
    let dir = tempfile::tempdir().expect("tempdir");
    certgen::generate(&scenario, time::OffsetDateTime::now_utc())
        .expect("generates")
        .write_to(dir.path())
        .expect("writes");
    dir
}

/// Runs openssl in `dir`; returns (success, stdout + stderr).
pub fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// DER of the first PEM certificate in `dir/file`.
pub fn first_cert(dir: &Path, file: &str) -> Vec<u8> {
    let bytes = std::fs::read(dir.join(file)).expect("cert file");
    x509_parser::pem::parse_x509_pem(&bytes)
        .expect("PEM")
        .1
        .contents
}
