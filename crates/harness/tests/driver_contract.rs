//! The driver contract end to end: the minimal example driver (drivers/example) in the clients
//! image, next to a real MySQL 9 server booted with `basic/valid`'s fixtures, answers cells;
//! a driver that never answers becomes `Hang` and is replaced; a driver that dies becomes a
//! `failed` outcome. Needs Docker and the locally built images (`cargo xtask test` builds them).

use clients::{Cell, DriverSpec, DriversHost, Endpoint, ExternalDriver};
use containers::RunLabels;
use outcome::{FailureKind, Outcome};
use scenario::SslMode;
use servers::{Boot, HARNESS_PASSWORD, MYSQL_9, Server};
use std::{path::PathBuf, time::Duration};

fn cell(ssl_mode: SslMode, ca: &str, timeout: Duration) -> Cell {
    Cell {
        ssl_mode,
        host: "127.0.0.1".into(),
        ca: ca.into(),
        crl: None,
        identity: None,
        pkcs12: None,
        tls_version: None,
        user: "harness".into(),
        password: HARNESS_PASSWORD.into(),
        timeout,
    }
}

fn spec(name: &str, command: &[&str]) -> DriverSpec {
    DriverSpec {
        name: name.into(),
        command: command.iter().map(|s| (*s).to_owned()).collect(),
        runs_on: clients::RunsOn::ClientsImage,
        build: None,
        family: None,
    }
}

const HELLO: &str = r#"{"hello":{"driver":"silent","version":"0","runtime":"sh","modes":{"DISABLED":{"options":"-"},"PREFERRED":{"options":"-"},"REQUIRED":{"options":"-"},"VERIFY_CA":{"options":"-"},"VERIFY_IDENTITY":{"options":"-"},"DEFAULT":{"options":"-"}}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drivers_answer_hang_and_die_through_the_contract() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let scenario = scenario::load(&root, &root.join("basic/valid.toml")).expect("scenario loads");
    let fixtures = certgen::generate(&scenario, time::OffsetDateTime::now_utc()).expect("fixtures");
    let labels = RunLabels::for_this_process();
    let Boot::Ready(server) = Server::boot(
        &MYSQL_9,
        &scenario,
        &fixtures,
        &labels,
        Duration::from_secs(90),
    )
    .await
    .expect("docker works") else {
        panic!("MySQL 9 starts with a valid chain");
    };
    let endpoint = Endpoint {
        netns: server.container_id().to_owned(),
        host_port: server.host_port,
        fixture_dir: std::env::temp_dir(),
    };
    let host = DriversHost::start(Some(&endpoint), &fixtures.files, &labels)
        .await
        .expect("clients container");
    let timeout = Duration::from_secs(5);

    let minimal = ExternalDriver::start(
        &spec(
            "minimal-example",
            &["python3", "/opt/drivers/example/minimal_driver.py"],
        ),
        &host.placement(),
    )
    .await
    .expect("the example driver says hello");
    assert!(
        !minimal.hello().version.is_empty(),
        "hello carries the library version"
    );
    let plain = minimal
        .attempt(&cell(SslMode::Disabled, "ca.pem", timeout))
        .await
        .expect("contract");
    assert_eq!(plain, Outcome::Connected { tls: None });
    let verified = minimal
        .attempt(&cell(SslMode::VerifyIdentity, "ca.pem", timeout))
        .await
        .expect("contract");
    assert!(
        matches!(&verified, Outcome::Connected { tls: Some(t) } if t.version.starts_with("TLSv1.")),
        "{verified}"
    );
    // Another leaf of the same CA is no anchor for the server certificate (Python 3.13+ accepts
    // a leaf as a partial-chain anchor only for itself): verification fails, as an outcome.
    let wrong_anchor = minimal
        .attempt(&cell(SslMode::VerifyIdentity, "client-cert.pem", timeout))
        .await
        .expect("contract");
    assert!(
        matches!(
            &wrong_anchor,
            Outcome::Failed {
                kind: FailureKind::Verification,
                code: Some(2003),
                ..
            }
        ),
        "{wrong_anchor}"
    );
    // Declared unsupported in the hello: answered by the harness from the table.
    let unsupported = minimal
        .attempt(&cell(SslMode::Required, "ca.pem", timeout))
        .await
        .expect("contract");
    assert!(
        matches!(unsupported, Outcome::Unsupported { .. }),
        "{unsupported}"
    );

    let silent_script = format!("echo '{HELLO}'; sleep 60");
    let silent = ExternalDriver::start(
        &spec("silent", &["sh", "-c", &silent_script]),
        &host.placement(),
    )
    .await
    .expect("hello");
    let hang = silent
        .attempt(&cell(
            SslMode::Disabled,
            "ca.pem",
            Duration::from_millis(500),
        ))
        .await
        .expect("a silent driver is a hang, not a harness fault");
    assert_eq!(hang, Outcome::Hang { after_ms: 500 });

    let dying_script = format!(
        "echo '{}'; read line; echo 'segfault in libfoo' >&2; exit 3",
        HELLO.replace("silent", "dying")
    );
    let dying = ExternalDriver::start(
        &spec("dying", &["sh", "-c", &dying_script]),
        &host.placement(),
    )
    .await
    .expect("hello");
    let died = dying
        .attempt(&cell(SslMode::Disabled, "ca.pem", timeout))
        .await
        .expect("data");
    assert!(
        matches!(&died, Outcome::Failed { raw_type, message, .. }
            if raw_type.starts_with("driver process exited") && message.contains("segfault in libfoo")),
        "{died}"
    );
    // The next cell gets a fresh process (which dies again the same way).
    let again = dying
        .attempt(&cell(SslMode::Disabled, "ca.pem", timeout))
        .await
        .expect("data");
    assert!(matches!(again, Outcome::Failed { .. }), "{again}");

    let liar = ExternalDriver::start(
        &spec("liar", &["sh", "-c", &silent_script]),
        &host.placement(),
    )
    .await;
    assert!(
        matches!(&liar, Err(clients::Error::Contract { detail, .. }) if detail.contains("hello names driver `silent`")),
        "a hello naming another driver is a contract fault"
    );
}
