//! `cargo xtask matrix`: run scenarios × flavors × clients × ssl-modes against real servers,
//! print each scenario's table, and check it against the committed snapshot; write the
//! reports asked for (JSON, Markdown, JUnit, HTML, `$GITHUB_STEP_SUMMARY`) and the changes
//! since a baseline. Exits non-zero only on a harness fault or a snapshot mismatch (130 on
//! Ctrl-C, 124 when `--timeout` elapses).

mod outputs;
mod print;
mod schedule;

use anyhow::{Context, bail};
use harness::{RunContext, ScenarioReport, SnapshotCheck};
use scenario::SslMode;
use servers::Flavor;
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

#[derive(clap::Args)]
pub struct Args {
    /// Scenario filters: ids (`basic/valid`), paths, or substrings of ids; default all.
    filters: Vec<String>,
    /// Only this flavor (e.g. `mysql-9`); default all.
    #[arg(long)]
    flavor: Option<String>,
    /// Scenario groups run at once (each group: one server and its clients); default one per
    /// CPU core, at most 8.
    #[arg(long, default_value_t = crate::default_jobs())]
    jobs: usize,
    /// Clients attempting their cells at once against one server (each runs its ssl-modes in
    /// order). 1, the default, is how the snapshots are made; more is faster and experimental.
    #[arg(long, default_value_t = 1, value_name = "N")]
    client_jobs: usize,
    /// Bound of one connection attempt in seconds; past it the cell is recorded as a hang.
    #[arg(long, default_value_t = 10)]
    cell_timeout: u64,
    /// Boot a fresh server for every scenario (no fast path: no reuse of running servers).
    #[arg(long)]
    fresh: bool,
    /// The naive baseline of `cargo xtask bench`: `--fresh`, plus a new driver process for
    /// every cell.
    #[arg(long)]
    naive: bool,
    /// Only these clients (repeatable; built-in or from drivers/drivers.toml). Snapshots are
    /// then compared row by row.
    #[arg(long = "client", value_name = "NAME")]
    clients: Vec<String>,
    /// Only these ssl-modes (repeatable, as MySQL spells them: DISABLED … VERIFY_IDENTITY).
    #[arg(long = "ssl-mode", value_name = "MODE", value_parser = parse_ssl_mode)]
    ssl_modes: Vec<SslMode>,
    /// Start no new scenario after the first harness fault or snapshot mismatch.
    #[arg(long)]
    fail_fast: bool,
    /// Bound of the whole run in seconds; past it in-flight scenarios are cancelled, their
    /// containers removed, and the run exits with status 124.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Also write the machine-readable report (schema: crates/harness/report.schema.json).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the Markdown matrix (one table per scenario run, full texts in details). It
    /// is appended to `$GITHUB_STEP_SUMMARY` whenever that variable is set.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Also write JUnit XML (one test case per cell; a cell fails when it differs from the
    /// committed snapshot).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write a self-contained HTML page of the matrix, filterable by scenario, flavor,
    /// client and verdict.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Compare with an earlier `--json` report and print only the cells that changed, as a
    /// Markdown table for a PR (also put at the top of the Markdown report).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Run only shard I of N (1-based): a stable partition of the scenarios by a hash of their
    /// id, so shards stay balanced and a scenario keeps its shard as others are added.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// Run against this server image instead of the built-in flavors (e.g. `mysql:8.4`, which
    /// must be in the local engine: `docker pull` it first). Family and version are read from
    /// the running server; snapshots are compared only where `<scenario>@<family>-<version>.snap`
    /// is committed.
    #[arg(long, value_name = "NAME:TAG", conflicts_with = "flavor")]
    image: Option<String>,
}

/// Scenario files under `root` matching any of `filters` (all when `all` or none given).
pub fn select(root: &Path, filters: &[String], all: bool) -> anyhow::Result<Vec<PathBuf>> {
    let found = scenario::discover(root)?;
    if all || filters.is_empty() {
        return Ok(found);
    }
    let id = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .with_extension("")
            .to_string_lossy()
            .into_owned()
    };
    let mut chosen = Vec::new();
    for filter in filters {
        let needle = filter
            .trim_start_matches("scenarios/")
            .trim_end_matches(".toml");
        let hits: Vec<_> = found
            .iter()
            .filter(|p| id(p).contains(needle))
            .cloned()
            .collect();
        if hits.is_empty() {
            bail!("no scenario matches `{filter}` under {}", root.display());
        }
        chosen.extend(hits);
    }
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

