//! Checks of the server's chain against the client's CA file: validity dates (the anchor's
//! too), the issuer path as OpenSSL builds it (trusted first, by name), CA flags, keyUsage,
//! path length, purpose, signature and key strength, and webpki's verdict (rustls
//! `WebPkiServerVerifier`) with its exact error; the name check is `names`. Pure: chain, CA
//! file, CRLs, name and `now` in; causes out.

use crate::cause::Causes;
use crate::cert::{Parsed, parse, rfc3339};
use crate::{Cause, CauseKind, CertInfo, Severity};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use std::sync::Arc;
use time::OffsetDateTime;

/// Longest issuer path followed (guards against loops in hostile chains).
const MAX_DEPTH: usize = 10;

/// `1d 2h 3m` for a number of seconds (absolute value).
pub fn span(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h) {
        (0, 0) => format!("{m}m {}s", s % 60),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

/// Inputs of the chain checks.
pub struct ChainInput<'a> {
    /// Server chain as sent, leaf first.
    pub chain: &'a [CertificateDer<'static>],
    /// The client's trust anchors (`--ca`), in file order.
    pub anchors: &'a [CertificateDer<'static>],
    /// CRLs the client checks (`--crl`).
    pub crls: &'a [CertificateRevocationListDer<'static>],
    /// Name the client verifies (`--server-name`, default the host).
    pub server_name: &'a str,
    /// When the check happens.
    pub now: OffsetDateTime,
}

/// Descriptions of the chain and anchors, and the causes they show.
pub struct ChainReport {
    /// The server's chain, leaf first (unparseable certificates are left out with a cause).
    pub chain: Vec<CertInfo>,
    /// The CA file's certificates.
    pub anchors: Vec<CertInfo>,
    /// Causes found (at most one per kind; evidence merged).
    pub causes: Vec<Cause>,
}

const FIX_EXPIRED: &str = "Renew the certificate (same key or new) from its CA and install it on the server (ssl_cert; then ALTER INSTANCE RELOAD TLS on MySQL 8+, FLUSH SSL on MariaDB 10.4+); for an expired CA, reissue the CA and give clients the new CA file. If the dates look right, fix the clock of the client or server (NTP).";
const FIX_NOT_YET_VALID: &str = "Fix the clock (NTP) on the host whose time is behind, or reissue the certificate with a notBefore in the past (backdate by an hour or a day).";
const FIX_CHAIN: &str = "Make the chain lead to the client's CA: the server's ssl_cert must hold the server certificate followed by every intermediate CA (leaf first), and clients must get the root CA that issued it (--ssl-ca). Every issuing certificate needs basicConstraints CA:TRUE and keyUsage keyCertSign, within its pathLenConstraint.";

const FIX_UNACCEPTABLE: &str = "Reissue the server certificate as X.509 v3 with extendedKeyUsage serverAuth (or none), a SHA-256 (or stronger) signature and an RSA key of at least 2048 bits (or P-256/Ed25519).";
const FIX_REVOKED: &str = "The CA revoked this server certificate: issue and install a new one (and find out why it was revoked).";

/// Runs every chain, date and name check.
pub fn analyze(input: &ChainInput<'_>) -> ChainReport {
    let mut causes = Causes::default();
    let mut chain = Vec::new();
    for (i, der) in input.chain.iter().enumerate() {
        match parse(der.as_ref()) {
            Ok(p) => chain.push(p),
            Err(e) => causes.add(
                CauseKind::ChainUntrusted,
                Severity::Error,
                format!("certificate #{i} the server sent does not parse: {e}"),
                FIX_CHAIN,
            ),
        }
    }
    let anchors: Vec<Parsed<'_>> = input
        .anchors
        .iter()
        .filter_map(|der| parse(der.as_ref()).ok())
        .collect();
    let now = input.now.unix_timestamp();
    if let Some(leaf) = chain.first() {
        let path = issuer_path(&chain, &anchors);
        check_dates(&path, now, &mut causes);
        check_path(&path, &anchors, &mut causes);
        check_leaf(&path, &mut causes);
        crate::names::check_name(leaf, input.server_name, &mut causes);
        if !input.anchors.is_empty() {
            webpki_verdict(input, leaf, &mut causes);
        }
    }
    ChainReport {
        chain: chain.iter().map(|p| p.info.clone()).collect(),
        anchors: anchors.iter().map(|p| p.info.clone()).collect(),
        causes: causes.0,
    }
}

