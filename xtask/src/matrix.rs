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

pub fn run(args: Args) -> anyhow::Result<()> {
    crate::images::ensure_all()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let flavors: Vec<&'static Flavor> = match (&args.flavor, &args.image) {
        (Some(name), _) => {
            vec![Flavor::by_name(name).with_context(|| format!("unknown flavor `{name}`"))?]
        }
        (None, Some(image)) => {
            let labels = servers::RunLabels::for_this_process();
            let flavor = runtime
                .block_on(servers::detect_flavor(image, &labels, Duration::from_secs(180)))
                .with_context(|| format!("detecting the server in image `{image}`"))?;
            eprintln!("image {image}: detected {}", flavor.name);
            vec![flavor]
        }
        (None, None) => Flavor::ALL.iter().collect(),
    };
    let root = harness::scenarios_root();
    let scenarios = select(&root, &args.filters, false)?
        .iter()
        .map(|p| scenario::load(&root, p))
        .collect::<Result<Vec<_>, _>>()?;
    for scenario in &scenarios {
        harness::flavors_of(scenario)?;
    }
    let mut ctx = RunContext::new()?;
    ctx.cell_timeout = Duration::from_secs(args.cell_timeout);
    if args.image.is_some() {
        // Official images initialize their data directory on first start (tens of seconds).
        ctx.startup_timeout = Duration::from_secs(180);
    }
    let started = Instant::now();
    let run_id = ctx.labels.run_id.clone();
    // Ctrl-C drops the in-flight scenarios (their containers are removed on drop), then a sweep
    // by run label removes any container created while the interrupt arrived.
    let outcome = runtime.block_on(async {
        tokio::select! {
            results = run_all(scenarios, flavors, ctx, args.jobs.max(1), args.fresh) => Some(results),
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
    for (label, result) in &results {
        match result {
            Ok(report) => {
                cells += report.rows.len();
                print_report(report);
                if report_flavor_is_user_image(report) && !harness::snapshot_exists(report) {
                    println!("snapshot: none committed for {label} (user image; not compared)\n");
                } else if harness::check_snapshot(report) == SnapshotCheck::Differs {
                    mismatches += 1;
                    println!("snapshot: DIFFERS for {label} (review with `cargo insta review`)\n");
                } else {
                    println!("snapshot: matches\n");
                }
            }
            Err(e) => {
                faults += 1;
                println!("## {label}\nHARNESS FAULT: {e:#}\n");
            }
        }
    }
    let reports: Vec<&ScenarioReport> = results.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    print_disagreements(&reports);
    print_latency(&reports);
    let reused = reports.iter().filter(|r| r.reused_server).count();
    println!(
        "{} scenario run(s) ({reused} on a reused server), {cells} cells, {mismatches} snapshot mismatch(es), {faults} harness fault(s) in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
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
) -> Vec<(String, anyhow::Result<ScenarioReport>)> {
    use futures::StreamExt;
    let mut groups: Vec<(Option<String>, Vec<(usize, &scenario::Scenario, &'static Flavor)>)> =
        Vec::new();
    let mut index = 0;
    for scenario in &scenarios {
        for &flavor in flavors.iter().filter(|f| harness::runs_on(scenario, f)) {
            let key = if fresh {
                None
            } else {
                harness::reuse_key(scenario, flavor)
            };
            match groups
                .iter_mut()
                .find(|(k, _)| key.is_some() && *k == key)
            {
                Some((_, members)) => members.push((index, scenario, flavor)),
                None => groups.push((key, vec![(index, scenario, flavor)])),
            }
            index += 1;
        }
    }
    // Biggest groups first, so the long sequential ones start early.
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let ctx = &ctx;
    let mut results: Vec<(usize, String, anyhow::Result<ScenarioReport>)> =
        futures::stream::iter(groups)
            .map(|(_, members)| async move {
                let mut fast = harness::FastPath::new();
                let mut out = Vec::new();
                for (i, scenario, flavor) in members {
                    let label = format!("{} on {}", scenario.id, flavor.name);
                    let report = fast
                        .run(scenario, flavor, ctx)
                        .await
                        .map_err(anyhow::Error::from);
                    out.push((i, label, report));
                }
                out
            })
            .buffer_unordered(jobs)
            .flat_map(futures::stream::iter)
            .collect()
            .await;
    results.sort_by_key(|(i, _, _)| *i);
    results.into_iter().map(|(_, l, r)| (l, r)).collect()
}

/// Per scenario run and ssl-mode, the clients whose outcome class differs from the majority.
fn print_disagreements(reports: &[&ScenarioReport]) {
    let all: Vec<harness::Disagreement> =
        reports.iter().flat_map(|r| harness::disagreements(r)).collect();
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
    println!("## Latency per client (ms)
| client | cells | median | p95 | process start (median) |
|---|---|---|---|---|");
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
