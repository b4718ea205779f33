//! The matrix's own snapshot review, without insta's test-runner messages: a run whose
//! rendering differs from the committed snapshot, or that has none yet (a new scenario), leaves
//! a pending `<name>.snap.new` beside the snapshots, in insta's file format (so `cargo insta
//! review` reads it too, where installed); `cargo xtask accept` shows and moves pending files
//! into place ([`pending_snapshots`], [`accept`]). Tests keep asserting through insta
//! ([`crate::assert_snapshot`]).

use crate::snapshot::{committed_snapshot, snapshot_dir, snapshot_name};
use crate::{Error, ScenarioReport, SnapshotCheck};
use std::path::{Path, PathBuf};

/// What [`review`] found, and the pending file it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// `Matches`, `Differs` or `New` (no snapshot committed).
    pub check: SnapshotCheck,
    /// The `.snap.new` written when the check is not `Matches`.
    pub pending: Option<PathBuf>,
    /// A unified diff, committed → this run, when the check is `Differs` (two lines of
    /// context).
    pub diff: Option<String>,
}

/// A pending snapshot waiting to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Scenario id (`group/name`), from the file's `description:` line.
    pub scenario: String,
    /// Flavor name.
    pub flavor: String,
    /// The `.snap.new` file.
    pub path: PathBuf,
    /// Its body (the rendering), without the header.
    pub body: String,
    /// The committed snapshot's body, `None` for a new scenario.
    pub committed: Option<String>,
}

impl Pending {
    /// A unified diff, committed → pending (`None` for a new snapshot).
    pub fn diff(&self) -> Option<String> {
        self.committed
            .as_deref()
            .map(|old| unified(old, &self.body))
    }
}

/// Compares `report`'s rendering with its committed snapshot and, when they are not equal,
/// writes it as pending; when equal, removes a pending file an earlier run left.
///
/// Errors: [`Error::SnapshotFile`] when the pending file cannot be written or removed.
pub fn review(report: &ScenarioReport) -> Result<Review, Error> {
    let rendered = report.render_snapshot();
    let pending = pending_path(&snapshot_name(report));
    let committed = committed_snapshot(&report.scenario, report.flavor).map(|t| body_of(&t));
    let (check, diff) = match &committed {
        Some(old) if old.trim_end() == rendered.trim_end() => {
            if pending.exists() {
                std::fs::remove_file(&pending).map_err(|source| Error::SnapshotFile {
                    path: pending.clone(),
                    source,
                })?;
            }
            return Ok(Review {
                check: SnapshotCheck::Matches,
                pending: None,
                diff: None,
            });
        }
        Some(old) => (SnapshotCheck::Differs, Some(unified(old, &rendered))),
        None => (SnapshotCheck::New, None),
    };
    let text = format!(
        "---\nsource: crates/harness/src/snapshot.rs\ndescription: {} on {}\n---\n{}\n",
        report.scenario,
        report.flavor,
        rendered.trim_end()
    );
    write(&pending, &text)?;
    Ok(Review {
        check,
        pending: Some(pending),
        diff,
    })
}

/// Every pending snapshot of the project in use, sorted by file name. Errors:
/// [`Error::SnapshotFile`] when the directory or a file cannot be read (a missing directory
/// has none).
pub fn pending_snapshots() -> Result<Vec<Pending>, Error> {
    let dir = snapshot_dir();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::SnapshotFile { path: dir, source }),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".snap.new"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| Error::SnapshotFile {
                path: path.clone(),
                source,
            })?;
            let (scenario, flavor) = described(&text).unwrap_or_else(|| from_name(&path));
            Ok(Pending {
                committed: committed_snapshot(&scenario, &flavor).map(|t| body_of(&t)),
                body: body_of(&text),
                scenario,
                flavor,
                path,
            })
        })
        .collect()
}

/// Moves `pending` into place as the committed snapshot. Errors: [`Error::SnapshotFile`].
pub fn accept(pending: &Pending) -> Result<PathBuf, Error> {
    let target = pending.path.with_extension("");
    std::fs::rename(&pending.path, &target).map_err(|source| Error::SnapshotFile {
        path: target.clone(),
        source,
    })?;
    Ok(target)
}

/// `<snapshots>/<name>.snap.new`.
fn pending_path(name: &str) -> PathBuf {
    snapshot_dir().join(format!("{name}.snap.new"))
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    let fail = |source| Error::SnapshotFile {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    std::fs::write(path, text).map_err(fail)
}

/// A snapshot file's body: what follows its `---` header (the whole text when it has none).
/// [`crate::quick_check`] and [`review`] both compare this with a rendering.
pub(crate) fn body_of(text: &str) -> String {
    match text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
    {
        Some((_, body)) => body.to_owned(),
        None => text.to_owned(),
    }
}

/// `(scenario, flavor)` from the header's `description: <scenario> on <flavor>`.
fn described(text: &str) -> Option<(String, String)> {
    let line = text
        .lines()
        .take(8)
        .find_map(|l| l.strip_prefix("description: "))?;
    let (scenario, flavor) = line.split_once(" on ")?;
    // A scenario report's description is `<id> on <flavor>`; others (the doctor's table, the
    // mode tables) say more and are named by their file name instead.
    (!scenario.contains(char::is_whitespace) && !flavor.contains(char::is_whitespace))
        .then(|| (scenario.to_owned(), flavor.to_owned()))
}

/// `(scenario, flavor)` from a file name `group__name@flavor.snap.new`.
fn from_name(path: &Path) -> (String, String) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".snap.new");
    let (scenario, flavor) = stem.rsplit_once('@').unwrap_or((stem, ""));
    (scenario.replace("__", "/"), flavor.to_owned())
}

fn unified(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old.trim_end(), new.trim_end())
        .unified_diff()
        .context_radius(2)
        .header("committed", "this run")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_gives_scenario_and_flavor_and_the_body_follows_it() {
        let text = "---\nsource: x\ndescription: basic/valid on mysql-9\n---\n# basic/valid\nrow\n";
        assert_eq!(
            described(text),
            Some(("basic/valid".into(), "mysql-9".into()))
        );
        assert_eq!(body_of(text), "# basic/valid\nrow\n");
        assert_eq!(
            described(
                "---\ndescription: \"cargo xtask diagnose against every scenario on mysql-9: x\"\n---\n"
            ),
            None
        );
        assert_eq!(
            from_name(Path::new("/s/basic__valid@mariadb-11.8.snap.new")),
            ("basic/valid".into(), "mariadb-11.8".into())
        );
    }

    #[test]
    fn the_diff_shows_the_changed_row_only_with_context() {
        let old = "a\nb\nc\nd\ne\nf\n";
        let new = "a\nb\nc\nD\ne\nf\n";
        let diff = unified(old, new);
        assert!(diff.contains("-d\n+D"), "{diff}");
        assert!(!diff.contains(" a\n"), "two lines of context: {diff}");
    }
}
