//! The doctor against real servers: every scenario (all groups but the interposed `attack/`
//! and `fault/` ones, whose defect is the network's) is booted on `mysql-9`, the
//! doctor diagnoses 127.0.0.1:<published port> with the scenario's client-side files (CA,
//! client certificate + key when both are given, CRL) and server name (`client.host`), and the
//! causes it names are compared with `expected_causes.toml` (scenario id → expected causes,
//! documented there). The result is a confusion table — expected → diagnosed, per scenario and
//! summed, plus accuracy = matches / diagnosable scenarios — checked against the snapshot
//! `snapshots/doctor__confusion@mysql-9.snap`, so a change in diagnosis shows up as a diff.
//!
//! Servers are reused where the harness' fast path would reuse them (same rendered my.cnf, the
//! fixture swap + TLS reload was clean); otherwise each scenario boots fresh. Dropped servers
//! remove their containers. Needs Docker and the `mysql-9` image (`cargo xtask images`).
//! `DOCTOR_SCENARIOS=basic,names/cn-only` runs a subset and prints the table without the
//! snapshot check; `DOCTOR_VERBOSE=1` prints each diagnosis as text.

use containers::RunLabels;
use servers::{Boot, Flavor, Server};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

const FLAVOR: &str = "mysql-9";

/// What happened to one scenario.
enum Row {
    Diagnosed(Vec<String>),
    /// The server exited before it accepted connections (nothing to dial).
    NotStarted,
    /// The doctor could not diagnose (its error text).
    NoDiagnosis(String),
}

fn expected_table() -> BTreeMap<String, Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected_causes.toml");
    let text = std::fs::read_to_string(&path).expect("expected_causes.toml is readable");
    toml::from_str(&text).expect("expected_causes.toml is a table of string arrays")
}

fn label(causes: &[String]) -> String {
    if causes.is_empty() {
        "none".into()
    } else {
        causes.join(" + ")
    }
}

async fn diagnose(
    scenario: &scenario::Scenario,
    server: &Server,
    fixtures: &certgen::Fixtures,
) -> Row {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = fixtures.files.clone();
    files.extend(fixtures.reload.clone());
    certgen::write_files(dir.path(), &files).expect("client files written");
    let client = &scenario.client;
    let mut request = doctor::Request::new("127.0.0.1", server.host_port);
    request.server_name = Some(client.host.clone());
    request.ca = Some(dir.path().join(&client.ca));
    if let (Some(cert), Some(key)) = (&client.cert, &client.key) {
        request.cert = Some(dir.path().join(cert));
        request.key = Some(dir.path().join(key));
    }
    request.crl = client.crl.as_ref().map(|crl| dir.path().join(crl));
    request.timeout = Duration::from_secs(5);
    match doctor::diagnose(&request).await {
        Ok(d) => {
            if std::env::var_os("DOCTOR_VERBOSE").is_some() {
                eprintln!("{}", doctor::render_text(&d));
            }
            let mut names: Vec<String> = d
                .cause_kinds()
                .iter()
                .map(|k| k.name().to_owned())
                .collect();
            names.sort();
            Row::Diagnosed(names)
        }
        Err(e) => Row::NoDiagnosis(e.to_string()),
    }
}

/// The kept server with `fixtures` swapped in, when it has the same configuration and the swap
/// was clean (else `None`: boot fresh). A server that refused the swap but still serves stays kept.
async fn swap_into_kept(
    kept: &mut Option<(String, Box<Server>)>,
    key: Option<&str>,
    fixtures: &certgen::Fixtures,
) -> Result<Option<Box<Server>>, String> {
    let Some(key) = key else { return Ok(None) };
    if kept.as_ref().is_none_or(|(k, _)| k != key) {
        return Ok(None);
    }
    let Some((k, mut server)) = kept.take() else {
        return Ok(None);
    };
    if server
        .swap_fixtures(&fixtures.files)
        .await
        .map_err(|e| format!("fixture swap: {e}"))?
    {
        return Ok(Some(server));
    }
    if server.tls.enabled {
        *kept = Some((k, server));
    }
    Ok(None)
}

