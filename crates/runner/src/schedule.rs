//! Scheduling a [`Plan`]: `jobs` workers, each with one lane (its clients and its reused
//! server) kept across the groups it takes; each group runs in order on one worker, biggest
//! groups first, all in one task (the futures borrow Docker exec streams that are not
//! `Sync`). `--fail-fast`: no new scenario run starts after the first one that fails. What runs
//! a scenario is an [`Executor`], so the schedule is tested without Docker.

use crate::event::{Event, Reporter, RunResult};
use crate::plan::Plan;
use harness::ScenarioReport;
use scenario::Scenario;
use servers::Flavor;
use std::cell::Cell;

/// Runs one scenario on one flavor. The real one ([`crate::MatrixExecutor`]) boots servers and
/// drives clients; tests use one that returns reports it makes up.
pub trait Executor {
    /// State a worker keeps across the runs and groups it takes, e.g. the clients and the
    /// reused server of the fast path.
    type Lane: Default;

    /// Runs `scenario` on `flavor` in `lane`. A harness fault is an error; whatever clients and
    /// servers do is in the report.
    fn run(
        &self,
        lane: &mut Self::Lane,
        scenario: &Scenario,
        flavor: &'static Flavor,
    ) -> impl std::future::Future<Output = Result<ScenarioReport, harness::Error>>;

    /// Whether a finished run counts as failed for `--fail-fast`: a harness fault, or a report
    /// that differs from its committed snapshot.
    fn failed(&self, result: &Result<ScenarioReport, harness::Error>) -> bool;
}

/// How to schedule.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Groups at once (at least 1).
    pub jobs: usize,
    /// Start no new run after the first failed one.
    pub fail_fast: bool,
}

/// What became of every planned run, indexed like [`Plan::runs`]: a report, a harness fault,
/// or `None` when `--fail-fast` stopped the run first.
pub type Results = Vec<Option<Result<ScenarioReport, harness::Error>>>;

/// Runs every group of `plan` with `executor`, telling `reporter` as runs start and finish.
pub async fn execute<E: Executor>(
    plan: &Plan,
    executor: &E,
    how: Schedule,
    reporter: &dyn Reporter,
) -> Results {
    let total = plan.runs.len();
    reporter.event(&Event::RunStarted {
        scenario_runs: total,
    });
    let stop = Cell::new(false);
    let done = Cell::new(0usize);
    let next_group = Cell::new(0usize);
    let (stop, done, next_group) = (&stop, &done, &next_group);
    // `jobs` workers, each with one lane kept across the groups it takes (biggest first, the
    // next free worker taking the next group).
    let workers = (0..how.jobs.max(1).min(plan.groups.len().max(1))).map(|_| async move {
        let mut lane = E::Lane::default();
        let mut out = Vec::new();
        loop {
            let taken = next_group.get();
            let Some(group) = plan.groups.get(taken) else {
                break;
            };
            next_group.set(taken + 1);
            for &index in &group.runs {
                let run = &plan.runs[index];
                let label = run.label.as_str();
                let result = if stop.get() {
                    None
                } else {
                    reporter.event(&Event::ScenarioStarted { label });
                    let result = executor
                        .run(&mut lane, plan.scenario_of(run), run.flavor)
                        .await;
                    if how.fail_fast && executor.failed(&result) {
                        stop.set(true);
                        reporter.event(&Event::FailFastStop { after: label });
                    }
                    Some(result)
                };
                done.set(done.get() + 1);
                let fault_line;
                let event_result = match &result {
                    None => RunResult::NotRun,
                    Some(Ok(report)) => {
                        for row in &report.rows {
                            reporter.event(&Event::CellFinished { label, row });
                        }
                        RunResult::Report(report)
                    }
                    Some(Err(e)) => {
                        fault_line = error_line(e);
                        RunResult::Fault(&fault_line)
                    }
                };
                reporter.event(&Event::ScenarioFinished {
                    label,
                    result: event_result,
                    done: done.get(),
                    total,
                });
                out.push((index, result));
            }
        }
        // The lane's containers go now; then every other lane is polled again.
        drop(lane);
        harness::removed().await;
        out
    });
    let mut finished: Vec<(usize, Option<Result<ScenarioReport, harness::Error>>)> =
        futures::future::join_all(workers)
            .await
            .into_iter()
            .flatten()
            .collect();
    finished.sort_by_key(|(index, _)| *index);
    finished.into_iter().map(|(_, result)| result).collect()
}

