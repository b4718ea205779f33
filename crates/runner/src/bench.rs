//! `cargo xtask bench`: the matrix several ways in one run — by default the fast path (reused
//! servers, TLS reload between scenarios, one driver process per server, `--jobs` groups in
//! parallel) and the naive path (`matrix --naive --jobs 1`: a fresh container per scenario and
//! a fresh driver process per cell, one scenario at a time); `fresh` (a container per scenario,
//! `--jobs` in parallel) is the matrix before the fast path. Each path is a child
//! `cargo xtask matrix --json`; then wall times, ratios to the first path, per-cell median and
//! p95, the child's peak memory, and the cells whose outcome differs. Nothing is asserted:
//! numbers are for people (README, closing notes).

use crate::Error;
use harness::MatrixReport;
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// What to benchmark.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// The `cargo xtask` binary whose `matrix` subcommand runs each path (copied first, so a
    /// rebuild during the bench changes nothing).
    pub exe: PathBuf,
    /// Scenario filters as for the matrix; empty means all.
    pub filters: Vec<String>,
    /// Only this flavor.
    pub flavor: Option<String>,
    /// Scenario groups at once on the paths that run groups in parallel.
    pub jobs: usize,
    /// Where reports and logs go; `None` makes (and keeps) a temporary directory.
    pub out: Option<PathBuf>,
    /// Paths to time, in order; ratios are against the first.
    pub paths: Vec<BenchPath>,
}

/// A way to run the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchPath {
    /// Reused servers, `--jobs` groups in parallel.
    Fast,
    /// The fast path with 4 clients attempting their cells at once (`--client-jobs 4`).
    FastParallelClients,
    /// A server per scenario, `--jobs` in parallel (the matrix before the fast path).
    Fresh,
    /// A server per scenario and a driver process per cell, one scenario at a time.
    Naive,
}

impl BenchPath {
    /// Every path, in the order `--paths` lists them.
    pub const ALL: [BenchPath; 4] = [
        BenchPath::Fast,
        BenchPath::FastParallelClients,
        BenchPath::Fresh,
        BenchPath::Naive,
    ];

    /// `fast`, `fast-parallel-clients`, `fresh` or `naive`.
    pub fn name(self) -> &'static str {
        match self {
            BenchPath::Fast => "fast",
            BenchPath::FastParallelClients => "fast-parallel-clients",
            BenchPath::Fresh => "fresh",
            BenchPath::Naive => "naive",
        }
    }
}

/// One timed child run.
struct Measured {
    wall: Duration,
    /// Peak resident set of the `cargo xtask matrix` child (VmHWM), KiB.
    peak_kib: u64,
    report: MatrixReport,
}

/// Times every path of `args` in one run and prints the table, the ratios to the first path
/// and whether outcomes were identical.
///
/// Errors: [`Error::Bench`] when a path's child run fails, writes no report or has harness
/// faults; [`Error::Write`] when the output directory cannot be made.
pub fn run(args: &BenchOptions) -> Result<(), Error> {
    let keep;
    let dir = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?;
            dir.clone()
        }
        None => {
            keep = tempfile::Builder::new()
                .prefix("xtask-bench-")
                .tempdir()
                .map_err(|source| Error::Write {
                    path: std::env::temp_dir(),
                    source,
                })?
                .keep();
            keep
        }
    };
    if args.paths.is_empty() {
        return Err(Error::Bench {
            path: String::new(),
            detail: "--paths: name at least one of fast, fresh, naive".into(),
        });
    }
    // Every path runs the same binary: a copy of this one, so a rebuild while the bench runs
    // (cargo replaces target/debug/xtask) changes nothing.
    let exe = dir.join("xtask-under-bench");
    std::fs::copy(&args.exe, &exe).map_err(|source| Error::Write {
        path: exe.clone(),
        source,
    })?;
    let jobs = args.jobs.max(1).to_string();
    let mut measured = Vec::new();
    for &path in &args.paths {
        let extra: Vec<&str> = match path {
            BenchPath::Fast => vec!["--jobs", &jobs],
            BenchPath::FastParallelClients => vec!["--jobs", &jobs, "--client-jobs", "4"],
            BenchPath::Fresh => vec!["--fresh", "--jobs", &jobs],
            BenchPath::Naive => vec!["--naive", "--jobs", "1"],
        };
        measured.push((path, measure(&exe, path.name(), &extra, args, &dir)?));
    }
    println!(
        "## Benchmark: the matrix {} ways in one run",
        measured.len()
    );
    println!(
        "| path | jobs | scenario runs | cells | wall | cell median | cell p95 | reused servers | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (path, m) in &measured {
        let name = path.name();
        let mut took: Vec<u64> = m
            .report
            .cells()
            .map(|(_, c)| c.took_ms)
            .filter(|&ms| ms > 0)
            .collect();
        took.sort_unstable();
        let q = |q: f64| {
            took.get(((took.len().max(1) - 1) as f64 * q).round() as usize)
                .copied()
                .unwrap_or(0)
        };
        println!(
            "| {name} | {} | {} | {} | {:.1} s | {} ms | {} ms | {} | {:.0} MiB |",
            m.report.run.jobs,
            m.report.runs.len(),
            m.report.cells().count(),
            m.wall.as_secs_f64(),
            q(0.5),
            q(0.95),
            m.report.runs.iter().filter(|r| r.reused_server).count(),
            m.peak_kib as f64 / 1024.0,
        );
    }
    let (first, base) = &measured[0];
    for (path, m) in &measured[1..] {
        println!(
            "\nratio {} / {}: {:.1}×",
            path.name(),
            first.name(),
            m.wall.as_secs_f64() / base.wall.as_secs_f64().max(f64::EPSILON)
        );
        let differing = differing_cells(&base.report, &m.report);
        println!(
            "outcomes {} vs {}: {}",
            path.name(),
            first.name(),
            if differing.is_empty() {
                "identical".to_owned()
            } else {
                format!(
                    "{} cell(s) differ: {}",
                    differing.len(),
                    differing.join("; ")
                )
            }
        );
    }
    println!("reports and logs: {}", dir.display());
    Ok(())
}

