//! `cargo xtask fuzz`: the fuzz targets for what strangers write — scenario files, driver
//! output, a hostile server's packets — with more cases than CI gives them. The targets are
//! property-based tests (proptest, stable toolchain) that CI runs with bounded case counts;
//! this runs them with `PROPTEST_CASES` set, under the nextest profile `fuzz` (no time limit).
//! A failing input is shrunk and saved in the target's `tests/fuzz-regressions/` file.

use anyhow::Context;
use std::process::Command;

/// A fuzz target: its nextest binary id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Scenario parser, validator and fixture writer (`certgen::fuzz_scenarios`).
    Scenarios,
    /// Driver contract reader against misbehaving driver programs (`clients::fuzz_driver_lines`).
    DriverLines,
    /// The doctor against a hostile MySQL/TLS server on loopback (`doctor::fuzz_hostile_server`).
    HostileServer,
}

impl Target {
    fn binary_id(self) -> &'static str {
        match self {
            Target::Scenarios => "certgen::fuzz_scenarios",
            Target::DriverLines => "clients::fuzz_driver_lines",
            Target::HostileServer => "doctor::fuzz_hostile_server",
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Cases per property (CI runs each property with its own smaller count: 12 to 10,000).
    #[arg(long, default_value_t = 10_000)]
    cases: u32,
    /// Targets to run; all three when none is named.
    #[arg(value_enum)]
    targets: Vec<Target>,
}

/// The nextest filter selecting `targets` (all when empty).
fn filter(targets: &[Target]) -> String {
    let all = [
        Target::Scenarios,
        Target::DriverLines,
        Target::HostileServer,
    ];
    let chosen = if targets.is_empty() {
        &all[..]
    } else {
        targets
    };
    chosen
        .iter()
        .map(|t| format!("binary_id({})", t.binary_id()))
        .collect::<Vec<_>>()
        .join(" | ")
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["nextest", "run", "--workspace", "--profile", "fuzz", "-E"])
        .arg(filter(&args.targets))
        .env("PROPTEST_CASES", args.cases.to_string())
        .status()
        .context("running cargo nextest (install it with `cargo install cargo-nextest`)")?;
    anyhow::ensure!(status.success(), "a fuzz target failed ({status})");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_target_named_means_all_three() {
        assert_eq!(
            filter(&[]),
            "binary_id(certgen::fuzz_scenarios) | binary_id(clients::fuzz_driver_lines) \
             | binary_id(doctor::fuzz_hostile_server)"
        );
        assert_eq!(
            filter(&[Target::HostileServer]),
            "binary_id(doctor::fuzz_hostile_server)"
        );
    }
}
