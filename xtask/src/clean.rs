//! `cargo xtask clean`: sweep containers a killed run (SIGKILL) could not remove, found by the
//! project label every container carries.

/// Force-removes every container labelled as this project's; prints how many.
pub fn run() -> anyhow::Result<()> {
    let removed = servers::sweep(None)?;
    eprintln!(
        "removed {removed} container(s) labelled {}",
        servers::LABEL_PROJECT
    );
    Ok(())
}
