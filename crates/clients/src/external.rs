//! External drivers: programs speaking the driver contract (drivers/CONTRACT.md) over JSON
//! lines, run with `docker exec -i` in one clients container next to the server. One process per
//! driver serves every cell of a server; a process that dies or hangs is replaced (bounded).

use crate::{Cell, DriverSpec, Error, contract};
use containers::{Container, FIXTURE_DIR};
use contract::{CellLine, DriverOutcome, Hello, HelloLine, ModeMapping, ResultLine};
use outcome::{Outcome, TlsInfo, classify, redact};
use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt as _, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

/// How long a driver may take to write its hello (a cold JVM start is ~1 s here).
const HELLO_TIMEOUT: Duration = Duration::from_secs(60);
/// Extra time past the cell's own timeout before the harness calls the cell a hang.
const GRACE: Duration = crate::HANG_GRACE;
/// Replacement processes allowed per driver and server before it is a harness fault.
const MAX_RESTARTS: u32 = 8;
/// Lines of stderr kept for error reports.
const STDERR_TAIL: usize = 20;
/// Longest line a driver may write on stdout, hello or result, in bytes (a hello with its mode
/// table is under 4 KiB, a result with a long error message under 64 KiB). A longer line is a
/// contract fault; it is never buffered whole.
pub const MAX_LINE: usize = 1 << 20;
/// Longest stderr line kept in the tail, in bytes; the rest of a longer line is dropped.
const MAX_STDERR_LINE: usize = 4096;

/// A driver's stdout, read one line at a time and at most [`MAX_LINE`] bytes a line.
struct LineReader {
    inner: BufReader<ChildStdout>,
}

impl LineReader {
    /// The next line without its `\n` (or `\r\n`), `None` at end of output. Errors: the pipe
    /// failed, or (`InvalidData`) the line is not UTF-8 or longer than [`MAX_LINE`]; after an
    /// error the stream is mid-line and the process must be replaced.
    async fn next_line(&mut self) -> std::io::Result<Option<String>> {
        match read_capped_line(&mut self.inner, MAX_LINE).await? {
            None => Ok(None),
            Some((_, true)) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a line longer than {MAX_LINE} bytes"),
            )),
            Some((bytes, false)) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        }
    }
}

/// The next line of `reader` without its `\n` (or `\r\n`), `None` at end of input, and whether
/// it was longer than `cap` bytes: then only its first `cap` bytes are returned, at most
/// `cap + 1` were read, and the reader stands inside the line.
async fn read_capped_line<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    cap: usize,
) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let mut buf = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    if reader.take(limit).read_until(b'\n', &mut buf).await? == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some((buf, false)));
    }
    let cut = buf.len() > cap;
    buf.truncate(cap);
    Ok(Some((buf, cut)))
}

/// The clients container next to one server, where the external drivers run (dropping it
/// removes the container and ends every driver process in it).
pub struct DriversHost {
    container: Container,
}

impl DriversHost {
    /// Starts [`crate::CLIENTS_IMAGE`] in `endpoint`'s network namespace (no network when
    /// `None`, e.g. to read the drivers' hellos) with the client's view of the fixture files.
    /// Errors: [`Error::Docker`] (with [`containers::Error::ImageMissing`] when `drivers/`
    /// changed since `cargo xtask images`).
    pub async fn start(
        endpoint: Option<&crate::Endpoint>,
        files: &std::collections::BTreeMap<String, certgen::FixtureFile>,
        labels: &containers::RunLabels,
    ) -> Result<Self, Error> {
        let container = crate::companion::start(
            "clients",
            &crate::CLIENTS_IMAGE,
            endpoint,
            files,
            Vec::new(),
            labels,
        )
        .await?;
        Ok(DriversHost { container })
    }

    /// Starts [`crate::CLIENTS_IMAGE`] as the owner of a network namespace that servers and
    /// the other client containers of a lane join ([`containers::Network::Join`]): Docker's
    /// bridge with 3306 published on 127.0.0.1, `/etc/hosts` mapping `mapped_host` (a
    /// scenario's `client.host` name) to [`scenario::MAPPED_ADDRESS`] for every container
    /// that joins. Returns it and the host port. Errors: [`Error::Docker`].
    pub async fn start_holder(
        mapped_host: Option<&str>,
        files: &std::collections::BTreeMap<String, certgen::FixtureFile>,
        labels: &containers::RunLabels,
    ) -> Result<(Self, u16), Error> {
        let extra_hosts = mapped_host
            .map(|name| {
                (
                    name.to_owned(),
                    std::net::IpAddr::V4(scenario::MAPPED_ADDRESS),
                )
            })
            .into_iter()
            .collect();
        let container = crate::companion::start_on(
            "clients",
            &crate::CLIENTS_IMAGE,
            containers::Network::Bridge {
                publish: Some(3306),
            },
            extra_hosts,
            files,
            Vec::new(),
            labels,
        )
        .await?;
        let port = container
            .host_port(3306)
            .await
            .map_err(|source| Error::Docker {
                what: "the clients container's published port".into(),
                source,
            })?;
        Ok((DriversHost { container }, port))
    }

