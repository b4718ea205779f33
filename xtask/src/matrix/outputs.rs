//! The report files a matrix run writes (`--json`, `--markdown`, `--junit`, `--html`), the
//! GitHub step summary, and the changes since `--baseline`.

use super::Args;
use anyhow::Context;
use harness::MatrixReport;
use std::io::Write as _;
use std::path::Path;

fn write(path: &Path, what: &str, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing the {what} {}", path.display()))?;
    eprintln!("wrote {what} {}", path.display());
    Ok(())
}

/// Writes every report `args` asks for, appends the Markdown to `$GITHUB_STEP_SUMMARY` when
/// set, and prints (and adds to the Markdown) the changes since `baseline`.
pub fn write_all(
    args: &Args,
    report: &MatrixReport,
    baseline: Option<&MatrixReport>,
) -> anyhow::Result<()> {
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(report).context("encoding the JSON report")?;
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
    if let Some(path) = &args.markdown {
        write(
            path,
            "Markdown report",
            &with_changes(harness::render_markdown(report, true)),
        )?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let text = with_changes(harness::render_step_summary(report));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| {
                format!(
                    "opening $GITHUB_STEP_SUMMARY {}",
                    Path::new(&path).display()
                )
            })?;
        file.write_all(text.as_bytes())
            .context("appending to $GITHUB_STEP_SUMMARY")?;
    }
    if let Some(path) = &args.junit {
        write(path, "JUnit report", &harness::render_junit(report))?;
    }
    if let Some(path) = &args.html {
        write(path, "HTML report", &harness::render_html(report))?;
    }
    Ok(())
}
