//! The server name against the leaf certificate, as verifying clients match it: IP addresses
//! only against IP subjectAltNames; DNS names against DNS SANs (RFC 6125 wildcards), with
//! OpenSSL's CN fallback when there is no DNS SAN reported as a warning (Go, Java and rustls
//! have none). Pure.

use crate::cert::Parsed;
use crate::{CauseKind, Severity, cause::Causes};
use std::net::IpAddr;

pub(crate) const FIX_NAME: &str = "Reissue the server certificate with a subjectAltName for every name and address clients dial (DNS:<host>, IP:<address>), or make clients dial a name the certificate has; VERIFY_CA skips the name check but also its protection.";

/// RFC 6125 DNS matching: case-insensitive, a wildcard only as the whole leftmost label and
/// never matching the bare parent name.
fn dns_matches(pattern: &str, name: &str) -> bool {
    let (pattern, name) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    let (pattern, name) = (pattern.trim_end_matches('.'), name.trim_end_matches('.'));
    match pattern.strip_prefix("*.") {
        Some(parent) => name
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => pattern == name,
    }
}

pub(crate) fn check_name(leaf: &Parsed<'_>, server_name: &str, causes: &mut Causes) {
    let info = &leaf.info;
    let cn: Option<String> = leaf
        .x509
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned);
    let sans = info.san.clone().unwrap_or_default();
    let shown = if sans.is_empty() {
        "none".to_owned()
    } else {
        sans.join(", ")
    };
    if let Ok(ip) = server_name.parse::<IpAddr>() {
        if sans
            .iter()
            .any(|s| s.strip_prefix("IP:").and_then(|a| a.parse::<IpAddr>().ok()) == Some(ip))
        {
            return;
        }
        causes.add(
            CauseKind::NameMismatch,
            Severity::Error,
            format!(
                "the client dials the IP address {ip}, which is not among the certificate's IP subjectAltNames (SAN: {shown}; CN: {}); IP addresses are never matched against the CN",
                cn.as_deref().unwrap_or("none")
            ),
            FIX_NAME,
        );
        return;
    }
    let dns: Vec<&str> = sans.iter().filter_map(|s| s.strip_prefix("DNS:")).collect();
    if dns.iter().any(|p| dns_matches(p, server_name)) {
        return;
    }
    if dns.is_empty() && cn.as_deref().is_some_and(|cn| dns_matches(cn, server_name)) {
        causes.add(
            CauseKind::NameMismatch,
            Severity::Warning,
            format!(
                "{server_name} is only in the subject CN ({}) and the certificate has no DNS subjectAltName (SAN: {shown}); OpenSSL-based clients fall back to the CN, Go, Java and rustls clients refuse it",
                info.subject
            ),
            FIX_NAME,
        );
        return;
    }
    let wildcard_hint = if dns.iter().any(|p| {
        p.strip_prefix("*.")
            .is_some_and(|parent| parent.eq_ignore_ascii_case(server_name))
    }) {
        " (a wildcard *.name does not match the bare name)"
    } else {
        ""
    };
    causes.add(
        CauseKind::NameMismatch,
        Severity::Error,
        format!(
            "{server_name} is not among the certificate's subjectAltNames (SAN: {shown}; CN: {}){wildcard_hint}",
            cn.as_deref().unwrap_or("none")
        ),
        FIX_NAME,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_label_and_never_the_bare_name() {
        assert!(dns_matches("*.localhost", "db.localhost"));
        assert!(!dns_matches("*.localhost", "localhost"));
        assert!(!dns_matches("*.localhost", "a.b.localhost"));
        assert!(dns_matches("LocalHost", "localhost"));
        assert!(!dns_matches("db.example.test", "localhost"));
    }
}
