//! Does a run reproduce what a bug report saw? A scenario's `reported` text (verbatim from the
//! report) is looked for, normalized, in every cell's outcome and in the server's log lines.
//! A report we cannot reproduce is a finding, stated in the snapshot.

use crate::{ScenarioReport, ServerState};
use regex::Regex;
use std::sync::LazyLock;

/// OpenSSL packed error codes (`error:0A000086:`, `error:1416F086:`) differ between OpenSSL
/// versions for the same reason string; they are dropped before comparing.
static OPENSSL_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"error:[0-9a-f]{8}:").expect("valid regex"));

/// Lowercase, redacted ([`outcome::redact`]), OpenSSL codes dropped, quotes unified,
/// whitespace collapsed.
pub fn normalize(text: &str) -> String {
    let redacted = outcome::redact(text).to_lowercase();
    let no_codes = OPENSSL_CODE.replace_all(&redacted, "error:");
    no_codes
        .replace(['"', '`', '‘', '’', '“', '”'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the reported text was found: `"<client> <ssl-mode>"` or `"server log"`; `None` when
/// nowhere.
pub fn reproduced_by(report: &ScenarioReport, reported: &str) -> Option<String> {
    let needle = normalize(reported);
    if needle.is_empty() {
        return None;
    }
    if let Some(row) = report
        .rows
        .iter()
        .find(|r| normalize(&r.outcome.to_string()).contains(&needle))
    {
        return Some(format!("{} {}", row.client, row.ssl_mode));
    }
    let log = match &report.server {
        ServerState::Ready { log, .. } | ServerState::FailedToStart { log, .. } => log,
    };
    log.iter()
        .any(|l| normalize(l).contains(&needle))
        .then(|| "server log".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_ignores_openssl_codes_case_quotes_and_spacing() {
        assert_eq!(
            normalize("ERROR 2026 (HY000): SSL connection error: error:1416F086:SSL routines:tls_process_server_certificate:certificate  verify failed"),
            normalize("error 2026 (hy000): ssl connection error: error:0A000086:ssl routines:tls_process_server_certificate:certificate verify failed"),
        );
        assert_eq!(normalize("“self-signed”"), "'self-signed'");
    }
}
