//! Reporters: views of a [`crate::MatrixReport`] for people and tools, separate from the
//! runner — Markdown (and the GitHub step summary), JUnit XML, a self-contained HTML page, and
//! the change list against a baseline report.

mod baseline;
mod html;
mod junit;
mod markdown;

pub use baseline::{CellChange, changes_since, render_changes};
pub use html::render_html;
pub use junit::render_junit;
pub use markdown::{STEP_SUMMARY_LIMIT, render_markdown, render_step_summary};

use crate::Cell;
use outcome::Outcome;

/// The short verdict of one cell, as every reporter shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellMark {
    /// Connected with TLS; the protocol version.
    Tls(String),
    /// Connected without TLS.
    Plain,
    /// Failed: the canonical class (`verification`, `handshake`, …) and the error code if any.
    Failed {
        /// Kebab-case failure class.
        class: String,
        /// MySQL error number, if the client gave one.
        code: Option<u16>,
    },
    /// No verdict within the cell timeout.
    Hang,
    /// The client has no such ssl-mode.
    Unsupported,
}

/// The short verdict of `cell`.
pub fn mark(cell: &Cell) -> CellMark {
    match &cell.outcome {
        Outcome::Connected { tls: Some(t) } => CellMark::Tls(t.version.clone()),
        Outcome::Connected { tls: None } => CellMark::Plain,
        Outcome::Failed { kind, code, .. } => CellMark::Failed {
            class: kind.as_str().to_owned(),
            code: *code,
        },
        Outcome::Hang { .. } => CellMark::Hang,
        Outcome::Unsupported { .. } => CellMark::Unsupported,
    }
}