    /// Docker container id, for `docker exec`.
    pub fn container_id(&self) -> &str {
        self.container.id()
    }

    /// Makes the container's fixture directory hold exactly `files` (fast path).
    /// Errors: [`Error::Docker`].
    pub async fn replace_files(
        &self,
        files: &std::collections::BTreeMap<String, certgen::FixtureFile>,
    ) -> Result<(), Error> {
        self.container
            .replace_dir(FIXTURE_DIR, files)
            .await
            .map_err(|source| Error::Docker {
                what: "swapping fixtures in the clients container".into(),
                source,
            })
    }
}

/// Where a driver process runs and how it reaches the server and the fixture files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// `docker exec -i` in this clients container (server at `127.0.0.1:3306`, fixtures under
    /// [`FIXTURE_DIR`]).
    Container {
        /// Container id.
        id: String,
    },
    /// A host process started from the repository root (server at `127.0.0.1:<port>`,
    /// fixtures in `fixture_dir`).
    Host {
        /// Host directory with the client's view of the fixture files.
        fixture_dir: std::path::PathBuf,
        /// The server's published port on 127.0.0.1.
        port: u16,
        /// A hosts file the driver resolves through instead of the system's, when the scenario
        /// dials a name mapped to loopback ([`crate::name_map`]); `None` otherwise.
        name_map: Option<std::path::PathBuf>,
    },
}

impl DriversHost {
    /// This container as a driver placement.
    pub fn placement(&self) -> Placement {
        Placement::Container {
            id: self.container_id().to_owned(),
        }
    }
}

/// A running driver process.
struct Process {
    child: Child,
    stdin: ChildStdin,
    stdout: LineReader,
}

/// One external driver bound to one clients container.
pub struct ExternalDriver {
    spec: DriverSpec,
    placement: Placement,
    hello: Hello,
    /// The live process; `None` after it died or hung, until the next cell restarts it.
    process: Mutex<Option<Process>>,
    restarts: StdMutex<u32>,
    next_id: StdMutex<u64>,
    stderr: Arc<StdMutex<VecDeque<String>>>,
    /// Time from spawn to hello of the first process.
    pub start_cost: Duration,
    /// The naive path of `cargo xtask bench`: a new process for every cell.
    process_per_cell: bool,
}

impl ExternalDriver {
    /// A new server or scenario: the replacement budget ([`MAX_RESTARTS`]) starts again, as it
    /// did when every server had its own driver processes.
    pub fn new_scenario(&self) {
        *self.restarts.lock().unwrap_or_else(|p| p.into_inner()) = 0;
    }

    /// Starts `spec`'s process at `placement` and reads its hello.
    ///
    /// Errors: [`Error::Container`] when `docker exec` cannot start, [`Error::Contract`] when
    /// no valid hello arrives within 60 s or it names another driver or lacks a mode.
    pub async fn start(spec: &DriverSpec, placement: &Placement) -> Result<Self, Error> {
        let stderr = Arc::new(StdMutex::new(VecDeque::new()));
        let started = Instant::now();
        let (process, hello) = spawn(spec, placement, &stderr).await?;
        let start_cost = started.elapsed();
        let driver = ExternalDriver {
            spec: spec.clone(),
            placement: placement.clone(),
            hello,
            process: Mutex::new(Some(process)),
            restarts: StdMutex::new(0),
            next_id: StdMutex::new(0),
            stderr,
            start_cost,
            process_per_cell: false,
        };
        if driver.hello.driver != spec.name {
            return Err(driver.contract(format!(
                "hello names driver `{}`, drivers.toml says `{}`",
                driver.hello.driver, spec.name
            )));
        }
        if let Some(missing) = scenario::SslMode::ALL
            .iter()
            .find(|m| !driver.hello.modes.contains_key(m))
        {
            return Err(driver.contract(format!("hello's `modes` lacks {missing}")));
        }
        Ok(driver)
    }

