//! Every scenario file, end to end against real containers: fixtures → MySQL 9 server →
//! mysql CLI + Rust mysql crate × every ssl-mode → compared with its committed snapshot.
//! Needs Docker and the locally built image (`cargo xtask test` builds it first).

use harness::{RunContext, assert_snapshot, run_scenario, scenarios_root};
use rstest::rstest;
use std::path::PathBuf;

#[rstest]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_matches_snapshot(#[files("../../scenarios/**/*.toml")] path: PathBuf) {
    let root = scenarios_root();
    let scenario = scenario::load(&root, &path).expect("scenario file loads");
    let ctx = RunContext::new();
    for flavor in harness::flavors_of(&scenario).expect("known flavors") {
        let report = run_scenario(&scenario, flavor, &ctx)
            .await
            .expect("harness runs the scenario");
        let started = matches!(report.server, harness::ServerState::Ready { .. });
        assert_eq!(
            started,
            !report.rows.is_empty(),
            "cells exactly when the server started"
        );
        assert_snapshot(&report);
    }
}
