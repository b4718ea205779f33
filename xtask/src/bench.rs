//! `cargo xtask bench`: argument parsing for [`runner::bench::run`], which times the matrix
//! several ways in one run (fast, fresh, naive, …) as child `cargo xtask matrix --json` runs
//! and prints wall times, ratios, cell median/p95, peak memory and differing cells.

use crate::matrix::Selection;
use runner::bench::{BenchOptions, BenchPath};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    selection: Selection,
    /// Where the JSON reports and matrix logs go; default a new temporary directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Paths to time, in order: `fast` (reused servers, `--jobs` in parallel), `fresh` (a
    /// server per scenario, `--jobs` in parallel: the matrix before the fast path existed) and
    /// `naive` (a server per scenario and a driver process per cell, one scenario at a time);
    /// `fast-parallel-clients` is the fast path with 4 clients at once per server (experimental).
    /// Ratios are against the first path.
    #[arg(long, value_delimiter = ',', default_value = "fast,naive", value_parser = parse_path)]
    paths: Vec<BenchPath>,
}

fn parse_path(text: &str) -> Result<BenchPath, String> {
    BenchPath::ALL
        .into_iter()
        .find(|p| p.name() == text)
        .ok_or_else(|| format!("`{text}`: expected fast, fast-parallel-clients, fresh or naive"))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::images::ensure_all()?;
    runner::bench::run(&BenchOptions {
        exe: std::env::current_exe()?,
        filters: args.selection.filters,
        flavor: args.selection.flavor,
        jobs: args.selection.jobs.max(1),
        out: args.out,
        paths: args.paths,
    })?;
    Ok(())
}
