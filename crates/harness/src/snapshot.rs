//! Snapshot checking with insta against the top-level `snapshots/` directory, one file per
//! scenario and flavor (`snapshots/<group>__<name>@<flavor>.snap`). Both the test suite and
//! `cargo xtask matrix` go through here, so the snapshot header is the same for both.

use crate::ScenarioReport;
use std::{panic::AssertUnwindSafe, path::PathBuf};

/// Result of comparing a report to its committed snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotCheck {
    /// The rendering equals the committed snapshot.
    Matches,
    /// It differs (through insta: also when no snapshot exists, insta printing the diff and,
    /// outside CI, writing a `.snap.new`).
    Differs,
    /// No snapshot is committed: a new scenario, its rendering pending review
    /// ([`crate::review_snapshot`] only).
    New,
}

/// Snapshot file stem for a report: `basic/expired-server-cert` on `mysql-9` →
/// `basic__expired-server-cert@mysql-9`.
pub fn snapshot_name(report: &ScenarioReport) -> String {
    format!("{}@{}", report.scenario.replace('/', "__"), report.flavor)
}

/// The snapshots directory of the project in use ([`crate::project`]).
pub(crate) fn snapshot_dir() -> PathBuf {
    crate::project().snapshots.clone()
}

/// The reviewed insecure violations committed beside the snapshots
/// (`snapshots/violations.toml`, [`verdict::REVIEWED_FILE`]); a missing file is an empty list.
///
/// Errors: the file cannot be read or parsed (the message names the file and the fields).
pub fn reviewed_violations() -> Result<verdict::Reviewed, verdict::ReviewedError> {
    verdict::Reviewed::load(&snapshot_dir().join(verdict::REVIEWED_FILE))
}

/// Where [`reviewed_violations`] reads, for messages.
pub fn reviewed_violations_path() -> PathBuf {
    snapshot_dir().join(verdict::REVIEWED_FILE)
}

/// The committed snapshot file of `scenario` (id) on `flavor` (name), if any, as text.
pub fn committed_snapshot(scenario: &str, flavor: &str) -> Option<String> {
    let name = format!("{}@{flavor}.snap", scenario.replace('/', "__"));
    std::fs::read_to_string(snapshot_dir().join(name)).ok()
}

/// The `(client, ssl-mode, outcome text)` rows of a snapshot's table, in order (cell escapes
/// undone: `\|` is `|`; newlines were rendered as spaces; the verdict column left out).
pub fn snapshot_cells(text: &str) -> Vec<(String, String, String)> {
    // Columns after the outcome: the verdict in a judged snapshot, and what the interposer
    // saw behind an `[attack]` or `[fault]` (never an unescaped ` | ` in either).
    let after_outcome = text
        .lines()
        .find(|l| l.starts_with("| client | ssl-mode | outcome |"))
        .map_or(0, |header| header.matches(" | ").count().saturating_sub(2));
    text.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| {
            let mut parts = l.splitn(3, " | ");
            let client = parts.next()?.to_owned();
            let mode = parts.next()?.to_owned();
            let rest = parts.next()?.strip_suffix(" |")?;
            let mut outcome = rest;
            for _ in 0..after_outcome {
                outcome = outcome.rsplit_once(" | ").map_or(outcome, |(o, _)| o);
            }
            let outcome = outcome.replace("\\|", "|");
            (client != "client").then_some((client, mode, outcome))
        })
        .collect()
}

/// The report's cells compared with the committed snapshot's rows, silently: `Matches` when
/// every cell of a client the snapshot has equals its row; `None` when no snapshot is committed
/// or it has none of the report's clients (e.g. a user's own driver). For runs that select
/// clients or ssl-modes (a subset of the snapshot's rows); the header is not compared.
pub fn check_cells(report: &ScenarioReport) -> Option<SnapshotCheck> {
    let committed = snapshot_cells(&committed_snapshot(&report.scenario, report.flavor)?);
    let comparable: Vec<_> = report
        .rows
        .iter()
        .filter(|row| committed.iter().any(|(c, _, _)| *c == row.client))
        .collect();
    if comparable.is_empty() {
        return None;
    }
    let same = comparable.iter().all(|row| {
        let text = row.outcome.to_string().replace('\n', " ");
        committed
            .iter()
            .any(|(c, m, o)| *c == row.client && m == row.ssl_mode.as_str() && *o == text)
    });
    Some(if same {
        SnapshotCheck::Matches
    } else {
        SnapshotCheck::Differs
    })
}

