//! The doctor for a live server: connects like a MySQL client (greeting, SSLRequest, TLS),
//! collects what the server offers (TLS at all, versions, cipher suites, its chain), checks it
//! against the client's files (CA, certificate, key, CRL) and names which common causes of
//! error 2026 apply, each with evidence and a fix ([`Diagnosis`]).
//!
//! It only observes: it never logs in, and it dials only the host it is given. Bounded by
//! construction, whatever the server sends (`tests/fuzz_hostile_server.rs` checks it):
//! - at most 12 connections: one as a client, two version probes, one per rustls suite (9);
//! - per connection, each phase within [`Request::timeout`]: connect + greeting, TLS
//!   handshake, close; plus at most 1 s waiting for a verdict on a client certificate;
//! - before TLS exactly one packet is read, the greeting, at most 16 KiB (its length checked
//!   before anything is allocated); no login means no auth-switch exchange to loop;
//! - during TLS, rustls caps a handshake message at 64 KiB and a record at 16 KiB;
//! - text the server controls (version, error packets, certificate names) reaches the
//!   terminal with its control characters written visibly.

mod cause;
mod cert;
mod chain;
mod error;
mod files;
pub mod handshake;
mod names;
mod probe;
mod render;

pub use cause::{
    Cause, CauseKind, CertInfo, Diagnosis, FileCheck, SCHEMA_FILE, Severity, SuiteProbe, Target,
    VersionProbe, json_schema,
};
pub use cert::describe;
pub use chain::{ChainInput, ChainReport, analyze};
pub use error::Error;
pub use files::{ClientFiles, check as check_files};
pub use probe::Failure;
pub use render::render_text;

use probe::{Offer, TlsOutcome};
use rustls::pki_types::ServerName;
use std::path::PathBuf;
use std::time::Duration;
use time::OffsetDateTime;

/// What to diagnose and with which client-side files.
#[derive(Debug, Clone)]
pub struct Request {
    /// Host to dial (name or IP).
    pub host: String,
    /// TCP port, usually 3306.
    pub port: u16,
    /// Name to check the certificate against; `None` = `host`.
    pub server_name: Option<String>,
    /// CA file the client trusts (`--ssl-ca`).
    pub ca: Option<PathBuf>,
    /// Client certificate (`--ssl-cert`).
    pub cert: Option<PathBuf>,
    /// Client key (`--ssl-key`).
    pub key: Option<PathBuf>,
    /// CRL the client checks (`--ssl-crl`).
    pub crl: Option<PathBuf>,
    /// Bound of each connection phase (TCP + greeting, TLS handshake, close).
    pub timeout: Duration,
    /// Whether to probe each cipher suite separately (one connection per suite).
    pub probe_ciphers: bool,
    /// The instant dates are checked against; `None` = the current time.
    pub now: Option<OffsetDateTime>,
}

impl Request {
    /// A request for `host:port` with no files, 5 s timeout, cipher probing on, now.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Request {
            host: host.into(),
            port,
            server_name: None,
            ca: None,
            cert: None,
            key: None,
            crl: None,
            timeout: Duration::from_secs(5),
            probe_ciphers: true,
            now: None,
        }
    }
}

