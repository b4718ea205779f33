//! Mapping a raw client error (code + message) to a canonical [`FailureKind`]. The table is
//! data, reviewed like a snapshot: first matching rule wins.

use crate::FailureKind;

/// One classification rule: matches when `code` (if given) equals the error number and
/// `contains` (if given) is a substring of the lowercased message.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Error number to match, if any.
    pub code: Option<u16>,
    /// Lowercase substring to find in the message, if any.
    pub contains: Option<&'static str>,
    /// Class assigned on a match.
    pub kind: FailureKind,
}

const fn msg(contains: &'static str, kind: FailureKind) -> Rule {
    Rule {
        code: None,
        contains: Some(contains),
        kind,
    }
}

const fn code(code: u16, kind: FailureKind) -> Rule {
    Rule {
        code: Some(code),
        contains: None,
        kind,
    }
}

/// The rules, most specific first. Codes: 2026 `CR_SSL_CONNECTION_ERROR`, 2061
/// `CR_AUTH_PLUGIN_ERR`, 2003 `CR_CONN_HOST_ERROR`, 2013 `CR_SERVER_LOST` (MySQL
/// include/errmsg.h); 1045 `ER_ACCESS_DENIED_ERROR`, 3159 `ER_SECURE_TRANSPORT_REQUIRED`
/// (mysqld_error.h).
pub const CLASSIFICATION_RULES: &[Rule] = &[
    msg(
        "ssl is required but the server doesn't support it",
        FailureKind::ServerNoTls,
    ),
    msg(
        "server does not have this capability",
        FailureKind::ServerNoTls,
    ),
    msg(
        "ssl is required, but the server does not support it",
        FailureKind::ServerNoTls,
    ),
    // Connector/J, mysqljs, go-sql-driver/mysql spellings of the same.
    msg("ssl not enabled in the server", FailureKind::ServerNoTls),
    msg(
        "server does not support secure connection",
        FailureKind::ServerNoTls,
    ),
    msg("server does not support tls", FailureKind::ServerNoTls),
    code(3159, FailureKind::ServerRequiresTls),
    msg("certificate verify failed", FailureKind::Verification),
    msg("certificate has expired", FailureKind::Verification),
    msg(
        "unable to get local issuer certificate",
        FailureKind::Verification,
    ),
    msg("self-signed certificate", FailureKind::Verification),
    msg("hostname mismatch", FailureKind::Verification),
    msg("ip address mismatch", FailureKind::Verification),
    // Bare X509_verify_cert reasons, as Connector/C reports them ("TLS/SSL error: <reason>").
    msg("hostname verification failed", FailureKind::Verification),
    msg("invalid ca certificate", FailureKind::Verification),
    msg("digest algorithm too weak", FailureKind::Verification),
    msg("key too weak", FailureKind::Verification),
    msg("unsuitable certificate purpose", FailureKind::Verification),
    msg("path length constraint exceeded", FailureKind::Verification),
    msg("certificate revoked", FailureKind::Verification),
    msg("certificate is not yet valid", FailureKind::Verification),
    msg(
        "key usage does not include certificate signing",
        FailureKind::Verification,
    ),
    msg(
        "unable to get issuer certificate",
        FailureKind::Verification,
    ),
    msg("unsupported certificate purpose", FailureKind::Verification),
    msg("extended key usage", FailureKind::Verification),
    msg("key too small", FailureKind::Verification),
    msg("md too weak", FailureKind::Verification),
    // Java (JSSE/PKIX), Go (crypto/x509), Node (tls) verification failures.
    msg("pkix path", FailureKind::Verification),
    // rustls: `invalid peer certificate: UnknownIssuer | NotValidForName | Expired | BadEncoding …`.
    msg("invalid peer certificate", FailureKind::Verification),
    msg("no subject alternative names", FailureKind::Verification),
    msg("no name matching", FailureKind::Verification),
    msg("x509: ", FailureKind::Verification),
    msg(
        "does not match certificate's altnames",
        FailureKind::Verification,
    ),
    msg(
        "unable to verify the first certificate",
        FailureKind::Verification,
    ),
    code(2026, FailureKind::Handshake),
    // Client-side key/cert files the library could not load.
    msg("pem lib", FailureKind::Config),
    msg("no keys found", FailureKind::Config),
    msg("failed to parse private key", FailureKind::Config),
    msg("decoder routines::unsupported", FailureKind::Config),
    msg("received fatal alert", FailureKind::Handshake),
    msg("handshake_failure", FailureKind::Handshake),
    msg("protocol_version", FailureKind::Handshake),
    msg("no appropriate protocol", FailureKind::Handshake),
    msg("[ssl: ", FailureKind::Handshake),
    msg("tls: ", FailureKind::Handshake),
    msg("handshake", FailureKind::Handshake),
    msg("ssl routines", FailureKind::Handshake),
    code(1045, FailureKind::Auth),
    code(2061, FailureKind::Auth),
    // ER_NOT_SUPPORTED_AUTH_MODE: the client cannot do the account's auth plugin (mysqljs and
    // caching_sha2_password).
    code(1251, FailureKind::Auth),
    code(2003, FailureKind::Transport),
    code(2013, FailureKind::Transport),
    msg("connection refused", FailureKind::Transport),
    // go-sql-driver/mysql when the server closed or never answered.
    msg("bad connection", FailureKind::Transport),
    msg("invalid connection", FailureKind::Transport),
    msg("connection reset", FailureKind::Transport),
    msg("broken pipe", FailureKind::Transport),
    msg("failed to open file", FailureKind::Config),
    // go: x509.CertPool.AppendCertsFromPEM found no certificate in <ca file>.
    msg("found no certificate", FailureKind::Config),
    msg("no such file or directory", FailureKind::Config),
];

