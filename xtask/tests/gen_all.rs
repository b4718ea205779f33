//! `cargo xtask gen --all` twice with the same `--now` writes identical trees (names, bytes,
//! permission bits), one directory per scenario with a manifest.

use std::{collections::BTreeMap, os::unix::fs::PermissionsExt as _, path::Path, process::Command};

fn tree(root: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let meta = std::fs::metadata(&path).expect("metadata");
                let rel = path
                    .strip_prefix(root)
                    .expect("below root")
                    .to_string_lossy()
                    .into_owned();
                // mode-0000 files are readable here only because tests run as root; compare modes anyway.
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.insert(rel, (bytes, meta.permissions().mode() & 0o7777));
            }
        }
    }
    out
}

fn gen_into(dir: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["gen", "--all", "--now", "2026-01-01T00:00:00Z", "--out"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("xtask runs");
    assert!(status.success());
}

#[test]
fn gen_all_twice_with_the_same_now_gives_identical_trees() {
    let (a, b) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    gen_into(a.path());
    gen_into(b.path());
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (name, content) in &ta {
        assert!(tb[name] == *content, "{name} differs between runs");
    }
    let scenarios = scenario::discover(&harness::scenarios_root()).expect("scenarios");
    let manifests = ta.keys().filter(|k| k.ends_with("manifest.json")).count();
    assert_eq!(manifests, scenarios.len(), "one manifest per scenario");
    assert!(ta.contains_key("basic/valid/server-cert.pem"));
    assert!(
        !ta.contains_key("files/missing-server-cert/server-cert.pem"),
        "a missing-file fault writes nothing"
    );
}
