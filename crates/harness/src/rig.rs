//! A rig: one booted server in the network namespace of a lane's clients
//! ([`crate::client_rig::ClientRig`]), with the interposer in front of it when the scenario
//! has one. A fresh rig serves one scenario; the fast path ([`crate::FastPath`]) reuses a rig
//! for the next scenario with the same server configuration by swapping the fixture files and
//! reloading TLS.

use crate::client_rig::ClientRig;
use crate::{Error, Row, RunContext, ScenarioReport, ServerState};
use certgen::{FixtureFile, Fixtures};
use clients::Cell;
use scenario::Scenario;
use servers::{Boot, Flavor, HARNESS_PASSWORD, Server};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Result of booting a rig.
pub(crate) enum RigBoot {
    /// The server is up.
    Ready(Box<Rig>),
    /// The server process exited before it accepted connections; this is the scenario's report.
    Failed(Box<ScenarioReport>),
}

/// A server (and its interposer). Dropping it removes its containers; the lane's clients stay.
pub(crate) struct Rig {
    flavor: &'static Flavor,
    server: Box<Server>,
    /// Whether the fixtures in place came from a swap (not from this rig's own boot).
    swapped: bool,
    /// TLS state right after boot (before any scenario `[reload]`).
    tls_at_boot: bool,
    /// The attacker in the middle of an `[attack]` or `[fault]` scenario, on 3306 in the
    /// namespace.
    interposer: Option<crate::interposed::Interposer>,
}

/// The client's view of a scenario's fixture files: boot files, overwritten by reload files,
/// plus [`certgen::PKCS12_FILE`] (`client.cert` and `client.key` packed with
/// [`certgen::PKCS12_PASSWORD`]) when the scenario presents a client certificate, for clients
/// that take an identity only as PKCS#12. When the pair cannot be packed (as `openssl pkcs12
/// -export` would refuse it: truncated, mismatched, encrypted) the bundle is absent, those
/// clients answer `unsupported`, and the reason is logged as a warning.
pub(crate) fn client_files(
    scenario: &Scenario,
    fixtures: &Fixtures,
) -> BTreeMap<String, FixtureFile> {
    let mut files = fixtures.files.clone();
    files.extend(fixtures.reload.clone());
    if let (Some(cert), Some(key)) = (&scenario.client.cert, &scenario.client.key) {
        match certgen::pack_identity(&files, cert, key, certgen::PKCS12_PASSWORD) {
            Ok(bytes) => {
                files.insert(
                    certgen::PKCS12_FILE.to_owned(),
                    FixtureFile { bytes, mode: 0o644 },
                );
            }
            Err(e) => tracing::warn!(
                scenario = %scenario.id,
                "no PKCS#12 bundle for the client certificate: {e}"
            ),
        }
    }
    files
}

impl Rig {
    /// Boots `flavor` with the scenario's boot fixtures in the namespace of `clients`, starts
    /// the interposer when the scenario has one, and runs its `[reload]` if any.
    pub(crate) async fn boot(
        scenario: &Scenario,
        flavor: &'static Flavor,
        fixtures: &Fixtures,
        clients: &ClientRig,
        ctx: &RunContext,
    ) -> Result<(RigBoot, Option<servers::Reload>), Error> {
        let boot = Server::boot_in(
            flavor,
            scenario,
            fixtures,
            &ctx.labels,
            ctx.startup_timeout,
            Some(clients.netns()),
        )
        .await?;
        let mut server = match boot {
            Boot::Ready(server) => server,
            Boot::Failed { exit_code, log } => {
                let report = ScenarioReport {
                    scenario: scenario.id.clone(),
                    description: scenario.description.clone(),
                    reported: crate::Reported::of(scenario, &ctx.drivers)?,
                    flavor: flavor.name,
                    server_version: String::new(),
                    boot_time: Duration::ZERO,
                    client_versions: Vec::new(),
                    start_costs: Vec::new(),
                    server: ServerState::FailedToStart { exit_code, log },
                    reload: None,
                    auth_note: flavor.auth_note,
                    rows: Vec::new(),
                    reused_server: false,
                    facts: Some(facts_of(scenario, false, None)),
                };
                return Ok((RigBoot::Failed(Box::new(report)), None));
            }
        };
        tracing::info!(scenario = %scenario.id, flavor = flavor.name, port = server.host_port, tls = server.tls.enabled, "server ready");
        let tls_at_boot = server.tls.enabled;
        let interposer = interposer_for(scenario, fixtures, clients, ctx).await?;
        let reload = match &scenario.reload {
            Some(spec) => Some(
                server
                    .reload(&fixtures.reload, spec.no_rollback_on_error)
                    .await?,
            ),
            None => None,
        };
        let rig = Rig {
            flavor,
            server,
            swapped: false,
            tls_at_boot,
            interposer,
        };
        Ok((RigBoot::Ready(Box::new(rig)), reload))
    }

