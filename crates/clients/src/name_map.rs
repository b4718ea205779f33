//! Scenario host names for host-run clients. Container-run clients resolve a scenario's
//! `client.host` through the server container's `/etc/hosts` (`--add-host`); a process on the
//! host gets the same mapping from nss_wrapper (the cwrap project's `libnss_wrapper.so`,
//! Debian package `libnss-wrapper`), preloaded with `NSS_WRAPPER_HOSTS` naming a hosts file
//! that maps the one name to 127.0.0.1. glibc's `getaddrinfo`, which Rust's std, tokio and
//! the C libraries call, then answers from that file, so the name never reaches DNS.

use crate::Error;
use std::path::{Path, PathBuf};

/// Debian package that ships [`library`].
pub const NSS_WRAPPER_PACKAGE: &str = "libnss-wrapper";

/// Where distributions install `libnss_wrapper.so`, in the order looked at.
const CANDIDATES: [&str; 5] = [
    "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so",
    "/usr/lib/aarch64-linux-gnu/libnss_wrapper.so",
    "/usr/lib64/libnss_wrapper.so",
    "/usr/lib/libnss_wrapper.so",
    "/usr/local/lib/libnss_wrapper.so",
];

/// The nss_wrapper library on this machine, if installed.
pub fn library() -> Option<PathBuf> {
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// A hosts file mapping `name` to [`scenario::MAPPED_ADDRESS`], written into `dir`, for
/// [`crate::Placement::Host`]'s `name_map`. Returns its path.
///
/// Errors: [`Error::Container`] when the file cannot be written.
pub fn write_hosts_file(dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let path = dir.join("hosts");
    let text = format!("{} {name}\n", scenario::MAPPED_ADDRESS);
    std::fs::write(&path, text).map_err(|e| Error::Container {
        what: format!("writing the host-name map {}", path.display()),
        detail: e.to_string(),
    })?;
    Ok(path)
}

/// The environment that makes a host process resolve through `hosts_file`:
/// `LD_PRELOAD=libnss_wrapper.so`, `NSS_WRAPPER_HOSTS=hosts_file`.
///
/// Errors: [`Error::Container`] naming the package to install when nss_wrapper is missing.
pub fn environment(hosts_file: &Path) -> Result<[(&'static str, PathBuf); 2], Error> {
    let library = library().ok_or_else(|| Error::Container {
        what: "mapping the scenario's host name for a host-run driver".into(),
        detail: format!(
            "nss_wrapper is not installed; install the Debian package {NSS_WRAPPER_PACKAGE} \
             (`cargo xtask images` does it as root)"
        ),
    })?;
    Ok([
        ("LD_PRELOAD", library),
        ("NSS_WRAPPER_HOSTS", hosts_file.to_path_buf()),
    ])
}
