//! `cargo xtask clean`: sweep containers a killed run (SIGKILL) could not remove, found by the
//! project label every container carries.

use anyhow::Context;
use servers::LABEL_PROJECT;
use std::process::Command;

/// Force-removes every container labelled with [`LABEL_PROJECT`]; prints how many.
pub fn run() -> anyhow::Result<()> {
    let out = Command::new("docker")
        .args(["ps", "-aq", "--filter", &format!("label={LABEL_PROJECT}")])
        .output()
        .context("listing containers with `docker ps`")?;
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if !ids.is_empty() {
        let status = Command::new("docker")
            .args(["rm", "-f", "-v"])
            .args(&ids)
            .status()
            .context("docker rm")?;
        anyhow::ensure!(status.success(), "docker rm -f failed: {status}");
    }
    eprintln!(
        "removed {} container(s) labelled {LABEL_PROJECT}",
        ids.len()
    );
    Ok(())
}
