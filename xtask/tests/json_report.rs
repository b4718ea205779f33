//! Every reporter from one real `cargo xtask matrix` run (JSON, Markdown, JUnit, HTML and the
//! GitHub step summary), each checked on that run's output — the HTML by opening it in headless
//! Chromium, taking a screenshot and looking at its colors, and filtering it through the URL
//! fragment. Then the naive path (`--naive`: fresh server, a driver process per cell) run with
//! `--baseline` against the first report: same outcomes, and a baseline with one cell edited
//! shows exactly that cell as changed. Needs Docker, the locally built images and Chromium
//! (`cargo xtask test` / `.ci/run` provide them).

use harness::MatrixReport;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIOS: [&str; 2] = ["basic/valid", "basic/wrong-ca"];

fn matrix(extra: &[&str], envs: &[(&str, &Path)]) -> (String, MatrixReport) {
    let json = extra
        .iter()
        .position(|a| *a == "--json")
        .map(|i| PathBuf::from(extra[i + 1]))
        .expect("--json given");
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("matrix")
        .args(SCENARIOS)
        .args(["--flavor", "mariadb-11.8"])
        .args(extra);
    for (k, v) in envs {
        command.env(k, v);
    }
    let output = command.output().expect("xtask runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "matrix failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        stdout,
        MatrixReport::read(&json).expect("the report parses"),
    )
}

/// A headless-capable Chromium on PATH (the names `cargo xtask test` looks for).
fn chromium() -> PathBuf {
    for name in [
        "chromium-headless-shell",
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "no headless Chromium on PATH: `apt-get install chromium-headless-shell` (.ci/run does)"
    );
}

fn chromium_run(args: &[&str], url: &str) -> std::process::Output {
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs")
}

