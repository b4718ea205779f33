//! Tidy checks on the shape of the workspace (as rust-analyzer's tidy tests): Docker is called
//! only from the `containers` crate, clients never depend on servers, and the dependency table
//! in ARCHITECTURE.md is what Cargo says. No Docker needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() && entry.file_name() != "target" {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_docker_cli_is_called_only_from_the_containers_crate() {
    let mut files = Vec::new();
    for dir in ["crates", "xtask"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "the walk found the sources");
    let calls = [
        "Command::new(\"docker\")",
        "Command::new(\"docker\".",
        "\"docker\", \"exec\"",
    ];
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(root().join("crates/containers")))
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            calls.iter().any(|c| text.contains(c))
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "docker CLI outside crates/containers: {offenders:?}"
    );
}

/// Our crates each depends on (normal dependencies), from `cargo metadata`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let ours: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["kind"].is_null())
                .filter_map(|d| d["name"].as_str())
                .filter(|n| ours.contains(*n))
                .map(str::to_owned)
                .collect();
            (p["name"].as_str().unwrap_or_default().to_owned(), deps)
        })
        .collect()
}

#[test]
fn clients_do_not_depend_on_servers() {
    let deps = dependencies();
    assert!(
        !deps["clients"].contains("servers"),
        "clients get an Endpoint, never a Server: {:?}",
        deps["clients"]
    );
    let manifest =
        std::fs::read_to_string(root().join("crates/clients/Cargo.toml")).expect("manifest");
    assert!(
        !manifest.contains("servers"),
        "not even as a dev-dependency"
    );
}

#[test]
fn architecture_md_lists_every_crates_dependencies() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = text
        .split("## Dependencies")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("ARCHITECTURE.md has a `## Dependencies` section with a fenced table");
    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in section.lines() {
        let Some((names, rest)) = line.split_once(" → ") else {
            continue;
        };
        let deps: BTreeSet<String> = rest
            .split("  ")
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty() && d != "nothing of ours")
            .collect();
        for name in names.split(',') {
            documented.insert(name.trim().to_owned(), deps.clone());
        }
    }
    assert_eq!(
        documented,
        dependencies(),
        "the dependency table in ARCHITECTURE.md (left) is not what Cargo says (right)"
    );
}
