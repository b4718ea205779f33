//! A whole matrix run, as `cargo xtask matrix` makes it: select and plan, run the plan on real
//! servers and clients (bounded by `--timeout` and stopped by SIGINT, SIGTERM or SIGHUP, the
//! run's containers removed either way), then print every table with its snapshot verdict and
//! write the reports. Only harness faults of the run itself are errors; scenario faults and
//! snapshot mismatches are counted in the [`Ending`].

use crate::event::Reporter;
use crate::outputs::Outputs;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::schedule::{Executor, Results, Schedule, error_line, execute};
use crate::shard::in_shard;
use crate::{Error, terminal, verdict};
use harness::{FastPath, RunContext, ScenarioReport, SnapshotCheck};
use scenario::{Scenario, SslMode};
use servers::Flavor;
use std::time::{Duration, Instant};

/// Bound of a probe boot of a user image (official images initialize their data directory on
/// first start: tens of seconds).
const IMAGE_STARTUP: Duration = Duration::from_secs(180);

/// How servers are reused and driver processes started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunPath {
    /// Reused servers (TLS reload between scenarios), one driver process per server.
    #[default]
    Fast,
    /// A fresh server per scenario.
    Fresh,
    /// A fresh server per scenario and a new driver process per cell (the benchmark baseline).
    Naive,
}

impl RunPath {
    /// `fast`, `fresh` or `naive`, as the JSON report says.
    pub fn as_str(self) -> &'static str {
        match self {
            RunPath::Fast => "fast",
            RunPath::Fresh => "fresh",
            RunPath::Naive => "naive",
        }
    }
}

/// Everything a matrix run is asked to do (what `cargo xtask matrix` parses from its flags).
#[derive(Debug, Clone)]
pub struct Options {
    /// Scenario filters: ids, paths or substrings of ids; empty means all.
    pub filters: Vec<String>,
    /// Only this built-in flavor.
    pub flavor: Option<String>,
    /// Run against this user image (`NAME:TAG` in the local engine) instead of the built-ins.
    pub image: Option<String>,
    /// Scenario groups at once (each one server and its clients).
    pub jobs: usize,
    /// Clients attempting their cells at once against one server (1: as the snapshots are made).
    pub client_jobs: usize,
    /// Bound of one connection attempt; past it the cell is `Hang`.
    pub cell_timeout: Duration,
    /// Fast, fresh or naive.
    pub path: RunPath,
    /// Only these clients (built-in or from drivers/drivers.toml); then snapshots are compared
    /// row by row.
    pub clients: Vec<String>,
    /// Only these ssl-modes; then snapshots are compared row by row.
    pub ssl_modes: Vec<SslMode>,
    /// Start no new scenario after the first harness fault or snapshot mismatch.
    pub fail_fast: bool,
    /// Bound of the whole run; past it in-flight scenarios are cancelled (exit 124).
    pub timeout: Option<Duration>,
    /// Only shard `(i, n)`, 1-based.
    pub shard: Option<(u64, u64)>,
    /// Report files.
    pub outputs: Outputs,
    /// Which verdicts fail the run.
    pub fail_on: FailOn,
    /// The external driver list to use instead of the repository's `drivers/drivers.toml`.
    pub drivers: Option<std::path::PathBuf>,
}

/// Which verdicts of the ssl-mode contract make a completed run fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// An insecure violation that `snapshots/violations.toml` does not explain (and, with a
    /// baseline, that the baseline did not already have). The default.
    #[default]
    Insecure,
    /// No verdict fails the run.
    Nothing,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            filters: Vec::new(),
            flavor: None,
            image: None,
            jobs: 1,
            client_jobs: 1,
            cell_timeout: Duration::from_secs(10),
            path: RunPath::Fast,
            clients: Vec::new(),
            ssl_modes: Vec::new(),
            fail_fast: false,
            timeout: None,
            shard: None,
            outputs: Outputs::default(),
            fail_on: FailOn::default(),
            drivers: None,
        }
    }
}

impl Options {
    /// Whether the run selects clients or ssl-modes (snapshots compared row by row).
    fn subset(&self) -> bool {
        !self.clients.is_empty() || !self.ssl_modes.is_empty()
    }
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `--timeout` elapsed.
    Timeout(Duration),
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (`timeout`, CI cancellation, `docker stop`).
    Terminate,
    /// SIGHUP (the terminal went away).
    Hangup,
}

