//! Checks of the server's chain against the client's CA file: validity dates (the anchor's
//! too), the issuer path as OpenSSL builds it (trusted first, by name), CA flags, keyUsage,
//! path length, purpose, signature and key strength, the server name against SAN/CN, and
//! webpki's verdict (rustls `WebPkiServerVerifier`) with its exact error. Pure: chain, CA file,
//! CRLs, name and `now` in; causes out.

use crate::{Cause, CauseKind, CertInfo, Severity};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use std::net::IpAddr;
use std::sync::Arc;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer as _, GeneralName, X509Certificate};

/// Longest issuer path followed (guards against loops in hostile chains).
const MAX_DEPTH: usize = 10;

/// A parsed certificate and its description.
struct Parsed<'a> {
    der: &'a [u8],
    x509: X509Certificate<'a>,
    info: CertInfo,
}

impl Parsed<'_> {
    fn subject(&self) -> &str {
        &self.info.subject
    }

    fn self_issued(&self) -> bool {
        self.x509.subject().as_raw() == self.x509.issuer().as_raw()
    }

    fn issued(&self, child: &Parsed<'_>) -> bool {
        self.x509.subject().as_raw() == child.x509.issuer().as_raw()
    }
}

fn parse(der: &[u8]) -> Result<Parsed<'_>, String> {
    let (_, x509) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    let info = describe_parsed(der, &x509);
    Ok(Parsed { der, x509, info })
}

/// Describes one DER certificate (subject, dates, SAN, CA flags, key, …).
///
/// Errors: the parser's message when the bytes are not an X.509 certificate.
pub fn describe(der: &[u8]) -> Result<CertInfo, String> {
    parse(der).map(|p| p.info)
}

fn rfc3339(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("@{ts}"))
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        other => return other.to_owned(),
    }
    .to_owned()
}

