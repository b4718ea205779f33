//! The Markdown matrix: a summary, then one table per scenario run (clients × ssl-modes, ✓/✗
//! with the short error), the full outcome text in a `<details>` block. The same text, cut to
//! GitHub's step-summary limit, goes to `$GITHUB_STEP_SUMMARY`.

use super::{CellMark, mark};
use crate::{MatrixReport, RunRecord, ServerState};
use outcome::hidden_char;
use scenario::SslMode;
use std::fmt::Write as _;

/// GitHub refuses step summaries over 1 MiB; stay under it with room for the note.
pub const STEP_SUMMARY_LIMIT: usize = 1_000_000;

/// The whole matrix as Markdown. With `details`, each run's full outcome texts follow its
/// table in a collapsed block.
pub fn render_markdown(report: &MatrixReport, details: bool) -> String {
    let mut out = summary(report);
    for run in &report.runs {
        out.push_str(&run_section(run, details));
    }
    out
}

/// [`render_markdown`] for `$GITHUB_STEP_SUMMARY`: without details when the full form is too
/// long, and cut at a run boundary (with a note) to stay under [`STEP_SUMMARY_LIMIT`].
pub fn render_step_summary(report: &MatrixReport) -> String {
    let full = render_markdown(report, true);
    if full.len() <= STEP_SUMMARY_LIMIT {
        return full;
    }
    let mut out = summary(report);
    let note = "\n_Cut to fit GitHub's step-summary limit; the full report is in the artifacts._\n";
    for (shown, run) in report.runs.iter().enumerate() {
        let section = run_section(run, false);
        if out.len() + section.len() + note.len() + 64 > STEP_SUMMARY_LIMIT {
            let _ = writeln!(
                out,
                "{note}({shown} of {} scenario runs shown)",
                report.runs.len()
            );
            return out;
        }
        out.push_str(&section);
    }
    out
}

/// The ssl-mode contract's part of the summary: insecure violations first (unreviewed ones
/// before reviewed ones, each with its explanation and upstream report), then the scorecard.
fn contract_section(report: &MatrixReport) -> String {
    let insecure: Vec<(&RunRecord, &crate::Cell)> = super::insecure_cells(report);
    if report.cells().all(|(_, c)| c.verdict.is_none()) {
        return String::new();
    }
    let mut out = format!(
        "## ssl-mode contract\n\n**Insecure violations: {}** ({} unreviewed) — a client connected where its ssl-mode promises a refusal.\n\n",
        insecure.len(),
        insecure
            .iter()
            .filter(|(_, c)| c.unreviewed_insecure())
            .count()
    );
    for (run, cell) in &insecure {
        let why = cell.insecure_text().unwrap_or_default();
        let review = if cell.reviewed.is_some() {
            format!(" — {}", escape(&cell.review_note()))
        } else {
            " — **UNREVIEWED** (add it to snapshots/violations.toml once explained)".to_owned()
        };
        let _ = writeln!(
            out,
            "- ⛔ `{}` on {} · {} · {} · {}{review}",
            run.scenario,
            run.flavor,
            cell.client,
            cell.ssl_mode,
            escape(&why)
        );
    }
    out.push_str("\n### Scorecard\n\n");
    out.push_str(&crate::scorecard(report).to_markdown());
    out.push('\n');
    out
}

fn summary(report: &MatrixReport) -> String {
    let cells = report.cells().count();
    let connected = report.cells().filter(|(_, c)| c.connected()).count();
    let differs: Vec<&RunRecord> = report
        .runs
        .iter()
        .filter(|r| r.snapshot == "differs")
        .collect();
    let mut out = format!(
        "# MySQL TLS matrix\n\n{} scenario run(s), {cells} cells ({connected} connected), {} snapshot mismatch(es), {} harness fault(s); {} path, {:.1} s{}.\n\n",
        report.runs.len(),
        differs.len(),
        report.faults.len(),
        report.run.path,
        report.run.took_ms as f64 / 1e3,
        report
            .run
            .shard
            .as_ref()
            .map(|s| format!(", shard {s}"))
            .unwrap_or_default(),
    );
    out.push_str(&contract_section(report));
    out.push_str("Legend: ✓ connected (TLS version, or `plain` without TLS) · ✗ failed (class, error code) · ⌛ hang · – no such mode in this client · ⛔ insecure violation of the ssl-mode contract.\n\n");
    if !differs.is_empty() {
        out.push_str("**Snapshot mismatches** (pending `.snap.new` files: `cargo xtask accept` shows and accepts them):\n\n");
        for run in differs {
            let _ = writeln!(out, "- `{}` on {}", run.scenario, run.flavor);
        }
        out.push('\n');
    }
    for fault in &report.faults {
        let _ = writeln!(
            out,
            "- **harness fault** `{}` on {}: {}",
            fault.scenario,
            fault.flavor,
            escape(&fault.error)
        );
    }
    out
}

