//! The reproduction verdict of every committed report scenario, pinned: each
//! `snapshots/reports__*.snap` states on its `reported:` line whether the run reproduces the
//! bug report (by the reporter's client, only by others, in the server log, or not), and
//! `expected_reproduction.toml` says which it must be. The scenario tests make the snapshots
//! from real runs; this test makes a change of verdict a reviewed change of its own. The
//! control `reports/misleading-server-log` has the reported words in its server log and no
//! client showing them: it must not count as reproduced.

use std::collections::BTreeMap;
use std::path::Path;

/// The verdict class of a snapshot's `reported` line.
fn class(line: &str) -> &'static str {
    let verdict = line.split_once(" → ").map_or("", |(_, v)| v);
    if verdict.starts_with("reproduced by the reporter's client ") {
        "reporter"
    } else if verdict.starts_with("seen only in other clients than the reporter's ") {
        "others"
    } else if verdict == "reproduced (server log)" {
        "log"
    } else if verdict.starts_with("reproduced (") {
        "seen"
    } else if verdict.starts_with("NOT reproduced on this flavor") {
        "not"
    } else {
        panic!("unknown reproduction verdict: {line}")
    }
}

fn snapshot(scenario: &str, flavor: &str) -> Option<String> {
    harness::committed_snapshot(scenario, flavor)
}

#[test]
fn every_report_scenario_has_its_expected_verdict_on_every_flavor() {
    let expected: BTreeMap<String, BTreeMap<String, String>> = toml::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected_reproduction.toml"),
        )
        .expect("expected_reproduction.toml"),
    )
    .expect("expected_reproduction.toml parses");
    let root = harness::scenarios_root();
    let reports: Vec<scenario::Scenario> = scenario::discover(&root)
        .expect("scenarios")
        .iter()
        .map(|p| scenario::load(&root, p).expect("loads"))
        .filter(|s| s.id.starts_with("reports/"))
        .collect();
    assert!(reports.len() >= 26, "{} report scenarios", reports.len());
    let mut checked = 0;
    for s in &reports {
        assert!(
            s.reported.is_some(),
            "{}: a report scenario needs `reported`",
            s.id
        );
        let want = expected
            .get(&s.id)
            .unwrap_or_else(|| panic!("{} is missing from expected_reproduction.toml", s.id));
        for flavor in servers::Flavor::ALL
            .iter()
            .filter(|f| harness::runs_on(s, f))
        {
            let text = snapshot(&s.id, flavor.name)
                .unwrap_or_else(|| panic!("{} on {}: no snapshot", s.id, flavor.name));
            let line = text
                .lines()
                .find(|l| l.starts_with("reported"))
                .unwrap_or_else(|| panic!("{} on {}: no reported line", s.id, flavor.name));
            let want = want
                .get(flavor.name)
                .unwrap_or_else(|| panic!("{} on {}: no expectation", s.id, flavor.name));
            assert_eq!(class(line), want, "{} on {}: {line}", s.id, flavor.name);
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        expected.values().map(BTreeMap::len).sum::<usize>(),
        "every expectation names a run that exists"
    );
}

#[test]
fn a_server_log_line_does_not_reproduce_a_client_report() {
    for flavor in ["mysql-9", "mariadb-10.11", "mariadb-11.8"] {
        let text = snapshot("reports/misleading-server-log", flavor).expect("snapshot");
        let (_, log) = text
            .split_once("\nserver log (TLS lines):")
            .expect("a server log section");
        assert!(
            log.to_lowercase().contains("unable to get private key"),
            "{flavor}: the control needs the reported words in the server log"
        );
        let line = text
            .lines()
            .find(|l| l.starts_with("reported"))
            .expect("line");
        assert_eq!(class(line), "not", "{flavor}: {line}");
    }
}