    /// The fast path: puts `fixtures` in place on the server and reloads TLS (the clients'
    /// files are the caller's). `Ok(false)` means the server would not behave like a clean
    /// fresh boot (reload refused, TLS off, TLS lines logged); the rig must then be dropped and
    /// a fresh one booted.
    pub(crate) async fn swap(
        &mut self,
        scenario: &Scenario,
        fixtures: &Fixtures,
        clients: &ClientRig,
        ctx: &RunContext,
    ) -> Result<bool, Error> {
        // The old interposer goes first, freeing 3306 in the namespace.
        self.interposer = None;
        if !self.server.swap_fixtures(&fixtures.files).await? {
            return Ok(false);
        }
        self.interposer = interposer_for(scenario, fixtures, clients, ctx).await?;
        self.swapped = true;
        Ok(true)
    }

    /// Attempts every client × ssl-mode of `scenario` and returns its report.
    /// `first_of_clients`: the clients were started for this scenario (their start costs
    /// are reported with it).
    pub(crate) async fn run(
        &self,
        scenario: &Scenario,
        reload: Option<servers::Reload>,
        clients: &ClientRig,
        first_of_clients: bool,
        ctx: &RunContext,
    ) -> Result<ScenarioReport, Error> {
        // Each client runs its ssl-modes in order; `ctx.client_jobs` clients run at once
        // (default 1: one client after another), rows kept in client order.
        use futures::StreamExt as _;
        let per_client: Vec<Result<Vec<Row>, Error>> = futures::stream::iter(&clients.clients)
            .map(|client| async move {
                let mut rows = Vec::new();
                for &ssl_mode in &scenario.client.ssl_modes {
                    let cell = cell_for(scenario, ssl_mode, ctx.cell_timeout);
                    let started = Instant::now();
                    let outcome = client.attempt(&cell).await?;
                    let took = if matches!(outcome, outcome::Outcome::Unsupported { .. }) {
                        Duration::ZERO
                    } else {
                        started.elapsed()
                    };
                    let seen = match &self.interposer {
                        Some(interposer) => Some(crate::interposed::seen(
                            scenario,
                            interposer.report(&scenario.id).await?,
                            &outcome,
                            cell.timeout,
                            took,
                        )),
                        None => None,
                    };
                    tracing::debug!(scenario = %scenario.id, client = client.name(), %ssl_mode, %outcome, "cell");
                    rows.push(Row {
                        client: client.name().to_owned(),
                        ssl_mode,
                        outcome,
                        took,
                        seen,
                    });
                }
                Ok(rows)
            })
            // Behind an interposer one cell at a time: its report is the cell's connections.
            .buffered(if self.interposer.is_some() {
                1
            } else {
                ctx.client_jobs.max(1)
            })
            .collect()
            .await;
        let mut rows = Vec::new();
        for client_rows in per_client {
            rows.extend(client_rows?);
        }
        // A swapped rig only runs when the reload was silent and TLS came up, which is what a
        // clean boot shows once its informational lines are set aside (see `report`).
        let log = if self.swapped {
            Vec::new()
        } else {
            self.server.tls.log.clone()
        };
        let tls_now = self.swapped || self.tls_at_boot();
        Ok(ScenarioReport {
            scenario: scenario.id.clone(),
            description: scenario.description.clone(),
            reported: crate::Reported::of(scenario, &ctx.drivers)?,
            flavor: self.flavor.name,
            server_version: self.server.version.clone(),
            boot_time: if self.swapped {
                Duration::ZERO
            } else {
                self.server.boot_time
            },
            client_versions: clients.client_versions.clone(),
            start_costs: if first_of_clients {
                clients.start_costs.clone()
            } else {
                Vec::new()
            },
            auth_note: self.flavor.auth_note,
            server: ServerState::Ready {
                tls_enabled: tls_now,
                log,
            },
            facts: Some(facts_of(scenario, tls_now, reload.as_ref())),
            reload,
            rows,
            reused_server: self.swapped,
        })
    }