fn run_section(run: &RunRecord, details: bool) -> String {
    let verdict = match run.snapshot.as_str() {
        "matches" => "✓ snapshot",
        "differs" => "✗ snapshot DIFFERS",
        _ => "snapshot not compared",
    };
    let mut out = format!(
        "## {} · {} · {verdict}\n\n{}\n\n",
        run.scenario,
        run.flavor,
        escape(&run.description)
    );
    let server = match &run.server {
        ServerState::Ready {
            tls_enabled: true, ..
        } => "TLS enabled".to_owned(),
        ServerState::Ready { .. } => "TLS DISABLED".to_owned(),
        ServerState::FailedToStart { exit_code, .. } => format!(
            "FAILED TO START (exit {})",
            exit_code.map_or("?".to_owned(), |c| c.to_string())
        ),
    };
    let version = if run.server_version.is_empty() {
        String::new()
    } else {
        format!(" {}", run.server_version)
    };
    let _ = writeln!(out, "Server: {}{} · {server}", run.flavor, escape(&version));
    if let Some(reload) = &run.reload {
        let _ = writeln!(
            out,
            " · reload `{}`: {}",
            reload.statement,
            reload
                .refused
                .as_deref()
                .map_or("accepted".to_owned(), |e| format!("refused: {}", escape(e)))
        );
    }
    if let Some(reported) = &run.reported {
        let _ = writeln!(
            out,
            " · reported \"{}\" → {}",
            escape(reported),
            escape(run.reproduction.as_deref().unwrap_or("NOT reproduced"))
        );
    }
    out.push('\n');
    if run.cells.is_empty() {
        if let ServerState::FailedToStart { log, .. } = &run.server {
            out.push_str("No client could connect. Server log:\n\n");
            for line in log.iter().take(10) {
                let _ = writeln!(out, "- {}", escape(line));
            }
            out.push('\n');
        }
        return out;
    }
    let modes: Vec<SslMode> = SslMode::ALL
        .into_iter()
        .filter(|m| run.cells.iter().any(|c| c.ssl_mode == *m))
        .collect();
    out.push_str("| client |");
    for m in &modes {
        let _ = write!(out, " {m} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(modes.len()));
    out.push('\n');
    let mut clients: Vec<&str> = Vec::new();
    for c in &run.cells {
        if !clients.contains(&c.client.as_str()) {
            clients.push(&c.client);
        }
    }
    for client in clients {
        let _ = write!(out, "| {client} |");
        for m in &modes {
            let cell = run
                .cells
                .iter()
                .find(|c| c.client == client && c.ssl_mode == *m);
            let text = cell.map_or(String::new(), |c| {
                let changed = if c.snapshot_expected.is_some() {
                    " ⚠"
                } else {
                    ""
                };
                let insecure = if c.is_insecure() { " ⛔" } else { "" };
                format!("{}{insecure}{changed}", escape(&short(&mark(c))))
            });
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    if details {
        let interposed = run.cells.iter().any(|c| c.interposer.is_some());
        out.push_str(if interposed {
            "\n<details><summary>Full outcomes</summary>\n\n| client | ssl-mode | outcome | verdict | ms | interposer saw |\n|---|---|---|---|---|---|\n"
        } else {
            "\n<details><summary>Full outcomes</summary>\n\n| client | ssl-mode | outcome | verdict | ms |\n|---|---|---|---|---|\n"
        });
        for c in &run.cells {
            let expected = c
                .snapshot_expected
                .as_deref()
                .map(|e| format!(" (snapshot: {})", escape(e)))
                .unwrap_or_default();
            let verdict = c
                .verdict
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let _ = write!(
                out,
                "| {} | {} | {}{expected} | {} | {} |",
                c.client,
                c.ssl_mode,
                escape(&c.text),
                escape(&verdict),
                c.took_ms
            );
            if interposed {
                let seen = c.interposer.as_ref().map_or(String::new(), |s| {
                    let late = if s.outlived_timeout == Some(true) {
                        "; OUTLIVED its connect timeout"
                    } else {
                        ""
                    };
                    format!("{}{late}", s.summary)
                });
                let _ = write!(out, " {} |", escape(&seen));
            }
            out.push('\n');
        }
        out.push_str("\n</details>\n");
    }
    out.push('\n');
    out
}

/// `✓ TLSv1.3`, `✗ verification 2026`, `⌛ hang`, `–`.
fn short(mark: &CellMark) -> String {
    match mark {
        CellMark::Tls(version) => format!("✓ {version}"),
        CellMark::Plain => "✓ plain".to_owned(),
        CellMark::Failed { class, code } => match code {
            Some(code) => format!("✗ {class} {code}"),
            None => format!("✗ {class}"),
        },
        CellMark::Hang => "⌛ hang".to_owned(),
        CellMark::Unsupported => "–".to_owned(),
    }
}

/// `text` as inert Markdown on one line (a table cell, a list item, a paragraph): line breaks
/// (`\n`, `\r`, NEL, U+2028/U+2029) become spaces so no new row or block starts; `<`, `>`, `&`
/// become entities so no HTML tag, comment or entity is read; `\`, `` ` ``, `|`, `*`, `~`, `[`
/// and `]` are backslash-escaped so no code span, column, emphasis, link or image is made;
/// the other [`hidden_char`]s are written visibly (`\u{1b}`). GitHub renders the result as the
/// original text.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '|' | '*' | '~' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c if hidden_char(c) => {
                out.push_str(&c.escape_default().to_string().replace('\\', "\\\\"))
            }
            c => out.push(c),
        }
    }
    out
}
