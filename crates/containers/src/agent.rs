//! The harness side of the [`agent`]: the binary, built once per process from this workspace
//! and copied into every container the harness starts, and one long-lived `docker exec -i`
//! session per container through which [`crate::Container::exec`] and
//! [`crate::Container::replace_dir`] run. A command then costs a process start in the container
//! (about 1 ms of protocol) instead of a `docker exec` (50–80 ms on this machine kind: create,
//! attach, start, inspect).
//!
//! The agent is a speed-up, never a requirement: when it cannot be built, cannot start in a
//! container (a user image whose C library is older than the host's), is busy with another
//! request, or breaks mid-request, the call goes through `docker exec` as before (logged).

use agent::{FileBytes, Hello, Ran, Request, Response};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::Mutex;

/// How long a new session may take to write its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Extra time past a command's own bound for the agent's answer to arrive.
const ANSWER_SLACK: Duration = Duration::from_secs(10);
/// Broken sessions tolerated per container before it goes back to `docker exec` for good.
const MAX_FAILURES: u32 = 3;

/// The agent binary's bytes, built on first use in this process (`cargo build -p agent`, the
/// caller's profile); `None`, warned once, when it cannot be built.
pub(crate) fn binary() -> Option<&'static [u8]> {
    static BUILT: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let manifest =
                crate::harness_home().join("Cargo.toml");
            let built = escargot::CargoBuild::new()
                .manifest_path(&manifest)
                .package("agent")
                .bin("agent")
                .current_release()
                .current_target()
                .run()
                .map_err(|e| e.to_string())
                .and_then(|run| std::fs::read(run.path()).map_err(|e| e.to_string()));
            match built {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    tracing::warn!(
                        "no container agent (cargo build -p agent: {e}); every command runs by docker exec"
                    );
                    None
                }
            }
        })
        .as_deref()
}

/// One container's agent: not started yet, a running session, or given up on.
pub(crate) struct AgentSlot {
    state: Mutex<State>,
}

enum State {
    NotStarted { failures: u32 },
    Ready(Box<Session>),
    Unavailable,
}

struct Session {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl AgentSlot {
    /// A slot for a container that has the agent binary (`present`) or not.
    pub(crate) fn new(present: bool) -> Self {
        AgentSlot {
            state: Mutex::new(if present {
                State::NotStarted { failures: 0 }
            } else {
                State::Unavailable
            }),
        }
    }

    /// Runs `argv` in container `id` through the agent, killed at `limit`. `None`: use
    /// `docker exec` instead (no agent, busy, or it broke; see the module docs).
    pub(crate) async fn run(&self, id: &str, argv: &[String], limit: Duration) -> Option<Ran> {
        let request = Request::Run {
            argv: argv.to_vec(),
            kill_after_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
        };
        match self.exchange(id, &request, limit + ANSWER_SLACK).await? {
            Response::Ran(ran) => Some(ran),
            other => {
                tracing::warn!(
                    container = id,
                    "agent answered a run with {other:?}; using docker exec"
                );
                None
            }
        }
    }

    /// Makes `dir` hold exactly `files` through the agent. `None`: use `docker` instead;
    /// `Some(Err(text))`: the agent could not write them.
    pub(crate) async fn replace_dir(
        &self,
        id: &str,
        dir: &str,
        files: Vec<FileBytes>,
    ) -> Option<Result<(), String>> {
        let request = Request::ReplaceDir {
            dir: dir.to_owned(),
            files,
        };
        match self.exchange(id, &request, ANSWER_SLACK).await? {
            Response::Replaced(_) => Some(Ok(())),
            Response::Error(text) => Some(Err(text)),
            Response::Ran(_) => None,
        }
    }

    /// Sends one request and reads its answer within `limit`, starting the session first when
    /// needed. A session whose exchange fails (or whose caller went away mid-exchange: the
    /// session is out of the slot meanwhile) is dropped and the next call starts a new one.
    async fn exchange(&self, id: &str, request: &Request, limit: Duration) -> Option<Response> {
        let mut state = self.state.try_lock().ok()?;
        let failures = match &*state {
            State::Unavailable => return None,
            State::NotStarted { failures } => *failures,
            State::Ready(_) => 0,
        };
        let mut session = match std::mem::replace(&mut *state, State::NotStarted { failures }) {
            State::Ready(session) => session,
            _ => match start(id).await {
                Ok(session) => Box::new(session),
                Err(e) => {
                    tracing::info!(container = id, "no agent session ({e}); using docker exec");
                    *state = State::Unavailable;
                    return None;
                }
            },
        };
        let line = serde_json::to_string(request).ok()?;
        let talk = async {
            session.stdin.write_all(line.as_bytes()).await?;
            session.stdin.write_all(b"\n").await?;
            session.stdin.flush().await?;
            read_line(&mut session.stdout).await
        };
        let answer = match tokio::time::timeout(limit, talk).await {
            Ok(Ok(Some(answer))) => {
                serde_json::from_str::<Response>(&answer).map_err(|e| e.to_string())
            }
            Ok(Ok(None)) => Err("the agent exited".to_owned()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
        };
        match answer {
            Ok(response) => {
                *state = State::Ready(session);
                Some(response)
            }
            Err(e) => {
                let failures = failures + 1;
                tracing::warn!(
                    container = id,
                    "agent session broke ({e}); using docker exec"
                );
                *state = if failures >= MAX_FAILURES {
                    State::Unavailable
                } else {
                    State::NotStarted { failures }
                };
                None
            }
        }
    }
}

/// `docker exec -i <id> <agent>` and its hello.
async fn start(id: &str) -> Result<Session, String> {
    let mut child = crate::docker::exec_interactive(id, &[agent::PATH_IN_CONTAINER.to_owned()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("docker exec: {e}"))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("no stdio pipes".into());
    };
    let mut stdout = BufReader::new(stdout);
    let hello = tokio::time::timeout(HELLO_TIMEOUT, read_line(&mut stdout))
        .await
        .map_err(|_| format!("no hello within {} s", HELLO_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?
        .ok_or("it exited before its hello")?;
    serde_json::from_str::<Hello>(&hello).map_err(|_| {
        format!(
            "it said {:?} instead of a hello",
            hello.chars().take(200).collect::<String>()
        )
    })?;
    Ok(Session {
        _child: child,
        stdin,
        stdout,
    })
}

/// One line of at most [`agent::MAX_LINE`] bytes without its `\n`; `None` at EOF.
async fn read_line(reader: &mut BufReader<ChildStdout>) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let limit = u64::try_from(agent::MAX_LINE).unwrap_or(u64::MAX) + 1;
    if (&mut *reader)
        .take(limit)
        .read_until(b'\n', &mut buf)
        .await?
        == 0
    {
        return Ok(None);
    }
    if buf.pop() != Some(b'\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "an agent line without an end or longer than its bound",
        ));
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
