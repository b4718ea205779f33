//! Containers: what to start ([`ContainerSpec`]), and a running [`Container`] with the few
//! operations servers and clients need (exec, logs, state, published port, copying files in).
//! Dropping a [`Container`] removes it (testcontainers, blocking until Docker confirms); a run
//! interrupted by a signal is swept by label ([`crate::sweep`]).

use crate::Error;
use certgen::FixtureFile;
use std::collections::BTreeMap;
use testcontainers::{
    ContainerAsync, CopyTargetOptions, GenericImage, ImageExt,
    bollard::models::PortBinding,
    core::{ExecCommand, IntoContainerPort},
    runners::AsyncRunner,
};

/// Where a container's network comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// Docker's default bridge; `publish` is a container TCP port published on 127.0.0.1 only,
    /// at a free host port ([`Container::host_port`] tells which).
    Bridge {
        /// Container port to publish on loopback, e.g. 3306.
        publish: Option<u16>,
    },
    /// No network at all (e.g. reading a driver's hello).
    None,
    /// The network namespace of the container with this id: `127.0.0.1:3306` inside is the
    /// other container's server.
    Join(String),
}

/// A file put into the container before it starts.
#[derive(Debug, Clone)]
pub struct FileIn {
    /// Absolute path inside the container.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
    /// Unix mode, e.g. `0o600`; `None` for Docker's default.
    pub mode: Option<u32>,
}

/// Everything needed to start one container.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    /// What it is, for errors: `mysql-9 server for basic/valid`.
    pub what: String,
    /// Image repository, e.g. `mysql-tls-harness/mysql`.
    pub repository: String,
    /// Image tag.
    pub tag: String,
    /// Command replacing the image's, e.g. `["sleep", "infinity"]`; `None` keeps the image's.
    pub cmd: Option<Vec<String>>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Labels (project and run id, [`crate::RunLabels::as_map`]).
    pub labels: BTreeMap<String, String>,
    /// Files copied in before start.
    pub files: Vec<FileIn>,
    /// Its network.
    pub network: Network,
    /// `/etc/hosts` entries `(name, address)` (`docker run --add-host`); containers that join
    /// this one's network namespace ([`Network::Join`]) share its `/etc/hosts`.
    pub extra_hosts: Vec<(String, std::net::IpAddr)>,
}

impl ContainerSpec {
    /// A spec for `repository:tag` with nothing else set: image command, default bridge, no
    /// published port, no files.
    pub fn new(
        what: impl Into<String>,
        repository: impl Into<String>,
        tag: impl Into<String>,
    ) -> Self {
        ContainerSpec {
            what: what.into(),
            repository: repository.into(),
            tag: tag.into(),
            cmd: None,
            env: Vec::new(),
            labels: BTreeMap::new(),
            files: Vec::new(),
            network: Network::Bridge { publish: None },
            extra_hosts: Vec::new(),
        }
    }

    /// Adds `files` (fixture name → file) under directory `dir`, modes kept.
    ///
    /// Errors: [`Error::UnsafeFileName`] for a name that is not a plain file name
    /// ([`scenario::is_plain_file_name`], reached through certgen's guard), which could land
    /// outside `dir`.
    pub fn with_fixtures(
        mut self,
        dir: &str,
        files: &BTreeMap<String, FixtureFile>,
    ) -> Result<Self, Error> {
        if let Some(name) = files.keys().find(|n| !certgen::is_plain_file_name(n)) {
            return Err(Error::UnsafeFileName {
                what: self.what,
                name: name.clone(),
            });
        }
        self.files.extend(files.iter().map(|(name, file)| FileIn {
            path: format!("{dir}/{name}"),
            bytes: file.bytes.clone(),
            mode: Some(file.mode),
        }));
        Ok(self)
    }

    /// Adds one file with Docker's default mode.
    pub fn with_file(mut self, path: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.files.push(FileIn {
            path: path.into(),
            bytes,
            mode: None,
        });
        self
    }