/// The whole rendering compared with the committed snapshot's body, silently (no diff printed,
/// no `.snap.new` written): `None` when no snapshot is committed. For `--fail-fast` decisions;
/// the printed verdict comes from [`check_snapshot`].
pub fn quick_check(report: &ScenarioReport) -> Option<SnapshotCheck> {
    let text = committed_snapshot(&report.scenario, report.flavor)?;
    let body = crate::pending::body_of(&text);
    Some(if body.trim_end() == report.render_snapshot().trim_end() {
        SnapshotCheck::Matches
    } else {
        SnapshotCheck::Differs
    })
}

/// Whether `snapshots/<snapshot_name>.snap` is committed for this report.
pub fn snapshot_exists(report: &ScenarioReport) -> bool {
    snapshot_dir()
        .join(format!("{}.snap", snapshot_name(report)))
        .exists()
}

/// Asserts the report against its snapshot; panics with insta's diff on mismatch (for tests).
pub fn assert_snapshot(report: &ScenarioReport) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("{} on {}", report.scenario, report.flavor));
    settings.bind(|| insta::assert_snapshot!(snapshot_name(report), report.render_snapshot()));
}

/// Asserts `body` against `snapshots/<name>.snap` (for snapshots that are not scenario
/// reports, e.g. `drivers__ssl_mode_tables`); panics with insta's diff on mismatch.
pub fn assert_named_snapshot(name: &str, description: &str, body: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(description);
    settings.bind(|| insta::assert_snapshot!(name, body));
}

