//! The invalid-lines rule of drivers/CONTRACT.md, for every driver of drivers/drivers.toml and
//! the minimal example: each line that is not a valid cell gets exactly one `invalid_cell` answer
//! (the line's id, or 0 when it cannot be read), blank lines get none, and the driver then still
//! answers a real cell. Also: the harness turns an `invalid_cell` answer into a contract error.
//! Needs Docker and the clients image (`cargo xtask images` after changing drivers/).

mod common;

use clients::contract::{DriverOutcome, ResultLine};
use clients::{Cell, DriverSpec, ExternalDriver, Placement, RunsOn};
use containers::RunLabels;
use scenario::SslMode;
use std::time::Duration;

/// How long an answer to an invalid line may take (no connection is attempted).
const INVALID_ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// What the answer to an invalid line must say.
enum Message {
    Exactly(&'static str),
    StartsWith(&'static str),
}

/// A valid cell line (optional fields absent, one unknown field) with `edit` applied to its JSON
/// text: a DISABLED attempt at 127.0.0.1:1, where nothing listens.
fn cell_line(edit: impl Fn(String) -> String) -> Vec<u8> {
    let line = r#"{"id": 16, "ssl_mode": "DISABLED", "host": "127.0.0.1", "port": 1, "user": "harness", "password": "harness-password", "timeout_ms": 5000, "unknown_field": [1]}"#;
    let mut bytes = edit(line.to_owned()).into_bytes();
    bytes.push(b'\n');
    bytes
}

/// Input bytes (blank lines first in one case), the expected id and message of the answer.
fn invalid_cases() -> Vec<(Vec<u8>, u64, Message)> {
    use Message::*;
    let replace = |from: &'static str, to: &'static str| cell_line(move |l| l.replace(from, to));
    let mut not_utf8 = cell_line(|l| l.replace(r#""id": 16"#, r#""id": 15"#));
    let at = not_utf8
        .windows(9)
        .position(|w| w == b"127.0.0.1")
        .expect("the host");
    not_utf8.splice(at..at, [0xff, 0xfe]); // inside the host string
    vec![
        (
            b"\n  \t\r\nthis is not json\n".to_vec(),
            0,
            StartsWith("not JSON"),
        ),
        (b"[1, 2]\n".to_vec(), 0, StartsWith("not a JSON object")),
        (b"null\n".to_vec(), 0, StartsWith("not a JSON object")),
        (
            replace(r#""id": 16, "ssl_mode": "DISABLED""#, r#""id": 7"#),
            7,
            Exactly("missing field `ssl_mode`"),
        ),
        (
            replace(r#""id": 16, "#, ""),
            0,
            Exactly("missing field `id`"),
        ),
        (
            replace(r#""id": 16"#, r#""id": -16"#),
            0,
            StartsWith("field `id`"),
        ),
        (
            replace(r#""id": 16"#, r#""id": "16""#),
            0,
            StartsWith("field `id`"),
        ),
        (
            replace(
                r#""id": 16, "ssl_mode": "DISABLED""#,
                r#""id": 11, "ssl_mode": "disabled""#,
            ),
            11,
            StartsWith("field `ssl_mode`"),
        ),
        (
            replace(
                r#""id": 16, "ssl_mode": "DISABLED", "host": "127.0.0.1""#,
                r#""id": 12, "ssl_mode": "DISABLED", "host": null"#,
            ),
            12,
            StartsWith("field `host`"),
        ),
        (
            replace(
                r#""id": 16, "ssl_mode": "DISABLED", "host": "127.0.0.1", "port": 1"#,
                r#""id": 13, "ssl_mode": "DISABLED", "host": "127.0.0.1", "port": 70000"#,
            ),
            13,
            StartsWith("field `port`"),
        ),
        (
            replace(r#""id": 16"#, r#""id": 14, "crl": 3"#),
            14,
            StartsWith("field `crl`"),
        ),
        (not_utf8, 0, StartsWith("not JSON")),
    ]
}

/// Sends `driver` every invalid case, then the valid cell; the first deviation from the rule.
async fn check(driver: &ExternalDriver) -> Result<(), String> {
    for (input, id, message) in invalid_cases() {
        let shown = String::from_utf8_lossy(&input).trim().to_owned();
        let line = driver
            .exchange_raw(&input, INVALID_ANSWER_WITHIN)
            .await
            .map_err(|e| format!("no answer to `{shown}`: {e}"))?;
        let value: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("answer `{line}` to `{shown}` is not JSON: {e}"))?;
        let mut keys: Vec<&str> = value
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        if keys != ["id", "message", "outcome"] {
            return Err(format!(
                "answer `{line}` to `{shown}`: keys {keys:?}, want id, outcome, message"
            ));
        }
        let result: ResultLine = serde_json::from_str(&line)
            .map_err(|e| format!("answer `{line}` to `{shown}` breaks the schema: {e}"))?;
        let DriverOutcome::InvalidCell { message: said } = &result.outcome else {
            return Err(format!(
                "answer `{line}` to `{shown}`: outcome is not invalid_cell"
            ));
        };
        let fits = match message {
            Message::Exactly(text) => said == text,
            Message::StartsWith(prefix) => said.starts_with(prefix) && said.len() > prefix.len(),
        };
        if result.id != id || !fits {
            let want = match message {
                Message::Exactly(text) => format!("`{text}`"),
                Message::StartsWith(prefix) => format!("`{prefix}…`"),
            };
            return Err(format!(
                "answer `{line}` to `{shown}`: want id {id} and message {want}"
            ));
        }
    }
    // Still reading, and still connecting: a real cell gets its real (failed) outcome.
    let line = driver
        .exchange_raw(&cell_line(|l| l), Duration::from_secs(5 + 10))
        .await
        .map_err(|e| format!("no answer to a valid cell after the invalid lines: {e}"))?;
    match serde_json::from_str::<ResultLine>(&line) {
        Ok(ResultLine {
            id: 16,
            outcome: DriverOutcome::Failed { .. },
        }) => Ok(()),
        _ => Err(format!(
            "answer `{line}` to the valid cell 16 at port 1: want a failed outcome with id 16"
        )),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_driver_answers_invalid_lines_and_reads_on() {
    let specs = common::specs(|_| true);
    let started = common::start(&specs, &RunLabels::for_this_process()).await;
    let mut problems = Vec::new();
    for driver in &started.drivers {
        let verdict = common::bounded(
            &format!("checking {}", driver.name()),
            Duration::from_secs(300),
            check(driver),
        )
        .await;
        if let Err(problem) = verdict {
            problems.push(format!("{}: {problem}", driver.name()));
        }
    }
    drop(started);
    assert!(
        problems.is_empty(),
        "drivers breaking drivers/CONTRACT.md \"Invalid lines\":\n{}",
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_cell_answer_is_a_contract_error_for_the_harness() {
    const HELLO: &str = r#"{"hello":{"driver":"strict","version":"0","runtime":"sh","modes":{"DISABLED":{"options":"-"},"PREFERRED":{"options":"-"},"REQUIRED":{"options":"-"},"VERIFY_CA":{"options":"-"},"VERIFY_IDENTITY":{"options":"-"},"DEFAULT":{"options":"-"}}}}"#;
    let answer = r#"{"id":1,"outcome":"invalid_cell","message":"missing field `ssl_mode`"}"#;
    let script = format!("echo '{HELLO}'; read line; echo '{answer}'; read line");
    let spec = DriverSpec {
        name: "strict".into(),
        command: vec!["sh".into(), "-c".into(), script],
        runs_on: RunsOn::Host,
        build: None,
        family: None,
    };
    let placement = Placement::Host {
        fixture_dir: std::env::temp_dir(),
        port: 1,
        name_map: None,
    };
    let driver = common::bounded(
        "starting sh",
        Duration::from_secs(30),
        ExternalDriver::start(&spec, &placement),
    )
    .await
    .expect("hello");
    let cell = Cell {
        ssl_mode: SslMode::Disabled,
        host: "127.0.0.1".into(),
        ca: "ca.pem".into(),
        crl: None,
        identity: None,
        pkcs12: None,
        tls_version: None,
        user: "harness".into(),
        password: "harness-password".into(),
        timeout: Duration::from_secs(5),
    };
    let result = common::bounded("one cell", Duration::from_secs(30), driver.attempt(&cell)).await;
    assert!(
        matches!(&result, Err(clients::Error::Contract { driver, detail, .. })
            if driver == "strict" && detail.contains("missing field `ssl_mode`")),
        "{result:?}"
    );
}
