//! The attacker in the middle, harness side: the `interposer` binary (built from this
//! workspace on first use) runs in a companion container in the server's network namespace,
//! takes port 3306 there while the server listens on [`scenario::INTERPOSED_SERVER_PORT`], and
//! answers `report` lines with what it saw on each client connection. Every client, container-
//! or host-run, dials the same host and port as without it; traffic stays on loopback and the
//! server container's own namespace.

use crate::Error;
use certgen::Fixtures;
use containers::{Container, ContainerSpec, FileIn, Network, RunLabels};
use interposer::{Config, Connection, Play, Report};
use scenario::{AttackSpec, FaultSpec, Scenario};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::Mutex;

/// Where the binary goes inside the companion container.
const BINARY_IN_CONTAINER: &str = "/usr/local/bin/interposer";
/// Longest line the interposer may write (a report of many connections stays far below).
const MAX_LINE: u64 = 1 << 20;

/// A running interposer. Dropping it ends the process and removes its container.
pub(crate) struct Interposer {
    io: Mutex<(ChildStdin, BufReader<ChildStdout>)>,
    _child: Child,
    _container: Container,
}

impl Interposer {
    /// Starts the interposer for `scenario` in the network namespace of container `netns`.
    /// `cell_timeout` bounds every stall: the interposer gives up 2 s after the harness calls
    /// the cell a hang ([`clients::HANG_GRACE`]), so a client's answer never races its close.
    ///
    /// Errors: [`Error::Interposer`] when the binary does not build, the container does not
    /// start, or the process does not say it is ready within 20 s.
    pub(crate) async fn start(
        scenario: &Scenario,
        fixtures: &Fixtures,
        netns: &str,
        labels: &RunLabels,
        cell_timeout: Duration,
    ) -> Result<Self, Error> {
        let fail = |detail: String| Error::Interposer {
            scenario: scenario.id.clone(),
            detail,
        };
        let play = play_of(scenario, fixtures).map_err(fail)?;
        let binary = binary().map_err(fail)?;
        let bytes = std::fs::read(&binary)
            .map_err(|e| fail(format!("reading {}: {e}", binary.display())))?;
        let image = &clients::CLIENTS_IMAGE;
        let mut spec = ContainerSpec::new(
            format!("interposer for {}", scenario.id),
            image.repository,
            image.tag(),
        );
        spec.cmd = Some(vec!["sleep".into(), "infinity".into()]);
        spec.network = Network::Join(netns.to_owned());
        spec.labels = labels.as_map();
        spec.files.push(FileIn {
            path: BINARY_IN_CONTAINER.into(),
            bytes,
            mode: Some(0o755),
        });
        let container = spec
            .start()
            .await
            .map_err(|e| fail(format!("starting its container: {e}")))?;
        let mut child =
            containers::docker::exec_interactive(container.id(), &[BINARY_IN_CONTAINER.to_owned()])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| fail(format!("docker exec: {e}")))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(fail("no stdio pipes".into()));
        };
        let config = Config {
            listen: "0.0.0.0:3306".into(),
            upstream: format!("127.0.0.1:{}", scenario::INTERPOSED_SERVER_PORT),
            play,
            stall_limit_ms: u64::try_from(
                (cell_timeout + clients::HANG_GRACE + Duration::from_secs(2)).as_millis(),
            )
            .unwrap_or(u64::MAX),
        };
        let interposer = Interposer {
            io: Mutex::new((stdin, BufReader::new(stdout))),
            _child: child,
            _container: container,
        };
        let line = serde_json::to_string(&config).map_err(|e| fail(e.to_string()))?;
        let ready = interposer
            .exchange(&line, Duration::from_secs(20))
            .await
            .map_err(fail)?;
        if serde_json::from_str::<interposer::Ready>(&ready).is_ok_and(|r| r.ready) {
            Ok(interposer)
        } else {
            Err(fail(format!("it answered {}", outcome::visible(&ready))))
        }
    }

    /// Every connection accepted since the previous call, in accept order (waiting up to
    /// 0.5 s for open ones to close: a client that refused the interposer's TLS has
    /// closed by then; one that hangs is reported open).
    ///
    /// Errors: an unreadable or late answer (10 s), as text.
    pub(crate) async fn report(&self, scenario: &str) -> Result<Vec<Connection>, Error> {
        let line = self
            .exchange("report", Duration::from_secs(10))
            .await
            .map_err(|detail| Error::Interposer {
                scenario: scenario.to_owned(),
                detail,
            })?;
        serde_json::from_str::<Report>(&line)
            .map(|r| r.connections)
            .map_err(|e| Error::Interposer {
                scenario: scenario.to_owned(),
                detail: format!("unreadable report ({e}): {}", outcome::visible(&line)),
            })
    }

    /// Writes `line` and reads one answer line, within `limit`.
    async fn exchange(&self, line: &str, limit: Duration) -> Result<String, String> {
        let mut io = self.io.lock().await;
        let (stdin, stdout) = &mut *io;
        let work = async {
            stdin.write_all(line.as_bytes()).await?;
            stdin.write_all(b"\n").await?;
            stdin.flush().await?;
            let mut answer = Vec::new();
            (&mut *stdout)
                .take(MAX_LINE)
                .read_until(b'\n', &mut answer)
                .await?;
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).trim_end().to_owned())
        };
        match tokio::time::timeout(limit, work).await {
            Ok(Ok(answer)) if answer.is_empty() => Err("the interposer exited".into()),
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(format!("talking to the interposer: {e}")),
            Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
        }
    }
}