    /// Starts the container (it is removed when the returned [`Container`] drops).
    ///
    /// Errors: [`Error::ImageMissing`] when the image is not in the local engine (no registry
    /// is ever asked), [`Error::Container`] when Docker fails.
    pub async fn start(self) -> Result<Container, Error> {
        let reference = format!("{}:{}", self.repository, self.tag);
        if !crate::docker::image_exists(&reference) {
            return Err(Error::ImageMissing(reference));
        }
        let mut image = GenericImage::new(self.repository, self.tag);
        if let Network::Bridge {
            publish: Some(port),
        } = self.network
        {
            image = image.with_exposed_port(port.tcp());
        }
        let network = self.network.clone();
        let extra_hosts: Vec<String> = self
            .extra_hosts
            .iter()
            .map(|(name, ip)| format!("{name}:{ip}"))
            .collect();
        let mut request = image
            .with_labels(self.labels)
            .with_host_config_modifier(move |hc| {
                // Network mode is set directly: testcontainers' `with_network` would manage a
                // "network" named `container:<id>` and try to remove it on drop (it deadlocked).
                hc.publish_all_ports = Some(false);
                if !extra_hosts.is_empty() {
                    hc.extra_hosts = Some(extra_hosts.clone());
                }
                match &network {
                    Network::Bridge { publish } => {
                        hc.port_bindings = publish.map(|port| {
                            [(
                                format!("{port}/tcp"),
                                Some(vec![PortBinding {
                                    host_ip: Some("127.0.0.1".into()),
                                    host_port: Some(String::new()),
                                }]),
                            )]
                            .into()
                        });
                    }
                    Network::None => {
                        hc.network_mode = Some("none".into());
                        hc.port_bindings = None;
                    }
                    Network::Join(id) => {
                        hc.network_mode = Some(format!("container:{id}"));
                        hc.port_bindings = None;
                    }
                }
            });
        if let Some(cmd) = self.cmd {
            request = request.with_cmd(cmd);
        }
        for (key, value) in self.env {
            request = request.with_env_var(key, value);
        }
        // The agent (crate::agent) rides along in every container; without it, docker exec.
        let agent = crate::agent::binary();
        if let Some(bytes) = agent {
            request = request.with_copy_to(
                CopyTargetOptions::new(agent::PATH_IN_CONTAINER).with_mode(0o755),
                bytes.to_vec(),
            );
        }
        for file in self.files {
            let mut target = CopyTargetOptions::new(file.path);
            if let Some(mode) = file.mode {
                target = target.with_mode(mode);
            }
            request = request.with_copy_to(target, file.bytes);
        }
        let inner = request.start().await.map_err(|source| Error::Container {
            what: self.what.clone(),
            source: Box::new(source),
        })?;
        Ok(Container {
            inner,
            what: self.what,
            agent: crate::agent::AgentSlot::new(agent.is_some()),
        })
    }
}

/// A running (or exited) container. Drop it to remove it.
pub struct Container {
    inner: ContainerAsync<GenericImage>,
    what: String,
    /// Its agent session, through which commands and directory swaps run when it can.
    agent: crate::agent::AgentSlot,
}

impl Container {
    /// Docker container id.
    pub fn id(&self) -> &str {
        self.inner.id()
    }

    fn fault(&self, source: testcontainers::TestcontainersError) -> Error {
        Error::Container {
            what: self.what.clone(),
            source: Box::new(source),
        }
    }