/// One step of the issuer path.
struct Step<'p, 'a> {
    cert: &'p Parsed<'a>,
    /// `server certificate`, `intermediate`, `CA from the CA file`.
    role: &'static str,
    anchor: bool,
}

/// The path OpenSSL would try: from the leaf, the issuer from the CA file first (trusted
/// first), else from the certificates the server sent, by subject/issuer name.
fn issuer_path<'p, 'a>(chain: &'p [Parsed<'a>], anchors: &'p [Parsed<'a>]) -> Vec<Step<'p, 'a>> {
    let Some(leaf) = chain.first() else {
        return Vec::new();
    };
    let leaf_is_anchor = anchors.iter().any(|a| a.der == leaf.der);
    let mut path = vec![Step {
        cert: leaf,
        role: "server certificate",
        anchor: leaf_is_anchor,
    }];
    if leaf_is_anchor {
        return path;
    }
    let mut current = leaf;
    for _ in 0..MAX_DEPTH {
        if current.self_issued() {
            break;
        }
        if let Some(a) = anchors.iter().find(|a| a.issued(current)) {
            path.push(Step {
                cert: a,
                role: "CA from the CA file",
                anchor: true,
            });
            break;
        }
        let next = chain[1..]
            .iter()
            .find(|c| c.issued(current) && !path.iter().any(|s| s.cert.der == c.der));
        match next {
            Some(c) => {
                path.push(Step {
                    cert: c,
                    role: "intermediate",
                    anchor: false,
                });
                current = c;
            }
            None => break,
        }
    }
    path
}

fn check_dates(path: &[Step<'_, '_>], now: i64, causes: &mut Causes) {
    for step in path {
        let v = step.cert.x509.validity();
        let (nb, na) = (v.not_before.timestamp(), v.not_after.timestamp());
        let window = format!(
            "{} {}: valid {} .. {}, checked at {}",
            step.role,
            step.cert.subject(),
            rfc3339(nb),
            rfc3339(na),
            rfc3339(now)
        );
        if now > na {
            causes.add(
                CauseKind::Expired,
                Severity::Error,
                format!("{window}: expired {} ago", span(now - na)),
                FIX_EXPIRED,
            );
        } else if now < nb {
            causes.add(
                CauseKind::NotYetValid,
                Severity::Error,
                format!(
                    "{window}: valid only in {} (a clock offset of at least that much)",
                    span(nb - now)
                ),
                FIX_NOT_YET_VALID,
            );
        }
    }
}