/// The fix for a server that offers no TLS, in its family's words ([`fix_no_tls`]).
const FIX_NO_TLS_MYSQL: &str = "Enable TLS on the server: check its error log first — MySQL starts without TLS when it cannot use ssl_cert/ssl_key/ssl_ca (e.g. `[ERROR] [MY-000059] SSL error: Unable to get certificate`, `[MY-010069] Failed to set up SSL`, `[MY-013595] Failed to initialize TLS for channel: mysql_main`): wrong path, missing or unreadable file (mysqld runs as `mysql`), DER instead of PEM, truncated or passphrase-protected key, key not matching the certificate, chain file starting with an intermediate, RSA key below 2048 bits. A server started with tls_version='' or --tls-version='' has TLS off on purpose. `SELECT * FROM performance_schema.tls_channel_status WHERE CHANNEL = 'mysql_main'` shows whether TLS is enabled (MySQL 9 removed have_ssl); after fixing the files, `ALTER INSTANCE RELOAD TLS` turns it on without a restart. Clients that do not need TLS may use --ssl-mode=DISABLED (never for passwords over untrusted networks).";
const FIX_NO_TLS_MARIADB: &str = "Enable TLS on the server: MariaDB refuses to start when it cannot use ssl_cert/ssl_key/ssl_ca, so a running MariaDB without TLS was started with none configured (before 11.4, where no ssl_* setting means no TLS) or with ssl=0/skip-ssl. Set ssl_cert, ssl_key (and ssl_ca) in the [mariadb] section, or on 11.4+ remove skip-ssl to get its automatically generated certificate; `SHOW GLOBAL VARIABLES LIKE 'have_ssl'` says YES once it is on, and `FLUSH SSL` (10.4+) reloads changed files. Clients that do not need TLS may use --ssl-mode=DISABLED / --skip-ssl (never for passwords over untrusted networks).";

/// The TLS-off fix for the server that sent `server_version` (MariaDB's version string says
/// `MariaDB`; anything else is read as MySQL).
fn fix_no_tls(server_version: &str) -> &'static str {
    if server_version.to_ascii_lowercase().contains("mariadb") {
        FIX_NO_TLS_MARIADB
    } else {
        FIX_NO_TLS_MYSQL
    }
}
const FIX_VERSION_13_ONLY: &str = "Let the server also accept TLS 1.2 (MySQL: SET PERSIST tls_version='TLSv1.2,TLSv1.3'; ALTER INSTANCE RELOAD TLS — MariaDB: tls_version=TLSv1.2,TLSv1.3 in my.cnf), or upgrade clients limited to TLS 1.2 (OpenSSL 1.0.x, MySQL 5.7 clients, old JDBC/.NET drivers, --tls-version=TLSv1.2).";
const FIX_VERSION_OLD: &str = "The server accepts only TLS versions older than 1.2 (TLSv1/TLSv1.1, removed from MySQL 8.0.28+ and refused by OpenSSL 3 at its default security level): upgrade the server, or set tls_version to include TLSv1.2.";
const FIX_CIPHER: &str = "Widen the server's suites so they include ones clients offer: ssl_cipher for TLS 1.2 (e.g. ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384 for an RSA key, ECDHE-ECDSA-… for an EC key — a suite must match the key type) and tls_ciphersuites for TLS 1.3 (TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256).";
const FIX_HANDSHAKE: &str = "Read the server's error log around the time of the attempt and compare the evidence (alert) with the server's tls_version, ssl_cipher and tls_ciphersuites.";
const FIX_STALL: &str = "Something holds the TLS handshake after the greeting: a proxy or load balancer in front of the server that speaks MySQL but passes no TLS (or expects its own), a server out of threads (max_connections, thread pool), or a network that drops larger packets. Connect from the server's own host to tell which, and read the server's error log.";
const FIX_CLIENT_CERT: &str = "The server refused the client certificate: it must be issued by a CA in the server's ssl_ca, be within its dates, and allow clientAuth; or connect without a client certificate if the account does not REQUIRE X509/ISSUER/SUBJECT.";

