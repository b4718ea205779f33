//! Fuzz target: scenario files from strangers. Arbitrary text and mutated copies of the real
//! scenarios go through the parser, the validator and fixture generation; the expectation is a
//! scenario or an error that names the file, never a panic, and fixtures whose every name is a
//! plain file name written only inside their directory.
//!
//! Property-based (proptest, stable toolchain). Cases per property: `PROPTEST_CASES`, else the
//! default below (CI); `cargo xtask fuzz --cases N` runs longer. A failing input is shrunk and
//! saved in `tests/fuzz-regressions/fuzz_scenarios.txt` to be committed with its fix.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Cases per property when `PROPTEST_CASES` is unset (CI): each property takes at most about
/// 15 s on 2 cores.
fn config(ci_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ci_cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fuzz-regressions/fuzz_scenarios.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// Every scenario file of the repository, as text: the seeds the mutations start from.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let files = scenario::discover(&root).expect("the scenarios directory");
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("a readable scenario"))
            .collect()
    })
}

/// Values to put on a `key = value` line: [`VALUES`] and every value the real scenarios use
/// (right type, wrong place).
fn values() -> &'static [String] {
    static VALUES_SEEN: OnceLock<Vec<String>> = OnceLock::new();
    VALUES_SEEN.get_or_init(|| {
        let mut all: Vec<String> = VALUES.iter().map(|v| (*v).to_owned()).collect();
        for text in seeds() {
            for line in text.lines() {
                if let Some((_, value)) = line.split_once(" = ") {
                    all.push(value.to_owned());
                }
            }
        }
        all.sort();
        all.dedup();
        all
    })
}

/// Keys and values strangers write: the scenario vocabulary plus hostile values.
const KEYS: &[&str] = &[
    "key",
    "subject_cn",
    "issuer",
    "not_after",
    "not_before",
    "is_ca",
    "san",
    "eku",
    "tls_version",
    "ca",
    "cert",
    "crl",
    "require",
    "host",
    "version",
    "ssl_cipher",
    "ssl_key",
    "ssl_cert",
    "ssl_ca",
    "require_secure_transport",
    "tls",
    "signature",
    "serial",
    "path_len",
    "key_usage",
    "flavors",
    "modes",
    "certs",
    "der",
    "truncate",
    "reported",
    "timeout_ms",
    "\"../x.pem\"",
    "\"/etc/passwd\"",
    "\"a\\nb.pem\"",
    "\"-rf.pem\"",
    "\"ca.pem\"",
];

const VALUES: &[&str] = &[
    "\"\"",
    "\"../../../../tmp/x.pem\"",
    "\"/abs.pem\"",
    "\"..\"",
    "\".\"",
    "\"a/b\"",
    "\"ca.pem\"",
    "\"ca\"",
    "\"server\"",
    "\"rsa2048-1\"",
    "\"rsa512\"",
    "\"ec-p384\"",
    "\"+3650d\"",
    "\"-1d\"",
    "\"+99999999999d\"",
    "\"2026-01-01T00:00:00Z\"",
    "\"nonsense\"",
    "0",
    "-1",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "1e309",
    "nan",
    "true",
    "false",
    "[]",
    "[\"DNS:\"]",
    "[\"IP:999.1.1.1\"]",
    "[\"DNS:*.*\"]",
    "{}",
    "{ certs = [] }",
    "{ certs = [\"nope\"] }",
    "{ key = \"rsa2048-2\", der = true }",
    "\"x509\"",
    "\"ssl\"",
    "\"TLSv1.9\"",
    "\"VERIFY_IDENTITY\"",
    "\"\\u0000\"",
    "'''\n'''",
];

