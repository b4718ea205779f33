//! `cargo xtask repro bundle` round trip: the bundle's `run.sh` (plain docker, no harness)
//! reproduces the committed snapshot — the server state and every bundled client × ssl-mode
//! cell, read back with the matrix's own parsers. Cases cover a verification failure, a TLS
//! reload, an account with `REQUIRE SSL`, a server that refuses to start, a host name mapped to
//! loopback (`--add-host`), and a client certificate (Connector/J's PKCS#12 keystore).
//! Needs Docker and the locally built images (`cargo xtask test` builds them).

use rstest::rstest;
use std::process::Command;

#[rstest]
#[case::verification_failure("basic/wrong-ca", "mysql-9")]
#[case::reload("reload/renewal-different-intermediate", "mariadb-11.8")]
#[case::account("server/require-ssl-account", "mysql-9")]
#[case::refuses_to_start("basic/key-mismatch", "mariadb-11.8")]
#[case::mapped_host_name("names/ip-san-dialled-by-name", "mariadb-11.8")]
#[case::client_certificate("server/require-x509-with-client-cert", "mysql-9")]
fn bundle_run_reproduces_the_snapshot(#[case] scenario: &str, #[case] flavor: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("bundle");
    let status = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["repro", "bundle", scenario, "--flavor", flavor, "--out"])
        .arg(&out)
        .status()
        .expect("xtask runs");
    assert!(status.success(), "bundle written");
    for file in [
        "README.md",
        "run.sh",
        "my.cnf",
        "cells.tsv",
        "server",
        "client",
    ] {
        assert!(out.join(file).exists(), "{file} in the bundle");
    }
    let run = Command::new("bash")
        .arg(out.join("run.sh"))
        .output()
        .expect("bash runs run.sh");
    let printed = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "run.sh failed: {printed}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let observed = harness::read_bundle_run(&out).expect("run.sh left its outputs");
    assert!(
        observed.skipped.is_empty(),
        "all images present: {:?}",
        observed.skipped
    );

    let snapshot = harness::committed_snapshot(scenario, flavor).expect("snapshot committed");
    let failed_to_start = snapshot.contains("FAILED TO START");
    assert_eq!(
        observed.server_started, !failed_to_start,
        "server state as in the snapshot"
    );
    let expected = harness::snapshot_cells(&snapshot);
    if failed_to_start {
        assert!(observed.rows.is_empty() && expected.is_empty());
        assert!(printed.contains("SERVER FAILED TO START"), "{printed}");
    } else {
        assert!(
            observed.rows.len() >= 40,
            "CLIs and drivers ran: {}",
            observed.rows.len()
        );
        let mut differ = Vec::new();
        for (client, mode, outcome) in &observed.rows {
            let text = outcome.to_string().replace('\n', " ");
            let want = expected
                .iter()
                .find(|(c, m, _)| c == client && m == mode.as_str())
                .map(|(_, _, o)| o.as_str());
            if want != Some(text.as_str()) {
                differ.push(format!(
                    "{client} {mode}: bundle `{text}`, snapshot `{want:?}`"
                ));
            }
        }
        assert!(
            differ.is_empty(),
            "cells differ from the snapshot:\n{}",
            differ.join("\n")
        );
    }
    // run.sh removed its containers (it names them `<prefix>-server`, `<prefix>-clients`, …).
    let prefix = printed
        .lines()
        .find_map(|l| l.strip_prefix("containers: "))
        .expect("run.sh names its containers")
        .trim_end_matches("-*");
    let left =
        containers::docker::containers_matching(&format!("name={prefix}-")).expect("docker ps");
    assert!(left.is_empty(), "containers of {prefix} left: {left:?}");
}