/// Cells whose rendered outcome differs between two reports of the same plan, as
/// `scenario@flavor client MODE`.
fn differing_cells(a: &MatrixReport, b: &MatrixReport) -> Vec<String> {
    let key = |r: &harness::RunRecord, c: &harness::Cell| {
        format!("{}@{} {} {}", r.scenario, r.flavor, c.client, c.ssl_mode)
    };
    let theirs: std::collections::BTreeMap<String, &str> = b
        .cells()
        .map(|(r, c)| (key(r, c), c.text.as_str()))
        .collect();
    a.cells()
        .filter(|(r, c)| theirs.get(&key(r, c)) != Some(&c.text.as_str()))
        .map(|(r, c)| key(r, c))
        .collect()
}

/// Runs `exe matrix` (a copy of this binary) with `extra` flags, its output to
/// `DIR/<name>.log`, and measures wall time and the child's peak RSS (polled `VmHWM`).
fn measure(
    exe: &Path,
    name: &str,
    extra: &[&str],
    args: &BenchOptions,
    dir: &Path,
) -> Result<Measured, Error> {
    let fail = |detail: String| Error::Bench {
        path: name.to_owned(),
        detail,
    };
    let json = dir.join(format!("{name}.json"));
    let log = dir.join(format!("{name}.log"));
    let _ = std::fs::remove_file(&json);
    let mut command = Command::new(exe);
    // The child reads the same project (a user's scenarios and snapshots) as this process.
    let project = harness::project();
    if *project != harness::Project::builtin() {
        command
            .arg("--scenarios")
            .arg(&project.scenarios)
            .arg("--snapshots")
            .arg(&project.snapshots);
    }
    command
        .arg("matrix")
        .args(&args.filters)
        .arg("--json")
        .arg(&json)
        .args(extra);
    if let Some(flavor) = &args.flavor {
        command.args(["--flavor", flavor]);
    }
    let out = std::fs::File::create(&log).map_err(|source| Error::Write {
        path: log.clone(),
        source,
    })?;
    let err = out.try_clone().map_err(|source| Error::Write {
        path: log.clone(),
        source,
    })?;
    eprintln!("bench: {name} path… (log: {})", log.display());
    let started = Instant::now();
    let mut child = command
        .stdout(out)
        .stderr(err)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("starting `{} matrix`: {e}", exe.display())))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child
            .try_wait()
            .map_err(|e| fail(format!("waiting for the child: {e}")))?
        {
            break status;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = started.elapsed();
    let report = MatrixReport::read(&json).map_err(|e| {
        fail(format!(
            "the run wrote no report ({status}): {e}; see {}",
            log.display()
        ))
    })?;
    if !report.faults.is_empty() {
        return Err(fail(format!(
            "{} harness fault(s); see {}",
            report.faults.len(),
            log.display()
        )));
    }
    eprintln!(
        "bench: {name} path took {:.1} s ({status})",
        wall.as_secs_f64()
    );
    Ok(Measured {
        wall,
        peak_kib,
        report,
    })
}
