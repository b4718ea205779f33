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
    let matching: Vec<String> = report
        .rows
        .iter()
        .filter(|r| {
            surface_forms(&r.outcome)
                .iter()
                .any(|form| normalize(form).contains(&needle))
        })
        .map(|r| format!("{} {}", r.client, r.ssl_mode))
        .collect();
    if let Some(first) = matching.first() {
        return Some(match matching.len() {
            1 => first.clone(),
            n => format!("{first} and {} more cell(s)", n - 1),
        });
    }
    let log = match &report.server {
        ServerState::Ready { log, .. } | ServerState::FailedToStart { log, .. } => log,
    };
    log.iter()
        .any(|l| normalize(l).contains(&needle))
        .then(|| "server log".to_owned())
}

/// The ways a failure surfaces to the people who report it: the harness's cell text, the bare
/// message, the CLI's `ERROR 2026 (HY000): …`, a thrown error's `Error: …`, and an exception's
/// `<type>: …` (Python, Java).
fn surface_forms(outcome: &outcome::Outcome) -> Vec<String> {
    let mut forms = vec![outcome.to_string()];
    if let outcome::Outcome::Failed {
        code,
        sqlstate,
        message,
        raw_type,
        ..
    } = outcome
    {
        forms.push(message.clone());
        forms.push(format!("Error: {message}"));
        forms.push(format!("{raw_type}: {message}"));
        match (code, sqlstate) {
            (Some(c), Some(s)) => forms.push(format!("ERROR {c} ({s}): {message}")),
            (Some(c), None) => forms.push(format!("ERROR {c}: {message}")),
            _ => {}
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_ignores_openssl_codes_case_quotes_and_spacing() {
        assert_eq!(
            normalize(
                "ERROR 2026 (HY000): SSL connection error: error:1416F086:SSL routines:tls_process_server_certificate:certificate  verify failed"
            ),
            normalize(
                "error 2026 (hy000): ssl connection error: error:0A000086:ssl routines:tls_process_server_certificate:certificate verify failed"
            ),
        );
        assert_eq!(normalize("“self-signed”"), "'self-signed'");
    }

    #[test]
    fn cli_and_thrown_error_prefixes_are_surface_forms() {
        let failed = outcome::Outcome::Failed {
            code: Some(2026),
            sqlstate: Some("HY000".into()),
            message: "TLS/SSL error: self-signed certificate".into(),
            kind: outcome::FailureKind::Verification,
            raw_type: "mariadb CLI exit 1".into(),
        };
        let forms: Vec<String> = surface_forms(&failed)
            .iter()
            .map(|f| normalize(f))
            .collect();
        for reported in [
            "ERROR 2026 (HY000): TLS/SSL error: self-signed certificate",
            "Error: TLS/SSL error: self-signed certificate",
        ] {
            assert!(
                forms.iter().any(|f| f.contains(&normalize(reported))),
                "{reported}"
            );
        }
    }
}
