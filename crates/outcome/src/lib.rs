//! Outcomes: what one client did with one connection attempt (connected, failed, hung, or
//! unsupported), the canonical failure classes, and normalization/redaction — the single place
//! where run-specific text (ports, paths, dates, serials, ids, source lines) is masked.
//!
//! Pure data and text functions: no I/O.

mod classify;
mod inert;
mod model;
mod redact;

pub use classify::{CLASSIFICATION_RULES, Rule, classify};
pub use inert::{hidden_char, visible};
pub use model::{FailureKind, Outcome, TlsInfo};
pub use redact::redact;
