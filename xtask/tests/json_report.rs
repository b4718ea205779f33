//! `cargo xtask matrix --json` on a real run: the report parses as `harness::MatrixReport`,
//! holds every cell of every scenario run with the snapshot verdict, and the naive path
//! (`--naive`: fresh server, a driver process per cell) sees the same outcomes as the fast path.
//! Needs Docker and the locally built images (`cargo xtask test` builds them).

use harness::MatrixReport;
use std::process::Command;

fn matrix(dir: &std::path::Path, name: &str, extra: &[&str]) -> MatrixReport {
    let json = dir.join(format!("{name}.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "matrix",
            "basic/valid",
            "basic/wrong-ca",
            "--flavor",
            "mariadb-11.8",
        ])
        .arg("--json")
        .arg(&json)
        .args(extra)
        .output()
        .expect("xtask runs");
    assert!(
        output.status.success(),
        "matrix failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    MatrixReport::read(&json).expect("the report parses")
}

#[test]
fn json_report_holds_every_cell_and_the_naive_path_agrees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fast = matrix(dir.path(), "fast", &[]);
    assert_eq!(fast.format, harness::REPORT_FORMAT);
    assert_eq!(fast.run.path, "fast");
    assert!(fast.faults.is_empty());
    let ids: Vec<&str> = fast.runs.iter().map(|r| r.scenario.as_str()).collect();
    assert_eq!(ids, ["basic/valid", "basic/wrong-ca"]);
    let clients = fast.runs[0].client_versions.len();
    assert!(clients >= 13, "every client reports its version: {clients}");
    for run in &fast.runs {
        assert_eq!(run.flavor, "mariadb-11.8");
        assert_eq!(run.snapshot, "matches", "{}", run.scenario);
        assert_eq!(run.cells.len(), clients * 5, "{}", run.scenario);
        for cell in &run.cells {
            assert_eq!(cell.text, cell.outcome.to_string());
        }
    }
    let verify_ca_connects = |run: &harness::RunRecord| {
        run.cells
            .iter()
            .filter(|c| c.ssl_mode == scenario::SslMode::VerifyCa && c.connected())
            .count()
    };
    assert!(
        verify_ca_connects(&fast.runs[0]) > 0,
        "valid chain verifies"
    );
    assert_eq!(
        verify_ca_connects(&fast.runs[1]),
        0,
        "wrong CA never verifies"
    );

    let naive = matrix(dir.path(), "naive", &["--naive"]);
    assert_eq!(naive.run.path, "naive");
    assert!(naive.runs.iter().all(|r| !r.reused_server));
    let texts = |r: &MatrixReport| -> Vec<String> {
        r.cells()
            .map(|(run, c)| format!("{} {} {} {}", run.scenario, c.client, c.ssl_mode, c.text))
            .collect()
    };
    assert_eq!(texts(&fast), texts(&naive), "same outcomes on both paths");
}
