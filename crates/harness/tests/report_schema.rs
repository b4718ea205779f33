//! The committed JSON Schema of the matrix report must equal the one generated from the types.

use std::path::Path;

#[test]
fn committed_report_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(harness::REPORT_SCHEMA_FILE);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == harness::report_json_schema(),
        "{} is out of date with the report types; run `cargo xtask schema` and commit it",
        harness::REPORT_SCHEMA_FILE
    );
}
