//! Every scenario file on every flavor, end to end against real containers — fixtures → server
//! → every client × every ssl-mode — compared with its committed snapshot. One test per flavor
//! plans that flavor's scenarios and runs them as `cargo xtask matrix` does: the fast path
//! (grouped by server configuration, one reused server per group) on [`LANES`] lanes, each
//! keeping its clients across the groups it takes. `harness/tests/fast_path.rs` checks that the
//! fast path and a fresh boot agree. Needs Docker and the locally built images (`cargo xtask
//! test` builds them).

use harness::{RunContext, ServerState, SnapshotCheck, check_snapshot, scenarios_root};
use rstest::rstest;
use runner::{MatrixExecutor, Plan, RunPath, Schedule, Silent, error_line, execute};
use servers::Flavor;

/// Lanes per flavor test. nextest runs two of these tests at once (the `docker` test group), so
/// the machine carries four lanes: the matrix's default on 2 cores.
const LANES: usize = 2;

#[rstest]
#[case::mysql_9("mysql-9")]
#[case::mariadb_10_11("mariadb-10.11")]
#[case::mariadb_11_8("mariadb-11.8")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_matches_its_snapshot(#[case] flavor: &str) {
    let flavor = Flavor::by_name(flavor).expect("known flavor");
    let root = scenarios_root();
    let scenarios: Vec<scenario::Scenario> = scenario::discover(&root)
        .expect("scenarios/ is readable")
        .iter()
        .map(|p| scenario::load(&root, p).expect("scenario file loads"))
        .filter(|s| {
            harness::flavors_of(s).expect("known flavors");
            harness::runs_on(s, flavor)
        })
        .collect();
    assert!(!scenarios.is_empty());
    let plan = Plan::new(scenarios, &[flavor], false);
    let executor = MatrixExecutor {
        ctx: RunContext::new().expect("drivers/drivers.toml loads"),
        subset: false,
        path: RunPath::Fast,
    };
    let how = Schedule {
        jobs: LANES,
        fail_fast: false,
    };
    let results = execute(&plan, &executor, how, &Silent).await;
    assert_eq!(results.len(), plan.runs.len(), "a result for every run");
    let mut mismatches = Vec::new();
    for (run, result) in plan.runs.iter().zip(results) {
        let report = match result {
            Some(Ok(report)) => report,
            Some(Err(e)) => panic!("harness fault in {}: {}", run.label, error_line(&e)),
            None => panic!("{} did not run (no fail-fast here)", run.label),
        };
        let started = matches!(report.server, ServerState::Ready { .. });
        assert_eq!(
            started,
            !report.rows.is_empty(),
            "{}: cells exactly when the server started",
            run.label
        );
        // In plan order, so insta's diffs come out in a stable order.
        if check_snapshot(&report) == SnapshotCheck::Differs {
            mismatches.push(plan.scenario_of(run).id.clone());
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} scenarios differ from their snapshots on {} (diffs above; pending `.snap.new` files: `cargo xtask accept` shows and accepts them): {}",
        mismatches.len(),
        plan.runs.len(),
        flavor.name,
        mismatches.join(", ")
    );
}
