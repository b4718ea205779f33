//! Attacker text in reports stays text (issue "Hostile input", item 4). Error messages, driver
//! and server versions, server log lines and descriptions come from servers, drivers and — with
//! a machine in the middle — an attacker. A report carrying hostile text in every such place
//! goes through every reporter; each document must stay well-formed and the text inert: no
//! early `</script>`, no forged Markdown row or column, no raw HTML, no raw control characters,
//! valid XML with the text still readable.

use harness::{
    Fault, MatrixReport, REPORT_FORMAT, RunInfo, RunRecord, ScenarioReport, ServerState,
    changes_since, render_changes, render_html, render_junit, render_markdown, render_step_summary,
};
use outcome::{FailureKind, Outcome, TlsInfo};
use scenario::SslMode;
use std::time::Duration;

/// Every payload at once; it ends in an unterminated OSC sequence followed by [`TAIL`], which
/// a reporter stripping escape sequences must not swallow.
const HOSTILE: &str = "</script><script>alert(1)</script> <img src=x onerror=alert(1)> ]]> \
<!-- <!--<script> &amp; &lt; a | b \\| c\n| x | y |\r| r | s | `code` ``` \
\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J nul\x00 bel\x07 bs\x08 cr\r del\x7f nel\u{85} \
csi\u{9b}2J ls\u{2028} ps\u{2029} rlo\u{202e}txt\u{202c} nonchar\u{fffe}\u{ffff} vt\x0b ff\x0c \
\x1b]8;;";
/// The text after the last payload.
const TAIL: &str = "TAIL-MUST-SURVIVE";

/// `HOSTILE` tagged with where it was put, so each place can be found in the output.
fn hostile(place: &str) -> String {
    format!("[{place}] {HOSTILE}{TAIL}")
}

/// Characters no reporter may emit raw (a terminal, XML or Markdown reader acts on them or
/// hides text with them): controls other than `\n`, line/paragraph separators, bidi
/// overrides and isolates, and the XML-invalid noncharacters.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// The printable runs of `text` between unsafe characters: what must survive verbatim where
/// the format needs no escaping of its own (XML text after parsing).
fn fragments(text: &str) -> Vec<&str> {
    text.split(|c: char| unsafe_char(c) || c == '\n')
        .filter(|f| !f.is_empty())
        .collect()
}

fn assert_no_unsafe_chars(doc: &str, what: &str) {
    if let Some((i, c)) = doc.char_indices().find(|(_, c)| unsafe_char(*c)) {
        panic!(
            "{what}: raw {c:?} at byte {i}: {:?}",
            &doc[i.saturating_sub(40)..i]
        );
    }
}

fn failed(place: &str, code: Option<u16>) -> Outcome {
    Outcome::Failed {
        code,
        sqlstate: code.map(|_| hostile(&format!("{place} sqlstate"))),
        message: hostile(&format!("{place} message")),
        kind: FailureKind::Verification,
        raw_type: hostile(&format!("{place} raw type")),
    }
}

/// One scenario run whose every stranger-controlled field is hostile.
fn scenario_report() -> ScenarioReport {
    let outcomes = [
        Outcome::Connected {
            tls: Some(TlsInfo {
                version: hostile("tls version"),
                cipher: hostile("cipher"),
            }),
        },
        failed("with code", Some(2026)),
        failed("no code", None),
        Outcome::Unsupported {
            reason: hostile("reason"),
        },
        Outcome::Hang { after_ms: 10_000 },
    ];
    let rows = ["pymysql", "mysql-cli"]
        .into_iter()
        .flat_map(|client| {
            SslMode::ALL
                .into_iter()
                .zip(outcomes.clone())
                .map(|(ssl_mode, outcome)| harness::Row {
                    client: client.to_owned(),
                    ssl_mode,
                    outcome,
                    took: Duration::from_millis(3),
                    seen: None,
                })
        })
        .collect();
    ScenarioReport {
        scenario: "hostile/everywhere".into(),
        description: hostile("description"),
        reported: Some(harness::Reported {
            text: hostile("reported"),
            place: scenario::ReportedIn::Client,
            reporter: None,
        }),
        flavor: "mysql-9",
        server_version: hostile("server version"),
        boot_time: Duration::from_millis(900),
        client_versions: vec![
            ("pymysql".into(), hostile("pymysql version")),
            ("mysql-cli".into(), hostile("mysql-cli version")),
        ],
        start_costs: Vec::new(),
        server: ServerState::Ready {
            tls_enabled: true,
            log: vec![hostile("ready log")],
        },
        reload: Some(servers::Reload {
            statement: "ALTER INSTANCE RELOAD TLS".into(),
            refused: Some(hostile("reload refused")),
            tls_enabled_after: true,
            took: Duration::from_millis(4),
        }),
        auth_note: "caching_sha2_password",
        rows,
        reused_server: false,
        facts: None,
    }
}

