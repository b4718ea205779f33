//! The driver docs say what the drivers do (as rust-analyzer's tidy tests check its docs):
//! every JSON example in drivers/CONTRACT.md is a contract line of the schema's types; each
//! hello example is a real driver's hello (versions redacted); the `invalid_cell` example is what
//! every driver answers to the line shown before it, the `unsupported` example what one driver
//! answers to the cell example with a CRL. The table of drivers/rust/README.md matches each
//! Rust driver's Cargo.toml and hello. Needs Docker and the clients image (`cargo xtask images`).

mod common;

use clients::ExternalDriver;
use clients::contract::{CellLine, HelloLine, ModeMapping, ResultLine};
use containers::RunLabels;
use regex::Regex;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fenced code blocks of a Markdown text: (info string, content).
fn code_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut open, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => blocks.extend(open.take()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

/// `text` with versions, dates and build numbers replaced: `CPython 3.14.8; OpenSSL 3.5.4
/// 30 Sep 2025` and `CPython 3.14.10; OpenSSL 3.6.5 29 Sep 2026` redact alike.
fn redact_versions(text: &str) -> String {
    let number = Regex::new(r"\d[\w.~+:-]*").expect("regex");
    let month =
        Regex::new(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b").expect("regex");
    month
        .replace_all(&number.replace_all(text, "<v>"), "<month>")
        .into_owned()
}

/// A JSON example as the contract type its shape names; it must serialize back to itself (so
/// no field is misspelled, missing or unknown).
fn check_example(value: &Value) -> Result<(), String> {
    let back = if value.get("hello").is_some() {
        serde_json::from_value::<HelloLine>(value.clone()).and_then(serde_json::to_value)
    } else if value.get("outcome").is_some() {
        serde_json::from_value::<ResultLine>(value.clone()).and_then(serde_json::to_value)
    } else if value.get("ssl_mode").is_some() {
        serde_json::from_value::<CellLine>(value.clone()).and_then(serde_json::to_value)
    } else {
        return Err("neither a hello, a cell nor a result".into());
    };
    match back {
        Ok(back) if &back == value => Ok(()),
        Ok(back) => Err(format!("reads back as {back}")),
        Err(e) => Err(e.to_string()),
    }
}

/// The answer of each driver to `line`, as JSON (or a description of what went wrong).
async fn answers(drivers: &[ExternalDriver], line: &str) -> Vec<(String, Result<Value, String>)> {
    let mut out = Vec::new();
    for driver in drivers {
        let answer = driver
            .exchange_raw(format!("{line}\n").as_bytes(), Duration::from_secs(20))
            .await
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_json::from_str::<Value>(&text).map_err(|e| format!("{e}: {text}"))
            });
        out.push((driver.name().to_owned(), answer));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_md_examples_are_what_the_drivers_print() {
    let blocks = code_blocks(&read("drivers/CONTRACT.md"));
    let specs = common::specs(|_| true);
    let started = common::start(&specs, &RunLabels::for_this_process()).await;
    let drivers = &started.drivers;
    let mut problems = Vec::new();
    let mut checked = (0, 0, 0); // hellos, invalid_cell, unsupported
    let mut cell_example: Option<Value> = None;
    let mut unsupported_examples: Vec<Value> = Vec::new();
    for (index, (info, text)) in blocks.iter().enumerate() {
        if info != "json" {
            continue;
        }
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("example {text}: not JSON: {e}"));
                continue;
            }
        };
        if let Err(e) = check_example(&value) {
            problems.push(format!("example {value}: not a contract line: {e}"));
            continue;
        }
        if let Ok(HelloLine { hello }) = serde_json::from_value::<HelloLine>(value.clone()) {
            checked.0 += 1;
            let Some(real) = drivers.iter().find(|d| d.name() == hello.driver) else {
                problems.push(format!(
                    "hello example of `{}`: no such driver",
                    hello.driver
                ));
                continue;
            };
            let real = real.hello();
            if real.modes != hello.modes {
                problems.push(format!(
                    "hello example of `{}`: modes {:?}, the driver says {:?}",
                    hello.driver, hello.modes, real.modes
                ));
            }
            for (field, example, actual) in [
                ("version", &hello.version, &real.version),
                ("runtime", &hello.runtime, &real.runtime),
            ] {
                if redact_versions(example) != redact_versions(actual) {
                    problems.push(format!(
                        "hello example of `{}`: {field} `{example}`, the driver says `{actual}`",
                        hello.driver
                    ));
                }
            }
        }
        match value.get("outcome").and_then(Value::as_str) {
            Some("invalid_cell") => {
                checked.1 += 1;
                let Some((_, input)) = index.checked_sub(1).and_then(|i| blocks.get(i)) else {
                    problems.push("the invalid_cell example has no input line before it".into());
                    continue;
                };
                for (name, answer) in answers(drivers, input.trim()).await {
                    if answer.as_ref() != Ok(&value) {
                        problems.push(format!(
                            "{name} answers {answer:?} to `{}`; CONTRACT.md says {value}",
                            input.trim()
                        ));
                    }
                }
            }
            Some("unsupported") => unsupported_examples.push(value.clone()),
            _ => {}
        }
        if value.get("ssl_mode").is_some() {
            cell_example = Some(value);
        }
    }
    // Each unsupported example: one driver's real answer to the cell example with a CRL (at a
    // port where nothing listens, in case a driver tries).
    if let Some(mut cell) = cell_example.filter(|_| !unsupported_examples.is_empty()) {
        cell["crl"] = "/etc/mysql/tls/crl.pem".into();
        cell["port"] = 1.into();
        cell["timeout_ms"] = 5000.into();
        let line = cell.to_string();
        let all = answers(drivers, &line).await;
        for example in &unsupported_examples {
            checked.2 += 1;
            if !all.iter().any(|(_, answer)| answer.as_ref() == Ok(example)) {
                problems.push(format!("no driver answers {example} to {line}: {all:?}"));
            }
        }
    }
    drop(started);
    assert!(
        checked.0 >= 1 && checked.1 >= 1 && checked.2 >= 1,
        "CONTRACT.md shows a hello, an invalid_cell and (with a cell) an unsupported example: \
         checked {checked:?}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `[dependencies]` entry `name = { version = "…", default-features = false, features = […] }`
/// of a Cargo.toml: (version, default features on, features).
fn dependency(manifest: &str, name: &str) -> Option<(String, bool, Vec<String>)> {
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name} = {{")))?;
    let version = Regex::new(r#"version\s*=\s*"([^"]+)""#).expect("regex");
    let features = Regex::new(r"features\s*=\s*\[([^\]]*)\]").expect("regex");
    let quoted = Regex::new(r#""([^"]+)""#).expect("regex");
    Some((
        version.captures(line)?[1].to_owned(),
        !line.contains("default-features = false"),
        features
            .captures(line)
            .map(|c| {
                quoted
                    .captures_iter(&c[1])
                    .map(|q| q[1].to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_drivers_readme_matches_cargo_and_hellos() {
    let readme = read("drivers/rust/README.md");
    let specs = common::specs(|s| s.runs_on == clients::RunsOn::Host);
    let started = common::start(&specs, &RunLabels::for_this_process()).await;
    let ticked = Regex::new(r"`([^`]+)`").expect("regex");
    let rows: Vec<Vec<&str>> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    let mut problems = Vec::new();
    for spec in &specs {
        let binary = spec.command[0].rsplit('/').next().unwrap_or_default();
        let Some(row) = rows.iter().find(|r| r[0] == format!("`{binary}`")) else {
            problems.push(format!("{}: no row for `{binary}`", spec.name));
            continue;
        };
        let [_, name, library, _tls, unsupported] = row.as_slice() else {
            problems.push(format!("row of `{binary}`: want 5 columns: {row:?}"));
            continue;
        };
        if *name != format!("`{}`", spec.name) {
            problems.push(format!(
                "row of `{binary}`: driver name {name}, drivers.toml says `{}`",
                spec.name
            ));
        }
        // `lib` VERSION, [no default features,] feature(s) `a`, `b`
        let ticks: Vec<&str> = ticked
            .captures_iter(library)
            .map(|c| c.get(1).map_or("", |m| m.as_str()))
            .collect();
        let Some((lib, features)) = ticks.split_first() else {
            problems.push(format!("row of `{binary}`: no library in {library}"));
            continue;
        };
        let manifest = std::fs::read_dir(repo().join("drivers/rust"))
            .expect("drivers/rust")
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("Cargo.toml")).ok())
            .find(|m| m.contains(&format!("name = \"{binary}\"")));
        let Some((version, defaults, real_features)) =
            manifest.as_deref().and_then(|m| dependency(m, lib))
        else {
            problems.push(format!(
                "row of `{binary}`: no Cargo.toml depending on `{lib}`"
            ));
            continue;
        };
        let said_version = library
            .split(&format!("`{lib}` "))
            .nth(1)
            .and_then(|rest| rest.split([',', ' ']).next())
            .unwrap_or_default();
        if said_version != version {
            problems.push(format!(
                "row of `{binary}`: `{lib}` {said_version}, Cargo.toml says {version}"
            ));
        }
        if library.contains("no default features") == defaults {
            problems.push(format!(
                "row of `{binary}`: default features on: {defaults} in Cargo.toml"
            ));
        }
        if features != real_features.as_slice() {
            problems.push(format!(
                "row of `{binary}`: features {features:?}, Cargo.toml says {real_features:?}"
            ));
        }
        let driver = started
            .drivers
            .iter()
            .find(|d| d.name() == spec.name)
            .expect("started");
        let real: Vec<String> = driver
            .hello()
            .modes
            .iter()
            .filter(|(_, m)| matches!(m, ModeMapping::Unsupported(_)))
            .map(|(mode, _)| mode.to_string())
            .collect();
        let said: Vec<String> = ticked
            .captures_iter(unsupported)
            .map(|c| c[1].to_owned())
            .collect();
        if said != real {
            problems.push(format!(
                "row of `{binary}`: unsupported modes {said:?}, the hello says {real:?}"
            ));
        }
    }
    assert_eq!(
        rows.len(),
        specs.len(),
        "one README row per host driver: {rows:?}"
    );
    assert!(
        problems.is_empty(),
        "drivers/rust/README.md is stale:\n{}",
        problems.join("\n")
    );
}
