//! `cargo xtask diagnose` as a user runs it: the exit status contract in `--help`, and exit 2
//! (no diagnosis) for a port where nothing listens or another protocol answers. Loopback only.

use std::process::Command;

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

/// `cargo xtask diagnose --host 127.0.0.1 --port PORT --timeout 2` plus `extra`, run.
fn diagnose_loopback(port: u16, extra: &[&str]) -> std::process::Output {
    xtask()
        .args([
            "diagnose",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--timeout",
            "2",
        ])
        .args(extra)
        .output()
        .expect("xtask runs")
}

#[test]
fn help_documents_the_exit_status() {
    let out = xtask()
        .args(["diagnose", "--help"])
        .output()
        .expect("xtask runs");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    for text in [
        "--host",
        "--ca",
        "--cert",
        "--key",
        "--server-name",
        "--json",
        "Exit status: 0",
    ] {
        assert!(help.contains(text), "--help lacks {text:?}:\n{help}");
    }
}

#[test]
fn unreachable_server_exits_2_with_the_reason() {
    // A port that was free a moment ago: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let out = diagnose_loopback(port, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach a MySQL server at 127.0.0.1"),
        "{stderr}"
    );
}

#[test]
fn cert_without_key_is_an_argument_error() {
    let out = xtask()
        .args([
            "diagnose",
            "--host",
            "127.0.0.1",
            "--cert",
            "client-cert.pem",
        ])
        .output()
        .expect("xtask runs");
    assert_eq!(out.status.code(), Some(2));
}

/// A port that answers with another protocol's banner (an SSH server here) is named as "not a
/// MySQL server", and `--json` still prints an answer on exit 2.
#[test]
fn another_protocol_is_not_a_mysql_server_and_json_says_so() {
    use std::io::Write as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        if let Ok((mut socket, _)) = listener.accept() {
            let _ = socket.write_all(b"SSH-2.0-OpenSSH_9.6\r\n");
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    });
    let out = diagnose_loopback(port, &["--json"]);
    server.join().expect("listener thread");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a MySQL server"), "{stderr}");
    assert!(stderr.contains("\"SSH-\""), "{stderr}");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("JSON on stdout on exit 2");
    assert!(json["diagnosis"].is_null(), "{json}");
    assert!(
        json["error"]
            .as_str()
            .is_some_and(|e| e.contains("not a MySQL server")),
        "{json}"
    );
}
