// Shared by the drivers' build scripts (`#[path]` module): the versions of packages as resolved in
// drivers/rust/Cargo.lock, so a driver's hello names exactly what it was built with.

use std::{env, fs, path::PathBuf};

/// `Cargo.lock` of the workspace; the build is re-run when it changes.
fn lock_text() -> String {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let lock = dir.join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    fs::read_to_string(&lock).unwrap_or_else(|e| panic!("reading {}: {e}", lock.display()))
}

/// The locked version(s) of `name` (joined with " / " if the lock holds several).
fn version_of(lock: &str, name: &str) -> String {
    let wanted = format!("name = \"{name}\"");
    let versions: Vec<&str> = lock
        .split("[[package]]")
        .filter(|block| block.lines().any(|line| line.trim() == wanted))
        .filter_map(|block| {
            block
                .lines()
                .find_map(|line| line.trim().strip_prefix("version = \"")?.strip_suffix('"'))
        })
        .collect();
    assert!(!versions.is_empty(), "{name} is not in Cargo.lock");
    versions.join(" / ")
}

/// Emits `cargo:rustc-env=<VAR>=<version>` for each `(VAR, package)`.
pub fn emit(pairs: &[(&str, &str)]) {
    let lock = lock_text();
    for (var, name) in pairs {
        println!("cargo:rustc-env={var}={}", version_of(&lock, name));
    }
}
