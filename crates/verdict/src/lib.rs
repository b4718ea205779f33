//! The ssl-mode contract and a verdict per cell.
//!
//! - [`Contract`]: what each of MySQL's five ssl-modes promises, as data citing the MySQL
//!   reference manual (`contract.toml`), the named policies that may explain a refusal, and
//!   each client's documented DEFAULT.
//! - [`Facts`]: what a scenario run offers the client, [`derive`]d from the scenario's
//!   certificate model plus the server's own TLS status, or declared in its `[facts]`.
//! - [`judge`]: one cell's [`Verdict`]: conforms, violation (insecure or strict), stricter by
//!   policy, not applicable.
//! - [`Reviewed`]: insecure violations reviewed like snapshots, each explained.
//! - [`Scorecard`]: the verdicts counted per flavor, client and mode.
//!
//! Pure data and functions; the only I/O is [`Reviewed::load`].

mod contract;
mod derive;
mod facts;
mod judge;
mod reviewed;
mod scorecard;

pub use contract::{
    Ambiguity, CONTRACT_TOML, Contract, ContractError, DefaultMode, PolicyText, Promise, TlsPromise,
};
pub use derive::{ServerObservation, derive};
pub use facts::{ChainDefect, ChainFact, Facts, NameFact, Policy};
pub use judge::{Broken, Exposure, Verdict, judge, judge_exposed};
pub use reviewed::{REVIEWED_FILE, Reviewed, ReviewedError, ReviewedViolation};
pub use scorecard::{ClientTallies, Scorecard, Tally};