/// Diagnoses the server of `request`.
///
/// Network: one connection offering everything (with `--cert`/`--key` when usable), one per
/// TLS version (1.3, 1.2), and with `probe_ciphers` one per rustls suite (9), each bounded by
/// `request.timeout`.
///
/// Errors: [`Error::Connect`] / [`Error::ServerError`] / [`Error::NotMysql`] when no MySQL
/// greeting can be read, [`Error::BadServerName`]; every TLS problem is a [`Cause`].
pub async fn diagnose(request: &Request) -> Result<Diagnosis, Error> {
    let now = request.now.unwrap_or_else(OffsetDateTime::now_utc);
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let name_text = request
        .server_name
        .clone()
        .unwrap_or_else(|| request.host.clone());
    let dial = Dial {
        host: &request.host,
        port: request.port,
        server_name: ServerName::try_from(name_text.clone())
            .map_err(|_| Error::BadServerName(name_text.clone()))?,
        timeout: request.timeout,
    };
    let files = files::check(
        request.ca.as_deref(),
        request.cert.as_deref(),
        request.key.as_deref(),
        request.crl.as_deref(),
    );
    let mut causes = cause::Causes(files.causes.clone());
    let (greeting, main) = dial.as_a_client(&files, &mut causes).await?;
    let mut diagnosis = Diagnosis {
        target: Target {
            host: request.host.clone(),
            port: request.port,
            server_name: name_text.clone(),
        },
        checked_at: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        server_version: greeting.server_version.clone(),
        capabilities: greeting.capabilities,
        offers_tls: greeting.offers_tls(),
        handshake: None,
        tls_versions: Vec::new(),
        cipher_suites: Vec::new(),
        chain: Vec::new(),
        ca: files
            .anchors
            .iter()
            .filter_map(|der| cert::describe(der.as_ref()).ok())
            .collect(),
        files: files.checks.clone(),
        causes: Vec::new(),
    };
    let Some(main) = main else {
        causes.add(
            CauseKind::ServerOffersNoTls,
            Severity::Error,
            no_tls_evidence(&greeting),
            fix_no_tls(&greeting.server_version),
        );
        diagnosis.causes = sorted(causes.0);
        return Ok(diagnosis);
    };
    diagnosis.handshake = Some(match &main.outcome {
        TlsOutcome::Connected {
            version,
            cipher_suite,
        } => format!("{version} {cipher_suite}"),
        TlsOutcome::Failed(f) => format!("failed: {}", f.error),
    });
    // The chain from the first attempt that got one (a failed handshake may end before it).
    let mut chain_der = main.chain.clone();
    let stalled = matches!(&main.outcome, TlsOutcome::Failed(f)
        if f.alert.is_none() && f.error.starts_with(probe::NO_HANDSHAKE));
    if stalled {
        // Every version and suite probe would wait out the same bound (12 × the timeout).
        causes.add(
            CauseKind::HandshakeFailed,
            Severity::Error,
            format!(
                "the server greets and takes the SSLRequest, then answers no TLS ClientHello within {} s; the version and cipher probes were skipped (each would wait as long)",
                request.timeout.as_secs_f32()
            ),
            FIX_STALL,
        );
    } else {
        diagnosis.tls_versions = dial.versions(&mut chain_der).await?;
        if request.probe_ciphers {
            diagnosis.cipher_suites = dial.suites(&mut chain_der).await?;
        }
        protocol_causes(&diagnosis, &main.outcome, &mut causes);
    }

    let report = chain::analyze(&ChainInput {
        chain: &chain_der,
        anchors: &files.anchors,
        crls: &files.crls,
        server_name: &name_text,
        now,
    });
    diagnosis.chain = report.chain;
    // A --ca that yields no certificate (missing, a directory, truncated, not PEM) is the
    // client's failure, before any chain is judged: the chain's trust is then not a cause.
    let ca_unusable = request.ca.is_some() && files.anchors.is_empty();
    for cause in report.causes {
        if ca_unusable && cause.cause == CauseKind::ChainUntrusted {
            continue;
        }
        for evidence in cause.evidence {
            causes.add(cause.cause, cause.severity, evidence, &cause.fix);
        }
    }
    diagnosis.causes = sorted(causes.0);
    Ok(diagnosis)
}

/// Where and how long to dial; one method per kind of attempt.
struct Dial<'a> {
    host: &'a str,
    port: u16,
    server_name: ServerName<'static>,
    timeout: std::time::Duration,
}

