//! The report of one scenario on one flavor, and its deterministic text rendering (the
//! snapshot body): a header with the server's TLS state, then a client × ssl-mode table.

use outcome::{Outcome, redact};
use scenario::SslMode;

/// One cell's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Client name, e.g. `mysql-cli`.
    pub client: &'static str,
    /// ssl-mode attempted.
    pub ssl_mode: SslMode,
    /// What happened.
    pub outcome: Outcome,
}

/// Everything one scenario run produced.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// Scenario id, e.g. `basic/expired-server-cert`.
    pub scenario: String,
    /// The scenario's description.
    pub description: String,
    /// Flavor name, e.g. `mysql-9`.
    pub flavor: &'static str,
    /// Server version (`SELECT VERSION()`); in reports, not in snapshots.
    pub server_version: String,
    /// Client versions, `(client, version)`; in reports, not in snapshots.
    pub client_versions: Vec<(&'static str, String)>,
    /// Whether the server enabled TLS on its main channel.
    pub server_tls_enabled: bool,
    /// The server's TLS-related log lines.
    pub server_tls_log: Vec<String>,
    /// One row per client × ssl-mode, client-major, ssl-modes weakest first.
    pub rows: Vec<Row>,
}

impl ScenarioReport {
    /// The snapshot body: deterministic (no versions, ports, dates) and readable in a PR diff.
    pub fn render_snapshot(&self) -> String {
        let mut out = format!("# {}\n{}\n\n", self.scenario, self.description);
        out.push_str(&format!(
            "server: {} · TLS {}\n",
            self.flavor,
            if self.server_tls_enabled {
                "enabled"
            } else {
                "DISABLED (server came up without TLS)"
            }
        ));
        out.push_str("auth: caching_sha2_password, cache warmed by one socket login after boot\n");
        if !self.server_tls_log.is_empty() {
            out.push_str("server log (TLS lines):\n");
            for line in &self.server_tls_log {
                out.push_str(&format!("  {}\n", redact(line)));
            }
        }
        out.push_str("\n| client | ssl-mode | outcome |\n|---|---|---|\n");
        for row in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                row.client,
                row.ssl_mode,
                escape_cell(&row.outcome.to_string())
            ));
        }
        out
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
