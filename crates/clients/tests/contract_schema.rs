//! The committed driver contract schema matches the Rust types, and the repository's driver
//! list is valid.

use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn committed_contract_schema_is_up_to_date() {
    let committed = std::fs::read_to_string(repo().join(clients::contract::CONTRACT_SCHEMA_FILE))
        .expect("drivers/contract.schema.json exists");
    assert!(
        committed == clients::contract::json_schema(),
        "drivers/contract.schema.json is stale: run `cargo xtask schema`"
    );
}

#[test]
fn contract_lines_round_trip_through_the_documented_shapes() {
    let hello: clients::contract::HelloLine = serde_json::from_str(
        r#"{"hello": {"driver": "d", "version": "1", "runtime": "r", "modes": {
            "DISABLED": {"options": "x"}, "PREFERRED": {"unsupported": "why"},
            "REQUIRED": {"options": "y"}, "VERIFY_CA": {"options": "z"},
            "VERIFY_IDENTITY": {"options": "w"}}}}"#,
    )
    .expect("the CONTRACT.md hello parses");
    assert_eq!(hello.hello.modes.len(), 5);
    let failed: clients::contract::ResultLine = serde_json::from_str(
        r#"{"id": 3, "outcome": "failed", "code": 2026, "sqlstate": "HY000",
            "message": "SSL connection error: certificate verify failed",
            "raw_type": "pymysql.err.OperationalError"}"#,
    )
    .expect("the CONTRACT.md failed result parses");
    assert_eq!(failed.id, 3);
    let connected: clients::contract::ResultLine = serde_json::from_str(
        r#"{"id": 4, "outcome": "connected", "tls_version": null, "cipher": null}"#,
    )
    .expect("a plaintext connected result parses");
    assert!(matches!(
        connected.outcome,
        clients::contract::DriverOutcome::Connected {
            tls_version: None,
            ..
        }
    ));
}

#[test]
fn repository_driver_list_loads() {
    let drivers =
        clients::load_drivers(&clients::default_drivers_file()).expect("drivers.toml is valid");
    assert!(drivers.iter().any(|d| d.name == "pymysql"));
}

#[test]
fn bad_driver_list_names_file_and_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drivers.toml");
    std::fs::write(&path, "[[driver]]\nname = \"x\"\ncommand = []\n").expect("write");
    let err = clients::load_drivers(&path)
        .expect_err("empty command is rejected")
        .to_string();
    assert!(
        err.contains("drivers.toml") && err.contains("`command` is empty"),
        "{err}"
    );
}
