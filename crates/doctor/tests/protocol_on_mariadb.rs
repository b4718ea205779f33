//! The version and cipher inferences where MySQL 9 cannot show them: it refuses to start with
//! TLSv1.1 or with legacy suites only, MariaDB 11.8 starts and answers with alerts. rustls
//! speaks only TLS 1.2 and 1.3, so the doctor infers "older versions only" from
//! `protocol_version` alerts and "no shared cipher" from `handshake_failure`. Real server,
//! real scenario files. Needs Docker and the `mariadb-11.8` image.

use containers::RunLabels;
use doctor::CauseKind::{self, *};
use rstest::rstest;
use servers::{Boot, Flavor, Server};
use std::time::Duration;

#[rstest]
#[case::tls11_only("server/tls11-only-server", &[TlsVersionMismatch])]
#[case::legacy_rsa_kex_suite_only("reports/rsa-kex-cipher-rustls", &[NoSharedCipher])]
#[case::aes128_sha_only("reports/no-shared-cipher", &[NoSharedCipher])]
#[case::ecdsa_suite_with_rsa_key("server/cipher-no-overlap", &[NoSharedCipher])]
#[case::tls13_only("server/tls13-only-client-tls12", &[TlsVersionMismatch])]
#[case::tls12_only_is_fine("server/tls12-only", &[])]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_causes_are_inferred_from_alerts(#[case] id: &str, #[case] want: &[CauseKind]) {
    let root = harness::scenarios_root();
    let scenario = scenario::load(&root, &root.join(format!("{id}.toml"))).expect("scenario loads");
    let flavor = Flavor::by_name("mariadb-11.8").expect("known flavor");
    let fixtures = certgen::generate(&scenario, time::OffsetDateTime::now_utc()).expect("fixtures");
    let dir = tempfile::tempdir().expect("temp dir");
    fixtures.write_to(dir.path()).expect("written");
    let boot = Server::boot(
        flavor,
        &scenario,
        &fixtures,
        &RunLabels::for_this_process(),
        Duration::from_secs(90),
    )
    .await
    .expect("boots");
    let Boot::Ready(server) = boot else {
        panic!("{id}: mariadb-11.8 did not start");
    };
    let mut request = doctor::Request::new("127.0.0.1", server.host_port);
    request.ca = Some(dir.path().join(&scenario.client.ca));
    let diagnosis = doctor::diagnose(&request).await.expect("diagnoses");
    assert_eq!(
        diagnosis.cause_kinds(),
        want.to_vec(),
        "{id}:\n{}",
        doctor::render_text(&diagnosis)
    );
}