impl Stop {
    /// The conventional exit status: 124 for a timeout (as `timeout(1)`), 128 + the signal
    /// number for a signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
    pub fn exit_code(self) -> i32 {
        match self {
            Stop::Timeout(_) => 124,
            Stop::Interrupt => 130,
            Stop::Terminate => 143,
            Stop::Hangup => 129,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every planned run ended (or was skipped by `--fail-fast`); reports were written.
    Completed {
        /// Scenario runs that ended in a harness fault.
        faults: usize,
        /// Scenario runs that differ from their committed snapshot.
        mismatches: usize,
        /// Insecure violations no reviewed entry explains (new against the baseline, when
        /// one is given); counted only under [`FailOn::Insecure`].
        insecure: usize,
        /// Scenarios without a committed snapshot whose rendering is now pending review, and
        /// the one line that says how to accept them ([`new_snapshots_line`]); `None` when
        /// there are none.
        new_snapshots: Option<String>,
    },
    /// Stopped early; in-flight runs were cancelled and the run's containers removed.
    Stopped {
        /// Why.
        stop: Stop,
        /// Containers the sweep by run label removed after the cancelled runs dropped theirs.
        swept: usize,
    },
}

/// The real executor: the fast path (or a fresh server per run) on real servers and clients.
pub struct MatrixExecutor {
    /// Settings shared by every scenario run.
    pub ctx: RunContext,
    /// Compare the selected rows only (client / ssl-mode filters).
    pub subset: bool,
    /// Fast (lanes keep clients and servers) or everything fresh per scenario.
    pub path: RunPath,
}

impl Executor for MatrixExecutor {
    type Lane = FastPath;

    async fn run(
        &self,
        lane: &mut FastPath,
        scenario: &Scenario,
        flavor: &'static Flavor,
    ) -> Result<ScenarioReport, harness::Error> {
        match self.path {
            RunPath::Fast => lane.run(scenario, flavor, &self.ctx).await,
            // Everything fresh for every scenario: the baselines of `cargo xtask bench`.
            RunPath::Fresh | RunPath::Naive => {
                harness::run_scenario(scenario, flavor, &self.ctx).await
            }
        }
    }

    fn failed(&self, result: &Result<ScenarioReport, harness::Error>) -> bool {
        match result {
            Err(_) => true,
            Ok(report) => verdict::differs_quietly(report, self.subset),
        }
    }
}

/// The scenarios `options` selects, filtered by shard and ssl-modes, `--image` overriding
/// their pins. Errors: [`Error::Scenario`] (a file that does not load, a filter that matches
/// nothing), [`Error::Harness`] for an unknown flavor in a scenario.
pub fn scenarios(options: &Options) -> Result<Vec<Scenario>, Error> {
    let root = harness::scenarios_root();
    let mut scenarios = scenario::select(&root, &options.filters, false)?
        .iter()
        .map(|p| scenario::load(&root, p))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(shard) = options.shard {
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
        if options.image.is_some() {
            // `--image` overrides a scenario's own pin: everything runs on the given image.
            scenario.server.image = None;
        }
        if !options.ssl_modes.is_empty() {
            scenario
                .client
                .ssl_modes
                .retain(|m| options.ssl_modes.contains(m));
        }
    }
    scenarios.retain(|s| !s.client.ssl_modes.is_empty());
    Ok(scenarios)
}

/// Runs the matrix `options` describes and prints it; see the module docs. Signals are caught
/// from the start, so no container of the run outlives SIGINT, SIGTERM or SIGHUP (SIGKILL
/// leaves them for `cargo xtask clean`).
///
/// Errors: the run's own harness faults ([`Error`]); a scenario run's fault is counted.
pub fn run(options: &Options) -> Result<Ending, Error> {
    let baseline = options.outputs.read_baseline()?;
    let reviewed = harness::reviewed_violations().map_err(Error::Reviewed)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let mut ctx = RunContext::new()?;
    if let Some(file) = &options.drivers {
        ctx.use_drivers_file(file)?;
    }
    ctx.cell_timeout = options.cell_timeout;
    ctx.driver_process_per_cell = options.path == RunPath::Naive;
    ctx.client_jobs = options.client_jobs.max(1);
    if !options.clients.is_empty() {
        ctx.select_clients(&options.clients)?;
    }
    let run_id = ctx.labels.run_id.clone();
    let mut signals = runtime
        .block_on(async { crate::signals::Signals::new() })
        .map_err(Error::Runtime)?;
    let scenarios = scenarios(options)?;
    let started_at = time::OffsetDateTime::now_utc();
    let started = Instant::now();
    let limit = options.timeout.unwrap_or(Duration::from_secs(u64::MAX / 4));
    let work = async move {
        let flavors = flavors(options, &scenarios, &mut ctx).await?;
        let plan = Plan::new(scenarios, &flavors, options.path != RunPath::Fast);
        let executor = MatrixExecutor {
            ctx,
            subset: options.subset(),
            path: options.path,
        };
        let progress = Progress::new();
        let how = Schedule {
            jobs: options.jobs.max(1),
            fail_fast: options.fail_fast,
        };
        let results = execute(&plan, &executor, how, &progress as &dyn Reporter).await;
        progress.finish();
        Ok::<_, Error>((plan, results))
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            done = tokio::time::timeout(limit, work) => match done {
                Ok(done) => done.map(Ok),
                Err(_) => Ok(Err(Stop::Timeout(limit))),
            },
            stop = signals.recv() => Ok(Err(stop)),
        }
    });
    // Cancelled runs dropped their containers above; the sweep removes any created meanwhile,
    // also those Docker was still creating when the run was cancelled (sweep_settled).
    drop(runtime);
    let (plan, results) = match outcome {
        Ok(Ok(done)) => done,
        Ok(Err(stop)) => {
            let swept = containers::sweep_settled(&run_id)?;
            let why = match stop {
                Stop::Timeout(limit) => format!("--timeout of {} s elapsed", limit.as_secs()),
                Stop::Interrupt => "interrupted".to_owned(),
                Stop::Terminate => "terminated (SIGTERM)".to_owned(),
                Stop::Hangup => "hung up (SIGHUP)".to_owned(),
            };
            eprintln!("{why}: in-flight scenarios cancelled, {swept} straggler container(s) swept");
            return Ok(Ending::Stopped { stop, swept });
        }
        Err(e) => {
            containers::sweep_settled(&run_id)?;
            return Err(e);
        }
    };
    let info = harness::RunInfo {
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        took_ms: 0,
        path: options.path.as_str().into(),
        jobs: options.jobs.max(1),
        cell_timeout_ms: u64::try_from(options.cell_timeout.as_millis()).unwrap_or(u64::MAX),
        shard: options.shard.map(|(i, n)| format!("{i}/{n}")),
    };
    let (mut report, summary) = assemble(&plan, &results, info, options.subset(), &reviewed);
    let new_insecure = crate::violations::new_insecure(&report, baseline.as_ref());
    crate::violations::print(&report, &new_insecure, baseline.is_some());
    println!("{summary} in {:.1} s", started.elapsed().as_secs_f64());
    let (faults, mismatches) = (summary.faults, summary.mismatches);
    let new_snapshots = new_snapshots_line(&summary.new);
    if let Some(line) = &new_snapshots {
        println!("{line}");
    }
    report.run.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    options.outputs.write_all(&report, baseline.as_ref())?;
    let insecure = match options.fail_on {
        FailOn::Insecure => new_insecure.len(),
        FailOn::Nothing => 0,
    };
    Ok(Ending::Completed {
        faults,
        mismatches,
        insecure,
        new_snapshots,
    })
}