/// What the interposer plays for `scenario`, with the attacker's chain read from the minted
/// fixture files.
fn play_of(scenario: &Scenario, fixtures: &Fixtures) -> Result<Play, String> {
    let pem = |name: &str| -> Result<String, String> {
        let file = fixtures
            .files
            .get(name)
            .ok_or_else(|| format!("fixture file `{name}` was not minted"))?;
        String::from_utf8(file.bytes.clone())
            .map_err(|_| format!("`{name}` is not PEM text; the interposer reads PEM only"))
    };
    Ok(match (&scenario.attack, &scenario.fault) {
        (Some(AttackSpec::PassThrough), _) => Play::PassThrough,
        (Some(AttackSpec::Impersonate { cert, key }), _) => Play::Impersonate {
            chain_pem: pem(cert)?,
            key_pem: pem(key)?,
            max_tls_version: None,
        },
        (Some(AttackSpec::Downgrade { max_tls_version }), _) => Play::Impersonate {
            chain_pem: pem(&scenario.server.ssl_cert)?,
            key_pem: pem(&scenario.server.ssl_key)?,
            max_tls_version: Some(max_tls_version.clone()),
        },
        (Some(AttackSpec::StripTls), _) => Play::StripTls,
        (Some(AttackSpec::PlaintextError { message }), _) => Play::PlaintextError {
            code: 1045,
            sqlstate: "28000".into(),
            message: message.clone(),
        },
        (None, Some(FaultSpec::StallAfterGreeting)) => Play::StallAfterGreeting,
        (None, Some(FaultSpec::StallAfterClientHello)) => Play::StallAfterClientHello,
        (None, Some(FaultSpec::ResetAfterSslRequest)) => Play::ResetAfterSslRequest,
        (None, Some(FaultSpec::ResetMidHandshake)) => Play::ResetMidHandshake,
        (None, Some(FaultSpec::Trickle { gap_ms })) => Play::Trickle { gap_ms: *gap_ms },
        (None, Some(FaultSpec::CloseAfterGreeting)) => Play::CloseAfterGreeting,
        (None, None) => return Err("the scenario has neither [attack] nor [fault]".into()),
    })
}

/// The `interposer` binary of this workspace, built (same profile as the caller) on first use
/// in this process: `cargo build -p interposer --bin interposer`.
fn binary() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let manifest = crate::run::workspace_root().join("Cargo.toml");
            escargot::CargoBuild::new()
                .manifest_path(&manifest)
                .package("interposer")
                .bin("interposer")
                .current_release()
                .current_target()
                .run()
                .map(|run| run.path().to_path_buf())
                .map_err(|e| format!("building the interposer (cargo build -p interposer): {e}"))
        })
        .clone()
}

