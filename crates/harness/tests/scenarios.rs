//! Every scenario file on every flavor, end to end against real containers — fixtures → server
//! → every client × every ssl-mode — compared with its committed snapshot. One test per flavor
//! runs that flavor's scenarios on the fast path, as `cargo xtask matrix` does (grouped by server
//! configuration, one reused server per group); `fast_path.rs` checks that the fast path and a
//! fresh boot agree. Needs Docker and the locally built images (`cargo xtask test` builds them).

use harness::{FastPath, RunContext, SnapshotCheck, check_snapshot, reuse_key, scenarios_root};
use rstest::rstest;
use servers::Flavor;

#[rstest]
#[case::mysql_9("mysql-9")]
#[case::mariadb_10_11("mariadb-10.11")]
#[case::mariadb_11_8("mariadb-11.8")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_matches_its_snapshot(#[case] flavor: &str) {
    let flavor = Flavor::by_name(flavor).expect("known flavor");
    let root = scenarios_root();
    let ctx = RunContext::new().expect("drivers/drivers.toml loads");
    let mut scenarios: Vec<scenario::Scenario> = scenario::discover(&root)
        .expect("scenarios/ is readable")
        .iter()
        .map(|p| scenario::load(&root, p).expect("scenario file loads"))
        .filter(|s| {
            harness::flavors_of(s).expect("known flavors");
            harness::runs_on(s, flavor)
        })
        .collect();
    assert!(!scenarios.is_empty());
    // Same server configuration next to each other: one reused server per group.
    scenarios.sort_by_key(|s| (reuse_key(s, flavor), s.id.clone()));
    let mut fast = FastPath::new();
    let mut mismatches = Vec::new();
    for scenario in &scenarios {
        let report = fast
            .run(scenario, flavor, &ctx)
            .await
            .unwrap_or_else(|e| panic!("harness fault in {}: {e}", scenario.id));
        let started = matches!(report.server, harness::ServerState::Ready { .. });
        assert_eq!(
            started,
            !report.rows.is_empty(),
            "{}: cells exactly when the server started",
            scenario.id
        );
        if check_snapshot(&report) == SnapshotCheck::Differs {
            mismatches.push(scenario.id.clone());
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} scenarios differ from their snapshots on {} (diffs above; review with `cargo insta review`): {}",
        mismatches.len(),
        scenarios.len(),
        flavor.name,
        mismatches.join(", ")
    );
}
