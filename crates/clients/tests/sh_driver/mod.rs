//! Test drivers that are `sh` scripts run on the host (no Docker), and the cell they are sent:
//! shared by the tests that make drivers misbehave on purpose.

use clients::{Cell, DriverSpec, Placement, RunsOn};
use scenario::SslMode;
use std::time::Duration;

/// A host-run driver named `name` whose program is the `sh` script `script`.
pub fn spec(name: &str, script: &str) -> DriverSpec {
    DriverSpec {
        name: name.into(),
        command: vec!["sh".into(), "-c".into(), script.into()],
        runs_on: RunsOn::Host,
        build: None,
        family: None,
    }
}

/// Runs on the host with fixtures in `fixture_dir`; port 1 (nothing listens, nothing dials).
pub fn placement(fixture_dir: &std::path::Path) -> Placement {
    Placement::Host {
        fixture_dir: fixture_dir.to_owned(),
        port: 1,
        name_map: None,
    }
}

/// A cell in `ssl_mode` with `timeout` (loopback, CA `ca.pem`, user `harness`).
pub fn cell(ssl_mode: SslMode, timeout: Duration) -> Cell {
    Cell {
        ssl_mode,
        host: "127.0.0.1".into(),
        ca: "ca.pem".into(),
        crl: None,
        identity: None,
        pkcs12: None,
        tls_version: None,
        user: "harness".into(),
        password: "x".into(),
        timeout,
    }
}