/// Canonical class of an error with optional MySQL error number `code` and `message`.
pub fn classify(code: Option<u16>, message: &str) -> FailureKind {
    let lower = message.to_lowercase();
    CLASSIFICATION_RULES
        .iter()
        .find(|r| {
            r.code.is_none_or(|c| Some(c) == code) && r.contains.is_none_or(|s| lower.contains(s))
        })
        .map_or(FailureKind::Other, |r| r.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        Some(2026),
        "SSL connection error: error:0A000086:SSL routines::certificate verify failed",
        FailureKind::Verification
    )]
    #[case(
        Some(2026),
        "SSL connection error: SSL is required but the server doesn't support it",
        FailureKind::ServerNoTls
    )]
    #[case(
        Some(2026),
        "SSL connection error: error:0A000102:SSL routines::unsupported protocol",
        FailureKind::Handshake
    )]
    #[case(
        Some(3159),
        "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
        FailureKind::ServerRequiresTls
    )]
    #[case(
        Some(1045),
        "Access denied for user 'harness'@'172.17.0.1' (using password: YES)",
        FailureKind::Auth
    )]
    #[case(
        None,
        "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed",
        FailureKind::Verification
    )]
    #[case(
        Some(2003),
        "Can't connect to MySQL server on '127.0.0.1:3306' (111)",
        FailureKind::Transport
    )]
    #[case(
        Some(2026),
        "TLS/SSL error: SSL is required, but the server does not support it",
        FailureKind::ServerNoTls
    )]
    #[case(
        Some(2026),
        "TLS/SSL error: Hostname verification failed",
        FailureKind::Verification
    )]
    #[case(
        Some(2026),
        "TLS/SSL error: certificate revoked",
        FailureKind::Verification
    )]
    #[case(None, "something new", FailureKind::Other)]
    fn classifies_real_messages(
        #[case] code: Option<u16>,
        #[case] message: &str,
        #[case] kind: FailureKind,
    ) {
        assert_eq!(classify(code, message), kind);
    }
}
