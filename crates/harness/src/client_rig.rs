//! The clients of a lane: every client attached to one network namespace that they own (the
//! clients container publishes 3306 and holds `/etc/hosts`), kept while servers come and go.
//! A server boots into that namespace ([`servers::Server::boot_in`]), so CLI companions, the
//! clients container, its driver processes, host-run drivers and the in-process client are
//! started once per lane instead of once per server; each scenario only puts its files in
//! place. A scenario that dials another mapped host name gets a new client rig (the hosts
//! file and host-run drivers' name map are fixed when it starts).

use crate::{Error, RunContext};
use certgen::FixtureFile;
use clients::{Cli, Client, DriversHost, Endpoint, ExternalDriver, Placement, RunsOn, RustMysql};
use scenario::Scenario;
use servers::HARNESS_PASSWORD;
use std::collections::BTreeMap;
use std::time::Duration;
use tempfile::TempDir;

/// Every client of a lane. Dropping it removes its containers and ends the driver processes;
/// drop every server that joined its namespace first.
pub(crate) struct ClientRig {
    /// Host port on 127.0.0.1 published for 3306 in the namespace.
    host_port: u16,
    /// The scenario host name `/etc/hosts` and the name map carry.
    mapped_host: Option<String>,
    /// Host directory with the client's view of the fixture files (in-process and host
    /// drivers).
    dir: TempDir,
    /// The hosts file host-run drivers resolve the mapped name through
    /// ([`clients::name_map`]), and the directory holding it.
    name_map: Option<(TempDir, std::path::PathBuf)>,
    pub(crate) clients: Vec<Client>,
    pub(crate) client_versions: Vec<(String, String)>,
    /// Spawn-to-hello time of each external driver, reported with the first scenario only.
    pub(crate) start_costs: Vec<(String, Duration)>,
    /// The clients container: owner of the namespace, where `clients-image` drivers run.
    /// Declared last, so it is removed last: after the driver processes running in it and the
    /// companions in its namespace (removing it under live `docker exec` sessions stalled
    /// Docker for minutes).
    holder: DriversHost,
}

impl ClientRig {
    /// Starts the namespace owner (mapping `scenario`'s host name), then every client the
    /// run selects, with `files` (the client's view of `scenario`'s fixtures) in place.
    ///
    /// Errors: [`Error::Client`] when a container or driver process does not start.
    pub(crate) async fn start(
        scenario: &Scenario,
        files: &BTreeMap<String, FixtureFile>,
        ctx: &RunContext,
    ) -> Result<Self, Error> {
        let mapped_host = scenario.client.mapped_host().map(str::to_owned);
        let (holder, host_port) =
            DriversHost::start_holder(mapped_host.as_deref(), files, &ctx.labels).await?;
        let dir = tempfile::Builder::new()
            .prefix("mysql-tls-fixtures-")
            .tempdir()
            .map_err(Error::TempDir)?;
        certgen::write_files(dir.path(), files)?;
        let name_map = match &mapped_host {
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
        let mut rig = ClientRig {
            holder,
            host_port,
            mapped_host,
            dir,
            name_map,
            clients: Vec::new(),
            client_versions: Vec::new(),
            start_costs: Vec::new(),
        };
        rig.attach(files, ctx).await?;
        Ok(rig)
    }

    /// Whether these clients can serve `scenario` (the same mapped host name, or none).
    pub(crate) fn serves(&self, scenario: &Scenario) -> bool {
        self.mapped_host.as_deref() == scenario.client.mapped_host()
    }

    /// The namespace servers join: `(container id, published host port)`.
    pub(crate) fn netns(&self) -> (&str, u16) {
        (self.holder.container_id(), self.host_port)
    }

    /// What clients are given to reach the server of the moment: never the server itself.
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            netns: self.holder.container_id().to_owned(),
            host_port: self.host_port,
            fixture_dir: self.dir.path().to_path_buf(),
        }
    }

    async fn attach(
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
        for spec in &ctx.drivers {
            let placement = match spec.runs_on {
                RunsOn::ClientsImage => self.holder.placement(),
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

    /// Puts `files` (a scenario's client view) in place for every client: the host directory,
    /// each CLI companion, the clients container; and gives every driver a fresh replacement
    /// budget. Errors: [`Error::TempDir`], [`Error::Client`].
    pub(crate) async fn put_files(
        &self,
        files: &BTreeMap<String, FixtureFile>,
    ) -> Result<(), Error> {
        for entry in std::fs::read_dir(self.dir.path()).map_err(Error::TempDir)? {
            let path = entry.map_err(Error::TempDir)?.path();
            std::fs::remove_file(&path).map_err(Error::TempDir)?;
        }
        certgen::write_files(self.dir.path(), files)?;
        for client in &self.clients {
            match client {
                Client::Cli(cli) => cli.replace_files(files).await?,
                Client::External(driver) => driver.new_scenario(),
                Client::RustMysql(_) => {}
            }
        }
        self.holder.replace_files(files).await?;
        Ok(())
    }
}
