//! The doctor presents `--cert`/`--key` like a client: against a real MySQL 9 whose ssl_ca
//! issued the client certificate the handshake completes; a certificate from another CA is
//! refused by the server (after the handshake under TLS 1.3), which the doctor names
//! `client_certificate_rejected` while the probes without a certificate still connect.
//! Needs Docker and the `mysql-9` image.

use containers::RunLabels;
use servers::{Boot, Flavor, Server};
use std::time::Duration;

const SCENARIO: &str = r#"
description = "The server trusts one CA; one client certificate is from it, one from another CA."
[certs.ca]
subject_cn = "Doctor Test CA"
is_ca = true
key = "rsa2048-1"
not_after = "+3650d"
[certs.server]
subject_cn = "mysql-server"
issuer = "ca"
key = "rsa2048-2"
san = ["DNS:localhost", "IP:127.0.0.1"]
[certs.client]
subject_cn = "doctor-client"
issuer = "ca"
key = "rsa2048-3"
eku = ["clientAuth"]
[certs.other_ca]
subject_cn = "Some Other CA"
is_ca = true
key = "rsa2048-4"
[certs.stranger]
subject_cn = "stranger"
issuer = "other_ca"
key = "rsa2048-5"
eku = ["clientAuth"]
[files]
"ca.pem" = { certs = ["ca"] }
"server-cert.pem" = { certs = ["server"] }
"server-key.pem" = { key = "rsa2048-2" }
"client-cert.pem" = { certs = ["client"] }
"client-key.pem" = { key = "rsa2048-3" }
"stranger-cert.pem" = { certs = ["stranger"] }
"stranger-key.pem" = { key = "rsa2048-5" }
[server]
flavors = ["mysql-9"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificate_from_another_ca_is_named_rejected() {
    let mut scenario = scenario::parse(std::path::Path::new("doctor/client-cert.toml"), SCENARIO)
        .expect("scenario parses");
    scenario.id = "doctor/client-cert".into();
    let flavor = Flavor::by_name("mysql-9").expect("known flavor");
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
        panic!("mysql-9 did not start");
    };
    let request = |cert: &str, key: &str| {
        let mut r = doctor::Request::new("127.0.0.1", server.host_port);
        r.ca = Some(dir.path().join("ca.pem"));
        r.cert = Some(dir.path().join(cert));
        r.key = Some(dir.path().join(key));
        r.probe_ciphers = false;
        r
    };

    let trusted = doctor::diagnose(&request("client-cert.pem", "client-key.pem"))
        .await
        .expect("diagnoses");
    assert!(
        trusted.causes.is_empty(),
        "{}",
        doctor::render_text(&trusted)
    );

    let stranger = doctor::diagnose(&request("stranger-cert.pem", "stranger-key.pem"))
        .await
        .expect("diagnoses");
    assert_eq!(
        stranger.cause_kinds(),
        vec![doctor::CauseKind::ClientCertificateRejected],
        "{}",
        doctor::render_text(&stranger)
    );
    let json = serde_json::to_value(&stranger).expect("serializes");
    assert_eq!(json["causes"][0]["cause"], "client_certificate_rejected");
    assert_eq!(json["causes"][0]["severity"], "error");
}
