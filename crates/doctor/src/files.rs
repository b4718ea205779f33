//! Client-side files as MySQL clients would read them (`--ssl-ca`, `--ssl-cert`, `--ssl-key`,
//! `--ssl-crl`): present, readable, non-empty, PEM (not DER), complete (END line, valid
//! base64), unencrypted, and the key belonging to the certificate. What can still be decoded is
//! returned so the rest of the diagnosis can go on (a DER CA file still says which CA it is).

use crate::cause::Causes;
use crate::{CauseKind, FileCheck, Severity};
use rustls::pki_types::pem::{self, PemObject as _};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use std::path::Path;
use x509_parser::prelude::{FromDer as _, X509Certificate};

/// Largest file read, in bytes (CA bundles are at most a few hundred KiB).
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// What the client files yield.
#[derive(Debug, Default)]
pub struct ClientFiles {
    /// Certificates of `--ca` (decoded even from DER).
    pub anchors: Vec<CertificateDer<'static>>,
    /// `--cert` chain and `--key`, when both decode and the key belongs to the certificate.
    pub identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    /// CRLs of `--crl`.
    pub crls: Vec<CertificateRevocationListDer<'static>>,
    /// One check per file given.
    pub checks: Vec<FileCheck>,
    /// `client_file_unusable` (at most one, evidence per file).
    pub causes: Vec<crate::Cause>,
}

const FIX_FILES: &str = "Give clients PEM files they can read: convert DER with `openssl x509 -inform DER -in F -out F.pem` (certificates) or `openssl pkey -inform DER -in F -out F.pem` (keys); replace truncated or corrupted files with a fresh copy; remove the passphrase with `openssl pkey -in key.pem -out key-plain.pem`; use the key that belongs to the certificate (the public keys of `openssl x509 -noout -pubkey -in cert.pem` and `openssl pkey -pubout -in key.pem` must be equal).";

/// Checks the files given (each optional) and decodes what it can.
pub fn check(
    ca: Option<&Path>,
    cert: Option<&Path>,
    key: Option<&Path>,
    crl: Option<&Path>,
) -> ClientFiles {
    let mut out = ClientFiles::default();
    let mut causes = Causes::default();
    if let Some(path) = ca {
        let (certs, check) = read_certs("ca", path);
        out.anchors = certs;
        note(&mut causes, &check);
        out.checks.push(check);
    }
    let client_certs = cert.map(|path| {
        let (certs, check) = read_certs("cert", path);
        note(&mut causes, &check);
        out.checks.push(check);
        certs
    });
    let client_key = key.map(|path| {
        let (key, mut check) = read_key(path);
        if let (Some(key), Some(certs)) = (&key, &client_certs)
            && let Some(leaf) = certs.first()
            && let Some(problem) = key_mismatch(key, leaf)
        {
            check.usable = false;
            check.notes.push(problem);
        }
        note(&mut causes, &check);
        out.checks.push(check);
        key
    });
    if let (Some(certs), Some(Some(key))) = (client_certs, client_key)
        && !certs.is_empty()
        && out.checks.iter().all(|c| c.role != "key" || c.usable)
    {
        out.identity = Some((certs, key));
    }
    if let Some(path) = crl {
        let (crls, check) = read_crls(path);
        out.crls = crls;
        note(&mut causes, &check);
        out.checks.push(check);
    }
    out.causes = causes.0;
    out
}

fn note(causes: &mut Causes, check: &FileCheck) {
    if !check.usable {
        causes.add(
            CauseKind::ClientFileUnusable,
            Severity::Error,
            format!(
                "--{} {}: {}",
                check.role,
                check.path,
                check.notes.join("; ")
            ),
            FIX_FILES,
        );
    }
}

fn new_check(role: &str, path: &Path) -> FileCheck {
    FileCheck {
        role: role.to_owned(),
        path: path.display().to_string(),
        holds: "nothing usable".into(),
        usable: false,
        notes: Vec::new(),
    }
}

/// A new check of `path` in `role` with its bytes read: `Err` is the finished (unusable) check
/// when the file cannot be read.
fn start_check(role: &str, path: &Path) -> Result<(Vec<u8>, FileCheck), FileCheck> {
    let mut check = new_check(role, path);
    match read(path) {
        Ok(bytes) => Ok((bytes, check)),
        Err(note) => {
            check.notes.push(note);
            Err(check)
        }
    }
}