impl Dial<'_> {
    async fn attempt(
        &self,
        offer: &Offer,
    ) -> Result<(handshake::Greeting, Option<probe::Attempt>), Error> {
        probe::attempt(self.host, self.port, &self.server_name, offer, self.timeout).await
    }

    /// The connection a client would make: both versions, every suite, the client identity
    /// when the files give one. A client identity rustls refuses (e.g. a key type it cannot
    /// sign with) is dropped for a second try and becomes a `client_file_unusable` cause.
    async fn as_a_client(
        &self,
        files: &ClientFiles,
        causes: &mut cause::Causes,
    ) -> Result<(handshake::Greeting, Option<probe::Attempt>), Error> {
        let offer = Offer {
            versions: vec![&rustls::version::TLS13, &rustls::version::TLS12],
            suites: Vec::new(),
            identity: files
                .identity
                .as_ref()
                .map(|(c, k)| (c.clone(), k.clone_key())),
        };
        match self.attempt(&offer).await {
            Err(Error::Tls(detail)) if offer.identity.is_some() => {
                causes.add(
                    CauseKind::ClientFileUnusable,
                    Severity::Error,
                    format!("--cert/--key: rustls cannot use this identity: {detail}"),
                    "Use a client certificate and key of a supported type (RSA 2048+, ECDSA P-256/P-384, Ed25519), PEM encoded.",
                );
                let offer = Offer {
                    identity: None,
                    ..offer
                };
                self.attempt(&offer).await
            }
            other => other,
        }
    }

    /// One connection per version (1.3, 1.2), all suites, no client certificate. Fills `chain`
    /// when still empty.
    async fn versions(
        &self,
        chain: &mut Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<Vec<VersionProbe>, Error> {
        let mut probes = Vec::new();
        for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
            let offer = Offer {
                versions: vec![version],
                ..Offer::default()
            };
            let (_, Some(attempt)) = self.attempt(&offer).await? else {
                continue;
            };
            if chain.is_empty() {
                chain.clone_from(&attempt.chain);
            }
            let version = probe::version_name(version.version);
            probes.push(match attempt.outcome {
                TlsOutcome::Connected { cipher_suite, .. } => VersionProbe {
                    version,
                    accepted: true,
                    cipher_suite: Some(cipher_suite),
                    failure: None,
                },
                TlsOutcome::Failed(f) => VersionProbe {
                    version,
                    accepted: false,
                    cipher_suite: None,
                    failure: Some(f),
                },
            });
        }
        Ok(probes)
    }

    /// One connection per rustls suite (at most 9), offering only it at its version. Fills
    /// `chain` when still empty.
    async fn suites(
        &self,
        chain: &mut Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<Vec<SuiteProbe>, Error> {
        let mut probes = Vec::new();
        for suite in probe::provider().cipher_suites {
            let offer = Offer {
                versions: vec![suite.version()],
                suites: vec![suite],
                identity: None,
            };
            let (_, Some(attempt)) = self.attempt(&offer).await? else {
                continue;
            };
            if chain.is_empty() {
                chain.clone_from(&attempt.chain);
            }
            let (accepted, alert) = match attempt.outcome {
                TlsOutcome::Connected { .. } => (true, None),
                TlsOutcome::Failed(f) => (false, f.alert),
            };
            probes.push(SuiteProbe {
                suite: probe::suite_name(&suite),
                version: probe::version_name(suite.version().version),
                accepted,
                alert,
            });
        }
        Ok(probes)
    }
}

/// Evidence for a greeting without `CLIENT_SSL`.
fn no_tls_evidence(greeting: &handshake::Greeting) -> String {
    let family = if greeting.server_version.contains("MariaDB") {
        "MariaDB"
    } else {
        "MySQL"
    };
    format!(
        "the server's greeting ({family} {}, capability flags {:#010x}) lacks CLIENT_SSL (0x0800): clients with --ssl-mode=REQUIRED or stricter fail with 2026 (SSL connection error: SSL is required but the server doesn't support it)",
        greeting.server_version, greeting.capabilities
    )
}