/// The matrix: the hostile run (its snapshot differing, one cell expecting hostile text), a
/// run whose server failed to start with hostile log lines, and a hostile harness fault.
fn matrix() -> MatrixReport {
    let mut run = RunRecord::new(&scenario_report(), None, &verdict::Reviewed::default());
    run.snapshot = "differs".into();
    run.cells[1].snapshot_expected = Some(hostile("snapshot expected"));
    let mut dead = RunRecord::new(&scenario_report(), None, &verdict::Reviewed::default());
    dead.scenario = "hostile/dead-server".into();
    dead.server = ServerState::FailedToStart {
        exit_code: Some(1),
        log: vec![hostile("start log 1"), hostile("start log 2")],
    };
    dead.cells.clear();
    MatrixReport {
        format: REPORT_FORMAT,
        run: RunInfo {
            started_at: "2026-11-23T00:00:00Z".into(),
            took_ms: 1234,
            path: "fast".into(),
            jobs: 2,
            cell_timeout_ms: 10_000,
            shard: None,
        },
        runs: vec![run, dead],
        faults: vec![Fault {
            scenario: "hostile/fault".into(),
            flavor: "mysql-9".into(),
            error: hostile("fault"),
        }],
    }
}

/// The same matrix with every hostile text made harmless: the shape of a clean document.
fn benign(report: &MatrixReport) -> MatrixReport {
    let text = serde_json::to_string(report).expect("report serializes");
    let payload = serde_json::to_string(HOSTILE).expect("string serializes");
    let clean = text.replace(payload.trim_matches('"'), "benign ");
    serde_json::from_str(&clean).expect("benign report parses")
}

// ---------------------------------------------------------------- HTML

/// Byte offset where the script element opened at `start` ends, following the script-data
/// states of the HTML tokenizer (escaped `<!--` and double-escaped `<!--<script` text, in which
/// a `</script>` does not end the element).
fn script_end(page: &str, start: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let lower = page.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let tag_at = |i: usize, tag: &str| {
        bytes[i..].starts_with(tag.as_bytes())
            && matches!(
                bytes.get(i + tag.len()),
                Some(b'\t' | b'\n' | b'\x0c' | b' ' | b'/' | b'>')
            )
    };
    let mut state = State::Data;
    let mut i = start;
    while i < bytes.len() {
        let rest = &bytes[i..];
        match state {
            State::Data if rest.starts_with(b"<!--") => {
                state = State::Escaped;
                i += 4;
                continue;
            }
            State::Data | State::Escaped if tag_at(i, "</script") => return Some(i),
            State::Escaped | State::DoubleEscaped if rest.starts_with(b"-->") => {
                state = State::Data
            }
            State::Escaped if tag_at(i, "<script") => state = State::DoubleEscaped,
            State::DoubleEscaped if tag_at(i, "</script") => state = State::Escaped,
            _ => {}
        }
        i += 1;
    }
    None
}

#[test]
fn html_keeps_hostile_text_inside_the_data_script() {
    let report = matrix();
    let page = render_html(&report);
    let lower = page.to_ascii_lowercase();
    let open = lower.find("<script>").expect("script element") + "<script>".len();
    let close = lower.rfind("</script>").expect("script closing");
    assert_eq!(
        script_end(&page, open),
        Some(close),
        "the data script ends where the page closes it"
    );
    assert_eq!(lower.matches("<script").count(), 1, "one script element");
    assert_eq!(lower.matches("</script").count(), 1, "one script closing");
    for markup in ["<img", "<!--"] {
        assert!(!lower.contains(markup), "raw {markup:?} in the page");
    }
    assert_no_unsafe_chars(&page, "HTML page");
    // The embedded data reads back exactly: the page shows the text, never runs it.
    let data = page[open..close]
        .trim_start()
        .strip_prefix("const RUNS = ")
        .and_then(|d| d.split_once(";\nconst MODES"))
        .map(|(d, _)| d)
        .expect("data assignment");
    let runs: serde_json::Value = serde_json::from_str(data).expect("embedded data is JSON");
    assert_eq!(runs[0]["d"], report.runs[0].description.as_str());
    for (i, cell) in report.runs[0].cells.iter().enumerate() {
        assert_eq!(runs[0]["cells"][i]["x"], cell.text.as_str());
    }
    assert_eq!(
        runs[0]["cells"][1]["e"],
        hostile("snapshot expected").as_str()
    );
}

// ---------------------------------------------------------------- Markdown

/// Cell separators in a GFM table row: pipes not preceded by a backslash (GFM treats `\|` as
/// a literal pipe whatever precedes the backslash).
fn columns(row: &str) -> usize {
    let mut n = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.clone().next() == Some('|') => {
                chars.next();
            }
            '|' => n += 1,
            _ => {}
        }
    }
    n
}

