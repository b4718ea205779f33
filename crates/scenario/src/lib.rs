//! The scenario model: one TOML file under `scenarios/` describes one MySQL TLS setup —
//! the certificates to mint, the files the server and client get, the server's TLS
//! settings and the client side (host dialed, ssl-modes tried).
//!
//! This crate parses and validates; it never generates certificates or touches Docker.

mod error;
mod file_name;
mod host;
mod load;
mod model;
mod offset;
mod schema;
mod select;
mod ssl_mode;
mod x509;

pub use error::Error;
pub use file_name::{FILE_NAME_MAX, PKCS12_FILE, is_plain_file_name};
pub use host::{DialedHost, MAPPED_ADDRESS};
pub use load::{discover, load, parse};
pub use model::{
    ATTACKER_ERROR, AccountSpec, AttackSpec, CertSpec, ClientSpec, CrlSpec, Encoding, FactsSpec,
    FaultSpec, FileFault, FileSpec, INTERPOSED_SERVER_PORT, ReloadSpec, ReportedIn, Require,
    Scenario, ServerSpec, SubjectAltName,
};
pub use offset::Offset;
pub use schema::{SCHEMA_FILE, json_schema};
pub use select::{select, select_one};
pub use ssl_mode::SslMode;
pub use x509::{ExtendedKeyUsage, KeyUsage, SignatureHash, X509Version};
