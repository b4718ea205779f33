//! Every certificate scenario of the defect catalog, checked with something other than rcgen:
//! `openssl verify` for chain behaviour (with the error number OpenSSL reports), `openssl
//! x509/pkey` for encodings and keys, x509-parser for structure. Fixtures are generated at the
//! real current time because openssl verifies against the clock.

mod common;

use common::{first_cert, fixtures, openssl};
use rstest::rstest;
use std::os::unix::fs::PermissionsExt as _;
use x509_parser::{certificate::X509Certificate, prelude::FromDer, x509::X509Version};

/// `openssl verify ARGS` in the scenario's fixture dir: `expected` is `"OK"` or the OpenSSL
/// error text (`error N at D depth lookup: …`).
#[rstest]
#[case(
    "validity/not-yet-valid-server-cert",
    "-CAfile ca.pem server-cert.pem",
    "error 9 at 0 depth lookup: certificate is not yet valid"
)]
#[case(
    "validity/expired-ca",
    "-CAfile ca.pem server-cert.pem",
    "error 10 at 1 depth lookup: certificate has expired"
)]
#[case(
    "validity/expired-intermediate",
    "-CAfile ca.pem -untrusted server-cert.pem server-cert.pem",
    "error 10 at 1 depth lookup: certificate has expired"
)]
#[case(
    "trust/self-signed-server-cert",
    "-CAfile ca.pem server-cert.pem",
    "error 18 at 0 depth lookup: self-signed certificate"
)]
#[case(
    "trust/self-signed-trusted-directly",
    "-CAfile ca.pem server-cert.pem",
    "OK"
)]
#[case("trust/same-subject-ca", "-CAfile client-ca.pem server-cert.pem", "OK")]
#[case(
    "names/cn-only",
    "-CAfile ca.pem -verify_hostname localhost server-cert.pem",
    "OK"
)]
#[case(
    "names/ip-san-missing",
    "-CAfile ca.pem -verify_ip 127.0.0.1 server-cert.pem",
    "error 64 at 0 depth lookup: IP address mismatch"
)]
#[case(
    "names/dns-san-missing",
    "-CAfile ca.pem -verify_hostname localhost server-cert.pem",
    "error 62 at 0 depth lookup: hostname mismatch"
)]
#[case(
    "names/wildcard-not-bare",
    "-CAfile ca.pem -verify_hostname localhost server-cert.pem",
    "error 62 at 0 depth lookup: hostname mismatch"
)]
#[case(
    "chain/full-chain",
    "-CAfile ca.pem -untrusted server-cert.pem server-cert.pem",
    "OK"
)]
#[case(
    "chain/missing-intermediate",
    "-CAfile ca.pem server-cert.pem",
    "error 20 at 0 depth lookup: unable to get local issuer certificate"
)]
#[case(
    "chain/rotated-intermediate",
    "-CAfile client-ca.pem server-cert.pem",
    "error 20 at 0 depth lookup: unable to get local issuer certificate"
)]
#[case(
    "constraints/ca-not-ca",
    "-CAfile ca.pem -untrusted server-cert.pem server-cert.pem",
    "error 32 at 1 depth lookup: key usage does not include certificate signing"
)]
#[case(
    "constraints/ca-without-keycertsign",
    "-CAfile ca.pem server-cert.pem",
    "error 32 at 1 depth lookup: key usage does not include certificate signing"
)]
#[case(
    "constraints/pathlen-exceeded",
    "-CAfile ca.pem -untrusted server-cert.pem server-cert.pem",
    "error 25 at 2 depth lookup: path length constraint exceeded"
)]
#[case(
    "constraints/server-eku-clientauth",
    "-purpose sslserver -CAfile ca.pem server-cert.pem",
    "error 26 at 0 depth lookup: unsuitable certificate purpose"
)]
#[case("crypto/x509-v1-server-cert", "-CAfile ca.pem server-cert.pem", "OK")]
#[case("crypto/x509-v1-ca", "-CAfile ca.pem server-cert.pem", "OK")]
#[case(
    "crypto/sha1-server-cert",
    "-auth_level 1 -CAfile ca.pem server-cert.pem",
    "error 68 at 0 depth lookup: CA signature digest algorithm too weak"
)]
#[case(
    "crypto/md5-server-cert",
    "-auth_level 1 -CAfile ca.pem server-cert.pem",
    "error 68 at 0 depth lookup: CA signature digest algorithm too weak"
)]
#[case(
    "crypto/rsa1024-server-key",
    "-auth_level 2 -CAfile ca.pem server-cert.pem",
    "error 66 at 0 depth lookup: EE certificate key too weak"
)]
#[case(
    "crypto/rsa4096-server-key",
    "-auth_level 2 -CAfile ca.pem server-cert.pem",
    "OK"
)]
#[case("crypto/ec-p256-server-key", "-CAfile ca.pem server-cert.pem", "OK")]
#[case("crypto/ed25519-server-key", "-CAfile ca.pem server-cert.pem", "OK")]
#[case("encoding/crlf-server-cert", "-CAfile ca.pem server-cert.pem", "OK")]
#[case("encoding/bom-ca", "-CAfile ca.pem server-cert.pem", "OK")]
#[case("encoding/leading-text-ca", "-CAfile ca.pem server-cert.pem", "OK")]
#[case(
    "revocation/revoked-server-cert-client-crl",
    "-crl_check -CAfile ca.pem -CRLfile crl.pem server-cert.pem",
    "error 23 at 0 depth lookup: certificate revoked"
)]
#[case(
    "revocation/not-revoked-client-crl",
    "-crl_check -CAfile ca.pem -CRLfile crl.pem server-cert.pem",
    "OK"
)]
fn openssl_verify_agrees_with_the_defect(
    #[case] id: &str,
    #[case] args: &str,
    #[case] expected: &str,
) {
    let dir = fixtures(id);
    let mut argv = vec!["verify"];
    argv.extend(args.split(' '));
    let (ok, text) = openssl(dir.path(), &argv);
    if expected == "OK" {
        assert!(ok && text.contains(": OK"), "{id}: {text}");
    } else {
        assert!(
            !ok && text.contains(expected),
            "{id}: expected `{expected}`, got {text}"
        );
    }
}