/// An error and its causes on one line, `a: b: c` (as anyhow's `{:#}` prints).
pub fn error_line(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Silent;
    use crate::plan::tests::scenario;
    use servers::{MARIADB_11_8, MYSQL_9};
    use std::cell::RefCell;
    use std::time::Duration;

    /// Makes up reports; a scenario whose id contains `fault` is a harness fault, one whose id
    /// contains `differs` fails its snapshot. Records the runs it was asked for, in order.
    #[derive(Default)]
    struct Scripted {
        asked: RefCell<Vec<String>>,
    }

    fn report(scenario: &Scenario, flavor: &'static Flavor) -> ScenarioReport {
        ScenarioReport {
            scenario: scenario.id.clone(),
            description: scenario.description.clone(),
            reported: None,
            flavor: flavor.name,
            server_version: "test".into(),
            boot_time: Duration::ZERO,
            client_versions: Vec::new(),
            start_costs: Vec::new(),
            server: harness::ServerState::Ready {
                tls_enabled: true,
                log: Vec::new(),
            },
            reload: None,
            auth_note: "",
            rows: vec![harness::Row {
                client: "made-up".into(),
                ssl_mode: scenario::SslMode::Required,
                outcome: outcome::Outcome::Connected { tls: None },
                took: Duration::ZERO,
                seen: None,
            }],
            reused_server: false,
            facts: None,
        }
    }

    impl Executor for Scripted {
        /// How many runs this lane served.
        type Lane = usize;

        async fn run(
            &self,
            lane: &mut usize,
            scenario: &Scenario,
            flavor: &'static Flavor,
        ) -> Result<ScenarioReport, harness::Error> {
            *lane += 1;
            self.asked.borrow_mut().push(format!(
                "{} on {} (lane run {lane})",
                scenario.id, flavor.name
            ));
            tokio::task::yield_now().await;
            if scenario.id.contains("fault") {
                return Err(harness::Error::UnknownClient {
                    name: "made-up fault".into(),
                    known: String::new(),
                });
            }
            Ok(report(scenario, flavor))
        }

        fn failed(&self, result: &Result<ScenarioReport, harness::Error>) -> bool {
            result
                .as_ref()
                .map_or(true, |r| r.scenario.contains("differs"))
        }
    }

    /// Records every event as a line.
    #[derive(Default)]
    struct Log(RefCell<Vec<String>>);

    impl Reporter for Log {
        fn event(&self, event: &Event<'_>) {
            let line = match event {
                Event::RunStarted { scenario_runs } => format!("start {scenario_runs}"),
                Event::ScenarioStarted { label } => format!("begin {label}"),
                Event::CellFinished { label, row } => format!("cell {label} {}", row.client),
                Event::ScenarioFinished {
                    label,
                    result,
                    done,
                    total,
                } => {
                    let what = match result {
                        RunResult::Report(_) => "report",
                        RunResult::Fault(_) => "fault",
                        RunResult::NotRun => "not run",
                    };
                    format!("end {label} {what} {done}/{total}")
                }
                Event::FailFastStop { after } => format!("stop after {after}"),
            };
            self.0.borrow_mut().push(line);
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn results_come_back_in_plan_order_and_a_group_shares_one_lane() {
        let plan = Plan::new(
            vec![scenario("a", ""), scenario("b", ""), scenario("c", "")],
            &[&MYSQL_9, &MARIADB_11_8],
            false,
        );
        let executor = Scripted::default();
        let log = Log::default();
        let how = Schedule {
            jobs: 2,
            fail_fast: false,
        };
        let results = block_on(execute(&plan, &executor, how, &log));
        let ids: Vec<String> = results
            .iter()
            .map(|r| match r {
                Some(Ok(report)) => format!("{} on {}", report.scenario, report.flavor),
                _ => "missing".into(),
            })
            .collect();
        let labels: Vec<String> = plan.runs.iter().map(|r| r.label.clone()).collect();
        assert_eq!(ids, labels);
        let asked = executor.asked.borrow();
        assert!(
            asked.contains(&"test/c on mysql-9 (lane run 3)".to_owned()),
            "{asked:?}"
        );
        assert!(
            asked.contains(&"test/c on mariadb-11.8 (lane run 3)".to_owned()),
            "{asked:?}"
        );
        let log = log.0.borrow();
        assert_eq!(log[0], "start 6");
        assert_eq!(log.iter().filter(|l| l.starts_with("cell ")).count(), 6);
        assert!(log.last().is_some_and(|l| l.ends_with(" 6/6")), "{log:?}");
    }

    #[test]
    fn fail_fast_starts_nothing_after_the_first_failure() {
        let plan = Plan::new(
            vec![
                scenario("a", ""),
                scenario("differs", ""),
                scenario("c", ""),
            ],
            &[&MYSQL_9],
            false,
        );
        let executor = Scripted::default();
        let log = Log::default();
        let how = Schedule {
            jobs: 1,
            fail_fast: true,
        };
        let results = block_on(execute(&plan, &executor, how, &log));
        assert!(matches!(results[0], Some(Ok(_))));
        assert!(
            matches!(results[1], Some(Ok(_))),
            "the failing run itself is reported"
        );
        assert!(results[2].is_none(), "nothing starts after it");
        assert_eq!(executor.asked.borrow().len(), 2);
        let log = log.0.borrow();
        assert!(
            log.contains(&"stop after test/differs on mysql-9".to_owned()),
            "{log:?}"
        );
        assert!(
            log.contains(&"end test/c on mysql-9 not run 3/3".to_owned()),
            "{log:?}"
        );
    }

    #[test]
    fn without_fail_fast_a_fault_stops_nothing() {
        let plan = Plan::new(
            vec![
                scenario("fault", "[server]\ntls = false"),
                scenario("b", ""),
            ],
            &[&MYSQL_9],
            false,
        );
        let executor = Scripted::default();
        let how = Schedule {
            jobs: 1,
            fail_fast: false,
        };
        let results = block_on(execute(&plan, &executor, how, &Silent));
        let fault = results[0].as_ref().and_then(|r| r.as_ref().err());
        assert!(
            fault.is_some_and(|e| error_line(e).contains("made-up fault")),
            "the fault is kept with its message"
        );
        assert!(matches!(results[1], Some(Ok(_))));
    }
}
