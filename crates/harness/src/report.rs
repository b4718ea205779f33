//! The report of one scenario on one flavor, and its deterministic text rendering (the
//! snapshot body): a header with the server's TLS state, then a client × ssl-mode table.

use outcome::{Outcome, redact};
use scenario::SslMode;

/// One cell's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Client name, e.g. `mysql-cli`.
    pub client: String,
    /// ssl-mode attempted.
    pub ssl_mode: SslMode,
    /// What happened.
    pub outcome: Outcome,
    /// Wall time of the attempt as the harness saw it (zero for cells answered `unsupported`
    /// from a mapping table); in reports, not in snapshots.
    pub took: std::time::Duration,
    /// What the interposer saw during the attempt (every client connection, in accept order);
    /// `None` when the scenario has no `[attack]` or `[fault]`.
    pub seen: Option<crate::Seen>,
}

/// The server's state after boot, as it reported it: the snapshot header, and (log lines
/// redacted, [`ServerState::redacted`]) the `server` of every run in the JSON report.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ServerState {
    /// Accepting connections; TLS on or off by its own account, with its TLS log lines.
    Ready {
        /// TLS enabled on the main channel.
        tls_enabled: bool,
        /// TLS-related log lines (redacted in the JSON report).
        log: Vec<String>,
    },
    /// The server process exited before accepting connections (no client cells run).
    FailedToStart {
        /// Container exit code.
        exit_code: Option<i64>,
        /// Error and TLS-related log lines (redacted in the JSON report).
        log: Vec<String>,
    },
}

impl ServerState {
    /// The same state with every log line passed through [`outcome::redact`] (ports, paths,
    /// dates masked), as the JSON report carries it.
    pub fn redacted(&self) -> ServerState {
        let redact = |log: &[String]| log.iter().map(|l| outcome::redact(l)).collect();
        match self {
            ServerState::Ready { tls_enabled, log } => ServerState::Ready {
                tls_enabled: *tls_enabled,
                log: redact(log),
            },
            ServerState::FailedToStart { exit_code, log } => ServerState::FailedToStart {
                exit_code: *exit_code,
                log: redact(log),
            },
        }
    }
}

/// Everything one scenario run produced.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// Scenario id, e.g. `basic/expired-server-cert`.
    pub scenario: String,
    /// The scenario's description.
    pub description: String,
    /// The scenario's `reported` claim (verbatim text from a bug report, where it was seen,
    /// the reporter's client), if any.
    pub reported: Option<crate::Reported>,
    /// Flavor name, e.g. `mysql-9`.
    pub flavor: &'static str,
    /// Server version (`SELECT VERSION()`); in reports, not in snapshots.
    pub server_version: String,
    /// Container start → "ready for connections" (zero when the server failed to start);
    /// in reports, not in snapshots.
    pub boot_time: std::time::Duration,
    /// Client versions, `(client, version)`; in reports, not in snapshots.
    pub client_versions: Vec<(String, String)>,
    /// Process start cost of each external driver (spawn → hello), `(driver, time)`.
    pub start_costs: Vec<(String, std::time::Duration)>,
    /// What the server did at boot.
    pub server: ServerState,
    /// The TLS reload after boot, if the scenario has one.
    pub reload: Option<servers::Reload>,
    /// How logins authenticate on this flavor (from the flavor), e.g. the
    /// `caching_sha2_password` cache warm-up on MySQL.
    pub auth_note: &'static str,
    /// One row per client × ssl-mode, client-major, ssl-modes weakest first.
    pub rows: Vec<Row>,
    /// Whether the fast path ran it on a server reused from an earlier scenario (fixtures
    /// swapped, TLS reloaded) instead of a fresh boot; in reports, not in snapshots.
    pub reused_server: bool,
    /// What the cells are judged against (derived from the scenario and the server's own TLS
    /// status, [`verdict::derive`]; a server that failed to start offers no TLS); `None` only
    /// in reports built by hand (tests).
    pub facts: Option<verdict::Facts>,
}

/// Informational lines every healthy MySQL boot prints about TLS; the snapshot leaves them out
/// when TLS came up (a reused server cannot show them, and they carry no verdict).
/// `[MY-013602]`: "Channel mysql_main configured to support TLS"; `[MY-010068]`: "CA certificate
/// … is self signed".
pub const INFORMATIONAL_TLS_LINES: &[&str] = &["[MY-013602]", "[MY-010068]"];

