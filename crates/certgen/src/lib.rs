//! Certificate fixtures: turns a [`scenario::Scenario`] into the bytes of MySQL's TLS files
//! (`ca.pem`, `server-cert.pem`, `server-key.pem`, …) plus a `manifest.json` describing them.
//!
//! Deterministic by construction: keys are committed test keys, serials derive from names,
//! RSA PKCS#1 v1.5 signatures are deterministic, and `now` is injected. The only I/O is
//! [`Fixtures::write_to`].

mod error;
mod keys;
mod manifest;
mod mint;

pub use error::Error;
pub use keys::{TEST_KEYS, test_key_pem};
pub use manifest::{CertEntry, FileEntry, Manifest};
pub use mint::{Fixtures, generate};
