//! A booted server: one container from a flavor's image with the scenario's fixtures and
//! my.cnf copied in, published on 127.0.0.1 only. Dropping the [`Server`] removes the container
//! ([`containers::Container`]); interrupted runs are swept by label ([`containers::sweep`]). A server that exits instead of becoming ready is a [`Boot::Failed`]
//! outcome (data), not an error: MariaDB refuses to start on unusable certificates.

use crate::{Error, Flavor};
use certgen::Fixtures;
use containers::{Container, ContainerSpec, FIXTURE_DIR, Network, RunLabels};
use scenario::Scenario;
use std::time::{Duration, Instant};

/// Bound of one admin statement over the Unix socket (a reload blocked by a stuck connection
/// must not hang the run).
const ADMIN_TIMEOUT: Duration = Duration::from_secs(60);

/// Account created at boot when a scenario sets `server.account` (same password).
pub const ACCOUNT: &str = "tls_account";

/// Password of the `harness` account baked into every image (test credential).
pub const HARNESS_PASSWORD: &str = "harness-password";

/// What the server itself says about TLS after boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsStatus {
    /// TLS enabled on the main channel (MySQL `tls_channel_status.Enabled`, MariaDB `have_ssl`).
    pub enabled: bool,
    /// The server's own log lines about TLS/SSL/certificates, timestamp and thread id removed,
    /// in log order (e.g. `[Warning] [MY-010069] [Server] Failed to set up SSL …`).
    pub log: Vec<String>,
}

/// Result of a boot attempt: a ready server, or a server process that exited first.
pub enum Boot {
    /// Accepting connections.
    Ready(Box<Server>),
    /// The server process exited before it accepted connections.
    Failed {
        /// Container exit code, if Docker reported one.
        exit_code: Option<i64>,
        /// The log lines that explain it (errors, TLS/SSL/certificate lines), prefix removed.
        log: Vec<String>,
    },
}

/// What a TLS reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reload {
    /// The statement run, e.g. `ALTER INSTANCE RELOAD TLS NO ROLLBACK ON ERROR`.
    pub statement: String,
    /// The server's error when it refused the reload (`ERROR 3888 (HY000) …`), else `None`.
    pub refused: Option<String>,
    /// TLS state after the reload.
    pub tls_enabled_after: bool,
    /// Round trip of the statement.
    pub took: Duration,
}

/// A running server. Drop it to remove the container.
pub struct Server {
    container: Container,
    /// The flavor it runs.
    pub flavor: &'static Flavor,
    /// Host port on 127.0.0.1 that maps to 3306 in the server's network namespace: the server
    /// itself, or the interposer in front of it ([`Scenario::interposed`]).
    pub host_port: u16,
    /// Server version string (`SELECT VERSION()`), e.g. `9.7.4-2`.
    pub version: String,
    /// TLS state read after boot.
    pub tls: TlsStatus,
    /// Time from container start to "ready for connections".
    pub boot_time: Duration,
}

impl Server {
    /// Boots `flavor` with the scenario's fixtures and waits (up to `startup`) until its log
    /// says it accepts connections or its process exits. When ready, warms the
    /// `caching_sha2_password` cache with one Unix-socket login of `harness` (so plaintext
    /// logins behave the same in every cell order) and reads version and TLS state.
    ///
    /// Errors: [`Error::Docker`] when the image is missing or Docker fails ([`containers::Error`]),
    /// [`Error::NotReady`] when neither happens in time, [`Error::Exec`] when the status query fails.
    pub async fn boot(
        flavor: &'static Flavor,
        scenario: &Scenario,
        fixtures: &Fixtures,
        labels: &RunLabels,
        startup: Duration,
    ) -> Result<Boot, Error> {
        Self::boot_in(flavor, scenario, fixtures, labels, startup, None).await
    }

