//! The committed JSON Schema must equal the one generated from the Rust types.

use std::path::Path;

#[test]
fn committed_json_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(scenario::SCHEMA_FILE);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == scenario::json_schema(),
        "{} is out of date with the scenario types; run `cargo xtask schema` and commit it",
        scenario::SCHEMA_FILE
    );
}

#[test]
fn schema_describes_the_top_level_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(&scenario::json_schema()).expect("valid JSON");
    let props = schema["properties"].as_object().expect("properties");
    for field in [
        "description",
        "certs",
        "files",
        "server",
        "client",
        "source",
        "notes",
    ] {
        assert!(props.contains_key(field), "missing {field}");
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false),
        "unknown fields are errors"
    );
}
