//! The chain, date and name checks offline, on the certificates certgen mints for real scenario
//! files: the server's certificate file as the chain, the client's CA (and CRL) file, the
//! scenario's `client.host` as the name. No network: this pins `doctor::analyze` itself; the
//! live view (with what MySQL actually sends) is `confusion.rs`.

use doctor::{CauseKind, ChainInput, Severity};
use rstest::rstest;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

fn causes_of(id: &str) -> Vec<(CauseKind, Severity)> {
    let root = harness::scenarios_root();
    let scenario = scenario::load(&root, &root.join(format!("{id}.toml"))).expect("scenario loads");
    let now = time::OffsetDateTime::now_utc();
    let fixtures = certgen::generate(&scenario, now).expect("fixtures");
    let dir = tempfile::tempdir().expect("temp dir");
    certgen::write_files(dir.path(), &fixtures.files).expect("written");
    let server_pem = &fixtures.files[&scenario.server.ssl_cert].bytes;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(server_pem)
        .collect::<Result<_, _>>()
        .expect("server chain is PEM");
    let files = doctor::check_files(
        Some(&dir.path().join(&scenario.client.ca)),
        None,
        None,
        scenario
            .client
            .crl
            .as_ref()
            .map(|c| dir.path().join(c))
            .as_deref(),
    );
    let report = doctor::analyze(&ChainInput {
        chain: &chain,
        anchors: &files.anchors,
        crls: &files.crls,
        server_name: &scenario.client.host,
        now,
    });
    let mut found: Vec<(CauseKind, Severity)> = report
        .causes
        .iter()
        .map(|c| (c.cause, c.severity))
        .collect();
    found.sort();
    found
}

use CauseKind::*;
use Severity::{Error as E, Warning as W};

#[rstest]
#[case::valid("basic/valid", &[])]
#[case::full_chain("chain/full-chain", &[])]
#[case::expired_leaf("basic/expired-server-cert", &[(Expired, E)])]
#[case::expired_ca_in_ca_file("validity/expired-ca", &[(Expired, E)])]
#[case::expired_intermediate("validity/expired-intermediate", &[(Expired, E)])]
#[case::not_yet_valid("validity/not-yet-valid-server-cert", &[(NotYetValid, E)])]
#[case::wrong_ca("basic/wrong-ca", &[(ChainUntrusted, E)])]
#[case::missing_intermediate("chain/missing-intermediate", &[(ChainUntrusted, E)])]
#[case::self_signed_leaf("trust/self-signed-server-cert", &[(ChainUntrusted, E)])]
#[case::pinned_self_signed_leaf("trust/self-signed-trusted-directly", &[])]
#[case::same_subject_ca("trust/same-subject-ca", &[])]
#[case::intermediate_not_ca("constraints/ca-not-ca", &[(ChainUntrusted, E)])]
#[case::ca_without_keycertsign("constraints/ca-without-keycertsign", &[(ChainUntrusted, E)])]
#[case::pathlen_exceeded("constraints/pathlen-exceeded", &[(ChainUntrusted, E)])]
#[case::root_without_ca_true("reports/ca-without-ca-true-mysql-cli", &[(ChainUntrusted, E)])]
#[case::clientauth_only_eku("constraints/server-eku-clientauth", &[(CertificateUnacceptable, E)])]
#[case::sha1_signature("crypto/sha1-server-cert", &[(CertificateUnacceptable, E)])]
#[case::md5_signature("crypto/md5-server-cert", &[(CertificateUnacceptable, E)])]
#[case::rsa1024_leaf("crypto/rsa1024-server-key", &[(CertificateUnacceptable, E)])]
#[case::v1_ca_is_fine("crypto/x509-v1-ca", &[])]
#[case::v1_leaf("crypto/x509-v1-server-cert", &[(NameMismatch, E), (CertificateUnacceptable, W)])]
#[case::san_mismatch("basic/san-mismatch", &[(NameMismatch, E)])]
#[case::cn_only("names/cn-only", &[(NameMismatch, W)])]
#[case::ip_not_in_san("names/ip-san-missing", &[(NameMismatch, E)])]
#[case::dns_not_in_san("names/dns-san-missing", &[(NameMismatch, E)])]
#[case::wildcard_not_bare("names/wildcard-not-bare", &[(NameMismatch, E)])]
#[case::revoked("revocation/revoked-server-cert-client-crl", &[(Revoked, E)])]
#[case::not_revoked("revocation/not-revoked-client-crl", &[])]
fn chain_checks_name_the_scenario_defect(#[case] id: &str, #[case] want: &[(CauseKind, Severity)]) {
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(causes_of(id), want, "{id}");
}
