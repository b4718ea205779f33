//! The Rust `mysql` crate (blackbeam/rust-mysql-simple) with its native-tls backend (OpenSSL on
//! Linux), in-process, dialing the server's published port on 127.0.0.1.
//!
//! ssl-mode mapping (the crate has no ssl-mode option; this is how each mode is expressed):
//! DISABLED → no `SslOpts`; PREFERRED → unsupported (any `SslOpts` makes TLS mandatory);
//! REQUIRED → `SslOpts` with `danger_accept_invalid_certs` and `danger_skip_domain_validation`;
//! VERIFY_CA → root cert + `danger_skip_domain_validation`; VERIFY_IDENTITY → root cert only;
//! DEFAULT → no `SslOpts` (`OptsBuilder`'s default: plaintext, like DISABLED).
//! A client certificate is given as the harness's PKCS#12 bundle of it
//! (`ClientIdentity::new(P12).with_password(..)`: native-tls takes identities only so).
//! A scenario host name other than `localhost` or a loopback IP is unsupported (see
//! [`RustMysql::attempt`]). A scenario CRL or client TLS version makes every TLS mode
//! unsupported (the crate cannot check revocation and has no version option).

use crate::Cell;
use mysql::{ClientIdentity, Conn, OptsBuilder, SslOpts, prelude::Queryable};
use outcome::{Outcome, TlsInfo, classify, redact};
use scenario::SslMode;
use std::path::PathBuf;

/// What a client certificate adds to every TLS mode's `SslOpts`.
const IDENTITY: &str = "; with a client certificate also client_identity=ClientIdentity::new(P12)\
    .with_password(PASSWORD) (the certificate and key packed as PKCS#12)";

/// The Rust `mysql` crate bound to one server's host port and host-side fixture directory.
pub struct RustMysql {
    fixture_dir: PathBuf,
    port: u16,
}

impl RustMysql {
    /// Name in snapshots.
    pub const NAME: &'static str = "rust-mysql-native-tls";

    /// The ssl-mode mapping table (what [`Self::attempt`] builds for each mode).
    pub fn mode_table() -> std::collections::BTreeMap<SslMode, crate::contract::ModeMapping> {
        use crate::contract::ModeMapping::{Options, Unsupported};
        [
            (SslMode::Disabled, Options("ssl_opts: None".to_owned())),
            (
                SslMode::Preferred,
                Unsupported("the mysql crate has no PREFERRED: any SslOpts makes TLS mandatory".to_owned()),
            ),
            (
                SslMode::Required,
                Options(format!("SslOpts root_cert_path=CA, danger_accept_invalid_certs, danger_skip_domain_validation{IDENTITY}")),
            ),
            (
                SslMode::VerifyCa,
                Options(format!("SslOpts root_cert_path=CA, danger_skip_domain_validation{IDENTITY}")),
            ),
            (
                SslMode::VerifyIdentity,
                Options(format!("SslOpts root_cert_path=CA{IDENTITY}")),
            ),
            (
                SslMode::Default,
                Options("OptsBuilder without ssl_opts (the crate's default)".to_owned()),
            ),
        ]
        .into_iter()
        .collect()
    }

    /// A client for the server published on `127.0.0.1:port` (dialed by the cell's host
    /// name), reading CA files from `fixture_dir`.
    pub fn new(fixture_dir: PathBuf, port: u16) -> Self {
        RustMysql { fixture_dir, port }
    }

    fn ssl_opts(&self, cell: &Cell) -> Result<Option<SslOpts>, String> {
        if cell.ssl_mode.takes_tls_options() {
            if cell.crl.is_some() {
                return Err(
                    "the mysql crate has no CRL option; revocation cannot be checked".into(),
                );
            }
            if cell.tls_version.is_some() {
                return Err("the mysql crate with native-tls has no TLS version option".into());
            }
        }
        let identity = match (&cell.identity, &cell.pkcs12) {
            (None, _) => None,
            (Some(_), Some(p12)) if self.fixture_dir.join(p12).is_file() => Some(
                ClientIdentity::new(self.fixture_dir.join(p12))
                    .with_password(certgen::PKCS12_PASSWORD),
            ),
            (Some(_), _) if cell.ssl_mode.takes_tls_options() => {
                return Err(
                    "native-tls takes a client identity only as PKCS#12, and the harness \
                            could not pack this certificate and key (its log says why)"
                        .into(),
                );
            }
            (Some(_), _) => None,
        };
        let ca = || {
            SslOpts::default()
                .with_root_cert_path(Some(self.fixture_dir.join(&cell.ca)))
                .with_client_identity(identity.clone())
        };
        Ok(match cell.ssl_mode {
            SslMode::Disabled | SslMode::Default => None,
            SslMode::Preferred => {
                return Err(
                    "the mysql crate has no PREFERRED: any SslOpts makes TLS mandatory".into(),
                );
            }
            SslMode::Required => Some(
                ca().with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
            ),
            SslMode::VerifyCa => Some(ca().with_danger_skip_domain_validation(true)),
            SslMode::VerifyIdentity => Some(ca()),
        })
    }

