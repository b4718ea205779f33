//! A rig: one booted server with every client attached (CLI companions, the in-process Rust
//! client, the external drivers and their clients container). A fresh rig serves one scenario;
//! the fast path ([`crate::FastPath`]) reuses a rig for the next scenario with the same server
//! configuration by swapping the fixture files everywhere and reloading TLS.

use crate::{Error, Row, RunContext, ScenarioReport, ServerState};
use certgen::{FixtureFile, Fixtures};
use clients::{
    Cell, Cli, Client, DriversHost, Endpoint, ExternalDriver, Placement, RunsOn, RustMysql,
};
use scenario::Scenario;
use servers::{Boot, Flavor, HARNESS_PASSWORD, Server};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Result of booting a rig.
pub(crate) enum RigBoot {
    /// Server and clients are up.
    Ready(Box<Rig>),
    /// The server process exited before it accepted connections; this is the scenario's report.
    Failed(Box<ScenarioReport>),
}

/// A server and its clients. Dropping it removes every container (server, companions, clients
/// container) and ends the driver processes.
pub(crate) struct Rig {
    flavor: &'static Flavor,
    server: Box<Server>,
    /// Host directory with the client's view of the fixtures (in-process and host drivers).
    dir: TempDir,
    /// The hosts file host-run drivers resolve the scenario's mapped host name through
    /// ([`clients::name_map`]), and the directory holding it; `None` when the host needs no
    /// mapping.
    name_map: Option<(TempDir, std::path::PathBuf)>,
    clients: Vec<Client>,
    drivers_host: Option<DriversHost>,
    client_versions: Vec<(String, String)>,
    start_costs: Vec<(String, Duration)>,
    /// Whether the fixtures in place came from a swap (not from this rig's own boot).
    swapped: bool,
    /// TLS state right after boot (before any scenario `[reload]`).
    tls_at_boot: bool,
    /// The attacker in the middle of an `[attack]` or `[fault]` scenario, on 3306 in the
    /// server's network namespace.
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
    /// Boots `flavor` with the scenario's boot fixtures, runs its `[reload]` if any, and
    /// attaches every client with the client's view of the files.
    pub(crate) async fn boot(
        scenario: &Scenario,
        flavor: &'static Flavor,
        fixtures: &Fixtures,
        ctx: &RunContext,
    ) -> Result<(RigBoot, Option<servers::Reload>), Error> {
        let boot =
            Server::boot(flavor, scenario, fixtures, &ctx.labels, ctx.startup_timeout).await?;
        let mut server = match boot {
            Boot::Ready(server) => server,
            Boot::Failed { exit_code, log } => {
                let report = ScenarioReport {
                    scenario: scenario.id.clone(),
                    description: scenario.description.clone(),
                    reported: scenario.reported.clone(),
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
        let interposer = if scenario.interposed() {
            Some(
                crate::interposed::Interposer::start(
                    scenario,
                    fixtures,
                    server.container_id(),
                    &ctx.labels,
                    cell_timeout(scenario, ctx.cell_timeout),
                )
                .await?,
            )
        } else {
            None
        };
        let reload = match &scenario.reload {
            Some(spec) => Some(
                server
                    .reload(&fixtures.reload, spec.no_rollback_on_error)
                    .await?,
            ),
            None => None,
        };
        let files = client_files(scenario, fixtures);
        let dir = tempfile::Builder::new()
            .prefix("mysql-tls-fixtures-")
            .tempdir()
            .map_err(Error::TempDir)?;
        certgen::write_files(dir.path(), &files)?;
        let name_map = match scenario.client.mapped_host() {
            Some(name) => {
                let map = tempfile::Builder::new()
                    .prefix("mysql-tls-hosts-")
                    .tempdir()
                    .map_err(Error::TempDir)?;
                let hosts = clients::name_map::write_hosts_file(map.path(), name)?;
                Some((map, hosts))
            }
            None => None,
        };
        let mut rig = Rig {
            flavor,
            server,
            dir,
            name_map,
            clients: Vec::new(),
            drivers_host: None,
            client_versions: Vec::new(),
            start_costs: Vec::new(),
            swapped: false,
            tls_at_boot,
            interposer,
        };
        rig.attach_clients(&files, ctx).await?;
        Ok((RigBoot::Ready(Box::new(rig)), reload))
    }

    /// What clients are given to reach this rig's server: never the server itself.
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            netns: self.server.container_id().to_owned(),
            host_port: self.server.host_port,
            fixture_dir: self.dir.path().to_path_buf(),
        }
    }

    async fn attach_clients(
        &mut self,
        files: &BTreeMap<String, FixtureFile>,
        ctx: &RunContext,
    ) -> Result<(), Error> {
        let endpoint = self.endpoint();
        for program in [&clients::MYSQL_CLI, &clients::MARIADB_CLI] {
            if !ctx.selects(program.name) {
                continue;
            }
            let cli = Cli::start(program, &endpoint, files, HARNESS_PASSWORD, &ctx.labels).await?;
            self.client_versions
                .push((program.name.to_owned(), cli.version().await?));
            self.clients.push(Client::Cli(Box::new(cli)));
        }
        if ctx.selects(RustMysql::NAME) {
            self.client_versions.push((
                RustMysql::NAME.to_owned(),
                "mysql crate 28, native-tls".into(),
            ));
            self.clients.push(Client::RustMysql(RustMysql::new(
                endpoint.fixture_dir.clone(),
                endpoint.host_port,
            )));
        }
        if ctx
            .drivers
            .iter()
            .any(|d| d.runs_on == RunsOn::ClientsImage)
        {
            self.drivers_host =
                Some(DriversHost::start(Some(&endpoint), files, &ctx.labels).await?);
        }
        for spec in &ctx.drivers {
            let placement = match (&self.drivers_host, spec.runs_on) {
                (Some(host), RunsOn::ClientsImage) => host.placement(),
                _ => Placement::Host {
                    fixture_dir: endpoint.fixture_dir.clone(),
                    port: endpoint.host_port,
                    name_map: self.name_map.as_ref().map(|(_, hosts)| hosts.clone()),
                },
            };
            let mut driver = ExternalDriver::start(spec, &placement).await?;
            driver.set_process_per_cell(ctx.driver_process_per_cell);
            self.start_costs
                .push((spec.name.clone(), driver.start_cost));
            let hello = driver.hello();
            self.client_versions.push((
                spec.name.clone(),
                format!("{} ({})", hello.version, hello.runtime),
            ));
            self.clients.push(Client::External(Box::new(driver)));
        }
        Ok(())
    }

    /// The fast path: puts `fixtures` in place on the server and for every client, and reloads
    /// TLS. `Ok(false)` means the server would not behave like a clean fresh boot (reload
    /// refused, TLS off, TLS lines logged); the rig must then be dropped and a fresh one booted.
    pub(crate) async fn swap(
        &mut self,
        scenario: &Scenario,
        fixtures: &Fixtures,
        ctx: &RunContext,
    ) -> Result<bool, Error> {
        let files = client_files(scenario, fixtures);
        if !self.server.swap_fixtures(&fixtures.files).await? {
            return Ok(false);
        }
        for entry in std::fs::read_dir(self.dir.path()).map_err(Error::TempDir)? {
            let path = entry.map_err(Error::TempDir)?.path();
            std::fs::remove_file(&path).map_err(Error::TempDir)?;
        }
        certgen::write_files(self.dir.path(), &files)?;
        for client in &self.clients {
            if let Client::Cli(cli) = client {
                tracing::debug!(client = cli.name(), "swapping client files");
                cli.replace_files(&files).await?;
            }
        }
        if let Some(host) = &self.drivers_host {
            tracing::debug!("swapping clients-container files");
            host.replace_files(&files).await?;
        }
        if scenario.interposed() {
            // A fresh interposer for this scenario's play (the old one's container is removed
            // first, freeing 3306 in the namespace).
            self.interposer = None;
            self.interposer = Some(
                crate::interposed::Interposer::start(
                    scenario,
                    fixtures,
                    self.server.container_id(),
                    &ctx.labels,
                    cell_timeout(scenario, ctx.cell_timeout),
                )
                .await?,
            );
        }
        self.swapped = true;
        Ok(true)
    }

    /// Attempts every client × ssl-mode of `scenario` and returns its report.
    pub(crate) async fn run(
        &self,
        scenario: &Scenario,
        reload: Option<servers::Reload>,
        ctx: &RunContext,
    ) -> Result<ScenarioReport, Error> {
        // Each client runs its ssl-modes in order; `ctx.client_jobs` clients run at once
        // (default 1: one client after another), rows kept in client order.
        use futures::StreamExt as _;
        let per_client: Vec<Result<Vec<Row>, Error>> = futures::stream::iter(&self.clients)
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
            reported: scenario.reported.clone(),
            flavor: self.flavor.name,
            server_version: self.server.version.clone(),
            boot_time: if self.swapped {
                Duration::ZERO
            } else {
                self.server.boot_time
            },
            client_versions: self.client_versions.clone(),
            start_costs: if self.swapped {
                Vec::new()
            } else {
                self.start_costs.clone()
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

    /// Whether the server serves TLS now (after a refused swap it keeps the previous
    /// certificates; MariaDB may end up without TLS, then the rig is dropped).
    pub(crate) fn still_serving(&self) -> bool {
        self.server.tls.enabled
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
