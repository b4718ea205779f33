//! The ssl-mode mapping table of every client (built-in and drivers/drivers.toml), read from the
//! drivers themselves in the clients image, is the reviewed snapshot
//! `snapshots/drivers__ssl_mode_tables.snap`.

use harness::{RunContext, assert_named_snapshot, render_mode_tables, ssl_mode_tables};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_mode_tables_match_snapshot() {
    let ctx = RunContext::new().expect("drivers/drivers.toml loads");
    let tables = ssl_mode_tables(&ctx.drivers, &ctx.labels)
        .await
        .expect("drivers say hello");
    assert_eq!(tables.len(), 3 + ctx.drivers.len(), "one table per client");
    assert_named_snapshot(
        "drivers__ssl_mode_tables",
        "How each client spells MySQL's five ssl-modes and DEFAULT, no TLS option at all (from the drivers' hello lines)",
        &render_mode_tables(&tables),
    );
}