/// An ssl-mode as MySQL spells it (case-insensitive, `-` or `_`).
fn parse_ssl_mode(text: &str) -> Result<SslMode, String> {
    let wanted = text.trim().to_ascii_uppercase().replace('-', "_");
    SslMode::ALL
        .into_iter()
        .find(|m| m.as_str() == wanted)
        .ok_or_else(|| {
            format!("`{text}`: expected one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY")
        })
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
    match parsed {
        Some((i, n)) if (1..=n).contains(&i) => Ok((i, n)),
        _ => Err(format!("`{text}`: expected I/N with 1 ≤ I ≤ N, e.g. 2/4")),
    }
}

/// Whether scenario `id` falls in shard `i` of `n` (1-based): FNV-1a of the id, modulo `n`.
pub fn in_shard(id: &str, (i, n): (u64, u64)) -> bool {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % n == i - 1
}

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::images::ensure_all()?;
    let baseline = match &args.baseline {
        Some(path) => Some(harness::MatrixReport::read(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut flavors: Vec<&'static Flavor> = match (&args.flavor, &args.image) {
        (Some(name), _) => {
            vec![Flavor::by_name(name).with_context(|| format!("unknown flavor `{name}`"))?]
        }
        (None, Some(image)) => {
            let labels = containers::RunLabels::for_this_process();
            let flavor = runtime
                .block_on(servers::detect_flavor(
                    image,
                    &labels,
                    Duration::from_secs(180),
                ))
                .with_context(|| format!("detecting the server in image `{image}`"))?;
            eprintln!("image {image}: detected {}", flavor.name);
            vec![flavor]
        }
        (None, None) => Flavor::ALL.iter().collect(),
    };
    let root = harness::scenarios_root();
    let mut scenarios = select(&root, &args.filters, false)?
        .iter()
        .map(|p| scenario::load(&root, p))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(shard) = args.shard {
        scenarios.retain(|s| in_shard(&s.id, shard));
        eprintln!(
            "shard {}/{}: {} scenario(s)",
            shard.0,
            shard.1,
            scenarios.len()
        );
    }
    for scenario in &mut scenarios {
        harness::flavors_of(scenario)?;
        if args.image.is_some() {
            // `--image` overrides a scenario's own pin: everything runs on the given image.
            scenario.server.image = None;
        }
        if !args.ssl_modes.is_empty() {
            scenario
                .client
                .ssl_modes
                .retain(|m| args.ssl_modes.contains(m));
        }
    }
    scenarios.retain(|s| !s.client.ssl_modes.is_empty());
    let pinned: Vec<&str> = scenarios
        .iter()
        .filter(|s| s.server.image.is_some())
        .map(|s| s.id.as_str())
        .collect();
    if !pinned.is_empty() && args.flavor.is_some() {
        eprintln!(
            "skipped (pinned to an image by `server.image`, not a built-in flavor): {}",
            pinned.join(", ")
        );
    } else if !pinned.is_empty() {
        let labels = containers::RunLabels::for_this_process();
        for flavor in runtime.block_on(harness::pinned_flavors(
            &scenarios,
            &labels,
            Duration::from_secs(180),
        ))? {
            eprintln!(
                "image {}: detected {}",
                flavor.user_image.unwrap_or_default(),
                flavor.name
            );
            flavors.push(flavor);
        }
    }
    let mut ctx = RunContext::new()?;
    ctx.cell_timeout = Duration::from_secs(args.cell_timeout);
    ctx.driver_process_per_cell = args.naive;
    ctx.client_jobs = args.client_jobs.max(1);
    if !args.clients.is_empty() {
        ctx.select_clients(&args.clients)?;
    }
    let subset = !args.clients.is_empty() || !args.ssl_modes.is_empty();
    let fresh = args.fresh || args.naive;
    let started_at = time::OffsetDateTime::now_utc();
    if args.image.is_some() || (!pinned.is_empty() && args.flavor.is_none()) {
        // Official images initialize their data directory on first start (tens of seconds).
        ctx.startup_timeout = Duration::from_secs(180);
    }
    let started = Instant::now();
    let run_id = ctx.labels.run_id.clone();
    let pairs = schedule::plan(&scenarios, &flavors);
    let how = schedule::Schedule {
        jobs: args.jobs.max(1),
        fresh,
        fail_fast: args.fail_fast,
        subset,
    };
    let limit = Duration::from_secs(args.timeout.unwrap_or(u64::MAX / 4));
    // Ctrl-C or the run's timeout drops the in-flight scenarios (their containers are removed
    // on drop), then a sweep by run label removes any container created meanwhile.
    let outcome = runtime.block_on(async {
        tokio::select! {
            results = tokio::time::timeout(limit, schedule::run_all(pairs, ctx, how)) => {
                results.map_err(|_| 124)
            }
            _ = tokio::signal::ctrl_c() => Err(130),
        }
    });
    drop(runtime);
    let results = match outcome {
        Ok(results) => results,
        Err(code) => {
            let swept = containers::sweep(Some(&run_id))?;
            let why = if code == 124 {
                format!("--timeout of {} s elapsed", limit.as_secs())
            } else {
                "interrupted".to_owned()
            };
            eprintln!("{why}: in-flight scenarios cancelled, {swept} straggler container(s) swept");
            std::process::exit(code);
        }
    };

    let (mut faults, mut mismatches, mut cells, mut skipped) = (0, 0, 0, 0);
    let mut json = harness::MatrixReport {
        format: harness::REPORT_FORMAT,
        run: harness::RunInfo {
            started_at: started_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            took_ms: 0,
            path: if args.naive {
                "naive"
            } else if fresh {
                "fresh"
            } else {
                "fast"
            }
            .into(),
            jobs: args.jobs.max(1),
            cell_timeout_ms: args.cell_timeout * 1000,
            shard: args.shard.map(|(i, n)| format!("{i}/{n}")),
        },
        runs: Vec::new(),
        faults: Vec::new(),
    };
    for planned in &results {
        let label = &planned.label;
        match &planned.result {
            None => skipped += 1,
            Some(Ok(report)) => {
                cells += report.rows.len();
                print::print_report(report);
                let check = snapshot_verdict(report, label, subset);
                if check == Some(SnapshotCheck::Differs) {
                    mismatches += 1;
                }
                json.runs.push(harness::RunRecord::new(report, check));
            }
            Some(Err(e)) => {
                faults += 1;
                println!("## {label}\nHARNESS FAULT: {e:#}\n");
                json.faults.push(harness::Fault {
                    scenario: planned.scenario.clone(),
                    flavor: planned.flavor.clone(),
                    error: format!("{e:#}"),
                });
            }
        }
    }
    let reports: Vec<&ScenarioReport> = results
        .iter()
        .filter_map(|p| p.result.as_ref()?.as_ref().ok())
        .collect();
    print::print_disagreements(&reports);
    print::print_latency(&reports);
    let reused = reports.iter().filter(|r| r.reused_server).count();
    let not_run = if skipped > 0 {
        format!(", {skipped} not run (--fail-fast)")
    } else {
        String::new()
    };
    println!(
        "{} scenario run(s) ({reused} on a reused server){not_run}, {cells} cells, {mismatches} snapshot mismatch(es), {faults} harness fault(s) in {:.1} s",
        results.len() - skipped,
        started.elapsed().as_secs_f64()
    );
    json.run.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    outputs::write_all(&args, &json, baseline.as_ref())?;
    if faults + mismatches > 0 {
        bail!("matrix failed: {mismatches} snapshot mismatch(es), {faults} harness fault(s)");
    }
    Ok(())
}

/// The snapshot verdict of one report, printed: the selected cells row by row when the run
/// selects clients or ssl-modes; else the whole snapshot through insta (which prints the diff
/// and writes a `.snap.new` outside CI); `None` when nothing is committed for a user image.
fn snapshot_verdict(report: &ScenarioReport, label: &str, subset: bool) -> Option<SnapshotCheck> {
    if subset {
        let check = harness::check_cells(report);
        match check {
            Some(SnapshotCheck::Differs) => {
                println!("snapshot: cells DIFFER for {label} (the reports show which)\n")
            }
            Some(SnapshotCheck::Matches) => println!("snapshot: the selected cells match\n"),
            None => println!("snapshot: none committed for {label}\n"),
        }
        return check;
    }
    if print::report_flavor_is_user_image(report) && !harness::snapshot_exists(report) {
        println!("snapshot: none committed for {label} (user image; not compared)\n");
        return None;
    }
    if harness::check_snapshot(report) == SnapshotCheck::Differs {
        println!("snapshot: DIFFERS for {label} (review with `cargo insta review`)\n");
        Some(SnapshotCheck::Differs)
    } else {
        println!("snapshot: matches\n");
        Some(SnapshotCheck::Matches)
    }
}

#[cfg(test)]
mod tests {
    use super::{in_shard, parse_shard};

    #[test]
    fn shards_partition_the_scenarios() {
        let ids: Vec<String> = (0..200).map(|i| format!("group/scenario-{i}")).collect();
        let n = 4;
        let mut sizes = Vec::new();
        for id in &ids {
            let owners = (1..=n).filter(|&i| in_shard(id, (i, n))).count();
            assert_eq!(owners, 1, "{id} is in exactly one shard");
        }
        for i in 1..=n {
            sizes.push(ids.iter().filter(|id| in_shard(id, (i, n))).count());
        }
        assert!(sizes.iter().all(|&s| s > 30), "balanced enough: {sizes:?}");
        assert!(in_shard("basic/valid", (1, 1)));
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
