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
    let flavors: Vec<&'static Flavor> = match &args.flavor {
        Some(name) => {
            vec![Flavor::by_name(name).with_context(|| format!("unknown flavor `{name}`"))?]
        }
        None => Flavor::ALL.iter().collect(),
    };
    let root = harness::scenarios_root();
    let scenarios = select(&root, &args.filters, false)?
        .iter()
        .map(|p| scenario::load(&root, p))
        .collect::<Result<Vec<_>, _>>()?;
    for scenario in &scenarios {
        harness::flavors_of(scenario)?;
    }
    let mut ctx = RunContext::new();
    ctx.cell_timeout = Duration::from_secs(args.cell_timeout);
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let run_id = ctx.labels.run_id.clone();
    // Ctrl-C drops the in-flight scenarios (their containers are removed on drop), then a sweep
    // by run label removes any container created while the interrupt arrived.
    let outcome = runtime.block_on(async {
        tokio::select! {
            results = run_all(scenarios, flavors, ctx, args.jobs.max(1)) => Some(results),
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
                if harness::check_snapshot(report) == SnapshotCheck::Differs {
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
    println!(
        "{} scenario run(s), {cells} cells, {mismatches} snapshot mismatch(es), {faults} harness fault(s) in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    if faults + mismatches > 0 {
        bail!("matrix failed: {mismatches} snapshot mismatch(es), {faults} harness fault(s)");
    }
    Ok(())
}

/// Runs every scenario × flavor with at most `jobs` at once, in one task (the futures borrow
/// Docker exec streams that are not `Sync`); results come back in input order.
async fn run_all(
    scenarios: Vec<scenario::Scenario>,
    flavors: Vec<&'static Flavor>,
    ctx: RunContext,
    jobs: usize,
) -> Vec<(String, anyhow::Result<ScenarioReport>)> {
    use futures::StreamExt;
    let mut work = Vec::new();
    for scenario in &scenarios {
        // Validated in `run` before anything starts.
        let own = harness::flavors_of(scenario).unwrap_or_default();
        work.extend(
            own.into_iter()
                .filter(|f| flavors.iter().any(|g| g.name == f.name))
                .map(|f| (scenario, f)),
        );
    }
    futures::stream::iter(work)
        .map(|(scenario, flavor)| {
            let ctx = &ctx;
            async move {
                let label = format!("{} on {}", scenario.id, flavor.name);
                (
                    label,
                    harness::run_scenario(scenario, flavor, ctx)
                        .await
                        .map_err(anyhow::Error::from),
                )
            }
        })
        .buffered(jobs)
        .collect()
        .await
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
    println!(
        "versions: server {} {}; {} · timing: boot {:.2} s{reload}",
        report.flavor,
        report.server_version,
        versions.join("; "),
        report.boot_time.as_secs_f64(),
    );
}
