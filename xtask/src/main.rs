//! `cargo xtask`: the one command users run. Thin by design — argument parsing and
//! orchestration of `crates/`; all logic lives there.

mod accept;
mod bench;
mod clean;
mod diagnose;
mod fuzz_cmd;
mod gen_cmd;
mod host_tools;
mod images;
mod matrix;
mod project;
mod repro;
mod test_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Conformance harness for MySQL TLS failures (error 2026 and relatives)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    project: project::Args,
}

#[derive(Subcommand)]
enum Command {
    /// Build the server images from Debian packages if missing (content-tagged).
    Images {
        /// Also remove this project's images of older recipes (other tags of the same repositories).
        #[arg(long)]
        prune: bool,
    },
    /// Run the scenario matrix: fixtures → real servers → real clients → snapshot check.
    Matrix(matrix::Args),
    /// Accept pending snapshots (written by a run whose table is new or differs): shows each
    /// diff or new table, then commits it as the snapshot.
    Accept(accept::Args),
    /// Write scenarios' fixture files (MySQL file names + manifest.json) without booting anything.
    Gen(gen_cmd::Args),
    /// Time the matrix two ways in one run: the fast path and the naive path (a container per
    /// scenario, a driver process per cell); prints both, their ratio, cell median/p95, peak memory.
    Bench(bench::Args),
    /// Reproduce customer reports: scaffold a report scenario, or bundle a scenario into a
    /// directory that reproduces it anywhere with plain docker.
    #[command(subcommand)]
    Repro(repro::Command),
    /// Build what the tests need, then run the test suite (nextest).
    Test(test_cmd::Args),
    /// Run the fuzz targets (scenario files, driver output, a hostile server) with more cases
    /// than CI does.
    Fuzz(fuzz_cmd::Args),
    /// Diagnose a live server's TLS like a client would and name the causes of error 2026
    /// (exit 0: none found, 1: causes found, 2: no diagnosis possible).
    Diagnose(diagnose::Args),
    /// Remove every container this project left behind (e.g. after a killed run).
    Clean(clean::Args),
    /// Regenerate the JSON Schemas: scenario files (scenarios/scenario.schema.json), the
    /// external driver contract (drivers/contract.schema.json), the matrix's JSON report
    /// (crates/harness/report.schema.json) and the diagnosis (crates/doctor/diagnosis.schema.json).
    Schema,
}

/// Lanes run at once by default: two per CPU core, at most 8. A lane (one server at a time
/// plus its clients) spends much of its time waiting (Docker, clients' own timeouts in the
/// fault scenarios), so two per core keep the cores busy: on 2 cores the full matrix took
/// 447 s with 2 lanes, 327 s with 4 and 341 s with 6, identical outcomes.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).clamp(1, 8))
}

/// Whether log lines may carry ANSI colours: only on a terminal, and never when `NO_COLOR` is set
/// to a non-empty value (no-color.org).
fn colour(stderr_is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

fn main() -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    tracing_subscriber::fmt()
        .with_ansi(colour(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,xtask=info,servers=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    cli.project.apply()?;
    match cli.command {
        Command::Images { prune } => {
            images::ensure_all()?;
            if prune {
                images::prune()?;
            }
            Ok(())
        }
        Command::Matrix(args) => matrix::run(args),
        Command::Accept(args) => accept::run(args),
        Command::Gen(args) => gen_cmd::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::Fuzz(args) => fuzz_cmd::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Repro(command) => repro::run(command),
        Command::Clean(args) => clean::run(args),
        Command::Diagnose(args) => diagnose::run(args),
        Command::Schema => {
            let root = containers::harness_home();
            for (file, text) in [
                (scenario::SCHEMA_FILE, scenario::json_schema()),
                (
                    clients::contract::CONTRACT_SCHEMA_FILE,
                    clients::contract::json_schema(),
                ),
                (harness::REPORT_SCHEMA_FILE, harness::report_json_schema()),
                (doctor::SCHEMA_FILE, doctor::json_schema()),
            ] {
                std::fs::write(root.join(file), text)?;
                eprintln!("wrote {file}");
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::colour;

    #[test]
    fn log_colours_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(
            colour(true, Some("".into())),
            "an empty NO_COLOR does not count"
        );
        assert!(!colour(true, Some("1".into())));
        assert!(!colour(false, None), "files and pipes get no escape codes");
    }
}
