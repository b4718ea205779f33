//! Reads from a driver are bounded in size: a stdout line longer than `MAX_LINE` (a hello or an
//! answer) is a contract fault, not a buffer that grows with whatever the driver writes, and a
//! long stderr line is cut in the kept tail. The "drivers" here are `sh` scripts run on the host
//! (no Docker): they misbehave on purpose.

mod sh_driver;

use clients::{Error, ExternalDriver, MAX_LINE, Placement};
use scenario::SslMode;
use std::time::{Duration, Instant};

const HELLO: &str = r#"{"hello":{"driver":"sh","version":"0","runtime":"sh","modes":{"DISABLED":{"options":"-"},"PREFERRED":{"options":"-"},"REQUIRED":{"options":"-"},"VERIFY_CA":{"options":"-"},"VERIFY_IDENTITY":{"options":"-"},"DEFAULT":{"options":"-"}}}}"#;

fn spec(script: &str) -> clients::DriverSpec {
    sh_driver::spec("sh", script)
}

fn placement() -> Placement {
    sh_driver::placement(&std::env::temp_dir())
}

/// A line of `bytes` x's on stdout or stderr, then a newline.
fn long_line(bytes: usize) -> String {
    format!("head -c {bytes} /dev/zero | tr '\\0' x; echo")
}

fn contract_detail(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Contract { detail, stderr, .. }) => format!("{detail}\n{stderr}"),
        other => panic!("expected a contract fault, got {other:?}"),
    }
}

#[tokio::test]
async fn a_hello_longer_than_the_limit_is_a_contract_fault() {
    let started = Instant::now();
    let result = ExternalDriver::start(&spec(&long_line(3 * MAX_LINE)), &placement()).await;
    let detail = contract_detail(result.map(|_| ()));
    assert!(
        detail.contains(&format!("longer than {MAX_LINE} bytes")),
        "{detail}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "bounded in time too"
    );
}

#[tokio::test]
async fn an_answer_longer_than_the_limit_is_a_contract_fault() {
    let script = format!(
        "printf '%s\\n' '{HELLO}'; read cell; {}",
        long_line(MAX_LINE + 1)
    );
    let driver = ExternalDriver::start(&spec(&script), &placement())
        .await
        .expect("the hello is fine");
    let cell = sh_driver::cell(SslMode::Disabled, Duration::from_secs(5));
    let detail = contract_detail(driver.attempt(&cell).await);
    assert!(detail.contains("answer to cell"), "{detail}");
    assert!(
        detail.contains(&format!("longer than {MAX_LINE} bytes")),
        "{detail}"
    );
}

#[tokio::test]
async fn a_long_stderr_line_is_cut_in_the_kept_tail() {
    let script = format!(
        "{{ {} ; echo last words; }} >&2; exit 3",
        long_line(10 * MAX_LINE)
    );
    let detail = contract_detail(
        ExternalDriver::start(&spec(&script), &placement())
            .await
            .map(|_| ()),
    );
    assert!(
        detail.contains("exited before writing its hello line"),
        "{detail}"
    );
    assert!(
        detail.contains("last words"),
        "the tail goes on after the long line: {detail}"
    );
    let longest = detail.lines().map(str::len).max().unwrap_or(0);
    assert!(
        longest <= 4096,
        "a kept stderr line is at most 4096 bytes, got {longest}"
    );
}

/// Peak resident memory of this test process in KiB (`VmHWM` in /proc/self/status; nextest
/// runs each test in its own process).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Memory a bounded reader may add while reading a huge line: a few times `MAX_LINE`.
const MEMORY_BOUND_KIB: u64 = 16 * 1024;

#[tokio::test]
async fn a_hello_that_never_ends_is_a_contract_fault_in_bounded_memory() {
    let before = peak_rss_kib();
    let result = ExternalDriver::start(&spec("tr '\\0' x < /dev/zero"), &placement()).await;
    let detail = contract_detail(result.map(|_| ()));
    assert!(
        detail.contains(&format!("longer than {MAX_LINE} bytes")),
        "{detail}"
    );
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(
        grown < MEMORY_BOUND_KIB,
        "reading an endless hello grew peak memory by {grown} KiB"
    );
}

#[tokio::test]
async fn a_100_mb_answer_is_a_contract_fault_in_bounded_memory() {
    let script = format!(
        "printf '%s\\n' '{HELLO}'; read cell; {}",
        long_line(100_000_000)
    );
    let driver = ExternalDriver::start(&spec(&script), &placement())
        .await
        .expect("the hello is fine");
    let before = peak_rss_kib();
    let cell = sh_driver::cell(SslMode::Disabled, Duration::from_secs(5));
    let detail = contract_detail(driver.attempt(&cell).await);
    assert!(
        detail.contains(&format!("longer than {MAX_LINE} bytes")),
        "{detail}"
    );
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(
        grown < MEMORY_BOUND_KIB,
        "reading a 100 MB answer grew peak memory by {grown} KiB"
    );
}
