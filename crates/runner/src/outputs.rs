//! The report files a matrix run writes (`--json`, `--markdown`, `--junit`, `--html`), the
//! GitHub step summary, and the changes since `--baseline`. Rendering is the harness's
//! reporters' (`harness::render_*`); this module only decides what goes where.

use crate::Error;
use harness::MatrixReport;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Which report files to write; `None` writes nothing of that kind.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// The machine-readable report (schema: `crates/harness/report.schema.json`).
    pub json: Option<PathBuf>,
    /// The Markdown matrix (also appended to `$GITHUB_STEP_SUMMARY` when that is set).
    pub markdown: Option<PathBuf>,
    /// JUnit XML, one test case per cell.
    pub junit: Option<PathBuf>,
    /// Self-contained HTML page.
    pub html: Option<PathBuf>,
    /// An earlier JSON report to print the changed cells against.
    pub baseline: Option<PathBuf>,
}

fn write(path: &Path, what: &str, text: &str) -> Result<(), Error> {
    let io = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)?;
    eprintln!("wrote {what} {}", path.display());
    Ok(())
}

impl Outputs {
    /// Reads the `--baseline` report, if one is named. Errors: [`Error::Baseline`].
    pub fn read_baseline(&self) -> Result<Option<MatrixReport>, Error> {
        self.baseline
            .as_ref()
            .map(|path| {
                MatrixReport::read(path).map_err(|detail| Error::Baseline {
                    path: path.clone(),
                    detail,
                })
            })
            .transpose()
    }

    /// Writes every report asked for, appends the Markdown to `$GITHUB_STEP_SUMMARY` when set,
    /// and prints (and adds to the Markdown) the changes since `baseline`.
    ///
    /// Errors: [`Error::Write`] naming the file that could not be written.
    pub fn write_all(
        &self,
        report: &MatrixReport,
        baseline: Option<&MatrixReport>,
    ) -> Result<(), Error> {
        if let Some(path) = &self.json {
            let text = serde_json::to_string_pretty(report).map_err(|e| Error::Write {
                path: path.clone(),
                source: e.into(),
            })?;
            write(path, "JSON report", &(text + "\n"))?;
        }
        let changes = baseline.map(|b| {
            let changes = harness::changes_since(b, report);
            harness::render_changes(&changes, b, report)
        });
        if let Some(changes) = &changes {
            println!("{changes}");
        }
        let with_changes = |markdown: String| match &changes {
            Some(c) => format!("{c}\n{markdown}"),
            None => markdown,
        };
        if let Some(path) = &self.markdown {
            write(
                path,
                "Markdown report",
                &with_changes(harness::render_markdown(report, true)),
            )?;
        }
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            let text = with_changes(harness::render_step_summary(report));
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut file| file.write_all(text.as_bytes()))
                .map_err(|source| Error::Write { path, source })?;
        }
        if let Some(path) = &self.junit {
            write(path, "JUnit report", &harness::render_junit(report))?;
        }
        if let Some(path) = &self.html {
            write(path, "HTML report", &harness::render_html(report))?;
        }
        Ok(())
    }
}