/// The one line a run ends with when scenarios had no committed snapshot: how many are
/// pending, and the command that accepts them.
pub fn new_snapshots_line(scenarios: &[String]) -> Option<String> {
    if scenarios.is_empty() {
        return None;
    }
    let ids: Vec<&str> = scenarios.iter().map(String::as_str).collect();
    Some(format!(
        "{} new snapshot(s) pending, not yet a contract: read the tables above, then accept them with `{}`",
        scenarios.len(),
        crate::verdict::accept_command(&ids)
    ))
}

/// The flavors of the run: `--flavor`, the `--image` detected, or every built-in one plus the
/// flavors of images scenarios pin (unless `--flavor` is given, which skips pinned scenarios).
async fn flavors(
    options: &Options,
    scenarios: &[Scenario],
    ctx: &mut RunContext,
) -> Result<Vec<&'static Flavor>, Error> {
    let mut flavors: Vec<&'static Flavor> = match (&options.flavor, &options.image) {
        (Some(name), _) => vec![Flavor::by_name(name).ok_or_else(|| Error::UnknownFlavor {
            name: name.clone(),
            known: Flavor::known_names(),
        })?],
        (None, Some(image)) => {
            let flavor = servers::detect_flavor(image, &ctx.labels, IMAGE_STARTUP)
                .await
                .map_err(|source| Error::Image {
                    image: image.clone(),
                    source,
                })?;
            eprintln!("image {image}: detected {}", flavor.name);
            ctx.startup_timeout = IMAGE_STARTUP;
            vec![flavor]
        }
        (None, None) => Flavor::ALL.iter().collect(),
    };
    let pinned: Vec<&str> = scenarios
        .iter()
        .filter(|s| s.server.image.is_some())
        .map(|s| s.id.as_str())
        .collect();
    if !pinned.is_empty() && options.flavor.is_some() {
        eprintln!(
            "skipped (pinned to an image by `server.image`, not a built-in flavor): {}",
            pinned.join(", ")
        );
    } else if !pinned.is_empty() {
        for flavor in harness::pinned_flavors(scenarios, &ctx.labels, IMAGE_STARTUP).await? {
            eprintln!(
                "image {}: detected {}",
                flavor.user_image.unwrap_or_default(),
                flavor.name
            );
            flavors.push(flavor);
        }
        ctx.startup_timeout = IMAGE_STARTUP;
    }
    Ok(flavors)
}

