//! The harness used from another repository: a scenarios directory outside this checkout, with
//! its own snapshots directory, named by a `harness.toml` in the current directory. A new
//! scenario's first run is not a mismatch: it exits 0, leaves a pending snapshot in the user's
//! snapshots directory and ends with one line saying how to accept it; under `CI=true` the same
//! run fails with that line; `cargo xtask accept` commits the pending file, and the next run
//! matches it. Needs Docker and the locally built images (`cargo xtask test` builds them).

use std::path::Path;
use std::process::{Command, Output};

const SCENARIO: &str = r#"description = "A healthy chain, kept in a user's own repository."

[certs.ca]
subject_cn = "Own Project Test CA"
is_ca = true
key = "rsa2048-1"
not_before = "-1d"
not_after = "+3650d"

[certs.server]
subject_cn = "mysql-server"
issuer = "ca"
key = "rsa2048-2"
san = ["DNS:localhost", "IP:127.0.0.1"]

[files]
"ca.pem" = { certs = ["ca"] }
"server-cert.pem" = { certs = ["server"] }
"server-key.pem" = { key = "rsa2048-2" }

[client]
ssl_modes = ["DISABLED", "VERIFY_IDENTITY"]
"#;

fn xtask(dir: &Path, args: &[&str], ci: bool, run_id: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(args)
        .current_dir(dir)
        .env("HARNESS_RUN_ID", run_id)
        .env_remove("CI");
    if ci {
        command.env("CI", "true");
    }
    command.output().expect("xtask runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_new_scenario_in_another_repository_is_pending_until_accepted() {
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    assert!(
        !root.starts_with(env!("CARGO_MANIFEST_DIR")),
        "the project lies outside this checkout"
    );
    std::fs::create_dir_all(root.join("cases/custom")).expect("mkdir");
    std::fs::write(root.join("cases/custom/own-valid.toml"), SCENARIO).expect("write");
    std::fs::write(
        root.join("harness.toml"),
        "scenarios = \"cases\"\nsnapshots = \"snaps\"\n",
    )
    .expect("write");
    let run = ["matrix", "custom/own-valid", "--flavor", "mariadb-11.8"];
    let pending = root.join("snaps/custom__own-valid@mariadb-11.8.snap.new");
    let committed = root.join("snaps/custom__own-valid@mariadb-11.8.snap");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots");

    // First run: exit 0, one line on how to accept, the pending file in the user's directory.
    let out = xtask(root, &run, false, "own-project-1");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("snapshot: NEW for custom/own-valid on mariadb-11.8"),
        "{stdout}"
    );
    assert!(!stdout.contains("Stopped on the first failure"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("1 new snapshot(s) pending"))
        .unwrap_or_else(|| panic!("no pending line: {stdout}"))
        .to_owned();
    assert!(
        line.contains("cargo xtask --snapshots ") && line.ends_with(" accept custom/own-valid`"),
        "{line}"
    );
    assert!(pending.is_file(), "pending snapshot written");
    assert!(!committed.exists());
    assert!(
        !here
            .join("custom__own-valid@mariadb-11.8.snap.new")
            .exists(),
        "nothing written into the harness's own snapshots"
    );
    let body = std::fs::read_to_string(&pending).expect("pending");
    assert!(
        body.contains("description: custom/own-valid on mariadb-11.8"),
        "{body}"
    );
    assert!(
        body.contains("| mysql-cli | VERIFY_IDENTITY | connected"),
        "{body}"
    );

    // Under CI the same run fails, with the same line.
    let out = xtask(root, &run, true, "own-project-2");
    let (stdout, stderr) = text(&out);
    assert!(
        !out.status.success(),
        "CI fails on a pending snapshot: {stdout}"
    );
    assert!(stderr.contains(&line), "{stderr}");

    // Accepting commits it; the next run matches and leaves nothing pending.
    let out = xtask(root, &["accept"], false, "own-project-3");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("## custom/own-valid on mariadb-11.8 (new)"),
        "{stdout}"
    );
    assert!(committed.is_file() && !pending.exists());
    let out = xtask(root, &run, true, "own-project-4");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("snapshot: matches"), "{stdout}");
    assert!(!pending.exists());
}
