//! Checks the generated fixtures with tools other than rcgen: `openssl verify`/`x509`/`pkey`
//! for chain and key behaviour, x509-parser for structure. One test per slice defect.

mod common;

use common::{first_cert, fixtures, openssl, scenarios_root};
use std::path::Path;
use time::OffsetDateTime;
use x509_parser::{certificate::X509Certificate, prelude::FromDer, x509::X509Version};

#[test]
fn valid_chain_verifies_with_openssl_and_has_expected_structure() {
    let dir = fixtures("basic/valid");
    let (ok, text) = openssl(
        dir.path(),
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-verify_ip",
            "127.0.0.1",
            "server-cert.pem",
        ],
    );
    assert!(ok, "{text}");
    let (ok, text) = openssl(
        dir.path(),
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-verify_hostname",
            "localhost",
            "client-cert.pem",
        ],
    );
    assert!(
        !ok && text.contains("error 62"),
        "client cert has no SAN, so hostname check fails: {text}"
    );

    let der = first_cert(dir.path(), "server-cert.pem");
    let (_, cert) = X509Certificate::from_der(&der).expect("DER");
    assert_eq!(cert.version(), X509Version::V3);
    assert_eq!(cert.issuer().to_string(), "CN=MySQL TLS Harness Test CA");
    let san = cert
        .subject_alternative_name()
        .expect("ext")
        .expect("SAN present")
        .value;
    let names: Vec<String> = san.general_names.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        ["DNSName(localhost)", "IPAddress(7f:00:00:01)"],
        "x509-parser prints IPs as hex"
    );
    let lifetime = cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp();
    assert_eq!(lifetime, 366 * 86_400, "default window is -1d..+365d");

    let ca_der = first_cert(dir.path(), "ca.pem");
    let (_, ca) = X509Certificate::from_der(&ca_der).expect("DER");
    assert!(
        ca.basic_constraints()
            .expect("ext")
            .expect("present")
            .value
            .ca
    );
}

#[test]
fn expired_server_cert_fails_openssl_verify_with_error_10() {
    let dir = fixtures("basic/expired-server-cert");
    let (ok, text) = openssl(
        dir.path(),
        &["verify", "-CAfile", "ca.pem", "server-cert.pem"],
    );
    assert!(!ok && text.contains("error 10 at 0 depth"), "{text}");
    let (_, dates) = openssl(
        dir.path(),
        &["x509", "-in", "server-cert.pem", "-noout", "-checkend", "0"],
    );
    assert!(dates.contains("will expire"), "{dates}");
}

#[test]
fn wrong_ca_fails_openssl_verify_with_error_20() {
    let dir = fixtures("basic/wrong-ca");
    let (ok, text) = openssl(
        dir.path(),
        &["verify", "-CAfile", "other-ca.pem", "server-cert.pem"],
    );
    assert!(!ok && text.contains("error 20 at 0 depth"), "{text}");
    let (ok, text) = openssl(
        dir.path(),
        &["verify", "-CAfile", "ca.pem", "server-cert.pem"],
    );
    assert!(ok, "the server's own CA still verifies it: {text}");
}

#[test]
fn san_mismatch_fails_ip_check_but_passes_its_own_name() {
    let dir = fixtures("basic/san-mismatch");
    let (ok, text) = openssl(
        dir.path(),
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-verify_ip",
            "127.0.0.1",
            "server-cert.pem",
        ],
    );
    assert!(
        !ok && text.contains("error 64"),
        "IP address mismatch expected: {text}"
    );
    let (ok, text) = openssl(
        dir.path(),
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-verify_hostname",
            "db.example.test",
            "server-cert.pem",
        ],
    );
    assert!(ok, "{text}");
}

#[test]
fn der_server_cert_is_der_not_pem() {
    let dir = fixtures("basic/der-server-cert");
    let bytes = std::fs::read(dir.path().join("server-cert.pem")).expect("file");
    assert_eq!(bytes[0], 0x30, "DER starts with a SEQUENCE tag");
    assert!(
        !String::from_utf8_lossy(&bytes).contains("-----BEGIN"),
        "no PEM armor"
    );
    let (ok, text) = openssl(
        dir.path(),
        &["x509", "-inform", "PEM", "-in", "server-cert.pem", "-noout"],
    );
    assert!(!ok, "openssl must not read it as PEM: {text}");
    let (ok, text) = openssl(
        dir.path(),
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "server-cert.pem",
            "-noout",
            "-subject",
        ],
    );
    assert!(
        ok && (text.contains("CN=mysql-server") || text.contains("CN = mysql-server")),
        "{text}"
    );
}

#[test]
fn key_mismatch_public_keys_differ() {
    let pubkey_of_cert = |dir: &Path| {
        openssl(
            dir,
            &["x509", "-in", "server-cert.pem", "-noout", "-pubkey"],
        )
        .1
    };
    let pubkey_of_key = |dir: &Path| openssl(dir, &["pkey", "-in", "server-key.pem", "-pubout"]).1;
    let bad = fixtures("basic/key-mismatch");
    assert_ne!(pubkey_of_cert(bad.path()), pubkey_of_key(bad.path()));
    let good = fixtures("basic/valid");
    assert_eq!(
        pubkey_of_cert(good.path()),
        pubkey_of_key(good.path()),
        "control: the valid pair matches"
    );
}

#[test]
fn same_scenario_and_now_give_identical_bytes() {
    let root = scenarios_root();
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("valid instant");
    for path in scenario::discover(&root).expect("scenarios") {
        let scenario = scenario::load(&root, &path).expect("loads");
        let a = certgen::generate(&scenario, now).expect("generates");
        let b = certgen::generate(&scenario, now).expect("generates");
        assert_eq!(a, b, "{}", scenario.id);
        assert!(
            a.manifest.now.starts_with("2026-09-21T"),
            "{}",
            a.manifest.now
        );
    }
}
