//! The ssl-mode contract catches a planted defect: the example driver run with
//! `--ignore-verify-identity` (its VERIFY_IDENTITY checks the chain but not the host name)
//! beside the same driver without it, on `basic/san-mismatch` (a certificate for
//! `db.example.test` dialled as 127.0.0.1). `cargo xtask matrix --fail-on insecure` must fail
//! and name exactly that cell; `--fail-on nothing` must report it and pass. Needs Docker and
//! the built images (`cargo xtask test` builds them).

use std::process::Command;

const DRIVERS: &str = r#"
[[driver]]
name = "minimal-example"
command = ["python3", "/opt/drivers/example/minimal_driver.py"]

[[driver]]
name = "careless-example"
command = ["python3", "/opt/drivers/example/minimal_driver.py", "--ignore-verify-identity"]
"#;

fn matrix(drivers: &std::path::Path, fail_on: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "matrix",
            "basic/san-mismatch",
            "--flavor",
            "mysql-9",
            "--ssl-mode",
            "VERIFY_IDENTITY",
        ])
        .args([
            "--client",
            "minimal-example",
            "--client",
            "careless-example",
        ])
        .arg("--drivers")
        .arg(drivers)
        .args(["--fail-on", fail_on])
        .output()
        .expect("xtask runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn an_ignored_verify_identity_fails_the_matrix_naming_the_cell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let drivers = dir.path().join("drivers.toml");
    std::fs::write(&drivers, DRIVERS).expect("write drivers.toml");

    let (code, out) = matrix(&drivers, "insecure");
    assert_ne!(
        code,
        Some(0),
        "the planted violation must fail the run:\n{out}"
    );
    let cell = "basic/san-mismatch @ mysql-9 · careless-example · VERIFY_IDENTITY · name: \
                connected with TLS although the certificate does not name 127.0.0.1";
    assert!(out.contains(cell), "the cell is named:\n{out}");
    assert!(
        out.contains("1 unreviewed insecure violation(s)"),
        "only that cell counts (the honest driver refuses):\n{out}"
    );
    assert!(
        !out.contains("@ mysql-9 · minimal-example"),
        "the honest driver keeps its promise:\n{out}"
    );

    let (code, out) = matrix(&drivers, "nothing");
    assert_eq!(code, Some(0), "--fail-on nothing only reports:\n{out}");
    assert!(out.contains(cell), "still listed:\n{out}");
}
