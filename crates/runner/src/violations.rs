//! Insecure violations of the ssl-mode contract that nobody has reviewed: listed after the
//! tables, counted against `--fail-on insecure`, and, with `--baseline`, only those the
//! baseline did not already have.

use harness::MatrixReport;

/// One unreviewed insecure violation: where it happened and what broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInsecure {
    /// Scenario id.
    pub scenario: String,
    /// Flavor name.
    pub flavor: String,
    /// Client name.
    pub client: String,
    /// ssl-mode as MySQL spells it.
    pub ssl_mode: String,
    /// The promise broken and what happened, e.g. `name: connected with TLS although …`.
    pub what: String,
}

impl std::fmt::Display for NewInsecure {
    /// `basic/san-mismatch @ mysql-9 · node-mysql · VERIFY_IDENTITY · name: …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} @ {} · {} · {} · {}",
            self.scenario, self.flavor, self.client, self.ssl_mode, self.what
        )
    }
}

/// The cells of `report` that are insecure violations with no reviewed explanation, minus
/// those `baseline` already had as insecure (same scenario, flavor, client and mode).
pub fn new_insecure(report: &MatrixReport, baseline: Option<&MatrixReport>) -> Vec<NewInsecure> {
    let known_before = |run: &harness::RunRecord, cell: &harness::Cell| {
        baseline.is_some_and(|b| {
            b.cells().any(|(r, c)| {
                r.scenario == run.scenario
                    && r.flavor == run.flavor
                    && c.client == cell.client
                    && c.ssl_mode == cell.ssl_mode
                    && matches!(c.verdict, Some(verdict::Verdict::Insecure { .. }))
            })
        })
    };
    report
        .cells()
        .filter(|(run, cell)| cell.unreviewed_insecure() && !known_before(run, cell))
        .map(|(run, cell)| NewInsecure {
            scenario: run.scenario.clone(),
            flavor: run.flavor.clone(),
            client: cell.client.clone(),
            ssl_mode: cell.ssl_mode.to_string(),
            what: cell.insecure_text().unwrap_or_default(),
        })
        .collect()
}

/// Prints the scorecard, then the unreviewed insecure violations with how to review them.
pub fn print(report: &MatrixReport, new: &[NewInsecure], against_baseline: bool) {
    println!("## Scorecard\n{}", harness::scorecard(report).to_markdown());
    let reviewed = report
        .cells()
        .filter(|(_, c)| matches!(c.verdict, Some(verdict::Verdict::Insecure { .. })))
        .count()
        - report
            .cells()
            .filter(|(_, c)| c.unreviewed_insecure())
            .count();
    if new.is_empty() {
        println!(
            "insecure violations: none unreviewed ({reviewed} reviewed in {})\n",
            harness::reviewed_violations_path().display()
        );
        return;
    }
    let since = if against_baseline {
        " (new since the baseline)"
    } else {
        ""
    };
    println!("## UNREVIEWED INSECURE VIOLATIONS{since}: {}\n", new.len());
    for v in new {
        println!("- {}", crate::terminal::terminal_safe(&v.to_string()));
    }
    println!(
        "\nEach is a client that connected where its ssl-mode promises a refusal. Review it: if \
         the client really does this, add a [[violation]] to {} (client, ssl_mode, broken, \
         scenarios, why, upstream); if the facts are wrong, fix the scenario or its [facts].\n",
        harness::reviewed_violations_path().display()
    );
}

#[cfg(test)]
mod tests {
    use super::new_insecure;
    use harness::{Cell, MatrixReport, Reviewed, RunInfo, RunRecord, ServerState};
    use outcome::Outcome;
    use scenario::SslMode;
    use verdict::{Broken, Verdict};

    fn report(verdict: Verdict, reviewed: Option<Reviewed>) -> MatrixReport {
        let outcome = Outcome::Connected { tls: None };
        MatrixReport {
            format: harness::REPORT_FORMAT,
            run: RunInfo {
                started_at: String::new(),
                took_ms: 0,
                path: "fast".into(),
                jobs: 1,
                cell_timeout_ms: 10_000,
                shard: None,
            },
            runs: vec![RunRecord {
                scenario: "server/tls-off".into(),
                description: String::new(),
                flavor: "mysql-9".into(),
                server_version: String::new(),
                server: ServerState::Ready {
                    tls_enabled: false,
                    log: Vec::new(),
                },
                reload: None,
                reported: None,
                reproduced_by: None,
                reproduction: None,
                reused_server: false,
                facts: None,
                boot_ms: 0,
                client_versions: Default::default(),
                snapshot: "matches".into(),
                cells: vec![Cell {
                    client: "careless".into(),
                    ssl_mode: SslMode::Required,
                    text: outcome.to_string(),
                    outcome,
                    took_ms: 1,
                    snapshot_expected: None,
                    verdict: Some(verdict),
                    reviewed,
                    interposer: None,
                }],
            }],
            faults: Vec::new(),
        }
    }

    fn insecure() -> Verdict {
        Verdict::Insecure {
            broken: Broken::Plaintext,
            why: "connected in plaintext".into(),
        }
    }

    #[test]
    fn an_unreviewed_insecure_cell_counts_unless_reviewed_or_in_the_baseline() {
        let run = report(insecure(), None);
        let new = new_insecure(&run, None);
        assert_eq!(new.len(), 1);
        assert_eq!(
            new[0].to_string(),
            "server/tls-off @ mysql-9 · careless · REQUIRED · plaintext: connected in plaintext"
        );
        // Reviewed: explained, not new.
        let explained = Reviewed {
            why: "known".into(),
            upstream: None,
        };
        assert!(new_insecure(&report(insecure(), Some(explained)), None).is_empty());
        // Against a baseline that already had it: not new.
        assert!(new_insecure(&run, Some(&run)).is_empty());
        // A baseline where the cell conformed: new.
        assert_eq!(
            new_insecure(&run, Some(&report(Verdict::Conforms, None))).len(),
            1
        );
    }
}
