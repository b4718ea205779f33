//! How well `cargo xtask repro new` guesses the starting defect from a report's error line,
//! measured on the `reported` line of every report scenario against the defect the scenario
//! really expresses (`expected_suggestions.toml`): a confusion table with its accuracy, as a
//! reviewed snapshot (`snapshots/repro__suggest_confusion.snap`), like the doctor's. Plus the
//! lines the issue found guessed wrong.

use harness::{Suggested, suggest};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn the_guess_from_every_report_line_is_a_reviewed_confusion_table() {
    let expected: BTreeMap<String, String> = toml::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected_suggestions.toml"),
        )
        .expect("expected_suggestions.toml"),
    )
    .expect("parses");
    let root = harness::scenarios_root();
    let mut rows = Vec::new();
    let mut pairs: BTreeMap<(Suggested, Suggested), usize> = BTreeMap::new();
    let mut right = 0;
    for path in scenario::discover(&root).expect("scenarios") {
        let s = scenario::load(&root, &path).expect("loads");
        if !s.id.starts_with("reports/") {
            continue;
        }
        let want = expected
            .get(&s.id)
            .and_then(|name| Suggested::by_name(name))
            .unwrap_or_else(|| panic!("{}: no (known) entry in expected_suggestions.toml", s.id));
        let got = suggest(
            s.reported
                .as_deref()
                .expect("a report scenario has `reported`"),
        );
        let mark = if got == want {
            right += 1;
            "ok"
        } else {
            "MISS"
        };
        rows.push(format!(
            "| {} | {} | {} | {mark} |",
            s.id,
            want.as_str(),
            got.as_str()
        ));
        *pairs.entry((want, got)).or_default() += 1;
    }
    assert_eq!(
        rows.len(),
        expected.len(),
        "every expectation names a report scenario"
    );
    let mut text = String::from(
        "# repro new: the defect guessed from each report's `reported` line\n\n\
         | scenario | expresses | guessed | |\n|---|---|---|---|\n",
    );
    text.push_str(&rows.join("\n"));
    text.push_str("\n\n| expresses | guessed | scenarios |\n|---|---|---|\n");
    for ((want, got), n) in &pairs {
        text.push_str(&format!("| {} | {} | {n} |\n", want.as_str(), got.as_str()));
    }
    text.push_str(&format!(
        "\naccuracy: {right}/{} = {:.1}%\n",
        rows.len(),
        100.0 * right as f64 / rows.len() as f64
    ));
    harness::assert_named_snapshot(
        "repro__suggest_confusion",
        "cargo xtask repro new: guessed defect for every report scenario's reported line",
        &text,
    );
}

/// The lines the issue tried and found guessed wrong or backwards.
#[test]
fn lines_once_guessed_wrong_are_guessed_right() {
    for (line, want) in [
        (
            "ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it",
            Suggested::ServerTlsOff,
        ),
        (
            "SSL connection error: error:0A00018E:SSL routines::ca md too weak",
            Suggested::WeakSignature,
        ),
        (
            "SSL connection error: error:0A000102:SSL routines::unsupported protocol",
            Suggested::OldServerTls,
        ),
        (
            "error:1409442E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version",
            Suggested::TlsVersion,
        ),
    ] {
        assert_eq!(suggest(line), want, "{line}");
    }
}