    /// With `on`, every cell gets a new driver process (spawn → hello → cell → exit), the
    /// naive baseline `cargo xtask bench` compares the fast path against. Default off: one
    /// process serves every cell of its server.
    pub fn set_process_per_cell(&mut self, on: bool) {
        self.process_per_cell = on;
    }

    /// Name in snapshots.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The driver's hello: version, runtime and ssl-mode table.
    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    /// For contract tests: writes `bytes` to the live process's stdin as they are (any bytes,
    /// each line ended by the caller with `\n`; ids are the caller's, not the sequence
    /// [`Self::attempt`] uses) and returns the next stdout line, unparsed, read within `timeout`.
    ///
    /// Errors: [`Error::Contract`] when there is no live process, the write fails, the process
    /// exits, or no line arrives in time (then the process is killed; the next
    /// [`Self::attempt`] starts a new one, this method does not).
    pub async fn exchange_raw(&self, bytes: &[u8], timeout: Duration) -> Result<String, Error> {
        let mut guard = self.process.lock().await;
        let Some(process) = guard.as_mut() else {
            return Err(self.contract("no live process".into()));
        };
        let sent = async {
            process.stdin.write_all(bytes).await?;
            process.stdin.flush().await
        }
        .await;
        let read = match sent {
            Ok(()) => tokio::time::timeout(timeout, process.stdout.next_line()).await,
            Err(e) => Ok(Err(e)),
        };
        let failure = match read {
            Ok(Ok(Some(line))) => return Ok(line),
            Ok(Ok(None)) => "exited".to_owned(),
            Ok(Err(e)) => format!("pipe error: {e}"),
            Err(_) => format!("no line within {} ms", timeout.as_millis()),
        };
        if let Some(mut p) = guard.take() {
            let _ = p.child.start_kill();
        }
        let input = String::from_utf8_lossy(bytes);
        Err(self.contract(format!("after raw input `{}`: {failure}", input.trim_end())))
    }

    /// One attempt. Unsupported modes are answered from the hello's table without asking the
    /// driver; a silent driver past `timeout + HANG_GRACE` is `Hang` (its process is replaced); a
    /// process that exits is a `failed` outcome with raw type `driver process exited`.
    ///
    /// Errors: [`Error::Contract`] for lines that are not contract results, an `invalid_cell`
    /// answer (driver and harness disagree on the cell format) or too many restarts.
    pub async fn attempt(&self, cell: &Cell) -> Result<Outcome, Error> {
        if let Some(ModeMapping::Unsupported(reason)) = self.hello.modes.get(&cell.ssl_mode) {
            return Ok(Outcome::Unsupported {
                reason: reason.clone(),
            });
        }
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(|p| p.into_inner());
            *next += 1;
            *next
        };
        let line = serde_json::to_string(&cell_line(id, cell, &self.placement)).map_err(|e| {
            self.contract(format!("cannot encode cell: {e}")) // unreachable in practice
        })?;
        let mut guard = self.process.lock().await;
        if guard.is_none() {
            *guard = Some(if self.process_per_cell {
                spawn(&self.spec, &self.placement, &self.stderr).await?.0
            } else {
                self.restart().await?
            });
        }
        let Some(process) = guard.as_mut() else {
            return Err(self.contract("no process".into()));
        };
        let sent = async {
            process.stdin.write_all(line.as_bytes()).await?;
            process.stdin.write_all(b"\n").await?;
            process.stdin.flush().await
        }
        .await;
        if sent.is_err() {
            return Ok(self.exited(guard.take()).await);
        }
        let read = tokio::time::timeout(cell.timeout + GRACE, process.stdout.next_line()).await;
        match read {
            Err(_) => {
                if let Some(mut p) = guard.take() {
                    let _ = p.child.start_kill();
                }
                Ok(Outcome::Hang {
                    after_ms: cell.timeout.as_millis() as u64,
                })
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                if let Some(mut p) = guard.take() {
                    let _ = p.child.start_kill();
                }
                Err(self.contract(format!("answer to cell {id}: {e}")))
            }
            Ok(Ok(Some(text))) => {
                let result: ResultLine = serde_json::from_str(&text)
                    .map_err(|e| self.contract(format!("result line `{text}`: {e}")))?;
                if let DriverOutcome::InvalidCell { message } = &result.outcome {
                    return Err(self.contract(format!("rejected cell {id} as invalid: {message}")));
                }
                if result.id != id {
                    return Err(self.contract(format!(
                        "answered id {} to cell {id}: one result per cell, in order",
                        result.id
                    )));
                }
                if self.process_per_cell
                    && let Some(mut p) = guard.take()
                {
                    drop(p.stdin);
                    let _ = p.child.start_kill();
                    let _ = tokio::time::timeout(Duration::from_secs(5), p.child.wait()).await;
                }
                Ok(to_outcome(result.outcome))
            }
            Ok(_) => Ok(self.exited(guard.take()).await),
        }
    }

    /// The outcome of a cell whose process died; the next cell starts a new one.
    async fn exited(&self, process: Option<Process>) -> Outcome {
        let status = match process {
            Some(mut p) => match tokio::time::timeout(Duration::from_secs(5), p.child.wait()).await
            {
                Ok(Ok(s)) => s.to_string(),
                _ => "unknown status".to_owned(),
            },
            None => "unknown status".to_owned(),
        };
        // Let the stderr reader take the dying words.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let last = self
            .stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .back()
            .cloned()
            .unwrap_or_default();
        Outcome::Failed {
            code: None,
            sqlstate: None,
            message: redact(&last),
            kind: classify(None, &last),
            raw_type: format!("driver process exited ({status})"),
        }
    }

    async fn restart(&self) -> Result<Process, Error> {
        {
            let mut restarts = self.restarts.lock().unwrap_or_else(|p| p.into_inner());
            *restarts += 1;
            if *restarts > MAX_RESTARTS {
                return Err(self.contract(format!(
                    "its process died or hung {MAX_RESTARTS} times on one server"
                )));
            }
        }
        let (process, _) = spawn(&self.spec, &self.placement, &self.stderr).await?;
        Ok(process)
    }

    fn contract(&self, detail: String) -> Error {
        contract_error(&self.spec.name, detail, &self.stderr)
    }
}

