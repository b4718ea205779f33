//! A booted server: one container from a flavor's image with the scenario's fixtures and
//! my.cnf copied in, published on 127.0.0.1 only. Dropping the [`Server`] removes the container
//! (testcontainers, blocking until Docker confirms); interrupted runs are swept by label
//! ([`crate::sweep`]).

use crate::{Error, Flavor, RunLabels};
use certgen::Fixtures;
use scenario::Scenario;
use std::time::Duration;
use testcontainers::{
    ContainerAsync, CopyTargetOptions, GenericImage, ImageExt,
    bollard::models::PortBinding,
    core::{ExecCommand, IntoContainerPort, WaitFor},
    runners::AsyncRunner,
};

/// Where fixture files live inside server (and client) containers.
pub const FIXTURE_DIR: &str = "/etc/mysql/tls";

/// What the server itself says about TLS after boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsStatus {
    /// TLS enabled on the main channel (`tls_channel_status.Enabled = Yes`).
    pub enabled: bool,
    /// The server's own log lines about TLS/SSL/certificates, timestamp and thread id removed,
    /// in log order (e.g. `[Warning] [MY-010069] [Server] Failed to set up SSL …`).
    pub log: Vec<String>,
}

/// A running server. Drop it to remove the container.
pub struct Server {
    container: ContainerAsync<GenericImage>,
    /// The flavor it runs.
    pub flavor: &'static Flavor,
    /// Host port on 127.0.0.1 that maps to the server's 3306.
    pub host_port: u16,
    /// Server version string (`SELECT VERSION()`), e.g. `9.7.4-2`.
    pub version: String,
    /// TLS state read after boot.
    pub tls: TlsStatus,
}

/// Password of the `harness` account baked into the image (test credential).
pub const HARNESS_PASSWORD: &str = "harness-password";

impl Server {
    /// Boots `flavor` with the scenario's fixtures, waits (up to `startup`) until it accepts
    /// connections, warms the `caching_sha2_password` cache with one Unix-socket login of the
    /// `harness` account (so plaintext logins behave the same in every cell order), and reads
    /// the TLS state.
    ///
    /// Errors: [`Error::ImageMissing`] if the image is not built, [`Error::Container`] when
    /// Docker fails or the server is not ready in time, [`Error::Exec`] when the status query fails.
    pub async fn boot(
        flavor: &'static Flavor,
        scenario: &Scenario,
        fixtures: &Fixtures,
        labels: &RunLabels,
        startup: Duration,
    ) -> Result<Server, Error> {
        if !flavor.image.is_present() {
            return Err(Error::ImageMissing(flavor.image.reference()));
        }
        let what = format!("{} server for {}", flavor.name, scenario.id);
        let image = GenericImage::new(flavor.image.repository, &flavor.image.tag())
            .with_exposed_port(3306.tcp())
            .with_wait_for(WaitFor::message_on_stderr(flavor.ready_message));
        let mut request = image
            .with_labels(labels.as_map())
            .with_startup_timeout(startup)
            .with_copy_to(
                "/etc/mysql/my.cnf",
                flavor
                    .render_config(&scenario.server, FIXTURE_DIR)
                    .into_bytes(),
            )
            .with_host_config_modifier(|hc| {
                hc.publish_all_ports = Some(false);
                hc.port_bindings = Some(
                    [(
                        "3306/tcp".to_owned(),
                        Some(vec![PortBinding {
                            host_ip: Some("127.0.0.1".into()),
                            host_port: Some(String::new()),
                        }]),
                    )]
                    .into(),
                );
            });
        for (name, file) in &fixtures.files {
            let target =
                CopyTargetOptions::new(format!("{FIXTURE_DIR}/{name}")).with_mode(file.mode);
            request = request.with_copy_to(target, file.bytes.clone());
        }
        let container = request.start().await.map_err(|source| Error::Container {
            what: what.clone(),
            source,
        })?;
        let host_port = container
            .get_host_port_ipv4(3306.tcp())
            .await
            .map_err(|source| Error::Container {
                what: what.clone(),
                source,
            })?;
        let mut server = Server {
            container,
            flavor,
            host_port,
            version: String::new(),
            tls: TlsStatus {
                enabled: false,
                log: Vec::new(),
            },
        };
        let rows = server
            .socket_query(&format!("SELECT VERSION(); {}", flavor.tls_enabled_sql))
            .await?;
        server.version = rows.first().cloned().unwrap_or_default();
        server.tls.enabled = rows.get(1).is_some_and(|v| v == "Yes");
        server.tls.log = server.tls_log_lines().await?;
        Ok(server)
    }

    /// Docker container id (for clients that join its network namespace).
    pub fn container_id(&self) -> &str {
        self.container.id()
    }

    /// Runs SQL as `harness` over the Unix socket inside the container (`mysql -N -B`);
    /// returns the output lines. Errors: [`Error::Exec`] with the client's output on failure.
    pub async fn socket_query(&self, sql: &str) -> Result<Vec<String>, Error> {
        let argv = [
            self.flavor.cli.to_owned(),
            format!("--socket={}", self.flavor.socket),
            "--user=harness".to_owned(),
            format!("--password={HARNESS_PASSWORD}"),
            "-N".to_owned(),
            "-B".to_owned(),
            "-e".to_owned(),
            sql.to_owned(),
        ];
        let what = || format!("{} admin query `{sql}`", self.flavor.name);
        let mut res = self
            .container
            .exec(ExecCommand::new(argv))
            .await
            .map_err(|e| Error::Exec {
                what: what(),
                detail: e.to_string(),
            })?;
        let stdout = res.stdout_to_vec().await.map_err(|e| Error::Exec {
            what: what(),
            detail: e.to_string(),
        })?;
        let stderr = res.stderr_to_vec().await.map_err(|e| Error::Exec {
            what: what(),
            detail: e.to_string(),
        })?;
        let code = res.exit_code().await.map_err(|e| Error::Exec {
            what: what(),
            detail: e.to_string(),
        })?;
        if code != Some(0) {
            return Err(Error::Exec {
                what: what(),
                detail: format!("exit {code:?}: {}", String::from_utf8_lossy(&stderr).trim()),
            });
        }
        Ok(String::from_utf8_lossy(&stdout)
            .lines()
            .map(str::to_owned)
            .collect())
    }

    /// The server's log lines (stderr) that mention TLS, SSL or certificates, with the
    /// `<timestamp> <thread>` prefix removed.
    async fn tls_log_lines(&self) -> Result<Vec<String>, Error> {
        let raw = self
            .container
            .stderr_to_vec()
            .await
            .map_err(|source| Error::Container {
                what: format!("{} server log", self.flavor.name),
                source,
            })?;
        Ok(String::from_utf8_lossy(&raw)
            .lines()
            .filter(|l| {
                let lower = l.to_ascii_lowercase();
                ["ssl", "tls", "certificate"]
                    .iter()
                    .any(|w| lower.contains(w))
            })
            .map(|l| match l.find(" [") {
                Some(at) => l[at + 1..].to_owned(),
                None => l.to_owned(),
            })
            .collect())
    }
}