/// What the interposer saw during one cell, with its one-line summary for the snapshot.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Seen {
    /// Every client connection of the cell, in accept order.
    pub connections: Vec<Connection>,
    /// The snapshot's `interposer saw` column, e.g. `TLS with the interposer (TLSv1.3) · login
    /// read`, `login in plaintext · attacker's error sent; attacker's error SHOWN`, `no login
    /// sent`. Deterministic: no byte counts, no milliseconds, no timing.
    pub summary: String,
    /// Behind a stall or a trickle: whether the client answered later than its own connect
    /// timeout + 0.5 s, or not at all (`hang`); `None` for other plays. Wall-clock, so in the
    /// JSON report and not in snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlived_timeout: Option<bool>,
}

impl Seen {
    /// What the attacker got, for the verdict.
    pub fn exposure(&self) -> verdict::Exposure {
        verdict::Exposure {
            login_in_plaintext: self.connections.iter().any(|c| c.credentials_in_plaintext),
            login_to_interposer: self
                .connections
                .iter()
                .any(|c| c.client_tls.is_some() && c.user_seen.is_some()),
        }
    }
}

/// Slack beyond the client's own connect timeout before its wait counts as outliving it
/// (process start, `docker exec`, scheduling; clients that honour a 1 s timeout answer within
/// about 1.2 s here, the next ones measured wait twice their timeout or more).
const TIMEOUT_SLACK: Duration = Duration::from_millis(500);

/// Summarizes `connections` of one cell of `scenario` whose clients were given `timeout`; the
/// cell's outcome was `outcome` after `took` (as the harness measured it: a client's answer,
/// not the interposer's view of a socket it may still hold).
pub(crate) fn seen(
    scenario: &Scenario,
    connections: Vec<Connection>,
    outcome: &outcome::Outcome,
    timeout: Duration,
    took: Duration,
) -> Seen {
    let timed = matches!(
        scenario.fault,
        Some(
            FaultSpec::StallAfterGreeting
                | FaultSpec::StallAfterClientHello
                | FaultSpec::Trickle { .. }
        )
    );
    let pass_through = matches!(scenario.attack, Some(AttackSpec::PassThrough));
    let phrases: Vec<String> = connections
        .iter()
        .map(|c| {
            let mut p = if let Some(tls) = &c.client_tls {
                let mut p = format!("TLS with the interposer ({})", tls_name(&tls.version));
                if c.user_seen.is_some() {
                    p.push_str(" · login read");
                }
                p
            } else if c.client_tls_error.is_some() {
                // Alert or bare close is a race in some TLS stacks (the JSON keeps which).
                "refused its TLS".to_owned()
            } else if c.credentials_in_plaintext {
                "login in plaintext".to_owned()
            } else if c.ssl_request && pass_through {
                "TLS end to end".to_owned()
            } else if c.ssl_request {
                "asked for TLS".to_owned()
            } else {
                "no login sent".to_owned()
            };
            if c.error_injected {
                p.push_str(" · attacker's error sent");
            }
            p
        })
        .collect();
    let mut summary = run_length(&phrases);
    if summary.is_empty() {
        summary = "no connection".into();
    }
    let outlived_timeout = (timed && !matches!(outcome, outcome::Outcome::Unsupported { .. }))
        .then(|| {
            matches!(outcome, outcome::Outcome::Hang { .. }) || took > timeout + TIMEOUT_SLACK
        });
    if let (
        Some(AttackSpec::PlaintextError { message }),
        outcome::Outcome::Failed { message: m, .. },
    ) = (&scenario.attack, outcome)
        && m.contains(message.as_str())
    {
        summary.push_str("; attacker's error SHOWN");
    }
    Seen {
        connections,
        summary,
        outlived_timeout,
    }
}

/// `TLSv1_3` → `TLSv1.3`.
fn tls_name(rustls: &str) -> String {
    rustls.replace('_', ".")
}