    /// One attempt on a blocking thread; socket timeouts equal the cell timeout and the whole
    /// attempt is bounded by it (plus one second of slack) → `Hang`.
    pub async fn attempt(&self, cell: &Cell) -> Outcome {
        if let Ok(scenario::DialedHost::Mapped(name)) = scenario::DialedHost::parse(&cell.host) {
            // This client runs inside the harness process, whose resolver cannot be given the
            // mapping, and the mysql crate has no option to dial one address while verifying
            // another name: resolving `name` here could leave loopback.
            return Outcome::Unsupported {
                reason: format!(
                    "in-process client: the harness process cannot map `{name}` to 127.0.0.1, \
                     and the mysql crate cannot dial an address while verifying another name"
                ),
            };
        }
        let ssl_opts = match self.ssl_opts(cell) {
            Ok(o) => o,
            Err(reason) => return Outcome::Unsupported { reason },
        };
        let opts = OptsBuilder::new()
            .ip_or_hostname(Some(cell.host.clone()))
            .tcp_port(self.port)
            .user(Some(cell.user.clone()))
            .pass(Some(cell.password.clone()))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(cell.timeout))
            .read_timeout(Some(cell.timeout))
            .write_timeout(Some(cell.timeout))
            .ssl_opts(ssl_opts);
        let hang = Outcome::Hang {
            after_ms: cell.timeout.as_millis() as u64,
        };
        let work = tokio::task::spawn_blocking(move || connect_and_query(opts));
        match tokio::time::timeout(cell.timeout + crate::HANG_GRACE, work).await {
            Ok(Ok(Ok(tls))) => Outcome::Connected { tls },
            Ok(Ok(Err(e))) => failure(e).unwrap_or(hang),
            Ok(Err(join)) => Outcome::Failed {
                code: None,
                sqlstate: None,
                message: redact(&join.to_string()),
                kind: outcome::FailureKind::Other,
                raw_type: "panic in mysql crate".into(),
            },
            Err(_) => hang,
        }
    }
}

fn connect_and_query(opts: OptsBuilder) -> Result<Option<TlsInfo>, mysql::Error> {
    let mut conn = Conn::new(opts)?;
    let rows: Vec<(String, String)> =
        conn.query("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")?;
    let value = |name: &str| {
        rows.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    Ok(value("Ssl_version")
        .zip(value("Ssl_cipher"))
        .map(|(version, cipher)| TlsInfo { version, cipher }))
}

/// Maps a `mysql::Error` to an outcome; `None` means a socket timeout (→ `Hang`).
fn failure(e: mysql::Error) -> Option<Outcome> {
    let (code, sqlstate, message, raw_type) = match &e {
        mysql::Error::MySqlError(m) => (
            Some(m.code),
            Some(m.state.clone()),
            m.message.clone(),
            "mysql::Error::MySqlError",
        ),
        mysql::Error::IoError(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            return None;
        }
        mysql::Error::IoError(io) => (None, None, io.to_string(), "mysql::Error::IoError"),
        mysql::Error::TlsError(t) => (None, None, t.to_string(), "mysql::Error::TlsError"),
        mysql::Error::DriverError(d) => (None, None, d.to_string(), "mysql::Error::DriverError"),
        mysql::Error::CodecError(c) => (None, None, c.to_string(), "mysql::Error::CodecError"),
        other => (None, None, other.to_string(), "mysql::Error"),
    };
    Some(Outcome::Failed {
        code,
        sqlstate,
        kind: classify(code, &message),
        message: redact(&message),
        raw_type: raw_type.into(),
    })
}
