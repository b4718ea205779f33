//! `cargo xtask gen`: write fixtures for scenarios without booting anything.

use anyhow::Context;
use std::path::PathBuf;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

#[derive(clap::Args)]
pub struct Args {
    /// Scenario ids or paths (e.g. `basic/expired-server-cert`); `--all` for every scenario.
    scenarios: Vec<String>,
    /// Every scenario under scenarios/.
    #[arg(long)]
    all: bool,
    /// Output directory; each scenario gets `<out>/<id>/`.
    #[arg(long)]
    out: PathBuf,
    /// The instant validity offsets are relative to (RFC 3339); default: now.
    #[arg(long)]
    now: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let now = match &args.now {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339).with_context(|| {
            format!("--now {text:?} is not RFC 3339 (e.g. 2026-01-01T00:00:00Z)")
        })?,
        None => OffsetDateTime::now_utc(),
    };
    let root = harness::scenarios_root();
    let paths = scenario::select(&root, &args.scenarios, args.all)?;
    for path in paths {
        let scenario = scenario::load(&root, &path)?;
        let dir = args.out.join(&scenario.id);
        certgen::generate(&scenario, now)?.write_to(&dir)?;
        println!("{}", dir.display());
    }
    Ok(())
}
