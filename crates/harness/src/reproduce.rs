//! The two `cargo xtask repro` jobs as library calls: [`new_scenario`] writes a commented
//! scenario scaffold from a customer's report ([`crate::scaffold`]), and [`bundle_scenario`]
//! writes a directory that reproduces one scenario anywhere with plain docker
//! ([`crate::write_bundle`]).

use crate::{Error, RunContext, Suggested};
use clients::{DriverSpec, RunsOn};
use servers::Flavor;
use std::path::{Path, PathBuf};

/// What [`new_scenario`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScenario {
    /// The scenario file.
    pub path: PathBuf,
    /// Its id when it lies under `scenarios/` (then `cargo xtask matrix <id>` runs it).
    pub id: Option<String>,
    /// The defect the certificates start from.
    pub suggested: Suggested,
    /// Whether an error line was found for `reported` (false: fill it in by hand).
    pub reported_found: bool,
}

/// Writes `<dir>/<name>.toml` (default dir `scenarios/reports`), scaffolded from `report` (the
/// text of an issue or ticket): its first URL as `source`, its first error line as `reported`,
/// certificates from the defect that line suggests. The scaffold is parsed before it is written.
///
/// Errors: [`Error::NewScenario`] for a name that is not a plain file stem, an existing file, a
/// write that fails; [`Error::Scenario`] if the scaffold does not parse (a bug).
pub fn new_scenario(
    name: &str,
    report: Option<&str>,
    dir: Option<PathBuf>,
) -> Result<NewScenario, Error> {
    let fail = |path: &Path, detail: String| Error::NewScenario {
        path: path.to_path_buf(),
        detail,
    };
    let root = crate::scenarios_root();
    let dir = dir.unwrap_or_else(|| root.join("reports"));
    let path = dir.join(format!("{name}.toml"));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(fail(
            &path,
            format!("`{name}`: use letters, digits, `-` and `_` (it becomes the file stem)"),
        ));
    }
    if path.exists() {
        return Err(fail(&path, "exists; pick another name".into()));
    }
    let source = report.and_then(crate::first_url);
    let reported = report.and_then(crate::error_line);
    let suggested = reported
        .as_deref()
        .map_or(Suggested::Healthy, crate::suggest);
    let text = crate::scaffold(source.as_deref(), reported.as_deref(), suggested);
    scenario::parse(&path, &text)?;
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, &text))
        .map_err(|e| fail(&path, e.to_string()))?;
    let id = path
        .strip_prefix(&root)
        .ok()
        .map(|rel| rel.with_extension("").display().to_string());
    Ok(NewScenario {
        path,
        id,
        suggested,
        reported_found: reported.is_some(),
    })
}

/// What [`bundle_scenario`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundled {
    /// Scenario id.
    pub scenario: String,
    /// The flavor whose image and my.cnf the bundle uses.
    pub flavor: &'static str,
    /// Client × ssl-mode cells the bundle's run.sh attempts.
    pub cells: usize,
}

/// Writes a repro bundle of scenario `id` (an id, a path or a unique substring) into `out`, for
/// `flavor` (default: the scenario's first). Reads the ssl-mode tables of the drivers that run
/// in the clients image (a clients container without network).
///
/// Errors: [`Error::Scenario`] (unknown or ambiguous id, invalid file), [`Error::Bundle`] for a
/// flavor the scenario does not run on, [`Error::Client`] when the clients image is missing.
pub async fn bundle_scenario(id: &str, out: &Path, flavor: Option<&str>) -> Result<Bundled, Error> {
    let root = crate::scenarios_root();
    let scenario = scenario::load(&root, &scenario::select_one(&root, id)?)?;
    let flavors = crate::flavors_of(&scenario)?;
    let flavor: &'static Flavor = match flavor {
        Some(name) => match Flavor::by_name(name) {
            Some(f) if crate::runs_on(&scenario, f) => f,
            Some(_) => {
                return Err(Error::Bundle(format!(
                    "scenario `{}` does not run on {name} (its server.flavors)",
                    scenario.id
                )));
            }
            None => {
                return Err(Error::Bundle(format!(
                    "unknown flavor `{name}`; known: {}",
                    Flavor::known_names()
                )));
            }
        },
        None => flavors
            .first()
            .copied()
            .ok_or_else(|| Error::Bundle("the scenario names no flavor".into()))?,
    };
    let ctx = RunContext::new()?;
    let bundled: Vec<DriverSpec> = ctx
        .drivers
        .iter()
        .filter(|d| d.runs_on == RunsOn::ClientsImage)
        .cloned()
        .collect();
    let tables = crate::ssl_mode_tables(&bundled, &ctx.labels).await?;
    let snapshot = crate::committed_snapshot(&scenario.id, flavor.name);
    let cells = crate::write_bundle(
        &scenario,
        flavor,
        ctx.now,
        out,
        &ctx.drivers,
        &tables,
        snapshot.as_deref(),
    )?;
    Ok(Bundled {
        scenario: scenario.id,
        flavor: flavor.name,
        cells: cells.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_becomes_a_parsed_scenario_file_and_names_are_plain_stems() {
        let dir = tempfile::tempdir().expect("temp dir");
        let report = "Broke after renewal, see https://example.org/issue/9\n\
            > ERROR 2026 (HY000): SSL connection error: certificate has expired\n";
        let made =
            new_scenario("acme-9", Some(report), Some(dir.path().to_path_buf())).expect("written");
        assert_eq!(made.path, dir.path().join("acme-9.toml"));
        assert_eq!(made.suggested, Suggested::Expired);
        assert!(made.reported_found);
        assert_eq!(made.id, None, "outside scenarios/ there is no id");
        let scenario = scenario::load(dir.path(), &made.path).expect("the file loads");
        assert_eq!(
            scenario.source.as_deref(),
            Some("https://example.org/issue/9")
        );
        let again = new_scenario("acme-9", None, Some(dir.path().to_path_buf()));
        assert!(
            matches!(again, Err(Error::NewScenario { .. })),
            "never overwrites"
        );
        for bad in ["", "../escape", "a/b", "x.toml", "sp ace"] {
            let err = new_scenario(bad, None, Some(dir.path().to_path_buf()));
            assert!(
                matches!(err, Err(Error::NewScenario { .. })),
                "`{bad}` refused"
            );
        }
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }
}