/// A Markdown document with hostile text: every table row has its header's columns and
/// belongs to a table, no raw controls, no HTML but the `<details>` block, entities only
/// from escaping, backticks only where the clean document has them.
fn assert_inert_markdown(doc: &str, clean: &str, what: &str) {
    assert_no_unsafe_chars(doc, what);
    // A table runs from a `|` line after a blank line to the next blank line; GFM takes every
    // line in between as a row, with or without a leading pipe.
    let (mut header, mut previous) = (None, "");
    for line in doc.lines() {
        match header {
            _ if line.trim().is_empty() => header = None,
            Some(want) => assert!(
                line.starts_with('|') && columns(line) == want,
                "{what}: row {line:?} does not have the header's {want} separators"
            ),
            None if line.starts_with('|') => {
                assert!(previous.trim().is_empty(), "{what}: stray row {line:?}");
                header = Some(columns(line));
            }
            None => {}
        }
        previous = line;
    }
    let tags = regex::Regex::new(r"<[A-Za-z/!?]").expect("valid regex");
    let allowed = ["<details>", "<summary>", "</summary>", "</details>"];
    for m in tags.find_iter(doc) {
        let at = &doc[m.start()..];
        assert!(
            allowed.iter().any(|tag| at.starts_with(tag)),
            "{what}: raw HTML {:?}",
            &at[..at.len().min(30)]
        );
    }
    for (i, _) in doc.match_indices('&') {
        let at = &doc[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;"].iter().any(|e| at.starts_with(e)),
            "{what}: entity {:?}",
            &at[..at.len().min(12)]
        );
    }
    let backticks = |d: &str| d.matches('`').count() - d.matches("\\`").count();
    assert_eq!(
        backticks(doc),
        backticks(clean),
        "{what}: unescaped backticks"
    );
    assert!(
        doc.contains(TAIL),
        "{what}: the text after the escapes is gone"
    );
}

#[test]
fn markdown_and_step_summary_keep_tables_and_text() {
    let report = matrix();
    let clean = benign(&report);
    for details in [true, false] {
        let doc = render_markdown(&report, details);
        let what = format!("markdown (details {details})");
        assert_inert_markdown(&doc, &render_markdown(&clean, details), &what);
        assert_eq!(
            doc.lines().filter(|l| l.starts_with('|')).count(),
            render_markdown(&clean, details)
                .lines()
                .filter(|l| l.starts_with('|'))
                .count(),
            "{what}: as many table rows as the clean report"
        );
        let places = ["description", "server version", "reload refused", "fault"];
        let places_details = ["with code message", "no code raw type", "snapshot expected"];
        for place in places
            .iter()
            .chain(if details { &places_details[..] } else { &[] })
        {
            assert!(
                doc.contains(&format!("\\[{place}\\]")),
                "{what}: {place} missing"
            );
        }
    }
    let summary = render_step_summary(&report);
    assert_inert_markdown(&summary, &render_step_summary(&clean), "step summary");
}

#[test]
fn baseline_changes_keep_tables_and_text() {
    let report = matrix();
    let baseline = benign(&report);
    let changes = changes_since(&baseline, &report);
    assert!(
        !changes.is_empty(),
        "the hostile cells differ from the benign ones"
    );
    let doc = render_changes(&changes, &baseline, &report);
    let clean = render_changes(&changes_since(&report, &report), &baseline, &baseline);
    assert_inert_markdown(&doc, &clean.replace("No cell changed.", ""), "changes");
    assert!(doc.contains("\\[pymysql version\\]"), "{doc}");
}

// ---------------------------------------------------------------- JUnit

#[test]
fn junit_is_valid_xml_and_the_text_reads_back() {
    let report = matrix();
    let xml = render_junit(&report);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    for node in doc.descendants() {
        let texts = node.text().into_iter();
        for text in texts.chain(node.attributes().map(|a| a.value())) {
            assert!(
                !text.chars().any(|c| unsafe_char(c) && c != '\t'),
                "raw control in {text:?}"
            );
        }
    }
    let text_of = |name: &str, tag: &str| -> String {
        doc.descendants()
            .filter(|n| n.attribute("name") == Some(name))
            .flat_map(|n| n.descendants().filter(move |d| d.has_tag_name(tag)))
            .filter_map(|n| n.text())
            .collect()
    };
    let checks = [
        (
            text_of("pymysql PREFERRED", "system-out"),
            "with code message",
        ),
        (text_of("pymysql PREFERRED", "failure"), "snapshot expected"),
        (
            text_of("pymysql REQUIRED", "system-out"),
            "no code raw type",
        ),
        (text_of("server", "system-out"), "server version"),
        (text_of("run", "error"), "fault"),
    ];
    for (text, place) in checks {
        let want = hostile(place);
        let mut rest = text.as_str();
        for fragment in fragments(&want) {
            let at = rest
                .find(fragment)
                .unwrap_or_else(|| panic!("{place}: {fragment:?} missing from {text:?}"));
            rest = &rest[at + fragment.len()..];
        }
    }
}
