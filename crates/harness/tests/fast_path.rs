//! The fast path (one server per flavor and configuration, fixtures swapped and TLS reloaded
//! between scenarios) gives the same snapshot as a fresh boot, for a sample that mixes
//! scenarios a reused server can serve with ones whose defect only shows at startup (those must
//! fall back to a fresh boot). Needs Docker and the locally built images.

use harness::{FastPath, RunContext, run_scenario, scenarios_root};
use servers::{MARIADB_11_8, MYSQL_9};

/// In this order on one fast path: a clean boot first (the rig), then swaps.
const SAMPLE: &[&str] = &[
    "basic/valid",
    "basic/san-mismatch",
    "basic/expired-server-cert",
    "names/cn-only",
    "basic/wrong-ca",
    "crypto/ec-p256-server-key",
    "basic/key-mismatch",
    "trust/self-signed-server-cert",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_path_and_fresh_boot_give_identical_snapshots() {
    let root = scenarios_root();
    let mut ctx = RunContext::new().expect("drivers/drivers.toml loads");
    // Server behaviour is under test here; one external driver keeps the clients container
    // (and its fixture swap) in the loop without the cost of all of them.
    ctx.drivers.retain(|d| d.name == "pymysql");
    for flavor in [&MYSQL_9, &MARIADB_11_8] {
        let mut fast = FastPath::new();
        let mut reused = 0;
        for id in SAMPLE {
            let scenario =
                scenario::load(&root, &root.join(format!("{id}.toml"))).expect("scenario loads");
            let via_fast = fast
                .run(&scenario, flavor, &ctx)
                .await
                .expect("fast path runs");
            let via_fresh = run_scenario(&scenario, flavor, &ctx)
                .await
                .expect("fresh boot runs");
            reused += usize::from(via_fast.reused_server);
            assert!(!via_fresh.reused_server);
            assert_eq!(
                via_fast.render_snapshot(),
                via_fresh.render_snapshot(),
                "{id} on {}: fast path (reused server: {}) differs from a fresh boot",
                flavor.name,
                via_fast.reused_server
            );
        }
        assert!(
            reused >= 3,
            "the sample must exercise reuse on {} (reused {reused} times)",
            flavor.name
        );
    }
}
