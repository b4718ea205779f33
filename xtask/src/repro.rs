//! `cargo xtask repro`: argument parsing for [`harness::new_scenario`] (a customer's report →
//! a scenario scaffold) and [`harness::bundle_scenario`] (a scenario → a directory that
//! reproduces it anywhere with plain docker).

use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Scaffold `scenarios/reports/<NAME>.toml` with every field present and commented. With
    /// `--from-report FILE` (an issue or ticket saved as text), `source` is its first URL,
    /// `reported` its first error line (verbatim), and the certificates start from the defect
    /// that line suggests (expired, hostname, wrong CA, TLS off, TLS version).
    New {
        /// File stem, e.g. `acme-renewal-2026`.
        name: String,
        /// The report as text.
        #[arg(long, value_name = "FILE")]
        from_report: Option<PathBuf>,
        /// Directory to write into; default `scenarios/reports`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a self-contained directory reproducing one scenario on one flavor with plain
    /// docker: fixtures, my.cnf, run.sh, README (expected vs observed), per-cell commands.
    Bundle {
        /// Scenario id or path, e.g. `reports/azure-root-changed`.
        scenario: String,
        /// Output directory (new or empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Flavor whose image and my.cnf the bundle uses; default the scenario's first.
        #[arg(long)]
        flavor: Option<String>,
    },
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::New {
            name,
            from_report,
            dir,
        } => {
            let report = match &from_report {
                Some(file) => Some(
                    std::fs::read_to_string(file)
                        .with_context(|| format!("reading the report {}", file.display()))?,
                ),
                None => None,
            };
            let made = harness::new_scenario(&name, report.as_deref(), dir)?;
            let run = match &made.id {
                Some(id) => format!("`cargo xtask matrix {id}`"),
                None => "move it under scenarios/ and run `cargo xtask matrix <id>`".to_owned(),
            };
            println!(
                "wrote {} (starting point: {:?}); edit it, then {run}",
                made.path.display(),
                made.suggested
            );
            if report.is_some() && !made.reported_found {
                println!(
                    "no error line found in the report: fill in `reported` by hand (verbatim)"
                );
            }
            Ok(())
        }
        Command::Bundle {
            scenario,
            out,
            flavor,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let bundled = runtime
                .block_on(harness::bundle_scenario(&scenario, &out, flavor.as_deref()))
                .context(
                    "writing the bundle (the clients image must be built: `cargo xtask images`)",
                )?;
            println!(
                "wrote {}: {} cells of `{}` on {}; run it with {}/run.sh (README.md says what to expect)",
                out.display(),
                bundled.cells,
                bundled.scenario,
                bundled.flavor,
                out.display()
            );
            Ok(())
        }
    }
}
