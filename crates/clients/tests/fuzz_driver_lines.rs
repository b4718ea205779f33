//! Fuzz target: the driver contract reader, against driver programs that misbehave. Each case
//! is a generated `sh` "driver" run on the host (no Docker) that writes what proptest chose:
//! valid and invalid hellos, answers with right, wrong and interleaved ids, invalid_cell, JSON
//! of the wrong shape, invalid UTF-8 and NUL bytes, CRLF, lines around and far past
//! [`MAX_LINE`] (up to 100 MB), a line that never ends, silence, and exits. The harness must
//! answer each with an outcome or a contract fault within its stated deadlines, never a panic
//! or a hang; a well-behaved driver must get its outcomes through unchanged.
//!
//! Cases per property: `PROPTEST_CASES`, else the defaults below (CI); `cargo xtask fuzz`
//! runs longer. A failing input is shrunk and saved in `tests/fuzz-regressions/`.

mod sh_driver;

use clients::{Error, ExternalDriver, MAX_LINE};
use outcome::Outcome;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use scenario::SslMode;
use std::path::Path;
use std::time::{Duration, Instant};

fn config(ci_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ci_cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fuzz-regressions/fuzz_driver_lines.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// The cell timeout the fuzzed cells carry; a silent driver is a hang 2 s (the harness's grace)
/// after it.
const CELL_TIMEOUT: Duration = Duration::from_millis(300);
/// Longest any one call may take before the case counts as a hang of the harness: the cell
/// timeout plus grace, a replacement process's hello, the 5 s wait for a dying process, with
/// room for a loaded machine. Far below the 60 s a missing hello may take (never generated).
const CALL_BOUND: Duration = Duration::from_secs(20);
/// Cells sent per case.
const CELLS: usize = 3;

fn hello(name: &str, modes: &[SslMode]) -> String {
    let modes: serde_json::Map<String, serde_json::Value> = modes
        .iter()
        .map(|m| (m.to_string(), serde_json::json!({ "options": "-" })))
        .collect();
    serde_json::json!({ "hello": { "driver": name, "version": "0", "runtime": "sh", "modes": modes } })
        .to_string()
}

/// One thing a fuzzed driver does, in order.
#[derive(Debug, Clone)]
enum Step {
    /// Writes these bytes as they are (the generator adds `\n` where a line ends).
    Write(Vec<u8>),
    /// Writes `n` bytes of `x` without a newline (a line of any length, or one that never ends).
    Flood(usize),
    /// Reads one cell line from stdin.
    ReadCell,
    /// Sleeps this many milliseconds.
    Sleep(u16),
    /// Exits with this status.
    Exit(u8),
    /// A shell command of the program's rare endings.
    Raw(&'static str),
}

/// What a driver writes as a line: contract lines and lines that are not.
fn line() -> impl Strategy<Value = Vec<u8>> {
    let text = |s: String| s.into_bytes();
    prop_oneof![
        3 => (1u64..6, outcome_json()).prop_map(|(id, o)| result(id, &o).into_bytes()),
        1 => Just(hello("fuzz", &SslMode::ALL)).prop_map(text),
        1 => Just(hello("someone-else", &SslMode::ALL)).prop_map(text),
        1 => Just(hello("fuzz", &SslMode::ALL[..2])).prop_map(text),
        1 => (0u64..6, ".{0,40}").prop_map(|(id, m)| serde_json::json!({"id": id, "outcome": "invalid_cell", "message": m}).to_string().into_bytes()),
        1 => Just(r#"{"id":null,"outcome":"connected"}"#.to_owned()).prop_map(text),
        1 => Just(r#"{"id":1,"outcome":"teleported"}"#.to_owned()).prop_map(text),
        1 => Just(r#"{"id":1e400,"outcome":"connected"}"#.to_owned()).prop_map(text),
        1 => Just("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".repeat(8)).prop_map(text),
        1 => ".{0,80}".prop_map(text),
        2 => prop::collection::vec(any::<u8>(), 0..80),
    ]
    .prop_map(|mut bytes| {
        bytes.retain(|&b| b != b'\n');
        bytes
    })
}

/// A `(outcome JSON fields, expected kind)` a real driver could answer.
fn outcome_json() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::json!({"outcome": "connected", "tls_version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256"})),
        Just(serde_json::json!({"outcome": "connected"})),
        (proptest::option::of(0u16..4000), ".{0,60}", "[A-Za-z.]{1,20}").prop_map(|(code, message, raw)| {
            serde_json::json!({"outcome": "failed", "code": code, "sqlstate": "HY000", "message": message, "raw_type": raw})
        }),
        ".{0,40}".prop_map(|r| serde_json::json!({"outcome": "unsupported", "reason": r})),
    ]
}

fn result(id: u64, outcome: &serde_json::Value) -> String {
    let mut line = outcome.clone();
    line["id"] = id.into();
    line.to_string()
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (line(), any::<bool>()).prop_map(|(mut bytes, crlf)| {
            bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            Step::Write(bytes)
        }),
        1 => line().prop_map(Step::Write),
        1 => prop_oneof![Just(MAX_LINE - 1), Just(MAX_LINE), Just(MAX_LINE + 1), 0..4096usize].prop_map(Step::Flood),
        3 => Just(Step::ReadCell),
        1 => (0u16..80).prop_map(Step::Sleep),
        1 => (0u8..4).prop_map(Step::Exit),
    ]
}

/// A program: a first line (mostly a valid hello, so the rest is reached), steps, and at most
/// one rare ending: a 100 MB line, a line that never ends, or a stall longer than the cell
/// timeout. The first line is always complete (or the program exits): a driver that waits for
/// input before its hello gets the 60 s hello timeout, tested once in driver_bounds.rs rather
/// than in every case.
fn program() -> impl Strategy<Value = Vec<Step>> {
    let first = prop_oneof![
        4 => Just(Step::Write(format!("{}\n", hello("fuzz", &SslMode::ALL)).into_bytes())),
        2 => line().prop_map(|mut bytes| {
            bytes.push(b'\n');
            Step::Write(bytes)
        }),
        1 => (0u8..4).prop_map(Step::Exit),
    ];
    let ending = prop_oneof![
        12 => Just(None),
        1 => Just(Some("head -c 100000000 /dev/zero | tr '\\0' x; echo")),
        1 => Just(Some("tr '\\0' x < /dev/zero")),
        1 => Just(Some("read -r _; sleep 30")),
    ];
    (first, prop::collection::vec(step(), 0..10), ending).prop_map(|(first, steps, ending)| {
        let mut program = vec![first];
        program.extend(steps);
        program.extend(ending.map(Step::Raw));
        program
    })
}

/// Writes the program as an `sh` script in `dir`, data in side files.
fn script(dir: &Path, steps: &[Step]) -> String {
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        match s {
            Step::Write(bytes) => {
                let file = dir.join(format!("w{i}"));
                std::fs::write(&file, bytes).expect("side file");
                out.push(format!("cat '{}'", file.display()));
            }
            Step::Flood(n) => out.push(format!("head -c {n} /dev/zero | tr '\\0' x")),
            Step::ReadCell => out.push("read -r _".into()),
            Step::Sleep(ms) => out.push(format!("sleep {}.{:03}", ms / 1000, ms % 1000)),
            Step::Exit(code) => out.push(format!("exit {code}")),
            Step::Raw(command) => out.push((*command).to_owned()),
        }
    }
    out.join("\n")
}