/// Errors first, then by kind.
fn sorted(mut causes: Vec<Cause>) -> Vec<Cause> {
    causes.sort_by_key(|c| (c.severity, c.cause));
    causes
}

/// Causes the version/suite probes show.
fn protocol_causes(d: &Diagnosis, main: &TlsOutcome, causes: &mut cause::Causes) {
    let ok = |v: &str| d.tls_versions.iter().any(|p| p.version == v && p.accepted);
    let (tls13, tls12) = (ok("TLSv1.3"), ok("TLSv1.2"));
    let alerts: Vec<String> = d
        .tls_versions
        .iter()
        .filter_map(|p| {
            p.failure.as_ref().map(|f| {
                format!(
                    "{} alone: {}",
                    p.version,
                    f.alert
                        .clone()
                        .map_or(f.error.clone(), |a| format!("alert {a}"))
                )
            })
        })
        .collect();
    let alert_of = |v: &str| {
        d.tls_versions
            .iter()
            .find(|p| p.version == v)
            .and_then(|p| p.failure.as_ref())
            .and_then(|f| f.alert.clone())
    };
    match (tls13, tls12) {
        (true, false) => causes.add(
            CauseKind::TlsVersionMismatch,
            Severity::Warning,
            format!(
                "the server accepts TLSv1.3 only ({}); clients limited to TLSv1.2 fail with a protocol_version alert (2026: tlsv1 alert protocol version)",
                alerts.join("; ")
            ),
            FIX_VERSION_13_ONLY,
        ),
        (false, false) => {
            let accepted_suites = d.cipher_suites.iter().filter(|s| s.accepted).count();
            let handshake_failure = [alert_of("TLSv1.3"), alert_of("TLSv1.2")]
                .iter()
                .any(|a| a.as_deref() == Some("handshake_failure"));
            let all_version_alerts = [alert_of("TLSv1.3"), alert_of("TLSv1.2")]
                .iter()
                .all(|a| a.as_deref() == Some("protocol_version"));
            let evidence = format!(
                "no TLS 1.2 or 1.3 handshake completes though the server offers TLS ({}); {accepted_suites} of {} cipher suites accepted",
                alerts.join("; "),
                d.cipher_suites.len()
            );
            if all_version_alerts {
                causes.add(
                    CauseKind::TlsVersionMismatch,
                    Severity::Error,
                    format!("{evidence}: the server likely accepts only versions older than TLS 1.2"),
                    FIX_VERSION_OLD,
                );
            } else if handshake_failure {
                causes.add(
                    CauseKind::NoSharedCipher,
                    Severity::Error,
                    format!("{evidence}: the server finds no suite it can use among the modern ones offered (ECDHE key exchange, AEAD: what rustls, Go and current JDKs offer; OpenSSL: no shared cipher). Clients that still offer legacy suites (RSA key exchange, CBC) may connect"),
                    FIX_CIPHER,
                );
            } else {
                causes.add(
                    CauseKind::HandshakeFailed,
                    Severity::Error,
                    evidence,
                    FIX_HANDSHAKE,
                );
            }
        }
        _ => {}
    }
    // Connected alone but not with the client identity: the server refused the certificate.
    if let TlsOutcome::Failed(f) = main
        && (tls13 || tls12)
        && d.files.iter().any(|c| c.role == "cert")
    {
        causes.add(
            CauseKind::ClientCertificateRejected,
            Severity::Error,
            format!(
                "the handshake with --cert/--key fails ({}) while it succeeds without them",
                f.alert
                    .clone()
                    .map_or(f.error.clone(), |a| format!("alert {a}"))
            ),
            FIX_CLIENT_CERT,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_off_fix_speaks_the_servers_family() {
        let mysql = fix_no_tls("9.7.4-2");
        assert!(mysql.contains("tls_channel_status") && mysql.contains("removed have_ssl"));
        let maria = fix_no_tls("11.8.3-MariaDB-1 from Debian");
        assert!(maria.contains("FLUSH SSL") && !maria.contains("tls_channel_status"));
    }
}
