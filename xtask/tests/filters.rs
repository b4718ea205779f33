//! `cargo xtask matrix` selections on real runs: `--client` and `--ssl-mode` keep only those
//! cells (compared with the snapshot row by row), an unknown client is refused by name, and
//! `--timeout` ends the run with status 124 leaving no container of the run behind.
//! Needs Docker and the locally built images (`cargo xtask test` builds them).

use std::process::Command;

fn xtask(args: &[&str], run_id: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("HARNESS_RUN_ID", run_id)
        .output()
        .expect("xtask runs")
}

#[test]
fn client_and_ssl_mode_filters_keep_those_cells_and_compare_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("m.json");
    let json_arg = json.to_str().expect("utf-8");
    let out = xtask(
        &[
            "matrix",
            "basic/wrong-ca",
            "--flavor",
            "mariadb-11.8",
            "--client",
            "pymysql",
            "--client",
            "mysql-cli",
            "--ssl-mode",
            "verify_ca",
            "--ssl-mode",
            "DISABLED",
            "--json",
            json_arg,
        ],
        "filters-test-1",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("snapshot: the selected cells match"),
        "{stdout}"
    );
    let report = harness::MatrixReport::read(&json).expect("report");
    let cells: Vec<String> = report
        .cells()
        .map(|(_, c)| format!("{} {}", c.client, c.ssl_mode))
        .collect();
    assert_eq!(
        cells,
        [
            "mysql-cli DISABLED",
            "mysql-cli VERIFY_CA",
            "pymysql DISABLED",
            "pymysql VERIFY_CA"
        ]
    );
    assert_eq!(report.runs[0].snapshot, "matches");

    let unknown = xtask(
        &["matrix", "basic/valid", "--client", "no-such-driver"],
        "filters-test-2",
    );
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("unknown client `no-such-driver`; known: mysql-cli, mariadb-cli"),
        "{stderr}"
    );
}

#[test]
fn run_timeout_exits_124_and_removes_the_containers() {
    let run_id = "filters-test-timeout";
    let out = xtask(
        &["matrix", "basic/", "--flavor", "mysql-9", "--timeout", "3"],
        run_id,
    );
    assert_eq!(
        out.status.code(),
        Some(124),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--timeout of 3 s elapsed"), "{stderr}");
    let left = containers::containers_of_run(run_id).expect("docker ps");
    assert!(left.is_empty(), "containers left: {left:?}");
}