#[test]
fn every_reporter_from_one_run_and_the_naive_path_agrees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name);
    let summary = path("step-summary.md");
    std::fs::write(&summary, "earlier step\n").expect("writable");
    let (fast_json, md, junit, html) = (
        path("fast.json"),
        path("m.md"),
        path("junit.xml"),
        path("m.html"),
    );
    let arg = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
    let (a, b, c, d) = (arg(&fast_json), arg(&md), arg(&junit), arg(&html));
    let (_, fast) = matrix(
        &["--json", &a, "--markdown", &b, "--junit", &c, "--html", &d],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );

    // JSON
    assert_eq!(fast.format, harness::REPORT_FORMAT);
    assert_eq!(fast.run.path, "fast");
    assert!(fast.faults.is_empty());
    let ids: Vec<&str> = fast.runs.iter().map(|r| r.scenario.as_str()).collect();
    assert_eq!(ids, SCENARIOS);
    let clients = fast.runs[0].client_versions.len();
    assert!(clients >= 13, "every client reports its version: {clients}");
    for run in &fast.runs {
        assert_eq!(run.snapshot, "matches", "{}", run.scenario);
        assert_eq!(
            run.cells.len(),
            clients * scenario::SslMode::ALL.len(),
            "{}",
            run.scenario
        );
        assert!(
            run.cells
                .iter()
                .all(|c| c.text == c.outcome.to_string() && c.snapshot_expected.is_none())
        );
    }
    let verify_ca_connects = |run: &harness::RunRecord| {
        run.cells
            .iter()
            .filter(|c| c.ssl_mode == scenario::SslMode::VerifyCa && c.connected())
            .count()
    };
    assert!(
        verify_ca_connects(&fast.runs[0]) > 0,
        "valid chain verifies"
    );
    assert_eq!(
        verify_ca_connects(&fast.runs[1]),
        0,
        "wrong CA never verifies"
    );

    // Markdown, and the same appended to the step summary
    let markdown = std::fs::read_to_string(&md).expect("markdown written");
    assert!(markdown.starts_with("# MySQL TLS matrix"));
    assert!(markdown.contains("## basic/wrong-ca · mariadb-11.8 · ✓ snapshot"));
    assert!(
        markdown.contains("| rust-mysql-rustls | ✓ plain | – | ✓ TLSv1."),
        "a mode the client cannot express is `–`: {markdown}"
    );
    assert!(
        markdown.contains("| pymysql | ✓ plain | ✓ TLSv1."),
        "{markdown}"
    );
    assert!(markdown.contains("✗ verification 2026"));
    assert!(markdown.contains("<details><summary>Full outcomes</summary>"));
    let step = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        step.starts_with("earlier step\n# MySQL TLS matrix"),
        "appended, not replaced"
    );

    // The ssl-mode contract: facts per run, a verdict per cell; the one insecure cell here
    // (the mariadb CLI's DEFAULT, which connects to 127.0.0.1 without a CA) is reviewed.
    assert!(fast.runs.iter().all(|r| r.facts.is_some()));
    assert!(fast.cells().all(|(_, c)| c.verdict.is_some()));
    let insecure: Vec<String> = fast
        .cells()
        .filter_map(|(r, c)| {
            c.insecure_text().map(|t| {
                format!(
                    "{} {} {} {t} {}",
                    r.scenario,
                    c.client,
                    c.ssl_mode,
                    c.review_note()
                )
            })
        })
        .collect();
    assert!(
        !insecure.is_empty(),
        "the mariadb CLI's DEFAULT is insecure here"
    );
    assert!(
        insecure
            .iter()
            .all(|i| i.contains("mariadb-cli DEFAULT chain:") && i.contains("reviewed: ")),
        "{insecure:?}"
    );
    let contract = markdown
        .find("## ssl-mode contract")
        .expect("contract section");
    let first_run = markdown.find("## basic/").expect("run sections");
    assert!(
        contract < first_run,
        "insecure violations and scorecard come first"
    );
    assert!(markdown.contains("### Scorecard"));
    assert!(markdown.contains("⛔ `basic/valid` on mariadb-11.8 · mariadb-cli · DEFAULT · chain:"));

    // JUnit: one suite per run, a case per cell plus the server, no failures there; the
    // contract suite has a case per client × mode, failing where a cell is insecure.
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let all_suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let (contract, suites): (Vec<_>, Vec<_>) = all_suites
        .into_iter()
        .partition(|n| n.attribute("name") == Some("ssl-mode contract"));
    assert_eq!(contract.len(), 1);
    let contract_cases: Vec<_> = contract[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(contract_cases.len(), clients * scenario::SslMode::ALL.len());
    let failing: Vec<&str> = contract_cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .filter_map(|c| c.attribute("name"))
        .collect();
    assert_eq!(failing, ["mariadb-cli DEFAULT"]);
    assert_eq!(
        root.attribute("failures"),
        Some("1"),
        "only the contract case fails"
    );
    assert_eq!(suites.len(), 2);
    for suite in &suites {
        assert_eq!(suite.attribute("failures"), Some("0"));
        let cases = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, clients * scenario::SslMode::ALL.len() + 1);
    }
    assert!(doc.descendants().any(|n| n.has_tag_name("testcase")
        && n.attribute("name") == Some("go-sql-driver-mysql VERIFY_CA")));

    // HTML: rendered by Chromium, verdict colors on screen, filters through the fragment
    let url = format!("file://{}", html.display());
    let png_path = path("matrix.png");
    let shot = chromium_run(
        &[
            "--window-size=1400,2600",
            &format!("--screenshot={}", png_path.display()),
        ],
        &url,
    );
    assert!(
        png_path.exists(),
        "screenshot taken: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut pixels).expect("png frame");
    let step_px = info.color_type.samples();
    let has = |rgb: [u8; 3]| {
        pixels[..info.buffer_size()]
            .chunks(step_px)
            .any(|p| p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2])
    };
    assert!(
        has([0xd9, 0xf2, 0xd9]),
        "green (connected with TLS) cells on screen"
    );
    assert!(has([0xf8, 0xd0, 0xd0]), "red (failed) cells on screen");
    assert!(
        has([0xff, 0xf3, 0xc4]),
        "yellow (plaintext) cells on screen"
    );
    assert!(
        has([0xc0, 0x00, 0x00]),
        "insecure violations white on red, in the scorecard and the cells"
    );
    let dom = chromium_run(
        &["--dump-dom"],
        &format!("{url}#client=pymysql,go-sql-driver-mysql&scenario=wrong-ca"),
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    let rows: Vec<&str> = dom.matches("data-client=\"").collect();
    assert_eq!(rows.len(), 2, "one run × two clients shown");
    assert!(
        dom.contains("data-client=\"pymysql\" data-scenario=\"basic/wrong-ca\""),
        "{dom}"
    );
    assert!(!dom.contains("data-scenario=\"basic/valid\""));
    let dom = chromium_run(&["--dump-dom"], &format!("{url}#verdict=insecure"));
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-client=\"mariadb-cli\"") && !dom.contains("data-client=\"pymysql\""),
        "only the insecure cells' client: {dom}"
    );
    assert!(dom.contains("id=\"scorecard\""), "scorecard rendered");

    // Naive path with a baseline: same outcomes; an edited baseline shows the one edit.
    let mut edited = fast.clone();
    let cell = &mut edited.runs[1].cells[0];
    cell.text = "failed · handshake · edited for the test".into();
    let (client, mode) = (cell.client.clone(), cell.ssl_mode);
    let edited_path = path("edited.json");
    std::fs::write(
        &edited_path,
        serde_json::to_string(&edited).expect("encodes"),
    )
    .expect("written");
    let naive_json = arg(&path("naive.json"));
    let (printed, naive) = matrix(
        &[
            "--naive",
            "--json",
            &naive_json,
            "--baseline",
            &arg(&edited_path),
        ],
        &[],
    );
    assert_eq!(naive.run.path, "naive");
    assert!(naive.runs.iter().all(|r| !r.reused_server));
    let texts = |r: &MatrixReport| -> Vec<String> {
        r.cells()
            .map(|(run, c)| format!("{} {} {} {}", run.scenario, c.client, c.ssl_mode, c.text))
            .collect()
    };
    assert_eq!(texts(&fast), texts(&naive), "same outcomes on both paths");
    assert!(
        printed.contains(&format!(
            "## Changes since the baseline (1 of {} cells differ",
            clients * 2 * scenario::SslMode::ALL.len()
        )),
        "{printed}"
    );
    assert!(printed.contains(&format!("| basic/wrong-ca | mariadb-11.8 | {client} | {mode} | failed · handshake · edited for the test |")), "{printed}");
}