    /// As [`Server::boot`], in the network namespace of container `netns.0` whose 3306 is
    /// published on host port `netns.1` (a lane's clients container, which outlives its
    /// servers; its `/etc/hosts` maps the scenario's host name), or on its own bridge network
    /// with its own published port and `/etc/hosts` entry when `None`.
    pub async fn boot_in(
        flavor: &'static Flavor,
        scenario: &Scenario,
        fixtures: &Fixtures,
        labels: &RunLabels,
        startup: Duration,
        netns: Option<(&str, u16)>,
    ) -> Result<Boot, Error> {
        let (repository, tag) = flavor.image_parts();
        let mut config = flavor.render_config(&scenario.server, FIXTURE_DIR);
        // Behind an interposer the server moves aside and the interposer takes 3306.
        let port = if scenario.interposed() {
            config.push_str(&format!("port={}\n", scenario::INTERPOSED_SERVER_PORT));
            scenario::INTERPOSED_SERVER_PORT
        } else {
            3306
        };
        let ready_port = format!("port: {port}");
        let mut spec = ContainerSpec::new(
            format!("{} server for {}", flavor.name, scenario.id),
            repository,
            tag,
        )
        .with_file("/etc/mysql/my.cnf", config.clone().into_bytes())
        .with_fixtures(FIXTURE_DIR, &fixtures.files)?;
        spec.labels = labels.as_map();
        match netns {
            Some((id, _)) => spec.network = Network::Join(id.to_owned()),
            None => {
                spec.network = Network::Bridge {
                    publish: Some(3306),
                };
                // A scenario host name resolves to loopback for every client in this namespace.
                if let Some(name) = scenario.client.mapped_host() {
                    let loopback = std::net::IpAddr::V4(scenario::MAPPED_ADDRESS);
                    spec.extra_hosts.push((name.to_owned(), loopback));
                }
            }
        }
        if flavor.user_image.is_some() {
            spec = with_user_image_setup(spec, &config);
        }
        let what = spec.what.clone();
        let started = Instant::now();
        let container = spec.start().await?;
        loop {
            let log = container.stderr().await?;
            // `port: 3306`: images whose entrypoint initializes the data directory first run a
            // temporary server without networking (`port: 0`) that is not the one we want.
            if log.contains(flavor.ready_message) && log.contains(&ready_port) {
                break;
            }
            if !container.is_running().await? {
                let log = container.stderr().await?;
                let exit_code = container.exit_code().await?;
                return Ok(Boot::Failed {
                    exit_code,
                    log: explaining_lines(&log, true),
                });
            }
            if started.elapsed() > startup {
                return Err(Error::NotReady {
                    what,
                    after: startup,
                    log_tail: tail(&log, 15),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let boot_time = started.elapsed();
        let host_port = match netns {
            Some((_, port)) => port,
            None => container.host_port(3306).await?,
        };
        let mut server = Server {
            container,
            flavor,
            host_port,
            version: String::new(),
            tls: TlsStatus {
                enabled: false,
                log: Vec::new(),
            },
            boot_time,
        };
        if let Some(account) = &scenario.server.account {
            server.create_account(&account.require).await?;
        }
        let rows = server
            .socket_query(&format!("SELECT VERSION(); {}", flavor.tls_enabled_sql))
            .await?;
        server.version = rows.first().cloned().unwrap_or_default();
        server.tls.enabled = rows.get(1).is_some_and(|v| v == "Yes");
        server.tls.log = explaining_lines(&server.container.stderr().await?, false);
        Ok(Boot::Ready(Box::new(server)))
    }

    /// Creates [`ACCOUNT`] with the scenario's `REQUIRE` clause and tries one socket login as it
    /// (warming the `caching_sha2_password` cache where the server allows it; a refusal is
    /// ignored, it is the same on every run).
    async fn create_account(&self, require: &scenario::Require) -> Result<(), Error> {
        self.socket_query(&account_sql(require)).await?;
        let _ = self.query_as(ACCOUNT, "SELECT 1").await;
        Ok(())
    }

    /// Overwrites fixture files in the running container (`docker cp`, modes kept), runs the
    /// flavor's reload statement, and re-reads the TLS state. A refused reload is data in the
    /// returned [`Reload`]; only Docker failures are errors.
    pub async fn reload(
        &mut self,
        files: &std::collections::BTreeMap<String, certgen::FixtureFile>,
        no_rollback: bool,
    ) -> Result<Reload, Error> {
        self.container.copy_into(FIXTURE_DIR, files).await?;
        let suffix = if no_rollback {
            self.flavor.reload_no_rollback.unwrap_or("")
        } else {
            ""
        };
        let statement = format!("{}{suffix}", self.flavor.reload_sql);
        let started = Instant::now();
        let (code, _, stderr) = self.admin_exec("harness", &statement).await?;
        let took = started.elapsed();
        // Keep the `ERROR n (state) …` line; the MariaDB CLI also echoes the statement.
        let refused = (code != Some(0)).then(|| {
            let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ERROR")).collect();
            if errors.is_empty() {
                stderr.trim().to_owned()
            } else {
                errors.join(" ")
            }
        });
        let rows = self.socket_query(self.flavor.tls_enabled_sql).await?;
        self.tls.enabled = rows.first().is_some_and(|v| v == "Yes");
        Ok(Reload {
            statement,
            refused,
            tls_enabled_after: self.tls.enabled,
            took,
        })
    }

    /// The fast path: replaces the whole fixture directory with `files`, forgets per-host
    /// connection errors, and reloads TLS (plain statement, rollback on error). Returns whether
    /// the server now serves exactly what a clean fresh boot with these files would: the reload
    /// was accepted, TLS is on, and the server logged no TLS line while doing it. When `false`
    /// the caller must boot a fresh server instead (MySQL refuses on reload certificates its
    /// boot accepts with a warning, e.g. expired ones: ERROR 3888).
    ///
    /// Errors: [`Error::Exec`] when Docker or the admin login fails.
    pub async fn swap_fixtures(
        &mut self,
        files: &std::collections::BTreeMap<String, certgen::FixtureFile>,
    ) -> Result<bool, Error> {
        let what = format!("{} fixture swap", self.flavor.name);
        tracing::debug!(%what, "reading log");
        let log_before = self.container.stderr().await?.lines().count();
        tracing::debug!(%what, "replacing fixture dir");
        self.container.replace_dir(FIXTURE_DIR, files).await?;
        tracing::debug!(%what, "flush hosts, end leftover connections");
        self.socket_query(self.flavor.flush_hosts_sql).await?;
        self.kill_other_connections().await?;
        tracing::debug!(%what, "reload");
        let (code, _, _) = self.admin_exec("harness", self.flavor.reload_sql).await?;
        tracing::debug!(%what, "tls status");
        let rows = self.socket_query(self.flavor.tls_enabled_sql).await?;
        self.tls.enabled = rows.first().is_some_and(|v| v == "Yes");
        let log = self.container.stderr().await?;
        let new_lines: String = log.lines().skip(log_before).collect::<Vec<_>>().join("\n");
        let quiet = explaining_lines(&new_lines, true).is_empty();
        Ok(code == Some(0) && self.tls.enabled && quiet)
    }

    /// Ends every client connection but our own (a fresh boot has none): long-lived driver
    /// processes can leave a socket open after a failed handshake (seen: mysql_async), and an
    /// unauthenticated connection stuck in `login` blocks `ALTER INSTANCE RELOAD TLS`.
    async fn kill_other_connections(&self) -> Result<(), Error> {
        let ids = self
            .socket_query(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
                 AND COMMAND NOT IN ('Daemon', 'Killed') \
                 AND USER NOT IN ('event_scheduler', 'system user')",
            )
            .await?;
        for id in ids
            .iter()
            .filter(|id| id.chars().all(|c| c.is_ascii_digit()))
        {
            // Already gone between the query and the KILL is fine.
            let _ = self.admin_exec("harness", &format!("KILL {id}")).await;
        }
        if !ids.is_empty() {
            tracing::debug!(count = ids.len(), "ended leftover client connections");
        }
        Ok(())
    }

    /// Docker container id (for clients that join its network namespace).
    pub fn container_id(&self) -> &str {
        self.container.id()
    }

    /// Runs SQL as `harness` over the Unix socket inside the container (`-N -B`); returns the
    /// output lines. Errors: [`Error::Exec`] with the client's output on failure.
    pub async fn socket_query(&self, sql: &str) -> Result<Vec<String>, Error> {
        self.query_as("harness", sql).await
    }

    async fn query_as(&self, user: &str, sql: &str) -> Result<Vec<String>, Error> {
        let (code, stdout, stderr) = self.admin_exec(user, sql).await?;
        if code != Some(0) {
            return Err(Error::Exec {
                what: format!("{} admin query `{sql}`", self.flavor.name),
                detail: format!("exit {code:?}: {}", stderr.trim()),
            });
        }
        Ok(stdout.lines().map(str::to_owned).collect())
    }

    /// Runs SQL with the flavor's CLI over the Unix socket; returns exit code, stdout, stderr.
    async fn admin_exec(
        &self,
        user: &str,
        sql: &str,
    ) -> Result<(Option<i64>, String, String), Error> {
        let mut argv = vec![self.flavor.admin_cli.to_owned()];
        argv.extend(self.flavor.admin_args.iter().map(|a| (*a).to_owned()));
        argv.extend([
            format!("--socket={}", self.flavor.socket),
            format!("--user={user}"),
            format!("--password={HARNESS_PASSWORD}"),
            "-N".to_owned(),
            "-B".to_owned(),
            "-e".to_owned(),
            sql.to_owned(),
        ]);
        let what = || format!("{} admin query `{sql}`", self.flavor.name);
        match tokio::time::timeout(ADMIN_TIMEOUT, self.container.exec(argv)).await {
            Ok(result) => result.map_err(Error::from),
            Err(_) => Err(Error::Exec {
                what: what(),
                detail: format!("no answer within {} s", ADMIN_TIMEOUT.as_secs()),
            }),
        }
    }
}

/// What a user-supplied image (`--image mysql:8.4`, the official MySQL/MariaDB images) needs
/// besides our my.cnf: its entrypoint's root password variables, our config also in the
/// `conf.d` directory its own my.cnf includes, and the `harness` account created by an init
/// script on first start. Images built like ours ignore all three.
/// The statements creating [`ACCOUNT`] (password [`HARNESS_PASSWORD`], `SELECT` on
/// everything) with `require` as its `REQUIRE` clause.
pub fn account_sql(require: &scenario::Require) -> String {
    let clause = match require {
        scenario::Require::None => "NONE".to_owned(),
        scenario::Require::Ssl => "SSL".to_owned(),
        scenario::Require::X509 => "X509".to_owned(),
        scenario::Require::Issuer(dn) => format!("ISSUER '{}'", dn.replace('\'', "''")),
        scenario::Require::Subject(dn) => format!("SUBJECT '{}'", dn.replace('\'', "''")),
    };
    format!(
        "CREATE USER '{ACCOUNT}'@'%' IDENTIFIED BY '{HARNESS_PASSWORD}' REQUIRE {clause}; \
         GRANT SELECT ON *.* TO '{ACCOUNT}'@'%'"
    )
}

/// The init script an official image's entrypoint runs (`/docker-entrypoint-initdb.d`): the
/// `harness` admin account, over TCP and the socket, password [`HARNESS_PASSWORD`].
pub fn user_image_init_sql() -> String {
    format!(
        "CREATE USER IF NOT EXISTS 'harness'@'%' IDENTIFIED BY '{HARNESS_PASSWORD}';\n\
         GRANT ALL PRIVILEGES ON *.* TO 'harness'@'%' WITH GRANT OPTION;\n\
         CREATE USER IF NOT EXISTS 'harness'@'localhost' IDENTIFIED BY '{HARNESS_PASSWORD}';\n\
         GRANT ALL PRIVILEGES ON *.* TO 'harness'@'localhost' WITH GRANT OPTION;\n"
    )
}

pub(crate) fn with_user_image_setup(mut spec: ContainerSpec, config: &str) -> ContainerSpec {
    for var in ["MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD"] {
        spec.env.push((var.to_owned(), HARNESS_PASSWORD.to_owned()));
    }
    spec.with_file(
        "/etc/mysql/conf.d/zz-mysql-tls-harness.cnf",
        config.as_bytes().to_vec(),
    )
    .with_file(
        "/docker-entrypoint-initdb.d/00-mysql-tls-harness.sql",
        user_image_init_sql().into_bytes(),
    )
}

/// Log lines that explain TLS state: those mentioning TLS, SSL or certificates, plus (for a
/// failed start) `[ERROR]` lines; the `<timestamp> <thread>` prefix is removed.
fn explaining_lines(log: &str, with_errors: bool) -> Vec<String> {
    log.lines()
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            ["ssl", "tls", "certificate"]
                .iter()
                .any(|w| lower.contains(w))
                || (with_errors && l.contains("[ERROR]"))
        })
        .map(|l| match l.find(" [") {
            Some(at) => l[at + 1..].to_owned(),
            None => l.to_owned(),
        })
        .collect()
}

fn tail(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
