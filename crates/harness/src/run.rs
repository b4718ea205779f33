//! Running one scenario on one flavor: fixtures → server → clients × ssl-modes → report.
//! Containers live only inside [`run_scenario`]; they are dropped (removed) on every return
//! path, including errors and panics.

use crate::{Error, Row, ScenarioReport, ServerState};
use clients::{Cell, Cli, Client, RustMysql};
use scenario::Scenario;
use servers::{Boot, Flavor, HARNESS_PASSWORD, RunLabels, Server};
use std::{path::PathBuf, time::Duration};
use time::OffsetDateTime;

/// Settings shared by every scenario of a run.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Labels put on every container (project + run id).
    pub labels: RunLabels,
    /// The instant validity offsets resolve against.
    pub now: OffsetDateTime,
    /// Bound of one connection attempt; past it the cell is `Hang`.
    pub cell_timeout: Duration,
    /// Bound of server boot (container start → ready for connections).
    pub startup_timeout: Duration,
}

impl RunContext {
    /// Defaults: labels for this process, `now` = current UTC time, 10 s per cell, 90 s boot.
    pub fn new() -> Self {
        RunContext {
            labels: RunLabels::for_this_process(),
            now: OffsetDateTime::now_utc(),
            cell_timeout: Duration::from_secs(10),
            startup_timeout: Duration::from_secs(90),
        }
    }
}

impl Default for RunContext {
    fn default() -> Self {
        Self::new()
    }
}

/// The flavors `scenario` runs on: its `server.flavors`, or every known flavor when empty.
///
/// Errors: [`Error::UnknownFlavor`] naming the scenario and the unknown name.
pub fn flavors_of(scenario: &Scenario) -> Result<Vec<&'static Flavor>, Error> {
    if scenario.server.flavors.is_empty() {
        return Ok(Flavor::ALL.iter().collect());
    }
    scenario
        .server
        .flavors
        .iter()
        .map(|name| {
            Flavor::by_name(name).ok_or_else(|| Error::UnknownFlavor {
                scenario: scenario.id.clone(),
                name: name.clone(),
                known: Flavor::ALL
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect()
}

/// The repository's `scenarios/` directory (resolved from this crate's location at build time).
pub fn scenarios_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Runs `scenario` on `flavor`: generates its fixtures, boots the
/// server, starts the clients, attempts every client × ssl-mode in order, and returns the report.
///
/// Errors are harness faults only (image missing, Docker failing, fixture errors).
pub async fn run_scenario(
    scenario: &Scenario,
    flavor: &'static Flavor,
    ctx: &RunContext,
) -> Result<ScenarioReport, Error> {
    let fixtures = certgen::generate(scenario, ctx.now)?;
    let dir = tempfile::Builder::new()
        .prefix("mysql-tls-fixtures-")
        .tempdir()
        .map_err(Error::TempDir)?;

    let boot = Server::boot(
        flavor,
        scenario,
        &fixtures,
        &ctx.labels,
        ctx.startup_timeout,
    )
    .await?;
    let mut server = match boot {
        Boot::Ready(server) => server,
        Boot::Failed { exit_code, log } => {
            return Ok(ScenarioReport {
                scenario: scenario.id.clone(),
                description: scenario.description.clone(),
                flavor: flavor.name,
                server_version: String::new(),
                boot_time: std::time::Duration::ZERO,
                client_versions: Vec::new(),
                server: ServerState::FailedToStart { exit_code, log },
                reload: None,
                auth_note: flavor.auth_note,
                rows: Vec::new(),
            });
        }
    };
    tracing::info!(scenario = %scenario.id, flavor = flavor.name, port = server.host_port, tls = server.tls.enabled, "server ready");
    let booted_with_tls = server.tls.enabled;
    let reload = match &scenario.reload {
        Some(spec) => Some(
            server
                .reload(&fixtures.reload, spec.no_rollback_on_error)
                .await?,
        ),
        None => None,
    };
    // Clients see the fixture directory as it is after any reload; the in-process client reads
    // it from `dir`, the CLI containers get it copied in.
    let mut client_files = fixtures.files.clone();
    client_files.extend(fixtures.reload.clone());
    certgen::write_files(dir.path(), &client_files)?;
    let mut clients = Vec::new();
    let mut client_versions = Vec::new();
    for program in [&clients::MYSQL_CLI, &clients::MARIADB_CLI] {
        let cli = Cli::start(
            program,
            &server,
            &client_files,
            HARNESS_PASSWORD,
            &ctx.labels,
        )
        .await?;
        client_versions.push((program.name, cli.version().await?));
        clients.push(Client::Cli(Box::new(cli)));
    }
    client_versions.push((RustMysql::NAME, "mysql crate 28, native-tls".into()));
    clients.push(Client::RustMysql(RustMysql::new(
        dir.path().to_path_buf(),
        server.host_port,
    )));

    let mut rows = Vec::new();
    for client in &clients {
        for &ssl_mode in &scenario.client.ssl_modes {
            let cell = Cell {
                ssl_mode,
                host: scenario.client.host.clone(),
                ca: scenario.client.ca.clone(),
                crl: scenario.client.crl.clone(),
                identity: scenario
                    .client
                    .cert
                    .clone()
                    .zip(scenario.client.key.clone()),
                tls_version: scenario.client.tls_version.clone(),
                user: if scenario.server.account.is_some() {
                    servers::ACCOUNT
                } else {
                    "harness"
                }
                .into(),
                password: HARNESS_PASSWORD.into(),
                timeout: ctx.cell_timeout,
            };
            let outcome = client.attempt(&cell).await?;
            tracing::debug!(scenario = %scenario.id, client = client.name(), %ssl_mode, %outcome, "cell");
            rows.push(Row {
                client: client.name(),
                ssl_mode,
                outcome,
            });
        }
    }
    Ok(ScenarioReport {
        scenario: scenario.id.clone(),
        description: scenario.description.clone(),
        flavor: flavor.name,
        server_version: server.version.clone(),
        boot_time: server.boot_time,
        client_versions,
        auth_note: flavor.auth_note,
        reload,
        server: ServerState::Ready {
            tls_enabled: booted_with_tls,
            log: server.tls.log.clone(),
        },
        rows,
    })
}
