//! The committed JSON Schema of `cargo xtask diagnose --json` must equal the one generated from
//! the Rust types, and name the fields tools rely on.

use std::path::Path;

#[test]
fn committed_diagnosis_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(doctor::SCHEMA_FILE);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == doctor::json_schema(),
        "{} is out of date with the diagnosis types; run `cargo xtask schema` and commit it",
        doctor::SCHEMA_FILE
    );
}

#[test]
fn diagnosis_schema_names_the_fields_and_cause_kinds() {
    let schema: serde_json::Value =
        serde_json::from_str(&doctor::json_schema()).expect("valid JSON");
    let props = schema["properties"].as_object().expect("properties");
    for field in [
        "target",
        "server_version",
        "offers_tls",
        "tls_versions",
        "cipher_suites",
        "chain",
        "causes",
    ] {
        assert!(props.contains_key(field), "missing {field}");
    }
    let text = schema.to_string();
    for kind in [
        "expired",
        "chain_untrusted",
        "name_mismatch",
        "server_offers_no_tls",
        "client_file_unusable",
    ] {
        assert!(
            text.contains(&format!("\"{kind}\"")),
            "cause kind {kind} missing"
        );
    }
}