/// Files openssl must refuse in the format their name claims (PEM), and what it does accept.
#[rstest]
#[case("encoding/der-server-key", &["pkey", "-inform", "PEM", "-in", "server-key.pem", "-noout"], &["pkey", "-inform", "DER", "-in", "server-key.pem", "-noout"])]
#[case("encoding/der-ca", &["x509", "-inform", "PEM", "-in", "ca.pem", "-noout"], &["x509", "-inform", "DER", "-in", "ca.pem", "-noout"])]
#[case("encoding/encrypted-server-key", &["pkey", "-in", "server-key.pem", "-passin", "pass:wrong", "-noout"], &["pkey", "-in", "server-key.pem", "-passin", "pass:test-passphrase", "-noout"])]
#[case("encoding/truncated-server-cert", &["x509", "-inform", "PEM", "-in", "server-cert.pem", "-noout"], &["x509", "-inform", "PEM", "-in", "ca.pem", "-noout"])]
#[case("encoding/garbage-base64-server-cert", &["x509", "-inform", "PEM", "-in", "server-cert.pem", "-noout"], &["x509", "-inform", "PEM", "-in", "ca.pem", "-noout"])]
#[case("files/empty-server-key", &["pkey", "-in", "server-key.pem", "-noout"], &["x509", "-in", "server-cert.pem", "-noout"])]
fn openssl_refuses_broken_encodings(
    #[case] id: &str,
    #[case] refused: &[&str],
    #[case] accepted: &[&str],
) {
    let dir = fixtures(id);
    let (ok, text) = openssl(dir.path(), refused);
    assert!(!ok, "{id}: openssl accepted {refused:?}: {text}");
    let (ok, text) = openssl(dir.path(), accepted);
    assert!(ok, "{id}: openssl refused {accepted:?}: {text}");
}

