//! The terminal's live view of a run: an indicatif progress bar on a terminal, one line per
//! finished scenario run on stderr otherwise (CI logs).

use crate::event::{Event, Reporter, RunResult};

/// Progress bar (terminal) or line per run (no terminal).
pub struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    /// A hidden-until-started bar; its length comes with [`Event::RunStarted`].
    pub fn new() -> Self {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} scenario runs, ETA {eta} · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Progress { bar }
    }

    /// Removes the bar from the terminal (call before printing the tables).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Reporter for Progress {
    fn event(&self, event: &Event<'_>) {
        match event {
            Event::RunStarted { scenario_runs } => self.bar.set_length(*scenario_runs as u64),
            Event::ScenarioStarted { label } => self.bar.set_message(label.to_string()),
            Event::FailFastStop { after } => self
                .bar
                .println(format!("--fail-fast: stopping after {after}")),
            Event::ScenarioFinished {
                label,
                result,
                done,
                total,
            } => {
                self.bar.inc(1);
                if self.bar.is_hidden() {
                    // No terminal (CI logs): one line per finished scenario run instead.
                    let verdict = match result {
                        RunResult::NotRun => "not run (--fail-fast)",
                        RunResult::Report(_) => "done",
                        RunResult::Fault(_) => "HARNESS FAULT",
                    };
                    eprintln!("[{done}/{total}] {label}: {verdict}");
                }
            }
            Event::CellFinished { .. } => {}
        }
    }
}
