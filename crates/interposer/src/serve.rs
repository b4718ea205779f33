//! The accept loop and the [`Registry`] of connections awaiting a report.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::time::{Instant, sleep};

use crate::plan::{Config, Report};
use crate::record::Recorder;
use crate::relay::{self, Prepared};

/// How often, in milliseconds, [`Registry::report`] checks whether every connection closed.
pub const REPORT_POLL_MS: u64 = 20;

/// Connections accepted since the previous report, in accept order; cheap to clone (clones
/// share the same list).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Arc<Mutex<Vec<Recorder>>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a connection accepted now (open, nothing seen) and returns its recorder.
    pub fn register(&self) -> Recorder {
        let rec = Recorder::new();
        self.lock().push(rec.clone());
        rec
    }

    /// Waits until every connection accepted since the previous report is closed, or `wait`
    /// has passed (checking every [`REPORT_POLL_MS`] milliseconds), then returns them in accept
    /// order — still-open ones with what was seen so far and `open: true` — and forgets them.
    pub async fn report(&self, wait: Duration) -> Report {
        let deadline = Instant::now() + wait;
        loop {
            let all_closed = self.lock().iter().all(|r| !r.is_open());
            if all_closed || Instant::now() >= deadline {
                break;
            }
            sleep(Duration::from_millis(REPORT_POLL_MS)).await;
        }
        let taken = std::mem::take(&mut *self.lock());
        Report {
            connections: taken.iter().map(Recorder::snapshot).collect(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Recorder>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Accepts clients on `listener` forever, registering each in `registry` and running it in its
/// own task under `config.play` (see [`relay::handle`]).
///
/// Returns at once, accepting nothing, when the play's TLS material is invalid (see
/// [`Prepared::new`]; call that first to report the error). Accept errors (e.g. too many open
/// files) are written to stderr and retried after 50 ms.
pub async fn serve(config: Config, listener: TcpListener, registry: Registry) {
    let prepared = match Prepared::new(&config) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            eprintln!("interposer: {e}");
            return;
        }
    };
    let config = Arc::new(config);
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let rec = registry.register();
                tokio::spawn(relay::handle(config.clone(), prepared.clone(), stream, rec));
            }
            Err(e) => {
                eprintln!("interposer: accept: {e}");
                sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
