//! JUnit XML: one `<testsuite>` per scenario run, one `<testcase>` per cell (client ×
//! ssl-mode) plus one for the server. A cell fails when it differs from the committed snapshot
//! — a driver refusing a certificate is data, not a failure — and a harness fault is an
//! `<error>`. CI systems show the outcome text as the test's output. A last suite, `ssl-mode
//! contract`, has one case per client × ssl-mode that fails with its insecure violations.

use crate::{MatrixReport, RunRecord, ServerState};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The report as JUnit XML (the schema Jenkins/GitLab/GitHub test reporters read), written by
/// quick-junit (nextest's serializer: escaping and counts are its); outcome, server and fault
/// text goes through [`xml_text`] first.
pub fn render_junit(report: &MatrixReport) -> String {
    let mut junit = Report::new("mysql-tls-matrix");
    junit.set_time(Duration::from_millis(report.run.took_ms));
    for run in &report.runs {
        let suite_name = format!("{}@{}", run.scenario, run.flavor);
        let mut suite = TestSuite::new(suite_name.as_str());
        suite.set_time(Duration::from_millis(
            run.cells.iter().map(|c| c.took_ms).sum(),
        ));
        let header_differs =
            run.snapshot == "differs" && run.cells.iter().all(|c| c.snapshot_expected.is_none());
        let status = if header_differs {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message("snapshot differs (server state, log or reproduction verdict)")
                .set_description("show and accept the pending snapshot with `cargo xtask accept`");
            status
        } else {
            TestCaseStatus::success()
        };
        let mut server = TestCase::new("server", status);
        server
            .set_classname(suite_name.as_str())
            .set_time(Duration::from_millis(run.boot_ms))
            .set_system_out(xml_text(&server_text(run)));
        suite.add_test_case(server);
        for cell in &run.cells {
            let status = match &cell.snapshot_expected {
                Some(expected) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status
                        .set_message("differs from the snapshot")
                        .set_description(xml_text(&format!(
                            "snapshot: {expected}\nnow:      {}",
                            cell.text
                        )));
                    status
                }
                None => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(format!("{} {}", cell.client, cell.ssl_mode), status);
            case.set_classname(suite_name.as_str())
                .set_time(Duration::from_millis(cell.took_ms))
                .set_system_out(xml_text(&cell.text));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if let Some(suite) = contract_suite(report) {
        junit.add_test_suite(suite);
    }
    if !report.faults.is_empty() {
        let mut suite = TestSuite::new("harness faults");
        for fault in &report.faults {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message("harness fault")
                .set_description(xml_text(&fault.error));
            let mut case = TestCase::new("run", status);
            case.set_classname(format!("{}@{}", fault.scenario, fault.flavor));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- JUnit serialization failed: {e} -->\n"))
}

/// The ssl-mode contract as tests: one case per client × ssl-mode (over every flavor), failing
/// with its insecure violations (each with its reviewed explanation, or UNREVIEWED); the
/// verdict counts as its output. `None` when no cell was judged.
fn contract_suite(report: &MatrixReport) -> Option<TestSuite> {
    let mut keys: Vec<(String, scenario::SslMode)> = Vec::new();
    for (_, cell) in report.cells().filter(|(_, c)| c.verdict.is_some()) {
        let key = (cell.client.clone(), cell.ssl_mode);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        return None;
    }
    let mut suite = TestSuite::new("ssl-mode contract");
    for (client, mode) in keys {
        let cells: Vec<(&RunRecord, &crate::Cell)> = report
            .cells()
            .filter(|(_, c)| c.client == client && c.ssl_mode == mode)
            .collect();
        let mut tally = verdict::Tally::default();
        for (_, c) in &cells {
            if let Some(v) = &c.verdict {
                tally.add(v);
            }
        }
        let insecure: Vec<String> = cells
            .iter()
            .filter_map(|(run, c)| {
                let text = c.insecure_text()?;
                Some(format!(
                    "{}@{}: {text} — {}",
                    run.scenario,
                    run.flavor,
                    c.review_note()
                ))
            })
            .collect();
        let status = if insecure.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(format!(
                    "{} insecure violation(s) of the {mode} promise",
                    insecure.len()
                ))
                .set_description(xml_text(&insecure.join("\n")));
            status
        };
        let mut case = TestCase::new(format!("{client} {mode}"), status);
        case.set_classname("ssl-mode contract")
            .set_system_out(format!(
                "conforms {} · insecure {} · strict {} · policy {} · not applicable {}",
                tally.conforms, tally.insecure, tally.strict, tally.policy, tally.not_applicable
            ));
        suite.add_test_case(case);
    }
    Some(suite)
}

fn server_text(run: &RunRecord) -> String {
    match &run.server {
        ServerState::Ready { tls_enabled, log } => format!(
            "{} {}: ready, TLS {}\n{}",
            run.flavor,
            run.server_version,
            if *tls_enabled { "enabled" } else { "DISABLED" },
            log.join("\n")
        ),
        ServerState::FailedToStart { exit_code, log } => format!(
            "{}: FAILED TO START (exit {})\n{}",
            run.flavor,
            exit_code.map_or("?".to_owned(), |c| c.to_string()),
            log.join("\n")
        ),
    }
}

/// `text` for a JUnit field, every [`outcome::hidden_char`] written visibly (`\u{1b}`). Left to
/// quick-junit, ANSI escapes would be stripped — with an unterminated sequence (`\x1b]8;;`),
/// the text after it too — and U+FFFE/U+FFFF would be written raw, which no XML parser reads.
fn xml_text(text: &str) -> String {
    outcome::visible(text)
}