    fn tls_at_boot(&self) -> bool {
        self.tls_at_boot
    }

    /// Whether a later scenario may reuse this rig: its own boot was clean (TLS on, no TLS
    /// line beyond the informational ones every healthy boot prints).
    pub(crate) fn reusable(&self) -> bool {
        self.swapped
            || (self.tls_at_boot() && crate::report::notable_lines(&self.server.tls.log).is_empty())
    }
}

/// The interposer `scenario` puts in front of its server, in the namespace of `clients`;
/// `None` for a scenario without `[attack]` or `[fault]`. Errors: [`Error::Interposer`].
async fn interposer_for(
    scenario: &Scenario,
    fixtures: &Fixtures,
    clients: &ClientRig,
    ctx: &RunContext,
) -> Result<Option<crate::interposed::Interposer>, Error> {
    if !scenario.interposed() {
        return Ok(None);
    }
    crate::interposed::Interposer::start(
        scenario,
        fixtures,
        clients.netns().0,
        &ctx.labels,
        cell_timeout(scenario, ctx.cell_timeout),
    )
    .await
    .map(Some)
}

/// The cell for one ssl-mode of `scenario`.
/// The cell `scenario` asks of every client in `ssl_mode`: host, CA, client identity, CRL,
/// TLS version from `[client]`; the scenario's account when it has one, else `harness`.
pub fn cell_for(scenario: &Scenario, ssl_mode: scenario::SslMode, timeout: Duration) -> Cell {
    Cell {
        ssl_mode,
        host: scenario.client.host.clone(),
        ca: scenario.client.ca.clone(),
        crl: scenario.client.crl.clone(),
        identity: scenario
            .client
            .cert
            .clone()
            .zip(scenario.client.key.clone()),
        pkcs12: (scenario.client.cert.is_some() && scenario.client.key.is_some())
            .then(|| certgen::PKCS12_FILE.to_owned()),
        tls_version: scenario.client.tls_version.clone(),
        user: if scenario.server.account.is_some() {
            servers::ACCOUNT
        } else {
            "harness"
        }
        .into(),
        password: HARNESS_PASSWORD.into(),
        timeout: cell_timeout(scenario, timeout),
    }
}

/// The cell timeout of `scenario`: its `client.timeout_ms` when it sets one, else the run's.
fn cell_timeout(scenario: &Scenario, run: Duration) -> Duration {
    scenario
        .client
        .timeout_ms
        .map_or(run, Duration::from_millis)
}

/// The facts the cells of `scenario` are judged against, given what its server reported: TLS
/// on after boot (`tls_at_boot`; `false` for a server that failed to start), then the reload's
/// result, which decides both TLS and which files are served.
fn facts_of(
    scenario: &Scenario,
    tls_at_boot: bool,
    reload: Option<&servers::Reload>,
) -> verdict::Facts {
    verdict::derive(
        scenario,
        verdict::ServerObservation {
            tls_enabled: reload.map_or(tls_at_boot, |r| r.tls_enabled_after),
            reload_accepted: reload.is_some_and(|r| r.refused.is_none()),
        },
    )
}
