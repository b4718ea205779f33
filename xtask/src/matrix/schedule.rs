//! Scheduling of a matrix run: scenario × flavor pairs grouped by server configuration for the
//! fast path, groups run with bounded parallelism, progress on a terminal bar (a line per
//! finished run without a terminal), `--fail-fast`
//! honoured (no new scenario starts after the first fault or snapshot mismatch).

use harness::{RunContext, ScenarioReport, SnapshotCheck};
use servers::Flavor;
use std::sync::atomic::{AtomicBool, Ordering};

/// One planned scenario run and what became of it.
pub struct Planned {
    /// `<scenario> on <flavor>`.
    pub label: String,
    /// Scenario id.
    pub scenario: String,
    /// Flavor name.
    pub flavor: String,
    /// The report, a harness fault, or `None` when `--fail-fast` stopped the run first.
    pub result: Option<anyhow::Result<ScenarioReport>>,
}

/// How to run.
pub struct Schedule {
    /// Groups at once.
    pub jobs: usize,
    /// A server per scenario (no reuse).
    pub fresh: bool,
    /// Stop starting scenarios after the first fault or snapshot mismatch.
    pub fail_fast: bool,
    /// Compare subsets of rows (client / ssl-mode filters) instead of whole snapshots.
    pub subset: bool,
}

/// The scenario × flavor pairs to run, in plan order.
pub fn plan<'a>(
    scenarios: &'a [scenario::Scenario],
    flavors: &[&'static Flavor],
) -> Vec<(&'a scenario::Scenario, &'static Flavor)> {
    scenarios
        .iter()
        .flat_map(|s| {
            flavors
                .iter()
                .filter(|f| harness::runs_on(s, f))
                .map(move |&f| (s, f))
        })
        .collect()
}

/// Runs every planned pair, results in plan order. Fast path: work is grouped by
/// [`harness::reuse_key`] (flavor + server configuration); each group runs in order on one
/// [`harness::FastPath`] (one reused server), at most `jobs` groups at once. With `fresh`,
/// every scenario is its own group and boots its own server. One task drives all futures
/// (they borrow Docker exec streams that are not `Sync`).
pub async fn run_all(
    pairs: Vec<(&scenario::Scenario, &'static Flavor)>,
    ctx: RunContext,
    how: Schedule,
) -> Vec<Planned> {
    use futures::StreamExt;
    type Group<'a> = (
        Option<String>,
        Vec<(usize, &'a scenario::Scenario, &'static Flavor)>,
    );
    let mut groups: Vec<Group> = Vec::new();
    for (index, (scenario, flavor)) in pairs.iter().enumerate() {
        let key = if how.fresh {
            None
        } else {
            harness::reuse_key(scenario, flavor)
        };
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, members)) => members.push((index, scenario, flavor)),
            None => groups.push((key, vec![(index, scenario, flavor)])),
        }
    }
    // Biggest groups first, so the long sequential ones start early.
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let bar = indicatif::ProgressBar::new(pairs.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} scenario runs, ETA {eta} · {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let stop = AtomicBool::new(false);
    let (ctx, bar, stop, how) = (&ctx, &bar, &stop, &how);
    let mut results: Vec<(usize, Planned)> = futures::stream::iter(groups)
        .map(|(_, members)| async move {
            let mut fast = harness::FastPath::new();
            let mut out = Vec::new();
            for (i, scenario, flavor) in members {
                let label = format!("{} on {}", scenario.id, flavor.name);
                let result = if stop.load(Ordering::Relaxed) {
                    None
                } else {
                    bar.set_message(label.clone());
                    let report = fast
                        .run(scenario, flavor, ctx)
                        .await
                        .map_err(anyhow::Error::from);
                    if how.fail_fast && failed(&report, how.subset) {
                        stop.store(true, Ordering::Relaxed);
                        bar.println(format!("--fail-fast: stopping after {label}"));
                    }
                    Some(report)
                };
                bar.inc(1);
                if bar.is_hidden() {
                    // No terminal (CI logs): one line per finished scenario run instead.
                    let verdict = match &result {
                        None => "not run (--fail-fast)",
                        Some(Ok(_)) => "done",
                        Some(Err(_)) => "HARNESS FAULT",
                    };
                    eprintln!(
                        "[{}/{}] {label}: {verdict}",
                        bar.position(),
                        bar.length().unwrap_or(0)
                    );
                }
                out.push((
                    i,
                    Planned {
                        label,
                        scenario: scenario.id.clone(),
                        flavor: flavor.name.to_owned(),
                        result,
                    },
                ));
            }
            out
        })
        .buffer_unordered(how.jobs.max(1))
        .flat_map(futures::stream::iter)
        .collect()
        .await;
    bar.finish_and_clear();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, p)| p).collect()
}

/// A harness fault, or a report that differs from its committed snapshot (checked silently).
fn failed(report: &anyhow::Result<ScenarioReport>, subset: bool) -> bool {
    match report {
        Err(_) => true,
        Ok(r) => {
            let check = if subset {
                harness::check_cells(r)
            } else {
                harness::quick_check(r)
            };
            check == Some(SnapshotCheck::Differs)
        }
    }
}