#[test]
fn file_level_faults_are_on_disk() {
    let missing = fixtures("files/missing-server-cert");
    assert!(!missing.path().join("server-cert.pem").exists());
    let unreadable = fixtures("files/unreadable-server-key");
    let mode = std::fs::metadata(unreadable.path().join("server-key.pem"))
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0);
    let empty = fixtures("files/empty-server-key");
    assert_eq!(
        std::fs::metadata(empty.path().join("server-key.pem"))
            .expect("exists")
            .len(),
        0
    );
    let crlf = fixtures("encoding/crlf-server-cert");
    assert!(
        std::fs::read_to_string(crlf.path().join("server-cert.pem"))
            .expect("text")
            .contains("\r\n")
    );
    let bom = fixtures("encoding/bom-ca");
    assert!(
        std::fs::read(bom.path().join("ca.pem"))
            .expect("bytes")
            .starts_with(&[0xEF, 0xBB, 0xBF])
    );
    let truncated = fixtures("encoding/truncated-server-cert");
    assert!(
        !std::fs::read_to_string(truncated.path().join("server-cert.pem"))
            .expect("text")
            .contains("-----END")
    );
}

#[test]
fn structure_matches_the_spec_per_x509_parser() {
    let v1 = fixtures("crypto/x509-v1-server-cert");
    let der = first_cert(v1.path(), "server-cert.pem");
    let (_, cert) = X509Certificate::from_der(&der).expect("DER");
    assert_eq!(cert.version(), X509Version::V1);
    assert!(cert.extensions().is_empty(), "v1 has no extensions");

    for (id, oid) in [
        ("crypto/sha1-server-cert", "1.2.840.113549.1.1.5"),
        ("crypto/md5-server-cert", "1.2.840.113549.1.1.4"),
    ] {
        let dir = fixtures(id);
        let der = first_cert(dir.path(), "server-cert.pem");
        let (_, cert) = X509Certificate::from_der(&der).expect("DER");
        assert_eq!(
            cert.signature_algorithm.algorithm.to_id_string(),
            oid,
            "{id}"
        );
    }

    let eku = fixtures("constraints/server-eku-clientauth");
    let der = first_cert(eku.path(), "server-cert.pem");
    let (_, cert) = X509Certificate::from_der(&der).expect("DER");
    let eku = cert
        .extended_key_usage()
        .expect("ext")
        .expect("EKU present")
        .value;
    assert!(eku.client_auth && !eku.server_auth);

    let pathlen = fixtures("constraints/pathlen-exceeded");
    let der = first_cert(pathlen.path(), "ca.pem");
    let (_, ca) = X509Certificate::from_der(&der).expect("DER");
    assert_eq!(
        ca.basic_constraints()
            .expect("ext")
            .expect("present")
            .value
            .path_len_constraint,
        Some(0)
    );

    let cn_only = fixtures("names/cn-only");
    let der = first_cert(cn_only.path(), "server-cert.pem");
    let (_, cert) = X509Certificate::from_der(&der).expect("DER");
    assert!(
        cert.subject_alternative_name().expect("ext").is_none(),
        "no SAN extension"
    );

    let wrong_order = fixtures("chain/wrong-order");
    let der = first_cert(wrong_order.path(), "server-cert.pem");
    let (_, first) = X509Certificate::from_der(&der).expect("DER");
    assert_eq!(
        first.subject().to_string(),
        "CN=MySQL TLS Harness Intermediate CA",
        "intermediate comes first"
    );

    let same = fixtures("trust/same-subject-ca");
    let bundle = std::fs::read(same.path().join("client-ca.pem")).expect("bundle");
    let subjects: Vec<String> = x509_parser::pem::Pem::iter_from_buffer(&bundle)
        .map(|p| {
            let pem = p.expect("PEM");
            let (_, c) = X509Certificate::from_der(&pem.contents).expect("DER");
            format!("{}#{}", c.subject(), c.raw_serial_as_string())
        })
        .collect();
    assert_eq!(subjects.len(), 2);
    assert_eq!(subjects[0], subjects[1], "same subject and serial");

    for (id, algo) in [
        ("crypto/ec-p256-server-key", "1.2.840.10045.2.1"),
        ("crypto/ed25519-server-key", "1.3.101.112"),
    ] {
        let dir = fixtures(id);
        let der = first_cert(dir.path(), "server-cert.pem");
        let (_, cert) = X509Certificate::from_der(&der).expect("DER");
        assert_eq!(
            cert.public_key().algorithm.algorithm.to_id_string(),
            algo,
            "{id}"
        );
    }
}