/// Reads at most [`MAX_FILE`] bytes; `Err` is the note to record.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "the file does not exist".to_owned(),
        std::io::ErrorKind::PermissionDenied => {
            "the file is not readable by this user (permission denied)".to_owned()
        }
        _ => format!("cannot open: {e}"),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.is_empty() {
        return Err("the file is empty (0 bytes)".into());
    }
    Ok(bytes)
}

/// Tolerated oddities OpenSSL reads through; returns the bytes to parse.
fn tolerate(bytes: &[u8], notes: &mut Vec<String>) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        notes.push(
            "starts with a UTF-8 byte-order mark (tolerated by OpenSSL; some parsers refuse it)"
                .into(),
        );
        bytes.drain(..3);
    }
    if bytes.windows(2).any(|w| w == b"\r\n") {
        notes.push("CRLF line endings (tolerated)".into());
    }
    if let Some(at) = find(&bytes, b"-----BEGIN")
        && !bytes[..at].iter().all(u8::is_ascii_whitespace)
    {
        notes.push("text before the first PEM block (tolerated: OpenSSL skips it)".into());
    }
    bytes
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn pem_problem(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { .. } => "truncated: a PEM block has no END line".into(),
        pem::Error::Base64Decode(detail) => {
            format!("corrupted: invalid base64 inside a PEM block ({detail})")
        }
        pem::Error::IllegalSectionStart { .. } => "malformed PEM BEGIN line".into(),
        other => format!("unreadable PEM: {other}"),
    }
}

fn read_certs(role: &str, path: &Path) -> (Vec<CertificateDer<'static>>, FileCheck) {
    let (bytes, mut check) = match start_check(role, path) {
        Ok(read) => read,
        Err(check) => return (Vec::new(), check),
    };
    let text = tolerate(&bytes, &mut check.notes);
    if find(&text, b"-----BEGIN").is_none() {
        if X509Certificate::from_der(&bytes).is_ok() {
            check.holds = "a DER certificate".into();
            check
                .notes
                .push("DER, not PEM: MySQL clients read PEM only".into());
            return (vec![CertificateDer::from(bytes)], check);
        }
        check.notes.push("neither PEM nor a DER certificate".into());
        return (Vec::new(), check);
    }
    let mut certs = Vec::new();
    for (i, item) in CertificateDer::pem_slice_iter(&text).enumerate().take(1000) {
        match item {
            Ok(der) => {
                if let Err(e) = X509Certificate::from_der(der.as_ref()) {
                    check.notes.push(format!(
                        "PEM block #{} decodes but is not a valid X.509 certificate ({e})",
                        i + 1
                    ));
                    return (certs, check);
                }
                certs.push(der);
            }
            Err(e) => {
                check.notes.push(pem_problem(&e));
                check.holds = format!("PEM, {} complete certificate(s)", certs.len());
                return (certs, check);
            }
        }
    }
    if certs.is_empty() {
        check
            .notes
            .push("no CERTIFICATE block (does it hold a key instead?)".into());
        return (certs, check);
    }
    check.holds = format!("PEM, {} certificate(s)", certs.len());
    check.usable = true;
    (certs, check)
}

fn read_key(path: &Path) -> (Option<PrivateKeyDer<'static>>, FileCheck) {
    let (bytes, mut check) = match start_check("key", path) {
        Ok(read) => read,
        Err(check) => return (None, check),
    };
    let text = tolerate(&bytes, &mut check.notes);
    if find(&text, b"-----BEGIN").is_none() {
        return match PrivateKeyDer::try_from(bytes.as_slice()) {
            Ok(key) => {
                check.holds = format!("a DER private key ({})", key_kind(&key));
                check.notes.push(
                    "DER, not PEM: MySQL clients read PEM only (Unable to get private key)".into(),
                );
                (Some(key.clone_key()), check)
            }
            Err(_) => {
                check.notes.push("neither PEM nor a DER private key".into());
                (None, check)
            }
        };
    }
    if find(&text, b"ENCRYPTED").is_some() {
        check.holds = "an encrypted PEM private key".into();
        check
            .notes
            .push("passphrase-protected: MySQL clients cannot ask for a passphrase".into());
        return (None, check);
    }
    match PrivateKeyDer::from_pem_slice(&text) {
        Ok(key) => {
            check.holds = format!("a PEM private key ({})", key_kind(&key));
            check.usable = true;
            (Some(key), check)
        }
        Err(pem::Error::NoItemsFound) => {
            check.notes.push("no PRIVATE KEY block".into());
            (None, check)
        }
        Err(e) => {
            check.notes.push(pem_problem(&e));
            (None, check)
        }
    }
}

