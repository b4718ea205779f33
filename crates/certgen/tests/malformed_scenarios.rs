//! The malformed-scenario corpus: every file under `tests/malformed/` must be rejected — by
//! parsing/validation or by fixture generation — with the message in its first line
//! (`# expect: <text>`), and the message must name the file (or the scenario id).

use std::path::Path;

#[test]
fn every_malformed_scenario_is_rejected_with_its_expected_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let files = scenario::discover(&dir).expect("corpus directory");
    assert!(
        files.len() >= 30,
        "the corpus keeps at least 30 cases, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("first line `# expect: …`");
        let stem = path.file_stem().expect("stem").to_string_lossy();
        let message = match scenario::load(&dir, path) {
            Err(e) => e.to_string(),
            Ok(s) => match certgen::generate(&s, time::macros::datetime!(2026-01-01 00:00 UTC)) {
                Err(e) => e.to_string(),
                Ok(_) => format!("accepted, but should fail with: {expected}"),
            },
        };
        if !message.contains(expected) || !message.contains(stem.as_ref()) {
            failures.push(format!("{stem}: expected `{expected}`, got `{message}`"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
