//! PKCS#12: the client certificate and key of a scenario packed into one password-protected
//! bundle, for clients that take a client identity only that way (MariaDB Connector/J's
//! `keyStore`, native-tls's `Identity::from_pkcs12`). What a user of such a client does with
//! `openssl pkcs12 -export -in client-cert.pem -inkey client-key.pem`, done with the pure-Rust
//! `p12-keystore` crate.
//!
//! Unlike the rest of this crate the output is not byte-deterministic: `p12-keystore` draws its
//! PBKDF2 salts and AES IVs at random. Its contents (the certificates and the key) are.

use pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
use std::collections::BTreeMap;

use crate::FixtureFile;

/// File name of the PKCS#12 bundle in the clients' view of the fixtures; a scenario may not
/// name one of its own files so (scenario validation refuses it).
pub const PKCS12_FILE: &str = scenario::PKCS12_FILE;

/// Password protecting [`PKCS12_FILE`], given to the driver with it (a test credential).
pub const PKCS12_PASSWORD: &str = "harness-test-pkcs12";

/// Why a certificate and key could not be packed, worded as the problem a user converting
/// them would meet (`openssl pkcs12 -export` refuses the same inputs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The certificate file holds no certificate readable as PEM `CERTIFICATE` blocks or DER.
    #[error("{file}: no certificate (PEM CERTIFICATE blocks or one DER certificate) in it: {why}")]
    Certificate {
        /// Fixture file name.
        file: String,
        /// What the parser said.
        why: String,
    },
    /// The key file holds no unencrypted PKCS#8 key (PEM `PRIVATE KEY` or DER).
    #[error("{file}: no unencrypted PKCS#8 private key (PEM PRIVATE KEY or DER) in it: {why}")]
    Key {
        /// Fixture file name.
        file: String,
        /// What the parser said.
        why: String,
    },
    /// The key is not the private half of the first certificate's public key.
    #[error("{key_file} does not hold the private key of the first certificate in {cert_file}")]
    Mismatch {
        /// Certificate file name.
        cert_file: String,
        /// Key file name.
        key_file: String,
    },
    /// `p12-keystore` refused to write the bundle.
    #[error("writing PKCS#12: {0}")]
    Write(String),
}

/// Packs the certificates of fixture file `cert_file` (leaf first, then any chain it holds) and
/// the PKCS#8 key of `key_file`, both taken from `files` as the client sees them, into a
/// PKCS#12 bundle protected by `password`: PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) with an
/// HMAC-SHA-256 MAC, which Java 9+ keystores and OpenSSL 3 read.
///
/// Accepts what `openssl pkcs12 -export` accepts from these harness files: PEM or DER, with
/// leading text or CRLF line ends. Errors: [`Pkcs12Error::Certificate`] /
/// [`Pkcs12Error::Key`] for a file that is missing or unreadable (truncated, empty, garbage,
/// encrypted key), [`Pkcs12Error::Mismatch`] for an RSA or P-256 key that does not belong to
/// the leaf (Ed25519 pairs are packed unchecked), [`Pkcs12Error::Write`].
pub fn pack_identity(
    files: &BTreeMap<String, FixtureFile>,
    cert_file: &str,
    key_file: &str,
    password: &str,
) -> Result<Vec<u8>, Pkcs12Error> {
    let cert_error = |why: String| Pkcs12Error::Certificate {
        file: cert_file.to_owned(),
        why,
    };
    let key_error = |why: String| Pkcs12Error::Key {
        file: key_file.to_owned(),
        why,
    };
    let cert_bytes = &files
        .get(cert_file)
        .ok_or_else(|| cert_error("the file is not written".into()))?
        .bytes;
    let key_bytes = &files
        .get(key_file)
        .ok_or_else(|| key_error("the file is not written".into()))?
        .bytes;
    let certs = certificates(cert_bytes).map_err(cert_error)?;
    let key = private_key(key_bytes).map_err(key_error)?;
    let leaf = x509_parser::parse_x509_certificate(&certs[0])
        .map_err(|e| cert_error(e.to_string()))?
        .1;
    if public_key_of(&key).is_some_and(|spki| spki != leaf.tbs_certificate.subject_pki.raw) {
        return Err(Pkcs12Error::Mismatch {
            cert_file: cert_file.to_owned(),
            key_file: key_file.to_owned(),
        });
    }
    let write = |e: p12_keystore::error::Error| Pkcs12Error::Write(e.to_string());
    let chain = certs
        .iter()
        .map(|der| p12_keystore::Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(write)?;
    let key = p12_keystore::PrivateKey::from_der(&key).map_err(write)?;
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            b"client".as_slice(),
            key,
            chain,
        )),
    );
    store.writer(password).write().map_err(write)
}

/// DER certificates of a PEM file (every `CERTIFICATE` block, text around them ignored) or of
/// a DER file (one certificate).
fn certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if let Some(blocks) = pem_blocks(bytes) {
        let certs: Vec<Vec<u8>> = blocks
            .into_iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.into_contents())
            .collect();
        return if certs.is_empty() {
            Err("no CERTIFICATE block".into())
        } else {
            Ok(certs)
        };
    }
    x509_parser::parse_x509_certificate(bytes)
        .map(|_| vec![bytes.to_vec()])
        .map_err(|e| format!("neither PEM nor a DER certificate ({e})"))
}

/// The PKCS#8 DER of a PEM `PRIVATE KEY` block or of DER bytes.
fn private_key(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let der = match pem_blocks(bytes) {
        Some(blocks) => match blocks.into_iter().next() {
            Some(b) if b.tag() == "PRIVATE KEY" => b.into_contents(),
            Some(b) if b.tag() == "ENCRYPTED PRIVATE KEY" => {
                return Err("the key is encrypted (a user would decrypt it first)".into());
            }
            Some(b) => return Err(format!("a {} block, not PRIVATE KEY", b.tag())),
            None => return Err("no PEM block".into()),
        },
        None => bytes.to_vec(),
    };
    pkcs8::PrivateKeyInfo::try_from(der.as_slice()).map_err(|e| format!("not PKCS#8 ({e})"))?;
    Ok(der)
}

/// The PEM blocks of `bytes`, or `None` when no complete block parses (then try DER).
fn pem_blocks(bytes: &[u8]) -> Option<Vec<pem::Pem>> {
    pem::parse_many(bytes).ok().filter(|b| !b.is_empty())
}

/// The SubjectPublicKeyInfo DER of an RSA or P-256 PKCS#8 key; `None` for other algorithms.
fn public_key_of(pkcs8_der: &[u8]) -> Option<Vec<u8>> {
    if let Ok(rsa) = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8_der) {
        return rsa
            .to_public_key()
            .to_public_key_der()
            .ok()
            .map(|d| d.into_vec());
    }
    if let Ok(ec) = p256::SecretKey::from_pkcs8_der(pkcs8_der) {
        return ec
            .public_key()
            .to_public_key_der()
            .ok()
            .map(|d| d.into_vec());
    }
    None
}