/// Diagnoses `scenario` on `reused` or a fresh server (with its `[reload]` applied); returns
/// the row and the server when it started. `Err` is a Docker failure.
async fn run_one(
    scenario: &scenario::Scenario,
    flavor: &'static Flavor,
    fixtures: &certgen::Fixtures,
    labels: &RunLabels,
    reused: Option<Box<Server>>,
) -> Result<(Row, Option<Box<Server>>), String> {
    let server = match reused {
        Some(server) => server,
        None => {
            let boot = Server::boot(flavor, scenario, fixtures, labels, Duration::from_secs(90))
                .await
                .map_err(|e| format!("boot: {e}"))?;
            let Boot::Ready(mut server) = boot else {
                return Ok((Row::NotStarted, None));
            };
            if let Some(spec) = &scenario.reload {
                server
                    .reload(&fixtures.reload, spec.no_rollback_on_error)
                    .await
                    .map_err(|e| format!("reload: {e}"))?;
            }
            server
        }
    };
    let row = diagnose(scenario, &server, fixtures).await;
    Ok((row, Some(server)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_diagnoses_every_scenario_on_mysql_9() {
    let flavor = Flavor::by_name(FLAVOR).expect("known flavor");
    let mut expected = expected_table();
    for causes in expected.values_mut() {
        causes.sort();
    }
    let known: Vec<&str> = [
        "expired",
        "not_yet_valid",
        "chain_untrusted",
        "name_mismatch",
        "certificate_unacceptable",
        "revoked",
        "tls_version_mismatch",
        "no_shared_cipher",
        "handshake_failed",
        "server_offers_no_tls",
        "client_certificate_rejected",
        "client_file_unusable",
    ]
    .to_vec();
    for (id, causes) in &expected {
        for c in causes {
            assert!(
                known.contains(&c.as_str()),
                "{id}: unknown cause {c:?} in expected_causes.toml"
            );
        }
    }
    let filter: Option<Vec<String>> = std::env::var("DOCTOR_SCENARIOS")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| s.split(',').map(str::to_owned).collect());
    let root = harness::scenarios_root();
    let mut scenarios: Vec<scenario::Scenario> = scenario::discover(&root)
        .expect("scenarios/ is readable")
        .iter()
        .map(|p| scenario::load(&root, p).expect("scenario file loads"))
        .filter(|s| harness::runs_on(s, flavor))
        // Attacks and faults are the network's doing, not the server's: the doctor diagnoses
        // an honest server (it would boot here without the interposer in front of it).
        .filter(|s| !s.interposed())
        .filter(|s| {
            filter
                .as_ref()
                .is_none_or(|f| f.iter().any(|needle| s.id.contains(needle.as_str())))
        })
        .collect();
    let missing: Vec<&str> = scenarios
        .iter()
        .filter(|s| !expected.contains_key(&s.id))
        .map(|s| s.id.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "scenarios without an entry in tests/expected_causes.toml: {}",
        missing.join(", ")
    );
    assert!(!scenarios.is_empty());
    scenarios.sort_by_key(|s| (harness::reuse_key(s, flavor), s.id.clone()));

    let labels = RunLabels::for_this_process();
    let now = time::OffsetDateTime::now_utc();
    let mut kept: Option<(String, Box<Server>)> = None;
    let mut rows: Vec<(String, Vec<String>, Row)> = Vec::new();
    for scenario in &scenarios {
        let fixtures = certgen::generate(scenario, now).expect("fixtures generate");
        let key = harness::reuse_key(scenario, flavor);
        let expected_here = expected[&scenario.id].clone();
        // A second, fresh try when Docker fails or the doctor cannot reach the server: other
        // work on this machine may sweep the project's containers (`cargo xtask clean`).
        let mut outcome = None;
        for attempt in 0..2 {
            let reused = if attempt == 0 {
                swap_into_kept(&mut kept, key.as_deref(), &fixtures).await
            } else {
                kept = None;
                Ok(None)
            };
            let tried = match reused {
                Ok(reused) => run_one(scenario, flavor, &fixtures, &labels, reused).await,
                Err(e) => Err(e),
            };
            match tried {
                Ok((Row::NoDiagnosis(e), _)) if attempt == 0 => {
                    eprintln!(
                        "{}: no diagnosis ({e}); retrying on a fresh server",
                        scenario.id
                    );
                }
                Err(e) if attempt == 0 => {
                    eprintln!("{}: {e}; retrying on a fresh server", scenario.id);
                }
                Err(e) => panic!("{}: {e}", scenario.id),
                Ok(done) => {
                    outcome = Some(done);
                    break;
                }
            }
        }
        let Some((row, server)) = outcome else {
            unreachable!("the second attempt either returns or panics")
        };
        eprintln!(
            "{}: {}",
            scenario.id,
            match &row {
                Row::Diagnosed(c) => label(c),
                Row::NotStarted => "server did not start".into(),
                Row::NoDiagnosis(e) => format!("no diagnosis: {e}"),
            }
        );
        rows.push((scenario.id.clone(), expected_here, row));
        // Keep a server whose own boot was clean (TLS on, no TLS line beyond the informational
        // ones) for the next scenario of the same configuration, as the fast path does.
        if let (Some(key), Some(server)) = (key, server)
            && server.tls.enabled
            && harness::notable_lines(&server.tls.log).is_empty()
            && kept.as_ref().is_none_or(|(k, _)| *k != key)
        {
            kept = Some((key, server));
        }
    }
    drop(kept);
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let body = render(&rows);
    println!("{body}");
    if filter.is_none() {
        harness::assert_named_snapshot(
            &format!("doctor__confusion@{FLAVOR}"),
            "cargo xtask diagnose against every scenario on mysql-9: expected → diagnosed causes",
            &body,
        );
    }
}

/// The per-scenario table, the confusion summary and the accuracy.
fn render(rows: &[(String, Vec<String>, Row)]) -> String {
    let mut out = String::new();
    let mut matches = 0;
    let mut scored = 0;
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    let _ = writeln!(out, "# doctor confusion table on {FLAVOR}\n");
    let _ = writeln!(out, "| scenario | expected | diagnosed | |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (id, want, row) in rows {
        let want_label = label(want);
        let (got, mark) = match row {
            Row::Diagnosed(got) => {
                scored += 1;
                let ok = got == want;
                if ok {
                    matches += 1;
                }
                confusion
                    .entry((want_label.clone(), label(got)))
                    .and_modify(|n| *n += 1)
                    .or_insert(1);
                (label(got), if ok { "ok" } else { "MISS" })
            }
            Row::NotStarted => ("(server did not start)".to_owned(), "n/a"),
            Row::NoDiagnosis(e) => {
                scored += 1;
                confusion
                    .entry((want_label.clone(), "(no diagnosis)".into()))
                    .and_modify(|n| *n += 1)
                    .or_insert(1);
                (format!("(no diagnosis: {e})"), "MISS")
            }
        };
        let _ = writeln!(out, "| {id} | {want_label} | {got} | {mark} |");
    }
    let _ = writeln!(out, "\n## expected → diagnosed\n");
    let _ = writeln!(out, "| expected | diagnosed | scenarios |");
    let _ = writeln!(out, "|---|---|---|");
    for ((want, got), n) in &confusion {
        let _ = writeln!(out, "| {want} | {got} | {n} |");
    }
    let not_started = rows.len() - scored;
    let _ = writeln!(
        out,
        "\naccuracy: {matches}/{scored} = {:.1}% ({not_started} scenario(s) not diagnosable: the server did not start on {FLAVOR})",
        if scored == 0 {
            0.0
        } else {
            100.0 * matches as f64 / scored as f64
        }
    );
    out
}
