//! The options every subcommand takes to name the user's project: `--scenarios DIR`,
//! `--snapshots DIR`, or `--config FILE` (a `harness.toml`; also found in the current
//! directory). Without any, the harness's own scenarios and snapshots are used. See
//! [`harness::Project`].

use anyhow::Context;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A harness.toml naming the project's scenarios, snapshots and drivers file (paths relative
    /// to it); default: ./harness.toml when it exists, else the harness's own files.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Scenario files from this directory (`<group>/<name>.toml`) instead of the project's.
    #[arg(long, global = true, value_name = "DIR")]
    scenarios: Option<PathBuf>,
    /// Snapshots (and violations.toml) in this directory instead of the project's; created when
    /// the first pending snapshot is written.
    #[arg(long, global = true, value_name = "DIR")]
    snapshots: Option<PathBuf>,
}

impl Args {
    /// Chooses the project for this process: the config file (given or `./harness.toml`),
    /// then `--scenarios` and `--snapshots` over it; relative paths against the current
    /// directory.
    pub fn apply(self) -> anyhow::Result<()> {
        let local = Path::new(harness::CONFIG_FILE);
        let config = self
            .config
            .or_else(|| local.is_file().then(|| local.to_path_buf()));
        let mut project = match &config {
            Some(file) => harness::Project::from_config(&absolute(file)?)?,
            None => harness::Project::builtin(),
        };
        if let Some(dir) = &self.scenarios {
            project.scenarios = absolute(dir)?;
        }
        if let Some(dir) = &self.snapshots {
            project.snapshots = absolute(dir)?;
        }
        if project != harness::Project::builtin() {
            project.check()?;
        }
        harness::use_project(project)?;
        Ok(())
    }
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))
}