/// The counts of a finished run's closing line.
struct Summary {
    runs: usize,
    reused: usize,
    skipped: usize,
    cells: usize,
    mismatches: usize,
    faults: usize,
    /// Scenario ids whose snapshot is new (pending), in plan order.
    new: Vec<String>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let not_run = if self.skipped > 0 {
            format!(", {} not run (--fail-fast)", self.skipped)
        } else {
            String::new()
        };
        write!(
            f,
            "{} scenario run(s) ({} on a reused server){not_run}, {} cells, {} snapshot mismatch(es), {}{} harness fault(s)",
            self.runs,
            self.reused,
            self.cells,
            self.mismatches,
            if self.new.is_empty() {
                String::new()
            } else {
                format!("{} new snapshot(s), ", self.new.len())
            },
            self.faults
        )
    }
}

/// Prints every run in plan order with its snapshot verdict, then the disagreements and the
/// latency table; returns the JSON report (its `took_ms` still 0) and the counts.
fn assemble(
    plan: &Plan,
    results: &Results,
    info: harness::RunInfo,
    subset: bool,
    reviewed: &::verdict::Reviewed,
) -> (harness::MatrixReport, Summary) {
    let (mut faults, mut mismatches, mut cells, mut skipped) = (0, 0, 0, 0);
    let mut new = Vec::new();
    let mut json = harness::MatrixReport {
        format: harness::REPORT_FORMAT,
        run: info,
        runs: Vec::new(),
        faults: Vec::new(),
    };
    for (run, result) in plan.runs.iter().zip(results) {
        let label = &run.label;
        match result {
            None => skipped += 1,
            Some(Ok(report)) => {
                cells += report.rows.len();
                terminal::print_report(report);
                let check = match verdict::snapshot_verdict(report, label, subset) {
                    Ok(check) => check,
                    Err(e) => {
                        faults += 1;
                        println!("HARNESS FAULT: snapshot of {label}: {}\n", error_line(&e));
                        None
                    }
                };
                match check {
                    Some(SnapshotCheck::Differs) => mismatches += 1,
                    Some(SnapshotCheck::New) => new.push(report.scenario.clone()),
                    _ => {}
                }
                json.runs
                    .push(harness::RunRecord::new(report, check, reviewed));
            }
            Some(Err(e)) => {
                faults += 1;
                let error = error_line(e);
                let shown = crate::terminal::terminal_safe(&error);
                println!("## {label}\nHARNESS FAULT: {shown}\n");
                json.faults.push(harness::Fault {
                    scenario: plan.scenario_of(run).id.clone(),
                    flavor: run.flavor.name.to_owned(),
                    error,
                });
            }
        }
    }
    let reports: Vec<&ScenarioReport> = results
        .iter()
        .filter_map(|r| r.as_ref()?.as_ref().ok())
        .collect();
    terminal::print_disagreements(&reports);
    terminal::print_latency(&reports);
    let summary = Summary {
        runs: plan.runs.len() - skipped,
        reused: reports.iter().filter(|r| r.reused_server).count(),
        skipped,
        cells,
        mismatches,
        faults,
        new,
    };
    (json, summary)
}
