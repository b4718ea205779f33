//! The JSON Schema of scenario files, generated from the Rust types with schemars, so editors
//! can complete and check `scenarios/**/*.toml` (e.g. with Taplo or Even Better TOML).

/// Where the committed schema lives, relative to the repository root.
pub const SCHEMA_FILE: &str = "scenarios/scenario.schema.json";

/// The schema as pretty JSON with a trailing newline (the exact committed bytes).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(crate::Scenario);
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    text.push('\n');
    text
}
