//! Certificate fixtures: turns a [`scenario::Scenario`] into the bytes of MySQL's TLS files
//! (`ca.pem`, `server-cert.pem`, `server-key.pem`, …) plus a `manifest.json` describing them.
//!
//! Deterministic by construction: keys are committed test keys, serials derive from names,
//! every signature scheme used is deterministic (RSA PKCS#1 v1.5, RFC 6979 ECDSA, Ed25519),
//! encrypted keys use derived salts, and `now` is injected. The only I/O is
//! [`Fixtures::write_to`].

mod encode;
mod error;
mod keys;
mod manifest;
mod mint;
mod pkcs12;
mod rewrite;

pub use error::Error;
pub use keys::{TEST_KEYS, test_key_pem};
pub use manifest::{CertEntry, CrlEntry, FileEntry, Manifest};
pub use mint::{FixtureFile, Fixtures, generate, write_files};
pub use pkcs12::{PKCS12_FILE, PKCS12_PASSWORD, Pkcs12Error, pack_identity};
/// The plain-file-name rule every writer of fixture files checks (from `scenario`).
pub use scenario::is_plain_file_name;
