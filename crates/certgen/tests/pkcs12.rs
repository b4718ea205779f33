//! The client identity packed as PKCS#12 ([`certgen::pack_identity`]), read back by OpenSSL
//! (`openssl pkcs12`, what native-tls uses) rather than by the crate that wrote it; and the
//! inputs `openssl pkcs12 -export` refuses, refused with the reason.

mod common;

use certgen::{FixtureFile, PKCS12_PASSWORD, Pkcs12Error, pack_identity};
use common::{fixtures, openssl};
use rstest::rstest;
use std::collections::BTreeMap;

/// The files of scenario `id` as written, by name.
fn files_of(dir: &std::path::Path) -> BTreeMap<String, FixtureFile> {
    std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).expect("readable");
            (name, FixtureFile { bytes, mode: 0o644 })
        })
        .collect()
}

/// `openssl pkcs12 -in client-identity.p12 ARGS -passin pass:…` in `dir` after writing the
/// bundle there; returns its output.
fn openssl_pkcs12(dir: &std::path::Path, bundle: &[u8], args: &[&str]) -> String {
    std::fs::write(dir.join("client-identity.p12"), bundle).expect("write bundle");
    let pass = format!("pass:{PKCS12_PASSWORD}");
    let mut argv = vec!["pkcs12", "-in", "client-identity.p12", "-passin", &pass];
    argv.extend_from_slice(args);
    let (ok, out) = openssl(dir, &argv);
    assert!(ok, "openssl pkcs12 {args:?} failed:\n{out}");
    out
}

/// The base64 body of the first PEM block labelled `label` in `text`.
fn pem_body(text: &str, label: &str) -> String {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("no {label} in:\n{text}"))
        + begin.len();
    let stop = start + text[start..].find(&end).expect("END line");
    text[start..stop].split_whitespace().collect()
}

#[rstest]
#[case::pem_key("server/require-x509-with-client-cert")]
#[case::der_key("reports/client-key-der")]
fn openssl_reads_back_the_certificate_and_key(#[case] id: &str) {
    let dir = fixtures(id);
    let files = files_of(dir.path());
    let bundle =
        pack_identity(&files, "client-cert.pem", "client-key.pem", PKCS12_PASSWORD).expect("packs");

    let certs = openssl_pkcs12(dir.path(), &bundle, &["-nokeys", "-clcerts"]);
    let (_, cert_file) = openssl(
        dir.path(),
        &["x509", "-in", "client-cert.pem", "-inform", "PEM"],
    );
    assert_eq!(
        pem_body(&certs, "CERTIFICATE"),
        pem_body(&cert_file, "CERTIFICATE")
    );

    let key = openssl_pkcs12(dir.path(), &bundle, &["-nocerts", "-noenc"]);
    let (ok, key_file) = openssl(dir.path(), &["pkey", "-in", "client-key.pem"]);
    assert!(ok, "{key_file}");
    assert_eq!(
        pem_body(&key, "PRIVATE KEY"),
        pem_body(&key_file, "PRIVATE KEY")
    );
}

#[test]
fn a_wrong_password_does_not_open_it() {
    let dir = fixtures("server/require-x509-with-client-cert");
    let files = files_of(dir.path());
    let bundle =
        pack_identity(&files, "client-cert.pem", "client-key.pem", PKCS12_PASSWORD).expect("packs");
    std::fs::write(dir.path().join("b.p12"), bundle).expect("write");
    let (ok, out) = openssl(
        dir.path(),
        &["pkcs12", "-in", "b.p12", "-passin", "pass:wrong", "-noout"],
    );
    assert!(!ok, "opened with a wrong password:\n{out}");
}

#[test]
fn refuses_what_openssl_pkcs12_export_refuses() {
    let dir = fixtures("server/require-x509-with-client-cert");
    let mut files = files_of(dir.path());
    let pack = |files: &BTreeMap<String, FixtureFile>| {
        pack_identity(files, "client-cert.pem", "client-key.pem", PKCS12_PASSWORD)
    };

    // The server's key with the client's certificate.
    let server_key = files["server-key.pem"].clone();
    let client_key = std::mem::replace(
        files.get_mut("client-key.pem").expect("client key"),
        server_key,
    );
    assert!(
        matches!(pack(&files), Err(Pkcs12Error::Mismatch { .. })),
        "{:?}",
        pack(&files).map(|b| b.len())
    );

    // A truncated key (no END line).
    let half = client_key.bytes[..client_key.bytes.len() / 2].to_vec();
    files.insert(
        "client-key.pem".into(),
        FixtureFile {
            bytes: half,
            mode: 0o644,
        },
    );
    let err = pack(&files).expect_err("truncated key");
    assert!(matches!(err, Pkcs12Error::Key { .. }), "{err}");

    // A missing certificate file.
    files.insert("client-key.pem".into(), client_key);
    files.remove("client-cert.pem");
    let err = pack(&files).expect_err("missing certificate");
    assert!(err.to_string().contains("client-cert.pem"), "{err}");
}