fn describe_parsed(der: &[u8], x: &X509Certificate<'_>) -> CertInfo {
    let san = x.subject_alternative_name().ok().flatten().map(|ext| {
        ext.value
            .general_names
            .iter()
            .map(|name| match name {
                GeneralName::DNSName(d) => format!("DNS:{d}"),
                GeneralName::IPAddress(bytes) => match ip_from_bytes(bytes) {
                    Some(ip) => format!("IP:{ip}"),
                    None => format!("IP:<{} bytes>", bytes.len()),
                },
                other => format!("{other}"),
            })
            .collect()
    });
    let bc = x.basic_constraints().ok().flatten();
    let key_usage = x.key_usage().ok().flatten().map(|ku| {
        let ku = ku.value;
        [
            (ku.digital_signature(), "digitalSignature"),
            (ku.non_repudiation(), "nonRepudiation"),
            (ku.key_encipherment(), "keyEncipherment"),
            (ku.data_encipherment(), "dataEncipherment"),
            (ku.key_agreement(), "keyAgreement"),
            (ku.key_cert_sign(), "keyCertSign"),
            (ku.crl_sign(), "cRLSign"),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| name.to_owned())
        .collect()
    });
    let eku = x.extended_key_usage().ok().flatten().map(|e| {
        let e = e.value;
        let mut out: Vec<String> = [
            (e.any, "any"),
            (e.server_auth, "serverAuth"),
            (e.client_auth, "clientAuth"),
            (e.code_signing, "codeSigning"),
            (e.email_protection, "emailProtection"),
            (e.time_stamping, "timeStamping"),
            (e.ocsp_signing, "OCSPSigning"),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| name.to_owned())
        .collect();
        out.extend(e.other.iter().map(|oid| oid.to_id_string()));
        out
    });
    let spki = x.public_key();
    let key_alg = spki.algorithm.algorithm.to_id_string();
    let key = match (key_alg.as_str(), spki.parsed()) {
        ("1.3.101.112", _) => "Ed25519".to_owned(),
        ("1.3.101.113", _) => "Ed448".to_owned(),
        (_, Ok(x509_parser::public_key::PublicKey::RSA(rsa))) => format!("RSA-{}", rsa.key_size()),
        (_, Ok(x509_parser::public_key::PublicKey::EC(ec))) => format!("EC-{}", ec.key_size()),
        (oid, _) => oid.to_owned(),
    };
    CertInfo {
        subject: x.subject().to_string(),
        issuer: x.issuer().to_string(),
        serial: x.raw_serial_as_string(),
        not_before: rfc3339(x.validity().not_before.timestamp()),
        not_after: rfc3339(x.validity().not_after.timestamp()),
        san,
        is_ca: bc.as_ref().map(|b| b.value.ca),
        path_len: bc.and_then(|b| b.value.path_len_constraint),
        key_usage,
        eku,
        version: x.version().0 + 1,
        signature_algorithm: signature_name(&x.signature_algorithm.algorithm.to_id_string()),
        key,
        sha256: hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

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

/// Accumulates causes, one per kind, merging evidence.
#[derive(Default)]
pub(crate) struct Causes(pub(crate) Vec<Cause>);

impl Causes {
    pub(crate) fn add(&mut self, kind: CauseKind, severity: Severity, evidence: String, fix: &str) {
        if let Some(c) = self.0.iter_mut().find(|c| c.cause == kind) {
            if !c.evidence.contains(&evidence) {
                c.evidence.push(evidence);
            }
            if severity == Severity::Error {
                c.severity = Severity::Error;
            }
            return;
        }
        self.0.push(Cause {
            cause: kind,
            severity,
            evidence: vec![evidence],
            fix: fix.to_owned(),
        });
    }

    fn has(&self, kind: CauseKind) -> bool {
        self.0.iter().any(|c| c.cause == kind)
    }
}

const FIX_EXPIRED: &str = "Renew the certificate (same key or new) from its CA and install it on the server (ssl_cert; then ALTER INSTANCE RELOAD TLS on MySQL 8+, FLUSH SSL on MariaDB 10.4+); for an expired CA, reissue the CA and give clients the new CA file. If the dates look right, fix the clock of the client or server (NTP).";
const FIX_NOT_YET_VALID: &str = "Fix the clock (NTP) on the host whose time is behind, or reissue the certificate with a notBefore in the past (backdate by an hour or a day).";
const FIX_CHAIN: &str = "Make the chain lead to the client's CA: the server's ssl_cert must hold the server certificate followed by every intermediate CA (leaf first), and clients must get the root CA that issued it (--ssl-ca). Every issuing certificate needs basicConstraints CA:TRUE and keyUsage keyCertSign, within its pathLenConstraint.";
const FIX_NAME: &str = "Reissue the server certificate with a subjectAltName for every name and address clients dial (DNS:<host>, IP:<address>), or make clients dial a name the certificate has; VERIFY_CA skips the name check but also its protection.";
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
        check_name(leaf, input.server_name, &mut causes);
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
    if !top.anchor {
        let evidence = if top.cert.self_issued() {
            format!(
                "the chain ends in the self-signed {} {}, which is not in the CA file",
                top.role,
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

fn check_name(leaf: &Parsed<'_>, server_name: &str, causes: &mut Causes) {
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
    let evidence = format!("rustls/webpki verdict: {error}");
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
        CauseKind::NameMismatch => (Severity::Error, FIX_NAME),
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
    fn wildcards_match_one_label_and_never_the_bare_name() {
        assert!(dns_matches("*.localhost", "db.localhost"));
        assert!(!dns_matches("*.localhost", "localhost"));
        assert!(!dns_matches("*.localhost", "a.b.localhost"));
        assert!(dns_matches("LocalHost", "localhost"));
        assert!(!dns_matches("db.example.test", "localhost"));
    }

    #[test]
    fn spans_read_like_durations() {
        assert_eq!(span(86_400 + 3600 + 60), "1d 1h 1m");
        assert_eq!(span(-7200), "2h 0m");
        assert_eq!(span(61), "1m 1s");
    }
}
