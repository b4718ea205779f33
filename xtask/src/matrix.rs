//! `cargo xtask matrix`: run scenarios × flavors × clients × ssl-modes against real servers,
//! print each scenario's table, and check it against the committed snapshot. Exits non-zero
//! only on a harness fault or a snapshot mismatch.

use anyhow::{Context, bail};
use harness::{RunContext, ScenarioReport, SnapshotCheck};
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
    /// Scenarios run at once (each boots its own server).
    #[arg(long, default_value_t = 2)]
    jobs: usize,
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
    /// Also write the machine-readable report (schema: crates/harness/report.schema.json).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut flavors: Vec<&'static Flavor> = match (&args.flavor, &args.image) {
        (Some(name), _) => {
            vec![Flavor::by_name(name).with_context(|| format!("unknown flavor `{name}`"))?]
        }
        (None, Some(image)) => {
            let labels = servers::RunLabels::for_this_process();
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
    }
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
        let labels = servers::RunLabels::for_this_process();
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
    let fresh = args.fresh || args.naive;
    let started_at = time::OffsetDateTime::now_utc();
    if args.image.is_some() || (!pinned.is_empty() && args.flavor.is_none()) {
        // Official images initialize their data directory on first start (tens of seconds).
        ctx.startup_timeout = Duration::from_secs(180);
    }
    let started = Instant::now();
    let run_id = ctx.labels.run_id.clone();
    // Ctrl-C drops the in-flight scenarios (their containers are removed on drop), then a sweep
    // by run label removes any container created while the interrupt arrived.
    let outcome = runtime.block_on(async {
        tokio::select! {
            results = run_all(scenarios, flavors, ctx, args.jobs.max(1), fresh) => Some(results),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    drop(runtime);
    let Some(results) = outcome else {
        let swept = servers::sweep(Some(&run_id))?;
        eprintln!(
            "interrupted: in-flight scenarios cancelled, {swept} straggler container(s) swept"
        );
        std::process::exit(130);
    };

    let (mut faults, mut mismatches, mut cells) = (0, 0, 0);
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
    for (label, scenario_id, flavor_name, result) in &results {
        match result {
            Ok(report) => {
                cells += report.rows.len();
                print_report(report);
                let check = if report_flavor_is_user_image(report)
                    && !harness::snapshot_exists(report)
                {
                    println!("snapshot: none committed for {label} (user image; not compared)\n");
                    None
                } else if harness::check_snapshot(report) == SnapshotCheck::Differs {
                    mismatches += 1;
                    println!("snapshot: DIFFERS for {label} (review with `cargo insta review`)\n");
                    Some(SnapshotCheck::Differs)
                } else {
                    println!("snapshot: matches\n");
                    Some(SnapshotCheck::Matches)
                };
                json.runs.push(harness::RunRecord::new(report, check));
            }
            Err(e) => {
                faults += 1;
                println!("## {label}\nHARNESS FAULT: {e:#}\n");
                json.faults.push(harness::Fault {
                    scenario: scenario_id.clone(),
                    flavor: flavor_name.clone(),
                    error: format!("{e:#}"),
                });
            }
        }
    }
    let reports: Vec<&ScenarioReport> = results
        .iter()
        .filter_map(|(.., r)| r.as_ref().ok())
        .collect();
    print_disagreements(&reports);
    print_latency(&reports);
    let reused = reports.iter().filter(|r| r.reused_server).count();
    println!(
        "{} scenario run(s) ({reused} on a reused server), {cells} cells, {mismatches} snapshot mismatch(es), {faults} harness fault(s) in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    json.run.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&json).context("encoding the JSON report")?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("writing the JSON report {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if faults + mismatches > 0 {
        bail!("matrix failed: {mismatches} snapshot mismatch(es), {faults} harness fault(s)");
    }
    Ok(())
}

/// Runs every scenario × flavor, results in input order. Fast path: work is grouped by
/// [`harness::reuse_key`] (flavor + server configuration); each group runs in order on one
/// [`harness::FastPath`] (one reused server), at most `jobs` groups at once. With `fresh`,
/// every scenario is its own group and boots its own server. One task drives all futures
/// (they borrow Docker exec streams that are not `Sync`).
async fn run_all(
    scenarios: Vec<scenario::Scenario>,
    flavors: Vec<&'static Flavor>,
    ctx: RunContext,
    jobs: usize,
    fresh: bool,
) -> Vec<(String, String, String, anyhow::Result<ScenarioReport>)> {
    use futures::StreamExt;
    type Group<'a> = (Option<String>, Vec<(usize, &'a scenario::Scenario, &'static Flavor)>);
    let mut groups: Vec<Group> = Vec::new();
    let mut index = 0;
    for scenario in &scenarios {
        for &flavor in flavors.iter().filter(|f| harness::runs_on(scenario, f)) {
            let key = if fresh {
                None
            } else {
                harness::reuse_key(scenario, flavor)
            };
            match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
                Some((_, members)) => members.push((index, scenario, flavor)),
                None => groups.push((key, vec![(index, scenario, flavor)])),
            }
            index += 1;
        }
    }
    // Biggest groups first, so the long sequential ones start early.
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let ctx = &ctx;
    type Planned = (
        usize,
        String,
        String,
        String,
        anyhow::Result<ScenarioReport>,
    );
    let mut results: Vec<Planned> = futures::stream::iter(groups)
        .map(|(_, members)| async move {
            let mut fast = harness::FastPath::new();
            let mut out = Vec::new();
            for (i, scenario, flavor) in members {
                let label = format!("{} on {}", scenario.id, flavor.name);
                let report = fast
                    .run(scenario, flavor, ctx)
                    .await
                    .map_err(anyhow::Error::from);
                out.push((
                    i,
                    label,
                    scenario.id.clone(),
                    flavor.name.to_owned(),
                    report,
                ));
            }
            out
        })
        .buffer_unordered(jobs)
        .flat_map(futures::stream::iter)
        .collect()
        .await;
    results.sort_by_key(|(i, ..)| *i);
    results
        .into_iter()
        .map(|(_, label, id, flavor, r)| (label, id, flavor, r))
        .collect()
}

/// Per scenario run and ssl-mode, the clients whose outcome class differs from the majority.
fn print_disagreements(reports: &[&ScenarioReport]) {
    let all: Vec<harness::Disagreement> = reports
        .iter()
        .flat_map(|r| harness::disagreements(r))
        .collect();
    println!(
        "## Disagreements ({} scenario-run × ssl-mode combinations where clients differ)
{}",
        all.len(),
        harness::render_disagreements(&all)
    );
}

/// Per client: median and p95 cell latency (cells it attempted) and, for external drivers,
/// the median process start cost (spawn → hello).
fn print_latency(reports: &[&ScenarioReport]) {
    use std::collections::BTreeMap;
    let mut cells: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut starts: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for report in reports {
        for row in &report.rows {
            if !order.contains(&row.client.as_str()) {
                order.push(&row.client);
            }
            if !row.took.is_zero() {
                cells.entry(&row.client).or_default().push(row.took);
            }
        }
        for (driver, cost) in &report.start_costs {
            starts.entry(driver).or_default().push(*cost);
        }
    }
    let quantile = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "## Latency per client (ms)
| client | cells | median | p95 | process start (median) |
|---|---|---|---|---|"
    );
    for client in order {
        let mut v = cells.remove(client).unwrap_or_default();
        let n = v.len();
        let (median, p95) = (quantile(&mut v, 0.5), quantile(&mut v, 0.95));
        let start = starts
            .get_mut(client)
            .map_or("in-process / per-cell exec".to_owned(), |s| {
                format!("{:.0}", quantile(s, 0.5))
            });
        println!("| {client} | {n} | {median:.0} | {p95:.0} | {start} |");
    }
    println!();
}

/// Whether the report comes from a `--image` run (its flavor is not a built-in one).
fn report_flavor_is_user_image(report: &ScenarioReport) -> bool {
    Flavor::by_name(report.flavor).is_none()
}

fn print_report(report: &ScenarioReport) {
    println!("{}", report.render_snapshot());
    let versions: Vec<String> = report
        .client_versions
        .iter()
        .map(|(c, v)| format!("{c}: {v}"))
        .collect();
    let reload = report
        .reload
        .as_ref()
        .map(|r| format!("; reload {:.1} ms", r.took.as_secs_f64() * 1e3))
        .unwrap_or_default();
    let server = if report.reused_server {
        "reused server (fixtures swapped, TLS reloaded)".to_owned()
    } else {
        format!("boot {:.2} s", report.boot_time.as_secs_f64())
    };
    println!(
        "versions: server {} {}; {} · timing: {server}{reload}",
        report.flavor,
        report.server_version,
        versions.join("; "),
    );
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
