//! Where a run finds its scenarios and snapshots and which driver list it uses: the harness's
//! own (in the harness home, [`containers::harness_home`]) unless the user names theirs — a
//! support team's private reports, a driver project's own cases — with `--scenarios`,
//! `--snapshots`, `--drivers` or one `harness.toml` in their repository. The binary chooses the
//! project once, before anything reads it ([`use_project`]); every later read
//! ([`scenarios_root`], the snapshot functions, [`crate::RunContext::new`]) sees that choice.

use crate::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The file a user's repository names its project in (every field optional; relative paths
/// are relative to the file's directory):
///
/// ```toml
/// scenarios = "tls-cases"          # default "scenarios"
/// snapshots = "tls-cases/snapshots" # default "snapshots"
/// drivers = "drivers.toml"          # default: the harness's own drivers/drivers.toml
/// ```
pub const CONFIG_FILE: &str = "harness.toml";

/// The directories and file a run reads (and writes pending snapshots to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Scenario files, `<group>/<name>.toml`; ids are paths relative to it.
    pub scenarios: PathBuf,
    /// Committed snapshots (`<group>__<name>@<flavor>.snap`), pending ones (`.snap.new`) and
    /// `violations.toml`; need not exist before the first snapshot is written.
    pub snapshots: PathBuf,
    /// The external drivers' list (the format of `drivers/drivers.toml`).
    pub drivers: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    scenarios: Option<PathBuf>,
    snapshots: Option<PathBuf>,
    drivers: Option<PathBuf>,
}

impl Project {
    /// The harness's own: `scenarios/`, `snapshots/` and `drivers/drivers.toml` of the harness
    /// home.
    pub fn builtin() -> Project {
        let home = containers::harness_home();
        Project {
            scenarios: home.join("scenarios"),
            snapshots: home.join("snapshots"),
            drivers: clients::default_drivers_file(),
        }
    }

    /// The project a [`CONFIG_FILE`] names. Errors: [`Error::Project`] naming the file and
    /// the field (unreadable, not TOML, an unknown field).
    pub fn from_config(file: &Path) -> Result<Project, Error> {
        let fail = |detail: String| Error::Project {
            path: file.to_path_buf(),
            detail,
        };
        let text = std::fs::read_to_string(file).map_err(|e| fail(e.to_string()))?;
        let config: ConfigFile = toml::from_str(&text).map_err(|e| {
            fail(format!(
                "{}; the fields are `scenarios`, `snapshots` and `drivers` (paths)",
                e.message()
            ))
        })?;
        let dir = file.parent().unwrap_or(Path::new("."));
        let at = |given: Option<PathBuf>, default: &str| dir.join(given.unwrap_or(default.into()));
        Ok(Project {
            scenarios: at(config.scenarios, "scenarios"),
            snapshots: at(config.snapshots, "snapshots"),
            drivers: config
                .drivers
                .map_or_else(clients::default_drivers_file, |d| dir.join(d)),
        })
    }

    /// Checks what must exist before a run: the scenarios directory and the drivers file.
    /// Errors: [`Error::Project`] naming the path and the option that set it.
    pub fn check(&self) -> Result<(), Error> {
        if !self.scenarios.is_dir() {
            return Err(Error::Project {
                path: self.scenarios.clone(),
                detail: "the scenarios directory does not exist (--scenarios or `scenarios` in harness.toml)".into(),
            });
        }
        if !self.drivers.is_file() {
            return Err(Error::Project {
                path: self.drivers.clone(),
                detail: "the drivers file does not exist (--drivers or `drivers` in harness.toml)"
                    .into(),
            });
        }
        Ok(())
    }
}

static PROJECT: OnceLock<Project> = OnceLock::new();

/// Makes `project` the one every later read sees. Call it once, before anything reads the
/// project. Errors: [`Error::Project`] when another project was chosen or read already.
pub fn use_project(project: Project) -> Result<(), Error> {
    let wanted = project.clone();
    PROJECT.set(project).or_else(|_| {
        if PROJECT.get() == Some(&wanted) {
            Ok(())
        } else {
            Err(Error::Project {
                path: wanted.scenarios,
                detail: "another project was already in use in this process".into(),
            })
        }
    })
}

/// The project in use: the one given to [`use_project`], else [`Project::builtin`].
pub fn project() -> &'static Project {
    PROJECT.get_or_init(Project::builtin)
}

/// The scenarios directory of the project in use.
pub fn scenarios_root() -> PathBuf {
    project().scenarios.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_resolves_relative_to_its_directory_with_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(CONFIG_FILE);
        std::fs::write(&file, "scenarios = \"cases\"\n").expect("write");
        let project = Project::from_config(&file).expect("loads");
        assert_eq!(project.scenarios, dir.path().join("cases"));
        assert_eq!(project.snapshots, dir.path().join("snapshots"));
        assert_eq!(project.drivers, clients::default_drivers_file());
    }

    #[test]
    fn a_config_file_with_an_unknown_field_names_file_and_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(CONFIG_FILE);
        std::fs::write(&file, "scenario = \"cases\"\n").expect("write");
        let err = Project::from_config(&file)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("harness.toml"), "{err}");
        assert!(err.contains("unknown field `scenario`"), "{err}");
    }

    #[test]
    fn a_missing_scenarios_directory_is_named_with_its_option() {
        let project = Project {
            scenarios: PathBuf::from("/nonexistent/cases"),
            ..Project::builtin()
        };
        let err = project.check().expect_err("refused").to_string();
        assert!(err.contains("/nonexistent/cases"), "{err}");
        assert!(err.contains("--scenarios"), "{err}");
    }
}
