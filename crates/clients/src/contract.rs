//! The external driver contract (drivers/CONTRACT.md) as types: the hello a driver writes
//! first, the cells it reads and the results it writes, one JSON object per line. The JSON
//! Schema in `drivers/contract.schema.json` is generated from these types ([`json_schema`]).

use scenario::SslMode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the committed contract schema lives, relative to the repository root.
pub const CONTRACT_SCHEMA_FILE: &str = "drivers/contract.schema.json";

/// The first line a driver writes: `{"hello": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelloLine {
    /// The driver's self-description.
    pub hello: Hello,
}

/// Who the driver is and how it spells the six ssl-modes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Hello {
    /// Name used in snapshots; must equal the `[[driver]]` name in `drivers/drivers.toml`.
    pub driver: String,
    /// The library's exact version as it reports it at run time, e.g. `1.2.0`.
    pub version: String,
    /// Interpreter/VM and TLS library, free text, e.g. `CPython 3.14.8; OpenSSL 3.5.4`.
    pub runtime: String,
    /// The ssl-mode mapping table: all six modes (MySQL's five and `DEFAULT`, the library with
    /// no TLS option at all, which is never unsupported), MySQL's spelling as keys.
    pub modes: BTreeMap<SslMode, ModeMapping>,
}

/// How a driver expresses one ssl-mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ModeMapping {
    /// The options a user writes for it, e.g. `sslMode=verify-ca&serverSslCert=CA`.
    Options(String),
    /// The driver has no equivalent; why. The harness answers such cells `unsupported` itself.
    Unsupported(String),
}

/// One connection attempt, as a driver reads it (one line on stdin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CellLine {
    /// Echoed back in the result. The harness numbers cells from 1: 0 is the id of an
    /// `invalid_cell` answer to a line whose id could not be read.
    pub id: u64,
    /// Requested ssl-mode.
    pub ssl_mode: SslMode,
    /// Host dialed and, under `VERIFY_IDENTITY`, verified (`127.0.0.1` or `localhost`).
    pub host: String,
    /// TCP port (3306 inside the server's network namespace).
    pub port: u16,
    /// Account name.
    pub user: String,
    /// Account password (a test credential).
    pub password: String,
    /// Absolute path of the trust anchor bundle; null under `DISABLED` and `DEFAULT`, where
    /// `cert`, `key`, `crl` and `tls_version` are null too.
    pub ca: Option<String>,
    /// Absolute path of the client certificate to present, if any.
    pub cert: Option<String>,
    /// Absolute path of the client key, if any.
    pub key: Option<String>,
    /// Absolute path of `cert` and `key` packed as one PKCS#12 bundle, set whenever they are,
    /// for libraries that take a client identity only so (a keystore). The file is absent when
    /// the pair could not be packed (as `openssl pkcs12 -export` would refuse it); a driver
    /// then answers `unsupported`.
    pub pkcs12: Option<String>,
    /// Password of the `pkcs12` bundle (a test credential); set with it.
    pub pkcs12_password: Option<String>,
    /// Absolute path of a CRL to check, if any.
    pub crl: Option<String>,
    /// Allowed TLS versions as MySQL's `--tls-version` spells them, e.g. `TLSv1.2,TLSv1.3`.
    pub tls_version: Option<String>,
    /// Connect/read timeout in milliseconds.
    pub timeout_ms: u64,
}

/// What a driver writes for one cell (one line on stdout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResultLine {
    /// The cell's id; 0 in an `invalid_cell` answer to a line without a readable id.
    pub id: u64,
    /// What happened.
    #[serde(flatten)]
    pub outcome: DriverOutcome,
}

/// A driver's raw verdict; the harness classifies and redacts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DriverOutcome {
    /// Logged in and read `Ssl_version`/`Ssl_cipher` (null or empty for plaintext).
    Connected {
        /// `Ssl_version`, e.g. `TLSv1.3`.
        #[serde(default)]
        tls_version: Option<String>,
        /// `Ssl_cipher`, e.g. `TLS_AES_256_GCM_SHA384`.
        #[serde(default)]
        cipher: Option<String>,
    },
    /// The attempt failed; the error as it surfaced.
    Failed {
        /// MySQL error number, if the library gave one (2026 is `CR_SSL_CONNECTION_ERROR`).
        #[serde(default)]
        code: Option<u16>,
        /// SQLSTATE, if given.
        #[serde(default)]
        sqlstate: Option<String>,
        /// The message, unmodified.
        message: String,
        /// Exception/error class, e.g. `pymysql.err.OperationalError`.
        raw_type: String,
    },
    /// An option of the cell (CRL, TLS version, client key format) has no equivalent.
    Unsupported {
        /// Why.
        reason: String,
    },
    /// The input line was not a valid cell (not JSON, not an object, a required field missing
    /// or of the wrong type); no connection was attempted and the driver reads on. The harness
    /// treats it as a contract fault, never as an outcome.
    InvalidCell {
        /// What is wrong with the line, naming the field or the parser's error.
        message: String,
    },
}

/// JSON Schema of the three line shapes (`hello`, `cell`, `result`) as pretty JSON with a
/// trailing newline — the exact bytes of [`CONTRACT_SCHEMA_FILE`].
pub fn json_schema() -> String {
    #[derive(JsonSchema)]
    #[allow(dead_code)]
    /// The external driver contract: every line on a driver's stdin is a `cell`; its stdout is
    /// one `hello` line, then one `result` line per non-blank input line (`invalid_cell` for a
    /// line that is not a valid cell). See drivers/CONTRACT.md.
    struct DriverContract {
        hello: HelloLine,
        cell: CellLine,
        result: ResultLine,
    }
    let schema = schemars::schema_for!(DriverContract);
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    text.push('\n');
    text
}
