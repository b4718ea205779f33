//! `cargo xtask clean`: sweep containers a killed run (SIGKILL) could not remove, found by the
//! project label every container carries (or only one run's, with `--run`).

#[derive(clap::Args)]
pub struct Args {
    /// Only the containers of this run id (label `io.github.mysql-tls-harness.run`).
    #[arg(long)]
    run: Option<String>,
}

/// Force-removes the labelled containers; prints how many.
pub fn run(args: Args) -> anyhow::Result<()> {
    let removed = containers::sweep(args.run.as_deref())?;
    match &args.run {
        Some(id) => eprintln!("removed {removed} container(s) of run {id}"),
        None => eprintln!(
            "removed {removed} container(s) labelled {}",
            containers::LABEL_PROJECT
        ),
    }
    Ok(())
}