/// Spawns the driver and reads its hello.
async fn spawn(
    spec: &DriverSpec,
    placement: &Placement,
    stderr_tail: &Arc<StdMutex<VecDeque<String>>>,
) -> Result<(Process, Hello), Error> {
    let mut command = match placement {
        Placement::Container { id } => containers::docker::exec_interactive(id, &spec.command),
        Placement::Host { name_map, .. } => {
            let root = crate::repository_root();
            let program = &spec.command[0];
            let program = if program.contains('/') {
                root.join(program)
            } else {
                program.into()
            };
            let mut c = Command::new(program);
            c.args(&spec.command[1..]).current_dir(root);
            if let Some(hosts) = name_map {
                c.envs(crate::name_map::environment(hosts)?);
            }
            c
        }
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Error::Container {
            what: format!("docker exec of driver `{}`", spec.name),
            detail: e.to_string(),
        })?;
    let missing = |what: &str| contract_error(&spec.name, format!("no {what} pipe"), stderr_tail);
    let stdin = child.stdin.take().ok_or_else(|| missing("stdin"))?;
    let stdout = child.stdout.take().ok_or_else(|| missing("stdout"))?;
    let stderr = child.stderr.take().ok_or_else(|| missing("stderr"))?;
    let tail = Arc::clone(stderr_tail);
    tokio::spawn(async move {
        let mut reader = BufReader::new(stderr);
        // Keep at most MAX_STDERR_LINE bytes of a line; skip the rest of a longer one.
        while let Ok(Some((buf, cut))) = read_capped_line(&mut reader, MAX_STDERR_LINE).await {
            if cut && skip_line(&mut reader).await.is_err() {
                break;
            }
            let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
            let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
            if tail.len() == STDERR_TAIL {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    });
    let mut stdout = LineReader {
        inner: BufReader::new(stdout),
    };
    let first = tokio::time::timeout(HELLO_TIMEOUT, stdout.next_line()).await;
    let text = match first {
        Ok(Ok(Some(text))) => text,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(contract_error(
                &spec.name,
                format!("hello line: {e}"),
                stderr_tail,
            ));
        }
        Ok(_) => {
            // Give the stderr reader a moment to collect why it died.
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Err(contract_error(
                &spec.name,
                "exited before writing its hello line".into(),
                stderr_tail,
            ));
        }
        Err(_) => {
            return Err(contract_error(
                &spec.name,
                format!("no hello line within {} s", HELLO_TIMEOUT.as_secs()),
                stderr_tail,
            ));
        }
    };
    let hello: HelloLine = serde_json::from_str(&text).map_err(|e| {
        contract_error(
            &spec.name,
            format!("first line `{text}` is not a hello: {e}"),
            stderr_tail,
        )
    })?;
    Ok((
        Process {
            child,
            stdin,
            stdout,
        },
        hello.hello,
    ))
}

/// Consumes the rest of the current line (through its `\n`) without keeping it: a chunk of the
/// reader's buffer at a time, whatever the line's length.
async fn skip_line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<()> {
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(());
        }
        if let Some(at) = chunk.iter().position(|&b| b == b'\n') {
            reader.consume(at + 1);
            return Ok(());
        }
        let n = chunk.len();
        reader.consume(n);
    }
}