/// Like [`assert_snapshot`] but returns the verdict instead of panicking (for the matrix CLI).
/// insta has already printed the diff when it panics, so the panic message and backtrace are
/// silenced for the duration of the check.
pub fn check_snapshot(report: &ScenarioReport) -> SnapshotCheck {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| assert_snapshot(report)));
    std::panic::set_hook(previous);
    match result {
        Ok(()) => SnapshotCheck::Matches,
        Err(_) => SnapshotCheck::Differs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Row, ServerState};
    use outcome::{FailureKind, Outcome, TlsInfo};
    use rstest::rstest;
    use scenario::SslMode;
    use std::time::Duration;

    /// What every TLS cell of `basic/valid` on `mysql-9` shows in its committed snapshot.
    fn tls13() -> Outcome {
        Outcome::Connected {
            tls: Some(TlsInfo {
                version: "TLSv1.3".into(),
                cipher: "TLS_AES_128_GCM_SHA256".into(),
            }),
        }
    }

    fn row(client: &str, ssl_mode: SslMode, outcome: Outcome) -> Row {
        Row {
            client: client.into(),
            ssl_mode,
            outcome,
            took: Duration::from_millis(5),
            seen: None,
        }
    }

    fn report(scenario: &str, flavor: &'static str, rows: Vec<Row>) -> ScenarioReport {
        ScenarioReport {
            scenario: scenario.into(),
            description: "test".into(),
            reported: None,
            flavor,
            server_version: "9.0.0-test".into(),
            boot_time: Duration::ZERO,
            client_versions: Vec::new(),
            start_costs: Vec::new(),
            server: ServerState::Ready {
                tls_enabled: true,
                log: Vec::new(),
            },
            reload: None,
            auth_note: "",
            rows,
            reused_server: false,
            facts: None,
        }
    }

    /// The `mysql-cli` rows of `snapshots/basic__valid@mysql-9.snap`.
    fn mysql_cli_on_valid() -> Vec<Row> {
        SslMode::ALL
            .into_iter()
            .map(|mode| {
                let outcome = if mode == SslMode::Disabled {
                    Outcome::Connected { tls: None }
                } else {
                    tls13()
                };
                row("mysql-cli", mode, outcome)
            })
            .collect()
    }

    #[rstest]
    #[case::grouped(
        "basic/expired-server-cert",
        "mysql-9",
        "basic__expired-server-cert@mysql-9"
    )]
    #[case::mariadb(
        "reload/renewed-same-ca",
        "mariadb-11.8",
        "reload__renewed-same-ca@mariadb-11.8"
    )]
    #[case::user_image_flavor("reports/x", "mysql-8.0.28", "reports__x@mysql-8.0.28")]
    fn snapshot_name_replaces_the_group_slash_and_appends_the_flavor(
        #[case] scenario: &str,
        #[case] flavor: &'static str,
        #[case] expected: &str,
    ) {
        assert_eq!(
            snapshot_name(&report(scenario, flavor, Vec::new())),
            expected
        );
    }

    #[test]
    fn snapshot_cells_reads_table_rows_in_order_skipping_header_and_separator() {
        let text = "---\nsource: x\n---\n# g/n\n| not a row\nserver: mysql-9 · TLS enabled\n\n\
                    | client | ssl-mode | outcome |\n|---|---|---|\n\
                    | mysql-cli | DISABLED | connected · no TLS |\n\
                    | pymysql | VERIFY_CA | failed · verification · 2026 (HY000) · bad |\n";
        assert_eq!(
            snapshot_cells(text),
            [
                (
                    "mysql-cli".to_owned(),
                    "DISABLED".to_owned(),
                    "connected · no TLS".to_owned()
                ),
                (
                    "pymysql".to_owned(),
                    "VERIFY_CA".to_owned(),
                    "failed · verification · 2026 (HY000) · bad".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn snapshot_cells_undoes_escaped_pipes_in_the_outcome() {
        let text = "| go | REQUIRED | failed · other · go · a \\| b |\n";
        assert_eq!(
            snapshot_cells(text),
            [(
                "go".to_owned(),
                "REQUIRED".to_owned(),
                "failed · other · go · a | b".to_owned()
            )]
        );
    }

    #[test]
    fn snapshot_cells_round_trips_a_rendered_report() {
        let mut rows = mysql_cli_on_valid();
        rows.push(row(
            "odd-driver",
            SslMode::Required,
            Outcome::Failed {
                code: None,
                sqlstate: None,
                message: "a | b\nsecond line".into(),
                kind: FailureKind::Other,
                raw_type: "E".into(),
            },
        ));
        let report = report("basic/valid", "mysql-9", rows);
        let cells = snapshot_cells(&report.render_snapshot());
        let expected: Vec<(String, String, String)> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.client.clone(),
                    r.ssl_mode.to_string(),
                    r.outcome.to_string().replace('\n', " "),
                )
            })
            .collect();
        assert_eq!(cells, expected);
    }

    #[test]
    fn a_committed_snapshot_has_a_row_per_mode_for_each_cli() {
        let text = committed_snapshot("basic/valid", "mysql-9").expect("committed snapshot");
        let cells = snapshot_cells(&text);
        for client in ["mysql-cli", "mariadb-cli"] {
            let modes: Vec<&str> = cells
                .iter()
                .filter(|(c, _, _)| c == client)
                .map(|(_, m, _)| m.as_str())
                .collect();
            assert_eq!(
                modes,
                SslMode::ALL.map(SslMode::as_str),
                "{client} rows of basic/valid@mysql-9"
            );
        }
        assert_eq!(
            cells[0],
            (
                "mysql-cli".to_owned(),
                "DISABLED".to_owned(),
                "connected · no TLS".to_owned()
            )
        );
    }

    #[test]
    fn committed_snapshot_is_none_for_an_unknown_flavor_or_scenario() {
        assert!(committed_snapshot("basic/valid", "mysql-8.0.28").is_none());
        assert!(committed_snapshot("basic/no-such-scenario", "mysql-9").is_none());
        assert!(committed_snapshot("basic/valid", "mysql-9").is_some());
    }

    #[test]
    fn check_cells_matches_when_every_selected_row_equals_the_committed_one() {
        let report = report("basic/valid", "mysql-9", mysql_cli_on_valid());
        assert_eq!(check_cells(&report), Some(SnapshotCheck::Matches));
    }

    #[test]
    fn check_cells_matches_a_subset_of_clients_and_modes() {
        let report = report(
            "basic/valid",
            "mysql-9",
            vec![
                row("mysql-cli", SslMode::VerifyIdentity, tls13()),
                row(
                    "mariadb-cli",
                    SslMode::Disabled,
                    Outcome::Connected { tls: None },
                ),
            ],
        );
        assert_eq!(check_cells(&report), Some(SnapshotCheck::Matches));
    }

    #[test]
    fn check_cells_compares_unsupported_cells_by_their_reason() {
        let reason = match clients::MARIADB_CLI.mode(SslMode::VerifyCa) {
            clients::ModeArgs::Unsupported(reason) => reason.to_owned(),
            _ => panic!("mariadb-cli has no VERIFY_CA"),
        };
        let ok = report(
            "basic/valid",
            "mysql-9",
            vec![row(
                "mariadb-cli",
                SslMode::VerifyCa,
                Outcome::Unsupported { reason },
            )],
        );
        assert_eq!(check_cells(&ok), Some(SnapshotCheck::Matches));
        let reworded = report(
            "basic/valid",
            "mysql-9",
            vec![row(
                "mariadb-cli",
                SslMode::VerifyCa,
                Outcome::Unsupported {
                    reason: "reworded".into(),
                },
            )],
        );
        assert_eq!(check_cells(&reworded), Some(SnapshotCheck::Differs));
    }

    #[rstest]
    #[case::failed_instead_of_connected(
        SslMode::VerifyIdentity,
        Outcome::Failed {
            code: Some(2026),
            sqlstate: Some("HY000".into()),
            message: "SSL connection error: certificate verify failed".into(),
            kind: FailureKind::Verification,
            raw_type: "mysql CLI exit 1".into(),
        }
    )]
    #[case::plaintext_instead_of_tls(SslMode::Required, Outcome::Connected { tls: None })]
    #[case::tls_where_disabled(SslMode::Disabled, tls13())]
    #[case::other_cipher(
        SslMode::VerifyCa,
        Outcome::Connected {
            tls: Some(TlsInfo { version: "TLSv1.3".into(), cipher: "TLS_AES_256_GCM_SHA384".into() })
        }
    )]
    #[case::hang(SslMode::Preferred, Outcome::Hang { after_ms: 10_000 })]
    fn check_cells_differs_when_one_row_differs(#[case] mode: SslMode, #[case] outcome: Outcome) {
        let rows = mysql_cli_on_valid()
            .into_iter()
            .map(|r| {
                if r.ssl_mode == mode {
                    row("mysql-cli", mode, outcome.clone())
                } else {
                    r
                }
            })
            .collect();
        let report = report("basic/valid", "mysql-9", rows);
        assert_eq!(check_cells(&report), Some(SnapshotCheck::Differs));
    }

    #[test]
    fn check_cells_ignores_clients_the_snapshot_does_not_have() {
        let mut rows = mysql_cli_on_valid();
        rows.push(row(
            "my-own-driver",
            SslMode::Required,
            Outcome::Hang { after_ms: 1 },
        ));
        let report = report("basic/valid", "mysql-9", rows);
        assert_eq!(check_cells(&report), Some(SnapshotCheck::Matches));
    }

    #[test]
    fn check_cells_is_none_when_the_snapshot_has_none_of_the_reports_clients() {
        let report = report(
            "basic/valid",
            "mysql-9",
            vec![row("my-own-driver", SslMode::Required, tls13())],
        );
        assert_eq!(check_cells(&report), None);
    }

    #[rstest]
    #[case::user_image_flavor("basic/valid", "mysql-8.0.28")]
    #[case::unknown_scenario("basic/no-such-scenario", "mysql-9")]
    fn check_cells_is_none_without_a_committed_snapshot(
        #[case] scenario: &str,
        #[case] flavor: &'static str,
    ) {
        let report = report(scenario, flavor, mysql_cli_on_valid());
        assert_eq!(check_cells(&report), None);
    }

    #[test]
    fn quick_check_compares_the_whole_rendering_and_is_none_without_a_snapshot() {
        // The mysql-cli rows alone are a different rendering from the committed one.
        let partial = report("basic/valid", "mysql-9", mysql_cli_on_valid());
        assert_eq!(quick_check(&partial), Some(SnapshotCheck::Differs));
        let elsewhere = report("basic/valid", "mysql-8.0.28", mysql_cli_on_valid());
        assert_eq!(quick_check(&elsewhere), None);
        assert!(snapshot_exists(&partial));
        assert!(!snapshot_exists(&elsewhere));
    }
}
