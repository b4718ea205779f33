//! Attacker text in reports stays text on the terminal (issue "Hostile input", item 4): what a
//! run prints for a scenario run whose failed cells, versions, description and server log carry
//! ANSI/OSC escapes and other control characters holds no raw control character but `\n` and
//! `\t`, and the text after the escapes is still there.

use harness::{Row, ScenarioReport, ServerState};
use outcome::{FailureKind, Outcome};
use scenario::SslMode;
use std::time::Duration;

/// Escapes and controls of every kind; it ends in an unterminated OSC sequence, after which
/// [`TAIL`] must still be printed.
const HOSTILE: &str = "</script><img src=x onerror=alert(1)> a | b\n| x | y | `code` \
\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J nul\x00 bel\x07 bs\x08 cr\r tab\t del\x7f \
nel\u{85} csi\u{9b}2J ls\u{2028} rlo\u{202e}txt\u{202c} \x1b]8;;";
/// The text after the last payload.
const TAIL: &str = "TAIL-MUST-SURVIVE";

fn hostile(place: &str) -> String {
    format!("[{place}] {HOSTILE}{TAIL}")
}

fn failed(code: Option<u16>) -> Outcome {
    Outcome::Failed {
        code,
        sqlstate: code.map(|_| hostile("sqlstate")),
        message: hostile("message"),
        kind: FailureKind::Verification,
        raw_type: hostile("raw type"),
    }
}

fn report() -> ScenarioReport {
    let unsupported = Outcome::Unsupported {
        reason: hostile("reason"),
    };
    ScenarioReport {
        scenario: "hostile/terminal".into(),
        description: hostile("description"),
        reported: Some(harness::Reported {
            text: hostile("reported"),
            place: scenario::ReportedIn::Client,
            reporter: None,
        }),
        flavor: "mysql-9",
        server_version: hostile("server version"),
        boot_time: Duration::from_millis(900),
        client_versions: vec![("pymysql".into(), hostile("driver version"))],
        start_costs: Vec::new(),
        server: ServerState::Ready {
            tls_enabled: false,
            log: vec![hostile("server log")],
        },
        reload: Some(servers::Reload {
            statement: "ALTER INSTANCE RELOAD TLS".into(),
            refused: Some(hostile("reload refused")),
            tls_enabled_after: false,
            took: Duration::from_millis(4),
        }),
        auth_note: "caching_sha2_password",
        rows: [
            (SslMode::Required, failed(Some(2026))),
            (SslMode::VerifyCa, failed(None)),
            (SslMode::VerifyIdentity, unsupported),
        ]
        .into_iter()
        .map(|(ssl_mode, outcome)| Row {
            client: "pymysql".into(),
            ssl_mode,
            outcome,
            took: Duration::from_millis(3),
            seen: None,
        })
        .collect(),
        reused_server: false,
        facts: None,
    }
}

#[test]
fn printed_report_carries_no_raw_control_characters() {
    let text = runner::report_text(&report());
    // Tabs are harmless on a terminal; every other control character is not.
    let hidden = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}')
    };
    if let Some((i, c)) = text.char_indices().find(|(_, c)| hidden(*c)) {
        panic!("raw {c:?} at byte {i} of:\n{text}");
    }
    for place in [
        "description",
        "reported",
        "server version",
        "driver version",
        "server log",
        "reload refused",
        "message",
        "raw type",
        "sqlstate",
        "reason",
    ] {
        assert!(
            text.contains(&format!("[{place}] ")),
            "{place} missing from:\n{text}"
        );
    }
    // Each hostile text is printed whole, its escapes visible: the tail after the unterminated
    // sequence survives, ESC shows as `\u{1b}`.
    assert!(text.matches(TAIL).count() >= 10, "{text}");
    assert!(text.contains("\\u{1b}[31mred"), "{text}");
    // The versions line stays one line: no forged line follows it.
    let versions = text
        .lines()
        .find(|l| l.starts_with("versions: "))
        .expect("versions line");
    assert!(
        versions.ends_with("· timing: boot 0.90 s; reload 4.0 ms"),
        "{versions}"
    );
}