fn contract_error(driver: &str, detail: String, tail: &StdMutex<VecDeque<String>>) -> Error {
    let stderr = tail
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    Error::Contract {
        driver: driver.to_owned(),
        detail,
        stderr,
    }
}

/// The contract's cell for `cell`: fixture names made absolute paths where the driver runs,
/// the port it reaches the server on.
fn cell_line(id: u64, cell: &Cell, placement: &Placement) -> CellLine {
    let (dir, port) = match placement {
        Placement::Container { .. } => (FIXTURE_DIR.to_owned(), 3306),
        Placement::Host {
            fixture_dir, port, ..
        } => (fixture_dir.display().to_string(), *port),
    };
    let path = |name: &str| format!("{dir}/{name}");
    let tls = cell.ssl_mode.takes_tls_options();
    CellLine {
        id,
        ssl_mode: cell.ssl_mode,
        host: cell.host.clone(),
        port,
        user: cell.user.clone(),
        password: cell.password.clone(),
        ca: tls.then(|| path(&cell.ca)),
        cert: cell.identity.as_ref().filter(|_| tls).map(|(c, _)| path(c)),
        key: cell.identity.as_ref().filter(|_| tls).map(|(_, k)| path(k)),
        pkcs12: cell.pkcs12.as_deref().filter(|_| tls).map(path),
        pkcs12_password: cell
            .pkcs12
            .as_ref()
            .filter(|_| tls)
            .map(|_| certgen::PKCS12_PASSWORD.to_owned()),
        crl: cell.crl.as_deref().filter(|_| tls).map(path),
        tls_version: cell.tls_version.clone().filter(|_| tls),
        timeout_ms: cell.timeout.as_millis() as u64,
    }
}

/// The cell line (one JSON line, no newline) a driver in the clients container reads for
/// `cell`, with fixture paths under [`FIXTURE_DIR`] and port 3306; id 1. For running a driver
/// by hand (repro bundles): `printf '%s\n' LINE | docker exec -i CONTAINER <driver command>`.
pub fn container_cell_json(cell: &Cell) -> String {
    let placement = Placement::Container { id: String::new() };
    serde_json::to_string(&cell_line(1, cell, &placement)).unwrap_or_default()
}

/// The outcome in a driver's stdout (its hello line, then one result line), as the matrix
/// would record it.
///
/// Errors: a description when no line parses as a result (the driver died or printed
/// something else).
pub fn outcome_from_driver_output(stdout: &str) -> Result<Outcome, String> {
    stdout
        .lines()
        .filter(|l| l.contains("\"outcome\""))
        .find_map(|l| serde_json::from_str::<ResultLine>(l).ok())
        .map(|r| to_outcome(r.outcome))
        .ok_or_else(|| {
            format!(
                "no result line in the driver's output: {}",
                stdout.lines().last().unwrap_or("(empty)")
            )
        })
}

/// A driver's raw verdict as an [`Outcome`]: classified, message redacted.
fn to_outcome(raw: DriverOutcome) -> Outcome {
    match raw {
        DriverOutcome::Connected {
            tls_version,
            cipher,
        } => {
            let tls = tls_version
                .filter(|v| !v.is_empty())
                .zip(cipher.filter(|c| !c.is_empty()))
                .map(|(version, cipher)| TlsInfo { version, cipher });
            Outcome::Connected { tls }
        }
        DriverOutcome::Failed {
            code,
            sqlstate,
            message,
            raw_type,
        } => Outcome::Failed {
            code,
            sqlstate: sqlstate.filter(|s| !s.is_empty()),
            kind: classify(code, &message),
            message: redact(&message),
            raw_type,
        },
        DriverOutcome::Unsupported { reason } => Outcome::Unsupported { reason },
        // `attempt` reports this as a contract fault first; a driver output read by hand
        // (repro bundles) shows it as a failure of the driver, not of the library.
        DriverOutcome::InvalidCell { message } => Outcome::Failed {
            code: None,
            sqlstate: None,
            kind: classify(None, &message),
            message: redact(&message),
            raw_type: "invalid cell (driver contract)".to_owned(),
        },
    }
}
