//! Shared by the driver contract tests (driver_malformed.rs, driver_docs.rs): every driver of
//! drivers/drivers.toml, plus the minimal example, started where it runs — in one clients
//! container without network, or on the host — with no server. Every wait is bounded.

#![allow(dead_code)] // each test file uses part of it

use clients::{DriverSpec, DriversHost, ExternalDriver, Placement, RunsOn};
use containers::RunLabels;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

/// The minimal example driver (drivers/example), which drivers.toml does not list.
pub fn example_spec() -> DriverSpec {
    DriverSpec {
        name: "minimal-example".into(),
        command: vec![
            "python3".into(),
            "/opt/drivers/example/minimal_driver.py".into(),
        ],
        runs_on: RunsOn::ClientsImage,
        build: None,
        family: None,
    }
}

/// The drivers of drivers/drivers.toml that `keep` selects, then the minimal example if `keep`
/// selects it too.
pub fn specs(keep: impl Fn(&DriverSpec) -> bool) -> Vec<DriverSpec> {
    let mut specs = clients::load_drivers(&clients::default_drivers_file())
        .expect("drivers/drivers.toml loads");
    specs.push(example_spec());
    specs.retain(keep);
    specs
}

/// `future`, or a panic naming `what` after `limit`.
pub async fn bounded<T>(what: &str, limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: no result within {} s", limit.as_secs()))
}

/// Drivers started where they run; the clients container (if any) lives as long as this.
pub struct Started {
    pub drivers: Vec<ExternalDriver>,
    _host: Option<DriversHost>,
}

/// Starts every driver of `specs`: clients-image drivers in one container without network, host
/// drivers from the repository root as `cargo xtask images` built them (like every
/// Docker-backed test, these tests run what `cargo xtask images` / `cargo xtask test` built).
pub async fn start(specs: &[DriverSpec], labels: &RunLabels) -> Started {
    let host =
        if specs.iter().any(|s| s.runs_on == RunsOn::ClientsImage) {
            let started = bounded(
                "starting the clients container",
                Duration::from_secs(180),
                DriversHost::start(None, &BTreeMap::new(), labels),
            )
            .await;
            Some(started.expect(
                "clients container starts (run `cargo xtask images` after changing drivers/)",
            ))
        } else {
            None
        };
    let mut drivers = Vec::new();
    for spec in specs {
        let placement = match (&host, spec.runs_on) {
            (Some(host), RunsOn::ClientsImage) => host.placement(),
            _ => Placement::Host {
                fixture_dir: std::env::temp_dir(),
                port: 0,
                name_map: None,
            },
        };
        let driver = bounded(
            &format!("starting {}", spec.name),
            Duration::from_secs(90),
            ExternalDriver::start(spec, &placement),
        )
        .await
        .unwrap_or_else(|e| panic!("{} says hello: {e}", spec.name));
        drivers.push(driver);
    }
    Started {
        drivers,
        _host: host,
    }
}