/// `a, a, b` → `2× a → b`.
fn run_length(phrases: &[String]) -> String {
    let mut parts: Vec<(usize, &str)> = Vec::new();
    for p in phrases {
        match parts.last_mut() {
            Some((n, last)) if *last == p.as_str() => *n += 1,
            _ => parts.push((1, p)),
        }
    }
    parts
        .iter()
        .map(|(n, p)| {
            if *n == 1 {
                (*p).to_owned()
            } else {
                format!("{n}× {p}")
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use interposer::TlsSeen;
    use outcome::Outcome;

    fn scenario(toml_tail: &str) -> Scenario {
        let text = format!(
            "description = \"x\"\n[certs.ca]\nsubject_cn = \"ca\"\nis_ca = true\nkey = \"rsa2048-1\"\n\
             [files]\n\"ca.pem\" = {{ certs = [\"ca\"] }}\n{toml_tail}"
        );
        scenario::parse(std::path::Path::new("attack/x.toml"), &text).expect("scenario parses")
    }

    fn plaintext_login() -> Connection {
        Connection {
            user_seen: Some("harness".into()),
            credentials_in_plaintext: true,
            ..Connection::default()
        }
    }

    fn failed(message: &str) -> Outcome {
        Outcome::Failed {
            code: Some(1045),
            sqlstate: Some("28000".into()),
            message: message.into(),
            kind: outcome::FailureKind::Auth,
            raw_type: "x".into(),
        }
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn riddle_summary_says_the_login_crossed_and_the_error_was_shown() {
        let s = scenario("[attack]\nkind = \"plaintext_error\"\n");
        let c = Connection {
            error_injected: true,
            ..plaintext_login()
        };
        let seen = seen(
            &s,
            vec![c],
            &failed(scenario::ATTACKER_ERROR),
            SECOND,
            SECOND,
        );
        assert_eq!(
            seen.summary,
            "login in plaintext · attacker's error sent; attacker's error SHOWN"
        );
        assert_eq!(
            seen.exposure(),
            verdict::Exposure {
                login_in_plaintext: true,
                login_to_interposer: false
            }
        );
    }

    #[test]
    fn impersonation_summary_names_the_version_and_the_alert() {
        let s = scenario("[attack]\nkind = \"strip_tls\"\n");
        let accepted = Connection {
            ssl_request: true,
            client_tls: Some(TlsSeen {
                version: "TLSv1_2".into(),
                suite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            }),
            user_seen: Some("harness".into()),
            ..Connection::default()
        };
        let refused = Connection {
            ssl_request: true,
            client_tls_error: Some("received fatal alert: UnknownCA".into()),
            ..Connection::default()
        };
        let seen = seen(
            &s,
            vec![refused.clone(), refused, accepted],
            &failed("x"),
            SECOND,
            SECOND,
        );
        assert_eq!(
            seen.summary,
            "2× refused its TLS → TLS with the interposer (TLSv1.2) · login read"
        );
        assert!(seen.exposure().login_to_interposer);
    }

    #[test]
    fn stalls_are_judged_by_the_clients_own_answer_time() {
        let s = scenario("[fault]\nkind = \"stall_after_greeting\"\n");
        let quiet = || vec![Connection::default()];
        let in_time = seen(
            &s,
            quiet(),
            &failed("timeout"),
            SECOND,
            Duration::from_millis(1_400),
        );
        assert_eq!(in_time.summary, "no login sent");
        assert_eq!(in_time.outlived_timeout, Some(false));
        let late = seen(
            &s,
            quiet(),
            &failed("timeout"),
            SECOND,
            Duration::from_millis(1_600),
        );
        assert_eq!(
            late.summary, "no login sent",
            "timing stays out of snapshots"
        );
        assert_eq!(late.outlived_timeout, Some(true));
        let hang = seen(
            &s,
            quiet(),
            &Outcome::Hang { after_ms: 1_000 },
            SECOND,
            SECOND,
        );
        assert_eq!(hang.outlived_timeout, Some(true));
        let none = seen(
            &s,
            Vec::new(),
            &Outcome::Unsupported { reason: "x".into() },
            SECOND,
            Duration::ZERO,
        );
        assert_eq!(
            (none.summary.as_str(), none.outlived_timeout),
            ("no connection", None)
        );
        let attack = scenario("[attack]\nkind = \"strip_tls\"\n");
        assert_eq!(
            seen(&attack, quiet(), &failed("x"), SECOND, SECOND * 9).outlived_timeout,
            None
        );
    }

    #[test]
    fn a_pass_through_calls_tls_end_to_end() {
        let s = scenario("[attack]\nkind = \"pass_through\"\n");
        let tls = Connection {
            ssl_request: true,
            ..Connection::default()
        };
        assert_eq!(
            seen(&s, vec![tls], &failed("x"), SECOND, SECOND).summary,
            "TLS end to end"
        );
        assert_eq!(
            seen(&s, vec![plaintext_login()], &failed("x"), SECOND, SECOND).summary,
            "login in plaintext"
        );
    }
}