    /// Everything the main process wrote to stderr so far (mysqld's error log), lossy UTF-8.
    /// Errors: [`Error::Container`].
    pub async fn stderr(&self) -> Result<String, Error> {
        let bytes = self
            .inner
            .stderr_to_vec()
            .await
            .map_err(|e| self.fault(e))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Whether the main process still runs. Errors: [`Error::Container`].
    pub async fn is_running(&self) -> Result<bool, Error> {
        self.inner.is_running().await.map_err(|e| self.fault(e))
    }

    /// The main process's exit code once it exited. Errors: [`Error::Container`].
    pub async fn exit_code(&self) -> Result<Option<i64>, Error> {
        self.inner.exit_code().await.map_err(|e| self.fault(e))
    }

    /// Host port on 127.0.0.1 that container TCP port `port` is published on (see
    /// [`Network::Bridge`]). Errors: [`Error::Container`].
    pub async fn host_port(&self, port: u16) -> Result<u16, Error> {
        self.inner
            .get_host_port_ipv4(port.tcp())
            .await
            .map_err(|e| self.fault(e))
    }

    /// Runs `argv` in the container to completion: `(exit code, stdout, stderr)`, output
    /// lossily decoded as UTF-8, each stream at most [`MAX_EXEC_OUTPUT`] bytes (the rest is
    /// read and dropped, and counted in a last line). No time bound of its own beyond
    /// [`EXEC_LIMIT`]: callers bound it (cell timeout, admin timeout). Runs through the
    /// container's agent when it can (a process start instead of a `docker exec`), else by
    /// `docker exec`; the answer is the same either way.
    /// Errors: [`Error::Container`] when Docker fails (not when the command fails).
    pub async fn exec(&self, argv: Vec<String>) -> Result<(Option<i64>, String, String), Error> {
        Ok(self.exec_bounded(argv, EXEC_LIMIT).await?.unwrap_or((
            None,
            String::new(),
            String::new(),
        )))
    }

    /// As [`Container::exec`], but the command is killed once it has run for `limit`: then
    /// `Ok(None)` (a hung client). Errors: [`Error::Container`] when Docker fails.
    pub async fn exec_bounded(
        &self,
        argv: Vec<String>,
        limit: std::time::Duration,
    ) -> Result<Option<(Option<i64>, String, String)>, Error> {
        if let Some(ran) = self.agent.run(self.id(), &argv, limit).await {
            return Ok((!ran.killed).then_some((ran.code, ran.stdout, ran.stderr)));
        }
        match tokio::time::timeout(limit, self.docker_exec(argv)).await {
            Ok(result) => result.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// `docker exec` of `argv`, as [`Container::exec`] describes.
    async fn docker_exec(&self, argv: Vec<String>) -> Result<(Option<i64>, String, String), Error> {
        let mut res = self
            .inner
            .exec(ExecCommand::new(argv))
            .await
            .map_err(|e| self.fault(e))?;
        let io_fault = |e: std::io::Error| self.fault(testcontainers::TestcontainersError::from(e));
        let stdout = read_bounded(res.stdout()).await.map_err(io_fault)?;
        let stderr = read_bounded(res.stderr()).await.map_err(io_fault)?;
        let code = res.exit_code().await.map_err(|e| self.fault(e))?;
        Ok((
            code,
            String::from_utf8_lossy(&stdout).into_owned(),
            String::from_utf8_lossy(&stderr).into_owned(),
        ))
    }

    /// Writes `files` into directory `dir` of the container (modes kept), overwriting
    /// same-named files: staged in a temporary directory, then `docker cp`.
    /// Errors: [`Error::Staging`], [`Error::Docker`].
    pub async fn copy_into(
        &self,
        dir: &str,
        files: &BTreeMap<String, FixtureFile>,
    ) -> Result<(), Error> {
        let staging_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Staging {
            what: self.what.clone(),
            source,
        };
        let staging = tempfile::tempdir().map_err(|e| staging_error(e.into()))?;
        certgen::write_files(staging.path(), files).map_err(|e| staging_error(e.into()))?;
        crate::docker::copy_dir_into(self.id(), staging.path(), dir).await
    }

    /// Makes directory `dir` of the container hold exactly `files`: removes it (as root,
    /// through `sh`), recreates it, then copies them in. Errors: [`Error::Docker`] naming the
    /// failed `rm`, [`Error::Container`], [`Error::Staging`].
    pub async fn replace_dir(
        &self,
        dir: &str,
        files: &BTreeMap<String, FixtureFile>,
    ) -> Result<(), Error> {
        if let Some(name) = files.keys().find(|n| !certgen::is_plain_file_name(n)) {
            return Err(Error::UnsafeFileName {
                what: self.what.clone(),
                name: name.clone(),
            });
        }
        let wire = files
            .iter()
            .map(|(name, file)| agent::file_bytes(name, file.mode, &file.bytes))
            .collect();
        match self.agent.replace_dir(self.id(), dir, wire).await {
            Some(Ok(())) => return Ok(()),
            Some(Err(detail)) => {
                return Err(Error::Docker {
                    command: format!("agent replace_dir {dir} in {}", self.id()),
                    detail,
                });
            }
            None => {}
        }
        let clear = format!("rm -rf {dir} && mkdir -p {dir}");
        let (code, _, stderr) = self
            .docker_exec(vec!["sh".into(), "-c".into(), clear.clone()])
            .await?;
        if code != Some(0) {
            return Err(Error::Docker {
                command: format!("docker exec {} sh -c '{clear}'", self.id()),
                detail: format!("exit {code:?}: {}", stderr.trim()),
            });
        }
        self.copy_into(dir, files).await
    }
}

/// The bound [`Container::exec`] puts on a command of its own: ten minutes, far beyond any
/// caller's own timeout (a command is never expected to reach it).
pub const EXEC_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Most bytes kept of each of an exec's stdout and stderr (a client's output with the longest
/// server error is under 4 KiB; a hostile server could make a client print without end).
pub const MAX_EXEC_OUTPUT: usize = 1 << 20;

/// Reads `reader` to its end keeping at most [`MAX_EXEC_OUTPUT`] bytes; the rest is read and
/// dropped (so the command is not blocked on a full pipe) and counted in a last line.
async fn read_bounded(
    mut reader: std::pin::Pin<Box<dyn tokio::io::AsyncBufRead + Send + '_>>,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt as _;
    let mut kept = Vec::new();
    let limit = u64::try_from(MAX_EXEC_OUTPUT).unwrap_or(u64::MAX);
    (&mut reader).take(limit).read_to_end(&mut kept).await?;
    let dropped = tokio::io::copy(&mut reader, &mut tokio::io::sink()).await?;
    if dropped > 0 {
        kept.extend_from_slice(format!("\n… ({dropped} more bytes dropped)\n").as_bytes());
    }
    Ok(kept)
}