/// `log` without [`INFORMATIONAL_TLS_LINES`].
pub fn notable_lines(log: &[String]) -> Vec<String> {
    log.iter()
        .filter(|l| !INFORMATIONAL_TLS_LINES.iter().any(|code| l.contains(code)))
        .cloned()
        .collect()
}

impl ScenarioReport {
    /// The snapshot body: deterministic (no versions, ports, dates) and readable in a PR diff.
    pub fn render_snapshot(&self) -> String {
        let mut out = format!("# {}\n{}\n\n", self.scenario, self.description);
        let (state, log) = match &self.server {
            ServerState::Ready {
                tls_enabled: true,
                log,
            } => ("TLS enabled".to_owned(), notable_lines(log)),
            ServerState::Ready {
                tls_enabled: false,
                log,
            } => (
                "TLS DISABLED (server came up without TLS)".to_owned(),
                log.clone(),
            ),
            ServerState::FailedToStart { exit_code, log } => {
                let code = exit_code.map_or("?".to_owned(), |c| c.to_string());
                (
                    format!("FAILED TO START (exit {code}); no client could connect"),
                    log.clone(),
                )
            }
        };
        out.push_str(&format!("server: {} · {state}\n", self.flavor));
        out.push_str(&format!("auth: {}\n", self.auth_note));
        if let (Some(reported), Some(verdict)) = (&self.reported, crate::reproduction(self)) {
            let place = match reported.place {
                scenario::ReportedIn::Client => "",
                scenario::ReportedIn::ServerLog => " (in the server log)",
            };
            out.push_str(&format!(
                "reported{place}: `{}` → {verdict}\n",
                reported.text
            ));
        }
        if let Some(r) = &self.reload {
            let verdict = match &r.refused {
                None => "ok".to_owned(),
                Some(message) => format!("refused: {}", redact(message)),
            };
            let tls = if r.tls_enabled_after {
                "enabled"
            } else {
                "DISABLED"
            };
            out.push_str(&format!(
                "reload: `{}` → {verdict} · TLS {tls} after\n",
                r.statement
            ));
        }
        if let Some(facts) = &self.facts {
            out.push_str(&format!("facts: {facts}\n"));
            if let Some(why) = &facts.declared {
                out.push_str(&format!("facts declared: {why}\n"));
            }
        }
        if !log.is_empty() {
            out.push_str("server log (TLS lines):\n");
            for line in &log {
                out.push_str(&format!("  {}\n", redact(line)));
            }
        }
        let judged = self.facts.is_some();
        let interposed = self.rows.iter().any(|r| r.seen.is_some());
        out.push_str(match (judged, interposed) {
            (true, true) => "\n| client | ssl-mode | outcome | verdict | interposer saw |\n|---|---|---|---|---|\n",
            (true, false) => "\n| client | ssl-mode | outcome | verdict |\n|---|---|---|---|\n",
            (false, _) => "\n| client | ssl-mode | outcome |\n|---|---|---|\n",
        });
        for row in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} |",
                row.client,
                row.ssl_mode,
                escape_cell(&row.outcome.to_string())
            ));
            if let Some(verdict) = self.verdict(row) {
                out.push_str(&format!(" {verdict} |"));
                if interposed {
                    let seen = row.seen.as_ref().map_or("", |s| s.summary.as_str());
                    out.push_str(&format!(" {} |", escape_cell(seen)));
                }
            }
            out.push('\n');
        }
        out
    }

    /// The verdict of `row` under the built-in ssl-mode contract, given this run's facts;
    /// `None` without facts.
    pub fn verdict(&self, row: &Row) -> Option<verdict::Verdict> {
        let facts = self.facts.as_ref()?;
        Some(verdict::judge_exposed(
            verdict::Contract::builtin(),
            facts,
            &row.client,
            row.ssl_mode,
            &row.outcome,
            row.seen
                .as_ref()
                .map(crate::Seen::exposure)
                .unwrap_or_default(),
        ))
    }

    /// Whether every cell has a verdict other than `Hang`.
    pub fn has_hang(&self) -> bool {
        self.rows
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Hang { .. }))
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