/// One edit of a scenario text.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SetValue(usize, prop::sample::Index),
    InsertPair(usize, &'static str, &'static str),
    InsertTable(usize, String),
    Truncate(usize),
    InsertBytes(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        1 => at.prop_map(Edit::DeleteLine),
        1 => at.prop_map(Edit::DuplicateLine),
        3 => (at, any::<prop::sample::Index>()).prop_map(|(l, v)| Edit::SetValue(l, v)),
        1 => (at, prop::sample::select(KEYS), prop::sample::select(VALUES))
            .prop_map(|(l, k, v)| Edit::InsertPair(l, k, v)),
        1 => (at, "(certs|files|server|client|reload|reload\\.files|server\\.account)(\\.[a-z_.]{0,12})?")
            .prop_map(|(l, t)| Edit::InsertTable(l, t)),
        1 => at.prop_map(Edit::Truncate),
        1 => (at, ".{0,12}").prop_map(|(l, s)| Edit::InsertBytes(l, s)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::DuplicateLine(i) if !lines.is_empty() => {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
            Edit::SetValue(i, v) if !lines.is_empty() => {
                let values = values();
                let line = &mut lines[i % n];
                if let Some(eq) = line.find('=') {
                    line.truncate(eq + 1);
                    line.push(' ');
                    line.push_str(&values[v.index(values.len())]);
                }
            }
            Edit::InsertPair(i, k, v) => lines.insert(i % (lines.len() + 1), format!("{k} = {v}")),
            Edit::InsertTable(i, t) => lines.insert(i % (lines.len() + 1), format!("[{t}]")),
            Edit::Truncate(i) if !lines.is_empty() => lines.truncate(i % n),
            Edit::InsertBytes(i, s) if !lines.is_empty() => {
                let line = &mut lines[i % n];
                let mut at = i % (line.len() + 1);
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                line.insert_str(at, s);
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// Parses, validates and generates `text`; panics only on a broken promise.
fn check(text: &str) {
    let path = PathBuf::from("strangers/fuzz-case.toml");
    let mut scenario = match scenario::parse(&path, text) {
        Ok(s) => s,
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("fuzz-case.toml"),
                "error without the file: {message}"
            );
            return;
        }
    };
    scenario.id = "strangers/fuzz-case".into();
    let now = time::macros::datetime!(2026-01-01 00:00 UTC);
    let fixtures = match certgen::generate(&scenario, now) {
        Ok(f) => f,
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("strangers/fuzz-case"),
                "error without the scenario: {message}"
            );
            return;
        }
    };
    for name in fixtures.files.keys().chain(fixtures.reload.keys()) {
        assert!(
            scenario::is_plain_file_name(name),
            "a validated scenario produced the fixture name {name:?}"
        );
    }
}

proptest! {
    #![proptest_config(config(10_000))]

    /// Arbitrary text (any Unicode) is a scenario or an error naming the file.
    #[test]
    fn arbitrary_text_parses_or_names_the_file(text in ".{0,400}") {
        check(&text);
    }

}

proptest! {
    #![proptest_config(config(1000))]

    /// Real scenarios with up to three edits: mutated keys, hostile values, broken tables.
    #[test]
    fn mutated_scenarios_parse_or_name_the_file(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let seeds = seeds();
        let text = apply(&seeds[seed.index(seeds.len())], &edits);
        check(&text);
    }

}

proptest! {
    #![proptest_config(config(2000))]

    /// Whatever a stranger names a file, writing fixtures into a directory creates files only
    /// inside it (validation bypassed: the writer refuses on its own).
    #[test]
    fn fixture_writer_stays_in_its_directory(name in "(\\.\\./|/|[a-z]{1,3}/|\\.){0,3}[a-zA-Z0-9._\\-\n ]{0,12}") {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("fixtures");
        std::fs::create_dir(&dir).expect("fixture dir");
        let mut files = std::collections::BTreeMap::new();
        files.insert(name.clone(), certgen::FixtureFile { bytes: b"x".to_vec(), mode: 0o644 });
        let written = certgen::write_files(&dir, &files);
        let outside: Vec<_> = walkdir::WalkDir::new(root.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && !e.path().starts_with(&dir))
            .map(|e| e.path().to_owned())
            .collect();
        prop_assert!(outside.is_empty(), "{name:?} wrote {outside:?}");
        if written.is_ok() {
            prop_assert!(scenario::is_plain_file_name(&name), "{name:?} accepted");
        }
    }
}