/// Runs `call` and fails the case when it outlives [`CALL_BOUND`].
async fn bounded<T>(
    what: &str,
    call: impl std::future::Future<Output = T>,
) -> Result<T, TestCaseError> {
    let started = Instant::now();
    tokio::time::timeout(CALL_BOUND, call)
        .await
        .map_err(|_| TestCaseError::fail(format!("{what} hung for {:?}", started.elapsed())))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Only contract faults (and a failure to spawn `sh`) may come out as errors.
fn expected_error(e: &Error) -> bool {
    matches!(e, Error::Contract { .. })
}

proptest! {
    #![proptest_config(config(60))]

    /// Any program: every call ends in an outcome or a contract fault, within its deadline.
    #[test]
    fn misbehaving_drivers_get_an_outcome_or_a_contract_fault(steps in program()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = sh_driver::spec("fuzz", &script(dir.path(), &steps));
        let placement = sh_driver::placement(dir.path());
        runtime().block_on(async {
            let started = bounded("start", ExternalDriver::start(&spec, &placement)).await?;
            let driver = match started {
                Ok(d) => d,
                Err(e) => {
                    prop_assert!(expected_error(&e), "start: {e:?}");
                    return Ok(());
                }
            };
            for _ in 0..CELLS {
                match bounded("attempt", driver.attempt(&sh_driver::cell(SslMode::Required, CELL_TIMEOUT))).await? {
                    Ok(_) => {}
                    Err(e) => {
                        prop_assert!(expected_error(&e), "attempt: {e:?}");
                        break;
                    }
                }
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(config(40))]

    /// A driver that keeps the contract gets its outcomes recorded as it wrote them, whatever
    /// its messages say.
    #[test]
    fn well_behaved_drivers_are_heard(answers in prop::collection::vec(outcome_json(), 1..=CELLS), crlf in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let end = if crlf { b"\r\n".as_slice() } else { b"\n".as_slice() };
        let mut steps = vec![Step::Write([hello("fuzz", &SslMode::ALL).as_bytes(), end].concat())];
        for (i, a) in answers.iter().enumerate() {
            steps.push(Step::ReadCell);
            steps.push(Step::Write([result(i as u64 + 1, a).as_bytes(), end].concat()));
        }
        steps.push(Step::ReadCell);
        let spec = sh_driver::spec("fuzz", &script(dir.path(), &steps));
        let placement = sh_driver::placement(dir.path());
        runtime().block_on(async {
            let driver = bounded("start", ExternalDriver::start(&spec, &placement))
                .await?
                .map_err(|e| TestCaseError::fail(format!("a valid hello was refused: {e:?}")))?;
            for a in &answers {
                let outcome = bounded("attempt", driver.attempt(&sh_driver::cell(SslMode::Required, CELL_TIMEOUT)))
                    .await?
                    .map_err(|e| TestCaseError::fail(format!("a valid answer was refused: {e:?}")))?;
                let kind = a["outcome"].as_str().unwrap_or_default();
                let same = matches!(
                    (kind, &outcome),
                    ("connected", Outcome::Connected { .. })
                        | ("failed", Outcome::Failed { .. })
                        | ("unsupported", Outcome::Unsupported { .. })
                );
                prop_assert!(same, "answered {a}, recorded {outcome:?}");
                if let (Some(code), Outcome::Failed { code: got, .. }) = (a["code"].as_u64(), &outcome) {
                    prop_assert_eq!(Some(code), got.map(u64::from));
                }
            }
            Ok(())
        })?;
    }
}