fn check_path(path: &[Step<'_, '_>], anchors: &[Parsed<'_>], causes: &mut Causes) {
    let Some(top) = path.last() else { return };
    // The path ends in a CA of the CA file that is not a root, and its issuer is not in the
    // file either: OpenSSL keeps looking for the self-signed issuer above it (no
    // X509_V_FLAG_PARTIAL_CHAIN in the MySQL clients) and finds none.
    if top.anchor && !top.cert.self_issued() && !anchors.iter().any(|a| a.issued(top.cert)) {
        causes.add(
            CauseKind::ChainUntrusted,
            Severity::Error,
            format!(
                "the CA file holds {} but not its issuer {}: OpenSSL-based clients that do not allow partial chains (the mysql and mariadb CLIs among them) need the chain to end in a self-signed root and fail with 'unable to get issuer certificate'; clients that take any CA of the file as trust anchor (rustls, Go, Python 3.13+ default contexts) accept it",
                top.cert.subject(),
                top.cert.info.issuer
            ),
            FIX_CHAIN,
        );
    }
    if !top.anchor {
        let evidence = if top.cert.self_issued() {
            // A self-signed certificate the server sends above its leaf is a root, not an
            // intermediate.
            let role = if top.role == "intermediate" {
                "root CA sent by the server"
            } else {
                top.role
            };
            format!(
                "the chain ends in the self-signed {role} {}, which is not in the CA file",
                top.cert.subject()
            )
        } else {
            format!(
                "the issuer {} of {} {} is neither sent by the server nor in the CA file; \
                 if it is an intermediate CA the server must send it (append it to ssl_cert \
                 after the server certificate), if it is a root the client has the wrong CA file",
                top.cert.info.issuer,
                top.role,
                top.cert.subject()
            )
        };
        causes.add(
            CauseKind::ChainUntrusted,
            Severity::Error,
            evidence,
            FIX_CHAIN,
        );
        let held: Vec<&str> = anchors.iter().map(|a| a.subject()).collect();
        if !held.is_empty() {
            causes.add(
                CauseKind::ChainUntrusted,
                Severity::Error,
                format!("the CA file holds: {}", held.join("; ")),
                FIX_CHAIN,
            );
        }
    }
    // Every certificate above the leaf acts as a CA.
    for (depth, step) in path.iter().enumerate().skip(1) {
        let info = &step.cert.info;
        let v1_root = info.version == 1 && step.anchor && step.cert.self_issued();
        if info.is_ca != Some(true) && !v1_root {
            causes.add(
                CauseKind::ChainUntrusted,
                Severity::Error,
                format!(
                    "{} {} issues certificates but lacks basicConstraints CA:TRUE ({}); \
                     OpenSSL: invalid CA certificate",
                    step.role,
                    step.cert.subject(),
                    if info.is_ca.is_none() {
                        "no basicConstraints"
                    } else {
                        "CA:FALSE"
                    }
                ),
                FIX_CHAIN,
            );
        }
        if let Some(ku) = &info.key_usage
            && !ku.iter().any(|k| k == "keyCertSign")
        {
            causes.add(
                CauseKind::ChainUntrusted,
                Severity::Error,
                format!(
                    "{} {} has keyUsage {} without keyCertSign; OpenSSL: invalid CA certificate",
                    step.role,
                    step.cert.subject(),
                    ku.join(", ")
                ),
                FIX_CHAIN,
            );
        }
        let below = depth.saturating_sub(1) as u32;
        if let Some(limit) = info.path_len
            && below > limit
        {
            causes.add(
                CauseKind::ChainUntrusted,
                Severity::Error,
                format!(
                    "{} {} has pathLenConstraint {limit} but {below} intermediate CA(s) below it",
                    step.role,
                    step.cert.subject()
                ),
                FIX_CHAIN,
            );
        }
    }
}

fn check_leaf(path: &[Step<'_, '_>], causes: &mut Causes) {
    let Some(leaf) = path.first() else { return };
    let info = &leaf.cert.info;
    if let Some(eku) = &info.eku
        && !eku.iter().any(|e| e == "serverAuth" || e == "any")
    {
        causes.add(
            CauseKind::CertificateUnacceptable,
            Severity::Error,
            format!(
                "server certificate {} has extendedKeyUsage {} without serverAuth; OpenSSL: unsuitable certificate purpose",
                leaf.cert.subject(),
                eku.join(", ")
            ),
            FIX_UNACCEPTABLE,
        );
    }
    // A keyUsage extension must allow the TLS server's use of its key: signing the handshake
    // (digitalSignature) or, for RSA key exchange, keyEncipherment; keyAgreement for ECDH.
    if let Some(ku) = &info.key_usage
        && !ku
            .iter()
            .any(|u| u == "digitalSignature" || u == "keyEncipherment" || u == "keyAgreement")
    {
        causes.add(
            CauseKind::CertificateUnacceptable,
            Severity::Error,
            format!(
                "server certificate {} has keyUsage {} without digitalSignature or keyEncipherment; OpenSSL: unsuitable certificate purpose, rustls: invalid purpose",
                leaf.cert.subject(),
                if ku.is_empty() { "(empty)".to_owned() } else { ku.join(", ") }
            ),
            FIX_UNACCEPTABLE,
        );
    }
    // Signatures that verifiers check: every certificate below the anchor.
    for step in path.iter().filter(|s| !s.anchor) {
        let alg = &step.cert.info.signature_algorithm;
        if alg.starts_with("md5") || alg.starts_with("sha1") || alg.ends_with("SHA1") {
            causes.add(
                CauseKind::CertificateUnacceptable,
                Severity::Error,
                format!(
                    "{} {} is signed with {alg}; OpenSSL 3 (security level 1+) and rustls refuse it",
                    step.role,
                    step.cert.subject()
                ),
                FIX_UNACCEPTABLE,
            );
        }
    }
    if let Some(bits) = info
        .key
        .strip_prefix("RSA-")
        .and_then(|b| b.parse::<u32>().ok())
        && bits < 2048
    {
        causes.add(
            CauseKind::CertificateUnacceptable,
            Severity::Error,
            format!(
                "server certificate {} has an RSA-{bits} key; OpenSSL security level 2 (Debian, Ubuntu, RHEL defaults) requires 2048 bits: EE certificate key too weak",
                leaf.cert.subject()
            ),
            FIX_UNACCEPTABLE,
        );
    }
    if info.version == 1 && !leaf.anchor {
        causes.add(
            CauseKind::CertificateUnacceptable,
            Severity::Warning,
            format!(
                "server certificate {} is X.509 v1; OpenSSL accepts it but rustls/webpki-based clients refuse it (UnsupportedCertVersion), even with verification relaxed",
                leaf.cert.subject()
            ),
            FIX_UNACCEPTABLE,
        );
    }
}

/// rustls' own verifier against the CA file, for its exact error; merged into the causes.
fn webpki_verdict(input: &ChainInput<'_>, leaf: &Parsed<'_>, causes: &mut Causes) {
    use rustls::client::danger::ServerCertVerifier as _;
    use rustls::{CertificateError, Error as TlsError};
    let mut roots = rustls::RootCertStore::empty();
    let mut refused = Vec::new();
    for der in input.anchors {
        if let Err(e) = roots.add(der.clone()) {
            refused.push(e.to_string());
        }
    }
    let provider = Arc::new(crate::probe::provider());
    let mut builder =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider);
    if !input.crls.is_empty() {
        builder = builder
            .with_crls(input.crls.iter().cloned())
            .only_check_end_entity_revocation()
            .allow_unknown_revocation_status();
    }
    let verifier = match builder.build() {
        Ok(v) => v,
        Err(e) => {
            causes.add(
                CauseKind::ChainUntrusted,
                Severity::Error,
                format!(
                    "rustls cannot use the CA file as trust anchors: {e} ({})",
                    refused.join("; ")
                ),
                FIX_CHAIN,
            );
            return;
        }
    };
    let name = ServerName::try_from(input.server_name.to_owned())
        .unwrap_or_else(|_| ServerName::try_from("invalid.invalid").expect("valid literal"));
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(input.now.unix_timestamp()).unwrap_or(0),
    ));
    let intermediates: Vec<CertificateDer<'_>> = input.chain[1..].to_vec();
    let Err(error) = verifier.verify_server_cert(
        &CertificateDer::from(leaf.der),
        &intermediates,
        &name,
        &[],
        now,
    ) else {
        return;
    };
    // Some verdicts print their raw algorithm identifiers as byte arrays: say it in words.
    let evidence = match &error {
        TlsError::InvalidCertificate(
            CertificateError::UnsupportedSignatureAlgorithmContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. },
        ) => "rustls/webpki verdict: a certificate of the chain is signed with an algorithm it does not support (no MD5 or SHA-1 signatures)".to_owned(),
        _ => format!("rustls/webpki verdict: {error}"),
    };
    let kind = match &error {
        TlsError::InvalidCertificate(ce) => match ce {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CauseKind::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CauseKind::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CauseKind::NameMismatch
            }
            CertificateError::Revoked => CauseKind::Revoked,
            CertificateError::InvalidPurpose
            | CertificateError::InvalidPurposeContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                CauseKind::CertificateUnacceptable
            }
            #[allow(deprecated)]
            CertificateError::UnsupportedSignatureAlgorithm => CauseKind::CertificateUnacceptable,
            CertificateError::BadEncoding if leaf.info.version == 1 => {
                CauseKind::CertificateUnacceptable
            }
            CertificateError::Other(other)
                if other.to_string().contains("UnsupportedCertVersion") =>
            {
                CauseKind::CertificateUnacceptable
            }
            _ => CauseKind::ChainUntrusted,
        },
        _ => CauseKind::ChainUntrusted,
    };
    let (severity, fix) = match kind {
        CauseKind::Expired => (Severity::Error, FIX_EXPIRED),
        CauseKind::NotYetValid => (Severity::Error, FIX_NOT_YET_VALID),
        CauseKind::NameMismatch => (Severity::Error, crate::names::FIX_NAME),
        CauseKind::Revoked => (Severity::Error, FIX_REVOKED),
        CauseKind::CertificateUnacceptable if leaf.info.version == 1 => {
            (Severity::Warning, FIX_UNACCEPTABLE)
        }
        CauseKind::CertificateUnacceptable => (Severity::Error, FIX_UNACCEPTABLE),
        _ => (Severity::Error, FIX_CHAIN),
    };
    // webpki's verdict adds evidence to what the OpenSSL-like checks found without changing
    // their severity (a CN-only name stays a warning); a name error our own check missed is
    // a disagreement worth showing, as a warning.
    if causes.has(kind) || kind == CauseKind::NameMismatch {
        causes.add(kind, Severity::Warning, evidence, fix);
    } else {
        causes.add(kind, severity, evidence, fix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_like_durations() {
        assert_eq!(span(86_400 + 3600 + 60), "1d 1h 1m");
        assert_eq!(span(-7200), "2h 0m");
        assert_eq!(span(61), "1m 1s");
    }
}
