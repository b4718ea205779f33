//! Redaction: the one place where text that varies between runs is masked, so snapshots are
//! deterministic. Everything users search for (error codes, OpenSSL reason strings) is kept.

use regex::Regex;
use std::sync::LazyLock;

/// `(pattern, replacement)` pairs, applied in order.
static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // Ports after a loopback host: '127.0.0.1:49153' → '127.0.0.1:<port>'.
        (r"(127\.0\.0\.1|localhost|\[::1\]):\d+", "$1:<port>"),
        // Temporary paths (fixture dirs on the host).
        (r"/tmp/[^\s'\x22:,)]+", "<tmp>"),
        // Source line numbers: statem_clnt.c:2091 → statem_clnt.c:<line>.
        (r"(\.(?:c|cc|cpp|h|rs|py|java|go|js)):\d+", "$1:<line>"),
        // RFC 3339 / ISO timestamps.
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
            "<date>",
        ),
        // OpenSSL-style dates: 'Nov 23 14:00:00 2026 GMT'.
        (
            r"[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}(?: GMT)?",
            "<date>",
        ),
        // java.util.Date: 'Sun Nov 22 18:27:42 UTC 2026'.
        (
            r"(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} [A-Z]{2,5} \d{4}",
            "<date>",
        ),
        // rustls validity errors: 'verification time 1795463227 (UNIX), but certificate is not
        // valid after 1795376809 (86418 seconds ago)'.
        (r"time \d{9,} \(UNIX\)", "time <unix-time> (UNIX)"),
        (r"valid (after|before) \d{9,}", "valid $1 <unix-time>"),
        (
            r"\(\d+ seconds (ago|from now|in future)\)",
            "(<n> seconds $1)",
        ),
        // Server connection ids in driver messages: '(conn=137)' (Connector/J).
        (r"\bconn=\d+", "conn=<id>"),
        // Serials, fingerprints, container ids: long hex runs.
        (r"\b[0-9a-fA-F]{16,}\b", "<hex>"),
        // Container-side client addresses in access-denied messages: 'harness'@'172.17.0.1'.
        (r"@'\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}'", "@'<client-ip>'"),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(p).expect("redaction patterns are valid"), r))
    .collect()
});

/// Masks run-specific parts of `text` (ports, temp paths, source line numbers, dates, long hex
/// such as serials/fingerprints/container ids, client IPs) and trims surrounding whitespace.
pub fn redact(text: &str) -> String {
    RULES
        .iter()
        .fold(text.trim().to_owned(), |acc, (re, with)| {
            re.replace_all(&acc, *with).into_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "Can't connect to MySQL server on '127.0.0.1:49153' (111)",
        "Can't connect to MySQL server on '127.0.0.1:<port>' (111)"
    )]
    #[case(
        "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:2091:",
        "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:<line>:"
    )]
    #[case("failed to open /tmp/.tmpAbC123/ca.pem", "failed to open <tmp>")]
    #[case(
        "notAfter=Nov 23 14:00:00 2026 GMT at 2026-11-23T14:00:00.123Z",
        "notAfter=<date> at <date>"
    )]
    #[case("serial 5f3a9b2c4d5e6f708192a3b4c5d6e7f8 ok", "serial <hex> ok")]
    #[case(
        "verification time 1795463227 (UNIX), but certificate is not valid after 1795376809 (86418 seconds ago)",
        "verification time <unix-time> (UNIX), but certificate is not valid after <unix-time> (<n> seconds ago)"
    )]
    #[case(
        "(conn=137) validity check failed: NotAfter: Sun Nov 22 18:27:42 UTC 2026",
        "(conn=<id>) validity check failed: NotAfter: <date>"
    )]
    #[case(
        "Access denied for user 'harness'@'172.17.0.1' (using password: YES)",
        "Access denied for user 'harness'@'<client-ip>' (using password: YES)"
    )]
    #[case(
        "  error:0A000086:SSL routines::certificate verify failed  ",
        "error:0A000086:SSL routines::certificate verify failed"
    )]
    fn masks_what_varies_and_keeps_what_users_search(#[case] raw: &str, #[case] expected: &str) {
        assert_eq!(redact(raw), expected);
    }
}