fn key_kind(key: &PrivateKeyDer<'_>) -> &'static str {
    match key {
        PrivateKeyDer::Pkcs1(_) => "PKCS#1 RSA",
        PrivateKeyDer::Sec1(_) => "SEC1 EC",
        PrivateKeyDer::Pkcs8(_) => "PKCS#8",
        _ => "unknown format",
    }
}

/// `Some(problem)` when `key` does not belong to `cert` (public keys differ); `None` when it
/// does or cannot be told (a key type ring cannot load is reported as a note elsewhere).
fn key_mismatch(key: &PrivateKeyDer<'_>, cert: &CertificateDer<'_>) -> Option<String> {
    let signing = rustls::crypto::ring::sign::any_supported_type(key).ok()?;
    let public = signing.public_key()?;
    let (_, x509) = X509Certificate::from_der(cert.as_ref()).ok()?;
    (x509.public_key().raw != public.as_ref()).then(|| {
        format!(
            "the key does not belong to the certificate {} (different public keys)",
            x509.subject()
        )
    })
}

fn read_crls(path: &Path) -> (Vec<CertificateRevocationListDer<'static>>, FileCheck) {
    let (bytes, mut check) = match start_check("crl", path) {
        Ok(read) => read,
        Err(check) => return (Vec::new(), check),
    };
    let text = tolerate(&bytes, &mut check.notes);
    if find(&text, b"-----BEGIN").is_none() {
        check.holds = "DER".into();
        check
            .notes
            .push("DER, not PEM: MySQL clients read PEM only".into());
        return (vec![CertificateRevocationListDer::from(bytes)], check);
    }
    let mut crls = Vec::new();
    for item in CertificateRevocationListDer::pem_slice_iter(&text).take(1000) {
        match item {
            Ok(crl) => crls.push(crl),
            Err(e) => {
                check.notes.push(pem_problem(&e));
                return (crls, check);
            }
        }
    }
    if crls.is_empty() {
        check.notes.push("no X509 CRL block".into());
    } else {
        check.holds = format!("PEM, {} CRL(s)", crls.len());
        check.usable = true;
    }
    (crls, check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// A CA, a client certificate, and every client-side file form the catalog knows, minted by
    /// certgen into a temp dir.
    const SCENARIO: &str = r#"
description = "client files in every form"
[certs.ca]
subject_cn = "Doctor Test CA"
is_ca = true
key = "rsa2048-1"
[certs.client]
subject_cn = "doctor-client"
issuer = "ca"
key = "rsa2048-3"
[files]
"ca.pem" = { certs = ["ca"] }
"server-cert.pem" = { certs = ["client"] }
"server-key.pem" = { key = "rsa2048-3" }
"ca.der" = { certs = ["ca"], encoding = "der" }
"ca-truncated.pem" = { certs = ["ca"], fault = "truncated" }
"ca-garbage.pem" = { certs = ["ca"], fault = "garbage-base64" }
"ca-bom.pem" = { certs = ["ca"], fault = "bom" }
"ca-crlf.pem" = { certs = ["ca"], fault = "crlf" }
"ca-leading-text.pem" = { certs = ["ca"], fault = "leading-text" }
"ca-empty.pem" = { certs = ["ca"], fault = "empty" }
"ca-missing.pem" = { certs = ["ca"], fault = "missing" }
"ca-unreadable.pem" = { certs = ["ca"], mode = "0000" }
"client-cert.pem" = { certs = ["client"] }
"client-key.pem" = { key = "rsa2048-3" }
"client-key.der" = { key = "rsa2048-3", encoding = "der" }
"client-key-encrypted.pem" = { key = "rsa2048-3", passphrase = "secret" }
"client-key-truncated.pem" = { key = "rsa2048-3", fault = "truncated" }
"other-key.pem" = { key = "rsa2048-5" }
"#;

    fn minted() -> tempfile::TempDir {
        let scenario =
            scenario::parse(Path::new("doctor-files.toml"), SCENARIO).expect("scenario parses");
        let fixtures =
            certgen::generate(&scenario, time::OffsetDateTime::now_utc()).expect("mints");
        let dir = tempfile::tempdir().expect("temp dir");
        fixtures.write_to(dir.path()).expect("writes");
        dir
    }

    fn running_as_root() -> bool {
        std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
    }

    #[rstest]
    #[case::pem("ca.pem", true, 1, "")]
    #[case::bom_tolerated("ca-bom.pem", true, 1, "byte-order mark")]
    #[case::crlf_tolerated("ca-crlf.pem", true, 1, "CRLF")]
    #[case::leading_text_tolerated("ca-leading-text.pem", true, 1, "text before")]
    #[case::der_decoded_but_unusable("ca.der", false, 1, "DER, not PEM")]
    #[case::truncated("ca-truncated.pem", false, 0, "truncated")]
    #[case::garbage("ca-garbage.pem", false, 0, "invalid base64")]
    #[case::empty("ca-empty.pem", false, 0, "empty")]
    #[case::missing("ca-missing.pem", false, 0, "does not exist")]
    fn ca_files_are_checked_like_mysql_clients_read_them(
        #[case] file: &str,
        #[case] usable: bool,
        #[case] decoded: usize,
        #[case] note: &str,
    ) {
        let dir = minted();
        let out = check(Some(&dir.path().join(file)), None, None, None);
        assert_eq!(out.anchors.len(), decoded, "{file}: {:?}", out.checks);
        assert_eq!(out.checks[0].usable, usable, "{file}: {:?}", out.checks);
        assert!(
            note.is_empty() || out.checks[0].notes.iter().any(|n| n.contains(note)),
            "{file}: {:?}",
            out.checks
        );
        assert_eq!(out.causes.len(), usize::from(!usable));
        if !usable {
            assert_eq!(out.causes[0].cause, CauseKind::ClientFileUnusable);
        }
    }

    /// A mode-0000 CA file: unusable with "permission denied" for an ordinary user; root (as
    /// CI runs) reads it like any root client would, so there it is usable.
    #[test]
    fn mode_0000_ca_file_depends_on_the_user() {
        let dir = minted();
        let out = check(
            Some(&dir.path().join("ca-unreadable.pem")),
            None,
            None,
            None,
        );
        if running_as_root() {
            assert!(
                out.checks[0].usable,
                "root reads mode 0000: {:?}",
                out.checks
            );
        } else {
            assert!(!out.checks[0].usable);
            assert!(out.checks[0].notes[0].contains("permission denied"));
        }
    }

    #[test]
    fn a_directory_given_as_ca_file_is_unusable() {
        let dir = minted();
        let out = check(Some(dir.path()), None, None, None);
        assert!(!out.checks[0].usable, "{:?}", out.checks);
        assert!(
            out.checks[0].notes[0].contains("cannot read")
                || out.checks[0].notes[0].contains("cannot open"),
            "{:?}",
            out.checks
        );
        assert_eq!(out.causes[0].cause, CauseKind::ClientFileUnusable);
    }

    #[test]
    fn matching_pem_cert_and_key_give_an_identity() {
        let dir = minted();
        let p = |f: &str| dir.path().join(f);
        let out = check(
            None,
            Some(&p("client-cert.pem")),
            Some(&p("client-key.pem")),
            None,
        );
        assert!(out.causes.is_empty(), "{:?}", out.checks);
        assert!(out.identity.is_some());
        assert!(out.checks.iter().all(|c| c.usable));
    }

    #[rstest]
    #[case::der_key("client-key.der", "DER, not PEM")]
    #[case::encrypted_key("client-key-encrypted.pem", "passphrase")]
    #[case::truncated_key("client-key-truncated.pem", "truncated")]
    #[case::key_of_another_cert("other-key.pem", "does not belong")]
    fn unusable_client_keys_are_named(#[case] key: &str, #[case] note: &str) {
        let dir = minted();
        let p = |f: &str| dir.path().join(f);
        let out = check(None, Some(&p("client-cert.pem")), Some(&p(key)), None);
        let key_check = out
            .checks
            .iter()
            .find(|c| c.role == "key")
            .expect("key checked");
        assert!(!key_check.usable, "{key}: {key_check:?}");
        assert!(
            key_check.notes.iter().any(|n| n.contains(note)),
            "{key}: {key_check:?}"
        );
        assert!(out.identity.is_none());
        assert_eq!(out.causes.len(), 1);
        assert_eq!(out.causes[0].cause, CauseKind::ClientFileUnusable);
    }
}
