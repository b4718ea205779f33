//! The matrix runner: which scenario runs on which flavor ([`Plan`], from selected and
//! sharded scenario files), running the plan with bounded parallelism and `--fail-fast`
//! ([`execute`] with an [`Executor`]), telling [`Reporter`]s what happens ([`Event`]s), and the
//! end of a run: every table with its snapshot verdict, the disagreements and latency views,
//! the report files ([`Outputs`]). A run stopped by `--timeout`, SIGINT, SIGTERM or SIGHUP
//! removes its containers and says how it ended ([`Ending`]).
//!
//! It parses no command line (xtask does) and runs no scenario itself (harness does).

pub mod bench;
mod error;
mod event;
mod outputs;
mod plan;
mod progress;
mod run;
mod schedule;
mod shard;
mod signals;
mod terminal;
mod verdict;
mod violations;

pub use error::Error;
pub use event::{Event, Reporter, RunResult, Silent};
pub use outputs::Outputs;
pub use plan::{Group, Plan, PlannedRun};
pub use progress::Progress;
pub use run::{
    Ending, FailOn, MatrixExecutor, Options, RunPath, Stop, new_snapshots_line, run, scenarios,
};
pub use schedule::{Executor, Results, Schedule, error_line, execute};
pub use shard::in_shard;
pub use terminal::{report_text, terminal_safe};
pub use verdict::accept_command;
pub use violations::{NewInsecure, new_insecure};
