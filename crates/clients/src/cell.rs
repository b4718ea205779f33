//! One connection attempt's inputs, shared by every adapter (the driver contract's cell).

use scenario::SslMode;
use std::time::Duration;

/// What a client is asked to do once: dial `host` with `ssl_mode`, trusting fixture file `ca`.
/// Ports and fixture directories are the adapter's own (each reaches the server differently).
#[derive(Debug, Clone)]
pub struct Cell {
    /// ssl-mode to request.
    pub ssl_mode: SslMode,
    /// Host name or loopback IP dialed and, under `VERIFY_IDENTITY`, verified.
    pub host: String,
    /// Fixture file name of the CA bundle (trust anchor), e.g. `ca.pem`.
    pub ca: String,
    /// Fixture file name of a CRL to check, if any.
    pub crl: Option<String>,
    /// Fixture file names of the client certificate and key to present, if any.
    pub identity: Option<(String, String)>,
    /// Fixture file name of `identity` packed as PKCS#12 (password
    /// [`certgen::PKCS12_PASSWORD`]), for clients that take an identity only so; set whenever
    /// `identity` is. The file is absent when the pair could not be packed.
    pub pkcs12: Option<String>,
    /// TLS version the client allows (`--tls-version`), if restricted.
    pub tls_version: Option<String>,
    /// Account name.
    pub user: String,
    /// Account password (test credential).
    pub password: String,
    /// Upper bound for the whole attempt; exceeding it yields `Outcome::Hang`.
    pub timeout: Duration,
}
