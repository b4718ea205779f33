//! What a run tells its reporters while it goes, in the order things happen (nextest's split:
//! the runner emits events, reporters decide what to show). Reporters take `&self` so one
//! reporter serves every concurrent scenario group of the run's single task.

use harness::{Row, ScenarioReport};

/// One thing that happened during a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The plan is made; `scenario_runs` runs will be attempted (fewer with `--fail-fast`).
    RunStarted {
        /// Planned scenario × flavor runs.
        scenario_runs: usize,
    },
    /// A scenario run starts (fixtures, then a fresh or reused server).
    ScenarioStarted {
        /// `<scenario> on <flavor>`.
        label: &'a str,
    },
    /// One client × ssl-mode cell of a finished scenario run. Cells are reported when their
    /// scenario run finishes (a rig attempts them in order), before [`Event::ScenarioFinished`].
    CellFinished {
        /// `<scenario> on <flavor>`.
        label: &'a str,
        /// The cell: client, ssl-mode, outcome, time taken.
        row: &'a Row,
    },
    /// A scenario run ended: a report, a harness fault, or not run at all.
    ScenarioFinished {
        /// `<scenario> on <flavor>`.
        label: &'a str,
        /// What became of it.
        result: RunResult<'a>,
        /// Runs finished so far, this one included.
        done: usize,
        /// Runs planned.
        total: usize,
    },
    /// `--fail-fast` stops starting scenario runs after this one.
    FailFastStop {
        /// The run that failed.
        after: &'a str,
    },
}

/// The end of one scenario run, as events carry it.
#[derive(Debug, Clone, Copy)]
pub enum RunResult<'a> {
    /// It produced a report (whatever the clients did).
    Report(&'a ScenarioReport),
    /// A harness fault (Docker, image, fixtures) ended it; the error chain on one line.
    Fault(&'a str),
    /// `--fail-fast` stopped the run before it started.
    NotRun,
}

/// Something that shows a run as it goes: a progress bar, log lines, a live view.
pub trait Reporter {
    /// Called for every event, in order, from the run's one task.
    fn event(&self, event: &Event<'_>);
}

/// A reporter that shows nothing (library callers and tests).
pub struct Silent;

impl Reporter for Silent {
    fn event(&self, _: &Event<'_>) {}
}
