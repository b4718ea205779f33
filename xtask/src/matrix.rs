//! `cargo xtask matrix`: argument parsing for [`runner::run`], which runs scenarios × flavors ×
//! clients × ssl-modes against real servers, prints each scenario's table and its snapshot
//! verdict, and writes the reports asked for. Exits non-zero only on a harness fault or a
//! snapshot mismatch (124 when `--timeout` elapses; 130, 143, 129 on SIGINT, SIGTERM, SIGHUP,
//! after removing the run's containers).

use anyhow::bail;
use runner::{Ending, FailOn, Options, Outputs, RunPath};
use scenario::SslMode;
use std::{path::PathBuf, time::Duration};

/// Which scenarios run on which servers, and how many at once: shared by `matrix` and `bench`.
#[derive(clap::Args)]
pub struct Selection {
    /// Scenario filters: ids (`basic/valid`), paths, or substrings of ids; default all.
    pub filters: Vec<String>,
    /// Only this flavor (e.g. `mysql-9`); default all.
    #[arg(long)]
    pub flavor: Option<String>,
    /// Lanes at once (each: its clients and one server at a time, taking scenario groups one
    /// after another); default two per CPU core, at most 8.
    #[arg(long, default_value_t = crate::default_jobs())]
    pub jobs: usize,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    selection: Selection,
    /// Clients attempting their cells at once against one server (each runs its ssl-modes in
    /// order). 1, the default, is how the snapshots are made; more is faster and experimental.
    #[arg(long, default_value_t = 1, value_name = "N")]
    client_jobs: usize,
    /// Bound of one connection attempt in seconds; past it the cell is recorded as a hang.
    #[arg(long, default_value_t = 10)]
    cell_timeout: u64,
    /// Boot a fresh server for every scenario (no fast path: no reuse of running servers).
    #[arg(long)]
    fresh: bool,
    /// The naive baseline of `cargo xtask bench`: `--fresh`, plus a new driver process for
    /// every cell.
    #[arg(long)]
    naive: bool,
    /// Only these clients (repeatable; built-in or from drivers/drivers.toml). Snapshots are
    /// then compared row by row.
    #[arg(long = "client", value_name = "NAME")]
    clients: Vec<String>,
    /// Only these ssl-modes (repeatable, as MySQL spells them: DISABLED … VERIFY_IDENTITY).
    #[arg(long = "ssl-mode", value_name = "MODE", value_parser = parse_ssl_mode)]
    ssl_modes: Vec<SslMode>,
    /// Start no new scenario after the first harness fault or snapshot mismatch.
    #[arg(long)]
    fail_fast: bool,
    /// Bound of the whole run in seconds; past it in-flight scenarios are cancelled, their
    /// containers removed, and the run exits with status 124.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Also write the machine-readable report (schema: crates/harness/report.schema.json).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the Markdown matrix (one table per scenario run, full texts in details). It
    /// is appended to `$GITHUB_STEP_SUMMARY` whenever that variable is set.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Also write JUnit XML (one test case per cell; a cell fails when it differs from the
    /// committed snapshot).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write a self-contained HTML page of the matrix, filterable by scenario, flavor,
    /// client and verdict.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Compare with an earlier `--json` report and print only the cells that changed, as a
    /// Markdown table for a PR (also put at the top of the Markdown report).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Run only shard I of N (1-based): a stable partition of the scenarios by a hash of their
    /// id, so shards stay balanced and a scenario keeps its shard as others are added.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// Run against this server image instead of the built-in flavors (e.g. `mysql:8.4`, which
    /// must be in the local engine: `docker pull` it first). Family and version are read from
    /// the running server; snapshots are compared only where `<scenario>@<family>-<version>.snap`
    /// is committed.
    #[arg(long, value_name = "NAME:TAG", conflicts_with = "flavor")]
    image: Option<String>,
    /// Which verdicts of the ssl-mode contract fail the run: `insecure` (default) fails on an
    /// insecure violation that snapshots/violations.toml does not explain (with `--baseline`:
    /// only one the baseline did not have); `nothing` only reports them.
    #[arg(long, value_name = "WHAT", default_value = "insecure", value_parser = parse_fail_on)]
    fail_on: FailOn,
    /// External drivers from this file instead of drivers/drivers.toml (same format,
    /// drivers/CONTRACT.md), e.g. your own driver, or one pinned to another release.
    #[arg(long, value_name = "FILE")]
    drivers: Option<PathBuf>,
}

/// `insecure` or `nothing`.
fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "insecure" => Ok(FailOn::Insecure),
        "nothing" | "none" => Ok(FailOn::Nothing),
        _ => Err(format!("`{text}`: expected `insecure` or `nothing`")),
    }
}

/// An ssl-mode as MySQL spells it (case-insensitive, `-` or `_`).
fn parse_ssl_mode(text: &str) -> Result<SslMode, String> {
    let wanted = text.trim().to_ascii_uppercase().replace('-', "_");
    SslMode::ALL
        .into_iter()
        .find(|m| m.as_str() == wanted)
        .ok_or_else(|| {
            let all: Vec<&str> = SslMode::ALL.iter().map(|m| m.as_str()).collect();
            format!("`{text}`: expected one of {}", all.join(", "))
        })
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
    match parsed {
        Some((i, n)) if (1..=n).contains(&i) => Ok((i, n)),
        _ => Err(format!("`{text}`: expected I/N with 1 ≤ I ≤ N, e.g. 2/4")),
    }
}

impl Args {
    fn options(self) -> Options {
        Options {
            filters: self.selection.filters,
            flavor: self.selection.flavor,
            image: self.image,
            jobs: self.selection.jobs.max(1),
            client_jobs: self.client_jobs.max(1),
            cell_timeout: Duration::from_secs(self.cell_timeout),
            path: if self.naive {
                RunPath::Naive
            } else if self.fresh {
                RunPath::Fresh
            } else {
                RunPath::Fast
            },
            clients: self.clients,
            ssl_modes: self.ssl_modes,
            fail_fast: self.fail_fast,
            timeout: self.timeout.map(Duration::from_secs),
            shard: self.shard,
            outputs: Outputs {
                json: self.json,
                markdown: self.markdown,
                junit: self.junit,
                html: self.html,
                baseline: self.baseline,
            },
            fail_on: self.fail_on,
            drivers: self.drivers,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::images::ensure_all()?;
    match runner::run(&args.options())? {
        Ending::Completed {
            faults: 0,
            mismatches: 0,
            insecure: 0,
            new_snapshots,
        } => match new_snapshots {
            // A new scenario is not a mismatch; under CI nothing unreviewed may pass.
            Some(line) if ci() => bail!("{line} (CI: a pending snapshot fails the run)"),
            _ => Ok(()),
        },
        Ending::Completed {
            faults,
            mismatches,
            insecure,
            new_snapshots,
        } => {
            bail!(
                "matrix failed: {mismatches} snapshot mismatch(es), {faults} harness fault(s), \
                 {insecure} unreviewed insecure violation(s){}",
                new_snapshots.map(|l| format!("; {l}")).unwrap_or_default()
            )
        }
        Ending::Stopped { stop, .. } => std::process::exit(stop.exit_code()),
    }
}

/// Whether this runs under CI: `CI` set to anything but empty, `0` or `false` (GitHub Actions,
/// GitLab and most CI services set `CI=true`; insta reads it the same way).
fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

#[cfg(test)]
mod tests {
    use super::parse_shard;

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
